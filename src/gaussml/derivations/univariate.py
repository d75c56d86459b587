"""Claims of chapter 1, the univariate Gaussian."""

import functools

import sympy as sp
import sympy.stats as st

from ._registry import assert_equal, assert_steps, assert_true, claim

__all__ = [
    "normal_affine_change_of_variables",
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
    standard = st.Normal("Z", 0, 1)
    cdf_x = st.cdf(mean + std * standard)(x)
    cdf_z = st.cdf(standard)((x - mean) / std)
    assert_equal(cdf_x, cdf_z, "CDF of mean + std Z")
    # The density, line by line: differentiate, chain rule, substitute the N(0, 1) density.
    phi = normal_pdf_expr(z, 0, 1)
    u = (x - mean) / std
    assert_steps(
        [
            sp.diff(cdf_z, x),
            phi.subs(z, u) * sp.diff(u, x),
            phi.subs(z, u) / std,
            normal_pdf_expr(x, mean, std),
        ],
        "density of mean + std Z",
    )


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


@claim(
    "uni-se-mean",
    statement="the mean of n independent N(mean, std^2) draws has expectation `mean` and variance std^2 / n, "
    "so standard error std / sqrt(n); derived from independence for n = 2, ..., 6",
    method="symbolic + Monte Carlo",
    monte_carlo="tests/test_univariate.py::test_sample_moments_within_standard_errors",
    scope=(
        "symbolic: every real mean and std > 0, sample sizes n = 2..6; Monte Carlo: "
        "test_sample_moments_within_standard_errors, n = 100000 draws at three (mean, "
        "std)"
    ),
)
def sample_mean_standard_error():
    for size in SAMPLE_SIZES:
        draws = sp.symbols(f"z1:{size + 1}", real=True)  # x_i = mean + std z_i
        sample_mean = sp.Add(*[mean + std * zi for zi in draws]) / size
        expectation = _expect_standard_draws(sample_mean, draws)
        assert_equal(expectation, mean, f"E[mean of {size}]")
        variance = _expect_standard_draws((sample_mean - expectation) ** 2, draws)
        assert_equal(variance, std**2 / size, f"Var[mean of {size}]")
        assert_equal(sp.sqrt(variance), std / sp.sqrt(size), f"se(mean of {size})")


@claim(
    "uni-se-var",
    statement="the unbiased sample variance s^2 of n Gaussian draws has expectation std^2 and standard error "
    "std^2 sqrt(2/(n-1)), derived from the Gaussian moments for n = 2, ..., 6; (n-1) s^2/std^2 has the mean "
    "n - 1 and variance 2(n - 1) of chi-square(n-1) there, as Cochran's theorem gives for every n",
    method="symbolic + Monte Carlo",
    monte_carlo="tests/test_univariate.py::test_sample_moments_within_standard_errors",
    scope=(
        "symbolic: every real mean and std > 0, n = 2..6; every n >= 2 given Cochran's "
        "theorem (cited, not proved); Monte Carlo: "
        "test_sample_moments_within_standard_errors, n = 100000 draws at three (mean, "
        "std)"
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
    # Every n, from (n - 1) s^2 / std^2 ~ chi-square(n - 1) (Cochran's theorem).
    n = sp.Symbol("n", integer=True, positive=True)
    scale = std**2 / (n - 1)  # s^2 = scale * chi-square(n - 1)
    assert_equal(scale**2 * chi_var.subs(k, n - 1), 2 * std**4 / (n - 1), "Var[s^2], every n")
