"""gaussml.strd against its sources: statsmodels' copy of Longley, NIST's certified values.

statsmodels ships NIST's Longley data as exact decimals; the typed table must
equal it entry for entry. The exact rational solution must agree with NIST's
certified coefficients to LRE >= 14 (they are given to 15 digits), and the
Wampler data must be the exact polynomials, whose coefficients are certified.
"""

from fractions import Fraction

import numpy as np
import pytest
from statsmodels.datasets import longley as statsmodels_longley

from gaussml import strd
from gaussml.regression import log_relative_error


def test_longley_equals_statsmodels_copy_exactly():
    X, y, names = strd.longley()
    frame = statsmodels_longley.load_pandas()
    assert names == ["intercept", *frame.exog.columns]
    assert X.dtype == y.dtype == np.float64
    assert X.shape == (7, 16) and y.shape == (16,)
    np.testing.assert_array_equal(X[0], np.ones(16))
    np.testing.assert_array_equal(X[1:], frame.exog.to_numpy(np.float64).T)
    np.testing.assert_array_equal(y, frame.endog.to_numpy(np.float64))


def test_exact_solution_of_longley_is_nists_certified_values():
    X, y, _ = strd.longley()
    exact = strd.exact_least_squares(X, y)
    assert log_relative_error(exact, np.array(strd.LONGLEY_CERTIFIED)).min() >= 14.0


def test_exact_solution_agrees_with_lstsq_on_a_well_conditioned_design():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((3, 10)), rng.standard_normal(10)
    reference = np.linalg.lstsq(X.T, y, rcond=None)[0]
    # cond(X) is small, so float64 lstsq is accurate to ~ cond eps
    np.testing.assert_allclose(strd.exact_least_squares(X, y), reference, rtol=1e-12)


def test_exact_solution_refuses_a_rank_deficient_design():
    X = np.array([[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]])
    with pytest.raises(ValueError, match="X must have full row rank"):
        strd.exact_least_squares(X, np.ones(3))


@pytest.mark.parametrize(
    ("k", "coefficients"),
    [(1, ["1"] * 6), (2, ["1", "0.1", "0.01", "0.001", "0.0001", "0.00001"])],
)
def test_wampler_data_are_the_exact_polynomials(k, coefficients):
    X, y, certified = strd.wampler(k)
    c = [Fraction(v) for v in coefficients]
    np.testing.assert_array_equal(X, np.vstack([np.arange(21.0) ** j for j in range(6)]))
    np.testing.assert_array_equal(certified, np.array([float(v) for v in c]))
    # y is the exact polynomial value, correctly rounded to float64
    exact = [sum(cj * x**j for j, cj in enumerate(c)) for x in range(21)]
    np.testing.assert_array_equal(y, np.array([float(v) for v in exact]))
    # and its exact least-squares solution is the certified coefficients
    assert log_relative_error(strd.exact_least_squares(X, y), certified).min() >= 14.0


@pytest.mark.parametrize(
    ("k", "error"), [(0, ValueError), (3, ValueError), (True, TypeError), ("1", TypeError)]
)
def test_wampler_names_the_bad_k(k, error):
    with pytest.raises(error, match="k must be"):
        strd.wampler(k)
