"""Shared pieces: the softmax parametrization, results, and exact/sampled gradient steps."""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy import special

from equilibria._lib.result import Result

__all__ = ["PolicyRun", "softmax", "init_logits", "pg_step", "summaries"]


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
