"""Claims of the chapter on Gaussians in high dimension (`03_highdim.md`)."""

import functools

import sympy as sp
import sympy.stats as st

from ._binding import binds, chain
from ._registry import assert_equal, assert_steps, assert_true, claim

__all__ = [
    "chi_density_change_of_variables",
    "chi_loglik_gap_of_linear_path",
    "chi_mean_asymptotics",
    "chi_mean_formula",
    "chi_mode",
    "chi_moments",
    "chi_square_chernoff_bounds",
    "chi_square_laplace_transform",
    "difference_of_draws",
    "distance_density",
    "euclidean_norm",
    "expected_loglik_along_paths",
    "interpolation_variances",
    "norm_concentration",
    "std_normal_density_is_a_product",
    "std_normal_loglik_formula",
    "typical_set_log_density",
    "unit_ball_probability_bound",
]

D = sp.Symbol("D", positive=True)  # the dimension; the identities hold for every D > 0
k = sp.Symbol("k", positive=True)  # k = D / 2
r, q, t, w, s = sp.symbols("r q t w s", positive=True)
alpha = sp.Symbol("alpha", nonnegative=True)
x = sp.Symbol("x", real=True)
#: The dimensions at which the tail bounds are held against the exact tails.
_TAIL_DIMS = (1, 2, 3, 10, 100, 1000)
#: A symbolic dimension and primed dimension, for the identities proved for every size.
_DIM = sp.Symbol("D", integer=True, positive=True)
_DIM_OUT = sp.Symbol("D'", integer=True, positive=True)


def _is_zero_matrix(expr) -> bool:
    """True when sympy reduces a matrix expression of symbolic size to the zero matrix."""
    reduced = sp.expand(expr.doit())
    return reduced == 0 or bool(getattr(reduced, "is_ZeroMatrix", False))


@functools.cache
def _log_density_every_dim():
    """sum_{i=1}^D log phi(x_i) for a symbolic D, split by linearity: -D/2 log 2 pi - sum x_i^2 / 2."""
    from .univariate import _linear  # the same splitting of sums as in chapter 1's claims

    i = sp.Symbol("i", integer=True, positive=True)
    xs = sp.IndexedBase("x", real=True)
    summand = sp.expand_log(sp.log(std_normal_pdf(xs[i])), force=True)
    squares = _linear(sp.Sum(xs[i] ** 2, (i, 1, _DIM)))
    return _linear(sp.Sum(summand, (i, 1, _DIM))), squares


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
    scope="symbolic in every real x_i: the equality for every D (x^T x = sum x_i^2 for a "
    "D x 1 matrix symbol) and spelled out for D = 1..8, the scaling for every D and every real c; "
    "the display read for D = 1..4",
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
    # x^T x is the sum of squares for a vector of every size D (sympy's matrix product).
    vec = sp.MatrixSymbol("x", _DIM, 1)
    k_ = sp.Symbol("k", integer=True)
    inner = (vec.T * vec)[0, 0]
    assert_true(inner.dummy_eq(sp.Sum(vec[k_, 0] ** 2, (k_, 0, _DIM - 1))), "x^T x, every D")
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
    assert_steps(_chi_pdf_lines(), "density of R = sqrt(Q)")
    assert_equal(sp.integrate(chi_pdf(r, D), (r, 0, sp.oo)), 1, "integral of the chi density")
    assert_equal(chi_pdf(r, D), st.density(st.Chi("R", D))(r), "sympy.stats.Chi")


def _chi_pdf_lines():
    """The displayed lines of the density of R = sqrt(Q)."""
    return [
        chi_square_pdf(q, D).subs(q, r**2) * sp.diff(r**2, r),
        chi_square_pdf(r**2, D) * 2 * r,
        (r**2) ** (D / 2 - 1) * sp.exp(-(r**2) / 2) * 2 * r / (2 ** (D / 2) * sp.gamma(D / 2)),
        chi_pdf(r, D),
    ]


@claim(
    "hd-chi-mean",
    statement="E||x|| = sqrt(2) Gamma((D+1)/2) / Gamma(D/2) and E||x||^2 = D, by integrating against the chi density",
    method="symbolic + Monte Carlo",
    monte_carlo="tests/package/test_highdim.py::test_norm_variance_by_simulation",
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
    monte_carlo="tests/package/test_highdim.py::test_norm_variance_by_simulation",
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
    statement="the N(0, I_D) log-density is the sum of D univariate log-densities, -x^T x / 2 - (D/2) log(2 pi), "
    "for every D (sums split by linearity), and spelled out for D = 1 to 4",
    scope="symbolic: every real x and every D; the display, which shows x^T x, read for D = 1..4",
)
def std_normal_loglik_formula():
    total, squares = _log_density_every_dim()
    assert_equal(total, -squares / 2 - _DIM / 2 * sp.log(2 * sp.pi), "every D")
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
    monte_carlo="tests/package/test_highdim.py::test_simulated_distances_follow_distance_pdf",
    scope=(
        "symbolic: one coordinate (the D coordinates are independent and alike), and the "
        "whole covariance 2 I_D by the affine property for D = 1, 2, 3; Monte "
        "Carlo: test_simulated_distances_follow_distance_pdf, D = 1, 2, 3, 10, 100, 4000 "
        "draws each"
    ),
)
def difference_of_draws():
    for dim in (1, 2, 3):  # the whole covariance: no cross-covariances between coordinates
        assert_equal(_combination_covariance(1, -1, dim), 2 * sp.eye(dim), f"Cov, D = {dim}")
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
    monte_carlo="tests/package/test_highdim.py::test_simulated_distances_follow_distance_pdf",
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
    monte_carlo="tests/package/test_highdim.py::test_interpolation_variances_by_simulation",
    scope=(
        "symbolic: every alpha in [0, 1], per coordinate, and the whole D x D covariance by the "
        "affine property for D = 1, 2, 3; Monte Carlo: "
        "test_interpolation_variances_by_simulation, alpha = 0, 0.1, 0.5, 0.8, 1, 200000 "
        "draws"
    ),
)
def interpolation_variances():
    for dim in (1, 2, 3):  # the whole covariance: no cross-covariances between coordinates
        linear_cov = _combination_covariance(alpha, 1 - alpha, dim)
        polar_cov = _combination_covariance(sp.sqrt(alpha), sp.sqrt(1 - alpha), dim)
        assert_equal(linear_cov, (1 - 2 * alpha * (1 - alpha)) * sp.eye(dim), f"linear, D = {dim}")
        assert_equal(polar_cov, sp.eye(dim), f"polar, D = {dim}")
    linear, polar = _paths(_xa, _xb)
    assert_equal(st.E(linear), 0, "mean of the linear path")
    assert_steps(_path_variance_lines()[0], "variance of the linear path")
    assert_equal(st.E(polar), 0, "mean of the polar path")
    assert_steps(_path_variance_lines()[1], "variance of the polar path")


_xa, _xb = st.Normal("x_a", 0, 1), st.Normal("x_b", 0, 1)


def _combination_covariance(weight_a, weight_b, dim):
    """Cov(a x_a + b x_b) = A I_2D A^T with A = [a I_D, b I_D], for independent N(0, I_D) draws."""
    a = sp.Matrix.hstack(weight_a * sp.eye(dim), weight_b * sp.eye(dim))
    return a * sp.eye(2 * dim) * a.T


def _paths(xa, xb):
    """The linear and the polar interpolation of two coordinates at alpha."""
    return alpha * xa + (1 - alpha) * xb, sp.sqrt(alpha) * xa + sp.sqrt(1 - alpha) * xb


@functools.cache
def _path_variance_lines():
    """The displayed lines of the variance of the linear and of the polar path."""
    linear, polar = _paths(_xa, _xb)
    return (
        [st.variance(linear), alpha**2 + (1 - alpha) ** 2, 1 - 2 * alpha * (1 - alpha)],
        [st.variance(polar), sp.sqrt(alpha) ** 2 + sp.sqrt(1 - alpha) ** 2, sp.Integer(1)],
    )


@claim(
    "hd-exp-loglik",
    statement="if z ~ N(0, s^2 I_D) then E[log N(z; 0, I_D)] = -(D/2)(s^2 + log 2 pi); on the linear path "
    "(s^2 = alpha^2 + (1-alpha)^2) this exceeds the end points' value by D alpha (1 - alpha)",
    method="symbolic + Monte Carlo",
    monte_carlo="tests/package/test_highdim.py::test_loglik_along_paths_by_simulation",
    scope=(
        "symbolic: every real D > 0, s > 0 and alpha in [0, 1]; Monte Carlo: "
        "test_loglik_along_paths_by_simulation, D = 1, 2, 3, 10, 100, 2000 draws, 11 "
        "values of alpha"
    ),
)
def expected_loglik_along_paths():
    expected = _expected_loglik()
    assert_equal(expected, -D / 2 * (s**2 + sp.log(2 * sp.pi)), "E[log N(z; 0, I)]")
    on_path = expected.subs(s, sp.sqrt(alpha**2 + (1 - alpha) ** 2))
    assert_equal(
        on_path - expected.subs(s, 1), D * alpha * (1 - alpha), "excess on the linear path"
    )


@functools.cache
def _expected_loglik():
    """E[log N(z; 0, I_D)] for z ~ N(0, s^2 I_D), by linearity over the D coordinates."""
    coordinate = st.Normal("z", 0, s)
    return D * st.E(sp.log(std_normal_pdf(coordinate)))


@claim(
    "hd-chi-gap",
    statement="if ||z|| = s R with R ~ chi(D), then E[log f_chi(||z||)] - E[log f_chi(R)] = (D-1) log s + "
    "D (1 - s^2)/2, which is largest at s^2 = (D - 1)/D; and log s + (1 - s^2)/2 < 0 for 0 < s < 1",
    method="symbolic + Monte Carlo",
    monte_carlo="tests/package/test_highdim.py::test_chi_loglik_gap_of_the_linear_path",
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
    gap = _chi_gap()
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


@functools.cache
def _chi_gap():
    """E[log f_chi(s R)] - E[log f_chi(R)] for R ~ chi(D), by integrating against the chi density."""
    log_f = sp.expand_log(sp.log(chi_pdf(r, D)), force=True)
    pointwise = sp.expand_log(sp.log(chi_pdf(s * r, D)), force=True) - log_f
    return sp.integrate(pointwise * chi_pdf(r, D), (r, 0, sp.oo))


def _std_normal_density(v):
    """The N(0, I_D) density of a column vector, the product of its coordinates' densities."""
    return sp.Mul(*[std_normal_pdf(xi) for xi in v])


@claim(
    "hd-product",
    statement="the N(0, I_D) density, a product of D univariate N(0, 1) densities, is "
    "(2 pi)^(-D/2) exp(-x^T x / 2): for every D through its logarithm, a sum of D log-densities, "
    "and spelled out for D = 1 to 4",
    scope="symbolic in every coordinate and every D; the display, a product written out, read "
    "for D = 1, 2, 3, 4",
)
def std_normal_density_is_a_product():
    # The product of positive factors is the exp of the sum of their logarithms.
    total, squares = _log_density_every_dim()
    closed = (2 * sp.pi) ** (-_DIM / 2) * sp.exp(-squares / 2)
    assert_equal(sp.exp(total), closed, "every D")
    for dim in range(1, 5):
        v = sp.Matrix(sp.symbols(f"x1:{dim + 1}", real=True))
        closed = (2 * sp.pi) ** sp.Rational(-dim, 2) * sp.exp(-(v.T * v)[0, 0] / 2)
        assert_equal(_std_normal_density(v), closed, f"D = {dim}")


# --- what the chapter displays ------------------------------------------------------

#: The names of chapter 2, as its displays write them.
ENV = {
    "D": D,
    "q": q,
    "r": r,
    "t": t,
    "s": s,
    r"\alpha": alpha,
    "e": sp.E,
    r"\chi_D": None,
}


def _vectors():
    """Environments with x a column of D real symbols, D = 1 to 4."""
    for dim in range(1, 5):
        v = sp.Matrix(sp.symbols(f"x1:{dim + 1}", real=True))
        yield dim, v, {**ENV, "D": sp.Integer(dim), "x": v, "p": _std_normal_density}


@binds("hd-product", std_normal_density_is_a_product, scope="read for D = 1, 2, 3, 4")
def _hd_product():
    cases = []
    for dim, v, env in _vectors():
        closed = (2 * sp.pi) ** sp.Rational(-dim, 2) * sp.exp(-(v.T * v)[0, 0] / 2)
        density = _std_normal_density(v)
        cases.append((env, [[density, "=", density, "=", closed]]))
    return cases


@binds("hd-norm", euclidean_norm, scope="read for D = 1, 2, 3, 4")
def _hd_norm():
    cases = []
    for _, v, env in _vectors():
        length = sp.sqrt((v.T * v)[0, 0])
        cases.append((env, [[length, "=", length, "=", length]]))
    return cases


_CHI_ENV = {
    **ENV,
    "f_Q": lambda v: st.density(st.ChiSquared("Q", D))(v),
    "f_R": lambda v: st.density(st.Chi("R", D))(v),
    "f_\\chi_D": lambda v: chi_pdf(v, D),
    "x": sp.Symbol("x"),
    "norm": lambda v: r,  # the norm of x ~ N(0, I_D) is R ~ chi(D)
    "E": functools.cache(lambda e: sp.integrate(e * chi_pdf(r, D), (r, 0, sp.oo))),
}


@binds("hd-chisq", chi_square_laplace_transform)
def _hd_chisq():
    density = st.density(st.ChiSquared("Q", D))(q)
    return [(_CHI_ENV, [[density, "=", chi_square_pdf(q, D)], [q, ">", 0]])]


@binds("hd-chi-pdf", chi_density_change_of_variables)
def _hd_chi_pdf():
    lines = _chi_pdf_lines()
    density = st.density(st.Chi("R", D))(r)
    return [(_CHI_ENV, [chain([density, *lines]), [r, ">", 0]])]


@binds("hd-chi-mode", chi_mode)
def _hd_chi_mode():
    dim = sp.Symbol("D", positive=True)
    d = dim + 1  # as in the claim: D = d + 1 > 1
    log_density = sp.expand_log(sp.log(chi_pdf(r, d)), force=True)
    (critical,) = sp.solve(sp.diff(log_density, r), r)
    mode = critical.subs(dim, D - 1)
    return [({**ENV, "r_mode": mode}, [[mode, "=", mode]])]


@binds("hd-chi-mean", chi_mean_formula)
def _hd_chi_mean():
    E = _CHI_ENV["E"]
    return [
        (
            _CHI_ENV,
            [
                [E(r), "=", sp.sqrt(2) * sp.gamma((D + 1) / 2) / sp.gamma(D / 2)],
                [E(r**2), "=", D],
            ],
        )
    ]


@binds("hd-chi-asym", chi_mean_asymptotics)
def _hd_chi_asym():
    E = _CHI_ENV["E"]
    env = {
        **_CHI_ENV,
        "O": lambda v: sp.O(v, (D, sp.oo)),
        r"\operatorname{Var}": lambda v: E(v**2) - E(v) ** 2,
    }
    mean = E(r)
    return [
        (
            env,
            [
                [mean / sp.sqrt(D), "=", 1 - 1 / (4 * D) + sp.O(1 / D**2, (D, sp.oo))],
                [E(r**2) - mean**2, "=", D - mean**2, "->", sp.Rational(1, 2)],
            ],
        )
    ]


@binds("hd-loglik", std_normal_loglik_formula, scope="read for D = 1, 2, 3, 4")
def _hd_loglik():
    cases = []
    for dim, v, env in _vectors():
        total = sum(sp.log(std_normal_pdf(xi)) for xi in v)
        closed = -(v.T * v)[0, 0] / 2 - sp.Rational(dim, 2) * sp.log(2 * sp.pi)
        cases.append((env, [[total, "=", closed, "=", closed]]))
    return cases


def _probability(event):
    """P(R <= b) for R ~ chi(D), the only event of this form the chapter shows."""
    if not isinstance(event, sp.LessThan) or event.lhs != r:
        raise ValueError(f"expected an event ||x|| <= b, got {event}")
    return sp.lowergamma(D / 2, event.rhs**2 / 2) / sp.gamma(D / 2)  # the chi CDF


@binds("hd-ball", unit_ball_probability_bound)
def _hd_ball():
    upper = 2 ** (-D / 2) / sp.gamma(D / 2 + 1)  # the integral the claim computes
    lower = upper * sp.exp(-(r**2) / 2).subs(r, 1)
    env = {**_CHI_ENV, "P": _probability}
    return [(env, [[lower, "<=", _probability(sp.Le(r, 1)), "<=", upper]])]


@binds("hd-diff", difference_of_draws, scope="read per coordinate (I_D as 1)")
def _hd_diff():
    env = {**ENV, "x_a": _xa, "x_b": _xb, "I_D": 1, r"\mathcal{N}": lambda m, v: sp.Tuple(m, v)}
    law = sp.Tuple(st.E(_xa - _xb), st.variance(_xa - _xb))
    return [(env, [[_xa - _xb, "~", law]])]


_F_chi = sp.Function("F_chi")
_Z = sp.Symbol("Z", positive=True)


def _distance_probability(event):
    """P(a Z <= b) = F_chi(b / a) for Z ~ chi(D) and a > 0."""
    if not isinstance(event, sp.LessThan) or not (event.lhs / _Z).is_positive:
        raise ValueError(f"expected an event a Z <= b with a > 0, got {event}")
    return _F_chi(event.rhs / (event.lhs / _Z))


_DISTANCE_ENV = {
    **ENV,
    "R": _Z,
    "P": _distance_probability,
    "F_T": lambda v: _F_chi(v / sp.sqrt(2)),
    "F_\\chi_D": _F_chi,
    "f_T": lambda v: chi_pdf(v / sp.sqrt(2), D) / sp.sqrt(2),
    "f_\\chi_D": lambda v: chi_pdf(v, D),
}


@binds("hd-dist-cdf", distance_density)
def _hd_dist_cdf():
    cdf = _F_chi(t / sp.sqrt(2))
    return [(_DISTANCE_ENV, [[cdf, "=", cdf, "=", cdf, "=", cdf]])]


@binds("hd-dist-pdf", distance_density)
def _hd_dist_pdf():
    z = sp.Symbol("z", positive=True)
    density = chi_pdf(t / sp.sqrt(2), D) / sp.sqrt(2)
    lines = [
        chi_pdf(z, D).subs(z, t / sp.sqrt(2)) * sp.diff(t / sp.sqrt(2), t),
        density,
        (t / sp.sqrt(2)) ** (D - 1)
        * sp.exp(-(t**2) / 4)
        / (sp.sqrt(2) * 2 ** (D / 2 - 1) * sp.gamma(D / 2)),
        distance_pdf(t, D),
    ]
    return [
        (
            _DISTANCE_ENV,
            [chain([density, *lines]), [t, ">", 0]],
        )
    ]


_PATH_ENV = {
    **ENV,
    "x_a": _xa,
    "x_b": _xb,
    "I_D": 1,  # each coordinate: the covariance is this variance times I_D
    r"\operatorname{Var}": st.variance,
    r"\operatorname{polar}": lambda a, u, v: _paths(u, v)[1].subs(alpha, a),
}


@binds("hd-lerp-var", interpolation_variances, scope="read per coordinate (I_D as 1)")
def _hd_lerp_var():
    lines = _path_variance_lines()[0]
    return [(_PATH_ENV, [[lines[0], "=", lines[1], "=", lines[2]]])]


@binds("hd-polar-var", interpolation_variances)
def _hd_polar_var():
    polar = _paths(_xa, _xb)[1]
    lines = _path_variance_lines()[1]
    return [(_PATH_ENV, [[polar, "=", polar], [lines[0], "=", lines[1], "=", lines[2]]])]


_norm_z_squared = sp.Symbol(
    "z2", positive=True
)  # ||z||^2, whose mean is D s^2 for z ~ N(0, s^2 I_D)


@binds("hd-exp-loglik", expected_loglik_along_paths)
def _hd_exp_loglik():
    def density(_z):
        return (2 * sp.pi) ** (-D / 2) * sp.exp(-_norm_z_squared / 2)

    def mean(e):
        e = sp.expand(sp.expand_log(e))
        if not e.is_polynomial(_norm_z_squared) or sp.degree(e, _norm_z_squared) > 1:
            raise ValueError(f"E needs an expression linear in ||z||^2, got {e}")
        return e.subs(_norm_z_squared, D * s**2)

    env = {**ENV, "z": sp.Symbol("z"), "p": density, "E": mean}
    return [(env, [[_expected_loglik(), "=", -D / 2 * (s**2 + sp.log(2 * sp.pi))]])]


_log_R = sp.Symbol("ElogR")  # E[log R]: it cancels in the difference


@binds("hd-chi-gap", chi_loglik_gap_of_linear_path)
def _hd_chi_gap():
    def mean(e):
        # E over R ~ chi(D) of a combination of log R, R^2 and constants: E R^2 = D.
        e = sp.expand(sp.expand_log(e)).subs(sp.log(r), _log_R).subs(r**2, D)
        if e.has(r):
            raise ValueError(f"E needs a combination of log R and R^2, got {e}")
        return e

    env = {**_CHI_ENV, "R": r, "E": mean}
    return [(env, [[_chi_gap(), "=", (D - 1) * sp.log(s) + D * (1 - s**2) / 2]])]


# --- concentration, the typical set ---------------------------------------------------


def _chi_mean_expr():
    return sp.sqrt(2) * sp.gamma((D + 1) / 2) / sp.gamma(D / 2)


def _norm_tail(tt):
    """P(| ||x|| - E||x|| | >= t) for x ~ N(0, I_D), t > 0: the two tails of chi(D)."""
    m = _chi_mean_expr()
    above = sp.uppergamma(D / 2, (m + tt) ** 2 / 2) / sp.gamma(D / 2)
    below = sp.Piecewise(
        (sp.lowergamma(D / 2, (m - tt) ** 2 / 2) / sp.gamma(D / 2), tt < m), (0, True)
    )
    return above + below


@claim(
    "hd-norm-conc",
    statement="the norm is 1-Lipschitz (its gradient x / ||x|| has length 1, D = 1 to 4), so Gaussian "
    "concentration gives P(| ||x|| - E||x|| | >= t) <= 2 exp(-t^2/2); the inequality is checked "
    "against the exact two-sided tail of chi(D) for D = 1, 2, 3, 10, 100, 1000 at t = 1/4, 1/2, ..., 4",
    method="symbolic + Monte Carlo",
    monte_carlo="tests/package/test_highdim.py::test_norm_tail_below_gaussian_concentration_bound",
    scope=(
        "symbolic: the Lipschitz constant for D = 1..4; the bound for every D is a theorem, cited "
        "(Boucheron, Lugosi, Massart 2013, Thm 5.6, one-sided, doubled by a union bound; Vershynin "
        "2018, Thm 5.2.2, up to an absolute constant); the inequality with the exact chi(D) tail "
        "(incomplete Gamma functions, 30 digits) for D = 1, 2, 3, 10, 100, 1000 at 16 values of t; "
        "Monte Carlo: test_norm_tail_below_gaussian_concentration_bound, D = 1, 10, 100, 1000, "
        "20000 draws each"
    ),
)
def norm_concentration():
    for dim in range(1, 5):
        v = sp.Matrix(sp.symbols(f"x1:{dim + 1}", real=True, nonzero=True))  # away from 0
        length = sp.sqrt((v.T * v)[0, 0])
        grad = sp.Matrix([sp.diff(length, xi) for xi in v])
        assert_equal((grad.T * grad)[0, 0], 1, f"|grad ||x|| | = 1, D = {dim}")
    # The exact tail: P(R >= m + t) + P(R <= m - t) for R ~ chi(D), from its CDF, which
    # vanishes at 0 and has derivative f_chi.
    chi_cdf = sp.lowergamma(D / 2, r**2 / 2) / sp.gamma(D / 2)
    assert_equal(chi_cdf.subs(r, 0), 0, "F_chi(0)")
    assert_equal(sp.diff(chi_cdf, r), chi_pdf(r, D), "F_chi' = f_chi")
    # P(R >= r) = 1 - F_chi(r): the sum of the two incomplete Gamma functions is constant in r
    # and equals Gamma(D/2) at r = 0.
    total = sp.uppergamma(D / 2, r**2 / 2) / sp.gamma(D / 2) + chi_cdf
    assert_equal(sp.diff(total, r), 0, "the two tails add up to a constant")
    assert_equal(total.subs(r, 0), 1, "P(R >= r) = 1 - F_chi(r)")
    tail = _norm_tail(t)
    for dim in _TAIL_DIMS:
        for tt in (sp.Rational(j, 4) for j in range(1, 17)):
            gap = (tail - 2 * sp.exp(-(t**2) / 2)).subs({D: dim, t: tt})
            assert_true(bool(sp.N(gap, 30) <= 0), f"tail <= bound, D = {dim}, t = {tt}")


@claim(
    "hd-typical",
    statement="for x ~ N(0, I_D), log p(x) = -Q/2 - (D/2) log 2 pi with Q ~ chi-square(D) has mean "
    "-D h with h = log(2 pi e) / 2 and variance D / 2; log p(0) - E log p(x) = D / 2",
    scope="symbolic: every real D > 0",
)
def typical_set_log_density():
    qq = st.ChiSquared("Q", D)
    log_p = -qq / 2 - D / 2 * sp.log(2 * sp.pi)
    h = sp.log(2 * sp.pi * sp.E) / 2
    assert_equal(st.E(log_p), -D * h, "E log p(x)")
    assert_equal(st.variance(log_p), D / 2, "Var log p(x)")
    assert_equal(-D / 2 * sp.log(2 * sp.pi) - st.E(log_p), D / 2, "log p(0) - E log p(x)")


@claim(
    "hd-typical-norm",
    statement="for the N(0, I_D) density, -log p(x) / D - h = (||x||^2 / D - 1) / 2 with "
    "h = log(2 pi e) / 2, so |-log p(x)/D - h| <= eps is | ||x||^2 / D - 1 | <= 2 eps",
    scope="symbolic: every D > 0 and every value of ||x||^2",
)
def typical_set_is_a_shell():
    log_p = -_Qsq / 2 - D / 2 * sp.log(2 * sp.pi)
    h = sp.log(2 * sp.pi * sp.E) / 2
    deviation = -log_p / D - h
    assert_equal(deviation, (_Qsq / D - 1) / 2, "the deviation per coordinate")
    # |a/2| <= eps is |a| <= 2 eps: the factor is positive.
    a = _Qsq / D - 1
    assert_equal(sp.Abs(deviation), sp.Abs(a) / 2, "|deviation| = |Q/D - 1| / 2")


@binds("hd-norm-conc", norm_concentration)
def _hd_norm_conc():
    def probability(event):
        expected = sp.GreaterThan(sp.Abs(r - _chi_mean_expr()), t)
        if event != expected:
            raise ValueError(f"expected the event | ||x|| - E||x|| | >= t, got {event}")
        return _norm_tail(t)

    def mean(e):
        if e != r:
            raise ValueError(f"expected E||x||, got E[{e}]")
        return _chi_mean_expr()

    env = {**ENV, "x": sp.Symbol("x"), "norm": lambda v: r, "E": mean, "P": probability}
    return [(env, [[_norm_tail(t), "<=", 2 * sp.exp(-(t**2) / 2)]])]


@binds("hd-typical", typical_set_log_density)
def _hd_typical():
    qq = st.ChiSquared("Q", D)
    env = {
        **ENV,
        "x": sp.Symbol("x"),
        "p": lambda v: (2 * sp.pi) ** (-D / 2) * sp.exp(-qq / 2),
        "E": lambda e: st.E(sp.expand_log(e, force=True)),
        r"\operatorname{Var}": lambda e: st.variance(sp.expand_log(e, force=True)),
        "h": sp.log(2 * sp.pi * sp.E) / 2,
        "e": sp.E,
    }
    h = sp.log(2 * sp.pi * sp.E) / 2
    return [(env, [[-D * h, "=", -D * h], [h, "=", h], [D / 2, "=", D / 2]])]


@binds("hd-typical-norm", typical_set_is_a_shell)
def _hd_typical_norm():
    env = {
        **ENV,
        "x": sp.Symbol("x"),
        "norm": lambda v: sp.sqrt(_Qsq),
        "p": lambda v: (2 * sp.pi) ** (-D / 2) * sp.exp(-_Qsq / 2),
        "h": sp.log(2 * sp.pi * sp.E) / 2,
    }
    deviation = (_Qsq / D - 1) / 2
    return [(env, [[deviation, "=", deviation]])]


# --- the Chernoff bounds for the squared norm ---------------------------------------

_eps = sp.Symbol("varepsilon", positive=True)
_Qsq = sp.Symbol("Q", positive=True)  # Q = ||x||^2 ~ chi-square(D)
_u = sp.Symbol("u", positive=True)  # t = (1 - u)/2 covers every t < 1/2


@functools.cache
def _chi_square_mgf_u():
    """E[exp(t Q)] for Q ~ chi-square(D) at t = (1 - u)/2, by integrating against f_Q."""
    integrand = sp.exp(sp.expand((1 - _u) / 2 * q - q / 2)) * chi_square_pdf(q, D) * sp.exp(q / 2)
    return sp.integrate(sp.simplify(integrand), (q, 0, sp.oo))


def _mgf_log(tt):
    """log M_Q(t) = -(D/2) log(1 - 2t), the logarithm of the generating function checked below."""
    return -D / 2 * sp.log(1 - 2 * tt)


@functools.cache
def _chernoff_exponents():
    """The exponents of both Chernoff bounds and their minimisers: (upper, lower, t_up, t_low, t)."""
    tt = sp.Symbol("t", positive=True)
    upper = -tt * D * (1 + _eps) + _mgf_log(tt)
    lower = tt * D * (1 - _eps) + _mgf_log(-tt)
    (t_up,) = sp.solve(sp.diff(upper, tt), tt)
    (t_low,) = sp.solve(sp.diff(lower, tt), tt)
    return upper, lower, t_up, t_low, tt


def _chi_square_tail(event):
    """P(Q >= a) or P(Q <= a) for Q ~ chi-square(D): the regularised incomplete Gamma functions."""
    if isinstance(event, sp.GreaterThan) and event.lhs == _Qsq:
        return sp.uppergamma(D / 2, event.rhs / 2) / sp.gamma(D / 2)
    if isinstance(event, sp.LessThan) and event.lhs == _Qsq:
        return sp.lowergamma(D / 2, event.rhs / 2) / sp.gamma(D / 2)
    raise ValueError(f"expected an event ||x||^2 >= a or ||x||^2 <= a, got {event}")


def _chernoff_bounds():
    """The two bounds as displayed: exp of the optimised exponents."""
    upper, lower, t_up, t_low, tt = _chernoff_exponents()
    return sp.exp(upper.subs(tt, t_up)), sp.exp(lower.subs(tt, t_low))


@claim(
    "hd-chernoff",
    statement="for Q = ||x||^2 ~ chi-square(D), Markov's inequality for exp(t Q) with M_Q(t) = "
    "(1 - 2t)^(-D/2) gives P(Q >= D(1 + eps)) <= exp(-t D (1 + eps)) M_Q(t) for 0 < t < 1/2, "
    "smallest at t = eps/(2(1 + eps)), where it is exp(-D(eps - log(1 + eps))/2); likewise "
    "P(Q <= D(1 - eps)) <= exp(-D(-eps - log(1 - eps))/2), at t = eps/(2(1 - eps)); both exponents "
    "are positive and at least D eps^2/8 for eps <= 1; the exact tails lie below both bounds",
    scope=(
        "symbolic: every real D > 0 and eps > 0 (eps < 1 for the lower tail): the moment generating "
        "function, the minimisers over t (unique, convex exponents), the minimal values, their sign "
        "and the eps^2/8 bound for eps <= 1; the inequality with the exact chi-square tails "
        "(regularised incomplete Gamma functions, 30 digits) for D = 1, 2, 3, 10, 100, 1000 and "
        "eps = 0.05, 0.10, ..., 0.95 (and up to 2 for the upper tail)"
    ),
)
def chi_square_chernoff_bounds():
    assert_equal(_chi_square_mgf_u(), _u ** (-D / 2), "M_Q(t) = (1 - 2t)^(-D/2) at t = (1 - u)/2")
    upper, lower, t_up, t_low, tt = _chernoff_exponents()
    # Markov's inequality for exp(t Q): on {Q >= a}, exp(t (Q - a)) >= 1 when t > 0.
    v = sp.Symbol("v", nonnegative=True)  # Q = a + v on the event
    assert_true(sp.ask(sp.Q.nonnegative(tt * v)), "exp(t (Q - a)) >= 1 on Q >= a")
    assert_equal(t_up, _eps / (2 * (1 + _eps)), "minimiser, upper tail")
    assert_true(sp.ask(sp.Q.positive(sp.S.Half - t_up)), "0 < t < 1/2, upper tail")
    assert_true(sp.ask(sp.Q.positive(sp.factor(sp.diff(upper, tt, 2)).subs(tt, t_up))), "convex")
    assert_equal(
        upper.subs(tt, t_up), -D * (_eps - sp.log(1 + _eps)) / 2, "minimal exponent, upper tail"
    )
    w = sp.Symbol("w", positive=True)  # eps = 1/(1 + w) covers (0, 1)
    assert_equal(t_low, _eps / (2 * (1 - _eps)), "minimiser, lower tail")
    assert_true(sp.ask(sp.Q.positive(sp.factor(t_low.subs(_eps, 1 / (1 + w))))), "t > 0, lower")
    assert_true(sp.ask(sp.Q.positive(sp.factor(sp.diff(lower, tt, 2)))), "convex, lower tail")
    inner = {_eps: 1 / (1 + w)}  # eps in (0, 1)
    assert_equal(
        lower.subs(tt, t_low).subs(inner),
        (-D * (-_eps - sp.log(1 - _eps)) / 2).subs(inner),
        "minimal exponent, lower tail",
    )
    # The exponents are positive, and at least eps^2/4 (so the bounds at most exp(-D eps^2/8))
    # for eps <= 1: each function vanishes at 0 and has a non-negative derivative.
    for name, g, deriv in (
        ("upper", _eps - sp.log(1 + _eps) - _eps**2 / 4, _eps * (1 - _eps) / (2 * (1 + _eps))),
        ("lower", -_eps - sp.log(1 - _eps) - _eps**2 / 4, _eps / (1 - _eps) - _eps / 2),
    ):
        assert_equal(g.subs(_eps, 0), 0, f"{name}: vanishes at 0")
        assert_equal(sp.diff(g, _eps), deriv, f"{name}: derivative")
        inside = sp.factor(deriv.subs(_eps, 1 / (1 + w)))  # eps in (0, 1)
        assert_true(sp.ask(sp.Q.nonnegative(inside)), f"{name}: derivative >= 0 on (0, 1)")
    bound_up, bound_low = _chernoff_bounds()
    grid = [sp.Rational(j, 20) for j in range(1, 20)]
    for dim in _TAIL_DIMS:
        for e in grid + [sp.Rational(j, 10) for j in range(10, 21)]:
            exact = _chi_square_tail(sp.Ge(_Qsq, dim * (1 + e))).subs(D, dim)
            bound = bound_up.subs({D: dim, _eps: e})
            assert_true(bool(sp.N(exact - bound, 30) <= 0), f"upper tail, D = {dim}, eps = {e}")
        for e in grid:
            exact = _chi_square_tail(sp.Le(_Qsq, dim * (1 - e))).subs(D, dim)
            bound = bound_low.subs({D: dim, _eps: e})
            assert_true(bool(sp.N(exact - bound, 30) <= 0), f"lower tail, D = {dim}, eps = {e}")


@binds("hd-chernoff", chi_square_chernoff_bounds, scope="read for every D > 0 and 0 < eps < 1")
def _hd_chernoff():
    w = sp.Symbol("w", positive=True)
    inner = {_eps: 1 / (1 + w)}  # the range of eps where both lines hold
    bound_up, bound_low = (b.subs(inner) for b in _chernoff_bounds())
    env = {
        **ENV,
        r"\varepsilon": inner[_eps],
        "x": sp.Symbol("x"),
        "norm": lambda v: sp.sqrt(_Qsq),
        "P": _chi_square_tail,
    }
    up = _chi_square_tail(sp.Ge(_Qsq, D * (1 + _eps))).subs(inner)
    low = _chi_square_tail(sp.Le(_Qsq, D * (1 - _eps))).subs(inner)
    return [(env, [[up, "<=", bound_up], [low, "<=", bound_low]])]


# --- the moments of the chi distribution ---------------------------------------------

_m = sp.Symbol("m", positive=True)  # the order of the moment, every real m > 0
_v = sp.Symbol("v", positive=True)  # v = r^2 / 2


@functools.cache
def _chi_moment_lines():
    """The displayed lines of E||x||^m: the integral, after v = r^2/2, and the closed form."""
    first = sp.integrate(r**_m * chi_pdf(r, D), (r, 0, sp.oo))
    # v = r^2/2: r = sqrt(2 v), dr = dv / sqrt(2 v); the integrand in v before integrating
    substituted = (r**_m * chi_pdf(r, D)).subs(r, sp.sqrt(2 * _v)) / sp.sqrt(2 * _v)
    middle = (
        2 ** (_m / 2)
        / sp.gamma(D / 2)
        * sp.integrate(_v ** ((D + _m) / 2 - 1) * sp.exp(-_v), (_v, 0, sp.oo))
    )
    closed = 2 ** (_m / 2) * sp.gamma((D + _m) / 2) / sp.gamma(D / 2)
    return first, substituted, middle, closed


@claim(
    "hd-chi-moments",
    statement="E||x||^m = int r^m f_chi(r) dr = 2^(m/2) / Gamma(D/2) int v^((D+m)/2 - 1) e^(-v) dv = "
    "2^(m/2) Gamma((D+m)/2) / Gamma(D/2), each line checked, the middle one through the "
    "substitution v = r^2/2",
    scope="symbolic: every real D > 0 and every real m > 0",
)
def chi_moments():
    first, substituted, middle, closed = _chi_moment_lines()
    integrand = 2 ** (_m / 2) / sp.gamma(D / 2) * _v ** ((D + _m) / 2 - 1) * sp.exp(-_v)
    assert_equal(substituted, integrand, "the integrand after v = r^2/2")
    assert_steps([first, middle, closed], "E||x||^m")
    for order, value in ((1, sp.sqrt(2) * sp.gamma((D + 1) / 2) / sp.gamma(D / 2)), (2, D)):
        assert_equal(closed.subs(_m, order), value, f"m = {order}")


@binds("hd-chi-moments", chi_moments)
def _hd_chi_moments():
    first, _, middle, closed = _chi_moment_lines()
    env = {**_CHI_ENV, "m": _m, "v": _v}
    return [(env, [[first, "=", first, "=", middle, "=", closed]])]
