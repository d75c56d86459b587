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
    )
    assert number_appendices(None, env) == ["book/appendices/a"]  # the first build
    assert env.toc_fignumbers["book/appendices/a"] == {"figure": {"f-a": (1, 1), "f-b": (1, 2)}}
    sphinx_numbers_back(None, env)
    assert env.toc_fignumbers["book/appendices/a"] == sphinx_numbers  # what Sphinx compares
    assert number_appendices(None, env) == []  # the same numbers: not written again
    env.toc_fignumbers["book/appendices/a"] = {"figure": {"f-a": (5,), "f-c": (6,), "f-b": (7,)}}
    assert number_appendices(None, env) == ["book/appendices/a"]
