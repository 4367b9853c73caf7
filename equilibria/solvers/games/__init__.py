"""Equilibrium and game solvers: monotone inclusions, saddle points, preference games.

- :func:`halpern`: Halpern (anchored) iteration for nonexpansive maps, cocoercive operators
  (forward / forward-backward map) and monotone Lipschitz operators (resolvent).
- :func:`vr_halpern`: variance-reduced Halpern for finite-sum monotone inclusions
  (Cai, Alacaoglu & Diakonikolas 2024).
- :func:`extragradient`: Korpelevich's extragradient for monotone Lipschitz operators.
- :func:`mirror_prox`: Nemirovski's Mirror Prox with Euclidean or entropic mirror maps on matrix
  games and convex-concave (finite-sum) games over simplices.
- :func:`nash_mirror_prox`: Nash Mirror Prox for beta-regularized preference games (Tiapkin et
  al. 2025, arXiv:2505.19731v1, the Mirror Prox version; not the v2 Nash Prox): closed-form or
  policy-gradient prox steps (``method=``) with an exact or sampled preference oracle
  (``oracle=``); :func:`regularized_nash` computes the regularized
  equilibrium independently (Newton-type root solve).
- The n-firm linear Cournot market (:mod:`~.cournot`): :func:`cournot_game`,
  :func:`cournot_nash`, :func:`cournot_collusive`, :func:`cournot_deviation`,
  :func:`collusion_index`, :func:`grim_trigger_threshold` (with sanctions),
  :func:`best_response_dynamics`; Q-learning firms under a governance graph
  (:mod:`~.cournot_learning`): :func:`cournot_learning`, :class:`GovernanceGraph` with its
  HMAC-chained :class:`DecisionLog`, :func:`governance_diagram`; figures in
  :mod:`~.cournot_plots`.
- :func:`solve_zero_sum`: zero-sum matrix games to a certified duality gap at every size
  (HiGHS for small and medium games, restarted PDHG (Applegate et al. 2022) for large ones,
  chosen by size and a probe of PDHG's rate).
- Problem data: :class:`FiniteSum`, :func:`linear_finite_sum`.
"""

from ._problems import FiniteSum, linear_finite_sum
from ._results import GameResult, HalpernResult, NashResult, OperatorResult
from ._checks import MonotonicityWarning
from .halpern import halpern, vr_halpern
from .mirror_prox import extragradient, mirror_prox
from .nash import nash_mirror_prox, regularized_nash
from .cournot import (CournotGame, CournotOutcome, best_response_dynamics, collusion_index,
                      cournot_collusive, cournot_deviation, cournot_game, cournot_nash,
                      grim_trigger_threshold)
from .cournot_learning import (CournotLearningResult, DecisionLog, GovernanceDiagram,
                               GovernanceGraph, cournot_learning, governance_diagram)
from .cournot_plots import plot_collusion_over_time, plot_governance_diagram
from .zero_sum import ZeroSumResult, solve_zero_sum
from .risk_averse import (RiskAverseResult, crash_game, mean_variance_best_response,
                          reward_covariance, reward_variance, risk_averse_equilibrium,
                          risk_averse_fictitious_play, risk_averse_gap, stag_hunt,
                          support_enumeration)
from .risk_averse_plots import plot_fictitious_play_basins, plot_mean_variance_frontier

__all__ = [
    "halpern", "vr_halpern", "extragradient", "mirror_prox", "nash_mirror_prox",
    "regularized_nash", "FiniteSum", "linear_finite_sum", "HalpernResult", "OperatorResult",
    "GameResult", "NashResult", "MonotonicityWarning",
    "cournot_game", "cournot_nash", "cournot_collusive", "cournot_deviation", "collusion_index",
    "grim_trigger_threshold", "best_response_dynamics", "CournotGame", "CournotOutcome",
    "cournot_learning", "governance_diagram", "GovernanceGraph", "DecisionLog",
    "CournotLearningResult", "GovernanceDiagram", "plot_collusion_over_time",
    "plot_governance_diagram", "solve_zero_sum", "ZeroSumResult",
    "reward_variance", "reward_covariance", "mean_variance_best_response", "risk_averse_gap",
    "risk_averse_equilibrium", "risk_averse_fictitious_play", "RiskAverseResult",
    "support_enumeration", "stag_hunt", "crash_game", "plot_mean_variance_frontier",
    "plot_fictitious_play_basins",
]
