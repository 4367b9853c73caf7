"""
Sketched regression: l-infinity error against the sketch size
=============================================================

Sketch-and-solve least squares (:func:`equilibria.solvers.sketch.sketch_and_solve`) on a
*coherent* design: a few identity rows carry almost all the leverage and the residual sits on
two rows.  Left: the l-infinity error over the Song-Ye-Yin-Zhang (2023) bound
:math:`(\\epsilon/\\sqrt d)\\|Ax^*-b\\|_2\\|A^\\dagger\\|_2` (median and 10-90% band over
seeds; the bound uses the paper's row count with constant 1, so every family sits below 1).
Right: how often the error exceeds a fixed level (``eps = 1``: the dense sketches reach it
first; CountSketch keeps failing at a frequency far above the dense sketches', the
collisions of a high-leverage row with a heavy residual row), with 95% Clopper-Pearson bands.

``python plot_sketch_linf.py --full`` uses 400 seeds per point instead of 60.
"""

import argparse

import matplotlib.pyplot as plt
import numpy as np

from equilibria.solvers.sketch import linf_ratios, plot_error_vs_m, plot_failure_vs_m
from equilibria.solvers.sketch.theorems import coherent_instance

parser = argparse.ArgumentParser(description="Sketched regression, l-infinity error.")
parser.add_argument("--full", action="store_true", help="big version (400 seeds per point)")
parser.add_argument("--out", default=None, help="save the figure to this file")
args, _ = parser.parse_known_args()
n_seeds = 400 if args.full else 60

# %%
# A coherent design: n = 512, d = 8, residual +-10 on two rows.
A, b = coherent_instance(np.random.default_rng(0), n=512, d=8, heavy=2)
ms = [16, 32, 64, 128, 256]

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.8), layout="constrained")
plot_error_vs_m(A, b, ms, n_seeds=n_seeds, ax=ax1)
plot_failure_vs_m(A, b, ms, n_seeds=n_seeds, eps=1.0, ax=ax2)
ax2.set_title(r"errors above the $\varepsilon = 1$ level (95% Clopper-Pearson)", fontsize="medium")

# %%
# What the figure shows, asserted: every family meets the paper's bound, and at m = 128
# CountSketch exceeds the fixed level far more often than the dense SRHT.
for kind in ("gaussian", "srht", "countsketch", "leverage"):
    assert np.all(linf_ratios(A, b, 64, n_seeds, kind=kind) <= 1.0)
f_cs = np.mean(linf_ratios(A, b, 128, n_seeds, kind="countsketch", eps=1.0) > 1)
f_srht = np.mean(linf_ratios(A, b, 128, n_seeds, kind="srht", eps=1.0) > 1)
print(f"m = 128, eps = 1: failure frequency countsketch {f_cs:.2f}, srht {f_srht:.2f}")
assert f_cs >= f_srht + 0.1
if args.out:
    fig.savefig(args.out, dpi=90)
plt.show()
