"""Tests of gaussml.nn: shapes, gradients, the learning-rate bound, the recipe's quality."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from gaussml import nn, regression
from gaussml.regression import target_f1, target_f2, target_f3

EPS32 = float(np.finfo(np.float32).eps)  # 1.19e-7, the spacing of float32 numbers near 1

# The quality grid of the issue: x in [1, 20]; the true means and noise stds of the targets.
GRID = jnp.linspace(1.0, 20.0, 200)[None, :]
TRUTH = {
    "f1": (target_f1, 2.0 * GRID[0], jnp.full(200, 0.3)),
    "f2": (target_f2, 2.0 * GRID[0], 0.3 * GRID[0]),
    "f3": (target_f3, 2.0 * GRID[0] + 5.0 * jnp.sin(GRID[0] / 2.0), 0.3 * GRID[0]),
}


def errors(params, name):
    """(RMS mean error / average true std, mean relative std error) on the grid."""
    _, true_mean, true_std = TRUTH[name]
    mean, std = nn.predict_heteroscedastic(params, GRID)
    mean_err = float(jnp.sqrt(jnp.mean((mean - true_mean) ** 2)) / jnp.mean(true_std))
    std_err = float(jnp.mean(jnp.abs(std - true_std) / true_std))
    return mean_err, std_err


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
    betas, lin_losses = nn.fit_linear_gd(
        jax.random.key(1), target_f1, beta_init=-100.0, lr=1e-3, steps=30
    )
    assert betas.shape == (31,)
    assert lin_losses.shape == (30,)


# --- gradients ------------------------------------------------------------------------


def test_autodiff_matches_hand_gradient_of_linear_nll():
    # The hand formula (X X^T beta - X y) / (n std^2) is a sum of n products. In
    # float32 each side carries a rounding error of at most a few eps per level
    # of XLA's pairwise summation (log2(100) ~ 7 levels), relative to the sum of
    # the terms' magnitudes S, not to the (possibly cancelling) result. So the
    # bound is on the absolute difference: |AD - hand| <= 16 eps S, with S from
    # absolute values. (A signed check "AD - hand < tol" would pass for any
    # AD gradient far below the hand one: it is no check.)
    for i, target in enumerate((target_f1, target_f2, target_f3, target_f1, target_f3)):
        key_batch, key_beta, key_std = jax.random.split(jax.random.key(100 + i), 3)
        X, y = regression.sample_batch(key_batch, target, 100)
        beta = 10.0 * jax.random.normal(key_beta, (1,))
        std = float(jax.random.uniform(key_std, minval=0.1, maxval=3.0))
        auto = jax.grad(regression.linear_nll)(beta, X, y, std=std)
        hand = regression.linear_nll_grad(beta, X, y, std=std)
        scale = (jnp.abs(X) @ jnp.abs(X.T @ beta) + jnp.abs(X) @ jnp.abs(y)) / (100 * std**2)
        assert np.all(np.abs(auto - hand) <= 16 * EPS32 * scale), (i, auto, hand)


def test_gradient_of_gaussian_nll_matches_hand_formula():
    # d/d mean_i = -(y_i - mean_i) / (n std_i^2), d/d log_std_i = (1 - z_i^2) / n.
    # All terms are O(1) here, so float32 rounding is a few eps; 1e-6 leaves margin.
    key_y, key_mean, key_s = jax.random.split(jax.random.key(2), 3)
    y = jax.random.normal(key_y, (50,))
    mean = jax.random.normal(key_mean, (50,))
    log_std = 0.5 * jax.random.normal(key_s, (50,))
    g_mean, g_log_std = jax.grad(nn.gaussian_nll, argnums=(1, 2))(y, mean, log_std)
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


# --- the curvature and the learning-rate bound -----------------------------------------


def test_mean_square_of_uniform_inputs_is_400_over_3():
    # E[x^2] = 400/3 for x ~ U[0, 20]; Var[x^2] = E[x^4] - E[x^2]^2 = 32000 - (400/3)^2.
    # The sample mean of N draws is within 4 standard errors (a seeded draw; a 4-SE
    # bound would fail for fewer than 1 in 10^4 seeds).
    n = 200_000
    X, _ = regression.sample_batch(jax.random.key(4), target_f1, n)
    se = np.sqrt((32000 - (400 / 3) ** 2) / n)
    assert abs(float(jnp.mean(X**2)) - 400 / 3) < 4 * se


def test_learning_rate_bound_on_a_fixed_batch():
    # On one fixed batch the NLL is quadratic with curvature c = sum x^2 / (n std^2):
    # the error shrinks by |1 - lr c| per step, so 0.98 * 2/c converges and 1.02 * 2/c
    # diverges. 300 steps: 0.96^300 ~ 5e-6 and 1.04^300 ~ 1e5, far from each other.
    X, y = regression.sample_batch(jax.random.key(5), target_f1, 100)
    std = 1.0
    c = float(nn.linear_curvature(X, std=std)[0, 0])
    beta_hat = float(jnp.linalg.solve(X @ X.T, X @ y)[0])
    start = jnp.array([-100.0])
    below = nn.linear_gd_path(start, X, y, lr=0.98 * 2 / c, steps=300, std=std)
    above = nn.linear_gd_path(start, X, y, lr=1.02 * 2 / c, steps=300, std=std)
    error0 = abs(-100.0 - beta_hat)
    assert abs(float(below[-1, 0]) - beta_hat) < 1e-3 * error0
    assert abs(float(above[-1, 0]) - beta_hat) > 1e3 * error0
    # The per-step contraction factor is 1 - lr c (up to float32 rounding of the error).
    ratio = (below[2, 0] - beta_hat) / (below[1, 0] - beta_hat)
    assert abs(float(ratio) - (1 - 0.98 * 2)) < 1e-3


def test_gradient_descent_from_bad_starts_reaches_two():
    # Fresh batches, lr = 1e-3 well inside the bound 2/c = 0.015 (std = 1): the
    # error shrinks by at least 0.86 per step in expectation, from -1045 to ~0.
    for target in (target_f1, target_f2, target_f3):
        betas, _ = nn.fit_linear_gd(
            jax.random.key(6), target, beta_init=-1045.0, lr=1e-3, steps=200
        )
        assert abs(float(betas[-1]) - 2.0) < 0.2


# --- the recipe's quality, determinism, the naive failure ----------------------------


@pytest.fixture(scope="module")
def fitted():
    return {
        name: nn.fit_heteroscedastic(jax.random.key(0), target)
        for name, (target, _, _) in TRUTH.items()
    }


@pytest.mark.parametrize("name", ["f1", "f2", "f3"])
def test_heteroscedastic_recipe_quality(fitted, name):
    # The bounds: mean within 0.3 average noise std (RMS), std within 20%
    # on average. One seed; over seeds 0-4 the worst errors were 0.16 and 0.06.
    mean_err, std_err = errors(fitted[name][0], name)
    assert mean_err < 0.3
    assert std_err < 0.2


def test_fit_is_deterministic(fitted):
    params, losses = nn.fit_heteroscedastic(jax.random.key(0), target_f1)
    np.testing.assert_array_equal(losses, fitted["f1"][1])
    for name in ("w1", "b1", "w2", "b2"):
        np.testing.assert_array_equal(params["layers"][name], fitted["f1"][0]["layers"][name])


def test_naive_setup_fails_to_learn_the_mean():
    # Raw inputs on [0, 20], plain gradient descent, weights ~ N(0, 1): the mean
    # stays several noise stds from the truth while the std absorbs the residuals.
    params, _ = nn.fit_heteroscedastic(
        jax.random.key(0), target_f2, standardise=False, optimizer="sgd", weight_std=1.0, lr=1e-4
    )
    mean_err, std_err = errors(params, "f2")
    assert mean_err > 2.0
    assert std_err > 1.0


def test_linear_mle_matches_normal_equations():
    X, y = regression.sample_batch(jax.random.key(7), target_f2, 500)
    beta, std = nn.linear_mle(X, y)
    # float32 solve of a 1x1 system: relative error a few eps.
    assert abs(float(beta[0]) - float((X @ y)[0] / (X @ X.T)[0, 0])) < 1e-5 * abs(float(beta[0]))
    assert float(std) > 0


# --- bad inputs ------------------------------------------------------------------------


def test_bad_inputs_raise():
    params, _ = nn.fit_mean_network(jax.random.key(8), target_f1, steps=2)
    with pytest.raises(ValueError, match=r"X must have shape \(1, n\)"):
        nn.predict_heteroscedastic(params, jnp.ones(5))
    with pytest.raises(ValueError, match=r"X must have shape \(1, n\)"):
        nn.predict_mean_network(params, jnp.ones((2, 5)))
    with pytest.raises(ValueError, match="std must be finite and > 0"):
        nn.mean_network_nll(params["layers"], jnp.ones((1, 3)), jnp.ones(3), std=0.0)
    with pytest.raises(ValueError, match="std must be finite and > 0"):
        nn.fit_linear_gd(jax.random.key(9), target_f1, beta_init=0.0, lr=1e-3, std=-1.0)
    with pytest.raises(ValueError, match="lr must be finite and > 0"):
        nn.fit_heteroscedastic(jax.random.key(9), target_f1, lr=0.0)
    with pytest.raises(ValueError, match="steps must be >= 1"):
        nn.fit_heteroscedastic(jax.random.key(9), target_f1, steps=0)
    with pytest.raises(ValueError, match="optimizer must be 'adam' or 'sgd'"):
        nn.fit_heteroscedastic(jax.random.key(9), target_f1, optimizer="rmsprop")
    with pytest.raises(ValueError, match=r"y must have shape \(n,\)"):
        nn.heteroscedastic_nll(params["layers"], jnp.ones((1, 3)), jnp.ones(4))
    with pytest.raises(ValueError, match="std must be finite and > 0"):
        nn.linear_curvature(jnp.ones((1, 3)), std=0.0)


def test_python_loop_runs_the_same_math_as_the_scan(fitted):
    # The benchmark's loop and the compiled scan see the same keys and schedule;
    # their losses differ only by float32 rounding of differently fused
    # operations, a few eps times O(1) values per step over 5 steps: 1e-5.
    _, losses = nn.fit_heteroscedastic_loop(jax.random.key(0), target_f1, run_steps=5)
    np.testing.assert_allclose(losses, fitted["f1"][1][:5], rtol=0, atol=1e-5)
    with pytest.raises(ValueError, match="run_steps must be <= steps"):
        nn.fit_heteroscedastic_loop(jax.random.key(0), target_f1, run_steps=5, steps=4)
