"""
3. The dynamics of your own model
=================================

Everything in :mod:`equilibria.odes` works on any vector field you write with numpy:
:class:`equilibria.odes.ODE` compiles ``f(x, p)`` with numba once, and named parameters
change without recompiling.  This tutorial takes the normal form of a *subcritical* Hopf
bifurcation (the Bautin normal form), in polar coordinates

.. math::

   \\dot r = r\\,(\\mu + \\beta r^2 - r^4), \\qquad \\dot\\theta = 1,

where a stable equilibrium (the origin, for :math:`\\mu < 0`) coexists with a stable limit cycle
(radius :math:`r_+^2 = (\\beta + \\sqrt{\\beta^2 + 4\\mu})/2`) when
:math:`-\\beta^2/4 < \\mu < 0`, separated by an unstable cycle.  Without using any of this, the
machinery finds the attractors and their basins, continues them along :math:`\\mu` and draws
the regime diagram over :math:`(\\mu, \\beta)`, which we compare with the formulas.
"""

import matplotlib.pyplot as plt
import numpy as np

from equilibria.odes import (ODE, Grid, basins_of_attraction, generic_regime_diagram,
                             global_continuation)

# %%
# The model
# ---------
# ``f(x, p)`` receives the state and the parameter vector in the order of ``params``.  Write
# it with numpy operations on small arrays; it is compiled (numba) when the ODE is built.


def bautin(x, p):
    mu, beta = p[0], p[1]
    rho = x[0] ** 2 + x[1] ** 2
    g = mu + beta * rho - rho ** 2
    return np.array([g * x[0] - x[1], g * x[1] + x[0]])


system = ODE(bautin, ["x", "y"], params={"mu": -0.1, "beta": 1.0}, name="Bautin normal form")
print(system.params, system.rhs([0.5, 0.0]))

# %%
# Basins of attraction
# --------------------
# A :class:`~equilibria.odes.Grid` of cells over the state space is the memory of the
# recurrence machine (Datseris & Wagemakers 2022): an orbit that keeps revisiting the same
# cells has found an attractor, which is then classified (fixed point with its spectrum,
# limit cycle with its period, ...).  Every grid point is an initial condition.  The dashed
# circle is the unstable cycle of radius :math:`r_-` (:math:`r_-^2 = (\beta - \sqrt{\beta^2 +
# 4\mu})/2`), the basin boundary the theory predicts.
grid = Grid.box([-1.6, -1.6], [1.6, 1.6], [81, 81])
basins = basins_of_attraction(system, grid, progress=False)
print(basins.message)
r_plus = np.sqrt((1.0 + np.sqrt(1.0 - 0.4)) / 2)
r_minus = np.sqrt((1.0 - np.sqrt(1.0 - 0.4)) / 2)
print(f"theory: stable cycle r = {r_plus:.4f}, unstable cycle (basin boundary) r = {r_minus:.4f}")
for a in basins.attractors:
    if a.kind != "fixed point":
        print(f"found:  {a.kind}, mean radius {np.hypot(*a.points.T).mean():.4f}")
        assert abs(np.hypot(*a.points.T).mean() - r_plus) < 0.02
assert sorted(a.kind for a in basins.attractors) == ["fixed point", "periodic orbit"]

fig = basins.plot(title=r"Bautin normal form, $\mu = -0.1$, $\beta = 1$")
t = np.linspace(0, 2 * np.pi, 200)
fig.axes[0].plot(r_minus * np.cos(t), r_minus * np.sin(t), "w--", lw=1.5)
fig.axes[0].set_aspect("equal")

# %%
# Continuation along :math:`\mu`
# ------------------------------
# :func:`~equilibria.odes.global_continuation` finds the attractors at every value from the
# same samples, seeds each value with the attractors of its neighbours, and matches them
# across values.  The limit cycle and the fixed point have the same centre, so match them by
# the Hausdorff distance of the sets (``distance="hausdorff"``), not by their centroids (the
# default, which would hand the origin's id to the cycle once the origin becomes unstable).
mus = np.linspace(-0.4, 0.2, 25)
gc = global_continuation(system, "mu", mus, grid, n=200, distance="hausdorff", progress=False)
print(gc.message)
print(f"theory: the cycle is born at mu = -beta^2/4 = {-0.25:.3f} (fold of cycles), the "
      "origin loses stability at mu = 0 (subcritical Hopf)")
# two attractors strictly inside the bistable interval, one outside it (up to one grid step)
inside = (mus > -0.25 + 0.03) & (mus < -0.03)
outside = (mus < -0.25 - 0.03) | (mus > 0.03)
assert np.all(gc.n_attractors[inside] == 2) and np.all(gc.n_attractors[outside] == 1)
fig = gc.plot(title=r"basin fractions along $\mu$ ($\beta = 1$)")

# %%
# A regime diagram over :math:`(\mu, \beta)`
# ------------------------------------------
# :func:`~equilibria.odes.generic_regime_diagram` does the same on a lattice of two parameters:
# per cell, the number of attractors and the kind of the dominant one.  The bistable region
# should be the wedge :math:`-\beta^2/4 < \mu < 0` (dashed: its two boundaries).
mu_v = np.linspace(-0.4125, 0.1875, 9)     # avoids the degenerate mu = 0
beta_v = np.linspace(0.15, 1.2, 7)
rd = generic_regime_diagram(system, "mu", mu_v, "beta", beta_v, grid, n=80, progress=False)
print(rd.message)
theory = (-beta_v[:, None] ** 2 / 4 < mu_v[None, :]) & (mu_v[None, :] < 0)
print("cells where found multistability agrees with the wedge:",
      f"{int((rd.multistable == theory).sum())}/{theory.size}")
assert (rd.multistable == theory).mean() >= 0.9
fig = rd.plot(title=r"regimes of the Bautin normal form")
b = np.linspace(beta_v[0], beta_v[-1], 100)
for ax in fig.axes[:2]:
    ax.plot(-b ** 2 / 4, b, "w--", lw=1.5)
    ax.axvline(0.0, color="w", ls="--", lw=1.5)
plt.show()
