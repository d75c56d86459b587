"""Write the student handout's Jupyter Book config and table of contents.

The handout is the same book built from the same sources; only the title,
the PDF's file name and sphinx-exercise's `hide_solutions` differ, so the
config is derived from _config.yml rather than kept as a second copy.

For students it also leaves out the appendices written for teachers and
maintainers (the verification report, the execution statistics and the API
reference, found by their labels in `book/appendices/`): the table of
contents is derived from _toc.yml with each glob expanded to the files it
keeps. Without them, the chapters' links to the API reference print as code
(their targets are not in the build, which is not a warning here), the check
marks print without a link (`bookkit.sphinx.claim_marks`), and the appendices
still start after the last chapter (`\\appendix` was the report's). With
`--teacher` the handout keeps every appendix, as the book has them.

Usage: python -m bookkit.handout_config [--teacher] OUTPUT_YML
       (writes OUTPUT_YML and _toc.yml beside it)
"""

from __future__ import annotations

import argparse
import fnmatch
import re
from pathlib import Path

import yaml

from . import ROOT
from .chapters import CHAPTERS

# The appendices a student handout leaves out, by the label that opens each.
TEACHER_ONLY = {
    "app-verification": "the verification report",
    "app-execution": "the execution statistics",
    "app-api": "the API reference",
}
_TARGET = re.compile(r"^\(([\w-]+)\)=\s*$", re.MULTILINE)

# The book's first appendix (the report) says \appendix; without it, the first
# \chapter after the last numbered chapter does.
APPENDIX_HOOK = r"""
% handout_config: the appendices start after the last chapter.
\makeatletter
\newif\ifgaussml@appendix
\AddToHook{cmd/chapter/before}{%
  \ifgaussml@appendix\else\ifnum\value{chapter}=CHAPTERS\relax
    \global\gaussml@appendixtrue\appendix\fi\fi}
\makeatother
"""


def handout_config(config: dict, teacher: bool = False, chapters: int = 0) -> dict:
    config = dict(config)
    config["title"] = f"{config['title']}: Student Handout"
    latex = {**config["latex"], "latex_documents": {"targetname": "gaussml-handout.tex"}}
    config["latex"] = latex
    # The config is read from another folder: make its relative paths absolute.
    config["bibtex_bibfiles"] = [str(ROOT / p) for p in config.get("bibtex_bibfiles", [])]
    sphinx = dict(config["sphinx"])
    sphinx["config"] = {**sphinx["config"], "hide_solutions": True}
    if not teacher:
        settings = sphinx["config"]
        # {py:func} and {py:mod} links lead to the API reference, not in this build.
        settings["nitpick_ignore_regex"] = [
            *settings.get("nitpick_ignore_regex", []),
            ["py:.*", r"gaussml(\..*)?"],
        ]
        elements = dict(settings.get("latex_elements") or {})
        hook = APPENDIX_HOOK.replace("CHAPTERS", str(chapters))
        elements["preamble"] = elements.get("preamble", "") + hook
        settings["latex_elements"] = elements
    config["sphinx"] = sphinx
    return config


def teacher_only(page: Path) -> bool:
    """Whether a page is an appendix for teachers (by the first label it sets)."""
    target = _TARGET.search(page.read_text(encoding="utf-8"))
    return target is not None and target.group(1) in TEACHER_ONLY


def student_toc(toc: dict, root: Path = ROOT) -> dict:
    """`toc` with every glob expanded to the pages it matches, less the teacher-only ones."""
    pages = sorted(
        p.relative_to(root).with_suffix("").as_posix() for p in root.glob("book/**/*.md")
    )

    def entries(items: list[dict]) -> list[dict]:
        out = []
        for item in items:
            if "glob" in item:
                out += [
                    {"file": page}
                    for page in pages
                    if fnmatch.fnmatch(page, item["glob"]) and not teacher_only(root / f"{page}.md")
                ]
            elif "file" in item and teacher_only(root / f"{item['file']}.md"):
                continue
            else:
                out.append(item)
        return out

    # The book's toc (jb-book): parts, each a list of chapters.
    return {
        **toc,
        "parts": [{**part, "chapters": entries(part["chapters"])} for part in toc["parts"]],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", type=Path, help="the config to write; _toc.yml goes beside it")
    parser.add_argument(
        "--teacher", action="store_true", help="keep every appendix (the book's table of contents)"
    )
    args = parser.parse_args(argv)
    base = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    config = handout_config(base, teacher=args.teacher, chapters=len(CHAPTERS))
    args.output.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    toc_out = args.output.parent / "_toc.yml"
    toc_out.write_text(
        yaml.safe_dump(toc if args.teacher else student_toc(toc), sort_keys=False),
        encoding="utf-8",
    )
    print(args.output, toc_out, "(teacher: every appendix)" if args.teacher else "(student)")


if __name__ == "__main__":
    main()
