"""Sphinx extension: search results with readable snippets, over HTTP and from disk.

Sphinx's search page shows under each result a snippet that it cuts from the
result's page, fetched with `fetch()`. A site opened straight from disk
(`file://`) may not fetch: every snippet would be missing and each attempt an
error. And a fetched page holds its math as TeX source (`\\(\\sigma^2\\)`),
which the snippet shows raw.

After the HTML build, this extension writes `_static/search_pages.js`: for each
page, its main content with scripts, styles, images and navigation removed and
its math written as readable text (`figure_alt.tex_to_text`). The search page
loads it with `search_snippets.js`, which answers the search's `fetch()` of a
page from those texts, on `file://` and over HTTP alike. Code cells and their
outputs are left out of the texts, so a snippet is cut from the prose, not
from an import list or plotting code.

`search_scorer.js` ranks a matching section above the whole pages that
mention its title's words (Sphinx counts every section title of a page as the
page's title words).

Enable it in _config.yml with `sphinx: extra_extensions: [bookkit.sphinx.search_snippets]`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from bs4 import BeautifulSoup

from . import add_static_path
from .built_pages import (
    PageMemo,
    built_pages,
    element_end,
    main_span,
    masked,
    save_memo_last,
)
from .figure_alt import tex_to_text

PAGES_JS = "search_pages.js"


# A start tag of code, which a snippet never shows: cut before parsing.
_CODE_START = re.compile(
    r"<(pre)\b[^>]*>"
    r"|<([a-z]+)\b(?=[^>]*\sclass=\"(?:[^\"]*\s)?(?:cell_input|cell_output)[\s\"])[^>]*>"
    r"|<(div)\b(?=[^>]*\sclass=\"(?:[^\"]*\s)?highlight[\s\"])[^>]*>"
)

_ARTICLE = re.compile(r"<article\b[^>]*>")


def _prose_html(html: str) -> str | None:
    """The HTML of the page's article (else its main part), its code cut; None without a main.

    Parsing costs most of the time: the theme's toolbars, the templates and
    the code are not parsed at all. `page_text` drops the empty templates.
    """
    blanked = masked(html)
    span = main_span(blanked)
    if span is None:
        return None
    start, end = span
    article = _ARTICLE.search(blanked, start, end)  # the text, without the theme's toolbars
    if article is not None:
        start, end = article.start(), element_end(blanked, "article", article.start())
    pieces, at = [], start
    for match in _CODE_START.finditer(blanked, start, end):
        if match.start() >= at:  # not inside code already cut
            # An empty template keeps the text on either side apart, as the cut
            # element did (the parser would merge two whitespace strings into one).
            pieces += [html[at : match.start()], "<template></template>"]
            tag = match.group(1) or match.group(2) or match.group(3)
            at = element_end(blanked, tag, match.start())
    pieces.append(html[at:end])
    return "".join(pieces)


def page_text(html: str) -> str:
    """The main content of a built page, reduced to what a search snippet may show."""
    prose = _prose_html(html)
    if prose is None:
        return ""
    main = BeautifulSoup(prose, "html.parser").find(True)
    for tag in main.find_all(["script", "style", "img", "svg", "nav", "button", "template"]):
        tag.decompose()
    for tag in main.select(".cell_input, .cell_output, div.highlight, pre"):
        tag.decompose()  # code: a snippet is cut from the prose
    for tag in main.select(".headerlink, .claim-mark, .toggle-details__summary"):
        tag.decompose()
    for math in main.select(".math"):
        tex = math.get_text().strip()
        for delimiters in (("\\(", "\\)"), ("\\[", "\\]"), ("$$", "$$")):
            if tex.startswith(delimiters[0]) and tex.endswith(delimiters[1]):
                tex = tex[len(delimiters[0]) : -len(delimiters[1])]
        math.string = " " + tex_to_text(tex) + " "
    # Keep the elements (and so the ids a result's #anchor selects), drop attributes.
    for tag in main.find_all(True):
        tag.attrs = {k: v for k, v in tag.attrs.items() if k in ("id", "role")}
    return f'<div role="main">{main.decode_contents()}</div>'


def _add_script(app, pagename, templatename, context, doctree):
    if pagename == "search":
        app.add_js_file("search_scorer.js", priority=200)  # before searchtools.js
        app.add_js_file(PAGES_JS)
        app.add_js_file("search_snippets.js")


def _write_pages(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    here = Path(__file__).resolve().parent
    # Only pages that changed since the last build are parsed (built_pages.py).
    memo = PageMemo(
        Path(app.doctreedir) / "search_snippets.json",
        [here / "search_snippets.py", here / "figure_alt.py"],
        page_text,
    )
    read = {uri: path.read_text(encoding="utf-8") for uri, path in built_pages(app).items()}
    pages = {uri: memo(text) for uri, text in read.items()}
    app.gaussml_search_snippets_memo = (memo, read)  # saved by save_memo_last
    body = json.dumps(pages, ensure_ascii=True, separators=(",", ":"))
    (Path(app.outdir) / "_static" / PAGES_JS).write_text(
        f"window.GAUSSML_SEARCH_PAGES = {body};\n", encoding="utf-8"
    )


def setup(app):
    app.connect("config-inited", add_static_path)
    app.connect("html-page-context", _add_script)
    app.connect("build-finished", _write_pages)
    save_memo_last(app, "gaussml_search_snippets_memo")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
