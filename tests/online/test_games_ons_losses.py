"""Self-play, ONS / portfolio selection and the loss generators, against references."""

import numpy as np
import pytest

from equilibria._lib.result import ConvergenceWarning, Status
from equilibria.solvers.online import Ball
from equilibria.solvers.online.games import matrix_game, selfplay
from equilibria.solvers.online.learners import OGD
from equilibria.solvers.online.losses import adversarial_losses, sea_losses, stochastic_losses
from equilibria.solvers.online.ons import ONS, best_crp, ons, ons_parameters
from equilibria.verification import duality_gap

from .naive import ons_portfolio_naive, selfplay_naive


@pytest.mark.parametrize("method", ["optimistic_hedge", "hedge"])
def test_selfplay_vs_naive(method):
    A = matrix_game(4, 6, seed=3)
    r = selfplay(A, 300, method=method)
    x, y = selfplay_naive(A, 300, r.eta, optimistic=method == "optimistic_hedge")
    np.testing.assert_allclose(r.x, x, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(r.y, y, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(r.gap, duality_gap(A, x, y), rtol=1e-9, atol=1e-13)
    np.testing.assert_allclose(r.gap_t[-1], r.gap, rtol=1e-9, atol=1e-13)
    np.testing.assert_allclose(r.regret_x + r.regret_y, 300 * r.gap, rtol=1e-9, atol=1e-10)


def test_selfplay_rps_converges_to_uniform():
    """Generalized rock-paper-scissors: the unique equilibrium is uniform, value 0."""
    A = matrix_game(5, 5, kind="rps")
    r = selfplay(A, 4000)
    np.testing.assert_allclose(r.x, np.full(5, 0.2), rtol=0, atol=5e-3)
    np.testing.assert_allclose(r.y, np.full(5, 0.2), rtol=0, atol=5e-3)
    assert r.gap <= 5e-3


def test_selfplay_optimistic_beats_plain_hedge():
    A = matrix_game(8, 8, seed=1)
    assert selfplay(A, 3000).gap < selfplay(A, 3000, method="hedge").gap


def _market(seed, T, d):
    rng = np.random.default_rng(seed)
    R = np.exp(rng.normal(0.0, 0.08, size=(T, d)))
    R[:, 0] = 1.0
    return R


def test_best_crp_newton_matches_cvxpy():
    R = _market(0, 400, 4)
    x1, w1 = best_crp(R, method="cvxpy")
    x2, w2 = best_crp(R, method="newton")
    np.testing.assert_allclose(w2, w1, rtol=1e-7, atol=1e-7)
    np.testing.assert_allclose(x2, x1, rtol=0, atol=5e-3)


def test_ons_matches_cvxpy_projection_oracle():
    R = _market(1, 25, 3)
    gamma, eps = 0.5, 1.0  # aggressive steps so the projection is active
    r = ons(R, gamma=gamma, eps=eps, comparator=None, proj_tol=1e-12)
    X = ons_portfolio_naive(R, gamma, eps)
    np.testing.assert_allclose(r.weights, X, rtol=0, atol=2e-5)
    assert np.any(X.min(axis=1) < 1e-6)  # the projection was active at least once


def test_ons_portfolio_worked_example_vs_crp():
    """ONS wealth within the Hazan (2016) Thm 4.5 bound of the cvxpy best CRP."""
    R = _market(2, 2000, 4)
    r = ons(R)
    G = float(np.max(np.linalg.norm(R, axis=1) / R.min(axis=1)))
    assert 0.0 < r.regret <= 5 * (1 + G * np.sqrt(2)) * 4 * np.log(2000)
    assert r.regret < 10.0
    np.testing.assert_allclose(r.crp.sum(), 1.0, rtol=0, atol=1e-9)


def test_ons_learner_matches_function():
    R = _market(3, 50, 3)
    r = ons(R, comparator=None)
    L = ONS(3, r.gamma, r.eps)
    X = []
    for t in range(50):
        x = L.predict()
        X.append(x)
        L.update(-R[t] / (R[t] @ x))
    np.testing.assert_allclose(np.array(X), r.weights, rtol=0, atol=1e-7)  # proj_tol-level


def test_ons_learner_on_ball_squared_loss():
    """ONS on exp-concave squared losses over a ball reaches the least-squares point."""
    rng = np.random.default_rng(4)
    w = np.array([0.3, -0.2])
    gamma, eps = ons_parameters(0.5, 4.0, 2.0)
    L = ONS(2, gamma, eps, domain=Ball(1.0))
    for _ in range(3000):
        a = rng.normal(size=2)
        b = a @ w + 0.01 * rng.normal()
        x = L.predict()
        L.update(2 * (a @ x - b) * a)
    np.testing.assert_allclose(L.predict(), w, rtol=0, atol=0.05)
    assert L.failures == 0


def test_ons_projection_cap_reports_failure():
    R = _market(5, 30, 3)
    with pytest.warns(ConvergenceWarning, match="proj_iter"):
        r = ons(R, gamma=0.5, eps=1.0, comparator=None, proj_iter=1)
    assert r.success is False and r.status == Status.MAX_ITER


def test_ons_bad_input():
    with pytest.raises(ValueError, match="`returns`"):
        ons(np.array([[1.0, -0.5]]))
    with pytest.raises(ValueError, match="`returns`"):
        ons(np.array([[1.0, np.nan]]))
    with pytest.raises(ValueError, match="`gamma`"):
        ons(np.ones((3, 2)), gamma=0.0)
    with pytest.raises(ValueError, match="`comparator`"):
        ons(np.ones((3, 2)), comparator="exact")


@pytest.mark.parametrize("sigma2,Sigma2", [(0.0, 0.0), (3.0, 0.0), (0.0, 5.0), (2.5, 7.0)])
def test_sea_losses_realize_the_variances(sigma2, Sigma2):
    """sigma^2_{1:T} = sum ||g_t - mu_t||^2 and Sigma^2_{1:T} = sum_{t>=2} ||mu_t - mu_{t-1}||^2
    (Sachs et al. 2022 definitions for linear losses) are realized exactly."""
    s = sea_losses(400, 7, sigma2=sigma2, Sigma2=Sigma2, seed=1)
    np.testing.assert_allclose(np.sum((s.grads - s.means) ** 2), sigma2, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(np.sum(np.diff(s.means, axis=0) ** 2), Sigma2, rtol=1e-12,
                               atol=1e-12)
    np.testing.assert_allclose(s.Sigma2, Sigma2, rtol=1e-12, atol=1e-12)
    assert np.linalg.norm(s.grads, axis=1).max() <= s.G_max * (1 + 1e-12)


def test_generators_ranges_and_seeds():
    for kind in ("switching", "ftl_trap", "uniform"):
        L = adversarial_losses(100, 4, kind=kind, seed=0)
        assert L.shape == (100, 4) and L.min() >= 0 and L.max() <= 1
        np.testing.assert_array_equal(L, adversarial_losses(100, 4, kind=kind, seed=0))
    for dist in ("bernoulli", "beta"):
        L = stochastic_losses(20000, 3, dist=dist, gap=0.2, seed=1)
        np.testing.assert_allclose(L.mean(axis=0), [0.3, 0.5, 0.5], rtol=0, atol=0.02)


def test_ftl_trap_hedge_vs_ftl():
    """FTL (eta huge) has linear regret on the trap sequence; tuned Hedge does not."""
    from equilibria.solvers.online import hedge

    L = adversarial_losses(2000, 2, kind="ftl_trap")
    assert hedge(L, 1e3).regret > 900
    assert hedge(L, np.sqrt(8 * np.log(2) / 2000)).regret < np.sqrt(2000 * np.log(2) / 2)


@pytest.mark.parametrize("call,match", [
    (lambda: sea_losses(10, 3, sigma2=-1.0), "`sigma2`"),
    (lambda: sea_losses(1, 3, Sigma2=1.0), "`Sigma2`"),
    (lambda: adversarial_losses(10, 1), "`N`"),
    (lambda: adversarial_losses(10, 3, kind="nasty"), "`kind`"),
    (lambda: stochastic_losses(10, 2, means=[0.5, 1.5]), "`means`"),
    (lambda: selfplay(np.ones((2, 2)), 0), "`T`"),
    (lambda: selfplay(np.ones((2, 2)), 5, eta=-1.0), "`eta`"),
    (lambda: selfplay(np.array([[1.0, np.inf]]), 5), "`A`"),
    (lambda: matrix_game(4, 4, kind="rps"), "rps"),
    (lambda: OGD(2, 0.1).update(np.ones(3)), "`g`"),
])
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
