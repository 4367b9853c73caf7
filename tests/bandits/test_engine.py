"""The simulation engine: reproducibility, executors, checkpoints, result core, oracles."""

import concurrent.futures as cf
import math

import numpy as np
import pytest

from equilibria._lib.result import ConvergenceWarning, Status
from equilibria._lib.rng import spawn_seeds
from equilibria.bandits import (EXP3, EXP3IX, KLUCB, MOSS, OFS, UCB1, UCBE, UCBV,
                                AdversarialSequence, BernoulliArms, BoundedArms,
                                DPSequentialHalving, DynamicalLinearBandit, DynLinUCB,
                                GaussianArms, LinearBandit, LinearThompsonSampling, LinUCB,
                                LogBarrierFTRL, PrimalDualThreshold, RoundRobin,
                                SequentialHalving, SuccessiveRejects, ThompsonSampling,
                                ThresholdEnvironment, TsallisINF, UnconstrainedThreshold,
                                bai_instance, checkpoint_grid, simulate)
from equilibria.bandits._kernels import common as K
from equilibria.solvers.online import log_barrier_kernel

from . import naive

MEANS = np.array([0.2, 0.45, 0.5, 0.8])

MAB_POLICIES = [UCB1(), UCBV(), KLUCB(), KLUCB(exploration="gc", c=0.0), MOSS(),
                ThompsonSampling(), ThompsonSampling(prior="gaussian"), EXP3(), EXP3IX(),
                TsallisINF(), TsallisINF(estimator="iw"), LogBarrierFTRL(), UCBE(),
                SuccessiveRejects(), SequentialHalving(), DPSequentialHalving(epsilon=0.5),
                RoundRobin()]


@pytest.mark.parametrize("policy", MAB_POLICIES, ids=lambda p: repr(p))
def test_every_policy_runs_and_is_reproducible(policy):
    env = BernoulliArms(MEANS)
    a = simulate(env, policy, 400, n_runs=6, seed=3)
    b = simulate(env, policy, 400, n_runs=6, seed=3)
    assert a.success and a.status == Status.SUCCESS and a.n_iter == 400
    assert isinstance(a.message, str)
    assert a.regret.shape == (6, 400) and a.pulls.shape == (6, 4)
    np.testing.assert_array_equal(a.regret, b.regret)
    np.testing.assert_array_equal(a.pulls.sum(axis=1), np.full(6, 400))
    # pseudo-regret = sum_i Delta_i * pulls_i
    gaps = MEANS.max() - MEANS
    np.testing.assert_allclose(a.regret[:, -1], a.pulls @ gaps, rtol=1e-12, atol=1e-9)
    assert np.all(np.diff(a.regret, axis=1) >= -1e-12)


def test_executor_and_chunks_give_identical_runs():
    env = BernoulliArms(MEANS)
    serial = simulate(env, ThompsonSampling(), 300, n_runs=10, seed=11)
    with cf.ThreadPoolExecutor(max_workers=2) as ex:
        par = simulate(env, ThompsonSampling(), 300, n_runs=10, seed=11, executor=ex, n_chunks=3,
                       progress=False)
    chunked = simulate(env, ThompsonSampling(), 300, n_runs=10, seed=11, n_chunks=4, progress=False)
    np.testing.assert_array_equal(serial.regret, par.regret)
    np.testing.assert_array_equal(serial.regret, chunked.regret)
    np.testing.assert_array_equal(serial.seeds, spawn_seeds(11, 10))


def test_process_executor_matches_serial():
    env = BernoulliArms(MEANS)
    serial = simulate(env, UCB1(), 200, n_runs=4, seed=5)
    with cf.ProcessPoolExecutor(max_workers=2) as ex:
        par = simulate(env, UCB1(), 200, n_runs=4, seed=5, executor=ex, n_chunks=2, progress=False)
    np.testing.assert_array_equal(serial.regret, par.regret)


def test_ucb1_matches_naive_oracle_draw_for_draw():
    env = BernoulliArms(MEANS)
    res = simulate(env, UCB1(), 500, n_runs=3, seed=21)
    for r in range(3):
        reg, pulls = naive.ucb1_run(MEANS, 500, res.seeds[r])
        np.testing.assert_allclose(res.regret[r], reg, rtol=1e-12, atol=1e-9)
        np.testing.assert_array_equal(res.pulls[r], pulls)


def test_exp3_matches_naive_oracle_draw_for_draw():
    env = BernoulliArms(MEANS)
    n = 400
    eta = math.sqrt(2 * math.log(4) / (n * 4))
    res = simulate(env, EXP3(), n, n_runs=3, seed=8)
    for r in range(3):
        reg = naive.exp3_run(MEANS, n, res.seeds[r], eta)
        np.testing.assert_allclose(res.regret[r], reg, rtol=1e-12, atol=1e-9)


def test_tsallis_and_log_barrier_weights_match_brentq():
    rng = np.random.default_rng(0)
    for _ in range(20):
        k = int(rng.integers(2, 12))
        L = rng.normal(0, 30, k)
        eta = float(rng.uniform(0.01, 2.0))
        w = np.empty(k)
        K.tsallis_half_weights(L, eta, w)
        np.testing.assert_allclose(w, naive.tsallis_weights(L, eta), rtol=1e-8, atol=1e-12)
        p = np.empty(k)
        log_barrier_kernel(L, eta, p)  # the online room's solver, used by the bandit kernel
        np.testing.assert_allclose(p, naive.log_barrier_weights(L, eta), rtol=1e-8, atol=1e-12)


def test_klucb_index_matches_brentq():
    for mean in (0.0, 0.1, 0.5, 0.93, 1.0):
        for level in (1e-4, 0.01, 0.3, 2.0):
            np.testing.assert_allclose(K._klucb_bern(mean, level), naive.klucb_index(mean, level),
                                       rtol=1e-9, atol=1e-9)


def test_checkpoints_and_log_grid():
    env = BernoulliArms(MEANS)
    full = simulate(env, UCB1(), 1000, n_runs=3, seed=1)
    ck = simulate(env, UCB1(), 1000, n_runs=3, seed=1, checkpoints=[10, 100, 1000])
    np.testing.assert_array_equal(ck.regret, full.regret[:, [9, 99, 999]])
    g = simulate(env, UCB1(), 1000, n_runs=3, seed=1, checkpoints=20)
    np.testing.assert_array_equal(g.t, checkpoint_grid(1000, 20))
    assert g.t[-1] == 1000 and g.t[0] == 1
    # long horizons default to the log grid
    auto = simulate(env, UCB1(), 50_000, n_runs=100, seed=1)
    assert auto.t.size <= 200 and auto.t[-1] == 50_000


def test_result_summary_band_and_error_rate():
    env = bai_instance("one_good", 5, gap=0.2)
    res = simulate(env, SequentialHalving(), 2000, n_runs=50, seed=0)
    s = res.summary()
    assert 0.0 <= s["error_rate"] <= 1.0
    lo, hi = res.band()
    assert np.all(lo <= res.mean_regret + 1e-12) and np.all(res.mean_regret <= hi + 1e-12)
    assert res.error_rate == pytest.approx(np.mean(res.recommendation != 0), abs=0)
    assert "SequentialHalving" in repr(res) or "regret" in repr(res)


def test_bai_phases_use_the_budget_and_eliminate():
    env = BernoulliArms([0.9, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2])
    res = simulate(env, SequentialHalving(), 3000, n_runs=20, seed=0)
    assert res.error_rate == 0.0
    sched = SequentialHalving().schedule(8, 3000)
    # arms eliminated in phase 1 were pulled exactly T_1 times
    lows = np.sort(res.pulls[:, 1:], axis=1)[:, :4]
    np.testing.assert_array_equal(lows, np.full_like(lows, int(sched[0, 0])))
    sr = SuccessiveRejects().schedule(8, 3000)
    assert np.cumsum(sr[:, 0])[-1] * 2 + np.sum(np.cumsum(sr[:, 0])[:-1]) <= 3000


def test_stochastic_environments():
    for env in (GaussianArms([0.0, 0.5, 1.0], sigma=0.5), BoundedArms([0.1, 0.5, 0.9], 3.0)):
        res = simulate(env, ThompsonSampling(prior="gaussian"), 2000, n_runs=8, seed=0)
        assert res.pulls[:, 2].mean() > 1000
    res = simulate(BoundedArms([0.1, 0.5, 0.9], 3.0), ThompsonSampling(), 2000, n_runs=8, seed=0)
    assert res.pulls[:, 2].mean() > 1000


def test_adversarial_regret_against_best_in_hindsight():
    env = AdversarialSequence.switching(3, 1000, switch=0.3)
    res = simulate(env, UCB1(), 1000, n_runs=4, seed=0)
    # realized regret = best arm total (700) minus reward collected
    got = 700 - res.realized_regret[:, -1]
    assert np.all(got >= 0) and np.all(got <= 1000)
    exp3 = simulate(env, EXP3(), 1000, n_runs=20, seed=0)
    assert exp3.regret[:, -1].mean() <= math.sqrt(2 * 1000 * 3 * math.log(3))
    # pseudo-regret uses <P_t, x_t>: its mean matches the realized regret's mean
    diff = exp3.regret[:, -1] - exp3.realized_regret[:, -1]
    assert abs(diff.mean()) <= 4 * diff.std(ddof=1) / math.sqrt(20) + 1e-9


def test_linear_and_oracle_agree_statistically():
    env = LinearBandit.random(6, 3, sigma=0.5, seed=4)
    res = simulate(env, LinUCB(), 300, n_runs=30, seed=2)
    rng = np.random.default_rng(0)
    ref = [naive.oful_run(env.actions, env.theta, 0.5, 300, 1.0, 0.05, 1.0, 0.5, rng)
           for _ in range(30)]
    ref_reg = np.array([r[0] for r in ref])
    m, s = res.final_regret.mean(), res.final_regret.std(ddof=1)
    assert abs(m - ref_reg.mean()) <= 4 * math.hypot(s, ref_reg.std(ddof=1)) / math.sqrt(30) + 1.0
    assert res.extras["covered"].all() and all(r[1] for r in ref)
    ts = simulate(env, LinearThompsonSampling(), 300, n_runs=10, seed=2)
    assert ts.success and ts.regret.shape == (10, 300)


def test_dynamical_linear_bandit():
    env = DynamicalLinearBandit.random(rho=0.5, seed=1)
    np.testing.assert_allclose(
        env.markov_parameter,
        env.theta + env.B.T @ np.linalg.inv(np.eye(3) - env.A).T @ env.omega, rtol=1e-10,
        atol=1e-12)
    res = simulate(env, DynLinUCB(), 4000, n_runs=8, seed=0)
    base = simulate(env, DynLinUCB(ignore_dynamics=True), 4000, n_runs=8, seed=0)
    assert res.success and base.success
    # holding the best action forever: regret is the bounded transient from x0 = 0
    best = int(env.best_arms[0])
    x = np.zeros(3)
    reg = 0.0
    for _ in range(2000):
        reg += env.means.max() - (env.omega @ x + env.theta @ env.actions[best])
        x = env.A @ x + env.B @ env.actions[best]
    assert abs(reg) < 10.0


def test_dynlin_beats_myopic_linear_bandit_when_dynamics_conflict():
    env = DynamicalLinearBandit.conflicting(rho=0.7)
    np.testing.assert_allclose(env.markov_parameter, [-0.6, 0.8], rtol=1e-12, atol=1e-12)
    dyn = simulate(env, DynLinUCB(), 8000, n_runs=8, seed=0, checkpoints=[8000])
    myopic = simulate(env, DynLinUCB(ignore_dynamics=True), 8000, n_runs=8, seed=0, checkpoints=[8000])
    assert dyn.final_regret.mean() < myopic.final_regret.mean() / 3


def test_threshold_environment_and_baselines():
    env = ThresholdEnvironment()
    j, rstar = env.best_feasible
    pi, reward, g_dp, g_sr = env.stationary()
    assert g_dp[j] <= 0 and g_sr[j] <= 0
    assert np.all(reward[(g_dp <= 0) & (g_sr <= 0)] <= rstar + 1e-15)
    r = {p.__class__.__name__: simulate(env, p, 4000, n_runs=6, seed=0)
         for p in (OFS(), PrimalDualThreshold(), UnconstrainedThreshold())}
    v = {k: x.extras["violation"][:, -1].mean() for k, x in r.items()}
    assert v["OFS"] < v["PrimalDualThreshold"] and v["OFS"] < v["UnconstrainedThreshold"]


def test_nonfinite_regret_reports_failure():
    env = GaussianArms([1e308, -1e308], sigma=1.0)
    with pytest.warns(ConvergenceWarning, match="non-finite"):
        res = simulate(env, ThompsonSampling(prior="gaussian"), 10, n_runs=2, seed=0)
    assert not res.success and res.status == Status.NUMERICAL


def test_binomial_sampler_matches_scipy_pmf():
    from scipy.stats import binom

    import numba

    from equilibria.bandits._kernels.ofs import _binomial

    @numba.njit
    def draws(n, p, m, seed):
        np.random.seed(seed)  # noqa: NPY002 - seeds numba's generator
        out = np.empty(m, dtype=np.int64)
        for i in range(m):
            out[i] = _binomial(n, p)
        return out

    for n, p in ((10, 0.3), (100, 0.93), (40, 0.5), (7, 0.0), (7, 1.0)):
        x = draws(n, p, 20000, 1)
        emp = np.bincount(x, minlength=n + 1) / x.size
        tv = 0.5 * np.abs(emp - binom.pmf(np.arange(n + 1), n, p)).sum()
        assert tv < 0.03, (n, p, tv)


def test_dp_elimination_noise_hurts_at_small_epsilon():
    env = BernoulliArms([0.6, 0.45, 0.45, 0.45])
    strong = simulate(env, DPSequentialHalving(epsilon=0.02), 800, n_runs=300, seed=0)
    weak = simulate(env, DPSequentialHalving(epsilon=50.0), 800, n_runs=300, seed=0)
    plain = simulate(env, SequentialHalving(), 800, n_runs=300, seed=0)
    # Laplace scale 1/(eps T_l): at eps = 0.02 the releases are mostly noise
    assert strong.error_rate > weak.error_rate + 0.1
    assert abs(weak.error_rate - plain.error_rate) < 0.1
    sched = DPSequentialHalving(epsilon=0.5)._compile(env, 800)[1]
    np.testing.assert_allclose(sched[:, 2], 1.0 / (0.5 * sched[:, 0]), rtol=1e-15, atol=0)


def test_beta_sampler_matches_scipy_ks():
    """The in-kernel Beta sampler (Marsaglia-Tsang gammas) has the exact Beta law: KS test
    against scipy.stats.beta at a fixed seed, for Thompson-sampling shapes (a, b >= 1) and the
    small shapes of BoundedArms (a or b < 1)."""
    import numba
    from scipy import stats

    @numba.njit(cache=False)
    def draws(a, b, m, seed):
        np.random.seed(seed)  # noqa: NPY002 (numba keeps the legacy seeded generator)
        out = np.empty(m)
        for i in range(m):
            out[i] = K._beta_variate(a, b)
        return out

    for a, b in [(1.0, 1.0), (3.0, 50.0), (500.0, 400.0), (1.0, 7.0), (0.3, 0.7), (0.5, 0.5),
                 (0.2, 3.0)]:
        x = draws(a, b, 20000, 7)
        assert np.all((x >= 0.0) & (x <= 1.0))
        p = stats.kstest(x, stats.beta(a, b).cdf).pvalue
        assert p > 1e-3, (a, b, p)
    # and it detects a wrong law (the test can fail): Beta(3, 50) draws are not Beta(3, 45)
    assert stats.kstest(draws(3.0, 50.0, 20000, 7), stats.beta(3.0, 45.0).cdf).pvalue < 1e-6


def test_laplace_sampler_matches_scipy_ks():
    """The DP elimination's Laplace noise has the exact Laplace(0, b) law (KS, fixed seed)."""
    import numba
    from scipy import stats

    @numba.njit(cache=False)
    def draws(b, m, seed):
        np.random.seed(seed)  # noqa: NPY002 (numba keeps the legacy seeded generator)
        out = np.empty(m)
        for i in range(m):
            out[i] = K._laplace(b)
        return out

    for b in (0.1, 1.0, 7.0):
        assert stats.kstest(draws(b, 20000, 3), stats.laplace(scale=b).cdf).pvalue > 1e-3
    assert stats.kstest(draws(1.0, 20000, 3), stats.laplace(scale=1.3).cdf).pvalue < 1e-6
