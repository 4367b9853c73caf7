"""Command-line interface: ``equilibria verify`` and the rooms' diagram commands.

``equilibria verify [--quick|--full] [--only PATTERN] [--json FILE] [--seed S] [--jobs N]``
prints one row per registered theorem and exits 1 when any fails; ``--markdown FILE`` and
``--html FILE`` write a readable report (rate theorems with their fitted log-log plot),
``--out DIR`` writes all three as ``verify.json``, ``verify.md`` and ``verify.html`` into a
directory, ``--list`` and ``--describe NAME`` show the registry, and ``--module pkg.theorems``
imports a user's theorems first (installed packages register through the
``equilibria.theorems`` entry-point group).  ``--jobs 0`` (the default) uses one worker per
core, at most 8 and at most one per room selected (a room's theorems run in one worker), and
runs serially in this process when that is one worker: ``--only hedge`` starts no pool.

Output conventions, the rooms' commands' too: ``--out DIR`` is a directory (created if
missing) that receives the command's figures and its data; every data file (``.npz``: an
entry ``meta``, a JSON string; ``.json``: a ``"meta"`` object) records the package version,
the command line, the option values, the names and values of the axes, the seed and the UTC
date (:mod:`equilibria._lib.provenance`).

Rooms add sub-commands (``basin``, ``phase``, ``regimes``, ``shock``, ``goodhart``, ...) from a
module named ``cli`` that defines ``add_commands(subparsers)``; each command sets
``func(args) -> int`` as its handler.  Which rooms have one is read from the one table of rooms,
:data:`equilibria._lib.rooms.ROOMS`, which the theorem registry reads too.

Every parser (the room commands' too: :meth:`add_parser` of the sub-parsers object passed to
``add_commands`` builds a :class:`CommandParser`) shows each option's default in ``--help``
and reports a usage error as one line, ``equilibria <command>: error: <message>``, with exit
status 2.  :func:`main` gives the same treatment to a ``ValueError``/``TypeError`` raised by
the library from an option value (exit 2; an ``OSError`` exits 1), and turns Ctrl-C into
``interrupted`` on stderr with exit status 130.  ``equilibria --traceback COMMAND ...`` or the
environment variable ``EQUILIBRIA_TRACEBACK=1`` shows the full traceback instead.
"""

from __future__ import annotations

import argparse
import fnmatch
import importlib
import os
import sys

from equilibria import __version__
from equilibria._lib.rooms import cli_modules

__all__ = ["CommandParser", "HelpFormatter", "build_parser", "main"]


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """``--help`` with every option's default (also for options without a help text).

    No default is added to a flag (``store_true``), to a ``None`` default, or to a help text
    that already states its default.
    """

    def _get_help_string(self, action):
        text = action.help or ""
        default = action.default
        if (default is None or default is argparse.SUPPRESS or isinstance(default, bool)
                or "default" in text.lower() or not action.option_strings):
            return text
        if isinstance(default, (list, tuple)):
            shown = " ".join(str(v) for v in default)
        else:
            shown = str(default)
        shown = shown.replace("%", "%%")
        return f"{text} (default: {shown})" if text else f"(default: {shown})"

    def _format_action(self, action):
        if not action.help and self._get_help_string(action):
            action.help = self._get_help_string(action)  # an option with no help: its default
        return super()._format_action(action)


class CommandParser(argparse.ArgumentParser):
    """ArgumentParser with :class:`HelpFormatter` and a one-line usage error (exit 2)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message}\n")


def _check_jobs(args) -> None:
    if args.jobs < 0:
        raise ValueError(f"--jobs must be >= 0 (0: one per core), got {args.jobs}")


def _check_patterns(patterns, registered) -> None:
    """Each ``--only`` pattern must select a theorem (the registry's own matching rule)."""
    for pat in patterns or ():
        glob = pat if any(ch in pat for ch in "*?[") else f"*{pat}*"
        if not any(fnmatch.fnmatchcase(n, glob) for n in registered):
            raise ValueError(f"--only {pat!r} matches no registered theorem "
                             "(see 'equilibria verify --list')")


def _workers(jobs: int, selected) -> int:
    """Worker processes for ``verify``: ``jobs`` (0: one per core, at most 8), at most one
    per room among ``selected`` (a room's theorems run in one worker); 1 means serial."""
    if jobs == 0:
        jobs = min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                   else (os.cpu_count() or 1), 8)
    rooms = {n.split(".", 1)[0] for n in selected}
    return max(1, min(jobs, len(rooms)))


def _check_output(option: str, path) -> None:
    if path:
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            raise ValueError(f"{option} {path!r}: directory {folder!r} does not exist")


def _width() -> int:
    import shutil

    return max(40, min(shutil.get_terminal_size((100, 24)).columns, 100))


def _cmd_verify(args) -> int:
    from equilibria.verification import get, load_module, names, verify

    if args.module:
        # like `python -m`: a user's package in the current directory is importable
        if "" not in sys.path and os.getcwd() not in sys.path:
            sys.path.insert(0, os.getcwd())
        for mod in args.module:
            load_module(mod)
    if args.list or args.describe:
        from equilibria.verification.reports import describe, listing

        if args.describe:
            registered = names()
            if args.describe not in registered:
                import difflib

                close = difflib.get_close_matches(args.describe, registered, n=3, cutoff=0.5)
                raise ValueError(f"--describe {args.describe!r}: no theorem of that name"
                                 + (f"; did you mean {', '.join(close)}?" if close else "")
                                 + " (see 'equilibria verify --list')")
            print(describe(get(args.describe), width=_width()))
        else:
            chosen = names()
            if args.only:
                _check_patterns(args.only, chosen)
                from equilibria.verification.registry import _select

                chosen = _select(args.only)
            print(listing([get(n) for n in chosen], width=_width()))
        return 0
    _check_jobs(args)
    _check_patterns(args.only, names())
    for option in ("json", "markdown", "html"):
        _check_output(f"--{option}", getattr(args, option))
    if args.out is not None:
        from equilibria._lib.provenance import output_dir

        folder = output_dir(args.out, command="equilibria verify")
        args.json = args.json or str(folder / "verify.json")
        args.markdown = args.markdown or str(folder / "verify.md")
        args.html = args.html or str(folder / "verify.html")
    from equilibria.verification.registry import _select

    selected = _select(args.only or None)
    workers = _workers(args.jobs, selected)
    executor = None
    if workers > 1:
        import concurrent.futures as cf

        executor = cf.ProcessPoolExecutor(max_workers=workers)
    try:
        report = verify(args.only or None, quick=not args.full, seed=args.seed, executor=executor,
                        progress=not args.no_progress and sys.stderr.isatty())
    finally:
        if executor is not None:
            executor.shutdown(cancel_futures=True)
    print(f"equilibria {__version__} verify ({'full' if args.full else 'quick'}, "
          f"seed={args.seed})")
    print(report.table())
    if args.json:
        import json

        from equilibria._lib.provenance import metadata, write_json

        write_json(args.json, json.loads(report.to_json()),
                   metadata("verify", args, seed=args.seed,
                            axes={"theorem": ("theorem", [r.name for r in report.rows])}))
        print(f"wrote {args.json}")
    if args.markdown or args.html:
        from equilibria.verification.reports import write_html, write_markdown

        for path, write in ((args.markdown, write_markdown), (args.html, write_html)):
            if path:
                write(report, path)
                print(f"wrote {path}")
    return 0 if report.passed else 1


def build_parser() -> argparse.ArgumentParser:
    parser = CommandParser(prog="equilibria", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"equilibria {__version__}")
    parser.add_argument("--traceback", action="store_true",
                        help="show the full traceback of an error (or set "
                             "EQUILIBRIA_TRACEBACK=1)")
    # parser_class: every sub-command's parser, the rooms' too, is a CommandParser
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=CommandParser)

    p = sub.add_parser("verify", help="check the registered theorems numerically")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", default=True,
                      help="small instance counts, under a minute on 2 cores (default)")
    mode.add_argument("--full", action="store_true", help="the full instance counts")
    p.add_argument("--only", action="append", metavar="PATTERN",
                   help="run theorems whose name matches (glob, or substring); repeatable")
    p.add_argument("--json", metavar="FILE",
                   help="also write the report as JSON (statement, source, per-instance "
                        "measured/bound/trivial values; 'meta': version, command, options, "
                        "seed, date)")
    p.add_argument("--markdown", metavar="FILE",
                   help="also write a Markdown report; rate theorems' log-log plots go to "
                        "FILE's folder, in <stem>_plots/")
    p.add_argument("--html", metavar="FILE",
                   help="also write an HTML report (plots as for --markdown)")
    p.add_argument("--out", metavar="DIR",
                   help="write verify.json, verify.md and verify.html (rate plots in "
                        "verify_plots/) into this directory, created if missing")
    p.add_argument("--seed", type=int, default=0, help="master seed")
    p.add_argument("--jobs", type=int, default=0,
                   help="worker processes; rooms run concurrently, at most one worker per "
                        "room selected (default 0: one per core, at most 8); one worker runs "
                        "serially in this process, without a pool")
    p.add_argument("--list", action="store_true",
                   help="list the registered theorems (name, kind, statement, source; "
                        "--only filters) and exit")
    p.add_argument("--describe", metavar="NAME",
                   help="show one theorem: statement, source, assumptions, instance type, "
                        "protocol, tightness; then exit")
    p.add_argument("--module", action="append", metavar="MODULE",
                   help="import a module of your own theorems first (e.g. mypkg.theorems; "
                        "repeatable); entry points of the group 'equilibria.theorems' are "
                        "always loaded")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_verify)

    for modname in cli_modules():
        # a room CLI that fails to import is an error with its traceback, not a missing command
        importlib.import_module(modname).add_commands(sub)
    return parser


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def main(argv=None) -> int:
    """Run the command line; returns the exit status.

    Usage errors and ``ValueError``/``TypeError`` from an option value: one line on stderr,
    status 2.  ``OSError``: one line, status 1.  Ctrl-C: ``interrupted``, status 130.
    """
    argv_given = argv
    argv = sys.argv[1:] if argv is None else list(argv)
    show_tb = "--traceback" in argv or os.environ.get("EQUILIBRIA_TRACEBACK", "0") not in ("",
                                                                                          "0")
    command = "equilibria"
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if getattr(args, "func", None) is None:
            parser.print_help()
            return 2
        command = f"equilibria {args.command}"
        # the command line as given, recorded in every data file's meta
        args._argv = list(sys.argv) if argv_given is None else ["equilibria", *argv]
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        if show_tb:
            raise
        print("interrupted", file=sys.stderr)
        return 130
    except (ValueError, TypeError) as exc:
        if show_tb:
            raise
        print(f"{command}: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except OSError as exc:
        if show_tb:
            raise
        print(f"{command}: error: {_one_line(exc)}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
