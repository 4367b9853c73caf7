"""Every registered theorem either takes a user's implementation (``algorithm=``, with its
documented ``protocol``) or says in ``no_algorithm`` why it takes none (issue 13, section 2:
"each algorithmic theorem can take the user's implementation")."""

import pytest

from equilibria.verification import registry
from equilibria.verification._theorem import Theorem

registry.load_all()
NAMES = registry.names()

# Ratchet: theorems not yet given algorithm= or a reason (stop 28); the set may only shrink.
# Empty since stop 31: every registered theorem takes algorithm= or states why not.
KNOWN_MISSING: frozenset[str] = frozenset()


@pytest.mark.parametrize("name", NAMES)
def test_protocol_or_reason(name):
    thm = registry.get(name)
    if thm.accepts_algorithm:
        assert thm.protocol, f"{name} takes algorithm= but documents no protocol"
        assert thm.no_algorithm is None
    elif name in KNOWN_MISSING:
        assert not thm.no_algorithm, f"{name} now has a reason: remove it from KNOWN_MISSING"
    else:
        assert thm.no_algorithm, (f"{name} takes no algorithm= and gives no reason "
                                  "(`no_algorithm`)")
        assert len(thm.no_algorithm.split()) >= 5, f"{name}: reason too short"


def test_reason_shown_by_describe():
    from equilibria.verification.reports import describe

    from equilibria.verification._theorem import Theorem as T

    thm = T(name="x.z", source="s", statement="t", sample=lambda rng: None,
            evaluate=lambda inst: (0.0, 1.0), no_algorithm="a closed form, nothing to implement")
    assert thm.no_algorithm in " ".join(describe(thm, width=1000).split())


def test_reason_and_algorithm_conflict():
    def ev(inst, *, algorithm=None):
        return 0.0, 1.0

    with pytest.raises(ValueError, match="no_algorithm"):
        Theorem(name="x.y", source="s", statement="t", sample=lambda rng: None, evaluate=ev,
                no_algorithm="a closed form, nothing to implement")
