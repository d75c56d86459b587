"""Equation mutation gate: small edits to every numbered equation must each fail `verify`.

For each numbered equation of `book/`, one edit at a time on a copy of the
page's text: change a numeric constant, flip a sign, change an exponent, drop
a square root or a transpose, swap two symbols. The unedited equations and
their claims must hold first, read from the claim-results cache that
`python -m bookkit.verify` fills (`gaussml.derivations._results`: what it
does not hold runs). Each mutant is then checked for real by the binding
check `verify` uses (`gaussml.derivations._binding.check_display`): the
claim's code is unchanged, only the display is edited, and no mutant's
outcome is read from or written to the cache. A mutant that
passes is a survivor: it must be listed in `EQUIVALENT` with the reason it
does not change the mathematics. Prints the table and writes
`_build/bench/equation_mutants.json`; exits non-zero when an equation has
fewer than 3 mutants, the kill rate is below 95 %, or a survivor is not explained.

    python -m bookkit.equation_mutants [--label LABEL]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import signal
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from gaussml.derivations import ClaimFailed, claims
from gaussml.derivations._binding import check_display
from gaussml.derivations._results import check

from . import ROOT
from .displays import BOOK, book_equations, displayed_equations

OUT = ROOT / "_build" / "bench" / "equation_mutants.json"
PER_OPERATOR = 3  # at most this many mutants per operator and equation
MIN_PER_EQUATION = 3
MIN_KILL_RATE = 0.95
MUTANT_SECONDS = 20  # a slower check counts as failed (see `killed`)

#: Survivors that do not change the mathematics: (label, mutant) -> why.
EQUIVALENT: dict[tuple[str, str], str] = {
    ("uni-affine-pdf", "sign - -> + at 154"): "d/dx (x + mu)/sigma = d/dx (x - mu)/sigma = 1/sigma",
    ("hd-chi-asym", "sign + -> - at 69"): "a remainder O(1/D^2) has no sign: -O(1/D^2) = O(1/D^2)",
    (
        "hd-lerp-var",
        "sign + -> - at 34",
    ): "x_a and x_b are independent: Var[a x_a - b x_b] = Var[a x_a + b x_b]",
    ("hd-lerp-var", "swap a <-> b"): "x_a and x_b are identically distributed and independent: "
    "swapping them leaves the variance",
    (
        "hd-polar-var",
        "sign + -> - at 151",
    ): "x_a and x_b are independent: Var[a x_a - b x_b] = Var[a x_a + b x_b]",
    (
        "reg-rank",
        "sign + -> - at 121",
    ): "the line holds for every t, and t -> -t maps it to itself (X^T v = 0)",
    ("reg-grad", "transpose dropped at 96"): "X X^T is symmetric: (X X^T)^T = X X^T",
    ("reg-se-cov", "swap j <-> k"): "both sides are symmetric in j and k (C_kj = C_jk)",
    (
        "reg-eyy",
        "sign + -> - at 132",
    ): "the term X^T beta E[eps]^T is zero (E[eps] = 0) whatever its sign",
    (
        "reg-cov",
        "sign - -> + at 66",
    ): "E[(b + beta)(b - beta)^T] = E[(b - beta)(b - beta)^T] because E[b] = beta",
    (
        "reg-cov",
        "sign - -> + at 85",
    ): "E[(b - beta)(b + beta)^T] = E[(b - beta)(b - beta)^T] because E[b] = beta",
    ("nn-contraction", "swap \\eta <-> c"): "eta c = c eta: the product commutes",
    (
        "uni-gauss-integral",
        "exponent ^{\\infty} -> ^{(\\infty) + 1} at 20",
    ): "the upper limit infinity + 1 is still infinity",
    (
        "uni-moments",
        "exponent ^{\\infty} -> ^{(\\infty) + 1} at 21",
    ): "the upper limit infinity + 1 is still infinity",
    (
        "hd-mvn-pdf",
        "swap x <-> \\mu",
    ): "the density depends on x and mu only through (x - mu)^T Sigma^{-1} (x - mu), "
    "which is the same for mu - x",
    ("uni-fourth-moment", "swap X <-> \\mu"): "(mu - X)^4 = (X - mu)^4: an even power",
    (
        "nn-het-nll",
        "swap \\mu <-> y",
    ): "the loss depends on y and mu only through (y - mu)^2 = (mu - y)^2",
    (
        "nn-beta-nll",
        "swap \\mu <-> y",
    ): "the loss depends on y and mu only through (y - mu)^2 = (mu - y)^2",
}

# Groups whose content is words or markup, never mathematics to mutate.
_PROTECTED = re.compile(
    r"\\(?:text|operatorname|mathrm|mathcal|mathbb|begin|end|xrightarrow\[[^\]]*\])\{[^}]*\}"
)
_VARIABLE = re.compile(
    r"\\(?:alpha|beta|mu|sigma|eta|varepsilon)(?![A-Za-z])|(?<![\\A-Za-z])[a-zA-Z](?![A-Za-z])"
)
_NOT_SWAPPED = {"d", "e", "E", "P", "p", "O", "f", "F"}


def _protected_spans(tex: str) -> list[tuple[int, int]]:
    return [m.span() for m in _PROTECTED.finditer(tex)]


def _free(pos: int, spans) -> bool:
    return not any(a <= pos < b for a, b in spans)


def _edits(tex: str, spans, pattern: str, what: str, replace) -> list[tuple[str, str]]:
    """Each match of `pattern` outside `spans` replaced by `replace(match)` (None: left
    as is), at most PER_OPERATOR: (description, edited LaTeX)."""
    found = []
    for m in re.finditer(pattern, tex):
        new = replace(m) if _free(m.start(), spans) else None
        if new is not None:
            change = f"{m.group()} -> {new}" if new else "dropped"
            found.append(
                (f"{what} {change} at {m.start()}", tex[: m.start()] + new + tex[m.end() :])
            )
    return found[:PER_OPERATOR]


def _raised(m: re.Match) -> str | None:
    """An exponent raised: ^k -> ^{k+1}, ^x -> ^{2x}, ^{...} -> ^{(...) + 1}; not ^{\\top}."""
    body = m.group(1)
    if body == "{\\top}":
        return None
    if body.isdigit():
        return f"^{{{int(body) + 1}}}"
    return f"^{{2{body}}}" if len(body) == 1 else f"^{{({body[1:-1]}) + 1}}"


def _flipped(tex: str, m: re.Match) -> str | None:
    """A sign flipped, not at the start of an exponent (`^{-1}`: the exponent's edit)."""
    if tex[max(0, m.start() - 2) : m.start()].endswith("^{"):
        return None
    return "-" if m[0] == "+" else "+"


def mutants(tex: str) -> list[tuple[str, str]]:
    """Edits of `tex`: (description, edited LaTeX), at most PER_OPERATOR per operator."""
    spans = _protected_spans(tex)
    out = [
        # a numeric constant: d -> d + 1
        *_edits(tex, spans, r"(?<![A-Za-z_\\])\d", "constant", lambda m: str((int(m[0]) + 1) % 10)),
        # a sign: + <-> - (a leading minus too)
        *_edits(tex, spans, r"[+-]", "sign", lambda m: _flipped(tex, m)),
        *_edits(tex, spans, r"\^(\{[^{}]*\}|\d|[A-Za-z])", "exponent", _raised),
        # a square root dropped: \sqrt{a} -> {a}, \sqrt 2 -> 2
        *_edits(tex, spans, r"\\sqrt\s*", "sqrt", lambda m: ""),
        *_edits(tex, spans, r"\^\\top|\^\{\\top\}", "transpose", lambda m: ""),
    ]
    # two symbols swapped everywhere
    names = []
    for m in _VARIABLE.finditer(tex):
        if _free(m.start(), spans) and m.group() not in _NOT_SWAPPED and m.group() not in names:
            names.append(m.group())
    found = []
    for a, b in itertools.pairwise(names):
        swapped = _VARIABLE.sub(
            lambda m, a=a, b=b: (
                (b if m.group() == a else a if m.group() == b else m.group())
                if _free(m.start(), spans)
                else m.group()
            ),
            tex,
        )
        found.append((f"swap {a} <-> {b}", swapped))
    return out + found[:PER_OPERATOR]


class _TooSlow(Exception):
    pass


def _too_slow(signum, frame):
    raise _TooSlow


def killed(label: str, page_text: str, tex: str, mutated: str) -> tuple[bool, str]:
    """Check the edited page as `verify` does: True (and the message) when the check fails.

    A check still running after `MUTANT_SECONDS` counts as failed: sympy can spend
    many minutes on an integral the edit made hard (an exponent swapped with the
    variable of integration), and a `verify` that never ends fails the build too.
    """
    edited = page_text.replace(tex, mutated, 1)
    shown = displayed_equations(edited).get(label)
    if shown is None:
        return True, "the edited page no longer displays the equation"
    previous = signal.signal(signal.SIGALRM, _too_slow)
    signal.alarm(MUTANT_SECONDS)
    try:
        check_display(label, shown)
    except ClaimFailed as error:
        return True, str(error).splitlines()[0][:160]
    except _TooSlow:
        return True, f"the check did not finish in {MUTANT_SECONDS} s"
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    return False, ""


def mutate_equation(item: tuple[str, tuple[Path, str]]) -> tuple[list[dict], list[str], float]:
    """Every mutant of one equation, checked: its rows, its problems and the seconds taken."""
    label, (page, tex) = item
    text = page.read_text(encoding="utf-8")
    edits = mutants(tex)
    problems = [f"{label}: only {len(edits)} mutants"] if len(edits) < MIN_PER_EQUATION else []
    began = time.perf_counter()
    rows = []
    for description, mutated in edits:
        dead, message = killed(label, text, tex, mutated)
        reason = EQUIVALENT.get((label, description), "")
        rows.append(
            {
                "label": label,
                "mutant": description,
                "killed": dead,
                "message": message,
                "equivalent": reason,
            }
        )
        if not dead and not reason:
            problems.append(f"{label}: mutant '{description}' survives unexplained")
    return rows, problems, time.perf_counter() - began


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", action="append", help="only these equations")
    parser.add_argument("--book", type=Path, default=BOOK)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="worker processes (default: one per CPU)",
    )
    parser.add_argument("--progress", action="store_true", help="print each equation as it is done")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    equations = [
        (label, where)
        for label, where in book_equations(args.book).items()
        if not args.label or label in args.label
    ]
    # The baseline: every unedited equation and its claim hold (from the cache, or run).
    labels = {label for label, _ in equations}
    names = [c.name for c in claims().values() if labels & set(c.labels)]
    baseline = check(names, {lb: tex for lb, (_, tex) in equations}, workers=max(1, args.jobs))
    broken = {**baseline.claims, **baseline.displays}
    broken = {what: error for what, error in broken.items() if error}
    for what, error in broken.items():
        print(f"FAILED unedited {what}: {error}", file=sys.stderr)
    if broken:
        return 1
    # One equation per task, in worker processes: the results come back in order.
    with ProcessPoolExecutor(max(1, args.jobs)) as pool:
        results = list(pool.map(mutate_equation, equations))
    rows, problems = [], []
    for (label, _), (mine, trouble, seconds) in zip(equations, results, strict=True):
        rows += mine
        problems += trouble
        if args.progress:
            print(f"  {label}: {len(mine)} mutants, {seconds:.1f} s", flush=True)
    total = len(rows)
    n_killed = sum(r["killed"] for r in rows)
    rate = n_killed / total if total else 0.0
    labels = sorted({r["label"] for r in rows})
    width = max(len(lbl) for lbl in labels)
    print(f"{'label':<{width}}  mutants  killed")
    for lbl in labels:
        mine = [r for r in rows if r["label"] == lbl]
        print(f"{lbl:<{width}}  {len(mine):>7}  {sum(r['killed'] for r in mine):>6}")
    print(
        f"\n{n_killed} of {total} mutants killed ({100 * rate:.1f} %) in {time.perf_counter() - start:.0f} s"
    )
    for r in rows:
        if not r["killed"]:
            print(f"survivor {r['label']}: {r['mutant']}: {r['equivalent'] or 'NOT EXPLAINED'}")
    if rate < MIN_KILL_RATE:
        problems.append(f"kill rate {100 * rate:.1f} % is below {100 * MIN_KILL_RATE:.0f} %")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    summary = {"mutants": total, "killed": n_killed, "kill_rate": rate, "equations": len(labels)}
    args.out.write_text(
        json.dumps({"summary": summary, "rows": rows}, indent=1) + "\n", encoding="utf-8"
    )
    for problem in problems:
        print(f"FAILED {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
