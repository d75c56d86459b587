"""Bind each numbered equation of the book to the expressions its claim checked.

A binding says, for one equation label, which statements the page must show:
each statement is a chain of sides and relations, every side a sympy object
built from the claim's own expressions. `check_display(label, tex)` parses the
displayed LaTeX (`_latex.parse_display`) in the binding's environment and
compares it side by side with those statements: a wrong constant, sign,
exponent or symbol on the page is a `ClaimFailed` naming the label, the
displayed side and the checked one.

It is given the LaTeX; it does not read the book: the tooling finds each
display in the MyST sources (`bookkit.displays`) and `python -m
bookkit.verify`, the Sphinx extension `bookkit.sphinx.equation_claims` and the
mutation gate all reach this module through `_results.check` (the
claim-results cache), so the standalone check and the build fail for the same
reasons.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from . import _latex
from ._registry import Claim, ClaimFailed, _is_zero, claims


@dataclass(frozen=True)
class Binding:
    """The statements equation `label` must display, in each environment in which they are read."""

    label: str
    claim: str
    cases: Callable[[], list[tuple[dict, list[list]]]]
    scope: str


_BINDINGS: dict[str, Binding] = {}


def binds(label: str, claim: Callable, *, scope: str = "") -> Callable:
    """Register the decorated function as the binding of equation `label` to `claim`.

    The function returns a list of cases `(env, statements)`: `env` maps the
    page's names to sympy objects, and `statements` lists what the page shows,
    each statement a list alternating sides and relation names
    (`[lhs, "=", middle, "=", rhs]`). It is called once per process.
    """

    def register(cases: Callable) -> Callable:
        if label in _BINDINGS:
            raise ValueError(f"equation {label!r} is bound twice")
        _BINDINGS[label] = Binding(label, claim.__name__, functools.cache(cases), scope)
        return cases

    return register


def chain(sides, rel: str = "=") -> list:
    """`[s0, rel, s1, rel, ...]`: a displayed chain of equal (or related) sides."""
    out = [sides[0]]
    for side in sides[1:]:
        out += [rel, side]
    return out


def bindings() -> dict[str, Binding]:
    """All bindings by label (a copy)."""
    return dict(_BINDINGS)


def _describe(value) -> str:
    return str(value).replace("\n", " ")


def check_display(label: str, tex: str) -> None:
    """Raise `ClaimFailed` unless the LaTeX `tex` displays what equation `label`'s claim checked."""
    if label not in _BINDINGS:
        raise ClaimFailed(f"{label}: no binding of the displayed equation to its claim")
    for env, expected in _BINDINGS[label].cases():
        try:
            shown = _latex.parse_display(tex, env)
        except _latex.LatexError as error:
            raise ClaimFailed(f"{label}: cannot read the displayed equation: {error}") from error
        except Exception as error:
            raise ClaimFailed(
                f"{label}: the displayed equation does not evaluate: {error}"
            ) from error
        if len(shown) != len(expected):
            raise ClaimFailed(
                f"{label}: the page shows {len(shown)} statement(s), the claim checked "
                f"{len(expected)}: displayed {shown}"
            )
        for k, (page, want) in enumerate(zip(shown, expected, strict=True), start=1):
            sides, rels = want[0::2], want[1::2]
            if page.rels != rels:
                raise ClaimFailed(
                    f"{label}, statement {k}: displayed relations {page.rels}, checked {rels}"
                )
            for i, (side, source, checked) in enumerate(
                zip(page.sides, page.sources, sides, strict=True), start=1
            ):
                if not _latex.same(side, checked, _is_zero):
                    raise ClaimFailed(
                        f"{label}, statement {k}, side {i}: displayed {source!r} = "
                        f"{_describe(side)}, checked {_describe(checked)}"
                    )


def claim_of(label: str) -> Claim:
    """The claim that backs equation `label`."""
    found = [c for c in claims().values() if label in c.labels]
    if len(found) != 1:
        raise ClaimFailed(f"{label}: {len(found)} claims back this equation, expected one")
    return found[0]
