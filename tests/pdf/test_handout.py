"""The student handout has every exercise and no solution; the full PDF has both;
no text of either PDF runs into the running footer or header or off the page.

The layout check reads each page's lines and words with their bounding boxes
(one `pdftotext -bbox-layout` call per PDF). The running footer and header are
found on the pages themselves: the footer is the line that holds the page
number on most pages, the header the topmost line on most pages; each band is
widened by half a footer line to cover the rule fancyhdr draws beside it. A
body line reaching into a band, or a word past the text block's right edge
(the footer's flush-right end) by more than that half line, is a defect.

Each chapter's handout (`make handouts`) has its chapter's title, no
solution, no unresolved reference ("??"), and the numbers
the site gives its equations, figures, tables and exercises (read as
tests/pdf/test_numbering.py reads them: from its .aux and .tex, and the site's
pages).

Needs the two PDFs (`make pdf`, `make handout`), and for the chapter
handouts `make handouts` and the site (`make book`), newer than the book's
sources, and poppler's pdftotext; skipped otherwise, with the reason, and
failed instead with GAUSSML_REQUIRE_BUILDS=1 (as `.ci/run` runs it, after
building them all).
"""

import re
import subprocess
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from bookkit.chapter_handouts import job_name
from bookkit.chapters import CHAPTERS as BOOK_CHAPTERS
from built_outputs import BOOK_PDF, BUILD, HANDOUT_PDF, ROOT, SITE, pdf_text
from test_numbering import (
    HANDOUT_LATEX,
    latex_numbers,
    mismatches,
    require,
    site_numbers,
    solution_bodies,
    unprinted_exercises,
)

# The fixture `built_pdfs` (tests/pdf/conftest.py) skips, or fails in CI, without current PDFs.


_FENCED = re.compile(r"^```.*?^```$", re.MULTILINE | re.DOTALL)  # code: typeset apart
# An exercise and its option lines; one with `:nonumber:` (the appendices') has no number.
_EXERCISE = re.compile(r"^```\{exercise\}[^\n]*\n((?::[^\n]*\n)*)", re.MULTILINE)
_MARKUP = re.compile(
    r"\{[a-z:-]+\}`[^`]*`|`[^`]*`|\$\$.*?\$\$|\$[^$]*\$|^:[a-z-]+:.*$", re.MULTILINE | re.DOTALL
)


def letters(text: str) -> str:
    """Lower-case letters only: immune to line breaks, hyphenation and typography."""
    text = re.sub(r"-\n", "", text)
    return re.sub(r"[^a-z]", "", text.lower())


@cache
def solution_phrases() -> dict[str, list[str]]:
    """For each solution in book/, its runs of eight plain words (markup and math removed)."""
    phrases = {}
    for page in sorted((ROOT / "book").rglob("*.md")):
        for i, body in enumerate(solution_bodies(page.read_text(encoding="utf-8"))):
            words = _MARKUP.sub(" | ", _FENCED.sub(" | ", body)).split()
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


def numbered_exercises(text: str) -> int:
    """How many exercises of a MyST page carry a number (all but the `:nonumber:` ones)."""
    return sum(":nonumber:" not in options for options in _EXERCISE.findall(text))


def pdf_letters(path: Path) -> str:
    return letters(pdf_text(path))


def test_the_full_pdf_contains_every_solution(built_pdfs):
    full = pdf_letters(BOOK_PDF)
    phrases = solution_phrases()
    assert phrases, "no solutions found in book/"
    missing = [name for name, runs in phrases.items() if runs and not any(r in full for r in runs)]
    assert not missing, f"solutions whose text is not in {BOOK_PDF.name}: {missing}"


def leaked_solutions(text: str) -> dict[str, list[str]]:
    """The solutions with a phrase in `text` (letters only), and those phrases."""
    leaked = {name: [r for r in runs if r in text] for name, runs in solution_phrases().items()}
    return {name: runs for name, runs in leaked.items() if runs}


def test_the_handout_contains_no_solution(built_pdfs):
    handout = pdf_letters(HANDOUT_PDF)
    leaked = leaked_solutions(handout)
    assert not leaked, f"solution text found in the handout: {leaked}"
    assert "solutionto" not in handout


def test_the_handout_numbers_every_exercise_by_chapter(built_pdfs):
    text = pdf_text(HANDOUT_PDF)
    expected = sum(
        numbered_exercises(p.read_text(encoding="utf-8")) for p in (ROOT / "book").rglob("*.md")
    )
    numbers = set(re.findall(r"Exercise (\d+\.\d+)", text))
    assert len(numbers) == expected, (
        f"{len(numbers)} numbered exercises in the handout, {expected} in book/"
    )
    assert "Student Handout" in text


def test_exercises_without_a_number_are_not_counted():
    page = (
        "```{exercise} One\n:label: ex-a\n\nText.\n```\n\n"
        "```{exercise} Two\n:label: ex-b\n:nonumber:\n\nText.\n```\n\n"
        "```{exercise}\nText.\n```\n"
    )
    assert numbered_exercises(page) == 2


# --- layout: nothing under the running footer or header, nothing off the page ---

_XHTML = "{http://www.w3.org/1999/xhtml}"
_PAGE_NUMBER = re.compile(r"^(?:\d+|[ivxlc]+)$")


@dataclass(frozen=True)
class Box:
    """A bounding box in PDF points, y growing downwards (pdftotext's convention)."""

    left: float
    top: float
    right: float
    bottom: float


@dataclass(frozen=True)
class Line:
    box: Box
    text: str
    words: tuple[tuple[Box, str], ...]


@dataclass(frozen=True)
class Page:
    width: float
    height: float
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class RunningBands:
    """Where the running header and footer print, and the text block's right edge.

    `header` and `footer` are (top, bottom) spans; `header_bottom_line` and
    `footer_bottom_line` are the bottoms of their own text lines, which tell a
    running line from a body line that strays into the band.
    """

    header: tuple[float, float]
    footer: tuple[float, float]
    header_bottom_line: float
    footer_bottom_line: float
    right_edge: float
    tolerance: float


def _box(element) -> Box:
    return Box(*(float(element.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")))


@cache
def pdf_layout(path: Path) -> tuple[Page, ...]:
    """Every page's lines and words with their boxes: one `pdftotext -bbox-layout` call."""
    xhtml = subprocess.run(
        ["pdftotext", "-bbox-layout", str(path), "-"], capture_output=True, check=True
    ).stdout
    pages = []
    for page in ET.fromstring(xhtml).iter(f"{_XHTML}page"):
        lines = []
        for line in page.iter(f"{_XHTML}line"):
            words = tuple((_box(w), w.text or "") for w in line.iter(f"{_XHTML}word"))
            lines.append(Line(_box(line), " ".join(text for _, text in words), words))
        pages.append(Page(float(page.get("width")), float(page.get("height")), tuple(lines)))
    return tuple(pages)


def _most_common(values: list[tuple[float, ...]], pages: int, what: str) -> tuple[float, ...]:
    """The value (rounded to 0.1 pt) found on more than half of the pages."""
    counts = Counter(tuple(round(v, 1) for v in value) for value in values)
    assert counts, f"no {what} found"
    value, count = counts.most_common(1)[0]
    assert count > pages / 2, f"no {what} on most pages: {counts.most_common(3)}"
    return value


def running_bands(pages: tuple[Page, ...]) -> RunningBands:
    """The running footer and header as most pages show them.

    Footer: the box of the page-number line (arabic or roman, lower half of
    the page) found on most pages. Header: the box of the topmost line on most
    pages. Both are widened by half the footer line's height (about 5 pt for
    10 pt type) towards the body, to cover the rule fancyhdr draws between
    them and the body (measured at 1.5 pt below the header and 4.4 pt above the
    footer text in the book's PDF). The text block's right edge is where the
    footer's flush-right part ends on most pages.
    """
    footers = [
        line
        for page in pages
        for line in page.lines
        if _PAGE_NUMBER.match(line.text) and line.box.top > page.height / 2
    ]
    foot_top, foot_bottom = _most_common(
        [(line.box.top, line.box.bottom) for line in footers], len(pages), "page-number line"
    )
    tolerance = (foot_bottom - foot_top) / 2
    tops = [min(page.lines, key=lambda line: line.box.top) for page in pages if page.lines]
    head_top, head_bottom = _most_common(
        [(line.box.top, line.box.bottom) for line in tops], len(pages), "topmost line"
    )
    rights = [
        max(line.box.right for line in page.lines if abs(line.box.bottom - foot_bottom) < 0.5)
        for page in pages
        if any(abs(line.box.bottom - foot_bottom) < 0.5 for line in page.lines)
    ]
    (right_edge,) = _most_common([(round(r),) for r in rights], len(pages), "footer right end")
    return RunningBands(
        header=(head_top, head_bottom + tolerance),
        footer=(foot_top - tolerance, foot_bottom),
        header_bottom_line=head_bottom,
        footer_bottom_line=foot_bottom,
        right_edge=right_edge,
        tolerance=tolerance,
    )


def layout_defects(pages: tuple[Page, ...], bands: RunningBands) -> list[str]:
    """Lines that reach into the footer or header band, and words past the right edge.

    A running line is one on the band's own baseline (its bottom within 0.5 pt
    of the running line's, its top inside the band: math in a section title may
    rise higher than plain text); every other line reaching into a band, or
    beyond it, is body text the running line hides or that falls off the page.
    """
    defects = []
    for number, page in enumerate(pages, start=1):
        printed = [
            line.text
            for line in page.lines
            if _PAGE_NUMBER.match(line.text)
            and abs(line.box.bottom - bands.footer_bottom_line) < 0.5
        ]
        where_on = f"page {number}" + (f" (printed {printed[0]})" if printed else "")
        right_limit = min(bands.right_edge, page.width) + bands.tolerance
        for line in page.lines:
            box = line.box
            in_footer = box.bottom > bands.footer[0]
            in_header = box.top < bands.header[1]
            running = (
                in_footer
                and abs(box.bottom - bands.footer_bottom_line) < 0.5
                and box.top >= bands.footer[0]
            ) or (
                in_header
                and abs(box.bottom - bands.header_bottom_line) < 0.5
                and box.top >= bands.header[0] - bands.tolerance
            )
            if (in_footer or in_header) and not running:
                where = "footer" if in_footer else "header"
                defects.append(
                    f"{where_on}: runs into the {where} (y {box.top:.1f}-{box.bottom:.1f}): "
                    f"{line.text!r}"
                )
            off = [text for word, text in line.words if word.right > right_limit]
            if off:
                defects.append(
                    f"{where_on}: past the right edge ({right_limit:.1f} pt): {off} in "
                    f"{line.text!r}"
                )
    return defects


@pytest.mark.parametrize("pdf", [BOOK_PDF, HANDOUT_PDF], ids=["book", "handout"])
def test_no_text_runs_into_the_footer_or_header_or_off_the_page(built_pdfs, pdf):
    pages = pdf_layout(pdf)
    defects = layout_defects(pages, running_bands(pages))
    assert not defects, f"{pdf.name}: text hidden or cut by the page layout:\n" + "\n".join(defects)


def _line(text: str, left: float, top: float, right: float, bottom: float) -> Line:
    box = Box(left, top, right, bottom)
    return Line(box, text, ((box, text),))


def _synthetic_pages(*extra: Line) -> tuple[Page, ...]:
    """Ten letter-size pages shaped like the book's: header, body, page number, title."""
    pages = [
        Page(
            612.0,
            792.0,
            (
                _line("Gaussians, Release 0.1.0", 72.0, 35.5, 540.0, 45.5),
                _line("A body line.", 72.0, 74.0, 540.0, 84.0),
                _line(str(n), 72.0, 741.9, 83.1, 751.9),
                _line("Chapter 1. The univariate Gaussian", 368.3, 741.9, 540.0, 751.9),
            ),
        )
        for n in range(1, 11)
    ]
    pages[4] = Page(612.0, 792.0, pages[4].lines + extra)
    return tuple(pages)


def test_layout_defects_are_found_on_synthetic_pages():
    clean = _synthetic_pages()
    bands = running_bands(clean)
    assert bands.footer[1] == pytest.approx(751.9)
    assert bands.right_edge == pytest.approx(540.0)
    assert layout_defects(clean, bands) == []

    normal = _line("print(x)", 72.0, 700.0, 300.0, 709.0)
    assert layout_defects(_synthetic_pages(normal), bands) == []

    under_footer = _line("print(f'{name}: beta_mle')", 106.0, 733.3, 477.2, 742.3)
    (defect,) = layout_defects(_synthetic_pages(under_footer), bands)
    assert defect.startswith("page 5 (printed 5): runs into the footer") and "beta_mle" in defect

    under_header = _line("a stray line", 72.0, 44.0, 200.0, 53.0)
    (defect,) = layout_defects(_synthetic_pages(under_header), bands)
    assert defect.startswith("page 5 (printed 5): runs into the header")

    off_page = _line("too_long_a_name", 300.0, 400.0, 600.0, 410.0)
    (defect,) = layout_defects(_synthetic_pages(off_page), bands)
    assert (
        defect.startswith("page 5 (printed 5): past the right edge") and "too_long_a_name" in defect
    )


# --- one handout per chapter (`make handouts`, bookkit.chapter_handouts) ---

CHAPTERS = [p.stem for p in BOOK_CHAPTERS]
HANDOUTS = BUILD / "handouts"


def _chapter_handout(stem: str) -> Path:
    """The chapter's handout, skipped (failed with GAUSSML_REQUIRE_BUILDS=1) unless current."""
    pdf = HANDOUTS / f"{stem}.pdf"
    require("make handouts", pdf)
    return pdf


def chapter_title(stem: str) -> str:
    """The chapter's title: the first `# ` heading of its source."""
    text = (ROOT / "book/chapters" / f"{stem}.md").read_text(encoding="utf-8")
    return re.search(r"^# (.+)$", text, re.MULTILINE).group(1)


@pytest.mark.parametrize("stem", CHAPTERS)
def test_a_chapter_handout_has_its_title_no_solution_and_no_unresolved_reference(stem):
    pdf = _chapter_handout(stem)
    text = pdf_letters(pdf)
    assert letters(chapter_title(stem)) in text, f"{pdf.name}: no chapter title"
    leaked = leaked_solutions(text)
    assert not leaked, f"solution text found in {pdf.name}: {leaked}"
    assert "solutionto" not in text
    raw = pdf_text(pdf)
    assert "??" not in raw, f"{pdf.name}: an unresolved reference prints '??'"


@pytest.mark.parametrize("stem", CHAPTERS)
def test_a_chapter_handout_numbers_as_the_site(stem):
    """Its equations, figures, tables and exercises carry the site's numbers."""
    pdf = _chapter_handout(stem)
    require("make book", SITE / "searchindex.js")
    docname = f"book/chapters/{stem}"
    site = {k: v for k, v in site_numbers().items() if k[1] == docname}
    assert site, f"nothing numbered on the site's page {docname}"
    numbers = {
        k: v for k, v in latex_numbers(HANDOUT_LATEX, job_name(stem)).items() if k[1] == docname
    }
    problems = mismatches(site, numbers, pdf.name) + unprinted_exercises(numbers, pdf)
    assert not problems, f"{len(problems)} numbers differ:\n" + "\n".join(problems)


@pytest.mark.parametrize("stem", CHAPTERS)
def test_no_text_of_a_chapter_handout_runs_into_the_footer_or_header_or_off_the_page(stem):
    pdf = _chapter_handout(stem)
    pages = pdf_layout(pdf)
    defects = layout_defects(pages, running_bands(pages))
    assert not defects, f"{pdf.name}: text hidden or cut by the page layout:\n" + "\n".join(defects)


MAX_CHAPTER_PAGES = 22  # a chapter a student reads in one week


@pytest.mark.parametrize("stem", CHAPTERS)
def test_a_chapter_handout_is_at_most_a_week_of_reading(stem):
    pdf = _chapter_handout(stem)
    pages = len(pdf_layout(pdf))
    print(f"{pdf.name}: {pages} pages")
    assert pages <= MAX_CHAPTER_PAGES, (
        f"{pdf.name} has {pages} pages, over {MAX_CHAPTER_PAGES}: move what a first"
        " reading does not need to an appendix"
    )
