"""Local input checks of the theory room (thin wrappers of :mod:`equilibria._lib.validation`).

:func:`measure` widens the sum tolerance to the precision of a lower-precision float input
(a float32 probability vector sums to 1 only within about ``K * 6e-8``), so float32 input
means the same numbers as float64 input; :func:`simplex` is ``check_simplex``, which does the
same for vectors and rows.
"""

from __future__ import annotations

import numpy as np

from equilibria._lib.validation import as_float_array, check_simplex


def input_atol(p, atol: float, k: int | None = None) -> float:
    """``atol`` widened to ``2 K eps`` of the input's float dtype when it is below float64
    (``K`` the length summed, by default the last axis)."""
    dt = getattr(p, "dtype", None)
    if dt is not None and dt.kind == "f" and dt.itemsize < 8:
        if k is None:
            shape = np.shape(p)
            k = shape[-1] if len(shape) >= 1 else 1
        return max(atol, 2.0 * max(k, 1) * float(np.finfo(dt).eps))
    return atol


#: a probability vector (rows with ``ndim=2``): ``check_simplex`` itself now widens the sum
#: tolerance to a float32 input's rounding and renormalises it
simplex = check_simplex


def measure(p, name: str, *, atol: float = 1e-8, ndim=(1, 2)) -> np.ndarray:
    """A probability vector or matrix (all entries together sum to one), as float64."""
    arr = as_float_array(p, name, ndim=ndim, min_size=1)
    wide = input_atol(p, atol, arr.size)
    check_simplex(arr.ravel(), name, atol=wide)
    if wide > atol:
        arr = arr / arr.sum()
    return arr


def safe_round(x: np.ndarray, decimals: int) -> np.ndarray:
    """``np.round(x, decimals)`` without overflow: entries whose scaled value overflows are
    already integral at that resolution and are returned unchanged."""
    with np.errstate(over="ignore", invalid="ignore"):
        y = np.round(x, decimals)
    bad = ~np.isfinite(y)
    if bad.any():
        y[bad] = x[bad]
    return y
