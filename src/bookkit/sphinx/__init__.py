"""The book's Sphinx extensions, each loaded by `_config.yml` (`sphinx: extra_extensions:`).

Their scripts and styles are in `static/`: each extension that serves one adds
the folder to `html_static_path` through `add_static_path`. The build's extensions key hashes this folder: an edit
here re-reads every page without executing any (`bookkit.build`).
"""

from pathlib import Path

STATIC = Path(__file__).resolve().parent / "static"


def add_static_path(app, config) -> None:
    """`config-inited`: serve `static/` (once, whichever extensions ask)."""
    if str(STATIC) not in map(str, config.html_static_path):
        config.html_static_path.append(str(STATIC))


def add_latex_preamble(config, preamble: str) -> None:
    """At `config-inited`: append `preamble` to the LaTeX preamble (`latex_elements`)."""
    elements = dict(config.latex_elements)
    elements["preamble"] = elements.get("preamble", "") + preamble
    config.latex_elements = elements
