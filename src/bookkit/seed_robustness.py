"""Rerun a chapter's assertions under other seeds: does each sentence survive?

Every interpretive sentence about a simulation is asserted in the cell that
computes it, and must hold for any seed, not only for the published one. This
script executes a chapter's code cells (`bookkit.chapters`) once per
seed index `s`, in one process and a fresh namespace per seed, with every key
the chapter draws shifted: `jax.random.key(K)` and `jax.random.PRNGKey(K)`
become the keys of `K + 1000 s`, and `numpy.random.default_rng(K)` the
generator of `K + 1000 s` (s = 0 is the published run). Each `assert`
statement and each call of an `assert...` function (`np.testing.assert_allclose`)
is rewritten into a recorded check, so a failing one does not stop its cell
or the cells below; an exception in a cell leaves the checks it did not reach
unmeasured for that seed.

To be cheap, `glue(...)` does nothing, figures use the Agg backend, cells that
only glue are skipped, and so is a `hide-input` cell (figure code) that holds
no assertion and binds no name a later executed cell needs.

    python -m bookkit.seed_robustness book/chapters/01_univariate.md
    python -m bookkit.seed_robustness --seeds 20 --json out.json CHAPTER
    python -m bookkit.seed_robustness --show "(best_h, h_theory)" CHAPTER

prints, per assertion, the seeds on which it failed or was not measured
(`--markdown FILE`: as a table; `--show EXPR`: a value after each seed).
`tests/build/test_seed_robustness.py` (marked slow; `make test-seeds`) runs it on
every chapter and fails when a check does not hold on the published seed and
on 19 of 20 others, or a cell raises on more than one of them.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import io
import json
import os
import sys
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")

from .chapters import ROOT, Cell, cells

SEED_STRIDE = 1000  # seed index s shifts every literal seed K to K + SEED_STRIDE * s
CHECK = "__seed_check__"
HOLDS = "__seed_holds__"


@dataclass
class Assertion:
    cell: int  # index of the code cell in the chapter
    line: int  # 1-based line of the `assert` in the .md file
    source: str
    failed: list[int] = field(default_factory=list)  # seed indices
    unmeasured: list[int] = field(default_factory=list)


@dataclass
class Report:
    chapter: str
    seeds: list[int]
    seconds: float
    skipped_cells: list[int]
    assertions: list[Assertion]
    errors: list[dict]  # {seed, cell, error}: exceptions other than a failed check


class _RecordAsserts(ast.NodeTransformer):
    """`assert test, msg` -> `__seed_check__(line, test)` (msg not evaluated)."""

    def __init__(self, cell: Cell):
        self.cell = cell
        self.found: dict[int, str] = {}  # .md line: the assert's source, on one line

    def visit_Assert(self, node: ast.Assert) -> ast.stmt:
        return self._recorded(node, self.visit(node.test))

    def visit_Expr(self, node: ast.Expr) -> ast.stmt:
        """`np.testing.assert_allclose(...)` (any call of an `assert...` function)
        -> `__seed_check__(line, __seed_holds__(lambda: call))`."""
        call = node.value
        if not isinstance(call, ast.Call):
            return node
        func = call.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if not name.startswith("assert"):
            return node
        holds = ast.Call(ast.Name(HOLDS, ast.Load()), [ast.Lambda(_NO_ARGS, call)], [])
        return self._recorded(node, holds)

    def _recorded(self, node: ast.stmt, value: ast.expr) -> ast.stmt:
        """`__seed_check__(line, value)` in place of `node`, whose source is recorded."""
        line = self.cell.first + node.lineno
        source = ast.get_source_segment(self.cell.code, node) or "assert"
        self.found[line] = " ".join(source.split())
        check = ast.Call(ast.Name(CHECK, ast.Load()), [ast.Constant(line), value], [])
        return ast.copy_location(ast.Expr(check), node)


_NO_ARGS = ast.arguments(
    posonlyargs=[], args=[], vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[]
)


def _holds(check) -> bool:
    """Whether an assertion function returns without an AssertionError."""
    try:
        check()
    except AssertionError:
        return False
    return True


def instrument(cell: Cell) -> tuple[ast.Module, dict[int, str]]:
    """The cell's code with its assertions recorded, and their .md lines and sources."""
    tree = ast.parse(cell.code)
    recorder = _RecordAsserts(cell)
    tree = ast.fix_missing_locations(recorder.visit(tree))
    return tree, recorder.found


def executed(chapter: list[Cell]) -> list[bool]:
    """Which cells to execute: all but glue-only cells and figure cells whose
    names no later executed cell needs (read backwards)."""
    run = [True] * len(chapter)
    needed: set[str] = set()
    for i in range(len(chapter) - 1, -1, -1):
        cell = chapter[i]
        figure_only = "hide-input" in cell.tags and "assert" not in cell.code
        if cell.glue_only or (figure_only and not cell.names_bound() & needed):
            run[i] = False
        else:
            needed |= cell.names_needed()
    return run


def _shift_seeds(offset: int):
    """Make every key and numpy generator the chapter creates start at seed + offset;
    returns the function that restores them."""
    import jax
    import numpy as np

    originals = (jax.random.key, jax.random.PRNGKey, np.random.default_rng)
    key, prng_key, default_rng = originals

    def shifted(make_key):
        return lambda seed, *args, **kwargs: make_key(seed + offset, *args, **kwargs)

    def shifted_default_rng(seed=None, *args, **kwargs):
        if isinstance(seed, int):
            seed = seed + offset
        return default_rng(seed, *args, **kwargs)

    jax.random.key, jax.random.PRNGKey = shifted(key), shifted(prng_key)
    np.random.default_rng = shifted_default_rng

    def restore():
        jax.random.key, jax.random.PRNGKey, np.random.default_rng = originals

    return restore


def run(path: Path, seeds: list[int], *, log=None, show: tuple[str, ...] = ()) -> Report:
    import matplotlib.pyplot as plt
    import myst_nb

    glue = myst_nb.glue
    myst_nb.glue = lambda *args, **kwargs: None  # nothing to display
    try:
        return _run(path, seeds, log, plt, show)
    finally:
        myst_nb.glue = glue


def _run(path: Path, seeds: list[int], log, plt, show) -> Report:
    chapter = cells(path)
    plan = executed(chapter)
    compiled: dict[int, object] = {}
    assertions: dict[int, Assertion] = {}
    for i, (cell, go) in enumerate(zip(chapter, plan, strict=True)):
        if not go:
            continue
        tree, found = instrument(cell)
        compiled[i] = compile(tree, f"{path.name}:cell {i}", "exec")
        for line, source in found.items():
            assertions[line] = Assertion(i, line, source)
    errors: list[dict] = []
    start = time.perf_counter()
    for seed in seeds:
        results: dict[int, bool] = {}

        def check(line, value, results=results):
            results[line] = results.get(line, True) and bool(value)

        namespace = {"__name__": "__main__", CHECK: check, HOLDS: _holds}
        restore = _shift_seeds(SEED_STRIDE * seed)
        t_seed = time.perf_counter()
        try:
            for i, code in compiled.items():
                try:
                    with contextlib.redirect_stdout(io.StringIO()):
                        exec(code, namespace)
                except Exception as error:
                    last = traceback.format_exception_only(error)[-1].strip()
                    errors.append({"seed": seed, "cell": i, "error": last[:300]})
        finally:
            restore()
            plt.close("all")
        for line, assertion in assertions.items():
            if line not in results:
                assertion.unmeasured.append(seed)
            elif not results[line]:
                assertion.failed.append(seed)
        if log:
            for expression in show:  # the values behind an assertion, to see why it fails
                try:
                    value = repr(eval(expression, namespace))
                except Exception as error:
                    value = f"({type(error).__name__})"
                log(f"{path.name} seed {seed}: {expression} = {value}")
            failed = sum(not ok for ok in results.values())
            log(f"{path.name} seed {seed}: {failed} failed ({time.perf_counter() - t_seed:.0f} s)")
    return Report(
        chapter=path.name,
        seeds=list(seeds),
        seconds=round(time.perf_counter() - start, 1),
        skipped_cells=[i for i, go in enumerate(plan) if not go],
        assertions=list(assertions.values()),
        errors=errors,
    )


def shaky(report: Report, tolerated: int = 1) -> list[Assertion]:
    """The assertions that fail on the published seed 0, or fail or go unmeasured
    on more than `tolerated` of the shifted seeds."""
    return [
        a
        for a in report.assertions
        if 0 in a.failed + a.unmeasured
        or len({s for s in a.failed + a.unmeasured if s != 0}) > tolerated
    ]


def unstable_cells(report: Report, tolerated: int = 1) -> list[int]:
    """The cells that raise on the published seed or on more than `tolerated`
    shifted seeds (an exception other than a recorded check)."""
    seeds: dict[int, set[int]] = {}
    for error in report.errors:
        seeds.setdefault(error["cell"], set()).add(error["seed"])
    return sorted(c for c, s in seeds.items() if 0 in s or len(s - {0}) > tolerated)


def describe(report: Report) -> str:
    lines = [
        f"{report.chapter}: seeds {report.seeds[0]}..{report.seeds[-1]}, "
        f"{report.seconds:.0f} s, {len(report.assertions)} assertions, "
        f"cells skipped {report.skipped_cells}"
    ]
    for a in report.assertions:
        if a.failed or a.unmeasured:
            lines.append(
                f"  cell {a.cell}, line {a.line}: {a.source}\n"
                f"    failed on seeds {a.failed}, not measured on {a.unmeasured}"
            )
    for e in report.errors:
        lines.append(f"  seed {e['seed']}, cell {e['cell']}: {e['error']}")
    return "\n".join(lines)


def markdown(reports: list[Report]) -> str:
    """One row per assertion: chapter, cell, line, assertion, failures and
    unmeasured runs out of the shifted seeds; then the run time per chapter."""
    rows = [
        "| chapter | cell | line | assertion | failed | not measured |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    times = ["", "| chapter | seeds | assertions | seconds |", "| --- | --- | --- | --- |"]
    for r in reports:
        shifted = [s for s in r.seeds if s != 0]
        n = len(shifted)
        for a in r.assertions:
            source = a.source.replace("|", "\\|")
            if len(source) > 90:
                source = source[:87] + "..."
            failed = len([s for s in a.failed if s != 0])
            unmeasured = len([s for s in a.unmeasured if s != 0])
            rows.append(
                f"| {r.chapter} | {a.cell} | {a.line} | `{source}` | {failed}/{n} | {unmeasured}/{n} |"
            )
        times.append(f"| {r.chapter} | {len(r.seeds)} | {len(r.assertions)} | {r.seconds:.0f} |")
    return "\n".join(rows + times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("chapters", nargs="+", type=Path)
    parser.add_argument("--seeds", type=int, default=20, help="shifted seeds 1..N (default 20)")
    parser.add_argument("--no-published", action="store_true", help="skip seed 0")
    parser.add_argument("--json", type=Path, help="write the reports here")
    parser.add_argument("--markdown", type=Path, help="write a table of the reports here")
    parser.add_argument(
        "--show", action="append", default=[], help="an expression to print after each seed"
    )
    args = parser.parse_args()
    json_path = args.json.resolve() if args.json else None
    markdown_path = args.markdown.resolve() if args.markdown else None
    seeds = ([] if args.no_published else [0]) + list(range(1, args.seeds + 1))
    reports = []
    chapters = [chapter.resolve() for chapter in args.chapters]
    os.chdir(ROOT / "book" / "chapters")  # where the build executes the chapters
    for chapter in chapters:
        report = run(chapter, seeds, log=lambda m: print(m, flush=True), show=tuple(args.show))
        print(describe(report), flush=True)
        reports.append(report)
    if json_path:
        json_path.write_text(json.dumps([asdict(r) for r in reports], indent=1))
    if markdown_path:
        markdown_path.write_text(markdown(reports) + "\n")
    return 1 if any(shaky(r) or unstable_cells(r) for r in reports) else 0


if __name__ == "__main__":
    sys.exit(main())
