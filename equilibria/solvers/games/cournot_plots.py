"""Figures of the Cournot market: the collusion index over time under the governance regimes,
and the regime diagram over sanction size x detection threshold.  Each function returns the
matplotlib figure; a caller's ``ax`` keeps its layout."""

from __future__ import annotations

import numpy as np

from equilibria._lib.figures import cell_edges, figure_axes

__all__ = ["plot_collusion_over_time", "plot_governance_diagram"]

_REGIME_COLORS = {"ungoverned": "#D55E00", "constitutional": "#E69F00",
                  "institutional": "#0072B2"}


def plot_collusion_over_time(results, ax=None, title: str | None = None):
    r"""Collusion index :math:`\Delta` of the learning runs over time, one colour per regime.

    Parameters
    ----------
    results : sequence of CournotLearningResult
        Runs (several seeds per regime: thin lines, their mean thick).
    ax : matplotlib.axes.Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    from .cournot_learning import CournotLearningResult

    results = list(results) if isinstance(results, (list, tuple)) else [results]
    if not results or not all(isinstance(r, CournotLearningResult) for r in results):
        raise TypeError("`results` must be CournotLearningResult objects")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"`title` must be a str or None, got {type(title).__name__}")
    fig, ax, _ = figure_axes(ax, figsize=(7.0, 4.2))
    for regime in ("ungoverned", "constitutional", "institutional"):
        runs = [r for r in results if r.regime == regime]
        if not runs:
            continue
        col = _REGIME_COLORS[regime]
        L = min(r.index_trace.size for r in runs)
        t = (np.arange(L) + 0.5) * runs[0].trace_every
        for r in runs:
            ax.plot(t, r.index_trace[:L], color=col, lw=0.6, alpha=0.35)
        # constitutional fines are never felt: with the same seeds its runs are the
        # ungoverned ones, so the ungoverned mean is drawn wide beneath a dashed line
        wide = regime == "ungoverned"
        note = " = ungoverned: fines never felt" if regime == "constitutional" else ""
        ax.plot(t, np.mean([r.index_trace[:L] for r in runs], axis=0), color=col,
                lw=5.0 if wide else 2.0, alpha=0.6 if wide else 1.0,
                ls="--" if regime == "constitutional" else "-",
                label=f"{regime}{note} (final $\\Delta$ = "
                      f"{np.mean([r.collusion_index for r in runs]):.2f}, {len(runs)} runs)")
    ax.axhline(0.0, color="k", lw=0.8, ls=":")
    ax.axhline(1.0, color="k", lw=0.8, ls=":")
    ax.text(ax.get_xlim()[0], 1.0, " joint optimum", va="bottom", fontsize=8)
    ax.text(ax.get_xlim()[0], 0.0, " Cournot-Nash", va="bottom", fontsize=8)
    ax.set_xlabel("period $t$")
    ax.set_ylabel(r"collusion index $\Delta = (\pi - \pi^N)/(\pi^M - \pi^N)$")
    ax.set_title(title or "Q-learning firms in a Cournot duopoly, by governance regime",
                 fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    return fig


def plot_governance_diagram(res, ax=None, title: str | None = None):
    r"""Mean collusion index over sanction size x detection threshold.

    The dashed line marks the sanction equal to the per-period collusion gain
    :math:`\pi^M - \pi^N` (the deterrence threshold of grim-trigger collusion with certain
    detection); the colour bar is centred on the ungoverned level.

    Parameters
    ----------
    res : GovernanceDiagram
    ax : matplotlib.axes.Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    from .cournot_learning import GovernanceDiagram

    if not isinstance(res, GovernanceDiagram):
        raise TypeError(f"`res` must be a GovernanceDiagram, got {type(res).__name__}")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"`title` must be a str or None, got {type(title).__name__}")
    fig, ax, _ = figure_axes(ax, figsize=(6.4, 4.8))
    S, TH = res.sanctions, res.thresholds

    mesh = ax.pcolormesh(cell_edges(S), cell_edges(TH), res.index, cmap="viridis", vmin=min(
        0.0, float(res.index.min())), vmax=max(1.0, float(res.index.max())), shading="flat")
    for j in range(TH.size):
        for i in range(S.size):
            v = res.index[j, i]
            ax.text(S[i], TH[j], f"{v:.2f}", ha="center", va="center", fontsize=7,
                    color="w" if v < 0.55 else "k")
    ax.axvline(res.collusion_gain, color="w", ls="--", lw=1.2)
    ax.annotate(r"$s = \pi^M - \pi^N$", (res.collusion_gain, 0.0), xycoords=("data", "axes fraction"),
                xytext=(3, 3), textcoords="offset points", color="w", fontsize=8)
    cb = fig.colorbar(mesh, ax=ax)
    cb.set_label(r"mean collusion index $\Delta$")
    cb.ax.axhline(res.ungoverned, color="r", lw=2)
    ax.set_xlabel("sanction $s$ per sanctioned period")
    ax.set_ylabel(r"detection threshold $\theta$")
    ax.set_title(title or f"Institutional governance (ungoverned $\\Delta$ = "
                          f"{res.ungoverned:.2f}, red on the bar)", fontsize=10)
    return fig
