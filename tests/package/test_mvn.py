"""Tests of gaussml.mvn against scipy.stats.multivariate_normal and by Monte Carlo.

JAX computes in float32 (x64 is not enabled): comparisons with scipy use
float32 tolerances. Random tests are seeded; Monte Carlo tolerances are
5 standard errors.
"""

import jax
import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

from float32_limits import float32_values
from gaussml import mvn

N_SE = 5


def _spd(seed, d):
    """A well-conditioned random covariance of size d (eigenvalues in [0.5, 3])."""
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    return (q * rng.uniform(0.5, 3.0, size=d)) @ q.T


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), d=st.integers(1, 6))
def test_logpdf_and_mahalanobis_match_scipy(seed, d):
    rng = np.random.default_rng(seed)
    cov = _spd(seed, d)
    cov = (cov + cov.T) / 2
    mean = rng.normal(size=d)
    x = rng.normal(size=(7, d)) * 2
    ref = scipy.stats.multivariate_normal(mean, cov)
    got = mvn.logpdf(x.astype(np.float32), mean=mean, cov=cov)
    np.testing.assert_allclose(got, ref.logpdf(x), rtol=1e-4, atol=1e-4)
    diff = x - mean
    maha = np.sqrt(np.einsum("ni,ij,nj->n", diff, np.linalg.inv(cov), diff))
    got = mvn.mahalanobis(x.astype(np.float32), mean=mean, cov=cov)
    np.testing.assert_allclose(got, maha, rtol=1e-4, atol=1e-4)


def test_a_single_point_gives_a_scalar():
    cov = _spd(0, 3)
    x = np.array([0.3, -1.0, 2.0])
    assert mvn.logpdf(x, mean=np.zeros(3), cov=cov).shape == ()
    np.testing.assert_allclose(
        mvn.logpdf(x, mean=np.zeros(3), cov=cov),
        scipy.stats.multivariate_normal(np.zeros(3), cov).logpdf(x),
        rtol=1e-5,
    )


def test_sample_shape_and_covariance_within_standard_errors():
    d, n = 3, 20_000
    cov = _spd(1, d)
    mean = np.array([1.0, -2.0, 0.5])
    draws = np.asarray(mvn.sample(jax.random.key(0), n, mean=mean, cov=cov), dtype=np.float64)
    assert draws.shape == (n, d)
    se_mean = np.sqrt(np.diag(cov) / n)
    assert np.all(np.abs(draws.mean(axis=0) - mean) < N_SE * se_mean)
    # Var of a sample covariance entry: (S_ii S_jj + S_ij^2) / n for Gaussian data.
    se_cov = np.sqrt((np.outer(np.diag(cov), np.diag(cov)) + cov**2) / n)
    assert np.all(np.abs(np.cov(draws, rowvar=False) - cov) < N_SE * se_cov)


def test_mahalanobis_of_draws_follows_chi():
    d = 4
    cov = _spd(2, d)
    mean = np.arange(d, dtype=float)
    draws = mvn.sample(jax.random.key(1), 4000, mean=mean, cov=cov)
    dist = np.asarray(mvn.mahalanobis(draws, mean=mean, cov=cov), dtype=np.float64)
    assert scipy.stats.kstest(dist, scipy.stats.chi(d).cdf).pvalue > 1e-3


@pytest.mark.parametrize(
    "cov, match",
    [
        (np.array([[1.0, 0.5], [0.0, 1.0]]), "cov must be symmetric"),
        (np.array([[1.0, 2.0], [2.0, 1.0]]), "cov must be positive definite"),
        (np.zeros((2, 2)), "cov must be positive definite"),
        (np.eye(3), r"cov must have shape \(D, D\)"),
        (np.array([[1.0, np.nan], [np.nan, 1.0]]), "cov must be finite"),
    ],
)
def test_bad_covariance_is_rejected_naming_cov(cov, match):
    for call in (
        lambda: mvn.logpdf(np.zeros(2), mean=np.zeros(2), cov=cov),
        lambda: mvn.mahalanobis(np.zeros(2), mean=np.zeros(2), cov=cov),
        lambda: mvn.sample(jax.random.key(0), 3, mean=np.zeros(2), cov=cov),
    ):
        with pytest.raises(ValueError, match=match):
            call()


def test_bad_mean_points_and_n_are_rejected_naming_them():
    with pytest.raises(ValueError, match="mean must be finite"):
        mvn.logpdf(np.zeros(2), mean=np.array([0.0, np.inf]), cov=np.eye(2))
    with pytest.raises(ValueError, match=r"mean must have shape \(D,\)"):
        mvn.logpdf(np.zeros(2), mean=np.zeros((2, 1)), cov=np.eye(2))
    with pytest.raises(ValueError, match="x must be finite"):
        mvn.logpdf(np.array([0.0, np.nan]), mean=np.zeros(2), cov=np.eye(2))
    with pytest.raises(ValueError, match=r"x must have shape \(\.\.\., D\)"):
        mvn.mahalanobis(np.zeros(3), mean=np.zeros(2), cov=np.eye(2))
    with pytest.raises(ValueError, match="shape must be a tuple of integers >= 1"):
        mvn.sample(jax.random.key(0), 0, mean=np.zeros(2), cov=np.eye(2))
    with pytest.raises(TypeError, match="shape must be a tuple of integers"):
        mvn.sample(jax.random.key(0), 2.5, mean=np.zeros(2), cov=np.eye(2))


# --- near the float32 limits (issue 30): finite and right, or our error ----------------

F32_MAX = float(np.finfo(np.float32).max)
COV = np.array([[2.0, 0.5], [0.5, 1.0]])


@settings(max_examples=30)
@given(x=float32_values(2))
def test_mahalanobis_near_the_float32_limits_matches_numpy_or_raises(x):
    ref = np.sqrt(x @ np.linalg.solve(COV, x))
    if ref < F32_MAX / 2:
        out = float(mvn.mahalanobis(x, mean=np.zeros(2), cov=COV))
        np.testing.assert_allclose(out, ref, rtol=1e-5)
    elif ref > F32_MAX:
        with pytest.raises(ValueError, match="not representable"):
            mvn.mahalanobis(x, mean=np.zeros(2), cov=COV)
    else:  # within a factor 2 of the float32 maximum rounding decides: the value or our error
        try:
            out = float(mvn.mahalanobis(x, mean=np.zeros(2), cov=COV))
        except ValueError as error:
            assert "not representable" in str(error)
        else:
            np.testing.assert_allclose(out, ref, rtol=1e-5)


@settings(max_examples=30)
@given(x=float32_values(2, -38, 20))
def test_mvn_logpdf_near_the_float32_limits_matches_scipy_or_raises(x):
    ref = scipy.stats.multivariate_normal(np.zeros(2), COV).logpdf(x)
    if abs(ref) < F32_MAX / 2:
        out = float(mvn.logpdf(x, mean=np.zeros(2), cov=COV))
        np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-5)
    else:
        with pytest.raises(ValueError, match="not representable"):
            mvn.logpdf(x, mean=np.zeros(2), cov=COV)


# --- marginals and conditionals ----------------------------------------------------------


def _split(seed, d):
    """A random non-empty proper subset `b` of range(d) in random order, and its complement."""
    rng = np.random.default_rng(seed)
    k = int(rng.integers(1, d))
    b = rng.permutation(d)[:k]
    return b, np.setdiff1d(np.arange(d), b)


def _block_conditional(mean, cov, b, a, values):
    """The reference: mu_a + S_ab S_bb^{-1} (x_b - mu_b), S_aa - S_ab S_bb^{-1} S_ba."""
    gain = cov[np.ix_(a, b)] @ np.linalg.inv(cov[np.ix_(b, b)])
    return mean[a] + gain @ (values - mean[b]), cov[np.ix_(a, a)] - gain @ cov[np.ix_(b, a)]


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), d=st.integers(2, 6))
def test_conditional_matches_the_block_matrix_formula(seed, d):
    rng = np.random.default_rng(seed)
    cov, mean = _spd(seed, d), rng.normal(size=d)
    cov = (cov + cov.T) / 2
    b, a = _split(seed, d)
    values = rng.normal(size=b.size) * 2
    ref_mean, ref_cov = _block_conditional(mean, cov, b, a, values)
    got_mean, got_cov = mvn.conditional(b, values, mean=mean, cov=cov)
    np.testing.assert_allclose(got_mean, ref_mean, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(got_cov, ref_cov, rtol=1e-4, atol=1e-4)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), d=st.integers(1, 6))
def test_marginal_picks_the_blocks_in_the_order_listed(seed, d):
    rng = np.random.default_rng(seed)
    cov, mean = _spd(seed, d), rng.normal(size=d)
    cov = (cov + cov.T) / 2
    keep = rng.permutation(d)[: int(rng.integers(1, d + 1))]
    got = mvn.marginal(keep, mean=mean, cov=cov)
    assert isinstance(got, mvn.Gaussian)
    np.testing.assert_allclose(got.mean, mean[keep], rtol=1e-6)
    np.testing.assert_allclose(got.cov, cov[np.ix_(keep, keep)], rtol=1e-6)


def test_a_batch_of_observations_gives_one_mean_each_and_one_covariance():
    cov, mean = _spd(3, 4), np.array([1.0, 0.0, -1.0, 2.0])
    values = np.random.default_rng(3).normal(size=(5, 2))
    batch = mvn.conditional([3, 1], values, mean=mean, cov=cov)
    assert batch.mean.shape == (5, 2) and batch.cov.shape == (2, 2)
    for row, v in zip(np.asarray(batch.mean), values, strict=True):
        one = mvn.conditional([3, 1], v, mean=mean, cov=cov)
        np.testing.assert_allclose(row, one.mean, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(batch.cov, one.cov, rtol=1e-6)


def test_conditional_law_by_simulation():
    """x_a minus its conditional mean is uncorrelated with x_b, has mean 0 and the
    conditional covariance: for jointly Gaussian draws, that is the conditional law."""
    d, n = 4, 20_000
    cov, mean = _spd(4, d), np.array([0.5, -1.0, 2.0, 0.0])
    b, a = np.array([2, 0]), np.array([1, 3])
    draws = np.asarray(mvn.sample(jax.random.key(4), n, mean=mean, cov=cov), np.float64)
    cond = mvn.conditional(b, draws[:, b], mean=mean, cov=cov)
    residual = draws[:, a] - np.asarray(cond.mean, np.float64)
    cond_cov = np.asarray(cond.cov, np.float64)
    var_a, var_b = np.diag(cond_cov), np.diag(cov)[b]
    assert np.all(np.abs(residual.mean(axis=0)) < N_SE * np.sqrt(var_a / n))
    se_cov = np.sqrt((np.outer(var_a, var_a) + cond_cov**2) / n)
    assert np.all(np.abs(np.cov(residual, rowvar=False) - cond_cov) < N_SE * se_cov)
    cross = (residual - residual.mean(axis=0)).T @ (draws[:, b] - draws[:, b].mean(axis=0)) / n
    assert np.all(np.abs(cross) < N_SE * np.sqrt(np.outer(var_a, var_b) / n))


def test_conditioning_on_uncorrelated_components_changes_nothing():
    cov = np.diag([2.0, 3.0, 0.5])
    mean, cov_a = mvn.conditional([1], np.array([10.0]), mean=np.zeros(3), cov=cov)
    np.testing.assert_allclose(mean, [0.0, 0.0], atol=1e-6)
    np.testing.assert_allclose(cov_a, np.diag([2.0, 0.5]), rtol=1e-6)


@pytest.mark.parametrize(
    "idx, match",
    [
        ([0, 0], "repeated"),
        ([3], "out of range"),
        ([-1], "out of range"),
        ([0.5], "dtype float64"),
        ([[0]], r"shape \(1, 1\)"),
        ([], r"shape \(0,\)"),
        ([True], "dtype bool"),
    ],
)
def test_bad_indices_are_rejected_naming_idx(idx, match):
    for call in (
        lambda: mvn.marginal(idx, mean=np.zeros(3), cov=np.eye(3)),
        lambda: mvn.conditional(idx, np.zeros(np.size(idx)), mean=np.zeros(3), cov=np.eye(3)),
    ):
        with pytest.raises((ValueError, TypeError), match=f"idx must list.*{match}"):
            call()


def test_bad_conditional_input_is_rejected_naming_it():
    with pytest.raises(ValueError, match=r"idx must list 1 to 2 .* shape \(3,\)"):
        mvn.conditional([0, 1, 2], np.zeros(3), mean=np.zeros(3), cov=np.eye(3))
    with pytest.raises(ValueError, match=r"values must have shape \(\.\.\., K\) with K = .* 2"):
        mvn.conditional([0, 1], np.zeros(3), mean=np.zeros(3), cov=np.eye(3))
    with pytest.raises(ValueError, match="values must be finite"):
        mvn.conditional([0], np.array([np.nan]), mean=np.zeros(3), cov=np.eye(3))
    with pytest.raises(ValueError, match="cov must be positive definite"):
        mvn.conditional([0], np.zeros(1), mean=np.zeros(2), cov=np.array([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(ValueError, match="cov must be positive definite"):
        mvn.marginal([0], mean=np.zeros(2), cov=np.array([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(ValueError, match="D >= 2"):
        mvn.conditional([0], np.zeros(1), mean=np.zeros(1), cov=np.eye(1))


# --- issue 32: sample shapes, keyword-only parameters, named results ----------------------


@pytest.mark.parametrize("shape", [(5,), (2, 3), (2, 3, 4), 6])
def test_sample_takes_a_sample_shape_and_appends_d(shape):
    draws = mvn.sample(jax.random.key(0), shape, mean=np.zeros(3), cov=np.eye(3))
    want = (shape,) if isinstance(shape, int) else shape
    assert draws.shape == (*want, 3)


def test_draws_of_a_2d_sample_shape_have_the_mean_and_covariance():
    mean = np.array([1.0, -2.0])
    cov = np.array([[2.0, 0.6], [0.6, 1.0]])
    draws = mvn.sample(jax.random.key(9), (100, 80), mean=mean, cov=cov)
    flat = np.asarray(draws, np.float64).reshape(-1, 2)
    n = flat.shape[0]
    se_mean = np.sqrt(np.diag(cov) / n)
    assert np.all(np.abs(flat.mean(axis=0) - mean) < 5 * se_mean)
    # Var of a sample covariance entry of a Gaussian: (S_ij^2 + S_ii S_jj) / n
    se_cov = np.sqrt((cov**2 + np.outer(np.diag(cov), np.diag(cov))) / n)
    assert np.all(np.abs(np.cov(flat.T) - cov) < 5 * se_cov)
    # each coordinate is N(mean_i, cov_ii): KS against scipy
    for i in range(2):
        ks = scipy.stats.kstest(flat[:, i], scipy.stats.norm(mean[i], np.sqrt(cov[i, i])).cdf)
        assert ks.pvalue > 1e-3


@pytest.mark.parametrize(
    "call",
    [
        lambda: mvn.sample(jax.random.key(0), 3, np.zeros(2), np.eye(2)),
        lambda: mvn.logpdf(np.zeros(2), np.zeros(2), np.eye(2)),
        lambda: mvn.marginal([0], np.zeros(2), np.eye(2)),
        lambda: mvn.conditional([0], np.zeros(1), np.zeros(2), np.eye(2)),
    ],
)
def test_mean_and_cov_are_keyword_only(call):
    with pytest.raises(TypeError):
        call()


def test_marginal_and_conditional_return_a_named_gaussian():
    cov = np.array([[2.0, 0.5], [0.5, 1.0]])
    marg = mvn.marginal([1], mean=np.zeros(2), cov=cov)
    cond = mvn.conditional([1], np.array([1.0]), mean=np.zeros(2), cov=cov)
    for law in (marg, cond):
        assert isinstance(law, mvn.Gaussian) and law._fields == ("mean", "cov")
        mean, cov_out = law
        np.testing.assert_array_equal(mean, law.mean)
        np.testing.assert_array_equal(cov_out, law.cov)


@pytest.mark.parametrize("key", [0, "key", np.zeros(2, np.uint8)])
def test_sample_checks_its_key(key):
    with pytest.raises(TypeError, match="key must be a JAX random key"):
        mvn.sample(key, 3, mean=np.zeros(2), cov=np.eye(2))
