"""gaussml.regression against reference values: NIST StRD, exact designs, random conditioning.

The datasets and their references are in `bookkit.bench_accuracy`, from
`gaussml.strd` (Longley with its exact rational least-squares solution, which
equals NIST's certified values; Wampler1 and Wampler2, exact polynomial data
with exact certified coefficients; `tests/package/test_strd.py` checks them). Accuracy is the LRE, the number of correct
significant digits (`gaussml.regression.log_relative_error`), the smallest
over the coefficients. float64 runs inside `jax.enable_x64(True)`.

The property tests draw designs X = U diag(s) V^T with chosen singular
values, so cond(X) is known exactly, and compare with references: the
least-squares solution by float64 `numpy.linalg.lstsq`, and the posterior by
its closed form (X X^T / std^2 + I / prior_std^2)^{-1} in 50-digit arithmetic
(mpmath) on the stored values, since in float64 that closed form itself
loses up to cond(precision) ~ 1e14 at prior_std = 1e6.
"""

import itertools

import jax
import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bookkit import bench_accuracy
from gaussml import _checks
from gaussml.regression import (
    beta_map,
    beta_min_norm,
    beta_mle,
    beta_ridge,
    log_relative_error,
    posterior,
    predictive,
)

DATASETS = bench_accuracy.datasets()
EPS32, EPS64 = float(np.finfo(np.float32).eps), float(np.finfo(np.float64).eps)


def lre(estimate, reference):
    return float(np.min(log_relative_error(estimate, reference)))


def lstsq64(X, y):
    return np.linalg.lstsq(np.asarray(X, np.float64).T, np.asarray(y, np.float64), rcond=None)[0]


# --- NIST StRD ------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(DATASETS))
def test_beta_mle_in_float64_is_as_accurate_as_lstsq(name):
    X, y, reference = DATASETS[name]
    with jax.enable_x64(True):
        ours = lre(beta_mle(X, y), reference)
    theirs = lre(lstsq64(X, y), reference)
    assert ours >= theirs - 0.5, (ours, theirs)
    assert ours >= 6.0


@pytest.mark.parametrize("name", list(DATASETS))
def test_beta_mle_in_float32_is_accurate_or_refuses_naming_cond_x(name):
    X, y, reference = DATASETS[name]
    try:
        estimate = beta_mle(np.float32(X), np.float32(y))
    except ValueError as error:
        message = str(error)
        assert "cond(X) = " in message and "float32" in message
        assert "enable float64" in message  # float64 accepts every one of these designs
        assert np.linalg.cond(X) * EPS32 > _checks.MAX_ERROR_BOUND
        return
    assert lre(estimate, reference) >= 2.0


def test_float32_refusals_and_acceptances_are_the_expected_ones():
    refused = {
        row["dataset"] for row in bench_accuracy.lre_rows() if row["gaussml f32"] == "refused"
    }
    assert refused == {"Longley", "Wampler1", "Wampler2"}


def test_the_refusal_in_float64_does_not_suggest_float64():
    X = np.vstack([np.ones(20), 1.0 + 1e-14 * np.arange(20.0)])
    with jax.enable_x64(True), pytest.raises(ValueError, match=r"cond\(X\) = .* in float64") as e:
        beta_mle(X, np.arange(20.0))
    assert "float64" in str(e.value) and "enable float64" not in str(e.value)
    assert "beta_ridge" in str(e.value)


def test_the_lre_table_has_one_row_per_dataset_with_every_column():
    rows = bench_accuracy.lre_rows()
    assert [row["dataset"] for row in rows] == list(DATASETS)
    text = bench_accuracy.lre_table(rows)
    for column in ("cond(X)", "gaussml f64", "lstsq f64", "statsmodels f64", "gaussml f32"):
        assert column in text
    assert text.count("refused") == 3


def test_log_relative_error_counts_digits():
    # 1.0001 vs 1: 4 digits; 0 vs 1e-9: none; exact: the cap; -2 vs 2: none; 1e-5 vs 0: 5 (absolute)
    got = log_relative_error([1.0001, 0.0, 3.0, -2.0, 1e-5], [1.0, 1e-9, 3.0, 2.0, 0.0])
    np.testing.assert_allclose(got, [4.0, 0.0, 15.0, 0.0, 5.0], atol=1e-6)


# --- random designs of chosen condition -----------------------------------------------


def design(seed, m, n, cond):
    """X (m, n) = U diag(s) V^T with s log-spaced from 1 to 1/cond: cond(X) = cond exactly."""
    rng = np.random.default_rng(seed)
    U = np.linalg.qr(rng.standard_normal((m, m)))[0]
    V = np.linalg.qr(rng.standard_normal((n, n)))[0][:, : min(m, n)]
    s = np.logspace(0, -np.log10(cond), min(m, n))
    return (U[:, : min(m, n)] * s) @ V.T, rng


shapes = st.tuples(st.integers(1, 4), st.integers(0, 6)).map(lambda t: (t[0], t[0] + t[1]))
log_conds = st.floats(0.0, 12.0)


@settings(max_examples=15)
@given(shape=shapes, log_cond=log_conds, seed=st.integers(0, 2**16), noise=st.sampled_from([0, 1]))
def test_beta_mle_float64_agrees_with_lstsq_to_cond_times_eps(shape, log_cond, seed, noise):
    m, n = shape
    X, rng = design(seed, m, n, 10.0**log_cond)
    beta = rng.standard_normal(m)
    y = X.T @ beta + noise * 1e-3 * rng.standard_normal(n)
    reference = lstsq64(X, y)
    cond = np.linalg.cond(X)
    residual = np.linalg.norm(y - X.T @ reference) / (
        np.linalg.norm(X, 2) * np.linalg.norm(reference)
    )
    # first-order bound of a backward-stable solver, for both: cond eps + cond^2 eps |r| / (|X| |b|)
    bound = 100 * m * n * EPS64 * (cond + cond**2 * residual)
    with jax.enable_x64(True):
        ours = np.asarray(beta_mle(X, y))
    assert np.linalg.norm(ours - reference) <= bound * np.linalg.norm(reference) + 1e-300


@settings(max_examples=15)
@given(shape=shapes, log_cond=log_conds, seed=st.integers(0, 2**16))
def test_beta_mle_float32_is_within_its_bound_or_refuses(shape, log_cond, seed):
    m, n = shape
    X, rng = design(seed, m, n, 10.0**log_cond)
    X32 = np.float32(X)
    y32 = np.float32(X32.astype(np.float64).T @ rng.standard_normal(m))
    reference = lstsq64(X32, y32)  # the exact-data answer for the stored float32 values
    cond = np.linalg.cond(X32.astype(np.float64))
    try:
        ours = np.asarray(beta_mle(X32, y32), np.float64)
    except ValueError as error:
        assert "cond(X)" in str(error) and cond * EPS32 > _checks.MAX_ERROR_BOUND
        return
    assert cond * EPS32 <= _checks.MAX_ERROR_BOUND
    # stated bound: 10 m n cond(X) eps (the fit is exact up to the rounding of y)
    error = np.linalg.norm(ours - reference) / np.linalg.norm(reference)
    assert error <= 10 * m * n * cond * EPS32


def exact_posterior(X, y, std, prior_std):
    """Posterior mean and covariance of the stored X, y by the closed form in 50-digit arithmetic."""
    with mpmath.workdps(50):
        Xq = mpmath.matrix(np.asarray(X, np.float64).tolist())
        yq = mpmath.matrix(np.asarray(y, np.float64).tolist())
        std, prior_std = mpmath.mpf(std), mpmath.mpf(prior_std)
        precision = Xq * Xq.T / std**2 + mpmath.eye(Xq.rows) / prior_std**2
        cov = precision**-1
        mean = cov * (Xq * yq) / std**2
        as_array = lambda a: np.array(a.tolist(), dtype=float)  # noqa: E731
        return as_array(mean).ravel(), as_array(cov)


bayes_shapes = st.tuples(st.integers(1, 4), st.integers(1, 6))


@settings(max_examples=20)
@given(
    shape=bayes_shapes,
    log_cond=st.floats(0.0, 3.0),
    log_prior_std=st.floats(-3.0, 6.0),
    seed=st.integers(0, 2**16),
    x64=st.booleans(),
)
def test_posterior_and_predictive_agree_with_the_exact_closed_form(
    shape, log_cond, log_prior_std, seed, x64
):
    m, n = shape
    X, rng = design(seed, m, n, 10.0**log_cond)
    y, X_new = rng.standard_normal(n), rng.standard_normal((m, 3))
    std, prior_std = 0.3, 10.0**log_prior_std
    dtype = np.float64 if x64 else np.float32
    X, y, X_new = dtype(X), dtype(y), dtype(X_new)
    with jax.enable_x64(x64):
        prior_std = float(dtype(prior_std))
        mean, cov = (
            np.asarray(a, np.float64) for a in posterior(X, y, std=std, prior_std=prior_std)
        )
        mode = np.asarray(beta_map(X, y, std=std, prior_std=prior_std), np.float64)
        pred = predictive(X_new, X, y, std=std, prior_std=prior_std)
        pred_mean, pred_std = (np.asarray(a, np.float64) for a in pred)
    mean_ref, cov_ref = exact_posterior(X, y, float(dtype(std)), prior_std)
    X_new64 = np.asarray(X_new, np.float64)
    std_ref = np.sqrt(float(dtype(std)) ** 2 + np.einsum("ik,ij,jk->k", X_new64, cov_ref, X_new64))
    # stated bound: 10 m n cond(X) eps in norm (an SVD-based solve is backward stable)
    tol = 10 * m * n * float(np.finfo(dtype).eps) * np.linalg.cond(np.asarray(X, np.float64))
    for got in (mean, mode):
        assert np.linalg.norm(got - mean_ref) <= tol * np.linalg.norm(mean_ref)
    assert np.linalg.norm(cov - cov_ref) <= tol * np.linalg.norm(cov_ref)
    scale = np.linalg.norm(X_new64, axis=0) * np.linalg.norm(mean_ref)
    assert np.all(np.abs(pred_mean - X_new64.T @ mean_ref) <= tol * scale)
    np.testing.assert_allclose(pred_std, std_ref, rtol=tol)


@pytest.mark.parametrize("x64", [False, True])
def test_vague_prior_on_the_wide_design_tends_to_the_minimum_norm_solution(x64):
    X_wide = np.array([[1.0, 2.0], [3.0, -1.0], [0.0, 4.0]])  # chapter 3's n < m design
    y = np.ones(2)
    beta_plus = np.linalg.pinv(X_wide.T) @ y
    s_min = np.linalg.svd(X_wide, compute_uv=False)[-1]
    dtype = np.float64 if x64 else np.float32
    eps = float(np.finfo(dtype).eps)
    gaps = []
    with jax.enable_x64(x64):
        X, yy = dtype(X_wide), dtype(y)
        np.testing.assert_allclose(beta_min_norm(X, yy), beta_plus, rtol=100 * eps)
        for prior_std in 10.0 ** np.arange(-3, 7):
            mean, cov = posterior(X, yy, std=0.3, prior_std=prior_std)
            assert np.all(np.isfinite(np.asarray(cov)))
            mode = beta_map(X, yy, std=0.3, prior_std=prior_std)
            np.testing.assert_allclose(mode, mean, rtol=10 * eps, atol=10 * eps)
            gaps.append(float(np.linalg.norm(np.asarray(mean, np.float64) - beta_plus)))
        for penalty in (1e-8, 1e-20):
            ridge = np.asarray(beta_ridge(X, yy, penalty=penalty), np.float64)
            # |beta_lambda - beta+| <= lambda / s_min^2 |beta+| in exact arithmetic
            gap = np.linalg.norm(ridge - beta_plus) / np.linalg.norm(beta_plus)
            assert gap <= 100 * eps + penalty / s_min**2
    # the gap to beta+ shrinks as the prior widens, down to rounding
    assert all(b <= a + 100 * eps for a, b in itertools.pairwise(gaps))
    assert gaps[-1] <= (100 * eps + 0.3**2 / 1e6**2 / s_min**2) * np.linalg.norm(beta_plus)


@pytest.mark.parametrize("x64", [False, True])
def test_extreme_priors_give_finite_results(x64):
    X = np.array([[1.0, 2.0], [3.0, -1.0], [0.0, 4.0]])
    dtype = np.float64 if x64 else np.float32
    high = float(np.sqrt(np.finfo(dtype).max)) / 2
    low = float(np.sqrt(np.finfo(dtype).tiny)) * 2
    with jax.enable_x64(x64):
        for std, prior_std in ((low, high), (high, low), (1.0, high), (low, 1.0)):
            for value in posterior(dtype(X), dtype(np.ones(2)), std=std, prior_std=prior_std):
                assert np.all(np.isfinite(np.asarray(value)))
            mode = beta_map(dtype(X), dtype(np.ones(2)), std=std, prior_std=prior_std)
            assert np.all(np.isfinite(np.asarray(mode)))
        assert np.all(
            np.isfinite(np.asarray(beta_ridge(dtype(X), dtype(np.ones(2)), penalty=low**2)))
        )


def test_predictive_that_overflows_raises_naming_prior_std():
    X = np.array([[1.0, 2.0], [3.0, -1.0], [0.0, 4.0]], np.float32)
    high = float(np.sqrt(np.finfo(np.float32).max)) / 2
    with pytest.raises(ValueError, match="prior_std"):
        predictive(
            np.full((3, 1), 1e30, np.float32), X, np.ones(2, np.float32), std=1.0, prior_std=high
        )
