r"""Small neural networks for regression by maximum likelihood: the networks, their
likelihoods and their training.

Everything here is a pure function over arrays and parameter pytrees (nested
dicts of arrays), with randomness only through explicit `jax.random` keys.
Shapes follow the book: inputs `X` are `(1, n)` (features by samples), targets
`y` are `(n,)`.

Training follows optax and blackjax: `trainer(target, **options)` keeps the
options in a closure and returns a `Trainer` of two pure functions,
`state = trainer.init(key)` (a `TrainerState` of arrays only) and
`state, loss = trainer.step(key, state)`, which draws a fresh batch and takes
one optimiser step. The fits are `jax.jit` around `jax.lax.scan` of `step`
over the keys of `train_keys` and return named results (`FitResult`, `Fit`).
`fit_heteroscedastic` and `predict_heteroscedastic` are the chapter's working
recipe for a network that predicts an input-dependent mean and standard
deviation.

The bodies of `mlp`, `saturated_share`, the likelihoods and `gauss_newton`
are the math alone: a decorator checks their arguments, then runs the body
compiled.
"""

from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.flatten_util
import jax.numpy as jnp
import numpy as np
import optax

from gaussml import _checks
from gaussml.calibration import pit_gaussian
from gaussml.regression import X_HIGH, X_LOW, sample_batch
from gaussml.univariate import logpdf

__all__ = [
    "COSINE_FINAL",
    "SATURATED_SLOPE",
    "X_CENTER",
    "X_SCALE",
    "Fit",
    "FitErrors",
    "FitResult",
    "GaussNewton",
    "Prediction",
    "Trainer",
    "TrainerState",
    "fit_heteroscedastic",
    "fit_mean_network",
    "gauss_newton",
    "gaussian_nll",
    "heteroscedastic_errors",
    "heteroscedastic_nll",
    "init_mlp",
    "mean_network_nll",
    "mixture_pit",
    "mlp",
    "predict_heteroscedastic",
    "predict_mean_network",
    "saturated_share",
    "train_keys",
    "trainer",
]

#: The mean of x ~ U[X_LOW, X_HIGH], subtracted from the inputs before the network sees them.
X_CENTER = 0.5 * (X_LOW + X_HIGH)
#: The std of x ~ U[X_LOW, X_HIGH], the range over sqrt(12), dividing the centred inputs.
X_SCALE = (X_HIGH - X_LOW) / math.sqrt(12.0)
#: Adam's cosine schedule ends at this fraction of the initial learning rate.
COSINE_FINAL = 0.01
#: A hidden unit is saturated at an input where its slope tanh'(z) is below this.
SATURATED_SLOPE = 0.01


# --- checked entry points ---------------------------------------------------------


def _network_inputs(params, X, outputs=None):
    """A network and inputs `X` of shape `(1, n)`, as JAX arrays."""
    _checks.network(params, outputs=outputs)
    X, _, _ = _checks.design(X, features=1)
    return {"X": X}


def _network_batch(params, X, y, outputs=None):
    _checks.network(params, outputs=outputs)
    X, y, _ = _checks.design(X, y, features=1)
    return {"X": X, "y": y}


def _beta_nll_exponent(value, name="beta_nll"):
    """The exponent of the beta-NLL as a float, after checking it is a finite scalar in [0, 1]."""
    value = _checks.scalar(value, name)
    _checks.unit_interval(value, name)
    return value


def _gaussian_nll_arguments(y, mean, log_std, beta_nll):
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
    return {"y": jnp.asarray(y), "beta_nll": beta_nll}


def _mean_network_arguments(params, X, y, std):
    _checks.positive_scalar(std, "std")
    return _network_batch(params, X, y, outputs=1)


def _heteroscedastic_arguments(params, X, y, beta_nll):
    return {**_network_batch(params, X, y, outputs=2), "beta_nll": _beta_nll_exponent(beta_nll)}


def _two_output_fit_inputs(fit, X):
    """A heteroscedastic fit (a `Fit` of two outputs) and raw inputs `X` of shape `(1, n)`."""
    _checks.fitted(fit, 2)
    X, _, _ = _checks.design(X, features=1)
    return {"X": X}


# --- the network ----------------------------------------------------------------


def init_mlp(key, *, hidden=10, outputs=1, weight_std=None):
    r"""Initial parameters of a network with one tanh hidden layer and one input.

    The network is $f_\theta(x) = W_2 \tanh(W_1 x + b_1) + b_2$ with $M$ =
    `hidden` units: $W_1$ of shape `(M, 1)`, $b_1$ `(M,)`, $W_2$ `(outputs, M)`,
    $b_2$ `(outputs,)`.

    Args:
      key: a `jax.random` key, split into one key per weight matrix.
      hidden: $M$, the number of hidden tanh units (>= 1).
      outputs: the number of outputs (>= 1): 1 for a mean, 2 for a mean and a log std.
      weight_std: $w_0$, the std of every weight and bias, drawn from
        $N(0, w_0^2)$ (`weight_std=1.0` draws every weight from N(0, 1)). By
        default (None) a scaled initialisation for standardised inputs:
        $W_1, b_1 \sim N(0, 1)$, so that the hidden units' bends spread over
        the inputs' range; $W_2 \sim N(0, 1/M)$ and $b_2 = 0$, so that the outputs
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


@_checks.checked(_network_inputs)
@jax.jit
def mlp(params, X):
    r"""The network's outputs $W_2 \tanh(W_1 X + b_1) + b_2$ for inputs `X` of shape `(1, n)`.

    Returns:
      An array of shape `(outputs, n)`: one row per output, one column per sample.
    """
    hidden = jnp.tanh(params["w1"] @ X + params["b1"][:, None])
    return params["w2"] @ hidden + params["b2"][:, None]


@_checks.checked(_network_inputs)
@jax.jit
def saturated_share(params, X):
    r"""Percentage of (hidden unit, input) pairs where the unit is saturated.

    $z = W_1 x + b_1$ is the pre-activation; the unit is saturated where
    $\tanh'(z) = 1 - \tanh^2 z$ is below `SATURATED_SLOPE` (0.01: $|z| > 3$),
    and passes almost no gradient.

    Args:
      params: a network from `init_mlp`.
      X: the inputs as the network sees them, shape `(1, n)`.

    Returns:
      A scalar array in [0, 100].
    """
    z = params["w1"] @ X + params["b1"][:, None]
    return 100 * jnp.mean(1 - jnp.tanh(z) ** 2 < SATURATED_SLOPE)


# --- likelihoods ------------------------------------------------------------------

_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


@_checks.checked(_gaussian_nll_arguments)
@functools.partial(jax.jit, static_argnames="beta_nll")
def gaussian_nll(y, mean, log_std, *, beta_nll=0.0):
    r"""Mean negative log-likelihood of `y` under N(mean, exp(log_std)^2), per sample.

    $\frac1n \sum_i [\omega_i + \frac12 ((y_i - \mu_i) e^{-\omega_i})^2 + \frac12 \log 2\pi]$
    with $\omega_i$ = `log_std`, computed from the log std directly (never through
    $\sigma = e^\omega$, which underflows for $\omega < -87$ in float32). With
    `beta_nll` $= \gamma > 0$, the $\beta$-NLL of Seitzer et al. (2022): each
    term weighted by $\mathrm{sg}[\sigma_i^{2\gamma}]$, held constant under
    differentiation (`jax.lax.stop_gradient`).

    Args:
      y: finite targets, shape `(n,)`, n >= 1.
      mean, log_std: finite arrays that broadcast to the shape of `y` without
        adding axes to it (a scalar, or shape `(n,)`).
      beta_nll: the exponent $\gamma$ in [0, 1]; 0 (the default) is the NLL.

    Returns:
      A scalar.
    """
    residual = y - mean
    # A zero residual contributes 0 even where exp(-log_std) overflows (0 * inf = nan).
    z = jnp.where(residual == 0, 0.0, residual * jnp.exp(-log_std))
    if beta_nll == 0:
        return jnp.mean(log_std + (0.5 * z) * z) + _HALF_LOG_2PI
    weight = jax.lax.stop_gradient(jnp.exp(2 * beta_nll * log_std))
    return jnp.mean(weight * (log_std + (0.5 * z) * z + _HALF_LOG_2PI))


@_checks.checked(_mean_network_arguments)
@jax.jit
def mean_network_nll(params, X, y, *, std):
    """Mean NLL of a one-output network predicting the mean, with a fixed `std` (> 0)."""
    return -jnp.mean(logpdf(y, mean=mlp(params, X)[0], std=std))


@_checks.checked(_heteroscedastic_arguments)
@functools.partial(jax.jit, static_argnames="beta_nll")
def heteroscedastic_nll(params, X, y, *, beta_nll=0.0):
    r"""Mean NLL of a two-output network: row 0 is the mean $\mu$, row 1 the log std $\omega$.

    `X` (shape `(1, n)`) is as the network sees it; `beta_nll` is the
    exponent of the beta-NLL in [0, 1] (see `gaussian_nll`), 0 the NLL.
    """
    out = mlp(params, X)
    return gaussian_nll(y, out[0], out[1], beta_nll=beta_nll)


# --- training: a trainer of two pure functions, init and step ----------------------

_OPTIMIZERS = ("adam", "sgd")


class TrainerState(NamedTuple):
    """What one training step reads and writes: arrays only (the options live in the trainer)."""

    #: the network's weights and biases, as `init_mlp` makes them.
    params: dict
    #: the optimiser's state (optax).
    opt_state: Any
    #: the constants that standardise the inputs and the targets (0-d arrays).
    scaling: dict


class Trainer(NamedTuple):
    """The two pure functions of a training run (`trainer` builds them)."""

    #: `init(key) -> TrainerState`: the scaling, the initial network, the optimiser's state.
    init: Callable
    #: `step(key, state) -> (state, loss)`: one optimiser step on a fresh batch.
    step: Callable


def _optimizer(name, lr, steps):
    if name == "sgd":
        return optax.sgd(lr)
    # The rate decays over the run, so the last steps average the batch noise away.
    return optax.adam(optax.cosine_decay_schedule(lr, steps, alpha=COSINE_FINAL))


def _keys(key):
    """The three keys of a fit: scaling, initialisation, training steps."""
    return jax.random.split(key, 3)


def train_keys(key, steps):
    """The per-step keys that `fit_*(key, ...)` passes to `trainer.step`, shape `(steps,)`."""
    _checks.prng_key(key)
    steps = _checks.positive_int(steps, "steps")
    return jax.random.split(_keys(key)[2], steps)


def _scaling(key, target, *, standardise_x, standardise_y):
    """Input and output scaling constants as 0-d arrays; the output's from a pilot
    batch of 10 000. An input or output left raw gets centre 0 and scale 1."""
    x_center, x_scale = (X_CENTER, X_SCALE) if standardise_x else (0.0, 1.0)
    y_center, y_scale = 0.0, 1.0
    if standardise_y:
        _, y = sample_batch(key, target, 10_000)
        y_center, y_scale = jnp.mean(y), jnp.std(y)
    constants = {"x_center": x_center, "x_scale": x_scale, "y_center": y_center, "y_scale": y_scale}
    return {name: jnp.asarray(value, jnp.float32) for name, value in constants.items()}


def _standardised(batch, scaling):
    """A batch `(X, y)` in the units the network sees."""
    X, y = batch
    return (
        (X - scaling["x_center"]) / scaling["x_scale"],
        (y - scaling["y_center"]) / scaling["y_scale"],
    )


def _check_step(key, state):
    """The arguments of `trainer.step`: one key and a `TrainerState` (its arrays unchecked)."""
    if isinstance(key, TrainerState):
        raise TypeError("key must come first: trainer.step(key, state), got a TrainerState as key")
    _checks.prng_key(key)
    if not isinstance(state, TrainerState):
        raise TypeError(
            f"state must be a TrainerState from trainer.init, got {type(state).__name__}"
        )


def trainer(
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
    r"""A training run on fresh batches of `target`, as two pure functions.

    `trainer.init(key)` gives the `TrainerState` a run starts from;
    `trainer.step(key, state)` draws `batch_size` samples, scales them and
    applies the optimiser to the gradient of the mean NLL
    (`heteroscedastic_nll` for two outputs, `mean_network_nll` with `std` for
    one), returning the new state and the batch's loss before the update (in
    the scaled units the network sees). The options are checked here, once.
    The defaults are the chapter's recipe for two outputs.

    Args:
      target: a `gaussml.regression.Target`.
      outputs: 1 (a mean, with the fixed `std`) or 2 (a mean and a log std).
      std: the fixed noise std of a one-output network, in the units of y (> 0).
      hidden, weight_std: see `init_mlp`.
      steps: the length of the run (>= 1), over which Adam's rate decays
        (Adam's decay rates $\rho_1$, $\rho_2$ and constant $\delta$ are optax's defaults).
      batch_size: the samples of each step's batch (>= 1).
      lr: the (initial) learning rate $\eta$ (> 0).
      optimizer: "adam" (with a cosine-decayed rate) or "sgd" (plain gradient descent).
      standardise_x: standardise the inputs with `X_CENTER` and `X_SCALE`
        (else the network sees raw x).
      standardise_y: standardise the outputs by the mean and std $s_y$ of a
        pilot batch (else the network predicts raw y).
      beta_nll: the exponent in [0, 1] of the beta-NLL that two outputs
        minimise (`gaussian_nll`); 0, the default, is the NLL.

    Returns:
      A `Trainer(init, step)`.
    """
    _checks.target(target)
    if outputs not in (1, 2) or isinstance(outputs, bool):
        raise ValueError(f"outputs must be 1 or 2, got {outputs!r}")
    std = _checks.positive_scalar(std, "std")
    lr = _checks.positive_scalar(lr, "lr")
    steps = _checks.positive_int(steps, "steps")
    batch_size = _checks.positive_int(batch_size, "batch_size")
    hidden = _checks.positive_int(hidden, "hidden")
    if weight_std is not None:
        weight_std = _checks.positive_scalar(weight_std, "weight_std")
    optimiser = _optimizer(_checks.one_of(optimizer, "optimizer", _OPTIMIZERS), lr, steps)
    standardise_x = _checks.flag(standardise_x, "standardise_x")
    standardise_y = _checks.flag(standardise_y, "standardise_y")
    beta_nll = _beta_nll_exponent(beta_nll)
    if outputs == 1 and beta_nll != 0:
        raise ValueError(f"beta_nll needs two outputs (a mean and a log std), got {beta_nll}")

    def objective(params, X, y, scaling):
        """The mean NLL of a scaled batch; a mean network's std in the scaled units."""
        if outputs == 2:
            return heteroscedastic_nll(params, X, y, beta_nll=beta_nll)
        return mean_network_nll(params, X, y, std=std / scaling["y_scale"])

    def init(key):
        """The state a run starts from, split from `key` as the fits split theirs."""
        _checks.prng_key(key)
        key_scale, key_init, _ = _keys(key)
        scaling = _scaling(
            key_scale, target, standardise_x=standardise_x, standardise_y=standardise_y
        )
        params = init_mlp(key_init, hidden=hidden, outputs=outputs, weight_std=weight_std)
        return TrainerState(params, optimiser.init(params), scaling)

    def step(key, state):
        """One optimiser step on a fresh batch: `(key, state) -> (state, loss)`."""
        _check_step(key, state)
        X, y = _standardised(sample_batch(key, target, batch_size), state.scaling)
        loss, grads = jax.value_and_grad(objective)(state.params, X, y, state.scaling)
        updates, opt_state = optimiser.update(grads, state.opt_state, state.params)
        params = optax.apply_updates(state.params, updates)
        return TrainerState(params, opt_state, state.scaling), loss

    return Trainer(init, step)


#: The options of `trainer` and their defaults, read from its signature (the fits take the same).
_DEFAULTS = {
    name: parameter.default
    for name, parameter in inspect.signature(trainer).parameters.items()
    if parameter.kind is inspect.Parameter.KEYWORD_ONLY
}


class Fit(NamedTuple):
    """A trained network and the constants it sees its data through."""

    #: the network's weights and biases (`init_mlp`), in the scaled units.
    params: dict
    #: the constants that standardise the inputs and the targets (`TrainerState.scaling`).
    scaling: dict


class FitResult(NamedTuple):
    """What a fit returns: `fit, losses = fit_heteroscedastic(key, target)`."""

    #: the trained `Fit`, for `predict_*`, `heteroscedastic_errors` and `gauss_newton`.
    fit: Fit
    #: each step's batch loss before its update, shape `(steps,)`, in the scaled units.
    losses: jax.Array


@functools.lru_cache(maxsize=64)
def _cached_trainer(target, options):
    """One `Trainer` per target and options, so that a repeated fit reuses its compilation."""
    return trainer(target, **dict(options))


@functools.partial(jax.jit, static_argnums=0)
def _run(step, state, keys):
    return jax.lax.scan(lambda state, key: step(key, state), state, keys)


def _fit(key, target, outputs, options):
    """`trainer(target, outputs=outputs, **options)`: `init`, then `jax.jit(jax.lax.scan(step))`
    over `train_keys`; raises on divergence."""
    _checks.prng_key(key)
    if "outputs" in options:
        raise TypeError(
            f"outputs is set by the fit ({outputs}), got outputs={options['outputs']!r}"
        )
    options = {**options, "outputs": outputs}
    try:
        train = _cached_trainer(target, tuple(sorted(options.items())))
    except TypeError as err:
        if "unhashable" not in str(err):
            raise
        train = trainer(target, **options)  # a target or option holding an array
    state = train.init(key)
    state, losses = _run(
        train.step, state, train_keys(key, options.get("steps", _DEFAULTS["steps"]))
    )
    finite = np.isfinite(np.asarray(losses))
    if not finite.all():
        first = int(np.argmin(finite))
        lr = options.get("lr", _DEFAULTS["lr"])
        raise FloatingPointError(
            f"the loss became non-finite at step {first + 1} of {len(finite)} with "
            f"lr = {float(lr):g}: training diverged; try a smaller learning rate "
            "(or standardised inputs and the scaled initialisation)"
        )
    return FitResult(Fit(state.params, state.scaling), losses)


def fit_mean_network(key, target, **options):
    r"""Train a one-output tanh network for the mean with a fixed std: `trainer(target,
    outputs=1, **options)` run for `steps` steps, compiled.

    Minimises the mean NLL $\frac1n\sum_i -\log N(y_i; f_\theta(x_i), \sigma^2)$, a fresh
    batch each step, $\sigma$ = `std` in the units of y. The options and their
    defaults are those of `trainer`.

    Args:
      key: a `jax.random` key, split into keys for scaling, initialisation and
        training (`trainer.init(key)`, then `trainer.step` over `train_keys(key, steps)`).
      target: a `gaussml.regression.Target`, e.g. `target_f1`.
      **options: the options of `trainer` except `outputs`.

    Returns:
      A `FitResult(fit, losses)`: `fit` a `Fit(params, scaling)`, `losses` of
      shape `(steps,)`, the NLL in the scaled units the network sees.

    Raises:
      FloatingPointError: if the loss becomes non-finite; the message names the step.
    """
    return _fit(key, target, 1, options)


def fit_heteroscedastic(key, target, **options):
    r"""Train a tanh network that predicts a mean and a log std for every input:
    `trainer(target, outputs=2, **options)` run for `steps` steps, compiled.

    Minimises $\frac1n\sum_i \big[\omega(x_i) + \frac{(y_i - \mu(x_i))^2}{2 e^{2 \omega(x_i)}}\big]$
    (plus a constant), a fresh batch each step. The defaults of `trainer` are
    the chapter's working recipe: standardised inputs, outputs scaled by the
    mean and std of a pilot batch, Adam with a cosine-decayed rate, and the
    scaled initialisation of `init_mlp`. The chapter's naive set-up is
    `standardise_x=False, standardise_y=False, optimizer="sgd", weight_std=1.0`
    with a small `lr`.

    Args:
      key: a `jax.random` key, split into keys for scaling, initialisation and
        training (`trainer.init(key)`, then `trainer.step` over `train_keys(key, steps)`).
      target: a `gaussml.regression.Target`, e.g. `target_f2`.
      **options: the options of `trainer` except `outputs`; each `beta_nll`
        compiles once.

    Returns:
      A `FitResult(fit, losses)`: `fit` a `Fit(params, scaling)` for
      `predict_heteroscedastic`; `losses` of shape `(steps,)`, each batch's mean
      NLL in the units the network sees (scaled y when `standardise_y`).

    Raises:
      FloatingPointError: if the loss becomes non-finite; the message names the
        step and suggests a smaller learning rate.
    """
    return _fit(key, target, 2, options)


# --- predictions and their errors ----------------------------------------------------


class Prediction(NamedTuple):
    """A heteroscedastic network's prediction in the units of y."""

    #: the learned mean $\mu(x)$, shape `(n,)`.
    mean: jax.Array
    #: the learned std $\sigma(x) = e^{\omega(x)}$, shape `(n,)`.
    std: jax.Array


@jax.jit
def _predict(fit, X):
    """Both outputs mapped back to the units of y: (mean, exp(last output) * y_scale)."""
    s = fit.scaling
    out = mlp(fit.params, (X - s["x_center"]) / s["x_scale"])
    return Prediction(s["y_center"] + s["y_scale"] * out[0], s["y_scale"] * jnp.exp(out[-1]))


def predict_mean_network(fit, X):
    """The mean network's prediction, shape `(n,)`, for raw inputs `X` of shape `(1, n)`.

    Args:
      fit: the `Fit` of `fit_mean_network`.
      X: inputs of shape `(1, n)` (raw, unscaled).
    """
    _checks.fitted(fit, None)
    X, _, _ = _checks.design(X, features=1)
    return _predict(fit, X).mean


def predict_heteroscedastic(fit, X):
    r"""The learned mean $\mu(x)$ and std $\sigma(x) = e^{\omega(x)}$ in the units of y.

    Args:
      fit: the `Fit` of `fit_heteroscedastic`.
      X: inputs of shape `(1, n)` (raw, unscaled).

    Returns:
      A `Prediction(mean, std)`, each of shape `(n,)`.
    """
    _checks.fitted(fit, 2)
    X, _, _ = _checks.design(X, features=1)
    return _predict(fit, X)


class FitErrors(NamedTuple):
    """How far a heteroscedastic fit is from the truth (`heteroscedastic_errors`)."""

    #: RMS distance of the mean to the true mean over the average true std.
    mean_error: jax.Array
    #: mean relative error of the std.
    std_error: jax.Array


def heteroscedastic_errors(fit, target, X):
    r"""How far a heteroscedastic fit is from the truth on inputs `X`: two numbers.

    The mean's error is its root-mean-square distance to the true mean over
    the average true std, $\sqrt{\overline{(\mu - \mu^\ast)^2}} / \overline{\sigma^\ast}$;
    the std's is the mean relative error $\overline{|\sigma - \sigma^\ast| / \sigma^\ast}$.

    Args:
      fit: the `Fit` of `fit_heteroscedastic`.
      target: the `Target` it was fitted to (its noise std must be > 0 on `X`).
      X: inputs of shape `(1, n)`.

    Returns:
      `FitErrors(mean_error, std_error)`, two scalar arrays.
    """
    _checks.target(target)
    _checks.fitted(fit, 2)
    X, _, _ = _checks.design(X, features=1)
    silent = np.asarray(X[0])[~(np.asarray(target.std(np.asarray(X[0]))) > 0)]
    if silent.size:
        raise ValueError(
            "X must avoid the inputs where the target's noise std is 0 (the relative error "
            f"of the std divides by it), got {silent.size} such input(s): {_checks.short(silent)}"
        )
    return _heteroscedastic_errors(fit, target, X)


@jax.jit
def _heteroscedastic_errors(fit, target, X):
    mean, std = _predict(fit, X)
    x = X[0]
    true_std = target.std(x)
    mean_err = jnp.sqrt(jnp.mean((mean - target.mean(x)) ** 2)) / jnp.mean(true_std)
    std_err = jnp.mean(jnp.abs(std - true_std) / true_std)
    return FitErrors(mean_err, std_err)


# --- curvature in the weights and the calibration of an ensemble -------------------


class GaussNewton(NamedTuple):
    """The Gauss-Newton matrix of a heteroscedastic fit in its weights, in two parts."""

    #: $G_\mu$, the part of the mean, shape `(P, P)`.
    mean: jax.Array
    #: $G_\omega$, the part of the log std, shape `(P, P)`.
    log_std: jax.Array


@_checks.checked(_two_output_fit_inputs)
@jax.jit
def gauss_newton(fit, X):
    r"""The Gauss-Newton (Fisher) matrix of a heteroscedastic fit in its weights, in two parts.

    With $J_i$ the Jacobian of the outputs $(\mu_i, \omega_i)$ at input $x_i$ with
    respect to the flattened weights $\theta$ (`jax.jacfwd`, in the scaled units
    the network sees) and $F_i = \mathrm{diag}(e^{-2 \omega_i}, 2)$ the Fisher
    information of one sample in $(\mu, \omega)$ at the network's own prediction,
    $G = \frac1n \sum_i J_i^\top F_i J_i = G_\mu + G_\omega$ with
    $G_\mu = \frac1n \sum_i e^{-2 \omega_i} \nabla_\theta \mu_i \nabla_\theta \mu_i^\top$ and
    $G_\omega = \frac2n \sum_i \nabla_\theta \omega_i \nabla_\theta \omega_i^\top$: the
    expected Hessian $E[\mathbf{A}]$ of the mean NLL in the weights when y follows
    the prediction.

    Args:
      fit: the `Fit` of `fit_heteroscedastic`.
      X: raw inputs of shape `(1, n)`.

    Returns:
      `GaussNewton(mean, log_std)`, two symmetric positive semi-definite arrays
      of shape `(P, P)`, P the number of weights, ordered as
      `jax.flatten_util.ravel_pytree(fit.params)` orders them.
    """
    s = fit.scaling
    U = (X - s["x_center"]) / s["x_scale"]
    flat, unravel = jax.flatten_util.ravel_pytree(fit.params)
    outputs = mlp(unravel(flat), U)  # (2, n): mu and omega
    jac = jax.jacfwd(lambda theta: mlp(unravel(theta), U))(flat)  # (2, n, P)
    n = U.shape[1]
    precision = jnp.exp(-2 * outputs[1])
    g_mean = jnp.einsum("i,ip,iq->pq", precision, jac[0], jac[0]) / n
    g_log_std = 2 * jnp.einsum("ip,iq->pq", jac[1], jac[1]) / n
    return GaussNewton(g_mean, g_log_std)


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
