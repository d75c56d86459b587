"""The execution table's page is written again only when some page's execution data changed."""

from __future__ import annotations

from types import SimpleNamespace

from bookkit.sphinx.execution_table import _remember, _same_execution

RUN = {"mtime": 1.0, "runtime": 2.0, "method": "cache", "succeeded": True, "error": None}


def read_again(data: dict) -> SimpleNamespace:
    """Sphinx reads a page: myst-nb sets its execution data anew, and its flag."""
    app = SimpleNamespace()
    env = SimpleNamespace(nb_metadata={"a": {"exec_data": dict(RUN)}, "b": {}})
    _remember(app, env, ["a"])
    env.nb_metadata["a"] = {"exec_data": data}
    env.nb_new_exec_data = True
    _same_execution(app, env)
    return env


def test_the_same_execution_data_is_no_new_execution():
    assert read_again(dict(RUN)).nb_new_exec_data is False


def test_new_execution_data_keeps_myst_nb_s_flag():
    assert read_again({**RUN, "mtime": 3.0}).nb_new_exec_data is True
