"""What the PDF tests share: the two PDFs, current, or a skip (a failure in CI) saying why."""

import shutil

import pytest

from built_outputs import BOOK_PDF, HANDOUT_PDF, outdated, unavailable


@pytest.fixture(scope="session")
def built_pdfs() -> None:
    """Skip (fail with GAUSSML_REQUIRE_BUILDS=1) unless both PDFs are current."""
    why_not = (
        outdated(BOOK_PDF, "make pdf")
        or outdated(HANDOUT_PDF, "make handout")
        or (None if shutil.which("pdftotext") else "needs pdftotext (poppler-utils)")
    )
    if why_not:
        unavailable(why_not)
