"""Every table of the built book is whole: on the web and, where it can be read, in the PDF.

A table whose cell text contains the character that separates cells (`|` in
a pipe table) loses cells: a row ends up with fewer or more cells than the
header, or with empty cells where text belongs. These tests read the built
site (`_build/html`, or `GAUSSML_SITE`) and the PDF (`_build/latex`) and skip
when they have not been built (`make book`, `make pdf`).

- Each body row of each table has as many cells as its header (spans counted).
- No cell is empty, except where a table states that an empty cell means
  something (none does today).
- The verification report has one row per registered claim, each with its
  statement, method and result, and an anchor the equations' marks link to.
- Tables and figures of the appendices carry no number (the chapters' are
  numbered by chapter; an appendix's would read "Table 1.1" in the PDF).
- In the PDF text, every claim's row carries its method and its result.

The last tests run the same checks on small tables made on the fly, so that
each check is seen to fail.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from built_outputs import BOOK_PDF, SITE, outdated, pdf_text, site_pages, unavailable
from gaussml.derivations import claims

REPORT = "book/appendices/a_verification_report.html"
REPORT_HEADER = "Claim: what it states"  # the report table's second column


def read(page: str, site: Path = SITE) -> BeautifulSoup:
    return BeautifulSoup((site / page).read_text(encoding="utf-8"), "html.parser")


def _width(cells) -> int:
    return sum(int(c.get("colspan", 1)) for c in cells)


def _has_content(cell) -> bool:
    return bool(cell.get_text(strip=True)) or cell.find(["img", "svg", "math"]) is not None


def table_problems(soup: BeautifulSoup, where: str) -> list[str]:
    """Rows with the wrong number of cells and empty cells, in every table of `soup`."""
    problems = []
    for t, table in enumerate(soup.select("main table, article table")):
        name = table.get("id") or f"table {t + 1}"
        rows = table.select("tr")
        head = table.select("thead tr") or rows[:1]  # a table without a header: its first row
        rows = [r for r in rows if r not in head]
        width = _width(head[0].find_all(["th", "td"], recursive=False)) if head else 0
        for r, row in enumerate(rows, start=1):
            cells = row.find_all(["th", "td"], recursive=False)
            if _width(cells) != width:
                problems.append(
                    f"{where}: {name}, row {r} has {_width(cells)} cells, the header {width}: "
                    f"{row.get_text(' ', strip=True)[:100]!r}"
                )
            for c, cell in enumerate(cells, start=1):
                if not _has_content(cell):
                    problems.append(
                        f"{where}: {name}, row {r}, column {c} is empty: "
                        f"{row.get_text(' ', strip=True)[:100]!r}"
                    )
    return problems


def report_problems(soup: BeautifulSoup) -> list[str]:
    """The verification report: a row per claim, with its anchor, method and result."""
    problems = []
    rows = {row.get("id"): row for row in soup.select("table.claim-report tbody tr")}
    for name, claim in claims().items():
        anchor = f"claim-{name.replace('_', '-')}"
        row = rows.get(anchor)
        if row is None:
            problems.append(f"no row with id {anchor!r} for claim {name!r}")
            continue
        # No separator: a long name is split into pieces (each a break opportunity in LaTeX).
        text = [td.get_text("", strip=True) for td in row.find_all("td", recursive=False)]
        if len(text) < 5 or name not in text[1] or text[3] != claim.method or text[4] != "holds":
            problems.append(f"row of {name!r} reads {text}")
    if "Time" in " ".join(th.get_text() for th in soup.select("table.claim-report thead th")):
        problems.append("the report shows run times, which change at every build")
    return problems


def numbered_captions(soup: BeautifulSoup) -> list[str]:
    return [
        c.find_parent(["figcaption", "caption"]).get_text(" ", strip=True)[:80]
        for c in soup.select("span.caption-number")
        if c.find_parent(["figcaption", "caption"]) is not None
    ]


# --- the built site -------------------------------------------------------------

# The book's pages (`book/...`): the index pages are Sphinx's, not the book's.
PAGES = [page for page in site_pages() if page.startswith("book/")]


def needs_site() -> None:
    if not PAGES:
        unavailable(f"no built site in {SITE}: run 'make book'")


@pytest.mark.parametrize("page", PAGES or ["(no site built)"])
def test_every_table_is_whole(page):
    needs_site()
    problems = table_problems(read(page), page)
    assert not problems, "\n".join(problems)


def test_the_report_has_every_claim_with_its_method_and_result():
    needs_site()
    assert REPORT in PAGES, f"{REPORT} is not in the site"
    problems = report_problems(read(REPORT))
    assert not problems, "\n".join(problems)


def test_appendix_tables_and_figures_are_numbered_within_their_appendix():
    """As in the PDF: "Fig. C.2" in the third appendix, never a bare "Fig. 2" nor a
    chapter's "Fig. 3.2"."""
    needs_site()
    bare = {
        page: [c for c in numbered_captions(read(page)) if not re.match(r"\S+ [A-Z]\.\d+ ", c)]
        for page in PAGES
        if page.startswith("book/appendices/")
    }
    bare = {page: c for page, c in bare.items() if c}
    assert not bare, bare


def test_chapter_tables_are_numbered_by_chapter():
    needs_site()
    chapter_tables = [
        c
        for page in PAGES
        if page.startswith("book/chapters/")
        for c in numbered_captions(read(page))
        if c.startswith("Table")
    ]
    assert chapter_tables, "no numbered table in the chapters"
    assert all(re.match(r"Table \d+\.\d+ ", c) for c in chapter_tables), chapter_tables


# --- the PDF ---------------------------------------------------------------------


def pdf_report_problems(text: str) -> list[str]:
    """Between one claim's name and the next, the report's text holds a method and a result."""
    start = text.find(REPORT_HEADER)
    if start < 0:
        return [f"no table headed {REPORT_HEADER!r} in the PDF text"]
    names = list(claims())
    section = text[start:]
    at = {}
    for name in names:
        # A long name may be broken after an underscore at its column's edge: the
        # other columns' text on that line and before it on the next come between.
        parts = map(re.escape, name.split("_"))
        wrap = r"_(?:(?:[ \t]{2,}[^\n]*)?\n(?:[^\n]*[ \t])?)?"
        match = re.search(wrap.join(parts) + r"\s*:", section)
        if match is None:
            return [f"claim {name!r} is not in the PDF's verification report"]
        at[name] = match.start()
    problems = []
    ordered = sorted(names, key=at.get)
    for name, following in zip(ordered, [*ordered[1:], None], strict=True):
        chunk = section[at[name] : at[following] if following else at[name] + 3000]
        if "holds" not in chunk or "symbolic" not in chunk:
            problems.append(f"the row of {name!r} lacks its method or result: {chunk[:200]!r}")
    return problems


_PDF_WHY_NOT = outdated(BOOK_PDF, "make pdf") or (
    None if shutil.which("pdftotext") else "needs pdftotext (poppler-utils)"
)


def test_pdf_report_rows_carry_method_and_result():
    if _PDF_WHY_NOT is not None:
        unavailable(_PDF_WHY_NOT)
    text = pdf_text(BOOK_PDF, layout=True)
    problems = pdf_report_problems(text)
    assert not problems, "\n".join(problems)
    appendices = text[text.lower().rfind("verification report", 0, text.find(REPORT_HEADER)) :]
    # A caption ("Table 1.1: ...") or a long table's running head, not a reference to a chapter's.
    numbered = re.findall(r"(?:Table|Fig\.) \d+\.\d+(?::| – continued)", appendices)
    assert not numbered, (
        f"tables or figures of the appendices numbered like a chapter's: {numbered}"
    )


# --- the checks fail on broken tables ---------------------------------------------------


def _table(*rows: str, head: str = "<tr><th>a</th><th>b</th><th>c</th></tr>") -> BeautifulSoup:
    body = "".join(rows)
    return BeautifulSoup(
        f"<main><table><thead>{head}</thead><tbody>{body}</tbody></table></main>", "html.parser"
    )


def test_a_whole_table_passes():
    soup = _table(
        "<tr><td>1</td><td><img src='x.svg'></td><td>3</td></tr>",
        "<tr><td colspan='2'>1</td><td>3</td></tr>",
    )
    assert table_problems(soup, "t") == []


@pytest.mark.parametrize(
    ("row", "needle"),
    [
        ("<tr><td>x</td><td>y</td></tr>", "has 2 cells, the header 3"),
        ("<tr><td>x</td><td>y</td><td>z</td><td>c</td></tr>", "has 4 cells, the header 3"),
        ("<tr><td>x</td><td></td><td>z</td></tr>", "column 2 is empty"),
    ],
)
def test_a_broken_table_fails(row, needle):
    problems = table_problems(_table(row), "t")
    assert any(needle in p for p in problems), problems


def test_a_pdf_row_without_its_result_fails():
    names = list(claims())
    rows = [f"(1.{i}) {name}: states ...   symbolic   holds" for i, name in enumerate(names)]
    rows[3] = rows[3].removesuffix("holds")
    text = f"Contents\nVerification report\nEquations {REPORT_HEADER} Method Result\n" + "\n".join(
        rows
    )
    problems = pdf_report_problems(text)
    assert len(problems) == 1 and names[3] in problems[0], problems
