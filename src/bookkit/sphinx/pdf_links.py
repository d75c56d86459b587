"""Sphinx extension: the full PDF and the handout, one click from every page.

When `make pdf` and `make handout` have built the two PDFs after the last
change to the book's sources (`make all` builds them, then the site), the HTML
build copies them into the site (`pdf/`) and links them from every page's
download menu and from the `{pdf-downloads}` paragraph of the introduction.
A PDF that is missing, or older than a source of the book, is neither copied
nor linked: the menu entry and the paragraph say which command builds it, so
the site never shows a broken or stale link.

When `make handouts` has built one handout per chapter
(`bookkit.chapter_handouts`, `_build/handouts/<chapter>.pdf`), each
chapter's page also links its own, under the same rule; an unbuilt or stale
chapter handout is simply not offered.

Enable it in _config.yml with `sphinx: extra_extensions: [bookkit.sphinx.pdf_links]`.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from docutils import nodes
from sphinx.util.docutils import SphinxDirective
from sphinx.util.osutil import relative_uri

from .. import ROOT

SITE_FOLDER = "pdf"  # in the site: pdf/<name>
ANCHOR = "pdf-downloads"  # the introduction's paragraph
# What the PDFs are built from: a PDF older than any of these is stale.
SOURCES = ("book", "src/gaussml", "_config.yml", "_toc.yml")
SOURCE_SUFFIXES = {".md", ".py", ".bib", ".yml", ".css", ".js", ".tex"}


@dataclass(frozen=True)
class Pdf:
    name: str  # the file name, also in the site
    built_at: str  # relative to the repository
    title: str
    command: str


PDFS = (
    Pdf("gaussml-book.pdf", "_build/latex/gaussml-book.pdf", "the full book", "make pdf"),
    Pdf(
        "gaussml-handout.pdf",
        "_build/handout/_build/latex/gaussml-handout.pdf",
        "the student handout",
        "make handout",
    ),
)

# One student handout per chapter (`make handouts`), linked from its chapter's page.
CHAPTERS = "book/chapters"
CHAPTER_HANDOUTS = "_build/handouts"


def chapter_handout(stem: str) -> Pdf:
    """The handout of the chapter `book/chapters/<stem>.md`."""
    return Pdf(
        f"gaussml-handout-{stem}.pdf",
        f"{CHAPTER_HANDOUTS}/{stem}.pdf",
        "this chapter's student handout",
        "make handouts",
    )


def chapter_docname(pdf: Pdf) -> str | None:
    """The page a chapter handout belongs to (None for the two whole-book PDFs)."""
    if not pdf.built_at.startswith(CHAPTER_HANDOUTS + "/"):
        return None
    return f"{CHAPTERS}/{Path(pdf.built_at).stem}"


def newest_source(root: Path = ROOT) -> float:
    """The latest modification time of a file the PDFs are built from."""
    times = [0.0]
    for name in SOURCES:
        path = root / name
        files = path.rglob("*") if path.is_dir() else [path]
        times += [
            f.stat().st_mtime
            for f in files
            if f.is_file() and f.suffix in SOURCE_SUFFIXES and "_build" not in f.parts
        ]
    return max(times)


def available_pdfs(root: Path = ROOT) -> list[Pdf]:
    """The PDFs that exist and are newer than every source of the book.

    The two whole-book PDFs, then the handout of each chapter of `book/chapters`.
    """
    newest = newest_source(root)
    chapters = [chapter_handout(p.stem) for p in sorted((root / CHAPTERS).glob("*.md"))]
    return [
        pdf
        for pdf in (*PDFS, *chapters)
        if (root / pdf.built_at).is_file() and (root / pdf.built_at).stat().st_mtime >= newest
    ]


class pdf_downloads(nodes.General, nodes.Element):
    """The introduction's paragraph on the PDFs (HTML only)."""


class PdfDownloads(SphinxDirective):
    def run(self):
        node = pdf_downloads()
        node["docname"] = self.env.docname
        return [node]


def _paragraph_html(links: dict[str, str], chapters: bool = False) -> str:
    if all(pdf.name in links for pdf in PDFS):
        full, handout = (links[pdf.name] for pdf in PDFS)
        text = (
            f'Download <a class="reference external" href="{full}">the full book as a PDF</a>'
            f' (with the solutions) or <a class="reference external" href="{handout}">the '
            "student handout</a> (every solution hidden)."
        )
        if chapters:
            text += " Each chapter's page also offers that chapter's handout alone."
    else:
        text = (
            "The PDFs are not part of this copy of the site: <code>make pdf</code> builds the "
            "full book and <code>make handout</code> the student handout "
            "(<code>make all</code> builds both and the site, which then links them)."
        )
    return f'<p id="{ANCHOR}">{text}</p>\n'


def _visit_html(self, node):
    pdfs = self.builder.env.gaussml_pdfs
    here = self.builder.get_target_uri(node["docname"])
    links = {pdf.name: relative_uri(here, f"{SITE_FOLDER}/{pdf.name}") for pdf in pdfs}
    self.body.append(_paragraph_html(links, any(chapter_docname(pdf) for pdf in pdfs)))
    raise nodes.SkipNode


def _skip(self, node):
    raise nodes.SkipNode


def _find_pdfs(app):
    # The environment still holds the last build's list: remember it for _reread_all.
    app.gaussml_pdfs_before = getattr(app.env, "gaussml_pdfs", None)
    app.env.gaussml_pdfs = available_pdfs(Path(app.srcdir)) if app.builder.format == "html" else []


def pages_to_rewrite(before, now, docnames) -> list[str]:
    """Every page when the linkable PDFs changed since the last build, else none.

    An incremental build writes only the pages whose sources changed; the
    others would keep a menu that links a PDF no longer copied, or that lacks
    one built since.
    """
    return sorted(docnames) if before is not None and before != now else []


def _reread_all(app, env, added, changed, removed):
    if app.builder.format != "html":
        return []
    return pages_to_rewrite(app.gaussml_pdfs_before, env.gaussml_pdfs, env.found_docs)


def _add_to_download_menu(app, pagename, templatename, context, doctree):
    menu = next(
        (b for b in context.get("header_buttons", []) if b.get("label") == "download-buttons"),
        None,
    )
    if menu is None:
        return
    pathto = context["pathto"]
    intro = pathto(app.config.root_doc)
    intro = "" if intro == "#" else intro  # on the introduction itself
    available = {pdf.name for pdf in app.env.gaussml_pdfs}
    for pdf in PDFS:
        if pdf.name in available:
            entry = {
                "url": pathto(f"{SITE_FOLDER}/{pdf.name}", 1),
                "text": pdf.title.removeprefix("the ").capitalize() + " (PDF)",
                "tooltip": f"Download {pdf.title} as a PDF",
            }
        else:
            entry = {
                "url": f"{intro}#{ANCHOR}",
                "text": pdf.title.removeprefix("the ").capitalize() + f": {pdf.command}",
                "tooltip": f"{pdf.title.capitalize()} is built with {pdf.command}",
            }
        menu["buttons"].append(
            {"type": "link", "icon": "fas fa-book", "label": f"download-{pdf.name}", **entry}
        )
    for pdf in app.env.gaussml_pdfs:
        if chapter_docname(pdf) == pagename:
            menu["buttons"].append(
                {
                    "type": "link",
                    "icon": "fas fa-book",
                    "label": f"download-{pdf.name}",
                    "url": pathto(f"{SITE_FOLDER}/{pdf.name}", 1),
                    "text": "This chapter's handout (PDF)",
                    "tooltip": f"Download {pdf.title} as a PDF (no solutions)",
                }
            )


def _copy_pdfs(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    folder = Path(app.outdir) / SITE_FOLDER
    shutil.rmtree(folder, ignore_errors=True)  # no stale copy from an earlier build
    for pdf in app.env.gaussml_pdfs:
        folder.mkdir(exist_ok=True)
        shutil.copy2(Path(app.srcdir) / pdf.built_at, folder / pdf.name)


def setup(app):
    app.add_node(
        pdf_downloads,
        html=(_visit_html, None),
        latex=(_skip, None),
        text=(_skip, None),
        man=(_skip, None),
        texinfo=(_skip, None),
    )
    app.add_directive("pdf-downloads", PdfDownloads)
    app.connect("builder-inited", _find_pdfs)
    app.connect("env-get-outdated", _reread_all)
    # After sphinx-book-theme has made the download menu (priority 501).
    app.connect("html-page-context", _add_to_download_menu, priority=600)
    app.connect("build-finished", _copy_pdfs)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
