"""Sphinx extension: a numbered equation that its claim does not back is a build warning.

Every labelled equation of the pages being built must be backed by a claim in
`gaussml.derivations` (see CONTRIBUTING.md). With `-W` (`make book`,
`make pdf`) the warning fails the build, so an unchecked equation cannot
reach the site or the PDF. `tests/test_derivations.py` checks the same from
the MyST sources (and the converse: no claim names a missing label); this
extension checks what Sphinx actually numbered.

Each numbered equation is also checked as `python -m gaussml verify` checks
it, by the same function (`gaussml.derivations._binding.check_equation`):
its claim runs, and the LaTeX displayed in the page's source must be what
the claim checked. A wrong constant on the page is a warning naming the
label, the displayed side and the checked one.

Enable it in _config.yml with `sphinx: local_extensions: {equation_claims: book/_ext}`.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)


def _check_equations(app, env):
    from gaussml.derivations import (  # the package the chapters import
        ClaimFailed,
        registered_labels,
    )
    from gaussml.derivations._binding import check_equation, displayed_equations

    claimed = registered_labels()
    equations = env.get_domain("math").equations  # label -> (docname, number)
    sources: dict[str, dict[str, str]] = {}
    for label, (docname, _number) in sorted(equations.items()):
        if docname not in sources:
            sources[docname] = displayed_equations(Path(env.doc2path(docname)).read_text(encoding="utf-8"))
        if label in claimed and label not in sources[docname]:
            logger.warning(
                "numbered equation %r: its LaTeX is not a `$$ ... $$ (label)` block or a "
                "{math} directive of the page's source, so it cannot be bound to its claim",
                label,
                location=docname,
                type="gaussml",
                subtype="unbound-equation",
            )
        elif label in claimed:
            try:
                check_equation(label, sources[docname][label])
            except ClaimFailed as error:
                logger.warning(
                    "%s", error, location=docname, type="gaussml", subtype="unbound-equation"
                )
        if label not in claimed:
            logger.warning(
                "numbered equation %r has no claim in gaussml.derivations "
                "(register one with @claim(%r, ...))",
                label,
                label,
                location=docname,
                type="gaussml",
                subtype="unclaimed-equation",
            )


def setup(app):
    app.connect("env-check-consistency", _check_equations)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
