"""Sphinx extension: a preview of what a reference points to, on hover and on focus.

A reference to a numbered equation, a figure, a table, an exercise or a
citation shows its target in a small popover when the pointer rests on it or
when it has the keyboard focus, so that the reader need not leave the
paragraph. Everything is made at build time and served from the site:

- after the HTML build, each page gets, before `</body>`, one inert
  `<template id="ref-preview-N">` per target it references, holding a copy of
  the target's HTML (ids, links, buttons and claim marks removed; image paths
  rewritten for the referring page); the reference gets
  `data-ref-preview="ref-preview-N"`;
- `ref_previews.js` fills one popover (`role="tooltip"`, referenced by the
  link's `aria-describedby` while it shows) from the template, typesets its
  math with the site's MathJax, and closes it on Escape, when the pointer
  leaves link and popover, or when the focus leaves the link. It is the
  site's only popover: a claim mark's tip is a template too (`claim_marks`);
- `ref_previews.css` caps its height (a longer target fades out at the
  bottom) and follows the theme's light and dark colours.

A template is not part of the rendered page: axe-core, the search snippets
and MathJax's first pass do not see it.

Enable it in _config.yml with `sphinx: extra_extensions: [bookkit.sphinx.ref_previews]`.
"""

from __future__ import annotations

import html
import posixpath
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

# The targets that get a preview, as CSS selectors of the element holding the id.
TARGETS = {
    "equation": "div.math[id]",
    "figure": "figure[id]",
    "table": "table[id]",
    "exercise": "div.exercise[id]",
    "citation": "div.citation[id]",
}
# Parts of a target that would be noise, or focusable, inside a tooltip.
DROPPED = "script, style, button, .headerlink, .claim-mark, .toggle-details__summary"
_INTERNAL_LINK = re.compile(r'<a class="reference internal" href="([^"]*#[^"]+)"([^>]*)>')
_TITLE = re.compile(r'\s+title="[^"]*"')


def _rebase(src: str, target_page: str, page: str) -> str:
    """A relative `src` written for `target_page`, rewritten for `page` (both site paths)."""
    if not src or re.match(r"^[a-z][a-z0-9+.-]*:|^/|^#", src):
        return src
    absolute = posixpath.normpath(posixpath.join(posixpath.dirname(target_page), src))
    return posixpath.relpath(absolute, posixpath.dirname(page) or ".")


def _preview_html(element, target_page: str, page: str) -> str:
    """A copy of `element` fit for a tooltip on `page`: inert, without ids or links."""
    copy = BeautifulSoup(str(element), "html.parser")
    for tag in copy.select(DROPPED):
        tag.decompose()
    for tag in copy.find_all(True):
        for attr in ("id", "tabindex", "aria-describedby", "aria-labelledby", "title", "role"):
            tag.attrs.pop(attr, None)
        if tag.name == "a":
            tag.name = "span"
            tag.attrs = {"class": tag.get("class", [])} if tag.get("class") else {}
        if tag.name == "img":
            tag["src"] = _rebase(tag.get("src", ""), target_page, page)
            tag.attrs.pop("srcset", None)
            tag["loading"] = "lazy"
    return str(copy)


# A start tag that may open a target (with an id; a div of one of the targets'
# classes); the selectors then decide (`page_targets`).
_START_TAG = re.compile(
    r"<(figure|table)\b[^>]*\sid=[^>]*>"
    r"|<(div)\b(?=[^>]*\sid=)(?=[^>]*\sclass=\"(?:[^\"]*\s)?(?:math|exercise|citation)[\s\"])[^>]*>"
)


def _fragments(text: str) -> list[str]:
    """The HTML of each element of the page's main part that may be a target, in order.

    Parsing a whole page costs about a second; its targets are a small part
    of it, and each parses alone into the same element.
    """
    blanked = masked(text)
    start, end = main_span(blanked) or (0, len(text))
    return [
        text[match.start() : element_end(blanked, match.group(1) or match.group(2), match.start())]
        for match in _START_TAG.finditer(blanked, start, end)
    ]


def page_targets(text: str) -> list[list[str]]:
    """[id, kind, HTML] of every target of a preview on the built page `text`."""
    elements = [BeautifulSoup(fragment, "html.parser").find(True) for fragment in _fragments(text)]
    found = []
    for kind, selector in TARGETS.items():
        for element in elements:
            if not element.css.match(selector):
                continue
            if kind == "equation" and element.find(class_="eqno") is None:
                continue  # an unnumbered display: nothing refers to it by number
            found.append([element["id"], kind, str(element)])
    return found


def collect_targets(pages: dict[str, str], targets_of=page_targets) -> dict:
    """(page, id) -> (kind, HTML) for every target of a preview on the site."""
    return {
        (page, id_): (kind, element)
        for page, text in pages.items()
        for id_, kind, element in targets_of(text)
    }


_OLD_TEMPLATE = re.compile(r'<template id="ref-preview-\d+"[^>]*>.*?</template>\n', re.S)
_OLD_MARK = re.compile(r' data-ref-preview="ref-preview-\d+" data-ref-kind="[^"]*"')


def strip_previews(text: str) -> str:
    """`text` without the previews of an earlier build.

    An incremental build leaves unchanged pages as they were written, previews
    included; their targets may have changed since, so every page is redone.
    """
    return _OLD_MARK.sub("", _OLD_TEMPLATE.sub("", text))


def add_previews(page: str, text: str, targets: dict, preview_html=None) -> str:
    """`text` (the HTML of `page`) with a preview for each internal reference to a target."""
    text = strip_previews(text)
    templates: dict[tuple[str, str], str] = {}  # target -> template id, in order of use

    def link(match: re.Match) -> str:
        href, rest = match.group(1), match.group(2)
        path, _, fragment = href.partition("#")
        target_page = (
            posixpath.normpath(posixpath.join(posixpath.dirname(page), path)) if path else page
        )
        key = (target_page, fragment)
        if key not in targets or "data-ref-preview" in rest:
            return match.group(0)
        template_id = templates.setdefault(key, f"ref-preview-{len(templates) + 1}")
        kind = targets[key][0]
        # The popover replaces the browser's title tooltip (a citation's full entry).
        rest = _TITLE.sub("", rest)
        return (
            f'<a class="reference internal" href="{html.escape(href)}"{rest} '
            f'data-ref-preview="{template_id}" data-ref-kind="{kind}">'
        )

    text = _INTERNAL_LINK.sub(link, text)
    if not templates:
        return text
    blocks = "".join(
        f'<template id="{template_id}" data-ref-kind="{targets[key][0]}">'
        f"{(preview_html or _preview_html)(targets[key][1], key[0], page)}</template>\n"
        for key, template_id in templates.items()
    )
    at = text.rfind("</body>")
    return text[:at] + blocks + text[at:]


def _write_previews(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    files = built_pages(app)
    pages = {uri: path.read_text(encoding="utf-8") for uri, path in files.items()}
    # Only pages that changed since the last build are parsed (built_pages.py).
    memo = PageMemo(Path(app.doctreedir) / "ref_previews.json", [Path(__file__)], page_targets)
    targets = collect_targets(pages, memo)
    # Every page gets its previews again (a target may have changed); each
    # preview's HTML is kept between builds, keyed by the target and the page.
    previews = PageMemo(
        Path(app.doctreedir) / "ref_previews_html.json",
        [Path(__file__)],
        lambda key: _preview_html(*key.split("\0", 2)),
    )

    def preview_html(element: str, target_page: str, page: str) -> str:
        return previews(f"{element}\0{target_page}\0{page}")

    for uri, text in pages.items():
        new = add_previews(uri, text, targets, preview_html)
        if new != text:
            files[uri].write_text(new, encoding="utf-8")
    previews.save()
    app.gaussml_ref_previews_memo = (memo, pages)  # saved by save_memo_last


def setup(app):
    app.connect("config-inited", add_static_path)
    # Before search_snippets (priority 500) reads the pages: it drops templates.
    app.connect("build-finished", _write_previews, priority=400)
    save_memo_last(app, "gaussml_ref_previews_memo")
    app.add_css_file("ref_previews.css")
    app.add_js_file("ref_previews.js", defer="defer")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
