"""A user's Sinkhorn on ``ot.sinkhorn_gap``, ``ot.weak_duality`` and ``ot.envelope`` (issue 13
§2).

Protocols: :data:`equilibria.solvers.ot.theorems.SINKHORN_PROTOCOL` (plan and potentials; gap
and weak duality) and :data:`~equilibria.solvers.ot.theorems.OT_PROTOCOL` (plan only;
envelope).  Objective, dual value, marginal errors and the gap bound are recomputed from what
the user's solver returns.  The package's :func:`sinkhorn` through the protocols reproduces the
default runs; a plain log-domain Sinkhorn (:func:`numpy_sinkhorn`) passes, and its realistic
mistakes fail:

- ``reg`` read with the wrong scaling (the kernel exp(-C / (2 reg))): the potentials' Gibbs
  iterate misses the marginals (``sinkhorn_gap``) and the plan is not stationary for the true
  objective (``envelope``, error ~0.1 against the allowance ~1e-6);
- one marginal update skipped (only the row update, then rounded): the iterate never meets
  ``tol`` (``sinkhorn_gap``) and the derivative is wrong (``envelope``);
- the rounding skipped (the iterate returned as the plan, columns off by up to ``tol``): the
  plan is infeasible, so its objective certifies nothing (``weak_duality``, ``sinkhorn_gap``).
"""

import warnings

import numpy as np
import pytest

from equilibria.solvers.ot import sinkhorn
from equilibria.solvers.ot.theorems import _user_certificate, sinkhorn_protocol_solver
from equilibria.verification import check, get


def _round(P, a, b):
    """Altschuler, Weed & Rigollet (2017), Alg. 2: onto the plans with marginals a, b."""
    r = P.sum(1)
    P = np.minimum(1.0, a / np.where(r > 0, r, 1.0))[:, None] * P
    c = P.sum(0)
    P = P * np.minimum(1.0, b / np.where(c > 0, c, 1.0))[None]
    er, ec = a - P.sum(1), b - P.sum(0)
    return P + (np.outer(er, ec) / er.sum() if er.sum() > 0 else 0.0)


def _lse(M, w, axis):
    mx = M.max(axis=axis, keepdims=True)
    return (mx + np.log((np.exp(M - mx) * w).sum(axis=axis, keepdims=True))).squeeze(axis)


def numpy_sinkhorn(a, b, C, reg, tol=1e-12, flaw=None, max_iter=3000):
    """Log-domain Sinkhorn on the support of ``a b^T``: column then row update (rows exact),
    stopped at L1 marginal error ``tol``, the iterate rounded; returns ``(plan, f, g)`` with
    the potentials of the standard dual.  ``flaw`` switches one mistake on."""
    ia, jb = a > 0, b > 0
    As, Bs, Cs = a[ia], b[jb], C[np.ix_(ia, jb)]
    r = 2.0 * reg if flaw == "reg_scaling" else reg
    f, g = np.zeros(As.size), np.zeros(Bs.size)
    for _ in range(max_iter):
        if flaw != "rows_only":
            g = -r * _lse((f[:, None] - Cs) / r, As[:, None], 0)
        f = -r * _lse((g[None, :] - Cs) / r, Bs[None, :], 1)
        Q = np.outer(As, Bs) * np.exp((f[:, None] + g[None] - Cs) / r)
        if np.abs(Q.sum(1) - As).sum() + np.abs(Q.sum(0) - Bs).sum() <= tol:
            break
    P = np.zeros(C.shape)
    P[np.ix_(ia, jb)] = Q if flaw == "no_rounding" else _round(Q, As, Bs)
    F, G = np.zeros(a.size), np.zeros(b.size)
    F[ia], G[jb] = f, g
    return P, F, G


def _with_potentials(flaw=None):
    return lambda a, b, C, reg, tol: numpy_sinkhorn(a, b, C, reg, tol=tol, flaw=flaw)


def _plan_only(flaw=None):
    return lambda a, b, C, reg: numpy_sinkhorn(a, b, C, reg, flaw=flaw)[0]


def _own_plan(a, b, C, reg):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sinkhorn(a, b, C, reg, tol=1e-12, max_iter=100_000).plan


OWN = {"ot.sinkhorn_gap": sinkhorn_protocol_solver, "ot.weak_duality": sinkhorn_protocol_solver,
       "ot.envelope": _own_plan}
PLAIN = {"ot.sinkhorn_gap": _with_potentials(), "ot.weak_duality": _with_potentials(),
         "ot.envelope": _plan_only()}


@pytest.mark.parametrize("name", sorted(OWN))
def test_own_solver_through_the_protocol_is_the_default_run(name):
    assert get(name).accepts_algorithm and get(name).protocol
    ref = check(name, seed=0, quick=True)
    via = check(name, seed=0, quick=True, algorithm=OWN[name])
    assert ref.passed and via.passed
    np.testing.assert_allclose(via.measured, ref.measured, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", sorted(PLAIN))
def test_plain_numpy_sinkhorn_passes(name):
    rep = check(name, seed=0, quick=True, algorithm=PLAIN[name])
    assert rep.passed, rep.detail


@pytest.mark.parametrize("name, flaw", [
    ("ot.sinkhorn_gap", "reg_scaling"), ("ot.sinkhorn_gap", "rows_only"),
    ("ot.sinkhorn_gap", "no_rounding"), ("ot.weak_duality", "no_rounding"),
    ("ot.envelope", "reg_scaling"), ("ot.envelope", "rows_only"),
])
def test_wrong_sinkhorn_fails(name, flaw):
    alg = _plan_only(flaw) if name == "ot.envelope" else _with_potentials(flaw)
    rep = check(name, seed=0, quick=True, algorithm=alg)
    assert not rep.passed and rep.error is None and "violated" in rep.detail


def test_certificate_is_recomputed_from_plan_and_potentials():
    rng = np.random.default_rng(2)
    a, b = rng.dirichlet(np.ones(5)), rng.dirichlet(np.ones(4))
    C = rng.random((5, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sinkhorn(a, b, C, 0.1, tol=1e-3)
    primal, dual, err, plan_err, _ = _user_certificate(sinkhorn_protocol_solver, a, b, C, 0.1,
                                                       1e-3)
    assert np.isclose(primal, res.objective, rtol=1e-12)
    assert np.isclose(dual, res.dual_objective, rtol=1e-12)
    assert np.isclose(err, res.marginal_error, rtol=1e-9) and plan_err < 1e-14
    with pytest.raises(ValueError, match=r"expected \(5, 4\)"):
        _user_certificate(lambda a, b, C, reg, tol: (np.ones((4, 5)), a, b), a, b, C, 0.1, 1e-3)
    with pytest.raises(ValueError, match=r"must return \(plan, f, g\)"):
        _user_certificate(lambda a, b, C, reg, tol: np.ones((5, 4)), a, b, C, 0.1, 1e-3)
