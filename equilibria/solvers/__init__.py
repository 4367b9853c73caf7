"""Solvers: ``online`` (FTRL/OMD), ``ot`` (optimal transport), ``constrained``, ``games``
(equilibrium solvers) and ``policy`` (regularized policy optimization)."""
