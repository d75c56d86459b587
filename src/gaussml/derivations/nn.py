"""Claims of chapter 4: gradient descent, its learning-rate bound, and the heteroscedastic NLL."""

import sympy as sp
import sympy.stats as st

from ._binding import binds
from ._registry import ClaimFailed, assert_equal, assert_steps, assert_true, claim

__all__ = [
    "beta_nll_gradients",
    "fisher_information_mean_log_std",
    "gauss_newton_is_expected_hessian",
    "gaussian_nll_in_log_std",
    "gradient_descent_contraction",
    "gradient_descent_matrix_contraction",
    "linear_nll_is_quadratic",
    "tanh_saturates",
    "uniform_mean_square",
    "variance_absorbs_mean_error",
]

beta, beta_hat, lr = sp.symbols("beta beta_hat eta", real=True)
std = sp.Symbol("sigma", positive=True)
c = sp.Symbol("c", positive=True)
y, mean, log_std, d = sp.symbols("y mu s d", real=True)


@claim(
    "nn-quadratic",
    statement=(
        "for one feature the mean NLL is NLL(beta_hat) + c (beta - beta_hat)^2 / 2 with "
        "c = sum x_i^2 / (n std^2) and beta_hat = sum x_i y_i / sum x_i^2; its gradient is "
        "c (beta - beta_hat); checked for n = 2, 3, 4 symbolic samples"
    ),
    scope="symbolic: every x_i > 0, real y_i and beta, std > 0, for n = 2, 3, 4 samples",
)
def linear_nll_is_quadratic():
    for n in (2, 3, 4):
        xs = sp.symbols(f"x1:{n + 1}", positive=True)
        ys = sp.symbols(f"y1:{n + 1}", real=True)

        nll, curvature, minimiser = _one_feature_nll(xs, ys)
        assert_equal(
            nll(beta), nll(minimiser) + curvature * (beta - minimiser) ** 2 / 2, f"NLL, n = {n}"
        )
        assert_equal(sp.diff(nll(beta), beta), curvature * (beta - minimiser), f"gradient, n = {n}")
        assert_equal(sp.diff(nll(beta), beta, 2), curvature, f"curvature, n = {n}")


def _one_feature_nll(xs, ys):
    """The mean NLL of y_i ~ N(beta x_i, std^2) as a function of beta, its curvature and minimiser."""
    n = len(xs)

    def nll(b):
        return (
            sum(
                (yi - b * xi) ** 2 / (2 * std**2) + sp.log(std) + sp.log(2 * sp.pi) / 2
                for xi, yi in zip(xs, ys, strict=True)
            )
            / n
        )

    curvature = sum(xi**2 for xi in xs) / (n * std**2)
    minimiser = sum(xi * yi for xi, yi in zip(xs, ys, strict=True)) / sum(xi**2 for xi in xs)
    return nll, curvature, minimiser


@claim(
    "nn-ex2",
    statement=(
        "E[x^2] = a^2/3 for x ~ U[0, a], so 400/3 on [0, 20]; the expected curvature "
        "E[c] = E[x^2]/std^2 is 400/(3 std^2)"
    ),
    method="symbolic + Monte Carlo",
    monte_carlo="tests/package/test_nn.py::test_mean_square_of_uniform_inputs_is_400_over_3",
    scope=(
        "symbolic: every a > 0, and a = 20 for every std > 0; Monte Carlo: "
        "test_mean_square_of_uniform_inputs_is_400_over_3, 200000 draws"
    ),
)
def uniform_mean_square():
    a = sp.Symbol("a", positive=True)
    assert_equal(st.E(st.Uniform("x", 0, a) ** 2), a**2 / 3, "E[x^2] on [0, a]")
    assert_equal(st.E(st.Uniform("x", 0, 20) ** 2), sp.Rational(400, 3), "E[x^2] on [0, 20]")
    curvature = st.Uniform("x", 0, 20) ** 2 / std**2  # c of one sample; a batch mean has the same E
    assert_equal(st.E(curvature), sp.Rational(400, 3) / std**2, "E[c] on [0, 20]")


@claim(
    "nn-contraction",
    "nn-lr-bound",
    statement=(
        "on one fixed batch (a fixed quadratic), a gradient step multiplies the error "
        "beta - beta_hat by 1 - eta c, "
        "and |1 - eta c| < 1 exactly for 0 < eta < 2/c (3 std^2 / 200 when c = 400/(3 std^2))"
    ),
    scope=(
        "symbolic: every real beta, beta_hat, eta and every c > 0 (one fixed batch); the "
        "learning-rate bound at std = 1 and std = 3/10"
    ),
)
def gradient_descent_contraction():
    gradient = c * (beta - beta_hat)
    assert_steps(
        [
            beta - lr * gradient - beta_hat,
            (beta - beta_hat) - lr * c * (beta - beta_hat),
            (1 - lr * c) * (beta - beta_hat),
        ],
        "one step of gradient descent",
    )
    # Solve |1 - eta c| < 1 in u = eta c, then map back to eta = u / c.
    u = sp.Symbol("u", real=True)
    interval = sp.solve_univariate_inequality(sp.Abs(1 - u) < 1, u, relational=False)
    if interval != sp.Interval.open(0, 2):
        raise ClaimFailed(f"|1 - u| < 1 gives {interval}, not (0, 2)")
    # The same with the expected curvature of x ~ U[0, 20], for std = 1 and std = 3/10.
    for s, bound in ((1, sp.Rational(3, 200)), (sp.Rational(3, 10), sp.Rational(27, 20000))):
        curvature = sp.Rational(400, 3) / s**2
        eta = sp.Symbol("eta", real=True)
        found = sp.solve_univariate_inequality(
            sp.Abs(1 - eta * curvature) < 1, eta, relational=False
        )
        if found != sp.Interval.open(0, bound):
            raise ClaimFailed(f"std = {s}: |1 - eta c| < 1 gives {found}, not (0, {bound})")
        assert_equal(2 / curvature, 3 * s**2 / 200, "2 / c = 3 std^2 / 200")


@claim(
    "nn-multi-contraction",
    statement=(
        "with m features the mean NLL has Hessian A = X X^T / (n std^2), and a gradient step "
        "multiplies the error beta - beta_hat by I - eta A, beta_hat = (X X^T)^-1 X y; "
        "for every m and n (matrix symbols), and entrywise for m = 2, n = 2, 3"
    ),
    scope=(
        "symbolic: X an m x n matrix symbol with X X^T invertible, every y, beta, eta and "
        "std > 0; entrywise for m = 2 and n = 2, 3"
    ),
)
def gradient_descent_matrix_contraction():
    m, n = sp.symbols("m n", integer=True, positive=True)
    X = sp.MatrixSymbol("X", m, n)
    y_vec, b = sp.MatrixSymbol("y", n, 1), sp.MatrixSymbol("b", m, 1)
    residual = y_vec - X.T * b
    nll = residual.T * residual / (2 * n * std**2)  # the beta-dependent part
    H = X * X.T / (n * std**2)
    gradient = nll.diff(b)
    _assert_matrix_expressions_equal(gradient.diff(b), H, "Hessian, every m and n")
    bh = (X * X.T).I * X * y_vec
    step = b - lr * gradient
    _assert_matrix_expressions_equal(
        step - bh, (sp.Identity(m) - lr * H) * (b - bh), "one step, every m and n"
    )
    for n in _sizes:
        X, y_vec, b = _two_feature_batch(n)
        bh = (X * X.T).inv() * X * y_vec
        nll = _vector_nll(X, y_vec, b)
        params = list(b)
        hessian = sp.hessian(nll, params)
        H = X * X.T / (n * std**2)
        assert_equal(hessian, H, f"Hessian, n = {n}")
        gradient = sp.Matrix([sp.diff(nll, v) for v in params])
        step = b - lr * gradient
        assert_equal(step - bh, (sp.eye(2) - lr * H) * (b - bh), f"one step, n = {n}")


def _assert_matrix_expressions_equal(lhs, rhs, what):
    """Raise `ClaimFailed` unless the matrix expressions' difference expands to zero."""
    difference = sp.expand(lhs - rhs)
    if not (difference == 0 or isinstance(difference, sp.ZeroMatrix)):
        raise ClaimFailed(f"{what}: {lhs} - ({rhs}) = {difference}, not zero")


def _two_feature_batch(n):
    X = sp.Matrix(2, n, sp.symbols(f"X1:{2 * n + 1}", real=True))
    y_vec = sp.Matrix(sp.symbols(f"y1:{n + 1}", real=True))
    b = sp.Matrix(sp.symbols("b1:3", real=True))
    return X, y_vec, b


def _vector_nll(X, y_vec, b):
    """The mean NLL of y ~ N(X^T b, std^2 I) with m features."""
    n = X.shape[1]
    r = y_vec - X.T * b
    return (r.T * r)[0, 0] / (2 * n * std**2) + sp.log(std) + sp.log(2 * sp.pi) / 2


@claim(
    "nn-het-nll",
    "nn-het-grad",
    statement=(
        "with std = exp(omega), -log N(y; mu, std^2) = omega + (y - mu)^2 exp(-2 omega)/2 + log(2 pi)/2; its "
        "derivatives are -(y - mu) exp(-2 omega) in mu and 1 - (y - mu)^2 exp(-2 omega) in omega"
    ),
    scope="symbolic: every real y, mu and omega",
)
def gaussian_nll_in_log_std():
    sigma = sp.exp(log_std)
    density = sp.exp(-((y - mean) ** 2) / (2 * sigma**2)) / (sp.sqrt(2 * sp.pi) * sigma)
    nll = log_std + (y - mean) ** 2 * sp.exp(-2 * log_std) / 2 + sp.log(2 * sp.pi) / 2
    assert_equal(-sp.expand_log(sp.log(density)), nll, "NLL in the log std")
    assert_equal(sp.diff(nll, mean), -(y - mean) * sp.exp(-2 * log_std), "d NLL / d mu")
    assert_equal(sp.diff(nll, log_std), 1 - (y - mean) ** 2 * sp.exp(-2 * log_std), "d NLL / d s")


@claim(
    "nn-profile",
    statement=(
        "if y ~ N(m, std^2) and the model's mean is m + d, the expected NLL is smallest at "
        "exp(2 omega) = std^2 + d^2, where it exceeds its value at d = 0 by only log(1 + d^2/std^2)/2; "
        "with the std fixed the excess is d^2 / (2 std^2)"
    ),
    scope="symbolic: every real m, d and omega and every std > 0",
)
def variance_absorbs_mean_error():
    m = sp.Symbol("m", real=True)
    target = st.Normal("Y", m, std)
    expected = st.E(
        log_std + (target - (m + d)) ** 2 * sp.exp(-2 * log_std) / 2 + sp.log(2 * sp.pi) / 2
    )
    formula = _expected_nll()
    assert_equal(expected, formula, "expected NLL")
    critical = sp.solve(sp.diff(formula, log_std), log_std)
    best = sp.log(std**2 + d**2) / 2
    if len(critical) != 1:
        raise ClaimFailed(f"expected one critical log std, got {critical}")
    assert_equal(critical[0], best, "minimising log std")
    assert_true(
        sp.ask(sp.Q.positive(sp.diff(formula, log_std, 2).subs(log_std, best))), "a minimum"
    )
    learned, fixed = _profile_excess(formula, best)
    assert_equal(learned, sp.log(1 + d**2 / std**2) / 2, "excess NLL with a learned std")
    assert_equal(fixed, d**2 / (2 * std**2), "excess NLL with std fixed")


def _expected_nll():
    """E[-log N(y; m + d, exp(2s))] for y ~ N(m, std^2), in closed form."""
    return log_std + (std**2 + d**2) * sp.exp(-2 * log_std) / 2 + sp.log(2 * sp.pi) / 2


def _profile_excess(formula, best):
    """The cost of the mean error d with the log std at its best value, and with the std fixed."""
    at_best = formula.subs(log_std, best)
    fixed = formula.subs(log_std, sp.log(std))
    return at_best - at_best.subs(d, 0), fixed - fixed.subs(d, 0)


@claim(
    "nn-fisher",
    statement=(
        "for y ~ N(mu, exp(2 omega)) the expected Hessian of -log N(y; mu, exp(2 omega)) in (mu, omega), the "
        "Fisher information of one sample, is diag(exp(-2 omega), 2) = diag(1/std^2, 2); the "
        "expected gradient (the score) is zero"
    ),
    method="symbolic + Monte Carlo",
    monte_carlo=(
        "tests/package/test_nn.py::test_fisher_information_of_mean_and_log_std_is_diag_inverse_var_and_two"
    ),
    scope=(
        "symbolic: every real mu and omega; Monte Carlo: test_fisher_information_of_mean_and_"
        "log_std_is_diag_inverse_var_and_two, 100000 draws at mu = 1.5, omega = -0.7"
    ),
)
def fisher_information_mean_log_std():
    target = st.Normal("Y", mean, sp.exp(log_std))
    params = (mean, log_std)
    assert_equal(_expected_hessian(), _fisher_matrix(), "expected Hessian")
    for p in params:
        assert_equal(st.E(sp.diff(_nll_in_log_std, p).subs(y, target)), 0, f"E[score] in {p}")
    # The same matrix as the expected outer product of the score.
    score = sp.Matrix([sp.diff(_nll_in_log_std, p) for p in params])
    outer = (score * score.T).applyfunc(lambda e: st.E(sp.expand(e).subs(y, target)))
    assert_equal(outer, _fisher_matrix(), "E[score score^T]")


def _fisher_matrix():
    return sp.Matrix([[sp.exp(-2 * log_std), 0], [0, 2]])


def _expected_hessian():
    """E over y ~ N(mu, exp(2s)) of the Hessian of the per-sample NLL in (mu, s)."""
    target = st.Normal("Y", mean, sp.exp(log_std))
    hessian = sp.hessian(_nll_in_log_std, (mean, log_std))
    return hessian.applyfunc(lambda e: st.E(e.subs(y, target)))


@claim(
    "nn-tanh",
    statement=(
        "tanh'(z) = 1 - tanh(z)^2 = 4 / (e^z + e^-z)^2, which is at most 4 exp(-2|z|): "
        "below 2.5e-5 once |z| >= 6"
    ),
    scope="symbolic: every real z; the bound 4 exp(-12) < 2.5e-5 exactly",
)
def tanh_saturates():
    z = sp.Symbol("z", real=True)
    zp = sp.Symbol("z", positive=True)
    assert_steps(
        [sp.diff(sp.tanh(z), z), 1 - sp.tanh(z) ** 2, 4 / (sp.exp(z) + sp.exp(-z)) ** 2],
        "derivative of tanh",
    )
    # For z > 0 (tanh' is even): 4/(e^z + e^-z)^2 = 4 e^{-2z} / (1 + e^{-2z})^2 <= 4 e^{-2z}.
    ratio = (4 / (sp.exp(zp) + sp.exp(-zp)) ** 2) / (4 * sp.exp(-2 * zp))
    assert_equal(ratio, 1 / (1 + sp.exp(-2 * zp)) ** 2, "ratio to the bound")
    assert_true(sp.ask(sp.Q.positive(1 + sp.exp(-2 * zp) - 1)), "the ratio is below 1")
    assert_true(bool(4 * sp.exp(-12) < sp.Rational(25, 10**6)), "4 exp(-12) < 2.5e-5")


class StopGradient(sp.Function):
    """sg[x]: the value x, whose derivative is taken to be zero (`jax.lax.stop_gradient`)."""

    def fdiff(self, argindex=1):
        return sp.S.Zero


gamma = sp.Symbol("gamma", real=True)


def _without_stop_gradient(expr):
    return expr.replace(StopGradient, lambda arg: arg)


def _beta_nll(m, s, v):
    """The beta-NLL of one sample: sg[exp(2 gamma s)] times the NLL in the log std."""
    nll = _nll_in_log_std.subs({mean: m, log_std: s, y: v}, simultaneous=True)
    return StopGradient(sp.exp(2 * gamma * s)) * nll


def _beta_nll_gradient_forms():
    """The closed forms of the beta-NLL's derivatives in mu and s, with sigma = exp(s)."""
    sigma = sp.exp(log_std)
    return (
        -(sigma ** (2 * gamma)) * (y - mean) / sigma**2,
        sigma ** (2 * gamma) * (1 - (y - mean) ** 2 / sigma**2),
    )


@claim(
    "nn-beta-nll",
    "nn-beta-nll-grad",
    statement=(
        "with sg[.] a stop gradient (its derivative is zero) and std = exp(omega), the beta-NLL "
        "sg[std^(2 gamma)] (omega + (y - mu)^2/(2 std^2) + log(2 pi)/2) has derivatives "
        "-std^(2 gamma) (y - mu)/std^2 in mu and std^(2 gamma) (1 - (y - mu)^2/std^2) in omega; "
        "gamma = 0 gives the NLL and its derivatives, gamma = 1 gives the mean the derivative "
        "-(y - mu) of (y - mu)^2/2; for y ~ N(mu, std^2) both derivatives have mean zero for "
        "every gamma"
    ),
    scope="symbolic: every real y, mu, omega and gamma",
)
def beta_nll_gradients():
    loss = _beta_nll(mean, log_std, y)
    d_mean, d_log_std = _beta_nll_gradient_forms()
    grads = [_without_stop_gradient(sp.diff(loss, v)) for v in (mean, log_std)]
    assert_equal(grads[0], d_mean, "d beta-NLL / d mu")
    assert_equal(grads[1], d_log_std, "d beta-NLL / d s")
    at_zero = [_without_stop_gradient(e).subs(gamma, 0) for e in (loss, *grads)]
    nll_grads = [sp.diff(_nll_in_log_std, v) for v in (mean, log_std)]
    for got, want, what in zip(
        at_zero, [_nll_in_log_std, *nll_grads], ("NLL", "d mu", "d s"), strict=True
    ):
        assert_equal(got, want, f"gamma = 0: {what}")
    assert_equal(grads[0].subs(gamma, 1), sp.diff((y - mean) ** 2 / 2, mean), "gamma = 1: MSE")
    target = st.Normal("Y", mean, sp.exp(log_std))
    for g, v in zip(grads, ("mu", "s"), strict=True):
        assert_equal(st.E(sp.expand(g).subs(y, target)), 0, f"E[d beta-NLL / d {v}]")


def _normal_moment(k):
    """E[z^k] for z ~ N(0, 1)."""
    return sp.S.Zero if k % 2 else sp.factorial2(k - 1) if k else sp.S.One


def _expect_over_noise(expr, noises):
    """E over independent standard normal `noises` of a polynomial in them."""
    poly = sp.Poly(sp.expand(expr), *noises)
    total = sp.S.Zero
    for powers, coeff in poly.terms():
        weight = sp.Mul(*[_normal_moment(k) for k in powers])
        total += coeff * weight
    return total


def _network_like(n, p):
    """n samples whose outputs mu_i(theta), s_i(theta) are arbitrary smooth functions of p weights."""
    theta = sp.symbols(f"theta1:{p + 1}", real=True)
    mus = [sp.Function(f"mu{i}")(*theta) for i in range(1, n + 1)]
    logs = [sp.Function(f"s{i}")(*theta) for i in range(1, n + 1)]
    ys = sp.symbols(f"y1:{n + 1}", real=True)
    zs = sp.symbols(f"z1:{n + 1}", real=True)
    return theta, mus, logs, ys, zs


def _hessian_in_weights(n, p):
    """The Hessian in theta of the mean NLL, and E over y_i ~ N(mu_i, exp(2 s_i)) of a matrix.

    The expectation writes y_i = mu_i + exp(s_i) z_i with z_i ~ N(0, 1) independent.
    """
    theta, mus, logs, ys, zs = _network_like(n, p)
    loss = (
        sum(
            _nll_in_log_std.subs({mean: m, log_std: s_, y: v}, simultaneous=True)
            for m, s_, v in zip(mus, logs, ys, strict=True)
        )
        / n
    )
    noisy = {v: m + sp.exp(s_) * z for v, m, s_, z in zip(ys, mus, logs, zs, strict=True)}

    def expect(matrix):
        return matrix.applyfunc(lambda e: _expect_over_noise(e.subs(noisy), zs))

    return sp.hessian(loss, theta), expect


def _expected_hessian_in_weights(n, p):
    """E[Hessian in theta of the mean NLL] with y_i = mu_i + exp(s_i) z_i, z_i ~ N(0, 1)."""
    hessian, expect = _hessian_in_weights(n, p)
    return expect(hessian)


def _gauss_newton_parts(n, p):
    """The Jacobians J_i (2 by p) of (mu_i, s_i) and the sum (1/n) sum_i J_i^T I_i J_i."""
    theta, mus, logs, _, _ = _network_like(n, p)
    jacobians = [sp.Matrix([m, s_]).jacobian(theta) for m, s_ in zip(mus, logs, strict=True)]
    fishers = [_fisher_matrix().subs(log_std, s_) for s_ in logs]
    total = sum((J.T * F * J for J, F in zip(jacobians, fishers, strict=True)), sp.zeros(p, p)) / n
    return jacobians, logs, total


@claim(
    "nn-gauss-newton",
    statement=(
        "if y_i ~ N(mu_i(theta), exp(2 omega_i(theta))) independently, the expected Hessian in the "
        "weights theta of the mean NLL (1/n) sum_i l(mu_i, omega_i; y_i) is the Gauss-Newton matrix "
        "(1/n) sum_i J_i^T I_i J_i, with J_i the Jacobian of (mu_i, omega_i) in theta and "
        "I_i = diag(exp(-2 omega_i), 2) the Fisher information of one sample"
    ),
    scope=(
        "symbolic: arbitrary smooth mu_i(theta) and omega_i(theta), for n = 1, 2 samples and "
        "2, 3 weights"
    ),
)
def gauss_newton_is_expected_hessian():
    for n, p in ((1, 2), (1, 3), (2, 2), (2, 3)):
        _, _, total = _gauss_newton_parts(n, p)
        assert_equal(_expected_hessian_in_weights(n, p), total, f"n = {n}, {p} weights")


# --- what the chapter displays ------------------------------------------------------

_sizes = (2, 3)


@binds("nn-quadratic", linear_nll_is_quadratic, scope="read for n = 2, 3 symbolic samples")
def _nn_quadratic():
    cases = []
    for n in _sizes:
        xs = sp.Matrix(sp.symbols(f"x1:{n + 1}", positive=True))
        ys = sp.Matrix(sp.symbols(f"y1:{n + 1}", real=True))
        nll, curvature, minimiser = _one_feature_nll(list(xs), list(ys))
        env = {
            "n": sp.Integer(n),
            "x": xs,
            "y": ys,
            r"\beta": beta,
            r"\hat{\beta}": minimiser,
            "c": curvature,
            r"\sigma": std,
            r"\mathrm{NLL}": nll,
        }
        quadratic = nll(minimiser) + curvature * (beta - minimiser) ** 2 / 2
        cases.append(
            (
                env,
                [
                    [nll(beta), "=", quadratic],
                    [curvature, "=", curvature],
                    [minimiser, "=", minimiser],
                ],
            )
        )
    return cases


_GD_ENV = {r"\beta_t": beta, r"\hat{\beta}": beta_hat, r"\eta": lr, "c": c}


@binds("nn-contraction", gradient_descent_contraction)
def _nn_contraction():
    step = beta - lr * c * (beta - beta_hat)
    env = {**_GD_ENV, r"\beta_t+1": step}
    return [(env, [[step - beta_hat, "=", (1 - lr * c) * (beta - beta_hat)]])]


@binds("nn-lr-bound", gradient_descent_contraction)
def _nn_lr_bound():
    u = sp.Symbol("u", real=True)
    interval = sp.solve_univariate_inequality(sp.Abs(1 - u) < 1, u, relational=False)
    return [(_GD_ENV, [[interval.inf / c, "<", lr, "<", interval.sup / c]])]


@binds("nn-ex2", uniform_mean_square)
def _nn_ex2():
    x = sp.Symbol("x", positive=True)
    uniform = st.Uniform("x", 0, 20)
    env = {
        "x": x,
        "c": x**2 / std**2,
        r"\sigma": std,
        "E": lambda e: st.E(e.subs(x, uniform)),
    }
    mean_square = st.E(uniform**2)
    return [
        (
            env,
            [
                [mean_square, "=", mean_square, "=", sp.Rational(400, 3)],
                [mean_square / std**2, "=", sp.Rational(400, 3) / std**2],
            ],
        )
    ]


_nll_in_log_std = log_std + (y - mean) ** 2 * sp.exp(-2 * log_std) / 2 + sp.log(2 * sp.pi) / 2
_HET_ENV = {
    "y": y,
    r"\mu": mean,
    r"\omega": log_std,
    "e": sp.E,
    r"\mathcal{N}": lambda v, m, var: (
        sp.exp(-((v - m) ** 2) / (2 * var)) / sp.sqrt(2 * sp.pi * var)
    ),
}


@binds("nn-het-nll", gaussian_nll_in_log_std)
def _nn_het_nll():
    def loss(m, s, v):
        return _nll_in_log_std.subs({mean: m, log_std: s, y: v}, simultaneous=True)

    env = {**_HET_ENV, r"\ell": loss}
    return [(env, [[_nll_in_log_std, "=", _nll_in_log_std, "=", _nll_in_log_std]])]


@binds("nn-het-grad", gaussian_nll_in_log_std)
def _nn_het_grad():
    env = {**_HET_ENV, r"\ell": _nll_in_log_std}
    return [
        (
            env,
            [
                [sp.diff(_nll_in_log_std, mean), "=", -(y - mean) * sp.exp(-2 * log_std)],
                [
                    sp.diff(_nll_in_log_std, log_std),
                    "=",
                    1 - (y - mean) ** 2 * sp.exp(-2 * log_std),
                ],
            ],
        )
    ]


@binds("nn-profile", variance_absorbs_mean_error)
def _nn_profile():
    learned, fixed = _profile_excess(_expected_nll(), sp.log(std**2 + d**2) / 2)
    env = {"d": d, r"\sigma": std, r"\Delta_learned": learned, r"\Delta_fixed": fixed}
    return [
        (
            env,
            [[learned, "=", sp.log(1 + d**2 / std**2) / 2], [fixed, "=", d**2 / (2 * std**2)]],
        )
    ]


@binds("nn-tanh", tanh_saturates)
def _nn_tanh():
    z = sp.Symbol("z", real=True)
    env = {"z": z, "e": sp.E}
    return [
        (
            env,
            [
                [
                    sp.diff(sp.tanh(z), z),
                    "=",
                    1 - sp.tanh(z) ** 2,
                    "=",
                    4 / (sp.exp(z) + sp.exp(-z)) ** 2,
                    "<=",
                    4 * sp.exp(-2 * sp.Abs(z)),
                ]
            ],
        )
    ]


@binds("nn-fisher", fisher_information_mean_log_std)
def _nn_fisher():
    sigma = sp.exp(log_std)
    # The left side is the expected Hessian, computed here, not the displayed matrix.
    expected = _expected_hessian()
    env = {r"\mathcal{I}": expected, r"\sigma": sigma, r"\mu": mean, r"\omega": log_std}
    return [(env, [[expected, "=", _fisher_matrix()]])]


@binds("nn-multi-contraction", gradient_descent_matrix_contraction)
def _nn_multi_contraction():
    cases = []
    for n in _sizes:
        X, _, b = _two_feature_batch(n)
        bh = sp.Matrix(sp.symbols("h1:3", real=True))
        H = X * X.T / (n * std**2)
        step = b - lr * H * (b - bh)
        env = {
            r"\beta_t": b,
            r"\beta_t+1": step,
            r"\hat{\beta}": bh,
            r"\eta": lr,
            "I": sp.eye(2),
            r"\mathbf{A}": H,
            "X": X,
            "n": sp.Integer(n),
            r"\sigma": std,
        }
        cases.append((env, [[step - bh, "=", (sp.eye(2) - lr * H) * (b - bh)], [H, "=", H]]))
    return cases


_BETA_ENV = {**_HET_ENV, r"\sigma": sp.exp(log_std), r"\gamma": gamma, r"\mathrm{sg}": StopGradient}


@binds("nn-beta-nll", beta_nll_gradients)
def _nn_beta_nll():
    def loss(m, s_, v):
        return _nll_in_log_std.subs({mean: m, log_std: s_, y: v}, simultaneous=True)

    env = {**_BETA_ENV, r"\ell": loss, r"\ell_\gamma": _beta_nll}
    value = _beta_nll(mean, log_std, y)
    return [(env, [[value, "=", value, "=", value]])]


@binds("nn-beta-nll-grad", beta_nll_gradients)
def _nn_beta_nll_grad():
    loss = _beta_nll(mean, log_std, y)
    env = {**_BETA_ENV, r"\ell_\gamma": loss}
    d_mean, d_log_std = _beta_nll_gradient_forms()
    return [
        (
            env,
            [[sp.diff(loss, mean), "=", d_mean], [sp.diff(loss, log_std), "=", d_log_std]],
        )
    ]


@binds(
    "nn-gauss-newton", gauss_newton_is_expected_hessian, scope="read for n = 2 samples, 2 weights"
)
def _nn_gauss_newton():
    n, p = 2, 2
    jacobians, logs, _ = _gauss_newton_parts(n, p)
    hessian, expect = _hessian_in_weights(n, p)
    expected = expect(hessian)
    env = {
        "G": expected,
        r"\mathbf{A}": hessian,
        "E": expect,
        "J": lambda i: jacobians[int(i) - 1],
        r"\omega": lambda i: logs[int(i) - 1],
        "n": sp.Integer(n),
        "e": sp.E,
    }
    _, _, total = _gauss_newton_parts(n, p)
    return [(env, [[expected, "=", expected, "=", total]])]
