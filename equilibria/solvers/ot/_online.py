"""Sinkhorn on a :class:`~._geometry.PointCloud`: log-domain sweeps, cost recomputed on the fly.

Called by :func:`~._sinkhorn.sinkhorn` when ``C`` is a point cloud; see its docstring.
"""

from __future__ import annotations

import numpy as np

from equilibria._lib.result import Status

from . import _kernels as K_
from . import _pc_kernels as PK
from ._common import n_chunks

__all__ = ["sinkhorn_pointcloud", "sinkhorn_pointcloud_batch"]

#: point clouds with at least this many pairs use the parallel (prange) kernels
PARALLEL_MIN = 250_000


class _Ops:
    """The compiled passes on one support (serial or parallel clones)."""

    def __init__(self, X, Y, code, p, par):
        self.X, self.Y, self.code, self.p = X, Y, code, p
        self.lse = PK.lse_rows_par if par else PK.lse_rows
        self.cmin = PK.cost_min_rows_par if par else PK.cost_min_rows
        self.crange = PK.cost_range_rows_par if par else PK.cost_range_rows
        self.evaluate = PK.evaluate_rows_par if par else PK.evaluate_rows

    def rows(self, H, S, r):
        """``log sum_j exp((S_i + H_j - C_ij)/r)`` per row."""
        out = np.empty(self.X.shape[1])
        self.lse(self.X, self.Y, H, S, 1.0 / r, self.code, self.p, out)
        return out

    def cols(self, H, S, r):
        """``log sum_i exp((H_i + S_j - C_ij)/r)`` per column."""
        out = np.empty(self.Y.shape[1])
        self.lse(self.Y, self.X, H, S, 1.0 / r, self.code, self.p, out)
        return out


def _adapt(ost, err, omega, a, b, F, G, ukv, r, d_prev):
    """The adaptive over-relaxation of the dense kernel (``_kernels.sinkhorn_sweeps``), in
    potentials: rate estimate over sweeps [10, 30], Young's relation, dual safeguard.
    Returns the dual value used by the safeguard."""
    W0, W1 = 10, 30
    if ost[1] == 1.0:
        ost[3] += 1.0
        if ost[3] == W0:
            ost[4] = err
        elif ost[3] >= W1:
            lam = (err / ost[4]) ** (1.0 / (W1 - W0)) if ost[4] > 0 else 1.0
            if lam < 1.0:
                ost[0] = min(K_.OMEGA_MAX, 2.0 / (1.0 + np.sqrt(1.0 - lam)))
                ost[1], ost[3], ost[4] = 2.0, 0.0, err
            else:
                ost[3] = 0.0
        return d_prev
    if ost[1] != 2.0:
        return d_prev
    ost[3] += 1.0
    if ost[3] >= W1 - W0:
        rho = (err / ost[4]) ** (1.0 / (W1 - W0)) if ost[4] > 0 else 1.0
        if 0.0 < rho < 1.0:
            lam = min((rho + omega - 1.0) ** 2 / (omega * omega * rho), 1.0 - 1e-12)
            w_new = 2.0 / (1.0 + np.sqrt(1.0 - lam))
            cap = ost[5] if ost[2] == 0.0 else 1.0 + 0.95 * (ost[5] - 1.0)
            if w_new > omega + 1e-3 and omega < cap:
                ost[0] = min(w_new, cap)
        ost[3], ost[4] = 0.0, err
    # dual <a, log u> + <b, log v> - sum u K v up to a constant: (<a,F> + <b,G>)/r - mass
    ta, tb = a @ F / r, b @ G / r
    d = ta + tb - float(ukv.sum())
    sc = float(a @ np.abs(F)) / r + float(b @ np.abs(G)) / r + float(ukv.sum())
    if d < d_prev - 1e-13 * sc:
        ost[2] += 1.0
        ost[5] = omega
        if ost[2] >= 6:
            ost[0], ost[1] = 1.0, 0.0
        else:
            ost[0] = 1.0 + 0.5 * (omega - 1.0)
    return d


def _solve(ops, a, b, reg, tol, max_iter, F, G, eps_scaling, omega, crange, check_every=1):
    """Log-domain Sinkhorn with over-relaxation and epsilon-scaling on the support.

    The stopping rule of a stage is tested as in the dense sweeps: at every iteration while
    ``omega`` is adaptive (its rate estimate reads the error anyway), otherwise every
    ``check_every`` iterations of the stage and at the last one of the budget.
    """
    from ._sinkhorn import _STAGE_TOL, _schedule

    log_a, log_b = np.log(a), np.log(b)
    warm = F is not None
    if warm:
        F = reg * log_a + F - reg * ops.rows(G, F, reg)  # exact rows first
    elif crange / reg > 500.0:
        F = np.empty(a.shape[0])
        ops.cmin(ops.X, ops.Y, np.zeros(b.shape[0]), ops.code, ops.p, F)
        G = np.empty(b.shape[0])
        ops.cmin(ops.Y, ops.X, F, ops.code, ops.p, G)
    else:
        F, G = np.zeros(a.shape[0]), np.zeros(b.shape[0])
    regs = [reg] if warm and eps_scaling is None else _schedule(reg, crange, eps_scaling)
    total, err, code = 0, np.inf, 1
    for k, r in enumerate(regs):
        final = k == len(regs) - 1
        stage_tol = tol if final else max(tol, _STAGE_TOL)
        if omega == "auto":
            ost = np.array([1.0, 1.0, 0.0, 0.0, 0.0, K_.OMEGA_MAX])
        else:
            ost = np.array([omega if final else 1.0, 0.0, 0.0, 0.0, 0.0, K_.OMEGA_MAX])
        d_prev = -np.inf
        code = 1
        it_stage = 0
        while total < max_iter:
            w = ost[0]
            Fs = r * log_a + F - r * ops.rows(G, F, r)
            F = Fs if w == 1.0 else F + w * (Fs - F)
            ukv = a * np.exp((F - Fs) / r)
            Gs = r * log_b + G - r * ops.cols(F, G, r)
            total += 1
            it_stage += 1
            err = float(np.abs(ukv - a).sum() + (b * np.abs(np.expm1((G - Gs) / r))).sum())
            if not (np.isfinite(err) and np.isfinite(Fs).all() and np.isfinite(Gs).all()):
                code = 3
                break
            if err <= stage_tol and (ost[1] != 0.0 or it_stage % check_every == 0
                                     or total == max_iter):
                code = 0
                break
            d_prev = _adapt(ost, err, w, a, b, F, G, ukv, r, d_prev)
            w = ost[0]
            G = Gs if w == 1.0 else G + w * (Gs - G)
        if code != 0:
            break
    return F, G, total, err, code, r


class _BatchOps:
    """The batched passes (:func:`~._pc_kernels.lse_rows_batch`) on one shared support."""

    def __init__(self, X, Y, code, p, par):
        self.X, self.Y, self.code, self.p = X, Y, code, p
        self.lse = PK.lse_rows_batch_par if par else PK.lse_rows_batch
        self.cmin = PK.cost_min_rows_par if par else PK.cost_min_rows

    def rows(self, H, S, inv, active, out):
        """``out[k] = log sum_j exp((S[k, i] + H[k, j] - C_ij) inv[k])`` for active ``k``."""
        self.lse(self.X, self.Y, H, S, inv, self.code, self.p, active, out)
        return out

    def cols(self, H, S, inv, active, out):
        """``out[k] = log sum_i exp((H[k, i] + S[k, j] - C_ij) inv[k])`` for active ``k``."""
        self.lse(self.Y, self.X, H, S, inv, self.code, self.p, active, out)
        return out


def _solve_batch(bops, preps, reg, tol, max_iter, eps_scaling, omega, crange, check_every=1):
    """:func:`_solve` for problems sharing one support, one batched pass per half-iteration.

    Every problem carries its own state (epsilon-scaling stage and its ``reg``, the adaptive
    over-relaxation record, the dual value of the safeguard, the iteration counts and its stop
    code) and follows the statements of :func:`_solve` on its own vectors; only the
    log-sum-exp passes are shared, restricted to the problems still running (the ``active``
    mask): a problem that stops (converged in its last stage, budget spent, or non-finite)
    drops out and keeps its potentials.  Returns a list of ``(F, G, total, err, code, r)``.
    """
    from ._sinkhorn import _STAGE_TOL, _schedule

    nb = len(preps)
    ns, ms = preps[0].ns, preps[0].ms
    warm = preps[0].F0 is not None
    if warm:
        F = np.ascontiguousarray(np.stack([q.F0 for q in preps]))
        G = np.ascontiguousarray(np.stack([q.G0 for q in preps]))
        out = bops.rows(G, F, np.full(nb, 1.0 / reg), np.ones(nb, dtype=np.int64),
                        np.empty((nb, ns)))
        for k, q in enumerate(preps):  # exact rows first
            F[k] = reg * q.log_a + F[k] - reg * out[k]
    elif crange / reg > 500.0:
        F1 = np.empty(ns)
        bops.cmin(bops.X, bops.Y, np.zeros(ms), bops.code, bops.p, F1)
        G1 = np.empty(ms)
        bops.cmin(bops.Y, bops.X, F1, bops.code, bops.p, G1)
        F, G = np.tile(F1, (nb, 1)), np.tile(G1, (nb, 1))
    else:
        F, G = np.zeros((nb, ns)), np.zeros((nb, ms))
    regs = [reg] if warm and eps_scaling is None else _schedule(reg, crange, eps_scaling)
    stage = np.zeros(nb, dtype=np.int64)
    r = np.empty(nb)
    stage_tol = np.empty(nb)
    ost = np.empty((nb, 6))
    d_prev = np.full(nb, -np.inf)
    code = np.ones(nb, dtype=np.int64)
    it_stage = np.zeros(nb, dtype=np.int64)
    total = np.zeros(nb, dtype=np.int64)
    err = np.full(nb, np.inf)
    live = np.ones(nb, dtype=np.int64)

    def start(k):  # the head of a stage in _solve
        final = stage[k] == len(regs) - 1
        r[k] = regs[stage[k]]
        stage_tol[k] = tol if final else max(tol, _STAGE_TOL)
        if omega == "auto":
            ost[k] = (1.0, 1.0, 0.0, 0.0, 0.0, K_.OMEGA_MAX)
        else:
            ost[k] = (omega if final else 1.0, 0.0, 0.0, 0.0, 0.0, K_.OMEGA_MAX)
        d_prev[k] = -np.inf
        code[k] = 1
        it_stage[k] = 0
        if total[k] >= max_iter:  # the stage's loop does not run: code 1
            live[k] = 0

    for k in range(nb):
        start(k)
    out_r, out_c = np.empty((nb, ns)), np.empty((nb, ms))
    Fs, ukv = np.empty((nb, ns)), np.empty((nb, ns))
    while live.any():
        inv = 1.0 / r
        idx = np.flatnonzero(live)
        bops.rows(G, F, inv, live, out_r)
        for k in idx:
            q, rk, w = preps[k], r[k], ost[k, 0]
            Fs[k] = rk * q.log_a + F[k] - rk * out_r[k]
            F[k] = Fs[k] if w == 1.0 else F[k] + w * (Fs[k] - F[k])
            ukv[k] = q.a_s * np.exp((F[k] - Fs[k]) / rk)
        bops.cols(F, G, inv, live, out_c)
        for k in idx:
            q, rk, w = preps[k], r[k], ost[k, 0]
            Gs = rk * q.log_b + G[k] - rk * out_c[k]
            total[k] += 1
            it_stage[k] += 1
            e = float(np.abs(ukv[k] - q.a_s).sum()
                      + (q.b_s * np.abs(np.expm1((G[k] - Gs) / rk))).sum())
            err[k] = e
            if not (np.isfinite(e) and np.isfinite(Fs[k]).all() and np.isfinite(Gs).all()):
                code[k], live[k] = 3, 0
                continue
            if e <= stage_tol[k] and (ost[k, 1] != 0.0 or it_stage[k] % check_every == 0
                                      or total[k] == max_iter):
                code[k] = 0
                if stage[k] == len(regs) - 1:
                    live[k] = 0
                else:
                    stage[k] += 1
                    start(k)
                continue
            d_prev[k] = _adapt(ost[k], e, w, q.a_s, q.b_s, F[k], G[k], ukv[k], rk, d_prev[k])
            w = ost[k, 0]
            G[k] = Gs if w == 1.0 else G[k] + w * (Gs - G[k])
            if total[k] >= max_iter:
                live[k] = 0
    return [(F[k].copy(), G[k].copy(), int(total[k]), float(err[k]), int(code[k]), float(r[k]))
            for k in range(nb)]


class _Prep:
    """One problem reduced to its support (positive weights), with its compiled passes."""

    def __init__(self, a, b, geom, reg, init, parallel, cache):
        self.n, self.m = a.shape[0], b.shape[0]
        self.s = float(a.sum())
        self.ia, self.jb = a > 0, b > 0
        self.a_s = a[self.ia] / self.s
        self.b_s = b[self.jb] / b[self.jb].sum()
        self.log_a, self.log_b = np.log(self.a_s), np.log(self.b_s)
        self.ns, self.ms = self.a_s.shape[0], self.b_s.shape[0]
        self.key = (self.ia.tobytes(), self.jb.tobytes())
        self.par = (self.ns * self.ms >= PARALLEL_MIN if parallel is None else parallel) \
            and n_chunks() > 1
        if cache is not None and self.key in cache:
            self.X, self.Y, self.crange = cache[self.key]
            self.ops = _Ops(self.X, self.Y, geom._code, geom._p, self.par)
        else:
            self.X = np.ascontiguousarray(geom._X[:, self.ia])
            self.Y = np.ascontiguousarray(geom._Y[:, self.jb])
            self.ops = _Ops(self.X, self.Y, geom._code, geom._p, self.par)
            lo, hi = np.empty(self.ns), np.empty(self.ns)
            self.ops.crange(self.X, self.Y, self.ops.code, self.ops.p, lo, hi)
            self.crange = float(hi.max() - lo.min())
            if cache is not None:
                cache[self.key] = (self.X, self.Y, self.crange)
        self.F0 = self.G0 = None
        if init is not None:
            self.F0 = init[0][self.ia] + reg * np.log(self.a_s)
            self.G0 = init[1][self.jb] + reg * np.log(self.b_s)


def sinkhorn_pointcloud(a, b, geom, reg, tol, max_iter, init, eps_scaling, parallel, omega,
                        check_every=1):
    """Solve one problem on a point cloud; returns the dict of fields of ``_sinkhorn._one``."""
    pr = _Prep(a, b, geom, reg, init, parallel, None)
    F, G, it, err_stop, code, r_last = _solve(pr.ops, pr.a_s, pr.b_s, reg, tol, max_iter, pr.F0,
                                              pr.G0, eps_scaling, omega, pr.crange, check_every)
    return _finish(pr, geom, reg, tol, F, G, it, code, r_last)


def _finish(pr, geom, reg, tol, F, G, it, code, r_last):
    """Rounding, objective terms and certificate of one solved problem (the fields of
    ``_sinkhorn._one``)."""
    from ._sinkhorn import _DUAL_ROUNDING, _GAP_RTOL, _OBJ_ROUNDING

    n, m, s, ia, jb = pr.n, pr.m, pr.s, pr.ia, pr.jb
    a_s, b_s, X, Y, ns, ops, par = pr.a_s, pr.b_s, pr.X, pr.Y, pr.ns, pr.ops, pr.par
    if r_last != reg:  # stopped in an intermediate stage: evaluate at reg from the rows
        F = reg * np.log(a_s) + F - reg * ops.rows(G, F, reg)
    log_a, log_b = np.log(a_s), np.log(b_s)
    f_s = F - reg * log_a
    g_s = G - reg * log_b
    # rounding onto U(a, b) (Altschuler, Weed & Rigollet 2017, Alg. 2), tile-wise
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        row = np.exp(ops.rows(G, F, reg))
        x = np.where(row > 0, np.minimum(1.0, a_s / row), 1.0)
        lx = np.log(x)
        c = np.exp(ops.cols(F + reg * lx, G, reg))
        col = c if (x == 1.0).all() else np.exp(ops.cols(F, G, reg))
        y = np.where(c > 0, np.minimum(1.0, b_s / c), 1.0)
        ly = np.log(y)
        srow = np.exp(ops.rows(G + reg * ly, F, reg)) if (y != 1.0).any() else row
        er = np.maximum(a_s - x * srow, 0.0)
        ec = np.maximum(b_s - c * y, 0.0)
        tot = float(er.sum())
        er = er / tot if tot > 0 else np.zeros_like(er)
        parts = np.empty((ns, 5))
        ops.evaluate(X, Y, F, G, lx, ly, er, ec, log_a, log_b, f_s, g_s, reg, ops.code, ops.p,
                     parts)
    cost, kl = float(parts[:, 0].sum()), float(parts[:, 1].sum()) + 1.0
    res_max, cmin, cmax = float(parts[:, 2].max()), float(parts[:, 3].min()), \
        float(parts[:, 4].max())
    err = float(np.abs(row - a_s).sum() + np.abs(col - b_s).sum())
    mass = float(col.sum())
    dual = float(a_s @ f_s + b_s @ g_s - reg * (mass - 1.0))
    objective = cost + reg * kl
    finite = bool(np.isfinite(F).all() and np.isfinite(G).all() and np.isfinite(cost)
                  and np.isfinite(kl) and np.isfinite(err))
    f, g = np.empty(n), np.empty(m)
    f[ia], g[jb] = f_s, g_s
    if not ia.all():  # soft c-transforms for the zero-weight points
        Xz = np.ascontiguousarray(geom._X[:, ~ia])
        oz = np.empty(Xz.shape[1])
        PK.lse_rows(Xz, Y, g_s + reg * log_b, np.zeros(Xz.shape[1]), 1.0 / reg, ops.code,
                    ops.p, oz)
        f[~ia] = -reg * oz
    if not jb.all():
        Yz = np.ascontiguousarray(geom._Y[:, ~jb])
        oz = np.empty(Yz.shape[1])
        PK.lse_rows(Yz, X, f_s + reg * log_a, np.zeros(Yz.shape[1]), 1.0 / reg, ops.code,
                    ops.p, oz)
        g[~jb] = -reg * oz
    # the certificate of the dense path (_sinkhorn._one), with the cost terms tile-wise
    ok_numbers = finite and np.isfinite(objective) and np.isfinite(dual)
    marg_ok = err <= tol * (1 + 1e-6) + 1e-15
    gap = float(objective - dual) if ok_numbers else np.inf
    gap_tol = (_GAP_RTOL * max(abs(float(objective)), abs(dual))
               + _DUAL_ROUNDING * float(a_s @ np.abs(f_s) + b_s @ np.abs(g_s))) \
        if ok_numbers else 0.0
    if ok_numbers:
        lw = reg * max(0.0, float(np.log(1.0 / max(a_s.min(), b_s.min()))))
        whole = 0.5 * err * max((cmax - cmin) + float(np.ptp(g_s)) + reg + res_max + lw, 0.0)
        pots = 0.5 * err * (float(np.ptp(f_s)) + float(np.ptp(g_s)) + reg + lw)
        gap_allow = min(whole, pots)
    else:
        gap_allow = 0.0
    gap_ok = -gap_tol <= gap <= gap_tol + gap_allow
    obj_round = (_OBJ_ROUNDING * reg * float(a_s @ np.abs(log_a) + b_s @ np.abs(log_b) + 2.0)) \
        if ok_numbers else np.inf
    cabs = max(abs(cmin), abs(cmax))
    precise = obj_round <= _GAP_RTOL * cabs + 1e-12
    success = code == 0 and ok_numbers and marg_ok and gap_ok and precise
    if not ok_numbers or code == 3:
        status, msg = Status.NUMERICAL, (
            f"non-finite values in the point-cloud iteration after {it} iterations "
            f"(reg={reg:g}); increase `reg` or rescale the points")
    elif code == 0 and marg_ok and not precise:
        status, msg = Status.NUMERICAL, (
            f"marginals met (error {err:.3g}) but reg={reg:g} is so large against the cost "
            f"scale max|C| = {cabs:.3g} that the objective and dual values carry a rounding "
            f"error ~{obj_round:.3g}; lower `reg`")
    elif code == 0 and marg_ok and not gap_ok:
        status, msg = Status.NUMERICAL, (
            f"marginals met (error {err:.3g}) but the primal-dual gap {gap:.3g} is outside "
            f"[{-gap_tol:.3g}, {gap_tol + gap_allow:.3g}]: the plan is not certified optimal "
            f"(cost range {cmax - cmin:.3g}, reg={reg:g}); tighten `tol` or increase `reg`")
    elif not success:
        status, msg = Status.MAX_ITER, (
            f"marginal error {err:.3g} > tol={tol:g} after {it} iterations; increase "
            f"`max_iter`, increase `reg`, loosen `tol` or warm-start with `init`")
    else:
        status, msg = Status.SUCCESS, (
            f"converged: marginal error {err:.3g} <= tol={tol:g} in {it} iterations "
            f"(point cloud, {'parallel' if par else 'serial'} tiles)")
    if not ok_numbers:
        objective = cost = dual = np.inf
    return dict(success=success, status=status, message=msg, n_iter=it, plan=None,
                cost=float(cost) * s, objective=float(objective) * s,
                dual_objective=float(dual) * s, potentials=(f, g), marginal_error=err * s)


def sinkhorn_pointcloud_batch(a, b, geom, reg, tol, max_iter, init, eps_scaling, parallel,
                              omega, check_every=1):
    r"""Solve a batch of weight pairs on one point cloud, the sweeps in one compiled kernel.

    Problem ``k`` is the single point-cloud problem ``sinkhorn(a[k], b[k], geom, reg, ...)``
    (log-domain Sinkhorn on the support of its weights, Peyre & Cuturi 2019, Remark 4.23;
    stopping rule: L1 marginal error :math:`\|P\mathbf{1} - a\|_1 + \|P^\top\mathbf{1} -
    b\|_1 \le` ``tol`` in the last epsilon-scaling stage, tested as in the single solve).
    Problems with the same support (the same zero pattern of ``a[k]`` and ``b[k]``; all of
    them when every weight is positive) are solved together: each half-iteration is ONE call
    of :func:`~._pc_kernels.lse_rows_batch`, which computes the cost :math:`c(x_i, y_j)` once
    per pair and uses it for every problem still running, while each problem keeps its own
    state, so the epsilon-scaling schedule (Schmitzer 2019, Sec. 3.3), the fixed or adaptive
    over-relaxation (Thibault et al. 2021; Hageman & Young 1981, Ch. 9), the warm start
    ``init`` and the stopping rule are those of its own solve, problem by problem; a problem
    that stops drops out of the kernel (``active`` mask) and keeps its potentials.  A problem
    whose support is shared by no other one is solved alone.  The rounding (Altschuler, Weed
    & Rigollet 2017, Alg. 2) and the primal-dual certificate are those of the single solve,
    run per problem.

    The iterates equal those of the single solves up to the summation order inside a row's
    log-sum-exp: bitwise for the squared Euclidean cost in 2-D (the same vectorized loop),
    to rounding (~1e-15 relative per pass) otherwise, where the single kernel's generic loop
    is not vectorized.  The batched sweeps use the parallel (prange over rows) kernel when
    ``B n m >= PARALLEL_MIN`` (``parallel=None``); the per-problem rounding and the message
    follow the single solve's own choice (``n m >= PARALLEL_MIN``).

    Parameters
    ----------
    a, b : ndarray, shape (B, n), (B, m)
        Nonnegative weights, each pair of equal mass (checked by the caller).
    geom : PointCloud
        The shared point cloud (``n`` x ``m`` points).
    reg, tol, max_iter, init, eps_scaling, parallel, omega, check_every
        As in :func:`~._sinkhorn.sinkhorn` (already validated); ``init`` is ``None`` or a pair
        of ``(B, n)``, ``(B, m)`` arrays.

    Returns
    -------
    list of dict
        Per problem, the fields of :func:`sinkhorn_pointcloud` (``_sinkhorn._one``).

    Raises
    ------
    ValueError
        If ``a`` and ``b`` are not 2-D with one row per problem and the point-cloud sizes.

    References
    ----------
    1. Peyre, G. & Cuturi, M. (2019). Computational Optimal Transport. Found. Trends ML.
    2. Schmitzer, B. (2019). Stabilized sparse scaling algorithms for entropy regularized
       transport problems. SIAM J. Sci. Comput. 41(3), A1443-A1481.
    3. Altschuler, J., Weed, J. & Rigollet, P. (2017). Near-linear time approximation
       algorithms for optimal transport via Sinkhorn iteration. NeurIPS.
    4. Thibault, A., Chizat, L., Dossal, C. & Papadakis, N. (2021). Overrelaxed
       Sinkhorn-Knopp algorithm for regularized optimal transport. Algorithms 14(5), 143.
    5. Hageman, L. A. & Young, D. M. (1981). Applied Iterative Methods. Academic Press.
    """
    a, b = np.asarray(a), np.asarray(b)
    if a.ndim != 2 or b.ndim != 2 or a.shape[0] != b.shape[0] \
            or (a.shape[1], b.shape[1]) != tuple(geom.shape):
        raise ValueError(f"`a` and `b` must have shapes (B, {geom.shape[0]}) and "
                         f"(B, {geom.shape[1]}), got {a.shape} and {b.shape}")
    nb = a.shape[0]
    cache: dict = {}
    preps = [_Prep(a[k], b[k], geom, reg, None if init is None else (init[0][k], init[1][k]),
                   parallel, cache) for k in range(nb)]
    groups: dict = {}
    for k, q in enumerate(preps):
        groups.setdefault(q.key, []).append(k)
    res: list = [None] * nb
    for ks in groups.values():
        q0 = preps[ks[0]]
        if len(ks) == 1:
            res[ks[0]] = _solve(q0.ops, q0.a_s, q0.b_s, reg, tol, max_iter, q0.F0, q0.G0,
                                eps_scaling, omega, q0.crange, check_every)
            continue
        big = len(ks) * q0.ns * q0.ms >= PARALLEL_MIN
        par = (big if parallel is None else parallel) and n_chunks() > 1
        bops = _BatchOps(q0.X, q0.Y, geom._code, geom._p, par)
        for k, sol in zip(ks, _solve_batch(bops, [preps[k] for k in ks], reg, tol, max_iter,
                                           eps_scaling, omega, q0.crange, check_every)):
            res[k] = sol
    outs = []
    for k, q in enumerate(preps):
        F, G, it, _, code, r_last = res[k]
        outs.append(_finish(q, geom, reg, tol, F, G, it, code, r_last))
    return outs
