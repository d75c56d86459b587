"""Remove from a build folder the pages of documents that are no longer in the book.

Sphinx rewrites the pages of the current book but never deletes the page of a
document whose source is gone (or left the table of contents): its HTML, its
copied source, its doctree and its executed notebook stay in `_build`, where
the link check, the browser test and `make serve` would still find them.
`make book` runs this after each build:

  python -m bookkit.prune_stale_pages _build

The current book is the list of documents in `html/objects.inv`, which Sphinx
writes at every HTML build from its environment. Removed, for each document
not in that list: `html/<doc>.html`, `html/_sources/<doc>.*`,
`.doctrees/<doc>.doctree`, `jupyter_execute/<doc>.ipynb` and
`jupyter_execute/<doc>.glue.json`. Sphinx's own pages (genindex, search,
*-modindex), the root `index.html` redirect, shared assets (`_static`,
`_images`: content-addressed) and any execution cache are left alone.
"""

from __future__ import annotations

import posixpath
import sys
from pathlib import Path

from sphinx.util.inventory import InventoryFile

SPHINX_PAGES = {"genindex", "search", "index"}


def current_docs(html: Path) -> set[str]:
    """The documents of the last HTML build, from its inventory."""
    with (html / "objects.inv").open("rb") as f:
        inventory = InventoryFile.load(f, "", posixpath.join)
    return set(inventory.get("std:doc", {}))


def _doc_of(relative: str, suffixes: tuple[str, ...]) -> str | None:
    for suffix in suffixes:
        if relative.endswith(suffix):
            return relative.removesuffix(suffix)
    return None


def stale_files(build: Path, docs: set[str]) -> list[Path]:
    """Files in `build` that belong to a document not in `docs`."""
    stale = []

    def check(folder: Path, pattern: str, suffixes: tuple[str, ...], keep=lambda doc: False):
        if not folder.is_dir():
            return
        for path in sorted(folder.rglob(pattern)):
            doc = _doc_of(path.relative_to(folder).as_posix(), suffixes)
            if doc is not None and doc not in docs and not keep(doc):
                stale.append(path)

    html = build / "html"

    def sphinx_page(doc: str) -> bool:
        return doc in SPHINX_PAGES or doc.endswith("-modindex") or doc.startswith("_")

    check(html, "*.html", (".html",), keep=sphinx_page)
    # _sources/<doc>.md, <doc>.ipynb, <doc>.md.txt ...: the source of a document.
    sources = html / "_sources"
    if sources.is_dir():
        for path in sorted(p for p in sources.rglob("*") if p.is_file()):
            relative = path.relative_to(sources).as_posix()
            name = relative
            while "." in posixpath.basename(name) and name not in docs:
                name = name.rsplit(".", 1)[0]
            if name not in docs:
                stale.append(path)
    check(build / ".doctrees", "*.doctree", (".doctree",))
    check(build / "jupyter_execute", "*.ipynb", (".ipynb",))
    check(build / "jupyter_execute", "*.glue.json", (".glue.json",))
    return stale


def remove_empty_folders(folder: Path) -> None:
    for path in sorted((p for p in folder.rglob("*") if p.is_dir()), reverse=True):
        if not any(path.iterdir()):
            path.rmdir()


def prune(build: Path) -> list[Path]:
    """Remove the stale files of `build` (a `_build` folder); return them."""
    stale = stale_files(build, current_docs(build / "html"))
    for path in stale:
        path.unlink()
    for folder in ("html", ".doctrees", "jupyter_execute"):
        if (build / folder).is_dir():
            remove_empty_folders(build / folder)
    return stale


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    build = Path(argv[0])
    if not (build / "html" / "objects.inv").is_file():
        print(f"prune_stale_pages: {build}/html/objects.inv not found: build the HTML first")
        return 1
    for path in prune(build):
        print(f"removed {path} (its document is no longer in the book)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
