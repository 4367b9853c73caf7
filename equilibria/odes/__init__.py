"""Coexistence dynamics and classic models: vector fields, integrators, equilibria, sweeps.

The headline model is :class:`CoexistenceModel`, this package's reconstruction of the multiplex
human-AI coexistence model of Chakraborty (2026) as a generalized Lotka-Volterra system (see
:mod:`equilibria.odes.model`).

Modules: :mod:`.systems` (LV-type systems, integrators), :mod:`.attractors` (identification
from end states), :mod:`.basins` (basin sweeps, continuation), :mod:`.regimes` (regime
diagrams, the preset table), :mod:`.shocks`, :mod:`.sensitivity`, :mod:`.plotting` (all
figures), :mod:`.options` (:class:`SweepOptions`, the settings every sweep shares).
"""

from equilibria._lib.sets import Box, Simplex

from .attractors import identify_attractors
from .boundary import (BasinEntropy, EdgeTrackingResult, UncertaintyResult, WadaResult,
                       basin_entropy, edge_tracking, uncertainty_exponent,
                       uncertainty_exponent_image, wada_test)
from .derived import PoincareMap, ProjectedSystem, SectionCrossings, StroboscopicMap
from .dynamical import ODE, DynamicalSystem, IntegratorOptions, Map
from .mapper import (Attractor, AttractorSet, BasinsResult, FractionsResult, Grid,
                     LyapunovResult, MapperOptions, RecurrenceOptions, basins_fractions,
                     basins_of_attraction, find_attractors, lyapunov_spectrum)
from .basins import BasinResult, ContinuationResult, basin_continuation, basin_sweep
from .continuation import (GenericRegimeResult, GlobalContinuation, generic_regime_diagram,
                           global_continuation)
from .options import REGIME_OPTIONS, SweepOptions
from .portrait import Equilibria, locate_equilibria, phase_portrait, ternary_portrait
from .regimes import RegimeResult, format_table, regime_diagram, regime_table
from .resilience import (BasinStability, FatalShock, FiniteTimeBasinStability, Recovery,
                         basin_stability, finite_time_basin_stability, minimal_fatal_shock,
                         recovery_time)
from .sensitivity import SensitivityResult, sensitivity
from .shocks import ShockResult, shock_test
from .classic import lv_competition, mutualism, replicator
from .model import OUTCOME_CLASSES, PRESETS, CoexistenceModel, Indices, classify
from .symbolic import simulate_field
from .systems import BatchRun, EquilibriumSet, LVSystem, Trajectory

from .drift import (DriftResult, FlowResult, GDIterates, Game, PrincipalFlow, bilinear_game,
                    dirac_gan, drift_error, drift_figure, game_drift, game_iterates,
                    game_modified_field, gd_iterates, gradient_flow, modified_flow,
                    modified_flow_field, principal_flow)
from .cpr import CPRModel, CPRSimulation, cpr_simulate
from .cpr_plots import (CPRRegimeResult, cpr_regimes, plot_cpr_presets, plot_cpr_regimes,
                        plot_cpr_simplex)

__all__ = ["CoexistenceModel", "Indices", "classify", "PRESETS", "OUTCOME_CLASSES", "LVSystem",
           "Trajectory", "BatchRun", "EquilibriumSet", "lv_competition", "mutualism",
           "replicator", "basin_sweep", "basin_continuation", "regime_diagram", "shock_test",
           "sensitivity", "regime_table", "format_table", "identify_attractors", "BasinResult",
           "ContinuationResult", "RegimeResult", "ShockResult", "SensitivityResult", "simulate_field", "SweepOptions",
           "REGIME_OPTIONS", "ODE", "Map", "DynamicalSystem", "IntegratorOptions", "Grid",
           "RecurrenceOptions", "MapperOptions", "Attractor", "AttractorSet", "BasinsResult",
           "FractionsResult",
           "LyapunovResult", "find_attractors", "basins_of_attraction", "basins_fractions",
           "lyapunov_spectrum", "Box", "Simplex", "Equilibria", "locate_equilibria",
           "phase_portrait", "ternary_portrait", "BasinStability", "FatalShock",
           "FiniteTimeBasinStability", "Recovery", "basin_stability",
           "finite_time_basin_stability", "minimal_fatal_shock", "recovery_time", "BasinEntropy",
           "EdgeTrackingResult", "UncertaintyResult", "WadaResult", "basin_entropy",
           "edge_tracking", "uncertainty_exponent", "uncertainty_exponent_image", "wada_test",
           "GlobalContinuation", "GenericRegimeResult", "global_continuation",
           "generic_regime_diagram", "PoincareMap", "StroboscopicMap", "ProjectedSystem",
           "SectionCrossings", "DriftResult", "FlowResult", "GDIterates", "Game",
           "PrincipalFlow", "bilinear_game", "dirac_gan", "drift_error", "drift_figure",
           "game_drift", "game_iterates", "game_modified_field", "gd_iterates", "gradient_flow",
           "modified_flow", "modified_flow_field", "principal_flow", "CPRModel",
           "CPRSimulation", "cpr_simulate", "CPRRegimeResult", "cpr_regimes",
           "plot_cpr_presets", "plot_cpr_regimes", "plot_cpr_simplex"]
