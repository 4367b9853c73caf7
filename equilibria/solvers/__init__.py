"""Solvers: ``online`` (FTRL/OMD), ``ot`` (optimal transport), ``constrained``, ``games``
(equilibrium solvers), ``policy`` (regularized policy optimization) and ``sketch``
(random sketches and sketch-and-solve least squares)."""
