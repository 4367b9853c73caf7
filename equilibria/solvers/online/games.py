r"""No-regret self-play in two-player zero-sum matrix games.

Both players of :math:`\min_{x\in\Delta_n}\max_{y\in\Delta_m} x^\top A y` run (optimistic) Hedge
against each other; the averaged strategies :math:`(\bar x_T, \bar y_T)` form an
:math:`\varepsilon`-equilibrium with :math:`\varepsilon = (R^x_T + R^y_T)/T` equal to their
duality gap (Freund & Schapire 1999).  The gap is certified by
:func:`equilibria.verification.duality_gap`.

References
----------
.. [1] Freund, Y., Schapire, R. (1999). Adaptive game playing using multiplicative weights.
   GEB 29.
.. [2] Syrgkanis, V., Agarwal, A., Luo, H., Schapire, R. (2015). Fast convergence of regularized
   learning in games. NeurIPS, Prop. 7 (RVU of optimistic Hedge) and Thm 4.
.. [3] Rakhlin, A., Sridharan, K. (2013). Optimization, learning, and games with predictable
   sequences. NeurIPS.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from equilibria._lib.result import Result, Status, finish
from equilibria._lib.rng import as_generator
from equilibria._lib.validation import as_float_array, check_int, check_option, check_scalar
from equilibria.verification import duality_gap

from . import _kernels as K
from ._common import check_size

__all__ = ["SelfPlayResult", "selfplay", "matrix_game", "optimistic_hedge_gap_bound"]


@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class SelfPlayResult(Result):
    """Outcome of :func:`selfplay`.

    Attributes
    ----------
    x, y : ndarray
        Averaged strategies :math:`\\bar x_T, \\bar y_T`.
    gap : float
        Duality gap of ``(x, y)`` (:func:`equilibria.verification.duality_gap`).
    gap_t : ndarray, shape (T,)
        Duality gap of the averaged strategies after each round.
    regret_x, regret_y : float
        External regrets of the two players (``regret_x + regret_y = T * gap``).
    eta : float
    """

    x: np.ndarray
    y: np.ndarray
    gap: float
    gap_t: np.ndarray
    regret_x: float
    regret_y: float
    eta: float


def optimistic_hedge_gap_bound(A, T, eta) -> float:
    r"""Bound on the duality gap of averaged optimistic-Hedge self-play, ``eta <= 1/(2 max|A|)``.

    .. math::  \operatorname{gap}(\bar x_T, \bar y_T) \le \frac{\ln n + \ln m}{\eta T}
               + \frac{2\eta\,\max|A|^2}{T}.

    Sum of the two players' RVU bounds (Syrgkanis et al. 2015, Prop. 7: optimistic Hedge has
    :math:`\alpha = \ln N/\eta`, :math:`\beta = \eta`, :math:`\gamma = 1/(4\eta)` in the norms
    :math:`\|\cdot\|_1/\|\cdot\|_\infty`).  With :math:`\|A(y_t - y_{t-1})\|_\infty \le
    \max|A|\,\|y_t - y_{t-1}\|_1` the cross terms cancel when :math:`\eta\le 1/(2\max|A|)`
    except in round 1, where the hint is :math:`M_1 = 0` and :math:`\|u_1 - M_1\|_\infty^2 \le
    \max|A|^2` per player: hence the second term (:math:`= 1/(2\eta T)` at
    :math:`\eta = 1/(2\max|A|)`), which the often-quoted :math:`(\ln n + \ln m)/(\eta T)` omits.

    Parameters
    ----------
    A : array_like, shape (n, m)
        Loss matrix of the row player.
    T : int
        Number of rounds, ``>= 1``.
    eta : float
        Learning rate ``> 0`` of both players (the bound needs ``eta <= 1/(2 max|A|)``).

    Returns
    -------
    float
        The right-hand side :math:`(\ln n + \ln m)/(\eta T) + 2\eta\max|A|^2/T`.

    Raises
    ------
    ValueError
        If ``A`` is not a finite non-empty matrix, ``T < 1``, ``eta <= 0`` or
        ``eta > 1/(2 max|A|)`` (outside the theorem's assumption), or if the bound overflows.
    TypeError
        If an argument is not numeric (``T`` must be an integer).
    """
    A = as_float_array(A, "A", ndim=2, min_size=1)
    T = check_int(T, "T", lo=1)
    eta = check_scalar(eta, "eta", lo=0, lo_inclusive=False)
    n, m = A.shape
    a = float(np.max(np.abs(A)))
    if a > 0 and eta * 2.0 * a > 1.0 + 1e-12:
        raise ValueError(f"`eta`={eta:g} exceeds 1/(2 max|A|) = {0.5 / a:g} for this `A`: the "
                         "bound holds only for eta <= 1/(2 max|A|)")
    with np.errstate(over="ignore"):
        bound = (np.log(n) + np.log(m)) / eta / T + 2.0 * eta * a * (a / T)
    if not np.isfinite(bound):
        raise ValueError(f"the bound overflows for `eta`={eta:g}, `T`={T} and `A` with "
                         f"max|A|={a:g}; rescale `A` or increase `eta`")
    return float(bound)


def selfplay(A, T, *, eta=None, method="optimistic_hedge") -> SelfPlayResult:
    r"""Run no-regret self-play for ``T`` rounds in the zero-sum game ``min_x max_y x^T A y``.

    .. math::

        x_t \propto \exp\big(-\eta(\textstyle\sum_{s<t} A y_s + M^x_t)\big), \qquad
        y_t \propto \exp\big(\eta(\textstyle\sum_{s<t} A^\top x_s - M^y_t)\big),

    with hints :math:`M^x_t = A y_{t-1}`, :math:`M^y_t = -A^\top x_{t-1}` (``"optimistic_hedge"``)
    or 0 (``"hedge"``).  Theorem (:func:`optimistic_hedge_gap_bound`, ``online.selfplay_gap``):
    with :math:`\eta = 1/(2\max|A|)` the gap of the averages is :math:`O((\ln n + \ln m)/T)`.

    Parameters
    ----------
    A : array_like, shape (n, m)
        Loss of the row player (finite).  The all-zero matrix is a valid degenerate game: every
        pair of strategies is an equilibrium (gap 0).
    T : int
        Rounds, ``>= 1`` (the per-round gaps ``gap_t`` must fit in memory).
    eta : float, optional
        Learning rate ``> 0``; default ``1/(2 max|A|)`` for optimistic Hedge and
        ``sqrt(8 ln(max(n, m)) / T) / (2 max|A|)`` for Hedge (with ``max|A|`` replaced by 1
        for the all-zero matrix).
    method : {"optimistic_hedge", "hedge"}

    Returns
    -------
    SelfPlayResult
    """
    A = as_float_array(A, "A", ndim=2, min_size=1)
    T = check_size("T", T, what="the per-round gaps `gap_t`")
    check_option(method, "method", ("optimistic_hedge", "hedge"))
    a = float(np.abs(A).max())
    if a == 0:  # degenerate game: every strategy pair is an equilibrium; any step size works
        a = 1.0
    if eta is None:
        eta = 1.0 / (2 * a) if method == "optimistic_hedge" else \
            np.sqrt(8 * np.log(max(A.shape + (2,))) / T) / (2 * a)
    eta = check_scalar(eta, "eta", lo=0, lo_inclusive=False)
    n, m = A.shape
    x, y = np.empty(n), np.empty(m)
    gap_t = np.empty(T)
    regs = np.zeros(2)
    K.selfplay_loop(A, T, eta, method == "optimistic_hedge", x, y, gap_t, regs)
    ok = bool(np.all(np.isfinite(gap_t)))
    gap = duality_gap(A, x, y) if ok else np.nan
    return finish(SelfPlayResult, success=ok, status=Status.SUCCESS if ok else Status.NUMERICAL,
                  message=f"completed {T} rounds" if ok else "non-finite iterates; lower `eta`",
                  n_iter=T, x=x, y=y, gap=float(gap), gap_t=gap_t, regret_x=float(regs[0]),
                  regret_y=float(regs[1]), eta=eta)


def matrix_game(n, m, *, kind="uniform", seed=None) -> np.ndarray:
    """A random zero-sum game matrix in ``[-1, 1]^{n x m}``.

    ``kind``: ``"uniform"`` (i.i.d. uniform entries), ``"rps"`` (generalized rock-paper-scissors:
    ``n = m``, cyclic; unique uniform equilibrium), ``"gaussian"`` (clipped standard normal / 3).

    Parameters
    ----------
    n, m : int
        Numbers of rows (row player's actions) and columns, ``>= 1``; ``kind="rps"`` needs
        ``n == m`` odd.
    kind : {"uniform", "rps", "gaussian"}
        Distribution of the entries (see above).
    seed : None, int or Generator
        Random seed or generator (unused by ``kind="rps"``).

    Returns
    -------
    ndarray, shape (n, m)
        The game matrix, entries in ``[-1, 1]``; for ``"rps"`` entry ``(i, (i + k) mod n)`` is
        ``1`` and ``((i + k) mod n, i)`` is ``-1`` for ``k = 1, ..., (n - 1)/2``.
    """
    n = check_size("n", n, what="the game matrix")
    m = check_size("m", m, factor=n, what="the game matrix")
    check_option(kind, "kind", ("uniform", "rps", "gaussian"))
    rng = as_generator(seed)
    if kind == "uniform":
        return rng.uniform(-1, 1, size=(n, m))
    if kind == "gaussian":
        return np.clip(rng.normal(size=(n, m)) / 3, -1, 1)
    if n != m or n % 2 == 0:
        raise ValueError(f"kind='rps' needs n == m odd, got n={n}, m={m}")
    A = np.zeros((n, n))
    for i in range(n):
        for k in range(1, (n - 1) // 2 + 1):
            A[i, (i + k) % n] = 1.0
            A[(i + k) % n, i] = -1.0
    return A
