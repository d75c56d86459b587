r"""Linear regression by maximum likelihood: targets, batches, estimates, likelihood.

Notation of the book: `X` is `(m, n)` (features by samples), `y` is `(n,)`,
`beta` is `(m,)`, and the model is $y = X^\top \beta + \varepsilon$ with
$\varepsilon \sim N(0, \sigma^2 I_n)$.
"""

from __future__ import annotations

from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import jax.scipy.linalg
import numpy as np

from gaussml import _checks
from gaussml.mvn import Gaussian
from gaussml.univariate import Interval, Normal, logpdf

__all__ = [
    "TARGETS",
    "X_HIGH",
    "X_LOW",
    "DescentPath",
    "NormalInverseGamma",
    "StudentT",
    "Target",
    "beta_intervals",
    "beta_map",
    "beta_min_norm",
    "beta_mle",
    "beta_mle_cov",
    "beta_ridge",
    "beta_wls",
    "fit_linear_gd",
    "linear_curvature",
    "linear_gd_path",
    "linear_nll",
    "linear_nll_grad",
    "log_evidence",
    "log_relative_error",
    "population_slope",
    "posterior",
    "posterior_nig",
    "prediction_t",
    "predictive",
    "predictive_t",
    "sample_batch",
    "sandwich_cov",
    "std_mle",
    "target_f1",
    "target_f2",
    "target_f3",
]

#: The inputs of every target are drawn uniformly on [X_LOW, X_HIGH].
X_LOW, X_HIGH = 0.0, 20.0


# --- the targets ------------------------------------------------------------------


class Target(NamedTuple):
    r"""A regression target as data: $y = \mu(x) + \sigma(x)\,\varepsilon$, $\varepsilon \sim N(0, 1)$.

    The mean is $\mu(x) = a x + w \sin(x/2)$ (`slope` $a$, `wave` $w$) and the
    noise std is $\sigma(x) = s_0 + s_1 |x|$ (`noise`, `noise_slope`), with the
    inputs drawn uniformly on `[x_low, x_high]`. Being numbers, a target is a
    pytree: compiled code takes it as an argument, so switching targets does
    not recompile. `target(key, x)` draws the `y` for inputs `x` of shape `(1, n)`.

    A target is checked where it is made (also by `_replace`): every
    coefficient finite and real, the noise stds `noise` and `noise_slope`
    >= 0; otherwise `ValueError` (`TypeError` for a string, bool or complex),
    naming the field. The functions that use a target also need
    `x_low < x_high`.
    """

    #: $a$, the slope of the linear part of the mean.
    slope: float
    #: $w$, the amplitude of the mean's wave $\sin(x/2)$.
    wave: float
    #: $s_0$, the noise std at $x = 0$.
    noise: float
    #: $s_1$, the growth of the noise std with $|x|$.
    noise_slope: float
    #: the lower end of the interval the inputs are drawn from.
    x_low: float = X_LOW
    #: the upper end of the interval the inputs are drawn from.
    x_high: float = X_HIGH

    def mean(self, x, *, sin=jnp.sin):
        """The true mean at `x` (any shape, finite); `sin=sympy.sin` gives the exact expression."""
        if not hasattr(x, "free_symbols"):  # a sympy expression is not checked
            _checks.finite(x, "x")
        return self.slope * x + self.wave * sin(x / 2)

    def std(self, x):
        """The true noise std at `x` (any shape, finite)."""
        if not hasattr(x, "free_symbols"):
            _checks.finite(x, "x")
        return self.noise + self.noise_slope * abs(x)

    def __call__(self, key, x):
        """Draw `y` of shape `(n,)` for inputs `x` of shape `(1, n)` with noise from `key`."""
        _checks.prng_key(key)
        x = _checks.array(x, "x", ndim=len(np.shape(x)))
        if x.ndim != 2 or x.shape[0] != 1:
            raise ValueError(f"x must have shape (1, n), got shape {np.shape(x)}")
        return _draw_compiled(self, key, x[0])


def _checked_target(cls, slope, wave, noise, noise_slope, x_low=X_LOW, x_high=X_HIGH):
    """`Target.__new__`: the fields, checked (see `_checks.target_coefficient`)."""
    fields = dict(slope=slope, wave=wave, noise=noise, noise_slope=noise_slope)
    fields.update(x_low=x_low, x_high=x_high)
    for name, value in fields.items():
        nonnegative = name in ("noise", "noise_slope")
        _checks.target_coefficient(value, f"Target.{name}", nonnegative=nonnegative)
    return tuple.__new__(cls, fields.values())


# NamedTuple forbids defining these in the class body; set here, every way of making a
# target (the constructor, `_replace`, JAX rebuilding the pytree) goes through the checks.
Target.__new__ = _checked_target
Target._replace = lambda self, **changes: Target(**{**self._asdict(), **changes})


def _draw(target, key, x):
    """`y` for inputs `x` of shape `(n,)`, unchecked (traced inside the compiled fits)."""
    return target.mean(x) + target.std(x) * jax.random.normal(key, x.shape)


# The public entry points run these compiled: one compilation per shape instead
# of one per operation (the targets are pytrees, so switching them does not recompile).
_draw_compiled = jax.jit(_draw)


#: The homoscedastic target, $y = 2x + 0.3\,\varepsilon$.
target_f1 = Target(slope=2.0, wave=0.0, noise=0.3, noise_slope=0.0)
#: The heteroscedastic target, $y = 2x + 0.3\,|x|\,\varepsilon$; the noise grows with $|x|$.
target_f2 = Target(slope=2.0, wave=0.0, noise=0.0, noise_slope=0.3)
#: The target with a misspecified mean, $y = 2x + 5 \sin(x/2) + 0.3\,|x|\,\varepsilon$;
#: no line fits its mean.
target_f3 = Target(slope=2.0, wave=5.0, noise=0.0, noise_slope=0.3)
#: The book's three targets by name.
TARGETS = {"f1": target_f1, "f2": target_f2, "f3": target_f3}


def population_slope(target):
    r"""The slope that a line through the origin tends to on a large sample of `target`.

    $\beta^\ast = \mathbb E[x y] / \mathbb E[x^2] = \mathbb E[x \mu(x)] / \mathbb E[x^2]$
    with $x$ uniform on the target's range: the minimiser of the expected NLL
    of $y = \beta x$, where least squares and gradient descent on fresh
    batches end. Computed in float64 by 32-point Gauss-Legendre quadrature,
    exact for the linear part and to rounding for the wave; the exact values
    are those of equation `reg-limit` in the chapter on linear regression.

    Args:
      target: a `Target`, e.g. `target_f3`.

    Returns:
      $\beta^\ast$, a float.
    """
    _checks.target(target)
    nodes, weights = np.polynomial.legendre.leggauss(32)
    half, middle = (target.x_high - target.x_low) / 2, (target.x_high + target.x_low) / 2
    x = middle + half * nodes
    return float(np.sum(weights * x * target.mean(x, sin=np.sin)) / np.sum(weights * x**2))


def sample_batch(key, target, n):
    """Draw `n` inputs uniformly on the target's range and their targets.

    Args:
      key: a `jax.random` key, split into one key for x and one for the noise.
      target: a `Target`, e.g. `target_f1`, `target_f2`, `target_f3`.
      n: the batch size (an integer >= 1).

    Returns:
      `(X, y)` with `X` of shape `(1, n)` and `y` of shape `(n,)`.
    """
    _checks.prng_key(key)
    n = _checks.positive_int(n, "n")
    if not any(map(_checks.is_traced, jax.tree_util.tree_leaves(target))):
        _checks.target(target)  # (a traced target was checked where the trace began)
    key_x, key_noise = jax.random.split(key)
    X = jax.random.uniform(key_x, (1, n), minval=target.x_low, maxval=target.x_high)
    return X, _draw(target, key_noise, X[0])


def _check_linear_nll(beta, X, y, std):
    X, y, beta = _checks.design(X, y, beta)
    return dict(beta=beta, X=X, y=y, std=_checks.positive_finite(std, "std"))


@_checks.checked(_check_linear_nll)
@jax.jit
def linear_nll(beta, X, y, *, std):
    r"""Mean negative log-likelihood of the linear model, per sample.

    $\mathrm{NLL}(\beta) = -\frac1n \sum_i \log N(y_i;\, x_i^\top \beta,\, \sigma^2)$,
    a sum of log-densities (`gaussml.univariate.logpdf`, never the log of a
    product of densities). Dividing by $n$ makes values comparable across
    batch sizes.

    Args:
      beta: coefficients, shape `(m,)`.
      X: inputs, shape `(m, n)`.
      y: targets, shape `(n,)`.
      std: the noise standard deviation (> 0).

    Returns:
      A scalar.
    """
    return -jnp.mean(logpdf(y, mean=X.T @ beta, std=std))


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
    X, y, beta = _checks.design(X, y, beta)
    _checks.positive_scalar(std, "std", power=2)
    return (X @ (X.T @ beta) - X @ y) / (X.shape[1] * std**2)


# --- maximum-likelihood estimates ---------------------------------------------------


def _check_well_posed(X, y):
    """`X` and `y` of the book's shapes, finite, and X of rank m and small cond(X)."""
    X, y, _ = _checks.design(X, y)
    _checks.well_posed_design(X)
    return dict(X=X, y=y)


@_checks.checked(_check_well_posed)
@jax.jit
def beta_mle(X, y):
    r"""Maximum-likelihood (least-squares) coefficients of the linear model.

    $\hat\beta = (X X^\top)^{-1} X y$, the minimiser of
    $\lVert y - X^\top\beta\rVert$, computed without forming $X X^\top$: a
    Householder QR factorisation $X^\top = Q R$ ($Q$ with orthonormal
    columns, $R$ upper triangular) turns the normal equations into the
    triangular system $R\beta = Q^\top y$ (`_solve_by_qr`, with one step of
    refinement). Its error grows with cond(X), not with cond(X X^T) =
    cond(X)^2 as a solve of the normal equations would.

    Args:
      X: inputs, shape `(m, n)` (features by samples), with n >= m and rank m.
      y: targets, shape `(n,)`.

    Returns:
      `beta_hat` of shape `(m,)`.

    Raises:
      ValueError: if the shapes do not match, an entry is not finite, X has
        rank < m (n < m or linearly dependent rows; the message names the
        rank), or cond(X) times the machine epsilon of X's dtype exceeds
        `_checks.MAX_ERROR_BOUND` = 1e-3. The QR solution's relative error
        is about cond(X) eps times a modest constant (plus cond(X)^2 eps
        times the relative residual), so the rule keeps that first term
        below 0.1 % with room for the constant: float32 accepts cond(X) up
        to 8.4e3, float64 up to 4.5e12. The message names cond(X), the dtype
        and a remedy.
    """
    return _solve_by_qr(X, y)


@jax.jit
def _solve_by_qr(X, y):
    """Least squares by QR: X^T = Q R, then R beta = Q^T y (back substitution).

    One step of refinement follows: the residual, computed from the data
    rather than from the factors, gives a correction by the same factors.
    """
    # Q: (n, m) with orthonormal columns; R: (m, m) upper triangular
    Q, R = jnp.linalg.qr(X.T)
    solve_r = partial(jax.scipy.linalg.solve_triangular, R, lower=False)
    beta = solve_r(Q.T @ y)
    correction = solve_r(Q.T @ (y - X.T @ beta))
    return beta + correction


@jax.jit
def _inverse_r(X):
    """Q and R^{-1} for X^T = Q R: (X X^T)^{-1} = R^{-1} R^{-T} and (X X^T)^{-1} X = R^{-1} Q^T."""
    Q, R = jnp.linalg.qr(X.T)
    inverse = jax.scipy.linalg.solve_triangular(R, jnp.eye(R.shape[0], dtype=R.dtype), lower=False)
    return Q, inverse


def log_relative_error(estimate, reference, *, digits=15):
    r"""Correct significant digits of each entry: the log relative error (LRE) of NIST's StRD.

    $\mathrm{LRE}_j = -\log_{10}(|b_j - c_j| / |c_j|)$ for a reference $c_j \ne 0$
    and $-\log_{10}|b_j - c_j|$ for $c_j = 0$, capped at `digits` (the number
    of digits the reference is known to, 15 for NIST's certified values)
    and floored at 0 (no correct digit); an exact match gets the cap.
    Computed in float64 with numpy.

    Args:
      estimate: computed values $b$, any shape.
      reference: the reference values $c$, the same shape.
      digits: the cap, a number > 0.

    Returns:
      A float64 numpy array of the shape of `reference`.
    """
    _checks.same_shape_finite(estimate, reference, ("estimate", "reference"))
    digits = _checks.positive_scalar(digits, "digits")
    b, c = np.asarray(estimate, np.float64), np.asarray(reference, np.float64)
    error = np.abs(b - c) / np.where(c == 0, 1.0, np.abs(c))
    with np.errstate(divide="ignore"):
        return np.clip(-np.log10(error), 0.0, digits)


def _check_mle_cov(X, std):
    X, _, _ = _checks.design(X)
    std = _checks.positive_scalar(std, "std", power=2)
    _checks.well_posed_design(X)
    return dict(X=X, std=std)


@_checks.checked(_check_mle_cov)
@jax.jit
def beta_mle_cov(X, *, std):
    r"""Covariance of `beta_mle` over the noise, for fixed inputs `X`.

    $\operatorname{Cov}(\hat\beta) = \sigma^2 (X X^\top)^{-1}$ when
    $y = X^\top\beta + \varepsilon$ with $\varepsilon \sim N(0, \sigma^2 I_n)$;
    computed from the QR factor of `beta_mle`, $X^\top = Q R$, as
    $\sigma^2 R^{-1} R^{-\top}$ (since $X X^\top = R^\top R$).

    Args:
      X: inputs, shape `(m, n)`, with n >= m and rank m.
      std: the noise standard deviation $\sigma$ (> 0, a scalar).

    Returns:
      An `(m, m)` symmetric positive definite matrix.

    Raises:
      ValueError: as `beta_mle`, or if `std` is not a finite positive scalar.
    """
    scaled = std * _inverse_r(X)[1]  # sigma R^{-1}
    return scaled @ scaled.T


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
    X, y, beta = _checks.design(X, y, beta)
    n = X.shape[1]
    if isinstance(ddof, bool) or not isinstance(ddof, int | np.integer):
        raise TypeError(f"ddof must be an integer with 0 <= ddof < n = {n}, got {ddof!r}")
    if not 0 <= ddof < n:
        raise ValueError(f"ddof must be an integer with 0 <= ddof < n = {n}, got {ddof!r}")
    return _root_mean_square_residual(X, y, beta, n - ddof)


@partial(jax.jit, static_argnums=3)
def _root_mean_square_residual(X, y, beta, dof):
    residual = y - X.T @ beta
    # Scaled by the largest residual so that squaring neither overflows nor underflows.
    scale = jnp.max(jnp.abs(residual))
    safe = jnp.where(scale > 0, scale, 1.0)
    return safe * jnp.sqrt(jnp.sum((residual / safe) ** 2) / dof)


def _need_residual_dof(m: int, n: int, what: str) -> None:
    """Raise unless n > m: sigma is estimated from the n - m residual degrees of freedom."""
    if n <= m:
        raise ValueError(
            f"need more samples than features for {what}: n = {n} <= m = {m} leaves "
            "no degrees of freedom to estimate sigma"
        )


def beta_intervals(X, y, *, level=0.95):
    r"""Confidence intervals for each coefficient, from the t distribution.

    $\hat\beta_j \pm t_{n-m}\big(\tfrac{1+\text{level}}{2}\big)\, s \sqrt{[(X X^\top)^{-1}]_{jj}}$
    with $s^2 = \lVert y - X^\top\hat\beta\rVert^2/(n - m)$, the unbiased variance
    estimate. Under the model, $(\hat\beta_j - \beta_j)/(s\sqrt{[(XX^\top)^{-1}]_{jj}})$
    has the t distribution with $n - m$ degrees of freedom, so each interval
    covers $\beta_j$ with probability `level` exactly.

    Args:
      X: inputs, shape `(m, n)` with n > m and rank m.
      y: targets, shape `(n,)`.
      level: the coverage, a number strictly between 0 and 1.

    Returns:
      `Interval(lower, upper)`, each of shape `(m,)`.
    """
    X, y, _ = _checks.design(X, y)
    level = _checks.scalar(level, "level")
    if not 0 < level < 1:
        raise ValueError(f"level must lie strictly between 0 and 1, got {level}")
    m, n = X.shape
    _need_residual_dof(m, n, "an interval")
    _checks.well_posed_design(X)
    import scipy.stats  # here: importing this module stays free of scipy.stats (seconds)

    quantile = float(scipy.stats.t.ppf((1 + level) / 2, n - m))
    return _beta_intervals(X, y, quantile)


@jax.jit
def _beta_intervals(X, y, quantile):
    m, n = X.shape
    beta = _solve_by_qr(X, y)
    s = _root_mean_square_residual(X, y, beta, n - m)
    # sqrt([(X X^T)^{-1}]_jj) = sqrt([R^{-1} R^{-T}]_jj), the norm of row j of R^{-1};
    # scaled by each row's largest entry, as s is, so that no square under- or overflows
    # (with entries of X near 1e30, those of R^{-1} are near 1e-30 and their squares 0).
    inverse = _inverse_r(X)[1]
    scale = jnp.max(jnp.abs(inverse), axis=1, keepdims=True)
    safe = jnp.where(scale > 0, scale, 1.0)
    row_norms = safe[:, 0] * jnp.sqrt(jnp.sum((inverse / safe) ** 2, axis=1))
    half = quantile * s * row_norms
    return Interval(beta - half, beta + half)


# --- fewer samples than features, or a nearly singular X X^T -------------------------


def beta_min_norm(X, y):
    r"""The least-squares coefficients of smallest norm: $\beta^+ = (X^\top)^+ y$.

    Among all minimisers of $\lVert y - X^\top\beta\rVert^2$ the one with the
    smallest $\lVert\beta\rVert$, by the pseudo-inverse (`jnp.linalg.lstsq`,
    an SVD). When rank X = m it equals `beta_mle`; when n < m and rank X = n,
    it is $X (X^\top X)^{-1} y$ and fits the data exactly.

    Args:
      X: inputs, shape `(m, n)`; any m and n.
      y: targets, shape `(n,)`.

    Returns:
      Coefficients of shape `(m,)`.
    """
    X, y, _ = _checks.design(X, y)
    return jnp.linalg.lstsq(X.T, y)[0]


def beta_ridge(X, y, *, penalty):
    r"""Ridge regression: the minimiser of $\lVert y - X^\top\beta\rVert^2 + \lambda\lVert\beta\rVert^2$.

    $\hat\beta_\lambda = (X X^\top + \lambda I_m)^{-1} X y$, computed from the
    SVD $X = U S V^\top$ without forming $X X^\top$:
    $\hat\beta_\lambda = \sum_i u_i\, \frac{s_i}{s_i^2 + \lambda}\, v_i^\top y$
    (`_singular_basis`, `_ridge_gains`). Finite for every $\lambda > 0$ and
    every n and m; as $\lambda \to 0$ it tends to `beta_min_norm`.

    Args:
      X: inputs, shape `(m, n)`; n < m is allowed.
      y: targets, shape `(n,)`.
      penalty: $\lambda$ (> 0).

    Returns:
      Coefficients of shape `(m,)`.

    Raises:
      ValueError: if the input is invalid, or the coefficients overflow the
        computation dtype (the message names `penalty`).
    """
    X, y, _ = _checks.design(X, y)
    penalty = _checks.positive_scalar(penalty, "penalty")
    beta = _ridge(X, y, 1.0 / np.sqrt(penalty))
    return _finite_result(beta, f"beta_ridge with penalty = {penalty:g}", "penalty")


def _finite_result(value, what, argument):
    """`value` after checking that every entry is finite (an overflow names `argument`).

    Unchecked under tracing (jit, vmap), like every check of `_checks`.
    """
    leaves = jax.tree_util.tree_leaves(value)
    if any(_checks.is_traced(leaf) for leaf in leaves):
        return value
    if not all(bool(jnp.all(jnp.isfinite(leaf))) for leaf in leaves):
        raise ValueError(
            f"{what} overflows {leaves[0].dtype}: the result is not representable; "
            f"choose a smaller {argument} or rescale X and y"
        )
    return value


def _singular_basis(X):
    r"""The SVD of X in the form the ridge and Bayesian formulas use.

    Returns `(U, s, Vh)`: `U` of shape `(m, m)` orthogonal (all of it, also
    when n < m, so that directions with no data are represented), `s` of
    shape `(m,)`, the singular values padded with zeros, and `Vh` of shape
    `(k, n)`, k = min(m, n), so that $X = U_{:, :k} \operatorname{diag}(s_{:k}) V_h$.
    Singular values below $\max(m, n)\,\varepsilon\, s_{\max}$ are rounding
    (numpy's default cut-off in `lstsq` and `pinv`) and count as 0.
    """
    m, n = X.shape
    U, s, Vh = jnp.linalg.svd(X, full_matrices=m > n)
    cutoff = max(m, n) * jnp.finfo(X.dtype).eps * s[0]
    s = jnp.where(s > cutoff, s, 0.0)
    return U, jnp.pad(s, (0, m - s.shape[0])), Vh


def _ridge_gains(s, scale):
    r"""$s / (s^2 + \lambda)$ with $\lambda = 1/\text{scale}^2$, without overflow or 0/0.

    With $t = s\,\text{scale}$: $\text{scale}\cdot t/(1 + t^2)$ for $t \le 1$ and
    $1/(s\,(1 + 1/t^2))$ for $t > 1$, each free of overflow in its range; 0 for $s = 0$.
    """
    t = s * scale
    large = t > 1
    t_large, s_large = jnp.where(large, t, 1.0), jnp.where(large, s, 1.0)
    t_small = jnp.where(large, 0.0, t)
    return jnp.where(
        large, 1 / (s_large * (1 + 1 / t_large**2)), scale * (t_small / (1 + t_small**2))
    )


def _posterior_variances(s, std, prior_std):
    r"""The posterior variances along the left singular vectors: $1/(s^2/\sigma^2 + 1/\tau^2)$.

    With $t = s\tau/\sigma$: $\tau^2/(1 + t^2)$ for $t \le 1$ and
    $(\sigma/s)^2/(1 + 1/t^2)$ for $t > 1$; $\tau^2$ for $s = 0$ (no data in that direction).
    """
    t = (s / std) * prior_std
    large = t > 1
    t_large, s_large = jnp.where(large, t, 1.0), jnp.where(large, s, 1.0)
    t_small = jnp.where(large, 0.0, t)
    return jnp.where(
        large, (std / s_large) ** 2 / (1 + 1 / t_large**2), prior_std**2 / (1 + t_small**2)
    )


@jax.jit
def _ridge(X, y, scale):
    """Ridge with penalty 1 / scale^2 in the singular basis: sum_i u_i s_i/(s_i^2 + penalty) v_i^T y."""
    U, s, Vh = _singular_basis(X)
    k = Vh.shape[0]
    return U[:, :k] @ (_ridge_gains(s[:k], scale) * (Vh @ y))


def _check_bayes(X, y, std, prior_std):
    """The checked arguments of the Bayesian functions, as a dict by name."""
    X, y, _ = _checks.design(X, y)
    std = _checks.positive_scalar(std, "std", power=2)
    prior_std = _checks.positive_scalar(prior_std, "prior_std", power=2)
    return dict(X=X, y=y, std=std, prior_std=prior_std)


def posterior(X, y, *, std, prior_std):
    r"""The posterior of $\beta$ under the prior $N(0, \tau^2 I_m)$ and known noise std $\sigma$.

    $\Sigma_N = (X X^\top/\sigma^2 + I_m/\tau^2)^{-1}$ and
    $\mu_N = \Sigma_N X y/\sigma^2$; the posterior is $N(\mu_N, \Sigma_N)$.
    Computed from the SVD $X = U S V^\top$ ($U$ square, $s_i = 0$ where X has
    no data), where both are diagonal:
    $\Sigma_N = U \operatorname{diag}\big(1/(s_i^2/\sigma^2 + 1/\tau^2)\big) U^\top$
    and $\mu_N = \sum_i u_i\, s_i/(s_i^2 + \sigma^2/\tau^2)\, v_i^\top y$. Finite
    and accurate for every $\tau > 0$ and every n and m; as $\tau \to \infty$
    the mean tends to `beta_min_norm`.

    Args:
      X: inputs, shape `(m, n)`; n < m is allowed.
      y: targets, shape `(n,)`.
      std: the noise std $\sigma$ (> 0).
      prior_std: the prior std $\tau$ of each coefficient (> 0).

    Returns:
      `Gaussian(mean, cov)` (`gaussml.mvn.Gaussian`) of shapes `(m,)` and `(m, m)`.

    Raises:
      ValueError: if the input is invalid, or the result overflows the
        computation dtype (the message names `prior_std`).
    """
    X, y, std, prior_std = _check_bayes(X, y, std, prior_std).values()
    result = _posterior(X, y, std, prior_std)
    return _finite_result(result, f"the posterior with prior_std = {prior_std:g}", "prior_std")


@jax.jit
def _posterior(X, y, std, prior_std):
    U, s, Vh = _singular_basis(X)
    k = Vh.shape[0]
    mean = U[:, :k] @ (_ridge_gains(s[:k], prior_std / std) * (Vh @ y))
    cov = (U * _posterior_variances(s, std, prior_std)) @ U.T
    return Gaussian(mean, (cov + cov.T) / 2)


def beta_map(X, y, *, std, prior_std):
    r"""The maximum a posteriori coefficients: ridge with $\lambda = \sigma^2/\tau^2$.

    Under the prior $N(0, \tau^2 I_m)$ the posterior mode, which is also its
    mean, minimises $\lVert y - X^\top\beta\rVert^2/(2\sigma^2) + \lVert\beta\rVert^2/(2\tau^2)$;
    computed as `beta_ridge` with $1/\sqrt\lambda = \tau/\sigma$ (never forming
    $\lambda$, which can underflow).

    Args:
      X: inputs, shape `(m, n)`; n < m is allowed.
      y: targets, shape `(n,)`.
      std: the noise std $\sigma$ (> 0).
      prior_std: the prior std $\tau$ (> 0).

    Returns:
      Coefficients of shape `(m,)`.

    Raises:
      ValueError: as `posterior`.
    """
    X, y, std, prior_std = _check_bayes(X, y, std, prior_std).values()
    beta = _ridge(X, y, prior_std / std)
    return _finite_result(beta, f"beta_map with prior_std = {prior_std:g}", "prior_std")


def predictive(X_new, X, y, *, std, prior_std):
    r"""The posterior predictive of new targets: mean $x^\top\mu_N$ and std $\sqrt{\sigma^2 + x^\top\Sigma_N x}$.

    In the singular basis of `posterior`, $x^\top\Sigma_N x = \sum_i w_i (u_i^\top x)^2$
    with the posterior variances $w_i$, summed with $\sigma^2$ as a scaled norm
    (no overflow of the squares). A direction without data has $w_i = \tau^2$,
    so the rounding of `X_new` (about $\varepsilon\lVert x\rVert$) along it adds about
    $(\tau\,\varepsilon\lVert x\rVert)^2$ to the variance: with a very vague
    prior, the std at an input in the span of the data is accurate only to that.

    Args:
      X_new: new inputs, shape `(m, k)`, one column per new sample.
      X: training inputs, shape `(m, n)`; n < m is allowed.
      y: training targets, shape `(n,)`.
      std: the noise std $\sigma$ (> 0).
      prior_std: the prior std $\tau$ (> 0).

    Returns:
      `Normal(mean, std)` (`gaussml.univariate.Normal`), each of shape `(k,)`.

    Raises:
      ValueError: as `posterior`.
    """
    X, y, std, prior_std = _check_bayes(X, y, std, prior_std).values()
    m = X.shape[0]
    if np.ndim(X_new) != 2 or np.shape(X_new)[0] != m:
        raise ValueError(
            f"X_new must have shape (m, k) = ({m}, k) to match X {X.shape}, got {np.shape(X_new)}"
        )
    X_new = _checks.array(X_new, "X_new", ndim=2)
    result = _predictive(X_new, X, y, std, prior_std)
    return _finite_result(result, f"the predictive with prior_std = {prior_std:g}", "prior_std")


@jax.jit
def _predictive(X_new, X, y, std, prior_std):
    U, s, Vh = _singular_basis(X)
    k = Vh.shape[0]
    mean = U[:, :k] @ (_ridge_gains(s[:k], prior_std / std) * (Vh @ y))
    # sqrt(std^2 + sum_i w_i z_i^2) as the norm of (std, sqrt(w_i) z_i), scaled by its largest entry
    parts = jnp.sqrt(_posterior_variances(s, std, prior_std))[:, None] * (U.T @ X_new)
    parts = jnp.concatenate([jnp.full((1, X_new.shape[1]), std, X_new.dtype), parts])
    scale = jnp.max(jnp.abs(parts), axis=0)
    spread = scale * jnp.sqrt(jnp.sum((parts / scale) ** 2, axis=0))
    return Normal(X_new.T @ mean, spread)


# --- the evidence, an unknown noise level, prediction intervals -----------------------


class StudentT(NamedTuple):
    r"""A Student-t predictive: $y = \text{loc} + \text{scale}\cdot t$, $t \sim t_\nu$, $\nu$ = `df`."""

    #: The location, shape `(k,)`: the centre of the predictive of each new target.
    loc: jax.Array
    #: The scale, shape `(k,)` (the standard deviation is scale sqrt(df/(df - 2)) for df > 2).
    scale: jax.Array
    #: The degrees of freedom $\nu$ (> 0), a scalar array.
    df: jax.Array


class NormalInverseGamma(NamedTuple):
    r"""The normal-inverse-gamma law: $\beta \mid \sigma^2 \sim N(\text{mean}, \sigma^2 V)$, $\sigma^2 \sim IG(a, b)$.

    `cov_factor` is $V$ (m, m), `shape` is $a$ and `rate` is $b$ (the
    inverse-gamma density is proportional to $(\sigma^2)^{-a-1} e^{-b/\sigma^2}$).
    """

    #: $\mu_N$, shape `(m,)`: the mean of the coefficients given $\sigma^2$.
    mean: jax.Array
    #: $V_N$, shape `(m, m)`: the covariance of the coefficients is $\sigma^2 V_N$.
    cov_factor: jax.Array
    #: $a_N$, the shape of the inverse-gamma law of $\sigma^2$.
    shape: jax.Array
    #: $b_N$, the rate of the inverse-gamma law of $\sigma^2$.
    rate: jax.Array


def _log1p_square(t):
    r"""$\log(1 + t^2)$ for $t \ge 0$ without overflow: $2\log t + \log(1 + 1/t^2)$ for $t > 1$."""
    large = t > 1
    t_large, t_small = jnp.where(large, t, 1.0), jnp.where(large, 0.0, t)
    return jnp.where(large, 2 * jnp.log(t_large) + jnp.log1p(1 / t_large**2), jnp.log1p(t_small**2))


def _finite_evidence(value, X, y, std, prior_std):
    if _checks.is_traced(value):  # under jit or vmap: no check, and no traced number to print
        return value
    return _finite_result(value, f"log_evidence with std = {std:g}", "std")


@_checks.checked(_check_bayes, result=_finite_evidence)
@jax.jit
def log_evidence(X, y, *, std, prior_std):
    r"""The log marginal likelihood of the linear model with prior $\beta \sim N(0, \tau^2 I_m)$.

    Integrating $\beta$ out of $y = X^\top\beta + \varepsilon$ gives
    $y \sim N(0, C)$ with $C = \sigma^2 I_n + \tau^2 X^\top X$, so
    $\log p(y) = -\tfrac12\big(n\log 2\pi + \log\det C + y^\top C^{-1} y\big)$.
    With the SVD $X = \sum_i s_i u_i v_i^\top$ and $t_i = \tau s_i/\sigma$, $C$
    has eigenvalues $\sigma^2(1 + t_i^2)$ along $v_i$ and $\sigma^2$ on the rest
    of $\mathbb{R}^n$, so
    $\log\det C = n\log\sigma^2 + \sum_i \log(1 + t_i^2)$ and
    $y^\top C^{-1} y = \sum_i (v_i^\top y)^2/(\sigma^2(1 + t_i^2)) + \lVert r\rVert^2/\sigma^2$,
    $r$ the part of $y$ outside the span of the $v_i$ (computed as a
    residual, not as a difference of squares). No $n \times n$ matrix is formed.

    Args:
      X: inputs, shape `(m, n)`; any m and n.
      y: targets, shape `(n,)`.
      std: the noise std $\sigma$ (> 0).
      prior_std: the prior std $\tau$ of each coefficient (> 0).

    Returns:
      $\log N(y; 0, \sigma^2 I_n + \tau^2 X^\top X)$, a scalar.

    Raises:
      ValueError: if the input is invalid, or the result overflows the
        computation dtype (the message names `std`).
    """
    _, s, Vh = _singular_basis(X)
    n, k = y.shape[0], Vh.shape[0]
    t = (s[:k] / std) * prior_std
    log_det = 2 * n * jnp.log(std) + jnp.sum(_log1p_square(t))
    z = (Vh @ y) / std
    residual = (y - Vh.T @ (Vh @ y)) / std
    # z_i / sqrt(1 + t_i^2), written so that large t_i does not overflow
    large = t > 1
    t_large, t_small = jnp.where(large, t, 1.0), jnp.where(large, 0.0, t)
    shrunk = jnp.where(
        large, z / (t_large * jnp.sqrt(1 + 1 / t_large**2)), z / jnp.sqrt(1 + t_small**2)
    )
    quadratic = _checks.scaled_norm(jnp.concatenate([shrunk, residual])) ** 2
    return -0.5 * (n * jnp.log(2 * jnp.pi) + log_det + quadratic)


def _check_nig(X, y, penalty, shape, rate):
    X, y, _ = _checks.design(X, y)
    penalty = _checks.positive_scalar(penalty, "penalty", power=2)
    shape = _checks.positive_scalar(shape, "shape")
    rate = _checks.positive_scalar(rate, "rate")
    return X, y, penalty, shape, rate


def posterior_nig(X, y, *, penalty, shape, rate):
    r"""The posterior under the conjugate prior $\beta \mid \sigma^2 \sim N(0, \sigma^2 I_m/\lambda)$, $\sigma^2 \sim IG(a_0, b_0)$.

    The posterior is normal-inverse-gamma with
    $V_N = (X X^\top + \lambda I_m)^{-1}$, $\mu_N = V_N X y$ (ridge with penalty
    $\lambda$, whatever $\sigma$), $a_N = a_0 + n/2$ and
    $b_N = b_0 + \tfrac12\big(\lVert y - X^\top\mu_N\rVert^2 + \lambda\lVert\mu_N\rVert^2\big)$;
    computed in the singular basis of X.

    Args:
      X: inputs, shape `(m, n)`; n < m is allowed.
      y: targets, shape `(n,)`.
      penalty: $\lambda$ (> 0), the ratio of the noise variance to the prior variance of each coefficient.
      shape: $a_0$ (> 0).
      rate: $b_0$ (> 0).

    Returns:
      `NormalInverseGamma(mean, cov_factor, shape, rate)`: $\mu_N$ (m,), $V_N$ (m, m), $a_N$, $b_N$.

    Raises:
      ValueError: if the input is invalid, or the result overflows (the message names `penalty`).
    """
    X, y, penalty, shape, rate = _check_nig(X, y, penalty, shape, rate)
    result = _posterior_nig(X, y, 1.0 / np.sqrt(penalty), shape, rate)
    if _checks.is_traced(result.mean):
        return result
    return _finite_result(result, f"posterior_nig with penalty = {penalty:g}", "penalty")


@jax.jit
def _posterior_nig(X, y, scale, shape, rate):
    U, s, Vh = _singular_basis(X)
    k = Vh.shape[0]
    mean = U[:, :k] @ (_ridge_gains(s[:k], scale) * (Vh @ y))
    # 1 / (s^2 + penalty) = the posterior variances with std = 1 and prior_std = scale
    cov = (U * _posterior_variances(s, 1.0, scale)) @ U.T
    misfit = _checks.scaled_norm(jnp.concatenate([y - X.T @ mean, mean / scale])) ** 2
    return NormalInverseGamma(mean, (cov + cov.T) / 2, shape + y.shape[0] / 2, rate + misfit / 2)


def _check_new_inputs(X_new, m, X_shape):
    if np.ndim(X_new) != 2 or np.shape(X_new)[0] != m:
        raise ValueError(
            f"X_new must have shape (m, k) = ({m}, k) to match X {X_shape}, got {np.shape(X_new)}"
        )
    return _checks.array(X_new, "X_new", ndim=2)


def predictive_t(X_new, X, y, *, penalty, shape, rate):
    r"""The posterior predictive under the normal-inverse-gamma prior of `posterior_nig`: a Student-t.

    $y_\ast \sim t_{2a_N}\big(x_\ast^\top\mu_N,\ (b_N/a_N)(1 + x_\ast^\top V_N x_\ast)\big)$
    (location, squared scale): the Gaussian predictive of $y_\ast$ given
    $\sigma^2$, $N(x_\ast^\top\mu_N, \sigma^2(1 + x_\ast^\top V_N x_\ast))$,
    averaged over $\sigma^2 \sim IG(a_N, b_N)$.

    Args:
      X_new: new inputs, shape `(m, k)`, one column per new sample.
      X, y, penalty, shape, rate: as `posterior_nig`.

    Returns:
      `StudentT(loc, scale, df)`: loc and scale of shape `(k,)`, df = $2 a_N$ (a scalar).

    Raises:
      ValueError: as `posterior_nig`, or if `X_new` does not match X.
    """
    X, y, penalty, shape, rate = _check_nig(X, y, penalty, shape, rate)
    X_new = _check_new_inputs(X_new, X.shape[0], X.shape)
    nig = _posterior_nig(X, y, 1.0 / np.sqrt(penalty), shape, rate)
    loc = X_new.T @ nig.mean
    leverage = jnp.einsum("ik,ij,jk->k", X_new, nig.cov_factor, X_new)
    scale = jnp.sqrt(nig.rate / nig.shape * (1 + leverage))
    df = jnp.asarray(2 * shape + X.shape[1], dtype=loc.dtype)  # 2 a_N = 2 a_0 + n
    result = StudentT(loc, scale, df)
    if _checks.is_traced(loc):
        return result
    return _finite_result(result, f"predictive_t with penalty = {penalty:g}", "penalty")


def prediction_t(X_new, X, y):
    r"""The frequentist predictive of new targets: $\hat y_\ast$ and the t law of its error.

    With $\hat\beta$ = `beta_mle`, $s^2 = \lVert y - X^\top\hat\beta\rVert^2/(n - m)$
    and $h_\ast = x_\ast^\top (X X^\top)^{-1} x_\ast$,
    $(y_\ast - x_\ast^\top\hat\beta)/(s\sqrt{1 + h_\ast}) \sim t_{n-m}$ under the
    model, so the interval $x_\ast^\top\hat\beta \pm t_{n-m}(\tfrac{1+\ell}{2})\, s\sqrt{1 + h_\ast}$
    covers a new $y_\ast$ with probability $\ell$. $h_\ast = \lVert R^{-\top} x_\ast\rVert^2$
    from the QR factors of `beta_mle`.

    Args:
      X_new: new inputs, shape `(m, k)`.
      X: training inputs, shape `(m, n)` with n > m and rank m.
      y: training targets, shape `(n,)`.

    Returns:
      `StudentT(loc, scale, df)` with loc $x_\ast^\top\hat\beta$, scale
      $s\sqrt{1 + h_\ast}$ (each of shape `(k,)`) and df = n - m (a scalar).
    """
    X, y, _ = _checks.design(X, y)
    m, n = X.shape
    _need_residual_dof(m, n, "a prediction interval")
    _checks.well_posed_design(X)
    X_new = _check_new_inputs(X_new, m, X.shape)
    loc, scale = _prediction_t(X_new, X, y)
    return StudentT(loc, scale, jnp.asarray(n - m, dtype=loc.dtype))


@jax.jit
def _prediction_t(X_new, X, y):
    m, n = X.shape
    beta = _solve_by_qr(X, y)
    s = _root_mean_square_residual(X, y, beta, n - m)
    _, R = jnp.linalg.qr(X.T)
    root = jax.scipy.linalg.solve_triangular(R, X_new, trans="T", lower=False)
    spread = _checks.scaled_norm(
        jnp.concatenate([jnp.ones((1, X_new.shape[1]), X.dtype), root]), axis=0
    )
    return X_new.T @ beta, s * spread


# --- heteroscedastic noise ------------------------------------------------------------


def beta_wls(X, y, *, std):
    r"""Weighted least squares: the maximum-likelihood $\beta$ when sample i has noise std $\sigma_i$.

    $\hat\beta_W = (X W X^\top)^{-1} X W y$ with $W = \operatorname{diag}(1/\sigma_i^2)$,
    computed as `beta_mle` of the rescaled data $x_i/\sigma_i$, $y_i/\sigma_i$.

    Args:
      X: inputs, shape `(m, n)` with n >= m and rank m.
      y: targets, shape `(n,)`.
      std: the noise std of each sample, shape `(n,)`, every entry > 0.

    Returns:
      Coefficients of shape `(m,)`.
    """
    X, y, _ = _checks.design(X, y)
    n = X.shape[1]
    if np.shape(std) != (n,):
        raise ValueError(
            f"std must have shape (n,) = ({n},), one noise std per sample, got {np.shape(std)}"
        )
    _checks.positive_finite(std, "std", power=2)
    std = jnp.asarray(std, dtype=X.dtype)
    # W may be scaled by any constant; relative to the smallest std, X / std cannot overflow.
    std = std / jnp.min(std)
    X_w, y_w = X / std, y / std
    _checks.well_posed_design(X_w)
    return _solve_by_qr(X_w, y_w)


def sandwich_cov(X, y, beta):
    r"""The heteroscedasticity-robust (HC0, "sandwich") covariance of the least-squares $\hat\beta$.

    $(X X^\top)^{-1} X \operatorname{diag}(r_i^2) X^\top (X X^\top)^{-1}$ with the
    residuals $r = y - X^\top\beta$: the covariance $(X X^\top)^{-1} X
    \operatorname{diag}(\sigma_i^2) X^\top (X X^\top)^{-1}$ with each unknown
    $\sigma_i^2$ replaced by $r_i^2$ (White, 1980). It does not assume a constant $\sigma$.

    Args:
      X: inputs, shape `(m, n)` with n >= m and rank m.
      y: targets, shape `(n,)`.
      beta: the fitted coefficients, shape `(m,)` (usually `beta_mle(X, y)`).

    Returns:
      An `(m, m)` symmetric matrix.
    """
    X, y, beta = _checks.design(X, y, beta)
    _checks.well_posed_design(X)
    return _sandwich(X, y, beta)


@jax.jit
def _sandwich(X, y, beta):
    residual = y - X.T @ beta
    Q, inverse = _inverse_r(X)
    bread = inverse @ Q.T  # (X X^T)^{-1} X = R^{-1} Q^T, shape (m, n)
    cov = (bread * residual**2) @ bread.T
    return (cov + cov.T) / 2


# --- gradient descent on the linear model --------------------------------------------


def linear_curvature(X, *, std):
    r"""The second derivative of the linear model's mean NLL: $X X^\top / (n \sigma^2)$.

    Args:
      X: inputs, shape `(m, n)`.
      std: the model's noise std (> 0).

    Returns:
      The Hessian, shape `(m, m)`; for one feature a `(1, 1)` array holding
      $\frac{1}{n\sigma^2}\sum_i x_i^2$.
    """
    X, _, _ = _checks.design(X)
    std = _checks.positive_scalar(std, "std", power=2)
    return X @ X.T / (X.shape[1] * std**2)


def linear_gd_path(beta_init, X, y, *, lr, steps, std=1.0):
    r"""Gradient descent on one fixed batch: the path $\beta_0, \beta_1, \dots, \beta_{steps}$.

    On a fixed batch the NLL is exactly quadratic, so the error to the
    minimiser is multiplied by $I - \eta H$ each step, $H$ = `linear_curvature(X, std=std)`.

    Args:
      beta_init: the start, shape `(m,)`.
      X, y: a fixed batch, shapes `(m, n)` and `(n,)`.
      lr: the learning rate (> 0). steps: the number of steps (>= 1).
      std: the model's noise std (> 0).

    Returns:
      The path, shape `(steps + 1, m)`.

    Raises:
      FloatingPointError: if the path leaves the floating-point range (a
        learning rate far above 2 / curvature); the message names the step.
    """
    X, y, beta_init = _checks.design(X, y, beta_init, beta_name="beta_init")
    lr = _checks.positive_scalar(lr, "lr")
    std = _checks.positive_scalar(std, "std", power=2)
    steps = _checks.positive_int(steps, "steps")
    path = _linear_gd_path(beta_init.astype(X.dtype), X, y, lr, std, steps)
    _raise_if_diverged(path[1:], "the coefficient", lr)
    return path


@partial(jax.jit, static_argnames=("steps",))
def _linear_gd_path(beta_init, X, y, lr, std, steps):
    def step(beta, _):
        beta = beta - lr * jax.grad(linear_nll)(beta, X, y, std=std)
        return beta, beta

    _, betas = jax.lax.scan(step, beta_init, None, length=steps)
    return jnp.concatenate([beta_init[None], betas])


def _raise_if_diverged(values, what, lr):
    """Raise `FloatingPointError` naming the first step whose value is not finite."""
    finite = np.isfinite(np.asarray(values)).reshape(len(values), -1).all(axis=1)
    if not finite.all():
        first = int(np.argmin(finite))
        raise FloatingPointError(
            f"{what} became non-finite at step {first + 1} of {len(values)} with lr = {lr:g}: "
            "the iteration diverged; try a smaller learning rate"
        )


class DescentPath(NamedTuple):
    """The coefficients and losses of gradient descent; unpacks as `betas, losses`."""

    #: The coefficient at the start and after every step, shape `(steps + 1,)`.
    betas: jax.Array
    #: The NLL of each step's batch at the coefficient before the update, shape `(steps,)`.
    losses: jax.Array


def _check_linear_gd(key, target, beta_init, lr, steps, batch_size, std):
    """The checked arguments of `fit_linear_gd`; `beta_init` as a `(1,)` array, `lr` as one
    rate per step."""
    _checks.prng_key(key)
    _checks.target(target)
    steps = _checks.positive_int(steps, "steps")
    return dict(
        key=key,
        target=target,
        beta_init=jnp.array([_checks.scalar(beta_init, "beta_init")]),
        lr=_learning_rates(lr, steps),
        steps=steps,
        batch_size=_checks.positive_int(batch_size, "batch_size"),
        std=_checks.positive_scalar(std, "std"),
    )


def _converged(path, lr, **_):
    """`path` after checking that every loss is finite (else the rate was too large)."""
    _raise_if_diverged(path.losses, "the loss", float(np.max(np.asarray(lr))))
    return path


@_checks.checked(_check_linear_gd, result=_converged)
@partial(jax.jit, static_argnames=("steps", "batch_size"))
def fit_linear_gd(key, target, *, beta_init, lr, steps=100, batch_size=100, std=1.0):
    r"""Gradient descent on the one-feature linear model's mean NLL, a fresh batch each step.

    $\beta_{t+1} = \beta_t - \eta_t\, \nabla_\beta \mathrm{NLL}(\beta_t)$ with the
    gradient from `jax.grad` of `linear_nll`, compiled as one `lax.scan`
    with one key per step. The rate is constant, $\eta_t = \eta$, or a
    schedule given step by step (for example $\eta_t = \eta_0\,\tau/(\tau + t)$,
    which shrinks the noise floor of the fresh batches).

    Args:
      key: a `jax.random` key, split into one key per step.
      target: a `Target` (e.g. `target_f1`).
      beta_init: the starting coefficient (a number).
      lr: the learning rate $\eta$ (> 0), or one rate per step: an array of
        shape `(steps,)`, every entry > 0.
      steps: the number of steps (>= 1).
      batch_size: samples per step (>= 1).
      std: the model's fixed noise std (> 0).

    Returns:
      `DescentPath(betas, losses)`: `betas` of shape `(steps + 1,)` (the start
      and every update), `losses` of shape `(steps,)` (the NLL of each step's
      batch at the coefficient before the update).

    Raises:
      FloatingPointError: if the loss becomes non-finite (the learning rate
        is too large); the message names the step.
    """

    def step(beta, inputs):
        key_step, rate = inputs
        X, y = sample_batch(key_step, target, batch_size)
        value, grad = jax.value_and_grad(linear_nll)(beta, X, y, std=std)
        return beta - rate * grad, (beta, value)

    keys = jax.random.split(key, steps)
    beta, (betas, losses) = jax.lax.scan(step, beta_init, (keys, lr))
    return DescentPath(jnp.concatenate([betas[:, 0], beta]), losses)


def _learning_rates(lr, steps: int) -> jax.Array:
    """`lr` as one rate per step: a number > 0 repeated, or an array of shape `(steps,)`."""
    arr = _checks.real(lr, "lr")
    if arr.ndim == 0:
        # In the dtype of a schedule: a constant rate and a schedule share one compilation.
        lr = _checks.positive_scalar(lr, "lr")
        return jnp.full((steps,), lr, dtype=_checks.compute_dtype())
    if arr.shape != (steps,):
        raise ValueError(
            f"lr must be a number or an array of shape (steps,) = ({steps},), got shape {arr.shape}"
        )
    _checks.positive_finite(arr, "lr")
    return jnp.asarray(arr, dtype=_checks.compute_dtype())
