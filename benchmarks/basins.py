"""Basin sweep benchmark: equilibria's batched numba DP5(4) against per-point ``solve_ivp``.

The default 2-D slice of the ``lock_in`` preset (every human level u, every AI level v, both in
[0.02, 2.5]), 400 x 400 initial conditions, integrated to a steady state (``max|f| <= ftol``)
or ``t_end = 500``.

- Accuracy: labels of a random subset of 2,000 grid points are recomputed with
  ``solve_ivp(method="DOP853", rtol=1e-10, atol=1e-12)`` to ``t_end`` and assigned to the
  nearest attractor found by the sweep; agreement must be >= 99.5%.
- Speed: per-point ``solve_ivp(method="RK45")`` with the *same* tolerances (rtol=1e-7,
  atol=1e-9) and the same stopping rule (terminal event ``max|f| = ftol``), timed on a
  subset and extrapolated to the full grid; target >= 200x.

Run ``python benchmarks/basins.py`` (``--quick`` for a 100 x 100 grid and smaller subsets).
Compile (or cache-load) time is reported apart from the steady-state sweep time.
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
from equilibria.odes import CoexistenceModel, SweepOptions, basin_sweep


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="100 x 100 grid, small subsets")
    ap.add_argument("--grid", type=int, default=None)
    ap.add_argument("--n-check", type=int, default=None, help="DOP853 subset size")
    ap.add_argument("--n-time", type=int, default=None, help="RK45 timing subset size")
    ap.add_argument("--seed", type=int, default=0)
    _report.add_json_argument(ap, "basins")
    args = ap.parse_args(argv)
    grid = args.grid or (100 if args.quick else 400)
    n_check = args.n_check or (200 if args.quick else 2000)
    n_time = args.n_time or (50 if args.quick else 300)
    rtol, atol, ftol, t_end = 1e-7, 1e-9, 1e-6, 500.0

    M = CoexistenceModel.preset("lock_in")
    S = M.system
    r, A, B, q = S.r, S.A, S.M, S.q

    def f(t, x):
        return x * (r + A @ x + B @ (x / (1 + q * x)))

    # compile / cache load, apart from steady state
    t0 = time.perf_counter()
    basin_sweep(M, grid=4, progress=False)
    t_compile = time.perf_counter() - t0

    t0 = time.perf_counter()
    res = basin_sweep(M, grid=grid, progress=False,
                      options=SweepOptions(rtol=rtol, atol=atol, ftol=ftol, t_end=t_end))
    t_sweep = time.perf_counter() - t0
    N = grid * grid
    print(f"sweep: {res.message}")

    rng = np.random.default_rng(args.seed)
    U, V = np.meshgrid(res.u, res.v)
    flat = rng.choice(N, size=min(n_check, N), replace=False)
    labels = res.labels.ravel()

    # accuracy against DOP853 at rtol=1e-10
    agree = 0
    t0 = time.perf_counter()
    for i in flat:
        x0 = M.uniform_state(U.ravel()[i], V.ravel()[i])
        sol = solve_ivp(f, (0.0, t_end), x0, method="DOP853", rtol=1e-10, atol=1e-12)
        xT = sol.y[:, -1]
        d = np.max(np.abs(res.attractors - xT), axis=1)
        k = int(np.argmin(d))
        ref = k if d[k] <= 1e-3 * (1 + np.max(np.abs(res.attractors[k]))) else -1
        agree += ref == labels[i]
    t_dop = (time.perf_counter() - t0) / flat.size
    frac = agree / flat.size

    # speed against per-point RK45, same tolerances and stopping rule
    def steady(t, x):
        return np.max(np.abs(f(t, x))) - ftol

    steady.terminal = True
    t0 = time.perf_counter()
    for i in flat[:n_time]:
        x0 = M.uniform_state(U.ravel()[i], V.ravel()[i])
        solve_ivp(f, (0.0, t_end), x0, method="RK45", rtol=rtol, atol=atol, events=steady)
    t_rk45 = (time.perf_counter() - t0) / min(n_time, flat.size)
    t_rk45_full = t_rk45 * N
    ratio = t_rk45_full / t_sweep

    print()
    print(f"basin sweep, preset lock_in, {grid} x {grid} = {N} initial conditions, "
          f"n = {M.n}")
    print(f"{'method':<46} {'time [s]':>10} {'per point [ms]':>15} {'ratio':>8}")
    print(f"{'equilibria basin_sweep (numba DP5(4), batch)':<46} {t_sweep:>10.2f} "
          f"{1e3 * t_sweep / N:>15.4f} {1.0:>8.1f}")
    print(f"{'scipy solve_ivp RK45 per point (extrapolated)':<46} {t_rk45_full:>10.1f} "
          f"{1e3 * t_rk45:>15.4f} {ratio:>8.1f}")
    print(f"{'scipy solve_ivp DOP853 rtol=1e-10 (extrapol.)':<46} {t_dop * N:>10.1f} "
          f"{1e3 * t_dop:>15.4f} {t_dop * N / t_sweep:>8.1f}")
    print(f"compile/cache-load time (apart): {t_compile:.2f} s")
    print(f"label agreement with DOP853 on {flat.size} random points: {100 * frac:.2f}% "
          f"(target >= 99.5%)")
    print(f"speed-up over per-point RK45: {ratio:.0f}x (target >= 200x)")
    if args.json:
        n_rk = min(n_time, flat.size)
        cells = [
            ["equilibria `basin_sweep` (batched numba DP5(4))", f"{t_sweep:.2f} s",
             f"{1e3 * t_sweep / N:.3f} ms", "1"],
            [f"`solve_ivp` RK45 per point, same tolerances and stop (extrapolated from "
             f"{n_rk:,} points)", f"{t_rk45_full:,.0f} s", f"{1e3 * t_rk45:.1f} ms",
             f"{ratio:,.0f}x (target >= 200x)"],
            [f"`solve_ivp` DOP853, rtol = 1e-10 (extrapolated from {flat.size:,} points)",
             f"{t_dop * N:,.0f} s", f"{1e3 * t_dop:.0f} ms", f"{t_dop * N / t_sweep:,.0f}x"]]
        _report.emit(
            "basins", "Basin sweeps", ["method", "time", "per point", "ratio"], cells,
            notes=[f"Labels agree with the DOP853 reference on {100 * frac:.2f}% of "
                   f"{flat.size:,} random points (target >= 99.5%); compile / cache load "
                   f"{t_compile:.2f} s, reported apart."],
            meta=dict(grid=grid, n_check=int(flat.size), n_time=n_rk, rtol=rtol, atol=atol,
                      ftol=ftol, t_end=t_end, sweep_s=t_sweep, rk45_s_per_point=t_rk45,
                      dop853_s_per_point=t_dop, agreement=frac, compile_s=t_compile,
                      seed=args.seed),
            setup=f"{grid} x {grid} grid of the lock_in preset's default slice, to "
                  f"max|f| <= {ftol:g} or t = {t_end:g}, rtol {rtol:g} / atol {atol:g}",
            peers=("scipy",), path=args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
