"""sketch="auto" and the sparse / matrix-free path of eal_sketch (issue 15, section 3)."""

import json
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
import scipy.sparse as sps
from scipy.sparse.linalg import aslinearoperator

from equilibria.solvers.constrained import eal_sketch
from equilibria.solvers.constrained._problems import (HS_NUMBERS, hock_schittkowski,
                                                      logistic_problem, pde_problem,
                                                      random_problem)
from equilibria.verification import ConvergenceWarning

TOL = 1e-8


# ---- sketch="auto" ---------------------------------------------------------------------------

@pytest.mark.parametrize("number", HS_NUMBERS)
def test_auto_is_exact_on_small_problems(number):
    """The default picks the exact solve on the collection: the same iterates as 'exact'
    (the Kaczmarz sketches were ~480x slower on HS 26/46/47/49)."""
    p = hock_schittkowski(number)
    auto = eal_sketch(p.f, p.c, p.x0, **p.solve_kwargs(), tol=TOL)
    exact = eal_sketch(p.f, p.c, p.x0, **p.solve_kwargs(), sketch="exact", tol=TOL)
    assert auto.success and exact.success
    assert auto.n_iter == exact.n_iter
    np.testing.assert_array_equal(auto.x, exact.x)
    np.testing.assert_array_equal(auto.sketch_iters, exact.sketch_iters)  # factorizations


def test_auto_differs_from_block():
    """The default is not the old block-Kaczmarz default (the test can fail)."""
    p = pde_problem(10)
    auto = eal_sketch(p.f, p.c, p.x0, **p.solve_kwargs(), tol=TOL)
    block = eal_sketch(p.f, p.c, p.x0, **p.solve_kwargs(), sketch="block", tol=TOL)
    assert auto.sketch_iters.sum() < block.sketch_iters.sum()


def test_minres_on_dense_input_matches_exact():
    p = random_problem(3, 12, 4)
    ref = eal_sketch(p.f, p.c, p.x0, **p.solve_kwargs(), sketch="exact", tol=TOL)
    res = eal_sketch(p.f, p.c, p.x0, **p.solve_kwargs(), sketch="minres", tol=TOL)
    assert ref.success and res.success and res.kkt <= TOL
    np.testing.assert_allclose(res.x, ref.x, rtol=1e-6, atol=1e-7)


# ---- sparse / matrix-free inputs give the dense answer --------------------------------------

def _dense(p):
    return dict(grad=p.grad, jac=lambda x: p.jac(x).toarray(),
                hess=lambda x, lam: p.hess(x, lam).toarray())


@pytest.mark.parametrize("make", [lambda: pde_problem(15, sparse=True),
                                  lambda: logistic_problem(60, 40, 4, sparse=True)])
def test_sparse_inputs_match_dense(make):
    p = make()
    ref = eal_sketch(p.f, p.c, p.x0, **_dense(p), sketch="exact", tol=TOL)
    sp_exact = eal_sketch(p.f, p.c, p.x0, **p.solve_kwargs(), tol=TOL)           # sparse LU
    assert ref.success and sp_exact.success and sp_exact.kkt <= TOL
    np.testing.assert_allclose(sp_exact.x, ref.x, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(sp_exact.lam, ref.lam, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("sketch", ["block", "kaczmarz", "gaussian"])
def test_row_sketches_on_the_sparse_kkt_operator(sketch):
    """The randomized sketches run on rows of the CSR KKT matrix (sparse ``jac`` and
    ``hess``) and reach the dense answer."""
    p = logistic_problem(60, 40, 4, sparse=True)
    ref = eal_sketch(p.f, p.c, p.x0, **_dense(p), sketch="exact", tol=TOL)
    r = eal_sketch(p.f, p.c, p.x0, **p.solve_kwargs(), sketch=sketch, tol=TOL, seed=0)
    assert ref.success and r.success and r.kkt <= TOL
    np.testing.assert_allclose(r.x, ref.x, rtol=1e-6, atol=1e-8)
    assert r.sketch_iters.sum() > r.n_iter           # iterative solves, not one LU each


def test_sparse_block_sketch_matches_its_dense_copy():
    """Same seed, same sketches: block Kaczmarz on the CSR KKT matrix follows the dense one
    to rounding (sketch counts equal)."""
    p = pde_problem(15, sparse=True)
    d = eal_sketch(p.f, p.c, p.x0, **_dense(p), sketch="block", tol=TOL, seed=3)
    s = eal_sketch(p.f, p.c, p.x0, **p.solve_kwargs(), sketch="block", tol=TOL, seed=3)
    assert d.success and s.success
    assert d.n_iter == s.n_iter
    np.testing.assert_array_equal(d.sketch_iters, s.sketch_iters)
    np.testing.assert_allclose(s.x, d.x, rtol=1e-9, atol=1e-11)


_NO_DENSE_CHILD = """
import resource, sys
import numpy as np, scipy.sparse as sps
from equilibria.solvers.constrained.sketch import sketch_solve
N = 30_000
rng = np.random.default_rng(0)
nnz = 6 * N      # (sps.random draws from all N^2 positions: it would itself use 7 GB)
A = sps.csr_matrix((rng.random(nnz), (rng.integers(0, N, nnz), rng.integers(0, N, nnz))),
                   shape=(N, N))
K = (A + A.T + sps.identity(N) * 8.0).tocsr()
b = rng.standard_normal(N)
tol = 1e-6 * np.linalg.norm(b)
for method in ("kaczmarz", "block"):
    z, k, res = sketch_solve(K, b, tol_abs=tol, method=method, seed=0, max_iter=10**7)
    assert res <= tol and np.linalg.norm(K @ z - b) <= tol * (1 + 1e-9), (method, res)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
"""


def test_sparse_row_sketch_never_forms_the_dense_kkt():
    """N = 30,000: a dense copy of K would take 7.2 GB; Kaczmarz and block Kaczmarz on the
    CSR matrix solve it to 1e-6 relative with a peak RSS below 1 GB (fresh process)."""
    out = subprocess.run([sys.executable, "-c", _NO_DENSE_CHILD], capture_output=True,
                         text=True, timeout=600, cwd=os.path.dirname(os.path.dirname(
                             os.path.dirname(os.path.abspath(__file__)))))
    assert out.returncode == 0, out.stderr[-2000:]
    assert int(out.stdout.split()[-1]) < 1e9


def test_hessp_and_linear_operator_match_dense():
    p = logistic_problem(60, 40, 4, sparse=True)
    ref = eal_sketch(p.f, p.c, p.x0, **_dense(p), sketch="exact", tol=TOL)
    mf = eal_sketch(p.f, p.c, p.x0, **p.solve_kwargs(matrix_free=True), tol=TOL)  # MINRES
    op = eal_sketch(p.f, p.c, p.x0, grad=p.grad, jac=p.jac,
                    hess=lambda x, lam: aslinearoperator(p.hess(x, lam)), tol=TOL)
    fd = eal_sketch(p.f, p.c, p.x0, grad=p.grad, jac=p.jac, tol=1e-7)  # FD Hessian-vector
    for r in (mf, op):
        assert r.success and r.kkt <= TOL
        np.testing.assert_allclose(r.x, ref.x, rtol=1e-6, atol=1e-8)
    assert fd.success
    np.testing.assert_allclose(fd.x, ref.x, rtol=1e-5, atol=1e-6)


def test_history_false_keeps_only_ends():
    p = pde_problem(15, sparse=True)
    r = eal_sketch(p.f, p.c, p.x0, **p.solve_kwargs(), tol=TOL, history=False)
    assert r.success and r.n_iter > 1
    assert r.x_history.shape == (2, p.n) and r.directions.shape == (0, p.n + p.m)
    np.testing.assert_array_equal(r.x_history[-1], r.x)


# ---- validation ------------------------------------------------------------------------------

def test_validation_of_sparse_and_matrix_free_inputs():
    p = pde_problem(10, sparse=True)
    base = dict(grad=p.grad)
    with pytest.raises(ValueError, match=r"`jac` must return shape \(10, 20\)"):
        eal_sketch(p.f, p.c, p.x0, **base, jac=lambda x: sps.identity(20, format="csr"),
                   hess=p.hess)
    with pytest.raises(TypeError, match="`jac` must return an array or a scipy.sparse"):
        eal_sketch(p.f, p.c, p.x0, **base, jac=lambda x: aslinearoperator(p.jac(x)),
                   hess=p.hess)
    with pytest.raises(ValueError, match=r"`hessp` must return shape \(20,\)"):
        eal_sketch(p.f, p.c, p.x0, **base, jac=p.jac, hessp=lambda x, lam, v: v[:3])
    with pytest.raises(ValueError, match=r"`hess` must give a Hessian of shape \(20, 20\)"):
        eal_sketch(p.f, p.c, p.x0, **base, jac=p.jac,
                   hess=lambda x, lam: sps.identity(7, format="csr"))
    with pytest.raises(TypeError, match="`hess` must give an array, a scipy.sparse"):
        eal_sketch(p.f, p.c, p.x0, **base, jac=p.jac, hess=lambda x, lam: "H")
    with pytest.raises(ValueError, match="`sketch`='block' needs rows of the KKT matrix"):
        eal_sketch(p.f, p.c, p.x0, **p.solve_kwargs(matrix_free=True), sketch="block")
    with pytest.raises(ValueError, match="`sketch`='exact' on the matrix-free path"):
        eal_sketch(p.f, p.c, p.x0, **p.solve_kwargs(matrix_free=True), sketch="exact")
    with pytest.raises(TypeError, match="`history` must be True or False"):
        eal_sketch(p.f, p.c, p.x0, **p.solve_kwargs(), history=1)
    with pytest.raises(ValueError, match="unknown `sketch`='lu'"):
        eal_sketch(p.f, p.c, p.x0, **p.solve_kwargs(), sketch="lu")


def test_matrix_free_minres_reports_budget_exhaustion():
    """An ill-conditioned KKT operator (fine PDE mesh) with a tiny MINRES budget does not
    report success."""
    p = pde_problem(400, sparse=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        r = eal_sketch(p.f, p.c, p.x0, **p.solve_kwargs(matrix_free=True), tol=1e-10,
                       max_sketch_iter=5, max_iter=5)
    assert not r.success and r.kkt > 1e-10


# ---- no dense n x n on the matrix-free path ----------------------------------------------------

_CHILD = """
import json, resource, time, warnings
from equilibria.solvers.constrained import eal_sketch
from equilibria.solvers.constrained._problems import logistic_problem
p = logistic_problem(200_000, 200_000, 10, sparse=True)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
r = eal_sketch(p.f, p.c, p.x0, **p.solve_kwargs(matrix_free=True), tol=1e-8, history=False)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps(dict(ok=bool(r.success), kkt=r.kkt, grow_mb=(after - before) / 1024,
                      peak_mb=after / 1024)))
"""


def test_matrix_free_path_at_n_200000_has_a_small_footprint():
    """n = 200,000: a dense H would need 320 GB and the dense KKT matrix more; the solve
    must finish with a peak RSS growth far below 1 GB (measured in a subprocess)."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    out = subprocess.run([sys.executable, "-c", _CHILD], capture_output=True, text=True,
                         env=env, timeout=600, cwd="/tmp")
    assert out.returncode == 0, out.stderr[-2000:]
    d = json.loads(out.stdout.strip().splitlines()[-1])
    assert d["ok"] and d["kkt"] <= 1e-8
    assert d["grow_mb"] < 1000, d
