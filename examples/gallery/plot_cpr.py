"""
Common-pool resource with imitation and norm-based punishment
=============================================================

A renewable resource with logistic regrowth is harvested by agents who cooperate within a
norm, defect (over-harvest) or punish defectors at a monitoring cost, and who copy better-paid
strategies (Fermi pairwise comparison).  :class:`equilibria.odes.CPRModel` is the mean field;
:func:`equilibria.odes.cpr_simulate` runs ``N`` agents.  The figures show the 2x2 grid of
initial conditions of Gupta et al. (2026) (resource-rich vs scarce, altruistic vs selfish),
the regime diagram over (fine, monitoring cost), and the strategy-simplex portrait.

Without enough punishment the commons ends at Gordon's (1954) open-access stock ``w / (v q)``,
where the rent is dissipated; a defector-free population with punisher share ``p`` resists
invasion iff ``beta p > (v q R* - w)(e_D - e_C)``.  ``--full`` uses a 40 x 40 regime grid and
overlays a 20000-agent run instead of 12 x 10 and no agent-based run.
"""

import argparse

import matplotlib.pyplot as plt
import numpy as np

from equilibria.odes.cpr import CPRModel, cpr_simulate
from equilibria.odes.cpr_plots import (cpr_regimes, plot_cpr_presets, plot_cpr_regimes,
                                       plot_cpr_simplex)

parser = argparse.ArgumentParser(description="Common-pool resource figures.")
parser.add_argument("--full", action="store_true", help="big version (40 x 40 grid, ABM)")
args, _ = parser.parse_known_args()
nx, ny, agents = (40, 40, 20000) if args.full else (12, 10, 0)

model = CPRModel()
outcomes = {name: model.outcome(model.simulate(name, 200.0)[1][-1])
            for name in ("rich_altruistic", "rich_selfish", "scarce_altruistic",
                         "scarce_selfish")}
print(outcomes)
# altruistic populations sustain the resource, selfish ones collapse it, from either stock
assert outcomes == {"rich_altruistic": "sustained", "rich_selfish": "collapse",
                    "scarce_altruistic": "sustained", "scarce_selfish": "collapse"}
fig = plot_cpr_presets(model, t_end=100.0, abm_agents=agents)
plt.show()

# %%
# The collapsed commons sits at the bionomic equilibrium: the stock is w / (v q), so the rent
# (v q R - w) E is zero.  An agent-based run with many agents tracks the same mean field.
_, X = model.simulate("rich_selfish", 400.0)
assert abs(X[-1, 0] - model.cost / (model.price * model.q)) < 1e-3
sim = cpr_simulate(model, "rich_selfish", 20.0, n_agents=20000, seed=1, n_record=21)
_, Xm = model.simulate("rich_selfish", 20.0, n_eval=21)
print(f"ABM (N = 20000) vs mean field, sup error over t <= 20: {np.abs(sim.X - Xm).max():.3f}")

# %%
# Regime diagram from the resource-rich altruistic start.  Left of the dashed line the fine
# cannot stop defectors even on a defector-free population with the initial punisher share;
# a high monitoring cost lets cooperators (second-order free riders) out-earn the punishers
# while defectors are still around, and punishment disappears before the defectors do.
res = cpr_regimes(model, np.linspace(0.0, 8.0, nx), np.linspace(0.0, 2.0, ny),
                  progress=False)
print(res.message)
assert res.classes[:, 0].tolist() == [1] * ny  # no fine: the tragedy of the commons
assert res.classes[0, -1] == 0                  # large fine, free monitoring: sustained
fig = plot_cpr_regimes(res, model=model)
plt.show()

# %%
# Strategy shares from the resource-rich stock: orbits end either on the defector-free edge
# (cooperate - punish; a line of rest points) or at the open-access mix of cooperators and
# defectors.
fig = plot_cpr_simplex(model, n=6)
plt.show()
