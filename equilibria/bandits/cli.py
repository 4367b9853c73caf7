"""``equilibria bandits``: simulate policies on Bernoulli arms, print a summary table and save
regret / pull-distribution plots."""

from __future__ import annotations

import argparse
import math
import os

POLICY_NAMES = ("UCB1", "UCBV", "KLUCB", "MOSS", "ThompsonSampling", "EXP3", "EXP3IX",
                "TsallisINF", "LogBarrierFTRL", "UCBE", "SuccessiveRejects", "SequentialHalving",
                "DPSequentialHalving", "RoundRobin")


def _positive_int(text):
    """An argparse type: an integer >= 1 (a bad value is a one-line usage error)."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {text!r}")
    return value


_positive_int.__name__ = "int"


def _means(text):
    """An argparse type: comma-separated Bernoulli means, each a number in [0, 1]."""
    out = []
    for item in text.split(","):
        try:
            mu = float(item)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{item.strip()!r} is not a number "
                                             f"(in {text!r})") from None
        if not (math.isfinite(mu) and 0.0 <= mu <= 1.0):
            raise argparse.ArgumentTypeError(f"each mean must be in [0, 1], got {item.strip()!r}")
        out.append(mu)
    if len(out) < 2:
        raise argparse.ArgumentTypeError(f"need at least two arms, got {text!r}")
    return out


def _policies(text):
    """An argparse type: comma-separated policy names from :data:`POLICY_NAMES`."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    bad = [n for n in names if n not in POLICY_NAMES]
    if bad or not names:
        what = ", ".join(map(repr, bad)) if bad else repr(text)
        raise argparse.ArgumentTypeError(f"unknown policy {what}; valid: "
                                         f"{', '.join(POLICY_NAMES)}")
    return names


def _png(text):
    """An argparse type: an output file whose directory exists."""
    folder = os.path.dirname(os.path.abspath(text))
    if not os.path.isdir(folder):
        raise argparse.ArgumentTypeError(f"directory {folder!r} does not exist")
    return text


def _cmd_bandits(args) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import numpy as np

    import equilibria.bandits as B

    means = args.means
    env = B.BernoulliArms(np.asarray(means))
    results = []
    names = args.policies
    for name in names:
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
    p.add_argument("--means", type=_means, default="0.1,0.3,0.5,0.7,0.9",
                   help="comma-separated Bernoulli means (default 0.1,...,0.9)")
    p.add_argument("--policies", type=_policies,
                   default="UCB1,KLUCB,ThompsonSampling,EXP3,TsallisINF",
                   help="comma-separated policy names: " + ", ".join(POLICY_NAMES))
    p.add_argument("--horizon", type=_positive_int, default=10_000, help="rounds per run")
    p.add_argument("--runs", type=_positive_int, default=100, help="independent runs")
    p.add_argument("--seed", type=int, default=0, help="master seed")
    p.add_argument("--out", metavar="PNG", type=_png, help="save the regret plot")
    p.add_argument("--pulls", metavar="PNG", type=_png, help="save the pull-distribution plot")
    p.set_defaults(func=_cmd_bandits)
