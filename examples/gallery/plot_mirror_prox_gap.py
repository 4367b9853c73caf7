"""
Mirror Prox on a matrix game: the duality gap certificate
=========================================================

:func:`equilibria.solvers.games.mirror_prox` with the entropy mirror map on
:math:`\\min_{x \\in \\Delta_n} \\max_{y \\in \\Delta_m} x^\\top A y`.  Every iterate comes with
a computable certificate, the duality gap
:math:`\\max_j (A^\\top \\bar x)_j - \\min_i (A \\bar y)_i` of the averages, which the stated
:math:`O(1/T)` rate bounds (Nemirovski 2004).  The gap is recomputed independently with
:func:`equilibria.verification.duality_gap`.

``--full`` uses a 200 x 300 game and 20000 iterations.
"""

import argparse

import matplotlib.pyplot as plt
import numpy as np

from equilibria.solvers.games import mirror_prox
from equilibria.verification import duality_gap

parser = argparse.ArgumentParser(description="Mirror Prox duality gap.")
parser.add_argument("--full", action="store_true", help="big version (200 x 300, 2e4 steps)")
args, _ = parser.parse_known_args()
(n, m), T = ((200, 300), 20_000) if args.full else ((20, 30), 2_000)

A = np.random.default_rng(0).uniform(-1, 1, size=(n, m))
res = mirror_prox(A, max_iter=T)
print(res.message)
print(f"reported gap {res.gap:.3e}, recomputed {duality_gap(A, res.x_avg, res.y_avg):.3e}")

# %%
k = np.arange(1, T + 1)
fig, ax = plt.subplots(figsize=(6.4, 4.2))
ax.loglog(k, res.gap_history, label="duality gap of the averages")
bound = 2 * np.abs(A).max() * np.log(n * m) / k   # the O(log(nm)/T) shape, for reference
ax.loglog(k, bound, "k--", label=r"$2 \max|A_{ij}| \ln(nm)/T$")
ax.set_xlabel(r"iteration $T$")
ax.set_ylabel("duality gap")
ax.set_title(rf"Mirror Prox (entropy), ${n} \times {m}$ random game")
ax.legend(frameon=False)
plt.show()
