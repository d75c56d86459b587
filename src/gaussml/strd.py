r"""Reference data for least squares: NIST's StRD Longley and Wampler datasets.

NIST's Statistical Reference Datasets (StRD) for linear regression give data
whose least-squares coefficients are certified to 15 digits. Two of the
"higher difficulty" ones are here, in the book's layout: `X` is `(m, n)`
(features by samples, the intercept row first), `y` is `(n,)`, float64 numpy.

- Longley: 16 years of six economic series, `longley()`, with NIST's
  certified coefficients `LONGLEY_CERTIFIED`.
- Wampler1 and Wampler2: $x = 0, 1, \dots, 20$ and
  $y = \sum_{k=0}^{5} c_k x^k$ with $c_k = 1$ and $c_k = 10^{-k}$,
  `wampler(1)` and `wampler(2)`; the certified coefficients are the $c_k$.

`exact_least_squares` solves the normal equations in rational arithmetic, so
the reference of any design is its exact solution.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import sympy

from gaussml import _checks

__all__ = ["LONGLEY_CERTIFIED", "LONGLEY_NAMES", "exact_least_squares", "longley", "wampler"]

#: Longley's data as NIST publishes them, one row a year (1947 to 1962):
#: TOTEMP (y), GNPDEFL, GNP, UNEMP, ARMED, POP, YEAR.
#: https://www.itl.nist.gov/div898/strd/lls/data/Longley.shtml
_LONGLEY_TABLE = (
    (60323, 83.0, 234289, 2356, 1590, 107608, 1947),
    (61122, 88.5, 259426, 2325, 1456, 108632, 1948),
    (60171, 88.2, 258054, 3682, 1616, 109773, 1949),
    (61187, 89.5, 284599, 3351, 1650, 110929, 1950),
    (63221, 96.2, 328975, 2099, 3099, 112075, 1951),
    (63639, 98.1, 346999, 1932, 3594, 113270, 1952),
    (64989, 99.0, 365385, 1870, 3547, 115094, 1953),
    (63761, 100.0, 363112, 3578, 3350, 116219, 1954),
    (66019, 101.2, 397469, 2904, 3048, 117388, 1955),
    (67857, 104.6, 419180, 2822, 2857, 118734, 1956),
    (68169, 108.4, 442769, 2936, 2798, 120445, 1957),
    (66513, 110.8, 444546, 4681, 2637, 121950, 1958),
    (68655, 112.6, 482704, 3813, 2552, 123366, 1959),
    (69564, 114.2, 502601, 3931, 2514, 125368, 1960),
    (69331, 115.7, 518173, 4806, 2572, 127852, 1961),
    (70551, 116.9, 554894, 4007, 2827, 130081, 1962),
)

#: The names of the rows of Longley's `X`: the intercept, then NIST's predictors.
LONGLEY_NAMES = ("intercept", "GNPDEFL", "GNP", "UNEMP", "ARMED", "POP", "YEAR")

#: NIST's certified coefficients of Longley, in the order of `LONGLEY_NAMES`.
#: https://www.itl.nist.gov/div898/strd/lls/data/Longley.shtml
LONGLEY_CERTIFIED = (
    -3482258.63459582,
    15.0618722713733,
    -0.358191792925910e-01,
    -2.02022980381683,
    -1.03322686717359,
    -0.511041056535807e-01,
    1829.15146461355,
)

#: The exact coefficients $c_0, \dots, c_5$ of Wampler1 and Wampler2, as decimals.
_WAMPLER_COEFFICIENTS = {
    1: ("1", "1", "1", "1", "1", "1"),
    2: ("1", "0.1", "0.01", "0.001", "0.0001", "0.00001"),
}


def longley() -> tuple[np.ndarray, np.ndarray, list[str]]:
    r"""NIST's Longley data in the book's layout.

    Returns:
      `(X, y, names)`: `X` of shape `(7, 16)`, the intercept row of ones and
      the six predictors; `y` of shape `(16,)`, TOTEMP; `names` the names of
      the rows of `X` (`LONGLEY_NAMES`). float64 numpy: every entry is the
      float64 nearest NIST's decimal.
    """
    table = np.array(_LONGLEY_TABLE, np.float64)
    X = np.vstack([np.ones(len(table)), table[:, 1:].T])
    return X, table[:, 0], list(LONGLEY_NAMES)


def wampler(k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""NIST's Wampler`k` data ($k$ = 1 or 2): a degree-5 polynomial at $x = 0, \dots, 20$.

    $y = \sum_{j=0}^{5} c_j x^j$ with $c_j = 1$ (Wampler1) or $c_j = 10^{-j}$
    (Wampler2), summed exactly and then rounded to float64 (Wampler1's are
    integers below $2^{53}$, exact in float64).

    Args:
      k: 1 or 2 (otherwise `ValueError`; `TypeError` for a non-integer).

    Returns:
      `(X, y, certified)`: `X` of shape `(6, 21)` with rows $x^0, \dots, x^5$,
      `y` of shape `(21,)` and the certified coefficients $c_j$, `(6,)`.
    """
    if isinstance(k, bool) or not isinstance(k, int | np.integer):
        raise TypeError(f"k must be the integer 1 or 2 (Wampler1 or Wampler2), got {k!r}")
    if k not in _WAMPLER_COEFFICIENTS:
        raise ValueError(f"k must be 1 or 2 (Wampler1 or Wampler2), got {k!r}")
    exact = [Fraction(c) for c in _WAMPLER_COEFFICIENTS[int(k)]]
    x = range(21)
    y = np.array([float(sum(c * v**j for j, c in enumerate(exact))) for v in x])
    X = np.vstack([np.arange(21.0) ** j for j in range(len(exact))])
    return X, y, np.array([float(c) for c in exact])


def _decimal(value: float) -> sympy.Rational:
    """The exact decimal a float64 read from a decimal file stands for (its shortest repr)."""
    return sympy.Rational(repr(float(value)))


def exact_least_squares(X, y) -> np.ndarray:
    r"""The least-squares coefficients of the data, solved in rational arithmetic.

    Each entry of `X` and `y` is read as the shortest decimal that rounds to
    it (`repr`), so data typed as decimals are taken at their decimal value;
    then $(X X^\top)\,\beta = X y$ is solved exactly and $\beta$ rounded to
    float64. In exact arithmetic the normal equations are harmless: only
    rounding makes them lose digits.

    Args:
      X: `(m, n)` design, features by samples, of full row rank m.
      y: `(n,)` targets.

    Returns:
      The coefficients $\beta$, a float64 numpy array of shape `(m,)`.

    Raises:
      ValueError: `X` not of full row rank (no unique solution).
    """
    _checks.design(X, y)
    X, y = np.asarray(X, np.float64), np.asarray(y, np.float64)
    Xq = sympy.Matrix(X.shape[0], X.shape[1], lambda i, j: _decimal(X[i, j]))
    yq = sympy.Matrix([_decimal(v) for v in y])
    gram = Xq * Xq.T
    rank = gram.rank()
    if rank < X.shape[0]:
        raise ValueError(
            f"X must have full row rank m = {X.shape[0]} for a unique solution, got rank {rank}"
        )
    return np.array([float(v) for v in gram.LUsolve(Xq * yq)])
