"""Bad input raises ValueError/TypeError naming the argument."""

import numpy as np
import pytest

from equilibria.bandits import (EXP3, EXP3IX, KLUCB, MOSS, OFS, UCB1, UCBV, AdversarialSequence, BernoulliArms,
                                BoundedArms, DynamicalLinearBandit, DynLinUCB, GaussianArms,
                                LinearBandit, LinUCB, SequentialHalving, SuccessiveRejects,
                                ThompsonSampling, ThresholdEnvironment, TsallisINF, UCBE,
                                bai_instance, simulate)


@pytest.mark.parametrize("means", [[0.2, 1.2], [-0.1, 0.5]])
def test_means_outside_reward_range(means):
    with pytest.raises(ValueError, match="`means`"):
        BernoulliArms(means)
    with pytest.raises(ValueError, match="`means`"):
        BoundedArms(means)


@pytest.mark.parametrize("means", [[0.2, np.nan], [0.1, np.inf]])
def test_non_finite_means(means):
    with pytest.raises(ValueError, match="`means`"):
        GaussianArms(means)


def test_non_finite_and_nonpositive_parameters():
    with pytest.raises(ValueError, match="`sigma`"):
        GaussianArms([0, 1], sigma=np.inf)
    with pytest.raises(ValueError, match="`sigma`"):
        GaussianArms([0, 1], sigma=0.0)
    with pytest.raises(ValueError, match="`eta`"):
        EXP3(eta=np.nan)
    with pytest.raises(ValueError, match="`c`"):
        UCB1(c=-1.0)
    with pytest.raises(ValueError, match="`delta`"):
        LinUCB(delta=1.5)
    with pytest.raises(ValueError, match="`concentration`"):
        BoundedArms([0.2, 0.4], concentration=0)
    with pytest.raises(ValueError, match="`prior`"):
        ThompsonSampling(prior="poisson")
    with pytest.raises(ValueError, match="`estimator`"):
        TsallisINF(estimator="xx")


def test_horizon_smaller_than_arms():
    env = BernoulliArms([0.1, 0.2, 0.3, 0.9])
    for pol in (UCB1(), KLUCB(), UCBE(a=1.0)):
        with pytest.raises(ValueError, match="`horizon`"):
            simulate(env, pol, 3, n_runs=1, seed=0)
    with pytest.raises(ValueError, match="`horizon`"):
        simulate(env, SuccessiveRejects(), 4, n_runs=1, seed=0)
    with pytest.raises(ValueError, match="`horizon`"):
        simulate(env, SequentialHalving(), 7, n_runs=1, seed=0)
    with pytest.raises(ValueError, match="`horizon`"):
        simulate(env, UCB1(), 0, n_runs=1, seed=0)


def test_mismatched_dimensions():
    with pytest.raises(ValueError, match="`theta`"):
        LinearBandit(np.eye(3), np.ones(2))
    with pytest.raises(ValueError, match="`B`"):
        DynamicalLinearBandit(0.5 * np.eye(2), np.ones((3, 1)), np.ones(2), np.ones(1),
                              np.ones((2, 1)))
    with pytest.raises(ValueError, match="`actions`"):
        DynamicalLinearBandit(0.5 * np.eye(2), np.ones((2, 1)), np.ones(2), np.ones(1),
                              np.ones((2, 3)))
    with pytest.raises(ValueError, match="`A`"):
        DynamicalLinearBandit(1.5 * np.eye(2), np.ones((2, 1)), np.ones(2), np.ones(1),
                              np.ones((2, 1)))
    with pytest.raises(ValueError, match="`rewards`"):
        AdversarialSequence(np.full((5, 3), 2.0))
    with pytest.raises(ValueError, match="`horizon`"):
        simulate(AdversarialSequence(np.zeros((5, 3))), EXP3(), 6, n_runs=1, seed=0)


def test_policy_environment_mismatch_and_options():
    with pytest.raises(ValueError, match="`policy`"):
        simulate(BernoulliArms([0.1, 0.9]), LinUCB(), 10, n_runs=1, seed=0)
    with pytest.raises(ValueError, match="`policy`"):
        simulate(ThresholdEnvironment(), DynLinUCB(), 10, n_runs=1, seed=0)
    with pytest.raises(ValueError, match="`policy`"):
        simulate(GaussianArms([0.1, 0.9]), EXP3(), 10, n_runs=1, seed=0)
    with pytest.raises(TypeError, match="`policy`"):
        simulate(BernoulliArms([0.1, 0.9]), "ucb", 10, n_runs=1, seed=0)
    with pytest.raises(TypeError, match="`env`"):
        simulate([0.1, 0.9], UCB1(), 10, n_runs=1, seed=0)
    with pytest.raises(ValueError, match="`checkpoints`"):
        simulate(BernoulliArms([0.1, 0.9]), UCB1(), 10, n_runs=1, seed=0, checkpoints=[5, 3])
    with pytest.raises(ValueError, match="`checkpoints`"):
        simulate(BernoulliArms([0.1, 0.9]), UCB1(), 10, n_runs=1, seed=0, checkpoints="sometimes")
    with pytest.raises(ValueError, match="`kind`"):
        bai_instance("hard", 4)
    with pytest.raises(ValueError, match="`eps`"):
        ThresholdEnvironment(eps=2.0)
    with pytest.raises(ValueError, match="`beta`"):
        OFS(beta=-1.0)
    with pytest.raises(ValueError, match="`n_runs`"):
        simulate(BernoulliArms([0.1, 0.9]), UCB1(), 10, n_runs=0, seed=0)


@pytest.mark.parametrize("make, arg", [
    (lambda: BernoulliArms([0.2, np.nan]), "`means`"),
    (lambda: BoundedArms([0.2, np.nan]), "`means`"),
    (lambda: LinearBandit(np.eye(2), np.array([np.nan, 1.0])), "`theta`"),
    (lambda: LinearBandit(np.array([[np.inf, 0.0], [0.0, 1.0]]), np.ones(2)), "`actions`"),
    (lambda: LinearBandit(np.eye(2), np.ones(2), sigma=np.nan), "`sigma`"),
    (lambda: AdversarialSequence(np.array([[np.nan, 0.5]])), "`rewards`"),
    (lambda: ThompsonSampling(prior="gaussian", sigma=np.nan), "`sigma`"),
    (lambda: DynLinUCB(lam=np.nan), "`lam`"),
    (lambda: LinUCB(lam=np.inf), "`lam`"),
    (lambda: EXP3IX(gamma=np.nan), "`gamma`"),
    (lambda: TsallisINF(c=np.nan), "`c`"),
    (lambda: ThresholdEnvironment(cost=np.nan), "`cost`"),
    (lambda: DynamicalLinearBandit(np.array([[np.nan, 0.0], [0.0, 0.5]]), np.ones((2, 1)),
                                   np.ones(2), np.ones(1), np.ones((2, 1))), "`A`"),
    (lambda: DynamicalLinearBandit(0.5 * np.eye(2), np.ones((2, 1)), np.ones(3), np.ones(1),
                                   np.ones((2, 1))), "`omega`"),
])
def test_non_finite_and_mismatched_inputs_name_the_argument(make, arg):
    with pytest.raises(ValueError, match=arg):
        make()


@pytest.mark.parametrize("policy", [MOSS(), UCBV()])
def test_horizon_below_arms_for_every_index_policy(policy):
    with pytest.raises(ValueError, match="`horizon`"):
        simulate(BernoulliArms([0.1, 0.2, 0.3]), policy, 2, n_runs=1, seed=0)


@pytest.mark.parametrize("horizon", [10.5, np.nan])
def test_non_integer_horizon(horizon):
    with pytest.raises(TypeError, match="`horizon`"):
        simulate(BernoulliArms([0.1, 0.2]), UCB1(), horizon, n_runs=1, seed=0)
