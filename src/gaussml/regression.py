r"""Linear regression by maximum likelihood: targets, batches, estimates, likelihood.

Notation of the book: `X` is `(m, n)` (features by samples), `y` is `(n,)`,
`beta` is `(m,)`, and the model is $y = X^\top \beta + \varepsilon$ with
$\varepsilon \sim N(0, \sigma^2 I_n)$.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from gaussml._checks import positive_finite, positive_int
from gaussml.univariate import logpdf

__all__ = [
    "X_HIGH",
    "X_LOW",
    "linear_nll",
    "linear_nll_grad",
    "sample_batch",
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
    a sum of log-densities (never the log of a product of densities).

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
    return -jnp.mean(logpdf(y, mean=jnp.asarray(X).T @ beta, std=std))


def linear_nll_grad(beta, X, y, *, std):
    r"""The hand-derived gradient of `linear_nll` with respect to `beta`.

    $\nabla_\beta \mathrm{NLL} = (X X^\top \beta - X y) / (n \sigma^2)$.

    Args and shapes as in `linear_nll`; returns shape `(m,)`.
    """
    _, n = _check_design(X, y, beta)
    positive_finite(std, "std")
    X = jnp.asarray(X)
    return (X @ (X.T @ beta) - X @ y) / (n * std**2)
