"""The book's Sphinx extensions, each loaded by `_config.yml` (`sphinx: extra_extensions:`).

Their scripts and styles are in `static/` (each extension adds the folder to
`html_static_path`). The build's extensions key hashes this folder: an edit
here re-reads every page without executing any (`bookkit.build`).
"""
