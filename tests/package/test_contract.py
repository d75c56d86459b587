"""The contract of every public function, as a table: bad input raises our error, good input
gives a finite, correct result.

Each row is `(function, label, call, expected)`. For an invalid row `expected`
is the name of the bad argument: the call must raise `ValueError` or
`TypeError` from a check inside `gaussml` (not from deep inside JAX or numpy)
whose message names that argument. For a valid row `expected` is a reference
value (computed with scipy, numpy or a direct formula in float64) or a
predicate; the result must be finite and match it. `test_every_public_function_is_in_the_table`
keeps the table complete; `CASES_BY_FUNCTION` counts its rows.

`SPECS` (below the tables) declares, for every public function and method of
univariate, mvn, highdim, nn, plotting and regression, a valid call
and the role of each argument; the roles generate one invalid row per kind of
bad input and argument (`CASES_BY_KIND` counts them), and the tests fail when
a public callable has no spec, a kind of its roles has no row, or it has no
valid row against a reference. The valid rows include inputs near the float32
limits, where a naive formula overflows or underflows but the result does not.
"""

from __future__ import annotations

import collections
import math
from functools import partial
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.stats
from statsmodels.regression.linear_model import OLS, WLS

from gaussml import calibration, highdim, mvn, nn, plotting, regression, strd, univariate
from gaussml.regression import target_f1, target_f2, target_f3

KEY = jax.random.key(0)
X3 = jnp.array([[1.0, 2.0, 3.0]])  # one feature, three samples
Y3 = jnp.array([2.1, 3.9, 6.2])
X2 = jnp.array([[1.0, 1.0, 1.0, 1.0], [0.0, 1.0, 2.0, 3.0]])  # intercept and slope
Y2 = jnp.array([1.0, 3.1, 4.9, 7.2])
NAN, INF = float("nan"), float("inf")
NET1 = nn.init_mlp(KEY, hidden=3, outputs=1)
NET2 = nn.init_mlp(KEY, hidden=3, outputs=2)
FIT2 = nn.Fit(NET2, {"x_center": 0.0, "x_scale": 1.0, "y_center": 0.0, "y_scale": 1.0})
FIT1 = nn.Fit(NET1, FIT2.scaling)
TRAINER = nn.trainer(target_f1, steps=5, batch_size=4, hidden=3)
STATE = TRAINER.init(KEY)
SMALL_FIT = dict(steps=5, batch_size=8, hidden=3)


def ols(X, y):
    X, y = np.asarray(X, np.float64), np.asarray(y, np.float64)
    return np.linalg.lstsq(X.T, y, rcond=None)[0]


def np_mlp(params, X):
    p = {k: np.asarray(v, np.float64) for k, v in params.items()}
    return (
        p["w2"] @ np.tanh(p["w1"] @ np.asarray(X, np.float64) + p["b1"][:, None]) + p["b2"][:, None]
    )


def np_gauss_newton(params, X):
    """J^T diag(exp(-2 s), 2) J for one input, the Jacobian of (mu, s) in the weights in closed
    form (float64), the weights in ravel_pytree's order: b1, b2, w1, w2."""
    p = {k: np.asarray(v, np.float64) for k, v in params.items()}
    x = float(np.asarray(X)[0, 0])
    hidden = np.tanh(p["w1"][:, 0] * x + p["b1"])
    slope = 1 - hidden**2
    rows = []
    for out in range(2):
        d_b1 = p["w2"][out] * slope
        d_b2 = np.eye(2)[out]
        d_w1 = d_b1 * x
        d_w2 = np.outer(np.eye(2)[out], hidden).ravel()
        rows.append(np.concatenate([d_b1, d_b2, d_w1, d_w2]))
    J = np.array(rows)
    log_std = (p["w2"] @ hidden + p["b2"])[1]
    return J.T @ np.diag([np.exp(-2 * log_std), 2.0]) @ J


def np_posterior(X, y, std, prior_std):
    """The posterior's mean and covariance by the closed form, in float64."""
    X, y = np.asarray(X, np.float64), np.asarray(y, np.float64)
    cov = np.linalg.inv(X @ X.T / std**2 + np.eye(len(X)) / prior_std**2)
    return cov @ X @ y / std**2, cov


def np_posterior_nig(X, y, penalty, shape, rate):
    """Mean, V_N, a_N and b_N of the normal-inverse-gamma posterior, flattened, in float64."""
    X, y = np.asarray(X, np.float64), np.asarray(y, np.float64)
    precision = X @ X.T + penalty * np.eye(len(X))
    mean = np.linalg.solve(precision, X @ y)
    rate_n = rate + (y @ y - mean @ precision @ mean) / 2
    return np.concatenate([mean, np.linalg.inv(precision).ravel(), [shape + len(y) / 2, rate_n]])


def np_predictive_t(X_new, X, y, penalty, shape, rate):
    """loc, scale and df of the Student-t predictive under that posterior, in float64."""
    m = len(X)
    flat = np_posterior_nig(X, y, penalty, shape, rate)
    mean, cov = flat[:m], flat[m : m + m * m].reshape(m, m)
    shape_n, rate_n = flat[-2:]
    X_new = np.asarray(X_new, np.float64)
    leverage = np.einsum("ik,ij,jk->k", X_new, cov, X_new)
    scale = np.sqrt(rate_n / shape_n * (1 + leverage))
    return np.concatenate([X_new.T @ mean, scale, [2 * shape_n]])


def np_prediction_t(X_new, X, y):
    """loc, scale and df of the frequentist predictive t law, in float64."""
    X, y, X_new = (np.asarray(a, np.float64) for a in (X, y, X_new))
    (m, n), beta = X.shape, ols(X, y)
    s = np.sqrt(np.sum((y - X.T @ beta) ** 2) / (n - m))
    leverage = np.einsum("ik,ij,jk->k", X_new, np.linalg.inv(X @ X.T), X_new)
    return np.concatenate([X_new.T @ beta, s * np.sqrt(1 + leverage), [n - m]])


def np_gd_path(beta, X, y, *, lr, steps, std):
    """Gradient descent on the mean NLL, beta <- beta - lr (X X^T beta - X y) / (n std^2)."""
    X, y = np.asarray(X, np.float64), np.asarray(y, np.float64)
    path = [np.asarray(beta, np.float64)]
    for _ in range(steps):
        grad = (X @ (X.T @ path[-1]) - X @ y) / (X.shape[1] * std**2)
        path.append(path[-1] - lr * grad)
    return np.array(path)


def np_fit_linear_gd(key, target, *, beta_init, lr, steps, batch_size, std):
    """`fit_linear_gd` in float64 on the same batches: one key of `split(key, steps)` per step,
    the mean NLL by scipy at the coefficient before each update; `(betas, losses)` joined."""
    betas, losses = [beta_init], []
    for key_step in jax.random.split(key, steps):
        X, y = (
            np.asarray(a, np.float64) for a in regression.sample_batch(key_step, target, batch_size)
        )
        losses.append(-np.mean(scipy.stats.norm.logpdf(y, betas[-1] * X[0], std)))
        betas.append(np_gd_path([betas[-1]], X, y, lr=lr, steps=1, std=std)[1, 0])
    return np.concatenate([betas, losses])


def is_finite_tree(tree):
    leaves = jax.tree_util.tree_leaves(tree)
    return all(
        np.all(np.isfinite(np.asarray(leaf)))
        for leaf in leaves
        if not jax.dtypes.issubdtype(
            np.result_type(leaf) if not hasattr(leaf, "dtype") else leaf.dtype, jax.dtypes.prng_key
        )
    )


def shape_is(*shape):
    return lambda out: np.shape(out) == shape


# --- invalid inputs: (function, label, call, name of the bad argument) ---------------------

INVALID = [
    # univariate
    ("logpdf", "nan x", lambda: univariate.logpdf(NAN), "x"),
    ("logpdf", "nan mean", lambda: univariate.logpdf(0.0, mean=NAN), "mean"),
    ("logpdf", "zero std", lambda: univariate.logpdf(0.0, std=0.0), "std"),
    ("logpdf", "std underflows float32", lambda: univariate.logpdf(0.0, std=1e-40), "std"),
    ("logpdf", "std overflows float32", lambda: univariate.logpdf(0.0, std=1e39), "std"),
    ("logpdf", "string std", lambda: univariate.logpdf(0.0, std="1"), "std"),
    ("logpdf", "complex x", lambda: univariate.logpdf(1j), "x"),
    ("pdf", "inf x", lambda: univariate.pdf(INF), "x"),
    ("pdf", "negative std", lambda: univariate.pdf(0.0, std=-1.0), "std"),
    ("affine", "nan z", lambda: univariate.affine(NAN, mean=0.0, std=1.0), "z"),
    ("affine", "inf mean", lambda: univariate.affine(0.0, mean=INF, std=1.0), "mean"),
    ("affine", "zero std", lambda: univariate.affine(0.0, mean=0.0, std=0.0), "std"),
    ("sample", "not a key", lambda: univariate.sample(0, 3), "key"),
    ("sample", "zero n", lambda: univariate.sample(KEY, 0), "shape"),
    ("sample", "float n", lambda: univariate.sample(KEY, 2.0), "shape"),
    ("sample", "a zero in the shape", lambda: univariate.sample(KEY, (3, 0)), "shape"),
    ("sample", "array std", lambda: univariate.sample(KEY, 3, std=jnp.ones(3)), "std"),
    ("sample", "nan mean", lambda: univariate.sample(KEY, 3, mean=NAN), "mean"),
    ("fit_mle", "nan x", lambda: univariate.fit_mle(jnp.array([1.0, NAN])), "x"),
    ("fit_mle", "empty x", lambda: univariate.fit_mle(jnp.zeros(0)), "x"),
    ("fit_mle", "matrix x", lambda: univariate.fit_mle(jnp.ones((2, 2))), "x"),
    ("box_muller", "not a key", lambda: univariate.box_muller(0, 4), "key"),
    ("box_muller", "zero n", lambda: univariate.box_muller(KEY, 0), "shape"),
    # highdim
    ("chi_logpdf", "nan r", lambda: highdim.chi_logpdf(NAN, 3), "r"),
    ("chi_logpdf", "zero dim", lambda: highdim.chi_logpdf(1.0, 0), "dim"),
    ("chi_pdf", "float dim", lambda: highdim.chi_pdf(1.0, 2.5), "dim"),
    ("chi_mean", "zero dim", lambda: highdim.chi_mean(0), "dim"),
    ("chi_var", "negative dim", lambda: highdim.chi_var(-1), "dim"),
    ("chi_logpdf", "zero scale", lambda: highdim.chi_logpdf(1.0, 3, scale=0.0), "scale"),
    ("chi_pdf", "negative scale", lambda: highdim.chi_pdf(1.0, 3, scale=-1.0), "scale"),
    (
        "unit_ball_log10_prob_bounds",
        "zero dim",
        lambda: highdim.unit_ball_log10_prob_bounds(0),
        "dim",
    ),
    ("sample_norms", "zero n", lambda: highdim.sample_norms(KEY, 0, 3), "shape"),
    (
        "logpdf",
        "cov not positive definite",
        lambda: mvn.logpdf(jnp.zeros(2), mean=jnp.zeros(2), cov=-jnp.eye(2)),
        "cov",
    ),
    (
        "mahalanobis",
        "nan x",
        lambda: mvn.mahalanobis(jnp.array([NAN, 0.0]), mean=jnp.zeros(2), cov=jnp.eye(2)),
        "x",
    ),
    ("sample", "not a key", lambda: mvn.sample("key", 3, mean=jnp.zeros(2), cov=jnp.eye(2)), "key"),
    ("cholesky", "not symmetric", lambda: mvn.cholesky(jnp.array([[1.0, 0.5], [0.0, 1.0]])), "cov"),
    (
        "marginal",
        "cov not positive definite",
        lambda: mvn.marginal([0], mean=jnp.zeros(2), cov=jnp.array([[1.0, 2.0], [2.0, 1.0]])),
        "cov",
    ),
    (
        "conditional",
        "every component observed",
        lambda: mvn.conditional([0, 1], jnp.zeros(2), mean=jnp.zeros(2), cov=jnp.eye(2)),
        "idx",
    ),
    (
        "conditional",
        "values of the wrong length",
        lambda: mvn.conditional([0, 1], jnp.zeros(3), mean=jnp.zeros(3), cov=jnp.eye(3)),
        "values",
    ),
    ("sample_norms", "not a key", lambda: highdim.sample_norms("key", 3, 3), "key"),
    ("sample_distances", "zero dim", lambda: highdim.sample_distances(KEY, 3, 0), "dim"),
    ("std_normal_logpdf", "nan x", lambda: highdim.std_normal_logpdf(jnp.array([[NAN, 0.0]])), "x"),
    ("lerp", "alpha above 1", lambda: highdim.lerp(1.5, jnp.ones(3), jnp.ones(3)), "alpha"),
    ("lerp", "mismatched points", lambda: highdim.lerp(0.5, jnp.ones(3), jnp.ones(2)), "x_b"),
    (
        "polar_interp",
        "nan alpha",
        lambda: highdim.polar_interp(NAN, jnp.ones(3), jnp.ones(3)),
        "alpha",
    ),
    ("prefix_norms", "dim too large", lambda: highdim.prefix_norms(jnp.ones((2, 3)), [4]), "dims"),
    ("prefix_norms", "nan x", lambda: highdim.prefix_norms(jnp.full((2, 3), NAN), [2]), "x"),
    (
        "prefix_cosines",
        "mismatched points",
        lambda: highdim.prefix_cosines(jnp.ones((2, 3)), jnp.ones((2, 4)), [2]),
        "x_b",
    ),
    (
        "prefix_cosines",
        "zero prefix",
        lambda: highdim.prefix_cosines(jnp.zeros((1, 3)), jnp.ones((1, 3)), [2]),
        "x_a",
    ),
    (
        "mean_loglik_along_path",
        "unknown path",
        lambda: highdim.mean_loglik_along_path(
            jnp.linspace(0, 1, 3), jnp.ones((2, 3)), jnp.ones((2, 3)), path="spline"
        ),
        "path",
    ),
    # regression: targets and batches
    ("Target.__call__", "x of rank 1", lambda: target_f1(KEY, jnp.ones(3)), "x"),
    ("Target.__call__", "nan x", lambda: target_f1(KEY, jnp.array([[NAN]])), "x"),
    ("Target.__call__", "not a key", lambda: target_f1(3, X3), "key"),
    (
        "sample_batch",
        "not a target",
        lambda: regression.sample_batch(KEY, lambda k, x: x[0], 3),
        "target",
    ),
    ("sample_batch", "zero n", lambda: regression.sample_batch(KEY, target_f1, 0), "n"),
    ("sample_batch", "not a key", lambda: regression.sample_batch(None, target_f1, 3), "key"),
    (
        "sample_batch",
        "nan coefficient",
        lambda: regression.sample_batch(KEY, target_f1._replace(slope=NAN), 3),
        "slope",
    ),
    (
        "population_slope",
        "not a target",
        lambda: regression.population_slope((2.0, 0.0, 0.3, 0.0)),
        "target",
    ),
    (
        "population_slope",
        "nan coefficient",
        lambda: regression.population_slope(target_f1._replace(wave=NAN)),
        "wave",
    ),
    # regression: estimates and likelihood
    ("beta_mle", "nan y", lambda: regression.beta_mle(X3, Y3.at[0].set(NAN)), "y"),
    ("beta_mle", "inf X", lambda: regression.beta_mle(X3.at[0, 1].set(INF), Y3), "X"),
    ("beta_mle", "empty batch", lambda: regression.beta_mle(jnp.ones((1, 0)), jnp.ones(0)), "X"),
    ("beta_mle", "y of wrong length", lambda: regression.beta_mle(X3, jnp.ones(4)), "y"),
    ("beta_mle", "X of rank 1", lambda: regression.beta_mle(jnp.ones(3), Y3), "X"),
    ("beta_mle", "rank-deficient X", lambda: regression.beta_mle(jnp.ones((2, 4)), Y2), "X"),
    (
        "beta_mle",
        "ill-conditioned X in float32",
        lambda: regression.beta_mle(
            jnp.array([[1.0, 1.0, 1.0], [1.0, 1.0 + 1e-6, 1.0 + 2e-6]]), Y3
        ),
        "X",
    ),
    ("beta_mle_cov", "std array", lambda: regression.beta_mle_cov(X2, std=jnp.ones(2)), "std"),
    (
        "beta_mle_cov",
        "std whose square underflows",
        lambda: regression.beta_mle_cov(X2, std=1e-25),
        "std",
    ),
    ("beta_mle_cov", "nan X", lambda: regression.beta_mle_cov(X2.at[0, 0].set(NAN), std=1.0), "X"),
    ("std_mle", "beta of wrong shape", lambda: regression.std_mle(X3, Y3, jnp.ones(2)), "beta"),
    ("std_mle", "ddof = n", lambda: regression.std_mle(X3, Y3, jnp.ones(1), ddof=3), "ddof"),
    ("std_mle", "bool ddof", lambda: regression.std_mle(X3, Y3, jnp.ones(1), ddof=True), "ddof"),
    ("std_mle", "nan beta", lambda: regression.std_mle(X3, Y3, jnp.array([NAN])), "beta"),
    (
        "linear_nll",
        "nan beta",
        lambda: regression.linear_nll(jnp.array([NAN]), X3, Y3, std=1.0),
        "beta",
    ),
    (
        "linear_nll",
        "nan X",
        lambda: regression.linear_nll(jnp.ones(1), X3.at[0, 0].set(NAN), Y3, std=1.0),
        "X",
    ),
    ("linear_nll", "zero std", lambda: regression.linear_nll(jnp.ones(1), X3, Y3, std=0.0), "std"),
    (
        "linear_nll",
        "empty batch",
        lambda: regression.linear_nll(jnp.ones(1), jnp.ones((1, 0)), jnp.ones(0), std=1.0),
        "X",
    ),
    (
        "linear_nll_grad",
        "std array",
        lambda: regression.linear_nll_grad(jnp.ones(1), X3, Y3, std=jnp.ones(3)),
        "std",
    ),
    (
        "linear_nll_grad",
        "inf y",
        lambda: regression.linear_nll_grad(jnp.ones(1), X3, Y3.at[1].set(INF), std=1.0),
        "y",
    ),
    (
        "linear_curvature",
        "X of rank 1",
        lambda: regression.linear_curvature(jnp.ones(3), std=1.0),
        "X",
    ),
    ("linear_curvature", "negative std", lambda: regression.linear_curvature(X3, std=-1.0), "std"),
    (
        "linear_gd_path",
        "nan beta_init",
        lambda: regression.linear_gd_path(jnp.array([NAN]), X3, Y3, lr=0.1, steps=2),
        "beta",
    ),
    (
        "linear_gd_path",
        "zero steps",
        lambda: regression.linear_gd_path(jnp.ones(1), X3, Y3, lr=0.1, steps=0),
        "steps",
    ),
    (
        "linear_gd_path",
        "inf lr",
        lambda: regression.linear_gd_path(jnp.ones(1), X3, Y3, lr=INF, steps=2),
        "lr",
    ),
    (
        "fit_linear_gd",
        "nan beta_init",
        lambda: regression.fit_linear_gd(KEY, target_f1, beta_init=NAN, lr=1e-3),
        "beta_init",
    ),
    (
        "fit_linear_gd",
        "not a target",
        lambda: regression.fit_linear_gd(KEY, "f1", beta_init=0.0, lr=1e-3),
        "target",
    ),
    (
        "fit_linear_gd",
        "zero batch_size",
        lambda: regression.fit_linear_gd(KEY, target_f1, beta_init=0.0, lr=1e-3, batch_size=0),
        "batch_size",
    ),
    (
        "fit_linear_gd",
        "lr schedule of the wrong length",
        lambda: regression.fit_linear_gd(
            KEY, target_f1, beta_init=0.0, lr=jnp.full(3, 1e-3), steps=4
        ),
        "lr",
    ),
    (
        "fit_linear_gd",
        "not a key",
        lambda: regression.fit_linear_gd(1, target_f1, beta_init=0.0, lr=1e-3),
        "key",
    ),
    # nn: networks and likelihoods
    ("init_mlp", "zero hidden", lambda: nn.init_mlp(KEY, hidden=0), "hidden"),
    ("init_mlp", "nan weight_std", lambda: nn.init_mlp(KEY, weight_std=NAN), "weight_std"),
    ("init_mlp", "not a key", lambda: nn.init_mlp([0, 1]), "key"),
    ("mlp", "X of two features", lambda: nn.mlp(NET1, jnp.ones((2, 3))), "X"),
    ("mlp", "nan X", lambda: nn.mlp(NET1, jnp.array([[NAN]])), "X"),
    ("mlp", "params missing a key", lambda: nn.mlp({"w1": NET1["w1"]}, X3), "params"),
    ("mlp", "nan weight", lambda: nn.mlp({**NET1, "b2": jnp.array([NAN])}, X3), "params"),
    ("gaussian_nll", "nan y", lambda: nn.gaussian_nll(jnp.array([NAN]), 0.0, 0.0), "y"),
    ("gaussian_nll", "inf log_std", lambda: nn.gaussian_nll(jnp.zeros(2), 0.0, INF), "log_std"),
    ("gaussian_nll", "empty batch", lambda: nn.gaussian_nll(jnp.zeros(0), 0.0, 0.0), "y"),
    (
        "gaussian_nll",
        "shapes that do not broadcast",
        lambda: nn.gaussian_nll(jnp.zeros(3), jnp.zeros(2), 0.0),
        "mean",
    ),
    (
        "mean_network_nll",
        "two-output network",
        lambda: nn.mean_network_nll(NET2, X3, Y3, std=1.0),
        "params",
    ),
    ("mean_network_nll", "zero std", lambda: nn.mean_network_nll(NET1, X3, Y3, std=0.0), "std"),
    (
        "heteroscedastic_nll",
        "one-output network",
        lambda: nn.heteroscedastic_nll(NET1, X3, Y3),
        "params",
    ),
    (
        "heteroscedastic_nll",
        "nan y",
        lambda: nn.heteroscedastic_nll(NET2, X3, Y3.at[2].set(NAN)),
        "y",
    ),
    (
        "heteroscedastic_nll",
        "empty batch",
        lambda: nn.heteroscedastic_nll(NET2, jnp.ones((1, 0)), jnp.ones(0)),
        "X",
    ),
    (
        "gaussian_nll",
        "beta_nll above 1",
        lambda: nn.gaussian_nll(jnp.zeros(2), 0.0, 0.0, beta_nll=1.5),
        "beta_nll",
    ),
    (
        "heteroscedastic_nll",
        "negative beta_nll",
        lambda: nn.heteroscedastic_nll(NET2, X3, Y3, beta_nll=-0.5),
        "beta_nll",
    ),
    (
        "fit_heteroscedastic",
        "beta_nll of two values",
        lambda: nn.fit_heteroscedastic(KEY, target_f1, beta_nll=[0.0, 0.5]),
        "beta_nll",
    ),
    ("gauss_newton", "a one-output fit", lambda: nn.gauss_newton(FIT1, X3), "fit"),
    ("gauss_newton", "nan X", lambda: nn.gauss_newton(FIT2, jnp.array([[NAN]])), "X"),
    (
        "mixture_pit",
        "means and stds of different shapes",
        lambda: nn.mixture_pit(Y3, means=jnp.zeros((2, 3)), stds=jnp.ones((2, 4))),
        "means",
    ),
    (
        "mixture_pit",
        "a zero std",
        lambda: nn.mixture_pit(Y3, means=jnp.zeros((2, 3)), stds=jnp.zeros((2, 3))),
        "stds",
    ),
    ("saturated_share", "X of rank 1", lambda: nn.saturated_share(NET1, jnp.ones(3)), "X"),
    # nn: training
    (
        "trainer",
        "string standardise_x",
        lambda: nn.trainer(target_f1, standardise_x="False"),
        "standardise_x",
    ),
    (
        "trainer",
        "integer standardise_y",
        lambda: nn.trainer(target_f1, standardise_y=1),
        "standardise_y",
    ),
    ("trainer", "three outputs", lambda: nn.trainer(target_f1, outputs=3), "outputs"),
    ("trainer", "not a target", lambda: nn.trainer(None), "target"),
    ("trainer", "init: not a key", lambda: nn.trainer(target_f1).init(0), "key"),
    ("trainer", "step: not a state", lambda: nn.trainer(target_f1).step(KEY, {}), "state"),
    ("trainer", "step: the state first", lambda: nn.trainer(target_f1).step(STATE, KEY), "key"),
    ("trainer", "step: not a key", lambda: nn.trainer(target_f1).step(0, STATE), "key"),
    ("train_keys", "zero steps", lambda: nn.train_keys(KEY, 0), "steps"),
    ("fit_mean_network", "zero std", lambda: nn.fit_mean_network(KEY, target_f1, std=0.0), "std"),
    (
        "fit_mean_network",
        "unknown optimizer",
        lambda: nn.fit_mean_network(KEY, target_f1, optimizer="rmsprop"),
        "optimizer",
    ),
    (
        "fit_heteroscedastic",
        "string standardise_x",
        lambda: nn.fit_heteroscedastic(KEY, target_f1, standardise_x="False"),
        "standardise_x",
    ),
    (
        "fit_heteroscedastic",
        "not a target",
        lambda: nn.fit_heteroscedastic(KEY, lambda k, x: x[0]),
        "target",
    ),
    (
        "fit_heteroscedastic",
        "negative lr",
        lambda: nn.fit_heteroscedastic(KEY, target_f1, lr=-0.1),
        "lr",
    ),
    ("fit_heteroscedastic", "not a key", lambda: nn.fit_heteroscedastic(0, target_f1), "key"),
    (
        "predict_mean_network",
        "X of rank 1",
        lambda: nn.predict_mean_network(FIT1, jnp.ones(3)),
        "X",
    ),
    ("predict_mean_network", "a bare network", lambda: nn.predict_mean_network(NET1, X3), "fit"),
    (
        "predict_heteroscedastic",
        "one-output fit",
        lambda: nn.predict_heteroscedastic(FIT1, X3),
        "params",
    ),
    (
        "predict_heteroscedastic",
        "inf X",
        lambda: nn.predict_heteroscedastic(FIT2, jnp.array([[INF]])),
        "X",
    ),
    (
        "heteroscedastic_errors",
        "not a target",
        lambda: nn.heteroscedastic_errors(FIT2, "f2", X3),
        "target",
    ),
    (
        "heteroscedastic_errors",
        "where the true std is 0",
        lambda: nn.heteroscedastic_errors(FIT2, target_f2, jnp.zeros((1, 2))),
        "X",
    ),
    # plotting
    (
        "running_mean",
        "width above the length",
        lambda: plotting.running_mean(np.ones(3), width=5),
        "width",
    ),
    # regression: intervals, n < m, the posterior, heteroscedastic noise
    ("beta_intervals", "level 1", lambda: regression.beta_intervals(X2, Y2, level=1.0), "level"),
    ("beta_intervals", "nan y", lambda: regression.beta_intervals(X2, Y2.at[0].set(NAN)), "y"),
    ("beta_min_norm", "inf X", lambda: regression.beta_min_norm(X3.at[0, 0].set(INF), Y3), "X"),
    ("beta_ridge", "zero penalty", lambda: regression.beta_ridge(X3, Y3, penalty=0.0), "penalty"),
    (
        "posterior",
        "negative prior_std",
        lambda: regression.posterior(X3, Y3, std=1.0, prior_std=-1.0),
        "prior_std",
    ),
    ("beta_map", "zero std", lambda: regression.beta_map(X3, Y3, std=0.0, prior_std=1.0), "std"),
    (
        "log_evidence",
        "zero prior_std",
        lambda: regression.log_evidence(X3, Y3, std=1.0, prior_std=0.0),
        "prior_std",
    ),
    (
        "posterior_nig",
        "negative shape",
        lambda: regression.posterior_nig(X3, Y3, penalty=1.0, shape=-1.0, rate=1.0),
        "shape",
    ),
    (
        "predictive_t",
        "X_new with the wrong number of features",
        lambda: regression.predictive_t(X2, X3, Y3, penalty=1.0, shape=1.0, rate=1.0),
        "X_new",
    ),
    (
        "prediction_t",
        "X_new with the wrong number of features",
        lambda: regression.prediction_t(X3, X2, Y2),
        "X_new",
    ),
    (
        "predictive",
        "X_new with the wrong number of features",
        lambda: regression.predictive(X2, X3, Y3, std=1.0, prior_std=1.0),
        "X_new",
    ),
    (
        "log_relative_error",
        "reference of another shape",
        lambda: regression.log_relative_error(np.ones(2), np.ones(3)),
        "reference",
    ),
    (
        "beta_wls",
        "std of wrong length",
        lambda: regression.beta_wls(X3, Y3, std=jnp.ones(2)),
        "std",
    ),
    ("beta_wls", "zero std", lambda: regression.beta_wls(X3, Y3, std=jnp.zeros(3)), "std"),
    (
        "sandwich_cov",
        "beta of wrong shape",
        lambda: regression.sandwich_cov(X3, Y3, jnp.ones(2)),
        "beta",
    ),
]


# --- valid inputs: (function, label, call, reference value or predicate) -------------------

VALID = [
    # regression: beta* = E[x mu(x)] / E[x^2] = 2 + 3 w (sin 10 - 10 cos 10) / 2000 on U(0, 20)
    (
        "population_slope",
        "a wave",
        lambda: regression.population_slope(target_f1._replace(wave=5.0)),
        2 + 3 * 5.0 * (math.sin(10) - 10 * math.cos(10)) / 2000,
    ),
    # univariate: references from scipy.stats.norm
    (
        "logpdf",
        "scalar",
        lambda: univariate.logpdf(0.7, mean=-0.2, std=0.4),
        scipy.stats.norm.logpdf(0.7, -0.2, 0.4),
    ),
    ("logpdf", "x = 2e19", lambda: univariate.logpdf(2e19), scipy.stats.norm.logpdf(2e19)),
    (
        "logpdf",
        "far tail, small std",
        lambda: univariate.logpdf(1e4, std=1e-3),
        scipy.stats.norm.logpdf(1e4, 0, 1e-3),
    ),
    (
        "logpdf",
        "tiny normal std",
        lambda: univariate.logpdf(0.0, std=1e-30),
        scipy.stats.norm.logpdf(0.0, 0, 1e-30),
    ),
    (
        "pdf",
        "vector",
        lambda: univariate.pdf(jnp.array([-1.0, 0.0, 2.0]), std=0.3),
        scipy.stats.norm.pdf([-1.0, 0.0, 2.0], 0, 0.3),
    ),
    (
        "affine",
        "broadcast",
        lambda: univariate.affine(jnp.array([-1.0, 1.0]), mean=2.0, std=3.0),
        np.array([-1.0, 5.0]),
    ),
    ("sample", "shape", lambda: univariate.sample(KEY, 5, mean=1.0, std=2.0), shape_is(5)),
    (
        "fit_mle",
        "against numpy (std divides by n)",
        lambda: univariate.fit_mle(jnp.array([1.0, 2.0, 4.0, 7.0])),
        (np.mean([1.0, 2.0, 4.0, 7.0]), np.std([1.0, 2.0, 4.0, 7.0])),
    ),
    ("box_muller", "shape", lambda: univariate.box_muller(KEY, 6), shape_is(6)),
    ("box_muller", "2-d shape", lambda: univariate.box_muller(KEY, (2, 3)), shape_is(2, 3)),
    ("sample", "2-d shape", lambda: univariate.sample(KEY, (2, 3)), shape_is(2, 3)),
    # highdim: scipy.stats.chi and direct formulas
    (
        "chi_logpdf",
        "dim 100",
        lambda: highdim.chi_logpdf(9.9, 100),
        scipy.stats.chi.logpdf(9.9, 100),
    ),
    ("chi_pdf", "dim 3", lambda: highdim.chi_pdf(1.5, 3), scipy.stats.chi.pdf(1.5, 3)),
    ("chi_mean", "dim 10", lambda: highdim.chi_mean(10), scipy.stats.chi.mean(10)),
    ("chi_var", "dim 10", lambda: highdim.chi_var(10), scipy.stats.chi.var(10)),
    (
        "chi_logpdf",
        "dim 5, scale sqrt(2): the distance between two draws",
        lambda: highdim.chi_logpdf(3.0, 5, scale=math.sqrt(2)),
        scipy.stats.chi.logpdf(3.0, 5, scale=math.sqrt(2)),
    ),
    (
        "chi_pdf",
        "dim 5, scale sqrt(2)",
        lambda: highdim.chi_pdf(3.0, 5, scale=math.sqrt(2)),
        scipy.stats.chi.pdf(3.0, 5, scale=math.sqrt(2)),
    ),
    (
        "chi_mean",
        "dim 5, scale 3",
        lambda: highdim.chi_mean(5, scale=3.0),
        scipy.stats.chi.mean(5, scale=3.0),
    ),
    (
        "chi_var",
        "dim 5, scale 3",
        lambda: highdim.chi_var(5, scale=3.0),
        scipy.stats.chi.var(5, scale=3.0),
    ),
    (
        "unit_ball_log10_prob_bounds",
        "dim 10",
        lambda: highdim.unit_ball_log10_prob_bounds(10),
        lambda out: np.all(np.asarray(out) < 0),
    ),
    ("sample_norms", "shape", lambda: highdim.sample_norms(KEY, 4, 3), shape_is(4)),
    ("sample_norms", "2-d shape", lambda: highdim.sample_norms(KEY, (2, 4), 3), shape_is(2, 4)),
    (
        "logpdf",
        "2-d",
        lambda: mvn.logpdf(
            jnp.array([0.5, -1.0]), mean=jnp.zeros(2), cov=jnp.array([[2.0, 0.5], [0.5, 1.0]])
        ),
        scipy.stats.multivariate_normal([0, 0], [[2.0, 0.5], [0.5, 1.0]]).logpdf([0.5, -1.0]),
    ),
    (
        "mahalanobis",
        "diagonal",
        lambda: mvn.mahalanobis(
            jnp.array([2.0, 3.0]), mean=jnp.zeros(2), cov=jnp.diag(jnp.array([4.0, 9.0]))
        ),
        math.sqrt(2.0),
    ),
    (
        "sample",
        "shape",
        lambda: mvn.sample(KEY, 4, mean=jnp.zeros(3), cov=jnp.eye(3)),
        shape_is(4, 3),
    ),
    # mu_a + S_ab / S_bb (x_b - mu_b) and S_aa - S_ab^2 / S_bb for S = [[2, .5], [.5, 1]]
    (
        "conditional",
        "mean, 2-d",
        lambda: (
            mvn.conditional(
                [1], [3.0], mean=jnp.zeros(2), cov=jnp.array([[2.0, 0.5], [0.5, 1.0]])
            ).mean
        ),
        np.array([1.5]),
    ),
    (
        "conditional",
        "cov, 2-d",
        lambda: (
            mvn.conditional(
                [1], [3.0], mean=jnp.zeros(2), cov=jnp.array([[2.0, 0.5], [0.5, 1.0]])
            ).cov
        ),
        np.array([[1.75]]),
    ),
    (
        "marginal",
        "cov, reordered",
        lambda: (
            mvn.marginal([2, 0], mean=jnp.zeros(3), cov=jnp.diag(jnp.array([1.0, 2.0, 3.0]))).cov
        ),
        np.diag([3.0, 1.0]),
    ),
    (
        "cholesky",
        "diagonal",
        lambda: mvn.cholesky(jnp.diag(jnp.array([4.0, 9.0]))),
        np.diag([2.0, 3.0]),
    ),
    ("sample_distances", "shape", lambda: highdim.sample_distances(KEY, 4, 3), shape_is(4)),
    (
        "std_normal_logpdf",
        "two points",
        lambda: highdim.std_normal_logpdf(jnp.array([[0.0, 1.0], [2.0, -1.0]])),
        scipy.stats.norm.logpdf([[0.0, 1.0], [2.0, -1.0]]).sum(axis=1),
    ),
    ("lerp", "midpoint", lambda: highdim.lerp(0.5, jnp.ones(2), -jnp.ones(2)), np.zeros(2)),
    (
        "polar_interp",
        "alpha 1/2",
        lambda: highdim.polar_interp(0.5, jnp.ones(2), jnp.ones(2)),
        np.full(2, math.sqrt(2)),
    ),
    (
        "prefix_cosines",
        "orthogonal, then not",
        lambda: highdim.prefix_cosines(
            jnp.array([[1.0, 0.0, 1.0]]), jnp.array([[0.0, 1.0, 1.0]]), [2, 3]
        ),
        np.array([[0.0, 0.5]]),
    ),
    (
        "prefix_norms",
        "two prefixes",
        lambda: highdim.prefix_norms(jnp.array([[3.0, 4.0, 12.0]]), [2, 3]),
        np.array([[5.0, 13.0]]),
    ),
    (
        "mean_loglik_along_path",
        "end points",
        lambda: (
            highdim.mean_loglik_along_path(
                jnp.array([0.0, 1.0]), jnp.ones((1, 3)), jnp.zeros((1, 3)), path="linear"
            ).gaussian
        ),
        np.array(
            [scipy.stats.norm.logpdf(np.zeros(3)).sum(), scipy.stats.norm.logpdf(np.ones(3)).sum()]
        ),
    ),
    # regression
    (
        "Target.__call__",
        "noiseless at x = 0 for f2",
        lambda: target_f2(KEY, jnp.zeros((1, 2))),
        np.zeros(2),
    ),
    (
        "sample_batch",
        "shapes",
        lambda: regression.sample_batch(KEY, target_f1, 4)[0],
        lambda X: X.shape == (1, 4) and np.all((X >= 0) & (X <= 20)),
    ),
    ("beta_mle", "one feature", lambda: regression.beta_mle(X3, Y3), ols(X3, Y3)),
    ("beta_mle", "intercept and slope", lambda: regression.beta_mle(X2, Y2), ols(X2, Y2)),
    (
        "exact_least_squares",
        "intercept and slope",
        lambda: strd.exact_least_squares(X2, Y2),
        ols(X2, Y2),
    ),
    (
        "beta_mle",
        "cond(X) ~ 200 in float32",
        lambda: regression.beta_mle(jnp.array([[1.0] * 4, [10.0, 10.5, 11.0, 11.5]]), Y2),
        ols(np.array([[1.0] * 4, [10.0, 10.5, 11.0, 11.5]]), Y2),
    ),
    (
        "beta_mle_cov",
        "known std",
        lambda: regression.beta_mle_cov(X2, std=0.5),
        0.25 * np.linalg.inv(np.asarray(X2, np.float64) @ np.asarray(X2, np.float64).T),
    ),
    (
        "std_mle",
        "at the OLS fit",
        lambda: regression.std_mle(X3, Y3, jnp.asarray(ols(X3, Y3), jnp.float32)),
        math.sqrt(
            np.mean((np.asarray(Y3, np.float64) - np.asarray(X3, np.float64).T @ ols(X3, Y3)) ** 2)
        ),
    ),
    (
        "std_mle",
        "residuals of 1e20",
        lambda: regression.std_mle(X3, jnp.full(3, 1e20), jnp.zeros(1)),
        1e20,
    ),
    (
        "linear_nll",
        "against scipy",
        lambda: regression.linear_nll(jnp.array([2.0]), X3, Y3, std=0.5),
        -np.mean(
            scipy.stats.norm.logpdf(
                np.asarray(Y3, np.float64), 2.0 * np.array([1.0, 2.0, 3.0]), 0.5
            )
        ),
    ),
    (
        "linear_nll_grad",
        "hand formula",
        lambda: regression.linear_nll_grad(jnp.array([2.0]), X3, Y3, std=0.5),
        np.array(
            [(14.0 * 2.0 - float(np.dot([1, 2, 3], np.asarray(Y3, np.float64)))) / (3 * 0.25)]
        ),
    ),
    (
        "linear_curvature",
        "sum x^2 / (n std^2)",
        lambda: regression.linear_curvature(X3, std=2.0),
        np.array([[14.0 / 12.0]]),
    ),
    (
        "linear_gd_path",
        "contraction",
        lambda: regression.linear_gd_path(jnp.zeros(1), X3, Y3, lr=0.1, steps=2),
        lambda p: (
            p.shape == (3, 1)
            and abs(float(p[2, 0]) - ols(X3, Y3)[0]) < abs(float(p[1, 0]) - ols(X3, Y3)[0])
        ),
    ),
    (
        "fit_linear_gd",
        "shapes",
        lambda: regression.fit_linear_gd(KEY, target_f1, beta_init=0.0, lr=1e-3, steps=3)[0],
        shape_is(4),
    ),
    # nn
    ("init_mlp", "shapes", lambda: nn.init_mlp(KEY, hidden=4, outputs=2)["w2"], shape_is(2, 4)),
    ("mlp", "against numpy", lambda: nn.mlp(NET2, X3), np_mlp(NET2, X3)),
    (
        "gaussian_nll",
        "against scipy",
        lambda: nn.gaussian_nll(Y3, 2.0, jnp.log(0.5)),
        -np.mean(scipy.stats.norm.logpdf(np.asarray(Y3, np.float64), 2.0, 0.5)),
    ),
    (
        "gaussian_nll",
        "beta_nll = 0.5: scipy's NLL weighted by std",
        lambda: nn.gaussian_nll(Y3, 2.0, jnp.log(0.5), beta_nll=0.5),
        -0.5 * np.mean(scipy.stats.norm.logpdf(np.asarray(Y3, np.float64), 2.0, 0.5)),
    ),
    (
        "heteroscedastic_nll",
        "beta_nll = 1: scipy's NLL weighted by the variance",
        lambda: nn.heteroscedastic_nll(NET2, X3, Y3, beta_nll=1.0),
        -np.mean(
            np.exp(2 * np_mlp(NET2, X3)[1])
            * scipy.stats.norm.logpdf(
                np.asarray(Y3, np.float64), np_mlp(NET2, X3)[0], np.exp(np_mlp(NET2, X3)[1])
            )
        ),
    ),
    (
        "gauss_newton",
        "one input: J^T diag(exp(-2s), 2) J with J from numpy",
        lambda: np.asarray(sum(nn.gauss_newton(FIT2, X3[:, :1]))),
        np_gauss_newton(NET2, X3[:, :1]),
    ),
    (
        "mixture_pit",
        "against scipy",
        lambda: nn.mixture_pit(
            Y3, means=np.array([[2.0, 4.0, 6.0], [1.0, 3.0, 7.0]]), stds=np.full((2, 3), 0.5)
        ),
        scipy.stats.norm.cdf(
            np.asarray(Y3, np.float64), np.array([[2.0, 4.0, 6.0], [1.0, 3.0, 7.0]]), 0.5
        ).mean(axis=0),
    ),
    (
        "gaussian_nll",
        "log_std = -120, exact fit",
        lambda: nn.gaussian_nll(jnp.zeros(2), 0.0, -120.0),
        -120.0 + 0.5 * math.log(2 * math.pi),
    ),
    (
        "mean_network_nll",
        "against scipy",
        lambda: nn.mean_network_nll(NET1, X3, Y3, std=2.0),
        -np.mean(scipy.stats.norm.logpdf(np.asarray(Y3, np.float64), np_mlp(NET1, X3)[0], 2.0)),
    ),
    (
        "heteroscedastic_nll",
        "against scipy",
        lambda: nn.heteroscedastic_nll(NET2, X3, Y3),
        -np.mean(
            scipy.stats.norm.logpdf(
                np.asarray(Y3, np.float64), np_mlp(NET2, X3)[0], np.exp(np_mlp(NET2, X3)[1])
            )
        ),
    ),
    (
        "saturated_share",
        "in [0, 100]",
        lambda: nn.saturated_share(NET1, X3),
        lambda s: 0 <= s <= 100,
    ),
    (
        "trainer",
        "the network of init_mlp",
        lambda: nn.trainer(target_f1).init(KEY).params["w1"],
        np.asarray(nn.init_mlp(jax.random.split(KEY, 3)[1], hidden=16, outputs=2)["w1"]),
    ),
    (
        "trainer",
        "step: a scalar loss",
        lambda: nn.trainer(target_f1, steps=5, batch_size=4, hidden=3).step(KEY, STATE)[1],
        lambda loss: np.shape(loss) == (),
    ),
    ("train_keys", "shape", lambda: nn.train_keys(KEY, 4), shape_is(4)),
    (
        "fit_mean_network",
        "loss shape",
        lambda: nn.fit_mean_network(KEY, target_f1, **SMALL_FIT)[1],
        shape_is(5),
    ),
    (
        "fit_heteroscedastic",
        "loss shape",
        lambda: nn.fit_heteroscedastic(KEY, target_f1, **SMALL_FIT)[1],
        shape_is(5),
    ),
    (
        "predict_mean_network",
        "against numpy",
        lambda: nn.predict_mean_network(FIT1, X3),
        np_mlp(NET1, X3)[0],
    ),
    (
        "predict_heteroscedastic",
        "against numpy",
        lambda: nn.predict_heteroscedastic(FIT2, X3)[1],
        np.exp(np_mlp(NET2, X3)[1]),
    ),
    (
        "heteroscedastic_errors",
        "two numbers",
        lambda: nn.heteroscedastic_errors(FIT2, target_f2, X3),
        lambda e: len(e) == 2,
    ),
    (
        "running_mean",
        "windows",
        lambda: plotting.running_mean(np.arange(5.0), width=2),
        np.array([0.5, 1.5, 2.5, 3.5]),
    ),
    # regression: intervals, n < m, the posterior, heteroscedastic noise
    (
        "beta_intervals",
        "symmetric about beta_hat",
        lambda: sum(regression.beta_intervals(X2, Y2)) / 2,
        ols(X2, Y2),
    ),
    (
        "beta_min_norm",
        "n < m: the pseudo-inverse",
        lambda: regression.beta_min_norm(X2[:, :1], Y2[:1]),
        np.linalg.pinv(np.asarray(X2[:, :1], np.float64).T) @ np.asarray(Y2[:1], np.float64),
    ),
    (
        "beta_ridge",
        "closed form",
        lambda: regression.beta_ridge(X3, Y3, penalty=1.0),
        np.array([float(np.dot([1, 2, 3], np.asarray(Y3, np.float64))) / 15.0]),
    ),
    (
        "posterior",
        "one feature: precision sum x^2 / std^2 + 1 / prior_std^2",
        lambda: regression.posterior(X3, Y3, std=1.0, prior_std=1.0)[1],
        np.array([[1.0 / 15.0]]),
    ),
    (
        "beta_map",
        "ridge with penalty std^2 / prior_std^2",
        lambda: regression.beta_map(X3, Y3, std=2.0, prior_std=2.0),
        np.array([float(np.dot([1, 2, 3], np.asarray(Y3, np.float64))) / 15.0]),
    ),
    (
        "predictive",
        "std^2 + x^T Sigma_N x",
        lambda: regression.predictive(X3, X3, Y3, std=1.0, prior_std=1.0)[1],
        np.sqrt(1.0 + np.array([1.0, 4.0, 9.0]) / 15.0),
    ),
    (
        "log_relative_error",
        "digits of 1.001 against 1 and an exact match capped at 15",
        lambda: regression.log_relative_error(np.array([1.001, 2.0]), np.array([1.0, 2.0])),
        np.array([3.0, 15.0]),
    ),
    (
        "beta_wls",
        "equal stds give least squares",
        lambda: regression.beta_wls(X2, Y2, std=jnp.full(4, 2.0)),
        ols(X2, Y2),
    ),
    (
        "sandwich_cov",
        "one feature: sum x^2 r^2 / (sum x^2)^2",
        lambda: regression.sandwich_cov(X3, Y3, jnp.array([2.0])),
        np.array(
            [
                [
                    float(
                        np.sum(
                            np.array([1.0, 4.0, 9.0])
                            * (np.asarray(Y3, np.float64) - 2.0 * np.array([1.0, 2.0, 3.0])) ** 2
                        )
                    )
                    / 196.0
                ]
            ]
        ),
    ),
]

# --- valid inputs near the float32 limits, and the methods and constructors ------------------
#
# The references are float64 numpy/scipy; each input's true result is representable in
# float32 while a naive formula (x^2, a sum) overflows or underflows on the way.

F32_INF = 1e39  # finite in float64, infinite in float32 (the default dtype of JAX)
A3 = np.array([0.5, -1.0, 2.0])
R3 = np.array([0.5, 1.0, 2.0])  # radii: a negative one has the exact log-density -inf
M23 = np.array([[0.5, -1.0, 2.0], [1.0, 0.0, -0.5]])
COV2 = np.array([[2.0, 0.5], [0.5, 1.0]])
SCALING = {"x_center": 0.0, "x_scale": 1.0, "y_center": 0.0, "y_scale": 1.0}
_BIG = np.array([1e19, -3e19, 2e18])  # squares overflow float32 (3.4e38), the norm does not
_TINY = np.array([1e-30, -2e-30, 3e-30])  # squares underflow to 0 in float32
_COV_BIG = np.array([[4.0, 1.0], [1.0, 2.0]])
B2 = np.array([1.0, 2.0])  # coefficients for X2
STD4 = np.array([0.5, 1.0, 2.0, 1.0])  # one noise std per sample of X2
_X2, _Y2 = np.asarray(X2, np.float64), np.asarray(Y2, np.float64)
_KEY_X, _KEY_NOISE = jax.random.split(KEY)  # the halves of the key sample_batch uses
_X4 = 20.0 * np.asarray(jax.random.uniform(_KEY_X, (4,)), np.float64)
_NOISE4 = np.asarray(jax.random.normal(_KEY_NOISE, (4,)), np.float64)
_HALF_WIDTHS = (
    scipy.stats.t.ppf(0.95, 2)
    * math.sqrt(np.sum((_Y2 - _X2.T @ ols(X2, Y2)) ** 2) / 2)
    * np.sqrt(np.diag(np.linalg.inv(_X2 @ _X2.T)))
)

VALID += [
    # calibration: references from scipy.stats and the definition of coverage
    (
        "pit_gaussian",
        "against scipy.stats.norm.cdf",
        lambda: calibration.pit_gaussian(A3, mean=0.5, std=2.0),
        scipy.stats.norm.cdf(A3, loc=0.5, scale=2.0),
    ),
    (
        "pit_student_t",
        "against scipy.stats.t.cdf",
        lambda: calibration.pit_student_t(A3, loc=0.5, scale=2.0, df=3.0),
        scipy.stats.t.cdf(A3, 3.0, loc=0.5, scale=2.0),
    ),
    (
        "central_coverage",
        "the share of |u - 1/2| <= level / 2",
        lambda: calibration.central_coverage([0.1, 0.5, 0.8], levels=[0.5, 0.9]),
        np.array([1 / 3, 1.0]),  # |u - 1/2| = 0.4, 0, 0.3 against 0.25 and 0.45
    ),
    (
        "coverage_se",
        "the binomial standard error",
        lambda: calibration.coverage_se([0.5, 0.9], n=10),
        np.sqrt(np.array([0.25, 0.09]) / 10),
    ),
    (
        "sample",
        "the affine map of jax.random.normal",
        lambda: univariate.sample(KEY, 5, mean=1.0, std=2.0),
        1.0 + 2.0 * np.asarray(jax.random.normal(KEY, (5,)), np.float64),
    ),
    (
        "init_mlp",
        "weight_std times jax.random.normal",
        lambda: nn.init_mlp(KEY, hidden=4, outputs=2, weight_std=0.5)["w1"],
        0.5 * np.asarray(jax.random.normal(jax.random.split(KEY, 4)[0], (4, 1)), np.float64),
    ),
    (
        "Target",
        "its fields, the defaults of the input interval included",
        lambda: np.array(regression.Target(2.0, 1.0, 0.3, 0.1)),
        np.array([2.0, 1.0, 0.3, 0.1, regression.X_LOW, regression.X_HIGH]),
    ),
    (
        "Target.mean",
        "2 x + 5 sin(x / 2) for f3",
        lambda: target_f3.mean(A3),
        2.0 * A3 + 5.0 * np.sin(A3 / 2),
    ),
    ("Target.std", "0.3 |x| for f2", lambda: target_f2.std(A3), 0.3 * np.abs(A3)),
    (
        "fit_mle",
        "[1e20, -1e20]: the sum of squares overflows",
        lambda: univariate.fit_mle(jnp.array([1e20, -1e20])),
        (0.0, 1e20),
    ),
    (
        "fit_mle",
        "[3e38, 3e38]: the sum overflows",
        lambda: univariate.fit_mle(jnp.array([3e38, 3e38])),
        (3e38, 0.0),
    ),
    (
        "fit_mle",
        "values of 1e-30: the squares underflow",
        lambda: univariate.fit_mle(jnp.asarray(_TINY, jnp.float32)),
        (np.mean(_TINY), np.std(_TINY)),
    ),
    (
        "mahalanobis",
        "entries of 1e19",
        lambda: mvn.mahalanobis(
            jnp.asarray(_BIG[:2], jnp.float32), mean=jnp.zeros(2), cov=_COV_BIG
        ),
        math.sqrt(_BIG[:2] @ np.linalg.solve(_COV_BIG, _BIG[:2])),
    ),
    (
        "mahalanobis",
        "entries of 1e-30",
        lambda: mvn.mahalanobis(
            jnp.asarray(_TINY[:2], jnp.float32), mean=jnp.zeros(2), cov=_COV_BIG
        ),
        math.sqrt(_TINY[:2] @ np.linalg.solve(_COV_BIG, _TINY[:2])),
    ),
    (
        "logpdf",
        "mvn, entries of 1e18",
        lambda: mvn.logpdf(
            jnp.asarray(_BIG[:2] / 10, jnp.float32), mean=jnp.zeros(2), cov=_COV_BIG
        ),
        scipy.stats.multivariate_normal([0, 0], _COV_BIG).logpdf(_BIG[:2] / 10),
    ),
    (
        "std_normal_logpdf",
        "entries of 1e18",
        lambda: highdim.std_normal_logpdf(jnp.asarray(_BIG / 10, jnp.float32)),
        scipy.stats.norm.logpdf(_BIG / 10).sum(),
    ),
    (
        "prefix_norms",
        "entries of 1e19 and 1e-30",
        lambda: highdim.prefix_norms(jnp.asarray([_BIG, _TINY], jnp.float32), [1, 2, 3]),
        np.sqrt(np.cumsum(np.array([_BIG, _TINY]) ** 2, axis=1)),
    ),
    (
        "prefix_cosines",
        "entries of 1e19 and 1e-30",
        lambda: highdim.prefix_cosines(
            jnp.asarray([_BIG, _TINY], jnp.float32),
            jnp.asarray([_BIG[::-1], _TINY[::-1]], jnp.float32),
            [2, 3],
        ),
        (
            np.cumsum(np.array([_BIG, _TINY]) * np.array([_BIG[::-1], _TINY[::-1]]), axis=1)
            / np.sqrt(
                np.cumsum(np.array([_BIG, _TINY]) ** 2, axis=1)
                * np.cumsum(np.array([_BIG[::-1], _TINY[::-1]]) ** 2, axis=1)
            )
        )[:, 1:],
    ),
    (
        "chi_var",
        "D = 1e38: 1/2 - 1/(8 D)",
        lambda: highdim.chi_var(1e38),
        0.5,
    ),
    (
        "markdown_table",
        "a number cell, formatted and right-aligned",
        lambda: float(
            "* - 1.50\n"
            in plotting.markdown_table(["a"], [[1.5]], caption="c", label="t", formats=[".2f"]).text
        ),
        lambda found: found > 0,
    ),
    (
        "sample_batch",
        "20 U and 2 x + 0.3 N from the two halves of the key, for f1",
        lambda: jnp.vstack(regression.sample_batch(KEY, target_f1, 4)),
        np.array([_X4, 2.0 * _X4 + 0.3 * _NOISE4]),
    ),
    (
        "linear_gd_path",
        "two features against the iteration in float64",
        lambda: regression.linear_gd_path(jnp.zeros(2), X2, Y2, lr=0.05, steps=3, std=0.5),
        np_gd_path(np.zeros(2), X2, Y2, lr=0.05, steps=3, std=0.5),
    ),
    (
        "fit_linear_gd",
        "the path and losses against float64 on the same batches",
        lambda: np.concatenate(
            [
                np.asarray(a)
                for a in regression.fit_linear_gd(
                    KEY, target_f1, beta_init=0.5, lr=1e-3, steps=3, batch_size=5, std=2.0
                )
            ]
        ),
        np_fit_linear_gd(KEY, target_f1, beta_init=0.5, lr=1e-3, steps=3, batch_size=5, std=2.0),
    ),
    (
        "beta_intervals",
        "beta_hat -/+ t_{n-m}(0.95) s sqrt([(X X^T)^-1]_jj) (scipy.stats.t)",
        lambda: np.concatenate(regression.beta_intervals(X2, Y2, level=0.9)),
        np.concatenate([ols(X2, Y2) - _HALF_WIDTHS, ols(X2, Y2) + _HALF_WIDTHS]),
    ),
    (
        "posterior",
        "two features: mean and covariance against the closed form",
        lambda: np.concatenate(
            [np.ravel(a) for a in regression.posterior(X2, Y2, std=0.5, prior_std=2.0)]
        ),
        np.concatenate([np.ravel(a) for a in np_posterior(X2, Y2, 0.5, 2.0)]),
    ),
    (
        "log_evidence",
        "two features: log N(y; 0, std^2 I + prior_std^2 X^T X) (scipy.stats)",
        lambda: regression.log_evidence(X2, Y2, std=0.5, prior_std=2.0),
        scipy.stats.multivariate_normal(np.zeros(4), 0.25 * np.eye(4) + 4.0 * _X2.T @ _X2).logpdf(
            _Y2
        ),
    ),
    (
        "posterior_nig",
        "two features: ridge mean, (X X^T + penalty I)^-1, a0 + n/2, b0 + (y^T y - mu^T V^-1 mu)/2",
        lambda: np.concatenate(
            [
                np.ravel(a)
                for a in regression.posterior_nig(X2, Y2, penalty=0.5, shape=2.0, rate=1.5)
            ]
        ),
        np_posterior_nig(X2, Y2, 0.5, 2.0, 1.5),
    ),
    (
        "predictive_t",
        "two features: x^T mu_N, sqrt(b_N/a_N (1 + x^T V_N x)), 2 a_N",
        lambda: np.concatenate(
            [
                np.ravel(a)
                for a in regression.predictive_t(
                    M23.T[:2], X2, Y2, penalty=0.5, shape=2.0, rate=1.5
                )
            ]
        ),
        np_predictive_t(M23.T[:2], X2, Y2, 0.5, 2.0, 1.5),
    ),
    (
        "prediction_t",
        "two features: x^T beta_hat, s sqrt(1 + x^T (X X^T)^-1 x), n - m",
        lambda: np.concatenate([np.ravel(a) for a in regression.prediction_t(M23.T[:2], X2, Y2)]),
        np_prediction_t(M23.T[:2], X2, Y2),
    ),
    (
        "beta_map",
        "two features: the posterior mean of the closed form",
        lambda: regression.beta_map(X2, Y2, std=0.5, prior_std=2.0),
        np_posterior(X2, Y2, 0.5, 2.0)[0],
    ),
    (
        "beta_ridge",
        "two features: (X X^T + penalty I)^-1 X y",
        lambda: regression.beta_ridge(X2, Y2, penalty=0.5),
        np.linalg.solve(_X2 @ _X2.T + 0.5 * np.eye(2), _X2 @ _Y2),
    ),
    (
        "predictive",
        "two features: x^T mu_N and sqrt(std^2 + x^T Sigma_N x)",
        lambda: np.concatenate(regression.predictive(M23.T[:2], X2, Y2, std=0.5, prior_std=2.0)),
        np.concatenate(
            [
                M23[:, :2] @ np_posterior(X2, Y2, 0.5, 2.0)[0],
                np.sqrt(
                    0.25
                    + np.einsum(
                        "ik,ij,jk->k", M23.T[:2], np_posterior(X2, Y2, 0.5, 2.0)[1], M23.T[:2]
                    )
                ),
            ]
        ),
    ),
    (
        "beta_wls",
        "unequal stds against statsmodels' WLS",
        lambda: regression.beta_wls(X2, Y2, std=STD4),
        WLS(_Y2, _X2.T, weights=1 / STD4**2).fit().params,
    ),
    (
        "sandwich_cov",
        "at the OLS fit against statsmodels' HC0",
        lambda: regression.sandwich_cov(X2, Y2, jnp.asarray(ols(X2, Y2), jnp.float32)),
        OLS(_Y2, _X2.T).fit().cov_HC0,
    ),
    (
        "running_mean",
        "values of 1e300, in float64",
        lambda: plotting.running_mean(np.full(3, 1e300), width=2),
        np.full(2, 1e300),
    ),
]


# --- invalid inputs by kind: generated from each function's arguments and their roles ------
#
# Every public function (and public method) of the modules in `SPECS` declares a valid call
# and the role of each argument; the role decides which kinds of bad input apply to it, and
# one invalid row per kind and argument is generated by corrupting the valid value. A new
# public function fails `test_every_public_function_declares_its_arguments` until it has a
# spec here (or a reason in `NOT_VALIDATED`).


def _with_entry(value, entry):
    """`value` as float64 with its first entry replaced (a scalar becomes `entry`)."""
    arr = np.array(value, dtype=np.float64)
    if arr.ndim == 0:
        return entry
    arr.flat[0] = entry
    return arr


def _array_corruptions(value):
    return [
        ("nan", "a NaN entry", _with_entry(value, NAN)),
        ("inf", "an infinite entry", _with_entry(value, -INF)),
        ("dtype_range", "an entry of 1e39 (inf in float32)", _with_entry(value, F32_INF)),
        ("dtype", "complex", np.asarray(value) + 1j),
        ("dtype", "bool", np.ones(np.shape(value), dtype=bool)),
        ("dtype", "longdouble", np.asarray(value, dtype=np.longdouble)),
        ("dtype", "a string", "1.0"),
    ]


def _shaped_corruptions(value):
    shape = np.shape(value)
    return [
        *_array_corruptions(value),
        ("empty", "empty", np.zeros(tuple(0 for _ in shape) or (0,))),
        ("shape", "an extra axis", np.asarray(value)[None]),
    ]


def _scale_corruptions(value):
    return [
        ("scale", "zero", 0.0),
        ("scale", "negative", -1.0),
        ("nan", "NaN", NAN),
        ("inf", "infinite", INF),
        ("dtype_range", "1e39 (inf in float32)", F32_INF),
        ("dtype", "complex", 1.0 + 1j),
        ("dtype", "bool", True),
    ]


def _scales_corruptions(value):
    """Positive scales of a required shape (one noise std per sample, say)."""
    return [
        *_shaped_corruptions(value),
        ("scale", "a zero entry", _with_entry(value, 0.0)),
        ("scale", "a negative entry", _with_entry(value, -1.0)),
    ]


def _points_corruptions(value):
    """Points of shape (..., D): any leading shape is valid, D must be >= 1 (and match)."""
    return [
        *_array_corruptions(value),
        ("empty", "no coordinates", np.asarray(value)[..., :0]),
        ("shape", "a scalar", 1.0),
    ]


def _series_corruptions(value):
    """Values summed in float64 (numpy): out of range is beyond float64."""
    huge = np.array(value, dtype=np.longdouble)
    huge.flat[0] = np.longdouble("1e4000")
    return [
        *[c for c in _shaped_corruptions(value) if c[0] != "dtype_range"],
        ("dtype_range", "an entry of 1e4000 (longdouble; inf in float64)", huge),
    ]


ROLES = {
    # an array whose values matter and whose shape broadcasts
    "array": _array_corruptions,
    # an array with a required shape (rank, length, matching another argument)
    "shaped": _shaped_corruptions,
    # points of shape (..., D)
    "points": _points_corruptions,
    # a 1-d series that numpy sums in float64
    "series": _series_corruptions,
    # a standard deviation, rate or other positive scale
    "scale": _scale_corruptions,
    # an array of positive scales with a required shape
    "scales": _scales_corruptions,
    "key": lambda v: [("key", "an int", 0), ("key", "a string", "key")],
    # a count: an integer >= 1
    "count": lambda v: [("dtype", "a float", 2.0), ("dtype", "bool", True)],
    # a dimension: integers >= 1, as numbers or arrays
    "dims": lambda v: [
        ("nan", "NaN", NAN),
        ("inf", "infinite", INF),
        ("dtype_range", "1e39 (inf in float32)", F32_INF),
        ("dtype", "complex", 3 + 0j),
        ("dtype", "longdouble", np.longdouble(3)),
    ],
    # the parameters of a network (init_mlp)
    "network": lambda v: [
        ("pytree", "missing a key", {k: v[k] for k in ("w1", "b1", "w2")}),
        ("pytree", "a leaf of the wrong shape", {**v, "b1": np.zeros(7)}),
        ("nan", "a NaN weight", {**v, "b2": np.full(np.shape(v["b2"]), NAN)}),
        ("dtype", "a complex weight", {**v, "b2": np.asarray(v["b2"]) + 1j}),
    ],
    # the first output of a fit: nn.Fit(params=network, scaling=constants)
    "fitted": lambda v: [
        ("pytree", "a dict of its parts", {"params": v.params, "scaling": v.scaling}),
        ("pytree", "a bare network", v.params),
        ("pytree", "scaling missing a key", v._replace(scaling={"x_center": 0.0})),
        ("scale", "x_scale = 0", v._replace(scaling={**SCALING, "x_scale": 0.0})),
        ("scale", "x_scale = -1", v._replace(scaling={**SCALING, "x_scale": -1.0})),
        ("nan", "y_scale = NaN", v._replace(scaling={**SCALING, "y_scale": NAN})),
        ("inf", "y_center = inf", v._replace(scaling={**SCALING, "y_center": INF})),
    ],
    "target": lambda v: [
        ("pytree", "a tuple of coefficients", tuple(v)),
        ("pytree", "a function", lambda k, x: x[0]),
    ],
    # positions in an array: distinct integers in [0, D), a 1-d list
    "indices": lambda v: [
        ("nan", "NaN", [NAN]),
        ("inf", "infinite", [INF]),
        ("dtype", "a float", [0.5]),
        ("dtype", "bool", [True]),
        ("empty", "empty", []),
        ("shape", "a 2-d list", [list(v)]),
        ("range", "out of range", [len(v) + 5]),
        ("range", "negative", [-1]),
        ("repeated", "repeated", [v[0], v[0]]),
    ],
    # a name: a non-empty string without whitespace
    "name": lambda v: [("dtype", "None", None), ("empty", "empty", ""), ("dtype", "a number", 3)],
    # the rows of a table: strings or finite real numbers, one per column
    "cells": lambda v: [
        ("nan", "a NaN cell", [[NAN]]),
        ("inf", "an infinite cell", [[INF]]),
        ("dtype", "a complex cell", [[1j]]),
        ("dtype", "a bool cell", [[True]]),
        ("shape", "a row of two cells under one header", [[1.0, 2.0]]),
    ],
}


def _trainer_init(**options):
    """`nn.trainer(**options)` and its state at KEY: the valid call returns arrays to check."""
    return nn.trainer(**options).init(KEY)


def _spec(function, valid, roles, *, name=None):
    return {"function": function, "valid": valid, "roles": roles, "name": name}


#: qualified name -> (function, valid keyword arguments, the role of each checked argument)
SPECS = {
    "calibration.pit_gaussian": _spec(
        calibration.pit_gaussian,
        dict(y=A3, mean=0.5, std=2.0),
        dict(y="array", mean="array", std="scale"),
    ),
    "calibration.pit_student_t": _spec(
        calibration.pit_student_t,
        dict(y=A3, loc=0.5, scale=2.0, df=3.0),
        dict(y="array", loc="array", scale="scale", df="scale"),
    ),
    "calibration.central_coverage": _spec(
        calibration.central_coverage,
        dict(pit=[0.1, 0.5, 0.8], levels=[0.5, 0.9]),
        dict(pit="array", levels="array"),
    ),
    "calibration.coverage_se": _spec(
        calibration.coverage_se, dict(levels=[0.5, 0.9], n=10), dict(levels="array", n="count")
    ),
    "univariate.logpdf": _spec(
        univariate.logpdf, dict(x=A3, mean=0.5, std=2.0), dict(x="array", mean="array", std="scale")
    ),
    "univariate.pdf": _spec(
        univariate.pdf, dict(x=A3, mean=0.5, std=2.0), dict(x="array", mean="array", std="scale")
    ),
    "univariate.affine": _spec(
        univariate.affine, dict(z=A3, mean=0.5, std=2.0), dict(z="array", mean="array", std="scale")
    ),
    "univariate.sample": _spec(
        univariate.sample,
        dict(key=KEY, shape=3, mean=0.5, std=2.0),
        dict(key="key", shape="count", mean="array", std="scale"),
    ),
    "univariate.box_muller": _spec(
        univariate.box_muller, dict(key=KEY, shape=3), dict(key="key", shape="count")
    ),
    "univariate.fit_mle": _spec(univariate.fit_mle, dict(x=A3), dict(x="shaped")),
    "highdim.chi_logpdf": _spec(
        highdim.chi_logpdf,
        dict(r=R3, dim=3, scale=1.5),
        dict(r="array", dim="dims", scale="scale"),
    ),
    "highdim.chi_pdf": _spec(
        highdim.chi_pdf, dict(r=R3, dim=3, scale=1.5), dict(r="array", dim="dims", scale="scale")
    ),
    "highdim.chi_mean": _spec(
        highdim.chi_mean, dict(dim=3, scale=1.5), dict(dim="dims", scale="scale")
    ),
    "highdim.chi_var": _spec(
        highdim.chi_var, dict(dim=3, scale=1.5), dict(dim="dims", scale="scale")
    ),
    "highdim.unit_ball_log10_prob_bounds": _spec(
        highdim.unit_ball_log10_prob_bounds, dict(dim=3), dict(dim="dims")
    ),
    "highdim.sample_norms": _spec(
        highdim.sample_norms,
        dict(key=KEY, shape=3, dim=2),
        dict(key="key", shape="count", dim="count"),
    ),
    "highdim.sample_distances": _spec(
        highdim.sample_distances,
        dict(key=KEY, shape=3, dim=2),
        dict(key="key", shape="count", dim="count"),
    ),
    "highdim.std_normal_logpdf": _spec(highdim.std_normal_logpdf, dict(x=M23), dict(x="points")),
    "highdim.lerp": _spec(
        highdim.lerp,
        dict(alpha=0.5, x_a=A3, x_b=-A3),
        dict(alpha="array", x_a="shaped", x_b="shaped"),
    ),
    "highdim.polar_interp": _spec(
        highdim.polar_interp,
        dict(alpha=0.5, x_a=A3, x_b=-A3),
        dict(alpha="array", x_a="shaped", x_b="shaped"),
    ),
    "highdim.prefix_norms": _spec(
        highdim.prefix_norms, dict(x=M23, dims=[1, 3]), dict(x="shaped", dims="dims")
    ),
    "highdim.prefix_cosines": _spec(
        highdim.prefix_cosines,
        dict(x_a=M23, x_b=M23[::-1], dims=[1, 3]),
        dict(x_a="shaped", x_b="shaped", dims="dims"),
    ),
    "highdim.mean_loglik_along_path": _spec(
        highdim.mean_loglik_along_path,
        dict(alphas=np.array([0.0, 0.5, 1.0]), x_a=M23, x_b=M23[::-1], path="linear"),
        dict(alphas="shaped", x_a="shaped", x_b="shaped"),
    ),
    "mvn.cholesky": _spec(mvn.cholesky, dict(cov=COV2), dict(cov="shaped")),
    "mvn.logpdf": _spec(
        mvn.logpdf,
        dict(x=np.array([0.5, -1.0]), mean=np.zeros(2), cov=COV2),
        dict(x="points", mean="shaped", cov="shaped"),
    ),
    "mvn.mahalanobis": _spec(
        mvn.mahalanobis,
        dict(x=np.array([0.5, -1.0]), mean=np.zeros(2), cov=COV2),
        dict(x="points", mean="shaped", cov="shaped"),
    ),
    "mvn.sample": _spec(
        mvn.sample,
        dict(key=KEY, shape=3, mean=np.zeros(2), cov=COV2),
        dict(key="key", shape="count", mean="shaped", cov="shaped"),
    ),
    "mvn.marginal": _spec(
        mvn.marginal,
        dict(mean=np.zeros(2), cov=COV2, idx=[1]),
        dict(mean="shaped", cov="shaped", idx="indices"),
    ),
    "mvn.conditional": _spec(
        mvn.conditional,
        dict(mean=np.zeros(2), cov=COV2, idx=[1], values=np.array([0.5])),
        dict(mean="shaped", cov="shaped", idx="indices", values="points"),
    ),
    "nn.init_mlp": _spec(
        nn.init_mlp,
        dict(key=KEY, hidden=3, outputs=2, weight_std=0.5),
        dict(key="key", hidden="count", outputs="count", weight_std="scale"),
    ),
    "nn.mlp": _spec(nn.mlp, dict(params=NET2, X=X3), dict(params="network", X="shaped")),
    "nn.saturated_share": _spec(
        nn.saturated_share, dict(params=NET2, X=X3), dict(params="network", X="shaped")
    ),
    "nn.gaussian_nll": _spec(
        nn.gaussian_nll,
        dict(y=Y3, mean=np.array([2.0, 4.0, 6.0]), log_std=np.zeros(3), beta_nll=0.5),
        dict(y="shaped", mean="array", log_std="array", beta_nll="array"),
    ),
    "nn.gauss_newton": _spec(nn.gauss_newton, dict(fit=FIT2, X=X3), dict(fit="fitted", X="shaped")),
    "nn.mixture_pit": _spec(
        nn.mixture_pit,
        dict(y=Y3, means=np.array([[2.0, 4.0, 6.0], [1.0, 3.0, 7.0]]), stds=np.full((2, 3), 0.5)),
        dict(y="shaped", means="shaped", stds="scales"),
    ),
    "nn.mean_network_nll": _spec(
        nn.mean_network_nll,
        dict(params=NET1, X=X3, y=Y3, std=0.5),
        dict(params="network", X="shaped", y="shaped", std="scale"),
    ),
    "nn.heteroscedastic_nll": _spec(
        nn.heteroscedastic_nll,
        dict(params=NET2, X=X3, y=Y3, beta_nll=0.5),
        dict(params="network", X="shaped", y="shaped", beta_nll="array"),
    ),
    "nn.predict_mean_network": _spec(
        nn.predict_mean_network, dict(fit=FIT1, X=X3), dict(fit="fitted", X="shaped")
    ),
    "nn.predict_heteroscedastic": _spec(
        nn.predict_heteroscedastic, dict(fit=FIT2, X=X3), dict(fit="fitted", X="shaped")
    ),
    "nn.heteroscedastic_errors": _spec(
        nn.heteroscedastic_errors,
        dict(fit=FIT2, target=target_f2, X=X3),
        dict(fit="fitted", target="target", X="shaped"),
    ),
    "nn.trainer": _spec(
        _trainer_init,
        dict(
            target=target_f1,
            steps=5,
            batch_size=4,
            hidden=3,
            lr=0.01,
            std=1.0,
            beta_nll=0.5,
        ),
        dict(
            target="target",
            steps="count",
            hidden="count",
            lr="scale",
            std="scale",
            beta_nll="array",
        ),
    ),
    "nn.train_keys": _spec(nn.train_keys, dict(key=KEY, steps=4), dict(key="key", steps="count")),
    "nn.fit_mean_network": _spec(
        nn.fit_mean_network,
        dict(key=KEY, target=target_f1, std=1.0, lr=1e-3, **SMALL_FIT),
        dict(key="key", target="target", std="scale", lr="scale", steps="count"),
    ),
    "nn.fit_heteroscedastic": _spec(
        nn.fit_heteroscedastic,
        dict(key=KEY, target=target_f1, lr=0.01, beta_nll=0.5, **SMALL_FIT),
        dict(key="key", target="target", lr="scale", hidden="count", beta_nll="array"),
    ),
    "plotting.markdown_table": _spec(
        plotting.markdown_table,
        dict(header=["a"], rows=[[1.5]], caption="c", label="t", formats=[".2f"]),
        dict(rows="cells", label="name"),
    ),
    "plotting.running_mean": _spec(
        plotting.running_mean, dict(values=np.arange(5.0), width=2), dict(values="series")
    ),
    "regression.Target": _spec(
        regression.Target,
        dict(slope=2.0, wave=1.0, noise=0.3, noise_slope=0.1),
        dict(slope="array", wave="array", noise="array", noise_slope="array"),
    ),
    "regression.Target.__call__": _spec(
        target_f1.__call__, dict(key=KEY, x=X3), dict(key="key", x="shaped")
    ),
    "regression.Target.mean": _spec(target_f3.mean, dict(x=A3), dict(x="array")),
    "regression.Target.std": _spec(target_f2.std, dict(x=A3), dict(x="array")),
    "regression.population_slope": _spec(
        regression.population_slope, dict(target=target_f3), dict(target="target")
    ),
    "regression.sample_batch": _spec(
        regression.sample_batch,
        dict(key=KEY, target=target_f1, n=3),
        dict(key="key", target="target", n="count"),
    ),
    "regression.linear_nll": _spec(
        regression.linear_nll,
        dict(beta=B2, X=X2, y=Y2, std=0.5),
        dict(beta="shaped", X="shaped", y="shaped", std="scale"),
    ),
    "regression.linear_nll_grad": _spec(
        regression.linear_nll_grad,
        dict(beta=B2, X=X2, y=Y2, std=0.5),
        dict(beta="shaped", X="shaped", y="shaped", std="scale"),
    ),
    "regression.beta_mle": _spec(
        regression.beta_mle, dict(X=X2, y=Y2), dict(X="shaped", y="shaped")
    ),
    "strd.exact_least_squares": _spec(
        strd.exact_least_squares, dict(X=X2, y=Y2), dict(X="shaped", y="shaped")
    ),
    "regression.beta_mle_cov": _spec(
        regression.beta_mle_cov, dict(X=X2, std=0.5), dict(X="shaped", std="scale")
    ),
    "regression.std_mle": _spec(
        regression.std_mle,
        dict(X=X2, y=Y2, beta=B2, ddof=1),
        dict(X="shaped", y="shaped", beta="shaped", ddof="count"),
    ),
    "regression.beta_intervals": _spec(
        regression.beta_intervals,
        dict(X=X2, y=Y2, level=0.9),
        dict(X="shaped", y="shaped", level="array"),
    ),
    "regression.log_relative_error": _spec(
        regression.log_relative_error,
        dict(estimate=A3 * 1.001, reference=A3, digits=15),
        dict(estimate="shaped", reference="shaped", digits="scale"),
    ),
    "regression.beta_min_norm": _spec(
        regression.beta_min_norm, dict(X=X2, y=Y2), dict(X="shaped", y="shaped")
    ),
    "regression.beta_ridge": _spec(
        regression.beta_ridge,
        dict(X=X2, y=Y2, penalty=0.5),
        dict(X="shaped", y="shaped", penalty="scale"),
    ),
    "regression.posterior": _spec(
        regression.posterior,
        dict(X=X2, y=Y2, std=0.5, prior_std=2.0),
        dict(X="shaped", y="shaped", std="scale", prior_std="scale"),
    ),
    "regression.beta_map": _spec(
        regression.beta_map,
        dict(X=X2, y=Y2, std=0.5, prior_std=2.0),
        dict(X="shaped", y="shaped", std="scale", prior_std="scale"),
    ),
    "regression.predictive": _spec(
        regression.predictive,
        dict(X_new=X2[:, :3], X=X2, y=Y2, std=0.5, prior_std=2.0),
        dict(X_new="shaped", X="shaped", y="shaped", std="scale", prior_std="scale"),
    ),
    "regression.log_evidence": _spec(
        regression.log_evidence,
        dict(X=X2, y=Y2, std=0.5, prior_std=2.0),
        dict(X="shaped", y="shaped", std="scale", prior_std="scale"),
    ),
    "regression.posterior_nig": _spec(
        regression.posterior_nig,
        dict(X=X2, y=Y2, penalty=0.5, shape=2.0, rate=1.5),
        dict(X="shaped", y="shaped", penalty="scale", shape="scale", rate="scale"),
    ),
    "regression.predictive_t": _spec(
        regression.predictive_t,
        dict(X_new=X2[:, :3], X=X2, y=Y2, penalty=0.5, shape=2.0, rate=1.5),
        dict(X_new="shaped", X="shaped", y="shaped", penalty="scale", shape="scale", rate="scale"),
    ),
    "regression.prediction_t": _spec(
        regression.prediction_t,
        dict(X_new=X2[:, :3], X=X2, y=Y2),
        dict(X_new="shaped", X="shaped", y="shaped"),
    ),
    "regression.beta_wls": _spec(
        regression.beta_wls,
        dict(X=X2, y=Y2, std=STD4),
        dict(X="shaped", y="shaped", std="scales"),
    ),
    "regression.sandwich_cov": _spec(
        regression.sandwich_cov,
        dict(X=X2, y=Y2, beta=B2),
        dict(X="shaped", y="shaped", beta="shaped"),
    ),
    "regression.linear_curvature": _spec(
        regression.linear_curvature, dict(X=X2, std=0.5), dict(X="shaped", std="scale")
    ),
    "regression.linear_gd_path": _spec(
        regression.linear_gd_path,
        dict(beta_init=B2, X=X2, y=Y2, lr=0.01, steps=2, std=1.0),
        dict(beta_init="shaped", X="shaped", y="shaped", lr="scale", steps="count", std="scale"),
    ),
    "regression.fit_linear_gd": _spec(
        regression.fit_linear_gd,
        dict(key=KEY, target=target_f1, beta_init=0.5, lr=1e-3, steps=2, batch_size=4, std=1.0),
        dict(
            key="key",
            target="target",
            beta_init="array",
            lr="scale",
            steps="count",
            batch_size="count",
            std="scale",
        ),
    ),
}

#: Public callables with no argument checks, and why.
NOT_VALIDATED = {
    "plotting.book_style": "sets matplotlib's style; `formats` goes to matplotlib-inline",
    "plotting.new_figure": "a thin wrapper of plt.subplots, which checks its arguments",
    "plotting.data_panel": "draws on an axes; matplotlib checks the data it is given",
    "plotting.mean_std_panels": "draws the panels of values the package computed and checked",
    "plotting.path_figure": "draws curves the package computed and checked",
    "strd.longley": "takes no argument",
    "strd.wampler": "takes only k, 1 or 2, whose bad values test_strd checks",
}

#: Arguments that broadcast against each other: shapes that do not, named by our check.
BROADCAST_MISMATCH = [
    ("univariate.logpdf", lambda: univariate.logpdf(np.ones(3), mean=np.ones(2)), "mean"),
    ("univariate.pdf", lambda: univariate.pdf(np.ones(3), std=np.ones(2)), "std"),
    ("univariate.affine", lambda: univariate.affine(np.ones(3), mean=np.ones(2), std=1.0), "z"),
    ("highdim.chi_logpdf", lambda: highdim.chi_logpdf(np.ones(3), np.array([1, 2])), "dim"),
    ("highdim.chi_pdf", lambda: highdim.chi_pdf(np.ones(3), np.array([1, 2])), "dim"),
    (
        "highdim.chi_logpdf",
        lambda: highdim.chi_logpdf(np.ones(3), 2, scale=np.ones(2)),
        "scale",
    ),
    ("highdim.lerp", lambda: highdim.lerp(np.array([0.1, 0.2]), A3, A3), "alpha"),
    ("highdim.polar_interp", lambda: highdim.polar_interp(np.array([0.1, 0.2]), A3, A3), "alpha"),
]

#: The Target's noise stds are scales: a Target with a negative one cannot be made.
EXTRA_INVALID = [
    *[
        (name, "shape", "shapes that do not broadcast", call, arg)
        for name, call, arg in BROADCAST_MISMATCH
    ],
    (
        "regression.Target",
        "scale",
        "negative noise",
        lambda: regression.Target(2.0, 0.0, -0.3, 0.0),
        "noise",
    ),
    (
        "regression.Target",
        "scale",
        "negative noise_slope via _replace",
        lambda: target_f2._replace(noise_slope=-0.3),
        "noise_slope",
    ),
    (
        "regression.Target",
        "inf",
        "infinite noise",
        lambda: regression.Target(2.0, 0.0, INF, 0.0),
        "noise",
    ),
    (
        "nn.gaussian_nll",
        "shape",
        "a mean of shape (3, 1) against y of shape (3,)",
        lambda: nn.gaussian_nll(Y3, jnp.zeros((3, 1)), 0.0),
        "mean",
    ),
    (
        "highdim.mean_loglik_along_path",
        "empty",
        "0 pairs",
        lambda: highdim.mean_loglik_along_path(
            jnp.array([0.0, 1.0]), jnp.zeros((0, 3)), jnp.zeros((0, 3)), path="linear"
        ),
        "x_a",
    ),
]

#: The kinds each role calls for: a function must have rows of every kind of its roles.
KINDS_BY_ROLE = {
    role: {kind for kind, _, _ in corrupt(SPECS_VALUE)}
    for role, corrupt, SPECS_VALUE in [
        ("array", _array_corruptions, A3),
        ("shaped", _shaped_corruptions, A3),
        ("points", _points_corruptions, A3),
        ("series", _series_corruptions, A3),
        ("scale", _scale_corruptions, 1.0),
        ("scales", _scales_corruptions, R3),
        ("key", ROLES["key"], KEY),
        ("count", ROLES["count"], 3),
        ("dims", ROLES["dims"], 3),
        ("network", ROLES["network"], NET2),
        ("fitted", ROLES["fitted"], FIT2),
        ("target", ROLES["target"], target_f1),
        ("name", ROLES["name"], "t"),
        ("cells", ROLES["cells"], [[1.5]]),
        ("indices", ROLES["indices"], [1]),
    ]
}


def _generated_invalid_rows():
    rows = []
    for qualified, spec in SPECS.items():
        for argument, role in spec["roles"].items():
            valid = spec["valid"][argument]
            for kind, what, bad in ROLES[role](valid):
                arguments = {**spec["valid"], argument: bad}
                rows.append(
                    (
                        qualified,
                        kind,
                        f"{argument}: {what}",
                        partial(_call, spec["function"], arguments),
                        argument,
                    )
                )
    return rows


def _call(function, arguments):
    return function(**arguments)


GENERATED_INVALID = _generated_invalid_rows() + EXTRA_INVALID


@pytest.mark.parametrize(
    ("name", "kind", "label", "call", "argument"),
    GENERATED_INVALID,
    ids=[f"{c[0]}: {c[2]}" for c in GENERATED_INVALID],
)
def test_each_kind_of_bad_input_raises_our_error_naming_the_argument(
    name, kind, label, call, argument
):
    with pytest.raises((ValueError, TypeError)) as excinfo:
        call()
    assert _raised_in_gaussml(excinfo), f"raised outside gaussml: {excinfo.traceback[-1]}"
    assert argument in str(excinfo.value), str(excinfo.value)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_each_spec_is_valid_as_given(name):
    """The valid call of every spec returns a finite result (so each corruption is what fails)."""
    spec = SPECS[name]
    out = spec["function"](**spec["valid"])
    assert isinstance(out, plotting.MarkdownTable) or is_finite_tree(out)


def _public_callables():
    names = set()
    for module in (calibration, univariate, highdim, mvn, nn, plotting, regression, strd):
        short = module.__name__.rsplit(".", 1)[1]
        for n in module.__all__:
            obj = getattr(module, n)
            if callable(obj) and not isinstance(obj, regression.Target):
                if isinstance(obj, type) and n != "Target":
                    continue  # containers without checks of their own (NamedTuple, dataclass)
                names.add(f"{short}.{n}")
    names |= {f"regression.Target.{m}" for m in ("__call__", "mean", "std")}
    return names


def test_every_public_function_declares_its_arguments():
    missing = _public_callables() - set(SPECS) - set(NOT_VALIDATED)
    assert not missing, f"public callables with no spec of their arguments: {sorted(missing)}"


@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_applicable_kind_has_an_invalid_row(name):
    wanted = set().union(*(KINDS_BY_ROLE[role] for role in SPECS[name]["roles"].values()))
    have = {kind for n, kind, *_ in GENERATED_INVALID if n == name}
    assert wanted <= have, f"{name}: no invalid row of kind {sorted(wanted - have)}"


def _qualified(name, call):
    """`module.name` of a row of the tables above (the module its call refers to)."""
    if name.startswith("Target"):
        return f"regression.{name}"
    names = call.__code__.co_names
    for module in (
        "calibration",
        "mvn",
        "univariate",
        "highdim",
        "nn",
        "plotting",
        "regression",
        "strd",
    ):
        if module in names:
            return f"{module}.{name}"
    return name


@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_declared_function_has_a_valid_row_against_a_reference(name):
    """A valid row whose expected value is a reference (scipy, numpy, a formula), not only a
    predicate, unless the result is random or a fit (`PREDICATE_ONLY`)."""
    rows = [r for r in VALID if _qualified(r[0], r[2]) == name]
    assert rows, f"{name} has no valid row"
    if name not in PREDICATE_ONLY:
        assert any(not callable(r[3]) for r in rows), f"{name} has no row against a reference"


#: Results that no reference value pins down: their valid rows check a property, and their
#: laws are tested by simulation in the module's test file.
PREDICATE_ONLY = {
    "univariate.box_muller": "random draws (KS test in test_univariate)",
    "highdim.sample_norms": "random draws (KS test in test_highdim)",
    "highdim.sample_distances": "random draws (KS test in test_highdim)",
    "highdim.unit_ball_log10_prob_bounds": "bounds; their order is checked",
    "mvn.sample": "random draws (moments in test_mvn)",
    "nn.saturated_share": "a percentage of the network's units",
    "nn.train_keys": "keys",
    "nn.fit_mean_network": "a fit (its quality in test_nn)",
    "nn.fit_heteroscedastic": "a fit (its quality in test_nn)",
    "nn.heteroscedastic_errors": "two errors of a fit",
    "plotting.markdown_table": "text (its exact output is tested in test_plotting)",
}


CASES_BY_FUNCTION = collections.Counter(name for name, *_ in INVALID + VALID)
CASES_BY_KIND = collections.Counter(kind for _, kind, *_ in GENERATED_INVALID)
GAUSSML = Path(regression.__file__).resolve().parent


def _raised_in_gaussml(excinfo) -> bool:
    """True if the innermost frame that raised is in the gaussml package."""
    return Path(str(excinfo.traceback[-1].path)).resolve().is_relative_to(GAUSSML)


@pytest.mark.parametrize(
    ("name", "label", "call", "argument"), INVALID, ids=[f"{c[0]}: {c[1]}" for c in INVALID]
)
def test_invalid_input_raises_our_error_naming_the_argument(name, label, call, argument):
    with pytest.raises((ValueError, TypeError)) as excinfo:
        call()
    assert _raised_in_gaussml(excinfo), f"raised outside gaussml: {excinfo.traceback[-1]}"
    assert argument in str(excinfo.value), str(excinfo.value)


KEY_BATCH = jax.random.split(KEY, 2)  # a typed key array of shape (2,), not one key

ONE_KEY_CALLS = [
    ("univariate.sample", lambda: univariate.sample(KEY_BATCH, 3)),
    ("univariate.box_muller", lambda: univariate.box_muller(KEY_BATCH, 3)),
    ("highdim.sample_norms", lambda: highdim.sample_norms(KEY_BATCH, 3, 2)),
    ("highdim.sample_distances", lambda: highdim.sample_distances(KEY_BATCH, 3, 2)),
    ("mvn.sample", lambda: mvn.sample(KEY_BATCH, 3, mean=np.zeros(2), cov=np.eye(2))),
    (
        "regression.fit_linear_gd",
        lambda: regression.fit_linear_gd(KEY_BATCH, target_f1, beta_init=0.0, lr=1e-3, steps=2),
    ),
    ("regression.sample_batch", lambda: regression.sample_batch(KEY_BATCH, target_f1, 3)),
    ("nn.trainer.init", lambda: nn.trainer(target_f1, steps=2, hidden=3).init(KEY_BATCH)),
    ("nn.trainer.step", lambda: nn.trainer(target_f1, steps=2, hidden=3).step(KEY_BATCH, STATE)),
    ("nn.train_keys", lambda: nn.train_keys(KEY_BATCH, 2)),
]


@pytest.mark.parametrize(("name", "call"), ONE_KEY_CALLS, ids=[c[0] for c in ONE_KEY_CALLS])
def test_a_batch_of_keys_is_refused_where_one_key_is_expected(name, call):
    """A key array of shape (2,) is a ValueError naming `key` and asking for a single key,
    raised by the package (not silently drawing one batch per key, nor failing inside JAX)."""
    with pytest.raises(
        ValueError, match=r"key must be a single key \(shape \(\)\), got shape \(2,\)"
    ) as excinfo:
        call()
    assert _raised_in_gaussml(excinfo), f"raised outside gaussml: {excinfo.traceback[-1]}"


@pytest.mark.parametrize(
    ("name", "label", "call", "expected"), VALID, ids=[f"{c[0]}: {c[1]}" for c in VALID]
)
def test_valid_input_gives_a_finite_correct_result(name, label, call, expected):
    out = call()
    assert is_finite_tree(out), out
    if callable(expected):
        assert expected(out), out
    else:
        # float32 results against float64 references: a few eps, relative.
        np.testing.assert_allclose(np.asarray(out, np.float64), expected, rtol=2e-5, atol=1e-6)


def test_every_public_function_is_in_the_table():
    public = set()
    for module in (univariate, highdim, mvn, regression, nn):
        for n in module.__all__:
            obj = getattr(module, n)
            if callable(obj) and not isinstance(obj, type | regression.Target):
                public.add(n)
    public |= {"Target.__call__", "running_mean"}
    missing = public - set(CASES_BY_FUNCTION)
    assert not missing, sorted(missing)
    for n in public:
        names = [c[0] for c in INVALID]
        assert n in names, f"{n} has no invalid case"


def test_a_diverging_fit_raises_floating_point_error_naming_the_step():
    with pytest.raises(FloatingPointError, match=r"step \d+ .*smaller learning rate"):
        nn.fit_heteroscedastic(
            KEY,
            target_f1,
            standardise_x=False,
            standardise_y=False,
            optimizer="sgd",
            lr=10.0,
            steps=30,
        )
