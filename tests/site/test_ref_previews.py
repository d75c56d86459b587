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
