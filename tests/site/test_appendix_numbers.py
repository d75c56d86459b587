"""An appendix numbers its figures, tables and equations by its letter, on the site as in
the PDF (bookkit.sphinx.appendix_numbers)."""

from __future__ import annotations

from bookkit.sphinx.appendix_numbers import (
    LATEX_PREAMBLE,
    appendix_letters,
    letter_headings,
    renumbered,
)


def test_appendices_are_lettered_in_the_order_of_the_table_of_contents():
    included = [
        "book/chapters/01_a",
        "book/appendices/0_x",
        "book/appendices/3_y",
        "book/appendices/a_z",
    ]
    assert appendix_letters(included) == {
        "book/appendices/0_x": "A",
        "book/appendices/3_y": "B",
        "book/appendices/a_z": "C",
    }


def test_each_kind_is_counted_from_one_in_the_order_of_the_page():
    numbers = {"figure": {"f2": (9,), "f1": (7,)}, "displaymath": {"e1": (12,)}}
    assert renumbered(numbers, "C") == {
        "figure": {"f1": ("C", 1), "f2": ("C", 2)},
        "displaymath": {"e1": ("C", 1)},
    }


def test_the_pdf_numbers_by_the_chapter_letter_or_number():
    """LaTeX's own counters, after Sphinx's `\\arabic{chapter}`: `\\thechapter` is A, B, ...
    after `\\appendix` (the PDF's numbers are compared with the site's by
    tests/pdf/test_numbering.py)."""
    assert "\\AtBeginDocument" in LATEX_PREAMBLE
    for counter in ("figure", "table", "equation"):
        assert f"\\def\\the{counter}{{\\gaussml@bychapter{{{counter}}}}}" in LATEX_PREAMBLE
    assert "\\thechapter." in LATEX_PREAMBLE


def test_an_appendix_is_reported_changed_only_when_its_numbers_change():
    """Sphinx writes again every page `env-get-updated` names: an appendix only when
    its numbers changed, and Sphinx compares its next numbers with its own."""
    from types import SimpleNamespace

    from bookkit.sphinx.appendix_numbers import number_appendices, sphinx_numbers_back

    sphinx_numbers = {"figure": {"f-b": (7,), "f-a": (5,)}}
    env = SimpleNamespace(
        config=SimpleNamespace(root_doc="intro"),
        toctree_includes={"intro": ["book/chapters/01_x", "book/appendices/a"]},
        toc_fignumbers={"book/appendices/a": dict(sphinx_numbers)},
        toc_secnumbers={},
        tocs={},
        titles={},
    )
    assert number_appendices(None, env) == ["book/appendices/a"]  # the first build
    assert env.toc_fignumbers["book/appendices/a"] == {"figure": {"f-a": ("A", 1), "f-b": ("A", 2)}}
    sphinx_numbers_back(None, env)
    assert env.toc_fignumbers["book/appendices/a"] == sphinx_numbers  # what Sphinx compares
    assert number_appendices(None, env) == []  # the same numbers: not written again
    env.toc_fignumbers["book/appendices/a"] = {"figure": {"f-a": (5,), "f-c": (6,), "f-b": (7,)}}
    assert number_appendices(None, env) == ["book/appendices/a"]


def _toc(*entries):
    """A page's table of contents as Sphinx's toctree collector makes it (`env.tocs`):
    `entries` are (anchor, children) pairs, the first the page's title."""
    from docutils import nodes
    from sphinx import addnodes

    def items(pairs):
        bullets = nodes.bullet_list()
        for anchor, children in pairs:
            reference = nodes.reference("", "", anchorname=anchor, refuri="x")
            item = nodes.list_item("", addnodes.compact_paragraph("", "", reference))
            if children:
                item += items(children)
            bullets += item
        return bullets

    return items(entries)


def test_an_appendix_letters_its_title_and_sections_as_the_pdf_does():
    toc = _toc(("", [("#first", [("#first-a", []), ("#first-b", [])]), ("#second", [])]))
    numbers = letter_headings(toc, "C")
    assert numbers == {
        "": ("C",),
        "#first": ("C", 1),
        "#first-a": ("C", 1, 1),
        "#first-b": ("C", 1, 2),
        "#second": ("C", 2),
    }
    # The sidebar reads each entry's `secnumber`: "C.", "C.1.", ...
    shown = {r["anchorname"]: r["secnumber"] for r in toc.findall(lambda n: "secnumber" in n)}
    assert shown == numbers


def test_an_appendix_is_rewritten_when_its_headings_change():
    from types import SimpleNamespace

    from docutils import nodes

    from bookkit.sphinx.appendix_numbers import number_appendices, sphinx_numbers_back

    env = SimpleNamespace(
        config=SimpleNamespace(root_doc="intro"),
        toctree_includes={"intro": ["book/chapters/01_x", "book/appendices/a"]},
        toc_fignumbers={},
        toc_secnumbers={},
        tocs={"book/appendices/a": _toc(("", [("#one", [])]))},
        titles={"book/appendices/a": nodes.title()},
    )
    assert number_appendices(None, env) == ["book/appendices/a"]
    assert env.toc_secnumbers["book/appendices/a"] == {"": ("A",), "#one": ("A", 1)}
    assert env.titles["book/appendices/a"]["secnumber"] == ("A",)  # next and previous links
    # The next build: the title as Sphinx's collector expects it (it renumbers every
    # numbered title of the root's toctrees), and the toctrees numbered afresh.
    sphinx_numbers_back(None, env)
    assert "secnumber" not in env.titles["book/appendices/a"]
    env.toc_secnumbers = {}
    assert number_appendices(None, env) == []
    env.tocs["book/appendices/a"] = _toc(("", [("#one", []), ("#two", [])]))
    assert number_appendices(None, env) == ["book/appendices/a"]
