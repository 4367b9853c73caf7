"""Fuzz baselines of ``equilibria.cli``: the command line is fuzzed through its own tests.

The CLI's inputs are command-line strings, not arrays or numbers, so the corruption matrix of
the harness does not apply; ``tests/test_cli_errors.py`` walks every sub-command with bad flag
values (negative grids, NaN ranges, unknown parameters, malformed lists, missing directories,
unknown theorem patterns) and requires one line on stderr and exit status 2, and
``tests/odes/test_cli.py`` does the same for user models.
"""

CASES: list = []

_WHY = ("command-line entry point: its inputs are argv strings, fuzzed flag by flag in "
        "tests/test_cli_errors.py (one line, exit status 2, never a traceback)")

EXEMPT = {
    "equilibria.cli.main": _WHY,
    "equilibria.cli.build_parser": "takes no arguments; the parser it builds is exercised by "
                                   "tests/test_cli_errors.py and every CLI test",
    "equilibria.cli.CommandParser": "argparse.ArgumentParser subclass (formatting only), built "
                                    "by build_parser and tested through main",
    "equilibria.cli.CommandParser.error": "argparse's usage-error hook: prints one line and "
                                          "exits 2, tested in tests/test_cli_errors.py",
    "equilibria.cli.HelpFormatter": "argparse formatter class showing every default; tested "
                                    "by the --help tests in tests/test_cli_errors.py",
}
