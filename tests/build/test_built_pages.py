"""The memo of what an extension computes from each built page (`bookkit.sphinx.built_pages`).

A rebuild must parse only the pages that changed, and never serve a result
computed from another text or by other code.
"""

from __future__ import annotations

from pathlib import Path

from bookkit.sphinx.built_pages import PageMemo

ROOT = Path(__file__).resolve().parents[2]


class Counting:
    """A pure function of the text that counts its calls."""

    def __init__(self):
        self.calls: list[str] = []

    def __call__(self, text: str) -> list:
        self.calls.append(text)
        return [len(text), text.upper()]


def _memo(tmp_path: Path, compute, code: str = "v1") -> PageMemo:
    (tmp_path / "code.py").write_text(code)
    return PageMemo(tmp_path / "memo.json", [tmp_path / "code.py"], compute)


def test_each_text_is_computed_once_and_kept_between_builds(tmp_path):
    first = Counting()
    memo = _memo(tmp_path, first)
    assert memo("a page") == [6, "A PAGE"]
    assert memo("a page") == [6, "A PAGE"]
    assert first.calls == ["a page"]
    memo.save()

    second = Counting()
    again = _memo(tmp_path, second)
    assert again("a page") == [6, "A PAGE"]
    assert second.calls == [], "an unchanged page is not parsed again"
    assert again("an edited page") == [14, "AN EDITED PAGE"]
    assert second.calls == ["an edited page"]


def test_a_change_of_the_code_discards_the_memo(tmp_path):
    memo = _memo(tmp_path, Counting())
    memo("a page")
    memo.save()
    compute = Counting()
    changed = _memo(tmp_path, compute, code="v2")
    changed("a page")
    assert compute.calls == ["a page"]


def test_save_keeps_only_the_pages_of_this_build(tmp_path):
    memo = _memo(tmp_path, Counting())
    memo("old page")
    memo.save()
    later = _memo(tmp_path, Counting())
    later("new page")
    later.save()
    compute = Counting()
    _memo(tmp_path, compute)("old page")
    assert compute.calls == ["old page"], "a page gone from the site leaves the memo"


def test_remember_records_a_rewritten_page_without_computing_it(tmp_path):
    memo = _memo(tmp_path, Counting())
    memo.remember("page with previews", [1, "KNOWN"])
    memo.save()
    compute = Counting()
    assert _memo(tmp_path, compute)("page with previews") == [1, "KNOWN"]
    assert compute.calls == []


def test_an_unreadable_memo_is_an_empty_one(tmp_path):
    (tmp_path / "memo.json").write_text("{not json")
    compute = Counting()
    assert _memo(tmp_path, compute)("a page") == [6, "A PAGE"]
    assert compute.calls == ["a page"]


def test_settle_files_each_result_under_the_page_as_the_build_left_it(tmp_path):
    """A later extension rewrites the page after the memo read it: the next build,
    reading the rewritten page that Sphinx did not write again, parses nothing."""
    memo = _memo(tmp_path, Counting())
    read = {"page.html": "as Sphinx wrote it"}
    memo(read["page.html"])
    memo.settle(read, {"page.html": "as the last extension left it"})
    memo.save()
    compute = Counting()
    again = _memo(tmp_path, compute)
    assert again("as the last extension left it") == [18, "AS SPHINX WROTE IT"]
    assert compute.calls == []


def test_search_text_cuts_code_before_parsing_as_parsing_then_dropping_it_would():
    """The search snippets' text of a page parses only its article without code
    (`search_snippets._prose_html`): the text is what dropping the code from the
    whole parsed page gives, whitespace between the cut parts included."""
    from bookkit.sphinx.search_snippets import page_text

    page = (
        '<html><body><nav><div class="x">menu</div></nav><main role="main">'
        '<div class="bd-header">tools</div><article class="bd-article"><p id="p">Text '
        '<span class="math">\\(\\sigma^2\\)</span>.</p>\n<div class="cell docutils">\n'
        '<div class="cell_input docutils"><div class="highlight"><pre>x = 1</pre></div></div>\n'
        '<div class="cell_output"><div><p>out</p></div></div>\n</div>\n'
        "<script>let a = '</div>';</script><pre>code</pre><p>After</p></article></main>"
        '<template id="ref-preview-1"><p>preview</p></template></body></html>'
    )
    assert page_text(page) == (
        '<div role="main"><p id="p">Text <span> σ² </span>.</p>\n<div>\n\n\n</div>\n'
        "<p>After</p></div>"
    )
