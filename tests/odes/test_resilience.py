"""Resilience measures for any system: known answers on standard systems.

- 1-D bistable flow x' = x - x^3 (attractors +-1, basin boundary 0): basin stability of +1
  on [-2, 2] is 1/2 and every label is sign(x); the minimal fatal shock from +1 is 1; the first
  return times have a closed form (x(t) = x0 e^t / sqrt(1 - x0^2 + x0^2 e^{2t})).
- x' = -x: recovery from 1 to within 1e-3 of 0 takes ln(1000).
- toggle switch (a = 3, n = 2): the basin boundary is the diagonal, so the minimal fatal shock
  of the high-u state is its distance |u - v| / sqrt(2) to it.

The 1-D flows are one compiled family x' = p0 (x - x^3) - p1 x (parameter points, no
recompilation).
"""

import concurrent.futures as cf
import math

import numpy as np
import pytest

from equilibria._lib.result import ConvergenceWarning
from equilibria._lib.sets import Box
from equilibria.odes import ODE, Grid, Map, find_attractors
from equilibria.odes.resilience import (IN_BASIN, basin_stability, finite_time_basin_stability,
                                        minimal_fatal_shock, recovery_time)


def family_f(x, p):
    return np.array([p[0] * (x[0] - x[0] ** 3) - p[1] * x[0]])


def toggle_f(x, p):
    a, m = p[0], p[1]
    return np.array([a / (1 + x[1] ** m) - x[0], a / (1 + x[0] ** m) - x[1]])


def euler_map_f(x, p):
    return np.array([x[0] + p[0] * (x[0] - x[0] ** 3)])


GRID1 = Grid.box(-5, 5, 201, dim=1)
GRID2 = Grid.box(-1, 5, 121, dim=2)


@pytest.fixture(scope="module")
def bistable():
    return ODE(family_f, ["x"], params={"a": 1.0, "k": 0.0})


@pytest.fixture(scope="module")
def decay(bistable):
    return bistable.with_params(a=0.0, k=1.0)


@pytest.fixture(scope="module")
def toggle():
    return ODE(toggle_f, ["u", "v"], params={"a": 3.0, "n": 2.0})


@pytest.fixture(scope="module")
def toggle_high(toggle):
    res = find_attractors(toggle, GRID2, n=40, seed=0, progress=False)
    return next(a for a in res.attractors if a.location[0] > a.location[1])


@pytest.fixture(scope="module")
def bistable_bs(bistable):
    return basin_stability(bistable, [1.0], Box(-2.0, 2.0, dim=1), n=1000, seed=0, grid=GRID1,
                           progress=False)


def hit_time(x0, tol_abs):
    """Closed-form first return time of x' = x - x^3 to |x - 1| <= tol_abs (x0 > 0)."""
    if abs(x0 - 1.0) <= tol_abs:
        return 0.0
    xt = 1.0 - tol_abs if x0 < 1 else 1.0 + tol_abs
    return 0.5 * math.log(xt ** 2 * (1 - x0 ** 2) / (x0 ** 2 * (1 - xt ** 2)))


# ---------------------------------------------------------------------------------- basin stability
def test_bistable_basin_stability_is_half_and_labels_are_signs(bistable_bs):
    bs = bistable_bs
    assert bs.success and bs.n == 1000
    assert bs.ci[0] <= 0.5 <= bs.ci[1]
    x = bs.samples[:, 0]
    assert np.all(x >= -2) and np.all(x <= 2)
    np.testing.assert_array_equal(bs.outcomes == IN_BASIN, x > 0)
    assert bs.std_error == pytest.approx(math.sqrt(bs.fraction * (1 - bs.fraction) / 1000))
    assert sum(bs.outcome_fractions.values()) == pytest.approx(1.0)
    assert bs.outcome_fractions["other attractor"] == pytest.approx(1 - bs.fraction)


def test_relative_region_and_callable_sampler(bistable):
    # perturbations of x* = 1 in [-2, 2] are states in [-1, 3]: the basin share is 3/4
    rel = basin_stability(bistable, [1.0], Box(-2.0, 2.0, dim=1), n=600, seed=3, grid=GRID1,
                          relative=True, progress=False)
    np.testing.assert_array_equal(rel.outcomes == IN_BASIN, rel.samples[:, 0] > 0)
    assert rel.ci[0] <= 0.75 <= rel.ci[1]
    cal = basin_stability(bistable, [1.0], lambda rng, n: rng.uniform(-1, 3, (n, 1)), n=600,
                          seed=3, grid=GRID1, progress=False)
    assert cal.ci[0] <= 0.75 <= cal.ci[1]


def test_proximity_method_agrees_with_recurrence(bistable, bistable_bs):
    px = basin_stability(bistable, [1.0], Box(-2.0, 2.0, dim=1), n=1000, seed=0,
                         method="proximity", t_end=60.0, progress=False)
    np.testing.assert_array_equal(px.samples, bistable_bs.samples)
    np.testing.assert_array_equal(px.outcomes == IN_BASIN, bistable_bs.outcomes == IN_BASIN)


def test_toggle_basin_stability_by_symmetry(toggle, toggle_high):
    bs = basin_stability(toggle, toggle_high, Box(0.0, 4.0, dim=2), n=800, seed=1, grid=GRID2,
                         progress=False)
    assert bs.success and bs.ci[0] <= 0.5 <= bs.ci[1]
    u, v = bs.samples.T
    far = np.abs(u - v) > 1e-3
    np.testing.assert_array_equal((bs.outcomes == IN_BASIN)[far], (u > v)[far])


def test_serial_and_executor_identical(toggle, toggle_high):
    kw = dict(n=300, seed=5, grid=GRID2, progress=False)
    s = basin_stability(toggle, toggle_high, Box(0.0, 4.0, dim=2), **kw)
    with cf.ThreadPoolExecutor(2) as ex:
        p = basin_stability(toggle, toggle_high, Box(0.0, 4.0, dim=2), executor=ex, **kw)
    np.testing.assert_array_equal(s.outcomes, p.outcomes)
    assert s.fraction == p.fraction


# ---------------------------------------------------------------------------------- finite time
def test_finite_time_basin_stability_closed_form(bistable, bistable_bs):
    ft = finite_time_basin_stability(bistable, [1.0], Box(-2.0, 2.0, dim=1), 30.0, tol=1e-3,
                                     n=1000, seed=0, n_times=3001, progress=False)
    np.testing.assert_array_equal(ft.samples, bistable_bs.samples)
    dt = ft.times[1] - ft.times[0]
    x = ft.samples[:, 0]
    exact = np.array([hit_time(v, ft.tolerance) if v > 0 else np.inf for v in x])
    fin = np.isfinite(exact) & (exact < 29.0)
    assert np.all(np.isfinite(ft.hitting_times[fin]))
    # first grid time at or after the exact return time
    err = ft.hitting_times[fin] - exact[fin]
    assert np.all(err >= -1e-6) and np.all(err <= dt + 1e-6), (err.min(), err.max())
    assert np.all(np.isinf(ft.hitting_times[x < 0]))
    # non-decreasing, increasing at the start, and the basin stability at large T
    assert np.all(np.diff(ft.curve) >= 0)
    vals = [ft.at(T) for T in (1.0, 2.0, 5.0, 10.0)]
    assert all(a < b for a, b in zip(vals, vals[1:], strict=False))
    assert ft.fraction == bistable_bs.fraction


# ---------------------------------------------------------------------------------- fatal shock
def test_bistable_minimal_fatal_shock_is_one(bistable):
    mfs = minimal_fatal_shock(bistable, [1.0], grid=GRID1, max_radius=3.0, bisect_tol=1e-4,
                              progress=False)
    assert mfs.success
    assert 1.0 <= mfs.norm <= 1.0 + 1e-4
    lo, hi = mfs.bracket
    assert lo < 1.0 <= hi and hi - lo <= 1e-4
    np.testing.assert_allclose(mfs.direction, [-1.0])
    assert mfs.reached is not None and mfs.reached.location[0] == pytest.approx(-1.0)


def test_region_constraint_and_no_fatal_shock(bistable):
    # shocked states must stay above 0.2: the boundary 0 is out of reach
    with pytest.warns(ConvergenceWarning, match="no searched direction"):
        none = minimal_fatal_shock(bistable, [1.0], grid=GRID1, max_radius=3.0,
                                   region=Box(0.2, 4.0, dim=1), progress=False)
    assert not none.success and none.norm == math.inf
    with pytest.warns(ConvergenceWarning):
        small = minimal_fatal_shock(bistable, [1.0], grid=GRID1, max_radius=0.5,
                                    progress=False)
    assert small.norm == math.inf
    ok = minimal_fatal_shock(bistable, [1.0], grid=GRID1, max_radius=3.0,
                             region=Box(-0.5, 4.0, dim=1), progress=False)
    assert ok.success and ok.norm == pytest.approx(1.0, abs=1e-4)


def test_toggle_minimal_fatal_shock_is_distance_to_diagonal(toggle, toggle_high):
    u, v = toggle_high.location
    expected = abs(u - v) / math.sqrt(2)  # 1.5811 (golden-ratio fixed point)
    mfs = minimal_fatal_shock(toggle, toggle_high, grid=GRID2, max_radius=3.0,
                              n_directions=32, bisect_tol=1e-4, seed=0, progress=False)
    assert mfs.success
    assert abs(mfs.norm - expected) < 1e-3, (mfs.norm, expected)
    assert mfs.norm >= expected - 1e-9  # an exit can be no closer than the boundary
    xs = mfs.x_shocked
    assert xs[1] > xs[0] and abs(xs[1] - xs[0]) / math.sqrt(2) < 1e-3
    np.testing.assert_allclose(mfs.direction, [-1 / math.sqrt(2), 1 / math.sqrt(2)], atol=0.03)
    assert mfs.reached is not None
    np.testing.assert_allclose(mfs.reached.location, [v, u], atol=1e-6)


# ---------------------------------------------------------------------------------- recovery
def test_recovery_time_linear_decay_is_log(decay):
    rec = recovery_time(decay, [0.0], [1.0], tol=1e-3, t_max=20.0)
    assert rec.success and rec.recovered
    assert rec.recovery_time == pytest.approx(math.log(1e3), abs=1e-7)
    assert rec.threshold == pytest.approx(1e-3)


def test_recovery_time_bistable_closed_form(bistable):
    rec = recovery_time(bistable, [1.0], [0.5], tol=1e-3, t_max=30.0)
    assert rec.recovery_time == pytest.approx(hit_time(0.5, 2e-3), abs=1e-7)
    with pytest.warns(ConvergenceWarning, match="not within"):
        lost = recovery_time(bistable, [1.0], [-0.5], tol=1e-3, t_max=30.0)
    assert not lost.recovered and lost.recovery_time == math.inf


# ---------------------------------------------------------------------------------- maps
def test_map_recovery_counts_iterations():
    m = Map(euler_map_f, ["x"], params={"h": 0.5})  # 1.5 x - 0.5 x^3: +-1 superstable
    rec = recovery_time(m, [1.0], [0.5], tol=1e-3, t_max=50)
    y, k = 0.5, 0
    while abs(y - 1.0) > 2e-3:
        y, k = 1.5 * y - 0.5 * y ** 3, k + 1
    assert rec.recovery_time == k


# ---------------------------------------------------------------------------------- validation
def test_bad_input_names_the_argument(bistable, decay):
    box = Box(-2.0, 2.0, dim=1)
    with pytest.raises(ValueError, match="`attractor`.*unstable"):
        basin_stability(bistable, [0.0], box, grid=GRID1, progress=False)
    with pytest.raises(ValueError, match="`grid`"):
        basin_stability(bistable, [1.0], box, progress=False)
    with pytest.raises(ValueError, match="`method`"):
        basin_stability(bistable, [1.0], box, grid=GRID1, method="magic", progress=False)
    with pytest.raises(ValueError, match="`region`"):
        basin_stability(bistable, [1.0], lambda rng, n: rng.random((n, 2)), grid=GRID1,
                        progress=False)
    with pytest.raises(ValueError, match="`n`"):
        basin_stability(bistable, [1.0], box, n=0, grid=GRID1, progress=False)
    with pytest.raises(ValueError, match="`max_radius`"):
        minimal_fatal_shock(bistable, [1.0], grid=GRID1, max_radius=-1.0, progress=False)
    with pytest.raises(ValueError, match="`bisect_tol`"):
        minimal_fatal_shock(bistable, [1.0], grid=GRID1, max_radius=1.0, bisect_tol=0.0,
                            progress=False)
    with pytest.raises(ValueError, match="`ord`"):
        minimal_fatal_shock(bistable, [1.0], grid=GRID1, max_radius=1.0, ord=3,
                            progress=False)
    with pytest.raises(ValueError, match="`tol`"):
        recovery_time(decay, [0.0], [1.0], tol=0.0)
    with pytest.raises(ValueError, match="`x_star`.*not"):
        recovery_time(bistable, [0.5], [1.0])
    with pytest.raises(ValueError, match="`x_shocked`"):
        recovery_time(decay, [0.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="`t_max`"):
        finite_time_basin_stability(bistable, [1.0], box, -1.0, progress=False)
    with pytest.raises(TypeError, match="`system`"):
        basin_stability(family_f, [1.0], box, grid=GRID1, progress=False)
