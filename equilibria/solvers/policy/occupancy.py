r"""Occupancy-measure regularization in tabular MDPs (Laidlaw et al. 2025)."""

from __future__ import annotations

import dataclasses
import functools

import numpy as np

from equilibria._lib.result import Result, Status, finish
from equilibria._lib.rng import as_generator
from equilibria._lib.sweep import parallel_map
from equilibria._lib.validation import as_float_array, check_option, check_scalar
from equilibria.theory.alignment import occupancy_measure

from ._common import check_policy, check_size, check_steps
from .envs import TabularMDP

__all__ = ["OccupancyResult", "chi2_occupancy_policy", "policy_from_occupancy",
           "regularization_paths"]


@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class OccupancyResult(Result):
    r"""Result of :func:`chi2_occupancy_policy`: ``occupancy`` (S, A), ``policy`` (S, A),
    ``objective`` (value at the returned policy), ``chi2`` (divergence to the reference
    occupancy); ``history`` (``method="ascent"`` only): ``step``, ``objective``, ``chi2`` per
    recorded step.

    Attributes
    ----------
    occupancy : ndarray (S, A)
        Normalized occupancy measure :math:`\mu` of the returned policy (sums to one).
    policy : ndarray (S, A)
        Policy, rows :math:`\pi(\cdot|s)` on the simplex.
    objective : float
        Objective at the returned point: the cvxpy optimal value (NaN if none), or
        :math:`\langle\mu,r\rangle-\lambda\chi^2(\mu\|\mu_{ref})` for ``method="ascent"``.
    chi2 : float
        :math:`\chi^2(\mu\|\mu_{ref})=\sum(\mu-\mu_{ref})^2/\mu_{ref}`.
    history : dict of ndarray
        ``method="ascent"`` only: ``"step"``, ``"objective"``, ``"chi2"`` and, with
        ``oracle="exact"``, ``"gap"`` (the Frank-Wolfe gap) per recorded step (a sampled run
        has no certificate, hence no ``"gap"``); empty for cvxpy.
    """

    occupancy: np.ndarray
    policy: np.ndarray
    objective: float
    chi2: float
    history: dict = dataclasses.field(default_factory=dict)


def policy_from_occupancy(mu, fallback=None):
    r""":math:`\pi(a|s)=\mu(s,a)/\sum_b\mu(s,b)` (``fallback`` rows, default uniform, where the
    state has no mass).

    Parameters
    ----------
    mu : array_like (S, A)
        Occupancy measure, finite, ``S, A >= 1`` (negative entries are clipped to zero).
    fallback : array_like (S, A), optional
        Rows (probability vectors) used for states whose total mass is at most 1e-14
        (default uniform).

    Returns
    -------
    ndarray (S, A)
        Policy with rows :math:`\pi(\cdot|s)` on the simplex.

    Raises
    ------
    ValueError
        If ``mu`` is not a finite non-empty (S, A) array or ``fallback`` does not have rows
        on the simplex of the same shape.
    """
    mu = as_float_array(mu, "mu", ndim=2)
    if mu.shape[0] < 1 or mu.shape[1] < 1:
        raise ValueError(f"`mu` must have shape (S, A) with S, A >= 1, got {mu.shape}")
    fb = None if fallback is None else check_policy(fallback, "fallback", ndim=2)
    if fb is not None and fb.shape != mu.shape:
        raise ValueError(f"`fallback` must have the shape of `mu` {mu.shape}, got {fb.shape}")
    return _policy_from_occupancy(mu, fb)


def _policy_from_occupancy(mu, fb=None):
    """:func:`policy_from_occupancy` on validated arrays."""
    mu = np.clip(mu, 0.0, None)
    scale = mu.max(axis=1, keepdims=True)
    # rows scaled by their maximum first: a row with a huge entry cannot overflow its sum
    mu = mu / np.where(scale > 0, scale, 1.0)
    tot = mu.sum(axis=1, keepdims=True)
    with np.errstate(over="ignore"):
        keep = scale * tot > 1e-14  # the state's (unscaled) mass
    fb = np.full_like(mu, 1.0 / mu.shape[1]) if fb is None else fb
    out = np.where(keep, mu / np.where(keep, tot, 1.0), fb)
    return out / out.sum(axis=1, keepdims=True)


def chi2_occupancy_policy(mdp: TabularMDP, r, pi_ref, lam, *, form: str = "sqrt",
                          method: str = "cvxpy", oracle: str = "exact",
                          solver: str | None = None, update: str = "pg",
                          lr: float | None = None, max_iter: int = 20_000, tol: float = 1e-7,
                          batch_size: int = 256, record_every: int = 1,
                          seed=None) -> OccupancyResult:
    r"""Optimum of the :math:`\chi^2` occupancy-regularized objective: cvxpy, or policy ascent.

    .. math::

        \max_{\mu\in\mathcal M}\ \langle\mu,r\rangle-\lambda\,\Phi\big(\chi^2(\mu\|\mu_{ref})
        \big),\qquad \Phi(x)=\sqrt x\ (\texttt{form="sqrt"},\ \text{Laidlaw et al. Sec. 5})
        \ \text{or}\ \Phi(x)=x\ (\texttt{form="square"}),

    over the polytope of normalized occupancy measures :math:`\mathcal M=\{\mu\ge0:
    \sum_a\mu(s,a)=(1-\gamma)\rho_0(s)+\gamma\sum_{s',a'}P(s|s',a')\mu(s',a')\}`, with
    :math:`\mu_{ref}` the reference policy's occupancy (must be positive).  The square-root
    form is a second-order cone constraint.  The policy is read off as
    :math:`\mu(s,a)/\sum_b\mu(s,b)`.

    ``method="cvxpy"`` solves the convex program over :math:`\mathcal M` (either ``form``).
    Stopping rule: the conic solver's defaults; a status other than optimal is returned as
    ``success=False``.

    ``method="ascent"`` (``form="square"`` only, the penalized objective
    :math:`F(\pi)=\langle\mu_\pi,r\rangle-\lambda\chi^2(\mu_\pi\|\mu_{ref})`) run
    ascent on per-state softmax logits :math:`z` started at :math:`\log\pi_{ref}`, with an
    exact (``oracle="exact"``) or sampled (``oracle="sampled"``) gradient.  The
    gradient goes through the occupancy measure: with the *shaped reward*
    :math:`g=\partial F/\partial\mu=r-2\lambda(\mu_\pi-\mu_{ref})/\mu_{ref}` held fixed,
    the policy-gradient theorem (normalized occupancy) gives

    .. math::

        \frac{\partial F}{\partial z(s,a)}=\mu_\pi(s,a)\,A^\pi_g(s,a),\qquad
        A^\pi_g=Q^\pi_g-V^\pi_g,\quad Q^\pi_g=g+\gamma PV^\pi_g,

    [2]_ (the chain rule of concave-utility RL [3]_).  ``update="pg"``:
    :math:`z\leftarrow z+\eta\,\mu_\pi\odot A^\pi_g`; ``update="mirror"``
    (``oracle="exact"`` only): policy mirror ascent :math:`z\leftarrow z+\eta A^\pi_g`, i.e.
    :math:`\pi_{t+1}(\cdot|s)\propto\pi_t(\cdot|s)e^{\eta A_g(s,\cdot)}` [4]_.  ``lr``
    defaults to 1 (mirror) or 20 (pg).  Since :math:`F` is strictly concave in :math:`\mu` and
    :math:`\mu\mapsto\pi` is onto the interior, the only stationary points with full
    support are the optimum, which the tests compare with cvxpy.

    Stopping rule (``oracle="exact"``): the Frank-Wolfe gap
    :math:`\max_{\mu'\in\mathcal M}\langle g,\mu'-\mu_\pi\rangle\ge F^\star-F(\pi)`
    :math:`\le` ``tol`` -> ``success``; ``max_iter`` steps without it -> ``success=False``,
    status ``MAX_ITER``.
    ``oracle="sampled"`` replaces both occupancies and :math:`Q` by Monte Carlo: a batch of
    ``batch_size`` exact draws :math:`(s,a)\sim\mu_\pi` (roll out from :math:`\rho_0`,
    stop each step with probability :math:`1-\gamma`) gives the plug-in
    :math:`\hat\mu_\pi` and :math:`\hat g`; an independent batch of draws, each followed
    by a rollout of :math:`\hat g` terminated with probability :math:`1-\gamma` per step,
    gives unbiased :math:`\hat Q`; the REINFORCE estimate
    :math:`\frac1B\sum_b(e_{s_b,a_b}-e_{s_b}\otimes\pi(\cdot|s_b))(\hat Q_b-\bar Q_{-b})`
    (leave-one-out baseline) is then unbiased for the gradient because :math:`g` is affine in
    :math:`\mu`.  :math:`\mu_{ref}` is computed exactly from the model (in ORPO it is
    estimated by a discriminator [5]_).  It runs exactly ``max_iter`` steps (no certificate).

    Correspondence with the authors' code (ORPO [5]_, checked line by line).  The divergence
    is Pearson's :math:`\chi^2(\mu_\pi\|\mu_{ref})=E_{\mu_\pi}[w]-1`,
    :math:`w=\mu_\pi/\mu_{ref}`, of *state-action* occupancy measures (the discriminator
    sees the action by default [6]_), with the reference in the denominator, as here.  ORPO
    trains a logistic discriminator :math:`d(s,a)` (softplus losses, current policy against
    reference), whose optimum is :math:`d=\log w`, and estimates
    :math:`\widehat{\chi^2}=\mathrm{mean}_{(s,a)\sim\mu_\pi}(e^{d}-1)` [5]_; the
    per-step reward added to the proxy is :math:`-c\,(e^{d}-1)` (``"chi2"``) or
    :math:`-\lambda(e^{d}-1)/\sqrt{\widehat{\chi^2}_{trim}}` (``"sqrt_chi2"``, the
    mean with 1% trimmed at each end).  Held fixed during a policy-gradient step, the
    ``"sqrt_chi2"`` reward is exactly the gradient of :math:`-\lambda\sqrt{\chi^2}` (since
    :math:`\partial\chi^2/\partial\mu=2w` and :math:`\sum\partial\mu=0`), i.e.
    ``form="sqrt"`` with the same :math:`\lambda`; the ``"chi2"`` reward is *half* the
    gradient of :math:`-c\,\chi^2`, so ORPO's ``"chi2"`` with coefficient :math:`c` has the
    stationary points of ``form="square"`` with :math:`\lambda=c/2` (the shaped reward
    :math:`g` above is ORPO's with :math:`c=2\lambda`).  The value reported as
    ``OccupancyResult.chi2`` is the full :math:`\chi^2` in both.  Differences that
    remain: ORPO estimates :math:`w` with a discriminator from finite-horizon rollouts (every
    time step weighted alike) where this function uses the exact discounted occupancy of the
    model; the RLHF code [7]_ uses the exact sequence likelihood ratio
    :math:`w=\pi(y|x)/\pi_{ref}(y|x)` and the non-negative per-sample estimate
    :math:`(w-1)+(1/w-1)=(w-1)^2/w` (the second term has mean zero under :math:`\pi`).

    Parameters
    ----------
    mdp : TabularMDP
    r : array_like (S, A)
        Reward that is optimized (the proxy).
    pi_ref : array_like (S, A)
        Reference policy; its occupancy must be positive everywhere.
    lam : float >= 0
        Penalty weight :math:`\lambda`.
    form : {"sqrt", "square"}
    method : {"cvxpy", "ascent"}
        The algorithm: the convex program over :math:`\mathcal M` solved by cvxpy, or ascent
        on the policy logits through the occupancy measure.
    oracle : {"exact", "sampled"}
        Gradient oracle of ``method="ascent"``: exact occupancies and :math:`Q` from the
        model, or Monte Carlo estimates from sampled rollouts.  ``method="cvxpy"`` uses the
        exact model and accepts only ``"exact"``.
    solver : str, optional
        cvxpy solver name passed to ``Problem.solve`` (``method="cvxpy"`` only).
    update : {"pg", "mirror"}
        Ascent step (``method="ascent"``); ``"mirror"`` needs ``oracle="exact"``.
    lr, max_iter, tol, batch_size, record_every, seed
        Ascent options (ignored by cvxpy): ``lr > 0``, ``1 <= max_iter <= 1e8``, ``tol > 0``,
        ``batch_size >= 2``, ``record_every >= 1``.

    Returns
    -------
    OccupancyResult
        Occupancy and policy (S, A), objective and :math:`\chi^2`; ``history`` for
        ``method="ascent"``.  ``success=False`` with status ``NUMERICAL`` when cvxpy does not
        report optimal (or non-finite ascent), ``MAX_ITER`` when the exact ascent misses
        ``tol``.

    Raises
    ------
    ValueError
        For invalid input, an unknown ``form``, ``method``, ``oracle`` or ``update``, and for
        the invalid combinations ``method="cvxpy", oracle="sampled"``, ``method="ascent"``
        with ``form="sqrt"``, and ``update="mirror", oracle="sampled"``.

    References
    ----------
    .. [1] Laidlaw, Singhal, Dragan (2025), Correlated Proxies, Sec. 5 (the chi^2 occupancy
       regularized objective and ORPO).
    .. [2] Sutton et al. (2000), policy gradient theorem; Agarwal et al. (2021), On the theory
       of policy gradient methods, Lemma C.1 (softmax form :math:`\mu(s,a)A(s,a)/(1-\gamma)`
       in unnormalized value, i.e. :math:`\mu A` for the normalized return).
    .. [3] Zhang et al. (2020), Variational policy gradient method for RL with general
       utilities (gradient of a concave function of the occupancy = PG with the shaped
       reward).
    .. [4] Lan (2022), Policy mirror descent for RL; Xiao (2022), On the convergence rates of
       policy gradient methods.
    .. [5] Authors' code, github.com/cassidylaidlaw/orpo (commit 95cd1fa),
       ``occupancy_measures/agents/orpo.py``: l. 505
       ``+ F.softplus(-discriminator_curr_policy_scores).mean()`` and l. 514
       ``discriminator_loss + F.softplus(discriminator_safe_policy_scores).mean()`` (the
       same loss for ``["kl", "chi2", "sqrt_chi2"]``, l. 543); l. 817
       ``rewards = (discriminator_policy_scores[:, 0].detach().exp() - 1).cpu().numpy()``;
       l. 818 ``info[safe_policy_id]["occupancy_measure_chi2"] = np.mean(rewards)``;
       l. 828-829 ``i = int(0.01 * len(chi2_rewards_sorted))``,
       ``occupancy_measure_chi2_trimmed = np.mean(chi2_rewards_sorted[i:-i])``; l. 836
       ``rewards = chi2_rewards / np.sqrt(occupancy_measure_chi2_trimmed)``; l. 957-959
       ``per_policy_discriminator_reward += (-occupancy_measure_divergence_coeff *
       distance)``; l. 970 ``current_batch[SampleBatch.REWARDS] +
       current_batch[DISCRIMINATOR_REWARDS]``; the action-distribution baseline, l. 280
       ``x: torch.Tensor = (p.dist.probs - q.dist.probs) ** 2 / q.dist.probs``.  README:
       the coefficients are scale-free constants that, "As per our theory, we multiply
       these by the standard deviation of the rewards from the base policy".
    .. [6] Same repository, ``occupancy_measures/models/model_with_discriminator.py``: l. 61
       ``self.use_action_for_disc = custom_model_config.get("use_action_for_disc", True)``;
       l. 75-76 ``if self.use_action_for_disc: disc_in_dim += utils.flatdim(action_space)``.
    .. [7] Authors' RLHF code, github.com/cassidylaidlaw/llm_optimization (commit ff5c7bb),
       ``src/ppo/custom_trlx_trainers/modeling.py``: l. 38
       ``log_ratio = ((logprobs - ref_logprobs) * mask).sum(1)``; l. 54
       ``chi2 = (ratio_m_1 + inv_ratio_m_1).mean()``; l. 66
       ``loss = loss + sqrt_chi2_weight * torch.sqrt(chi2.clip(min=1e-4))``.
    """
    import cvxpy as cp

    if not isinstance(mdp, TabularMDP):
        raise TypeError(f"`mdp` must be a TabularMDP, got {type(mdp).__name__}")
    S, A = mdp.n_states, mdp.n_actions
    r = as_float_array(r, "r", shape=(S, A))
    ref = check_policy(pi_ref, "pi_ref", ndim=2)
    lam = check_scalar(lam, "lam", lo=0.0)
    form = check_option(form, "form", ("sqrt", "square"))
    method = check_option(method, "method", ("cvxpy", "ascent"))
    oracle = check_option(oracle, "oracle", ("exact", "sampled"))
    if method == "cvxpy" and oracle == "sampled":
        raise ValueError("`oracle`='sampled' applies to method='ascent' only (cvxpy solves the "
                         "convex program from the exact model)")
    if ref.shape != (S, A):
        raise ValueError(f"`pi_ref` must have shape {(S, A)}, got {ref.shape}")
    mu_ref = occupancy_measure(mdp.P, ref, mdp.rho0, mdp.gamma)
    if np.any(mu_ref <= 0):
        raise ValueError("`pi_ref` must give every state-action pair positive occupancy")
    if method == "ascent":
        if form != "square":
            raise ValueError("`form` must be 'square' for method='ascent' (the sqrt penalty "
                             "is not differentiable at the reference); use method='cvxpy'")
        update = check_option(update, "update", ("pg", "mirror"))
        if update == "mirror" and oracle == "sampled":
            raise ValueError("`update`='mirror' needs exact advantages; use oracle='exact'")
        if lr is None:
            lr = 1.0 if update == "mirror" else 20.0
        lr = check_scalar(lr, "lr", lo=0.0, lo_inclusive=False)
        max_iter, record_every = check_steps(max_iter, record_every, n_keys=4)
        return _chi2_ascent(mdp, r, ref, mu_ref, lam, oracle=oracle, update=update, lr=lr,
                            max_iter=max_iter,
                            tol=check_scalar(tol, "tol", lo=0.0, lo_inclusive=False),
                            batch_size=check_size(batch_size, "batch_size", lo=2,
                                                  factor=16, what="the sampled batches"),
                            record_every=record_every, seed=seed)
    mu = cp.Variable((S, A), nonneg=True)
    cons = []
    flat = cp.reshape(mu, (S * A,), order="C")
    Pflat = mdp.P.reshape(S * A, S)
    cons.append(cp.sum(mu, axis=1) == (1 - mdp.gamma) * mdp.rho0 + mdp.gamma * (Pflat.T @ flat))
    dev = cp.multiply(mu - mu_ref, 1.0 / np.sqrt(mu_ref))
    pen = cp.norm(cp.reshape(dev, (S * A,), order="C"), 2) if form == "sqrt" else \
        cp.sum_squares(dev)
    prob = cp.Problem(cp.Maximize(cp.sum(cp.multiply(mu, r)) - lam * pen), cons)
    try:
        prob.solve(solver=solver)
    except cp.error.SolverError as exc:  # pragma: no cover - solver-specific
        return finish(OccupancyResult, success=False, status=Status.NUMERICAL,
                      message=f"cvxpy solver failed ({exc}); try another `solver`", n_iter=0,
                      occupancy=mu_ref, policy=ref, objective=np.nan, chi2=0.0)
    ok = prob.status == cp.OPTIMAL
    m = np.clip(mu.value if mu.value is not None else mu_ref, 0.0, None)
    chi2 = float(np.sum((m - mu_ref) ** 2 / mu_ref))
    st = Status.SUCCESS if ok else Status.NUMERICAL
    msg = "optimal" if ok else f"cvxpy status {prob.status}; try another `solver`"
    n_it = int(prob.solver_stats.num_iters or 0) if prob.solver_stats else 0
    return finish(OccupancyResult, success=ok, status=st, message=msg, n_iter=n_it,
                  occupancy=m, policy=_policy_from_occupancy(m, ref),
                  objective=float(prob.value) if prob.value is not None else np.nan, chi2=chi2)


def _path_point(task, *, mdp, ref, r_true, r_proxy):
    """Proxy and true return of one point of :func:`regularization_paths` (module level, so
    it pickles): ``task = ("chi2", lam)`` or ``("kl", beta)``."""
    from equilibria.theory.alignment import soft_value_iteration

    name, s = task
    if name == "chi2":
        mu = chi2_occupancy_policy(mdp, r_proxy, ref, s).occupancy
    else:
        pol = soft_value_iteration(mdp.P, r_proxy, ref, mdp.gamma, s)
        mu = occupancy_measure(mdp.P, pol, mdp.rho0, mdp.gamma)
    return float((mu * r_proxy).sum()), float((mu * r_true).sum())


def regularization_paths(mdp: TabularMDP, pi_ref, r_true, r_proxy, *, strengths=None,
                         executor=None, progress: bool | None = None):
    r"""Proxy and true returns along the :math:`\chi^2`-occupancy and KL-on-actions
    regularization paths.

    Proxy and true returns (normalized, :math:`E_\mu r`) of the :math:`\chi^2`-occupancy
    optimum (cvxpy, square-root form) and of the KL-on-actions optimum (soft value iteration)
    over a sweep of regularization strengths (``strengths`` for chi^2; KL uses 40 values in
    [1e-2, 1e2]), plus the returns at the :math:`\lambda=\sigma_{\tilde R}\sqrt{1-r^2}/r` of
    Laidlaw et al. (Thm 5.1).  A sweep: one solve per strength, through
    :func:`equilibria._lib.sweep.parallel_map` (the result does not depend on ``executor``).

    Parameters
    ----------
    mdp : TabularMDP
    pi_ref : array_like (S, A)
        Reference policy; its occupancy must be positive everywhere.
    r_true : array_like (S, A)
        True reward (only evaluated), finite.
    r_proxy : array_like (S, A)
        Proxy reward that is optimized, finite.
    strengths : array_like, optional
        :math:`\chi^2` weights :math:`\lambda\ge0`, a non-empty 1-D array (default 30 values
        log-spaced in :math:`[10^{-2}, 10^{0.5}]`).
    executor : concurrent.futures.Executor, optional
        Where the solves run (``None``: serially in this process, same result).
    progress : bool or None
        tqdm progress bar (``False`` turns it off).

    Returns
    -------
    dict
        ``"strengths"``; ``"reference"``: ``(proxy, true)`` of the reference policy;
        ``"chi2"`` and ``"kl"``: arrays ``(proxy, true)`` along each path; ``"laidlaw"``:
        ``(lambda, proxy, true)`` (present when the proxy-true correlation is positive).
    """
    from equilibria.theory.alignment import correlated_proxy_bound

    if not isinstance(mdp, TabularMDP):
        raise TypeError(f"`mdp` must be a TabularMDP, got {type(mdp).__name__}")
    S, A = mdp.n_states, mdp.n_actions
    ref = check_policy(pi_ref, "pi_ref", ndim=2, shape=(S, A))
    r_true = as_float_array(r_true, "r_true", shape=(S, A))
    r_proxy = as_float_array(r_proxy, "r_proxy", shape=(S, A))
    strengths = np.logspace(0.5, -2, 30) if strengths is None else as_float_array(
        strengths, "strengths", ndim=1, min_size=1, nonneg=True)
    check_size(strengths.size, "strengths", factor=1e4, what="one cvxpy solve per strength")
    if progress is not None and not isinstance(progress, (bool, np.bool_)):
        raise TypeError(f"`progress` must be True, False or None, got {progress!r}")
    kl_strengths = np.logspace(2, -2, 40)
    mu_ref = occupancy_measure(mdp.P, ref, mdp.rho0, mdp.gamma)
    if np.any(mu_ref <= 0):
        raise ValueError("`pi_ref` must give every state-action pair positive occupancy")

    out = {"strengths": strengths, "reference": (float((mu_ref * r_proxy).sum()),
                                                 float((mu_ref * r_true).sum()))}
    tasks = [("chi2", s) for s in strengths] + [("kl", s) for s in kl_strengths]
    fn = functools.partial(_path_point, mdp=mdp, ref=ref, r_true=r_true, r_proxy=r_proxy)
    points = parallel_map(fn, tasks, executor=executor, progress=progress,
                          desc="regularization paths")
    n = len(strengths)
    for name, part in (("chi2", points[:n]), ("kl", points[n:])):
        out[name] = (np.asarray([p for p, _ in part]), np.asarray([t for _, t in part]))
    _, _, rho = correlated_proxy_bound(mu_ref, mu_ref, r_true, r_proxy)
    m = float((mu_ref * r_proxy).sum())
    sd = float(np.sqrt((mu_ref * (r_proxy - m) ** 2).sum()))
    if rho > 0:
        lam = sd * np.sqrt(1 - rho ** 2) / rho
        mu = chi2_occupancy_policy(mdp, r_proxy, ref, lam).occupancy
        out["laidlaw"] = (lam, float((mu * r_proxy).sum()), float((mu * r_true).sum()))
    return out


# --------------------------------------------------------------------------------------------
# ascent on the chi^2-occupancy-penalized objective (exact gradient and sampled)
# --------------------------------------------------------------------------------------------
def _occupancy(P, pol, rho0, gamma):
    """Normalized occupancy (1-gamma) sum_t gamma^t P(s_t=s, a_t=a), no validation (hot loop)."""
    Ppi = np.einsum("sa,sat->st", pol, P)
    d = np.linalg.solve(np.eye(P.shape[0]) - gamma * Ppi.T, (1.0 - gamma) * rho0)
    return np.clip(d, 0.0, None)[:, None] * pol


def _q_values(P, pol, g, gamma):
    r""":math:`Q^\pi_g=g+\gamma PV^\pi_g`, :math:`V^\pi_g=(I-\gamma P_\pi)^{-1}\sum_a\pi g`."""
    Ppi = np.einsum("sa,sat->st", pol, P)
    V = np.linalg.solve(np.eye(P.shape[0]) - gamma * Ppi, np.sum(pol * g, axis=1))
    return g + gamma * (P @ V), V


def _row_softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _draw_rows(rng, cum, rows):
    """One categorical draw per row of the cumulative table ``cum[rows]`` (inverse CDF)."""
    c = cum[rows]
    return np.minimum((rng.random(rows.shape[0])[:, None] >= c).sum(axis=1), c.shape[1] - 1)


def _sample_occupancy_pairs(rng, cP, cpol, crho, gamma, n):
    r"""``n`` exact draws :math:`(s,a)\sim\mu_\pi`: start from :math:`\rho_0` and stop after
    every step with probability :math:`1-\gamma`; the stopped pair has law
    :math:`(1-\gamma)\sum_t\gamma^tP(s_t=s,a_t=a)=\mu_\pi(s,a)`.  ``cP``, ``cpol``, ``crho``
    are cumulative tables of ``P``, the policy and ``rho0``."""
    s = _draw_rows(rng, crho[None, :], np.zeros(n, dtype=np.int64))
    a = _draw_rows(rng, cpol, s)
    alive = np.ones(n, dtype=bool)
    while True:
        alive &= rng.random(n) < gamma
        idx = np.flatnonzero(alive)
        if idx.size == 0:
            return s, a
        s[idx] = _draw_rows(rng, cP.reshape(-1, cP.shape[2]), s[idx] * cpol.shape[1] + a[idx])
        a[idx] = _draw_rows(rng, cpol, s[idx])


def _sampled_q(rng, cP, cpol, g, gamma, s, a):
    r"""Unbiased :math:`Q^\pi_g(s,a)` estimates: the undiscounted sum of ``g`` along a path
    from ``(s, a)`` that terminates with probability :math:`1-\gamma` after every step
    (:math:`E[\sum_{t\le T}g]=\sum_t\gamma^tE\,g(s_t,a_t)` for :math:`T` geometric)."""
    s, a = s.copy(), a.copy()
    ret = g[s, a].copy()
    alive = rng.random(s.size) < gamma
    A = cpol.shape[1]
    while alive.any():
        idx = np.flatnonzero(alive)
        s[idx] = _draw_rows(rng, cP.reshape(-1, cP.shape[2]), s[idx] * A + a[idx])
        a[idx] = _draw_rows(rng, cpol, s[idx])
        ret[idx] += g[s[idx], a[idx]]
        alive[idx] = rng.random(idx.size) < gamma
    return ret


def _optimal_value(P, g, gamma, rho0, pol0):
    r""":math:`\max_{\mu\in\mathcal M}\langle\mu,g\rangle` by policy iteration (exact, finite
    termination), warm-started at ``pol0``'s greedy policy."""
    S, A = g.shape
    act = np.argmax(pol0, axis=1)
    for _ in range(100 * S * A + 10):
        pol = np.zeros((S, A))
        pol[np.arange(S), act] = 1.0
        Q, V = _q_values(P, pol, g, gamma)
        new = np.where(Q.max(axis=1) > Q[np.arange(S), act] + 1e-13 * (1 + np.abs(V)),
                       np.argmax(Q, axis=1), act)
        if np.array_equal(new, act):
            break
        act = new
    return (1.0 - gamma) * float(rho0 @ V)


def _chi2_ascent(mdp, r, ref, mu_ref, lam, *, oracle, update, lr, max_iter, tol, batch_size,
                 record_every, seed):
    """Ascent on <mu_pi, r> - lam chi2(mu_pi||mu_ref) over per-state softmax logits."""
    P, rho0, gamma = mdp.P, mdp.rho0, mdp.gamma
    z = np.log(ref)
    pol = _row_softmax(z)
    rng = as_generator(seed)
    cP, crho = np.cumsum(P, axis=2), np.cumsum(rho0)
    hist: dict[str, list] = {"step": [], "objective": [], "chi2": []}
    if oracle == "exact":
        hist["gap"] = []

    def objective(pol_):
        mu_ = _occupancy(P, pol_, rho0, gamma)
        c2_ = float(np.sum((mu_ - mu_ref) ** 2 / mu_ref))
        return float((mu_ * r).sum()) - lam * c2_, c2_, mu_

    status, t, gap = Status.MAX_ITER, 0, np.inf
    F, c2, mu = objective(pol)
    for t in range(1, max_iter + 1):
        if oracle == "exact":
            g = r - 2.0 * lam * (mu - mu_ref) / mu_ref  # dF/dmu: the shaped reward
            Q, V = _q_values(P, pol, g, gamma)
            adv = Q - V[:, None]
            # Frank-Wolfe gap max_{mu'} <g, mu' - mu> >= F(mu*) - F(mu) (F concave in mu)
            gap = _optimal_value(P, g, gamma, rho0, pol) - float((mu * g).sum())
            if gap <= tol:
                status = Status.SUCCESS
            else:
                step = adv if update == "mirror" else mu * adv  # dF/dz = mu * A_g
                while True:  # monotone backtracking: accept the first step that does not lose F
                    with np.errstate(over="ignore", invalid="ignore"):
                        z_new = z + lr * step
                        z_new -= z_new.max(axis=1, keepdims=True)
                        pol_new = _row_softmax(z_new)
                        F_new, c2_new, mu_new = objective(pol_new)
                    if np.isfinite(F_new) and F_new >= F - 1e-15 * (1 + abs(F)):
                        break
                    lr *= 0.5
                    if lr < 1e-14:  # no ascent step exists numerically
                        break
                if not np.isfinite(F_new):
                    status = Status.NUMERICAL
                    break
                z, pol, F, c2, mu = z_new, pol_new, F_new, c2_new, mu_new
                lr = min(lr * 1.25, 1e6)  # grow after success, capped (no overflow)
        else:
            cpol = np.cumsum(pol, axis=1)
            # independent batch -> unbiased plug-in occupancy, so the shaped reward (affine in
            # mu) and hence Q_g (linear in g) are unbiased
            s0, a0 = _sample_occupancy_pairs(rng, cP, cpol, crho, gamma, batch_size)
            mu_hat = np.zeros_like(mu_ref)
            np.add.at(mu_hat, (s0, a0), 1.0 / batch_size)
            g = r - 2.0 * lam * (mu_hat - mu_ref) / mu_ref
            s, a = _sample_occupancy_pairs(rng, cP, cpol, crho, gamma, batch_size)
            q = _sampled_q(rng, cP, cpol, g, gamma, s, a)
            q = q - (q.sum() - q) / (batch_size - 1)  # leave-one-out baseline (still unbiased)
            # dF/dz(s,a) = E_{(s',a')~mu}[1{s'=s}(1{a'=a} - pi(a|s)) Q_g(s',a')]
            grad = np.zeros_like(mu_ref)
            np.add.at(grad, (s, a), q / batch_size)
            np.add.at(grad, s, -(q / batch_size)[:, None] * pol[s])
            with np.errstate(over="ignore", invalid="ignore"):
                z_new = z + lr * grad
            if not np.all(np.isfinite(z_new)):
                status = Status.NUMERICAL  # keep the last finite iterate
                break
            z = z_new - z_new.max(axis=1, keepdims=True)
            pol = _row_softmax(z)
            if t % record_every == 0 or t == max_iter:
                F, c2, mu = objective(pol)
        if t % record_every == 0 or t == max_iter or status == Status.SUCCESS:
            hist["step"].append(t)
            hist["objective"].append(F)
            hist["chi2"].append(c2)
            if oracle == "exact":
                hist["gap"].append(gap)
        if status == Status.SUCCESS:
            break
    F, c2, mu = objective(pol)
    if status == Status.SUCCESS:
        ok, msg = True, f"Frank-Wolfe gap {gap:.2e} <= tol={tol:g} after {t} steps"
    elif status == Status.NUMERICAL:
        ok, msg = False, "non-finite logits or objective; lower `lr`"
    elif oracle == "sampled":
        ok, status = True, Status.SUCCESS
        msg = f"ran the fixed budget of {t} sampled steps (no certificate: compare with " \
              "oracle='exact' or method='cvxpy')"
    else:
        ok, msg = False, (f"Frank-Wolfe gap {gap:.2e} > tol={tol:g} after max_iter={max_iter}; "
                          "increase `max_iter` (or use update='mirror')")
    return finish(OccupancyResult, success=ok, status=status, message=msg, n_iter=t,
                  occupancy=mu, policy=pol, objective=F, chi2=c2,
                  history={k: np.asarray(v) for k, v in hist.items()})
