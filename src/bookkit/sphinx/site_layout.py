"""Sphinx extension: pages that fit every screen, from a phone to a desktop.

- `src/bookkit/sphinx/static/site_layout.css`: an inline formula that is wider than its
  line scrolls instead of being cut off; on a narrow screen an equation's
  number (and its check mark) sits above the display, which keeps the whole
  width; code cells show 79 columns at the column's width (their font shrinks
  a little where the column is narrower); long API signatures and the index
  wrap instead of making the page scroll sideways; the dark-mode search
  highlight keeps its contrast; one search field, the sidebar's (not a second
  one in the header beside it).
- `src/bookkit/sphinx/static/site_layout.js`: every region that scrolls sideways (a
  display, an inline formula, a code cell, an output, a figure, a table)
  fades out on the side where more of it hides, and takes the keyboard focus
  with a name (`role="region"`, WCAG 2.1.1), also once a solution is opened.
- An inline formula and the punctuation right after it never part at a line
  break (`keep_punctuation_with_math`): a narrow screen would otherwise start a
  line with the formula's full stop or comma.
- Figures on a phone: each figure's `<img>` gets a minimum width at which its
  tick labels are at least `MIN_TICK_PX` CSS pixels tall (read from the SVG);
  on a narrow screen a figure wider than the column scrolls sideways.
- Icons: the theme's `fontawesome.js` (1.5 MB, every icon of Font Awesome)
  is replaced by one that draws only the icons the site's pages and scripts
  name (a few kB), as inline SVG, the same way.
- MathJax: formulas are not Tab stops (the context menu, which would make
  them so, is not loaded); the assistive MathML a screen reader reads stays. MathJax typesets nothing by itself
  (`startup.typeset: false`): `static/math_typeset.js` typesets the
  first screen's formulas first, which ends MathJax's startup, then, once the
  page has loaded, the rest in batches that fit the idle periods (the page
  loads in about a third of the time it took to typeset every formula before
  the load event). A page with math preloads MathJax's components and its
  three fonts that every formula uses (`MATHJAX_PRELOAD`).

Enable it in _config.yml with `sphinx: extra_extensions: [bookkit.sphinx.site_layout]`.
"""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from docutils import nodes

from . import add_static_path
from .built_pages import PageMemo, built_pages

MIN_TICK_PX = 9.5  # CSS px: the smallest tick label a phone shows (9 is the floor tested)
PX_PER_PT = 96 / 72
_TICK_GROUP = re.compile(r"^[xy]tick_\d+$")
_SCALE = re.compile(r"scale\(([0-9.]+)")
_LENGTH = re.compile(r"^([0-9.]+)(pt|px)?$")
_IMG = re.compile(r'<img (?P<attrs>[^>]*?)src="(?P<src>[^"]+\.svg)"(?P<rest>[^>]*)>')
_OLD_STYLE = re.compile(r' style="--gaussml-min-width: [0-9.]+px" />')
# MathJax 3: only the components the site uses, from the site's own copy
# (sphinx-mathjax-offline): the TeX input (its extensions load on demand), the
# CHTML output and its fonts, and the assistive MathML a screen reader reads.
# Without the context menu (`ui/menu`, 0.4 MB) no formula is a Tab stop (and
# MathJax warns of any `menuOptions`, an option of the menu it has not loaded).
MATHJAX_PATH = "mathjax/startup.js"
MATHJAX_LOAD = ["input/tex", "output/chtml", "a11y/assistive-mml"]
# math_typeset.js typesets, the first screen first (it sets the startup's pageReady).
MATHJAX_STARTUP = {"typeset": False}
# The files of the site's MathJax folder those components need; the rest goes.
MATHJAX_KEEP = (
    "startup.js",
    "core.js",
    "input/tex.js",
    "input/tex/extensions/",
    "output/chtml.js",
    "output/chtml/fonts/tex.js",
    "output/chtml/fonts/woff-v2/",
    "a11y/assistive-mml.js",
)

# What a page's MathJax fetches before its first formula shows, fetched with the
# page's stylesheets (`<link rel="preload">`) instead of one after the other once
# the deferred startup.js has run: startup.js loads core.js, then the TeX input,
# the CHTML output and the assistive MathML, then the output's font data; every
# formula is measured with the zero-width font and drawn with the main and math
# italic fonts. (The loader requests these same URLs, so nothing is fetched twice.)
MATHJAX_PRELOAD = (
    ("script", "core.js"),
    ("script", "input/tex.js"),
    ("script", "output/chtml.js"),
    ("script", "a11y/assistive-mml.js"),
    ("script", "output/chtml/fonts/tex.js"),
    ("font", "output/chtml/fonts/woff-v2/MathJax_Zero.woff"),
    ("font", "output/chtml/fonts/woff-v2/MathJax_Main-Regular.woff"),
    ("font", "output/chtml/fonts/woff-v2/MathJax_Math-Italic.woff"),
)


def mathjax_preloads(startup_uri: str) -> str:
    """The `<link rel="preload">` tags of MATHJAX_PRELOAD, for MathJax's startup.js at `startup_uri`."""
    root = startup_uri.rsplit("/", 1)[0]
    tags = []
    for kind, file in MATHJAX_PRELOAD:
        # A font is fetched in CORS mode: its preload must be too, or it is fetched twice.
        extra = ' type="font/woff" crossorigin="anonymous"' if kind == "font" else ""
        tags.append(f'<link rel="preload" as="{kind}"{extra} href="{root}/{file}" />')
    return "\n".join(tags)


def _preload_mathjax(app, pagename, templatename, context, doctree):
    """On a page that loads MathJax, preload what it fetches first (MATHJAX_PRELOAD)."""
    startup = f"_static/{MATHJAX_PATH}"
    scripts = context.get("script_files") or []
    if not any(getattr(js, "filename", js) == startup for js in scripts):
        return
    uri = context["pathto"](startup, resource=True)
    context["metatags"] = context.get("metatags", "") + "\n" + mathjax_preloads(uri)


def svg_ticks(svg: str) -> tuple[float, float] | None:
    """(width in CSS px at natural size, smallest tick label in CSS px) of a matplotlib SVG.

    Matplotlib draws text as paths (`svg.fonttype: path`), each label in a group
    `scale(s -s)` with s = font size / 100 (points); its tick labels sit in the
    groups `xtick_N` and `ytick_N`. None when the SVG has no tick labels.
    """
    try:
        root = ET.fromstring(svg)
    except ET.ParseError:
        return None
    width = _LENGTH.match(root.get("width", ""))
    if width is None:
        return None
    width_px = float(width.group(1)) * (PX_PER_PT if width.group(2) != "px" else 1.0)
    sizes = [
        float(scale.group(1)) * 100 * PX_PER_PT
        for group in root.iter("{http://www.w3.org/2000/svg}g")
        if _TICK_GROUP.match(group.get("id", ""))
        for inner in group.iter("{http://www.w3.org/2000/svg}g")
        if (scale := _SCALE.search(inner.get("transform", "")))
    ]
    if not sizes:
        return None
    return width_px, min(sizes)


def min_width(svg: str, min_tick_px: float = MIN_TICK_PX) -> float | None:
    """The display width (CSS px) under which the SVG's tick labels get smaller than `min_tick_px`."""
    ticks = svg_ticks(svg)
    if ticks is None:
        return None
    width_px, tick_px = ticks
    if tick_px >= min_tick_px:
        return width_px * min_tick_px / tick_px
    return width_px  # labels smaller than the floor even at natural size: never shrink


def with_min_widths(page_file: Path, text: str, widths) -> str:
    """`text` with each SVG figure's minimum width as a CSS variable on its `<img>`."""
    text = _OLD_STYLE.sub(" />", text)

    def img(match: re.Match) -> str:
        width = widths((page_file.parent / match.group("src")).resolve())
        if width is None:
            return match.group(0)
        rest = match.group("rest").rstrip(" /")
        return (
            f'<img {match.group("attrs")}src="{match.group("src")}"{rest}'
            f' style="--gaussml-min-width: {width:.0f}px" />'
        )

    return _IMG.sub(img, text)


def _write_min_widths(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    memo = PageMemo(Path(app.doctreedir) / "site_layout.json", [Path(__file__)], min_width)
    cache: dict[Path, float | None] = {}

    def widths(path: Path):
        if path not in cache:
            cache[path] = memo(path.read_text(encoding="utf-8")) if path.is_file() else None
        return cache[path]

    for path in built_pages(app).values():
        text = path.read_text(encoding="utf-8")
        new = with_min_widths(path, text, widths)
        if new != text:
            path.write_text(new, encoding="utf-8")
    memo.save()


# --- the icons ------------------------------------------------------------------------

_ICON_NAME = re.compile(r"\bfa-([a-z0-9]+(?:-[a-z0-9]+)*)")
# Font Awesome's solid pack: `name: [width, height, [aliases], "unicode", "path"]`.
_SOLID_PACK = re.compile(r'd\("fas",\s*([A-Za-z_$]+)\)')
_ICON = re.compile(
    r'(?:"(?P<quoted>[a-z0-9-]+)"|\b(?P<bare>[a-z][a-z0-9]*)):\[(?P<w>\d+),(?P<h>\d+),'
    r'\[[^\]]*\],"[0-9a-f]+","(?P<path>[^"]+)"\]'
)
ICONS_JS = """/*! Font Awesome Free 6.5.2 by @fontawesome - https://fontawesome.com
 * License - https://fontawesome.com/license/free (Icons: CC BY 4.0, Fonts: SIL OFL 1.1, Code: MIT License)
 * Copyright 2024 Fonticons, Inc.
 * Only the icons this site uses (bookkit.sphinx.site_layout), drawn as inline SVG.
 */
(() => {
  const ICONS = %s;
  const NS = "http://www.w3.org/2000/svg";
  const style = document.createElement("style");
  style.textContent =
    ".svg-inline--fa{display:var(--fa-display,inline-block);height:1em;overflow:visible;" +
    "vertical-align:-.125em}.svg-inline--fa.fa-lg{vertical-align:-.2em}";
  document.head.appendChild(style);
  function draw(root) {
    root.querySelectorAll("i[class*='fa-'], span[class*='fa-']").forEach((el) => {
      const name = Array.from(el.classList).map((c) => c.slice(3)).find((n) => n in ICONS);
      if (!name) return;
      const [width, height, d] = ICONS[name];
      const svg = document.createElementNS(NS, "svg");
      for (const attr of el.attributes) svg.setAttribute(attr.name, attr.value);
      svg.setAttribute("class", `${el.getAttribute("class")} svg-inline--fa`);
      svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
      svg.setAttribute("data-icon", name);
      svg.setAttribute("focusable", "false");
      if (!el.hasAttribute("aria-label") && !el.hasAttribute("title")) {
        svg.setAttribute("aria-hidden", "true");
      }
      const path = document.createElementNS(NS, "path");
      path.setAttribute("fill", "currentColor");
      path.setAttribute("d", d);
      svg.appendChild(path);
      el.replaceWith(svg);
    });
  }
  const start = () => {
    draw(document);
    new MutationObserver((records) => {
      for (const record of records) {
        record.addedNodes.forEach((node) => node.nodeType === 1 && draw(node.parentNode || node));
      }
    }).observe(document.body, { subtree: true, childList: true });
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
"""


def solid_icons(fontawesome_js: str) -> dict[str, list]:
    """name -> [width, height, path] of every icon of Font Awesome's solid pack in the script."""
    pack = _SOLID_PACK.search(fontawesome_js)
    end = pack.start() if pack else len(fontawesome_js)
    start = fontawesome_js.rfind('d("far"', 0, end)  # the regular pack ends there
    icons = {}
    for match in _ICON.finditer(fontawesome_js, max(start, 0), end):
        name = match.group("quoted") or match.group("bare")
        icons.setdefault(name, [int(match.group("w")), int(match.group("h")), match.group("path")])
    return icons


def icons_used(texts) -> set[str]:
    """The Font Awesome names (`fa-name`) that the pages and scripts mention."""
    return {name for text in texts for name in _ICON_NAME.findall(text)}


_BARE_REDIRECT = re.compile(r'\s*<meta http-equiv="Refresh" content="0; url=([^"]+)" />\s*')


def root_redirect(bare: str, title: str, language: str) -> str:
    """The site's root page, which jupyter-book writes as a bare `<meta>` redirect,
    as a whole page: its language, a title, and a link for a browser that does not
    follow the redirect. Any other text is returned unchanged."""
    match = _BARE_REDIRECT.fullmatch(bare)
    if match is None:
        return bare
    url, title = html.escape(match.group(1)), html.escape(title)
    return (
        f'<!DOCTYPE html>\n<html lang="{language}">\n<head>\n<meta charset="utf-8" />\n'
        f"<title>{title}</title>\n"
        f'<meta http-equiv="Refresh" content="0; url={url}" />\n</head>\n'
        f'<body><p><a href="{url}">{title}</a></p></body>\n</html>\n'
    )


def _whole_root_page(app, exception):
    """`build-finished`, after sphinx-external-toc has written the root redirect."""
    index = Path(app.outdir) / "index.html"
    if exception is not None or app.builder.format != "html" or not index.is_file():
        return
    bare = index.read_text(encoding="utf-8")
    whole = root_redirect(
        bare, app.config.html_title or app.config.project, app.config.language or "en"
    )
    if whole != bare:
        index.write_text(whole, encoding="utf-8")


def _light_icons(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    import pydata_sphinx_theme

    theme_js = (
        Path(pydata_sphinx_theme.__file__).parent
        / "theme/pydata_sphinx_theme/static/scripts/fontawesome.js"
    )
    target = Path(app.outdir) / "_static/scripts/fontawesome.js"
    if not theme_js.is_file() or not target.is_file():
        return
    icons = solid_icons(theme_js.read_text(encoding="utf-8"))
    scripts = [
        p.read_text(encoding="utf-8")
        for p in (Path(app.outdir) / "_static").rglob("*.js")
        if p.name != "fontawesome.js" and "mathjax" not in p.parts
    ]
    pages = [p.read_text(encoding="utf-8") for p in built_pages(app).values()]
    used = sorted(icons_used(pages + scripts) & set(icons))
    table = json.dumps({name: icons[name] for name in used}, separators=(",", ":"))
    target.write_text(ICONS_JS % table, encoding="utf-8")
    target.with_name("fontawesome.js.map").unlink(missing_ok=True)


_PUNCTUATION = re.compile(r"^[.,;:!?)\]’”]+")
NOWRAP = "math-and-punctuation"  # site_layout.css: white-space: nowrap


def keep_punctuation_with_math(doctree: nodes.Node) -> int:
    """Put each inline formula and the punctuation that follows it in one `NOWRAP`
    span. Returns how many were wrapped."""
    wrapped = 0
    for math in list(doctree.findall(nodes.math)):
        parent = math.parent
        if NOWRAP in parent.get("classes", ()):
            continue  # wrapped already
        at = parent.index(math)
        after = parent[at + 1] if at + 1 < len(parent) else None
        found = _PUNCTUATION.match(after) if isinstance(after, nodes.Text) else None
        if found is None:
            continue
        rest = after[found.end() :]
        span = nodes.inline(classes=[NOWRAP])
        parent.replace(math, span)
        span += [math, nodes.Text(found.group())]
        if rest:
            parent.replace(after, nodes.Text(rest))
        else:
            parent.remove(after)
        wrapped += 1
    return wrapped


def _keep_punctuation(app, doctree, docname):
    if app.builder.format == "html":
        keep_punctuation_with_math(doctree)


def _configure(app, config):
    add_static_path(app, config)
    mathjax = dict(config.mathjax3_config or {})
    loader = dict(mathjax.get("loader", {}))
    loader["load"] = MATHJAX_LOAD
    mathjax["loader"] = loader
    mathjax["startup"] = {**mathjax.get("startup", {}), **MATHJAX_STARTUP}
    config.mathjax3_config = mathjax
    config.mathjax_path = MATHJAX_PATH
    # One search field: the sidebar's. pydata-sphinx-theme's default `navbar_persistent`
    # would put a second one in the header, right beside it at desktop width (phones
    # keep the article header's search button and the sidebar's field in its drawer).
    config.html_theme_options = {"navbar_persistent": [], **config.html_theme_options}


def _prune_mathjax(app, exception):
    """Keep in the site's MathJax folder only the files of the components it loads."""
    if exception is not None or app.builder.format != "html":
        return
    folder = Path(app.outdir) / "_static" / "mathjax"
    if not (folder / "startup.js").is_file():
        return
    for path in sorted(folder.rglob("*"), reverse=True):
        relative = path.relative_to(folder).as_posix()
        if path.is_file() and not relative.startswith(MATHJAX_KEEP):
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def setup(app):
    app.connect("config-inited", _configure)
    # After sphinx.ext.mathjax (priority 500) has added MathJax to the pages with math.
    app.connect("html-page-context", _preload_mathjax, priority=600)
    app.connect("doctree-resolved", _keep_punctuation)
    # Before ref_previews (400) copies figures into previews.
    app.connect("build-finished", _write_min_widths, priority=300)
    app.connect("build-finished", _light_icons, priority=900)
    # After sphinx-external-toc writes the root redirect (500).
    app.connect("build-finished", _whole_root_page, priority=800)
    # After sphinx-mathjax-offline (priority 500) has copied the whole of MathJax.
    app.connect("build-finished", _prune_mathjax, priority=900)
    app.add_css_file("site_layout.css")
    app.add_js_file("site_layout.js", defer="defer")
    # Before MathJax's startup.js (a page's MathJax comes at priority 500), so that
    # it sets the startup's pageReady; it also works when it runs after it.
    app.add_js_file("math_typeset.js", defer="defer", priority=450)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
