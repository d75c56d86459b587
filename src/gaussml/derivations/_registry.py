"""Registry of verified claims, keyed by the book's equation labels.

A claim is a function that raises `ClaimFailed` unless the equation it backs
holds. `claim(...)` registers it; `verify(name)` runs it and returns a
`Verification` that renders as a short "checked" note in a chapter.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import sympy as sp

METHODS = ("symbolic", "symbolic + Monte Carlo")


class ClaimFailed(AssertionError):
    """A derivation step or identity that sympy could not confirm."""


@dataclass(frozen=True)
class Claim:
    """One verified statement: what it says, which equations it backs, how it is checked."""

    name: str
    labels: tuple[str, ...]
    statement: str
    method: str
    check: Callable[[], None]
    scope: str  # for which values it is proved: "symbolic: every std > 0", "matrix sizes (m, n) = ...", ...
    monte_carlo: str | None = None


@dataclass(frozen=True)
class Verification:
    """The outcome of running one claim; renders as the chapter's "checked" note."""

    claim: Claim
    seconds: float

    def _note(self) -> str:
        # No timing here: the rendered page must be the same at every build.
        return f"**Verified** by `gaussml.derivations.{self.claim.name}` ({self.claim.method})."

    def _repr_markdown_(self) -> str:
        return self._note()

    def __repr__(self) -> str:
        return self._note().replace("`", "")


_CLAIMS: dict[str, Claim] = {}


def claim(
    *labels: str,
    statement: str,
    scope: str,
    method: str = "symbolic",
    monte_carlo: str | None = None,
) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """Register the decorated function as the check of the equations `labels`.

    Args:
      labels: equation labels in `book/` (at least one) that the claim backs.
      statement: one sentence saying what is checked, for the report.
      scope: for which values the claim is established, never empty: "symbolic:
        every std > 0"; "matrix sizes (m, n) = (1, 2), (2, 3)"; the Monte Carlo
        test's setting.
      method: "symbolic" or "symbolic + Monte Carlo".
      monte_carlo: the pytest node id of the simulation backing the claim,
        required when the method says "Monte Carlo".
    """
    if not labels:
        raise ValueError("a claim needs at least one equation label, got none")
    if not isinstance(scope, str) or not scope.strip():
        raise ValueError(f"scope must say for which values the claim holds, got {scope!r}")
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if ("Monte Carlo" in method) != (monte_carlo is not None):
        raise ValueError(
            f"monte_carlo={monte_carlo!r} must name a test exactly when method={method!r} "
            "mentions Monte Carlo"
        )

    def register(check: Callable[[], None]) -> Callable[[], None]:
        name = check.__name__
        if name in _CLAIMS:
            raise ValueError(f"claim {name!r} is registered twice")
        _CLAIMS[name] = Claim(name, tuple(labels), statement, method, check, scope, monte_carlo)
        return check

    return register


def claims() -> dict[str, Claim]:
    """All registered claims by name (a copy)."""
    return dict(_CLAIMS)


def registered_labels() -> set[str]:
    """Every equation label named by some claim."""
    return {label for c in _CLAIMS.values() for label in c.labels}


def verify(name: str) -> Verification:
    """Run the claim `name`; raise `ClaimFailed` if it does not hold.

    In a chapter the returned object displays as the "checked" note, and a
    failure raises inside the cell, which fails the build.
    """
    if name not in _CLAIMS:
        raise KeyError(f"no claim named {name!r}; registered: {sorted(_CLAIMS)}")
    c = _CLAIMS[name]
    start = time.perf_counter()
    c.check()
    return Verification(c, time.perf_counter() - start)


# --- helpers for writing claims -------------------------------------------------


def _is_zero(expr: sp.Expr) -> bool:
    """True when sympy proves `expr` is identically zero (never by floating point).

    Cheap exact rewrites first (polynomial and rational identities end there),
    `simplify` only when they do not settle it, then logs split and powers
    merged. The last rewrites are not forced: sympy splits log(x y) or merges
    x^a y^a only where the symbols' assumptions make it true (x, y > 0), so a
    claim about positive quantities must declare its symbols positive.
    """
    expr = sp.sympify(expr)
    for rewrite in (sp.expand, sp.cancel, sp.simplify):
        if rewrite(expr) == 0:
            return True
    return sp.simplify(sp.expand(sp.powsimp(sp.expand_log(expr)))) == 0


def assert_equal(lhs, rhs, what: str) -> None:
    """Raise `ClaimFailed` unless sympy shows `lhs - rhs` simplifies to zero.

    Works for scalar expressions and for sympy matrices (element-wise).
    """
    if isinstance(lhs, sp.MatrixBase) or isinstance(rhs, sp.MatrixBase):
        lhs, rhs = sp.Matrix(lhs), sp.Matrix(rhs)
        if lhs.shape != rhs.shape:
            raise ClaimFailed(f"{what}: shapes differ, {lhs.shape} vs {rhs.shape}")
        bad = [i for i, d in enumerate(lhs - rhs) if not _is_zero(d)]
        if bad:
            raise ClaimFailed(f"{what}: entries {bad} differ: {(lhs - rhs).tolist()}")
        return
    if not _is_zero(sp.sympify(lhs) - sp.sympify(rhs)):
        raise ClaimFailed(f"{what}: {lhs} != {rhs}")


def assert_steps(steps: Iterable, what: str) -> None:
    """Check a displayed multi-line derivation: each line equals the one before it."""
    steps = list(steps)
    if len(steps) < 2:
        raise ValueError(f"a derivation needs at least two lines, got {len(steps)}")
    for i, (before, after) in enumerate(itertools.pairwise(steps), start=1):
        assert_equal(before, after, f"{what}, step {i} -> {i + 1}")


def assert_true(condition, what: str) -> None:
    """Raise `ClaimFailed` unless sympy's `condition` is exactly True."""
    if condition is not True and condition != sp.true:
        raise ClaimFailed(f"{what}: sympy gives {condition!r}, not True")
