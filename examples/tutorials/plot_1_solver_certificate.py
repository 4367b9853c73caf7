"""
1. Call a solver and read its certificate
=========================================

Every solver of the package returns a frozen dataclass of one family,
:class:`equilibria.verification.Result`: the fixed core ``success``, ``status``, ``message``,
``n_iter``, then the solver's own fields, and among them a *certificate*, a number you can
check without trusting the solver.  This tutorial calls two solvers, reads their fields, asks
one of them for the impossible to see how a failure looks, and checks the certificates
independently.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np

from equilibria.solvers.games import mirror_prox
from equilibria.solvers.ot import sinkhorn
from equilibria.verification import ConvergenceWarning, Status, duality_gap

# %%
# Entropic optimal transport
# --------------------------
# Two histograms on a grid of :math:`[0, 1]` and the squared-distance cost.
# :func:`~equilibria.solvers.ot.sinkhorn` solves
# :math:`\min_P \langle C, P\rangle + \varepsilon\,\mathrm{KL}(P \,\|\, a b^\top)` over plans with
# marginals ``a`` and ``b``.
n = 80
x = np.linspace(0.0, 1.0, n)
a = np.exp(-0.5 * ((x - 0.3) / 0.08) ** 2)
a /= a.sum()
b = 0.5 * np.exp(-0.5 * ((x - 0.6) / 0.05) ** 2) + np.exp(-0.5 * ((x - 0.85) / 0.04) ** 2)
b /= b.sum()
C = (x[:, None] - x[None, :]) ** 2

res = sinkhorn(a, b, C, 1e-2)
print(type(res).__name__, "success:", res.success, "status:", Status(res.status).name)
print("message:", res.message)
print("iterations:", res.n_iter)

# %%
# The certificate.  The returned plan is rounded onto the transport polytope, so it is feasible
# and its objective is an upper bound on the optimal value; the dual objective at the returned
# potentials is a lower bound.  Their difference bounds the suboptimality of the plan.
print(f"primal objective  {res.objective:.8f}")
print(f"dual objective    {res.dual_objective:.8f}")
print(f"duality gap       {res.duality_gap:.2e}   (objective - dual_objective)")
print(f"marginal error    {res.marginal_error:.2e}   (of the iterate the stopping rule saw)")

# %%
# Do not trust it: check the plan's marginals and recompute the primal objective from the
# definition.
P = res.plan
print("row sums - a:   ", np.abs(P.sum(axis=1) - a).max())
print("column sums - b:", np.abs(P.sum(axis=0) - b).max())
mask = P > 0
kl = np.sum(P[mask] * np.log(P[mask] / np.outer(a, b)[mask])) - P.sum() + 1.0
primal = np.sum(C * P) + 1e-2 * kl
print(f"primal recomputed {primal:.8f}  (solver: {res.objective:.8f})")
assert res.success and np.allclose(P.sum(axis=1), a, rtol=0, atol=1e-12)
assert np.allclose(P.sum(axis=0), b, rtol=0, atol=1e-12)
assert abs(primal - res.objective) <= 1e-10 and res.dual_objective <= res.objective + 1e-12

# %%
# A failure is never silent
# -------------------------
# With a budget of 5 iterations the stopping rule cannot be met: ``success`` is ``False``, the
# ``status`` says why, the message says what to change, and a
# :class:`~equilibria.verification.ConvergenceWarning` is emitted.  The fields are still filled
# (the last iterate and its certificate, which is still valid, only loose).
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    short = sinkhorn(a, b, C, 1e-2, max_iter=5)
print("success:", short.success, "status:", Status(short.status).name)
print("message:", short.message)
print("warnings:", [w.category.__name__ for w in caught])
print(f"gap after 5 iterations: {short.duality_gap:.2e}")
assert not short.success and any(issubclass(w.category, ConvergenceWarning) for w in caught)

# %%
# A matrix game
# -------------
# :func:`~equilibria.solvers.games.mirror_prox` on rock-paper-scissors with a bonus: the row
# player minimizes :math:`x^\top A y`.  Its certificate is the duality gap of the averaged
# strategies, :math:`\max_y \bar x^\top A y - \min_x x^\top A \bar y`, which for a matrix game
# is computed exactly; :func:`equilibria.verification.duality_gap` recomputes it from the
# strategies alone.
A = np.array([[0.0, 1.0, -1.0], [-1.0, 0.0, 2.0], [1.0, -1.0, 0.0]])
game = mirror_prox(A, max_iter=5000, tol=1e-3)
print(game.message)
print("x_avg =", game.x_avg.round(4), " y_avg =", game.y_avg.round(4))
print(f"gap (solver) {game.gap:.3e}, gap (recomputed) {duality_gap(A, game.x_avg, game.y_avg):.3e}")
print("oracle calls:", game.oracle_calls, "for", game.n_iter, "iterations")
assert game.success and np.isclose(game.gap, duality_gap(A, game.x_avg, game.y_avg), rtol=1e-9)

# %%
# The gap history against the registered bound of the entropy setup,
# :math:`\max_{ij}|A_{ij}|\,(\ln n + \ln m) / T` (theorem ``games.mirror_prox_entropy``).
T = np.arange(1, game.gap_history.size + 1)
fig, ax = plt.subplots(figsize=(6.4, 4.0))
ax.loglog(T, game.gap_history, label="certified gap of the averages")
ax.loglog(T, np.abs(A).max() * 2 * np.log(3) / T, "k--", label=r"bound $\max|A|\,(\ln n+\ln m)/T$")
ax.axhline(1e-3, color="grey", lw=0.8, ls=":", label="tol")
ax.set_xlabel("iteration $T$")
ax.set_ylabel("duality gap")
ax.set_title("Mirror Prox on a 3 x 3 matrix game")
ax.legend(frameon=False, fontsize=8)
fig.tight_layout()
plt.show()
