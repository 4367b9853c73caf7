"""Optimal transport: equilibria.solvers.ot against POT, same inputs, same stopping rule.

Run ``python benchmarks/ot.py`` (full) or ``python benchmarks/ot.py --quick``.

Inputs: 2-D uniform point clouds, squared Euclidean cost scaled to max 1, uniform weights.

1. Sinkhorn, reg in {0.05, 0.01}: the default stable ``sinkhorn`` (serial and parallel sweeps)
   vs POT's ``ot.sinkhorn`` (unstable scaling) and ``ot.bregman.sinkhorn_log``.  Stopping
   rule: marginal error 1e-9.  Ours stops on the L1 column error of the row-exact iterate;
   POT stops on the L2 norm of the same column error (checked every 10 iterations), which is
   *weaker* (||.||_2 <= ||.||_1), so the comparison favours POT; the L1 error of every
   returned plan is printed.  Time per iteration is printed next to the memory-traffic lower
   bound: one read of the n x m kernel (8 n m bytes) divided by the measured copy bandwidth.
1b. float32 kernel (``sinkhorn(..., dtype="float32")``) against the default float64 one, at
   the issue's L1 rule 1e-6, n = 1000, 2000, 4000: time and iterations of both, steady-state
   ms per sweep of each kernel next to its memory bound (4 n m bytes for float32, 8 n m for
   float64, at the copy bandwidth), the L1 marginal error of the returned (float64) plans,
   the marginal floor of float32 (the error reached with tol 1e-12, which it reports as a
   failure) and the L1 distance of the float32 plan from the float64 one (both at the rule,
   and both at their floors).  ``--float32-only`` runs this section alone.
1c. A batch of 8 problems sharing one cost (``sinkhorn`` with 2-D ``a``, ``b``: one compiled
   kernel) against the loop of single solves and POT's multi-histogram ``ot.sinkhorn``
   (shared ``a``), same L1 rule per problem for ours.  ``--batch-only`` runs it alone.
2. Small reg (1e-3, 1e-4 x max C): convergence of ours vs ``ot.sinkhorn``.
3. Sparsity-constrained OT (max_nz = 5): ``sparse_ot`` vs POT's
   ``ot.smooth.smooth_ot_semi_dual(reg_type='sparsity_constrained')`` (its per-evaluation
   prints are discarded).  Both semi-dual objectives are evaluated by the same (oracle-tested)
   function; the ratio is reported at equal objective (ours >= POT's within 1e-9 relative).

POT's times are the better of its runs with the default BLAS threads and with one BLAS thread
(on a busy machine multi-threaded OpenBLAS is much slower).  The memory-traffic bound uses the
DRAM copy bandwidth; kernels that fit in the last-level cache (n <= ~1000) run below it.

Compile time (first call) is reported apart from steady-state timings.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import time
import warnings

import numpy as np

# this file is named ot.py: keep its folder off sys.path so ``import ot`` finds POT
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, _HERE)
import _report  # noqa: E402  (records the load at start; imported before the path is cut)

sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]
sys.modules.pop("ot", None) if getattr(sys.modules.get("ot"), "__file__", "") == __file__ \
    else None


def cloud(n, m, seed=0):
    rng = np.random.default_rng(seed)
    x, y = rng.random((n, 2)), rng.random((m, 2))
    C = ((x[:, None, :] - y[None, :, :]) ** 2).sum(-1)
    return np.full(n, 1.0 / n), np.full(m, 1.0 / m), C / C.max()


def l1_err(P, a, b):
    return float(np.abs(P.sum(1) - a).sum() + np.abs(P.sum(0) - b).sum())


def copy_bandwidth():
    """Best-of-5 bandwidth (bytes read + written per second) of a 128 MB array copy."""
    src = np.ones(16_000_000)
    dst = np.empty_like(src)
    best = np.inf
    for _ in range(5):
        t = time.perf_counter()
        np.copyto(dst, src)
        best = min(best, time.perf_counter() - t)
    return 2 * src.nbytes / best


def timed(fn, *args, **kw):
    t = time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - t


def best_blas(fn, *args, **kw):
    """Time the peer with the default BLAS threads and with one BLAS thread; keep the faster.

    On a busy 2-core machine multi-threaded OpenBLAS can be far slower than one thread; the
    peer gets the better of the two (equilibria's L-BFGS runs with one BLAS thread).
    """
    out, t = timed(fn, *args, **kw)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return out, t
    with threadpool_limits(limits=1, user_api="blas"):
        out1, t1 = timed(fn, *args, **kw)
    return (out, t) if t <= t1 else (out1, t1)


def sweep_time(K_, Kmat, a, b, parallel, n_sweeps=20, repeats=1):
    """Steady-state seconds per fused Sinkhorn sweep (kernel only; the float32 kernel when
    ``Kmat`` is float32); the best of ``repeats`` runs of ``n_sweeps`` sweeps."""
    from equilibria.solvers.ot._common import n_chunks
    n, m = Kmat.shape
    f32 = Kmat.dtype == np.float32
    if f32:
        fn = K_.sinkhorn_sweeps_par_f32 if parallel else K_.sinkhorn_sweeps_f32
    else:
        fn = K_.sinkhorn_sweeps_par if parallel else K_.sinkhorn_sweeps
    S = np.zeros((n_chunks() if parallel else 1, m))
    u, v = np.ones(n), np.ones(m)
    ost = np.array([1.0, 0.0, 0.0, 0.0, 0.0, K_.OMEGA_MAX])
    fn(Kmat, a, b, u, v, S, 0.0, 1, 1, np.inf, ost)
    best = np.inf
    for _ in range(repeats):
        t = time.perf_counter()
        fn(Kmat, a, b, u, v, S, 0.0, n_sweeps, 1, np.inf, ost)
        best = min(best, (time.perf_counter() - t) / n_sweeps)
    return best


def bench_sinkhorn(sizes, regs, run_log, bw):
    import ot

    from equilibria.solvers.ot import _kernels as K_
    from equilibria.solvers.ot import sinkhorn

    print("\n## 1. Sinkhorn, marginal error 1e-9 (ours: L1; POT: L2, weaker)")
    a0, b0, C0 = cloud(20, 20)
    _, t_first = timed(sinkhorn, a0, b0, C0, 0.05)
    print(f"compile/load (first call, small problem, serial kernels): {t_first:.2f} s")
    hdr = (f"{'n':>5} {'reg':>5} | {'ours ser s':>10} {'ours par s':>10} {'it':>4} "
           f"{'L1 err':>8} | {'POT s':>7} {'it':>4} {'L1 err':>8} | {'POT log s':>9} {'it':>4} | "
           f"{'x POT':>6} {'x log':>6} | {'ms/it ser':>9} {'ms/it par':>9} {'POT ms/it':>9} "
           f"{'bound ms':>8}")
    print(hdr)
    print("-" * len(hdr))
    rows = []
    first_par = True
    for n in sizes:
        a, b, C = cloud(n, n)
        for reg in regs:
            if first_par:
                _, t_c = timed(sinkhorn, a, b, C, reg, parallel=True)
                _, t_s = timed(sinkhorn, a, b, C, reg, parallel=True)
                print(f"compile/load of the parallel sweeps (first large call): "
                      f"{max(t_c - t_s, 0):.2f} s")
                first_par = False
            ser, t_ser = timed(sinkhorn, a, b, C, reg, parallel=False)
            par, t_par = timed(sinkhorn, a, b, C, reg, parallel=True)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                (P1, log1), t_pot = best_blas(ot.sinkhorn, a, b, C, reg, stopThr=1e-9,
                                              numItermax=100_000, log=True)
                if run_log:
                    (P2, log2), t_log = timed(ot.bregman.sinkhorn_log, a, b, C, reg,
                                              stopThr=1e-9, numItermax=100_000, log=True)
                else:
                    t_log, log2 = np.nan, {"niter": 0}
            Kmat = np.exp(-C / reg)
            ms_ser = sweep_time(K_, Kmat, a, b, False) * 1e3
            ms_par = sweep_time(K_, Kmat, a, b, True) * 1e3
            bound = 8.0 * n * n / bw * 1e3
            best = min(t_ser, t_par)
            row = dict(n=n, reg=reg, t_ser=t_ser, t_par=t_par, it=ser.n_iter,
                       err=ser.marginal_error, t_pot=t_pot, it_pot=log1["niter"],
                       err_pot=l1_err(P1, a, b), t_log=t_log, it_log=log2["niter"],
                       x_pot=t_pot / best, x_log=t_log / best, ms_ser=ms_ser, ms_par=ms_par,
                       ms_pot=t_pot / max(log1["niter"], 1) * 1e3, bound=bound,
                       ok=ser.success and par.success)
            rows.append(row)
            print(f"{n:>5} {reg:>5g} | {t_ser:>10.3f} {t_par:>10.3f} {ser.n_iter:>4} "
                  f"{ser.marginal_error:>8.1e} | {t_pot:>7.3f} {log1['niter']:>4} "
                  f"{row['err_pot']:>8.1e} | {t_log:>9.2f} {log2['niter']:>4} | "
                  f"{row['x_pot']:>6.2f} {row['x_log']:>6.1f} | {ms_ser:>9.2f} {ms_par:>9.2f} "
                  f"{row['ms_pot']:>9.2f} {bound:>8.2f}")
    print("x POT / x log: POT time / best of our serial and parallel times (>1: ours faster).")
    print("bound: 8 n m bytes (one read of the kernel per fused iteration) / copy bandwidth.")
    return rows


def best_of(k, fn, *args, **kw):
    """The result of ``fn`` and its best wall time over ``k`` runs."""
    out, best = None, np.inf
    for _ in range(k):
        out, t = timed(fn, *args, **kw)
        best = min(best, t)
    return out, best


def bench_float32(sizes, regs, bw, tol=1e-6, floor_tol=1e-12):
    """float32 kernel vs float64 kernel (serial sweeps, the dense default), same rule."""
    from equilibria.solvers.ot import _kernels as K_
    from equilibria.solvers.ot import sinkhorn

    print(f"\n## 1b. float32 kernel (dtype='float32') vs float64, L1 rule {tol:g}, serial sweeps")
    a0, b0, C0 = cloud(20, 20)
    _, t_first = timed(sinkhorn, a0, b0, C0, 0.05, tol=tol, dtype="float32")
    print(f"compile/load of the float32 kernels (first call, small problem): {t_first:.2f} s")
    hdr = (f"{'n':>5} {'reg':>5} | {'f64 s':>7} {'it':>4} {'L1 err':>8} | {'f32 s':>7} {'it':>4} "
           f"{'L1 err':>8} {'ok':>5} | {'ms/it f64':>9} {'bound':>6} | {'ms/it f32':>9} "
           f"{'bound':>6} {'f32/f64':>7} | {'f32 floor':>9} {'|dP| rule':>9} {'|dP| floor':>10}")
    print(hdr)
    print("-" * len(hdr))
    rows = []
    for n in sizes:
        a, b, C = cloud(n, n)
        for reg in regs:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                r64, t64 = best_of(2, sinkhorn, a, b, C, reg, tol=tol, parallel=False)
                r32, t32 = best_of(2, sinkhorn, a, b, C, reg, tol=tol, parallel=False,
                                   dtype="float32")
                d_rule = float(np.abs(r32.plan - r64.plan).sum())
            P64_ok, err64, it64 = r64.success, r64.marginal_error, r64.n_iter
            P32_ok, err32, it32 = r32.success, r32.marginal_error, r32.n_iter
            del r64, r32
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t64f = sinkhorn(a, b, C, reg, tol=floor_tol, parallel=False)
                t32f = sinkhorn(a, b, C, reg, tol=floor_tol, parallel=False, dtype="float32")
            floor32, floor64 = t32f.marginal_error, t64f.marginal_error
            d_floor = float(np.abs(t32f.plan - t64f.plan).sum())
            floor_msg_ok = (not t32f.success) and "dtype='float64'" in t32f.message
            del t64f, t32f
            K64 = np.exp(-C / reg)
            ms64 = sweep_time(K_, K64, a, b, False, repeats=3) * 1e3
            K32 = K64.astype(np.float32)
            del K64
            ms32 = sweep_time(K_, K32, a, b, False, repeats=3) * 1e3
            del K32
            b64, b32 = 8.0 * n * n / bw * 1e3, 4.0 * n * n / bw * 1e3
            row = dict(n=n, reg=reg, tol=tol, t64=t64, it64=it64, err64=err64, ok64=P64_ok,
                       t32=t32, it32=it32, err32=err32, ok32=P32_ok, ms64=ms64, bound64=b64,
                       ms32=ms32, bound32=b32, ratio=ms32 / ms64, floor32=floor32,
                       floor64=floor64, floor_tol=floor_tol, floor_reported=floor_msg_ok,
                       dplan_rule=d_rule, dplan_floor=d_floor)
            rows.append(row)
            print(f"{n:>5} {reg:>5g} | {t64:>7.3f} {it64:>4} {err64:>8.1e} | {t32:>7.3f} "
                  f"{it32:>4} {err32:>8.1e} {str(P32_ok):>5} | {ms64:>9.2f} {b64:>6.2f} | "
                  f"{ms32:>9.2f} {b32:>6.2f} {row['ratio']:>7.2f} | {floor32:>9.1e} "
                  f"{d_rule:>9.1e} {d_floor:>10.1e}")
    print("bound: bytes of the kernel (8 n m float64, 4 n m float32) / copy bandwidth.")
    print(f"f32 floor: L1 marginal error of the float64 plan of the float32 run at tol "
          f"{floor_tol:g} (reported as success=False); float64 reaches "
          + ", ".join(f"{r['floor64']:.0e}" for r in rows) + " there.")
    print("|dP|: L1 distance of the float32 plan from the float64 plan, both at the rule and "
          "both at tol 1e-12.")
    return rows


def bench_batch(sizes, B, regs, tol=1e-6):
    """A batch of ``B`` problems sharing one cost (one compiled kernel, one read of K per
    sweep for all) vs the loop of single solves and POT's multi-histogram ``ot.sinkhorn``
    (shared ``a``, ``b`` an (n, B) array; its rule is an L2 norm on the column marginals of
    all histograms at once, weaker than our L1 rule per problem)."""
    import ot

    from equilibria.solvers.ot import sinkhorn

    print(f"\n## 1c. batch of {B} problems sharing one cost, L1 rule {tol:g} per problem")
    hdr = (f"{'n':>5} {'reg':>5} | {'batch s':>8} {'loop s':>8} {'x loop':>6} {'max it':>6} | "
           f"{'POT s':>7} {'it':>5} {'POT L1 max':>10} {'x POT':>6}")
    print(hdr)
    print("-" * len(hdr))
    rows = []
    for n in sizes:
        a, _, C = cloud(n, n)
        rng = np.random.default_rng(11)
        Bw = rng.random((B, n)) + 0.1
        Bw /= Bw.sum(1, keepdims=True)
        A = np.tile(a, (B, 1))
        sinkhorn(A[:, :20] / A[:, :20].sum(1, keepdims=True),
                 Bw[:, :20] / Bw[:, :20].sum(1, keepdims=True), C[:20, :20], 0.05)
        for reg in regs:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                rb, tb = best_of(2, sinkhorn, A, Bw, C, reg, tol=tol)
                t0 = time.perf_counter()
                loop = [sinkhorn(a, Bw[k], C, reg, tol=tol) for k in range(B)]
                tl = time.perf_counter() - t0
                (costs, lg), tp = best_blas(ot.sinkhorn, a, Bw.T.copy(), C, reg, stopThr=tol,
                                            numItermax=100_000, log=True)
            same = all(np.array_equal(rb.plan[k], loop[k].plan) for k in range(B))
            K = np.exp(-C / reg)
            errs = []
            for k in range(B):
                P = lg["u"][:, k][:, None] * K * lg["v"][:, k][None]
                errs.append(l1_err(P, a, Bw[k]))
            del K
            row = dict(n=n, reg=reg, B=B, tol=tol, t_batch=tb, t_loop=tl, x_loop=tl / tb,
                       it=int(rb.n_iter), ok=bool(rb.success), bitwise_loop=same, t_pot=tp,
                       it_pot=int(lg["niter"]), err_pot=float(max(errs)), x_pot=tp / tb)
            rows.append(row)
            print(f"{n:>5} {reg:>5g} | {tb:>8.3f} {tl:>8.3f} {tl / tb:>6.2f} {rb.n_iter:>6} | "
                  f"{tp:>7.3f} {lg['niter']:>5} {row['err_pot']:>10.1e} {tp / tb:>6.2f}"
                  + ("" if same and rb.success else "  (!)"))
            del rb, loop
    print("x loop / x POT: their time / the batch's (>1: the batch is faster); each batched "
          "problem is bitwise its own single solve ((!) marks a failure of that or of "
          "success).")
    return rows


def bench_small_reg(sizes, regs, seeds=(1,)):
    import ot

    from equilibria.solvers.ot import exact_ot, sinkhorn

    print("\n## 2. Small reg: convergence (tol 1e-9, max_iter 50,000)")
    print("ours: default omega='auto' (adaptive safe over-relaxation); w=1: plain sweeps")
    hdr = (f"{'n':>5} {'seed':>4} {'reg':>6} | {'ours ok':>7} {'it':>6} {'L1 err':>8} "
           f"{'time s':>7} {'OT_reg-OT_0':>11} | {'POT ok':>6} {'it':>6} {'L1 err':>8} "
           f"{'NaN':>4} {'time s':>7}")
    print(hdr)
    print("-" * len(hdr))
    recs = []
    for n in sizes:
        for seed in seeds:
            a, b, C = cloud(n, n, seed=seed)
            ot0 = exact_ot(a, b, C).cost if n <= 500 else np.nan
            for reg in regs:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    res, t = timed(sinkhorn, a, b, C, reg, max_iter=50_000)
                    tp_ours = t
                    (P, log), tp = timed(ot.sinkhorn, a, b, C, reg, stopThr=1e-9,
                                         numItermax=50_000, log=True)
                nan = bool(np.isnan(P).any())
                err = l1_err(np.nan_to_num(P), a, b)
                pot_ok = (not nan) and err <= 1e-9 * np.sqrt(n) and log["niter"] < 50_000 - 1
                print(f"{n:>5} {seed:>4} {reg:>6g} | {str(res.success):>7} {res.n_iter:>6} "
                      f"{res.marginal_error:>8.1e} {t:>7.2f} {res.objective - ot0:>11.2e} | "
                      f"{str(pot_ok):>6} {log['niter']:>6} {err:>8.1e} {str(nan):>4} "
                      f"{tp:>7.2f}")
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    rel, t = timed(sinkhorn, a, b, C, reg, max_iter=50_000, omega=1.0)
                print(f"{'':>5} {'':>4} {'w=1':>6} | {str(rel.success):>7} {rel.n_iter:>6} "
                      f"{rel.marginal_error:>8.1e} {t:>7.2f} {rel.objective - ot0:>11.2e} |")
                recs.append(dict(n=n, seed=seed, reg=reg, ok=bool(res.success), it=res.n_iter,
                                 err=res.marginal_error, t=tp_ours,
                                 pot_ok=bool(pot_ok), pot_it=int(log["niter"]), pot_err=err,
                                 pot_t=tp, w1_ok=bool(rel.success), w1_it=rel.n_iter,
                                 w1_err=rel.marginal_error))
    return recs


def bench_sparse(sizes, k=5, reg=0.1):
    import ot

    from equilibria.solvers.ot import sparse_ot
    from equilibria.solvers.ot._smooth import semi_dual_value

    print(f"\n## 3. Sparsity-constrained semi-dual, max_nz={k}, reg={reg}")
    a0, b0, C0 = cloud(20, 20)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, t_first = timed(sparse_ot, a0, b0, C0, reg, k)
    print(f"compile/load (first call): {t_first:.2f} s")
    hdr = (f"{'n':>5} | {'ours s':>7} {'it':>4} {'S_k ours':>14} | {'POT s':>7} {'it':>4} "
           f"{'S_k POT':>14} | {'speedup':>7} {'ours>=POT':>9}")
    print(hdr)
    print("-" * len(hdr))
    rows = []
    for n in sizes:
        a, b, C = cloud(n, n, seed=2)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with contextlib.redirect_stdout(io.StringIO()):
                (G, log), tp = best_blas(ot.smooth.smooth_ot_semi_dual, a, b, C, reg,
                                         reg_type="sparsity_constrained", max_nz=k,
                                         stopThr=1e-9, numItermax=500, log=True)
            res, t = timed(sparse_ot, a, b, C, reg, k)
        s_pot = semi_dual_value(log["alpha"], a, b, C, reg, 2, k)[0]
        s_ours = res.dual_objective
        ok = s_ours >= s_pot - 1e-9 * abs(s_pot)
        rows.append(dict(n=n, t=t, tp=tp, x=tp / t, ok=bool(ok)))
        print(f"{n:>5} | {t:>7.3f} {res.n_iter:>4} {s_ours:>14.10f} | {tp:>7.3f} "
              f"{log['res'].nit:>4} {s_pot:>14.10f} | {tp / t:>7.1f} {str(ok):>9}")
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, skip slow peers")
    ap.add_argument("--float32-only", action="store_true",
                    help="run only section 1b (float32 vs float64 kernel); no JSON")
    ap.add_argument("--batch-only", action="store_true",
                    help="run only section 1c (a batch sharing one cost); no JSON")
    _report.add_json_argument(ap, "ot")
    args = ap.parse_args(argv)
    import numba
    bw = copy_bandwidth()
    print(f"# OT benchmark ({'quick' if args.quick else 'full'}); numba threads "
          f"{numba.get_num_threads()}; copy bandwidth {bw / 1e9:.1f} GB/s")
    if args.float32_only:
        bench_float32([300] if args.quick else [1000, 2000, 4000], [0.05, 0.01], bw)
        return 0
    if args.batch_only:
        bench_batch([300] if args.quick else [1000, 2000], 8, [0.05, 0.01])
        return 0
    if args.quick:
        rows = bench_sinkhorn([300], [0.05, 0.01], run_log=True, bw=bw)
        f32 = bench_float32([300], [0.05, 0.01], bw)
        batch = bench_batch([300], 8, [0.05, 0.01])
        small = bench_small_reg([200], [1e-3, 1e-4])
        sparse = bench_sparse([200])
    else:
        rows = bench_sinkhorn([500, 1000, 2000], [0.05, 0.01], run_log=True, bw=bw)
        f32 = bench_float32([1000, 2000, 4000], [0.05, 0.01], bw)
        batch = bench_batch([1000, 2000], 8, [0.05, 0.01])
        small = bench_small_reg([500], [1e-3, 1e-4], seeds=(1, 3))
        sparse = bench_sparse([300, 1000])
    if args.json:
        _emit(args, rows, small, sparse, bw, numba.get_num_threads(), f32, batch)
    return 0


def _rng(vals, fmt):
    lo, hi = min(vals), max(vals)
    return format(lo, fmt) if format(lo, fmt) == format(hi, fmt) else \
        f"{format(lo, fmt)}-{format(hi, fmt)}"


def _emit(args, rows, small, sparse, bw, threads, f32=(), batch=()):
    """Write the README table and the small-reg / sparse summaries (benchmarks/_report.py)."""
    cells = [[str(r["n"]), f"{r['reg']:g}", f"{min(r['t_ser'], r['t_par']):.3f} s",
              f"{r['t_pot']:.3f} s", f"{r['t_log']:.3g} s", f"{r['x_pot']:.1f}x",
              f"{r['x_log']:.0f}x", f"{r['ms_par']:.2f} / {r['bound']:.2f}"] for r in rows]
    notes = [f"(The memory bound is one read of the n x m kernel at the measured copy bandwidth,"
             f" {bw / 1e9:.1f} GB/s; kernels that fit in the last-level cache run below it.)"]
    if small:
        n0 = small[0]["n"]
        parts = []
        for reg in sorted({r["reg"] for r in small}, reverse=True):
            rs = [r for r in small if r["reg"] == reg]
            ok = [r for r in rs if r["ok"]]
            s = f"at reg = {reg:g}, ours converges on {len(ok)}/{len(rs)} seeds"
            if ok:
                s += (f" in {_rng([r['it'] for r in ok], ',d')} iterations "
                      f"({_rng([r['t'] for r in ok], '.2f')} s)")
            pok = [r for r in rs if r["pot_ok"]]
            s += f", POT's `ot.sinkhorn` on {len(pok)}/{len(rs)}"
            if pok:
                s += f" ({_rng([r['pot_it'] for r in pok], ',d')} iterations)"
            if len(pok) < len(rs):
                s += (f" (L1 error {_rng([r['pot_err'] for r in rs if not r['pot_ok']], '.1e')}"
                      f" when it stops)")
            w1 = sum(r["w1_ok"] for r in rs)
            s += f", plain Sinkhorn without over-relaxation on {w1}/{len(rs)}"
            parts.append(s)
        notes.append(f"Small reg, n = {n0}, tol 1e-9, 50,000-iteration budget: "
                     + "; ".join(parts) + ".")
    if f32:
        notes.append(
            f"float32 kernel (`dtype='float32'`), L1 rule {f32[0]['tol']:g}, serial sweeps, n = "
            + "/".join(str(n) for n in sorted({r['n'] for r in f32})) + ": "
            f"{_rng([r['ratio'] for r in f32], '.2f')} of the float64 time per iteration "
            f"(memory bound 0.5), {_rng([r['ms32'] / r['bound32'] for r in f32], '.2f')} of its "
            f"own memory bound; converged on {sum(r['ok32'] for r in f32)}/{len(f32)} in "
            f"{_rng([r['it32'] for r in f32], 'd')} iterations (float64: "
            f"{_rng([r['it64'] for r in f32], 'd')}); marginal floor "
            f"{_rng([r['floor32'] for r in f32], '.1e')} (below it: success=False, 'use "
            f"dtype=float64'); L1 plan distance from float64 at the floors "
            f"{_rng([r['dplan_floor'] for r in f32], '.1e')}.")
    if batch:
        notes.append(
            f"Batch of {batch[0]['B']} problems sharing one cost (one compiled kernel), L1 rule "
            f"{batch[0]['tol']:g} per problem, n = "
            + "/".join(str(n) for n in sorted({r['n'] for r in batch})) + ": "
            f"{_rng([r['x_loop'] for r in batch], '.2f')}x the loop of single solves (bitwise "
            f"the same plans: {all(r['bitwise_loop'] for r in batch)}), "
            f"{_rng([r['x_pot'] for r in batch], '.2f')}x POT's multi-histogram `ot.sinkhorn` "
            f"(its L2 rule; its worst L1 error {max(r['err_pot'] for r in batch):.1e}).")
    if sparse:
        notes.append("Sparsity-constrained semi-dual (max_nz = 5, reg = 0.1) at equal objective"
                     " (ours >= POT's: " + ", ".join(str(r["ok"]) for r in sparse) + "): "
                     + " and ".join(f"{r['x']:.1f}x (n = {r['n']})" for r in sparse)
                     + " faster than POT's `ot.smooth` sparsity-constrained solver.")
    _report.emit(
        "ot", "Optimal transport",
        ["n", "reg", "ours", "POT `ot.sinkhorn`", "POT `sinkhorn_log`", "vs `ot.sinkhorn`",
         "vs `sinkhorn_log`", f"ms/it (ours, {threads} threads) / memory bound"], cells,
        notes=notes,
        meta=dict(quick=args.quick, copy_bandwidth=bw, sinkhorn=rows, small_reg=small,
                  sparse=sparse, float32=list(f32), batch=list(batch)),
        setup="2-D clouds, squared Euclidean cost scaled to max 1; ours stops on L1 marginal "
              "error <= 1e-9, POT on its L2 rule 1e-9, which is weaker; ours = the better of "
              "serial and parallel sweeps, POT = the better of default and one BLAS thread",
        peers=("POT",), path=args.json)


if __name__ == "__main__":
    raise SystemExit(main())
