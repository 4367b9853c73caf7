"""
Regime diagram of two competing species
=======================================

Over the plane of the two competition coefficients :math:`(\\alpha_{12}, \\alpha_{21})` of
:func:`equilibria.odes.lv_competition` the textbook picture has four regimes, separated by the
lines :math:`\\alpha_{12} = 1` and :math:`\\alpha_{21} = 1`: stable coexistence (both below 1),
exclusion of either species (one above, one below), and bistability (both above 1; which
species wins depends on the start).  :func:`equilibria.odes.generic_regime_diagram` finds
them without knowing them: in every cell it runs the recurrence machine on the same sampled
initial conditions (seeded with the attractors of the neighbouring cells) and reports the
attractors it found.  The figure names each cell's regime from those attractors (their number
and where they lie) and draws the analytic boundaries on top.

``--full`` uses a 40 x 40 lattice and 300 samples per cell instead of 10 x 10 and 100.
"""

import argparse

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch

from equilibria.odes import Grid, generic_regime_diagram, lv_competition

parser = argparse.ArgumentParser(description="Regime diagram of two competing species.")
parser.add_argument("--full", action="store_true", help="big version (40 x 40, 300 samples)")
args, _ = parser.parse_known_args()
k, n = (40, 300) if args.full else (10, 100)
# cell centres that avoid the degenerate line alpha = 1 (a continuum of equilibria)
alpha = np.linspace(0.5, 1.5, k + 1)[:-1] + 0.5 / k

ode = lv_competition([1.0, 1.0], [1.0, 1.0], [[1.0, 1.0], [1.0, 1.0]]).to_ode()
grid = Grid.box([0.0, 0.0], [1.5, 1.5], [61, 61])
rd = generic_regime_diagram(ode, "A[0,1]", -alpha, "A[1,0]", -alpha, grid, n=n, seed=0,
                            progress=False)
print(rd.message)

# %%
# The regime of each cell, read from its attractors: ``rd.attractors[j][i]`` holds the
# attractors of cell :math:`(\alpha_{12}, \alpha_{21}) = (\mathrm{alpha}[i], \mathrm{alpha}[j])`
# by decreasing basin share.
REGIMES = ("coexistence", "species 1 wins", "species 2 wins", "bistable", "other")
COLORS = ("#009E73", "#0072B2", "#E69F00", "#CC79A7", "#BBBBBB")


def regime(attractors):
    fixed = [a for a in attractors if a.kind == "fixed point"]
    if len(fixed) != len(attractors) or not fixed:
        return 4
    if len(fixed) >= 2:
        return 3
    x1, x2 = fixed[0].location
    if x1 > 1e-3 and x2 > 1e-3:
        return 0
    return 1 if x1 > x2 else 2


code = np.array([[regime(rd.attractors[j][i]) for i in range(k)] for j in range(k)])
for name, c in zip(REGIMES, range(len(REGIMES))):
    print(f"{name:>15}: {int((code == c).sum())} cells")
# the textbook regimes: alpha12 < 1 and alpha21 < 1 coexistence, both > 1 bistable, ...
a12, a21 = np.meshgrid(alpha, alpha)
expected = np.select([(a12 < 1) & (a21 < 1), (a12 < 1) & (a21 > 1), (a12 > 1) & (a21 < 1)],
                     [0, 1, 2], default=3)
assert np.array_equal(code, expected), f"{int((code != expected).sum())} cells differ"

edges = np.linspace(0.5, 1.5, k + 1)
fig, ax = plt.subplots(figsize=(6.0, 5.4))
ax.pcolormesh(edges, edges, code, cmap=ListedColormap(COLORS), vmin=-0.5, vmax=4.5,
              edgecolors="w", linewidth=0.3)
ax.axvline(1.0, color="k", lw=1.5, ls="--")
ax.axhline(1.0, color="k", lw=1.5, ls="--")
ax.set_aspect("equal")
ax.set_xlabel(r"$\alpha_{12}$ (effect of species 2 on species 1)")
ax.set_ylabel(r"$\alpha_{21}$ (effect of species 1 on species 2)")
ax.set_title(f"LV competition: regimes found in {k} x {k} cells, {n} samples each",
             fontsize=10)
used = sorted(set(code.ravel().tolist()))
ax.legend(handles=[Patch(facecolor=COLORS[c], edgecolor="k", label=REGIMES[c]) for c in used]
          + [plt.Line2D([], [], color="k", ls="--", label=r"analytic boundary $\alpha = 1$")],
          loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=3, frameon=False, fontsize=8)
fig.tight_layout()
plt.show()
