"""Benchmark: eal_sketch against scipy's trust-constr and SLSQP.

1. On the problem collection (Hock-Schittkowski 6, 7, 8, 26, 27, 28, 39, 40, 42, 46-52, 77-79,
   constrained logistic regression, discretized PDE-constrained control): success rate,
   iterations and time of ``eal_sketch`` (block Kaczmarz sketches with adaptive block size,
   the default; single-row Kaczmarz sketches; Gaussian sketches; and the exact solve of the
   same outer method) against ``scipy.optimize.minimize(method="trust-constr")``
   and ``method="SLSQP"``, all given the same exact gradient, Jacobian and Hessian of the
   Lagrangian.
2. Scaling: one problem with n = 2000 variables and m = 500 constraints (``--quick``: 500 and
   125): time of ``eal_sketch`` against trust-constr.

Common success criterion (applied to every solver's output, whatever its own stopping rule):
``|f - f_ref| <= 1e-6 max(1, |f_ref|)`` and ``||c||_inf <= 1e-6``, where ``f_ref`` is the
collection's optimal value (HS) or the best feasible value found by any solver.  Own stopping
rules: eal_sketch KKT residual <= 1e-8; trust-constr gtol = xtol = 1e-10; SLSQP ftol = 1e-12.

Run ``python benchmarks/constrained.py [--quick]``.  Timings on a shared machine are noisy.
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
from scipy.optimize import minimize

from equilibria.solvers.constrained import eal_sketch, sketch_solve
from equilibria.solvers.constrained._problems import (collection, large_problem,
                                                      logistic_problem, pde_problem)


def _run_eal(p, sketch, tol=1e-8):
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = eal_sketch(p.f, p.c, p.x0, **p.solve_kwargs(), sketch=sketch, tol=tol, seed=0,
                       max_iter=500)
    return r.x, r.n_iter, time.perf_counter() - t, int(r.sketch_iters.sum())


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
    return r.x, int(r.nit), time.perf_counter() - t, 0


def _hess_f(p, x):
    return p.hess(x, np.zeros(p.m))


SOLVERS = {
    "eal/kaczmarz": lambda p: _run_eal(p, "kaczmarz"),
    "eal/block": lambda p: _run_eal(p, "block"),
    "eal/gaussian": lambda p: _run_eal(p, "gaussian"),
    "eal/exact": lambda p: _run_eal(p, "exact"),
    "trust-constr": lambda p: _run_scipy(p, "trust-constr"),
    "SLSQP": lambda p: _run_scipy(p, "SLSQP"),
}


def _ok(p, x, f_ref):
    if x is None or not np.all(np.isfinite(x)):
        return False
    return bool(abs(p.f(x) - f_ref) <= 1e-6 * max(1.0, abs(f_ref))
                and np.abs(p.c(x)).max() <= 1e-6)


def collection_table(problems):
    names = list(SOLVERS)
    rows, stats = [], {s: {"ok": 0, "it": [], "t": 0.0} for s in names}
    for p in problems:
        out = {s: SOLVERS[s](p) for s in names}
        f_ref = p.f_star
        if f_ref is None:
            feas = [p.f(o[0]) for o in out.values() if np.abs(p.c(o[0])).max() <= 1e-6]
            f_ref = min(feas) if feas else np.nan
        row = [p.name]
        for s in names:
            x, it, t, _ = out[s]
            ok = _ok(p, x, f_ref)
            stats[s]["ok"] += ok
            stats[s]["t"] += t
            if ok:
                stats[s]["it"].append(it)
            row.append(f"{'ok ' if ok else 'X  '}{it:>4d} {1e3 * t:8.1f}")
        rows.append(row)
    head = f"{'problem':<24}" + "".join(f"{s:>20}" for s in names)
    print("\nPer problem: success, iterations, time [ms]")
    print(head)
    print("-" * len(head))
    for row in rows:
        print(f"{row[0]:<24}" + "".join(f"{c:>20}" for c in row[1:]))
    print("\nSummary over", len(problems), "problems")
    base = stats["trust-constr"]["t"]
    print(f"{'solver':<14}{'success':>10}{'median iters':>14}{'total time [s]':>16}"
          f"{'time / trust-constr':>22}")
    for s in names:
        st = stats[s]
        med = np.median(st["it"]) if st["it"] else np.nan
        print(f"{s:<14}{st['ok']:>7d}/{len(problems):<2d}{med:>14.1f}{st['t']:>16.3f}"
              f"{st['t'] / base:>22.2f}")
    return stats


def scaling_table(n, m):
    p = large_problem(n, m)
    print(f"\nScaling: {p.name} (dense K of size {n + m})")
    print(f"{'solver':<14}{'success':>9}{'iters':>7}{'sketches':>10}{'time [s]':>10}"
          f"{'ratio to trust-constr':>23}")
    res = {}
    for s in ("eal/kaczmarz", "eal/block", "eal/exact", "trust-constr"):
        x, it, t, sk = SOLVERS[s](p)
        res[s] = (x, it, t, sk)
    feas = [p.f(o[0]) for o in res.values() if np.abs(p.c(o[0])).max() <= 1e-6]
    f_ref = min(feas) if feas else np.nan
    base = res["trust-constr"][2]
    for s, (x, it, t, sk) in res.items():
        print(f"{s:<14}{str(_ok(p, x, f_ref)):>9}{it:>7d}{sk:>10d}{t:>10.2f}{t / base:>23.2f}")
    return {s: dict(ok=_ok(p, x, f_ref), iters=it, sketches=sk, time=t)
            for s, (x, it, t, sk) in res.items()}


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
    problems = collection()
    if args.quick:
        problems = problems[:-2] + [logistic_problem(120, 8, 3, seed=3), pde_problem(10)]
    stats = collection_table(problems)
    nm = (500, 125) if args.quick else (2000, 500)
    scale = scaling_table(*nm)
    if args.json:
        _emit(args, problems, stats, scale, nm, t_first)


README_SOLVERS = [("eal/block", "eal_sketch, block Kaczmarz (default)"),
                  ("eal/kaczmarz", "eal_sketch, Kaczmarz"),
                  ("eal/gaussian", "eal_sketch, Gaussian"),
                  ("eal/exact", "eal_sketch, exact solve"),
                  ("trust-constr", "trust-constr"), ("SLSQP", "SLSQP")]


def _emit(args, problems, stats, scale, nm, t_first):
    """Write the README table (benchmarks/_report.py schema)."""
    base = stats["trust-constr"]["t"]
    cells = []
    for key, label in README_SOLVERS:
        st = stats[key]
        med = f"{np.median(st['it']):g}" if st["it"] else "-"
        cells.append([label, f"{st['ok']}/{len(problems)}", med, _report.fmt(st["t"] / base, 2) + "x"])
    names = {"eal/block": "block", "eal/kaczmarz": "Kaczmarz", "eal/exact": "exact",
             "trust-constr": "trust-constr"}
    line = (f"n = {nm[0]}, m = {nm[1]}: "
            + ", ".join(f"{names[k]} {v['time']:.1f} s" + ("" if v["ok"] else " (failed)")
                        for k, v in scale.items()) + ".")
    _report.emit(
        "constrained", "Constrained",
        [f"{len(problems)} problems (HS 6-79, logistic, PDE)", "success", "median iterations",
         "time vs trust-constr"], cells,
        notes=[line, f"Kaczmarz kernel first call (compile or cache load) {t_first:.2f} s, "
                     "apart; time = total over the collection."],
        meta=dict(quick=args.quick, problems=[p.name for p in problems],
                  stats={k: dict(ok=v["ok"], iters=v["it"], time=v["t"]) for k, v in stats.items()},
                  scaling=dict(n=nm[0], m=nm[1], solvers=scale)),
        setup="same exact gradient, Jacobian and Lagrangian Hessian for every solver; success "
              "= |f - f_ref| <= 1e-6 max(1, |f_ref|) and ||c||_inf <= 1e-6",
        peers=("scipy",), path=args.json)


if __name__ == "__main__":
    main()
