"""Sphinx extension: pybtex finds each of its plugins once a build, not once a citation.

sphinxcontrib-bibtex asks pybtex for its style plugins at every citation it
resolves, and pybtex looks each one up among the installed packages' entry
points (`importlib.metadata.entry_points`, which reads the metadata of every
installed package): about 10 ms a lookup, a third of a second for the
citations of one chapter. The installed packages do not change during a
build, so each lookup is made once. pybtex's plugins registered at run time
(`register_plugin`) are still looked up first, as pybtex does.

Enable it in _config.yml with `sphinx: extra_extensions: [bookkit.sphinx.pybtex_plugins]`.
"""

from __future__ import annotations

import functools

import pybtex.plugin


def setup(app):
    if not hasattr(pybtex.plugin.entry_points, "cache_info"):  # not yet cached
        pybtex.plugin.entry_points = functools.cache(pybtex.plugin.entry_points)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
