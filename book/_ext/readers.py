"""Sphinx extension: what every reader needs beyond the text.

- The book's version, read from `pyproject.toml` (one place), becomes Sphinx's
  `version` and `release` and the MyST substitution `{{ book_version }}` that
  the introduction's "How to cite" uses.
- `book/_static/readers.css`: figures legible in the theme's dark mode.

Enable it in _config.yml with `sphinx: local_extensions: {readers: book/_ext}`.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the repository
STATIC = Path(__file__).resolve().parents[1] / "_static"  # book/_static


def book_version(root: Path = ROOT) -> str:
    """The version of the book: `project.version` of `pyproject.toml`."""
    with open(root / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]["version"]


def _configure(app, config):
    version = book_version()
    config.version = config.release = version
    substitutions = dict(config.myst_substitutions or {})
    substitutions["book_version"] = version
    config.myst_substitutions = substitutions
    if str(STATIC) not in map(str, config.html_static_path):
        config.html_static_path.append(str(STATIC))


def setup(app):
    app.connect("config-inited", _configure)
    app.add_css_file("readers.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
