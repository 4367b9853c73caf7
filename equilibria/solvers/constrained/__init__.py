"""Constrained optimization.

- :func:`eal_sketch`: adaptive inexact Newton method on the exact augmented Lagrangian with
  randomized iterative sketching (Hong, Na, Mahoney, Kolar, ICML 2023) for
  ``min f(x) s.t. c(x) = 0``.
- :func:`primal_dual`: projected gradient descent-ascent on the Lagrangian of a convex problem
  ``min f(x) s.t. g(x) <= 0, x in box`` (optionally bounded multipliers).
- :func:`sketch_solve`: randomized sketch-and-project solver (Kaczmarz, block Kaczmarz,
  Gaussian).
- :func:`bilevel_maid`: bilevel learning with the method of adaptive inexact descent (MAID;
  Salehi, Mukherjee, Roberts, Ehrhardt 2025) -- inexact lower-level solves and hypergradients
  with an a posteriori error bound (:func:`hypergradient`), adaptive accuracies and step sizes;
  problems :func:`ridge_problem`, :func:`multi_ridge_problem`, :func:`tv_denoising_problem`
  (:class:`BilevelProblem` to bring your own).
"""

from .bilevel import (BilevelProblem, BilevelResult, HypergradientResult, MultiRidgeProblem,
                      RidgeProblem, TVDenoisingProblem, bilevel_maid, hypergradient,
                      multi_ridge_problem, ridge_problem, tv_denoising_problem)
from .eal import EALResult, RankDeficiencyWarning, eal_sketch
from .primal_dual import PrimalDualResult, primal_dual
from .sketch import sketch_solve

__all__ = ["eal_sketch", "EALResult", "RankDeficiencyWarning", "primal_dual",
           "PrimalDualResult", "sketch_solve", "bilevel_maid", "hypergradient", "BilevelResult",
           "HypergradientResult", "BilevelProblem", "RidgeProblem", "MultiRidgeProblem",
           "TVDenoisingProblem", "ridge_problem", "multi_ridge_problem", "tv_denoising_problem"]
