r"""The multivariate Gaussian $N(\mu, \Sigma)$ on $\mathbb{R}^D$.

Array layout, as everywhere in the package: a batch of points is an array of
shape `(n, D)`, one point per row; a single point has shape `(D,)`. The mean
has shape `(D,)` and the covariance `(D, D)`.

Every function factors the covariance once, $\Sigma = L L^\top$ (Cholesky,
$L$ lower triangular), and works with $L$: the log-density and the
Mahalanobis distance solve the triangular system $L z = x - \mu$, and
`sample` maps standard normal draws $\varepsilon$ to $\mu + L \varepsilon$,
which is $N(\mu, L L^\top)$ by the affine property.

`marginal` and `conditional` return a `Gaussian(mean, cov)`, a named tuple
that unpacks as `mean, cov = ...`.

Bad input raises: NaN or infinite entries and wrong shapes name the
argument; a covariance that is not symmetric positive definite raises
`ValueError` naming `cov`.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.linalg import solve_triangular

from gaussml import _checks
from gaussml._checks import checked, is_traced, prng_key, representable, sample_shape

__all__ = ["Gaussian", "cholesky", "conditional", "logpdf", "mahalanobis", "marginal", "sample"]

_LOG_2PI = float(np.log(2.0 * np.pi))


class Gaussian(NamedTuple):
    r"""The Gaussian $N(\mu, \Sigma)$ as its two parameters; unpacks as `mean, cov`."""

    #: $\mu$, shape `(K,)`, or `(..., K)` for a batch of conditionals.
    mean: jax.Array
    #: $\Sigma$, shape `(K, K)`, symmetric positive definite.
    cov: jax.Array


def _mean_and_cov(mean, cov):
    """Check shapes and values of `mean` (D,) and `cov` (D, D); return them as arrays."""
    mean = _checks.array(mean, "mean", nonempty=False)
    cov = _checks.array(cov, "cov", nonempty=False)
    if mean.ndim != 1 or mean.shape[0] < 1:
        raise ValueError(f"mean must have shape (D,) with D >= 1, got shape {mean.shape}")
    d = mean.shape[0]
    if cov.shape != (d, d):
        raise ValueError(f"cov must have shape (D, D) = ({d}, {d}) to match mean, got {cov.shape}")
    return mean, cov


def cholesky(cov):
    r"""The lower-triangular factor $L$ of $\Sigma = L L^\top$.

    Raises `ValueError` naming `cov` if it is not a finite real (D, D) matrix
    with D >= 1 (in the computation dtype: 1e39 is infinite in float32), not
    symmetric (to a relative tolerance of 1e-6), not positive definite, or so
    close to singular that the factorisation fails in the computation dtype;
    `TypeError` if it is complex, boolean or longdouble.
    """
    cov = _checks.array(cov, "cov", ndim=2)
    if cov.shape[0] != cov.shape[1]:
        raise ValueError(f"cov must be a square (D, D) matrix, got shape {cov.shape}")
    if not is_traced(cov):
        arr = np.asarray(cov, dtype=np.float64)
        scale = max(float(np.max(np.abs(arr))), np.finfo(np.float64).tiny)
        if not np.allclose(arr, arr.T, rtol=0.0, atol=1e-6 * scale):
            raise ValueError(f"cov must be symmetric, got {arr.tolist()!r}")
        if np.any(np.linalg.eigvalsh(arr) <= 0):
            raise ValueError(f"cov must be positive definite, got {arr.tolist()!r}")
    chol = jnp.linalg.cholesky(cov)
    if not is_traced(chol) and not bool(jnp.all(jnp.isfinite(chol))):
        raise ValueError(
            f"cov cannot be factored in {cov.dtype}: its Cholesky factor has non-finite "
            "entries (cov too close to singular, or its entries too large), got "
            f"{_checks.short(np.asarray(cov).tolist())}"
        )
    return chol


def _points(x, d: int):
    """Check that `x` is finite with last axis D; return it as an array."""
    x = _checks.array(x, "x", nonempty=False)
    if x.ndim < 1 or x.shape[-1] != d:
        raise ValueError(f"x must have shape (..., D) with D = {d}, got shape {x.shape}")
    return x


def _whiten(x, mean, chol):
    """$z = L^{-1}(x - \\mu)$ for every row of `x`, shape `x.shape`.

    `x` and `mean` are first divided by one power of 2 (exactly), so that
    `x - mean` and the solve cannot overflow; returns `(z / scale, scale)`.
    """
    scale = _checks.power_of_two_scale(jnp.maximum(jnp.max(jnp.abs(x)), jnp.max(jnp.abs(mean))))
    centred = (x / scale - mean / scale).reshape(-1, mean.shape[0])
    z = solve_triangular(chol, centred.T, lower=True).T
    return z.reshape(x.shape), scale


@jax.jit
def _norm_of_whitened(x, mean, chol):
    """`||L^{-1}(x - mean)||` over the last axis, scaled (`_checks.scaled_norm`)."""
    z, scale = _whiten(x, mean, chol)
    return scale * _checks.scaled_norm(z)


def mahalanobis(x, *, mean, cov):
    r"""The Mahalanobis distance $\sqrt{(x - \mu)^\top \Sigma^{-1} (x - \mu)}$.

    Args:
      x: points, shape `(..., D)`.
      mean: $\mu$, shape `(D,)`.
      cov: $\Sigma$, shape `(D, D)`, symmetric positive definite.

    Returns:
      The distances, one per point (the shape of `x` without its last axis). For $x \sim N(\mu, \Sigma)$ they
      follow the chi distribution with $D$ degrees of freedom.
    """
    mean, cov = _mean_and_cov(mean, cov)
    x = _points(x, mean.shape[0])
    distance = _norm_of_whitened(x, mean, cholesky(cov))
    return representable(distance, "the Mahalanobis distance", x=x, mean=mean, cov=cov)


def logpdf(x, *, mean, cov):
    r"""The log-density of $N(\mu, \Sigma)$,
    $-\tfrac12 (x - \mu)^\top \Sigma^{-1} (x - \mu) - \tfrac12 \log\det(2\pi\Sigma)$.

    Args:
      x: points, shape `(..., D)`.
      mean: $\mu$, shape `(D,)`.
      cov: $\Sigma$, shape `(D, D)`, symmetric positive definite.

    Returns:
      The log-densities, one per point (the shape of `x` without its last axis). With $\Sigma = L L^\top$,
      $\log\det\Sigma = 2 \sum_i \log L_{ii}$.
    """
    mean, cov = _mean_and_cov(mean, cov)
    x = _points(x, mean.shape[0])
    chol = cholesky(cov)
    distance = _norm_of_whitened(x, mean, chol)
    half_log_det = jnp.sum(jnp.log(jnp.diag(chol)))
    d = mean.shape[0]
    log_p = -(0.5 * distance) * distance - half_log_det - 0.5 * d * _LOG_2PI
    return representable(log_p, "the log-density", x=x, mean=mean, cov=cov)


def _check_sample(key, shape, mean, cov):
    """The checked arguments of `sample`; `cov` must factor (see `cholesky`)."""
    mean, cov = _mean_and_cov(mean, cov)
    cholesky(cov)
    return dict(key=prng_key(key), shape=sample_shape(shape), mean=mean, cov=cov)


def _representable_draws(draws, key, shape, mean, cov):
    return representable(draws, "a draw", mean=mean, cov=cov)


@checked(_check_sample, result=_representable_draws)
def sample(key, shape, *, mean, cov):
    r"""Independent draws from $N(\mu, \Sigma)$, as $\mu + L\varepsilon$.

    Args:
      key: a `jax.random` key.
      shape: the sample shape, a tuple of integers >= 1 (an integer n is
        the shape `(n,)`), as in `jax.random.normal(key, shape)`.
      mean: $\mu$, shape `(D,)`.
      cov: $\Sigma$, shape `(D, D)`, symmetric positive definite.

    Returns:
      The draws, shape `(*shape, D)`, one point per row for `shape = (n,)`:
      row $i$ is $\mu + L \varepsilon_i$ with $\varepsilon_i \sim N(0, I_D)$
      and $L L^\top = \Sigma$.
    """
    chol = jnp.linalg.cholesky(cov)
    eps = jax.random.normal(key, (*shape, mean.shape[0]), dtype=chol.dtype)
    return mean + eps @ chol.T


def marginal(idx, *, mean, cov):
    r"""The marginal law of $x_a = (x_i)_{i \in \mathrm{idx}}$ for $x \sim N(\mu, \Sigma)$:
    $N(\mu_a, \Sigma_{aa})$, the entries of $\mu$ and the rows and columns of $\Sigma$ that
    `idx` picks, in the order `idx` lists them.

    Args:
      idx: the kept components, 1 to D distinct integers in [0, D).
      mean: $\mu$, shape `(D,)`.
      cov: $\Sigma$, shape `(D, D)`, symmetric positive definite.

    Returns:
      `Gaussian(mean, cov)` with shapes `(K,)` and `(K, K)`, K = `len(idx)`.
    """
    mean, cov = _mean_and_cov(mean, cov)
    cholesky(cov)  # validates cov: symmetric positive definite
    keep = _checks.indices(idx, mean.shape[0], "idx")
    return Gaussian(mean[keep], cov[np.ix_(keep, keep)])


def conditional(idx, values, *, mean, cov):
    r"""For $x \sim N(\mu, \Sigma)$, the law of the components not in `idx` given that
    the components `idx` equal `values` ($x_b$ = `values`, with $x_b$ = `x[idx]`).

    With $a$ the components not in `idx` (in increasing order) and $b$ those in
    `idx` (in the order listed), $x_a \mid x_b \sim N(\mu_{a|b}, \Sigma_{a|b})$ with
    $\mu_{a|b} = \mu_a + \Sigma_{ab} \Sigma_{bb}^{-1} (x_b - \mu_b)$ and the Schur
    complement $\Sigma_{a|b} = \Sigma_{aa} - \Sigma_{ab} \Sigma_{bb}^{-1} \Sigma_{ba}$.
    No inverse is formed: with $b$ ordered first, the Cholesky factor of the
    permuted covariance has the blocks $L_{bb}$ (top left), $L_{ab}$ (bottom
    left) and $L_{aa}$ (bottom right), and then
    $\mu_{a|b} = \mu_a + L_{ab} L_{bb}^{-1} (x_b - \mu_b)$ (a triangular solve)
    and $\Sigma_{a|b} = L_{aa} L_{aa}^\top$.

    Args:
      idx: the observed components $b$, 1 to D - 1 distinct integers in [0, D).
      values: the observed $x_b$, shape `(K,)` with K = `len(idx)`, or `(..., K)` for
        a batch of observations.
      mean: $\mu$, shape `(D,)`.
      cov: $\Sigma$, shape `(D, D)`, symmetric positive definite.

    Returns:
      `Gaussian(mean, cov)` over the D - K remaining components: the mean has
      shape `(D - K,)` (or `(..., D - K)`), the covariance `(D - K, D - K)`, the
      same for every observation.
    """
    mean, cov = _mean_and_cov(mean, cov)
    d = mean.shape[0]
    if d < 2:
        raise ValueError(f"mean must have D >= 2 components to condition on some, got D = {d}")
    observed = _checks.indices(idx, d, "idx", max_count=d - 1)
    values = _checks.array(values, "values", nonempty=False)
    if values.ndim < 1 or values.shape[-1] != observed.size:
        raise ValueError(
            f"values must have shape (..., K) with K = len(idx) = {observed.size}, "
            f"got shape {values.shape}"
        )
    rest = np.setdiff1d(np.arange(d), observed)
    order = np.concatenate([observed, rest])
    chol = cholesky(cov[np.ix_(order, order)])
    k = observed.size
    l_bb, l_ab, l_aa = chol[:k, :k], chol[k:, :k], chol[k:, k:]
    centred = (values - mean[observed]).reshape(-1, k)
    solved = solve_triangular(l_bb, centred.T, lower=True)  # L_bb^{-1} (x_b - mu_b)
    cond_mean = mean[rest] + (l_ab @ solved).T.reshape(*values.shape[:-1], d - k)
    result = Gaussian(cond_mean, l_aa @ l_aa.T)
    return representable(result, "the conditional", mean=mean, cov=cov, values=values)
