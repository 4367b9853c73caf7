"""Solvers against naive oracles and independent references."""

import warnings

import numpy as np
import pytest

from equilibria._lib.result import ConvergenceWarning, Result, Status
from equilibria.solvers.games import (FiniteSum, extragradient, halpern, mirror_prox,
                                      nash_mirror_prox, regularized_nash, vr_halpern)
from equilibria.solvers.games._problems import (random_bilinear_game, random_cocoercive_finite_sum,
                                                random_preference_matrix)
from equilibria.solvers.games.mirror_prox import project_simplex
from equilibria.solvers.games.nash import _prox, _prox_pg
from equilibria.verification import duality_gap, regularized_exploitability

from .naive import (game_value_lp, halpern_naive, mirror_prox_entropy_naive,
                    project_simplex_naive, prox_step_numeric)


def test_halpern_matches_naive_loop():
    rng = np.random.default_rng(0)
    Q = np.linalg.qr(rng.normal(size=(5, 5)))[0]
    c = rng.normal(size=5)

    def T(x):
        return c + 0.9 * Q @ (x - c)
    x0 = rng.normal(size=5)
    with pytest.warns(ConvergenceWarning):
        res = halpern(x0, T=T, tol=1e-300, max_iter=30)
    xs = halpern_naive(T, x0, 30)
    np.testing.assert_allclose(res.x, xs[-1], rtol=1e-12, atol=1e-12)
    want = np.linalg.norm(xs - np.array([T(x) for x in xs]), axis=1)
    np.testing.assert_allclose(res.residual_history, want, rtol=1e-12, atol=1e-14)
    assert res.oracle_calls == 31


def test_halpern_forward_and_resolvent_reach_zero():
    fs, xs = random_cocoercive_finite_sum(50, 4, 1)
    x0 = np.zeros(4)
    r1 = halpern(x0, F=fs, L=fs.L, tol=1e-3)
    assert r1.success and r1.mode == "forward"
    assert np.linalg.norm(fs.full(r1.x)) <= 1e-3
    assert r1.oracle_calls == fs.n * (r1.n_iter + 1)
    g, zs = random_bilinear_game(40, 3, 3, 2)
    r2 = halpern(np.zeros(6), F=g, eta=1.0 / g.L, tol=1e-3)
    assert r2.success and r2.mode == "resolvent"
    np.testing.assert_allclose(np.linalg.norm(g.full(r2.x)), r2.residual, rtol=1e-8, atol=1e-12)
    smin = np.linalg.svd(g._matrix[0], compute_uv=False)[-1]  # ||x - z*|| <= ||F(x)|| / smin
    np.testing.assert_allclose(r2.x, zs, rtol=0, atol=1e-3 / smin)


def test_halpern_forward_backward_box_constrained():
    # min 0.5 ||x - a||^2 over the box [0, 1]^d: the solution is clip(a, 0, 1)
    a = np.array([-0.5, 0.3, 1.7, 0.9])
    res = halpern(np.zeros(4), F=lambda x: x - a, L=1.0, prox=lambda v, g: np.clip(v, 0, 1),
                  step=1.0, tol=1e-4)
    assert res.success and res.mode == "forward-backward"
    np.testing.assert_allclose(res.x, np.clip(a, 0, 1), rtol=0, atol=1e-4)


@pytest.mark.parametrize("use_kernel", [True, False])
def test_vr_halpern_full_pass_equals_halpern(use_kernel):
    # with p = 1 every estimate is a full pass: VR-Halpern is deterministic Halpern
    fs, _ = random_cocoercive_finite_sum(30, 4, 3)
    x0 = np.ones(4)
    tol = 1e-2 * np.linalg.norm(fs.full(x0))
    r = vr_halpern(fs, x0, tol=tol, p=1.0, seed=0, use_kernel=use_kernel)
    h = halpern(x0, F=fs, L=fs.L, tol=tol)
    assert r.success and h.success
    assert r.n_iter == h.n_iter
    np.testing.assert_allclose(r.x, h.x, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(r.residual_history, h.residual_history, rtol=1e-9, atol=1e-14)


@pytest.mark.parametrize("use_kernel", [True, False])
def test_vr_halpern_cocoercive_converges_with_fewer_calls(use_kernel):
    # the comparison of the theorem (Cai, Alacaoglu & Diakonikolas 2024): O(n + sqrt(n) L/eps)
    # against O(n L/eps) at the SAME constant L (the average component constant).  Full-batch
    # Halpern given the smaller constant of the mean, ||Mbar||, needs fewer calls than VR here
    # (see benchmarks/games.py, instance 1): this is not a claim that VR wins in practice.
    fs, xs = random_cocoercive_finite_sum(400, 5, 4)
    x0 = np.zeros(5)
    tol = 1e-3
    r = vr_halpern(fs, x0, tol=tol, seed=1, use_kernel=use_kernel)
    h = halpern(x0, F=fs, L=fs.L, tol=tol)
    assert r.success
    assert np.linalg.norm(fs.full(r.x)) <= tol
    assert r.oracle_calls < h.oracle_calls / 2


@pytest.mark.parametrize("use_kernel", [True, False])
def test_vr_halpern_monotone_converges(use_kernel):
    g, zs = random_bilinear_game(10, 2, 2, 5)
    tol = 1e-3 if use_kernel else 2e-2
    r = vr_halpern(g, np.zeros(4), variant="monotone", tol=tol, seed=2,
                   use_kernel=use_kernel)
    assert r.success
    assert np.linalg.norm(g.full(r.x)) <= tol


def test_generic_finite_sum_callable():
    rng = np.random.default_rng(6)
    a = rng.normal(size=(20, 3))

    def batch(x, idx):  # F_i(x) = a_i (a_i^T x - 1): least squares, cocoercive
        ai = a if idx is None else a[idx]
        return (ai * (ai @ x - 1.0)[:, None]).mean(axis=0)
    L = float(np.max(np.sum(a**2, axis=1)))
    fs = FiniteSum(batch, 20, 3, L)
    r = vr_halpern(fs, np.zeros(3), tol=1e-4, seed=0)
    assert r.success
    assert np.linalg.norm(fs.full(r.x)) <= 1e-4
    x_ls = np.linalg.lstsq(a, np.ones(20), rcond=None)[0]
    lam_min = np.linalg.eigvalsh(a.T @ a / 20)[0]  # ||x - x_ls|| <= ||F(x)|| / lam_min
    np.testing.assert_allclose(r.x, x_ls, rtol=0, atol=1e-4 / lam_min)


def test_extragradient_bilinear_and_projected():
    g, zs = random_bilinear_game(20, 3, 3, 7, reg=0.2)  # 0.2-strongly monotone
    r = extragradient(g, np.zeros(6), tol=1e-8)
    assert r.success
    np.testing.assert_allclose(r.x, zs, rtol=0, atol=1e-8 / 0.2)
    assert r.oracle_calls == 20 * (2 * r.n_iter + 1)
    # projected: matrix game on simplices via the Euclidean operator
    A = np.array([[0.0, -1.0, 1.0], [1.0, 0.0, -1.0], [-1.0, 1.0, 0.0]])

    def F(z):
        return np.r_[A @ z[3:], -A.T @ z[:3]]

    def proj(z):
        return np.r_[project_simplex(z[:3]), project_simplex(z[3:])]
    r = extragradient(F, np.r_[1.0, 0, 0, 0, 1.0, 0], L=np.linalg.norm(A, 2), project=proj,
                      tol=1e-8)
    assert r.success
    np.testing.assert_allclose(r.x, np.full(6, 1 / 3), rtol=0, atol=1e-6)


def test_project_simplex_matches_naive():
    rng = np.random.default_rng(8)
    for _ in range(20):
        v = rng.normal(size=int(rng.integers(1, 15))) * 3
        np.testing.assert_allclose(project_simplex(v), project_simplex_naive(v), rtol=0,
                                   atol=1e-10)


def test_mirror_prox_matches_naive_and_lp_value():
    rng = np.random.default_rng(9)
    A = rng.normal(size=(6, 4))
    res = mirror_prox(A, max_iter=200)
    xa, ya = mirror_prox_entropy_naive(A, 200)
    np.testing.assert_allclose(res.x_avg, xa, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(res.y_avg, ya, rtol=1e-10, atol=1e-12)
    gap = duality_gap(A, res.x_avg, res.y_avg)
    np.testing.assert_allclose(res.gap, gap, rtol=1e-9, atol=1e-12)
    v = game_value_lp(A)
    # the value is sandwiched by the best-response values of the averaged strategies
    assert (A @ res.y_avg).min() - 1e-12 <= v <= (A.T @ res.x_avg).max() + 1e-12
    res = mirror_prox(A, max_iter=20000, tol=1e-3)
    assert res.success
    np.testing.assert_allclose(res.x_avg @ A @ res.y_avg, v, rtol=0, atol=1e-3)


def test_mirror_prox_euclidean_and_grad_and_finite_sum():
    rng = np.random.default_rng(10)
    A = rng.normal(size=(5, 5))
    r1 = mirror_prox(A, mirror="euclidean", max_iter=3000, tol=1e-3)
    assert r1.success
    assert duality_gap(A, r1.x_avg, r1.y_avg) <= 1e-3 + 1e-12
    # the same game through grad: certified gap equals the duality gap
    r2 = mirror_prox(grad=lambda x, y: (A @ y, A.T @ x), shape=(5, 5),
                     L=float(np.abs(A).max()), max_iter=100)
    r3 = mirror_prox(A, max_iter=100)
    np.testing.assert_allclose(r2.gap, r3.gap, rtol=1e-10, atol=1e-14)
    # finite sum of components: same iterates as the mean, n calls per evaluation
    comps = A[None] + rng.normal(size=(7, 5, 5))
    comps -= comps.mean(axis=0) - A
    r4 = mirror_prox(comps, max_iter=100)
    np.testing.assert_allclose(r4.x_avg, r3.x_avg, rtol=1e-10, atol=1e-12)
    assert r4.oracle_calls == 7 * r3.oracle_calls


def test_mirror_prox_convex_concave_regularized():
    # f(x, y) = x^T A y + 0.5 ||x||^2 - 0.5 ||y||^2: the certified gap upper-bounds the true gap
    rng = np.random.default_rng(11)
    A = rng.normal(size=(4, 3))
    res = mirror_prox(grad=lambda x, y: (A @ y + x, A.T @ x - y), shape=(4, 3),
                      L=float(np.abs(A).max()) + 1.0, max_iter=20000, tol=1e-3)
    assert res.success
    x, y = res.x_avg, res.y_avg
    # true gap: max_y' f(x, y') - min_x' f(x', y) on simplices (small QPs via projection)
    import cvxpy as cp
    yv, xv = cp.Variable(3), cp.Variable(4)
    up = cp.Problem(cp.Maximize(x @ A @ yv + 0.5 * x @ x - 0.5 * cp.sum_squares(yv)),
                    [yv >= 0, cp.sum(yv) == 1]).solve()
    lo = cp.Problem(cp.Minimize(xv @ (A @ y) + 0.5 * cp.sum_squares(xv) - 0.5 * y @ y),
                    [xv >= 0, cp.sum(xv) == 1]).solve()
    assert 0 <= up - lo <= res.gap + 1e-6


def test_nash_prox_closed_form_matches_numeric():
    rng = np.random.default_rng(12)
    K = 5
    v = rng.uniform(size=K)
    ref = rng.dirichlet(np.ones(K))
    pik = rng.dirichlet(np.ones(K))
    for eta, beta in [(0.2, 0.1), (2.0, 1.0)]:
        got = np.exp(_prox(np.log(pik), v, np.log(ref), eta, beta))
        want = prox_step_numeric(v, np.log(ref), np.log(pik), eta, beta)
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-5)


def test_nash_mirror_prox_reaches_regularized_equilibrium():
    P = random_preference_matrix(6, 13)
    for beta in (0.05, 0.5):
        ps = regularized_nash(P, beta)
        assert regularized_exploitability(P, ps, beta) <= 1e-12
        res = nash_mirror_prox(P, beta, tol=1e-12, pi_star=ps, max_iter=5000)
        assert res.success
        np.testing.assert_allclose(res.pi, ps, rtol=0, atol=1e-5)
        assert res.n_queries == 2 * res.n_iter


def test_nash_rock_paper_scissors_uniform():
    P = np.array([[0.5, 1.0, 0.0], [0.0, 0.5, 1.0], [1.0, 0.0, 0.5]])
    res = nash_mirror_prox(P, 0.1, tol=1e-13)
    np.testing.assert_allclose(res.pi, np.full(3, 1 / 3), rtol=0, atol=1e-6)


def test_nash_sampled_approaches_equilibrium():
    P = random_preference_matrix(5, 14)
    beta = 0.5
    ps = regularized_nash(P, beta)
    with pytest.warns(ConvergenceWarning):
        res = nash_mirror_prox(P, beta, oracle="sampled", n_samples=2000, max_iter=30,
                               tol=1e-12, seed=0, pi_star=ps)
    assert not res.success and res.status == Status.MAX_ITER
    assert res.n_queries == 30 * 2 * 5 * 2000
    assert res.kl_history[-1] < 0.05 * res.kl_history[0]
    assert res.gap < 1e-3


def test_nash_pg_prox_step_matches_closed_form():
    # many low-noise policy-gradient steps approach the closed-form prox step
    rng = np.random.default_rng(21)
    for K, beta, seed in [(3, 0.5, 1), (5, 1.0, 2), (4, 0.2, 3)]:
        P = random_preference_matrix(K, seed)
        pik, q, ref = (rng.dirichlet(np.ones(K)) for _ in range(3))
        eta = 2 * beta
        want = np.exp(_prox(np.log(pik), P @ q, np.log(ref), eta, beta))
        got = np.exp(_prox_pg(P, np.log(pik), q, np.log(ref), eta, beta, 800,
                              1.0 / (1 + beta + beta / eta), 2000, rng))
        np.testing.assert_allclose(got, want, rtol=0, atol=0.006)


def test_nash_pg_kl_decreases_to_noise_floor():
    # approximate Nash-MP (stochastic policy-gradient prox steps): KL(pi* || pi_k) falls from
    # its start to a floor that is lower with more comparisons per gradient step
    floors = {}
    for K, beta, pseed in [(5, 0.5, 14), (4, 1.0, 3)]:
        P = random_preference_matrix(K, pseed)
        ps = regularized_nash(P, beta)
        pi0 = np.full(K, 0.1 / (K - 1))
        pi0[np.argmin(ps)] = 0.9  # start far from pi*: mass on its least likely response
        for m in (16, 512):
            with pytest.warns(ConvergenceWarning):
                res = nash_mirror_prox(P, beta, pi0=pi0, method="pg", oracle="sampled",
                                       n_samples=m, pg_max_iter=20, max_iter=25, tol=1e-12,
                                       seed=0, pi_star=ps)
            assert not res.success and res.status == Status.MAX_ITER
            assert res.n_queries == 25 * 2 * 20 * m
            kls = res.kl_history
            assert np.all(np.isfinite(kls))
            floors[K, m] = kls[-10:].mean()
            assert floors[K, m] < 0.2 * kls[0]
        assert floors[K, 512] < 0.5 * floors[K, 16]
        assert floors[K, 512] < 0.02 * res.kl_history[0]


def test_nash_pg_is_seeded():
    P = random_preference_matrix(4, 5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a, b = (nash_mirror_prox(P, 0.3, method="pg", oracle="sampled", n_samples=8,
                                 pg_max_iter=5, max_iter=3, tol=1e-12, seed=7) for _ in range(2))
    np.testing.assert_array_equal(a.pi, b.pi)


def test_every_solver_returns_result_core():
    fs, _ = random_cocoercive_finite_sum(10, 3, 0)
    P = random_preference_matrix(3, 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = [
            halpern(np.zeros(3), F=fs, L=fs.L, max_iter=5),
            vr_halpern(fs, np.zeros(3), max_oracle_calls=50, seed=0),
            extragradient(fs, np.zeros(3), max_iter=5),
            mirror_prox(np.eye(3), max_iter=5),
            nash_mirror_prox(P, 0.1, max_iter=2),
        ]
    for r in results:
        assert isinstance(r, Result)
        assert isinstance(r.success, bool) and isinstance(r.n_iter, int)
        assert r.status in set(Status) and isinstance(r.message, str) and r.message
        assert "x" in r.keys() or "pi" in r.keys()


def test_regularized_exploitability_matches_best_response():
    rng = np.random.default_rng(15)
    P = random_preference_matrix(6, 15)
    ref = rng.dirichlet(np.ones(6))
    pi = rng.dirichlet(np.ones(6))
    beta = 0.3

    def J(p, q):  # payoff of the regularized symmetric game
        return p @ P @ q - beta * np.sum(p * np.log(p / ref)) + beta * np.sum(q * np.log(q / ref))
    br = ref * np.exp(P @ pi / beta)
    br /= br.sum()
    want = J(br, pi) - J(pi, pi)
    got = regularized_exploitability(P, pi, beta, ref)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-14)
    # no random policy beats the best response
    for _ in range(20):
        q = rng.dirichlet(np.ones(6))
        assert J(q, pi) - J(pi, pi) <= got + 1e-12
