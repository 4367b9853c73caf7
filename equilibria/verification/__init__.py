"""Theorem registry, rate fitting and optimality certificates.

- :class:`Theorem`, the :func:`theorem` decorator rooms declare theorems with, :func:`register`,
  :func:`verify` (behind ``equilibria verify``), :class:`Report`; :func:`check` (one theorem,
  optionally on a user's implementation ``algorithm=`` and instances ``instances=``);
  :func:`load_module` (a user's module of theorems; installed packages register through the
  ``equilibria.theorems`` entry-point group).
- :func:`fit_slope`, :func:`fit_loglog`: slopes with bootstrap confidence intervals.
- Certificates: :func:`duality_gap`, :func:`best_response_gap`, :func:`exploitability`,
  :func:`kkt_residual`, :func:`operator_residual`, :func:`regularized_exploitability`.
- The shared result type is re-exported here for ``isinstance`` checks: :class:`Result`,
  :class:`Status`, :class:`ConvergenceWarning`.
"""

from equilibria._lib.result import ConvergenceWarning, Result, Status

from .certificates import (best_response_gap, duality_gap, exploitability, kkt_residual,
                           operator_residual, regularized_exploitability)
from .rates import RateFit, fit_loglog, fit_slope
from .registry import (REGISTRY, Report, TheoremFunction, check, get, load_all, load_module,
                       names, register, theorem, verify)
from ._theorem import MAX_VACUOUS_FRACTION, BoundData, Outcome, RateData, Theorem

__all__ = [
    "Theorem", "BoundData", "MAX_VACUOUS_FRACTION", "RateData", "Outcome", "theorem", "TheoremFunction", "register",
    "get", "names", "load_all",
    "verify", "check", "load_module", "Report", "REGISTRY", "fit_slope", "fit_loglog", "RateFit", "duality_gap",
    "best_response_gap", "exploitability", "kkt_residual", "operator_residual",
    "regularized_exploitability", "Result",
    "Status", "ConvergenceWarning",
]
