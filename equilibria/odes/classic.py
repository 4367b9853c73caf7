"""Classic models on the same machinery (:class:`~equilibria.odes.systems.LVSystem`).

- :func:`lv_competition`: ``x_i' = r_i x_i (1 - sum_j alpha_ij x_j / K_i)`` (Lotka 1925,
  Volterra 1926).
- :func:`mutualism`: facultative mutualism, GLV with positive off-diagonal benefits, optionally
  saturating (Holling type II; Holland & DeAngelis 2010).
- :func:`replicator`: ``x_i' = x_i ((P x)_i - x^T P x)`` for a symmetric matrix game with payoff
  ``P`` (Taylor & Jonker 1978; Hofbauer & Sigmund 1998, Ch. 7).
"""

from __future__ import annotations

import numpy as np

from equilibria._lib.validation import as_float_array, check_scalar, check_square

from .systems import LVSystem

__all__ = ["lv_competition", "mutualism", "replicator"]


def lv_competition(r, K, alpha) -> LVSystem:
    r"""Lotka-Volterra competition :math:`\dot x_i = r_i x_i (1 - \sum_j \alpha_{ij} x_j/K_i)`.

    As a GLV system: ``A_ij = -r_i alpha_ij / K_i`` (``alpha_ii`` is usually 1).
    """
    alpha = check_square(alpha, "alpha")
    n = alpha.shape[0]
    r = as_float_array(r, "r", shape=(n,), positive=True)
    K = as_float_array(K, "K", shape=(n,), positive=True)
    if np.any(alpha < 0):
        raise ValueError("`alpha` (competition coefficients) must be non-negative")
    return LVSystem(r=r, A=-(r / K)[:, None] * alpha)


def mutualism(r, s, b, *, saturation: float = 0.0) -> LVSystem:
    r"""Mutualism :math:`\dot x_i = x_i (r_i - s_i x_i + \sum_{j\ne i} b_{ij} \phi(x_j))`,
    ``phi(x) = x`` (GLV) or ``x / (1 + saturation x)`` (Holling II)."""
    b = check_square(b, "b")
    n = b.shape[0]
    r = as_float_array(r, "r", shape=(n,))
    s = as_float_array(s, "s", shape=(n,), positive=True)
    if np.any(b < 0):
        raise ValueError("`b` (mutualistic benefits) must be non-negative")
    saturation = check_scalar(saturation, "saturation", lo=0)
    B = b - np.diag(np.diag(b))
    if saturation > 0:
        return LVSystem(r=r, A=-np.diag(s), kind="holling", M=B, q=np.full(n, saturation))
    return LVSystem(r=r, A=B - np.diag(s))


def replicator(payoff) -> LVSystem:
    r"""Replicator dynamics :math:`\dot x_i = x_i ((P x)_i - x^\top P x)` on the simplex."""
    P = check_square(payoff, "payoff")
    return LVSystem(r=np.zeros(P.shape[0]), A=P, kind="replicator")
