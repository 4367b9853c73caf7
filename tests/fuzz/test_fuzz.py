"""The reliability contract, checked over every public callable (see ``tests/fuzz/harness.py``).

``test_every_public_name_has_a_case`` fails when a public name has neither a baseline case nor
an exemption with a reason, so a new public function cannot skip the contract.
``test_fuzz`` runs every case through the corruption matrix and fails on any defect outcome
(wrong exception, silent NaN, wrong answer, accepted invalid input, mutated input,
recompilation, hang).
"""

import pytest

from tests.fuzz import cases as C
from tests.fuzz.harness import DEFECTS, ROOMS, public_names, room_of, run_case

ALL = [(room, case) for room in ROOMS for case in C.load(room)[0]]


@pytest.mark.parametrize("room", ROOMS)
def test_every_public_name_has_a_case(room):
    cases, exempt = C.load(room)
    covered = {c.name for c in cases} | set(exempt)
    names = [n for n in public_names() if room_of(n) == room]
    missing = [n for n in names if n not in covered]
    assert not missing, f"public names of {room} with no fuzz case and no exemption: {missing}"
    stale = sorted(covered - set(public_names()))
    assert not stale, f"fuzz cases / exemptions of {room} for names that are not public: {stale}"
    for name, reason in exempt.items():
        assert isinstance(reason, str) and len(reason) > 10, f"exemption of {name} needs a reason"


@pytest.mark.parametrize("case", [c for _, c in ALL], ids=[c.id for _, c in ALL])
def test_fuzz(case):
    outcomes = run_case(case)
    bad = [o for o in outcomes if o.kind in DEFECTS]
    assert not bad, "\n".join(str(o) for o in bad)
