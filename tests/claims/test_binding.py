"""Each numbered equation is bound to its claim: editing the displayed math fails the check."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bookkit.displays import BOOK, book_equations, displayed_equations
from bookkit.verify import main
from gaussml.derivations import ClaimFailed
from gaussml.derivations._binding import bindings, check_display

ROOT = Path(__file__).resolve().parents[2]


def test_every_numbered_equation_has_a_binding():
    missing = sorted(set(book_equations()) - set(bindings()))
    assert not missing, f"numbered equations not bound to their claim: {missing}"
    stray = sorted(set(bindings()) - set(book_equations()))
    assert not stray, f"bindings of labels that are not in book/: {stray}"


@pytest.mark.parametrize(
    ("label", "old", "new"),
    [
        # the three edits that passed every check before the bindings
        ("hd-chi-pdf", r"{2^{D/2 - 1}\, \Gamma(D/2)}", r"{2^{D/2}\, \Gamma(D/2)}"),
        ("reg-cov", r"&= \sigma^2 (X X^\top)^{-1} .", r"&= \sigma (X X^\top)^{-1} ."),
        (
            "uni-pdf-max",
            r"p(\mu) = \frac{1}{\sqrt{2\pi}\,\sigma}.",
            r"p(\mu) = \frac{1}{2\pi\sigma^2}.",
        ),
    ],
)
def test_a_hand_edited_equation_fails_naming_both_expressions(label, old, new):
    _, tex = book_equations()[label]
    assert old in tex
    check_display(label, tex)
    with pytest.raises(ClaimFailed, match=rf"{label}.*displayed .*checked"):
        check_display(label, tex.replace(old, new))


def test_the_display_scanner_reads_dollar_blocks_and_the_math_directive():
    text = (
        "$$\nx\n$$\n\ntext\n\n$$\na = b\n$$ (eq-one)\n\n```{math}\n:label: eq-two\n\nc = d\n```\n"
    )
    assert displayed_equations(text) == {"eq-one": "a = b", "eq-two": "c = d"}


def test_verify_fails_on_an_edited_copy_of_the_book(tmp_path, capsys):
    book = tmp_path / "book"
    shutil.copytree(BOOK, book)
    page = book / "chapters" / "01_univariate.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(
        text.replace(
            r"\operatorname{se}(\bar x) = \frac{\sigma}{\sqrt{n}}",
            r"\operatorname{se}(\bar x) = \frac{\sigma}{n}",
        ),
        encoding="utf-8",
    )
    assert main(["--book", str(book), "--label", "uni-se-mean", "--jobs", "1"]) == 1
    captured = capsys.readouterr()
    assert "uni-se-mean" in captured.out and "FAILED" in captured.out
    assert "displayed" in captured.err and "checked" in captured.err
    assert main(["--book", str(BOOK), "--label", "uni-se-mean", "--jobs", "1"]) == 0


@pytest.mark.slow
def test_equation_mutants_are_killed(tmp_path):
    out = tmp_path / "equation_mutants.json"
    run = subprocess.run(
        [sys.executable, "-m", "bookkit.equation_mutants", "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    summary = json.loads(out.read_text(encoding="utf-8"))["summary"]
    assert summary["kill_rate"] >= 0.95
