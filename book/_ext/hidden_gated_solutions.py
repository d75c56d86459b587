"""Hide gated solutions (`solution-start` ... `solution-end`) whole when solutions are hidden.

A solution that shows code is written as a gated solution, so that its
executed code cells sit inside it. With `hide_solutions` (the student
handout), sphinx-exercise 1.2 drops the `solution-start` directive but keeps
everything up to `solution-end`, which would print the solution's text and
code in the handout. Here `solution-start` leaves a marker instead, and a
transform removes the marker, what follows it and the `solution-end`.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.transforms import SphinxTransform
from sphinx_exercise.directive import SolutionStartDirective
from sphinx_exercise.nodes import solution_end_node


class hidden_solution_marker(nodes.Element):
    """Where a hidden gated solution starts."""


class HiddenAwareSolutionStart(SolutionStartDirective):
    def run(self):
        shown = super().run()
        if self.env.app.config.hide_solutions:
            return [hidden_solution_marker()]
        return shown


class RemoveHiddenGatedSolutions(SphinxTransform):
    default_priority = 5  # after the gated structure check (1), before the merge (10)

    def apply(self):
        for marker in list(self.document.findall(hidden_solution_marker)):
            parent = marker.parent
            start = parent.index(marker)
            end = start
            while not isinstance(parent[end], solution_end_node):
                end += 1
            for child in parent.children[start : end + 1]:
                parent.remove(child)


def setup(app):
    app.setup_extension("sphinx_exercise")
    app.add_directive("solution-start", HiddenAwareSolutionStart, override=True)
    app.add_node(hidden_solution_marker)
    app.add_transform(RemoveHiddenGatedSolutions)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
