"""``equilibria bandits``: simulate policies on Bernoulli arms, print a summary table, and write
into the directory ``--out DIR`` (created if missing; default the current directory):

- ``bandits_regret.png``: mean cumulative regret with its 95% band, one curve per policy;
- ``bandits_pulls.png``: the mean share of pulls per arm;
- ``bandits.npz``: the arrays behind both (``regret[policy, run, t]`` at the checkpoint rounds
  ``t``, ``regret_lo/regret_hi[policy, t]``, ``pulls[policy, run, arm]``, the final summary per
  policy) and ``meta``, a JSON string with the package version, the command line, the options,
  the axes (``policy``, ``run``, ``t``, ``arm``), the seed and the UTC date.
"""

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


def _out_dir(text):
    """An argparse type: an output directory (created when the command writes); an existing
    file of that name is refused."""
    if os.path.exists(text) and not os.path.isdir(text):
        raise argparse.ArgumentTypeError(f"{text!r} exists and is not a directory")
    return text


def _png(text):
    """An argparse type: an output file whose directory exists."""
    folder = os.path.dirname(os.path.abspath(text))
    if not os.path.isdir(folder):
        raise argparse.ArgumentTypeError(f"directory {folder!r} does not exist")
    return text


def _cmd_bandits(args) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    import equilibria.bandits as B
    from equilibria._lib.provenance import metadata, output_dir, write_npz

    folder = output_dir(args.out, command="equilibria bandits")  # before the work starts
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
    fig = B.plot_regret(results, logx=bool(np.asarray(results[0].t).size < args.horizon))
    regret_png = folder / "bandits_regret.png"
    fig.savefig(regret_png, dpi=120)
    plt.close(fig)
    fig = B.plot_pulls(results)
    pulls_png = folder / "bandits_pulls.png"
    fig.savefig(pulls_png, dpi=120)
    if args.pulls:  # the old option: a copy of the pull plot where it asks
        fig.savefig(args.pulls, dpi=120)
        print(f"wrote {args.pulls}")
    plt.close(fig)
    t = np.asarray(results[0].t)
    bands = [res.band(0.95) for res in results]
    summaries = [res.summary() for res in results]
    arrays = dict(means=np.asarray(means), policies=np.array(names), t=t,
                  regret=np.stack([res.regret for res in results]),
                  regret_lo=np.stack([b[0] for b in bands]),
                  regret_hi=np.stack([b[1] for b in bands]),
                  pulls=np.stack([res.pulls for res in results]),
                  mean_regret=np.array([s["mean_regret"] for s in summaries]),
                  regret_ci=np.array([s["regret_ci"] for s in summaries]),
                  error_rate=np.array([s["error_rate"] for s in summaries]),
                  run_seeds=np.stack([np.asarray(res.seeds) for res in results]))
    axes = {"policy": ("policy", names), "run": ("run", list(range(args.runs))),
            "t": ("round t (checkpoints)", t), "arm": ("arm mean", means)}
    npz = write_npz(folder / "bandits.npz", arrays,
                    metadata("bandits", args, axes=axes, seed=args.seed))
    print(f"wrote {regret_png}, {pulls_png} and {npz}")
    return 0


def add_commands(subparsers) -> None:
    p = subparsers.add_parser("bandits", help="simulate bandit policies on Bernoulli arms; write "
                                              "the regret and pull plots and their data")
    p.add_argument("--means", type=_means, default="0.1,0.3,0.5,0.7,0.9",
                   help="comma-separated Bernoulli means (default 0.1,...,0.9)")
    p.add_argument("--policies", type=_policies,
                   default="UCB1,KLUCB,ThompsonSampling,EXP3,TsallisINF",
                   help="comma-separated policy names: " + ", ".join(POLICY_NAMES))
    p.add_argument("--horizon", type=_positive_int, default=10_000, help="rounds per run")
    p.add_argument("--runs", type=_positive_int, default=100, help="independent runs")
    p.add_argument("--seed", type=int, default=0, help="master seed")
    p.add_argument("--out", metavar="DIR", type=_out_dir, default=".",
                   help="output directory, created if missing: bandits_regret.png, "
                        "bandits_pulls.png and bandits.npz (arrays + 'meta': version, command, "
                        "options, axes, seed, date)")
    p.add_argument("--pulls", metavar="PNG", type=_png,
                   help="also save the pull-distribution plot to this file (it is always "
                        "written to --out as bandits_pulls.png)")
    p.set_defaults(func=_cmd_bandits)
