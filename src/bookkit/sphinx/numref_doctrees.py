"""Sphinx extension: number figures and resolve `{numref}` without unpickling every page.

Sphinx 7.4 unpickles whole pages (`env.get_doctree`, about 0.1 s for a
chapter of this book, 0.4 s for the API reference) where it needs a few
nodes of them:

- **Figure numbers.** After every read, however few pages changed, it walks
  every page of the table of contents to number the figures, tables, code
  blocks and exercises (`TocTreeCollector.assign_figure_numbers`). The walk
  reads only the sections (their ids), the toctrees and the numbered
  elements; this extension keeps, for each page, a skeleton with only those
  (and the elements on the way to them), made from the page's doctree and
  kept in the environment under the doctree file's hash. Sphinx's own walk
  then runs on the skeletons: a page whose doctree did not change is not
  unpickled (a prose edit of one chapter unpickles one page, not fifteen).
- **Numbered references.** It resolves every `{numref}` (and `{ref}` to a
  figure, table or exercise) by `env.get_doctree(docname)`, only to look up
  one node's number. Once the pages are read, the doctrees do not change
  until the next build: each target page's doctree is unpickled once for the
  lookups of the writing phase. The writers still get their own fresh copy
  from `get_doctree`.

Enable it in _config.yml with `sphinx: extra_extensions: [bookkit.sphinx.numref_doctrees]`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.domains.std import StandardDomain
from sphinx.environment.collectors.toctree import TocTreeCollector

_DOCTREES: dict[str, object] = {}  # docname -> doctree, for lookups only
_resolve_numref_xref = StandardDomain._resolve_numref_xref
_assign_figure_numbers = TocTreeCollector.assign_figure_numbers


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


# --- figure numbers -------------------------------------------------------------------


def figure_type(env, node) -> str | None:
    """The element's numbered type as the figure numbering decides it (Sphinx's own test)."""
    for domain in env.domains.values():
        figtype = domain.get_enumerable_node_type(node)
        if domain.name == "std" and not domain.get_numfig_title(node):
            continue  # an uncaptioned element is not numbered
        if figtype:
            return figtype
    return None


def _kept_children(env, element) -> list:
    """Copies of what the figure numbering reads among `element`'s children (see `skeleton`)."""
    kept = []
    for child in element.children:
        if not isinstance(child, nodes.Element):
            continue
        if isinstance(child, addnodes.toctree) or (
            not isinstance(child, nodes.section) and figure_type(env, child)
        ):
            kept.append(child.deepcopy())
            continue
        inner = _kept_children(env, child)
        if inner:
            shell = child.copy()
            shell.extend(inner)
            whole = not isinstance(child, nodes.section) and figure_type(env, shell)
            kept.append(child.deepcopy() if whole else shell)
    return kept


def skeleton(env, doctree) -> nodes.Element:
    """A tree that the figure numbering walks as it walks the page's `doctree`.

    It holds the page's sections, toctrees and numbered elements (each whole),
    and the elements on the way to them, without their other children (one
    that this would make numbered is kept whole); nothing else, and no link
    to the page's document, so that it pickles alone.
    """
    root = nodes.Element()
    root.extend(_kept_children(env, doctree))
    for node in root.findall():
        node.document = None
    return root


class _SkeletonDoctrees:
    """`env` as the figure numbering sees it: `get_doctree` serves each page's skeleton,
    made again only when the page's doctree file changed."""

    def __init__(self, env, kept: dict, used: dict):
        object.__setattr__(self, "_env", env)
        object.__setattr__(self, "_kept", kept)
        object.__setattr__(self, "_used", used)

    def __getattr__(self, name):
        return getattr(self._env, name)

    def __setattr__(self, name, value):
        setattr(self._env, name, value)

    def get_doctree(self, docname: str):
        path = Path(self._env.doctreedir) / f"{docname}.doctree"
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        held = self._kept.get(docname)
        if held is None or held[0] != digest:
            held = (digest, skeleton(self._env, self._env.get_doctree(docname)))
        self._used[docname] = held
        return held[1]


def _assign_figure_numbers_from_skeletons(self, env):
    used: dict = {}
    kept = getattr(env, "gaussml_figure_skeletons", {})
    try:
        return _assign_figure_numbers(self, _SkeletonDoctrees(env, kept, used))
    finally:
        env.gaussml_figure_skeletons = used  # pickled with the environment


def setup(app):
    StandardDomain._resolve_numref_xref = _resolve_numref_with_kept_doctrees
    TocTreeCollector.assign_figure_numbers = _assign_figure_numbers_from_skeletons
    # Kept from the end of reading to the end of the build: never across a read.
    app.connect("env-updated", _forget)
    app.connect("build-finished", _forget)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
