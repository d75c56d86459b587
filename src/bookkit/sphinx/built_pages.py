"""The built HTML pages, and a memo of what an extension computes from each.

`ref_previews` and `search_snippets` read every built page when the HTML build
finishes: an incremental build leaves unchanged pages as they were, but what
those pages hold (their targets, their text) is still needed. Parsing each
page costs about a second; `PageMemo` keeps the result of a pure function of a
page's text between builds, keyed by the text's hash and by the source of the
code that computes it, so only pages that changed are parsed again.

Later extensions (`light_pages`, priority 950) rewrite every page after the
memo has read it, so the text the next build reads is not the text that was
computed from. `PageMemo.settle`, called once the last extension has written,
files each page's result under the page's final text: a page that Sphinx does
not write again is then recognised, and one that it writes is computed from
what Sphinx wrote, as in a build from scratch.

This module is a helper of the two extensions, not an extension itself.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path

# Content in which a tag is text, not markup: blanked before tags are counted.
_OPAQUE = re.compile(r"<script\b.*?</script>|<style\b.*?</style>|<!--.*?-->", re.S)
_MAIN_TAG = re.compile(r"<([a-z]+)\b[^>]*\srole=\"main\"[^>]*>")


def masked(text: str) -> str:
    """`text` with scripts, styles and comments blanked (the same length): tags are markup."""
    return _OPAQUE.sub(lambda m: " " * len(m.group(0)), text)


def element_end(masked_text: str, tag: str, start: int) -> int:
    """Where the element whose start tag is at `start` ends (after its end tag)."""
    depth = 0
    for match in re.compile(rf"<(/?){tag}\b[^>]*>").finditer(masked_text, start):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            return match.end()
    return len(masked_text)


def main_span(masked_text: str) -> tuple[int, int] | None:
    """Where the page's main part (the element with `role="main"`) starts and ends."""
    main = _MAIN_TAG.search(masked_text)
    if main is None:
        return None
    return main.start(), element_end(masked_text, main.group(1), main.start())


def built_pages(app) -> dict[str, Path]:
    """Every page of the build that exists on disk: its URI -> its file, in order."""
    outdir = Path(app.outdir)
    pages = {}
    for docname in sorted(app.env.found_docs):
        uri = app.builder.get_target_uri(docname)
        if (outdir / uri).is_file():
            pages[uri] = outdir / uri
    return pages


def save_under_final_texts(app, memo: PageMemo, read: dict[str, str]) -> None:
    """Save `memo`, each page's result filed under its final text (see `PageMemo.settle`)."""
    final = {uri: path.read_text(encoding="utf-8") for uri, path in built_pages(app).items()}
    memo.settle(read, final)
    memo.save()


def save_memo_last(app, attribute: str) -> None:
    """At `build-finished`, after every extension that rewrites the pages (light_pages:
    950), save the memo an extension left in `app.<attribute>` as `(memo, texts read)`
    (`save_under_final_texts`)."""

    def save(app, exception):
        memo, read = getattr(app, attribute, (None, None))
        if exception is None and memo is not None:
            save_under_final_texts(app, memo, read)

    app.connect("build-finished", save, priority=999)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class PageMemo:
    """`compute(text)` for page texts, kept in `path` between builds.

    `compute` must be a pure function of the text and of the code in
    `code_files`: the memo is discarded when any of those files changes.
    `save` keeps only the entries used since the memo was opened; with
    `settle` first, each page's result is kept under its final text.
    """

    def __init__(self, path: Path, code_files: list[Path], compute: Callable[[str], object]):
        self.path = Path(path)
        self.compute = compute
        self.code = _digest(b"".join(Path(f).read_bytes() for f in code_files))
        self.entries: dict[str, object] = {}
        self.used: dict[str, object] = {}
        try:
            stored = json.loads(self.path.read_text(encoding="utf-8"))
            if stored.get("code") == self.code:
                self.entries = stored["entries"]
        except (OSError, ValueError, KeyError, AttributeError):
            pass  # no memo yet, or an unreadable one: compute everything

    def __call__(self, text: str):
        key = _digest(text.encode("utf-8"))
        if key not in self.entries:
            self.entries[key] = self.compute(text)
        self.used[key] = self.entries[key]
        return self.used[key]

    def remember(self, text: str, value) -> None:
        """Record `value` as the result for `text` (known without computing it)."""
        self.used[_digest(text.encode("utf-8"))] = value

    def settle(self, read: dict[str, str], final: dict[str, str]) -> None:
        """File the result for each page's text as `read` under its `final` text (page -> text)."""
        for page, text in final.items():
            if page in read:
                self.remember(text, self(read[page]))

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(
            json.dumps({"code": self.code, "entries": self.used}), encoding="utf-8"
        )
