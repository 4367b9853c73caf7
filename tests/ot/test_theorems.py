"""Property tests: every per-instance theorem of the OT room on instances drawn by hypothesis
(``tests/_strategies.py``: sizes ``n``, ``m`` and the sampler's seed).

The hand-written variants in ``test_properties.py`` add what the samplers do not draw (both
Sinkhorn methods, several tolerances, the chain of entropy constants)."""

import pytest

from .._strategies import check_theorem, room_theorems, theorem_id


@pytest.mark.parametrize("thm", room_theorems("ot"), ids=theorem_id)
def test_theorem_holds_on_drawn_instances(thm):
    """Sinkhorn marginals, weak duality, gap bound, entropic bias, envelope theorem, smooth and
    sparse OT identities, with the constants of ``equilibria.solvers.ot.theorems``."""
    check_theorem(thm)
