"""An appendix numbers its figures, tables and equations by its letter (book/_ext/appendix_numbers.py)."""

from __future__ import annotations

from appendix_numbers import appendix_letters, lettered


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
    assert lettered(numbers, "C") == {
        "figure": {"f1": ("C", 1), "f2": ("C", 2)},
        "displaymath": {"e1": ("C", 1)},
    }
