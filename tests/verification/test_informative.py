"""Issue 13, items 1-2 of the framework: judging with informative instances, the ``tightness`` and
``protocol`` fields, a user's implementation (``algorithm=``) and a user's instances
(``instances=``) through :func:`verify` and :func:`check`."""

import json

import numpy as np
import pytest

from equilibria.verification import BoundData, Theorem, check, theorem
from equilibria.verification import registry as reg
from equilibria.verification._theorem import MAX_VACUOUS_FRACTION


@pytest.fixture
def empty_registry(monkeypatch):
    monkeypatch.setattr(reg, "REGISTRY", {})
    monkeypatch.setattr(reg, "_loaded", True)
    return reg.REGISTRY


def _judge(measured, bound, trivial=None):
    thm = Theorem("toy.j", "toy", "x", experiment=lambda rng, quick: None)
    return thm.judge(BoundData(measured, bound, trivial=trivial))


def test_vacuous_instances_are_counted_and_excluded_from_the_worst_ratio():
    """Fails on a judge that ignores ``informative`` (ratio 0.9 from the vacuous instance, no
    count) or that takes the best ratio over all instances."""
    out = _judge([0.9, 0.5, 0.2], [1.0, 1.0, 1.0], trivial=[1.0, 2.0, 2.0])
    assert out.passed
    assert out.n_informative == 2 and out.n_instances == 3
    assert out.ratio == pytest.approx(0.5) and out.best_ratio == pytest.approx(0.2)
    assert "1/3 vacuous" in out.detail
    row = json.loads(json.dumps(out.as_json()))
    assert row["n_informative"] == 2 and row["best_ratio"] == pytest.approx(0.2)
    assert row["instances"]["trivial"] == [1.0, 2.0, 2.0]
    assert row["instances"]["informative"] == [False, True, True]


def test_mostly_vacuous_bound_fails_and_half_passes():
    """The rule: more than half vacuous fails (``MAX_VACUOUS_FRACTION``).  Fails on a judge
    that never fails a vacuous theorem (the MOSS bound 49 sqrt(nK) passed this way), or one
    that fails at exactly half."""
    assert MAX_VACUOUS_FRACTION == 0.5
    out = _judge([0.1, 0.1, 0.1], [5.0, 5.0, 0.5], trivial=[1.0, 1.0, 1.0])
    assert not out.passed and out.n_informative == 1
    assert "more than half vacuous" in out.detail
    assert out.ratio == pytest.approx(0.2)  # the one informative instance
    half = _judge([0.1, 0.1], [5.0, 0.5], trivial=[1.0, 1.0])
    assert half.passed and half.n_informative == 1
    none = _judge([0.1], [5.0], trivial=[1.0])
    assert not none.passed and none.n_informative == 0 and none.best_ratio is None


def test_theorems_without_trivial_count_as_informative_and_violations_still_fail():
    out = _judge([0.2, 0.4], [1.0, 1.0])
    assert out.passed and out.n_informative == 2 and out.best_ratio == pytest.approx(0.2)
    # a violation on a vacuous instance (measured above the trivial maximum) still fails
    bad = _judge([3.0, 0.1, 0.1], [2.0, 1.0, 1.0], trivial=[1.0, 2.0, 2.0])
    assert not bad.passed and bad.ratio == pytest.approx(1.5) and "violated" in bad.detail


def test_report_table_shows_informative_count_and_best_ratio(empty_registry):
    reg.register(Theorem("toy.v", "toy", "x", experiment=lambda rng, quick: BoundData(
        [0.9, 0.5, 0.2], [1.0, 1.0, 1.0], trivial=[1.0, 2.0, 2.0])))
    text = reg.verify("toy.v").table()
    head, _, row = text.splitlines()[:3]
    assert "best" in head and "inf/n" in head
    assert "2/3" in row and "0.500" in row and "0.200" in row
    assert "note toy.v: 1/3 instances vacuous" in text


def test_tightness_and_protocol_fields_are_validated_text(empty_registry):
    def evaluate_t(inst):
        """x"""
        return 0.0, 1.0

    evaluate_t.__module__ = "equilibria.toyroom.theorems"
    thm = theorem(source="s", sample=lambda rng: None, tightness="  no instance known ",
                  protocol="a callable f(x) -> float")(evaluate_t).theorem
    assert thm.tightness == "no instance known" and thm.protocol == "a callable f(x) -> float"
    assert Theorem("t.a", "s", "x", sample=lambda r: 0, evaluate=evaluate_t).tightness is None
    with pytest.raises(ValueError, match="`tightness`"):
        Theorem("t.a", "s", "x", sample=lambda r: 0, evaluate=evaluate_t, tightness="  ")
    with pytest.raises(TypeError, match="`protocol`"):
        Theorem("t.a", "s", "x", sample=lambda r: 0, evaluate=evaluate_t, protocol=3)


# -- a toy theorem that takes a user implementation -----------------------------------------

def _mean(x):
    return float(np.mean(x))


def sample_vec(rng, n=None):
    n = int(rng.integers(2, 20)) if n is None else n
    return rng.uniform(0.0, 1.0, size=n)


def evaluate_mean(x, *, algorithm=None):
    """An estimator of the mean of numbers in [0, 1] is within 1e-12 of the sample mean.

    Measured: |algorithm(x) - mean(x)|; bound 1e-12; trivial maximum 1.
    """
    f = _mean if algorithm is None else algorithm
    return abs(f(x) - float(np.mean(x))), 1e-12, 1.0


def experiment_mean(rng, quick, *, algorithm=None):
    """The estimator on one batch of ten vectors (experiment form)."""
    f = _mean if algorithm is None else algorithm
    xs = [sample_vec(rng) for _ in range(10)]
    return BoundData([abs(f(x) - np.mean(x)) for x in xs], [1e-12] * 10, trivial=1.0)


def _register_mean(reg_module):
    a = Theorem("toy.mean", "toy", "estimator == mean", sample=sample_vec,
                evaluate=evaluate_mean, protocol="a callable f(x: ndarray) -> float")
    b = Theorem("toy.mean_batch", "toy", "estimator == mean (batch)",
                experiment=experiment_mean, protocol="a callable f(x: ndarray) -> float")
    c = Theorem("toy.plain", "toy", "no user code", sample=sample_vec,
                evaluate=lambda x: (0.0, 1.0))
    for t in (a, b, c):
        reg_module.register(t)
    return a, b, c


def test_verify_and_check_pass_a_user_implementation(empty_registry):
    """A wrong user implementation (the median) fails where the package's own passes; fails on
    a verify/check that drops ``algorithm`` (both would pass)."""
    a, b, _ = _register_mean(reg)
    assert a.accepts_algorithm and b.accepts_algorithm
    assert reg.verify("toy.mean*").passed
    assert reg.verify("toy.mean*", algorithm=lambda x: float(np.sum(x) / x.size)).passed
    wrong = reg.verify("toy.mean*", algorithm=np.median)
    assert wrong.failed == ["toy.mean", "toy.mean_batch"]
    out = check("toy.mean", algorithm=np.median)
    assert not out.passed and out.ratio > 1 and "violated" in str(out)
    assert check(b).passed  # a Theorem object works too
    # same stream as verify: check(name) reproduces verify's row
    assert check("toy.mean").measured == reg.verify("toy.mean").rows[0].measured


def test_algorithm_refused_by_a_theorem_without_the_keyword(empty_registry):
    _register_mean(reg)
    with pytest.raises(ValueError, match="'toy.plain' does not take a user implementation"):
        check("toy.plain", algorithm=np.mean)
    with pytest.raises(ValueError, match="'toy.plain' does not take a user implementation"):
        reg.verify("toy.*", algorithm=np.mean)
    with pytest.raises(ValueError, match="does not take a user implementation"):
        reg.get("toy.plain").run(np.random.default_rng(0), algorithm=np.mean)
    import concurrent.futures as cf

    with cf.ThreadPoolExecutor(1) as ex, pytest.raises(TypeError, match="picklable"):
        reg.verify("toy.mean", algorithm=lambda x: 0.0, executor=ex)


def test_user_instances_replace_sampling(empty_registry):
    """``instances=`` evaluates exactly the user's instances (fails on a check that samples
    anyway: the counts and values would differ)."""
    _register_mean(reg)
    seen = []

    def spy(x):
        seen.append(x.size)
        return float(np.mean(x))

    out = check("toy.mean", instances=[np.ones(3), np.zeros(5)], algorithm=spy)
    assert out.passed and out.n_instances == 2 and seen == [3, 5]
    # an instance outside the assumptions (a NaN) gives a non-finite measurement: a failing row
    bad = check("toy.mean", instances=iter([np.array([0.5, np.nan])]), algorithm=np.nanmean)
    assert not bad.passed
    with pytest.raises(ValueError, match="draws its own instances"):
        check("toy.mean_batch", instances=[np.ones(3)])
    with pytest.raises(ValueError, match="empty"):
        check("toy.mean", instances=[])
    with pytest.raises(TypeError, match="iterable"):
        check("toy.mean", instances=3)
    with pytest.raises(TypeError, match="theorem_or_name"):
        check(3)


def test_registered_protocols_match_the_algorithm_keyword():
    """A room theorem documents a ``protocol`` exactly when its evaluate/experiment takes
    ``algorithm`` (fails on a protocol documented for a theorem that ignores the user's code,
    or a user-facing theorem whose protocol is undocumented)."""
    bad = [(n, t.accepts_algorithm, t.protocol) for n, t in sorted(reg.load_all().items())
           if (t.protocol is not None) != t.accepts_algorithm]
    assert not bad, bad
