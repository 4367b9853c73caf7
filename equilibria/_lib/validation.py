"""Input validation: every check names the argument and the value seen.

Never ``assert`` for input checks (``python -O`` strips asserts).  Functions return the coerced
value so a public function reads ``x = as_float_array(x, "x", ndim=1)``.
"""

from __future__ import annotations

import numbers
import operator

import numpy as np

__all__ = [
    "as_float_array",
    "check_scalar",
    "check_int",
    "check_option",
    "check_simplex",
    "check_square",
    "check_psd",
    "check_same_length",
    "check_callable",
    "check_size",
]


#: dtype kinds accepted as numbers: signed / unsigned integers and floats (bool, complex,
#: strings and objects are rejected rather than silently converted)
_NUMERIC_KINDS = "iuf"
_KIND_NAMES = {"b": "boolean", "c": "complex", "U": "string", "S": "bytes", "O": "object",
               "M": "datetime", "m": "timedelta", "V": "void"}

#: floats accepted as integers only below this magnitude (exactly representable)
_MAX_EXACT_INT = 2**53


def _show(value) -> str:
    arr = np.asarray(value) if not isinstance(value, np.ndarray) else value
    if arr.ndim == 0:
        return repr(value)
    return f"array of shape {arr.shape}"


def as_float_array(x, name: str, *, ndim=None, shape=None, finite: bool = True,
                   nonneg: bool = False, positive: bool = False, min_size: int = 0,
                   copy: bool = False, dtype=np.float64) -> np.ndarray:
    """Coerce ``x`` to a C-contiguous float64 array and validate it.

    Parameters
    ----------
    x : array_like
        The input.
    name : str
        Argument name used in error messages.
    ndim : int or tuple of int, optional
        Required number(s) of dimensions.
    shape : tuple, optional
        Required shape; ``None`` entries match any length.
    finite, nonneg, positive : bool
        Require all entries finite / ``>= 0`` / ``> 0``.
    min_size : int
        Minimal number of elements.
    copy : bool
        Always return a fresh copy.

    Raises
    ------
    TypeError
        If ``x`` is not numeric.
    ValueError
        If any requirement fails; the message names ``name`` and the offending value.
    """
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"`{name}` must be a numeric array, got {type(x).__name__}")
    try:
        raw = x if isinstance(x, np.ndarray) else np.asarray(x)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"`{name}` must be a numeric array, got {type(x).__name__}: {exc}") from None
    if raw.dtype.kind not in _NUMERIC_KINDS:
        raise TypeError(f"`{name}` must be a real numeric array (float or int), got dtype "
                        f"{raw.dtype} ({_KIND_NAMES.get(raw.dtype.kind, raw.dtype.kind)}); "
                        "convert it explicitly if that is meant")
    try:
        arr = np.array(raw, dtype=dtype, copy=True, order="C") if copy else \
            np.ascontiguousarray(raw, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"`{name}` must be a numeric array, got {type(x).__name__}: {exc}") from None
    if not arr.flags.writeable:
        # a read-only array is a distinct numba type: copy so no kernel compiles again
        arr = arr.copy()
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            raise ValueError(f"`{name}` must have ndim in {allowed}, got ndim={arr.ndim} "
                             f"(shape {arr.shape})")
    if shape is not None:
        if len(shape) != arr.ndim or any(s is not None and s != t for s, t in zip(shape, arr.shape, strict=True)):
            want = tuple("*" if s is None else s for s in shape)
            raise ValueError(f"`{name}` must have shape {want}, got {arr.shape}")
    if arr.size < min_size:
        raise ValueError(f"`{name}` must have at least {min_size} elements, got {arr.size}")
    if finite and arr.size and not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))[0]
        idx = tuple(int(i) for i in bad)
        raise ValueError(f"`{name}` must be finite, found {arr[idx] if arr.ndim else arr} "
                         f"at index {idx if arr.ndim else '()'}")
    if positive and arr.size and np.any(arr <= 0):
        raise ValueError(f"`{name}` must be positive, found minimum {arr.min():.6g}")
    if nonneg and arr.size and np.any(arr < 0):
        raise ValueError(f"`{name}` must be non-negative, found minimum {arr.min():.6g}")
    return arr


def check_scalar(x, name: str, *, lo=None, hi=None, lo_inclusive: bool = True,
                 hi_inclusive: bool = True, finite: bool = True) -> float:
    """Validate a real scalar in an interval and return it as ``float``.

    ``check_scalar(eta, "eta", lo=0, lo_inclusive=False)`` requires ``eta > 0``.
    """
    if isinstance(x, bool) or not isinstance(x, (numbers.Real, np.ndarray)):
        raise TypeError(f"`{name}` must be a real number, got {type(x).__name__}")
    if isinstance(x, np.ndarray):
        if x.ndim != 0:
            raise TypeError(f"`{name}` must be a scalar, got {_show(x)}")
        if x.dtype.kind not in _NUMERIC_KINDS:
            raise TypeError(f"`{name}` must be a real number, got a {x.dtype} array")
        x = x.item()
    v = float(x)
    if finite and not np.isfinite(v):
        raise ValueError(f"`{name}` must be finite, got {v}")
    if v != v:  # NaN passes every comparison below: never a valid number
        raise ValueError(f"`{name}` must be a number, got nan")
    if lo is not None:
        bad = v < lo if lo_inclusive else v <= lo
        if bad:
            op = ">=" if lo_inclusive else ">"
            raise ValueError(f"`{name}` must be {op} {lo}, got {v}")
    if hi is not None:
        bad = v > hi if hi_inclusive else v >= hi
        if bad:
            op = "<=" if hi_inclusive else "<"
            raise ValueError(f"`{name}` must be {op} {hi}, got {v}")
    return v


def check_int(x, name: str, *, lo=None, hi=None) -> int:
    """Validate an integer (``bool`` rejected) in ``[lo, hi]`` and return it as ``int``."""
    if isinstance(x, bool):
        raise TypeError(f"`{name}` must be an integer, got bool")
    try:
        v = operator.index(x)
    except TypeError:
        if isinstance(x, (float, np.floating)) and float(x).is_integer() \
                and abs(float(x)) <= _MAX_EXACT_INT:
            v = int(x)
        else:
            raise TypeError(f"`{name}` must be an integer, got {x!r}") from None
    if lo is not None and v < lo:
        raise ValueError(f"`{name}` must be >= {lo}, got {v}")
    if hi is not None and v > hi:
        raise ValueError(f"`{name}` must be <= {hi}, got {v}")
    return int(v)


def check_option(value, name: str, options) -> str:
    """Validate that ``value`` is one of ``options``; the error lists the valid names."""
    options = tuple(options)
    if value not in options:
        raise ValueError(f"unknown `{name}`={value!r}; valid values are "
                         + ", ".join(repr(o) for o in options))
    return value


def check_simplex(p, name: str, *, atol: float = 1e-8, ndim: int = 1, strict: bool = False):
    """Validate a probability vector (or rows of a matrix when ``ndim=2``).

    Entries must be finite and non-negative (positive if ``strict``) and sum to one within
    ``atol`` (for a float32 / float16 input within ``max(atol, 2 K eps)`` of its dtype, and the
    float64 result is renormalised).  Returns the float64 array.
    """
    raw_dtype = getattr(p, "dtype", None)
    arr = as_float_array(p, name, ndim=ndim, min_size=1)
    narrow = raw_dtype is not None and raw_dtype.kind == "f" and raw_dtype.itemsize < 8
    if narrow:
        # a float32 (or float16) probability vector is off by a few of its own eps: accept it
        # within that rounding and renormalise in float64
        atol = max(atol, 2.0 * arr.shape[-1] * float(np.finfo(raw_dtype).eps))
    if np.any(arr < 0):
        raise ValueError(f"`{name}` must be a probability vector: found negative entry "
                         f"{arr.min():.6g}")
    if strict and np.any(arr == 0):
        raise ValueError(f"`{name}` must be a probability vector with positive entries")
    sums = arr.sum(axis=-1)
    if np.any(np.abs(sums - 1.0) > atol):
        worst = float(np.max(np.abs(sums - 1.0)))
        raise ValueError(f"`{name}` must sum to 1 (atol={atol:g}), off by {worst:.3g}")
    if narrow:
        arr = arr / arr.sum(axis=-1, keepdims=True)
    return arr


def check_square(A, name: str, *, n=None) -> np.ndarray:
    """Validate a finite square matrix (of size ``n`` if given)."""
    arr = as_float_array(A, name, ndim=2)
    if arr.shape[0] != arr.shape[1]:
        raise ValueError(f"`{name}` must be square, got shape {arr.shape}")
    if n is not None and arr.shape[0] != n:
        raise ValueError(f"`{name}` must have shape ({n}, {n}), got {arr.shape}")
    return arr


def check_psd(G, name: str, *, tol: float = 1e-10) -> np.ndarray:
    """Validate a symmetric positive semidefinite matrix.

    Symmetry is checked to relative tolerance ``tol``; the smallest eigenvalue must be at least
    ``-tol * max(1, ||G||_2)``.
    """
    arr = check_square(G, name)
    scale = max(1.0, float(np.abs(arr).max(initial=0.0)))
    if not np.allclose(arr, arr.T, rtol=0.0, atol=tol * scale):
        raise ValueError(f"`{name}` must be symmetric, max |G - G^T| = "
                         f"{np.abs(arr - arr.T).max():.3g}")
    lam_min = float(np.linalg.eigvalsh(0.5 * (arr + arr.T))[0]) if arr.size else 0.0
    if lam_min < -tol * scale:
        raise ValueError(f"`{name}` must be positive semidefinite, smallest eigenvalue "
                         f"{lam_min:.3g}")
    return arr


def check_same_length(*pairs) -> None:
    """``check_same_length(("a", a), ("b", b))`` raises naming both when lengths differ."""
    (n0, a0), rest = pairs[0], pairs[1:]
    for n1, a1 in rest:
        if len(a0) != len(a1):
            raise ValueError(f"`{n0}` and `{n1}` must have the same length, got "
                             f"{len(a0)} and {len(a1)}")


def check_callable(f, name: str):
    """Validate that ``f`` is callable."""
    if not callable(f):
        raise TypeError(f"`{name}` must be callable, got {type(f).__name__}")
    return f


def check_size(value, name: str, *, limit: float, lo: int = 1, per: int = 1,
               factor: float = 1.0, what: str = "the arrays") -> int:
    """An integer size ``>= lo`` whose allocation of ``8 * factor * value**per`` bytes stays
    below ``limit`` bytes, checked before anything is allocated.

    Raises
    ------
    TypeError, ValueError
        Naming ``name``: not an integer, below ``lo``, or an allocation above ``limit``
        (the message gives the estimate in GiB and says to lower ``name``).
    """
    v = check_int(value, name, lo=lo)
    need = 8.0 * float(factor) * float(v) ** per
    if need > limit:
        raise ValueError(f"`{name}`={v} is too large: {what} would need {need / 2**30:.3g} GiB "
                         f"(limit {limit / 2**30:g} GiB); lower `{name}`")
    return v
