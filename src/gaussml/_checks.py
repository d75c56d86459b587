"""Validation at the Python boundary, shared by every module.

Values are checked only when concrete: inside `jax.jit` they are tracers and
the caller validated them before tracing.
"""

from __future__ import annotations

import jax
import numpy as np


def is_traced(value) -> bool:
    """True for a JAX tracer (a value inside jit, grad or vmap), which cannot be inspected."""
    return isinstance(value, jax.core.Tracer)


def positive_finite(value, name: str):
    """Return `value` unchanged after checking that every entry is finite and > 0."""
    if is_traced(value):
        return value
    arr = np.asarray(value)
    if not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    if not np.all(np.isfinite(arr)) or not np.all(arr > 0):
        raise ValueError(f"{name} must be finite and > 0, got {value!r}")
    return value


def finite(value, name: str):
    """Return `value` unchanged after checking that every entry is finite."""
    if is_traced(value):
        return value
    arr = np.asarray(value)
    if not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
        raise TypeError(f"{name} must be real, got {value!r}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return value


def positive_int(value, name: str) -> int:
    """Return `value` as an int after checking that it is an integer >= 1."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be an integer >= 1, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    return int(value)
