"""One numbering: every labelled equation, figure, table and exercise has the
same number on the site, in the full PDF and in the student handout.

The numbers are read from what each output shows:

- the site (`_build/html`): an equation's `span.eqno`, a figure's or a table's
  `span.caption-number`, an exercise's title;
- a PDF: LaTeX's `.aux` file, which holds the number each label prints
  (`\\newlabel{equation:DOC:LABEL}{{1.1}...}`, `\\newlabel{DOC:LABEL}{{1.3}{page}{title}{figure.1.3}...}`);
  an exercise's number is written into its title by Sphinx (its `.aux`
  entry is only the section it sits in), so it is read from the `.tex` and
  checked against the PDF's text (pdftotext).

Hiding the solutions (the handout) must not shift a number: nothing numbered
sits inside a solution, checked in the MyST sources and on the site.

A comparison skips, with its reason, when an output is missing or older than
the book's sources (`make book`, `make pdf`, `make handout`), or when poppler's
pdftotext is; with GAUSSML_REQUIRE_BUILDS=1 (as `.ci/run` runs it, after
building all three) it fails instead.
"""

from __future__ import annotations

import re
import shutil
from functools import cache
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from bookkit.chapter_handouts import brace_groups
from built_outputs import BUILD, ROOT, SITE, outdated, pdf_text, site_pages, unavailable

# BUILD: GAUSSML_BUILD points the tests at another build folder (default: _build).
BOOK_LATEX = BUILD / "latex"
HANDOUT_LATEX = BUILD / "handout/_build/latex"
OUTPUTS = {
    "full PDF": (BOOK_LATEX, "gaussml-book", "make pdf"),
    "handout": (HANDOUT_LATEX, "gaussml-handout", "make handout"),
}
KINDS = ("equation", "figure", "table", "exercise")


def label_key(label: str) -> str:
    """A label as an HTML id spells it (docutils' make_id: lower case, `_` -> `-`)."""
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")


# --- the site --------------------------------------------------------------------

_NUMBER = re.compile(r"(?:[A-Z]|\d+)(?:\.\d+)+|\d+")  # 2.3, C.2 (an appendix), 7
_CAPTIONED = {"figure": ("figure", "Fig."), "table": ("table", "Table")}


def _caption_number(element, word: str) -> str | None:
    caption = element.find(class_="caption-number")
    if caption is None:
        return None
    match = re.fullmatch(rf"{re.escape(word)}\s*({_NUMBER.pattern})", caption.get_text().strip())
    return match.group(1) if match else None


def page_numbers(html: str, docname: str) -> dict[tuple[str, str, str], str]:
    """(kind, docname, label) -> number, for everything numbered on one built page."""
    soup = BeautifulSoup(html, "html.parser")
    main = soup.find(attrs={"role": "main"}) or soup
    out = {}
    for math in main.select("div.math[id^=equation-]"):
        eqno = math.find(class_="eqno")
        if eqno is None:
            continue
        for extra in eqno.select(".claim-mark, .headerlink"):
            extra.decompose()
        match = re.fullmatch(rf"\(({_NUMBER.pattern})\)", eqno.get_text().strip())
        label = math["id"].removeprefix("equation-")
        out[("equation", docname, label)] = match.group(1) if match else eqno.get_text()
    for kind, (tag, word) in _CAPTIONED.items():
        for element in main.select(f"{tag}[id]"):
            number = _caption_number(element, word)
            if number is not None:
                out[(kind, docname, element["id"])] = number
    for exercise in main.select("div.exercise[id]"):
        number = _caption_number(exercise, "Exercise")
        if number is not None:
            out[("exercise", docname, exercise["id"])] = number
    return out


@cache
def site_numbers(site: Path = SITE) -> dict[tuple[str, str, str], str]:
    out = {}
    for page in site_pages(site):
        out.update(
            page_numbers((site / page).read_text(encoding="utf-8"), page.removesuffix(".html"))
        )
    return out


# --- a PDF -------------------------------------------------------------------------


_NEWLABEL = re.compile(r"^\\newlabel\{([^{}]+)\}(.*)$", re.MULTILINE)


def aux_numbers(aux: str) -> dict[tuple[str, str, str], str]:
    """(kind, docname, label) -> number, for the equations, figures and tables of an .aux file."""
    out = {}
    for name, value in _NEWLABEL.findall(aux):
        groups = brace_groups(value)
        if not groups:
            continue
        fields = brace_groups(groups[0])
        if len(fields) < 4:
            continue
        number, anchor = fields[0], fields[3]
        if name.startswith("equation:"):
            docname, _, label = name.removeprefix("equation:").rpartition(":")
            out[("equation", docname, label_key(label))] = number
        elif anchor.startswith(("figure.", "table.")):
            docname, _, label = name.rpartition(":")
            out[(anchor.split(".")[0], docname, label_key(label))] = number
    return out


# A number starts with a digit: an exercise with `:nonumber:` prints "Exercise (Title)".
_TEX_EXERCISE = re.compile(
    r"\\label\{exercise:([^{}]+)\}\s*\\begin\{sphinxadmonition\}\{note\}\{Exercise (\d\S*?)[ }]"
)
_TEX_DOC = re.compile(r"\\label\{\\detokenize\{([^{}:]+):+doc\}\}")


def tex_exercises(tex: str) -> dict[tuple[str, str, str], str]:
    """(\"exercise\", docname, label) -> the number its title prints, from the .tex source."""
    out = {}
    docs = [(m.start(), m.group(1)) for m in _TEX_DOC.finditer(tex)]
    for match in _TEX_EXERCISE.finditer(tex):
        docname = next((d for at, d in reversed(docs) if at < match.start()), "")
        out[("exercise", docname, label_key(match.group(1)))] = match.group(2)
    return out


def pdf_words(pdf: Path) -> str:
    """The PDF's text, each run of white space made one space."""
    return " ".join(pdf_text(pdf).split())


def latex_numbers(folder: Path, name: str) -> dict[tuple[str, str, str], str]:
    return {
        **aux_numbers((folder / f"{name}.aux").read_text(encoding="utf-8")),
        **tex_exercises((folder / f"{name}.tex").read_text(encoding="utf-8")),
    }


# --- the comparison -----------------------------------------------------------------


def mismatches(site: dict, pdf: dict, what: str) -> list[str]:
    """One line for each label whose number differs, or that only one side has."""
    lines = []
    for key in sorted(site.keys() | pdf.keys()):
        kind, docname, label = key
        where = f"{kind} {label} ({docname})"
        if key not in pdf:
            lines.append(f"{where}: {site[key]} on the site, missing from the {what}")
        elif key not in site:
            lines.append(f"{where}: {pdf[key]} in the {what}, missing from the site")
        elif site[key] != pdf[key]:
            lines.append(f"{where}: {site[key]} on the site, {pdf[key]} in the {what}")
    return lines


def require(target: str, *outputs: Path, pdftotext: bool = True) -> None:
    """Skip (fail with GAUSSML_REQUIRE_BUILDS=1) unless every output of `make TARGET` is
    current and, to read a PDF, pdftotext is installed."""
    reasons = [outdated(output, target) for output in outputs]
    if pdftotext and not shutil.which("pdftotext"):
        reasons.append("needs pdftotext (poppler-utils)")
    if any(reasons):
        unavailable(next(reason for reason in reasons if reason))


def unprinted_exercises(numbers: dict, pdf: Path) -> list[str]:
    """The exercises whose number, as the reader sees it with its title, is not in `pdf`."""
    text = pdf_words(pdf) + " "
    return [
        f"exercise {label} ({docname}): 'Exercise {number}' not in the text of {pdf.name}"
        for (kind, docname, label), number in numbers.items()
        if kind == "exercise" and f"Exercise {number} " not in text
    ]


@pytest.fixture(scope="module")
def site():
    require("make book", SITE / "searchindex.js", pdftotext=False)  # rewritten by every build
    numbers = site_numbers()
    for kind in KINDS:
        assert any(k[0] == kind for k in numbers), f"no numbered {kind} found on the site"
    return numbers


@pytest.mark.parametrize("output", list(OUTPUTS))
def test_the_site_and_the_pdf_number_alike(site, output):
    folder, name, target = OUTPUTS[output]
    pdf = folder / f"{name}.pdf"
    require(target, pdf, folder / f"{name}.aux")
    numbers = latex_numbers(folder, name)
    problems = mismatches(site, numbers, output) + unprinted_exercises(numbers, pdf)
    assert not problems, f"{len(problems)} numbers differ:\n" + "\n".join(problems)
    counts = {kind: sum(k[0] == kind for k in site) for kind in KINDS}
    print(f"{output}: the same number for {len(site)} labels on the site ({counts})")


# --- nothing numbered in a solution -----------------------------------------------------

_OPEN = re.compile(r"^(?P<fence>`{3,}|:{3,})\{solution\}[^\n]*\n", re.MULTILINE)
_GATED = re.compile(
    r"^```\{solution-start\}.*?^```\{solution-end\}[^\n]*$", re.MULTILINE | re.DOTALL
)
_OPTIONS = re.compile(r"\A(?::[\w-]+:[^\n]*\n)*")
# What would give a solution a number: a labelled display ($$ ... $$ (label)),
# a :label: or :name: option (math, figure, glue:figure, table), a MyST target,
# or a table made with a label in code (gaussml.plotting.markdown_table).
_NUMBERED = {
    "labelled equation": re.compile(r"\$\$\s*\(([\w-]+)\)"),
    "directive label": re.compile(r"^:(?:label|name):\s*(\S+)", re.MULTILINE),
    "target": re.compile(r"^\(([\w-]+)\)=\s*$", re.MULTILINE),
    "table label in code": re.compile(r"\blabel\s*=\s*[\"']((?:tab|fig|eq)-[\w-]*)"),
}


def gated_bodies(text: str) -> list[str]:
    """The bodies of the gated solutions (`solution-start` ... `solution-end`: a solution
    with a code cell) of a MyST page, without each solution's own options."""
    bodies = []
    for match in _GATED.finditer(text):
        body = match.group(0).split("\n", 1)[1]
        body = body.split("```", 1)[1] if body.startswith(":") else body  # its options' fence
        bodies.append(body.rsplit("```{solution-end}", 1)[0])
    return bodies


def solution_bodies(text: str) -> list[str]:
    """The bodies of the solutions of a MyST page, without each solution's own options."""
    bodies = []
    for match in _OPEN.finditer(text):
        fence = match.group("fence")
        end = re.compile(rf"^{re.escape(fence)}\s*$", re.MULTILINE).search(text, match.end())
        body = text[match.end() : end.start() if end else len(text)]
        bodies.append(body[_OPTIONS.match(body).end() :])
    return bodies + gated_bodies(text)


def numbered_in_solutions(text: str) -> list[str]:
    return [
        f"{what} {label!r}"
        for body in solution_bodies(text)
        for what, pattern in _NUMBERED.items()
        for label in pattern.findall(body)
    ]


def test_no_solution_source_holds_anything_numbered():
    problems, solutions = [], 0
    for page in sorted((ROOT / "book").rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        solutions += len(solution_bodies(text))
        problems += [
            f"{page.relative_to(ROOT)}: {p} in a solution" for p in numbered_in_solutions(text)
        ]
    assert solutions > 0, "no solution found in book/: has the directive's syntax changed?"
    assert not problems, "\n".join(problems)


def test_no_solution_on_the_site_holds_anything_numbered(site):
    problems = []
    for page in sorted(SITE.glob("book/**/*.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for solution in soup.select("div.solution"):
            numbered = solution.select(
                "span.eqno, figure .caption-number, table .caption-number, div.exercise"
            )
            problems += [
                f"{page.relative_to(SITE)}: {n.get_text().strip()[:40]!r} in a solution"
                for n in numbered
            ]
    assert not problems, "\n".join(problems)


# --- the checks themselves ---------------------------------------------------------


def test_aux_numbers_read_equations_figures_and_tables():
    aux = "\n".join(
        [
            r"\newlabel{equation:book/chapters/a:eq-one}{{1.1}{3}{Title}{equation.1.0.1}{}}",
            r"\newlabel{book/chapters/a:fig-x}{{1.3}{9}{\(\mathcal {N}(0, 1)\) {nested}}{figure.1.3}{}}",
            r"\newlabel{book/chapters/c:tab-y}{{3.2}{43}{Choosing \protect \(\sigma \protect \)}{table.3.2}{}}",
            r"\newlabel{book/chapters/a:sec}{{1.2}{4}{A section}{section.1.2}{}}",
        ]
    )
    assert aux_numbers(aux) == {
        ("equation", "book/chapters/a", "eq-one"): "1.1",
        ("figure", "book/chapters/a", "fig-x"): "1.3",
        ("table", "book/chapters/c", "tab-y"): "3.2",
    }


def test_page_numbers_read_the_site():
    html = (
        '<main role="main"><div class="math" id="equation-e"><span class="eqno">'
        '<span class="claim-mark">&#x2713;</span>(2.4)<a class="headerlink">#</a></span>x</div>'
        '<figure id="fig-f"><figcaption><span class="caption-number">Fig. 2.1 </span>'
        "</figcaption></figure>"
        '<div class="exercise admonition" id="ex-g"><p class="admonition-title">'
        '<span class="caption-number">Exercise 2.7 </span> (Title)</p></div></main>'
    )
    assert page_numbers(html, "d") == {
        ("equation", "d", "e"): "2.4",
        ("figure", "d", "fig-f"): "2.1",
        ("exercise", "d", "ex-g"): "2.7",
    }


def test_tex_exercises_read_numbered_exercises_only():
    tex = (
        r"\label{\detokenize{book/chapters/a::doc}}"
        r"\phantomsection \label{exercise:ex-a}"
        "\n"
        r"\begin{sphinxadmonition}{note}{Exercise 1.2 (Title)}"
        r"\label{\detokenize{book/appendices/b::doc}}"
        r"\phantomsection \label{exercise:ex-b}"
        "\n"
        r"\begin{sphinxadmonition}{note}{Exercise (Unnumbered title)}"
    )
    assert tex_exercises(tex) == {("exercise", "book/chapters/a", "ex-a"): "1.2"}


def test_mismatches_name_each_difference():
    site = {("figure", "d", "f"): "1.2", ("table", "d", "t"): "1.1"}
    pdf = {("figure", "d", "f"): "1.3", ("equation", "d", "e"): "1.1"}
    assert mismatches(site, pdf, "handout") == [
        "equation e (d): 1.1 in the handout, missing from the site",
        "figure f (d): 1.2 on the site, 1.3 in the handout",
        "table t (d): 1.1 on the site, missing from the handout",
    ]


def test_a_label_in_a_solution_is_found():
    page = (
        "```{exercise}\n:label: ex-a\n\n$$ x $$ (ok-in-exercise)\n```\n\n"
        "````{solution} ex-a\n:class: dropdown\n:label: sol-a\n\n$$\ny = 1\n$$ (eq-in-sol)\n\n"
        "```{glue:figure} fig-x\n:name: fig-in-sol\n```\n"
        "````\n\n"
        "```{solution-start} ex-a\n:class: dropdown\n```\n\n"
        '```{code-cell} ipython3\nmarkdown_table(rows, label="tab-in-sol")\n```\n\n'
        "```{solution-end}\n```\n"
    )
    assert numbered_in_solutions(page) == [
        "labelled equation 'eq-in-sol'",
        "directive label 'fig-in-sol'",
        "table label in code 'tab-in-sol'",
    ]
