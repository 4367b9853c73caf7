"""Checks that can fail (issue 13): tightness instances, bound formulas on hand-computed values,
VR-Halpern against full-batch Halpern, and wrong user implementations through ``algorithm=``.

Each test names the wrong implementation it catches."""

import warnings

import numpy as np
import pytest

from equilibria.solvers.games import halpern, vr_halpern
from equilibria.solvers.games import theorems as G
from equilibria.solvers.games._problems import linear_finite_sum
from equilibria.verification import get


# -- tightness ---------------------------------------------------------------------------------

@pytest.mark.parametrize("N", [1, 2, 7, 40])
def test_halpern_worst_case_rotation_attains_lieder_bound(N):
    """Rotation by pi/(N+1): ratio 1.000 at k = N >= 1 (k = 0 excluded).  Catches a wrong
    anchoring weight (lambda_k = 1/(k+3) or 1/(k+1)) and a bound 2x too loose."""
    inst = G.worst_case_nonexpansive(N, d=3, rng=np.random.default_rng(N), scale=2.5)
    m, b, triv = G.eval_nonexpansive(inst)
    assert 0.999 <= m / b <= 1 + 1e-9
    assert b < triv


@pytest.mark.parametrize("N", [2, 10, 50])
def test_halpern_cocoercive_tight_on_top_eigenvector(N):
    """F = M x + q, x0 - x* along the top eigenvector of M: ||F(x_N)|| (N+1) = L ||x0 - x*|| at
    even N (ratio >= 0.999).  Catches a step 1/L instead of 2/L (ratio about 0.5)."""
    rng = np.random.default_rng(N)
    v = np.linalg.qr(rng.normal(size=(4, 4)))[0]
    M = v @ np.diag([3.0, 1.0, 0.5, 0.0]) @ v.T
    q = -M @ np.ones(4)
    inst = {"M": M, "q": q, "x0": np.ones(4) + 2.0 * v[:, 0], "n_iter": N}
    m, b, triv = G.eval_cocoercive(inst)
    assert 0.999 <= m / b <= 1 + 1e-9 and b < triv


def test_mirror_prox_needle_game_ratio():
    """Needle game (n = 50, m = 2): gap / bound >= 0.6 for every T.  Catches the bound
    multiplied by 10 (ratio 0.06) and a step twice too small."""
    for T in (10, 100, 500):
        m, b, triv = G.eval_mirror_prox({"A": G.needle_game(50), "T": T})
        assert 0.6 <= m / b <= 1.0 and b < triv


def test_nash_mp_contraction_nearly_attained():
    """Seeded drawn games reach contraction ratio >= 0.9 of 1/(1+2beta) (quick verify run).
    Catches a bound (1+beta)^-1 (too loose: ratio drops) and a step eta = beta."""
    rng = np.random.default_rng(0)
    worst = max(G.eval_nash_mp(G.sample_preference_game(rng))[0] for _ in range(12))
    assert 0.9 <= worst <= 1 + 1e-6


# -- bound formulas --------------------------------------------------------------------------

def test_bound_formulas_hand_computed():
    """Coded bounds equal the papers' expressions on hand-computed values (catches a factor
    changed in any of them)."""
    # Lieder: 2 ||x0 - x*||; rotation about c = 0, x0 = (3, 4): 2 * 5 = 10
    inst = {"kind": "rotation", "d": 2, "x0": np.array([3.0, 4.0]), "c": np.zeros(2),
            "n_iter": 3, "Q": np.eye(2)[::-1] * [1, -1], "s": 1.0, "rank": 1, "width": 1.0}
    assert G.eval_nonexpansive(inst)[1] == pytest.approx(10.0)
    # Diakonikolas: L ||x0 - x*||; M = diag(2, 0), q = (-2, 0): zeros {x1 = 1}, x0 = (3, 5)
    inst = {"M": np.diag([2.0, 0.0]), "q": np.array([-2.0, 0.0]), "x0": np.array([3.0, 5.0]),
            "n_iter": 4}
    assert G.eval_cocoercive(inst)[1] == pytest.approx(2.0 * 2.0)
    # Nemirovski: max|A| (ln n + ln m) / T = 2 (ln 2 + ln 3) / 4
    A = np.array([[1.0, -2.0, 0.0], [0.5, 0.0, 1.0]])
    assert G.mirror_prox_bound(A, 4) == pytest.approx(0.5 * np.log(6.0))
    assert G.eval_mirror_prox({"A": A, "T": 4})[1] == pytest.approx(0.5 * np.log(6.0))
    assert G.eval_mirror_prox({"A": A, "T": 4})[2] == pytest.approx(3.0)  # max - min


def test_halpern_measures_k_at_least_one():
    """The measured ratio ignores k = 0 (where 2||x0 - x*|| is the triangle inequality): a
    reflection T x = -x has ||x0 - T x0|| = 2||x0||, yet Halpern's x_1 = 0, so measured = 0.
    Catches a check that reports ratio 1 from k = 0 only."""
    inst = {"kind": "reflection", "d": 2, "x0": np.array([1.0, 0.0]), "c": np.zeros(2),
            "n_iter": 5, "Q": np.array([[0.0, 1.0], [1.0, 0.0]]), "s": 1.0, "rank": 0,
            "width": 1.0}
    # rank 0: the affine subspace is {c}, T = 2 c - x = -x
    m, b, _ = G.eval_nonexpansive(inst)
    assert b == pytest.approx(2.0) and m == pytest.approx(0.0, abs=1e-12)


# -- VR-Halpern with identical components ------------------------------------------------------

@pytest.mark.parametrize("use_kernel", [True, False])
def test_vr_halpern_identical_components_is_full_batch_halpern(use_kernel):
    """With n identical components the PAGE estimator is exact, so VR-Halpern's iterates are
    full-batch Halpern's (step eta = 2/L) to rounding.  Catches an estimator scaled by the
    wrong batch size (acc / n, 2 b, ...) and a wrong anchoring weight in the VR loop."""
    rng = np.random.default_rng(3)
    d, n = 5, 16
    B = rng.normal(size=(d, 2))
    M1 = B @ B.T
    q1 = -M1 @ rng.normal(size=d)
    fs = linear_finite_sum(np.repeat(M1[None], n, 0), np.repeat(q1[None], n, 0))
    x0 = rng.normal(size=d)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        vr = vr_halpern(fs, x0, tol=1e-300, max_oracle_calls=40 * n, seed=1,
                        check_monotone=False, use_kernel=use_kernel)
        assert vr.n_iter >= 20
        full = halpern(x0, F=lambda x: M1 @ x + q1, L=fs.L, step=2.0 / fs.L, tol=1e-300,
                       max_iter=vr.n_iter, check_monotone=False)
    np.testing.assert_allclose(vr.x, full.x, rtol=1e-10, atol=1e-12)


# -- user implementations --------------------------------------------------------------------

def _picard(T, x0, n_iter):
    xs = [x0]
    for _ in range(n_iter):
        xs.append(T(xs[-1]))
    return np.array(xs)


def _halpern_user(T, x0, n_iter):
    xs = [x0]
    for k in range(n_iter):
        xs.append(x0 / (k + 2) + (k + 1) / (k + 2) * T(xs[-1]))
    return np.array(xs)


def test_user_halpern_passes_and_picard_fails():
    """A correct user Halpern passes on Lieder's instance; Picard iteration (no anchoring, the
    wrong implementation) fails with a readable message."""
    thm = get("games.halpern_nonexpansive")
    assert thm.protocol
    inst = G.worst_case_nonexpansive(20, d=2)
    m, b = thm.check(inst, algorithm=_halpern_user)
    assert m / b > 0.999
    with pytest.raises(AssertionError, match="games.halpern_nonexpansive violated"):
        thm.check(inst, algorithm=_picard)


def test_user_cocoercive_wrong_step_fails():
    """Halpern on I - (3/L) F (step beyond 2/L: T is not nonexpansive) fails."""
    thm = get("games.halpern_cocoercive")
    M, q = np.diag([1.0, 0.2]), np.zeros(2)
    inst = {"M": M, "q": q, "x0": np.array([1.0, 1.0]), "n_iter": 30}

    def wrong(F, L, x0, n_iter):
        return _halpern_user(lambda x: x - 3.0 / L * F(x), x0, n_iter)

    def right(F, L, x0, n_iter):
        return _halpern_user(lambda x: x - 2.0 / L * F(x), x0, n_iter)
    thm.check(inst, algorithm=right)
    with pytest.raises(AssertionError):
        thm.check(inst, algorithm=wrong)


def test_user_mirror_prox_without_extrapolation_fails():
    """Last iterate of simultaneous multiplicative weights (no extrapolation step, no averaging)
    on matching pennies spirals out; the check fails."""
    thm = get("games.mirror_prox_entropy")
    A = np.array([[1.0, -1.0], [-1.0, 1.0]])

    def mwu_last(A, T):
        x, y = np.array([0.6, 0.4]), np.array([0.5, 0.5])
        eta = 1.0 / np.abs(A).max()
        for _ in range(T):
            gx, gy = A @ y, -A.T @ x
            x, y = x * np.exp(-eta * gx), y * np.exp(-eta * gy)
            x, y = x / x.sum(), y / y.sum()
        return x, y
    with pytest.raises(AssertionError):
        thm.check({"A": A, "T": 200}, algorithm=mwu_last)


def test_user_nash_without_update_fails():
    """A Nash-MP that returns its start every iteration (forgotten update) fails: the KL ratio
    times 1 + 2 beta exceeds 1."""
    thm = get("games.nash_mp_contraction")
    inst = G.sample_preference_game(np.random.default_rng(1))

    def stuck(P, beta, ref, pi0, n_iter):
        return np.repeat(pi0[None], n_iter + 1, 0)
    with pytest.raises(AssertionError):
        thm.check(inst, algorithm=stuck)


def test_verify_with_user_algorithm():
    """``verify(name, algorithm=...)`` runs the drawn instances through the user's code: a
    correct Halpern passes and Picard iteration (no anchoring) fails."""
    from equilibria.verification import verify
    assert verify("games.halpern_nonexpansive", algorithm=_halpern_user).passed
    rep = verify("games.halpern_nonexpansive", algorithm=_picard)
    assert not rep.passed and rep.failed == ["games.halpern_nonexpansive"]


@pytest.mark.parametrize("use_kernel", [True, False])
def test_vr_halpern_counts_its_oracle_calls(use_kernel):
    """``oracle_calls`` is n per full pass (one residual recorded per full pass, the start
    included) plus 2b per PAGE update (the batch at the new and at the old point).  Catches a
    kernel or loop that counts b instead of 2b, or forgets the full passes: the budget and the
    reported complexity would both be wrong while the iterates stay right."""
    rng = np.random.default_rng(5)
    d, n, b = 4, 25, 5
    M = np.empty((n, d, d))
    for i in range(n):
        B = rng.normal(size=(d, d))
        M[i] = B @ B.T / d
    fs = linear_finite_sum(M, rng.normal(size=(n, d)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = vr_halpern(fs, np.zeros(d), tol=1e-300, max_oracle_calls=60 * n, seed=2,
                         batch_size=b, check_monotone=False, use_kernel=use_kernel)
    full = res.residual_history.size            # full passes, the one at k = 0 included
    updates = res.n_iter - (full - 1)           # the other iterations are PAGE updates
    assert full >= 2 and updates >= 5
    assert res.oracle_calls == n * full + 2 * b * updates
