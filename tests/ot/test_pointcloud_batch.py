"""PointCloud batch: all problems in one compiled kernel (issue 15 section 2).

Oracle: the single-problem point-cloud solve ``sinkhorn(a[k], b[k], geom, ...)``.  Each problem of
a batch must reproduce it (potentials to 1e-10 relative, cost, n_iter, success, status and the
certificate values), bitwise for the 2-D squared Euclidean cost (the same vectorized loop).
"""

import numpy as np
import pytest

from equilibria._lib.result import Status
from equilibria.solvers.ot import PointCloud, sinkhorn
from equilibria.solvers.ot import _online as ON
from equilibria.solvers.ot import _pc_kernels as PK


def _weights(rng, nb, n, spread=1.0):
    w = rng.random((nb, n)) ** spread + 0.05
    return w / w.sum(1, keepdims=True)


def _problem(seed, nb, n, m, d):
    rng = np.random.default_rng(seed)
    x, y = rng.random((n, d)), rng.random((m, d))
    return x, y, _weights(rng, nb, n), _weights(rng, nb, m)


def _check_equal(r, A, B, geom, reg, exact=False, rtol=1e-10, **kw):
    """Problem k of the batch result ``r`` against its own single solve."""
    singles = []
    for k in range(A.shape[0]):
        o = sinkhorn(A[k], B[k], geom, reg, **kw)
        singles.append(o)
        for pb, ps in zip(r.potentials, o.potentials):
            scale = max(1.0, float(np.abs(ps).max()))
            assert np.abs(pb[k] - ps).max() <= rtol * scale, (k, np.abs(pb[k] - ps).max())
            if exact:
                assert np.array_equal(pb[k], ps)
        assert r.cost[k] == pytest.approx(o.cost, rel=rtol, abs=1e-15)
        assert r.objective[k] == pytest.approx(o.objective, rel=rtol, abs=1e-15)
        assert r.dual_objective[k] == pytest.approx(o.dual_objective, rel=rtol, abs=1e-15)
        # the marginal error is a cancelling sum (mass 1): rounding moves it by ~1e-13 absolute
        assert r.marginal_error[k] == pytest.approx(o.marginal_error, rel=1e-6, abs=1e-12)
        if exact:
            assert r.cost[k] == o.cost and r.marginal_error[k] == o.marginal_error
    outs = ON.sinkhorn_pointcloud_batch(A, B, geom, reg, kw.get("tol", 1e-9),
                                        kw.get("max_iter", 10_000), kw.get("init"),
                                        kw.get("eps_scaling"), kw.get("parallel"),
                                        kw.get("omega", "auto"))
    for o, ob in zip(singles, outs):  # per-problem fields, which the batch result aggregates
        assert ob["n_iter"] == o.n_iter and ob["success"] == o.success
        assert ob["status"] == o.status
        if exact:
            assert ob["message"] == o.message
    assert r.success == all(o.success for o in singles)
    assert r.n_iter == max(o.n_iter for o in singles)
    return singles


def test_sqeuclidean_2d_bitwise():
    x, y, A, B = _problem(0, 5, 60, 45, 2)
    geom = PointCloud(x, y)
    r = sinkhorn(A, B, geom, 0.05, tol=1e-10)
    assert r.success and r.potentials[0].shape == (5, 60) and r.cost.shape == (5,)
    _check_equal(r, A, B, geom, 0.05, exact=True, tol=1e-10)


@pytest.mark.parametrize("d,cost", [(3, "sqeuclidean"), (2, "euclidean"), (2, 1.5), (3, 3.0),
                                    (1, 1.0)])
def test_other_costs(d, cost):
    x, y, A, B = _problem(1, 4, 40, 33, d)
    geom = PointCloud(x, y, cost=cost)
    r = sinkhorn(A, B, geom, 0.05, tol=1e-10)
    assert r.success
    _check_equal(r, A, B, geom, 0.05, tol=1e-10)


def test_unequal_sizes_and_options():
    x, y, A, B = _problem(2, 3, 23, 71, 2)
    geom = PointCloud(x, y)
    for kw in (dict(omega=1.0), dict(omega=1.6), dict(eps_scaling=True), dict(check_every=7),
               dict(eps_scaling=False)):
        r = sinkhorn(A, B, geom, 0.03, tol=1e-9, **kw)
        _check_equal(r, A, B, geom, 0.03, exact=True, tol=1e-9, **kw)


def test_small_reg_ctransform_start_and_eps_scaling_stages():
    # crange / reg > 500: c-transform start and a multi-stage schedule, stages reached at
    # different iterations by different problems
    x, y, A, B = _problem(3, 4, 50, 40, 2)
    A[1] = _weights(np.random.default_rng(9), 1, 50, spread=6.0)[0]
    geom = PointCloud(x, y)
    r = sinkhorn(A, B, geom, 0.002, tol=1e-9)
    _check_equal(r, A, B, geom, 0.002, exact=True, tol=1e-9)
    x3 = np.random.default_rng(4).random((50, 3))
    geom3 = PointCloud(x3, np.random.default_rng(5).random((40, 3)), cost=1.5)
    r3 = sinkhorn(A, B, geom3, 0.002, tol=1e-9)
    _check_equal(r3, A, B, geom3, 0.002, tol=1e-9)


def test_warm_start_per_problem():
    x, y, A, B = _problem(4, 3, 30, 30, 2)
    geom = PointCloud(x, y)
    r0 = sinkhorn(A, B, geom, 0.05, tol=1e-6)
    init = (r0.potentials[0] + 0.01, r0.potentials[1] - 0.01)
    r = sinkhorn(A, B, geom, 0.05, tol=1e-10, init=init)
    outs = ON.sinkhorn_pointcloud_batch(A, B, geom, 0.05, 1e-10, 10_000, init, None, None,
                                        "auto")
    for k in range(3):
        o = sinkhorn(A[k], B[k], geom, 0.05, tol=1e-10, init=(init[0][k], init[1][k]))
        assert outs[k]["n_iter"] == o.n_iter and outs[k]["success"] == o.success
        assert np.array_equal(r.potentials[0][k], o.potentials[0])
        assert np.array_equal(r.potentials[1][k], o.potentials[1])
        assert r.cost[k] == o.cost


def test_zero_weights_shared_and_mixed_supports():
    x, y, A, B = _problem(5, 5, 40, 30, 2)
    A[:, :3] = 0.0  # the same zero pattern everywhere: one batched group
    B[:, -2:] = 0.0
    A /= A.sum(1, keepdims=True)
    B /= B.sum(1, keepdims=True)
    geom = PointCloud(x, y)
    r = sinkhorn(A, B, geom, 0.05, tol=1e-10)
    assert r.success
    _check_equal(r, A, B, geom, 0.05, exact=True, tol=1e-10)
    A[3, 5] = 0.0  # problems 3 and 4 get supports of their own (solved alone)
    A[4, 7] = 0.0
    A /= A.sum(1, keepdims=True)
    r = sinkhorn(A, B, geom, 0.05, tol=1e-10)
    _check_equal(r, A, B, geom, 0.05, exact=True, tol=1e-10)


@pytest.mark.filterwarnings("ignore::equilibria._lib.result.ConvergenceWarning")
def test_one_problem_fails_others_succeed():
    rng = np.random.default_rng(6)
    x, y = rng.random((50, 2)), rng.random((40, 2))
    A = np.vstack([_weights(rng, 3, 50), _weights(rng, 1, 50, spread=8.0)])
    B = _weights(rng, 4, 40)
    geom = PointCloud(x, y)
    its = [sinkhorn(A[k], B[k], geom, 0.02, tol=1e-10).n_iter for k in range(4)]
    budget = (max(its[:3]) + its[3]) // 2
    assert max(its[:3]) <= budget < its[3]
    r = sinkhorn(A, B, geom, 0.02, tol=1e-10, max_iter=budget)
    assert not r.success and r.status == Status.MAX_ITER and "index 3" in r.message
    singles = _check_equal(r, A, B, geom, 0.02, exact=True, tol=1e-10, max_iter=budget)
    assert [o.success for o in singles] == [True, True, True, False]
    assert singles[3].n_iter == budget


def test_serial_and_parallel_identical():
    x, y, A, B = _problem(7, 3, 64, 48, 2)
    geom = PointCloud(x, y)
    rs = sinkhorn(A, B, geom, 0.05, tol=1e-10, parallel=False)
    rp = sinkhorn(A, B, geom, 0.05, tol=1e-10, parallel=True)
    for u, v in zip(rs.potentials, rp.potentials):
        assert np.array_equal(u, v)
    assert np.array_equal(rs.cost, rp.cost)
    rng = np.random.default_rng(8)
    for d, code, p in [(2, 0, 2.0), (3, 0, 2.0), (2, 1, 1.0), (3, 2, 1.5)]:
        X, Y = rng.random((d, 57)), rng.random((d, 83))
        H, S = rng.normal(size=(4, 83)), rng.normal(size=(4, 57))
        inv = np.array([3.0, 30.0, 300.0, 3000.0])
        act = np.array([1, 0, 1, 1], dtype=np.int64)
        o1, o2 = np.full((4, 57), np.nan), np.full((4, 57), np.nan)
        n1 = PK.lse_rows_batch(X, Y, H, S, inv, np.int64(code), p, act, o1)
        n2 = PK.lse_rows_batch_par(X, Y, H, S, inv, np.int64(code), p, act, o2)
        assert n1 == n2 and np.array_equal(o1, o2, equal_nan=True)


def test_kernel_against_single_rows_and_redo_rule():
    rng = np.random.default_rng(10)
    for d, code, p in [(2, 0, 2.0), (3, 0, 2.0), (2, 1, 1.0), (2, 2, 3.0)]:
        X, Y = rng.random((d, 31)), rng.random((d, 45))
        H = rng.normal(size=(3, 45))
        S = rng.normal(size=(3, 31))
        S[1, :5] += 50.0  # shifted sums far above 1e200 at inv = 10: redone rows
        inv = np.array([10.0, 10.0, 0.5])
        act = np.array([1, 1, 1], dtype=np.int64)
        out = np.empty((3, 31))
        nredo = PK.lse_rows_batch(X, Y, H, S, inv, np.int64(code), p, act, out)
        tot = 0
        for k in range(3):
            o = np.empty(31)
            tot += PK.lse_rows(X, Y, H[k], S[k], inv[k], np.int64(code), p, o)
            np.testing.assert_allclose(out[k], o, rtol=1e-13, atol=1e-13)
            if code == 0 and d == 2:
                assert np.array_equal(out[k], o)
        assert nredo == tot >= 5
        act[1] = 0  # inactive problems are left untouched
        out[1] = np.nan
        PK.lse_rows_batch(X, Y, H, S, inv, np.int64(code), p, act, out)
        assert np.isnan(out[1]).all() and np.isfinite(out[[0, 2]]).all()


def test_one_kernel_call_per_half_iteration(monkeypatch):
    x, y, A, B = _problem(11, 4, 30, 20, 2)
    geom = PointCloud(x, y)
    calls = []
    real = PK.lse_rows_batch

    def counting(X, Y, H, S, inv, code, p, active, out):
        calls.append(int(active.sum()))
        return real(X, Y, H, S, inv, code, p, active, out)

    monkeypatch.setattr(PK, "lse_rows_batch", counting)
    r = sinkhorn(A, B, geom, 0.05, tol=1e-10, parallel=False)
    its = sorted(sinkhorn(A[k], B[k], geom, 0.05, tol=1e-10).n_iter for k in range(4))
    assert len(calls) == 2 * r.n_iter == 2 * its[-1]
    # the active mask shrinks as problems converge: problem-sweeps = sum of the n_iter
    assert sum(calls) == 2 * sum(its)


@pytest.mark.filterwarnings("ignore::equilibria._lib.result.ConvergenceWarning")
def test_mutant_shared_potential_is_detected(monkeypatch):
    # a wrong batch kernel that reuses problem 0's H for every problem must fail the checks
    x, y, A, B = _problem(12, 3, 30, 25, 2)
    geom = PointCloud(x, y)
    real = PK.lse_rows_batch

    def mutant(X, Y, H, S, inv, code, p, active, out):
        H0 = np.ascontiguousarray(np.broadcast_to(H[0], H.shape))
        return real(X, Y, H0, S, inv, code, p, active, out)

    monkeypatch.setattr(PK, "lse_rows_batch", mutant)
    r = sinkhorn(A, B, geom, 0.05, tol=1e-10, parallel=False, max_iter=300)
    with pytest.raises(AssertionError):
        _check_equal(r, A, B, geom, 0.05, tol=1e-10, parallel=False, max_iter=300)


def test_input_validation():
    x, y, A, B = _problem(13, 2, 10, 8, 2)
    geom = PointCloud(x, y)
    with pytest.raises(ValueError, match="`a` and `b` must have shapes"):
        ON.sinkhorn_pointcloud_batch(A[0], B, geom, 0.1, 1e-9, 100, None, None, None, "auto")
    with pytest.raises(ValueError, match=r"got \(2, 9\)"):
        ON.sinkhorn_pointcloud_batch(A[:, :9], B, geom, 0.1, 1e-9, 100, None, None, None,
                                     "auto")
