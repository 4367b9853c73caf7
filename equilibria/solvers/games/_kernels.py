"""numba kernels for finite sums of affine components F_i(x) = M_i x + q_i.

Float64 arrays and int64 / float64 scalars only (one compiled signature each).  The public
wrappers are in :mod:`.halpern`; the kernels implement the same iterations as the generic
Python loops there (tests compare the two on the same problems).
"""

from __future__ import annotations

import numpy as np

from equilibria._lib.jit import njit


@njit
def _vr_coco_linear_kernel(M, Mbar, qbar, x0, tol, budget, b, p, eta, seed, max_hist):
    """Cocoercive VR-Halpern (Cai et al. 2024, Alg. 1) with the PAGE estimator.

    Returns (x, calls, k, hist, n_hist, status) with status 0 success, 1 budget, 2 non-finite.
    """
    np.random.seed(seed)  # noqa: NPY002 (numba seeds its own stream)
    n, d = M.shape[0], M.shape[1]
    x = x0.copy()
    Fk = Mbar @ x + qbar
    calls = n
    hist = np.empty(max_hist)
    nh = 0
    full = True
    k = 0
    diff = np.empty(d)
    acc = np.empty(d)
    while True:
        if full:
            r = np.sqrt(np.sum(Fk * Fk))
            if not np.isfinite(r):
                return x, calls, k, hist, nh, 2
            if nh < max_hist:
                hist[nh] = r
                nh += 1
            if r <= tol:
                return x, calls, k, hist, nh, 0
        if calls >= budget:
            return x, calls, k, hist, nh, 1
        lam = 1.0 / (k + 2)
        x_new = lam * x0 + (1.0 - lam) * (x - eta * Fk)  # Halpern step
        if np.random.random() < p:  # noqa: NPY002
            Fk = Mbar @ x_new + qbar  # full pass
            calls += n
            full = True
        else:
            for j in range(d):
                diff[j] = x_new[j] - x[j]
                acc[j] = 0.0
            for _s in range(b):
                i = np.random.randint(0, n)  # noqa: NPY002
                Mi = M[i]
                for a in range(d):
                    t = 0.0
                    for c in range(d):
                        t += Mi[a, c] * diff[c]
                    acc[a] += t
            for j in range(d):
                Fk[j] += acc[j] / b  # F_i(x_new) - F_i(x) = M_i (x_new - x)
            calls += 2 * b
            full = False
        x = x_new
        k += 1


@njit
def _vr_mono_linear_kernel(M, Mbar, qbar, x0, tol, budget, eta, tau, inner_scale, L, seed,
                           max_hist):
    """Monotone VR-Halpern (Cai et al. 2024, Alg. 2): Halpern on an inexact resolvent computed
    by loopless SVRG extragradient (Alacaoglu & Malitsky 2022, Alg. 1), single sample,
    snapshot probability 1/n.  Returns (x, calls, k, hist, n_hist, status)."""
    np.random.seed(seed)  # noqa: NPY002 (numba seeds its own stream)
    n, d = M.shape[0], M.shape[1]
    pin = 1.0 / n
    alpha = 1.0 - pin
    x = x0.copy()
    u = x0.copy()
    calls = 0
    hist = np.empty(max_hist)
    nh = 0
    k = 0
    zbar = np.empty(d)
    zh = np.empty(d)
    dz = np.empty(d)
    while True:
        eps_k = inner_scale * eta * tol / (k + 2)
        w = u.copy()
        Fw = Mbar @ w + qbar
        calls += n
        while True:
            G = w - x + eta * Fw
            gnorm = np.sqrt(np.sum(G * G))
            r = np.sqrt(np.sum(Fw * Fw))
            if not (np.isfinite(gnorm) and np.isfinite(r)):
                return w, calls, k, hist, nh, 2
            if nh < max_hist:
                hist[nh] = r
                nh += 1
            if r <= tol:
                return w, calls, k, hist, nh, 0
            if gnorm <= eps_k:
                u = w.copy()
                break
            if calls >= budget:
                return w, calls, k, hist, nh, 1
            while True:
                for j in range(d):
                    zbar[j] = alpha * u[j] + (1.0 - alpha) * w[j]
                    zh[j] = (zbar[j] - tau * eta * Fw[j] + tau * x[j]) / (1.0 + tau)
                    dz[j] = zh[j] - w[j]
                i = np.random.randint(0, n)  # noqa: NPY002
                Mi = M[i]
                for a in range(d):
                    t = 0.0
                    for c in range(d):
                        t += Mi[a, c] * dz[c]  # F_i(z_half) - F_i(w)
                    u[a] = (zbar[a] - tau * eta * (Fw[a] + t) + tau * x[a]) / (1.0 + tau)
                calls += 2
                if np.random.random() < pin or calls >= budget:  # noqa: NPY002
                    break
            w = u.copy()
            Fw = Mbar @ w + qbar  # snapshot: full pass
            calls += n
        lam = 1.0 / (k + 2)
        x = lam * x0 + (1.0 - lam) * u  # Halpern step on the inexact resolvent
        k += 1
