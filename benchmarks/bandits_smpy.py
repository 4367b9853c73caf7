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
  on-disk cache load) is reported apart from the steady state.
- Peak memory: the peak RSS (``VmHWM``, reset through ``/proc/self/clear_refs`` before each
  measurement; Linux) minus the RSS before it.  Ratio = SMPyBandits s/run / equilibria s/run.

Usage: ``.venv-smpy/bin/python benchmarks/bandits_smpy.py [--quick] [--json F]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import time
import warnings

import numpy as np

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
    ap.add_argument("--json", default=None, help="write the rows and metadata to this file")
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
            dts, reg, m = _measure(lambda r=r: smpy_run(name, T, 100 + r))
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
        with open(args.json, "w") as fh:
            json.dump({"instance": {"K": K, "means": MEANS.tolist(), "horizon": T},
                       "versions": versions, "threads": threads,
                       "numba_num_threads": numba.config.NUMBA_NUM_THREADS,
                       "cores": os.cpu_count(), "rows": rows}, fh, indent=1)
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
