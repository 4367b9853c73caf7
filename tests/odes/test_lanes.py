"""The lane-batched end-state integrator against the scalar DP5(4) kernel it replaces.

Statuses must be identical, step counts equal but for a rare accept/reject decision flipped by
rounding, end states equal to rounding (stop times to 1e-4), on
every field kind (GLV, replicator, saturating mutualism), with steady-state stops, ``t_min``,
divergence, an exhausted step budget, and more or fewer orbits than lanes.
"""

import numpy as np
import pytest

from equilibria.odes import CoexistenceModel, LVSystem, lv_competition, replicator
from equilibria.odes import _kernels as K
from equilibria.odes import _lanes as LN


def _both(S, X0, t_end, *, rtol=1e-7, atol=1e-9, ftol=1e-6, t_min=0.0, max_iter=100_000,
          bound=1e8, shares=3):
    X0 = np.ascontiguousarray(X0, dtype=float)
    m, n = X0.shape
    args = (S._kind_id, S.r, S.A, S.M, S.q, rtol, atol, 1e-2, max_iter, ftol, t_min)
    Y = np.empty((m, 1, n))
    a = (np.empty(m, np.int64), np.empty(m), np.empty(m, np.int64))
    K._integrate_batch(X0, np.array([t_end]), *args, bound, Y, *a)
    Z = np.empty((m, n))
    b = (np.empty(m, np.int64), np.empty(m), np.empty(m, np.int64))
    LN._integrate_lanes(X0, *args, t_end, bound, LN.lanes_for(n), shares, Z, *b)
    return (Y[:, 0], *a), (Z, *b)


def _agree(scalar, lanes):
    (Y, st, ts, ns), (Z, st2, ts2, ns2) = scalar, lanes
    np.testing.assert_array_equal(st, st2)
    # the same steps; rounding may flip a borderline accept / reject now and then
    assert np.mean(ns == ns2) >= 0.95 and np.all(np.abs(ns - ns2) <= 2)
    np.testing.assert_allclose(Z, Y, rtol=1e-8, atol=1e-10)
    # a steady-state stop time moves with the step sizes (err^(-1/5) of rounded errors)
    np.testing.assert_allclose(ts2, ts, rtol=1e-4, atol=1e-9)


def _systems():
    rng = np.random.default_rng(3)
    lock = CoexistenceModel.preset("lock_in").system
    gov = CoexistenceModel.preset("governed").system
    lv = lv_competition(np.array([1.0, 0.8, 1.2]), np.ones(3),
                        np.array([[1.0, 0.6, 1.3], [1.1, 1.0, 0.4], [0.5, 1.4, 1.0]]))
    rps = replicator(np.array([[0.0, -1.0, 1.2], [1.2, 0.0, -1.0], [-1.0, 1.2, 0.0]]))
    return {"lock_in": (lock, rng.uniform(0, 2.5, (157, lock.n))),
            "governed": (gov, rng.uniform(0, 2.5, (40, gov.n))),
            "lv3": (lv, rng.uniform(0, 2, (65, 3))),
            "replicator": (rps, rng.dirichlet(np.ones(3), 23))}


@pytest.mark.parametrize("name", ["lock_in", "governed", "lv3", "replicator"])
def test_lanes_match_the_scalar_kernel(name):
    S, X0 = _systems()[name]
    _agree(*_both(S, X0, 300.0))
    _agree(*_both(S, X0, 300.0, ftol=0.0, shares=1))            # to t_end, no steady stop
    _agree(*_both(S, X0, 300.0, t_min=50.0, shares=7))          # steady stop only after t_min
    _agree(*_both(S, X0[:3], 300.0, shares=1))                   # fewer orbits than lanes
    scalar, lanes = _both(S, X0, 300.0, max_iter=17)             # budget exhausted
    assert np.all(lanes[1] == 4) and np.all(np.isnan(lanes[0]))
    _agree(scalar, lanes)


def test_lanes_divergence_and_bound():
    # x' = x (1 + x): blows up in finite time from x0 > 0; bound 1e3 stops it as diverged
    S = LVSystem(r=np.array([1.0, 1.0]), A=np.array([[-1.0, 0.0], [0.0, 1.0]]))
    X0 = np.array([[0.5, 0.5], [0.1, 2.0], [1.0, 0.0]])
    scalar, lanes = _both(S, X0, 50.0, bound=1e3)
    _agree(scalar, lanes)
    assert list(lanes[1]) == [2, 2, 1]


def test_simulate_batch_uses_the_lanes_and_keeps_its_answers():
    M = CoexistenceModel.preset("lock_in")
    X0 = np.random.default_rng(0).uniform(0, 2.5, (50, M.n))
    run = M.system.simulate_batch(X0, 300.0)
    scalar, _ = _both(M.system, X0, 300.0, shares=1)
    np.testing.assert_array_equal(run.status, scalar[1])
    np.testing.assert_allclose(run.x, scalar[0], rtol=1e-9, atol=1e-12)
