"""Benchmark: PointCloud Sinkhorn against KeOps online log-sum-exp reductions on the CPU.

The geomloss / KeOps peer of issue 15 section 2.  Both solve the same problem (n = m uniform
points in [0,1]^2, squared Euclidean cost, reg 0.01, uniform weights) to the same rule (L1
marginal error <= 1e-6), without storing the n x m matrix: ours is
``sinkhorn(a, b, PointCloud(x, y), reg)`` (tiled compiled log-sum-exp sweeps, over-relaxed),
KeOps is the plain log-domain Sinkhorn loop on ``pykeops`` LazyTensor reductions
(``benchmarks/_keops_sinkhorn.py``; geomloss's own ``SamplesLoss`` uses epsilon-scaling with
a fixed schedule and no marginal rule, so the loop is written on KeOps directly), float64,
all cores.  KeOps runs in its own venv (``bash benchmarks/setup_keops.sh``: torch CPU build,
pykeops, geomloss).  Above ``--keops-full-max`` KeOps runs ``--keops-iters`` iterations and
its seconds per iteration are reported; the full-time column is then the lower bound
``it_ours x s/it`` (valid while KeOps' iteration count at the full sizes is at least ours,
which the table shows).  Compile time (KeOps code generation, numba cache load) apart; peak
RSS per subprocess.

Run ``python benchmarks/ot_keops.py [--sizes ...] [--venv PATH] [--json [PATH]]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import _report  # noqa: E402

REG, TOL = 0.01, 1e-6


def run_ours(n):
    cmd = [sys.executable, os.path.join(HERE, "ot_pointcloud.py"), "--worker", "ours", str(n)]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        return {"error": out.stderr[-1000:]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_keops(py, n, max_iter):
    cmd = [py, os.path.join(HERE, "_keops_sinkhorn.py"), str(n), str(REG), str(TOL),
           str(max_iter)]
    out = subprocess.run(cmd, capture_output=True, text=True)
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if out.returncode != 0 or not lines:
        return {"error": out.stderr[-1000:]}
    return json.loads(lines[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="*", default=[2000, 5000, 20000, 50000])
    ap.add_argument("--keops-full-max", type=int, default=5000)
    ap.add_argument("--keops-iters", type=int, default=10)
    ap.add_argument("--venv", default=os.path.join(HERE, ".venv-keops"))
    _report.add_json_argument(ap, "ot_keops")
    args = ap.parse_args()
    py = os.path.join(args.venv, "bin", "python")
    if not os.path.exists(py):
        sys.exit(f"no KeOps venv at {args.venv}: run `bash benchmarks/setup_keops.sh`")
    print(f"# 2-D uniform, sqeuclidean, reg={REG}, L1 rule {TOL}; load {os.getloadavg()}")
    print(f"{'n':>6} | {'ours s':>8} {'it':>4} {'RSS':>6} | {'KeOps s':>9} {'it':>5} "
          f"{'s/it':>7} {'L1':>8} {'RSS':>6} {'comp':>5} | {'x KeOps':>7} {'x per-it':>8}")
    rows, records, versions = [], [], {}
    for n in args.sizes:
        ours = run_ours(n)
        full = n <= args.keops_full_max
        ke = run_keops(py, n, 20_000 if full else args.keops_iters)
        records.append({"ours": ours, "keops": ke})
        if "error" in ours or "error" in ke:
            print(n, "failed:", ours.get("error", "")[-300:], ke.get("error", "")[-300:])
            continue
        versions = ke.get("versions", versions)
        spi_o, spi_k = ours["solve_s"] / ours["n_iter"], ke["solve_s"] / ke["n_iter"]
        if full:
            t_k, ratio = ke["solve_s"], ke["solve_s"] / ours["solve_s"]
            cell = f"{t_k:.2f} s ({ke['n_iter']} it, {ke['peak_rss_mb']:.0f} MB)"
        else:
            t_k = ours["n_iter"] * spi_k
            ratio = t_k / ours["solve_s"]
            cell = (f">= {t_k:.0f} s ({spi_k:.2f} s/it on {ke['n_iter']} it, "
                    f"{ke['peak_rss_mb']:.0f} MB)")
        print(f"{n:>6} | {ours['solve_s']:8.2f} {ours['n_iter']:4d} {ours['peak_rss_mb']:6.0f} | "
              f"{t_k:9.2f} {ke['n_iter']:5d} {spi_k:7.3f} {ke['l1_err']:8.1e} "
              f"{ke['peak_rss_mb']:6.0f} {ke['compile_s']:5.1f} | {ratio:7.2f} "
              f"{spi_k / spi_o:8.2f}", flush=True)
        rows.append([f"{n:,}", f"{ours['solve_s']:.2f} s ({ours['n_iter']} it, "
                     f"{ours['peak_rss_mb']:.0f} MB)", cell, f"{ratio:.1f}x",
                     f"{spi_k / spi_o:.1f}x"])
    if args.json:
        path = _report.emit(
            "ot_keops", "Entropic OT on point clouds against KeOps (CPU)",
            ["n = m", "equilibria PointCloud", "KeOps online Sinkhorn (CPU, float64)",
             "x KeOps", "x KeOps per iteration"], rows,
            notes=[f"pykeops {versions.get('pykeops', '?')}, torch "
                   f"{versions.get('torch', '?')} (CPU build) in benchmarks/setup_keops.sh's "
                   "venv; plain log-domain Sinkhorn on LazyTensor logsumexp reductions, "
                   "float64, all cores; L1 marginal rule 1e-6 for both; KeOps code "
                   "generation and numba cache load apart; peak RSS per subprocess; shared "
                   "2-core machine."],
            meta={"records": records, "reg": REG, "tol": TOL,
                  "keops_full_max": args.keops_full_max}, path=args.json,
            peers=("numba",),
            setup="n = m uniform points in [0,1]^2, squared Euclidean cost, reg 0.01")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
