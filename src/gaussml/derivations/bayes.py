r"""Claims of the chapter on Bayesian linear regression and predictive uncertainty.

Notation as in the book: `X` is m by n (features by samples), `y` has n entries.
Identities that involve the full singular value decomposition $X = U S V^\top$ are
proved for every m and n in the algebra of noncommuting symbols (U, U^T, V, V^T, S,
S^T), using only $U^\top U = I$ and $V^\top V = I$ and identities between the
diagonal matrices, which hold entry by entry. The bindings read the page with exact
rational orthogonal matrices from the Cayley transform $Q = (I - A)(I + A)^{-1}$ of a
skew-symmetric $A$.
"""

from functools import partial

import sympy as sp

from ._binding import binds, chain
from ._registry import ClaimFailed, assert_equal, claim
from .regression import (
    _EXACT_DESIGNS,
    SIZES,
    _assert_exact,
    _Design,
    _expect_standard_normals,
    _matrix,
    _residual_squares,
    _scalar,
    _student_t_law,
    std_symbol,
)

__all__ = [
    "evidence_of_the_linear_model",
    "normal_inverse_gamma_posterior",
    "prediction_interval_t",
    "ridge_shrinks_each_singular_direction",
    "student_t_predictive",
]

prior_std_symbol = sp.Symbol("tau", positive=True)
penalty_symbol = sp.Symbol("lambda", positive=True)


def _cayley(params, size):
    """The orthogonal matrix (I - A)(I + A)^{-1} of the skew-symmetric A built from `params`."""
    A = sp.zeros(size, size)
    it = iter(params)
    for i in range(size):
        for j in range(i + 1, size):
            a = next(it)
            A[i, j], A[j, i] = a, -a
    inverse = (sp.eye(size) + A).adjugate() / (sp.eye(size) + A).det()
    return ((sp.eye(size) - A) * inverse).applyfunc(sp.cancel)


def _exact_rotation(size):
    """An exact rational orthogonal matrix (the Cayley transform at 1/2, 1/3, 1/4)."""
    values = [sp.Rational(1, k) for k in range(2, 2 + size * (size - 1) // 2)]
    return _cayley(values, size)


def _svd_design(U, V, s):
    """X = sum_i s_i u_i v_i^T from orthogonal U (m, m), V (n, n) and k singular values."""
    m, n = U.shape[0], V.shape[0]
    X = sp.zeros(m, n)
    for i, s_i in enumerate(s):
        X += s_i * U[:, i] * V[:, i].T
    return X


def _singular_values(k):
    return sp.symbols(f"s_1:{k + 1}", positive=True)


def _moment(expr, zs):
    """E over independent standard normal zs of a polynomial in them."""
    return _expect_standard_normals(expr, zs)


def _cancelled(M):
    return sp.Matrix(M).applyfunc(sp.cancel)


def _assert_zero_matrix(M, what):
    if _cancelled(M) != sp.zeros(*M.shape):
        raise ClaimFailed(f"{what}: not identically zero")


# --- ridge as shrinkage on the singular directions ---------------------------------------


def _ridge_forms(U, V, s, y, lam):
    """Both sides of bayes-shrinkage: sum_i u_i s_i/(s_i^2 + lam) v_i^T y and the shrunk beta^+."""
    k = len(s)
    first = sp.zeros(U.shape[0], 1)
    beta_plus = sp.zeros(U.shape[0], 1)
    for i in range(k):
        u, v = U[:, i], V[:, i]
        first += u * (s[i] / (s[i] ** 2 + lam)) * _scalar(v.T * y)
        beta_plus += u * _scalar(v.T * y) / s[i]
    second = sp.zeros(U.shape[0], 1)
    for i in range(k):
        u = U[:, i]
        second += s[i] ** 2 / (s[i] ** 2 + lam) * u * _scalar(u.T * beta_plus)
    return first, second, beta_plus


def _free_svd():
    """Noncommuting symbols for the full SVD X = U S V^T: U, U^T, V, V^T, S, S^T, and y."""
    names = "U Ut V Vt S St y"
    return sp.symbols(names, commutative=False)


def _reduce(expr, rules):
    """Expand and apply the substitutions `rules` (products of noncommuting symbols) in turn."""
    expr = sp.expand(expr)
    for rule in rules:
        expr = sp.expand(expr.subs(rule))
    return expr


def _diagonal(m, n, entries):
    """The m by n matrix with `entries` on its diagonal (zeros beyond them)."""
    M = sp.zeros(m, n)
    for i, e in enumerate(entries):
        M[i, i] = e
    return M


@claim(
    "bayes-shrinkage",
    statement=(
        "for every m and n, with the full SVD X = U S V^T (U^T U = I_m, V^T V = I_n, S m by n "
        "with s_1, ..., s_k > 0 on its diagonal and zeros elsewhere), in the algebra of "
        "noncommuting symbols: with D = diag(s_i/(s_i^2 + lambda)), (X X^T + lambda I) U D V^T y "
        "= X y, using (S S^T + lambda I) D = S; with P = diag(1/s_i) (beta^+ = U P V^T y) and "
        "F = diag(s_i^2/(s_i^2 + lambda)), U F U^T beta^+ = U D V^T y, using F P = D; and "
        "X X^T beta^+ = X y when k = m, using S S^T P = S. The diagonal identities hold entry by "
        "entry ((s_i^2 + lambda) s_i/(s_i^2 + lambda) = s_i, ...) for symbolic s_i, lambda > 0, "
        "checked at (m, n) = (2, 3), (3, 2), (2, 2). Since X X^T + lambda I is invertible for "
        "lambda > 0, U D V^T y is ridge regression"
    ),
    scope=(
        "every m, n, orthogonal U, V, singular values s_i > 0, lambda > 0 and y (free algebra "
        "with the relations above; the diagonal identities entry by entry)"
    ),
)
def ridge_shrinks_each_singular_direction():
    lam = penalty_symbol
    U, Ut, V, Vt, S, St, y = _free_svd()
    D, P, F = sp.symbols("D P F", commutative=False)
    X, Xt = U * S * Vt, V * St * Ut
    orthogonal = {Ut * U: 1, Vt * V: 1}
    ridge = U * D * Vt * y
    normal = _reduce((X * Xt + lam) * ridge - X * y, [orthogonal, {S * St * D: S - lam * D}])
    if normal != 0:
        raise ClaimFailed(f"(X X^T + lambda I) U D V^T y - X y = {normal}")
    beta_plus = U * P * Vt * y
    shrunk = _reduce(U * F * Ut * beta_plus - ridge, [orthogonal, {F * P: D}])
    if shrunk != 0:
        raise ClaimFailed(f"U F U^T beta^+ - ridge = {shrunk}")
    least_squares = _reduce(X * Xt * beta_plus - X * y, [orthogonal, {S * St * P: S}])
    if least_squares != 0:
        raise ClaimFailed(f"X X^T beta^+ - X y = {least_squares}")
    for m, n in ((2, 3), (3, 2), (2, 2)):
        k = min(m, n)
        s = _singular_values(k)
        S_d = _diagonal(m, n, s)
        D_d = _diagonal(m, n, [s_i / (s_i**2 + lam) for s_i in s])
        F_d = _diagonal(m, m, [s_i**2 / (s_i**2 + lam) for s_i in s])
        assert_equal((S_d * S_d.T + lam * sp.eye(m)) * D_d, S_d, f"(S S^T + l I) D, {m}x{n}")
        pinv = _diagonal(m, n, [1 / s_i for s_i in s])
        assert_equal(F_d * pinv, D_d, f"F P = D, {m}x{n}")
        if k == m:
            assert_equal(S_d * S_d.T * pinv, S_d, f"S S^T P = S, {m}x{n}")


def _shrinkage_env(m, n):
    U, V = _exact_rotation(m), _exact_rotation(n)
    s = _singular_values(min(m, n))
    X = _svd_design(U, V, s)
    y = _matrix("y", n, 1)
    lam = penalty_symbol
    ridge = (X * X.T + lam * sp.eye(m)).inv() * X * y
    env = {
        r"\hat{\beta}_\lambda": ridge,
        r"\hat{\beta}_{\lambda}": ridge,
        r"\hat{\beta}": (X * X.T).inv() * X * y,
        r"\lambda": lam,
        "r": sp.Integer(min(m, n)),
        "d": {i + 1: s_i for i, s_i in enumerate(s)},
        "u": {i + 1: U[:, i] for i in range(m)},
        "v": {i + 1: V[:, i] for i in range(n)},
        "y": y,
    }
    return env, ridge


@binds(
    "bayes-shrinkage",
    ridge_shrinks_each_singular_direction,
    scope="read with exact rational orthogonal U (2 by 2), V (3 by 3), symbolic s_i, lambda, y",
)
def _bayes_shrinkage():
    env, ridge = _shrinkage_env(2, 3)
    return [(env, [chain([ridge, ridge, ridge])])]


# --- the evidence ------------------------------------------------------------------------


def _woodbury_holds_for_any_sizes() -> bool:
    r"""C (I/sigma^2 - X^T S X/sigma^4) = I in the free algebra, for any m and n.

    X and X^T are noncommuting symbols (Xt), S is Sigma_N, P = X Xt/sigma^2 + 1/tau^2 its
    inverse: the product is expanded, X Xt is replaced by sigma^2 (P - 1/tau^2), and
    P S by 1, which leaves the identity.
    """
    X, Xt, S, P = sp.symbols("X Xt S P", commutative=False)
    std, tau = std_symbol, prior_std_symbol
    C = std**2 + tau**2 * Xt * X
    candidate = 1 / std**2 - Xt * S * X / std**4
    product = sp.expand(C * candidate)
    product = sp.expand(product.subs(X * Xt, std**2 * (P - 1 / tau**2)))
    product = sp.expand(product.subs(P * S, 1))
    return sp.simplify(product - 1) == 0


@claim(
    "bayes-evidence",
    statement=(
        "for (m, n) in {(1, 2), (2, 3), (2, 1)} with symbolic X and y = X^T beta + eps, "
        "beta = tau z, eps = sigma z', z and z' independent standard normal: E[y] = 0 and "
        "E[y y^T] = C = sigma^2 I_n + tau^2 X^T X, so y ~ N(0, C) as an affine map of a "
        "Gaussian and log p(y) is the log-density of N(0, C); for any m and n (noncommuting "
        "symbols X, X^T, Sigma_N with Sigma_N^{-1} = X X^T/sigma^2 + I/tau^2): "
        "C (I_n/sigma^2 - X^T Sigma_N X/sigma^4) = I_n; with the full SVD X = U S V^T "
        "(noncommuting symbols, U^T U = I, V V^T = I), C = V (sigma^2 I + tau^2 S^T S) V^T, "
        "whose determinant is the product of the diagonal (det V det V^T = 1, not checked by "
        "sympy): the sigma^2 + tau^2 s_i^2 and n - k factors sigma^2, whose log is "
        "n log sigma^2 + sum_i log(1 + tau^2 s_i^2/sigma^2) (termwise, symbolic s_i, n, k)"
    ),
    scope=(
        "the moments at (m, n) = (1, 2), (2, 3), (2, 1); the inverse and the rotation of C for "
        "every m and n; the determinant of an orthogonal similarity taken as known; every "
        "s_i, sigma, tau > 0"
    ),
)
def evidence_of_the_linear_model():
    std, tau = std_symbol, prior_std_symbol
    for m, n in ((1, 2), (2, 3), (2, 1)):
        X = _matrix("x", m, n)
        zs = sp.symbols(f"z_0:{m + n}", real=True)
        y = X.T * (tau * sp.Matrix(zs[:m])) + std * sp.Matrix(zs[m:])
        mean = y.applyfunc(partial(_moment, zs=zs))
        assert_equal(mean, sp.zeros(n, 1), f"E[y] = 0, m={m}, n={n}")
        second = (y * y.T).applyfunc(partial(_moment, zs=zs))
        assert_equal(second, std**2 * sp.eye(n) + tau**2 * X.T * X, f"E[y y^T], m={m}, n={n}")
    if not _woodbury_holds_for_any_sizes():
        raise ClaimFailed("C (I/sigma^2 - X^T Sigma_N X / sigma^4) is not the identity")
    # C = sigma^2 I + tau^2 X^T X = V (sigma^2 I + tau^2 S^T S) V^T when V V^T = I: an
    # orthogonal similarity, so det C is the product of the diagonal entries
    # sigma^2 + tau^2 s_i^2 (i <= k) and sigma^2 (the n - k others)
    U, Ut, V, Vt, S, St, _ = _free_svd()
    X, Xt = U * S * Vt, V * St * Ut
    C_free = std**2 + tau**2 * Xt * X
    rotated = _reduce(V * (std**2 + tau**2 * St * S) * Vt - C_free, [{Ut * U: 1, V * Vt: 1}])
    if rotated != 0:
        raise ClaimFailed(f"C is not V (sigma^2 I + tau^2 S^T S) V^T: {rotated}")
    s_i = sp.Symbol("s_i", positive=True)
    n_sym, k_sym = sp.symbols("n k", positive=True, integer=True)
    assert_equal(
        sp.expand_log(sp.log(std**2 + tau**2 * s_i**2), force=True),
        sp.expand_log(sp.log(std**2) + sp.log(1 + tau**2 * s_i**2 / std**2), force=True),
        "log(sigma^2 + tau^2 s_i^2) = log sigma^2 + log(1 + tau^2 s_i^2 / sigma^2)",
    )
    assert_equal(k_sym + (n_sym - k_sym), n_sym, "k + (n - k) factors of sigma^2")


def _evidence_env():
    """(m, n) = (1, 2): X = s_1 v_1^T with an exact rotation V, symbolic y, sigma, tau."""
    std, tau = std_symbol, prior_std_symbol
    V = _exact_rotation(2)
    (s1,) = _singular_values(1)
    X = _svd_design(sp.eye(1), V, (s1,))
    m, n = X.shape
    y = _matrix("y", n, 1)
    # the covariance of y from its moments (as the claim computes them), not from the page
    zs = sp.symbols(f"z_0:{m + n}", real=True)
    y_model = X.T * (tau * sp.Matrix(zs[:m])) + std * sp.Matrix(zs[m:])
    C = (y_model * y_model.T).applyfunc(partial(_moment, zs=zs))
    C_inv = C.inv().applyfunc(sp.cancel)
    log_det = sp.log(sp.factor(C.det()))
    log_density = (
        -sp.Rational(n, 2) * sp.log(2 * sp.pi) - log_det / 2 - _scalar(y.T * C_inv * y) / 2
    )
    env = {
        "p": lambda value: sp.exp(log_density),
        "C": C,
        "X": X,
        "y": y,
        "n": sp.Integer(n),
        "r": sp.Integer(1),
        "d": {1: s1},
        "I_n": sp.eye(n),
        r"\sigma": std,
        r"\tau": tau,
        r"\pi": sp.pi,
        r"\operatorname{det}": lambda M: M.det(),
        r"\Sigma_N": (X * X.T / std**2 + sp.eye(m) / tau**2).inv(),
    }
    return env, log_density, C, log_det, C_inv


@binds(
    "bayes-evidence",
    evidence_of_the_linear_model,
    scope="read for (m, n) = (1, 2), X = s_1 v_1^T with an exact rotation, symbolic y, sigma, tau",
)
def _bayes_evidence():
    env, log_density, C, log_det, C_inv = _evidence_env()
    return [
        (
            env,
            [
                [log_density, "=", log_density],
                [C, "=", C],
                [log_det, "=", log_det],
                [C_inv, "=", C_inv],
            ],
        )
    ]


# --- the normal-inverse-gamma posterior --------------------------------------------------

variance_symbol = sp.Symbol("v", positive=True)  # sigma^2
shape_symbol, rate_symbol = sp.symbols("a_0 b_0", positive=True)


def _log_joint(X, y, beta, lam, shape, rate):
    """log of prior times likelihood in (beta, v = sigma^2), dropping factors free of both."""
    v = variance_symbol
    m, n = X.shape
    r = y - X.T * beta
    return (
        -sp.Rational(m, 2) * sp.log(v)
        - lam * _scalar(beta.T * beta) / (2 * v)
        - (shape + 1) * sp.log(v)
        - rate / v
        - sp.Rational(n, 2) * sp.log(v)
        - _scalar(r.T * r) / (2 * v)
    )


def _nig_parameters(X, y, lam, shape, rate):
    m, n = X.shape
    precision = X * X.T + lam * sp.eye(m)
    cov_factor = precision.inv()
    mean = cov_factor * X * y
    r = y - X.T * mean
    rate_n = rate + (_scalar(r.T * r) + lam * _scalar(mean.T * mean)) / 2
    return cov_factor, mean, shape + sp.Rational(n, 2), rate_n


@claim(
    "bayes-nig",
    statement=(
        "for (m, n) in {(1, 2), (2, 1), (2, 2), (2, 3)} with symbolic X, y, beta, v = sigma^2 > 0, "
        "lambda, a_0, b_0 > 0: log[prior N(0, v I/lambda) x IG(a_0, b_0) x likelihood] minus "
        "log[N(beta; mu_N, v V_N) x IG(v; a_N, b_N)], both without the factors free of beta "
        "and v, is identically zero with V_N, mu_N, a_N, b_N as displayed; so the posterior "
        "is normal-inverse-gamma with those parameters"
    ),
    scope=(
        "matrix sizes (m, n) = (1, 2), (2, 1), (2, 2), (2, 3), every real entry, every v, "
        "lambda, a_0, b_0 > 0; the powers of v symbolic in n and m"
    ),
)
def normal_inverse_gamma_posterior():
    lam = penalty_symbol
    n_sym, m_sym = sp.symbols("n m", positive=True)
    # the powers of v: prior N (m/2), prior IG (a_0 + 1), likelihood (n/2) against the
    # posterior's N (m/2) and IG (a_N + 1), symbolic in n and m
    shape_n = shape_symbol + n_sym / 2
    assert_equal(
        -m_sym / 2 - (shape_symbol + 1) - n_sym / 2, -m_sym / 2 - (shape_n + 1), "powers of v"
    )
    for m, n in ((1, 2), (2, 1), (2, 2), (2, 3)):
        X, beta = _matrix("x", m, n), _matrix("beta", m, 1)
        y = _matrix("y", n, 1)
        # the terms over -2v: lambda |beta|^2 + |y - X^T beta|^2 + 2 b_0 against
        # (beta - mu_N)^T V_N^{-1} (beta - mu_N) + 2 b_N, with mu_N = adj(P) X y / det(P),
        # P = X X^T + lambda I = V_N^{-1}; both times det(P)^2 are polynomials
        P = X * X.T + lam * sp.eye(m)
        det, mean_t = P.det(method="berkowitz"), P.adjugate(method="berkowitz") * X * y
        r = y - X.T * beta
        prior_and_likelihood = det**2 * (lam * _scalar(beta.T * beta) + _scalar(r.T * r))
        d_t, r_t = det * beta - mean_t, det * y - X.T * mean_t
        posterior_terms = (
            _scalar(d_t.T * P * d_t) + _scalar(r_t.T * r_t) + lam * _scalar(mean_t.T * mean_t)
        )
        gens = (*X, *beta, *y, lam)
        if not sp.Poly(prior_and_likelihood - posterior_terms, *gens).is_zero:
            raise ClaimFailed(f"prior x likelihood is not the NIG posterior, m={m}, n={n}")


@binds(
    "bayes-nig",
    normal_inverse_gamma_posterior,
    scope="read with an exact integer 2 by 3 X and symbolic y, lambda, a_0, b_0",
)
def _bayes_nig():
    X = sp.Matrix([[1, 2, 0], [3, -1, 4]])
    m, n = X.shape
    y = _matrix("y", n, 1)
    lam, v = penalty_symbol, variance_symbol
    # completing the square in the log joint, by sympy: the precision from the Hessian,
    # the mean from the zero of the gradient, the rate from the minimum of the quadratic,
    # the shape from the power of v
    b = sp.Matrix(sp.symbols(f"b_0:{m}", real=True))
    joint = _log_joint(X, y, b, lam, shape_symbol, rate_symbol)
    precision = -v * sp.hessian(joint, list(b))
    (solution,) = sp.solve([sp.diff(joint, c) for c in b], list(b), dict=True)
    mean = b.subs(solution)
    r = y - X.T * mean
    rate_n = rate_symbol + (lam * _scalar(mean.T * mean) + _scalar(r.T * r)) / 2
    power = sp.expand(joint).coeff(sp.log(v))
    shape_n = -power - sp.Rational(m, 2) - 1
    env = {
        "X": X,
        "y": y,
        "n": sp.Integer(n),
        "I_m": sp.eye(m),
        r"\lambda": lam,
        "a_0": shape_symbol,
        "b_0": rate_symbol,
        "V_N": precision.inv(),
        r"\mu_N": mean,
        "a_N": shape_n,
        "b_N": rate_n,
    }
    cov_factor, mean_c, shape_c, rate_c = _nig_parameters(X, y, lam, shape_symbol, rate_symbol)
    return [
        (
            env,
            [
                [cov_factor, "=", cov_factor],
                [mean_c, "=", mean_c],
                [shape_c, "=", shape_c],
                [rate_c, "=", rate_c],
            ],
        )
    ]


# --- the Student-t predictive ------------------------------------------------------------


def _student_t_density(z, dof, scale_sq):
    """The density at z of Student's t with `dof` degrees of freedom and squared scale."""
    return (
        sp.gamma((dof + 1) / 2)
        / (sp.gamma(dof / 2) * sp.sqrt(dof * sp.pi * scale_sq))
        * (1 + z**2 / (dof * scale_sq)) ** (-(dof + 1) / 2)
    )


@claim(
    "bayes-student",
    statement=(
        "for every a, b, c > 0 and real z: the integral over v > 0 of the density of "
        "N(0, v c) at z times the inverse-gamma density b^a/Gamma(a) v^(-a-1) exp(-b/v) "
        "(computed by sympy after w = 1/v) equals the density at z of Student's t with 2a "
        "degrees of freedom and squared scale (b/a) c; with c = 1 + x_*^T V_N x_* and "
        "Sigma_N = sigma^2 V_N, sigma^2 + x_*^T Sigma_N x_* = sigma^2 c, the variance of "
        "reg-predictive"
    ),
    method="symbolic + Monte Carlo",
    monte_carlo=(
        "tests/package/test_regression.py::test_posterior_nig_and_predictive_t_are_calibrated_monte_carlo"
    ),
    scope=(
        "symbolic: every a, b, c > 0 and real z; the quadratic form for m = 2; Monte Carlo: "
        "test_posterior_nig_and_predictive_t_are_calibrated_monte_carlo, (m, n) = (3, 6), "
        "1000 data sets"
    ),
)
def student_t_predictive():
    a, b, c, w = sp.symbols("a b c w", positive=True)
    z = sp.Symbol("z", real=True)
    # v = 1/w, dv = dw / w^2: N(0, c/w) at z, times IG(1/w; a, b), times 1/w^2
    integrand = (
        sp.sqrt(w / (2 * sp.pi * c))
        * sp.exp(-w * z**2 / (2 * c))
        * b**a
        / sp.gamma(a)
        * w ** (a + 1)
        * sp.exp(-b * w)
        / w**2
    )
    mixture = sp.integrate(integrand, (w, 0, sp.oo), conds="none")
    ratio = sp.simplify(mixture / _student_t_density(z, 2 * a, b / a * c))
    if sp.simplify(sp.powsimp(sp.powdenest(ratio, force=True), force=True)) != 1:
        raise ClaimFailed(f"the inverse-gamma mixture of Gaussians is not the t density: {ratio}")
    x_new, V = _matrix("x", 2, 1), sp.Matrix(2, 2, sp.symbols("V_00 V_01 V_01 V_11", real=True))
    quad = _scalar(x_new.T * V * x_new)
    assert_equal(
        std_symbol**2 + _scalar(x_new.T * (std_symbol**2 * V) * x_new),
        std_symbol**2 * (1 + quad),
        "sigma^2 + x^T Sigma_N x",
    )


def _t_law(dof):
    """t_{dof}(location, squared scale) as a sympy object."""
    return lambda loc, scale_sq: sp.Function("t")(dof, loc, scale_sq)


@binds("bayes-student", student_t_predictive, scope="read for m = 2 features, symbolic entries")
def _bayes_student():
    x_new, mean = _matrix("x", 2, 1), _matrix("mu", 2, 1)
    V = sp.Matrix(2, 2, sp.symbols("V_00 V_01 V_01 V_11", real=True))
    shape_n, rate_n = sp.symbols("a_N b_N", positive=True)
    y_new = sp.Symbol("y_new", real=True)
    env = {
        r"y_\ast": y_new,
        r"x_\ast": x_new,
        r"\mu_N": mean,
        "V_N": V,
        "a_N": shape_n,
        "b_N": rate_n,
        "t": _t_law,
    }
    loc = _scalar(x_new.T * mean)
    scale_sq = rate_n / shape_n * (1 + _scalar(x_new.T * V * x_new))
    return [(env, [[y_new, "~", _t_law(2 * shape_n)(loc, scale_sq)]])]


# --- the frequentist prediction interval -------------------------------------------------


@claim(
    "bayes-interval",
    statement=(
        "for (m, n) in {(1, 2), (2, 3), (2, 4)} with symbolic X, beta and noise eps, and a new "
        "target y_* = x_*^T beta + eps_* with eps_* independent of eps, E[eps_*] = 0, "
        "E[eps_*^2] = sigma^2: the prediction error e = y_* - x_*^T beta_hat has E[e] = 0 and "
        "E[e^2] = sigma^2 (1 + x_*^T (X X^T)^{-1} x_*); with s^2 = n sigma_hat^2/(n - m), "
        "e/(s sqrt(1 + h)) = Z / sqrt(V/(n - m)) for Z = e/(sigma sqrt(1 + h)) and "
        "V = n sigma_hat^2/sigma^2 (symbolic n, m, h); Z ~ N(0, 1) as a linear map of the "
        "Gaussian noise, V ~ chi-square(n - m) independent of beta_hat and of eps_* by reg-chi2, "
        "and the ratio's law t_{n-m} is the definition of Student's t"
    ),
    method="symbolic + Monte Carlo",
    monte_carlo=(
        "tests/package/test_regression.py::test_prediction_t_intervals_cover_at_their_level_monte_carlo"
    ),
    scope=(
        "the moments for matrix sizes (m, n) = (1, 2), (2, 3), (2, 4), every real entry with "
        "det(X X^T) != 0 and every x_*; the ratio symbolic in n > m, sigma, sigma_hat, h; the "
        "laws from reg-beta-dist, reg-chi2 and the definition of Student's t; Monte Carlo: "
        "test_prediction_t_intervals_cover_at_their_level_monte_carlo, (m, n) = (2, 7), "
        "1500 data sets"
    ),
)
def prediction_interval_t():
    h_symbol = sp.Symbol("h", positive=True)
    for size_m, size_n in SIZES:
        d = _Design(size_m, size_n)
        # beta_hat - beta has mean 0 and covariance sigma^2 (X X^T)^{-1}, so for every x_*
        # x_*^T (beta_hat - beta) has mean 0 and variance sigma^2 h, h = x_*^T (X X^T)^{-1} x_*
        error = d.G_inv * d.X * d.y - d.beta
        _assert_exact(
            d.cleared(d.expect(error), 1),
            d.cleared(d.matrix(sp.zeros(size_m, 1)), 1),
            f"E[beta_hat - beta] = 0, m={size_m}, n={size_n}",
        )
        _assert_exact(
            d.cleared(d.expect(error * error.transpose()), 2),
            d.cleared(d.G_inv * d.std**2, 2),
            f"E[(beta_hat - beta)(beta_hat - beta)^T] = sigma^2 (X X^T)^-1, m={size_m}, n={size_n}",
        )
    # e = eps_* - x_*^T (beta_hat - beta) with eps_* independent, mean 0, variance sigma^2:
    # E[e] = 0 and E[e^2] = sigma^2 + sigma^2 h (the cross term has mean zero)
    eps_new, d_err = sp.symbols("epsilon_new d", real=True)  # d stands for x_*^T (beta_hat - beta)
    moments = {eps_new: 0, eps_new**2: std_symbol**2, d_err: 0, d_err**2: std_symbol**2 * h_symbol}
    square = sp.Poly(sp.expand((eps_new - d_err) ** 2), eps_new, d_err)
    second = sum(
        coeff
        * moments.get(eps_new**i, 1 if i == 0 else 0)
        * moments.get(d_err**j, 1 if j == 0 else 0)
        for (i, j), coeff in square.terms()
    )
    assert_equal(second, std_symbol**2 * (1 + h_symbol), "E[e^2] = sigma^2 (1 + h)")
    n, m = sp.symbols("n m", integer=True, positive=True)
    std_hat, error = sp.symbols("sigmahat e", positive=True)
    s = sp.sqrt(n * std_hat**2 / (n - m))
    z = error / (std_symbol * sp.sqrt(1 + h_symbol))
    v = n * std_hat**2 / std_symbol**2
    dof = sp.Symbol("k", positive=True)  # n - m > 0
    ratio = (error / (s * sp.sqrt(1 + h_symbol)) - z / sp.sqrt(v / (n - m))).subs(n, m + dof)
    assert_equal(ratio, 0, "the prediction t statistic is Z / sqrt(V / (n - m))")


@binds(
    "bayes-interval",
    prediction_interval_t,
    scope="read with exact integer designs of sizes (2, 3) and (1, 4), symbolic beta, eps, x_*",
)
def _bayes_interval():
    cases = []
    for X, env, _, _, _ in _residual_squares(_EXACT_DESIGNS[:2]):
        m, n = X.shape
        x_new = _matrix("xs", m, 1)
        y_new = sp.Symbol("y_new", real=True)
        beta_hat = env[r"\hat{\beta}"]
        residual = env["y"] - X.T * beta_hat
        s = sp.sqrt(_scalar(residual.T * residual) / (n - m))
        h = _scalar(x_new.T * (X * X.T).inv() * x_new)
        ratio = (y_new - _scalar(x_new.T * beta_hat)) / (s * sp.sqrt(1 + h))
        env = {**env, r"x_\ast": x_new, r"y_\ast": y_new, "s": s, "t": _student_t_law}
        cases.append((env, [[ratio, "~", _student_t_law(n - m)]]))
    return cases
