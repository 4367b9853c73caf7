"""Bandit simulation speed: equilibria.bandits vs MABWiser, side by side in one process.

Instance (issue #4): Bernoulli arms, K = 10, means linspace(0.1, 0.9), horizon T = 10^5.

- MABWiser does one ``predict`` / ``partial_fit`` call per round, so a full T = 10^5 run takes
  tens of seconds; we time it on ``--mab-rounds`` rounds (default 3000, after the same
  initial fit) and extrapolate its per-step cost linearly to T (stated in the table).
  MABWiser has no Exp3; its exponential-weights policy ``Softmax`` (Boltzmann exploration,
  tau = 1) stands in for it.
- equilibria runs ``--runs`` full-horizon runs per call; per-run time = wall / runs.  The first
  call (numba compilation or on-disk cache load) is reported apart from the steady state.
- Throughput target: 1,000 runs of UCB1 at T = 10^5 on 2 cores (ThreadPoolExecutor; the
  kernels release the GIL) in under 30 s.

Usage: ``python benchmarks/bandits.py [--quick]``.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _report  # noqa: E402  (records the load at start)

from equilibria.bandits import EXP3, UCB1, BernoulliArms, ThompsonSampling, simulate


def _mabwiser_per_step(policy_name, means, rounds, seed=0):
    from mabwiser.mab import MAB, LearningPolicy

    lp = {"UCB1": LearningPolicy.UCB1(alpha=1.0),
          "Thompson": LearningPolicy.ThompsonSampling(),
          "EXP3": LearningPolicy.Softmax(tau=1.0)}[policy_name]
    K = len(means)
    arms = list(range(K))
    rng = np.random.default_rng(seed)
    mab = MAB(arms=arms, learning_policy=lp, seed=seed)
    # one pull per arm to initialise (same as UCB1's first K rounds)
    mab.fit(decisions=arms, rewards=[float(rng.random() < m) for m in means])
    t0 = time.perf_counter()
    for _ in range(rounds):
        a = mab.predict()
        r = float(rng.random() < means[a])
        mab.partial_fit(decisions=[a], rewards=[r])
    return (time.perf_counter() - t0) / rounds


def _ours_per_run(policy, env, T, runs, seed=0):
    t0 = time.perf_counter()
    simulate(env, policy, T, n_runs=1, seed=seed, checkpoints=[T])  # first call: compile or cache load
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    res = simulate(env, policy, T, n_runs=runs, seed=seed + 1, checkpoints=[T])
    per_run = (time.perf_counter() - t0) / runs
    return first, per_run, float(res.final_regret.mean())


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller run (fewer runs/rounds)")
    ap.add_argument("--mab-rounds", type=int, default=None)
    ap.add_argument("--runs", type=int, default=None)
    _report.add_json_argument(ap, "bandits")
    args = ap.parse_args(argv)
    T = 100_000
    K = 10
    means = np.linspace(0.1, 0.9, K)
    env = BernoulliArms(means)
    mab_rounds = args.mab_rounds or (1000 if args.quick else 3000)
    runs = args.runs or (4 if args.quick else 20)

    print(f"Bernoulli K={K}, means linspace(0.1, 0.9), T={T}")
    print(f"MABWiser timed on {mab_rounds} rounds, per-step cost extrapolated x{T}; "
          f"equilibria: {runs} full runs per call\n")
    header = (f"{'policy':<10} {'MABWiser s/run (extrap.)':>25} {'equilibria s/run':>17} "
              f"{'ratio':>9} {'first call s':>13} {'mean regret':>12}")
    print(header)
    print("-" * len(header))
    rows = []
    for name, pol in (("UCB1", UCB1()), ("Thompson", ThompsonSampling()), ("EXP3", EXP3())):
        try:
            mab_step = _mabwiser_per_step(name, means, mab_rounds)
            mab_run = mab_step * T
        except ImportError:
            mab_run = float("nan")
        first, ours, reg = _ours_per_run(pol, env, T, runs)
        ratio = mab_run / ours
        rows.append((name, mab_run, ours, ratio, first, reg))
        peer = f"{mab_run:.2f}" + (" (Softmax)" if name == "EXP3" else "")
        print(f"{name:<10} {peer:>25} {ours:>17.4f} {ratio:>8.0f}x {first:>13.2f} {reg:>12.1f}")

    # throughput: 1000 runs of UCB1 at T = 1e5 on 2 cores
    n_tp = 200 if args.quick else 1000
    with cf.ThreadPoolExecutor(max_workers=2) as ex:
        t0 = time.perf_counter()
        res = simulate(env, UCB1(), T, n_runs=n_tp, seed=123, executor=ex, n_chunks=8)
        wall = time.perf_counter() - t0
    est = wall * 1000 / n_tp
    print(f"\nUCB1 throughput: {n_tp} runs x T={T} on 2 threads in {wall:.2f} s "
          f"({'' if n_tp == 1000 else 'extrapolated to 1000 runs: '}{est:.2f} s; target < 30 s; "
          f"{'OK' if est < 30 else 'MISSED'}); mean regret {res.final_regret.mean():.1f}, "
          f"regret grid {res.t.size} checkpoints")
    ok = all(r[3] >= 100 for r in rows if np.isfinite(r[3]))
    print(f"speed-up target >= 100x: {'met' if ok else 'NOT met'}")
    if args.json:
        label = {"UCB1": "UCB1", "Thompson": "Thompson sampling", "EXP3": "EXP3"}
        cells = [[label[n], f"{m:.1f}", f"{o:.3g}", f"{r:,.0f}x"] for n, m, o, r, *_ in rows]
        tp = (f"{n_tp:,} runs of UCB1 at T = 10^5: {wall:.1f} s on 2 threads" if n_tp == 1000
              else f"{n_tp} runs of UCB1 at T = 10^5: {wall:.2f} s on 2 threads "
                   f"(extrapolated to 1,000 runs: {est:.1f} s)")
        _report.emit(
            "bandits", "Bandits", ["policy", "MABWiser s/run", "equilibria s/run",
                                   "ratio (target >= 100x)"], cells,
            notes=[tp + " (target < 30 s).",
                   "First call (compile or cache load): "
                   + ", ".join(f"{label[n]} {f:.2f} s" for n, _, _, _, f, _ in rows) + "."],
            meta=dict(T=T, K=K, means=means.tolist(), mab_rounds=mab_rounds, runs=runs,
                      rows=[dict(policy=n, mabwiser_s_per_run=m, ours_s_per_run=o, ratio=r,
                                 first_call_s=f, mean_regret=g) for n, m, o, r, f, g in rows],
                      throughput=dict(runs=n_tp, wall_s=wall, per_1000_s=est)),
            setup=f"Bernoulli K = {K}, means linspace(0.1, 0.9), T = 10^5; MABWiser timed on "
                  f"{mab_rounds:,} rounds and extrapolated per step; it has no EXP3, its "
                  f"Softmax stands in; equilibria {runs} full runs per call",
            peers=("mabwiser",), path=args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
