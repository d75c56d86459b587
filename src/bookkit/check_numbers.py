"""The numbers gate: every number the reader sees is computed, never typed.

Reads the MyST sources (`book/intro.md`, `book/chapters/*.md`,
`book/appendices/*.md`) and reports every numeral in prose, headings,
captions, directive titles, table cells, admonitions, exercises and solutions
that the text typed by hand. A numeral is not reported when it sits in

- a role: `{glue}`, `{glue:text}`, `{eq}`, `{numref}`, `{ref}`, `{cite}`,
  `{doc}`, `{download}`, `{py:func}`, ... (the whole role is skipped);
- code: code cells, fenced code blocks, inline code, `literalinclude`, `raw`;
- markup: front matter, a directive's option lines (`:name:`, `:width:`),
  the argument of a directive that names a file, figure or exercise
  (`{glue:figure} NAME`, `{solution} LABEL`), labels `(label)=`, equation
  labels `$$ (label)`, link targets, URLs, comments;
- a reference to a numbered part of a work: "section 5.5", "§2.3.1",
  "ch. 4", "Theorem 5.3.1", "ex. 1.18-1.20", "p. 12";
- a year: a four-digit number from 1600 to 2099 in a year's place in prose
  ("(1809)", "in 1809"; not "in 2000 draws");
- notation. In prose and in math (`$...$`, `$$...$$`, `{math}`) alike, a
  numeral is a typed value when it has a decimal point or an exponent
  (`\\sigma = 0.3`, `1e-3`) or is an integer of 10 or more (`D = 100`,
  `10^{-3}`, `I_{100}`, "50 inputs"). Integers from 0 to 9 are taken for
  notation: exponents, indices, the constants of formulas and of mathematics
  (`x^2`, `\\frac{1}{2}`, `\\mathcal{N}(0, 1)`, "variance 1", "mean 0",
  "1-Lipschitz"). Notation too, at 10 or more: the coefficient of a variable
  in a formula (`\\frac{1}{12 z}`), the base of a symbolic power
  (`10^{-k}`), a logarithm's base (`\\log_{10}`, "base-10"), the angles 90,
  180 and 360 degrees. Unicode super- and subscript digits (`x²`, `I₁₀₀`)
  follow the same rule. The known blind spot: a small parameter typed in
  prose ("the true slope 2", "$D = 3$") passes, as a constant would.

Number words ("two draws", "twelve") are out of scope: counts in words are
legitimate text.

A glued value can be typed too: for every name the text glues, the cell that
calls `glue("name", value)` is found; if that cell is removed from the page
(`remove-cell`, `remove-input`) and `value` depends on no variable (a literal,
`100 / 2`, `np.sqrt(99)`), or is a name assigned only such a value and only
in removed cells, the literal is reported. Experiment parameters are defined
once, in a visible cell, and the prose glues them.

What remains legitimate (a section name, a hypothetical the text calls
hypothetical) is listed in `src/bookkit/numbers_allowlist.toml`, each entry with
its file, a piece of the line's text that contains the number, and its reason;
entries match on the text, so they survive line moves (an entry that matches
nothing is reported as stale, without failing). Exit status 1 when a typed
number is not allowlisted.

    python -m bookkit.check_numbers [FILE.md ...] [--root DIR] [--allowlist TOML]
"""

from __future__ import annotations

import argparse
import ast
import bisect
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from . import ROOT
from .chapters import cells_of

ALLOWLIST = "src/bookkit/numbers_allowlist.toml"

# Directives whose whole block is code or generated: nothing in it is prose.
_SKIP_BLOCKS = {
    "code-cell",
    "code-block",
    "code",
    "literalinclude",
    "raw",
    "bibliography",
    "claim-report",
    "nb-exec-table",
    "pdf-downloads",
    "tableofcontents",
}
# Directives whose argument names something (a file, a glued figure, the
# exercise a solution answers) rather than titling it.
_NAME_ARGUMENT = {"glue:figure", "glue:math", "figure", "image", "solution", "solution-start"}
_MATH_BLOCKS = {"math"}

_FENCE = re.compile(r"^(\s*)(`{3,}|:{3,})\s*(\{([\w:-]+)\})?(.*)$")
_OPTION = re.compile(r"^\s*:[\w-]+:")
_ROLE = re.compile(r"\{[\w:.-]+\}(`+)(?:(?!\1).)+?\1", re.S)
_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1", re.S)
_INLINE = re.compile(r"(?<![\\$])\$(?!\$)((?:\\\$|[^$])+?)\$")
_LINK_TARGET = re.compile(r"\]\([^)\s]*\)|\]\[[^\]]*\]|<https?://[^>]*>|https?://\S+")
_LIST_MARKER = re.compile(r"^[ \t]*\d+[.)](?=[ \t])", re.M)
_LABEL = re.compile(r"^\([\w:-]+\)=[ \t]*$", re.M)
_COMMENT = re.compile(r"^%[^\n]*|<!--.*?-->", re.M | re.S)
_REFERENCE = re.compile(
    r"(?i)(?:\b(?:sections?|chapters?|ch\.|theorems?|thm\.?|props?\.|propositions?|lemmas?"
    r"|examples?|exercises?|ex\.|figs?\.|figures?|tables?|eqs?\.|equations?|pp?\."
    r"|pages?|appendix|algorithms?|definitions?|def\.|corollary|remarks?)|§§?)\s*"
    r"\d+(?:\.\d+)*[a-z]?(?:\s*(?:,|–|-|and|or|to)\s*\d+(?:\.\d+)*[a-z]?)*"
)
_NUMBER = re.compile(
    r"(?<![\w.\\])(?<![A-Za-z]-)\d+(?:[,_]\d{3})*(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w])"
)
_MATH_NUMBER = re.compile(r"(?<![A-Za-z\\])\d+(?:\.\d+)?")
_SCRIPT_DIGITS = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+|[₀₁₂₃₄₅₆₇₈₉]+")
_SCRIPT_VALUE = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹₀₁₂₃₄₅₆₇₈₉", "01234567890123456789")
# Spans of math whose content is not a value: labels and text commands.
_MATH_SKIP = re.compile(r"\\(?:label|tag|ref|eqref|operatorname|mathrm|text)\{[^}]*\}")
_GLUE_ROLE = re.compile(r"\{glue(?::\w*)?\}`([^`:]+)")


@dataclass(frozen=True)
class Typed:
    path: str
    line: int  # 1-based
    col: int  # 1-based
    number: str
    text: str  # the whole source line
    where: str = ""

    def report(self) -> str:
        where = f"{self.path}:{self.line}:{self.col}"
        return f"{where}: typed number '{self.number}' in \"{self.text.strip()}\"{self.where}"


def is_typed_value(token: str, after: str, before: str = "") -> bool:
    """A numeral is a value when it has a point or an exponent, or is 10 or more.

    `before` and `after` are the text around it. Notation still: the coefficient of a
    variable (`12 z`, `24k^2`, `12(k + 1)`), the base of a symbolic power
    (`10^{-k}`, `10^k`), and the angles of geometry (`90°`, `180^\\circ`).
    """
    if "." in token or "e" in token.lower():
        return True
    if int(token) < 10:
        return False
    if re.match(r"\s*[A-Za-z(]", after):
        return False
    if token == "10" and re.match(r"\^\{?-?[A-Za-z]", after):
        return False
    if re.search(r"\\log_\{?$", before):
        return False
    return not (token in {"90", "180", "360"} and re.match(r"\s*(?:°|\^\{?\\circ)", after))


class _Masker:
    """The text with everything that is not prose blanked (same offsets)."""

    def __init__(self, text: str):
        self.text = text
        self.chars = list(text)
        self.math: list[tuple[int, int]] = []  # spans of math content, checked apart

    def blank(self, start: int, end: int) -> None:
        for i in range(start, end):
            if self.chars[i] != "\n":
                self.chars[i] = " "

    def masked(self) -> str:
        return "".join(self.chars)


def _line_starts(text: str) -> list[int]:
    starts, offset = [], 0
    for line in text.splitlines(keepends=True):
        starts.append(offset)
        offset += len(line)
    return starts


def _mask_blocks(m: _Masker) -> None:
    """Front matter, fenced blocks, directive arguments and options, display math."""
    lines = m.text.splitlines(keepends=True)
    starts = _line_starts(m.text)
    i = 0
    open_prose: list[str] = []  # the fences of the open directives with prose inside
    if lines and lines[0].strip() == "---":
        end = next((j for j in range(1, len(lines)) if lines[j].strip() == "---"), 0)
        m.blank(0, starts[end] + len(lines[end]))
        i = end + 1
    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line.rstrip("\n"))
        if line.lstrip().startswith("$$"):  # display math, up to the next `$$`
            opening = starts[i] + line.index("$$") + 2
            closing = m.text.find("$$", opening)
            closing = len(m.text) if closing < 0 else closing
            end = _line_index(starts, closing)
            m.math.append((opening, closing))
            m.blank(starts[i], starts[end] + len(lines[end]))  # with its label
            i = end + 1
            continue
        if not fence:
            i += 1
            continue
        marks, name = fence.group(2), fence.group(4)
        if name is None and line.strip() == marks and marks in open_prose:
            # The end of a directive with prose inside (and of any opened in it).
            del open_prose[open_prose.index(marks) :]
            m.blank(starts[i], starts[i] + len(line))
            i += 1
            continue
        if name is None or name in _SKIP_BLOCKS or name in _MATH_BLOCKS:
            end = _skip_to_close(m, lines, starts, i, marks)
            if name in _MATH_BLOCKS:
                body = i + 1
                while body < end - 1 and _OPTION.match(lines[body]):
                    body += 1
                m.math.append((starts[body], starts[end - 1]))
            i = end
            continue
        # A directive with prose inside: blank the name (and a naming argument),
        # then its option lines; the title and the body stay.
        start = starts[i]
        keep_from = fence.start(5) if name not in _NAME_ARGUMENT else len(line.rstrip("\n"))
        m.blank(start, start + keep_from)
        open_prose.append(marks)
        i += 1
        if i < len(lines) and lines[i].strip() == "---":
            end = next(j for j in range(i + 1, len(lines)) if lines[j].strip() == "---")
            m.blank(starts[i], starts[end] + len(lines[end]))
            i = end + 1
        while i < len(lines) and _OPTION.match(lines[i]):
            m.blank(starts[i], starts[i] + len(lines[i]))
            i += 1


def _skip_to_close(m: _Masker, lines: list[str], starts: list[int], i: int, marks: str) -> int:
    """Blank the block opened at line i; return the index after its closing fence."""
    end = i + 1
    while end < len(lines) and lines[end].strip() != marks:
        end += 1
    end = min(end, len(lines) - 1)
    m.blank(starts[i], starts[end] + len(lines[end]))
    return end + 1


def _mask_inline(m: _Masker) -> None:
    text = m.masked()
    for pattern in (_COMMENT, _LABEL, _LIST_MARKER, _ROLE, _CODE):
        for match in pattern.finditer(text):
            m.blank(*match.span())
        text = m.masked()
    for match in _INLINE.finditer(text):
        m.math.append(match.span(1))
        m.blank(*match.span())
    text = m.masked()
    for pattern in (_LINK_TARGET, _REFERENCE):
        for match in pattern.finditer(text):
            m.blank(*match.span())
        text = m.masked()


def math_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) offsets of every piece of math the reader sees on a MyST page:
    display math (`$$`, `{math}`) and inline `$...$`, not math inside code."""
    m = _Masker(text)
    _mask_blocks(m)
    _mask_inline(m)
    return sorted(m.math)


_YEAR_BEFORE = re.compile(
    r"(?:\(|\b(?:[Ii]n|[Ss]ince|[Ff]rom|[Uu]ntil|[Aa]round|[Cc]irca|c\.))\s*$"
)
_COUNTED_AFTER = re.compile(r"\s+(?!(?:and|or|to)\b)[a-z]")


def _is_year(token: str, before: str, after: str) -> bool:
    """1600 to 2099, in a year's place: "(1809)", "in 1809", "since 1809,"; not "2000 draws"."""
    if not (len(token) == 4 and token.isdigit() and 1600 <= int(token) <= 2099):
        return False
    placed = _YEAR_BEFORE.search(before) or after.startswith(")")
    return bool(placed) and not _COUNTED_AFTER.match(after)


def typed_numbers(path: str, text: str) -> list[Typed]:
    """Every typed numeral of one MyST page, in the order of the text."""
    m = _Masker(text)
    _mask_blocks(m)
    _mask_inline(m)
    masked = m.masked()
    starts = _line_starts(text)
    lines = text.splitlines()
    found: list[tuple[int, str]] = []
    for match in _NUMBER.finditer(masked):
        token = match.group()
        around = masked[max(0, match.start() - 12) : match.start()], masked[match.end() :][:12]
        if not _is_year(token, *around) and is_typed_value(
            token.replace(",", "").replace("_", ""), ""
        ):
            found.append((match.start(), token))
    for match in _SCRIPT_DIGITS.finditer(masked):
        if int(match.group().translate(_SCRIPT_VALUE)) >= 10:
            found.append((match.start(), match.group()))
    for start, end in m.math:
        content = _MATH_SKIP.sub(lambda s: " " * len(s.group()), text[start:end])
        for match in _MATH_NUMBER.finditer(content):
            if is_typed_value(match.group(), content[match.end() :], content[: match.start()]):
                found.append((start + match.start(), match.group()))
    result = []
    for offset, number in sorted(found):
        line = _line_index(starts, offset)
        result.append(Typed(path, line + 1, offset - starts[line] + 1, number, lines[line]))
    return result


def _line_index(starts: list[int], offset: int) -> int:
    return bisect.bisect_right(starts, offset) - 1


# --- glued values that are literals typed in a removed cell ---


def _constant(node: ast.AST) -> bool:
    """An expression of literals only: `100`, `100 / 2`, `np.sqrt(99)`, `float(1e-3)`."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, int | float) and not isinstance(node.value, bool)
    if isinstance(node, ast.UnaryOp):
        return _constant(node.operand)
    if isinstance(node, ast.BinOp):
        return _constant(node.left) and _constant(node.right)
    if isinstance(node, ast.Call):
        return (
            _arithmetic(node.func)
            and bool(node.args)
            and all(_constant(a) for a in node.args)
            and not node.keywords
        )
    return False


def _literal(node: ast.AST) -> bool:
    """A constant expression, or a tuple or list of them (`stds = (3.5, 4.0)`)."""
    if isinstance(node, ast.Tuple | ast.List):
        return bool(node.elts) and all(_constant(e) for e in node.elts)
    return _constant(node)


def _arithmetic(func: ast.AST) -> bool:
    """`float`, `int`, `abs`, `round`, or a function of `math`, `np`, `jnp`."""
    if isinstance(func, ast.Name):
        return func.id in {"float", "int", "abs", "round"}
    return (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id in {"math", "np", "numpy", "jnp"}
    )


def _assignments(node: ast.AST):
    """(name, value) of each name an assignment binds, tuples unpacked."""
    if isinstance(node, ast.AnnAssign) and node.value is not None:
        pairs = [(node.target, node.value)]
    elif isinstance(node, ast.Assign):
        pairs = [(target, node.value) for target in node.targets]
    else:
        return
    for target, value in pairs:
        if isinstance(target, ast.Name):
            yield target.id, value
        elif isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple):
            if len(target.elts) == len(value.elts):
                for t, v in zip(target.elts, value.elts, strict=True):
                    if isinstance(t, ast.Name):
                        yield t.id, v
        elif isinstance(target, ast.Tuple):
            for t in target.elts:
                if isinstance(t, ast.Name):
                    yield t.id, target  # unpacked from a computation: not a literal


def _glue_calls(tree: ast.AST):
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name | ast.Attribute)
            and getattr(node.func, "id", getattr(node.func, "attr", "")) == "glue"
            and len(node.args) >= 2
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.args[0].value, node.args[1]


def typed_glues(path: str, text: str) -> list[Typed]:
    """Glued values used in the text that are literals typed in a removed cell."""
    used = set(_GLUE_ROLE.findall(text))
    lines = text.splitlines()
    parsed = []
    for cell in cells_of(text):
        try:
            parsed.append((cell, ast.parse(cell.code)))
        except SyntaxError:
            continue
    # name -> its literal, when every assignment of it is one, in a removed cell
    hidden_literal: dict[str, str | None] = {}
    for cell, tree in parsed:
        for node in ast.walk(tree):
            for target, value in _assignments(node):
                literal = _literal(value) and not cell.visible
                source = ast.get_source_segment(cell.code, value) if literal else None
                hidden_literal[target] = (
                    source if hidden_literal.get(target, "") is not None else None
                )
    result = []
    for cell, tree in parsed:
        if cell.visible:
            continue
        for name, value in _glue_calls(tree):
            source = ast.get_source_segment(cell.code, value) or ""
            name_of = value.value if isinstance(value, ast.Subscript) else value
            if isinstance(name_of, ast.Name) and hidden_literal.get(name_of.id):
                source = f"{name_of.id} = {hidden_literal[name_of.id]}"
            elif not _constant(value):
                continue
            if name in used:
                line = cell.first + value.lineno - 1
                where = ", a literal glued from a removed cell"
                result.append(
                    Typed(path, line + 1, value.col_offset + 1, source, lines[line], where)
                )
    return result


# --- the allowlist ---


@dataclass(frozen=True)
class Allowed:
    file: str
    text: str
    reason: str

    def covers(self, typed: Typed) -> bool:
        if typed.path != self.file:
            return False
        start = typed.text.find(self.text)
        while start >= 0:
            if start < typed.col <= start + len(self.text):
                return True
            start = typed.text.find(self.text, start + 1)
        return False


def read_allowlist(path: Path) -> list[Allowed]:
    if not path.exists():
        return []
    entries = tomllib.loads(path.read_text(encoding="utf-8")).get("allow", [])
    allowed = []
    for entry in entries:
        missing = {"file", "text", "reason"} - set(entry)
        if missing or not str(entry.get("reason", "")).strip():
            raise ValueError(f"{path}: entry {entry!r} needs file, text and a reason")
        allowed.append(Allowed(entry["file"], entry["text"], entry["reason"]))
    return allowed


def default_sources(root: Path) -> list[Path]:
    book = root / "book"
    return [
        *[p for p in [book / "intro.md"] if p.exists()],
        *sorted((book / "chapters").glob("*.md")),
        *sorted((book / "appendices").glob("*.md")),
    ]


def check(root: Path, sources: list[Path], allowlist: list[Allowed]) -> tuple[list[Typed], list]:
    """The typed numbers not allowlisted, and the allowlist entries that matched nothing."""
    reported, used = [], set()
    for source in sources:
        rel = source.resolve().relative_to(root.resolve()).as_posix()
        text = source.read_text(encoding="utf-8")
        for typed in sorted(typed_numbers(rel, text) + typed_glues(rel, text), key=_position):
            covering = [a for a in allowlist if a.covers(typed)]
            used.update(covering)
            if not covering:
                reported.append(typed)
    checked = {s.resolve().relative_to(root.resolve()).as_posix() for s in sources}
    stale = [a for a in allowlist if a not in used and a.file in checked]
    return reported, stale


def _position(typed: Typed) -> tuple[int, int]:
    return typed.line, typed.col


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--allowlist", type=Path)
    args = parser.parse_args(argv)
    root = args.root
    sources = [f if f.is_absolute() else root / f for f in args.files] or default_sources(root)
    allowlist = read_allowlist(args.allowlist or root / ALLOWLIST)
    reported, stale = check(root, sources, allowlist)
    for typed in reported:
        print(typed.report())
    for entry in stale:  # a warning: the text changed, the entry should go
        print(f"{entry.file}: allowlist entry matches nothing: {entry.text!r}", file=sys.stderr)
    if reported:
        print(
            f"{len(reported)} typed number(s): glue computed values (CONTRIBUTING.md), "
            f"or list a legitimate one with its reason in {ALLOWLIST}",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
