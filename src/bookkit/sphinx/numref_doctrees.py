"""Sphinx extension: resolve `{numref}` without unpickling the target page each time.

Sphinx 7.4's standard domain resolves every `{numref}` (and `{ref}` to a
figure, table or exercise) by `env.get_doctree(docname)`, which unpickles the
whole target page, about 0.1 s for a chapter of this book, only to look up one
node's number. With a few hundred references a full build spent half a
minute there. Once the pages are read, the doctrees do not change until the
next build, and the lookup only reads the node: this extension keeps each
target page's doctree, unpickled once, for the numref lookups of the writing
phase. The writers still get their own fresh copy from `get_doctree`.

Enable it in _config.yml with `sphinx: extra_extensions: [bookkit.sphinx.numref_doctrees]`.
"""

from __future__ import annotations

from sphinx.domains.std import StandardDomain

_DOCTREES: dict[str, object] = {}  # docname -> doctree, for lookups only
_resolve_numref_xref = StandardDomain._resolve_numref_xref


class _ReadOnlyDoctrees:
    """`env` as the lookup sees it: its `get_doctree` serves a kept doctree."""

    def __init__(self, env):
        self._env = env

    def __getattr__(self, name):
        return getattr(self._env, name)

    def get_doctree(self, docname: str):
        if docname not in _DOCTREES:
            _DOCTREES[docname] = self._env.get_doctree(docname)
        return _DOCTREES[docname]


def _resolve_numref_with_kept_doctrees(self, env, *args, **kwargs):
    return _resolve_numref_xref(self, _ReadOnlyDoctrees(env), *args, **kwargs)


def _forget(*_args) -> None:
    _DOCTREES.clear()


def setup(app):
    StandardDomain._resolve_numref_xref = _resolve_numref_with_kept_doctrees
    # Kept from the end of reading to the end of the build: never across a read.
    app.connect("env-updated", _forget)
    app.connect("build-finished", _forget)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
