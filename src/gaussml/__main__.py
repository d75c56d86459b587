"""Command line: `python -m gaussml verify` checks every numbered equation of the book.

For each equation it runs the sympy claim that backs it and binds the claim
to the LaTeX the page displays (`gaussml.derivations._binding`), without
building the book. `--chapter N` and `--label LABEL` narrow the run.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path


def _check_claim(task: tuple[str, list[tuple[str, str]]]) -> list[tuple[str, str, str, str, float]]:
    """Run one claim and the bindings of its equations: (label, claim, scope, message, seconds)."""
    from gaussml.derivations import ClaimFailed
    from gaussml.derivations._binding import bindings, check_equation, claim_of

    _, equations = task
    out = []
    for label, tex in equations:
        start = time.perf_counter()
        try:
            c = claim_of(label)
            check_equation(label, tex)
            message = ""
        except ClaimFailed as error:
            message = str(error) or type(error).__name__
        except Exception as error:
            message = f"{label}: {type(error).__name__}: {error}"
        try:
            name, scope = c.name, c.scope or "scope not stated"
        except NameError:
            name, scope = "-", "scope not stated"
        if label in bindings() and bindings()[label].scope:
            scope += f"; display {bindings()[label].scope}"
        out.append((label, name, scope, message, time.perf_counter() - start))
    return out


def _chapter_of(page: Path) -> int | None:
    head = page.name.split("_", 1)[0]
    return int(head) if head.isdigit() else None


def verify(argv: list[str]) -> int:
    from gaussml.derivations._binding import BOOK, book_equations, claim_of

    parser = argparse.ArgumentParser(prog="python -m gaussml verify", description=__doc__)
    parser.add_argument("--chapter", type=int, help="only the equations of chapter N")
    parser.add_argument("--label", action="append", help="only this equation (repeatable)")
    parser.add_argument(
        "--book", type=Path, default=BOOK, help="the book's sources (default: %(default)s)"
    )
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default: 2)")
    args = parser.parse_args(argv)

    equations = book_equations(args.book)
    if args.chapter is not None:
        equations = {k: v for k, v in equations.items() if _chapter_of(v[0]) == args.chapter}
    if args.label:
        unknown = sorted(set(args.label) - set(equations))
        if unknown:
            print(f"no numbered equation labelled {unknown} in {args.book}", file=sys.stderr)
            return 2
        equations = {k: v for k, v in equations.items() if k in args.label}
    if not equations:
        print("no numbered equation to check", file=sys.stderr)
        return 2

    # One task per claim: a claim backing several equations runs once.
    tasks: dict[str, list[tuple[str, str]]] = {}
    for label, (_, tex) in equations.items():
        try:
            key = claim_of(label).name
        except Exception:
            key = label
        tasks.setdefault(key, []).append((label, tex))
    start = time.perf_counter()
    ordered = sorted(
        tasks.items(), key=lambda item: min(list(equations).index(lbl) for lbl, _ in item[1])
    )
    if args.jobs > 1 and len(ordered) > 1:
        with ProcessPoolExecutor(args.jobs) as pool:
            results = [r for chunk in pool.map(_check_claim, ordered) for r in chunk]
    else:
        results = [r for task in ordered for r in _check_claim(task)]
    order = list(equations)
    results.sort(key=lambda r: order.index(r[0]))
    width = max(len(r[0]) for r in results)
    failures = []
    for label, name, scope, message, _seconds in results:
        status = "FAILED" if message else "ok"
        print(f"{label:<{width}}  {status:<6}  {name}  [{scope}]")
        if message:
            failures.append(message)
    elapsed = time.perf_counter() - start
    print(
        f"\n{len(results) - len(failures)} of {len(results)} equations verified in {elapsed:.1f} s"
    )
    for message in failures:
        print(f"\nFAILED {message}", file=sys.stderr)
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] != "verify":
        print("usage: python -m gaussml verify [--chapter N] [--label LABEL]", file=sys.stderr)
        return 2
    return verify(argv[1:])


if __name__ == "__main__":
    sys.exit(main())
