"""Plots: regret curves with confidence bands and pull distributions (matplotlib figures)."""

from __future__ import annotations

import numpy as np

from equilibria._lib.figures import figure_axes

from .engine import BanditResult, _check_level

__all__ = ["plot_regret", "plot_pulls"]


def plot_regret(results, *, ax=None, level=0.95, realized=False, violation=False, logx=False,
                title=None):
    """Mean cumulative regret against rounds with a ``level`` confidence band, one curve per
    result.

    Parameters
    ----------
    results : BanditResult or sequence of BanditResult
    ax : matplotlib Axes, optional
    level : float in (0, 1)
        Confidence level of the band (normal approximation over runs).
    realized : bool
        Plot realized instead of pseudo-regret.
    violation : bool
        Plot the cumulative constraint violation (threshold environment) instead.
    logx : bool
        Logarithmic round axis (useful on a log-spaced checkpoint grid).
    title : str, optional
        Axes title (default: environment, regret kind and band level).

    Raises
    ------
    ValueError
        ``level`` outside (0, 1), or ``violation=True`` for results without a violation curve.
    TypeError
        ``results`` not BanditResult objects, or ``title`` not a string.

    Returns
    -------
    matplotlib.figure.Figure
    """
    results = _check_results(results, title)
    level = _check_level(level)
    if violation and any("violation" not in r.extras for r in results):
        raise ValueError("`violation`=True needs results of the threshold environment (with "
                         "extras['violation']), got " + ", ".join(r.env for r in results))
    fig, ax, own = figure_axes(ax, figsize=(6.4, 4.2), layout=None)
    from scipy.stats import norm

    z = norm.ppf(0.5 + level / 2)
    for res in results:
        if violation:
            x = res.extras["violation"]
        else:
            x = res.realized_regret if realized else res.regret
        m = x.mean(axis=0)
        se = x.std(axis=0, ddof=1) / np.sqrt(x.shape[0]) if x.shape[0] > 1 else 0 * m
        lo, hi = m - z * se, m + z * se
        label = res.policy.split("(")[0] + f" ({res.n_runs} runs)"
        line, = ax.plot(res.t, m, label=label, lw=1.6)
        ax.fill_between(res.t, lo, hi, color=line.get_color(), alpha=0.25, lw=0)
    if logx:
        ax.set_xscale("log")
    ax.set_xlabel("round t")
    what = "constraint violation" if violation else \
        ("realized" if realized else "pseudo") + "-regret"
    ylabel = f"cumulative {what}"
    if results[0].env == "ThresholdEnvironment" and not violation:
        ylabel += "\n(vs best feasible fixed threshold)"
    ax.set_ylabel(ylabel)
    ax.set_title(title or f"{results[0].env}: mean {what.split('-')[-1]} "
                 f"({int(level * 100)}% band)", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, fontsize=9)
    if own:  # the caller's figure keeps its layout
        fig.tight_layout()
    return fig


def plot_pulls(results, *, ax=None, title=None, logy=True):
    """Mean fraction of pulls per arm (grouped bars, one group per result), optimal arms shaded.

    ``logy=True`` (default) uses a logarithmic axis so the rarely pulled suboptimal arms stay
    visible next to the optimal one.

    Returns
    -------
    matplotlib.figure.Figure

    Parameters
    ----------
    results : BanditResult or sequence of BanditResult
        Results on environments with the same number of arms; the optimal arms shaded are those
        of the first result.
    ax : matplotlib Axes, optional
        Axes to draw on (default: a new figure).
    title : str, optional
        Axes title (default: environment and horizon).
    logy : bool, default True
        Logarithmic fraction axis.
    """
    results = _check_results(results, title)
    K = results[0].pulls.shape[1]
    if any(r.pulls.shape[1] != K for r in results):
        raise ValueError("`results` must share the number of arms, got "
                         f"{[r.pulls.shape[1] for r in results]}")
    fig, ax, own = figure_axes(ax, figsize=(6.4, 4.2), layout=None)
    width = 0.8 / len(results)
    arms = np.arange(K)
    for k, res in enumerate(results):
        frac = res.pulls.mean(axis=0) / res.horizon
        ax.bar(arms + (k - (len(results) - 1) / 2) * width, frac, width,
               label=res.policy.split("(")[0], zorder=2)
    for i, b in enumerate(results[0].best_arms):
        # beneath the bars (zorder 0): drawn over them, the translucent shading changed the
        # bars' colours so they no longer matched the legend
        ax.axvspan(b - 0.45, b + 0.45, color="gold", alpha=0.2, lw=0, zorder=0,
                   label="optimal arm" if i == 0 else "_")
    if logy:
        ax.set_yscale("log")
    ax.set_xticks(arms)
    ax.set_xlabel("arm (shaded: optimal)")
    ax.set_ylabel("mean fraction of pulls" + (" (log scale)" if logy else ""))
    ax.set_title(title or f"{results[0].env}: pull distribution, T = {results[0].horizon}")
    ax.legend(frameon=False, fontsize=9, loc="upper left")
    ax.grid(alpha=0.3, axis="y")
    if own:  # the caller's figure keeps its layout
        fig.tight_layout()
    return fig


def _check_results(results, title):
    """``results`` as a non-empty list of BanditResult; ``title`` None or a string."""
    if not isinstance(results, (list, tuple)):
        results = [results]
    if not results or not all(isinstance(r, BanditResult) for r in results):
        raise TypeError("`results` must be a BanditResult or a non-empty sequence of them, got "
                        + (", ".join(type(r).__name__ for r in results) or "an empty sequence"))
    if title is not None and not isinstance(title, str):
        raise TypeError(f"`title` must be a string or None, got {type(title).__name__}")
    return list(results)
