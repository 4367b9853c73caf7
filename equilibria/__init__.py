"""equilibria: theory and numerical analysis of dynamical and optimization models.

The numerical code lives in the rooms, installed as sub-packages:

- :mod:`equilibria.theory`: symbolic models, closed forms, stability certificates, stated bounds.
- :mod:`equilibria.solvers`: online learning, optimal transport, constrained, equilibrium and
  policy-optimization solvers.
- :mod:`equilibria.odes`: coexistence dynamics, integrators, basins, regime diagrams.
- :mod:`equilibria.bandits`: bandit environments, policies and the simulation engine.
- :mod:`equilibria.verification`: the theorem registry (``equilibria verify``), rate fitting and
  optimality certificates.

This package itself holds only the version, the command-line interface and the package-wide
options: :func:`set_options` (or the :func:`options` context manager) sets the default of every
``progress=None`` argument and what happens to the package's warnings; :func:`get_options` reads
them.
"""

__version__ = "0.1.0"

from ._lib.options import get_options, options, set_options  # noqa: E402

__all__ = ["__version__", "set_options", "options", "get_options"]
