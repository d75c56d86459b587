"""Sphinx extension: the verification report, and a check mark on every numbered equation.

- The directive `claim-report` runs every claim of `gaussml.derivations` while
  its page is read (or takes its result from an earlier build of the same
  package source: `claim_results.py`) and renders them as one table (a
  docutils table, so no character of a statement can break a cell), one row
  per claim with the anchor `claim-<name>`. A claim that does not hold is a
  build error, so a false claim fails `make book` and `make pdf`.
- On the web, the number of each claimed equation gets a small check mark: a
  link to the claim's row in the report that shows, on hover and on keyboard
  focus, what the claim states, its scope and its method (plain HTML and CSS
  from `claim_marks.css`; `claim_marks.js` only lets Escape close it).
- In the PDF, the equation number gets a small check mark linking to the row
  (a mark without a link when the report is not part of the build).
- An equation inside an exercise gets no mark, on the web or in the PDF: a
  check mark there would tell the reader that the claim asked for holds,
  giving the answer away. Its solution may keep its marks.

Enable it in _config.yml with `sphinx: local_extensions: {claim_marks: book/_ext}`.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.writers.html5 import HTML5Translator
from sphinx.writers.latex import LaTeXTranslator

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parents[1] / "_static"  # book/_static
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


def claims_by_label() -> dict:
    from gaussml.derivations import claims  # the package the chapters import

    return {label: c for c in claims().values() for label in c.labels}


def monte_carlo_file(claim) -> str:
    return claim.monte_carlo.split("::")[0].removeprefix("tests/") if claim.monte_carlo else ""


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
        from claim_results import claimed_displays, outcomes

        from gaussml.derivations import claims

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


# --- the marks on the web -------------------------------------------------------


def _tooltip_html(claim, label: str, href: str | None) -> str:
    esc = html.escape
    tip_id = f"claim-tip-{nodes.make_id(label)}"
    details = [
        f"<span class='claim-mark__title'>Checked by sympy</span>"
        f"<code>{esc(claim.name)}</code>: {_inline_html(claim.statement)}.",
        f"<span class='claim-mark__field'><b>Scope:</b> {_inline_html(scope(claim))}</span>",
        f"<span class='claim-mark__field'><b>Method:</b> {esc(claim.method)}"
        + (f" (test in <code>{esc(monte_carlo_file(claim))}</code>)" if claim.monte_carlo else "")
        + "</span>",
    ]
    if href:
        details.append("<span class='claim-mark__field'>Its row in the verification report.</span>")
    target = f' href="{esc(href)}"' if href else ' tabindex="0"'
    return (
        '<span class="claim-mark mathjax_ignore tex2jax_ignore">'
        f'<a class="claim-mark__link"{target} aria-describedby="{tip_id}" '
        f'aria-label="{esc("Checked by sympy: " + claim.statement.replace("`", ""))}">&#x2713;</a>'
        f'<span class="claim-mark__tip" role="tooltip" id="{tip_id}">{"".join(details)}</span>'
        "</span>"
    )


def html_visit_math_block(self: HTML5Translator, node: nodes.math_block) -> None:
    start = len(self.body)
    try:
        HTML5Translator.visit_math_block(self, node)
    except nodes.SkipNode:
        claim = claims_by_label().get(node.get("label"))
        if claim is not None and node.get("number") and not in_exercise(node):
            docname = getattr(self.builder.env, "claim_report_docname", None)
            href = None
            if docname:
                here = self.builder.current_docname
                href = self.builder.get_relative_uri(here, docname) + "#" + claim_id(claim.name)
            for i in range(start, len(self.body)):
                if self.body[i].startswith('<span class="eqno">'):
                    mark = _tooltip_html(claim, node["label"], href)
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
        claim = claims_by_label().get(node.get("label"))
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
    config.html_static_path.append(str(STATIC))
    elements = dict(config.latex_elements)
    elements["preamble"] = elements.get("preamble", "") + LATEX_PREAMBLE
    config.latex_elements = elements


def setup(app):
    app.setup_extension("equation_claims")  # the settings of claim_results.py
    app.add_directive("claim-report", ClaimReport)
    app.connect("missing-reference", keep_unbuilt_labels_as_text)
    app.connect("doctree-resolved", sort_report_rows)
    app.connect("env-purge-doc", purge_report)
    app.connect("env-merge-info", merge_report)
    app.connect("config-inited", add_assets)
    app.add_node(
        nodes.math_block,
        override=True,
        html=(html_visit_math_block, html_depart_math_block),
        latex=(latex_visit_math_block, latex_depart_math_block),
    )
    app.add_css_file("claim_marks.css")
    app.add_js_file("claim_marks.js", defer="defer")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
