"""The LaTeX reader of the bindings: each construct the chapters write, and its errors."""

import pytest
import sympy as sp

from gaussml.derivations._latex import LatexError, parse_display, parse_expression, same

x, mu = sp.symbols("x mu", real=True)
sigma, n = sp.symbols("sigma n", positive=True)
ENV = {"x": x, r"\mu": mu, r"\sigma": sigma, "n": n, "e": sp.E}


def _zero(expr):
    return sp.simplify(expr) == 0


@pytest.mark.parametrize(
    ("tex", "expected"),
    [
        (r"\frac{1}{\sqrt{2\pi}\,\sigma}", 1 / (sp.sqrt(2 * sp.pi) * sigma)),
        (r"\tfrac12 x", x / 2),
        (r"\frac D2", sp.Symbol("D") / 2),
        (
            r"\exp\!\left(-\frac{(x-\mu)^2}{2\sigma^2}\right)",
            sp.exp(-((x - mu) ** 2) / (2 * sigma**2)),
        ),
        (r"\log 2\pi", sp.log(2 * sp.pi)),
        (r"\tanh^2 x", sp.tanh(x) ** 2),
        (r"e^{-x^2/2}", sp.exp(-(x**2) / 2)),
        (
            r"2^{D/2 - 1}\, \Gamma(D/2)",
            2 ** (sp.Symbol("D") / 2 - 1) * sp.gamma(sp.Symbol("D") / 2),
        ),
        (r"4 e^{-2|x|}", 4 * sp.exp(-2 * sp.Abs(x))),
        (r"\frac{d}{dx} x^3", 3 * x**2),
        (r"\frac{d(x^2)}{dx}", 2 * x),
        (r"\int_0^{2} x^2\, dx", sp.Rational(8, 3)),
        (r"\sigma^2 \sqrt{\frac{2}{n-1}}", sigma**2 * sp.sqrt(2 / (n - 1))),
        (r"\big(1 - 2\mu(1 - \mu)\big)", 1 - 2 * mu * (1 - mu)),
    ],
)
def test_scalar_constructs(tex, expected):
    env = {**ENV, "D": sp.Symbol("D")}
    assert _zero(parse_expression(tex, env) - expected)


def test_sums_products_and_indexing_count_from_one():
    v = sp.Matrix(sp.symbols("v1:4", real=True))
    env = {"x": v, "n": sp.Integer(3)}
    assert _zero(parse_expression(r"\sum_{i=1}^{n} x_i^2", env) - sum(e**2 for e in v))
    assert _zero(parse_expression(r"\prod_{i=1}^{3} x_i", env) - sp.Mul(*v))
    assert _zero(parse_expression(r"\sum_i x_i", env) - sum(v))


def test_matrices_transpose_inverse_and_norm():
    X = sp.Matrix(2, 3, sp.symbols("a:6", real=True))
    y = sp.Matrix(sp.symbols("y1:4", real=True))
    env = {"X": X, "y": y, "I_n": sp.eye(3)}
    assert parse_expression(r"(X X^\top)^{-1} X y", env) == (X * X.T).inv() * X * y
    assert _zero(parse_expression(r"\lVert y \rVert^2", env) - sum(e**2 for e in y))
    assert parse_expression(r"y^\top y", env) == (y.T * y)[0, 0]  # a 1 by 1 product is a scalar
    assert parse_expression(r"0 - 2 X y", env) == -2 * X * y


def test_functions_from_the_environment():
    env = {
        **ENV,
        "p": lambda v: v**2,
        r"\mathcal{N}": lambda v, m, s2: sp.Tuple(v, m, s2),
        "E": lambda e: 2 * e,
    }
    assert parse_expression(r"p(\mu)", env) == mu**2
    assert parse_expression(r"\mathcal{N}(x;\, \mu, \sigma^2)", env) == sp.Tuple(x, mu, sigma**2)
    assert parse_expression(r"E\big[x\big]", env) == 2 * x
    assert parse_expression(r"E[x]^2", env) == 4 * x**2


def test_statements_relations_and_conditions():
    env = {**ENV, r"\mathbb{R}": sp.Reals}
    shown = parse_display(r"x = \mu + 1 \le \sigma, \qquad x \in \mathbb{R}.", env)
    assert [s.rels for s in shown] == [["=", "<="], ["in"]]
    assert shown[1].sides == [x, sp.Reals]


def test_aligned_lines_continue_the_chain_and_new_left_sides_start_a_statement():
    tex = "\\begin{aligned}\nx &= \\mu \\\\\n&= \\sigma, \\\\\n\\mu &= 1\n\\end{aligned}"
    shown = parse_display(tex, ENV)
    assert [s.rels for s in shown] == [["=", "="], ["="]]


def test_text_connectives_separate_statements():
    shown = parse_display(r"x = 1, \qquad\text{so}\qquad \mu = 2 .", ENV)
    assert len(shown) == 2


def test_an_unknown_name_is_an_error_not_a_new_symbol():
    with pytest.raises(LatexError, match="'z' is not in this equation's environment"):
        parse_expression("z + 1", ENV)


def test_unreadable_latex_is_an_error():
    with pytest.raises(LatexError):
        parse_expression(r"\frac{1}{", ENV)


def test_same_compares_values_matrices_and_asymptotics():
    assert same((x + 1) ** 2, x**2 + 2 * x + 1, _zero)
    assert not same(x**2, x**3, _zero)
    assert same(sp.Matrix([x, 1]), sp.Matrix([x, 1]), _zero)
    assert not same(sp.Matrix([x, 1]), sp.Matrix([x, 2]), _zero)
    D = sp.Symbol("D", positive=True)
    assert same(
        1 - 1 / (4 * D) + sp.O(1 / D**2, (D, sp.oo)),
        1 - 1 / (4 * D) + sp.O(1 / D**2, (D, sp.oo)),
        _zero,
    )


def test_partial_derivative_by_a_subscripted_name():
    u1, u2 = sp.symbols("u1 u2", positive=True)
    env = {"z_1": u1**2 * u2, "u_1": u1, "u_2": u2}
    assert _zero(parse_expression(r"\frac{\partial z_1}{\partial u_1}", env) - 2 * u1 * u2)
    assert _zero(parse_expression(r"\frac{\partial z_1}{\partial u_2}", env) - u1**2)


def test_a_fraction_over_a_subscripted_d_is_a_quotient_not_a_derivative():
    d1, lam = sp.symbols("d1 lambda", positive=True)
    env = {"d": {1: d1}, r"\lambda": lam}
    shown = parse_expression(r"\frac{d_1^2}{d_1^2 + \lambda}", env)
    assert _zero(shown - d1**2 / (d1**2 + lam))
