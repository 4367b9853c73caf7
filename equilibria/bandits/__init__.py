"""Bandit environments, policies and the compiled simulation engine.

>>> from equilibria.bandits import BernoulliArms, UCB1, simulate
>>> res = simulate(BernoulliArms([0.1, 0.5, 0.9]), UCB1(), horizon=1000, n_runs=20, seed=0)
>>> res.regret.shape
(20, 1000)

Environments: :class:`BernoulliArms`, :class:`GaussianArms`, :class:`BoundedArms`,
:class:`AdversarialSequence` (hard instances as constructors), :class:`LinearBandit`,
:class:`DynamicalLinearBandit`, :class:`ThresholdEnvironment`, :func:`bai_instance`.
Policies are named after their algorithms (``UCB1()``, ``KLUCB()``, ``EXP3()``, ...), each
with its paper's default tuning.  Theorems live in :mod:`equilibria.bandits.theorems`.
"""

from .engine import BanditResult, checkpoint_grid, simulate
from .environments import (AdversarialSequence, BernoulliArms, BoundedArms,
                           DynamicalLinearBandit, GaussianArms, LinearBandit,
                           ThresholdEnvironment, bai_instance)
from .plots import plot_pulls, plot_regret
from .policies import (EXP3, EXP3IX, KLUCB, MOSS, OFS, UCB1, UCBE, UCBV, DPSequentialHalving,
                       DynLinUCB, LinearThompsonSampling, LinUCB, LogBarrierFTRL,
                       PrimalDualThreshold, RoundRobin, SequentialHalving, SuccessiveRejects,
                       ThompsonSampling, TsallisINF, UnconstrainedThreshold)

__all__ = [
    "simulate", "BanditResult", "checkpoint_grid",
    "BernoulliArms", "GaussianArms", "BoundedArms", "AdversarialSequence", "LinearBandit",
    "DynamicalLinearBandit", "ThresholdEnvironment", "bai_instance",
    "UCB1", "UCBV", "KLUCB", "MOSS", "ThompsonSampling", "EXP3", "EXP3IX", "TsallisINF",
    "LogBarrierFTRL", "UCBE", "SuccessiveRejects", "SequentialHalving", "DPSequentialHalving",
    "RoundRobin", "LinUCB", "LinearThompsonSampling", "DynLinUCB", "OFS",
    "PrimalDualThreshold", "UnconstrainedThreshold", "plot_regret", "plot_pulls",
]
