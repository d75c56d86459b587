"""Lighter pages with the same look (`bookkit.sphinx.light_pages`), on made-up inputs.

The browser test weighs the built chapter pages; here, what the extension
rewrites: unused CSS rules, the icon font's glyphs, the search and idle
scripts, the unstyled code spans and the figures' SVG.
"""

from __future__ import annotations

import io

import pytest
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont

from bookkit.sphinx import light_pages as lp


def test_a_selector_naming_a_class_found_nowhere_goes():
    css = ".used{a:1}.gone{b:2}.used,.gone .x{c:3}@media (min-width:5px){.gone{d:4}.used{e:5}}"
    kept = lp.unused_rules_removed(css, lambda name: name == "used")
    assert kept == ".used{a:1}.used{c:3}@media (min-width:5px){.used{e:5}}"


def test_negations_strings_and_comments_do_not_count_as_classes():
    css = '/* Name.Builtin */ .used:not(.gone){a:1}a[href$=".pdf"]{b:2}.used :is(.x,.y){c:3}'
    kept = lp.unused_rules_removed(css, lambda name: name in {"used", "x", "y"})
    assert kept == css


def test_icon_codepoints_keep_the_theme_glyphs_and_the_used_icons_only():
    css = (
        ':root{--pst-icon-info:"\uf05a"}.x:after{content:"\\f107"}'
        '.fa-search:before,.fa-magnifying-glass:before{content:"\\f002"}'
        '.fa-anchor:before{content:"\\f13d"}'
    )
    assert lp.icon_codepoints(css, {"search"}) == {0xF05A, 0xF107, 0xF002}


def _font(codepoints) -> bytes:
    names = [".notdef"] + [f"g{c:x}" for c in codepoints]
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({c: f"g{c:x}" for c in codepoints})
    pen = TTGlyphPen(None)
    pen.moveTo((0, 0))
    pen.lineTo((500, 0))
    pen.lineTo((500, 500))
    pen.closePath()
    glyph = pen.glyph()
    builder.setupGlyf({name: glyph for name in names})
    builder.setupHorizontalMetrics({name: (600, 0) for name in names})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "T", "styleName": "Regular"})
    builder.setupOS2()
    builder.setupPost()
    out = io.BytesIO()
    builder.save(out)
    return out.getvalue()


def test_the_font_is_cut_to_the_glyphs_asked_for_as_woff():
    cut = lp.subset_font(_font([0xF002, 0xF05A, 0xF13D]), {0xF002, 0xF05A})
    assert cut[:4] == b"wOFF"
    assert set(TTFont(io.BytesIO(cut)).getBestCmap()) == {0xF002, 0xF05A}
    assert lp.subset_font(_font([0xF002]), {0xF002}) == lp.subset_font(_font([0xF002]), {0xF002})


def test_the_search_scripts_go_and_the_idle_scripts_only_where_idle():
    head = (
        '<script src="../_static/searchtools.js"></script>\n'
        '    <script src="../_static/language_data.js"></script>\n'
        '    <script src="../searchindex.js"></script>\n'
        '<script src="../_static/design-tabs.js?v=1"></script>\n'
        '<script async="async" src="../_static/sphinx-thebe.js?v=2"></script>'
    )
    assert lp.without_search_scripts(head).count("<script") == 2
    assert lp.without_idle_scripts(head).count("<script") == 3
    with_tabs = head + '<div class="sd-tab-set">'
    assert "design-tabs.js" in lp.without_idle_scripts(with_tabs)


def test_images_load_lazily_unless_they_say_how():
    html = '<img alt="a" src="f.svg" /><img loading="eager" src="g.svg" />'
    lazy = lp.lazy_images(html)
    assert lazy == '<img loading="lazy" alt="a" src="f.svg" /><img loading="eager" src="g.svg" />'
    assert lp.lazy_images(lazy) == lazy


def test_the_imported_basic_css_is_preloaded_once():
    head = '<link href="../_static/styles/theme.css?digest=1" rel="stylesheet" />'
    once = lp.basic_css_preloaded(head)
    assert once == '<link rel="preload" as="style" href="../_static/basic.css" />\n' + head
    assert lp.basic_css_preloaded(once) == once


PYGMENTS = """
html[data-theme="light"] .highlight { background: #fefefe; color: #080808 }
html[data-theme="light"] .highlight .n { color: #080808 } /* Name */
html[data-theme="light"] .highlight .o { color: #00622F } /* Operator */
html[data-theme="light"] .highlight .p { color: #080808; font-weight: bold }
html[data-theme="dark"] .highlight { background: #2b2b2b; color: #F8F8F2 }
html[data-theme="dark"] .highlight .n { color: #F8F8F2 } /* Name */
html[data-theme="dark"] .highlight .o { color: #ABE338 } /* Operator */
html[data-theme="dark"] .highlight .p { color: #F8F8F2 }
"""


def test_only_spans_styled_as_the_code_itself_are_unwrapped():
    plain = lp.plain_token_classes(PYGMENTS)
    assert plain == {"n"}
    html = '<span class="n">x</span><span class="o">=</span><span class="p">(</span>'
    assert lp.unwrap_tokens(html, plain) == 'x<span class="o">=</span><span class="p">(</span>'


@pytest.mark.parametrize(
    ("svg", "compact"),
    [
        (
            '<g transform="translate(12.345678 9.87654) scale(0.085 -0.085)">\n'
            '  <!-- 0.5 -->\n  <path d="M 1.234567 2.5 \nL 3.000001 4 \nz\n"/>\n</g>',
            '<g transform="translate(12.35 9.88) scale(0.085 -0.085)">'
            '<path d="M1.23 2.5 3 4z"/></g>',
        ),
        ('<path d="M 0 0.71"/>', '<path d="M0 0.71"/>'),
    ],
)
def test_compact_svg_rounds_coordinates_and_keeps_the_text_scale(svg, compact):
    assert lp.compact_svg(svg) == compact
    assert lp.compact_svg(compact) == compact  # a second build changes nothing


@pytest.mark.parametrize(
    ("d", "compact"),
    [
        ("M 0 1 L 2 3 L 4 -5 z ", "M0 1 2 3 4 -5z"),
        # a lineto after a curve keeps its L (the numbers would continue the curve)
        ("M 0 0 C 1 1 2 2 3 3 L 4 4 L 5 5 ", "M0 0C1 1 2 2 3 3L4 4 5 5"),
        ("M 0 0 M 1 1 L 2 2 z M 3 3 L 4 4 ", "M0 0M1 1 2 2zM3 3 4 4"),
        ("M 1e-05 2 L 3 4 ", "M1e-05 2 3 4"),
        ("M 0 0 A 1 1 0 0 1 2 2 ", "M 0 0 A 1 1 0 0 1 2 2 "),  # an arc: unchanged
    ],
)
def test_compact_path_drops_only_the_implied_linetos(d, compact):
    assert lp.compact_path(d) == compact
    assert lp.compact_path(compact) == compact


def test_the_stylesheet_memo_cuts_as_a_build_from_scratch(tmp_path):
    """Across builds (the memo of the last one), each cut is the one computed afresh."""
    css = ".used{a:1}.gone{b:2}.later{c:3}.a .used-too{d:4}"
    (tmp_path / "x.css").write_text(css, encoding="utf-8")

    def build(texts, memo):
        (tmp_path / "x.css").write_text(css, encoding="utf-8")  # Sphinx copies it again
        memo = lp._light_stylesheets(tmp_path, texts, memo)
        corpus = "\n".join(texts)
        fresh = lp.unused_rules_removed(css, lambda name: name in corpus)
        assert (tmp_path / "x.css").read_text(encoding="utf-8") == fresh
        return memo

    memo = build(['<p class="used">', "x.used-too"], {})
    memo = build(['<p class="used">prose', "x.used-too"], memo)  # a prose edit
    memo = build(['<p class="used later">', "x.used-too a"], memo)  # a class appears
    memo = build(['<p class="later">', "a"], memo)  # and goes
    memo = build(['<p class="later">', "a"], memo)
