"""
MAID against fixed accuracy schedules
=====================================

Bilevel learning of a ridge parameter and of a smoothed-TV denoising weight: MAID (Salehi et
al. 2024) chooses the lower-level accuracy :math:`\\varepsilon_k` adaptively from an
a-posteriori bound on the hypergradient error, HOAG (Pedregosa 2016) fixes it a priori
(:math:`0.1 k^{-2}`, :math:`0.1 k^{-3}`, :math:`0.1 \\cdot 0.9^k`).  Left: the exact
hypergradient norm against the total lower-level iterations; right: the accuracy trajectory.
Then the registered theorems are checked.

``--full`` runs longer (more outer iterations, a longer TV signal).
"""

import argparse
import warnings

import matplotlib.pyplot as plt
import numpy as np

from equilibria._lib.result import ConvergenceWarning
from equilibria.solvers.constrained import bilevel as BL
from equilibria.solvers.constrained import bilevel_theorems  # noqa: F401 (registers them)
from equilibria.verification import check

parser = argparse.ArgumentParser(description="MAID against fixed accuracy schedules.")
parser.add_argument("--full", action="store_true", help="longer runs")
args, _ = parser.parse_known_args()
max_iter = 400 if args.full else 150

# %%
# Ridge parameter learning (exact hypergradient in closed form).
ridge = BL.ridge_problem(1)
fig = BL.bilevel_figure(ridge, max_iter=max_iter)
fig.suptitle("ridge parameter learning")

# %%
# 1-D smoothed-TV denoising, started at weight 0.1.
tv = BL.tv_denoising_problem(0, d=96 if args.full else 48)
fig2 = BL.bilevel_figure(tv, np.array([np.log(0.1)]), max_iter=max_iter)
fig2.suptitle("smoothed-TV denoising")

# %%
# What the figure shows, asserted: MAID certifies stationarity with fewer lower-level
# iterations than the quadratic and cubic schedules use in the same run.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    maid = BL.bilevel_maid(ridge, [0.0], max_iter=max_iter)
    quad = BL.bilevel_maid(ridge, [0.0], schedule="quadratic", max_iter=max_iter)
assert maid.success and np.linalg.norm(ridge.closed_form_hypergradient(maid.theta)) <= 1e-6
assert quad.lower_iterations > maid.lower_iterations
print(f"MAID: {maid.lower_iterations} lower-level iterations, HOAG quadratic: "
      f"{quad.lower_iterations} (success={quad.success})")

# %%
# The registered statements, checked on instances drawn from their assumptions.
for name in ("constrained.maid_stationarity", "constrained.maid_error_bound"):
    print(check(name, quick=True, seed=0))
plt.show()
