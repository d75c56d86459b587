"""One cache of claim results, read by every caller: each claim runs once per commit.

`python -m bookkit.verify`, the book's build (`bookkit.sphinx.claim_results`:
the verification report and the equation check), the mutation gate's
unmutated baseline (`bookkit.equation_mutants`) and the tests all ask
`check`, which runs only what the cache does not hold yet:

- a **claim** is keyed on its name and the hash of its code: its function,
  the claim and binding functions of its module that its body names
  (transitively),
  the rest of its module (helpers, symbols; the other claims and bindings
  left out), the package modules its module imports (a sibling claim module
  without its claims and bindings), the claim framework
  (`__init__`, `_registry`, `_latex`, `_binding`, this module), and the
  versions of Python and sympy;
- a **display** is keyed on its label, a hash of the displayed LaTeX and the
  hash of its binding function's code, computed the same way.

So a prose edit runs nothing, an edited display checks that display again,
an edited claim runs that claim (and the displays bound to it) again, and an
edit of a shared helper or of the framework runs its module's (or every)
claim again. Only passes are stored: a failing claim or display is checked
again by the next caller, which reports it again. Within one process every
outcome, failures included, is remembered (the report and the equation check
of one build share them).

The file is `_build/claims/results.json` at the root of the source tree the
package is imported from, or `GAUSSML_CLAIMS_CACHE`; writers merge under a
lock, so parallel callers (the PDF and handout builds, pytest's workers)
never lose each other's entries.
"""

from __future__ import annotations

import ast
import fcntl
import functools
import hashlib
import json
import multiprocessing
import os
import platform
import re
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGE = HERE.parent
ROOT = HERE.parents[2]
FRAMEWORK = ("__init__.py", "_registry.py", "_latex.py", "_binding.py", "_results.py")
_UNIT_DECORATORS = {"claim", "binds"}

# (kind, id, key) -> None when it holds, else the error; this process only.
_MEMO: dict[tuple[str, str, str], str | None] = {}


def cache_path() -> Path:
    """Where the results are kept: `GAUSSML_CLAIMS_CACHE`, else `<root>/_build/claims/results.json`."""
    return Path(
        os.environ.get("GAUSSML_CLAIMS_CACHE") or ROOT / "_build" / "claims" / "results.json"
    )


# --- the keys ---------------------------------------------------------------------------


def _sha(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(f"{len(part)}\0{part}".encode())
    return digest.hexdigest()[:20]


@functools.cache
def _framework_key() -> str:
    import sympy

    texts = [(HERE / name).read_text(encoding="utf-8") for name in FRAMEWORK]
    return _sha(platform.python_version(), sympy.__version__, *texts)


def _is_unit(node: ast.stmt) -> bool:
    """A claim or a binding: a top-level function decorated by `@claim(...)` or `@binds(...)`."""
    return isinstance(node, ast.FunctionDef) and any(
        isinstance(d, ast.Call) and isinstance(d.func, ast.Name) and d.func.id in _UNIT_DECORATORS
        for d in node.decorator_list
    )


def _package_imports(source: str) -> set[str]:
    """The names of the package's modules that `source` imports (`gaussml.x`, `from .. import x`)."""
    names = set(re.findall(r"\bgaussml\.(\w+)", source))
    names |= set(re.findall(r"^\s*from \.\.?(\w+) import", source, re.M))
    for found in re.findall(r"^\s*from \.\.? import ([\w, ]+)", source, re.M):
        names |= {n.strip() for n in found.split(",")}
    return names


def _imported_sources(source: str) -> list[str]:
    """The package modules that `source` imports, and theirs (transitively), as text.

    Sibling claim modules (`from .univariate import _linear`) count without their
    claims and bindings (`_without_units`): an edit of one claim does not change
    the key of another module's claims. The framework is keyed apart.
    """
    seen: dict[Path, str] = {}
    todo = [
        *(PACKAGE / f"{n}.py" for n in re.findall(r"\bgaussml\.(\w+)", source)),
        *(PACKAGE / f"{n}.py" for n in re.findall(r"^\s*from \.\.(\w+) import", source, re.M)),
        *(HERE / f"{n}.py" for n in re.findall(r"^\s*from \.([a-z]\w*) import", source, re.M)),
    ]
    while todo:
        path = todo.pop()
        if path in seen or not path.is_file() or (path.parent == HERE and path.name in FRAMEWORK):
            continue
        sibling = path.parent == HERE
        seen[path] = _without_units(path) if sibling else path.read_text(encoding="utf-8")
        todo += [path.parent / f"{n}.py" for n in _package_imports(seen[path])]
        todo += [PACKAGE / f"{n}.py" for n in _package_imports(seen[path])]
    return [f"{p.relative_to(PACKAGE)}\0{seen[p]}" for p in sorted(seen)]


@functools.cache
def _without_units(path: Path) -> str:
    """The claim module `path` less its claims and bindings, which run by name from the
    registry, except those another claim module names (it may import them)."""
    modules = [p for p in sorted(HERE.glob("*.py")) if p != path and p.name not in FRAMEWORK]
    others = "".join(p.read_text(encoding="utf-8") for p in modules)
    return "".join(
        text
        for node, text in _top_level(path.read_text(encoding="utf-8"))
        if not _is_unit(node) or re.search(rf"\b{node.name}\b", others)
    )


def _top_level(source: str):
    """Each top-level statement of `source` and its text, decorators included."""
    lines = source.splitlines(keepends=True)
    for node in ast.parse(source).body:
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        yield node, "".join(lines[first - 1 : node.end_lineno])


@functools.cache
def _module_parts(path: str) -> tuple[str, dict[str, str], dict[str, frozenset[str]]]:
    """(the module without its claims and bindings, unit name -> its text, unit -> names it uses)."""
    source = Path(path).read_text(encoding="utf-8")
    shared = [_framework_key(), *_imported_sources(source)]
    units: dict[str, str] = {}
    uses: dict[str, frozenset[str]] = {}
    for node, text in _top_level(source):
        if _is_unit(node):
            units[node.name] = text
            # What its body and defaults name: a binding's decorator names its claim,
            # whose code the display check never runs.
            inner = [*node.body, node.args]
            uses[node.name] = frozenset(
                n.id for part in inner for n in ast.walk(part) if isinstance(n, ast.Name)
            )
        else:
            shared.append(text)
    return _sha(*shared), units, uses


def unit_key(path: str | Path, name: str) -> str:
    """The hash of the code the claim or binding function `name` of the module `path` runs."""
    shared, units, uses = _module_parts(str(path))
    if name not in units:  # not a top-level claim or binding: the whole module
        return _sha(shared, *units.values())
    closure, todo = set(), [name]
    while todo:
        unit = todo.pop()
        if unit in units and unit not in closure:
            closure.add(unit)
            todo += sorted(uses[unit])
    return _sha(shared, *(units[unit] for unit in sorted(closure)))


def code_key(function) -> str:
    """`unit_key` of a claim's check or a binding's cases (see the module's docstring)."""
    function = getattr(function, "__wrapped__", function)
    return unit_key(sys.modules[function.__module__].__file__, function.__name__)


def claim_key(name: str) -> str:
    from ._registry import claims

    return code_key(claims()[name].check)


def display_key(label: str, tex: str) -> str | None:
    """The display's key, or None when `label` has no binding (checked, and failing, every time)."""
    from ._binding import bindings

    binding = bindings().get(label)
    if binding is None:
        return None
    return _sha(label, tex, code_key(binding.cases))


# --- the file ---------------------------------------------------------------------------


def _read(path: Path) -> dict[str, str]:
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return {}  # no file, or an unreadable one: an empty cache


def _store(path: Path, passed: dict[str, str]) -> None:
    """Merge `passed` (entry -> key) into the file, under a lock, replacing it whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        held = _read(path)
        held.update(passed)
        partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
        partial.write_text(json.dumps(held, indent=0, sort_keys=True), encoding="utf-8")
        os.replace(partial, path)


# --- running ----------------------------------------------------------------------------


def _error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _run(task: tuple) -> tuple[str | None, dict[str, str | None]]:
    """In a worker: run claim `name` (if asked) and check each (label, tex) display."""
    from ._binding import check_display
    from ._registry import verify

    name, run_claim, displays = task
    claim_error = None
    if run_claim:
        try:
            verify(name)
        except Exception as exc:  # reported by the caller, with the claim's labels
            claim_error = _error(exc)
    errors = {}
    for label, tex in displays:
        try:
            check_display(label, tex)
            errors[label] = None
        except Exception as exc:
            errors[label] = _error(exc)
    return claim_error, errors


@dataclass
class Results:
    """What `check` found: errors (None when it holds) and what it had to run."""

    claims: dict[str, str | None] = field(default_factory=dict)
    displays: dict[str, str | None] = field(default_factory=dict)
    ran_claims: list[str] = field(default_factory=list)
    ran_displays: list[str] = field(default_factory=list)


def check(
    names, displays: dict[str, str], *, workers: int = 2, cache: Path | str | None = None
) -> Results:
    """Every claim in `names` and every display in `displays` (label -> LaTeX).

    A display's claim is run too (its binding names it). What neither this
    process nor the cache file (`cache`, default `cache_path()`) holds yet runs,
    one task per claim, `workers` at a time; its passes are stored.
    """
    from ._binding import bindings
    from ._registry import claims

    path = Path(cache) if cache else cache_path()
    held = _read(path)
    by_label = {lb: b for lb, b in bindings().items() if b.claim in claims()}
    names = list(
        dict.fromkeys([*names, *(by_label[lb].claim for lb in displays if lb in by_label)])
    )
    keys = {("claim", n): claim_key(n) for n in names}
    keys |= {("display", lb): display_key(lb, tex) for lb, tex in displays.items()}

    def known(kind: str, ident: str) -> bool:
        key = keys[kind, ident]
        return key is not None and (
            (kind, ident, key) in _MEMO or held.get(f"{kind}:{ident}") == key
        )

    tasks: dict[str, tuple[bool, list]] = {}
    for name in names:
        if not known("claim", name):
            tasks[name] = (True, [])
    for label, tex in displays.items():
        if not known("display", label):
            owner = by_label[label].claim if label in by_label else f"<unbound {label}>"
            run, todo = tasks.get(owner, (False, []))
            tasks[owner] = (run, [*todo, (label, tex)])

    results = Results()
    local: dict[tuple[str, str], str | None] = {}  # what ran in this call
    if tasks:
        work = [(name, run, todo) for name, (run, todo) in tasks.items()]
        if workers > 1 and len(work) > 1:
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                done = list(pool.map(_run, work))
        else:
            done = [_run(task) for task in work]
        passed = {}
        for (name, run, todo), (claim_error, errors) in zip(work, done, strict=True):
            found = [("claim", name, claim_error)] if run else []
            found += [("display", label, errors[label]) for label, _ in todo]
            for kind, ident, error in found:
                key = keys[kind, ident]
                (results.ran_claims if kind == "claim" else results.ran_displays).append(ident)
                local[kind, ident] = error
                if key is None:
                    continue
                _MEMO[kind, ident, key] = error
                if error is None:
                    passed[f"{kind}:{ident}"] = key
        if passed:
            _store(path, passed)

    def outcome(kind: str, ident: str) -> str | None:
        key = keys[kind, ident]
        if (kind, ident) in local:
            return local[kind, ident]
        if (kind, ident, key) in _MEMO:
            return _MEMO[kind, ident, key]
        return None  # held by the file, which holds passes only

    results.claims = {name: outcome("claim", name) for name in names}
    results.displays = {label: outcome("display", label) for label in displays}
    return results
