"""The built outputs the site and PDF tests read, and whether they still show this checkout's book.

The tests that read `_build` (the site, the PDFs) compare what a build shows
with the sources it was built from. An output older than a source it depends
on shows a book that no longer exists: those tests say so and skip (or fail,
where `.ci/run` requires the builds) instead of reporting its differences as
defects of the book.

One home for what those tests share: where the outputs are (`GAUSSML_BUILD`
points them at another build folder, `GAUSSML_SITE` at another site), the
site's pages, a PDF's text, and the skip-or-fail of a missing output.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from bookkit import check_links

ROOT = Path(__file__).resolve().parents[1]
# What a build reads: the pages, the package they import, the configuration.
SOURCES = ("book", "src/gaussml", "_config.yml", "_toc.yml")

BUILD = Path(os.environ.get("GAUSSML_BUILD", ROOT / "_build")).resolve()
SITE = Path(os.environ.get("GAUSSML_SITE", BUILD / "html")).resolve()
BOOK_PDF = BUILD / "latex" / "gaussml-book.pdf"
HANDOUT_PDF = BUILD / "handout" / "_build" / "latex" / "gaussml-handout.pdf"


def newest_source(root: Path = ROOT) -> Path:
    """The source file modified last (caches and compiled bytecode left out)."""
    files = []
    for name in SOURCES:
        path = root / name
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files += [
                p
                for p in path.rglob("*")
                if p.is_file()
                and "__pycache__" not in p.parts
                and not any(part.startswith(".") for part in p.relative_to(root).parts)
            ]
    return max(files, key=lambda p: p.stat().st_mtime)


def outdated(output: Path, make_target: str, root: Path = ROOT) -> str | None:
    """Why `output` cannot be tested (missing, or older than a source), or None."""
    if not output.exists():
        return f"no {output}: run '{make_target}'"
    source = newest_source(root)
    if source.stat().st_mtime > output.stat().st_mtime:
        return (
            f"{output} is older than {source.relative_to(root)}: "
            f"run '{make_target}' to test the book as it now is"
        )
    return None


def unavailable(reason: str, required_by: str = "GAUSSML_REQUIRE_BUILDS", **skip) -> None:
    """Skip for `reason`, or fail where the variable `required_by` is 1 (as `.ci/run` sets it)."""
    if os.environ.get(required_by) == "1":
        pytest.fail(f"{reason} ({required_by}=1)", pytrace=False)
    pytest.skip(reason, **skip)


def site_pages(site: Path = SITE) -> list[str]:
    """Every HTML page of the site, as paths relative to its root (sorted); none unbuilt."""
    if not (site / "index.html").exists():
        return []
    return [p.relative_to(site).as_posix() for p in check_links.site_pages(site)]


def pdf_text(pdf: Path, *, layout: bool = False) -> str:
    """The text of `pdf` (pdftotext; `layout` keeps the columns in place)."""
    command = ["pdftotext", *(["-layout"] if layout else []), str(pdf), "-"]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout
