"""Bandit simulation speed: equilibria.bandits vs SMPyBandits, side by side in one process.

Instance (issue #15, part 5): Bernoulli arms, K = 10, means linspace(0.1, 0.9), horizon
T = 10^4 (``--horizon 100000`` for T = 10^5).  Policies: UCB1, EXP3 and Thompson sampling
with Beta(1, 1) priors, each with its library's default tuning.

- SMPyBandits 0.9.7 (its own venv: ``bash benchmarks/setup_smpybandits.sh``; it needs
  scipy < 1.12 and pandas < 2.3) runs full horizons the way its ``Evaluator`` does: per round
  ``policy.choice()``, ``arm.draw()`` of its ``Arms.Bernoulli``, ``policy.getReward``; per-run
  time = mean over ``--smpy-runs`` runs.  It has no compile step.
- equilibria runs ``--runs`` full-horizon runs in one ``simulate`` call, serially (one
  thread, no executor); per-run time = wall / runs.  The first call (numba compilation or
  on-disk cache load) is reported apart from the steady state.  The venv's numba keeps its
  own cache (``$NUMBA_CACHE_DIR``, default ``<venv>/numba-cache``): sharing
  ``equilibria/**/__pycache__`` with the main environment's newer numba would make each
  environment invalidate the other's cache files.
- Peak memory: the peak RSS (``VmHWM``, reset through ``/proc/self/clear_refs`` before each
  measurement; Linux) minus the RSS before it.  Ratio = SMPyBandits s/run / equilibria s/run.

Usage: ``.venv-smpy/bin/python benchmarks/bandits_smpy.py [--quick] [--json [F]]`` (bare
``--json``: benchmarks/results/bandits_smpy.json, the schema of benchmarks/_report.py).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time
import warnings

import numpy as np

# numba's on-disk cache records the numba version: this venv's numba (0.60) would invalidate and
# overwrite the main environment's cache files in equilibria/**/__pycache__, so it keeps its own
os.environ.setdefault("NUMBA_CACHE_DIR", os.path.join(sys.prefix, "numba-cache"))

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _report  # noqa: E402  (records the load at start)

K = 10
MEANS = np.linspace(0.1, 0.9, K)


def _rss_mb(field):
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def _measure(fn):
    """``(seconds, result, peak MB above the RSS before)`` of ``fn()``."""
    base = _rss_mb("VmRSS")
    _reset_peak()
    t = time.perf_counter()
    out = fn()
    dt = time.perf_counter() - t
    return dt, out, max(_rss_mb("VmHWM") - base, 0.0)


def smpy_run(name, horizon, seed):
    """One SMPyBandits run; returns the pseudo-regret ``sum_t (mu* - mu_{A_t})``."""
    from SMPyBandits.Arms import Bernoulli
    from SMPyBandits.Policies import UCB, Exp3, Thompson

    np.random.seed(seed)  # noqa: NPY002 (SMPyBandits draws from numpy's global generator)
    arms = [Bernoulli(float(m)) for m in MEANS]
    pol = {"UCB1": UCB, "EXP3": Exp3, "Thompson": Thompson}[name](K)
    pol.startGame()
    pulls = np.zeros(K)
    for t in range(horizon):
        a = pol.choice()
        pol.getReward(a, arms[a].draw(t))
        pulls[a] += 1
    return float(horizon * MEANS.max() - pulls @ MEANS)


def ours(name):
    from equilibria.bandits import EXP3, UCB1, ThompsonSampling

    return {"UCB1": UCB1(), "EXP3": EXP3(), "Thompson": ThompsonSampling()}[name]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="T = 2000, fewer runs")
    ap.add_argument("--horizon", type=int, default=None, help="T (default 10^4)")
    ap.add_argument("--runs", type=int, default=None, help="equilibria runs per call")
    ap.add_argument("--smpy-runs", type=int, default=None, help="SMPyBandits runs")
    _report.add_json_argument(ap, "bandits_smpy")
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    T = args.horizon or (2000 if args.quick else 10_000)
    runs = args.runs or (20 if args.quick else 200)
    smpy_runs = args.smpy_runs or (1 if args.quick else 3)

    import importlib.metadata as md

    import numba

    from equilibria.bandits import BernoulliArms, simulate

    smpy_run("UCB1", 10, 0)  # import SMPyBandits before timing it
    env = BernoulliArms(MEANS)
    versions = {p: md.version(p) for p in ("SMPyBandits", "numpy", "scipy", "numba")}
    threads = 1  # simulate(...) without an executor runs the runs serially in one thread
    print(f"Bernoulli K={K}, means linspace(0.1, 0.9), T={T}; equilibria {runs} runs per call, "
          f"SMPyBandits {smpy_runs} runs; threads used: {threads} "
          f"(NUMBA_NUM_THREADS={numba.config.NUMBA_NUM_THREADS}); {platform.processor() or ''} "
          f"{os.cpu_count()} cores; " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    header = (f"{'policy':<9} {'SMPy s/run':>11} {'ours s/run':>11} {'ratio':>8} "
              f"{'ours ns/round':>14} {'compile s':>10} {'SMPy MB':>8} {'ours MB':>8} "
              f"{'SMPy regret':>12} {'ours regret':>12}")
    print(header)
    print("-" * len(header))
    rows = []
    for name in ("UCB1", "EXP3", "Thompson"):
        pol = ours(name)
        t0 = time.perf_counter()
        simulate(env, pol, T, n_runs=1, seed=0, checkpoints=[T])  # compile or cache load
        compile_s = time.perf_counter() - t0
        dt, res, mem = _measure(lambda pol=pol: simulate(env, pol, T, n_runs=runs, seed=1,
                                                         checkpoints=[T], progress=False))
        our_s = dt / runs
        our_reg = float(res.final_regret.mean())
        smpy_regs = []
        smpy_t = []
        smpy_mem = 0.0
        for r in range(smpy_runs):
            dts, reg, m = _measure(lambda r=r, name=name: smpy_run(name, T, 100 + r))
            smpy_t.append(dts)
            smpy_regs.append(reg)
            smpy_mem = max(smpy_mem, m)
        smpy_s = float(np.mean(smpy_t))
        row = {"policy": name, "horizon": T, "smpy_s_per_run": smpy_s,
               "ours_s_per_run": our_s, "ratio": smpy_s / our_s,
               "ours_ns_per_round": our_s / T * 1e9, "compile_s": compile_s,
               "smpy_peak_mb": smpy_mem, "ours_peak_mb": mem,
               "smpy_mean_regret": float(np.mean(smpy_regs)), "ours_mean_regret": our_reg,
               "ours_runs": runs, "smpy_runs": smpy_runs, "threads": threads}
        rows.append(row)
        print(f"{name:<9} {smpy_s:>11.4f} {our_s:>11.6f} {row['ratio']:>7.0f}x "
              f"{row['ours_ns_per_round']:>14.0f} {compile_s:>10.2f} {smpy_mem:>8.1f} "
              f"{mem:>8.1f} {row['smpy_mean_regret']:>12.1f} {our_reg:>12.1f}")
    if args.json:
        label = {"UCB1": "UCB1", "EXP3": "EXP3", "Thompson": "Thompson sampling"}
        cells = [[label[r["policy"]], f"{r['smpy_s_per_run']:.3g}",
                  f"{r['ours_s_per_run']:.3g}", f"{r['ratio']:,.0f}x",
                  f"{r['ours_ns_per_round']:.0f}"] for r in rows]
        _report.emit(
            "bandits_smpy", "Bandits against SMPyBandits",
            ["policy", "SMPyBandits s/run", "equilibria s/run", "ratio (target >= 100x)",
             "equilibria ns/round"], cells,
            notes=["Same instance and stopping rule (full horizon T) on both sides; one thread "
                   "each; SMPyBandits in its own venv (benchmarks/setup_smpybandits.sh: scipy "
                   "< 1.12, pandas < 2.3).",
                   "First call of equilibria (compile, or load from the venv's own numba "
                   "cache $NUMBA_CACHE_DIR on later runs), not in the times: "
                   + ", ".join(f"{label[r['policy']]} {r['compile_s']:.2f} s" for r in rows)
                   + ".",
                   "Mean pseudo-regret (SMPyBandits / equilibria): "
                   + ", ".join(f"{label[r['policy']]} {r['smpy_mean_regret']:.0f} / "
                               f"{r['ours_mean_regret']:.0f}" for r in rows)
                   + f" ({smpy_runs} / {runs} runs).",
                   "SMPyBandits 0.9.7 prints that numba.jit is not available (it imports the "
                   "removed numba.decorators); its UCB, Exp3 and Thompson policies do not use "
                   "it."],
            meta=dict(instance={"K": K, "means": MEANS.tolist(), "horizon": T},
                      peer_versions=versions, threads=threads,
                      numba_num_threads=numba.config.NUMBA_NUM_THREADS, rows=rows),
            setup=f"Bernoulli K = {K}, means linspace(0.1, 0.9), T = {T:,}; UCB1, EXP3, "
                  f"Thompson sampling (Beta(1, 1)) with each library's default tuning; "
                  f"equilibria {runs} runs per simulate call, SMPyBandits {smpy_runs} runs",
            peers=("SMPyBandits", "scipy", "numba"), path=args.json)


if __name__ == "__main__":
    main()
