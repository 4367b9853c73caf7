"""The compiled network simplex of ``exact_ot`` against the HiGHS linear program (the oracle).

Every check of optimality here is recomputed in numpy from the returned plan and potentials
(independent of :func:`equilibria.solvers.ot._exact.certificate`): marginals, dual
feasibility ``f_i + g_j <= C_ij``, complementary slackness on the support of the plan and a
zero duality gap; the optimal cost must match ``method="lp"`` to 1e-9 relative.  Instances
include degenerate ones (integer costs with ties, integer and uniform weights, zero weights,
constant costs, ``n != m``, a single source or target).
"""

import itertools
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equilibria._lib.result import ConvergenceWarning, Status
from equilibria.solvers.ot import _exact as X
from equilibria.solvers.ot import _network_simplex as NS
from equilibria.solvers.ot import exact_ot

RTOL = 1e-9


def _assert_optimal(a, b, C, res, ref_cost=None):
    """Independent numpy certificate of ``res`` (plus agreement with ``ref_cost``)."""
    a = np.asarray(a, float)
    b = np.asarray(b, float) * (np.sum(a) / np.sum(b))
    C = np.asarray(C, float)
    P = res.plan
    f, g = res.potentials
    scale = max(float(np.abs(C).max()), 1e-300)
    tol = 1e-9 * scale + 1e-13 * (np.abs(f).max() + np.abs(g).max())
    mass = a.sum()
    assert res.success and res.status == Status.SUCCESS, res.message
    assert res.method == "network_simplex"
    assert P.shape == C.shape and np.all(P >= 0)
    np.testing.assert_allclose(P.sum(1), a, rtol=0, atol=1e-12 * mass)
    np.testing.assert_allclose(P.sum(0), b, rtol=0, atol=1e-12 * mass)
    R = C - f[:, None] - g[None, :]
    assert R.min() >= -tol, f"dual infeasible: min reduced cost {R.min()}"
    assert np.all(np.abs(R[P > 0]) <= tol), "complementary slackness violated"
    cost = float(np.sum(C * P))
    assert res.cost == pytest.approx(cost, rel=1e-12, abs=1e-15 * scale * mass)
    assert res.dual_objective == pytest.approx(float(a @ f + b @ g), rel=1e-12,
                                               abs=1e-15 * scale * mass)
    assert abs(res.duality_gap) <= 1e-9 * scale * mass
    # a vertex of the transport polytope: at most n + m - 1 positive entries
    assert np.count_nonzero(P) <= C.shape[0] + C.shape[1] - 1
    if ref_cost is not None:
        assert res.cost == pytest.approx(ref_cost, rel=RTOL, abs=RTOL * scale * mass)


def _weights(rng, k, kind):
    if kind == "uniform":
        return np.full(k, 1.0 / k)
    if kind == "integer":
        return rng.integers(1, 4, k).astype(float)
    if kind == "zeros":
        w = rng.random(k)
        w[rng.random(k) < 0.4] = 0.0
        if w.sum() == 0:
            w[0] = 1.0
        return w
    return rng.random(k) + 0.05


def _instance(seed, n, m, wkind, ckind):
    rng = np.random.default_rng(seed)
    a, b = _weights(rng, n, wkind), _weights(rng, m, wkind)
    if wkind == "integer":  # integer masses: rescale b by an integer to keep them integral
        b = b * a.sum() / b.sum()
    else:
        a, b = a / a.sum(), b / b.sum()
    if ckind == "integer":
        C = rng.integers(0, 4, (n, m)).astype(float)  # many ties
    elif ckind == "constant":
        C = np.full((n, m), 2.5)
    elif ckind == "negative":
        C = rng.normal(size=(n, m)) * 10.0
    else:
        x, y = rng.random((n, 2)), rng.random((m, 2))
        C = ((x[:, None, :] - y[None, :, :]) ** 2).sum(-1)
    return a, b, C


CASES = [
    (n, m, w, c)
    for (n, m) in [(1, 1), (1, 7), (6, 1), (5, 5), (8, 13), (17, 9), (30, 30)]
    for w in ["random", "uniform", "integer", "zeros"]
    for c in ["euclid", "integer"]
] + [(9, 12, "random", "constant"), (12, 9, "uniform", "constant"),
     (15, 11, "random", "negative"), (11, 15, "zeros", "negative")]


@pytest.mark.parametrize("n,m,wkind,ckind", CASES)
def test_agrees_with_lp(n, m, wkind, ckind):
    a, b, C = _instance(1000 * n + m, n, m, wkind, ckind)
    lp = exact_ot(a, b, C, method="lp")
    res = exact_ot(a, b, C)
    _assert_optimal(a, b, C, res, lp.cost)


def test_is_the_default_and_lp_is_highs():
    a, b, C = _instance(3, 6, 4, "random", "euclid")
    assert exact_ot(a, b, C).method == "network_simplex"
    assert exact_ot(a, b, C, method="network_simplex").method == "network_simplex"
    assert exact_ot(a, b, C, method="lp").method == "highs"


def test_assignment_bruteforce():
    """Uniform weights on a square problem: the optimum is the best permutation (degenerate:
    n positive entries on a basis of 2n - 1 arcs)."""
    rng = np.random.default_rng(7)
    for _ in range(5):
        C = rng.integers(0, 5, (6, 6)).astype(float)
        best = min(sum(C[i, p[i]] for i in range(6)) for p in itertools.permutations(range(6)))
        w = np.full(6, 1 / 6)
        res = exact_ot(w, w, C)
        _assert_optimal(w, w, C, res, best / 6)


def test_zero_weight_points_get_feasible_potentials():
    """Zero-weight rows/columns are removed before the solve; their potentials must still
    be dual feasible (c-transforms) and the plan zero there."""
    rng = np.random.default_rng(11)
    a = np.array([0.0, 0.3, 0.0, 0.7, 0.0])
    b = np.array([0.5, 0.0, 0.5, 0.0])
    C = rng.random((5, 4)) * 3
    res = exact_ot(a, b, C)
    _assert_optimal(a, b, C, res, exact_ot(a, b, C, method="lp").cost)
    assert np.all(res.plan[[0, 2, 4]] == 0) and np.all(res.plan[:, [1, 3]] == 0)
    f, g = res.potentials
    R = C - f[:, None] - g[None, :]
    # tight: every zero-weight potential is a c-transform (attains equality somewhere)
    assert np.allclose(R[[0, 2, 4]].min(1), 0.0, atol=1e-12)
    assert np.allclose(R[:, [1, 3]].min(0), 0.0, atol=1e-12)


def test_larger_instance_agrees_with_lp():
    a, b, C = _instance(5, 60, 45, "random", "euclid")
    res = exact_ot(a, b, C)
    _assert_optimal(a, b, C, res, exact_ot(a, b, C, method="lp").cost)
    assert res.n_iter > 0


@settings(max_examples=40, derandomize=True, deadline=None)
@given(n=st.integers(1, 12), m=st.integers(1, 12), seed=st.integers(0, 2**31 - 1),
       wkind=st.sampled_from(["random", "uniform", "integer", "zeros"]),
       ckind=st.sampled_from(["euclid", "integer", "negative"]))
def test_property_optimal_and_certified(n, m, seed, wkind, ckind):
    """Any instance: the network simplex is certified optimal and matches HiGHS."""
    a, b, C = _instance(seed, n, m, wkind, ckind)
    res = exact_ot(a, b, C)
    _assert_optimal(a, b, C, res, exact_ot(a, b, C, method="lp").cost)


@settings(max_examples=25, derandomize=True, deadline=None)
@given(n=st.integers(2, 10), m=st.integers(2, 10), seed=st.integers(0, 2**31 - 1),
       shift=st.floats(-50, 50), scale=st.floats(0.01, 100))
def test_property_affine_cost_invariance(n, m, seed, shift, scale):
    """``C -> scale C + shift`` multiplies the cost by ``scale`` and adds ``shift * mass``
    (the plan's optimality is unchanged; a solver that depends on the sign or offset of C
    fails this)."""
    a, b, C = _instance(seed, n, m, "random", "euclid")
    r0 = exact_ot(a, b, C)
    r1 = exact_ot(a, b, scale * C + shift)
    _assert_optimal(a, b, scale * C + shift, r1)
    assert r1.cost == pytest.approx(scale * r0.cost + shift, rel=1e-9,
                                    abs=1e-9 * (abs(shift) + scale))


@pytest.mark.parametrize("max_iter", [0, 1, 3])
def test_budget_exhausted_reports_failure(max_iter):
    a, b, C = _instance(2, 20, 20, "random", "euclid")
    with pytest.warns(ConvergenceWarning, match="max_iter"):
        res = exact_ot(a, b, C, max_iter=max_iter)
    assert not res.success and res.status == Status.MAX_ITER
    assert res.n_iter == max_iter
    assert "increase `max_iter`" in res.message
    full = exact_ot(a, b, C)
    assert full.success and full.n_iter > max_iter


def test_budget_just_enough_succeeds():
    """``max_iter`` equal to the pivots needed succeeds; one fewer does not."""
    a, b, C = _instance(4, 15, 12, "random", "euclid")
    k = exact_ot(a, b, C).n_iter
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        assert exact_ot(a, b, C, max_iter=k).success
    with pytest.warns(ConvergenceWarning):
        assert not exact_ot(a, b, C, max_iter=k - 1).success


def test_success_requires_the_certificate(monkeypatch):
    """A kernel that stops 'optimal' with wrong potentials must not be reported a success."""
    kernel = NS.network_simplex

    def bad(Cf, a, b, max_iter, block, pi, pred, flow):
        out = kernel(Cf, a, b, max_iter, block, pi, pred, flow)
        pi[0] -= 1.0  # f_0 += 1: dual infeasible on row 0
        return out

    monkeypatch.setattr(NS, "network_simplex", bad)
    a, b, C = _instance(6, 5, 4, "random", "euclid")
    with pytest.warns(ConvergenceWarning, match="certificate failed"):
        res = exact_ot(a, b, C)
    assert not res.success and res.status == Status.NUMERICAL


def test_certificate_detects_each_violation():
    a, b, C = _instance(8, 6, 5, "random", "euclid")
    res = exact_ot(a, b, C)
    P, (f, g) = res.plan, res.potentials
    b = b * a.sum() / b.sum()
    assert X.certificate(a, b, C, P, f, g)["ok"]
    f2 = f.copy()
    f2[0] += 0.1  # dual infeasible
    assert not X.certificate(a, b, C, P, f2, g)["checks"]["dual"]
    f3 = f.copy()
    f3[0] -= 0.1  # feasible, but slack on row 0's support
    c3 = X.certificate(a, b, C, P, f3, g)
    assert c3["checks"]["dual"] and not c3["checks"]["slackness"] and not c3["checks"]["gap"]
    P2 = P.copy()
    P2[0, 0] += 1e-3  # marginals broken
    assert not X.certificate(a, b, C, P2, f, g)["checks"]["primal"]


def test_pivot_rule_constants():
    assert NS.block_size(1) == 10 and NS.block_size(400) == 20 and NS.block_size(10**6) == 1000
    assert NS.EPS == pytest.approx(2.220446049250313e-15)


@pytest.mark.parametrize("bad,match", [
    (dict(a=[0.5, 0.6], b=[0.5, 0.5]), "equal total mass"),
    (dict(a=[0.5, -0.5], b=[0.0, 0.0]), "a"),
    (dict(C=np.ones((3, 2))), "shape"),
    (dict(method="simplex"), "method"),
    (dict(max_iter=-1), "max_iter"),
])
def test_bad_input(bad, match):
    kw = dict(a=[0.5, 0.5], b=[0.25, 0.75], C=np.ones((2, 2)))
    kw.update(bad)
    with pytest.raises(ValueError, match=match):
        exact_ot(kw.pop("a"), kw.pop("b"), kw.pop("C"), **kw)


def test_lp_budget_exhausted_reports_failure():
    a, b, C = _instance(9, 6, 6, "random", "euclid")
    with pytest.warns(ConvergenceWarning, match="max_iter"):
        res = exact_ot(a, b, C, method="lp", max_iter=1)
    assert not res.success and res.status == Status.MAX_ITER


def test_documented_start_cheapest_arc_into_each_demand_node():
    """LEMON's start: the first pivot is the cheapest arc into the first demand node (it moves
    ``min(a_i, b_0)``); a block-search first pivot would take row 0's cheapest arc."""
    a, b, C = _instance(12, 12, 12, "random", "euclid")
    i0 = int(np.argmin(C[:, 0]))
    assert i0 != 0 and int(np.argmin(C[0])) != 0  # the two starts differ on this instance
    with pytest.warns(ConvergenceWarning):
        res = exact_ot(a, b, C, max_iter=1)
    nz = np.argwhere(res.plan > 0)
    assert nz.tolist() == [[i0, 0]]
    assert res.plan[i0, 0] == pytest.approx(min(a[i0], b[0]), rel=1e-15)
