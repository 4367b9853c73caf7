"""Derived systems: stroboscopic maps, Poincaré maps and projections, through every machine.

Known answers and independent references: the forced Duffing map against
``solve_ivp(DOP853, rtol=1e-12)`` over one period and its Jacobian determinant
``exp(-delta T)`` (Liouville); the van der Pol period 6.663286859323 and Floquet multiplier
``exp(int mu (1 - x^2) dt)``; the Rössler largest exponent 0.0714 per unit time (Sprott 2003,
App. A) as the Poincaré map's exponent per return over the mean return time; the forced damped
pendulum of Daza et al. (2016) with >= 2 attractors whose points are re-checked by DOP853; the
coordination replicator projected on the simplex with the full system's attractors and labels.
"""

import concurrent.futures as cf
import warnings

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from equilibria._lib.result import ConvergenceWarning
from equilibria.odes import (ODE, Grid, IntegratorOptions, RecurrenceOptions, Simplex,
                             basins_fractions, basins_of_attraction, find_attractors)
from equilibria.odes.derived import PoincareMap, ProjectedSystem, StroboscopicMap

VDP_PERIOD = 6.663286859323130  # mu = 1 (e.g. Strogatz 1994, Ex. 7.5; many digits known)
ROSSLER_LAMBDA1 = 0.0714  # a = b = 0.2, c = 5.7, per unit time (Sprott 2003, App. A)
#: Duffing x'' + 0.25 x' - x + x^3 = 0.3 cos t (Ueda / Guckenheimer-Holmes parameters)
FORCED_PARAMS = {"d": 0.25, "a": 0.0, "b": 1.0, "c": 1.0, "F": 0.3, "omega": 1.0}


def forced_f(x, p, t):
    """x'' + d x' + a sin(x) - b x + c x^3 = F cos(omega t): Duffing (a=0, b=c=1) and the
    forced damped pendulum (a=1, b=c=0) with one compiled map."""
    d, a, b, c, F, w = p[0], p[1], p[2], p[3], p[4], p[5]
    return np.array([x[1], -d * x[1] - a * np.sin(x[0]) + b * x[0] - c * x[0] ** 3
                     + F * np.cos(w * t)])


def vdp_f(x, p):
    return np.array([x[1], p[0] * (1 - x[0] ** 2) * x[1] - x[0]])


def rossler_f(x, p):
    return np.array([-x[1] - x[2], x[0] + p[0] * x[1], p[1] + x[2] * (x[0] - p[2])])


def rossler_jac(x, p):
    return np.array([[0.0, -1.0, -1.0], [1.0, p[0], 0.0], [x[2], 0.0, x[0] - p[2]]])


def coordination_f(x, p):
    f = np.array([p[0] * x[0], p[1] * x[1], p[2] * x[2]])
    return x * (f - x @ f)


@pytest.fixture(scope="module")
def forced():
    # the angle wrap is the identity on the Duffing orbits used here (|x| < pi)
    return StroboscopicMap(forced_f, ["x", "v"], 2 * np.pi,
                           params=FORCED_PARAMS,
                           wrap={"x": (-np.pi, np.pi)},
                           options=IntegratorOptions(rtol=1e-9, atol=1e-11))


@pytest.fixture(scope="module")
def duffing(forced):
    return forced


@pytest.fixture(scope="module")
def pendulum(forced):
    return forced.with_params(d=0.2, a=1.0, b=0.0, c=0.0, F=1.66)


@pytest.fixture(scope="module")
def vdp():
    return ODE(vdp_f, ["x", "y"], params={"mu": 1.0})


@pytest.fixture(scope="module")
def vdp_map(vdp):
    return PoincareMap(vdp, ("y", 0.0), direction=+1,
                       options=IntegratorOptions(rtol=1e-10, atol=1e-12))


@pytest.fixture(scope="module")
def rossler_map():
    ode = ODE(rossler_f, ["x", "y", "z"], params={"a": 0.2, "b": 0.2, "c": 5.7}, jac=rossler_jac)
    return PoincareMap(ode, ("x", 0.0), direction=+1)


# ------------------------------------------------------------------------- stroboscopic
def test_duffing_map_and_monodromy_match_dop853_and_liouville(duffing):
    p = duffing.p
    rng = np.random.default_rng(0)
    for x0 in rng.uniform(-1.5, 1.5, (4, 2)):
        ref = solve_ivp(lambda t, x: forced_f(x, p, t), (0, 2 * np.pi), x0, method="DOP853",
                        rtol=1e-12, atol=1e-14).y[:, -1]
        assert np.max(np.abs(duffing.rhs(x0) - ref)) < 1e-8, x0
    # three iterates = three periods of one run (the clock restarts at t0 each period)
    x0 = np.array([0.3, -0.2])
    tr = duffing.trajectory(x0, 3)
    ref = solve_ivp(lambda t, x: forced_f(x, p, t), (0, 6 * np.pi), x0, method="DOP853",
                    rtol=1e-12, atol=1e-14, t_eval=[2 * np.pi, 4 * np.pi, 6 * np.pi]).y.T
    assert tr.success and np.max(np.abs(tr.y[1:] - ref)) < 1e-7
    # the period is a parameter: half a period is integrated after with_params(period=pi)
    half = duffing.with_params(period=np.pi)
    ref = solve_ivp(lambda t, x: forced_f(x, p, t), (0, np.pi), x0, method="DOP853",
                    rtol=1e-12, atol=1e-14).y[:, -1]
    assert np.max(np.abs(half.rhs(x0) - ref)) < 1e-8
    # the Jacobian is the monodromy matrix
    x0 = np.array([0.5, -0.3])
    J = duffing.jacobian(x0)
    h = 1e-5
    Jfd = np.column_stack([(duffing.rhs(x0 + h * e) - duffing.rhs(x0 - h * e)) / (2 * h)
                           for e in np.eye(2)])
    assert np.max(np.abs(J - Jfd)) < 1e-6
    # Liouville: the field's divergence is -delta, so det J = exp(-delta T)
    assert abs(np.linalg.det(J) - np.exp(-0.25 * 2 * np.pi)) < 1e-7


def test_forced_pendulum_basins_have_several_attractors(pendulum):
    n = 20
    w = 2 * np.pi / n
    grid = Grid(np.linspace(-np.pi + w / 2, np.pi - w / 2, n), np.linspace(-4, 4, n))
    res = basins_of_attraction(pendulum, grid, progress=False,
                               recurrence=RecurrenceOptions(max_steps=5000))
    assert res.success and len(res.attractors) >= 2, res.message
    assert res.fractions["unresolved"] == 0 and res.fractions["diverged"] == 0
    assert res.basins.shape == (n, n)
    p = pendulum.p
    for a in res.attractors:
        assert a.kind in ("fixed point", "periodic orbit"), a
        k = 1 if a.kind == "fixed point" else int(a.period)
        x0 = a.location if a.kind == "fixed point" else a.points[-1]
        y = solve_ivp(lambda t, x: forced_f(x, p, t), (0, 2 * np.pi * k), x0,
                      method="DOP853", rtol=1e-11, atol=1e-12).y[:, -1]
        dtheta = (y[0] - x0[0] + np.pi) % (2 * np.pi) - np.pi
        assert abs(dtheta) < 1e-5 and abs(y[1] - x0[1]) < 1e-5, (a, y, x0)
        assert a.kind != "fixed point" or a.stable


def test_recurrence_machine_relabels_foreign_basin_cells_when_locating(pendulum):
    """Regression: on a 40 x 40 grid a cell of a not-yet-found attractor had been labelled the
    basin of another one; left so, later orbits on the new attractor alternated between the two
    labels and 442 of 1600 stayed unresolved after 3000 steps.  Locating an attractor now takes
    over such cells."""
    n = 40
    w = 2 * np.pi / n
    grid = Grid(np.linspace(-np.pi + w / 2, np.pi - w / 2, n), np.linspace(-4, 4, n))
    res = basins_of_attraction(pendulum, grid, progress=False,
                               recurrence=RecurrenceOptions(max_steps=3000))
    assert res.fractions["unresolved"] == 0, res.message


# ------------------------------------------------------------------------- Poincaré
def test_van_der_pol_return_time_is_the_period(vdp_map):
    c = vdp_map.crossings([2.0, 0.0], 12)
    assert c.success and c.points.shape == (12, 2)
    assert np.all(np.abs(c.distances) <= vdp_map.rootfind_tol)
    assert np.all(c.points[:, 0] < 0)  # y increases through 0 where x < 0
    assert abs(c.return_times[-1] - VDP_PERIOD) < 1e-6
    assert np.all(np.abs(c.return_times[2:] - VDP_PERIOD) < 1e-3)  # no crossing found twice

    def ev(t, x):
        return x[1]
    ev.direction = 1
    sol = solve_ivp(lambda t, x: vdp_f(x, [1.0]), (0, 80), [2.0, 0.0], method="DOP853",
                    rtol=1e-12, atol=1e-12, events=ev)
    t_ev = sol.t_events[0]
    assert abs(np.diff(t_ev)[-1] - c.return_times[-1]) < 1e-6
    assert abs(c.times[0] - t_ev[0]) < 1e-7
    assert np.max(np.abs(c.points[-1] - sol.y_events[0][-1])) < 1e-7
    # parameters change without recompiling: mu = 2 against its own DOP853 event times
    sol2 = solve_ivp(lambda t, x: vdp_f(x, [2.0]), (0, 80), [2.0, 0.0], method="DOP853",
                     rtol=1e-12, atol=1e-12, events=ev)
    c2 = vdp_map.with_params(mu=2.0).crossings([2.0, 0.0], 8)
    assert abs(c2.return_times[-1] - np.diff(sol2.t_events[0])[-1]) < 1e-6
    X, st = vdp_map.end_states([[2.0, 0.0], [0.5, 0.5]], 3)
    assert np.all(st == 0) and np.allclose(X[0], c.points[2], atol=1e-12)
    # an orbit that never crosses (the equilibrium) fails loudly
    with pytest.warns(ConvergenceWarning, match="no crossing"):
        c0 = vdp_map.crossings([0.0, 0.0], 2)
    assert not c0.success and c0.points.shape == (0, 2)
    assert np.all(np.isnan(vdp_map.rhs([0.0, 0.0])))


def test_van_der_pol_cycle_is_a_stable_fixed_point_with_its_floquet_multiplier(vdp_map):
    grid = Grid.box(-3, 3, 31, dim=2)
    res = find_attractors(vdp_map, grid, n=40, seed=1, progress=False)
    assert res.success and len(res.attractors) == 1, res.message
    a = res.attractors[0]
    assert a.kind == "fixed point" and a.stable
    x_star = a.location
    assert abs(x_star[1]) < 1e-10 and abs(x_star[0] + 2.00861986) < 1e-6
    # nontrivial multiplier exp(int_0^T div f dt); the flow direction is mapped to 0
    aug = solve_ivp(lambda t, z: [*vdp_f(z[:2], [1.0]), 1.0 - z[0] ** 2], (0, VDP_PERIOD),
                    [*x_star, 0.0], method="DOP853", rtol=1e-12, atol=1e-12).y[:, -1]
    ev = np.sort(np.abs(a.eigenvalues))
    assert ev[0] < 1e-6
    assert abs(ev[1] / np.exp(aug[2]) - 1) < 1e-4, (ev, np.exp(aug[2]))
    # identical results with chunks run by an executor
    X0 = res.initial_conditions[:6]
    serial = find_attractors(vdp_map, grid, X0, chunks=2, progress=False)
    with cf.ThreadPoolExecutor(2) as ex:
        par = find_attractors(vdp_map, grid, X0, chunks=2, executor=ex, progress=False)
    assert np.array_equal(serial.labels, par.labels)
    assert np.allclose(serial.attractors[0].location, par.attractors[0].location, atol=1e-12)

    # projected on x (the section y = 0 keeps x): the reduced 1-D section map
    sec = ProjectedSystem(vdp_map, ["x"], complete=[0.0])  # the section y = 0 keeps x
    assert sec.kind == "map" and sec.dim == 1 and sec.state_names == ("x",)
    assert np.array_equal(sec.rhs([-1.0]), vdp_map.rhs([-1.0, 0.0])[:1])
    J = sec.jacobian([-1.0])
    assert np.allclose(J, vdp_map.jacobian([-1.0, 0.0])[:1, :1], atol=1e-12)
    # the cycle is the reduced map's stable fixed point, its multiplier the Floquet one
    res = find_attractors(sec, Grid.box(-3, 0, 31, dim=1), n=10, seed=0, progress=False)
    a = res.attractors[0]
    assert len(res.attractors) == 1 and a.kind == "fixed point" and a.stable
    assert abs(a.location[0] + 2.00861986) < 1e-6 and abs(a.eigenvalues[0]) < 1e-3


def test_rossler_section_is_chaotic_with_the_flow_exponent(rossler_map):
    c = rossler_map.crossings([0.0, -5.0, 0.03], 400)
    assert c.success and np.all(np.abs(c.distances) <= 1e-12)
    # every return goes once around (no crossing found twice): 4.8 to 6.5
    assert np.min(c.return_times[1:]) > 4.0
    tau = float(np.mean(c.return_times[50:]))
    grid = Grid(np.linspace(-1, 1, 3), np.linspace(-11, -2.5, 35), np.linspace(0.026, 0.036, 6))
    X0 = np.array([[0.0, -5.0, 0.03], [0.0, -8.0, 0.03], [0.5, -4.0, 0.03]])
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        res = find_attractors(rossler_map, grid, X0, progress=False)
    assert len(res.attractors) == 1 and np.all(res.labels == 1), res.message
    a = res.attractors[0]
    assert a.kind == "chaotic" and a.lyapunov > 0.2
    # exponent per return = flow exponent x mean return time
    assert abs(a.lyapunov / tau - ROSSLER_LAMBDA1) < 0.006, (a.lyapunov, tau)


# ------------------------------------------------------------------------- projection
def test_projected_replicator_has_the_full_systems_attractors():
    full = ODE(coordination_f, ["x1", "x2", "x3"], params={"a1": 1.0, "a2": 2.0, "a3": 3.0},
               x0=[0.2, 0.3, 0.5])
    proj = ProjectedSystem(full, ["x1", "x2"],
                           complete=lambda y: np.array([y[0], y[1], 1.0 - y[0] - y[1]]))
    X = Simplex(3).sample(np.random.default_rng(0), 200, 3)
    rf = basins_fractions(full, Grid.box(0, 1, 21, dim=3), sampler=lambda r, n: X, n=200,
                          progress=False)
    rp = basins_fractions(proj, Grid.box(0, 1, 21, dim=2), sampler=lambda r, n: X[:, :2],
                          n=200, progress=False)
    assert rf.success and rp.success and len(rf.attractors) == len(rp.attractors) == 3
    for af, ap in zip(rf.attractors, rp.attractors, strict=True):
        assert ap.kind == af.kind == "fixed point" and ap.stable and af.stable
        assert np.allclose(ap.location, af.location[:2], atol=1e-8)
        # the reduced spectrum is the full one without the direction transverse to the simplex
        assert all(np.min(np.abs(af.eigenvalues - e)) < 1e-5 for e in ap.eigenvalues)
    assert np.mean(rf.labels == rp.labels) >= 0.99
    # vertices (strict Nash equilibria of the coordination game) have the same shares
    assert rp.fractions == pytest.approx(rf.fractions, abs=0.01)

    # the full system runs: with the hidden x3 fixed at 0.1 only initially, the orbit of
    # (0.45, 0.45) reaches the vertex e2 = (0, 1, 0) (re-completing x3 = 0.1 at every step
    # would stop it at x2 = 0.9)
    off = ProjectedSystem(full, [0, 1], complete=[0.1])
    tr = off.trajectory([0.45, 0.45], 30.0, t_eval=np.linspace(0, 30, 31))
    ref = full.trajectory([0.45, 0.45, 0.1], 30.0, t_eval=np.linspace(0, 30, 31))
    assert np.array_equal(tr.y, ref.y[:, :2]) and abs(tr.y[-1, 1] - 1) < 1e-6
    res = find_attractors(off, Grid.box(0, 1, 21, dim=2), [[0.45, 0.45]], progress=False)
    pts = res.attractors[0].points
    assert np.allclose(pts[-1], [0.0, 1.0], atol=1e-6)


# ------------------------------------------------------------------------- validation
def test_constructors_validate_their_arguments(vdp, vdp_map):
    with pytest.raises(TypeError, match="flow"):
        PoincareMap(vdp_map, ("x", 0.0))
    with pytest.raises(TypeError, match="must be an ODE or a Map"):
        ProjectedSystem(np.eye(2), [0], complete=[0.0])
    with pytest.raises(ValueError, match="direction"):
        PoincareMap(vdp, ("y", 0.0), direction=0)
    with pytest.raises(ValueError, match="zero normal"):
        PoincareMap(vdp, ([0.0, 0.0], 1.0))
    with pytest.raises(ValueError, match="plane"):
        PoincareMap(vdp, [1.0, 2.0])
    with pytest.raises(ValueError, match="unknown coordinate"):
        PoincareMap(vdp, ("w", 0.0))
    with pytest.raises(ValueError, match="t_max"):
        PoincareMap(vdp, ("y", 0.0), t_max=-1.0)
    with pytest.raises(ValueError, match="distinct"):
        ProjectedSystem(vdp, [0, 0], complete=[])
    with pytest.raises(ValueError, match="coordinate index"):
        ProjectedSystem(vdp, [2], complete=[0.0])
    with pytest.raises(ValueError, match="hidden coordinates"):
        ProjectedSystem(vdp, [0], complete=[0.0, 1.0])
    with pytest.raises(ValueError, match="keep the projected"):
        ProjectedSystem(vdp, [0], complete=lambda y: np.array([y[0] + 1.0, 0.0]))
    with pytest.raises(TypeError, match="already a ProjectedSystem"):
        ProjectedSystem(ProjectedSystem(vdp, [0], complete=[0.0]), [0], complete=[])
    with pytest.raises(ValueError, match="period"):
        StroboscopicMap(forced_f, 2, 0.0, params=FORCED_PARAMS)
    with pytest.raises(ValueError, match="unknown parameter"):
        StroboscopicMap(forced_f, 2, "T", params=FORCED_PARAMS)
    with pytest.raises(TypeError, match=r"\(x, p, t\)"):
        StroboscopicMap(vdp_f, 2, 1.0)
    with pytest.raises(ValueError, match="shape"):
        StroboscopicMap(lambda x, p, t: np.array([x[0]]), 2, 1.0)
    with pytest.raises(ValueError, match="hi > lo"):
        StroboscopicMap(forced_f, ["theta", "omega"], 1.0, params=FORCED_PARAMS,
                        wrap={"theta": (1.0, -1.0)})
