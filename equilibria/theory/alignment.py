r"""Closed forms of regularized policy optimization on finite models.

Everything here is exact (no sampling) and works on a finite action set with a reference policy
``pi_ref`` (a probability vector) and a reward vector ``r``:

- :func:`kl_regularized_policy`: :math:`\pi^*\propto\pi_{ref}e^{r/\beta}`, its value
  :math:`\beta\log Z` [1]_.
- :func:`kl_constrained_policy`: the KL-constrained optimum for a budget :math:`\Delta` (1-D root
  find on :math:`\beta`) [2]_; :func:`reward_kl_frontier`: the exact reward-KL frontier.
- :func:`best_of_n`: the exact best-of-N distribution over a finite set (ties handled), its KL
  to the reference and its expected reward; :func:`best_of_n_kl_bound` is the usual
  :math:`\log N-(N-1)/N` [2]_.
- :func:`memoryless_best_of_n`, :func:`memoryless_kl_constrained`: the memoryless sequence model
  with a linear (additive) reward, reduced exactly to the distribution of the total reward [2]_.
- :func:`softmax_policy`, :func:`softmax_lipschitz`: the entropy-regularized (softmax) reward-to-
  policy map and its Lipschitz constant :math:`1/(2\tau)` [4]_.
- :func:`bounded_ratio_policy`: the analytic optimum of the bounded-ratio problem [5]_.
- :func:`occupancy_measure`,
  :func:`correlated_proxy_bound`: occupancy measures of tabular MDPs and the bound of [3]_.

References
----------
.. [1] Rafailov et al. (2023), Direct Preference Optimization, eq. (4); Korbak et al. (2022),
   RL with KL penalties is better viewed as Bayesian inference.
.. [2] Yang, Salamatian, Sun, Theertha Suresh, Beirami (2024), Asymptotics of Language Model
   Alignment, Lemma 1 (KL-constrained optimum), Sec. 3 (best-of-N), Thm 3 (equivalence).
.. [3] Laidlaw, Singhal, Dragan (2025), Correlated Proxies: A New Definition and Improved
   Mitigation for Reward Hacking (ICLR), Def. 3.1 (r-correlated proxy), Thm 5.1.
.. [4] The Policy Cliff: A Theoretical Analysis of Reward-Policy Maps in LLMs (2025).
.. [5] Ao et al. (2026), Bounded Ratio Reinforcement Learning, Thm 4.1.
"""

from __future__ import annotations

import dataclasses
import math
import warnings

import numpy as np
from scipy import optimize, special

from equilibria._lib.result import ConvergenceWarning
from equilibria._lib.validation import as_float_array, check_int, check_scalar

from ._checks import measure, safe_round, simplex
from .divergences import chi2_divergence, entropy, kl_divergence

__all__ = [
    "KLRegularized", "BestOfN", "kl_regularized_policy",
    "kl_constrained_policy", "reward_kl_frontier", "best_of_n", "best_of_n_kl_bound",
    "best_of_n_continuous_kl", "reward_distribution", "memoryless_reward_distribution",
    "memoryless_best_of_n", "memoryless_kl_constrained", "softmax_policy", "softmax_lipschitz",
    "bounded_ratio_policy", "occupancy_measure", "correlated_proxy_bound",
    "soft_value_iteration",
]


# --------------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------------
def _check_pair(pi_ref, r, *, pi_name="pi_ref", r_name="r"):
    p = simplex(pi_ref, pi_name, atol=1e-8)
    r = as_float_array(r, r_name, ndim=1)
    if r.shape != p.shape:
        raise ValueError(f"`{r_name}` must have shape {p.shape} like `{pi_name}`, got {r.shape}")
    return p, r


#: ``decimals`` accepted by the rounding of rewards (``10**decimals`` is a finite float)
_MAX_DECIMALS = 300


def _decimals(decimals) -> int:
    return check_int(decimals, "decimals", lo=-_MAX_DECIMALS, hi=_MAX_DECIMALS)


# --------------------------------------------------------------------------------------------
# KL-regularized optimum, KL-constrained optimum, frontier
# --------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class KLRegularized:
    """A tilted policy :math:`\\pi\\propto\\pi_{ref}e^{r/\\beta}` and its summary numbers.

    Parameters
    ----------
    policy : ndarray, shape (K,)
        The tilted policy (a probability vector).
    beta : float
        Its temperature (``0`` for the argmax limit, ``inf`` for ``pi_ref`` itself).
    log_partition : float
        :math:`\\log Z` (``nan`` in the argmax limit; ``+-inf`` when :math:`\\max r/\\beta`
        overflows, the other fields stay finite).
    kl : float
        :math:`\\mathrm{KL}(\\pi\\|\\pi_{ref})`.
    expected_reward : float
        :math:`E_\\pi r`.
    value : float, optional
        Regularized value :math:`E_\\pi r-\\beta\\,\\mathrm{KL}=\\beta\\log Z`; by default
        ``beta * log_partition`` (:func:`kl_regularized_policy` passes it computed without
        overflow as :math:`\\max r+\\beta\\log\\sum_a\\pi_{ref}(a)e^{(r(a)-\\max r)/\\beta}`).
    """

    policy: np.ndarray
    beta: float
    log_partition: float  #: :math:`\log Z`
    kl: float  #: :math:`\mathrm{KL}(\pi\|\pi_{ref})`
    expected_reward: float  #: :math:`E_\pi r`
    value: float = math.nan  #: :math:`E_\pi r-\beta\,\mathrm{KL}=\beta\log Z`

    def __post_init__(self):
        if math.isnan(self.value):
            object.__setattr__(self, "value", self.beta * self.log_partition)


#: Below this shifted log-partition the plain logsumexp is used; above it the log1p/expm1
#: form, which keeps relative accuracy when every tilt ``(r - max r) / beta`` is tiny.
_LOG1P_SWITCH = -0.5


def _shifted_logits(r, rmax, beta):
    """``(r - rmax) / beta <= 0`` without spurious overflow (``-inf`` only when truly huge)."""
    with np.errstate(over="ignore", invalid="ignore"):
        d = r - rmax
        u = d / beta
        bad = ~np.isfinite(d)
        if bad.any():  # r - rmax overflowed: halve first (exact unless subnormal)
            u[bad] = ((0.5 * r[bad] - 0.5 * rmax) / beta) * 2.0
    return np.minimum(u, 0.0)


def _tilt(p, r, beta):
    """Tilted policy on the support of p, computed in the log domain (any finite r, beta > 0).

    Returns ``(policy, u, log_zs, value)`` with ``u = (r - max r) / beta`` on the support,
    ``log_zs = log sum_a p(a) exp(u(a))`` in ``[log p, 0]`` (so ``log Z = max r / beta +
    log_zs``) and ``value = beta log Z = max r + beta log_zs``, evaluated without dividing
    by ``beta`` when the tilts are tiny (huge ``beta``), where ``u`` may underflow.
    """
    supp = p > 0
    ps, rs = p[supp], r[supp]
    rmax = float(rs.max())
    u = _shifted_logits(rs, rmax, beta)
    logw = np.log(ps) + u
    log_zs = float(special.logsumexp(logw))
    if log_zs > _LOG1P_SWITCH:
        # all tilts small: log_zs = log1p(S), S = sum p expm1(u) (terms of one sign), and
        # beta S = sum p (r - rmax) expm1(u) / u, halved so that r - rmax cannot overflow
        em1 = np.expm1(u)
        s = float(np.sum(ps * em1))
        log_zs = float(np.log1p(s))
        with np.errstate(invalid="ignore", divide="ignore"):
            phi = np.where(u == 0.0, 1.0, em1 / u)
        half_gap = float(np.sum(ps * (0.5 * rs - 0.5 * rmax) * phi))
        ratio = log_zs / s if s != 0.0 else 1.0
        value = 2.0 * (0.5 * rmax + half_gap * ratio)
    else:
        value = rmax + beta * log_zs
    pol = np.zeros_like(p)
    pol[supp] = np.exp(logw - log_zs)
    pol /= pol.sum()
    return pol, u, log_zs, value


def kl_regularized_policy(pi_ref, r, beta) -> KLRegularized:
    r"""Maximizer of :math:`E_\pi r-\beta\,\mathrm{KL}(\pi\|\pi_{ref})` over the simplex.

    .. math::

        \pi^*(a)=\frac{\pi_{ref}(a)e^{r(a)/\beta}}{Z},\qquad
        Z=\sum_a\pi_{ref}(a)e^{r(a)/\beta},\qquad
        \max_\pi E_\pi r-\beta\,\mathrm{KL}(\pi\|\pi_{ref})=\beta\log Z .

    (Gibbs variational principle; reference [1] of :mod:`equilibria.theory.alignment`.)  For every
    policy :math:`\pi`, :math:`E_\pi r-\beta\mathrm{KL}(\pi\|\pi_{ref})=\beta\log Z-
    \beta\mathrm{KL}(\pi\|\pi^*)\le\beta\log Z`.

    Parameters
    ----------
    pi_ref : array_like, shape (K,)
        Reference policy (probability vector; zeros allowed, they stay zero).
    r : array_like, shape (K,)
        Reward.
    beta : float
        Regularization strength, ``> 0``.

    Returns
    -------
    KLRegularized
        ``policy``, ``log_partition``, ``kl``, ``expected_reward``; ``value`` is
        :math:`\beta\log Z`.

    Raises
    ------
    ValueError
        If ``pi_ref`` is not a probability vector, ``r`` has the wrong shape, or ``beta <= 0``.
    """
    p, r = _check_pair(pi_ref, r)
    beta = check_scalar(beta, "beta", lo=0.0, lo_inclusive=False)
    p = p / p.sum()  # exact normalization: beta * log(sum p) must not leak into the value
    pol, u, log_zs, value = _tilt(p, r, beta)  # pi* ~ pi_ref exp(r / beta)
    supp = p > 0
    on = pol[supp] > 0
    er = float(pol @ r)
    # KL(pi*||pi_ref) = sum pi* (u - log_zs): log(pi*/pi_ref) without forming a tiny ratio
    kl = max(float(pol[supp][on] @ (u[on] - log_zs)), 0.0)
    with np.errstate(over="ignore"):
        log_z = float(r[supp].max()) / beta + log_zs  # may overflow to +-inf; value cannot
    return KLRegularized(pol, beta, float(log_z), kl, er, float(value))


def _max_kl(p, r):
    """KL of the beta -> 0 limit: pi_ref restricted to the argmax set (on the support)."""
    supp = p > 0
    rmax = r[supp].max()
    top = supp & (r >= rmax - 1e-12 * max(1.0, abs(rmax)))
    return float(-np.log(p[top].sum())), top


def kl_constrained_policy(pi_ref, r, budget, *, xtol: float = 1e-12) -> KLRegularized:
    r"""Maximizer of :math:`E_\pi r` subject to :math:`\mathrm{KL}(\pi\|\pi_{ref})\le\Delta`.

    The solution is the tilted policy :math:`\pi_\beta\propto\pi_{ref}e^{r/\beta}` with
    :math:`\beta` the root of :math:`\mathrm{KL}(\pi_\beta\|\pi_{ref})=\Delta` (KL decreases
    strictly in :math:`\beta` unless ``r`` is constant on the support; Yang et al. 2024, Lemma 1).
    The root is found with Brent's method on :math:`\log\beta` to ``xtol``.  If
    :math:`\Delta\ge-\log\pi_{ref}(\arg\max r)` the constraint is slack at the limit and the
    answer is :math:`\pi_{ref}` restricted to the argmax set (reported with ``beta=0``).

    Parameters
    ----------
    pi_ref, r : array_like, shape (K,)
        Reference policy (probability vector) and reward.
    budget : float
        KL budget :math:`\Delta\ge0`.
    xtol : float, default 1e-12
        Absolute tolerance of Brent's method on :math:`\log\beta`.

    Returns
    -------
    KLRegularized
        The optimal tilted policy with its ``beta``, ``log_partition``, ``kl`` and
        ``expected_reward``.  When the budget is slack ``beta=0`` and ``log_partition=nan``
        (``kl`` is then :math:`-\log\pi_{ref}(\arg\max r)`); ``budget=0`` gives ``pi_ref``
        itself with ``beta=inf``.  These two limits are the only non-finite fields; ``value``
        is then ``expected_reward`` (the KL penalty vanishes in both limits).

    Raises
    ------
    ValueError
        If ``pi_ref`` is not a probability vector, ``r`` has the wrong shape,
        ``budget < 0`` or ``xtol <= 0``.
    """
    p, r = _check_pair(pi_ref, r)
    budget = check_scalar(budget, "budget", lo=0.0)
    xtol = check_scalar(xtol, "xtol", lo=0.0, lo_inclusive=False)
    kl_max, top = _max_kl(p, r)
    if budget >= kl_max or kl_max <= 1e-15:
        pol = np.where(top, p, 0.0)
        pol /= pol.sum()
        er = float(pol @ r)
        # the beta -> 0 limit: the penalty beta * KL vanishes, so the value is E_pi r
        return KLRegularized(pol, 0.0, math.nan, kl_max, er, er)
    if budget == 0.0:
        er = float(p @ r)
        return KLRegularized(p.copy(), math.inf, 0.0, 0.0, er, er)
    spread = float(np.ptp(r[p > 0]))
    supp = p > 0
    lp, rs = np.log(p[supp]), r[supp]

    def g(logb):  # KL(pi_beta || pi_ref) - budget, unvalidated hot path
        beta = math.exp(logb)
        s = lp + rs / beta
        m = s.max()
        e = np.exp(s - m)
        z = e.sum()
        return (e @ rs) / (z * beta) - (m + math.log(z)) - budget

    lo, hi = math.log(spread) - 5.0, math.log(spread) + 5.0
    while g(lo) < 0:
        lo -= 5.0
    while g(hi) > 0:
        hi += 5.0
    logb = optimize.brentq(g, lo, hi, xtol=xtol, rtol=4 * np.finfo(float).eps)
    return kl_regularized_policy(p, r, math.exp(logb))


def reward_kl_frontier(pi_ref, r, betas=None, *, n: int = 200):
    r"""The exact reward-KL frontier :math:`\Delta\mapsto\max\{E_\pi r:\mathrm{KL}(\pi\|\pi_{ref})
    \le\Delta\}`, traced parametrically by :math:`\beta` (every point is optimal for its KL).

    Returns ``(kl, reward, betas)`` sorted by increasing KL.

    Parameters
    ----------
    pi_ref, r : array_like, shape (K,)
        Reference policy (probability vector) and reward.
    betas : array_like, shape (m,), optional
        Positive temperatures :math:`\beta` (``m >= 1``); default ``n`` values log-spaced
        from ``100 s`` down to ``1e-3 s``, with ``s`` the reward spread on the support of
        ``pi_ref`` (at least ``1e-12``).
    n : int, default 200
        Number of default temperatures, ``>= 2`` (ignored when ``betas`` is given).

    Returns
    -------
    kl : ndarray, shape (m,)
        :math:`\mathrm{KL}(\pi_\beta\|\pi_{ref})`, ascending.
    reward : ndarray, shape (m,)
        :math:`E_{\pi_\beta}r` at the same points.
    betas : ndarray, shape (m,)
        The temperatures, reordered to match.
    """
    p, r = _check_pair(pi_ref, r)
    if betas is None:
        spread = max(float(np.ptp(r[p > 0])), 1e-12)
        betas = spread * np.logspace(2, -3, check_int(n, "n", lo=2))
    betas = as_float_array(betas, "betas", ndim=1, positive=True, min_size=1)
    kl = np.empty(betas.size)
    rew = np.empty(betas.size)
    for i, b in enumerate(betas):
        s = kl_regularized_policy(p, r, b)
        kl[i], rew[i] = s.kl, s.expected_reward
    order = np.argsort(kl)
    return kl[order], rew[order], betas[order]


# --------------------------------------------------------------------------------------------
# best-of-N
# --------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class BestOfN:
    """Exact best-of-N distribution over a finite set.

    Parameters
    ----------
    policy : ndarray, shape (K,)
        Probability of each outcome being the one returned.
    n : int
        Number of samples ``N``.
    kl : float
        Exact ``KL(pi_N || pi_ref)``.
    expected_reward : float
        Expected reward of the returned outcome.
    """

    policy: np.ndarray  #: probability of each outcome being the one returned
    n: int
    kl: float  #: exact :math:`\mathrm{KL}(\pi_N\|\pi_{ref})`
    expected_reward: float

    @property
    def kl_bound(self) -> float:
        """The usual :math:`\\log N-(N-1)/N` (an upper bound; equality only without ties)."""
        return best_of_n_kl_bound(self.n)


def best_of_n_kl_bound(n) -> float:
    r""":math:`\log N-(N-1)/N`, the KL of best-of-N for a continuous reward distribution.

    Parameters
    ----------
    n : int
        Number of samples :math:`N\ge1`.

    Returns
    -------
    float
        :math:`\log N-(N-1)/N` (0 for :math:`N=1`).
    """
    n = check_int(n, "n", lo=1)
    return math.log(n) - (n - 1) / n


def best_of_n_continuous_kl(n) -> float:
    """Alias of :func:`best_of_n_kl_bound`: the exact KL in the continuous (tie-free) limit.

    Parameters
    ----------
    n : int
        Number of samples ``N >= 1``.

    Returns
    -------
    float
        ``log(N) - (N - 1) / N`` (0 for ``N = 1``).
    """
    return best_of_n_kl_bound(n)


def _bon_over_values(mass, n):
    """Probability that the best of n draws has each value (values ascending).

    Uses survival sums so that F = 1 - G is accurate when G is far below machine epsilon:
    P(best = v) = F(v)^n - F^-(v)^n = F^n (1 - exp(n (log F^- - log F))).
    """
    tail = np.concatenate((np.cumsum(mass[::-1])[::-1], [0.0]))  # tail[i] = P(value >= v_i)
    g_strict = np.minimum(tail[1:], 1.0)  # P(S > v)
    g_incl = np.minimum(tail[:-1], 1.0)  # P(S >= v)
    with np.errstate(divide="ignore"):
        log_f = np.log1p(-g_strict)
        log_fm = np.log1p(-g_incl)
    out = np.zeros_like(mass)
    pos = np.isfinite(log_f)
    diff = np.where(np.isfinite(log_fm[pos]), log_fm[pos] - log_f[pos], -np.inf)
    out[pos] = np.exp(n * log_f[pos]) * -np.expm1(n * diff)
    return out


def reward_distribution(pi_ref, r, *, decimals: int = 12):
    """Distinct reward values (ascending) and their probabilities under ``pi_ref``.

    Parameters
    ----------
    pi_ref, r : array_like, shape (K,)
        Reference policy (probability vector) and reward.
    decimals : int, default 12
        Rewards equal after rounding to this many decimals are merged (``|decimals| <=
        300``; rewards too large to round at that resolution are kept as they are).

    Returns
    -------
    values : ndarray, shape (m,)
        Distinct rounded rewards on the support of ``pi_ref``, ascending.
    probabilities : ndarray, shape (m,)
        Total ``pi_ref`` mass of each value.
    """
    p, r = _check_pair(pi_ref, r)
    decimals = _decimals(decimals)
    supp = p > 0
    keys = safe_round(r[supp], decimals)
    vals, inv = np.unique(keys, return_inverse=True)
    mass = np.bincount(inv, weights=p[supp], minlength=vals.size)
    return vals, mass


def best_of_n(pi_ref, r, n, *, decimals: int = 12) -> BestOfN:
    r"""Exact best-of-N: draw N i.i.d. outcomes from ``pi_ref`` and return one of highest reward.

    With :math:`F(v)=P_{\pi_{ref}}(r\le v)` and :math:`F^-(v)=P_{\pi_{ref}}(r<v)`, the returned
    outcome :math:`a` has probability

    .. math::

        \pi_N(a)=\pi_{ref}(a)\,\frac{F(r(a))^N-F^-(r(a))^N}{F(r(a))-F^-(r(a))},

    ties being broken uniformly at random (within a tie class the returned outcome is
    distributed like :math:`\pi_{ref}` restricted to the class).  KL and expected reward are
    exact sums.  Yang et al. (2024) and Beirami et al. (2024): :math:`\mathrm{KL}(\pi_N\|
    \pi_{ref})\le\log N-(N-1)/N`, with equality iff the reward has no atoms, which on a finite
    set happens only in the limit of many distinct, small atoms.

    Parameters
    ----------
    pi_ref, r : array_like, shape (K,)
        Reference policy (probability vector) and reward.
    n : int
        Number of samples, ``>= 1``.
    decimals : int, default 12
        Rewards equal after rounding to this many decimals are ties (``|decimals| <= 300``).

    Returns
    -------
    BestOfN
        ``policy`` (:math:`\pi_N`, shape (K,)), ``n``, the exact ``kl`` and
        ``expected_reward``; ``kl_bound`` gives :math:`\log N-(N-1)/N` for comparison.

    Raises
    ------
    ValueError
        If ``pi_ref`` is not a probability vector or ``n < 1``.
    """
    p, r = _check_pair(pi_ref, r)
    n = check_int(n, "n", lo=1)
    decimals = _decimals(decimals)
    supp = p > 0
    keys = safe_round(r, decimals)
    vals, inv = np.unique(keys[supp], return_inverse=True)
    mass = np.bincount(inv, weights=p[supp], minlength=vals.size)
    q = _bon_over_values(mass, n)  # P(best value = v)
    pol = np.zeros_like(p)
    pol[supp] = p[supp] * q[inv] / mass[inv]
    pol /= pol.sum()
    m = q > 0
    # density ratio pi_N / pi_ref is constant on a tie class: q(v) / mass(v)
    kl = float(max(np.sum(q[m] * np.log(q[m] / mass[m])), 0.0))
    return BestOfN(pol, n, kl, float(pol @ r))


# --------------------------------------------------------------------------------------------
# memoryless sequence model, linear reward
# --------------------------------------------------------------------------------------------
#: upper limit of the work of the exact convolution in :func:`memoryless_reward_distribution`
#: (sum over steps of candidate sums formed), checked before any work starts
_MAX_CONVOLUTION_WORK = 5e7


def _convolution_work(v1, length, decimals) -> float:
    """Upper estimate of the candidate sums formed by the ``length - 1`` convolution steps.

    After ``t`` tokens the sum takes at most ``C(t + k - 1, k - 1)`` values (multisets of the
    ``k`` distinct token rewards), and at most ``t * s + 1`` values when the rewards lie on a
    lattice of ``s + 1`` points at the rounding resolution (``s`` the spread over the greatest
    common step); each step forms ``k`` candidates per value.  Summing over ``t``:
    ``k * min(C(L + k - 1, k), s * L**2 / 2 + L)``.
    """
    k = int(v1.size)
    if length <= 1 or k <= 1:
        return float(max(length - 1, 0) * k)
    # log C(L + k - 1, k) = sum_i log((L - 1 + i) / i), without cancellation for huge L
    log_multisets = sum(math.log((length - 1 + i) / i) for i in range(1, k + 1))
    multisets = math.exp(log_multisets) if log_multisets < 700 else math.inf
    lattice = math.inf
    with np.errstate(over="ignore", invalid="ignore"):
        steps = np.rint((v1 - v1[0]) * 10.0 ** decimals)
    if np.all(np.isfinite(steps)) and steps.max() < 2.0**62:
        ints = steps.astype(np.int64)
        g = int(np.gcd.reduce(ints[1:]))
        if g > 0:
            spread = float(ints.max() // g)
            lattice = spread * float(length) ** 2 / 2 + length
    return k * min(multisets, lattice)


def memoryless_reward_distribution(p, r_token, length, *, decimals: int = 9):
    r"""Distribution of :math:`S=\sum_{t=1}^L r(y_t)`, :math:`y_t\overset{iid}{\sim}p`.

    Exact: repeated convolution of the token-reward distribution, merging values equal after
    rounding to ``decimals``.  Returns ``(values, probabilities)``, values ascending.

    Parameters
    ----------
    p : array_like, shape (K,)
        Token distribution (probability vector).
    r_token : array_like, shape (K,)
        Reward of each token.
    length : int
        Sequence length :math:`L\ge1`.  The work (candidate sums formed over the ``L - 1``
        convolution steps) is estimated before starting and must stay below ``5e7``.
    decimals : int, default 9
        Token rewards and partial sums equal after rounding to this many decimals are merged
        (``|decimals| <= 300``).

    Returns
    -------
    values : ndarray, shape (m,)
        Distinct values of :math:`S`, ascending.
    probabilities : ndarray, shape (m,)
        :math:`P(S=v)` for each value (normalized to sum to 1).
    """
    p, r_token = _check_pair(p, r_token, pi_name="p", r_name="r_token")
    length = check_int(length, "length", lo=1)
    decimals = _decimals(decimals)
    v1, m1 = reward_distribution(p, r_token, decimals=decimals)
    work = _convolution_work(v1, length, decimals)
    if work > _MAX_CONVOLUTION_WORK:
        raise ValueError(f"`length`={length} needs about {work:.3g} operations (the sum of "
                         f"{length} token rewards with {v1.size} distinct values has too many "
                         f"values to enumerate; the limit is {_MAX_CONVOLUTION_WORK:.0e}); lower "
                         "`length` or `decimals`")
    vals, mass = v1.copy(), m1.copy()
    for _ in range(length - 1):
        with np.errstate(over="ignore"):
            sums = safe_round((vals[:, None] + v1[None, :]).ravel(), decimals)
        w = (mass[:, None] * m1[None, :]).ravel()
        vals, inv = np.unique(sums, return_inverse=True)
        mass = np.bincount(inv, weights=w, minlength=vals.size)
    return vals, mass / mass.sum()


def memoryless_best_of_n(p, r_token, length, n):
    r"""Best-of-N over sequences of a memoryless model with additive reward.

    Returns ``(kl, expected_reward)`` of best-of-N over whole sequences: both depend on the
    sequence only through :math:`S` (the density ratio to :math:`p^{\otimes L}` is a function of
    :math:`S`), so they are exact sums over the distribution of :math:`S`.

    Parameters
    ----------
    p : array_like, shape (K,)
        Token distribution (probability vector).
    r_token : array_like, shape (K,)
        Reward of each token.
    length : int
        Sequence length :math:`L\ge1`.
    n : int
        Number of sampled sequences :math:`N\ge1`.

    Returns
    -------
    kl : float
        Exact :math:`\mathrm{KL}(\pi_N\|p^{\otimes L})` in nats (reward sums equal to 9
        decimals are ties).
    expected_reward : float
        :math:`E_{\pi_N}S`.
    """
    n = check_int(n, "n", lo=1)
    vals, mass = memoryless_reward_distribution(p, r_token, length)
    q = _bon_over_values(mass, n)
    m = q > 0
    kl = float(max(np.sum(q[m] * np.log(q[m] / mass[m])), 0.0))
    return kl, float(q @ vals)


def memoryless_kl_constrained(p, r_token, length, budget):
    r"""KL-constrained optimum of the memoryless model: a product of tilted token distributions.

    For :math:`p^{\otimes L}` and :math:`r(y)=\sum_t r(y_t)` the optimum
    :math:`\propto p^{\otimes L}e^{r/\beta}` is the product of :math:`\phi_\beta\propto
    p\,e^{r/\beta}`, with KL :math:`L\,\mathrm{KL}(\phi_\beta\|p)`.  Returns the per-token
    :class:`KLRegularized` for the per-token budget :math:`\Delta/L`; multiply ``kl`` and
    ``expected_reward`` by ``length``.

    Parameters
    ----------
    p : array_like, shape (K,)
        Token distribution (probability vector).
    r_token : array_like, shape (K,)
        Reward of each token.
    length : int
        Sequence length :math:`L\ge1`.
    budget : float
        KL budget :math:`\Delta\ge0` for the whole sequence.

    Returns
    -------
    KLRegularized
        The per-token optimum :math:`\phi_\beta` (``policy`` shape (K,)) from
        :func:`kl_constrained_policy` with budget :math:`\Delta/L`; its ``beta`` is that of
        the sequence optimum, ``kl`` and ``expected_reward`` are per token.
    """
    p, r_token = _check_pair(p, r_token, pi_name="p", r_name="r_token")
    length = check_int(length, "length", lo=1)
    budget = check_scalar(budget, "budget", lo=0.0)
    return kl_constrained_policy(p, r_token, budget / length)


# --------------------------------------------------------------------------------------------
# reward-to-policy maps
# --------------------------------------------------------------------------------------------
def softmax_policy(r, tau) -> np.ndarray:
    r"""Entropy-regularized optimum :math:`\arg\max_\pi\langle\pi,r\rangle+\tau H(\pi)
    =\mathrm{softmax}(r/\tau)`.

    Parameters
    ----------
    r : array_like, shape (K,)
        Reward vector, finite and non-empty.
    tau : float
        Temperature (entropy weight), ``> 0``.

    Returns
    -------
    ndarray, shape (K,)
        The policy :math:`\mathrm{softmax}(r/\tau)` (computed with the maximum subtracted).
    """
    r = as_float_array(r, "r", ndim=1, min_size=1)
    tau = check_scalar(tau, "tau", lo=0.0, lo_inclusive=False)
    z = _shifted_logits(r, float(r.max()), tau)  # (r - max r) / tau, no overflow
    e = np.exp(z)
    return e / e.sum()


def softmax_lipschitz(tau) -> float:
    r"""Lipschitz constant :math:`1/(2\tau)` of :math:`r\mapsto\mathrm{softmax}(r/\tau)` in
    :math:`\ell_2`.

    Derivation: the Jacobian is :math:`J=(\mathrm{diag}\,\pi-\pi\pi^\top)/\tau`, symmetric PSD,
    and for a unit vector :math:`x`, :math:`x^\top(\mathrm{diag}\,\pi-\pi\pi^\top)x=
    \mathrm{Var}_{a\sim\pi}(x_a)\le(\max x-\min x)^2/4\le(\sqrt2)^2/4=1/2` (Popoviciu; the range of
    a unit vector is at most :math:`\sqrt2`).  By the mean value inequality along the segment,
    :math:`\|\mathrm{softmax}(r/\tau)-\mathrm{softmax}(r'/\tau)\|_2\le\|r-r'\|_2/(2\tau)`.  The
    constant is sharp: :math:`\pi=(1/2,1/2,0,\dots)`, :math:`x=(1,-1,0,\dots)/\sqrt2` attains it
    (a near-tie of two actions).  As :math:`\tau\to0` the map tends to argmax, discontinuous at
    ties (The Policy Cliff); :math:`\tau>0` restores continuity at the cost of stochasticity.

    Parameters
    ----------
    tau : float
        Temperature, ``> 0``.

    Returns
    -------
    float
        :math:`1/(2\tau)`.
    """
    tau = check_scalar(tau, "tau", lo=0.0, lo_inclusive=False)
    return 1.0 / (2.0 * tau)


def bounded_ratio_policy(pi0, q, eps=None, *, c_low=None, c_high=None) -> np.ndarray:
    r"""Analytic optimum of the bounded-ratio problem (Ao et al. 2026, Thm 4.1), one state.

    .. math::

        \max_\pi\ E_{a\sim\pi_0}\Big[\tfrac{\pi(a)}{\pi_0(a)}Q(a)\Big]\quad\text{s.t.}\quad
        c_l\le\tfrac{\pi(a)}{\pi_0(a)}\le c_h,\ \ \sum_a\pi(a)=1,

    with :math:`c_l=1-\epsilon`, :math:`c_h=1+\epsilon` by default (:math:`c_l\le1\le c_h`).
    The optimum is a threshold rule at a :math:`\pi_0`-quantile :math:`\mu` of :math:`Q`:
    :math:`\pi(a)=c_h\pi_0(a)` if :math:`Q(a)>\mu`, :math:`c_l\pi_0(a)` if :math:`Q(a)<\mu`, and the
    action(s) at :math:`\mu` take the remaining mass.  For the symmetric case :math:`\mu` is the
    :math:`\pi_0`-median, i.e. :math:`\pi=[1+\epsilon\,\mathrm{sign}(Q-\mu)]\pi_0` ("median
    advantage").  Computed greedily: start at :math:`c_l\pi_0` and pour the missing mass
    :math:`1-c_l` into actions in decreasing order of :math:`Q`, each up to :math:`c_h\pi_0(a)`
    (fractional knapsack; ties in :math:`Q` share the split proportionally to :math:`\pi_0`).

    Deviation: the paper's problem is stated per state with the old policy's advantage; the
    per-state solution is the same, so only one state is implemented here.

    Parameters
    ----------
    pi0 : array_like, shape (K,)
        Old (reference) policy :math:`\pi_0`, a probability vector.
    q : array_like, shape (K,)
        Action values or advantages :math:`Q(a)` (ties at 12 decimals).
    eps : float in [0, 1], optional
        Symmetric ratio bound, :math:`c_l=1-\epsilon`, :math:`c_h=1+\epsilon`; when given it
        overrides ``c_low`` and ``c_high``.
    c_low : float in [0, 1], optional
        Lower ratio bound :math:`c_l` (needed, with ``c_high``, when ``eps`` is ``None``).
    c_high : float >= 1, optional
        Upper ratio bound :math:`c_h`.

    Returns
    -------
    ndarray, shape (K,)
        The optimal policy :math:`\pi`.

    Raises
    ------
    ValueError
        If neither ``eps`` nor both ``c_low`` and ``c_high`` are given, or a bound is out
        of range.
    """
    p = simplex(pi0, "pi0")
    q = as_float_array(q, "q", ndim=1, shape=p.shape)
    if eps is not None:
        eps = check_scalar(eps, "eps", lo=0.0, hi=1.0)
        c_low, c_high = 1.0 - eps, 1.0 + eps
    if c_low is None or c_high is None:
        raise ValueError("give `eps` or both `c_low` and `c_high`")
    c_low = check_scalar(c_low, "c_low", lo=0.0, hi=1.0)
    c_high = check_scalar(c_high, "c_high", lo=1.0)
    pol = c_low * p
    left = 1.0 - pol.sum()
    keys = safe_round(q, 12)
    for v in np.unique(keys)[::-1]:
        if left <= 0:
            break
        grp = keys == v
        room = (c_high - c_low) * p[grp]
        cap = room.sum()
        if cap <= 0:
            continue
        take = min(left, cap)
        pol[grp] += room * (take / cap)
        left -= take
    return pol


# --------------------------------------------------------------------------------------------
# tabular MDPs: occupancy measures, soft value iteration, the correlated-proxy bound
# --------------------------------------------------------------------------------------------
def _kernel(P) -> np.ndarray:
    """A transition kernel of shape (S, A, S) whose rows ``P[s, a]`` are distributions."""
    raw = P
    P = as_float_array(P, "P", ndim=3, min_size=1)
    S, A, S2 = P.shape
    if S2 != S:
        raise ValueError(f"`P` must have shape (S, A, S), got {P.shape}")
    simplex(raw, "P", ndim=3)
    return P


def _rows(x, name: str, shape) -> np.ndarray:
    """A (S, A) matrix whose rows are distributions over actions."""
    arr = simplex(x, name, ndim=2)
    if arr.shape != tuple(shape):
        raise ValueError(f"`{name}` must have shape {tuple(shape)} (states, actions of `P`), "
                         f"got {arr.shape}")
    return arr


def occupancy_measure(P, policy, rho0, gamma) -> np.ndarray:
    r"""Normalized discounted state-action occupancy
    :math:`\mu(s,a)=(1-\gamma)\sum_t\gamma^tP(s_t=s,a_t=a)`.

    Parameters
    ----------
    P : array_like, shape (S, A, S)
        Transition kernel, ``P[s, a]`` a distribution over next states.
    policy : array_like, shape (S, A)
        Rows are distributions over actions.
    rho0 : array_like, shape (S,)
        Initial-state distribution.
    gamma : float in [0, 1)
        Discount factor.

    Returns
    -------
    ndarray, shape (S, A)
        :math:`\mu(s,a)=d(s)\,\pi(a|s)` with :math:`d` the normalized discounted state
        occupancy (round-off negatives clipped to 0); the entries sum to 1.
    """
    P = _kernel(P)
    S, A, _ = P.shape
    pol = _rows(policy, "policy", (S, A))
    rho0 = simplex(rho0, "rho0")
    if rho0.shape != (S,):
        raise ValueError(f"`rho0` must have shape ({S},) like the states of `P`, got "
                         f"{rho0.shape}")
    gamma = check_scalar(gamma, "gamma", lo=0.0, hi=1.0, hi_inclusive=False)
    Ppi = np.einsum("sa,sat->st", pol, P)
    d = np.linalg.solve(np.eye(S) - gamma * Ppi.T, (1.0 - gamma) * rho0)
    return np.clip(d, 0.0, None)[:, None] * pol


def soft_value_iteration(P, r, pi_ref, gamma, beta, *, tol: float = 1e-12,
                         max_iter: int = 100_000):
    r"""KL-on-actions regularized optimum of a tabular MDP (soft value iteration).

    Maximizes :math:`E\sum_t\gamma^t[r(s_t,a_t)-\beta\mathrm{KL}(\pi(\cdot|s_t)\|
    \pi_{ref}(\cdot|s_t))]` through :math:`V(s)=\beta\log\sum_a\pi_{ref}(a|s)
    e^{Q(s,a)/\beta}`, :math:`Q=r+\gamma PV`, :math:`\pi\propto\pi_{ref}e^{Q/\beta}`; stops when
    :math:`\|V_{k+1}-V_k\|_\infty\le` ``tol``.  Returns the policy, shape (S, A).

    Parameters
    ----------
    P : array_like, shape (S, A, S)
        Transition kernel, ``P[s, a]`` a distribution over next states.
    r : array_like, shape (S, A)
        Reward.
    pi_ref : array_like, shape (S, A)
        Reference policy; rows are distributions over actions (zeros stay zero).
    gamma : float in [0, 1)
        Discount factor.
    beta : float
        KL weight, ``> 0``.
    tol : float, default 1e-12
        Stopping tolerance on the sup-norm change of ``V``.
    max_iter : int, default 100000
        Maximum number of soft Bellman iterations; if reached, the policy of the last
        iterate is returned with a ``ConvergenceWarning``.

    Returns
    -------
    ndarray, shape (S, A)
        The regularized optimal policy
        :math:`\pi(a|s)\propto\pi_{ref}(a|s)e^{Q(s,a)/\beta}`.
    """
    P = _kernel(P)
    S, A, _ = P.shape
    r = as_float_array(r, "r", shape=(S, A))
    ref = _rows(pi_ref, "pi_ref", (S, A))
    beta = check_scalar(beta, "beta", lo=0.0, lo_inclusive=False)
    gamma = check_scalar(gamma, "gamma", lo=0.0, hi=1.0, hi_inclusive=False)
    tol = check_scalar(tol, "tol", lo=0.0)
    max_iter = check_int(max_iter, "max_iter", lo=1)
    V = np.zeros(S)
    with np.errstate(divide="ignore"):
        logref = np.log(ref)

    def soft_max(x):  # beta * logsumexp(x) row-wise, plain numpy (hot loop)
        m = x.max(axis=1)
        return beta * (m + np.log(np.exp(x - m[:, None]).sum(axis=1)))

    converged = False
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(max_iter):
            Q = r + gamma * (P @ V)
            Vn = soft_max(logref + Q / beta)
            step = np.max(np.abs(Vn - V))
            V = Vn
            if step <= tol or step == 0.0 or not np.isfinite(step):
                converged = step <= tol or step == 0.0
                break
        Q = r + gamma * (P @ V)
        logits = logref + Q / beta
        pol = np.exp(logits - special.logsumexp(logits, axis=1, keepdims=True))
    if not np.all(np.isfinite(pol)):
        raise ValueError(f"soft value iteration overflowed: `r` / `beta` = {np.abs(r).max():.3g}"
                         f" / {beta:.3g} exceeds the float64 range over the horizon "
                         f"1 / (1 - `gamma`) = {1 / (1 - gamma):.3g}; rescale `r`")
    if not converged:
        warnings.warn(f"soft_value_iteration: ||V_k+1 - V_k|| = {step:.3g} > `tol`={tol:g} "
                      f"after `max_iter`={max_iter} iterations; increase `max_iter`",
                      ConvergenceWarning, stacklevel=2)
    return pol


def correlated_proxy_bound(mu, mu_ref, r_true, r_proxy, *, r=None):
    r"""Lower bound on the change in true return from an r-correlated proxy (Laidlaw et al.
    2025, Thm 5.1 in the form derived and checked here).

    With :math:`J(\pi,R)=E_{\mu_\pi}R` (normalized occupancy), :math:`\sigma_R,
    \sigma_{\tilde R}` the standard deviations and :math:`r` the correlation of
    :math:`R,\tilde R` under :math:`\mu_{ref}` (the proxy is *r-correlated*, Def. 3.1),

    .. math::

        J(\pi,R)-J(\pi_{ref},R)\ \ge\ \frac{\sigma_R}{\sigma_{\tilde R}}\Big[
        r\big(J(\pi,\tilde R)-J(\pi_{ref},\tilde R)\big)
        -\sigma_{\tilde R}\sqrt{1-r^2}\,\sqrt{\chi^2(\mu_\pi\|\mu_{ref})}\Big].

    Proof: write the standardized true reward as :math:`Z=r\tilde Z+W` with :math:`W`
    uncorrelated with :math:`\tilde Z` under :math:`\mu_{ref}`, :math:`\mathrm{Var}W=1-r^2`,
    and bound :math:`E_{\mu}W-E_{\mu_{ref}}W=E_{\mu_{ref}}[(\mu/\mu_{ref}-1)W]\ge
    -\sqrt{\chi^2}\sqrt{1-r^2}` by Cauchy-Schwarz.  The constants are sharp: equality holds
    whenever :math:`\mu/\mu_{ref}-1\propto -W` (checked in the tests on one-state models,
    where every distribution is an occupancy measure).  Maximizing the right-hand side over
    :math:`\pi` is maximizing :math:`J(\pi,\tilde R)-\lambda\sqrt{\chi^2}` with
    :math:`\lambda=\sigma_{\tilde R}\sqrt{1-r^2}/r` (:math:`r>0`), which therefore never
    lowers the true return (the right-hand side is 0 at :math:`\pi_{ref}`).

    Source note: the theorem statement itself could not be retrieved here (only the abstract
    and introduction of arXiv:2403.03185 were reachable).  A secondary summary of the paper
    gives the regularized objective :math:`J(\pi,\tilde R)-\lambda\sqrt{\chi^2(\mu_\pi\|
    \mu_{\pi_{ref}})}` with :math:`\lambda=\sigma_{\tilde R}\sqrt{1-r^2}`: the same
    :math:`\sqrt{\chi^2}` form and the same :math:`\sigma_{\tilde R}\sqrt{1-r^2}`
    constant, without the :math:`1/r`.  The corresponding inequality with coefficient 1 on the
    proxy gain (:math:`\Delta J\ge\frac{\sigma_R}{\sigma_{\tilde R}}[\Delta\tilde J-
    \sigma_{\tilde R}\sqrt{1-r^2}\sqrt{\chi^2}]`) is false: a test exhibits drawn MDPs that
    violate it.  So the factor :math:`r` (or a larger constant such as
    :math:`\sqrt{2(1-r)}`) is necessary, and the form above is the sharp one.

    With ``r`` given, the bound is evaluated at that correlation level instead of the exact
    correlation :math:`\rho`: an *r-correlated* proxy has correlation at least :math:`r`, and
    for :math:`0\le r\le\rho` the bound still holds because
    :math:`\mathrm{Var}_{\mu_{ref}}(Z-r\tilde Z)=1-2r\rho+r^2\le1-r^2` (same
    Cauchy-Schwarz step applied to :math:`Z-r\tilde Z`).

    Returns ``(delta_true, bound, r)`` (``r`` the level used: :math:`\rho` by default).

    Parameters
    ----------
    mu : array_like, shape (S, A) or (S * A,)
        Normalized occupancy measure :math:`\mu_\pi` of the evaluated policy (a probability
        vector or matrix), e.g. from :func:`occupancy_measure`.
    mu_ref : array_like, same shape as ``mu``
        Occupancy measure :math:`\mu_{ref}` of the reference policy, with
        :math:`\mu\ll\mu_{ref}`.
    r_true : array_like, same shape as ``mu``
        True reward :math:`R`.
    r_proxy : array_like, same shape as ``mu``
        Proxy reward :math:`\tilde R`.
    r : float in [0, 1], optional
        Correlation level at which to evaluate the bound, at most the correlation
        :math:`\rho` of :math:`R,\tilde R` under :math:`\mu_{ref}`; default :math:`\rho`.

    Returns
    -------
    delta_true : float
        :math:`J(\pi,R)-J(\pi_{ref},R)`.
    bound : float
        The right-hand side of the inequality above.
    r : float
        The correlation level used.

    Raises
    ------
    ValueError
        If ``mu`` or ``mu_ref`` is not a probability vector (or matrix), the shapes differ,
        ``r_true`` or ``r_proxy`` is constant under ``mu_ref``, ``r`` exceeds :math:`\rho`,
        or :math:`\chi^2(\mu\|\mu_{ref})` is infinite (``mu`` not absolutely continuous
        with respect to ``mu_ref``) while the bound needs it (:math:`r<1`).
    """
    mu_arr = measure(mu, "mu")
    shape = mu_arr.shape
    mu = mu_arr.ravel() / mu_arr.sum()
    ref_arr = measure(mu_ref, "mu_ref")
    mu_ref = ref_arr.ravel() / ref_arr.sum()
    R = as_float_array(r_true, "r_true", ndim=(1, 2))
    Rt = as_float_array(r_proxy, "r_proxy", ndim=(1, 2))
    for name, arr in (("mu_ref", ref_arr), ("r_true", R), ("r_proxy", Rt)):
        if arr.shape != shape:
            raise ValueError(f"`{name}` must have the shape {shape} of `mu`, got {arr.shape}")
    R, Rt = R.ravel(), Rt.ravel()

    def moments(x):
        """Centred ``x / c``, its standard deviation under mu_ref and the mean of ``x``, with
        ``c`` a power of two near ``max|x|`` (exact scaling, so nothing overflows)."""
        c = math.ldexp(1.0, math.frexp(float(np.abs(x).max()))[1]) if np.any(x) else 1.0
        xs = x / c
        m = float(mu_ref @ xs)
        dev = xs - m
        return dev, math.sqrt(max(float(mu_ref @ dev**2), 0.0)), m * c, c

    dR, sR, mR, cR = moments(R)
    dRt, sRt, mRt, cRt = moments(Rt)
    if sR == 0 or sRt == 0:
        raise ValueError("`r_true` and `r_proxy` must vary under `mu_ref`")
    rho = float(mu_ref @ (dR * dRt) / (sR * sRt))
    sR, sRt = sR * cR, sRt * cRt
    rho = min(max(rho, -1.0), 1.0)
    if r is not None:
        r = check_scalar(r, "r", lo=0.0, hi=1.0)
        if r > rho + 1e-12:
            raise ValueError(f"`r`={r:.6g} must be at most the correlation {rho:.6g} of "
                             "`r_true` and `r_proxy` under `mu_ref`")
        rho = r
    d_true = float(mu @ R - mR)
    d_proxy = float(mu @ Rt - mRt)
    coef = math.sqrt(max(1 - rho * rho, 0.0))
    penalty = 0.0
    if coef > 0:
        try:
            chi = chi2_divergence(mu, mu_ref)
        except ValueError:
            chi = math.inf
        if not math.isfinite(chi):
            raise ValueError("`mu` is not absolutely continuous with respect to `mu_ref` "
                             "(chi^2(mu || mu_ref) is infinite or overflows): the bound is "
                             "vacuous")
        penalty = sRt * coef * math.sqrt(chi)
    bound = sR / sRt * (rho * d_proxy - penalty)
    return d_true, bound, rho
