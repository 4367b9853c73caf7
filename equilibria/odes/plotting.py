"""Figures of the coexistence room: basin images, continuation stacks, regime panels, shock
responses.  Every function takes a result, an optional ``ax`` and ``title``, and returns the
matplotlib figure; the results' ``.plot()`` methods call these.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .attractors import DIVERGED, FAILED, NOT_CONVERGED, SPECIAL_NAMES as _SPECIAL
from .model import OUTCOME_CLASSES

if TYPE_CHECKING:
    from matplotlib.artist import Artist

__all__ = ["CLASS_COLORS", "PARAM_LABELS", "ATTRACTOR_COLORS", "plot_basins", "plot_continuation",
           "plot_regimes", "plot_shock", "plot_basins_generic"]

#: colours of the outcome classes (colour-blind-friendly Okabe-Ito palette)
CLASS_COLORS = {"coexistence": "#009E73", "weak coexistence": "#56B4E9",
                "AI domination": "#D55E00", "human domination": "#CC79A7",
                "suppressed development": "#E69F00", "collapse": "#000000",
                "oscillation": "#0072B2", "heteroclinic cycling": "#F0E442",
                "equilibrium": "#009E73", "periodic orbit": "#0072B2",
                "heteroclinic cycle": "#F0E442",
                "not converged": "#BBBBBB", "diverged": "#666666", "failed": "#FFFFFF"}

#: axis labels of the coexistence model's parameters
PARAM_LABELS = {"g": "governance strength g", "reciprocity": "reciprocity scale",
                "conflict_asymmetry": "conflict asymmetry (humans - AI)",
                "freedom": "developmental freedom"}


def _check_title(title) -> None:
    if title is not None and not isinstance(title, str):
        raise TypeError(f"`title` must be a str or None, got {type(title).__name__}")


def _check_result(res, cls_name: str, fields) -> None:
    missing = [f for f in fields if not hasattr(res, f)]
    if missing:
        raise TypeError(f"`res` must be a {cls_name}, got {type(res).__name__}")


def plot_basins(res, ax=None, title: str | None = None):
    """Basin image with a legend of attractors (outcome class, basin fraction).

    Parameters
    ----------
    res : BasinResult
        The result to draw.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is created when omitted.
    title : str, optional
        Axes title (a default is used when omitted).

    Returns
    -------
    matplotlib.figure.Figure
        The figure holding ``ax``.
    """
    _check_title(title)
    _check_result(res, "BasinResult", ("labels", "attractors", "classes", "u", "v"))
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    if ax is None:
        fig, ax = plt.subplots(figsize=(6.4, 5.2), constrained_layout=True)
    else:
        fig = ax.figure
    k = res.attractors.shape[0]
    names = [f"A{i}: {c}" for i, c in enumerate(res.classes)]
    base_cols = [CLASS_COLORS.get(c, f"C{i}") for i, c in enumerate(res.classes)]
    # distinguish attractors of the same class by lightness
    seen: dict = {}
    cols: list[tuple[Any, ...] | str] = []
    import matplotlib.colors as mc
    for c, col in zip(res.classes, base_cols, strict=True):
        j = seen.get(c, 0)
        seen[c] = j + 1
        rgb = np.array(mc.to_rgb(col))
        cols.append(tuple(rgb + (1 - rgb) * min(0.6, 0.3 * j)))
    special = [NOT_CONVERGED, DIVERGED, FAILED]
    cols += [CLASS_COLORS[_SPECIAL[s]] for s in special]
    img = res.labels.copy()
    for j, s in enumerate(special):
        img[res.labels == s] = k + j
    cmap = ListedColormap(cols)
    ax.imshow(img, origin="lower", cmap=cmap, vmin=-0.5, vmax=len(cols) - 0.5,
              extent=[res.u[0], res.u[-1], res.v[0], res.v[-1]], aspect="auto",
              interpolation="nearest")
    handles: list[Artist] = [
        Patch(facecolor=cols[i], edgecolor="k",
              label=f"{names[i]} ({100 * res.fractions[i]:.1f}%)") for i in range(k)]
    for j, s in enumerate(special):
        f = res.special_fractions[_SPECIAL[s]]
        if f > 0:
            handles.append(Patch(facecolor=cols[k + j], edgecolor="k",
                                 label=f"{_SPECIAL[s]} ({100 * f:.1f}%)"))
    if res.slice_basis:  # recurrent attractors that lie in the slice plane, drawn on it
        from matplotlib.lines import Line2D
        base, du, dv = res.slice_basis
        B = np.column_stack([du, dv])
        drawn = False
        for j, Y in res.cycles.items():
            uv = np.linalg.lstsq(B, (Y - base).T, rcond=None)[0].T
            if np.max(np.abs(uv @ B.T + base - Y)) <= 1e-9 * (1 + np.max(np.abs(Y))):
                ax.plot(uv[:, 0], uv[:, 1], "-", color="white", lw=2.5)
                ax.plot(uv[:, 0], uv[:, 1], "-", color="k", lw=1.0)
                ax.annotate(f"A{j}", uv[int(np.argmax(uv[:, 1]))], xytext=(3, 3),
                            textcoords="offset points", fontsize=8)
                drawn = True
        if drawn:
            handles.append(Line2D([], [], color="k", lw=1.0,
                                  label="recurrent attractor (in the slice)"))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2,
              fontsize=8, frameon=False)
    ax.set_xlabel(res.axis_labels[0])
    ax.set_ylabel(res.axis_labels[1])
    ax.set_title(title or "Basins of attraction")
    return fig


def plot_continuation(res, ax=None, title: str | None = None):
    """Stacked basin fractions by outcome class along the parameter.

    Parameters
    ----------
    res : ContinuationResult
        The result to draw.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is created when omitted.
    title : str, optional
        Axes title (a default is used when omitted).

    Returns
    -------
    matplotlib.figure.Figure
        The figure holding ``ax``.
    """
    _check_title(title)
    _check_result(res, "ContinuationResult", ("values", "class_fractions", "class_names"))
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=(7.2, 4.2), constrained_layout=True)
    else:
        fig = ax.figure
    names = res.class_names
    keep = [j for j in range(len(names)) if res.class_fractions[:, j].max() > 0]
    ax.stackplot(res.values, *[res.class_fractions[:, j] for j in keep],
                 labels=[names[j] for j in keep],
                 colors=[CLASS_COLORS[names[j]] for j in keep],
                 edgecolor="white", linewidth=0.3, step="mid")  # sampled values: steps
    ax.plot(res.values, np.zeros_like(res.values), "|", color="k", ms=6, clip_on=False,
            label="_sampled values")
    ax.set_xlim(res.values[0], res.values[-1])
    ax.set_ylim(0, 1)
    ax.set_xlabel(PARAM_LABELS.get(res.param, res.param))
    ax.set_ylabel("fraction of initial conditions")
    ax.set_title(title or f"Basin fractions along {res.param}")
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8, frameon=False)
    return fig


def plot_regimes(res, ax=None, title: str | None = None):
    """Categorical image of outcome classes; dots mark multistable cells.

    Parameters
    ----------
    res : RegimeResult
        The result to draw.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is created when omitted.
    title : str, optional
        Axes title (a default is used when omitted).

    Returns
    -------
    matplotlib.figure.Figure
        The figure holding ``ax``.
    """
    _check_title(title)
    _check_result(res, "RegimeResult", ("classes", "multistable", "x_values", "y_values"))
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    if ax is None:
        fig, ax = plt.subplots(figsize=(6.8, 5.2), constrained_layout=True)
    else:
        fig = ax.figure
    cols = [CLASS_COLORS[c] for c in OUTCOME_CLASSES]
    x, y = res.x_values, res.y_values
    dx = (x[1] - x[0]) / 2 if x.size > 1 else 0.5
    dy = (y[1] - y[0]) / 2 if y.size > 1 else 0.5
    ax.imshow(res.classes, origin="lower", cmap=ListedColormap(cols), vmin=-0.5,
              vmax=len(cols) - 0.5, extent=[x[0] - dx, x[-1] + dx, y[0] - dy, y[-1] + dy],
              aspect="auto", interpolation="nearest")
    yy, xx = np.nonzero(res.multistable)
    if yy.size:
        ax.plot(x[xx], y[yy], "k.", ms=3)
    present = sorted(set(res.classes.ravel().tolist()))
    handles: list[Artist] = [Patch(facecolor=cols[j], edgecolor="k",
                                   label=OUTCOME_CLASSES[j]) for j in present]
    if yy.size:
        handles.append(Line2D([], [], color="k", marker=".", ls="", label="multistable"))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=3,
              fontsize=8, frameon=False)
    ax.set_xlabel(PARAM_LABELS.get(res.x_param, res.x_param))
    ax.set_ylabel(PARAM_LABELS.get(res.y_param, res.y_param))
    ax.set_title(title or "Regime diagram (outcome of the largest basin)")
    return fig


def plot_shock(res, ax=None, title: str | None = None):
    """Distance to the attractor over time (log scale).

    Parameters
    ----------
    res : ShockResult
        The result to draw.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is created when omitted.
    title : str, optional
        Axes title (a default is used when omitted).

    Returns
    -------
    matplotlib.figure.Figure
        The figure holding ``ax``.
    """
    _check_title(title)
    _check_result(res, "ShockResult", ("t", "y", "x_star", "tolerance"))
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=(6.4, 4.0), constrained_layout=True)
    else:
        fig = ax.figure
    d = np.max(np.abs(res.y - res.x_star), axis=1)
    floor = 1e-6 * res.tolerance if np.isfinite(res.tolerance) else 1e-16
    ax.semilogy(res.t, np.maximum(d, floor), lw=1.5, label="distance to the attractor")
    if res.t[0] < 0:  # parameter shock: the window before t = 0
        ax.axvspan(res.t[0], 0.0, color="C1", alpha=0.15, label="parameter shock")
    if np.isfinite(res.tolerance):
        ax.axhline(res.tolerance, color="0.5", ls=":", label="recovery tolerance")
    if np.isfinite(res.recovery_time):
        ax.axvline(res.recovery_time, color="C2", ls="--",
                   label=f"recovered at t = {res.recovery_time:.3g}")
        # zoom on the recovery: the rest is the numerical floor at the attractor
        settle = np.flatnonzero(d > 1e-3 * res.tolerance)
        t_hi = res.t[settle[-1]] if settle.size else res.recovery_time
        ax.set_xlim(res.t[0], min(res.t[-1], max(1.5 * t_hi, 2.0 * res.recovery_time,
                                                    1.0)))
    ax.set_ylim(bottom=floor)
    ax.set_xlabel("time after the shock" if res.t[0] >= 0 else
                  "time since the end of the parameter shock")
    ax.set_ylabel(r"$\max_i |x_i(t) - x^*_i|$")
    ax.set_title(title or f"Shock response: {'regained' if res.regained else 'lost'} "
                          f"(ends in {res.final_class})")
    ax.legend(loc="best", fontsize=8)
    return fig


#: colour-blind-safe palette of attractors (Okabe & Ito 2008, then Tol's muted scheme)
ATTRACTOR_COLORS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
                    "#F0E442", "#332288", "#88CCEE", "#44AA99", "#117733", "#999933",
                    "#DDCC77", "#CC6677", "#882255", "#AA4499")
#: neutral colours of initial conditions that reached no attractor
SPECIAL_COLORS = {"diverged": "#4D4D4D", "unresolved": "#BBBBBB", "unstable set": "#FFFFFF"}


def plot_basins_generic(res, ax=None, title: str | None = None):
    """Basin image of :func:`~equilibria.odes.basins_of_attraction` (2-D slices).

    Each attractor has its own colour (colour-blind-safe), is drawn on the image (its located
    states projected onto the image's coordinates) and is listed in the legend by kind,
    location and basin share; diverged and unresolved points are neutral grey.

    Parameters
    ----------
    res : BasinsResult
        The result to draw (a 2-D slice).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is created when omitted.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.figure.Figure
        The figure holding ``ax``.
    """
    _check_title(title)
    _check_result(res, "BasinsResult", ("basins", "axes", "attractors"))
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    if len(res.axes) != 2:
        raise ValueError("plot draws 2-D slices; index `basins` for 3-D grids")
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.4, 5.6), constrained_layout=True)
    else:
        fig = ax.figure
    k = len(res.attractors)
    cols = [ATTRACTOR_COLORS[i % len(ATTRACTOR_COLORS)] for i in range(k)]
    specials = [(-1, "diverged"), (0, "unresolved"), (-2, "unstable set")]
    cols_all = cols + [SPECIAL_COLORS[nm] for _, nm in specials]
    img = res.basins.astype(np.int64) - 1
    for j, (code, _) in enumerate(specials):
        img[res.basins == code] = k + j
    u, v = res.axes
    du = (u[1] - u[0]) / 2 if u.size > 1 else 0.5
    dv = (v[1] - v[0]) / 2 if v.size > 1 else 0.5
    ax.imshow(img, origin="lower", cmap=ListedColormap(cols_all), vmin=-0.5,
              vmax=len(cols_all) - 0.5, extent=[u[0] - du, u[-1] + du, v[0] - dv, v[-1] + dv],
              aspect="auto", interpolation="nearest")
    handles: list = []
    c0, c1 = res.coordinates[:2]
    for i, a in enumerate(res.attractors):
        frac = res.fractions.get(i + 1, 0.0)
        if a.kind == "fixed point":
            ax.plot(a.location[c0], a.location[c1], "o", ms=8, mfc=cols[i], mec="k", mew=1.5,
                    zorder=5)
        else:
            P = a.points
            ax.plot(P[:, c0], P[:, c1], ".", ms=1.5, color="k", zorder=4)
        handles.append(Patch(facecolor=cols[i], edgecolor="k",
                             label=f"{a.label}: {100 * frac:.1f}%"))
    for j, (code, nm) in enumerate(specials):
        f = res.fractions.get(nm, 0.0)
        if f > 0:
            handles.append(Patch(facecolor=cols_all[k + j], edgecolor="k",
                                 label=f"{nm}: {100 * f:.1f}%"))
    for x in res.unstable_sets:
        ax.plot(x[c0], x[c1], "x", ms=7, color="k", mew=1.5, zorder=5)
    if res.unstable_sets:
        handles.append(Line2D([], [], color="k", marker="x", ls="", label="unstable fixed point"))
    ax.set_xlim(u[0] - du, u[-1] + du)
    ax.set_ylim(v[0] - dv, v[-1] + dv)
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.11), ncol=2,
              fontsize=8, frameon=False)
    ax.set_xlabel(res.state_names[0])
    ax.set_ylabel(res.state_names[1])
    ax.set_title(title or "Basins of attraction")
    return fig
