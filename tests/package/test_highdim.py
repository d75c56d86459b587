"""Tests of gaussml.highdim: chi density and moments, distances, interpolation.

JAX computes in float32 here (x64 is not enabled), so comparisons with
scipy's float64 values use float32 tolerances. Random tests are seeded, so
each is deterministic; their thresholds are chosen so that a correct
implementation would fail with probability about 1e-3 (KS tests) or below
1e-6 (5 standard errors) for a fresh seed.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.integrate
import scipy.special
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from float32_limits import float32_rows
from gaussml import highdim

KS_LEVEL = 1e-3  # reject the fitted law only at p < 1e-3
N_SE = 5  # Monte Carlo tolerance in standard errors (two-sided tail 6e-7)
DIMS_SHOWN = (1, 2, 3, 10, 100)  # the dimensions of the chapter's figures

# --- the chi distribution against scipy ---------------------------------------------------

ALL_DIMS = np.arange(1, 1001)
QUANTILES = (1e-6, 1e-3, 0.1, 0.5, 0.9, 0.999, 1 - 1e-6)


def distance_logpdf(t, dim):
    """The log-density of the distance between two draws: chi at scale sqrt(2)."""
    return highdim.chi_logpdf(t, dim, scale=np.sqrt(2))


def distance_pdf(t, dim):
    """The density of the distance between two draws: chi at scale sqrt(2)."""
    return highdim.chi_pdf(t, dim, scale=np.sqrt(2))


@pytest.mark.parametrize("q", QUANTILES)
def test_chi_logpdf_and_pdf_match_scipy_for_dims_1_to_1000(q):
    r = scipy.stats.chi.ppf(q, ALL_DIMS).astype(np.float32)
    ref_log = scipy.stats.chi.logpdf(r.astype(np.float64), ALL_DIMS)
    # float32 has a relative precision of 1.2e-7; the log-density sums terms of
    # size up to D log r, so allow 2e-5 relative plus 1e-5 absolute.
    np.testing.assert_allclose(highdim.chi_logpdf(r, ALL_DIMS), ref_log, rtol=2e-5, atol=1e-5)
    np.testing.assert_allclose(highdim.chi_pdf(r, ALL_DIMS), np.exp(ref_log), rtol=1e-4, atol=1e-30)


def test_chi_mean_and_var_match_scipy_for_dims_1_to_1000():
    np.testing.assert_allclose(
        highdim.chi_mean(ALL_DIMS), scipy.stats.chi.mean(ALL_DIMS), rtol=1e-5
    )
    np.testing.assert_allclose(highdim.chi_var(ALL_DIMS), scipy.stats.chi.var(ALL_DIMS), rtol=1e-4)


@pytest.mark.parametrize("dim", [10_000, 100_000])
def test_chi_is_finite_and_accurate_in_very_high_dimension(dim):
    r = np.array([1e-3, 1.0, 50.0, np.sqrt(dim) - 1, np.sqrt(dim), 2 * np.sqrt(dim), 1e5])
    r = r.astype(np.float32)
    got = np.asarray(highdim.chi_logpdf(r, dim))
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(
        got, scipy.stats.chi.logpdf(r.astype(np.float64), dim), rtol=2e-5, atol=1e-4
    )
    np.testing.assert_allclose(highdim.chi_mean(dim), scipy.stats.chi.mean(dim), rtol=1e-6)
    np.testing.assert_allclose(highdim.chi_var(dim), scipy.stats.chi.var(dim), rtol=1e-4)
    # The distance at scale sqrt(2), against scipy at the float32 input it receives (the
    # division by the scale rounds t / sqrt(2) once more, so compare with the same tolerance).
    t = (np.sqrt(2) * r).astype(np.float32)
    np.testing.assert_allclose(
        distance_logpdf(t, dim),
        scipy.stats.chi.logpdf(t.astype(np.float64), dim, scale=np.sqrt(2)),
        rtol=2e-5,
        atol=1e-4,
    )


@pytest.mark.parametrize("dim", [10_000, 100_000, 1_000_000])
def test_chi_logpdf_at_the_mode_is_accurate_in_float32_where_the_formula_is_not(dim):
    # The range the module docstring and chapter 2 state: within 1e-5 of float64
    # scipy, while the textbook formula evaluated term by term in float32 is not.
    r, d = jnp.float32(np.sqrt(dim - 1)), jnp.float32(dim)
    exact = scipy.stats.chi.logpdf(np.sqrt(dim - 1), dim)
    log_2 = jnp.log(jnp.float32(2))
    by_terms = (
        (1 - d / 2) * log_2 - jax.scipy.special.gammaln(d / 2) + (d - 1) * jnp.log(r) - r**2 / 2
    )
    assert abs(float(highdim.chi_logpdf(r, dim)) - exact) < 1e-5
    assert abs(float(by_terms) - exact) > 1e-3


def test_chi_norm_concentrates_at_sqrt_dim_with_variance_one_half():
    dims = np.array([1e2, 1e3, 1e4, 1e5, 1e6])
    gap = np.sqrt(dims) - np.asarray(highdim.chi_mean(dims))
    assert np.all(np.diff(gap) < 0) and gap[-1] < 1e-3  # sqrt(D) - E||x|| ~ 1/(4 sqrt(D))
    np.testing.assert_allclose(highdim.chi_var(dims), 0.5, atol=2e-3)


def test_chi_density_at_zero_and_below():
    # Documented convention: density 0 and log-density -inf for r < 0.
    assert not np.any(np.asarray(highdim.chi_pdf(np.array([-3.0, -1e-6]), 2)) > 0)  # exactly 0
    assert np.all(np.isneginf(np.asarray(highdim.chi_logpdf(np.array([-3.0, -1e-6]), 5))))
    # At r = 0: sqrt(2 / pi) (the half-normal peak) for D = 1, and 0 for D > 1.
    np.testing.assert_allclose(highdim.chi_pdf(0.0, 1), np.sqrt(2 / np.pi), rtol=1e-6)
    np.testing.assert_allclose(highdim.chi_pdf(1e-30, 1), np.sqrt(2 / np.pi), rtol=1e-6)
    assert np.isneginf(float(highdim.chi_logpdf(0.0, 3)))
    assert np.isneginf(float(distance_logpdf(-1.0, 3)))


def test_chi_pdf_integrates_to_one():
    for dim in (*DIMS_SHOWN, 1000):
        mode = np.sqrt(dim - 1)
        total, _ = scipy.integrate.quad(
            lambda r, dim=dim: float(highdim.chi_pdf(r, dim)),
            0,
            mode + 40,
            points=[mode],
            epsabs=1e-7,
            epsrel=1e-6,
        )
        assert abs(total - 1) < 1e-4, (dim, total)


def test_unit_ball_probability_lies_between_its_bounds():
    dims = np.arange(1, 201)
    lower, upper = (np.asarray(b, np.float64) for b in highdim.unit_ball_log10_prob_bounds(dims))
    exact = scipy.stats.chi.logcdf(1.0, dims) / np.log(10)  # float64: representable up to D = 200
    assert np.all(lower - 1e-5 <= exact) and np.all(exact <= upper + 1e-5)
    np.testing.assert_allclose(upper - lower, 0.5 / np.log(10), rtol=1e-4)
    assert np.all(np.isfinite(np.asarray(highdim.unit_ball_log10_prob_bounds(10_000)[1])))


# --- distances between two draws ------------------------------------------------------------


@pytest.mark.parametrize("dim", (*DIMS_SHOWN, 1000))
def test_distance_pdf_integrates_to_one(dim):
    mode = np.sqrt(2 * (dim - 1))  # f_T peaks at sqrt(2 (D - 1)), width of order 1
    total, _ = scipy.integrate.quad(
        lambda t: float(distance_pdf(t, dim)),
        0,
        mode + 60,
        points=[mode],
        limit=200,
        epsabs=1e-7,
        epsrel=1e-6,
    )
    assert abs(total - 1) < 1e-4, total


@pytest.mark.parametrize("dim", [1, 2, 5, 50, 500])
def test_distance_pdf_is_the_scaled_chi_with_the_jacobian(dim):
    t = np.linspace(0.01, 2 * np.sqrt(2 * dim) + 5, 50)
    log_closed_form = (
        (dim - 1) * np.log(t) - t**2 / 4 - (dim - 1) * np.log(2) - scipy.special.gammaln(dim / 2)
    )
    # Compared in log space: far in the tails a float32 log-density of size 100 carries an
    # absolute error of ~1e-5, i.e. a relative error of ~1e-5 in the density itself.
    got = distance_logpdf(t, dim)
    np.testing.assert_allclose(got, log_closed_form, rtol=2e-5, atol=1e-5)
    scaled_chi = scipy.stats.chi.logpdf(t, dim, scale=np.sqrt(2))
    np.testing.assert_allclose(got, scaled_chi, rtol=2e-5, atol=1e-5)
    np.testing.assert_allclose(distance_pdf(t, dim), np.exp(scaled_chi), rtol=1e-3, atol=1e-30)


def cdf_from_pdf(pdf, upper):
    """The CDF of a density on [0, upper], by the trapezoid rule on a fine grid."""
    grid = np.linspace(0.0, upper, 40_001)
    values = np.asarray(pdf(grid), dtype=np.float64)
    cdf = scipy.integrate.cumulative_trapezoid(values, grid, initial=0.0)
    return lambda x: np.interp(x, grid, cdf / cdf[-1])


@pytest.mark.parametrize("seed, dim", list(enumerate(DIMS_SHOWN)))
def test_simulated_distances_follow_distance_pdf(seed, dim):
    distances = np.asarray(highdim.sample_distances(jax.random.key(seed), 4000, dim))
    cdf = cdf_from_pdf(lambda t: distance_pdf(t, dim), np.sqrt(2 * dim) + 12)
    # Seeded, hence deterministic; a correct density fails at this level with probability 1e-3.
    assert scipy.stats.kstest(distances, cdf).pvalue > KS_LEVEL
    # The wrong law N(0, sqrt(2) I) (std 2^(1/4), a common mistake) is rejected.
    wrong = scipy.stats.chi(dim, scale=2**0.25).cdf
    assert scipy.stats.kstest(distances, wrong).pvalue < KS_LEVEL


@pytest.mark.parametrize("seed, dim", list(enumerate(DIMS_SHOWN, start=10)))
def test_simulated_norms_follow_chi_pdf(seed, dim):
    norms = np.asarray(highdim.sample_norms(jax.random.key(seed), 4000, dim))
    cdf = cdf_from_pdf(lambda r: highdim.chi_pdf(r, dim), np.sqrt(dim) + 10)
    assert scipy.stats.kstest(norms, cdf).pvalue > KS_LEVEL


def test_norm_variance_by_simulation():
    dim, n = 1000, 20_000
    norms = np.asarray(highdim.sample_norms(jax.random.key(20), n, dim), dtype=np.float64)
    var = norms.var(ddof=1)
    # SE of a sample variance: sqrt((m4 - var^2) / n), with m4 the fourth central moment.
    m4 = np.mean((norms - norms.mean()) ** 4)
    se = np.sqrt((m4 - var**2) / n)
    assert abs(var - float(highdim.chi_var(dim))) < N_SE * se
    mean_se = np.sqrt(var / n)
    assert abs(norms.mean() - float(highdim.chi_mean(dim))) < N_SE * mean_se


# --- log-likelihood and interpolation ----------------------------------------------------------


def test_std_normal_logpdf_is_the_sum_of_univariate_logpdfs():
    x = np.random.default_rng(0).normal(size=(7, 3, 20)).astype(np.float32)
    got = highdim.std_normal_logpdf(x)
    assert got.shape == (7, 3)
    np.testing.assert_allclose(got, scipy.stats.norm.logpdf(x).sum(axis=-1), rtol=1e-5)
    far = np.full((1, 10_000), 30.0, dtype=np.float32)  # density far below float range
    assert np.isfinite(float(highdim.std_normal_logpdf(far)[0]))


@pytest.mark.parametrize("alpha", [0.0, 0.1, 0.5, 0.8, 1.0])
def test_interpolation_variances_by_simulation(alpha):
    n = 200_000
    key_a, key_b = jax.random.split(jax.random.key(30))
    x_a = jax.random.normal(key_a, (n,))
    x_b = jax.random.normal(key_b, (n,))
    for z, var in [
        (highdim.lerp(alpha, x_a, x_b), alpha**2 + (1 - alpha) ** 2),
        (highdim.polar_interp(alpha, x_a, x_b), 1.0),
    ]:
        z = np.asarray(z, dtype=np.float64)
        # For Gaussian draws: SE(mean) = sqrt(var / n), SE(sample variance) = var sqrt(2 / (n - 1)).
        assert abs(z.mean()) < N_SE * np.sqrt(var / n)
        assert abs(z.var(ddof=1) - var) < N_SE * var * np.sqrt(2 / (n - 1))


@pytest.mark.parametrize("dim", DIMS_SHOWN)
def test_loglik_along_paths_by_simulation(dim):
    n = 2000
    key_a, key_b = jax.random.split(jax.random.key(40 + dim))
    x_a = jax.random.normal(key_a, (n, dim))
    x_b = jax.random.normal(key_b, (n, dim))
    alphas = jnp.linspace(0, 1, 11)
    linear = highdim.mean_loglik_along_path(alphas, x_a, x_b, path="linear")
    polar = highdim.mean_loglik_along_path(alphas, x_a, x_b, path="polar")
    assert linear.gaussian.shape == linear.chi.shape == (11,)
    # The end points are the draws themselves on both paths.
    for curves in (linear, polar):
        np.testing.assert_allclose(
            curves.gaussian[-1], highdim.std_normal_logpdf(x_a).mean(), rtol=1e-5
        )
        np.testing.assert_allclose(
            curves.gaussian[0], highdim.std_normal_logpdf(x_b).mean(), rtol=1e-5
        )
    # Gaussian log-likelihood of lerp: E = -(D/2)(s^2 + log 2 pi) with s^2 = a^2 + (1 - a)^2.
    # Its per-pair standard deviation is (s^2 / 2) sqrt(2 D) (half a scaled chi-square(D)).
    s2 = np.asarray(alphas**2 + (1 - alphas) ** 2, dtype=np.float64)
    expected = -0.5 * dim * (s2 + np.log(2 * np.pi))
    se = 0.5 * s2 * np.sqrt(2 * dim) / np.sqrt(n)
    assert np.all(np.abs(np.asarray(linear.gaussian) - expected) < N_SE * se)
    # Polar: the same law for every alpha, so the expected value -(D/2)(1 + log 2 pi) throughout.
    expected_polar = -0.5 * dim * (1 + np.log(2 * np.pi))
    se_polar = 0.5 * np.sqrt(2 * dim) / np.sqrt(n)
    assert np.all(np.abs(np.asarray(polar.gaussian) - expected_polar) < N_SE * se_polar)


# Coordinates bounded away from zero, so that every prefix has a nonzero norm
# (a zero norm raises, see test_contract.py).
AWAY_FROM_ZERO = st.one_of(st.floats(-10, -0.5, width=32), st.floats(0.5, 10, width=32))


@given(
    arrays(np.float32, (5, 6), elements=AWAY_FROM_ZERO),
    arrays(np.float32, (5, 6), elements=AWAY_FROM_ZERO),
)
@settings(max_examples=30, deadline=None)
def test_prefix_cosines_match_numpy_on_each_prefix(x_a, x_b):
    dims = [1, 3, 6]
    a, b = x_a.astype(np.float64), x_b.astype(np.float64)
    expected = np.stack(
        [
            np.sum(a[:, :d] * b[:, :d], axis=1)
            / (np.linalg.norm(a[:, :d], axis=1) * np.linalg.norm(b[:, :d], axis=1))
            for d in dims
        ],
        axis=1,
    )
    got = np.asarray(highdim.prefix_cosines(x_a, x_b, dims), np.float64)
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_prefix_norms_and_curves_match_separate_evaluations():
    key_a, key_b = jax.random.split(jax.random.key(45))
    x_a = jax.random.normal(key_a, (300, 100))
    x_b = jax.random.normal(key_b, (300, 100))
    dims = np.array(DIMS_SHOWN)
    norms = highdim.prefix_norms(x_a, dims)
    assert norms.shape == (300, len(dims))
    for j, d in enumerate(dims):
        np.testing.assert_allclose(
            norms[:, j], np.linalg.norm(np.asarray(x_a)[:, :d], axis=1), rtol=1e-5
        )
    alphas = jnp.linspace(0, 1, 7)
    for path in ("linear", "polar"):
        together = highdim.mean_loglik_along_path(alphas, x_a, x_b, path=path, dims=dims)
        assert together.gaussian.shape == together.chi.shape == (7, len(dims))
        for j, d in enumerate(dims):
            alone = highdim.mean_loglik_along_path(alphas, x_a[:, :d], x_b[:, :d], path=path)
            np.testing.assert_allclose(
                together.gaussian[:, j], alone.gaussian, rtol=1e-5, atol=1e-5
            )
            np.testing.assert_allclose(together.chi[:, j], alone.chi, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dim", DIMS_SHOWN)
def test_chi_loglik_gap_of_the_linear_path(dim):
    # log f_chi(s R) - log f_chi(R) = (D - 1) log s - (s^2 - 1) R^2 / 2, so the expected
    # gap between a lerp point (norm s R) and a draw (norm R) is (D-1) log s + D (1 - s^2)/2.
    n, alpha = 20_000, 0.5
    keys = jax.random.split(jax.random.key(50 + dim), 3)
    x_a, x_b, x_c = (jax.random.normal(k, (n, dim)) for k in keys)
    s = np.sqrt(alpha**2 + (1 - alpha) ** 2)
    on_path = highdim.chi_logpdf(jnp.linalg.norm(highdim.lerp(alpha, x_a, x_b), axis=-1), dim)
    at_draw = highdim.chi_logpdf(jnp.linalg.norm(x_c, axis=-1), dim)
    gap = np.asarray(on_path, np.float64) - np.asarray(at_draw, np.float64)
    expected = (dim - 1) * np.log(s) + dim * (1 - s**2) / 2
    assert abs(gap.mean() - expected) < N_SE * gap.std(ddof=1) / np.sqrt(n)


# --- properties --------------------------------------------------------------------------------

_POINTS = arrays(
    np.float32,
    st.tuples(st.integers(1, 4), st.integers(1, 6)),
    elements=st.floats(-100, 100, width=32),
)


@settings(max_examples=30, deadline=None)
@given(x_a=_POINTS, data=st.data())
def test_interpolation_end_points(x_a, data):
    x_b = data.draw(arrays(np.float32, x_a.shape, elements=st.floats(-100, 100, width=32)))
    for interp in (highdim.lerp, highdim.polar_interp):
        np.testing.assert_allclose(interp(1.0, x_a, x_b), x_a, atol=1e-4)
        np.testing.assert_allclose(interp(0.0, x_a, x_b), x_b, atol=1e-4)


@settings(max_examples=30, deadline=None)
@given(alpha=st.floats(0, 1), x=_POINTS)
def test_lerp_between_a_point_and_itself_is_the_point(alpha, x):
    np.testing.assert_allclose(highdim.lerp(alpha, x, x), x, rtol=1e-5, atol=1e-4)


_PAIRS = {}


def _pairs(dim, n=3000):
    """One fixed, seeded set of pairs per dimension, shared by the property's examples."""
    if dim not in _PAIRS:
        key_a, key_b = jax.random.split(jax.random.key(60 + dim))
        _PAIRS[dim] = (jax.random.normal(key_a, (n, dim)), jax.random.normal(key_b, (n, dim)))
    return _PAIRS[dim]


@settings(max_examples=30, deadline=None, derandomize=True)
@given(alpha=st.floats(0, 1), dim=st.sampled_from([1, 3, 20, 200]))
def test_polar_interp_keeps_the_chi_law_of_the_norm(alpha, dim):
    # derandomize: hypothesis draws the same examples on every run, so the KS p-values
    # are fixed numbers, each above the level.
    x_a, x_b = _pairs(dim)
    norms = np.asarray(jnp.linalg.norm(highdim.polar_interp(alpha, x_a, x_b), axis=-1))
    assert scipy.stats.kstest(norms, scipy.stats.chi(dim).cdf).pvalue > KS_LEVEL


@settings(max_examples=30, deadline=None, derandomize=True)
@given(alpha=st.floats(0.2, 0.8))
def test_lerp_leaves_the_chi_law_in_high_dimension(alpha):
    # Between the end points the linear path shrinks norms by s = sqrt(a^2 + (1 - a)^2) <= 0.82
    # for a in [0.2, 0.8]: in D = 200 the shell moves by > 2 units and KS sees it at once.
    x_a, x_b = _pairs(200)
    norms = np.asarray(jnp.linalg.norm(highdim.lerp(alpha, x_a, x_b), axis=-1))
    assert scipy.stats.kstest(norms, scipy.stats.chi(200).cdf).pvalue < KS_LEVEL


# --- bad inputs ----------------------------------------------------------------------------------


@pytest.mark.parametrize("dim", [0, -2, 2.5, np.nan, np.inf, np.array([3, 0])])
def test_bad_dim_is_a_value_error(dim):
    for fn in (highdim.chi_pdf, highdim.chi_logpdf, distance_pdf, distance_logpdf):
        with pytest.raises(ValueError, match="dim must be an integer >= 1"):
            fn(1.0, dim)
    with pytest.raises(ValueError, match="dim must be an integer >= 1"):
        highdim.chi_mean(dim)
    with pytest.raises(ValueError, match="dim must be an integer >= 1"):
        highdim.unit_ball_log10_prob_bounds(dim)


def test_dim_of_the_wrong_type_is_a_type_error():
    with pytest.raises(TypeError, match="dim"):
        highdim.chi_pdf(1.0, "3")
    with pytest.raises(TypeError, match="dim"):
        highdim.chi_var(True)


def test_non_finite_radius_is_a_value_error():
    with pytest.raises(ValueError, match="r must be finite"):
        highdim.chi_logpdf(np.array([1.0, np.nan]), 3)
    with pytest.raises(ValueError, match="r must be finite"):
        distance_pdf(np.inf, 3)


@pytest.mark.parametrize("alpha", [-0.1, 1.5, np.array([0.5, 2.0])])
def test_alpha_outside_the_unit_interval_is_a_value_error(alpha):
    x = np.zeros((2, 3))
    for interp in (highdim.lerp, highdim.polar_interp):
        with pytest.raises(ValueError, match=r"alpha must lie in \[0, 1\]"):
            interp(alpha, x, x)
    with pytest.raises(ValueError, match="alpha must be finite"):
        highdim.lerp(np.nan, x, x)


def test_mismatched_end_points_are_a_value_error():
    with pytest.raises(ValueError, match=r"same shape, got \(2, 3\) and \(3, 2\)"):
        highdim.polar_interp(0.5, np.zeros((2, 3)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="x_b must be finite"):
        highdim.lerp(0.5, np.zeros(3), np.array([0.0, np.inf, 0.0]))


def test_bad_path_and_shapes_are_value_errors():
    x = np.zeros((4, 3))
    with pytest.raises(ValueError, match="path must be one of"):
        highdim.mean_loglik_along_path(np.linspace(0, 1, 3), x, x, path="spline")
    with pytest.raises(ValueError, match=r"alphas must have shape \(A,\)"):
        highdim.mean_loglik_along_path(0.5, x, x, path="linear")
    with pytest.raises(ValueError, match="scalar"):
        highdim.std_normal_logpdf(1.0)
    with pytest.raises(ValueError, match=r"dims must be a 1-D sequence of integers in \[1, 3\]"):
        highdim.prefix_norms(x, [1, 4])
    with pytest.raises(ValueError, match=r"integers in \[1, 3\]"):
        highdim.mean_loglik_along_path(np.linspace(0, 1, 3), x, x, path="polar", dims=[5])
    with pytest.raises(ValueError, match="shape must be a tuple of integers >= 1"):
        highdim.sample_norms(jax.random.key(0), 0, 3)


@pytest.mark.parametrize("path", ["linear", "polar"])
def test_chi_curve_along_a_path_matches_an_independent_computation(path):
    # The points of each path in float64 numpy, their norms scored by scipy's chi
    # log-density and averaged over the pairs. float32 norms carry a relative error
    # of a few eps; the log-density's derivative in r is (D - 1)/r - r, of order
    # sqrt(D), so 1e-4 absolute covers the float32 rounding for D <= 100.
    n, dim = 300, 100
    key_a, key_b = jax.random.split(jax.random.key(77))
    x_a = jax.random.normal(key_a, (n, dim))
    x_b = jax.random.normal(key_b, (n, dim))
    alphas = np.linspace(0.0, 1.0, 7)
    got = highdim.mean_loglik_along_path(jnp.asarray(alphas), x_a, x_b, path=path, dims=[3, 100])
    a64, b64 = np.asarray(x_a, np.float64), np.asarray(x_b, np.float64)
    w_a, w_b = (alphas, 1 - alphas) if path == "linear" else (np.sqrt(alphas), np.sqrt(1 - alphas))
    points = w_a[:, None, None] * a64 + w_b[:, None, None] * b64  # (A, n, D)
    for j, d in enumerate((3, 100)):
        norms = np.linalg.norm(points[..., :d], axis=-1)
        expected = scipy.stats.chi.logpdf(norms, d).mean(axis=1)
        np.testing.assert_allclose(np.asarray(got.chi)[:, j], expected, rtol=0, atol=1e-4)
        gauss = scipy.stats.norm.logpdf(points[..., :d]).sum(axis=-1).mean(axis=1)
        np.testing.assert_allclose(np.asarray(got.gaussian)[:, j], gauss, rtol=1e-5)


# --- concentration of the norm ---------------------------------------------------------


@pytest.mark.parametrize("dim", [1, 10, 100, 1000])
def test_norm_tail_below_gaussian_concentration_bound(dim):
    """P(| ||x|| - E||x|| | >= t) <= 2 exp(-t^2/2), held against the exact chi(D) tail.

    A simulated tail below the bound proves little where the bound exceeds 1 or has
    a large slack; so the simulation is compared with the exact two-sided tail of
    chi(D) (scipy), its spread with `chi_var`, and the exact tail with the bound on a
    grid of t.
    """
    n = 20_000
    norms = np.asarray(highdim.sample_norms(jax.random.key(dim), n, dim), dtype=np.float64)
    mean = float(highdim.chi_mean(dim))
    sd = float(highdim.chi_var(dim)) ** 0.5
    # the spread of the shell: sample std within N_SE standard errors of the exact one;
    # the standard error of a std is sd sqrt((kurtosis - 1) / (4 n)), and the factor 1.2
    # covers the half-normal's kurtosis 3.87 (D = 1): sqrt(2.87 / 2) = 1.2
    assert abs(norms.std(ddof=1) - sd) < N_SE * sd / np.sqrt(2 * (n - 1)) * 1.2
    dev = np.abs(norms - mean)
    grid = np.linspace(0.25, 4.0, 16)
    exact = scipy.stats.chi.sf(mean + grid, dim)
    exact += scipy.stats.chi.cdf(np.maximum(mean - grid, 0.0), dim)
    assert np.all(exact <= 2 * np.exp(-(grid**2) / 2)), "the exact tail is below the bound"
    simulated = (dev[:, None] >= grid).mean(axis=0)
    se = np.sqrt(exact * (1 - exact) / n)
    assert np.all(np.abs(simulated - exact) < N_SE * se + 2 / n)


# --- near the float32 limits (issue 30): finite and right, or our error ----------------

F32_MAX = float(np.finfo(np.float32).max)


@settings(max_examples=30)
@given(x=float32_rows(2, 3, high=37))
def test_prefix_norms_near_the_float32_limits_match_numpy(x):
    ref = np.sqrt(np.cumsum(x**2, axis=1))
    np.testing.assert_allclose(highdim.prefix_norms(x, [1, 2, 3]), ref, rtol=1e-5)


@settings(max_examples=30)
@given(x_a=float32_rows(2, 3), x_b=float32_rows(2, 3))
def test_prefix_cosines_near_the_float32_limits_match_numpy(x_a, x_b):
    # float64 loses nothing here: scale each row first (the cosine does not change)
    a = x_a / np.abs(x_a).max(axis=1, keepdims=True)
    b = x_b / np.abs(x_b).max(axis=1, keepdims=True)
    ref = np.cumsum(a * b, 1) / np.sqrt(np.cumsum(a**2, 1) * np.cumsum(b**2, 1))
    np.testing.assert_allclose(highdim.prefix_cosines(x_a, x_b, [1, 2, 3]), ref, atol=1e-5)


@settings(max_examples=30)
@given(x=float32_rows(1, 3, high=20))
def test_std_normal_logpdf_near_the_float32_limits_matches_scipy_or_raises(x):
    ref = scipy.stats.norm.logpdf(x).sum(axis=-1)
    if np.all(np.abs(ref) < F32_MAX / 2):
        np.testing.assert_allclose(highdim.std_normal_logpdf(x), ref, rtol=1e-5, atol=1e-5)
    else:
        with pytest.raises(ValueError, match="not representable"):
            highdim.std_normal_logpdf(x)


@settings(max_examples=20)
@given(r=float32_rows(1, 1, -30, 19).map(lambda v: abs(float(v[0, 0]))), dim=st.integers(1, 50))
def test_chi_logpdf_near_the_float32_limits_matches_scipy(r, dim):
    ref = scipy.stats.chi.logpdf(r, dim)
    if abs(ref) < F32_MAX / 2:
        np.testing.assert_allclose(highdim.chi_logpdf(r, dim), ref, rtol=1e-5, atol=1e-4)
    else:
        with pytest.raises(ValueError, match="not representable"):
            highdim.chi_logpdf(r, dim)


@pytest.mark.parametrize("k", [4.0, 4.5, 10.0, 1000.0])
def test_stirling_remainder_series_matches_float64_gammaln(k):
    # Each term of the series matters at k = 4 (1/(1260 k^5) = 7.7e-7 against 0.021),
    # and float32 resolves the remainder to about 2e-9.
    exact = scipy.special.gammaln(k) - ((k - 0.5) * np.log(k) - k + 0.5 * np.log(2 * np.pi))
    np.testing.assert_allclose(float(highdim._stirling_error(jnp.float32(k))), exact, atol=2e-8)


def test_points_without_coordinates_are_a_value_error():
    with pytest.raises(ValueError, match=r"x must have shape \(\.\.\., D\) with D >= 1"):
        highdim.std_normal_logpdf(np.zeros((2, 0)))


# --- issue 32: the chi family with a scale, sample shapes, keys -----------------------------


@pytest.mark.parametrize("scale", [0.3, 1.0, np.sqrt(2), 7.5])
@pytest.mark.parametrize("dim", [1, 2, 5, 50, 1000])
def test_chi_with_scale_matches_scipy_chi_with_scale(dim, scale):
    x = scipy.stats.chi(dim).ppf(np.linspace(0.001, 0.999, 41))
    r = (scale * x).astype(np.float32)
    ref = scipy.stats.chi(dim, scale=scale)
    np.testing.assert_allclose(
        highdim.chi_logpdf(r, dim, scale=scale),
        ref.logpdf(r.astype(np.float64)),
        rtol=2e-5,
        atol=2e-5,
    )
    np.testing.assert_allclose(
        highdim.chi_pdf(r, dim, scale=scale), ref.pdf(r.astype(np.float64)), rtol=1e-4, atol=1e-30
    )
    np.testing.assert_allclose(highdim.chi_mean(dim, scale=scale), ref.mean(), rtol=1e-5)
    np.testing.assert_allclose(highdim.chi_var(dim, scale=scale), ref.var(), rtol=1e-4)


def test_chi_scale_broadcasts_against_r_and_dim():
    r, dims, scales = np.array([[1.0], [2.0]]), np.array([1, 3, 5]), np.array([0.5, 1.0, 2.0])
    got = highdim.chi_logpdf(r, dims, scale=scales)
    assert got.shape == (2, 3)
    np.testing.assert_allclose(got, scipy.stats.chi.logpdf(r, dims, scale=scales), rtol=1e-5)
    assert highdim.chi_mean(dims, scale=scales).shape == (3,)


@pytest.mark.parametrize("scale", [0.0, -1.0, np.nan, np.inf, np.array([1.0, -2.0])])
def test_bad_scale_is_a_value_error_naming_scale(scale):
    for call in (
        lambda: highdim.chi_logpdf(1.0, 3, scale=scale),
        lambda: highdim.chi_pdf(1.0, 3, scale=scale),
        lambda: highdim.chi_mean(3, scale=scale),
        lambda: highdim.chi_var(3, scale=scale),
    ):
        with pytest.raises(ValueError, match="scale must be finite and > 0"):
            call()


def test_scale_is_keyword_only():
    with pytest.raises(TypeError):
        highdim.chi_logpdf(1.0, 3, 2.0)
    with pytest.raises(TypeError):
        highdim.chi_mean(3, 2.0)


@pytest.mark.parametrize("shape", [(4, 5), (2, 3, 2), 7])
@pytest.mark.parametrize("sampler", ["sample_norms", "sample_distances"])
def test_samplers_take_a_shape(sampler, shape):
    draws = getattr(highdim, sampler)(jax.random.key(1), shape, 3)
    assert draws.shape == ((shape,) if isinstance(shape, int) else shape)


@pytest.mark.parametrize(
    ("sampler", "scale"), [("sample_norms", 1.0), ("sample_distances", np.sqrt(2))]
)
def test_samplers_of_a_2d_shape_follow_chi_at_their_scale(sampler, scale):
    dim = 4
    draws = np.asarray(getattr(highdim, sampler)(jax.random.key(3), (60, 50), dim), np.float64)
    flat = draws.ravel()
    ref = scipy.stats.chi(dim, scale=scale)
    assert scipy.stats.kstest(flat, ref.cdf).pvalue > KS_LEVEL
    assert abs(flat.mean() - ref.mean()) < N_SE * ref.std() / np.sqrt(flat.size)


@pytest.mark.parametrize(
    "key", [0, "key", np.zeros(2, np.uint32), jax.random.split(jax.random.key(0), 2)]
)
@pytest.mark.parametrize("sampler", ["sample_norms", "sample_distances"])
def test_samplers_check_their_key(sampler, key):
    with pytest.raises((TypeError, ValueError), match="key must be"):
        getattr(highdim, sampler)(key, 3, 2)


def test_unit_ball_bounds_are_a_named_interval():
    bounds = highdim.unit_ball_log10_prob_bounds(np.array([1, 10]))
    assert bounds._fields == ("lower", "upper")
    lower, upper = bounds
    assert np.all(np.asarray(lower) < np.asarray(upper))


def test_std_normal_logpdf_is_mvn_logpdf_at_mean_0_and_cov_i():
    from gaussml import mvn

    x = np.random.default_rng(4).normal(size=(6, 5)).astype(np.float32)
    np.testing.assert_allclose(
        highdim.std_normal_logpdf(x),
        mvn.logpdf(x, mean=np.zeros(5), cov=np.eye(5)),
        rtol=1e-5,
    )
