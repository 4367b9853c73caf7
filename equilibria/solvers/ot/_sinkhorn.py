"""Entropic optimal transport: scaling, log-domain and absorption-stabilized Sinkhorn."""

from __future__ import annotations

import numpy as np

from equilibria._lib.result import Status, finish
from equilibria._lib.validation import as_float_array, check_int, check_option, check_scalar

from . import _kernels as K_
from . import _pc_kernels as PK
from ._common import OTResult, c_transform_soft, check_cost, check_marginals, check_reg, n_chunks

__all__ = ["sinkhorn", "SINKHORN_METHODS", "SINKHORN_DTYPES"]

SINKHORN_METHODS = ("stabilized", "log", "scaling")
#: storage precision of the dense kernel / cost (``dtype=``)
SINKHORN_DTYPES = ("float64", "float32")
#: dtype="float32": unit roundoff of a stored entry (2^-24), cap of the absorption threshold
#: ``tau`` (scalings within [1e-8, 1e8], so a kernel entry that carries plan mass >= 1e-22 is a
#: normal float32, >= 1.2e-38; the smaller ones hold at most 1e-22 n m in all), and the
#: c-transform start from a cost range of 80 reg (e^88 overflows float32)
_U32 = float(np.finfo(np.float32).eps) / 2.0
_TAU32 = 1e8
_CT32 = 80.0
#: problems with at least this many entries use the parallel (prange) kernels
_PARALLEL_MIN = 250_000
#: epsilon-scaling: reg factor per stage and L1 tolerance of the intermediate stages
_FACTOR, _STAGE_TOL = 0.25, 1e-3
#: primal-dual certificate: ``objective - dual_objective`` (of the rounded plan and the
#: potentials) must be at most ``_GAP_RTOL * max(|objective|, |dual|)`` plus the rounding
#: error of the dual sum, ``_DUAL_ROUNDING * (<a, |f|> + <b, |g|>)`` (cancelling potentials),
#: plus :func:`gap_bound` of the marginal error at the stop
_GAP_RTOL = 1e-6
_DUAL_ROUNDING = 1e3 * np.finfo(float).eps
#: rounding factor of the ``reg * KL`` term of the objective (see ``_one``)
_OBJ_ROUNDING = 8 * np.finfo(float).eps


def gap_bound(err, a, b, C, f, g, reg, crange=None) -> float:
    r"""A-posteriori bound on the primal-dual gap of a Sinkhorn iterate on its support.

    With :math:`\delta = \tfrac12` ``err`` (the L1 marginal error of the iterate, whose rows
    are exact), :math:`\delta\,[\operatorname{osc}(C) + \operatorname{osc}(g) + \varepsilon +
    \max_{ij}(C_{ij} - f_i - g_j) + \varepsilon\max(0, \log(1/w))]`,
    :math:`w = \max(\min_i a_i, \min_j b_j)`; see :func:`.theorems.sinkhorn_gap_bound` for the
    derivation.  ``a, b`` (positive, sum 1), ``C`` and the potentials ``f, g`` are those of the
    support; ``crange``, when given, is :math:`\operatorname{osc}(C)` (saves a pass over ``C``).
    """
    w = max(float(a.min()), float(b.min()))
    inner = (float(np.ptp(C) if crange is None else crange) + float(np.ptp(g)) + reg
             + float(K_.max_reduced_cost(np.ascontiguousarray(C, dtype=float),
                                         np.ascontiguousarray(f, dtype=float),
                                         np.ascontiguousarray(g, dtype=float)))
             + reg * max(0.0, float(np.log(1.0 / w))))
    return 0.5 * float(err) * max(inner, 0.0)


def _schedule(reg, crange, eps_scaling):
    """epsilon-scaling schedule (Schmitzer 2019, Sec. 3.3): geometric, ending at ``reg``."""
    if eps_scaling is False or crange <= 0:
        return [reg]
    auto = eps_scaling is None
    if auto and crange / reg <= 200.0:
        return [reg]
    factor = _FACTOR
    r = crange / 50.0 if auto else crange
    regs = []
    while r > reg / factor * 0.999:
        regs.append(r)
        r *= factor
    regs.append(reg)
    return regs


def float32_slack(method, reg, crange) -> float:
    """Bound on how far the float32 storage moves the L1 marginal error of a plan.

    ``"stabilized"`` / ``"scaling"``: each stored kernel entry is ``K_ij (1 + d_ij)``,
    ``|d_ij| <= u = 2^-24``, so the row and the column sums of ``diag(u) K diag(v)`` move by at
    most ``u`` times the mass (1) each: ``2u ~ 1.2e-7`` (``2.5u`` for the rounding of the
    float64 sums).  ``"log"``: the cost (shifted to ``[-crange/2, crange/2]``) is stored, its
    rounding moves the exponent by ``crange u / (2 reg)``, so the plan entries by
    ``expm1(crange u / (2 reg))`` relative.  The typical effect is far smaller (the ``d_ij``
    are rounding errors that cancel in the sums; ``benchmarks/ot.py`` measures it).
    """
    if method == "log":
        return 2.5 * float(np.expm1(0.5 * crange * _U32 / reg))
    return 2.5 * _U32


def _solve_support(a, b, C, reg, method, tol, max_iter, F, G, eps_scaling, tau, check_every,
                   parallel, omega=1.0, dtype="float64", crange=None):
    """Solve the normalized problem on the support (a, b > 0, sum 1).

    Returns ``(P, F, G, n_iter, err_at_stop, code, n_absorb)`` with ``P`` the unrounded plan
    and standard potentials ``F, G`` (``P = exp((F + G - C)/reg)`` up to the final scalings).

    ``dtype="float32"``: the kernel (or, for ``"log"``, the cost) is stored in float32 and the
    sweeps stop at ``tol`` minus :func:`float32_slack` (at least ``tol / 2``) of their own
    (float32-kernel) error; ``P`` is then ``exp((F + G - C)/reg)`` in float64 from the float64
    ``C``, so every quantity the caller certifies is a float64 one.
    """
    n, m = C.shape
    log_a, log_b = np.log(a), np.log(b)
    if crange is None:
        lo, hi = K_.min_max(C)
        crange = float(hi - lo)
    warm = F is not None
    f32 = dtype == "float32"
    sweep_tol = tol - min(float32_slack(method, reg, crange), 0.5 * tol) if f32 else tol
    if method == "log":
        if not warm:
            F, G = np.zeros(n), np.zeros(m)
        Gnew = np.empty(m)
        if f32:
            # a constant shift of C is a shift of F: store C - c0 in [-crange/2, crange/2]
            c0 = 0.5 * (float(C.max()) + float(C.min()))
            C32 = (C - c0).astype(np.float32)
            CT32 = np.ascontiguousarray(C32.T)
            F = F - c0
            it, err, code = K_.log_sweeps_f32(C32, CT32, log_a, log_b, b, F, G, Gnew, reg,
                                              sweep_tol, max_iter)
            del C32, CT32
            F = F + c0
        else:
            CT = np.ascontiguousarray(C.T)
            it, err, code = K_.log_sweeps(C, CT, log_a, log_b, b, F, G, Gnew, reg, tol,
                                          max_iter)
            del CT
        P = np.empty((n, m))
        (PK.dense_plan_from_potentials if f32 else K_.plan_from_potentials)(C, F, G, reg, P)
        return P, F, G, it, err, code, 0

    par = (n * m >= _PARALLEL_MIN if parallel is None else parallel) and n_chunks() > 1
    if f32:
        sweeps = K_.sinkhorn_sweeps_par_f32 if par else K_.sinkhorn_sweeps_f32
        build = PK.dense_kernel_f32_par if par else PK.dense_kernel_f32
        tau = min(tau, _TAU32)
    else:
        sweeps = K_.sinkhorn_sweeps_par if par else K_.sinkhorn_sweeps
        build = K_.build_kernel_par if par else K_.build_kernel
    rowlog = K_.log_row_update_par if par else K_.log_row_update
    S = np.zeros((n_chunks() if par else 1, m))
    Kmat = np.empty((n, m), dtype=np.float32 if f32 else np.float64)
    if method == "scaling":
        if not warm:
            F, G = np.zeros(n), np.zeros(m)
        regs, tau = [reg], np.inf
    else:
        if warm:
            rowlog(C, G, log_a, reg, F)  # exact rows first: no overflow in K
        elif crange / reg > (_CT32 if f32 else 500.0) or (f32 and -float(C.min()) > _CT32 * reg):
            # c-transform start: every row and column of K holds an entry equal to 1
            F = C.min(axis=1)
            G = (C - F[:, None]).min(axis=0)
        else:
            F, G = np.zeros(n), np.zeros(m)
        regs = _schedule(reg, crange, eps_scaling)
    total, n_absorb, n_rescue = 0, 0, 0
    err, code = np.inf, 1
    u, v = np.ones(n), np.ones(m)
    for k, r in enumerate(regs):
        final = k == len(regs) - 1
        stage_tol = sweep_tol if final else max(tol, _STAGE_TOL)
        build(C, F, G, r, Kmat)
        u[:], v[:] = 1.0, 1.0
        if omega == "auto":  # adaptive, estimated afresh per stage (the rate depends on r)
            ost = np.array([1.0, 1.0, 0.0, 0.0, 0.0, K_.OMEGA_MAX])
        else:
            ost = np.array([omega if final else 1.0, 0.0, 0.0, 0.0, 0.0, K_.OMEGA_MAX])
        while True:
            budget = max_iter - total
            if budget <= 0:
                code = 1
                break
            it, err, code = sweeps(Kmat, a, b, u, v, S, stage_tol, budget,
                                   check_every, tau, ost)
            total += it
            if code in (0, 1):
                break
            if code == 2:  # absorb the scalings into the kernel (Schmitzer 2019, Alg. 2)
                F += r * np.log(u)
                G += r * np.log(v)
                n_absorb += 1
            else:  # breakdown: v is the last valid scaling; rows by an exact log update
                G += r * np.log(v)
                if method == "scaling" or n_rescue >= 50:
                    rowlog(C, G, log_a, r, F)
                    u[:], v[:] = 1.0, 1.0
                    code = 3
                    break
                rowlog(C, G, log_a, r, F)
                n_rescue += 1
            build(C, F, G, r, Kmat)
            u[:], v[:] = 1.0, 1.0
        if code == 3 or (code == 1 and not final):
            break
        if not final:
            F += r * np.log(u)
            G += r * np.log(v)
            u[:], v[:] = 1.0, 1.0
    F = F + r * np.log(u)
    G = G + r * np.log(v)
    if f32:  # the float64 plan of the potentials, from the float64 cost
        del Kmat
        P = np.empty((n, m))
        (PK.dense_plan_from_potentials_par if par else PK.dense_plan_from_potentials)(
            C, F, G, reg, P)
        return P, F, G, total, err, code, n_absorb
    if r == reg and code != 3:
        K_.plan_from_scalings(Kmat, u, v, Kmat)  # in place: K becomes the plan
        return Kmat, F, G, total, err, code, n_absorb
    K_.plan_from_potentials(C, F, G, reg, Kmat)
    return Kmat, F, G, total, err, code, n_absorb


def _one(a, b, C, reg, method, tol, max_iter, init, eps_scaling, tau, check_every, parallel,
         omega, dtype="float64", presolved=None):
    """One problem: solve on the support and certify (``presolved``: the output of
    :func:`_solve_support` computed elsewhere, by :func:`_batch_shared`; certified here)."""
    n, m = C.shape
    s = float(a.sum())
    ia, jb = a > 0, b > 0
    full = bool(ia.all() and jb.all())
    a_s = a[ia] / s
    b_s = b[jb] / b[jb].sum()
    Cs = C if full else np.ascontiguousarray(C[np.ix_(ia, jb)])
    c_lo, c_hi = K_.min_max(Cs)
    crange, cabs = float(c_hi - c_lo), max(abs(float(c_lo)), abs(float(c_hi)))
    F0 = G0 = None
    if init is not None:
        F0 = init[0][ia] + reg * np.log(a_s)
        G0 = init[1][jb] + reg * np.log(b_s)
    if presolved is not None:
        P, F, G, it, err_stop, code, n_abs = presolved
    else:
        P, F, G, it, err_stop, code, n_abs = _solve_support(
            a_s, b_s, Cs, reg, method, tol, max_iter, F0, G0, eps_scaling, tau, check_every,
            parallel, omega, dtype, crange)
    f_s = F - reg * np.log(a_s)
    g_s = G - reg * np.log(b_s)
    col = np.empty(P.shape[1])
    rnd = K_.round_and_evaluate_par if (
        (P.size >= _PARALLEL_MIN if parallel is None else bool(parallel)) and n_chunks() > 1) \
        else K_.round_and_evaluate
    cost, kl, row = rnd(P, Cs, a_s, b_s, np.log(a_s), np.log(b_s), F, G, reg, col)
    err = float(np.abs(row - a_s).sum() + np.abs(col - b_s).sum())
    mass = float(col.sum())
    dual = float(a_s @ f_s + b_s @ g_s - reg * (mass - 1.0))
    objective = cost + reg * kl
    # a non-finite entry of P makes <C, P> or the KL term non-finite (P >= 0, C finite)
    finite = bool(np.isfinite(F).all() and np.isfinite(G).all() and np.isfinite(cost)
                  and np.isfinite(kl))
    # full-size outputs
    if full:
        plan = P
        f, g = f_s, g_s
    else:
        plan = np.zeros((n, m))
        plan[np.ix_(ia, jb)] = P
        f, g = np.empty(n), np.empty(m)
        f[ia], g[jb] = f_s, g_s
        bfull, afull = b / s, a / s
        g_full = np.where(jb, g, 0.0)
        f[~ia] = c_transform_soft(C[~ia], g_full, bfull, reg)
        f_full = np.where(ia, f, 0.0)
        g[~jb] = c_transform_soft(np.ascontiguousarray(C[:, ~jb].T), f_full, afull, reg)
    if s != 1.0:
        plan *= s
    ok_numbers = finite and np.isfinite(objective) and np.isfinite(dual)
    marg_ok = err <= tol * (1 + 1e-6) + 1e-15
    # the certificate of the returned pair: weak duality dual <= OT_reg <= objective, so a
    # small gap bounds the suboptimality of the plan whatever the dynamic range of C
    gap = float(objective - dual) if ok_numbers else np.inf
    gap_tol = (_GAP_RTOL * max(abs(float(objective)), abs(dual))
               + _DUAL_ROUNDING * float(a_s @ np.abs(f_s) + b_s @ np.abs(g_s))) \
        if ok_numbers else 0.0
    # the gap an iterate with marginal error err may have: a loose `tol` certifies a
    # correspondingly loose gap.  The potentials' part of the a-posteriori bound (gap_bound, the
    # registered theorem ot.sinkhorn_gap), delta (osc f + osc g + reg (1 + log 1/w)), and never
    # more than the whole bound: the cost-range terms of the whole bound would let a plan that
    # lost its precision on a huge entry of C pass
    gap_allow = min(gap_bound(err, a_s, b_s, Cs, f_s, g_s, reg, crange),
                    0.5 * err * (float(np.ptp(f_s)) + float(np.ptp(g_s)) + reg * (
                        1.0 + max(0.0, float(np.log(1.0 / max(a_s.min(), b_s.min()))))))) \
        if ok_numbers else 0.0
    # weak duality makes the gap of the rounded (feasible) plan >= 0: a negative gap beyond the
    # rounding tolerance means the objective or the dual value lost its precision
    gap_ok = -gap_tol <= gap <= gap_tol + gap_allow
    # rounding error of reg * KL: every log term carries ~eps |log a_i| + eps |log b_j|, which
    # reg multiplies; the objective lies in [min C, max C], so beyond _GAP_RTOL of that scale
    # (plus a 1e-12 floor) the values no longer mean anything (reg >> the range of C)
    obj_round = (_OBJ_ROUNDING * reg * float(a_s @ np.abs(np.log(a_s)) + b_s @ np.abs(np.log(b_s))
                                            + 2.0)) if ok_numbers else np.inf
    obj_scale = _GAP_RTOL * cabs + 1e-12
    precise = obj_round <= obj_scale
    success = code == 0 and ok_numbers and marg_ok and gap_ok and precise
    f32 = dtype == "float32"
    hint32 = "; or use dtype='float64'" if f32 else ""
    if not ok_numbers:
        status, msg = Status.NUMERICAL, (
            f"non-finite values in the {method!r} iteration; use method='stabilized' "
            f"(default) or increase `reg`")
    elif code == 3:
        status, msg = Status.NUMERICAL, (
            f"the {method!r} iteration broke down after {it} iterations (exp(-C/reg) "
            f"under/overflows at reg={reg:g}); use method='stabilized' or increase `reg`"
            + hint32)
    elif f32 and code == 0 and not marg_ok:
        status, msg = Status.NUMERICAL, (
            f"dtype='float32': the sweeps on the float32 {'cost' if method == 'log' else 'kernel'}"
            f" met their rule, but the float64 plan of the potentials has marginal error "
            f"{err:.3g} > tol={tol:g}: tol is below what float32 storage reaches here (rounding"
            f" moves the L1 marginals by up to {float32_slack(method, reg, crange):.2g}"
            f"); use dtype='float64' (warm-started with init=res.potentials) or loosen `tol`")
    elif code == 0 and marg_ok and not precise:
        status, msg = Status.NUMERICAL, (
            f"marginals met (error {err:.3g}) but reg={reg:g} is so large against the cost "
            f"scale max|C| = {cabs:.3g} that the objective and dual values "
            f"carry a rounding error ~{obj_round:.3g} in double precision; lower `reg` (for "
            f"reg >> max|C| the plan tends to a b^T / sum(a))")
    elif code == 0 and marg_ok and gap < -gap_tol:
        status, msg = Status.NUMERICAL, (
            f"marginals met (error {err:.3g}) but the primal-dual gap {gap:.3g} is negative "
            f"beyond the rounding tolerance {gap_tol:.3g}: the objective values lost their "
            f"precision (reg={reg:g} against a cost range {crange:.3g}); lower "
            f"`reg` or rescale C" + hint32)
    elif code == 0 and marg_ok and not gap_ok:
        status, msg = Status.NUMERICAL, (
            f"marginals met (error {err:.3g}) but the primal-dual gap {gap:.3g} exceeds "
            f"{gap_tol + gap_allow:.3g}: the plan is not certified optimal (C has a dynamic range "
            f"{crange:.3g} too large for reg={reg:g} in double precision); "
            f"rescale or clip C, increase `reg` or use `exact_ot`" + hint32)
    elif not success:
        status, msg = Status.MAX_ITER, (
            f"marginal error {err:.3g} > tol={tol:g} after {it} iterations; increase "
            f"`max_iter`, increase `reg`, loosen `tol` or warm-start with `init`")
    else:
        status, msg = Status.SUCCESS, (
            f"converged: marginal error {err:.3g} <= tol={tol:g} in {it} iterations"
            + (f" ({n_abs} absorptions)" if n_abs else ""))
    if not ok_numbers:
        plan = np.nan_to_num(plan, nan=0.0, posinf=0.0, neginf=0.0)
        objective = cost = dual = np.inf
    return dict(success=success, status=status, message=msg, n_iter=it, plan=plan,
                cost=float(cost) * s, objective=float(objective) * s,
                dual_objective=float(dual) * s, potentials=(f, g), marginal_error=err * s)


_TAU_DEFAULT = 1e50


def _shared_batch_ok(a, b, C, reg, method, init, eps_scaling, dtype) -> bool:
    """Whether a batch can run in :func:`_batch_shared`: one 2-D cost, every weight positive
    (the support is the whole grid for all problems), a single reg stage started from zero
    potentials (so the one kernel ``exp(-C/reg)`` is each problem's own start), no warm
    start, float64."""
    if C.ndim != 2 or init is not None or dtype != "float64":
        return False
    if not (bool((a > 0).all()) and bool((b > 0).all())):
        return False
    crange = float(C.max() - C.min())
    if method == "scaling":
        return True
    return method == "stabilized" and crange / reg <= 500.0 and \
        len(_schedule(reg, crange, eps_scaling)) == 1


def _batch_shared(a, b, C, reg, method, tol, max_iter, eps_scaling, tau, check_every, parallel,
                  omega):
    """A batch sharing one cost: all problems in one compiled kernel, one read of the kernel
    per sweep (:func:`~._kernels.sinkhorn_sweeps_batch`).

    Each problem follows exactly the iterates of its own single solve (the same start,
    sweeps and stopping rule); a problem whose scalings leave ``[1/tau, tau]`` or break down
    (codes 2, 3), which the single solve handles by absorption or a log-domain rescue, is
    solved again on its own by :func:`_one`.  Returns the list of per-problem outputs (their
    ``plan`` set to ``None``) and the ``(B, n, m)`` array of the plans.
    """
    nb, n = a.shape
    m = b.shape[1]
    sa, sb = a.sum(1), b.sum(1)
    A = np.ascontiguousarray(a / sa[:, None])
    Bw = np.ascontiguousarray(b / sb[:, None])
    par = (n * m >= _PARALLEL_MIN if parallel is None else parallel) and n_chunks() > 1
    Kmat = np.empty((n, m))
    zf, zg = np.zeros(n), np.zeros(m)
    (K_.build_kernel_par if par else K_.build_kernel)(C, zf, zg, reg, Kmat)
    U, V = np.ones((nb, n)), np.ones((nb, m))
    S = np.zeros((n_chunks() if par else 1, nb, m))
    if isinstance(omega, str):  # "auto": adaptive, as a single solve's stage
        OST = np.tile(np.array([1.0, 1.0, 0.0, 0.0, 0.0, K_.OMEGA_MAX]), (nb, 1))
    else:
        OST = np.tile(np.array([float(omega), 0.0, 0.0, 0.0, 0.0, K_.OMEGA_MAX]), (nb, 1))
    t = np.inf if method == "scaling" else tau
    n_it = np.zeros(nb, dtype=np.int64)
    errs = np.zeros(nb)
    codes = np.zeros(nb, dtype=np.int64)
    sweeps = K_.sinkhorn_sweeps_batch_par if par else K_.sinkhorn_sweeps_batch
    sweeps(Kmat, A, Bw, U, V, S, tol, max_iter, check_every, t, OST, n_it, errs, codes)
    outs = []
    plans = np.empty((nb, n, m))  # the batch's output: each plan built and rounded in place
    for k in range(nb):
        if codes[k] in (0, 1):
            P = plans[k]
            K_.plan_from_scalings(Kmat, U[k], V[k], P)
            pre = (P, reg * np.log(U[k]), reg * np.log(V[k]), int(n_it[k]), float(errs[k]),
                   int(codes[k]), 0)
        else:
            pre = None
        outs.append(_one(a[k], b[k], C, reg, method, tol, max_iter, None, eps_scaling, tau,
                         check_every, parallel, omega, "float64", presolved=pre))
        if pre is None:
            plans[k] = outs[-1]["plan"]
        outs[-1]["plan"] = None
    return outs, plans


def _check_dtype(dtype) -> str:
    """``dtype``: ``"float64"`` / ``"float32"`` or the numpy type / dtype; returns the name."""
    if isinstance(dtype, str):
        return check_option(dtype, "dtype", SINKHORN_DTYPES)
    if isinstance(dtype, (type, np.dtype)) and not isinstance(dtype, bool):
        try:
            name = np.dtype(dtype).name
        except TypeError:
            name = ""
        if name in SINKHORN_DTYPES:
            return name
    raise TypeError(f"`dtype` must be 'float64' or 'float32' (or np.float64 / np.float32), "
                    f"got {dtype!r} of type {type(dtype).__name__}")


def sinkhorn(a, b, C, reg, *, method="stabilized", tol=1e-9, max_iter=10_000, init=None,
             eps_scaling=None, tau=_TAU_DEFAULT, check_every=1, parallel="auto", omega="auto",
             dtype="float64"):
    r"""Entropic optimal transport by Sinkhorn iterations (stable by default).

    Solves

    .. math::

        \mathrm{OT}_\varepsilon(a, b) = \min_{P \in U(a, b)} \langle C, P\rangle
        + \varepsilon\, \mathrm{KL}(P \,\|\, a b^\top / s),
        \qquad U(a, b) = \{P \ge 0: P 1 = a,\ P^\top 1 = b\},

    with :math:`\varepsilon` = ``reg``, :math:`s = \sum_i a_i` and the generalized
    :math:`\mathrm{KL}(P\|Q) = \sum_{ij} P_{ij}\log(P_{ij}/Q_{ij}) - P_{ij} + Q_{ij}`.
    For probability vectors this is :math:`\langle C,P\rangle - \varepsilon H(P) +
    \varepsilon (H(a) + H(b))`, i.e. POT's objective plus the constant
    :math:`\varepsilon(H(a) + H(b) + 1)`; the plans coincide.  Its dual (for :math:`s = 1`) is

    .. math::

        \max_{f, g}\ \langle a, f\rangle + \langle b, g\rangle - \varepsilon \sum_{ij}
        a_i b_j \big(e^{(f_i + g_j - C_{ij})/\varepsilon} - 1\big), \qquad
        P_{ij} = a_i b_j e^{(f_i + g_j - C_{ij})/\varepsilon}.                         \tag{1}

    **Theorem** (entropic bias; Peyre & Cuturi 2019, Prop. 4.1 and eq. (4.7)).  With
    :math:`H(a) = -\sum_i a_i \log a_i` over the support,

    .. math::

        0 \le \mathrm{OT}_\varepsilon - \mathrm{OT}_0 \le \varepsilon \min(H(a), H(b))
        \le \varepsilon \log\min(n, m) \le \varepsilon(\log n + \log m).

    Proof: :math:`\mathrm{KL}(P\|ab^\top) \ge 0` gives the left side; for
    :math:`P \in U(a,b)`, :math:`\mathrm{KL}(P\|ab^\top) = H(a) + H(b) - H(P) \le
    \min(H(a), H(b))` because :math:`H(P) \ge \max(H(a), H(b))`; evaluate at an optimal
    unregularized plan.

    Parameters
    ----------
    a : array_like, shape (n,) or (B, n)
        Source weights (non-negative; zero-weight points allowed).  2-D: a batch of ``B``
        problems of the same size.  With one shared 2-D cost, positive weights, no ``init``,
        float64 and a single reg stage started from zero potentials (``"scaling"``, or
        ``"stabilized"`` with :math:`\operatorname{osc} C / \varepsilon \le 200` under the
        automatic :math:`\varepsilon`-scaling rule) the whole batch runs in one compiled
        kernel that reads :math:`K = e^{-C/\varepsilon}` once per sweep for all problems
        (the single kernel reads it once per problem); every problem follows exactly the
        iterates of its own single solve and stops on its own rule (the results are bitwise
        those of solving each alone), and a problem whose scalings leave
        :math:`[1/\tau, \tau]` is solved again on its own (absorption).  Otherwise the
        problems are solved one after another.
    b : array_like, shape (m,) or (B, m)
        Target weights, same total mass as ``a`` (relative tolerance 1e-8 for float64
        weights, ~2e-6 when ``a`` or ``b`` is float32, whose rounding alone moves a sum by
        ~1e-7); ``b`` is rescaled to the mass of ``a``.
    C : array_like, shape (n, m) or (B, n, m), or Geometry
        Cost matrix (shared across a batch if 2-D), a :class:`~._geometry.Geometry` holding
        one (the same path, bit for bit), or a :class:`~._geometry.PointCloud` ``(x, y,
        cost)`` (a batch of weights runs in one compiled kernel: each half-iteration is one pass
        that computes :math:`c(x_i, y_j)` once per pair for all the problems sharing a support,
        each problem with its own epsilon-scaling stage, over-relaxation and stopping rule,
        dropping out when it stops; the iterates are those of solving each alone, bitwise
        for the 2-D squared Euclidean cost and to rounding otherwise; the exponentials,
        one per entry and problem, are not shared).  On a point cloud the n x m cost or kernel is never
        stored: log-domain sweeps :math:`F_i \leftarrow \varepsilon\log a_i + F_i -
        \varepsilon \log\sum_j e^{(F_i + G_j - c(x_i, y_j))/\varepsilon}` (shifted by the
        previous potential, one exponential per entry; a row whose shifted sum leaves
        :math:`[10^{-200}, 10^{200}]` is redone with the exact max shift), then the same for
        the columns, with the cost recomputed on the fly in compiled loops split across numba
        threads, in O((n + m) d) memory.  The iteration is the dense one written in
        potentials: the same stopping rule (L1 marginal error ``tol`` of the iterate after
        the row update), the same adaptive over-relaxation ``omega`` and dual safeguard, the
        same :math:`\varepsilon`-scaling and c-transform start rules, and the same
        certificate, every cost term (rounded plan's cost and KL, dual, the ``gap_bound``
        terms :math:`\max C - \min C` and :math:`\max(C - f - g)`) accumulated tile-wise.
        ``plan`` is then ``None`` (``PointCloud.plan(res, a, b)`` returns the dense unrounded
        plan when ``n m`` is below a memory limit) and ``method`` is ``"pointcloud"``.
    reg : float
        :math:`\varepsilon > 0`.
    method : {"stabilized", "log", "scaling"}
        ``"stabilized"`` (default): scaling iterations on the absorbed kernel
        :math:`K_{ij} = e^{(f_i + g_j - C_{ij})/\varepsilon}` with the scalings absorbed into
        the potentials whenever they leave :math:`[1/\tau, \tau]`, plus
        :math:`\varepsilon`-scaling (a geometric decrease of ``reg`` by 4 per stage from
        :math:`(\max C - \min C)/50`, intermediate stages to L1 error ``max(tol, 1e-3)``)
        when :math:`(\max C - \min C)/\varepsilon > 200` (Schmitzer 2019, Alg. 2-3); when
        that ratio exceeds 500 the potentials start from the c-transforms
        :math:`f_i = \min_j C_{ij}`, :math:`g_j = \min_i (C_{ij} - f_i)` so every row and
        column of the first kernel holds an entry equal to 1.  ``"log"``: log-sum-exp updates of the potentials (Peyre & Cuturi 2019,
        Remark 4.23), robust but slower.  ``"scaling"``: the classical
        :math:`u = a / Kv,\ v = b / K^\top u` on :math:`K = e^{-C/\varepsilon}` (Cuturi 2013);
        fails with ``Status.NUMERICAL`` when the kernel under/overflows.
    tol : float
        Stopping rule: :math:`\|P 1 - a\|_1 + \|P^\top 1 - b\|_1 \le` ``tol`` for the iterate
        :math:`P` after a row update (with ``omega = 1`` its rows are exact, so this is the L1
        column error).
    max_iter : int
        Budget of Sinkhorn iterations (one iteration = one row and one column update),
        counted over all :math:`\varepsilon`-scaling stages.
    init : tuple (f, g), optional
        Warm start from potentials in the convention (1) (e.g. ``res.potentials`` of a
        nearby problem).
    eps_scaling : bool or None
        ``None`` (auto, see above), ``True`` (always, from ``max C - min C``) or ``False``.
    tau : float
        Absorption threshold of the stabilized method: the scalings are absorbed into the
        potentials (and the kernel rebuilt) when they leave :math:`[1/\tau, \tau]`;
        ``inf`` never absorbs.  Capped at ``1e8`` with ``dtype="float32"``.  Not used on a
        :class:`~._geometry.PointCloud`, whose log-domain sweeps re-centre the potentials at
        every iteration (the limit :math:`\tau \to 1`): a value other than the default
        raises ``ValueError`` there.
    check_every : int
        Evaluate the stopping rule every ``check_every`` iterations (dense cost and point
        cloud alike).  While ``omega`` is adaptive (``"auto"``, until its safeguard falls back
        to 1) the rate estimate reads the error at every iteration and the rule is tested
        then too, so ``check_every`` acts with a fixed ``omega`` only.  The last iteration of
        the budget is always tested.
    omega : "auto" or float in [1, 2)
        Over-relaxation :math:`u \leftarrow u^{1-\omega}(a / Kv)^\omega` (and likewise
        ``v``), Thibault, Chizat, Dossal & Papadakis (2021), of the scaling methods.
        ``"auto"`` (default): per :math:`\varepsilon`-stage, 20 plain sweeps estimate the
        linear rate :math:`\lambda` of the L1 error (sweeps 10 to 30), then
        :math:`\omega = 2/(1 + \sqrt{1 - \lambda})` (the optimal omega of Lehmann, von
        Renesse, Sambale & Uschmajew 2022), re-estimated every 20 sweeps from the observed rate
        :math:`\rho` through Young's SOR relation :math:`(\rho + \omega - 1)^2 =
        \rho\,\omega^2\lambda` (omega only grows, at most 1.995).  Safeguard: the dual
        :math:`\langle a, \log u\rangle + \langle b, \log v\rangle - \sum_i u_i (Kv)_i`
        increases at every plain sweep (block-coordinate ascent); whenever it decreases,
        :math:`\omega - 1` is halved, and after 6 halvings :math:`\omega = 1` for good, so
        the global convergence of plain Sinkhorn applies.  A float fixes omega for the final
        stage (``1`` is plain Sinkhorn; a fixed ``omega > 1`` has only local convergence
        guarantees; failures are reported, never NaN).  With ``omega > 1`` the rows are no
        longer exact after an update and the stopping rule adds the row error.
        At small ``reg`` ``"auto"`` needs roughly an order of magnitude fewer iterations than
        ``omega = 1`` (``benchmarks/ot.py`` reports the counts).
    parallel : "auto", bool or None
        Split the rows of the stabilized / scaling sweeps across numba threads (per-thread
        column sums; same iterates up to the summation order).  ``None``: when
        ``n m >= 250000``.  ``"auto"`` (default): ``False`` for a dense cost (the sweep is
        memory-bound, and on a busy 2-core machine the per-sweep thread synchronization cost
        more than it saved; see ``benchmarks/ot.py``, which times both) and ``None`` for a
        :class:`~._geometry.PointCloud` (compute-bound: threads pay from ``n m >= 250000``).

    dtype : {"float64", "float32"} or numpy.float64 / numpy.float32
        Storage precision of the dense kernel (default ``"float64"``).  ``"float32"`` stores
        the kernel :math:`K` of the ``"stabilized"`` / ``"scaling"`` sweeps (for ``"log"``,
        the cost, shifted to :math:`[-\tfrac12 \operatorname{osc} C, \tfrac12
        \operatorname{osc} C]`) in float32: half the memory of the kernel and half the bytes
        read per sweep.  Every product of a stored entry and a float64 scaling is formed and
        summed in float64, so the sweeps converge on the rounded kernel as they do in float64;
        they stop at ``tol`` minus the bound of :func:`float32_slack` on how far the rounding
        moves the marginals (``2.5 * 2^-24 ~ 1.5e-7``; at least ``tol / 2``), with ``tau``
        capped at ``1e8`` and the c-transform start from a cost range of ``80 reg`` (float32
        overflows at :math:`e^{88}`).  The returned ``plan`` is :math:`e^{(F_i + G_j -
        C_{ij})/\varepsilon}` evaluated in float64 from the float64 ``C`` and rounded as in
        float64, so ``marginal_error``, the gap and ``success`` are float64 certificates of
        what is returned.  Measured (``benchmarks/ot.py`` section 1b: 2-D clouds, cost scaled
        to max 1, reg 0.05 and 0.01, n = 1000-4000, serial sweeps): 0.45-0.69 of the float64
        time per sweep (the memory bound is 0.5; 2026-12-06, a loaded 2-core machine), the same iteration counts at the L1 rule
        1e-6 (within one); a marginal floor of 1e-9 to 4e-9 (L1 error of the float64 plan
        when ``tol`` is below what float32 reaches); L1 distance of the plan from the float64
        plan 6e-10 to 3e-9 when both run to their floors.  A ``tol`` below the floor returns
        ``success=False``, ``Status.NUMERICAL`` and a message to use ``dtype="float64"``
        (warm-started from ``res.potentials``), never a false success, so pass
        ``tol >= 1e-8``: the default ``1e-9`` is usually below the floor.  ``"log"``: no
        speed gain (its sweeps are bound by the exponentials, not by memory) and a floor of
        1e-8 (reg 0.05) to 1.4e-7 (reg 0.01) at n = 1000-2000, growing like
        :math:`\operatorname{osc} C / \varepsilon`.  ``"scaling"``: :math:`e^{-C/\varepsilon}`
        leaves the float32 range beyond :math:`C/\varepsilon \approx 87` (float64: 708), a
        breakdown reported as ``Status.NUMERICAL``.  Only for a dense cost: a
        :class:`~._geometry.PointCloud` stores no kernel (``ValueError``).

    Returns
    -------
    OTResult
        ``plan``: (``None`` for a point cloud) the last iterate rounded onto :math:`U(a, b)` (Altschuler, Weed & Rigollet
        2017, Alg. 2; moves it by at most twice ``marginal_error`` in L1), so that
        ``objective`` is the primal value of a feasible plan and
        ``dual_objective <= OT_reg <= objective`` (weak duality) holds exactly.
        ``marginal_error``: the stopping quantity of the unrounded iterate.
        ``potentials``: ``(f, g)`` of (1); for zero-weight points the soft c-transform
        :math:`f_i = -\varepsilon \log \sum_j b_j e^{(g_j - C_{ij})/\varepsilon}`.
        ``objective``, ``dual_objective``, ``cost`` :math:`= \langle C, P\rangle`.
        For a batch, every field gets a leading axis of length ``B``; ``success`` is true
        when all problems converged and ``n_iter`` is the maximum.

        ``success`` needs the stopping rule met *and* the certificate: the gap
        ``objective - dual_objective`` at least minus, and at most, ``1e-6`` (relative) plus
        the rounding of the dual sum (weak duality makes it ``>= 0`` exactly), the upper side
        widened by what the marginal error :math:`2\delta` at the stop allows, the
        potentials' part :math:`\delta(\operatorname{osc} f + \operatorname{osc} g +
        \varepsilon(1 + \log(1/w)))` of the a-posteriori bound of the registered theorem
        ``ot.sinkhorn_gap`` (never more than the whole bound; a loose ``tol`` such as ``1e-4``
        certifies a gap of order ``tol``, not ``1e-6``), and a rounding error
        of the ``reg * KL`` term (``~8 eps reg (<a, |log a|> + <b, |log b|> + 2)``) below
        ``1e-6 max|C| + 1e-12``: for ``reg`` far above the cost scale the values lose their
        meaning in double precision and the result is ``Status.NUMERICAL`` (the plan is then
        ``a b^T / s`` up to rounding).

    Notes
    -----
    The stabilized sweep reads the kernel once per iteration: each row of :math:`K` gives
    :math:`(Kv)_i` and then, while still in cache, is accumulated into :math:`K^\top u`
    (two passes of POT's ``ot.sinkhorn`` fused into one; no n x m temporaries).  Rows are
    split across threads with per-thread column sums.

    References
    ----------
    1. Cuturi, M. (2013). Sinkhorn distances: lightspeed computation of optimal transport.
       NeurIPS.
    2. Schmitzer, B. (2019). Stabilized sparse scaling algorithms for entropy regularized
       transport problems. SIAM J. Sci. Comput. 41(3), A1443-A1481 (Alg. 2, 3).
    3. Peyre, G. & Cuturi, M. (2019). Computational Optimal Transport. Found. Trends ML
       (Prop. 4.1, Remark 4.23).
    4. Altschuler, J., Weed, J. & Rigollet, P. (2017). Near-linear time approximation
       algorithms for optimal transport via Sinkhorn iteration. NeurIPS (Alg. 2).
    5. Thibault, A., Chizat, L., Dossal, C. & Papadakis, N. (2021). Overrelaxed Sinkhorn-Knopp
       algorithm for regularized optimal transport. Algorithms 14(5), 143.
    6. Lehmann, T., von Renesse, M.-K., Sambale, A. & Uschmajew, A. (2022). A note on
       overrelaxation in the Sinkhorn algorithm. Optimization Letters 16, 2209-2220.
    7. Hageman, L. A. & Young, D. M. (1981). Applied Iterative Methods. Academic Press
       (Ch. 9, adaptive SOR).
    """
    from ._geometry import Geometry, PointCloud

    a, b = check_marginals(a, b, batched=True)
    batch = a.shape[0] if a.ndim == 2 else None
    n, m = a.shape[-1], b.shape[-1]
    cloud = isinstance(C, PointCloud)
    if cloud:
        if C.shape != (n, m):
            raise ValueError(f"the PointCloud has {C.shape[0]} x {C.shape[1]} points, `a` and "
                             f"`b` have lengths {n} and {m}")
    else:
        if isinstance(C, Geometry):
            C = C.cost_matrix()
        C = check_cost(C, n, m, batch=batch)
    reg = check_reg(reg)
    method = check_option(method, "method", SINKHORN_METHODS)
    tol = check_scalar(tol, "tol", lo=0.0, lo_inclusive=False)
    max_iter = check_int(max_iter, "max_iter", lo=1)
    tau = check_scalar(tau, "tau", lo=1.0, lo_inclusive=False, finite=False)
    if np.isnan(tau):
        raise ValueError("`tau` must be a number > 1 (inf: never absorb), got nan")
    check_every = check_int(check_every, "check_every", lo=1)
    dtype = _check_dtype(dtype)
    if not (isinstance(omega, str) and omega == "auto"):
        omega = check_scalar(omega, "omega", lo=1.0, hi=2.0, hi_inclusive=False)
    if isinstance(parallel, str) and parallel == "auto":
        parallel = None if cloud else False
    elif parallel not in (None, True, False):
        raise ValueError(f"`parallel` must be 'auto', None, True or False, got {parallel!r}")
    if eps_scaling not in (None, True, False):
        raise ValueError(f"`eps_scaling` must be None, True or False, got {eps_scaling!r}")
    if init is not None:
        if not isinstance(init, (tuple, list)) or len(init) != 2:
            raise ValueError("`init` must be a pair (f, g) of potentials")
        shp = (batch,) if batch is not None else ()
        init = (as_float_array(init[0], "init[0]", shape=shp + (n,)),
                as_float_array(init[1], "init[1]", shape=shp + (m,)))
    if cloud:
        if method != "stabilized":
            raise ValueError(f"a PointCloud is solved in the log domain (method='stabilized', "
                             f"the default), got method={method!r}")
        if tau != _TAU_DEFAULT:
            raise ValueError(f"`tau` (the absorption threshold of the dense stabilized "
                             f"scalings) has no meaning on a PointCloud, whose log-domain "
                             f"sweeps re-centre the potentials at every iteration; got "
                             f"tau={tau!r}, leave the default")
        if dtype != "float64":
            raise ValueError(f"`dtype`={dtype!r} sets the storage of the dense kernel; a "
                             f"PointCloud stores no kernel (its sweeps run in float64), leave "
                             f"dtype='float64'")
        from ._online import sinkhorn_pointcloud, sinkhorn_pointcloud_batch

        if batch is None:
            out = sinkhorn_pointcloud(a, b, C, reg, tol, max_iter, init, eps_scaling, parallel,
                                      omega, check_every)
            return finish(OTResult, reg=reg, method="pointcloud", **out)
        # the problems sharing a support run in one compiled kernel (the cost once per pair)
        outs = sinkhorn_pointcloud_batch(a, b, C, reg, tol, max_iter, init, eps_scaling,
                                         parallel, omega, check_every)
        plans, method = None, "pointcloud"
    elif batch is None:
        out = _one(a, b, C, reg, method, tol, max_iter, init, eps_scaling, tau, check_every,
                   parallel, omega, dtype)
        return finish(OTResult, reg=reg, method=method, **out)
    elif _shared_batch_ok(a, b, C, reg, method, init, eps_scaling, dtype):
        outs, plans = _batch_shared(a, b, C, reg, method, tol, max_iter, eps_scaling, tau,
                                    check_every, parallel, omega)
    else:
        outs = [_one(a[k], b[k], C if C.ndim == 2 else C[k], reg, method, tol, max_iter,
                     None if init is None else (init[0][k], init[1][k]), eps_scaling, tau,
                     check_every, parallel, omega, dtype) for k in range(batch)]
        plans = np.stack([o["plan"] for o in outs])
    bad = [k for k, o in enumerate(outs) if not o["success"]]
    if bad:
        worst = outs[bad[0]]
        status, msg = worst["status"], f"{len(bad)}/{batch} problems failed (first: " \
            f"index {bad[0]}: {worst['message']})"
    else:
        status, msg = Status.SUCCESS, f"all {batch} problems converged"
    return finish(
        OTResult, success=not bad, status=status, message=msg,
        n_iter=max(o["n_iter"] for o in outs), reg=reg, method=method,
        plan=plans,
        cost=np.array([o["cost"] for o in outs]),
        objective=np.array([o["objective"] for o in outs]),
        dual_objective=np.array([o["dual_objective"] for o in outs]),
        potentials=(np.stack([o["potentials"][0] for o in outs]),
                    np.stack([o["potentials"][1] for o in outs])),
        marginal_error=np.array([o["marginal_error"] for o in outs]))
