"""Every internal link, image and #anchor of the built site resolves.

Reads every HTML page of the site (not only those reachable from the index,
leaving out `_static/` and `_sources/`) and checks each URL it refers to in
the attributes a browser follows or loads (`href`, `src`, `srcset`, `poster`,
`data`, a `<meta http-equiv="refresh">` target): the file it names must exist
in the site, and its `#fragment`, if any, must be an `id` (or `<a name>`) of
that page. URLs with a scheme or a host (other sites, `mailto:`, `data:`) are
not fetched: the site must work offline, and the browser test fails on any
request that leaves the site. Exits 1 on any broken link, listing each with
its page and line.

Files are read directly, each page parsed once (a local site needs no HTTP
server: LinkChecker over one took minutes for what this does in a second).

Usage: python -m bookkit.check_links [SITE_DIR]   (default: _build/html)
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

SKIPPED_FOLDERS = {"_static", "_sources"}
URL_ATTRIBUTES = {"href", "src", "poster", "data", "action", "formaction", "cite", "background"}


@dataclass
class Page:
    """What the link check needs from one HTML page: its links and its anchors."""

    links: list[tuple[int, str, str]] = field(default_factory=list)  # (line, tag, url)
    anchors: set[str] = field(default_factory=set)


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()

    def handle_starttag(self, tag, attrs):
        line = self.getpos()[0]
        attrs = dict(attrs)
        if attrs.get("id"):
            self.page.anchors.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.page.anchors.add(attrs["name"])
        urls = [attrs[name] for name in URL_ATTRIBUTES if attrs.get(name)]
        if attrs.get("srcset"):  # "url 2x, url 640w": the URL is each candidate's first word
            urls += [c.split()[0] for c in attrs["srcset"].split(",") if c.strip()]
        if tag == "meta" and (attrs.get("http-equiv") or "").lower() == "refresh":
            _, _, target = (attrs.get("content") or "").partition("=")
            urls.append(target.strip().strip("'\""))
        self.page.links += [(line, tag, url.strip()) for url in urls if url.strip()]

    handle_startendtag = handle_starttag


def parse_page(path: Path) -> Page:
    parser = _PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser.page


def site_pages(site: Path) -> list[Path]:
    """Every HTML page of the site, outside `_static/` and `_sources/`."""
    return sorted(
        p for p in site.rglob("*.html") if not SKIPPED_FOLDERS & set(p.relative_to(site).parts)
    )


def resolve(site: Path, page: Path, url: str) -> tuple[Path | None, str] | None:
    """The file and the decoded fragment an internal `url` of `page` names.

    None for an external URL (a scheme or a host); (None, reason) for a path
    that leaves the site. A path starting with "/" starts at the site's root.
    """
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return None
    fragment = unquote(parts.fragment)
    if not parts.path:
        return page, fragment
    path = unquote(parts.path)
    base = "" if path.startswith("/") else page.parent.relative_to(site).as_posix()
    names: list[str] = []
    for name in PurePosixPath(base, path.lstrip("/")).parts:
        if name == "..":
            if not names:
                return None, "leaves the site"
            names.pop()
        elif name not in ("", "."):
            names.append(name)
    target = site.joinpath(*names)
    if target.is_dir():
        target = target / "index.html"
    return target, fragment


def broken_links(site: Path) -> tuple[list[str], int, int]:
    """(one line per broken link, number of links checked, number of pages)."""
    site = site.resolve()
    parsed: dict[Path, Page] = {}

    def page_of(path: Path) -> Page:
        if path not in parsed:
            parsed[path] = parse_page(path)
        return parsed[path]

    problems: list[str] = []
    checked = 0
    pages = site_pages(site)
    for page in pages:
        for line, tag, url in page_of(page).links:
            resolved = resolve(site, page, url)
            if resolved is None:
                continue
            checked += 1
            target, fragment = resolved
            where = f"{page.relative_to(site).as_posix()}:{line}: <{tag}> {url!r}"
            if target is None:
                problems.append(f"{where}: {fragment}")
            elif not target.is_file():
                problems.append(f"{where}: no file {target.relative_to(site).as_posix()}")
            elif fragment and target.suffix == ".html" and fragment not in page_of(target).anchors:
                name = target.relative_to(site).as_posix()
                problems.append(f"{where}: no anchor #{fragment} in {name}")
    return problems, checked, len(pages)


def main(argv: list[str]) -> int:
    site = Path(argv[0] if argv else "_build/html").resolve()
    if not (site / "index.html").is_file():
        print(f"no built site in {site}: run 'make book' first", file=sys.stderr)
        return 2
    problems, checked, pages = broken_links(site)
    for problem in problems:
        print(problem)
    print(f"{checked} internal links in {pages} pages of {site}: {len(problems)} broken")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
