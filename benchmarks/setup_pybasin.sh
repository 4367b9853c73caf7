#!/usr/bin/env bash
# Create the separate virtual environment of the pyBasin peer (benchmarks/basins_pybasin.py).
#
# pyBasin (PyPI package `pybasin`, https://github.com/adrianwix/pyBasin) requires
# Python >= 3.12 and torch; the package's main environment is Python 3.11, so the peer gets
# its own venv.  The venv is NOT committed: it lives in $PYBASIN_VENV (default
# <checkout>/.venv-pybasin, listed in .gitignore).
#
#   bash benchmarks/setup_pybasin.sh            # create / update the venv
#   PYBASIN_VENV=/tmp/venv-pybasin bash benchmarks/setup_pybasin.sh
#
# Steps: pyenv Python 3.12 (`pyenv install -s` if it is missing) -> venv -> torch CPU wheel
# from download.pytorch.org (PyPI's default torch is a CUDA build of several GB; falls back
# to PyPI's torch when that index cannot be reached) -> pybasin[jax] (diffrax/jax: its
# JaxSolver, used by its pendulum case study) and scikit-learn (its KNN classifier).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
VENV="${PYBASIN_VENV:-$ROOT/.venv-pybasin}"
PYVER="${PYBASIN_PYTHON_VERSION:-3.12}"

find_python() {
    # newest installed pyenv 3.12.x, else anything called python3.12 on PATH
    if command -v pyenv >/dev/null 2>&1; then
        local v
        v="$(pyenv versions --bare 2>/dev/null | grep -E "^${PYVER//./\\.}\.[0-9]+$" | sort -V | tail -1 || true)"
        if [ -z "$v" ]; then
            echo "[setup_pybasin] pyenv install -s ${PYVER}" >&2
            pyenv install -s "$PYVER" >&2
            v="$(pyenv versions --bare | grep -E "^${PYVER//./\\.}\.[0-9]+$" | sort -V | tail -1)"
        fi
        echo "$(pyenv root)/versions/$v/bin/python"
        return
    fi
    command -v "python${PYVER}"
}

PY="$(find_python)"
echo "[setup_pybasin] interpreter: $PY ($("$PY" -V 2>&1))"
if [ ! -x "$VENV/bin/python" ]; then
    "$PY" -m venv "$VENV"
fi
VPY="$VENV/bin/python"
# the machine-wide pip constraint file caps torch for Python 3.11 wheels on disk; it does not
# concern this venv's CPU wheel, so it is switched off for these installs only
export PIP_CONSTRAINT=""
"$VPY" -m pip install -q --upgrade pip
if ! "$VPY" -c "import torch" >/dev/null 2>&1; then
    if ! "$VPY" -m pip install -q torch --index-url https://download.pytorch.org/whl/cpu; then
        echo "[setup_pybasin] the CPU index failed; falling back to PyPI's torch" >&2
        "$VPY" -m pip install -q torch
    fi
fi
"$VPY" -m pip install -q "pybasin[jax]" scikit-learn
"$VPY" - <<'EOF'
import importlib.metadata as md
for p in ("pybasin", "torch", "jax", "diffrax", "scikit-learn", "numpy"):
    try:
        print(f"[setup_pybasin] {p} {md.version(p)}")
    except md.PackageNotFoundError:
        print(f"[setup_pybasin] {p} NOT INSTALLED")
import torch
print(f"[setup_pybasin] torch CUDA build: {torch.version.cuda}")
EOF
echo "[setup_pybasin] venv ready: $VENV"
