r"""Claims of the chapter on linear regression by maximum likelihood (`04_regression.md`).

Notation as in the book: `X` is m by n (features by samples), `y = X^T beta + eps`
with `E[eps] = 0` and `E[eps eps^T] = sigma^2 I_n`. Matrix identities are checked
on explicit symbolic matrices of several concrete sizes (every entry its own
symbol), so each check is an identity in all those entries, not a numerical
spot check. Expectations are taken by linearity, monomial by monomial, for
expressions of degree at most two in the noise: they use only the first two
moments of the noise, never its Gaussianity.

The claims that involve $(X X^\top)^{-1}$ work in sympy's exact sparse
polynomial arithmetic (`_Design`): the same identities written as sympy
expressions and passed to `simplify` take minutes, while exact polynomial
comparison is a complete decision procedure and takes milliseconds.
"""

import sympy as sp
import sympy.stats as st
from sympy.polys.matrices import DomainMatrix

from ._binding import binds, chain
from ._registry import ClaimFailed, assert_equal, assert_steps, assert_true, claim

__all__ = [
    "beta_hat_covariance",
    "beta_hat_gaussian",
    "beta_hat_unbiased",
    "expected_y_y_transpose",
    "fisher_information",
    "gram_matrix_singular_when_n_below_m",
    "intercept_slope_covariance",
    "log_likelihood_is_sum_of_log_densities",
    "nll_excess_over_std",
    "normal_equations_solution",
    "population_least_squares_limits",
    "population_limits",
    "posterior_of_the_coefficients",
    "posterior_predictive",
    "residual_chi_square",
    "residual_projection",
    "sample_covariance_entry_variance",
    "sandwich_covariance",
    "squared_error_expanded",
    "squared_error_gradient",
    "std_mle_bias",
    "std_mle_closed_form",
    "t_statistic",
    "weighted_least_squares",
]

#: (m, n) sizes on which the matrix identities are checked.
SIZES = ((1, 2), (2, 3), (2, 4))

std_symbol = sp.Symbol("sigma", positive=True)


def _matrix(name, rows, cols):
    return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{name}_{i}{j}", real=True))


def _design(m, n):
    """Symbolic X (m, n) and beta (m, 1) as sympy matrices of real symbols."""
    return _matrix("x", m, n), _matrix("beta", m, 1)


#: Stands for 1 / det(X X^T): the inverse is adj(X X^T) * INV_DET.
INV_DET = sp.Symbol("Delta_inv", positive=True)


class _Design:
    r"""Symbolic X (m, n), beta (m, 1), noise eps (n, 1), free y and a generic A (m, n).

    Every matrix is a `DomainMatrix` over the polynomial ring $\mathbb{Q}[\text{all
    entries}, \sigma, \Delta^{-1}]$, where sympy multiplies and compares sparse
    polynomials exactly and fast (expanding the same products as expressions
    takes minutes). $(X X^\top)^{-1}$ is $\operatorname{adj}(X X^\top)\,\Delta^{-1}$
    with $\Delta = \det(X X^\top)$; `cleared` multiplies a line by $\Delta^p$ and
    substitutes $\Delta \Delta^{-1} = 1$, so that two lines with such
    denominators are equal exactly when their cleared forms are the same
    polynomial.
    """

    def __init__(self, m, n):
        X, beta, eps = _matrix("x", m, n), _matrix("beta", m, 1), _matrix("epsilon", n, 1)
        y_free, A = _matrix("y", n, 1), _matrix("a", m, n)
        gens = (*X, *beta, *eps, *y_free, *A, std_symbol, INV_DET)
        self.K = sp.QQ[gens]
        self._eps = [gens.index(e) for e in eps]
        self._std, self._inv_det = gens.index(std_symbol), gens.index(INV_DET)
        self.X, self.beta, self.eps, self.y_free, self.A = (
            self.matrix(M) for M in (X, beta, eps, y_free, A)
        )
        self.y = self.X.transpose() * self.beta + self.eps
        self.G = self.X * self.X.transpose()
        self.det = self.G.det()
        self.G_inv = self.G.adjugate() * self.K.convert(INV_DET)
        self.std = self.K.convert(std_symbol)

    def matrix(self, M):
        return DomainMatrix.from_Matrix(sp.Matrix(M)).convert_to(self.K)

    def eye(self, n):
        return DomainMatrix.eye(n, self.K)

    def expect(self, M):
        r"""E over the noise, for entries of degree <= 2 in it, by linearity.

        Uses only $E[\varepsilon_i] = 0$ and $E[\varepsilon_i\varepsilon_j] =
        \sigma^2\delta_{ij}$: a monomial of degree one in the noise, or
        $\varepsilon_i\varepsilon_j$ with $i \ne j$, has expectation zero, and
        $\varepsilon_i^2$ has expectation $\sigma^2$.
        """

        def one(poly):
            terms = {}
            for monom, coeff in poly.terms():
                powers = [monom[i] for i in self._eps]
                if sum(powers) > 2:
                    raise ClaimFailed("expect() handles degree <= 2 in the noise only")
                if sum(powers) == 1 or (sum(powers) == 2 and 2 not in powers):
                    continue
                monom = list(monom)
                if sum(powers) == 2:
                    monom[self._eps[powers.index(2)]] = 0
                    monom[self._std] += 2
                key = tuple(monom)
                terms[key] = terms.get(key, 0) + coeff
            return poly.ring.from_dict(terms)

        return M.applyfunc(one)

    def cleared(self, M, power):
        """`det**power * M` with det * INV_DET = 1 substituted: a polynomial matrix."""
        det_powers = [self.det**k for k in range(power + 1)]

        def one(poly):
            out = poly.ring.zero
            for monom, coeff in poly.terms():
                k = monom[self._inv_det]
                if k > power:
                    raise ClaimFailed(f"1/det appears to the power {k} > {power}")
                rest = (*monom[: self._inv_det], 0, *monom[self._inv_det + 1 :])
                out += poly.ring.from_dict({rest: coeff}) * det_powers[power - k]
            return out

        return M.applyfunc(one)


def _same(lhs, rhs):
    """Exact equality of two polynomial matrices (entry by entry, whatever the storage)."""
    return lhs.shape == rhs.shape and lhs.to_list_flat() == rhs.to_list_flat()


def _assert_exact_steps(lines, what):
    """Each line equals the one before it, as exact polynomial matrices."""
    for i in range(len(lines) - 1):
        if not _same(lines[i], lines[i + 1]):
            raise ClaimFailed(f"{what}, step {i + 1} -> {i + 2}: the polynomials differ")


def _assert_exact(lhs, rhs, what):
    if not _same(lhs, rhs):
        raise ClaimFailed(f"{what}: the polynomials differ")


def _scalar(M):
    """The single entry of a 1 by 1 matrix."""
    if M.shape != (1, 1):
        raise ClaimFailed(f"expected a 1 by 1 matrix, got shape {M.shape}")
    return M[0, 0]


@claim(
    "reg-rank",
    statement=(
        "for (m, n) in {(2, 1), (3, 1), (3, 2), (4, 2)} with symbolic X: det(X X^T) = 0 identically, "
        "X^T has m - n independent null vectors v, and beta + t v has the same squared error "
        "as beta for every t; a numeric 3 by 2 example has rank 2"
    ),
    scope=(
        "matrix sizes (m, n) = (2, 1), (3, 1), (3, 2), (4, 2), every real entry; one "
        "numeric 3 by 2 example"
    ),
)
def gram_matrix_singular_when_n_below_m():
    t = sp.Symbol("t", real=True)
    for m, n in ((2, 1), (3, 1), (3, 2), (4, 2)):
        X, beta = _design(m, n)
        y = _matrix("y", n, 1)
        assert_equal(sp.expand((X * X.T).det()), 0, f"det(X X^T), m={m}, n={n}")
        null = X.T.nullspace()
        assert_true(len(null) == m - n, f"dimension of the null space of X^T, m={m}, n={n}")
        for v in null:
            # sympy's null vectors are rational in the entries of X; a multiple by
            # the product of the denominators is a polynomial null vector.
            v = (v * sp.Mul(*[sp.fraction(sp.together(e))[1] for e in v])).applyfunc(sp.cancel)
            assert_equal(sp.expand(X.T * v), sp.zeros(n, 1), "X^T v = 0")
            r_moved, r = y - X.T * (beta + t * v), y - X.T * beta
            assert_equal(
                sp.expand(_scalar(r_moved.T * r_moved)),
                sp.expand(_scalar(r.T * r)),
                "squared error along v",
            )
    example = sp.Matrix([[1, 2], [3, -1], [0, 4]])  # m = 3 features, n = 2 samples
    assert_true((example * example.T).rank() == 2, "rank of a numeric 3 by 3 Gram matrix")


def _expanded_log(expr):
    return sp.expand(sp.expand_log(expr))


def _normal_logpdf(y, mean, std):
    return -sp.log(2 * sp.pi * std**2) / 2 - (y - mean) ** 2 / (2 * std**2)


def _normal_pdf(y, mean, std):
    return sp.exp(-((y - mean) ** 2) / (2 * std**2)) / sp.sqrt(2 * sp.pi * std**2)


@claim(
    "reg-loglik",
    "reg-nll",
    statement=(
        "for n in {1, 2, 3} samples and m in {1, 2} features: the log of the product of the n "
        "Gaussian densities is the sum of their log-densities, equals "
        "-n/2 log(2 pi sigma^2) - ||y - X^T beta||^2 / (2 sigma^2), and -1/n times it is the "
        "mean NLL; each displayed line checked"
    ),
    scope="matrix sizes m = 1, 2 by n = 1, 2, 3, every real entry and every sigma > 0",
)
def log_likelihood_is_sum_of_log_densities():
    std = std_symbol
    for m in (1, 2):
        for n in (1, 2, 3):
            X, beta = _design(m, n)
            y = _matrix("y", n, 1)
            means = X.T * beta
            r = y - means
            loglik = [
                sp.log(sp.Mul(*[_normal_pdf(y[i], means[i], std) for i in range(n)])),
                sum(sp.log(_normal_pdf(y[i], means[i], std)) for i in range(n)),
                sum(_normal_logpdf(y[i], means[i], std) for i in range(n)),
                -n * sp.log(2 * sp.pi * std**2) / 2 - _scalar(r.T * r) / (2 * std**2),
            ]
            # expand_log turns each line into a sum of monomials and logs of
            # constants, a canonical form, so the line-by-line comparison is exact.
            assert_steps([_expanded_log(line) for line in loglik], f"log-likelihood, m={m}, n={n}")
            nll = sp.log(2 * sp.pi * std**2) / 2 + _scalar(r.T * r) / (2 * n * std**2)
            assert_equal(
                _expanded_log(-loglik[-1] / n), _expanded_log(nll), f"mean NLL, m={m}, n={n}"
            )


@claim(
    "reg-sse",
    statement=(
        "for (m, n) in {(1, 2), (2, 3), (2, 4)} with symbolic X, y, beta: "
        "sum_i (y_i - x_i^T beta)^2 = (y - X^T beta)^T (y - X^T beta) "
        "= y^T y - y^T X^T beta - beta^T X y + beta^T X X^T beta = y^T y - 2 beta^T X y + beta^T X X^T beta"
    ),
    scope="matrix sizes (m, n) = (1, 2), (2, 3), (2, 4), every real entry",
)
def squared_error_expanded():
    for m, n in SIZES:
        X, beta = _design(m, n)
        y = _matrix("y", n, 1)
        r = y - X.T * beta
        assert_steps(
            [
                sum((y[i] - _scalar(X[:, i].T * beta)) ** 2 for i in range(n)),
                _scalar(r.T * r),
                _scalar(y.T * y - y.T * X.T * beta - beta.T * X * y + beta.T * X * X.T * beta),
                _scalar(y.T * y - 2 * beta.T * X * y + beta.T * X * X.T * beta),
            ],
            f"squared error, m={m}, n={n}",
        )
        assert_equal(y.T * X.T * beta, beta.T * X * y, "a scalar equals its transpose")


@claim(
    "reg-grad",
    statement=(
        "for (m, n) in {(1, 2), (2, 3), (2, 4)}: the partial derivatives of "
        "y^T y - 2 beta^T X y + beta^T X X^T beta are -2 X y + 2 X X^T beta, the Hessian is "
        "2 X X^T, and the gradient of the mean NLL is (X X^T beta - X y) / (n sigma^2)"
    ),
    scope="matrix sizes (m, n) = (1, 2), (2, 3), (2, 4), every real entry and sigma > 0",
)
def squared_error_gradient():
    std = std_symbol
    for m, n in SIZES:
        X, beta = _design(m, n)
        y = _matrix("y", n, 1)
        G = X * X.T
        error = _scalar(y.T * y - 2 * beta.T * X * y + beta.T * G * beta)
        gradient = sp.Matrix([sp.diff(error, b) for b in beta])
        assert_steps(
            [
                gradient,
                sp.zeros(m, 1) - 2 * X * y + (G + G.T) * beta,
                -2 * X * y + 2 * G * beta,
            ],
            f"gradient of the squared error, m={m}, n={n}",
        )
        assert_equal(sp.hessian(error, list(beta)), 2 * G, f"Hessian, m={m}, n={n}")
        r = y - X.T * beta
        nll = sp.log(2 * sp.pi * std**2) / 2 + _scalar(r.T * r) / (2 * n * std**2)
        nll_gradient = sp.Matrix([sp.diff(nll, b) for b in beta])
        assert_equal(nll_gradient, (G * beta - X * y) / (n * std**2), "gradient of the mean NLL")


@claim(
    "reg-normal",
    "reg-beta-hat",
    statement=(
        "for (m, n) in {(1, 2), (2, 3), (2, 4)} with symbolic X (det(X X^T) != 0): "
        "beta_hat = (X X^T)^{-1} X y satisfies the normal equations X X^T beta_hat = X y, "
        "each line of multiplying them by (X X^T)^{-1} holds, the gradient vanishes there, and "
        "v^T X X^T v = ||X^T v||^2 >= 0 makes it a minimum, strict because v = (X X^T)^{-1} X "
        "(X^T v) vanishes with X^T v"
    ),
    scope="matrix sizes (m, n) = (1, 2), (2, 3), (2, 4), every real entry with det(X X^T) != 0",
)
def normal_equations_solution():
    for m, n in SIZES:
        d = _Design(m, n)
        X, y, G, G_inv = d.X, d.y_free, d.G, d.G_inv
        assert_true(not d.det.is_zero, f"det(X X^T) is not the zero polynomial, m={m}, n={n}")
        _assert_exact(d.cleared(G_inv * G, 1), d.cleared(d.eye(m), 1), "(X X^T)^(-1) X X^T = I")
        beta_hat = G_inv * X * y
        lines = [G_inv * (G * beta_hat), G_inv * (X * y), beta_hat]
        _assert_exact_steps(
            [d.cleared(line, 2) for line in lines],
            f"multiplying the normal equations by (X X^T)^(-1), m={m}, n={n}",
        )
        _assert_exact(d.cleared(G * beta_hat, 1), d.cleared(X * y, 1), "X X^T beta_hat = X y")
        two = d.K.convert(2)
        gradient = G * beta_hat * two - X * y * two
        _assert_exact(
            d.cleared(gradient, 1), DomainMatrix.zeros((m, 1), d.K), "gradient at beta_hat"
        )
        v = d.beta  # any vector: v^T X X^T v = (X^T v)^T (X^T v), a sum of squares
        Xt_v = X.transpose() * v
        _assert_exact(v.transpose() * G * v, Xt_v.transpose() * Xt_v, "v^T X X^T v = ||X^T v||^2")
        # zero only if X^T v = 0, and then v = (X X^T)^{-1} X (X^T v) = 0: a strict minimum
        _assert_exact(d.cleared(G_inv * (X * Xt_v), 1), d.cleared(v, 1), "v from X^T v")


@claim(
    "reg-mean",
    statement=(
        "for (m, n) in {(1, 2), (2, 3), (2, 4)} with symbolic X, beta and noise with E[eps] = 0: "
        "E[(X X^T)^{-1} X y] = (X X^T)^{-1} X E[y] = (X X^T)^{-1} X X^T beta = beta, "
        "each line checked; the expectation is taken by linearity"
    ),
    method="symbolic + Monte Carlo",
    monte_carlo="tests/package/test_regression.py::test_beta_hat_mean_and_covariance_monte_carlo",
    scope=(
        "matrix sizes (m, n) = (1, 2), (2, 3), (2, 4), every real entry, any noise with "
        "E[eps] = 0; Monte Carlo: test_beta_hat_mean_and_covariance_monte_carlo, (m, n) = "
        "(2, 30), 20000 draws"
    ),
)
def beta_hat_unbiased():
    for m, n in SIZES:
        d = _Design(m, n)
        X, beta, y, G_inv, A = d.X, d.beta, d.y, d.G_inv, d.A
        _assert_exact(d.expect(A * y), A * d.expect(y), "E[A y] = A E[y] for any fixed A")
        _assert_exact(d.expect(y), X.transpose() * beta, "E[y] = X^T beta")
        lines = [
            d.expect(G_inv * X * y),
            G_inv * X * d.expect(y),
            G_inv * X * X.transpose() * beta,
            beta,
        ]
        _assert_exact_steps([d.cleared(line, 1) for line in lines], f"E[beta_hat], m={m}, n={n}")


@claim(
    "reg-eyy",
    statement=(
        "for (m, n) in {(1, 2), (2, 3), (2, 4)}: E[y y^T] = X^T beta beta^T X + sigma^2 I_n "
        "when E[eps] = 0 and E[eps eps^T] = sigma^2 I_n (not sigma^2 I_n alone, unless beta = 0)"
    ),
    scope=(
        "matrix sizes (m, n) = (1, 2), (2, 3), (2, 4), every real entry, any noise with "
        "E[eps] = 0 and E[eps eps^T] = sigma^2 I"
    ),
)
def expected_y_y_transpose():
    for m, n in SIZES:
        d = _Design(m, n)
        X, beta, eps, y = d.X, d.beta, d.eps, d.y
        var_eye = d.eye(n) * d.std**2
        _assert_exact(d.expect(eps * eps.transpose()), var_eye, "E[eps eps^T] = sigma^2 I")
        Xt_beta = X.transpose() * beta
        lines = [
            d.expect(y * y.transpose()),
            Xt_beta * Xt_beta.transpose()
            + Xt_beta * d.expect(eps.transpose())
            + d.expect(eps) * Xt_beta.transpose()
            + d.expect(eps * eps.transpose()),
            Xt_beta * beta.transpose() * X + var_eye,
        ]
        _assert_exact_steps(lines, f"E[y y^T], m={m}, n={n}")


@claim(
    "reg-cov",
    statement=(
        "for (m, n) in {(1, 2), (2, 3), (2, 4)}: Cov(beta_hat) = E[beta_hat beta_hat^T] - beta beta^T "
        "= A E[y y^T] A^T - beta beta^T with A = (X X^T)^{-1} X, and each following line down to "
        "sigma^2 (X X^T)^{-1}; also A Cov(y) A^T gives the same"
    ),
    method="symbolic + Monte Carlo",
    monte_carlo="tests/package/test_regression.py::test_beta_hat_mean_and_covariance_monte_carlo",
    scope=(
        "matrix sizes (m, n) = (1, 2), (2, 3), (2, 4), every real entry with det(X X^T) "
        "!= 0, any noise with E[eps] = 0 and E[eps eps^T] = sigma^2 I; Monte Carlo: "
        "test_beta_hat_mean_and_covariance_monte_carlo, (m, n) = (2, 30), 20000 draws"
    ),
)
def beta_hat_covariance():
    for m, n in SIZES:
        d = _Design(m, n)
        X, beta, y, G, G_inv = d.X, d.beta, d.y, d.G, d.G_inv
        Xt, var = X.transpose(), d.std**2
        outer = beta * beta.transpose()
        # Lines 1 -> 2 hold for any fixed m by n matrix A (linearity of E) ...
        A = d.A
        _assert_exact(
            d.expect(A * y * y.transpose() * A.transpose()),
            A * d.expect(y * y.transpose()) * A.transpose(),
            "E[A y y^T A^T] = A E[y y^T] A^T",
        )
        # ... and with A = (X X^T)^{-1} X every displayed line is checked.
        A = G_inv * X
        beta_hat = A * y
        centred = beta_hat - beta  # beta = E[beta_hat], claim reg-mean
        lines = [
            d.expect(centred * centred.transpose()),
            d.expect(beta_hat * beta_hat.transpose()) - outer,
            A * (Xt * outer * X + d.eye(n) * var) * A.transpose() - outer,
            G_inv * G * outer * G * G_inv + G_inv * G * G_inv * var - outer,
            outer + G_inv * var - outer,
            G_inv * var,
        ]
        _assert_exact_steps([d.cleared(line, 2) for line in lines], f"Cov(beta_hat), m={m}, n={n}")
        noise = y - Xt * beta
        cov_y = d.expect(noise * noise.transpose())
        _assert_exact(
            d.cleared(A * cov_y * A.transpose(), 2),
            d.cleared(G_inv * var, 2),
            "A Cov(y) A^T = sigma^2 (X X^T)^(-1)",
        )


@claim(
    "reg-std-mle",
    statement=(
        "with S = ||y - X^T beta_hat||^2 > 0 and n > 0: the log-likelihood "
        "-n/2 log(2 pi sigma^2) - S/(2 sigma^2) has a single critical point sigma > 0, "
        "at sigma^2 = S/n, where its second derivative is negative"
    ),
    scope="symbolic: every S > 0, n > 0 and sigma > 0",
)
def std_mle_closed_form():
    std = std_symbol
    S, n = sp.symbols("S n", positive=True)
    loglik = -n / 2 * sp.log(2 * sp.pi * std**2) - S / (2 * std**2)
    derivative = sp.diff(loglik, std)
    assert_equal(derivative, -n / std + S / std**3, "derivative in sigma")
    critical = sp.solve(sp.Eq(derivative, 0), std)
    assert_equal(sp.Matrix(critical), sp.Matrix([sp.sqrt(S / n)]), "critical points sigma > 0")
    curvature = sp.simplify(sp.diff(loglik, std, 2).subs(std, sp.sqrt(S / n)))
    assert_equal(curvature, -2 * n**2 / S, "second derivative at the critical point")
    assert_true(sp.ask(sp.Q.negative(curvature)), "second derivative < 0")


@claim(
    "reg-nll-excess",
    statement=(
        "with the mean NLL 1/2 log(2 pi sigma^2) + sigma_hat^2/(2 sigma^2) at beta_hat: "
        "NLL(sigma) - NLL(sigma_hat) = log(sigma/sigma_hat) + sigma_hat^2/(2 sigma^2) - 1/2, "
        "which is >= 0 with equality only at sigma = sigma_hat; NLL(sigma_hat) = (1 + log(2 pi sigma_hat^2))/2"
    ),
    scope="symbolic: every sigma > 0 and sigma_hat > 0",
)
def nll_excess_over_std():
    std = std_symbol
    std_hat, ratio = sp.symbols("sigma_hat rho", positive=True)

    def nll(s):
        return sp.log(2 * sp.pi * s**2) / 2 + std_hat**2 / (2 * s**2)

    assert_equal(nll(std_hat), (1 + sp.log(2 * sp.pi * std_hat**2)) / 2, "minimum value")
    excess = sp.log(std / std_hat) + std_hat**2 / (2 * std**2) - sp.Rational(1, 2)
    assert_equal(nll(std) - nll(std_hat), excess, "excess NLL")
    # In u = log(sigma / sigma_hat) the excess is g(u) = u + exp(-2u)/2 - 1/2, with
    # g(0) = 0, g'(0) = 0 and g'' = 2 exp(-2u) > 0 for every real u: g is strictly convex,
    # so its stationary point is its global minimum, g >= 0 with equality only at u = 0.
    u = sp.Symbol("u", real=True)
    g = sp.expand(sp.expand_log(excess.subs(std, std_hat * sp.exp(u))))
    assert_equal(
        g, u + sp.exp(-2 * u) / 2 - sp.Rational(1, 2), "excess in u = log(sigma/sigma_hat)"
    )
    assert_equal(g.subs(u, 0), 0, "g(0) = 0")
    assert_equal(sp.diff(g, u).subs(u, 0), 0, "g'(0) = 0")
    assert_true(sp.ask(sp.Q.positive(sp.diff(g, u, 2))), "g'' > 0 for every real u")
    # Independently, sympy's minimum of the excess over sigma > 0 is 0.
    assert_equal(sp.minimum(g.subs(u, sp.log(ratio)), ratio, sp.Interval.open(0, sp.oo)), 0, "min")


@claim(
    "reg-var-bias",
    statement=(
        "for (m, n) in {(1, 2), (1, 3), (2, 3), (2, 4)} with symbolic X and E[eps eps^T] = sigma^2 I: "
        "E[||y - X^T beta_hat||^2] = (n - m) sigma^2, so E[sigma_hat^2] = (n - m)/n sigma^2; "
        "the trace of the hat matrix is m"
    ),
    method="symbolic + Monte Carlo",
    monte_carlo="tests/package/test_regression.py::test_std_mle_bias_monte_carlo",
    scope=(
        "matrix sizes (m, n) = (1, 2), (1, 3), (2, 3), (2, 4), every real entry with "
        "det(X X^T) != 0; Monte Carlo: test_std_mle_bias_monte_carlo, (m, n) = (3, 10), "
        "20000 draws"
    ),
)
def std_mle_bias():
    for m, n in ((1, 2), (1, 3), (2, 3), (2, 4)):
        d = _Design(m, n)
        X, y, eps, G_inv = d.X, d.y, d.eps, d.G_inv
        hat = X.transpose() * G_inv * X
        trace = sum((hat[i, i].element for i in range(n)), d.K.zero)
        _assert_exact(
            d.cleared(DomainMatrix([[trace]], (1, 1), d.K), 1),
            d.cleared(DomainMatrix([[d.K.convert(m)]], (1, 1), d.K), 1),
            f"trace of the hat matrix, m={m}, n={n}",
        )
        residual = y - hat * y
        _assert_exact(
            d.cleared(residual, 1), d.cleared((d.eye(n) - hat) * eps, 1), "residual = (I - H) eps"
        )
        expected = d.expect(residual.transpose() * residual)
        _assert_exact(
            d.cleared(expected, 2),
            d.cleared(DomainMatrix([[d.K.convert(n - m) * d.std**2]], (1, 1), d.K), 2),
            f"E[||residual||^2] = (n - m) sigma^2, m={m}, n={n}",
        )


@claim(
    "reg-cov-intercept",
    statement=(
        "for n in {2, 3, 4} samples with an intercept row of ones and symbolic x_i: "
        "sigma^2 (X X^T)^{-1} = sigma^2 / (n S_xx) [[sum x_i^2, -sum x_i], [-sum x_i, n]] "
        "with S_xx = sum (x_i - mean x)^2; so Var(slope) = sigma^2 / S_xx"
    ),
    scope=(
        "n = 2, 3, 4 samples of one feature with an intercept, every real x_i with S_xx "
        "!= 0, every sigma > 0"
    ),
)
def intercept_slope_covariance():
    std = std_symbol
    for n in (2, 3, 4):
        x = sp.Matrix(1, n, lambda _, j: sp.Symbol(f"x_{j}", real=True))
        X = sp.Matrix.vstack(sp.ones(1, n), x)
        G = X * X.T
        total, squares = sum(x), sum(v**2 for v in x)
        spread = sum((v - total / n) ** 2 for v in x)
        assert_equal(G.det(), n * spread, f"det(X X^T) = n S_xx, n={n}")
        covariance = std**2 / (n * spread) * sp.Matrix([[squares, -total], [-total, n]])
        assert_equal(G * covariance, std**2 * sp.eye(2), f"X X^T Cov = sigma^2 I, n={n}")
        assert_equal(covariance[1, 1], std**2 / spread, "Var(slope)")


def population_limits():
    r"""Large-n limits of $\hat\beta$ and $\hat\sigma^2$ for the book's targets, as sympy numbers.

    With $x \sim U(0, 20)$ and the model $y = \beta x$ without intercept,
    $\hat\beta \to \beta^\ast = E[x\,y]/E[x^2]$ and
    $\hat\sigma^2 \to E[(y - \beta^\ast x)^2]$ (law of large numbers).

    Returns:
      A dict from the target names "f1", "f2", "f3" to the pair
      (beta_star, var_star) of exact sympy numbers.
    """
    from gaussml.regression import TARGETS  # here: importing the claims stays free of JAX

    x = sp.Symbol("x", positive=True)
    # The package's targets, their float coefficients read as exact rationals.
    exact = {
        name: t._replace(**{k: sp.nsimplify(v) for k, v in t._asdict().items()})
        for name, t in TARGETS.items()
    }
    low, high = exact["f1"].x_low, exact["f1"].x_high

    def mean(expr):
        return sp.integrate(expr, (x, low, high)) / (high - low)

    noise_var = {name: t.std(x) ** 2 for name, t in exact.items()}
    means = {name: t.mean(x, sin=sp.sin) for name, t in exact.items()}
    out = {}
    for name, mu in means.items():
        beta_star = sp.simplify(mean(x * mu) / mean(x**2))
        var_star = sp.simplify(mean((mu - beta_star * x) ** 2 + noise_var[name]))
        out[name] = (beta_star, var_star)
    return out


@claim(
    "reg-limit",
    statement=(
        "for x ~ U(0, 20): beta* = E[x y]/E[x^2] is 2 for f1 and f2 and "
        "2 + 3 (sin 10 - 10 cos 10)/400 for f3, where E[x (y - beta* x)] = 0; "
        "sigma*^2 = E[(y - beta* x)^2] is 9/100 for f1 and 12 for f2, and exceeds 12 for f3"
    ),
    scope="exact values for x ~ U(0, 20) and the three targets f1, f2, f3",
)
def population_least_squares_limits():
    limits = population_limits()
    assert_equal(limits["f1"][0], 2, "beta* for f1")
    assert_equal(limits["f2"][0], 2, "beta* for f2")
    beta3 = 2 + 3 * (sp.sin(10) - 10 * sp.cos(10)) / 400
    assert_equal(limits["f3"][0], beta3, "beta* for f3")
    x = sp.Symbol("x", positive=True)
    orthogonality = sp.integrate(x * (2 * x + 5 * sp.sin(x / 2) - beta3 * x), (x, 0, 20))
    assert_equal(orthogonality, 0, "E[x (y - beta* x)] = 0 for f3")
    assert_equal(limits["f1"][1], sp.Rational(9, 100), "sigma*^2 for f1")
    assert_equal(limits["f2"][1], 12, "sigma*^2 for f2")
    assert_true(sp.N(limits["f3"][1] - 12) > 0, "sigma*^2 for f3 exceeds 12")


# --- what the chapter displays ------------------------------------------------------
#
# The displays are read with explicit sympy matrices of one size, (m, n) = (2, 3)
# ((3, 2) for reg-rank, where n < m): every entry is its own symbol, y = X^T beta + eps
# where the noise matters, and E takes the expectation over the noise.

_BIND_SIZES = ((2, 3),)


def _expectation(eps, var):
    r"""E over noise eps with E[eps] = 0 and E[eps eps^T] = var I, for entries of degree <= 2 in eps.

    For such a polynomial f: $E f = f(0) + \tfrac{\sigma^2}{2} \sum_i \partial^2 f / \partial
    \varepsilon_i^2 (0)$, exact by linearity (the cross terms have mean zero).
    """
    zero = dict.fromkeys(eps, 0)

    def one(f):
        f = sp.sympify(f)
        for e in eps:
            if sp.diff(f, e, 3) != 0:
                raise ClaimFailed(f"E needs degree <= 2 in the noise, got {f}")
        return (f.subs(zero) + var / 2 * sum(sp.diff(f, e, 2) for e in eps).subs(zero)).expand()

    def expect(M):
        if isinstance(M, sp.MatrixBase):
            return M.applyfunc(one)
        return one(M)

    return expect


#: An exact integer design for the displays whose expectations involve (X X^T)^{-1}: with a
#: symbolic X they take minutes to read, and the claims prove them for symbolic X already.
_EXACT_X = sp.Matrix([[1, 2, 0], [3, -1, 4]])


def _regression_env(m, n, *, noisy, exact_X=False):
    """The chapter's names at size (m, n): y free, or y = X^T beta + eps when `noisy`."""
    X, beta = _design(m, n)
    if exact_X:
        X = _EXACT_X
    eps = _matrix("epsilon", n, 1)
    y = X.T * beta + eps if noisy else _matrix("y", n, 1)
    G = X * X.T
    env = {
        "X": X,
        r"\beta": beta,
        "y": y,
        r"\varepsilon": eps,
        r"\sigma": std_symbol,
        "n": sp.Integer(n),
        "m": sp.Integer(m),
        "I_n": sp.eye(n),
        "x": lambda i: X[:, int(i) - 1],
        "E": _expectation(list(eps), std_symbol**2),
        r"\pi": sp.pi,
        "e": sp.E,
    }
    if m <= n:
        env["A"] = G.inv() * X
        env[r"\hat{\beta}"] = G.inv() * X * y
    return env


def _rank(M):
    """The rank of a polynomial matrix, a pivot counting as zero when it expands to 0."""
    return sp.Integer(M.rank(iszerofunc=lambda e: sp.expand(e) == 0))


@binds(
    "reg-rank",
    gram_matrix_singular_when_n_below_m,
    scope="read with symbolic X of size (m, n) = (3, 2)",
)
def _reg_rank():
    m, n = 3, 2
    env = _regression_env(m, n, noisy=False)
    X, beta, y = env["X"], env[r"\beta"], env["y"]
    t = sp.Symbol("t", real=True)
    (v,) = [w for w in X.T.nullspace()][:1]
    v = (v * sp.Mul(*[sp.fraction(sp.together(e))[1] for e in v])).applyfunc(sp.cancel)
    G = X * X.T
    env = {
        **env,
        "t": t,
        "v": v,
        r"\operatorname{rank}": _rank,
        r"\det": lambda M: M.det(),
        r"\mathbb{R}": sp.Reals,
    }
    moved, here = y - X.T * (beta + t * v), y - X.T * beta
    return [
        (
            env,
            [
                [_rank(G), "<=", n, "<", m],
                [sp.expand(G.det()), "=", 0],
                [_scalar(moved.T * moved), "=", _scalar(here.T * here)],
                [t, "in", sp.Reals],
            ],
        )
    ]


def _normal_pdf_var(y, mean, var):
    return sp.exp(-((y - mean) ** 2) / (2 * var)) / sp.sqrt(2 * sp.pi * var)


@binds(
    "reg-loglik",
    log_likelihood_is_sum_of_log_densities,
    scope="read with symbolic X, beta, y, eps of size (m, n) = (2, 3)",
)
def _reg_loglik():
    cases = []
    std = std_symbol
    for m, n in _BIND_SIZES:
        env = _regression_env(m, n, noisy=False)
        X, beta, y = env["X"], env[r"\beta"], env["y"]
        means = X.T * beta
        r = y - means
        likelihood = sp.Mul(*[_normal_pdf(y[i], means[i], std) for i in range(n)])
        lines = [
            sp.log(likelihood),
            sum(sp.log(_normal_pdf(y[i], means[i], std)) for i in range(n)),
            sum(_normal_logpdf(y[i], means[i], std) for i in range(n)),
            -n * sp.log(2 * sp.pi * std**2) / 2 - _scalar(r.T * r) / (2 * std**2),
        ]
        env = {
            **env,
            "L": lambda b, s, likelihood=likelihood: likelihood,
            r"\mathcal{N}": _normal_pdf_var,
        }
        cases.append((env, [chain([lines[0], *lines])]))
    return cases


@binds(
    "reg-nll",
    log_likelihood_is_sum_of_log_densities,
    scope="read with symbolic X, beta, y, eps of size (m, n) = (2, 3)",
)
def _reg_nll():
    cases = []
    std = std_symbol
    for m, n in _BIND_SIZES:
        env = _regression_env(m, n, noisy=False)
        X, beta, y = env["X"], env[r"\beta"], env["y"]
        means = X.T * beta
        r = y - means
        likelihood = sp.Mul(*[_normal_pdf(y[i], means[i], std) for i in range(n)])
        nll = sp.log(2 * sp.pi * std**2) / 2 + _scalar(r.T * r) / (2 * n * std**2)
        env = {
            **env,
            "L": lambda b, s, likelihood=likelihood: likelihood,
            r"\mathrm{NLL}": lambda b, s, nll=nll: nll,
        }
        cases.append((env, [chain([nll, -sp.log(likelihood) / n, nll])]))
    return cases


def _sse_lines(X, beta, y):
    """The displayed lines of the squared error of beta."""
    n = X.shape[1]
    r = y - X.T * beta
    return [
        sum((y[i] - _scalar(X[:, i].T * beta)) ** 2 for i in range(n)),
        _scalar(r.T * r),
        _scalar(y.T * y - y.T * X.T * beta - beta.T * X * y + beta.T * X * X.T * beta),
        _scalar(y.T * y - 2 * beta.T * X * y + beta.T * X * X.T * beta),
    ]


@binds(
    "reg-sse",
    squared_error_expanded,
    scope="read with symbolic X, beta, y, eps of size (m, n) = (2, 3)",
)
def _reg_sse():
    cases = []
    for m, n in _BIND_SIZES:
        env = _regression_env(m, n, noisy=False)
        lines = _sse_lines(env["X"], env[r"\beta"], env["y"])
        env = {**env, r"\operatorname{RSS}": lambda b, first=lines[0]: first}
        cases.append((env, [chain([lines[0], *lines])]))
    return cases


@binds(
    "reg-grad",
    squared_error_gradient,
    scope="read with symbolic X, beta, y, eps of size (m, n) = (2, 3)",
)
def _reg_grad():
    cases = []
    std = std_symbol
    for m, n in _BIND_SIZES:
        env = _regression_env(m, n, noisy=False)
        X, beta, y = env["X"], env[r"\beta"], env["y"]
        G = X * X.T
        error = _scalar(y.T * y - 2 * beta.T * X * y + beta.T * G * beta)
        r = y - X.T * beta
        nll = sp.log(2 * sp.pi * std**2) / 2 + _scalar(r.T * r) / (2 * n * std**2)

        def gradient(f, beta=beta):
            return sp.Matrix([sp.diff(f, b) for b in beta])

        env = {
            **env,
            r"\operatorname{RSS}": lambda b, error=error: error,
            r"\nabla_\beta": gradient,
            r"\mathrm{NLL}": nll,
        }
        cases.append(
            (
                env,
                [
                    chain(
                        [gradient(error), -2 * X * y + (G + G.T) * beta, -2 * X * y + 2 * G * beta]
                    ),
                    [gradient(nll), "=", (G * beta - X * y) / (n * std**2)],
                ],
            )
        )
    return cases


@binds(
    "reg-normal",
    normal_equations_solution,
    scope="read with symbolic X, beta, y, eps of size (m, n) = (2, 3)",
)
def _reg_normal():
    env = _regression_env(*_BIND_SIZES[0], noisy=False)
    X, beta, y = env["X"], env[r"\beta"], env["y"]
    return [(env, [[X * X.T * beta, "=", X * y]])]


@binds(
    "reg-beta-hat",
    normal_equations_solution,
    scope="read with symbolic X, beta, y, eps of size (m, n) = (2, 3)",
)
def _reg_beta_hat():
    env = _regression_env(*_BIND_SIZES[0], noisy=False)
    X, y = env["X"], env["y"]
    # the page's beta_hat is the zero of the gradient, solved by sympy, not the formula
    minimiser = _weighted_optimum(X, sp.eye(X.shape[1]), y)
    env = {**env, r"\hat{\beta}": minimiser}
    return [(env, [[minimiser, "=", minimiser]])]


@binds(
    "reg-mean",
    beta_hat_unbiased,
    scope="read with symbolic X, beta, y, eps of size (m, n) = (2, 3)",
)
def _reg_mean():
    env = _regression_env(*_BIND_SIZES[0], noisy=True)
    X, beta, y, E = env["X"], env[r"\beta"], env["y"], env["E"]
    G_inv = (X * X.T).inv()
    lines = [E(G_inv * X * y), G_inv * X * E(y), G_inv * X * X.T * beta, beta]
    return [(env, [chain([lines[0], *lines])])]


@binds(
    "reg-eyy",
    expected_y_y_transpose,
    scope="read with symbolic X, beta, y, eps of size (m, n) = (2, 3)",
)
def _reg_eyy():
    env = _regression_env(*_BIND_SIZES[0], noisy=True)
    X, beta, y, eps, E = env["X"], env[r"\beta"], env["y"], env[r"\varepsilon"], env["E"]
    mean = X.T * beta
    lines = [
        E(y * y.T),
        E((mean + eps) * (mean + eps).T),
        mean * mean.T + mean * E(eps).T + E(eps) * beta.T * X + E(eps * eps.T),
        mean * mean.T + std_symbol**2 * sp.eye(X.shape[1]),
    ]
    return [(env, [chain(lines)])]


@binds(
    "reg-cov",
    beta_hat_covariance,
    scope="read with an exact integer 2 by 3 X and symbolic beta, eps, sigma",
)
def _reg_cov():
    env = _regression_env(*_BIND_SIZES[0], noisy=True, exact_X=True)
    X, beta, y, E, A = env["X"], env[r"\beta"], env["y"], env["E"], env["A"]
    n = X.shape[1]
    G_inv = (X * X.T).inv()
    G = X * X.T
    beta_hat = A * y
    outer = beta * beta.T
    var = std_symbol**2

    def covariance(v):
        centred = v - E(v)
        return E(centred * centred.T)

    env = {**env, r"\operatorname{Cov}": covariance}
    lines = [
        covariance(beta_hat),
        E((beta_hat - beta) * (beta_hat - beta).T),
        E(beta_hat * beta_hat.T) - outer,
        A * E(y * y.T) * A.T - outer,
        A * (X.T * outer * X + var * sp.eye(n)) * A.T - outer,
        G_inv * G * outer * G * G_inv + var * G_inv * G * G_inv - outer,
        outer + var * G_inv - outer,
        var * G_inv,
    ]
    return [(env, [chain(lines)])]


@binds(
    "reg-std-mle",
    std_mle_closed_form,
    scope="read with symbolic X, beta, y, eps of size (m, n) = (2, 3)",
)
def _reg_std_mle():
    env = _regression_env(*_BIND_SIZES[0], noisy=False)
    X, y, beta_hat = env["X"], env["y"], env[r"\hat{\beta}"]
    n = X.shape[1]
    residual = y - X.T * beta_hat
    squares = _scalar(residual.T * residual)
    # the page's sigma_hat is the critical point of the log-likelihood in sigma, solved
    # by sympy at S = ||residual||^2, not the displayed formula
    S = sp.Symbol("S", positive=True)
    loglik = -n * sp.log(2 * sp.pi * std_symbol**2) / 2 - S / (2 * std_symbol**2)
    (critical,) = sp.solve(sp.diff(loglik, std_symbol), std_symbol)
    env = {**env, r"\hat{\sigma}": critical.subs(S, squares)}
    return [(env, [chain([squares / n, squares / n, squares / n])])]


@binds("reg-limit", population_least_squares_limits, scope="read for each target f1, f2, f3")
def _reg_limit():
    x = sp.Symbol("x", positive=True)
    noise = sp.Symbol("eta", real=True)
    y = sp.Symbol("y", real=True)
    limits = population_limits()
    noise_var = {"f1": sp.Rational(9, 100), "f2": sp.Rational(9, 100) * x**2}
    noise_var["f3"] = noise_var["f2"]
    means = {"f1": 2 * x, "f2": 2 * x, "f3": 2 * x + 5 * sp.sin(x / 2)}
    cases = []
    for name, (beta_star, var_star) in limits.items():
        noise_mean = _expectation([noise], noise_var[name])

        def mean(e, name=name, noise_mean=noise_mean):
            e = noise_mean(sp.sympify(e).subs(y, means[name] + noise))
            return sp.integrate(e, (x, 0, 20)) / 20

        env = {
            "x": x,
            "y": y,
            "E": mean,
            r"\beta_\ast": beta_star,
            r"\sigma_\ast": sp.sqrt(var_star),
            "U": lambda a, b: sp.Tuple(a, b),
        }
        cases.append(
            (
                env,
                [
                    [beta_star, "=", mean(x * y) / mean(x**2)],
                    [var_star, "=", mean((y - beta_star * x) ** 2)],
                    [x, "~", sp.Tuple(0, 20)],
                ],
            )
        )
    return cases


@binds("reg-nll-excess", nll_excess_over_std)
def _reg_nll_excess():
    std = std_symbol
    std_hat = sp.Symbol("sigma_hat", positive=True)

    def nll(s):
        return sp.log(2 * sp.pi * s**2) / 2 + std_hat**2 / (2 * s**2)

    excess = sp.log(std / std_hat) + std_hat**2 / (2 * std**2) - sp.Rational(1, 2)
    env = {r"\sigma": std, r"\hat{\sigma}": std_hat, r"\mathrm{NLL}": nll, r"\pi": sp.pi}
    return [
        (
            env,
            [
                [nll(std) - nll(std_hat), "=", excess, ">=", 0],
                [nll(std_hat), "=", (1 + sp.log(2 * sp.pi * std_hat**2)) / 2],
            ],
        )
    ]


@binds(
    "reg-var-bias",
    std_mle_bias,
    scope="read with an exact integer 2 by 3 X and symbolic beta, eps, sigma",
)
def _reg_var_bias():
    m, n = _BIND_SIZES[0]
    env = _regression_env(m, n, noisy=True, exact_X=True)
    X, y, E, beta_hat = env["X"], env["y"], env["E"], env[r"\hat{\beta}"]
    residual = y - X.T * beta_hat
    squares = _scalar(residual.T * residual)
    env = {**env, r"\hat{\sigma}": sp.sqrt(squares / n)}
    expected = E(squares)
    return [
        (
            env,
            [
                [expected, "=", (n - m) * std_symbol**2],
                [expected / n, "=", sp.Rational(n - m, n) * std_symbol**2],
            ],
        )
    ]


@binds("reg-cov-intercept", intercept_slope_covariance, scope="read for n = 2, 3 symbolic x_i")
def _reg_cov_intercept():
    std = std_symbol
    cases = []
    for n in (2, 3):
        x = sp.Matrix(1, n, lambda _, j: sp.Symbol(f"x_{j}", real=True))
        X = sp.Matrix.vstack(sp.ones(1, n), x)
        G = X * X.T
        total, squares = sum(x), sum(v**2 for v in x)
        spread = sum((v - total / n) ** 2 for v in x)
        covariance = std**2 / (n * spread) * sp.Matrix([[squares, -total], [-total, n]])
        beta_hat = sp.Symbol("beta_hat")
        env = {
            "n": sp.Integer(n),
            "x": x,
            r"\bar{x}": total / n,
            r"\sigma": std,
            "S_xx": spread,
            r"\hat{\beta}": beta_hat,
            r"\operatorname{Cov}": {beta_hat: std**2 * G.inv()}.__getitem__,
        }
        cases.append((env, [[std**2 * G.inv(), "=", covariance], [spread, "=", spread]]))
    return cases


# --- the sampling distribution, the posterior, heteroscedastic noise -------------------


def _law(mean, cov):
    """N(mean, cov) read as one column: the mean, then the covariance's entries."""
    return sp.Matrix.vstack(sp.Matrix(mean), sp.Matrix(cov).reshape(len(cov), 1))


@claim(
    "reg-beta-dist",
    statement=(
        "for (m, n) in {(1, 2), (2, 3), (2, 4)} with symbolic X: beta_hat = A y with "
        "A = (X X^T)^{-1} X; the affine property (hd-affine) maps N(X^T beta, sigma^2 I_n) to "
        "N(A X^T beta, sigma^2 A A^T), and A X^T beta = beta, sigma^2 A A^T = sigma^2 (X X^T)^{-1}"
    ),
    method="symbolic + Monte Carlo",
    monte_carlo=(
        "tests/package/test_regression.py::test_scaled_variance_estimate_is_chi_square_and_independent"
        "_of_beta_hat"
    ),
    scope=(
        "matrix sizes (m, n) = (1, 2), (2, 3), (2, 4), every real entry with det(X X^T) != 0; "
        "the Gaussian law itself by the affine property of chapter 2; Monte Carlo: "
        "test_scaled_variance_estimate_is_chi_square_and_independent_of_beta_hat, (m, n) = "
        "(2, 10), 20000 draws"
    ),
)
def beta_hat_gaussian():
    for m, n in SIZES:
        d = _Design(m, n)
        A = d.G_inv * d.X
        _assert_exact(
            d.cleared(A * d.X.transpose() * d.beta, 1), d.cleared(d.beta, 1), "A X^T beta = beta"
        )
        _assert_exact(
            d.cleared(A * (d.eye(n) * d.std**2) * A.transpose(), 2),
            d.cleared(d.G_inv * d.std**2, 2),
            f"A sigma^2 I A^T = sigma^2 (X X^T)^(-1), m={m}, n={n}",
        )


@claim(
    "reg-fisher",
    statement=(
        "for (m, n) in {(1, 2), (2, 3), (2, 4)} with symbolic X, y, beta: minus the Hessian of "
        "the log-likelihood in beta is X X^T / sigma^2 whatever y, the covariance of the score "
        "X (y - X^T beta) / sigma^2 is the same matrix, and its inverse is sigma^2 (X X^T)^{-1} "
        "= Cov(beta_hat)"
    ),
    scope="matrix sizes (m, n) = (1, 2), (2, 3), (2, 4), every real entry with det(X X^T) != 0",
)
def fisher_information():
    std = std_symbol
    for m, n in SIZES:
        X, beta = _design(m, n)
        y = _matrix("y", n, 1)
        r = y - X.T * beta
        loglik = -n * sp.log(2 * sp.pi * std**2) / 2 - _scalar(r.T * r) / (2 * std**2)
        assert_equal(-sp.hessian(loglik, list(beta)), X * X.T / std**2, f"-Hessian, m={m}, n={n}")
        d = _Design(m, n)
        score_times_var = d.X * d.eps  # sigma^2 times the score at the true beta
        _assert_exact(
            d.expect(score_times_var * score_times_var.transpose()),
            d.G * d.std**2,
            "E[score score^T] sigma^4 = sigma^2 X X^T",
        )
        _assert_exact(d.cleared(d.G_inv * d.G, 1), d.cleared(d.eye(m), 1), "(X X^T)^(-1) X X^T")


def _gaussian_moment(k):
    """E[z^k] for z ~ N(0, 1): 0 for odd k, (k - 1)!! for even k."""
    return 0 if k % 2 else sp.factorial2(k - 1)


def _expect_standard_normals(expr, zs):
    """E over independent standard normal zs of a polynomial, monomial by monomial."""
    poly = sp.Poly(sp.expand(expr), *zs)
    total = 0
    for powers, coeff in poly.terms():
        total += coeff * sp.Mul(*[_gaussian_moment(k) for k in powers])
    return sp.expand(total)


def _bivariate():
    """u = L z with L lower triangular: a zero-mean Gaussian pair with covariance C = L L^T."""
    a, c = sp.symbols("l_00 l_11", positive=True)
    b = sp.Symbol("l_10", real=True)
    L = sp.Matrix([[a, 0], [b, c]])
    zs = sp.symbols("z_0 z_1", real=True)
    return L * sp.Matrix(zs), L * L.T, zs


@claim(
    "reg-se-cov",
    statement=(
        "for a zero-mean Gaussian pair (u_j, u_k) = L z with covariance C = L L^T: "
        "E[u_j^2 u_k^2] = C_jj C_kk + 2 C_jk^2 (from E[z^4] = 3), so "
        "Var(u_j u_k) = C_jj C_kk + C_jk^2, and Var(u_j^2) = 2 C_jj^2"
    ),
    method="symbolic + Monte Carlo",
    monte_carlo="tests/package/test_regression.py::test_beta_hat_mean_and_covariance_monte_carlo",
    scope=(
        "every 2 by 2 covariance C = L L^T with L lower triangular, positive diagonal; Monte "
        "Carlo: test_beta_hat_mean_and_covariance_monte_carlo, the covariance entries within "
        "5 of these standard errors"
    ),
)
def sample_covariance_entry_variance():
    u, C, zs = _bivariate()

    def E(e):
        return _expect_standard_normals(e, zs)

    assert_equal(E(u[0] * u[1]), sp.expand(C[0, 1]), "E[u_j u_k] = C_jk")
    fourth = E(u[0] ** 2 * u[1] ** 2)
    assert_equal(fourth, sp.expand(C[0, 0] * C[1, 1] + 2 * C[0, 1] ** 2), "E[u_j^2 u_k^2]")
    assert_equal(
        sp.expand(fourth - E(u[0] * u[1]) ** 2),
        sp.expand(C[0, 0] * C[1, 1] + C[0, 1] ** 2),
        "Var(u_j u_k)",
    )
    assert_equal(sp.expand(E(u[0] ** 4) - E(u[0] ** 2) ** 2), sp.expand(2 * C[0, 0] ** 2), "j = k")


prior_std_symbol = sp.Symbol("tau", positive=True)


@claim(
    "reg-posterior",
    statement=(
        "for (m, n) in {(2, 1), (3, 2), (2, 3)} with symbolic X, y, beta: the log of prior "
        "N(0, tau^2 I) times likelihood is quadratic in beta with Hessian -(X X^T / sigma^2 + "
        "I / tau^2) = -Sigma_N^{-1} and gradient X y / sigma^2 - Sigma_N^{-1} beta, so the "
        "posterior is N(mu_N, Sigma_N) with mu_N = Sigma_N X y / sigma^2; sigma^2 Sigma_N^{-1} = "
        "X X^T + lambda I with lambda = sigma^2 / tau^2, so mu_N = ((X X^T + lambda I) / "
        "sigma^2)^{-1} X y / sigma^2 = (X X^T + lambda I)^{-1} X y is ridge regression, "
        "symbolic in m and n (matrix symbols); also exactly on integer designs of both shapes"
    ),
    method="symbolic + Monte Carlo",
    monte_carlo=(
        "tests/package/test_regression.py::test_posterior_and_predictive_are_calibrated_monte_carlo"
    ),
    scope=(
        "matrix sizes (m, n) = (2, 1), (3, 2), (2, 3), every real entry, every sigma, tau > 0; "
        "the ridge form symbolic in m and n, and on exact 2 by 3 and 3 by 2 integer designs; "
        "Monte Carlo: "
        "test_posterior_and_predictive_are_calibrated_monte_carlo, (m, n) = (3, 2), 20000 draws"
    ),
)
def posterior_of_the_coefficients():
    std, tau = std_symbol, prior_std_symbol
    for m, n in ((2, 1), (3, 2), (2, 3)):
        X, beta = _design(m, n)
        y = _matrix("y", n, 1)
        r = y - X.T * beta
        log_post = -_scalar(r.T * r) / (2 * std**2) - _scalar(beta.T * beta) / (2 * tau**2)
        precision = X * X.T / std**2 + sp.eye(m) / tau**2
        assert_equal(sp.hessian(log_post, list(beta)), -precision, f"Hessian, m={m}, n={n}")
        gradient = sp.Matrix([sp.diff(log_post, b) for b in beta])
        assert_equal(gradient, X * y / std**2 - precision * beta, f"gradient, m={m}, n={n}")
        penalty = std**2 / tau**2
        assert_equal(std**2 * precision, X * X.T + penalty * sp.eye(m), "sigma^2 Sigma_N^{-1}")
    # symbolic in m and n: sigma^2 Sigma_N^{-1} = X X^T + lambda I, then mu_N is ridge
    m, n = sp.symbols("m n", integer=True, positive=True)
    X, y = sp.MatrixSymbol("X", m, n), sp.MatrixSymbol("y", n, 1)
    ridge_matrix = X * X.T + std**2 / tau**2 * sp.Identity(m)
    precision = X * X.T / std**2 + sp.Identity(m) / tau**2
    _assert_zero_general(std**2 * precision - ridge_matrix, "sigma^2 Sigma_N^{-1}, any m, n")
    _assert_zero_general(
        (ridge_matrix / std**2).I * X * y / std**2 - ridge_matrix.I * X * y,
        "mu_N = Sigma_N X y / sigma^2 = (X X^T + lambda I)^{-1} X y, any m, n",
    )
    for X in (_EXACT_X, _EXACT_X.T):
        m, n = X.shape
        y = _matrix("y", n, 1)
        precision = X * X.T / std**2 + sp.eye(m) / tau**2
        mean = precision.inv() * X * y / std**2
        ridge = (X * X.T + std**2 / tau**2 * sp.eye(m)).inv() * X * y
        assert_equal(mean, ridge, f"mu_N is ridge with lambda = sigma^2/tau^2, m={m}, n={n}")


def _predictive_env(m):
    """x_*, mu_N, Sigma_N = L L^T and y_* = x_*^T (mu_N + L z) + sigma z_0, with E over z."""
    L = sp.Matrix(m, m, lambda i, j: sp.Symbol(f"l_{i}{j}", real=True) if j <= i else 0)
    x_new, mean = _matrix("x", m, 1), _matrix("mu", m, 1)
    zs = sp.symbols(f"z_0:{m + 1}", real=True)
    beta = mean + L * sp.Matrix(zs[1:])
    y_new = _scalar(x_new.T * beta) + std_symbol * zs[0]
    return x_new, mean, L * L.T, y_new, zs


@claim(
    "reg-predictive",
    statement=(
        "for m in {1, 2, 3}: with beta ~ N(mu_N, Sigma_N) (beta = mu_N + L z, Sigma_N = L L^T) "
        "and independent noise sigma z_0, y_* = x_*^T beta + sigma z_0 has mean x_*^T mu_N "
        "and variance sigma^2 + x_*^T Sigma_N x_*"
    ),
    method="symbolic + Monte Carlo",
    monte_carlo=(
        "tests/package/test_regression.py::test_posterior_and_predictive_are_calibrated_monte_carlo"
    ),
    scope=(
        "m = 1, 2, 3 features, every x_*, mu_N, lower triangular L and sigma > 0; Monte Carlo: "
        "test_posterior_and_predictive_are_calibrated_monte_carlo, 20000 draws"
    ),
)
def posterior_predictive():
    for m in (1, 2, 3):
        x_new, mean, cov, y_new, zs = _predictive_env(m)
        first = _expect_standard_normals(y_new, zs)
        assert_equal(first, sp.expand(_scalar(x_new.T * mean)), f"mean, m={m}")
        var = sp.expand(_expect_standard_normals(y_new**2, zs) - first**2)
        assert_equal(var, sp.expand(std_symbol**2 + _scalar(x_new.T * cov * x_new)), "variance")


def _heteroscedastic_expectation(eps, variances):
    """E over independent noise with E[eps_i] = 0, E[eps_i^2] = variances[i], degree <= 2."""
    zero = dict.fromkeys(eps, 0)

    def one(f):
        f = sp.sympify(f)
        half = sum(v / 2 * sp.diff(f, e, 2) for e, v in zip(eps, variances, strict=True))
        return sp.expand(f.subs(zero) + half.subs(zero))

    return lambda M: M.applyfunc(one) if isinstance(M, sp.MatrixBase) else one(M)


@claim(
    "reg-sandwich",
    statement=(
        "for (m, n) in {(1, 2), (2, 3)} with symbolic X and independent noise of variances "
        "sigma_i^2: Cov(A y) = A Omega A^T for any fixed A, with Omega = Cov(eps) = diag(sigma_i^2); "
        "with A = (X X^T)^{-1} X this is the sandwich (X X^T)^{-1} X Omega X^T (X X^T)^{-1}, "
        "which is sigma^2 (X X^T)^{-1} when every sigma_i = sigma"
    ),
    method="symbolic + Monte Carlo",
    monte_carlo=(
        "tests/package/test_regression.py::test_sandwich_cov_gets_the_spread_of_beta_hat_for_f2_where_the"
        "_naive_one_fails"
    ),
    scope=(
        "matrix sizes (m, n) = (1, 2), (2, 3), every real entry, every sigma_i > 0; Monte "
        "Carlo: test_sandwich_cov_gets_the_spread_of_beta_hat_for_f2_where_the_naive_one_fails, "
        "(m, n) = (1, 200), 4000 draws"
    ),
)
def sandwich_covariance():
    for m, n in ((1, 2), (2, 3)):
        X, _ = _design(m, n)
        A = _matrix("a", m, n)
        eps = list(_matrix("epsilon", n, 1))
        variances = [sp.Symbol(f"sigma_{i}", positive=True) ** 2 for i in range(n)]
        E = _heteroscedastic_expectation(eps, variances)
        noise = sp.Matrix(eps)
        Omega = sp.diag(*variances)
        assert_equal(E(noise * noise.T), Omega, "Cov(eps) = diag(sigma_i^2)")
        centred = A * noise  # A y - E[A y]
        assert_equal(E(centred * centred.T), sp.expand(A * Omega * A.T), f"Cov(A y), m={m}, n={n}")
        # The sandwich with a constant variance collapses to sigma^2 (X X^T)^{-1}.
        G_inv = (X * X.T).adjugate()  # times 1/det on both sides
        same_var = Omega.subs({v: std_symbol**2 for v in variances})
        assert_equal(
            sp.expand(G_inv * X * same_var * X.T * G_inv),
            sp.expand(std_symbol**2 * G_inv * (X * X.T).det()),
            "constant variance: sandwich = sigma^2 (X X^T)^(-1)",
        )


@binds(
    "reg-beta-dist",
    beta_hat_gaussian,
    scope="read with an exact integer 2 by 3 X and symbolic beta, y, sigma",
)
def _reg_beta_dist():
    env = _regression_env(*_BIND_SIZES[0], noisy=False, exact_X=True)
    X, beta, y, A = env["X"], env[r"\beta"], env["y"], env["A"]
    var, n = std_symbol**2, X.shape[1]
    env = {**env, r"\mathcal{N}": _law}
    return [
        (
            env,
            [
                [A * y, "=", A * y],
                [y, "~", _law(X.T * beta, var * sp.eye(n))],
                [A * y, "~", _law(beta, var * (X * X.T).inv())],
            ],
        )
    ]


def _covariance(E):
    def covariance(v):
        centred = v - E(v)
        return E(centred * centred.T)

    return covariance


@binds(
    "reg-fisher",
    fisher_information,
    scope="read with an exact integer 2 by 3 X and symbolic beta, eps, sigma",
)
def _reg_fisher():
    env = _regression_env(*_BIND_SIZES[0], noisy=True, exact_X=True)
    X, y, E = env["X"], env["y"], env["E"]
    m, n = X.shape
    # the page's I(beta) is minus the expected Hessian of the log-likelihood, computed
    # here by sympy in a free parameter b, not the displayed X X^T / sigma^2
    b = sp.Matrix(sp.symbols(f"b_0:{m}", real=True))
    r = y - X.T * b
    loglik = -n * sp.log(2 * sp.pi * std_symbol**2) / 2 - _scalar(r.T * r) / (2 * std_symbol**2)
    information = E(-sp.hessian(loglik, list(b)))
    env = {
        **env,
        r"\mathcal{I}": lambda _: information,
        r"\operatorname{Cov}": _covariance(E),
    }
    fisher = X * X.T / std_symbol**2
    return [(env, [[fisher, "=", fisher], chain([fisher.inv()] * 3)])]


@binds("reg-se-cov", sample_covariance_entry_variance, scope="read for a 2 by 2 C = L L^T")
def _reg_se_cov():
    u, C, zs = _bivariate()

    def E(e):
        return _expect_standard_normals(e, zs)

    env = {
        "u_j": u[0],
        "u_k": u[1],
        "C_jj": C[0, 0],
        "C_kk": C[1, 1],
        "C_jk": C[0, 1],
        "E": E,
        r"\operatorname{Var}": lambda e: sp.expand(E(e**2) - E(e) ** 2),
    }
    fourth = sp.expand(C[0, 0] * C[1, 1] + 2 * C[0, 1] ** 2)
    var = sp.expand(C[0, 0] * C[1, 1] + C[0, 1] ** 2)
    return [(env, [[fourth, "=", fourth], [var, "=", var]])]


@binds(
    "reg-posterior",
    posterior_of_the_coefficients,
    scope="read with an exact integer 2 by 3 X and symbolic y, sigma, tau",
)
def _reg_posterior():
    env = _regression_env(*_BIND_SIZES[0], noisy=False, exact_X=True)
    X, y = env["X"], env["y"]
    m = X.shape[0]
    std, tau = std_symbol, prior_std_symbol
    # The page's names from the log posterior, computed here by sympy, not from the
    # displayed formulas: Sigma_N from minus its Hessian, mu_N from the zero of its
    # gradient, lambda as the offset of sigma^2 Sigma_N^{-1} from X X^T.
    b = sp.Matrix(sp.symbols(f"b_0:{m}", real=True))
    r = y - X.T * b
    log_post = -_scalar(r.T * r) / (2 * std**2) - _scalar(b.T * b) / (2 * tau**2)
    precision = -sp.hessian(log_post, list(b))
    (solution,) = sp.solve([sp.diff(log_post, v) for v in b], list(b), dict=True)
    offset = sp.simplify(std**2 * precision - X * X.T)
    if offset != offset[0, 0] * sp.eye(m):
        raise ClaimFailed(f"sigma^2 Sigma_N^(-1) - X X^T is not a multiple of I: {offset}")
    env = {
        **env,
        r"\tau": tau,
        "I_m": sp.eye(m),
        r"\Sigma_N": precision.inv(),
        r"\mu_N": b.subs(solution),
        r"\lambda": offset[0, 0],
    }
    cov = (X * X.T / std**2 + sp.eye(m) / tau**2).inv()
    mean = cov * X * y / std**2
    penalty = std**2 / tau**2
    ridge = (X * X.T + penalty * sp.eye(m)).inv() * X * y
    return [(env, [[cov, "=", cov], [penalty, "=", penalty], chain([mean, mean, ridge])])]


@binds("reg-predictive", posterior_predictive, scope="read for m = 2 features")
def _reg_predictive():
    x_new, mean, cov, y_new, zs = _predictive_env(2)
    first = _expect_standard_normals(y_new, zs)
    var = sp.expand(_expect_standard_normals(y_new**2, zs) - first**2)
    env = {
        r"x_\ast": x_new,
        r"\mu_N": mean,
        r"\Sigma_N": cov,
        r"\sigma": std_symbol,
        r"\mu_\ast": first,
        r"\sigma_\ast": sp.sqrt(var),
    }
    return [(env, [[first, "=", _scalar(x_new.T * mean)], [var, "=", var]])]


@binds(
    "reg-sandwich",
    sandwich_covariance,
    scope="read with an exact integer 2 by 3 X and independent noise of variances sigma_i^2",
)
def _reg_sandwich():
    X = _EXACT_X
    m, n = X.shape
    eps = list(_matrix("epsilon", n, 1))
    variances = [sp.Symbol(f"sigma_{i}", positive=True) ** 2 for i in range(n)]
    E = _heteroscedastic_expectation(eps, variances)
    beta = _matrix("beta", m, 1)
    y = X.T * beta + sp.Matrix(eps)
    G_inv = (X * X.T).inv()
    Omega = sp.diag(*variances)
    env = {
        "X": X,
        r"\Omega": Omega,
        r"\varepsilon": sp.Matrix(eps),
        r"\hat{\beta}": G_inv * X * y,
        r"\operatorname{Cov}": _covariance(E),
    }
    sandwich = sp.expand(G_inv * X * Omega * X.T * G_inv)
    return [(env, [[sandwich, "=", sandwich], [Omega, "=", Omega]])]


# --- the residual, the chi-square law, the t statistic, weighted least squares --------
#
# The matrix algebra behind the exact laws is proved for symbolic sizes m and n with
# sympy's matrix expressions (`MatrixSymbol`), where (X X^T)^{-1} is the inverse of a
# symbolic m by m matrix (X of rank m); `_Design` re-checks it entry by entry on
# concrete sizes, and adds the expectations, which need entries.


def _general_design():
    """X (m, n), beta (m, 1), eps (n, 1) as matrix symbols; A, H, I_n - H and y."""
    m, n = sp.symbols("m n", integer=True, positive=True)
    X = sp.MatrixSymbol("X", m, n)
    beta, eps = sp.MatrixSymbol("beta", m, 1), sp.MatrixSymbol("epsilon", n, 1)
    A = (X * X.T).I * X
    H = X.T * A
    residual_maker = sp.Identity(n) - H
    return m, n, X, beta, eps, A, H, residual_maker, X.T * beta + eps


def _is_zero_matrix_expression(expr) -> bool:
    """True when sympy reduces a matrix expression to the zero matrix."""
    reduced = sp.simplify(sp.expand(expr).doit())
    return isinstance(reduced, sp.ZeroMatrix) or reduced == 0


def _assert_zero_general(expr, what):
    if not _is_zero_matrix_expression(expr):
        raise ClaimFailed(f"{what}: sympy does not reduce it to the zero matrix")


def _trace_is_cyclic() -> bool:
    r"""tr(U V) = tr(V U) for U (n, m) and V (m, n), symbolic m and n: the two double sums.

    `Trace(...).rewrite(Sum)` writes each trace as a double sum over the
    entries; exchanging the order of the two finite sums and renaming the
    indices turns one into the other.
    """
    m, n = sp.symbols("m n", integer=True, positive=True)
    U, V = sp.MatrixSymbol("U", n, m), sp.MatrixSymbol("V", m, n)
    i, k = sp.symbols("i k", integer=True)

    def canonical(total):
        (first, *_), (second, *_) = total.limits
        return total.xreplace({first: k, second: i})

    uv = sp.Trace(U * V).rewrite(sp.Sum)
    vu = sp.Trace(V * U).rewrite(sp.Sum).reorder((0, 1))
    return canonical(uv) == canonical(vu)


@claim(
    "reg-projection",
    statement=(
        "symbolic in m and n, with X an m by n matrix symbol of rank m, A = (X X^T)^{-1} X, "
        "H = X^T A and y = X^T beta + eps: y - X^T A y = (I_n - H) eps, A y - beta = A eps, "
        "H^2 = H and H^T = H (so (I_n - H)^2 = I_n - H = (I_n - H)^T and ||(I_n - H) eps||^2 = "
        "eps^T (I_n - H) eps), A (I_n - H) = 0, and "
        "tr H = tr((X X^T)^{-1} X X^T) = m by the cyclic property of the trace (proved by "
        "exchanging two finite sums), so tr(I_n - H) = n - m; for (m, n) in {(1, 2), (2, 3), "
        "(2, 4)} with every entry a symbol, the same identities exactly and Cov(y - X^T "
        "beta_hat, beta_hat) = E[(I_n - H) eps eps^T A^T] = sigma^2 (I_n - H) A^T = 0"
    ),
    scope=(
        "the matrix algebra symbolic in m and n, for every X of rank m; the covariance for "
        "matrix sizes (m, n) = (1, 2), (2, 3), (2, 4), every real entry with det(X X^T) != 0, "
        "any noise with E[eps] = 0 and E[eps eps^T] = sigma^2 I"
    ),
)
def residual_projection():
    m, n, X, beta, eps, A, H, P, y = _general_design()
    _assert_zero_general(y - X.T * (A * y) - P * eps, "residual = (I_n - H) eps")
    _assert_zero_general(A * y - beta - A * eps, "beta_hat - beta = A eps")
    _assert_zero_general(X.T * A * X.T * A - H, "H^2 = H")
    _assert_zero_general(H.T - H, "H^T = H")
    _assert_zero_general(A - A * H, "A (I_n - H) = 0")
    _assert_zero_general(P * A.T, "(I_n - H) A^T = 0")
    projected = eps - H * eps  # (I_n - H) eps, written out: sympy would fold P^T P into P^2
    _assert_zero_general(projected.T * projected - eps.T * P * eps, "||(I_n - H) eps||^2")
    # the reduction can fail: A H^T A^T is (X X^T)^{-1}, not zero
    assert_true(not _is_zero_matrix_expression(A * A.T), "a nonzero product stays nonzero")
    assert_true(_trace_is_cyclic(), "tr(U V) = tr(V U)")
    # tr H = tr(X^T A) = tr(A X^T) (cyclic, U = X^T, V = A) = tr((X X^T)^{-1} X X^T) = tr I_m
    assert_equal(sp.Trace(A * X.T).doit(), m, "tr((X X^T)^{-1} X X^T) = m")
    assert_equal(sp.Trace(sp.Identity(n)).doit() - m, n - m, "tr(I_n - H) = n - tr H")
    for size_m, size_n in SIZES:
        d = _Design(size_m, size_n)
        A_d = d.G_inv * d.X
        hat = d.X.transpose() * A_d
        maker = d.eye(size_n) - hat
        residual = d.y - d.X.transpose() * (A_d * d.y)
        _assert_exact(d.cleared(residual, 1), d.cleared(maker * d.eps, 1), "residual")
        _assert_exact(d.cleared(hat * hat, 2), d.cleared(hat, 2), "H^2 = H")
        _assert_exact(hat.transpose(), hat, "H^T = H")
        cross = d.expect(residual * (A_d * d.y - d.beta).transpose())
        _assert_exact(d.cleared(cross, 2), d.cleared(maker * A_d.transpose() * d.std**2, 2), "Cov")
        _assert_exact(
            d.cleared(cross, 2),
            DomainMatrix.zeros((size_n, size_m), d.K),
            f"Cov(residual, beta_hat) = 0, m={size_m}, n={size_n}",
        )


#: Exact integer designs on which the law of the residual's squared length is read.
_EXACT_DESIGNS = (_EXACT_X, sp.Matrix([[1, 2, -1, 3]]), sp.Matrix([[1, 0, 2, 1], [0, 1, 1, 3]]))


def _chi_square_law(dof):
    """The name chi^2_k of the chi-square law with k degrees of freedom, as a sympy object."""
    return sp.Function("chi")(dof) ** 2


@claim(
    "reg-chi2",
    statement=(
        "symbolic in m and n: n sigma_hat^2 = ||(I_n - H) eps||^2 = eps^T (I_n - H) eps "
        "(I_n - H symmetric and idempotent, reg-projection); on exact integer designs of sizes "
        "(2, 3), (1, 4), (2, 4): I_n - H has the eigenvalue 1 with multiplicity n - m and 0 "
        "with multiplicity m, and det(I_n - 2 t (I_n - H)) = (1 - 2t)^{n - m}, so det(I_n - 2 t (I_n - H))^{-1/2}, the "
        "moment generating function of eps^T (I_n - H) eps / sigma^2 for eps ~ N(0, sigma^2 "
        "I_n), is that of chi-square(n - m) (sympy.stats); for every X of rank m "
        "the law is Cochran's theorem, and the independence from beta_hat follows from "
        "Cov(residual, beta_hat) = 0 (reg-projection) for a jointly Gaussian pair"
    ),
    method="symbolic + Monte Carlo",
    monte_carlo=(
        "tests/package/test_regression.py::test_scaled_variance_estimate_is_chi_square_and_independent"
        "_of_beta_hat"
    ),
    scope=(
        "the quadratic form symbolic in m and n; the eigenvalues and the moment generating "
        "function on exact integer designs of sizes (m, n) = (2, 3), (1, 4), (2, 4); the law "
        "for every X of rank m by Cochran's theorem (cited, not proved); Monte Carlo: "
        "test_scaled_variance_estimate_is_chi_square_and_independent_of_beta_hat, (m, n) = "
        "(2, 10), 20000 draws"
    ),
)
def residual_chi_square():
    _, _, X, _, eps, A, _, P, y = _general_design()
    residual = y - X.T * (A * y)
    _assert_zero_general(residual.T * residual - eps.T * P * eps, "||residual||^2")
    t = sp.Symbol("t", real=True)
    for X_exact in _EXACT_DESIGNS:
        size_m, size_n = X_exact.shape
        maker = sp.eye(size_n) - X_exact.T * (X_exact * X_exact.T).inv() * X_exact
        assert_equal(
            sp.Matrix([[k, v] for k, v in sorted(maker.eigenvals().items())]),
            sp.Matrix([[0, size_m], [1, size_n - size_m]]),
            f"eigenvalues of I - H, m={size_m}, n={size_n}",
        )
        # E exp(t eps^T P eps / sigma^2) = det(I - 2 t P)^{-1/2}: compare its square's inverse
        determinant = sp.det(sp.eye(size_n) - 2 * t * maker)
        law = st.moment_generating_function(st.ChiSquared("Q", size_n - size_m))(t)
        assert_equal(determinant, law**-2, f"det(I - 2t(I - H)), m={size_m}, n={size_n}")


def _weighted_design(m, n):
    """Symbolic X, beta, noise eps_i of variance sigma_i^2, and W = diag(1/sigma_i^2)."""
    X, beta = _design(m, n)
    eps = _matrix("epsilon", n, 1)
    variances = [sp.Symbol(f"sigma_{i}", positive=True) ** 2 for i in range(n)]
    W = sp.diag(*[1 / v for v in variances])
    E = _heteroscedastic_expectation(list(eps), variances)
    return X, beta, eps, W, E


def _weighted_optimum(X, W, y):
    """The zero of the gradient of sum_i w_i (y_i - x_i^T b)^2, solved for b by sympy."""
    b = sp.Matrix(sp.symbols(f"b_0:{X.shape[0]}", real=True))
    r = y - X.T * b
    loss = _scalar(r.T * W * r)
    solution = sp.solve([sp.diff(loss, v) for v in b], list(b), dict=True)
    if len(solution) != 1:
        raise ClaimFailed(f"the weighted normal equations have {len(solution)} solutions")
    return b.subs(solution[0])


def _assert_rational_equal(lhs, rhs, what):
    """Entry by entry, lhs - rhs cancels to 0 as a rational function (exact, and fast here)."""
    lhs, rhs = (
        sp.Matrix(M) if isinstance(M, sp.MatrixBase) else sp.Matrix([[M]]) for M in (lhs, rhs)
    )
    if lhs.shape != rhs.shape:
        raise ClaimFailed(f"{what}: shapes differ, {lhs.shape} vs {rhs.shape}")
    if any(sp.cancel(sp.together(a - b)) != 0 for a, b in zip(lhs, rhs, strict=True)):
        raise ClaimFailed(f"{what}: the rational functions differ")


@claim(
    "reg-wls",
    statement=(
        "for (m, n) in {(1, 2), (2, 3)} with symbolic X, beta and independent noise of "
        "variances sigma_i^2, W = diag(1/sigma_i^2): the single zero of the gradient of "
        "sum_i (y_i - x_i^T b)^2 / sigma_i^2, solved by sympy, is (X W X^T)^{-1} X W y, "
        "where the Hessian 2 X W X^T has v^T X W X^T v = sum_i (x_i^T v)^2 / sigma_i^2 >= 0; "
        "it is least squares on the samples rescaled by 1/sigma_i; with A_W = (X W X^T)^{-1} "
        "X W, A_W X^T = I and A_W W^{-1} A_W^T = (X W X^T)^{-1}, so E[beta_hat_W] = beta and "
        "Cov(beta_hat_W) = (X W X^T)^{-1} by Cov(A y) = A Cov(y) A^T (reg-sandwich); for "
        "(m, n) = (1, 2) also by taking the expectations directly"
    ),
    scope=(
        "matrix sizes (m, n) = (1, 2), (2, 3), every real entry with det(X W X^T) != 0, "
        "every sigma_i > 0, any independent noise with E[eps_i] = 0 and E[eps_i^2] = "
        "sigma_i^2; that it is the best linear unbiased estimator is the Gauss-Markov "
        "theorem, cited"
    ),
)
def weighted_least_squares():
    for m, n in ((1, 2), (2, 3)):
        X, beta, eps, W, E = _weighted_design(m, n)
        y_free = _matrix("y", n, 1)
        G_W = X * W * X.T
        estimator = G_W.inv() * X * W
        _assert_rational_equal(
            _weighted_optimum(X, W, y_free), estimator * y_free, f"optimum, m={m}"
        )
        v = beta  # any vector
        quadratic = _scalar(v.T * G_W * v)
        squares = sum(W[i, i] * _scalar(X[:, i].T * v) ** 2 for i in range(n))
        _assert_rational_equal(quadratic, squares, "v^T X W X^T v = sum_i w_i (x_i^T v)^2")
        root_W = sp.diag(*[sp.sqrt(W[i, i]) for i in range(n)])
        X_scaled = X * root_W
        ols_scaled = (X_scaled * X_scaled.T).inv() * X_scaled * (root_W * y_free)
        _assert_rational_equal(ols_scaled, estimator * y_free, "least squares on rescaled samples")
        # E[A_W y] = A_W X^T beta and Cov(A_W y) = A_W Omega A_W^T with Omega = W^{-1}
        # (reg-sandwich, for any fixed A) ...
        _assert_rational_equal(estimator * X.T, sp.eye(m), f"A_W X^T = I, m={m}, n={n}")
        _assert_rational_equal(
            estimator * W.inv() * estimator.T, G_W.inv(), f"A_W W^-1 A_W^T, m={m}, n={n}"
        )
        if (m, n) == (1, 2):  # ... and directly, expectation by expectation
            beta_w = estimator * (X.T * beta + eps)
            _assert_rational_equal(E(beta_w), beta, "E[beta_hat_W] = beta")
            centred = beta_w - beta
            _assert_rational_equal(E(centred * centred.T), G_W.inv(), "Cov(beta_hat_W)")


def _student_t_law(dof):
    """The name t_k of Student's t law with k degrees of freedom, as a sympy object."""
    return sp.Function("t")(dof)


@claim(
    "reg-t",
    statement=(
        "with Z = (beta_hat_j - beta_j)/(sigma sqrt(c_jj)), V = n sigma_hat^2 / sigma^2 and "
        "s^2 = n sigma_hat^2/(n - m): (beta_hat_j - beta_j)/(s sqrt(c_jj)) = Z / sqrt(V/(n - m)) "
        "for every sigma, c_jj, sigma_hat > 0 and n > m; for (m, n) in {(1, 2), (2, 3), (2, 4)} "
        "with symbolic X, E[Z] = 0 and E[Z^2] = 1 with c_jj the j-th diagonal entry of "
        "(X X^T)^{-1}; Z ~ N(0, 1) by reg-beta-dist, V ~ chi-square(n - m) independent of Z by "
        "reg-chi2, and the ratio's law t_{n-m} is the definition of Student's t"
    ),
    method="symbolic + Monte Carlo",
    monte_carlo="tests/package/test_regression.py::test_beta_intervals_cover_at_their_level_monte_carlo",
    scope=(
        "the ratio symbolic in n, m, sigma, sigma_hat, c_jj; the moments of Z for matrix sizes "
        "(m, n) = (1, 2), (2, 3), (2, 4), every real entry with det(X X^T) != 0; the laws "
        "from reg-beta-dist and reg-chi2 and the definition of Student's t; Monte Carlo: "
        "test_beta_intervals_cover_at_their_level_monte_carlo, (m, n) = (2, 8), 4000 draws"
    ),
)
def t_statistic():
    n, m = sp.symbols("n m", integer=True, positive=True)
    std_hat, c, error = sp.symbols("sigmahat c_jj delta", positive=True)
    s = sp.sqrt(n * std_hat**2 / (n - m))
    z, v = error / (std_symbol * sp.sqrt(c)), n * std_hat**2 / std_symbol**2
    dof = sp.Symbol("k", positive=True)  # n - m > 0
    ratio = (error / (s * sp.sqrt(c)) - z / sp.sqrt(v / (n - m))).subs(n, m + dof)
    assert_equal(ratio, 0, "T = Z / sqrt(V/(n - m)) for n > m")
    for size_m, size_n in SIZES:
        d = _Design(size_m, size_n)
        error_d = d.G_inv * d.X * d.y - d.beta
        for j in range(size_m):
            e, c_jj = error_d[j : j + 1, :], d.G_inv[j : j + 1, j : j + 1]
            # E[Z] = 0, and E[Z^2] = 1 as E[(beta_hat_j - beta_j)^2] = sigma^2 c_jj
            _assert_exact(d.cleared(d.expect(e), 1), DomainMatrix.zeros((1, 1), d.K), "E[Z]")
            _assert_exact(
                d.cleared(d.expect(e * e.transpose()), 2),
                d.cleared(c_jj * d.std**2, 2),
                f"E[(beta_hat_j - beta_j)^2] = sigma^2 c_jj, j={j}, m={size_m}, n={size_n}",
            )


def _cross_covariance(E):
    """Cov(u, v) = E[(u - E u)(v - E v)^T]."""

    def covariance(u, v):
        return E((u - E(u)) * (v - E(v)).T)

    return covariance


def _projection_env(X):
    """The chapter's names for an exact design X, with y = X^T beta + eps."""
    m, n = X.shape
    env = _regression_env(m, n, noisy=True)
    env["X"] = X
    beta, eps = env[r"\beta"], env[r"\varepsilon"]
    y = X.T * beta + eps
    A = (X * X.T).inv() * X
    residual = y - X.T * A * y
    env.update(
        {
            "y": y,
            "A": A,
            "H": X.T * A,
            r"\hat{\beta}": A * y,
            r"\hat{\sigma}": sp.sqrt(_scalar(residual.T * residual) / n),
            r"\operatorname{tr}": lambda M: M.trace(),
            r"\operatorname{Cov}": _cross_covariance(env["E"]),
            r"\chi": lambda k: sp.Function("chi")(k),
        }
    )
    return env


def _null_projection(X):
    """The projection onto the complement of the row space of X, from its spectral
    definition (spanned by the null space of X), not from the page's H."""
    null = sp.Matrix.hstack(*X.nullspace())
    return null * (null.T * null).inv() * null.T


def _residual_squares(designs):
    """For each exact design: X, its names, eps, the projection I - H from the null
    space of X (`_null_projection`) and the residual sum of squares eps^T (I - H) eps."""
    for X in designs:
        env = _projection_env(X)
        eps = env[r"\varepsilon"]
        maker = _null_projection(X)
        yield X, env, eps, maker, sp.expand(_scalar(eps.T * maker * eps))


@binds(
    "reg-projection",
    residual_projection,
    scope="read with exact integer designs of sizes (2, 3) and (1, 4), symbolic beta, eps, sigma",
)
def _reg_projection():
    cases = []
    for X, env, eps, maker, squares in _residual_squares(_EXACT_DESIGNS[:2]):
        m, n = X.shape
        A = (X * X.T).inv() * X
        cases.append(
            (
                env,
                [
                    [maker * eps, "=", maker * eps],
                    [A * eps, "=", A * eps],
                    [sp.zeros(m, n), "=", 0],
                    [squares, "=", squares],
                    [maker.trace(), "=", n - m],
                    [sp.zeros(n, m), "=", 0],
                ],
            )
        )
    return cases


@binds(
    "reg-chi2",
    residual_chi_square,
    scope="read with exact integer designs of sizes (2, 3) and (1, 4), symbolic beta, eps, sigma",
)
def _reg_chi2():
    cases = []
    for X, env, eps, _, squares in _residual_squares(_EXACT_DESIGNS[:2]):
        m, n = X.shape
        scaled = squares / std_symbol**2
        statements = [
            [scaled, "=", scaled, "~", _chi_square_law(n - m)],
            [env[r"\beta"] + (X * X.T).inv() * X * eps],
        ]
        cases.append((env, statements))
    return cases


@binds(
    "reg-t",
    t_statistic,
    scope="read with exact integer designs of sizes (2, 3) and (1, 4), symbolic beta, eps, sigma",
)
def _reg_t():
    cases = []
    for X, env, eps, _, squares in _residual_squares(_EXACT_DESIGNS[:2]):
        m, n = X.shape
        residual = env["y"] - X.T * env[r"\hat{\beta}"]
        c_11 = (X * X.T).inv()[0, 0]
        error = ((X * X.T).inv() * X * eps)[0]
        z = error / (std_symbol * sp.sqrt(c_11))
        v = squares / std_symbol**2
        ratio = error / (sp.sqrt(squares / (n - m)) * sp.sqrt(c_11))
        env = {
            **env,
            "j": sp.Integer(1),
            "c_jj": c_11,
            "s": sp.sqrt(_scalar(residual.T * residual) / (n - m)),
            "Z": z,
            "V": v,
            "t": _student_t_law,
            r"\mathcal{N}": lambda mean, var: sp.Tuple(mean, var),
        }
        statements = [
            [ratio, "=", ratio, "~", _student_t_law(n - m)],
            [z, "=", z, "~", sp.Tuple(0, 1)],
            [v, "=", v, "~", _chi_square_law(n - m)],
        ]
        cases.append((env, statements))
    return cases


@binds(
    "reg-wls",
    weighted_least_squares,
    scope="read with an exact integer 2 by 3 X, symbolic beta and noise of variances sigma_i^2",
)
def _reg_wls():
    X = _EXACT_X
    m, n = X.shape
    _, beta, eps, W, E = _weighted_design(m, n)
    y = X.T * beta + eps
    optimum = _weighted_optimum(X, W, y)  # solved, not read from the page
    env = {
        "X": X,
        "W": W,
        "y": y,
        r"\beta": beta,
        r"\hat{\beta}_W": optimum,
        "E": E,
        r"\operatorname{Cov}": _covariance(E),
    }
    centred = optimum - beta
    return [
        (
            env,
            [
                [optimum, "=", optimum],
                [E(optimum), "=", beta],
                [E(centred * centred.T), "=", (X * W * X.T).inv()],
            ],
        )
    ]
