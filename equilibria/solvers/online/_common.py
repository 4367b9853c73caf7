"""Validation and the result type shared by the online-learning solvers.

Decision sets are the shared objects of :mod:`equilibria._lib.sets` (``Simplex``, ``Ball``,
``Box``); :func:`check_set` is the front door that unpacks one into the kernels' plain numbers
(domain code, radius, lo, hi).
"""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np

from equilibria._lib.result import Result
from equilibria._lib.sets import Ball, Box, Simplex, as_set
from equilibria._lib.validation import as_float_array, check_option, check_scalar
from equilibria._lib.validation import check_size as _check_size

from . import _kernels as K

DOMAINS = {"simplex": K.SIMPLEX, "ball": K.BALL, "box": K.BOX}
REGULARIZERS = {"euclidean": K.EUCLID, "entropy": K.ENTROPY, "log_barrier": K.LOGBARRIER,
                "tsallis": K.TSALLIS}

#: largest allocation (bytes) a public function of the room makes from its size arguments
#: (dimensions, rounds) before refusing: checked before any array is allocated
MAX_BYTES = 2**33

#: tolerance on ``sum(x) - 1`` of a simplex point given in float64 (float32 or other
#: lower-precision input gets ``sum_tol(dtype)``: its rounding alone moves the sum by ~1e-7)
SIMPLEX_SUM_TOL = 1e-8


def sum_tol(x, base: float = SIMPLEX_SUM_TOL) -> float:
    """Tolerance on ``|sum(x) - 1|`` for an input of ``x``'s dtype.

    ``base`` for float64, ints and Python sequences; for a lower-precision float array
    ``max(base, 16 * eps(dtype))`` (``~1.9e-6`` for float32), so that a probability vector
    rounded to float32 is accepted (and then renormalized by the caller).
    """
    dt = getattr(x, "dtype", None)
    if dt is not None and np.issubdtype(dt, np.floating) and np.finfo(dt).eps > np.finfo(float).eps:
        return max(base, 16.0 * float(np.finfo(dt).eps))
    return base


def check_size(name: str, value, *, per: int = 1, factor: int = 1, lo: int = 1,
               what: str = "") -> int:
    """An integer size ``>= lo`` whose allocation ``value**per * factor * 8`` bytes stays below
    :data:`MAX_BYTES` (:func:`equilibria._lib.validation.check_size`)."""
    return _check_size(value, name, limit=MAX_BYTES, lo=lo, per=per, factor=factor,
                       what=what or "the arrays")


@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class OnlineResult(Result):
    r"""Outcome of an online learner run over ``T`` rounds of linear losses.

    Attributes
    ----------
    weights : ndarray, shape (T, d) or (1, d)
        Decisions :math:`x_1, \dots, x_T` (only the last one when ``store_weights=False``).
    regret_t : ndarray, shape (T,)
        Cumulative regret after each round against the best fixed decision of that prefix,
        :math:`R_t = \sum_{s \le t} \langle g_s, x_s\rangle - \min_{u} \langle L_t, u\rangle`.
    comparator : ndarray, shape (d,)
        The best fixed decision in hindsight :math:`u^\star \in \arg\min_u \langle L_T, u\rangle`.
    cumulative_loss : float
        :math:`\sum_t \langle g_t, x_t\rangle`.
    eta : ndarray, shape (T,)
        Step sizes used (constant, scheduled or adaptive).
    secondary : ndarray or None
        Secondary iterates :math:`\hat x_1, \dots, \hat x_{T+1}` of optimistic OMD (rows), or
        ``None``.
    """

    weights: np.ndarray
    regret_t: np.ndarray
    comparator: np.ndarray
    cumulative_loss: float
    eta: np.ndarray
    secondary: np.ndarray | None = None

    @property
    def regret(self) -> float:
        """Final regret :math:`R_T` against the best fixed decision in hindsight."""
        return float(self.regret_t[-1])

    @property
    def average(self) -> np.ndarray:
        """Averaged iterate :math:`\\bar x_T = \\frac1T \\sum_t x_t` (needs stored weights)."""
        if self.weights.shape[0] != self.n_iter:
            raise ValueError("averaged iterate needs `store_weights=True`")
        return self.weights.mean(axis=0)


def check_losses(losses, name="losses"):
    """2-D finite float64 array with at least one round and one coordinate."""
    G = as_float_array(losses, name, ndim=2)
    if G.shape[0] < 1 or G.shape[1] < 1:
        raise ValueError(f"`{name}` must have shape (T, d) with T >= 1 and d >= 1, got {G.shape}")
    return G


def check_eta(eta, T, name="eta", rounds="grads"):
    """Scalar ``eta > 0`` or a positive schedule of length ``T``; returns the (T,) array."""
    if np.ndim(eta) == 0:
        v = check_scalar(eta, name, lo=0, lo_inclusive=False)
        return np.full(T, v)
    arr = as_float_array(eta, name, ndim=1, positive=True)
    if arr.shape[0] != T:
        raise ValueError(f"`{name}` must be a scalar or have one step per round of `{rounds}` "
                         f"(length {T}), got length {arr.shape[0]}")
    return arr


class KernelSet(NamedTuple):
    """A decision set unpacked for the kernels: the set, the codes and the plain numbers."""

    set: Simplex | Ball | Box
    dom: int
    reg: int
    radius: float
    lo: float
    hi: float

    def kernel_args(self):
        """``(reg, dom, radius, lo, hi)``, the set arguments of the mirror-step kernels."""
        return self.reg, self.dom, self.radius, self.lo, self.hi


def check_set(domain, regularizer, d) -> KernelSet:
    """Coerce the decision set (:func:`~equilibria._lib.sets.as_set`) and validate the
    regularizer; the one place where the set is unpacked into the kernels' plain numbers.

    The kernels take one bound for every coordinate of a box: a :class:`Box` with
    per-coordinate bounds is accepted when they are uniform (and then replaced by its scalar
    form), otherwise this raises ``ValueError``.  Unused numbers are the defaults radius 1,
    ``[lo, hi] = [-1, 1]``.
    """
    S = as_set(domain, d)
    check_option(regularizer, "regularizer", tuple(REGULARIZERS))
    if not isinstance(S, Simplex) and regularizer != "euclidean":
        raise ValueError(f"`regularizer`={regularizer!r} is defined on the simplex only; use "
                         f"regularizer='euclidean' with domain={S!r}")
    radius, lo, hi = 1.0, -1.0, 1.0
    if isinstance(S, Ball):
        radius = S.radius
    elif isinstance(S, Box):
        if not S.uniform:
            raise ValueError(f"`domain`={S!r}: the online room's kernels take one bound for "
                             "every coordinate; pass scalar bounds Box(lo, hi) (or rescale the "
                             "coordinates to a common interval)")
        lo, hi = float(np.ravel(S.lo)[0]), float(np.ravel(S.hi)[0])
        S = Box(lo, hi, dim=d)
    return KernelSet(S, DOMAINS[S.kind], REGULARIZERS[regularizer], radius, lo, hi)


def check_point(x, name, ks: KernelSet, regularizer, d, *, tol=1e-9):
    """A point of the decision set (strictly inside the simplex for barrier regularizers).

    A simplex point must have entries ``>= -tol`` and sum to one within :func:`sum_tol`
    (``1e-8`` for float64, ``~2e-6`` for float32 input); it is returned clipped at 0 and
    renormalized to sum to one.
    """
    stol = sum_tol(x)
    x = as_float_array(x, name, ndim=1, shape=(d,))
    if ks.dom == K.SIMPLEX:
        if np.any(x < -tol) or abs(x.sum() - 1.0) > stol:
            raise ValueError(f"`{name}` is outside the decision set (simplex): min "
                             f"{x.min():.3g}, sum {x.sum():.12g} (tolerance {stol:g})")
        if regularizer != "euclidean" and np.any(x <= 0):
            raise ValueError(f"`{name}` must lie in the relative interior of the simplex for "
                             f"regularizer={regularizer!r} (found a zero entry)")
        x = np.maximum(x, 0.0)
        x /= x.sum()  # a float32-rounded point: back onto the simplex
    elif ks.dom == K.BALL:
        nrm = float(np.linalg.norm(x))
        if nrm > ks.radius * (1 + tol):
            raise ValueError(f"`{name}` is outside the decision set (ball of radius "
                             f"{ks.radius}): norm {nrm:.6g}")
    else:
        if np.any(x < ks.lo - tol) or np.any(x > ks.hi + tol):
            raise ValueError(f"`{name}` is outside the decision set (box [{ks.lo}, {ks.hi}]): "
                             f"range [{x.min():.6g}, {x.max():.6g}]")
    return x


def comparator(L, ks: KernelSet):
    """The best fixed decision ``argmin_u <L, u>`` over the set (ties: first index / 0)."""
    d = L.shape[0]
    if ks.dom == K.SIMPLEX:
        u = np.zeros(d)
        u[int(np.argmin(L))] = 1.0
        return u
    if ks.dom == K.BALL:
        n = float(np.linalg.norm(L))
        return np.zeros(d) if n == 0 else -ks.radius * L / n
    return np.where(L > 0, ks.lo, ks.hi).astype(float)
