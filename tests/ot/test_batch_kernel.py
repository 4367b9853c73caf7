"""A batch sharing one cost runs in one compiled kernel (issue 15 section 2: "the batched form
runs as one compiled kernel, not a Python loop"): :func:`~equilibria.solvers.ot._kernels.
sinkhorn_sweeps_batch` reads the kernel once per sweep for all problems, and each problem must
follow *exactly* the iterates of its own single solve (same start, sweeps, over-relaxation and
stopping rule), so the batched result is compared bitwise with the loop of single solves."""

import warnings

import numpy as np
import pytest

import equilibria.solvers.ot._sinkhorn as S
from equilibria.solvers.ot import sinkhorn


def _batch(n, m, B, seed=0, zero=False):
    rng = np.random.default_rng(seed)
    x, y = rng.random((n, 2)), rng.random((m, 2))
    C = ((x[:, None] - y[None]) ** 2).sum(-1)
    C /= C.max()
    A = rng.random((B, n)) + 0.1
    Bw = rng.random((B, m)) + 0.1
    if zero:
        A[1, :3] = 0.0
    A *= (2.0 / A.sum(1))[:, None]  # total mass 2: the rescaling is part of what is compared
    Bw *= (2.0 / Bw.sum(1))[:, None]
    return A, Bw, C


def _loop(A, Bw, C, reg, **kw):
    return [sinkhorn(A[k], Bw[k], C, reg, **kw) for k in range(A.shape[0])]


def _same(r, loop):
    for k, o in enumerate(loop):
        assert np.array_equal(r.plan[k], o.plan), k
        assert np.array_equal(r.potentials[0][k], o.potentials[0])
        assert np.array_equal(r.potentials[1][k], o.potentials[1])
        assert r.marginal_error[k] == o.marginal_error
        assert r.cost[k] == o.cost and r.dual_objective[k] == o.dual_objective
    assert r.n_iter == max(o.n_iter for o in loop)
    assert r.success == all(o.success for o in loop)


@pytest.mark.parametrize("method", ["stabilized", "scaling"])
@pytest.mark.parametrize("reg", [0.1, 0.02])
@pytest.mark.parametrize("kw", [{}, {"omega": 1.0}, {"omega": 1.5, "check_every": 3},
                                {"tol": 1e-6}])
def test_shared_batch_is_bitwise_the_loop(method, reg, kw):
    A, Bw, C = _batch(37, 29, 5)  # 37 rows: blocks of 4 and a remainder
    assert S._shared_batch_ok(A, Bw, C, reg, method, None, None, "float64")
    r = sinkhorn(A, Bw, C, reg, method=method, **kw)
    _same(r, _loop(A, Bw, C, reg, method=method, **kw))
    assert r.success


def test_problems_stop_on_their_own_rule():
    A, Bw, C = _batch(40, 40, 4, seed=2)
    A[0] = Bw[0]  # with C symmetric-ish, a different rate per problem
    r = sinkhorn(A, Bw, C, 0.03, omega=1.0)
    loop = _loop(A, Bw, C, 0.03, omega=1.0)
    its = [o.n_iter for o in loop]
    assert len(set(its)) > 1  # the problems do stop at different sweeps
    _same(r, loop)


def test_parallel_batch_is_bitwise_the_parallel_loop():
    A, Bw, C = _batch(64, 48, 3, seed=3)
    r = sinkhorn(A, Bw, C, 0.05, parallel=True)
    _same(r, _loop(A, Bw, C, 0.05, parallel=True))


def test_budget_exhausted_reported_per_problem():
    A, Bw, C = _batch(30, 30, 3, seed=4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = sinkhorn(A, Bw, C, 0.01, tol=1e-12, max_iter=5)
        loop = _loop(A, Bw, C, 0.01, tol=1e-12, max_iter=5)
    assert not r.success and "3/3 problems failed" in r.message
    _same(r, loop)


def test_absorption_falls_back_to_the_single_solve():
    """tau = 10: the scalings leave [1/tau, tau] at once (code 2); the problem is solved again
    by the single stabilized solve (with absorptions), identical to the loop."""
    A, Bw, C = _batch(30, 25, 3, seed=5)
    r = sinkhorn(A, Bw, C, 0.02, tau=10.0)
    loop = _loop(A, Bw, C, 0.02, tau=10.0)
    assert all("absorptions" in o.message for o in loop)
    _same(r, loop)
    assert r.success


@pytest.mark.parametrize("case", ["zero_weight", "per_problem_cost", "init", "small_reg",
                                  "log", "float32"])
def test_other_batches_take_the_loop_and_agree(case):
    A, Bw, C = _batch(30, 30, 3, seed=6, zero=case == "zero_weight")
    kw, reg, Cb = {}, 0.05, C
    if case == "per_problem_cost":
        Cb = np.stack([C, C.T, 0.5 * C])
    if case == "init":
        kw["init"] = (np.zeros((3, 30)), np.zeros((3, 30)))
    if case == "small_reg":
        reg = 1e-3  # cost range / reg > 200: eps-scaling stages, not one shared kernel
    if case == "log":
        kw["method"] = "log"
    if case == "float32":
        kw.update(dtype="float32", tol=1e-6)
    assert not S._shared_batch_ok(A, Bw, Cb, reg, kw.get("method", "stabilized"),
                                  kw.get("init"), None, kw.get("dtype", "float64"))
    r = sinkhorn(A, Bw, Cb, reg, **kw)
    loop = [sinkhorn(A[k], Bw[k], Cb if Cb.ndim == 2 else Cb[k], reg,
                     **{**kw, **({"init": (kw["init"][0][k], kw["init"][1][k])}
                                 if "init" in kw else {})}) for k in range(3)]
    _same(r, loop)
