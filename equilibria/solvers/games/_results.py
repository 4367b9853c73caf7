"""Result types of the game solvers (subclasses of :class:`equilibria._lib.result.Result`)."""

from __future__ import annotations

import dataclasses

import numpy as np

from equilibria._lib.result import Result

__all__ = ["HalpernResult", "OperatorResult", "GameResult", "NashResult"]


@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class HalpernResult(Result):
    """Result of :func:`~equilibria.solvers.games.halpern` and :func:`vr_halpern`.

    Attributes
    ----------
    x : ndarray
        Last iterate.
    residual : float
        Computable residual at ``x`` (``||x - T x||``, ``||F(x)||`` or the resolvent residual,
        see the solver).
    residual_history : ndarray
        Residual at every iterate where it was computed (for :func:`vr_halpern`: at the
        full-pass iterations only).
    oracle_calls : int
        Operator evaluations (component evaluations for finite sums; one call of ``T`` or ``F``
        counts once for plain operators).
    mode : str
        Which Halpern variant ran.
    """

    x: np.ndarray
    residual: float
    residual_history: np.ndarray
    oracle_calls: int
    mode: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class OperatorResult(Result):
    """Result of :func:`~equilibria.solvers.games.extragradient` on an operator.

    Attributes
    ----------
    x : ndarray
        Last iterate.
    x_avg : ndarray
        Average of the extrapolation points (the ergodic iterate of the O(1/T) gap bound).
    residual : float
        ``||F(x)||`` (or the projected natural residual with a projection) at ``x``.
    residual_history : ndarray
    oracle_calls : int
    """

    x: np.ndarray
    x_avg: np.ndarray
    residual: float
    residual_history: np.ndarray
    oracle_calls: int


@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class GameResult(Result):
    """Result of :func:`~equilibria.solvers.games.mirror_prox` on a game over simplices.

    Attributes
    ----------
    x, y : ndarray
        Last iterates of the minimizing (row) and maximizing (column) player.
    x_avg, y_avg : ndarray
        Averages of the extrapolation points (the iterates of Nemirovski's bound).
    gap : float
        Duality gap of ``(x_avg, y_avg)``.
    gap_history : ndarray
        Duality gap of the averaged iterates after each iteration.
    oracle_calls : int
        Gradient (operator) evaluations, two per iteration.
    """

    x: np.ndarray
    y: np.ndarray
    x_avg: np.ndarray
    y_avg: np.ndarray
    gap: float
    gap_history: np.ndarray
    oracle_calls: int

    @property
    def gap_last(self) -> float:
        """Alias of ``gap`` (gap of the averaged iterates)."""
        return self.gap


@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class NashResult(Result):
    """Result of :func:`~equilibria.solvers.games.nash_mirror_prox`.

    Attributes
    ----------
    pi : ndarray
        Last iterate (the policy; Nash-MP has last-iterate guarantees).
    gap : float
        Regularized exploitability of ``pi``
        (:func:`equilibria.verification.regularized_exploitability`).
    gap_history : ndarray
        Regularized exploitability after each iteration (index 0: the starting policy).
    kl_history : ndarray or None
        ``KL(pi_star || pi_k)`` per iteration when ``pi_star`` was given.
    n_queries : int
        Preference queries.  ``oracle="exact"``: one query is one evaluation of the preference
        vector ``P @ pi`` (two per iteration), the paper's ``N``.  ``oracle="sampled"``: the
        number of sampled pairwise comparisons (``2 * K * n_samples`` per iteration with
        ``method="closed_form"``, ``2 * pg_max_iter * n_samples`` with ``method="pg"``).
    """

    pi: np.ndarray
    gap: float
    gap_history: np.ndarray
    kl_history: np.ndarray | None
    n_queries: int
