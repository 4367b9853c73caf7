"""``equilibria goodhart``: write the policy room's default figures (PNG) and their data.

Into the directory ``--out DIR`` (created if missing): one PNG per figure and
``goodhart.json``, which holds per figure what it shows (per panel: title, axis labels and
scales, and every line's label, x and y values) and a ``"meta"`` object with the package
version, the command line, the options, the axes (the figures' names), the seed and the UTC
date.
"""

from __future__ import annotations

import argparse
import os

__all__ = ["add_commands"]


def _out_dir(text):
    """An argparse type: an output directory (created when the command writes, with its
    parents); an existing file of that name is refused."""
    if os.path.exists(text) and not os.path.isdir(text):
        raise argparse.ArgumentTypeError(f"{text!r} exists and is not a directory")
    return text


def _dpi(text):
    """An argparse type: a resolution in dots per inch, 10..2000."""
    value = int(text)
    if not 10 <= value <= 2000:
        raise argparse.ArgumentTypeError(f"must be an integer in [10, 2000], got {text!r}")
    return value


_dpi.__name__ = "int"


def _cmd_goodhart(args) -> int:
    import pathlib

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from equilibria._lib.provenance import figure_data, metadata, output_dir, write_json

    from .constrained import constrained_rlhf, fixed_weight_grid, threshold_search
    from .envs import composite_bandit
    from .plots import (equivalence_figure, frontier_figure, gardo_figure, goodhart_figure,
                        multiplier_figure, occupancy_figure)

    out = pathlib.Path(output_dir(args.out, command="equilibria goodhart"))
    figs = {"goodhart_curves": lambda: goodhart_figure(),
            "reward_kl_frontier": lambda: frontier_figure(
                n_draws=2000 if args.quick else 20000, pg_max_iter=300 if args.quick else 3000,
                seed=args.seed),
            "best_of_n_equivalence": lambda: equivalence_figure(
                lengths=(8, 16, 32, 64, 128) if args.quick else (8, 16, 32, 64, 128, 256,
                                                                  512, 1024)),
            "gardo_vs_kl": lambda: gardo_figure(),
            "chi2_vs_kl_occupancy": lambda: occupancy_figure(
                n_strengths=8 if args.quick else 30)}

    def multipliers():
        env = composite_bandit()
        theta, _, _ = threshold_search(env)
        run = constrained_rlhf(env, theta, record_every=1)
        return multiplier_figure(run, fixed_true=fixed_weight_grid(env)[1])

    figs["constrained_multipliers"] = multipliers
    data = {}
    for name, make in figs.items():
        fig = make()
        path = out / f"{name}.png"
        fig.savefig(path, dpi=args.dpi)
        data[name] = figure_data(fig)
        plt.close(fig)
        print(f"wrote {path}")
    path = write_json(out / "goodhart.json", {"figures": data},
                      metadata("goodhart", args, axes={"figure": ("figure", list(data))},
                               seed=args.seed))
    print(f"wrote {path}")
    return 0


def add_commands(subparsers) -> None:
    """Add ``goodhart`` to the ``equilibria`` CLI."""
    p = subparsers.add_parser("goodhart", help="write the reward-hacking figures (PNG) and their "
                                               "data (JSON): Goodhart curves, reward-KL "
                                               "frontier, multipliers, GARDO")
    p.add_argument("--out", metavar="DIR", default="goodhart_figures", type=_out_dir,
                   help="output directory, created if missing: one PNG per figure and "
                        "goodhart.json (each figure's lines + 'meta': version, command, "
                        "options, axes, seed, date)")
    p.add_argument("--seed", type=int, default=0, help="seed of the sampled runs")
    p.add_argument("--dpi", type=_dpi, default=110, help="resolution of the PNGs")
    p.add_argument("--quick", action="store_true", help="fewer samples (for tests)")
    p.set_defaults(func=_cmd_goodhart)
