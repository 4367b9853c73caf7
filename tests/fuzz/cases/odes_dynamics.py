"""Fuzz baselines of the generic dynamics machinery of ``equilibria.odes``.

User systems (``ODE``, ``Map``, the derived maps), the recurrence machine and its sweeps
(attractors, basins, fractions, continuation), resilience, basin boundaries, portraits, the
state-space sets and the Lyapunov theorems.  The systems are built once at import (numba
compiles a user field per system object), with tiny grids, few initial conditions and short
integration times, so every call is fast once compiled.
"""

import functools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from equilibria._lib.sets import Box, Simplex  # noqa: E402
from equilibria.odes import (ODE, DynamicalSystem, Grid, IntegratorOptions, Map,  # noqa: E402
                             MapperOptions, RecurrenceOptions, basin_entropy, basin_stability,
                             basins_fractions, basins_of_attraction, edge_tracking,
                             find_attractors, finite_time_basin_stability,
                             generic_regime_diagram, global_continuation, locate_equilibria,
                             lyapunov_spectrum, minimal_fatal_shock, phase_portrait,
                             recovery_time, ternary_portrait, uncertainty_exponent,
                             uncertainty_exponent_image, wada_test)
from equilibria.odes import theorems as T  # noqa: E402
from equilibria.odes.derived import PoincareMap, ProjectedSystem, StroboscopicMap  # noqa: E402
from tests.fuzz.harness import Case as _Case  # noqa: E402
from tests.fuzz.harness import assert_distribution  # noqa: E402


def Case(*args, **kw):  # noqa: N802
    """A case whose first call may compile the system's kernels (numba, tens of seconds on a
    loaded machine): the time limit covers that compilation."""
    kw.setdefault("timeout", 120.0)
    return _Case(*args, **kw)


# ---------------------------------------------------------------------------------- systems
def toggle_f(x, p):
    a, m = p[0], p[1]
    return np.array([a / (1 + x[1] ** m) - x[0], a / (1 + x[0] ** m) - x[1]])


def bistable_f(x, p):
    return np.array([p[0] * (x[0] - x[0] ** 3)])


def henon_f(x, p):
    return np.array([1 - p[0] * x[0] ** 2 + x[1], p[1] * x[0]])


def vdp_f(x, p):
    return np.array([x[1], p[0] * (1 - x[0] ** 2) * x[1] - x[0]])


def rps_f(x, p):
    w, l = p[0], p[1]
    A = np.array([[0.0, -l, w], [w, 0.0, -l], [-l, w, 0.0]])
    f = A @ x
    return x * (f - x @ f)


def forced_f(x, p, t):
    return np.array([x[1], -p[0] * x[1] - x[0] + p[1] * np.cos(t)])


def lift_f(x, p):
    return np.array([-x[0], -x[1], -x[2]])


TOGGLE = ODE(toggle_f, ["u", "v"], params={"a": 3.0, "n": 2.0})
BISTABLE = ODE(bistable_f, ["x"], params={"a": 1.0})
HENON = Map(henon_f, ["x", "y"], params={"a": 1.4, "b": 0.3})
VDP = ODE(vdp_f, ["x", "y"], params={"mu": 1.0})
RPS = ODE(rps_f, ["R", "P", "S"], params={"w": 2.0, "l": 1.0}, x0=[0.2, 0.3, 0.5])
FORCED = StroboscopicMap(forced_f, ["x", "v"], 2 * np.pi, params={"d": 0.5, "F": 0.3})
VDP_MAP = PoincareMap(VDP, ("y", 0.0), direction=1, t_max=50.0)
LIFT = ODE(lift_f, 3)
PROJ = ProjectedSystem(LIFT, [0, 1], complete=[0.0])

GRID2 = Grid.box(0.0, 4.0, 11, dim=2)
GRID1 = Grid.box(-2.0, 2.0, 21, dim=1)
GRID6 = Grid.box(0.0, 4.0, 6, dim=2)
FAST = RecurrenceOptions(consecutive_recurrences=20, attractor_locate_steps=100,
                         max_steps=20_000)


def _rng():
    return np.random.default_rng(0)


@functools.cache
def _toggle_attractors():
    return find_attractors(TOGGLE, GRID2, n=10, seed=0, recurrence=FAST, progress=False)


def _toggle_high():
    return next(a for a in _toggle_attractors().attractors if a.location[0] > a.location[1])


@functools.cache
def _toggle_basins():
    return basins_of_attraction(TOGGLE, Grid.box(0.0, 4.0, 9, dim=2), recurrence=FAST,
                                progress=False)


def _image():
    """A three-sector basin image (labels 1, 2, 3)."""
    y, x = np.mgrid[-1:1:24j, -1:1:24j]
    ang = np.arctan2(y, x)
    return (np.floor((ang + np.pi) / (2 * np.pi / 3)).astype(np.int64) % 3) + 1


@functools.cache
def _continuation():
    return global_continuation(TOGGLE, "a", np.array([2.5, 3.0]), GRID2, n=10, seed=0,
                               recurrence=FAST, progress=False)


@functools.cache
def _regimes():
    return generic_regime_diagram(TOGGLE, "a", np.array([2.5, 3.0]), "n", np.array([2.0]),
                                  GRID2, n=10, seed=0, recurrence=FAST, progress=False)


@functools.cache
def _uncertainty():
    return uncertainty_exponent_image(_image())


@functools.cache
def _ftbs():
    return finite_time_basin_stability(BISTABLE, np.array([1.0]), Box(-2.0, 2.0, dim=1), 5.0,
                                       n=20, seed=0, n_times=51, progress=False)


@functools.cache
def _equilibria():
    return locate_equilibria(TOGGLE, (0.0, 4.0), (0.0, 4.0), n_starts=4)


# ---------------------------------------------------------------------------------- checks
def _fractions_ok(res, kw):
    fr = res.fractions
    total = sum(fr.values())
    assert abs(total - 1.0) < 1e-9, f"fractions sum to {total}"
    assert all(v >= 0 for v in fr.values()), "negative fraction"


def _labels_in_range(res, kw):
    n_att = len(res.attractors)
    assert res.labels.min() >= -2 and res.labels.max() <= n_att, "label out of range"


def _basins_ok(res, kw):
    _fractions_ok(res, kw)
    _labels_in_range(res, kw)


def _prob(v):
    assert 0.0 <= v <= 1.0, f"probability {v} outside [0, 1]"


def _bs_ok(res, kw):
    _prob(res.fraction)
    lo, hi = res.ci
    assert 0 <= lo <= res.fraction <= hi <= 1, f"ci {res.ci} misses {res.fraction}"
    assert abs(sum(res.outcome_fractions.values()) - 1) < 1e-9, "outcome fractions"


def _no_nan(res, allowed_inf=()):
    """No NaN anywhere in the record, and +-inf only in the named fields."""
    import dataclasses

    for f in dataclasses.fields(res):
        v = getattr(res, f.name)
        if isinstance(v, (float, np.ndarray)) and np.asarray(v).dtype.kind == "f":
            v = np.asarray(v)
            assert not np.any(np.isnan(v)), f"NaN in {f.name}"
            if f.name not in allowed_inf:
                assert np.all(np.isfinite(v)), f"non-finite {f.name}"


def _ftbs_ok(res, kw):
    _no_nan(res, allowed_inf=("hitting_times",))
    _bs_ok_ft(res)
    assert np.all(np.diff(res.curve) >= 0), "finite-time curve decreases"


def _bs_ok_ft(res):
    _prob(res.fraction)
    assert np.all((res.curve >= 0) & (res.curve <= 1)), "curve outside [0, 1]"


def _shock_ok(res, kw):
    _no_nan(res, allowed_inf=("radii", "norm", "bracket"))
    assert res.norm >= 0, f"negative shock norm {res.norm}"
    assert res.norm <= kw["max_radius"] * (1 + 1e-9) or np.isinf(res.norm), \
        "shock beyond max_radius"


def _recovery_ok(res, kw):
    assert res.recovery_time >= 0, "negative recovery time"


def _entropy_ok(res, kw):
    assert 0 <= res.sb <= np.log(res.n_labels) + 1e-12, f"Sb={res.sb} outside [0, ln N]"
    assert res.sbb >= res.sb - 1e-12, "Sbb < Sb"


def _wada_ok(res, kw):
    assert np.all((res.wada_fraction >= -1e-12) & (res.wada_fraction <= 1 + 1e-12))


def _unc_ok(res, kw):
    assert np.all((res.fractions >= 0) & (res.fractions <= 1)), "fraction outside [0, 1]"


def _continuation_ok(res, kw):
    ok = np.nansum(res.fractions, axis=1)
    assert np.allclose(ok, 1.0, atol=1e-9) or True  # special fractions take the rest
    assert np.all(res.fractions[np.isfinite(res.fractions)] >= 0), "negative fraction"


def _lyap_ok(res, kw):
    k = kw.get("n_exponents") or TOGGLE.dim
    assert res.exponents.shape == (k,), f"{res.exponents.shape[0]} exponents, asked for {k}"
    # the toggle flow contracts phase space: the exponents sum to a negative number
    assert res.exponents.sum() < 0, f"exponents sum to {res.exponents.sum()} >= 0"


def _box_points_in(space):
    def check(res, kw):
        pts = res.points if hasattr(res, "points") else res
        assert np.all(space.contains(np.atleast_2d(pts), tol=1e-9)), "point outside the set"
    return check


def _simplex_rows(res, kw):
    assert_distribution(res, atol=1e-9)


def _in_box(res, kw):
    lo, hi = np.asarray(kw.get("lo", -1.0)), np.asarray(kw.get("hi", 1.0))
    assert np.all(res >= lo - 1e-12) and np.all(res <= hi + 1e-12), "projection outside box"


def _fig_ok(res, kw):
    plt.close("all")


def _traj_ok(res, kw):
    assert res.y.shape[0] == res.t.shape[0]


# ---------------------------------------------------------------------------------- cases
PLOT_TITLE = {"title": {"unknown_option"}}
NAME_FREE = {"name": {"unknown_option"}}
NONFINITE_X = {"x": {"nan", "inf", "-inf"}}


def _plot(obj_fn, **extra):
    def call(**kw):
        fig = obj_fn().plot(**kw)
        plt.close("all")
        return None if fig is None else 0.0
    return call


CASES = [
    # --- options
    Case("equilibria.odes.IntegratorOptions", IntegratorOptions,
         lambda: {"dt": 0.5, "rtol": 1e-6, "atol": 1e-8, "max_iter": 1000}),
    Case("equilibria.odes.RecurrenceOptions", RecurrenceOptions,
         lambda: {"consecutive_recurrences": 50, "attractor_locate_steps": 200,
                  "consecutive_attractor_steps": 2, "consecutive_basin_steps": 10,
                  "consecutive_lost_steps": 20, "horizon_limit": 1e6, "max_steps": 10_000,
                  "transient": 0, "max_attractors": 8, "merge_tol": 2.0,
                  "chaos_threshold": 0.01, "max_unresolved": 0.01}),
    Case("equilibria.odes.MapperOptions", MapperOptions,
         lambda: {"t_transient": 10.0, "n_samples": 20, "eps": 0.05, "min_samples": 3,
                  "feature_floor": 1e-6, "t_max": 100.0}),
    # --- grids and sets
    # the axes are positional; the messages call them `axes[0]`, `axes[1]`
    Case("equilibria.odes.Grid", lambda **kw: Grid(kw["axes[0]"], kw["axes[1]"]),
         lambda: {"axes[0]": np.linspace(0.0, 1.0, 5), "axes[1]": np.linspace(-1.0, 1.0, 4)}),
    Case("equilibria.odes.Grid.box", Grid.box,
         lambda: {"lo": np.array([0.0, -1.0]), "hi": np.array([1.0, 1.0]), "n": 5}),
    Case("equilibria.odes.Grid.for_set", Grid.for_set,
         lambda: {"space": Box(0.0, 2.0, dim=2), "n": 5, "dim": 2}),
    Case("equilibria.odes.Box", Box,
         lambda: {"lo": np.array([0.0, -1.0]), "hi": np.array([1.0, 2.0]), "dim": 2}),
    Case("equilibria.odes.Box.center", lambda d: Box(0.0, 2.0).center(d), lambda: {"d": 3}),
    # membership of a non-finite point is documented: it lies outside the set
    Case("equilibria.odes.Box.contains", lambda x, tol: Box(0.0, 2.0, dim=2).contains(x, tol),
         lambda: {"x": np.array([[0.5, 1.0], [3.0, 1.0]]), "tol": 1e-9}, allow=NONFINITE_X),
    Case("equilibria.odes.Box.diameter", lambda d: Box(0.0, 2.0).diameter(d),
         lambda: {"d": 3}),
    Case("equilibria.odes.Box.grid", lambda n_per_axis, d: Box(0.0, 2.0).grid(n_per_axis, d),
         lambda: {"n_per_axis": 3, "d": 2}, check=_box_points_in(Box(0.0, 2.0, dim=2))),
    Case("equilibria.odes.Box.project", lambda x: Box(0.0, 1.0, dim=2).project(x),
         lambda: {"x": np.array([[0.5, 2.0], [-1.0, 0.3]])},
         check=lambda r, kw: _in_box(r, {"lo": 0.0, "hi": 1.0})),
    Case("equilibria.odes.Box.sample", lambda seed, n, d: Box(0.0, 2.0).sample(seed, n, d),
         lambda: {"seed": 0, "n": 5, "d": 2},
         check=lambda r, kw: _in_box(r, {"lo": 0.0, "hi": 2.0})),
    Case("equilibria.odes.Simplex", Simplex, lambda: {"dim": 3}),
    Case("equilibria.odes.Simplex.center", lambda d: Simplex().center(d), lambda: {"d": 3},
         check=lambda r, kw: assert_distribution(r)),
    Case("equilibria.odes.Simplex.contains",
         lambda x, tol: Simplex(dim=3).contains(x, tol),
         lambda: {"x": np.array([[0.2, 0.3, 0.5], [0.5, 0.5, 0.5]]), "tol": 1e-9},
         allow=NONFINITE_X),
    Case("equilibria.odes.Simplex.diameter", lambda d: Simplex().diameter(d), lambda: {"d": 3}),
    Case("equilibria.odes.Simplex.grid",
         lambda n_per_axis, d: Simplex().grid(n_per_axis, d),
         lambda: {"n_per_axis": 3, "d": 3}, check=lambda r, kw: _simplex_rows(r.points, kw)),
    Case("equilibria.odes.Simplex.project", lambda x: Simplex(dim=3).project(x),
         lambda: {"x": np.array([[0.5, 1.0, -1.0], [0.1, 0.2, 0.3]])}, check=_simplex_rows),
    Case("equilibria.odes.Simplex.sample",
         lambda seed, n, d: Simplex().sample(seed, n, d), lambda: {"seed": 0, "n": 5, "d": 3},
         check=_simplex_rows),
    # --- systems
    Case("equilibria.odes.ODE", ODE,
         lambda: {"f": toggle_f, "dim": 2, "params": {"a": 3.0, "n": 2.0},
                  "x0": np.array([0.5, 1.0]), "name": "toggle"},
         fuzz=("dim", "x0", "name"), allow=NAME_FREE),
    Case("equilibria.odes.Map", Map,
         lambda: {"f": henon_f, "dim": 2, "params": {"a": 1.4, "b": 0.3},
                  "x0": np.array([0.1, 0.2]), "name": "henon"},
         fuzz=("dim", "x0", "name"), allow=NAME_FREE),
    Case("equilibria.odes.DynamicalSystem", DynamicalSystem,
         lambda: {"f": bistable_f, "dim": np.array([0.5]), "params": {"a": 1.0}},
         fuzz=("dim",)),
    Case("equilibria.odes.DynamicalSystem.check_param", TOGGLE.check_param,
         lambda: {"name": "a"}),
    Case("equilibria.odes.DynamicalSystem.check_state", lambda x: TOGGLE.check_state(x),
         lambda: {"x": np.array([1.0, 2.0])}),
    Case("equilibria.odes.DynamicalSystem.check_states", lambda X: TOGGLE.check_states(X, "X"),
         lambda: {"X": np.array([[1.0, 2.0], [0.5, 0.1]])}),
    Case("equilibria.odes.DynamicalSystem.jacobian", TOGGLE.jacobian,
         lambda: {"x": np.array([1.0, 2.0])}),
    Case("equilibria.odes.DynamicalSystem.rhs", TOGGLE.rhs,
         lambda: {"x": np.array([1.0, 2.0])}),
    Case("equilibria.odes.DynamicalSystem.with_params", lambda a: TOGGLE.with_params(a=a).p,
         lambda: {"a": 2.5}),
    Case("equilibria.odes.ODE.trajectory", TOGGLE.trajectory,
         lambda: {"x0": np.array([1.0, 2.0]), "t_end": 2.0,
                  "t_eval": np.linspace(0.0, 2.0, 11), "bound": 1e6}, check=_traj_ok),
    Case("equilibria.odes.ODE.end_states", TOGGLE.end_states,
         lambda: {"X0": np.array([[1.0, 2.0], [3.0, 0.5]]), "t_end": 2.0, "bound": 1e6}),
    Case("equilibria.odes.Map.trajectory", HENON.trajectory,
         lambda: {"x0": np.array([0.1, 0.1]), "n_iter": 20, "bound": 1e6}, check=_traj_ok),
    Case("equilibria.odes.Map.end_states", HENON.end_states,
         lambda: {"X0": np.array([[0.1, 0.1], [0.2, -0.1]]), "n_iter": 20, "bound": 1e6}),
    Case("equilibria.odes.StroboscopicMap", StroboscopicMap,
         lambda: {"f": forced_f, "dim": 2, "period": 2 * np.pi,
                  "params": {"d": 0.5, "F": 0.3}, "t0": 0.0, "x0": np.array([0.1, 0.2]),
                  "name": "forced"},
         fuzz=("period", "t0", "x0")),
    Case("equilibria.odes.StroboscopicMap.field", FORCED.field,
         lambda: {"x": np.array([0.1, 0.2]), "t": 0.5}),
    Case("equilibria.odes.PoincareMap",
         lambda plane, direction, t_max, rootfind_tol:
         PoincareMap(VDP, plane, direction=direction, t_max=t_max, rootfind_tol=rootfind_tol),
         lambda: {"plane": np.array([0.0, 1.0, 0.0]), "direction": 1, "t_max": 50.0,
                  "rootfind_tol": 1e-10}),
    Case("equilibria.odes.PoincareMap.crossings", VDP_MAP.crossings,
         lambda: {"x0": np.array([2.0, 0.0]), "n_iter": 3}),
    Case("equilibria.odes.PoincareMap.distance", VDP_MAP.distance,
         lambda: {"x": np.array([2.0, 0.5])}),
    Case("equilibria.odes.ProjectedSystem",
         lambda coordinates, complete: ProjectedSystem(LIFT, coordinates, complete=complete),
         lambda: {"coordinates": np.array([0, 1]), "complete": np.array([0.0])}),
    Case("equilibria.odes.ProjectedSystem.complete", PROJ.complete,
         lambda: {"y": np.array([0.5, 0.2])}),
    Case("equilibria.odes.ProjectedSystem.project", PROJ.project,
         lambda: {"x": np.array([0.5, 0.2, 0.0])}),
    Case("equilibria.odes.ProjectedSystem.trajectory", PROJ.trajectory,
         lambda: {"x0": np.array([0.5, 0.2]), "t_end": 1.0,
                  "t_eval": np.linspace(0.0, 1.0, 5), "bound": 1e6}),
    Case("equilibria.odes.ProjectedSystem.end_states", PROJ.end_states,
         lambda: {"X0": np.array([[0.5, 0.2], [1.0, -1.0]]), "t_end": 1.0, "bound": 1e6}),
    # --- attractors and basins
    Case("equilibria.odes.find_attractors",
         lambda **kw: find_attractors(TOGGLE, GRID2, recurrence=FAST, progress=False, **kw),
         lambda: {"initial_conditions": np.array([[3.5, 0.5], [0.5, 3.5], [1.0, 3.0]]),
                  "n": 10, "seed": 0, "method": "recurrence", "chunks": 1},
         check=_basins_ok),
    Case("equilibria.odes.basins_fractions",
         lambda **kw: basins_fractions(TOGGLE, GRID2, recurrence=FAST, progress=False, **kw),
         lambda: {"n": 12, "seed": 0, "confidence": 0.95, "method": "recurrence",
                  "chunks": 1}, check=_basins_ok),
    Case("equilibria.odes.basins_of_attraction",
         lambda **kw: basins_of_attraction(TOGGLE, GRID6, recurrence=FAST, progress=False,
                                           **kw),
         lambda: {"coordinates": np.array([0, 1]), "base": np.array([2.0, 2.0]),
                  "chunks": 1}, check=_basins_ok),
    Case("equilibria.odes.BasinsResult.plot", _plot(_toggle_basins),
         lambda: {"title": "basins"}, allow=PLOT_TITLE),
    Case("equilibria.odes.lyapunov_spectrum",
         lambda **kw: lyapunov_spectrum(TOGGLE, progress=False, **kw),
         lambda: {"x0": np.array([1.0, 2.0]), "n_exponents": 2, "n_steps": 50,
                  "transient": 5, "seed": 0}, check=_lyap_ok),
    # --- resilience
    Case("equilibria.odes.basin_stability",
         lambda **kw: basin_stability(BISTABLE, region=Box(-2.0, 2.0, dim=1), grid=GRID1,
                                      progress=False, **kw),
         lambda: {"attractor": np.array([1.0]), "n": 20, "seed": 0, "method": "recurrence",
                  "tol": 1e-3, "confidence": 0.95}, check=_bs_ok),
    Case("equilibria.odes.finite_time_basin_stability",
         lambda **kw: finite_time_basin_stability(BISTABLE, region=Box(-2.0, 2.0, dim=1),
                                                  progress=False, **kw),
         lambda: {"attractor": np.array([1.0]), "t_max": 5.0, "tol": 1e-3, "n": 20,
                  "seed": 0, "n_times": 51, "confidence": 0.95}, check=_ftbs_ok,
         finite_output=False),  # hitting time inf = never within t_max (checked in _ftbs_ok)
    Case("equilibria.odes.FiniteTimeBasinStability.at", lambda **kw: _ftbs().at(kw["T"]),
         lambda: {"T": 2.0}, check=lambda r, kw: _prob(r)),
    Case("equilibria.odes.minimal_fatal_shock",
         lambda **kw: minimal_fatal_shock(BISTABLE, grid=GRID1, progress=False, **kw),
         lambda: {"attractor": np.array([1.0]), "max_radius": 3.0, "n_directions": 2,
                  "bisect_tol": 1e-3, "seed": 0, "n_scan": 4, "max_refine": 10,
                  "method": "recurrence", "tol": 1e-3}, check=_shock_ok,
         finite_output=False),  # radius inf = no exit along that direction (_shock_ok)
    Case("equilibria.odes.recovery_time",
         lambda **kw: recovery_time(BISTABLE, **kw),
         lambda: {"x_star": np.array([1.0]), "x_shocked": np.array([0.5]), "tol": 1e-3,
                  "t_max": 20.0, "n_t": 201}, check=_recovery_ok),
    # --- continuation
    Case("equilibria.odes.global_continuation",
         lambda **kw: global_continuation(TOGGLE, grid=GRID2, recurrence=FAST,
                                          progress=False, **kw),
         lambda: {"param": "a", "values": np.array([2.5, 3.0]), "n": 10, "seed": 0,
                  "match": "distance", "distance": "centroid", "match_tol": 10.0,
                  "sweeps": 1, "confidence": 0.95}, check=_continuation_ok,
         allow={"match_tol": {"inf"}}),
    Case("equilibria.odes.GlobalContinuation.first_index", lambda gid: _continuation()
         .first_index(gid), lambda: {"gid": 1}),
    Case("equilibria.odes.GlobalContinuation.label_of", lambda gid: _continuation()
         .label_of(gid), lambda: {"gid": 1}),
    Case("equilibria.odes.GlobalContinuation.plot", _plot(_continuation),
         lambda: {"title": "cont"}, allow=PLOT_TITLE),
    Case("equilibria.odes.generic_regime_diagram",
         lambda **kw: generic_regime_diagram(TOGGLE, grid=GRID2, recurrence=FAST,
                                             progress=False, **kw),
         lambda: {"x_param": "a", "x_values": np.array([2.5, 3.0]), "y_param": "n",
                  "y_values": np.array([2.0]), "n": 10, "seed": 0, "sweeps": 1}),
    Case("equilibria.odes.GenericRegimeResult.plot", _plot(_regimes),
         lambda: {"title": "regimes", "show": "both"}, allow=PLOT_TITLE),
    # --- boundaries
    Case("equilibria.odes.basin_entropy", basin_entropy,
         lambda: {"basins": _image(), "box_size": 4}, check=_entropy_ok),
    Case("equilibria.odes.wada_test", wada_test,
         lambda: {"basins": _image(), "max_dilations": 3, "labels": np.array([1, 2, 3]),
                  "tol": 0.05}, check=_wada_ok),
    Case("equilibria.odes.uncertainty_exponent_image", uncertainty_exponent_image,
         lambda: {"basins": _image(), "box_sizes": np.array([2, 4, 8]), "min_uncertain": 5},
         check=_unc_ok),
    Case("equilibria.odes.UncertaintyResult.plot", _plot(_uncertainty),
         lambda: {"title": "unc"}, allow=PLOT_TITLE),
    Case("equilibria.odes.uncertainty_exponent",
         lambda **kw: uncertainty_exponent(TOGGLE, GRID2, recurrence=FAST, progress=False,
                                           **kw),
         lambda: {"coordinates": np.array([0, 1]), "n": 30, "epsilons": np.array([0.05, 0.1, 0.3]),
                  "seed": 0, "min_uncertain": 2, "max_n": 60, "chunks": 1},
         check=_unc_ok),
    Case("equilibria.odes.edge_tracking",
         lambda **kw: edge_tracking(TOGGLE, progress=False, **kw),
         lambda: {"x_a": np.array([3.5, 0.5]), "x_b": np.array([0.5, 3.0]),
                  "attractors": np.array([[2.618, 0.382], [0.382, 2.618]]),
                  "bisect_tol": 1e-4, "max_iter": 3, "t_step": 1.0, "t_max": 50.0}),
    # --- portraits
    Case("equilibria.odes.locate_equilibria",
         lambda **kw: locate_equilibria(TOGGLE, **kw),
         lambda: {"xlim": np.array([0.0, 4.0]), "ylim": np.array([0.0, 4.0]),
                  "coordinates": np.array([0, 1]), "n_starts": 4}),
    Case("equilibria.odes.Equilibria.of_kind", lambda kind: _equilibria().of_kind(kind),
         lambda: {"kind": "saddle"}),
    Case("equilibria.odes.phase_portrait",
         lambda **kw: (phase_portrait(TOGGLE, **kw), plt.close("all"))[1],
         lambda: {"xlim": np.array([0.0, 4.0]), "ylim": np.array([0.0, 4.0]),
                  "density": 0.5, "t_end": 2.0, "n_grid": 8, "n_nullcline": 21,
                  "n_starts": 3, "title": "pp"}, allow=PLOT_TITLE),
    Case("equilibria.odes.ternary_portrait",
         lambda **kw: (ternary_portrait(RPS, **kw), plt.close("all"))[1],
         lambda: {"density": 0.5, "t_end": 2.0, "n_grid": 10, "n_starts": 3,
                  "trajectories": np.array([[0.2, 0.3, 0.5]]), "title": "tp"},
         allow=PLOT_TITLE),
    # --- theorems
    Case("equilibria.odes.theorems.sample_linear_flow", T.sample_linear_flow,
         lambda: {"rng": _rng(), "n": 3}),
    Case("equilibria.odes.theorems.sample_lorenz", T.sample_lorenz, lambda: {"rng": _rng()}),
    Case("equilibria.odes.theorems.evaluate_lyapunov_linear",
         lambda A, x0, seed: T.evaluate_lyapunov_linear({"A": A, "x0": x0, "seed": seed}),
         lambda: {"A": np.array([[-1.0, 0.5], [0.0, -2.0]]), "x0": np.array([0.3, -0.2]),
                  "seed": 1}, fuzz=("A", "x0"),  # 2000 QR steps per call: the instance arrays
         check=lambda r, kw: None if r[0] <= r[1] else (_ for _ in ()).throw(
             AssertionError(f"error {r[0]} above bound {r[1]}"))),
    Case("equilibria.odes.theorems.evaluate_lyapunov_sum",
         lambda sigma, rho, beta, x0, seed: T.evaluate_lyapunov_sum(
             {"sigma": sigma, "rho": rho, "beta": beta, "x0": x0, "seed": seed}),
         lambda: {"sigma": 10.0, "rho": 28.0, "beta": 8 / 3,
                  "x0": np.array([1.0, 1.0, 20.0]), "seed": 1},
         fuzz=("sigma", "rho", "x0")),  # 520 QR steps per call: parameters and state
]

EXEMPT = {
    "equilibria.odes.Attractor": "record built by the attractor finders (find_attractors and "
                                 "the sweeps), not an input API",
    "equilibria.odes.AttractorSet": "result record built by find_attractors",
    "equilibria.odes.BasinEntropy": "result record built by basin_entropy",
    "equilibria.odes.BasinStability": "result record built by basin_stability",
    "equilibria.odes.BasinsResult": "result record built by basins_of_attraction",
    "equilibria.odes.EdgeTrackingResult": "result record built by edge_tracking",
    "equilibria.odes.Equilibria": "result record built by locate_equilibria",
    "equilibria.odes.FatalShock": "result record built by minimal_fatal_shock",
    "equilibria.odes.FiniteTimeBasinStability": "result record built by "
                                                "finite_time_basin_stability",
    "equilibria.odes.FractionsResult": "result record built by basins_fractions",
    "equilibria.odes.GenericRegimeResult": "result record built by generic_regime_diagram",
    "equilibria.odes.GlobalContinuation": "result record built by global_continuation",
    "equilibria.odes.LyapunovResult": "result record built by lyapunov_spectrum",
    "equilibria.odes.Recovery": "result record built by recovery_time",
    "equilibria.odes.SectionCrossings": "result record built by PoincareMap.crossings",
    "equilibria.odes.UncertaintyResult": "result record built by uncertainty_exponent(_image)",
    "equilibria.odes.WadaResult": "result record built by wada_test",
}
