import warnings

import cvxpy as cp
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from equilibria.solvers.constrained import PrimalDualResult, primal_dual
from equilibria.solvers.constrained.theorems import (sample_convex_qp, solve_qp_cvxpy,
                                                     solve_qp_primal_dual)
from equilibria.verification import ConvergenceWarning, Status, kkt_residual

from .naive import gda_naive


def test_matches_naive_loop():
    inst = sample_convex_qp(np.random.default_rng(0))
    Q, q, A, b = inst["Q"], inst["q"], inst["A"], inst["b"]
    ev = np.linalg.eigvalsh(Q)
    tau, sigma = 1 / ev[-1], ev[0] / np.linalg.norm(A, 2) ** 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        res = primal_dual(lambda x: 0.5 * x @ Q @ x + q @ x, lambda x: A @ x - b,
                          np.zeros(Q.shape[0]), grad=lambda x: Q @ x + q, jac=lambda x: A,
                          step=tau, dual_step=sigma, max_iter=37, tol=1e-300)
    x, mu = gda_naive(Q, q, A, b, tau, sigma, 37)
    np.testing.assert_allclose(res.x, x, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(res.mu, mu, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("seed", range(4))
def test_qp_matches_cvxpy_primal_and_dual(seed):
    inst = sample_convex_qp(np.random.default_rng(seed))
    res = solve_qp_primal_dual(inst)
    x_ref, mu_ref = solve_qp_cvxpy(inst)
    assert isinstance(res, PrimalDualResult) and res.success
    np.testing.assert_allclose(res.x, x_ref, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(res.mu, mu_ref, rtol=1e-5, atol=1e-5)
    kkt = kkt_residual(inst["Q"] @ res.x + inst["q"], jac_g=inst["A"],
                       g=inst["A"] @ res.x - inst["b"], mu=res.mu)
    np.testing.assert_allclose(kkt, res.kkt, rtol=1e-10, atol=1e-14)


def test_nonlinear_ball_constraint_and_box_match_cvxpy():
    rng = np.random.default_rng(4)
    n = 5
    a = 2.0 * rng.standard_normal(n)
    # min ||x - a||^2 s.t. ||x||^2 <= 1, -0.3 <= x <= 0.8
    res = primal_dual(lambda x: (x - a) @ (x - a), lambda x: np.array([x @ x - 1.0]),
                      np.zeros(n), grad=lambda x: 2 * (x - a), jac=lambda x: 2 * x[None, :],
                      lower=-0.3, upper=0.8, step=0.25, dual_step=0.25, tol=1e-10)
    x = cp.Variable(n)
    cp.Problem(cp.Minimize(cp.sum_squares(x - a)),
               [cp.sum_squares(x) <= 1, x >= -0.3, x <= 0.8]).solve(solver="CLARABEL")
    assert res.success
    np.testing.assert_allclose(res.x, x.value, rtol=1e-5, atol=1e-6)


def test_bounded_multipliers_report_infeasible():
    # x <= -1 and x >= 1: infeasible
    with pytest.warns(ConvergenceWarning, match="infeasible"):
        res = primal_dual(lambda x: x @ x, lambda x: np.array([x[0] + 1.0, 1.0 - x[0]]),
                          np.zeros(1), grad=lambda x: 2 * x,
                          jac=lambda x: np.array([[1.0], [-1.0]]), mu_max=10.0,
                          step=0.1, max_iter=2000)
    assert res.status == Status.INFEASIBLE and not res.success
    assert np.all(res.mu <= 10.0)


def test_bad_inputs_and_max_iter():
    f, g = (lambda x: x @ x), (lambda x: np.array([x.sum() - 1]))
    gr, jc = (lambda x: 2 * x), (lambda x: np.ones((1, x.size)))
    with pytest.raises(ValueError, match="`x0`"):
        primal_dual(f, g, [np.inf, 0.0], grad=gr, jac=jc)
    with pytest.raises(ValueError, match="`x0`"):
        primal_dual(lambda x: np.log(x[0]), g, [-1.0, 0.0], grad=gr, jac=jc)
    with pytest.raises(ValueError, match="`jac`"):
        primal_dual(f, g, [0.0, 0.0], grad=gr, jac=lambda x: np.ones((2, 2)))
    with pytest.raises(ValueError, match="`grad`"):
        primal_dual(f, g, [0.0, 0.0], grad=lambda x: np.ones(3), jac=jc)
    with pytest.raises(ValueError, match="`x0`.*`grad`"):
        primal_dual(f, g, [0.0, 0.0], grad=lambda x: np.array([np.nan, 0.0]), jac=jc)
    with pytest.raises(ValueError, match="`x0`.*`jac`"):
        primal_dual(f, g, [0.0, 0.0], grad=gr, jac=lambda x: np.full((1, 2), np.inf))
    with pytest.raises(ValueError, match="`lower`"):
        primal_dual(f, g, [0.0, 0.0], grad=gr, jac=jc, lower=1.0, upper=0.0)
    with pytest.raises(ValueError, match="`tol`"):
        primal_dual(f, g, [0.0, 0.0], grad=gr, jac=jc, tol=0.0)
    with pytest.raises(ValueError, match="`mu0`"):
        primal_dual(f, g, [0.0, 0.0], grad=gr, jac=jc, mu0=[-1.0])
    with pytest.raises(ValueError, match="`step`"):
        primal_dual(f, g, [0.0, 0.0], grad=gr, jac=jc, step=-1.0)
    with pytest.warns(ConvergenceWarning, match="increase `max_iter`"):
        res = primal_dual(f, lambda x: np.array([1.0 - x.sum()]), [0.0, 0.0], grad=gr,
                          jac=lambda x: -np.ones((1, 2)), max_iter=3)
    assert res.status == Status.MAX_ITER and res.n_iter == 3


def _draw_qcqp(seed, n, n_lin, n_quad):
    """Strongly convex quadratic objective, linear and convex quadratic inequalities, Slater
    point x = 0 (every constraint is < 0 there)."""
    rng = np.random.default_rng(seed)
    M = rng.standard_normal((n, n))
    Q = M @ M.T / n + 0.5 * np.eye(n)
    qv = 2.0 * rng.standard_normal(n)
    A = rng.standard_normal((n_lin, n))
    b = rng.random(n_lin) + 0.1
    P = np.stack([B @ B.T / n for B in rng.standard_normal((n_quad, n, n))])
    p = rng.standard_normal((n_quad, n))
    r = rng.random(n_quad) + 0.1
    return Q, qv, A, b, P, p, r


@given(seed=st.integers(0, 2**31 - 1), n=st.integers(2, 6), n_lin=st.integers(0, 3),
       n_quad=st.integers(1, 3))
@settings(max_examples=25, deadline=None)
def test_convex_qcqp_matches_cvxpy(seed, n, n_lin, n_quad):
    """Drawn convex QCQPs: primal-dual agrees with cvxpy (Clarabel) and certifies its KKT point."""
    Q, qv, A, b, P, p, r = _draw_qcqp(seed, n, n_lin, n_quad)

    def g(x):
        return np.concatenate([A @ x - b, 0.5 * np.einsum("i,kij,j->k", x, P, x) + p @ x - r])

    def jac(x):
        return np.vstack([A, P @ x + p])

    tol = 1e-9
    # steps: the Lagrangian Hessian is Q + sum_k mu_k P_k, and the Slater point x = 0 bounds the
    # optimal multipliers, ||mu*||_1 <= (f(0) - min f) / min_j(-g_j(0)) (Nedic & Ozdaglar 2009,
    # Lemma 1); tau = 1 / (2 (L_Q + 2 B max ||P_k||)), sigma = m_Q / ||J(0)||^2
    ev = np.linalg.eigvalsh(Q)
    bound = 0.5 * qv @ np.linalg.solve(Q, qv) / np.concatenate([b, r]).min()
    tau = 0.5 / (ev[-1] + 2 * bound * max(np.linalg.eigvalsh(Pk)[-1] for Pk in P))
    sigma = ev[0] / np.linalg.norm(jac(np.zeros(n)), 2) ** 2
    res = primal_dual(lambda x: 0.5 * x @ Q @ x + qv @ x, g, np.zeros(n),
                      grad=lambda x: Q @ x + qv, jac=jac, step=tau, dual_step=sigma, tol=tol,
                      max_iter=200_000)
    assert res.success and np.all(res.mu >= 0)
    # certificate: KKT residual recomputed independently of the solver's bookkeeping
    kkt = kkt_residual(Q @ res.x + qv, jac_g=jac(res.x), g=g(res.x), mu=res.mu)
    assert kkt <= tol
    x = cp.Variable(n)
    cons = [0.5 * cp.quad_form(x, cp.psd_wrap(Pk)) + pk @ x <= rk
            for Pk, pk, rk in zip(P, p, r, strict=True)]
    if n_lin:
        cons.append(A @ x <= b)
    prob = cp.Problem(cp.Minimize(0.5 * cp.quad_form(x, cp.psd_wrap(Q)) + qv @ x), cons)
    prob.solve(solver="CLARABEL")
    # an inaccurate reference cannot judge the answer (which passed its own KKT certificate
    # above): discard the draw rather than compare against it
    assume(prob.status != cp.OPTIMAL_INACCURATE)
    assert prob.status == cp.OPTIMAL
    np.testing.assert_allclose(res.fun, prob.value, rtol=1e-6, atol=1e-7)
    # Q >= 0.5 I: ||x - x*||^2 <= 4 (f(x) - f*) + O(kkt), so the iterates agree to ~1e-4
    np.testing.assert_allclose(res.x, x.value, rtol=0, atol=2e-4)
