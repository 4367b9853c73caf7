"""Principal flow in closed form vs its integration by ``solve_ivp(DOP853)`` (the peer).

Same inputs (seeded): a random SPD quadratic of size ``n`` (condition 1e3, ``lambda_max = 1``),
learning rate ``h = 0.9`` (every ``h lambda_i < 1``: a real flow), ``K = 50`` GD steps.  For each
size it reports the wall time (minimum of ``--reps`` interleaved rounds) of

* ``principal_flow`` (one eigendecomposition, closed form at ``t = k h``);
* ``solve_ivp(DOP853, rtol=1e-12, atol=1e-14)`` on the principal-flow ODE
  ``x' = U diag(log(1 - h lambda)/h) U^T (x - x*)`` (the matrix formed once);
* ``modified_flow`` (the IGR flow, DOP853) for reference;

and the largest distance of each to the GD iterates, relative to ``||x0 - x*||`` (the principal
flow meets them exactly; the IGR flow only to O(h^2) per unit time).

Usage::

    python benchmarks/drift.py            # n = 10, 100, 400
    python benchmarks/drift.py --quick    # n = 10, 50
    python benchmarks/drift.py --json     # also writes benchmarks/results/drift.json
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np
from scipy.integrate import solve_ivp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _report  # noqa: E402  (records the load at start)

from equilibria.odes import drift as D


def _time(fn, reps):
    best, out = np.inf, None
    for _ in range(reps):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def run(n, reps, h=0.9, K=50, seed=0):
    rng = np.random.default_rng(seed)
    H = D.random_spd(rng, n, 1e3)
    xs, x0 = rng.normal(size=n), rng.normal(size=n)
    t = h * np.arange(K + 1)
    _, g, hs = D.quadratic(H, xs)
    gd = D.gd_iterates(g, x0, h, K).x
    scale = np.linalg.norm(x0 - xs)
    lam, U = np.linalg.eigh(H)
    M = (U * (np.log(1 - h * lam) / h)) @ U.T

    def peer():
        sol = solve_ivp(lambda _, x: M @ (x - xs), (0, t[-1]), x0, method="DOP853", t_eval=t,
                        rtol=1e-12, atol=1e-14)
        return sol.y.T

    t_pf, pf = _time(lambda: D.principal_flow(H, x0, h, t, x_star=xs).x, reps)
    t_ivp, ivp = _time(peer, reps)
    t_mod, mod = _time(lambda: D.modified_flow(g, x0, h, t, hess=hs).x, 1)
    err = [float(np.max(np.linalg.norm(a - gd, axis=1)) / scale) for a in (pf, ivp, mod)]
    return t_pf, t_ivp, t_mod, err


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--reps", type=int, default=5)
    _report.add_json_argument(ap, "drift")
    args = ap.parse_args(argv)
    sizes = (10, 50) if args.quick else (10, 100, 400)
    print(f"{'n':>5} {'closed form s':>14} {'DOP853 s':>10} {'ratio':>7} {'err closed':>11} "
          f"{'err DOP853':>11} {'IGR s':>8} {'err IGR':>9}")
    rows = []
    for n in sizes:
        t_pf, t_ivp, t_mod, (e_pf, e_ivp, e_mod) = run(n, args.reps)
        print(f"{n:>5} {t_pf:>14.2e} {t_ivp:>10.2e} {t_ivp / t_pf:>7.1f} {e_pf:>11.1e} "
              f"{e_ivp:>11.1e} {t_mod:>8.2e} {e_mod:>9.1e}")
        rows.append(dict(n=n, closed_s=t_pf, dop853_s=t_ivp, igr_s=t_mod, err_closed=e_pf,
                         err_dop853=e_ivp, err_igr=e_mod))
    if args.json:
        _emit(args, rows)


def _sec(x):
    return f"{x * 1e3:.3g} ms" if x < 1 else f"{x:.3g} s"


def _emit(args, rows):
    """Write the README table (benchmarks/_report.py schema)."""
    cells = [[str(r["n"]), _sec(r["closed_s"]), _sec(r["dop853_s"]),
              _report.fmt(r["dop853_s"] / r["closed_s"], 2) + "x",
              f"{r['err_closed']:.1e} / {r['err_dop853']:.1e}", _sec(r["igr_s"]),
              f"{r['err_igr']:.1e}"] for r in rows]
    notes = [f"Times: minimum of {args.reps} interleaved rounds (IGR: one run); error = max "
             "distance to the GD iterates over ||x0 - x*|| (the principal flow meets them "
             "exactly, the IGR flow only to O(h^2) per unit time). Pure numpy/scipy, no "
             "compiled kernel."]
    if args.quick:
        notes.append("Quick run (`--quick`: n = 10, 50).")
    _report.emit(
        "drift", "Principal flow of gradient descent",
        ["n", "principal_flow (closed form)", "solve_ivp DOP853", "ratio",
         "error closed / DOP853", "modified_flow (IGR, DOP853)", "error IGR"], cells,
        notes=notes, meta=dict(reps=args.reps, quick=args.quick, h=0.9, K=50, rows=rows),
        setup="random SPD quadratic, condition 1e3, h = 0.9, K = 50 GD steps; peer "
              "`solve_ivp(DOP853, rtol=1e-12, atol=1e-14)` on the principal-flow ODE",
        peers=("scipy",), path=args.json)


if __name__ == "__main__":
    main()
