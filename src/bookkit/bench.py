"""Benchmarks of the book and its package, measured side by side in one run.

`make bench` runs this script. It prints a table and writes it as JSON to
`_build/bench/bench.json`:

- `gaussml.univariate.sample` for 10^6 draws, against numpy's
  `default_rng().standard_normal` (the practical limit) and against a
  per-draw Python loop. Each is warmed up first (the JAX function is
  compiled once), then timed `--repeats` times; the table gives the median.
  JAX results are waited for with `block_until_ready`. The loop is timed on
  `--loop-draws` draws and scaled to 10^6 per draw (its cost is linear in
  the number of draws); the table says so.
- The four build-time goals, each with its measured value and met / not met:
  the cold `make book`, a rebuild after a prose edit in chapter 1 and one
  after an edit of `src/gaussml`, each read from a build CI makes anyway
  when there is one (see `bench_builds`), with the pages each executed; and
  the duration of `.ci/run` (its steps' starts, `_build/bench/ci-steps.tsv`,
  plus this benchmark), when `.ci/run` runs it. Each page's execution time
  is read from the report of the build that executed every page; `make
  pdf`'s time from its build report.
- The share of each chapter's executed code lines that the reader sees or
  opens with one click (cells not tagged `remove-cell` / `remove-input`),
  glue-only cells left out, per chapter and overall, and the number of
  function definitions in chapter cells; read from the sources
  (`bookkit.chapters`).
- The chapter-4 training ratio (compiled scan against per-step eager
  gradient), from `bookkit.bench_training --json PATH` when it exists.
- The cost of a full gradient by forward and by reverse mode as the number of
  coefficients grows (`bookkit.bench_autodiff`), for chapter 4's operation
  counts.
- The accuracy of least squares on NIST StRD datasets (`bookkit.bench_accuracy`):
  per dataset cond(X) and the LRE (correct digits, the smallest over the
  coefficients) of `beta_mle` in float64, `numpy.linalg.lstsq`, statsmodels
  OLS, and `beta_mle` in float32 or "refused".

- The machinery's size (issue 29's goal): the lines of Python, shell, JS and
  CSS files, the Makefile and `.ci/run`, leaving out the subject modules, the
  claims and their framework (`src/gaussml/derivations/`), the chapters, and
  the package and claim tests (`machinery_lines`).

- The weight and load time of each chapter page with every asset it loads,
  from `_build/bench/page-weight.json`, which the browser test
  (`tests/site/test_site_browser.py::test_chapter_page_weight`) writes.

Goals: the sampler within 2x numpy; at least 80 % of the chapter code
visible, no function defined in a chapter; the whole book executed in under 60 s
of wall time on a 2-core machine (two pages at a time); the compiled training at least 50x faster than the
per-step loop.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from . import ROOT
from . import build as build_book
from .chapters import CHAPTERS, cells
from .project import copy_project, project_files, run_in_copy

OUT = ROOT / "_build" / "bench"
N_DRAWS = 10**6

GOAL_SAMPLER = 2.0  # gaussml / numpy, at most
GOAL_BOOK_EXEC = 60.0  # seconds of execution for the whole book, at most
# Build-time and size goals of issue 29 (its goal table; a 2-core machine):
GOAL_COLD_BOOK = 60.0  # cold `make book` from a fresh clone, seconds of wall time, at most
GOAL_PROSE_REBUILD = 5.0  # rebuild after a prose edit in one chapter, seconds, at most
GOAL_CI = 12 * 60.0  # .ci/run with TeX and Chromium installed, seconds, at most
GOAL_MACHINERY = 5500  # lines of machinery (see `machinery_lines`), at most
FORMATS = build_book.FIGURE_FORMATS
GOAL_TRAINING = 50.0  # compiled speed-up over the per-step loop, at least
GOAL_VISIBLE = 0.8  # share of chapter code lines visible or one click away, at least


def median_time(fn, *, repeats: int, warmup: int = 2) -> tuple[float, list[float]]:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


# --- the sampler ------------------------------------------------------------------


def bench_sampler(repeats: int, loop_draws: int) -> dict:
    import jax
    import numpy as np

    from gaussml import univariate

    key = jax.random.key(0)
    mean, std = 10.0, 2.0
    t_gaussml, all_gaussml = median_time(
        lambda: univariate.sample(key, N_DRAWS, mean=mean, std=std).block_until_ready(),
        repeats=repeats,
    )
    rng = np.random.default_rng(0)
    t_numpy, all_numpy = median_time(lambda: rng.standard_normal(N_DRAWS), repeats=repeats)
    t_numpy32, _ = median_time(
        lambda: rng.standard_normal(N_DRAWS, dtype=np.float32), repeats=repeats
    )
    t_numpy_affine, _ = median_time(
        lambda: mean + std * rng.standard_normal(N_DRAWS), repeats=repeats
    )

    def loop():
        # One draw per iteration, as in a naive sampler.
        out = []
        for _ in range(loop_draws):
            out.append(mean + std * rng.standard_normal())
        return out

    t_loop_part, _ = median_time(loop, repeats=max(3, repeats // 3), warmup=1)
    t_loop = t_loop_part * (N_DRAWS / loop_draws)
    dtype = str(univariate.sample(key, 2).dtype)
    return {
        "draws": N_DRAWS,
        "repeats": repeats,
        "gaussml_sample_s": t_gaussml,
        "gaussml_sample_all_s": all_gaussml,
        "gaussml_dtype": dtype,
        "jax_backend": jax.default_backend(),
        "numpy_standard_normal_s": t_numpy,
        "numpy_standard_normal_all_s": all_numpy,
        "numpy_standard_normal_float32_s": t_numpy32,
        "numpy_mean_plus_std_z_s": t_numpy_affine,
        "python_loop_s": t_loop,
        "python_loop_measured_draws": loop_draws,
        "python_loop_measured_s": t_loop_part,
        "ratio_gaussml_over_numpy": t_gaussml / t_numpy,
        "ratio_loop_over_gaussml": t_loop / t_gaussml,
        "goal_ratio_gaussml_over_numpy_at_most": GOAL_SAMPLER,
        "goal_met": t_gaussml / t_numpy <= GOAL_SAMPLER,
    }


# --- builds: the build-time goals ---------------------------------------------------------


def timed_build(copy: Path, log: Path, report: Path) -> tuple[float, dict | None]:
    """`make book`'s build of `copy` (bookkit.build); wall time and its report."""
    command = [sys.executable, "-m", "bookkit.build", str(copy), "--report", str(report)]
    rc, seconds = run_in_copy(copy, command, log)
    if rc != 0 or not report.exists():
        return seconds, None
    return seconds, json.loads(report.read_text(encoding="utf-8"))


def pages_importing_gaussml(source: Path) -> list[str]:
    """The pages of the book whose code cells import the package."""
    config = yaml.safe_load((source / "_config.yml").read_text(encoding="utf-8"))
    mdc = build_book.md_config(config)
    pages = []
    for path in build_book.toc_pages(source, source / "_toc.yml"):
        nb = build_book.read_notebook(path, mdc)
        if nb and any(c.cell_type == "code" and "gaussml" in c.source for c in nb.cells):
            pages.append(path.relative_to(source).as_posix())
    return pages


def ci_build_report(name: str) -> dict | None:
    """The report of a build made in this clone (`_build/bench/<name>.json`), if it succeeded."""
    path = OUT / f"{name}.json"
    report = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    return report if report.get("succeeded") else None


def make_pdf() -> dict:
    """`make pdf`'s time and the pages it executed, from its report (None: none)."""
    pdf = ci_build_report("make-pdf")
    return {
        "make_pdf_s": pdf["total_s"] if pdf else None,
        "make_pdf_executed_pages": len(pdf["executed"]) if pdf else None,
    }


def edit_package(root: Path) -> None:
    """Append a comment to `src/gaussml/univariate.py` under `root`: a change of the package."""
    with (root / "src" / "gaussml" / "univariate.py").open("a", encoding="utf-8") as f:
        f.write("\n# An edit of the package: every page that imports it executes again.\n")


def key_after_package_edit(work: Path) -> tuple[str, str]:
    """The execution key of a copy of the clone, before and after an edit of `src/gaussml`."""
    copy = work / "key"
    shutil.copytree(ROOT / "src", copy / "src", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("requirements.txt", "pyproject.toml"):
        shutil.copy2(ROOT / name, copy / name)
    before = build_book.cache_key(copy, FORMATS)
    edit_package(copy)
    return before, build_book.cache_key(copy, FORMATS)


def prose_rebuild(site: Path, work: Path) -> tuple[float, dict | None]:
    """Rebuild `site` after a sentence is added to chapter 1; the chapter is restored after."""
    chapter = site / "book" / "chapters" / "01_univariate.md"
    original = chapter.read_bytes()
    try:
        with chapter.open("a", encoding="utf-8") as f:
            f.write("\nOne more sentence of prose.\n")
        return timed_build(site, work / "prose.log", work / "prose.json")
    finally:
        chapter.write_bytes(original)


def bench_builds() -> dict:
    """Cold `make book`, a rebuild after a prose edit, a rebuild after a package edit.

    Each is read from a build that CI makes anyway when there is one:

    - cold: the clone's last `make book`, when it executed every page (CI's,
      from a fresh clone: `_build/bench/make-book.json`);
    - prose edit: a sentence added to chapter 1 and the clone rebuilt from
      that `make book` (then the sentence removed and the clone rebuilt, so
      that the site matches the sources again);
    - package edit: the key changes with an edit of `src/gaussml` (checked on
      a copy), so every page executes as in the reproducibility check's fresh
      build (`_build/bench/reproducible-a.json`), whose time is reported.

    Without those builds, each is made in a temporary copy of the clone.
    """
    result: dict = {"figure_formats": FORMATS}
    key = build_book.cache_key(ROOT, FORMATS)
    made = ci_build_report("make-book")
    in_place = bool(
        made
        and made.get("key") == key
        and (ROOT / "_build" / ".jupyter_cache" / key).is_dir()
        and (ROOT / "_build" / "html" / "index.html").is_file()
    )
    work = Path(tempfile.mkdtemp(prefix="gaussml-bench-"))
    try:
        if in_place and not made.get("cached"):
            result["cold_source"] = "the clone's last make book, every page executed"
            result["make_book_cold_s"] = made["total_s"]
            result["cold_executed_pages"] = len(made["executed"])
            # Whether the machine's JAX cache held the pages' programs (compiled before).
            result["cold_jax_cache"] = made.get("jax_cache")
        if in_place:
            site = ROOT
        else:
            site = copy_project(ROOT, work / "book")
            seconds, rep = timed_build(site, work / "cold.log", work / "cold.json")
            if rep is None:
                result["error"] = "the first build failed"
                return result
            result["cold_source"] = "a cold build in a temporary copy"
            result["make_book_cold_s"] = seconds
            result["cold_executed_pages"] = len(rep["executed"])
        if "make_book_cold_s" in result:
            result["goal_cold_at_most_s"] = GOAL_COLD_BOOK
            result["goal_cold_met"] = result["make_book_cold_s"] <= GOAL_COLD_BOOK

        seconds, rep = prose_rebuild(site, work)
        if site == ROOT:
            timed_build(site, work / "restore.log", work / "restore.json")
        result["prose_rebuild_s"] = seconds if rep else None
        result["prose_rebuild_executed"] = sorted(rep["executed"]) if rep else None
        result["goal_prose_at_most_s"] = GOAL_PROSE_REBUILD
        result["goal_prose_met"] = bool(
            rep and not rep["executed"] and seconds <= GOAL_PROSE_REBUILD
        )

        before, after = key_after_package_edit(work)
        result["package_edit_changes_key"] = before != after
        importing = pages_importing_gaussml(ROOT)
        fresh = ci_build_report("reproducible-a")  # the reproducibility check's fresh build
        if fresh and not fresh.get("cached") and fresh.get("key") == key:
            # Its pages execute afresh with the clone's compiled JAX programs.
            result["package_source"] = "the reproducibility check's fresh build, JAX cache warm"
            seconds, rep = fresh["total_s"], fresh
        else:
            result["package_source"] = "a rebuild of a temporary copy after the edit"
            if site == ROOT:
                site = copy_project(ROOT, work / "book")
            edit_package(site)
            seconds, rep = timed_build(site, work / "package.log", work / "package.json")
        executed = sorted(rep["executed"]) if rep else []
        result["package_rebuild_s"] = seconds if rep else None
        result["package_rebuild_executed"] = executed
        result["pages_importing_gaussml"] = importing
        result["goal_package_met"] = (
            bool(rep) and before != after and set(importing) <= set(executed)
        )
        if rep:
            pages = {page: run["seconds"] for page, run in rep["executed"].items()}
            result["execution_s"] = pages
            result["execution_total_s"] = sum(pages.values())
            result["execution_wall_s"] = rep.get("wall_s")
            result["goal_book_execution_at_most_s"] = GOAL_BOOK_EXEC
            result["goal_met"] = (rep.get("wall_s") or float("inf")) < GOAL_BOOK_EXEC
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {**result, **make_pdf()}


def ci_total(bench_seconds: float) -> dict:
    """.ci/run's duration: its steps' starts (`_build/bench/ci-steps.tsv`) and this bench."""
    path = OUT / "ci-steps.tsv"
    if not path.exists() or os.environ.get("GAUSSML_CI") != "1":
        return {"available": False, "note": "not run by .ci/run"}
    # Each line: the step's start, its name and (since .ci/run records it) the CPU
    # seconds used before it; a step's CPU is the next line's less its own.
    steps = [line.split("\t") for line in path.read_text().splitlines() if "\t" in line]
    before = int(steps[-1][0]) if steps else 0
    total = before + bench_seconds
    rows = []
    for i, (start, name, *cpu) in enumerate(steps):
        row = {"start_s": int(start), "step": name}
        if i + 1 < len(steps):
            row["wall_s"] = int(steps[i + 1][0]) - int(start)
            if cpu and len(steps[i + 1]) > 2:
                row["cpu_s"] = round(float(steps[i + 1][2]) - float(cpu[0]), 1)
        rows.append(row)
    # Run from a step of .ci/run (its benchmarks), steps are still to come: a time so far.
    finished = bool(steps) and steps[-1][1] == "done"
    return {
        "available": True,
        "steps": rows,
        "before_bench_s": before,
        "bench_s": bench_seconds,
        "total_s": total,
        "finished": finished,
        "goal_at_most_s": GOAL_CI,
        "goal_met": total <= GOAL_CI if finished else None,
    }


# --- training (chapter 4) -----------------------------------------------------------


def _run_bench_script(name: str, json_name: str) -> tuple[dict | None, object, str]:
    """Run bookkit.NAME --json OUT/JSON_NAME: (failure report or None, its JSON, its stdout)."""
    path = OUT / json_name
    proc = subprocess.run(
        [sys.executable, "-m", f"bookkit.{name}", "--json", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0 or not path.exists():
        failure = {
            "available": False,
            "note": f"bookkit.{name} failed (exit {proc.returncode})",
            "stderr_tail": proc.stderr[-2000:],
        }
        return failure, None, proc.stdout
    return None, json.loads(path.read_text(encoding="utf-8")), proc.stdout


def bench_training() -> dict:
    failure, data, table = _run_bench_script("bench_training", "training.json")
    if failure:
        return failure
    ratio = data["speedup_per_step"]  # the compiled scan's per step, against the loop's
    return {
        "available": True,
        "report": data,
        "table": table,
        "speedup": ratio,
        "goal_speedup_at_least": GOAL_TRAINING,
        "goal_met": ratio >= GOAL_TRAINING,
    }


def bench_autodiff() -> dict:
    """Forward against reverse mode as the parameters grow (bookkit.bench_autodiff)."""
    failure, rows, table = _run_bench_script("bench_autodiff", "autodiff.json")
    if failure:
        return failure
    return {"available": True, "rows": rows, "table": table}


def bench_regression_accuracy() -> dict:
    """The LRE table of least squares on NIST StRD (`bookkit.bench_accuracy`), a few seconds."""
    from . import bench_accuracy  # here: imports JAX, sympy and statsmodels

    rows = bench_accuracy.lre_rows()
    return {"rows": rows, "table": bench_accuracy.lre_table(rows)}


# --- the machinery's size ------------------------------------------------------------

# What the goal counts: Python, shell, JS and CSS files, the Makefile and .ci/run,
# outside the subject and what checks it. Patterns (fnmatch: `*` crosses folders),
# so that the count follows files moved into src/bookkit/ or tests/<kind>/.
MACHINERY_SUFFIXES = {".py", ".sh", ".js", ".css"}
MACHINERY_FILES = {"Makefile", ".ci/run"}
SUBJECT_MODULES = (
    "univariate mvn highdim regression nn calibration strd plotting _checks __init__"
).split()
PACKAGE_AND_CLAIM_TESTS = (
    "univariate mvn highdim regression regression_reference calibration nn strd plotting"
    " contract derivations binding latex claim_results"
).split()
NOT_MACHINERY = [
    *(f"src/gaussml/{name}.py" for name in SUBJECT_MODULES),
    "src/gaussml/derivations/*",  # the claim modules and the claim framework
    "src/bookkit/verify.py",  # the claim framework's command and its reader of the book
    "src/bookkit/displays.py",
    "book/chapters/*",
    "tests/package/*",
    "tests/claims/*",
    *(f"tests/test_{name}.py" for name in PACKAGE_AND_CLAIM_TESTS),  # before tests/<kind>/
]


def is_machinery(path: str) -> bool:
    """Whether the project file `path` (relative, POSIX) counts as machinery."""
    counted = path in MACHINERY_FILES or Path(path).suffix in MACHINERY_SUFFIXES
    return counted and not any(fnmatch.fnmatch(path, p) for p in NOT_MACHINERY)


def machinery_lines(root: Path = ROOT) -> dict:
    """Lines of the project's machinery (issue 29's goal), per top folder and in all."""
    files = sorted(p.as_posix() for p in project_files(root) if is_machinery(p.as_posix()))
    lines = {p: len((root / p).read_bytes().splitlines()) for p in files}
    folders: dict[str, int] = {}
    for path, n in lines.items():
        folder = path.rsplit("/", 1)[0] if "/" in path else "."
        folders[folder] = folders.get(folder, 0) + n
    total = sum(lines.values())
    return {
        "lines": total,
        "files": len(files),
        "by_folder": dict(sorted(folders.items())),
        "not_counted": NOT_MACHINERY,
        "goal_at_most": GOAL_MACHINERY,
        "goal_met": total <= GOAL_MACHINERY,
    }


# --- visible code -------------------------------------------------------------------


def code_visibility() -> dict:
    chapters, visible_all, total_all, defs_all = {}, 0, 0, 0
    for path in CHAPTERS:
        counted = [c for c in cells(path) if not c.glue_only]
        total = sum(len(c.code_lines()) for c in counted)
        visible = sum(len(c.code_lines()) for c in counted if c.visible)
        defs = sum(c.function_definitions() for c in cells(path))
        chapters[path.stem] = {"visible_lines": visible, "lines": total, "function_defs": defs}
        visible_all, total_all, defs_all = visible_all + visible, total_all + total, defs_all + defs
    share = visible_all / total_all if total_all else None
    return {
        "chapters": chapters,
        "visible_lines": visible_all,
        "lines": total_all,
        "share": share,
        "function_defs": defs_all,
        "goal_share_at_least": GOAL_VISIBLE,
        "goal_met": None if share is None else share >= GOAL_VISIBLE and defs_all == 0,
    }


# --- report -------------------------------------------------------------------------


def _jax_cache_note(cache: dict | None) -> str:
    """What the machine's JAX cache gave a build: its programs before, those it added."""
    if not cache:
        return ""
    return (
        f"; JAX cache: {cache['programs_before']} programs before, "
        f"{cache['programs_added']} compiled"
    )


def page_weights() -> dict:
    """The chapter pages' weights and load times measured by the browser test, if it ran."""
    path = OUT / "page-weight.json"
    if not path.is_file():
        return {"available": False, "note": "n/a (make book, then tests/site/test_site_browser.py)"}
    data = json.loads(path.read_text(encoding="utf-8"))
    goals = data["goals"]
    for weight in data["pages"].values():
        weight["goal_met"] = (
            weight["bytes"] <= goals["page_bytes"] and weight["load_s"] <= goals["load_s"]
        )
    return {"available": True, **data}


def _seconds(value) -> str:
    return "failed" if value is None else f"{value:.1f} s"


def goal_rows(report: dict) -> list[tuple[str, str, str]]:
    """The four build-time goals, each with its measured value."""
    b, ci = report.get("builds"), report.get("ci") or {}
    if not b or "make_book_cold_s" not in b:
        return [("build-time goals", "n/a (--no-builds, or the first build failed)", "")]
    rows = [
        (
            f"GOAL cold make book ({b['cold_source']}{_jax_cache_note(b.get('cold_jax_cache'))})",
            _seconds(b["make_book_cold_s"]),
            f"<= {GOAL_COLD_BOOK:g} s: {_goal(b.get('goal_cold_met'))}",
        )
    ]
    if "prose_rebuild_s" in b:
        executed = b["prose_rebuild_executed"]
        rows.append(
            (
                "GOAL rebuild after a prose edit in chapter 1",
                f"{_seconds(b['prose_rebuild_s'])}, "
                f"{'?' if executed is None else len(executed)} page(s) executed",
                f"<= {GOAL_PROSE_REBUILD:g} s, none executed: {_goal(b['goal_prose_met'])}",
            )
        )
    if "package_rebuild_s" in b:
        rows.append(
            (
                f"GOAL rebuild after a package edit ({b['package_source']})",
                f"{_seconds(b['package_rebuild_s'])}, {len(b['package_rebuild_executed'])} "
                f"page(s) executed of {len(b['pages_importing_gaussml'])} importing gaussml",
                f"every importing page executed: {_goal(b['goal_package_met'])}",
            )
        )
    rows.append(
        (
            "GOAL .ci/run (from its first step to its last)",
            (
                ci.get("note", "n/a")
                if not ci.get("available")
                else _seconds(ci["total_s"])
                if ci["finished"]
                else f"{_seconds(ci['total_s'])} so far (the total: `bench --ci-total`, last)"
            ),
            f"<= {GOAL_CI / 60:g} min: "
            + _goal(ci.get("goal_met") if ci.get("available") else None),
        )
    )
    return rows


def _goal(met) -> str:
    return {True: "met", False: "NOT met", None: "n/a"}[met]


def table(report: dict) -> str:
    rows = [("measure", "value", "goal")]
    s = report.get("sampler")
    if s:
        rows += [
            (
                f"gaussml.univariate.sample, 10^6 draws ({s['gaussml_dtype']}, {s['jax_backend']})",
                f"{1e3 * s['gaussml_sample_s']:.2f} ms",
                "",
            ),
            (
                "numpy default_rng().standard_normal, 10^6 (float64)",
                f"{1e3 * s['numpy_standard_normal_s']:.2f} ms",
                "",
            ),
            (
                "numpy default_rng().standard_normal, 10^6 (float32)",
                f"{1e3 * s['numpy_standard_normal_float32_s']:.2f} ms",
                "",
            ),
            (
                "numpy mean + std * standard_normal, 10^6",
                f"{1e3 * s['numpy_mean_plus_std_z_s']:.2f} ms",
                "",
            ),
            (
                f"per-draw Python loop, scaled to 10^6 from {s['python_loop_measured_draws']:,} draws",
                f"{s['python_loop_s']:.2f} s",
                "",
            ),
            (
                "ratio gaussml / numpy",
                f"{s['ratio_gaussml_over_numpy']:.2f}x",
                f"<= {GOAL_SAMPLER:g}x: {_goal(s['goal_met'])}",
            ),
            ("ratio loop / gaussml", f"{s['ratio_loop_over_gaussml']:.0f}x", ""),
        ]
    b = report.get("builds")
    if b:
        for page, secs in b.get("execution_s", {}).items():
            rows.append((f"execution of {page}", f"{secs:.1f} s", ""))
        if "execution_total_s" in b:
            wall = b.get("execution_wall_s")
            rows.append(
                (
                    f"whole book executed, two pages at a time ({b['package_source']}; "
                    "wall, sum of pages)",
                    (f"{wall:.1f} s" if wall is not None else "?")
                    + f" ({b['execution_total_s']:.1f} s)",
                    f"< {GOAL_BOOK_EXEC:g} s: {_goal(b['goal_met'])}",
                )
            )
        mp = b.get("make_pdf_s")
        rows.append(
            (
                "make pdf after make book (outputs from the cache)",
                f"{mp:.0f} s, {b['make_pdf_executed_pages']} page(s) executed"
                if mp is not None
                else "n/a (no make pdf in this clone)",
                "",
            )
        )
    rows += goal_rows(report)
    for step in (report.get("ci") or {}).get("steps", []):
        if "cpu_s" in step:  # CPU against wall: below 2x on 2 cores, a core was idle
            wall_and_cpu = f"{step['wall_s']} s wall, {step['cpu_s']:g} s CPU"
            rows.append((f"CI step: {step['step'][:70]}", wall_and_cpu, ""))
    m = report.get("machinery")
    if m:
        rows.append(
            (
                "GOAL machinery lines (Python, shell, JS, CSS, Makefile, .ci/run; "
                "not the subject, the claims, the chapters or their tests)",
                f"{m['lines']:,} in {m['files']} files",
                f"<= {GOAL_MACHINERY:,}: {_goal(m['goal_met'])}",
            )
        )
    w = report.get("pages") or {}
    if w.get("available"):
        goals = w["goals"]
        for page, weight in w["pages"].items():
            rows.append(
                (
                    f"page {page} with its assets (uncompressed; load over loopback)",
                    f"{weight['bytes'] / 1e6:.2f} MB in {weight['requests']} requests; "
                    f"{weight['load_s']:.2f} s",
                    f"<= {goals['page_bytes'] / 1e6:g} MB, < {goals['load_s']:g} s: "
                    + _goal(weight["goal_met"]),
                )
            )
    elif w:
        rows.append(("chapter pages: weight and load time", w["note"], ""))
    v = report.get("code")
    if v:
        for name, c in v["chapters"].items():
            share = c["visible_lines"] / c["lines"] if c["lines"] else 1.0
            rows.append(
                (
                    f"visible code, {name} (lines; function definitions)",
                    f"{share:.0%} of {c['lines']}; {c['function_defs']} def",
                    "",
                )
            )
        rows.append(
            (
                "visible code, all chapters (glue-only cells left out)",
                f"{v['share']:.0%} of {v['lines']}; {v['function_defs']} def",
                f">= {GOAL_VISIBLE:.0%}, 0 def: {_goal(v['goal_met'])}",
            )
        )
    t = report.get("training")
    if t:
        if t.get("available") and t.get("speedup") is not None:
            rows.append(
                (
                    "training: compiled scan vs per-step eager",
                    f"{t['speedup']:.0f}x",
                    f">= {GOAL_TRAINING:g}x: {_goal(t['goal_met'])}",
                )
            )
        else:
            rows.append(("training: compiled scan vs per-step eager", t.get("note", "n/a"), ""))
    widths = [max(len(str(r[i])) for r in rows) for i in range(3)]
    lines = [" | ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=15, help="timed repeats (median)")
    parser.add_argument("--loop-draws", type=int, default=100_000, help="draws of the timed loop")
    parser.add_argument("--no-builds", action="store_true", help="skip the cold builds")
    parser.add_argument(
        "--goals-only",
        action="store_true",
        help="only the goals (builds, CI, code visibility, machinery): not the package's "
        "benchmarks (sampler, training, autodiff, StRD accuracy), as .ci/run asks",
    )
    parser.add_argument("--json", type=Path, default=OUT / "bench.json")
    parser.add_argument(
        "--ci-total",
        action="store_true",
        help="only update the .ci/run duration of an existing report (.ci/run's last step)",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.ci_total:
        report = json.loads(args.json.read_text(encoding="utf-8"))
        report["ci"] = ci_total(0.0)  # the steps' starts, up to .ci/run's last
        report["machinery"] = machinery_lines()
        report["pages"] = page_weights()  # the browser test ran after the benchmark
        if report.get("builds"):
            report["builds"].update(make_pdf())  # made after the benchmark, in .ci/run
        return write_report(report, args.json)

    OUT.mkdir(parents=True, exist_ok=True)
    report = {
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    report["code"] = code_visibility()
    report["machinery"] = machinery_lines()
    report["pages"] = page_weights()
    if not args.goals_only:
        print("sampler ...", flush=True)
        report["sampler"] = bench_sampler(args.repeats, args.loop_draws)
        print("training (bookkit.bench_training) ...", flush=True)
        report["training"] = bench_training()
        print("forward against reverse mode (bookkit.bench_autodiff) ...", flush=True)
        report["autodiff"] = bench_autodiff()
        print("least squares on NIST StRD (bookkit.bench_accuracy) ...", flush=True)
        report["regression_accuracy"] = bench_regression_accuracy()
    if not args.no_builds:
        print("builds: cold make book, rebuilds after a prose and a package edit ...", flush=True)
        report["builds"] = bench_builds()
    report["ci"] = ci_total(time.perf_counter() - started)
    return write_report(report, args.json)


def write_report(report: dict, path: Path) -> int:
    """Write `report` with its goals and table as JSON to `path`; print the table."""
    report["build_goals"] = [
        {"goal": name, "measured": value, "target": target}
        for name, value, target in goal_rows(report)
    ]
    text = table(report)
    report["table"] = text
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    print()
    print(text)
    training = report.get("training") or {}
    if training.get("table"):
        print("\nbookkit.bench_training:\n" + training["table"])
    autodiff = report.get("autodiff")
    if autodiff:
        print("\nbookkit.bench_autodiff:\n" + autodiff.get("table", autodiff.get("note", "")))
    accuracy = report.get("regression_accuracy") or {}
    if accuracy.get("table"):
        print("\nleast squares on NIST StRD, LRE (bookkit.bench_accuracy):\n" + accuracy["table"])
    print(f"\nwritten to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
