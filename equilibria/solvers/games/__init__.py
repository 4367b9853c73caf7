"""Equilibrium and game solvers: monotone inclusions, saddle points, preference games.

- :func:`halpern`: Halpern (anchored) iteration for nonexpansive maps, cocoercive operators
  (forward / forward-backward map) and monotone Lipschitz operators (resolvent).
- :func:`vr_halpern`: variance-reduced Halpern for finite-sum monotone inclusions
  (Cai, Alacaoglu & Diakonikolas 2024).
- :func:`extragradient`: Korpelevich's extragradient for monotone Lipschitz operators.
- :func:`mirror_prox`: Nemirovski's Mirror Prox with Euclidean or entropic mirror maps on matrix
  games and convex-concave (finite-sum) games over simplices.
- :func:`nash_mirror_prox`: Nash Mirror Prox for beta-regularized preference games (Tiapkin et
  al. 2025): closed-form or policy-gradient prox steps (``method=``) with an exact or sampled
  preference oracle (``oracle=``); :func:`regularized_nash` computes the regularized
  equilibrium independently (Newton-type root solve).
- Problem data: :class:`FiniteSum`, :func:`linear_finite_sum`.
"""

from ._problems import FiniteSum, linear_finite_sum
from ._results import GameResult, HalpernResult, NashResult, OperatorResult
from ._checks import MonotonicityWarning
from .halpern import halpern, vr_halpern
from .mirror_prox import extragradient, mirror_prox
from .nash import nash_mirror_prox, regularized_nash

__all__ = [
    "halpern", "vr_halpern", "extragradient", "mirror_prox", "nash_mirror_prox",
    "regularized_nash", "FiniteSum", "linear_finite_sum", "HalpernResult", "OperatorResult",
    "GameResult", "NashResult", "MonotonicityWarning",
]
