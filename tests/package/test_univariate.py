"""gaussml.univariate against scipy.stats.norm, with properties and bad inputs."""

import jax
import jax.numpy as jnp
import jax.scipy.stats
import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

from float32_limits import float32_values
from gaussml import univariate
from gaussml.univariate import logpdf

# JAX computes in float32: relative error of a few ulp (~1e-7) per operation.
RTOL = 1e-5

means = st.floats(-50, 50)
stds = st.floats(1e-2, 50)
points = st.floats(-100, 100)


@pytest.mark.parametrize("std", [0.1, 0.5, 1.0, 3.0])
def test_pdf_matches_scipy(std):
    x = np.linspace(-4.0, 6.0, 101)
    expected = scipy.stats.norm.pdf(x, loc=1.0, scale=std)
    np.testing.assert_allclose(
        univariate.pdf(x, mean=1.0, std=std), expected, rtol=RTOL, atol=1e-30
    )


def test_pdf_exceeds_one_for_small_std():
    peak = univariate.pdf(0.0, std=0.1)
    np.testing.assert_allclose(peak, scipy.stats.norm.pdf(0.0, scale=0.1), rtol=RTOL)
    assert peak > 1.0


@pytest.mark.parametrize(
    ("x", "mean", "std"), [(1e4, 0.0, 1e-3), (-300.0, 0.0, 1.0), (50.0, 2.0, 0.5)]
)
def test_logpdf_is_finite_and_right_in_far_tails(x, mean, std):
    value = univariate.logpdf(x, mean=mean, std=std)
    assert np.isfinite(value)
    np.testing.assert_allclose(value, scipy.stats.norm.logpdf(x, loc=mean, scale=std), rtol=RTOL)
    assert univariate.pdf(x, mean=mean, std=std) >= 0.0


def test_logpdf_broadcasts_like_scipy():
    x = np.linspace(-2, 2, 5)[:, None]
    mean = np.array([0.0, 1.0, -1.0])
    std = np.array([0.5, 1.0, 2.0])
    got = univariate.logpdf(x, mean=mean, std=std)
    assert got.shape == (5, 3)
    np.testing.assert_allclose(got, scipy.stats.norm.logpdf(x, mean, std), rtol=RTOL)


@settings(max_examples=50, deadline=None)
@given(x=points, mean=means, std=stds)
def test_logpdf_matches_scipy_everywhere(x, mean, std):
    expected = scipy.stats.norm.logpdf(x, loc=mean, scale=std)
    # float32 rounds (x - mean)/std with relative error ~1e-7; squared, the
    # absolute error grows with the value itself.
    np.testing.assert_allclose(
        univariate.logpdf(x, mean=mean, std=std), expected, rtol=1e-5, atol=1e-4
    )


@settings(max_examples=50, deadline=None)
@given(z=points, mean=means, std=stds)
def test_affine_inverts_standardisation(z, mean, std):
    x = univariate.affine(z, mean=mean, std=std)
    # x is float32: one ulp of |x| is lost, which is ulp(|x|)/std in z; values below
    # float32's smallest normal number are flushed to zero by XLA on the CPU.
    lost = 2 * float(np.spacing(np.float32(abs(mean) + std * abs(z)))) + float(
        np.finfo(np.float32).tiny
    )
    tolerance = lost / std + 1e-6 * abs(z)
    np.testing.assert_allclose((np.float64(x) - mean) / std, z, rtol=0, atol=tolerance)


@settings(max_examples=30, deadline=None)
@given(x=points, mean=means, std=stds)
def test_density_is_symmetric_about_the_mean(x, mean, std):
    left = univariate.logpdf(mean - x, mean=mean, std=std)
    right = univariate.logpdf(mean + x, mean=mean, std=std)
    # float32 rounds mean +- x to within one ulp of |mean| + |x|; divided by std that
    # perturbs z by `dz`, and z^2/2 by about |z| dz (plus rounding of the result).
    z = abs(x) / std
    dz = 2 * float(np.spacing(np.float32(abs(mean) + abs(x)))) / std
    tolerance = 2 * (z * dz + dz**2) + 1e-5 * (1 + z**2)
    np.testing.assert_allclose(left, right, rtol=0, atol=tolerance)


def test_jit_equals_eager():
    x = jnp.linspace(-3.0, 3.0, 7)
    eager = univariate.logpdf(x, mean=0.5, std=2.0)
    jitted = jax.jit(lambda x, m, s: univariate.logpdf(x, mean=m, std=s))(x, 0.5, 2.0)
    np.testing.assert_allclose(jitted, eager, rtol=1e-6)


def test_sample_shape_and_determinism():
    key = jax.random.key(0)
    a = univariate.sample(key, 1000, mean=3.0, std=2.0)
    b = univariate.sample(key, 1000, mean=3.0, std=2.0)
    assert a.shape == (1000,)
    np.testing.assert_array_equal(a, b)
    c = univariate.sample(jax.random.key(1), 1000, mean=3.0, std=2.0)
    assert not np.allclose(a, c)


@pytest.mark.parametrize(("mean", "std"), [(10.0, 1.28**0.5), (-2.0, 0.1), (0.0, 5.0)])
def test_sample_moments_within_standard_errors(mean, std):
    """Backs claims uni-se-mean and uni-se-var.

    The sample mean has standard error std/sqrt(n) and the unbiased sample
    variance std^2 sqrt(2/(n-1)); a 5 standard-error band is missed with
    probability below 1e-6 (Gaussian tails), and the seed makes it deterministic.
    """
    n = 100_000
    draws = np.asarray(
        univariate.sample(jax.random.key(42), n, mean=mean, std=std), dtype=np.float64
    )
    se_mean = std / np.sqrt(n)
    se_var = std**2 * np.sqrt(2.0 / (n - 1))
    assert abs(draws.mean() - mean) < 5 * se_mean
    assert abs(draws.var(ddof=1) - std**2) < 5 * se_var


def test_sample_distribution_passes_ks():
    draws = np.asarray(univariate.sample(jax.random.key(7), 20_000, mean=1.0, std=0.5))
    # Seeded, so deterministic; at level 1e-3 a correct sampler fails for 1 seed in 1000.
    assert scipy.stats.kstest(draws, scipy.stats.norm(loc=1.0, scale=0.5).cdf).pvalue > 1e-3


@pytest.mark.parametrize("std", [0.0, -1.0, np.inf, np.nan])
def test_bad_std_is_rejected(std):
    with pytest.raises(ValueError, match="std must be finite and > 0"):
        univariate.pdf(0.0, std=std)
    with pytest.raises(ValueError, match="std"):
        univariate.logpdf(0.0, std=std)
    with pytest.raises(ValueError, match="std"):
        univariate.sample(jax.random.key(0), 3, std=std)
    with pytest.raises(ValueError, match="std"):
        univariate.affine(0.0, mean=0.0, std=std)


def test_bad_std_array_is_rejected():
    with pytest.raises(ValueError, match="std must be finite and > 0"):
        univariate.logpdf(0.0, std=np.array([1.0, -1.0]))


@pytest.mark.parametrize(
    ("shape", "error"),
    [
        (0, ValueError),
        (-5, ValueError),
        ((3, 0), ValueError),
        (2.5, TypeError),
        (True, TypeError),
        ((2.0, 3), TypeError),
        ("3", TypeError),
    ],
)
def test_bad_sample_shape_is_rejected(shape, error):
    with pytest.raises(error, match="shape must"):
        univariate.sample(jax.random.key(0), shape)


def test_non_numeric_std_is_a_type_error():
    with pytest.raises(TypeError, match="std must be a real number"):
        univariate.pdf(0.0, std="1")


# --- fit_mle ---------------------------------------------------------------------------


@pytest.mark.parametrize(("mean", "std", "n"), [(0.0, 1.0, 5), (3.0, 0.2, 100), (-7.0, 4.0, 1)])
def test_fit_mle_matches_scipy_norm_fit(mean, std, n):
    x = np.asarray(univariate.sample(jax.random.key(3), n, mean=mean, std=std), np.float64)
    expected_mean, expected_std = scipy.stats.norm.fit(x)  # the MLE: std divides by n
    got_mean, got_std = univariate.fit_mle(x)
    np.testing.assert_allclose(got_mean, expected_mean, rtol=RTOL, atol=1e-6)
    np.testing.assert_allclose(got_std, expected_std, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(got_std, np.std(x, ddof=0), rtol=1e-4, atol=1e-6)


def test_fit_mle_variance_is_biased_by_n_minus_one_over_n():
    """Backs claim uni-mle-bias: E[std_hat^2] = (n-1)/n std^2.

    Over R independent samples of size n the average of std_hat^2 has standard
    error sqrt(Var[std_hat^2] / R), with Var[std_hat^2] = 2 (n-1) std^4 / n^2
    (chi-square law); a 5 standard-error band is missed with probability < 1e-6.
    """
    n, repeats, std = 5, 20_000, 1.5
    keys = jax.random.split(jax.random.key(11), repeats)
    samples = jax.vmap(lambda k: univariate.sample(k, n, mean=2.0, std=std))(keys)
    var_hat = np.asarray(jax.vmap(univariate.fit_mle)(samples)[1], np.float64) ** 2
    expected = (n - 1) / n * std**2
    se = np.sqrt(2 * (n - 1) * std**4 / n**2 / repeats)
    assert abs(var_hat.mean() - expected) < 5 * se
    # and the unbiased estimate corrects it
    assert abs(n / (n - 1) * var_hat.mean() - std**2) < 5 * n / (n - 1) * se
    # the bias is many standard errors: the test would see an unbiased estimator
    assert std**2 - expected > 10 * se


@pytest.mark.parametrize(
    "x", [[1.0, np.nan], [np.inf, 0.0], [], np.zeros((2, 2))], ids=["nan", "inf", "empty", "2d"]
)
def test_fit_mle_rejects_bad_input_naming_x(x):
    with pytest.raises(ValueError, match="x must"):
        univariate.fit_mle(np.asarray(x))


# --- box_muller ------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 7])
def test_box_muller_shape_and_determinism(n):
    key = jax.random.key(5)
    a, b = univariate.box_muller(key, n), univariate.box_muller(key, n)
    assert a.shape == (n,)
    np.testing.assert_array_equal(a, b)
    assert np.all(np.isfinite(a))


def test_box_muller_draws_are_standard_normal():
    """Backs claim uni-box-muller: KS against scipy's N(0, 1), and the two moments.

    Seeded, so deterministic; at level 1e-3 a correct sampler fails for 1 seed in 1000.
    """
    n = 20_000
    draws = np.asarray(univariate.box_muller(jax.random.key(8), n), np.float64)
    assert scipy.stats.kstest(draws, scipy.stats.norm.cdf).pvalue > 1e-3
    assert abs(draws.mean()) < 5 / np.sqrt(n)
    assert abs(draws.var(ddof=1) - 1.0) < 5 * np.sqrt(2.0 / (n - 1))
    # the cos and sin halves are uncorrelated (independent in theory)
    half = n // 2
    assert abs(np.corrcoef(draws[:half], draws[half:])[0, 1]) < 5 / np.sqrt(half)


@pytest.mark.parametrize(
    ("shape", "error"), [(0, ValueError), (2.5, TypeError), ((2, -1), ValueError)]
)
def test_box_muller_bad_shape_is_rejected(shape, error):
    with pytest.raises(error, match="shape must"):
        univariate.box_muller(jax.random.key(0), shape)


# --- issue 32: shapes, named results, keyword-only scales --------------------------------


@pytest.mark.parametrize("shape", [(7,), (3, 4), (2, 3, 5), 6])
@pytest.mark.parametrize("sampler", ["sample", "box_muller"])
def test_samplers_take_a_shape_like_jax_random_normal(sampler, shape):
    draws = getattr(univariate, sampler)(jax.random.key(2), shape)
    want = (shape,) if isinstance(shape, int) else shape
    assert draws.shape == want
    assert jnp.all(jnp.isfinite(draws))


@pytest.mark.parametrize("sampler", ["sample", "box_muller"])
def test_an_integer_n_is_the_shape_n(sampler):
    key = jax.random.key(5)
    f = getattr(univariate, sampler)
    np.testing.assert_array_equal(f(key, 9), f(key, (9,)))


@pytest.mark.parametrize("shape", [(200, 150), (30_000,)])
def test_sample_of_any_shape_is_n_mean_std2_by_ks_and_moments(shape):
    mean, std = -2.0, 3.0
    draws = np.asarray(
        univariate.sample(jax.random.key(11), shape, mean=mean, std=std), np.float64
    ).ravel()
    n = draws.size
    assert abs(draws.mean() - mean) < 5 * std / np.sqrt(n)
    assert abs(draws.var(ddof=1) - std**2) < 5 * std**2 * np.sqrt(2.0 / (n - 1))
    assert scipy.stats.kstest(draws, scipy.stats.norm(mean, std).cdf).pvalue > 1e-3


def test_box_muller_of_a_2d_shape_is_standard_normal_by_ks_and_moments():
    draws = np.asarray(univariate.box_muller(jax.random.key(12), (101, 99)), np.float64).ravel()
    n = draws.size
    assert abs(draws.mean()) < 5 / np.sqrt(n)
    assert abs(draws.var(ddof=1) - 1.0) < 5 * np.sqrt(2.0 / (n - 1))
    assert scipy.stats.kstest(draws, scipy.stats.norm.cdf).pvalue > 1e-3


def test_fit_mle_returns_a_named_normal_that_unpacks():
    x = jnp.array([1.0, 2.0, 4.0, 7.0])
    fit = univariate.fit_mle(x)
    assert isinstance(fit, univariate.Normal)
    assert fit._fields == ("mean", "std")
    mean, std = fit
    assert isinstance(mean, jax.Array) and isinstance(std, jax.Array)
    np.testing.assert_allclose(fit.mean, np.mean([1.0, 2.0, 4.0, 7.0]), rtol=1e-6)
    np.testing.assert_allclose(fit.std, np.std([1.0, 2.0, 4.0, 7.0]), rtol=1e-6)
    assert float(std) == pytest.approx(float(fit.std))


def test_interval_is_a_named_pair_that_unpacks():
    interval = univariate.Interval(jnp.zeros(2), jnp.ones(2))
    lower, upper = interval
    assert interval._fields == ("lower", "upper")
    np.testing.assert_array_equal(lower, interval.lower)
    np.testing.assert_array_equal(upper, interval.upper)


@pytest.mark.parametrize(
    "call",
    [
        lambda: univariate.sample(jax.random.key(0), 3, 0.0, 1.0),
        lambda: univariate.logpdf(0.0, 0.0, 1.0),
        lambda: univariate.pdf(0.0, 0.0, 1.0),
        lambda: univariate.affine(0.0, 0.0, 1.0),
    ],
)
def test_std_is_keyword_only(call):
    with pytest.raises(TypeError):
        call()


def test_the_checked_functions_keep_name_docstring_and_signature():
    import inspect

    for f in (univariate.sample, univariate.box_muller, univariate.fit_mle, univariate.pdf):
        assert f.__module__ == "gaussml.univariate" and f.__doc__
    assert list(inspect.signature(univariate.sample).parameters) == ["key", "shape", "mean", "std"]


def test_a_traced_shape_free_call_under_jit_and_vmap_gives_the_same_draws():
    keys = jax.random.split(jax.random.key(3), 4)
    batch = jax.vmap(lambda k: univariate.sample(k, (5,), mean=1.0, std=2.0))(keys)
    one = univariate.sample(keys[2], (5,), mean=1.0, std=2.0)
    np.testing.assert_allclose(batch[2], one, rtol=1e-6)


# --- the chi-square law of the sample variance ------------------------------------------


def test_scaled_sample_variance_is_chi_square():
    """Backs claim uni-se-var: (n-1) s^2 / std^2 ~ chi-square(n-1) (Cochran's theorem).

    KS test of many scaled sample variances against scipy's chi-square; seeded,
    at level 1e-3.
    """
    n, repeats, std = 6, 20_000, 0.7
    keys = jax.random.split(jax.random.key(12), repeats)
    samples = np.asarray(
        jax.vmap(lambda k: univariate.sample(k, n, mean=-1.0, std=std))(keys), np.float64
    )
    scaled = (n - 1) * samples.var(axis=1, ddof=1) / std**2
    assert scipy.stats.kstest(scaled, scipy.stats.chi2(n - 1).cdf).pvalue > 1e-3


# --- the log-density as chapter 3 uses it: scalars, vectors, broadcasting ----------


def test_logpdf_scalar():
    got = logpdf(0.7, mean=-0.2, std=0.4)
    assert np.shape(got) == ()
    np.testing.assert_allclose(got, scipy.stats.norm.logpdf(0.7, -0.2, 0.4), rtol=1e-6)
    np.testing.assert_allclose(got, jax.scipy.stats.norm.logpdf(0.7, -0.2, 0.4), rtol=1e-6)


def test_logpdf_vector_with_scalar_parameters():
    y = np.asarray(jax.random.normal(jax.random.key(1), (100,)))
    got = logpdf(y, mean=0.5, std=1.7)
    assert got.shape == (100,)
    np.testing.assert_allclose(got, scipy.stats.norm.logpdf(y, 0.5, 1.7), rtol=1e-5)
    np.testing.assert_allclose(got, jax.scipy.stats.norm.logpdf(y, 0.5, 1.7), rtol=1e-5)


def test_logpdf_broadcasts():
    key_y, key_m, key_s = jax.random.split(jax.random.key(2), 3)
    y = jax.random.normal(key_y, (4, 1))
    mean = jax.random.normal(key_m, (10,))
    std = jax.random.uniform(key_s, (10,), minval=0.1, maxval=3.0)
    got = logpdf(y, mean=mean, std=std)
    assert got.shape == (4, 10)
    np.testing.assert_allclose(got, jax.scipy.stats.norm.logpdf(y, mean, std), rtol=1e-5)
    np.testing.assert_allclose(
        got, scipy.stats.norm.logpdf(np.asarray(y), np.asarray(mean), np.asarray(std)), rtol=1e-5
    )


@settings(max_examples=30, deadline=None)
@given(y=st.floats(-100, 100), mean=st.floats(-50, 50), std=st.floats(1e-2, 50))
def test_logpdf_matches_scipy_over_a_box(y, mean, std):
    # float32 rounds (y - mean)/std with relative error ~1e-7; squared, the
    # absolute error grows with the value, hence rtol plus a small atol.
    np.testing.assert_allclose(
        logpdf(y, mean=mean, std=std),
        scipy.stats.norm.logpdf(y, mean, std),
        rtol=1e-5,
        atol=1e-4,
    )


def test_logpdf_is_finite_where_the_true_value_is_representable():
    # At x = 2e19, std = 1 the log-density is -2e38, within float32's range
    # (3.4e38), although x**2 = 4e38 is not.
    got = float(logpdf(2e19))
    np.testing.assert_allclose(got, scipy.stats.norm.logpdf(2e19), rtol=1e-6)


def test_box_muller_rejects_a_seed_in_place_of_a_key():
    with pytest.raises(TypeError, match="key must be a JAX random key"):
        univariate.box_muller(0, 3)


# --- near the float32 limits (issue 30): finite and right, or our error ----------------

F32_MAX = float(np.finfo(np.float32).max)


@settings(max_examples=30)
@given(x=float32_values(3), std=float32_values(1, -18, 18).map(lambda s: abs(float(s[0]))))
def test_logpdf_near_the_float32_limits_matches_scipy_or_raises(x, std):
    ref = scipy.stats.norm.logpdf(x, 0.0, np.float32(std))
    if np.all(np.abs(ref) < F32_MAX):
        np.testing.assert_allclose(univariate.logpdf(x, std=std), ref, rtol=1e-5, atol=1e-5)
    else:
        with pytest.raises(ValueError, match="not representable in float32"):
            univariate.logpdf(x, std=std)


@settings(max_examples=30)
@given(x=float32_values(4))
def test_fit_mle_near_the_float32_limits_matches_numpy(x):
    mean, std = univariate.fit_mle(x)
    scale = np.max(np.abs(x))  # both estimates are at most max |x|: errors relative to it
    np.testing.assert_allclose(float(mean), np.mean(x), rtol=0, atol=1e-6 * scale)
    np.testing.assert_allclose(float(std), np.std(x), rtol=0, atol=1e-6 * scale)
