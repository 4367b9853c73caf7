"""Fuzz baselines of ``equilibria.solvers.ot``."""

import numpy as np

from equilibria.solvers import ot
from equilibria.solvers.ot import theorems as T
from tests.fuzz.harness import Case, assert_distribution


def _problem():
    rng = np.random.default_rng(0)
    a = rng.random(5) + 0.1
    b = rng.random(4) + 0.1
    return {"a": a / a.sum(), "b": b / b.sum(), "C": rng.random((5, 4))}


def _plan_ok(res, kw):
    """Plan >= 0 whose L1 marginal error is at most the reported ``marginal_error`` (sinkhorn
    rounds its plan onto U(a, b); the smooth solvers return the iterate itself), which a
    successful run keeps below ``tol``; ``b`` may have been rescaled to the mass of ``a``
    (relative 2e-6 for float32 input)."""
    P = res.plan
    a, b = np.asarray(kw["a"], float), np.asarray(kw["b"], float)
    assert np.all(P >= -1e-12), "negative plan entry"
    err = np.abs(P.sum(1) - a).sum() + np.abs(P.sum(0) - b).sum()
    slack = 4e-6 * b.sum() + 1e-12
    assert err <= res.marginal_error * (1 + 1e-6) + slack, \
        f"plan marginal error {err:.3g} above the reported {res.marginal_error:.3g}"
    tol = float(kw.get("tol", 1e-6))  # the largest default tolerance
    assert res.marginal_error <= tol * (1 + 1e-6) + 1e-12 or "sparse" in res.method, \
        "success reported above the tolerance"


def _init():
    res = ot.sinkhorn(**_problem(), reg=0.1)
    return (res.potentials[0].copy(), res.potentials[1].copy())


def _batch():
    rng = np.random.default_rng(4)
    a = rng.random((2, 4)) + 0.1
    b = rng.random((2, 3)) + 0.1
    return {"a": a / a.sum(1, keepdims=True), "b": b / b.sum(1, keepdims=True),
            "C": rng.random((2, 4, 3))}


def _batch_ok(res, kw):
    P = res.plan
    a, b = np.asarray(kw["a"], float), np.asarray(kw["b"], float)
    assert np.all(P >= -1e-12), "negative plan entry"
    assert np.abs(P.sum(2) - a).sum() + np.abs(P.sum(1) - b).sum() <= 1e-5, \
        "plan misses its marginals"


def _certified(res, kw):
    _plan_ok(res, kw)
    gap = float(np.max(res.duality_gap))
    assert gap >= -1e-6 * (1 + abs(float(np.max(res.objective)))), f"negative gap {gap}"


def _entropy_ok(res, kw):
    k = np.count_nonzero(np.asarray(kw["p"], float))
    assert 0 <= res <= np.log(max(k, 1)) + 1e-12, f"entropy {res} out of range"


def _sample_ok(res, kw):
    a, b, C, reg = res["a"], res["b"], res["C"], res["reg"]
    assert a.ndim == b.ndim == 1 and C.shape == (a.size, b.size), "shapes"
    assert_distribution(a)
    assert_distribution(b)
    assert np.all(np.isfinite(C)) and reg > 0, "cost or reg"


def _sparse_ok(res, kw):
    P = res.plan
    b = np.asarray(kw["b"], float)
    assert np.all(P >= -1e-12), "negative plan entry"
    assert int((P > 0).sum(axis=0).max()) <= kw["max_nz"], "too many nonzeros per column"
    assert np.abs(P.sum(0) - b).sum() <= 4e-6 * b.sum() + 1e-8, "column marginals missed"


def _gap_ok(res, kw):
    assert res >= 0, f"negative bound {res}"
    assert kw["res"].duality_gap <= res + 1e-13, "bound below the measured gap"


def _nonneg_bound(v):
    assert np.isfinite(v) and v >= 0, f"bound {v} must be finite and >= 0"


CASES = [
    Case("equilibria.solvers.ot.sinkhorn", ot.sinkhorn, lambda: {**_problem(), "reg": 0.1},
         check=_certified, allow={"tau": {"inf"}}),  # tau = inf: never absorb (documented)
    Case("equilibria.solvers.ot.sinkhorn", ot.sinkhorn,
         lambda: {**_problem(), "reg": 0.05, "method": "log", "tol": 1e-8, "max_iter": 5000,
                  "init": _init(), "eps_scaling": True, "tau": 1e30, "check_every": 2,
                  "omega": 1.2}, check=_certified, allow={"tau": {"inf"}}),
    Case("equilibria.solvers.ot.sinkhorn", ot.sinkhorn,
         lambda: {**_batch(), "reg": 0.1, "method": "scaling"}, check=_batch_ok),
    Case("equilibria.solvers.ot.sinkhorn", ot.sinkhorn,
         lambda: {**_problem(), "reg": 0.1, "tol": 1e-6, "dtype": "float32"},
         check=_certified, allow={"tau": {"inf"}}),
    Case("equilibria.solvers.ot.exact_ot", ot.exact_ot, _problem, check=_certified),
    Case("equilibria.solvers.ot.smooth_ot", ot.smooth_ot, lambda: {**_problem(), "reg": 0.1},
         check=_plan_ok),
    Case("equilibria.solvers.ot.smooth_ot", ot.smooth_ot,
         lambda: {**_problem(), "reg": 0.2, "regularizer": "entropy",
                  "formulation": "semi_dual", "tol": 1e-6, "max_iter": 500,
                  "init": _init()}, check=_plan_ok),
    Case("equilibria.solvers.ot.sparse_ot", ot.sparse_ot,
         # max_nz = 4 < n = 5: a well-posed instance (at max_nz <= 3 the L-BFGS stop on ftol
         # leaves a plan that moves by 0.1 under a 1e-8 change of `a`: see the report)
         lambda: {**_problem(), "reg": 0.1, "max_nz": 4, "formulation": "semi_dual",
                  "tol": 1e-6, "ftol": 1e-10, "max_iter": 500}, check=_sparse_ok),
    Case("equilibria.solvers.ot.theorems.entropy", T.entropy,
         lambda: {"p": np.array([0.2, 0.3, 0.5])}, check=_entropy_ok),
    Case("equilibria.solvers.ot.theorems.sample_problem", T.sample_problem,
         lambda: {"rng": np.random.default_rng(0), "n": 4, "m": 3, "zero_frac": 0.2,
                  "max_size": 6, "reg": 0.1}, check=_sample_ok),
    Case("equilibria.solvers.ot.theorems.sinkhorn_gap_bound", T.sinkhorn_gap_bound,
         lambda: {**_problem(), "res": ot.sinkhorn(**_problem(), reg=0.1)}, check=_gap_ok),
    Case("equilibria.solvers.ot.theorems.entropic_bias_bound", T.entropic_bias_bound,
         lambda: {"a": _problem()["a"], "b": _problem()["b"], "reg": 0.1},
         check=lambda res, kw: _nonneg_bound(res)),
    Case("equilibria.solvers.ot.theorems.worst_case_bias", T.worst_case_bias,
         lambda: {"n": 4, "reg": 0.05}),
]


def _clouds():
    rng = np.random.default_rng(1)
    return rng.random((5, 2)), rng.random((4, 2))


def _pc_cost_matrix(**kw):
    return ot.PointCloud(*_clouds()).cost_matrix(**kw)


def _geom_cost_matrix(**kw):
    return ot.Geometry(_problem()["C"]).cost_matrix(**kw)


def _pc_plan(**kw):
    return ot.PointCloud(*_clouds()).plan(**kw)


def _pc_plan_args():
    pr = _problem()
    res = ot.sinkhorn(pr["a"], pr["b"], ot.PointCloud(*_clouds()), 0.1)
    return {"res": res, "a": pr["a"], "b": pr["b"], "max_entries": 100}


CASES += [
    Case("equilibria.solvers.ot.Geometry", ot.Geometry, lambda: {"cost_matrix": _problem()["C"]}),
    Case("equilibria.solvers.ot.Geometry.cost_matrix", _geom_cost_matrix,
         lambda: {"max_entries": 100}),
    Case("equilibria.solvers.ot.PointCloud", ot.PointCloud,
         lambda: dict(zip(("x", "y"), _clouds()), cost=1.5)),  # numeric p: a string option
    # would be "corrupted" to the number 3, itself a valid p
    Case("equilibria.solvers.ot.PointCloud.cost_matrix", _pc_cost_matrix,
         lambda: {"max_entries": 100}),
    Case("equilibria.solvers.ot.PointCloud.plan", _pc_plan, _pc_plan_args),
]

EXEMPT = {
    "equilibria.solvers.ot.OTResult": "result record built by the solvers, not an input API",
}
