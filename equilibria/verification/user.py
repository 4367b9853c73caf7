"""Helpers for theorems that take a user's implementation (``algorithm=``): validate the
callable and what it returns, with errors that name the protocol.

Every room's theorem modules use these, so a malformed user implementation fails the same way
everywhere: ``TypeError`` when ``algorithm`` is not callable or returns something that is not
numeric, ``ValueError`` on a wrong shape.  Non-finite entries are *kept*: the evaluation
judges them as a violation of the theorem (a solver that returns NaN has failed the check, it
has not broken the protocol).
"""

from __future__ import annotations

import numbers
from typing import Any, Callable

import numpy as np

__all__ = ["check_algorithm", "user_array", "user_float"]


def check_algorithm(algorithm: Any, protocol: str) -> Callable[..., Any]:
    """Return ``algorithm`` if it is callable, else raise ``TypeError`` naming the protocol.

    Parameters
    ----------
    algorithm : object
        The user's implementation.
    protocol : str
        The theorem's protocol string; its part before the first ``:`` (the call signature)
        is quoted in the error.

    Returns
    -------
    callable
        ``algorithm`` itself.

    Raises
    ------
    TypeError
        When ``algorithm`` is not callable.
    """
    if not callable(algorithm):
        raise TypeError(f"`algorithm` must be callable ({protocol.split(':')[0]}), got "
                        f"{type(algorithm).__name__}")
    return algorithm


def user_array(out: Any, shape: tuple[int, ...], what: str) -> np.ndarray:
    """What a user's ``algorithm`` returned, as a float array of ``shape``.

    Parameters
    ----------
    out : object
        The returned value.
    shape : tuple of int
        The shape the protocol prescribes.
    what : str
        What the value is (used in the error message, e.g. ``"the plan"``).

    Returns
    -------
    ndarray
        ``np.asarray(out, dtype=float)``; non-finite entries are kept (the evaluation judges
        them as a violation).

    Raises
    ------
    TypeError
        When ``out`` is not numeric (or is ``None``).
    ValueError
        When its shape is not ``shape``.
    """
    arr = _real_array(out)
    if arr is None:
        raise TypeError(f"`algorithm` must return {what}, a real array of shape {tuple(shape)}, "
                        f"got {_describe(out)}")
    if arr.shape != tuple(shape):
        raise ValueError(f"`algorithm` must return {what} of shape {tuple(shape)}, got shape "
                         f"{arr.shape}")
    return arr


def user_float(out: Any, what: str) -> float:
    """What a user's ``algorithm`` returned, as a real scalar (``TypeError`` otherwise; a
    non-finite value is kept).

    Parameters
    ----------
    out : object
        The returned value (a Python or numpy real scalar, or a 0-d array).
    what : str
        What the value is (used in the error message).

    Returns
    -------
    float

    Raises
    ------
    TypeError
        When ``out`` is not a real scalar (booleans are rejected too).
    """
    arr = _real_array(out)
    if arr is None or arr.shape != ():
        raise TypeError(f"`algorithm` must return {what}, a real number, got {_describe(out)}")
    return float(arr)


def _describe(out: Any) -> str:
    """A short description of a rejected return value for the error message."""
    if isinstance(out, (str, bytes)):
        return f"{type(out).__name__} {out!r:.40}"
    if isinstance(out, np.ndarray):
        return f"an array of dtype {out.dtype} and shape {out.shape}"
    return type(out).__name__


def _real_array(out: Any) -> np.ndarray | None:
    """``out`` as a float array when every entry is a real number (integers, floats, numpy
    reals, ``Fraction``); ``None`` for ``None``, strings, booleans, complex or other objects
    (``np.asarray("0.5", dtype=float)`` would silently parse a string)."""
    if out is None or isinstance(out, (str, bytes, bool, np.bool_)):
        return None
    try:
        arr = np.asarray(out)
    except (TypeError, ValueError):  # ragged nested sequences
        return None
    if arr.dtype.kind in "iuf":
        return arr.astype(float)
    if arr.dtype.kind == "O" and all(isinstance(x, numbers.Real) and not isinstance(x, bool)
                                     for x in arr.flat):
        try:
            return arr.astype(float)
        except (TypeError, ValueError, OverflowError):
            return None
    return None
