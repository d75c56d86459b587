"""Each claim, and each displayed equation's binding to its claim, checked once.

The verification report (`claim_marks`) needs every claim's outcome; the
consistency check (`equation_claims`) needs, for every numbered equation, its
claim's outcome and whether the displayed LaTeX is what the claim checked.
Both ask `outcomes`, which runs what it does not know yet in worker processes
(sympy keeps one core busy per claim) and remembers the rest:

- in memory, for the rest of the build: the report's run serves the
  consistency check that follows it;
- on disk, when the setting `gaussml_claims_cache` names a file.
  `scripts/build_book.py` puts it in the execution cache's keyed folder
  (whose name hashes `src/`, the pins and the Python version) and names it
  by the extensions key (which adds `book/_ext`): an edit of the package or
  of the checking code starts from an empty file, so every claim runs
  again, while a prose edit runs nothing (a changed display is checked
  again, since its entry is keyed on its LaTeX).

Only successes are stored on disk: a claim or a display that fails is
checked again by the next build, which reports it again (within a build, the
failure is remembered, so the report and the consistency check share it).
This module is a helper of the two extensions, not an extension itself.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

# file (or "") -> entry -> True if it holds, else its error (kept in memory only)
_MEMORY: dict[str, dict[str, bool | str]] = {}


def _display_entry(label: str, tex: str) -> str:
    return f"{label}@{hashlib.sha256(tex.encode()).hexdigest()[:16]}"


def _error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _error_of(value: bool | str) -> str | None:
    return None if value is True else value


def _check(task: tuple) -> tuple[str | None, dict[str, str | None]]:
    """In a worker: run claim `name` (if asked) and check each (label, tex) display."""
    from gaussml.derivations import verify
    from gaussml.derivations._binding import check_display

    name, run_claim, displays = task
    claim_error = None
    if run_claim:
        try:
            verify(name)
        except Exception as exc:  # reported by the caller, with the claim's labels
            claim_error = _error(exc)
    display_errors = {}
    for label, tex in displays:
        try:
            check_display(label, tex)
            display_errors[label] = None
        except Exception as exc:
            display_errors[label] = _error(exc)
    return claim_error, display_errors


def _known(path: str) -> dict[str, bool]:
    if path not in _MEMORY:
        _MEMORY[path] = {}
        if path and Path(path).exists():
            try:
                _MEMORY[path] = dict(json.loads(Path(path).read_text(encoding="utf-8")))
            except (OSError, ValueError):
                pass  # an unreadable file is an empty cache
    return _MEMORY[path]


def outcomes(
    cache_file: str, names, displays: dict[str, tuple[str, str]], workers: int = 2
) -> tuple[dict[str, str | None], dict[str, str | None]]:
    """Every claim in `names` and every display in `displays` (label -> (claim, tex)).

    Returns (claim name -> error or None, label -> error or None). What is not
    known yet is computed, `workers` claims at a time.
    """
    known = _known(cache_file)
    tasks: dict[str, tuple[bool, list]] = {}
    for name in names:
        if f"claim:{name}" not in known:
            tasks.setdefault(name, (True, []))
    for label, (name, tex) in displays.items():
        if f"display:{_display_entry(label, tex)}" not in known:
            run, todo = tasks.get(name, (f"claim:{name}" not in known, []))
            tasks[name] = (run, [*todo, (label, tex)])

    if tasks:
        work = [(name, run, todo) for name, (run, todo) in tasks.items()]
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            results = list(pool.map(_check, work))
        for (name, run, todo), (claim_error, errors) in zip(work, results, strict=True):
            if run:
                known[f"claim:{name}"] = claim_error or True
            for label, tex in todo:
                known[f"display:{_display_entry(label, tex)}"] = errors[label] or True
        if cache_file:
            held = {entry: True for entry, value in known.items() if value is True}
            _write_atomically(Path(cache_file), json.dumps(held, indent=0, sort_keys=True))
    return (
        {name: _error_of(known[f"claim:{name}"]) for name in names},
        {
            label: _error_of(known[f"display:{_display_entry(label, tex)}"])
            for label, (_name, tex) in displays.items()
        },
    )


def _write_atomically(path: Path, text: str) -> None:
    """Replace `path` whole: a build that reads it meanwhile (the handout's, made
    beside the PDF's) sees the old file or the new one, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    partial.write_text(text)
    os.replace(partial, path)


def claim_names_by_label() -> dict[str, str]:
    """Equation label -> the name of the claim that backs it."""
    from gaussml.derivations import claims  # the package the chapters import

    return {label: c.name for c in claims().values() for label in c.labels}


def page_displays(env, docnames) -> dict[str, dict[str, str]]:
    """docname -> {label: the displayed LaTeX} for every numbered display of its source."""
    from gaussml.derivations._binding import displayed_equations

    return {
        doc: displayed_equations(Path(env.doc2path(doc)).read_text(encoding="utf-8"))
        for doc in docnames
    }


def claimed_displays(env, docnames) -> dict[str, tuple[str, str]]:
    """label -> (claim name, displayed LaTeX), for every claimed display of `docnames`."""
    by_label = claim_names_by_label()
    return {
        label: (by_label[label], tex)
        for found in page_displays(env, sorted(docnames)).values()
        for label, tex in found.items()
        if label in by_label
    }
