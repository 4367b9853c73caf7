# ruff: noqa: NPY002  (numba kernels use the legacy np.random API: numba keeps one seeded MT19937 per thread)
"""Dynamical linear bandits: DynLin-UCB, epochs of held actions (:func:`dynlin_kernel`)."""

from __future__ import annotations

import math

import numpy as np

from equilibria._lib.jit import njit
from equilibria._lib.linalg import sherman_morrison_update

from .common import _argmax, _reset_ridge
from .linear import _oful_choice, _ridge_estimate


@njit
def dynlin_kernel(A, B, omega, theta, actions, sigma, x0, J, policy, par, horizon, seeds, ck,
                  out_pseudo, out_real, out_pulls, out_rec):
    """Dynamical linear bandit ``x_{t+1} = A x_t + B u_t``, ``y_t = <omega, x_t> + <theta, u_t> + noise``.

    ``policy`` (:class:`~equilibria.bandits._codes.DynLinPolicyCode`) DYNLIN_UCB or
    MYOPIC_OFUL (OFUL that ignores the dynamics: one round per "epoch", no burn-in); the two
    differ only through ``par``, so the kernel does not read ``policy``.
    ``par = [lam, delta, S, burn, avg, bias]``.  Epoch ``m`` holds the optimistic action for
    ``burn + avg`` rounds; the sample of the epoch is the mean of the last ``avg`` rewards, whose
    noise is sigma / sqrt(avg) sub-Gaussian and whose transient bias is at most ``bias``.
    Regret is measured against ``J = J* = max_u <h, u>``, ``h = theta + B^T (I - A)^{-T} omega``
    (computed by the caller).
    """
    K, d = actions.shape
    nx = A.shape[0]
    lam, delta, S, burn, avg, bias = par[0], par[1], par[2], int(par[3]), int(par[4]), par[5]
    n_ck = ck.size
    V = np.empty((d, d))
    Vinv = np.empty((d, d))
    bvec = np.empty(d)
    th = np.empty(d)
    Vx = np.empty(d)
    x = np.empty(nx)
    xn = np.empty(nx)
    pulls = np.zeros(K)
    R_avg = sigma / math.sqrt(avg)
    for r in range(seeds.size):
        np.random.seed(seeds[r])
        _reset_ridge(V, Vinv, bvec, lam)
        for k in range(nx):
            x[k] = x0[k]
        for i in range(K):
            pulls[i] = 0.0
        logdet_ratio = 0.0
        pseudo = 0.0
        real = 0.0
        j = 0
        t = 0
        m = 0
        while t < horizon:
            _ridge_estimate(Vinv, bvec, th)
            # radius: OFUL radius at the averaged noise level plus the accumulated bias term
            rad = R_avg * math.sqrt(2.0 * math.log(1.0 / delta) + logdet_ratio) \
                + math.sqrt(lam) * S + bias * math.sqrt(m)
            a = _oful_choice(actions, th, Vinv, rad)
            u = actions[a]
            ysum = 0.0
            cnt = 0
            hold = burn + avg
            for s_ in range(hold):
                if t >= horizon:
                    break
                mean_y = 0.0  # noiseless reward <omega, x> + <theta, u>
                for k in range(nx):
                    mean_y += omega[k] * x[k]
                for k in range(d):
                    mean_y += theta[k] * u[k]
                y = mean_y + sigma * np.random.standard_normal()
                if s_ >= burn:
                    ysum += y
                    cnt += 1
                for k in range(nx):  # x <- A x + B u
                    acc = 0.0
                    for l in range(nx):
                        acc += A[k, l] * x[l]
                    for l in range(d):
                        acc += B[k, l] * u[l]
                    xn[k] = acc
                for k in range(nx):
                    x[k] = xn[k]
                pulls[a] += 1.0
                pseudo += J - mean_y
                real += J - y
                t += 1
                if j < n_ck and ck[j] == t:
                    out_pseudo[r, j] = pseudo
                    out_real[r, j] = real
                    j += 1
            if cnt == avg:  # complete epoch: add (u, mean of post-transient rewards)
                ybar = ysum / cnt
                den = sherman_morrison_update(Vinv, V, u, Vx)
                for k in range(d):
                    bvec[k] += ybar * u[k]
                logdet_ratio += math.log(den)
                m += 1
        for i in range(K):
            out_pulls[r, i] = pulls[i]
        out_rec[r] = _argmax(pulls)
