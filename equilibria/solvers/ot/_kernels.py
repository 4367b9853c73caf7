"""numba kernels of the optimal-transport solvers (float64 arrays, int64 scalars).

The Sinkhorn sweeps also exist as ``*_f32`` clones (the same source, a separate dispatcher
and cache entry) taking a float32 kernel / cost; see the end of the module.

Conventions inside the kernels (the public wrappers convert): marginals ``a`` (n,), ``b`` (m,)
are positive probability vectors (zero-weight points are removed by the wrappers where the
regularizer needs it), ``C`` is (n, m) row-major and ``CT`` its contiguous transpose.

Sinkhorn kernels use the *standard* potentials ``F, G`` with plan
``P_ij = exp((F_i + G_j - C_ij) / reg)``; the stabilized scaling keeps absorbed potentials
``f, g`` in the kernel ``K_ij = exp((f_i + g_j - C_ij) / reg)`` and scalings ``u, v`` with
``P = diag(u) K diag(v)`` (Schmitzer 2019, Sec. 3.2, Alg. 2).
"""

from __future__ import annotations

import numpy as np

import types

from equilibria._lib.jit import njit, prange


def _clone(fn, name, *, parallel=False, **callees):
    """A fresh compilation of the pure-Python ``fn`` under its own cache name ``name``.

    ``parallel=True`` compiles its ``prange`` loops as parallel regions; ``callees`` replace
    global names of ``fn`` (other kernels it calls) in the clone, so that, e.g., the float32
    log sweeps call the float32 row update and no dispatcher gains a second signature.
    """
    py = fn.py_func
    glb = py.__globals__ if not callees else {**py.__globals__, **callees}
    clone = types.FunctionType(py.__code__, glb, name, py.__defaults__, py.__closure__)
    clone.__qualname__ = name
    clone.__doc__ = py.__doc__
    return njit(parallel=True)(clone) if parallel else njit(clone)


def _parallel_clone(fn, name):
    """A ``parallel=True`` compilation of the pure-Python ``fn`` under its own cache name.

    Every kernel below is compiled serially (``prange`` acts as ``range``): under load the
    launch latency of a parallel region (~ms on a busy 2-core machine) dominates small
    problems.  Large problems use these parallel clones of the same source.
    """
    return _clone(fn, name, parallel=True)

# ----------------------------------------------------------------------------------------
# Sinkhorn: stabilized scaling (absorption) and log-domain updates
# ----------------------------------------------------------------------------------------


@njit
def build_kernel(C, f, g, reg, K):
    """``K_ij = exp((f_i + g_j - C_ij) / reg)`` (absorbed kernel, Schmitzer 2019 eq. (3.6))."""
    n, m = C.shape
    inv = 1.0 / reg
    for i in prange(n):
        fi = f[i]
        for j in range(m):
            K[i, j] = np.exp((fi + g[j] - C[i, j]) * inv)


#: adaptive over-relaxation: sweeps of the rate estimate (window [W0, W1] at omega = 1)
_W0, _W1 = 10, 30
#: halvings of omega - 1 after a decrease of the dual before omega is reset to 1
_MAX_HALVINGS = 6
#: largest adaptive omega
_OMEGA_MAX = OMEGA_MAX = 1.995


@njit(inline="always")
def _row_scaling(i, kv, a, u, rerr, ukv, omega):
    """Row update ``u_i = a_i / (K v)_i`` (Cuturi 2013, Alg. 1), over-relaxed
    ``u_i^(1-w) (a_i / (K v)_i)^w`` when ``omega != 1`` (Thibault et al. 2021); records the
    row error ``|u_i (K v)_i - a_i|`` and ``u_i (K v)_i``.  Returns the new ``u_i``."""
    ui = a[i] / kv
    if omega != 1.0:
        ui = u[i] ** (1.0 - omega) * ui ** omega
    rerr[i] = abs(ui * kv - a[i])
    ukv[i] = ui * kv
    u[i] = ui
    return ui


@njit(inline="always")
def _rows4(K, i, a, u, v, Sc, rerr, ukv, omega):
    """Rows ``i .. i+3`` of a fused sweep: ``(K v)_i`` for 4 rows at once (``v`` read once for
    4 dot products), their scalings, and their terms of the column sums ``Sc`` (updated once
    for 4 rows: a quarter of the L1/L2 traffic of ``v`` and ``Sc`` per kernel entry)."""
    m = K.shape[1]
    K0 = K[i]
    K1 = K[i + 1]
    K2 = K[i + 2]
    K3 = K[i + 3]
    k0 = 0.0
    k1 = 0.0
    k2 = 0.0
    k3 = 0.0
    for j in range(m):
        vj = v[j]
        k0 += K0[j] * vj
        k1 += K1[j] * vj
        k2 += K2[j] * vj
        k3 += K3[j] * vj
    u0 = _row_scaling(i, k0, a, u, rerr, ukv, omega)
    u1 = _row_scaling(i + 1, k1, a, u, rerr, ukv, omega)
    u2 = _row_scaling(i + 2, k2, a, u, rerr, ukv, omega)
    u3 = _row_scaling(i + 3, k3, a, u, rerr, ukv, omega)
    for j in range(m):
        Sc[j] += (K0[j] * u0 + K1[j] * u1) + (K2[j] * u2 + K3[j] * u3)


@njit(inline="always")
def _row1(K, i, a, u, v, Sc, rerr, ukv, omega):
    """Row ``i`` of a fused sweep (the rows left over by :func:`_rows4`)."""
    m = K.shape[1]
    Ki = K[i]
    kv = 0.0
    for j in range(m):
        kv += Ki[j] * v[j]
    ui = _row_scaling(i, kv, a, u, rerr, ukv, omega)
    for j in range(m):
        Sc[j] += Ki[j] * ui


@njit(inline="always")
def _end_of_sweep(it, a, b, u, v, s, rerr, ukv, ost, dprev, err, tol, max_sweeps, check_every,
                  tau):
    """The end of fused sweep ``it`` of one problem, after the row update ``u`` and the column
    sums ``s = K^T u``: breakdown check, the stopping rule, the over-relaxation update of
    ``ost`` (with the dual Lyapunov check against ``dprev[0]``), then the column update ``v``
    and the absorption test.  Shared by :func:`sinkhorn_sweeps` and
    :func:`sinkhorn_sweeps_batch`, so a batched problem follows the iterates of its own
    single solve.  Returns ``(code, err)``: code -1 go on, else as :func:`sinkhorn_sweeps`."""
    n = u.shape[0]
    m = v.shape[0]
    omega = ost[0]
    mode = ost[1]
    bad = False
    for i in range(n):
        ui = u[i]
        if not (ui > 0.0 and ui < np.inf):
            bad = True
    for j in range(m):
        if not (s[j] > 0.0 and s[j] < np.inf):
            bad = True
    if bad:
        return 3, np.inf
    if mode != 0.0 or (it + 1) % check_every == 0 or it + 1 == max_sweeps:
        err = 0.0
        for j in range(m):
            err += abs(v[j] * s[j] - b[j])
        for i in range(n):
            err += rerr[i]
        if err <= tol:
            return 0, err
    if mode == 1.0:  # adaptive: estimate the rate of plain Sinkhorn
        ost[3] += 1.0
        if ost[3] == _W0:
            ost[4] = err
        elif ost[3] >= _W1:
            lam = (err / ost[4]) ** (1.0 / (_W1 - _W0)) if ost[4] > 0 else 1.0
            if lam < 1.0:
                ost[0] = min(_OMEGA_MAX, 2.0 / (1.0 + np.sqrt(1.0 - lam)))
                ost[1] = 2.0
                ost[3] = 0.0
                ost[4] = err
            else:  # no linear decrease yet: estimate again
                ost[3] = 0.0
    elif mode == 2.0:
        # re-estimate omega from the observed rate rho of the over-relaxed sweeps (Young's
        # SOR relation (rho + omega - 1)^2 = rho omega^2 lam, Hageman & Young 1981, 9.3)
        ost[3] += 1.0
        if ost[3] >= _W1 - _W0:
            rho = (err / ost[4]) ** (1.0 / (_W1 - _W0)) if ost[4] > 0 else 1.0
            if rho < 1.0 and rho > 0.0:
                lam = min((rho + omega - 1.0) ** 2 / (omega * omega * rho), 1.0 - 1e-12)
                w_new = 2.0 / (1.0 + np.sqrt(1.0 - lam))
                cap = ost[5] if ost[2] == 0.0 else 1.0 + 0.95 * (ost[5] - 1.0)
                if w_new > omega + 1e-3 and omega < cap:
                    ost[0] = min(w_new, cap)
            ost[3] = 0.0
            ost[4] = err
        # Lyapunov check on the dual (monotone for omega = 1)
        d = 0.0
        sc = 0.0
        for i in range(n):
            t = a[i] * np.log(u[i])
            d += t - ukv[i]
            sc += abs(t) + ukv[i]
        for j in range(m):
            t = b[j] * np.log(v[j])
            d += t
            sc += abs(t)
        if d < dprev[0] - 1e-13 * sc:
            ost[2] += 1.0
            ost[5] = omega
            if ost[2] >= _MAX_HALVINGS:
                ost[0] = 1.0
                ost[1] = 0.0
            else:
                ost[0] = 1.0 + 0.5 * (omega - 1.0)
        dprev[0] = d
    big = False
    omega = ost[0]
    for j in range(m):
        vj = b[j] / s[j]  # Sinkhorn column update
        if omega != 1.0:
            vj = v[j] ** (1.0 - omega) * vj ** omega
        v[j] = vj
        if vj > tau or vj < 1.0 / tau:
            big = True
    for i in range(n):
        if u[i] > tau or u[i] < 1.0 / tau:
            big = True
    if big:
        return 2, err
    return -1, err


@njit
def sinkhorn_sweeps(K, a, b, u, v, S, tol, max_sweeps, check_every, tau, ost):
    """Fused Sinkhorn sweeps ``u = a / (K v)``, ``v = b / (K^T u)`` with one pass over ``K``.

    Each sweep reads ``K`` once: row ``i`` gives ``(K v)_i``, then ``u_i``, then is
    accumulated into the column sums ``s = K^T u`` while still in cache (per-chunk partial sums
    in ``S`` (n_chunks, m), reduced afterwards), so no n x m temporary is written.  The L1
    marginal error of the plan ``diag(u) K diag(v_old)`` is ``sum_i |u_i (K v)_i - a_i| +
    sum_j |v_j s_j - b_j|`` (the first sum is rounding only when ``omega == 1``), checked every
    ``check_every`` sweeps; when it is ``<= tol`` the kernel returns *before* updating ``v``.

    Over-relaxation state ``ost`` (float64, length 6; kept across calls):
    ``ost[0]`` = omega in [1, 2): updates ``u <- u^(1-omega) (a / K v)^omega`` (Thibault,
    Chizat, Dossal & Papadakis 2021); ``ost[1]`` = mode: 0 fixed omega, 1 adaptive (estimating
    the rate), 2 adaptive (running); ``ost[2]`` = halvings so far; ``ost[3]`` = sweeps in mode
    1 (or in the current window of mode 2); ``ost[4]`` = error at the start of the window;
    ``ost[5]`` = cap: the last omega at which the dual decreased (``_OMEGA_MAX`` at first).  Adaptive mode (Lehmann, von
    Renesse, Sambale & Uschmajew 2022): plain sweeps measure the linear rate
    ``lam = (err_W1 / err_W0)^(1/(W1-W0))`` of the L1 error, then
    ``omega = 2 / (1 + sqrt(1 - lam))`` (their optimal omega, with ``lam = Theta^2``); every
    ``W1 - W0`` over-relaxed sweeps the observed rate ``rho`` re-estimates ``lam`` through Young's
    SOR relation and omega may only grow (up to the cap; after a dual decrease, ``0.95`` of the way).  Safety
    (Lyapunov fallback): with omega = 1 every half-step maximizes the dual
    ``D = <a, log u> + <b, log v> - sum_i u_i (K v)_i`` exactly, so ``D`` increases; whenever
    ``D`` decreases between two sweeps, ``omega - 1`` is halved, and after ``_MAX_HALVINGS``
    halvings omega = 1 for good, so plain Sinkhorn (globally convergent) takes over.

    Returns ``(sweeps, err, code)`` with code 0 converged, 1 sweep budget used, 2 scalings
    left ``[1/tau, tau]`` (absorb), 3 a zero / non-finite sum (breakdown; ``u, v`` invalid).
    """
    n, m = K.shape
    nch = S.shape[0]
    chunk = (n + nch - 1) // nch
    err = np.inf
    rerr = np.zeros(n)
    ukv = np.zeros(n)
    dprev = np.full(1, -np.inf)
    for it in range(max_sweeps):
        omega = ost[0]
        for c in prange(nch):
            Sc = S[c]
            for j in range(m):
                Sc[j] = 0.0
            lo = c * chunk
            hi = min(n, lo + chunk)
            i = lo
            # blocks of 4 rows: v is read once for 4 dot products and Sc updated once for 4
            # rows (a quarter of the L1/L2 traffic of v and Sc per kernel entry)
            while i + 4 <= hi:
                _rows4(K, i, a, u, v, Sc, rerr, ukv, omega)
                i += 4
            while i < hi:
                _row1(K, i, a, u, v, Sc, rerr, ukv, omega)
                i += 1
        # reduce the chunk sums into S[0]
        s = S[0]
        for c in range(1, nch):
            Sc = S[c]
            for j in range(m):
                s[j] += Sc[j]
        code, err = _end_of_sweep(it, a, b, u, v, s, rerr, ukv, ost, dprev, err, tol,
                                  max_sweeps, check_every, tau)
        if code >= 0:
            return it + 1, err, code
    return max_sweeps, err, 1


@njit
def sinkhorn_sweeps_batch(K, A, Bw, U, V, S, tol, max_sweeps, check_every, tau, OST, n_it,
                          errs, codes):
    """Fused Sinkhorn sweeps of ``nb`` problems sharing one kernel ``K``, one pass over ``K``
    per sweep for all of them.

    Problem ``k`` has marginals ``A[k]`` (n,), ``Bw[k]`` (m,), scalings ``U[k]``, ``V[k]`` and
    over-relaxation state ``OST[k]`` (as ``ost`` of :func:`sinkhorn_sweeps`).  Each block of 4
    rows of ``K`` is loaded once and, while in cache, gives the row updates and column-sum
    terms of every problem still running (chunk partial sums in ``S`` (n_chunks, nb, m)); the
    end of the sweep (:func:`_end_of_sweep`) is that of the single kernel, per problem, so
    problem ``k`` follows exactly the iterates of :func:`sinkhorn_sweeps` on ``(K, A[k],
    Bw[k])`` and stops on its own rule.  The memory traffic of a sweep is one read of ``K``
    for the whole batch (the single kernel reads it once per problem).

    Writes ``n_it[k]`` (sweeps), ``errs[k]`` (L1 error at the stop) and ``codes[k]`` (0
    converged, 1 budget used, 2 absorb, 3 breakdown, as :func:`sinkhorn_sweeps`).
    """
    nb, n = A.shape
    m = K.shape[1]
    nch = S.shape[0]
    chunk = (n + nch - 1) // nch
    RERR = np.zeros((nb, n))
    UKV = np.zeros((nb, n))
    DPREV = np.full((nb, 1), -np.inf)
    idx = np.arange(nb)
    na = nb
    for k in range(nb):
        errs[k] = np.inf
        codes[k] = 1
        n_it[k] = max_sweeps
    for it in range(max_sweeps):
        if na == 0:
            break
        for c in prange(nch):
            for q in range(na):
                Sc = S[c, idx[q]]
                for j in range(m):
                    Sc[j] = 0.0
            lo = c * chunk
            hi = min(n, lo + chunk)
            i = lo
            while i + 4 <= hi:
                for q in range(na):
                    k = idx[q]
                    _rows4(K, i, A[k], U[k], V[k], S[c, k], RERR[k], UKV[k], OST[k, 0])
                i += 4
            while i < hi:
                for q in range(na):
                    k = idx[q]
                    _row1(K, i, A[k], U[k], V[k], S[c, k], RERR[k], UKV[k], OST[k, 0])
                i += 1
        keep = 0
        for q in range(na):
            k = idx[q]
            s = S[0, k]
            for c in range(1, nch):
                Sc = S[c, k]
                for j in range(m):
                    s[j] += Sc[j]
            code, e = _end_of_sweep(it, A[k], Bw[k], U[k], V[k], s, RERR[k], UKV[k], OST[k],
                                    DPREV[k], errs[k], tol, max_sweeps, check_every, tau)
            errs[k] = e
            if code >= 0:
                codes[k] = code
                n_it[k] = it + 1
            else:
                idx[keep] = k
                keep += 1
        na = keep


@njit
def min_max(C):
    """``(min C, max C)`` in one pass."""
    n, m = C.shape
    lo = np.inf
    hi = -np.inf
    for i in range(n):
        Ci = C[i]
        for j in range(m):
            t = Ci[j]
            if t < lo:
                lo = t
            if t > hi:
                hi = t
    return lo, hi


@njit
def max_reduced_cost(C, f, g):
    """``max_ij (C_ij - f_i - g_j)`` in one pass (no n x m temporary); ``-inf`` if empty."""
    n, m = C.shape
    best = -np.inf
    for i in range(n):
        fi = f[i]
        Ci = C[i]
        for j in range(m):
            t = Ci[j] - fi - g[j]
            if t > best:
                best = t
    return best


@njit
def plan_from_scalings(K, u, v, P):
    """``P = diag(u) K diag(v)``; returns the column sums of ``P``."""
    n, m = K.shape
    for i in prange(n):
        ui = u[i]
        for j in range(m):
            P[i, j] = ui * K[i, j] * v[j]
    col = np.zeros(m)
    for i in range(n):
        for j in range(m):
            col[j] += P[i, j]
    return col


@njit
def log_row_update(C, G, log_a, reg, F):
    """Log-domain row update ``F_i = reg log a_i - reg LSE_j((G_j - C_ij)/reg)``.

    Two passes over each row (max, then sum of exponentials) while it sits in cache.
    """
    n, m = C.shape
    inv = 1.0 / reg
    for i in prange(n):
        Ci = C[i]
        mx = -np.inf
        for j in range(m):
            t = (G[j] - Ci[j]) * inv
            if t > mx:
                mx = t
        acc = 0.0
        for j in range(m):
            acc += np.exp((G[j] - Ci[j]) * inv - mx)
        F[i] = reg * log_a[i] - reg * (mx + np.log(acc))


@njit
def log_sweeps(C, CT, log_a, log_b, b, F, G, Gnew, reg, tol, max_sweeps):
    """Log-domain Sinkhorn (Peyre & Cuturi 2019, Remark 4.23): ``F`` then ``G`` updates.

    After the ``F`` update the rows are exact; the column sums of the plan
    ``exp((F + G - C)/reg)`` are ``b_j exp((G_j - G^new_j)/reg)``, so the L1 column error comes
    for free.  Stops *before* replacing ``G`` when the error is ``<= tol``.
    Returns ``(sweeps, err, code)`` (0 converged, 1 budget, 3 non-finite).
    """
    m = CT.shape[0]
    err = np.inf
    for it in range(max_sweeps):
        log_row_update(C, G, log_a, reg, F)
        log_row_update(CT, F, log_b, reg, Gnew)
        err = 0.0
        for j in range(m):
            err += b[j] * abs(np.exp((G[j] - Gnew[j]) / reg) - 1.0)
        if not np.isfinite(err):
            return it + 1, err, 3
        if err <= tol:
            return it + 1, err, 0
        for j in range(m):
            G[j] = Gnew[j]
    return max_sweeps, err, 1


@njit
def plan_from_potentials(C, F, G, reg, P):
    """``P_ij = exp((F_i + G_j - C_ij)/reg)``; returns the column sums."""
    n, m = C.shape
    inv = 1.0 / reg
    for i in prange(n):
        for j in range(m):
            P[i, j] = np.exp((F[i] + G[j] - C[i, j]) * inv)
    col = np.zeros(m)
    for i in range(n):
        for j in range(m):
            col[j] += P[i, j]
    return col


@njit
def round_and_evaluate(P, C, a, b, log_a, log_b, F, G, reg, col0):
    """Round ``P`` in place onto ``U(a, b)`` and evaluate the entropic primal objective.

    Rounding of Altschuler, Weed & Rigollet (2017, Alg. 2): scale rows by
    ``min(1, a_i / r_i)``, columns by ``min(1, b_j / c_j)``, then add
    ``err_r err_c^T / ||err_r||_1``; the result has marginals ``a, b`` exactly (up to
    rounding) and ``||P_round - P||_1 <= 2 (||r - a||_1 + ||c - b||_1)``.

    ``P`` must equal ``exp((F_i + G_j - C_ij)/reg)``: then ``log P_round`` is
    ``(F_i + G_j - C_ij)/reg + log x_i + log y_j + log1p(E_ij / P'_ij)`` and no logarithm
    per entry is needed where ``t = E_ij / P'_ij < 1e-4`` (``log1p(t) ~ t - t^2/2``,
    error below ``t^3/3``); elsewhere ``log`` is evaluated.  ``col0`` receives the
    column sums of the unrounded ``P``; the row sums are returned.

    Returns ``(cost, kl, r)`` with ``cost = <C, P>`` and
    ``kl = sum P (log P - log a_i - log b_j) - sum P + 1`` (generalized KL to ``a b^T``).
    """
    n, m = P.shape
    inv = 1.0 / reg
    r = np.zeros(n)
    for j in range(m):
        col0[j] = 0.0
    for i in range(n):
        acc = 0.0
        Pi = P[i]
        for j in range(m):
            acc += Pi[j]
            col0[j] += Pi[j]
        r[i] = acc
    x = np.empty(n)
    for i in range(n):
        x[i] = min(1.0, a[i] / r[i]) if r[i] > 0 else 1.0
    c = np.zeros(m)
    for i in range(n):
        xi = x[i]
        if xi == 1.0:
            continue
        for j in range(m):
            c[j] += P[i, j] * (xi - 1.0)
    for j in range(m):
        c[j] += col0[j]
    y = np.empty(m)
    for j in range(m):
        y[j] = min(1.0, b[j] / c[j]) if c[j] > 0 else 1.0
    # marginals of diag(x) P diag(y): rows need one pass unless y == 1
    er = np.empty(n)
    ally = True
    for j in range(m):
        if y[j] != 1.0:
            ally = False
    for i in prange(n):
        if ally:
            er[i] = a[i] - x[i] * r[i]
        else:
            acc = 0.0
            for j in range(m):
                acc += P[i, j] * y[j]
            er[i] = a[i] - x[i] * acc
    ec = np.empty(m)
    for j in range(m):
        ec[j] = max(b[j] - c[j] * y[j], 0.0)
    tot = 0.0
    for i in range(n):
        er[i] = max(er[i], 0.0)
        tot += er[i]
    scale = 1.0 / tot if tot > 0 else 0.0
    logy = np.log(y)
    # per-row sums, then their serial sum: the same result serial or parallel
    crow = np.empty(n)
    krow = np.empty(n)
    for i in prange(n):
        cacc = 0.0
        kacc = 0.0
        xi = x[i]
        lxi = np.log(xi)
        eri = er[i] * scale
        Fi = F[i]
        for j in range(m):
            base = P[i, j] * xi * y[j]
            e = eri * ec[j]
            p = base + e
            P[i, j] = p
            cacc += C[i, j] * p
            if base > 0.0 and e < 1e-4 * base:
                t = e / base
                lp = (Fi + G[j] - C[i, j]) * inv + lxi + logy[j] + t - 0.5 * t * t
                kacc += p * (lp - log_a[i] - log_b[j]) - p
            elif p > 0.0:
                kacc += p * (np.log(p) - log_a[i] - log_b[j]) - p
        crow[i] = cacc
        krow[i] = kacc
    cacc = 0.0
    kacc = 0.0
    for i in range(n):
        cacc += crow[i]
        kacc += krow[i]
    return cacc, kacc + 1.0, r


# ----------------------------------------------------------------------------------------
# Simplex projections: full (Michelot pivoting) and top-k sparse (selection + projection)
# ----------------------------------------------------------------------------------------


@njit
def _threshold(vals, k, z):
    """Threshold ``tau`` with ``sum_i [vals_i - tau]_+ = z`` over ``vals[:k]`` (Michelot 1986).

    Pivoting: ``tau = (sum_{S} vals - z) / |S|``, ``S = {vals > tau}``, repeated until ``S``
    is stable; each pass is O(|S|) and ``S`` only shrinks, so the loop terminates.
    """
    s = 0.0
    for i in range(k):
        s += vals[i]
    cnt = k
    tau = (s - z) / cnt
    while True:
        s2 = 0.0
        c2 = 0
        for i in range(k):
            if vals[i] > tau:
                s2 += vals[i]
                c2 += 1
        if c2 == cnt or c2 == 0:
            break
        cnt = c2
        tau = (s2 - z) / cnt
    return tau


@njit
def kth_largest(work, n, k):
    """The ``k``-th largest of ``work[:n]`` by quickselect (Hoare 1961; median-of-three pivot).

    Expected O(n), no sort; ``work`` is reordered in place (pass a scratch copy).
    """
    lo = 0
    hi = n - 1
    target = k - 1  # position in descending order
    while hi > lo:
        mid = (lo + hi) >> 1
        p0 = work[lo]
        p1 = work[mid]
        p2 = work[hi]
        if (p0 >= p1) == (p1 >= p2):
            pivot = p1
        elif (p1 >= p0) == (p0 >= p2):
            pivot = p0
        else:
            pivot = p2
        i = lo
        j = hi
        while i <= j:
            while work[i] > pivot:
                i += 1
            while work[j] < pivot:
                j -= 1
            if i <= j:
                t = work[i]
                work[i] = work[j]
                work[j] = t
                i += 1
                j -= 1
        if target <= j:
            hi = j
        elif target >= i:
            lo = i
        else:
            return work[target]
    return work[target]


@njit
def select_topk(x, k, work, sel):
    """Indices of the ``k`` largest entries of ``x`` into ``sel[:k]`` (ties by lowest index).

    Quickselect of the k-th largest value on a scratch copy, then one pass collecting the
    entries above it (and a second pass for ties only when needed): expected O(len(x)).
    Returns the number of indices written (``min(k, len(x))``).
    """
    n = x.shape[0]
    if k >= n:
        for i in range(n):
            sel[i] = i
        return n
    for i in range(n):
        work[i] = x[i]
    kth = kth_largest(work, n, k)
    cnt = 0
    for i in range(n):
        if x[i] > kth:
            sel[cnt] = i
            cnt += 1
    if cnt < k:
        for i in range(n):
            if x[i] == kth:
                sel[cnt] = i
                cnt += 1
                if cnt == k:
                    break
    return cnt


@njit
def _topk_of_candidates(x, sel, cnt, k, work):
    """Keep in ``sel[:k]`` the ``k`` largest of the ``cnt`` candidates ``x[sel[:cnt]]``."""
    if cnt <= k:
        return cnt
    for r in range(cnt):
        work[r] = x[sel[r]]
    kth = kth_largest(work, cnt, k)
    greater = 0
    for r in range(cnt):
        if x[sel[r]] > kth:
            greater += 1
    ties = k - greater
    c2 = 0
    for r in range(cnt):  # in-place compaction (c2 <= r)
        v = x[sel[r]]
        if v > kth or (v == kth and ties > 0):
            if v == kth:
                ties -= 1
            sel[c2] = sel[r]
            c2 += 1
    return c2


@njit
def project_topk(x, z, k, work, sel, vals):
    """Projection of ``x`` onto ``{t >= 0, sum t = z, ||t||_0 <= k}`` (sparse output).

    Top-k selection followed by the simplex projection of the selected entries
    (Kyrillidis et al. 2013, Prop. 2; Liu, Puigcerver & Blondel 2023, Prop. 4).  Screening:
    the threshold satisfies ``tau >= max(x) - z`` (the largest entry carries at most ``z``),
    so only entries above ``max(x) - z`` can be nonzero; quickselect (expected O(#candidates))
    runs only when more than ``k`` survive.  On return ``t[sel[r]] = vals[r]`` for
    ``r < cnt``.  Returns ``(tau, cnt)``.
    """
    n = x.shape[0]
    mx = -np.inf
    for i in range(n):
        mx = max(mx, x[i])
    lo = mx - z
    cnt = np.int64(0)  # not a literal: one compiled signature of the callees
    for i in range(n):
        if x[i] > lo:
            sel[cnt] = i
            cnt += 1
    if cnt == 0:  # z == 0 or non-finite input
        sel[0] = 0
        cnt = 1
    cnt = _topk_of_candidates(x, sel, cnt, k, work)
    for r in range(cnt):
        vals[r] = x[sel[r]]
    tau = _threshold(vals, cnt, z)
    for r in range(cnt):
        vals[r] = max(vals[r] - tau, 0.0)
    return tau, cnt


# ----------------------------------------------------------------------------------------
# (Semi-)dual objectives and gradients (Blondel, Seguy & Rolet 2018; Liu et al. 2023)
# ----------------------------------------------------------------------------------------
# reg_code: 0 = squared L2 (gamma/2 ||T||^2), 1 = KL(T | a b^T) (entropy), 2 = squared L2 with
# at most k nonzeros per column (top-k conjugate / projection).


@njit
def dual_obj_grad(alpha, beta, a, b, CT, gamma, reg_code, k, grad_a, grad_b, n_chunks):
    """Smooth dual ``D(alpha, beta) = <alpha, a> + <beta, b> - sum_j delta(alpha + beta_j - c_j)``.

    ``delta`` is the conjugate of the per-column regularizer (Blondel et al. 2018, eq. (9)):
    ``(1/(2 gamma)) sum [x]_+^2`` (L2), ``gamma sum_i a_i b_j (exp(x_i/gamma) - 1)`` (KL to
    ``a b^T``), or ``(1/(2 gamma)) sum_{top-k} [x]_+^2`` (Liu et al. 2023, eq. (11)).  Returns
    ``D``; gradients ``a - T 1`` and ``b - T^T 1`` with ``T = grad delta``.
    """
    m, n = CT.shape
    chunk = (m + n_chunks - 1) // n_chunks
    vals = np.zeros(n_chunks)
    GA = np.zeros((n_chunks, n))
    for c in prange(n_chunks):
        x = np.empty(n)
        work = np.empty(n)
        sel = np.empty(n, dtype=np.int64)
        ga = GA[c]
        acc = 0.0
        lo = c * chunk
        hi = min(m, lo + chunk)
        for j in range(lo, hi):
            cj = CT[j]
            bj = beta[j]
            colsum = 0.0
            if reg_code == 1:
                for i in range(n):
                    e = np.exp((alpha[i] + bj - cj[i]) / gamma)
                    t = a[i] * b[j] * e
                    acc += gamma * a[i] * b[j] * (e - 1.0)
                    ga[i] += t
                    colsum += t
            elif reg_code == 0 or k >= n:
                for i in range(n):
                    t = alpha[i] + bj - cj[i]
                    if t > 0.0:
                        acc += 0.5 * t * t / gamma
                        ga[i] += t / gamma
                        colsum += t / gamma
            else:
                # only positive entries contribute: screen, then select among them
                cnt = np.int64(0)
                for i in range(n):
                    t = alpha[i] + bj - cj[i]
                    x[i] = t
                    if t > 0.0:
                        sel[cnt] = i
                        cnt += 1
                cnt = _topk_of_candidates(x, sel, cnt, k, work)
                for r in range(cnt):
                    i = sel[r]
                    t = x[i]
                    if t > 0.0:
                        acc += 0.5 * t * t / gamma
                        ga[i] += t / gamma
                        colsum += t / gamma
            grad_b[j] = b[j] - colsum
        vals[c] = acc
    for i in range(n):
        s = 0.0
        for c in range(n_chunks):
            s += GA[c, i]
        grad_a[i] = a[i] - s
    return np.dot(alpha, a) + np.dot(beta, b) - vals.sum()


@njit
def _log_weighted_sum_exp(a, x):
    """``log sum_i a_i exp(x_i)`` over ``a_i > 0``, shifted by the largest such ``x_i``."""
    n = x.shape[0]
    mx = -np.inf
    for i in range(n):
        if a[i] > 0.0 and x[i] > mx:
            mx = x[i]
    z = 0.0
    for i in range(n):
        z += a[i] * np.exp(x[i] - mx)
    return mx + np.log(z)


@njit
def semi_dual_obj_grad(alpha, a, b, CT, gamma, reg_code, k, grad_a, tau_out, n_chunks):
    """Semi-dual ``S(alpha) = <alpha, a> - sum_j max_{t in b_j Delta_(k)} <alpha - c_j, t> - Omega(t)``.

    L2 / top-k (Blondel et al. 2018, eq. (10); Liu et al. 2023, eq. (9)): the maximizer is the
    (k-sparse) projection of ``(alpha - c_j)/gamma`` onto ``b_j Delta`` and the value is
    ``gamma (<x, t> - ||t||^2 / 2)``.  KL to ``a b^T``: value
    ``gamma b_j log sum_i a_i exp(x_i)``, maximizer ``b_j softmax(log a + x)``.
    Gradient ``a - T 1``.  ``tau_out[j]`` receives the column threshold / log-normalizer so
    that ``beta_j = -gamma tau_j`` completes the dual pair.
    """
    m, n = CT.shape
    chunk = (m + n_chunks - 1) // n_chunks
    chunk_vals = np.zeros(n_chunks)
    GA = np.zeros((n_chunks, n))
    kk = min(k, n)
    inv = 1.0 / gamma
    for c in prange(n_chunks):
        x = np.empty(n)
        work = np.empty(n)
        sel = np.empty(n, dtype=np.int64)
        vals = np.empty(n)
        ga = GA[c]
        acc = 0.0
        lo = c * chunk
        hi = min(m, lo + chunk)
        for j in range(lo, hi):
            cj = CT[j]
            bj = b[j]
            if bj <= 0.0:
                tau_out[j] = np.inf
                continue
            for i in range(n):
                x[i] = (alpha[i] - cj[i]) * inv
            if reg_code == 1:
                lz = _log_weighted_sum_exp(a, x)
                acc += gamma * bj * lz
                for i in range(n):
                    ga[i] += bj * a[i] * np.exp(x[i] - lz)
                tau_out[j] = lz
            else:
                # L2 is the top-k projection with k = n (selection skipped)
                tau, cnt = project_topk(x, bj, kk if reg_code == 2 else n, work, sel, vals)
                v = 0.0
                for r in range(cnt):
                    ti = vals[r]
                    if ti > 0.0:
                        i = sel[r]
                        v += ti * x[i] - 0.5 * ti * ti
                        ga[i] += ti
                acc += gamma * v
                tau_out[j] = tau
        chunk_vals[c] = acc
    for i in range(n):
        s = 0.0
        for c in range(n_chunks):
            s += GA[c, i]
        grad_a[i] = a[i] - s
    return np.dot(alpha, a) - chunk_vals.sum()


@njit
def plan_from_dual(alpha, beta, a, b, CT, gamma, reg_code, k, PT):
    """Plan (stored transposed, (m, n)) from dual potentials: ``T = grad delta``."""
    m, n = CT.shape
    for j in prange(m):
        cj = CT[j]
        pj = PT[j]
        if reg_code == 1:
            for i in range(n):
                pj[i] = a[i] * b[j] * np.exp((alpha[i] + beta[j] - cj[i]) / gamma)
        else:
            for i in range(n):
                pj[i] = max(alpha[i] + beta[j] - cj[i], 0.0) / gamma
            if reg_code == 2 and k < n:
                sel = np.empty(n, dtype=np.int64)
                cnt = select_topk(pj, k, np.empty(n), sel)
                keep = np.zeros(n, dtype=np.bool_)
                for r in range(cnt):
                    keep[sel[r]] = True
                for i in range(n):
                    if not keep[i]:
                        pj[i] = 0.0


@njit
def plan_from_semi_dual(alpha, a, b, CT, gamma, reg_code, k, PT):
    """Plan (transposed, (m, n)) from semi-dual potentials: the column maximizers."""
    m, n = CT.shape
    kk = min(k, n)
    for j in prange(m):
        cj = CT[j]
        pj = PT[j]
        bj = b[j]
        x = np.empty(n)
        for i in range(n):
            x[i] = (alpha[i] - cj[i]) / gamma
        if bj <= 0.0:
            for i in range(n):
                pj[i] = 0.0
            continue
        if reg_code == 1:
            lz = _log_weighted_sum_exp(a, x)
            for i in range(n):
                pj[i] = bj * a[i] * np.exp(x[i] - lz)
        else:
            sel = np.empty(n, dtype=np.int64)
            vals = np.empty(n)
            tau, cnt = project_topk(x, bj, kk if reg_code == 2 else n, np.empty(n), sel, vals)
            for i in range(n):
                pj[i] = 0.0
            for r in range(cnt):
                pj[sel[r]] = vals[r]


# parallel clones for large problems (see _parallel_clone)
build_kernel_par = _parallel_clone(build_kernel, "build_kernel_par")
sinkhorn_sweeps_par = _parallel_clone(sinkhorn_sweeps, "sinkhorn_sweeps_par")
sinkhorn_sweeps_batch_par = _parallel_clone(sinkhorn_sweeps_batch, "sinkhorn_sweeps_batch_par")
log_row_update_par = _parallel_clone(log_row_update, "log_row_update_par")
round_and_evaluate_par = _parallel_clone(round_and_evaluate, "round_and_evaluate_par")

# float32 clones (``sinkhorn(..., dtype="float32")``): the same sources compiled for a float32
# kernel ``K`` (or cost ``C``, ``CT``) and float64 everything else, so every product of a
# float32 entry and a float64 scaling is formed and summed in float64; one signature each
# (the float32 kernel is built by ``_pc_kernels.dense_kernel_f32``)
sinkhorn_sweeps_f32 = _clone(sinkhorn_sweeps, "sinkhorn_sweeps_f32")
sinkhorn_sweeps_par_f32 = _clone(sinkhorn_sweeps, "sinkhorn_sweeps_par_f32", parallel=True)
log_row_update_f32 = _clone(log_row_update, "log_row_update_f32")
log_sweeps_f32 = _clone(log_sweeps, "log_sweeps_f32", log_row_update=log_row_update_f32)
