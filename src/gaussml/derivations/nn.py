"""Claims of chapter 4: gradient descent, its learning-rate bound, and the heteroscedastic NLL."""

import sympy as sp
import sympy.stats as st

from ._registry import ClaimFailed, assert_equal, assert_steps, assert_true, claim

__all__ = [
    "gaussian_nll_in_log_std",
    "gradient_descent_contraction",
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

        def nll(b, xs=xs, ys=ys, n=n):
            return (
                sum(
                    (yi - b * xi) ** 2 / (2 * std**2) + sp.log(std) + sp.log(2 * sp.pi) / 2
                    for xi, yi in zip(xs, ys, strict=True)
                )
                / n
            )

        curvature = sum(xi**2 for xi in xs) / (n * std**2)
        minimiser = sum(xi * yi for xi, yi in zip(xs, ys, strict=True)) / sum(xi**2 for xi in xs)
        assert_equal(
            nll(beta), nll(minimiser) + curvature * (beta - minimiser) ** 2 / 2, f"NLL, n = {n}"
        )
        assert_equal(sp.diff(nll(beta), beta), curvature * (beta - minimiser), f"gradient, n = {n}")
        assert_equal(sp.diff(nll(beta), beta, 2), curvature, f"curvature, n = {n}")


@claim(
    "nn-ex2",
    statement="E[x^2] = a^2/3 for x ~ U[0, a], so 400/3 on [0, 20]; the expected curvature is 400/(3 std^2)",
    method="symbolic + Monte Carlo",
    monte_carlo="tests/test_nn.py::test_mean_square_of_uniform_inputs_is_400_over_3",
    scope=(
        "symbolic: every a > 0, and a = 20; Monte Carlo: "
        "test_mean_square_of_uniform_inputs_is_400_over_3, 200000 draws"
    ),
)
def uniform_mean_square():
    a = sp.Symbol("a", positive=True)
    assert_equal(st.E(st.Uniform("x", 0, a) ** 2), a**2 / 3, "E[x^2] on [0, a]")
    assert_equal(st.E(st.Uniform("x", 0, 20) ** 2), sp.Rational(400, 3), "E[x^2] on [0, 20]")


@claim(
    "nn-contraction",
    "nn-lr-bound",
    statement=(
        "a gradient step on the quadratic multiplies the error beta - beta_hat by 1 - eta c, "
        "and |1 - eta c| < 1 exactly for 0 < eta < 2/c (3 std^2 / 200 when c = 400/(3 std^2))"
    ),
    scope=(
        "symbolic: every real beta, beta_hat, eta and every c > 0; the learning-rate "
        "bound at std = 1 and std = 3/10"
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
    "nn-het-nll",
    "nn-het-grad",
    statement=(
        "with std = exp(s), -log N(y; mu, std^2) = s + (y - mu)^2 exp(-2s)/2 + log(2 pi)/2; its "
        "derivatives are -(y - mu) exp(-2s) in mu and 1 - (y - mu)^2 exp(-2s) in s"
    ),
    scope="symbolic: every real y, mu and s",
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
        "exp(2s) = std^2 + d^2, where it exceeds its value at d = 0 by only log(1 + d^2/std^2)/2; "
        "with the std fixed the excess is d^2 / (2 std^2)"
    ),
    scope="symbolic: every real m, d and s and every std > 0",
)
def variance_absorbs_mean_error():
    m = sp.Symbol("m", real=True)
    target = st.Normal("Y", m, std)
    expected = st.E(
        log_std + (target - (m + d)) ** 2 * sp.exp(-2 * log_std) / 2 + sp.log(2 * sp.pi) / 2
    )
    formula = log_std + (std**2 + d**2) * sp.exp(-2 * log_std) / 2 + sp.log(2 * sp.pi) / 2
    assert_equal(expected, formula, "expected NLL")
    critical = sp.solve(sp.diff(formula, log_std), log_std)
    best = sp.log(std**2 + d**2) / 2
    if len(critical) != 1:
        raise ClaimFailed(f"expected one critical log std, got {critical}")
    assert_equal(critical[0], best, "minimising log std")
    assert_true(
        sp.ask(sp.Q.positive(sp.diff(formula, log_std, 2).subs(log_std, best))), "a minimum"
    )
    at_best = formula.subs(log_std, best)
    excess = at_best - at_best.subs(d, 0)
    assert_equal(excess, sp.log(1 + d**2 / std**2) / 2, "excess NLL with a learned std")
    fixed = formula.subs(log_std, sp.log(std))
    assert_equal(fixed - fixed.subs(d, 0), d**2 / (2 * std**2), "excess NLL with std fixed")


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
