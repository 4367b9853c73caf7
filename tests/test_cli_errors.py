"""CLI user errors: one line naming the flag, exit status 2, no traceback; Ctrl-C: status 130
and one line; ``--help`` shows every default (issue 12)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from equilibria.cli import build_parser

ENV = {k: v for k, v in os.environ.items() if k != "EQUILIBRIA_TRACEBACK"}

CASES = [
    (["basin", "--grid", "-3"], "--grid"),
    (["basin", "--lo", "nan"], "--lo"),
    (["phase", "--x", "nosuch"], "--x"),
    (["shock", "--param", "nosuch", "--value", "1"], "--param"),
    (["bandits", "--means", "0.1,abc"], "--means"),
    (["basin", "--out", os.path.abspath(__file__)], "--out"),  # a file, not a directory
    (["bandits", "--out", os.path.abspath(__file__) + "/sub"], "--out"),  # cannot be created
    (["bandits", "--pulls", "/nonexistent-dir-xyz/p.png"], "--pulls"),
    (["verify", "--only", "nomatch"], "--only"),
    (["verify", "--jobs", "-3"], "--jobs"),
    (["phase", "--jobs", "-3"], "--jobs"),
    (["basin", "--lo", "2", "--hi", "1"], "--lo"),
    (["shock", "--duration", "-1"], "--duration"),
    (["phase", "--x-range", "2", "1"], "--x-range"),
    (["bandits", "--policies", "UCB1,NoSuch"], "--policies"),
    (["basin", "--grid", "abc"], "--grid"),
]


def _run(argv, env=ENV, timeout=300):
    return subprocess.run([sys.executable, "-m", "equilibria", *argv], capture_output=True,
                          text=True, timeout=timeout, env=env)


@pytest.mark.parametrize("argv,flag", CASES, ids=[" ".join(c[0]) for c in CASES])
def test_user_error_is_one_line_with_exit_2(argv, flag):
    proc = _run(argv)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2, proc.stderr
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert lines[0].startswith(f"equilibria {argv[0]}: error: "), lines[0]
    assert flag in lines[0], lines[0]
    assert proc.stdout == ""


def test_traceback_on_request():
    proc = _run(["verify", "--only", "nomatch"], env={**ENV, "EQUILIBRIA_TRACEBACK": "1"})
    assert proc.returncode != 0 and "Traceback" in proc.stderr
    proc = _run(["--traceback", "verify", "--only", "nomatch"])
    assert proc.returncode != 0 and "Traceback" in proc.stderr


def test_ctrl_c_exits_130_with_one_line():
    # compile the KL-UCB kernels here first (numba's on-disk cache), so the child loads them in
    # well under the wait below even on a cold CI machine: an interrupt that lands inside
    # LLVM's compile callback prints an unraisable-exception report this test would misread
    from equilibria.bandits import KLUCB, BernoulliArms, simulate

    simulate(BernoulliArms([0.2, 0.8]), KLUCB(), 20, n_runs=2, seed=0, progress=False)
    proc = subprocess.Popen([sys.executable, "-m", "equilibria", "bandits", "--policies",
                             "KLUCB", "--horizon", "100000", "--runs", "2000"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV,
                            start_new_session=True)
    try:
        time.sleep(8.0)  # imports and compilation done: inside the simulation
        assert proc.poll() is None, proc.communicate()
        os.killpg(proc.pid, signal.SIGINT)
        t0 = time.perf_counter()
        out, err = proc.communicate(timeout=60)
        elapsed = time.perf_counter() - t0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, err
    assert err.strip() == "interrupted", err
    assert elapsed < 3.0, f"took {elapsed:.1f} s to stop after SIGINT"


def _subparsers(parser):
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices
    return {}


def test_help_shows_every_default():
    import argparse

    parser = build_parser()
    commands = _subparsers(parser)
    assert {"verify", "basin", "phase", "regimes", "shock", "bandits", "goodhart"} <= set(commands)
    for name, sub in commands.items():
        for action in sub._actions:
            if (not action.option_strings or action.default in (None, argparse.SUPPRESS)
                    or isinstance(action.default, bool)):
                continue
            formatter = sub._get_formatter()
            formatter.add_argument(action)
            block = " ".join(formatter.format_help().split())   # this option's --help lines
            assert "default" in block, (name, action.option_strings, block)
    text = commands["basin"].format_help()
    assert "(default: 200)" in text and "(default: 500.0)" in text


def test_parse_errors_name_the_flag_in_process(capsys):
    from equilibria.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["bandits", "--runs", "0"])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--runs" in err[0]
