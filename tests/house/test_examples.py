"""Every gallery and tutorial script (``examples/**/plot_*.py``) runs to completion.

The documentation build executes the same scripts (sphinx-gallery); this runs each one as a
user would, ``python examples/.../plot_x.py`` from the checkout root, in a subprocess with the
non-interactive ``MPLBACKEND=Agg`` and the default (small) size, and requires exit status 0.
The scripts assert what they demonstrate (a certificate recomputed from the plan, a broken
implementation failing its check, ...), so a wrong solver or a wrong judgement fails here too.
"""

import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SCRIPTS = sorted(EXAMPLES.glob("**/plot_*.py"))
#: scripts the documentation promises (the tutorials by name, and the dynamics gallery)
REQUIRED = {"tutorials/plot_1_solver_certificate.py", "tutorials/plot_2_verify_a_bound.py",
            "tutorials/plot_3_your_own_dynamics.py", "gallery/plot_lv_basins.py",
            "gallery/plot_lv_continuation.py", "gallery/plot_lv_regimes.py"}


def test_the_promised_scripts_exist():
    found = {p.relative_to(EXAMPLES).as_posix() for p in SCRIPTS}
    assert REQUIRED <= found, f"missing: {sorted(REQUIRED - found)}"


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.relative_to(EXAMPLES).as_posix())
def test_example_runs(script):
    env = dict(os.environ, MPLBACKEND="Agg")
    # a hang guard, not a timing assertion: every script takes well under a minute
    proc = subprocess.run([sys.executable, str(script.relative_to(ROOT))], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, (f"{script.name} exited with {proc.returncode}\n"
                                  f"--- stdout (tail)\n{proc.stdout[-3000:]}\n"
                                  f"--- stderr (tail)\n{proc.stderr[-3000:]}")
