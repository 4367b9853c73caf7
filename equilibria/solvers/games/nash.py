r"""Nash Mirror Prox for beta-regularized preference games (Nash learning from human feedback).

References
----------
1. D. Tiapkin, D. Calandriello, D. Belomestny, E. Moulines, A. Naumov, K. Rasul, M. Valko,
   P. Menard (2025), "Accelerating Nash learning from human feedback via Mirror Prox",
   arXiv:2505.19731v1, 26 May 2025 (Nash-MP; linear rate :math:`(1+2\beta)^{-N/2}` in
   preference queries).  Version 2 of the same arXiv number (22 March 2026; COLT 2026) is a
   different paper, "Proximal Point Nash Learning from Human Feedback" (Nash Prox); this module
   follows version 1 only.
2. R. Munos et al. (2024), "Nash learning from human feedback", ICML (the regularized
   preference game).
3. A. Nemirovski (2004), Mirror Prox (see :func:`mirror_prox`).
"""

from __future__ import annotations

import numpy as np
import scipy.optimize

from equilibria._lib.result import Status, finish
from equilibria._lib.rng import as_generator
from equilibria._lib.validation import (as_float_array, check_int, check_option, check_scalar,
                                        check_simplex)
from equilibria.verification.certificates import regularized_exploitability

from ._results import NashResult

__all__ = ["nash_mirror_prox", "regularized_nash", "kl"]


#: tolerance of the preference-matrix identity ``P + P^T = 1`` (float32 rounding passes)
PREFERENCE_ATOL = 1e-6


def kl(p, q) -> float:
    """KL(p || q) for probability vectors (0 log 0 = 0).

    ``p`` and ``q`` must be probability vectors (to ``1e-6``) of the same length (``ValueError`` /
    ``TypeError`` naming the argument otherwise); the result is ``inf`` when ``q`` vanishes
    where ``p`` does not.
    """
    p = check_simplex(p, "p", atol=PREFERENCE_ATOL)
    q = check_simplex(q, "q", atol=PREFERENCE_ATOL)
    if q.shape != p.shape:
        raise ValueError(f"`q` must have the shape of `p` {p.shape}, got {q.shape}")
    return _kl(p, q)


def _kl(p, q) -> float:
    """:func:`kl` without the input checks (the solver's own iterates)."""
    pos = p > 0
    with np.errstate(divide="ignore"):  # q = 0 where p > 0: KL = inf
        return float(np.sum(p[pos] * (np.log(p[pos]) - np.log(q[pos]))))


def _check_preference(P, name="P"):
    P = as_float_array(P, name, ndim=2, min_size=1)
    if P.shape[0] != P.shape[1]:
        raise ValueError(f"`{name}` must be square, got shape {P.shape}")
    if np.any(P < 0) or np.any(P > 1):
        raise ValueError(f"`{name}` must have entries in [0, 1] (probabilities), found range "
                         f"[{P.min():.3g}, {P.max():.3g}]")
    off = float(np.abs(P + P.T - 1.0).max())
    if off > PREFERENCE_ATOL:
        raise ValueError(f"`{name}` must satisfy P + P^T = 1 (a preference matrix) to "
                         f"{PREFERENCE_ATOL:g}, off by {off:.3g}")
    return P


def _prox(logpi, v, logref, eta, beta):
    r"""Closed form of argmax_pi { <pi, v> - beta KL(pi||ref) - (beta/eta) KL(pi||pi_k) }:
    log pi = [ (eta/beta) v + eta log ref + log pi_k ] / (1 + eta) + const."""
    z = ((eta / beta) * v + eta * logref + logpi) / (1.0 + eta)
    z -= z.max()
    z -= np.log(np.exp(z).sum())
    return z


def _prox_pg(P, logpi_k, q, logref, eta, beta, steps, lr, m, rng):
    r"""One approximate prox step by stochastic softmax policy gradient (``method="pg"``,
    ``oracle="sampled"``).

    Ascends :math:`J(\theta) = \langle\pi_\theta, Pq\rangle - \beta\mathrm{KL}(\pi_\theta\|
    \pi_{ref}) - \tfrac{\beta}{\eta}\mathrm{KL}(\pi_\theta\|\pi_k)`, :math:`\pi_\theta =
    \mathrm{softmax}(\theta)`, from :math:`\theta = \log\pi_k` for ``steps`` steps of size
    ``lr``.  The preference part of the gradient, :math:`\pi\odot(Pq - \langle\pi,
    Pq\rangle)`, is the unbiased REINFORCE estimate :math:`\frac1m\sum_s (o_s - \tfrac12)
    (e_{a_s} - \pi)` from ``m`` comparisons :math:`a_s\sim\pi_\theta`, :math:`b_s\sim q`,
    :math:`o_s\sim\mathrm{Bernoulli}(P_{a_s b_s})` (baseline 1/2); the KL part is exact
    (:math:`-c\,\pi\odot(\ell - \langle\pi,\ell\rangle)` for :math:`c\,\mathrm{KL}(\pi\|\mu)`,
    :math:`\ell = \log\pi - \log\mu`).  Returns the normalized log-policy."""
    K = P.shape[0]
    theta = logpi_k.copy()
    c = beta / eta
    for _ in range(steps):
        z = theta - theta.max()
        pi = np.exp(z)
        pi /= pi.sum()
        logp = np.log(pi)
        a = rng.choice(K, size=m, p=pi)
        b = rng.choice(K, size=m, p=q)
        w = (rng.random(m) < P[a, b]) - 0.5
        g = np.bincount(a, weights=w, minlength=K) / m - w.mean() * pi  # REINFORCE estimate
        l_ref = logp - logref
        l_k = logp - logpi_k
        g -= beta * pi * (l_ref - pi @ l_ref) + c * pi * (l_k - pi @ l_k)  # exact KL gradients
        theta = theta + lr * g
    z = theta - theta.max()
    return z - np.log(np.exp(z).sum())


def nash_mirror_prox(P, beta, *, pi_ref=None, pi0=None, eta=None, method="closed_form",
                     oracle="exact", n_samples=64, pg_max_iter=100, pg_lr=None, max_iter=10_000,
                     tol=1e-10, pi_star=None, seed=None) -> NashResult:
    r"""Nash Mirror Prox (Nash-MP) for the :math:`\beta`-regularized preference game.

    The game over a finite response set (Munos et al. 2024):
    :math:`\max_\pi\min_{\pi'} \pi^T P \pi' - \beta\mathrm{KL}(\pi\|\pi_{ref}) +
    \beta\mathrm{KL}(\pi'\|\pi_{ref})` with :math:`P_{ij} = \Pr(i \succ j)`,
    :math:`P + P^T = 1` (intransitive preferences allowed).  Its unique equilibrium
    :math:`\pi^\star_\beta` is symmetric.  Nash-MP (Tiapkin et al. 2025, Alg. 1):

    .. math::

        \pi_{k+1/2} &= \arg\max_\pi\; P(\pi \succ \pi_k) - \beta\,\mathrm{KL}(\pi\|\pi_{ref})
            - \tfrac{\beta}{\eta}\,\mathrm{KL}(\pi\|\pi_k), \\
        \pi_{k+1} &= \arg\max_\pi\; P(\pi \succ \pi_{k+1/2}) - \beta\,\mathrm{KL}(\pi\|\pi_{ref})
            - \tfrac{\beta}{\eta}\,\mathrm{KL}(\pi\|\pi_k).

    ``method`` is the algorithm, ``oracle`` how the preferences are queried:

    - ``method="closed_form"`` (default) solves each prox step in closed form,
      :math:`\log\pi \propto \frac{(\eta/\beta) P q + \eta\log\pi_{ref} +
      \log\pi_k}{1+\eta}`.  With ``oracle="exact"`` (default) the preference vector
      :math:`Pq` is computed from ``P``; with ``oracle="sampled"`` it is replaced by a Monte
      Carlo estimate from ``n_samples`` sampled comparisons per response (opponent
      :math:`j \sim q`, outcome :math:`\sim\mathrm{Bernoulli}(P_{ij})`).
    - ``method="pg"`` is the approximate Nash-MP of [1] as described in its abstract: each prox
      step is only approximated, by ``pg_max_iter`` steps of stochastic softmax policy gradient
      (step ``pg_lr``, warm-started at :math:`\log\pi_k`) whose preference gradient is the
      REINFORCE estimate from ``n_samples`` sampled comparisons per step (responses drawn from
      the current policy, opponents from :math:`q`; the KL gradients are exact).  It needs
      ``oracle="sampled"`` (with exact preferences the prox step has the closed form: use
      ``method="closed_form"``).  It converges to a noise floor around
      :math:`\pi^\star_\beta` that shrinks with ``n_samples`` and ``pg_lr``.

    Stopping rule: :func:`equilibria.verification.regularized_exploitability` of
    :math:`\pi_k` :math:`\le` ``tol`` (computed exactly from ``P``; not counted as queries).

    Theorem (contraction of the closed-form method with the exact oracle,
    ``games.nash_mp_contraction``): with :math:`\eta = 2\beta`,

    .. math::

        \mathrm{KL}(\pi^\star_\beta\|\pi_{k+1}) \le \frac{\mathrm{KL}(\pi^\star_\beta\|\pi_k)}
        {1 + 2\beta},

    i.e. :math:`(1+2\beta)^{-N/2}` after :math:`N = 2k` preference queries (the rate in the
    abstract of Tiapkin et al. 2025; the theorem text was not accessible here).  Proof sketch
    (the standard strongly monotone Mirror Prox argument, Nemirovski 2004): the effective mirror step on the payoff is
    :math:`\eta/\beta = 2 = 1/L` with :math:`L = \max|P_{ij} - \frac12| \le \frac12` the
    :math:`\ell_1\to\ell_\infty` Lipschitz constant of :math:`q \mapsto Pq` on simplex
    differences and KL 1-strongly convex w.r.t. :math:`\ell_1` (Pinsker); the regularizer adds
    relative strong convexity :math:`\eta`, which gives the factor :math:`1/(1+\eta)`.

    Deviations and what could not be established: only the abstract of [1] (arXiv HTML v1,
    alphaxiv, Hugging Face and sciencestack summaries) was reachable with the search tools of
    this environment (searched 2026-11-24); the algorithm box, the theorem numbers and their
    constants, and the step size of [1] were not.  Established from those sources: the KL to
    :math:`\pi^\star_\beta` decreases at rate :math:`(1+2\beta)^{-N/2}` in the number
    :math:`N` of preference queries (a summary adds a :math:`1/\beta` factor for the
    exploitability), rates independent of the number of responses, and an approximate
    version whose prox steps are estimated by stochastic policy gradients.  Ours (not
    confirmed against the paper): the prox weight :math:`\beta/\eta` with default
    :math:`\eta = 2\beta`, chosen so that the one-step contraction :math:`1/(1+\eta)`
    reproduces the abstract's :math:`(1+2\beta)^{-N/2}` with two queries per iteration; the
    constant is checked numerically (``games.nash_mp_contraction``).  ``method="pg"``
    follows the abstract's description, not the paper's exact estimator, baseline, step
    sizes or inner-step count (exact KL gradients, REINFORCE with baseline 1/2);
    ``method="closed_form", oracle="sampled"`` (Monte Carlo preference vector in the closed
    form) is our own cheaper variant.

    Version followed: this function is the Mirror Prox method of version 1 of [1]
    (arXiv:2505.19731v1, "Accelerating Nash learning from human feedback via Mirror Prox",
    26 May 2025), the version whose abstract states the rate :math:`(1+2\beta)^{-N/2}`.
    Version 2 (22 March 2026, COLT 2026, retitled "Proximal Point Nash Learning from Human
    Feedback") replaces it by a proximal-point scheme around self-play policy gradient
    (equivalent to Online IPO, with high-probability last-iterate guarantees under a policy
    parametrization; its practical version is called Nash Prox), and its abstract no longer
    states the :math:`(1+2\beta)^{-N/2}` rate.  Only the abstract of version 2 could be read
    here (searched 2026-12-04: arXiv listings and mirrors, the authors' publication pages; the
    PDF in the GitHub repository misovalko/publications is stored without text), so the
    package has no Nash Prox solver and nothing in this function follows version 2.

    Parameters
    ----------
    P : array_like, shape (K, K)
        Preference matrix (entries in [0, 1], ``P + P^T = 1``).
    beta : float > 0
        Regularization strength.
    pi_ref : array_like, shape (K,), optional
        Reference policy (positive entries; uniform by default).
    pi0 : array_like, shape (K,), optional
        Starting policy (positive entries; ``pi_ref`` by default).
    eta : float, optional
        Step (default ``2 * beta``).
    method : {"closed_form", "pg"}
        The algorithm: closed-form prox steps, or prox steps approximated by stochastic softmax
        policy gradient (see above).
    oracle : {"exact", "sampled"}
        Preference oracle: the exact preference vector ``P @ q``, or Monte Carlo estimates from
        sampled pairwise comparisons.  ``method="pg"`` requires ``"sampled"``.
    n_samples : int
        Sampled comparisons per response per half step (``method="closed_form",
        oracle="sampled"``), or per policy gradient step (``method="pg"``).
    pg_max_iter : int
        Stochastic policy-gradient steps per prox step (``method="pg"``).
    pg_lr : float, optional
        Policy-gradient step (``method="pg"``); default :math:`1/(1 + \beta + \beta/\eta)`
        (the inverse of a bound on the curvature of the prox objective in the logits).
    max_iter : int
    tol : float
        Tolerance on the regularized exploitability.
    pi_star : array_like, optional
        The regularized equilibrium (e.g. from :func:`regularized_nash`), to record
        ``KL(pi_star || pi_k)``.
    seed : None, int or Generator

    Returns
    -------
    NashResult

    Raises
    ------
    ValueError
        For an unknown ``method`` or ``oracle``, and for ``method="pg"`` with
        ``oracle="exact"``.
    """
    P = _check_preference(P)
    K = P.shape[0]
    beta = check_scalar(beta, "beta", lo=0, lo_inclusive=False)
    method = check_option(method, "method", ("closed_form", "pg"))
    oracle = check_option(oracle, "oracle", ("exact", "sampled"))
    if method == "pg" and oracle == "exact":
        raise ValueError("`method`='pg' estimates the preference gradient from sampled "
                         "comparisons: pass oracle='sampled' (with exact preferences the prox "
                         "step is solved in closed form by method='closed_form')")
    ref = np.full(K, 1.0 / K) if pi_ref is None else check_simplex(pi_ref, "pi_ref", strict=True)
    if ref.shape != (K,):
        raise ValueError(f"`pi_ref` must have shape ({K},), got {ref.shape}")
    pi = ref.copy() if pi0 is None else check_simplex(pi0, "pi0", strict=True).copy()
    if pi.shape != (K,):
        raise ValueError(f"`pi0` must have shape ({K},), got {pi.shape}")
    eta = check_scalar(eta if eta is not None else 2.0 * beta, "eta", lo=0, lo_inclusive=False)
    n_samples = check_int(n_samples, "n_samples", lo=1)
    pg_max_iter = check_int(pg_max_iter, "pg_max_iter", lo=1)
    pg_lr = check_scalar(pg_lr if pg_lr is not None else 1.0 / (1.0 + beta + beta / eta),
                         "pg_lr", lo=0, lo_inclusive=False)
    max_iter = check_int(max_iter, "max_iter", lo=0)
    tol = check_scalar(tol, "tol", lo=0, lo_inclusive=False)
    if pi_star is not None:
        pi_star = check_simplex(pi_star, "pi_star")
        if pi_star.shape != (K,):
            raise ValueError(f"`pi_star` must have shape ({K},), got {pi_star.shape}")
    rng = as_generator(seed)
    logref = np.log(ref)
    logpi = np.log(pi)
    queries = 0

    def pref(q):
        nonlocal queries
        if oracle == "exact":
            queries += 1
            return P @ q
        # sampled: for every response i, n_samples opponents j ~ q and Bernoulli outcomes
        j = rng.choice(K, size=(K, n_samples), p=q)
        wins = rng.random((K, n_samples)) < P[np.arange(K)[:, None], j]
        queries += K * n_samples
        return wins.mean(axis=1)

    gaps = [regularized_exploitability(P, pi, beta, ref)]
    kls = [_kl(pi_star, pi)] if pi_star is not None else None
    status, msg = Status.MAX_ITER, (f"regularized exploitability above tol={tol:g} after "
                                    f"max_iter={max_iter} iterations; increase `max_iter`"
                                    + ("" if oracle == "exact" else " or `n_samples`"))
    k = 0
    if gaps[0] <= tol:
        status, msg = Status.SUCCESS, f"exploitability {gaps[0]:.3g} <= tol={tol:g}"
    else:
        for k in range(1, max_iter + 1):  # noqa: B007 (k is n_iter)
            pih = np.exp(logpi)
            if method == "pg":  # approximate prox steps by stochastic policy gradient
                log_half = _prox_pg(P, logpi, pih / pih.sum(), logref, eta, beta, pg_max_iter,
                                    pg_lr, n_samples, rng)
                qh = np.exp(log_half)
                logpi = _prox_pg(P, logpi, qh / qh.sum(), logref, eta, beta, pg_max_iter, pg_lr,
                                 n_samples, rng)
                queries += 2 * pg_max_iter * n_samples
            else:
                # docstring eq. for pi_{k+1/2} (equation numbers of [1] not retrievable)
                log_half = _prox(logpi, pref(pih), logref, eta, beta)
                # docstring eq. for pi_{k+1}: payoff at pi_{k+1/2}, prox centre still pi_k
                logpi = _prox(logpi, pref(np.exp(log_half)), logref, eta, beta)
            pi = np.exp(logpi)
            pi /= pi.sum()
            if not np.all(np.isfinite(pi)):
                status, msg = Status.NUMERICAL, "non-finite policy; lower `eta`"
                break
            g = regularized_exploitability(P, pi, beta, ref)
            gaps.append(g)
            if kls is not None:
                kls.append(_kl(pi_star, pi))
            if g <= tol:
                status, msg = Status.SUCCESS, f"exploitability {g:.3g} <= tol={tol:g}"
                break
    return finish(NashResult, success=status == Status.SUCCESS, status=status, message=msg,
                  n_iter=k, pi=pi, gap=float(gaps[-1]), gap_history=np.asarray(gaps),
                  kl_history=None if kls is None else np.asarray(kls), n_queries=int(queries))


def regularized_nash(P, beta, *, pi_ref=None, tol=1e-13) -> np.ndarray:
    r"""The :math:`\beta`-regularized equilibrium by a Newton-type root solve (independent of
    Nash-MP; the reference solution of the tests and theorems).

    The equilibrium is the fixed point :math:`\pi = \mathrm{softmax}(\log\pi_{ref} +
    P\pi/\beta)`; we solve :math:`g - P\,\mathrm{softmax}(\log\pi_{ref} + g/\beta) = 0` for
    :math:`g = P\pi` with MINPACK's hybrid Powell method (``scipy.optimize.root``, analytic
    Jacobian) and check the regularized exploitability.

    Parameters
    ----------
    P : array_like, shape (K, K)
        Preference matrix (entries in [0, 1], ``P + P^T = 1``).
    beta : float
        Regularization strength ``> 0``.
    pi_ref : array_like, shape (K,), optional
        Reference policy (positive entries summing to 1; uniform by default).
    tol : float
        Accuracy target: the regularized exploitability of the result must be
        ``<= max(1e3 * tol, 1e-12)``.

    Returns
    -------
    ndarray, shape (K,)
        The :math:`\beta`-regularized equilibrium policy :math:`\pi` (a point of the simplex).

    Raises
    ------
    RuntimeError
        If the root solve does not reach exploitability ``<= 1e3 * tol``.
    """
    P = _check_preference(P)
    K = P.shape[0]
    beta = check_scalar(beta, "beta", lo=0, lo_inclusive=False)
    tol = check_scalar(tol, "tol", lo=0, lo_inclusive=False)
    ref = np.full(K, 1.0 / K) if pi_ref is None else check_simplex(pi_ref, "pi_ref", strict=True)
    if ref.shape != (K,):
        raise ValueError(f"`pi_ref` must have shape ({K},), got {ref.shape}")
    logref = np.log(ref)

    def soft(g):
        z = logref + g / beta
        z = np.exp(z - z.max())
        return z / z.sum()

    def fun(g):
        return g - P @ soft(g)

    def jac(g):
        p = soft(g)
        return np.eye(K) - P @ (np.diag(p) - np.outer(p, p)) / beta

    sol = scipy.optimize.root(fun, P @ ref, jac=jac, method="hybr", tol=1e-15)
    pi = soft(sol.x)
    gap = regularized_exploitability(P, pi, beta, ref)
    if not gap <= max(1e3 * tol, 1e-12):
        raise RuntimeError(f"regularized_nash: root solve failed (exploitability {gap:.3g}); "
                           f"{sol.message}")
    return pi
