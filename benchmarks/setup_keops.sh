#!/usr/bin/env bash
# The venv of benchmarks/ot_keops.py: torch (CPU build), pykeops, geomloss.  KeOps compiles
# its reductions with the machine's g++ at first use (cached under ~/.cache/keops*).
# Usage: bash benchmarks/setup_keops.sh [VENV]   (default benchmarks/.venv-keops)
set -euo pipefail
VENV="${1:-$(dirname "$0")/.venv-keops}"
python3 -m venv "$VENV"
# torch 2.13.0 is the CPU build on this machine's disk; an unpinned torch pulls a CUDA build
"$VENV/bin/pip" install -q "torch==2.13.0" numpy
"$VENV/bin/pip" install -q pykeops geomloss
"$VENV/bin/python" -c "import pykeops, torch; print('pykeops', pykeops.__version__, 'torch', torch.__version__)"
