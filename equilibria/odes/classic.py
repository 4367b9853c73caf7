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

    Parameters
    ----------
    r : array_like, shape (n,)
        Intrinsic growth rates, all > 0.
    K : array_like, shape (n,)
        Carrying capacities, all > 0.
    alpha : array_like, shape (n, n)
        Competition coefficients, all >= 0 (``alpha_ij``: effect of species ``j`` on ``i``).

    Returns
    -------
    LVSystem
        GLV system (``kind="glv"``) with rates ``r`` and interaction matrix
        ``A = -(r / K)[:, None] * alpha``.

    Raises
    ------
    ValueError
        If the shapes disagree, ``r`` or ``K`` is not positive, or ``alpha`` has a negative entry.
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
    ``phi(x) = x`` (GLV) or ``x / (1 + saturation x)`` (Holling II).

    Parameters
    ----------
    r : array_like, shape (n,)
        Intrinsic growth rates (any sign; negative for obligate mutualists).
    s : array_like, shape (n,)
        Self-limitation coefficients, all > 0.
    b : array_like, shape (n, n)
        Mutualistic benefits ``b_ij >= 0`` of species ``j`` to species ``i``; the diagonal is
        ignored.
    saturation : float >= 0, default 0
        Handling constant ``q`` of the Holling type II response; 0 gives the linear (GLV) form.

    Returns
    -------
    LVSystem
        For ``saturation = 0`` a GLV system with ``A = B - diag(s)`` (``B`` = ``b`` with zero
        diagonal); otherwise a ``kind="holling"`` system with ``A = -diag(s)``, ``M = B`` and
        ``q = saturation`` for every species.

    Raises
    ------
    ValueError
        If the shapes disagree, ``s`` is not positive, ``b`` has a negative entry or
        ``saturation < 0``.
    """
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
    r"""Replicator dynamics :math:`\dot x_i = x_i ((P x)_i - x^\top P x)` on the simplex.

    Parameters
    ----------
    payoff : array_like, shape (n, n)
        Payoff matrix ``P`` of the symmetric game (``P_ij``: payoff of strategy ``i`` against
        ``j``).

    Returns
    -------
    LVSystem
        System with ``kind="replicator"``, ``A = P`` and zero rates; states are strategy
        frequencies on the simplex.
    """
    P = check_square(payoff, "payoff")
    return LVSystem(r=np.zeros(P.shape[0]), A=P, kind="replicator")
