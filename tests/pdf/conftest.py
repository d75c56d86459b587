"""What the PDF tests share: the two PDFs, current, or a skip (a failure in CI) saying why."""

import pytest

from built_outputs import BOOK_PDF, HANDOUT_PDF
from test_numbering import require


@pytest.fixture(scope="session")
def built_pdfs() -> None:
    """Skip (fail with GAUSSML_REQUIRE_BUILDS=1) unless both PDFs are current."""
    require("make pdf", BOOK_PDF)
    require("make handout", HANDOUT_PDF)
