"""Sphinx extension: an appendix numbers its figures, tables and equations as the PDF does.

The appendices are an unnumbered part of the table of contents, so Sphinx
would number their figures, tables and equations 1, 2, ... across the whole
part, while Sphinx's LaTeX numbers them within the appendix by its position,
k.1, k.2, ... for the k-th appendix (`sphinxlatexnumfig.sty` uses
`\\arabic{chapter}`, which `\\appendix` restarts at 1). This gives the site
the PDF's numbers: each kind (figure, table, code block, equation) is
counted from 1 in the order of the page. `{numref}`, `{eq}`, captions and
equation numbers all read these numbers.

Enable it in _config.yml with `sphinx: extra_extensions: [bookkit.sphinx.appendix_numbers]`.
"""

from __future__ import annotations

APPENDICES = "book/appendices/"


def appendix_positions(included: list[str]) -> dict[str, int]:
    """Each appendix of the table of contents and its position among them, from 1."""
    appendices = [doc for doc in included if doc.startswith(APPENDICES)]
    return {doc: k for k, doc in enumerate(appendices, start=1)}


def renumbered(numbers: dict[str, dict[str, tuple]], position: int) -> dict[str, dict[str, tuple]]:
    """A page's numbers as (position, i): each kind counted from 1 in the page's order."""
    return {
        kind: {
            node_id: (position, i)
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
    for doc, position in appendix_positions(included).items():
        numbers = env.toc_fignumbers.get(doc)
        if numbers:
            env.gaussml_sphinx_fignumbers[doc] = numbers
            env.toc_fignumbers[doc] = renumbered(numbers, position)
            env.gaussml_appendix_fignumbers[doc] = env.toc_fignumbers[doc]
            if before.get(doc) != env.toc_fignumbers[doc]:
                changed.append(doc)
    return changed


def setup(app):
    # Around Sphinx's own numbering (the toctree collector, priority 500).
    app.connect("env-get-updated", sphinx_numbers_back, priority=100)
    app.connect("env-get-updated", number_appendices, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
