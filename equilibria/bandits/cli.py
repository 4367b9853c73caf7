"""``equilibria bandits``: simulate policies on Bernoulli arms, print a summary table and save
regret / pull-distribution plots."""

from __future__ import annotations

POLICY_NAMES = ("UCB1", "UCBV", "KLUCB", "MOSS", "ThompsonSampling", "EXP3", "EXP3IX",
                "TsallisINF", "LogBarrierFTRL", "UCBE", "SuccessiveRejects", "SequentialHalving",
                "DPSequentialHalving", "RoundRobin")


def _cmd_bandits(args) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import numpy as np

    import equilibria.bandits as B

    means = [float(x) for x in args.means.split(",")]
    env = B.BernoulliArms(np.asarray(means))
    results = []
    names = [n.strip() for n in args.policies.split(",") if n.strip()]
    for name in names:
        if name not in POLICY_NAMES:
            raise SystemExit(f"unknown policy {name!r}; valid: {', '.join(POLICY_NAMES)}")
        res = B.simulate(env, getattr(B, name)(), args.horizon, n_runs=args.runs,
                         seed=args.seed)
        results.append(res)
    print(f"{'policy':<22} {'mean regret':>12} {'95% CI':>22} {'error rate':>11}")
    for name, res in zip(names, results, strict=True):
        s = res.summary()
        lo, hi = s["regret_ci"]
        print(f"{name:<22} {s['mean_regret']:>12.2f} {f'[{lo:.2f}, {hi:.2f}]':>22} "
              f"{s['error_rate']:>11.3f}")
    if args.out:
        B.plot_regret(results, logx=bool(np.asarray(results[0].t).size < args.horizon)) \
            .savefig(args.out, dpi=120)
        print(f"wrote {args.out}")
    if args.pulls:
        B.plot_pulls(results).savefig(args.pulls, dpi=120)
        print(f"wrote {args.pulls}")
    return 0


def add_commands(subparsers) -> None:
    p = subparsers.add_parser("bandits", help="simulate bandit policies on Bernoulli arms")
    p.add_argument("--means", default="0.1,0.3,0.5,0.7,0.9",
                   help="comma-separated Bernoulli means (default 0.1,...,0.9)")
    p.add_argument("--policies", default="UCB1,KLUCB,ThompsonSampling,EXP3,TsallisINF",
                   help="comma-separated policy names: " + ", ".join(POLICY_NAMES))
    p.add_argument("--horizon", type=int, default=10_000)
    p.add_argument("--runs", type=int, default=100)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", metavar="PNG", help="save the regret plot")
    p.add_argument("--pulls", metavar="PNG", help="save the pull-distribution plot")
    p.set_defaults(func=_cmd_bandits)
