"""
Sinkhorn plan and its duality certificate
=========================================

Entropic optimal transport between two 1-D histograms (mixtures of Gaussians on a grid) with
:func:`equilibria.solvers.ot.sinkhorn`.  The plan is rounded onto the transport polytope, so
the result carries an exact certificate: ``dual_objective <= OT_reg <= objective``.  The
figure shows the plan with its two marginals; the title reports the duality gap and the
marginal error the solver stopped on.

``python plot_sinkhorn_plan.py --full`` uses 1000 grid points instead of 120.
"""

import argparse

import matplotlib.pyplot as plt
import numpy as np

from equilibria.solvers.ot import sinkhorn

parser = argparse.ArgumentParser(description="Sinkhorn plan and its duality certificate.")
parser.add_argument("--full", action="store_true", help="big version (1000 grid points)")
args, _ = parser.parse_known_args()
n = 1000 if args.full else 120

# %%
# Two histograms on [0, 1] and the squared-distance cost.
x = np.linspace(0.0, 1.0, n)


def mixture(centers, widths, weights):
    h = sum(w * np.exp(-0.5 * ((x - c) / s) ** 2) for c, s, w in zip(centers, widths, weights))
    return h / h.sum()


a = mixture([0.2, 0.6], [0.05, 0.1], [0.4, 0.6])
b = mixture([0.35, 0.8], [0.08, 0.05], [0.7, 0.3])
C = (x[:, None] - x[None, :]) ** 2

res = sinkhorn(a, b, C, 1e-3)
print(res.message)
print(f"cost <C, P> = {res.cost:.6f}, primal = {res.objective:.6f}, "
      f"dual = {res.dual_objective:.6f}, gap = {res.duality_gap:.2e}")

# %%
# The plan, with ``a`` on the left and ``b`` on top.
fig = plt.figure(figsize=(6.4, 6.0))
grid = fig.add_gridspec(2, 2, width_ratios=(1, 4), height_ratios=(1, 4), wspace=0.05,
                        hspace=0.05)
ax = fig.add_subplot(grid[1, 1])
ax.imshow(res.plan, origin="lower", extent=(0, 1, 0, 1), cmap="magma_r", aspect="auto")
ax.set_xlabel(r"target position $y_j$")
ax.tick_params(labelleft=False)
top = fig.add_subplot(grid[0, 1], sharex=ax)
top.fill_between(x, b, color="tab:orange", alpha=0.7, label=r"$b$")
top.plot(x, res.plan.sum(axis=0), "k--", lw=1, label=r"$P^\top 1$")
top.legend(frameon=False, fontsize=8)
top.tick_params(labelbottom=False, labelleft=False)
left = fig.add_subplot(grid[1, 0], sharey=ax)
left.fill_betweenx(x, a, color="tab:blue", alpha=0.7, label=r"$a$")
left.plot(res.plan.sum(axis=1), x, "k--", lw=1, label=r"$P 1$")
left.invert_xaxis()
left.set_ylabel(r"source position $x_i$")
left.tick_params(labelbottom=False)
left.legend(frameon=False, fontsize=8, loc="lower left")
fig.suptitle(rf"Sinkhorn, $\varepsilon = 10^{{-3}}$, $n = {n}$: duality gap "
             rf"${res.duality_gap:.1e}$, marginal error ${res.marginal_error:.1e}$",
             fontsize=10)
plt.show()
