"""MAID (adaptive accuracy) against HOAG's fixed a-priori schedules (Pedregosa 2016).

Same problems (seeded ridge, multi-hyperparameter quadratic, 1-D smoothed-TV denoising), same
start, same hypergradient and line search; only the accuracy policy differs.  The accuracy
target is the exact ``||grad F||`` MAID reaches with ``tol``; for each method it reports the
lower-level gradient evaluations and the wall time until the first iterate at that accuracy
(``inf`` / ``-`` when a schedule never reaches it in ``max_iter`` outer iterations), and the
ratio HOAG / MAID.  Pure numpy (no compiled kernels, nothing to warm up); one thread.

Usage::

    python benchmarks/bilevel.py                # tol 1e-6
    python benchmarks/bilevel.py --quick        # one seed per problem
    python benchmarks/bilevel.py --json         # also writes benchmarks/results/bilevel.json
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

from equilibria._lib.result import ConvergenceWarning
from equilibria.solvers.constrained import bilevel as BL

PROBLEMS = {"ridge": lambda s: BL.ridge_problem(s),
            "multi": lambda s: BL.multi_ridge_problem(s),
            "tv": lambda s: BL.tv_denoising_problem(s)}


def _reach(P, res, target):
    """(lower-level evaluations, fraction of the run's outer iterations) at the first iterate
    whose exact hypergradient norm is at most target."""
    for k, (t, n) in enumerate(zip(res.theta_history, res.lower_history)):
        if np.linalg.norm(P.exact_hypergradient(t)) <= target:
            return float(n), (k + 1) / max(res.n_iter, 1)
    return np.inf, np.nan


def run(name, seed, tol, max_iter):
    P = PROBLEMS[name](seed)
    th0 = np.full(P.n_theta, np.log(0.1) if name == "tv" else 0.0)
    rows = {}
    target = None
    for sched in ("adaptive", *BL.SCHEDULES):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            t0 = time.perf_counter()
            res = BL.bilevel_maid(P, th0, schedule=sched, tol=tol, max_iter=max_iter)
            secs = time.perf_counter() - t0
        if target is None:
            target = float(np.linalg.norm(P.exact_hypergradient(res.theta_history[-1])))
        inner, frac = _reach(P, res, target)
        # time to the accuracy: the run's time scaled by its share of lower-level work
        t_reach = secs * inner / max(res.lower_iterations, 1) if np.isfinite(inner) else np.inf
        rows[sched] = {"inner": inner, "seconds": t_reach, "success": bool(res.success)}
    return target, rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    _report.add_json_argument(ap, "bilevel")
    ap.add_argument("--tol", type=float, default=1e-6)
    ap.add_argument("--max-iter", type=int, default=300)
    args = ap.parse_args(argv)
    seeds = (0,) if args.quick else (0, 1, 2)
    out = []
    print(f"{'problem':>8} {'seed':>4} {'target':>8} {'schedule':>12} {'inner':>8} "
              f"{'time s':>8} {'inner/MAID':>10}")
    for name in PROBLEMS:
        for s in seeds:
            target, rows = run(name, s, args.tol, args.max_iter)
            base = rows["adaptive"]["inner"]
            for sched, r in rows.items():
                ratio = r["inner"] / base
                out.append({"problem": name, "seed": s, "target": target, "schedule": sched,
                            **r, "ratio_to_maid": ratio})
                print(f"{name:>8} {s:>4} {target:>8.1e} {sched:>12} {r['inner']:>8.0f} "
                      f"{r['seconds']:>8.3f} {ratio:>10.2f}")
    if args.json:
        _emit(args, seeds, out)


def _emit(args, seeds, out):
    """Write the README table (benchmarks/_report.py schema): medians over the seeds."""
    cells = []
    for name in PROBLEMS:
        for sched in ("adaptive", *BL.SCHEDULES):
            rs = [r for r in out if r["problem"] == name and r["schedule"] == sched]
            inner = np.array([r["inner"] for r in rs])
            reached = int(np.isfinite(inner).sum())
            med = float(np.median(inner))
            ratio = float(np.median([r["ratio_to_maid"] for r in rs]))
            secs = float(np.median([r["seconds"] for r in rs]))
            label = "MAID (adaptive)" if sched == "adaptive" else f"HOAG, {sched}"
            cells.append([name, label, f"{reached}/{len(rs)}",
                          _report.fmt(med) if np.isfinite(med) else "-",
                          f"{ratio:.2f}x" if np.isfinite(ratio) else "-",
                          f"{secs:.3g} s" if np.isfinite(secs) else "-"])
    notes = [f"Medians over seeds {', '.join(map(str, seeds))}; target = the exact "
             f"||grad F|| MAID reaches with tol {args.tol:g}; \"-\": the median run never reaches "
             f"it in {args.max_iter} outer iterations. Ratio = lower-level evaluations / "
             "MAID's (> 1: the fixed schedule needs more). Pure numpy, one thread."]
    if args.quick:
        notes.append("Quick run (`--quick`: one seed per problem).")
    _report.emit(
        "bilevel", "Bilevel hyperparameter optimisation",
        ["problem", "accuracy policy", "reached", "lower-level evaluations", "vs MAID",
         "time to target"], cells, notes=notes,
        meta=dict(tol=args.tol, max_iter=args.max_iter, seeds=list(seeds), quick=args.quick,
                  rows=out),
        setup="seeded ridge, multi-hyperparameter ridge and 1-D smoothed-TV denoising; same "
              "start, hypergradient and line search, only the accuracy policy differs "
              "(HOAG's a-priori schedules, Pedregosa 2016)",
        path=args.json)


if __name__ == "__main__":
    main()
