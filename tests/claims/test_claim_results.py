"""The claim-results cache (gaussml.derivations._results): each claim runs once per commit.

A second `verify` after a prose edit runs no claim; an edited claim runs
only that claim, an edited display checks only that display; a failure is
never stored; the mutation gate checks its mutants for real.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bookkit import equation_mutants
from bookkit.displays import BOOK, book_equations
from bookkit.verify import main
from gaussml.derivations import ClaimFailed, _registry, _results

ROOT = Path(__file__).resolve().parents[2]
CLAIMS = ROOT / "src" / "gaussml" / "derivations" / "univariate.py"
# Two cheap equations of chapter 1, backed by two claims.
LABELS = ("uni-exceeds-one", "uni-se-mean")
CLAIM = "def normal_pdf_exceeds_one_threshold():\n"
HELPER = "def normal_pdf_expr(x, mean, std):\n"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty cache file of this test's own, and no outcome remembered in this process."""
    path = tmp_path / "claims" / "results.json"
    monkeypatch.setenv("GAUSSML_CLAIMS_CACHE", str(path))
    monkeypatch.setattr(_results, "_MEMO", {})
    return path


def _verify(book: Path, capsys) -> tuple[int, int]:
    """`python -m bookkit.verify` on LABELS of `book`, in process: (claims run, displays checked)."""
    _results._MEMO.clear()  # a new process would remember nothing
    args = ["--book", str(book), "--jobs", "1"]
    assert main([*args, *(f"--label={label}" for label in LABELS)]) == 0
    return _ran(capsys.readouterr().out)


def _ran(out: str) -> tuple[int, int]:
    found = re.search(r"(\d+) claim\(s\) and (\d+) display\(s\) checked", out)
    assert found, out
    return int(found.group(1)), int(found.group(2))


def _copy_book(tmp_path: Path) -> Path:
    book = tmp_path / "book"
    shutil.copytree(BOOK, book, ignore=shutil.ignore_patterns("_build"))
    return book


def test_a_second_verify_after_a_prose_edit_runs_no_claim(cache, tmp_path, capsys):
    book = _copy_book(tmp_path)
    assert _verify(book, capsys) == (2, 2)
    with (book / "chapters" / "01_univariate.md").open("a", encoding="utf-8") as page:
        page.write("\nA new closing paragraph of prose.\n")
    assert _verify(book, capsys) == (0, 0)


def test_an_edited_display_checks_only_that_display(cache, tmp_path, capsys):
    book = _copy_book(tmp_path)
    assert _verify(book, capsys) == (2, 2)
    page = book / "chapters" / "01_univariate.md"
    _, tex = book_equations(book)[LABELS[0]]
    text = page.read_text(encoding="utf-8")
    assert text.count(tex) == 1
    page.write_text(text.replace(tex, tex.replace(" ", "  ", 1)), encoding="utf-8")
    assert _verify(book, capsys) == (0, 1)


def test_an_edited_claim_runs_only_that_claim(cache, tmp_path, capsys):
    """The edited package is imported by a new process, as `make verify` after the edit."""
    assert _verify(BOOK, capsys) == (2, 2)
    src = tmp_path / "src"
    shutil.copytree(ROOT / "src", src, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    claims = src / "gaussml" / "derivations" / "univariate.py"
    text = claims.read_text(encoding="utf-8")
    claims.write_text(text.replace(CLAIM, CLAIM + "    # an edit\n"), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "bookkit.verify", "--book", str(BOOK), "--jobs", "1"]
        + [f"--label={label}" for label in LABELS],
        env={**os.environ, "PYTHONPATH": str(src), "GAUSSML_CLAIMS_CACHE": str(cache)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert _ran(result.stdout) == (1, 0)


def test_the_key_of_a_claim_is_its_own_code_and_what_it_shares(tmp_path):
    names = ["normal_pdf_exceeds_one_threshold", "normal_pdf_maximum", "sample_mean_standard_error"]

    def keys(text: str) -> dict[str, str]:
        path = tmp_path / f"{len(list(tmp_path.iterdir()))}.py"
        path.write_text(text, encoding="utf-8")
        return {name: _results.unit_key(path, name) for name in names}

    text = CLAIMS.read_text(encoding="utf-8")
    before = keys(text)
    one_claim = keys(text.replace(CLAIM, CLAIM + "    # an edit\n"))
    assert [n for n in names if one_claim[n] != before[n]] == [names[0]]
    helper = keys(text.replace(HELPER, HELPER + "    # an edit\n"))
    assert all(helper[n] != before[n] for n in names)
    assert keys(text) == before


def test_the_key_of_a_claim_holds_the_package_modules_it_imports_transitively():
    # The regression claims read gaussml.regression, which imports _checks and univariate.
    source = (CLAIMS.parent / "regression.py").read_text(encoding="utf-8")
    names = {text.split("\0")[0] for text in _results._imported_sources(source)}
    assert {"regression.py", "_checks.py", "univariate.py"} <= names


def test_another_modules_claim_is_not_in_the_key_of_a_claim_that_imports_its_helpers():
    """The high-dimension claims import chapter 1's `_linear`: an edit of a chapter 1
    claim leaves their keys alone, an edit of `_linear` does not."""
    source = (CLAIMS.parent / "highdim.py").read_text(encoding="utf-8")
    texts = dict(text.split("\0", 1) for text in _results._imported_sources(source))
    sibling = texts["derivations/univariate.py"]
    assert "def _linear(" in sibling
    assert "def normal_pdf_normalised(" not in sibling
    assert "def normal_pdf_normalised(" in CLAIMS.read_text(encoding="utf-8")


def _failing_claim():
    raise ClaimFailed("a false claim: 1 != 2")


def test_a_failing_claim_is_not_stored_and_fails_again(cache, monkeypatch):
    name = "_failing_claim"
    fake = _registry.Claim(name, ("none",), "false", "symbolic", _failing_claim, "none")
    monkeypatch.setitem(_registry._CLAIMS, name, fake)
    first = _results.check([name], {}, workers=1)
    assert first.ran_claims == [name] and "1 != 2" in first.claims[name]
    assert not cache.exists() or name not in cache.read_text(encoding="utf-8")
    _results._MEMO.clear()
    again = _results.check([name], {}, workers=1)
    assert again.ran_claims == [name] and "1 != 2" in again.claims[name]


def test_the_mutation_gate_checks_a_mutant_for_real(cache):
    """With the unedited display held by the cache, its mutant still fails, and is not stored."""
    label = "uni-pdf-max"
    page, tex = book_equations()[label]
    _results.check([], {label: tex}, workers=1)
    held = cache.read_text(encoding="utf-8")
    mutated = tex.replace(r"\frac{1}{\sqrt{2\pi}\,\sigma}", r"\frac{1}{2\pi\sigma^2}")
    assert mutated != tex
    dead, message = equation_mutants.killed(label, page.read_text(encoding="utf-8"), tex, mutated)
    assert dead, "a mutant passed"
    assert "displayed" in message
    assert cache.read_text(encoding="utf-8") == held
