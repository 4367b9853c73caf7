"""Exact optimal transport side by side: POT ``ot.emd`` vs ``exact_ot`` (network simplex) vs HiGHS.

Same inputs for every solver (seeded): ``n = m`` points uniform in the unit square, squared
Euclidean cost, weights either uniform (degenerate: an assignment) or random positive.  For
each size a fresh worker process runs the solvers interleaved (``--reps`` rounds, the minimum
time is reported), so a load spike on the shared machine hits all of them alike.

Reported per size and weight kind:

* wall time of each solver (steady state: the numba kernels are compiled before timing);
* ``ratio`` = time(exact_ot) / time(ot.emd) (the issue's target is <= 1.5);
* relative cost difference against ``ot.emd`` (must be <= 1e-9) and HiGHS where it runs;
* pivots of the network simplex;
* peak memory of each call above the resident set before it (Linux ``VmHWM`` after a reset
  through ``/proc/self/clear_refs``; covers numba's and C++ allocations, which
  ``tracemalloc`` does not see), in MB.  The inputs (``C`` is ``8 n^2`` bytes) are excluded;
  the returned dense plan (``8 n^2`` bytes) is included for every solver.

Compile time is reported apart: the first call in a fresh process with the on-disk cache
disabled (``EQUILIBRIA_NO_JIT_CACHE=1``: a real compilation), and with the cache (a load).
Threads: the network-simplex kernel is serial (one thread); ``ot.emd`` runs with its default
``numThreads=1``; HiGHS (scipy ``linprog``) runs serially.

Usage::

    python benchmarks/ot_exact.py            # n = 500, 1000, 2000, 5000 (HiGHS at n <= 500)
    python benchmarks/ot_exact.py --quick    # n = 100, 200, 500 (HiGHS at n <= 200)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import _report  # noqa: E402  (records the load at start; imported before the path is cut)

# benchmarks/ot.py would shadow POT's ``ot`` package
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.getcwd()) != HERE]


def make_problem(n, kind, seed=0):
    rng = np.random.default_rng(seed + n)
    x, y = rng.random((n, 2)), rng.random((n, 2))
    C = ((x[:, None, :] - y[None, :, :]) ** 2).sum(-1)
    if kind == "uniform":
        a = np.full(n, 1.0 / n)
        b = a.copy()
    else:
        a, b = rng.random(n) + 0.01, rng.random(n) + 0.01
        a /= a.sum()
        b *= a.sum() / b.sum()
    return a, b, np.ascontiguousarray(C)


def _hwm_mb():
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def _rss_mb():
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def _reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _measure(fn):
    """(seconds, output, peak MB above the RSS before the call)."""
    import gc

    gc.collect()
    ok = _reset_peak()
    before = _rss_mb()
    t = time.perf_counter()
    out = fn()
    dt = time.perf_counter() - t
    peak = _hwm_mb() - before if ok else float("nan")
    return dt, out, peak


def worker(n, kinds, reps, highs):
    """Run every solver on size ``n``; print one JSON line per weight kind."""
    import warnings

    import ot

    from equilibria.solvers.ot import exact_ot

    # compile / load the kernels outside the timings
    a0, b0, C0 = make_problem(8, "random")
    exact_ot(a0, b0, C0)
    ot.emd(a0, b0, C0)
    for kind in kinds:
        a, b, C = make_problem(n, kind)
        rec = {"n": n, "kind": kind, "times": {}, "cost": {}, "peak_mb": {}}
        solvers = {
            "ot.emd": lambda: ot.emd(a, b, C, numItermax=10**9, log=True),
            "exact_ot": lambda: exact_ot(a, b, C),
        }
        if highs:
            solvers["highs"] = lambda: exact_ot(a, b, C, method="lp")
        for r in range(reps):
            for name, fn in solvers.items():
                if name == "highs" and r > 0:
                    continue  # one HiGHS run: it is 2-3 orders of magnitude slower
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    dt, out, peak = _measure(fn)
                if name == "ot.emd":
                    P, log = out
                    cost = float(log["cost"])
                    rec["pot_warning"] = log.get("warning")
                else:
                    cost = float(out.cost)
                    if name == "exact_ot":
                        rec["pivots"] = int(out.n_iter)
                        rec["success"] = bool(out.success)
                    else:
                        rec["highs_success"] = bool(out.success)
                del out
                rec["times"][name] = min(dt, rec["times"].get(name, np.inf))
                rec["peak_mb"][name] = max(peak, rec["peak_mb"].get(name, -np.inf))
                rec["cost"][name] = cost
        print(json.dumps(rec), flush=True)


def compile_times():
    """First-call times in fresh processes: cache disabled (a compile) and enabled (a load)."""
    code = ("import time, numpy as np; t = time.perf_counter(); "
            "from equilibria.solvers.ot import exact_ot; t_imp = time.perf_counter() - t; "
            "a = np.full(5, 0.2); C = np.arange(25.0).reshape(5, 5) % 7; "
            "t = time.perf_counter(); exact_ot(a, a, C); t1 = time.perf_counter() - t; "
            "t = time.perf_counter(); exact_ot(a, a, C); t2 = time.perf_counter() - t; "
            "print(t_imp, t1, t2)")
    out = {}
    for label, env in [("compile (no cache)", {"EQUILIBRIA_NO_JIT_CACHE": "1"}),
                       ("cache load", {})]:
        res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             env={**os.environ, **env}, cwd=ROOT, check=True)
        t_imp, t1, t2 = map(float, res.stdout.split())
        out[label] = (t1 - t2, t_imp)
    return out


def versions():
    import numba
    import ot
    import scipy

    import equilibria

    return {"python": platform.python_version(), "numpy": np.__version__,
            "numba": numba.__version__, "POT": ot.__version__, "scipy": scipy.__version__,
            "equilibria": getattr(equilibria, "__version__", "?"),
            "cpus": os.cpu_count(), "numba_threads": numba.get_num_threads(),
            "machine": platform.machine()}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--quick", action="store_true", help="small sizes (100, 200, 500)")
    p.add_argument("--sizes", type=int, nargs="*", default=None, help="override the sizes")
    p.add_argument("--reps", type=int, default=3, help="interleaved rounds per size (min time)")
    p.add_argument("--highs-max", type=int, default=None,
                   help="largest n for HiGHS (default 500, 200 with --quick)")
    p.add_argument("--kinds", nargs="*", default=["random", "uniform"],
                   choices=["random", "uniform"], help="weight kinds")
    _report.add_json_argument(p, "ot_exact")
    p.add_argument("--worker", type=int, default=None, help=argparse.SUPPRESS)
    p.add_argument("--highs", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker is not None:
        worker(args.worker, args.kinds, args.reps, args.highs)
        return 0
    sizes = args.sizes or ([100, 200, 500] if args.quick else [500, 1000, 2000, 5000])
    highs_max = args.highs_max if args.highs_max is not None else (200 if args.quick else 500)
    info = versions()
    print("# exact OT: POT ot.emd vs equilibria exact_ot (network simplex) vs HiGHS")
    print("# " + ", ".join(f"{k} {v}" for k, v in info.items()))
    print("# threads: exact_ot kernel serial (1), ot.emd numThreads=1 (default), HiGHS serial")
    ct = compile_times()
    for label, (t, t_imp) in ct.items():
        print(f"# first call extra time, {label}: {t:.2f} s (import {t_imp:.2f} s)")
    print("# cost: squared Euclidean, n = m points uniform in [0,1]^2; times: min over "
          f"{args.reps} interleaved rounds (HiGHS: one run)")
    hdr = (f"{'n':>5} {'weights':>8} {'ot.emd s':>9} {'exact_ot s':>10} {'ratio':>6} "
           f"{'HiGHS s':>8} {'|dcost|/cost':>12} {'vs HiGHS':>9} {'pivots':>8} "
           f"{'MB emd':>7} {'MB ours':>7} {'MB HiGHS':>8} ok")
    print(hdr)
    records = []
    worst = 0.0
    worst_cost = 0.0
    for n in sizes:
        reps = args.reps if n <= 2000 else 1
        cmd = [sys.executable, os.path.abspath(__file__), "--worker", str(n), "--reps",
               str(reps), "--kinds", *args.kinds] + (["--highs"] if n <= highs_max else [])
        res = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
        if res.returncode != 0:
            print(f"{n:>5} worker failed:\n{res.stderr[-2000:]}")
            continue
        for line in res.stdout.splitlines():
            if not line.startswith("{"):
                continue
            rec = json.loads(line)
            records.append(rec)
            t, c, mb = rec["times"], rec["cost"], rec["peak_mb"]
            ratio = t["exact_ot"] / t["ot.emd"]
            worst = max(worst, ratio)
            d_pot = abs(c["exact_ot"] - c["ot.emd"]) / abs(c["ot.emd"])
            worst_cost = max(worst_cost, d_pot)
            d_h = (abs(c["exact_ot"] - c["highs"]) / abs(c["highs"]) if "highs" in c
                   else float("nan"))
            ok = rec["success"] and d_pot <= 1e-9 and (not d_h == d_h or d_h <= 1e-9)
            th = f"{t['highs']:8.2f}" if "highs" in t else f"{'-':>8}"
            mh = f"{mb['highs']:8.0f}" if "highs" in mb else f"{'-':>8}"
            print(f"{n:>5} {rec['kind']:>8} {t['ot.emd']:9.3f} {t['exact_ot']:10.3f} "
                  f"{ratio:6.2f} {th} {d_pot:12.1e} {d_h:9.1e} {rec['pivots']:8d} "
                  f"{mb['ot.emd']:7.0f} {mb['exact_ot']:7.0f} {mh} "
                  f"{'yes' if ok else 'NO'}", flush=True)
            if rec.get("pot_warning"):
                print(f"#   ot.emd warning: {rec['pot_warning']}")
    print(f"# worst ratio exact_ot / ot.emd: {worst:.2f} (target <= 1.5)")
    if args.json:
        _emit(args, info, ct, records, worst, worst_cost)
    return 0


def _emit(args, info, ct, records, worst, worst_cost):
    """Write the README table (benchmarks/_report.py schema); the raw records go to meta."""
    by = {}
    for rec in records:
        by.setdefault(rec["n"], {})[rec["kind"]] = rec
    kinds = [k for k in ("random", "uniform") if k in args.kinds]

    def cell(n, f, fmt):
        return " / ".join(format(f(by[n][k]), fmt) if k in by[n] else "-" for k in kinds)

    def sec(x):
        return f"{x:.3f}" if x < 1 else f"{x:.3g}"

    cells = []
    for n in sorted(by):
        t_emd = " / ".join(sec(by[n][k]["times"]["ot.emd"]) if k in by[n] else "-"
                           for k in kinds) + " s"
        ratio = cell(n, lambda r: r["times"]["exact_ot"] / r["times"]["ot.emd"], ".2f")
        k0 = kinds[0]
        mb = (f"{by[n][k0]['peak_mb']['ot.emd']:.0f} / {by[n][k0]['peak_mb']['exact_ot']:.0f}"
              if k0 in by[n] else "-")
        cells.append([str(n), t_emd, ratio, mb])
    comp = ct.get("compile (no cache)", (float("nan"),))[0]
    load = ct.get("cache load", (float("nan"),))[0]
    _report.emit(
        "ot_exact", "Exact OT",
        ["n = m", "ot.emd, " + " / ".join(kinds) + " weights", "exact_ot time / ot.emd time",
         f"peak MB ot.emd / ours ({kinds[0]} weights)"], cells,
        notes=[f"Costs equal to {worst_cost:.1e} relative; worst time ratio {worst:.2f} "
               f"(target <= 1.5); compile {comp:.2f} s cold, {load:.2f} s cached, reported "
               f"apart; serial, as is `ot.emd`; times are the minimum of {args.reps} "
               f"interleaved rounds (one at n > 2000)."],
        meta={"versions": info, "compile": ct, "records": records},
        setup="against POT `ot.emd`, the strongest installable peer; n = m points uniform in "
              "the unit square, squared Euclidean cost, same inputs",
        peers=("POT", "scipy"), path=args.json)


if __name__ == "__main__":
    sys.exit(main())
