"""The book's tooling: it reads the book, builds it and checks what was built.

`gaussml` is the subject (and its sympy claims); `bookkit` is everything that
makes the book from it: the build with its caches (`build`), the readers of
the MyST sources (`chapters`, `displays`, `check_numbers`), the command line
that checks every numbered equation (`verify`), the handouts, the gates and
benchmarks, and the Sphinx extensions (`bookkit.sphinx`, loaded by
`_config.yml`). Each command is `python -m bookkit.<module>`; the Makefile
and `.ci/run` call them. Only the standard library is imported here, so
`python -m bookkit.serve` runs without the project's environment.
"""

from pathlib import Path

#: The repository (bookkit lives in its `src/`): every module's default root.
ROOT = Path(__file__).resolve().parents[2]
