"""Bandit policies, each with its paper's default tuning.

A policy is data (a frozen dataclass of its tuning); :func:`equilibria.bandits.simulate`
compiles it into a policy code (:mod:`._codes`) and a parameter vector for the numba engine
(:mod:`._kernels`).  ``None`` tunings are filled from the theorem's prescription once the
environment and horizon are known (documented per class).

References
----------
1. P. Auer, N. Cesa-Bianchi, P. Fischer (2002). Finite-time analysis of the multiarmed bandit
   problem. Machine Learning 47.
2. J.-Y. Audibert, R. Munos, C. Szepesvari (2009). Exploration-exploitation tradeoff using
   variance estimates in multi-armed bandits. TCS 410.
3. A. Garivier, O. Cappe (2011). The KL-UCB algorithm for bounded stochastic bandits and
   beyond. COLT.
4. J.-Y. Audibert, S. Bubeck (2009). Minimax policies for adversarial and stochastic bandits.
   COLT.
5. S. Agrawal, N. Goyal (2012, 2013). Analysis of Thompson sampling for the multi-armed bandit
   problem (COLT); Further optimal regret bounds for Thompson sampling (AISTATS); Thompson
   sampling for contextual bandits with linear payoffs (ICML).
6. T. Lattimore, C. Szepesvari (2020). Bandit Algorithms. CUP (Alg. 8 KL-UCB, Alg. 9 Exp3,
   Thm 11.2, Ch. 12 Exp3-IX, Thm 33.10 sequential halving).
7. G. Neu (2015). Explore no more: improved high-probability regret bounds for
   non-stochastic bandits. NeurIPS.
8. J. Zimmert, Y. Seldin (2021). Tsallis-INF: an optimal algorithm for stochastic and
   adversarial bandits. JMLR 22(28).
9. D. Foster, Z. Li, T. Lykouris, K. Sridharan, E. Tardos (2016). Learning in games: robustness
   of fast convergence (log-barrier); C.-Y. Wei, H. Luo (2018). More adaptive algorithms for
   adversarial bandits. COLT.
10. Y. Abbasi-Yadkori, D. Pal, C. Szepesvari (2011). Improved algorithms for linear stochastic
    bandits. NeurIPS.
11. M. Mussi, A. M. Metelli, M. Restelli (2023). Dynamical linear bandits. ICML.
12. J.-Y. Audibert, S. Bubeck, R. Munos (2010). Best arm identification in multi-armed
    bandits. COLT (successive rejects, UCB-E).
13. Z. Karnin, T. Koren, O. Somekh (2013). Almost optimal exploration in multi-armed bandits.
    ICML (sequential halving).
14. Optimistic Feasible Search for closed-loop fair threshold decision-making (OFS; see
    ``shared/papers.md``).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from equilibria._lib.validation import check_int, check_option, check_scalar

from ._codes import DynLinPolicyCode, LinearPolicyCode, PolicyCode, ThresholdPolicyCode

__all__ = [
    "UCB1", "UCBV", "KLUCB", "MOSS", "ThompsonSampling", "EXP3", "EXP3IX", "TsallisINF",
    "LogBarrierFTRL", "UCBE", "SuccessiveRejects", "SequentialHalving", "DPSequentialHalving",
    "RoundRobin", "LinUCB", "LinearThompsonSampling", "DynLinUCB", "OFS", "PrimalDualThreshold",
    "UnconstrainedThreshold",
]

_EMPTY = np.zeros((0, 3))
#: largest number of arms of the phase schedules (:meth:`SequentialHalving.schedule`,
#: :meth:`SuccessiveRejects.schedule`): one row per phase
MAX_ARMS = 10**6


def _norm(x) -> float:
    """Euclidean norm without overflow (``||theta||`` of entries up to 1e300 stays finite)."""
    m = float(np.max(np.abs(x))) if x.size else 0.0
    return m * float(np.linalg.norm(x / m)) if m > 0 else 0.0


def _pos(x, name, *, allow_none=False):
    if allow_none and x is None:
        return None
    return check_scalar(x, name, lo=0, lo_inclusive=False)


class _MAB:
    family = "mab"
    needs_bounded = False  # requires rewards in [0, 1]
    needs_all_arms = False  # needs horizon >= K (one pull per arm)
    bai = False

    def _check(self, env, horizon):
        K = env.n_arms
        if self.needs_bounded and not getattr(env, "bounded", False):
            raise ValueError(f"`policy` {type(self).__name__} needs rewards in [0, 1]; got "
                             f"{type(env).__name__}")
        if self.needs_all_arms and horizon < K:
            raise ValueError(f"`horizon` must be >= the number of arms K={K} for "
                             f"{type(self).__name__} (one pull each), got {horizon}")


@dataclasses.dataclass(frozen=True)
class UCB1(_MAB):
    r"""UCB1 (Auer, Cesa-Bianchi, Fischer 2002): play each arm once, then

    .. math:: A_t = \arg\max_i \hat\mu_i + \sqrt{c \ln(t) / n_i},

    with ``c = 2`` and ``t`` the number of plays so far.  For rewards in [0, 1] (Thm 1):
    :math:`E[R_n] \le 8 \sum_{\Delta_i > 0} \ln n / \Delta_i + (1 + \pi^2/3) \sum_j \Delta_j`.

    Parameters
    ----------
    c : float > 0, default 2.0
        Exploration constant in the confidence width.
    """

    c: float = 2.0
    code = PolicyCode.UCB1
    needs_all_arms = True

    def __post_init__(self):
        object.__setattr__(self, "c", _pos(self.c, "c"))

    def _compile(self, env, horizon):
        self._check(env, horizon)
        return np.array([self.c]), _EMPTY


@dataclasses.dataclass(frozen=True)
class UCBV(_MAB):
    r"""UCB-V (Audibert, Munos, Szepesvari 2009, eq. (1)) with exploration ``E_t = zeta ln t``:

    .. math:: \hat\mu_i + \sqrt{2 V_i E_t / n_i} + c\, 3 b E_t / n_i,

    defaults ``zeta = 1.2, c = 1, b = 1`` (the paper's choice; rewards in [0, b]).

    Parameters
    ----------
    zeta : float > 0, default 1.2
        Exploration rate, ``E_t = zeta ln t``.
    c : float > 0, default 1.0
        Weight of the range term ``3 b E_t / n_i``.
    b : float > 0, default 1.0
        Upper end of the reward range ``[0, b]``.
    """

    zeta: float = 1.2
    c: float = 1.0
    b: float = 1.0
    code = PolicyCode.UCBV
    needs_all_arms = True

    def __post_init__(self):
        for k in ("zeta", "c", "b"):
            object.__setattr__(self, k, _pos(getattr(self, k), k))

    def _compile(self, env, horizon):
        self._check(env, horizon)
        return np.array([self.zeta, self.c, self.b]), _EMPTY


@dataclasses.dataclass(frozen=True)
class KLUCB(_MAB):
    """KL-UCB: :math:`\\max\\{q : n_i\\, \\mathrm{kl}(\\hat\\mu_i, q) \\le \\log f(t)\\}`.

    ``exploration="ls"`` (default): ``f(t) = 1 + t log^2 t`` (Lattimore & Szepesvari 2020,
    Alg. 8, asymptotically optimal, Thm 10.6); ``exploration="gc"``: ``log t + c log log t``
    (Garivier & Cappe 2011; the theorem uses ``c = 3``, the experiments ``c = 0``).
    ``kl="bernoulli"`` for rewards in [0, 1]; ``kl="gaussian"`` uses ``(p - q)^2 / (2 sigma^2)``.
    """

    kl: str = "bernoulli"
    exploration: str = "ls"
    c: float = 3.0
    sigma: float = 1.0
    code = PolicyCode.KLUCB
    needs_all_arms = True

    def __post_init__(self):
        check_option(self.kl, "kl", ("bernoulli", "gaussian"))
        check_option(self.exploration, "exploration", ("ls", "gc"))
        object.__setattr__(self, "c", check_scalar(self.c, "c", lo=0))
        object.__setattr__(self, "sigma", _pos(self.sigma, "sigma"))

    @property
    def needs_bounded(self):
        return self.kl == "bernoulli"

    def _compile(self, env, horizon):
        self._check(env, horizon)
        return np.array([self.c, 0.0 if self.kl == "bernoulli" else 1.0, self.sigma,
                         0.0 if self.exploration == "ls" else 1.0]), _EMPTY


@dataclasses.dataclass(frozen=True)
class MOSS(_MAB):
    r"""MOSS (Audibert & Bubeck 2009): :math:`\hat\mu_i + \sqrt{\max(\ln(n / (K n_i)), 0) / n_i}`
    with the horizon ``n`` known (minimax optimal, ``E[R_n] <= 49 sqrt(nK)``).

    Attributes
    ----------
    code : PolicyCode
        Policy code of the compiled engine (``PolicyCode.MOSS``); MOSS has no tuning, the
        horizon ``n`` is passed by :func:`~equilibria.bandits.simulate`.
    needs_all_arms : bool
        ``True``: the horizon must be at least the number of arms (one pull each).
    """

    code = PolicyCode.MOSS
    needs_all_arms = True

    def _compile(self, env, horizon):
        self._check(env, horizon)
        return np.array([float(horizon)]), _EMPTY


@dataclasses.dataclass(frozen=True)
class ThompsonSampling(_MAB):
    """Thompson sampling.

    ``prior="beta"`` (default): Beta(1 + S_i, 1 + F_i) posteriors for rewards in [0, 1], with
    the Bernoulli binarization trick for non-binary rewards (Agrawal & Goyal 2012).
    ``prior="gaussian"``: samples :math:`N(S_i / (k_i + 1), \\sigma^2 / (k_i + 1))` (Agrawal &
    Goyal 2013, Alg. 2, ``sigma = 1``).

    The chosen arm has the exact law of the argmax of independent posterior draws, but the
    losers' values are mostly not drawn (``_kernels.mab._thompson_beta``): the leader (largest
    posterior mean) is drawn in full, as ``X / (X + Y)`` with Marsaglia-Tsang (2000) Gamma
    variates; every other arm's Beta law (integer shapes) is split at a threshold just below the
    leader's usual draw into a body and an upper tail of exactly computed probability (binomial
    series of the order-statistics form), the component is chosen by a geometric countdown of
    Bernoulli trials, tail values are drawn by tangent rejection (log-concavity) and body values
    only when the threshold is not below the running maximum; otherwise the arm cannot win.  The
    mixture is exactly Beta (tested against ``scipy.stats.beta`` by KS, and the chosen arm's law
    by chi-square against quadrature, tests/bandits/test_beta_sampler.py).  About 1.03 full
    Beta draws per round at K = 10, T = 10^5 (about 10 without the split).
    """

    prior: str = "beta"
    sigma: float = 1.0

    def __post_init__(self):
        check_option(self.prior, "prior", ("beta", "gaussian"))
        object.__setattr__(self, "sigma", _pos(self.sigma, "sigma"))

    @property
    def code(self):
        return PolicyCode.TS_BETA if self.prior == "beta" else PolicyCode.TS_GAUSSIAN

    @property
    def needs_bounded(self):
        return self.prior == "beta"

    def _compile(self, env, horizon):
        self._check(env, horizon)
        return np.array([self.sigma]), _EMPTY


@dataclasses.dataclass(frozen=True)
class EXP3(_MAB):
    """Exp3 in the form of Lattimore & Szepesvari (2020), Alg. 9:

    .. math:: P_{ti} \\propto \\exp(\\eta \\hat S_{t-1,i}), \\quad
              \\hat S_{ti} = \\hat S_{t-1,i} + 1 - \\mathbb 1\\{A_t = i\\}(1 - X_t) / P_{ti},

    with ``eta = sqrt(2 log K / (n K))`` (``eta=None``), for which Thm 11.2 gives
    :math:`R_n \\le \\sqrt{2 n K \\log K}` on every oblivious reward table in [0, 1].
    """

    eta: float | None = None
    code = PolicyCode.EXP3
    needs_bounded = True

    def __post_init__(self):
        object.__setattr__(self, "eta", _pos(self.eta, "eta", allow_none=True))

    def learning_rate(self, K, n):
        """``eta``, or the tuning ``sqrt(2 log K / (n K))`` of Thm 11.2 for ``K >= 2`` arms and
        horizon ``n >= 1`` when ``eta=None``."""
        K = check_int(K, "K", lo=2)
        n = check_int(n, "n", lo=1)
        return self.eta if self.eta is not None else math.sqrt(2.0 * math.log(K) / (n * K))

    def _compile(self, env, horizon):
        self._check(env, horizon)
        return np.array([self.learning_rate(env.n_arms, horizon)]), _EMPTY


@dataclasses.dataclass(frozen=True)
class EXP3IX(_MAB):
    """Exp3-IX (Neu 2015; Lattimore & Szepesvari 2020, Ch. 12): losses ``y = 1 - X``,
    :math:`\\hat L_{ti} \\mathrel{+}= \\mathbb 1\\{A_t = i\\} y_t / (P_{ti} + \\gamma)`,
    :math:`P_{ti} \\propto \\exp(-\\eta \\hat L_{t-1,i})`, with
    ``eta = sqrt(2 log(K + 1) / (n K))`` and ``gamma = eta / 2`` (L&S Thm 12.1)."""

    eta: float | None = None
    gamma: float | None = None
    code = PolicyCode.EXP3IX
    needs_bounded = True

    def __post_init__(self):
        object.__setattr__(self, "eta", _pos(self.eta, "eta", allow_none=True))
        if self.gamma is not None:
            object.__setattr__(self, "gamma", check_scalar(self.gamma, "gamma", lo=0))

    def _compile(self, env, horizon):
        self._check(env, horizon)
        K = env.n_arms
        eta = self.eta if self.eta is not None else math.sqrt(2 * math.log(K + 1) / (horizon * K))
        gamma = self.gamma if self.gamma is not None else eta / 2
        return np.array([eta, gamma]), _EMPTY


@dataclasses.dataclass(frozen=True)
class TsallisINF(_MAB):
    r"""Tsallis-INF with alpha = 1/2 (Zimmert & Seldin 2021, Alg. 1): FTRL with

    .. math:: w_t = \arg\min_{w \in \Delta} \langle w, \hat L_{t-1}\rangle
              - \sum_i \frac{4 \sqrt{w_i}}{\eta_t}, \qquad \eta_t = c / \sqrt{t},

    i.e. :math:`w_{ti} = 4 (\eta_t (\hat L_{t-1,i} - x))^{-2}` with the normalizing ``x``
    found by Newton's method (their Alg. 2).  Default ``c = 2`` and the reduced-variance
    estimator (``estimator="rv"``, ``B = 1/2 1{w >= eta^2}``); ``estimator="iw"`` is plain
    importance weighting.  Adversarial bound: :math:`\bar R_T \le 4 \sqrt{KT} + 1`; in the
    stochastic regime the regret is logarithmic.  The horizon need not be known.

    Parameters
    ----------
    c : float > 0, default 2.0
        Learning-rate constant, ``eta_t = c / sqrt(t)``.
    estimator : {"rv", "iw"}, default "rv"
        Loss estimator: reduced-variance or plain importance weighting.
    """

    c: float = 2.0
    estimator: str = "rv"
    code = PolicyCode.TSALLIS_INF
    needs_bounded = True

    def __post_init__(self):
        object.__setattr__(self, "c", _pos(self.c, "c"))
        check_option(self.estimator, "estimator", ("rv", "iw"))

    def _compile(self, env, horizon):
        self._check(env, horizon)
        return np.array([self.c, 1.0 if self.estimator == "rv" else 0.0]), _EMPTY


@dataclasses.dataclass(frozen=True)
class LogBarrierFTRL(_MAB):
    """FTRL with the log-barrier :math:`\\psi(p) = -\\frac{1}{\\eta} \\sum_i \\log p_i` on
    importance-weighted loss estimates (Foster et al. 2016; Wei & Luo 2018):
    :math:`p_{ti} = 1 / (\\eta (\\hat L_{t-1,i} - x))`.

    The distribution is computed by the online-learning room's solver
    (``equilibria.solvers.online.log_barrier_kernel``) when available.  Default
    ``eta = sqrt(K log n / n)``, which balances the regularizer range ``K log n / eta`` against
    the stability term ``eta n`` (regret ``O(sqrt(n K log n))``).
    """

    eta: float | None = None
    code = PolicyCode.LOG_BARRIER
    needs_bounded = True

    def __post_init__(self):
        object.__setattr__(self, "eta", _pos(self.eta, "eta", allow_none=True))

    def _compile(self, env, horizon):
        self._check(env, horizon)
        K = env.n_arms
        eta = self.eta if self.eta is not None else math.sqrt(K * math.log(max(horizon, 2)) / horizon)
        return np.array([eta]), _EMPTY


@dataclasses.dataclass(frozen=True)
class RoundRobin(_MAB):
    """Uniform exploration in round-robin order (baseline).

    Attributes
    ----------
    code : PolicyCode
        Policy code of the compiled engine (``PolicyCode.ROUND_ROBIN``); the policy has no
        tuning and pulls the arms 0, 1, ..., K-1 in turn (arm ``t mod K`` at the 0-based round
        ``t``).
    """

    code = PolicyCode.ROUND_ROBIN

    def _compile(self, env, horizon):
        return np.zeros(1), _EMPTY


# ---------------------------------------------------------------------------------------------
# fixed-budget best-arm identification
# ---------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class UCBE(_MAB):
    """UCB-E (Audibert, Bubeck, Munos 2010): index :math:`\\hat\\mu_i + \\sqrt{a / n_i}`; the
    recommendation is the best empirical mean.  ``a=None`` uses the theorem's oracle tuning
    ``a = (25/36) (n - K) / H_1`` (needs ``H_1`` from the environment, as in their Thm 1)."""

    a: float | None = None
    code = PolicyCode.UCBE
    needs_all_arms = True
    bai = True

    def __post_init__(self):
        object.__setattr__(self, "a", _pos(self.a, "a", allow_none=True))

    def _compile(self, env, horizon):
        self._check(env, horizon)
        a = self.a
        if a is None:
            H1 = getattr(env, "H1", np.inf)
            if not np.isfinite(H1):
                raise ValueError("UCB-E with `a=None` needs an environment with a unique best "
                                 "arm (finite H_1); pass `a` explicitly")
            a = 25.0 / 36.0 * (horizon - env.n_arms) / H1
        return np.array([max(a, 1e-12)]), _EMPTY


def _logbar(K):
    """``1/2 + sum_{i=2}^K 1/i``."""
    return 0.5 + sum(1.0 / i for i in range(2, K + 1))


@dataclasses.dataclass(frozen=True)
class SuccessiveRejects(_MAB):
    r"""Successive rejects (Audibert, Bubeck, Munos 2010): phases ``k = 1..K-1``; in phase k
    every surviving arm is pulled until it has

    .. math:: n_k = \lceil (n - K) / (\overline{\log}(K) (K + 1 - k)) \rceil, \quad
              \overline{\log}(K) = 1/2 + \sum_{i=2}^K 1/i

    pulls, then the arm with the lowest empirical mean is rejected.  Thm 2:
    :math:`e_n \le \frac{K(K-1)}{2} \exp(-(n - K) / (\overline{\log}(K) H_2))`.

    Attributes
    ----------
    code : PolicyCode
        Policy code of the compiled engine (``PolicyCode.PHASE_ELIMINATION``, the
        phase-schedule engine); successive rejects has no tuning, the schedule follows from
        ``K`` and the horizon (:meth:`schedule`).
    needs_all_arms : bool
        ``True``; the horizon must moreover exceed ``K``.
    bai : bool
        ``True``: a best-arm-identification policy (the recommendation is the surviving arm).
    """

    code = PolicyCode.PHASE_ELIMINATION
    needs_all_arms = True
    needs_bounded = False
    bai = True

    def schedule(self, K, n):
        """Phase rows ``[pull increment per surviving arm, arms kept, 0]`` for ``K`` arms
        (``2 <= K <= 1e6``) and budget ``n > K``."""
        K = check_int(K, "K", lo=2, hi=MAX_ARMS)
        n = check_int(n, "n", lo=1)
        if n <= K:
            raise ValueError(f"the budget `n` (`horizon`) must exceed the number of arms K={K} "
                             f"for successive rejects, got {n}")
        lb = _logbar(K)
        nk = [math.ceil((n - K) / (lb * (K + 1 - k))) for k in range(1, K)]
        rows = []
        for k in range(1, K):
            rows.append([nk[k - 1], K - k, 0.0])
        # per-phase targets are increments over the previous phase (phase counters reset)
        sched = np.array(rows, dtype=float)
        prev = 0
        for k in range(K - 1):
            cur = sched[k, 0]
            sched[k, 0] = cur - prev
            prev = cur
        return sched

    def _compile(self, env, horizon):
        self._check(env, horizon)
        return np.array([0.0]), self.schedule(env.n_arms, horizon)


@dataclasses.dataclass(frozen=True)
class SequentialHalving(_MAB):
    r"""Sequential halving (Karnin, Koren, Somekh 2013; Lattimore & Szepesvari 2020, Alg. 16):
    ``L = ceil(log2 K)`` phases; in phase l each surviving arm is pulled
    ``T_l = floor(n / (L |A_l|))`` times and the best ``ceil(|A_l| / 2)`` arms by the phase's
    empirical means survive.  L&S Thm 33.10:
    :math:`P(\text{error}) \le 3 \log_2(K) \exp(-n / (16 H_2 \log_2 K))`.

    Attributes
    ----------
    code : PolicyCode
        Policy code of the compiled engine (``PolicyCode.PHASE_ELIMINATION``, the
        phase-schedule engine); sequential halving has no tuning, the schedule follows from
        ``K`` and the horizon (:meth:`schedule`), which must be at least ``K ceil(log2 K)``.
    needs_all_arms : bool
        ``True``: the horizon must be at least the number of arms.
    bai : bool
        ``True``: a best-arm-identification policy (the recommendation is the surviving arm).
    """

    code = PolicyCode.PHASE_ELIMINATION
    needs_all_arms = True
    bai = True

    def schedule(self, K, n):
        """Phase rows ``[pulls per surviving arm, arms kept, 0]`` for ``K`` arms
        (``2 <= K <= 1e6``) and budget ``n >= K ceil(log2 K)``."""
        K = check_int(K, "K", lo=2, hi=MAX_ARMS)
        n = check_int(n, "n", lo=1)
        L = max(1, math.ceil(math.log2(K)))
        rows = []
        m = K
        for _ in range(L):
            T = n // (L * m)
            keep = math.ceil(m / 2)
            rows.append([float(T), float(keep), 0.0])
            m = keep
        sched = np.array(rows, dtype=float)
        if sched[:, 0].min() < 1:
            raise ValueError(f"the budget `n` (`horizon`) must be at least K * ceil(log2 K) = "
                             f"{K * L} for sequential halving with K={K}, got {n}")
        return sched

    def _compile(self, env, horizon):
        self._check(env, horizon)
        return np.array([1.0]), self.schedule(env.n_arms, horizon)


@dataclasses.dataclass(frozen=True)
class DPSequentialHalving(_MAB):
    """An epsilon-differentially private fixed-budget BAI: sequential halving on fresh samples
    with the Laplace mechanism.

    The details of DP-BAI (max-absolute-determinant design for linear bandits) could not be
    established here; this is the documented elimination variant it reduces to for
    finite-armed bandits.  Phase ``l`` pulls each surviving arm ``T_l`` times (as
    :class:`SequentialHalving`) and releases the phase means plus Laplace(1 / (epsilon T_l))
    noise; eliminations use only the released values.

    Privacy argument: rewards lie in [0, 1], so changing one reward changes one phase mean by
    at most ``1 / T_l``; the Laplace mechanism with scale ``1 / (epsilon T_l)`` makes that
    release epsilon-DP.  Each reward enters exactly one release (fresh samples per phase), so
    by parallel composition the releases are jointly epsilon-DP, and every pull and the final
    recommendation are post-processing of the releases.

    Parameters
    ----------
    epsilon : float > 0, default 1.0
        Privacy level of the epsilon-differential privacy guarantee (smaller is more private and
        adds more Laplace noise).
    """

    epsilon: float = 1.0
    code = PolicyCode.PHASE_ELIMINATION
    needs_all_arms = True
    needs_bounded = True
    bai = True

    def __post_init__(self):
        object.__setattr__(self, "epsilon", _pos(self.epsilon, "epsilon"))

    def _compile(self, env, horizon):
        self._check(env, horizon)
        sched = SequentialHalving().schedule(env.n_arms, horizon)
        sched[:, 2] = 1.0 / (self.epsilon * sched[:, 0])
        return np.array([1.0]), sched


# ---------------------------------------------------------------------------------------------
# linear and dynamical linear bandits
# ---------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class LinUCB:
    """OFUL / LinUCB with the confidence radius of Abbasi-Yadkori, Pal, Szepesvari (2011):

    .. math::
        A_t = \\arg\\max_{x} \\langle x, \\hat\\theta_t\\rangle + \\sqrt{\\beta_t} \\|x\\|_{V_t^{-1}},
        \\quad \\sqrt{\\beta_t} = R \\sqrt{2 \\log(1/\\delta) + \\log(\\det V_t / \\lambda^d)}
        + \\sqrt{\\lambda} S,

    ``V_t = lam I + sum x x^T`` and :math:`\\hat\\theta_t = V_t^{-1} \\sum x X` (their Thm 2:
    ``theta`` lies in the ellipsoid for all t with probability ``>= 1 - delta``).
    ``S=None`` uses ``||theta||`` and ``R=None`` the noise level of the environment (known
    constants, as the theorem assumes).
    """

    lam: float = 1.0
    delta: float = 0.05
    S: float | None = None
    R: float | None = None
    family = "linear"
    code = LinearPolicyCode.OFUL

    def __post_init__(self):
        object.__setattr__(self, "lam", _pos(self.lam, "lam"))
        object.__setattr__(self, "delta", check_scalar(self.delta, "delta", lo=0, hi=1,
                                                       lo_inclusive=False, hi_inclusive=False))
        object.__setattr__(self, "S", _pos(self.S, "S", allow_none=True))
        object.__setattr__(self, "R", _pos(self.R, "R", allow_none=True))

    def _par(self, env, v=0.0):
        S = self.S if self.S is not None else max(_norm(env.theta), 1e-12)
        R = self.R if self.R is not None else env.sigma
        return np.array([self.lam, self.delta, S, R, v])

    def _compile(self, env, horizon):
        return self._par(env), _EMPTY


@dataclasses.dataclass(frozen=True)
class LinearThompsonSampling(LinUCB):
    """Linear Thompson sampling (Agrawal & Goyal 2013): sample
    :math:`\\tilde\\theta \\sim N(\\hat\\theta_t, v^2 V_t^{-1})` and play the best action for it.
    ``v=None`` uses ``v = sqrt(beta_t)`` (the OFUL radius; the paper's worst-case inflation
    ``R sqrt(24 d log(1/delta) / epsilon)`` is available by passing ``v``)."""

    v: float | None = None
    code = LinearPolicyCode.LINEAR_TS

    def __post_init__(self):
        super().__post_init__()
        object.__setattr__(self, "v", _pos(self.v, "v", allow_none=True))

    def _compile(self, env, horizon):
        return self._par(env, 0.0 if self.v is None else self.v), _EMPTY


@dataclasses.dataclass(frozen=True)
class DynLinUCB:
    """DynLin-UCB for dynamical linear bandits (Mussi, Metelli, Restelli 2023), as reconstructed
    here from the paper's description: epochs in which one optimistic action is *held*;
    the first ``burn`` rounds of an epoch are discarded (the transient decays as
    ``rho^s``) and the mean of the next ``avg`` rewards is a sample of the steady-state reward
    ``<h, u>``; ``h`` is estimated by ridge regression on the epoch samples and the action is
    chosen by the OFUL index with radius

    .. math:: \\sqrt{\\beta_m} = \\frac{\\sigma}{\\sqrt{avg}} \\sqrt{2 \\log(1/\\delta)
              + \\log(\\det V_m / \\lambda^d)} + \\sqrt{\\lambda} S + b \\sqrt{m},

    where ``b = C rho_bar^burn / (1 - rho_bar)`` bounds the transient bias of one sample.
    Defaults: ``burn = avg = ceil(log(n) / (2 log(1 / rho_bar)))`` so the bias is
    ``O(n^{-1/2})``; epochs have length ``O(log n / (1 - rho_bar))``, so the regret grows as
    ``sqrt(n)`` up to logs and increases with ``1 / (1 - rho_bar)``, the direction of the
    paper's ``O(d sqrt(T) / (1 - rho)^{3/2})`` bound.  ``rho_bar=None`` uses the spectral
    radius of ``A`` (assumed known, as in the paper).  Deviation: the paper's exact epoch
    lengths and constants were not available; this reconstruction is documented above.

    ``ignore_dynamics=True`` is the myopic baseline: OFUL on the instantaneous rewards, one
    round per epoch, no burn-in.  On :meth:`DynamicalLinearBandit.conflicting` (myopic and
    steady-state optima disagree) it suffers linear regret while DynLin-UCB does not; on
    systems where both optima agree the myopic baseline can be better, as it wastes no
    burn-in rounds.
    """

    rho_bar: float | None = None
    lam: float = 1.0
    delta: float = 0.05
    S: float | None = None
    C: float = 1.0
    burn: int | None = None
    avg: int | None = None
    ignore_dynamics: bool = False
    family = "dynlin"

    def __post_init__(self):
        if self.rho_bar is not None:
            object.__setattr__(self, "rho_bar", check_scalar(self.rho_bar, "rho_bar", lo=0, hi=1,
                                                             hi_inclusive=False))
        object.__setattr__(self, "lam", _pos(self.lam, "lam"))
        object.__setattr__(self, "delta", check_scalar(self.delta, "delta", lo=0, hi=1,
                                                       lo_inclusive=False, hi_inclusive=False))
        object.__setattr__(self, "S", _pos(self.S, "S", allow_none=True))
        object.__setattr__(self, "C", check_scalar(self.C, "C", lo=0))
        if self.burn is not None:
            object.__setattr__(self, "burn", check_int(self.burn, "burn", lo=0))
        if self.avg is not None:
            object.__setattr__(self, "avg", check_int(self.avg, "avg", lo=1))

    @property
    def code(self):
        if self.ignore_dynamics:
            return DynLinPolicyCode.MYOPIC_OFUL
        return DynLinPolicyCode.DYNLIN_UCB

    def _compile(self, env, horizon):
        rho = self.rho_bar if self.rho_bar is not None else env.rho
        S = self.S if self.S is not None else max(_norm(env.markov_parameter), 1e-12)
        if self.ignore_dynamics:
            burn, avg, bias = 0, 1, 0.0
        else:
            default = max(1, math.ceil(math.log(max(horizon, 3)) / (2 * math.log(1 / max(rho, 1e-3)))))
            burn = default if self.burn is None else self.burn
            avg = default if self.avg is None else self.avg
            bias = self.C * rho ** burn / (1 - rho)
        return np.array([self.lam, self.delta, S, float(burn), float(avg), bias]), _EMPTY


# ---------------------------------------------------------------------------------------------
# closed-loop fair thresholds
# ---------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class OFS:
    """Optimistic Feasible Search on a threshold grid.

    With counts ``n_j``, empirical reward ``r_j`` and residuals ``g_{j,k}`` (``<= 0`` feasible)
    and radius :math:`c_j = \\beta \\sqrt{\\log t / n_j}`, each round (after one pull per
    threshold):

    .. math::
        F_t = \\{j : g_{j,k} - c_j \\le 0\\ \\forall k\\}, \\qquad
        j_t = \\arg\\max_{j \\in F_t} r_j + c_j \\quad\\text{if } F_t \\ne \\emptyset,
        \\quad\\text{else}\\ \\arg\\min_j \\sum_k (g_{j,k} - c_j)_+ .

    ``beta=None`` uses ``sqrt(2 / batch)``: a per-round observation is an average over the
    environment's batch of ``batch`` applicants, so reward and residual observations are
    sub-Gaussian with variance proxy about ``1 / batch`` and the radius is the sub-Gaussian
    (Hoeffding) radius ``sqrt(2 sigma^2 log t / n_j)``.

    Deviation: the abstract (reference 14) fixes the selection rule above but not the radius
    constants; ``beta`` is ours and documented here.  Compared in
    :func:`~equilibria.bandits.simulate` with :class:`PrimalDualThreshold` and
    :class:`UnconstrainedThreshold` on :class:`~equilibria.bandits.ThresholdEnvironment`.
    """

    beta: float | None = None
    family = "ofs"
    code = ThresholdPolicyCode.OFS

    def __post_init__(self):
        object.__setattr__(self, "beta", _pos(self.beta, "beta", allow_none=True))

    def _beta(self, env):
        return self.beta if self.beta is not None else math.sqrt(2.0 / env.batch)

    def _compile(self, env, horizon):
        return np.array([self._beta(env), 0.0, 0.0]), _EMPTY


@dataclasses.dataclass(frozen=True)
class PrimalDualThreshold(OFS):
    """Primal-dual baseline: optimistic Lagrangian :math:`r_j + c_j - \\lambda^\\top (g_j - c_j)`
    with projected dual ascent :math:`\\lambda \\leftarrow \\Pi_{[0, \\lambda_{max}]}(\\lambda + \\eta
    \\hat g_t)`, ``eta = 1 / sqrt(n)`` by default."""

    eta: float | None = None
    lam_max: float = 10.0
    code = ThresholdPolicyCode.PRIMAL_DUAL

    def __post_init__(self):
        super().__post_init__()
        object.__setattr__(self, "eta", _pos(self.eta, "eta", allow_none=True))
        object.__setattr__(self, "lam_max", _pos(self.lam_max, "lam_max"))

    def _compile(self, env, horizon):
        eta = self.eta if self.eta is not None else 1.0 / math.sqrt(horizon)
        return np.array([self._beta(env), eta, self.lam_max]), _EMPTY


@dataclasses.dataclass(frozen=True)
class UnconstrainedThreshold(OFS):
    """Unconstrained baseline: UCB on the reward only, constraints ignored."""

    code = ThresholdPolicyCode.UNCONSTRAINED
