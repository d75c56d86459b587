"""The built site in a real browser: Debian's Chromium, driven by playwright.

Every HTML page of `_build/html` is served on a local port and loaded in
headless Chromium. A page passes when:

- no request goes to a host other than the local server (Chromium resolves
  no other host, so such a request fails; each is recorded and fails the test);
- no request fails and no response has a status >= 400;
- the console shows no error or warning and no script raises;
- MathJax has typeset every math element (no `mjx-merror`), each with its
  assistive MathML (`mjx-assistive-mml`, what a screen reader reads, made
  offline in the page), and no raw
  `$$`, `\\(` or `\\[` is left in the text outside code blocks (hidden
  solutions included);
- every image has loaded with a non-zero natural width;
- no "Verified by" note is left from before the equations carried marks.

On a chapter page, every numbered equation carries a claim mark (from
`bookkit.sphinx.claim_marks`); inside an exercise it shows only once the
exercise's solution is open (before, it would give the answer away): a
focusable link named "Checked by sympy" whose tip, shown by the site's one
popover (the references' previews') as its tooltip, shows the claim's statement
inside the window when the mark has the keyboard focus, and on a tap on a phone
(a second tap follows the link), with no request to another host.

Every page at 390 px (a phone) and 1280 px, light and dark, with every
solution open: no inline formula is cut off; every region that scrolls
sideways fades on the side where more hides and takes the keyboard focus; a
numbered display keeps the column's width on a phone; code shows 79 columns
at 1280 px; no page scrolls sideways; figures' tick labels are at least 9 CSS
px; no formula is a Tab stop. axe-core runs once per page and mode, with every
solution open and, shown beside it for the run, the text only the closed page
shows (a toggle's "Show ..." label); text it cannot show again is reported. It
also runs on the search results. Each chapter page's weight and load time
(until the load event and the first screen's formulas typeset) are written to
`_build/bench/page-weight.json` (`test_chapter_page_weight` needs no other
test: `-k chapter_page_weight` runs it alone, on a quiet machine).

On chapter 1, the preview of a referenced equation and of a referenced
figure (`bookkit.sphinx.ref_previews`) opens on hover and on keyboard focus,
shows typeset math, keeps axe-core at 0 violations while open, and closes on
Escape.

Each page is loaded once at 1280 px per mode for every check above and once
at 390 px per mode for the layout and the checks of the first list; the claim
marks and the keyboard are checked in light mode (`page_failures`). A
full-page screenshot of a page that fails is saved in `_build/screenshots/`.
The tests skip when the site has not been built or Chromium is missing;
`.ci/run` always runs them after `make book`.

`test_each_check_catches_its_fault` runs the same checks on a small broken
site made on the fly, so that each check is seen to fail.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import http.server
import json
import os
import re
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from built_outputs import SITE, site_pages, unavailable

# SITE: GAUSSML_SITE points the tests at another build (e.g. one made in a temporary copy).
SCREENSHOTS = SITE.parent / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
# Chromium as root in a container, with nothing that phones home.
CHROMIUM_ARGS = [
    *(
        "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-sync "
        "--disable-background-networking --disable-component-update --disable-default-apps "
        "--disable-extensions"
    ).split(),
    # No host resolves but the local server: a request to another host fails in
    # Chromium itself, with no round trip through Python (`watch` records it).
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
# Text that means TeX reached the reader untypeset.
RAW_TEX = r"$$ \( \) \[ \] \begin{ \frac \hat \operatorname \mathcal \top".split()

# CI sets GAUSSML_REQUIRE_BROWSER=1: there a missing browser or site fails instead of skipping.
_unavailable = functools.partial(
    unavailable, required_by="GAUSSML_REQUIRE_BROWSER", allow_module_level=True
)


pytestmark = pytest.mark.browser
if not CHROMIUM.exists():
    _unavailable(f"{CHROMIUM} not found")  # at import: the whole module
try:
    import playwright.sync_api as playwright_api
except ImportError:
    _unavailable("playwright is not installed")
try:
    # axe-core, as shipped inside the package (its axe.min.js): nothing is downloaded.
    from axe_playwright_python.base import AXE_SCRIPT
except ImportError:
    _unavailable("axe-playwright-python is not installed")

# The WCAG 2.0 and 2.1 success criteria of levels A and AA (axe-core's tags).
# No rule is excluded.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
MODES = ("light", "dark")
# The theme (pydata-sphinx-theme) reads the reader's choice from localStorage
# before it draws anything.
_SET_MODE = "localStorage.setItem('mode', '{mode}'); localStorage.setItem('theme', '{mode}');"


# --- serving and browsing --------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@contextlib.contextmanager
def local_server(folder: Path):
    """`folder` served over HTTP on 127.0.0.1 at a free port, in a thread: its origin."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield "http://{}:{}".format(*httpd.server_address[:2])
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class PageReport:
    """What went wrong on one page (empty lists: nothing)."""

    path: str
    foreign_requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    math_problems: list[str] = field(default_factory=list)
    broken_images: list[str] = field(default_factory=list)
    stale_notes: list[str] = field(default_factory=list)
    wrong_mode: list[str] = field(default_factory=list)
    search_fields: list[str] = field(default_factory=list)
    math_count: int = 0
    image_count: int = 0
    redirected_to: str | None = None

    def problems(self) -> list[str]:
        return [
            f"{self.path}: {f.name.replace('_', ' ')}: {item}"
            for f in fields(self)
            if isinstance(getattr(self, f.name), list)
            for item in getattr(self, f.name)
        ]


_WAIT_FOR_MATHJAX = """async () => {
  if (!document.querySelector('script[src*="mathjax"]')) return false;
  const start = Date.now();
  while (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) {
    if (Date.now() - start > 20000) throw new Error('MathJax did not start within 20 s');
    await new Promise(r => setTimeout(r, 50));
  }
  await MathJax.startup.promise;
  // The first screen ends MathJax's startup; the rest follows in idle time
  // (book/_static/math_typeset.js): every check waits for all of it.
  if (window.gaussmlMathTypeset) await window.gaussmlMathTypeset;
  return true;
}"""

_LOAD_IMAGES = """async () => {
  const images = Array.from(document.images);
  for (const img of images) img.loading = 'eager';
  await Promise.all(images.map(img => img.complete ? null :
    new Promise(r => { img.addEventListener('load', r); img.addEventListener('error', r); })));
  return images.map(img => [img.currentSrc || img.src, img.naturalWidth, img.naturalHeight]);
}"""

_MATH_STATE = """() => {
  const maths = Array.from(document.querySelectorAll('.math'));
  return {
    total: maths.length,
    untypeset: maths.filter(m => !m.querySelector('mjx-container'))
                    .map(m => m.textContent.trim().slice(0, 80)),
    containers: document.querySelectorAll('mjx-container').length,
    errors: Array.from(document.querySelectorAll('mjx-merror'))
                 .map(e => (e.getAttribute('data-mjx-error') || e.textContent).slice(0, 80)),
    // What a screen reader reads: MathJax's assistive MathML, made in the page.
    noAssistive: Array.from(document.querySelectorAll('mjx-container'))
                      .filter(c => !c.querySelector('mjx-assistive-mml math'))
                      .map(c => c.textContent.slice(0, 80)),
    // The text a reader sees, hidden solutions included, code blocks excluded
    // (code may legitimately show TeX, e.g. a matplotlib label).
    text: (() => {
      const clone = document.body.cloneNode(true);
      clone.querySelectorAll('pre, code, script, style, template, mjx-container')
           .forEach(e => e.remove());
      return clone.textContent;
    })(),
  };
}"""


def _is_redirect(url: str) -> bool:
    """True for a page that only redirects (`<meta http-equiv="Refresh">`), read from the server."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return b'http-equiv="refresh"' in response.read().lower()
    except urllib.error.URLError:
        return False  # the browser visit reports the failure


def axe_problems(page) -> tuple[int, list[str]]:
    """Run axe-core on the page as it is: the number of violations and one line for each."""
    if not page.evaluate("() => !!window.axe"):
        page.evaluate(AXE_SCRIPT)  # once per page
    violations = page.evaluate("options => axe.run(options).then(r => r.violations)", AXE_OPTIONS)
    lines = []
    for violation in violations:
        targets = ", ".join(" ".join(map(str, n["target"])) for n in violation["nodes"][:3])
        more = len(violation["nodes"]) - 3
        lines.append(
            f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])} elements): "
            f"{violation['help']}: {targets}{f' and {more} more' if more > 0 else ''}"
        )
    return len(violations), lines


def new_page(browser, width: int = 1280, mode: str | None = None):
    """A fresh browser context (its own empty cache) and a page in it, `width` px wide
    (a phone below 600 px), in the theme's `mode` (None: the theme's default)."""
    phone = width < 600
    context = browser.new_context(
        viewport={"width": width, "height": 844 if phone else 900},
        is_mobile=phone,
        has_touch=phone,
    )
    if mode is not None:
        context.add_init_script(_SET_MODE.format(mode=mode))
    return context, context.new_page()


def watch(page, origin: str, report: PageReport):
    """Record on `report` every foreign request (it fails: Chromium resolves no other
    host, see CHROMIUM_ARGS) for as long as the page lives, and every failed request
    and console error or warning of `page`. Returns a function that stops listening
    for failed requests and the console (before axe-core runs)."""
    local = urlsplit(origin).netloc

    def request(r):
        parts = urlsplit(r.url)
        if parts.scheme not in ("data", "blob", "about") and parts.netloc != local:
            report.foreign_requests.append(r.url)

    def failed(request):
        if request.url not in report.foreign_requests:
            report.failed_requests.append(f"{request.url} ({request.failure})")

    def response(resp):
        if resp.status >= 400:
            report.failed_requests.append(f"{resp.url} (HTTP {resp.status})")

    def console(msg):
        if msg.type in ("error", "warning"):
            kind = "" if msg.type == "error" else "(warning) "
            report.console_errors.append(f"{kind}{msg.text} at {msg.location}")

    page.on("request", request)
    page.on("requestfailed", failed)
    page.on("response", response)
    page.on("console", console)
    page.on("pageerror", lambda exc: report.console_errors.append(f"uncaught: {exc}"))

    def stop():
        # axe-core re-fetches the stylesheets to read their rules and resolves an
        # `@import` against the page instead of the stylesheet (a 404 for the
        # theme's `../basic.css`); those requests are axe's, not the page's.
        page.remove_listener("requestfailed", failed)
        page.remove_listener("response", response)
        page.remove_listener("console", console)

    return stop


def load_and_inspect(page, origin: str, path: str, report: PageReport, mode: str | None) -> None:
    """Load `origin/path` in `page` (watched), wait for MathJax and every image,
    and record on `report` what is wrong with its math, images, notes, mode and search fields."""
    url = f"{origin}/{path}"
    page.goto(url, wait_until="load")
    if _is_redirect(url):
        # A redirect page (the site's index.html): check where it lands.
        page.wait_for_url(lambda u: u != url, wait_until="load")
        report.redirected_to = page.url
    has_mathjax = page.evaluate(_WAIT_FOR_MATHJAX)
    # MathJax's first typesetting is done and every image has loaded or
    # failed: no wait for `networkidle` (on a busy machine it timed out).
    images = page.evaluate(_LOAD_IMAGES)
    state = page.evaluate(_MATH_STATE)

    report.math_count = state["total"]
    if state["total"] and not has_mathjax:
        report.math_problems.append(f"{state['total']} math elements but no MathJax script")
    report.math_problems += [f"not typeset: {t!r}" for t in state["untypeset"]]
    report.math_problems += [f"MathJax error: {e!r}" for e in state["errors"]]
    report.math_problems += [f"no assistive MathML: {t!r}" for t in state["noAssistive"]]
    for raw in RAW_TEX:
        at = state["text"].find(raw)
        if at >= 0:
            context_text = state["text"][max(0, at - 40) : at + 40].replace("\n", " ")
            report.math_problems.append(f"raw {raw!r} in the visible text: ...{context_text}...")

    at = state["text"].find("Verified by")
    if at >= 0:
        report.stale_notes.append(state["text"][at : at + 80].replace("\n", " "))

    if mode is not None and page.evaluate(
        "() => !!document.querySelector('.bd-header, .bd-container')"
    ):
        # A page of the theme: it must have drawn itself in the mode asked for.
        shown = page.evaluate("() => document.documentElement.dataset.theme")
        if shown != mode:
            report.wrong_mode.append(f"asked for {mode!r}, the theme shows {shown!r}")
    # One search field (the sidebar's): the theme's header would add a second beside it.
    fields = page.evaluate(
        "() => Array.from(document.querySelectorAll('.search-button-field'))"
        ".filter(e => e.checkVisibility()).length"
    )
    if fields > 1:
        report.search_fields.append(f"{fields} shown, one expected")
    report.image_count = len(images)
    report.broken_images += [f"{src} ({w}x{h})" for src, w, h in images if not w or not h]
    # Figures drawn as inline SVG (none today; glued figures are <img>).
    sizes = page.evaluate(
        "() => Array.from(document.querySelectorAll('figure svg, .cell_output svg'))"
        ".map(s => { const b = s.getBBox(); return [s.id || s.outerHTML.slice(0, 60), b.width, b.height]; })"
    )
    report.broken_images += [f"inline svg {name} ({w}x{h})" for name, w, h in sizes if not w]


_MARKS = """() => Array.from(document.querySelectorAll('div.math')).filter(
  m => m.querySelector('span.eqno')).map(m => {
    const link = m.querySelector('span.eqno .claim-mark a.claim-mark__link');
    const tip = link && document.getElementById(link.dataset.refPreview);
    const statement = tip && tip.content && tip.content.querySelector('.claim-mark__statement');
    return {id: m.id, href: link && link.getAttribute('href'),
            name: link && link.getAttribute('aria-label'),
            title: link && link.getAttribute('title'),
            shown: !!link && link.getClientRects().length > 0,
            inExercise: !!m.closest('div.exercise'),
            tipTag: tip && tip.tagName, statement: statement && statement.textContent.trim()};
})"""
MARK_NAME = "Checked by sympy"


# Playwright's `is_visible`: rendered, not `visibility: hidden`, with an area.
_VISIBLE = """const visible = el => !!el && el.checkVisibility() &&
  getComputedStyle(el).visibility === 'visible' &&
  el.getBoundingClientRect().width > 0 && el.getBoundingClientRect().height > 0;"""
# The site's one popover (ref_previews.js) after Escape on the mark of equation
# `escaped` (its link then loses the focus), and before and once the link of
# equation `next` has the focus: whether it shows, and as that link's tooltip.
_MARK_FOCUS = f"""([escaped, next]) => {{
  {_VISIBLE}
  const link = id => document.getElementById(id).querySelector('a.claim-mark__link');
  const popover = () => document.getElementById('ref-preview-popover');
  const out = {{}};
  if (escaped) {{
    out.afterEscape = visible(popover());
    link(escaped).blur();
  }}
  if (next) {{
    out.before = visible(popover());
    link(next).focus();
    const tip = popover();
    out.focused = visible(tip);
    if (out.focused) {{
      out.described = link(next).getAttribute('aria-describedby') === tip.id &&
        tip.getAttribute('role') === 'tooltip';
      const box = tip.getBoundingClientRect();
      out.box = {{x: box.x, y: box.y, width: box.width, height: box.height}};
      out.text = tip.innerText;
    }}
  }}
  return out;
}}"""


def marks_problems(page, path: str, closed: list[dict]) -> tuple[int, list[str]]:
    """The claim marks of `page`, whose every solution is now open, against `closed`,
    what `_MARKS` saw before it was opened: each shows on a numbered equation (inside
    an exercise, only now), is named MARK_NAME, links to its report row and has its
    tip in a template; the site's popover, hidden until then, shows the statement
    inside the window as the mark's tooltip once the mark has the focus, and closes
    on Escape. Returns the number of equations and the problems."""
    problems: list[str] = []
    closed_by_id = {eq["id"]: eq for eq in closed}
    equations = page.evaluate(_MARKS)
    focused = []  # the equations whose mark is focused, then sent Escape
    for eq in equations:
        where = f"{path}#{eq['id']}"
        if eq["inExercise"] and closed_by_id[eq["id"]]["shown"]:
            # Before the solution is open, a mark would tell that the claim asked for holds.
            problems.append(f"{where}: a claim mark inside an exercise gives the answer away")
            continue
        if eq["name"] is None or not eq["shown"]:
            problems.append(f"{where}: numbered equation without a claim mark")
            continue
        if eq["name"] != MARK_NAME or eq["title"]:
            problems.append(
                f"{where}: the mark's accessible name is {eq['name']!r} (title {eq['title']!r})"
            )
        if eq["tipTag"] != "TEMPLATE" or not eq["statement"]:
            problems.append(f"{where}: the mark has no tip (a {eq['tipTag']!r}, no statement)")
            continue
        if not eq["href"] or "#claim-" not in eq["href"]:
            problems.append(f"{where}: the mark links to {eq['href']!r}, not a report row")
        focused.append((eq, where))
    # One round trip per mark: the last one's Escape checked with the next one's focus.
    previous = None
    for eq, where in [*focused, (None, None)]:
        seen = page.evaluate(_MARK_FOCUS, [previous and previous[0]["id"], eq and eq["id"]])
        if previous and seen["afterEscape"]:
            problems.append(f"{previous[1]}: Escape does not close the tooltip")
        if eq is None:
            break
        if seen["before"]:
            problems.append(f"{where}: the tooltip shows before the mark is focused")
        box = seen.get("box")
        if not seen["focused"]:
            problems.append(f"{where}: focusing the mark does not show its tooltip")
        elif not seen["described"]:
            problems.append(f"{where}: the popover is not the focused mark's tooltip")
        elif box["y"] < 0 or box["y"] + box["height"] > 900 or box["x"] < 0:
            problems.append(f"{where}: the tooltip opens outside the window: {box}")
        if seen["focused"] and eq["statement"][:40] not in " ".join(seen["text"].split()):
            problems.append(f"{where}: the tooltip does not show its statement")
        page.keyboard.press("Escape")
        previous = (eq, where)
    return len(equations), problems


# Everything a reader opens or closes: toggled cells and solutions, the
# download menu and other dropdowns, sphinx-design tabs.
_CONTROLS = (
    "button.toggle-button, details > summary, button.dropdown-toggle, .sd-tab-set > input + label"
)
_CONTROL_STATE = """el => {
  const details = el.closest('details');
  if (el.tagName === 'SUMMARY') return 'open=' + details.open;
  if (el.tagName === 'LABEL') {
    const input = document.getElementById(el.getAttribute('for'));
    return 'checked=' + (input && input.checked);
  }
  return 'expanded=' + el.getAttribute('aria-expanded');
}"""
# From control `start` on: the problems of those the keyboard cannot reach, and
# the next one to press, focused (kept in `window.gaussmlTestControl`), with its state.
_NEXT_CONTROL = f"""start => {{
  {_VISIBLE}
  const controls = document.querySelectorAll('{_CONTROLS}');
  const problems = [];
  for (let i = start; i < controls.length; i++) {{
    const el = controls[i];
    if (!visible(el)) continue;  // e.g. inside a solution that an earlier control closed
    const name = (el.getAttribute('aria-label') || el.textContent || el.tagName).trim().slice(0, 40);
    if (el.tabIndex < 0) {{ problems.push([i, name, ' is not in the tab order']); continue; }}
    el.focus();
    if (el !== document.activeElement) {{ problems.push([i, name, ' does not take the focus']); continue; }}
    const before = ({_CONTROL_STATE})(el);
    if (before.startsWith('checked=true')) continue;  // the tab already shown
    window.gaussmlTestControl = el;
    return {{problems, index: i, name, before}};
  }}
  return {{problems, index: null}};
}}"""


def keyboard_problems(page, path: str) -> tuple[int, list[str]]:
    """Every visible control of the loaded `page` takes the focus and changes state on
    Enter (Space for a tab). Returns the number of controls and the problems found."""
    problems: list[str] = []
    count, start = page.evaluate(f"() => document.querySelectorAll('{_CONTROLS}').length"), 0
    while start < count:
        # The controls from `start` up to the next one to press (focused, in JS).
        seen = page.evaluate(_NEXT_CONTROL, start)
        problems += [
            f"{path}: control {i} ({name!r}){problem}" for i, name, problem in seen["problems"]
        ]
        if seen["index"] is None:
            break
        before = seen["before"]
        page.keyboard.press("Enter" if not before.startswith("checked") else "Space")
        after = page.evaluate(f"() => ({_CONTROL_STATE})(window.gaussmlTestControl)")
        if after == before:
            problems.append(
                f"{path}: control {seen['index']} ({seen['name']!r}): Enter leaves it {before}"
            )
        page.keyboard.press("Escape")
        start = seen["index"] + 1
    return count, problems


_PREVIEW_STATE = """() => {
  const pop = document.getElementById('ref-preview-popover');
  if (!pop || pop.hidden) return null;
  const box = pop.getBoundingClientRect();
  return {
    kind: pop.dataset.refKind, role: pop.getAttribute('role'),
    described: Array.from(document.querySelectorAll('[aria-describedby="' + pop.id + '"]'))
                    .map(e => e.getAttribute('href')),
    math: pop.querySelectorAll('mjx-container').length,
    assistive: pop.querySelectorAll('mjx-container mjx-assistive-mml math').length,
    errors: pop.querySelectorAll('mjx-merror').length,
    images: Array.from(pop.querySelectorAll('img')).map(i => i.naturalWidth),
    text: pop.textContent.replace(/\\s+/g, ' ').trim().slice(0, 120),
    height: box.height, maxHeight: parseFloat(getComputedStyle(pop).maxHeight),
  };
}"""
_POPOVER_STATE = """() => {
  const pop = document.getElementById('ref-preview-popover');
  return pop && {hidden: pop.hidden, typeset: pop.dataset.typeset || null};
}"""
_PREVIEW_TYPESET = """() => {
  const pop = document.getElementById('ref-preview-popover');
  return !!pop && !pop.hidden && pop.dataset.typeset === 'done';
}"""
# The first reference of a kind whose target holds math (a figure: in its caption).
_PREVIEW_LINK_WITH_MATH = """kind => {
  const links = Array.from(document.querySelectorAll(
    'a[data-ref-preview][data-ref-kind="' + kind + '"]'));
  const link = links.find(a => {
    const t = document.getElementById(a.dataset.refPreview);
    return t && t.content.querySelector('.math');
  });
  if (!link) return null;
  link.setAttribute('data-test-preview', kind);
  return link.getAttribute('href');
}"""


def check_previews(browser, origin: str, path: str) -> tuple[dict, list[str]]:
    """Hover and focus a reference to an equation and one to a figure on `origin/path`.

    Each must open its preview, typeset, with assistive MathML, described by
    the link (`aria-describedby`), height-capped, with no axe-core violation
    while open, and close on Escape. Returns what was seen, and the problems.
    """
    problems: list[str] = []
    seen: dict = {}
    report = PageReport(path)
    context, page = new_page(browser)
    stop_listening = watch(page, origin, report)
    try:
        page.goto(f"{origin}/{path}", wait_until="load")
        page.evaluate(_WAIT_FOR_MATHJAX)
        for kind in ("equation", "figure"):
            href = page.evaluate(_PREVIEW_LINK_WITH_MATH, kind)
            if href is None:
                problems.append(f"{path}: no reference to a {kind} (with math) has a preview")
                continue
            link = page.locator(f'[data-test-preview="{kind}"]')
            for how in ("hover", "focus"):
                where = f"{path}: {how} on the reference to {href}"
                if page.evaluate(_PREVIEW_STATE) is not None:
                    problems.append(f"{where}: a preview shows before")
                link.scroll_into_view_if_needed()
                # A pointer may land while the page still moves under it (one CI run in
                # four saw no preview; never alone): it leaves and hovers once more.
                for _attempt in range(2 if how == "hover" else 1):
                    if how == "hover":
                        page.mouse.move(0, 0)
                        link.hover()
                    else:
                        link.focus()
                    try:
                        page.wait_for_function(_PREVIEW_TYPESET, timeout=15_000)
                        break
                    except playwright_api.TimeoutError:
                        seen[(kind, how, "missed")] = page.evaluate(_POPOVER_STATE)
                else:
                    problems.append(
                        f"{where}: no typeset preview within 15 s "
                        f"(popover: {seen[(kind, how, 'missed')]})"
                    )
                    continue
                state = page.evaluate(_PREVIEW_STATE)
                seen[(kind, how)] = state
                if state["kind"] != kind or state["role"] != "tooltip":
                    problems.append(
                        f"{where}: preview of kind {state['kind']!r}, role {state['role']!r}"
                    )
                if state["described"] != [href]:
                    problems.append(f"{where}: aria-describedby on {state['described']}")
                if not state["math"] or state["errors"] or state["assistive"] != state["math"]:
                    problems.append(
                        f"{where}: {state['math']} typeset formulas, {state['errors']} errors, "
                        f"{state['assistive']} with assistive MathML"
                    )
                if kind == "figure" and not (state["images"] and all(state["images"])):
                    problems.append(f"{where}: figure image not loaded: {state['images']}")
                if state["height"] > state["maxHeight"] + 1:
                    problems.append(f"{where}: {state['height']} px high, above its cap")
                if how == "focus" and kind == "figure":
                    stop_listening()  # before axe-core (see `watch`): the last step
                    count, lines = axe_problems(page)
                    seen["axe_violations_open"] = count
                    problems += [
                        f"{where}: axe-core with the preview open: {line}" for line in lines
                    ]
                page.keyboard.press("Escape")
                if page.evaluate(_PREVIEW_STATE) is not None:
                    problems.append(f"{where}: Escape does not close the preview")
                if page.locator("[aria-describedby='ref-preview-popover']").count():
                    problems.append(f"{where}: aria-describedby left after closing")
                if how == "hover":
                    page.mouse.move(0, 0)
                else:
                    link.blur()
                page.wait_for_timeout(400)  # the pointer's leaving settles
    finally:
        context.close()
    return seen, problems + report.problems()


# --- the site ---------------------------------------------------------------------

PAGES = site_pages()


@pytest.fixture(scope="module")
def site_origin():
    if not PAGES:
        _unavailable(f"no built site in {SITE}: run 'make book' first")
    # Screenshots of failing pages only; the folder always exists (`.ci/run` lists it).
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with local_server(SITE) as origin:
        yield origin


def test_site_has_pages():
    if not PAGES:
        _unavailable(f"no built site in {SITE}: run 'make book' first")
    assert "index.html" in PAGES
    assert any(p.startswith("book/chapters/") for p in PAGES), PAGES


def test_a_tap_opens_a_claim_tip(browser, site_origin):
    """On a phone, a tap on the first claim mark opens its tip and stays on the page;
    a second tap follows the link to the claim's row in the report."""
    path = "book/chapters/01_univariate.html"
    if path not in PAGES:
        pytest.skip(f"{path} not built")
    context, page = new_page(browser, WIDTHS["phone"])
    try:
        url = f"{site_origin}/{path}"
        page.goto(url, wait_until="load")
        page.evaluate(_WAIT_FOR_MATHJAX)
        link = page.locator("a.claim-mark__link").first
        link.scroll_into_view_if_needed()
        link.tap()
        page.wait_for_timeout(300)
        assert page.url == url, f"a tap on a mark left the page for {page.url}"
        popover = page.locator("#ref-preview-popover")
        assert popover.is_visible(), "a tap on a mark does not open its tip"
        assert "Checked for" in popover.inner_text(), popover.inner_text()
        link.tap()  # a second tap follows the link, to the report's row
        page.wait_for_url(re.compile(r"verification_report\.html#claim-"), timeout=10_000)
    finally:
        context.close()


def test_previews_of_an_equation_and_a_figure_open_typeset_and_close_on_escape(
    browser, site_origin
):
    path = "book/chapters/01_univariate.html"
    if path not in PAGES:
        pytest.skip(f"{path} not built")
    seen, problems = check_previews(browser, site_origin, path)
    assert not problems, "\n".join(problems)
    assert seen.get("axe_violations_open") == 0
    print(
        f"previews on {path}: "
        + "; ".join(
            f"{k[0]} ({k[1]}): {v['math']} formulas"
            for k, v in seen.items()
            if isinstance(k, tuple)
        )
        + f"; axe-core with a preview open: {seen['axe_violations_open']} violations"
    )


_SEARCH_RESULTS = """async () => {
  const start = Date.now();
  const done = () => /Search finished|did not match/.test(
    (document.querySelector('#search-results .search-summary') || {}).textContent || '');
  const items = () => Array.from(document.querySelectorAll('#search-results ul.search > li'));
  const pending = () => items().filter(li => !li.querySelector(':scope > span, p.context'));
  while (!done() || pending().length) {
    if (Date.now() - start > 30000) break;
    await new Promise(r => setTimeout(r, 100));
  }
  return {finished: done(), results: items().map(li => ({
    href: li.querySelector('a').getAttribute('href'),
    snippet: li.querySelector('p.context') && li.querySelector('p.context').textContent,
    described: !!li.querySelector(':scope > span')}))};
}"""


# Whether the search page's magnifier ends before the text of its query begins.
_ICON_CLEAR = """() => {
  const form = document.querySelector('.bd-search-container form.bd-search');
  const icon = form && form.querySelector('.fa-magnifying-glass');
  const input = form && form.querySelector('input');
  if (!icon || !input) return true;
  const text = input.getBoundingClientRect().left + parseFloat(getComputedStyle(input).paddingLeft);
  return icon.getBoundingClientRect().right <= text + 0.5;
}"""


def search(browser, url: str, query: str) -> tuple[list[dict], list[str]]:
    """The results of the site's search page at `url` for `query`, and the problems seen."""
    report = PageReport(url)
    context, page = new_page(browser)
    watch(page, f"{urlsplit(url).scheme}://{urlsplit(url).netloc}", report)
    try:
        page.goto(f"{url}?q={query}", wait_until="load")
        state = page.evaluate(_SEARCH_RESULTS)
        icon_clear = page.evaluate(_ICON_CLEAR)
    finally:
        context.close()
    problems = report.problems()
    if not icon_clear:
        problems.append("the search form's magnifier covers the query's first letters")
    if not state["finished"]:
        problems.append("the search did not finish within 30 s")
    for result in state["results"]:
        if result["described"]:
            continue  # an API object: Sphinx shows its description, not a snippet
        snippet = (result["snippet"] or "").strip()
        if not snippet:
            problems.append(f"{result['href']}: no snippet")
        problems += [
            f"{result['href']}: raw {raw!r} in the snippet {snippet[:80]!r}"
            for raw in RAW_TEX
            if raw in snippet
        ]
    return state["results"], problems


@pytest.mark.parametrize("where", ["file", "http"])
def test_search_finds_pages_with_snippets_from_disk_and_over_http(browser, site_origin, where):
    url = (SITE / "search.html").as_uri() if where == "file" else f"{site_origin}/search.html"
    results, problems = search(browser, url, "Gaussian")
    assert not problems, "\n".join(problems)
    pages = [r["href"] for r in results if not r["described"]]
    assert any("chapters/01_univariate" in href for href in pages), pages
    print(f"search ({where}): {len(results)} results, {len(pages)} pages with snippets")


@pytest.mark.parametrize(
    ("query", "section"),
    [("chi distribution", "#the-chi-distribution"), ("typical set", "#the-typical-set")],
)
def test_search_ranks_the_matching_section_first_with_a_prose_snippet(
    browser, site_origin, query, section
):
    results, problems = search(browser, f"{site_origin}/search.html", query)
    assert not problems, "\n".join(problems)
    first = next(r for r in results if not r["described"])
    assert first["href"].endswith(section), [r["href"] for r in results[:5]]
    code = ("import ", "from gaussml", "ax.", "plt.", "lVert", "tfrac")
    snippets = [r["snippet"] or "" for r in results if not r["described"]]
    assert not [s for s in snippets if any(c in s for c in code)], snippets


# --- the checks themselves fail on a broken site ----------------------------------------


@pytest.fixture
def broken_origin(tmp_path):
    pages = {
        "clean.html": (
            # No favicon to fetch: Chromium would ask for /favicon.ico (a 404).
            '<html lang="en"><head><title>Clean</title><link rel="icon" href="data:,">'
            "</head><body><main>"
            "<p>Nothing wrong here.</p>"
            "<pre>label = r'$$\\sigma$$'  # TeX inside code is fine</pre></main></body></html>"
        ),
        "inaccessible.html": (
            '<html><body><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
            '<p style="color:#bbb;background:#fff">faint text</p></body></html>'
        ),
        "closed-label.html": (
            '<html lang="en"><head><title>Closed</title><style>'
            "details[open] .show {display: none} details:not([open]) .hide {display: none}"
            " details[open] + .hint {visibility: hidden}</style></head><body><main><details>"
            '<summary><span class="show" style="color:#bbb">Show the answer</span>'
            '<span class="hide">Hide the answer</span></summary><p>42</p></details>'
            '<p class="hint">Tap to see</p></main></body></html>'
        ),
        "clipped-display.html": (
            '<html lang="en"><head><title>Clipped</title></head><body><main>'
            '<div class="math"><mjx-container style="display: block; overflow: auto">'
            "x = 1</mjx-container></div></main></body></html>"
        ),
        "mouse-only.html": (
            '<html><body><button class="dropdown-toggle" aria-expanded="false" tabindex="-1">'
            'Menu</button><button class="dropdown-toggle" aria-expanded="false">Dead</button>'
            "</body></html>"
        ),
        "foreign.html": '<html><body><img src="http://example.invalid/logo.png"></body></html>',
        "missing.html": '<html><body><img src="no-such-image.png"></body></html>',
        "console.html": (
            "<html><body><script>console.error('boom'); console.warn('careful')</script>"
            "</body></html>"
        ),
        "redirect.html": '<meta http-equiv="Refresh" content="0; url=nowhere.html" />',
        "verified.html": "<html><body><p><b>Verified</b> by <code>claim</code>.</p></body></html>",
        "two-search-fields.html": (
            '<html><body><button class="search-button-field">Search</button>'
            '<button class="search-button-field">Search</button></body></html>'
        ),
        "unmarked.html": (
            '<html><body><div class="math" id="equation-a"><span class="eqno">(1.1)</span>'
            "x = 1</div></body></html>"
        ),
        "marked-exercise.html": (
            '<html><body><div class="exercise admonition"><div class="math" id="equation-b">'
            '<span class="eqno"><span class="claim-mark"><a class="claim-mark__link" href="#x" '
            'aria-label="Checked by sympy: b">&#x2713;</a></span>(1.2)</span>y = 2</div></div>'
            "</body></html>"
        ),
        "raw-math.html": (
            '<html><body><p>Untypeset: <span class="math">\\(x^2\\)</span></p>'
            "<p>$$ y = x $$</p></body></html>"
        ),
    }
    for name, html in pages.items():
        (tmp_path / name).write_text(html, encoding="utf-8")
    with local_server(tmp_path) as origin:
        yield origin


# --- every screen: phone and desktop widths (issue 31) ------------------------------

WIDTHS = {"phone": 390, "desktop": 1280}
MIN_TICK_PX = 9  # CSS px: the smallest tick label of a figure, at any width
CODE_COLUMNS = 79  # the chapters' code is formatted to 79 columns (make lint)

# The text the page shows before it is opened (elements with their own text),
# marked with the display they had; once opened, `_REVEAL_CLOSED_TEXT` shows again
# what opening hid (e.g. myst-nb's "Show code cell source") and returns the text it
# could not bring back, and `_HIDE_REVEALED` undoes it.
_MARK_CLOSED_TEXT = """() => {
  if (!document.querySelector('details:not([open]), button.toggle-button')) return;  // none
  const own = el => Array.from(el.childNodes).some(c => c.nodeType === 3 && c.textContent.trim());
  const shown = Array.from(document.querySelectorAll('body *')).filter(el =>
    own(el) && el.getClientRects().length && el.checkVisibility({visibilityProperty: true}));
  const displays = shown.map(el => getComputedStyle(el).display);  // read all, then write
  shown.forEach((el, i) => { el.dataset.closedText = displays[i]; });
}"""
# Reads, then writes, then reads again: a layout for each element shown again would
# cost seconds on a chapter page.
_REVEAL_CLOSED_TEXT = """() => {
  const shown = el => el.getClientRects().length > 0 &&
    el.checkVisibility({visibilityProperty: true});
  const hidden = Array.from(document.querySelectorAll('[data-closed-text]')).filter(el => !shown(el));
  const reveal = hidden.filter(el => getComputedStyle(el).display === 'none');
  reveal.forEach(el => {
    el.style.setProperty('display', el.dataset.closedText, 'important');
    el.dataset.revealed = '';
  });
  return hidden.filter(el => !shown(el)).map(el => el.textContent.trim().slice(0, 60));
}"""
_HIDE_REVEALED = """() => document.querySelectorAll('[data-revealed]').forEach(el => {
  el.style.removeProperty('display');
  delete el.dataset.revealed;
})"""
# Opens every solution, hidden cell and dropdown, so that what they hold is measured too.
# Returns how many it opened.
_OPEN_EVERYTHING = """async () => {
  const details = Array.from(document.querySelectorAll('details:not([open])'));
  details.forEach(d => { d.open = true; });
  const toggles = Array.from(document.querySelectorAll('button.toggle-button')).filter(b =>
    b.getAttribute('aria-expanded') === 'false' ||
    (b.closest('.toggle-hidden') && b.getAttribute('aria-expanded') !== 'true'));
  toggles.forEach(b => b.click());
  if (details.length + toggles.length) await new Promise(r => setTimeout(r, 400));  // settled
  return details.length + toggles.length;
}"""

# What a reader at this width sees of the page's wide content.
_LAYOUT = """() => {
  const article = document.querySelector('.bd-article') || document.body;
  const shown = el => el.getClientRects().length > 0 && el.clientWidth > 0;
  // A formula's own width (its assistive MathML, clipped to nothing, does not count).
  const width = el => {
    const math = el.matches('span.math, mjx-container') && el.querySelector('mjx-math');
    return math ? Math.ceil(math.getBoundingClientRect().width) : el.scrollWidth;
  };
  const overflows = el => width(el) > el.clientWidth + 2;  // a rounding pixel aside
  const scrollable = el => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
  const cue = el => el.scrollLeft > 1 ? true :
    el.classList.contains('scroll-x--right') && getComputedStyle(el).maskImage !== 'none';
  const text = el => (el.textContent || '').replace(/\\s+/g, ' ').trim().slice(0, 60);
  const out = {clipped: [], clippedDisplays: [], noCue: [], notFocusable: [], narrowDisplays: [],
               codeColumns: [],
               figures: [], pageWidth: document.documentElement.scrollWidth,
               viewport: document.documentElement.clientWidth};
  // Inline formulas: wider than their box, they must scroll (not be cut off).
  article.querySelectorAll('span.math').forEach(el => {
    if (!shown(el) || !overflows(el)) return;
    if (!scrollable(el)) out.clipped.push(text(el));
  });
  // A display that fits its box is no scroll container: one would clip the ink drawn
  // past the box's edge (the bar of a superscript's transpose sign at its top).
  article.querySelectorAll('div.math > mjx-container').forEach(el => {
    if (shown(el) && !overflows(el) && getComputedStyle(el).overflowY !== 'visible') {
      out.clippedDisplays.push(text(el));
    }
  });
  // Every region that scrolls sideways shows it and takes the focus.
  const regions = 'div.math > mjx-container, span.math, div.highlight > pre, ' +
                  '.cell_output > .output, figure, .figure-scroll, ' +
                  '.pst-scrollable-table-container';
  article.querySelectorAll(regions).forEach(el => {
    if (!shown(el) || !overflows(el) || !scrollable(el)) return;
    if (!cue(el)) out.noCue.push(el.tagName.toLowerCase() + ': ' + text(el));
    if (el.tabIndex < 0) out.notFocusable.push(el.tagName.toLowerCase() + ': ' + text(el));
  });
  // A numbered display keeps the width of the column on a narrow screen.
  if (out.viewport < 600) {
    article.querySelectorAll('div.math').forEach(m => {
      const c = m.querySelector(':scope > mjx-container');
      if (!c || !shown(c) || !m.querySelector(':scope > .eqno')) return;
      if (c.clientWidth < m.clientWidth - 2) {
        out.narrowDisplays.push(`${m.id}: ${c.clientWidth} of ${m.clientWidth} px`);
      }
    });
  }
  // Code: how many columns each code cell shows (the theme's monospace font).
  article.querySelectorAll('div.highlight > pre').forEach(pre => {
    if (!shown(pre)) return;
    const probe = document.createElement('span');
    probe.textContent = 'x'.repeat(100);
    probe.style.whiteSpace = 'pre';
    pre.appendChild(probe);
    const charWidth = probe.getBoundingClientRect().width / 100;
    probe.remove();
    const style = getComputedStyle(pre);
    const inner = pre.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const longest = Math.max(...pre.textContent.split('\\n').map(l => l.length));
    out.codeColumns.push([text(pre), Math.floor(inner / charWidth + 0.05), longest,
                          parseFloat(style.fontSize)]);
  });
  // Figures: their drawn width, against their natural width.
  article.querySelectorAll('figure img, .cell_output img').forEach(img => {
    if (!shown(img)) return;
    out.figures.push([img.getAttribute('src'), img.getBoundingClientRect().width,
                      img.naturalWidth]);
  });
  return out;
}"""

# Every Tab stop of the page, and how many of them are formulas.
_TAB_STOPS = """() => {
  const all = Array.from(document.querySelectorAll(
    'a[href], button, input, select, textarea, summary, [tabindex]'));
  const stops = all.filter(el => el.tabIndex >= 0 && !el.disabled &&
                                 el.getClientRects().length > 0);
  // A formula that scrolls sideways is a stop as a scrollable region, not as a formula.
  return [stops.length, stops.filter(el => el.closest('mjx-container') &&
                                           !el.closest('.scroll-x')).length];
}"""


def svg_tick_px(svg_file: Path) -> float | None:
    """The smallest tick label of a matplotlib SVG, in CSS px at its natural size."""
    import xml.etree.ElementTree as ET

    root = ET.parse(svg_file).getroot()
    sizes = [
        float(scale.split("scale(")[1].split()[0]) * 100 * 96 / 72
        for group in root.iter("{http://www.w3.org/2000/svg}g")
        if group.get("id", "").startswith(("xtick_", "ytick_"))
        for inner in group.iter("{http://www.w3.org/2000/svg}g")
        if "scale(" in (scale := inner.get("transform", ""))
    ]
    return min(sizes) if sizes else None


def layout_report(
    page, origin: str, path: str, width: int, mode: str, tab_stops: list[int]
) -> tuple[list[str], dict]:
    """What does not fit on the loaded `page`, whose every solution and hidden cell is
    open: a clipped inline formula, a region that scrolls without a cue or cannot take
    the focus, a numbered display that loses width to its number, code that shows
    fewer than 79 columns at desktop width, a page that scrolls sideways, a figure
    whose tick labels are below 9 px. `tab_stops` is what `_TAB_STOPS` counted before
    the page was opened. Returns the problems and what was counted."""
    problems: list[str] = []
    phone = width < 600
    state = page.evaluate(_LAYOUT)
    stops, formula_stops = tab_stops
    where = f"{path} at {width} px ({mode})"
    problems += [f"{where}: inline formula cut off: {t!r}" for t in state["clipped"]]
    problems += [f"{where}: scrolls with no cue: {t!r}" for t in state["noCue"]]
    problems += [f"{where}: scrolls but takes no focus: {t!r}" for t in state["notFocusable"]]
    problems += [f"{where}: display clipped at its box: {t!r}" for t in state["clippedDisplays"]]
    problems += [f"{where}: display narrowed by its number: {t}" for t in state["narrowDisplays"]]
    if state["pageWidth"] > state["viewport"] + 1:
        problems.append(
            f"{where}: the page scrolls sideways ({state['pageWidth']} px "
            f"in a {state['viewport']} px window)"
        )
    narrow_code = [
        (first, columns, longest)
        for first, columns, longest, _ in state["codeColumns"]
        if columns < min(CODE_COLUMNS, longest)
    ]
    if not phone:
        problems += [
            f"{where}: code shows {columns} of {CODE_COLUMNS} columns: {first!r}"
            for first, columns, _ in narrow_code
        ]
    small_figures = []
    for src, drawn, natural in state["figures"]:
        svg = (SITE / urlsplit(f"{origin}/{path}").path.lstrip("/")).parent / src
        tick = svg_tick_px(svg.resolve()) if src.endswith(".svg") and natural else None
        if tick is not None and tick * drawn / natural < MIN_TICK_PX:
            small_figures.append(f"{src.rsplit('/', 1)[-1][:12]} ({tick * drawn / natural:.1f} px)")
    problems += [f"{where}: tick labels below {MIN_TICK_PX} px: {f}" for f in small_figures]
    if formula_stops:
        problems.append(f"{where}: {formula_stops} formulas are Tab stops")
    counts = {
        "clipped inline formulas": len(state["clipped"]),
        "scroll without cue": len(state["noCue"]),
        "scroll without focus": len(state["notFocusable"]),
        "clipped displays": len(state["clippedDisplays"]),
        "displays narrowed by their number": len(state["narrowDisplays"]),
        "code cells under 79 columns": len(narrow_code),
        "page overflow px": max(0, state["pageWidth"] - state["viewport"]),
        "figures with small ticks": len(small_figures),
        "tab stops": stops,
        "formula tab stops": formula_stops,
    }
    return problems, counts


LAYOUT_PAGES = [p for p in PAGES if p.startswith("book/") or p == "genindex.html"]


def failure_message(path: str, width: int, mode: str, failures: dict[str, list[str]]) -> str:
    """Every failure of one page, width and mode, grouped by the check that found it."""
    lines = [f"{path} at {width} px ({mode} mode) fails {len(failures)} check(s):"]
    for check, items in failures.items():
        lines.append(f"- {check}:")
        lines += [f"    {item}" for item in items]
    return "\n".join(lines)


def save_failure_screenshot(page, folder: Path, path: str, width: int, mode: str) -> None:
    """A full-page screenshot of a page that failed, for the reader of the CI log."""
    name = path.removesuffix(".html").replace("/", "__") + f"__{width}px_{mode}.png"
    try:
        # Generous: a long page (the API reference) on a busy machine takes > 30 s.
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / name), full_page=True, timeout=120_000)
    except playwright_api.Error as exc:
        print(f"no screenshot of {path}: {exc}")


def page_failures(
    browser,
    origin: str,
    path: str,
    mode: str,
    width: int = WIDTHS["desktop"],
    *,
    layout: bool,
    chapter: bool,
    screenshots: Path = SCREENSHOTS,
) -> dict[str, list[str]]:
    """Every check of `origin/path` on one load at `width` px in `mode`, in this order:
    requests, console, math, images, stale notes, the theme's mode and the one search field
    (`load_and_inspect`); then, every solution open, with `layout` the layout, at
    desktop width axe-core (once, the closed page's own text shown again for it),
    and on a `chapter` at desktop width in light mode its claim marks and the keyboard
    (each control toggled, so last). A foreign request at any step counts. Returns the
    problems found by each check that found some; on any, a full-page screenshot of
    the page goes to `screenshots`."""
    desktop = width >= 600
    report = PageReport(path)
    failures: dict[str, list[str]] = {}
    context, page = new_page(browser, width, mode)
    try:
        stop_listening = watch(page, origin, report)
        load_and_inspect(page, origin, path, report, mode)
        stop_listening()  # before axe-core (see `watch`)
        landed = report.redirected_to
        if landed is not None and not landed.startswith(f"{origin}/book/"):
            failures["redirect"] = [f"lands on {landed}, outside book/"]
        if chapter:
            # A chapter has numbered equations and figures: make sure the checks saw them.
            failures["content seen"] = [
                f"{what} found"
                for what, missing in (
                    ("no math (is MathJax loaded at all?)", report.math_count == 0),
                    ("no images", report.image_count == 0),
                    ("a blank window (screenshot under 10 kB)", len(page.screenshot()) < 10_000),
                )
                if missing
            ]
        tab_stops = page.evaluate(_TAB_STOPS)
        closed_marks = page.evaluate(_MARKS) if chapter else []
        if desktop:
            page.evaluate(_MARK_CLOSED_TEXT)
        opened = page.evaluate(_OPEN_EVERYTHING)
        if layout:
            failures["layout, solutions open"], counts = layout_report(
                page, origin, path, width, mode, tab_stops
            )
            print(f"layout {path} {width} {mode}: {counts}")
        if desktop:
            # One axe-core run: every solution open, and beside it the text only the
            # closed page shows (a toggle's "Show ..." label), shown again for the run.
            unchecked = page.evaluate(_REVEAL_CLOSED_TEXT) if opened else []
            _, failures["axe-core"] = axe_problems(page)
            failures["axe-core"] += [
                f"shown only with solutions closed, out of axe-core's sight: {text!r}"
                for text in unchecked
            ]
            page.evaluate(_HIDE_REVEALED)
        if chapter and desktop and mode == "light":
            count, failures["claim marks"] = marks_problems(page, path, closed_marks)
            if not count:
                failures["claim marks"].append("no numbered equation found")
            count, failures["keyboard"] = keyboard_problems(page, path)
            if not count:
                failures["keyboard"].append("no toggle or dropdown found")
        # Last: a request to another host at any step above is recorded.
        failures[REQUESTS] = report.problems()
        failures = {check: items for check, items in failures.items() if items}
        if failures:
            save_failure_screenshot(page, screenshots, path, width, mode)
    finally:
        context.close()
    return failures


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("path", PAGES or ["(no site built)"])
def test_page_at_desktop_width(browser, site_origin, path, mode):
    """Every check of the page on one load at 1280 px per mode (`page_failures`);
    the message names the page, width, mode and each check that failed."""
    failures = page_failures(
        browser,
        site_origin,
        path,
        mode,
        layout=path in LAYOUT_PAGES,
        chapter=path.startswith("book/chapters/"),
    )
    assert not failures, failure_message(path, WIDTHS["desktop"], mode, failures)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("path", LAYOUT_PAGES or ["(no site built)"])
def test_page_fits_a_phone(browser, site_origin, path, mode):
    """The layout at 390 px with every solution open, in each mode, and what
    `load_and_inspect` checks (the desktop width is checked by
    `test_page_at_desktop_width`, on the same load as the other checks)."""
    width = WIDTHS["phone"]
    failures = page_failures(browser, site_origin, path, mode, width, layout=True, chapter=False)
    assert not failures, failure_message(path, width, mode, failures)


REQUESTS = "requests, console, math, images, notes, mode, search fields"
# Each broken page, and what each check that must catch it finds: a part of one
# of its lines, or (a list) every line.
BROKEN_PAGES = {
    "foreign.html": [(REQUESTS, "foreign requests: http://example.invalid/logo.png")],
    "missing.html": [
        (REQUESTS, "failed requests: http"),
        (REQUESTS, "no-such-image.png (HTTP 404)"),
        (REQUESTS, "broken images: http"),
        (REQUESTS, "no-such-image.png (0x0)"),
    ],
    "console.html": [
        (REQUESTS, "console errors: boom"),
        (REQUESTS, "console errors: (warning) careful"),
    ],
    "redirect.html": [
        (REQUESTS, "nowhere.html (HTTP 404)"),
        ("redirect", "nowhere.html, outside book/"),
    ],
    "raw-math.html": [
        (REQUESTS, "math problems: 1 math elements but no MathJax script"),
        (REQUESTS, "math problems: not typeset: '\\\\(x^2\\\\)'"),
        (REQUESTS, "math problems: raw '$$'"),
    ],
    "verified.html": [(REQUESTS, "stale notes: Verified by")],
    "two-search-fields.html": [(REQUESTS, "search fields: 2 shown, one expected")],
    "inaccessible.html": [
        ("axe-core", "image-alt"),
        ("axe-core", "color-contrast"),
        ("axe-core", "html-has-lang"),
    ],
    # Text that only the closed page shows: a faint label opening hides, and a hint
    # opening makes invisible (which the one axe-core run cannot see).
    "closed-label.html": [
        ("axe-core", "color-contrast (serious, 1 elements)"),
        ("axe-core", "out of axe-core's sight: 'Tap to see'"),
    ],
    "unmarked.html": [
        ("content seen", "no images found"),
        ("claim marks", ["unmarked.html#equation-a: numbered equation without a claim mark"]),
    ],
    "marked-exercise.html": [
        (
            "claim marks",
            [
                "marked-exercise.html#equation-b: a claim mark inside an exercise gives the answer away"
            ],
        )
    ],
    "clipped-display.html": [("layout, solutions open", "display clipped at its box: 'x = 1'")],
    "mouse-only.html": [
        (
            "keyboard",
            [
                "mouse-only.html: control 0 ('Menu') is not in the tab order",
                "mouse-only.html: control 1 ('Dead'): Enter leaves it expanded=false",
            ],
        )
    ],
}


@pytest.mark.parametrize("path", BROKEN_PAGES)
def test_each_check_catches_its_fault(browser, broken_origin, tmp_path, path):
    """Each check, on the load it shares with the others, reports its fault under its
    name (`BROKEN_PAGES`), and the page is photographed."""
    shots = tmp_path / "screenshots"
    failures = page_failures(
        browser, broken_origin, path, "light", layout=True, chapter=True, screenshots=shots
    )
    message = failure_message(path, WIDTHS["desktop"], "light", failures)
    for check, expected in BROKEN_PAGES[path]:
        found = failures.get(check, [])
        caught = (
            found == expected if isinstance(expected, list) else any(expected in f for f in found)
        )
        assert caught and f"- {check}:" in message, (check, expected, message)
    assert (shots / path.replace(".html", "__1280px_light.png")).stat().st_size > 0


def test_checks_pass_a_clean_page(browser, broken_origin):
    failures = page_failures(
        browser, broken_origin, "clean.html", "light", layout=True, chapter=False
    )
    assert failures == {}


# --- light pages: what a chapter page costs to load (issue 31) -----------------------

PAGE_BYTES_GOAL = 2_000_000  # a chapter page with every asset it loads, uncompressed
PAGE_LOAD_GOAL_S = 1.0  # load event and the first screen's math typeset, over loopback, cold
FIGURE_BYTES_GOAL = 300_000
WEIGHT_REPORT = SITE.parent / "bench" / "page-weight.json"

# The reader's load: from navigation start until both the `load` event has ended and
# every formula on the first screen (1280 x 900) is typeset with its assistive MathML.
# Then, when `whole` (for the weight), the rest of the page's math (typeset in idle
# time) and its fonts.
_LOAD_TIMES = """async (whole) => {
  const nav = performance.getEntriesByType('navigation')[0];
  const firstScreen = Array.from(document.querySelectorAll('.math')).filter(m => {
    const box = m.getBoundingClientRect();
    return box.bottom > 0 && box.top < innerHeight && box.width > 0;
  });
  const typeset = m => !!m.querySelector('mjx-container mjx-assistive-mml math > *');
  let screen = null, all = null;
  if (document.querySelector('script[src*="mathjax"]')) {
    while (!firstScreen.every(typeset)) {
      if (performance.now() > 60000) throw new Error('first screen not typeset within 60 s');
      await new Promise(r => requestAnimationFrame(r));
    }
    screen = performance.now() / 1000;
    while (whole && !(window.MathJax && MathJax.startup && MathJax.startup.promise)) {
      await new Promise(r => setTimeout(r, 50));
    }
    if (whole) {
      await MathJax.startup.promise;
      if (window.gaussmlMathTypeset) await window.gaussmlMathTypeset;
      all = performance.now() / 1000;
    }
  }
  while (!nav.loadEventEnd) await new Promise(r => setTimeout(r, 10));
  return {load: nav.loadEventEnd / 1000, dom: nav.domContentLoadedEventEnd / 1000,
          screen, all, first_screen_formulas: firstScreen.length};
}"""


def asset_kind(path: str) -> str:
    """What a requested file is, for the page-weight report."""
    suffix = Path(path).suffix
    if "/mathjax/" in path:
        return "mathjax fonts" if suffix in {".woff", ".woff2"} else "mathjax scripts"
    kinds = {".html": "html", ".js": "scripts", ".css": "styles", ".svg": "images"}
    kinds |= {".png": "images", ".woff": "fonts", ".woff2": "fonts", ".ttf": "fonts"}
    return kinds.get(suffix, "other")


def bytes_by_kind(sizes: dict[str, int]) -> dict[str, int]:
    kinds: dict[str, int] = {}
    for url, size in sizes.items():
        kind = asset_kind(urlsplit(url).path)
        kinds[kind] = kinds.get(kind, 0) + size
    return dict(sorted(kinds.items()))


def page_weight(browser, origin: str, path: str, runs: int = 3) -> dict:
    """Bytes and requests of `origin/path` with everything it loads (on the first load,
    which waits for all of it), and its load times (the median of `runs` cold loads,
    each in a new browser context)."""
    loads = []
    for run in range(runs):
        whole = run == 0
        sizes: dict[str, int] = {}
        context, page = new_page(browser)

        def response(resp, sizes=sizes):
            # The local server sends every file's length: reading the bodies would slow the load.
            sizes[resp.url] = int(resp.headers.get("content-length") or 0)

        page.on("response", response)
        try:
            page.goto(f"{origin}/{path}", wait_until="load")
            times = page.evaluate(_LOAD_TIMES, whole)
            times["reader"] = max(times["load"], times["screen"] or 0.0)
            if whole:
                page.evaluate(_LOAD_IMAGES)
                page.wait_for_timeout(300)  # late requests (fonts of typeset math)
        finally:
            context.close()
        loads.append((times, dict(sizes)))
    (first, sizes), *_ = loads
    times = sorted((t for t, _ in loads), key=lambda t: t["reader"])[len(loads) // 2]
    largest = sorted(sizes.items(), key=lambda item: -item[1])[:5]
    rounded = {"screen": times["screen"], "all": first["all"]}
    rounded = {k: None if v is None else round(v, 3) for k, v in rounded.items()}
    return {
        "bytes": sum(sizes.values()),
        "requests": len(sizes),
        "load_s": round(times["reader"], 3),
        "load_event_s": round(times["load"], 3),
        "dom_content_loaded_s": round(times["dom"], 3),
        "first_screen_math_s": rounded["screen"],
        "first_screen_formulas": times["first_screen_formulas"],
        "mathjax_done_s": rounded["all"],
        "load_s_runs": sorted(round(t["reader"], 3) for t, _ in loads),
        "largest": [[urlsplit(url).path, size] for url, size in largest],
        "bytes_by_kind": bytes_by_kind(sizes),
    }


def test_figure_weight():
    """Every figure of the site within FIGURE_BYTES_GOAL."""
    figures = {p.name: p.stat().st_size for p in (SITE / "_images").glob("*") if p.is_file()}
    if not figures:
        pytest.skip("no figure built")
    big = {n: s for n, s in figures.items() if s > FIGURE_BYTES_GOAL}
    assert not big, f"figures over {FIGURE_BYTES_GOAL} bytes: {big}"


CHAPTER_PAGES = [p for p in PAGES if p.startswith("book/chapters/")]
_WEIGHTS: dict[str, dict] = {}  # the pages measured in this session, for WEIGHT_REPORT


def _write_weight_report() -> None:
    """Add this worker's pages to WEIGHT_REPORT: pytest-xdist's workers each measure
    some pages and write in turn (a lock), keeping the others' current chapters."""
    figures = {p.name: p.stat().st_size for p in (SITE / "_images").glob("*") if p.is_file()}
    WEIGHT_REPORT.parent.mkdir(parents=True, exist_ok=True)
    with open(WEIGHT_REPORT.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            pages = json.loads(WEIGHT_REPORT.read_text(encoding="utf-8"))["pages"]
        except (OSError, ValueError, KeyError):
            pages = {}
        pages = {p: w for p, w in pages.items() if p in CHAPTER_PAGES} | _WEIGHTS
        report = {
            "goals": {
                "page_bytes": PAGE_BYTES_GOAL,
                "load_s": PAGE_LOAD_GOAL_S,
                "figure_bytes": FIGURE_BYTES_GOAL,
            },
            "pages": dict(sorted(pages.items())),
            "largest_figure": max(figures.items(), key=lambda item: item[1], default=None),
        }
        WEIGHT_REPORT.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


@pytest.mark.parametrize("path", CHAPTER_PAGES or ["(no chapter built)"])
def test_chapter_page_weight(browser, site_origin, path):
    """The chapter page with every asset it loads (images, fonts, MathJax's components
    and fonts, once every formula is typeset) within PAGE_BYTES_GOAL, its bytes counted
    as the server sends them, uncompressed. Its load time is measured, not asserted
    (a time measures the machine as well as the page; speed is the benchmark's): the
    median of three cold loads of the time until the `load` event has ended and every
    formula of the first screen is typeset (`_LOAD_TIMES`). Both go to
    `_build/bench/page-weight.json`, which `make bench` reads into `bench.json` and
    holds against PAGE_BYTES_GOAL and PAGE_LOAD_GOAL_S, with the load average."""
    if path not in CHAPTER_PAGES:
        pytest.skip("no chapter built")
    busy = os.getloadavg()[0]
    weight = page_weight(browser, site_origin, path)
    weight["load_average"] = round(busy, 2)
    _WEIGHTS[path] = weight
    _write_weight_report()
    print(
        f"{path}: {weight['bytes'] / 1e6:.2f} MB in {weight['requests']} requests, "
        f"load {weight['load_s']:.2f} s (runs {weight['load_s_runs']}; load event "
        f"{weight['load_event_s']} s, first screen typeset {weight['first_screen_math_s']} s), "
        f"every formula {weight['mathjax_done_s']} s; load average {busy:.1f}"
    )
    assert weight["bytes"] <= PAGE_BYTES_GOAL, (
        f"{path}: {weight['bytes']} bytes, over {PAGE_BYTES_GOAL}; largest: {weight['largest']}"
    )


@pytest.mark.parametrize("mode", MODES)
def test_axe_on_search_results(browser, site_origin, mode):
    """The highlighted query in the results keeps its contrast in both modes."""
    context, page = new_page(browser, mode=mode)
    try:
        page.goto(f"{site_origin}/search.html?q=Mahalanobis", wait_until="load")
        page.evaluate(_SEARCH_RESULTS)
        count, lines = axe_problems(page)
    finally:
        context.close()
    assert count == 0, "\n".join(lines)
