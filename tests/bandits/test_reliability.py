"""Reliability regressions (issue 12): huge sizes are refused before any work, helpers validate
their arguments, and results keep their invariants at extreme but valid inputs."""

import math

import numpy as np
import pytest

from equilibria.bandits import (EXP3, UCB1, AdversarialSequence, BernoulliArms,
                                DynamicalLinearBandit, LinearBandit, LinUCB, SequentialHalving,
                                SuccessiveRejects, bai_instance, checkpoint_grid, engine,
                                plot_regret, simulate)
from equilibria.bandits import theorems as T


@pytest.fixture
def no_work(monkeypatch):
    """Make any simulation work (seeding, kernel chunks) fail loudly: the checks must come first."""
    def boom(*args, **kwargs):
        raise AssertionError("simulate started work before checking the request size")
    monkeypatch.setattr(engine, "spawn_seeds", boom)
    monkeypatch.setattr(engine, "_run_chunk", boom)


@pytest.mark.parametrize("kwargs, arg", [
    ({"horizon": 10**18}, "`horizon`"),
    ({"horizon": 100, "n_runs": 10**18}, "`n_runs`"),
    ({"horizon": 10**9, "n_runs": 10**4}, "`n_runs`"),  # total work 1e13 rounds
    ({"horizon": 10**8, "n_runs": 10, "checkpoints": "all"}, "`checkpoints`"),  # 16 GB of curves
    ({"horizon": 1000, "checkpoints": 10**18}, "`checkpoints`"),
])
def test_huge_requests_raise_before_any_work(no_work, kwargs, arg):
    kw = {"n_runs": 3, "seed": 0, **kwargs}
    with pytest.raises(ValueError, match=arg):
        simulate(BernoulliArms([0.2, 0.5]), UCB1(), kw.pop("horizon"), **kw)


@pytest.mark.parametrize("make, arg", [
    (lambda: AdversarialSequence.minimax_lower_bound(3, 10**18), "`horizon`"),
    (lambda: AdversarialSequence.random(10**18, 50), "`n_arms`"),
    (lambda: AdversarialSequence.switching(3, 10**18), "`horizon`"),
    (lambda: LinearBandit.random(10**18, 2), "`n_actions`"),
    (lambda: LinearBandit.random(4, 10**18), "`dim`"),
    (lambda: DynamicalLinearBandit.random(n_state=10**18), "`n_state`"),
    (lambda: DynamicalLinearBandit.conflicting(n_actions=10**18), "`n_actions`"),
    (lambda: bai_instance("one_good", 10**18), "`n_arms`"),
    (lambda: checkpoint_grid(1000, 10**18), "`n_points`"),
    (lambda: T.sample_stochastic(np.random.default_rng(0), K=10**18), "`K`"),
    (lambda: T.sample_bai(np.random.default_rng(0), K=10**18), "`K`"),
])
def test_huge_sizes_of_constructors_and_samplers(make, arg):
    with pytest.raises(ValueError, match=arg):
        make()


@pytest.mark.parametrize("make, arg", [
    (lambda: EXP3().learning_rate(0, 100), "`K`"),
    (lambda: EXP3().learning_rate(3, 0), "`n`"),
    (lambda: EXP3().learning_rate(3, float("nan")), "`n`"),
    (lambda: SequentialHalving().schedule(0, 100), "`K`"),
    (lambda: SequentialHalving().schedule(5, 0), "`n`"),
    (lambda: SequentialHalving().schedule(5, float("inf")), "`n`"),
    (lambda: SuccessiveRejects().schedule(0, 100), "`K`"),
    (lambda: SuccessiveRejects().schedule(5, 3), "`n`"),
    (lambda: T.exp3_bound(1000, 0), "`K`"),
    (lambda: T.tsallis_bound(float("nan"), 4), "`n`"),
    (lambda: T.ucb1_bound([0.2, np.nan], 100), "`means`"),
    (lambda: T.ucb1_bound([0.2, 0.5], 0), "`n`"),
    (lambda: T.lai_robbins_constant([-0.5, 0.5]), "`means`"),
    (lambda: T.sequential_halving_bound(1000, 1, 50.0), "`K`"),
    (lambda: T.sequential_halving_bound(1000, 4, float("nan")), "`H2`"),
    (lambda: T.successive_rejects_bound(1000, 0, 50.0), "`K`"),
    (lambda: T.successive_rejects_bound(1000, 4, 0.0), "`H2`"),
    (lambda: T.sample_stochastic(np.random.default_rng(0), k_max=1.5), "`k_max`"),
    (lambda: T.sample_adversarial(np.random.default_rng(0), K="3"), "`K`"),
])
def test_helpers_validate_their_arguments(make, arg):
    with pytest.raises((ValueError, TypeError), match=arg):
        make()


@pytest.fixture(scope="module")
def result():
    return simulate(BernoulliArms([0.2, 0.5, 0.7]), UCB1(), 50, n_runs=4, seed=0)


@pytest.mark.parametrize("level", [1.5, -0.5, 1.0, np.nan, np.inf])
def test_confidence_level_must_lie_in_0_1(result, level):
    # used to return a NaN / infinite band silently
    with pytest.raises(ValueError, match="`level`"):
        result.band(level)
    with pytest.raises(ValueError, match="`level`"):
        result.summary(level)
    with pytest.raises(ValueError, match="`level`"):
        plot_regret(result, level=level)


def test_plot_title_must_be_a_string(result):
    with pytest.raises(TypeError, match="`title`"):
        plot_regret(result, title=3)


def test_bai_instance_keeps_a_unique_best_arm():
    # a gap below the resolution of floats at 0.5 used to tie every arm with arm 0
    with pytest.raises(ValueError, match="`gap`"):
        bai_instance("random", 4, gap=1e-300)
    with pytest.raises(ValueError, match="`gap`"):
        bai_instance("geometric", 80, gap=0.1)
    m = bai_instance("geometric", 20, gap=0.1).means
    assert m[0] == 0.5 and np.all(m[1:] < 0.5)


def test_lai_robbins_constant_at_the_ends_of_the_range():
    # means 0 or 1 used to raise "math domain error" / ZeroDivisionError
    c = T.lai_robbins_constant([0.0, 0.5, 1.0])
    assert c == 0.0  # kl(mu, 1) = inf for every suboptimal arm
    c = T.lai_robbins_constant([0.0, 0.5])
    np.testing.assert_allclose(c, 0.5 / math.log(2.0), rtol=1e-12, atol=0)
    c = T.lai_robbins_constant([0.5, 0.5 + 2**-50])  # nearly tied: kl rounds to ~0
    assert math.isfinite(c) and c > 0


def test_huge_but_finite_theta_simulates():
    # ||theta|| overflowed to inf and the call failed with "`policy` parameters must be finite"
    env = LinearBandit(np.eye(2), np.array([1e300, 0.0]))
    res = simulate(env, LinUCB(), 30, n_runs=2, seed=0)
    assert res.success
    assert np.all(res.pulls.sum(axis=1) == 30)
    assert np.all(np.isfinite(res.regret)) and np.all(res.regret >= 0)


@pytest.mark.parametrize("make_env, policy", [
    (lambda: BernoulliArms([0.2, 0.5, 0.7]), UCB1()),
    (lambda: AdversarialSequence.switching(3, 80, switch=0.25), EXP3()),
    (lambda: LinearBandit.random(5, 2, seed=1), LinUCB()),
])
def test_invariants_pulls_sum_to_horizon(make_env, policy):
    env = make_env()
    res = simulate(env, policy, 80, n_runs=5, seed=1, n_chunks=2, progress=False)
    assert np.all(res.pulls >= 0) and np.all(res.pulls.sum(axis=1) == 80)
    assert np.all((res.recommendation >= 0) & (res.recommendation < env.n_arms))
    assert 0.0 <= res.error_rate <= 1.0
    if not isinstance(env, AdversarialSequence):  # a sum of non-negative gaps
        assert np.all(res.regret >= -1e-12) and np.all(np.diff(res.regret, axis=1) >= -1e-12)


@pytest.mark.parametrize("n_chunks", [0, -2, "2", 1.5])
def test_n_chunks_is_validated(n_chunks):
    # 0 and negative values used to run as one chunk, a string raised a bare TypeError
    with pytest.raises((ValueError, TypeError), match="`n_chunks`"):
        simulate(BernoulliArms([0.2, 0.5]), UCB1(), 10, n_runs=2, seed=0, n_chunks=n_chunks)
