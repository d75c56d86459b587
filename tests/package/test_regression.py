"""gaussml.regression against numpy, scipy, jax.scipy and statsmodels; Monte Carlo; bad inputs.

JAX computes in float32 (machine epsilon ~1.2e-7). Least squares by QR loses
a factor of about cond(X) of that, so comparisons with float64 references use
relative tolerances of 1e-4 on well-conditioned designs (cond(X) < 10).
Accuracy against NIST StRD and over designs of chosen condition is in
tests/package/test_regression_reference.py.
"""

import jax
import jax.numpy as jnp
import jax.scipy.stats
import numpy as np
import pytest
import scipy.integrate
import scipy.linalg
import scipy.stats
import statsmodels.api as sm
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from gaussml import regression
from gaussml.regression import (
    X_HIGH,
    X_LOW,
    beta_mle,
    beta_mle_cov,
    linear_nll,
    linear_nll_grad,
    sample_batch,
    std_mle,
    target_f1,
    target_f2,
    target_f3,
)
from gaussml.univariate import logpdf

TARGETS = [target_f1, target_f2, target_f3]
RTOL = 1e-4  # float32 solve on designs with cond(X) < 10, see the module docstring


def random_design(key, m, n):
    """A standard normal (m, n) design and (n,) targets, in float32, seeded by `key`.

    Drawn by numpy from the key's bits: `jax.random.normal` compiles once per
    shape (about a second on a loaded machine), and these tests use dozens of shapes.
    """
    rng = np.random.default_rng(np.asarray(jax.random.key_data(key)))
    X = rng.standard_normal((m, n), dtype=np.float32)
    y = rng.standard_normal(n, dtype=np.float32)
    return jnp.asarray(X), jnp.asarray(y)


# --- targets and batches ----------------------------------------------------------


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("n", [1, 7, 200])
def test_sample_batch_shapes_and_range(target, n):
    X, y = sample_batch(jax.random.key(0), target, n)
    assert X.shape == (1, n)
    assert y.shape == (n,)
    assert np.all((np.asarray(X) >= X_LOW) & (np.asarray(X) <= X_HIGH))
    assert np.all(np.isfinite(np.asarray(y)))


@pytest.mark.parametrize("target", TARGETS)
def test_sample_batch_is_deterministic_in_the_key(target):
    a = sample_batch(jax.random.key(3), target, 50)
    b = sample_batch(jax.random.key(3), target, 50)
    c = sample_batch(jax.random.key(4), target, 50)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.allclose(a[0], c[0])


@pytest.mark.parametrize(
    ("target", "mean_fn", "std_fn"),
    [
        (target_f1, lambda x: 2 * x, lambda x: 0.3 * np.ones_like(x)),
        (target_f2, lambda x: 2 * x, lambda x: 0.3 * np.abs(x)),
        (target_f3, lambda x: 2 * x + 5 * np.sin(x / 2), lambda x: 0.3 * np.abs(x)),
    ],
)
def test_targets_have_the_stated_mean_and_noise(target, mean_fn, std_fn):
    """Standardised noise z = (y - mean(x)) / std(x) is N(0, 1).

    With n draws, mean(z) has standard error 1/sqrt(n) and var(z) has
    sqrt(2/(n-1)); 5 standard errors are missed with probability < 1e-6.
    """
    n = 50_000
    X, y = sample_batch(jax.random.key(11), target, n)
    x = np.asarray(X[0], dtype=np.float64)
    z = (np.asarray(y, dtype=np.float64) - mean_fn(x)) / std_fn(x)
    assert abs(z.mean()) < 5 / np.sqrt(n)
    assert abs(z.var(ddof=1) - 1.0) < 5 * np.sqrt(2.0 / (n - 1))


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("shape", [(5,), (2, 5), (5, 1)])
def test_targets_reject_inputs_not_of_shape_1_n(target, shape):
    with pytest.raises(ValueError, match=r"x must have shape \(1, n\)"):
        target(jax.random.key(0), jnp.ones(shape))


@pytest.mark.parametrize(("n", "error"), [(0, ValueError), (2.0, TypeError)])
def test_sample_batch_rejects_bad_n(n, error):
    with pytest.raises(error, match="n must"):
        sample_batch(jax.random.key(0), target_f1, n)


# --- the log-likelihood of the data ------------------------------------------------


def test_log_likelihood_of_data_is_a_sum_of_log_densities():
    X, y = sample_batch(jax.random.key(5), target_f1, 5000)
    beta = jnp.array([2.0])
    logs = logpdf(y, mean=X.T @ beta, std=0.3)
    total = np.sum(np.asarray(logs, dtype=np.float64))
    np.testing.assert_allclose(linear_nll(beta, X, y, std=0.3), -total / 5000, rtol=1e-5)
    densities = scipy.stats.norm.pdf(np.asarray(y, np.float64), np.asarray(X.T @ beta), 0.3)
    # For 20 observations the product of densities is representable and its log
    # is the sum; for 5000 it underflows to 0 in float64 (the densities average
    # about exp(-0.23) in geometric mean), while the sum of logs is about -1150.
    np.testing.assert_allclose(np.log(np.prod(densities[:20])), np.sum(logs[:20]), rtol=1e-5)
    assert np.prod(densities) < np.finfo(np.float64).tiny  # underflowed
    assert np.isfinite(total)


# --- beta_mle and its covariance --------------------------------------------------


@pytest.mark.parametrize(("m", "n"), [(1, 5), (2, 10), (3, 50), (5, 5)])
def test_beta_mle_matches_numpy_lstsq(m, n):
    X, y = random_design(jax.random.key(m * 100 + n), m, n)
    X64, y64 = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
    expected, *_ = np.linalg.lstsq(X64.T, y64, rcond=None)
    # cond(X X^T) of these seeded designs stays below 1e4 even for m = n = 5.
    assert np.linalg.cond(X64 @ X64.T) < 1e4
    np.testing.assert_allclose(beta_mle(X, y), expected, rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("target", TARGETS)
def test_beta_mle_matches_statsmodels_ols_without_intercept(target):
    X, y = sample_batch(jax.random.key(21), target, 1000)
    fit = sm.OLS(np.asarray(y, dtype=np.float64), np.asarray(X, dtype=np.float64).T).fit()
    np.testing.assert_allclose(beta_mle(X, y), fit.params, rtol=RTOL)


def test_beta_mle_with_intercept_matches_statsmodels():
    x, y = sample_batch(jax.random.key(22), target_f3, 500)
    X = jnp.vstack([jnp.ones_like(x), x])
    X64 = np.asarray(X, dtype=np.float64).T
    fit = sm.OLS(np.asarray(y, dtype=np.float64), X64).fit()
    # cond(X X^T) ~ 1e3 for an intercept and x in [0, 20]: float32 loses ~3 digits.
    np.testing.assert_allclose(beta_mle(X, y), fit.params, rtol=1e-3)


@pytest.mark.parametrize(("m", "n", "std"), [(1, 30, 0.3), (2, 40, 1.5), (3, 100, 0.7)])
def test_beta_mle_cov_matches_statsmodels_with_known_std(m, n, std):
    X, y = random_design(jax.random.key(7 * m + n), m, n)
    fit = sm.OLS(np.asarray(y, dtype=np.float64), np.asarray(X, dtype=np.float64).T).fit()
    expected = fit.normalized_cov_params * std**2  # (X X^T)^{-1} sigma^2 with sigma known
    got = beta_mle_cov(X, std=std)
    assert got.shape == (m, m)
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=1e-7)
    np.testing.assert_allclose(got, got.T, rtol=0, atol=1e-7)
    assert np.all(np.linalg.eigvalsh(np.asarray(got, dtype=np.float64)) > 0)


def test_beta_mle_cov_1d_equals_std2_over_sum_x2():
    X, _ = sample_batch(jax.random.key(8), target_f1, 100)
    x = np.asarray(X[0], dtype=np.float64)
    np.testing.assert_allclose(beta_mle_cov(X, std=0.3), [[0.09 / np.sum(x**2)]], rtol=RTOL)


def _mc_beta_hats(X, beta, std, n_draws, key):
    """beta_hat for `n_draws` independent noise vectors, vectorised with vmap."""
    noise = std * jax.random.normal(key, (n_draws, X.shape[1]))
    ys = X.T @ beta + noise
    return np.asarray(jax.jit(jax.vmap(beta_mle, in_axes=(None, 0)))(X, ys), dtype=np.float64)


def test_beta_hat_mean_and_covariance_monte_carlo():
    """Backs reg-mean and reg-cov: E[beta_hat] = beta, Cov(beta_hat) = std^2 (X X^T)^{-1}.

    Fixed X (intercept and x in [0, 20]), R noise draws. With C the true
    covariance, the empirical mean of component j has standard error
    sqrt(C_jj / R); the empirical covariance entry (j, k) of Gaussian beta_hat
    has standard error sqrt((C_jj C_kk + C_jk^2) / R) (Isserlis). A 5 standard
    error band is missed with probability < 1e-6 per entry; the key is fixed.
    """
    key_x, key_noise = jax.random.split(jax.random.key(2024))
    x = jax.random.uniform(key_x, (1, 30), minval=X_LOW, maxval=X_HIGH)
    X = jnp.vstack([jnp.ones_like(x), x])
    beta, std, n_draws = jnp.array([1.0, 2.0]), 0.5, 20_000
    beta_hats = _mc_beta_hats(X, beta, std, n_draws, key_noise)
    C = np.asarray(beta_mle_cov(X, std=std), dtype=np.float64)

    se_mean = np.sqrt(np.diag(C) / n_draws)
    assert np.all(np.abs(beta_hats.mean(axis=0) - np.asarray(beta)) < 5 * se_mean)

    se_cov = np.sqrt((np.outer(np.diag(C), np.diag(C)) + C**2) / n_draws)
    empirical = np.cov(beta_hats, rowvar=False)
    assert np.all(np.abs(empirical - C) < 5 * se_cov)


def test_std_mle_bias_monte_carlo():
    """Backs reg-var-bias: E[sigma_hat^2] = (n - m) / n * sigma^2 at beta_hat.

    n sigma_hat^2 / sigma^2 ~ chi^2(n - m), so sigma_hat^2 has standard deviation
    sigma^2 sqrt(2 (n - m)) / n and its mean over R draws a standard error
    R^(-1/2) times that; 5 standard errors as above. The bias here is
    m / n = 30% of sigma^2, many standard errors wide, so the test also
    rejects the claim that the MLE is unbiased.
    """
    m, n, std, n_draws = 3, 10, 2.0, 20_000
    key_x, key_noise = jax.random.split(jax.random.key(99))
    X = jax.random.normal(key_x, (m, n))
    beta = jnp.array([1.0, -1.0, 0.5])
    ys = X.T @ beta + std * jax.random.normal(key_noise, (n_draws, n))
    hats = jax.jit(jax.vmap(lambda y: std_mle(X, y, beta_mle(X, y))))(ys)
    var_hats = np.asarray(hats, dtype=np.float64) ** 2
    se = std**2 * np.sqrt(2.0 * (n - m)) / n / np.sqrt(n_draws)
    assert abs(var_hats.mean() - (n - m) / n * std**2) < 5 * se
    assert abs(var_hats.mean() - std**2) > 20 * se
    unbiased = jax.jit(jax.vmap(lambda y: std_mle(X, y, beta_mle(X, y), ddof=m)))(ys)
    assert abs(np.mean(np.asarray(unbiased, dtype=np.float64) ** 2) - std**2) < 5 * se * n / (n - m)


def test_std_mle_is_root_mean_squared_residual():
    X, y = sample_batch(jax.random.key(12), target_f2, 400)
    beta = beta_mle(X, y)
    residual = np.asarray(y, dtype=np.float64) - np.asarray(X.T @ beta, dtype=np.float64)
    np.testing.assert_allclose(std_mle(X, y, beta), np.sqrt(np.mean(residual**2)), rtol=1e-5)
    np.testing.assert_allclose(
        std_mle(X, y, beta, ddof=1), np.sqrt(residual @ residual / 399), rtol=1e-5
    )


def test_std_mle_minimises_the_nll_over_std():
    X, y = sample_batch(jax.random.key(13), target_f3, 1000)
    beta = beta_mle(X, y)
    best = float(std_mle(X, y, beta))
    stds = best * np.array([0.5, 0.8, 0.95, 1.05, 1.25, 2.0])
    at_best = float(linear_nll(beta, X, y, std=best))
    assert all(float(linear_nll(beta, X, y, std=s)) > at_best for s in stds)
    # The minimum value is (1 + log(2 pi sigma_hat^2)) / 2.
    np.testing.assert_allclose(at_best, 0.5 * (1.0 + np.log(2 * np.pi * best**2)), rtol=1e-5)


# --- the NLL and its gradient -------------------------------------------------------


@pytest.mark.parametrize(("m", "n"), [(1, 20), (2, 50), (4, 30)])
def test_linear_nll_grad_matches_autodiff(m, n):
    """Absolute difference |hand - AD|, at several random points: never a signed bound."""
    keys = jax.random.split(jax.random.key(m + n), 5)
    auto = jax.jit(jax.grad(linear_nll))  # one compilation, not one per operation
    for key in keys:
        key_d, key_b, key_s = jax.random.split(key, 3)
        X, y = random_design(key_d, m, n)
        beta = 3.0 * jax.random.normal(key_b, (m,))
        std = float(jax.random.uniform(key_s, minval=0.2, maxval=3.0))
        hand = linear_nll_grad(beta, X, y, std=std)
        ad = auto(beta, X, y, std=std)
        assert hand.shape == (m,)
        scale = 1.0 + np.max(np.abs(np.asarray(ad)))
        assert np.max(np.abs(np.asarray(hand) - np.asarray(ad))) < 1e-4 * scale


def test_linear_nll_grad_vanishes_at_beta_mle():
    X, y = sample_batch(jax.random.key(14), target_f1, 200)
    beta = beta_mle(X, y)
    grad_scale = float(jnp.abs(linear_nll_grad(beta + 0.01, X, y, std=0.3))[0])
    assert float(jnp.abs(linear_nll_grad(beta, X, y, std=0.3))[0]) < 1e-3 * grad_scale


def test_linear_nll_matches_scipy_sum():
    X, y = sample_batch(jax.random.key(15), target_f2, 100)
    beta = jnp.array([1.9])
    expected = -np.mean(
        scipy.stats.norm.logpdf(
            np.asarray(y, dtype=np.float64), np.asarray(X.T @ beta, dtype=np.float64), 2.0
        )
    )
    np.testing.assert_allclose(linear_nll(beta, X, y, std=2.0), expected, rtol=1e-5)


# --- properties ---------------------------------------------------------------------

# (m, extra samples): beta_mle's solve compiles once per shape (about a second on a
# loaded machine), so the shapes are few and shared by the tests below; the draws vary.
small_dims = st.tuples(st.integers(1, 3), st.sampled_from([0, 7, 20]))


@settings(max_examples=30, deadline=None)
@given(dims=small_dims, seed=st.integers(0, 2**31 - 1), scale=st.floats(0.1, 10.0))
def test_beta_mle_recovers_beta_from_noiseless_data(dims, seed, scale):
    m, extra = dims
    # numpy draws: jax.random and an eager X.T @ beta would compile for every shape.
    rng = np.random.default_rng(seed)
    X = (scale * rng.standard_normal((m, m + 2 + extra))).astype(np.float32)
    X64 = np.asarray(X, dtype=np.float64)
    beta = rng.standard_normal(m).astype(np.float32)
    y = X.T @ beta
    # float32 error ~ cond(X X^T) * 1e-7; skip (rare) ill-conditioned draws.
    cond = np.linalg.cond(X64 @ X64.T)
    assume(cond < 1e4)
    np.testing.assert_allclose(beta_mle(X, y), beta, rtol=0, atol=1e-7 * cond * 10 + 1e-5)


@settings(max_examples=30, deadline=None)
@given(dims=small_dims, seed=st.integers(0, 2**31 - 1))
def test_residual_is_orthogonal_to_the_features(dims, seed):
    m, extra = dims
    X, y = random_design(jax.random.key(seed), m, m + 2 + extra)
    X64 = np.asarray(X, dtype=np.float64)
    assume(np.linalg.cond(X64 @ X64.T) < 1e4)
    residual = np.asarray(y, dtype=np.float64) - X64.T @ np.asarray(beta_mle(X, y), np.float64)
    # The normal equations say X r = 0; float32 leaves |X r| ~ cond * eps * |X| |y|.
    bound = 1e-3 * np.linalg.norm(X64) * np.linalg.norm(np.asarray(y, dtype=np.float64))
    assert np.all(np.abs(X64 @ residual) < bound)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), shift=st.floats(-5, 5), std=st.floats(0.1, 5))
def test_beta_mle_minimises_the_nll(seed, shift, std):
    X, y = sample_batch(jax.random.key(seed), target_f3, 50)
    best = beta_mle(X, y)
    assert float(linear_nll(best + shift, X, y, std=std)) >= float(
        linear_nll(best, X, y, std=std)
    ) - 1e-5 * abs(float(linear_nll(best, X, y, std=std)))


# --- bad inputs ---------------------------------------------------------------------


@pytest.mark.parametrize(("m", "n"), [(2, 1), (3, 2), (5, 4)])
def test_beta_mle_rejects_fewer_samples_than_features(m, n):
    X, y = random_design(jax.random.key(0), m, n)
    with pytest.raises(ValueError, match=rf"n = {n} < m = {m}.*rank at most {n}"):
        beta_mle(X, y)
    with pytest.raises(ValueError, match="rank at most"):
        beta_mle_cov(X, std=1.0)


def test_beta_mle_rejects_rank_deficient_X():
    x = np.linspace(0.0, 1.0, 10)
    X = np.vstack([x, 2.0 * x, np.ones_like(x)])  # row 2 is twice row 1
    with pytest.raises(ValueError, match=r"has rank 2 < m = 3"):
        beta_mle(X, np.ones(10))
    with pytest.raises(ValueError, match="rank 2"):
        beta_mle_cov(X, std=0.5)
    with pytest.raises(ValueError, match="rank 0"):
        beta_mle(np.zeros((1, 4)), np.ones(4))


@pytest.mark.parametrize(
    ("X_shape", "y_shape", "match"),
    [
        ((2, 10), (9,), r"y must have shape \(n,\) = \(10,\)"),
        ((2, 10), (10, 1), r"y must have shape"),
        ((10,), (10,), r"X must have shape \(m, n\)"),
        ((1, 2, 10), (10,), r"X must have shape \(m, n\)"),
    ],
)
def test_mismatched_shapes_are_rejected(X_shape, y_shape, match):
    with pytest.raises(ValueError, match=match):
        beta_mle(np.ones(X_shape), np.ones(y_shape))


def test_beta_of_wrong_shape_is_rejected():
    X, y = random_design(jax.random.key(1), 2, 10)
    for fn in (linear_nll, linear_nll_grad):
        with pytest.raises(ValueError, match=r"beta must have shape \(m,\) = \(2,\)"):
            fn(jnp.ones(3), X, y, std=1.0)
    with pytest.raises(ValueError, match="beta must have shape"):
        std_mle(X, y, jnp.ones((2, 1)))


def test_non_finite_data_is_rejected():
    X, y = random_design(jax.random.key(2), 2, 10)
    with pytest.raises(ValueError, match="y must be finite"):
        beta_mle(X, y.at[3].set(jnp.nan))
    with pytest.raises(ValueError, match="X must be finite"):
        beta_mle(X.at[0, 0].set(jnp.inf), y)


@pytest.mark.parametrize("std", [0.0, -1.0, np.inf, np.nan])
def test_bad_std_is_rejected(std):
    X, y = random_design(jax.random.key(3), 2, 10)
    beta = jnp.zeros(2)
    with pytest.raises(ValueError, match="std must be finite and > 0"):
        linear_nll(beta, X, y, std=std)
    with pytest.raises(ValueError, match="std must be finite and > 0"):
        linear_nll_grad(beta, X, y, std=std)
    with pytest.raises(ValueError, match="std must be finite and > 0"):
        beta_mle_cov(X, std=std)


def test_beta_mle_cov_rejects_non_scalar_std():
    X, _ = random_design(jax.random.key(4), 2, 10)
    with pytest.raises(ValueError, match="std must be a scalar"):
        beta_mle_cov(X, std=jnp.ones(2))


@pytest.mark.parametrize(
    ("ddof", "error"), [(-1, ValueError), (10, ValueError), (1.5, TypeError), (True, TypeError)]
)
def test_std_mle_rejects_bad_ddof(ddof, error):
    X, y = random_design(jax.random.key(5), 2, 10)
    with pytest.raises(error, match="ddof must be an integer"):
        std_mle(X, y, jnp.zeros(2), ddof=ddof)


# --- gradient descent on the linear model ------------------------------------------

EPS32 = float(np.finfo(np.float32).eps)  # 1.19e-7, the spacing of float32 numbers near 1


def test_autodiff_matches_hand_gradient_of_linear_nll():
    # The hand formula (X X^T beta - X y) / (n std^2) is a sum of n products. In
    # float32 each side carries a rounding error of at most a few eps per level
    # of XLA's pairwise summation (log2(100) ~ 7 levels), relative to the sum of
    # the terms' magnitudes S, not to the (possibly cancelling) result. So the
    # bound is on the absolute difference: |AD - hand| <= 16 eps S, with S from
    # absolute values. (A signed check "AD - hand < tol" would pass for any
    # AD gradient far below the hand one: it is no check.)
    for i, target in enumerate((target_f1, target_f2, target_f3, target_f1, target_f3)):
        key_batch, key_beta, key_std = jax.random.split(jax.random.key(100 + i), 3)
        X, y = regression.sample_batch(key_batch, target, 100)
        beta = 10.0 * jax.random.normal(key_beta, (1,))
        std = float(jax.random.uniform(key_std, minval=0.1, maxval=3.0))
        auto = jax.grad(regression.linear_nll)(beta, X, y, std=std)
        hand = regression.linear_nll_grad(beta, X, y, std=std)
        scale = (jnp.abs(X) @ jnp.abs(X.T @ beta) + jnp.abs(X) @ jnp.abs(y)) / (100 * std**2)
        assert np.all(np.abs(auto - hand) <= 16 * EPS32 * scale), (i, auto, hand)


def test_learning_rate_bound_on_a_fixed_batch():
    # On one fixed batch the NLL is quadratic with curvature c = sum x^2 / (n std^2):
    # the error shrinks by |1 - lr c| per step, so 0.98 * 2/c converges and 1.02 * 2/c
    # diverges. 300 steps: 0.96^300 ~ 5e-6 and 1.04^300 ~ 1e5, far from each other.
    X, y = regression.sample_batch(jax.random.key(5), target_f1, 100)
    std = 1.0
    c = float(regression.linear_curvature(X, std=std)[0, 0])
    beta_hat = float(jnp.linalg.solve(X @ X.T, X @ y)[0])
    start = jnp.array([-100.0])
    below = regression.linear_gd_path(start, X, y, lr=0.98 * 2 / c, steps=300, std=std)
    above = regression.linear_gd_path(start, X, y, lr=1.02 * 2 / c, steps=300, std=std)
    error0 = abs(-100.0 - beta_hat)
    assert abs(float(below[-1, 0]) - beta_hat) < 1e-3 * error0
    assert abs(float(above[-1, 0]) - beta_hat) > 1e3 * error0
    # The per-step contraction factor is 1 - lr c (up to float32 rounding of the error).
    ratio = (below[2, 0] - beta_hat) / (below[1, 0] - beta_hat)
    assert abs(float(ratio) - (1 - 0.98 * 2)) < 1e-3


def test_gradient_descent_from_bad_starts_reaches_two():
    # Fresh batches, lr = 1e-3 well inside the bound 2/c = 0.015 (std = 1): the
    # error shrinks by at least 0.86 per step in expectation, from -1045 to ~0.
    for target in (target_f1, target_f2, target_f3):
        betas, _ = regression.fit_linear_gd(
            jax.random.key(6), target, beta_init=-1045.0, lr=1e-3, steps=200
        )
        assert abs(float(betas[-1]) - 2.0) < 0.2


def test_fit_linear_gd_draws_a_fresh_batch_with_its_own_key_each_step():
    # Step t's loss is the NLL at beta_t of the batch drawn with the t-th key of
    # split(key, steps), recomputed here; reusing one key for every step fails.
    key, steps = jax.random.key(13), 4
    betas, losses = regression.fit_linear_gd(key, target_f2, beta_init=0.5, lr=1e-4, steps=steps)
    for t, key_t in enumerate(jax.random.split(key, steps)):
        X, y = sample_batch(key_t, target_f2, 100)
        expected = linear_nll(betas[t : t + 1], X, y, std=1.0)
        np.testing.assert_allclose(losses[t], expected, rtol=1e-5)
    assert len({float(v) for v in losses}) == steps


def test_fit_linear_gd_follows_a_learning_rate_schedule_step_by_step():
    # eta_t = eta_0 tau / (tau + t), recomputed here step by step from the same
    # batches; a constant schedule is the scalar rate.
    key, steps, eta0, tau = jax.random.key(14), 6, 2e-4, 2.0
    rates = eta0 * tau / (tau + np.arange(steps))
    betas, _ = regression.fit_linear_gd(key, target_f2, beta_init=0.5, lr=rates, steps=steps)
    beta = jnp.array([0.5])
    for t, key_t in enumerate(jax.random.split(key, steps)):
        X, y = sample_batch(key_t, target_f2, 100)
        beta = beta - rates[t] * jax.grad(linear_nll)(beta, X, y, std=1.0)
        np.testing.assert_allclose(betas[t + 1], beta[0], rtol=1e-5)
    constant, _ = regression.fit_linear_gd(
        key, target_f2, beta_init=0.5, lr=np.full(steps, eta0), steps=steps
    )
    scalar, _ = regression.fit_linear_gd(key, target_f2, beta_init=0.5, lr=eta0, steps=steps)
    np.testing.assert_allclose(constant, scalar, rtol=1e-6)


def test_fit_linear_gd_rejects_a_schedule_of_the_wrong_shape_or_sign():
    key = jax.random.key(15)
    with pytest.raises(
        ValueError, match=r"lr must be a number or an array of shape \(steps,\) = \(4,\)"
    ):
        regression.fit_linear_gd(key, target_f1, beta_init=0.0, lr=np.full(3, 1e-3), steps=4)
    with pytest.raises(ValueError, match="lr must be finite and > 0"):
        regression.fit_linear_gd(key, target_f1, beta_init=0.0, lr=np.array([1e-3, -1e-3]), steps=2)


def test_fit_linear_gd_raises_when_it_diverges():
    with pytest.raises(FloatingPointError, match=r"step \d+ of 200 .*smaller learning rate"):
        regression.fit_linear_gd(jax.random.key(0), target_f1, beta_init=1.0, lr=10.0, steps=200)


def test_linear_gd_rejects_bad_inputs():
    with pytest.raises(ValueError, match="std must be finite and > 0"):
        regression.fit_linear_gd(jax.random.key(9), target_f1, beta_init=0.0, lr=1e-3, std=-1.0)
    with pytest.raises(ValueError, match="beta_init must be finite"):
        regression.fit_linear_gd(jax.random.key(9), target_f1, beta_init=np.nan, lr=1e-3)
    with pytest.raises(ValueError, match="std must be finite and > 0"):
        regression.linear_curvature(jnp.ones((1, 3)), std=0.0)


# --- the fit of chapter 4's held-out table ----------------------------------------------


def test_linear_fit_of_the_heldout_table_matches_statsmodels():
    # The single-sigma line of chapter 4: beta_mle and std_mle (dividing by n)
    # on 10 000 samples of f2, against statsmodels' OLS in float64: beta to the
    # float32 solve's 1e-4 and sigma^2 = ssr / n.
    X, y = sample_batch(jax.random.key(90), target_f2, 10_000)
    beta = beta_mle(X, y)
    std = std_mle(X, y, beta)
    fit = sm.OLS(np.asarray(y, np.float64), np.asarray(X.T, np.float64)).fit()
    np.testing.assert_allclose(beta, fit.params, rtol=RTOL)
    np.testing.assert_allclose(float(std) ** 2, fit.ssr / 10_000, rtol=RTOL)


def test_beta_mle_names_the_condition_number_of_an_ill_conditioned_design():
    # Full rank, but cond(X) ~ 1e6 in float32: the solve could return garbage.
    x = np.linspace(0.0, 1.0, 50)
    X = np.vstack([np.ones_like(x), 1.0 + 1e-5 * x]).astype(np.float32)
    with pytest.raises(ValueError, match=r"cond\(X\) = [0-9.e+]+"):
        beta_mle(X, x)


def test_beta_mle_is_more_accurate_than_the_normal_equations_in_float32():
    # intercept and x on [0, 200], cond(X) ~ 230: the normal equations can lose cond(X)^2 eps
    errors, normal_errors = [], []
    for seed in range(10):
        rng = np.random.default_rng(seed)
        x = rng.uniform(0.0, 200.0, 1000)
        X = np.float32(np.vstack([np.ones_like(x), x]))
        y = np.float32(3.0 + 0.5 * x + rng.standard_normal(1000))
        reference = np.linalg.lstsq(np.float64(X).T, np.float64(y), rcond=None)[0]
        normal = jnp.linalg.solve(X @ X.T, X @ y)  # in float32, as beta_mle used to
        for b, out in ((beta_mle(X, y), errors), (normal, normal_errors)):
            b = np.asarray(b, np.float64)
            out.append(np.linalg.norm(b - reference) / np.linalg.norm(reference))
    assert max(errors) < 10 * np.linalg.cond(np.float64(X)) * np.finfo(np.float32).eps
    assert max(errors) < max(normal_errors)


def test_beta_mle_and_its_covariance_are_jittable_and_match_the_qr_factor():
    X, y = random_design(jax.random.key(8), 3, 40)
    np.testing.assert_allclose(jax.jit(beta_mle)(X, y), beta_mle(X, y), rtol=1e-5, atol=1e-6)
    R = np.linalg.qr(np.asarray(X, np.float64).T, mode="r")
    R_inv = np.linalg.inv(R)
    np.testing.assert_allclose(
        beta_mle_cov(X, std=2.0), 4.0 * R_inv @ R_inv.T, rtol=1e-4, atol=1e-7
    )


def test_the_refusal_names_cond_x_the_dtype_and_the_threshold():
    x = np.linspace(0.0, 1e5, 50)
    X = np.vstack([np.ones_like(x), x]).astype(np.float32)
    with pytest.raises(ValueError) as error:
        beta_mle(X, x)
    message = str(error.value)
    cond = np.linalg.cond(np.float64(X))
    assert f"cond(X) = {cond:.3g}" in message and "float32" in message
    assert f"{regression._checks.max_condition(np.float32):.3g}" in message
    assert "enable float64" in message


def test_targets_are_data_and_draw_from_their_mean_and_std():
    for name, target in regression.TARGETS.items():
        x = np.linspace(0.0, 20.0, 5)
        assert isinstance(target, regression.Target), name
        y0 = target(jax.random.key(0), x[None, :])
        eps = jax.random.normal(jax.random.key(0), (5,))
        np.testing.assert_allclose(y0, target.mean(x) + target.std(x) * eps, rtol=1e-6, atol=1e-5)
    with pytest.raises(TypeError, match=r"target must be a regression\.Target"):
        sample_batch(jax.random.key(0), lambda key, x: x[0], 3)


def test_population_slope_matches_the_exact_limits_and_scipy_quadrature():
    from gaussml.derivations.regression import population_limits

    exact = population_limits()
    for name, target in regression.TARGETS.items():
        np.testing.assert_allclose(
            regression.population_slope(target), float(exact[name][0]), rtol=1e-13
        )
    # Another range: E[x mu(x)] / E[x^2] by adaptive quadrature (scipy).
    target = target_f3._replace(x_low=-3.0, x_high=7.0)
    moments = [
        scipy.integrate.quad(f, -3.0, 7.0)[0]
        for f in (lambda x: x * (2 * x + 5 * np.sin(x / 2)), lambda x: x**2)
    ]
    np.testing.assert_allclose(
        regression.population_slope(target), moments[0] / moments[1], rtol=1e-12
    )


def test_population_slope_is_where_gradient_descent_ends_monte_carlo():
    """The slope fitted on a large sample of f3 is within 5 standard errors of beta*."""
    X, y = sample_batch(jax.random.key(0), target_f3, 200_000)
    x, y = np.asarray(X[0], np.float64), np.asarray(y, np.float64)
    slope = np.sum(x * y) / np.sum(x**2)
    # Standard error of a ratio of means by the delta method.
    beta = regression.population_slope(target_f3)
    se = np.std(x * (y - beta * x)) / np.mean(x**2) / np.sqrt(len(x))
    assert abs(slope - beta) < 5 * se
    assert abs(beta - 2.0) > 10 * se  # the wave moves it away from the true slope


def test_population_slope_rejects_a_non_target():
    with pytest.raises(TypeError, match=r"target must be a regression\.Target"):
        regression.population_slope((2.0, 0.0, 0.3, 0.0))


def test_public_names():
    for name in regression.__all__:
        assert hasattr(regression, name)


# --- the exact polynomial checks of chapter 3 reject the classic mistakes --------------


def test_claim_machinery_rejects_wrong_e_y_y_transpose():
    """E[y y^T] = sigma^2 I (forgetting X^T beta beta^T X) must fail the check."""
    from gaussml.derivations.regression import ClaimFailed, _assert_exact, _Design

    d = _Design(2, 3)
    wrong = d.eye(3) * d.std**2
    right = d.X.transpose() * d.beta * d.beta.transpose() * d.X + wrong
    _assert_exact(d.expect(d.y * d.y.transpose()), right, "right")
    with pytest.raises(ClaimFailed, match="differ"):
        _assert_exact(d.expect(d.y * d.y.transpose()), wrong, "wrong")


def test_claim_machinery_rejects_multiplying_by_x_x_transpose():
    """Multiplying the normal equations by X X^T instead of its inverse does not isolate beta."""
    from gaussml.derivations.regression import ClaimFailed, _assert_exact, _Design

    d = _Design(2, 3)
    with pytest.raises(ClaimFailed, match="differ"):
        _assert_exact(d.G * d.G * d.beta, d.beta, "X X^T X X^T beta = beta")


# --- the sampling distribution of beta_hat: intervals and the chi-square law ----------


def _intercept_design(key, n):
    x = jax.random.uniform(key, (1, n), minval=X_LOW, maxval=X_HIGH)
    return jnp.vstack([jnp.ones_like(x), x])


@pytest.mark.parametrize(("m", "n", "level"), [(1, 5, 0.9), (2, 30, 0.95), (3, 12, 0.5)])
def test_beta_intervals_match_statsmodels(m, n, level):
    X, y = random_design(jax.random.key(31 * m + n), m, n)
    fit = sm.OLS(np.asarray(y, np.float64), np.asarray(X, np.float64).T).fit()
    lower, upper = regression.beta_intervals(X, y, level=level)
    expected = fit.conf_int(alpha=1 - level)
    np.testing.assert_allclose(lower, expected[:, 0], rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(upper, expected[:, 1], rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("magnitude", [1e-30, 1e30])
def test_beta_intervals_at_float32_extreme_scales_match_statsmodels(magnitude):
    """Inputs near 1e30 (or 1e-30): the entries of R^{-1} are near 1e-30 (1e30), whose
    squares leave float32, yet the interval's width is representable."""
    X = np.array([[1.0, 2.0, 3.1, 4.0]], np.float32) * np.float32(magnitude)
    y = np.array([1.0, 1.2, 0.9, 1.1], np.float32)
    fit = sm.OLS(y.astype(np.float64), X.T.astype(np.float64)).fit()
    lower, upper = regression.beta_intervals(X, y)
    np.testing.assert_allclose(lower, fit.conf_int()[:, 0], rtol=1e-4)
    np.testing.assert_allclose(upper, fit.conf_int()[:, 1], rtol=1e-4)


def test_beta_wls_with_tiny_stds_and_huge_inputs_matches_statsmodels():
    """X / std would overflow float32 (1e30 / 1e-10); the weights' common scale is free."""
    X = np.array([[1.0, 2.0, 3.1, 4.0]], np.float32) * np.float32(1e30)
    y = np.array([1.0, 1.2, 0.9, 1.1], np.float32)
    std = np.array([1e-10, 2e-10, 1e-10, 3e-10], np.float32)
    fit = sm.WLS(y.astype(np.float64), X.T.astype(np.float64), weights=std.astype(float) ** -2)
    np.testing.assert_allclose(regression.beta_wls(X, y, std=std), fit.fit().params, rtol=1e-5)


def test_beta_intervals_cover_at_their_level_monte_carlo():
    """Each interval covers its coefficient with probability `level` (t distribution).

    R = 4000 data sets on fixed inputs with n = 8 (few degrees of freedom, where
    normal quantiles would undercover): the coverage of each coefficient is a
    binomial proportion with standard error sqrt(level (1 - level) / R).
    """
    key_x, key_noise = jax.random.split(jax.random.key(77))
    X = _intercept_design(key_x, 8)
    beta, std, level, draws = jnp.array([1.0, 2.0]), 0.5, 0.9, 4000
    ys = X.T @ beta + std * jax.random.normal(key_noise, (draws, 8))
    lower, upper = jax.jit(jax.vmap(lambda y: regression.beta_intervals(X, y, level=level)))(ys)
    covered = (np.asarray(lower) <= np.asarray(beta)) & (np.asarray(beta) <= np.asarray(upper))
    se = np.sqrt(level * (1 - level) / draws)
    assert np.all(np.abs(covered.mean(axis=0) - level) < 5 * se)


def test_scaled_variance_estimate_is_chi_square_and_independent_of_beta_hat():
    """n sigma_hat^2 / sigma^2 ~ chi^2_{n-m}, independent of beta_hat.

    Its mean n - m and variance 2 (n - m) are checked within 5 standard errors, the
    whole law by a Kolmogorov-Smirnov test at level 1e-6, and independence by the
    correlation with each component of beta_hat (standard error 1/sqrt(R)).
    """
    key_x, key_noise = jax.random.split(jax.random.key(78))
    n, std, draws = 10, 0.5, 20_000
    X = _intercept_design(key_x, n)
    ys = X.T @ jnp.array([1.0, 2.0]) + std * jax.random.normal(key_noise, (draws, n))
    beta_hats = jax.jit(jax.vmap(beta_mle, in_axes=(None, 0)))(X, ys)
    std_hats = jax.jit(jax.vmap(std_mle, in_axes=(None, 0, 0)))(X, ys, beta_hats)
    q = n * np.asarray(std_hats, np.float64) ** 2 / std**2
    dof = n - 2
    assert abs(q.mean() - dof) < 5 * np.sqrt(2 * dof / draws)
    assert abs(q.var(ddof=1) - 2 * dof) < 5 * np.sqrt((8 * dof * (dof + 6)) / draws)
    assert scipy.stats.kstest(q, scipy.stats.chi2(dof).cdf).pvalue > 1e-6
    for j in range(2):
        corr = np.corrcoef(q, np.asarray(beta_hats[:, j], np.float64))[0, 1]
        assert abs(corr) < 5 / np.sqrt(draws)


# --- fewer samples than features: minimum norm, ridge, the posterior --------------------


@pytest.mark.parametrize(("m", "n"), [(3, 2), (5, 1), (4, 4), (2, 10)])
def test_beta_min_norm_matches_the_pseudo_inverse(m, n):
    X, y = random_design(jax.random.key(40 + m * n), m, n)
    expected = np.linalg.pinv(np.asarray(X, np.float64).T) @ np.asarray(y, np.float64)
    np.testing.assert_allclose(regression.beta_min_norm(X, y), expected, rtol=1e-3, atol=1e-4)


def test_beta_min_norm_fits_exactly_when_n_below_m_and_is_orthogonal_to_the_null_space():
    X, y = random_design(jax.random.key(41), 4, 2)
    beta = np.asarray(regression.beta_min_norm(X, y), np.float64)
    X64 = np.asarray(X, np.float64)
    np.testing.assert_allclose(X64.T @ beta, np.asarray(y, np.float64), atol=1e-4)
    null = scipy.linalg.null_space(X64.T)  # (4, 2): directions the data cannot see
    np.testing.assert_allclose(null.T @ beta, 0.0, atol=1e-4)


@pytest.mark.parametrize(("m", "n", "penalty"), [(3, 2, 0.5), (2, 10, 3.0), (6, 3, 1e-2)])
def test_beta_ridge_matches_the_closed_form_and_augmented_least_squares(m, n, penalty):
    X, y = random_design(jax.random.key(50 + m + n), m, n)
    X64, y64 = np.asarray(X, np.float64), np.asarray(y, np.float64)
    expected = np.linalg.solve(X64 @ X64.T + penalty * np.eye(m), X64 @ y64)
    np.testing.assert_allclose(
        regression.beta_ridge(X, y, penalty=penalty), expected, rtol=1e-3, atol=1e-4
    )
    # ... which is least squares on the data augmented with sqrt(penalty) I rows.
    augmented = np.linalg.lstsq(
        np.vstack([X64.T, np.sqrt(penalty) * np.eye(m)]),
        np.concatenate([y64, np.zeros(m)]),
        rcond=None,
    )[0]
    np.testing.assert_allclose(expected, augmented, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize(("m", "n"), [(3, 2), (2, 20), (5, 5)])
def test_posterior_matches_scipy_conditioning_of_the_joint_gaussian(m, n):
    """(beta, y) is jointly Gaussian; conditioning it on y gives the posterior."""
    X, y = random_design(jax.random.key(60 + m * n), m, n)
    std, prior_std = 0.7, 1.5
    X64, y64 = np.asarray(X, np.float64), np.asarray(y, np.float64)
    cov_y = prior_std**2 * X64.T @ X64 + std**2 * np.eye(n)
    gain = prior_std**2 * X64 @ np.linalg.inv(cov_y)  # Cov(beta, y) Cov(y)^{-1}
    expected_mean = gain @ y64
    expected_cov = prior_std**2 * np.eye(m) - gain @ (prior_std**2 * X64.T)
    mean, cov = regression.posterior(X, y, std=std, prior_std=prior_std)
    np.testing.assert_allclose(mean, expected_mean, rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(cov, expected_cov, rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(
        regression.beta_map(X, y, std=std, prior_std=prior_std), mean, rtol=1e-3, atol=1e-4
    )
    np.testing.assert_allclose(
        regression.beta_map(X, y, std=std, prior_std=prior_std),
        regression.beta_ridge(X, y, penalty=std**2 / prior_std**2),
        rtol=1e-5,
    )
    # The posterior mean maximises the log-posterior: compare with scipy's densities.
    for shift in (np.eye(m)[0] * 0.1, -np.eye(m)[-1] * 0.05):

        def log_post(b):
            return (
                scipy.stats.norm.logpdf(y64, X64.T @ b, std).sum()
                + scipy.stats.norm.logpdf(b, 0, prior_std).sum()
            )

        assert log_post(np.asarray(mean, np.float64)) > log_post(mean + shift)


def test_posterior_and_predictive_are_calibrated_monte_carlo():
    """Draw beta from the prior and y from the model, n < m: beta - mu_N has covariance
    Sigma_N, and a new target standardised by the predictive mean and std is N(0, 1).

    R = 20000 draws; sample means within 5 standard errors, the covariance entries
    within 5 of their Gaussian standard errors sqrt((S_jj S_kk + S_jk^2) / R).
    """
    m, n, std, prior_std, draws = 3, 2, 0.5, 2.0, 20_000
    key_x, key_beta, key_noise, key_new = jax.random.split(jax.random.key(90), 4)
    X = jax.random.normal(key_x, (m, n))
    x_new = jnp.array([[1.0], [-2.0], [0.5]])
    betas = prior_std * jax.random.normal(key_beta, (draws, m))
    ys = betas @ X + std * jax.random.normal(key_noise, (draws, n))
    y_new = betas @ x_new[:, 0] + std * jax.random.normal(key_new, (draws,))
    posterior = jax.jit(
        jax.vmap(lambda y: regression.posterior(X, y, std=std, prior_std=prior_std))
    )
    means, covs = posterior(ys)
    cov = np.asarray(covs[0], np.float64)
    errors = np.asarray(betas - means, np.float64)
    assert np.all(np.abs(errors.mean(axis=0)) < 5 * np.sqrt(np.diag(cov) / draws))
    se_cov = np.sqrt((np.outer(np.diag(cov), np.diag(cov)) + cov**2) / draws)
    assert np.all(np.abs(np.cov(errors, rowvar=False) - cov) < 5 * se_cov)
    pred_mean, pred_std = jax.jit(
        jax.vmap(lambda y: regression.predictive(x_new, X, y, std=std, prior_std=prior_std))
    )(ys)
    z = (np.asarray(y_new) - np.asarray(pred_mean[:, 0])) / np.asarray(pred_std[:, 0])
    assert abs(z.mean()) < 5 / np.sqrt(draws)
    assert abs(z.var(ddof=1) - 1) < 5 * np.sqrt(2 / draws)


def test_predictive_std_grows_away_from_the_data_and_never_falls_below_std():
    X = jnp.array([[1.0, 1.0, 1.0], [0.0, 1.0, 2.0]])
    y = jnp.array([0.1, 0.9, 2.1])
    grid = jnp.linspace(1.0, 30.0, 30)
    X_new = jnp.vstack([jnp.ones_like(grid), grid])
    mean, pred_std = regression.predictive(X_new, X, y, std=0.3, prior_std=10.0)
    assert mean.shape == pred_std.shape == (30,)
    assert np.all(np.diff(np.asarray(pred_std)) > 0)
    assert np.all(np.asarray(pred_std) >= 0.3)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (
            lambda: regression.posterior(jnp.ones((2, 3)), jnp.ones(3), std=0.0, prior_std=1.0),
            "std",
        ),
        (
            lambda: regression.posterior(jnp.ones((2, 3)), jnp.ones(3), std=1.0, prior_std=-1.0),
            "prior_std",
        ),
        (
            lambda: regression.predictive(
                jnp.ones((3, 2)), jnp.ones((2, 3)), jnp.ones(3), std=1.0, prior_std=1.0
            ),
            "X_new",
        ),
        (lambda: regression.beta_ridge(jnp.ones((2, 3)), jnp.ones(3), penalty=0.0), "penalty"),
        (lambda: regression.beta_min_norm(jnp.ones((2, 3)), jnp.ones(2)), "y"),
        (lambda: regression.beta_wls(jnp.ones((1, 3)), jnp.ones(3), std=jnp.ones(2)), "std"),
        (lambda: regression.beta_wls(jnp.ones((1, 3)), jnp.ones(3), std=-jnp.ones(3)), "std"),
        (lambda: regression.beta_intervals(jnp.ones((1, 3)), jnp.ones(3), level=1.0), "level"),
        (lambda: regression.beta_intervals(jnp.eye(2), jnp.ones(2)), "n = 2"),
    ],
)
def test_new_estimators_reject_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# --- heteroscedastic noise: weighted least squares and the sandwich -----------------------


@pytest.mark.parametrize("target", [target_f2, target_f3])
def test_beta_wls_matches_statsmodels_wls(target):
    x, y = sample_batch(jax.random.key(70), target, 400)
    X = jnp.vstack([jnp.ones_like(x), x])
    std = target.std(x[0]) + 0.1
    fit = sm.WLS(
        np.asarray(y, np.float64), np.asarray(X, np.float64).T, weights=1 / np.asarray(std) ** 2
    ).fit()
    np.testing.assert_allclose(regression.beta_wls(X, y, std=std), fit.params, rtol=1e-3, atol=1e-4)


def test_beta_wls_with_equal_stds_is_beta_mle():
    X, y = random_design(jax.random.key(71), 2, 30)
    np.testing.assert_allclose(
        regression.beta_wls(X, y, std=jnp.full(30, 3.0)), beta_mle(X, y), rtol=1e-4
    )


@pytest.mark.parametrize(("m", "n"), [(1, 50), (2, 200), (3, 40)])
def test_sandwich_cov_matches_statsmodels_hc0(m, n):
    X, y = random_design(jax.random.key(72 + m), m, n)
    y = y * (1 + jnp.abs(X[0]))  # heteroscedastic
    fit = sm.OLS(np.asarray(y, np.float64), np.asarray(X, np.float64).T).fit(cov_type="HC0")
    got = regression.sandwich_cov(X, y, beta_mle(X, y))
    np.testing.assert_allclose(got, fit.cov_params(), rtol=1e-3, atol=1e-7)


def test_sandwich_cov_gets_the_spread_of_beta_hat_for_f2_where_the_naive_one_fails():
    """On fixed inputs with f2's noise, the mean HC0 estimate of the slope's variance agrees
    with its Monte Carlo variance within 11 %, five standard errors of that variance
    (relative standard error sqrt(2 / R) = 2.2 % for R = 4000), while the naive
    sigma_hat^2 (X X^T)^{-1} falls more than 20 % short."""
    key_x, key_noise = jax.random.split(jax.random.key(73))
    x = jax.random.uniform(key_x, (1, 200), minval=X_LOW, maxval=X_HIGH)
    draws = 4000
    keys = jax.random.split(key_noise, draws)
    # Each vmapped function jitted: one compile, not one per operation.
    ys = jax.jit(jax.vmap(lambda k: target_f2(k, x)))(keys)
    beta_hats = jax.jit(jax.vmap(beta_mle, in_axes=(None, 0)))(x, ys)
    slopes = np.asarray(beta_hats[:, 0], np.float64)
    true_var = slopes.var(ddof=1)  # standard error sqrt(2 / R) relative: 2.2 %
    hc0 = jax.jit(jax.vmap(regression.sandwich_cov, in_axes=(None, 0, 0)))(x, ys, beta_hats)
    std_hats = jax.jit(jax.vmap(std_mle, in_axes=(None, 0, 0)))(x, ys, beta_hats)
    naive = jax.jit(jax.vmap(beta_mle_cov, in_axes=(None,)))(x, std=std_hats)
    hc0, naive = float(jnp.mean(hc0[:, 0, 0])), float(jnp.mean(naive[:, 0, 0]))
    assert abs(hc0 / true_var - 1) < 0.11
    assert naive / true_var < 0.8


# --- Target: checked where it is made, still a pytree (issue 30) ------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"slope": float("nan")}, "slope"),
        ({"wave": float("inf")}, "wave"),
        ({"noise": -0.1}, "noise"),
        ({"noise": float("inf")}, "noise"),
        ({"noise_slope": -0.3}, "noise_slope"),
        ({"slope": 1e39}, "slope"),
    ],
)
def test_a_target_with_a_bad_coefficient_cannot_be_made(changes, field):
    with pytest.raises(ValueError, match=rf"Target\.{field} must"):
        regression.Target(**{**regression.target_f1._asdict(), **changes})
    with pytest.raises(ValueError, match=rf"Target\.{field} must"):
        regression.target_f1._replace(**changes)


@pytest.mark.parametrize("value", ["2.0", True, 2j])
def test_a_target_coefficient_of_the_wrong_type_is_a_type_error(value):
    with pytest.raises(TypeError, match=r"Target\.slope must be a real number"):
        regression.Target(value, 0.0, 0.3, 0.0)


def test_a_checked_target_is_still_a_pytree():
    target = regression.target_f3
    doubled = jax.tree_util.tree_map(lambda c: 2 * c, target)
    assert isinstance(doubled, regression.Target)
    np.testing.assert_allclose(np.array(doubled), 2 * np.array(target))
    batch = jax.tree_util.tree_map(lambda c: jnp.array([c, c]), target)
    slopes = jax.vmap(lambda t: t.slope)(batch)
    np.testing.assert_allclose(slopes, [target.slope, target.slope])
    shapes = jax.eval_shape(lambda t: t, target)
    assert all(s.shape == () for s in shapes)
    x = jnp.linspace(0.0, 20.0, 5)
    np.testing.assert_allclose(jax.jit(lambda t: t.mean(x))(target), target.mean(x), rtol=1e-6)


def test_target_methods_check_their_inputs():
    with pytest.raises(ValueError, match="x must be finite"):
        regression.target_f1.mean(np.array([0.0, np.nan]))
    with pytest.raises(TypeError, match="x must be a real number"):
        regression.target_f2.std(np.array([1j]))


# --- the evidence, the normal-inverse-gamma posterior, prediction intervals -------------


@settings(max_examples=40, deadline=None)
@given(
    m=st.integers(1, 5),
    n=st.integers(1, 8),
    log_std=st.floats(-1.0, 1.0),
    log_prior_std=st.floats(-1.0, 1.0),
    seed=st.integers(0, 2**16),
)
def test_log_evidence_matches_scipy_multivariate_normal(m, n, log_std, log_prior_std, seed):
    """log N(y; 0, std^2 I + prior_std^2 X^T X) against scipy in float64. The float32 sum
    of O(n) terms each of magnitude up to |reference| loses a few hundred eps of it."""
    std, prior_std = 10.0**log_std, 10.0**log_prior_std
    rng = np.random.default_rng(seed)
    X, y = rng.normal(size=(m, n)), rng.normal(size=n)
    cov = std**2 * np.eye(n) + prior_std**2 * X.T @ X
    reference = scipy.stats.multivariate_normal(np.zeros(n), cov).logpdf(y)
    ours = float(regression.log_evidence(X, y, std=std, prior_std=prior_std))
    assert ours == pytest.approx(reference, rel=1e-5, abs=1e-4 * n)


def test_log_evidence_is_finite_where_the_covariance_would_overflow_float32():
    """Entries near 1e18: det(sigma^2 I + tau^2 X^T X) ~ 1e180 overflows float32, the SVD form
    does not;
    against the same formula in float64 on the rescaled data (log p(c y) = log p(y) - n log c)."""
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(2, 5)), rng.normal(size=5)
    c = 1e18
    big = regression.log_evidence(
        (c * X).astype(np.float32), (c * y).astype(np.float32), std=c, prior_std=1.0
    )
    small = regression.log_evidence(X, y, std=1.0, prior_std=1.0)
    assert float(big) == pytest.approx(float(small) - 5 * np.log(c), rel=1e-5)


def _mackay_fixed_point(X, y, *, iterations=500):
    """The stationary point of the evidence in (std, prior_std) by MacKay's updates
    (Bishop 2006, eqs. 3.92 and 3.95; scikit-learn's BayesianRidge iterates the same),
    in float64: gamma = sum_i s_i^2 / (s_i^2 + alpha/beta_), alpha = gamma / ||mu_N||^2,
    1/beta_ = ||y - X^T mu_N||^2 / (n - gamma), with alpha = 1/tau^2 and beta_ = 1/sigma^2."""
    X, y = np.asarray(X, np.float64), np.asarray(y, np.float64)
    s2 = np.linalg.svd(X, compute_uv=False) ** 2
    alpha, precision = 1.0, 1.0 / np.var(y)
    for _ in range(iterations):
        mean = np.linalg.solve(X @ X.T + alpha / precision * np.eye(len(X)), X @ y)
        gamma = np.sum(s2 / (s2 + alpha / precision))
        alpha = gamma / (mean @ mean)
        precision = (len(y) - gamma) / np.sum((y - X.T @ mean) ** 2)
    return 1 / np.sqrt(precision), 1 / np.sqrt(alpha)


def _evidence_grid_maximiser(X, y, stds, prior_stds):
    grid = np.array(
        [
            [float(regression.log_evidence(X, y, std=s, prior_std=t)) for t in prior_stds]
            for s in stds
        ]
    )
    i, j = np.unravel_index(np.argmax(grid), grid.shape)
    return stds[i], prior_stds[j]


#: A log grid with ratio STEP between neighbours: the grid's maximiser of a unimodal evidence
#: lies within one step of the continuous maximiser (half a step, plus float32 ties).
STEP = 1.02


def _evidence_data():
    key_x, key_beta, key_noise = jax.random.split(jax.random.key(91), 3)
    m, n, std, prior_std = 4, 200, 0.7, 1.5
    X = np.asarray(jax.random.normal(key_x, (m, n)), np.float64)
    beta = prior_std * np.asarray(jax.random.normal(key_beta, (m,)), np.float64)
    y = X.T @ beta + std * np.asarray(jax.random.normal(key_noise, (n,)), np.float64)
    return X, y


def test_log_evidence_maximiser_is_the_evidence_fixed_point():
    X, y = _evidence_data()
    std_ref, prior_std_ref = _mackay_fixed_point(X, y)
    stds = std_ref * STEP ** np.arange(-15, 16)
    prior_stds = prior_std_ref * STEP ** np.arange(-15, 16)
    std_hat, prior_std_hat = _evidence_grid_maximiser(X, y, stds, prior_stds)
    assert abs(np.log(std_hat / std_ref)) <= np.log(STEP) * 1.001
    assert abs(np.log(prior_std_hat / prior_std_ref)) <= np.log(STEP) * 1.001


def test_log_evidence_maximiser_agrees_with_sklearn_bayesian_ridge():
    """BayesianRidge (fit_intercept=False) maximises the same evidence, with alpha_ = 1/sigma^2
    and lambda_ = 1/tau^2; its Gamma hyperpriors (1e-6) move the optimum by far less than one
    grid step, and its tol=1e-3 stop by less than that too (checked: the fixed point above)."""
    linear_model = pytest.importorskip("sklearn.linear_model")
    X, y = _evidence_data()
    fit = linear_model.BayesianRidge(fit_intercept=False, tol=1e-10, max_iter=1000).fit(X.T, y)
    std_ref, prior_std_ref = 1 / np.sqrt(fit.alpha_), 1 / np.sqrt(fit.lambda_)
    stds = std_ref * STEP ** np.arange(-15, 16)
    prior_stds = prior_std_ref * STEP ** np.arange(-15, 16)
    std_hat, prior_std_hat = _evidence_grid_maximiser(X, y, stds, prior_stds)
    assert abs(np.log(std_hat / std_ref)) <= np.log(STEP) * 1.001
    assert abs(np.log(prior_std_hat / prior_std_ref)) <= np.log(STEP) * 1.001


def test_posterior_nig_and_predictive_t_are_calibrated_monte_carlo():
    """Draw sigma^2 ~ IG(a0, b0), beta | sigma^2 ~ N(0, sigma^2 I / lambda), then y and a new
    y_*: the PIT of y_* under predictive_t (scipy.stats.t) is uniform, mean 1/2 and variance
    1/12 within 5 standard errors (sqrt(1/12/R) and sqrt(1/180/R)), R = 1000 data sets."""
    m, n, penalty, shape, rate, draws = 3, 6, 0.5, 3.0, 2.0, 1000
    keys = jax.random.split(jax.random.key(92), 5)
    X = jax.random.normal(keys[0], (m, n))
    x_new = jnp.array([[1.0], [-2.0], [0.5]])
    variances = rate / jax.random.gamma(keys[1], shape, (draws,))
    stds = jnp.sqrt(variances)
    betas = stds[:, None] / np.sqrt(penalty) * jax.random.normal(keys[2], (draws, m))
    ys = betas @ X + stds[:, None] * jax.random.normal(keys[3], (draws, n))
    y_new = betas @ x_new[:, 0] + stds * jax.random.normal(keys[4], (draws,))
    laws = [
        regression.predictive_t(x_new, X, y, penalty=penalty, shape=shape, rate=rate)
        for y in np.asarray(ys)
    ]
    loc, scale = (np.array([float(getattr(law, f)[0]) for law in laws]) for f in ("loc", "scale"))
    assert isinstance(laws[0].df, jax.Array) and laws[0].df.shape == ()
    np.testing.assert_allclose(laws[0].df, 2 * shape + n)  # 2 a_N = 2 a_0 + n
    pits = scipy.stats.t.cdf(np.asarray(y_new), laws[0].df, loc=loc, scale=scale)
    assert abs(pits.mean() - 0.5) < 5 * np.sqrt(1 / 12 / draws)
    assert abs(pits.var() - 1 / 12) < 5 * np.sqrt(1 / 180 / draws)


def test_prediction_t_intervals_cover_at_their_level_monte_carlo():
    """Fixed beta and sigma: the interval loc -/+ t_{n-m}(0.95) scale covers a new target in
    90 % of R = 1500 data sets, within 5 binomial standard errors."""
    m, n, std, draws, level = 2, 7, 0.8, 1500, 0.9
    key_x, key_noise, key_new = jax.random.split(jax.random.key(93), 3)
    x = jax.random.uniform(key_x, (n,), minval=0.0, maxval=5.0)
    X = jnp.vstack([jnp.ones(n), x])
    beta = jnp.array([1.0, -0.5])
    x_new = jnp.array([[1.0], [8.0]])
    ys = X.T @ beta + std * jax.random.normal(key_noise, (draws, n))
    y_new = x_new[:, 0] @ beta + std * jax.random.normal(key_new, (draws,))
    quantile = scipy.stats.t.ppf((1 + level) / 2, n - m)
    inside = []
    for y, target in zip(np.asarray(ys), np.asarray(y_new), strict=True):
        law = regression.prediction_t(x_new, X, y)
        assert isinstance(law.df, jax.Array) and law.df.shape == ()
        np.testing.assert_allclose(law.df, n - m)
        inside.append(abs(target - law.loc[0]) <= quantile * law.scale[0])
    assert abs(np.mean(inside) - level) < 5 * np.sqrt(level * (1 - level) / draws)


def test_posterior_nig_mean_is_ridge_and_rate_is_the_penalised_misfit():
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(4, 3)), rng.normal(size=3)  # n < m is allowed
    nig = regression.posterior_nig(X, y, penalty=0.3, shape=1.0, rate=0.5)
    ridge = np.asarray(regression.beta_ridge(X, y, penalty=0.3), np.float64)
    np.testing.assert_allclose(nig.mean, ridge, rtol=1e-4, atol=1e-6)
    misfit = np.sum((y - X.T @ ridge) ** 2) + 0.3 * ridge @ ridge
    assert float(nig.rate) == pytest.approx(0.5 + misfit / 2, rel=1e-4)
    assert float(nig.shape) == pytest.approx(1.0 + 3 / 2)


# --- issue 32: named results, keyword-only scales, the checked public bodies ----------------

X_NAMED = jnp.array([[1.0, 1.0, 1.0, 1.0, 1.0], [0.0, 1.0, 2.0, 3.0, 4.0]])
Y_NAMED = jnp.array([0.9, 3.1, 5.2, 6.8, 9.1])


def test_beta_intervals_is_a_named_interval_that_unpacks():
    from gaussml.univariate import Interval

    result = regression.beta_intervals(X_NAMED, Y_NAMED, level=0.9)
    assert isinstance(result, Interval) and result._fields == ("lower", "upper")
    lower, upper = result
    np.testing.assert_array_equal(lower, result.lower)
    fit = sm.OLS(np.asarray(Y_NAMED, np.float64), np.asarray(X_NAMED, np.float64).T).fit()
    np.testing.assert_allclose(np.c_[lower, upper], fit.conf_int(alpha=0.1), rtol=1e-4)


def test_posterior_is_a_named_mvn_gaussian():
    from gaussml.mvn import Gaussian

    result = regression.posterior(X_NAMED, Y_NAMED, std=0.5, prior_std=3.0)
    assert isinstance(result, Gaussian) and result._fields == ("mean", "cov")
    mean, cov = result
    X64, y64 = np.asarray(X_NAMED, np.float64), np.asarray(Y_NAMED, np.float64)
    precision = X64 @ X64.T / 0.25 + np.eye(2) / 9.0
    np.testing.assert_allclose(cov, np.linalg.inv(precision), rtol=1e-4)
    np.testing.assert_allclose(mean, np.linalg.solve(precision, X64 @ y64 / 0.25), rtol=1e-4)


def test_predictive_is_a_named_normal():
    from gaussml.univariate import Normal

    result = regression.predictive(X_NAMED[:, :2], X_NAMED, Y_NAMED, std=0.5, prior_std=3.0)
    assert isinstance(result, Normal) and result._fields == ("mean", "std")
    mean, std = result
    assert mean.shape == std.shape == (2,)


def test_fit_linear_gd_is_a_named_descent_path():
    path = regression.fit_linear_gd(
        jax.random.key(0), target_f1, beta_init=0.0, lr=1e-3, steps=6, batch_size=5
    )
    assert isinstance(path, regression.DescentPath) and path._fields == ("betas", "losses")
    betas, losses = path
    assert betas.shape == (7,) and losses.shape == (6,)
    assert float(betas[0]) == pytest.approx(0.0, abs=1e-12)


def test_log_evidence_returns_an_array_scalar():
    value = regression.log_evidence(X_NAMED, Y_NAMED, std=0.5, prior_std=3.0)
    assert isinstance(value, jax.Array) and value.shape == ()
    X64, y64 = np.asarray(X_NAMED, np.float64), np.asarray(Y_NAMED, np.float64)
    C = 0.25 * np.eye(5) + 9.0 * X64.T @ X64
    ref = scipy.stats.multivariate_normal(np.zeros(5), C).logpdf(y64)
    np.testing.assert_allclose(value, ref, rtol=1e-5)


@pytest.mark.parametrize(
    "call",
    [
        lambda: regression.beta_mle_cov(X_NAMED, 0.5),
        lambda: regression.beta_wls(X_NAMED, Y_NAMED, jnp.ones(5)),
        lambda: regression.linear_nll(jnp.zeros(2), X_NAMED, Y_NAMED, 1.0),
        lambda: regression.linear_nll_grad(jnp.zeros(2), X_NAMED, Y_NAMED, 1.0),
        lambda: regression.linear_curvature(X_NAMED, 1.0),
        lambda: regression.posterior(X_NAMED, Y_NAMED, 0.5, 3.0),
        lambda: regression.log_evidence(X_NAMED, Y_NAMED, 0.5, 3.0),
        lambda: regression.predictive(X_NAMED, X_NAMED, Y_NAMED, 0.5, 3.0),
    ],
)
def test_std_is_keyword_only(call):
    with pytest.raises(TypeError):
        call()


def test_linear_nll_is_differentiable_through_its_checks():
    beta = jnp.array([0.5, 1.5])
    got = jax.grad(regression.linear_nll)(beta, X_NAMED, Y_NAMED, std=0.7)
    want = regression.linear_nll_grad(beta, X_NAMED, Y_NAMED, std=0.7)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("key", [0, "key", jax.random.split(jax.random.key(0), 2)])
def test_fit_linear_gd_checks_its_key(key):
    with pytest.raises((TypeError, ValueError), match="key must be"):
        regression.fit_linear_gd(key, target_f1, beta_init=0.0, lr=1e-3, steps=2)
