"""Tests of gaussml.nn: shapes, gradients, the learning-rate bound, the recipe's quality."""

import jax
import jax.flatten_util
import jax.numpy as jnp
import numpy as np
import optax
import pytest
import scipy.stats

from gaussml import nn, regression
from gaussml.regression import target_f1, target_f2, target_f3

EPS32 = float(np.finfo(np.float32).eps)  # 1.19e-7, the spacing of float32 numbers near 1

# The quality grid: x in [1, 20]; the true means and noise stds of the targets.
GRID = jnp.linspace(1.0, 20.0, 200)[None, :]
TRUTH = {
    "f1": (target_f1, 2.0 * GRID[0], jnp.full(200, 0.3)),
    "f2": (target_f2, 2.0 * GRID[0], 0.3 * GRID[0]),
    "f3": (target_f3, 2.0 * GRID[0] + 5.0 * jnp.sin(GRID[0] / 2.0), 0.3 * GRID[0]),
}


def errors(params, name):
    """(RMS mean error / average true std, mean relative std error) on the grid."""
    return nn.heteroscedastic_errors(params, TRUTH[name][0], GRID)


# --- shapes -------------------------------------------------------------------------


def test_network_shapes():
    key_init, key_x = jax.random.split(jax.random.key(0))
    params = nn.init_mlp(key_init, hidden=10, outputs=2)
    assert params["w1"].shape == (10, 1)
    assert params["b1"].shape == (10,)
    assert params["w2"].shape == (2, 10)
    assert params["b2"].shape == (2,)
    X = jax.random.uniform(key_x, (1, 7))
    assert nn.mlp(params, X).shape == (2, 7)
    assert nn.heteroscedastic_nll(params, X, jnp.zeros(7)).shape == ()
    one = nn.init_mlp(key_init, hidden=10, outputs=1)
    assert nn.mean_network_nll(one, X, jnp.zeros(7), std=1.0).shape == ()


def test_fit_shapes(fitted):
    params, losses = fitted["f1"]
    assert losses.shape == (3000,)
    mean, std = nn.predict_heteroscedastic(params, jnp.ones((1, 5)))
    assert mean.shape == (5,)
    assert std.shape == (5,)


# --- gradients ------------------------------------------------------------------------


def test_gradient_of_gaussian_nll_matches_hand_formula():
    # d/d mean_i = -(y_i - mean_i) / (n std_i^2), d/d log_std_i = (1 - z_i^2) / n.
    # All terms are O(1) here, so float32 rounding is a few eps; 1e-6 leaves margin.
    key_y, key_mean, key_s = jax.random.split(jax.random.key(2), 3)
    y = jax.random.normal(key_y, (50,))
    mean = jax.random.normal(key_mean, (50,))
    log_std = 0.5 * jax.random.normal(key_s, (50,))
    grad = jax.jit(jax.grad(nn.gaussian_nll, argnums=(1, 2)))  # one compile, not one per op
    g_mean, g_log_std = grad(y, mean, log_std)
    var = jnp.exp(2 * log_std)
    np.testing.assert_allclose(g_mean, -(y - mean) / (50 * var), rtol=0, atol=1e-6)
    np.testing.assert_allclose(g_log_std, (1 - (y - mean) ** 2 / var) / 50, rtol=0, atol=1e-6)


def test_heteroscedastic_nll_matches_finite_differences():
    # Central differences in float64 numpy on the same formula, step 1e-4: the
    # truncation error is O(h^2 f''') ~ 1e-8 and the float32 gradient is exact to
    # a few eps times its O(1) terms; 1e-4 absolute bounds both with margin.
    key_init, key_x, key_y = jax.random.split(jax.random.key(3), 3)
    params = nn.init_mlp(key_init, hidden=4, outputs=2)
    X = jax.random.normal(key_x, (1, 20))
    y = jax.random.normal(key_y, (20,))
    grads = jax.jit(jax.grad(nn.heteroscedastic_nll))(params, X, y)  # one compile, not one per op

    def nll64(p):
        h = np.tanh(p["w1"] @ np.asarray(X, float) + p["b1"][:, None])
        out = p["w2"] @ h + p["b2"][:, None]
        z = (np.asarray(y, float) - out[0]) * np.exp(-out[1])
        return np.mean(0.5 * z**2 + out[1] + 0.5 * np.log(2 * np.pi))

    p64 = {k: np.asarray(v, float) for k, v in params.items()}
    h = 1e-4
    for name in ("w1", "b2"):
        for index in np.ndindex(p64[name].shape):
            up = {k: v.copy() for k, v in p64.items()}
            down = {k: v.copy() for k, v in p64.items()}
            up[name][index] += h
            down[name][index] -= h
            numeric = (nll64(up) - nll64(down)) / (2 * h)
            assert abs(float(grads[name][index]) - numeric) < 1e-4, (name, index)


# --- the inputs' mean square (the curvature's expectation, chapter 4) ----------------


def test_mean_square_of_uniform_inputs_is_400_over_3():
    # E[x^2] = 400/3 for x ~ U[0, 20]; Var[x^2] = E[x^4] - E[x^2]^2 = 32000 - (400/3)^2.
    # The sample mean of N draws is within 4 standard errors (a seeded draw; a 4-SE
    # bound would fail for fewer than 1 in 10^4 seeds).
    n = 200_000
    X, _ = regression.sample_batch(jax.random.key(4), target_f1, n)
    se = np.sqrt((32000 - (400 / 3) ** 2) / n)
    assert abs(float(jnp.mean(X**2)) - 400 / 3) < 4 * se


def test_fisher_information_of_mean_and_log_std_is_diag_inverse_var_and_two():
    # The Hessian of the per-sample NLL in (mu, s), averaged over y ~ N(mu, e^{2s}):
    # entries e^{-2s} (constant in y), (y - mu) 2 e^{-2s} (mean 0, var 4 e^{-2s}) and
    # 2 (y - mu)^2 e^{-2s} (mean 2, var 8). Each sample mean within 4 standard errors.
    mean, log_std, n = 1.5, -0.7, 100_000
    y = mean + jnp.exp(log_std) * jax.random.normal(jax.random.key(11), (n,))
    hessian = jax.jit(  # one compile, not one per operation of the vmapped Hessian
        jax.vmap(jax.hessian(lambda ms, yi: nn.gaussian_nll(yi, ms[0], ms[1])), (None, 0))
    )
    average = np.asarray(jnp.mean(hessian(jnp.array([mean, log_std]), y), axis=0), np.float64)
    inv_var = np.exp(-2 * log_std)
    assert average[0, 0] == pytest.approx(inv_var, rel=1e-5)
    assert abs(average[0, 1]) < 4 * np.sqrt(4 * inv_var / n)
    assert abs(average[1, 1] - 2.0) < 4 * np.sqrt(8 / n)


# --- the recipe's quality, determinism, the naive failure ----------------------------


@pytest.fixture(scope="module")
def fitted():
    return {
        name: nn.fit_heteroscedastic(jax.random.key(0), target)
        for name, (target, _, _) in TRUTH.items()
    }


@pytest.mark.parametrize("name", ["f1", "f2", "f3"])
def test_heteroscedastic_recipe_quality(fitted, name):
    # The quality bounds: mean within 0.3 average noise std (RMS), std within 20%
    # on average. One seed; over seeds 0-4 the worst errors were 0.16 and 0.06.
    mean_err, std_err = errors(fitted[name][0], name)
    assert mean_err < 0.3
    assert std_err < 0.2


def test_fit_is_deterministic(fitted):
    fit, losses = nn.fit_heteroscedastic(jax.random.key(0), target_f1)
    np.testing.assert_array_equal(losses, fitted["f1"].losses)
    for name in ("w1", "b1", "w2", "b2"):
        np.testing.assert_array_equal(fit.params[name], fitted["f1"].fit.params[name])


def test_naive_setup_fails_to_learn_the_mean():
    # Raw inputs on [0, 20], plain gradient descent, weights ~ N(0, 1): the mean
    # stays several noise stds from the truth while the std absorbs the residuals.
    params, _ = nn.fit_heteroscedastic(
        jax.random.key(0),
        target_f2,
        standardise_x=False,
        standardise_y=False,
        optimizer="sgd",
        weight_std=1.0,
        lr=1e-4,
    )
    mean_err, std_err = errors(params, "f2")
    assert mean_err > 2.0
    assert std_err > 1.0


# --- bad inputs ------------------------------------------------------------------------


def test_bad_inputs_raise():
    params, _ = nn.fit_mean_network(jax.random.key(8), target_f1, steps=2)
    with pytest.raises(ValueError, match=r"X must have shape \(1, n\)"):
        nn.predict_mean_network(params, jnp.ones(5))
    with pytest.raises(ValueError, match=r"X must have shape \(1, n\)"):
        nn.predict_mean_network(params, jnp.ones((2, 5)))
    with pytest.raises(ValueError, match="must be a network with 2 output"):
        nn.predict_heteroscedastic(params, jnp.ones((1, 5)))
    with pytest.raises(ValueError, match="std must be finite and > 0"):
        nn.mean_network_nll(params.params, jnp.ones((1, 3)), jnp.ones(3), std=0.0)
    with pytest.raises(ValueError, match="lr must be finite and > 0"):
        nn.fit_heteroscedastic(jax.random.key(9), target_f1, lr=0.0)
    with pytest.raises(ValueError, match="steps must be an integer >= 1"):
        nn.fit_heteroscedastic(jax.random.key(9), target_f1, steps=0)
    with pytest.raises(ValueError, match="optimizer must be one of"):
        nn.fit_heteroscedastic(jax.random.key(9), target_f1, optimizer="rmsprop")
    with pytest.raises(TypeError, match="standardise_x must be True or False"):
        nn.fit_heteroscedastic(jax.random.key(9), target_f1, standardise_x="False")
    with pytest.raises(TypeError, match="standardise_y must be True or False"):
        nn.fit_mean_network(jax.random.key(9), target_f1, standardise_y=1)
    with pytest.raises(TypeError, match=r"target must be a regression\.Target"):
        nn.fit_heteroscedastic(jax.random.key(9), lambda key, x: x[0])
    with pytest.raises(ValueError, match="must be a network with 2 output"):
        nn.heteroscedastic_nll(params.params, jnp.ones((1, 3)), jnp.ones(3))


def test_a_diverging_fit_raises_naming_the_step():
    # Raw inputs up to 20 and lr = 10: the first steps overshoot and the loss overflows.
    with pytest.raises(FloatingPointError, match=r"step \d+ of 50 .*smaller learning rate"):
        nn.fit_heteroscedastic(
            jax.random.key(0),
            target_f1,
            standardise_x=False,
            standardise_y=False,
            optimizer="sgd",
            lr=10.0,
            steps=50,
        )


# --- the trainer: init and step ------------------------------------------------------------


def test_python_loop_of_step_runs_the_same_math_as_the_scan(fitted):
    # The benchmark's loop and the compiled scan run the same `step` on the same
    # keys; their losses differ only by float32 rounding of differently fused
    # operations, a few eps times O(1) values per step over 5 steps: 1e-5.
    train = nn.trainer(target_f1)
    state = train.init(jax.random.key(0))
    losses = []
    for key in nn.train_keys(jax.random.key(0), 3000)[:5]:
        state, loss = train.step(key, state)
        losses.append(loss)
    np.testing.assert_allclose(np.array(losses), fitted["f1"].losses[:5], rtol=0, atol=1e-5)


def test_the_trainer_run_to_the_end_is_the_fit():
    # A whole run of `step` under a Python loop against the fit's compiled scan:
    # the same math on the same keys, apart from float32 rounding of differently
    # fused operations; over 30 steps of plain gradient descent it stays below 1e-4.
    options = dict(outputs=1, hidden=4, steps=30, batch_size=32, lr=1e-3, optimizer="sgd")
    train = nn.trainer(target_f2, **options)
    key = jax.random.key(9)
    state = train.init(key)
    losses = []
    for key_step in nn.train_keys(key, options["steps"]):
        state, loss = train.step(key_step, state)
        losses.append(loss)
    options.pop("outputs")
    fit, fit_losses = nn.fit_mean_network(key, target_f2, **options)
    np.testing.assert_allclose(np.array(losses), fit_losses, rtol=0, atol=1e-4)
    for name in ("w1", "b1", "w2", "b2"):
        np.testing.assert_allclose(state.params[name], fit.params[name], rtol=0, atol=1e-4)


def test_the_trainer_state_holds_only_arrays_and_the_step_takes_the_key_first():
    train = nn.trainer(target_f1, hidden=3, steps=4, batch_size=8)
    assert isinstance(train, tuple) and train._fields == ("init", "step")
    state = train.init(jax.random.key(1))
    assert isinstance(state, nn.TrainerState)
    leaves = jax.tree_util.tree_leaves(state)
    assert leaves and all(isinstance(leaf, jax.Array) for leaf in leaves)
    new_state, loss = train.step(jax.random.key(2), state)
    assert np.shape(loss) == ()
    assert jax.tree_util.tree_structure(new_state) == jax.tree_util.tree_structure(state)
    with pytest.raises(TypeError, match=r"key must come first: trainer\.step\(key, state\)"):
        train.step(state, jax.random.key(2))  # the old order: the state first
    with pytest.raises(TypeError, match="state must be a TrainerState"):
        train.step(jax.random.key(2), {"params": state.params})
    with pytest.raises(TypeError, match="key must be a JAX random key"):
        train.step(0, state)
    with pytest.raises(TypeError, match="key must be a JAX random key"):
        train.init(0)


def test_the_docstrings_write_the_log_std_as_omega():
    """The notation table (book/intro.md) writes a network's log std as omega, its hidden
    width as M; s is the sample standard deviation, h a finite-difference step."""
    import re

    docs = [nn.__doc__] + [getattr(nn, name).__doc__ or "" for name in nn.__all__]
    for doc in docs:
        assert not re.search(r"e\^\{?-?2? ?s\b|\bs_i\b|\bs\(x|G_s\b|\(\\mu, s\)", doc), doc
        assert "\\text{hidden}" not in doc, doc


def test_the_option_list_and_its_defaults_exist_once():
    import inspect

    fit_parameters = [
        list(inspect.signature(f).parameters) for f in (nn.fit_mean_network, nn.fit_heteroscedastic)
    ]
    assert fit_parameters == [["key", "target", "options"]] * 2
    source = inspect.getsource(nn)
    assert source.count("batch_size=256") == 1  # a default, written once (in `trainer`)
    assert source.count("standardise_y=True") == 1


def test_fit_mean_network_takes_the_defaults_of_the_trainer():
    # The same key and options through the trainer and through the fit: the same initial network.
    options = dict(steps=1, batch_size=4)
    fit, _ = nn.fit_mean_network(jax.random.key(2), target_f1, **options)
    state = nn.trainer(target_f1, outputs=1, **options).init(jax.random.key(2))
    assert fit.params["w1"].shape == state.params["w1"].shape == (16, 1)


def test_named_results_unpack_as_tuples(fitted):
    result = fitted["f2"]
    fit, losses = result
    assert isinstance(result, nn.FitResult) and result.fit is fit and result.losses is losses
    params, scaling = fit
    assert params is fit.params and scaling is fit.scaling
    mean, std = prediction = nn.predict_heteroscedastic(fit, GRID)
    assert prediction.mean is mean and prediction.std is std
    mean_error, std_error = errors_ = nn.heteroscedastic_errors(fit, target_f2, GRID)
    assert errors_.mean_error is mean_error and isinstance(std_error, jax.Array)
    g_mean, g_log_std = gn = nn.gauss_newton(fit, GRID[:, :5])
    assert gn.mean is g_mean and gn.log_std is g_log_std


def test_bad_options_are_refused_when_the_trainer_is_made():
    with pytest.raises(ValueError, match="outputs must be 1 or 2, got 3"):
        nn.trainer(target_f1, outputs=3)
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1, got 0"):
        nn.trainer(target_f1, batch_size=0)
    with pytest.raises(TypeError, match=r"target must be a regression\.Target"):
        nn.trainer("f1")
    with pytest.raises(TypeError, match="outputs is set by the fit"):
        nn.fit_mean_network(jax.random.key(0), target_f1, outputs=2)


@pytest.mark.parametrize("standardise_x", [True, False])
@pytest.mark.parametrize("standardise_y", [True, False])
def test_the_inputs_and_the_outputs_are_standardised_separately(standardise_x, standardise_y):
    # Each flag sets its own constants; y's are the mean and std of the pilot batch
    # (the first 10 000 draws of the scaling key), the same whatever standardise_x.
    key = jax.random.key(4)
    scaling = (
        nn.trainer(target_f3, standardise_x=standardise_x, standardise_y=standardise_y)
        .init(key)
        .scaling
    )
    x_expected = (nn.X_CENTER, nn.X_SCALE) if standardise_x else (0.0, 1.0)
    np.testing.assert_allclose((scaling["x_center"], scaling["x_scale"]), x_expected)
    _, y = regression.sample_batch(jax.random.split(key, 3)[0], target_f3, 10_000)
    y64 = np.asarray(y, dtype=np.float64)
    y_expected = (y64.mean(), y64.std()) if standardise_y else (0.0, 1.0)
    np.testing.assert_allclose(
        (scaling["y_center"], scaling["y_scale"]), y_expected, rtol=1e-4, atol=1e-4
    )


def test_init_gives_the_initial_network_of_the_fit():
    # A fit of 1 step from init's state: the first loss is the loss of init's network
    # on the first step's batch, computed here from the public pieces.
    options = dict(
        standardise_x=False, standardise_y=False, optimizer="sgd", weight_std=1.0, lr=1e-4, steps=1
    )
    state = nn.trainer(target_f2, **options).init(jax.random.key(3))
    _, losses = nn.fit_heteroscedastic(jax.random.key(3), target_f2, **options)
    (key,) = nn.train_keys(jax.random.key(3), 1)
    X, y = regression.sample_batch(key, target_f2, 256)  # the default batch_size
    expected = nn.heteroscedastic_nll(state.params, X, y)
    np.testing.assert_allclose(losses[0], expected, rtol=1e-5)


def test_init_mlp_draws_each_weight_from_its_own_key():
    # With one key for every matrix, w1[:, 0], b1, w2[0] and b2 would repeat the same draws.
    params = nn.init_mlp(jax.random.key(0), hidden=8, outputs=8, weight_std=1.0)
    draws = [params["w1"][:, 0], params["b1"], params["w2"][0], params["b2"]]
    for i in range(4):
        for j in range(i + 1, 4):
            assert not np.allclose(draws[i], draws[j]), (i, j)


def test_input_scaling_constants_are_the_mean_and_std_of_the_inputs():
    # x ~ U[0, 20]: mean 10 and std 20 / sqrt(12) = 5.7735. Against a sample of
    # 200 000 inputs: the mean's standard error is 5.77 / sqrt(n) = 0.013 and the
    # std's about 5.77 / sqrt(2 n) * sqrt(0.8) (uniform kurtosis) = 0.008; 5 SE.
    n = 200_000
    X, _ = regression.sample_batch(jax.random.key(12), target_f1, n)
    x = np.asarray(X[0], dtype=np.float64)
    assert abs(nn.X_CENTER - x.mean()) < 5 * x.std() / np.sqrt(n)
    assert abs(nn.X_SCALE - x.std()) < 5 * 0.008
    scaling = nn.trainer(target_f1).init(jax.random.key(0)).scaling
    assert scaling["x_center"] == np.float32(nn.X_CENTER)
    assert scaling["x_scale"] == np.float32(nn.X_SCALE)


def test_heteroscedastic_errors_names_the_inputs_without_noise(fitted):
    X = jnp.array([[0.0, 1.0, 0.0]])  # f2's noise std vanishes at x = 0
    with pytest.raises(ValueError, match=r"X must avoid .* got 2 such input\(s\): .*0\."):
        nn.heteroscedastic_errors(fitted["f2"][0], target_f2, X)


def test_heteroscedastic_errors_against_an_independent_computation(fitted):
    mean, std = nn.predict_heteroscedastic(fitted["f3"][0], GRID)
    _, true_mean, true_std = TRUTH["f3"]
    got = nn.heteroscedastic_errors(fitted["f3"][0], target_f3, GRID)
    mean64, std64 = np.asarray(mean, float), np.asarray(std, float)
    tm, ts = np.asarray(true_mean, float), np.asarray(true_std, float)
    ref = (np.sqrt(np.mean((mean64 - tm) ** 2)) / ts.mean(), np.mean(np.abs(std64 - ts) / ts))
    np.testing.assert_allclose(got, ref, rtol=1e-4)


def test_saturated_share_counts_units_with_small_derivative():
    # w1 = 1, b1 = 0: tanh'(x) < 0.01 exactly when |x| > atanh(sqrt(0.99)) = 2.9932.
    params = {
        "w1": jnp.ones((1, 1)),
        "b1": jnp.zeros(1),
        "w2": jnp.ones((1, 1)),
        "b2": jnp.zeros(1),
    }
    x = jnp.array([[-4.0, -2.9, 0.0, 2.9, 3.1]])
    assert float(nn.saturated_share(params, x)) == pytest.approx(40.0)


# --- bad input (issue 30) ---------------------------------------------------------------


def test_gaussian_nll_is_the_mean_of_scipy_log_densities():
    y, mean, log_std = np.array([2.1, 3.9, 6.2]), np.array([2.0, 4.5, 5.0]), np.log([0.5, 1, 2])
    expected = -np.mean(scipy.stats.norm.logpdf(y, mean, np.exp(log_std)))
    np.testing.assert_allclose(float(nn.gaussian_nll(y, mean, log_std)), expected, rtol=1e-6)


@pytest.mark.parametrize(
    ("y", "mean", "message"),
    [
        (np.zeros(3), np.zeros((3, 1)), "broadcast to the shape of y"),
        (np.zeros((1, 3)), np.zeros(3), r"y must have shape \(n,\)"),
        (np.zeros(0), 0.0, "y must not be empty"),
    ],
)
def test_gaussian_nll_refuses_shapes_that_change_the_average(y, mean, message):
    with pytest.raises(ValueError, match=message):
        nn.gaussian_nll(y, mean, 0.0)


@pytest.mark.parametrize(
    ("scaling", "error"),
    [
        ({"x_center": 0.0, "x_scale": 0.0, "y_center": 0.0, "y_scale": 1.0}, ValueError),
        ({"x_center": 0.0, "x_scale": -1.0, "y_center": 0.0, "y_scale": 1.0}, ValueError),
        ({"x_center": 0.0, "x_scale": 1.0, "y_center": 0.0, "y_scale": np.nan}, ValueError),
        ({"x_center": 0.0, "x_scale": 1.0, "y_center": 0.0}, TypeError),
    ],
)
def test_a_fit_with_bad_scaling_constants_is_refused(scaling, error):
    fit = nn.Fit(nn.init_mlp(jax.random.key(0), hidden=3, outputs=2), scaling)
    with pytest.raises(error, match=r"fit\.scaling"):
        nn.predict_heteroscedastic(fit, GRID)


# --- the units, keys and rate of a fit -----------------------------------------------------


def test_rescaling_y_leaves_the_mean_network_fit_unchanged():
    """The fixed std is converted to the scaled units the network sees (std / y_scale).

    Target and std both times 10: the standardised data are the same, so the
    losses (in the scaled units) are the same and the predictions are 10 times
    as large. Plain gradient descent, so the loss's scale moves the weights; the
    two runs differ only by float32 rounding of the scaling (a few eps), 1e-4.
    """
    options = dict(std=10.0, hidden=4, steps=20, batch_size=64, lr=0.01, optimizer="sgd")
    scaled_target = target_f1._replace(slope=20.0, noise=3.0)
    params, losses = nn.fit_mean_network(jax.random.key(5), target_f1, **options)
    params10, losses10 = nn.fit_mean_network(
        jax.random.key(5), scaled_target, **{**options, "std": 100.0}
    )
    np.testing.assert_allclose(losses10, losses, rtol=1e-4, atol=1e-4)
    X = GRID[:, ::20]
    np.testing.assert_allclose(
        nn.predict_mean_network(params10, X),
        10 * nn.predict_mean_network(params, X),
        rtol=1e-4,
    )


def test_the_mean_network_loss_uses_the_std_in_the_scaled_units():
    """The first loss of a fit is `mean_network_nll` of init's network on the scaled
    first batch with std / y_scale (float32 rounding of O(1) values: 1e-5)."""
    options = dict(outputs=1, std=0.3, hidden=4, steps=1, batch_size=64)
    state = nn.trainer(target_f2, **options).init(jax.random.key(6))
    options.pop("outputs")
    _, losses = nn.fit_mean_network(jax.random.key(6), target_f2, **options)
    (key,) = nn.train_keys(jax.random.key(6), 1)
    X, y = regression.sample_batch(key, target_f2, 64)
    s = state.scaling
    expected = nn.mean_network_nll(
        state.params,
        (X - s["x_center"]) / s["x_scale"],
        (y - s["y_center"]) / s["y_scale"],
        std=0.3 / s["y_scale"],
    )
    np.testing.assert_allclose(losses[0], expected, rtol=1e-5)


def test_the_training_keys_are_independent_of_the_initialisation_key():
    """No step key is the key init draws the weights from, nor one of its splits.

    The initialisation key is the one whose `init_mlp` gives init's network
    (checked); a step key derived from it would draw batches correlated with the
    weights.
    """
    key = jax.random.key(7)
    state = nn.trainer(target_f1, hidden=4).init(key)
    init_key = next(
        k
        for k in jax.random.split(key, 3)
        if _same_tree(nn.init_mlp(k, hidden=4, outputs=2), state.params)
    )
    steps = 8
    derived = [init_key, *jax.random.split(init_key, 4), *jax.random.split(init_key, steps)]
    derived_data = {tuple(np.asarray(jax.random.key_data(k)).tolist()) for k in derived}
    for k in nn.train_keys(key, steps):
        assert tuple(np.asarray(jax.random.key_data(k)).tolist()) not in derived_data


def _same_tree(a, b):
    """True if the two networks have the same weights, bit for bit."""
    return all(np.array_equal(a[name], b[name]) for name in ("w1", "b1", "w2", "b2"))


def test_adams_rate_decays_by_the_cosine_schedule_to_its_final_value():
    """Adam's step t moves the weights by lr_t times a constant-rate Adam's update,
    lr_t = lr (f + (1 - f) (1 + cos(pi t / T)) / 2), f = `COSINE_FINAL`, down to about
    f lr at the last step.

    The constant-rate reference (optax.adam(1.0)) is fed the gradients of the
    fit's own loss along its trajectory; lr_t is the least-squares ratio of the
    two updates (float32 rounding of O(1) updates: 1e-3 relative).
    """
    steps, lr = 10, 0.01
    train = nn.trainer(target_f3, hidden=4, steps=steps, batch_size=64, lr=lr)
    state = train.init(jax.random.key(8))
    reference = optax.adam(1.0)
    ref_state = reference.init(state.params)
    s = state.scaling
    rates = []
    for key in nn.train_keys(jax.random.key(8), steps):
        X, y = regression.sample_batch(key, target_f3, 64)
        X, y = (X - s["x_center"]) / s["x_scale"], (y - s["y_center"]) / s["y_scale"]
        grads = jax.grad(nn.heteroscedastic_nll)(state.params, X, y)
        unit, ref_state = reference.update(grads, ref_state, state.params)
        new_state, _ = train.step(key, state)
        moved = jax.tree_util.tree_map(lambda a, b: a - b, new_state.params, state.params)
        u = np.concatenate([np.ravel(v) for v in jax.tree_util.tree_leaves(unit)])
        m = np.concatenate([np.ravel(v) for v in jax.tree_util.tree_leaves(moved)])
        rates.append(float(np.dot(m, u) / np.dot(u, u)))
        state = new_state
    t = np.arange(steps)
    f = nn.COSINE_FINAL
    expected = lr * (f + (1 - f) * (1 + np.cos(np.pi * t / steps)) / 2)
    np.testing.assert_allclose(rates, expected, rtol=1e-3)


# --- the beta-NLL ------------------------------------------------------------------------


def _beta_nll_reference(y, mean, log_std, gamma):
    """The beta-NLL's value in float64: mean of std^(2 gamma) times scipy's -log N(y; mean, std)."""
    std = np.exp(log_std)
    return np.mean(std ** (2 * gamma) * -scipy.stats.norm.logpdf(y, mean, std))


@pytest.mark.parametrize("gamma", [0.0, 0.25, 0.5, 1.0])
def test_beta_nll_is_the_variance_weighted_mean_of_scipy_log_densities(gamma):
    rng = np.random.default_rng(11)
    y, mean, log_std = rng.normal(size=6), rng.normal(size=6), rng.normal(scale=0.5, size=6)
    got = float(nn.gaussian_nll(y, mean, log_std, beta_nll=gamma))
    np.testing.assert_allclose(got, _beta_nll_reference(y, mean, log_std, gamma), rtol=1e-5)


@pytest.mark.parametrize("gamma", [0.0, 0.5, 1.0])
def test_beta_nll_gradient_is_the_closed_form_with_the_weight_held_constant(gamma):
    # d/d mu = -std^(2 gamma) (y - mu) / std^2 and d/ds = std^(2 gamma) (1 - (y - mu)^2 / std^2),
    # each divided by n for the batch mean (nn-beta-nll-grad).
    rng = np.random.default_rng(12)
    y, mean, log_std = (jnp.asarray(rng.normal(size=5), jnp.float32) for _ in range(3))
    grad_mean, grad_log_std = jax.grad(
        lambda m, s: nn.gaussian_nll(y, m, s, beta_nll=gamma), argnums=(0, 1)
    )(mean, log_std)
    y64, m64, s64 = (np.asarray(a, np.float64) for a in (y, mean, log_std))
    var, weight, n = np.exp(2 * s64), np.exp(2 * gamma * s64), len(y64)
    np.testing.assert_allclose(grad_mean, -weight * (y64 - m64) / var / n, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(
        grad_log_std, weight * (1 - (y64 - m64) ** 2 / var) / n, rtol=1e-4, atol=1e-6
    )


def test_beta_nll_at_zero_is_the_nll_and_its_gradient():
    rng = np.random.default_rng(13)
    y, mean, log_std = (jnp.asarray(rng.normal(size=8), jnp.float32) for _ in range(3))
    np.testing.assert_array_equal(
        nn.gaussian_nll(y, mean, log_std, beta_nll=0.0), nn.gaussian_nll(y, mean, log_std)
    )
    params = nn.init_mlp(jax.random.key(14), hidden=4, outputs=2)
    X = jnp.asarray(rng.normal(size=(1, 8)), jnp.float32)
    plain = jax.grad(nn.heteroscedastic_nll)(params, X, y)
    weighted = jax.grad(lambda p: nn.heteroscedastic_nll(p, X, y, beta_nll=0.0))(params)
    for name in plain:
        np.testing.assert_array_equal(plain[name], weighted[name])


def test_the_beta_nll_fit_is_the_default_fit_at_zero_and_differs_otherwise():
    options = dict(steps=20, batch_size=16, hidden=4)
    _, default = nn.fit_heteroscedastic(jax.random.key(15), target_f2, **options)
    _, at_zero = nn.fit_heteroscedastic(jax.random.key(15), target_f2, beta_nll=0.0, **options)
    _, half = nn.fit_heteroscedastic(jax.random.key(15), target_f2, beta_nll=0.5, **options)
    np.testing.assert_array_equal(default, at_zero)
    assert not np.allclose(default[1:], half[1:])


def test_a_seeded_beta_nll_fit_with_exponent_one_half_learns_both_outputs():
    # The recipe with gamma = 0.5 on f2 recovers the mean and the std; over keys 0-4
    # the worst errors were well inside the recipe's bounds (0.3 and 0.2).
    params, _ = nn.fit_heteroscedastic(jax.random.key(0), target_f2, beta_nll=0.5)
    mean_err, std_err = errors(params, "f2")
    assert mean_err < 0.3
    assert std_err < 0.2


@pytest.mark.parametrize("bad", [-0.1, 1.5, float("nan"), float("inf")])
def test_beta_nll_outside_the_unit_interval_is_refused(bad):
    with pytest.raises(ValueError, match="beta_nll"):
        nn.fit_heteroscedastic(jax.random.key(0), target_f1, beta_nll=bad)
    with pytest.raises(ValueError, match="beta_nll"):
        nn.gaussian_nll(jnp.zeros(2), 0.0, 0.0, beta_nll=bad)


def test_beta_nll_needs_two_outputs():
    with pytest.raises(ValueError, match="beta_nll needs two outputs"):
        nn.trainer(target_f1, outputs=1, beta_nll=0.5)


# --- the Gauss-Newton matrix in the weights -----------------------------------------------


def _small_fit(seed):
    """A fitted-like heteroscedastic network with 3 hidden units (14 weights) and its scaling."""
    layers = nn.init_mlp(jax.random.key(seed), hidden=3, outputs=2)
    scaling = {"x_center": 10.0, "x_scale": 5.0, "y_center": 1.0, "y_scale": 2.0}
    return nn.Fit(layers, scaling)


def _numpy_outputs(theta, shapes, U):
    """The network's (mu, s) in float64 from weights flattened in ravel_pytree's (sorted) order."""
    layers, start = {}, 0
    for name, shape in shapes:
        size = int(np.prod(shape))
        layers[name] = theta[start : start + size].reshape(shape)
        start += size
    hidden = np.tanh(layers["w1"] @ U + layers["b1"][:, None])
    return layers["w2"] @ hidden + layers["b2"][:, None]


def test_gauss_newton_matches_a_finite_difference_jacobian_in_float64():
    params = _small_fit(20)
    X = jnp.linspace(1.0, 20.0, 7)[None, :]
    g_mean, g_log_std = nn.gauss_newton(params, X)
    flat, _ = jax.flatten_util.ravel_pytree(params.params)
    theta = np.asarray(flat, np.float64)
    shapes = [(name, np.shape(v)) for name, v in sorted(params.params.items())]
    U = (np.asarray(X, np.float64) - 10.0) / 5.0
    h = 1e-6
    jac = np.stack(
        [
            (_numpy_outputs(theta + h * e, shapes, U) - _numpy_outputs(theta - h * e, shapes, U))
            / (2 * h)
            for e in np.eye(len(theta))
        ],
        axis=-1,
    )  # (2, n, P)
    out, n = _numpy_outputs(theta, shapes, U), U.shape[1]
    expected_mean = np.einsum("i,ip,iq->pq", np.exp(-2 * out[1]), jac[0], jac[0]) / n
    expected_log_std = 2 * np.einsum("ip,iq->pq", jac[1], jac[1]) / n
    for got, expected in ((g_mean, expected_mean), (g_log_std, expected_log_std)):
        assert got.shape == (len(theta), len(theta))
        np.testing.assert_allclose(got, expected, atol=1e-5 * np.abs(expected).max())


def test_gauss_newton_is_the_mean_outer_product_of_the_scores():
    # The Fisher information in the weights: E[g g^T] for the gradient g of one sample's
    # NLL, y drawn from the network's own prediction, averaged over 3 inputs.
    params = _small_fit(21)
    X = jnp.array([[2.0, 9.0, 17.0]])
    g_mean, g_log_std = nn.gauss_newton(params, X)
    G = np.asarray(g_mean + g_log_std, np.float64)
    U = (X - 10.0) / 5.0
    flat, unravel = jax.flatten_util.ravel_pytree(params.params)
    out = nn.mlp(params.params, U)
    draws = 20_000
    Y = out[0] + jnp.exp(out[1]) * jax.random.normal(jax.random.key(22), (draws, 3))

    def nll_one(theta, u, y):
        mean, log_std = nn.mlp(unravel(theta), u.reshape(1, 1))
        return nn.gaussian_nll(y.reshape(1), mean, log_std)

    per_input = jax.vmap(jax.grad(nll_one), in_axes=(None, 0, 0))
    scores = np.asarray(jax.vmap(per_input, in_axes=(None, None, 0))(flat, U[0], Y), np.float64)
    outer = np.einsum("dip,diq->dpq", scores, scores) / 3  # (draws, P, P)
    estimate, se = outer.mean(axis=0), outer.std(axis=0) / np.sqrt(draws)
    assert np.all(np.abs(estimate - G) <= 5 * se + 1e-5 * np.abs(G).max())


# --- the mixture's PIT ------------------------------------------------------------------


def test_mixture_pit_is_the_mean_of_scipy_normal_cdfs():
    rng = np.random.default_rng(17)
    y = rng.normal(size=6)
    means, stds = rng.normal(size=(3, 6)), np.exp(rng.normal(size=(3, 6)))
    expected = scipy.stats.norm.cdf(y, means, stds).mean(axis=0)
    np.testing.assert_allclose(nn.mixture_pit(y, means=means, stds=stds), expected, atol=1e-6)


def test_mixture_pit_of_draws_from_the_mixture_is_uniform():
    # Draws from an equal mixture of two Gaussians: their PIT values fall below each level
    # with that probability (binomial standard error, 5 of them).
    key_member, key_noise = jax.random.split(jax.random.key(18))
    n = 40_000
    member = jax.random.bernoulli(key_member, 0.5, (n,)).astype(int)
    means, stds = jnp.array([-1.0, 2.0]), jnp.array([0.5, 1.5])
    y = means[member] + stds[member] * jax.random.normal(key_noise, (n,))
    pit = nn.mixture_pit(
        y,
        means=jnp.broadcast_to(means[:, None], (2, n)),
        stds=jnp.broadcast_to(stds[:, None], (2, n)),
    )
    for level in (0.1, 0.3, 0.5, 0.7, 0.9):
        share = float(jnp.mean(pit < level))
        assert abs(share - level) < 5 * np.sqrt(level * (1 - level) / n)


def test_mixture_pit_refuses_mismatched_shapes():
    with pytest.raises(ValueError, match="means and stds"):
        nn.mixture_pit(jnp.zeros(3), means=jnp.zeros((2, 3)), stds=jnp.ones((2, 4)))
    with pytest.raises(ValueError, match="stds"):
        nn.mixture_pit(jnp.zeros(3), means=jnp.zeros((2, 3)), stds=-jnp.ones((2, 3)))
