"""Sphinx extension: the execution table's page is written again only when the table changes.

myst-nb writes every page holding an `nb-exec-table` (the execution
statistics appendix) again whenever any page is read, since reading a page
from the cache sets its execution data anew, even when it is the same (the
same cache record: same time, run time, method and outcome). This compares
every page's execution data after reading with what it was before: when
nothing differs, the table would be the same, and myst-nb is told that no
page was executed (before its own `env-updated` handler asks).

Enable it in _config.yml with `sphinx: extra_extensions: [bookkit.sphinx.execution_table]`.
"""

from __future__ import annotations


def execution_data(env) -> dict[str, dict]:
    """docname -> the execution data myst-nb keeps for it (pages without any left out)."""
    metadata = getattr(env, "nb_metadata", {})
    return {doc: data["exec_data"] for doc, data in metadata.items() if data.get("exec_data")}


def _remember(app, env, docnames):
    app.gaussml_execution_data = execution_data(env)


def _same_execution(app, env):
    before = getattr(app, "gaussml_execution_data", None)
    if before is not None and before == execution_data(env):
        env.nb_new_exec_data = False  # myst-nb's flag (NbMetadataCollector.new_exec_data)
    return []


def setup(app):
    app.connect("env-before-read-docs", _remember)
    # Before myst-nb's update_exec_tables (priority 500) reads the flag.
    app.connect("env-updated", _same_execution, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
