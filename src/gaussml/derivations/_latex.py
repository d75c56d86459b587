r"""Read the book's displayed LaTeX into sympy, so that a claim checks what the page shows.

A small recursive-descent parser for the subset of LaTeX the chapters write.
It knows no meaning of its own beyond arithmetic: every name on the page
(`x`, `\sigma`, `\hat\beta`, `f_Q`, `E`, `\mathcal{N}`, `I_n`, ...) is looked
up in an *environment*, a dict from the name to a sympy object or a Python
callable, which the binding of each equation supplies. A name missing from
the environment is an error, never a silent new symbol.

`parse_display(tex, env)` returns the display as a list of `Statement`s: a
statement is a chain of sides joined by relations (`=`, `<`, `\le`, `\iff`,
`\sim`, ...). Statements are separated at the top level by a comma, by
`\quad`/`\qquad`, by a `\text{...}` connective, or by a new line of an
`aligned` block that does not start with a relation.

Names are written as the page writes them, with decorations and subscripts
in a canonical form: `\hat\beta` and `\hat{\beta}` are both `\hat{\beta}`;
`f_Q`, `I_n`, `S_{xx}` and `r_{\text{mode}}` are `f_Q`, `I_n`, `S_xx`,
`r_mode`. A subscripted name not in the environment is looked up by its
base and indexed by the subscript's value (`x_i` inside a sum is `env["x"][i]`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import sympy as sp


class LatexError(ValueError):
    """The displayed LaTeX is outside the subset this parser reads, or names an unknown symbol."""


# --- tokens -------------------------------------------------------------------

_SPACING = {r"\,", r"\!", r"\;", r"\:", r"\ ", r"\textstyle", r"\displaystyle", r"\left", r"\right"}
_SPACING |= {rf"\{b}{s}" for b in ("big", "Big", "bigg", "Bigg") for s in ("", "l", "r", "m")}
_SEPARATORS = {r"\quad", r"\qquad"}
_RELATIONS = {
    "=": "=",
    "<": "<",
    ">": ">",
    r"\le": "<=",
    r"\leq": "<=",
    r"\ge": ">=",
    r"\geq": ">=",
    r"\iff": "iff",
    r"\sim": "~",
    r"\in": "in",
    r"\xrightarrow": "->",
}
_FUNCTIONS = {
    r"\exp": sp.exp,
    r"\log": sp.log,
    r"\ln": sp.log,
    r"\tanh": sp.tanh,
    r"\sin": sp.sin,
    r"\cos": sp.cos,
    r"\Gamma": sp.gamma,
}
_GREEK_CONSTANTS = {r"\pi": sp.pi, r"\infty": sp.oo}
_ACCENTS = {r"\hat", r"\bar", r"\tilde", r"\vec", r"\dot"}
_FONTS = {r"\mathbb", r"\mathcal", r"\mathrm", r"\operatorname", r"\mathbf", r"\text", r"\mathit"}

_TOKEN = re.compile(
    r"\\[A-Za-z]+|\\.|[A-Za-z]|[0-9]|[-+*/^_=<>(),.;:&|'\[\]{}]|\s+",
)


@dataclass(frozen=True)
class Token:
    kind: str  # "cmd", "letter", "digit", "sym", "text", "sep", "rel", "newline"
    value: str


def _matching_brace(text: str) -> int:
    """Index of the brace closing the one that opens `text`."""
    depth = 0
    for i, char in enumerate(text):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0:
            return i
    raise LatexError(f"unbalanced braces in {text[:30]!r}")


def tokenize(tex: str) -> list[Token]:
    """Split LaTeX into tokens, dropping spacing commands and `aligned` markup."""
    tex = re.sub(r"\\(begin|end)\{aligned\}", " ", tex)
    # a starred name: beta^* is the name beta_*, sigma^{* 2} its square
    tex = re.sub(r"\^\{\\ast\s*([^{}]+)\}", r"_{\\ast}^{\1}", tex)
    tex = re.sub(r"\^\\ast", r"_{\\ast}", tex)
    tokens: list[Token] = []
    pos = 0
    while pos < len(tex):
        match = _TOKEN.match(tex, pos)
        if match is None:
            raise LatexError(f"cannot read {tex[pos : pos + 20]!r}")
        value, pos = match.group(), match.end()
        if value.isspace() or value in _SPACING:
            continue
        if value == r"\\":
            tokens.append(Token("newline", value))
        elif value in (r"\text", r"\mathrm", r"\operatorname", r"\mathbb", r"\mathcal", r"\mathbf"):
            # A font command: read its braced (or single-token) argument as a word.
            rest = tex[pos:].lstrip()
            pos = len(tex) - len(rest)
            if rest.startswith("{"):
                end = _matching_brace(rest)
                word, pos = rest[1:end], pos + end + 1
            else:
                word_match = re.match(r"\\?[A-Za-z]", rest)
                if word_match is None:
                    raise LatexError(f"{value} needs an argument, got {rest[:10]!r}")
                word, pos = word_match.group(), pos + word_match.end()
            kind = "text" if value == r"\text" else "cmd"
            tokens.append(Token(kind, word if kind == "text" else f"{value}{{{word.strip()}}}"))
        elif value in _SEPARATORS:
            tokens.append(Token("sep", value))
        elif value in _RELATIONS:
            tokens.append(Token("rel", _RELATIONS[value]))
        elif value.startswith("\\"):
            tokens.append(Token("cmd", value))
        elif value.isalpha():
            tokens.append(Token("letter", value))
        elif value.isdigit():
            tokens.append(Token("digit", value))
        elif value in "=<>":
            tokens.append(Token("rel", value))
        else:
            tokens.append(Token("sym", value))
    return tokens


# --- statements ----------------------------------------------------------------


@dataclass
class Statement:
    """A chain `sides[0] rels[0] sides[1] rels[1] ...` as read from the page."""

    sides: list = field(default_factory=list)
    rels: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # each side's tokens, for messages

    def __repr__(self) -> str:
        parts = [str(self.sides[0])]
        for rel, side in zip(self.rels, self.sides[1:], strict=True):
            parts += [rel, str(side)]
        return " ".join(parts)


_OPEN = {"(": ")", "[": "]", "{": "}"}


def _split_statements(tokens: list[Token]) -> list[list[list[Token] | str]]:
    """Split the top level into statements, each a list alternating sides and relation names."""
    statements: list[list] = []
    current: list = [[]]
    depth = 0

    def close_statement():
        nonlocal current
        if current != [[]]:
            if current[-1] == []:
                raise LatexError("a relation with nothing on its right")
            statements.append(current)
        current = [[]]

    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if (tok.kind == "sym" and tok.value in _OPEN) or tok == Token("cmd", r"\begin"):
            depth += 1
        elif (tok.kind == "sym" and tok.value in _OPEN.values()) or tok == Token("cmd", r"\end"):
            depth -= 1
        if depth == 0 and tok == Token("sym", "&"):
            pass
        elif depth > 0:
            current[-1].append(tok)
        elif tok.kind == "rel":
            if tok.value == "->":
                # \xrightarrow[below]{above}: the arrow's labels are not part of either side.
                i += 1
                while i < len(tokens) and tokens[i].kind == "sym" and tokens[i].value in "[{":
                    i = _skip_group(tokens, i)
            if current[-1] == []:
                if len(current) == 1 and statements:
                    # a line of an aligned block that starts with a relation continues the chain
                    current = statements.pop()
                else:
                    raise LatexError(f"relation {tok.value!r} with nothing on its left")
            current += [tok.value, []]
            if tok.value == "->":
                continue
        elif tok.kind in ("sep", "text", "newline") or (tok.kind == "sym" and tok.value == ","):
            close_statement()
        elif tok.kind == "sym" and tok.value == "." and i == len(tokens) - 1:
            pass
        else:
            current[-1].append(tok)
        i += 1
    close_statement()
    return statements


def _skip_group(tokens: list[Token], i: int) -> int:
    """Index just past the bracketed group starting at `tokens[i]`."""
    depth = 0
    while i < len(tokens):
        if tokens[i].kind == "sym" and tokens[i].value in _OPEN:
            depth += 1
        elif tokens[i].kind == "sym" and tokens[i].value in _OPEN.values():
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise LatexError("unbalanced brackets")


def parse_display(tex: str, env: dict) -> list[Statement]:
    """Parse a displayed equation into statements whose sides are sympy objects."""
    out = []
    for parts in _split_statements(tokenize(tex)):
        statement = Statement()
        for k, part in enumerate(parts):
            if k % 2:
                statement.rels.append(part)
            else:
                statement.sides.append(scalar(_Parser(part, env).parse()))
                statement.sources.append(" ".join(t.value for t in part))
        out.append(statement)
    return out


def parse_expression(tex: str, env: dict):
    """Parse one expression (no relation at the top level)."""
    return _Parser([t for t in tokenize(tex)], env).parse()


# --- expressions ----------------------------------------------------------------


@dataclass(frozen=True)
class Derivative:
    """The operator d/dv, applied to what follows it."""

    var: object


def _inverse(M):
    """The inverse adj(M) / det(M), or an error when det(M) expands to zero (fast for symbols)."""
    if not M.is_square:
        raise LatexError(f"a {M.shape[0]} by {M.shape[1]} matrix has no inverse")
    det = sp.expand(M.det(method="berkowitz"))
    if det == 0:
        raise LatexError("the matrix is singular: its determinant is 0")
    return M.adjugate(method="berkowitz") / det


def _as_matrix_aware_pow(base, exponent):
    if isinstance(base, sp.MatrixBase):
        if exponent.is_Integer and exponent < 0:
            inverse = _inverse(base)
            out = inverse
            for _ in range(int(-exponent) - 1):
                out = out * inverse
            return out
        if base.shape == (1, 1):
            return base[0, 0] ** exponent
        return base**exponent
    return base**exponent


def _mul(a, b):
    if isinstance(a, Callable) and not isinstance(a, sp.Basic | sp.MatrixBase):
        return a(b)
    return scalar(a * b)


def _add(a, b):
    """a + b, where a zero scalar added to a matrix is the zero matrix (`0 - 2 X y`)."""
    if isinstance(b, sp.MatrixBase) and not isinstance(a, sp.MatrixBase) and a == 0:
        return b
    if isinstance(a, sp.MatrixBase) and not isinstance(b, sp.MatrixBase) and b == 0:
        return a
    return scalar(a + b)


def transpose(value):
    """`^\\top`: the transpose of a matrix; a scalar is its own transpose."""
    if isinstance(value, sp.MatrixBase):
        return value.T
    return value


def scalar(value):
    """A 1 by 1 matrix as its entry; anything else unchanged."""
    if isinstance(value, sp.MatrixBase) and value.shape == (1, 1):
        return value[0, 0]
    return value


class _Parser:
    def __init__(self, tokens: list[Token], env: dict):
        self.tokens = tokens
        self.pos = 0
        self.env = env

    # helpers
    def peek(self, offset: int = 0) -> Token | None:
        i = self.pos + offset
        return self.tokens[i] if i < len(self.tokens) else None

    def next(self) -> Token:
        tok = self.peek()
        if tok is None:
            raise LatexError("unexpected end of the expression")
        self.pos += 1
        return tok

    def at(self, kind: str, value: str | None = None) -> bool:
        tok = self.peek()
        return tok is not None and tok.kind == kind and (value is None or tok.value == value)

    def expect(self, kind: str, value: str) -> None:
        tok = self.next()
        if tok.kind != kind or tok.value != value:
            raise LatexError(f"expected {value!r}, got {tok.value!r}")

    def parse(self):
        if not self.tokens:
            raise LatexError("empty expression")
        value = self.expr()
        if self.peek() is not None:
            rest = " ".join(t.value for t in self.tokens[self.pos :])
            raise LatexError(f"cannot read the end of the expression: {rest!r}")
        return value

    # grammar
    def expr(self):
        sign = 1
        if self.at("sym", "-"):
            self.next()
            sign = -1
        elif self.at("sym", "+"):
            self.next()
        value = self.term()
        value = -value if sign < 0 else value
        while self.at("sym", "+") or self.at("sym", "-"):
            op = self.next().value
            rhs = self.term()
            value = _add(value, rhs if op == "+" else -rhs)
        return value

    def _term_ends(self) -> bool:
        tok = self.peek()
        if tok is None:
            return True
        if tok.kind == "sym" and tok.value in "+-)]},;":
            return True
        return tok.kind == "cmd" and tok.value == r"\rVert"

    def term(self):
        factors = []
        while not self._term_ends():
            if self.at("cmd", r"\cdot") or self.at("cmd", r"\times"):
                self.next()
                continue
            if self.at("sym", "/"):
                self.next()
                factors.append(("div", self.factor()))
                continue
            factors.append(("mul", self.factor()))
        if not factors:
            raise LatexError("expected a term")
        return self._combine(factors)

    def _combine(self, factors):
        value = None
        for i, (op, factor) in enumerate(factors):
            if isinstance(factor, Derivative):
                rest = self._combine(factors[i + 1 :]) if i + 1 < len(factors) else None
                if rest is None:
                    raise LatexError("d/dv with nothing to differentiate")
                derivative = sp.diff(rest, factor.var)
                return derivative if value is None else _mul(value, derivative)
            if value is None:
                value = factor if op == "mul" else 1 / factor
            elif op == "div":
                value = value / factor
            else:
                value = _mul(value, factor)
        return value

    def factor(self):
        base = self.primary()
        return self.postfix(base)

    def postfix(self, base):
        while True:
            if self.at("sym", "^"):
                self.next()
                if self.at("cmd", r"\top"):
                    self.next()
                    base = transpose(base)
                    continue
                if self.at("sym", "{") and self.peek(1) == Token("cmd", r"\top"):
                    self.pos += 3
                    base = transpose(base)
                    continue
                base = _as_matrix_aware_pow(base, self.argument())
            elif self.at("sym", "'"):
                raise LatexError("primes are not supported; write the derivative")
            else:
                return base

    def argument(self):
        """A braced group, or a single token (`^2`, `\\frac12`, `\\sqrt 2`)."""
        tok = self.next()
        if tok.kind == "sym" and tok.value == "{":
            value = self.expr()
            self.expect("sym", "}")
            return scalar(value)
        if tok.kind == "digit":
            return sp.Integer(int(tok.value))
        self.pos -= 1
        return self.primary()

    def group_tokens(self, open_: str) -> list[Token]:
        """The tokens inside a bracketed group starting at the current token (consumed)."""
        start = self.pos
        end = _skip_group(self.tokens, start)
        self.pos = end
        if self.tokens[start].value != open_:
            raise LatexError(f"expected {open_!r}")
        return self.tokens[start + 1 : end - 1]

    def args(self):
        """Arguments in parentheses or brackets, separated by `,` or `;`."""
        open_ = self.peek().value
        inner = self.group_tokens(open_)
        parts, current, depth = [], [], 0
        for tok in inner:
            if tok.kind == "sym" and tok.value in _OPEN:
                depth += 1
            elif tok.kind == "sym" and tok.value in _OPEN.values():
                depth -= 1
            if depth == 0 and tok.kind == "sym" and tok.value in ",;":
                parts.append(current)
                current = []
            else:
                current.append(tok)
        parts.append(current)
        return [self._sub_value(part) for part in parts]

    def _sub_value(self, tokens):
        """An argument: an expression, or a relation such as `Z \\le x` (a sympy relational)."""
        for k, tok in enumerate(tokens):
            if tok.kind == "rel" and tok.value in ("<", ">", "<=", ">="):
                lhs = _Parser(tokens[:k], self.env).parse()
                rhs = _Parser(tokens[k + 1 :], self.env).parse()
                return {"<": sp.Lt, ">": sp.Gt, "<=": sp.Le, ">=": sp.Ge}[tok.value](lhs, rhs)
        return _Parser(tokens, self.env).parse()

    def subscript(self) -> str:
        """The text of a subscript, as a name suffix: `_i`, `_{xx}`, `_{\\text{mode}}`, `_{\\chi_D}`."""
        self.expect("sym", "_")
        if self.at("sym", "{"):
            inner = self.group_tokens("{")
        else:
            inner = [self.next()]
        return "".join(t.value for t in inner)

    def subscript_tokens(self) -> list[Token]:
        self.expect("sym", "_")
        if self.at("sym", "{"):
            return self.group_tokens("{")
        return [self.next()]

    def name(self, first: Token) -> str:
        if first.value in _ACCENTS:
            inner = self.group_tokens("{") if self.at("sym", "{") else [self.next()]
            return first.value + "{" + "".join(t.value for t in inner) + "}"
        return first.value

    def lookup(self, name: str):
        if name in self.env:
            return self.env[name]
        raise LatexError(f"the name {name!r} is not in this equation's environment")

    def primary(self):
        tok = self.next()
        if tok.kind == "digit":
            digits = tok.value
            while self.at("digit") or (
                self.at("sym", ".") and self.peek(1) and self.peek(1).kind == "digit"
            ):
                digits += self.next().value
            return sp.Rational(digits)
        if tok.kind == "sym" and tok.value in "([{":
            self.pos -= 1
            inner = self.args()
            if len(inner) != 1:
                return sp.Tuple(*inner)
            return inner[0]
        if tok.kind == "sym" and tok.value == "|":
            start = self.pos
            while not self.at("sym", "|"):
                self.next()
            value = _Parser(self.tokens[start : self.pos], self.env).parse()
            self.next()
            return sp.Abs(value)
        if tok.kind == "cmd":
            return self.command(tok)
        if tok.kind == "letter":
            return self.named(tok)
        raise LatexError(f"unexpected {tok.value!r}")

    def command(self, tok: Token):
        value = tok.value
        if value in (r"\frac", r"\tfrac", r"\dfrac"):
            start = self.pos
            num_tokens = self._arg_tokens()
            den_tokens = self._arg_tokens()
            derivative = self._derivative(num_tokens, den_tokens)
            if derivative is not None:
                return derivative
            self.pos = start
            num = self.argument()
            den = self.argument()
            return num / den
        if value == r"\sqrt":
            return sp.sqrt(self.argument())
        if value in _FUNCTIONS:
            return self.function(_FUNCTIONS[value], value)
        if value in _GREEK_CONSTANTS and value not in self.env:
            return _GREEK_CONSTANTS[value]
        if value in (r"\sum", r"\prod"):
            return self.big_operator(value)
        if value == r"\int":
            return self.integral()
        if value == r"\lVert":
            start = self.pos
            depth = 0
            while not (depth == 0 and self.at("cmd", r"\rVert")):
                t = self.next()
                depth += t.kind == "sym" and t.value in _OPEN
                depth -= t.kind == "sym" and t.value in _OPEN.values()
            inner = _Parser(self.tokens[start : self.pos], self.env).parse()
            self.next()
            norm = self.env.get("norm", _default_norm)
            return norm(inner)
        if value == r"\begin":
            return self.matrix_environment()
        return self.named(tok)

    def _arg_tokens(self) -> list[Token]:
        if self.at("sym", "{"):
            return self.group_tokens("{")
        return [self.next()]

    def _derivative(self, num, den):
        """`\\frac{d}{dx}`, `\\frac{d(r^2)}{dr}`, `\\frac{\\partial f}{\\partial x}`, or None."""
        if len(den) < 2 or den[0].value not in ("d", r"\partial"):
            return None
        if den[1].value == "_":  # `d_i`: a subscripted letter d, not a differential
            return None
        if not num or num[0].value != den[0].value:
            return None
        var = self.lookup("".join(t.value for t in den[1:]))  # `dx`, or `\partial u_1`
        if len(num) == 1:
            return Derivative(var)
        return sp.diff(_Parser(num[1:], self.env).parse(), var)

    def function(self, func, name):
        power = None
        if self.at("sym", "^"):
            self.next()
            power = self.argument()
        if self.at("sym", "(") or self.at("sym", "["):
            args = self.args()
            if len(args) != 1:
                raise LatexError(f"{name} takes one argument, got {len(args)}")
            value = func(args[0])
        else:
            # A bare argument: the rest of the product (`\log 2\pi`, `\tanh z`).
            factors = []
            while not self._term_ends() and not self._bare_argument_ends():
                factors.append(("mul", self.factor()))
            if not factors:
                raise LatexError(f"{name} without an argument")
            value = func(self._combine(factors))
        return value if power is None else value**power

    def _bare_argument_ends(self) -> bool:
        tok = self.peek()
        return tok.kind == "cmd" and tok.value in (r"\cdot", r"\times")

    def big_operator(self, which: str):
        index, low, high = None, None, None
        if self.at("sym", "_"):
            sub = self.subscript_tokens()
            if any(t.kind == "rel" for t in sub):
                eq = next(k for k, t in enumerate(sub) if t.kind == "rel")
                index = sub[0].value
                low = _Parser(sub[eq + 1 :], self.env).parse()
            else:
                index = sub[0].value
        if self.at("sym", "^"):
            self.next()
            high = self.argument()
        if low is None:
            low = sp.Integer(1)
        if high is None:
            high = self.lookup("n")
        if not (isinstance(low, sp.Integer) and isinstance(high, sp.Integer)):
            raise LatexError(
                f"{which} needs concrete bounds in this environment, got {low}..{high}"
            )
        start = self.pos
        terms = []
        end = start
        for i in range(int(low), max(int(high), int(low)) + 1):
            self.pos = start
            inner = _Parser(self.tokens, {**self.env, index: sp.Integer(i)})
            inner.pos = start
            factors = []
            while not inner._term_ends():
                factors.append(("mul", inner.factor()))
            if i <= high:
                terms.append(scalar(inner._combine(factors)))
            end = inner.pos
        self.pos = end
        return sp.Add(*terms) if which == r"\sum" else sp.Mul(*terms)

    def integral(self):
        low = high = None
        if self.at("sym", "_"):
            self.next()
            low = self.argument()
        if self.at("sym", "^"):
            self.next()
            high = self.argument()
        start = self.pos
        while not (
            self.at("letter", "d") and self.peek(1) is not None and self.peek(1).kind == "letter"
        ):
            self.next()
        body = _Parser(self.tokens[start : self.pos], self.env).parse()
        self.next()
        var = self.lookup(self.next().value)
        return sp.integrate(body, (var, low, high))

    def matrix_environment(self):
        kind = "".join(t.value for t in self.group_tokens("{"))
        if kind not in ("pmatrix", "bmatrix"):
            raise LatexError(f"unsupported environment {kind!r}")
        rows, row, cell = [], [], []
        while not self.at("cmd", r"\end"):
            tok = self.next()
            if tok.kind == "newline":
                row.append(cell)
                rows.append(row)
                row, cell = [], []
            elif tok == Token("sym", "&"):
                row.append(cell)
                cell = []
            else:
                cell.append(tok)
        self.next()
        self.group_tokens("{")
        row.append(cell)
        rows.append(row)
        return sp.Matrix([[_Parser(c, self.env).parse() for c in r] for r in rows])

    def named(self, tok: Token):
        name = self.name(tok)
        if name == "d" and self.at("letter") and False:
            pass
        # subscripts: a name of its own (`f_Q`, `I_n`) or an index into the base (`x_i`)
        if self.at("sym", "_"):
            save = self.pos
            sub_tokens = self.subscript_tokens()
            sub = "".join(t.value for t in sub_tokens)
            full = f"{name}_{sub}"
            if full in self.env:
                value = self.env[full]
            else:
                base = self.lookup(name)
                index = _Parser(sub_tokens, self.env).parse()
                try:
                    if isinstance(base, sp.MatrixBase):
                        value = base[int(index) - 1]  # the page counts from 1
                    else:
                        value = base(index) if callable(base) else base[int(index)]
                except (TypeError, IndexError, KeyError) as error:
                    self.pos = save
                    raise LatexError(f"cannot index {name!r} by {sub!r}") from error
        else:
            value = self.lookup(name)
        return self.apply(value, name)

    def apply(self, value, name):
        """A callable name applied to `(...)`/`[...]`, or to the next factor (`E\\lVert x\\rVert`)."""
        if not callable(value) or isinstance(value, sp.Basic | sp.MatrixBase):
            return value
        if self.at("sym", "^") and not (self.peek(1) and self.peek(1).value == r"\top"):
            self.next()
            power = self.argument()
            return self.apply(lambda *a: value(*a) ** power, name)
        if self.at("sym", "(") or self.at("sym", "["):
            return value(*self.args())
        if self._term_ends():
            raise LatexError(f"{name!r} is a function here and needs an argument")
        return value(self.factor())


def _default_norm(value):
    if isinstance(value, sp.MatrixBase):
        return sp.sqrt(sum(e**2 for e in value))
    raise LatexError(f"the norm of {value} needs a `norm` in the environment")


# --- comparison ------------------------------------------------------------------------


def same(page, checked, is_zero: Callable) -> bool:
    """True when the page's side and the checked expression are the same mathematics."""
    page, checked = scalar(page), scalar(checked)
    if isinstance(checked, sp.Expr) and checked.has(sp.Order):
        # an asymptotic expansion: the same terms and the same order of the remainder
        if not (isinstance(page, sp.Expr) and page.has(sp.Order)):
            return False
        return bool(is_zero(page.removeO() - checked.removeO())) and page.getO() == checked.getO()
    if isinstance(page, sp.MatrixBase) or isinstance(checked, sp.MatrixBase):
        if not (isinstance(page, sp.MatrixBase) and isinstance(checked, sp.MatrixBase)):
            return False
        if page.shape != checked.shape:
            return False
        differences = [a - b for a, b in zip(page, checked, strict=True)]
        if any(_differs_at_a_point(d) for d in differences):
            return False
        return all(is_zero(d) for d in differences)
    if isinstance(page, sp.Tuple | tuple) or isinstance(checked, sp.Tuple | tuple):
        if not (isinstance(page, sp.Tuple | tuple) and isinstance(checked, sp.Tuple | tuple)):
            return False
        return len(page) == len(checked) and all(
            same(a, b, is_zero) for a, b in zip(page, checked, strict=True)
        )
    if isinstance(page, sp.Set) or isinstance(checked, sp.Set):
        return page == checked
    if isinstance(page, sp.core.relational.Relational) or isinstance(
        checked, sp.core.relational.Relational
    ):
        return (
            type(page) is type(checked)
            and is_zero(page.lhs - checked.lhs)
            and is_zero(page.rhs - checked.rhs)
        )
    try:
        difference = sp.sympify(page) - sp.sympify(checked)
    except (TypeError, sp.SympifyError):
        return False
    if _differs_at_a_point(difference):
        return False
    return bool(is_zero(difference))


_PRIMES = (3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73)


def _differs_at_a_point(difference) -> bool:
    """True when `difference` is clearly nonzero at one admissible point: a quick refutation.

    Only ever used to reject (a function nonzero at a point is not identically
    zero); equality is always left to sympy's exact `is_zero`. Every symbol
    gets a positive value (an integer for integer symbols), allowed by every
    assumption the bindings use; the value is computed to 50 digits and must
    exceed 1e-20 to count.
    """
    try:
        symbols = sorted(difference.free_symbols, key=str)
        values = {}
        for k, symbol in enumerate(symbols):
            prime = _PRIMES[k % len(_PRIMES)]
            values[symbol] = (
                sp.Integer(prime % 7 + 2) if symbol.is_integer else sp.Rational(prime, 17)
            )
        value = sp.N(difference.subs(values), 50)
        if not value.is_number or value.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
            return False
        return bool(abs(value) > 1e-20)
    except Exception:  # undecided here: the exact check decides
        return False
