"""Sphinx extension: three fixes to Sphinx 7.4's builders.

- **Duplicated inline scripts.** Extensions that add an inline script
  (`app.add_js_file(None, body=...)`) after `Builder.init()`, such as
  sphinx-thebe and sphinx-togglebutton, get it twice in every page: once as
  added (filename `None`) and once more from
  `StandaloneHTMLBuilder.prepare_writing`, which re-adds the registry's assets
  with filename `''`. The two copies do not compare equal, so neither is
  dropped, and sphinx-thebe's second `const THEBE_JS_URL = ...` is a
  SyntaxError in the browser console (found by tests/site/test_site_browser.py).
- **Index entries lost by an incremental build.** The search index's
  `indexentries` (what search finds of the API's index, e.g. a function's
  name) are collected while pages are written, after the environment is
  saved, and `IndexBuilder.load` does not read them back from the last
  `searchindex.js`: after a rebuild that writes only the edited page, they
  hold that page's entries alone (none for a chapter). `load` here also reads
  them back, and `prune` drops those of the pages written again, which `feed`
  then gives anew.
- **Admonitions without a label in the PDF.** The LaTeX writer gives a named
  admonition (`:name: uni-tests`) no `\\label`, so every `{ref}` to it is an
  undefined hyper reference in the PDF (LaTeX warns; the link leads nowhere).
  A target before each such admonition gives it its label (LaTeX builds only).

Enable it in _config.yml with `sphinx: extra_extensions: [bookkit.sphinx.sphinx_asset_fixes]`.
"""

from __future__ import annotations

import io

from docutils import nodes
from sphinx.search import IndexBuilder
from sphinx.transforms.post_transforms import SphinxPostTransform


def _drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        attributes = tuple(sorted(getattr(script, "attributes", {}).items()))
        key = (getattr(script, "filename", script) or "", attributes)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


_load, _prune = IndexBuilder.load, IndexBuilder.prune


def _load_with_index_entries(self, stream, format):
    """`IndexBuilder.load`, and the index entries of the frozen index (`freeze`'s form:
    entry -> [(page number, anchor, main)]) back into `_index_entries` (page -> entries)."""
    text = stream.read()
    _load(self, io.StringIO(text), format)
    frozen = (self.formats[format] if isinstance(format, str) else format).loads(text)
    pages = frozen["docnames"]
    entries: dict[str, list[tuple[str, str, str]]] = {}
    for entry, places in frozen.get("indexentries", {}).items():
        for page, anchor, main in places:
            entries.setdefault(pages[page], []).append((entry, anchor, "main" if main else ""))
    for page, listed in entries.items():
        self._index_entries.setdefault(page, sorted(listed))


def _prune_index_entries(self, docnames):
    """`IndexBuilder.prune`, which keeps `docnames`, for the index entries too."""
    _prune(self, docnames)
    keep = set(docnames)
    for page in [page for page in self._index_entries if page not in keep]:
        del self._index_entries[page]


class AdmonitionLabels(SphinxPostTransform):
    """A target before each of docutils' admonitions that has an id: the LaTeX writer
    labels a target (`\\phantomsection\\label{doc:id}`), not an admonition. (The
    exercises' and proofs' nodes, admonitions too, are labelled by their extensions.)"""

    default_priority = 900
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        for admonition in list(self.document.findall(nodes.Admonition)):
            if type(admonition).__module__ != nodes.__name__:
                continue
            for node_id in admonition["ids"]:
                admonition.parent.insert(
                    admonition.parent.index(admonition), nodes.target("", "", refid=node_id)
                )


def setup(app):
    app.add_post_transform(AdmonitionLabels)
    app.connect("html-page-context", _drop_duplicate_scripts)
    IndexBuilder.load = _load_with_index_entries
    IndexBuilder.prune = _prune_index_entries
    return {"parallel_read_safe": True, "parallel_write_safe": True}
