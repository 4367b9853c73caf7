r"""Policy gradient / mirror ascent on a proxy reward, with and without regularization."""

from __future__ import annotations

import numpy as np

from equilibria._lib.result import Status, finish
from equilibria._lib.rng import as_generator
from equilibria._lib.validation import as_float_array, check_option, check_scalar

from ._common import (PolicyRun, check_policy, check_size, check_steps, init_logits, pg_step,
                      sampled_signal, softmax, summaries)

__all__ = ["policy_gradient", "regularizer_signal", "best_of_n_sampling"]

REGS = ("none", "kl", "chi2")


def regularizer_signal(pi, pi_ref, divergence, beta):
    r"""Per-action derivative :math:`-\beta\,\partial D/\partial\pi_a` of the penalty.

    ``"kl"``: :math:`D=\mathrm{KL}(\pi\|\pi_{ref})`, signal :math:`-\beta\log(\pi_a/
    \pi_{ref,a})` (the constant :math:`-\beta` cancels against the baseline);
    ``"chi2"``: :math:`D=\chi^2(\pi\|\pi_{ref})=\sum_a\pi_a^2/\pi_{ref,a}-1` (in a bandit the
    occupancy measure is the policy), signal :math:`-2\beta\pi_a/\pi_{ref,a}`;
    ``"none"``: zeros.

    Parameters
    ----------
    pi : array_like (K,)
        Current policy (a probability vector).
    pi_ref : array_like (K,)
        Reference policy (a probability vector); actions off its support get signal 0.
    divergence : {"none", "kl", "chi2"}
        The penalty :math:`D`.
    beta : float >= 0
        Its weight.

    Returns
    -------
    ndarray (K,)
        The per-action signal (finite: ``log`` of a zero probability is taken at ``1e-300``).
    """
    pi = check_policy(pi, "pi")
    pi_ref = check_policy(pi_ref, "pi_ref", shape=pi.shape)
    divergence = check_option(divergence, "divergence", REGS)
    beta = check_scalar(beta, "beta", lo=0.0)
    with np.errstate(over="ignore", invalid="ignore"):
        out = _regularizer_signal(pi, pi_ref, divergence, beta)
    if not np.all(np.isfinite(out)):
        raise ValueError(f"`beta`={beta:g} is too large: the signal overflows")
    return out


def _regularizer_signal(pi, pi_ref, divergence, beta):
    """:func:`regularizer_signal` on validated arrays (the solvers' inner loop)."""
    out = np.zeros_like(pi)
    supp = pi_ref > 0
    if divergence == "kl":
        with np.errstate(divide="ignore"):
            out[supp] = -beta * (np.log(np.maximum(pi[supp], 1e-300)) - np.log(pi_ref[supp]))
    elif divergence == "chi2":
        out[supp] = -2.0 * beta * pi[supp] / pi_ref[supp]
    return out


def policy_gradient(pi_ref, r, *, divergence: str = "none", beta: float = 0.0, lr: float = 1.0,
                    max_iter: int = 2000, oracle: str = "exact", update: str = "pg",
                    batch_size: int = 64, r_true=None, tol: float | None = None,
                    record_every: int = 1, seed=None) -> PolicyRun:
    r"""Ascent on :math:`J(\pi)=E_\pi r-\beta D(\pi\|\pi_{ref})` over softmax policies.

    .. math::

        z_{t+1}=z_t+\eta\,\pi_t\odot\big(g_t-\langle\pi_t,g_t\rangle\big),\qquad
        g_t=r-\beta\,\partial D/\partial\pi(\pi_t)

    (``update="pg"``, exact softmax policy gradient), or :math:`z_{t+1}=z_t+\eta g_t`
    (``update="mirror"``: mirror ascent with the entropy mirror map, i.e. natural PG).
    ``oracle="sampled"`` replaces the exact signal by the REINFORCE estimate from
    ``batch_size`` draws of :math:`\pi_t` with the per-sample reward :math:`g_t(a_b)` (for KL
    this is the RLHF per-sample penalty :math:`-\beta\log\pi(a)/\pi_{ref}(a)`) and the batch
    mean as baseline.  Initial logits :math:`\log\pi_{ref}`.

    Stopping rule: with ``tol`` set, stop when :math:`\max_a|\partial J/\partial z_a|\le`
    ``tol`` (``oracle="exact"`` only) -> ``success``; otherwise run exactly ``max_iter`` steps (a
    fixed budget, as for Goodhart curves), reported as success.  With ``tol`` set and the
    budget exhausted: ``success=False``, status ``MAX_ITER``.

    Parameters
    ----------
    pi_ref : array_like (K,)
        Reference policy (initial policy and regularization target).
    r : array_like (K,)
        The (proxy) reward that is optimized.
    divergence : {"none", "kl", "chi2"}
        Penalty :math:`D`; ``beta`` is its weight.
    beta : float
        Penalty weight :math:`\beta` (``>= 0``; ``> 0`` for "kl"/"chi2").
    lr : float
        Step size :math:`\eta > 0`.
    max_iter : int
        Step budget, ``1 <= max_iter <= 1e8`` (and the recorded history must fit in memory).
    oracle : {"exact", "sampled"}
        Gradient oracle: the exact gradient signal, or the REINFORCE estimate from
        ``batch_size`` draws.
    update : {"pg", "mirror"}
        Softmax policy-gradient step or entropic mirror-ascent (natural PG) step.
    batch_size : int
        Draws per step for ``oracle="sampled"`` (>= 2).
    r_true : array_like (K,), optional
        Held-out true reward, only recorded.
    tol : float, optional
        Stationarity tolerance on :math:`\max_a|\partial J/\partial z_a|`
        (``oracle="exact"`` only: a sampled run cannot certify it); ``None`` runs the fixed
        budget.
    record_every : int
        Record summaries every this many steps.
    seed : None, int, SeedSequence or Generator
        Randomness of ``oracle="sampled"``.

    Returns
    -------
    PolicyRun
        ``history`` has ``proxy``, ``true``, ``kl``, ``chi2``, ``entropy``.

    Raises
    ------
    ValueError
        For invalid input, an unknown ``divergence``, ``oracle`` or ``update``, and for
        ``tol`` given with ``oracle="sampled"``.

    References
    ----------
    .. [1] Williams (1992), REINFORCE; Mei et al. (2020), On the global convergence rates of
       softmax policy gradient methods (the exact softmax PG step).
    .. [2] Laidlaw, Singhal, Dragan (2025), Correlated Proxies, Sec. 5 (chi^2 regularization;
       in a bandit the occupancy measure is the policy).
    """
    p = check_policy(pi_ref, "pi_ref")
    r = as_float_array(r, "r", shape=p.shape)
    divergence = check_option(divergence, "divergence", REGS)
    oracle = check_option(oracle, "oracle", ("exact", "sampled"))
    update = check_option(update, "update", ("pg", "mirror"))
    if divergence == "none":
        beta = check_scalar(beta, "beta", lo=0.0)
    else:
        beta = check_scalar(beta, "beta", lo=0.0, lo_inclusive=False)
    lr = check_scalar(lr, "lr", lo=0.0, lo_inclusive=False)
    max_iter, record_every = check_steps(max_iter, record_every, n_keys=6)
    batch_size = check_size(batch_size, "batch_size", lo=2, factor=8,
                            what="the sampled batch")
    if tol is not None:
        tol = check_scalar(tol, "tol", lo=0.0, lo_inclusive=False)
        if oracle == "sampled":
            raise ValueError("`tol` needs oracle='exact' (a sampled gradient cannot certify "
                             "stationarity); pass tol=None to run the fixed budget")
    rewards = {"proxy": r}
    if r_true is not None:
        rewards["true"] = as_float_array(r_true, "r_true", shape=p.shape)
    rng = as_generator(seed)
    z = init_logits(p)
    pi = softmax(z)
    hist: dict[str, list[float]] = {k: [] for k in (*rewards, "kl", "chi2", "entropy")}
    steps: list[int] = []

    def record(t):
        steps.append(t)
        for k, v in summaries(pi, p, rewards).items():
            hist[k].append(v)

    record(0)
    converged = False
    t = 0
    numerical = False
    supp0 = p > 0
    for t in range(1, max_iter + 1):
        g = r + _regularizer_signal(pi, p, divergence, beta)
        z_prev = z
        if oracle == "exact":
            with np.errstate(over="ignore", invalid="ignore"):
                z, gnorm = pg_step(z, pi, g, lr, update=update)
        else:
            est, _ = sampled_signal(rng, pi, g, batch_size)
            if update == "mirror":
                est = np.divide(est, pi, out=np.zeros_like(est), where=pi > 0)
            supp = np.isfinite(z)
            z = z.copy()
            with np.errstate(over="ignore", invalid="ignore"):
                z[supp] += lr * est[supp]
                z[supp] -= z[supp].max()
            gnorm = np.inf
        if not np.all(np.isfinite(z[supp0])):  # overflow: keep the last finite iterate
            z, numerical = z_prev, True
            break
        pi = softmax(z)
        if t % record_every == 0 or t == max_iter:
            record(t)
        if tol is not None and oracle == "exact" and gnorm <= tol:
            converged = True
            if steps[-1] != t:
                record(t)
            break
    history = {k: np.asarray(v) for k, v in hist.items()}
    if numerical:
        ok, status = False, Status.NUMERICAL
        msg = f"logits overflowed at step {t}; lower `lr` (last finite policy returned)"
    elif tol is None:
        ok, status, msg = True, Status.SUCCESS, f"ran the fixed budget of {t} steps"
    elif converged:
        ok, status, msg = True, Status.SUCCESS, f"gradient norm <= tol={tol:g} after {t} steps"
    else:
        ok, status = False, Status.MAX_ITER
        msg = (f"gradient norm above tol={tol:g} after max_iter={max_iter}; increase `max_iter` "
               "or `lr`")
    return finish(PolicyRun, success=ok, status=status, message=msg, n_iter=t, policy=pi,
                  steps=np.asarray(steps), history=history)


def best_of_n_sampling(pi_ref, r, n, *, n_draws: int = 10_000, seed=None) -> np.ndarray:
    """Empirical best-of-N: ``n_draws`` times draw ``n`` outcomes from ``pi_ref`` and keep one of
    highest reward (ties broken uniformly).  Returns the empirical distribution (K,).

    Parameters
    ----------
    pi_ref : array_like (K,)
        Reference policy the outcomes are drawn from.
    r : array_like (K,)
        Reward used to pick the best of each ``n`` draws.
    n : int >= 1
        N, the number of draws per selection.
    n_draws : int >= 1
        Number of independent best-of-N selections (the ``(n_draws, n)`` draw tables must fit
        in memory).
    seed : int, Generator or None
        Seed of the draws.

    Returns
    -------
    ndarray (K,)
        Fraction of the ``n_draws`` selections won by each action (sums to one).
    """
    p = check_policy(pi_ref, "pi_ref")
    r = as_float_array(r, "r", shape=p.shape)
    n = check_size(n, "n", factor=4, what="one draw table row per selection")
    n_draws = check_size(n_draws, "n_draws", factor=4.0 * n,
                         what=f"the (n_draws, n={n}) draw tables")
    rng = as_generator(seed)
    draws = rng.choice(p.size, size=(n_draws, n), p=p)
    vals = r[draws] + 0.0
    best = vals.max(axis=1, keepdims=True)
    # uniform tie-breaking: random keys, keep the winner among maximal values
    keys = np.where(vals >= best, rng.random(vals.shape), -1.0)
    winners = draws[np.arange(n_draws), np.argmax(keys, axis=1)]
    return np.bincount(winners, minlength=p.size) / n_draws
