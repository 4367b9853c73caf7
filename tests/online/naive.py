"""Slow, obviously correct oracles for the online-learning kernels."""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq

from equilibria.solvers.online import Ball, Box, Simplex

# Oracles take the decision set as an object (Simplex, Ball, Box) and read its parameters with
# plain numpy, independently of the sets' own methods and of the kernels.


def log_barrier_naive(L, eta):
    """argmin_p <p, L> - (1/eta) sum log p_i on the simplex, by brentq on the multiplier."""
    L = np.asarray(L, dtype=float)
    m = L.min()

    def f(lam):
        return np.sum(1.0 / (eta * (L - lam))) - 1.0

    lo = m - len(L) / eta - 1.0  # f(lo) < 0
    hi = m - 1.0 / eta  # f(hi) >= 0
    if f(hi) == 0.0:
        lam = hi
    else:
        lam = brentq(f, lo, hi, xtol=1e-14, rtol=1e-15, maxiter=500)
    p = 1.0 / (eta * (L - lam))
    return p / p.sum(), lam


def tsallis_naive(L, eta):
    """argmin_p <p, L> - (2/eta) sum sqrt(p_i) on the simplex, by brentq on the multiplier."""
    L = np.asarray(L, dtype=float)
    m = L.min()

    def f(lam):
        return np.sum(1.0 / (eta * (L - lam)) ** 2) - 1.0

    lo = m - np.sqrt(len(L)) / eta - 1.0
    hi = m - 1.0 / eta
    lam = hi if f(hi) == 0.0 else brentq(f, lo, hi, xtol=1e-14, rtol=1e-15, maxiter=500)
    p = 1.0 / (eta * (L - lam)) ** 2
    return p / p.sum(), lam


# -- projections -------------------------------------------------------------------------------
def project_simplex_naive(v):
    """Sort-based Euclidean projection onto the simplex (Held, Wolfe, Crowder 1974)."""
    v = np.asarray(v, dtype=float)
    u = np.sort(v)[::-1]
    css = np.cumsum(u)
    k = np.arange(1, len(v) + 1)
    rho = np.nonzero(u - (css - 1) / k > 0)[0][-1]
    tau = (css[rho] - 1) / (rho + 1)
    return np.maximum(v - tau, 0)


def project_naive(v, domain):
    if isinstance(domain, Simplex):
        return project_simplex_naive(v)
    if isinstance(domain, Ball):
        n = np.linalg.norm(v)
        return v if n <= domain.radius else v * domain.radius / n
    assert isinstance(domain, Box)
    return np.clip(v, domain.lo, domain.hi)


def mirror_ftrl_naive(theta, eta, regularizer, domain=Simplex(), center=None):
    if regularizer == "euclidean":
        return project_naive(center - eta * theta, domain)
    if regularizer == "entropy":
        w = np.exp(-eta * (theta - theta.min()))
        return w / w.sum()
    if regularizer == "log_barrier":
        return log_barrier_naive(theta, eta)[0]
    return tsallis_naive(theta, eta)[0]


def mirror_omd_naive(x, g, eta, regularizer, domain=Simplex()):
    if regularizer == "euclidean":
        return project_naive(x - eta * g, domain)
    if regularizer == "entropy":
        w = x * np.exp(-eta * (g - g.min()))
        return w / w.sum()
    if regularizer == "log_barrier":
        return log_barrier_naive(g + 1 / (eta * x), eta)[0]
    return tsallis_naive(g + 1 / (eta * np.sqrt(x)), eta)[0]


def best_value_naive(L, domain):
    if isinstance(domain, Simplex):
        return L.min()
    if isinstance(domain, Ball):
        return -domain.radius * np.linalg.norm(L)
    return np.sum(np.minimum(L * domain.lo, L * domain.hi))


def _regret(G, X, domain):
    L = np.cumsum(G, axis=0)
    cum = np.cumsum(np.sum(G * X, axis=1))
    return cum - np.array([best_value_naive(l, domain) for l in L])


# -- algorithms --------------------------------------------------------------------------------
def hedge_naive(losses, eta):
    T, N = losses.shape
    L = np.zeros(N)
    W = np.empty((T, N))
    for t in range(T):
        w = np.exp(-eta * (L - L.min()))
        W[t] = w / w.sum()
        L += losses[t]
    return W, _regret(losses, W, Simplex())


def omd_naive(G, eta, regularizer="euclidean", domain=Ball(), x1=None, hints=None):
    """(Optimistic when ``hints`` is given, array (T, d)) OMD, plain loops."""
    T, d = G.shape
    xh = np.asarray(x1, dtype=float).copy()
    X = np.empty((T, d))
    XH = [xh.copy()]
    for t in range(T):
        x = xh if hints is None else mirror_omd_naive(xh, hints[t], eta, regularizer, domain)
        X[t] = x
        xh = mirror_omd_naive(xh, G[t], eta, regularizer, domain)
        XH.append(xh.copy())
    return X, np.array(XH), _regret(G, X, domain)


def ftrl_naive(G, eta, regularizer="entropy", domain=Simplex(), center=None, hints=None):
    T, d = G.shape
    L = np.zeros(d)
    X = np.empty((T, d))
    for t in range(T):
        th = L if hints is None else L + hints[t]
        X[t] = mirror_ftrl_naive(th, eta, regularizer, domain, center)
        L = L + G[t]
    return X, _regret(G, X, domain)


def sea_omd_naive(G, G_max, D, delta, domain=Ball(), x1=None):
    """Chen et al. (2023) optimistic OMD with eta_t = D / sqrt(delta + 4 G^2 + sum ||g - m||^2)."""
    T, d = G.shape
    xh = np.asarray(x1, dtype=float).copy()
    X = np.empty((T, d))
    var = 0.0
    m = np.zeros(d)
    for t in range(T):
        eta = D / np.sqrt(delta + 4 * G_max**2 + var)
        X[t] = project_naive(xh - eta * m, domain)
        xh = project_naive(xh - eta * G[t], domain)
        var += np.sum((G[t] - m) ** 2)
        m = G[t]
    return X, _regret(G, X, domain)


def oftrl_adaptive_naive(G, D, delta, domain=Ball(), center=None):
    T, d = G.shape
    L = np.zeros(d)
    m = np.zeros(d)
    var = 0.0
    X = np.empty((T, d))
    for t in range(T):
        eta = D / np.sqrt(delta + var)
        X[t] = project_naive(center - eta * (L + m), domain)
        L += G[t]
        var += np.sum((G[t] - m) ** 2)
        m = G[t]
    return X, _regret(G, X, domain)


def selfplay_naive(A, T, eta, optimistic=True):
    n, m = A.shape
    Lx, Ly = np.zeros(n), np.zeros(m)
    ux, uy = np.zeros(n), np.zeros(m)
    xs, ys = [], []
    for _ in range(T):
        tx = Lx + (ux if optimistic else 0)
        ty = Ly + (uy if optimistic else 0)
        x = np.exp(-eta * (tx - tx.min()))
        x /= x.sum()
        y = np.exp(-eta * (ty - ty.min()))
        y /= y.sum()
        ux, uy = A @ y, -A.T @ x
        Lx += ux
        Ly += uy
        xs.append(x)
        ys.append(y)
    return np.mean(xs, axis=0), np.mean(ys, axis=0)


def ons_portfolio_naive(R, gamma, eps):
    """ONS with the generalized projection solved by cvxpy (quadratic program)."""
    import cvxpy as cp

    T, d = R.shape
    x = np.full(d, 1.0 / d)
    A = eps * np.eye(d)
    X = np.empty((T, d))
    for t in range(T):
        X[t] = x
        g = -R[t] / (R[t] @ x)
        A = A + np.outer(g, g)
        y = x - np.linalg.solve(A, g) / gamma
        z = cp.Variable(d, nonneg=True)
        Lc = np.linalg.cholesky(A)
        prob = cp.Problem(cp.Minimize(cp.sum_squares(Lc.T @ (z - y))), [cp.sum(z) == 1])
        prob.solve(solver=cp.CLARABEL)
        x = np.clip(z.value, 0, None)
        x /= x.sum()
    return X
