r"""Gradient descent and small neural networks for regression by maximum likelihood.

Everything here is a pure function over arrays and parameter pytrees (nested
dicts of arrays), with randomness only through explicit `jax.random` keys.
Shapes follow the book: inputs `X` are `(1, n)` (features by samples), targets
`y` are `(n,)`.

Training loops are compiled: one `jax.jit` around a `jax.lax.scan` over the
steps, with a fresh batch drawn inside the scan from a key split per step.
`fit_heteroscedastic` and `predict_heteroscedastic` are the chapter's working
recipe for a network that predicts an input-dependent mean and standard
deviation.
"""

from __future__ import annotations

import math
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
import optax

from gaussml._checks import positive_finite, positive_int
from gaussml.regression import (
    X_HIGH,
    X_LOW,
    linear_nll,
    sample_batch,
    target_f1,
    target_f2,
    target_f3,
)
from gaussml.univariate import logpdf

__all__ = [
    "X_CENTER",
    "X_SCALE",
    "fit_heteroscedastic",
    "fit_heteroscedastic_loop",
    "fit_linear_gd",
    "fit_mean_network",
    "gaussian_nll",
    "heteroscedastic_nll",
    "init_mlp",
    "linear_curvature",
    "linear_gd_path",
    "linear_mle",
    "mean_network_nll",
    "mlp",
    "predict_heteroscedastic",
    "predict_mean_network",
]

#: The mean of x ~ U[X_LOW, X_HIGH], subtracted from the inputs before the network sees them.
X_CENTER = 0.5 * (X_LOW + X_HIGH)
#: The std of x ~ U[X_LOW, X_HIGH], the range over sqrt(12), dividing the centred inputs.
X_SCALE = (X_HIGH - X_LOW) / math.sqrt(12.0)


# --- checks at the boundary ---------------------------------------------------


def _check_X(X):
    shape = np.shape(X)
    if len(shape) != 2 or shape[0] != 1:
        raise ValueError(f"X must have shape (1, n) (one feature by n samples), got shape {shape}")
    return shape[1]


def _check_Xy(X, y):
    n = _check_X(X)
    if np.shape(y) != (n,):
        raise ValueError(
            f"y must have shape (n,) = ({n},) to match X {np.shape(X)}, got {np.shape(y)}"
        )
    return n


def _check_float(value, name):
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        raise TypeError(f"{name} must be a Python number, got {value!r}")
    return float(value)


# --- the network ----------------------------------------------------------------


def init_mlp(key, *, hidden=10, outputs=1, weight_std=None):
    r"""Initial parameters of a network with one tanh hidden layer and one input.

    The network is $f(x) = W_2 \tanh(W_1 x + b_1) + b_2$ with $W_1$ of shape
    `(hidden, 1)`, $b_1$ `(hidden,)`, $W_2$ `(outputs, hidden)`, $b_2$ `(outputs,)`.

    Args:
      key: a `jax.random` key, split into one key per weight matrix.
      hidden: the number of hidden tanh units (>= 1).
      outputs: the number of outputs (>= 1): 1 for a mean, 2 for a mean and a log std.
      weight_std: the std of every weight and bias, drawn from N(0, weight_std^2)
        (`weight_std=1.0` draws every weight from N(0, 1)). By default
        (None) a scaled initialisation for standardised inputs:
        $W_1, b_1 \sim N(0, 1)$, so that the hidden units' bends spread over
        the inputs' range; $W_2 \sim N(0, 1/\text{hidden})$ and $b_2 = 0$, so that the outputs
        start of order one.

    Returns:
      A dict with keys `w1`, `b1`, `w2`, `b2`.
    """
    hidden = positive_int(hidden, "hidden")
    outputs = positive_int(outputs, "outputs")
    key_w1, key_b1, key_w2, key_b2 = jax.random.split(key, 4)
    if weight_std is None:
        return {
            "w1": jax.random.normal(key_w1, (hidden, 1)),
            "b1": jax.random.normal(key_b1, (hidden,)),
            "w2": jax.random.normal(key_w2, (outputs, hidden)) / math.sqrt(hidden),
            "b2": jnp.zeros((outputs,)),
        }
    positive_finite(weight_std, "weight_std")
    return {
        "w1": weight_std * jax.random.normal(key_w1, (hidden, 1)),
        "b1": weight_std * jax.random.normal(key_b1, (hidden,)),
        "w2": weight_std * jax.random.normal(key_w2, (outputs, hidden)),
        "b2": weight_std * jax.random.normal(key_b2, (outputs,)),
    }


def mlp(params, X):
    r"""The network's outputs $W_2 \tanh(W_1 X + b_1) + b_2$ for inputs `X` of shape `(1, n)`.

    Returns:
      An array of shape `(outputs, n)`: one row per output, one column per sample.
    """
    _check_X(X)
    hidden = jnp.tanh(params["w1"] @ X + params["b1"][:, None])
    return params["w2"] @ hidden + params["b2"][:, None]


# --- likelihoods ------------------------------------------------------------------


def gaussian_nll(y, mean, log_std):
    r"""Mean negative log-likelihood of `y` under N(mean, exp(log_std)^2), per sample.

    $\frac1n \sum_i [\log\sigma_i + (y_i - \mu_i)^2 / (2\sigma_i^2) + \frac12 \log 2\pi]$
    with $\sigma_i = e^{s_i}$: a sum of log-densities.

    Args:
      y, mean, log_std: arrays of shape `(n,)` (or broadcastable to it).

    Returns:
      A scalar.
    """
    return -jnp.mean(logpdf(y, mean=mean, std=jnp.exp(log_std)))


def mean_network_nll(params, X, y, *, std):
    """Mean NLL of a one-output network predicting the mean, with a fixed `std` (> 0)."""
    _check_Xy(X, y)
    positive_finite(std, "std")
    return -jnp.mean(logpdf(y, mean=mlp(params, X)[0], std=std))


def heteroscedastic_nll(params, X, y):
    r"""Mean NLL of a two-output network: row 0 is the mean, row 1 the log std.

    Args:
      params: a dict from `init_mlp(..., outputs=2)`.
      X: inputs, shape `(1, n)`, as the network sees them (no scaling applied here).
      y: targets, shape `(n,)`.
    """
    _check_Xy(X, y)
    out = mlp(params, X)
    return gaussian_nll(y, out[0], out[1])


# --- a compiled training loop -----------------------------------------------------

# The book's three targets share one compiled loop: the target is chosen inside it
# by a traced index, so switching targets does not recompile.
_BOOK_TARGETS = (target_f1, target_f2, target_f3)


def _target_spec(target):
    """`(targets, index)`: a static tuple of target functions and the position of `target`."""
    if not callable(target):
        raise TypeError(f"target must be a function (key, x) -> y, got {target!r}")
    if target in _BOOK_TARGETS:
        return _BOOK_TARGETS, _BOOK_TARGETS.index(target)
    return (target,), 0


def _batch(key, targets, index, n):
    """`sample_batch(key, targets[index], n)`, with `index` possibly traced.

    All targets are evaluated on the same inputs and noise key and one is
    selected; XLA merges their identical noise draws, so this compiles about
    as fast as a single target (a `lax.switch` would compile each draw).
    """
    if len(targets) == 1:
        return sample_batch(key, targets[0], n)
    return sample_batch(key, lambda k, x: jnp.stack([t(k, x) for t in targets])[index], n)


def _scan_training(key, params, loss, optimizer, targets, index, *, steps, batch_size, prepare):
    """Run `steps` optimiser steps, each on a fresh batch; return final params and losses.

    `prepare(X, y)` maps a raw batch to what `loss(params, X, y)` expects (scaling).
    Traced inside `jax.jit`: the loop is a `lax.scan` with one key per step.
    """
    opt_state = optimizer.init(params)

    def step(carry, key_step):
        params, opt_state = carry
        X, y = prepare(*_batch(key_step, targets, index, batch_size))
        value, grads = jax.value_and_grad(loss)(params, X, y)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return (optax.apply_updates(params, updates), opt_state), value

    (params, _), losses = jax.lax.scan(step, (params, opt_state), jax.random.split(key, steps))
    return params, losses


# --- linear model by gradient descent --------------------------------------------


@partial(jax.jit, static_argnames=("targets", "steps", "batch_size"))
def _linear_gd(key, beta_init, lr, std, targets, index, steps, batch_size):
    def step(beta, key_step):
        X, y = _batch(key_step, targets, index, batch_size)
        value, grad = jax.value_and_grad(linear_nll)(beta, X, y, std=std)
        return beta - lr * grad, (beta, value)

    beta, (betas, losses) = jax.lax.scan(step, beta_init, jax.random.split(key, steps))
    return jnp.concatenate([betas[:, 0], beta]), losses


def fit_linear_gd(key, target, *, beta_init, lr, steps=100, batch_size=100, std=1.0):
    r"""Gradient descent on the linear model's mean NLL, a fresh batch each step.

    $\beta_{t+1} = \beta_t - \eta\, \nabla_\beta \mathrm{NLL}(\beta_t)$ with the
    gradient from `jax.grad` of `gaussml.regression.linear_nll`.

    Args:
      key: a `jax.random` key, split into one key per step.
      target: `target_f1`, `target_f2` or `target_f3` (or any `(key, x) -> y`).
      beta_init: the starting coefficient (a number).
      lr: the learning rate $\eta$ (> 0).
      steps: the number of steps (>= 1).
      batch_size: samples per step (>= 1).
      std: the model's fixed noise std (> 0).

    Returns:
      `(betas, losses)`: `betas` of shape `(steps + 1,)` (the start and every
      update), `losses` of shape `(steps,)` (the NLL of each step's batch at
      the coefficient before the update).
    """
    beta_init = _check_float(beta_init, "beta_init")
    positive_finite(lr, "lr")
    positive_finite(std, "std")
    steps = positive_int(steps, "steps")
    batch_size = positive_int(batch_size, "batch_size")
    targets, index = _target_spec(target)
    return _linear_gd(
        key, jnp.array([beta_init]), float(lr), float(std), targets, index, steps, batch_size
    )


def linear_curvature(X, *, std):
    r"""The second derivative of the linear model's mean NLL: $X X^\top / (n \sigma^2)$.

    Args:
      X: inputs, shape `(m, n)`.
      std: the model's noise std (> 0).

    Returns:
      The Hessian, shape `(m, m)`; for one feature a `(1, 1)` array holding
      $\frac{1}{n\sigma^2}\sum_i x_i^2$.
    """
    if np.ndim(X) != 2:
        raise ValueError(f"X must have shape (m, n), got shape {np.shape(X)}")
    positive_finite(std, "std")
    X = jnp.asarray(X)
    return X @ X.T / (X.shape[1] * std**2)


@partial(jax.jit, static_argnames=("steps",))
def _linear_gd_path(beta_init, X, y, lr, std, steps):
    def step(beta, _):
        beta = beta - lr * jax.grad(linear_nll)(beta, X, y, std=std)
        return beta, beta

    _, betas = jax.lax.scan(step, beta_init, None, length=steps)
    return jnp.concatenate([beta_init[None], betas])


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
    """
    m = np.shape(X)[0] if np.ndim(X) == 2 else None
    if m is None or np.shape(y) != (np.shape(X)[1],) or np.shape(beta_init) != (m,):
        raise ValueError(
            "need X (m, n), y (n,), beta_init (m,); got shapes "
            f"{np.shape(X)}, {np.shape(y)}, {np.shape(beta_init)}"
        )
    positive_finite(lr, "lr")
    positive_finite(std, "std")
    steps = positive_int(steps, "steps")
    return _linear_gd_path(
        jnp.asarray(beta_init, dtype=jnp.float32),
        jnp.asarray(X),
        jnp.asarray(y),
        float(lr),
        float(std),
        steps,
    )


def linear_mle(X, y):
    r"""The single-std linear model's maximum-likelihood fit: $(\hat\beta, \hat\sigma)$.

    $\hat\beta = (X X^\top)^{-1} X y$ by a linear solve, and
    $\hat\sigma^2 = \frac1n \lVert y - X^\top \hat\beta \rVert^2$ (the MLE divides by n).

    Args:
      X: inputs, shape `(m, n)` with `X X^T` invertible.
      y: targets, shape `(n,)`.

    Returns:
      `(beta, std)` with `beta` of shape `(m,)` and `std` a scalar.
    """
    if np.ndim(X) != 2:
        raise ValueError(f"X must have shape (m, n), got shape {np.shape(X)}")
    if np.shape(y) != (np.shape(X)[1],):
        raise ValueError(f"y must have shape ({np.shape(X)[1]},) to match X, got {np.shape(y)}")
    X, y = jnp.asarray(X), jnp.asarray(y)
    beta = jnp.linalg.solve(X @ X.T, X @ y)
    std = jnp.sqrt(jnp.mean((y - X.T @ beta) ** 2))
    return beta, std


# --- scaling ----------------------------------------------------------------------


def _scaling(key, target, *, standardise):
    """Input and output scaling constants; the output's from a pilot batch of 10 000."""
    if not standardise:
        return {"x_center": 0.0, "x_scale": 1.0, "y_center": 0.0, "y_scale": 1.0}
    _, y = sample_batch(key, target, 10_000)
    return {
        "x_center": X_CENTER,
        "x_scale": X_SCALE,
        "y_center": float(jnp.mean(y)),
        "y_scale": float(jnp.std(y)),
    }


def _scaler(scaling):
    def prepare(X, y):
        X = (X - scaling["x_center"]) / scaling["x_scale"]
        return X, (y - scaling["y_center"]) / scaling["y_scale"]

    return prepare


def _optimizer(name, lr, steps):
    if name == "sgd":
        return optax.sgd(lr)
    if name == "adam":
        # The rate decays to 1/100 over the run, so the last steps average the batch noise away.
        return optax.adam(optax.cosine_decay_schedule(lr, steps, alpha=0.01))
    raise ValueError(f"optimizer must be 'adam' or 'sgd', got {name!r}")


def _check_fit_options(lr, steps, batch_size, hidden, weight_std, optimizer):
    positive_finite(lr, "lr")
    steps = positive_int(steps, "steps")
    batch_size = positive_int(batch_size, "batch_size")
    hidden = positive_int(hidden, "hidden")
    if weight_std is not None:
        positive_finite(weight_std, "weight_std")
    if optimizer not in ("adam", "sgd"):
        raise ValueError(f"optimizer must be 'adam' or 'sgd', got {optimizer!r}")
    return steps, batch_size, hidden


# --- a network for the mean, with a fixed std ------------------------------------


@partial(jax.jit, static_argnames=("targets", "steps", "batch_size", "optimizer"))
def _fit_mean(key, params, scaling, std, targets, index, steps, batch_size, optimizer, lr):
    def loss(params, X, y):
        return -jnp.mean(logpdf(y, mean=mlp(params, X)[0], std=std / scaling["y_scale"]))

    return _scan_training(
        key,
        params,
        loss,
        _optimizer(optimizer, lr, steps),
        targets,
        index,
        steps=steps,
        batch_size=batch_size,
        prepare=_scaler(scaling),
    )


def _start(key, target, *, outputs, hidden, standardise, weight_std):
    """The keys, scaling and initial network shared by every fit (compiled or looped).

    One place, so that `fit_heteroscedastic_loop` starts exactly where
    `fit_heteroscedastic` does.
    """
    key_scale, key_init, key_train = jax.random.split(key, 3)
    scaling = _scaling(key_scale, target, standardise=standardise)
    layers = init_mlp(key_init, hidden=hidden, outputs=outputs, weight_std=weight_std)
    return key_train, scaling, layers


def fit_mean_network(
    key,
    target,
    *,
    std=1.0,
    hidden=10,
    steps=2000,
    batch_size=128,
    lr=1e-3,
    optimizer="sgd",
    standardise=True,
    weight_std=None,
):
    r"""Train a one-output tanh network for the mean by gradient descent with a fixed std.

    Minimises the mean NLL $\frac1n\sum_i -\log N(y_i; f(x_i), \sigma^2)$, a fresh
    batch each step. With `standardise=True` the network sees
    $(x - 10)/5.77$ and predicts $(y - \bar y)/s_y$ (constants from a pilot batch).

    Args:
      key: a `jax.random` key, split into keys for scaling, initialisation and training.
      target: one of `gaussml.regression.target_f1/f2/f3`.
      std: the fixed noise std of the model, in the units of y (> 0).
      hidden: hidden tanh units. steps, batch_size, lr: the optimisation.
      optimizer: "sgd" (plain gradient descent) or "adam".
      standardise: scale inputs and outputs as above (else the raw values).
      weight_std: see `init_mlp`.

    Returns:
      `(params, losses)`: `params` holds `layers` (the network) and `scaling`;
      `losses` has shape `(steps,)`, the NLL in the scaled units the network sees.
    """
    positive_finite(std, "std")
    steps, batch_size, hidden = _check_fit_options(
        lr, steps, batch_size, hidden, weight_std, optimizer
    )
    key_train, scaling, layers = _start(
        key, target, outputs=1, hidden=hidden, standardise=standardise, weight_std=weight_std
    )
    targets, index = _target_spec(target)
    layers, losses = _fit_mean(
        key_train,
        layers,
        scaling,
        float(std),
        targets,
        index,
        steps,
        batch_size,
        optimizer,
        float(lr),
    )
    return {"layers": layers, "scaling": scaling}, losses


def predict_mean_network(params, X):
    """The mean network's prediction, shape `(n,)`, for inputs `X` of shape `(1, n)`."""
    _check_X(X)
    return _predict(params, jnp.asarray(X))[0]


@jax.jit
def _predict(params, X):
    """Both outputs mapped back to the units of y: (mean, exp(second output) * y_scale)."""
    s = params["scaling"]
    out = mlp(params["layers"], (X - s["x_center"]) / s["x_scale"])
    return s["y_center"] + s["y_scale"] * out[0], s["y_scale"] * jnp.exp(out[-1])


# --- the heteroscedastic network: input-dependent mean and std --------------------


@partial(jax.jit, static_argnames=("targets", "steps", "batch_size", "optimizer"))
def _fit_het(key, params, scaling, targets, index, steps, batch_size, optimizer, lr):
    return _scan_training(
        key,
        params,
        heteroscedastic_nll,
        _optimizer(optimizer, lr, steps),
        targets,
        index,
        steps=steps,
        batch_size=batch_size,
        prepare=_scaler(scaling),
    )


_HET_DEFAULTS = {
    "hidden": 16,
    "steps": 3000,
    "batch_size": 256,
    "lr": 0.01,
    "optimizer": "adam",
    "standardise": True,
    "weight_std": None,
}


def fit_heteroscedastic(
    key,
    target,
    *,
    hidden=_HET_DEFAULTS["hidden"],
    steps=_HET_DEFAULTS["steps"],
    batch_size=_HET_DEFAULTS["batch_size"],
    lr=_HET_DEFAULTS["lr"],
    optimizer=_HET_DEFAULTS["optimizer"],
    standardise=_HET_DEFAULTS["standardise"],
    weight_std=_HET_DEFAULTS["weight_std"],
):
    r"""Train a tanh network that predicts a mean and a log std for every input.

    Minimises $\frac1n\sum_i \big[s(x_i) + \frac{(y_i - \mu(x_i))^2}{2 e^{2 s(x_i)}}\big]$
    (plus a constant), a fresh batch each step, compiled as one `lax.scan`.
    The defaults are the chapter's working recipe: standardised inputs, outputs
    scaled by the mean and std of a pilot batch, Adam with a cosine-decayed
    rate, and the scaled initialisation of `init_mlp`. The chapter's naive
    set-up is `standardise=False, optimizer="sgd", weight_std=1.0` with a small `lr`.

    Args:
      key: a `jax.random` key, split into keys for scaling, initialisation and training.
      target: one of `gaussml.regression.target_f1/f2/f3` (or any `(key, x) -> y`).
      hidden: hidden tanh units (>= 1).
      steps: optimiser steps (>= 1), each on a fresh batch of `batch_size`.
      lr: the (initial) learning rate (> 0).
      optimizer: "adam" or "sgd".
      standardise: scale inputs and outputs (else the network sees raw values).
      weight_std: None for the scaled initialisation, or the std of every weight.

    Returns:
      `(params, losses)`: `params` = `{"layers": ..., "scaling": ...}` for
      `predict_heteroscedastic`; `losses` of shape `(steps,)`, each batch's mean
      NLL in the units the network sees (scaled y when `standardise`).
    """
    steps, batch_size, hidden = _check_fit_options(
        lr, steps, batch_size, hidden, weight_std, optimizer
    )
    key_train, scaling, layers = _start(
        key, target, outputs=2, hidden=hidden, standardise=standardise, weight_std=weight_std
    )
    targets, index = _target_spec(target)
    layers, losses = _fit_het(
        key_train, layers, scaling, targets, index, steps, batch_size, optimizer, float(lr)
    )
    return {"layers": layers, "scaling": scaling}, losses


def fit_heteroscedastic_loop(key, target, *, run_steps, **options):
    """The same training as `fit_heteroscedastic`, as a Python loop with nothing compiled.

    For benchmarks only: every step calls an un-jitted `jax.value_and_grad` and
    optax update, so each operation is dispatched from Python one at a time. It
    uses the same keys, initialisation, scaling and learning-rate schedule as
    `fit_heteroscedastic(key, target, **options)` and stops after the first
    `run_steps` of its `steps`.

    Returns:
      `(params, losses)` after `run_steps` steps; `losses` of shape `(run_steps,)`.
    """
    merged = {**_HET_DEFAULTS, **options}
    unknown = set(merged) - set(_HET_DEFAULTS)
    if unknown:
        raise TypeError(
            f"unknown options {sorted(unknown)}; expected some of {sorted(_HET_DEFAULTS)}"
        )
    steps, batch_size, hidden = _check_fit_options(
        merged["lr"],
        merged["steps"],
        merged["batch_size"],
        merged["hidden"],
        merged["weight_std"],
        merged["optimizer"],
    )
    run_steps = positive_int(run_steps, "run_steps")
    if run_steps > steps:
        raise ValueError(f"run_steps must be <= steps = {steps}, got {run_steps}")
    key_train, scaling, params = _start(
        key,
        target,
        outputs=2,
        hidden=hidden,
        standardise=merged["standardise"],
        weight_std=merged["weight_std"],
    )
    optimizer = _optimizer(merged["optimizer"], float(merged["lr"]), steps)
    prepare = _scaler(scaling)
    opt_state = optimizer.init(params)
    value_and_grad = jax.value_and_grad(heteroscedastic_nll)
    losses = []
    for key_step in jax.random.split(key_train, steps)[:run_steps]:
        X, y = prepare(*sample_batch(key_step, target, batch_size))
        value, grads = value_and_grad(params, X, y)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        params = optax.apply_updates(params, updates)
        losses.append(value)
    return {"layers": params, "scaling": scaling}, jnp.stack(losses)


def predict_heteroscedastic(params, X):
    r"""The learned mean $\mu(x)$ and std $\sigma(x) = e^{s(x)}$ in the units of y.

    Args:
      params: the first output of `fit_heteroscedastic`.
      X: inputs of shape `(1, n)` (raw, unscaled).

    Returns:
      `(mean, std)`, each of shape `(n,)`.
    """
    _check_X(X)
    if np.shape(params["layers"]["w2"])[0] != 2:
        raise ValueError(
            "params must come from fit_heteroscedastic (two outputs), got a network with "
            f"{np.shape(params['layers']['w2'])[0]} output(s)"
        )
    return _predict(params, jnp.asarray(X))
