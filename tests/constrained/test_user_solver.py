"""A user's equality-constrained solver on the EAL convergence and order theorems (issue 13 §2).

Protocol :data:`equilibria.solvers.constrained.theorems.EAL_PROTOCOL`: the user's method returns
its iterates and multipliers; the residuals are recomputed from them with the problem's own
derivatives.  The package's :func:`eal_sketch` through the protocol reproduces the default
runs; an exact-Newton method (quadratic order) fails both order theorems and a method stopped
after three iterations fails the convergence theorem with a readable report.
"""

import numpy as np
import pytest

from equilibria.solvers.constrained.theorems import _residuals, eal_protocol_solver
from equilibria.solvers.constrained._problems import random_problem
from equilibria.verification import check, get

NAMES = ("constrained.eal_kkt_to_zero", "constrained.eal_linear_order",
         "constrained.eal_superlinear_order")


def _newton(problem, *, tol, max_iter, seed, sharpen, sketch):
    return eal_protocol_solver(problem, tol=tol, max_iter=max_iter, seed=seed, sharpen=sharpen,
                               sketch="exact")


def _stopped_early(problem, *, tol, max_iter, seed, sharpen, sketch):
    return eal_protocol_solver(problem, tol=tol, max_iter=3, seed=seed, sharpen=sharpen,
                               sketch=sketch)


@pytest.mark.parametrize("name", NAMES)
def test_own_solver_through_the_protocol_is_the_default_run(name):
    assert get(name).accepts_algorithm
    ref = check(name, seed=1, quick=True)
    via = check(name, seed=1, quick=True, algorithm=eal_protocol_solver)
    assert ref.passed and via.passed
    np.testing.assert_allclose(via.measured, ref.measured, rtol=1e-12)


@pytest.mark.parametrize("name", NAMES[1:])
def test_exact_newton_has_the_wrong_order(name):
    rep = check(name, seed=0, quick=True, algorithm=_newton)
    assert not rep.passed and rep.error is None and rep.measured > 1.8


def test_early_stop_fails_readably():
    rep = check(NAMES[0], seed=0, quick=True, algorithm=_stopped_early)
    assert not rep.passed and "violated" in rep.detail
    rep = check(NAMES[1], seed=0, quick=True, algorithm=_stopped_early)
    assert not rep.passed and "did not reach its local phase" in rep.detail


def test_residuals_are_recomputed_and_shapes_checked():
    p = random_problem(3, 5, 2)
    X, LAM = eal_protocol_solver(p, tol=1e-10, max_iter=100, seed=3, sharpen=0.0,
                                 sketch="kaczmarz")
    r2, rinf = _residuals(p, X, LAM)
    assert r2[-1] < 1e-9 and rinf[0] > 1e-3
    with pytest.raises(ValueError, match=r"expected \(T \+ 1, 5\)"):
        _residuals(p, X[:, :3], LAM)
