r"""Gaussians in high dimension: the chi distribution, distances, interpolation.

For $x \sim N(0, I_D)$ the distance from the origin $\|x\| = \sqrt{x^\top x}$
is chi-distributed with $D$ degrees of freedom; the distance between two
independent draws is $\sqrt 2$ times a chi variable. Linear interpolation
between two draws shrinks them towards the origin, polar interpolation keeps
them N(0, I_D).

Conventions, in the style of `jax.scipy.stats`:

- `dim` is the dimension $D$: an integer >= 1, or an array of them that
  broadcasts against the other argument. Other numbers (0, 2.5, NaN) raise
  `ValueError`; non-numbers raise `TypeError`.
- `scale` (keyword-only, > 0, default 1) stretches a chi law, as in
  `scipy.stats.chi(dim, scale=scale)`: $s$ times a chi variable has the
  density $f(r/s; D)/s$, the factor $1/s$ being the Jacobian. The distance
  between two independent draws is the chi law at `scale=sqrt(2)`.
- Samplers take the sample shape first, as `jax.random.normal(key, shape)`
  does (an integer n is the shape `(n,)`).
- Densities of a radius are defined on the whole real line: for `r < 0` the
  density is 0 and the log-density is `-inf` (a radius is never negative, so
  this is the right value, as in `scipy.stats.chi`). NaN or infinite inputs
  raise `ValueError`.
- Log-densities are computed in log space, without the cancellation of the
  textbook formula. With $k = D/2$ and $u = r^2/D$, two separate devices:
  (1) $\log\Gamma(k)$ is written as Stirling's formula
  $(k - \tfrac12)\log k - k + \tfrac12\log 2\pi$ plus its remainder, and
  only the remainder is evaluated (by its asymptotic series in $1/k$ for
  $k \ge 4$, from `gammaln` below); (2) the large terms, Stirling's and
  $(D - 1)\log r - r^2/2$, are combined analytically into
  $-k(u - 1 - \log u)$, evaluated with `log1p` near the mode ($u$ close
  to 1). In float32 the log-density at the mode stays within 1e-5 of
  `scipy.stats.chi` (float64) for dimensions of 10,000 and more (tested up
  to 1,000,000), where the term-by-term formula is off by more than 1e-3;
  the densities are their exponentials.
"""

from __future__ import annotations

from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import gammaln

from gaussml import _checks
from gaussml._checks import finite, positive_int, representable
from gaussml.univariate import Interval

__all__ = [
    "PathLogliks",
    "chi_logpdf",
    "chi_mean",
    "chi_pdf",
    "chi_var",
    "lerp",
    "mean_loglik_along_path",
    "polar_interp",
    "prefix_cosines",
    "prefix_norms",
    "sample_distances",
    "sample_norms",
    "std_normal_logpdf",
    "unit_ball_log10_prob_bounds",
]

_LOG_2 = float(np.log(2.0))
_LOG_2PI = float(np.log(2.0 * np.pi))
_LOG_10 = float(np.log(10.0))
_HALF_LOG_2_OVER_PI = float(0.5 * np.log(2.0 / np.pi))
# Above this k = D/2 the asymptotic series below are exact to float32 precision
# (their first omitted terms are below 1e-8 at k = 4).
_SERIES_FROM = 4.0


# --- the chi distribution ---------------------------------------------------------------


def _stirling_error(k):
    r"""$\log\Gamma(k) - [(k - \tfrac12)\log k - k + \tfrac12 \log 2\pi]$, for $k > 0$."""
    k_big = jnp.maximum(k, _SERIES_FROM)
    series = 1 / (12 * k_big) - 1 / (360 * k_big**3) + 1 / (1260 * k_big**5) - 1 / (1680 * k_big**7)
    direct = gammaln(k) - (k - 0.5) * jnp.log(k) + k - 0.5 * _LOG_2PI
    return jnp.where(k >= _SERIES_FROM, series, direct)


def _log_gamma_ratio(k):
    r"""$\log \Gamma(k + \tfrac12) - \log \Gamma(k) - \tfrac12 \log k$, for $k > 0$.

    It tends to 0 like $-1/(8k)$; the series is checked by sympy
    (`gaussml.derivations.chi_mean_asymptotics`).
    """
    k_big = jnp.maximum(k, _SERIES_FROM)
    series = (
        -1 / (8 * k_big) + 1 / (192 * k_big**3) - 1 / (640 * k_big**5) + 17 / (14336 * k_big**7)
    )
    direct = gammaln(k + 0.5) - gammaln(k) - 0.5 * jnp.log(k)
    return jnp.where(k >= _SERIES_FROM, series, direct)


def _check_radius(r, dim, scale):
    """`r` finite, `dim` integers >= 1, `scale` finite and > 0, the three broadcastable;
    returned as arrays of one floating dtype."""
    _checks.positive_integers(dim, "dim")
    finite(r, "r")
    _checks.positive_finite(scale, "scale")
    _checks.broadcastable(r=r, dim=dim, scale=scale)
    r = jnp.asarray(r, dtype=float)
    return dict(r=r, dim=jnp.asarray(dim, dtype=r.dtype), scale=jnp.asarray(scale, dtype=r.dtype))


def _representable_where_positive(out, r, dim, scale):
    """Check `out` at `r > 0`, where the true log-density is finite (below, -inf is exact)."""
    if not _checks.is_traced(out):
        representable(jnp.where(r > 0, out, 0.0), "the chi log-density", r=r, dim=dim, scale=scale)
    return out


@_checks.checked(_check_radius, result=_representable_where_positive)
@jax.jit
def chi_logpdf(r, dim, *, scale=1.0):
    r"""Log-density of $s$ times a chi variable with `dim` degrees of freedom ($s$ = `scale`).

    $\log f(r; D, s) = \log f(r/s; D) - \log s$ (the Jacobian of $r = s x$), with
    $\log f(x; D) = (1 - \tfrac D2)\log 2 - \log\Gamma(\tfrac D2) + (D - 1)\log x - \tfrac{x^2}{2}$
    for $x \ge 0$: at $s = 1$ the law of $\|x\|$ for $x \sim N(0, I_D)$, at
    $s = \sqrt 2$ that of the distance between two independent draws. For $r < 0$
    it is $-\infty$. At $r = 0$ it is $\tfrac12\log(2/\pi) - \log s$ for $D = 1$
    and $-\infty$ above. As `scipy.stats.chi(dim, scale=scale).logpdf(r)`.

    Args:
      r: radii, any shape (finite).
      dim: the dimension $D$ (integer >= 1), broadcastable to `r`.
      scale: $s$ (> 0), broadcastable to `r`.

    Returns:
      The log-density, shape `broadcast(r, dim, scale)`, float32 unless x64 is enabled.

    Raises:
      ValueError: if `r` is not finite, `dim` is not an integer >= 1 or `scale`
        is not > 0 (all in the computation dtype), or a log-density at some
        `r > 0` is below the dtype's range (`r / scale` above about 2.6e19 in float32).
    """
    # With x = r / s, k = D/2 and u = x^2 / D, the chi log-density is
    #   log 2 - log x + k log u - k (u - 1) + 1/2 log(k / 2 pi)
    #   - stirling_error(k),
    # the Gamma(k) log-density of k u plus the Jacobian
    # log(d(k u)/dx) = log x.
    # Near the mode (u close to 1) the two large terms are combined into
    # -k (v - log1p(v)) with v = u - 1, which has no cancellation.
    x = r / scale
    k = dim / 2
    positive = x > 0
    x_safe = jnp.where(positive, x, 1.0)
    u = x_safe**2 / dim
    near = jnp.abs(u - 1) < 0.5
    v = jnp.where(near, u - 1, 0.0)
    log_x = jnp.log(x_safe)
    near_terms = -k * (v - jnp.log1p(v)) - log_x
    # k (u - 1) = x^2 / 2 - k, with (x / 2) x: x^2 overflows float32 above 1.8e19.
    far_terms = (dim - 1) * log_x - k * jnp.log(dim) - ((0.5 * x_safe) * x_safe - k)
    body = (
        _LOG_2
        + jnp.where(near, near_terms, far_terms)
        + 0.5 * jnp.log(k / (2 * jnp.pi))
        - _stirling_error(k)
    )
    at_zero = jnp.where(dim == 1, _HALF_LOG_2_OVER_PI, -jnp.inf)
    return jnp.where(positive, body, jnp.where(x == 0, at_zero, -jnp.inf)) - jnp.log(scale)


@_checks.checked(_check_radius)
@jax.jit
def chi_pdf(r, dim, *, scale=1.0):
    r"""Density of $s$ times a chi variable: $f(r; D, s) = \frac{(r/s)^{D-1} e^{-r^2/(2s^2)}}{s\, 2^{D/2-1}\Gamma(D/2)}$.

    Zero for $r < 0$. Args and shapes as in `chi_logpdf`; where the
    log-density is below the dtype's range the density is 0 (no error).
    """
    return jnp.exp(chi_logpdf(r, dim, scale=scale))


def _check_dim(dim, scale):
    _checks.positive_integers(dim, "dim")
    _checks.positive_finite(scale, "scale", power=2)
    _checks.broadcastable(dim=dim, scale=scale)
    return dict(dim=jnp.asarray(dim, dtype=float), scale=scale)


@_checks.checked(_check_dim)
@jax.jit
def chi_mean(dim, *, scale=1.0):
    r"""Mean of the chi distribution, $E\|x\| = \sqrt 2\, \Gamma(\tfrac{D+1}{2}) / \Gamma(\tfrac D2)$, times `scale`.

    It is slightly below $\sqrt D$ and $\sqrt D - E\|x\| \to 0$. Computed as
    $\sqrt D \exp(\log\Gamma(k + \tfrac12) - \log\Gamma(k) - \tfrac12\log k)$ with
    $k = D/2$, the exponent from an asymptotic series for large $k$.

    Args:
      dim: the dimension $D$ (integer >= 1), any shape.
      scale: $s$ (> 0): the mean of $s$ times a chi variable is $s$ times its mean.

    Returns:
      The mean, shape `broadcast(dim, scale)`.
    """
    return scale * jnp.sqrt(dim) * jnp.exp(_log_gamma_ratio(dim / 2))


# Above this dimension chi_var is 1/2 - 1/(8D) to float64 precision (the next term is
# 1/(16 D^2)), and the expm1 form loses it: 1/(8k) underflows float32 near D = 1e37.
_VAR_SERIES_FROM = 2.0**40


@_checks.checked(_check_dim)
@jax.jit
def chi_var(dim, *, scale=1.0):
    r"""Variance of the chi distribution, $\operatorname{Var}\|x\| = D - (E\|x\|)^2$, times `scale`$^2$.

    It tends to $\tfrac12$ as $D \to \infty$: the norm concentrates in a shell
    of width of order 1 around $\sqrt D$. Computed as
    $-D\,\mathrm{expm1}(2 \log(E\|x\|/\sqrt D))$, without the cancellation of
    $D - (E\|x\|)^2$; from $D = 2^{40}$ on, as $\tfrac12 - \tfrac1{8D}$
    (exact there to float64 precision).

    Args:
      dim: the dimension $D$ (integer >= 1), any shape.
      scale: $s$ (> 0): the variance of $s$ times a chi variable is $s^2$ times its variance.

    Returns:
      The variance, shape `broadcast(dim, scale)`.
    """
    large = dim >= _VAR_SERIES_FROM
    small_dim = jnp.where(large, 1.0, dim)
    unit = jnp.where(
        large, 0.5 - 0.125 / dim, -small_dim * jnp.expm1(2 * _log_gamma_ratio(small_dim / 2))
    )
    return scale**2 * unit


def unit_ball_log10_prob_bounds(dim):
    r"""Lower and upper bounds on $\log_{10} P(\|x\| \le 1)$ for $x \sim N(0, I_D)$.

    On $[0, 1]$ the factor $e^{-r^2/2}$ of the chi density lies in
    $[e^{-1/2}, 1]$, so $e^{-1/2} b \le P(\|x\| \le 1) \le b$ with
    $b = 2^{-D/2} / \Gamma(D/2 + 1)$. In log space, so that probabilities far
    below the float range (about $10^{-1300}$ for $D = 1000$) stay representable.

    Args:
      dim: the dimension $D$ (integer >= 1), any shape.

    Returns:
      `Interval(lower, upper)`, two arrays of the shape of `dim`; they differ by
      $\tfrac12 \log_{10} e \approx 0.22$.
    """
    _checks.positive_integers(dim, "dim")
    bounds = _unit_ball_log10_prob_bounds(jnp.asarray(dim, dtype=float))
    return representable(bounds, "log10 P(|x| <= 1)", dim=dim)


@jax.jit
def _unit_ball_log10_prob_bounds(dim):
    log_b = -(dim / 2) * _LOG_2 - gammaln(dim / 2 + 1)
    return Interval((log_b - 0.5) / _LOG_10, log_b / _LOG_10)


# --- distances between two draws ------------------------------------------------------


def _check_sampler(key, shape, dim):
    return dict(
        key=_checks.prng_key(key), shape=_checks.sample_shape(shape), dim=positive_int(dim, "dim")
    )


@_checks.checked(_check_sampler)
@partial(jax.jit, static_argnames=("shape", "dim"))
def sample_norms(key, shape, dim):
    r"""Norms $\|x\|$ of independent draws $x \sim N(0, I_D)$, an array of shape `shape`.

    Args:
      key: a `jax.random` key.
      shape: the sample shape, a tuple of integers >= 1 (an integer n is `(n,)`).
      dim: the dimension $D$ (integer >= 1).

    Returns:
      An array of shape `shape`, chi-distributed with `dim` degrees of freedom.
    """
    return jnp.linalg.norm(jax.random.normal(key, (*shape, dim)), axis=-1)


@_checks.checked(_check_sampler)
@partial(jax.jit, static_argnames=("shape", "dim"))
def sample_distances(key, shape, dim):
    r"""Distances $\|x_a - x_b\|$ between independent pairs of draws from $N(0, I_D)$.

    Args:
      key: a `jax.random` key (split into one subkey per end point).
      shape: the sample shape, a tuple of integers >= 1 (an integer n is `(n,)`).
      dim: the dimension $D$ (integer >= 1).

    Returns:
      An array of shape `shape`: $\sqrt 2$ times a chi variable, with density
      `chi_pdf(., dim, scale=sqrt(2))`.
    """
    key_a, key_b = jax.random.split(key)
    x_a = jax.random.normal(key_a, (*shape, dim))
    x_b = jax.random.normal(key_b, (*shape, dim))
    return jnp.linalg.norm(x_a - x_b, axis=-1)


# --- log-likelihood and interpolation ----------------------------------------------------


def _check_points(x):
    if jnp.ndim(x) < 1 or jnp.shape(x)[-1] < 1:
        what = "a scalar" if jnp.ndim(x) < 1 else f"shape {jnp.shape(x)}"
        raise ValueError(f"x must have shape (..., D) with D >= 1, got {what}")
    return dict(x=_checks.array(x, "x", nonempty=False))


def _representable_logpdf(out, x):
    return representable(out, "the log-density", x=x)


@_checks.checked(_check_points, result=_representable_logpdf)
@jax.jit
def std_normal_logpdf(x):
    r"""Log-density of $N(0, I_D)$ over the last axis: $-\tfrac12 x^\top x - \tfrac D2 \log 2\pi$.

    `mvn.logpdf(x, mean=0, cov=I)` without the factorisation of $I$, which
    has nothing to do here. The norm is computed scaled
    (`_checks.scaled_norm`), so that no square overflows or underflows where
    the log-density is representable.

    Args:
      x: points of shape `(..., D)` with $D \ge 1$.

    Returns:
      The log-density of each point, shape `(...)`.

    Raises:
      ValueError: if `x` is a scalar, has no coordinates, has non-finite
        entries, or its log-density is below the dtype's range.
    """
    norm = _checks.scaled_norm(x)
    return -(0.5 * norm) * norm - 0.5 * x.shape[-1] * _LOG_2PI


def lerp(alpha, x_a, x_b):
    r"""Linear interpolation $\alpha x_a + (1 - \alpha) x_b$.

    For independent $x_a, x_b \sim N(0, I_D)$ the result is
    $N(0, (\alpha^2 + (1 - \alpha)^2) I_D)$: its variance drops to $\tfrac12$
    at $\alpha = \tfrac12$, so the path leaves the shell where the draws live.

    Args:
      alpha: weights in [0, 1]; a scalar or an array broadcastable against
        `x_a` (e.g. shape `(A, 1, 1)` for `A` weights and `(n, D)` points).
      x_a: the point returned at `alpha = 1`, shape `(..., D)`.
      x_b: the point returned at `alpha = 0`, same shape as `x_a`.

    Returns:
      The interpolated points, shape `broadcast(alpha, x_a)`.

    Raises:
      ValueError: if `alpha` leaves [0, 1] or the shapes of `x_a` and
        `x_b` differ.
    """
    _checks.unit_interval(alpha, "alpha")
    _checks.same_shape_finite(x_a, x_b, ("x_a", "x_b"))
    _checks.broadcastable(alpha=alpha, x_a=x_a)
    return alpha * jnp.asarray(x_a) + (1 - alpha) * jnp.asarray(x_b)


def polar_interp(alpha, x_a, x_b):
    r"""Polar interpolation $\sqrt\alpha\, x_a + \sqrt{1 - \alpha}\, x_b$.

    The weights satisfy $(\sqrt\alpha)^2 + (\sqrt{1-\alpha})^2 = 1$, so for
    independent $x_a, x_b \sim N(0, I_D)$ the result is again $N(0, I_D)$ for
    every $\alpha$: the path stays on the shell.

    Args and shapes as in `lerp`: `alpha = 1` gives `x_a`, `alpha = 0`
    gives `x_b`.
    """
    _checks.unit_interval(alpha, "alpha")
    _checks.same_shape_finite(x_a, x_b, ("x_a", "x_b"))
    _checks.broadcastable(alpha=alpha, x_a=x_a)
    x_a, x_b = jnp.asarray(x_a), jnp.asarray(x_b)
    return jnp.sqrt(alpha) * x_a + jnp.sqrt(1 - alpha) * x_b


class PathLogliks(NamedTuple):
    """Average log-likelihoods along interpolation paths, one row per weight alpha.

    Both fields have shape `(A,)`, or `(A, k)` when `k` dimensions are asked for.
    `gaussian` averages `std_normal_logpdf` of the points over the pairs,
    `chi` averages `chi_logpdf` of their norms.
    """

    #: Average `std_normal_logpdf` of the interpolated points, shape `(A,)` or `(A, k)`.
    gaussian: jax.Array
    #: Average `chi_logpdf` of the interpolated points' norms, shape `(A,)` or `(A, k)`.
    chi: jax.Array


_PATHS = {"linear": lerp, "polar": polar_interp}


def prefix_norms(x, dims):
    r"""Norms of the leading coordinates: $\big(\sum_{i \le d} x_i^2\big)^{1/2}$ for each $d$ in `dims`.

    The first $d$ coordinates of a draw from $N(0, I_D)$ are a draw from
    $N(0, I_d)$, so one array of draws gives chi-distributed norms for every
    $d \le D$ at once (the columns are dependent; each one alone is exact).

    Args:
      x: points, shape `(n, D)`.
      dims: dimensions, integers in $[1, D]$, shape `(k,)`.

    Where a square would overflow or underflow (entries above about 1e18 or
    below 1e-15 in float32), the prefix sums are accumulated scaled
    (`_scaled_prefix_sums`), so every representable norm is returned.

    Returns:
      The norms, shape `(n, k)`.
    """
    x = _points_2d(x, "x")
    last = _checks.prefix_indices(dims, x.shape[1])
    if _checks.squares_are_safe(x, x.shape[1]):
        return _prefix_norms(x, last)
    scale, sums, _, _ = _scaled_prefix_sums(x, x)
    return representable((scale * jnp.sqrt(sums))[..., last], "a prefix norm", x=x)


def _points_2d(x, name):
    """`x` as a finite real (n, D) array with n, D >= 1."""
    if jnp.ndim(x) != 2 or 0 in jnp.shape(x):
        raise ValueError(f"{name} must have shape (n, D) with n, D >= 1, got {jnp.shape(x)}")
    return _checks.array(x, name, ndim=2)


@jax.jit
def _prefix_norms(x, last):
    return jnp.sqrt(jnp.cumsum(x**2, axis=-1)[..., last])


@jax.jit
def _scaled_prefix_sums(a, b):
    r"""Prefix sums of $a_i^2$, $b_i^2$ and $a_i b_i$ along the last axis, each kept
    as a multiple of the running maxima $s_a = \max_{j \le i} |a_j|$ and $s_b$:
    returns `(s_a, sum a^2 / s_a^2, sum b^2 / s_b^2, sum a b / (s_a s_b))`.

    The blocked two-norm of LAPACK's `nrm2`, as an associative scan: merging two
    blocks rescales the one with the smaller maximum, so no square overflows and
    no small square is lost.
    """

    def ratio(s, top):
        return jnp.where(top > 0, s / jnp.where(top > 0, top, 1.0), 0.0)

    def merge(left, right):
        sa1, sb1, aa1, bb1, ab1 = left
        sa2, sb2, aa2, bb2, ab2 = right
        sa, sb = jnp.maximum(sa1, sa2), jnp.maximum(sb1, sb2)
        ra1, ra2, rb1, rb2 = ratio(sa1, sa), ratio(sa2, sa), ratio(sb1, sb), ratio(sb2, sb)
        return (
            sa,
            sb,
            aa1 * ra1**2 + aa2 * ra2**2,
            bb1 * rb1**2 + bb2 * rb2**2,
            ab1 * ra1 * rb1 + ab2 * ra2 * rb2,
        )

    sa, sb = jnp.abs(a), jnp.abs(b)
    unit_a, unit_b = jnp.where(sa > 0, 1.0, 0.0), jnp.where(sb > 0, 1.0, 0.0)
    sign = jnp.sign(a) * jnp.sign(b)
    sa, sb, aa, bb, ab = jax.lax.associative_scan(
        merge, (sa, sb, unit_a, unit_b, sign), axis=a.ndim - 1
    )
    return sa, aa, bb, ab


def prefix_cosines(x_a, x_b, dims):
    r"""Cosines of the angles between paired points, on their leading coordinates.

    For each row $i$ and each $d$ in `dims`,
    $\cos\theta = \sum_{j \le d} x_{a,ij} x_{b,ij} / (\lVert x_{a,i} \rVert_d
    \lVert x_{b,i} \rVert_d)$, the norms also over the first $d$ coordinates:
    as `prefix_norms`, one array of draws serves every $d \le D$.

    Args:
      x_a, x_b: points, shape `(n, D)` each, paired row by row.
      dims: dimensions, integers in $[1, D]$, shape `(k,)`.

    Returns:
      The cosines, shape `(n, k)`, in $[-1, 1]$.

    Raises:
      ValueError: if a point has a zero norm over a prefix (no angle).
    """
    x_a = _points_2d(x_a, "x_a")
    if jnp.shape(x_b) != x_a.shape:
        raise ValueError(f"x_b must have the shape of x_a {x_a.shape}, got {jnp.shape(x_b)}")
    x_b = _points_2d(x_b, "x_b")
    last = _checks.prefix_indices(dims, x_a.shape[1])
    d = x_a.shape[1]
    if _checks.squares_are_safe(x_a, 2 * d) and _checks.squares_are_safe(x_b, 2 * d):
        norms = _prefix_norms(x_a, last) * _prefix_norms(x_b, last)
        _nonzero(norms)
        return _prefix_cosines(x_a, x_b, last, norms)
    # Scaled: every sum is a multiple of the running maxima, which cancel in the cosine.
    _, aa, bb, ab = (v[..., last] for v in _scaled_prefix_sums(x_a, x_b))
    norms = jnp.sqrt(aa) * jnp.sqrt(bb)
    _nonzero(norms)
    return jnp.clip(ab / norms, -1.0, 1.0)


def _nonzero(norms):
    if not _checks.is_traced(norms) and bool(jnp.any(norms == 0)):
        raise ValueError("x_a and x_b must have nonzero norms over every prefix in dims")


@jax.jit
def _prefix_cosines(x_a, x_b, last, norms):
    inner = jnp.cumsum(x_a * x_b, axis=-1)[..., last]
    return jnp.clip(inner / norms, -1.0, 1.0)


def mean_loglik_along_path(alphas, x_a, x_b, *, path, dims=None):
    r"""Average log-likelihoods of the points on paths between pairs of draws.

    For each weight $\alpha$ and each pair $(x_a^{(i)}, x_b^{(i)})$ the path's
    point $z$ is scored under $N(0, I_D)$ and its norm under chi with $D$
    degrees of freedom; both are averaged over the pairs. One vectorised
    evaluation of all weights and pairs, no Python loop.

    With `dims`, the same is done for the leading $d$ coordinates of the
    points, for each $d$ in `dims` (as in `prefix_norms`): one evaluation
    gives the curves of several dimensions.

    Args:
      alphas: weights in [0, 1], shape `(A,)`.
      x_a: first end points, shape `(n, D)`.
      x_b: second end points, shape `(n, D)`.
      path: "linear" (`lerp`) or "polar" (`polar_interp`).
      dims: optional dimensions, integers in $[1, D]$, shape `(k,)`.

    Returns:
      A `PathLogliks` of two arrays of shape `(A,)`, or `(A, k)` with `dims`.
    """
    if not isinstance(path, str) or path not in _PATHS:
        raise ValueError(f"path must be one of {sorted(_PATHS)}, got {path!r}")
    if jnp.ndim(alphas) != 1 or jnp.size(alphas) == 0:
        raise ValueError(f"alphas must have shape (A,) with A >= 1, got {jnp.shape(alphas)}")
    x_a = _points_2d(x_a, "x_a")
    _checks.unit_interval(alphas, "alphas")
    _checks.same_shape_finite(x_a, x_b, ("x_a", "x_b"))
    alphas = _checks.array(alphas, "alphas", ndim=1)
    x_b = _checks.array(x_b, "x_b", ndim=2)
    dim_max = x_a.shape[1]
    last = _checks.prefix_indices([dim_max] if dims is None else dims, dim_max)
    # The points' entries are at most sqrt(2) max(|x_a|, |x_b|): 2 D squares bound them.
    safe = _checks.squares_are_safe(x_a, 2 * dim_max) and _checks.squares_are_safe(x_b, 2 * dim_max)
    curves = _mean_loglik_along_path(alphas, x_a, x_b, last, path, safe)
    # (chi may hold an exact -inf: the log-density of a point at the origin.)
    representable(curves.gaussian, "a mean log-likelihood", x_a=x_a, x_b=x_b)
    return curves if dims is not None else PathLogliks(*(c[:, 0] for c in curves))


@partial(jax.jit, static_argnums=(4, 5))
def _mean_loglik_along_path(alphas, x_a, x_b, last, path, safe=True):
    points = _PATHS[path](alphas[:, None, None], x_a, x_b)  # (A, n, D)
    if safe:
        sq_norms = jnp.cumsum(points**2, axis=-1)[..., last]  # (A, n, k)
        norms, half_sq_norms = jnp.sqrt(sq_norms), 0.5 * sq_norms
    else:
        scale, sums, _, _ = _scaled_prefix_sums(points, points)
        norms = (scale * jnp.sqrt(sums))[..., last]
        half_sq_norms = (0.5 * norms) * norms
    dims = (last + 1).astype(norms.dtype)
    return PathLogliks(
        gaussian=(-half_sq_norms - 0.5 * dims * _LOG_2PI).mean(axis=1),
        chi=chi_logpdf(norms, dims).mean(axis=1),
    )
