r"""Constrained RLHF (Moskovitz et al., ICLR 2024) on a composite reward over a finite set.

Problem (their "proxy point" constraints, the :math:`\mu`-PPO variant: maximize the composite
reward while no component exceeds its threshold), KL-regularized to the reference:

.. math::

    \max_\pi\ \sum_i E_\pi r_i-\beta\,\mathrm{KL}(\pi\|\pi_{ref})\quad\text{s.t.}\quad
    E_\pi r_i\le\theta_i,\ i=1..m .

Lagrangian with squashed multipliers :math:`\lambda_i=\lambda_{max}\,\sigma(\nu_i)`
(sigmoid for inequality constraints):

.. math::

    \mathcal L(\pi,\nu)=\sum_i(1-\lambda_i)E_\pi r_i-\beta\mathrm{KL}(\pi\|\pi_{ref})
    +\sum_i\lambda_i\theta_i,

so :math:`w_i=1-\lambda_i` are the dynamic weights of the components.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from scipy import optimize, special

from equilibria._lib.result import Result, Status, finish
from equilibria._lib.rng import as_generator
from equilibria._lib.validation import (as_float_array, check_int, check_option,
                                        check_scalar)
from equilibria.theory.alignment import kl_regularized_policy

from ._common import MAX_STEPS, check_policy, check_size, check_steps, sampled_signal
from .envs import CompositeBandit, composite_bandit

__all__ = ["ConstrainedRun", "constrained_rlhf", "constrained_optimum", "threshold_search",
           "fixed_weight_grid", "proxy_points", "thresholds_feasible"]


@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class ConstrainedRun(Result):
    """Result of :func:`constrained_rlhf`.

    Attributes
    ----------
    policy : ndarray (K,)
    thresholds : ndarray (m,)
    multipliers : ndarray (m,)
        Final squashed multipliers :math:`\\lambda_i`.
    weights : ndarray (m,)
        Final dynamic weights :math:`1-\\lambda_i`.
    values : ndarray (m,)
        Final component values :math:`E_\\pi r_i`.
    true_reward : float
        :math:`E_\\pi r_{true}` (NaN when no true reward is given).
    feasible : bool
        Whether the thresholds admit any policy on the reference's support (LP check).
    history : dict
        ``"multipliers"`` (T, m), ``"values"`` (T, m), ``"true"`` (T,), ``"kl"`` (T,).
    """

    policy: np.ndarray
    thresholds: np.ndarray
    multipliers: np.ndarray
    weights: np.ndarray
    values: np.ndarray
    true_reward: float
    feasible: bool
    history: dict

    @property
    def max_violation(self) -> float:
        """:math:`\\max_i(E_\\pi r_i-\\theta_i)_+`."""
        return float(np.max(np.maximum(self.values - self.thresholds, 0.0)))


def thresholds_feasible(pi_ref, components, thresholds) -> bool:
    r"""LP (HiGHS): is there a policy on ``supp(pi_ref)`` with every ``E_pi r_i <= theta_i``?

    Parameters
    ----------
    pi_ref : ndarray (K,)
        Reference policy; only actions with ``pi_ref > 0`` may carry mass.
    components : ndarray (K, m)
        Component rewards, ``components[a, i]`` = :math:`r_i(a)`.
    thresholds : ndarray (m,)
        Upper bounds :math:`\theta_i` on the component values :math:`E_\pi r_i`.

    Returns
    -------
    bool
        True when the feasibility LP (zero objective over the simplex on the support) is solved
        (HiGHS status 0), i.e. some policy meets every threshold; False otherwise.

    Raises
    ------
    ValueError
        If ``pi_ref`` is not a probability vector, ``components`` not a finite (K, m) array
        with ``m >= 1`` or ``thresholds`` not a finite (m,) vector.
    """
    pi_ref = check_policy(pi_ref, "pi_ref")
    components = as_float_array(components, "components", shape=(pi_ref.size, None))
    if components.shape[1] < 1:
        raise ValueError(f"`components` must have at least one column, got shape "
                         f"{components.shape}")
    thresholds = as_float_array(thresholds, "thresholds", shape=(components.shape[1],))
    return _feasible(pi_ref, components, thresholds)


def _feasible(pi_ref, components, thresholds) -> bool:
    """:func:`thresholds_feasible` on validated arrays."""
    supp = pi_ref > 0
    R = components[supp]
    res = optimize.linprog(np.zeros(R.shape[0]), A_ub=R.T, b_ub=thresholds,
                           A_eq=np.ones((1, R.shape[0])), b_eq=[1.0], bounds=(0, None),
                           method="highs")
    return res.status == 0


def _check_env(env, thresholds):
    if not isinstance(env, CompositeBandit):
        raise TypeError(f"`env` must be a CompositeBandit, got {type(env).__name__}")
    th = as_float_array(thresholds, "thresholds", ndim=1, shape=(env.n_components,))
    return th


def constrained_optimum(env: CompositeBandit, thresholds, *, beta: float = 0.1,
                        lambda_max: float = 2.0):
    r"""Exact solution through the dual: minimize the convex dual
    :math:`g(\lambda)=\beta\log\sum_a\pi_{ref}(a)e^{\sum_i(1-\lambda_i)r_i(a)/\beta}+
    \lambda\cdot\theta` over :math:`\lambda\in[0,\lambda_{max}]^m` (projected Newton with
    Armijo backtracking; gradient :math:`\theta-E_{\pi_\lambda}r`, Hessian
    :math:`\mathrm{Cov}_{\pi_\lambda}(r)/\beta`; stops at projected gradient
    :math:`\le10^{-11}`).  Returns ``(policy, lambda)``.  Used as the inner solver
    of :func:`threshold_search` and as the reference the primal-dual run is checked against.

    Parameters
    ----------
    env : CompositeBandit
        Reference policy ``env.pi_ref`` (K,) and components ``env.components`` (K, m).
    thresholds : array_like (m,)
        Constraint levels :math:`\theta`: :math:`E_\pi r_i\le\theta_i`.
    beta : float > 0
        KL weight :math:`\beta`.
    lambda_max : float > 0
        Upper end of the multiplier box :math:`[0,\lambda_{max}]^m`.

    Returns
    -------
    policy : ndarray (K,)
        :math:`\pi_\lambda\propto\pi_{ref}e^{R(1-\lambda)/\beta}` at the final multipliers.
    lambda : ndarray (m,)
        Dual minimizer :math:`\lambda\in[0,\lambda_{max}]^m`.
    """
    th = _check_env(env, thresholds)
    beta = check_scalar(beta, "beta", lo=0.0, lo_inclusive=False)
    lambda_max = check_scalar(lambda_max, "lambda_max", lo=0.0, lo_inclusive=False)
    return _constrained_optimum(env, th, beta, lambda_max)


def _constrained_optimum(env, th, beta, lambda_max):
    """:func:`constrained_optimum` on validated input."""
    R, p = env.components, env.pi_ref
    supp = p > 0
    logp = np.log(p[supp])
    Rs = R[supp]
    m = th.size

    def dual(lam):
        s = logp + Rs @ (1.0 - lam) / beta
        smax = s.max()
        e = np.exp(s - smax)
        z = e.sum()
        w = e / z
        return beta * (smax + np.log(z)) + lam @ th, th - w @ Rs, w

    # projected Newton on the box [0, lambda_max]^m (the dual Hessian is Cov_pi(R) / beta)
    lam = np.zeros(m)
    f, g, w = dual(lam)
    last_step = 1.0
    for _ in range(200):
        free = ~(((lam <= 0) & (g > 0)) | ((lam >= lambda_max) & (g < 0)))
        pg = np.where(free, g, 0.0)
        if np.max(np.abs(pg)) <= 1e-11:
            break
        v = w @ Rs
        cov = (Rs - v).T @ ((Rs - v) * w[:, None])
        d = np.zeros(m)
        idx = np.nonzero(free)[0]
        # Newton step (Cov / beta + 1e-12 I) d = -g, multiplied through by beta so a tiny beta
        # cannot overflow the Hessian
        Cf = cov[np.ix_(idx, idx)] + 1e-12 * beta * np.eye(idx.size)
        with np.errstate(all="ignore"):
            try:
                d[idx] = -np.linalg.solve(Cf, beta * g[idx])
            except np.linalg.LinAlgError:
                d[:] = np.nan
        if not np.all(np.isfinite(d)):  # singular at this scale: a gradient direction
            d = np.where(free, -g, 0.0)
        # a move longer than the box is clipped anyway: start the line search at that length
        dmax = float(np.max(np.abs(d)))
        if dmax > lambda_max:
            d = d * (lambda_max / dmax)
        step = min(1.0, 4.0 * last_step)  # warm start: a kinked (tiny-beta) dual needs short steps
        while True:
            cand = np.clip(lam + step * d, 0.0, lambda_max)
            fc, gc, wc = dual(cand)
            if fc <= f + 1e-4 * g @ (cand - lam):
                break
            step *= 0.5
            if step < 1e-12:
                break
        if step < 1e-12:  # no decrease along the projected step: optimal to rounding
            break
        lam, f, g, w, last_step = cand, fc, gc, wc, step
    pol = kl_regularized_policy(p, R @ (1.0 - lam), beta).policy
    return pol, lam


def constrained_rlhf(env: CompositeBandit | None = None, thresholds=None, *, beta: float = 0.1,
                     lambda_max: float = 2.0, lr: float = 5.0, lr_multiplier: float = 0.4,
                     max_iter: int = 20_000, oracle: str = "exact", batch_size: int = 256,
                     tol: float = 1e-6, init_multiplier: float = -3.0, record_every: int = 10,
                     seed=None) -> ConstrainedRun:
    r"""Primal-dual Constrained RLHF with sigmoid-squashed multipliers as dynamic weights.

    Iteration (``oracle="exact"``; equation numbers refer to the module docstring):

    .. math::

        \lambda_t=\lambda_{max}\sigma(\nu_t),\quad w_t=1-\lambda_t,\\
        \pi_{t+1}\propto\pi_t^{1-\eta\beta}\,\pi_{ref}^{\eta\beta}\,e^{\eta\,Rw_t}
        \quad\text{(mirror ascent on }\mathcal L\text{, needs }\eta\beta\le1),\\
        \nu_{t+1}=\nu_t+\eta_\nu\,(E_{\pi_{t+1}}r-\theta)\quad\text{(multiplier ascent)}.

    ``oracle="sampled"`` estimates the policy gradient (REINFORCE with per-sample reward
    :math:`\sum_iw_ir_i(a)-\beta\log\pi(a)/\pi_{ref}(a)`) and the component values from
    ``batch_size`` draws per step.

    Stopping rule (exact): stop when, with :math:`\pi^*(w)\propto\pi_{ref}e^{Rw/\beta}`,
    :math:`\max_i(v_i-\theta_i)_+\le` ``tol``, :math:`\max_i|\lambda_i(v_i-\theta_i)|\le`
    ``tol`` and :math:`\|\pi-\pi^*(w)\|_1\le` ``tol`` (feasibility, complementary slackness,
    stationarity).  Sampled: run ``max_iter`` steps; success iff the final exact violation is at
    most ``10 * tol + 3 / sqrt(batch_size)``.

    Infeasible thresholds (no policy on the reference's support meets them; LP check with
    HiGHS) are reported in the result: ``success=False``, ``status=INFEASIBLE``,
    ``feasible=False``, the reference policy returned; no exception.

    Deviation from the paper: the policy is a tabular softmax and the primal step is exact
    mirror ascent rather than PPO; :math:`\lambda_{max}=2` lets a weight turn negative so a
    component above its threshold can be pushed down (with :math:`\lambda\in(0,1)` only, the
    KL term alone would have to do it).

    Parameters
    ----------
    env : CompositeBandit, optional
        Default :func:`composite_bandit`.
    thresholds : array_like (m,), optional
        :math:`\theta`; default: the components' proxy points (:func:`proxy_points`).
    beta : float > 0
        KL weight :math:`\beta` towards ``env.pi_ref``.
    lambda_max : float > 0
        Multiplier cap: :math:`\lambda_i=\lambda_{max}\sigma(\nu_i)\in(0,\lambda_{max})`.
    lr : float > 0
        Primal step :math:`\eta`; ``oracle="exact"`` (exact mirror step) requires
        ``lr * beta <= 1``.
    lr_multiplier : float > 0
        Dual step :math:`\eta_\nu` on the unsquashed multipliers :math:`\nu`.
    max_iter : int, 1 <= max_iter <= 1e8
        Maximum number of primal-dual steps.
    oracle : {"exact", "sampled"}
        Gradient oracle: exact mirror ascent, or REINFORCE estimates of the policy gradient and
        the component values from ``batch_size`` draws per step.
    batch_size : int >= 2
        Draws per step (``oracle="sampled"``).
    tol : float > 0
        Tolerance of the stopping rule (exact) or of the final violation test (sampled).
    init_multiplier : float
        Initial :math:`\nu_0` of every component, finite (the default -3 gives
        :math:`\lambda_0\approx0.095\,\lambda_{max}`).
    record_every : int >= 1
        Record ``history`` at step 1 and every this many steps.
    seed : int, Generator or None
        Seed of the sampling (``oracle="sampled"``).

    Returns
    -------
    ConstrainedRun
        Final policy (K,), multipliers, weights and component values (m,), true reward and
        ``history`` (``"multipliers"``, ``"values"``, ``"true"``, ``"kl"`` and the recorded
        ``"steps"``).  ``success`` as in the stopping rule (status ``SUCCESS`` or
        ``MAX_ITER``); status ``INFEASIBLE`` with the reference policy and empty ``history``
        when the thresholds are infeasible.

    References
    ----------
    .. [1] Moskovitz, Singh, Strouse, Sandholm, Salakhutdinov, Dragan, McAleer (2024),
       Confronting Reward Model Overoptimization with Constrained RLHF, ICLR, Sec. 4
       (Lagrangian with sigmoid-squashed multipliers) and Sec. 5 (Nelder-Mead proxy points).
    """
    env = composite_bandit() if env is None else env
    if thresholds is None:
        thresholds = proxy_points(env, beta_grid=None)[0]
    th = _check_env(env, thresholds)
    beta = check_scalar(beta, "beta", lo=0.0, lo_inclusive=False)
    lambda_max = check_scalar(lambda_max, "lambda_max", lo=0.0, lo_inclusive=False)
    lr = check_scalar(lr, "lr", lo=0.0, lo_inclusive=False)
    lr_multiplier = check_scalar(lr_multiplier, "lr_multiplier", lo=0.0, lo_inclusive=False)
    max_iter, record_every = check_steps(max_iter, record_every, n_keys=4 + 2 * th.size)
    oracle = check_option(oracle, "oracle", ("exact", "sampled"))
    batch_size = check_size(batch_size, "batch_size", lo=2, factor=8 + th.size,
                            what="the sampled batch")
    tol = check_scalar(tol, "tol", lo=0.0, lo_inclusive=False)
    init_multiplier = check_scalar(init_multiplier, "init_multiplier")
    if oracle == "exact" and lr * beta > 1.0:
        raise ValueError(f"`lr` * `beta` must be <= 1 for the exact mirror step, got "
                         f"{lr * beta:g}")
    R, p, rt = env.components, env.pi_ref, env.r_true
    m = th.size
    if not _feasible(p, R, th):
        v = p @ R
        return finish(ConstrainedRun, success=False, status=Status.INFEASIBLE,
                      message=("thresholds are infeasible: no policy on the reference's support "
                               f"has every component below its threshold (min over actions "
                               f"{np.round(R[p > 0].min(axis=0), 4)}); raise `thresholds`"),
                      n_iter=0, policy=p.copy(), thresholds=th, multipliers=np.zeros(m),
                      weights=np.ones(m), values=v, true_reward=float(p @ rt),
                      feasible=False, history={})
    rng = as_generator(seed)
    supp = p > 0
    logp = np.where(supp, np.log(np.where(supp, p, 1.0)), -np.inf)
    logpi = logp.copy()
    nu = np.full(m, float(init_multiplier))
    H: dict[str, list[Any]] = {"multipliers": [], "values": [], "true": [], "kl": []}

    def kl_of(pi):
        mm = pi > 0
        return float(np.sum(pi[mm] * (np.log(pi[mm]) - logp[mm])))

    converged = False
    t = 0
    for t in range(1, max_iter + 1):
        lam = lambda_max * special.expit(nu)
        w = 1.0 - lam
        pi = np.exp(logpi - special.logsumexp(logpi[supp]))
        if oracle == "exact":
            # mirror ascent on the Lagrangian: log pi <- (1-eta beta) log pi + eta beta log ref
            #                                            + eta R w  (then normalize)
            logpi = np.where(supp, (1 - lr * beta) * logpi + lr * beta * logp + lr * (R @ w),
                             -np.inf)
            logpi[supp] -= special.logsumexp(logpi[supp])
            pi = np.exp(logpi)
            v = pi @ R
        else:
            g = np.where(supp, R @ w - beta * (logpi - logp), 0.0)
            est, a = sampled_signal(rng, pi, g, batch_size)
            logpi = np.where(supp, logpi + lr * est, -np.inf)
            logpi[supp] -= special.logsumexp(logpi[supp])
            v = R[a].mean(axis=0)
            pi = np.exp(logpi)
        nu = nu + lr_multiplier * (v - th)  # multiplier ascent (dual step)
        if t % record_every == 0 or t == 1:
            H["multipliers"].append(lambda_max * special.expit(nu))
            H["values"].append(pi @ R)
            H["true"].append(float(pi @ rt))
            H["kl"].append(kl_of(pi))
        if oracle == "exact" and t % 10 == 0:
            lam = lambda_max * special.expit(nu)
            vv = pi @ R
            star = kl_regularized_policy(p, R @ (1.0 - lam), beta).policy
            if (np.max(vv - th) <= tol and np.max(np.abs(lam * (vv - th))) <= tol
                    and np.abs(pi - star).sum() <= tol):
                converged = True
                break
    pi = np.exp(logpi - special.logsumexp(logpi[supp]))
    lam = lambda_max * special.expit(nu)
    vals = pi @ R
    viol = float(np.max(np.maximum(vals - th, 0.0)))
    if oracle == "exact":
        ok = converged
        msg = (f"KKT conditions met to tol={tol:g} after {t} steps" if ok else
               f"KKT residual above tol={tol:g} after max_iter={max_iter} (violation "
               f"{viol:.3g}); increase `max_iter` or `lr_multiplier`, or `lambda_max` if a "
               "multiplier is saturated")
    else:
        ok = viol <= 10 * tol + 3.0 / np.sqrt(batch_size)
        msg = (f"sampled run of {t} steps; final constraint violation {viol:.3g}" if ok else
               f"final constraint violation {viol:.3g} too large; increase `max_iter` or "
               "`batch_size`")
    hist = {k: np.asarray(v) for k, v in H.items()}
    hist["steps"] = np.asarray([1] + list(range(record_every, t + 1, record_every))[:len(
        H["true"]) - 1])
    return finish(ConstrainedRun, success=ok, status=Status.SUCCESS if ok else Status.MAX_ITER,
                  message=msg, n_iter=t, policy=pi, thresholds=th, multipliers=lam,
                  weights=1.0 - lam, values=vals, true_reward=float(pi @ rt), feasible=True,
                  history=hist)


def proxy_points(env: CompositeBandit, *, beta_grid=None):
    r"""Each component's overoptimization (proxy) point.

    Optimizing component :math:`i` alone along the KL path :math:`\pi_\beta\propto\pi_{ref}
    e^{r_i/\beta}` (``beta_grid``, default 200 values log-spaced in [1e-2, 1e2]), the true
    reward first rises and then falls; the proxy point is the value :math:`E_{\pi_\beta}r_i` at
    the maximum of the true reward.  Returns ``(theta, true_at_peak)``.

    Parameters
    ----------
    env : CompositeBandit
        Reference policy, components (K, m) and true reward (K,).
    beta_grid : array_like (n,), optional
        Positive KL weights :math:`\beta` tracing the path (the first maximizer in grid order
        is taken).

    Returns
    -------
    theta : ndarray (m,)
        Proxy point of each component: :math:`E_{\pi_\beta}r_i` at the grid :math:`\beta`
        maximizing the true reward along component :math:`i`'s path.
    true_at_peak : ndarray (m,)
        The maximal true reward :math:`E_{\pi_\beta}r_{true}` along each path.
    """
    if not isinstance(env, CompositeBandit):
        raise TypeError(f"`env` must be a CompositeBandit, got {type(env).__name__}")
    betas = np.logspace(2, -2, 200) if beta_grid is None else as_float_array(
        beta_grid, "beta_grid", ndim=1, positive=True, min_size=1)
    check_size(betas.size, "beta_grid", factor=3.0 * env.pi_ref.size,
               what=f"the tilted policies of {env.pi_ref.size} actions")
    th = np.empty(env.n_components)
    best = np.empty(env.n_components)
    for i in range(env.n_components):
        pols = _tilts(env.pi_ref, env.components[:, i][None, :], betas[:, None])
        vals = pols @ env.components[:, i]
        trues = pols @ env.r_true
        k = int(np.argmax(trues))
        th[i], best[i] = vals[k], trues[k]
    return th, best


def _tilts(p, rewards, beta):
    """Rows ``pi_ref * exp(rewards[j] / beta[j])`` normalized (vectorized tilted policies).

    The rewards are shifted by their row maximum on the support *before* the division, so a
    tiny ``beta`` gives ``-inf`` logits (probability 0) rather than ``inf - inf``."""
    supp = p > 0
    rw = np.broadcast_to(rewards, np.broadcast_shapes(np.shape(rewards), (1, p.size)))
    top = np.where(supp, rw, -np.inf).max(axis=1, keepdims=True)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        z = (rw - top) / beta  # <= 0 on the support
    s = np.where(supp, np.log(np.where(supp, p, 1.0)) + np.where(np.isnan(z), -np.inf, z),
                 -np.inf)
    s = s - s.max(axis=1, keepdims=True)
    e = np.exp(s)
    return e / e.sum(axis=1, keepdims=True)


def threshold_search(env: CompositeBandit, *, beta: float = 0.1, lambda_max: float = 2.0,
                     x0=None, r_eval=None, max_iter: int = 400, xatol: float = 1e-4,
                     fatol: float = 1e-8):
    r"""Nelder-Mead (scipy) search for thresholds that maximize a held-out true reward.

    Objective :math:`\theta\mapsto E_{\pi(\theta)}r_{eval}` with :math:`\pi(\theta)` the exact
    constrained optimum (:func:`constrained_optimum`); start midway between the reference's
    component values and the proxy points.  Stopping:
    scipy's ``xatol``/``fatol``.  ``r_eval`` defaults to ``env.r_true`` (held out from the
    policy optimization itself).  Returns ``(thresholds, true_reward, scipy_result)``.

    Parameters
    ----------
    env : CompositeBandit
    beta : float > 0
        KL weight of the inner :func:`constrained_optimum`.
    lambda_max : float > 0
        Multiplier cap of the inner :func:`constrained_optimum`.
    x0 : array_like (m,), optional
        Starting thresholds (default: midway, as above).
    r_eval : array_like (K,), optional
        Reward whose expectation is maximized (default ``env.r_true``).
    max_iter : int, 1 <= max_iter <= 1e8
        Nelder-Mead ``maxiter``.
    xatol, fatol : float >= 0
        Nelder-Mead absolute tolerances on the thresholds and on the objective.

    Returns
    -------
    thresholds : ndarray (m,)
        Best thresholds found (``scipy_result.x``).
    true_reward : float
        :math:`E_{\pi(\theta)}r_{eval}` at those thresholds.
    scipy_result : scipy.optimize.OptimizeResult
        The full Nelder-Mead result (``success``, ``nit``, ``nfev``, ...).
    """
    if not isinstance(env, CompositeBandit):
        raise TypeError(f"`env` must be a CompositeBandit, got {type(env).__name__}")
    beta = check_scalar(beta, "beta", lo=0.0, lo_inclusive=False)
    lambda_max = check_scalar(lambda_max, "lambda_max", lo=0.0, lo_inclusive=False)
    r_eval = env.r_true if r_eval is None else as_float_array(r_eval, "r_eval",
                                                              shape=env.r_true.shape)
    max_iter = check_int(max_iter, "max_iter", lo=1, hi=MAX_STEPS)
    xatol = check_scalar(xatol, "xatol", lo=0.0)
    fatol = check_scalar(fatol, "fatol", lo=0.0)
    if x0 is None:  # midway between the reference's values and the proxy points
        v0 = env.pi_ref @ env.components
        x0 = v0 + 0.5 * (proxy_points(env)[0] - v0)
    x0 = as_float_array(x0, "x0", shape=(env.n_components,))

    def f(theta):
        pol, _ = _constrained_optimum(env, theta, beta, lambda_max)
        return -float(pol @ r_eval)

    res = optimize.minimize(f, x0, method="Nelder-Mead",
                            options={"maxiter": max_iter, "xatol": xatol, "fatol": fatol})
    return res.x, -res.fun, res


def fixed_weight_grid(env: CompositeBandit, *, beta: float = 0.1, n_grid: int = 101,
                      convex: bool = True):
    r"""Best fixed-weight combination by grid search against the true reward.

    ``convex=True``: weights :math:`w` on the simplex (:math:`w_1r_1+\dots+w_mr_m`, the
    fixed-mixture baseline); ``convex=False``: :math:`w\in[0,1]^m`.  Each combination is
    optimized to convergence (:math:`\pi\propto\pi_{ref}e^{Rw/\beta}`).  Returns
    ``(best_weights, best_true, grid_weights, grid_true)``.

    Parameters
    ----------
    env : CompositeBandit
    beta : float > 0
        KL weight :math:`\beta`.
    n_grid : int >= 2
        Grid points per weight axis, evenly spaced on [0, 1] (the grid must fit in memory).
    convex : bool
        Weights on the simplex (the last weight is one minus the others) or in the cube.

    Returns
    -------
    best_weights : ndarray (m,)
        Grid weights with the highest true reward (the first on ties).
    best_true : float
        :math:`E_\pi r_{true}` for ``best_weights``.
    grid_weights : ndarray (G, m)
        All weight vectors tried (``G = n_grid**m`` when ``convex=False``; the simplex points
        of the ``(m-1)``-dimensional grid otherwise).
    grid_true : ndarray (G,)
        True reward of the optimized policy for each row of ``grid_weights``.
    """
    if not isinstance(env, CompositeBandit):
        raise TypeError(f"`env` must be a CompositeBandit, got {type(env).__name__}")
    beta = check_scalar(beta, "beta", lo=0.0, lo_inclusive=False)
    if not isinstance(convex, (bool, np.bool_)):
        raise TypeError(f"`convex` must be True or False, got {convex!r}")
    m = env.n_components
    dims = m - 1 if convex else m
    n_grid = check_size(n_grid, "n_grid", lo=2, per=max(dims, 1),
                        factor=3.0 * (env.pi_ref.size + m),
                        what=f"the {n_grid}**{dims} grid of weights and tilted policies")
    axes = np.linspace(0.0, 1.0, n_grid)
    mesh = np.stack(np.meshgrid(*([axes] * dims), indexing="ij"), -1).reshape(-1, dims) \
        if dims else np.zeros((1, 0))
    if convex:
        mesh = mesh[mesh.sum(axis=1) <= 1.0 + 1e-12]
        mesh = np.concatenate([mesh, 1.0 - mesh.sum(axis=1, keepdims=True)], axis=1)
    trues = _tilts(env.pi_ref, mesh @ env.components.T, beta) @ env.r_true
    k = int(np.argmax(trues))
    return mesh[k], float(trues[k]), mesh, trues

