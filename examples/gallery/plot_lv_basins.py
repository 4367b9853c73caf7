"""
Basins of two competing species
===============================

Lotka-Volterra competition :math:`\\dot x_i = r_i x_i (1 - \\sum_j \\alpha_{ij} x_j / K_i)`
(:func:`equilibria.odes.lv_competition`) with strong competition,
:math:`\\alpha_{12}, \\alpha_{21} > 1`, is the classic bistable system: the coexistence
equilibrium is a saddle and either species excludes the other, depending on where the
populations start.  :func:`equilibria.odes.basins_of_attraction` finds both attractors
without being told where they are (the recurrence machine) and labels every initial condition
of a grid; the boundary between the two basins is the stable manifold of the saddle, drawn here
from its closed form location and the separatrix traced backwards in time.

``--full`` uses a 301 x 301 grid of initial conditions instead of 81 x 81.
"""

import argparse

import matplotlib.pyplot as plt
import numpy as np

from equilibria.odes import Grid, basins_of_attraction, lv_competition

parser = argparse.ArgumentParser(description="Basins of two competing species.")
parser.add_argument("--full", action="store_true", help="big version (301 x 301 grid)")
args, _ = parser.parse_known_args()
m = 301 if args.full else 81

# %%
# The model: equal rates and capacities, competition coefficients above 1.
a12, a21 = 1.5, 1.4
lv = lv_competition([1.0, 1.0], [1.0, 1.0], [[1.0, a12], [a21, 1.0]])
ode = lv.to_ode()          # the generic machinery takes an ODE; parameters r[i], A[i,j], ...
grid = Grid.box([0.0, 0.0], [1.5, 1.5], [m, m])
res = basins_of_attraction(ode, grid, progress=False)
print(res.message)
for a in res.attractors:
    print(f"  {a.kind} at {np.round(a.location, 4) + 0.0}")
# the two exclusion states, and (below 1% of the image) nothing else
assert sorted(tuple(np.round(a.location, 6) + 0.0) for a in res.attractors) == [(0, 1), (1, 0)]

# %%
# The basin image, with the saddle (coexistence equilibrium) and its stable manifold: two
# backward-time orbits started next to the saddle along its stable eigenvector.
saddle = np.array([(1 - a12) / (1 - a12 * a21), (1 - a21) / (1 - a12 * a21)])
J = np.diag(saddle) @ lv.A
w, V = np.linalg.eig(J)
stable = np.real(V[:, np.argmin(np.real(w))])
fig = res.plot(title=rf"LV competition, $\alpha_{{12}} = {a12}$, $\alpha_{{21}} = {a21}$, "
                     f"{m} x {m} initial conditions")
ax = fig.axes[0]
for sign in (1.0, -1.0):
    x = saddle + sign * 1e-4 * stable
    path = [x]
    for _ in range(20000):      # reversed time: explicit Euler steps along -f
        x = x - 5e-3 * lv.field(x)
        if np.any(x < 1e-3) or np.any(x > 1.55):
            break
        path.append(x)
    path = np.array(path)
    ax.plot(path[:, 0], path[:, 1], "w--", lw=1.5)
ax.plot(*saddle, "wX", ms=10, mec="k", label="saddle (coexistence)")
ax.set_xlim(-0.04, 1.54)
ax.set_ylim(-0.04, 1.54)
ax.set_xlabel(r"species 1, $x_1$")
ax.set_ylabel(r"species 2, $x_2$")
plt.show()
