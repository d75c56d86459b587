"""bookkit.sphinx.sphinx_asset_fixes: the search index keeps every page's index
entries after an incremental build, and a page's inline script is not doubled."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sphinx.application import Sphinx

PAGES = {
    "index": "Home\n====\n\n.. toctree::\n\n   api\n   prose\n",
    "api": "API\n===\n\n.. index:: single: sample_norms\n\nThe norms of draws.\n",
    "prose": "Prose\n=====\n\nA sentence.\n",
}


def build(source: Path, out: Path, extensions: list[str]) -> dict:
    """An HTML build of `source` (incremental when `out` holds one): its search index."""
    app = Sphinx(
        str(source), str(source), str(out), str(out / ".doctrees"), "html",
        confoverrides={"extensions": extensions}, status=None, warning=None,
    )  # fmt: skip
    app.build()
    text = (out / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(text[len("Search.setIndex(") : -1])


@pytest.mark.parametrize("fixed", [True, False])
def test_an_incremental_build_keeps_the_index_entries_of_pages_not_written(
    tmp_path, monkeypatch, fixed
):
    """With the fix, a prose edit keeps the API page's entry; without it (Sphinx 7.4
    alone) the entry is gone, the fault the fix is for (if Sphinx fixes it, this can go)."""
    from sphinx.search import IndexBuilder

    # The fix patches IndexBuilder: undo it after the test, whichever way it ran.
    monkeypatch.setattr(IndexBuilder, "load", IndexBuilder.load)
    monkeypatch.setattr(IndexBuilder, "prune", IndexBuilder.prune)
    source, out = tmp_path / "src", tmp_path / "out"
    source.mkdir()
    (source / "conf.py").write_text("", encoding="utf-8")
    for name, text in PAGES.items():
        (source / f"{name}.rst").write_text(text, encoding="utf-8")
    extensions = ["bookkit.sphinx.sphinx_asset_fixes"] if fixed else []
    full = build(source, out, extensions)
    assert "sample_norms" in full["indexentries"]
    (source / "prose.rst").write_text(PAGES["prose"] + "\nAnother sentence.\n", "utf-8")
    rebuilt = build(source, out, extensions)
    assert ("sample_norms" in rebuilt["indexentries"]) is fixed
    if fixed:
        assert rebuilt["indexentries"] == full["indexentries"]
        (source / "api.rst").write_text(PAGES["api"].replace("sample_norms", "norms"), "utf-8")
        renamed = build(source, out, extensions)["indexentries"]
        assert "norms" in renamed and "sample_norms" not in renamed


@pytest.mark.parametrize("fixed", [True, False])
def test_a_named_admonition_has_a_label_in_the_latex(tmp_path, monkeypatch, fixed):
    """With the fix, a reference to a named admonition points at a label the `.tex`
    defines; without it (Sphinx 7.4 alone) the label is missing, so the PDF's link is
    an undefined hyper reference (if Sphinx fixes it, this can go)."""
    from sphinx.search import IndexBuilder

    monkeypatch.setattr(IndexBuilder, "load", IndexBuilder.load)
    monkeypatch.setattr(IndexBuilder, "prune", IndexBuilder.prune)
    source, out = tmp_path / "src", tmp_path / "out"
    source.mkdir()
    (source / "conf.py").write_text("", encoding="utf-8")
    (source / "index.rst").write_text(
        "Home\n====\n\n.. admonition:: A box\n   :name: the-box\n\n   Inside.\n\n"
        "See :ref:`the box <the-box>`.\n",
        encoding="utf-8",
    )
    extensions = ["bookkit.sphinx.sphinx_asset_fixes"] if fixed else []
    app = Sphinx(
        str(source), str(source), str(out), str(out / ".doctrees"), "latex",
        confoverrides={"extensions": extensions}, status=None, warning=None,
    )  # fmt: skip
    app.build()
    tex = next(out.glob("*.tex")).read_text(encoding="utf-8")
    assert r"\hyperref[\detokenize{index:the-box}]" in tex
    assert (r"\label{\detokenize{index:the-box}}" in tex) is fixed
