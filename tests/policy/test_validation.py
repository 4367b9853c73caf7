"""Reliability of the policy room's public boundary (issue 12): validation, size limits and
numerics at extreme scales.  Each test fails on the code before the fix."""

import contextlib
import signal
import warnings

import numpy as np
import pytest

from equilibria.solvers import policy as P
from equilibria.solvers.policy import envs as E
from equilibria.solvers.policy import gradient as G


@contextlib.contextmanager
def _within(seconds):
    """Fail (instead of hanging the suite) when the body runs longer than ``seconds``."""
    def on_alarm(signum, frame):
        raise TimeoutError(f"took more than {seconds} s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _mdp_arrays():
    rng = np.random.default_rng(0)
    return rng.dirichlet(np.ones(3), size=(3, 2)), rng.dirichlet(np.ones(3))


# ------------------------------------------------------------------------- TabularMDP


@pytest.mark.parametrize("edit, name", [
    (lambda P_, r, g: (np.where(np.arange(3) == 0, -0.5, P_), r, g), "P"),
    (lambda P_, r, g: (P_ * 2.0, r, g), "P"),
    (lambda P_, r, g: (np.full_like(P_, np.nan), r, g), "P"),
    (lambda P_, r, g: (P_[..., None], r, g), "P"),
    (lambda P_, r, g: (P_[:, :, :2], r, g), "P"),
    (lambda P_, r, g: (P_.astype(complex), r, g), "P"),
    (lambda P_, r, g: (P_, r[:2], g), "rho0"),
    (lambda P_, r, g: (P_, r * 3, g), "rho0"),
    (lambda P_, r, g: (P_, r, 1.0), "gamma"),
    (lambda P_, r, g: (P_, r, float("nan")), "gamma"),
    (lambda P_, r, g: (P_, r, "0.9"), "gamma"),
])
def test_tabular_mdp_validates(edit, name):
    P_, rho0 = _mdp_arrays()
    args = edit(P_, rho0, 0.9)
    with pytest.raises((ValueError, TypeError), match=f"`{name}`"):
        P.TabularMDP(*args)


def test_tabular_mdp_converts_lists_and_float32():
    P_, rho0 = _mdp_arrays()
    ref = P.TabularMDP(P_, rho0, 0.9)
    from_list = P.TabularMDP(P_.tolist(), rho0.tolist(), 0.9)
    assert isinstance(from_list.P, np.ndarray) and from_list.P.dtype == np.float64
    np.testing.assert_allclose(from_list.P, ref.P, rtol=0, atol=0)
    f32 = P.TabularMDP(P_.astype(np.float32), rho0.astype(np.float32), 0.9)
    np.testing.assert_allclose(f32.P.sum(axis=-1), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(f32.P, ref.P, rtol=0, atol=1e-6)


# ------------------------------------------------------------------------- random_mdp


@pytest.mark.parametrize("kw, name", [
    ({"concentration": float("nan")}, "concentration"),
    ({"concentration": -1.0}, "concentration"),
    ({"concentration": 0.0}, "concentration"),
    ({"concentration": "1"}, "concentration"),
    ({"n_states": 10**18}, "n_states"),
    ({"n_actions": 10**18}, "n_actions"),
    ({"n_states": 2.5}, "n_states"),
])
def test_random_mdp_validates(kw, name):
    with _within(5), pytest.raises((ValueError, TypeError), match=f"`{name}`"):
        P.random_mdp(**kw)


# ------------------------------------------------------------------------- policy_from_occupancy


@pytest.mark.parametrize("kw, name", [
    ({"mu": np.array([[0.2, np.nan], [0.3, 0.5]])}, "mu"),
    ({"mu": np.array([[0.2, np.inf], [0.3, 0.5]])}, "mu"),
    ({"mu": np.array(["0.2", "0.8"])}, "mu"),
    ({"mu": np.array([0.2, 0.8])}, "mu"),
    ({"mu": np.array([[0.2, 0.1], [0.3, 0.4]]) + 0j}, "mu"),
    ({"mu": np.zeros((2, 2)), "fallback": np.ones((2, 2))}, "fallback"),
    ({"mu": np.zeros((2, 2)), "fallback": np.full((3, 2), 0.5)}, "fallback"),
])
def test_policy_from_occupancy_validates(kw, name):
    with pytest.raises((ValueError, TypeError), match=f"`{name}`"):
        P.policy_from_occupancy(**kw)


def test_policy_from_occupancy_rows_are_distributions_for_huge_entries():
    mu = np.array([[1e308, 1e308], [0.0, 0.0], [1e-320, 0.0]])
    pol = P.policy_from_occupancy(mu)
    np.testing.assert_allclose(pol.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(pol, [[0.5, 0.5], [0.5, 0.5], [0.5, 0.5]], rtol=0, atol=1e-12)


# ------------------------------------------------------------------------- sizes of 10**18


@pytest.mark.parametrize("call, name", [
    (lambda: P.policy_gradient(np.full(3, 1 / 3), np.arange(3.0), max_iter=10**18), "max_iter"),
    (lambda: P.goodhart_curve(P.correlated_proxy_bandit(8), max_iter=10**18), "max_iter"),
    (lambda: P.gardo(P.ensemble_proxy_bandit(12, n_good=4), max_iter=10**18), "max_iter"),
    (lambda: P.constrained_rlhf(P.composite_bandit(8), np.array([0.6, 0.5]), max_iter=10**18,
                                oracle="sampled"), "max_iter"),
    (lambda: P.chi2_occupancy_policy(P.random_mdp(3, 2), np.ones((3, 2)), np.full((3, 2), 0.5),
                                     0.5, form="square", method="ascent", oracle="sampled",
                                     max_iter=10**18), "max_iter"),
    (lambda: P.chi2_occupancy_policy(P.random_mdp(3, 2), np.ones((3, 2)), np.full((3, 2), 0.5),
                                     0.5, form="square", method="ascent", oracle="sampled",
                                     batch_size=10**18), "batch_size"),
    (lambda: P.best_of_n_sampling(np.full(3, 1 / 3), np.arange(3.0), 10**18), "n"),
    (lambda: P.best_of_n_sampling(np.full(3, 1 / 3), np.arange(3.0), 4, n_draws=10**18),
     "n_draws"),
    (lambda: P.correlated_proxy_bandit(10**18), "n_actions"),
    (lambda: P.ensemble_proxy_bandit(12, n_members=10**18), "n_members"),
    (lambda: P.composite_bandit(10**18), "n_actions"),
    (lambda: E.trap_mdp(n_states=10**18), "n_states"),
    (lambda: P.fixed_weight_grid(P.composite_bandit(8), n_grid=10**18), "n_grid"),
    (lambda: P.policy_gradient(np.full(3, 1 / 3), np.arange(3.0), oracle="sampled",
                               batch_size=10**18), "batch_size"),
])
def test_huge_sizes_are_refused_before_work(call, name):
    with _within(5), pytest.raises(ValueError, match=f"`{name}`"):
        call()


# ------------------------------------------------------------------------- other helpers


def test_weighted_corr_constant_input_is_an_error_not_nan():
    w = np.full(4, 0.25)
    with pytest.raises(ValueError, match="`x`"):
        E.weighted_corr(np.ones(4), np.arange(4.0), w)
    # scale-invariant, no overflow for huge values
    x = np.array([1e300, -1e300, 0.0, 5e299])
    assert E.weighted_corr(x, x, w) == pytest.approx(1.0, abs=1e-12)


def test_regularizer_signal_validates():
    p = np.full(3, 1 / 3)
    with pytest.raises(ValueError, match="`divergence`"):
        G.regularizer_signal(p, p, "kl-typo", 0.5)
    with pytest.raises(ValueError, match="`beta`"):
        G.regularizer_signal(p, p, "kl", float("nan"))
    with pytest.raises(ValueError, match="`pi`"):
        G.regularizer_signal(np.array([0.5, np.nan, 0.5]), p, "kl", 0.5)


def test_diversity_scores_huge_features_stay_in_unit_interval():
    pi = np.full(3, 1 / 3)
    f = np.array([[1e300, 0.0], [0.0, 1e300], [-1e300, 0.0]])
    d = P.diversity_scores(pi, f)
    assert np.all(np.isfinite(d)) and d.min() >= 0 and d.max() == pytest.approx(1.0)
    np.testing.assert_allclose(d, P.diversity_scores(pi, f / 1e300), rtol=1e-12, atol=0)


def test_float32_reference_gives_the_float64_answer():
    p = np.random.default_rng(0).dirichlet(np.ones(5))  # float32 sum off by 1.1e-8
    r = np.random.default_rng(1).standard_normal(5)
    a = P.policy_gradient(p, r, divergence="kl", beta=0.5, max_iter=50).policy
    b = P.policy_gradient(p.astype(np.float32), r, divergence="kl", beta=0.5, max_iter=50).policy
    np.testing.assert_allclose(b, a, rtol=0, atol=1e-5)


def test_sampled_occupancy_ascent_history_is_finite():
    mdp = P.random_mdp(3, 2, seed=0)
    r = np.random.default_rng(3).standard_normal((3, 2))
    res = P.chi2_occupancy_policy(mdp, r, np.full((3, 2), 0.5), 0.5, form="square",
                                  method="ascent", oracle="sampled", max_iter=5, seed=0)
    assert "gap" not in res.history  # no certificate, not an `inf` column
    assert all(np.all(np.isfinite(v)) for v in res.history.values())


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("beta", [1e-6, 1e-3, 1e-2])
def test_constrained_optimum_small_beta_meets_thresholds(seed, beta):
    """For small beta the old projected Newton stalled after its first clipped step and
    returned multipliers whose policy broke feasible thresholds (e.g. seed 0, beta=1e-3:
    E r = (2.0, 1.75) against thresholds (0.6, 0.5))."""
    env = P.composite_bandit(8, seed=seed)
    th = np.array([0.6, 0.5])
    assert P.thresholds_feasible(env.pi_ref, env.components, th)
    with _within(10):
        pol, lam = P.constrained_optimum(env, th, beta=beta)
    assert np.all(lam >= 0) and np.all(lam <= 2.0)
    np.testing.assert_allclose(pol.sum(), 1.0, rtol=0, atol=1e-12)
    assert np.all(pol @ env.components <= th + 0.05)


def test_threshold_search_validates_up_front():
    env = P.composite_bandit(8)
    for kw, name in (({"lambda_max": float("nan")}, "lambda_max"), ({"xatol": -1.0}, "xatol"),
                     ({"fatol": float("inf")}, "fatol"), ({"x0": np.zeros(3)}, "x0"),
                     ({"max_iter": 10**18}, "max_iter")):
        with warnings.catch_warnings(), pytest.raises(ValueError, match=f"`{name}`"):
            P.threshold_search(env, **kw)
