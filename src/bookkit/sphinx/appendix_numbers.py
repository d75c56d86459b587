"""Sphinx extension: an appendix numbers its figures, tables and equations by its letter.

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
`\\appendix`, the chapter's number before).

Enable it in _config.yml with `sphinx: extra_extensions: [bookkit.sphinx.appendix_numbers]`.
"""

from __future__ import annotations

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
    """Sphinx's own numbers of the appendices, before it numbers again.

    Sphinx writes again every page whose numbers differ from the last build's;
    it compares its new numbers with these, not with the renumbered ones, so
    an appendix is written again only when its numbers changed.
    """
    env.toc_fignumbers.update(getattr(env, "gaussml_sphinx_fignumbers", {}))
    return []


def number_appendices(app, env) -> list[str]:
    included = env.toctree_includes.get(env.config.root_doc, [])
    before = getattr(env, "gaussml_appendix_fignumbers", {})
    env.gaussml_sphinx_fignumbers, env.gaussml_appendix_fignumbers = {}, {}
    changed = []
    for doc, letter in appendix_letters(included).items():
        numbers = env.toc_fignumbers.get(doc)
        if numbers:
            env.gaussml_sphinx_fignumbers[doc] = numbers
            env.toc_fignumbers[doc] = renumbered(numbers, letter)
            env.gaussml_appendix_fignumbers[doc] = env.toc_fignumbers[doc]
            if before.get(doc) != env.toc_fignumbers[doc]:
                changed.append(doc)
    return changed


def add_preamble(app, config):
    add_latex_preamble(config, LATEX_PREAMBLE)


def setup(app):
    app.connect("config-inited", add_preamble)
    # Around Sphinx's own numbering (the toctree collector, priority 500).
    app.connect("env-get-updated", sphinx_numbers_back, priority=100)
    app.connect("env-get-updated", number_appendices, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
