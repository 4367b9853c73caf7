r"""Finite models: reference policies, true rewards and their proxies.

A model is data (a frozen dataclass); solvers are functions of it.

- :class:`ProxyBandit`: K actions, a reference policy, a true reward, a proxy reward (or an
  ensemble of proxies).  :func:`correlated_proxy_bandit` builds the default *correlated proxy*
  (Laidlaw et al. 2025, Def. 3.1): proxy and true reward are strongly correlated under
  ``pi_ref`` (correlation reported by :attr:`ProxyBandit.ref_correlation`) while a few actions the
  reference rarely takes have high proxy and low true reward, so the correlation breaks away
  from ``pi_ref``.
- :func:`ensemble_proxy_bandit`: the same with an ensemble of proxies whose disagreement grows
  away from the reference (the GARDO setting).
- :class:`CompositeBandit` / :func:`composite_bandit`: several component rewards with
  controllable correlation under ``pi_ref`` and a true ("evaluation") reward that penalizes
  overshooting each component, so every component has its own overoptimization (proxy) point
  (the Constrained RLHF setting, Moskovitz et al. 2024).
- :class:`TabularMDP` / :func:`random_mdp`: small MDPs for occupancy-measure statements.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from equilibria._lib.rng import as_generator
from equilibria._lib.validation import as_float_array, check_scalar

from ._common import check_policy, check_size

__all__ = ["ProxyBandit", "CompositeBandit", "TabularMDP", "correlated_proxy_bandit",
           "ensemble_proxy_bandit", "composite_bandit", "random_mdp", "trap_mdp", "weighted_corr"]


def weighted_corr(x, y, w) -> float:
    r"""Correlation of ``x`` and ``y`` under the weights ``w`` (a distribution).

    Parameters
    ----------
    x, y : array_like (K,)
        Finite values.
    w : array_like (K,)
        Probability vector.

    Returns
    -------
    float
        :math:`\mathrm{Cov}_w(x,y)/(\sigma_w(x)\sigma_w(y))\in[-1,1]` (computed on
        ``x / max|x|`` and ``y / max|y|``, which leaves it unchanged and cannot overflow).

    Raises
    ------
    ValueError
        If an input is invalid or ``x`` or ``y`` is constant on the support of ``w`` (the
        correlation is undefined).
    """
    w = check_policy(w, "w")
    x = as_float_array(x, "x", shape=w.shape)
    y = as_float_array(y, "y", shape=w.shape)
    out = []
    for name, v in (("x", x), ("y", y)):
        scale = float(np.max(np.abs(v)))
        v = v / scale if scale > 0 else v
        c = v - w @ v
        s = float(np.sqrt(w @ c ** 2))
        if not s > 0 or not np.isfinite(s):
            raise ValueError(f"`{name}` is constant under `w` (weighted standard deviation "
                             f"{s:.3g}): the correlation is undefined")
        out.append(c / s)
    return float(np.clip(w @ (out[0] * out[1]), -1.0, 1.0))


@dataclasses.dataclass(frozen=True)
class ProxyBandit:
    """A finite action set with a reference policy, a true reward and proxy reward(s).

    Attributes
    ----------
    pi_ref : ndarray (K,)
    r_true : ndarray (K,)
    r_proxy : ndarray (K,)
        The reward that is optimized (the ensemble mean when an ensemble is given).
    ensemble : ndarray (M, K) or None
        Ensemble of proxy rewards; its per-action standard deviation is the uncertainty.
    features : ndarray (K, d) or None
        Action embeddings used for diversity scores (GARDO).
    """

    pi_ref: np.ndarray
    r_true: np.ndarray
    r_proxy: np.ndarray
    ensemble: np.ndarray | None = None
    features: np.ndarray | None = None

    def __post_init__(self):
        p = check_policy(self.pi_ref, "pi_ref")
        object.__setattr__(self, "pi_ref", p)
        object.__setattr__(self, "r_true", as_float_array(self.r_true, "r_true",
                                                          shape=p.shape, copy=True))
        object.__setattr__(self, "r_proxy", as_float_array(self.r_proxy, "r_proxy",
                                                           shape=p.shape, copy=True))
        if self.ensemble is not None:
            ens = as_float_array(self.ensemble, "ensemble", shape=(None, p.size), copy=True)
            if ens.shape[0] < 1:
                raise ValueError("`ensemble` must have at least one member (row), got shape "
                                 f"{ens.shape}")
            object.__setattr__(self, "ensemble", ens)
        if self.features is not None:
            feats = as_float_array(self.features, "features", shape=(p.size, None), copy=True)
            if feats.shape[1] < 1:
                raise ValueError("`features` must have at least one column, got shape "
                                 f"{feats.shape}")
            object.__setattr__(self, "features", feats)

    @property
    def n_actions(self) -> int:
        return self.pi_ref.size

    @property
    def uncertainty(self) -> np.ndarray:
        """Per-action ensemble standard deviation (zeros without an ensemble)."""
        if self.ensemble is None:
            return np.zeros(self.n_actions)
        return self.ensemble.std(axis=0)

    @property
    def ref_correlation(self) -> float:
        """Correlation of proxy and true reward under ``pi_ref`` (the ``r`` of Def. 3.1)."""
        return weighted_corr(self.r_true, self.r_proxy, self.pi_ref)


def correlated_proxy_bandit(n_actions: int = 60, *, n_hacks: int = 4, hack_mass: float = 2e-4,
                            noise: float = 0.3, hack_proxy: float = 4.0,
                            hack_true: float = -2.0, seed=0) -> ProxyBandit:
    r"""The default correlated-proxy environment (the Goodhart curve).

    ``n_actions - n_hacks`` ordinary actions have quality :math:`q\sim N(0,1)`, true reward
    :math:`q` and proxy :math:`q+\text{noise}\cdot\varepsilon`; ``n_hacks`` hack actions carry
    total reference mass ``hack_mass``, proxy ``hack_proxy + 0.1 * eps`` and true reward
    ``hack_true``.  Under ``pi_ref`` the correlation is high (about 0.95), yet the proxy's argmax
    is a hack.

    Parameters
    ----------
    n_actions : int >= 3
        Number of actions K.
    n_hacks : int, 1 <= n_hacks <= n_actions - 2
        Number of hack actions (the last ``n_hacks`` indices).
    hack_mass : float in (0, 1)
        Total reference mass of the hacks, split evenly; the ordinary actions share the rest
        with Dirichlet(2) weights.
    noise : float >= 0
        Standard deviation of the proxy noise on ordinary actions.
    hack_proxy : float
        Mean proxy reward of a hack (finite).
    hack_true : float
        True reward of every hack (finite).
    seed : int, Generator or None
        Seed of the draws.

    Returns
    -------
    ProxyBandit
        ``pi_ref``, ``r_true`` and ``r_proxy`` of shape (K,); no ensemble, no features.
    """
    n_actions = check_size(n_actions, "n_actions", lo=3, factor=8, what="the model")
    n_hacks = check_size(n_hacks, "n_hacks", lo=1)
    if n_hacks > n_actions - 2:
        raise ValueError(f"`n_hacks` must be <= n_actions - 2 = {n_actions - 2}, got {n_hacks}")
    hack_mass = check_scalar(hack_mass, "hack_mass", lo=0.0, hi=1.0, lo_inclusive=False,
                             hi_inclusive=False)
    noise = check_scalar(noise, "noise", lo=0.0)
    hack_proxy = check_scalar(hack_proxy, "hack_proxy")
    hack_true = check_scalar(hack_true, "hack_true")
    rng = as_generator(seed)
    k = n_actions - n_hacks
    q = rng.standard_normal(k)
    w = rng.dirichlet(np.full(k, 2.0)) * (1.0 - hack_mass)
    pi_ref = np.concatenate([w, np.full(n_hacks, hack_mass / n_hacks)])
    r_true = np.concatenate([q, np.full(n_hacks, float(hack_true))])
    r_proxy = np.concatenate([q + noise * rng.standard_normal(k),
                              hack_proxy + 0.1 * rng.standard_normal(n_hacks)])
    if not np.all(np.isfinite(r_proxy)):
        raise ValueError(f"`noise`={noise:g} or `hack_proxy`={hack_proxy:g} is too large: the "
                         "proxy rewards overflow")
    return ProxyBandit(pi_ref, r_true, r_proxy)


def ensemble_proxy_bandit(n_actions: int = 40, *, n_members: int = 5, n_good: int = 16,
                          n_hacks: int = 2, hack_mass: float = 0.01, with_features: bool = False,
                          seed=0) -> ProxyBandit:
    r"""Default GARDO environment: an ensemble of proxies, uncertain where ``pi_ref`` is thin.

    - ``n_good`` good modes: true reward :math:`1.8+0.1\varepsilon`, reference mass 0.15 in
      total but very uneven (Dirichlet(0.3)), features evenly spread on the unit circle;
    - ``n_hacks`` hack actions (reference mass ``hack_mass``): true reward :math:`-1`, ensemble
      members :math:`2.6+\varepsilon_j` centred so the ensemble mean is 2.6 (high proxy, large
      disagreement);
    - the remaining ordinary actions: true reward :math:`0.7\,N(0,1)`.

    Ordinary and good actions have confident members (true reward + :math:`0.1\varepsilon_j`).
    The proxy that is optimized is the ensemble mean.

    Parameters
    ----------
    n_actions : int >= 4
        Number of actions K (ordered: good modes, ordinary actions, hacks).
    n_members : int >= 2
        Ensemble size M.
    n_good : int, 1 <= n_good <= n_actions - 2
        Number of good modes.
    n_hacks : int, 1 <= n_hacks <= n_actions - n_good - 1
        Number of hack actions.
    hack_mass : float in (0, 0.5]
        Total reference mass of the hacks, split evenly.
    with_features : bool
        Attach 2-D unit-circle features (used by :func:`~.gardo.diversity_scores`).
    seed : int, Generator or None
        Seed of the draws.

    Returns
    -------
    ProxyBandit
        ``ensemble`` of shape (M, K), ``r_proxy`` its mean (K,), ``r_true`` (K,) and
        ``features`` (K, 2) when ``with_features`` (else None).
    """
    n_actions = check_size(n_actions, "n_actions", lo=4, factor=12, what="the model")
    n_members = check_size(n_members, "n_members", lo=2, factor=3 * n_actions,
                           what=f"the ensemble of {n_actions} actions")
    n_good = check_size(n_good, "n_good", lo=1)
    if n_good > n_actions - 2:
        raise ValueError(f"`n_good` must be <= n_actions - 2 = {n_actions - 2}, got {n_good}")
    n_hacks = check_size(n_hacks, "n_hacks", lo=1)
    if n_hacks > n_actions - n_good - 1:
        raise ValueError(f"`n_hacks` must be <= n_actions - n_good - 1 = "
                         f"{n_actions - n_good - 1}, got {n_hacks}")
    if not isinstance(with_features, (bool, np.bool_)):
        raise TypeError(f"`with_features` must be True or False, got {with_features!r}")
    hack_mass = check_scalar(hack_mass, "hack_mass", lo=0.0, hi=0.5, lo_inclusive=False)
    rng = as_generator(seed)
    k = n_actions - n_good - n_hacks
    q_good = 1.8 + 0.1 * rng.standard_normal(n_good)
    q = 0.7 * rng.standard_normal(k)
    pi_ref = np.concatenate([rng.dirichlet(np.full(n_good, 0.2)) * 0.15,
                             rng.dirichlet(np.full(k, 0.3)) * (0.85 - hack_mass),
                             np.full(n_hacks, hack_mass / n_hacks)])
    r_true = np.concatenate([q_good, q, np.full(n_hacks, -1.0)])
    noise = rng.standard_normal((n_members, n_hacks))
    noise = (noise - noise.mean(axis=0)) / noise.std(axis=0)
    ens = np.concatenate([r_true[None, :n_good + k] + 0.1 * rng.standard_normal(
        (n_members, n_good + k)), 2.6 + noise], axis=1)
    ang = np.concatenate([np.linspace(0, 2 * np.pi, n_good, endpoint=False),
                          rng.uniform(0, 2 * np.pi, k + n_hacks)])
    feats = np.stack([np.cos(ang), np.sin(ang)], axis=1) if with_features else None
    return ProxyBandit(pi_ref, r_true, ens.mean(axis=0), ens, feats)


@dataclasses.dataclass(frozen=True)
class CompositeBandit:
    """Component rewards ``R[:, i]`` with a true (evaluation) reward and a reference policy."""

    pi_ref: np.ndarray
    components: np.ndarray  #: shape (K, m)
    r_true: np.ndarray

    def __post_init__(self):
        p = check_policy(self.pi_ref, "pi_ref")
        object.__setattr__(self, "pi_ref", p)
        comp = as_float_array(self.components, "components", shape=(p.size, None), copy=True)
        if comp.shape[1] < 1:
            raise ValueError(f"`components` must have at least one column, got shape "
                             f"{comp.shape}")
        object.__setattr__(self, "components", comp)
        object.__setattr__(self, "r_true", as_float_array(self.r_true, "r_true",
                                                          shape=p.shape, copy=True))

    @property
    def n_components(self) -> int:
        return self.components.shape[1]

    @property
    def component_correlation(self) -> np.ndarray:
        """Correlation matrix of the components under ``pi_ref``."""
        X = self.components
        m = self.pi_ref @ X
        C = (X - m).T @ ((X - m) * self.pi_ref[:, None])
        s = np.sqrt(np.diag(C))
        return C / np.outer(s, s)


def composite_bandit(n_actions: int = 60, *, correlation: float = 0.3,
                     overshoot=(1.0, 0.8), curvature: float = 1.5, seed=0) -> CompositeBandit:
    r"""Default composite environment (Constrained RLHF setting).

    Two (or ``len(overshoot)``) components drawn jointly Gaussian with pairwise ``correlation``;
    uniform ``pi_ref``; true reward
    :math:`\sum_i\big[r_i-\kappa\max(0,r_i-\tau_i)^2\big]`: each component helps up to its
    ``overshoot`` level :math:`\tau_i` and hurts beyond, which gives each component its own
    overoptimization point.

    Parameters
    ----------
    n_actions : int >= 3
        Number of actions K.
    correlation : float in [max(-0.99, -1/(m-1)), 0.99]
        Pairwise correlation of the standard-normal components.
    overshoot : array_like (m,)
        Levels :math:`\tau_i` (finite); their number m is the number of components.
    curvature : float >= 0
        :math:`\kappa`, the weight of the quadratic overshoot penalty.
    seed : int, Generator or None
        Seed of the draws.

    Returns
    -------
    CompositeBandit
        Uniform ``pi_ref`` (K,), ``components`` (K, m) and ``r_true`` (K,).
    """
    correlation = check_scalar(correlation, "correlation", lo=-0.99, hi=0.99)
    tau = as_float_array(overshoot, "overshoot", ndim=1, min_size=1)
    m = tau.size
    check_size(m, "overshoot", per=2, factor=4, what="the component covariance")
    n_actions = check_size(n_actions, "n_actions", lo=3, factor=4 * m + 4,
                           what=f"the {m} components")
    if m > 1 and correlation < -1.0 / (m - 1):
        raise ValueError(f"`correlation` must be >= -1/(m - 1) = {-1.0 / (m - 1):.4g} for m={m} "
                         f"equicorrelated components (else no such covariance), got "
                         f"{correlation:g}")
    curvature = check_scalar(curvature, "curvature", lo=0.0)
    C = np.full((m, m), correlation)
    np.fill_diagonal(C, 1.0)
    rng = as_generator(seed)
    X = rng.multivariate_normal(np.zeros(m), C, size=n_actions)
    with np.errstate(over="ignore", invalid="ignore"):
        true = (X - curvature * np.maximum(0.0, X - tau) ** 2).sum(axis=1)
    if not np.all(np.isfinite(true)):
        raise ValueError(f"`curvature`={curvature:g} with `overshoot` in [{tau.min():.3g}, "
                         f"{tau.max():.3g}]: the true reward overflows")
    return CompositeBandit(np.full(n_actions, 1.0 / n_actions), X, true)


@dataclasses.dataclass(frozen=True)
class TabularMDP:
    """``P`` (S, A, S), initial distribution ``rho0`` (S,), discount ``gamma``.

    Validated on construction: ``P[s, a, :]`` and ``rho0`` are probability vectors (finite,
    non-negative, summing to one; float32 input is renormalized), ``S, A >= 1`` and
    ``0 <= gamma < 1``.  The arrays are stored as float64 copies.
    """

    P: np.ndarray
    rho0: np.ndarray
    gamma: float

    def __post_init__(self):
        P = as_float_array(self.P, "P", ndim=3)
        S, A, S2 = P.shape
        if S < 1 or A < 1 or S2 != S:
            raise ValueError(f"`P` must have shape (S, A, S) with S, A >= 1, got {P.shape}")
        P = check_policy(P.reshape(S * A, S), "P", ndim=2, like=self.P).reshape(S, A, S)
        object.__setattr__(self, "P", P)
        object.__setattr__(self, "rho0", check_policy(self.rho0, "rho0", shape=(S,)))
        object.__setattr__(self, "gamma", check_scalar(self.gamma, "gamma", lo=0.0, hi=1.0,
                                                       hi_inclusive=False))

    @property
    def n_states(self) -> int:
        return self.P.shape[0]

    @property
    def n_actions(self) -> int:
        return self.P.shape[1]


def random_mdp(n_states: int = 5, n_actions: int = 3, *, gamma: float = 0.8, seed=0,
               concentration: float = 0.5) -> TabularMDP:
    """A random MDP with Dirichlet(``concentration``) transitions.

    Parameters
    ----------
    n_states : int >= 1
        Number of states S.
    n_actions : int >= 1
        Number of actions A.
    gamma : float in [0, 1)
        Discount factor.
    seed : int, Generator or None
        Seed of the draws.
    concentration : float > 0
        Dirichlet concentration of each transition row ``P[s, a, :]`` (finite).

    Returns
    -------
    TabularMDP
        ``P`` (S, A, S), ``rho0`` (S,) drawn from Dirichlet(1), and ``gamma``.
    """
    n_states = check_size(n_states, "n_states", per=2, factor=2,
                          what="the (S, A, S) transition array")
    n_actions = check_size(n_actions, "n_actions", factor=2.0 * n_states ** 2,
                           what=f"the (S, A, S) transition array with S={n_states}")
    gamma = check_scalar(gamma, "gamma", lo=0.0, hi=1.0, hi_inclusive=False)
    concentration = check_scalar(concentration, "concentration", lo=0.0, lo_inclusive=False)
    rng = as_generator(seed)
    P = rng.dirichlet(np.full(n_states, concentration), size=(n_states, n_actions))
    rho0 = rng.dirichlet(np.ones(n_states))
    return TabularMDP(P, rho0, gamma)


def trap_mdp(*, n_states: int = 6, gamma: float = 0.9, hack_prob: float = 0.002,
             work_prob: float = 0.3, hack_proxy: float = 1.5, hack_true: float = -1.0):
    r"""A chain with an absorbing trap: where action-distribution KL and occupancy-measure
    :math:`\chi^2` regularization differ (Laidlaw et al. 2025, Sec. 5 intuition).

    States :math:`0..n-2` form a chain, :math:`n-1` is an absorbing trap.  Actions: 0 "work"
    (move right; the last chain state is absorbing and pays true and proxy reward 1), 1 "idle"
    (stay), 2 "hack" (jump to the trap, where every action has proxy ``hack_proxy`` and true
    reward ``hack_true``).  The reference works with probability ``work_prob``, hacks with
    ``hack_prob`` and idles otherwise, so there is a legitimate improvement (work more) and a
    hack.  Returns ``(mdp, pi_ref, r_true, r_proxy)``.

    ``n_states >= 3``; ``hack_prob``, ``work_prob`` and ``1 - work_prob - hack_prob`` must be
    probabilities; ``hack_proxy`` and ``hack_true`` finite.
    """
    n_states = check_size(n_states, "n_states", lo=3, per=2, factor=8,
                          what="the (S, 3, S) transition array")
    gamma = check_scalar(gamma, "gamma", lo=0.0, hi=1.0, hi_inclusive=False)
    hack_prob = check_scalar(hack_prob, "hack_prob", lo=0.0, hi=1.0)
    work_prob = check_scalar(work_prob, "work_prob", lo=0.0, hi=1.0)
    if work_prob + hack_prob > 1.0:
        raise ValueError(f"`work_prob` + `hack_prob` must be <= 1, got {work_prob:g} + "
                         f"{hack_prob:g}")
    hack_proxy = check_scalar(hack_proxy, "hack_proxy")
    hack_true = check_scalar(hack_true, "hack_true")
    S, A, trap, goal = n_states, 3, n_states - 1, n_states - 2
    P = np.zeros((S, A, S))
    for s in range(S - 1):
        P[s, 0, min(s + 1, goal)] = 1.0
        P[s, 1, s] = 1.0
        P[s, 2, trap] = 1.0
    P[trap, :, trap] = 1.0
    rho0 = np.zeros(S)
    rho0[0] = 1.0
    ref = np.tile([work_prob, 1.0 - work_prob - hack_prob, hack_prob], (S, 1))
    r_true = np.zeros((S, A))
    r_true[goal, :2] = 1.0
    r_proxy = r_true.copy()
    r_true[trap, :] = hack_true
    r_proxy[trap, :] = hack_proxy
    return TabularMDP(P, rho0, gamma), ref, r_true, r_proxy
