"""One-page test (issue 29 item 5): our pre-execution pool against jupyter-cache's own
project API and `local-parallel` executor.

"ours" is `execute_missing` of scripts/build_book.py (now bookkit.build) at POOL_COMMIT (our own
ProcessPoolExecutor); "lib" is bookkit.build's, which uses jupyter-cache's project and
executor instead.

Executes a small project (d_api.md, 02_multivariate.md and a probe page that prints
its environment) both ways into fresh caches, and compares: the stored outputs, what a
second run executes, what a code-cell edit executes, a page whose cell raises, wall and
CPU time, and the environment the kernels see. Not part of the test suite (it executes
pages: about two CPU-minutes); run from the clone's root:

    PYTHONPATH=$PWD/src .venv/bin/python notes/jcache_onepage.py [--work /tmp/libs/onepage]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

from bookkit import build as build_book

ROOT = Path(__file__).resolve().parents[1]

PAGES = ["book/appendices/d_api.md", "book/chapters/02_multivariate.md", "book/probe.md"]
HEADER = (ROOT / "book/appendices/d_api.md").read_text().split("---\n")[1]
PROBE = f"""---
{HEADER}---
# Probe

```{{code-cell}} ipython3
import os, sys
print(os.getcwd())
for name in ("GAUSSML_FIGURE_FORMATS", "JAX_COMPILATION_CACHE_DIR",
             "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "PYTHONPATH"):
    print(name, os.environ.get(name))
print(sys.executable)
```
"""
FAIL = f"""---
{HEADER}---
# Fail

```{{code-cell}} ipython3
print("before")
```

```{{code-cell}} ipython3
def planted():
    raise RuntimeError("planted failure")
planted()
```
"""


def config() -> dict:
    return yaml.safe_load((ROOT / "_config.yml").read_text())


# --- the two ways (each run in a child process, so that its CPU time is measurable) -----


POOL_COMMIT = "1c084dc"  # the last commit with our own process pool in build_book.py


def pool_module():
    """build_book.py as it was at POOL_COMMIT (our ProcessPoolExecutor), as a module."""
    import importlib.util

    path = Path("/tmp/libs/pool_build_book.py")
    text = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{POOL_COMMIT}:scripts/build_book.py"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.replace("parents[1]", f"parents[0] / {str(ROOT)!r}"))
    spec = importlib.util.spec_from_file_location("pool_build_book", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # so that its pool can pickle its worker function
    spec.loader.exec_module(module)
    return module


def execute(module, project: Path, cache: Path, pages: list[Path]) -> dict:
    """`module.execute_missing` on `pages`: what it executed, and each failure's last line."""
    report = module.execute_missing(project, pages, cache, config(), jobs=2)
    errors = {
        page: run["error"].strip().splitlines()[-1][:120]
        for page, run in report["executed"].items()
        if run["error"]
    }
    return {"executed": sorted(report["executed"]), "errors": errors}


def child(way: str, project: Path, cache: Path, jax: Path, pages: list[str]) -> None:
    build_book.use_jax_compilation_cache(jax)
    paths = [project / p for p in pages]
    start = time.perf_counter()
    module = pool_module() if way == "ours" else build_book  # the clone's: jupyter-cache's
    out = execute(module, project, cache, paths)
    out["wall_s"] = round(time.perf_counter() - start, 1)
    print("RESULT " + json.dumps(out), flush=True)


def tree_cpu(proc: subprocess.Popen) -> tuple[str, str, float]:
    """Wait for `proc`; the CPU seconds of it and all its descendants (kernels included).

    Sampled every 0.2 s with psutil (a kernel is not always reaped by its parent, so
    RUSAGE_CHILDREN misses it): each process counts with its last sampled times.
    """
    import psutil

    seen: dict[int, float] = {}
    root = psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            procs = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        for p in procs:
            try:
                t = p.cpu_times()
                seen[(p.pid, p.create_time())] = t.user + t.system
            except psutil.Error:
                pass
        time.sleep(0.2)
    out, err = proc.communicate()
    return out, err, sum(seen.values())


def run(way: str, project: Path, cache: Path, pages: list[str]) -> dict:
    env = {**os.environ, "GAUSSML_FIGURE_FORMATS": "svg"}  # not the default: is it passed?
    jax = project / "_build" / f".jax_cache_{way}"
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", way, str(project), str(cache), str(jax), *pages],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    stdout, stderr, cpu = tree_cpu(proc)
    lines = [line for line in stdout.splitlines() if line.startswith("RESULT ")]
    if not lines:
        raise SystemExit(f"{way} failed:\n{stdout}\n{stderr}")
    out = json.loads(lines[-1][7:])
    out["cpu_s"] = round(cpu, 1)
    out["process_wall_s"] = round(time.perf_counter() - start, 1)
    out["log"] = [line for line in (stdout + stderr).splitlines() if not line.startswith("RESULT")]
    return out


# --- comparisons -----------------------------------------------------------------------


def normal(output: dict) -> str:
    text = json.dumps(output, sort_keys=True)
    text = re.sub(r"0x[0-9a-f]{6,}", "0x?", text)
    return text


def stored(cache_path: Path, page: Path):
    """The cached notebook Sphinx would get for `page` (read as myst-nb reads it), or None."""
    from jupyter_cache import get_cache

    cache = get_cache(str(cache_path))
    nb = build_book.read_notebook(page, build_book.md_config(config()))
    try:
        cache.match_cache_notebook(nb)
    except KeyError:
        return None
    return cache.merge_match_into_notebook(nb)[1]


def compare(project: Path, a: Path, b: Path) -> dict:
    result = {}
    for page in PAGES:
        nb_a, nb_b = stored(a, project / page), stored(b, project / page)
        if nb_a is None or nb_b is None:
            result[page] = f"sphinx cache hit: ours {nb_a is not None}, lib {nb_b is not None}"
            continue
        code_a = [c for c in nb_a.cells if c.cell_type == "code"]
        code_b = [c for c in nb_b.cells if c.cell_type == "code"]
        differ = [
            i
            for i, (x, y) in enumerate(zip(code_a, code_b, strict=True))
            if [normal(o) for o in x.outputs] != [normal(o) for o in y.outputs]
        ]
        n_out = sum(len(c.outputs) for c in code_a)
        result[page] = {"code_cells": len(code_a), "outputs": n_out, "cells_differing": differ}
        if page.endswith("probe.md"):
            result[page]["probe_ours"] = code_a[0].outputs[0]["text"]
            result[page]["probe_lib"] = code_b[0].outputs[0]["text"]
    return result


def reader_hashes() -> dict:
    """Do myst-nb's jcache reader (default MyST config) and the build's reader (the
    book's extensions) give every page of the book the same cache hash?"""
    from jupyter_cache import get_cache
    from myst_nb.core.read import myst_nb_reader_plugin

    cache = get_cache(str(Path("/tmp/libs/hashcheck")))
    mdc = build_book.md_config(config())
    same, differ = 0, []
    for page in build_book.toc_pages(ROOT, ROOT / "_toc.yml"):
        nb1 = build_book.read_notebook(page, mdc)
        if nb1 is None:
            continue
        nb2 = myst_nb_reader_plugin(str(page))
        if cache.create_hashed_notebook(nb1)[1] == cache.create_hashed_notebook(nb2)[1]:
            same += 1
        else:
            differ.append(page.relative_to(ROOT).as_posix())
    return {"same": same, "differ": differ}


def sphinx_fails(project: Path, cache: Path) -> dict:
    """A one-page strict jupyter-book build of fail.md reading `cache`: rc and traceback shown?"""
    book = project / "failbook"
    shutil.rmtree(book, ignore_errors=True)
    book.mkdir()
    shutil.copy(project / "book/fail.md", book / "fail.md")
    (book / "_toc.yml").write_text("format: jb-book\nroot: fail\n")
    cfg = {
        "title": "t",
        "execute": {"execute_notebooks": "cache", "cache": str(cache), "timeout": 300},
        "sphinx": {"config": config()["sphinx"]["config"] | {"nb_execution_raise_on_error": True}},
    }
    (book / "_config.yml").write_text(yaml.safe_dump(cfg))
    proc = subprocess.run(
        [str(build_book.JUPYTER_BOOK), "build", str(book), "-W", "-n", "--keep-going"],
        capture_output=True,
        text=True,
    )
    out = proc.stdout + proc.stderr
    return {
        "rc": proc.returncode,
        "traceback_shown": "planted failure" in out and "RuntimeError" in out,
        "shows_cell_source": "planted()" in out,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", type=Path, default=Path("/tmp/libs/onepage"))
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--child", nargs="+")
    parser.add_argument("--only-cold", action="store_true", help="the timings only")
    args = parser.parse_args()
    if args.child:
        way, project, cache, jax, *pages = args.child
        child(way, Path(project), Path(cache), Path(jax), pages)
        return
    project = args.work
    shutil.rmtree(project, ignore_errors=True)
    shutil.copytree(ROOT / "book", project / "book", ignore=shutil.ignore_patterns("_build"))
    (project / "book/probe.md").write_text(PROBE)
    caches = project / "_build" / "caches"
    report = {"reader_hashes": reader_hashes(), "cold": []}
    print("reader hashes:", report["reader_hashes"], flush=True)

    # Cold runs, alternating the order; the last pair's caches are compared.
    for i in range(args.repeats):
        for way in ["ours", "lib"] if i % 2 == 0 else ["lib", "ours"]:
            shutil.rmtree(project / "_build" / f".jax_cache_{way}", ignore_errors=True)
            out = run(way, project, caches / f"{way}{i}", PAGES)
            keys = ("executed", "wall_s", "process_wall_s", "cpu_s")
            report["cold"].append({"way": way, **{k: out[k] for k in keys}})
            print("cold", way, report["cold"][-1], flush=True)
    if args.only_cold:
        (project / "cold.json").write_text(json.dumps(report, indent=1))
        return
    last = args.repeats - 1
    a, b = caches / f"ours{last}", caches / f"lib{last}"
    report["outputs"] = compare(project, a, b)
    print("outputs:", json.dumps(report["outputs"], indent=1), flush=True)

    report["second"] = {w: run(w, project, c, PAGES) for w, c in (("ours", a), ("lib", b))}
    page = project / PAGES[0]
    page.write_text(
        page.read_text().replace("import importlib\n", "import importlib  # edited\n", 1)
    )
    report["edit"] = {w: run(w, project, c, PAGES) for w, c in (("ours", a), ("lib", b))}
    (project / "book/fail.md").write_text(FAIL)
    fail_pages = [*PAGES, "book/fail.md"]
    report["error"] = {w: run(w, project, c, fail_pages) for w, c in (("ours", a), ("lib", b))}
    for phase in ("second", "edit", "error"):
        for way, out in report[phase].items():
            print(phase, way, {k: v for k, v in out.items() if k != "log"}, flush=True)
    for way, out in report["error"].items():
        print(f"error log ({way}):", *out["log"][-12:], sep="\n  ", flush=True)
    report["sphinx_on_error"] = {w: sphinx_fails(project, c) for w, c in (("ours", a), ("lib", b))}
    print("sphinx on error:", report["sphinx_on_error"], flush=True)
    (project / "report.json").write_text(json.dumps(report, indent=1, default=str))
    print("report:", project / "report.json")


if __name__ == "__main__":
    main()
