"""`markdown_table` gives whole tables whatever the cells hold; parsed as MyST, as the book does."""

import pytest
from docutils import nodes
from docutils.core import publish_doctree
from hypothesis import given, settings
from hypothesis import strategies as st
from myst_parser.parsers.docutils_ import Parser

from gaussml.plotting import markdown_table


def parse(table) -> nodes.document:
    settings_ = {"myst_enable_extensions": ["dollarmath"], "report_level": 2, "halt_level": 2}
    return publish_doctree(table.text, parser=Parser(), settings_overrides=settings_)


def cells(table) -> list[list[str]]:
    doc = parse(table)
    return [
        [entry.astext() for entry in row.findall(nodes.entry)] for row in doc.findall(nodes.row)
    ]


def test_cells_holding_table_syntax_stay_whole():
    rows = [
        ("|x| and |c|", r"$\lVert x \rVert = |x|$", 1.5),
        ("- a list marker", "# a heading", 2.0),
        ("1. a number", "> a quote", 3.0),
        ("`code | with bar`", "(target)=", 4.0),
        ("% a comment", "---", 5.0),
    ]
    table = markdown_table(
        ["text", "$|x|$", "value"],
        rows,
        caption="Bars | everywhere",
        label="tab-t",
        formats=["", "", ".1f"],
    )
    got = cells(table)
    assert got[0] == ["text", "|x|", "value"]
    assert got[1:] == [
        ["|x| and |c|", r"\lVert x \rVert = |x|", "1.5"],
        ["- a list marker", "# a heading", "2.0"],
        ["1. a number", "> a quote", "3.0"],
        ["code | with bar", "(target)=", "4.0"],
        ["% a comment", "---", "5.0"],
    ]


def test_table_has_its_caption_label_and_number_columns():
    doc = parse(
        markdown_table(["a", "b"], [("x", 1)], caption="Cap", label="tab-l", formats=["", "d"])
    )
    (table,) = doc.findall(nodes.table)
    assert table["ids"] == ["tab-l"]
    assert table.next_node(nodes.title).astext() == "Cap"
    assert "col-2-right" in table["classes"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.sampled_from("ab |-*#>%()=`1.:$ \n"), max_size=12),
        min_size=3,
        max_size=3,
    )
)
def test_any_text_keeps_the_row_whole(row):
    table = markdown_table(["a", "b", "c"], [row], caption="c", label="tab-h")
    got = cells(table)
    assert len(got) == 2 and all(len(r) == 3 for r in got), (row, table.text)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rows": [("x",)]}, "has 1 cells, expected 2"),
        ({"formats": [""]}, "need one format per column"),
        ({"widths": [1, 2, 3]}, "need one width per column"),
        ({"caption": "two\nlines"}, "the caption must be one line"),
    ],
)
def test_bad_arguments_are_clear_errors(kwargs, message):
    args = {"header": ["a", "b"], "rows": [("x", "y")], "caption": "c", "label": "tab-e", **kwargs}
    with pytest.raises(ValueError, match=message):
        markdown_table(**args)
