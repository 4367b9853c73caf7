"""numba kernels of the coexistence room: vector field and a batched Dormand-Prince 5(4).

One signature each: float64 arrays, int64 / float64 scalars.  The field is

    kind 0 (GLV):        f_i = x_i * (r_i + (A x)_i)
    kind 2 (Holling II): f_i = x_i * (r_i + (A x)_i + sum_j M_ij x_j / (1 + q_j x_j))
    kind 1 (replicator): f_i = x_i * ((A x)_i - x^T A x)

Integration statuses (per initial condition): 0 reached ``t_end``, 1 steady state
(``max|f| <= ftol`` after ``t >= t_min``), 2 diverged (``max|x| > bound``), 3 non-finite state,
4 step budget exhausted, 5 step size underflow.
"""

from __future__ import annotations

import numpy as np

from equilibria._lib.jit import njit, prange

# Dormand & Prince (1980) 5(4) tableau; Hairer, Norsett & Wanner (1993), Table II.5.2
C2, C3, C4, C5 = 1 / 5, 3 / 10, 4 / 5, 8 / 9
A21 = 1 / 5
A31, A32 = 3 / 40, 9 / 40
A41, A42, A43 = 44 / 45, -56 / 15, 32 / 9
A51, A52, A53, A54 = 19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729
A61, A62, A63, A64, A65 = 9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656
B1, B3, B4, B5, B6 = 35 / 384, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84
# error coefficients b - b_hat (b_hat: the embedded 4th-order weights)
E1 = 71 / 57600
E3 = -71 / 16695
E4 = 71 / 1920
E5 = -17253 / 339200
E6 = 22 / 525
E7 = -1 / 40


@njit
def _field(x, kind, r, A, M, q, work, out):
    """Vector field at ``x`` written into ``out`` (``work``: scratch of length n)."""
    n = x.shape[0]
    if kind == 2:
        for j in range(n):
            work[j] = x[j] / (1.0 + q[j] * x[j])
        for i in range(n):
            s = r[i]
            for j in range(n):
                s += A[i, j] * x[j] + M[i, j] * work[j]
            out[i] = x[i] * s
        return
    for i in range(n):
        s = 0.0
        for j in range(n):
            s += A[i, j] * x[j]
        out[i] = s
    if kind == 1:
        phi = 0.0
        for i in range(n):
            phi += x[i] * out[i]
        for i in range(n):
            out[i] = x[i] * (out[i] - phi)
        return
    for i in range(n):
        out[i] = x[i] * (r[i] + out[i])


def make_dp5(field, cache=True):
    """Build an adaptive DP5(4) integrator around ``field(x, P, work, out)``.

    ``P`` is a tuple of the field's parameters.  Used for the built-in Lotka-Volterra field
    (cached) and for compiled symbolic fields (``cache=False``).
    """

    @njit(cache=cache)
    def integrate_one(x0, t_eval, P, rtol, atol, h0, max_iter, ftol, t_min, bound, Y):
        """Adaptive DP5(4) from ``x0`` at t=0, writing states at ``t_eval`` into ``Y``.

        Returns ``(status, t_stop, n_steps)``.  Rows of ``Y`` after a divergence/failure are NaN;
        after a steady state they repeat the steady state.
        """
        n = x0.shape[0]
        k1 = np.empty(n)
        k2 = np.empty(n)
        k3 = np.empty(n)
        k4 = np.empty(n)
        k5 = np.empty(n)
        k6 = np.empty(n)
        k7 = np.empty(n)
        y = x0.copy()
        yt = np.empty(n)
        yn = np.empty(n)
        work = np.empty(n)
        t = 0.0
        n_out = t_eval.shape[0]
        k = 0
        while k < n_out and t_eval[k] <= 0.0:
            for i in range(n):
                Y[k, i] = y[i]
            k += 1
        if k == n_out:
            return 0, t, 0
        field(y, P, work, k1)
        h = h0
        steps = 0
        status = 0
        fac_min = 0.2
        while k < n_out:
            # steady-state stop (sweeps): max|f| <= ftol
            if ftol > 0.0 and t >= t_min:
                fm = 0.0
                for i in range(n):
                    a = abs(k1[i])
                    if a > fm:
                        fm = a
                if fm <= ftol:
                    status = 1
                    break
            if steps >= max_iter:
                status = 4
                break
            t_target = t_eval[k]
            last = False
            if t + h >= t_target:
                h = t_target - t
                last = True
            if h <= 1e-14 * max(1.0, abs(t)):
                status = 5
                break
            for i in range(n):
                yt[i] = y[i] + h * A21 * k1[i]
            field(yt, P, work, k2)
            for i in range(n):
                yt[i] = y[i] + h * (A31 * k1[i] + A32 * k2[i])
            field(yt, P, work, k3)
            for i in range(n):
                yt[i] = y[i] + h * (A41 * k1[i] + A42 * k2[i] + A43 * k3[i])
            field(yt, P, work, k4)
            for i in range(n):
                yt[i] = y[i] + h * (A51 * k1[i] + A52 * k2[i] + A53 * k3[i] + A54 * k4[i])
            field(yt, P, work, k5)
            for i in range(n):
                yt[i] = y[i] + h * (A61 * k1[i] + A62 * k2[i] + A63 * k3[i] + A64 * k4[i]
                                    + A65 * k5[i])
            field(yt, P, work, k6)
            for i in range(n):
                yn[i] = y[i] + h * (B1 * k1[i] + B3 * k3[i] + B4 * k4[i] + B5 * k5[i] + B6 * k6[i])
            field(yn, P, work, k7)
            # error estimate, RMS norm of err / (atol + rtol * max(|y|, |y_new|))  (HNW II.4.11)
            err = 0.0
            finite = True
            for i in range(n):
                e = h * (E1 * k1[i] + E3 * k3[i] + E4 * k4[i] + E5 * k5[i] + E6 * k6[i]
                         + E7 * k7[i])
                sc = atol + rtol * max(abs(y[i]), abs(yn[i]))
                err += (e / sc) ** 2
                if not np.isfinite(yn[i]):
                    finite = False
            err = np.sqrt(err / n)
            steps += 1
            if not finite or not np.isfinite(err):
                h *= 0.25
                fac_min = 0.2
                if h < 1e-12:
                    status = 3
                    break
                continue
            if err <= 1.0:
                t = t_target if last else t + h
                big = 0.0
                for i in range(n):
                    v = yn[i]
                    if v < 0.0:  # positivity of x * (...) systems; only round-off can cross 0
                        v = 0.0
                    y[i] = v
                    k1[i] = k7[i]
                    if v > big:
                        big = v
                if big > bound:
                    status = 2
                    break
                fac = 0.9 * err ** (-0.2) if err > 1e-10 else 10.0
                h = h * min(10.0, max(fac_min, fac))
                fac_min = 0.2
                if last:
                    for i in range(n):
                        Y[k, i] = y[i]
                    k += 1
            else:
                h = h * max(0.2, 0.9 * err ** (-0.2))
                fac_min = 1.0  # no growth right after a rejection
        if status == 1:
            while k < n_out:
                for i in range(n):
                    Y[k, i] = y[i]
                k += 1
        elif k < n_out:
            while k < n_out:
                for i in range(n):
                    Y[k, i] = np.nan
                k += 1
        return status, t, steps

    return integrate_one


@njit
def _field_packed(x, P, work, out):
    """:func:`_field` with its parameters packed as ``P = (kind, r, A, M, q)``."""
    _field(x, P[0], P[1], P[2], P[3], P[4], work, out)


_integrate_one = make_dp5(_field_packed)


@njit(parallel=True)
def _integrate_batch(X0, t_eval, kind, r, A, M, q, rtol, atol, h0, max_iter, ftol, t_min,
                     bound, Y, status, t_stop, n_steps):
    """:func:`_integrate_one` for every row of ``X0`` (parallel over rows)."""
    m = X0.shape[0]
    for p in prange(m):
        s, ts, ns = _integrate_one(X0[p], t_eval, (kind, r, A, M, q), rtol, atol, h0,
                                   max_iter, ftol, t_min, bound, Y[p])
        status[p] = s
        t_stop[p] = ts
        n_steps[p] = ns


@njit
def _covered_fraction(Y, Z, eps):
    """Fraction of the rows of ``Y`` within sup-distance ``eps`` of some row of ``Z``.

    The return-to-a-neighbourhood test of the recurrence fallback (early exit per row).
    """
    m, n = Y.shape
    k = Z.shape[0]
    hit = 0
    for i in range(m):
        for j in range(k):
            d = 0.0
            for c in range(n):
                a = abs(Y[i, c] - Z[j, c])
                if a > d:
                    d = a
                    if d > eps:
                        break
            if d <= eps:
                hit += 1
                break
    return hit / m if m > 0 else 1.0
