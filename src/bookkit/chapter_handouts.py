"""One student handout per chapter, cut from the whole-book handout's LaTeX.

`make handout` leaves the whole handout's LaTeX in
`_build/handout/_build/latex/` (`gaussml-handout.tex` and the `.aux` that
LaTeX wrote for it, which holds the number every label prints). Each
chapter's handout is derived from them, without another Sphinx build:

- the preamble, with `xr-hyper` reading the `.aux` of the whole handout
  (`\\externaldocument`), so that a reference to another chapter prints the
  book's number, "(2.4)" stays "(2.4)", and links into `gaussml-handout.pdf`
  (copied beside it);
- the title page, retitled "<book title>: <chapter title>" (the running
  header keeps the handout's title), then the chapter's own body, with the
  chapter counter set so that its `\\chapter` carries the book's number
  (its equations, figures, tables and exercises are numbered within it, as
  in the book);
- a References section with only the entries the chapter cites.

Its `.aux` is seeded with the chapter's own labels and citations and its
`.out` with its PDF bookmarks, both taken from the whole handout's: one
xelatex pass then resolves every reference. The chapters are compiled two
at a time in the handout's LaTeX folder (its figures, styles and fonts), and
each PDF is copied to `_build/handouts/<chapter>.pdf`, beside a copy of the
whole handout.

Usage: python -m bookkit.chapter_handouts [--latex DIR] [--out DIR] [--jobs N]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import yaml

from . import ROOT
from .chapters import CHAPTERS

LATEX = ROOT / "_build/handout/_build/latex"
NAME = "gaussml-handout"  # the whole handout's .tex, .aux and .pdf
OUT = ROOT / "_build/handouts"

_LABEL = re.compile(r"\\label\{(?:\\detokenize\{([^{}]*)\}|([^{}\\]*))\}")
_NEWLABEL = re.compile(r"^\\newlabel\{([^{}]+)\}", re.MULTILINE)
_BIBCITE = re.compile(r"^\\bibcite\{([^{}]+)\}", re.MULTILINE)
# sphinxcontrib-bibtex's citation: a link to the anchor `cite.KEY` its \\bibitem sets.
_CITE = re.compile(r"\\hyperlink\{cite\.([^{}]+)\}")
_BIBITEM = re.compile(r"\\bibitem(?:\[[^\]]*\])?\{([^{}]+)\}")
_BIBLIOGRAPHY = re.compile(
    r"(\\begin\{sphinxthebibliography\}\{[^{}]*\}\n?)(.*?)(\\end\{sphinxthebibliography\})",
    re.DOTALL,
)
_BOOKMARK = re.compile(r"^\\BOOKMARK \[(\d+)\]\[[^\]]*\]\{([^{}]+)\}.*$", re.MULTILINE)


def job_name(stem: str) -> str:
    """The LaTeX job (in the handout's LaTeX folder) of the chapter `book/chapters/<stem>.md`."""
    return f"handout-{stem}"


@dataclass(frozen=True)
class Chapter:
    stem: str  # the file name without .md: also the handout's name
    docname: str  # Sphinx's: book/chapters/<stem>
    number: str  # as the book prints it
    title: str  # LaTeX, as in the whole handout's \chapter
    body: str  # its LaTeX, from its \chapter to the next document


def doc_starts(tex: str) -> list[tuple[int, str]]:
    """(offset, docname) of every document in the whole .tex, in order.

    A document starts at the `\\sphinxstepscope` Sphinx writes before it (or,
    without one, at the `\\chapter` before its `DOC::doc` label).
    """
    starts = []
    document = tex.index("\\begin{document}")
    for match in re.finditer(r"\\label\{\\detokenize\{([^{}]*)::doc\}\}", tex):
        previous = starts[-1][0] if starts else document
        at = tex.rfind("\\sphinxstepscope", previous + 1, match.start())
        if at < 0:
            at = tex.rfind("\\chapter", previous + 1, match.start())
        starts.append((at if at >= 0 else match.start(), match.group(1)))
    return starts


def chapters(tex: str, aux: str, docnames: list[str]) -> list[Chapter]:
    """The given documents' bodies, numbers and titles, as the whole handout holds them."""
    starts = doc_starts(tex)
    end_of_body = tex.find("\\renewcommand{\\indexname}")
    end_of_body = end_of_body if end_of_body >= 0 else tex.rfind("\\end{document}")
    numbers = {
        name.removesuffix("::doc"): brace_groups(brace_groups(rest)[0])[0]
        for name, rest in re.findall(r"^\\newlabel\{([^{}]+::doc)\}(.*)$", aux, re.MULTILINE)
    }
    out = []
    for i, (start, doc) in enumerate(starts):
        if doc not in docnames:
            continue
        end = starts[i + 1][0] if i + 1 < len(starts) else end_of_body
        body = tex[start:end]
        at = body.find("\\chapter{")
        if at < 0 or doc not in numbers:
            raise SystemExit(f"{doc}: no numbered \\chapter in {NAME}.tex")
        title = brace_groups(body[at + len("\\chapter") :])[0]
        out.append(Chapter(doc.rpartition("/")[2], doc, numbers[doc], title, body))
    missing = sorted(set(docnames) - {c.docname for c in out})
    if missing:
        raise SystemExit(f"not in {NAME}.tex: {', '.join(missing)}")
    return out


def brace_groups(text: str) -> list[str]:
    """The `{...}` groups at the start of `text`, in order (nested braces kept)."""
    groups, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char == "\\" and i + 1 < len(text) and text[i + 1] in "{}":
            continue
        if text[i - 1 : i] == "\\":
            continue
        if char == "{":
            if depth == 0:
                start = i + 1
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                groups.append(text[start:i])
        elif depth == 0 and not char.isspace():
            break
    return groups


def labels_in(latex: str) -> set[str]:
    return {a or b for a, b in _LABEL.findall(latex)}


def preamble(tex: str, title: str, others: str) -> str:
    """The whole handout's preamble, retitled, reading the other documents' labels."""
    head = tex[: tex.index("\\begin{document}")]
    hyperref = re.search(r"^\\usepackage(\[[^\]]*\])?\{hyperref\}", head, re.MULTILINE)
    if hyperref is None:
        raise SystemExit(f"no \\usepackage{{hyperref}} in {NAME}.tex")
    # xr-hyper before hyperref: references to another document link into its PDF.
    head = (
        head[: hyperref.start()]
        + "\\usepackage{xr-hyper}\n"
        + head[hyperref.start() : hyperref.end()]
        + f"\n\\externaldocument{{{others}}}[{NAME}.pdf]"
        + head[hyperref.end() :]
    )
    # The title page names the chapter; the running header keeps the handout's title.
    head += (
        "\\makeatletter\n\\newcommand{\\gaussmlchaptertitle}{\\let\\gaussml@title\\@title"
        f"\\title{{{title}}}\\sphinxmaketitle\\global\\let\\@title\\gaussml@title}}\n"
        "\\makeatother\n"
    )
    return head.replace("\\makeindex", "")


def front_matter(tex: str, first_doc: int) -> str:
    """`\\begin{document}` and the title page, without the table of contents."""
    start = tex.index("\\begin{document}")
    front = tex[start:first_doc]
    if "\\sphinxmaketitle" not in front:
        raise SystemExit(f"no \\sphinxmaketitle in {NAME}.tex")
    front = front.replace("\\sphinxmaketitle", "\\gaussmlchaptertitle")
    front = front.replace("\\sphinxtableofcontents", "")
    # The root document (the introduction) is not part of a chapter's handout.
    intro = re.search(r"\\sphinxstepscope|\\label\{\\detokenize\{[^{}]*::doc\}\}", front)
    return front[: intro.start()] if intro else front


def bibliography(tex: str, keys: set[str]) -> str:
    """The whole handout's bibliography, only the entries with these keys."""
    match = _BIBLIOGRAPHY.search(tex)
    if match is None or not keys:
        return ""
    begin, entries, end = match.groups()
    items = list(_BIBITEM.finditer(entries))
    kept = [
        entries[m.start() : items[i + 1].start() if i + 1 < len(items) else len(entries)]
        for i, m in enumerate(items)
        if m.group(1) in keys
    ]
    if not kept:
        return ""
    return "\\section*{References}\n" + begin + "".join(kept).rstrip() + "\n" + end + "\n"


def seeded_aux(aux: str, own: set[str], keys: set[str]) -> str:
    """The chapter's .aux before its first pass: its own labels and citations."""
    lines = ["\\relax"]
    for line in aux.splitlines():
        label = _NEWLABEL.match(line)
        cite = _BIBCITE.match(line)
        if (label and label.group(1) in own) or (cite and cite.group(1) in keys):
            lines.append(line)
    return "\n".join(lines) + "\n"


def others_aux(aux: str, own: set[str]) -> str:
    """Every label of the other documents, for `\\externaldocument`."""
    return "\n".join(
        line for line in aux.splitlines() if (m := _NEWLABEL.match(line)) and m[1] not in own
    )


def bookmarks(out: str, number: str) -> str:
    """The whole handout's PDF bookmarks of one chapter (hyperref's .out file)."""
    anchor = re.compile(rf"^[a-z]+\.{re.escape(number)}(\.|$)")
    return "".join(
        line + "\n"
        for line in out.splitlines()
        if (m := _BOOKMARK.match(line)) and anchor.match(m[2])
    )


def chapter_tex(tex: str, aux: str, chapter: Chapter, book_title: str, job: str) -> tuple[str, str]:
    """The chapter handout's .tex and its seeded .aux."""
    own = labels_in(chapter.body)
    keys = set(_CITE.findall(chapter.body))
    first_doc = doc_starts(tex)[0][0]
    number = int(chapter.number)
    source = (
        preamble(tex, f"{book_title}: {chapter.title}", f"{job}-others")
        + front_matter(tex, first_doc)
        + f"\n\\setcounter{{chapter}}{{{number - 1}}}\n"
        + chapter.body
        + bibliography(tex, keys)
        + "\n\\end{document}\n"
    )
    return source, seeded_aux(aux, own, keys)


def compile_tex(latex: Path, job: str) -> tuple[str, float, str | None]:
    start = time.perf_counter()
    result = subprocess.run(
        ["xelatex", "-interaction=nonstopmode", "-halt-on-error", f"{job}.tex"],
        cwd=latex,
        capture_output=True,
        text=True,
        errors="replace",
    )
    seconds = time.perf_counter() - start
    pdf = latex / f"{job}.pdf"
    if result.returncode != 0 or not pdf.is_file():
        log = (latex / f"{job}.log").read_text(encoding="utf-8", errors="replace")
        errors = [line for line in log.splitlines() if line.startswith("!")]
        return job, seconds, "; ".join(errors[:3]) or f"xelatex exit {result.returncode}"
    return job, seconds, None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latex", type=Path, default=LATEX, help="the whole handout's LaTeX")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--jobs", type=int, default=2, help="chapters compiled at a time")
    args = parser.parse_args(argv)
    started = time.perf_counter()

    latex = args.latex.resolve()
    for suffix in (".tex", ".aux", ".pdf"):
        if not (latex / f"{NAME}{suffix}").is_file():
            sys.exit(f"no {latex / NAME}{suffix}: run 'make handout' first")
    tex = (latex / f"{NAME}.tex").read_text(encoding="utf-8")
    aux = (latex / f"{NAME}.aux").read_text(encoding="utf-8")
    out_file = latex / f"{NAME}.out"
    out = out_file.read_text(encoding="utf-8") if out_file.is_file() else ""
    book_title = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["title"]
    docnames = [f"book/chapters/{p.stem}" for p in CHAPTERS]

    jobs = {}
    for chapter in chapters(tex, aux, docnames):
        job = job_name(chapter.stem)
        source, seed = chapter_tex(tex, aux, chapter, book_title, job)
        (latex / f"{job}.tex").write_text(source, encoding="utf-8")
        (latex / f"{job}.aux").write_text(seed, encoding="utf-8")
        (latex / f"{job}-others.aux").write_text(
            others_aux(aux, labels_in(chapter.body)), encoding="utf-8"
        )
        (latex / f"{job}.out").write_text(bookmarks(out, chapter.number), encoding="utf-8")
        (latex / f"{job}.pdf").unlink(missing_ok=True)
        jobs[job] = chapter

    args.out.mkdir(parents=True, exist_ok=True)
    for old in args.out.glob("*.pdf"):  # none left from an earlier build, or a removed chapter
        old.unlink()
    failed = []
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for job, seconds, error in pool.map(lambda j: compile_tex(latex, j), jobs):
            if error:
                failed.append(f"{job}: {error} (see {latex / job}.log)")
                print(f"  {job}: FAILED in {seconds:.1f} s", flush=True)
                continue
            shutil.copy2(latex / f"{job}.pdf", args.out / f"{jobs[job].stem}.pdf")
            print(f"  {args.out / jobs[job].stem}.pdf: {seconds:.1f} s", flush=True)
    shutil.copy2(latex / f"{NAME}.pdf", args.out / f"{NAME}.pdf")
    print(f"{len(jobs) - len(failed)} chapter handouts in {time.perf_counter() - started:.1f} s")
    if failed:
        print("\n".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
