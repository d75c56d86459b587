"""Previews of references (`bookkit.sphinx.ref_previews`), on made-up pages.

The browser test opens real previews on the built site; here, the rewriting
of the HTML: a reference gets the template of its target, and a page written
by an earlier build gets the previews of the current targets, once.
"""

from __future__ import annotations

from pathlib import Path

from bookkit.sphinx import ref_previews

ROOT = Path(__file__).resolve().parents[2]


def _figure_page(caption: str) -> str:
    return (
        '<html><body><main role="main">'
        f'<figure id="fig-a"><img src="a.png" alt="a"><figcaption>{caption}</figcaption></figure>'
        "</main></body></html>"
    )


REFERRING = (
    '<html><body><main role="main"><p>See <a class="reference internal" '
    'href="a.html#fig-a" title="Figure">Figure 1</a>.</p></main></body></html>'
)


def _previews(pages: dict[str, str]) -> str:
    targets = ref_previews.collect_targets(pages)
    return ref_previews.add_previews("b.html", pages["b.html"], targets)


def test_a_reference_gets_its_target_as_a_template():
    out = _previews({"a.html": _figure_page("first caption"), "b.html": REFERRING})
    assert 'data-ref-preview="ref-preview-1" data-ref-kind="figure"' in out
    assert out.count("<template") == 1
    assert "first caption" in out
    assert 'id="fig-a"' not in out.split("<template", 1)[1], "the copy keeps no id"


def test_a_page_from_an_earlier_build_gets_the_current_target_once():
    old = _previews({"a.html": _figure_page("first caption"), "b.html": REFERRING})
    new = _previews({"a.html": _figure_page("second caption"), "b.html": old})
    assert new.count("<template") == 1
    assert new.count("data-ref-preview=") == 1
    assert "second caption" in new
    assert "first caption" not in new


def test_previews_are_idempotent():
    pages = {"a.html": _figure_page("caption"), "b.html": REFERRING}
    once = _previews(pages)
    twice = _previews({**pages, "b.html": once})
    assert twice == once


def test_a_claim_marks_tip_survives_the_rewriting():
    """A claim mark shows its tip with the same popover: its template and attributes stay."""
    mark = (
        '<a class="claim-mark__link" href="r.html#claim-x" data-ref-preview="claim-tip-x" '
        'data-ref-kind="claim" data-ref-tap="preview" aria-label="Checked by sympy">&#x2713;</a>'
        '<template id="claim-tip-x"><span>the tip</span></template>'
    )
    page = REFERRING.replace("</p>", mark + "</p>")
    out = _previews({"a.html": _figure_page("first caption"), "b.html": page})
    assert mark in out and mark in ref_previews.strip_previews(out)
    assert 'data-ref-preview="ref-preview-1"' in out


def test_the_targets_are_those_a_whole_page_parse_selects():
    """Each target is cut from the page and parsed alone: the same elements, in the
    same order, as selecting them in the whole parsed page (nested targets, tags in
    a script or a comment, targets outside the main part left out)."""
    from bs4 import BeautifulSoup

    page = (
        '<html><body><div class="math" id="eq-outside"><span class="eqno">(9)</span></div>'
        '<main id="m" role="main"><div class="section" id="s">'
        '<div class="exercise admonition" id="ex-a"><p>Show</p>'
        '<div class="math notranslate" id="eq-in"><span class="eqno">(1)<a href="#">x</a>'
        '</span></div><script>let s = \'<div class="math" id="no">\';</script></div>'
        '<div class="math" id="eq-unnumbered">y</div><!-- <table id="no"> -->'
        '<table class="t" id="tab-a"><tr><td><table id="inner"></table></td></tr></table>'
        '<figure id="fig-a"><img src="a.png" alt="a"></figure>'
        '<div class="citation" id="c-1" role="doc-biblioentry">[1]</div></div></main>'
        '<template id="ref-preview-1"><figure id="fig-a"></figure></template></body></html>'
    )
    main = BeautifulSoup(page, "html.parser").find(attrs={"role": "main"})
    expected = [
        [element["id"], kind, str(element)]
        for kind, selector in ref_previews.TARGETS.items()
        for element in main.select(selector)
        if kind != "equation" or element.find(class_="eqno") is not None
    ]
    assert ref_previews.page_targets(page) == expected
    assert [t[0] for t in expected] == ["eq-in", "fig-a", "tab-a", "inner", "ex-a", "c-1"]
