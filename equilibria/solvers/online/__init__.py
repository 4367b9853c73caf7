"""Online learning: FTRL, OMD, Hedge, optimistic and SEA-adaptive variants, log-barrier FTRL,
Online Newton Step, loss generators and no-regret self-play in zero-sum matrix games.

Public API
----------
- decision sets (``domain=``): :class:`Simplex`, :class:`Ball`, :class:`Box` (shared with the
  other rooms, defined in :mod:`equilibria._lib.sets`; :func:`diameter` is
  ``domain.diameter(d)``);
- functions over a loss/gradient sequence (return :class:`OnlineResult`): :func:`hedge`,
  :func:`ogd`, :func:`omd`, :func:`ftrl`, :func:`log_barrier_ftrl`, :func:`optimistic_omd`,
  :func:`optimistic_ftrl`, :func:`sea_omd`;
- Online Newton Step: :func:`ons` (portfolio selection, :class:`ONSResult`), :func:`best_crp`
  (cvxpy reference), :func:`ons_parameters`;
- stateful learners (``predict()`` / ``update(g)``): :class:`Hedge`, :class:`OGD`, :class:`OMD`,
  :class:`FTRL`, :class:`LogBarrierFTRL`, :class:`OptimisticOMD`, :class:`OptimisticFTRL`,
  :class:`SEAOMD`, :class:`ONS`;
- games: :func:`selfplay`, :func:`matrix_game` (:class:`SelfPlayResult`);
- zeroth-order optimisation from rankings: :func:`zo_ranksgd` (ZO-RankSGD,
  :class:`ZORankResult`), :func:`ranking_oracle` / :class:`RankingOracle`,
  :func:`rank_gradient_estimate`;
- loss generators: :func:`adversarial_losses`, :func:`stochastic_losses`, :func:`sea_losses`;
- numba kernels callable from other ``@njit`` code: :func:`log_barrier_kernel`,
  :func:`tsallis_kernel`.
"""

from equilibria._lib.sets import Ball, Box, Simplex

from ._common import OnlineResult
from ._kernels import log_barrier_kernel, tsallis_kernel
from .algorithms import (diameter, ftrl, hedge, log_barrier_ftrl, ogd, omd, optimistic_ftrl,
                         optimistic_omd, sea_omd)
from .games import SelfPlayResult, matrix_game, optimistic_hedge_gap_bound, selfplay
from .learners import (FTRL, OGD, OMD, SEAOMD, Hedge, LogBarrierFTRL, OptimisticFTRL,
                       OptimisticOMD)
from .losses import SEALosses, adversarial_losses, sea_losses, stochastic_losses
from .ons import ONS, ONSResult, best_crp, ons, ons_parameters
from .zeroth import RankingOracle, ZORankResult, rank_gradient_estimate, ranking_oracle, zo_ranksgd

__all__ = [
    "Simplex", "Ball", "Box",
    "OnlineResult", "log_barrier_kernel", "tsallis_kernel", "hedge", "ogd", "omd", "ftrl",
    "log_barrier_ftrl", "optimistic_omd", "optimistic_ftrl", "sea_omd", "diameter",
    "SelfPlayResult", "selfplay", "matrix_game", "optimistic_hedge_gap_bound",
    "Hedge", "OGD", "OMD", "FTRL", "LogBarrierFTRL", "OptimisticOMD", "OptimisticFTRL", "SEAOMD",
    "SEALosses", "sea_losses", "adversarial_losses", "stochastic_losses",
    "ONS", "ONSResult", "ons", "best_crp", "ons_parameters",
    "zo_ranksgd", "ZORankResult", "RankingOracle", "ranking_oracle", "rank_gradient_estimate",
]
