# ruff: noqa: NPY002  (numba kernels use the legacy np.random API: numba keeps one seeded MT19937 per thread)
"""Closed-loop fair thresholds: Optimistic Feasible Search and its baselines
(:func:`ofs_kernel`)."""

from __future__ import annotations

import math

import numpy as np

from equilibria._lib.jit import njit

from .._codes import SHARE_MAX, SHARE_MIN, ThresholdPolicyCode
from .common import _argmax

# plain-int copies of the codes: numba compiles module-level ints in as constants
OFS = int(ThresholdPolicyCode.OFS)
PRIMAL_DUAL = int(ThresholdPolicyCode.PRIMAL_DUAL)
UNCONSTRAINED = int(ThresholdPolicyCode.UNCONSTRAINED)


@njit
def _threshold_means(acc, good, cost, eps, rmin, pi, j, out):
    """Expected reward and constraint residuals of grid threshold ``j`` at group-1 share ``pi``."""
    a0 = acc[0, j]
    a1 = acc[1, j]
    out[0] = (1.0 - pi) * (good[0, j] - cost * a0) + pi * (good[1, j] - cost * a1)
    out[1] = abs(a0 - a1) - eps  # demographic parity residual (<= 0 feasible)
    out[2] = rmin - ((1.0 - pi) * a0 + pi * a1)  # service-rate residual (<= 0 feasible)


@njit
def _binomial(n, p):
    """Binomial(n, p) by sequential inversion (small n; avoids compiling numba's sampler).

    Works with ``min(p, 1 - p)`` so the starting mass ``q^n >= 2^-n`` does not underflow for
    ``n <= 1000`` (the environment caps the batch there).
    """
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    flip = p > 0.5
    pp = 1.0 - p if flip else p
    q = 1.0 - pp
    ratio = pp / q
    r = q ** n  # P(X = 0)
    u = np.random.random()
    x = 0
    while u > r and x < n:
        u -= r
        x += 1
        r *= ratio * (n - x + 1) / x  # P(X = x) / P(X = x - 1)
    return n - x if flip else x


# ---------------------------------------------------------------------------------------------
# select (after one pull per threshold); radius c_i = beta sqrt(log t / n_i)
# ---------------------------------------------------------------------------------------------
@njit(inline="always")
def _ofs_choice(beta, lt, cnt, sr, sg1, sg2):
    """OFS: the optimistic reward over the optimistically feasible thresholds; if none looks
    feasible, the least optimistic violation."""
    G = cnt.size
    a = -1
    bestv = -np.inf
    for i in range(G):
        rad = beta * math.sqrt(lt / cnt[i])
        if sg1[i] / cnt[i] - rad <= 0.0 and sg2[i] / cnt[i] - rad <= 0.0:
            v = sr[i] / cnt[i] + rad
            if v > bestv:
                bestv = v
                a = i
    if a < 0:  # nothing looks feasible: least optimistic violation
        bestv = np.inf
        for i in range(G):
            rad = beta * math.sqrt(lt / cnt[i])
            v = max(sg1[i] / cnt[i] - rad, 0.0) + max(sg2[i] / cnt[i] - rad, 0.0)
            if v < bestv:
                bestv = v
                a = i
    return a


@njit(inline="always")
def _primal_dual_choice(beta, lt, lam1, lam2, cnt, sr, sg1, sg2):
    """Primal-dual: the optimistic Lagrangian ``r + c - lam1 (g1 - c) - lam2 (g2 - c)``."""
    a = -1
    bestv = -np.inf
    for i in range(cnt.size):
        rad = beta * math.sqrt(lt / cnt[i])
        v = sr[i] / cnt[i] + rad - lam1 * (sg1[i] / cnt[i] - rad) \
            - lam2 * (sg2[i] / cnt[i] - rad)
        if v > bestv:
            bestv = v
            a = i
    return a


@njit(inline="always")
def _ucb_choice(beta, lt, cnt, sr):
    """Unconstrained UCB on the reward."""
    a = -1
    bestv = -np.inf
    for i in range(cnt.size):
        v = sr[i] / cnt[i] + beta * math.sqrt(lt / cnt[i])
        if v > bestv:
            bestv = v
            a = i
    return a


@njit
def ofs_kernel(acc, good, env_par, policy, par, horizon, seeds, ck, out_pseudo, out_real,
               out_viol, out_pulls, out_rec):
    """Closed-loop threshold environment with demographic-parity and service-rate constraints.

    ``env_par = [cost, eps, rmin, pi0, kappa, gamma, batch, rstar, pi_init]``; each round a batch
    of ``batch`` applicants arrives (group 1 with probability ``pi_t``); the chosen threshold
    accepts group ``g`` with probability ``acc[g, j]`` and an accepted applicant repays with
    probability ``good[g, j] / acc[g, j]``; reward per applicant is ``repaid - cost * accepted``.
    The share evolves as ``pi_{t+1} = (1 - kappa) pi_t + kappa clip(pi0 + gamma (a1 - a0))``.

    ``policy`` (:class:`~equilibria.bandits._codes.ThresholdPolicyCode`): OFS, PRIMAL_DUAL
    (Lagrangian UCB) or UNCONSTRAINED (UCB).
    ``par = [beta, eta, lam_max]``: radius scale ``beta sqrt(log t / n)``, dual step, dual cap.
    """
    G = acc.shape[1]
    cost, eps, rmin, pi0, kappa, gamma = env_par[0], env_par[1], env_par[2], env_par[3], env_par[4], env_par[5]
    batch = int(env_par[6])
    rstar = env_par[7]
    beta, eta, lam_max = par[0], par[1], par[2]
    n_ck = ck.size
    cnt = np.zeros(G)  # pulls per threshold
    sr = np.zeros(G)  # reward sums
    sg1 = np.zeros(G)  # demographic-parity residual sums
    sg2 = np.zeros(G)  # service-rate residual sums
    ex = np.empty(3)
    for r in range(seeds.size):
        np.random.seed(seeds[r])
        for i in range(G):  # explicit loop: slice assignment is slow to compile
            cnt[i] = 0.0
            sr[i] = 0.0
            sg1[i] = 0.0
            sg2[i] = 0.0
        pi = env_par[8]
        lam1 = 0.0
        lam2 = 0.0
        pseudo = 0.0
        real = 0.0
        viol = 0.0
        jck = 0
        for t in range(horizon):
            # ---------------- select ----------------
            if t < G:
                a = t
            else:
                lt = math.log(t + 1.0)
                if policy == OFS:
                    a = _ofs_choice(beta, lt, cnt, sr, sg1, sg2)
                elif policy == PRIMAL_DUAL:
                    a = _primal_dual_choice(beta, lt, lam1, lam2, cnt, sr, sg1, sg2)
                else:  # UNCONSTRAINED
                    a = _ucb_choice(beta, lt, cnt, sr)
            # ---------------- environment step ----------------
            _threshold_means(acc, good, cost, eps, rmin, pi, a, ex)
            n1 = _binomial(batch, pi)
            n0 = batch - n1
            k0 = _binomial(n0, acc[0, a])
            k1 = _binomial(n1, acc[1, a])
            q0 = good[0, a] / acc[0, a] if acc[0, a] > 0.0 else 0.0
            q1 = good[1, a] / acc[1, a] if acc[1, a] > 0.0 else 0.0
            g0 = _binomial(k0, min(q0, 1.0))
            g1 = _binomial(k1, min(q1, 1.0))
            rew = (g0 + g1 - cost * (k0 + k1)) / batch
            r0 = k0 / n0 if n0 > 0 else acc[0, a]
            r1 = k1 / n1 if n1 > 0 else acc[1, a]
            res1 = abs(r0 - r1) - eps
            res2 = rmin - (k0 + k1) / batch
            # ---------------- update ----------------
            cnt[a] += 1.0
            sr[a] += rew
            sg1[a] += res1
            sg2[a] += res2
            if policy == PRIMAL_DUAL:  # projected dual ascent
                lam1 = min(max(lam1 + eta * res1, 0.0), lam_max)
                lam2 = min(max(lam2 + eta * res2, 0.0), lam_max)
            # ---------------- regret and violation ----------------
            pseudo += rstar - ex[0]
            real += rstar - rew
            viol += max(ex[1], 0.0) + max(ex[2], 0.0)
            # closed loop: the population responds to the decision
            target = pi0 + gamma * (acc[1, a] - acc[0, a])
            target = min(max(target, SHARE_MIN), SHARE_MAX)
            pi = (1.0 - kappa) * pi + kappa * target
            if jck < n_ck and ck[jck] == t + 1:
                out_pseudo[r, jck] = pseudo
                out_real[r, jck] = real
                out_viol[r, jck] = viol
                jck += 1
        for i in range(G):
            out_pulls[r, i] = cnt[i]
        out_rec[r] = _argmax(cnt)
