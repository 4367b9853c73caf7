r"""Figures of the common-pool resource model (issue 17, part 3): the presets' trajectories, the
regime diagram over (fine, monitoring cost) and the strategy-simplex portrait.

:func:`cpr_regimes` computes the diagram (one mean-field run per cell, classified by
:meth:`~equilibria.odes.cpr.CPRModel.outcome`); the ``plot_cpr_*`` functions draw on the
caller's axes or on a new figure (:func:`equilibria._lib.figures.figure_axes`) and return it.

The dynamics room's :func:`~equilibria.odes.generic_regime_diagram` classifies attractors found
by the recurrence machine on a state-space grid; here the two outcomes are already named by
the model (sustained stock or collapse to the bionomic / extinct state), so one integration
from the chosen start per cell is enough and the diagram is the basin of that start, not of
all starts.  A whole-state-space basin study goes through ``odes.basins(model.to_ode(), ...)``.
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np

from equilibria._lib.figures import cell_edges, figure_axes
from equilibria._lib.result import Result, Status, finish
from equilibria._lib.sweep import parallel_map
from equilibria._lib.validation import as_float_array, check_int, check_scalar

from . import cpr as C

__all__ = ["CPRRegimeResult", "cpr_regimes", "plot_cpr_presets", "plot_cpr_regimes",
           "plot_cpr_simplex", "OUTCOMES"]

#: outcome labels, in the order of the codes of :attr:`CPRRegimeResult.classes`
OUTCOMES = ("sustained", "collapse")
_COLORS = ("#009E73", "#D55E00")
_STRAT_COLORS = ("#0072B2", "#D55E00", "#009E73")


def _check_model(model) -> C.CPRModel:
    if not isinstance(model, C.CPRModel):
        raise TypeError(f"`model` must be a CPRModel, got {type(model).__name__}")
    return model


def _start(model: C.CPRModel, x0) -> np.ndarray:
    return model.initial(x0)


@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class CPRRegimeResult(Result):
    """Outcome per cell of the (fine, monitoring cost) plane, from :func:`cpr_regimes`.

    Attributes
    ----------
    fines : numpy.ndarray, shape (nx,)
        Fine values ``beta`` (columns).
    monitoring_costs : numpy.ndarray, shape (ny,)
        Monitoring costs ``gamma`` (rows).
    classes : numpy.ndarray of int, shape (ny, nx)
        Index into :data:`OUTCOMES` (0 sustained, 1 collapse).
    final : numpy.ndarray, shape (ny, nx, 4)
        State ``(R, c, d, p)`` at ``t_end``.
    x0 : numpy.ndarray, shape (4,)
        The start of every cell.
    t_end : float
        Horizon.
    """

    fines: np.ndarray
    monitoring_costs: np.ndarray
    classes: np.ndarray
    final: np.ndarray
    x0: np.ndarray
    t_end: float


def _cell(item, model, x0, t_end):
    fine, gamma = item
    m = model.replace(fine=float(fine), monitoring_cost=float(gamma))
    _, X = m.simulate(x0, t_end, n_eval=2)
    return X[-1]


def cpr_regimes(model: C.CPRModel, fines, monitoring_costs, *, x0="rich_altruistic",
                t_end: float = 200.0, executor=None, progress: bool | None = None
                ) -> CPRRegimeResult:
    r"""Regime diagram of the common-pool model over the plane (fine, monitoring cost).

    In every cell ``(beta, gamma)`` the mean field of ``model.replace(fine=beta,
    monitoring_cost=gamma)`` is integrated from ``x0`` to ``t_end``
    (:meth:`~equilibria.odes.cpr.CPRModel.simulate`, DOP853, rtol 1e-9) and the final state
    labelled by :meth:`~equilibria.odes.cpr.CPRModel.outcome`: *sustained* when
    ``R(t_end) >= R*/2`` with ``R* = K (1 - q e_C / r)`` the norm stock, *collapse* otherwise
    (extinction, or Gordon's open-access stock ``w / (v q)``).  Costly peer punishment is a
    second-order public good (Sigmund et al. 2010): cooperators out-earn punishers by
    ``gamma d`` while defectors remain, so a high monitoring cost removes the punishers before
    the defectors and the commons collapses even at a high fine; the invasion condition
    ``beta p > (v q R* - w)(e_D - e_C)`` (:meth:`~equilibria.odes.cpr.CPRModel.invasion_margin`)
    bounds the sustained region from the left at ``gamma = 0``.

    Parameters
    ----------
    model : CPRModel
        The other parameters.
    fines : array_like, shape (nx,)
        Fines ``beta >= 0`` (finite).
    monitoring_costs : array_like, shape (ny,)
        Monitoring costs ``gamma >= 0`` (finite).
    x0 : str or array_like, shape (4,), default "rich_altruistic"
        Start of every cell: a preset name or ``(R, c, d, p)``.
    t_end : float > 0, default 200
        Horizon.
    executor : concurrent.futures.Executor or dask Client, optional
        Where the rows run (``None``: serially here, same result).
    progress : bool, optional
        Progress bar over the cells (``None``: the package option).

    Returns
    -------
    CPRRegimeResult
        ``classes[j, i]`` is the outcome at ``(fines[i], monitoring_costs[j])``;
        ``success`` when every final state is finite and admissible.

    References
    ----------
    Sigmund, K., De Silva, H., Traulsen, A. & Hauert, C. (2010), "Social learning promotes
    institutions for governing the commons", Nature 466, 861-863 (peer punishment is undone by
    second-order free riders; pool punishment is stable).
    Gordon, H. S. (1954), J. Political Economy 62, 124-142 (the open-access stock).
    """
    model = _check_model(model)
    fines = as_float_array(fines, "fines", ndim=1)
    gammas = as_float_array(monitoring_costs, "monitoring_costs", ndim=1)
    for name, v in (("fines", fines), ("monitoring_costs", gammas)):
        if v.size == 0 or not np.all(np.isfinite(v)) or np.any(v < 0):
            raise ValueError(f"`{name}` must be a non-empty array of finite values >= 0, "
                             f"got {v.tolist()}")
    start = _start(model, x0)
    t_end = check_scalar(t_end, "t_end", lo=0, lo_inclusive=False, hi=1e6)
    items = [(f, g) for g in gammas for f in fines]
    out = parallel_map(functools.partial(_cell, model=model, x0=start, t_end=t_end), items,
                       executor=executor, progress=progress, desc="cpr regimes",
                       chunksize=max(1, len(fines)))
    final = np.array(out).reshape(len(gammas), len(fines), 4)
    classes = np.array([[OUTCOMES.index(model.outcome(final[j, i]))
                         for i in range(len(fines))] for j in range(len(gammas))])
    ok = bool(np.all(np.isfinite(final)) and np.all(final > -1e-9))
    n_sus = int((classes == 0).sum())
    return finish(CPRRegimeResult, success=ok,
                  status=Status.SUCCESS if ok else Status.NUMERICAL, n_iter=len(items),
                  message=f"{n_sus} of {classes.size} cells sustained",
                  fines=fines, monitoring_costs=gammas, classes=classes, final=final, x0=start,
                  t_end=t_end)


def plot_cpr_presets(model: C.CPRModel, *, t_end: float = 100.0, abm_agents: int = 0,
                     seed: int = 0, fig=None):
    r"""Trajectories of the paper's 2x2 grid of initial conditions, one panel per preset.

    Rows: resource-rich (``R0 = 0.9 K``) and scarce (``0.2 K``); columns: altruistic
    (``(c, d, p) = (0.6, 0.1, 0.3)``) and selfish (``(0.1, 0.8, 0.1)``) populations.  Each
    panel shows the mean-field stock ``R / K`` and the three strategy shares over time, the
    norm stock ``R*`` and Gordon's open-access stock ``w / (v q)`` as dashed lines, and the
    outcome (:meth:`~equilibria.odes.cpr.CPRModel.outcome`) in the title.

    Parameters
    ----------
    model : CPRModel
        Parameters.
    t_end : float > 0, default 100
        Horizon.
    abm_agents : int >= 0, default 0
        When positive, overlays one agent-based run with that many agents
        (:func:`~equilibria.odes.cpr.cpr_simulate`, thin lines).
    seed : int >= 0, default 0
        Seed of the agent-based run.
    fig : matplotlib.figure.Figure, optional
        Figure to draw on (its subplots are added); a new one by default.

    Returns
    -------
    matplotlib.figure.Figure
        The figure; ``fig.axes`` holds the four panels in preset order.

    References
    ----------
    Gupta et al. (2026), arXiv 2510.14401 (the 2x2 grid of initial conditions, resource-rich
    vs scarce and altruistic vs selfish populations).
    """
    model = _check_model(model)
    t_end = check_scalar(t_end, "t_end", lo=0, lo_inclusive=False, hi=1e5)
    abm_agents = check_int(abm_agents, "abm_agents", lo=0, hi=10**6)
    seed = check_int(seed, "seed", lo=0, hi=2**31 - 1)
    if fig is None:
        fig, axes, _ = figure_axes(figsize=(9.0, 6.4), nrows=2, ncols=2, sharex=True,
                                   sharey=True)
        axes = axes.ravel()
    else:
        axes = fig.subplots(2, 2, sharex=True, sharey=True).ravel()
    labels = ("R / K", "cooperate", "defect", "punish")
    colors = ("k", *_STRAT_COLORS)
    for ax, name in zip(axes, C.PRESETS, strict=True):
        t, X = model.simulate(name, t_end, n_eval=401)
        for k in range(4):
            y = X[:, k] / model.K if k == 0 else X[:, k]
            ax.plot(t, y, color=colors[k], lw=2.0 if k == 0 else 1.5, label=labels[k])
        if abm_agents:
            sim = C.cpr_simulate(model, name, t_end, n_agents=abm_agents, seed=seed,
                                 n_record=201)
            for k in range(4):
                y = sim.X[:, k] / model.K if k == 0 else sim.X[:, k]
                ax.plot(sim.t, y, color=colors[k], lw=0.7, alpha=0.6)
        ax.axhline(model.norm_stock() / model.K, color="0.4", ls="--", lw=0.8)
        ax.axhline(model.cost / (model.price * model.q) / model.K, color="0.4", ls=":", lw=0.8)
        ax.set_title(f"{name.replace('_', ', ')}: {model.outcome(X[-1])}", fontsize=10)
        ax.set_ylim(-0.03, 1.03)
    for ax in axes[2:]:
        ax.set_xlabel("time")
    for ax in axes[::2]:
        ax.set_ylabel("share / stock")
    axes[0].legend(fontsize=8, loc="center right")
    return fig


def plot_cpr_regimes(res: CPRRegimeResult, ax=None, *, model: C.CPRModel | None = None):
    r"""Draw a :class:`CPRRegimeResult`: sustained vs collapse over (fine, monitoring cost).

    With ``model`` given, the invasion threshold ``beta = (v q R* - w)(e_D - e_C) / p`` at the
    start's punisher share ``p = p0 / (c0 + p0)`` is drawn as a dashed vertical line (the
    fine at which a defector-free state with that share resists invasion; the module
    docstring of :mod:`equilibria.odes.cpr` derives it).

    Parameters
    ----------
    res : CPRRegimeResult
        From :func:`cpr_regimes`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure by default.
    model : CPRModel, optional
        The model of ``res`` (for the threshold line).

    Returns
    -------
    matplotlib.figure.Figure
        The figure holding the axes.
    """
    from matplotlib.colors import ListedColormap
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    if not isinstance(res, CPRRegimeResult):
        raise TypeError(f"`res` must be a CPRRegimeResult, got {type(res).__name__}")
    fig, ax, _ = figure_axes(ax, figsize=(6.0, 4.8))
    ax.pcolormesh(cell_edges(res.fines), cell_edges(res.monitoring_costs), res.classes,
                  cmap=ListedColormap(_COLORS), vmin=-0.5, vmax=1.5, edgecolors="w",
                  linewidth=0.2)
    handles: list = [Patch(facecolor=_COLORS[k], label=OUTCOMES[k]) for k in range(2)]
    if model is not None:
        model = _check_model(model)
        c0, p0 = res.x0[1], res.x0[3]
        if p0 > 0:
            gain = -model.invasion_margin(0.0)  # (v q R* - w)(e_D - e_C)
            ax.axvline(gain / (p0 / (c0 + p0)), color="k", ls="--", lw=1.2)
            handles.append(Line2D([], [], color="k", ls="--",
                                  label=r"invasion threshold $\beta p$ = gain"))
    ax.set_xlabel(r"fine $\beta$")
    ax.set_ylabel(r"monitoring cost $\gamma$")
    ax.set_title("common-pool resource: outcome from "
                 f"(R, c, d, p) = {tuple(np.round(res.x0, 2).tolist())}", fontsize=9)
    ax.legend(handles=handles, loc="upper left", fontsize=8)
    return fig


def _ternary(frac: np.ndarray) -> np.ndarray:
    # (c, d, p) -> plane: cooperate at (0, 0), defect at (1, 0), punish at (1/2, sqrt(3)/2)
    frac = np.asarray(frac, dtype=float)
    return np.stack([frac[..., 1] + 0.5 * frac[..., 2], np.sqrt(3) / 2 * frac[..., 2]], -1)


def plot_cpr_simplex(model: C.CPRModel, ax=None, *, R0: float | None = None, n: int = 6,
                     t_end: float = 100.0):
    r"""Strategy-simplex portrait: mean-field orbits of the shares ``(c, d, p)``.

    Orbits start from a triangular lattice of ``n (n+1) / 2`` interior mixes, all at stock
    ``R0``, and are drawn in barycentric coordinates (cooperate, defect, punish at the
    corners), coloured by outcome (:meth:`~equilibria.odes.cpr.CPRModel.outcome`), with the end
    points marked.  The resource is a fourth state, so orbits may cross in this projection.

    Parameters
    ----------
    model : CPRModel
        Parameters.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure by default.
    R0 : float >= 0, optional
        Initial stock of every orbit (default ``0.9 K``, the resource-rich start).
    n : int >= 2, default 6
        Lattice resolution.
    t_end : float > 0, default 100
        Horizon.

    Returns
    -------
    matplotlib.figure.Figure
        The figure holding the axes.
    """
    model = _check_model(model)
    R0 = 0.9 * model.K if R0 is None else check_scalar(R0, "R0", lo=0, hi=1e6)
    n = check_int(n, "n", lo=2, hi=40)
    t_end = check_scalar(t_end, "t_end", lo=0, lo_inclusive=False, hi=1e5)
    fig, ax, _ = figure_axes(ax, figsize=(5.6, 5.2))
    corners = _ternary(np.eye(3))
    ax.plot(*np.vstack([corners, corners[:1]]).T, color="k", lw=1)
    for (x, y), lab, ha in zip(corners, ("cooperate", "defect", "punish"),
                               ("right", "left", "center"), strict=True):
        ax.annotate(lab, (x, y), xytext=(0, 6 if lab == "punish" else -12),
                    textcoords="offset points", ha=ha, fontsize=9)
    for i in range(n):
        for j in range(n - i):
            k = n - 1 - i - j
            mix = (np.array([i, j, k], dtype=float) + 1.0 / 3.0) / n
            _, X = model.simulate(np.r_[R0, mix], t_end, n_eval=301)
            col = _COLORS[OUTCOMES.index(model.outcome(X[-1]))]
            xy = _ternary(X[:, 1:])
            ax.plot(xy[:, 0], xy[:, 1], color=col, lw=0.9, alpha=0.85)
            ax.plot(*xy[0], "o", ms=2.5, color=col)
            ax.plot(*xy[-1], "s", ms=5, mfc=col, mec="k", mew=0.6)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(f"strategy shares from R0 = {R0:.2g} ({model.rule}); "
                 "green sustained, orange collapse", fontsize=9)
    return fig
