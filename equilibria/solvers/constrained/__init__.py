"""Constrained optimization.

- :func:`eal_sketch`: adaptive inexact Newton method on the exact augmented Lagrangian with
  randomized iterative sketching (Hong, Na, Mahoney, Kolar, ICML 2023) for
  ``min f(x) s.t. c(x) = 0``.
- :func:`primal_dual`: projected gradient descent-ascent on the Lagrangian of a convex problem
  ``min f(x) s.t. g(x) <= 0, x in box`` (optionally bounded multipliers).
- :func:`sketch_solve`: randomized sketch-and-project solver (Kaczmarz, block Kaczmarz,
  Gaussian).
"""

from .eal import EALResult, RankDeficiencyWarning, eal_sketch
from .primal_dual import PrimalDualResult, primal_dual
from .sketch import sketch_solve

__all__ = ["eal_sketch", "EALResult", "RankDeficiencyWarning", "primal_dual",
           "PrimalDualResult", "sketch_solve"]
