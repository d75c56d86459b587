"""Sphinx extension: render `$...$` in gaussml docstrings as math in the API appendix.

The package's docstrings write formulas between dollar signs, as the chapters
do; autodoc parses docstrings as reStructuredText, which has no dollar math,
so each `$...$` becomes a `:math:` role before parsing.
"""

import re

_INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\$)(.+?)(?<!\\)\$", re.DOTALL)


def dollars_to_math_role(app, what, name, obj, options, lines):
    # Whole docstring at once: a formula may continue on the next line.
    text = _INLINE_MATH.sub(lambda m: f":math:`{m.group(1)}`", "\n".join(lines))
    lines[:] = text.split("\n")


def setup(app):
    app.connect("autodoc-process-docstring", dollars_to_math_role)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
