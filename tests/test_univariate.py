"""gaussml.univariate against scipy.stats.norm, with properties and bad inputs."""

import jax
import jax.numpy as jnp
import jax.scipy.stats
import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

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
    ("n", "error"), [(0, ValueError), (-5, ValueError), (2.5, TypeError), (True, TypeError)]
)
def test_bad_sample_size_is_rejected(n, error):
    with pytest.raises(error, match="n must"):
        univariate.sample(jax.random.key(0), n)


def test_non_numeric_std_is_a_type_error():
    with pytest.raises(TypeError, match="std must be a real number"):
        univariate.pdf(0.0, std="1")


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
