"""Forward against reverse mode: the cost of a full gradient as the parameters grow.

For the linear model's mean NLL with m coefficients (`gaussml.regression.linear_nll`
on a batch of n = 1000 samples of m standard-normal features), the full gradient
by reverse mode (`jax.grad`, one backward pass) and by forward mode
(`jax.jacfwd`, m directional derivatives, one `jax.jvp` per coefficient), both
compiled. Each is warmed up, then timed `--repeats` times; the table gives the
median in milliseconds and the ratio forward / reverse, which grows roughly
like m. Timings stay here, not in the book, since they differ between machines
and builds; chapter 4 states the operation counts.

Usage: python -m bookkit.bench_autodiff [--repeats 20] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
from functools import partial
from pathlib import Path

import jax
import jax.numpy as jnp

from gaussml.regression import linear_nll

from .bench import median_time

N = 1000
SIZES = (1, 10, 100, 1000)


def median_ms(fn, *args, repeats: int) -> float:
    """The median time of `fn(*args)` in ms, after one call that compiles it."""
    seconds, _ = median_time(lambda: jax.block_until_ready(fn(*args)), repeats=repeats, warmup=1)
    return 1e3 * seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rows = []
    for m in SIZES:
        key_x, key_y, key_b = jax.random.split(jax.random.key(m), 3)
        X = jax.random.normal(key_x, (m, N))
        y = jax.random.normal(key_y, (N,))
        beta = jax.random.normal(key_b, (m,))
        nll = partial(linear_nll, X=X, y=y, std=1.0)
        reverse = jax.jit(jax.grad(nll))
        forward = jax.jit(jax.jacfwd(nll))
        assert jnp.allclose(reverse(beta), forward(beta), rtol=1e-4, atol=1e-4)
        t_rev = median_ms(reverse, beta, repeats=args.repeats)
        t_fwd = median_ms(forward, beta, repeats=args.repeats)
        rows.append({"m": m, "reverse_ms": t_rev, "forward_ms": t_fwd, "ratio": t_fwd / t_rev})
    print(f"{'m':>6} {'reverse (ms)':>13} {'forward (ms)':>13} {'forward/reverse':>16}")
    for r in rows:
        print(f"{r['m']:>6} {r['reverse_ms']:>13.3f} {r['forward_ms']:>13.3f} {r['ratio']:>16.1f}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
