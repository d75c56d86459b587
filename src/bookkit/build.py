"""Build the book with a cache that cannot go stale, executing pages two at a time.

`make book`, `make pdf` and `make handout` run this module; so do the failure
gates, the reproducibility check and the benchmarks, so that they test the
build the reader gets. It does three things:

1. **The keys.** The execution key hashes everything a page's outputs depend
   on besides its code cells: the `gaussml` package source (`src/gaussml`;
   not the tooling, `src/bookkit`, which runs outside the pages), the
   pins (`requirements.txt`, `pyproject.toml`), the Python version and the
   figure formats (`GAUSSML_FIGURE_FORMATS`). The notebooks' outputs are
   cached by jupyter-cache (myst-nb's `cache` mode) in
   `_build/.jupyter_cache/<key>`, and jupyter-cache keys each page on its
   code cells. A prose edit therefore reuses every output; an edit of the
   package (or of a pin) changes the folder, so every page executes again.
   The folder's name is also a Sphinx setting (`nb_execution_cache_path`,
   which invalidates Sphinx's environment when it changes): after a package
   edit Sphinx re-reads every page, so no page keeps an older output, while a
   prose edit re-reads only the edited page. The extensions key adds the
   Sphinx extensions (`src/bookkit/sphinx`), which run in Sphinx, not in the
   pages' kernels: an edit there re-reads every page (the setting
   `gaussml_extensions_key`) without executing any. The claims' results are
   not here: they have their own cache, keyed on each claim's code
   (`gaussml.derivations._results`, shared with `make verify`).
2. **Parallel execution.** Every page of the table of contents whose code
   cells are not in the cache is executed before Sphinx starts, by
   jupyter-cache's own project and `local-parallel` executor (a process per
   core; `--jobs 1` executes them in sequence), the longest first (by its
   last run time in any cache folder, else by its code's length), each
   exactly as myst-nb would execute it (`single_nb_execution`, in the page's
   folder, with the configured timeout), and stored in the cache. A page that fails
   is left out of the cache: Sphinx executes it again and reports the error
   as the strict build always has.
3. **The strict build.** `jupyter-book build -W -n --keep-going` with a
   derived config (`_config.yml` with `execute_notebooks: cache` and the
   keyed folder) written to `_build/.config/`.

The pages' kernels also keep JAX's compiled programs in JAX's persistent
compilation cache, keyed by JAX on the program itself, in the user's cache
folder (`jax_cache_folder`: shared by every clone on the machine, and by
`make test`); the report counts the programs it held and those the pages added.

`--fresh` executes every page again whatever the cache holds (a new, empty
cache folder: the reproducibility check uses it, so that its second build
proves something). `_config.yml` itself keeps `execute_notebooks: force`: a
plain `jupyter-book build .` never reads a cache.

    python -m bookkit.build [SOURCE] [--builder html|pdflatex]
        [--config YML] [--toc YML] [--path-output DIR] [--jobs N] [--fresh]
        [--caches DIR] [--report JSON]
"""

from __future__ import annotations

import argparse
import atexit
import fnmatch
import gc
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import NoReturn

import yaml

from . import ROOT

# `jupyter-book` run by `run_jupyter_book` (without the working folder on sys.path, as
# the `jupyter-book` script runs).
JUPYTER_BOOK = [
    sys.executable,
    "-c",
    "import sys; del sys.path[0]; from bookkit.build import run_jupyter_book as run; "
    "run(sys.argv[1:])",
]
KEY_VERSION = "1"  # bump to invalidate every cache
KEEP_CACHES = 4  # the newest cache folders kept (HTML and PDF keys, before and after an edit)
# Every figure in SVG (the site) and PDF (the PDFs): one execution serves the three
# builds, which share the cache (the formats are part of its key); gaussml.plotting
# has the same default. GAUSSML_FIGURE_FORMATS overrides it.
FIGURE_FORMATS = "svg,pdf"
CLAIMS_EXTENSIONS = {"bookkit.sphinx.equation_claims", "bookkit.sphinx.claim_marks"}


# --- the key ---------------------------------------------------------------------------


def _tree_files(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file()
        and "__pycache__" not in p.parts
        and not any(part.endswith(".egg-info") for part in p.parts)
        and p.suffix != ".pyc"
    )


def _add(digest, name: str, data: bytes) -> None:
    """Feed one named item to `digest`, length-prefixed so that no two inputs collide."""
    digest.update(f"{name}\0{len(data)}\0".encode())
    digest.update(data)


def _add_tree(digest, source: Path, folder: str) -> None:
    for path in _tree_files(source / folder):
        _add(digest, path.relative_to(source).as_posix(), path.read_bytes())


def cache_key(source: Path, figure_formats: str) -> str:
    """The hash of what every page's outputs depend on besides its own code cells."""
    digest = hashlib.sha256()
    _add(digest, "key-version", KEY_VERSION.encode())
    _add(digest, "python", platform.python_version().encode())
    _add(digest, "figure-formats", figure_formats.encode())
    _add_tree(digest, source, "src/gaussml")  # not src/bookkit: it runs outside the pages
    for name in ("requirements.txt", "pyproject.toml"):
        path = source / name
        _add(digest, name, path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()[:16]


def extensions_key(source: Path, key: str) -> str:
    """The execution `key` and the Sphinx extensions (`src/bookkit/sphinx`): what the pages hold."""
    digest = hashlib.sha256(key.encode())
    _add_tree(digest, source, "src/bookkit/sphinx")
    # The one tooling module the extensions import (claim_results finds the displays with it).
    displays = source / "src" / "bookkit" / "displays.py"
    _add(digest, "src/bookkit/displays.py", displays.read_bytes() if displays.exists() else b"")
    return digest.hexdigest()[:16]


# --- the pages ---------------------------------------------------------------------------


def toc_pages(source: Path, toc: Path) -> list[Path]:
    """The source files of the table of contents (globs expanded), in order."""
    from sphinx_external_toc.parsing import parse_toc_yaml

    site = parse_toc_yaml(toc)
    docnames = list(site.keys())
    files = sorted(p.relative_to(source).with_suffix("").as_posix() for p in source.rglob("*.md"))
    for pattern in sorted(site.globs()):
        docnames += [d for d in files if fnmatch.fnmatch(d, pattern)]
    pages = []
    for doc in dict.fromkeys(docnames):
        path = source / f"{doc}.md"
        if path.exists():
            pages.append(path)
    return pages


def md_config(config: dict):
    from myst_parser.config.main import MdParserConfig

    extensions = (config.get("parse") or {}).get("myst_enable_extensions") or []
    return MdParserConfig(enable_extensions=set(extensions))


def read_notebook(path: Path, config):
    """The page as myst-nb reads it (the same cells, so the same cache hash), or None."""
    from myst_nb.core.read import is_myst_markdown_notebook, read_myst_markdown_notebook

    text = path.read_text(encoding="utf-8")
    if not is_myst_markdown_notebook(text):
        return None
    return read_myst_markdown_notebook(text, config=config, add_source_map=True, path=str(path))


MYST_NB_MD = {"name": "myst_nb_md", "type": "plugin"}  # myst-nb's jupyter-cache reader
CODE_MEMO = "bookkit-code.json"  # in a cache folder: each page's code when all were cached
_FENCE = re.compile(r"^\s*(`{3,}|~{3,}|:{3,})")


def code_fingerprint(text: str) -> str:
    """The hash of a page without its prose: its front matter, every fenced block that
    opens with `{code-cell}` and every other line naming `code-cell` (more than
    jupyter-cache's key, a page's code cells and kernel, reads; never less)."""
    lines = text.splitlines()
    kept = []
    if lines and lines[0].strip() == "---":
        end = next((i for i, line in enumerate(lines[1:], 1) if line.strip() == "---"), 0)
        kept += lines[: end + 1]
    fence = None  # the open code cell's fence
    for line in lines:
        bare = line.strip()
        if fence is not None:
            kept.append(line)
            if bare and set(bare) == {fence[0]} and len(bare) >= len(fence):
                fence = None  # its closing fence
        elif "code-cell" in line:
            kept.append(line)
            opening = _FENCE.match(line)
            if opening and "{code-cell}" in line:
                fence = opening.group(1)
    return hashlib.sha256("\n".join(kept).encode()).hexdigest()


def previous_seconds(caches: Path, source: Path) -> dict[str, float]:
    """Each page's latest execution time in any cache folder of `caches` (page -> seconds)."""
    from jupyter_cache import get_cache

    latest: dict[str, tuple] = {}
    for folder in sorted(caches.glob("*/global.db")):
        try:
            records = get_cache(str(folder.parent)).list_cache_records()
        except Exception:  # an unreadable or foreign folder: no times from it
            continue
        for record in records:
            seconds = (record.data or {}).get("execution_seconds")
            try:
                page = Path(record.uri).relative_to(source).as_posix()
            except ValueError:
                continue
            if seconds is not None and (page not in latest or record.created > latest[page][0]):
                latest[page] = (record.created, float(seconds))
    return {page: seconds for page, (_, seconds) in latest.items()}


def execution_order(page: Path, nb, seconds: dict[str, float]) -> tuple:
    """The sort key that puts the longest pages first (longest-processing-time order).

    A page's last execution time when a cache folder has one; a page never
    executed comes first, then the others by the length of their code cells,
    which ranks this book's pages as their run times do (the pages' prose says
    nothing about how long their code runs).
    """
    code = sum(len(c.source) for c in nb.cells if c.cell_type == "code")
    known = seconds.get(page.as_posix())
    return (known is not None, -(known or 0.0), -code)


def execute_missing(
    source: Path, pages: list[Path], cache_path: Path, config: dict, jobs: int
) -> dict:
    """Execute the pages whose code cells are not in the cache, with jupyter-cache's executor.

    The pages with code cells become the cache's project, the longest first (the
    previous cache's run times are unknown here: size is the proxy), and
    `local-parallel` executes the unexecuted ones, a process per core (`local-serial`
    when `jobs` is 1), each as myst-nb's cache mode does (`single_nb_execution` in
    the page's folder, with the configured timeout), and caches the ones that succeed.

    When every page is in the cache, each page's code (`code_fingerprint`) is kept
    in the cache folder (`CODE_MEMO`); a later build whose pages have the same code
    (a prose edit) skips the reading and the look-up.
    """
    # When no page's code changed since every page was found in this cache folder,
    # every page is still there: nothing to read or ask (the prose-edit rebuild).
    memo = cache_path / CODE_MEMO
    code = {p.relative_to(source).as_posix(): code_fingerprint(p.read_text("utf-8")) for p in pages}
    try:
        held = json.loads(memo.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        held = {}
    if isinstance(held, dict) and held.get("code") == code:
        return {"cached": held["cached"], "executed": {}}
    report = execute_changed(source, pages, cache_path, config, jobs)
    if all(run["error"] is None for run in report["executed"].values()):
        done = list(dict.fromkeys([*report["cached"], *report["executed"]]))
        memo.write_text(json.dumps({"code": code, "cached": done}), encoding="utf-8")
    return report


def execute_changed(
    source: Path, pages: list[Path], cache_path: Path, config: dict, jobs: int
) -> dict:
    """`execute_missing`'s work, with no shortcut: every page read and looked up."""
    import logging

    from jupyter_cache import get_cache
    from jupyter_cache.executors import load_executor

    cache = get_cache(str(cache_path))
    execute = config.get("execute") or {}
    mdc = md_config(config)
    nbs = {}
    for path in pages:
        nb = read_notebook(path, mdc)
        if nb is not None and any(c.cell_type == "code" for c in nb.cells):
            nbs[path] = nb
    # The longest first, so that the workers finish together.
    seconds = previous_seconds(cache_path.parent, source)
    ordered = sorted(nbs, key=lambda p: execution_order(p.relative_to(source), nbs[p], seconds))
    for path in ordered:
        cache.add_nb_to_project(str(path), read_data=MYST_NB_MD)
    uris = [str(p) for p in ordered]
    todo = cache.list_unexecuted(filter_uris=uris)
    name = {str(p): p.relative_to(source).as_posix() for p in ordered}
    report = {
        "cached": [name[u] for u in uris if u not in {r.uri for r in todo}],
        "executed": {},
    }
    if not todo:
        return report
    print(f"executing {len(todo)} page(s) ({len(report['cached'])} from the cache)", flush=True)
    start = time.perf_counter()
    logger = logging.getLogger("build_book")
    # INFO: `local-parallel` reports each page's start and end (and a failing page's
    # cell and traceback) on stderr, and nothing of multiprocessing's own chatter.
    logger.setLevel(logging.INFO)
    executor = load_executor("local-serial" if jobs == 1 else "local-parallel", cache, logger)
    result = executor.run_and_cache(
        filter_uris=[r.uri for r in todo],
        timeout=execute.get("timeout", 30),
        allow_errors=bool(execute.get("allow_errors", False)),
    )
    for uri in result.succeeded:
        seconds = cache.get_cached_project_nb(uri).data.get("execution_seconds")
        print(f"  {name[uri]}: {seconds:.1f} s", flush=True)
        report["executed"][name[uri]] = {"seconds": seconds, "error": None}
    for uri in result.excepted + result.errored:
        # Not cached: the Sphinx build executes it again and reports the error.
        error = (cache.get_project_record(uri).traceback or "").strip() or "not executed"
        print(f"  {name[uri]}: FAILED ({error.splitlines()[-1][:200]})", flush=True)
        report["executed"][name[uri]] = {"seconds": None, "error": error}
    report["wall_s"] = time.perf_counter() - start
    print(f"executed in {report['wall_s']:.1f} s wall", flush=True)
    return report


def prune_caches(caches: Path, keep: Path) -> None:
    """Remove all but the newest KEEP_CACHES cache folders (never `keep`)."""
    folders = sorted(
        (p for p in caches.iterdir() if p.is_dir() and p != keep),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in folders[KEEP_CACHES - 1 :]:
        shutil.rmtree(old, ignore_errors=True)


def jax_cache_folder() -> Path:
    """Where JAX keeps its compiled programs, for every clone on this machine.

    `$GAUSSML_JAX_CACHE`, else `gaussml/jax` in the user's cache folder
    (`$XDG_CACHE_HOME`, else `~/.cache`), beside uv's download cache: a fresh
    clone, a copy built by a test and the reproducibility check's build start
    from the programs any of them compiled.
    """
    if os.environ.get("GAUSSML_JAX_CACHE"):
        return Path(os.environ["GAUSSML_JAX_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "gaussml" / "jax"


JAX_CACHE_MAX_BYTES = 2**30  # beyond this, the oldest programs go (`prune_jax_cache`)


def jax_cache_env(folder: Path | None = None) -> dict[str, str]:
    """The environment that lets a process keep JAX's compiled programs in `folder`
    (default `jax_cache_folder()`).

    XLA's output depends only on the program, the backend, the XLA flags and the
    JAX version, which are all in JAX's own key: a cached compilation is the same
    program, so it cannot make a page or a test stale, and a re-execution after a
    package edit compiles only what changed. Every compilation is kept (the
    thresholds at zero): most of the book's are small, and there are many.
    """
    return {
        "JAX_COMPILATION_CACHE_DIR": str(folder or jax_cache_folder()),
        "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0",
        "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": "-1",
    }


def use_jax_compilation_cache(folder: Path | None = None) -> Path:
    """This process and its children keep JAX's compiled programs in `folder`
    (default `jax_cache_folder()`), unless told otherwise; the folder in use,
    pruned."""
    for name, value in jax_cache_env(folder).items():
        os.environ.setdefault(name, value)
    in_use = Path(os.environ["JAX_COMPILATION_CACHE_DIR"])
    prune_jax_cache(in_use)
    return in_use


def prune_jax_cache(folder: Path, max_bytes: int = JAX_CACHE_MAX_BYTES) -> list[Path]:
    """Past `max_bytes`, delete the oldest programs of JAX's cache `folder` until it
    holds half as much; the deleted files.

    JAX's own eviction (`jax_compilation_cache_max_size`) locks and measures the
    folder on every write (a cold `make test` took 240 s instead of 155 s); this
    runs once per build or test session. A deleted program is compiled again.
    """
    files = [(p.stat(), p) for p in folder.glob("*") if p.is_file()] if folder.is_dir() else []
    total = sum(st.st_size for st, _ in files)
    if total <= max_bytes:
        return []
    deleted = []
    for st, path in sorted(files, key=lambda f: f[0].st_mtime):
        if total <= max_bytes // 2:
            break
        path.unlink(missing_ok=True)
        total -= st.st_size
        deleted.append(path)
    return deleted


def jax_programs(folder: Path) -> int:
    """The number of compiled programs in JAX's cache `folder`."""
    return sum(1 for _ in folder.glob("*-cache")) if folder.is_dir() else 0


# --- the build ---------------------------------------------------------------------------


def derived_config(config: dict, source: Path, cache_path: Path, ext_key: str) -> dict:
    """`config` with the keyed caches, and its relative paths made absolute."""
    config = dict(config)
    config["execute"] = {
        **(config.get("execute") or {}),
        "execute_notebooks": "cache",
        "cache": str(cache_path),
    }
    if config.get("bibtex_bibfiles"):
        config["bibtex_bibfiles"] = [str(source / p) for p in config["bibtex_bibfiles"]]
    sphinx = dict(config.get("sphinx") or {})
    # The settings of bookkit.sphinx.equation_claims (which claim_marks loads), when
    # the book uses it: an unknown setting would be a warning, so an error under -W.
    if CLAIMS_EXTENSIONS & set(sphinx.get("extra_extensions") or []):
        sphinx["config"] = {
            **(sphinx.get("config") or {}),
            "gaussml_extensions_key": ext_key,
        }
    config["sphinx"] = sphinx
    return config


def run_jupyter_book(argv: list[str]) -> NoReturn:
    """`jupyter-book ARGV`, then exit without tearing the interpreter down.

    A build leaves Sphinx's environment, the doctrees and every extension's
    modules in memory; freeing them object by object at exit took about a
    second of a prose-edit rebuild. Once jupyter-book returns, every file is
    written and closed: the exit handlers run, the output is flushed, and the
    process ends with jupyter-book's exit status.

    The cyclic garbage collector is off: what Sphinx builds lives until the
    build ends, and the collector's passes over it cost a fifth of the CPU of
    a build (a full build's CPU 18 s with it, 13 s without; its peak memory
    0.47 GB with it, 0.61 GB without). Reference counting frees the rest.
    """
    from jupyter_book.cli.main import main as jupyter_book

    gc.disable()

    try:
        jupyter_book(argv, prog_name="jupyter-book")
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    if not isinstance(code, int):  # None: success; a message: failure (as sys.exit)
        if code is not None:
            print(code, file=sys.stderr)
        code = 0 if code is None else 1
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", nargs="?", type=Path, default=ROOT)
    parser.add_argument("--builder", default="html")
    parser.add_argument("--config", type=Path, help="default: SOURCE/_config.yml")
    parser.add_argument("--toc", type=Path, help="default: SOURCE/_toc.yml")
    parser.add_argument("--path-output", type=Path, help="default: SOURCE (the build in _build/)")
    parser.add_argument(
        "--jobs", type=int, default=2, help="1: pages in sequence; more: a page per core at a time"
    )
    parser.add_argument("--fresh", action="store_true", help="execute every page again")
    parser.add_argument(
        "--caches",
        type=Path,
        help="the folder of the keyed caches (default: the build's _build/.jupyter_cache); "
        "the handout shares the PDF's",
    )
    parser.add_argument(
        "--report", type=Path, help="write what was executed and cached (JSON) to this file"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()

    source = args.source.resolve()
    config_path = (args.config or source / "_config.yml").resolve()
    toc = (args.toc or source / "_toc.yml").resolve()
    build = (args.path_output or source).resolve() / "_build"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    formats = os.environ.get("GAUSSML_FIGURE_FORMATS", FIGURE_FORMATS)

    key = cache_key(source, formats)
    caches = (args.caches or build / ".jupyter_cache").resolve()
    cache_path = caches / (f"fresh-{time.time_ns()}" if args.fresh else key)
    if args.fresh:
        shutil.rmtree(caches, ignore_errors=True)  # a fresh build keeps no older cache
    cache_path.mkdir(parents=True, exist_ok=True)
    os.utime(cache_path)
    prune_caches(caches, cache_path)
    print(f"execution cache: {cache_path} (key of src/gaussml, the pins, {formats})")

    jax_cache = use_jax_compilation_cache()
    programs_before = jax_programs(jax_cache)
    report = execute_missing(source, toc_pages(source, toc), cache_path, config, args.jobs)
    # What the machine's JAX cache held, and what the pages compiled that it did not.
    report["jax_cache"] = {
        "folder": str(jax_cache),
        "programs_before": programs_before,
        "programs_added": jax_programs(jax_cache) - programs_before,
    }
    report["key"] = key
    report["cache"] = str(cache_path)

    derived = build / ".config" / f"{config_path.parent.name}-{args.builder}.yml"
    derived.parent.mkdir(parents=True, exist_ok=True)
    derived.write_text(
        yaml.safe_dump(
            derived_config(config, config_path.parent, cache_path, extensions_key(source, key)),
            sort_keys=False,
        ),
        encoding="utf-8",
    )
    command = [*JUPYTER_BOOK, "build", str(source), "--config", str(derived)]
    command += ["--toc", str(toc), "--builder", args.builder, "-W", "-n", "--keep-going"]
    if args.path_output:
        command += ["--path-output", str(args.path_output.resolve())]
    # The HTML and LaTeX builds share Sphinx's environment (_build/.doctrees): after a
    # build by the other builder, every page is read again (from the cache).
    marker = build / ".doctrees" / "gaussml-builder.txt"
    if args.fresh or not marker.exists() or marker.read_text() != args.builder:
        command.append("--all")
    start = time.perf_counter()
    rc = subprocess.run(command, cwd=source).returncode
    if rc == 0:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(args.builder)
        if args.builder == "pdflatex":
            # latexmk leaves the PDF and its .aux alone when the .tex did not change (a
            # solution edited, which the handout leaves out): current all the same. Not
            # after an HTML build: a PDF it did not make would pass for current.
            for suffix in ("pdf", "aux"):
                for output in (build / "latex").glob(f"*.{suffix}"):
                    output.touch()
    else:
        marker.unlink(missing_ok=True)
    report["sphinx_s"] = time.perf_counter() - start
    report["sphinx_read_all"] = "--all" in command
    report["total_s"] = time.perf_counter() - started
    report["builder"] = args.builder
    report["succeeded"] = rc == 0
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return rc


if __name__ == "__main__":
    sys.exit(main())
