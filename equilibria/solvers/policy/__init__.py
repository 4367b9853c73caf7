"""Regularized policy optimization and reward hacking on finite models.

- Models (:mod:`.envs`): :func:`correlated_proxy_bandit` (the default Goodhart environment),
  :func:`ensemble_proxy_bandit` (GARDO), :func:`composite_bandit` (Constrained RLHF),
  :func:`random_mdp` (occupancy measures).
- Algorithms (``oracle="exact"`` or ``"sampled"`` gradients): :func:`policy_gradient`
  (none / KL / chi^2),
  :func:`constrained_rlhf` (+ :func:`threshold_search`, :func:`fixed_weight_grid`,
  :func:`proxy_points`), :func:`gardo`, :func:`best_of_n_sampling`,
  :func:`chi2_occupancy_policy` (``method="cvxpy"``, or ``method="ascent"`` through the
  occupancy measure with an exact or sampled oracle).
- Analysis and figures: :func:`goodhart_curve`, :mod:`.plots`; CLI ``equilibria goodhart``.

Closed forms live in :mod:`equilibria.theory.alignment`.
"""

from .constrained import (ConstrainedRun, constrained_optimum, constrained_rlhf,
                          fixed_weight_grid, proxy_points, threshold_search,
                          thresholds_feasible)
from .envs import (CompositeBandit, ProxyBandit, TabularMDP, composite_bandit,
                   correlated_proxy_bandit, ensemble_proxy_bandit, random_mdp)
from .gardo import diversity_scores, gardo
from .goodhart import GoodhartCurve, goodhart_curve
from .gradient import best_of_n_sampling, policy_gradient
from .occupancy import OccupancyResult, chi2_occupancy_policy, policy_from_occupancy
from ._common import PolicyRun

__all__ = [
    "policy_gradient", "constrained_rlhf", "gardo", "best_of_n_sampling", "goodhart_curve",
    "GoodhartCurve", "PolicyRun", "ConstrainedRun", "OccupancyResult", "constrained_optimum",
    "threshold_search", "fixed_weight_grid", "proxy_points", "thresholds_feasible",
    "chi2_occupancy_policy", "policy_from_occupancy", "diversity_scores", "ProxyBandit",
    "CompositeBandit", "TabularMDP", "correlated_proxy_bandit", "ensemble_proxy_bandit",
    "composite_bandit", "random_mdp",
]
