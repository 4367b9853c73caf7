"""``sinkhorn(..., dtype="float32")`` (issue 15 section 2: "a float32 option that halves the
traffic (accuracy stated)") and the PointCloud options ``tau`` / ``check_every``.

The float32 path stores the kernel (``"log"``: the cost) in float32 but certifies in float64:
the returned plan is rebuilt from the potentials on the float64 cost, so ``success`` means the
float64 marginal error is within ``tol``.  Below the float32 floor it must say so
(``Status.NUMERICAL``), never report a false success.
"""

import warnings

import numpy as np
import pytest

from equilibria._lib.result import Status
from equilibria.solvers.ot import PointCloud, exact_ot, sinkhorn
from equilibria.solvers.ot._sinkhorn import SINKHORN_DTYPES, float32_slack


def _clouds(n, m, seed=0):
    rng = np.random.default_rng(seed)
    x, y = rng.random((n, 2)), rng.random((m, 2))
    C = ((x[:, None] - y[None]) ** 2).sum(-1)
    return x, y, C / C.max()


def _marg(P, a, b):
    return np.abs(P.sum(1) - a).sum() + np.abs(P.sum(0) - b).sum()


@pytest.mark.parametrize("method", ["stabilized", "scaling", "log"])
@pytest.mark.parametrize("reg", [0.05, 0.01])
def test_float32_meets_tol_and_matches_float64(method, reg):
    n, m = 300, 240
    _, _, C = _clouds(n, m)
    rng = np.random.default_rng(1)
    a, b = rng.random(n) + 0.1, rng.random(m) + 0.1
    a, b = a / a.sum(), b / b.sum()
    r32 = sinkhorn(a, b, C, reg, method=method, tol=1e-6, dtype="float32")
    r64 = sinkhorn(a, b, C, reg, method=method, tol=1e-6)
    assert r32.success and r32.status == Status.SUCCESS
    assert r32.plan.dtype == np.float64
    # the certificate is a float64 one: the reported error (of the unrounded float64 plan of
    # the potentials) is within tol, and the returned (rounded) plan has exact marginals
    assert r32.marginal_error <= 1e-6
    assert _marg(r32.plan, a, b) <= 1e-12
    assert abs(r32.n_iter - r64.n_iter) <= max(2, 0.1 * r64.n_iter)
    assert np.abs(r32.plan - r64.plan).sum() <= 5e-6
    assert abs(r32.cost - r64.cost) <= 1e-6 * max(1.0, abs(r64.cost))


@pytest.mark.parametrize("method", ["stabilized", "log"])
def test_float32_below_floor_is_not_a_false_success(method):
    n = 200
    _, _, C = _clouds(n, n, seed=3)
    a = b = np.full(n, 1.0 / n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = sinkhorn(a, b, C, 0.01, method=method, tol=1e-12, dtype="float32")
    assert not r.success
    assert r.status == Status.NUMERICAL
    assert "float64" in r.message
    assert r.marginal_error > 1e-12  # the float64 error of what was returned, truthfully
    assert np.isfinite(r.plan).all()
    # the advice works: warm-started in float64 from the float32 potentials
    r64 = sinkhorn(a, b, C, 0.01, method=method, tol=1e-12, init=r.potentials)
    assert r64.success and r64.marginal_error <= 1e-12


def test_float32_floor_is_near_the_stated_rounding():
    """At tol 1e-6 the plan's error is below tol; the floor (error reached with tol = 0) lies
    within a small multiple of the stated per-entry bound 2.5 * 2^-24, not at float64's."""
    n = 400
    _, _, C = _clouds(n, n, seed=5)
    a = b = np.full(n, 1.0 / n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = sinkhorn(a, b, C, 0.05, tol=1e-14, max_iter=500, dtype="float32")
    slack = float32_slack("stabilized", 0.05, 1.0)
    assert 1e-12 < r.marginal_error <= slack
    assert slack == pytest.approx(2.5 * 2.0 ** -24)
    # log: the slack grows like osc(C) / reg
    assert float32_slack("log", 0.01, 1.0) > float32_slack("log", 0.05, 1.0) > 0


def test_float32_entropic_cost_approaches_exact():
    n = 60
    _, _, C = _clouds(n, n, seed=7)
    a = b = np.full(n, 1.0 / n)
    exact = exact_ot(a, b, C).cost
    r = sinkhorn(a, b, C, 1e-3, tol=1e-6, dtype="float32")
    assert r.success
    # entropic bias bound: 0 <= <C, P_reg> - OT <= reg * log(n m)
    assert -1e-6 <= r.cost - exact <= 1e-3 * np.log(n * n)


def test_float32_batched():
    n = 50
    _, _, C = _clouds(n, n, seed=2)
    rng = np.random.default_rng(0)
    A = rng.random((3, n)) + 0.1
    A /= A.sum(1, keepdims=True)
    B = np.full((3, n), 1.0 / n)
    r = sinkhorn(A, B, C, 0.05, tol=1e-6, dtype=np.float32)
    assert r.success
    for k in range(3):
        assert _marg(r.plan[k], A[k], B[k]) <= 1e-12


@pytest.mark.parametrize("dtype", ["float32", "float64", np.float32, np.float64,
                                   np.dtype("float32")])
def test_dtype_accepts_names_and_types(dtype):
    _, _, C = _clouds(20, 20)
    a = np.full(20, 0.05)
    assert sinkhorn(a, a, C, 0.1, tol=1e-6, dtype=dtype).success


@pytest.mark.parametrize("bad, exc", [("float16", ValueError), ("f4", ValueError),
                                      (np.float16, TypeError), (32, TypeError),
                                      (True, TypeError), (None, TypeError)])
def test_dtype_rejected_with_its_value(bad, exc):
    _, _, C = _clouds(10, 10)
    a = np.full(10, 0.1)
    with pytest.raises(exc, match="dtype"):
        sinkhorn(a, a, C, 0.1, dtype=bad)
    assert SINKHORN_DTYPES == ("float64", "float32")


def test_pointcloud_rejects_dense_only_options():
    x, y, _ = _clouds(30, 20)
    a, b = np.full(30, 1 / 30), np.full(20, 1 / 20)
    pc = PointCloud(x, y)
    with pytest.raises(ValueError, match="tau"):
        sinkhorn(a, b, pc, 0.1, tau=1e3)
    with pytest.raises(ValueError, match="dtype"):
        sinkhorn(a, b, pc, 0.1, dtype="float32")


def test_pointcloud_check_every():
    x, y, C = _clouds(80, 60, seed=4)
    a, b = np.full(80, 1 / 80), np.full(60, 1 / 60)
    pc = PointCloud(x, y)
    r1 = sinkhorn(a, b, pc, 0.05, tol=1e-8, omega=1.0)
    r5 = sinkhorn(a, b, pc, 0.05, tol=1e-8, omega=1.0, check_every=5)
    assert r1.success and r5.success
    # tested only every 5th iteration (or at the budget's end): stops at a multiple of 5,
    # no earlier than the every-iteration rule, fewer than 5 later
    assert r5.n_iter % 5 == 0
    assert r1.n_iter <= r5.n_iter < r1.n_iter + 5
    assert r5.marginal_error <= 1e-8
    with pytest.raises(ValueError, match="check_every"):
        sinkhorn(a, b, pc, 0.05, check_every=0)
