r"""Figures of the risk-averse equilibrium: the mean-variance frontier with the equilibria
marked, and the basins of risk-averse fictitious play on 2x2 games.  Each function returns
the matplotlib figure; a caller's ``ax`` keeps its layout.

Basins and the dynamics room: :func:`equilibria.odes.basins_of_attraction` takes an
autonomous :class:`~equilibria.odes.Map` or ODE and labels each initial condition by the
attractor its orbit reaches on a cell grid.  Fictitious play is not autonomous: its step
:math:`1/(t + 2)` depends on the iteration count, and adding :math:`s = 1/(t+2)` as a state
coordinate makes every point with :math:`s = 0` a fixed point (a continuum the cell machine
cannot separate), so :func:`plot_fictitious_play_basins` runs fictitious play from every grid
point of initial beliefs and draws the grid directly.
"""

from __future__ import annotations

import warnings

import numpy as np

from equilibria._lib.figures import cell_edges, figure_axes
from equilibria._lib.result import ConvergenceWarning
from equilibria._lib.validation import check_int

from .risk_averse import (_bimatrix, _cov, _trembled, mean_variance_best_response,
                          risk_averse_equilibrium, risk_averse_fictitious_play,
                          support_enumeration)

__all__ = ["plot_mean_variance_frontier", "plot_fictitious_play_basins"]

_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442")


def plot_mean_variance_frontier(A, B, *, risk_aversion=1.0, tremble=0.0, player=0,
                                n_points=60, ax=None, title: str | None = None):
    r"""The mean-variance frontier of one player against the opponent's RAE strategy.

    Computes a risk-averse equilibrium :math:`(x^*, y^*)` (:func:`risk_averse_equilibrium`);
    for player 1 (``player=0``) it draws, against the trembled :math:`y^*`, the frontier
    :math:`\ell \mapsto \min\{\sigma(x) : x^\top A y^* \ge \ell\}` for ``n_points`` levels
    between the least and the largest action mean (standard deviation on the horizontal
    axis, mean on the vertical), the pure actions, the RAE strategy :math:`x^*` (on the
    frontier: ``games.rae_min_variance``) and every Nash strategy of the game (support
    enumeration) evaluated against the same :math:`y^*`.  ``player=1`` draws the column
    player's frontier (payoffs ``B.T`` against :math:`x^*`).

    Parameters
    ----------
    A, B : array_like (n, m)
        Payoffs of the row and column players.
    risk_aversion : float, default 1
        :math:`\lambda \ge 0` of the equilibrium.
    tremble : float, default 0
        Opponent tremble :math:`\epsilon \in [0, 1]`.
    player : {0, 1}
        Whose frontier.
    n_points : int, default 60
        Levels on the frontier (``>= 2``).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (a new figure otherwise).
    title : str, optional
        Axes title (default: the equilibrium's means and variances).

    Returns
    -------
    matplotlib.figure.Figure
    """
    A, B = _bimatrix(A, B)
    player = check_int(player, "player", lo=0, hi=1)
    n_points = check_int(n_points, "n_points", lo=2, hi=10_000)
    if title is not None and not isinstance(title, str):
        raise TypeError(f"`title` must be a str or None, got {type(title).__name__}")
    res = risk_averse_equilibrium(A, B, risk_aversion=risk_aversion, tremble=tremble)
    M, own, opp = (A, res.x, res.y) if player == 0 else (B.T, res.y, res.x)
    oe = _trembled(opp, res.tremble)
    S, g = _cov(M, oe), M @ oe

    def point(z):
        return float(np.sqrt(max(z @ S @ z, 0.0))), float(z @ g)

    levels = np.linspace(g.min(), g.max(), n_points)
    front = [point(mean_variance_best_response(M, oe, utility_level=lv)) for lv in levels]
    fig, ax, _ = figure_axes(ax, figsize=(6.4, 4.6))
    sd, mu = np.array(front).T
    ax.plot(sd, mu, color="k", lw=1.8, label="frontier (least variance at each mean)")
    for i in range(M.shape[0]):
        s, m = point(np.eye(M.shape[0])[i])
        ax.plot(s, m, "o", color="0.6", ms=6, zorder=2)
        ax.annotate(f"action {i}", (s, m), textcoords="offset points", xytext=(5, -10),
                    fontsize=8, color="0.35")
    for k, (x, y) in enumerate(support_enumeration(A, B)):
        s, m = point(x if player == 0 else y)
        ax.plot(s, m, "s", mfc="none", mec=_COLORS[1], mew=1.6, ms=10, zorder=3,
                label="Nash strategies (against the RAE opponent)" if k == 0 else None)
    s, m = point(own)
    ax.plot(s, m, "*", color=_COLORS[0], ms=16, zorder=4,
            label=f"RAE ($\\lambda$ = {res.risk_aversion:g}, $\\epsilon$ = {res.tremble:g})")
    ax.set_xlabel("standard deviation of the reward")
    ax.set_ylabel("expected reward")
    ax.set_title(title if title is not None else
                 f"player {player + 1}: RAE mean {res.means[player]:.3g}, variance "
                 f"{res.variances[player]:.3g}", fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    return fig


def _classify(points, tol):
    centres: list[np.ndarray] = []
    labels = np.empty(len(points), dtype=int)
    for k, p in enumerate(points):
        for c, q in enumerate(centres):
            if np.max(np.abs(p - q)) <= tol:
                labels[k] = c
                break
        else:
            centres.append(p)
            labels[k] = len(centres) - 1
    return labels, centres


def plot_fictitious_play_basins(A, B, *, risk_aversion=1.0, tremble=0.0, grid=41,
                                max_iter=400, ax=None, title: str | None = None):
    r"""Basins of risk-averse fictitious play over the initial beliefs of a 2x2 game.

    For every point :math:`(p, q)` of a ``grid x grid`` lattice of :math:`[0, 1]^2` the
    initial beliefs are :math:`x_0 = (p, 1-p)`, :math:`y_0 = (q, 1-q)`;
    :func:`risk_averse_fictitious_play` runs ``max_iter`` iterations and the final averages
    are grouped (sup distance ``0.05``) into outcomes, each drawn in one colour with its
    centre marked.  The grid is drawn directly (module docstring: fictitious play's step
    depends on the iteration count, so the dynamics room's basin machine for autonomous maps
    does not apply).

    Parameters
    ----------
    A, B : array_like (2, 2)
        Payoffs of the row and column players.
    risk_aversion : float, default 1
        :math:`\lambda \ge 0`.
    tremble : float, default 0
        Opponent tremble :math:`\epsilon \in [0, 1]`.
    grid : int, default 41
        Points per axis (``>= 2``).
    max_iter : int, default 400
        Fictitious-play iterations from each initial belief.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (a new figure otherwise).
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    A, B = _bimatrix(A, B)
    if A.shape != (2, 2):
        raise ValueError(f"`A` must be a 2x2 game, got shape {A.shape}")
    grid = check_int(grid, "grid", lo=2, hi=1000)
    max_iter = check_int(max_iter, "max_iter", lo=1, hi=10**7)
    if title is not None and not isinstance(title, str):
        raise TypeError(f"`title` must be a str or None, got {type(title).__name__}")
    ax_pts = np.linspace(0.0, 1.0, grid)
    finals = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for q in ax_pts:
            for p in ax_pts:
                r = risk_averse_fictitious_play(A, B, risk_aversion=risk_aversion,
                                                tremble=tremble, max_iter=max_iter,
                                                tol=1e-12, x0=[p, 1 - p], y0=[q, 1 - q],
                                                every=max_iter)
                finals.append(np.array([r.x[0], r.y[0]]))
    labels, centres = _classify(finals, 0.05)
    img = labels.reshape(grid, grid)
    from matplotlib.colors import ListedColormap

    k = len(centres)
    cmap = ListedColormap([_COLORS[i % len(_COLORS)] for i in range(k)])
    fig, ax, _ = figure_axes(ax, figsize=(5.6, 5.0))
    e = cell_edges(ax_pts)
    ax.pcolormesh(e, e, img, cmap=cmap, vmin=-0.5, vmax=k - 0.5, shading="flat")
    for i, c in enumerate(centres):
        share = float(np.mean(labels == i))
        ax.plot(c[0], c[1], "o", mfc="white", mec="k", ms=9, zorder=3, clip_on=False)
        ax.plot([], [], "s", color=_COLORS[i % len(_COLORS)], ms=10,
                label=f"to x = ({c[0]:.2f}, {1 - c[0]:.2f}), y = ({c[1]:.2f}, "
                      f"{1 - c[1]:.2f}): {100 * share:.1f}% of starts")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    ax.set_xlabel("initial belief p = x$_0$[0] (row plays action 0)")
    ax.set_ylabel("initial belief q = y$_0$[0] (column plays action 0)")
    ax.set_title(title if title is not None else
                 f"fictitious-play basins, $\\lambda$ = {float(risk_aversion):g}, "
                 f"{max_iter} iterations", fontsize=10)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.13), frameon=False)
    return fig
