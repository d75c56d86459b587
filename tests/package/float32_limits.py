"""Hypothesis strategies for values across float32's range, shared by the module tests.

Magnitudes from 1e-38 to 3e38 (10^low to 10^high), either sign, each exactly a
float32 value, returned as float64 so that a numpy reference computes them
without overflow.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st


def float32_values(n, low=-38, high=38):
    """`n` float32 values of either sign with magnitudes from 10^low to 10^high (<= 3e38)."""
    entry = st.builds(
        lambda sign, mantissa, exponent: sign * min(mantissa * 10.0**exponent, 3e38),
        st.sampled_from([-1.0, 1.0]),
        st.floats(1.0, 9.99),
        st.integers(low, high),
    )
    return st.lists(entry, min_size=n, max_size=n).map(
        lambda v: np.asarray(v, np.float32).astype(np.float64)
    )


def float32_rows(rows, cols, low=-38, high=38):
    """The same values as an array of shape `(rows, cols)`."""
    return float32_values(rows * cols, low, high).map(lambda v: v.reshape(rows, cols))
