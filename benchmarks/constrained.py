"""Benchmark: eal_sketch against IPOPT (cyipopt, MUMPS), scipy's trust-constr and SLSQP.

1. On the problem collection (Hock-Schittkowski 6, 7, 8, 26, 27, 28, 39, 40, 42, 46-52, 77-79,
   constrained logistic regression, discretized PDE-constrained control): success rate,
   iterations, time and the KKT residual at the answer of ``eal_sketch`` (``sketch="auto"``,
   the default; block Kaczmarz; single-row Kaczmarz; Gaussian sketches; the exact solve)
   against IPOPT (benchmarks/_ipopt.py: exact Lagrangian Hessian, dense structure for these
   small problems), ``scipy.optimize.minimize(method="trust-constr")`` and ``"SLSQP"``, all
   given the same exact gradient, Jacobian and Hessian of the Lagrangian.  Ratios are times
   over IPOPT's.
2. Scaling: one problem with n = 2000 variables and m = 500 constraints (``--quick``: 500 and
   125).  Large sparse / matrix-free problems: benchmarks/constrained_large.py.

Common success criterion (applied to every solver's output, whatever its own stopping rule):
``|f - f_ref| <= 1e-6 max(1, |f_ref|)`` and ``||c||_inf <= 1e-6``, where ``f_ref`` is the
collection's optimal value (HS) or the best feasible value found by any solver.  Own stopping
rules: eal_sketch KKT residual ``max(||grad f + J^T lam||_inf, ||c||_inf) <= 1e-8``; IPOPT the
same rule (``tol = dual_inf_tol = constr_viol_tol = 1e-8``, no NLP scaling); trust-constr
gtol = xtol = 1e-10; SLSQP ftol = 1e-12 (its KKT residual uses least-squares multipliers).
Memory: all solvers run in this one process (its peak RSS is printed); per-solver peak RSS is
measured by constrained_large.py (subprocess per run).

Run ``OPENBLAS_NUM_THREADS=1 python benchmarks/constrained.py [--quick] [--json [PATH]]``.
Timings on a shared machine are noisy; with the default multithreaded OpenBLAS under load a
30,000-long dot product took 18 ms instead of 3.5 us here, hence one BLAS thread.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _report  # noqa: E402  (records the load at start)
from _ipopt import kkt, run_ipopt  # noqa: E402
from scipy.optimize import minimize

from equilibria.solvers.constrained import eal_sketch, sketch_solve
from equilibria.solvers.constrained._problems import (collection, large_problem,
                                                      logistic_problem, pde_problem)


def _ls_multipliers(p, x):
    """Least-squares multipliers ``argmin ||grad f + J^T lam||`` (solvers that return none)."""
    J = np.asarray(p.jac(x), dtype=float)
    return -np.linalg.lstsq(J.T, p.grad(x), rcond=None)[0]


def _run_eal(p, sketch, tol=1e-8):
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = eal_sketch(p.f, p.c, p.x0, **p.solve_kwargs(), sketch=sketch, tol=tol, seed=0,
                       max_iter=500)
    return dict(x=r.x, iters=r.n_iter, time=time.perf_counter() - t,
                sketches=int(r.sketch_iters.sum()), kkt=float(r.kkt))


def _run_ipopt(p, tol=1e-8):
    r = run_ipopt(p, tol=tol)
    return dict(x=r["x"], iters=r["iters"], time=r["time"], sketches=0, kkt=r["kkt"])


def _run_scipy(p, method):
    cons = {"type": "eq", "fun": p.c, "jac": p.jac}
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if method == "trust-constr":
            from scipy.optimize import NonlinearConstraint
            nc = NonlinearConstraint(p.c, 0.0, 0.0, jac=p.jac,
                                     hess=lambda x, v: p.hess(x, v) - _hess_f(p, x))
            r = minimize(p.f, p.x0, jac=p.grad, hess=lambda x: _hess_f(p, x),
                         method="trust-constr", constraints=[nc],
                         options={"gtol": 1e-10, "xtol": 1e-10, "maxiter": 2000})
        else:
            r = minimize(p.f, p.x0, jac=p.grad, method="SLSQP", constraints=[cons],
                         options={"ftol": 1e-12, "maxiter": 500})
    elapsed = time.perf_counter() - t
    try:
        lam = _ls_multipliers(p, r.x)
        k = kkt(p, r.x, lam)
    except (ValueError, np.linalg.LinAlgError):
        k = float("nan")
    return dict(x=r.x, iters=int(r.nit), time=elapsed, sketches=0, kkt=k)


def _hess_f(p, x):
    return p.hess(x, np.zeros(p.m))


SOLVERS = {
    "eal/auto": lambda p: _run_eal(p, "auto"),
    "eal/block": lambda p: _run_eal(p, "block"),
    "eal/kaczmarz": lambda p: _run_eal(p, "kaczmarz"),
    "eal/gaussian": lambda p: _run_eal(p, "gaussian"),
    "eal/exact": lambda p: _run_eal(p, "exact"),
    "IPOPT": _run_ipopt,
    "trust-constr": lambda p: _run_scipy(p, "trust-constr"),
    "SLSQP": lambda p: _run_scipy(p, "SLSQP"),
}
#: the reference of every ratio
BASE = "IPOPT"


def _ok(p, x, f_ref):
    if x is None or not np.all(np.isfinite(x)):
        return False
    return bool(abs(p.f(x) - f_ref) <= 1e-6 * max(1.0, abs(f_ref))
                and np.abs(p.c(x)).max() <= 1e-6)


def _peak_rss_mb():
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def collection_table(problems):
    names = list(SOLVERS)
    rows = []
    stats = {s: {"ok": 0, "it": [], "t": 0.0, "kkt_max": 0.0, "kkt_fail": 0} for s in names}
    for p in problems:
        out = {s: SOLVERS[s](p) for s in names}
        f_ref = p.f_star
        if f_ref is None:
            feas = [p.f(o["x"]) for o in out.values() if np.abs(p.c(o["x"])).max() <= 1e-6]
            f_ref = min(feas) if feas else np.nan
        row = [p.name]
        for s in names:
            o = out[s]
            ok = _ok(p, o["x"], f_ref)
            stats[s]["ok"] += ok
            stats[s]["t"] += o["time"]
            if ok:
                stats[s]["it"].append(o["iters"])
            k = o["kkt"]
            if not k <= 1e-8:
                stats[s]["kkt_fail"] += 1
            stats[s]["kkt_max"] = max(stats[s]["kkt_max"], k if np.isfinite(k) else np.inf)
            row.append(f"{'ok ' if ok else 'X  '}{o['iters']:>4d} {1e3 * o['time']:7.1f} "
                       f"{k:7.1e}")
        rows.append(row)
    w = 25
    head = f"{'problem':<22}" + "".join(f"{s:>{w}}" for s in names)
    print("\nPer problem: success, iterations, time [ms], KKT residual at the answer")
    print(head)
    print("-" * len(head))
    for row in rows:
        print(f"{row[0]:<22}" + "".join(f"{c:>{w}}" for c in row[1:]))
    print("\nSummary over", len(problems), "problems (KKT > 1e-8: answers that miss the "
          "common stopping rule; scipy's KKT uses least-squares multipliers)")
    base = stats[BASE]["t"]
    print(f"{'solver':<14}{'success':>10}{'median iters':>14}{'KKT > 1e-8':>12}"
          f"{'max KKT':>10}{'total time [s]':>16}{'time / IPOPT':>14}")
    for s in names:
        st = stats[s]
        med = np.median(st["it"]) if st["it"] else np.nan
        print(f"{s:<14}{st['ok']:>7d}/{len(problems):<2d}{med:>14.1f}{st['kkt_fail']:>12d}"
              f"{st['kkt_max']:>10.1e}{st['t']:>16.3f}{st['t'] / base:>14.2f}")
    print(f"process peak RSS after the collection: {_peak_rss_mb():.0f} MB (all solvers in one "
          "process; per-solver peak memory: benchmarks/constrained_large.py)")
    return stats


def scaling_table(n, m):
    p = large_problem(n, m)
    print(f"\nScaling: {p.name} (dense J, diagonal Hessian; dense K of size {n + m} for the "
          "eal solvers)")
    print(f"{'solver':<14}{'success':>9}{'iters':>7}{'sketches':>10}{'KKT':>10}{'time [s]':>10}"
          f"{'ratio to IPOPT':>16}")
    res = {}
    for s in ("eal/auto", "eal/block", "eal/kaczmarz", "eal/exact", "IPOPT", "trust-constr"):
        res[s] = SOLVERS[s](p)
    feas = [p.f(o["x"]) for o in res.values() if np.abs(p.c(o["x"])).max() <= 1e-6]
    f_ref = min(feas) if feas else np.nan
    base = res[BASE]["time"]
    for s, o in res.items():
        print(f"{s:<14}{str(_ok(p, o['x'], f_ref)):>9}{o['iters']:>7d}{o['sketches']:>10d}"
              f"{o['kkt']:>10.1e}{o['time']:>10.2f}{o['time'] / base:>16.2f}")
    return {s: dict(ok=_ok(p, o["x"], f_ref), iters=o["iters"], sketches=o["sketches"],
                    time=o["time"], kkt=o["kkt"]) for s, o in res.items()}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller scaling problem")
    _report.add_json_argument(ap, "constrained")
    args = ap.parse_args(argv)
    # compile time of the Kaczmarz kernel, apart from steady state
    t = time.perf_counter()
    sketch_solve(np.array([[2.0, 1.0], [1.0, 0.0]]), np.ones(2), tol_abs=1e-8, seed=0)
    t_first = time.perf_counter() - t
    t = time.perf_counter()
    sketch_solve(np.array([[2.0, 1.0], [1.0, 0.0]]), np.ones(2), tol_abs=1e-8, seed=0)
    print(f"Kaczmarz kernel: first call (compile or cache load) {t_first:.3f} s, "
          f"steady state {1e3 * (time.perf_counter() - t):.3f} ms")
    import cyipopt
    print(f"IPOPT via cyipopt {cyipopt.__version__} (linear solver MUMPS), tol = dual_inf_tol "
          "= constr_viol_tol = 1e-8, no NLP scaling; IPOPT's first call warms up below")
    from equilibria.solvers.constrained._problems import hock_schittkowski
    run_ipopt(hock_schittkowski(28))
    problems = collection()
    if args.quick:
        problems = problems[:-2] + [logistic_problem(120, 8, 3, seed=3), pde_problem(10)]
    stats = collection_table(problems)
    nm = (500, 125) if args.quick else (2000, 500)
    scale = scaling_table(*nm)
    if args.json:
        _emit(args, problems, stats, scale, nm, t_first)


README_SOLVERS = [("eal/auto", "eal_sketch, sketch=\"auto\" (default)"),
                  ("eal/block", "eal_sketch, block Kaczmarz"),
                  ("eal/kaczmarz", "eal_sketch, Kaczmarz"),
                  ("eal/gaussian", "eal_sketch, Gaussian"),
                  ("eal/exact", "eal_sketch, exact solve"),
                  ("IPOPT", "IPOPT (cyipopt, MUMPS)"),
                  ("trust-constr", "trust-constr"), ("SLSQP", "SLSQP")]


def _emit(args, problems, stats, scale, nm, t_first):
    """Write the README table (benchmarks/_report.py schema)."""
    base = stats[BASE]["t"]
    cells = []
    for key, label in README_SOLVERS:
        st = stats[key]
        med = f"{np.median(st['it']):g}" if st["it"] else "-"
        cells.append([label, f"{st['ok']}/{len(problems)}", med,
                      _report.fmt(st["t"] / base, 2) + "x"])
    names = {"eal/auto": "auto", "eal/block": "block", "eal/kaczmarz": "Kaczmarz",
             "eal/exact": "exact", "IPOPT": "IPOPT", "trust-constr": "trust-constr"}
    line = (f"n = {nm[0]}, m = {nm[1]}: "
            + ", ".join(f"{names[k]} {v['time']:.2f} s" + ("" if v["ok"] else " (failed)")
                        for k, v in scale.items()) + ".")
    _report.emit(
        "constrained", "Constrained",
        [f"{len(problems)} problems (HS 6-79, logistic, PDE)", "success", "median iterations",
         "time vs IPOPT"], cells,
        notes=[line, f"Kaczmarz kernel first call (compile or cache load) {t_first:.2f} s, "
                     "apart; time = total over the collection; shared 2-core machine."],
        meta=dict(quick=args.quick, problems=[p.name for p in problems],
                  stats={k: dict(ok=v["ok"], iters=v["it"], time=v["t"],
                                 kkt_max=v["kkt_max"], kkt_fail=v["kkt_fail"])
                         for k, v in stats.items()},
                  scaling=dict(n=nm[0], m=nm[1], solvers=scale),
                  peak_rss_mb=_peak_rss_mb()),
        setup="same exact gradient, Jacobian and Lagrangian Hessian for every solver; stopping "
              "rule KKT residual <= 1e-8 (IPOPT: tol = dual_inf_tol = constr_viol_tol = 1e-8, "
              "no NLP scaling); success = |f - f_ref| <= 1e-6 max(1, |f_ref|) and "
              "||c||_inf <= 1e-6",
        peers=("scipy", "cyipopt-wheels"), path=args.json)


if __name__ == "__main__":
    main()
