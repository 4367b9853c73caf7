"""Bandit environments (problems are data: frozen dataclasses validated on construction).

Finite-armed stochastic arms (:class:`BernoulliArms`, :class:`GaussianArms`,
:class:`BoundedArms`), oblivious adversarial reward tables (:class:`AdversarialSequence`, with
the standard hard instances as constructors), finite-action linear bandits
(:class:`LinearBandit`), dynamical linear bandits (:class:`DynamicalLinearBandit`), the
closed-loop fair-threshold environment of Optimistic Feasible Search
(:class:`ThresholdEnvironment`) and fixed-budget best-arm-identification instances
(:func:`bai_instance`).

Sizes: the constructors that generate tables (:meth:`AdversarialSequence.minimax_lower_bound`,
:meth:`~AdversarialSequence.switching`, :meth:`~AdversarialSequence.random`,
:meth:`LinearBandit.random`, :meth:`DynamicalLinearBandit.random`) build at most
:data:`MAX_ENTRIES` = 1e8 float64 entries, at most :data:`MAX_ARMS` = 1e6 arms and state or
action dimensions up to :data:`MAX_DIM` = 2000; larger requests raise ``ValueError`` naming the
argument before anything is allocated.

References
----------
1. T. Lattimore, C. Szepesvari (2020). *Bandit Algorithms*. Cambridge University Press.
2. Y. Abbasi-Yadkori, D. Pal, C. Szepesvari (2011). Improved algorithms for linear stochastic
   bandits. NeurIPS.
3. M. Mussi, A. M. Metelli, M. Restelli (2023). Dynamical linear bandits. ICML.
4. Optimistic Feasible Search for closed-loop fair threshold decision-making (see
   ``shared/papers.md``).
5. J.-Y. Audibert, S. Bubeck, R. Munos (2010). Best arm identification in multi-armed bandits.
   COLT.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from scipy.special import ndtr

from equilibria._lib.rng import as_generator
from equilibria._lib.validation import as_float_array, check_int, check_scalar

from ._codes import SHARE_MAX, SHARE_MIN, EnvCode

#: largest table a constructor builds (reward tables, action sets: rows x columns float64
#: entries, 800 MB); larger requests raise ``ValueError`` before allocating
MAX_ENTRIES = 10**8
#: largest number of arms of :func:`bai_instance` and of the constructors' action sets
MAX_ARMS = 10**6
#: largest state or action dimension of the random linear systems (their QR / eigenvalue
#: decompositions cost ``O(n^3)``, the compiled engine ``O(d^2)`` per round)
MAX_DIM = 2000

__all__ = [
    "BernoulliArms", "GaussianArms", "BoundedArms", "AdversarialSequence", "LinearBandit",
    "DynamicalLinearBandit", "ThresholdEnvironment", "bai_instance",
]


class _Stochastic:
    """Mixin: finite-armed stochastic arms with means ``means``."""

    means: np.ndarray  # declared by each dataclass subclass
    bounded = True
    env_code = EnvCode.BERNOULLI

    @property
    def n_arms(self) -> int:
        return int(self.means.size)

    @property
    def gaps(self) -> np.ndarray:
        """Suboptimality gaps ``Delta_i = mu* - mu_i``."""
        return self.means.max() - self.means

    @property
    def best_arms(self) -> np.ndarray:
        """Indices of the optimal arms."""
        return np.flatnonzero(self.means == self.means.max())

    @property
    def H1(self) -> float:
        """``H_1 = sum_{i != i*} Delta_i^{-2}`` (Audibert, Bubeck, Munos 2010); inf on ties."""
        g = np.sort(self.gaps)[1:]
        return float(np.inf if np.any(g == 0) else np.sum(g ** -2.0))

    @property
    def H2(self) -> float:
        """``H_2 = max_{i >= 2} i Delta_(i)^{-2}`` over gaps sorted increasingly (ranks from 1)."""
        g = np.sort(self.gaps)
        if g.size < 2 or np.any(g[1:] == 0):
            return float(np.inf)
        i = np.arange(2, g.size + 1)
        return float(np.max(i * g[1:] ** -2.0))

    def _env_par(self) -> np.ndarray:
        return np.zeros(1)


def _check_entries(rows, cols, rows_name, cols_name):
    """Raise before allocating a ``rows x cols`` float64 table above :data:`MAX_ENTRIES`."""
    if rows * cols > MAX_ENTRIES:
        raise ValueError(f"`{rows_name}` x `{cols_name}` = {rows} x {cols} = {rows * cols:.3g} "
                         f"entries ({rows * cols * 8 / 2**30:.3g} GiB) exceeds the limit of "
                         f"{MAX_ENTRIES:.0e} entries of a generated table")


def _check_means(means, lo=0.0, hi=1.0):
    m = as_float_array(means, "means", ndim=1, min_size=2)
    if lo is not None and (np.any(m < lo) or np.any(m > hi)):
        raise ValueError(f"`means` must lie in the reward range [{lo}, {hi}], found "
                         f"[{m.min():.6g}, {m.max():.6g}]")
    return m


@dataclasses.dataclass(frozen=True, eq=False)
class BernoulliArms(_Stochastic):
    """Arms with Bernoulli(``means[i]``) rewards in {0, 1}.

    Parameters
    ----------
    means : array_like, shape (K,)
        Means in [0, 1], ``K >= 2``.
    """

    means: np.ndarray

    env_code = EnvCode.BERNOULLI

    def __post_init__(self):
        object.__setattr__(self, "means", _check_means(self.means))


@dataclasses.dataclass(frozen=True, eq=False)
class GaussianArms(_Stochastic):
    """Arms with N(``means[i]``, ``sigma**2``) rewards (unbounded, sigma-sub-Gaussian).

    Parameters
    ----------
    means : array_like, shape (K,)
    sigma : float
        Noise standard deviation, ``> 0``.
    """

    means: np.ndarray
    sigma: float = 1.0

    env_code = EnvCode.GAUSSIAN
    bounded = False

    def __post_init__(self):
        object.__setattr__(self, "means", _check_means(self.means, lo=None))
        object.__setattr__(self, "sigma", check_scalar(self.sigma, "sigma", lo=0,
                                                       lo_inclusive=False))

    def _env_par(self) -> np.ndarray:
        return np.array([self.sigma])


@dataclasses.dataclass(frozen=True, eq=False)
class BoundedArms(_Stochastic):
    """Arms with Beta rewards on [0, 1]: ``X ~ Beta(mu c, (1 - mu) c)`` (mean mu, variance
    ``mu (1 - mu) / (c + 1)``); means 0 and 1 give constant rewards.

    Parameters
    ----------
    means : array_like, shape (K,)
        Means in [0, 1].
    concentration : float
        ``c > 0``; small values approach Bernoulli, large values concentrate at the mean.
    """

    means: np.ndarray
    concentration: float = 2.0

    env_code = EnvCode.BOUNDED

    def __post_init__(self):
        object.__setattr__(self, "means", _check_means(self.means))
        object.__setattr__(self, "concentration",
                           check_scalar(self.concentration, "concentration", lo=0,
                                        lo_inclusive=False))

    def _env_par(self) -> np.ndarray:
        return np.array([self.concentration])


@dataclasses.dataclass(frozen=True, eq=False)
class AdversarialSequence:
    """An oblivious adversary: a fixed reward table ``rewards[t, i]`` in [0, 1].

    Regret is measured against the best fixed arm in hindsight,
    :math:`R_t = \\max_i \\sum_{s \\le t} x_{s,i} - \\sum_{s \\le t} x_{s,A_s}`; the pseudo-regret
    replaces the realized reward by its conditional expectation ``<P_s, x_s>`` for the
    randomized (exponential-weights) policies.

    Parameters
    ----------
    rewards : array_like, shape (T, K)
        Rewards in [0, 1]; ``T`` bounds the simulation horizon.
    """

    rewards: np.ndarray

    env_code = EnvCode.ADVERSARIAL
    bounded = True

    def __post_init__(self):
        x = as_float_array(self.rewards, "rewards", ndim=2)
        if x.shape[1] < 2 or x.shape[0] < 1:
            raise ValueError(f"`rewards` must have shape (T, K) with K >= 2, got {x.shape}")
        if np.any(x < 0) or np.any(x > 1):
            raise ValueError("`rewards` must lie in [0, 1], found "
                             f"[{x.min():.6g}, {x.max():.6g}]")
        object.__setattr__(self, "rewards", x)

    @property
    def n_arms(self) -> int:
        return int(self.rewards.shape[1])

    @property
    def means(self) -> np.ndarray:
        """Column averages (for display; regret uses the table itself)."""
        return self.rewards.mean(axis=0)

    @property
    def best_arms(self) -> np.ndarray:
        tot = self.rewards.sum(axis=0)
        return np.flatnonzero(tot == tot.max())

    def _env_par(self) -> np.ndarray:
        return np.zeros(1)

    # ---- standard hard instances --------------------------------------------------------
    @classmethod
    def minimax_lower_bound(cls, n_arms, horizon, *, best=None, seed=0):
        """The minimax lower-bound instance (L&S 2020, Thm 15.2), sampled once.

        Arm ``best`` has Bernoulli(1/2 + Delta) rewards, the others Bernoulli(1/2), with
        ``Delta = sqrt((K - 1) / (4 n))``, the gap that makes every policy suffer
        ``Omega(sqrt(K n))`` regret on one of the K instances.
        """
        K = check_int(n_arms, "n_arms", lo=2)
        n = check_int(horizon, "horizon", lo=1)
        _check_entries(n, K, "horizon", "n_arms")
        rng = as_generator(seed)
        best = int(rng.integers(K)) if best is None else check_int(best, "best", lo=0, hi=K - 1)
        delta = min(math.sqrt((K - 1) / (4.0 * n)), 0.5)
        p = np.full(K, 0.5)
        p[best] += delta
        return cls((rng.random((n, K)) < p).astype(float))

    @classmethod
    def switching(cls, n_arms, horizon, *, switch=0.5):
        """Deterministic sequence where the leader changes: arm 0 pays 1 for the first
        ``switch`` fraction of the rounds, then arm 1 pays 1 until the end (the others pay 0).

        The best fixed arm in hindsight is the one paying longer; a policy that tracks the
        leader can beat it (negative regret), one that stays with the early leader loses
        linearly.  Exp3's guarantee holds here like on every oblivious table.
        """
        K = check_int(n_arms, "n_arms", lo=2)
        n = check_int(horizon, "horizon", lo=2)
        _check_entries(n, K, "horizon", "n_arms")
        switch = check_scalar(switch, "switch", lo=0, hi=1, lo_inclusive=False,
                              hi_inclusive=False)
        x = np.zeros((n, K))
        m = int(round(switch * n))
        m = min(max(m, 1), n - 1)
        x[:m, 0] = 1.0
        x[m:, 1] = 1.0
        return cls(x)

    @classmethod
    def random(cls, n_arms, horizon, *, seed=0):
        """Independent uniform rewards with per-arm drifting means (a generic oblivious table)."""
        K = check_int(n_arms, "n_arms", lo=2)
        n = check_int(horizon, "horizon", lo=1)
        _check_entries(n, K, "horizon", "n_arms")
        rng = as_generator(seed)
        phase = rng.uniform(0, 2 * np.pi, K)
        t = np.arange(n)[:, None]
        mean = 0.5 + 0.3 * np.sin(2 * np.pi * t / max(n, 1) * rng.uniform(0.5, 2.0, K) + phase)
        return cls((rng.random((n, K)) < mean).astype(float))


@dataclasses.dataclass(frozen=True, eq=False)
class LinearBandit:
    """Finite-action stochastic linear bandit :math:`X_t = \\langle A_t, \\theta\\rangle + \\sigma
    \\xi_t`, :math:`\\xi_t \\sim N(0, 1)` (so the noise is sigma-sub-Gaussian).

    Parameters
    ----------
    actions : array_like, shape (K, d)
    theta : array_like, shape (d,)
    sigma : float
        Noise standard deviation, ``> 0``.
    """

    actions: np.ndarray
    theta: np.ndarray
    sigma: float = 1.0

    def __post_init__(self):
        X = as_float_array(self.actions, "actions", ndim=2, min_size=2)
        th = as_float_array(self.theta, "theta", ndim=1)
        if X.shape[1] != th.shape[0]:
            raise ValueError(f"`theta` must have length d={X.shape[1]} (columns of `actions`), "
                             f"got {th.shape[0]}")
        if X.shape[0] < 2:
            raise ValueError(f"`actions` must have at least 2 rows, got {X.shape[0]}")
        object.__setattr__(self, "actions", X)
        object.__setattr__(self, "theta", th)
        object.__setattr__(self, "sigma", check_scalar(self.sigma, "sigma", lo=0,
                                                       lo_inclusive=False))

    @property
    def n_arms(self) -> int:
        return int(self.actions.shape[0])

    @property
    def dim(self) -> int:
        return int(self.actions.shape[1])

    @property
    def means(self) -> np.ndarray:
        return self.actions @ self.theta

    @property
    def best_arms(self) -> np.ndarray:
        m = self.means
        return np.flatnonzero(m == m.max())

    @classmethod
    def random(cls, n_actions, dim, *, sigma=1.0, seed=0):
        """Actions uniform on the unit sphere, ``theta`` uniform on the sphere of radius 1."""
        K = check_int(n_actions, "n_actions", lo=2, hi=MAX_ARMS)
        d = check_int(dim, "dim", lo=1, hi=MAX_DIM)
        _check_entries(K, d, "n_actions", "dim")
        rng = as_generator(seed)
        X = rng.standard_normal((K, d))
        X /= np.linalg.norm(X, axis=1, keepdims=True)
        th = rng.standard_normal(d)
        th /= np.linalg.norm(th)
        return cls(X, th, sigma)


@dataclasses.dataclass(frozen=True, eq=False)
class DynamicalLinearBandit:
    """Dynamical linear bandit (Mussi, Metelli, Restelli 2023):

    .. math::
        x_{t+1} = A x_t + B u_t, \\qquad y_t = \\langle \\omega, x_t\\rangle +
        \\langle \\theta, u_t\\rangle + \\sigma \\xi_t,

    with actions ``u_t`` from a finite set and spectral radius ``rho(A) < 1``.  Holding ``u``
    forever yields the steady-state reward ``<h, u>`` with the cumulative Markov parameter
    :math:`h = \\theta + B^\\top (I - A)^{-\\top} \\omega`; regret is measured against
    :math:`J^* = \\max_u \\langle h, u\\rangle`.

    Parameters
    ----------
    A : array_like, shape (n, n)
    B : array_like, shape (n, d)
    omega : array_like, shape (n,)
    theta : array_like, shape (d,)
    actions : array_like, shape (K, d)
    sigma : float
    x0 : array_like, shape (n,), optional
        Initial hidden state (zero by default).
    """

    A: np.ndarray
    B: np.ndarray
    omega: np.ndarray
    theta: np.ndarray
    actions: np.ndarray
    sigma: float = 1.0
    x0: np.ndarray | None = None

    def __post_init__(self):
        A = as_float_array(self.A, "A", ndim=2)
        if A.shape[0] != A.shape[1]:
            raise ValueError(f"`A` must be square, got shape {A.shape}")
        n = A.shape[0]
        B = as_float_array(self.B, "B", ndim=2)
        if B.shape[0] != n:
            raise ValueError(f"`B` must have {n} rows (size of `A`), got shape {B.shape}")
        d = B.shape[1]
        om = as_float_array(self.omega, "omega", ndim=1, shape=(n,))
        th = as_float_array(self.theta, "theta", ndim=1, shape=(d,))
        U = as_float_array(self.actions, "actions", ndim=2)
        if U.shape[1] != d or U.shape[0] < 2:
            raise ValueError(f"`actions` must have shape (K >= 2, {d}), got {U.shape}")
        rho = float(np.max(np.abs(np.linalg.eigvals(A)))) if n else 0.0
        if not rho < 1.0:
            raise ValueError(f"`A` must have spectral radius < 1, got {rho:.6g}")
        x0 = np.zeros(n) if self.x0 is None else as_float_array(self.x0, "x0", ndim=1,
                                                                  shape=(n,))
        for name, val in (("A", A), ("B", B), ("omega", om), ("theta", th), ("actions", U),
                          ("x0", x0)):
            object.__setattr__(self, name, val)
        object.__setattr__(self, "sigma", check_scalar(self.sigma, "sigma", lo=0,
                                                       lo_inclusive=False))

    @property
    def rho(self) -> float:
        """Spectral radius of ``A``."""
        return float(np.max(np.abs(np.linalg.eigvals(self.A))))

    @property
    def n_arms(self) -> int:
        return int(self.actions.shape[0])

    @property
    def markov_parameter(self) -> np.ndarray:
        """``h = theta + B^T (I - A)^{-T} omega``."""
        n = self.A.shape[0]
        return self.theta + self.B.T @ np.linalg.solve((np.eye(n) - self.A).T, self.omega)

    @property
    def means(self) -> np.ndarray:
        """Steady-state rewards ``<h, u>`` of holding each action."""
        return self.actions @ self.markov_parameter

    @property
    def best_arms(self) -> np.ndarray:
        m = self.means
        return np.flatnonzero(m == m.max())

    @classmethod
    def conflicting(cls, *, rho=0.7, n_actions=12, sigma=0.5):
        """A system where the myopic and the long-run best actions disagree.

        ``A = rho I_2``, ``B = I_2``, actions on the unit circle, instantaneous effect
        ``theta = (1, 0)`` and ``omega = (1 - rho) (h - theta)`` so the steady-state gain is
        ``h = (-0.6, 0.8)``: the action with the best immediate reward is poor in steady state.
        A linear bandit that ignores the hidden state then suffers linear regret.
        """
        rho = check_scalar(rho, "rho", lo=0, hi=1, hi_inclusive=False)
        K = check_int(n_actions, "n_actions", lo=2, hi=MAX_ARMS)
        ang = np.linspace(0.0, 2.0 * np.pi, K, endpoint=False)
        U = np.c_[np.cos(ang), np.sin(ang)]
        th = np.array([1.0, 0.0])
        h = np.array([-0.6, 0.8])
        return cls(rho * np.eye(2), np.eye(2), (1.0 - rho) * (h - th), th, U, sigma)

    @classmethod
    def random(cls, *, rho=0.7, n_state=3, dim=2, n_actions=8, sigma=0.5, seed=0):
        """A random stable system with spectral radius exactly ``rho``: ``A = rho Q`` for a
        random orthogonal ``Q`` (so ``||A^s||_2 = rho^s``), ``B``, ``omega``, ``theta`` and
        the actions (unit circle/sphere) drawn at random and scaled so ``||h|| = 1``."""
        rho = check_scalar(rho, "rho", lo=0, hi=1, hi_inclusive=False)
        n = check_int(n_state, "n_state", lo=1, hi=MAX_DIM)
        d = check_int(dim, "dim", lo=1, hi=MAX_DIM)
        K = check_int(n_actions, "n_actions", lo=2, hi=MAX_ARMS)
        _check_entries(K, d, "n_actions", "dim")
        rng = as_generator(seed)
        Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
        A = rho * Q
        B = rng.standard_normal((n, d)) / np.sqrt(n)
        om = rng.standard_normal(n) / np.sqrt(n)
        th = rng.standard_normal(d) / np.sqrt(d)
        U = rng.standard_normal((K, d))
        U /= np.linalg.norm(U, axis=1, keepdims=True)
        env = cls(A, B, om, th, U, sigma)
        # rescale (omega, theta) so that the steady-state gain has unit norm
        s = 1.0 / max(np.linalg.norm(env.markov_parameter), 1e-12)
        return cls(A, B, om * s, th * s, U, sigma)


@dataclasses.dataclass(frozen=True, eq=False)
class ThresholdEnvironment:
    """Closed-loop fair threshold decision-making (the Optimistic Feasible Search setting).

    Two groups; applicants of group ``g`` have scores ``s ~ N(mu_g, 1)`` and repay with
    probability ``sigmoid(slope s)``.  The learner picks a threshold ``tau_j`` from ``grid``
    and accepts ``s >= tau_j``; per applicant the reward is ``repaid - cost * accepted``.
    Constraints (residual ``<= 0`` is feasible):

    .. math::
        g_{DP}(\\tau) = |a_0(\\tau) - a_1(\\tau)| - \\varepsilon, \\qquad
        g_{SR}(\\tau, \\pi) = r_{\\min} - ((1 - \\pi) a_0(\\tau) + \\pi a_1(\\tau)),

    with acceptance rates :math:`a_g(\\tau) = P(s \\ge \\tau \\mid g)`.  The population responds to
    decisions: the share of group 1 follows the contraction
    :math:`\\pi_{t+1} = (1 - \\kappa) \\pi_t + \\kappa\\, \\mathrm{clip}(\\pi_0 + \\gamma (a_1 - a_0))`.
    Each round a batch of ``batch`` applicants is drawn and the learner observes the realized
    reward and the empirical residuals of the chosen threshold only.

    The benchmark "best feasible fixed threshold" evaluates every grid threshold at its own
    stationary share ``pi*(tau)`` and keeps the best feasible one (:attr:`best_feasible`).
    """

    mu: tuple = (0.5, -0.5)
    slope: float = 1.5
    cost: float = 0.55
    eps: float = 0.15
    rmin: float = 0.4
    pi0: float = 0.5
    kappa: float = 0.05
    gamma: float = 0.5
    batch: int = 100
    grid: np.ndarray | None = None

    def __post_init__(self):
        mu = as_float_array(self.mu, "mu", ndim=1, shape=(2,))
        object.__setattr__(self, "mu", mu)
        for name, lo, hi in (("slope", 0, None), ("cost", 0, 1), ("eps", 0, 1), ("rmin", 0, 1),
                             ("pi0", 0, 1), ("kappa", 0, 1), ("gamma", 0, None)):
            object.__setattr__(self, name, check_scalar(getattr(self, name), name, lo=lo, hi=hi))
        if not 0 < self.kappa:
            raise ValueError(f"`kappa` must be > 0, got {self.kappa}")
        object.__setattr__(self, "batch", check_int(self.batch, "batch", lo=2, hi=1000))
        grid = np.linspace(-3.0, 3.0, 13) if self.grid is None else self.grid
        grid = as_float_array(grid, "grid", ndim=1, min_size=2)
        object.__setattr__(self, "grid", grid)

    @property
    def n_arms(self) -> int:
        assert self.grid is not None  # __post_init__ always sets `grid` to an array
        return int(self.grid.size)

    def tables(self):
        """``(acc, good)`` of shape (2, G): acceptance rates and repaid-and-accepted rates."""
        s = np.linspace(-10, 10, 20001)
        ds = s[1] - s[0]
        p = 1.0 / (1.0 + np.exp(-self.slope * s))
        acc = np.empty((2, self.grid.size))
        good = np.empty((2, self.grid.size))
        for g in range(2):
            dens = np.exp(-0.5 * (s - self.mu[g]) ** 2) / np.sqrt(2 * np.pi)
            cum = np.cumsum((p * dens)[::-1])[::-1] * ds
            acc[g] = 1.0 - ndtr(self.grid - self.mu[g])
            good[g] = np.interp(self.grid, s, cum)
        good = np.minimum(good, acc)
        return acc, good

    def stationary(self):
        """Per threshold: stationary share, reward, DP and service residuals (arrays (G,))."""
        acc, good = self.tables()
        pi = np.clip(self.pi0 + self.gamma * (acc[1] - acc[0]), SHARE_MIN, SHARE_MAX)
        reward = (1 - pi) * (good[0] - self.cost * acc[0]) + pi * (good[1] - self.cost * acc[1])
        g_dp = np.abs(acc[0] - acc[1]) - self.eps
        g_sr = self.rmin - ((1 - pi) * acc[0] + pi * acc[1])
        return pi, reward, g_dp, g_sr

    @property
    def best_feasible(self):
        """``(index, reward)`` of the best feasible fixed threshold at stationarity."""
        _, reward, g_dp, g_sr = self.stationary()
        feas = (g_dp <= 0) & (g_sr <= 0)
        if not feas.any():
            raise ValueError("no grid threshold is feasible: relax `eps` or `rmin`")
        j = int(np.argmax(np.where(feas, reward, -np.inf)))
        return j, float(reward[j])

    @property
    def best_arms(self) -> np.ndarray:
        return np.array([self.best_feasible[0]])

    def _env_par(self) -> np.ndarray:
        _, rstar = self.best_feasible
        return np.array([self.cost, self.eps, self.rmin, self.pi0, self.kappa, self.gamma,
                         float(self.batch), rstar, self.pi0])


def bai_instance(kind, n_arms, *, gap=0.1, seed=0):
    """Fixed-budget best-arm-identification instances of Audibert, Bubeck, Munos (2010), Sec. 6.

    Bernoulli arms with best mean 0.5:

    - ``"one_good"``: one arm at 0.5, all others at ``0.5 - gap``;
    - ``"arithmetic"``: means decrease linearly from 0.5 to ``0.5 - gap`` ... (gaps ``gap i/(K-1)``);
    - ``"geometric"``: gaps ``gap * 2^{-(K-1-i)}`` ... growing geometrically;
    - ``"random"``: means uniform in ``[0.5 - gap, 0.5)`` plus the best arm at 0.5.

    Parameters
    ----------
    kind : {"one_good", "arithmetic", "geometric", "random"}
        The instance family.
    n_arms : int >= 2
        Number of arms ``K``.
    gap : float, 0 < gap <= 0.5, default 0.1
        Largest gap (``"random"``: means drawn from ``[0.5 - gap, 0.5 - 0.05 gap)``).
    seed : int or Generator, default 0
        Random state of the ``"random"`` instance (ignored otherwise).

    Returns
    -------
    BernoulliArms
        ``n_arms`` Bernoulli arms; arm 0 is the unique best arm (mean 0.5).
    """
    K = check_int(n_arms, "n_arms", lo=2, hi=MAX_ARMS)
    gap = check_scalar(gap, "gap", lo=0, hi=0.5, lo_inclusive=False)
    if kind == "one_good":
        m = np.full(K, 0.5 - gap)
    elif kind == "arithmetic":
        m = 0.5 - gap * np.arange(K) / (K - 1)
    elif kind == "geometric":
        m = 0.5 - gap * 2.0 ** -(K - 1 - np.arange(K, dtype=float))
    elif kind == "random":
        m = as_generator(seed).uniform(0.5 - gap, 0.5 - 0.05 * gap, K)
    else:
        raise ValueError(f"unknown `kind`={kind!r}; valid values are 'one_good', 'arithmetic', "
                         "'geometric', 'random'")
    m[0] = 0.5
    if np.any(m[1:] >= 0.5):
        raise ValueError(f"`gap`={gap!r} is too small for {kind!r} with `n_arms`={K}: a gap "
                         "rounds to 0 at the best mean 0.5 in floating point, so arm 0 would "
                         "not be the unique best arm; use a larger `gap` or fewer arms")
    return BernoulliArms(m)
