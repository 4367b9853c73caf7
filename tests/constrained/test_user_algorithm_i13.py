"""constrained.maid_error_bound takes a user's inexact hypergradient (issue 13)."""

import numpy as np
import pytest

from equilibria.solvers.constrained import bilevel as BL
from equilibria.solvers.constrained import bilevel_theorems as T
from equilibria.verification import check

NAME = "constrained.maid_error_bound"
INST = [{"kind": "multi", "seed": 0, "d": 4}, {"kind": "ridge", "seed": 1, "d": 3},
        {"kind": "tv", "seed": 2, "d": 2}]


def package(P, th, eps, delta):
    r = BL.hypergradient(P, th, eps=eps, delta=delta)
    return r.grad, r.x


def _adjoint(P, th, x, sign=-1.0, identity=False):
    H = np.eye(P.dim) if identity else P.lower_hess(x, th)
    q = np.linalg.solve(H, P.upper_grad(x))
    return P.reg * th + sign * P.cross(x, th).T @ q


def test_package_hypergradient_passes():
    out = check(NAME, algorithm=package, quick=True, seed=0)
    assert out.error is None and out.passed, out.summary()
    for inst in INST:
        m, b = T.evaluate_maid_error_bound(inst, algorithm=package)
        assert m <= b


def test_exact_solves_pass_and_are_tighter():
    """x = x*, exact adjoint: h is the exact hypergradient, error 0 (ratio from roundoff)."""
    def exact(P, th, eps, delta):
        x = P.solve_exact(th)
        return _adjoint(P, th, x), x

    for inst in INST:
        m, _ = T.evaluate_maid_error_bound(inst, algorithm=exact)
        assert m <= 1e-3


@pytest.mark.parametrize("wrong", ["sign", "no_adjoint", "few_steps", "stale_x"])
def test_wrong_hypergradients_fail(wrong):
    def alg(P, th, eps, delta):
        if wrong == "sign":        # h = reg theta + B^T q: sign of the implicit term flipped
            x = P.solve_exact(th)
            return _adjoint(P, th, x, sign=+1.0), x
        if wrong == "no_adjoint":  # H^{-1} replaced by the identity (a first-order shortcut)
            x = P.solve_exact(th)
            return _adjoint(P, th, x, identity=True), x
        if wrong == "few_steps":   # five gradient steps regardless of eps (accuracy unmet)
            x = P.x0()
            L = P.constants(th)["L"]
            for _ in range(5):
                x = x - P.lower_grad(x, th) / L
            return _adjoint(P, th, x), x
        x = P.solve_exact(th)      # stale_x: the returned x is not the one h was computed at
        return _adjoint(P, th, x), P.x0()

    out = check(NAME, algorithm=alg, instances=INST, seed=0)
    assert out.error is None and not out.passed, wrong


@pytest.mark.parametrize("ret", [None, "h", (np.zeros(7), np.zeros(4)), (np.zeros(4),),
                                 (np.zeros(4), None)])
def test_malformed_return_names_algorithm(ret):
    out = check(NAME, algorithm=lambda P, th, e, d: ret, instances=INST[:1], seed=0)
    assert out.error is not None and "algorithm" in out.error


def test_not_callable_names_algorithm():
    out = check(NAME, algorithm=3, instances=INST[:1], seed=0)
    assert out.error is not None and "algorithm" in out.error


def test_default_path_unchanged():
    """algorithm=None computes what it computed before (the iterate ratios of MAID)."""
    inst = INST[0]
    P = T._make(inst)
    res = T._run(P, tol=1e-7, max_iter=60)
    r = max(float(np.linalg.norm(h - P.exact_hypergradient(t))) / w
            for t, h, w in zip(res.theta_history, res.grad_history, res.bound_history))
    assert T.evaluate_maid_error_bound(inst) == (r, 1.0)
