r"""Figures of the sketching room: the l-infinity error over the bound against the sketch size,
and the failure frequency against the sketch size with a Clopper-Pearson band.

Both return the matplotlib figure (:func:`equilibria._lib.figures.figure_axes`); nothing is
shown or saved here.
"""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import NullFormatter

from equilibria._lib.figures import figure_axes
from equilibria._lib.validation import as_float_array, check_int, check_scalar

from .core import SKETCH_KINDS, clopper_pearson, linf_ratios

__all__ = ["plot_error_vs_m", "plot_failure_vs_m"]


def _ms(ms, d, n):
    arr = np.asarray(as_float_array(ms, "ms", ndim=1, min_size=1), dtype=float)
    if np.any(arr != np.round(arr)) or arr.min() < d or arr.max() > n:
        raise ValueError(f"`ms` must be integers in [d, n] = [{d}, {n}], got {arr.tolist()}")
    return arr.astype(int)


def _kinds(kinds):
    kinds = (kinds,) if isinstance(kinds, str) else tuple(kinds)
    bad = [k for k in kinds if k not in SKETCH_KINDS]
    if bad or not kinds:
        raise ValueError(f"`kinds` must be a non-empty subset of {SKETCH_KINDS}, got {kinds}")
    return kinds


def plot_error_vs_m(A, b, ms, *, kinds=SKETCH_KINDS, n_seeds=50, delta=0.1, ax=None):
    r"""Plot the median and 90% quantile of the l-infinity error over the bound against ``m``.

    For each sketch family and each size ``m`` in ``ms``, ``n_seeds`` independent sketches
    give the ratios :math:`\|x'-x^*\|_\infty / \text{bound}` (:func:`~.core.linf_ratios`,
    bound of Song, Ye, Yin, Zhang 2023 with :math:`\epsilon` from :func:`~.core.linf_eps`);
    the median is drawn as a line and the 10-90% quantile range as a band, log-log axes.

    Parameters
    ----------
    A : array_like, shape (n, d)
        Full-column-rank design.
    b : array_like, shape (n,)
        Right-hand side.
    ms : array_like of int
        Sketch sizes in ``[d, n]``.
    kinds : sequence of str, default all of SKETCH_KINDS
        Sketch families to draw.
    n_seeds : int, default 50
        Sketches per point.
    delta : float, default 0.1
        Failure probability of the bound.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (default: a new figure).

    Returns
    -------
    matplotlib.figure.Figure
        The figure.
    """
    A = as_float_array(A, "A", ndim=2)
    n, d = A.shape
    ms = _ms(ms, d, n)
    kinds = _kinds(kinds)
    n_seeds = check_int(n_seeds, "n_seeds", lo=1, hi=100_000)
    fig, ax, _ = figure_axes(ax)
    for kind in kinds:
        q = np.array([np.quantile(linf_ratios(A, b, int(m), n_seeds, kind=kind, delta=delta),
                                  [0.1, 0.5, 0.9]) for m in ms])
        (line,) = ax.plot(ms, q[:, 1], marker="o", label=kind)
        ax.fill_between(ms, q[:, 0], q[:, 2], color=line.get_color(), alpha=0.2)
    ax.axhline(1.0, color="k", ls="--", lw=1, label="bound")
    ax.set_xscale("log")
    ax.set_xticks([int(m) for m in ms], [str(int(m)) for m in ms])
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_yscale("log")
    ax.set_xlabel("sketch rows m")
    ax.set_ylabel(r"$\|x'-x^*\|_\infty$ / bound")
    ax.set_title(rf"$\ell_\infty$ error over bound ($n$={n}, $d$={d}, $\delta$={delta})")
    ax.legend()
    return fig


def plot_failure_vs_m(A, b, ms, *, kinds=SKETCH_KINDS, n_seeds=200, delta=0.1, eps=None,
                      level=0.95, ax=None):
    r"""Plot the frequency of failures of the l-infinity bound against ``m`` with a band.

    A failure is a sketch whose ratio (:func:`~.core.linf_ratios`) exceeds 1; over
    ``n_seeds`` sketches per size the frequency is drawn with its two-sided Clopper-Pearson
    interval at ``level`` (:func:`~.core.clopper_pearson`) and the target ``delta`` as a
    horizontal line.

    Parameters
    ----------
    A : array_like, shape (n, d)
        Full-column-rank design.
    b : array_like, shape (n,)
        Right-hand side.
    ms : array_like of int
        Sketch sizes in ``[d, n]``.
    kinds : sequence of str, default all of SKETCH_KINDS
        Sketch families to draw.
    n_seeds : int, default 200
        Sketches per point.
    delta : float, default 0.1
        Failure probability of the bound.
    eps : float, optional
        Accuracy override (default: from the paper's row count at each ``m``); a fixed
        ``eps`` shows how the failure probability falls with ``m`` at a fixed target.
    level : float, default 0.95
        Confidence level of the band.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (default: a new figure).

    Returns
    -------
    matplotlib.figure.Figure
        The figure.
    """
    A = as_float_array(A, "A", ndim=2)
    n, d = A.shape
    ms = _ms(ms, d, n)
    kinds = _kinds(kinds)
    n_seeds = check_int(n_seeds, "n_seeds", lo=1, hi=100_000)
    level = check_scalar(level, "level", lo=0.0, hi=1.0, lo_inclusive=False,
                         hi_inclusive=False)
    fig, ax, _ = figure_axes(ax)
    for kind in kinds:
        k = np.array([int(np.sum(linf_ratios(A, b, int(m), n_seeds, kind=kind, delta=delta,
                                             eps=eps) > 1.0)) for m in ms])
        ci = np.array([clopper_pearson(int(kk), n_seeds, level=level) for kk in k])
        (line,) = ax.plot(ms, k / n_seeds, marker="o", label=kind)
        ax.fill_between(ms, ci[:, 0], ci[:, 1], color=line.get_color(), alpha=0.2)
    ax.axhline(delta, color="k", ls="--", lw=1, label=r"$\delta$")
    ax.set_xscale("log")
    ax.set_xticks([int(m) for m in ms], [str(int(m)) for m in ms])
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("sketch rows m")
    ax.set_ylabel("failure frequency")
    ax.set_title(rf"failures of the $\ell_\infty$ bound ({int(level * 100)}% Clopper-Pearson)",
                 fontsize="medium")
    ax.legend()
    return fig
