"""The one way to copy the project: what git tracks, and what it would track.

The reproducibility check, the benchmarks, the failure gates, the cache test
and the environment tests each build or set up a copy of the project in a
temporary folder; all start from `copy_project`. Each runs the copy with
`PYTHONPATH` at the copy's `src/`, so it builds with its own `gaussml` and
its own `bookkit` (`run_in_copy`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

from .build import FIGURE_FORMATS


def project_files(root: Path) -> list[Path]:
    """The files of the project under `root`: tracked, or untracked and not ignored."""
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root,
        check=True,
        capture_output=True,
    ).stdout.decode()
    return [Path(p) for p in out.split("\0") if p and (root / p).is_file()]


def copy_project(root: Path, dest: Path) -> Path:
    """Copy the project's files under `root` to `dest` (no build outputs, no .venv); `dest`."""
    for rel in project_files(root):
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / rel, dest / rel)
    return dest


def run_in_copy(copy: Path, command: list[str], log: Path, **env: str) -> tuple[int, float]:
    """Run `command` in the project `copy` as `make book` would (its own `src/` first on
    PYTHONPATH, the book's figure formats; `env` added), its output to `log`:
    (exit status, seconds)."""
    env = {
        **os.environ,
        "PYTHONPATH": str(copy / "src"),
        "GAUSSML_FIGURE_FORMATS": FIGURE_FORMATS,
        **env,
    }
    start = time.perf_counter()
    with log.open("w") as out:
        run = subprocess.run(command, cwd=copy, env=env, stdout=out, stderr=subprocess.STDOUT)
    return run.returncode, time.perf_counter() - start
