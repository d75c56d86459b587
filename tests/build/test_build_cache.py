"""The build's execution cache cannot go stale (bookkit.build).

A one-page book in a temporary copy of the project: the page calls a package
function and prints its result. Built once cold, then:

- after a prose edit, nothing executes again (the build's report lists the page
  as cached, myst-nb says it used the cached notebook) and the new prose is on
  the page;
- after an edit of the package function, the page executes again and shows the
  new result (the cache key holds a hash of `src/gaussml`).

The keys themselves (fast tests): the execution key changes with the package,
the pins and the figure formats, and not with the chapters' prose, the
Sphinx extensions or the rest of the tooling (`src/bookkit`); the extensions
key changes with the extensions too.

The builds are marked `slow` (`make test-slow`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bookkit.build import (
    cache_key,
    code_fingerprint,
    derived_config,
    execution_order,
    extensions_key,
    jax_cache_env,
    jax_cache_folder,
    prune_jax_cache,
    toc_pages,
)
from bookkit.project import copy_project, run_in_copy

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv" / "bin" / "python"

PAGE = """\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# Probe

```{code-cell} ipython3
from gaussml import univariate

print(f"probe value {float(univariate.pdf(0.0)):.6f}")
```

The first sentence.
"""

TOC = "format: jb-book\nroot: book/probe\n"
EDIT = (
    "\n\n_pdf_before_edit = pdf\n\n\n"
    "def pdf(x, *, mean=0.0, std=1.0):\n"
    "    return 2.0 * _pdf_before_edit(x, mean=mean, std=std)\n"
)


def make_probe(dest: Path) -> Path:
    copy_project(ROOT, dest)
    (dest / "book" / "probe.md").write_text(PAGE, encoding="utf-8")
    (dest / "_toc.yml").write_text(TOC, encoding="utf-8")
    return dest


def build(copy: Path, n: int) -> tuple[dict, str]:
    """Build `copy` as `make book` does; the build's report and its log."""
    report, log = copy / f"report-{n}.json", copy / f"build-{n}.log"
    command = [str(PYTHON), "-m", "bookkit.build", str(copy), "--report", str(report)]
    rc, _ = run_in_copy(copy, command, log)
    output = log.read_text(encoding="utf-8")
    assert rc == 0, output[-3000:]
    return json.loads(report.read_text(encoding="utf-8")), output


def page_html(copy: Path) -> str:
    return (copy / "_build" / "html" / "book" / "probe.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_prose_edit_reuses_outputs_and_package_edit_re_executes(tmp_path):
    copy = make_probe(tmp_path / "book")
    report, _ = build(copy, 1)
    assert list(report["executed"]) == ["book/probe.md"], report
    assert report["executed"]["book/probe.md"]["error"] is None
    assert "probe value 0.398942" in page_html(copy)

    page = copy / "book" / "probe.md"
    page.write_text(page.read_text().replace("first sentence", "edited sentence"))
    report, log = build(copy, 2)
    assert report["executed"] == {}, report
    assert report["cached"] == ["book/probe.md"], report
    assert "probe.md: Using cached notebook" in log
    assert "Executing notebook" not in log
    html = page_html(copy)
    assert "edited sentence" in html and "probe value 0.398942" in html

    # A code edit after a prose-only build (which read no notebook: CODE_MEMO) executes.
    page.write_text(page.read_text().replace("probe value", "probe value:"))
    report, _ = build(copy, 3)
    assert list(report["executed"]) == ["book/probe.md"], report
    assert "probe value: 0.398942" in page_html(copy)

    with (copy / "src" / "gaussml" / "univariate.py").open("a", encoding="utf-8") as f:
        f.write(EDIT)
    report, _ = build(copy, 4)
    assert list(report["executed"]) == ["book/probe.md"], report
    html = page_html(copy)
    assert "probe value: 0.797885" in html, "the page kept the output of the old package"
    assert "probe value: 0.398942" not in html


# --- the key (fast) ---------------------------------------------------------------------


@pytest.fixture
def project(tmp_path):
    return make_probe(tmp_path / "book")


@pytest.mark.parametrize(
    "edit", ["src/gaussml/univariate.py", "requirements.txt", "pyproject.toml"]
)
def test_the_key_changes_with_what_outputs_depend_on(project, edit):
    before = cache_key(project, "svg")
    with (project / edit).open("a", encoding="utf-8") as f:
        f.write("\n# an edit\n")
    assert cache_key(project, "svg") != before


def test_an_extension_edit_changes_the_extensions_key_only(project):
    key = cache_key(project, "svg")
    before = extensions_key(project, key)
    with (project / "src" / "bookkit" / "sphinx" / "readers.py").open("a", encoding="utf-8") as f:
        f.write("\n# an edit\n")
    assert cache_key(project, "svg") == key, "an extension does not run in the pages"
    assert extensions_key(project, key) != before
    assert extensions_key(project, "another key") != before


def test_a_tooling_edit_changes_neither_key(project):
    """The tooling outside the extensions (src/bookkit) runs neither in the pages nor in Sphinx."""
    key = cache_key(project, "svg")
    before = extensions_key(project, key)
    with (project / "src" / "bookkit" / "check_numbers.py").open("a", encoding="utf-8") as f:
        f.write("\n# an edit\n")
    assert cache_key(project, "svg") == key, "editing the tooling would re-execute every page"
    assert extensions_key(project, key) == before


def test_the_key_changes_with_the_figure_formats(project):
    assert cache_key(project, "svg") != cache_key(project, "pdf")


def test_the_key_ignores_the_prose_and_bytecode(project):
    before = cache_key(project, "svg")
    with (project / "book" / "probe.md").open("a", encoding="utf-8") as f:
        f.write("\nMore prose.\n")
    (project / "src" / "gaussml" / "__pycache__").mkdir(exist_ok=True)
    (project / "src" / "gaussml" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0")
    assert cache_key(project, "svg") == before


CODE_PAGE = """---
kernelspec:
  name: python3
---
# A page

Some prose.

```{code-cell} ipython3
:tags: [hide-input]
x = 1
```

More prose.
"""


@pytest.mark.parametrize(
    ("old", "new", "same"),
    [
        ("Some prose.", "Some edited prose.", True),
        ("# A page", "# A renamed page", True),
        ("x = 1", "x = 2", False),
        ("[hide-input]", "[remove-input]", False),
        ("name: python3", "name: python2", False),
        ("More prose.", "```{code-cell} ipython3\ny = 2\n```", False),
    ],
)
def test_the_code_fingerprint_ignores_only_the_prose(old, new, same):
    """A prose-edit rebuild skips the cache look-up (bookkit.build.CODE_MEMO) only when
    no code cell, cell option or front matter changed."""
    assert (code_fingerprint(CODE_PAGE) == code_fingerprint(CODE_PAGE.replace(old, new))) is same


def test_the_pages_are_those_of_the_table_of_contents():
    pages = toc_pages(ROOT, ROOT / "_toc.yml")
    names = [p.relative_to(ROOT).as_posix() for p in pages]
    assert names[0] == "book/intro.md"
    assert "book/chapters/01_univariate.md" in names
    assert all(n.startswith("book/") for n in names)


def test_the_claims_settings_go_only_to_a_book_with_the_claims_extensions(tmp_path):
    book = {"sphinx": {"extra_extensions": ["bookkit.sphinx.equation_claims"]}}
    derived = derived_config(book, tmp_path, tmp_path / "cache", "ext")
    settings = derived["sphinx"]["config"]
    assert settings["gaussml_extensions_key"] == "ext"
    # The claims' results have their own cache, keyed on each claim's code (not the build's key).
    assert "gaussml_claims_cache" not in settings
    plain = derived_config({"title": "t"}, tmp_path, tmp_path / "cache", "ext")
    assert "config" not in plain["sphinx"], "Sphinx would warn of unknown settings"


def test_the_longest_pages_execute_first():
    """Known run times first decide, longest first; a page never run comes before
    them; without times, the longer code goes first (the prose does not count)."""
    from types import SimpleNamespace

    def nb(code: str, prose: str = ""):
        cells = [SimpleNamespace(cell_type="markdown", source=prose)]
        return SimpleNamespace(cells=[*cells, SimpleNamespace(cell_type="code", source=code)])

    pages = {
        "a.md": nb("x = 1", prose="long prose " * 100),
        "b.md": nb("y = 2" * 10),
        "c.md": nb("z"),
        "new.md": nb("w"),
    }
    seconds = {"a.md": 3.0, "b.md": 1.0, "c.md": 30.0}
    order = sorted(pages, key=lambda p: execution_order(Path(p), pages[p], seconds))
    assert order == ["new.md", "c.md", "a.md", "b.md"]
    unknown = sorted(pages, key=lambda p: execution_order(Path(p), pages[p], {}))
    assert unknown[:2] == ["b.md", "a.md"]


def test_jax_programs_go_to_the_users_cache_folder(monkeypatch, tmp_path):
    """One folder per machine, beside uv's download cache, unless moved."""
    monkeypatch.delenv("GAUSSML_JAX_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert jax_cache_folder() == tmp_path / "xdg" / "gaussml" / "jax"
    monkeypatch.setenv("GAUSSML_JAX_CACHE", str(tmp_path / "mine"))
    assert jax_cache_folder() == tmp_path / "mine"
    assert jax_cache_env()["JAX_COMPILATION_CACHE_DIR"] == str(tmp_path / "mine")


def test_a_full_jax_cache_loses_its_oldest_programs_down_to_half(tmp_path):
    for i in range(10):  # 10 programs of 100 bytes, program-0 the oldest
        path = tmp_path / f"program-{i}-cache"
        path.write_bytes(b"x" * 100)
        os.utime(path, (1000 + i, 1000 + i))
    assert prune_jax_cache(tmp_path, max_bytes=1000) == []
    deleted = prune_jax_cache(tmp_path, max_bytes=900)
    assert sorted(p.name for p in deleted) == [f"program-{i}-cache" for i in range(6)]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        f"program-{i}-cache" for i in range(6, 10)
    ]
    assert prune_jax_cache(tmp_path / "absent") == []
