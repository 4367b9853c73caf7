"""numba kernels of the dynamics machinery for any system: a general adaptive Dormand-Prince
5(4) flow (no positivity clipping), map iteration, the recurrence finite-state machine of
Datseris & Wagemakers (2022) and the tangent dynamics of Lyapunov exponents.

Every kernel is built by a factory around the system's compiled right-hand side
``rhs(x, p, out)`` (written into ``out``), so one system compiles once; parameters ``p`` are a
runtime float64 vector (changing them never recompiles).

Advance statuses: 0 ok, 1 non-finite state, 2 step budget exhausted, 3 step-size underflow,
4 (end states and trajectories only) ``max|x| > bound``.
Recurrence labels: ``k >= 1`` attractor ``k``, 0 unresolved (step budget), -1 diverged (left
the grid for too long, passed the horizon limit or became non-finite).

References
----------
1. E. Hairer, S. P. Norsett, G. Wanner, Solving Ordinary Differential Equations I, 2nd ed.,
   Springer (1993), II.4-II.5 (DP5(4) tableau, step control).
2. G. Datseris, A. Wagemakers, "Effortless estimation of basins of attraction", Chaos 32
   (2022) 023104, Sec. II (recurrence finite-state machine, cell labels).
3. G. Benettin, L. Galgani, A. Giorgilli, J.-M. Strelcyn, Meccanica 15 (1980) 9-20 (QR method
   of the Lyapunov spectrum).
"""

from __future__ import annotations

import numpy as np

from equilibria._lib.jit import njit, prange

from ._kernels import (A21, A31, A32, A41, A42, A43, A51, A52, A53, A54, A61, A62, A63, A64,
                       A65, B1, B3, B4, B5, B6, E1, E3, E4, E5, E6, E7)

#: indices into the integrator option vector ``opts``
O_DT, O_RTOL, O_ATOL, O_MAXSTEPS = 0, 1, 2, 3
#: step-size factor bounds of the controller and the safety factor (HNW II.4)
FAC_MIN, FAC_MAX, SAFETY = 0.2, 10.0, 0.9
#: relative step-size floor (underflow)
H_FLOOR = 1e-14
#: forward-difference step of Jacobians, relative to max(1, |x|_inf): sqrt(machine epsilon)
FD_STEP = 1.4901161193847656e-08

# cell codes of the recurrence grid: 0 unvisited, 1 visited by the current orbit,
# 2k attractor k, 2k + 1 basin of attractor k
UNVISITED, VISITED = 0, 1
# modes of the finite-state machine
SEARCH, LOCATE = 0, 1


def make_dp5_attempt(rhs, n):
    """One Dormand-Prince 5(4) attempt around ``rhs(x, p, out)`` in dimension ``n``.

    ``attempt(y, h, p, ws, rtol, atol) -> (err, finite)``: with ``ws[0]`` holding
    ``k1 = f(y)`` on entry, computes the stages ``k2 .. k7`` into ``ws[1:7]`` and the
    5th-order state ``y_new`` into ``ws[8]`` (``ws[7]`` is scratch), and returns the RMS error
    norm ``sqrt(mean((e_i / (atol + rtol max(|y_i|, |y_new_i|)))^2))`` (HNW II.4.11) and
    whether ``y_new`` and ``k7 = f(y_new)`` are finite.  The one stage code of every flow
    kernel (:func:`make_flow`) and of the Poincare section search
    (:mod:`equilibria.odes.derived`); ``k7`` is ``f(y_new)`` (first same as last).
    """

    @njit(cache=False)
    def attempt(y, h, p, ws, rtol, atol):
        k1, k2, k3, k4, k5, k6, k7, yt, yn = ws[0], ws[1], ws[2], ws[3], ws[4], ws[5], ws[6], \
            ws[7], ws[8]
        for i in range(n):
            yt[i] = y[i] + h * A21 * k1[i]
        rhs(yt, p, k2)
        for i in range(n):
            yt[i] = y[i] + h * (A31 * k1[i] + A32 * k2[i])
        rhs(yt, p, k3)
        for i in range(n):
            yt[i] = y[i] + h * (A41 * k1[i] + A42 * k2[i] + A43 * k3[i])
        rhs(yt, p, k4)
        for i in range(n):
            yt[i] = y[i] + h * (A51 * k1[i] + A52 * k2[i] + A53 * k3[i] + A54 * k4[i])
        rhs(yt, p, k5)
        for i in range(n):
            yt[i] = y[i] + h * (A61 * k1[i] + A62 * k2[i] + A63 * k3[i]
                                + A64 * k4[i] + A65 * k5[i])
        rhs(yt, p, k6)
        for i in range(n):
            yn[i] = y[i] + h * (B1 * k1[i] + B3 * k3[i] + B4 * k4[i] + B5 * k5[i]
                                + B6 * k6[i])
        rhs(yn, p, k7)
        err = 0.0
        finite = True
        for i in range(n):
            e = h * (E1 * k1[i] + E3 * k3[i] + E4 * k4[i] + E5 * k5[i] + E6 * k6[i]
                     + E7 * k7[i])
            sc = atol + rtol * max(abs(y[i]), abs(yn[i]))
            err += (e / sc) ** 2
            if not np.isfinite(yn[i]) or not np.isfinite(k7[i]):
                finite = False
        err = np.sqrt(err / n)
        return err, finite

    return attempt


def make_flow(rhs, n, nonneg=False):
    """DP5(4) kernels around ``rhs(x, p, out)`` for a state of dimension ``n``.

    With ``nonneg`` accepted states are clipped at 0 (population-type fields ``x * (...)``,
    whose orthant is invariant, where only round-off can cross 0).

    Returns ``(advance, end_states, trajectory)``:

    - ``advance(y, hb, p, opts, ws)`` integrates ``y`` in place over ``opts[O_DT]`` time units
      (``hb[0]`` carries the step size between calls, ``hb[1]`` the time, ``hb[2]`` counts
      steps); ``ws`` is scratch of shape ``(9, n)``; returns an advance status;
    - ``end_states(X0, p, t_end, opts, bound, out, status, steps)`` integrates every row to
      ``t_end`` in parallel;
    - ``trajectory(x0, p, t_eval, opts, bound, Y)`` writes the states at ``t_eval``.
    """
    attempt = make_dp5_attempt(rhs, n)

    @njit(cache=False)
    def advance_to(y, hb, t_target, p, opts, ws):
        rtol, atol = opts[O_RTOL], opts[O_ATOL]
        max_steps = opts[O_MAXSTEPS]
        k1, k7, yn = ws[0], ws[6], ws[8]
        t = hb[1]
        h = hb[0]
        rhs(y, p, k1)
        fac_lo = FAC_MIN
        while t < t_target:
            if hb[2] >= max_steps:
                hb[1] = t
                return 2
            last = False
            if t + h >= t_target:
                h_used = t_target - t
                last = True
            else:
                h_used = h
            if h_used <= H_FLOOR * max(1.0, abs(t)):
                hb[1] = t
                return 3
            err, finite = attempt(y, h_used, p, ws, rtol, atol)
            hb[2] += 1
            if not finite or not np.isfinite(err):
                h = 0.25 * h_used
                fac_lo = FAC_MIN
                if h <= H_FLOOR * max(1.0, abs(t)):
                    hb[1] = t
                    return 1
                continue
            if err <= 1.0:
                t = t_target if last else t + h_used
                for i in range(n):
                    y[i] = max(yn[i], 0.0) if nonneg else yn[i]
                    k1[i] = k7[i]
                fac = SAFETY * err ** (-0.2) if err > 1e-10 else FAC_MAX
                h_new = h_used * min(FAC_MAX, max(fac_lo, fac))
                # a step shortened to hit t_target does not shrink the carried step size
                h = max(h_new, h) if last else h_new
                fac_lo = FAC_MIN
            else:
                h = h_used * max(FAC_MIN, SAFETY * err ** (-0.2))
                fac_lo = 1.0
        hb[0] = h
        hb[1] = t
        return 0

    @njit(cache=False)
    def advance(y, hb, p, opts, ws):
        return advance_to(y, hb, hb[1] + opts[O_DT], p, opts, ws)

    @njit(cache=False, parallel=True)
    def end_states(X0, p, t_end, opts, bound, out, status, steps):
        m = X0.shape[0]
        for r in prange(m):
            ws = np.empty((9, n))
            hb = np.array([min(1e-2, t_end), 0.0, 0.0])
            y = X0[r].copy()
            st = advance_to(y, hb, t_end, p, opts, ws)
            if st == 0:
                for i in range(n):
                    if not np.isfinite(y[i]):
                        st = 1
                    elif abs(y[i]) > bound:
                        st = 4
            status[r] = st
            steps[r] = hb[2]
            for i in range(n):
                out[r, i] = y[i]

    @njit(cache=False)
    def trajectory(x0, p, t_eval, opts, bound, Y):
        ws = np.empty((9, n))
        hb = np.array([1e-2, 0.0, 0.0])
        y = x0.copy()
        st = 0
        k = 0
        while k < t_eval.shape[0]:
            st = advance_to(y, hb, t_eval[k], p, opts, ws)
            big = 0.0
            for i in range(n):
                big = max(big, abs(y[i]))
            if st == 0 and big > bound:
                st = 4
            if st != 0:
                break
            for i in range(n):
                Y[k, i] = y[i]
            k += 1
        for j in range(k, t_eval.shape[0]):
            for i in range(n):
                Y[j, i] = np.nan
        return st, hb[2]

    return advance, end_states, trajectory


def make_map(rhs, n):
    """Kernels of a map ``x <- rhs(x, p)``: the same shapes as :func:`make_flow`.

    ``advance`` applies the map ``opts[O_DT]`` times (``hb[1]`` counts iterations);
    ``end_states`` iterates ``t_end`` times; ``trajectory`` records the iterates at the integer
    times ``t_eval``.
    """

    @njit(cache=False)
    def advance_n(y, hb, n_it, p, ws):
        out = ws[0]
        for _ in range(n_it):
            rhs(y, p, out)
            for i in range(n):
                if not np.isfinite(out[i]):
                    return 1
                y[i] = out[i]
            hb[1] += 1.0
            hb[2] += 1.0
        return 0

    @njit(cache=False)
    def advance(y, hb, p, opts, ws):
        return advance_n(y, hb, int(opts[O_DT]), p, ws)

    @njit(cache=False, parallel=True)
    def end_states(X0, p, t_end, opts, bound, out, status, steps):
        m = X0.shape[0]
        for r in prange(m):
            ws = np.empty((9, n))
            hb = np.zeros(3)
            y = X0[r].copy()
            st = 0
            k = 0
            while k < int(t_end) and st == 0:
                st = advance_n(y, hb, 1, p, ws)
                for i in range(n):
                    if abs(y[i]) > bound:
                        st = 4
                k += 1
            status[r] = st
            steps[r] = hb[2]
            for i in range(n):
                out[r, i] = y[i]

    @njit(cache=False)
    def trajectory(x0, p, t_eval, opts, bound, Y):
        ws = np.empty((9, n))
        hb = np.zeros(3)
        y = x0.copy()
        st = 0
        k = 0
        while k < t_eval.shape[0]:
            target = int(t_eval[k])
            st = advance_n(y, hb, target - int(hb[1]), p, ws)
            big = 0.0
            for i in range(n):
                big = max(big, abs(y[i]))
            if st == 0 and big > bound:
                st = 4
            if st != 0:
                break
            for i in range(n):
                Y[k, i] = y[i]
            k += 1
        for j in range(k, t_eval.shape[0]):
            for i in range(n):
                Y[j, i] = np.nan
        return st, hb[2]

    return advance, end_states, trajectory


def make_recurrence(advance, n):
    """The recurrence finite-state machine over a uniform grid, around ``advance``.

    ``recurrence(X0, p, opts, lo, width, bins, strides, cells, thr, reuse, labels, steps,
    att_pts, att_len, n_att)``:

    - ``cells`` (int32, one entry per grid cell, flattened with ``strides``) carries the labels
      between orbits (0 unvisited, 1 visited now, ``2k`` attractor ``k``, ``2k+1`` basin of
      ``k``), so later orbits stop as soon as they reach a labelled basin;
    - ``thr`` = (consecutive recurrences to declare an attractor, steps that locate it,
      consecutive attractor hits, consecutive basin hits, consecutive lost steps, horizon
      limit, step budget, transient steps);
    - with ``reuse`` an initial condition in an already labelled cell takes its label at once;
    - attractor ``k``'s located states go to ``att_pts[k - 1, :att_len[k - 1]]``; ``n_att[0]``
      counts attractors (at most ``att_pts.shape[0]``; more leave the orbit unresolved and set
      ``n_att[1] = 1``).
    """

    @njit(cache=False)
    def locate(y, lo, width, bins, strides):
        c = 0
        for i in range(n):
            v = (y[i] - lo[i]) / width[i]
            if not (v >= 0.0) or v >= bins[i]:
                return -1
            c += int(v) * strides[i]
        return c

    @njit(cache=False)
    def recurrence(X0, p, opts, lo, width, bins, strides, cells, thr, reuse, labels, steps,
                   att_pts, att_len, n_att):
        c_rec, c_loc, c_att, c_bas = int(thr[0]), int(thr[1]), int(thr[2]), int(thr[3])
        c_lost, horizon, budget, transient = int(thr[4]), thr[5], int(thr[6]), int(thr[7])
        max_att = att_pts.shape[0]
        ws = np.empty((9, n))
        visited = np.empty(1024, dtype=np.int64)
        for r in range(X0.shape[0]):
            y = X0[r].copy()
            c0 = locate(y, lo, width, bins, strides)
            if reuse and c0 >= 0 and cells[c0] >= 2:
                labels[r] = cells[c0] // 2
                steps[r] = 0
                continue
            hb = np.array([1e-2, 0.0, 0.0])
            mode = SEARCH
            n_vis = 0
            rec = 0
            hits_att = 0
            hits_bas = 0
            last_att = 0
            last_bas = 0
            lost = 0
            loc = 0
            k_new = 0
            label = 0
            it = 0
            while it < budget:
                st = advance(y, hb, p, opts, ws)
                it += 1
                if st != 0:
                    label = -1 if st == 1 else 0
                    break
                big = 0.0
                for i in range(n):
                    big = max(big, abs(y[i]))
                if big > horizon:
                    label = -1
                    break
                if it <= transient:
                    continue
                c = locate(y, lo, width, bins, strides)
                if c < 0:
                    lost += 1
                    if lost > c_lost:
                        label = -1
                        break
                    continue
                lost = 0
                v = cells[c]
                if mode == LOCATE:
                    # every cell the new attractor occupies becomes its cell, including cells an
                    # earlier orbit labelled as the basin of another attractor (a coarse cell
                    # can hold both): left as a foreign basin cell it would make later orbits
                    # on this attractor alternate between the two labels and never resolve
                    if v == VISITED or v == UNVISITED or v % 2 == 1:
                        cells[c] = 2 * k_new
                    if loc < att_pts.shape[1]:
                        for i in range(n):
                            att_pts[k_new - 1, loc, i] = y[i]
                    loc += 1
                    if loc >= c_loc:
                        att_len[k_new - 1] = min(loc, att_pts.shape[1])
                        n_att[0] = k_new
                        label = k_new
                        break
                    continue
                if v == UNVISITED:
                    cells[c] = VISITED
                    if n_vis == visited.shape[0]:
                        grown = np.empty(2 * n_vis, dtype=np.int64)
                        grown[:n_vis] = visited
                        visited = grown
                    visited[n_vis] = c
                    n_vis += 1
                    rec = 0
                    hits_att = 0
                    hits_bas = 0
                elif v == VISITED:
                    rec += 1
                    hits_att = 0
                    hits_bas = 0
                    if rec >= c_rec:
                        if n_att[0] >= max_att:
                            n_att[1] = 1
                            label = 0
                            break
                        mode = LOCATE
                        k_new = n_att[0] + 1
                        cells[c] = 2 * k_new
                        for i in range(n):
                            att_pts[k_new - 1, 0, i] = y[i]
                        loc = 1
                elif v % 2 == 0:
                    k = v // 2
                    hits_att = hits_att + 1 if k == last_att else 1
                    last_att = k
                    hits_bas = 0
                    if hits_att >= c_att:
                        label = k
                        break
                else:
                    k = v // 2
                    hits_bas = hits_bas + 1 if k == last_bas else 1
                    last_bas = k
                    hits_att = 0
                    if hits_bas >= c_bas:
                        label = k
                        break
            labels[r] = label
            steps[r] = it
            # the cells this orbit visited become its basin (or are released)
            for j in range(n_vis):
                cj = visited[j]
                if cells[cj] == VISITED:
                    cells[cj] = 2 * label + 1 if label > 0 else UNVISITED

    return locate, recurrence


def make_tangent(rhs, jac, n, k, has_jac):
    """Right-hand side of the flow with ``k`` tangent vectors: ``z = (x, Q)``, ``x' = f(x)``,
    ``Q' = J(x) Q`` (``J`` from ``jac(x, p, J)`` or by forward differences of ``rhs``)."""

    @njit(cache=False)
    def jacobian(x, p, J):
        if has_jac:
            jac(x, p, J)
            return
        f0 = np.empty(n)
        f1 = np.empty(n)
        xh = x.copy()
        rhs(x, p, f0)
        # step scaled by the state's magnitude, not the coordinate's: with mixed scales a
        # tiny coordinate's step would cancel catastrophically against the large f values
        scale = 1.0
        for j in range(n):
            scale = max(scale, abs(x[j]))
        for j in range(n):
            h = FD_STEP * scale
            xh[j] = x[j] + h
            rhs(xh, p, f1)
            for i in range(n):
                J[i, j] = (f1[i] - f0[i]) / h
            xh[j] = x[j]

    @njit(cache=False)
    def tangent_rhs(z, p, out):
        x = z[:n]
        rhs(x, p, out[:n])
        J = np.empty((n, n))
        jacobian(x, p, J)
        for c in range(k):
            for i in range(n):
                s = 0.0
                for j in range(n):
                    s += J[i, j] * z[n + j * k + c]
                out[n + i * k + c] = s

    return jacobian, tangent_rhs
