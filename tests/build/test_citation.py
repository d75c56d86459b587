"""The book is citable: `CITATION.cff` and the introduction give the version of `pyproject.toml`."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import yaml

from bookkit.sphinx.readers import book_version

ROOT = Path(__file__).resolve().parents[2]


def _pyproject_version() -> str:
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]["version"]


def test_citation_cff_has_the_version_and_title_of_the_book():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    assert str(cff["version"]) == _pyproject_version()
    assert cff["title"] == config["title"]
    assert cff["authors"] == [{"name": config["author"]}]
    assert cff["message"] and cff["type"] == "software"


def test_the_configuration_reads_the_version_from_pyproject():
    assert book_version() == _pyproject_version()


def test_the_introduction_cites_the_version_without_typing_it():
    intro = (ROOT / "book" / "intro.md").read_text(encoding="utf-8")
    section = intro.split("## How to cite", 1)[1].split("\n## ", 1)[0]
    assert "{{ book_version }}" in section
    assert _pyproject_version() not in section


def test_the_built_introduction_shows_the_version():
    page = ROOT / "_build" / "html" / "book" / "intro.html"
    if not page.exists():
        pytest.skip("no built site: run 'make book' first")
    assert f"version {_pyproject_version()}" in " ".join(page.read_text(encoding="utf-8").split())
