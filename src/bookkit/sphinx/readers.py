"""Sphinx extension: what every reader needs beyond the text.

- The book's version, read from `pyproject.toml` (one place), becomes Sphinx's
  `version` and `release` and the MyST substitution `{{ book_version }}` that
  the introduction's "How to cite" uses.
- `src/bookkit/sphinx/static/readers.css`: figures legible in the theme's dark mode; links
  with enough contrast on tinted boxes.
- The bibliography's ARIA roles: docutils marks each entry of the citation
  list (`role="list"`) with `doc-biblioentry`, which DPUB-ARIA 1.1 deprecates
  and which is not the `listitem` a list must contain (axe-core:
  aria-deprecated-role, aria-required-children); each entry becomes a
  `listitem`.

Enable it in _config.yml with `sphinx: extra_extensions: [bookkit.sphinx.readers]`.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from .. import ROOT
from . import add_static_path


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
    add_static_path(app, config)


def _bibliography_roles(app, pagename, templatename, context, doctree):
    body = context.get("body")
    if body and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


def setup(app):
    app.connect("config-inited", _configure)
    app.connect("html-page-context", _bibliography_roles)
    app.add_css_file("readers.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
