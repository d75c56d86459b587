"""Sphinx extension: drop the duplicated inline scripts of Sphinx 7.4's HTML builder.

Extensions that add an inline script (`app.add_js_file(None, body=...)`)
after `Builder.init()`, such as sphinx-thebe and sphinx-togglebutton, get it
twice in every page: once as added (filename `None`) and once more from
`StandaloneHTMLBuilder.prepare_writing`, which re-adds the registry's assets
with filename `''`. The two copies do not compare equal, so neither is
dropped, and sphinx-thebe's second `const THEBE_JS_URL = ...` is a
SyntaxError in the browser console (found by tests/site/test_site_browser.py).

Enable it in _config.yml with `sphinx: extra_extensions: [bookkit.sphinx.sphinx_asset_fixes]`.
"""

from __future__ import annotations


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


def setup(app):
    app.connect("html-page-context", _drop_duplicate_scripts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
