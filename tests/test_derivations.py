"""Every registered claim holds, and claims and the book's equation labels match one to one."""

import re
from pathlib import Path

import pytest
import sympy as sp

from gaussml import derivations
from gaussml.derivations import ClaimFailed, assert_equal, assert_steps, claims, verify

BOOK = Path(__file__).resolve().parents[1] / "book"

# `$$ ... $$ (label)` and the `{math}` directive's `:label:` option.
_DOLLAR_LABEL = re.compile(r"\$\$\s*\(([A-Za-z0-9_:.-]+)\)\s*$", re.MULTILINE)
_DIRECTIVE_LABEL = re.compile(r"^```\{math\}\s*\n(?::[a-z]+:.*\n)*?:label:\s*(\S+)", re.MULTILINE)


def equation_labels(folder: Path = BOOK) -> dict[str, Path]:
    """Every numbered equation's label in the MyST sources under `folder`."""
    found: dict[str, Path] = {}
    for page in sorted(folder.rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        for label in _DOLLAR_LABEL.findall(text) + _DIRECTIVE_LABEL.findall(text):
            assert label not in found, f"equation label {label!r} in both {found[label]} and {page}"
            found[label] = page
    return found


@pytest.mark.parametrize("name", sorted(claims()))
def test_claim_holds(name):
    result = verify(name)
    assert result.seconds >= 0


def test_the_book_has_numbered_equations():
    assert len(equation_labels()) >= 5


def test_every_numbered_equation_has_a_claim():
    missing = sorted(set(equation_labels()) - derivations.registered_labels())
    assert not missing, f"numbered equations without a claim in gaussml.derivations: {missing}"


def test_every_claim_names_a_label_in_the_book():
    labels = set(equation_labels())
    stray = {c.name: sorted(set(c.labels) - labels) for c in claims().values()}
    stray = {name: ls for name, ls in stray.items() if ls}
    assert not stray, f"claims naming labels that are not in book/: {stray}"


def test_every_claim_runs_at_build_time():
    """The report page's `claim-report` directive (book/_ext/claim_marks.py) runs them all."""
    pages = [p for p in BOOK.rglob("*.md") if "```{claim-report}" in p.read_text(encoding="utf-8")]
    assert len(pages) == 1, f"expected one page with the claim-report directive, found {pages}"


def test_label_scanner_reads_both_syntaxes(tmp_path):
    (tmp_path / "page.md").write_text(
        "$$ a = b $$ (eq-one)\n\n```{math}\n:label: eq-two\n\nc = d\n```\n", encoding="utf-8"
    )
    assert set(equation_labels(tmp_path)) == {"eq-one", "eq-two"}


def test_assert_equal_rejects_a_false_identity():
    x = sp.Symbol("x", positive=True)
    with pytest.raises(ClaimFailed, match="variance"):
        assert_equal(sp.sqrt(x**2 * 2), 2 * x, "variance")


def test_assert_steps_names_the_broken_step():
    x = sp.Symbol("x", real=True)
    with pytest.raises(ClaimFailed, match="step 2 -> 3"):
        assert_steps([(x + 1) ** 2, x**2 + 2 * x + 1, x**2 + 1], "expansion")


def test_assert_equal_compares_matrices_entrywise():
    a = sp.MatrixSymbol("A", 2, 2).as_explicit()
    assert_equal(a.T.T, a, "transpose twice")
    with pytest.raises(ClaimFailed, match="entries"):
        assert_equal(a.T, a, "transpose")


def test_unknown_claim_is_a_clear_error():
    with pytest.raises(KeyError, match="no claim named"):
        verify("not_a_claim")
