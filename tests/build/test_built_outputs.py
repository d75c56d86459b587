"""`built_outputs`: a build older than a source it depends on is not tested; the site's pages;
a missing output skips, or fails where a variable requires the builds."""

import os

import pytest

from built_outputs import newest_source, outdated, site_pages, unavailable


def _tree(root):
    (root / "book").mkdir()
    (root / "src/gaussml/__pycache__").mkdir(parents=True)
    for name in ("book/page.md", "src/gaussml/mod.py", "_config.yml", "_toc.yml"):
        (root / name).write_text("x")
    output = root / "_build/book.pdf"
    output.parent.mkdir()
    output.write_text("pdf")
    for path in (root / "book/page.md", root / "src/gaussml/mod.py", root / "_config.yml"):
        os.utime(path, (1_000, 1_000))
    os.utime(root / "_toc.yml", (2_000, 2_000))
    os.utime(output, (3_000, 3_000))
    return output


def test_an_output_newer_than_every_source_is_tested(tmp_path):
    output = _tree(tmp_path)
    assert outdated(output, "make pdf", tmp_path) is None


def test_an_output_older_than_a_source_names_the_source_and_the_target(tmp_path):
    output = _tree(tmp_path)
    os.utime(tmp_path / "src/gaussml/mod.py", (4_000, 4_000))
    why = outdated(output, "make pdf", tmp_path)
    assert why is not None and "src/gaussml/mod.py" in why and "'make pdf'" in why


def test_a_missing_output_says_how_to_build_it(tmp_path):
    _tree(tmp_path)
    why = outdated(tmp_path / "_build/none.pdf", "make handout", tmp_path)
    assert why is not None and why.startswith("no ") and "'make handout'" in why


def test_bytecode_and_hidden_files_are_not_sources(tmp_path):
    output = _tree(tmp_path)
    for name in ("src/gaussml/__pycache__/mod.cpython-311.pyc", "book/.ipynb_checkpoints"):
        (tmp_path / name).write_text("x")
        os.utime(tmp_path / name, (5_000, 5_000))
    assert newest_source(tmp_path) == tmp_path / "_toc.yml"
    assert outdated(output, "make pdf", tmp_path) is None


def test_the_site_pages_are_its_html_files_without_static_or_sources(tmp_path):
    assert site_pages(tmp_path) == []  # no index.html: no site
    for name in ("index.html", "book/b.html", "book/a.html", "_static/x.html", "_sources/y.html"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("<html></html>")
    assert site_pages(tmp_path) == ["book/a.html", "book/b.html", "index.html"]


def test_a_missing_output_skips_unless_required(monkeypatch):
    monkeypatch.delenv("GAUSSML_REQUIRE_BUILDS", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no site"):
        unavailable("no site")
    monkeypatch.setenv("GAUSSML_REQUIRE_BUILDS", "1")
    with pytest.raises(pytest.fail.Exception, match=r"no site \(GAUSSML_REQUIRE_BUILDS=1\)"):
        unavailable("no site")
    monkeypatch.setenv("GAUSSML_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="GAUSSML_REQUIRE_BROWSER=1"):
        unavailable("no browser", "GAUSSML_REQUIRE_BROWSER")
