"""An appendix numbers its figures, tables and equations by its position, as the PDF does (bookkit.sphinx.appendix_numbers)."""

from __future__ import annotations

from bookkit.sphinx.appendix_numbers import appendix_positions, renumbered


def test_appendices_are_numbered_in_the_order_of_the_table_of_contents():
    included = [
        "book/chapters/01_a",
        "book/appendices/0_x",
        "book/appendices/3_y",
        "book/appendices/a_z",
    ]
    assert appendix_positions(included) == {
        "book/appendices/0_x": 1,
        "book/appendices/3_y": 2,
        "book/appendices/a_z": 3,
    }


def test_each_kind_is_counted_from_one_in_the_order_of_the_page():
    numbers = {"figure": {"f2": (9,), "f1": (7,)}, "displaymath": {"e1": (12,)}}
    assert renumbered(numbers, 3) == {
        "figure": {"f1": (3, 1), "f2": (3, 2)},
        "displaymath": {"e1": (3, 1)},
    }
