"""Regularized policy optimization and reward hacking on finite models.

- Models (:mod:`.envs`): :func:`correlated_proxy_bandit` (the default Goodhart environment),
  :func:`ensemble_proxy_bandit` (GARDO), :func:`composite_bandit` (Constrained RLHF),
  :func:`random_mdp` (occupancy measures).
- Algorithms (``oracle="exact"`` or ``"sampled"`` gradients): :func:`policy_gradient`
  (none / KL / chi^2),
  :func:`constrained_rlhf` (+ :func:`threshold_search`, :func:`fixed_weight_grid`,
  :func:`proxy_points`), :func:`gardo` (``variant="official"``: the authors' code, with its
  mechanisms :func:`rank_uncertainty`, :func:`uncertainty_gate`, :func:`adapt_kl_fraction`,
  :func:`reference_reset_due`, :func:`diversity_advantage`), :func:`best_of_n_sampling`,
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
from .gardo import (OFFICIAL_DEFAULTS, adapt_kl_fraction, diversity_advantage, diversity_scores,
                    gardo, rank_uncertainty, reference_reset_due, uncertainty_gate)
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
    "composite_bandit", "random_mdp", "rank_uncertainty", "uncertainty_gate",
    "adapt_kl_fraction", "reference_reset_due", "diversity_advantage", "OFFICIAL_DEFAULTS",
]
