"""The numbers gate (bookkit.check_numbers) on small planted MyST pages.

Each test writes a page into a temporary book and runs the checker on it: a
typed number fails it wherever the reader sees it (prose, caption, table cell,
admonition, exercise, a glued literal from a removed cell); notation, glued
values, references, citations and allowlisted text pass.
"""

from pathlib import Path

import pytest

from bookkit import check_numbers

ROOT = Path(__file__).resolve().parents[2]

FENCE = "```"


def run(tmp_path: Path, page: str, allowlist: str = "") -> tuple[int, list[str]]:
    """The exit status and the reported lines for one chapter page."""
    chapters = tmp_path / "book" / "chapters"
    chapters.mkdir(parents=True, exist_ok=True)
    (chapters / "01_page.md").write_text(page, encoding="utf-8")
    toml = tmp_path / "allow.toml"
    toml.write_text(allowlist, encoding="utf-8")
    reported, _ = check_numbers.check(
        tmp_path, check_numbers.default_sources(tmp_path), check_numbers.read_allowlist(toml)
    )
    status = check_numbers.main(["--root", str(tmp_path), "--allowlist", str(toml)])
    return status, [typed.report() for typed in reported]


@pytest.mark.parametrize(
    ("page", "number"),
    [
        ("We draw 1000 samples and plot them.\n", "1000"),
        ("The noise has standard deviation $\\sigma = 0.3$ everywhere.\n", "0.3"),
        ("For $D = 100$ the distances concentrate.\n", "100"),
        ("## Results for 50 inputs\n", "50"),
        (
            f"{FENCE}{{glue:figure}} fig-x\n:name: fig-x\n:width: 80%\n\n"
            f"Histogram of 2000 draws.\n{FENCE}\n",
            "2000",
        ),
        ("| n | error |\n| --- | --- |\n| 250 | small |\n", "250"),
        (
            f"{FENCE}{{admonition}} A warning\n:class: warning\n\n"
            f"A tolerance of 0.01 is too tight.\n{FENCE}\n",
            "0.01",
        ),
        (
            f"{FENCE}{{exercise}} Rates of $10^{{-3}}$\n:label: ex-rate\n\nTry it.\n{FENCE}\n",
            "10",
        ),
        (
            f"{FENCE}{{solution}} ex-rate\n:class: dropdown\n\nIt diverges above 1.5.\n{FENCE}\n",
            "1.5",
        ),
        ("$$\nx \\sim U(0, 20)\n$$ (eq-u)\n", "20"),
        (f"{FENCE}{{math}}\n:label: eq-10\n\nx = 0.5 y\n{FENCE}\n", "0.5"),
    ],
    ids=[
        "prose",
        "inline-math-decimal",
        "inline-math-parameter",
        "heading",
        "caption",
        "table-cell",
        "admonition",
        "exercise-title",
        "solution",
        "display-math",
        "math-directive",
    ],
)
def test_a_typed_number_fails(tmp_path, page, number):
    status, reported = run(tmp_path, page)
    assert status == 1
    assert len(reported) == 1, reported
    assert f"typed number '{number}'" in reported[0]
    assert reported[0].startswith("book/chapters/01_page.md:")


def test_the_report_gives_file_line_and_column(tmp_path):
    _, reported = run(tmp_path, "First line.\n\nThen 42 typed.\n")
    assert reported == ["book/chapters/01_page.md:3:6: typed number '42' in \"Then 42 typed.\""]


PASSING = f"""---
jupytext:
  format_version: 0.13
---

(ch-page)=
# A page

The mean is {{glue:text}}`mean-1000:.3f` over {{glue}}`n-draws` draws, see
{{eq}}`eq-10`, {{numref}}`fig-2000`, {{ref}}`ch-12` and {{cite}}`bishop2006`
(section 5.5; Theorem 5.3.1; §2.3.1–2.3.3; ch. 4; pp. 12-14). Gauss wrote in 1809.
The density $\\frac{{1}}{{\\sqrt{{2\\pi}}}} e^{{-x^2/2}}$ of $\\mathcal{{N}}(0, 1)$,
a variance 1, two draws, $x_{{i}}^{{2}}$, $\\frac{{1}}{{12 z}}$, $10^{{-k}}$,
$\\log_{{10}} P$ and a base-10 logarithm, an angle of $90°$, [a link](https://x.org/a/2024/10.5).

1. A numbered list item.
2. Another.

{FENCE}{{code-cell}} ipython3
:tags: [hide-input]

n_draws = 1000
glue("n-draws", n_draws, display=False)
{FENCE}

{FENCE}{{glue:figure}} fig-2000
:name: fig-2000
:width: 100%

The caption glues {{glue:text}}`n-draws`.
{FENCE}

$$
\\int_0^1 x^2\\,dx = \\frac{{1}}{{3}}
$$ (eq-10)

Inline code `sample(key, 1000)` is code.
"""


def test_notation_glue_references_and_citations_pass(tmp_path):
    status, reported = run(tmp_path, PASSING)
    assert reported == []
    assert status == 0


def test_a_glued_literal_from_a_removed_cell_fails(tmp_path):
    page = f"""The half is {{glue:text}}`half`.

{FENCE}{{code-cell}} ipython3
:tags: [remove-cell]

glue("half", 100 / 2, display=False)
{FENCE}
"""
    status, reported = run(tmp_path, page)
    assert status == 1
    assert len(reported) == 1
    assert "typed number '100 / 2'" in reported[0]
    assert "a literal glued from a removed cell" in reported[0]


def test_a_hidden_parameter_glued_by_name_fails(tmp_path):
    page = f"""We use {{glue:text}}`n` draws.

{FENCE}{{code-cell}} ipython3
:tags: [remove-cell]

reps, n = 2000, 10
glue("n", n, display=False)
{FENCE}
"""
    status, reported = run(tmp_path, page)
    assert status == 1
    assert "typed number 'n = 10'" in reported[0]


def test_a_parameter_defined_in_a_visible_cell_passes(tmp_path):
    page = f"""We use {{glue:text}}`n` draws, a mean of {{glue:text}}`m`.

{FENCE}{{code-cell}} ipython3
n = 10
{FENCE}

{FENCE}{{code-cell}} ipython3
:tags: [remove-cell]

glue("n", n, display=False)
glue("m", float(samples.mean()), display=False)
glue("unused", 3.5, display=False)
{FENCE}
"""
    status, reported = run(tmp_path, page)
    assert reported == []
    assert status == 0


def test_an_allowlisted_number_passes_and_moves_with_its_text(tmp_path):
    allow = """
[[allow]]
file = "book/chapters/01_page.md"
text = "with Python 3.11"
reason = "the required Python version"
"""
    page = "Install it with Python 3.11 and run it.\n"
    assert run(tmp_path, page, allow) == (0, [])
    assert run(tmp_path, "A new first line.\n\n" + page, allow) == (0, [])
    status, reported = run(tmp_path, page + "Then 12.5 more.\n", allow)
    assert status == 1
    assert len(reported) == 1
    assert "'12.5'" in reported[0]


def test_a_stale_allowlist_entry_is_reported_without_failing(tmp_path, capsys):
    allow = """
[[allow]]
file = "book/chapters/01_page.md"
text = "with Python 3.11"
reason = "the required Python version"
"""
    assert run(tmp_path, "No number here.\n", allow) == (0, [])
    assert "allowlist entry matches nothing: 'with Python 3.11'" in capsys.readouterr().err


def test_an_allowlist_entry_without_a_reason_is_refused(tmp_path):
    allow = '[[allow]]\nfile = "book/chapters/01_page.md"\ntext = "3.11"\nreason = ""\n'
    with pytest.raises(ValueError, match="reason"):
        run(tmp_path, "Python 3.11.\n", allow)


@pytest.mark.parametrize(
    ("sentence", "typed"),
    [
        ("Gauss published it in 1809.", False),
        ("The method of least squares (Legendre, 1805) came first.", False),
        ("Since 1809, and until 1900 or so, nobody cared.", False),
        ("Histogram of 2000 draws.", True),
        ("In 2000 draws the mean is small.", True),
    ],
)
def test_a_year_passes_a_count_of_the_same_size_fails(tmp_path, sentence, typed):
    status, reported = run(tmp_path, sentence + "\n")
    assert status == int(typed), reported
