"""
Bandit regret curves
====================

Four policies of :mod:`equilibria.bandits` on a five-armed Bernoulli bandit, simulated by the
compiled engine (50 seeded runs each), plotted with
:func:`equilibria.bandits.plot_regret`: mean pseudo-regret with a 95% band.  The stochastic
policies (UCB1, KL-UCB, Thompson sampling) grow like :math:`\\log T`, EXP3, tuned for
adversaries, like :math:`\\sqrt{KT}`.

``--full`` runs a horizon of :math:`10^5` with 200 runs.
"""

import argparse

import matplotlib.pyplot as plt

from equilibria.bandits import EXP3, KLUCB, UCB1, BernoulliArms, ThompsonSampling, plot_regret
from equilibria.bandits import simulate

parser = argparse.ArgumentParser(description="Bandit regret curves.")
parser.add_argument("--full", action="store_true", help="big version (T = 1e5, 200 runs)")
args, _ = parser.parse_known_args()
horizon, n_runs = (100_000, 200) if args.full else (5_000, 50)

env = BernoulliArms([0.1, 0.3, 0.5, 0.6, 0.7])
results = [simulate(env, policy, horizon, n_runs=n_runs, seed=0, progress=False)
           for policy in (UCB1(), KLUCB(), ThompsonSampling(), EXP3())]
for res in results:
    print(res.summary())

# %%
fig = plot_regret(results, logx=True,
                  title=rf"Bernoulli arms $\mu = (0.1, 0.3, 0.5, 0.6, 0.7)$, {n_runs} runs")
plt.show()
