"""Claims of chapter 1, the univariate Gaussian."""

import functools

import sympy as sp
import sympy.stats as st

from ._binding import binds
from ._registry import assert_equal, assert_steps, assert_true, claim

__all__ = [
    "box_muller_jacobian",
    "chi_square_density",
    "chi_square_mgf",
    "fourth_central_moment",
    "gaussian_integral_polar",
    "maximum_entropy",
    "mle_variance_bias",
    "normal_affine_change_of_variables",
    "normal_mean_and_variance",
    "normal_mgf",
    "normal_mle",
    "normal_pdf_exceeds_one_threshold",
    "normal_pdf_maximum",
    "normal_pdf_normalised",
    "sample_mean_standard_error",
    "sample_variance_standard_error",
]

x, z = sp.symbols("x z", real=True)
mean = sp.Symbol("mu", real=True)
std = sp.Symbol("sigma", positive=True)


def normal_pdf_expr(x, mean, std):
    """The density of N(mean, std^2) as a sympy expression, as displayed in the book."""
    return sp.exp(-((x - mean) ** 2) / (2 * std**2)) / (sp.sqrt(2 * sp.pi) * std)


@claim(
    "uni-pdf",
    statement="the density is positive and integrates to 1 over the real line, for every mean and std > 0",
    scope="symbolic: every real mean and every std > 0",
)
def normal_pdf_normalised():
    p = normal_pdf_expr(x, mean, std)
    assert_equal(sp.integrate(p, (x, -sp.oo, sp.oo)), 1, "integral of the density")
    assert_true(sp.ask(sp.Q.positive(p)), "positivity of the density")


@claim(
    "uni-pdf-max",
    statement="the only critical point of the density is x = mean, where it takes its maximum 1/(sqrt(2 pi) std)",
    scope="symbolic: every real mean and every std > 0",
)
def normal_pdf_maximum():
    p = normal_pdf_expr(x, mean, std)
    critical = sp.solve(sp.diff(p, x), x)
    assert_equal(sp.Matrix(critical), sp.Matrix([mean]), "critical points")
    assert_true(sp.ask(sp.Q.negative(sp.diff(p, x, 2).subs(x, mean))), "second derivative < 0")
    assert_equal(p.subs(x, mean), 1 / (sp.sqrt(2 * sp.pi) * std), "value at the mean")


@claim(
    "uni-exceeds-one",
    statement="the peak 1/(sqrt(2 pi) std) exceeds 1 exactly when std < 1/sqrt(2 pi)",
    scope="symbolic: every std > 0",
)
def normal_pdf_exceeds_one_threshold():
    peak = normal_pdf_expr(mean, mean, std)
    solution = sp.solve_univariate_inequality(peak > 1, std, relational=False)
    assert_equal(solution.inf, 0, "lower end of the set of std")
    assert_equal(solution.sup, 1 / sp.sqrt(2 * sp.pi), "upper end of the set of std")
    assert_true(solution.left_open and solution.right_open, "the interval is open")


@claim(
    "uni-affine-cdf",
    "uni-affine-pdf",
    statement="if Z ~ N(0, 1) then mean + std Z has the N(mean, std^2) density; each line of the change of variables checked",
    scope="symbolic: every real x and mean and every std > 0",
)
def normal_affine_change_of_variables():
    # The CDF step: P(mean + std Z <= x) = P(Z <= (x - mean)/std) = Phi((x - mean)/std).
    cdf_x, cdf_z = _affine_cdfs()
    assert_equal(cdf_x, cdf_z, "CDF of mean + std Z")
    # The density, line by line: differentiate, chain rule, substitute the N(0, 1) density.
    assert_steps(_affine_density_lines(), "density of mean + std Z")


_standard = st.Normal("Z", 0, 1)


@functools.cache
def _cdf(variable):
    """The CDF of a random expression, as a sympy Lambda (computed once)."""
    return st.cdf(variable)


def _affine_cdfs():
    """P(mean + std Z <= x) and Phi((x - mean)/std), as sympy computes them."""
    return _cdf(mean + std * _standard)(x), _cdf(_standard)((x - mean) / std)


def _affine_density_lines():
    """The displayed lines of the density of mean + std Z."""
    phi = normal_pdf_expr(z, 0, 1)
    u = (x - mean) / std
    return [
        sp.diff(_affine_cdfs()[1], x),
        phi.subs(z, u) * sp.diff(u, x),
        phi.subs(z, u) / std,
        normal_pdf_expr(x, mean, std),
    ]


#: Sample sizes n for which the standard errors are derived exactly.
SAMPLE_SIZES = range(2, 7)


def _expect_standard_draws(expr, draws):
    r"""E[expr] for a polynomial in independent N(0, 1) draws `draws` (sympy symbols).

    By linearity, monomial by monomial; by independence the expectation of
    $\prod_i z_i^{k_i}$ is $\prod_i E[Z^{k_i}]$, with the moments $E[Z^k]$ of one
    N(0, 1) variable from `sympy.stats`.
    """
    poly = sp.Poly(expr, *draws)
    return sp.expand(
        sum(
            coeff * sp.Mul(*[_standard_normal_moment(k) for k in powers])
            for powers, coeff in poly.terms()
        )
    )


@functools.cache
def _standard_normal_moment(k):
    """E[Z^k] for Z ~ N(0, 1), from sympy.stats."""
    return st.E(st.Normal("Z", 0, 1) ** k)


# --- every sample size n: sums over a symbolic number of draws ---------------------------

_n = sp.Symbol("n", integer=True, positive=True)  # the sample size, as the page's n
_i, _j = sp.symbols("i j", integer=True, positive=True)
_xs = sp.IndexedBase("x", real=True)  # the observations x_1, ..., x_n


def _linear(expr):
    """Split every sum over i termwise and pull out the factors that do not depend on i.

    Linearity of the sum; what remains are sums of x_i, x_i^2, ... alone.
    """

    def split(total):
        (index, low, high), body = total.limits[0], total.function
        parts = []
        for term in sp.Add.make_args(sp.expand(body)):
            coeff, rest = term.as_independent(index, as_Add=False)
            parts.append(coeff * sp.Sum(rest, (index, low, high)).doit())
        return sp.Add(*parts)

    split_up = sp.expand(expr.replace(lambda a: isinstance(a, sp.Sum), split))
    # one name for the index of every remaining sum, so that equal sums compare equal
    return split_up.replace(
        lambda a: isinstance(a, sp.Sum), lambda a: a.xreplace({a.limits[0][0]: _i})
    )


def _sum_i(body):
    return sp.Sum(body, (_i, 1, _n))


@functools.cache
def _second_moment_of_combinations():
    """E[z_j z_k] = delta_jk for independent N(0, 1) draws, from sympy.stats.

    Hence E[(sum_j c_j z_j)(sum_j d_j z_j)] = sum_j c_j d_j: the rule the symbolic-n
    claims below apply to linear combinations of n draws.
    """
    z_one, z_two = st.Normal("z_1", 0, 1), st.Normal("z_2", 0, 1)
    return st.E(z_one * z_two), st.E(z_one**2), st.E(z_one)


def _expect_square_of_combination(coeff):
    """E[(sum_j c_j z_j)^2] = sum_j c_j^2 for independent N(0, 1) z_j, c_j = coeff(j), j = 1..n.

    The sum over j runs to n = i + m (m >= 0), so that a Kronecker delta at i lies in
    the range; the result is written back in n.
    """
    m = sp.Symbol("m", integer=True, nonnegative=True)
    total = sp.Sum(sp.expand(coeff.subs(_n, _i + m) ** 2), (_j, 1, _i + m)).doit()
    return sp.simplify(total.subs(m, _n - _i))


@functools.cache
def _sample_moments_every_n():
    """E and Var of the sample mean, E of the sum of squares around it, for every n.

    With x_j = mean + std z_j: xbar - mean = sum_j (std/n) z_j, and
    x_i - xbar = sum_j std (delta_ij - 1/n) z_j.
    """
    var_mean = _expect_square_of_combination(std / _n)
    per_draw = _expect_square_of_combination(std * (sp.KroneckerDelta(_i, _j) - 1 / _n))
    squares = _linear(_sum_i(per_draw))  # E sum_i (x_i - xbar)^2
    return var_mean, per_draw, squares


@functools.cache
def _chi_square_law_variance_of_s2():
    """Var(s^2) for every n >= 2 from (n - 1) s^2 / std^2 ~ chi-square(n - 1) (Cochran)."""
    k = sp.Symbol("k", positive=True)
    chi_var = st.variance(st.ChiSquared("C", k))
    return (std**2 / (_n - 1)) ** 2 * chi_var.subs(k, _n - 1)


@claim(
    "uni-se-mean",
    statement="the mean of n independent N(mean, std^2) draws has expectation `mean` and variance std^2 / n, "
    "so standard error std / sqrt(n), for every n: by linearity and E[z_j z_k] = delta_jk",
    method="symbolic + Monte Carlo",
    monte_carlo="tests/package/test_univariate.py::test_sample_moments_within_standard_errors",
    scope=(
        "symbolic: every real mean, std > 0 and every sample size n >= 1; Monte Carlo: "
        "test_sample_moments_within_standard_errors, n = 100000 draws at three (mean, "
        "std)"
    ),
)
def sample_mean_standard_error():
    cross, square, first = _second_moment_of_combinations()
    assert_equal(cross, 0, "E[z_1 z_2] for independent N(0, 1)")
    assert_equal(square, 1, "E[z^2] for N(0, 1)")
    assert_equal(first, 0, "E[z] for N(0, 1)")
    # E[xbar] = mean + (std/n) sum_j E[z_j] = mean
    expectation = _linear(mean + _sum_i(std / _n * first))
    assert_equal(expectation, mean, "E[xbar], every n")
    var_mean, _, _ = _sample_moments_every_n()
    assert_equal(var_mean, std**2 / _n, "Var[xbar], every n")
    assert_equal(sp.sqrt(var_mean), std / sp.sqrt(_n), "se(xbar), every n")


@claim(
    "uni-se-var",
    statement="the unbiased sample variance s^2 of n Gaussian draws has expectation std^2 (every n, by "
    "linearity) and standard error std^2 sqrt(2/(n-1)): for every n from the chi-square(n - 1) law of "
    "(n-1) s^2/std^2 (Cochran's theorem, cited), and derived from the Gaussian moments without it for "
    "n = 2, ..., 6, where the first two moments of (n-1) s^2/std^2 are those of chi-square(n-1)",
    method="symbolic + Monte Carlo",
    monte_carlo="tests/package/test_univariate.py::test_sample_moments_within_standard_errors",
    scope=(
        "symbolic: every real mean and std > 0; E[s^2] for every n >= 2; Var[s^2] for every n >= 2 "
        "given Cochran's theorem (cited, not proved), and from the Gaussian moments alone for "
        "n = 2..6; the chi-square law itself only through its first two moments; Monte Carlo: "
        "test_sample_moments_within_standard_errors, n = 100000 draws at three (mean, "
        "std), and test_scaled_sample_variance_is_chi_square, the chi-square law "
        "itself (KS, n = 6, 20000 samples)"
    ),
)
def sample_variance_standard_error():
    # chi-square(k) has mean k and variance 2k (sympy.stats, every k > 0).
    k = sp.Symbol("k", positive=True)
    chi_square = st.ChiSquared("C", k)
    chi_mean, chi_var = st.E(chi_square), st.variance(chi_square)
    assert_equal(chi_var, 2 * k, "variance of chi-square(k)")
    for size in SAMPLE_SIZES:
        draws = sp.symbols(f"z1:{size + 1}", real=True)  # x_i = mean + std z_i
        xs = [mean + std * zi for zi in draws]
        sample_mean = sp.Add(*xs) / size
        s2 = sp.Add(*[(xi - sample_mean) ** 2 for xi in xs]) / (size - 1)
        expectation = _expect_standard_draws(s2, draws)
        assert_equal(expectation, std**2, f"E[s^2], n = {size}")
        variance = _expect_standard_draws((s2 - expectation) ** 2, draws)
        assert_equal(variance, 2 * std**4 / (size - 1), f"Var[s^2], n = {size}")
        se = std**2 * sp.sqrt(sp.Rational(2, size - 1))
        assert_equal(sp.sqrt(variance), se, f"se(s^2), n = {size}")
        # The moments of (n-1) s^2 / std^2 are those of chi-square(n - 1).
        scaled_mean = (size - 1) * expectation / std**2
        scaled_var = (size - 1) ** 2 * variance / std**4
        assert_equal(scaled_mean, chi_mean.subs(k, size - 1), f"E[(n-1) s^2/std^2], n = {size}")
        assert_equal(scaled_var, chi_var.subs(k, size - 1), f"Var[(n-1) s^2/std^2], n = {size}")
    # Every n: E[s^2] = std^2 by linearity, and Var[s^2] from (n - 1) s^2 / std^2 ~
    # chi-square(n - 1) (Cochran's theorem, cited).
    _, _, squares = _sample_moments_every_n()
    assert_equal(squares / (_n - 1), std**2, "E[s^2], every n")
    variance = _chi_square_law_variance_of_s2()
    assert_equal(variance, 2 * std**4 / (_n - 1), "Var[s^2], every n")
    assert_equal(sp.sqrt(variance), std**2 * sp.sqrt(2 / (_n - 1)), "se(s^2), every n")


# --- why the Gaussian: its integral, moments, entropy ---------------------------------

r = sp.Symbol("r", positive=True)
theta = sp.Symbol("theta", real=True)
y, t = sp.symbols("y t", real=True)
_X = sp.Symbol("X", real=True)  # the page's random variable, integrated against p(x)


def _polar_integral():
    """The radial integral of exp(-r^2/2) r over (0, oo)."""
    return sp.integrate(sp.exp(-(r**2) / 2) * r, (r, 0, sp.oo))


@claim(
    "uni-gauss-integral",
    statement="the square of the Gaussian integral, written in polar coordinates x = r cos(theta), "
    "y = r sin(theta) with Jacobian r, is 2 pi; so the integral of exp(-x^2/2) is sqrt(2 pi)",
    scope="symbolic: exact integrals over the real line and the plane",
)
def gaussian_integral_polar():
    polar = sp.Matrix([r * sp.cos(theta), r * sp.sin(theta)])
    jacobian = polar.jacobian([r, theta]).det()
    assert_equal(jacobian, r, "Jacobian of the polar map")
    integrand = sp.exp(-(x**2 + y**2) / 2).subs({x: polar[0], y: polar[1]})
    assert_equal(integrand, sp.exp(-(r**2) / 2), "exp(-(x^2 + y^2)/2) in polar coordinates")
    radial = sp.exp(-(r**2) / 2) * jacobian  # the integrand just checked
    square = sp.integrate(radial, (r, 0, sp.oo), (theta, 0, 2 * sp.pi))
    assert_equal(square, 2 * sp.pi, "the double integral")
    assert_equal(2 * sp.pi * _polar_integral(), 2 * sp.pi, "2 pi times the radial integral")
    one_d = sp.integrate(sp.exp(-(x**2) / 2), (x, -sp.oo, sp.oo))
    assert_equal(one_d**2, square, "the square of the one-dimensional integral")
    assert_equal(one_d, sp.sqrt(2 * sp.pi), "the Gaussian integral")


def _expect(expr):
    """E[expr] for X ~ N(mean, std^2): expr in the symbol X, integrated against the density."""
    integrand = sp.expand_log(expr.subs(_X, x), force=True) * normal_pdf_expr(x, mean, std)
    return sp.simplify(sp.integrate(integrand, (x, -sp.oo, sp.oo), conds="none"))


@claim(
    "uni-moments",
    statement="E[X] = mean and Var[X] = E[(X - mean)^2] = std^2 for X ~ N(mean, std^2), by integration",
    scope="symbolic: every real mean and every std > 0",
)
def normal_mean_and_variance():
    assert_equal(_expect(_X), mean, "E[X]")
    assert_equal(_expect((_X - mean) ** 2), std**2, "Var[X]")


def _mgf():
    return _expect(sp.exp(t * _X))


@claim(
    "uni-mgf",
    statement="E[exp(t X)] = exp(mean t + std^2 t^2 / 2) (complete the square); its first two "
    "derivatives at t = 0 give E[X] = mean and E[X^2] = std^2 + mean^2",
    scope="symbolic: every real t and mean and every std > 0",
)
def normal_mgf():
    mgf = _mgf()
    assert_equal(mgf, sp.exp(mean * t + std**2 * t**2 / 2), "the moment generating function")
    assert_equal(sp.diff(mgf, t).subs(t, 0), mean, "M'(0)")
    assert_equal(sp.diff(mgf, t, 2).subs(t, 0), std**2 + mean**2, "M''(0)")


@claim(
    "uni-fourth-moment",
    statement="E[(X - mean)^4] = 4! std^4 / 8 = 3 std^4: X - mean has the generating function "
    "exp(std^2 t^2 / 2), whose Taylor coefficient at t^4 is std^4 / 8 = E[(X - mean)^4] / 4!; "
    "the same value by integrating against the density, and E[(X - mean)^(2k)] = (2k - 1)!! std^(2k) "
    "from the coefficient at t^(2k)",
    scope="symbolic: every real mean and every std > 0; the (2k - 1)!! form for k = 1..6",
)
def fourth_central_moment():
    centred_mgf = sp.exp(std**2 * t**2 / 2)
    assert_equal(_mgf() * sp.exp(-mean * t), centred_mgf, "E[exp(t (X - mean))]")
    series = sp.series(centred_mgf, t, 0, 5).removeO()
    assert_equal(series.coeff(t, 4), std**4 / 8, "the coefficient of t^4")
    assert_equal(sp.diff(centred_mgf, t, 4).subs(t, 0), 3 * std**4, "the fourth derivative at 0")
    assert_equal(_expect((_X - mean) ** 4), 3 * std**4, "E[(X - mean)^4] by integration")
    for k in range(1, 7):
        coefficient = sp.series(centred_mgf, t, 0, 2 * k + 1).removeO().coeff(t, 2 * k)
        assert_equal(
            sp.factorial(2 * k) * coefficient,
            sp.factorial2(2 * k - 1) * std ** (2 * k),
            f"E[(X - mean)^{2 * k}]",
        )


@claim(
    "uni-entropy",
    statement="h = E[-log p(X)] = log(2 pi std^2)/2 + E[(X - mean)^2]/(2 std^2) = log(2 pi e std^2)/2; "
    "-log p(x) is quadratic in x, so E_q[-log p] takes this value for every density q with the same "
    "mean and variance, and Gibbs' inequality gives h(q) <= h; the uniform and Laplace densities "
    "of variance std^2 have smaller entropy",
    scope="symbolic: every real mean and every std > 0; Gibbs' inequality (KL >= 0) cited, not proved",
)
def maximum_entropy():
    neg_log_p = sp.expand(-sp.expand_log(sp.log(normal_pdf_expr(x, mean, std)), force=True))
    entropy = sp.log(2 * sp.pi * sp.E * std**2) / 2
    assert_equal(_expect(-sp.log(normal_pdf_expr(_X, mean, std))), entropy, "h of N(mean, std^2)")
    # Under any q with mean `mean` and variance std^2: E_q[x] = mean, E_q[x^2] = std^2 + mean^2.
    poly = sp.Poly(neg_log_p, x)
    assert_true(poly.degree() == 2, "-log p is a quadratic in x")
    moments = {0: 1, 1: mean, 2: std**2 + mean**2}
    cross = sum(c * moments[k] for (k,), c in poly.terms())
    assert_equal(cross, entropy, "E_q[-log p] for every q of the same mean and variance")
    # Two densities of variance std^2: uniform of width sqrt(12) std, Laplace of scale std/sqrt 2.
    width, scale = sp.sqrt(12) * std, std / sp.sqrt(2)
    u = sp.Symbol("u", real=True)
    uniform_var = sp.integrate(u**2 / width, (u, -width / 2, width / 2))
    laplace = sp.exp(-sp.Abs(u) / scale) / (2 * scale)
    laplace_var = 2 * sp.integrate((u**2 * laplace).subs(sp.Abs(u), u), (u, 0, sp.oo))
    assert_equal(uniform_var, std**2, "variance of the uniform")
    assert_equal(laplace_var, std**2, "variance of the Laplace")
    h_uniform = sp.log(width)
    h_laplace = 2 * sp.integrate(
        (-laplace * sp.expand_log(sp.log(laplace), force=True)).subs(sp.Abs(u), u), (u, 0, sp.oo)
    )
    for name, h in (("uniform", h_uniform), ("Laplace", h_laplace)):
        gap = sp.simplify(sp.expand_log(entropy - h, force=True))
        assert_true(gap.is_positive, f"the Gaussian's entropy exceeds the {name}'s")


# --- estimating the mean and std -----------------------------------------------------------


def _observations(size):
    return sp.Matrix(sp.symbols(f"x1:{size + 1}", real=True))


def _loglik(xs, m, sd):
    return sp.Add(*[sp.expand_log(sp.log(normal_pdf_expr(xi, m, sd)), force=True) for xi in xs])


def _mle(xs):
    """The stationary point of the log-likelihood, solved by sympy: (mean_hat, var_hat, roots).

    `roots` are the roots in std^2 of std^3 times the derivative in std at mean_hat.
    """
    loglik = _loglik(xs, mean, std)
    (mean_hat,) = sp.solve(sp.diff(loglik, mean), mean)
    # std^3 d(loglik)/d(std) = -n std^2 + sum (x_i - mean_hat)^2: a polynomial in std^2
    stationary = sp.expand(sp.diff(loglik, std).subs(mean, mean_hat) * std**3)
    var = sp.Symbol("v", positive=True)
    roots = sp.solve(stationary.subs(std, sp.sqrt(var)), var)
    return mean_hat, roots


@functools.cache
def _mle_every_n():
    """The log-likelihood of n draws and its stationary point, for a symbolic n.

    Returns (loglik, mean_hat, var_hat, hessian at the stationary point), the sums split
    by linearity into n, sum x_i and sum x_i^2.
    """
    loglik = _linear(_sum_i(sp.expand_log(sp.log(normal_pdf_expr(_xs[_i], mean, std)), force=True)))
    (mean_hat,) = sp.solve(_linear(sp.diff(loglik, mean)), mean)
    # std^3 d(loglik)/d(std) at mean_hat = -n std^2 + sum (x_i - mean_hat)^2: linear in std^2
    stationary = sp.expand(_linear(sp.diff(loglik, std)).subs(mean, mean_hat) * std**3)
    v = sp.Symbol("v", positive=True)
    roots = sp.solve(stationary.subs(std, sp.sqrt(v)), v)
    hessian = sp.hessian(loglik, (mean, std))
    return loglik, mean_hat, roots, hessian


@claim(
    "uni-loglik",
    "uni-mle",
    statement="the log-likelihood of n draws is -n log(2 pi)/2 - n log std - sum (x_i - mean)^2/(2 std^2); "
    "its only stationary point with std > 0 is the sample mean and the std dividing by n, where the "
    "Hessian is diag(-n/std_hat^2, -2n/std_hat^2), negative definite: a local maximum",
    scope=(
        "symbolic: every real x_i and every n, at a stationary point with std_hat^2 > 0 (n >= 2 "
        "draws not all equal); that the local maximum is global (the only stationary point, "
        "the log-likelihood tending to -infinity at the boundary) is argued on the page, not "
        "checked; the displays, whose sums are written out, read at n = 4"
    ),
)
def normal_mle():
    loglik, mean_hat, roots, hessian = _mle_every_n()
    displayed = (
        -_n * sp.log(2 * sp.pi) / 2
        - _n * sp.log(std)
        - _sum_i((_xs[_i] - mean) ** 2) / (2 * std**2)
    )
    assert_equal(loglik, _linear(displayed), "log-likelihood, every n")
    sum_x = sp.Sum(_xs[_i], (_i, 1, _n))
    assert_equal(mean_hat, sum_x / _n, "mean_hat, every n")
    xbar = sp.Sum(_xs[_j], (_j, 1, _n)) / _n
    var_hat = _linear(_sum_i((_xs[_i] - xbar) ** 2)) / _n
    assert_true(len(roots) == 1, "one root for std^2 > 0, so one for std > 0")
    assert_equal(roots[0], var_hat, "std_hat^2, every n")
    at_hat = {mean: mean_hat, std: sp.sqrt(roots[0])}
    h = hessian.applyfunc(lambda e: sp.expand(_linear(e).subs(at_hat)))
    # At the stationary point: diag(-n/v, -2n/v) with v = var_hat > 0, negative definite.
    assert_equal(h, sp.diag(-_n / roots[0], -2 * _n / roots[0]), "Hessian at the maximum, every n")


@claim(
    "uni-mle-bias",
    "uni-unbiased",
    statement="E[std_hat^2] = (n-1)/n std^2 for the MLE of the variance, for every n: E[(x_i - xbar)^2] = "
    "std^2 (n-1)/n by linearity and E[z_j z_k] = delta_jk; s^2 = n/(n-1) std_hat^2 divides by n - 1 "
    "and is unbiased",
    method="symbolic + Monte Carlo",
    monte_carlo="tests/package/test_univariate.py::test_fit_mle_variance_is_biased_by_n_minus_one_over_n",
    scope=(
        "symbolic: every real mean, std > 0 and every n >= 2; the display of s^2, whose sum "
        "is written out, read at n = 4; Monte Carlo: "
        "test_fit_mle_variance_is_biased_by_n_minus_one_over_n, n = 5, 20000 samples"
    ),
)
def mle_variance_bias():
    cross, square, _ = _second_moment_of_combinations()
    assert_equal(cross, 0, "E[z_1 z_2] for independent N(0, 1)")
    assert_equal(square, 1, "E[z^2] for N(0, 1)")
    _, per_draw, squares = _sample_moments_every_n()
    assert_equal(per_draw, (_n - 1) / _n * std**2, "E[(x_i - xbar)^2], every n")
    assert_equal(squares, (_n - 1) * std**2, "E[sum (x_i - xbar)^2], every n")
    assert_equal(squares / _n, (_n - 1) / _n * std**2, "E[std_hat^2], every n")
    # s^2 = n/(n-1) std_hat^2 = sum (x_i - xbar)^2 / (n - 1), and its expectation is std^2.
    xbar = sp.Sum(_xs[_j], (_j, 1, _n)) / _n
    total = _sum_i((_xs[_i] - xbar) ** 2)
    assert_equal(_linear(_n / (_n - 1) * total / _n - total / (_n - 1)), 0, "s^2 divides by n - 1")
    assert_equal(_n / (_n - 1) * squares / _n, std**2, "E[s^2], every n")


# --- Box-Muller -------------------------------------------------------------------------

u1 = sp.Symbol("u1", positive=True)  # in (0, 1]
u2 = sp.Symbol("u2", real=True)
z1, z2 = sp.symbols("z1 z2", real=True)


def _box_muller_map():
    radius = sp.sqrt(-2 * sp.log(u1))
    return radius * sp.cos(2 * sp.pi * u2), radius * sp.sin(2 * sp.pi * u2)


def _box_muller_determinant():
    return sp.simplify(sp.Matrix(_box_muller_map()).jacobian([u1, u2]).det())


def _box_muller_density():
    """The density of (z1, z2): 1 / |det J|, with u1 = exp(-(z1^2 + z2^2)/2) from the inverse map."""
    return (1 / sp.Abs(_box_muller_determinant())).subs(u1, sp.exp(-(z1**2 + z2**2) / 2))


@claim(
    "uni-box-muller",
    "uni-box-muller-jacobian",
    "uni-box-muller-density",
    statement="the Box-Muller map has Jacobian determinant of absolute value 2 pi / u1; it sends "
    "z1^2 + z2^2 to -2 log u1, so the density of (z1, z2) is u1 / (2 pi) = phi(z1) phi(z2): two "
    "independent N(0, 1) draws",
    method="symbolic + Monte Carlo",
    monte_carlo="tests/package/test_univariate.py::test_box_muller_draws_are_standard_normal",
    scope=(
        "symbolic: every u1 in (0, 1) and real u2; Monte Carlo: "
        "test_box_muller_draws_are_standard_normal, 20000 draws, KS against scipy"
    ),
)
def box_muller_jacobian():
    map1, map2 = _box_muller_map()
    assert_equal(sp.Abs(_box_muller_determinant()), 2 * sp.pi / u1, "|det J|")
    assert_equal(sp.simplify(map1**2 + map2**2), -2 * sp.log(u1), "z1^2 + z2^2")
    product = normal_pdf_expr(z1, 0, 1) * normal_pdf_expr(z2, 0, 1)
    assert_equal(_box_muller_density(), product, "density of (z1, z2)")


# --- what the chapter displays ------------------------------------------------------

n = sp.Symbol("n", integer=True, positive=True)
x_bar, s = sp.symbols("xbar s", real=True)

#: The names of chapter 1, as its displays write them.
ENV = {
    "x": x,
    "z": z,
    r"\mu": mean,
    r"\sigma": std,
    "n": n,
    r"\bar{x}": x_bar,
    "s": s,
    "Z": _standard,
    "e": sp.E,
    "p": lambda v: normal_pdf_expr(v, mean, std),
    r"\mathbb{R}": sp.Reals,
}


@binds("uni-pdf", normal_pdf_normalised)
def _uni_pdf():
    density = normal_pdf_expr(x, mean, std)
    return [(ENV, [[density, "=", density], [x, "in", sp.Reals]])]


@binds("uni-pdf-max", normal_pdf_maximum)
def _uni_pdf_max():
    (critical,) = sp.solve(sp.diff(normal_pdf_expr(x, mean, std), x), x)
    peak = normal_pdf_expr(critical, mean, std)
    return [(ENV, [[peak, "=", peak]])]


@binds("uni-exceeds-one", normal_pdf_exceeds_one_threshold)
def _uni_exceeds_one():
    peak = normal_pdf_expr(mean, mean, std)
    solution = sp.solve_univariate_inequality(peak > 1, std, relational=False)
    return [(ENV, [[peak, ">", 1, "iff", std, "<", solution.sup]])]


def _probability_below(event):
    """P(a + b Z <= c) for b > 0: the CDF of a + b Z at c, read from the event as displayed."""
    if not isinstance(event, sp.LessThan):
        raise ValueError(f"expected an event A <= c, got {event}")
    a, b = event.lhs.subs(_standard, 0), sp.diff(event.lhs, _standard)
    if sp.expand(event.lhs - a - b * _standard) != 0 or not b.is_positive:
        raise ValueError(f"expected a + b Z with b > 0, got {event.lhs}")
    if (a, b) == (0, 1):
        return _cdf(_standard)(event.rhs)
    if (a, b) == (mean, std):
        return _cdf(mean + std * _standard)(event.rhs)
    return _cdf(_standard)((event.rhs - a) / b)


_AFFINE_ENV = {
    **ENV,
    "F_X": lambda v: _cdf(mean + std * _standard)(v),
    "P": lambda event: _probability_below(event),
    r"\Phi": lambda v: _cdf(_standard)(v),
    r"\varphi": lambda v: normal_pdf_expr(v, 0, 1),
    "p_X": lambda v: st.density(mean + std * _standard)(v),
}


@binds("uni-affine-cdf", normal_affine_change_of_variables)
def _uni_affine_cdf():
    cdf_x, cdf_z = _affine_cdfs()
    return [(_AFFINE_ENV, [[cdf_x, "=", cdf_x, "=", cdf_z, "=", cdf_z]])]


@binds("uni-affine-pdf", normal_affine_change_of_variables)
def _uni_affine_pdf():
    lines = _affine_density_lines()
    density = st.density(mean + std * _standard)(x)
    return [(_AFFINE_ENV, [[density, "=", lines[0], "=", lines[1], "=", lines[2], "=", lines[3]]])]


@binds("uni-se-mean", sample_mean_standard_error)
def _uni_se_mean():
    se = sp.sqrt(_sample_moments_every_n()[0])  # the claim's Var[xbar], every n
    env = {**ENV, r"\operatorname{se}": {x_bar: se}.__getitem__}
    return [(env, [[se, "=", se]])]


@binds("uni-se-var", sample_variance_standard_error)
def _uni_se_var():
    se = sp.sqrt(_chi_square_law_variance_of_s2())  # the claim's Var[s^2], every n
    env = {**ENV, r"\operatorname{se}": {s**2: se}.__getitem__}
    return [(env, [[se, "=", se]])]


@binds("uni-gauss-integral", gaussian_integral_polar)
def _uni_gauss_integral():
    one_d = sp.integrate(sp.exp(-(x**2) / 2), (x, -sp.oo, sp.oo))
    env = {**ENV, "r": r}
    return [(env, [[one_d**2, "=", 2 * sp.pi * _polar_integral(), "=", 2 * sp.pi]])]


_EXPECT_ENV = {
    **ENV,
    "X": _X,
    "t": t,
    "E": _expect,
    r"\operatorname{Var}": lambda e: _expect((e - _expect(e)) ** 2),
    "p": lambda v: normal_pdf_expr(v, mean, std),
}


@binds("uni-moments", normal_mean_and_variance)
def _uni_moments():
    first, second = _expect(_X), _expect((_X - mean) ** 2)
    return [(_EXPECT_ENV, [[first, "=", first, "=", mean], [second, "=", second, "=", std**2]])]


@binds("uni-mgf", normal_mgf)
def _uni_mgf():
    mgf = _mgf()
    env = {**_EXPECT_ENV, "M_X": lambda v: mgf.subs(t, v)}
    return [(env, [[mgf, "=", mgf, "=", sp.exp(mean * t + std**2 * t**2 / 2)]])]


@binds("uni-fourth-moment", fourth_central_moment)
def _uni_fourth_moment():
    fourth = _expect((_X - mean) ** 4)
    return [(_EXPECT_ENV, [[fourth, "=", sp.factorial(4) * std**4 / 8, "=", 3 * std**4]])]


@binds("uni-entropy", maximum_entropy)
def _uni_entropy():
    entropy = sp.log(2 * sp.pi * sp.E * std**2) / 2
    steps = [sp.log(2 * sp.pi * std**2) / 2 + _expect((_X - mean) ** 2) / (2 * std**2), entropy]
    env = {**_EXPECT_ENV, "h": lambda v: entropy}
    return [(env, [[entropy, "=", entropy, "=", steps[0], "=", steps[1]]])]


#: The sample size at which the displays with sums are read.
_SHOWN_SIZE = 4


def _sample_env():
    xs = _observations(_SHOWN_SIZE)
    mean_hat, (var_hat,) = _mle(xs)
    std_hat = sp.sqrt(var_hat)
    squares = sp.Add(*[(xi - mean_hat) ** 2 for xi in xs])
    env = {
        **ENV,
        "x": xs,
        "n": sp.Integer(_SHOWN_SIZE),
        r"\ell": lambda m, sd: _loglik(xs, m, sd),
        r"\hat{\mu}": mean_hat,
        r"\hat{\sigma}": std_hat,
        r"\bar{x}": mean_hat,
        "s": sp.sqrt(squares / (_SHOWN_SIZE - 1)),
    }
    return env, mean_hat, std_hat, squares


@binds("uni-loglik", normal_mle)
def _uni_loglik():
    env, *_ = _sample_env()
    loglik = _loglik(env["x"], mean, std)
    return [(env, [[loglik, "=", loglik, "=", loglik]])]


@binds("uni-mle", normal_mle)
def _uni_mle():
    env, mean_hat, std_hat, squares = _sample_env()
    return [(env, [[mean_hat, "=", mean_hat], [std_hat**2, "=", squares / _SHOWN_SIZE]])]


@binds("uni-mle-bias", mle_variance_bias)
def _uni_mle_bias():
    std_hat = sp.Symbol("sigma_hat", positive=True)
    biased = _sample_moments_every_n()[2] / n  # the claim's E[std_hat^2], every n
    env = {**ENV, r"\hat{\sigma}": std_hat, "E": {std_hat**2: biased}.__getitem__}
    return [(env, [[biased, "=", biased]])]


@binds("uni-unbiased", mle_variance_bias)
def _uni_unbiased():
    env, _, _, squares = _sample_env()
    unbiased = squares / (_SHOWN_SIZE - 1)
    return [(env, [[unbiased, "=", unbiased, "=", unbiased]])]


_BOX_MULLER_ENV = {**ENV, "u_1": u1, "u_2": u2}


@binds("uni-box-muller", box_muller_jacobian)
def _uni_box_muller():
    map1, map2 = _box_muller_map()
    env = {**_BOX_MULLER_ENV, "z_1": map1, "z_2": map2}
    return [(env, [[map1, "=", map1], [map2, "=", map2]])]


@binds("uni-box-muller-jacobian", box_muller_jacobian)
def _uni_box_muller_jacobian():
    map1, map2 = _box_muller_map()
    env = {**_BOX_MULLER_ENV, "z_1": map1, "z_2": map2}
    determinant = sp.Abs(_box_muller_determinant())
    return [(env, [[determinant, "=", 2 * sp.pi / u1]])]


@binds("uni-box-muller-density", box_muller_jacobian)
def _uni_box_muller_density():
    density = _box_muller_density()
    env = {
        **ENV,
        "z_1": z1,
        "z_2": z2,
        "u_1": sp.exp(-(z1**2 + z2**2) / 2),
        "p": lambda a, b: density,
        r"\varphi": lambda v: normal_pdf_expr(v, 0, 1),
    }
    return [(env, [[density, "=", density, "=", density, "=", density]])]


# --- the chi-square moment generating function ---------------------------------------

_k = sp.Symbol("k", positive=True)  # degrees of freedom, every real k > 0
_u = sp.Symbol("u", positive=True)  # t = (1 - u)/2 with u > 0 covers every t < 1/2
_Q = sp.Symbol("Q", positive=True)
_T_BELOW_HALF = (1 - _u) / 2


def _chi_square_density(q, dof):
    """The chi-square density with `dof` degrees of freedom, as displayed in chapter 1."""
    return q ** (dof / 2 - 1) * sp.exp(-q / 2) / (2 ** (dof / 2) * sp.gamma(dof / 2))


def _expect_chi_square(expr):
    """E[expr] for Q ~ chi-square(k), the terms of the exponent collected before integrating."""
    integrand = sp.powsimp(expr * _chi_square_density(_Q, _k), combine="exp")
    integrand = integrand.replace(sp.exp, lambda a: sp.exp(sp.expand(a)))
    return sp.integrate(integrand, (_Q, 0, sp.oo))


@claim(
    "uni-chi2-pdf",
    statement="the chi-square density f_k(q) = q^(k/2 - 1) exp(-q/2) / (2^(k/2) Gamma(k/2)) is "
    "positive on q > 0 and integrates to one, for every k > 0",
    scope="symbolic: every real k > 0 and q > 0",
)
def chi_square_density():
    density = _chi_square_density(_Q, _k)
    assert_true(sp.ask(sp.Q.positive(density)), "f_k(q) > 0 for q > 0")
    assert_equal(_expect_chi_square(sp.Integer(1)), 1, "the integral of f_k over q > 0")


@binds("uni-chi2-pdf", chi_square_density, scope="read for every k > 0 and q > 0")
def _uni_chi2_pdf():
    env = {**ENV, r"\nu": _k, "q": _Q, r"f_\nu": lambda v: _chi_square_density(v, _k)}
    density = _chi_square_density(_Q, _k)
    return [(env, [[density, "=", density], [_Q, ">", 0]])]


@functools.cache
def _chi_square_mgf_lines():
    """E[exp(t Z^2)] for one N(0, 1) square, its k-th power, and E[exp(t Q)] under f_k."""
    t_ = _T_BELOW_HALF
    exponent = sp.expand(t_ * z**2 - z**2 / 2)  # collect the terms: -(1 - 2t) z^2 / 2
    one = sp.integrate(sp.exp(exponent) / sp.sqrt(2 * sp.pi), (z, -sp.oo, sp.oo))
    i = sp.Symbol("i", integer=True, positive=True)
    product = sp.Product(one, (i, 1, _k)).doit()  # independence: E of a product of k factors
    return one, product, _expect_chi_square(sp.exp(t_ * _Q))


@claim(
    "uni-chi2-mgf",
    statement="for t < 1/2, E[exp(t Z^2)] = (1 - 2t)^(-1/2) for Z ~ N(0, 1), so a sum Q of k "
    "independent squares has M_Q(t) = (1 - 2t)^(-k/2), and the chi-square(k) density has "
    "this moment generating function",
    scope="symbolic: every real t < 1/2 and every real k > 0 (every whole k for the product)",
)
def chi_square_mgf():
    one, product, density_mgf = _chi_square_mgf_lines()
    t_ = _T_BELOW_HALF
    assert_equal(one, (1 - 2 * t_) ** sp.Rational(-1, 2), "E[exp(t Z^2)]")
    assert_equal(product, (1 - 2 * t_) ** (-_k / 2), "product of k factors")
    assert_equal(density_mgf, (1 - 2 * t_) ** (-_k / 2), "E[exp(t Q)] under the chi-square density")


@binds("uni-chi2-mgf", chi_square_mgf, scope="read for every t < 1/2 and k > 0")
def _uni_chi2_mgf():
    _, product, density_mgf = _chi_square_mgf_lines()
    env = {
        **ENV,
        r"\nu": _k,
        "t": _T_BELOW_HALF,
        "Q": _Q,
        "M_Q": lambda v: product.subs(_u, 1 - 2 * v),
        "E": _expect_chi_square,
    }
    return [(env, [[product, "=", density_mgf, "=", product], [_T_BELOW_HALF, "<", sp.S.Half]])]
