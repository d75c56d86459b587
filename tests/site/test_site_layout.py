"""The site's fit to every screen (`bookkit.sphinx.site_layout`) and the claim tips'
notation (`bookkit.sphinx.claim_marks`), on made-up inputs.

The browser test measures the built site at phone and desktop widths; here,
what the extensions compute: a figure's minimum width from its tick labels,
the rewriting of its `<img>`, the icons kept from Font Awesome, the inline
formulas held to their punctuation, and the statements in the reader's symbols.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from docutils import nodes

from bookkit.sphinx import claim_marks, site_layout

ROOT = Path(__file__).resolve().parents[2]


def _svg(width_pt: float, tick_pt: float, legend_pt: float = 7.0) -> str:
    """A matplotlib-like SVG: one x tick label of `tick_pt`, a smaller legend text."""
    s, legend = tick_pt / 100, legend_pt / 100
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width_pt}pt" height="100pt">'
        '<g id="xtick_1"><g id="text_1">'
        f'<g transform="translate(10 90) scale({s} -{s})"><use href="#a"/></g></g></g>'
        '<g id="legend_1"><g id="text_9">'
        f'<g transform="translate(10 10) scale({legend} -{legend})"><use href="#b"/></g>'
        "</g></g></svg>"
    )


def test_ticks_are_read_from_the_tick_groups_only():
    width_px, tick_px = site_layout.svg_ticks(_svg(460.8, 10))
    assert width_px == pytest.approx(460.8 * 4 / 3)
    assert tick_px == pytest.approx(10 * 4 / 3)  # the smaller legend text is not a tick


def test_min_width_keeps_the_ticks_at_the_floor():
    width = site_layout.min_width(_svg(460.8, 10), min_tick_px=9.5)
    assert width * (10 * 4 / 3) / (460.8 * 4 / 3) == pytest.approx(9.5)
    # Ticks already below the floor at natural size: the figure never shrinks.
    assert site_layout.min_width(_svg(300, 5), min_tick_px=9.5) == pytest.approx(400)
    assert site_layout.min_width("<svg xmlns='http://www.w3.org/2000/svg'/>") is None
    assert site_layout.min_width("not xml") is None


def test_an_img_gets_its_min_width_once(tmp_path):
    page = tmp_path / "book" / "page.html"
    html = '<p><img alt="a" src="../_images/f.svg" /></p>'
    once = site_layout.with_min_widths(page, html, lambda path: 430.4)
    assert once == (
        '<p><img alt="a" src="../_images/f.svg" style="--gaussml-min-width: 430px" /></p>'
    )
    twice = site_layout.with_min_widths(page, once, lambda path: 431.0)
    assert twice.count("style=") == 1 and "431px" in twice
    untouched = site_layout.with_min_widths(page, html, lambda path: None)
    assert untouched == html


def test_mathjax_preloads_only_files_the_site_keeps_fonts_in_cors_mode():
    tags = site_layout.mathjax_preloads("../_static/mathjax/startup.js").splitlines()
    assert len(tags) == len(site_layout.MATHJAX_PRELOAD)
    for (kind, file), tag in zip(site_layout.MATHJAX_PRELOAD, tags, strict=True):
        assert file.startswith(site_layout.MATHJAX_KEEP)
        assert f'as="{kind}"' in tag and f'href="../_static/mathjax/{file}"' in tag
        assert ("crossorigin" in tag) == (kind == "font")


def test_only_the_named_icons_are_kept():
    script = (
        'p={"magnifying-glass":[512,512,[128269,"search"],"f002","M1 2z"],'
        'xmark:[384,512,[128473,10005],"f00d","M3 4z"]};'
        'd("fas",p)'
    )
    icons = site_layout.solid_icons(script)
    assert icons == {"magnifying-glass": [512, 512, "M1 2z"], "xmark": [384, 512, "M3 4z"]}
    used = site_layout.icons_used(['<i class="fa-solid fa-magnifying-glass fa-lg"></i>'])
    assert used & set(icons) == {"magnifying-glass"}


def test_an_inline_formula_keeps_the_punctuation_after_it():
    def math(tex):
        return nodes.math(tex, tex)

    para = nodes.paragraph("", "", nodes.Text("Take "), math("x"), nodes.Text(". Then "))
    para += [math("y"), nodes.Text(" and "), math("z"), nodes.Text("),"), math("w")]
    assert site_layout.keep_punctuation_with_math(para) == 2
    assert [(type(n).__name__, n.astext()) for n in para.children] == [
        ("Text", "Take "),
        ("inline", "x."),
        ("Text", " Then "),
        ("math", "y"),
        ("Text", " and "),
        ("inline", "z),"),
        ("math", "w"),
    ]
    spans = list(para.findall(nodes.inline))
    assert all(span["classes"] == [site_layout.NOWRAP] for span in spans)
    assert [type(n).__name__ for n in spans[0].children] == ["math", "Text"]
    assert site_layout.keep_punctuation_with_math(para) == 0  # once


@pytest.mark.parametrize(
    ("ascii_math", "reader"),
    [
        ("1/(sqrt(2 pi) std)", "1/(√(2 π) std)"),
        ("x ~ N(mu, Sigma^{-1})", "x ∼ N(μ, Σ⁻¹)"),
        ("E[beta_hat beta_hat^T] <= sigma^2 I_n", "E[β̂ β̂ᵀ] ≤ σ² Iₙ"),
        ("||x|| != 0 for chi-square(D)", "‖x‖ ≠ 0 for χ²(D)"),
        ("`beta_mle` gives beta", "`beta_mle` gives β"),  # code stays code
        ("the alphabet and the mean", "the alphabet and the mean"),  # words stay words
    ],
)
def test_statements_in_the_readers_symbols(ascii_math, reader):
    assert claim_marks.reader_math(ascii_math) == reader


def test_the_root_redirect_becomes_a_whole_page_once():
    bare = '\n<meta http-equiv="Refresh" content="0; url=book/intro.html" />\n'
    page = site_layout.root_redirect(bare, "Gaussians & more", "en")
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert "<title>Gaussians &amp; more</title>" in page
    assert '<meta http-equiv="Refresh" content="0; url=book/intro.html" />' in page
    assert '<a href="book/intro.html">Gaussians &amp; more</a>' in page
    assert site_layout.root_redirect(page, "Other", "de") == page
