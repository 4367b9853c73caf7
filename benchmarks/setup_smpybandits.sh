#!/usr/bin/env bash
# Create the separate virtual environment of the SMPyBandits peer (benchmarks/bandits_smpy.py).
#
# SMPyBandits (PyPI `SMPyBandits` 0.9.7, 2019; https://github.com/SMPyBandits/SMPyBandits)
# still imports names that newer scipy and pandas removed, so it gets its own venv with
# scipy < 1.12 and pandas < 2.3, beside the numpy / numba that equilibria needs (numpy 1.26,
# numba 0.60).  equilibria is installed there in editable mode (--no-deps, then its runtime
# dependencies by hand, so pip cannot upgrade scipy).  The venv is NOT committed: it lives in
# $SMPY_VENV (default <checkout>/.venv-smpy, listed in .gitignore as /.venv-smpy/; not under
# benchmarks/, whose *.py files the house tests scan).
#
#   bash benchmarks/setup_smpybandits.sh                 # create / update the venv
#   SMPY_VENV=/tmp/venv-smpy bash benchmarks/setup_smpybandits.sh
#   .venv-smpy/bin/python benchmarks/bandits_smpy.py --json out.json
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
VENV="${SMPY_VENV:-$ROOT/.venv-smpy}"
PY="${SMPY_PYTHON:-$(command -v python3.11 || command -v python3)}"

echo "[setup_smpy] interpreter: $PY ($("$PY" -V 2>&1))"
if [ ! -x "$VENV/bin/python" ]; then
    "$PY" -m venv "$VENV"
fi
VPY="$VENV/bin/python"
# a machine-wide pip constraint file (if any) concerns the main environment, not this venv
export PIP_CONSTRAINT=""
"$VPY" -m pip install -q --upgrade pip
"$VPY" -m pip install -q "numpy>=1.24,<1.27" "scipy>=1.11,<1.12" "pandas<2.3" \
    "numba>=0.59,<0.61" "sympy>=1.12" "cvxpy>=1.4" "matplotlib>=3.7,<3.9" "tqdm>=4.60" \
    "SMPyBandits==0.9.7"
"$VPY" -m pip install -q --no-deps -e "$ROOT"
"$VPY" - <<'PYEOF'
import importlib.metadata as md
for p in ("SMPyBandits", "equilibria", "numpy", "scipy", "pandas", "numba"):
    try:
        print(f"[setup_smpy] {p} {md.version(p)}")
    except md.PackageNotFoundError:
        print(f"[setup_smpy] {p} NOT INSTALLED")
from SMPyBandits.Policies import UCB, Exp3, Thompson  # noqa: F401  (the peer imports)
import equilibria.bandits  # noqa: F401
PYEOF
echo "[setup_smpy] venv ready: $VENV"
