"""Sympy checks of every numbered equation in the book, registered by label.

Each submodule holds the claims of one chapter. Importing this package
imports them all, so `claims()` is complete.

>>> from gaussml.derivations import verify
>>> verify("normal_pdf_normalised")  # doctest: +SKIP
"""

import importlib
import pkgutil

from ._registry import (
    Claim,
    ClaimFailed,
    Verification,
    assert_equal,
    assert_steps,
    assert_true,
    claim,
    claims,
    registered_labels,
    verify,
)

__all__ = [
    "Claim",
    "ClaimFailed",
    "Verification",
    "assert_equal",
    "assert_steps",
    "assert_true",
    "claim",
    "claims",
    "registered_labels",
    "verify",
]

for _module in pkgutil.iter_modules(__path__):
    if not _module.name.startswith("_"):
        _loaded = importlib.import_module(f"{__name__}.{_module.name}")
        for _name in _loaded.__all__:
            globals()[_name] = getattr(_loaded, _name)
            __all__.append(_name)
