"""PointCloud geometry: the online (tiled, cost never stored) Sinkhorn against the dense path.

The dense ``sinkhorn`` on ``geom.cost_matrix()`` is the oracle: same iterations (the same
update rules in the log domain instead of scalings), so the potentials and the cost agree to
rounding at a tight ``tol``.
"""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equilibria._lib.result import ConvergenceWarning, Status
from equilibria.solvers.ot import Geometry, PointCloud, sinkhorn
from equilibria.solvers.ot import _pc_kernels as PK

COSTS = ["sqeuclidean", "euclidean", 1.0, 1.5, 3.0]


def _instance(seed, n, m, d, zero=False):
    rng = np.random.default_rng(seed)
    x, y = rng.random((n, d)), rng.random((m, d))
    a, b = rng.random(n) + 0.1, rng.random(m) + 0.1
    if zero:
        a[0] = 0.0
        b[-1] = 0.0
    return x, y, a / a.sum(), b / b.sum()


def _dense_cost(x, y, cost):
    D = x[:, None, :] - y[None, :, :]
    if cost == "sqeuclidean":
        return (D ** 2).sum(-1)
    if cost == "euclidean":
        return np.sqrt((D ** 2).sum(-1))
    return (np.abs(D) ** cost).sum(-1)


def _close(r1, r2, rtol=1e-8):
    f1, g1 = r1.potentials
    f2, g2 = r2.potentials
    scale = max(1.0, float(np.abs(f1).max()), float(np.abs(g1).max()))
    assert np.abs(f1 - f2).max() <= rtol * scale
    assert np.abs(g1 - g2).max() <= rtol * scale
    assert abs(r1.cost - r2.cost) <= rtol * abs(r1.cost) + 1e-14
    assert abs(r1.objective - r2.objective) <= rtol * max(1.0, abs(r1.objective))
    assert abs(r1.dual_objective - r2.dual_objective) <= rtol * max(1.0, abs(r1.objective))


@pytest.mark.parametrize("cost", COSTS)
def test_matches_dense_path(cost):
    x, y, a, b = _instance(1, 40, 30, 3)
    geom = PointCloud(x, y, cost=cost)
    C = geom.cost_matrix()
    np.testing.assert_allclose(C, _dense_cost(x, y, cost), rtol=1e-13, atol=1e-15)
    dense = sinkhorn(a, b, C, 0.05, tol=1e-12)
    cloud = sinkhorn(a, b, geom, 0.05, tol=1e-12)
    assert dense.success and cloud.success
    assert cloud.plan is None and cloud.method == "pointcloud"
    _close(dense, cloud)
    # the dense plan helper reproduces the dense plan up to the marginal error
    P = geom.plan(cloud, a, b)
    assert np.abs(P - dense.plan).sum() <= 1e-9


def test_zero_weights_and_mass():
    x, y, a, b = _instance(2, 25, 20, 2, zero=True)
    geom = PointCloud(x, y)
    dense = sinkhorn(3 * a, 3 * b, geom.cost_matrix(), 0.1, tol=1e-12)
    cloud = sinkhorn(3 * a, 3 * b, geom, 0.1, tol=1e-12)
    assert dense.success and cloud.success
    _close(dense, cloud)


def test_dense_geometry_is_the_dense_path():
    x, y, a, b = _instance(3, 30, 30, 2)
    C = _dense_cost(x, y, "sqeuclidean")
    r1 = sinkhorn(a, b, C, 0.02)
    r2 = sinkhorn(a, b, Geometry(C), 0.02)
    assert np.array_equal(r1.plan, r2.plan)
    assert np.array_equal(r1.potentials[0], r2.potentials[0])


def test_small_reg_eps_scaling_and_parallel():
    # crange / reg > 500: c-transform start and epsilon-scaling, as on the dense path
    x, y, a, b = _instance(4, 60, 50, 2)
    geom = PointCloud(x, y)
    dense = sinkhorn(a, b, geom.cost_matrix(), 0.002, tol=1e-10)
    ser = sinkhorn(a, b, geom, 0.002, tol=1e-10, parallel=False)
    par = sinkhorn(a, b, geom, 0.002, tol=1e-10, parallel=True)
    assert dense.success and ser.success and par.success
    _close(dense, ser, rtol=1e-7)
    _close(ser, par, rtol=1e-9)


def test_warm_start():
    x, y, a, b = _instance(5, 30, 30, 2)
    geom = PointCloud(x, y)
    r = sinkhorn(a, b, geom, 0.05, tol=1e-10)
    r2 = sinkhorn(a, b, geom, 0.05, tol=1e-10, init=r.potentials)
    assert r2.success and r2.n_iter <= 2
    _close(r, r2, rtol=1e-8)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 30), m=st.integers(1, 30), d=st.integers(1, 4),
       reg=st.floats(0.02, 1.0), cost=st.sampled_from(COSTS), seed=st.integers(0, 2**20))
def test_property_matches_dense(n, m, d, reg, cost, seed):
    x, y, a, b = _instance(seed, n, m, d)
    geom = PointCloud(x, y, cost=cost)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        dense = sinkhorn(a, b, geom.cost_matrix(), reg, tol=1e-11)
        cloud = sinkhorn(a, b, geom, reg, tol=1e-11)
    assert cloud.success == dense.success
    if dense.success:
        _close(dense, cloud, rtol=1e-7)
        # the certificate: weak duality, gap small
        assert -1e-10 <= cloud.duality_gap <= 1e-6 * max(1.0, abs(cloud.objective))
        assert cloud.marginal_error <= 1e-11 * (1 + 1e-6) + 1e-15


def test_certificate_against_the_dense_plan():
    x, y, a, b = _instance(6, 50, 40, 2)
    geom = PointCloud(x, y)
    r = sinkhorn(a, b, geom, 0.01, tol=1e-6)
    assert r.success
    dense = sinkhorn(a, b, geom.cost_matrix(), 0.01, tol=1e-12)
    # the dual value is a lower bound, the objective an upper bound of the optimum
    assert r.dual_objective <= dense.objective + 1e-12
    assert r.objective >= dense.dual_objective - 1e-12
    assert 0.0 <= r.duality_gap + 1e-12


def test_max_iter_reports_failure():
    x, y, a, b = _instance(7, 40, 40, 2)
    with pytest.warns(ConvergenceWarning):
        r = sinkhorn(a, b, PointCloud(x, y), 0.01, tol=1e-9, max_iter=3)
    assert not r.success and r.status == Status.MAX_ITER and r.n_iter == 3
    assert np.isfinite(r.objective) and r.marginal_error > 1e-9


def test_fexp_accuracy():
    t = np.concatenate([np.linspace(-700, 700, 20001), np.linspace(-1, 1, 2001)])
    out = np.empty_like(t)
    _fexp_vec(t, out)
    rel = np.abs(out / np.exp(t) - 1.0)
    assert (rel <= 2e-16 * (4.0 + np.abs(t))).all(), float((rel / (4.0 + np.abs(t))).max())
    assert out[0] > 0.0 and np.all(np.diff(out[:20001]) > 0)


def _fexp_vec(t, out):
    from equilibria._lib.jit import njit

    @njit
    def run(t, out):
        for i in range(t.shape[0]):
            out[i] = PK.fexp(t[i])

    run(t, out)


@pytest.mark.parametrize("bad, match", [
    (dict(x=np.zeros(3)), "`x`"),
    (dict(x=np.zeros((0, 2))), "`x`"),
    (dict(x=np.zeros((3, 2)), y=np.zeros((3, 3))), "`y` must have the dimension d=2"),
    (dict(x=np.array([[0.0, np.nan]])), "`x`"),
    (dict(x=np.zeros((3, 2)), y=np.array([[np.inf, 0.0]])), "`y`"),
    (dict(x=np.zeros((3, 2)), cost="cosine"), "`cost`"),
    (dict(x=np.zeros((3, 2)), cost=0.5), "`cost`"),
])
def test_invalid_inputs(bad, match):
    with pytest.raises(ValueError, match=match):
        PointCloud(**bad)


def test_invalid_use():
    geom = PointCloud(np.zeros((3, 2)), np.ones((4, 2)))
    with pytest.raises(TypeError, match="`cost`"):
        PointCloud(np.zeros((3, 2)), cost=None)
    with pytest.raises(ValueError, match="3 x 4 points"):
        sinkhorn(np.full(4, 0.25), np.full(4, 0.25), geom, 0.1)
    with pytest.raises(ValueError, match="3 x 4 points"):
        sinkhorn(np.full((2, 4), 1 / 4), np.full((2, 4), 0.25), geom, 0.1)
    with pytest.raises(ValueError, match="log domain"):
        sinkhorn(np.full(3, 1 / 3), np.full(4, 0.25), geom, 0.1, method="scaling")
    with pytest.raises(ValueError, match="max_entries=5"):
        geom.cost_matrix(max_entries=5)
    with pytest.raises(ValueError, match="`parallel`"):
        sinkhorn(np.full(3, 1 / 3), np.full(4, 0.25), geom, 0.1, parallel="yes")


def test_pointcloud_batch_is_each_problem_alone():
    rng = np.random.default_rng(8)
    x, y = rng.random((40, 2)), rng.random((30, 2))
    A = rng.random((3, 40)) + 0.1
    A /= A.sum(1, keepdims=True)
    B = rng.random((3, 30)) + 0.1
    B /= B.sum(1, keepdims=True)
    A[2, :4] = 0.0  # a zero weight in one problem only
    A[2] /= A[2].sum()
    geom = PointCloud(x, y)
    r = sinkhorn(A, B, geom, 0.05, tol=1e-8)
    assert r.success and r.plan is None and r.method == "pointcloud"
    assert r.potentials[0].shape == (3, 40) and r.cost.shape == (3,)
    for k in range(3):
        o = sinkhorn(A[k], B[k], geom, 0.05, tol=1e-8)
        assert r.cost[k] == o.cost and r.marginal_error[k] == o.marginal_error
        assert np.array_equal(r.potentials[1][k], o.potentials[1])
        dense = sinkhorn(A[k], B[k], geom.cost_matrix(), 0.05, tol=1e-8)
        assert abs(r.cost[k] - dense.cost) <= 1e-7
    with pytest.raises(ValueError, match="init"):
        sinkhorn(A, B, geom, 0.05, init=(np.zeros(40), np.zeros(30)))
