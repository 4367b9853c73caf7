"""solve_zero_sum: value against HiGHS, the duality-gap certificate, degenerate games,
the PDHG restart machinery, non-convergence and bad input."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equilibria._lib.result import ConvergenceWarning, Status
from equilibria.solvers.games import zero_sum as Z
from equilibria.solvers.games.mirror_prox import project_simplex
from equilibria.solvers.games.zero_sum import ZeroSumResult, solve_zero_sum
from equilibria.verification import duality_gap

TOL = 1e-6


def _rps(n):
    """Generalized rock-paper-scissors (n odd), the online room's game builder."""
    from equilibria.solvers.online import matrix_game

    return matrix_game(n, n, kind="rps")


def _uniform(n, m, seed):
    return np.random.default_rng(seed).uniform(-1, 1, size=(n, m))


@pytest.fixture(scope="module", autouse=True)
def _warm():
    # compile (or load) the PDHG kernel once, outside the timed parts of the tests
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        solve_zero_sum(_uniform(3, 2, 0), method="pdhg", tol=1e-3)


def _check_certificate(A, r, tol):
    """The result's own certificate, recomputed independently."""
    assert isinstance(r, ZeroSumResult)
    assert r.success and r.status == Status.SUCCESS
    for p in (r.x, r.y):
        assert np.all(p >= 0) and abs(p.sum() - 1.0) <= 1e-12
    assert r.upper == pytest.approx(float((A.T @ r.x).max()), abs=1e-12)
    assert r.lower == pytest.approx(float((A @ r.y).min()), abs=1e-12)
    assert r.gap == pytest.approx(duality_gap(A, r.x, r.y), abs=1e-12)
    assert 0.0 <= r.gap <= tol
    assert r.lower <= r.value <= r.upper


@pytest.mark.parametrize("shape, seed", [((30, 30), 0), ((40, 25), 1), ((17, 60), 2)])
def test_value_agrees_with_highs(shape, seed):
    A = _uniform(*shape, seed)
    rh = solve_zero_sum(A, method="highs", tol=TOL)
    rp = solve_zero_sum(A, method="pdhg", tol=TOL, polish=False)
    _check_certificate(A, rh, TOL)
    _check_certificate(A, rp, TOL)
    assert rh.method == "highs" and rp.method == "pdhg"
    # both value intervals contain v: the midpoints agree to the sum of the half gaps
    assert abs(rh.value - rp.value) <= (rh.gap + rp.gap) / 2 + 1e-12
    # against the value of an independent LP (HiGHS on the other player's program)
    assert abs(rp.value - _column_value(A)) <= rp.gap / 2 + 1e-9
    assert rp.n_restarts > 0 and rp.matvecs == 2 * rp.n_iter + 2


def _column_value(A):
    """v = max_y min_i (A y)_i, by HiGHS on the column player's LP (variables y, t)."""
    from scipy.optimize import linprog

    n, m = A.shape
    c = np.r_[np.zeros(m), -1.0]
    A_ub = np.hstack([-A, np.ones((n, 1))])  # t - (A y)_i <= 0
    A_eq = np.r_[np.ones(m), 0.0][None]
    res = linprog(c, A_ub=A_ub, b_ub=np.zeros(n), A_eq=A_eq, b_eq=[1.0],
                  bounds=[(0, None)] * m + [(None, None)], method="highs")
    return -res.fun


@settings(max_examples=15, deadline=None)
@given(n=st.integers(2, 12), m=st.integers(2, 12), seed=st.integers(0, 2**16),
       scale=st.sampled_from([1e-3, 1.0, 50.0]), shift=st.sampled_from([0.0, -3.0, 7.5]))
def test_random_games_both_methods(n, m, seed, scale, shift):
    A = scale * _uniform(n, m, seed) + shift
    tol = 1e-6 * scale
    v = _column_value(A)
    for method in ("highs", "pdhg"):
        r = solve_zero_sum(A, method=method, tol=tol)
        _check_certificate(A, r, tol)
        assert abs(r.value - v) <= r.gap / 2 + 1e-9 * max(1.0, abs(shift))


@pytest.mark.parametrize("method", ["highs", "pdhg"])
def test_affine_invariance(method):
    # the game c A + b has value c v + b and the same equilibria (the solver rescales A)
    A = _uniform(20, 20, 5)
    r1 = solve_zero_sum(A, method=method, tol=TOL)
    r2 = solve_zero_sum(1e3 * A - 2.0, method=method, tol=1e3 * TOL)
    assert r2.gap <= 1e3 * TOL
    assert abs(r2.value - (1e3 * r1.value - 2.0)) <= r2.gap / 2 + 1e3 * r1.gap / 2 + 1e-9


@pytest.mark.parametrize("method", ["highs", "pdhg"])
@pytest.mark.parametrize("n", [5, 9])
def test_rock_paper_scissors(method, n):
    # generalized RPS: value 0, unique (uniform) equilibrium
    A = _rps(n)
    r = solve_zero_sum(A, method=method, tol=TOL)
    _check_certificate(A, r, TOL)
    assert abs(r.value) <= TOL
    assert np.allclose(r.x, 1.0 / n, atol=1e-5) and np.allclose(r.y, 1.0 / n, atol=1e-5)


@pytest.mark.parametrize("method", ["highs", "pdhg"])
def test_pure_saddle_point(method):
    # row 3 / column 5 is a saddle point: A[3, 5] is the max of row 3 and the min of column 5
    A = 0.4 * _uniform(12, 9, 3)
    A[3, :] = -0.5 + 0.1 * _uniform(1, 9, 4)
    A[:, 5] = 0.6 + 0.1 * _uniform(12, 1, 5)[:, 0]
    A[3, 5] = 0.5
    r = solve_zero_sum(A, method=method, tol=TOL)
    _check_certificate(A, r, TOL)
    assert abs(r.value - 0.5) <= TOL
    assert r.x[3] >= 1 - 1e-5 and r.y[5] >= 1 - 1e-5


@pytest.mark.parametrize("method", ["auto", "highs", "pdhg"])
def test_degenerate_shapes(method):
    a = np.array([[0.3, -1.0, 2.0, 0.5]])
    r = solve_zero_sum(a, method=method)  # 1 x n: the column player picks max
    _check_certificate(a, r, TOL)
    assert r.value == 2.0 and r.y[2] == 1.0 and r.gap == 0.0
    r = solve_zero_sum(a.T, method=method)  # n x 1: the row player picks min
    _check_certificate(a.T, r, TOL)
    assert r.value == -1.0 and r.x[1] == 1.0
    r = solve_zero_sum([[4.0]], method=method)
    assert r.success and r.value == 4.0 and r.gap == 0.0
    r = solve_zero_sum(np.zeros((3, 5)), method=method)  # every pair is an equilibrium
    assert r.success and r.value == 0.0 and r.gap == 0.0


def test_two_by_n_and_dominated_actions_pdhg():
    # a 2 x n game (non-trivial kernel path) and a game with a dominated row
    A = np.array([[1.0, -1.0, 0.2, 0.9], [-1.0, 1.0, 0.1, -0.3]])
    r = solve_zero_sum(A, method="pdhg", tol=1e-9)
    _check_certificate(A, r, 1e-9)
    assert abs(r.value - _column_value(A)) <= 1e-9
    B = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]])  # row 2 is dominated
    r = solve_zero_sum(B, method="pdhg", tol=1e-9)
    _check_certificate(B, r, 1e-9)
    assert abs(r.value - 0.5) <= 1e-9 and r.x[2] <= 1e-8


def test_non_convergence_pdhg():
    A = _uniform(30, 30, 7)
    with pytest.warns(ConvergenceWarning, match="max_iter"):
        r = solve_zero_sum(A, method="pdhg", tol=1e-10, max_iter=5, polish=False)
    assert not r.success and r.status == Status.MAX_ITER
    assert r.n_iter == 5 and "max_iter" in r.message
    # the certificate is still exact for what is returned
    assert r.gap == pytest.approx(duality_gap(A, r.x, r.y), abs=1e-12) and r.gap > 1e-10
    with pytest.warns(ConvergenceWarning):
        r0 = solve_zero_sum(A, method="pdhg", tol=1e-10, max_iter=0, polish=False)
    assert not r0.success and r0.n_iter == 0
    assert np.allclose(r0.x, 1 / 30) and np.allclose(r0.y, 1 / 30)


def test_auto_picks_by_size(monkeypatch):
    A = _uniform(10, 10, 8)
    assert solve_zero_sum(A).method == "highs"
    monkeypatch.setattr(Z, "AUTO_PDHG_SIZE", 99)
    monkeypatch.setattr(Z, "HIGHS_COST", 1e3)  # HiGHS predicted slow: PDHG keeps going
    r = solve_zero_sum(A, polish=False)
    assert r.method == "pdhg" and r.success and "probe" not in r.message
    monkeypatch.setattr(Z, "AUTO_PDHG_SIZE", 100)
    assert solve_zero_sum(A).method == "highs"


def test_auto_probe_hands_ill_conditioned_games_to_highs(monkeypatch):
    # weighted rock-paper-scissors: sigma_min / sigma_max ~ 1e-4, PDHG needs ~1e5 iterations;
    # with HiGHS predicted fast, the probe gives up and HiGHS answers (certified)
    n = 41
    rng = np.random.default_rng(12)
    A = rng.uniform(0.5, 1.5, (n, 1)) * _rps(n) * rng.uniform(0.5, 1.5, (1, n))
    monkeypatch.setattr(Z, "AUTO_PDHG_SIZE", 0)
    monkeypatch.setattr(Z, "HIGHS_COST", 1e-12)
    r = solve_zero_sum(A, tol=1e-9, polish=False)
    _check_certificate(A, r, 1e-9)
    assert r.method == "highs" and "after a PDHG probe" in r.message and r.n_iter > 0
    assert abs(r.value - solve_zero_sum(A, method="highs", tol=1e-9).value) <= 1e-9


def test_restarts_pay_off():
    # PDHG without restarts is sublinear on a matrix game; the adaptive restarts are linear
    # (Applegate et al. 2022): same kernel, restart factors switched off
    A = _uniform(40, 40, 9)
    eta = 1.0 / float(np.linalg.norm(A, 2))
    x0, y0 = np.full(40, 1 / 40), np.full(40, 1 / 40)
    out = np.zeros(1)
    _, _, k_r, nr, st_r = Z._pdhg_kernel(A, x0, y0, eta, 1e-7, 20_000, Z.RESTART_CHECK,
                                         Z.BETA_SUFFICIENT, Z.BETA_NECESSARY,
                                         Z.BETA_ARTIFICIAL, out)
    assert st_r == 0 and out[0] <= 1e-7 and nr > 0
    _, _, k_n, nr0, st_n = Z._pdhg_kernel(A, x0, y0, eta, 1e-7, 20_000, Z.RESTART_CHECK,
                                          0.0, 0.0, np.inf, out)
    assert nr0 == 0
    assert st_n == 1 or k_n > 3 * k_r


def test_pdhg_iterations_match_reference():
    # the kernel's first iterations against the PDHG update written out in NumPy:
    # x+ = P(x - eta A y), y+ = P(y + eta A^T (2 x+ - x)) (Chambolle & Pock 2011)
    A = _uniform(7, 5, 13)
    eta = 0.9 / float(np.linalg.norm(A, 2))
    x, y = np.full(7, 1 / 7), np.full(5, 1 / 5)
    x[0], y[1] = 0.4, 0.3
    x /= x.sum()
    y /= y.sum()
    W, S = Z._new_state(x, y)
    for _ in range(5):
        xn = project_simplex(x - eta * (A @ y))
        y = project_simplex(y + eta * (A.T @ (2 * xn - x)))
        x = xn
        st = Z._pdhg_core(A, eta, 1e-12, 1, Z.RESTART_CHECK, Z.BETA_SUFFICIENT,
                          Z.BETA_NECESSARY, Z.BETA_ARTIFICIAL, W, S)
        assert st == 1
        assert np.allclose(W[:7], x, atol=1e-13) and np.allclose(W[7:12], y, atol=1e-13)
        assert np.allclose(W[12:19], A @ y, atol=1e-13)  # the kept product A y
    assert S[4] == 5 and S[5] == 0  # five iterations, no restart yet


def test_constant_offset_is_free_for_pdhg():
    # x^T (A + c) y = x^T A y + c on the simplices: PDHG centres A, so an offset costs no
    # iterations (without centring, ||A + c||_2 is dominated by c and the step shrinks)
    A = 1e-3 * _uniform(12, 12, 14)
    r0 = solve_zero_sum(A, method="pdhg", tol=1e-9, polish=False)
    r1 = solve_zero_sum(A - 3.0, method="pdhg", tol=1e-9, polish=False)
    assert r0.success and r1.success
    assert abs(r1.value - (r0.value - 3.0)) <= 1e-9
    assert r1.n_iter <= 1.2 * r0.n_iter + 64


def test_kernel_simplex_projection():
    rng = np.random.default_rng(10)
    for d in (1, 2, 7, 50):
        for scale in (0.1, 1.0, 30.0):
            v = scale * rng.normal(size=d)
            out, work = np.empty(d), np.empty(d)
            Z._proj_simplex(v, out, work)
            assert np.allclose(out, project_simplex(v), atol=1e-14)


def test_normalized_duality_gap_matches_trust_region_solve():
    # rho_r(z) = max over the simplices intersected with the ball B(z, r) of
    # [x^T A y' - x'^T A y] / r, against a generic constrained solver
    from scipy.optimize import minimize

    rng = np.random.default_rng(11)
    n, m = 3, 4
    A = rng.uniform(-1, 1, (n, m))
    x = rng.dirichlet(np.ones(n))
    y = rng.dirichlet(np.ones(m))
    ATx, Ay = A.T @ x, A @ y
    bufs = [np.empty(k) for k in (n, m, n, m, n, m)]
    for r in (0.05, 0.3, 5.0):
        rho = Z._ndg(x, y, ATx, Ay, r, *bufs)
        cons = [{"type": "eq", "fun": lambda z: z[:n].sum() - 1},
                {"type": "eq", "fun": lambda z: z[n:].sum() - 1},
                {"type": "ineq", "fun": lambda z: r * r - np.sum((z - np.r_[x, y]) ** 2)}]
        best = -np.inf
        for s in range(6):
            z0 = np.r_[rng.dirichlet(np.ones(n)), rng.dirichlet(np.ones(m))]
            z0 = np.r_[x, y] + (z0 - np.r_[x, y]) * min(1.0, 0.9 * r / np.linalg.norm(
                z0 - np.r_[x, y]))
            res = minimize(lambda z: -(x @ A @ z[n:] - z[:n] @ A @ y), z0, method="SLSQP",
                           bounds=[(0, 1)] * (n + m), constraints=cons,
                           options={"ftol": 1e-13, "maxiter": 500})
            best = max(best, -res.fun)
        assert rho == pytest.approx(best / r, rel=1e-5, abs=1e-9)
    # the gap over the whole domain (a ball containing it) is the duality gap / r
    assert Z._ndg(x, y, ATx, Ay, 10.0, *bufs) == pytest.approx(duality_gap(A, x, y) / 10.0,
                                                               rel=1e-9)


def test_bad_input():
    with pytest.raises(ValueError, match="`A`"):
        solve_zero_sum([[1.0, np.nan]])
    with pytest.raises(ValueError, match="`A`"):
        solve_zero_sum([1.0, 2.0])
    with pytest.raises(ValueError, match="`A`"):
        solve_zero_sum(np.zeros((0, 3)))
    with pytest.raises(TypeError, match="`A`"):
        solve_zero_sum("payoff")
    with pytest.raises(ValueError, match="`tol`"):
        solve_zero_sum(np.eye(2), tol=0.0)
    with pytest.raises(ValueError, match="`tol`"):
        solve_zero_sum(np.eye(2), tol=np.nan)
    with pytest.raises(ValueError, match="`method`.*'simplex'"):
        solve_zero_sum(np.eye(2), method="simplex")
    with pytest.raises(ValueError, match="`max_iter`"):
        solve_zero_sum(np.eye(2), max_iter=-1)
    with pytest.raises(TypeError, match="`max_iter`"):
        solve_zero_sum(np.eye(2), max_iter=2.5)


def _wrps(n, seed):
    """Weighted rock-paper-scissors a_i b_j RPS_ij (n odd): interior, non-uniform equilibrium
    x ~ 1/a, y ~ 1/b, value 0; ill-conditioned for PDHG."""
    rng = np.random.default_rng(seed)
    return rng.uniform(0.5, 1.5, (n, 1)) * _rps(n) * rng.uniform(0.5, 1.5, (1, n))


@pytest.mark.parametrize("n", [41, 251])
def test_polish_solves_interior_games(n, monkeypatch):
    # the support polish: PDHG suggests the (full) supports, one LU solves the equalizing
    # systems; certified, equal to the closed form x ~ 1/a, y ~ 1/b and to HiGHS' value
    A = _wrps(n, 12)
    rng = np.random.default_rng(12)
    a, b = rng.uniform(0.5, 1.5, n), rng.uniform(0.5, 1.5, n)
    # auto: the quick probe runs from QUICK_MIN_SIZE actions on (below it HiGHS answers)
    methods = ("auto", "pdhg") if n >= Z.QUICK_MIN_SIZE else ("pdhg",)
    for method in methods:
        r = solve_zero_sum(A, method=method, tol=1e-9)
        _check_certificate(A, r, 1e-9)
        assert r.polished and r.method == "pdhg" and "support polish" in r.message
        assert np.allclose(r.x, (1 / a) / (1 / a).sum(), atol=1e-9)
        assert np.allclose(r.y, (1 / b) / (1 / b).sum(), atol=1e-9)
        assert abs(r.value - solve_zero_sum(A, method="highs", tol=1e-9).value) <= 1e-9
    # without the polish, PDHG does not reach the gap in the same budget (it can fail)
    with pytest.warns(ConvergenceWarning):
        r = solve_zero_sum(A, method="pdhg", tol=1e-9, polish=False, max_iter=2000)
    assert not r.success and not r.polished
    # auto below the size threshold: the quick probe is skipped for small games
    if n < Z.QUICK_MIN_SIZE:
        assert solve_zero_sum(A).method == "highs"


def test_polish_unit_and_fallbacks():
    # the exact equilibrium as the "iterate": the polish returns it to rounding; a wrong
    # support guess gives a large gap (the caller keeps iterating), a singular system None
    A = _wrps(31, 3)
    r = solve_zero_sum(A, method="highs", tol=1e-12)
    out = Z._polish(A, r.x, r.y, A @ r.y, A.T @ r.x, 0.1)
    assert out is not None and out[2] <= 1e-12
    assert np.allclose(out[0], r.x, atol=1e-10) and np.allclose(out[1], r.y, atol=1e-10)
    B = _uniform(40, 40, 4)
    x = np.zeros(40)
    x[:3] = 1 / 3
    out = Z._polish(B, x, x.copy(), B @ x, B.T @ x, 1e-3)
    assert out is None or out[2] > 1e-3
    assert Z._polish(np.ones((4, 4)), np.full(4, .25), np.full(4, .25), np.ones(4), np.ones(4),
                     1.0) is None


@settings(max_examples=10, deadline=None)
@given(n=st.integers(2, 30), m=st.integers(2, 30), seed=st.integers(0, 2**16))
def test_polish_never_certifies_a_wrong_answer(n, m, seed):
    # with the polish on, every success is a certified equilibrium of the value HiGHS finds
    A = _uniform(n, m, seed)
    r = solve_zero_sum(A, method="pdhg", tol=1e-7)
    _check_certificate(A, r, 1e-7)
    assert abs(r.value - _column_value(A)) <= r.gap / 2 + 1e-9


def test_polish_validation():
    with pytest.raises(TypeError, match="`polish`"):
        solve_zero_sum(np.eye(2), polish="yes")
