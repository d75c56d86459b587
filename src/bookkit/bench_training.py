"""Benchmark: the heteroscedastic training step as a Python loop versus one compiled scan.

Both versions run the same math as `gaussml.nn.fit_heteroscedastic` with its
defaults (Adam, standardised inputs and outputs, a fresh batch of 256 per step
drawn from the same per-step keys):

- loop: `trainer = nn.trainer(...)`, `trainer.init(key)`, then a Python `for`
  over `nn.train_keys` calling the same pure `trainer.step(key, state)`
  un-jitted (the batch, the gradient's bookkeeping and the optax update are
  dispatched operation by operation from Python; only the loss runs compiled);
- scan: `jax.jit` around `jax.lax.scan` of `trainer.step` over the steps
  (`fit_heteroscedastic`), timed after a first call that compiles it, and
  separately with compilation.

The loop is slow, so it runs `--loop-steps` steps (200 by default) and its
per-step time is that average; the scan runs the full `--steps` (3000, as the
chapter does). Both start from the same parameters and keys, and the script
checks that their losses over the first `--loop-steps` steps agree.

Usage:
    PYTHONPATH=src .venv/bin/python -m bookkit.bench_training [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import platform
import time

import jax
import numpy as np

from gaussml import nn
from gaussml.regression import target_f2


def scan_training(key, *, steps, batch_size):
    fit, losses = nn.fit_heteroscedastic(key, target_f2, steps=steps, batch_size=batch_size)
    return jax.block_until_ready((fit, losses))


def loop_training(key, *, steps, batch_size, run_steps):
    """The first `run_steps` steps of the `steps`-step fit, as a Python loop over `trainer.step`."""
    trainer = nn.trainer(target_f2, steps=steps, batch_size=batch_size)
    state = trainer.init(key)
    losses = []
    for key_step in nn.train_keys(key, steps)[:run_steps]:
        state, loss = trainer.step(key_step, state)
        losses.append(loss)
    return state, np.array(losses)


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    out = jax.block_until_ready(fn(*args, **kwargs))
    return out, time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=3000, help="steps of the compiled run")
    parser.add_argument("--loop-steps", type=int, default=200, help="steps of the Python loop")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    args = parser.parse_args()

    key = jax.random.key(0)
    # The loop: the first `loop_steps` of the `steps`-step run, from the same keys.
    (_, loop_losses), loop_seconds = timed(
        loop_training,
        key,
        run_steps=args.loop_steps,
        steps=args.steps,
        batch_size=args.batch_size,
    )
    # The scan: the first call compiles and runs; the second call only runs.
    _, first_seconds = timed(scan_training, key, steps=args.steps, batch_size=args.batch_size)
    (_, scan_losses), scan_seconds = timed(
        scan_training, key, steps=args.steps, batch_size=args.batch_size
    )
    # Same math: the scan's first losses equal the loop's up to float32 rounding
    # of differently fused operations (the losses are O(1)).
    agree = float(np.max(np.abs(np.asarray(scan_losses[: args.loop_steps]) - loop_losses)))

    loop_step = loop_seconds / args.loop_steps
    scan_step = scan_seconds / args.steps
    results = {
        "machine": f"{platform.machine()}, {jax.device_count()} {jax.default_backend()} device(s), "
        f"jax {jax.__version__}",
        "batch_size": args.batch_size,
        "loop_steps": args.loop_steps,
        "scan_steps": args.steps,
        "loop_seconds": loop_seconds,
        "scan_first_call_seconds": first_seconds,
        "scan_seconds": scan_seconds,
        "loop_ms_per_step": 1e3 * loop_step,
        "scan_ms_per_step": 1e3 * scan_step,
        "speedup_per_step": loop_step / scan_step,
        "speedup_including_compilation": loop_step * args.steps / first_seconds,
        "max_loss_difference_first_loop_steps": agree,
    }
    rows = [
        ("Python loop, un-jitted grad", args.loop_steps, loop_seconds, 1e3 * loop_step),
        ("jit + lax.scan (after compiling)", args.steps, scan_seconds, 1e3 * scan_step),
        (
            "jit + lax.scan (first call)",
            args.steps,
            first_seconds,
            1e3 * first_seconds / args.steps,
        ),
    ]
    print(f"{'version':34s} {'steps':>6s} {'seconds':>9s} {'ms/step':>9s}")
    for name, steps, seconds, ms in rows:
        print(f"{name:34s} {steps:6d} {seconds:9.3f} {ms:9.3f}")
    print(f"per-step speed-up of the compiled scan: {results['speedup_per_step']:.0f}x")
    print(
        f"{args.steps} steps, compilation included: the loop would take about "
        f"{loop_step * args.steps:.1f} s (extrapolated from {args.loop_steps} steps), "
        f"the scan {first_seconds:.2f} s ({results['speedup_including_compilation']:.0f}x)"
    )
    print(f"largest loss difference over the first {args.loop_steps} steps: {agree:.2e}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
