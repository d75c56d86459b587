"""Sphinx extension: the verification report, and a check mark on every numbered equation.

- The directive `claim-report` runs every claim of `gaussml.derivations` while
  its page is read (or takes its result from the claim-results cache that
  `make verify` fills, keyed on the claim's code: `claim_results.py`) and
  renders them as one table (a
  docutils table, so no character of a statement can break a cell), one row
  per claim with the anchor `claim-<name>`. A claim that does not hold is a
  build error, so a false claim fails `make book` and `make pdf`.
- On the web, the number of each claimed equation gets a small check mark: a
  link to the claim's row in the report (named "Checked by sympy") whose tip
  shows on hover, on keyboard focus and on a tap (a second tap follows the
  link) what the claim states (in the reader's symbols: σ, √, ≤, xᵀ), for
  which values it was checked and how, and last the claim's name in the
  report. The tip is a `<template>` beside the mark, shown by the site's one
  popover, the references' previews' (`ref_previews`, which this extension
  loads); `claim_marks.css` styles the mark and the tip. The report's page
  loads MathJax, so that the previews of its equations are typeset.
- In the PDF, the equation number gets a small check mark linking to the row
  (a mark without a link when the report is not part of the build).
- An equation inside an exercise gets no mark in the PDF: a check mark there
  would tell the reader that the claim asked for holds, giving the answer
  away. On the web its mark stays hidden until the exercise's solution is
  opened. Its solution may keep its marks.

Enable it in _config.yml with `sphinx: extra_extensions: [bookkit.sphinx.claim_marks]`.
"""

from __future__ import annotations

import html
import re
from typing import ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.writers.html5 import HTML5Translator
from sphinx.writers.latex import LaTeXTranslator

from . import add_latex_preamble, add_static_path
from .claim_results import claims_by_label

logger = logging.getLogger(__name__)

COLUMNS = (
    ("Equations", 14),
    ("Claim: what it states", 40),
    ("Scope", 21),
    ("Method", 14),
    ("Result", 11),
)

# The table has no caption (an appendix's tables are not numbered), so the
# PDF's "Table N - continued from previous page" names the report instead.
LATEX_BEFORE = (
    r"\begingroup\renewcommand{\tablename}{Verification report}\renewcommand{\thetable}{\unskip}"
)
LATEX_AFTER = r"\endgroup"


def claim_id(name: str) -> str:
    """The anchor of a claim's row in the report (HTML id and LaTeX label)."""
    return nodes.make_id(f"claim-{name}")


def monte_carlo_file(claim) -> str:
    return claim.monte_carlo.split("::")[0].rsplit("/", 1)[-1] if claim.monte_carlo else ""


# --- the report ------------------------------------------------------------------


def _breakable(text: str) -> list[nodes.Node]:
    """`text`, with a LaTeX line-break opportunity after each underscore.

    Long names (claims, tests) would otherwise run over a narrow PDF column.
    """
    pieces = text.split("_")
    out: list[nodes.Node] = []
    for i, piece in enumerate(pieces):
        if i < len(pieces) - 1:
            out += [nodes.Text(piece + "_"), nodes.raw("", r"\allowbreak{}", format="latex")]
        elif piece:
            out.append(nodes.Text(piece))
    return out


def _code(text: str) -> nodes.literal:
    return nodes.literal(text, "", *_breakable(text))


def _inline(text: str) -> list[nodes.Node]:
    """Plain text, with `backticked` words as code (as the statements write them)."""
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unmatched backtick: all text
        return _breakable(text)
    out: list[nodes.Node] = []
    for i, part in enumerate(parts):
        if part:
            out += [_code(part)] if i % 2 else _breakable(part)
    return out


def _inline_html(text: str) -> str:
    parts = text.split("`")
    if len(parts) % 2 == 0:
        return html.escape(text)
    return "".join(
        f"<code>{html.escape(p)}</code>" if i % 2 else html.escape(p) for i, p in enumerate(parts)
    )


def scope(claim) -> str:
    return claim.scope or "not stated"


def _cell(*children: nodes.Node) -> nodes.entry:
    return nodes.entry("", nodes.paragraph("", "", *children))


def _equation_refs(labels) -> list[nodes.Node]:
    out: list[nodes.Node] = []
    for i, label in enumerate(labels):
        if i:
            out.append(nodes.Text(", "))
        # Resolved like the eq role; a label outside the build shows as text.
        ref = addnodes.pending_xref(
            "", refdomain="math", reftype="eq", reftarget=label, refexplicit=False, refwarn=True
        )
        ref["claim_report"] = True
        ref += nodes.literal(label, label)
        out.append(ref)
    return out


class ClaimReport(SphinxDirective):
    """Run every registered claim and show them in one table."""

    option_spec: ClassVar[dict] = {"workers": directives.positive_int}

    def run(self):
        from gaussml.derivations import claims

        from .claim_results import claimed_displays, outcomes

        registered = claims()
        # The displays of every page are checked in the same run, in parallel:
        # the consistency check that follows finds them done (claim_results.py).
        failures, _ = outcomes(
            self.config.gaussml_claims_cache,
            list(registered),
            claimed_displays(self.env, self.env.found_docs),
            self.options.get("workers", self.config.gaussml_claim_workers),
        )
        self.env.claim_report_docname = self.env.docname

        table = nodes.table(classes=["claim-report", "colwidths-given"])
        group = nodes.tgroup(cols=len(COLUMNS))
        table += group
        group += [nodes.colspec(colwidth=width) for _, width in COLUMNS]
        head = nodes.thead("", nodes.row("", *(_cell(nodes.Text(title)) for title, _ in COLUMNS)))
        body = nodes.tbody()
        group += [head, body]
        for name, claim in registered.items():
            error = failures[name]
            if error is not None:
                logger.error(
                    "claim %r (equations %s) does not hold: %s",
                    name,
                    ", ".join(claim.labels),
                    error,
                    location=self.get_location(),
                    type="gaussml",
                    subtype="claim-failed",
                )
            statement = [
                nodes.raw("", rf"\phantomsection\label{{{claim_id(name)}}}", format="latex"),
                _code(name),
                nodes.Text(": "),
                *_inline(claim.statement),
                nodes.Text("."),
            ]
            if claim.monte_carlo:
                statement += [
                    nodes.Text(" Monte Carlo test in "),
                    _code(monte_carlo_file(claim)),
                    nodes.Text("."),
                ]
            row = nodes.row(ids=[claim_id(name)], claim_labels=list(claim.labels))
            row += [
                _cell(*_equation_refs(claim.labels)),
                _cell(*statement),
                _cell(*_inline(scope(claim))),
                _cell(nodes.Text(claim.method)),
                _cell(nodes.Text("FAILED" if error else "holds")),
            ]
            body += row
        return [
            nodes.raw("", LATEX_BEFORE, format="latex"),
            table,
            nodes.raw("", LATEX_AFTER, format="latex"),
        ]


def sort_report_rows(app, doctree, docname):
    """Rows in the order of the equations in the book (claims register by module)."""
    equations = app.env.get_domain("math").equations  # label -> (docname, number)

    def key(row):
        places = [equations[label] for label in row["claim_labels"] if label in equations]
        return min(places) if places else ("~", 0)  # equations outside this build last

    for body in (t.next_node(nodes.tbody) for t in doctree.findall(nodes.table)):
        if body is not None and body.children and "claim_labels" in body.children[0]:
            body.children.sort(key=key)


def keep_unbuilt_labels_as_text(app, env, node, contnode):
    """An equation of the report that is not in this build shows as its label."""
    if node.get("claim_report"):
        return contnode
    return None


def purge_report(app, env, docname):
    if getattr(env, "claim_report_docname", None) == docname:
        del env.claim_report_docname


def merge_report(app, env, docnames, other):
    if getattr(other, "claim_report_docname", None):
        env.claim_report_docname = other.claim_report_docname


def in_exercise(node: nodes.Node) -> bool:
    """True when `node` sits in an exercise (not in its solution): it gets no mark."""
    from sphinx_exercise.nodes import exercise_enumerable_node, exercise_node, solution_node

    parent = node.parent
    while parent is not None:
        if isinstance(parent, solution_node):
            return False
        if isinstance(parent, (exercise_node, exercise_enumerable_node)):
            return True
        parent = parent.parent
    return False


# --- statements in the reader's notation -------------------------------------------

_GREEK = {
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "delta": "δ",
    "varepsilon": "ε",
    "epsilon": "ε",
    "eps": "ε",
    "eta": "η",
    "theta": "θ",
    "kappa": "κ",
    "lambda": "λ",
    "mu": "μ",
    "nu": "ν",
    "pi": "π",
    "rho": "ρ",
    "sigma": "σ",
    "tau": "τ",
    "phi": "φ",
    "chi": "χ",
    "omega": "ω",
    "Gamma": "Γ",
    "Delta": "Δ",
    "Theta": "Θ",
    "Lambda": "Λ",
    "Sigma": "Σ",
    "Phi": "Φ",
    "Omega": "Ω",
}
_SUBSCRIPTS = dict(zip("0123456789aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ", strict=True))
_SUPERSCRIPTS = {"2": "²", "3": "³", "4": "⁴", "T": "ᵀ", "{-1}": "⁻¹", "{-T}": "⁻ᵀ", "-1": "⁻¹"}
_READER_MATH = [
    (re.compile(r"\bchi-square\b"), "χ²"),
    (re.compile(r"\bsqrt\(\s*"), "√("),
    (re.compile(r"\bsqrt\s+(?=[\w(])"), "√"),
    (
        re.compile(
            r"(?<![A-Za-z])(" + "|".join(sorted(_GREEK, key=len, reverse=True)) + r")(?![A-Za-z])"
        ),
        lambda m: _GREEK[m.group(1)],
    ),
    (re.compile(r"(?<=\w)_hat(?![A-Za-z])"), "\u0302"),
    (
        re.compile(r"(?<=[A-Za-zα-ωΑ-Ω\u0302])_([0-9aehijklmnoprstuvx])(?![\w])"),
        lambda m: _SUBSCRIPTS[m.group(1)],
    ),
    (
        re.compile(r"\^(\{-1\}|\{-T\}|-1(?![\d.])|[234T](?![\w{(]))"),
        lambda m: _SUPERSCRIPTS[m.group(1)],
    ),
    (re.compile(r"<="), "≤"),
    (re.compile(r">="), "≥"),
    (re.compile(r"!="), "≠"),
    (re.compile(r"(?<= )~(?= )"), "∼"),
    (re.compile(r"(?<= )->(?= )"), "→"),
    (re.compile(r"\|\|"), "‖"),
    (re.compile(r"(?<=[\s(\[=])-(?=[\w(\[√α-ωΑ-Ω])|(?<= )-(?= )"), "−"),
]


def reader_math(text: str) -> str:
    """ASCII mathematics of a claim's statement in the reader's symbols (σ, √, ≤, xᵀ, β̂).

    Words between backticks (code) are left as they are.
    """
    parts = text.split("`")
    for i in range(0, len(parts), 2):
        for pattern, replacement in _READER_MATH:
            parts[i] = pattern.sub(replacement, parts[i])
    return "`".join(parts)


class ReaderMathInReport(SphinxPostTransform):
    """On the web, the report's statements and scopes in the reader's symbols (σ, √, ≤)."""

    default_priority = 900
    formats = ("html",)

    def run(self, **kwargs) -> None:
        for table in self.document.findall(nodes.table):
            if "claim-report" not in table["classes"]:
                continue
            for paragraph in list(table.findall(nodes.paragraph)):
                children, text = [], ""
                for child in paragraph.children:
                    if isinstance(child, nodes.Text):
                        text += child.astext()
                    elif isinstance(child, nodes.raw) and child.get("format") == "latex":
                        continue  # a LaTeX line break, nothing on the web
                    else:
                        if text:
                            children.append(nodes.Text(reader_math(text)))
                            text = ""
                        children.append(child)
                if text:
                    children.append(nodes.Text(reader_math(text)))
                paragraph.children = []
                paragraph.extend(children)


def report_loads_mathjax(app, pagename, templatename, context, doctree):
    """The report's equation previews are typeset: its page loads MathJax (Sphinx
    loads it only on pages with math of their own)."""
    if pagename == getattr(app.env, "claim_report_docname", None):
        app.env.get_domain("math").data["has_equations"][pagename] = True


# --- the marks on the web -------------------------------------------------------


METHODS = {
    "symbolic": "exact computation with sympy",
    "symbolic + Monte Carlo": "exact computation with sympy, and a simulation",
}


def _tooltip_html(claim, label: str, href: str | None, *, in_exercise: bool = False) -> str:
    """The check mark and its tip: what holds, for which values, how it was checked.

    The tip is a `<template>` that the site's one popover (`ref_previews.js`)
    shows on hover, on keyboard focus and on a tap, as it shows a reference's
    target; the link's accessible name is "Checked by sympy", and the popover
    is its description while it shows. The tip's title repeats the name for
    the eye only (`aria-hidden`). In an exercise the mark stays hidden until
    the exercise's solution is opened (claim_marks.js).
    """
    esc = html.escape
    tip_id = f"claim-tip-{nodes.make_id(label)}"
    how = METHODS.get(claim.method, claim.method)
    if claim.monte_carlo:
        how += f" (test in <code>{esc(monte_carlo_file(claim))}</code>)"
    details = [
        "<span class='claim-mark__title' aria-hidden='true'>Checked by sympy</span>",
        f"<span class='claim-mark__statement'>{_inline_html(reader_math(claim.statement))}.</span>",
        f"<span class='claim-mark__field'><b>Checked for:</b> "
        f"{_inline_html(reader_math(scope(claim)))}.</span>",
        f"<span class='claim-mark__field'><b>How:</b> {how}.</span>",
        f"<span class='claim-mark__field claim-mark__name'>In the verification report: "
        f"<code>{esc(claim.name)}</code>.</span>",
    ]
    target = f' href="{esc(href)}"' if href else ' tabindex="0"'
    classes = "claim-mark mathjax_ignore tex2jax_ignore"
    if in_exercise:
        classes += " claim-mark--in-exercise"
    return (
        f'<span class="{classes}"{" hidden" if in_exercise else ""}>'
        f'<a class="claim-mark__link"{target} data-ref-preview="{tip_id}" data-ref-kind="claim" '
        f'data-ref-tap="preview" aria-label="Checked by sympy">&#x2713;</a>'
        f'<template id="{tip_id}">{"".join(details)}</template>'
        "</span>"
    )


def html_visit_math_block(self: HTML5Translator, node: nodes.math_block) -> None:
    start = len(self.body)
    try:
        HTML5Translator.visit_math_block(self, node)
    except nodes.SkipNode:
        claim = claims_by_label(self.builder.env).get(node.get("label"))
        if claim is not None and node.get("number"):
            docname = getattr(self.builder.env, "claim_report_docname", None)
            href = None
            if docname:
                here = self.builder.current_docname
                href = self.builder.get_relative_uri(here, docname) + "#" + claim_id(claim.name)
            for i in range(start, len(self.body)):
                if self.body[i].startswith('<span class="eqno">'):
                    mark = _tooltip_html(claim, node["label"], href, in_exercise=in_exercise(node))
                    self.body[i] = self.body[i].replace(
                        '<span class="eqno">', '<span class="eqno">' + mark, 1
                    )
                    break
        raise


def html_depart_math_block(self, node):
    HTML5Translator.depart_math_block(self, node)


# --- the marks in the PDF ---------------------------------------------------------

LATEX_PREAMBLE = r"""
% claim_marks: a check mark before an equation's number, linking to its claim.
\definecolor{gaussmlcheck}{RGB}{0,114,178}
\makeatletter
\newcommand{\gaussmlclaimmark}[1]{%
  \def\tagform@##1{\maketag@@@{\hyperref[#1]{\textcolor{gaussmlcheck}{\scriptsize$\checkmark$}}%
    \,(\ignorespaces##1\unskip\@@italiccorr)}}}
% Without the report in the document (the student handout): the mark alone.
\newcommand{\gaussmlclaimmarkunlinked}{%
  \def\tagform@##1{\maketag@@@{\textcolor{gaussmlcheck}{\scriptsize$\checkmark$}%
    \,(\ignorespaces##1\unskip\@@italiccorr)}}}
\makeatother
"""


def latex_visit_math_block(self: LaTeXTranslator, node: nodes.math_block) -> None:
    try:
        LaTeXTranslator.visit_math_block(self, node)
    except nodes.SkipNode:
        claim = claims_by_label(self.builder.env).get(node.get("label"))
        if claim is not None and not node.get("nowrap") and not in_exercise(node):
            label = "\\label{equation:" + node["docname"] + ":" + node["label"] + "}"
            if getattr(self.builder.env, "claim_report_docname", None):
                mark = "\\gaussmlclaimmark{" + claim_id(claim.name) + "}"
            else:  # no report to link to (a handout without it)
                mark = "\\gaussmlclaimmarkunlinked{}"
            self.body[-1] = self.body[-1].replace(label, label + mark, 1)
        raise


def latex_depart_math_block(self, node):
    pass


# --- setup -----------------------------------------------------------------------


def add_assets(app, config):
    add_static_path(app, config)
    add_latex_preamble(config, LATEX_PREAMBLE)


def setup(app):
    app.setup_extension("bookkit.sphinx.equation_claims")  # the settings of claim_results
    app.setup_extension("bookkit.sphinx.ref_previews")  # the popover that shows a mark's tip
    app.add_directive("claim-report", ClaimReport)
    app.connect("missing-reference", keep_unbuilt_labels_as_text)
    app.connect("doctree-resolved", sort_report_rows)
    app.connect("env-purge-doc", purge_report)
    app.connect("env-merge-info", merge_report)
    app.connect("config-inited", add_assets)
    app.add_post_transform(ReaderMathInReport)
    # Before sphinx.ext.mathjax (priority 500) decides whether the page loads MathJax.
    app.connect("html-page-context", report_loads_mathjax, priority=400)
    app.add_node(
        nodes.math_block,
        override=True,
        html=(html_visit_math_block, html_depart_math_block),
        latex=(latex_visit_math_block, latex_depart_math_block),
    )
    app.add_css_file("claim_marks.css")
    app.add_js_file("claim_marks.js", defer="defer")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
