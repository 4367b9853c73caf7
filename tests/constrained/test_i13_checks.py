"""Checks of paths that had none (issue 13): the recorded EAL accuracy schedule against its
formula, Kaczmarz on rows of very different norms, and the reworked EAL checks.  Each test
names the wrong implementation it catches."""

import warnings

import numpy as np
import pytest

from equilibria.solvers.constrained import sketch_solve
from equilibria.solvers.constrained import theorems as CT


@pytest.mark.parametrize("sharpen", [0.0, 0.5])
@pytest.mark.parametrize("seed", range(6))
def test_eal_accuracy_schedule_equals_formula(seed, sharpen):
    """theta_t = min(theta, sqrt(eta2/eta1)/2, r_t^sharpen) / rho^j with j >= 0 sharpenings,
    and j = 0 on most iterations.  Catches a changed UNIT_STEP_ACCURACY (1/2), a wrong exponent
    (r^(2 rho)) and a dropped min with theta."""
    inst = CT.sample_eq_problem(np.random.default_rng(seed))
    _, res = CT._solve(inst, sharpen=sharpen, tol=1e-10)
    j = CT.accuracy_schedule(res, sharpen=sharpen)
    assert res.n_iter >= 3
    assert not np.any(np.isnan(j)), (j, res.theta_history)
    assert np.mean(j == 0) >= 0.6


def test_eal_accuracy_sharpening_is_one_factor_rho():
    """Over 30 seeded problems the sharpening counts j_t are consecutive from 1 (a single
    sharpening divides theta_t by rho exactly once).  Catches sharpening by rho^2 (only even
    j) or by a factor other than rho (non-integer j)."""
    rng = np.random.default_rng(0)
    seen = set()
    for _ in range(30):
        inst = CT.sample_eq_problem(rng)
        _, res = CT._solve(inst, tol=1e-10)
        j = CT.accuracy_schedule(res)
        assert not np.any(np.isnan(j))
        seen |= {int(v) for v in j if v > 0}
    assert seen and seen == set(range(1, max(seen) + 1)), seen


def _badly_scaled(N=8, seed=0):
    rng = np.random.default_rng(seed)
    B = rng.normal(size=(N, N))
    K0 = B @ B.T + N * np.eye(N)
    D = np.diag(10.0 ** np.linspace(-2, 2, N))  # row norms over 8 orders of magnitude
    K = D @ K0 @ D
    z = rng.normal(size=N)
    return K, K @ z, z


def test_kaczmarz_rows_of_very_different_norms():
    """K = D K0 D with D from 1e-2 to 1e2: equilibrated Kaczmarz meets the tolerance within
    2000 rows (about 400 recorded) and the reported residual is the true one; without the
    rescaling it does not converge in 10^5 rows.  Catches a removed row rescaling (Ruiz d = 1)
    and a Kaczmarz step without the 1/||K_i||^2 normalization."""
    K, b, z_true = _badly_scaled()
    tol = 1e-8 * np.linalg.norm(b)
    z, steps, res = sketch_solve(K, b, tol_abs=tol, method="kaczmarz", seed=1, max_iter=2000)
    assert res <= tol and steps <= 2000
    assert np.linalg.norm(K @ z - b) == pytest.approx(res, rel=1e-6)
    np.testing.assert_allclose(z, z_true, atol=1e-2)
    _, steps0, res0 = sketch_solve(K, b, tol_abs=tol, method="kaczmarz", seed=1,
                                   max_iter=100_000, equilibrate=False)
    assert res0 > tol  # the rescaling is what makes the difference on this system


def test_kaczmarz_step_normalized_by_its_row_norm():
    """Without equilibration, on K = D K0 D with D from 1 to 10 (row norms over two orders of
    magnitude), Kaczmarz meets the tolerance within 500 000 rows (320 160 recorded).  Catches a
    step t = s / max_i ||K_i||^2 instead of s / ||K_i||^2 (no convergence in 10^6 rows); the
    equilibrated path hides this mutant, since Ruiz scaling equalizes the row norms."""
    rng = np.random.default_rng(0)
    N = 8
    B = rng.normal(size=(N, N))
    K0 = B @ B.T + N * np.eye(N)
    D = np.diag(10.0 ** np.linspace(0, 1, N))
    K = D @ K0 @ D
    b = K @ rng.normal(size=N)
    tol = 1e-8 * np.linalg.norm(b)
    z, steps, res = sketch_solve(K, b, tol_abs=tol, method="kaczmarz", seed=1,
                                 max_iter=500_000, equilibrate=False)
    assert res <= tol and np.linalg.norm(K @ z - b) <= 1.0001 * tol


def test_eal_local_linear_is_a_ratio():
    """The local-rate check reports ratio / (theta_t + 0.05) against 1 (not ratio - theta_t
    against 0.05, which was negative on every instance); on seeded instances its worst value is
    at least 0.5.  Catches an implementation whose local contraction exceeds theta_t + 0.05."""
    rng = np.random.default_rng(0)
    vals = [CT._eval_ratio(CT.sample_eq_problem(rng)) for _ in range(6)]
    assert all(b == 1.0 for _, b in vals)
    assert 0.5 <= max(m for m, _ in vals) <= 1.0


def test_eal_descent_margin_and_unit_step_trivial():
    """Margin form of the descent check (1 + violation against 1) and the unit-step count with
    its trivial maximum (number of local iterations)."""
    inst = CT.sample_eq_problem(np.random.default_rng(3))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m, b = CT._eval_descent(inst)
        assert b == 1.0 and m <= 1.0 + 1e-9
        c, half, triv = CT._eval_unit(inst)
    assert c == 0.0 and half == 0.5 and triv >= 1


def test_user_qp_solver_ignoring_constraints_fails():
    """The package's primal-dual method through the protocol passes; the unconstrained
    minimizer -Q^-1 q (constraints dropped, the wrong implementation) fails on a QP whose
    constraint is active."""
    from equilibria.verification import get
    thm = get("constrained.primal_dual_cvxpy")
    assert thm.protocol
    inst = {"Q": np.eye(2), "q": np.array([-2.0, 0.0]), "A": np.array([[1.0, 0.0]]),
            "b": np.array([0.5])}  # optimum (0.5, 0), unconstrained (2, 0)

    def package(Q, q, A, b):
        return CT.solve_qp_primal_dual({"Q": Q, "q": q, "A": A, "b": b}).x
    thm.check(inst, algorithm=package)
    with pytest.raises(AssertionError, match="primal_dual_cvxpy violated"):
        thm.check(inst, algorithm=lambda Q, q, A, b: -np.linalg.solve(Q, q))
