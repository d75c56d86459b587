"""The univariate Gaussian N(mean, std^2): density, log-density, affine map, sampler.

Every function takes the standard deviation `std`, never the variance, the
same convention as `scipy.stats.norm(loc, scale)`.
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp

from gaussml._checks import (
    finite,
    positive_finite,
    positive_int,
    positive_scalar,
    prng_key,
    scalar,
)

__all__ = ["affine", "logpdf", "pdf", "sample"]

_HALF_LOG_2PI = 0.5 * jnp.log(2.0 * jnp.pi)


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
        positive in the computation dtype.
      TypeError: if an argument is not a real number or array.
    """
    finite(x, "x")
    finite(mean, "mean")
    positive_finite(std, "std")
    z = (jnp.asarray(x) - mean) / std
    # (z / 2) * z, not z**2 / 2: the square overflows float32 for |z| > 1.8e19 while
    # the log-density, about -z**2 / 2, is still representable up to |z| = 2.6e19.
    return -(0.5 * z) * z - jnp.log(std) - _HALF_LOG_2PI


def pdf(x, *, mean=0.0, std=1.0):
    r"""Density of N(mean, std^2).

    $p(x) = \frac{1}{\sqrt{2\pi}\,\sigma} \exp\!\big(-\tfrac{(x-\mu)^2}{2\sigma^2}\big)$.
    It exceeds 1 near the mean exactly when $\sigma < 1/\sqrt{2\pi}$.

    Args and shapes as in `logpdf`.
    """
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
    return mean + std * jnp.asarray(z)


def sample(key, n, *, mean=0.0, std=1.0):
    """Draw `n` independent samples from N(mean, std^2).

    One vectorised call: standard normal draws from `key`, then `affine`.

    Args:
      key: a `jax.random` key.
      n: the number of draws (an integer >= 1).
      mean: the mean (a scalar).
      std: the standard deviation (a scalar, > 0, finite).

    Returns:
      An array of shape `(n,)`.
    """
    prng_key(key)
    n = positive_int(n, "n")
    scalar(mean, "mean")
    positive_scalar(std, "std")
    return _sample(key, n, mean, std)


@partial(jax.jit, static_argnums=1)
def _sample(key, n, mean, std):
    return mean + std * jax.random.normal(key, (n,))
