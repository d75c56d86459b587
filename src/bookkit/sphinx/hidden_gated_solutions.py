"""Sphinx extension: `hide_solutions` also hides gated solutions.

A solution that holds a code cell is written in sphinx-exercise's gated
form, `{solution-start}` ... `{solution-end}`, since a code cell cannot sit
inside a directive. With `hide_solutions = True` (the student handout),
sphinx-exercise 1.2.1 drops the start but keeps the content and the end
marker, which no writer knows: the build fails. Here the start leaves a
marker instead, and a transform removes everything from it to the end
marker, so the handout has neither the solution's text nor its code.

Enable it in _config.yml with
`sphinx: extra_extensions: [bookkit.sphinx.hidden_gated_solutions]`.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.transforms import SphinxTransform
from sphinx_exercise.directive import SolutionStartDirective
from sphinx_exercise.nodes import solution_end_node


class hidden_solution_start(nodes.Element):  # a node class, named as docutils does
    """Where a hidden gated solution begins; removed with its content."""


class HiddenSolutionStartDirective(SolutionStartDirective):
    def run(self):
        result = super().run()  # registers the start for sphinx-exercise's checks
        if self.config.hide_solutions:
            return [hidden_solution_start()]
        return result


class RemoveHiddenGatedSolutions(SphinxTransform):
    # After sphinx-exercise checks the start/end structure (1), before it
    # merges gated directives (10).
    default_priority = 5

    def apply(self, **kwargs):
        for start in list(self.document.findall(hidden_solution_start)):
            parent = start.parent
            first = parent.index(start)
            last = first
            while not isinstance(parent[last], solution_end_node):
                last += 1
            del parent[first : last + 1]


def setup(app):
    app.setup_extension("sphinx_exercise")
    app.add_directive("solution-start", HiddenSolutionStartDirective, override=True)
    app.add_node(hidden_solution_start)
    app.add_transform(RemoveHiddenGatedSolutions)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
