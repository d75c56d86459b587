"""Command line: `python -m bookkit.verify` checks every numbered equation of the book.

For each equation it runs the sympy claim that backs it and binds the claim
to the LaTeX the page displays (found by `bookkit.displays`, checked by
`gaussml.derivations._binding`), without building the book (`make verify`). `--chapter N` and `--label LABEL` narrow the run. Only
what the claim-results cache does not hold runs (`_results`: a claim keyed on
its code, a display on its LaTeX), so a second run after a prose edit runs
no claim.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def _chapter_of(page: Path) -> int | None:
    """N for `book/chapters/0N_name.md`; None for any other page (an appendix)."""
    head = page.name.split("_", 1)[0]
    return int(head) if page.parent.name == "chapters" and head.isdigit() else None


def verify(argv: list[str]) -> int:
    from gaussml.derivations._binding import bindings, claim_of
    from gaussml.derivations._results import cache_path, check

    from .displays import BOOK, book_equations

    parser = argparse.ArgumentParser(prog="python -m bookkit.verify", description=__doc__)
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

    # Each claim once, each display once, and only what the claim-results cache
    # does not hold (gaussml.derivations._results).
    start = time.perf_counter()
    owners, failures = {}, []
    for label in equations:
        try:
            owners[label] = claim_of(label)
        except Exception as error:
            owners[label] = str(error) or type(error).__name__
    claimed = {
        label: tex for label, (_, tex) in equations.items() if not isinstance(owners[label], str)
    }
    names = list(dict.fromkeys(o.name for o in owners.values() if not isinstance(o, str)))
    results = check(names, claimed, workers=args.jobs)
    width = max(len(label) for label in equations)
    for label in equations:
        owner = owners[label]
        if isinstance(owner, str):
            name, scope, message = "-", "scope not stated", owner
        else:
            name, scope = owner.name, owner.scope or "scope not stated"
            error = results.claims[name] or results.displays[label]
            message = f"{label}: {error}" if error else ""
        if label in bindings() and bindings()[label].scope:
            scope += f"; display {bindings()[label].scope}"
        print(f"{label:<{width}}  {'FAILED' if message else 'ok':<6}  {name}  [{scope}]")
        if message:
            failures.append(message)
    elapsed = time.perf_counter() - start
    print(
        f"\n{len(equations) - len(failures)} of {len(equations)} equations verified in "
        f"{elapsed:.1f} s: {len(results.ran_claims)} claim(s) and "
        f"{len(results.ran_displays)} display(s) checked, the rest from {cache_path()}"
    )
    for message in failures:
        print(f"\nFAILED {message}", file=sys.stderr)
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    return verify(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
