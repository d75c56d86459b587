"""Two builds of the book from the same sources give the same book.

Copies the project's files (those git knows, tracked or not ignored) into two
temporary folders, builds each as `make book` does (`bookkit.build
--fresh`: every page executed, none read from a cache; PYTHONPATH pointing at
the copy's own `src/`), and compares:

- the glued values (`_build/jupyter_execute/**/*.glue.json`: every mime type,
  figures included) name by name;
- the list of HTML pages;
- the rendered text of every page (scripts and styles removed, whitespace
  collapsed), with the address of every image (figures are stored under a
  hash of their content, so a changed figure changes its address).

Every page executes in each fresh build; JAX's compiled programs come from
the machine's cache (`bookkit.build.jax_cache_folder`), since JAX keys them
on the program, and the claims' results are the clone's (`_build/claims`),
keyed on each claim's code. The fresh build's report
(`_build/bench/reproducible-*.json`) is what a package edit costs, which
`make bench` reports without building again.

Ignored: cache-busting query strings (`?v=...`, `?digest=...`) and the path of
the copy. Elements that show run times differ by design and are left out;
the list is EXCLUDED below, explicit and short: keep it so.

Usage:
  python -m bookkit.check_reproducible                 # two fresh builds
  python -m bookkit.check_reproducible --against _build  # a fresh build vs an existing one
  python -m bookkit.check_reproducible --against _build --plain
      # ... the fresh build by plain `jupyter-book build` (pages executed one by one, no
      # cache): the cached, parallel build gives the same book as the plain one
Exit status 0 when the builds agree, 1 when they differ (the differences are printed).
"""

from __future__ import annotations

import argparse
import difflib
import fnmatch
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

from bs4 import BeautifulSoup

from . import ROOT
from .build import JUPYTER_BOOK, jax_cache_env
from .check_links import site_pages
from .project import copy_project, run_in_copy

# (page pattern, the elements dropped (a CSS selector), why). Nothing else may differ.
EXCLUDED = [
    (
        "book/appendices/*execution*.html",
        "article table",
        "myst-nb's {nb-exec-table}: dates and run times",
    ),
]

_QUERY = re.compile(r"\?(v|digest)=[0-9a-f]+")


def build(copy: Path, log: Path, *, plain: bool = False, report: Path | None = None) -> float:
    """Build the copy's HTML site, every page executed; return the wall time in seconds."""
    if plain:  # _config.yml's own mode (force): no cache, pages executed in sequence
        command = [*JUPYTER_BOOK, "build", str(copy), "-W", "-n", "--keep-going"]
    else:
        command = [sys.executable, "-m", "bookkit.build", str(copy), "--fresh"]
        if report is not None:
            command += ["--report", str(report)]
    rc, seconds = run_in_copy(
        copy,
        command,
        log,
        # Every page executes again, but JAX's compiled programs come from the
        # machine's cache (keyed by JAX on the program: the same machine code);
        # `bookkit.build` would choose it too, plain `jupyter-book` (--plain) not.
        **jax_cache_env(),
        # The claims' results are the clone's too: keyed on each claim's code and
        # displayed LaTeX, which the copy shares; what the pages compute runs again.
        GAUSSML_CLAIMS_CACHE=os.environ.get("GAUSSML_CLAIMS_CACHE")
        or str(ROOT / "_build" / "claims" / "results.json"),
    )
    if rc != 0:
        sys.exit(f"the build of {copy} failed; see {log}")
    return seconds


def glued_values(build_dir: Path) -> dict[str, object]:
    values = {}
    for path in sorted((build_dir / "jupyter_execute").rglob("*.glue.json")):
        page = path.relative_to(build_dir / "jupyter_execute").as_posix()
        for name, data in json.loads(path.read_text(encoding="utf-8")).items():
            values[f"{page}:{name}"] = data
    return values


def page_text(site: Path, page: str, root: Path) -> list[str]:
    """The visible text of a page, one line per block, with image addresses."""
    html = (site / page).read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "noscript", "link", "meta"]):
        tag.decompose()
    for pattern, selector, _why in EXCLUDED:
        if fnmatch.fnmatch(page, pattern):
            for element in soup.select(selector):
                element.decompose()
    for img in soup.find_all("img"):
        img.replace_with(f"[image {_QUERY.sub('', img.get('src', ''))}]")
    body = soup.body or soup
    text = body.get_text("\n").replace(str(root), "<root>")
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def compare(build_a: Path, root_a: Path, build_b: Path, root_b: Path) -> list[str]:
    problems = []
    glue_a, glue_b = glued_values(build_a), glued_values(build_b)
    if not glue_a:
        problems.append(f"no glued values found in {build_a}/jupyter_execute")
    for name in sorted(set(glue_a) | set(glue_b)):
        if glue_a.get(name) != glue_b.get(name):
            a, b = (json.dumps(g.get(name))[:200] for g in (glue_a, glue_b))
            problems.append(f"glued value {name} differs:\n  a: {a}\n  b: {b}")

    site_a, site_b = build_a / "html", build_b / "html"
    pages_a, pages_b = (
        [p.relative_to(site).as_posix() for p in site_pages(site)] for site in (site_a, site_b)
    )
    if pages_a != pages_b:
        problems.append(f"different pages: {sorted(set(pages_a) ^ set(pages_b))}")
    for page in sorted(set(pages_a) & set(pages_b)):
        text_a, text_b = page_text(site_a, page, root_a), page_text(site_b, page, root_b)
        if text_a != text_b:
            diff = list(
                difflib.unified_diff(text_a, text_b, "a/" + page, "b/" + page, n=1, lineterm="")
            )
            shown = "\n".join(diff[:40]) + ("\n  ..." if len(diff) > 40 else "")
            problems.append(f"rendered text of {page} differs:\n{shown}")
    print(f"compared {len(glue_a)} glued values and {len(pages_a)} pages")
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--against",
        type=Path,
        help="an existing build folder (with html/ and jupyter_execute/) to compare with one fresh build",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary copies")
    parser.add_argument(
        "--plain",
        action="store_true",
        help="build the fresh copies with plain `jupyter-book build` (no cache, in sequence)",
    )
    args = parser.parse_args(argv)

    print("excluded from the comparison (they show run times):")
    for pattern, what, why in EXCLUDED:
        print(f"  {pattern}: {what} ({why})")
    work = Path(tempfile.mkdtemp(prefix="gaussml-repro-"))
    try:
        builds = []
        if args.against is not None:
            against = args.against.resolve()
            if not (against / "html" / "index.html").exists():
                sys.exit(f"no built site in {against}/html")
            builds.append((against, ROOT))
        for name in ("a", "b")[: 2 - len(builds)]:
            copy = work / name
            copy_project(ROOT, copy)
            # A fresh build is also what a package edit costs: `make bench` reports it.
            report = ROOT / "_build" / "bench" / f"reproducible-{name}.json"
            report.parent.mkdir(parents=True, exist_ok=True)
            seconds = build(copy, work / f"build-{name}.log", plain=args.plain, report=report)
            how = "plain jupyter-book build" if args.plain else "bookkit.build --fresh"
            print(f"built copy {name} in {seconds:.0f} s ({how})")
            builds.append((copy / "_build", copy))
        (build_a, root_a), (build_b, root_b) = builds
        problems = compare(build_a, root_a, build_b, root_b)
    finally:
        if args.keep:
            print(f"copies kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    if problems:
        print(f"\nNOT REPRODUCIBLE: {len(problems)} difference(s)\n", file=sys.stderr)
        print("\n\n".join(problems), file=sys.stderr)
        return 1
    print("reproducible: the two builds agree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
