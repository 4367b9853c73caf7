"""Warm the bandits kernels once per session (compilation or cache load)."""

import numpy as np
import pytest


@pytest.fixture(scope="session", autouse=True)
def warm_kernels():
    from equilibria.bandits import (OFS, UCB1, BernoulliArms, DynamicalLinearBandit, DynLinUCB,
                                    LinearBandit, LinUCB, ThresholdEnvironment, simulate)

    simulate(BernoulliArms([0.2, 0.8]), UCB1(), 10, n_runs=1, seed=0)
    simulate(LinearBandit.random(3, 2), LinUCB(), 10, n_runs=1, seed=0)
    simulate(DynamicalLinearBandit.random(), DynLinUCB(), 10, n_runs=1, seed=0)
    simulate(ThresholdEnvironment(), OFS(), 20, n_runs=1, seed=0)
    return np.zeros(1)
