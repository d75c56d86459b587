"""Whether a built output still shows this checkout's book.

The tests that read `_build` (the site, the PDFs) compare what a build shows
with the sources it was built from. An output older than a source it depends
on shows a book that no longer exists: those tests say so and skip (or fail,
where `.ci/run` requires the builds) instead of reporting its differences as
defects of the book.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# What a build reads: the pages, the package they import, the configuration.
SOURCES = ("book", "src/gaussml", "_config.yml", "_toc.yml")


def newest_source(root: Path = ROOT) -> Path:
    """The source file modified last (caches and compiled bytecode left out)."""
    files = []
    for name in SOURCES:
        path = root / name
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files += [
                p
                for p in path.rglob("*")
                if p.is_file()
                and "__pycache__" not in p.parts
                and not any(part.startswith(".") for part in p.relative_to(root).parts)
            ]
    return max(files, key=lambda p: p.stat().st_mtime)


def outdated(output: Path, make_target: str, root: Path = ROOT) -> str | None:
    """Why `output` cannot be tested (missing, or older than a source), or None."""
    if not output.exists():
        return f"no {output}: run '{make_target}'"
    source = newest_source(root)
    if source.stat().st_mtime > output.stat().st_mtime:
        return (
            f"{output} is older than {source.relative_to(root)}: "
            f"run '{make_target}' to test the book as it now is"
        )
    return None
