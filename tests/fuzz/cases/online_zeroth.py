"""Fuzz baselines of ZO-RankSGD (:mod:`equilibria.solvers.online.zeroth`) and its theorems
(:mod:`equilibria.solvers.online.zeroth_theorems`); merged into the online room's cases.

Invariants: rankings are permutations of the best points and the counters add up; the rank
weights sum to zero with |E| = k(k-1)/2 + k(m-k); estimates are finite with the point's
shape; solver results carry consistent histories and query counts and meet their tolerance
on success; samplers return instances inside the theorems' assumptions; theorem evaluations
stay within bound; the rate experiment's slope lies in its band.
"""

import numpy as np

from equilibria.solvers.online import zeroth as Z
from equilibria.solvers.online import zeroth_theorems as ZT
from tests.fuzz.harness import Case

P = "equilibria.solvers.online."
M = P + "zeroth."
T = P + "zeroth_theorems."


def _sphere(x):
    return float(np.sum(np.asarray(x, dtype=float) ** 2))


def _sphere_grad(x):
    return 2.0 * np.asarray(x, dtype=float)


def _order_ok(res, kw):
    m = np.asarray(kw["points"]).shape[0]
    k = m if kw.get("k") is None else int(kw["k"])
    assert res.shape == (k,) and len(set(res.tolist())) == k and res.min() >= 0 and res.max() < m
    vals = np.array([_sphere(p) for p in np.asarray(kw["points"], dtype=float)])
    assert np.all(np.diff(vals[res]) >= 0), "ranking not sorted by value"


def _weights_ok(res, kw):
    m = int(kw["m"])
    k = m if kw.get("k") is None else int(kw["k"])
    assert res.shape == (m,)
    np.testing.assert_allclose(res.sum(), 0.0, atol=1e-12)
    n_edges = k * (k - 1) / 2 + k * (m - k)
    np.testing.assert_allclose(res[0], -(m - 1) / n_edges, rtol=1e-12)


def _estimate_ok(res, kw):
    assert res.shape == np.asarray(kw["x"]).shape and np.all(np.isfinite(res))


def _solver_ok(res, kw):
    assert res.history.shape == res.queries.shape == (res.n_iter + 1,)
    assert res.step_sizes.shape == (res.n_iter,)
    assert res.n_evals == res.queries[-1]
    if res.success:
        assert res.grad_norm <= float(kw.get("tol", 1e-3)) + 1e-15
    if kw.get("max_queries") is not None:
        assert res.n_evals <= int(kw["max_queries"])


def _fd_ok(res, kw):
    np.testing.assert_allclose(res, _sphere_grad(kw["x"]), rtol=1e-5, atol=1e-5)


def _sample_ok(inst, kw):
    fn = ZT._function(inst)
    d = fn.A.shape[0]
    assert inst["x"].shape == (d,) and inst["mu"] > 0
    if "m" in inst:
        assert 2 <= inst["m"] <= 10 and 1 <= inst["k"] <= inst["m"] and inst["noise"] >= 0
        gm = np.linalg.norm(fn.grad_mu(inst["x"], inst["mu"]))
        assert inst["mu"] * fn.smoothness() * np.sqrt(d) <= 0.05 * gm * 1.01 + 1e-12


def _within(out, kw):
    measured, bound = out[0], out[1]
    assert measured <= bound, f"measured {measured} above bound {bound}"


def _rate_ok(res, kw):
    x, y = np.log(res.sizes), np.log(np.asarray(res.values, dtype=float)).mean(axis=0)
    slope = np.polyfit(x, y, 1)[0]
    assert -0.65 <= slope <= -0.35, f"fitted slope {slope}"


def _testfn_ok(res, kw):
    assert callable(res) and np.isfinite(res(np.zeros(res.A.shape[0])))


def _grad_mu_ok(res, kw):
    assert res.shape == (2,) and np.all(np.isfinite(res))


def _cos_ok(res, kw):
    G, cos, cm = res
    assert G.shape[0] == cos.shape[0] and np.all(np.abs(cos) <= 1 + 1e-12) and abs(cm) <= 1 + 1e-12


def _fn2():
    return ZT.TestFunction(np.diag([1.0, -0.5]), np.array([0.3, 1.0]), np.array([0.2]),
                           np.array([[1.0, 0.5]]))


def _inst_case(name, fn, sample, check, fuzz=None, **kw):
    return Case(name, lambda **k: fn(k), sample, check=check, fuzz=fuzz, **kw)


CASES = [
    Case(P + "ranking_oracle", lambda **kw: Z.ranking_oracle(_sphere, **kw)(
        np.array([[1.0, 0.0], [0.2, 0.1], [2.0, 2.0]])),
        lambda: {"noise": 0.0, "seed": 0},
        check=lambda res, kw: None if res.shape == (3,) else (_ for _ in ()).throw(
            AssertionError("not a permutation"))),
    Case(P + "RankingOracle", lambda **kw: Z.RankingOracle(_sphere, noise=0.0, seed=0)(**kw),
         lambda: {"points": np.array([[1.0, 0.0], [0.2, 0.1], [2.0, 2.0]]), "k": 2},
         check=_order_ok),
    Case(M + "rank_weights", Z.rank_weights, lambda: {"m": 6, "k": 3}, check=_weights_ok),
    Case(P + "rank_gradient_estimate",
         lambda **kw: Z.rank_gradient_estimate(Z.ranking_oracle(_sphere), **kw),
         lambda: {"x": np.array([0.5, -1.0, 0.2]), "m": 4, "mu": 0.05, "k": 3, "seed": 1},
         check=_estimate_ok),
    Case(P + "zo_ranksgd", lambda **kw: Z.zo_ranksgd(_sphere, **kw),
         lambda: {"x0": np.array([1.0, -0.5]), "m": 4, "mu": 1e-3, "lr": 0.5,
                  "line_search": True, "n_search": 6, "gamma": 0.5, "max_iter": 60,
                  "max_queries": 2000, "tol": 1e-2, "grad": _sphere_grad, "noise": 0.0,
                  "seed": 0}, check=_solver_ok, fuzz=("x0", "m", "mu", "lr", "n_search",
                                                      "gamma", "max_iter", "max_queries",
                                                      "tol", "noise")),
    Case(P + "zo_ranksgd", lambda **kw: Z.zo_ranksgd(_sphere, **kw),
         lambda: {"x0": np.array([1.0, -0.5]), "m": 3, "mu": 1e-3, "lr": 0.05,
                  "line_search": False, "max_iter": 40, "tol": 1e-2, "seed": 0},
         check=_solver_ok),
    Case(M + "fd_gradient", lambda **kw: Z.fd_gradient(_sphere, **kw),
         lambda: {"x": np.array([0.5, -1.5]), "h": 1e-6}, check=_fd_ok),
    # --- theorems
    Case(T + "TestFunction", ZT.TestFunction,
         lambda: {"A": np.diag([1.0, -0.5]), "b": np.array([0.3, 1.0]), "c": np.array([0.2]),
                  "W": np.array([[1.0, 0.5]])}, check=_testfn_ok),
    Case(T + "TestFunction.grad_mu", lambda **kw: _fn2().grad_mu(**kw),
         lambda: {"x": np.array([0.4, -0.2]), "mu": 0.3}, check=_grad_mu_ok),
    Case(T + "cosines", lambda **kw: ZT.cosines(_fn2(), **kw),
         lambda: {"x": np.array([0.4, -0.2]), "m": 3, "mu": 0.01, "k": 2, "noise": 0.0,
                  "n_draws": 20, "seed": 0}, check=_cos_ok),
    Case(T + "comparison_estimate", lambda **kw: ZT.comparison_estimate(_sphere, **kw),
         lambda: {"x": np.array([0.5, -1.0]), "mu": 0.1, "seed": 3}, check=_estimate_ok),
    Case(T + "sample_alignment", ZT.sample_alignment,
         lambda: {"rng": np.random.default_rng(0), "d": 3}, check=_sample_ok),
    Case(T + "sample_pairwise", ZT.sample_pairwise,
         lambda: {"rng": np.random.default_rng(0), "d": 3}, check=_sample_ok),
    _inst_case(T + "evaluate_alignment", ZT.evaluate_alignment,
               lambda: ZT.sample_alignment(np.random.default_rng(1), d=3), _within,
               fuzz=("A", "b", "x", "mu", "m", "k", "noise")),
    _inst_case(T + "evaluate_pairwise", ZT.evaluate_pairwise,
               lambda: ZT.sample_pairwise(np.random.default_rng(1), d=3), _within,
               fuzz=("A", "b", "x", "mu")),
    Case(T + "rate_experiment", ZT.rate_experiment,
         lambda: {"rng": np.random.default_rng(0), "quick": True}, check=_rate_ok,
         timeout=60.0),
]

EXEMPT = {
    P + "ZORankResult": "result record built by zo_ranksgd, not an input API",
}
