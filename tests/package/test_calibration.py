"""gaussml.calibration against scipy.stats, by simulation and with bad inputs."""

import jax
import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

from gaussml import calibration

# float32: a cdf near 1/2 carries an absolute error of a few ulp per operation.
ATOL = 2e-6


def test_pit_gaussian_matches_scipy():
    y = np.linspace(-6.0, 8.0, 57)
    got = calibration.pit_gaussian(y, mean=1.0, std=2.5)
    np.testing.assert_allclose(got, scipy.stats.norm.cdf(y, loc=1.0, scale=2.5), atol=ATOL)


@pytest.mark.parametrize("df", [0.5, 1.0, 3.0, 10.0, 300.0])
def test_pit_student_t_matches_scipy(df):
    y = np.linspace(-20.0, 24.0, 89)
    got = calibration.pit_student_t(y, loc=2.0, scale=1.5, df=df)
    expected = scipy.stats.t.cdf(y, df, loc=2.0, scale=1.5)
    # float32's incomplete beta function loses digits for large df (about 4e-5
    # at df = 300), where the t is within 1e-3 of the Gaussian anyway.
    np.testing.assert_allclose(got, expected, atol=10 * ATOL if df < 100 else 1e-4)


@settings(max_examples=40, deadline=None)
@given(
    y=st.floats(-1e3, 1e3),
    loc=st.floats(-1e3, 1e3),
    scale=st.floats(1e-2, 1e2),
    df=st.floats(0.5, 1e3),
)
def test_pit_student_t_is_a_cdf_value_and_matches_scipy(y, loc, scale, df):
    got = float(calibration.pit_student_t(y, loc=loc, scale=scale, df=df))
    assert 0.0 <= got <= 1.0
    expected = scipy.stats.t.cdf(y, df, loc=loc, scale=scale)
    assert abs(got - expected) <= 1e-4


def test_central_coverage_counts_the_central_intervals():
    pit = np.array([0.01, 0.2, 0.43, 0.5, 0.62, 0.9, 0.97, 0.999])
    levels = np.array([0.0, 0.1, 0.5, 0.9, 1.0])  # no PIT value on an interval's edge
    expected = [np.mean(np.abs(pit - 0.5) <= ell / 2) for ell in levels]
    np.testing.assert_allclose(calibration.central_coverage(pit, levels=levels), expected)
    assert np.shape(calibration.central_coverage(pit, levels=0.5)) == ()


def test_calibrated_predictive_covers_each_level_within_four_standard_errors():
    n = 20_000
    key_mean, key_noise = jax.random.split(jax.random.key(0))
    mean = 3.0 * jax.random.normal(key_mean, (n,))
    std = 0.5 + jax.numpy.abs(mean)
    y = mean + std * jax.random.normal(key_noise, (n,))
    levels = np.array([0.5, 0.8, 0.9, 0.95])
    pit = calibration.pit_gaussian(y, mean=mean, std=std)
    coverage = np.asarray(calibration.central_coverage(pit, levels=levels))
    se = calibration.coverage_se(levels, n=n)
    np.testing.assert_array_less(np.abs(coverage - levels), 4 * se)


def test_too_narrow_a_predictive_undercovers():
    n = 20_000
    y = jax.random.normal(jax.random.key(1), (n,))
    pit = calibration.pit_gaussian(y, mean=0.0, std=0.5)
    coverage = float(calibration.central_coverage(pit, levels=0.9))
    # P(|y| <= 0.5 * 1.645) = 0.59 for the true N(0, 1): far below 0.9.
    expected = 2 * scipy.stats.norm.cdf(0.5 * scipy.stats.norm.ppf(0.95)) - 1
    assert abs(coverage - expected) <= 4 * np.sqrt(expected * (1 - expected) / n)


def test_coverage_se_is_the_binomial_standard_error():
    se = calibration.coverage_se([0.5, 0.9], n=100)
    assert isinstance(se, jax.Array) and se.shape == (2,)  # a JAX array, as the package returns
    np.testing.assert_allclose(se, [0.05, np.sqrt(0.09 / 100)], rtol=1e-6)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: calibration.central_coverage([0.2, 1.5], levels=0.5), "pit must lie in"),
        (lambda: calibration.central_coverage([], levels=0.5), "pit must hold"),
        (lambda: calibration.central_coverage([0.2], levels=[0.5, -0.1]), "levels must lie"),
        (lambda: calibration.pit_gaussian([1.0, np.nan], mean=0.0, std=1.0), "y must be finite"),
        (lambda: calibration.pit_gaussian(1.0, mean=0.0, std=0.0), "std must be finite and > 0"),
        (lambda: calibration.pit_student_t(1.0, loc=0.0, scale=1.0, df=-2.0), "df must be"),
        (lambda: calibration.coverage_se(0.5, n=0), "n must be an integer"),
    ],
)
def test_bad_input_names_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()
