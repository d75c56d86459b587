"""Least squares against reference values: the LRE table of the bench.

The datasets, each `(X, y, reference)` in float64 with X of shape (m, n) (the
book's features by samples, intercept first), come from `gaussml.strd`:

- Longley (NIST StRD, "higher difficulty"): the reference is the exact
  least-squares solution of the exact decimal data
  (`gaussml.strd.exact_least_squares`), which agrees with NIST's certified
  values, `gaussml.strd.LONGLEY_CERTIFIED`, to all their 15 digits
  (`tests/package/test_strd.py` checks it).
- Wampler1 and Wampler2 (NIST StRD, "higher difficulty"), `gaussml.strd.wampler`:
  the certified coefficients are exact.
- Quadratic (not NIST): x = 0, 1, ..., 20 and y = 1 + x + x^2 (integers, exact
  in float64), coefficients exactly 1: a design float32 accepts.

`lre_rows()` gives, per dataset, cond(X) and the smallest LRE over the
coefficients (`gaussml.regression.log_relative_error`) of `beta_mle` in
float64, `numpy.linalg.lstsq`, statsmodels OLS, and `beta_mle` in float32 (or
"refused" with the message).
"""

from __future__ import annotations

import jax
import numpy as np

from gaussml import strd
from gaussml.regression import beta_mle, log_relative_error


def quadratic():
    """x = 0..20, y = 1 + x + x^2 exactly; reference the coefficients, all 1."""
    X = np.vstack([np.arange(21.0) ** k for k in range(3)])
    return X, X.sum(axis=0), np.ones(3)


def datasets() -> dict:
    X, y, _ = strd.longley()
    return {
        "Longley": (X, y, strd.exact_least_squares(X, y)),
        "Wampler1": strd.wampler(1),
        "Wampler2": strd.wampler(2),
        "Quadratic (exact, not NIST)": quadratic(),
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
