"""The univariate Gaussian N(mean, std^2): density, sampler, Box-Muller, estimates.

Every function takes the standard deviation `std`, never the variance, the
same convention as `scipy.stats.norm(loc, scale)`, and always by keyword.
Samplers take a shape, as `jax.random.normal(key, shape)` does (an integer n
is the shape `(n,)`). A multi-part result is a named tuple (`Normal`,
`Interval`), which unpacks like a tuple.
"""

from __future__ import annotations

import math
from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp

from gaussml._checks import (
    array,
    broadcastable,
    checked,
    finite,
    positive_finite,
    positive_scalar,
    power_of_two_scale,
    prng_key,
    representable,
    sample_shape,
    scalar,
)

__all__ = ["Interval", "Normal", "affine", "box_muller", "fit_mle", "logpdf", "pdf", "sample"]

_HALF_LOG_2PI = 0.5 * jnp.log(2.0 * jnp.pi)


class Normal(NamedTuple):
    r"""The normal law $N(\mu, \sigma^2)$ as its two parameters; unpacks as `mean, std`."""

    #: $\mu$, a scalar or an array (one mean per point).
    mean: jax.Array
    #: $\sigma$ (> 0), the standard deviation, the shape of `mean`.
    std: jax.Array


class Interval(NamedTuple):
    """An interval of the real line, or one per entry; unpacks as `lower, upper`."""

    #: The lower end points.
    lower: jax.Array
    #: The upper end points, the shape of `lower`.
    upper: jax.Array


def logpdf(x, *, mean=0.0, std=1.0):
    r"""Log-density of N(mean, std^2), computed in log space.

    $\log p(x) = -\tfrac12 \big(\tfrac{x - \mu}{\sigma}\big)^2 - \log \sigma - \tfrac12 \log 2\pi$.

    Finite wherever the true value is representable, e.g. far in the tails
    (x = 1e4, std = 1e-3, or x = 2e19), where `log(pdf(x))` would be `-inf`.

    Args:
      x: points, any shape; broadcasts against `mean` and `std`.
      mean: the mean, broadcastable to `x`.
      std: the standard deviation (> 0, finite), broadcastable to `x`.

    Returns:
      The log-density, shape `broadcast(x, mean, std)`.

    Raises:
      ValueError: if `x` or `mean` is not finite, or `std` is not finite and
        positive in the computation dtype, or the log-density is below the
        dtype's range ($|z|$ above 2.6e19 in float32).
      TypeError: if an argument is not a real number or array.
    """
    finite(x, "x")
    finite(mean, "mean")
    positive_finite(std, "std")
    broadcastable(x=x, mean=mean, std=std)
    z = (jnp.asarray(x) - mean) / std
    # (z / 2) * z, not z**2 / 2: the square overflows float32 for |z| > 1.8e19 while
    # the log-density, about -z**2 / 2, is still representable up to |z| = 2.6e19.
    log_p = -(0.5 * z) * z - jnp.log(std) - _HALF_LOG_2PI
    return representable(log_p, "the log-density", x=x, mean=mean, std=std)


def _check_density(x, mean, std):
    """`x`, `mean` finite, `std` finite and > 0, all three broadcastable."""
    finite(x, "x")
    finite(mean, "mean")
    positive_finite(std, "std")
    broadcastable(x=x, mean=mean, std=std)
    return dict(x=x, mean=mean, std=std)


@checked(_check_density)
@jax.jit
def pdf(x, *, mean=0.0, std=1.0):
    r"""Density of N(mean, std^2).

    $p(x) = \frac{1}{\sqrt{2\pi}\,\sigma} \exp\!\big(-\tfrac{(x-\mu)^2}{2\sigma^2}\big)$.
    It exceeds 1 near the mean exactly when $\sigma < 1/\sqrt{2\pi}$.

    Args and shapes as in `logpdf`; where the log-density is below the
    dtype's range the density is 0 (no error).
    """
    # Traced, logpdf checks nothing: a log-density of -inf gives the density 0.
    return jnp.exp(logpdf(x, mean=mean, std=std))


def affine(z, *, mean, std):
    r"""Map standard normal draws to N(mean, std^2): $x = \mu + \sigma z$.

    If $z \sim N(0, 1)$ then $\mu + \sigma z \sim N(\mu, \sigma^2)$; the
    change of variables is derived in chapter 1.

    Args:
      z: standard normal values, any shape.
      mean: the target mean, broadcastable to `z`.
      std: the target standard deviation (> 0, finite), broadcastable to `z`.

    Returns:
      `mean + std * z`, shape `broadcast(z, mean, std)`.
    """
    finite(z, "z")
    positive_finite(std, "std")
    finite(mean, "mean")
    broadcastable(z=z, mean=mean, std=std)
    return representable(mean + std * jnp.asarray(z), "mean + std * z", z=z, mean=mean, std=std)


def _check_sample(key, shape, mean, std):
    """The checked arguments of `sample`: a key, a shape, a scalar mean, a scalar std > 0."""
    return dict(
        key=prng_key(key),
        shape=sample_shape(shape),
        mean=scalar(mean, "mean"),
        std=positive_scalar(std, "std"),
    )


def _representable_draws(draws, key, shape, mean, std):
    return representable(draws, "a draw", mean=mean, std=std)


@checked(_check_sample, result=_representable_draws)
@partial(jax.jit, static_argnames="shape")
def sample(key, shape, *, mean=0.0, std=1.0):
    """Independent draws from N(mean, std^2), an array of shape `shape`.

    One vectorised call: standard normal draws from `key`, then `affine`'s map.

    Args:
      key: a `jax.random` key.
      shape: the shape of the draws, a tuple of integers >= 1 (an integer n
        is the shape `(n,)`), as in `jax.random.normal(key, shape)`.
      mean: the mean (a scalar).
      std: the standard deviation (a scalar, > 0, finite).

    Returns:
      An array of shape `shape`.
    """
    return mean + std * jax.random.normal(key, shape)


def _check_key_and_shape(key, shape):
    return dict(key=prng_key(key), shape=sample_shape(shape))


@checked(_check_key_and_shape)
@partial(jax.jit, static_argnames="shape")
def box_muller(key, shape):
    r"""Standard normal draws of shape `shape` by the Box-Muller transform.

    From independent $u_1, u_2 \sim U(0, 1]$,
    $z_1 = \sqrt{-2 \log u_1} \cos(2\pi u_2)$ and
    $z_2 = \sqrt{-2 \log u_1} \sin(2\pi u_2)$ are independent N(0, 1);
    chapter 1 checks the Jacobian. Each pair of uniforms gives two draws.

    Args:
      key: a `jax.random` key.
      shape: the shape of the draws, a tuple of integers >= 1 (an integer n
        is the shape `(n,)`).

    Returns:
      An array of shape `shape`.
    """
    n = math.prod(shape)
    pairs = (n + 1) // 2
    key_radius, key_angle = jax.random.split(key)
    # 1 - U(0, 1) lies in (0, 1]: log(u1) stays finite.
    u1 = 1.0 - jax.random.uniform(key_radius, (pairs,))
    u2 = jax.random.uniform(key_angle, (pairs,))
    radius = jnp.sqrt(-2.0 * jnp.log(u1))
    angle = 2.0 * jnp.pi * u2
    z = jnp.concatenate([radius * jnp.cos(angle), radius * jnp.sin(angle)])
    return z[:n].reshape(shape)


@checked(lambda x: dict(x=array(x, "x", ndim=1)))
@jax.jit
def fit_mle(x):
    r"""Maximum-likelihood estimates of the mean and std of N(mean, std^2).

    $\hat\mu = \frac1n \sum_i x_i$ and
    $\hat\sigma = \sqrt{\frac1n \sum_i (x_i - \hat\mu)^2}$.
    The variance estimate divides by $n$, not $n - 1$: it is the maximiser of
    the likelihood, and biased, $E[\hat\sigma^2] = \frac{n-1}{n}\sigma^2$.

    Both are computed on $x / s$, with $s$ the power of 2 just below
    $\max_i |x_i|$ (an exact scaling), in two passes (the mean, then the
    squared deviations from it): no sum overflows and no square underflows,
    so every finite `x` gives finite estimates (both are at most $\max_i |x_i|$).

    Args:
      x: the observations, shape `(n,)` with n >= 1, all finite.

    Returns:
      `Normal(mean, std)`, two scalars; unpacks as `mean, std = fit_mle(x)`.

    Raises:
      ValueError: if `x` is empty, not one-dimensional, or not finite.
    """
    scale = power_of_two_scale(jnp.max(jnp.abs(x)))
    scaled = x / scale
    mean = jnp.mean(scaled)
    return Normal(scale * mean, scale * jnp.sqrt(jnp.mean((scaled - mean) ** 2)))
