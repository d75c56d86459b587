"""Claims of the chapter on the multivariate Gaussian (`02_multivariate.md`).

The block identities (the partitioned inverse, completing the square, the
information form, whitening) are proved for every block size with sympy's
`MatrixSymbol`s; the symmetry of a covariance, which `MatrixSymbol` does not
know, enters by replacing the transpose of each symmetric block by the block.
Each display is then read at small sizes with every entry a symbol.
"""

import functools

import sympy as sp
import sympy.stats as st

from ._binding import binds
from ._registry import assert_equal, assert_true, claim
from .highdim import _DIM, _DIM_OUT, ENV, _is_zero_matrix, _std_normal_density, std_normal_pdf, x

__all__ = [
    "affine_map_of_a_gaussian",
    "block_inverse_by_the_schur_complement",
    "conditional_by_completing_the_square",
    "information_form",
    "mvn_density_by_change_of_variables",
    "whitening",
]


def _lower(dim, name="L"):
    """A lower-triangular dim x dim matrix of symbols with a positive diagonal."""
    return sp.Matrix(
        dim,
        dim,
        lambda i, j: (
            sp.Symbol(f"{name}{i}{j}", positive=True)
            if i == j
            else (sp.Symbol(f"{name}{i}{j}", real=True) if i > j else 0)
        ),
    )


def _column(name, dim):
    return sp.Matrix(sp.symbols(f"{name}1:{dim + 1}", real=True))


def _mvn_density(v, mean, cov):
    """The N(mean, cov) density as displayed: (2 pi)^(-D/2) det(cov)^(-1/2) exp(-Delta^2 / 2)."""
    dim = len(mean)
    quad = ((v - mean).T * cov.inv() * (v - mean))[0, 0]
    return (2 * sp.pi) ** sp.Rational(-dim, 2) * cov.det() ** sp.Rational(-1, 2) * sp.exp(-quad / 2)


def _density_of_mu_plus_Lz(v, mean, chol):
    """The density of x = mean + L z, z ~ N(0, I): phi(L^{-1}(x - mean)) / det L."""
    z = chol.inv() * (v - mean)
    return _std_normal_density(z) / chol.det()


@claim(
    "hd-mvn-pdf",
    statement="x = mu + L z with z ~ N(0, I_D) and L lower triangular with a positive diagonal has the "
    "density (2 pi)^(-D/2) det(Sigma)^(-1/2) exp(-(x - mu)^T Sigma^{-1} (x - mu) / 2), Sigma = L L^T "
    "(change of variables with Jacobian det L = det(Sigma)^(1/2)); it matches sympy.stats.MultivariateNormal",
    scope="symbolic for every D with matrix symbols L, mu, x (det Sigma = det(L)^2 and "
    "z^T z = (x - mu)^T Sigma^{-1} (x - mu) for z = L^{-1}(x - mu)), given the change-of-variables "
    "theorem (cited); spelled out in every entry of mu, L and x for D = 1, 2, where the display "
    "is read",
)
def mvn_density_by_change_of_variables():
    chol = sp.MatrixSymbol("L", _DIM, _DIM)
    mu_, x_ = sp.MatrixSymbol("mu", _DIM, 1), sp.MatrixSymbol("x", _DIM, 1)
    sigma = chol * chol.T
    assert_equal(sp.det(sigma).doit(), sp.det(chol) ** 2, "det Sigma = det(L)^2, every D")
    z_ = chol.I * (x_ - mu_)
    assert_true(
        _is_zero_matrix(z_.T * z_ - (x_ - mu_).T * sigma.I * (x_ - mu_)),
        "z^T z = (x - mu)^T Sigma^-1 (x - mu), every D",
    )
    for dim in (1, 2):
        chol, mean, v = _lower(dim), _column("mu", dim), _column("x", dim)
        cov = chol * chol.T
        assert_equal(chol.det() ** 2, cov.det(), f"det(L)^2 = det(Sigma), D = {dim}")
        assert_equal(
            _density_of_mu_plus_Lz(v, mean, chol), _mvn_density(v, mean, cov), f"density, D = {dim}"
        )
        if dim == 2:
            ref = st.density(st.MultivariateNormal("X", list(mean), cov))(*v)
            assert_equal(_mvn_density(v, mean, cov), ref, "sympy.stats.MultivariateNormal, D = 2")


def _mgf(u, mean, cov):
    """The moment generating function E[exp(u^T x)] of N(mean, cov)."""
    return sp.exp((u.T * mean)[0, 0] + (u.T * cov * u)[0, 0] / 2)


@claim(
    "hd-affine",
    statement="if x ~ N(mu, Sigma) then A x + b ~ N(A mu + b, A Sigma A^T): the moment generating "
    "function E[exp(u^T (A x + b))] = exp(u^T b) M_x(A^T u) is that of N(A mu + b, A Sigma A^T); "
    "M_x(t) = exp(t^T mu + t^T Sigma t / 2) follows from x = mu + L z and E[exp(c z_i)] = exp(c^2 / 2)",
    method="symbolic + Monte Carlo",
    monte_carlo="tests/package/test_mvn.py::test_sample_shape_and_covariance_within_standard_errors",
    scope=(
        "symbolic: E[exp(c z)] for every real c; the MGF of N(mu, Sigma) and of A x + b for every "
        "D and D' with matrix symbols (uniqueness of the multivariate MGF cited, not proved), and "
        "spelled out for D = 2, 3 and A of size 2 x 3 and 1 x 2; the display read for A of size "
        "2 x 3; Monte Carlo: "
        "test_sample_shape_and_covariance_within_standard_errors, D = 3, 20000 draws"
    ),
)
def affine_map_of_a_gaussian():
    c = sp.Symbol("c", real=True)
    one = sp.integrate(sp.exp(c * x) * std_normal_pdf(x), (x, -sp.oo, sp.oo))
    assert_equal(one, sp.exp(c**2 / 2), "E[exp(c z)] for z ~ N(0, 1)")
    # Every D and D': sum_i ((L^T t)_i)^2 = t^T L L^T t, and the exponent of the MGF of A x + b.
    chol_ = sp.MatrixSymbol("L", _DIM, _DIM)
    t_, mu_ = sp.MatrixSymbol("t", _DIM, 1), sp.MatrixSymbol("mu", _DIM, 1)
    a_ = sp.MatrixSymbol("A", _DIM_OUT, _DIM)
    b_, u_ = sp.MatrixSymbol("b", _DIM_OUT, 1), sp.MatrixSymbol("u", _DIM_OUT, 1)
    sigma = chol_ * chol_.T
    assert_true(
        _is_zero_matrix((chol_.T * t_).T * (chol_.T * t_) - t_.T * sigma * t_),
        "sum_i (L^T t)_i^2 = t^T Sigma t, every D",
    )
    exponent = u_.T * b_ + (a_.T * u_).T * mu_ + (a_.T * u_).T * sigma * (a_.T * u_) / 2
    wanted = u_.T * (a_ * mu_ + b_) + u_.T * (a_ * sigma * a_.T) * u_ / 2
    assert_true(_is_zero_matrix(exponent - wanted), "MGF of A x + b, every D and D'")
    for dim in (2, 3):
        chol, mean, u = _lower(dim), _column("mu", dim), _column("u", dim)
        # E[exp(u^T (mu + L z))] = exp(u^T mu) prod_i E[exp((L^T u)_i z_i)], z_i independent.
        product = sp.exp((u.T * mean)[0, 0]) * sp.Mul(*[one.subs(c, ci) for ci in chol.T * u])
        assert_equal(product, _mgf(u, mean, chol * chol.T), f"MGF of N(mu, Sigma), D = {dim}")
    for rows, dim in ((2, 3), (1, 2)):
        a = sp.Matrix(rows, dim, lambda i, j: sp.Symbol(f"a{i}{j}", real=True))
        b, mean, u = _column("b", rows), _column("mu", dim), _column("u", rows)
        chol = _lower(dim)
        cov = chol * chol.T
        lhs = sp.exp((u.T * b)[0, 0]) * _mgf(a.T * u, mean, cov)
        assert_equal(lhs, _mgf(u, a * mean + b, a * cov * a.T), f"MGF of A x + b, A {rows} x {dim}")


def _law(mean, cov):
    """N(mean, cov) read as one column: the mean, then the covariance's entries."""
    return sp.Matrix.vstack(sp.Matrix(mean), sp.Matrix(cov).reshape(len(cov), 1))


@binds("hd-mvn-pdf", mvn_density_by_change_of_variables, scope="read for D = 1, 2")
def _hd_mvn_pdf():
    cases = []
    for dim in (1, 2):
        chol, mean, v = _lower(dim), _column("mu", dim), _column("x", dim)
        cov = chol * chol.T
        env = {
            **ENV,
            "D": sp.Integer(dim),
            "x": v,
            r"\mu": mean,
            r"\Sigma": cov,
            r"\det": lambda m: m.det(),
            r"\mathcal{N}": lambda p, m, c: _mvn_density(p, m, c),
        }
        density = _density_of_mu_plus_Lz(v, mean, chol)
        cases.append((env, [[density, "=", density]]))
    return cases


@binds("hd-affine", affine_map_of_a_gaussian, scope="read for A of size 2 x 3")
def _hd_affine():
    a = sp.Matrix(2, 3, lambda i, j: sp.Symbol(f"a{i}{j}", real=True))
    b, mean, v = _column("b", 2), _column("mu", 3), _column("x", 3)
    cov = _lower(3) * _lower(3).T
    env = {**ENV, "A": a, "b": b, "x": v, r"\mu": mean, r"\Sigma": cov, r"\mathcal{N}": _law}
    return [(env, [[v, "~", _law(mean, cov)], [a * v + b, "~", _law(a * mean + b, a * cov * a.T)]])]


# --- partitioned Gaussians: block sizes p (kept, a) and q (observed, b) ---------------------

_P = sp.Symbol("p", integer=True, positive=True)
_Q = sp.Symbol("q", integer=True, positive=True)


@functools.cache
def _blocks():
    """Sigma's blocks as matrix symbols of every size, Sigma_aa written through the Schur
    complement S (Sigma_aa = S + Sigma_ab Sigma_bb^{-1} Sigma_ba), and the blocks of Lambda
    as the page states them."""
    s_ab = sp.MatrixSymbol("Sigma_ab", _P, _Q)
    s_bb = sp.MatrixSymbol("Sigma_bb", _Q, _Q)
    schur = sp.MatrixSymbol("S", _P, _P)
    s_ba = s_ab.T
    s_aa = schur + s_ab * s_bb.I * s_ba
    l_aa = schur.I
    l_ab = -l_aa * s_ab * s_bb.I
    l_ba = -s_bb.I * s_ba * l_aa  # Lambda_ab^T for symmetric S and Sigma_bb
    l_bb = s_bb.I + s_bb.I * s_ba * l_aa * s_ab * s_bb.I
    return (s_aa, s_ab, s_ba, s_bb, schur), (l_aa, l_ab, l_ba, l_bb)


def _symmetric(expr):
    """`expr` with Sigma_bb^T = Sigma_bb and S^T = S (both blocks are symmetric), expanded."""
    (_, _, _, s_bb, schur), _ = _blocks()
    expr = sp.expand(expr.doit())
    expr = expr.xreplace({sp.Transpose(s_bb): s_bb, sp.Transpose(schur): schur})
    return sp.expand(expr.doit())


def _is_identity(expr) -> bool:
    reduced = sp.expand(expr.doit())
    return bool(getattr(reduced, "is_Identity", False))


def _symbolic_covariance(p, q):
    """A symmetric (p + q) x (p + q) matrix of symbols, with its index sets a = first p, b = rest."""
    n = p + q
    entries = {}
    for i in range(n):
        for j in range(i, n):
            entries[i, j] = entries[j, i] = sp.Symbol(f"s{i + 1}{j + 1}", real=True)
    cov = sp.Matrix(n, n, lambda i, j: entries[i, j])
    return cov, list(range(p)), list(range(p, n))


def _block(m, rows, cols):
    return m.extract(rows, cols)


def _read(m):
    """A matrix as the page reads it: a 1 x 1 matrix is its entry."""
    return m[0, 0] if isinstance(m, sp.MatrixBase) and m.shape == (1, 1) else m


def _inverse(m):
    """adj(m) / det(m), fast for matrices of symbols."""
    return m.adjugate(method="berkowitz") / sp.expand(m.det(method="berkowitz"))


#: The sizes (p, q) at which the displays are read, every entry a symbol.
_SIZES = ((1, 1), (1, 2), (2, 1))


@claim(
    "mvn-block-inverse",
    statement="for Sigma = [[Sigma_aa, Sigma_ab], [Sigma_ba, Sigma_bb]] with Sigma_bb and the Schur "
    "complement S = Sigma_aa - Sigma_ab Sigma_bb^{-1} Sigma_ba invertible, the blocks "
    "Lambda_aa = S^{-1}, Lambda_ab = -Lambda_aa Sigma_ab Sigma_bb^{-1}, "
    "Lambda_ba = -Sigma_bb^{-1} Sigma_ba Lambda_aa and "
    "Lambda_bb = Sigma_bb^{-1} + Sigma_bb^{-1} Sigma_ba Lambda_aa Sigma_ab Sigma_bb^{-1} "
    "multiply Sigma to the identity",
    scope="symbolic for every block size p x p and q x q (matrix symbols; Sigma Lambda = I block by "
    "block); the display read for (p, q) = (1, 1), (1, 2), (2, 1) with every entry of a "
    "symmetric Sigma a symbol",
)
def block_inverse_by_the_schur_complement():
    (s_aa, s_ab, s_ba, s_bb, _), (l_aa, l_ab, l_ba, l_bb) = _blocks()
    assert_true(_is_identity(s_aa * l_aa + s_ab * l_ba), "block aa of Sigma Lambda = I")
    assert_true(_is_zero_matrix(s_aa * l_ab + s_ab * l_bb), "block ab of Sigma Lambda = 0")
    assert_true(_is_zero_matrix(s_ba * l_aa + s_bb * l_ba), "block ba of Sigma Lambda = 0")
    assert_true(_is_identity(s_ba * l_ab + s_bb * l_bb), "block bb of Sigma Lambda = I")
    assert_true(_is_zero_matrix(_symmetric(l_ab.T) - l_ba), "Lambda_ba = Lambda_ab^T")


def _quadratic(centred, cov):
    """(x - mu)^T Sigma^{-1} (x - mu) for the column `centred` = x - mu."""
    return sp.cancel((centred.T * _inverse(cov) * centred)[0, 0])


def _conditional_from_precision(cov, mean, v, a, b):
    """The conditional read off the precision Lambda = Sigma^{-1}: the quadratic form in x_a has
    the matrix Lambda_aa and its minimum at mu_a - Lambda_aa^{-1} Lambda_ab (x_b - mu_b)."""
    lam = _inverse(cov)
    l_aa, l_ab = _block(lam, a, a), _block(lam, a, b)
    cond_cov = _inverse(l_aa)
    cond_mean = _block(mean, a, [0]) - cond_cov * l_ab * (_block(v, b, [0]) - _block(mean, b, [0]))
    return cond_mean, cond_cov


@claim(
    "mvn-square",
    "mvn-cond-mean",
    "mvn-cond-cov",
    statement="with mu_{a|b} = mu_a + Sigma_ab Sigma_bb^{-1} (x_b - mu_b) and the Schur complement "
    "Sigma_{a|b} = Sigma_aa - Sigma_ab Sigma_bb^{-1} Sigma_ba, "
    "(x - mu)^T Sigma^{-1} (x - mu) = (x_a - mu_{a|b})^T Sigma_{a|b}^{-1} (x_a - mu_{a|b}) "
    "+ (x_b - mu_b)^T Sigma_bb^{-1} (x_b - mu_b), and det Sigma = det Sigma_{a|b} det Sigma_bb, so "
    "N(x; mu, Sigma) / N(x_b; mu_b, Sigma_bb) = N(x_a; mu_{a|b}, Sigma_{a|b})",
    method="symbolic + Monte Carlo",
    monte_carlo="tests/package/test_mvn.py::test_conditional_law_by_simulation",
    scope="symbolic for every block size (matrix symbols): the square, with Lambda from "
    "mvn-block-inverse, and Sigma = [[I, K], [0, I]] diag(Sigma_{a|b}, Sigma_bb) [[I, 0], [K^T, I]] "
    "with K = Sigma_ab Sigma_bb^{-1}, whose outer factors have determinant 1 (cited); the density "
    "ratio spelled out for (p, q) = (1, 1), (1, 2), (2, 1), every entry a symbol; "
    "Monte Carlo: test_conditional_law_by_simulation, D = 4, 20000 draws",
)
def conditional_by_completing_the_square():
    (s_aa, s_ab, s_ba, s_bb, schur), (l_aa, l_ab, l_ba, l_bb) = _blocks()
    d_a, d_b = sp.MatrixSymbol("d_a", _P, 1), sp.MatrixSymbol("d_b", _Q, 1)  # x - mu, split
    quad = d_a.T * l_aa * d_a + d_a.T * l_ab * d_b + d_b.T * l_ba * d_a + d_b.T * l_bb * d_b
    gain = s_ab * s_bb.I
    square = (d_a - gain * d_b).T * schur.I * (d_a - gain * d_b) + d_b.T * s_bb.I * d_b
    assert_true(_is_zero_matrix(_symmetric(quad - square)), "completing the square, every size")
    factored = sp.BlockMatrix([[sp.Identity(_P), gain], [sp.ZeroMatrix(_Q, _P), sp.Identity(_Q)]])
    middle = sp.BlockMatrix([[schur, sp.ZeroMatrix(_P, _Q)], [sp.ZeroMatrix(_Q, _P), s_bb]])
    right = sp.BlockMatrix([[sp.Identity(_P), sp.ZeroMatrix(_P, _Q)], [gain.T, sp.Identity(_Q)]])
    product = sp.block_collapse(factored * middle * right)
    for (i, j), want in {(0, 0): s_aa, (0, 1): s_ab, (1, 0): s_ba, (1, 1): s_bb}.items():
        got = _symmetric(product.blocks[i, j])
        assert_true(_is_zero_matrix(got - want), f"Sigma = T diag(S, Sigma_bb) T^T, block {i}{j}")
    for p, q in _SIZES:
        cov, a, b = _symbolic_covariance(p, q)
        mean, v = _column("mu", p + q), _column("x", p + q)
        cond_mean, cond_cov = _conditional_from_precision(cov, mean, v, a, b)
        # N(x) / N(x_b) = N(x_a; mu_{a|b}, Sigma_{a|b}): the exponents and the normalisers
        x_a, x_b = _block(v, a, [0]), _block(v, b, [0])
        mu_b, cov_bb = _block(mean, b, [0]), _block(cov, b, b)
        assert_equal(
            _quadratic(v - mean, cov) - _quadratic(x_b - mu_b, cov_bb),
            _quadratic(x_a - cond_mean, cond_cov),
            f"exponents, (p, q) = {p, q}",
        )
        assert_equal(cov.det(), cov_bb.det() * cond_cov.det(), f"det Sigma, (p, q) = {p, q}")


@claim(
    "mvn-info",
    "mvn-info-cond",
    statement="with Lambda = Sigma^{-1} and xi = Lambda mu, "
    "-(x - mu)^T Sigma^{-1} (x - mu) / 2 = -x^T Lambda x / 2 + xi^T x - xi^T Lambda^{-1} xi / 2; "
    "the conditional of x_a given x_b has the precision Lambda_{a|b} = Lambda_aa and "
    "xi_{a|b} = Lambda_{a|b} mu_{a|b} = xi_a - Lambda_ab x_b",
    scope="symbolic for every D and every block size (matrix symbols, Sigma symmetric; a 1 x 1 "
    "matrix equals its transpose); the displays read for D = 2, 3 and "
    "(p, q) = (1, 1), (1, 2), (2, 1), every entry a symbol",
)
def information_form():
    cov = sp.MatrixSymbol("Sigma", _DIM, _DIM)
    mu_, x_ = sp.MatrixSymbol("mu", _DIM, 1), sp.MatrixSymbol("x", _DIM, 1)
    lam, eta = cov.I, cov.I * mu_
    gap = -(x_ - mu_).T * lam * (x_ - mu_) / 2 - (
        -x_.T * lam * x_ / 2 + eta.T * x_ - eta.T * lam.I * eta / 2
    )
    # gap is 1 x 1, so gap = (gap + gap^T) / 2; with Sigma^T = Sigma the sum cancels.
    both = sp.expand((gap + gap.T).doit()).xreplace({sp.Transpose(cov): cov})
    assert_true(_is_zero_matrix(sp.expand(both.doit())), "the information form, every D")
    (_, s_ab, _, s_bb, schur), (l_aa, l_ab, _, _) = _blocks()
    mu_a, mu_b = sp.MatrixSymbol("mu_a", _P, 1), sp.MatrixSymbol("mu_b", _Q, 1)
    x_b = sp.MatrixSymbol("x_b", _Q, 1)
    cond_mean = mu_a + s_ab * s_bb.I * (x_b - mu_b)
    eta_a = l_aa * mu_a + l_ab * mu_b
    assert_true(_is_identity(schur * l_aa), "Lambda_{a|b} = Sigma_{a|b}^{-1} = Lambda_aa")
    assert_true(
        _is_zero_matrix(sp.expand((schur.I * cond_mean - (eta_a - l_ab * x_b)).doit())),
        "xi_{a|b} = Sigma_{a|b}^{-1} mu_{a|b} = xi_a - Lambda_ab x_b, every size",
    )


@functools.cache
def _rotation_and_scales():
    """A rotation of the plane, rational in t (every rotation but the half turn), and two
    positive eigenvalues."""
    t_ = sp.Symbol("t", real=True)
    c, s_ = (1 - t_**2) / (1 + t_**2), 2 * t_ / (1 + t_**2)
    lam = sp.symbols("lambda1:3", positive=True)
    return sp.Matrix([[c, -s_], [s_, c]]), lam


def _whitening_cases():
    """(Sigma, W) for D = 2: W = L^{-1}; W = diag(lambda)^{-1/2} U^T; W = U diag(lambda)^{-1/2} U^T."""
    chol = _lower(2)
    u, lam = _rotation_and_scales()
    half = sp.diag(*[1 / sp.sqrt(v) for v in lam])
    cov = u * sp.diag(*lam) * u.T
    return [(chol * chol.T, chol.inv()), (cov, half * u.T), (cov, u * half * u.T)]


def _orthogonal(expr, u):
    """`expr` with every adjacent U^T U and U U^T dropped (U orthogonal), expanded."""

    def drop(m):
        out = []
        for factor in m.args:
            if out and {out[-1], factor} == {u, u.T} and out[-1] != factor:
                out.pop()
                continue
            out.append(factor)
        return sp.MatMul(*out).doit() if out else sp.Identity(u.shape[0])

    before = None
    expr = sp.expand(expr.doit())
    while before != expr:
        before = expr
        expr = sp.expand(expr.replace(lambda m: isinstance(m, sp.MatMul), drop).doit())
    return expr


@claim(
    "mvn-whiten",
    statement="if W Sigma W^T = I_D (W invertible) then W (x - mu) ~ N(0, I_D) by the affine "
    "property and Sigma^{-1} = W^T W, so (x - mu)^T Sigma^{-1} (x - mu) = ||W (x - mu)||^2; "
    "W = L^{-1} (Cholesky), W = diag(lambda)^{-1/2} U^T (PCA) and "
    "W = U diag(lambda)^{-1/2} U^T = Sigma^{-1/2} (ZCA) all satisfy W Sigma W^T = I_D",
    scope="symbolic for every D (matrix symbols: Sigma^{-1} = W^T W from Sigma = W^{-1} W^{-T}; "
    "the three W, with U^T U = U U^T = I and diag(lambda)^{-1/2} symmetric); spelled out and "
    "the display read for D = 2 with a rotation U by any angle but pi (rational in tan of half the angle) and every entry of L a symbol",
)
def whitening():
    w = sp.MatrixSymbol("W", _DIM, _DIM)
    cov = w.I * w.I.T  # what W Sigma W^T = I leaves for Sigma
    assert_true(_is_identity(w * cov * w.T), "W Sigma W^T = I")
    assert_true(_is_zero_matrix(sp.expand((cov.I - w.T * w).doit())), "Sigma^{-1} = W^T W")
    chol = sp.MatrixSymbol("L", _DIM, _DIM)
    assert_true(_is_identity(chol.I * (chol * chol.T) * chol.I.T), "W = L^{-1}")
    u, half = sp.MatrixSymbol("U", _DIM, _DIM), sp.MatrixSymbol("H", _DIM, _DIM)
    cov = u * (half * half).I * u.T  # Sigma = U diag(lambda) U^T with H = diag(lambda)^{-1/2}
    for name, w in (("PCA", half * u.T), ("ZCA", u * half * u.T)):
        reduced = _orthogonal((w * cov * w.T).doit().xreplace({sp.Transpose(half): half}), u)
        assert_true(_is_identity(reduced), f"W Sigma W^T = I for {name}, every D")
    for cov, w in _whitening_cases():
        assert_equal(w * cov * w.T, sp.eye(2), "W Sigma W^T = I_2")
        assert_equal(w.T * w, _inverse(cov), "W^T W = Sigma^{-1}, D = 2")


# --- the displays ---------------------------------------------------------------------------


@functools.cache
def _partition_env(p, q):
    """The names of a partitioned Gaussian at sizes (p, q), every entry a symbol."""
    cov, a, b = _symbolic_covariance(p, q)
    mean, v = _column("mu", p + q), _column("x", p + q)
    lam = _inverse(cov).applyfunc(sp.cancel)
    eta = (lam * mean).applyfunc(sp.cancel)
    cond_mean, cond_cov = (
        m.applyfunc(sp.cancel) for m in _conditional_from_precision(cov, mean, v, a, b)
    )
    env = {**ENV, "x": v, r"\mu": mean, r"\Sigma": cov, r"\Lambda": lam, r"\xi": eta}
    for name, rows in (("a", a), ("b", b)):
        env[f"x_{name}"] = _read(_block(v, rows, [0]))
        env[rf"\mu_{name}"] = _read(_block(mean, rows, [0]))
        env[rf"\xi_{name}"] = _read(_block(eta, rows, [0]))
        for other, cols in (("a", a), ("b", b)):
            env[rf"\Sigma_{name}{other}"] = _read(_block(cov, rows, cols))
            env[rf"\Lambda_{name}{other}"] = _read(_block(lam, rows, cols))
    cond_precision = _inverse(cond_cov).applyfunc(sp.cancel)
    env[r"\mu_a|b"], env[r"\Sigma_a|b"] = _read(cond_mean), _read(cond_cov)
    env[r"\Lambda_a|b"] = _read(cond_precision)
    env[r"\xi_a|b"] = _read((cond_precision * cond_mean).applyfunc(sp.cancel))
    return env


@binds(
    "mvn-block-inverse",
    block_inverse_by_the_schur_complement,
    scope="read for (p, q) = (1, 1), (1, 2), (2, 1)",
)
def _mvn_block_inverse():
    cases = []
    for p, q in _SIZES:
        env = _partition_env(p, q)
        blocks = [env[rf"\Lambda_{k}"] for k in ("aa", "ab", "bb")]
        cases.append((env, [[m, "=", m] for m in blocks]))
    return cases


@binds(
    "mvn-square",
    conditional_by_completing_the_square,
    scope="read for (p, q) = (1, 1), (1, 2), (2, 1)",
)
def _mvn_square():
    cases = []
    for p, q in _SIZES:
        env = _partition_env(p, q)
        centred = env["x"] - env[r"\mu"]
        quad = (centred.T * env[r"\Lambda"] * centred)[0, 0]
        cases.append((env, [[quad, "=", quad]]))
    return cases


@binds(
    "mvn-cond-mean",
    conditional_by_completing_the_square,
    scope="read for (p, q) = (1, 1), (1, 2), (2, 1)",
)
def _mvn_cond_mean():
    return [
        (env, [[env[r"\mu_a|b"], "=", env[r"\mu_a|b"]]])
        for env in map(lambda s: _partition_env(*s), _SIZES)
    ]


@binds(
    "mvn-cond-cov",
    conditional_by_completing_the_square,
    scope="read for (p, q) = (1, 1), (1, 2), (2, 1)",
)
def _mvn_cond_cov():
    return [
        (env, [[env[r"\Sigma_a|b"], "=", env[r"\Sigma_a|b"]]])
        for env in map(lambda s: _partition_env(*s), _SIZES)
    ]


@binds("mvn-info", information_form, scope="read for D = 2, 3")
def _mvn_info():
    cases = []
    for p, q in ((1, 1), (1, 2)):
        env = _partition_env(p, q)
        centred = env["x"] - env[r"\mu"]
        value = -(centred.T * env[r"\Lambda"] * centred)[0, 0] / 2
        cases.append((env, [[value, "=", value]]))
    return cases


@binds("mvn-info-cond", information_form, scope="read for (p, q) = (1, 1), (1, 2), (2, 1)")
def _mvn_info_cond():
    cases = []
    for p, q in _SIZES:
        env = _partition_env(p, q)
        cases.append(
            (
                env,
                [
                    [env[r"\Lambda_a|b"], "=", env[r"\Lambda_a|b"]],
                    [env[r"\xi_a|b"], "=", env[r"\xi_a|b"]],
                ],
            )
        )
    return cases


def _standard_law(mean, cov):
    """N(mean, cov) read as one column; a mean of 0 is the zero vector of cov's size."""
    if not isinstance(mean, sp.MatrixBase) and mean == 0:
        mean = sp.zeros(cov.shape[0], 1)
    return _law(mean, cov)


@binds(
    "mvn-whiten",
    whitening,
    scope="read for D = 2: W = L^{-1}, W = diag(lambda)^{-1/2} U^T, W = U diag(lambda)^{-1/2} U^T",
)
def _mvn_whiten():
    cases = []
    mean, v = _column("mu", 2), _column("x", 2)
    for cov, w in _whitening_cases():
        env = {
            **ENV,
            "W": w,
            "x": v,
            r"\mu": mean,
            r"\Sigma": cov,
            "I_D": sp.eye(2),
            r"\mathcal{N}": _standard_law,
        }
        centred = v - mean
        quad = (centred.T * cov.inv() * centred)[0, 0]
        cases.append(
            (
                env,
                [
                    [sp.eye(2), "=", sp.eye(2)],
                    [w * centred, "~", _standard_law(0, sp.eye(2))],
                    [quad, "=", quad],
                ],
            )
        )
    return cases
