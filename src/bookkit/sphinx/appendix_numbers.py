"""Sphinx extension: an appendix numbers its headings, figures, tables and equations by its letter.

The appendices are an unnumbered part of the table of contents, so Sphinx
would number their figures, tables and equations 1, 2, ... across the whole
part, and Sphinx's LaTeX numbers them k.1, k.2, ... in the k-th appendix
(`sphinxlatexnumfig.sty` uses `\\arabic{chapter}`, which `\\appendix`
restarts at 1): the third appendix's "Fig. 3.2" would be chapter 3's too.
Here the k-th appendix numbers them by its letter, as its headings are in
the PDF: C.1, C.2, ... On the site each kind (figure, table, code block,
equation, exercise) is counted from 1 in the order of the page, and
`{numref}`, `{eq}`, captions and equation numbers all read these numbers;
in the PDF, `LATEX_PREAMBLE` numbers by `\\thechapter` (a letter after
`\\appendix`, the chapter's number before). Its headings are lettered on the
site as LaTeX letters them in the PDF: "C. More on gradients and networks",
"C.1. Forward and reverse mode", in the page, the sidebar and the links to
the next and previous pages (the chapters' numbered toctree gives them "1.",
"1.1.").

Enable it in _config.yml with `sphinx: extra_extensions: [bookkit.sphinx.appendix_numbers]`.
"""

from __future__ import annotations

from docutils import nodes

from . import add_latex_preamble

APPENDICES = "book/appendices/"
# After sphinxlatexnumfig.sty's own `\AtBeginDocument`, which numbers by `\arabic{chapter}`.
LATEX_PREAMBLE = r"""
\makeatletter
\AtBeginDocument{%
  \def\gaussml@bychapter#1{\ifnum\c@chapter>\z@\thechapter.\fi\arabic{#1}}%
  \def\thefigure{\gaussml@bychapter{figure}}%
  \def\thetable{\gaussml@bychapter{table}}%
  \def\theliteralblock{\gaussml@bychapter{literalblock}}%
  \def\theequation{\gaussml@bychapter{equation}}%
}
\makeatother
"""


def appendix_letters(included: list[str]) -> dict[str, str]:
    """Each appendix of the table of contents and its letter, A for the first."""
    appendices = [doc for doc in included if doc.startswith(APPENDICES)]
    return {doc: chr(ord("A") + k) for k, doc in enumerate(appendices)}


def renumbered(numbers: dict[str, dict[str, tuple]], letter: str) -> dict[str, dict[str, tuple]]:
    """A page's numbers as (letter, i): each kind counted from 1 in the page's order."""
    return {
        kind: {
            node_id: (letter, i)
            for i, node_id in enumerate(sorted(ids, key=lambda n: ids[n]), start=1)
        }
        for kind, ids in numbers.items()
    }


def sphinx_numbers_back(app, env) -> list[str]:
    """Sphinx's own numbers of the appendices, before it numbers again (the titles without one).

    Sphinx writes again every page whose numbers differ from the last build's;
    it compares its new numbers with these, not with the renumbered ones, so
    an appendix is written again only when its numbers changed.
    """
    env.toc_fignumbers.update(getattr(env, "gaussml_sphinx_fignumbers", {}))
    # Unnumbered titles, as Sphinx left them: sphinx-external-toc's collector
    # renumbers every title of the root's toctrees that has a number.
    for doc in getattr(env, "gaussml_appendix_numbers", {}):
        title = env.titles.get(doc)  # a title node: "secnumber" is an attribute
        if title is not None and "secnumber" in title:
            del title["secnumber"]
    return []


def letter_headings(toc: nodes.Node, letter: str) -> dict[str, tuple]:
    """Number the headings of an appendix's table of contents (`env.tocs[doc]`) as
    the numbered toctree numbers a chapter's: the title (letter,), its sections
    (letter, 1), (letter, 2), their subsections (letter, 1, 1), ... Each entry's
    reference gets its `secnumber` (the sidebar's "C."); returns the numbers by
    anchor ("" the title, "#id" a section), as `env.toc_secnumbers` holds them."""
    numbers: dict[str, tuple] = {}

    def items(bullets):
        return [child for child in bullets.children if isinstance(child, nodes.list_item)]

    def walk(item, number):
        for child in item.children:
            if isinstance(child, nodes.bullet_list):
                for i, sub in enumerate(items(child), start=1):
                    walk(sub, (*number, i))
            elif child.children and isinstance(child[0], nodes.reference):
                child[0]["secnumber"] = number
                numbers[child[0]["anchorname"]] = number

    for title in items(toc):
        walk(title, (letter,))
    return numbers


def number_appendices(app, env) -> list[str]:
    included = env.toctree_includes.get(env.config.root_doc, [])
    before = getattr(env, "gaussml_appendix_numbers", {})
    # Each appendix's (figure numbers, heading numbers), and Sphinx's own figure numbers.
    env.gaussml_appendix_numbers, env.gaussml_sphinx_fignumbers = {}, {}
    for doc, letter in appendix_letters(included).items():
        headings = letter_headings(env.tocs[doc], letter) if doc in env.tocs else {}
        if headings:
            env.toc_secnumbers[doc] = headings
        if doc in env.titles:
            env.titles[doc]["secnumber"] = (letter,)  # the next and previous links
        numbers = env.toc_fignumbers.get(doc)
        if numbers:
            env.gaussml_sphinx_fignumbers[doc] = numbers
            env.toc_fignumbers[doc] = numbers = renumbered(numbers, letter)
        env.gaussml_appendix_numbers[doc] = (numbers, headings)
    return [doc for doc, now in env.gaussml_appendix_numbers.items() if before.get(doc) != now]


def add_preamble(app, config):
    add_latex_preamble(config, LATEX_PREAMBLE)


def setup(app):
    app.connect("config-inited", add_preamble)
    # Around Sphinx's own numbering (the toctree collector, priority 500).
    app.connect("env-get-updated", sphinx_numbers_back, priority=100)
    app.connect("env-get-updated", number_appendices, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
