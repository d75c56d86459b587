"""The numbered equations the book displays: label -> the LaTeX on its page.

The one reader of displayed equations in the MyST sources. `python -m
bookkit.verify`, the Sphinx extensions (`bookkit.sphinx.claim_results`), the
mutation gate and the tests find each display here and hand its LaTeX to
`gaussml.derivations` (`_results.check`, `_binding.check_display`), which
holds the claims and the bindings and never reads the book.
"""

from __future__ import annotations

import re
from pathlib import Path

BOOK = Path(__file__).resolve().parents[2] / "book"

_DISPLAY = re.compile(
    r"^\$\$[ \t]*\n((?:(?!\$\$).)*?)\n\$\$[ \t]*\(([A-Za-z0-9_:.-]+)\)[ \t]*$", re.M | re.S
)
_DIRECTIVE = re.compile(r"^```\{math\}[ \t]*\n((?::[a-z]+:.*\n)*)\n?(.*?)\n```", re.M | re.S)


def displayed_equations(text: str) -> dict[str, str]:
    """Every numbered equation of a MyST page, label -> the displayed LaTeX."""
    found = {label: tex for tex, label in _DISPLAY.findall(text)}
    for options, tex in _DIRECTIVE.findall(text):
        label = re.search(r":label:\s*(\S+)", options)
        if label:
            found[label.group(1)] = tex
    return found


def book_equations(book: Path = BOOK) -> dict[str, tuple[Path, str]]:
    """Every numbered equation under `book`, label -> (page, displayed LaTeX)."""
    out: dict[str, tuple[Path, str]] = {}
    for page in sorted(book.rglob("*.md")):
        for label, tex in displayed_equations(page.read_text(encoding="utf-8")).items():
            out[label] = (page, tex)
    return out
