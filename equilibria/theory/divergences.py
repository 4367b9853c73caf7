r"""The one home of entropy and the f-divergences used across the package.

:func:`entropy`, :func:`kl_divergence` and :func:`chi2_divergence` of non-negative weight
vectors (normally probability vectors).  Every room imports them from :mod:`equilibria.theory`;
numba kernels that need a Bernoulli KL inside a compiled loop keep their own scalar form.
"""

from __future__ import annotations

import math

import numpy as np

from equilibria._lib.validation import as_float_array

__all__ = ["entropy", "kl_divergence", "chi2_divergence"]


def _weights(p, name: str) -> np.ndarray:
    arr = as_float_array(p, name, ndim=1, min_size=1)
    if np.any(arr < 0):
        raise ValueError(f"`{name}` must be non-negative, found entry {arr.min():.6g}")
    return arr


def _finite_sum(terms: np.ndarray, what: str, names: str) -> float:
    """``sum(terms)``, or a ValueError naming the arguments when it overflows float64."""
    with np.errstate(over="ignore", invalid="ignore"):
        total = float(np.sum(terms))
    if not math.isfinite(total):
        raise ValueError(f"{what} of these {names} overflows float64 (entries too large or "
                         "ratios too extreme); rescale the weights")
    return total


def _pair(p, q):
    p, q = _weights(p, "p"), _weights(q, "q")
    if p.shape != q.shape:
        raise ValueError(f"`p` and `q` must have the same shape, got {p.shape} and {q.shape}")
    return p, q


def kl_divergence(p, q) -> float:
    r""":math:`\mathrm{KL}(p\|q)=\sum_i p_i\log(p_i/q_i)` (``inf`` if ``p`` is not ``q``-a.c.).

    Parameters
    ----------
    p, q : array_like, shape (K,)
        Finite non-negative weights, normally probability vectors (not normalized); entries
        with ``p_i = 0`` contribute 0.

    Returns
    -------
    float
        The divergence in nats, clipped below at 0; ``inf`` if ``q_i = 0`` for some
        ``p_i > 0``.

    Raises
    ------
    ValueError
        If an entry is negative or non-finite, an input is not 1-D and non-empty, the
        shapes differ, or the sum overflows float64.
    """
    p, q = _pair(p, q)
    m = p > 0
    if np.any(q[m] <= 0):
        return math.inf
    with np.errstate(over="ignore", invalid="ignore"):
        terms = p[m] * (np.log(p[m]) - np.log(q[m]))
    return max(_finite_sum(terms, "KL(p||q)", "`p` and `q`"), 0.0)


def chi2_divergence(p, q) -> float:
    r""":math:`\chi^2(p\|q)=\sum_i (p_i-q_i)^2/q_i` (``inf`` if ``p`` is not ``q``-a.c.).

    Parameters
    ----------
    p, q : array_like, shape (K,)
        Finite non-negative weights, normally probability vectors (not normalized); entries
        with ``q_i = 0`` (and ``p_i = 0``) are left out of the sum.

    Returns
    -------
    float
        The divergence; ``inf`` if ``p_i > 0`` for some ``q_i = 0``.

    Raises
    ------
    ValueError
        If an entry is negative or non-finite, an input is not 1-D and non-empty, the
        shapes differ, or the sum overflows float64.
    """
    p, q = _pair(p, q)
    m = q > 0
    if np.any(p[~m] > 0):
        return math.inf
    with np.errstate(over="ignore", invalid="ignore"):
        d = p[m] - q[m]
        terms = (d / q[m]) * d  # no overflow of d**2 when the ratio is representable
    return _finite_sum(terms, "chi2(p||q)", "`p` and `q`")


def entropy(p) -> float:
    r"""Shannon entropy :math:`-\sum_i p_i\log p_i` (nats).

    Parameters
    ----------
    p : array_like, shape (K,)
        Finite non-negative weights, normally a probability vector (not normalized); zero
        entries contribute 0.

    Returns
    -------
    float
        The entropy in nats.

    Raises
    ------
    ValueError
        If an entry is negative or non-finite, ``p`` is not 1-D and non-empty, or the sum
        overflows float64.
    """
    p = _weights(p, "p")
    m = p > 0
    with np.errstate(over="ignore", invalid="ignore"):
        terms = p[m] * np.log(p[m])
    return -_finite_sum(terms, "the entropy", "`p`")
