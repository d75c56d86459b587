"""Sphinx extension: the PDF prints the bibliography where the `bibliography` directive is.

Sphinx's LaTeX builder gathers every citation into one bibliography at the
end of the document, under a heading of its own, which leaves the book's
References appendix as a heading with nothing under it. Here the gathered
bibliography moves back into the section that held the citations, and the
LaTeX environment drops its own heading (the section has one). The web build
is not affected.

Enable it in _config.yml with `sphinx: extra_extensions: [bookkit.sphinx.bibliography_in_place]`.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.builders.latex.nodes import thebibliography
from sphinx.transforms.post_transforms import SphinxPostTransform

from . import add_latex_preamble

LATEX_PREAMBLE = r"""
% bibliography_in_place: no chapter heading or running head of its own.
\makeatletter
\renewenvironment{sphinxthebibliography}[1]%
  {\let\chapter\@gobbletwo\let\@mkboth\@gobbletwo\begin{thebibliography}{#1}}%
  {\end{thebibliography}}
\makeatother
"""


class MarkBibliographySection(SphinxPostTransform):
    """Before the citations move (priority 750), mark the one section that holds them."""

    default_priority = 740
    formats = ("latex",)

    def run(self, **kwargs):
        sections = {id(n.parent): n.parent for n in self.document.findall(nodes.citation)}
        if len(sections) == 1:
            section = next(iter(sections.values()))
            if isinstance(section, nodes.section):
                section["bibliography-here"] = True


class BibliographyInPlace(SphinxPostTransform):
    """After Sphinx gathered the citations (priority 750), put them in the marked section."""

    default_priority = 760
    formats = ("latex",)

    def run(self, **kwargs):
        found = list(self.document.findall(thebibliography))
        targets = [n for n in self.document.findall(nodes.section) if "bibliography-here" in n]
        if len(found) == 1 and len(targets) == 1:
            found[0].parent.remove(found[0])
            targets[0] += found[0]


def add_preamble(app, config):
    add_latex_preamble(config, LATEX_PREAMBLE)


def setup(app):
    app.connect("config-inited", add_preamble)
    app.add_post_transform(MarkBibliographySection)
    app.add_post_transform(BibliographyInPlace)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
