"""Entropic OT on point clouds at scale: equilibria's PointCloud Sinkhorn vs OTT-JAX (CPU).

Run ``python benchmarks/ot_pointcloud.py`` (n = m in 1000, 5000, 20000, 50000) or ``--quick``
(1000, 5000).  Inputs: 2-D uniform points in [0, 1]^2 (seed 0), uniform weights, squared
Euclidean cost (not rescaled), reg = 0.01.  Neither solver stores the n x m cost or kernel.

Stopping rule, the same L1 marginal error 1e-6 for both:

* ours: ``sinkhorn(a, b, PointCloud(x, y), 0.01, tol=1e-6)``; after the row update the rows
  are exact, the rule is the L1 column error ``||P^T 1 - b||_1`` (plus the row error, rounding
  only) checked every iteration (it comes free with the column update);
* OTT-JAX: ``Sinkhorn(threshold=1e-6, norm_error=1)`` on ``PointCloud(x, y, epsilon=0.01,
  batch_size=...)`` (absolute epsilon, ``scale_cost=1``), float64 (``jax_enable_x64``); its
  error is the L1 norm of the marginal error of the axis not matched by the last update
  (``marginal_error(..., norm_error=(1,))``), evaluated every ``inner_iterations = 10``
  iterations (its default: it needs an extra pass over the kernel, so checking less often
  favours OTT by at most 9 iterations).  ott-jax 0.6 calls ``jax.interpreters.batching.
  is_vmappable`` in its online mode, which jax 0.10 keeps only in ``jax._src``: the worker
  re-exports that same function before importing OTT.

Every (solver, size) runs in its own subprocess, which reports its peak RSS (``ru_maxrss``)
and times: compile (numba cache load at a tiny size for ours, ``jit(...).lower().compile()``
for OTT) apart from the solve.  OTT at n > ``--ott-full-max`` (default 20000) is run for
``--ott-iters`` iterations only (its full solve would take far beyond this machine's time
budget) and its seconds per iteration are reported: the full-time column then says
``>= it_ours x s/it`` as a lower bound only when OTT's iteration count at the smaller sizes
is at least ours (it is: plain Sinkhorn against our over-relaxed one).

geomloss / KeOps: ``benchmarks/ot_keops.py`` (its own venv, ``benchmarks/setup_keops.sh``, with
the CPU build of torch 2.13.0; an unpinned ``pip install geomloss pykeops`` pulls a CUDA build
of torch of several GB).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import _report  # noqa: E402

REG, TOL = 0.01, 1e-6


def cloud(n, seed=0):
    import numpy as np

    rng = np.random.default_rng(seed)
    return rng.random((n, 2)), rng.random((n, 2)), np.full(n, 1.0 / n)


def worker_ours(n):
    import numba
    import numpy as np

    from equilibria.solvers.ot import PointCloud, sinkhorn

    x, y, a = cloud(n)
    t = time.perf_counter()
    xs, ys, as_ = cloud(600, seed=1)
    sinkhorn(as_, as_, PointCloud(xs, ys), REG, tol=TOL, parallel=True)
    t_compile = time.perf_counter() - t
    t = time.perf_counter()
    res = sinkhorn(a, a, PointCloud(x, y), REG, tol=TOL)
    t_solve = time.perf_counter() - t
    return dict(solver="ours", n=n, compile_s=t_compile, solve_s=t_solve, n_iter=int(res.n_iter),
                l1_err=float(res.marginal_error), success=bool(res.success),
                cost=float(res.cost), gap=float(res.duality_gap),
                threads=int(numba.get_num_threads()), full=True,
                f_mean=float(np.mean(res.potentials[0])))


def worker_ott(n, batch, iters):
    import jax

    jax.config.update("jax_enable_x64", True)
    from jax.interpreters import batching

    if not hasattr(batching, "is_vmappable"):
        # ott-jax 0.6's online (batch_size) mode calls batching.is_vmappable, which jax 0.10
        # moved to jax._src; the same function, re-exported so OTT's online mode runs
        from jax._src.interpreters import batching as _b

        batching.is_vmappable = _b.is_vmappable
    import jax.numpy as jnp
    from ott.geometry import pointcloud
    from ott.problems.linear import linear_problem
    from ott.solvers.linear import sinkhorn as ott_sinkhorn

    x, y, a = cloud(n)
    x, y, a = jnp.asarray(x), jnp.asarray(y), jnp.asarray(a)
    max_it = iters if iters else 20_000

    def solve(x, y, a, b):
        geom = pointcloud.PointCloud(x, y, epsilon=REG, batch_size=min(batch, n))
        prob = linear_problem.LinearProblem(geom, a, b)
        solver = ott_sinkhorn.Sinkhorn(threshold=TOL, norm_error=1, max_iterations=max_it)
        out = solver(prob)
        return out.f, out.g, out.errors, out.n_iters, out.converged

    t = time.perf_counter()
    comp = jax.jit(solve).lower(x, y, a, a).compile()
    t_compile = time.perf_counter() - t
    t = time.perf_counter()
    f, g, errors, n_it, conv = comp(x, y, a, a)
    f.block_until_ready()
    t_solve = time.perf_counter() - t
    errs = [float(e) for e in errors.reshape(errors.shape[0], -1)[:, 0]
            if float(e) >= 0 and float(e) != float("inf")]
    return dict(solver="ott", n=n, compile_s=t_compile, solve_s=t_solve, n_iter=int(n_it),
                l1_err=errs[-1] if errs else float("nan"), success=bool(conv),
                threads=os.cpu_count(), full=not iters, batch_size=min(batch, n),
                f_mean=float(jnp.mean(f)))


def run_sub(args):
    cmd = [sys.executable, os.path.abspath(__file__), "--worker"] + [str(a) for a in args]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        return {"error": out.stderr[-2000:]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="n in 1000, 5000")
    ap.add_argument("--sizes", type=int, nargs="*", default=None)
    ap.add_argument("--ott-full-max", type=int, default=20000)
    ap.add_argument("--ott-iters", type=int, default=20)
    ap.add_argument("--ott-batch", type=int, default=1024)
    ap.add_argument("--no-ott", action="store_true")
    ap.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    _report.add_json_argument(ap, "ot_pointcloud")
    args = ap.parse_args()
    if args.worker:
        kind, n = args.worker[0], int(args.worker[1])
        rec = worker_ours(n) if kind == "ours" else worker_ott(n, int(args.worker[2]),
                                                               int(args.worker[3]))
        rec["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
        print(json.dumps(rec))
        return
    sizes = args.sizes or ([1000, 5000] if args.quick else [1000, 5000, 20000, 50000])
    print(f"# PointCloud Sinkhorn, 2-D uniform, sqeuclidean, reg={REG}, L1 rule {TOL}; "
          f"load at start {os.getloadavg()} (shared 2-core machine)")
    hdr = (f"{'n':>6} | {'ours s':>8} {'it':>4} {'L1':>8} {'RSS MB':>7} {'comp s':>6} | "
           f"{'OTT s':>9} {'it':>5} {'s/it':>7} {'L1':>8} {'RSS MB':>7} {'comp s':>6} | "
           f"{'x OTT':>6} {'x per-it':>8}")
    print(hdr)
    print("-" * len(hdr))
    records, rows = [], []
    for n in sizes:
        ours = run_sub(["ours", n])
        if "error" in ours:
            print(n, "ours failed:", ours["error"])
            continue
        if args.no_ott:
            ott = {"error": "skipped"}
        else:
            iters = 0 if n <= args.ott_full_max else args.ott_iters
            ott = run_sub(["ott", n, args.ott_batch, iters])
        records.append({"ours": ours, "ott": ott})
        if "error" in ott:
            print(f"{n:>6} | {ours['solve_s']:8.2f} {ours['n_iter']:4d} {ours['l1_err']:8.1e} "
                  f"{ours['peak_rss_mb']:7.0f} {ours['compile_s']:6.2f} | OTT: "
                  f"{ott['error'][-200:]}")
            rows.append([f"{n:,}", f"{ours['solve_s']:.2f} s ({ours['n_iter']} it)", "-", "-"])
            continue
        spi_o = ours["solve_s"] / ours["n_iter"]
        spi_t = ott["solve_s"] / ott["n_iter"]
        if ott["full"]:
            t_ott, ratio = f"{ott['solve_s']:9.2f}", ott["solve_s"] / ours["solve_s"]
            cell = f"{ott['solve_s']:.2f} s ({ott['n_iter']} it)"
        else:
            t_ott, ratio = f">={ours['n_iter'] * spi_t:7.1f}", ours["n_iter"] * spi_t / ours[
                "solve_s"]
            cell = f">= {ours['n_iter'] * spi_t:.0f} s ({spi_t:.2f} s/it on {ott['n_iter']} it)"
        print(f"{n:>6} | {ours['solve_s']:8.2f} {ours['n_iter']:4d} {ours['l1_err']:8.1e} "
              f"{ours['peak_rss_mb']:7.0f} {ours['compile_s']:6.2f} | {t_ott} "
              f"{ott['n_iter']:5d} {spi_t:7.3f} {ott['l1_err']:8.1e} {ott['peak_rss_mb']:7.0f} "
              f"{ott['compile_s']:6.2f} | {ratio:6.2f} {spi_t / spi_o:8.2f}")
        rows.append([f"{n:,}", f"{ours['solve_s']:.2f} s ({ours['n_iter']} it, "
                     f"{ours['peak_rss_mb']:.0f} MB)", cell, f"{ratio:.1f}x"])
        sys.stdout.flush()
    if args.json:
        path = _report.emit(
            "ot_pointcloud", "Entropic OT on point clouds (no n x m storage)",
            ["n = m", "equilibria PointCloud", "OTT-JAX PointCloud (CPU, online)", "x OTT"],
            rows, notes=["2-D uniform points, squared Euclidean, reg 0.01, L1 marginal rule "
                         "1e-6 for both; peak RSS per subprocess; shared 2-core machine."],
            meta={"records": records, "reg": REG, "tol": TOL}, path=args.json,
            peers=("ott-jax", "jax", "numba"),
            setup="n = m uniform points in [0,1]^2, squared Euclidean cost, reg 0.01")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
