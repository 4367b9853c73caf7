"""Benchmark: eal_sketch on large sparse / matrix-free problems against IPOPT (cyipopt, MUMPS).

Two families from the problem collection (``equilibria.solvers.constrained._problems``):

- ``pde``: 1-D elliptic optimal control ``min h/2 ||u - u_d||^2 + alpha h/2 ||z||^2`` s.t.
  ``h (L u + u^3 - z) = 0``, n = 2 n_grid unknowns, m = n_grid, sparse (tridiagonal) Jacobian
  and diagonal Hessian.
- ``logistic``: ridge logistic regression with sparse features (10 per sample, N = n samples)
  and 10 sparse linear equality constraints, n features; Hessian ``Z^T W Z / N + ridge I``,
  whose factorization fills in (a random graph: no small separators).

Each family runs twice for eal_sketch, once per way a user can give second derivatives:

- ``hess``: the sparse Hessian matrix.  ``sketch="auto"`` predicts the factorization work
  (RCM envelope) and takes the sparse LU of the KKT matrix when it is cheap (pde), MINRES
  when it fills in (logistic);
- ``hessp``: Hessian-vector products only (matrix-free; ``Z^T (w * (Z v)) / N + ridge v``
  for logistic): ``sketch="auto"`` = preconditioned MINRES on the KKT operator with the
  adaptive accuracy condition as its stopping rule.

IPOPT always gets the exact sparse Hessian (lower triangle) and runs once per (family, size);
its row is repeated beside both eal_sketch variants.  The solver eal_sketch picked is printed
(``EALResult.sketch``).

Same stopping rule for both: ``max(||grad f + J^T lam||_inf, ||c||_inf) <= 1e-8`` (IPOPT:
``tol = dual_inf_tol = constr_viol_tol = 1e-8``, no NLP scaling; see benchmarks/_ipopt.py).
Every (family, size, solver) runs in its own subprocess with a wall-time limit; the child
reports time (problem construction excluded), iterations, KKT residual at the answer and
peak RSS (``ru_maxrss`` of the child, which includes the problem data).

Run ``python benchmarks/constrained_large.py [--quick] [--timeout S] [--json [PATH]]``.
Shared 2-core machine: timings are noisy; the load is recorded by _report.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import _report  # noqa: E402  (records the load at start)

SIZES = {"pde": [5_000, 50_000, 500_000], "logistic": [10_000, 100_000, 1_000_000]}
QUICK = {"pde": [5_000, 50_000], "logistic": [3_000, 30_000]}
#: the eal_sketch variants per family, the first one is the README headline
VARIANTS = {"pde": ("hess", "hessp"), "logistic": ("hessp", "hess")}


def _make(family, n):
    from equilibria.solvers.constrained._problems import logistic_problem, pde_problem
    if family == "pde":
        return pde_problem(n // 2, sparse=True)
    return logistic_problem(n, n, 10, sparse=True)


def child(family, n, solver):
    """Run one solver on one problem; print one JSON line."""
    import resource
    import warnings

    import numpy as np
    p = _make(family, n)
    t = time.perf_counter()
    if solver.startswith("eal"):
        matrix_free = solver == "eal-hessp"
        from equilibria.solvers.constrained import eal_sketch
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = eal_sketch(p.f, p.c, p.x0, **p.solve_kwargs(matrix_free), tol=1e-8,
                           history=False, max_iter=200)
        out = dict(ok=bool(r.success), iters=int(r.n_iter), kkt=float(r.kkt),
                   inner=int(r.sketch_iters.sum()), fun=float(r.fun), method=str(r.sketch))
    else:
        from _ipopt import run_ipopt
        r = run_ipopt(p, tol=1e-8)
        out = dict(ok=r["status"] == 0 and r["kkt"] <= 1e-8, iters=r["iters"], kkt=r["kkt"],
                   inner=0, fun=float(p.f(r["x"])), status=r["msg"].decode()
                   if isinstance(r["msg"], bytes) else str(r["msg"]))
    out["time"] = time.perf_counter() - t
    out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    out["n"], out["m"] = p.n, p.m
    print(json.dumps({k: (float(v) if isinstance(v, np.floating) else v)
                      for k, v in out.items()}))


def run(family, n, solver, timeout):
    cmd = [sys.executable, os.path.abspath(__file__), "--child", family, str(n), solver]
    t = time.perf_counter()
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return dict(ok=False, failed=f"timeout {timeout:.0f} s", time=time.perf_counter() - t)
    lines = [ln for ln in res.stdout.splitlines() if ln.startswith("{")]
    if res.returncode != 0 or not lines:
        why = "out of memory (killed)" if res.returncode in (-9, 137) else \
            f"exit {res.returncode}: {res.stderr.strip().splitlines()[-1:] }"
        return dict(ok=False, failed=why, time=time.perf_counter() - t)
    return json.loads(lines[-1])


def _cell(o):
    if "failed" in o:
        return f"{o['failed']}"
    how = f"{o['method']}, {o['inner']} inner, " if "method" in o else ""
    return (f"{'ok' if o['ok'] else 'FAIL'} {o['time']:.2f} s, {o['iters']} it, {how}"
            f"KKT {o['kkt']:.1e}, {o['rss_mb']:.0f} MB")


def _ratio_cell(r):
    """``IPOPT / eal`` for the README: a plain ratio only when both solvers succeeded."""
    e, i = r["eal"], r["ipopt"]
    if "failed" in e or not e.get("ok"):
        return "eal_sketch failed"
    if "failed" in i:  # timeout / crash: the ratio is a lower bound at the time spent
        return f"IPOPT {i['failed']} (> {i['time'] / e['time']:.0f}x)"
    if not i.get("ok"):
        return f"IPOPT failed after {i['time'] / e['time']:.0f}x our time"
    return _report.fmt(i["time"] / e["time"], 2) + "x"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="two small sizes per family")
    ap.add_argument("--timeout", type=float, default=600.0, help="wall-time limit per run [s]")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    _report.add_json_argument(ap, "constrained_large")
    args = ap.parse_args(argv)
    if args.child:
        child(args.child[0], int(args.child[1]), args.child[2])
        return
    sizes = QUICK if args.quick else SIZES
    results = []
    print(f"{'problem':<10}{'given':<7}{'n':>9}{'m':>8}  {'eal_sketch (auto)':<62}"
          f"{'IPOPT (MUMPS, hess)':<44}{'IPOPT / eal':>12}")
    for family, ns in sizes.items():
        for n in ns:
            i = run(family, n, "ipopt", args.timeout)
            for variant in VARIANTS[family]:
                e = run(family, n, f"eal-{variant}", args.timeout)
                ratio = (i["time"] / e["time"]) if ("failed" not in e and "failed" not in i) \
                    else float("nan")
                m = e.get("m", i.get("m", "?"))
                print(f"{family:<10}{variant:<7}{n:>9}{m:>8}  {_cell(e):<62}{_cell(i):<44}"
                      f"{ratio:>12.2f}", flush=True)
                results.append(dict(family=family, given=variant, n=n, m=m, eal=e, ipopt=i,
                                    ratio=ratio))
    if args.json:
        cells = [[r["family"], r["given"], f"{r['n']:,}", _cell(r["eal"]), _cell(r["ipopt"]),
                  _ratio_cell(r)] for r in results]
        _report.emit("constrained_large", "Constrained, large sparse / matrix-free",
                     ["problem", "eal_sketch gets", "n", "eal_sketch (auto)",
                      "IPOPT (MUMPS, exact sparse Hessian)", "IPOPT / eal"],
                     cells, notes=["one subprocess per solver and size; RSS = ru_maxrss of "
                                   "the child (problem data included); shared 2-core machine"],
                     meta=dict(quick=args.quick, timeout=args.timeout, results=results),
                     setup="stopping rule KKT residual <= 1e-8 for both",
                     peers=("cyipopt-wheels", "scipy"), path=args.json)


if __name__ == "__main__":
    main()
