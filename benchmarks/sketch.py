"""Benchmark: sketch-and-solve least squares against ``numpy.linalg.lstsq``, side by side.

Same problem for every row: ``A`` of shape ``(n, d)`` with i.i.d. N(0, 1) entries,
``b = A x0 + N(0, 1)`` noise (seed 0), ``n = 2^16``, ``d = 64, 128, 256``.  Rows:

- ``lstsq``: ``numpy.linalg.lstsq(A, b)`` (LAPACK gelsd), the peer and the reference ``x*``;
- ``gaussian`` / ``srht`` / ``countsketch`` / ``leverage``: :func:`sketch_and_solve`'s sketch
  (``equilibria.solvers.sketch.sketch``) applied to ``[A, b]`` and ``lstsq`` on the
  ``m x d`` sketched problem, ``m = 4 d`` (``--factor``).  The timed part is the sketch draw,
  its application and the small solve (not the exact solve and error bookkeeping that
  :func:`sketch_and_solve` adds); ``leverage`` includes the QR that computes the scores, so it
  cannot beat ``lstsq`` (shown for completeness).

Errors are against the ``lstsq`` solution: ``linf`` = ``||x' - x*||_inf``, ``bound`` = the
Song-Ye-Yin-Zhang (2023) l-infinity bound at ``eps`` from the paper's row count, ``l2`` =
``||x' - x*||_2``, ``res`` = ``||A x' - b|| / ||A x* - b||``.  Every row runs in a fresh
``spawn`` process: numba kernels are warmed on a tiny input first (compile / cache-load
seconds reported apart), then the best of ``--repeat`` timed runs; peak memory is the peak RSS
of the timed runs (``VmHWM`` after resetting it) minus the RSS after building the data.
BLAS threads: whatever the environment sets (``OMP_NUM_THREADS``; reported).  The ratio
column is time(lstsq) / time(row): > 1 means faster than ``lstsq``.

``python benchmarks/sketch.py`` (full), ``--quick`` (n = 2^14, d = 64), ``--json`` (writes ``benchmarks/results/sketch.json``).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _report  # noqa: E402  (records the load at start)

KINDS = ("gaussian", "srht", "countsketch", "leverage")


def make_problem(n, d, seed=0):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n, d))
    return A, A @ rng.standard_normal(d) + rng.standard_normal(n)


def _status(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def _solve(name, A, b, m, seed):
    from equilibria.solvers.sketch import leverage_scores, sketch

    if name == "lstsq":
        return np.linalg.lstsq(A, b, rcond=None)[0]
    n, d = A.shape
    p = leverage_scores(A) if name == "leverage" else None
    S = sketch(name, m, n, seed=seed, probabilities=p)
    SAb = S.apply(np.column_stack([A, b]))
    return np.linalg.lstsq(SAb[:, :d], SAb[:, d], rcond=None)[0]


def _child(name, n, d, m, repeat, q):
    warnings.simplefilter("ignore")
    t = time.perf_counter()
    As, bs = make_problem(64, 4, 1)
    _solve(name, As, bs, 16, 0)
    compile_s = time.perf_counter() - t
    A, b = make_problem(n, d)
    base = _status("VmRSS")
    _reset_peak()
    best = np.inf
    x = None
    for r in range(repeat):
        t = time.perf_counter()
        x = _solve(name, A, b, m, r)
        best = min(best, time.perf_counter() - t)
    peak = _status("VmHWM") - base
    q.put({"x": x, "seconds": best, "compile_s": compile_s, "peak_mb": peak})


def run(name, n, d, m, repeat):
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_child, args=(name, n, d, m, repeat, q))
    p.start()
    out = q.get()
    p.join()
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--n", type=int, default=None, help="rows (default 2^16; quick 2^14)")
    ap.add_argument("--dims", type=int, nargs="+", default=None)
    ap.add_argument("--factor", type=int, default=4, help="m = factor * d")
    ap.add_argument("--kinds", nargs="+", default=list(KINDS))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--delta", type=float, default=0.1)
    _report.add_json_argument(ap, "sketch")
    args = ap.parse_args(argv)
    from equilibria.solvers.sketch import linf_bound, linf_eps

    n = args.n or (2 ** 14 if args.quick else 2 ** 16)
    dims = args.dims or ([64] if args.quick else [64, 128, 256])
    repeat = 1 if args.quick else args.repeat
    rows = []
    print(f"n = {n}, m = {args.factor} d, OMP_NUM_THREADS = "
          f"{os.environ.get('OMP_NUM_THREADS', 'unset')}, best of {repeat}")
    print(f"{'d':>4} {'solver':>12} {'m':>6} {'seconds':>9} {'ratio':>7} {'compile':>8} "
          f"{'peak MB':>8} {'linf':>10} {'bound':>10} {'l2':>10} {'res':>8}")
    for d in dims:
        A, b = make_problem(n, d)
        ref = run("lstsq", n, d, d, repeat)
        x_star = ref["x"]
        r_star = float(np.linalg.norm(A @ x_star - b))
        pinv = float(1.0 / np.linalg.svd(A, compute_uv=False)[-1])
        for name in ["lstsq"] + list(args.kinds):
            m = d if name == "lstsq" else args.factor * d
            out = ref if name == "lstsq" else run(name, n, d, m, repeat)
            err = out["x"] - x_star
            bound = 0.0 if name == "lstsq" else linf_bound(linf_eps(m, n, d, args.delta), d,
                                                           r_star, pinv)
            row = {"n": n, "d": d, "solver": name, "m": m, "seconds": out["seconds"],
                   "ratio": ref["seconds"] / out["seconds"], "compile_s": out["compile_s"],
                   "peak_mb": out["peak_mb"], "linf": float(np.max(np.abs(err))),
                   "bound": bound, "l2": float(np.linalg.norm(err)),
                   "res": float(np.linalg.norm(A @ out["x"] - b) / r_star)}
            rows.append(row)
            print(f"{d:>4} {name:>12} {m:>6} {row['seconds']:>9.4f} {row['ratio']:>7.2f} "
                  f"{row['compile_s']:>8.2f} {row['peak_mb']:>8.1f} {row['linf']:>10.2e} "
                  f"{row['bound']:>10.2e} {row['l2']:>10.2e} {row['res']:>8.4f}")
    if args.json:
        _emit(args, n, dims, repeat, rows)
    return rows


def _emit(args, n, dims, repeat, rows):
    """Write the README table (benchmarks/_report.py schema)."""
    cells = [[str(r["d"]), r["solver"], _report.fmt(r["m"]), f"{r['seconds']:.3g} s",
              f"{r['ratio']:.2f}x", f"{r['peak_mb']:.0f}",
              "-" if r["solver"] == "lstsq" else f"{r['linf']:.1e} / {r['bound']:.1e}",
              f"{r['res']:.4f}"] for r in rows]
    comp = ", ".join(f"{k} {max(r['compile_s'] for r in rows if r['solver'] == k):.2f} s"
                     for k in ["lstsq"] + list(args.kinds))
    notes = [f"Ratio = time(lstsq) / time(row), > 1 is faster than lstsq; linf / bound = "
             f"||x' - x*||_inf against the Song-Ye-Yin-Zhang (2023) bound at delta = "
             f"{args.delta:g}; res = ||A x' - b|| / ||A x* - b||; `leverage` includes the QR "
             "that computes its scores. Each row in a fresh process, best of "
             f"{repeat}; peak MB = peak RSS of the timed runs above the RSS after the data.",
             f"First call (compile or cache load, tiny input), apart: {comp}; BLAS threads "
             f"OMP_NUM_THREADS = {os.environ.get('OMP_NUM_THREADS', 'unset')}."]
    if args.quick:
        notes.append("Quick run (`--quick`: n = 2^14, d = 64, one repeat).")
    _report.emit(
        "sketch", "Sketch-and-solve least squares",
        ["d", "solver", "m", "time", "vs lstsq", "peak MB", "linf / bound", "res"], cells,
        notes=notes,
        meta=dict(n=n, dims=list(dims), factor=args.factor, repeat=repeat, delta=args.delta,
                  quick=args.quick, rows=[{k: v for k, v in r.items()} for r in rows]),
        setup=f"A of shape (n, d), N(0, 1) entries, b = A x0 + noise, n = {_report.fmt(n)}, "
              f"m = {args.factor} d; peer `numpy.linalg.lstsq` (LAPACK gelsd)",
        path=args.json)


if __name__ == "__main__":
    main()
