# ruff: noqa: NPY002  (numba kernels use the legacy np.random API: numba keeps one seeded MT19937 per thread)
"""Finite-action linear bandits: OFUL / LinUCB and linear Thompson sampling
(:func:`linear_kernel`), with the ridge helpers shared by :mod:`.dynlin`."""

from __future__ import annotations

import math

import numpy as np

from equilibria._lib.jit import njit
from equilibria._lib.linalg import sherman_morrison_update

from .._codes import LinearPolicyCode
from .common import _argmax, _reset_ridge

# plain-int copies of the codes: numba compiles module-level ints in as constants
OFUL = int(LinearPolicyCode.OFUL)
LINEAR_TS = int(LinearPolicyCode.LINEAR_TS)

#: floor of a Cholesky pivot (keeps the square root real when rounding makes it <= 0)
_PIVOT_FLOOR = 1e-300


@njit
def _cholesky(M, Lc):
    """Lower Cholesky factor of the SPD matrix ``M`` into ``Lc`` (small d; no LAPACK)."""
    d = M.shape[0]
    for i in range(d):
        for j in range(i + 1):
            acc = M[i, j]
            for k in range(j):
                acc -= Lc[i, k] * Lc[j, k]
            if i == j:
                Lc[i, i] = math.sqrt(max(acc, _PIVOT_FLOOR))
            else:
                Lc[i, j] = acc / Lc[j, j]
        for j in range(i + 1, d):
            Lc[i, j] = 0.0


@njit(inline="always")
def _ridge_estimate(Vinv, b, th):
    """``th = V^{-1} b`` (the ridge estimate, eq. (5) of Abbasi-Yadkori et al. 2011)."""
    d = th.shape[0]
    for k in range(d):
        acc = 0.0
        for l in range(d):
            acc += Vinv[k, l] * b[l]
        th[k] = acc


@njit(inline="always")
def _oful_choice(actions, th, Vinv, rad):
    """``argmax_x <x, th> + rad ||x||_{V^-1}`` over the rows of ``actions`` (first maximum)."""
    K, d = actions.shape
    a = 0
    bestv = -np.inf
    for i in range(K):
        m = 0.0
        w = 0.0
        for k in range(d):
            m += actions[i, k] * th[k]
            acc = 0.0
            for l in range(d):
                acc += Vinv[k, l] * actions[i, l]
            w += actions[i, k] * acc
        val = m + rad * math.sqrt(max(w, 0.0))
        if val > bestv:
            bestv = val
            a = i
    return a


@njit(inline="always")
def _greedy_choice(actions, th):
    """``argmax_x <x, th>`` over the rows of ``actions`` (first maximum)."""
    K, d = actions.shape
    a = 0
    bestv = -np.inf
    for i in range(K):
        val = 0.0
        for k in range(d):
            val += actions[i, k] * th[k]
        if val > bestv:
            bestv = val
            a = i
    return a


@njit(inline="always")
def _ellipsoid_norm2(V, diff):
    """``||diff||_V^2 = diff^T V diff``."""
    d = diff.shape[0]
    q = 0.0
    for k in range(d):
        acc = 0.0
        for l in range(d):
            acc += V[k, l] * diff[l]
        q += diff[k] * acc
    return q


@njit(inline="always")
def _sample_gaussian(th, Vinv, scale, Lc, z, out):
    """``out ~ N(th, scale^2 V^{-1})`` through the Cholesky factor ``Lc`` of ``V^{-1}``."""
    d = th.shape[0]
    _cholesky(Vinv, Lc)
    for k in range(d):
        z[k] = np.random.standard_normal()
    for k in range(d):
        acc = 0.0
        for l in range(k + 1):
            acc += Lc[k, l] * z[l]
        out[k] = th[k] + scale * acc


@njit
def linear_kernel(actions, theta, sigma, policy, par, horizon, seeds, ck, out_pseudo, out_real,
                  out_pulls, out_rec, out_cover):
    """Finite-action linear bandit ``X_t = <A_t, theta> + sigma * N(0, 1)``.

    ``policy`` (:class:`~equilibria.bandits._codes.LinearPolicyCode`) OFUL: Abbasi-Yadkori,
    Pal, Szepesvari (2011); LINEAR_TS: linear Thompson sampling.
    ``par = [lam, delta, S, R, v]``: ridge parameter, confidence level, ``||theta|| <= S``,
    sub-Gaussian constant of the noise, TS inflation factor (``v <= 0``: use sqrt(beta_t)).
    ``out_cover[r]`` is 1 when ``||theta_hat_t - theta||_{V_t} <= sqrt(beta_t)`` held at every
    round of run ``r`` (the event of Abbasi-Yadkori et al. 2011, Thm 2).
    """
    K, d = actions.shape
    lam, delta, S, R, v = par[0], par[1], par[2], par[3], par[4]
    vals = np.zeros(K)
    for i in range(K):
        for k in range(d):
            vals[i] += actions[i, k] * theta[k]
    Lc = np.zeros((d, d))
    z = np.empty(d)
    best = vals[_argmax(vals)]
    n_ck = ck.size
    V = np.empty((d, d))
    Vinv = np.empty((d, d))
    b = np.empty(d)
    th = np.empty(d)
    Vx = np.empty(d)
    diff = np.empty(d)  # theta_hat - theta, then (Thompson sampling) the sampled theta
    pulls = np.zeros(K)
    for r in range(seeds.size):
        np.random.seed(seeds[r])
        _reset_ridge(V, Vinv, b, lam)
        for i in range(K):
            pulls[i] = 0.0
        logdet_ratio = 0.0  # log det(V_t) - d log(lam)
        covered = 1
        pseudo = 0.0
        real = 0.0
        j = 0
        for t in range(horizon):
            _ridge_estimate(Vinv, b, th)
            # sqrt(beta_t) = R sqrt(2 log(1/delta) + log(det V_t / lam^d)) + sqrt(lam) S  (Thm 2)
            rad = R * math.sqrt(2.0 * math.log(1.0 / delta) + logdet_ratio) + math.sqrt(lam) * S
            # coverage of theta by the ellipsoid
            for k in range(d):
                diff[k] = th[k] - theta[k]
            if _ellipsoid_norm2(V, diff) > rad * rad:
                covered = 0
            if policy == OFUL:  # optimistic index <x, theta_hat> + sqrt(beta) ||x||_{V^-1}
                a = _oful_choice(actions, th, Vinv, rad)
            else:  # LINEAR_TS: best action for theta_tilde ~ N(theta_hat, v^2 V^{-1})
                _sample_gaussian(th, Vinv, v if v > 0.0 else rad, Lc, z, diff)
                a = _greedy_choice(actions, diff)
            x = actions[a]
            y = vals[a] + sigma * np.random.standard_normal()
            # Sherman-Morrison update of V^{-1}; det(V + x x^T) = det(V) (1 + x^T V^{-1} x)
            den = sherman_morrison_update(Vinv, V, x, Vx)
            for k in range(d):
                b[k] += y * x[k]
            logdet_ratio += math.log(den)
            pulls[a] += 1.0
            pseudo += best - vals[a]
            real += best - y
            if j < n_ck and ck[j] == t + 1:
                out_pseudo[r, j] = pseudo
                out_real[r, j] = real
                j += 1
        for i in range(K):
            out_pulls[r, i] = pulls[i]
        out_rec[r] = _argmax(pulls)
        out_cover[r] = covered
