"""One meaning per symbol: the book's math never gives a symbol of the notation
table (`book/intro.md`, section `intro-notation`) a second, declared role.

The math of every page (display and inline, as `check_numbers.math_spans`
reads it) is searched for each clash below: a regular expression on the LaTeX
of one piece of math, and optionally one on the sentence around it (the text
from the previous sentence end to the next, math included), both of which
must match for the use to be reported.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from bookkit.check_numbers import math_spans

ROOT = Path(__file__).resolve().parents[2]
PAGES = [
    ROOT / "book" / "intro.md",
    *sorted((ROOT / "book" / "chapters").glob("*.md")),
    *sorted((ROOT / "book" / "appendices").glob("*.md")),
]


def letter(name: str) -> str:
    """A bare letter as a symbol of its own (not part of `\\Hat` or `Hx`... a word)."""
    return rf"(?<![\\A-Za-z]){name}(?![A-Za-z])"


@dataclass(frozen=True)
class Clash:
    symbol: str  # the symbol, as the notation table writes it
    forbidden: str  # the role it must not take
    math: str  # regex on the LaTeX of one piece of math
    sentence: str = ""  # regex on its sentence, if the role shows there


CLASHES = [
    Clash("H (hat matrix)", "the Hessian", letter("H"), r"(?i)hessian|gauss-newton"),
    Clash("H (hat matrix)", "the Hessian", r"\\eta\s*H\b|\[\s*H\s*\\big\]|\[\s*H\s*\]"),
    Clash("M (hidden units)", "h as the hidden width", letter("h"), r"(?i)hidden"),
    Clash("M (hidden units)", "h as the hidden width", r"\\mathbb\s*\{?R\}?\^\{h|\(h,|, h\)"),
    Clash("b_1, b_2 (biases)", "Adam's decay rates", r"b_\{?[12]\}?\^\{?t|\(1 - b_\{?[12]"),
    Clash("E (expectation)", "a second expectation symbol", r"\\mathbb\s*\{?E\b"),
    Clash("E (expectation)", "an array or matrix", letter("E"), r"(?i)\barray|\bmatrix of"),
    Clash("s (sample standard deviation)", "a log standard deviation", r"e\^\{-?2\s*s\b"),
    Clash(
        "s (sample standard deviation)",
        "a log standard deviation or a singular value",
        letter("s") + r"(?!_y|_x)",
        r"(?i)log standard deviation|log std|singular value",
    ),
    Clash("nu (degrees of freedom)", "k as degrees of freedom", r"\\chi\^2_\{?k|\\chi_k|t_k\b"),
    Clash("k (an index)", "a rank or a count", letter("k"), r"(?i)\brank\b|summands"),
    Clash("n (samples)", "the number of features", r"X\s*\\in\s*\\mathbb\s*\{?R\}?\^\{n"),
    Clash("m (features)", "a mean", r"\\mathcal\{N\}\(m\b|-\s*k\s*m\b|Y_1 - m\b"),
    Clash("D (dimension)", "a diagonal matrix", r"[A-Z]\s*D\s*[A-Z]\^\\top|\^\\top\s*D\s*z"),
    Clash("Z (standard Gaussian)", "a norm", r"Z\s*=\s*\\lVert"),
    Clash("eta (step size)", "the information vector", r"\\eta\s*=\s*\\Lambda|\\eta_\{?a\b"),
    Clash("Q (squared norm)", "a rotation", r"Q\s*Q\^\\top|Q\s*x\b|Q\s*D\b|\(Q\s*W\)"),
    Clash("P (probability)", "a count", letter("P") + r"(?![(\\_])", r"(?i)\bpairs\b|parameters"),
]

_SENTENCE_END = re.compile(r"[.?!:]\s|\n\s*\n|\n\|")


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence (or table row) that holds text[start:end]."""
    before = [m.end() for m in _SENTENCE_END.finditer(text, 0, start)]
    after = _SENTENCE_END.search(text, end)
    return text[before[-1] if before else 0 : after.start() if after else len(text)]


def clashes(text: str, where: str = "page") -> list[str]:
    """Every declared clash in the math of one MyST page, as `where:line: ...`."""
    found = []
    for start, end in math_spans(text):
        tex = text[start:end]
        for clash in CLASHES:
            if not re.search(clash.math, tex):
                continue
            if clash.sentence and not re.search(clash.sentence, sentence_around(text, start, end)):
                continue
            line = text.count("\n", 0, start) + 1
            found.append(
                f"{where}:{line}: {clash.symbol} used as {clash.forbidden}: "
                f"${' '.join(tex.split())}$"
            )
    return found


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_no_symbol_takes_a_second_role(page):
    assert clashes(page.read_text(encoding="utf-8"), page.name) == []


def test_the_pages_are_read():
    assert len(PAGES) > 6
    intro = PAGES[0].read_text(encoding="utf-8")
    assert "(intro-notation)=" in intro
    assert len(math_spans(intro)) > 20


@pytest.mark.parametrize(
    ("page", "forbidden"),
    [
        ("The Hessian $H$ of the loss sets the rate.\n", "the Hessian"),
        ("$$\n\\beta_{t+1} = (I - \\eta H)\\beta_t\n$$\n", "the Hessian"),
        ("A hidden layer of $h$ units.\n", "h as the hidden width"),
        ("Then $W_1 \\in \\mathbb R^{h \\times 1}$.\n", "h as the hidden width"),
        ("Adam divides by $1 - b_1^t$.\n", "Adam's decay rates"),
        ("Its mean is $\\mathbb{E}[x]$.\n", "a second expectation symbol"),
        ("Stack the draws in an array $E$ of shape $(n, D)$.\n", "an array or matrix"),
        ("The variance is $e^{2s}$ and the weight $e^{-2s}$.\n", "a log standard deviation"),
        (
            "The net predicts the log standard deviation $s(x)$.\n",
            "a log standard deviation or a singular value",
        ),
        (
            "Its singular values $s_i$ are positive.\n",
            "a log standard deviation or a singular value",
        ),
        ("Then $Q \\sim \\chi^2_k$.\n", "k as degrees of freedom"),
        ("The matrix has rank $k$.\n", "a rank or a count"),
        ("Take $X \\in \\mathbb{R}^{n \\times m}$.\n", "the number of features"),
        ("Draw $x \\sim \\mathcal{N}(m, s^2)$.\n", "a mean"),
        ("Write $I_n - H = Q D Q^\\top$.\n", "a diagonal matrix"),
        ("Let $Z = \\lVert x \\rVert$.\n", "a norm"),
        ("With $\\eta = \\Lambda \\mu$ the density is quadratic.\n", "the information vector"),
        ("For a rotation $Q$, $Q x \\sim \\mathcal{N}(0, I_D)$.\n", "a rotation"),
        ("With $P =$ 100 pairs of shape $(P, D)$.\n", "a count"),
        ("A gradient of $P$ parameters takes $P$ passes.\n", "a count"),
    ],
)
def test_a_planted_clash_fails(page, forbidden):
    assert any(f"as {forbidden}:" in found for found in clashes(page))


@pytest.mark.parametrize(
    "page",
    [
        "The hat matrix $H = X^\\top (X X^\\top)^{-1} X$ has trace $m$.\n",
        "The Hessian $\\mathbf{A}$ of the loss. The hat matrix $H$ projects.\n",
        "A hidden layer of $M$ units, $W_1 \\in \\mathbb R^{M \\times 1}$.\n",
        "A finite difference with step $h$.\n",
        "Its mean is $E[x]$ and the biases are $b_1, b_2$.\n",
        "The sample standard deviation $s$ and the scale $s_y$ of the targets.\n",
        "Then $Q \\sim \\chi^2_\\nu$, summed over $k = 1, \\dots, n$.\n",
        "Write `x_{s}` and `$\\mathbb{E}$` in code.\n",
        "A draw hits the ball with probability $P$; the mean wait is $1/P$ draws.\n",
        "Factor $X^\\top = Q R$ with $Q^\\top Q = I_m$; then $Q = \\lVert x \\rVert^2$.\n",
    ],
)
def test_a_correct_page_passes(page):
    assert clashes(page) == []
