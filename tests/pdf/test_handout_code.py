"""Solutions with code cells (gated: `solution-start` ... `solution-end`) stay out of the handout.

Their text and their code lines are in the full PDF and none is in the
handout (`bookkit.sphinx.hidden_gated_solutions`). A code line counts only when
it is long enough to be distinctive and appears in no cell outside a
solution. Needs the two PDFs and pdftotext, like `tests/pdf/test_handout.py`.
"""

from bookkit.chapters import cells_of
from built_outputs import BOOK_PDF, HANDOUT_PDF, ROOT
from test_handout import letters, pdf_letters
from test_numbering import _GATED, gated_bodies

# The fixture `built_pdfs` (tests/pdf/conftest.py) skips, or fails in CI, without current PDFs.


def gated_solutions() -> dict[str, list[str]]:
    """For each gated solution, its distinctive pieces: code lines and prose lines that
    occur nowhere outside the gated solutions of the whole book (not even inside a longer
    line of another page's cell, such as the same statement with a comment)."""
    pages = {p: p.read_text(encoding="utf-8") for p in sorted((ROOT / "book").rglob("*.md"))}
    elsewhere = "\n".join(
        letters(line)
        for text in pages.values()
        for c in cells_of(_GATED.sub("", text))
        for line in c.code.splitlines()
    )
    found = {}
    for page, text in pages.items():
        for i, body in enumerate(gated_bodies(text)):
            pieces = []
            for line in body.splitlines():
                if line.startswith(("```", ":")) or "$" in line or "{" in line:
                    continue
                key = letters(line)
                if len(key) >= 25 and key not in elsewhere:
                    pieces.append(key)
            found[f"{page.name}#gated{i + 1}"] = pieces
    return found


def test_gated_solutions_are_in_the_book_and_not_in_the_handout(built_pdfs):
    solutions = gated_solutions()
    full, handout = pdf_letters(BOOK_PDF), pdf_letters(HANDOUT_PDF)
    missing = {n: p for n, p in solutions.items() if p and not any(x in full for x in p)}
    assert not missing, f"gated solutions missing from {BOOK_PDF.name}: {missing}"
    leaked = {n: [x for x in p if x in handout] for n, p in solutions.items()}
    leaked = {n: p for n, p in leaked.items() if p}
    assert not leaked, f"gated solution text or code found in the handout: {leaked}"
