"""Sketching room: random sketches and sketch-and-solve least squares with l-infinity bounds.

Public names: :func:`sketch` (Gaussian, SRHT, CountSketch, leverage-score sampling),
:func:`sketch_and_solve` (returning :class:`SketchSolveResult`), :func:`linf_eps`,
:func:`linf_bound`, :func:`linf_ratios`, :func:`clopper_pearson`, :func:`leverage_scores` and the figures of :mod:`.plots`.
"""

from .core import (SKETCH_KINDS, Sketch, SketchSolveResult, clopper_pearson, leverage_scores,
                   linf_bound, linf_eps, linf_ratios, sketch, sketch_and_solve)
from .plots import plot_error_vs_m, plot_failure_vs_m

__all__ = ["SKETCH_KINDS", "Sketch", "SketchSolveResult", "clopper_pearson", "leverage_scores",
           "linf_bound", "linf_eps", "linf_ratios", "sketch", "sketch_and_solve", "plot_error_vs_m", "plot_failure_vs_m"]
