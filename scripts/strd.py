"""Least squares against reference values: NIST StRD linear regression and an exact design.

Each dataset is `(X, y, reference)` in float64 with X of shape (m, n) (the
book's features by samples, intercept first). The references:

- Longley (NIST StRD, "higher difficulty"; data from `statsmodels.datasets.longley`,
  which are NIST's exact decimals): the exact least-squares solution of the
  exact decimal data, computed in rational arithmetic (sympy); it agrees with
  NIST's certified values, `LONGLEY_CERTIFIED`, to all their 15 digits
  (`tests/test_regression_reference.py` checks it).
- Wampler1 and Wampler2 (NIST StRD, "higher difficulty"): x = 0, 1, ..., 20 and
  y = sum_k c_k x^k, k = 0..5, with c_k = 1 (Wampler1) and c_k = 10^-k
  (Wampler2); the certified coefficients are these c_k, exactly.
- Quadratic (not NIST): x = 0, 1, ..., 20 and y = 1 + x + x^2, coefficients
  exactly 1: a design float32 accepts.

`lre_rows()` gives, per dataset, cond(X) and the smallest LRE over the
coefficients (`gaussml.regression.log_relative_error`) of `beta_mle` in
float64, `numpy.linalg.lstsq`, statsmodels OLS, and `beta_mle` in float32 (or
"refused" with the message).
"""

from __future__ import annotations

from fractions import Fraction

import jax
import numpy as np
import sympy

from gaussml.regression import beta_mle, log_relative_error

#: NIST's certified coefficients of Longley (intercept, GNPDEFL, GNP, UNEMP,
#: ARMED, POP, YEAR), https://www.itl.nist.gov/div898/strd/lls/data/Longley.shtml
LONGLEY_CERTIFIED = (
    -3482258.63459582,
    15.0618722713733,
    -0.358191792925910e-01,
    -2.02022980381683,
    -1.03322686717359,
    -0.511041056535807e-01,
    1829.15146461355,
)


def _decimal(value: float) -> sympy.Rational:
    """The exact decimal a float64 read from a decimal file stands for (its shortest repr)."""
    return sympy.Rational(repr(float(value)))


def exact_least_squares(X, y) -> np.ndarray:
    """The least-squares coefficients of the decimals X and y, solved in rational arithmetic."""
    X = np.asarray(X, np.float64)
    Xq = sympy.Matrix(X.shape[0], X.shape[1], lambda i, j: _decimal(X[i, j]))
    yq = sympy.Matrix([_decimal(v) for v in np.asarray(y, np.float64)])
    exact = (Xq * Xq.T).LUsolve(Xq * yq)  # exact: rounding, not the normal equations, is the risk
    return np.array([float(v) for v in exact])


def longley():
    from statsmodels.datasets import longley as data  # here: statsmodels is slow to import

    frame = data.load_pandas()
    X = np.vstack([np.ones(len(frame.endog)), frame.exog.to_numpy().T])
    y = frame.endog.to_numpy(np.float64)
    return X, y, exact_least_squares(X, y)


def polynomial(coefficients):
    """x = 0..20, y = sum_k c_k x^k with the c_k given as exact strings; reference the c_k."""
    x = np.arange(21)
    exact = [Fraction(c) for c in coefficients]
    y = np.array([float(sum(c * int(v) ** k for k, c in enumerate(exact))) for v in x])
    X = np.vstack([x.astype(np.float64) ** k for k in range(len(exact))])
    return X, y, np.array([float(c) for c in exact])


def datasets() -> dict:
    return {
        "Longley": longley(),
        "Wampler1": polynomial(["1"] * 6),
        "Wampler2": polynomial(["1", "0.1", "0.01", "0.001", "0.0001", "0.00001"]),
        "Quadratic (exact, not NIST)": polynomial(["1"] * 3),
    }


def lre_rows() -> list[dict]:
    """One row per dataset: cond(X) and the smallest LRE of each solver."""
    import statsmodels.api as sm  # here: statsmodels is slow to import

    rows = []
    for name, (X, y, reference) in datasets().items():
        with jax.enable_x64(True):
            ours64 = np.asarray(beta_mle(X, y))
        try:
            ours32 = float(
                np.min(log_relative_error(beta_mle(np.float32(X), np.float32(y)), reference))
            )
            refusal = None
        except ValueError as error:
            ours32, refusal = "refused", str(error)
        rows.append(
            {
                "dataset": name,
                "cond(X)": float(np.linalg.cond(X)),
                "gaussml f64": float(np.min(log_relative_error(ours64, reference))),
                "lstsq f64": float(
                    np.min(log_relative_error(np.linalg.lstsq(X.T, y, rcond=None)[0], reference))
                ),
                "statsmodels f64": float(
                    np.min(log_relative_error(sm.OLS(y, X.T).fit().params, reference))
                ),
                "gaussml f32": ours32,
                "f32 refusal": refusal,
            }
        )
    return rows


def lre_table(rows: list[dict]) -> str:
    """The rows as a fixed-width text table (LRE: correct significant digits, min over coefficients)."""
    columns = ["dataset", "cond(X)", "gaussml f64", "lstsq f64", "statsmodels f64", "gaussml f32"]
    lines = ["  ".join(f"{c:>15}" if i else f"{c:<28}" for i, c in enumerate(columns))]
    for row in rows:
        cells = [f"{row['dataset']:<28}", f"{row['cond(X)']:>15.3g}"]
        for c in columns[2:]:
            value = row[c]
            cells.append(f"{value:>15.1f}" if isinstance(value, float) else f"{value:>15}")
        lines.append("  ".join(cells))
    return "\n".join(lines)


if __name__ == "__main__":
    print(lre_table(lre_rows()))
