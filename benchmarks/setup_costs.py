"""Setup costs: the wall time of ``equilibria verify --quick`` with the kernel cache warm.

Runs ``equilibria verify --quick --no-progress`` in a subprocess (``python -m equilibria``, the
interpreter running this script) once to warm the numba cache (not timed), then ``--reps``
timed runs; reports the best and the median wall time and the theorems passed / total, read
from the report's last line (``N passed, M failed``).  The whole test suite is not run here
(it takes minutes on 2 cores); its time can be recorded from a real run with
``--suite-seconds S --suite-tests N [--suite-command "..."]``, else it is left out.

Usage::

    python benchmarks/setup_costs.py --json
    python benchmarks/setup_costs.py --json --suite-seconds 385 --suite-tests 2692
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _report  # noqa: E402  (records the load at start)

VERIFY = [sys.executable, "-m", "equilibria", "verify", "--quick", "--no-progress"]
_SUMMARY = re.compile(r"^(\d+) passed, (\d+) failed\s*$", re.M)


def run_verify():
    """One ``verify --quick`` run: (wall seconds, passed, total, return code)."""
    t = time.perf_counter()
    res = subprocess.run(VERIFY, cwd=_report.ROOT, capture_output=True, text=True)
    dt = time.perf_counter() - t
    m = _SUMMARY.findall(res.stdout)
    if not m:
        raise RuntimeError(f"no 'N passed, M failed' line in the output of {' '.join(VERIFY)} "
                           f"(exit {res.returncode}): {res.stderr[-500:]}")
    passed, failed = map(int, m[-1])
    return dt, passed, passed + failed, res.returncode


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=1, help="timed runs after the warm-up")
    ap.add_argument("--suite-seconds", type=float, default=None,
                    help="wall time of a real whole-suite run, recorded as given")
    ap.add_argument("--suite-tests", type=int, default=None,
                    help="number of tests of that run")
    ap.add_argument("--suite-command", default="HYPOTHESIS_PROFILE=ci pytest -n 2 tests",
                    help="the command of that run")
    _report.add_json_argument(ap, "setup_costs")
    args = ap.parse_args(argv)
    warm = run_verify()
    print(f"warm-up (not timed in the table): {warm[0]:.1f} s, {warm[1]}/{warm[2]} passed")
    runs = [run_verify() for _ in range(args.reps)]
    times = [r[0] for r in runs]
    passed, total = runs[-1][1], runs[-1][2]
    print(f"verify --quick, cache warm: best {min(times):.1f} s, median "
          f"{float(np.median(times)):.1f} s over {len(times)}; {passed}/{total} theorems pass")
    if args.json:
        _emit(args, warm, runs)


def _emit(args, warm, runs):
    """Write the README table (benchmarks/_report.py schema)."""
    times = [r[0] for r in runs]
    passed, total = runs[-1][1], runs[-1][2]
    rows = [["`equilibria verify --quick` (kernel cache warm)", f"{passed}/{total} theorems pass",
             f"{min(times):.1f} s" + (f" (median {float(np.median(times)):.1f} s of "
                                      f"{len(times)})" if len(times) > 1 else "")]]
    meta = dict(command=" ".join(["equilibria", *VERIFY[3:]]), warmup_s=warm[0],
                times_s=times, passed=passed, total=total,
                returncodes=[r[3] for r in runs])
    notes = [f"Warm-up run (fills the kernel cache) {warm[0]:.1f} s, not in the table; one "
             "process, the machine's default threads."]
    if args.suite_seconds is not None:
        what = (f"{_report.fmt(args.suite_tests)} tests" if args.suite_tests is not None
                else "the suite")
        rows.append([f"whole suite (`{args.suite_command}`)", what,
                     f"{args.suite_seconds:.0f} s"])
        meta.update(suite_seconds=args.suite_seconds, suite_tests=args.suite_tests,
                    suite_command=args.suite_command)
        notes.append("The whole-suite row is the time of a real run, passed to this script "
                     "with `--suite-seconds` / `--suite-tests` (not measured by it).")
    _report.emit(
        "setup_costs", "Setup costs", ["what", "result", "wall time"], rows, notes=notes,
        meta=meta, setup="wall time of a subprocess, after one untimed warm-up run",
        path=args.json)


if __name__ == "__main__":
    main()
