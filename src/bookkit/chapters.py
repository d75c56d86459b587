"""The code cells of the book's MyST notebooks, as the lint and the bench read them.

A code cell is a fenced block opened by a line of backticks followed by
`{code-cell}`; its options are `:key: value` lines (or a `---` YAML block)
at its top, followed by the code. `cells(path)` returns each cell with its
tags and the line numbers of its code in the `.md` file, so that a tool can
check the code and write it back in place.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from . import ROOT

CHAPTERS = sorted((ROOT / "book" / "chapters").glob("*.md"))

_OPEN = re.compile(r"^(`{3,})\{code-cell\}")
# Tags that take the code off the page; `hide-*` keeps it one click away.
REMOVED = frozenset({"remove-cell", "remove-input"})


@dataclass
class Cell:
    code: str
    tags: tuple[str, ...]
    first: int  # 0-based index of the first code line in the file's lines
    last: int  # 0-based index one past the last code line

    @property
    def visible(self) -> bool:
        """On the page, or one click away (not removed)."""
        return not REMOVED.intersection(self.tags)

    @property
    def glue_only(self) -> bool:
        """Every statement is a `glue(...)` call (or a loop of them): plumbing."""
        tree = _parse(self.code)
        return bool(tree.body) and all(_is_glue(node) for node in tree.body)

    @property
    def glue_plumbing(self) -> bool:
        """Only `glue(...)` calls and the import of `glue` from `myst_nb`: a
        cell a reader's notebook can drop without changing what runs."""
        tree = _parse(self.code)
        return bool(tree.body) and all(_is_glue(node) or _imports_glue(node) for node in tree.body)

    def mentions_glue(self) -> bool:
        """Names `myst_nb` (an import of it included) or calls `glue`: page plumbing,
        not the reader's code."""
        return "myst_nb" in self.code or any(
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "glue"
            for node in ast.walk(_parse(self.code))
        )

    def code_lines(self) -> list[str]:
        """The lines that execute something: not blank, not only a comment."""
        return [
            line
            for line in self.code.splitlines()
            if line.strip() and not line.lstrip().startswith("#")
        ]

    def function_definitions(self) -> int:
        tree = _parse(self.code)
        return sum(isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) for n in ast.walk(tree))

    def names_bound(self) -> set[str]:
        """The names the cell binds or changes: assignment targets (and the
        containers of item and attribute assignments), imports, loop and
        `with` targets, definitions."""
        tree = _parse(self.code)
        bound: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
                bound.add(node.id)
            elif isinstance(node, ast.Subscript | ast.Attribute) and isinstance(
                node.ctx, ast.Store | ast.Del
            ):
                base = node.value
                while isinstance(base, ast.Subscript | ast.Attribute):
                    base = base.value
                if isinstance(base, ast.Name):
                    bound.add(base.id)
            elif isinstance(node, ast.alias):
                bound.add((node.asname or node.name).split(".")[0])
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                bound.add(node.name)
        return bound

    def names_needed(self) -> set[str]:
        """The names the cell reads before (or on the line where) it binds
        them: what it needs from the cells above."""
        tree = _parse(self.code)
        first_store: dict[str, int] = {}
        loads: list[tuple[str, int]] = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                if isinstance(node.ctx, ast.Load):
                    loads.append((node.id, node.lineno))
                else:
                    first_store[node.id] = min(first_store.get(node.id, node.lineno), node.lineno)
        return {name for name, line in loads if line <= first_store.get(name, line)}


def _parse(code: str) -> ast.Module:
    try:
        return ast.parse(code)
    except SyntaxError:
        return ast.Module(body=[], type_ignores=[])


def _is_glue(node: ast.stmt) -> bool:
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        func = node.value.func
        return isinstance(func, ast.Name) and func.id == "glue"
    if isinstance(node, ast.For):
        return all(_is_glue(n) for n in node.body) and not node.orelse
    return False


def _imports_glue(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.ImportFrom)
        and node.module == "myst_nb"
        and [alias.name for alias in node.names] == ["glue"]
    )


def cells(path: Path) -> list[Cell]:
    return cells_of(path.read_text(encoding="utf-8"))


def cells_of(text: str) -> list[Cell]:
    lines = text.splitlines()
    found, i = [], 0
    while i < len(lines):
        match = _OPEN.match(lines[i])
        if not match:
            i += 1
            continue
        fence = match.group(1)
        j = i + 1
        options: dict = {}
        if j < len(lines) and lines[j].strip() == "---":
            end = lines.index("---", j + 1)
            options = yaml.safe_load("\n".join(lines[j + 1 : end])) or {}
            j = end + 1
        else:
            while j < len(lines) and re.match(r"^:[\w-]+:", lines[j]):
                key, _, value = lines[j][1:].partition(":")
                options[key] = yaml.safe_load(value.strip())
                j += 1
        if options and j < len(lines) and not lines[j].strip():
            j += 1  # the blank line after the options
        end = j
        while lines[end].rstrip() != fence:
            end += 1
        tags = options.get("tags") or []
        found.append(Cell("\n".join(lines[j:end]), tuple(tags), j, end))
        i = end + 1
    return found
