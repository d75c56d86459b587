"""Sphinx extension: an appendix numbers its figures, tables and equations by its letter.

The appendices are an unnumbered part of the table of contents, so Sphinx
would number their figures, tables and equations 1, 2, ... across the whole
part, while LaTeX numbers them after the appendix's letter: B.1, B.2, ...
This gives the site the PDF's numbers. The k-th appendix of the table of
contents (from 0) has the letter chr(ord("A") + k), and each kind (figure,
table, code block, equation) is counted from 1 in the order of the page.
`{numref}`, `{eq}`, captions and equation numbers all read these numbers.

Enable it in _config.yml with `sphinx: local_extensions: {appendix_numbers: book/_ext}`.
"""

from __future__ import annotations

APPENDICES = "book/appendices/"


def appendix_letters(included: list[str]) -> dict[str, str]:
    """Each appendix of the table of contents (in its order) and its letter."""
    appendices = [doc for doc in included if doc.startswith(APPENDICES)]
    return {doc: chr(ord("A") + k) for k, doc in enumerate(appendices)}


def lettered(numbers: dict[str, dict[str, tuple]], letter: str) -> dict[str, dict[str, tuple]]:
    """A page's numbers as (letter, i): each kind counted from 1 in the page's order."""
    return {
        kind: {
            node_id: (letter, i)
            for i, node_id in enumerate(sorted(ids, key=lambda n: ids[n]), start=1)
        }
        for kind, ids in numbers.items()
    }


def letter_appendices(app, env) -> list[str]:
    included = env.toctree_includes.get(env.config.root_doc, [])
    letters = appendix_letters(included)
    changed = []
    for doc, letter in letters.items():
        numbers = env.toc_fignumbers.get(doc)
        if numbers:
            env.toc_fignumbers[doc] = lettered(numbers, letter)
            changed.append(doc)
    return changed


def setup(app):
    # After Sphinx's own numbering (the toctree collector, priority 500).
    app.connect("env-get-updated", letter_appendices, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
