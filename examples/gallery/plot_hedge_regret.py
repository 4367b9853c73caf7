"""
Hedge regret against its bound
==============================

Hedge with the rate :math:`\\eta = \\sqrt{8 \\ln N / T}` has regret at most
:math:`\\ln N/\\eta + \\eta T/8 = \\sqrt{T \\ln N / 2}` on losses in :math:`[0, 1]^N`
(Cesa-Bianchi & Lugosi 2006, Thm 2.2; registered as ``online.hedge_regret``).  The figure plots
the final regret of :func:`equilibria.solvers.online.hedge` on three loss sequences against
the bound, over a range of horizons; then the registered theorem is checked on instances drawn
from its assumptions.

``--full`` goes to :math:`T = 10^5` with more horizons.
"""

import argparse

import matplotlib.pyplot as plt
import numpy as np

from equilibria.solvers import online as ol
from equilibria.verification import check

parser = argparse.ArgumentParser(description="Hedge regret against its bound.")
parser.add_argument("--full", action="store_true", help="big version (T up to 1e5)")
args, _ = parser.parse_known_args()
horizons = np.unique(np.logspace(1, 5 if args.full else 3.7, 16 if args.full else 9).astype(int))
N = 10

# %%
# Regret at each horizon, one run per kind of loss sequence.
fig, ax = plt.subplots(figsize=(6.4, 4.2))
for kind, marker in [("switching", "o"), ("ftl_trap", "s"), ("uniform", "^")]:
    regret = []
    for T in horizons:
        L = ol.adversarial_losses(int(T), N, kind=kind, seed=0)
        regret.append(ol.hedge(L, eta=np.sqrt(8 * np.log(N) / T)).regret)
    ax.plot(horizons, regret, marker=marker, label=f"measured, kind={kind!r}")
ax.plot(horizons, np.sqrt(horizons * np.log(N) / 2), "k-", lw=2,
        label=r"bound $\sqrt{T \ln N / 2}$")
ax.set_xscale("log")
lowest = min(min(line.get_ydata()) for line in ax.get_lines())
if lowest > 0:
    ax.set_yscale("log")       # the usual case: every measured regret is positive
else:                          # Hedge can beat the best expert: keep negative values visible
    ax.set_yscale("symlog", linthresh=1.0)
    ax.set_ylim(bottom=1.2 * lowest)
ax.set_xlabel(r"horizon $T$")
ax.set_ylabel(r"regret $R_T$")
ax.set_title(rf"Hedge, $N = {N}$, $\eta = \sqrt{{8 \ln N / T}}$")
ax.legend(frameon=False, fontsize=8)

# %%
# The same statement, checked by the registry on instances drawn from its assumptions.
print(check("online.hedge_regret", seed=0))
plt.show()
