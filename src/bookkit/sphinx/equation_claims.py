"""Sphinx extension: a numbered equation that its claim does not back is a build warning.

Every labelled equation of the pages being built must be backed by a claim in
`gaussml.derivations` (see CONTRIBUTING.md). With `-W` (`make book`,
`make pdf`) the warning fails the build, so an unchecked equation cannot
reach the site or the PDF. `tests/claims/test_derivations.py` checks the same from
the MyST sources (and the converse: no claim names a missing label); this
extension checks what Sphinx actually numbered.

Each numbered equation is also checked as `python -m bookkit.verify` checks
it, by the same functions (`verify` and `_binding.check_display`): its claim
runs, and the LaTeX displayed in the page's source must be what the claim
checked. A wrong constant on the page is a warning naming the label, the
displayed side and the checked one. Results are shared with the
verification report and kept between builds (`claim_results.py`); a build
whose equations, displays and package are those of the last check that
passed (a prose edit) passes without asking them (`equation_claims.json`).

Enable it in _config.yml with `sphinx: extra_extensions: [bookkit.sphinx.equation_claims]`.
"""

from __future__ import annotations

from sphinx.util import logging

from .claim_results import keep_claims

logger = logging.getLogger(__name__)


def _check_equations(app, env):
    from .claim_results import claims_by_label, outcomes, page_displays, passed_check

    claimed = {label: c.name for label, c in claims_by_label(env).items()}
    equations = env.get_domain("math").equations  # label -> (docname, number)
    sources = page_displays(env, sorted({docname for docname, _ in equations.values()}))
    # The same equations, displays and package as when the check last passed: it passes.
    memo = passed_check(env, [sorted(equations.items()), sources])
    if memo is not None and memo[0].is_file() and memo[0].read_text() == memo[1]:
        return
    warnings = []
    displays = {}
    for label, (docname, _number) in sorted(equations.items()):
        if label not in claimed:
            warnings.append(
                (
                    docname,
                    "unclaimed-equation",
                    f"numbered equation {label!r} has no claim in gaussml.derivations "
                    f"(register one with @claim({label!r}, ...))",
                )
            )
        elif label not in sources[docname]:
            warnings.append(
                (
                    docname,
                    "unbound-equation",
                    f"numbered equation {label!r}: its LaTeX is not a `$$ ... $$ (label)` "
                    "block or a {math} directive of the page's source, so it cannot be "
                    "bound to its claim",
                )
            )
        else:
            displays[label] = (claimed[label], sources[docname][label])
    claim_errors, display_errors = outcomes(
        app.config.gaussml_claims_cache,
        sorted({name for name, _ in displays.values()}),
        displays,
        app.config.gaussml_claim_workers,
    )
    for label, (name, _tex) in sorted(displays.items()):
        error = claim_errors[name] or display_errors[label]
        if error is not None:
            prefix = f"claim {name!r} does not hold: " if claim_errors[name] else ""
            warnings.append((equations[label][0], "unbound-equation", prefix + error))
    for docname, subtype, message in warnings:
        logger.warning("%s", message, location=docname, type="gaussml", subtype=subtype)
    if memo is not None and not warnings:
        memo[0].write_text(memo[1], encoding="utf-8")


def setup(app):
    # Another file for the claim results than the package's default (claim_results.py).
    app.add_config_value("gaussml_claims_cache", "", "")
    app.add_config_value("gaussml_claim_workers", 2, "")
    # The hash of src/bookkit/sphinx (bookkit.build): an edited extension re-reads every page.
    app.add_config_value("gaussml_extensions_key", "", "env")
    app.connect("env-check-consistency", _check_equations)
    # Before the environment is pickled: it keeps the claims (claim_results.claims_by_label).
    app.connect("env-updated", keep_claims)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
