r"""Calibration of predictive distributions: the probability integral transform.

A predictive distribution with cdf $F$ is *calibrated* when the observed
$y$ behaves like a draw from it; then $u = F(y)$, the probability integral
transform (PIT), is uniform on $[0, 1]$. Two read-outs of the PIT values of
held-out data:

- the histogram of the $u_i$, flat for a calibrated predictive (U-shaped when
  it is too narrow, peaked when too wide, sloped when biased);
- the coverage of central intervals: the share of $y_i$ inside the central
  interval of probability $\ell$ is the share of $|u_i - \tfrac12| \le \ell/2$,
  which is $\ell$ for a calibrated predictive.

See Gneiting, Balabdaoui and Raftery (2007), "Probabilistic forecasts,
calibration and sharpness", for the PIT histogram and its shapes.
"""

from __future__ import annotations

import jax.numpy as jnp
import jax.scipy.special as jsp_special
import jax.scipy.stats as jsp_stats
import numpy as np

from gaussml._checks import (
    broadcastable,
    compute_dtype,
    finite,
    positive_finite,
    positive_int,
    unit_interval,
)

__all__ = ["central_coverage", "coverage_se", "pit_gaussian", "pit_student_t"]


def pit_gaussian(y, *, mean, std):
    r"""PIT values of `y` under N(mean, std^2): $u = \Phi\big((y - \mu)/\sigma\big)$.

    Args:
      y: observed values, any shape; broadcasts against `mean` and `std`.
      mean: the predictive means.
      std: the predictive standard deviations (> 0).

    Returns:
      The PIT values in [0, 1], shape `broadcast(y, mean, std)`.
    """
    finite(y, "y")
    finite(mean, "mean")
    positive_finite(std, "std")
    broadcastable(y=y, mean=mean, std=std)
    return jsp_stats.norm.cdf(jnp.asarray(y), loc=mean, scale=std)


def pit_student_t(y, *, loc, scale, df):
    r"""PIT values of `y` under a Student-t with `df` degrees of freedom.

    With $t = (y - \text{loc})/\text{scale}$ and $\nu$ = `df`,
    $F(t) = 1 - \tfrac12 I_{\nu/(\nu + t^2)}(\nu/2, \tfrac12)$ for $t \ge 0$ and
    $F(t) = 1 - F(-t)$ ($I$ the regularised incomplete beta function).

    Args:
      y: observed values, any shape; broadcasts against the parameters.
      loc: the location (the predictive mean when `df` > 1).
      scale: the scale (> 0); the standard deviation is scale·sqrt(ν/(ν-2)).
      df: the degrees of freedom (> 0).

    Returns:
      The PIT values in [0, 1], shape `broadcast(y, loc, scale, df)`; in
      float32 accurate to about 1e-4 up to df = 1e3 (the incomplete beta
      function loses digits as df grows).
    """
    finite(y, "y")
    finite(loc, "loc")
    positive_finite(scale, "scale")
    positive_finite(df, "df")
    broadcastable(y=y, loc=loc, scale=scale, df=df)
    t = (jnp.asarray(y) - loc) / scale
    nu = jnp.asarray(df, dtype=t.dtype)
    # The tail beyond |t| is I_x(nu/2, 1/2) / 2 with x = nu / (nu + t^2); near
    # the centre x rounds to 1, so there use its complement I_{1-x}(1/2, nu/2).
    near_centre = t**2 < nu
    tail_far = 0.5 * jsp_special.betainc(nu / 2, 0.5, nu / (nu + t**2))
    tail_near = 0.5 - 0.5 * jsp_special.betainc(0.5, nu / 2, t**2 / (nu + t**2))
    upper_tail = jnp.where(near_centre, tail_near, tail_far)
    return jnp.where(t >= 0, 1.0 - upper_tail, upper_tail)


def central_coverage(pit, *, levels):
    r"""Share of observations inside the central predictive interval of each level.

    $\hat c(\ell) = \frac1n \#\{i : |u_i - \tfrac12| \le \ell/2\}$, which is
    $\ell$ in expectation for a calibrated predictive.

    Args:
      pit: PIT values in [0, 1], shape (n,), n >= 1.
      levels: interval probabilities in [0, 1], shape (k,) or a scalar.

    Returns:
      The coverages, shape of `levels`.
    """
    unit_interval(pit, "pit")
    unit_interval(levels, "levels")
    if np.size(pit) == 0:
        raise ValueError("pit must hold at least one value, got an empty array")
    u = jnp.ravel(jnp.asarray(pit))
    ell = jnp.asarray(levels, dtype=u.dtype)
    inside = jnp.abs(u - 0.5)[..., None] <= ell.ravel() / 2
    return jnp.mean(inside, axis=0).reshape(ell.shape)


def coverage_se(levels, *, n):
    r"""Standard error of `central_coverage` for a calibrated predictive.

    The count inside is Binomial(n, ℓ), so the share has standard error
    $\sqrt{\ell (1 - \ell) / n}$.

    Args:
      levels: interval probabilities in [0, 1], any shape.
      n: the number of observations (an integer >= 1).

    Returns:
      The standard errors, shape of `levels`.
    """
    unit_interval(levels, "levels")
    n = positive_int(n, "n")
    ell = jnp.asarray(levels, dtype=compute_dtype(levels))
    return jnp.sqrt(ell * (1.0 - ell) / n)
