"""The student handout has every exercise and no solution; the full PDF has both.

Needs the two PDFs (`make pdf`, `make handout`), newer than the book's
sources, and poppler's pdftotext; skipped otherwise. `.ci/run` runs it after
building both.
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from built_outputs import outdated

ROOT = Path(__file__).resolve().parents[1]
BOOK_PDF = ROOT / "_build/latex/gaussml-book.pdf"
HANDOUT_PDF = ROOT / "_build/handout/_build/latex/gaussml-handout.pdf"

_WHY_NOT = (
    outdated(BOOK_PDF, "make pdf")
    or outdated(HANDOUT_PDF, "make handout")
    or (None if shutil.which("pdftotext") else "needs pdftotext (poppler-utils)")
)
pytestmark = pytest.mark.skipif(_WHY_NOT is not None, reason=str(_WHY_NOT))

_SOLUTION = re.compile(r"^```\{solution\}[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
# A solution with a code cell is gated: {solution-start} ... {solution-end}.
_GATED_SOLUTION = re.compile(
    r"^```\{solution-start\}[^\n]*\n(?::[^\n]*\n)*```\n(.*?)^```\{solution-end\}",
    re.MULTILINE | re.DOTALL,
)
_FENCED = re.compile(r"^```.*?^```$", re.MULTILINE | re.DOTALL)  # code: typeset apart
_EXERCISE = re.compile(r"^```\{exercise\}", re.MULTILINE)
_MARKUP = re.compile(
    r"\{[a-z:-]+\}`[^`]*`|`[^`]*`|\$\$.*?\$\$|\$[^$]*\$|^:[a-z-]+:.*$", re.MULTILINE | re.DOTALL
)


def letters(text: str) -> str:
    """Lower-case letters only: immune to line breaks, hyphenation and typography."""
    text = re.sub(r"-\n", "", text)
    return re.sub(r"[^a-z]", "", text.lower())


def solution_phrases() -> dict[str, list[str]]:
    """For each solution in book/, its runs of eight plain words (markup and math removed)."""
    phrases = {}
    for page in sorted((ROOT / "book").rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        bodies = _SOLUTION.findall(text) + [
            _FENCED.sub(" | ", body) for body in _GATED_SOLUTION.findall(text)
        ]
        for i, body in enumerate(bodies):
            words = _MARKUP.sub(" | ", body).split()
            runs, current = [], []
            for word in words:
                if word == "|" or not re.search(r"[A-Za-z]", word):
                    current = []
                    continue
                current.append(word)
                if len(current) == 8:
                    runs.append(letters(" ".join(current)))
                    current = []
            phrases[f"{page.name}#{i + 1}"] = runs
    return phrases


def pdf_letters(path: Path) -> str:
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return letters(text)


def test_the_full_pdf_contains_every_solution():
    full = pdf_letters(BOOK_PDF)
    phrases = solution_phrases()
    assert phrases, "no solutions found in book/"
    missing = [name for name, runs in phrases.items() if runs and not any(r in full for r in runs)]
    assert not missing, f"solutions whose text is not in {BOOK_PDF.name}: {missing}"


def test_the_handout_contains_no_solution():
    handout = pdf_letters(HANDOUT_PDF)
    leaked = {name: [r for r in runs if r in handout] for name, runs in solution_phrases().items()}
    leaked = {name: runs for name, runs in leaked.items() if runs}
    assert not leaked, f"solution text found in the handout: {leaked}"
    assert "solutionto" not in handout


def test_the_handout_numbers_every_exercise_by_chapter():
    text = subprocess.run(
        ["pdftotext", str(HANDOUT_PDF), "-"], capture_output=True, text=True, check=True
    ).stdout
    expected = sum(
        len(_EXERCISE.findall(p.read_text(encoding="utf-8"))) for p in (ROOT / "book").rglob("*.md")
    )
    numbers = set(re.findall(r"Exercise (\d+\.\d+)", text))
    assert len(numbers) == expected, (
        f"{len(numbers)} numbered exercises in the handout, {expected} in book/"
    )
    assert "Student Handout" in text
