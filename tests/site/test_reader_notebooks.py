"""Each chapter's downloadable notebook, as the site serves it, runs on its own.

After `make book`, every chapter page offers its executed notebook in plain
Markdown (`bookkit.sphinx.reader_notebooks`, under the download button):

- the page links it, and its Markdown holds no MyST role or directive;
- it opens with how to install the environment, carries the outputs of the
  page's visible code cells, and numbers every numbered equation as the page
  does (`\\tag{n.m}`), so the text's "(n.m)" points at it;
- every chapter's notebook runs top to bottom with nbclient, in an empty
  folder, with Python's sockets unable to reach another host: none raises.
  The notebook leaves out the page's hidden cells, so a visible cell that
  depended on a hidden computation would fail here; and `myst_nb` cannot be
  imported in its kernel, so a cell that still glued a value would fail too
  (the printed code runs in a plain kernel with only the book's package;
  `tests/build/test_chapter_code.py` checks the same on the sources, without a build).

Skipped when the site has not been built; `.ci/run` runs it after `make book`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from built_outputs import ROOT, SITE

CHAPTERS = sorted(p.stem for p in (ROOT / "book" / "chapters").glob("*.md"))

pytestmark = pytest.mark.skipif(
    not (SITE / "index.html").exists(), reason="needs the built site: run make book"
)

# Run first in the kernel: a Python socket may only connect to this machine.
NO_NETWORK = """\
import socket as _socket

_connect = _socket.socket.connect


def _local_only(self, address):
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and host not in ("127.0.0.1", "::1", "localhost"):
        raise OSError(f"no network in this test: connection to {address!r}")
    return _connect(self, address)


_socket.socket.connect = _local_only
"""
# Also run first: the book's plumbing (`myst_nb.glue`) is not importable, as in
# a reader's plain Jupyter kernel.
WITHOUT_MYST_NB = """\
import sys as _sys

_sys.modules["myst_nb"] = None  # import myst_nb raises ModuleNotFoundError
"""
_MYST = re.compile(r"\{[a-z:-]+\}`|^`{3,}\{|^\([\w-]+\)=", re.MULTILINE)


def served(chapter: str) -> Path:
    return SITE / "_sources" / "book" / "chapters" / f"{chapter}.ipynb"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_the_page_offers_its_notebook_in_plain_markdown(chapter):
    page = (SITE / "book" / "chapters" / f"{chapter}.html").read_text(encoding="utf-8")
    assert f"_sources/book/chapters/{chapter}.ipynb" in page, "no .ipynb download button"
    nb = json.loads(served(chapter).read_text(encoding="utf-8"))
    texts = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]
    left = [m.group(0) for text in texts for m in _MYST.finditer(text)]
    assert not left, f"MyST markup left in the notebook's Markdown: {left[:5]}"
    tags = [t for c in nb["cells"] for t in c.get("metadata", {}).get("tags", [])]
    assert "remove-cell" not in tags


_NUMBERED = re.compile(r"^\$\$[ \t]*\([\w-]+\)[ \t]*$", re.MULTILINE)
_TAG = re.compile(r"\\tag\{(\d+\.\d+)\}")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_the_notebook_has_install_steps_outputs_and_equation_numbers(chapter):
    nb = json.loads(served(chapter).read_text(encoding="utf-8"))
    first = "".join(nb["cells"][0]["source"])
    assert nb["cells"][0]["cell_type"] == "markdown" and "pip install" in first
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    printing = [c for c in code if "print(" in "".join(c["source"])]
    assert any(c["outputs"] for c in code), "no code cell has an output"
    assert all(c["outputs"] for c in printing), "a printing cell has no output"
    source = (ROOT / "book" / "chapters" / f"{chapter}.md").read_text(encoding="utf-8")
    markdown = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    tags = _TAG.findall(markdown)
    assert len(tags) == len(_NUMBERED.findall(source)), "numbered equations without a tag"
    assert all(t.split(".")[0] == tags[0].split(".")[0] for t in tags), tags


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_the_notebook_runs_on_its_own(chapter, tmp_path):
    import nbformat
    from nbclient import NotebookClient

    # The kernel keeps JAX's compiled programs in the machine's cache, as the book's
    # builds do: tests/conftest.py set the environment it inherits.

    nb = nbformat.reads(served(chapter).read_text(encoding="utf-8"), as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(WITHOUT_MYST_NB))
    nb.cells.insert(0, nbformat.v4.new_code_cell(NO_NETWORK))
    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # raises CellExecutionError, naming the cell, if one raises
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
