"""
Risk-averse equilibrium: the mean-variance frontier and fictitious-play basins
==============================================================================

A risk-averse player (Slumbers et al. 2023, arXiv:2205.15434) wants "the strategy with
minimum variance, given any level of expected utility", the variance taken over the
opponent's randomisation.  :func:`equilibria.solvers.games.risk_averse_equilibrium` finds a
profile where each player maximises the mean-variance utility
:math:`x^\\top A y - \\lambda\\, x^\\top \\Sigma_A(y)\\, x` against the other (the certificate is
the larger Frank-Wolfe gap of the two players).

First the crash game (:func:`~equilibria.solvers.games.risk_averse.crash_game`): the opponent
swerves into the fast lane with probability 0.001 (a tremble of 0.003 spread over its three
actions); the fast lane still has the larger mean, so a Nash player takes it, while the
risk-averse player stays on the efficient frontier near the safe action.  Then the stag hunt
with a safe hare: risk aversion shrinks the basin of the payoff-dominant (stag, stag).
"""

import matplotlib.pyplot as plt

from equilibria.solvers.games import risk_averse as ra
from equilibria.solvers.games import risk_averse_plots as rp

A, B = ra.crash_game()
for lam in (0.0, 1.0):
    res = ra.risk_averse_equilibrium(A, B, risk_aversion=lam, tremble=0.003)
    print(f"lambda = {lam}: x = {res.x.round(3)}, mean {res.means[0]:.3f}, "
          f"variance {res.variances[0]:.3g}, certificate {res.certificate:.1e}")

# %%
# The row player's frontier against the opponent's equilibrium strategy.
fig = rp.plot_mean_variance_frontier(A, B, risk_aversion=1.0, tremble=0.003)

# %%
# Fictitious play from every pair of initial beliefs in the stag hunt R=4, S=0, T=P=3
# (hare is safe and risk dominant), risk neutral and risk averse.
S, _ = ra.stag_hunt()
fig, axes = plt.subplots(1, 2, figsize=(11, 5.4), layout="constrained")
for ax, lam in zip(axes, (0.0, 0.25)):
    rp.plot_fictitious_play_basins(S, S.T, risk_aversion=lam, grid=31, max_iter=300, ax=ax)
plt.show()
