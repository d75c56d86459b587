"""Test options: the `slow` failure gates run only when asked for.

`make test` (pytest) skips the tests marked `slow`: the failure gates, each of
which builds the book in a temporary copy, and the seed test, which executes
each chapter under 21 seeds (`make test-seeds`, marker `seeds`); `make
test-slow` and `.ci/run` run the failure gates with
`pytest --slow -m "slow and not seeds"`.

Under `pytest -n N` without `--dist`, each file of `tests/package` goes whole to
one worker (`PackageFilesWhole`), every other test on its own, as under `load`: a
package file's tests share their JAX compilations and module fixtures, where
`load` spread them over both workers, which each compiled (and fitted) the same.
The files, the units with the most tests, go out first; the single tests even
out the end. A run of one file is spread test by test, as before.

Hypothesis is derandomized: every run draws the same examples, so the suite is
seeded like every other random test and a failure reproduces.

JAX keeps the tests' compiled programs in the machine's cache, as the book's
builds do (`bookkit.build.use_jax_compilation_cache`, set before JAX is
imported): compiling is most of the package tests' time, and JAX keys each
program on its code, shapes and XLA flags, so a test never runs stale code.
"""

import pytest
from hypothesis import settings
from xdist.scheduler import LoadScopeScheduling

from bookkit.build import use_jax_compilation_cache

use_jax_compilation_cache()

settings.register_profile("gaussml", derandomize=True, deadline=None)
settings.load_profile("gaussml")

_DEFAULT_DIST = pytest.StashKey[bool]()


def pytest_addoption(parser):
    parser.addoption(
        "--slow",
        action="store_true",
        default=False,
        help="also run the tests marked slow (the failure gates and the seed test)",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config):
    # Before pytest-xdist's own, which turns an unset --dist into "load" under -n.
    config.stash[_DEFAULT_DIST] = config.getoption("dist", None) == "no"


class PackageFilesWhole(LoadScopeScheduling):
    """`load`, except that each file of tests/package is one unit (when the run has several files)."""

    def _split_scope(self, nodeid):
        if not hasattr(self, "several_files"):  # self.collection is set by now
            self.several_files = len({other.split("::", 1)[0] for other in self.collection}) > 1
        path = nodeid.split("::", 1)[0]
        return path if self.several_files and path.startswith("tests/package/") else nodeid


@pytest.hookimpl(optionalhook=True)  # a pytest-xdist hook (-p no:xdist leaves it unknown)
def pytest_xdist_make_scheduler(config, log):
    if config.stash.get(_DEFAULT_DIST, False) and config.getoption("dist") == "load":
        return PackageFilesWhole(config, log)
    return None


def pytest_collection_modifyitems(config, items):
    if config.getoption("--slow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --slow (make test-slow)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
