"""Shared pieces: the softmax parametrization, results, and exact/sampled gradient steps."""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy import special

from equilibria._lib.result import Result
from equilibria._lib.validation import check_int, check_simplex
from equilibria._lib.validation import check_size as _check_size

__all__ = ["PolicyRun", "softmax", "init_logits", "pg_step", "summaries", "check_policy",
           "check_size", "check_steps", "MAX_BYTES", "MAX_STEPS"]

#: largest allocation (bytes) a public function of the room makes from its size arguments
#: (numbers of actions / states, draws, batch sizes, grid points, recorded steps): checked
#: before anything is allocated
MAX_BYTES = 2**32

#: largest step budget (``max_iter``) of an iterative solver of the room: a tabular run of
#: 1e8 steps already takes hours; larger budgets are refused before the loop starts
MAX_STEPS = 10**8

#: tolerance on ``sum(p) - 1`` of a probability vector given in float64
SIMPLEX_SUM_TOL = 1e-8


def _sum_tol(x, n: int) -> float:
    """``SIMPLEX_SUM_TOL`` for float64, ints and Python sequences; for a lower-precision float
    array ``max(SIMPLEX_SUM_TOL, 4 * n * eps(dtype))``: rounding ``n`` entries to float32 alone
    moves the sum by ~``n * 6e-8``."""
    dt = getattr(x, "dtype", None)
    if dt is not None and np.issubdtype(dt, np.floating) and np.finfo(dt).eps > np.finfo(float).eps:
        return max(SIMPLEX_SUM_TOL, 4.0 * max(n, 1) * float(np.finfo(dt).eps))
    return SIMPLEX_SUM_TOL


def check_policy(p, name: str, *, ndim: int = 1, shape=None, like=None) -> np.ndarray:
    """A probability vector (``ndim=2``: rows on the simplex) as a fresh float64 array.

    Like :func:`~equilibria._lib.validation.check_simplex`, but a lower-precision float input
    (float32) is accepted with the tolerance its rounding needs and renormalized, so it gives
    the float64 answer to that precision.  ``shape`` (with ``None`` wildcards) is checked too;
    ``like`` is the user's original array when ``p`` is already a converted view of it (its
    dtype sets the tolerance).
    """
    n = int(np.shape(p)[-1]) if getattr(p, "ndim", 0) else 1
    tol = _sum_tol(p if like is None else like, n)
    arr = check_simplex(p, name, ndim=ndim, atol=tol)
    if shape is not None and (len(shape) != arr.ndim or any(
            s is not None and s != t for s, t in zip(shape, arr.shape, strict=True))):
        want = tuple("*" if s is None else s for s in shape)
        raise ValueError(f"`{name}` must have shape {want}, got {arr.shape}")
    if tol > SIMPLEX_SUM_TOL:
        arr = arr / arr.sum(axis=-1, keepdims=True)
    elif arr is p:
        arr = arr.copy()
    return arr


def check_size(value, name: str, *, lo: int = 1, per: int = 1, factor: float = 1.0,
               what: str = "the arrays") -> int:
    """An integer ``>= lo`` whose allocation of ``8 * factor * value**per`` bytes stays below
    :data:`MAX_BYTES` (:func:`equilibria._lib.validation.check_size`)."""
    return _check_size(value, name, limit=MAX_BYTES, lo=lo, per=per, factor=factor, what=what)


def check_steps(max_iter, record_every=1, *, n_keys: int = 6, lo: int = 1,
                name: str = "max_iter") -> tuple[int, int]:
    """A step budget ``lo <= max_iter <= MAX_STEPS`` and a recording period ``>= 1`` whose
    history (``n_keys`` Python floats per record, ~32 bytes each) fits in :data:`MAX_BYTES`."""
    max_iter = check_int(max_iter, name, lo=lo, hi=MAX_STEPS)
    record_every = check_int(record_every, "record_every", lo=1)
    need = 32.0 * n_keys * (max_iter // record_every + 2)
    if need > MAX_BYTES:
        raise ValueError(f"`{name}`={max_iter} with `record_every`={record_every} would record "
                         f"{need / 2**30:.3g} GiB of history (limit {MAX_BYTES / 2**30:g} GiB); "
                         "raise `record_every` or lower `" + name + "`")
    return max_iter, record_every


def softmax(z):
    """Softmax of logits ``z`` (``-inf`` entries get probability 0)."""
    m = np.max(z)
    e = np.exp(z - m)
    return e / e.sum()


def init_logits(pi_ref):
    """Logits ``log pi_ref`` (``-inf`` off the support, which then stays at probability 0)."""
    with np.errstate(divide="ignore"):
        return np.log(pi_ref)


def pg_step(z, pi, g, lr, *, update):
    r"""One ascent step on softmax logits for the per-action signal ``g``.

    ``update="pg"``: exact policy gradient :math:`\partial J/\partial z_a=\pi_a(g_a-\pi\cdot g)`;
    ``update="mirror"``: mirror ascent / natural PG, :math:`z\leftarrow z+\eta g`
    (:math:`\pi_{t+1}\propto\pi_te^{\eta g}`).
    """
    supp = np.isfinite(z)
    if update == "pg":
        step = pi * (g - pi @ np.where(supp, g, 0.0))
    else:
        step = g - pi @ np.where(supp, g, 0.0)
    z = z.copy()
    z[supp] += lr * step[supp]
    z[supp] -= z[supp].max()
    return z, float(np.max(np.abs(np.where(supp, pi * (g - pi @ np.where(supp, g, 0.0)), 0.0))))


def sampled_signal(rng, pi, g, batch):
    """Unbiased REINFORCE estimate of ``pi_a (g_a - pi . g)`` from ``batch`` draws of ``pi``.

    Each draw ``a_b`` contributes ``(g(a_b) - mean_b g) (e_{a_b} - pi) / (1 - 1/B)``
    (leave-in batch-mean baseline, rescaled so the estimate is unbiased).
    """
    a = rng.choice(pi.size, size=batch, p=pi)
    adv = g[a] - g[a].mean()
    est = np.bincount(a, weights=adv, minlength=pi.size) / batch
    est -= adv.sum() / batch * pi
    return est * (batch / max(batch - 1, 1)), a


def summaries(pi, pi_ref, rewards: dict):
    """Expected rewards under ``pi`` and KL / chi^2 / entropy to ``pi_ref``."""
    m = pi > 0
    kl = float(max(np.sum(pi[m] * (np.log(pi[m]) - np.log(pi_ref[m]))), 0.0))
    refm = pi_ref > 0
    chi2 = float(np.sum((pi[refm] - pi_ref[refm]) ** 2 / pi_ref[refm]))
    ent = float(-np.sum(pi[m] * np.log(pi[m])))
    out = {k: float(pi @ v) for k, v in rewards.items()}
    out.update(kl=kl, chi2=chi2, entropy=ent)
    return out


@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class PolicyRun(Result):
    """Result of a policy optimization run on a finite action set.

    Attributes
    ----------
    policy : ndarray (K,)
        Final policy.
    steps : ndarray (T,)
        Recorded iteration numbers (0 = initial policy).
    history : dict of ndarray
        Per recorded step: ``"proxy"``, ``"true"`` (when given), ``"kl"``, ``"chi2"`` (to the
        original reference) and ``"entropy"``; solvers add their own keys.
    """

    policy: np.ndarray
    steps: np.ndarray
    history: dict

    @property
    def proxy(self) -> np.ndarray:
        return self.history["proxy"]

    @property
    def true(self) -> np.ndarray:
        return self.history["true"]

    @property
    def kl(self) -> np.ndarray:
        return self.history["kl"]

    @property
    def entropy(self) -> np.ndarray:
        return self.history["entropy"]


def logsumexp(x):
    return float(special.logsumexp(x))
