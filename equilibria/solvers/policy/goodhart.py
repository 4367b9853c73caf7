r"""The Goodhart curve: proxy reward rises while the true reward rises, peaks and falls."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np

from equilibria._lib.result import ConvergenceWarning, Result, finish
from equilibria._lib.validation import check_option, check_scalar

from ._common import check_steps

from .envs import ProxyBandit, correlated_proxy_bandit
from .gradient import policy_gradient

__all__ = ["GoodhartCurve", "goodhart_curve"]


@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class GoodhartCurve(Result):
    """Result of :func:`goodhart_curve`: proxy and true reward along one optimization path,
    with its peak and crossing points.

    The core fields are those of the underlying :func:`~.gradient.policy_gradient` run (the
    curve is its recorded path): ``success`` is whether that run succeeded (a fixed-budget run
    succeeds unless its logits overflow, status ``NUMERICAL``, in which case the curve ends at
    the last finite policy), ``n_iter`` its number of steps.

    Attributes
    ----------
    steps, kl, proxy, true : ndarray
        The path (KL to the reference at each recorded step).
    peak : int
        Index of the maximal true reward: the overoptimization point (beyond it, more proxy
        reward means less true reward).
    crossing : int or None
        First index after the peak where the true reward is back below its reference value
        (optimization has become net harmful); None if it never is.
    divergence : str
        Regularizer of the run (``"none"``, ``"kl"`` or ``"chi2"``).
    beta : float
        Its weight.
    """

    steps: np.ndarray
    kl: np.ndarray
    proxy: np.ndarray
    true: np.ndarray
    peak: int
    crossing: int | None
    divergence: str
    beta: float

    @property
    def peak_true(self) -> float:
        return float(self.true[self.peak])

    @property
    def peak_kl(self) -> float:
        return float(self.kl[self.peak])

    @property
    def peak_step(self) -> int:
        return int(self.steps[self.peak])

    @property
    def final_true(self) -> float:
        return float(self.true[-1])

    @property
    def drop(self) -> float:
        """Peak true reward minus final true reward (>= 0)."""
        return float(self.true[self.peak] - self.true[-1])

    @property
    def proxy_monotone(self) -> bool:
        return bool(np.all(np.diff(self.proxy) >= -1e-10))

    def summary(self) -> str:
        cross = "never" if self.crossing is None else (
            f"step {int(self.steps[self.crossing])} (KL {self.kl[self.crossing]:.3g})")
        return (f"divergence={self.divergence} beta={self.beta:g}: true reward peaks at "
                f"{self.peak_true:.4g} at step {self.peak_step} (KL {self.peak_kl:.3g}, proxy "
                f"{self.proxy[self.peak]:.4g}); final true {self.final_true:.4g}, proxy "
                f"{self.proxy[-1]:.4g}; falls below the reference value at {cross}")


def goodhart_curve(env: ProxyBandit | None = None, *, divergence: str = "none", beta: float = 0.0,
                   lr: float = 0.005, max_iter: int = 2000, update: str = "mirror",
                   oracle: str = "exact", record_every: int = 5, seed=0) -> GoodhartCurve:
    """Optimize the proxy of ``env`` (default :func:`correlated_proxy_bandit`) and locate the
    peak of the true reward and the point where it falls below its reference value.

    Defaults: exact mirror ascent (natural policy gradient) with step 0.005 for 2000 steps.

    Parameters
    ----------
    env : ProxyBandit, optional
        Model whose ``r_proxy`` is optimized and ``r_true`` recorded.
    divergence : {"none", "kl", "chi2"}
        Regularizer of :func:`~.gradient.policy_gradient`.
    beta : float >= 0
        Its weight (``> 0`` for "kl"/"chi2").
    lr : float > 0
        Step size.
    max_iter : int, 2 <= max_iter <= 1e8
        Number of steps.
    update : {"pg", "mirror"}
        Policy-gradient or mirror-ascent step on the logits.
    oracle : {"exact", "sampled"}
        Gradient oracle: exact gradient or REINFORCE estimate.
    record_every : int
        Record the path every this many steps.
    seed : int, Generator or None
        Seed of the sampling (``oracle="sampled"``).

    Returns
    -------
    GoodhartCurve
        The recorded path (``steps``, ``kl``, ``proxy``, ``true``), the index ``peak`` of the
        maximal true reward and the first index ``crossing`` after it where the true reward is
        below its initial (reference) value, or None.  ``success``, ``status``, ``message``
        and ``n_iter`` are the run's; on failure (overflowing logits: lower ``lr``) one
        :class:`~equilibria._lib.result.ConvergenceWarning` is emitted.
    """
    env = correlated_proxy_bandit() if env is None else env
    if not isinstance(env, ProxyBandit):
        raise TypeError(f"`env` must be a ProxyBandit, got {type(env).__name__}")
    divergence = check_option(divergence, "divergence", ("none", "kl", "chi2"))
    beta = check_scalar(beta, "beta", lo=0.0)
    check_steps(max_iter, record_every, n_keys=6, lo=2)
    with warnings.catch_warnings():  # the run's failure is reported once, by the curve
        warnings.simplefilter("ignore", ConvergenceWarning)
        run = policy_gradient(env.pi_ref, env.r_proxy, r_true=env.r_true, divergence=divergence,
                              beta=beta, lr=lr, max_iter=max_iter, update=update, oracle=oracle,
                              record_every=record_every, seed=seed)
    h = run.history
    true = h["true"]
    peak = int(np.argmax(true))
    below = np.nonzero(true[peak:] < true[0])[0]
    crossing = int(peak + below[0]) if below.size else None
    return finish(GoodhartCurve, success=run.success, status=run.status, message=run.message,
                  n_iter=run.n_iter, steps=run.steps, kl=h["kl"], proxy=h["proxy"], true=true,
                  peak=peak, crossing=crossing, divergence=divergence, beta=beta)
