"""The site links the PDFs only when they are built and newer than the book's sources."""

from __future__ import annotations

import os
from pathlib import Path

import pdf_links

ROOT = Path(__file__).resolve().parents[1]


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
