"""Sphinx extension: render `$...$` in gaussml docstrings as math in the API appendix.

The package's docstrings write formulas between dollar signs, as the chapters
do; autodoc parses docstrings as reStructuredText, which has no dollar math,
so each `$...$` becomes a `:math:` role before parsing.

A NamedTuple field documented only by Python's "Alias for field number N" is a
build warning: its meaning belongs in a `#:` comment above the field.
"""

import re

from sphinx.util import logging

logger = logging.getLogger(__name__)

_INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\$)(.+?)(?<!\\)\$", re.DOTALL)


def dollars_to_math_role(app, what, name, obj, options, lines):
    # Whole docstring at once: a formula may continue on the next line.
    text = _INLINE_MATH.sub(lambda m: f":math:`{m.group(1)}`", "\n".join(lines))
    lines[:] = text.split("\n")


def field_needs_its_meaning(app, what, name, obj, options, lines):
    # A NamedTuple field without a `#:` comment gets Python's "Alias for field number N".
    if lines and lines[0].startswith("Alias for field number"):
        logger.warning(
            "%s is documented as %r: write what the field means in a `#:` comment above it",
            name,
            lines[0],
            type="gaussml",
            subtype="undocumented-field",
        )


def setup(app):
    app.connect("autodoc-process-docstring", dollars_to_math_role)
    app.connect("autodoc-process-docstring", field_needs_its_meaning)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
