"""Cutting one chapter's handout from the whole handout's LaTeX (bookkit.chapter_handouts).

On a small synthetic document shaped like Sphinx's output; the real handouts
are checked in tests/pdf/test_handout.py after `make handouts`.
"""

from __future__ import annotations

from pathlib import Path

from bookkit import chapter_handouts as ch

ROOT = Path(__file__).resolve().parents[2]

TEX = r"""\documentclass{sphinxmanual}
\usepackage{hyperref}
\title{Book: Student Handout}
\makeindex
\begin{document}
\pagestyle{empty}
\sphinxmaketitle
\pagestyle{plain}
\sphinxtableofcontents
\pagestyle{normal}
\phantomsection\label{\detokenize{book/intro::doc}}
Intro text.
\sphinxstepscope
\chapter{One}
\label{\detokenize{book/chapters/01_a:ch-a}}\label{\detokenize{book/chapters/01_a::doc}}
\begin{equation}\label{equation:book/chapters/01_a:eq-a}x\end{equation}
\sphinxstepscope
\chapter{Two \(x\)}
\label{\detokenize{book/chapters/02_b:ch-b}}\label{\detokenize{book/chapters/02_b::doc}}
See (\ref{equation:book/chapters/01_a:eq-a}) and {[}\hyperlink{cite.book/e:id2}{Bishop, 2006}{]}.
\sphinxstepscope
\chapter{References}
\label{\detokenize{book/e::doc}}
\begin{sphinxthebibliography}{X}
\bibitem[Bis06]{book/e:id2}
Bishop.
\bibitem[Mur22]{book/e:id3}
Murphy.
\end{sphinxthebibliography}
\renewcommand{\indexname}{Index}
\printindex
\end{document}
"""
AUX = "\n".join(
    [
        r"\relax",
        r"\newlabel{book/chapters/01_a::doc}{{1}{3}{One}{chapter.1}{}}",
        r"\newlabel{equation:book/chapters/01_a:eq-a}{{1.1}{3}{One}{equation.1.0.1}{}}",
        r"\newlabel{book/chapters/02_b::doc}{{2}{5}{Two \(x\)}{chapter.2}{}}",
        r"\newlabel{book/chapters/02_b:ch-b}{{2}{5}{Two \(x\)}{chapter.2}{}}",
        r"\bibcite{book/e:id2}{Bis06}",
    ]
)


def test_a_chapter_is_its_body_with_its_number_and_title():
    (two,) = ch.chapters(TEX, AUX, ["book/chapters/02_b"])
    assert (two.stem, two.number, two.title) == ("02_b", "2", r"Two \(x\)")
    assert two.body.startswith(r"\sphinxstepscope") and r"\chapter{Two" in two.body
    assert r"\chapter{One}" not in two.body and "References" not in two.body


def test_the_chapter_tex_keeps_its_body_and_the_entries_it_cites():
    (two,) = ch.chapters(TEX, AUX, ["book/chapters/02_b"])
    source, seed = ch.chapter_tex(TEX, AUX, two, "Book", "handout-02_b")
    assert r"\usepackage{xr-hyper}" + "\n" + r"\usepackage{hyperref}" in source
    assert r"\externaldocument{handout-02_b-others}[gaussml-handout.pdf]" in source
    assert r"\setcounter{chapter}{1}" in source
    assert r"\title{Book: Two \(x\)}" in source and r"\gaussmlchaptertitle" in source
    assert "Intro text" not in source and r"\sphinxtableofcontents" not in source
    assert r"\chapter{One}" not in source and r"\printindex" not in source
    assert "Bishop." in source and "Murphy." not in source
    assert source.rstrip().endswith(r"\end{document}")
    # Its own labels and citations are known before its one pass; the others come from xr.
    assert r"\newlabel{book/chapters/02_b:ch-b}" in seed and "eq-a" not in seed
    assert r"\bibcite{book/e:id2}" in seed
    others = ch.others_aux(AUX, ch.labels_in(two.body))
    assert "eq-a" in others and "02_b" not in others


def test_the_bookmarks_of_one_chapter():
    out = "\n".join(
        [
            r"\BOOKMARK [0][-]{chapter.1}{One}{}% 1",
            r"\BOOKMARK [0][-]{chapter.2}{Two}{}% 2",
            r"\BOOKMARK [1][-]{section.2.1}{A}{chapter.2}% 3",
            r"\BOOKMARK [1][-]{section.12.1}{L}{chapter.12}% 4",
        ]
    )
    assert ch.bookmarks(out, "2").splitlines() == [
        r"\BOOKMARK [0][-]{chapter.2}{Two}{}% 2",
        r"\BOOKMARK [1][-]{section.2.1}{A}{chapter.2}% 3",
    ]
