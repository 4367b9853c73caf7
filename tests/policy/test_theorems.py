"""Property tests: every per-instance theorem of the policy room on instances drawn by
hypothesis (``tests/_strategies.py``: the samplers' sizes and seeds).

The hand-written strategies in ``test_properties.py`` draw rewards and policies element by
element and add what the samplers do not (sharpness of the correlated-proxy bound, strictness
with ties, the false unit-coefficient variant)."""

import pytest

from .._strategies import check_theorem, room_theorems, theorem_id


@pytest.mark.parametrize("thm", room_theorems("policy"), ids=theorem_id)
def test_theorem_holds_on_drawn_instances(thm):
    """Gibbs variational bound, best-of-N KL bound, correlated-proxy bound, chi^2 occupancy
    ascent, softmax Lipschitz constant, bounded-ratio optimum, KL frontier, entropy cost."""
    check_theorem(thm)
