"""Command-line interface: ``equilibria verify`` and the rooms' diagram commands.

``equilibria verify [--quick|--full] [--only PATTERN] [--json FILE] [--seed S] [--jobs N]``
prints one row per registered theorem and exits 1 when any fails.

Rooms add sub-commands (``basin``, ``phase``, ``regimes``, ``shock``, ``goodhart``, ...) from a
module named ``cli`` that defines ``add_commands(subparsers)``; each command sets
``func(args) -> int`` as its handler.  Which rooms have one is read from the one table of rooms,
:data:`equilibria._lib.rooms.ROOMS`, which the theorem registry reads too.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from equilibria import __version__
from equilibria._lib.rooms import cli_modules



def _cmd_verify(args) -> int:
    from equilibria.verification import names, verify

    if args.list:
        for n in names():
            print(n)
        return 0
    executor = None
    if args.jobs == 0:
        args.jobs = min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                        else (os.cpu_count() or 1), 8)
    if args.jobs > 1:
        import concurrent.futures as cf

        executor = cf.ProcessPoolExecutor(max_workers=args.jobs)
    try:
        report = verify(args.only or None, quick=not args.full, seed=args.seed, executor=executor,
                        progress=not args.no_progress and sys.stderr.isatty())
    finally:
        if executor is not None:
            executor.shutdown()
    print(f"equilibria {__version__} verify ({'full' if args.full else 'quick'}, "
          f"seed={args.seed})")
    print(report.table())
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            fh.write(report.to_json())
        print(f"wrote {args.json}")
    return 0 if report.passed else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="equilibria", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"equilibria {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("verify", help="check the registered theorems numerically")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", default=True,
                      help="small instance counts, under a minute on 2 cores (default)")
    mode.add_argument("--full", action="store_true", help="the full instance counts")
    p.add_argument("--only", action="append", metavar="PATTERN",
                   help="run theorems whose name matches (glob, or substring); repeatable")
    p.add_argument("--json", metavar="FILE", help="also write the report as JSON")
    p.add_argument("--seed", type=int, default=0, help="master seed (default 0)")
    p.add_argument("--jobs", type=int, default=0,
                   help="worker processes; rooms run concurrently (default 0: one per core, "
                        "at most 8; 1 runs serially in this process)")
    p.add_argument("--list", action="store_true", help="list registered theorems and exit")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_verify)

    for modname in cli_modules():
        # a room CLI that fails to import is an error with its traceback, not a missing command
        importlib.import_module(modname).add_commands(sub)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
