"""The site links the PDFs only when they are built and newer than the book's sources."""

from __future__ import annotations

import os
from pathlib import Path

from bookkit.sphinx import pdf_links

ROOT = Path(__file__).resolve().parents[2]


def _book(tmp_path: Path) -> Path:
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "intro.md").write_text("# Intro\n", encoding="utf-8")
    (tmp_path / "_config.yml").write_text("title: t\n", encoding="utf-8")
    return tmp_path


def _touch(path: Path, mtime: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-1.5\n")
    os.utime(path, (mtime, mtime))


def test_no_pdf_is_linked_when_none_is_built(tmp_path):
    assert pdf_links.available_pdfs(_book(tmp_path)) == []


def test_fresh_pdfs_are_linked(tmp_path):
    root = _book(tmp_path)
    later = pdf_links.newest_source(root) + 10
    for pdf in pdf_links.PDFS:
        _touch(root / pdf.built_at, later)
    assert pdf_links.available_pdfs(root) == list(pdf_links.PDFS)


def test_a_pdf_older_than_a_source_is_not_linked(tmp_path):
    root = _book(tmp_path)
    newest = pdf_links.newest_source(root)
    full, handout = pdf_links.PDFS
    _touch(root / full.built_at, newest + 10)
    _touch(root / handout.built_at, newest - 10)
    assert pdf_links.available_pdfs(root) == [full]


def test_the_paragraph_links_both_pdfs_or_names_the_commands():
    links = {pdf.name: f"../pdf/{pdf.name}" for pdf in pdf_links.PDFS}
    linked = pdf_links._paragraph_html(links)
    assert all(f'href="../pdf/{pdf.name}"' in linked for pdf in pdf_links.PDFS)
    unbuilt = pdf_links._paragraph_html({})
    assert "href" not in unbuilt
    assert "make pdf" in unbuilt and "make handout" in unbuilt


def test_every_page_is_rewritten_when_the_linkable_pdfs_change():
    book, handout = pdf_links.PDFS
    pages = {"intro", "chapter"}
    assert pdf_links.pages_to_rewrite(None, [book], pages) == [], "a first build writes all anyway"
    assert pdf_links.pages_to_rewrite([book], [book], pages) == []
    assert pdf_links.pages_to_rewrite([], [book, handout], pages) == ["chapter", "intro"]
    assert pdf_links.pages_to_rewrite([book, handout], [book], pages) == ["chapter", "intro"]


def test_each_chapter_handout_is_linked_when_fresh(tmp_path):
    root = _book(tmp_path)
    for stem in ("01_one", "02_two", "03_three"):
        (root / "book" / "chapters").mkdir(exist_ok=True)
        (root / "book" / "chapters" / f"{stem}.md").write_text("# C\n", encoding="utf-8")
    newest = pdf_links.newest_source(root)
    one, two, three = (pdf_links.chapter_handout(s) for s in ("01_one", "02_two", "03_three"))
    _touch(root / one.built_at, newest + 10)
    _touch(root / two.built_at, newest - 10)  # stale: not linked
    assert one.built_at == "_build/handouts/01_one.pdf"
    assert pdf_links.available_pdfs(root) == [one]
    # A handout left over from a chapter no longer in book/chapters is not linked.
    _touch(root / "_build/handouts/99_gone.pdf", newest + 10)
    assert pdf_links.available_pdfs(root) == [one]
    assert three not in pdf_links.available_pdfs(root)


def test_a_chapter_handout_belongs_to_its_chapter_page_only():
    handout = pdf_links.chapter_handout("04_regression")
    assert pdf_links.chapter_docname(handout) == "book/chapters/04_regression"
    assert all(pdf_links.chapter_docname(pdf) is None for pdf in pdf_links.PDFS)
    assert handout.name not in {pdf.name for pdf in pdf_links.PDFS}


def test_the_paragraph_mentions_the_chapter_handouts_when_linked():
    links = {pdf.name: f"../pdf/{pdf.name}" for pdf in pdf_links.PDFS}
    assert "chapter" not in pdf_links._paragraph_html(links)
    assert "chapter's handout" in pdf_links._paragraph_html(links, chapters=True)


def _menu(pagename: str, pdfs: list) -> list[dict]:
    """The download menu's entries that `_add_to_download_menu` gives `pagename`."""
    from types import SimpleNamespace

    app = SimpleNamespace(
        env=SimpleNamespace(gaussml_pdfs=pdfs), config=SimpleNamespace(root_doc="book/intro")
    )
    menu = {"label": "download-buttons", "buttons": []}
    context = {"header_buttons": [menu], "pathto": lambda name, resource=0: f"../{name}"}
    pdf_links._add_to_download_menu(app, pagename, "page.html", context, None)
    return menu["buttons"]


def test_the_menu_of_a_chapter_links_its_own_handout_only():
    one = pdf_links.chapter_handout("01_one")
    two = pdf_links.chapter_handout("02_two")
    pdfs = [*pdf_links.PDFS, one, two]
    urls = [entry["url"] for entry in _menu("book/chapters/01_one", pdfs)]
    assert urls == [f"../pdf/{pdf.name}" for pdf in (*pdf_links.PDFS, one)]
    assert [e["url"] for e in _menu("book/intro", pdfs)] == [
        f"../pdf/{pdf.name}" for pdf in pdf_links.PDFS
    ]
    # Unbuilt: the whole-book entries name their command, no chapter entry at all.
    entries = _menu("book/chapters/01_one", [])
    assert len(entries) == len(pdf_links.PDFS)
    assert all("make handouts" not in e["text"] for e in entries)
