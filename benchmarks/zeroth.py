"""ZO-RankSGD (ranking oracle) vs value-oracle peers: function evaluations to equal accuracy.

Same inputs (seeded) and the same stopping rule for every method: start ``x0 ~ U(-3, 3)^d``,
stop at the first evaluated point (peers) or iterate (ZO-RankSGD, SPSA) whose gradient norm is
``<= tol`` (the exact gradient, checked outside the count); the count is the number of
function evaluations, i.e. points ranked for ZO-RankSGD (which sees only orderings) and values
for the peers:

* ``zo_ranksgd`` with line search (m = 5, mu = 1e-4, lr = 1, 4 trial steps), this package;
* SPSA, the two-point value oracle (Spall 1998 gains a_k = a/(k + 1 + A)^0.602,
  c_k = c/(k + 1)^0.101, a = 0.5, A = 10, c = 1e-3), written here;
* scipy ``minimize(method="Nelder-Mead")`` and ``method="Powell"`` (xatol/ftol 1e-12, the
  count taken at the first evaluation meeting the rule: generous to the peers).

Problems: a quadratic ``x^T diag(1..10) x / 2`` scaled to condition 10, and the separable
double well ``sum x_i^2/2 + cos(2 x_i)/2`` (non-convex), d = 5 and 10.  Reports the median
evaluations over ``--runs`` seeds, their ratio to ZO-RankSGD, wall time and peak memory
(tracemalloc); one thread (pure numpy/python, no numba kernel).

Usage::

    python benchmarks/zeroth.py            # d = 5, 10; 5 runs
    python benchmarks/zeroth.py --quick    # d = 5; 3 runs
    python benchmarks/zeroth.py --json    # also writes benchmarks/results/zeroth.json
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tracemalloc
import warnings

import numpy as np
from scipy.optimize import minimize

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _report  # noqa: E402  (records the load at start)

from equilibria._lib.result import ConvergenceWarning
from equilibria.solvers.online import zeroth as Z


class _Stop(Exception):
    pass


def problems(d):
    lam = np.linspace(1.0, 10.0, d)
    return {
        "quadratic": (lambda x: float(0.5 * np.sum(lam * x * x)), lambda x: lam * x),
        "double_well": (lambda x: float(np.sum(0.5 * x * x + 0.5 * np.cos(2 * x))),
                        lambda x: x - np.sin(2 * x)),
    }


def counted(f, grad, tol, budget):
    """Wrap f: count evaluations; raise _Stop at the first point meeting the rule."""
    state = {"n": 0, "hit": None}

    def g(x):
        state["n"] += 1
        if state["hit"] is None and np.linalg.norm(grad(x)) <= tol:
            state["hit"] = state["n"]
            raise _Stop
        if state["n"] >= budget:
            raise _Stop
        return f(x)

    return g, state


def run_zo(f, grad, x0, tol, budget, seed):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        r = Z.zo_ranksgd(f, x0, m=5, mu=1e-4, lr=1.0, n_search=4, max_iter=10**7,
                         max_queries=budget, tol=tol, grad=grad, seed=seed)
    return r.n_evals if r.success else np.nan


def run_spsa(f, grad, x0, tol, budget, seed, a=0.5, A=10.0, c=1e-3):
    rng = np.random.default_rng(seed)
    x = x0.copy()
    n = 0
    k = 0
    while n + 2 <= budget:
        if np.linalg.norm(grad(x)) <= tol:
            return n
        ak, ck = a / (k + 1 + A) ** 0.602, c / (k + 1) ** 0.101
        delta = rng.choice([-1.0, 1.0], size=x.size)
        ghat = (f(x + ck * delta) - f(x - ck * delta)) / (2 * ck) * delta
        n += 2
        x = x - ak * ghat
        k += 1
    return np.nan


def run_scipy(method, f, grad, x0, tol, budget):
    g, state = counted(f, grad, tol, budget)
    opts = {"maxfev": budget, "xatol": 1e-12, "fatol": 1e-14} if method == "Nelder-Mead" \
        else {"maxfev": budget, "xtol": 1e-12, "ftol": 1e-14}
    try:
        minimize(g, x0, method=method, options=opts)
    except _Stop:
        pass
    return state["hit"] if state["hit"] is not None else np.nan


def measure(fn):
    tracemalloc.start()
    t0 = time.perf_counter()
    out = fn()
    dt = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return out, dt, peak


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--runs", type=int, default=None)
    ap.add_argument("--tol", type=float, default=1e-3)
    ap.add_argument("--budget", type=int, default=200_000)
    _report.add_json_argument(ap, "zeroth")
    args = ap.parse_args(argv)
    dims = (5,) if args.quick else (5, 10)
    runs = args.runs or (3 if args.quick else 5)
    rows = []
    print(f"tol {args.tol:g} on ||grad f||; median evaluations over {runs} runs (nan: budget "
          f"{args.budget} exhausted)")
    print(f"{'problem':>12} {'d':>3} {'method':>12} {'evals':>9} {'ratio':>7} {'time s':>8} "
          f"{'peak KiB':>9}")
    for d in dims:
        for pname, (f, grad) in problems(d).items():
            starts = [np.random.default_rng(s).uniform(-3, 3, d) for s in range(runs)]
            methods = {
                "zo_ranksgd": lambda x0, s: run_zo(f, grad, x0, args.tol, args.budget, s),
                "SPSA": lambda x0, s: run_spsa(f, grad, x0, args.tol, args.budget, s),
                "Nelder-Mead": lambda x0, s: run_scipy("Nelder-Mead", f, grad, x0, args.tol,
                                                       args.budget),
                "Powell": lambda x0, s: run_scipy("Powell", f, grad, x0, args.tol, args.budget),
            }
            base = None
            for mname, fn in methods.items():
                (evals), dt, peak = measure(lambda: [fn(x0, s) for s, x0 in enumerate(starts)])
                med = float(np.median(evals)) if not np.all(np.isnan(evals)) else np.nan
                if np.any(np.isnan(evals)):
                    med = np.nan if np.mean(np.isnan(evals)) > 0.5 else float(np.nanmedian(evals))
                base = med if mname == "zo_ranksgd" else base
                ratio = med / base if base else np.nan
                rows.append({"problem": pname, "d": d, "method": mname, "median_evals": med,
                             "evals": [float(e) for e in evals], "ratio_to_zo": ratio,
                             "time_s": dt / runs, "peak_kib": peak / 1024})
                print(f"{pname:>12} {d:>3} {mname:>12} {med:>9.0f} {ratio:>7.2f} "
                      f"{dt / runs:>8.3f} {peak / 1024:>9.0f}")
    if args.json:
        _emit(args, runs, rows)


def _emit(args, runs, rows):
    """Write the README table (benchmarks/_report.py schema)."""
    def ev(x):
        return "budget" if x != x else _report.fmt(x)

    cells = [[r["problem"], str(r["d"]), r["method"], ev(r["median_evals"]),
              "-" if r["ratio_to_zo"] != r["ratio_to_zo"] else f"{r['ratio_to_zo']:.2f}",
              f"{r['time_s']:.3g} s", f"{r['peak_kib']:.0f}"] for r in rows]
    notes = [f"Median evaluations over {runs} seeded starts (\"budget\": more than half the runs "
             f"used all {_report.fmt(args.budget)} evaluations); ratio = evaluations / "
             "ZO-RankSGD's (> 1: the peer needs more); ZO-RankSGD counts ranked points, the "
             "peers values. Time per run; peak = tracemalloc peak; one thread, no numba kernel."]
    if args.quick:
        notes.append("Quick run (`--quick`: d = 5, 3 runs).")
    _report.emit(
        "zeroth", "Zeroth-order optimisation (ranking oracle)",
        ["problem", "d", "method", "median evaluations", "vs ZO-RankSGD", "time", "peak KiB"],
        cells, notes=notes,
        meta=dict(tol=args.tol, runs=runs, budget=args.budget, quick=args.quick, rows=rows),
        setup=f"stop at the first point with ||grad f|| <= {args.tol:g} (exact gradient, "
              "outside the count); peers SPSA (written here), scipy Nelder-Mead and Powell",
        peers=("scipy",), path=args.json)


if __name__ == "__main__":
    main()
