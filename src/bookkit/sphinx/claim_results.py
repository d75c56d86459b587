"""The claims' outcomes for the verification report and the equation check.

The verification report (`claim_marks`) needs every claim's outcome; the
consistency check (`equation_claims`) needs, for every numbered equation, its
claim's outcome and whether the displayed LaTeX is what the claim checked.
Both ask `outcomes`, which asks the package's one claim-results cache
(`gaussml.derivations._results.check`), the one `python -m bookkit.verify`,
the mutation gate and the tests read too: a claim is keyed on its code, a
display on its LaTeX and its binding's code, so a prose edit runs nothing
and a claim already run by `make verify` is not run again by the build. Only
passes are stored; within a build every outcome is remembered, so the
report and the check that follows share a failure, which fails the build.
The setting `gaussml_claims_cache` names another file than the package's
default (`_build/claims/results.json`, or `GAUSSML_CLAIMS_CACHE`).

What the marks show of each claim (`claims_by_label`) is kept in Sphinx's
environment, and the equation check's inputs when it passed in
`equation_claims.json`, both only when the build is keyed on the package
(`gaussml_extensions_key`, which `bookkit.build` sets: an edit of
`src/gaussml`, of the pins or of the extensions makes a new environment and a
new key). A prose edit then neither imports the claims (nor sympy) nor asks
the results cache.

This module is a helper of the two extensions, not an extension itself.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from types import SimpleNamespace


def outcomes(
    cache_file: str, names, displays: dict[str, tuple[str, str]], workers: int = 2
) -> tuple[dict[str, str | None], dict[str, str | None]]:
    """Every claim in `names` and every display in `displays` (label -> (claim, tex)).

    Returns (claim name -> error or None, label -> error or None).
    """
    from gaussml.derivations._results import check

    results = check(
        names,
        {label: tex for label, (_name, tex) in displays.items()},
        workers=workers,
        cache=cache_file or None,
    )
    return results.claims, results.displays


def claims_by_label(env) -> dict[str, SimpleNamespace]:
    """Equation label -> its claim as the marks show it (name, labels, statement,
    scope, method, monte_carlo); kept in `env` when the build is keyed on the package."""
    held = getattr(env, "gaussml_claims_by_label", None)
    if held is None:
        from gaussml.derivations import claims  # the package the chapters import

        fields = ("name", "labels", "statement", "scope", "method", "monte_carlo")
        held = {
            label: SimpleNamespace(**{f: getattr(c, f) for f in fields})
            for c in claims().values()
            for label in c.labels
        }
        if env.config.gaussml_extensions_key:
            env.gaussml_claims_by_label = held  # pickled with the environment
    return held


def keep_claims(app, env) -> None:
    """`env-updated`: the claims kept before the environment is pickled (`claims_by_label`)."""
    claims_by_label(env)


def passed_check(env, inputs) -> tuple[Path, str] | None:
    """The memo file of the equation check and the hash of its `inputs` (None: not keyed)."""
    key = env.config.gaussml_extensions_key
    if not key:
        return None
    data = json.dumps([key, inputs], sort_keys=True).encode()
    return Path(env.doctreedir) / "equation_claims.json", hashlib.sha256(data).hexdigest()


def page_displays(env, docnames) -> dict[str, dict[str, str]]:
    """docname -> {label: the displayed LaTeX} for every numbered display of its source."""
    from ..displays import displayed_equations

    return {
        doc: displayed_equations(Path(env.doc2path(doc)).read_text(encoding="utf-8"))
        for doc in docnames
    }


def claimed_displays(env, docnames) -> dict[str, tuple[str, str]]:
    """label -> (claim name, displayed LaTeX), for every claimed display of `docnames`."""
    by_label = claims_by_label(env)
    return {
        label: (by_label[label].name, tex)
        for found in page_displays(env, sorted(docnames)).values()
        for label, tex in found.items()
        if label in by_label
    }
