"""Common-pool imitation dynamics: ``cpr_simulate`` vs egttools' pairwise-comparison process.

The nearest peer of the agent-based CPR model (:func:`equilibria.odes.cpr.cpr_simulate`) is
egttools' ``PairwiseComparisonNumerical`` (Fernandez Domingos et al., egttools 0.1.14.2): a
finite population of ``Z`` agents, two drawn per step, the first copies the second with the
Fermi probability ``1 / (1 + exp(beta (f_first - f_second)))``.  egttools has no resource, so
the benchmark runs the CPR model in its *frozen-resource* limit: ``r = q = 1e-12`` and
``price = 1e12`` keep ``v q = 1`` while the stock moves by < 1e-8 over a run (checked and
printed), so the payoffs are those of the CPR game at the fixed stock ``R0`` (default: the
norm stock ``R* = K (1 - q e_C / r) = 0.75`` of the default model), linear in the strategy
shares: ``pi = A x`` with ``A[:, j]`` = the payoffs at the pure state ``j``.

Same instance on both sides: population size, payoff matrix, selection strength
``beta = intensity = 10``, initial counts (``cpr_simulate``'s rounding of the preset
``rich_altruistic``, ``(c, d, p) = (0.6, 0.1, 0.3)``), number of steps.  Two differences of
convention are removed exactly:

- egttools' ``Matrix2PlayerGameHolder`` excludes the focal agent (``f_i = sum_j A_ij (k_j -
  delta_ij) / (Z - 1)``) while ``cpr_simulate`` uses the shares ``k / Z``; egttools is given
  ``A'_ij = (Z - 1) / Z A_ij + A_ii / Z``, for which its fitness equals ``(A k / Z)_i``
  exactly;
- egttools draws two *distinct* agents, ``cpr_simulate`` two independent ones (a step with
  ``i = j`` changes nothing): the embedded jump chains are the same, the step counts differ by
  the factor ``(Z - 1) / Z``.

Agreement in law (``--law-z``, default ``Z = 30``, 496 states): both processes are finite
Markov chains whose transition matrices are written down here; the distribution after ``T``
steps is computed exactly (sparse matrix powers) for each, and ``--law-runs`` seeded runs of
each simulator are compared with it: the probabilities of absorption in all-C / all-D / all-P
by step ``T`` and the mean shares at ``T``, as z-scores (Monte-Carlo standard errors).  ``T``
is long enough that both chains are absorbed with probability > 0.999, so both estimate the
same absorption probabilities (identical for the two embedded chains).

Speed (``--sizes``, ``--steps``): one run of ``--steps`` steps from the same initial counts at
each ``Z``; steps/s, the first call of ``cpr_simulate`` (numba compile or cache load) apart,
threads (both serial: one thread), peak memory (``VmHWM`` reset through
``/proc/self/clear_refs`` minus the RSS before), ratio = egttools s / equilibria s.
egttools' ``run_without_mutation`` returns every state (24 bytes a step, in its peak memory);
its fitness cache is keyed by a string of the state (its design).  A run absorbed before the
last step would flatter egttools (it stops there): the benchmark checks that it was not.

Usage::

    python benchmarks/cpr.py                # Z = 1000, 10000; 2e5 steps; law at Z = 30
    python benchmarks/cpr.py --quick        # Z = 1000; 5e4 steps; fewer law runs
    python benchmarks/cpr.py --json         # also benchmarks/results/cpr.json
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _report  # noqa: E402  (records the load at start)

from equilibria.odes import cpr as C  # noqa: E402

BETA = 10.0
PRESET = "rich_altruistic"


def frozen_model(R0):
    """The default CPR model with the resource frozen at ``R0`` (``v q = 1`` kept)."""
    return C.CPRModel(r=1e-12, q=1e-12, price=1e12, intensity=BETA, rule="fermi"), float(R0)


def payoff_matrix(model, R0):
    """Payoff matrix ``A`` at stock ``R0`` (``pi(x) = A x``; column ``j``: the pure state ``j``)."""
    return np.column_stack([model.payoffs([R0, *np.eye(3)[j]]) for j in range(3)])


def egt_matrix(A, Z):
    """The matrix for which egttools' self-excluding fitness equals ``(A k / Z)_i``."""
    return (Z - 1) / Z * A + np.diag(A)[:, None] / Z


def initial_counts(model, Z):
    """``cpr_simulate``'s rounding of the preset's shares to ``Z`` agents."""
    x0 = model.state(PRESET)
    counts = np.floor(x0[1:] * Z + 1e-9).astype(np.int64)
    counts[np.argmax(x0[1:] - counts / Z)] += Z - counts.sum()
    return counts


# ---------------------------------------------------------------- exact chains (law check)
def states(Z):
    return [(c, d, Z - c - d) for c in range(Z + 1) for d in range(Z + 1 - c)]


def transition(A, Z, distinct):
    """Sparse one-step transition matrix of ``cpr_simulate`` (``distinct=False``) or egttools."""
    S = states(Z)
    index = {s: i for i, s in enumerate(S)}
    rows, cols, vals = [], [], []
    norm = Z * (Z - 1) if distinct else Z * Z
    for i, s in enumerate(S):
        k = np.array(s, float)
        f = A @ (k / Z)
        stay = 1.0
        for a in range(3):
            for b in range(3):
                if a == b or s[a] == 0 or s[b] == 0:
                    continue
                pr = s[a] * s[b] / norm / (1.0 + np.exp(-BETA * (f[b] - f[a])))
                t = list(s)
                t[a] -= 1
                t[b] += 1
                rows.append(i)
                cols.append(index[tuple(t)])
                vals.append(pr)
                stay -= pr
        rows.append(i)
        cols.append(i)
        vals.append(stay)
    n = len(S)
    return sp.csr_matrix((vals, (rows, cols)), shape=(n, n)), S, index


def exact_law(A, Z, counts, T, distinct):
    """Exact (P(absorbed in C, D, P by T), mean shares at T) of one chain."""
    P, S, index = transition(A, Z, distinct)
    v = np.zeros(len(S))
    v[index[tuple(int(c) for c in counts)]] = 1.0
    PT = P.T.tocsr()
    for _ in range(T):
        v = PT @ v
    arr = np.array(S, float)
    absorbed = np.array([v[index[tuple(Z * np.eye(3, dtype=int)[j])]] for j in range(3)])
    return absorbed, v @ arr / Z


def mc_ours(model, R0, Z, counts, T, runs, seed0):
    final = np.empty((runs, 3))
    drift = 0.0
    x0 = np.array([R0, *(counts / Z)])
    for r in range(runs):
        res = C.cpr_simulate(model, x0, (T + 0.5) / Z, n_agents=Z, seed=seed0 + r, n_record=2)
        assert res.n_iter == T, (res.n_iter, T)
        final[r] = res.X[-1, 1:]
        drift = max(drift, float(np.max(np.abs(res.X[:, 0] - R0))))
    return final, drift


def mc_egt(A, Z, counts, T, runs, seed):
    import egttools
    from egttools.games import Matrix2PlayerGameHolder
    from egttools.numerical import PairwiseComparisonNumerical

    egttools.Random.init_with_seed(seed)
    game = Matrix2PlayerGameHolder(3, egt_matrix(A, Z))  # egttools keeps a reference: keep it alive
    pc = PairwiseComparisonNumerical(Z, game, 100_000)
    final = np.empty((runs, 3))
    for r in range(runs):
        final[r] = pc.run_without_mutation(T, BETA, counts.astype(np.int64))[-1] / Z
    return final


def law_check(model, R0, Z, T, runs):
    A = payoff_matrix(model, R0)
    counts = initial_counts(model, Z)
    rows = []
    t0 = time.perf_counter()
    ours, drift = mc_ours(model, R0, Z, counts, T, runs, 1000)
    egt = mc_egt(A, Z, counts, T, runs, 2024)
    for name, fin, distinct in (("equilibria", ours, False), ("egttools", egt, True)):
        ab, mean = exact_law(A, Z, counts, T, distinct)
        mc_ab = np.array([(fin[:, j] == 1.0).mean() for j in range(3)])
        se_ab = np.sqrt(np.maximum(ab * (1 - ab), 1e-12) / runs)
        mc_mean = fin.mean(0)
        se_mean = fin.std(0, ddof=1) / np.sqrt(runs)
        rows.append(dict(simulator=name, exact_absorbed=ab, mc_absorbed=mc_ab,
                         z_absorbed=(mc_ab - ab) / se_ab, exact_mean=mean, mc_mean=mc_mean,
                         z_mean=(mc_mean - mean) / np.maximum(se_mean, 1e-12)))
    diff = ours.mean(0) - egt.mean(0)
    se = np.sqrt(ours.var(0, ddof=1) / runs + egt.var(0, ddof=1) / runs)
    return dict(Z=Z, T=T, runs=runs, counts=counts.tolist(), A=A, rows=rows,
                z_between=diff / np.maximum(se, 1e-12), resource_drift=drift,
                seconds=time.perf_counter() - t0)


# ---------------------------------------------------------------- speed
def _rss_mb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _measure(fn):
    base = _rss_mb("VmRSS")
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass
    t = time.perf_counter()
    out = fn()
    dt = time.perf_counter() - t
    return dt, out, max(_rss_mb("VmHWM") - base, 0.0)


def speed(model, R0, Z, steps, reps):
    import egttools
    from egttools.games import Matrix2PlayerGameHolder
    from egttools.numerical import PairwiseComparisonNumerical

    A = payoff_matrix(model, R0)
    counts = initial_counts(model, Z)
    x0 = np.array([R0, *(counts / Z)])
    t_end = (steps + 0.5) / Z
    ours = [_measure(lambda r=r: C.cpr_simulate(model, x0, t_end, n_agents=Z, seed=r,
                                                 n_record=101)) for r in range(reps)]
    egttools.Random.init_with_seed(7)
    game = Matrix2PlayerGameHolder(3, egt_matrix(A, Z))  # egttools keeps a reference: keep it alive
    pc = PairwiseComparisonNumerical(Z, game, 100_000)
    egt = [_measure(lambda: pc.run_without_mutation(steps, BETA, counts.astype(np.int64)))
           for _ in range(max(1, reps // 2))]
    t_ours = min(o[0] for o in ours)
    t_egt = min(e[0] for e in egt)
    # egttools stops at absorption (flattering its time); cpr_simulate always runs every step
    absorbed = any(int(e[1][-1].max()) == Z for e in egt)
    return dict(Z=Z, steps=steps, ours_s=t_ours, egt_s=t_egt, ratio=t_egt / t_ours,
                ours_steps_per_s=steps / t_ours, egt_steps_per_s=steps / t_egt,
                ours_mb=max(o[2] for o in ours), egt_mb=max(e[2] for e in egt),
                absorbed=absorbed, ours_final=ours[0][1].X[-1, 1:],
                egt_final=egt[0][1][-1] / Z)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--sizes", type=int, nargs="+", default=None)
    ap.add_argument("--steps", type=int, default=None)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--R0", type=float, default=0.75, help="frozen stock (default R* = 0.75)")
    ap.add_argument("--law-z", type=int, default=30)
    ap.add_argument("--law-steps", type=int, default=None)
    ap.add_argument("--law-runs", type=int, default=None)
    _report.add_json_argument(ap, "cpr")
    args = ap.parse_args(argv)
    sizes = args.sizes or ([1000] if args.quick else [1000, 10000])
    steps = args.steps or (50_000 if args.quick else 200_000)
    law_runs = args.law_runs or (300 if args.quick else 1000)
    model, R0 = frozen_model(args.R0)

    import importlib.metadata as md

    import numba

    t0 = time.perf_counter()
    C.cpr_simulate(model, np.array([R0, 0.6, 0.1, 0.3]), 0.1, n_agents=10)
    first_call = time.perf_counter() - t0
    A = payoff_matrix(model, R0)
    print(f"CPR game at frozen stock R0 = {R0} (default CPRModel, v q = 1), beta = {BETA}, "
          f"start {PRESET}; payoff matrix A (rows C, D, P; pi = A x):\n{np.round(A, 4)}")
    print(f"threads: 1 each (cpr_simulate is one serial kernel, NUMBA_NUM_THREADS="
          f"{numba.config.NUMBA_NUM_THREADS}; egttools run_without_mutation is serial); "
          f"{os.cpu_count()} cores; egttools {md.version('egttools')}, numba {numba.__version__}")
    print(f"cpr_simulate first call (compile or cache load): {first_call:.2f} s")

    # law -------------------------------------------------------------------------------
    Zl = args.law_z
    horizons = [args.law_steps] if args.law_steps else [Zl * Zl, 40 * Zl * Zl]
    laws = []
    zmax = zb = 0.0
    for T in horizons:
        law = law_check(model, R0, Zl, T, law_runs)
        laws.append(law)
        left = max(1.0 - float(r["exact_absorbed"].sum()) for r in law["rows"])
        print(f"\nagreement in law at Z = {Zl}, T = {T} steps, {law_runs} runs each, start "
              f"{law['counts']} (exact chains by sparse matrix powers; {law['seconds']:.1f} s; "
              f"resource drift {law['resource_drift']:.1e}; exact mass not yet absorbed "
              f"{left:.2g})")
        print(f"{'simulator':<11} {'P(all C,D,P by T) exact':>28} {'Monte Carlo':>22} "
              f"{'z':>18} {'mean (c,d,p) exact':>24} {'Monte Carlo':>22} {'z':>18}")
        for r in law["rows"]:
            print(f"{r['simulator']:<11} "
                  f"{np.array2string(r['exact_absorbed'], precision=3):>28} "
                  f"{np.array2string(r['mc_absorbed'], precision=3):>22} "
                  f"{np.array2string(r['z_absorbed'], precision=1):>18} "
                  f"{np.array2string(r['exact_mean'], precision=3):>24} "
                  f"{np.array2string(r['mc_mean'], precision=3):>22} "
                  f"{np.array2string(r['z_mean'], precision=1):>18}")
        z1 = max(float(np.max(np.abs(np.r_[r["z_absorbed"], r["z_mean"]])))
                 for r in law["rows"])
        z2 = float(np.max(np.abs(law["z_between"])))
        print(f"max |z| against the exact laws {z1:.1f}; between the two simulators (mean "
              f"shares; their laws differ by the (Z-1)/Z step rate before absorption) {z2:.1f}")
        zmax, zb = max(zmax, z1), max(zb, z2)
    print(f"law: {'agree' if zmax < 4 else 'DISAGREE'} (max |z| {zmax:.1f} < 4)")
    T = horizons[-1]

    # speed -----------------------------------------------------------------------------
    print(f"\n{'Z':>6} {'steps':>8} {'egttools s':>11} {'ours s':>9} {'ratio':>7} "
          f"{'egt steps/s':>12} {'ours steps/s':>13} {'egt MB':>7} {'ours MB':>8} absorbed")
    rows = []
    for Z in sizes:
        s = speed(model, R0, Z, steps, args.reps)
        rows.append(s)
        print(f"{Z:>6} {steps:>8} {s['egt_s']:>11.3f} {s['ours_s']:>9.4f} {s['ratio']:>6.0f}x "
              f"{s['egt_steps_per_s']:>12.3g} {s['ours_steps_per_s']:>13.3g} "
              f"{s['egt_mb']:>7.1f} {s['ours_mb']:>8.1f} {s['absorbed']}")

    if args.json:
        cells = [[f"{r['Z']:,}", f"{r['steps']:,}", f"{r['egt_s']:.3g}", f"{r['ours_s']:.3g}",
                  f"{r['ratio']:,.0f}x", f"{r['egt_steps_per_s']:.3g}",
                  f"{r['ours_steps_per_s']:.3g}"] for r in rows]
        mem = "; ".join(f"Z = {r['Z']:,}: egttools {r['egt_mb']:.1f} MB, equilibria "
                        f"{r['ours_mb']:.1f} MB" for r in rows)
        _report.emit(
            "cpr", "Common-pool imitation dynamics",
            ["Z", "steps", "egttools s", "equilibria s", "ratio", "egttools steps/s",
             "equilibria steps/s"], cells,
            notes=[f"Agreement in law at Z = {Zl}, T = {', '.join(map(str, horizons))} steps: "
                   f"{law_runs} runs of each against the exact chains (absorption "
                   f"probabilities and mean shares), max |z| {zmax:.1f}.",
                   f"One thread each; cpr_simulate first call (compile or cache load) "
                   f"{first_call:.2f} s, not in the times.",
                   "egttools has no resource: the CPR game at a frozen stock (r = q = 1e-12, "
                   "price = 1e12), egttools given the self-exclusion-corrected matrix.",
                   f"Peak memory above the RSS before the run: {mem} (egttools returns every "
                   f"state, 24 bytes a step)."],
            meta=dict(R0=R0, beta=BETA, preset=PRESET, A=A, first_call_s=first_call, z_max=zmax,
                      z_between_max=zb,
                      laws=laws, rows=rows),
            setup=f"CPR game (default CPRModel) at frozen stock R0 = {R0}, Fermi beta = {BETA}, "
                  f"start {PRESET}, same steps; egttools PairwiseComparisonNumerical."
                  f"run_without_mutation",
            peers=("egttools",), path=args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
