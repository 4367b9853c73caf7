"""Coexistence dynamics and classic models: vector fields, integrators, equilibria, sweeps.

The headline model is :class:`CoexistenceModel`, this package's reconstruction of the multiplex
human-AI coexistence model of Chakraborty (2026) as a generalized Lotka-Volterra system (see
:mod:`equilibria.odes.model`).
"""

from .analysis import (BasinResult, ContinuationResult, RegimeResult, SensitivityResult,
                       ShockResult, basin_continuation, basin_sweep, format_table,
                       identify_attractors, regime_diagram, regime_table, sensitivity,
                       shock_test)
from .classic import lv_competition, mutualism, replicator
from .model import OUTCOME_CLASSES, PRESETS, CoexistenceModel, Indices, classify
from .symbolic import simulate_field
from .systems import BatchRun, EquilibriumSet, LVSystem, Trajectory

__all__ = ["CoexistenceModel", "Indices", "classify", "PRESETS", "OUTCOME_CLASSES", "LVSystem",
           "Trajectory", "BatchRun", "EquilibriumSet", "lv_competition", "mutualism",
           "replicator", "basin_sweep", "basin_continuation", "regime_diagram", "shock_test",
           "sensitivity", "regime_table", "format_table", "identify_attractors", "BasinResult",
           "ContinuationResult", "RegimeResult", "ShockResult", "SensitivityResult", "simulate_field"]
