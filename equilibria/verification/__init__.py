"""Theorem registry, rate fitting and optimality certificates.

- :class:`Theorem`, the :func:`theorem` decorator rooms declare theorems with, :func:`register`,
  :func:`verify` (behind ``equilibria verify``), :class:`Report`.
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
from .registry import (REGISTRY, Report, TheoremFunction, get, load_all, names, register,
                       theorem, verify)
from ._theorem import BoundData, Outcome, RateData, Theorem

__all__ = [
    "Theorem", "BoundData", "RateData", "Outcome", "theorem", "TheoremFunction", "register",
    "get", "names", "load_all",
    "verify", "Report", "REGISTRY", "fit_slope", "fit_loglog", "RateFit", "duality_gap",
    "best_response_gap", "exploitability", "kkt_residual", "operator_residual",
    "regularized_exploitability", "Result",
    "Status", "ConvergenceWarning",
]
