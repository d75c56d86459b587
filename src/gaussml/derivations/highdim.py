"""Claims of chapter 2, Gaussians in high dimension."""

import sympy as sp
import sympy.stats as st

from ._registry import assert_equal, assert_steps, assert_true, claim

__all__ = [
    "chi_density_change_of_variables",
    "chi_loglik_gap_of_linear_path",
    "chi_mean_asymptotics",
    "chi_mean_formula",
    "chi_mode",
    "chi_square_laplace_transform",
    "difference_of_draws",
    "distance_density",
    "euclidean_norm",
    "expected_loglik_along_paths",
    "interpolation_variances",
    "std_normal_loglik_formula",
    "unit_ball_probability_bound",
]

D = sp.Symbol("D", positive=True)  # the dimension; the identities hold for every D > 0
k = sp.Symbol("k", positive=True)  # k = D / 2
r, q, t, w, s = sp.symbols("r q t w s", positive=True)
alpha = sp.Symbol("alpha", nonnegative=True)
x = sp.Symbol("x", real=True)


def chi_square_pdf(q, dim):
    """The chi-square density with `dim` degrees of freedom, as displayed in the book."""
    return q ** (dim / 2 - 1) * sp.exp(-q / 2) / (2 ** (dim / 2) * sp.gamma(dim / 2))


def chi_pdf(r, dim):
    """The chi density with `dim` degrees of freedom, as displayed in the book."""
    return r ** (dim - 1) * sp.exp(-(r**2) / 2) / (2 ** (dim / 2 - 1) * sp.gamma(dim / 2))


def distance_pdf(t, dim):
    """The density of the distance between two independent N(0, I) draws, as displayed."""
    return t ** (dim - 1) * sp.exp(-(t**2) / 4) / (2 ** (dim - 1) * sp.gamma(dim / 2))


def std_normal_pdf(x):
    return sp.exp(-(x**2) / 2) / sp.sqrt(2 * sp.pi)


@claim(
    "hd-norm",
    statement="sqrt(x^T x) and sqrt(sum x_i^2) both equal sympy's Euclidean norm of x (D = 1 to 8); "
    "the norm is |x| in one dimension and scales as |c| under x -> c x for every D, while x^T x scales as c^2",
    scope="symbolic in every real x_i: the equality for D = 1..8, the scaling for general D and every real c",
)
def euclidean_norm():
    c = sp.Symbol("c", real=True)
    for dim in range(1, 9):
        v = sp.Matrix(sp.symbols(f"x1:{dim + 1}", real=True))
        # Matrix.norm() is sympy's own 2-norm, sqrt(sum |x_i|^2): an independent reference.
        assert_equal(sp.sqrt((v.T * v)[0, 0]), v.norm(), f"sqrt(x^T x), D = {dim}")
        assert_equal(sp.sqrt(sp.Add(*[xi**2 for xi in v])), v.norm(), f"sqrt(sum x_i^2), D = {dim}")
        if dim == 1:
            assert_equal(v.norm(), sp.Abs(v[0]), "the length of a number is its absolute value")
    # Every dimension D: sqrt(sum (c x_i)^2) = |c| sqrt(sum x_i^2), but sum (c x_i)^2 = c^2 sum x_i^2.
    i = sp.Symbol("i", integer=True, positive=True)
    dim = sp.Symbol("D", integer=True, positive=True)
    xi = sp.IndexedBase("x", real=True)[i]
    squares = sp.Sum(xi**2, (i, 1, dim))
    scaled = sp.Sum((c * xi) ** 2, (i, 1, dim))
    assert_equal(sp.sqrt(scaled), sp.Abs(c) * sp.sqrt(squares), "||c x|| = |c| ||x||, every D")
    assert_equal(scaled, c**2 * squares, "(c x)^T (c x) = c^2 x^T x, every D")
    at_one = (scaled - sp.Abs(c) * squares).subs({c: -2, dim: 1}).doit()
    assert_equal(at_one.subs(xi.subs(i, 1), 1), 2, "x^T x does not scale as |c|: c = -2, x = 1")


@claim(
    "hd-chisq",
    statement="the sum of D squared independent N(0, 1) variables has the chi-square(D) density: "
    "both have the Laplace transform (1 + 2w)^(-D/2)",
    scope="symbolic: every real D > 0 and every w > 0",
)
def chi_square_laplace_transform():
    one = sp.integrate(sp.exp(-w * x**2) * std_normal_pdf(x), (x, -sp.oo, sp.oo))
    assert_equal(one, (1 + 2 * w) ** sp.Rational(-1, 2), "E[exp(-w X^2)] for X ~ N(0, 1)")
    # Independence: the transform of a sum of D squares is the D-th power.
    transform = sp.integrate(sp.exp(-w * q) * chi_square_pdf(q, D), (q, 0, sp.oo))
    assert_equal(transform, one**D, "Laplace transform of the chi-square(D) density")
    assert_equal(chi_square_pdf(q, D), st.density(st.ChiSquared("Q", D))(q), "sympy.stats")


@claim(
    "hd-chi-pdf",
    statement="R = sqrt(Q) with Q ~ chi-square(D) has the chi density, each line of the change of variables "
    "checked; it integrates to 1 for every D > 0 and matches sympy.stats.Chi",
    scope="symbolic: every real D > 0 and r > 0",
)
def chi_density_change_of_variables():
    assert_steps(
        [
            chi_square_pdf(q, D).subs(q, r**2) * sp.diff(r**2, r),
            chi_square_pdf(r**2, D) * 2 * r,
            (r**2) ** (D / 2 - 1) * sp.exp(-(r**2) / 2) * 2 * r / (2 ** (D / 2) * sp.gamma(D / 2)),
            chi_pdf(r, D),
        ],
        "density of R = sqrt(Q)",
    )
    assert_equal(sp.integrate(chi_pdf(r, D), (r, 0, sp.oo)), 1, "integral of the chi density")
    assert_equal(chi_pdf(r, D), st.density(st.Chi("R", D))(r), "sympy.stats.Chi")


@claim(
    "hd-chi-mean",
    statement="E||x|| = sqrt(2) Gamma((D+1)/2) / Gamma(D/2) and E||x||^2 = D, by integrating against the chi density",
    method="symbolic + Monte Carlo",
    monte_carlo="tests/test_highdim.py::test_norm_variance_by_simulation",
    scope=(
        "symbolic: every real D > 0; Monte Carlo: test_norm_variance_by_simulation, D = "
        "1000, 20000 draws"
    ),
)
def chi_mean_formula():
    mean = sp.integrate(r * chi_pdf(r, D), (r, 0, sp.oo))
    assert_equal(mean, sp.sqrt(2) * sp.gamma((D + 1) / 2) / sp.gamma(D / 2), "E||x||")
    assert_equal(sp.integrate(r**2 * chi_pdf(r, D), (r, 0, sp.oo)), D, "E||x||^2")


@claim(
    "hd-chi-mode",
    statement="for D > 1 the chi density has its only critical point r > 0 at sqrt(D - 1), a maximum",
    scope="symbolic: every real D > 1",
)
def chi_mode():
    dim = sp.Symbol("D", positive=True)
    d = dim + 1  # D = d + 1 > 1 with d > 0
    log_density = sp.expand_log(sp.log(chi_pdf(r, d)))
    critical = sp.solve(sp.diff(log_density, r), r)
    assert_equal(sp.Matrix(critical), sp.Matrix([sp.sqrt(d - 1)]), "critical points")
    curvature = sp.diff(log_density, r, 2).subs(r, sp.sqrt(d - 1))
    assert_true(sp.ask(sp.Q.negative(sp.simplify(curvature))), "second derivative < 0")


@claim(
    "hd-chi-asym",
    statement="E||x|| / sqrt(D) = 1 - 1/(4D) + O(1/D^2) and Var||x|| = D - (E||x||)^2 tends to 1/2; "
    "the asymptotic series of log Gamma(k + 1/2) - log Gamma(k) - log(k)/2 used by gaussml.highdim is checked too",
    method="symbolic + Monte Carlo",
    monte_carlo="tests/test_highdim.py::test_norm_variance_by_simulation",
    scope=(
        "symbolic asymptotic series as D -> infinity (log-ratio to order D^-7, "
        "E||x||/sqrt(D) to order 1/D, the limit of Var||x||); Monte Carlo: "
        "test_norm_variance_by_simulation, D = 1000, 20000 draws"
    ),
)
def chi_mean_asymptotics():
    ratio = sp.loggamma(k + sp.Rational(1, 2)) - sp.loggamma(k) - sp.log(k) / 2
    series = sp.series(ratio, k, sp.oo, n=9).removeO()
    used = -1 / (8 * k) + 1 / (192 * k**3) - 1 / (640 * k**5) + 17 / (14336 * k**7)
    assert_equal(series, used, "series of the log-ratio of Gamma functions")
    # With k = D/2: E||x|| = sqrt(D) exp(ratio), so E||x|| / sqrt(D) = 1 - 1/(4D) + O(1/D^2).
    relative = sp.series(sp.exp(used.subs(k, D / 2)), D, sp.oo, n=2).removeO()
    assert_equal(relative, 1 - 1 / (4 * D), "E||x|| / sqrt(D)")
    variance = D * (1 - sp.exp(2 * used.subs(k, D / 2)))
    assert_equal(sp.limit(variance, D, sp.oo), sp.Rational(1, 2), "limit of Var||x||")


@claim(
    "hd-loglik",
    statement="the N(0, I_D) log-density is the sum of D univariate log-densities, -x^T x / 2 - (D/2) log(2 pi) "
    "(checked for D = 1 to 4)",
    scope="symbolic: every real x, D = 1..4",
)
def std_normal_loglik_formula():
    for dim in range(1, 5):
        v = sp.Matrix(sp.symbols(f"x1:{dim + 1}", real=True))
        total = sum(sp.log(std_normal_pdf(xi)) for xi in v)
        assert_equal(
            total, -(v.T * v)[0, 0] / 2 - sp.Rational(dim, 2) * sp.log(2 * sp.pi), f"D = {dim}"
        )


@claim(
    "hd-ball",
    statement="P(||x|| <= 1) lies between exp(-1/2) and 1 times 2^(-D/2) / Gamma(D/2 + 1), "
    "because exp(-r^2/2) lies in [exp(-1/2), 1] on [0, 1]",
    scope=(
        "symbolic: the bounds for every real D > 0; the two-sided inequality with the "
        "exact probability for D = 1..8"
    ),
)
def unit_ball_probability_bound():
    bound = 2 ** (-D / 2) / sp.gamma(D / 2 + 1)
    # f_chi(r) = w(r) exp(-r^2/2) with a weight w > 0 whose integral over [0, 1] is the bound.
    weight = r ** (D - 1) / (2 ** (D / 2 - 1) * sp.gamma(D / 2))
    assert_equal(chi_pdf(r, D), weight * sp.exp(-(r**2) / 2), "f_chi = w(r) exp(-r^2/2)")
    assert_true(sp.ask(sp.Q.positive(weight)), "w(r) > 0 for r > 0")
    assert_equal(sp.integrate(weight, (r, 0, 1)), bound, "integral of w over [0, 1]")
    # On [0, 1], exp(-1/2) <= exp(-r^2/2) <= 1, so exp(-1/2) w <= f_chi <= w there, and
    # integrating over [0, 1] (the integral is monotone) gives exp(-1/2) bound <= P <= bound.
    unit = sp.Interval(0, 1)
    factor = sp.exp(-(r**2) / 2)
    assert_equal(sp.minimum(factor, r, unit), sp.exp(-sp.Rational(1, 2)), "min of exp(-r^2/2)")
    assert_equal(sp.maximum(factor, r, unit), 1, "max of exp(-r^2/2)")
    # The two-sided inequality with the exact P(||x|| <= 1) = F_chi(1): F_chi vanishes at 0
    # and has derivative f_chi, so it is the integral of f_chi from 0.
    chi_cdf = sp.lowergamma(D / 2, r**2 / 2) / sp.gamma(D / 2)
    assert_equal(chi_cdf.subs(r, 0), 0, "F_chi(0)")
    assert_equal(sp.diff(chi_cdf, r), chi_pdf(r, D), "F_chi' = f_chi")
    inside = chi_cdf.subs(r, 1)
    for dim in range(1, 9):
        lower, exact, upper = (
            e.subs(D, dim) for e in (sp.exp(-sp.Rational(1, 2)) * bound, inside, bound)
        )
        assert_true(sp.And(lower <= exact, exact <= upper), f"the bounds hold, D = {dim}")


@claim(
    "hd-diff",
    statement="the difference of two independent N(0, 1) coordinates is N(0, 2): variance 2, standard deviation "
    "sqrt(2), density exp(-z^2/4)/(2 sqrt(pi))",
    method="symbolic + Monte Carlo",
    monte_carlo="tests/test_highdim.py::test_simulated_distances_follow_distance_pdf",
    scope=(
        "symbolic: one coordinate (the D coordinates are independent and alike); Monte "
        "Carlo: test_simulated_distances_follow_distance_pdf, D = 1, 2, 3, 10, 100, 4000 "
        "draws each"
    ),
)
def difference_of_draws():
    xa, xb = st.Normal("x_a", 0, 1), st.Normal("x_b", 0, 1)
    assert_equal(st.E(xa - xb), 0, "mean")
    assert_equal(st.variance(xa - xb), 2, "variance")
    assert_equal(st.std(xa - xb), sp.sqrt(2), "standard deviation")
    z = sp.Symbol("z", real=True)
    normal_var_2 = sp.exp(-(z**2) / (2 * 2)) / sp.sqrt(2 * sp.pi * 2)
    assert_equal(st.density(xa - xb)(z), normal_var_2, "density of x_a - x_b")


@claim(
    "hd-dist-cdf",
    "hd-dist-pdf",
    statement="T = sqrt(2) Z with Z ~ chi(D) has density f_chi(t/sqrt 2; D)/sqrt 2 = t^(D-1) exp(-t^2/4) / "
    "(2^(D-1) Gamma(D/2)), each line checked; it integrates to 1 and E T = sqrt(2) E||x||",
    method="symbolic + Monte Carlo",
    monte_carlo="tests/test_highdim.py::test_simulated_distances_follow_distance_pdf",
    scope=(
        "symbolic: every real D > 0 and t > 0; Monte Carlo: "
        "test_simulated_distances_follow_distance_pdf, D = 1, 2, 3, 10, 100, 4000 draws "
        "each"
    ),
)
def distance_density():
    z = sp.Symbol("z", positive=True)
    # The event: for t > 0, sqrt(2) Z <= t exactly when Z <= t / sqrt(2), so
    # F_T(t) = P(sqrt 2 Z <= t) = P(Z <= t / sqrt 2) = F_chi(t / sqrt 2).
    event = sp.solve_univariate_inequality(sp.sqrt(2) * z <= t, z, relational=False)
    assert_true(event == sp.Interval(-sp.oo, t / sp.sqrt(2)), "sqrt(2) Z <= t iff Z <= t/sqrt(2)")

    # F_chi(z) = P(Z <= z) = int_0^z f_chi: the closed form below vanishes at 0 and has
    # derivative f_chi, so it is that integral (fundamental theorem of calculus).
    def chi_cdf(u):
        return sp.lowergamma(D / 2, u**2 / 2) / sp.gamma(D / 2)

    assert_equal(chi_cdf(0), 0, "F_chi(0)")
    assert_equal(sp.diff(chi_cdf(z), z), chi_pdf(z, D), "F_chi' = f_chi")
    cdf_t = chi_cdf(t / sp.sqrt(2))
    # Differentiating F_T gives the first line of the density below, then each line in turn.
    assert_steps(
        [
            sp.diff(cdf_t, t),
            chi_pdf(z, D).subs(z, t / sp.sqrt(2)) * sp.diff(t / sp.sqrt(2), t),
            chi_pdf(t / sp.sqrt(2), D) / sp.sqrt(2),
            (t / sp.sqrt(2)) ** (D - 1)
            * sp.exp(-(t**2) / 4)
            / (sp.sqrt(2) * 2 ** (D / 2 - 1) * sp.gamma(D / 2)),
            distance_pdf(t, D),
        ],
        "density of T",
    )
    assert_equal(sp.integrate(distance_pdf(t, D), (t, 0, sp.oo)), 1, "integral of f_T")
    assert_equal(
        sp.integrate(t * distance_pdf(t, D), (t, 0, sp.oo)),
        2 * sp.gamma((D + 1) / 2) / sp.gamma(D / 2),
        "E T",
    )


@claim(
    "hd-lerp-var",
    "hd-polar-var",
    statement="for independent N(0, 1) coordinates, Var[alpha x_a + (1-alpha) x_b] = alpha^2 + (1-alpha)^2 "
    "= 1 - 2 alpha (1 - alpha) and Var[sqrt(alpha) x_a + sqrt(1-alpha) x_b] = 1",
    method="symbolic + Monte Carlo",
    monte_carlo="tests/test_highdim.py::test_interpolation_variances_by_simulation",
    scope=(
        "symbolic: every alpha in [0, 1]; Monte Carlo: "
        "test_interpolation_variances_by_simulation, alpha = 0, 0.1, 0.5, 0.8, 1, 200000 "
        "draws"
    ),
)
def interpolation_variances():
    xa, xb = st.Normal("x_a", 0, 1), st.Normal("x_b", 0, 1)
    linear = alpha * xa + (1 - alpha) * xb
    polar = sp.sqrt(alpha) * xa + sp.sqrt(1 - alpha) * xb
    assert_equal(st.E(linear), 0, "mean of the linear path")
    assert_steps(
        [st.variance(linear), alpha**2 + (1 - alpha) ** 2, 1 - 2 * alpha * (1 - alpha)],
        "variance of the linear path",
    )
    assert_equal(st.E(polar), 0, "mean of the polar path")
    assert_steps(
        [st.variance(polar), sp.sqrt(alpha) ** 2 + sp.sqrt(1 - alpha) ** 2, 1],
        "variance of the polar path",
    )


@claim(
    "hd-exp-loglik",
    statement="if z ~ N(0, s^2 I_D) then E[log N(z; 0, I_D)] = -(D/2)(s^2 + log 2 pi); on the linear path "
    "(s^2 = alpha^2 + (1-alpha)^2) this exceeds the end points' value by D alpha (1 - alpha)",
    method="symbolic + Monte Carlo",
    monte_carlo="tests/test_highdim.py::test_loglik_along_paths_by_simulation",
    scope=(
        "symbolic: every real D > 0, s > 0 and alpha in [0, 1]; Monte Carlo: "
        "test_loglik_along_paths_by_simulation, D = 1, 2, 3, 10, 100, 2000 draws, 11 "
        "values of alpha"
    ),
)
def expected_loglik_along_paths():
    coordinate = st.Normal("z", 0, s)
    per_coordinate = st.E(sp.log(std_normal_pdf(coordinate)))
    expected = D * per_coordinate  # linearity of expectation over the D coordinates
    assert_equal(expected, -D / 2 * (s**2 + sp.log(2 * sp.pi)), "E[log N(z; 0, I)]")
    on_path = expected.subs(s, sp.sqrt(alpha**2 + (1 - alpha) ** 2))
    assert_equal(
        on_path - expected.subs(s, 1), D * alpha * (1 - alpha), "excess on the linear path"
    )


@claim(
    "hd-chi-gap",
    statement="if ||z|| = s R with R ~ chi(D), then E[log f_chi(||z||)] - E[log f_chi(R)] = (D-1) log s + "
    "D (1 - s^2)/2, which is largest at s^2 = (D - 1)/D; and log s + (1 - s^2)/2 < 0 for 0 < s < 1",
    method="symbolic + Monte Carlo",
    monte_carlo="tests/test_highdim.py::test_chi_loglik_gap_of_the_linear_path",
    scope=(
        "symbolic: every real D > 0 and s > 0, the maximiser for every D > 1; Monte "
        "Carlo: test_chi_loglik_gap_of_the_linear_path, D = 1, 2, 3, 10, 100, alpha = "
        "0.5, 20000 draws"
    ),
)
def chi_loglik_gap_of_linear_path():
    log_f = sp.expand_log(sp.log(chi_pdf(r, D)))
    pointwise = sp.expand_log(sp.log(chi_pdf(s * r, D))) - log_f
    assert_equal(pointwise, (D - 1) * sp.log(s) - (s**2 - 1) * r**2 / 2, "pointwise gap")
    # Average over R ~ chi(D), using E R^2 = D (the claim hd-chi-mean).
    gap = sp.integrate(pointwise * chi_pdf(r, D), (r, 0, sp.oo))
    assert_equal(gap, (D - 1) * sp.log(s) + D * (1 - s**2) / 2, "expected gap")
    # g(s) = log s + (1 - s^2)/2 has g(1) = 0 and g'(s) = (1 - s^2)/s > 0 on (0, 1), so g < 0 there.
    g = sp.log(s) + (1 - s**2) / 2
    u = sp.Symbol("u", positive=True)  # s = 1 / (1 + u) covers (0, 1)
    assert_equal(g.subs(s, 1), 0, "g(1)")
    assert_equal(sp.diff(g, s), (1 - s**2) / s, "g'(s)")
    derivative_inside = sp.factor(sp.diff(g, s).subs(s, 1 / (1 + u)))
    assert_true(sp.ask(sp.Q.positive(derivative_inside)), "g' > 0 on (0, 1)")
    # For D > 1 the gap is largest at s^2 = (D - 1)/D, reached on the linear path where
    # alpha (1 - alpha) = 1 / (2D).
    d = D + 1  # D = d + 1 > 1
    gap_d = ((D - 1) * sp.log(s) + D * (1 - s**2) / 2).subs(D, d)  # the closed form above
    critical = sp.solve(sp.diff(gap_d, s), s)
    assert_equal(sp.Matrix(critical), sp.Matrix([sp.sqrt((d - 1) / d)]), "maximiser of the gap")
    assert_true(sp.ask(sp.Q.negative(sp.diff(gap_d, s, 2))), "the gap is concave in s")
    assert_equal(((1 - critical[0] ** 2) / 2), 1 / (2 * d), "alpha (1 - alpha) at the maximiser")
