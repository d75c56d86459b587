"""Format and lint the code cells of MyST chapters with ruff, at 79 characters.

The cells of each chapter are written into a notebook (`.ipynb`, which ruff
reads cell by cell: names defined in an earlier cell are known in a later
one) and checked with the project's ruff settings (`pyproject.toml`) and a
line length of 79, so that code fits the printed page:

- `ruff format --check` (the code is formatted as ruff would format it);
- `ruff check` (the rules selected in `pyproject.toml`);
- no code line longer than 79 characters (comments and strings included,
  which the formatter does not wrap).

Usage: python -m bookkit.lint_chapters [--fix] CHAPTER.md ...
`--fix` formats the cells (and sorts imports) and writes them back in place.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

from .chapters import ROOT, cells

LINE_LENGTH = 79
RUFF = [sys.executable, "-m", "ruff"]
RUFF_OPTIONS = ["--config", str(ROOT / "pyproject.toml"), "--line-length", str(LINE_LENGTH)]


def notebook(codes: list[str]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(metadata={"language_info": {"name": "python"}})
    nb.cells = [nbformat.v4.new_code_cell(code) for code in codes]
    return nb


def read_back(path: Path) -> list[str]:
    return [c.source.rstrip("\n") for c in nbformat.read(path, as_version=4).cells]


def long_lines(chapter: Path) -> list[str]:
    problems = []
    for cell in cells(chapter):
        for k, line in enumerate(cell.code.splitlines()):
            if len(line) > LINE_LENGTH:
                where = f"{chapter.relative_to(ROOT)}:{cell.first + k + 1}"
                problems.append(f"{where}: code line of {len(line)} > {LINE_LENGTH} characters")
    return problems


def write_back(chapter: Path, codes: list[str]) -> None:
    lines = chapter.read_text(encoding="utf-8").splitlines()
    for cell, code in reversed(list(zip(cells(chapter), codes, strict=True))):
        lines[cell.first : cell.last] = code.splitlines()
    chapter.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("chapters", nargs="*", type=Path)
    parser.add_argument("--fix", action="store_true", help="format and write back in place")
    args = parser.parse_args(argv)
    failed = False
    if not args.chapters:
        print("no chapter to lint")
        return 0
    with tempfile.TemporaryDirectory(prefix="lint-chapters-") as tmp:
        notebooks = {}
        for chapter in args.chapters:
            chapter = chapter.resolve()
            path = Path(tmp) / f"{chapter.stem}.ipynb"
            nbformat.write(notebook([c.code for c in cells(chapter)]), path)
            notebooks[chapter] = path
        paths = [str(p) for p in notebooks.values()]
        if args.fix:
            subprocess.run([*RUFF, "check", *RUFF_OPTIONS, "--select", "I", "--fix", *paths])
            subprocess.run([*RUFF, "format", *RUFF_OPTIONS, *paths], check=True)
            for chapter, path in notebooks.items():
                write_back(chapter, read_back(path))
        for command in (["format", "--check", "--diff"], ["check"]):
            proc = subprocess.run([*RUFF, *command, *RUFF_OPTIONS, *paths])
            failed |= proc.returncode != 0
        if failed:  # ruff names cells by number: say where each starts in the .md
            for chapter in notebooks:
                starts = ", ".join(
                    f"cell {i + 1}: line {c.first + 1}" for i, c in enumerate(cells(chapter))
                )
                print(f"{chapter.relative_to(ROOT)}: {starts}", file=sys.stderr)
    for chapter in notebooks:
        problems = long_lines(chapter)
        failed |= bool(problems)
        for problem in problems:
            print(problem, file=sys.stderr)
    if not failed:
        print(f"{len(notebooks)} chapter(s): formatted, linted, lines <= {LINE_LENGTH}")
    return int(failed)


if __name__ == "__main__":
    sys.exit(main())
