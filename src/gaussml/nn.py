r"""Small neural networks for regression by maximum likelihood: the networks, their
likelihoods and their training.

Everything here is a pure function over arrays and parameter pytrees (nested
dicts of arrays), with randomness only through explicit `jax.random` keys.
Shapes follow the book: inputs `X` are `(1, n)` (features by samples), targets
`y` are `(n,)`.

Training follows optax and blackjax: `init` builds a `TrainState`, and the
pure `step(state, key) -> (state, loss)` draws a fresh batch and takes one
optimiser step. The fits are `jax.jit` around `jax.lax.scan(step, ...)` over
the keys of `train_keys`. `fit_heteroscedastic` and `predict_heteroscedastic` are
the chapter's working recipe for a network that predicts an input-dependent
mean and standard deviation.
"""

from __future__ import annotations

import math
from functools import partial
from typing import Any, NamedTuple

import jax
import jax.flatten_util
import jax.numpy as jnp
import numpy as np
import optax

from gaussml import _checks
from gaussml.calibration import pit_gaussian
from gaussml.regression import X_HIGH, X_LOW, _sample_batch
from gaussml.univariate import logpdf

__all__ = [
    "COSINE_FINAL",
    "SATURATED_SLOPE",
    "X_CENTER",
    "X_SCALE",
    "TrainState",
    "fit_heteroscedastic",
    "fit_mean_network",
    "gauss_newton",
    "gaussian_nll",
    "heteroscedastic_errors",
    "heteroscedastic_nll",
    "init",
    "init_mlp",
    "mean_network_nll",
    "mixture_pit",
    "mlp",
    "predict_heteroscedastic",
    "predict_mean_network",
    "saturated_share",
    "step",
    "train_keys",
]

#: The mean of x ~ U[X_LOW, X_HIGH], subtracted from the inputs before the network sees them.
X_CENTER = 0.5 * (X_LOW + X_HIGH)
#: The std of x ~ U[X_LOW, X_HIGH], the range over sqrt(12), dividing the centred inputs.
X_SCALE = (X_HIGH - X_LOW) / math.sqrt(12.0)
#: Adam's cosine schedule ends at this fraction of the initial learning rate.
COSINE_FINAL = 0.01
#: A hidden unit is saturated at an input where its slope tanh'(z) is below this.
SATURATED_SLOPE = 0.01


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
    _checks.prng_key(key)
    hidden = _checks.positive_int(hidden, "hidden")
    outputs = _checks.positive_int(outputs, "outputs")
    if weight_std is not None:
        weight_std = _checks.positive_scalar(weight_std, "weight_std")
    key_w1, key_b1, key_w2, key_b2 = jax.random.split(key, 4)
    if weight_std is None:
        return {
            "w1": jax.random.normal(key_w1, (hidden, 1)),
            "b1": jax.random.normal(key_b1, (hidden,)),
            "w2": jax.random.normal(key_w2, (outputs, hidden)) / math.sqrt(hidden),
            "b2": jnp.zeros((outputs,)),
        }
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
    _checks.network(params)
    X, _, _ = _checks.design(X, features=1)
    return _mlp_compiled(params, X)


def _mlp(params, X):
    hidden = jnp.tanh(params["w1"] @ X + params["b1"][:, None])
    return params["w2"] @ hidden + params["b2"][:, None]


# The public functions run compiled: one compilation per shape, not one per operation.
_mlp_compiled = jax.jit(_mlp)


def saturated_share(params, X):
    r"""Percentage of (hidden unit, input) pairs where the unit is saturated.

    $z = W_1 x + b_1$ is the pre-activation; the unit is saturated where
    $\tanh'(z) = 1 - \tanh^2 z$ is below `SATURATED_SLOPE` (0.01: $|z| > 3$),
    and passes almost no gradient.

    Args:
      params: a network from `init_mlp`.
      X: the inputs as the network sees them, shape `(1, n)`.

    Returns:
      A float in [0, 100].
    """
    _checks.network(params)
    X, _, _ = _checks.design(X, features=1)
    return float(_saturated_share(params, X))


@jax.jit
def _saturated_share(params, X):
    z = params["w1"] @ X + params["b1"][:, None]
    return 100 * jnp.mean(1 - jnp.tanh(z) ** 2 < SATURATED_SLOPE)


# --- likelihoods ------------------------------------------------------------------

_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


def gaussian_nll(y, mean, log_std, *, beta_nll=0.0):
    r"""Mean negative log-likelihood of `y` under N(mean, exp(log_std)^2), per sample.

    $\frac1n \sum_i [s_i + \frac12 ((y_i - \mu_i) e^{-s_i})^2 + \frac12 \log 2\pi]$
    with $s_i$ = `log_std`: a sum of log-densities, computed from the log std
    directly (never through $\sigma = e^s$, which underflows for $s < -87$ in
    float32). An exact fit, $y_i = \mu_i$, costs $s_i + \frac12\log 2\pi$ for any $s_i$.

    With `beta_nll` $= \gamma > 0$ it is the $\beta$-NLL of Seitzer et al.
    (2022): each sample's term $\ell_i$ is weighted by
    $\mathrm{sg}[e^{2\gamma s_i}] = \mathrm{sg}[\sigma_i^{2\gamma}]$, a weight
    held constant under differentiation (`jax.lax.stop_gradient`), so the
    gradient in $\mu_i$ is $-\sigma_i^{2\gamma}(y_i - \mu_i)/\sigma_i^2$.

    Args:
      y: finite targets, shape `(n,)`, n >= 1.
      mean, log_std: finite arrays that broadcast to the shape of `y` (a
        scalar, or shape `(n,)`); they may not add axes to it (a mean of shape
        `(n, 1)` against `y` of shape `(n,)` would average an n by n table).
      beta_nll: the exponent $\gamma$, a scalar in [0, 1]; 0 (the default) is
        the NLL, 1 gives the mean the gradient of the squared error.

    Returns:
      A scalar.
    """
    beta_nll = _beta_nll_exponent(beta_nll)
    if np.ndim(y) > 1:
        raise ValueError(f"y must have shape (n,), got shape {np.shape(y)}")
    for value, name in ((y, "y"), (mean, "mean"), (log_std, "log_std")):
        _checks.finite(value, name)
        if not _checks.is_traced(value) and np.size(value) == 0:
            raise ValueError(f"{name} must not be empty, got shape {np.shape(value)}")
    try:
        shape = np.broadcast_shapes(np.shape(y), np.shape(mean), np.shape(log_std))
    except ValueError as err:
        raise ValueError(
            f"y, mean and log_std must broadcast together, got shapes {np.shape(y)}, "
            f"{np.shape(mean)}, {np.shape(log_std)}"
        ) from err
    if shape != np.shape(y):
        raise ValueError(
            f"mean and log_std must broadcast to the shape of y {np.shape(y)}, got shapes "
            f"{np.shape(mean)} and {np.shape(log_std)} (broadcast: {shape})"
        )
    return _gaussian_nll_compiled(jnp.asarray(y), mean, log_std, beta_nll=beta_nll)


def _beta_nll_exponent(value, name="beta_nll"):
    """The exponent of the beta-NLL as a float, after checking it is a finite scalar in [0, 1]."""
    value = _checks.scalar(value, name)
    _checks.unit_interval(value, name)
    return value


def _gaussian_nll(y, mean, log_std, beta_nll=0.0):
    residual = y - mean
    # A zero residual contributes 0 even where exp(-log_std) overflows (0 * inf = nan).
    z = jnp.where(residual == 0, 0.0, residual * jnp.exp(-log_std))
    if beta_nll == 0:
        return jnp.mean(log_std + (0.5 * z) * z) + _HALF_LOG_2PI
    weight = jax.lax.stop_gradient(jnp.exp(2 * beta_nll * log_std))
    return jnp.mean(weight * (log_std + (0.5 * z) * z + _HALF_LOG_2PI))


_gaussian_nll_compiled = jax.jit(_gaussian_nll, static_argnames="beta_nll")


def mean_network_nll(params, X, y, *, std):
    """Mean NLL of a one-output network predicting the mean, with a fixed `std` (> 0)."""
    _checks.network(params, outputs=1)
    X, y, _ = _checks.design(X, y, features=1)
    _checks.positive_scalar(std, "std")
    return _mean_network_nll_compiled(params, X, y, std)


def _mean_network_nll(params, X, y, std):
    return -jnp.mean(logpdf(y, mean=_mlp(params, X)[0], std=std))


_mean_network_nll_compiled = jax.jit(_mean_network_nll)


def heteroscedastic_nll(params, X, y, *, beta_nll=0.0):
    r"""Mean NLL of a two-output network: row 0 is the mean, row 1 the log std.

    Args:
      params: a dict from `init_mlp(..., outputs=2)`.
      X: inputs, shape `(1, n)`, as the network sees them (no scaling applied here).
      y: targets, shape `(n,)`.
      beta_nll: the exponent of the beta-NLL in [0, 1] (see `gaussian_nll`);
        0, the default, is the NLL.
    """
    _checks.network(params, outputs=2)
    X, y, _ = _checks.design(X, y, features=1)
    beta_nll = _beta_nll_exponent(beta_nll)
    return _heteroscedastic_nll_compiled(params, X, y, beta_nll=beta_nll)


def _heteroscedastic_nll(params, X, y, beta_nll=0.0):
    out = _mlp(params, X)
    return _gaussian_nll(y, out[0], out[1], beta_nll)


_heteroscedastic_nll_compiled = jax.jit(_heteroscedastic_nll, static_argnames="beta_nll")


# --- training: init and step -------------------------------------------------------

_OPTIMIZERS = ("adam", "sgd")


class TrainConfig(NamedTuple):
    """The static part of a training run (hashable: a change recompiles the fit)."""

    outputs: int  # 1: a mean network with a fixed std; 2: mean and log std
    optimizer: str
    steps: int
    batch_size: int
    beta_nll: float = 0.0  # the exponent of the beta-NLL (two outputs only)


class TrainState(NamedTuple):
    """Everything one training step reads and writes.

    `params` is the network (`init_mlp`), `opt_state` the optimiser's state,
    `scaling` the input and output scaling constants, `target` the data's
    `Target`, `lr` the (initial) learning rate and `std` the fixed noise std
    of a mean network (unused with two outputs). `config` is static.
    """

    #: the network's weights and biases, as `init_mlp` makes them.
    params: dict
    #: the optimiser's state (optax).
    opt_state: Any
    #: the constants that standardise the inputs and the targets.
    scaling: dict
    #: the `regression.Target` the batches are drawn from.
    target: Any
    #: the (initial) learning rate.
    lr: Any
    #: the fixed noise std of a mean network (unused with two outputs).
    std: Any
    #: the static `TrainConfig`: outputs, optimiser, steps, batch size.
    config: TrainConfig


def _flatten_state(state):
    return tuple(state[:-1]), state.config


def _unflatten_state(config, children):
    return TrainState(*children, config)


jax.tree_util.register_pytree_node(TrainState, _flatten_state, _unflatten_state)


def _optimizer(config, lr):
    if config.optimizer == "sgd":
        return optax.sgd(lr)
    # The rate decays over the run, so the last steps average the batch noise away.
    return optax.adam(optax.cosine_decay_schedule(lr, config.steps, alpha=COSINE_FINAL))


def _keys(key):
    """The three keys of a fit: scaling, initialisation, training steps."""
    return jax.random.split(key, 3)


def train_keys(key, steps):
    """The per-step keys that `fit_*(key, ...)` passes to `step`, shape `(steps,)`."""
    _checks.prng_key(key)
    steps = _checks.positive_int(steps, "steps")
    return jax.random.split(_keys(key)[2], steps)


def _scaling(key, target, *, standardise_x, standardise_y):
    """Input and output scaling constants; the output's from a pilot batch of 10 000.

    An input or output left raw gets centre 0 and scale 1.
    """
    x_center, x_scale = (X_CENTER, X_SCALE) if standardise_x else (0.0, 1.0)
    y_center, y_scale = 0.0, 1.0
    if standardise_y:
        _, y = _sample_batch(key, target, 10_000)
        y_center, y_scale = float(jnp.mean(y)), float(jnp.std(y))
    return {"x_center": x_center, "x_scale": x_scale, "y_center": y_center, "y_scale": y_scale}


def init(
    key,
    target,
    *,
    outputs=2,
    std=1.0,
    hidden=16,
    steps=3000,
    batch_size=256,
    lr=0.01,
    optimizer="adam",
    standardise_x=True,
    standardise_y=True,
    weight_std=None,
    beta_nll=0.0,
):
    r"""The state a fit starts from: scaling constants, initial network, optimiser state.

    `init(key, target, **options).params` is the initial network of
    `fit_heteroscedastic(key, target, **options)` (`outputs=2`, the defaults
    here are its recipe) or of `fit_mean_network` (`outputs=1`).

    Args:
      key: a `jax.random` key, split as in the fits (scaling, initialisation, steps).
      target: a `gaussml.regression.Target`.
      outputs: 1 (a mean, with the fixed `std`) or 2 (a mean and a log std).
      std: the fixed noise std of a one-output network, in the units of y (> 0).
      hidden, weight_std: see `init_mlp`.
      steps, batch_size, lr, optimizer: the optimisation ("adam" or "sgd").
      standardise_x: standardise the inputs with `X_CENTER` and `X_SCALE`
        (else the network sees raw x).
      standardise_y: standardise the outputs by the mean and std of a pilot
        batch (else the network predicts raw y).
      beta_nll: the exponent in [0, 1] of the beta-NLL that two outputs
        minimise (`gaussian_nll`); 0, the default, is the NLL.

    Returns:
      A `TrainState`.
    """
    _checks.prng_key(key)
    _checks.target(target)
    if outputs not in (1, 2) or isinstance(outputs, bool):
        raise ValueError(f"outputs must be 1 or 2, got {outputs!r}")
    std = _checks.positive_scalar(std, "std")
    lr = _checks.positive_scalar(lr, "lr")
    steps = _checks.positive_int(steps, "steps")
    batch_size = _checks.positive_int(batch_size, "batch_size")
    hidden = _checks.positive_int(hidden, "hidden")
    optimizer = _checks.one_of(optimizer, "optimizer", _OPTIMIZERS)
    standardise_x = _checks.flag(standardise_x, "standardise_x")
    standardise_y = _checks.flag(standardise_y, "standardise_y")
    beta_nll = _beta_nll_exponent(beta_nll)
    if outputs == 1 and beta_nll != 0:
        raise ValueError(f"beta_nll needs two outputs (a mean and a log std), got {beta_nll}")
    key_scale, key_init, _ = _keys(key)
    scaling = _checks.scaling(
        _scaling(key_scale, target, standardise_x=standardise_x, standardise_y=standardise_y)
    )
    params = init_mlp(key_init, hidden=hidden, outputs=outputs, weight_std=weight_std)
    config = TrainConfig(outputs, optimizer, steps, batch_size, beta_nll)
    opt_state = _optimizer(config, lr).init(params)
    return TrainState(params, opt_state, scaling, target, lr, std, config)


def step(state, key):
    r"""One optimiser step on a fresh batch: `(state, key) -> (state, loss)`.

    Draws `batch_size` samples of `state.target` with `key`, scales them,
    and applies the optimiser to the gradient of the mean NLL (`heteroscedastic_nll`
    for two outputs, `mean_network_nll` with `state.std` for one). Pure: the
    same state and key give the same result, jitted or not. It trusts a state
    made by `init` (nothing is checked per step).

    Returns:
      The new state and the loss of the batch before the update (in the
      scaled units the network sees).
    """
    if not isinstance(state, TrainState):
        raise TypeError(f"state must be a TrainState from nn.init, got {state!r}")
    _checks.prng_key(key)
    config, s = state.config, state.scaling
    X, y = _sample_batch(key, state.target, config.batch_size)
    X, y = (X - s["x_center"]) / s["x_scale"], (y - s["y_center"]) / s["y_scale"]
    if config.outputs == 2:
        loss = partial(_heteroscedastic_nll, beta_nll=config.beta_nll)
    else:
        loss = partial(_mean_network_nll, std=state.std / s["y_scale"])
    value, grads = jax.value_and_grad(loss)(state.params, X, y)
    updates, opt_state = _optimizer(config, state.lr).update(grads, state.opt_state, state.params)
    params = optax.apply_updates(state.params, updates)
    return state._replace(params=params, opt_state=opt_state), value


@jax.jit
def _run(state, keys):
    return jax.lax.scan(step, state, keys)


def _fit(key, target, **options):
    """`init`, then `jax.jit(jax.lax.scan(step))` over `train_keys`; raises on divergence."""
    state = init(key, target, **options)
    state, losses = _run(state, train_keys(key, state.config.steps))
    finite = np.isfinite(np.asarray(losses))
    if not finite.all():
        first = int(np.argmin(finite))
        raise FloatingPointError(
            f"the loss became non-finite at step {first + 1} of {len(finite)} with "
            f"lr = {float(state.lr):g}: training diverged; try a smaller learning rate "
            "(or standardised inputs and the scaled initialisation)"
        )
    return {"layers": state.params, "scaling": state.scaling}, losses


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
    standardise_x=True,
    standardise_y=True,
    weight_std=None,
):
    r"""Train a one-output tanh network for the mean by gradient descent with a fixed std.

    Minimises the mean NLL $\frac1n\sum_i -\log N(y_i; f(x_i), \sigma^2)$, a fresh
    batch each step. By default the network sees the standardised input
    (`X_CENTER` subtracted, divided by `X_SCALE`) and predicts
    $(y - \bar y)/s_y$ (constants from a pilot batch).

    Args:
      key: a `jax.random` key, split into keys for scaling, initialisation and training.
      target: a `gaussml.regression.Target`, e.g. `target_f1`.
      std: the fixed noise std of the model, in the units of y (> 0).
      hidden: hidden tanh units. steps, batch_size, lr: the optimisation.
      optimizer: "sgd" (plain gradient descent) or "adam".
      standardise_x, standardise_y: scale the inputs, the outputs, as above
        (else the raw values).
      weight_std: see `init_mlp`.

    Returns:
      `(params, losses)`: `params` holds `layers` (the network) and `scaling`;
      `losses` has shape `(steps,)`, the NLL in the scaled units the network sees.

    Raises:
      FloatingPointError: if the loss becomes non-finite; the message names the step.
    """
    return _fit(
        key,
        target,
        outputs=1,
        std=std,
        hidden=hidden,
        steps=steps,
        batch_size=batch_size,
        lr=lr,
        optimizer=optimizer,
        standardise_x=standardise_x,
        standardise_y=standardise_y,
        weight_std=weight_std,
    )


def predict_mean_network(params, X):
    """The mean network's prediction, shape `(n,)`, for inputs `X` of shape `(1, n)`."""
    _checks.fitted(params, None)
    X, _, _ = _checks.design(X, features=1)
    return _predict(params, X)[0]


@jax.jit
def _predict(params, X):
    """Both outputs mapped back to the units of y: (mean, exp(second output) * y_scale)."""
    s = params["scaling"]
    out = _mlp(params["layers"], (X - s["x_center"]) / s["x_scale"])
    return s["y_center"] + s["y_scale"] * out[0], s["y_scale"] * jnp.exp(out[-1])


# --- the heteroscedastic network: input-dependent mean and std --------------------


def fit_heteroscedastic(
    key,
    target,
    *,
    hidden=16,
    steps=3000,
    batch_size=256,
    lr=0.01,
    optimizer="adam",
    standardise_x=True,
    standardise_y=True,
    weight_std=None,
    beta_nll=0.0,
):
    r"""Train a tanh network that predicts a mean and a log std for every input.

    Minimises $\frac1n\sum_i \big[s(x_i) + \frac{(y_i - \mu(x_i))^2}{2 e^{2 s(x_i)}}\big]$
    (plus a constant), a fresh batch each step: `init`, then
    `jax.jit(jax.lax.scan(step))`. The defaults are the chapter's working
    recipe: standardised inputs, outputs scaled by the mean and std of a pilot
    batch, Adam with a cosine-decayed rate, and the scaled initialisation of
    `init_mlp`. The chapter's naive set-up is
    `standardise_x=False, standardise_y=False, optimizer="sgd", weight_std=1.0`
    with a small `lr`.

    Args:
      key: a `jax.random` key, split into keys for scaling, initialisation and training.
      target: a `gaussml.regression.Target`, e.g. `target_f2`.
      hidden: hidden tanh units (>= 1).
      steps: optimiser steps (>= 1), each on a fresh batch of `batch_size`.
      lr: the (initial) learning rate (> 0).
      optimizer: "adam" or "sgd".
      standardise_x: standardise the inputs (else the network sees raw x).
      standardise_y: standardise the outputs (else it predicts raw y).
      weight_std: None for the scaled initialisation, or the std of every weight.
      beta_nll: the exponent $\gamma$ in [0, 1] of the beta-NLL: each sample's
        NLL weighted by $\mathrm{sg}[\sigma(x_i)^{2\gamma}]$ (`gaussian_nll`).
        0, the default, is the NLL; each exponent compiles once.

    Returns:
      `(params, losses)`: `params` = `{"layers": ..., "scaling": ...}` for
      `predict_heteroscedastic`; `losses` of shape `(steps,)`, each batch's mean
      NLL in the units the network sees (scaled y when `standardise_y`).

    Raises:
      FloatingPointError: if the loss becomes non-finite; the message names the
        step and suggests a smaller learning rate.
    """
    return _fit(
        key,
        target,
        outputs=2,
        hidden=hidden,
        steps=steps,
        batch_size=batch_size,
        lr=lr,
        optimizer=optimizer,
        standardise_x=standardise_x,
        standardise_y=standardise_y,
        weight_std=weight_std,
        beta_nll=beta_nll,
    )


def predict_heteroscedastic(params, X):
    r"""The learned mean $\mu(x)$ and std $\sigma(x) = e^{s(x)}$ in the units of y.

    Args:
      params: the first output of `fit_heteroscedastic`.
      X: inputs of shape `(1, n)` (raw, unscaled).

    Returns:
      `(mean, std)`, each of shape `(n,)`.
    """
    _checks.fitted(params, 2)
    X, _, _ = _checks.design(X, features=1)
    return _predict(params, X)


def heteroscedastic_errors(params, target, X):
    r"""How far a heteroscedastic fit is from the truth on inputs `X`: two numbers.

    The mean's error is its root-mean-square distance to the true mean over
    the average true std, $\sqrt{\overline{(\mu - \mu^\ast)^2}} / \overline{\sigma^\ast}$;
    the std's is the mean relative error $\overline{|\sigma - \sigma^\ast| / \sigma^\ast}$.

    Args:
      params: the first output of `fit_heteroscedastic`.
      target: the `Target` it was fitted to (its noise std must be > 0 on `X`).
      X: inputs of shape `(1, n)`.

    Returns:
      `(mean_error, std_error)`, two floats.
    """
    _checks.target(target)
    _checks.fitted(params, 2)
    X, _, _ = _checks.design(X, features=1)
    if not np.all(np.asarray(target.std(np.asarray(X[0]))) > 0):
        raise ValueError("X must avoid the inputs where the target's noise std is 0")
    mean_err, std_err = _heteroscedastic_errors(params, target, X)
    return float(mean_err), float(std_err)


@jax.jit
def _heteroscedastic_errors(params, target, X):
    mean, std = _predict(params, X)
    x = X[0]
    true_std = target.std(x)
    mean_err = jnp.sqrt(jnp.mean((mean - target.mean(x)) ** 2)) / jnp.mean(true_std)
    std_err = jnp.mean(jnp.abs(std - true_std) / true_std)
    return mean_err, std_err


# --- curvature in the weights and the calibration of an ensemble -------------------


def gauss_newton(params, X):
    r"""The Gauss-Newton (Fisher) matrix of a heteroscedastic fit in its weights, in two parts.

    With $J_i$ the Jacobian of the outputs $(\mu_i, s_i)$ at input $x_i$ with
    respect to the flattened weights $\theta$ (`jax.jacfwd`, in the scaled units
    the network sees) and $F_i = \mathrm{diag}(e^{-2 s_i}, 2)$ the Fisher
    information of one sample in $(\mu, s)$ at the network's own prediction,
    $G = \frac1n \sum_i J_i^\top F_i J_i = G_\mu + G_s$ with
    $G_\mu = \frac1n \sum_i e^{-2 s_i} \nabla_\theta \mu_i \nabla_\theta \mu_i^\top$ and
    $G_s = \frac2n \sum_i \nabla_\theta s_i \nabla_\theta s_i^\top$: the expected
    Hessian of the mean NLL in the weights when y follows the prediction.

    Args:
      params: the first output of `fit_heteroscedastic`.
      X: raw inputs of shape `(1, n)`.

    Returns:
      `(G_mean, G_log_std)`, two symmetric positive semi-definite arrays of
      shape `(P, P)`, P the number of weights, ordered as
      `jax.flatten_util.ravel_pytree(params["layers"])` orders them.
    """
    _checks.fitted(params, 2)
    X, _, _ = _checks.design(X, features=1)
    return _gauss_newton(params, X)


@jax.jit
def _gauss_newton(params, X):
    s = params["scaling"]
    U = (X - s["x_center"]) / s["x_scale"]
    flat, unravel = jax.flatten_util.ravel_pytree(params["layers"])
    outputs = _mlp(unravel(flat), U)  # (2, n): mu and s
    jac = jax.jacfwd(lambda theta: _mlp(unravel(theta), U))(flat)  # (2, n, P)
    n = U.shape[1]
    precision = jnp.exp(-2 * outputs[1])
    g_mean = jnp.einsum("i,ip,iq->pq", precision, jac[0], jac[0]) / n
    g_log_std = 2 * jnp.einsum("ip,iq->pq", jac[1], jac[1]) / n
    return g_mean, g_log_std


def mixture_pit(y, *, means, stds):
    r"""PIT values of `y` under an equal mixture of K Gaussians (an ensemble's predictive).

    The mixture's cdf is the mean of its members' cdfs:
    $u = \frac1K \sum_k \Phi\big((y - \mu_k)/\sigma_k\big)$.

    Args:
      y: observed values, shape `(n,)`.
      means: the members' predictive means, shape `(K, n)`.
      stds: the members' predictive standard deviations (> 0), shape `(K, n)`.

    Returns:
      The PIT values in [0, 1], shape `(n,)`.
    """
    y = _checks.array(y, "y", ndim=1)
    means = _checks.array(means, "means", ndim=2)
    stds = _checks.array(stds, "stds", ndim=2)
    _checks.positive_finite(stds, "stds")
    if np.shape(means) != np.shape(stds) or np.shape(means)[1] != np.shape(y)[0]:
        raise ValueError(
            f"means and stds must both have shape (K, n) with n = len(y) = {np.shape(y)[0]}, "
            f"got shapes {np.shape(means)} and {np.shape(stds)}"
        )
    return jnp.mean(pit_gaussian(jnp.asarray(y)[None, :], mean=means, std=stds), axis=0)
