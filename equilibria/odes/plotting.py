"""Figures of the coexistence room: basin images, continuation stacks, regime panels, shock
responses.  Every function takes a result, an optional ``ax`` and ``title``, and returns the
matplotlib figure; the results' ``.plot()`` methods call these.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from equilibria._lib.figures import figure_axes, mark_thin_regions

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
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    fig, ax, _ = figure_axes(ax, figsize=(6.4, 5.2))
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


def plot_continuation(res, ax=None, title: str | None = None, *, states: bool | None = None):
    """Stacked basin fractions by outcome class along the parameter, and the attractors' states.

    The upper panel stacks the share of initial conditions reaching each outcome class at each
    sampled value (steps centred on the values, which are ticked on the axis).  Where the
    system is monostable at every value, every column is one class and that panel only shows
    where the class changes, so it says so; the lower panel then carries the information: the
    state coordinates of every matched attractor branch along the parameter (a bifurcation
    diagram of the attractors found; branches after the first dashed), with the outcome class
    of each point as its marker colour.

    Parameters
    ----------
    res : ContinuationResult
        The result to draw.
    ax : matplotlib.axes.Axes or pair of Axes, optional
        Axes to draw on: one axes gets the fractions only (unless ``states=True``, which then
        needs a pair); a pair gets the fractions and the states.  A new figure with both
        panels is created when omitted.
    title : str, optional
        Title of the upper panel (a default is used when omitted).
    states : bool, optional
        Draw the states panel; default: yes for a new figure or a pair of axes, no for a
        single axes.

    Returns
    -------
    matplotlib.figure.Figure
        The figure holding the axes.

    Raises
    ------
    TypeError
        ``res`` is not a continuation result, ``title`` not a str, or ``states=True`` with a
        single axes.
    """
    _check_title(title)
    _check_result(res, "ContinuationResult", ("values", "class_fractions", "class_names"))
    if states is not None and not isinstance(states, (bool, np.bool_)):
        raise TypeError(f"`states` must be a bool or None, got {states!r}")
    pair = ax is not None and isinstance(ax, (list, tuple, np.ndarray))
    if ax is None:
        want = True if states is None else bool(states)
        if want:
            fig, axes, _ = figure_axes(None, figsize=(7.2, 6.4), nrows=2, sharex=True,
                                       height_ratios=[1.0, 1.3])
            ax_f, ax_s = axes
        else:
            fig, ax_f, _ = figure_axes(None, figsize=(7.2, 4.2))
            ax_s = None
    elif pair:
        if len(ax) != 2:
            raise TypeError(f"`ax` must be one Axes or a pair, got {len(ax)} axes")
        ax_f, ax_s = ax
        if states is False:
            ax_s = None
        fig = ax_f.figure
    else:
        if states:
            raise TypeError("`states=True` needs a pair of axes in `ax` (fractions, states)")
        fig, ax_f, _ = figure_axes(ax)
        ax_s = None

    names = res.class_names
    x = np.asarray(res.values, dtype=float)
    keep = [j for j in range(len(names)) if res.class_fractions[:, j].max() > 0]
    ax_f.stackplot(x, *[res.class_fractions[:, j] for j in keep],
                   labels=[names[j] for j in keep],
                   colors=[CLASS_COLORS[names[j]] for j in keep],
                   edgecolor="white", linewidth=0.3, step="mid")  # sampled values: steps
    ax_f.plot(x, np.zeros_like(x), "|", color="k", ms=6, clip_on=False,
              label="_sampled values")
    ax_f.set_xlim(x[0], x[-1])
    ax_f.set_ylim(0, 1)
    ax_f.set_ylabel("fraction of\ninitial conditions")
    ax_f.set_title(title or f"Basin fractions along {res.param}")
    ax_f.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8, frameon=False)
    monostable = bool(np.all(np.isclose(res.class_fractions.max(axis=1), 1.0)))
    if monostable:
        ax_f.text(0.5, 0.5, "monostable at every value:\none outcome from all initial conditions",
                  transform=ax_f.transAxes, ha="center", va="center", fontsize=8,
                  bbox=dict(boxstyle="round", facecolor="white", alpha=0.85, lw=0.5))
    xlabel = PARAM_LABELS.get(res.param, res.param)
    if ax_s is None:
        ax_f.set_xlabel(xlabel)
        return fig

    # lower panel: the attractors' states along the parameter
    dim = 0
    for branch in res.attractor_states:
        for st in branch.values():
            dim = max(dim, int(np.size(st)))
    labels = list(res.state_names) if len(res.state_names) == dim else \
        [f"x{c}" for c in range(dim)]
    # coordinates equal at every point found are drawn once, their names joined
    pts = [np.ravel(st) for branch in res.attractor_states for st in branch.values()
           if np.size(st) == dim]
    P = np.array(pts) if pts else np.zeros((0, dim))
    groups: list[list[int]] = []
    for c in range(dim):
        for grp in groups:
            if np.allclose(P[:, grp[0]], P[:, c], rtol=1e-6, atol=1e-9):
                grp.append(c)
                break
        else:
            groups.append([c])
    for b, (branch, cls) in enumerate(zip(res.attractor_states, res.attractor_classes,
                                          strict=True)):
        idx = sorted(branch)
        if not idx:
            continue
        X = np.array([np.ravel(branch[k]) for k in idx])
        xv = x[idx]
        for g_i, grp in enumerate(groups):
            c = grp[0]
            ax_s.plot(xv, X[:, c], "-", color=f"C{g_i % 10}", lw=1.2,
                      label=" = ".join(labels[i] for i in grp) if b == 0 else "_")
            ax_s.scatter(xv, X[:, c], s=14, zorder=3, edgecolors="none",
                         c=[CLASS_COLORS.get(cls[k], "#999999") for k in idx])
    if len(res.attractor_states) > 1:  # the legend names each colour once
        seen = {h.get_label() for h in ax_s.get_lines()}
        for g_i, grp in enumerate(groups):
            lab = " = ".join(labels[i] for i in grp)
            if lab not in seen:
                ax_s.plot([], [], "-", color=f"C{g_i % 10}", label=lab)
    ax_s.set_xlabel(xlabel)
    ax_s.set_ylabel("attractor state")
    ax_s.set_title("attractors found (marker colour: outcome class)", fontsize=9)
    ax_s.legend(loc="best", fontsize=7, framealpha=0.85)
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
    from matplotlib.colors import ListedColormap
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    fig, ax, _ = figure_axes(ax, figsize=(6.8, 5.2))
    cols = [CLASS_COLORS[c] for c in OUTCOME_CLASSES]
    x, y = res.x_values, res.y_values
    dx = (x[1] - x[0]) / 2 if x.size > 1 else 0.5
    dy = (y[1] - y[0]) / 2 if y.size > 1 else 0.5
    ax.imshow(res.classes, origin="lower", cmap=ListedColormap(cols), vmin=-0.5,
              vmax=len(cols) - 0.5, extent=[x[0] - dx, x[-1] + dx, y[0] - dy, y[-1] + dy],
              aspect="auto", interpolation="nearest")
    thin = mark_thin_regions(ax, res.classes, x, y, cols)
    yy, xx = np.nonzero(res.multistable)
    if yy.size:
        ax.plot(x[xx], y[yy], "k.", ms=3)
    present, counts = np.unique(res.classes, return_counts=True)
    handles: list[Artist] = [
        Patch(facecolor=cols[j], edgecolor="k",
              label=f"{OUTCOME_CLASSES[j]} ({100 * c / res.classes.size:.1f}%"
                    f"{', marked' if j in thin else ''})")
        for j, c in zip(present.tolist(), counts.tolist(), strict=True)]
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

    fig, ax, _ = figure_axes(ax, figsize=(6.4, 4.0))
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
    from matplotlib.colors import ListedColormap
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    if len(res.axes) != 2:
        raise ValueError("plot draws 2-D slices; index `basins` for 3-D grids")
    fig, ax, _ = figure_axes(ax, figsize=(6.4, 5.6))
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
