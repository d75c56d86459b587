"""Single-line mutants of the package's modules, each run against the module's test file.

Each mutant changes one operator or constant on one code line of a module (not a
docstring, comment or blank line) in a temporary copy of `src/`, then runs the
module's test file (`tests/package/test_<module>.py`, stopping at the first failure) with that
copy first on `PYTHONPATH`. A mutant is killed when the tests fail, and survives when
they pass; a survivor is either a gap in the tests or an equivalent mutant, and is
listed with its line for a person to judge (`EQUIVALENT` holds those already judged,
with the reason).

    python -m bookkit.package_mutants                    # every module, 15 mutants each
    python -m bookkit.package_mutants --modules mvn univariate --per-module 30
    python -m bookkit.package_mutants --rerun _build/bench/package_mutants.json

Not part of CI: a full run takes tens of minutes on two cores.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import ROOT

PACKAGE = ROOT / "src" / "gaussml"
MODULES = ("univariate", "mvn", "highdim", "plotting", "nn")

# (name, pattern, replacement): each is applied to one occurrence on one line.
OPERATORS = (
    ("+ to -", r"(?<=[\w)\]]) \+ (?=[\w(\[.])", " - "),
    ("- to +", r"(?<=[\w)\]]) - (?=[\w(\[.])", " + "),
    ("* to /", r"(?<=[\w)\]]) \* (?=[\w(\[.])", " / "),
    ("/ to *", r"(?<=[\w)\]]) / (?=[\w(\[.])", " * "),
    ("< to <=", r" < ", " <= "),
    ("<= to <", r" <= ", " < "),
    ("> to >=", r" > ", " >= "),
    (">= to >", r" >= ", " > "),
    ("== to !=", r" == ", " != "),
    ("!= to ==", r" != ", " == "),
    ("and to or", r" and ", " or "),
    ("or to and", r" or ", " and "),
    ("drop not", r"\bnot ", ""),
    ("0.5 to 0.25", r"\b0\.5\b", "0.25"),
    ("2 to 3", r"(?<![\w.])2(?![\w.])", "3"),
    ("1 to 0", r"(?<![\w.])1(?![\w.])", "0"),
    ("max to min", r"\bmax\b", "min"),
    ("sqrt to abs", r"\bsqrt\b", "abs"),
    ("axis=-1 to axis=0", r"axis=-1", "axis=0"),
    ("True to False", r"\bTrue\b", "False"),
)

#: Survivors judged equivalent: (module, line text) -> why the mutant cannot be told apart.
EQUIVALENT: dict[tuple[str, str], str] = {
    (
        "highdim",
        "large, 0.5 - 0.125 / dim, -small_dim * jnp.expm1(2 * _log_gamma_ratio(small_dim / 2))",
    ): "for D >= 2^40, 0.125 / D < 1.2e-13 is below half a float32 ulp of 0.5 (3e-8): "
    "0.5 - 0.125 / D and 0.5 + 0.125 / D round to the same float32",
    (
        "plotting",
        "if values.ndim != 1 or not 1 <= width <= len(values):",
    ): "for '0 <= width': width was checked to be an integer >= 1 two lines above "
    "(positive_int), so 0 <= width and 1 <= width agree on every width that gets here",
    (
        "plotting",
        "for ax, p in zip(np.atleast_1d(axes), panels, strict=True):",
    ): "the figure has exactly len(panels) axes (new_figure(1, len(panels))), so the zip "
    "never has unequal lengths and strict=False changes nothing",
}


def code_lines(source: str) -> set[int]:
    """The numbers of the lines that hold code: not docstrings, comments or blank lines."""
    tree = ast.parse(source)
    skip: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                skip |= set(range(body[0].lineno, body[0].end_lineno + 1))
    lines = source.splitlines()
    return {
        i
        for i, text in enumerate(lines, start=1)
        if i not in skip
        and text.strip()
        and not text.strip().startswith(("#", "import ", "from ", "@", "def ", "class "))
        and "raise " not in text  # messages: mutating them tests wording, not behaviour
        and '"' not in text  # string literals (messages, keys) are not the arithmetic
    }


def candidates(module: str) -> list[dict]:
    """Every single-line mutant of `module`, in line order."""
    source = (PACKAGE / f"{module}.py").read_text()
    lines = source.splitlines()
    out = []
    for number in sorted(code_lines(source)):
        text = lines[number - 1]
        code = text.split("  #")[0]
        for name, pattern, replacement in OPERATORS:
            for match in re.finditer(pattern, code):
                mutated = text[: match.start()] + replacement + text[match.end() :]
                out.append(
                    {
                        "module": module,
                        "line": number,
                        "operator": name,
                        "original": text,
                        "mutated": mutated,
                    }
                )
    return out


def spread(items: list, count: int) -> list:
    """`count` items spread evenly over `items` (deterministic)."""
    if len(items) <= count:
        return items
    step = len(items) / count
    return [items[int(i * step)] for i in range(count)]


def run_mutant(mutant: dict, work: Path, timeout: float) -> str:
    """'killed', 'survived' or 'timeout' for one mutant, in the copy `work` of src/."""
    target = work / "gaussml" / f"{mutant['module']}.py"
    original = (PACKAGE / f"{mutant['module']}.py").read_text().splitlines(keepends=True)
    lines = list(original)
    ending = "\n" if lines[mutant["line"] - 1].endswith("\n") else ""
    lines[mutant["line"] - 1] = mutant["mutated"] + ending
    target.write_text("".join(lines))
    env = {**os.environ, "PYTHONPATH": str(work), "JAX_PLATFORMS": "cpu"}
    test_file = ROOT / "tests" / "package" / f"test_{mutant['module']}.py"
    command = [sys.executable, "-m", "pytest", str(test_file), "-x", "-q", "-p", "no:cacheprovider"]
    try:
        result = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, timeout=timeout, check=False
        )
        status = "survived" if result.returncode == 0 else "killed"
    except subprocess.TimeoutExpired:
        status = "timeout"  # counted as killed: a mutant that hangs is detected
    finally:
        target.write_text("".join(original))
    return status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", nargs="+", default=list(MODULES), choices=MODULES)
    parser.add_argument("--per-module", type=int, default=15)
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument(
        "--out", type=Path, default=ROOT / "_build" / "bench" / "package_mutants.json"
    )
    parser.add_argument(
        "--rerun", type=Path, help="run only the survivors of an earlier run's JSON output"
    )
    args = parser.parse_args()

    if args.rerun:
        earlier = json.loads(args.rerun.read_text())["mutants"]
        keys = ("module", "line", "operator", "original", "mutated")
        mutants = [{k: m[k] for k in keys} for m in earlier if m["status"] == "survived"]
    else:
        mutants = [
            m for module in args.modules for m in spread(candidates(module), args.per_module)
        ]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shutil.copytree(PACKAGE, work / "gaussml")
        for i, mutant in enumerate(mutants, start=1):
            start = time.perf_counter()
            status = run_mutant(mutant, work, args.timeout)
            seconds = time.perf_counter() - start
            results.append({**mutant, "status": status, "seconds": round(seconds, 1)})
            print(
                f"[{i}/{len(mutants)}] {status:8s} {mutant['module']}:{mutant['line']} "
                f"{mutant['operator']}: {mutant['mutated'].strip()} ({seconds:.0f} s)",
                flush=True,
            )
    survivors = [r for r in results if r["status"] == "survived"]
    killed = len(results) - len(survivors)
    rate = killed / len(results) if results else 1.0
    print(f"\n{killed} of {len(results)} mutants killed ({100 * rate:.1f} %)")
    for r in survivors:
        why = EQUIVALENT.get((r["module"], r["original"].strip()), "not judged yet")
        print(f"  survived {r['module']}:{r['line']} {r['operator']}: {r['mutated'].strip()}")
        print(f"    {why}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps({"killed": killed, "total": len(results), "mutants": results}, indent=1)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
