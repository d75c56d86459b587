"""Sphinx extension: lighter pages, with the same look (issue 31, light pages).

When the HTML build finishes:

- The icon font. The theme's stylesheets draw a few icons with Font
  Awesome's solid font (`fa-solid-900.woff2`, 156 kB, about 1,400 glyphs): the
  admonition marks, the external-link arrow, the breadcrumb divider. The font
  is cut (from the theme's TrueType copy) to the glyphs the stylesheets and
  pages can show (`icon_codepoints`) and saved as WOFF (a few kB; WOFF2 needs
  brotli); the stylesheet's `@font-face` points at it.
- Search scripts only where they are used. The theme loads Sphinx's search
  (`searchtools.js`, `language_data.js` and the whole `searchindex.js`) on
  every page for a search-as-you-type box that this site does not enable
  (`search_as_you_type` is off: the search field leads to `search.html`).
  Every page but the search page drops those three scripts.
- Stylesheets. The theme's stylesheets hold all of Bootstrap and every Font
  Awesome class (0.4 MB, most of a page's CSS). A rule is kept for the
  selectors whose every class name occurs in some page or script of the site
  (`unused_rules_removed`): a selector with a class that is nowhere cannot match.
- Figures. Matplotlib writes SVG coordinates to six decimals, indented, with a
  comment per text; `compact_svg` keeps two decimals (1/100 pt), which is far
  below a screen pixel, and drops the indentation and comments.
- Scripts of features a page does not hold: sphinx-design's tabs, sphinx-thebe's
  live code (the site has no launch button).
- Code. Pygments wraps every name and punctuation mark of a code cell in a
  `<span>` whose colour is the code block's own colour in both modes; those
  spans (a third of a chapter's HTML) are unwrapped (`plain_token_classes`).
- The theme's `styles/theme.css` only imports Sphinx's `basic.css`, which the
  browser would ask for once theme.css has arrived: the page preloads it
  (`basic_css_preloaded`), so both come at once.
- Images load as the reader nears them (`loading="lazy"`): the figures of a
  chapter, each a document the browser parses on the page's main thread, no
  longer hold up its load event and its first formulas.

The MathJax components and the icon script are cut in `site_layout.py`;
dense scatters and bands are drawn as images in the figures' SVG
(`gaussml.plotting.LightSVGCanvas`).

Enable it in _config.yml with `sphinx: extra_extensions: [bookkit.sphinx.light_pages]`.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from pathlib import Path

from .site_layout import icons_used

# Class names that scripts build at run time (Bootstrap's `bs-tooltip-` + placement).
BUILT_AT_RUN_TIME = ("bs-",)
SOLID_FONT = "vendor/fontawesome/webfonts/fa-solid-900"  # under _static, without extension
_SOLID_SRC = re.compile(
    r"src:url\((?P<dir>[^)]*?)fa-solid-900\.woff2\) format\(\"woff2\"\),"
    r"url\([^)]*?fa-solid-900\.ttf\) format\(\"truetype\"\)"
)
# A Font Awesome class's glyph, e.g. `.fa-magnifying-glass:before,.fa-search:before{content:"\f002"}`.
_ICON_RULE = re.compile(
    r"(?P<selectors>(?:\.fa-[a-z0-9-]+:before,?)+)\{content:\"(?P<glyph>[^\"]*)\"\}"
)
_ICON_NAME = re.compile(r"\.fa-([a-z0-9-]+):before")
_ESCAPE = re.compile(r"\\([0-9a-fA-F]{4,6})")
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
_SEARCH_SCRIPT = re.compile(
    r"\n?[ \t]*<script src=\"[^\"]*?(?:_static/searchtools\.js|_static/language_data\.js"
    r"|searchindex\.js)\"></script>"
)
# (what a page holds when it needs the script, the script's file)
_IDLE_SCRIPTS = (
    ("sd-tab-set", r"_static/design-tabs\.js"),
    ("thebe-launch-button", r"_static/sphinx-thebe\.js"),
)
_THEME_CSS = re.compile(
    r'<link href="(?P<root>[^"]*?)_static/styles/theme\.css[^"]*" rel="stylesheet" />'
)
_EAGER_IMG = re.compile(r"<img (?![^>]*\bloading=)")
_PYGMENTS_RULE = re.compile(
    r"(?:html\[data-theme=\"(?P<mode>[a-z]+)\"\] )?\.highlight(?: \.(?P<cls>[a-z0-9]+))? "
    r"\{ (?P<body>[^}]*?) \}"
)


def _glyphs(text: str) -> set[int]:
    escaped = {int(code, 16) for code in _ESCAPE.findall(text)}
    return {c for c in escaped if 0xE000 <= c <= 0xF8FF} | {
        ord(c) for c in _PRIVATE_USE.findall(text)
    }


def icon_codepoints(css: str, used_names: set[str]) -> set[int]:
    """The icon glyphs a stylesheet can show: every glyph it names outside the
    per-icon classes of Font Awesome, and those classes' glyphs for `used_names`."""
    used = set()

    def icon_rule(match: re.Match) -> str:
        names = set(_ICON_NAME.findall(match.group("selectors")))
        if names & used_names:
            used.update(_glyphs(match.group("glyph")))
        return ""

    rest = _ICON_RULE.sub(icon_rule, css)
    return used | _glyphs(rest)


def subset_font(font_bytes: bytes, codepoints: set[int]) -> bytes:
    """The font cut to `codepoints`, as WOFF."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(font_bytes), recalcTimestamp=False)  # the same bytes each build
    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(codepoints))
    subsetter.subset(font)
    out = io.BytesIO()
    font.flavor = "woff"
    font.save(out)
    return out.getvalue()


def without_search_scripts(html: str) -> str:
    """The page without the theme's search scripts (the search page keeps its own)."""
    return _SEARCH_SCRIPT.sub("", html)


def without_idle_scripts(html: str) -> str:
    """The page without the scripts of features it does not hold: the tabs of
    sphinx-design (no tab set) and the live code of sphinx-thebe (no launch button)."""
    for feature, script in _IDLE_SCRIPTS:
        if feature not in html:
            html = re.sub(rf'\n?[ \t]*<script[^>]*src="[^"]*?{script}[^"]*"></script>', "", html)
    return html


def basic_css_preloaded(html: str) -> str:
    """The page with the `basic.css` that the theme's `theme.css` imports preloaded before it."""
    if "basic.css" in html:
        return html
    return _THEME_CSS.sub(
        lambda m: (
            f'<link rel="preload" as="style" href="{m.group("root")}_static/basic.css" />\n'
            + m.group(0)
        ),
        html,
        count=1,
    )


def lazy_images(html: str) -> str:
    """The page with every image that does not say how it loads loaded lazily."""
    return _EAGER_IMG.sub('<img loading="lazy" ', html)


def plain_token_classes(pygments_css: str) -> set[str]:
    """The Pygments token classes styled with nothing but the code block's colour, in every mode."""
    base: dict[str | None, str] = {}
    styles: dict[str, dict[str | None, str]] = {}
    for match in _PYGMENTS_RULE.finditer(pygments_css):
        mode, cls, body = match.group("mode"), match.group("cls"), match.group("body").strip()
        if cls is None:
            color = re.search(r"(?:^|; )color: (#[0-9A-Fa-f]+)", body)
            if color:
                base[mode] = color.group(1).lower()
        else:
            styles.setdefault(cls, {})[mode] = body.rstrip(";").lower()
    plain = set()
    for cls, by_mode in styles.items():
        if base and set(by_mode) == set(base):
            if all(by_mode[mode] == f"color: {base[mode]}" for mode in base):
                plain.add(cls)
    return plain


def unwrap_tokens(html: str, classes: set[str]) -> str:
    """`html` with the code spans of `classes` replaced by their text."""
    if not classes:
        return html
    names = "|".join(sorted(map(re.escape, classes)))
    return re.sub(rf'<span class="(?:{names})">([^<]*)</span>', r"\1", html)


_RULE = re.compile(r"(?P<selectors>[^{}@;]+)\{(?P<body>[^{}]*)\}")
_CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
_NEGATION = re.compile(r":not\([^()]*\)")
_NAME_RUN = re.compile(r"[\w-]+")
_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_QUOTED = re.compile(r"\"[^\"]*\"|'[^']*'")


def _top_level_split(selectors: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, char in enumerate(selectors):
        depth += {"(": 1, ")": -1, "[": 1, "]": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(selectors[start:i])
            start = i + 1
    return [*parts, selectors[start:]]


def unused_rules_removed(css: str, occurs) -> str:
    """`css` without the selectors naming a class for which `occurs(name)` is false.

    Classes inside `:not(...)`, strings and comments do not count (their absence does not stop a match);
    a rule left with no selector goes. `@media` blocks are kept around their rules.
    """

    def rule(match: re.Match) -> str:
        kept = []
        for selector in _top_level_split(match.group("selectors")):
            bare = _NEGATION.sub("", _QUOTED.sub("", _COMMENT.sub("", selector)))
            if all(occurs(name) for name in _CLASS.findall(bare)):
                kept.append(selector)
        return ",".join(kept) + "{" + match.group("body") + "}" if kept else ""

    return _RULE.sub(rule, css)


def _recording(occurs, log: list[str]):
    """`occurs`, noting each name it is asked in `log`."""

    def recorded(name: str) -> bool:
        log.append(name)
        return occurs(name)

    return recorded


def _light_stylesheets(static: Path, texts: list[str], memo: dict) -> dict:
    """Cut the stylesheets; `memo` is the last build's, the return value this one's.

    A cut depends only on the answers of `occurs` to the names it asks: the memo
    keeps, by each stylesheet's hash, the names it asked, those that occurred and
    the cut; and, by each text's hash, which of all the names asked it holds. A
    build searches only the texts it changed, and cuts again only a stylesheet
    whose answers changed.
    """
    universe = memo.get("universe", [])
    by_text = memo.get("texts", {})
    found: set[str] = set()
    held = {}
    for text in texts:
        key = _digest(text)
        if key not in by_text:
            # A class name can only occur inside a run of name characters: the runs, once each.
            runs = "\n".join(set(_NAME_RUN.findall(text)))
            by_text[key] = [name for name in universe if name in runs]
        held[key] = by_text[key]
        found.update(by_text[key])
    known = set(universe)
    corpus = None
    seen: dict[str, bool] = {}

    def occurs(name: str) -> bool:
        nonlocal corpus
        if name not in seen:
            if name.startswith(BUILT_AT_RUN_TIME) or name in found:
                seen[name] = True
            elif name in known:
                seen[name] = False
            else:  # a name no stylesheet asked last build: every text is searched
                if corpus is None:
                    corpus = "\n".join({run for text in texts for run in _NAME_RUN.findall(text)})
                seen[name] = name in corpus
        return seen[name]

    cuts = {}
    for css in static.rglob("*.css"):
        if "mathjax" in css.parts:
            continue
        text = css.read_text(encoding="utf-8")
        key = _digest(text)
        asked, occurred, light = memo.get("cuts", {}).get(key, ([], None, None))
        if occurred != [name for name in asked if occurs(name)]:
            asked_now: list[str] = []
            light = unused_rules_removed(text, _recording(occurs, asked_now))
            asked = sorted(set(asked_now))
        # Sphinx copies the theme's stylesheets again every build.
        cuts[key] = (asked, [name for name in asked if occurs(name)], light)
        if light != text:
            css.write_text(light, encoding="utf-8")
    now = sorted({name for asked, _, _ in cuts.values() for name in asked})
    # What each text holds, of the names asked: valid next build if those are the same.
    return {"universe": now, "texts": held if now == universe else {}, "cuts": cuts}


_LONG_DECIMAL = re.compile(r"scale\([^)]*\)|(-?\d+\.\d{3,})")
_SVG_COMMENT = re.compile(r"<!--.*?-->", re.S)
_BETWEEN_TAGS = re.compile(r">\s+<")
_LINE_END = re.compile(r" ?\n")
_PATH_DATA = re.compile(r' d="([^"]*)"')
_PATH_TOKEN = re.compile(r"[MLCQZz]|-?\d+(?:\.\d*)?(?:e-?\d+)?")
_PATH_ONLY = re.compile(r"(?:[MLCQZz]|-?\d+(?:\.\d*)?(?:e-?\d+)?|[\s,])*")


def compact_path(d: str) -> str:
    """SVG path data without the spaces around its commands and without a lineto's
    `L` where SVG implies it (after a moveto or another lineto): `M 1 2 L 3 4 L 5 6 z`
    becomes `M1 2 3 4 5 6z`. Data with other commands is returned unchanged."""
    if not _PATH_ONLY.fullmatch(d):
        return d
    out: list[str] = []
    previous = None  # the last command, written or implied
    after_number = False
    for token in _PATH_TOKEN.findall(d):
        if token[0].isalpha():
            if token == "L" and previous in ("M", "L"):
                previous = "L"
                continue
            out.append(token)
            previous, after_number = token, False
        else:
            out.append(f" {token}" if after_number else token)
            after_number = True
    return "".join(out)


def compact_svg(svg: str) -> str:
    """A matplotlib SVG with coordinates to 1/100 unit, without indentation or comments,
    its paths' data written compactly (`compact_path`).

    Coordinates are in points (in 1/10 point inside a glyph), so 1/100 is far
    below a screen pixel; the factors of `scale(...)`, which set the size of
    text, are kept as written.
    """

    def rounded(match: re.Match) -> str:
        if match.group(1) is None:
            return match.group(0)
        return f"{float(match.group(1)):.2f}".rstrip("0").rstrip(".")

    svg = _BETWEEN_TAGS.sub("><", _SVG_COMMENT.sub("", svg))
    svg = _LINE_END.sub(" ", _LONG_DECIMAL.sub(rounded, svg))
    return _PATH_DATA.sub(lambda m: f' d="{compact_path(m.group(1))}"', svg)


def _light_figures(outdir: Path, left: dict[str, str]) -> None:
    for path in (outdir / "_images").glob("*.svg"):
        text = path.read_text(encoding="utf-8")
        if not _changed_since(left, outdir, path, text):
            continue
        light = compact_svg(text)
        left[path.relative_to(outdir).as_posix()] = _digest(light)
        if light != text:
            path.write_text(light, encoding="utf-8")


def _light_font(static: Path, pages: list[str], memo: dict) -> None:
    font = static / f"{SOLID_FONT}.ttf"  # the same glyphs as the WOFF2, readable without brotli
    css_files = [p for p in static.rglob("*.css") if "mathjax" not in p.parts]
    theme_css = static / "styles" / "pydata-sphinx-theme.css"
    if not font.is_file() or not theme_css.is_file():
        return
    scripts = [
        p.read_text(encoding="utf-8") for p in static.rglob("*.js") if "mathjax" not in p.parts
    ]
    used_names = icons_used(pages + scripts)
    codepoints = set()
    for css in css_files:
        codepoints |= icon_codepoints(css.read_text(encoding="utf-8"), used_names)
    woff = static / f"{SOLID_FONT}.woff"
    font_bytes = font.read_bytes()
    # The same glyphs of the same font: the same cut (fontTools is slow to import).
    key = _digest(f"{sorted(codepoints)}" + _digest(font_bytes))
    if not (woff.is_file() and memo.get("font") == [key, _digest(woff.read_bytes())]):
        woff.write_bytes(subset_font(font_bytes, codepoints))
    memo["font"] = [key, _digest(woff.read_bytes())]
    text = theme_css.read_text(encoding="utf-8")
    text = _SOLID_SRC.sub(
        lambda m: f'src:url({m.group("dir")}fa-solid-900.woff) format("woff")', text
    )
    theme_css.write_text(text, encoding="utf-8")


def _imports_basic_css(static: Path) -> bool:
    theme = static / "styles" / "theme.css"
    return theme.is_file() and "../basic.css" in theme.read_text(encoding="utf-8")


def _digest(data: str | bytes) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def _changed_since(left: dict[str, str], outdir: Path, path: Path, text: str) -> bool:
    """Whether `path` is not as this extension left it last build (written again since)."""
    return left.get(path.relative_to(outdir).as_posix()) != _digest(text)


def _read_memo(path: Path, code: str) -> dict:
    """What the last build left (files' digests, light stylesheets, the font), if by this code."""
    try:
        memo = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return memo if isinstance(memo, dict) and memo.get("code") == code else {}


def _light_pages(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    pygments = static / "pygments.css"
    plain = (
        plain_token_classes(pygments.read_text(encoding="utf-8")) if pygments.is_file() else set()
    )
    # A page or figure as this code left it last build is left alone (an incremental
    # build writes only some pages); anything else, written again since, is made light.
    memo_path = Path(app.doctreedir) / "light_pages.json"
    code = _digest(Path(__file__).read_text(encoding="utf-8") + repr(sorted(plain)))
    before = _read_memo(memo_path, code)
    left: dict[str, str] = dict(before.get("files", {}))
    memo = {"code": code, "files": left, "font": before.get("font")}
    texts = []
    outdir = Path(app.outdir)
    preload_basic = _imports_basic_css(static)
    for path in sorted(outdir.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        if not _changed_since(left, outdir, path, text):
            texts.append(text)
            continue
        light = unwrap_tokens(text, plain)
        if path.relative_to(outdir).as_posix() != "search.html":
            light = without_search_scripts(light)
        light = lazy_images(without_idle_scripts(light))
        if preload_basic:
            light = basic_css_preloaded(light)
        if light != text:
            path.write_text(light, encoding="utf-8")
        left[path.relative_to(outdir).as_posix()] = _digest(light)
        texts.append(light)
    _light_figures(outdir, left)
    _light_font(static, texts, memo)  # before the stylesheets lose the unused icons' glyphs
    scripts = [
        p.read_text(encoding="utf-8") for p in static.rglob("*.js") if "mathjax" not in p.parts
    ]
    memo["styles"] = _light_stylesheets(static, texts + scripts, before.get("styles", {}))
    memo_path.parent.mkdir(parents=True, exist_ok=True)
    memo_path.write_text(json.dumps(memo), encoding="utf-8")


def setup(app):
    # After the other extensions have written the pages (ref_previews 400, search_snippets 500).
    app.connect("build-finished", _light_pages, priority=950)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
