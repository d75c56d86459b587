"""Test options: the `slow` failure gates run only when asked for.

`make test` (pytest) skips the tests marked `slow`: the failure gates, each of
which builds the book in a temporary copy, and the seed test, which executes
each chapter under 21 seeds (`make test-seeds`, marker `seeds`); `make
test-slow` and `.ci/run` run the failure gates with
`pytest --slow -m "slow and not seeds"`.

Hypothesis is derandomized: every run draws the same examples, so the suite is
seeded like every other random test and a failure reproduces.
"""

import pytest
from hypothesis import settings

settings.register_profile("gaussml", derandomize=True, deadline=None)
settings.load_profile("gaussml")


def pytest_addoption(parser):
    parser.addoption(
        "--slow",
        action="store_true",
        default=False,
        help="also run the tests marked slow (the failure gates and the seed test)",
    )


def pytest_collection_modifyitems(config, items):
    if config.getoption("--slow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --slow (make test-slow)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
