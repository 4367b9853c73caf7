"""Users' own policies on the linear, dynamical-linear and threshold theorems (issue 13 §2).

``bandits.oful_sqrt_growth``, ``bandits.dynlin_ucb_*`` and ``bandits.ofs_*`` take
``algorithm=``, a policy object that :func:`equilibria.bandits.simulate` accepts for the
theorem's environment.  The package's own policy passed through the protocol reproduces the
default run exactly (same seeds), and a deliberately wrong policy fails with a readable report.
"""

import pytest

from equilibria.bandits import OFS, DynLinUCB, LinUCB, UnconstrainedThreshold
from equilibria.verification import check, get

THEOREMS = {
    "bandits.oful_sqrt_growth": LinUCB,
    "bandits.dynlin_ucb_sqrt_growth": DynLinUCB,
    "bandits.dynlin_ucb_rho_dependence": DynLinUCB,
    "bandits.ofs_violation_sublinear": OFS,
    "bandits.ofs_near_oracle": OFS,
}


@pytest.mark.parametrize("name", sorted(THEOREMS))
def test_own_policy_through_the_protocol_is_the_default_run(name):
    assert get(name).accepts_algorithm
    default = check(name, seed=3, quick=True)
    via = check(name, seed=3, quick=True, algorithm=THEOREMS[name]())
    assert default.passed and via.passed
    assert via.measured == default.measured and via.bound == default.bound
    assert via.detail == default.detail


@pytest.mark.parametrize("name,wrong", [
    # radius 100x the self-normalized one: near-uniform exploration, regret nearly linear
    ("bandits.oful_sqrt_growth", LinUCB(R=100.0)),
    # ignores the hidden state: its regret no longer grows as sqrt(T) nor with 1/(1 - rho)
    ("bandits.dynlin_ucb_sqrt_growth", DynLinUCB(ignore_dynamics=True)),
    ("bandits.dynlin_ucb_rho_dependence", DynLinUCB(ignore_dynamics=True)),
    # drops the constraints: violation grows linearly
    ("bandits.ofs_violation_sublinear", UnconstrainedThreshold()),
])
def test_wrong_policy_fails_with_a_readable_report(name, wrong):
    rep = check(name, seed=0, quick=True, algorithm=wrong)
    assert not rep.passed and rep.error is None
    text = str(rep)
    assert "FAIL" in text and name in text


def test_policy_of_the_wrong_family_is_an_error_that_names_both():
    rep = check("bandits.dynlin_ucb_sqrt_growth", seed=0, quick=True, algorithm=LinUCB())
    assert not rep.passed
    assert "does not apply to `env` DynamicalLinearBandit" in rep.detail
