"""Symbolic models, closed forms, stability certificates and stated bounds.

- :mod:`.stability`: Jacobian spectra, diagonal (Volterra) stability LMIs, P-matrix tests, LCPs,
  symmetric-part margins (the coexistence room's certificates).
- :mod:`.alignment`: closed forms of regularized policy optimization (KL-regularized optimum,
  best-of-N, frontiers).
- :mod:`.divergences`: entropy, KL and chi-squared divergences (the one home for all rooms).
- :mod:`.symbolic`: sympy vector fields with a symbolic Jacobian, compiled by numba
  (integrated by :func:`equilibria.odes.simulate_field`).
- :mod:`.levine`: the Levine hat game (exact win probabilities by enumeration, best responses,
  the recursive block strategies reaching 7/20, the continuous version); its theorems are
  registered by the games room (``games.levine_*``).
"""

from .alignment import *  # noqa: F401,F403
from .alignment import __all__ as _alignment_all
from .stability import *  # noqa: F401,F403
from .stability import __all__ as _stability_all
from .divergences import chi2_divergence, entropy, kl_divergence
from .symbolic import SymbolicField, glv_field
from .levine import LevineResult, levine_best_response, levine_value

__all__ = [*_stability_all, *_alignment_all, "SymbolicField", "glv_field", "entropy",
           "levine_value", "levine_best_response", "LevineResult",
           "kl_divergence", "chi2_divergence"]
