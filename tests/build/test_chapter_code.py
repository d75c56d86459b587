"""The code a reader sees runs as printed: page plumbing stays in removed cells.

The pages glue computed values into their text with `myst_nb.glue`, which a
reader who copies the code into a plain Jupyter kernel does not have. For
every chapter and appendix with code cells (read with `bookkit.chapters`):

- no cell that a reader sees (every cell not tagged `remove-cell`, so hidden
  inputs and figure code included) imports `myst_nb` or calls `glue`;
- every `remove-cell` holds only glue plumbing (`glue(...)` calls and the
  import of `glue`), so dropping the removed cells changes no value that a
  visible cell computes: the visible cells alone run as the page does.

The downloadable notebooks, which leave the removed cells out, are executed
without `myst_nb` by `tests/site/test_reader_notebooks.py` after `make book`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bookkit.chapters import ROOT, cells

PAGES = [
    path
    for folder in ("chapters", "appendices")
    for path in sorted((ROOT / "book" / folder).glob("*.md"))
    if cells(path)
]


def _ids(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def _where(path: Path, cell) -> str:
    return f"{path.relative_to(ROOT)}:{cell.first + 1}"


def test_the_pages_with_code_are_found():
    names = {path.stem for path in PAGES}
    assert {"01_univariate", "02_multivariate", "0_jax_primer"} <= names


@pytest.mark.parametrize("path", PAGES, ids=_ids)
def test_no_visible_cell_uses_glue(path):
    offending = [
        _where(path, cell)
        for cell in cells(path)
        if "remove-cell" not in cell.tags and cell.mentions_glue()
    ]
    assert not offending, (
        f"glue plumbing in a cell the reader sees (move it to a remove-cell): {offending}"
    )


@pytest.mark.parametrize("path", PAGES, ids=_ids)
def test_removed_cells_hold_only_glue(path):
    offending = [
        _where(path, cell)
        for cell in cells(path)
        if "remove-cell" in cell.tags and not cell.glue_plumbing
    ]
    assert not offending, (
        f"a remove-cell computes something the visible cells may need: {offending}"
    )


@pytest.mark.parametrize(
    ("code", "mentions", "plumbing"),
    [
        ("from myst_nb import glue", True, True),
        ('glue("x", 1.0, display=False)', True, True),
        ('for k in (1, 2):\n    glue(f"x-{k}", k, display=False)', True, True),
        ('x = 2.0\nglue("x", x, display=False)', True, False),
        ("import myst_nb", True, False),
        ("y = 3.0", False, False),
        ('print("glued")', False, False),
    ],
)
def test_the_cell_checks_read_the_code(code, mentions, plumbing):
    from bookkit.chapters import cells_of

    (cell,) = cells_of(f"```{{code-cell}} ipython3\n{code}\n```\n")
    assert cell.mentions_glue() is mentions
    assert cell.glue_plumbing is plumbing


def ends_with_a_shown_method_call(code: str) -> bool:
    """A figure cell whose last statement is a method call, e.g. `ax.legend()`:
    Jupyter would print its return value, `<matplotlib.legend.Legend at 0x...>`,
    an address that changes from run to run. A trailing `;` silences it."""
    body = [line for line in code.rstrip().splitlines() if line.strip()]
    if not body or body[-1].rstrip().endswith(";"):
        return False
    tree = ast.parse(code) if code.strip() else None
    last = tree.body[-1] if tree and tree.body else None
    return (
        isinstance(last, ast.Expr)
        and isinstance(last.value, ast.Call)
        and isinstance(last.value.func, ast.Attribute)
    )


@pytest.mark.parametrize("path", PAGES, ids=_ids)
def test_figure_cells_print_no_return_value(path):
    offending = [
        _where(path, cell)
        for cell in cells(path)
        if "hide-input" in cell.tags and ends_with_a_shown_method_call(cell.code)
    ]
    assert not offending, f"end these figure cells with ';': {offending}"


@pytest.mark.parametrize(
    ("code", "shown"),
    [
        ("ax.legend(frameon=False)", True),
        ("ax.legend(frameon=False);", False),
        ("fig, ax = new_figure()\nax.plot(x, y)", True),
        ("print(x)", False),
        ("x = ax.legend()", False),
    ],
)
def test_a_shown_method_call_is_found(code, shown):
    assert ends_with_a_shown_method_call(code) is shown
