"""Policy room: closed forms and exact solvers against generic solvers, side by side.

Three problems, same inputs and tolerance for both sides, per-call wall time (median of
repeats) and the ratio peer / equilibria:

1. KL-constrained optimum (K actions, budget Delta): ``kl_constrained_policy`` (1-D Brent root
   find on beta) vs cvxpy (exponential cone, default solver).  Accuracy: |reward difference|.
2. Constrained RLHF at convergence (default composite environment, Nelder-Mead thresholds):
   ``constrained_optimum`` (projected Newton on the dual) and ``constrained_rlhf`` (primal-dual,
   KKT to 1e-6) vs cvxpy (KL objective with linear constraints).
3. Best-of-N distribution (K outcomes, N draws): exact ``best_of_n`` vs Monte Carlo
   ``best_of_n_sampling`` with 10^5 draws (whose error is reported; the exact side has none).
4. chi^2-occupancy-penalized optimum of a random tabular MDP (S states, 4 actions, square
   form): ``chi2_occupancy_policy(method="ascent", update="mirror")`` (policy mirror ascent,
   Frank-Wolfe gap <= 1e-7) vs the cvxpy program (``method="cvxpy"``, default conic solver).

No compiled kernels here (numpy only), so there is no compile time to report apart; the first
call of each side (imports, cvxpy problem canonicalization) is reported separately.

Usage: ``python benchmarks/policy.py [--quick]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _report  # noqa: E402  (records the load at start)


def _time(fn, repeats):
    t0 = time.perf_counter()
    out = fn()
    first = time.perf_counter() - t0
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return out, first, float(np.median(ts))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    _report.add_json_argument(ap, "policy")
    args = ap.parse_args(argv)
    import warnings

    import cvxpy as cp

    from equilibria.solvers.policy import (best_of_n_sampling, chi2_occupancy_policy,
                                           composite_bandit, constrained_optimum,
                                           constrained_rlhf, random_mdp, threshold_search)
    from equilibria.theory import best_of_n, kl_constrained_policy

    warnings.simplefilter("ignore")
    reps = 3 if args.quick else 10
    rows = []
    rng = np.random.default_rng(0)
    delta = 0.5
    for k in ((50, 500) if args.quick else (50, 500, 5000)):
        p = rng.dirichlet(np.ones(k))
        r = rng.normal(size=k)

        def ours(p=p, r=r):
            return kl_constrained_policy(p, r, delta).expected_reward

        def peer(p=p, r=r, k=k):
            x = cp.Variable(k, nonneg=True)
            prob = cp.Problem(cp.Maximize(r @ x),
                              [cp.sum(x) == 1, cp.sum(cp.rel_entr(x, p)) <= delta])
            prob.solve()
            return prob.value

        a, fa, ta = _time(ours, reps)
        b, fb, tb = _time(peer, max(1, reps // 3))
        rows.append((f"KL-constrained optimum K={k}", ta, fa, tb, fb, abs(a - b)))

    env = composite_bandit()
    theta, _, _ = threshold_search(env)

    def ours_dual():
        return constrained_optimum(env, theta)[0]

    def ours_pd():
        return constrained_rlhf(env, theta).policy

    def peer_c():
        x = cp.Variable(env.pi_ref.size, nonneg=True)
        obj = cp.sum(env.components.T @ x) - 0.1 * cp.sum(cp.rel_entr(x, env.pi_ref))
        cp.Problem(cp.Maximize(obj), [cp.sum(x) == 1, env.components.T @ x <= theta]).solve()
        return np.clip(x.value, 0, None)

    pc, fc, tc = _time(peer_c, reps)
    pd, fd, td = _time(ours_dual, reps)
    pp, fp, tp = _time(ours_pd, reps)
    rows.append(("constrained optimum (dual Newton)", td, fd, tc, fc, np.abs(pd - pc).sum()))
    rows.append(("constrained RLHF (primal-dual)", tp, fp, tc, fc, np.abs(pp - pc).sum()))

    for k, n in ((20, 16), (200, 64)):
        p = rng.dirichlet(np.ones(k))
        r = rng.integers(0, k // 2, size=k).astype(float)
        ex, fe, te = _time(lambda p=p, r=r, n=n: best_of_n(p, r, n).policy, reps)
        mc, fm, tm = _time(lambda p=p, r=r, n=n: best_of_n_sampling(p, r, n, n_draws=100_000,
                                                                     seed=1), max(1, reps // 3))
        rows.append((f"best-of-N K={k} N={n} (MC 1e5)", te, fe, tm, fm, np.abs(ex - mc).sum()))

    for S in ((10,) if args.quick else (10, 40)):
        mdp = random_mdp(S, 4, gamma=0.8, seed=S)
        ref = rng.dirichlet(np.full(4, 2.0), size=S)
        rr = rng.normal(size=(S, 4))

        def ours_occ(mdp=mdp, ref=ref, rr=rr):
            return chi2_occupancy_policy(mdp, rr, ref, 0.5, form="square", method="ascent",
                                         update="mirror", max_iter=20_000)

        def peer_occ(mdp=mdp, ref=ref, rr=rr):
            return chi2_occupancy_policy(mdp, rr, ref, 0.5, form="square")

        a, fa, ta = _time(ours_occ, reps)
        b, fb, tb = _time(peer_occ, max(1, reps // 3))
        rows.append((f"chi2-occupancy optimum S={S} A=4", ta, fa, tb, fb,
                     np.abs(a.occupancy - b.occupancy).sum()))

    print(f"{'problem':38s} {'ours [ms]':>10s} {'ours 1st':>9s} {'peer [ms]':>10s} "
          f"{'peer 1st':>9s} {'peer/ours':>10s} {'|diff|':>9s}")
    for name, ta, fa, tb, fb, err in rows:
        print(f"{name:38s} {1e3 * ta:10.3f} {1e3 * fa:9.2f} {1e3 * tb:10.3f} {1e3 * fb:9.2f} "
              f"{tb / ta:10.1f} {err:9.2e}")
    print("peer = cvxpy (default conic solver) for the KL, constrained and chi2-occupancy rows; "
          "Monte Carlo best_of_n_sampling for best-of-N; |diff| = reward gap (KL rows), L1 "
          "policy / occupancy gap (others)")
    if args.json:
        _report.emit(
            "policy", "Policy",
            ["problem", "ours ms", "peer ms", "peer", "peer / ours", "|diff|"],
            [[name, _report.fmt(1e3 * ta), _report.fmt(1e3 * tb),
              "Monte Carlo, 10^5 draws" if name.startswith("best-of-N") else "cvxpy",
              _report.fmt(tb / ta, 2) + "x", f"{err:.1e}"] for name, ta, fa, tb, fb, err in rows],
            notes=["|diff| = reward gap (KL rows), L1 policy / occupancy gap (others); "
                   f"median of {reps} repeats (peer: {max(1, reps // 3)}); no compiled kernels "
                   "(numpy only); first calls (imports, cvxpy canonicalization) are kept apart "
                   "(in the JSON's meta)."],
            meta=dict(quick=args.quick, repeats=reps,
                      rows=[dict(problem=n_, ours_s=ta, ours_first_s=fa, peer_s=tb,
                                 peer_first_s=fb, diff=err)
                            for n_, ta, fa, tb, fb, err in rows]),
            setup="closed forms and exact solvers against a generic solver on the same inputs "
                  "and tolerance; per-call wall time, median of repeats",
            peers=("cvxpy",), path=args.json)


if __name__ == "__main__":
    main()
