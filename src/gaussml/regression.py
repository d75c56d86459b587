r"""Linear regression by maximum likelihood: targets, batches, estimates, likelihood.

Notation of the book: `X` is `(m, n)` (features by samples), `y` is `(n,)`,
`beta` is `(m,)`, and the model is $y = X^\top \beta + \varepsilon$ with
$\varepsilon \sim N(0, \sigma^2 I_n)$.
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

from gaussml._checks import finite, is_traced, positive_finite, positive_int
from gaussml.univariate import logpdf

__all__ = [
    "X_HIGH",
    "X_LOW",
    "beta_mle",
    "beta_mle_cov",
    "gaussian_log_likelihood",
    "linear_nll",
    "linear_nll_grad",
    "sample_batch",
    "std_mle",
    "target_f1",
    "target_f2",
    "target_f3",
]

#: The inputs of every target are drawn uniformly on [X_LOW, X_HIGH].
X_LOW, X_HIGH = 0.0, 20.0


def _check_inputs(x):
    shape = np.shape(x)
    if len(shape) != 2 or shape[0] != 1:
        raise ValueError(f"x must have shape (1, n), got shape {shape}")
    return jnp.asarray(x)


def target_f1(key, x):
    r"""Homoscedastic target: $y = 2x + 0.3\,\varepsilon$, $\varepsilon \sim N(0, 1)$.

    Args:
      key: a `jax.random` key for the noise.
      x: inputs of shape `(1, n)`.

    Returns:
      `y` of shape `(n,)`.
    """
    x = _check_inputs(x)[0]
    return 2.0 * x + 0.3 * jax.random.normal(key, x.shape)


def target_f2(key, x):
    r"""Heteroscedastic target: $y = 2x + 0.3\,|x|\,\varepsilon$; the noise grows with $|x|$.

    Args and shapes as in `target_f1`.
    """
    x = _check_inputs(x)[0]
    return 2.0 * x + 0.3 * jnp.abs(x) * jax.random.normal(key, x.shape)


def target_f3(key, x):
    r"""Misspecified mean: $y = 2x + 5 \sin(x/2) + 0.3\,|x|\,\varepsilon$; no line fits the mean.

    Args and shapes as in `target_f1`.
    """
    x = _check_inputs(x)[0]
    return 2.0 * x + 5.0 * jnp.sin(x / 2.0) + 0.3 * jnp.abs(x) * jax.random.normal(key, x.shape)


def sample_batch(key, target, n):
    """Draw `n` inputs uniformly on [X_LOW, X_HIGH] and their targets.

    Args:
      key: a `jax.random` key, split into one key for x and one for the noise.
      target: one of `target_f1`, `target_f2`, `target_f3` (or any function
        `(key, x) -> y` with the same shapes).
      n: the batch size (an integer >= 1).

    Returns:
      `(X, y)` with `X` of shape `(1, n)` and `y` of shape `(n,)`.
    """
    n = positive_int(n, "n")
    key_x, key_noise = jax.random.split(key)
    X = jax.random.uniform(key_x, (1, n), minval=X_LOW, maxval=X_HIGH)
    return X, target(key_noise, X)


def _check_design(X, y, beta=None):
    """Check the book's shapes: X (m, n), y (n,), beta (m,)."""
    if np.ndim(X) != 2:
        raise ValueError(f"X must have shape (m, n) (features by samples), got shape {np.shape(X)}")
    m, n = np.shape(X)
    if np.shape(y) != (n,):
        raise ValueError(
            f"y must have shape (n,) = ({n},) to match X {np.shape(X)}, got {np.shape(y)}"
        )
    if beta is not None and np.shape(beta) != (m,):
        raise ValueError(
            f"beta must have shape (m,) = ({m},) to match X {np.shape(X)}, got {np.shape(beta)}"
        )
    return m, n


def linear_nll(beta, X, y, *, std):
    r"""Mean negative log-likelihood of the linear model, per sample.

    $\mathrm{NLL}(\beta) = -\frac1n \sum_i \log N(y_i;\, x_i^\top \beta,\, \sigma^2)$,
    a sum of log-densities (never the log of a product of densities). Dividing
    by $n$ makes values comparable across batch sizes.

    Args:
      beta: coefficients, shape `(m,)`.
      X: inputs, shape `(m, n)`.
      y: targets, shape `(n,)`.
      std: the noise standard deviation (> 0).

    Returns:
      A scalar.
    """
    _check_design(X, y, beta)
    positive_finite(std, "std")
    return -jnp.mean(gaussian_log_likelihood(y, mean=jnp.asarray(X).T @ beta, std=std))


def linear_nll_grad(beta, X, y, *, std):
    r"""The hand-derived gradient of `linear_nll` with respect to `beta`.

    $\nabla_\beta \mathrm{NLL} = (X X^\top \beta - X y) / (n \sigma^2)$: the
    gradient of the squared error, $2 X X^\top \beta - 2 X y$, scaled by
    $1 / (2 n \sigma^2)$. It vanishes exactly at the normal equations.

    Args:
      beta: coefficients, shape `(m,)`.
      X: inputs, shape `(m, n)`.
      y: targets, shape `(n,)`.
      std: the noise standard deviation (> 0), a scalar.

    Returns:
      The gradient, shape `(m,)`.
    """
    _, n = _check_design(X, y, beta)
    positive_finite(std, "std")
    X = jnp.asarray(X)
    return (X @ (X.T @ beta) - X @ y) / (n * std**2)


# --- the Gaussian log-likelihood --------------------------------------------------


def gaussian_log_likelihood(y, *, mean, std):
    r"""Log-likelihood of each observation under $N(\text{mean}, \text{std}^2)$.

    $\ell_i = \log N(y_i;\, \mu_i, \sigma_i^2) = -\tfrac12 \log(2\pi\sigma_i^2) -
    \frac{(y_i - \mu_i)^2}{2\sigma_i^2}$, computed by `gaussml.univariate.logpdf`
    in log space (never as the log of a density, which underflows). The
    log-likelihood of independent observations is the **sum** of these terms.

    Args:
      y: observations, any shape.
      mean: the means, broadcastable to `y`.
      std: the standard deviations (> 0, finite), broadcastable to `y`.

    Returns:
      Elementwise log-likelihoods, shape `broadcast(y, mean, std)`.

    Raises:
      ValueError: if `std` is not finite and positive.
    """
    return logpdf(y, mean=mean, std=std)


# --- maximum-likelihood estimates ---------------------------------------------------


def _check_full_rank(X):
    """Raise unless `X X^T` is invertible: n >= m and X has full row rank m."""
    if is_traced(X):
        return
    m, n = np.shape(X)
    if n < m:
        raise ValueError(
            f"need at least as many samples as features: n = {n} < m = {m}, so X X^T "
            f"({m} by {m}) has rank at most {n} and is singular; the least-squares problem "
            "has infinitely many minimisers"
        )
    rank = int(np.linalg.matrix_rank(np.asarray(X, dtype=np.float64)))
    if rank < m:
        raise ValueError(
            f"X X^T ({m} by {m}) is singular: X has rank {rank} < m = {m} (linearly dependent "
            "features), so the least-squares problem has infinitely many minimisers"
        )


def _check_finite_array(value, name):
    if not is_traced(value):
        finite(value, name)


def beta_mle(X, y):
    r"""Maximum-likelihood (least-squares) coefficients of the linear model.

    $\hat\beta = (X X^\top)^{-1} X y$, computed by solving the normal equations
    $X X^\top \beta = X y$ (`jnp.linalg.solve`, never an explicit inverse).

    Args:
      X: inputs, shape `(m, n)` (features by samples), with n >= m and rank m.
      y: targets, shape `(n,)`.

    Returns:
      `beta_hat` of shape `(m,)`.

    Raises:
      ValueError: if the shapes do not match, an entry is not finite, or
        `X X^T` is singular (n < m or linearly dependent rows of `X`); the
        message names the rank.
    """
    _check_design(X, y)
    _check_finite_array(X, "X")
    _check_finite_array(y, "y")
    _check_full_rank(X)
    return _solve_normal_equations(jnp.asarray(X), jnp.asarray(y))


@jax.jit
def _solve_normal_equations(X, y):
    return jnp.linalg.solve(X @ X.T, X @ y)


def beta_mle_cov(X, std):
    r"""Covariance of `beta_mle` over the noise, for fixed inputs `X`.

    $\operatorname{Cov}(\hat\beta) = \sigma^2 (X X^\top)^{-1}$ when
    $y = X^\top\beta + \varepsilon$ with $\varepsilon \sim N(0, \sigma^2 I_n)$;
    computed as `solve(X X^T, std^2 I)`.

    Args:
      X: inputs, shape `(m, n)`, with n >= m and rank m.
      std: the noise standard deviation $\sigma$ (> 0, a scalar).

    Returns:
      An `(m, m)` symmetric positive definite matrix.

    Raises:
      ValueError: as `beta_mle`, or if `std` is not a finite positive scalar.
    """
    if np.ndim(X) != 2:
        raise ValueError(f"X must have shape (m, n) (features by samples), got shape {np.shape(X)}")
    if np.ndim(std) != 0:
        raise ValueError(f"std must be a scalar, got shape {np.shape(std)}")
    positive_finite(std, "std")
    _check_finite_array(X, "X")
    _check_full_rank(X)
    X = jnp.asarray(X)
    m = X.shape[0]
    return jnp.linalg.solve(X @ X.T, std**2 * jnp.eye(m, dtype=X.dtype))


def std_mle(X, y, beta, *, ddof=0):
    r"""Maximum-likelihood noise standard deviation for given coefficients.

    $\hat\sigma = \sqrt{\lVert y - X^\top\beta\rVert^2 / (n - \text{ddof})}$. The
    maximum-likelihood estimate divides by $n$ (`ddof=0`, the default): that is
    a choice with a known bias, $E[\hat\sigma^2] = \frac{n-m}{n}\sigma^2$ at
    $\beta = \hat\beta$; `ddof=m` gives the unbiased variance estimate.

    Args:
      X: inputs, shape `(m, n)`.
      y: targets, shape `(n,)`.
      beta: coefficients, shape `(m,)` (usually `beta_mle(X, y)`).
      ddof: "delta degrees of freedom", an integer with 0 <= ddof < n.

    Returns:
      A scalar.
    """
    _, n = _check_design(X, y, beta)
    if isinstance(ddof, bool) or not isinstance(ddof, int | np.integer) or not 0 <= ddof < n:
        raise ValueError(f"ddof must be an integer with 0 <= ddof < n = {n}, got {ddof!r}")
    return _root_mean_square_residual(jnp.asarray(X), jnp.asarray(y), jnp.asarray(beta), n - ddof)


@partial(jax.jit, static_argnums=3)
def _root_mean_square_residual(X, y, beta, dof):
    residual = y - X.T @ beta
    return jnp.sqrt(jnp.sum(residual**2) / dof)
