"""The build fails when it should: each gate is seen failing, for the right reason.

Each test copies the project (`bookkit.project.copy_project`: book/, src/ with
the tooling, tests/, _config.yml, pyproject.toml, ...) to a temporary folder with a reduced table of
contents (the introduction and chapter 1, for speed), breaks one thing in the
copy (three, for the faults Sphinx reports as warnings: each must be seen as
its own warning line, which -W makes a failure), and runs the strict build as
`make book` does (`bookkit.build`: `jupyter-book build -W -n --keep-going`
on the execution cache) with
PYTHONPATH pointing at the copy's `src/`. The copy starts from the clone's
caches when the clone has built the book, as a developer's rebuild would:
the execution cache of the copy's key (so only a page or a package that the
test breaks executes again), the claims' results (keyed on each claim's
code and displayed LaTeX: only a claim or display the test breaks is
checked again) and JAX's compiled programs. The assertions name the reason
found in the build's output, not only a non-zero exit status. A control test
shows that the unbroken copy builds.

These are marked `slow` (one book build each, about 20-40 s): `make test`
skips them, `make test-slow` and `.ci/run` run them (see README.md).

The fast tests at the end check the other gates' own failure modes: the link
checker on a site with broken links, and the reproducibility comparison on
two builds that differ.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bookkit import check_reproducible
from bookkit.build import FIGURE_FORMATS, cache_key
from bookkit.project import copy_project, run_in_copy

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
CHAPTER = Path("book/chapters/01_univariate.md")
CLAIMS = Path("src/gaussml/derivations/univariate.py")
FORMATS = FIGURE_FORMATS  # those of `make book`

REDUCED_TOC = """\
format: jb-book
root: book/intro
parts:
  - caption: Chapters
    numbered: true
    chapters:
      - file: book/chapters/01_univariate
      - glob: book/reduced/*  # the other chapters as stubs (make_copy)
  - caption: Appendices
    chapters:
      - file: book/appendices/0_jax_primer  # the introduction links it
      - glob: book/reduced-appendices/*  # the other appendices the introduction links, as stubs
      - file: book/appendices/a_verification_report  # runs every claim
      - file: book/appendices/d_api  # chapter 1 links its functions here
      - file: book/appendices/e_references  # chapter 1's citations resolve here
"""


# --- helpers ----------------------------------------------------------------------


def make_copy(dest: Path) -> Path:
    """A buildable copy of the project in `dest`, with the reduced table of contents."""
    # All of it, tests/ too: test_derivations.py checks that each claim's Monte Carlo test
    # exists there.
    copy_project(ROOT, dest)
    (dest / "_toc.yml").write_text(REDUCED_TOC, encoding="utf-8")
    # The other chapters stay in book/chapters (the claims' bindings read them) but out of
    # the table of contents; a stub of each, in its own folder, carries its label.
    stubs = dest / "book" / "reduced"
    stubs.mkdir()
    for chapter in sorted((dest / "book" / "chapters").glob("*.md")):
        if chapter.name != CHAPTER.name:
            (stubs / chapter.name).write_text(
                _stub(chapter.read_text(encoding="utf-8")), encoding="utf-8"
            )
    # The appendices that continue a chapter (1_..., 3_...): stubs too, for their labels.
    appendix_stubs = dest / "book" / "reduced-appendices"
    appendix_stubs.mkdir()
    for appendix in sorted((dest / "book" / "appendices").glob("[1-9]_*.md")):
        (appendix_stubs / appendix.name).write_text(
            _stub(appendix.read_text(encoding="utf-8")), encoding="utf-8"
        )
    return dest


def _stub(page: str) -> str:
    """A chapter or appendix reduced to its label and title: the pages kept refer to them by label
    ({ref}`ch-nn`), and the copy builds without executing the chapters it does not test."""
    label = re.search(r"^\((?:ch|app)-[\w-]+\)=$", page, re.MULTILINE).group(0)
    title = re.search(r"^# .+$", page, re.MULTILINE).group(0)
    return f"{label}\n{title}\n\nNot part of this reduced copy.\n"


def replace_once(path: Path, old: str, new: str) -> None:
    """Replace `old` (which must occur exactly once) in `path`."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{path} no longer contains {old!r} exactly once: update this gate"
    path.write_text(text.replace(old, new), encoding="utf-8")


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.write(text)


def copy_env(copy: Path) -> dict[str, str]:
    # The copy's own package, not the one installed in the venv (nor the clone's).
    return {**os.environ, "PYTHONPATH": str(copy / "src"), "PYTHONDONTWRITEBYTECODE": "1"}


def seed_caches(copy: Path, outputs_of: str | None = None) -> None:
    """Copy the clone's caches that fit `copy` (its key) into it, if the clone has them.

    `outputs_of`: the key whose page outputs the copy starts from instead of its own
    (a gate whose edit of `src/` cannot change what a page computes).
    """
    key = cache_key(copy, FORMATS)
    outputs = ROOT / "_build" / ".jupyter_cache" / (outputs_of or key)
    for cache, dest in (
        (outputs, copy / "_build" / ".jupyter_cache" / key),
        # Keyed on each claim's code and displayed LaTeX: an edited claim or display
        # of the copy misses it and runs (gaussml.derivations._results).
        (ROOT / "_build" / "claims", copy / "_build" / "claims"),
    ):
        if cache.is_dir() and not dest.exists():
            shutil.copytree(cache, dest)


def build(copy: Path, outputs_of: str | None = None) -> subprocess.CompletedProcess:
    """The strict HTML build of `copy`, as `make book` runs it; output in .stdout
    (and in the copy's build.log, for a look after a failure)."""
    seed_caches(copy, outputs_of)
    log = copy / "build.log"
    command = [str(BIN / "python"), "-m", "bookkit.build", str(copy)]
    rc, _ = run_in_copy(copy, command, log, PYTHONDONTWRITEBYTECODE="1")
    return subprocess.CompletedProcess(command, rc, log.read_text(encoding="utf-8"))


def run_tests(copy: Path, *args: str) -> subprocess.CompletedProcess:
    """pytest on the copy's tests, importing the copy's package (and reading the clone's
    claim results, keyed on each claim's code: only what the copy changed runs)."""
    claims = ROOT / "_build" / "claims"
    if claims.is_dir() and not (copy / "_build" / "claims").exists():
        shutil.copytree(claims, copy / "_build" / "claims")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args],
        cwd=copy,
        env=copy_env(copy),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=600,
    )


def tail(result: subprocess.CompletedProcess, n: int = 60) -> str:
    return "\n".join(result.stdout.splitlines()[-n:])


# --- the failure gates (slow: one build each) ---------------------------------------

slow = pytest.mark.slow


@slow
def test_control_the_unbroken_copy_builds(tmp_path):
    copy = make_copy(tmp_path / "book")
    result = build(copy)
    assert result.returncode == 0, tail(result)
    assert "build succeeded" in result.stdout
    assert (copy / "_build" / "html" / CHAPTER.with_suffix(".html")).is_file()
    # And the copy's own derivation tests pass, so the gate (c) below fails only for its reason.
    tests = run_tests(copy, "tests/claims/test_derivations.py")
    assert tests.returncode == 0, tail(tests)


@slow
def test_a_chapter_cell_that_raises_fails_the_build(tmp_path):
    copy = make_copy(tmp_path / "book")
    # The chapter's first cell: execution stops there, so the gate does not wait for
    # the rest of the chapter to run before it fails.
    first = "```{code-cell} ipython3\n"
    raising = first + 'raise RuntimeError("gate (a): this cell raises")\n```\n\n'
    chapter = (copy / CHAPTER).read_text(encoding="utf-8")
    (copy / CHAPTER).write_text(chapter.replace(first, raising + first, 1), encoding="utf-8")
    result = build(copy)
    assert result.returncode != 0, tail(result)
    assert "gate (a): this cell raises" in result.stdout, tail(result)
    assert re.search(r"Executing notebook failed|CellExecutionError", result.stdout), tail(result)
    assert "01_univariate" in result.stdout


@slow
def test_a_false_claim_fails_the_build(tmp_path):
    copy = make_copy(tmp_path / "book")
    unedited = cache_key(copy, FORMATS)
    # The density would integrate to 2: false, and sympy must say so on the verification report.
    replace_once(
        copy / CLAIMS,
        'sp.integrate(p, (x, -sp.oo, sp.oo)), 1, "integral of the density"',
        'sp.integrate(p, (x, -sp.oo, sp.oo)), 2, "integral of the density"',
    )
    # The edit changes the execution key (all of src/), but no page computes with a
    # claim's body: the pages' outputs of the unedited key serve, and only the claim
    # runs again (its code changed: the claim-results cache misses it).
    result = build(copy, outputs_of=unedited)
    assert result.returncode != 0, tail(result)
    assert "ClaimFailed" in result.stdout, tail(result)
    assert "integral of the density: 1 != 2" in result.stdout, tail(result)


UNCLAIMED = "\n$$\na = b\n$$ (uni-gate-unclaimed)\n\nSee {eq}`uni-gate-unclaimed`.\n"


@slow
def test_an_equation_without_claim_fails_the_derivation_tests(tmp_path):
    """Caught from the MyST sources by tests/claims/test_derivations.py (run by `make test`)."""
    copy = make_copy(tmp_path / "book")
    append(copy / CHAPTER, UNCLAIMED)
    tests = run_tests(copy, "tests/claims/test_derivations.py")
    assert tests.returncode != 0, tail(tests)
    assert "numbered equations without a claim in gaussml.derivations: ['uni-gate-unclaimed']" in (
        tests.stdout
    ), tail(tests)
    assert "1 failed" in tests.stdout, tail(tests)


def warnings_of(result: subprocess.CompletedProcess) -> str:
    """The build's warning lines: under -W each fails the build, and --keep-going
    reports every one (the control build above has none)."""
    return "\n".join(line for line in result.stdout.splitlines() if "WARNING:" in line)


@slow
def test_an_unclaimed_equation_an_edited_display_and_a_broken_reference_each_fail_the_build(
    tmp_path,
):
    """Three faults found by Sphinx, in one build (one build saved per fault): each is
    seen as its own warning, which the strict build (-W) turns into its failure.

    - an equation without claim: the `equation_claims` extension
      (bookkit.sphinx.equation_claims);
    - an edited displayed equation: the claim still holds, but the page shows another
      formula, so the binding fails;
    - a broken cross-reference (a {ref} and a {numref}).
    """
    config = (ROOT / "_config.yml").read_text(encoding="utf-8")
    assert "bookkit.sphinx.equation_claims" in config, (
        "_config.yml does not enable bookkit.sphinx.equation_claims: add it "
        "under `sphinx: extra_extensions:`"
    )
    copy = make_copy(tmp_path / "book")
    append(copy / CHAPTER, UNCLAIMED)
    replace_once(
        copy / CHAPTER,
        r"p(\mu) = \frac{1}{\sqrt{2\pi}\,\sigma}.",
        r"p(\mu) = \frac{1}{2\pi\sigma^2}.",
    )
    append(
        copy / CHAPTER,
        "\nSee {ref}`gate-d-no-such-section` and {numref}`fig-gate-d-no-such-figure`.\n",
    )
    result = build(copy)
    assert result.returncode != 0, tail(result)
    warnings = warnings_of(result)
    assert "numbered equation 'uni-gate-unclaimed' has no claim" in warnings, tail(result)
    edited = r"uni-pdf-max, statement 1, side 2: displayed .* checked"
    assert re.search(edited, warnings), tail(result)
    assert re.search(r"undefined label: '?gate-d-no-such-section", warnings), tail(result)
    assert "fig-gate-d-no-such-figure" in warnings, tail(result)


# --- the other gates fail too (fast) -------------------------------------------------


def _tiny_site(folder: Path, intro_body: str) -> Path:
    (folder / "book").mkdir(parents=True)
    (folder / "index.html").write_text(
        '<meta http-equiv="Refresh" content="0; url=book/intro.html" />', encoding="utf-8"
    )
    (folder / "book" / "intro.html").write_text(
        f'<html><body><h1 id="top">Intro</h1>{intro_body}</body></html>', encoding="utf-8"
    )
    (folder / "book" / "other.html").write_text(
        '<html><body><h1 id="there">Other</h1><a href="intro.html#top">back</a></body></html>',
        encoding="utf-8",
    )
    return folder


def check_links(site: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bookkit.check_links", str(site)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=120,
    )


def test_link_check_passes_good_links(tmp_path):
    site = _tiny_site(
        tmp_path,
        '<a href="other.html#there">on</a> <a href="#top">up</a> <a name="old-style"></a>'
        '<a href="https://example.org/#far">away</a> <a href="mailto:a@b.org">mail</a>'
        '<a href="../book/other.html#there">round about</a> <a href="#old-style">old</a>'
        '<a href="other%2Ehtml#there">encoded</a>',
    )
    result = check_links(site)
    assert result.returncode == 0, result.stdout
    assert "0 broken" in result.stdout, result.stdout


@pytest.mark.parametrize(
    ("link", "reason"),
    [
        ('<a href="missing.html">x</a>', "'missing.html': no file book/missing.html"),
        ('<a href="other.html#nowhere">x</a>', "no anchor #nowhere in book/other.html"),
        ('<a href="#not-here">x</a>', "no anchor #not-here in book/intro.html"),
        ('<img src="../_images/missing.svg">', "no file _images/missing.svg"),
        ('<img srcset="../_images/missing.png 2x">', "no file _images/missing.png"),
        ('<script src="../../outside.js"></script>', "leaves the site"),
    ],
)
def test_link_check_fails_a_broken_link(tmp_path, link, reason):
    site = _tiny_site(tmp_path, link)
    result = check_links(site)
    assert result.returncode != 0, result.stdout
    assert reason in result.stdout, result.stdout
    assert "1 broken" in result.stdout, result.stdout


def test_link_check_follows_the_index_redirect(tmp_path):
    site = _tiny_site(tmp_path, "")
    (site / "book" / "intro.html").unlink()
    (site / "book" / "other.html").write_text("<html><body></body></html>", encoding="utf-8")
    result = check_links(site)
    assert result.returncode != 0, result.stdout
    assert "index.html:1: <meta> 'book/intro.html': no file book/intro.html" in result.stdout


def _fake_build(folder: Path, *, number: str, figure: str, seconds: str) -> Path:
    (folder / "jupyter_execute" / "book").mkdir(parents=True)
    (folder / "jupyter_execute" / "book" / "ch.glue.json").write_text(
        f'{{"x": {{"text/plain": "{number}"}}}}', encoding="utf-8"
    )
    (folder / "html" / "book" / "appendices").mkdir(parents=True)
    (folder / "html" / "index.html").write_text("<meta>", encoding="utf-8")
    (folder / "html" / "book" / "ch.html").write_text(
        f'<html><body><article><p>x is {number}</p><img src="../_images/{figure}.svg">'
        f'<script src="a.js?v={seconds}abc"></script></article></body></html>',
        encoding="utf-8",
    )
    (folder / "html" / "book" / "appendices" / "c_execution.html").write_text(
        f"<html><body><article><p>Statistics</p><table><tr><td>{seconds}</td></tr></table>"
        "</article></body></html>",
        encoding="utf-8",
    )
    return folder


def test_reproducibility_check_ignores_only_run_times(tmp_path):
    repro = check_reproducible
    a = _fake_build(tmp_path / "a", number="1.5", figure="f00d", seconds="12")
    b = _fake_build(tmp_path / "b", number="1.5", figure="f00d", seconds="34")
    assert repro.compare(a, a, b, b) == []


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"number": "1.6"}, "glued value book/ch.glue.json:x differs"),
        ({"figure": "beef"}, "rendered text of book/ch.html differs"),
    ],
)
def test_reproducibility_check_fails_on_a_difference(tmp_path, change, reason):
    repro = check_reproducible
    a = _fake_build(tmp_path / "a", number="1.5", figure="f00d", seconds="12")
    b = _fake_build(
        tmp_path / "b", **{"number": "1.5", "figure": "f00d", "seconds": "12", **change}
    )
    problems = repro.compare(a, a, b, b)
    assert any(reason in p for p in problems), problems
