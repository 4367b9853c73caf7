"""
Basin fractions along a competition coefficient
===============================================

The competition model of the previous example, :func:`equilibria.odes.lv_competition`, with
:math:`\\alpha_{21} = 1.3` fixed and :math:`\\alpha_{12}` continued from 1.5 down to 0.5.
While :math:`\\alpha_{12} > 1` both exclusion states are stable (bistable); the basin of
"species 2 wins" shrinks as species 2 competes less strongly, and the attractor disappears in
a transcritical bifurcation with the coexistence saddle at :math:`\\alpha_{12} = 1`, after which
species 1 wins from every start.

:func:`equilibria.odes.global_continuation` runs the recurrence machine at every value from
the same sampled initial conditions (so the fractions are comparable across values), seeds
each value with the attractors found at its neighbours, and matches the attractors across
values.  The model's parameters are the entries of the GLV matrix, so
:math:`\\alpha_{12} = -A_{01}` (rates and capacities are 1).

``--full`` uses 60 values and 2000 samples instead of 20 and 300.
"""

import argparse

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import FuncFormatter

from equilibria.odes import Grid, global_continuation, lv_competition

parser = argparse.ArgumentParser(description="Basin fractions along a competition coefficient.")
parser.add_argument("--full", action="store_true", help="big version (60 values, 2000 samples)")
args, _ = parser.parse_known_args()
m, n = (60, 2000) if args.full else (20, 300)

ode = lv_competition([1.0, 1.0], [1.0, 1.0], [[1.0, 1.5], [1.3, 1.0]]).to_ode()
alpha12 = 1.5 - (np.arange(m) + 0.5) / m     # 1.475, ..., 0.525: avoids alpha12 = 1
grid = Grid.box([0.0, 0.0], [1.5, 1.5], [61, 61])
gc = global_continuation(ode, "A[0,1]", -alpha12, grid, n=n, seed=0, progress=False)
print(gc.message)
print("attractors per value:", gc.n_attractors.tolist())
# bistable exactly while alpha12 > 1
assert gc.n_attractors.tolist() == [2 if v > 1 else 1 for v in alpha12]

# %%
# The stacked fractions (bottom) and where each attractor exists (top); the x axis shows
# :math:`\alpha_{12} = -A_{01}`, decreasing to the right as in the continuation.
fig = gc.plot(title=rf"LV competition, $\alpha_{{21}} = 1.3$: {n} samples per value")
for ax in fig.axes:
    if ax.get_xlabel():
        ax.set_xlabel(r"competition coefficient $\alpha_{12}$ (effect of species 2 on 1)")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{-v:.2g}"))
plt.show()
