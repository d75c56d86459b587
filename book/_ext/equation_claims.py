"""Sphinx extension: a numbered equation without a registered claim is a build warning.

Every labelled equation of the pages being built must be backed by a claim in
`gaussml.derivations` (see CONTRIBUTING.md). With `-W` (`make book`,
`make pdf`) the warning fails the build, so an unchecked equation cannot
reach the site or the PDF. `tests/test_derivations.py` checks the same from
the MyST sources (and the converse: no claim names a missing label); this
extension checks what Sphinx actually numbered.

Enable it in _config.yml with `sphinx: local_extensions: {equation_claims: book/_ext}`.
"""

from __future__ import annotations

from sphinx.util import logging

logger = logging.getLogger(__name__)


def _check_equations(app, env):
    from gaussml.derivations import registered_labels  # the package the chapters import

    claimed = registered_labels()
    equations = env.get_domain("math").equations  # label -> (docname, number)
    for label, (docname, _number) in sorted(equations.items()):
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
