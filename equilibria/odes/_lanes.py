"""Lane-batched DP5(4) end-state integrator of the Lotka-Volterra-type fields (SIMD-friendly).

:func:`_integrate_batch` of :mod:`._kernels` integrates one initial condition at a time per
thread: the field of an ``n``-dimensional system is a few short loops of length ``n``, which
the compiler cannot vectorise.  Here every thread integrates ``lanes`` orbits side by side,
with the state stored as ``(n, lanes)`` arrays, so every arithmetic loop runs over the lanes
(contiguous, branch-free, vectorised by LLVM).  Each lane has its own time, step size and
accept/reject decision, exactly as the scalar integrator; a lane whose orbit stops (steady
state, end time, divergence, failure) is refilled with the next initial condition of the
thread's share at once, so no lane idles while the slowest orbit finishes.

The arithmetic of every lane follows the scalar kernel operation for operation (the same
tableau, the same error norm summed in the same order, the same step-size rule, the same
positivity clip), so statuses are identical to ``_integrate_batch`` with
``t_eval = [t_end]``, step counts too but for a rare borderline accept/reject decision, and
end states agree to rounding (the compiler may fuse a multiply and an add in the vectorised
loops; ``tests/odes/test_lanes.py``).  On the 6-D lock-in preset one thread needs about a
ninth of the scalar kernel's CPU time per orbit (``benchmarks/basins_diffrax.py``).
"""

from __future__ import annotations

import numpy as np

from equilibria._lib.jit import njit, prange

from ._kernels import (A21, A31, A32, A41, A42, A43, A51, A52, A53, A54, A61, A62, A63, A64,
                       A65, B1, B3, B4, B5, B6, E1, E3, E4, E5, E6, E7, _field)

#: orbits integrated side by side per thread: ``lanes_for(n)``, between MIN_LANES and MAX_LANES
#: so that the eleven ``(n, lanes)`` stage arrays stay within ~256 KiB (L2)
MIN_LANES, MAX_LANES = 4, 64


def lanes_for(n: int) -> int:
    """Lanes per thread for an ``n``-dimensional system."""
    return int(min(MAX_LANES, max(MIN_LANES, 2048 // max(n, 1))))


@njit
def _field_lanes(x, kind, r, A, M, q, w, s, out):
    """The field of :func:`._kernels._field` for every lane: ``x, out`` of shape (n, lanes)."""
    n = x.shape[0]
    L = x.shape[1]
    if kind == 2:
        for j in range(n):
            qj = q[j]
            for ell in range(L):
                w[j, ell] = x[j, ell] / (1.0 + qj * x[j, ell])
        for i in range(n):
            ri = r[i]
            for ell in range(L):
                s[ell] = ri
            for j in range(n):
                a = A[i, j]
                m = M[i, j]
                for ell in range(L):
                    s[ell] += a * x[j, ell] + m * w[j, ell]
            for ell in range(L):
                out[i, ell] = x[i, ell] * s[ell]
        return
    for i in range(n):
        for ell in range(L):
            s[ell] = 0.0
        for j in range(n):
            a = A[i, j]
            for ell in range(L):
                s[ell] += a * x[j, ell]
        for ell in range(L):
            out[i, ell] = s[ell]
    if kind == 1:
        for ell in range(L):
            s[ell] = 0.0
        for i in range(n):
            for ell in range(L):
                s[ell] += x[i, ell] * out[i, ell]
        for i in range(n):
            for ell in range(L):
                out[i, ell] = x[i, ell] * (out[i, ell] - s[ell])
        return
    for i in range(n):
        ri = r[i]
        for ell in range(L):
            out[i, ell] = x[i, ell] * (ri + out[i, ell])


@njit
def _run_share(X0, lo, hi, kind, r, A, M, q, rtol, atol, h0, max_iter, ftol, t_min, t_end,
               bound, L, Yend, status, t_stop, n_steps):
    """Orbits ``lo .. hi-1`` of ``X0`` on ``L`` lanes with refill."""
    n = X0.shape[1]
    y = np.zeros((n, L))
    yt = np.zeros((n, L))
    yn = np.zeros((n, L))
    k1 = np.zeros((n, L))
    k2 = np.zeros((n, L))
    k3 = np.zeros((n, L))
    k4 = np.zeros((n, L))
    k5 = np.zeros((n, L))
    k6 = np.zeros((n, L))
    k7 = np.zeros((n, L))
    w = np.zeros((n, L))
    s = np.zeros(L)
    h = np.zeros(L)
    t = np.zeros(L)
    last = np.zeros(L, dtype=np.bool_)
    facmin = np.zeros(L)
    steps = np.zeros(L, dtype=np.int64)
    idx = np.full(L, -1, dtype=np.int64)
    # scratch of the one-lane field evaluation (first stage of a freshly loaded orbit)
    x1 = np.zeros(n)
    f1 = np.zeros(n)
    w1 = np.zeros(n)
    nxt = lo
    n_active = 0
    # load the first orbits
    for ell in range(L):
        if nxt < hi:
            idx[ell] = nxt
            nxt += 1
            n_active += 1
    for ell in range(L):
        if idx[ell] >= 0:
            _load(X0, idx[ell], ell, y, k1, h, t, facmin, steps, kind, r, A, M, q, h0, x1, f1,
                  w1)
    while n_active > 0:
        # per lane: the checks before a step; a lane that stops is refilled until it steps
        for ell in range(L):
            while idx[ell] >= 0:
                code = -1
                if ftol > 0.0 and t[ell] >= t_min:
                    fm = 0.0
                    for i in range(n):
                        a = abs(k1[i, ell])
                        if a > fm:
                            fm = a
                    if fm <= ftol:
                        code = 1
                if code < 0 and steps[ell] >= max_iter:
                    code = 4
                if code < 0:
                    last[ell] = False
                    if t[ell] + h[ell] >= t_end:
                        h[ell] = t_end - t[ell]
                        last[ell] = True
                    if h[ell] <= 1e-14 * max(1.0, abs(t[ell])):
                        code = 5
                if code < 0:
                    break  # this lane steps
                nxt, n_active = _retire(ell, code, nxt, hi, n_active, X0, idx, y, k1, h, t,
                                        facmin, steps, kind, r, A, M, q, h0, x1, f1, w1,
                                        Yend, status, t_stop, n_steps)
        if n_active == 0:
            break
        # one DP5(4) attempt on every lane (idle lanes compute on their last state, h = 0)
        for i in range(n):
            for ell in range(L):
                yt[i, ell] = y[i, ell] + h[ell] * A21 * k1[i, ell]
        _field_lanes(yt, kind, r, A, M, q, w, s, k2)
        for i in range(n):
            for ell in range(L):
                yt[i, ell] = y[i, ell] + h[ell] * (A31 * k1[i, ell] + A32 * k2[i, ell])
        _field_lanes(yt, kind, r, A, M, q, w, s, k3)
        for i in range(n):
            for ell in range(L):
                yt[i, ell] = y[i, ell] + h[ell] * (A41 * k1[i, ell] + A42 * k2[i, ell]
                                                   + A43 * k3[i, ell])
        _field_lanes(yt, kind, r, A, M, q, w, s, k4)
        for i in range(n):
            for ell in range(L):
                yt[i, ell] = y[i, ell] + h[ell] * (A51 * k1[i, ell] + A52 * k2[i, ell]
                                                   + A53 * k3[i, ell] + A54 * k4[i, ell])
        _field_lanes(yt, kind, r, A, M, q, w, s, k5)
        for i in range(n):
            for ell in range(L):
                yt[i, ell] = y[i, ell] + h[ell] * (A61 * k1[i, ell] + A62 * k2[i, ell]
                                                   + A63 * k3[i, ell] + A64 * k4[i, ell]
                                                   + A65 * k5[i, ell])
        _field_lanes(yt, kind, r, A, M, q, w, s, k6)
        for i in range(n):
            for ell in range(L):
                yn[i, ell] = y[i, ell] + h[ell] * (B1 * k1[i, ell] + B3 * k3[i, ell]
                                                   + B4 * k4[i, ell] + B5 * k5[i, ell]
                                                   + B6 * k6[i, ell])
        _field_lanes(yn, kind, r, A, M, q, w, s, k7)
        for ell in range(L):
            s[ell] = 0.0
        for i in range(n):
            for ell in range(L):
                e = h[ell] * (E1 * k1[i, ell] + E3 * k3[i, ell] + E4 * k4[i, ell]
                              + E5 * k5[i, ell] + E6 * k6[i, ell] + E7 * k7[i, ell])
                sc = atol + rtol * max(abs(y[i, ell]), abs(yn[i, ell]))
                s[ell] += (e / sc) ** 2
        # per lane: accept / reject (the scalar kernel's rules)
        for ell in range(L):
            if idx[ell] < 0:
                continue
            finite = True
            for i in range(n):
                if not np.isfinite(yn[i, ell]):
                    finite = False
            err = np.sqrt(s[ell] / n)
            steps[ell] += 1
            if not finite or not np.isfinite(err):
                h[ell] *= 0.25
                facmin[ell] = 0.2
                if h[ell] < 1e-12:
                    nxt, n_active = _retire(ell, 3, nxt, hi, n_active, X0, idx, y, k1, h, t,
                                            facmin, steps, kind, r, A, M, q, h0, x1, f1, w1,
                                            Yend, status, t_stop, n_steps)
                continue
            if err <= 1.0:
                t[ell] = t_end if last[ell] else t[ell] + h[ell]
                big = 0.0
                for i in range(n):
                    v = yn[i, ell]
                    if v < 0.0:
                        v = 0.0
                    y[i, ell] = v
                    k1[i, ell] = k7[i, ell]
                    if v > big:
                        big = v
                code = -1
                if big > bound:
                    code = 2
                else:
                    fac = 0.9 * err ** (-0.2) if err > 1e-10 else 10.0
                    h[ell] = h[ell] * min(10.0, max(facmin[ell], fac))
                    facmin[ell] = 0.2
                    if last[ell]:
                        code = 0
                if code >= 0:
                    nxt, n_active = _retire(ell, code, nxt, hi, n_active, X0, idx, y, k1, h,
                                            t, facmin, steps, kind, r, A, M, q, h0, x1, f1, w1,
                                            Yend, status, t_stop, n_steps)
            else:
                h[ell] = h[ell] * max(0.2, 0.9 * err ** (-0.2))
                facmin[ell] = 1.0


@njit
def _retire(ell, code, nxt, hi, n_active, X0, idx, y, k1, h, t, facmin, steps, kind, r, A, M, q,
            h0, x1, f1, w1, Yend, status, t_stop, n_steps):
    """Outputs of lane ``ell``'s orbit (stop ``code``), then the next orbit of the share on the
    lane, or the lane idles (``h = 0``); returns the new ``(nxt, n_active)``."""
    _finish(idx[ell], ell, code, y, t, steps, Yend, status, t_stop, n_steps)
    if nxt < hi:
        idx[ell] = nxt
        _load(X0, nxt, ell, y, k1, h, t, facmin, steps, kind, r, A, M, q, h0, x1, f1, w1)
        return nxt + 1, n_active
    idx[ell] = -1
    h[ell] = 0.0
    return nxt, n_active - 1


@njit
def _load(X0, p, ell, y, k1, h, t, facmin, steps, kind, r, A, M, q, h0, x1, f1, w1):
    n = X0.shape[1]
    for i in range(n):
        x1[i] = X0[p, i]
        y[i, ell] = X0[p, i]
    _field(x1, kind, r, A, M, q, w1, f1)
    for i in range(n):
        k1[i, ell] = f1[i]
    h[ell] = h0
    t[ell] = 0.0
    facmin[ell] = 0.2
    steps[ell] = 0


@njit
def _finish(p, ell, code, y, t, steps, Yend, status, t_stop, n_steps):
    """Outputs of orbit ``p``: the end state (steady state or t_end), NaN after a failure."""
    n = y.shape[0]
    if code == 0 or code == 1:
        for i in range(n):
            Yend[p, i] = y[i, ell]
    else:
        for i in range(n):
            Yend[p, i] = np.nan
    status[p] = code
    t_stop[p] = t[ell]
    n_steps[p] = steps[ell]


@njit(parallel=True)
def _integrate_lanes(X0, kind, r, A, M, q, rtol, atol, h0, max_iter, ftol, t_min, t_end, bound,
                     lanes, n_shares, Yend, status, t_stop, n_steps):
    """End states of every row of ``X0`` at ``t_end`` (or at the steady state), ``n_shares``
    contiguous shares of rows run in parallel, each on ``lanes`` lanes."""
    m = X0.shape[0]
    for c in prange(n_shares):
        lo = (c * m) // n_shares
        hi = ((c + 1) * m) // n_shares
        _run_share(X0, lo, hi, kind, r, A, M, q, rtol, atol, h0, max_iter, ftol, t_min, t_end,
                   bound, lanes, Yend, status, t_stop, n_steps)
