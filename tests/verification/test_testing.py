"""``equilibria.testing.assert_theorem`` (issue 13): the package's theorems in a user's pytest
suite, with a user's implementation, hypothesis-drawn instances and shrinking.

The theorem here is a small Hedge regret bound with a user-facing protocol, registered by the
test and removed from the registry afterwards (the rooms' own theorems are tested by their
rooms); the deliberately wrong implementation is a Hedge whose learning rate is ten times the
stated one, which a follow-the-leader trap defeats.
"""

import sys

import numpy as np
import pytest

from equilibria.testing import assert_theorem
from equilibria.verification import BoundData, Theorem, check
from equilibria.verification import registry as reg


class MyHedge:
    """The user's Hedge: ``predict() -> weights``, ``update(loss)``."""

    def __init__(self, N, eta):
        self.eta, self.L = eta, np.zeros(N)

    def predict(self):
        w = np.exp(-self.eta * (self.L - self.L.min()))
        return w / w.sum()

    def update(self, loss):
        self.L += loss


class WrongRateHedge(MyHedge):
    """A plausible bug: the learning rate scaled by 10."""

    def __init__(self, N, eta):
        super().__init__(N, 10 * eta)


def ftl_trap(T):
    """Two experts, losses (1/2, 0), then (0, 1) and (1, 0) alternating: a follow-the-leader
    learner pays about 1 a round, the best expert about T / 2."""
    losses = np.zeros((T, 2))
    losses[0] = (0.5, 0.0)
    losses[1::2, 1] = 1.0
    losses[2::2, 0] = 1.0
    return losses


def sample_hedge(rng, T=None, N=None):
    """``{"losses": (T, N) array in [0, 1], "eta": sqrt(8 ln N / T)}``; half of the draws are
    the follow-the-leader trap (two experts, losses alternating after a half-loss start)."""
    T = int(rng.integers(20, 300)) if T is None else T
    if rng.uniform() < 0.5:
        losses = ftl_trap(T)
    else:
        N = int(rng.integers(2, 9)) if N is None else N
        losses = rng.uniform(size=(T, N))
    N = losses.shape[1]
    return {"losses": losses, "eta": float(np.sqrt(8 * np.log(N) / T))}


def evaluate_hedge(inst, *, algorithm=None):
    """Hedge with rate eta on losses in [0, 1]^N: R_T <= ln N / eta + eta T / 8."""
    losses, eta = inst["losses"], inst["eta"]
    T, N = losses.shape
    if not (np.all(losses >= 0) and np.all(losses <= 1)):
        raise ValueError("losses must lie in [0, 1]")
    learner = (MyHedge if algorithm is None else algorithm)(N, eta)
    total = 0.0
    for loss in losses:
        p = np.asarray(learner.predict(), dtype=float)
        total += float(p @ loss)
        learner.update(loss)
    regret = total - float(losses.sum(axis=0).min())
    return regret, np.log(N) / eta + eta * T / 8, float(T)


@pytest.fixture
def toy_hedge():
    """Registered in the real registry for the test, removed afterwards."""
    reg.load_all()
    thm = reg.register(Theorem(
        "toyuser.hedge_regret", "Cesa-Bianchi & Lugosi (2006), Thm 2.2",
        "Hedge with rate eta on losses in [0,1]^N: R_T <= ln N / eta + eta T / 8.",
        sample=sample_hedge, evaluate=evaluate_hedge, sizes={"T": (20, 300)},
        n_instances=(20, 100), examples=40,
        protocol="algorithm(N, eta) -> learner with predict() -> weights and update(loss)"))
    try:
        yield thm
    finally:
        reg.REGISTRY.pop(thm.name, None)
    assert "toyuser.hedge_regret" not in reg.REGISTRY


def test_correct_user_hedge_passes(toy_hedge):
    assert_theorem("toyuser.hedge_regret", algorithm=MyHedge)
    assert_theorem(toy_hedge)  # the theorem's own default, through the same protocol


def test_wrong_learning_rate_fails_with_a_readable_shrunk_report(toy_hedge):
    """The wrong Hedge survives uniform losses but not the trap; hypothesis finds and shrinks
    it (fails if ``algorithm`` were not passed through: the default Hedge passes)."""
    with pytest.raises(AssertionError) as info:
        assert_theorem("toyuser.hedge_regret", algorithm=WrongRateHedge)
    text = str(info.value)
    assert "toyuser.hedge_regret failed for WrongRateHedge" in text
    assert "measured" in text and "> bound" in text and "statement: Hedge with rate eta" in text
    assert "source: Cesa-Bianchi & Lugosi" in text and "protocol: algorithm(N, eta)" in text
    notes = "\n".join(getattr(info.value, "__notes__", []))
    # hypothesis's wording varies by version ("Falsifying example" / "Failing test case")
    assert ("Falsifying example" in notes or "Failing test case" in notes) and \
        "sample_hedge" in notes


def test_seeded_sampler_without_hypothesis(toy_hedge, monkeypatch):
    monkeypatch.setitem(sys.modules, "hypothesis", None)  # `import hypothesis` raises
    assert_theorem("toyuser.hedge_regret", algorithm=MyHedge, max_examples=10)
    with pytest.raises(AssertionError, match="failed for WrongRateHedge"):
        assert_theorem("toyuser.hedge_regret", algorithm=WrongRateHedge, max_examples=10)


def test_user_instances_and_their_assumptions(toy_hedge):
    trap = {"losses": ftl_trap(100), "eta": float(np.sqrt(8 * np.log(2) / 100))}
    assert_theorem("toyuser.hedge_regret", algorithm=MyHedge, instances=[trap])
    with pytest.raises(AssertionError, match="ratio"):
        assert_theorem("toyuser.hedge_regret", algorithm=WrongRateHedge, instances=[trap])
    bad = {"losses": np.full((10, 2), 2.0), "eta": 0.5}
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        assert_theorem("toyuser.hedge_regret", instances=[bad])
    assert not check("toyuser.hedge_regret", instances=[bad]).passed
    with pytest.raises(ValueError, match="empty"):
        assert_theorem("toyuser.hedge_regret", instances=[])


def test_vacuous_and_experiment_theorems_and_refused_algorithm():
    vac = Theorem("toy.vac", "toy", "x", sample=lambda rng: float(rng.uniform()),
                  evaluate=lambda x: (x, 2.0, 1.0))
    with pytest.raises(AssertionError, match="vacuous"):
        assert_theorem(vac, max_examples=5)
    exp_bad = Theorem("toy.exp", "toy", "x", experiment=lambda rng, quick: BoundData([2.0], [1.0]))
    with pytest.raises(AssertionError, match=r"toy.exp \(bound\): FAIL"):
        assert_theorem(exp_bad)
    plain = Theorem("toy.plain", "toy", "x", sample=lambda rng: 0.0,
                    evaluate=lambda x: (0.0, 1.0))
    assert_theorem(plain, max_examples=3)
    with pytest.raises(ValueError, match="does not take a user implementation"):
        assert_theorem(plain, algorithm=MyHedge)


def test_room_theorem_with_the_packages_hedge_and_a_wrong_rate():
    """The online room's Hedge bound through its user-facing protocol: the package's own
    ``Hedge`` passes, the same class with ten times the learning rate fails."""
    if not reg.get("online.hedge_regret").accepts_algorithm:
        pytest.skip("online.hedge_regret takes no user implementation (yet)")
    from equilibria.solvers.online import Hedge

    assert_theorem("online.hedge_regret", algorithm=Hedge, max_examples=15)
    with pytest.raises(AssertionError, match="online.hedge_regret failed for <lambda>"):
        assert_theorem("online.hedge_regret", algorithm=lambda N, eta: Hedge(N, 10 * eta),
                       max_examples=30)
