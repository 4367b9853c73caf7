"""Issue 15 §3: the fill-based ``sketch="auto"`` on sparse Hessians and the block-diagonal
MINRES preconditioner of the sparse / matrix-free path."""

import numpy as np
import pytest
import scipy.sparse as sps
from scipy.sparse.linalg import LinearOperator

from equilibria.solvers.constrained import _large, eal_sketch
from equilibria.solvers.constrained._problems import (hock_schittkowski, logistic_problem,
                                                      pde_problem)

TOL = 1e-8


def _tridiag(n):
    return sps.diags([np.ones(n - 1), 2 * np.ones(n), np.ones(n - 1)], [-1, 0, 1], format="csr")


def test_factor_work_of_a_band_matrix_is_exact():
    # a path graph in RCM order: one entry left of the diagonal per row, W = n - 1
    for n in (5, 50, 500):
        work, nnz = _large.factor_work(_tridiag(n))
        assert work == n - 1
        assert nnz == 3 * n - 2


def test_factor_work_grows_with_fill():
    rng = np.random.default_rng(0)
    n = 400
    band, _ = _large.factor_work(_tridiag(n))
    R = sps.random(n, n, density=0.02, random_state=rng, format="csr")
    dense_ish, nnz = _large.factor_work(R + R.T)
    assert dense_ish > 1000 * band
    assert dense_ish <= n * n * n            # at most the dense work sum_i i^2


def test_auto_picks_lu_for_banded_and_minres_for_high_fill():
    pde = pde_problem(20_000, sparse=True)
    assert _large.auto_exact(pde.hess(pde.x0, np.zeros(pde.m)), pde.jac(pde.x0))
    lg = logistic_problem(3000, 3000, 10, sparse=True)
    assert not _large.auto_exact(lg.hess(lg.x0, np.zeros(lg.m)), lg.jac(lg.x0))


@pytest.mark.parametrize("family,expect", [("pde", "exact"), ("logistic", "minres")])
def test_auto_on_sparse_hessian_solves_and_matches_exact(family, expect):
    p = (pde_problem(2000, sparse=True) if family == "pde"
         else logistic_problem(3000, 3000, 10, sparse=True))
    r = eal_sketch(p.f, p.c, p.x0, **p.solve_kwargs(), tol=TOL)
    assert r.success and r.kkt <= TOL
    assert r.sketch == expect
    ref = eal_sketch(p.f, p.c, p.x0, **p.solve_kwargs(), tol=TOL, sketch="exact")
    assert ref.sketch == "exact"
    np.testing.assert_allclose(r.x, ref.x, atol=1e-6)


def test_result_names_the_solver_on_the_dense_path():
    p = hock_schittkowski(46)
    r = eal_sketch(p.f, p.c, p.x0, **p.solve_kwargs(), tol=TOL)
    assert r.success and r.sketch == "exact"
    r = eal_sketch(p.f, p.c, p.x0, **p.solve_kwargs(), tol=TOL, sketch="block")
    assert r.sketch == "block"


def _diag_system(seed=0, n=300, m=30, spread=3.0):
    rng = np.random.default_rng(seed)
    d = 10.0 ** rng.uniform(-spread, spread, n)          # a badly scaled diagonal Hessian
    H = sps.diags(d, format="csr")
    J = sps.random(m, n, density=0.05, random_state=rng, format="csr") + \
        sps.hstack([sps.identity(m), sps.csr_matrix((m, n - m))], format="csr")
    b = rng.standard_normal(n + m)
    return H, sps.csr_matrix(J), b


def test_preconditioned_minres_needs_three_iterations_when_H_is_diagonal():
    # Murphy, Golub & Wathen (2000): with P = diag(H, J H^-1 J^T) the preconditioned KKT matrix
    # has three eigenvalues, so MINRES stops after (about) three iterations
    H, J, b = _diag_system()
    sysm = _large.KKTSystem(H, J, "minres")
    tol = 1e-9 * np.linalg.norm(b)
    z, its, res = sysm.solve(b, np.zeros(b.size), tol, 2000)
    assert res <= tol
    assert its <= 6
    # the same system without the preconditioner (what a wrong P = I would give) needs far more
    plain = _large.KKTSystem(H, J, "minres")
    plain._cache[("P", 0.0)] = None
    z2, its2, res2 = plain.solve(b, np.zeros(b.size), tol, 2000)
    assert its2 > 10 * its
    np.testing.assert_allclose(z, sps.linalg.spsolve(plain.sparse_kkt("csc"), b), rtol=1e-6,
                               atol=1e-9)


def test_preconditioner_with_a_shift_uses_the_shifted_diagonal():
    H, J, b = _diag_system(1)
    sysm = _large.KKTSystem(H, J, "minres")
    sysm.shift(5.0)
    tol = 1e-9 * np.linalg.norm(b)
    z, its, res = sysm.solve(b, np.zeros(b.size), tol, 2000)
    assert res <= tol and its <= 6
    K = sysm.sparse_kkt("csc")
    np.testing.assert_allclose(K @ z, b, atol=10 * tol)


def test_operator_hessian_diagonal_estimate():
    rng = np.random.default_rng(2)
    d = rng.uniform(0.5, 2.0, 50)
    op = LinearOperator((50, 50), matvec=lambda v: d * v, dtype=float)
    np.testing.assert_allclose(_large.hessian_diagonal(op), d, rtol=1e-14)   # exact: diagonal
    M = np.diag(d)
    np.testing.assert_array_equal(_large.hessian_diagonal(M), d)
    np.testing.assert_array_equal(_large.hessian_diagonal(sps.csr_matrix(M)), d)


def test_indefinite_preconditioner_in_rounding_falls_back(monkeypatch):
    # a P^-1 that is not positive definite makes scipy's MINRES raise; the solve goes on
    # without the preconditioner and still meets the accuracy
    H, J, b = _diag_system(3, spread=0.2)   # well scaled: plain MINRES converges too
    monkeypatch.setattr(_large.BlockPreconditioner, "apply", lambda self, v: -np.asarray(v))
    sysm = _large.KKTSystem(H, J, "minres")
    tol = 1e-8 * np.linalg.norm(b)
    z, its, res = sysm.solve(b, np.zeros(b.size), tol, 5000)
    assert res <= tol
    assert sysm._cache[("P", 0.0)] is None


def test_matrix_free_pde_converges_with_the_preconditioner():
    p = pde_problem(20_000, sparse=True)
    r = eal_sketch(p.f, p.c, p.x0, **p.solve_kwargs(matrix_free=True), tol=TOL)
    assert r.success and r.kkt <= TOL and r.sketch == "minres"
    assert r.n_inexact == 0


def test_lu_is_reused_within_one_newton_step(monkeypatch):
    import scipy.sparse.linalg as spl
    calls = []
    real = spl.splu

    def counting(*a, **k):
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr(spl, "splu", counting)
    H, J, b = _diag_system(4)
    sysm = _large.KKTSystem(H, J, "exact")
    sysm.solve(b, np.zeros(b.size), 1e-6, None)
    sysm.solve(2 * b, np.zeros(b.size), 1e-12, None)
    assert len(calls) == 1
    sysm.shift(1.0)
    z, _, res = sysm.solve(b, np.zeros(b.size), 1e-12, None)
    assert len(calls) == 2
    np.testing.assert_allclose(sysm.sparse_kkt("csc") @ z, b, atol=1e-9)


def test_gram_factor_is_computed_once_per_iterate_and_matches_the_current_jacobian(
        monkeypatch):
    """The ``J J^T`` factor (null-space projections, x0 multipliers, rank check) is built once
    per iterate and is never a stale factor of an earlier ``J`` (the nonlinear constraint
    ``u^3`` makes ``J`` change at every accepted step)."""
    from equilibria.solvers.constrained import eal as E
    p = pde_problem(400, sparse=True)
    calls = {"gram": 0, "checked": 0}
    real_sparse_gram, real_curv = _large.sparse_gram, E._null_space_curvature

    def counting_sparse_gram(J):            # (E._gram of a sparse J calls it)
        calls["gram"] += 1
        return real_sparse_gram(J)

    def checked_curvature(H, J, gram, dx, delta, rows=None):
        if gram is not None:                 # (J J^T) y = J dx for the J of this iterate
            v = J @ dx
            y = E._solve_gram(gram, v)
            assert np.linalg.norm(J @ (J.T @ y) - v) <= 1e-6 * max(1.0, np.linalg.norm(v))
            calls["checked"] += 1
        return real_curv(H, J, gram, dx, delta, rows)

    monkeypatch.setattr(_large, "sparse_gram", counting_sparse_gram)
    monkeypatch.setattr(E, "_null_space_curvature", checked_curvature)
    x0 = np.full(p.n, 0.5)                   # far from the solution: several steps
    r = eal_sketch(p.f, p.c, x0, **p.solve_kwargs(False), tol=TOL, history=False)
    assert r.success and r.n_iter >= 3
    assert calls["checked"] >= r.n_iter
    # one factor at x0 (shared by the multipliers, the rank check and step 1), then one per
    # accepted step (the last iterate is converged: no direction, no factor)
    assert calls["gram"] == r.n_iter


def test_lu_ordering_is_minimum_degree_on_symmetric_structure():
    """Every factorization on the sparse path uses LU_ORDERING; on the structurally symmetric
    augmented system of a random sparse J it fills in less than COLAMD, and the Gram solve
    through it is accurate."""
    from scipy.sparse.linalg import splu
    assert _large.LU_ORDERING == "MMD_AT_PLUS_A"
    rng = np.random.default_rng(3)
    m, n = 600, 2400
    J = sps.csr_matrix(sps.random(m, n, density=5 / n, random_state=rng)
                       + sps.hstack([sps.identity(m), sps.csr_matrix((m, n - m))]))
    A = _large.augmented(J)
    fill = {spec: (lambda lu: lu.L.nnz + lu.U.nnz)(splu(A, permc_spec=spec))
            for spec in ("COLAMD", _large.LU_ORDERING)}
    assert fill[_large.LU_ORDERING] < fill["COLAMD"]
    g = _large.SparseGram(J)
    w = rng.standard_normal(m)
    y = g.solve(w)
    assert np.linalg.norm(J @ (J.T @ y) - w) <= 1e-9 * np.linalg.norm(w)


@pytest.mark.parametrize("family", ["pde", "logistic"])
def test_sparse_path_solves_with_the_minimum_degree_ordering(family):
    p = pde_problem(300, sparse=True) if family == "pde" else \
        logistic_problem(300, 300, 10, sparse=True)
    r = eal_sketch(p.f, p.c, p.x0, **p.solve_kwargs(False), tol=TOL, history=False)
    assert r.success and r.kkt <= TOL
