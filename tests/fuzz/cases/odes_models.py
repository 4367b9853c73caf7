"""Fuzz baselines of ``equilibria.odes``: the coexistence model, the LV systems, the sweeps
(basins, continuation, regimes, shocks, sensitivity), the figures and the theorem helpers.

Instances are tiny (2-species competition, the 6-state presets, 3x3 grids, short horizons) so
every call stays well under 0.1 s once compiled.  Results that several cases draw (basin
images, shock responses) are computed once and cached.
"""

from __future__ import annotations

import functools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from equilibria import odes  # noqa: E402
from equilibria.odes import plotting as PL  # noqa: E402
from equilibria.odes import theorems as T  # noqa: E402
from equilibria.odes.model import OUTCOME_CLASSES, CoexistenceModel, Indices  # noqa: E402
from equilibria.odes.options import SweepOptions  # noqa: E402
from equilibria.odes.systems import LVSystem  # noqa: E402
from tests.fuzz.harness import Case  # noqa: E402

P = "equilibria.odes."

#: free-text arguments (figure titles): any string is valid, so "no-such-option" is too
TEXT = {"title": {"unknown_option"}}


# ------------------------------------------------------------------------------ instances
def _comp_kw():
    """Bistable 2-species competition (two stable one-species states and a saddle)."""
    return {"r": np.array([1.0, 1.0]), "K": np.array([1.0, 1.0]),
            "alpha": np.array([[1.0, 1.5], [1.5, 1.0]])}


@functools.lru_cache(maxsize=None)
def _comp() -> LVSystem:
    return odes.lv_competition(**_comp_kw())


@functools.lru_cache(maxsize=None)
def _holling() -> LVSystem:
    return odes.mutualism(np.array([0.5, 0.4]), np.array([1.0, 1.2]),
                          np.array([[0.0, 0.8], [0.6, 0.0]]), saturation=1.0)


@functools.lru_cache(maxsize=None)
def _gov() -> CoexistenceModel:
    return CoexistenceModel.preset("governed")


@functools.lru_cache(maxsize=None)
def _gov_star() -> np.ndarray:
    eq = _gov().equilibria()
    return eq.stable_points[0].copy()


def _opts(**kw):
    base = dict(t_end=20.0, recurrence=False, max_iter=20_000)
    base.update(kw)
    return SweepOptions(**base)


def _model_kw():
    m = 2
    Lc = m * np.eye(m) - np.ones((m, m))
    return {"n_h": 1, "n_a": 1, "r_h": np.full((3, 1), 1.0), "r_a": np.full((3, 1), 1.0),
            "s_h": np.full((3, 1), 1.0), "s_a": np.full((3, 1), 0.6),
            "w": np.full((3, 1, 1), 1.0), "gain_h": 0.3, "gain_a": 0.25,
            "c": np.full((3, 1, 1), 1.0), "conflict_h": 0.3, "conflict_a": 0.05,
            "L": np.stack([Lc] * 3), "diffusion": 0.02, "inter_layer": np.full((3, 3), 0.02),
            "G": np.eye(6), "g": 1.0, "burden": 0.3, "freedom": 1.8, "saturation": 0.0,
            "mediation": 0.25, "x_ref": np.ones(6), "balance_tol": 0.2}


def _x6():
    return np.array([0.9, 1.1, 0.8, 1.2, 1.0, 0.7])


# ------------------------------------------------------------------------------ invariants
def _model_ok(m, kw):
    assert np.all(np.isfinite(m.interaction)) and np.all(np.isfinite(m.rates)), \
        "non-finite model matrices"
    assert m.interaction.shape == (m.n, m.n)


def _system_ok(s, kw):
    assert isinstance(s, LVSystem)
    assert s.A.shape == (s.n, s.n) and s.r.shape == (s.n,)


def _indices_ok(ix, kw):
    for f in ("coexistence", "domination", "conflict", "development", "human_level"):
        v = getattr(ix, f)
        assert 0.0 <= v <= 1.0, f"index {f}={v} outside [0, 1]"


def _state_out_ok(y, kw):
    assert np.all(np.isfinite(y)), "non-finite state"


def _eqset_ok(res, kw):
    assert res.points.shape[0] == res.max_re.shape[0] == res.stable.shape[0]
    assert np.all(res.points >= 0), "negative equilibrium"


def _traj_ok(res, kw):
    assert res.y.shape[0] == res.t.shape[0]
    assert np.all(np.isfinite(res.y)), "successful trajectory with non-finite states"
    assert np.all(res.y >= 0), "negative population"


def _batch_ok(res, kw):
    ok = np.isin(res.status, (0, 1))
    assert np.all(np.isfinite(res.x[ok])), "converged row with a non-finite state"
    assert np.all(res.x[ok] >= 0), "negative population"


def _basin_ok(res, kw):
    total = float(np.sum(res.fractions)) + sum(res.special_fractions.values())
    assert abs(total - 1.0) <= 1e-12, f"basin fractions sum to {total}"
    assert res.labels.min(initial=0) >= -3 and res.labels.max(initial=-1) < len(res.fractions)


def _cont_ok(res, kw):
    s = res.class_fractions.sum(axis=1)
    assert np.allclose(s, 1.0, atol=1e-12, rtol=0), f"class fractions sum to {s}"


def _regime_ok(res, kw):
    assert np.all((res.classes >= 0) & (res.classes < len(OUTCOME_CLASSES)))
    assert np.all(np.isfinite(res.coexistence)), "successful diagram with NaN coexistence"


def _shock_ok(res, kw):
    assert np.all(np.isfinite(res.y)), "successful shock response with non-finite states"
    assert np.isfinite(res.recovery_time) == res.regained, "recovery time vs regained"
    assert not np.isnan(res.critical_magnitude) or not kw.get("critical", True) or \
        kw.get("kind", "impulse") != "impulse"


def _sens_local_ok(res, kw):
    assert np.all(np.isfinite(res.dx_dp)) and np.all(np.isfinite(res.dx_dp_fd))
    scale = max(1e-12, float(np.max(np.abs(res.dx_dp_fd))))
    assert float(np.max(np.abs(res.dx_dp - res.dx_dp_fd))) / scale <= 1e-3


def _sens_sobol_ok(res, kw):
    for d in (res.first_order, res.total_order):
        for v in d.values():
            assert np.all(np.isfinite(v))


def _labels_ok(out, kw):
    labels, att = out
    X = np.asarray(kw["X"], dtype=float)
    assert labels.shape == (X.shape[0],)
    assert att.ndim == 2 and att.shape[1] == X.shape[1]
    assert np.all((labels >= -3) & (labels < att.shape[0]))


def _bound_ok(out, kw):
    # corrupted instances may leave the theorem's assumptions (a measured violation is then a
    # valid answer), so only the form of the answer is checked
    value, bound = out
    assert not np.isnan(value), f"measured value {value}"
    assert np.isfinite(bound) and bound >= 0, f"bound {bound}"


def _sample_shapes(keys):
    def check(inst, kw):
        for k in keys:
            assert np.all(np.isfinite(inst[k])), f"sampled {k} not finite"
    return check


# ------------------------------------------------------------------------------ cached results
@functools.lru_cache(maxsize=None)
def _basin_res():
    return odes.basin_sweep(_comp(), grid=4, u_range=(0.05, 2.0), options=_opts(),
                            progress=False)


@functools.lru_cache(maxsize=None)
def _cont_res():
    return odes.basin_continuation(_gov(), "g", np.array([0.5, 1.0]), grid=2,
                                   options=_opts(), progress=False)


@functools.lru_cache(maxsize=None)
def _regime_res():
    return odes.regime_diagram(_gov(), "g", np.array([0.5, 1.0]), "freedom", np.array([1.8]),
                               n_ic=2, options=_opts(), progress=False)


@functools.lru_cache(maxsize=None)
def _shock_res():
    return odes.shock_test(_gov(), x_star=_gov_star(), magnitude=0.3, t_end=20.0,
                           critical=False)


@functools.lru_cache(maxsize=None)
def _generic_basins():
    ode = _comp().to_ode()
    grid = odes.Grid.box([0.0, 0.0], [2.0, 2.0], 5)
    return odes.basins_of_attraction(ode, grid, progress=False)


def _plot(fn):
    def call(**kw):
        fig = fn(**kw)
        plt.close(fig)
        return None
    return call


def _figure_case(name, fn, res):
    return Case(name, _plot(lambda title: fn(res(), title=title)),
                lambda: {"title": "panel"}, allow=TEXT, timeout=30.0)


def _method_case(name, obj, meth, kwargs, **kw):
    return Case(name, lambda **a: getattr(obj(), meth)(**a), kwargs, **kw)


def _classify(**kw):
    return odes.classify(Indices(**kw))


# ------------------------------------------------------------------------------ cases
_SIM = lambda: {"rtol": 1e-8, "atol": 1e-10, "max_iter": 20_000, "bound": 1e8}  # noqa: E731
_BATCH = lambda: {"rtol": 1e-7, "atol": 1e-9, "ftol": 1e-6, "t_min": 0.0,  # noqa: E731
                  "max_iter": 20_000, "bound": 1e8}

CASES = [
    # -- the coexistence model
    Case(P + "CoexistenceModel", CoexistenceModel, _model_kw, check=_model_ok),
    Case(P + "CoexistenceModel.preset", CoexistenceModel.preset,
         lambda: {"name": "governed", "g": 1.5}, check=_model_ok),
    _method_case(P + "CoexistenceModel.replace", _gov, "replace",
                 lambda: {"g": 0.5, "reciprocity": 1.2, "conflict_asymmetry": 0.1},
                 check=_model_ok),
    # `name` is the label used in the error messages (free text, no option set)
    _method_case(P + "CoexistenceModel.check_state", _gov, "check_state",
                 lambda: {"x": _x6(), "name": "x", "ndim": 1}, fuzz=("x", "ndim")),
    _method_case(P + "CoexistenceModel.field", _gov, "field", lambda: {"x": _x6()},
                 check=_state_out_ok),
    _method_case(P + "CoexistenceModel.jacobian", _gov, "jacobian", lambda: {"x": _x6()},
                 check=_state_out_ok),
    _method_case(P + "CoexistenceModel.indices", _gov, "indices", lambda: {"x": _x6()},
                 check=_indices_ok),
    _method_case(P + "CoexistenceModel.outcome", _gov, "outcome", lambda: {"x": _x6()}),
    _method_case(P + "CoexistenceModel.uniform_state", _gov, "uniform_state",
                 lambda: {"human": 1.0, "ai": 0.5}, check=_state_out_ok),
    _method_case(P + "CoexistenceModel.stability", _gov, "stability",
                 lambda: {"x": _gov_star(), "tol": 1e-9}),
    _method_case(P + "CoexistenceModel.equilibria", _gov, "equilibria",
                 lambda: {"method": "support", "n_starts": 20, "seed": 0, "tol": 1e-7},
                 check=_eqset_ok),
    _method_case(P + "CoexistenceModel.simulate", _gov, "simulate",
                 lambda: {"x0": _x6(), "t_end": 5.0, "t_eval": np.linspace(0, 5.0, 11),
                          **_SIM()}, check=_traj_ok),
    _method_case(P + "CoexistenceModel.simulate_batch", _gov, "simulate_batch",
                 lambda: {"X0": np.vstack([_x6(), 0.5 * _x6()]), "t_end": 5.0, **_BATCH()},
                 check=_batch_ok),
    Case(P + "Indices", Indices,
         lambda: {"coexistence": 0.9, "domination": 0.0, "dominant": "none", "conflict": 0.1,
                  "development": 0.8, "human_level": 0.9}, check=_indices_ok),
    Case(P + "classify", _classify,
         lambda: {"coexistence": 0.9, "domination": 0.0, "dominant": "none", "conflict": 0.1,
                  "development": 0.8, "human_level": 0.9}),
    # -- LV systems and the classic models
    Case(P + "LVSystem", LVSystem,
         lambda: {"r": np.array([0.5, 0.4]), "A": np.array([[-1.0, 0.0], [0.0, -1.2]]),
                  "kind": "holling", "M": np.array([[0.0, 0.8], [0.6, 0.0]]),
                  "q": np.array([1.0, 1.0])}, check=_system_ok),
    _method_case(P + "LVSystem.check_state", _comp, "check_state",
                 lambda: {"x": np.array([0.3, 0.6]), "name": "x", "ndim": 1},
                 fuzz=("x", "ndim")),
    _method_case(P + "LVSystem.field", _holling, "field", lambda: {"x": np.array([0.3, 0.6])},
                 check=_state_out_ok),
    _method_case(P + "LVSystem.jacobian", _holling, "jacobian",
                 lambda: {"x": np.array([0.3, 0.6])}, check=_state_out_ok),
    _method_case(P + "LVSystem.stability", _comp, "stability",
                 lambda: {"x": np.array([1.0, 0.0]), "tol": 1e-9}),
    _method_case(P + "LVSystem.equilibria", _holling, "equilibria",
                 lambda: {"method": "newton", "n_starts": 8, "seed": 0, "scale": 5.0,
                          "tol": 1e-7}, check=_eqset_ok, timeout=30.0),
    _method_case(P + "LVSystem.simulate", _comp, "simulate",
                 lambda: {"x0": np.array([0.3, 0.6]), "t_end": 5.0,
                          "t_eval": np.linspace(0, 5.0, 11), **_SIM()}, check=_traj_ok),
    _method_case(P + "LVSystem.simulate_batch", _comp, "simulate_batch",
                 lambda: {"X0": np.array([[0.3, 0.6], [0.6, 0.3], [1.0, 1.0]]), "t_end": 5.0,
                          **_BATCH()}, check=_batch_ok),
    Case(P + "lv_competition", odes.lv_competition, _comp_kw, check=_system_ok),
    Case(P + "mutualism", odes.mutualism,
         lambda: {"r": np.array([0.5, 0.4]), "s": np.array([1.0, 1.2]),
                  "b": np.array([[0.0, 0.8], [0.6, 0.0]]), "saturation": 1.0},
         check=_system_ok),
    Case(P + "replicator", odes.replicator,
         lambda: {"payoff": np.array([[0.0, -1.0, 1.0], [1.0, 0.0, -1.0], [-1.0, 1.0, 0.0]])},
         check=_system_ok),
    Case(P + "simulate_field", lambda **kw: odes.simulate_field(_sym_field(), **kw),
         lambda: {"x0": np.array([0.3, 0.6]), "t_end": 5.0, "p": np.array([1.0, 1.5]),
                  "t_eval": np.linspace(0, 5.0, 11), **_SIM()}, check=_traj_ok),
    # -- options and sweeps
    Case(P + "SweepOptions", SweepOptions,
         lambda: {"t_end": 50.0, "ftol": 1e-6, "rtol": 1e-7, "atol": 1e-9, "max_iter": 1000,
                  "cluster_tol": 1e-3, "window": 20.0, "n_samples": 64,
                  "recurrence_tol": 1e-2, "near_tol": 0.05}),
    Case(P + "SweepOptions.replace", lambda **kw: SweepOptions().replace(**kw),
         lambda: {"t_end": 10.0, "n_samples": 16, "cluster_tol": 1e-2}),
    Case(P + "identify_attractors",
         lambda **kw: odes.identify_attractors(_comp(), **kw), lambda: _end_states(),
         check=_labels_ok),
    Case(P + "basin_sweep", lambda **kw: odes.basin_sweep(_comp(), **kw),
         lambda: {"grid": 3, "u_range": np.array([0.05, 2.0]),
                  "v_range": np.array([0.05, 2.0]), "axes": np.eye(2),
                  "base": np.zeros(2), "options": _opts(), "chunks": 1, "progress": False},
         check=_basin_ok, timeout=30.0),
    Case(P + "basin_continuation",
         lambda **kw: odes.basin_continuation(_gov(), progress=False, **kw),
         lambda: {"param": "g", "values": np.array([0.5, 1.0]), "grid": 2,
                  "match_tol": 0.25, "options": _opts(), "u_range": np.array([0.1, 2.0])},
         check=_cont_ok, timeout=30.0),
    Case(P + "regime_diagram", lambda **kw: odes.regime_diagram(_gov(), progress=False, **kw),
         lambda: {"x_param": "g", "x_values": np.array([0.5, 1.0]), "y_param": "freedom",
                  "y_values": np.array([1.8]), "n_ic": 2, "options": _opts(), "seed": 0},
         check=_regime_ok, timeout=30.0),
    Case(P + "regime_table", odes.regime_table, lambda: {"names": "governed"}),
    Case(P + "format_table", odes.format_table,
         lambda: {"rows": odes.regime_table(("governed",))}),
    Case(P + "shock_test", lambda **kw: odes.shock_test(_gov(), **kw),
         lambda: {"x_star": _gov_star(), "kind": "impulse",
                  "direction": np.array([1.0, 0.0, 0.0, 0.0, 0.0, 1.0]), "magnitude": 0.3,
                  "duration": 5.0, "t_end": 20.0, "tol": 1e-3, "max_magnitude": 2.0,
                  "bisect_tol": 0.1}, check=_shock_ok, finite_output=False, timeout=30.0),
    Case(P + "shock_test", lambda **kw: odes.shock_test(_gov(), **kw),
         lambda: {"x_star": _gov_star(), "kind": "parameter", "param": "g", "value": 0.5,
                  "duration": 2.0,
                  "t_end": 20.0, "tol": 1e-3}, check=_shock_ok, finite_output=False,
         timeout=30.0),
    Case(P + "sensitivity", lambda **kw: odes.sensitivity(_gov(), progress=False, **kw),
         lambda: {"params": "g", "method": "local", "x_star": _gov_star(), "h": 1e-5,
                  "seed": 0}, check=_sens_local_ok, timeout=30.0),
    Case(P + "sensitivity",
         lambda **kw: odes.sensitivity(_gov(), progress=False, method="sobol",
                                       bounds={"g": (0.5, 1.5)}, **kw),
         lambda: {"params": "g", "n": 4, "seed": 0}, check=_sens_sobol_ok, timeout=30.0),
    # -- figures
    _figure_case(P + "BasinResult.plot", lambda r, title: r.plot(title=title), _basin_res),
    _figure_case(P + "ContinuationResult.plot", lambda r, title: r.plot(title=title),
                 _cont_res),
    _figure_case(P + "RegimeResult.plot", lambda r, title: r.plot(title=title), _regime_res),
    _figure_case(P + "ShockResult.plot", lambda r, title: r.plot(title=title), _shock_res),
    _figure_case(P + "plotting.plot_basins", PL.plot_basins, _basin_res),
    _figure_case(P + "plotting.plot_continuation", PL.plot_continuation, _cont_res),
    _figure_case(P + "plotting.plot_regimes", PL.plot_regimes, _regime_res),
    _figure_case(P + "plotting.plot_shock", PL.plot_shock, _shock_res),
    _figure_case(P + "plotting.plot_basins_generic", PL.plot_basins_generic, _generic_basins),
    # -- theorem helpers
    Case(P + "theorems.sample_volterra", T.sample_volterra,
         lambda: {"rng": np.random.default_rng(0), "n": 3},
         check=_sample_shapes(("A", "r", "X0"))),
    Case(P + "theorems.sample_weyl", T.sample_weyl,
         lambda: {"rng": np.random.default_rng(0), "n": 3},
         check=_sample_shapes(("J0", "G", "g"))),
    Case(P + "theorems.sample_p_matrix", T.sample_p_matrix,
         lambda: {"rng": np.random.default_rng(0), "n": 3},
         check=_sample_shapes(("M", "q"))),
    Case(P + "theorems.sample_glv", T.sample_glv,
         lambda: {"rng": np.random.default_rng(0), "n": 3},
         check=_sample_shapes(("A", "r"))),
    Case(P + "theorems.sample_cooperative", T.sample_cooperative,
         lambda: {"rng": np.random.default_rng(0)}),
    Case(P + "theorems.evaluate_volterra", lambda **kw: T.evaluate_volterra(kw),
         lambda: T.sample_volterra(np.random.default_rng(1), n=2), check=_bound_ok,
         finite_output=False, timeout=30.0),
    Case(P + "theorems.evaluate_weyl", lambda **kw: T.evaluate_weyl(kw),
         lambda: T.sample_weyl(np.random.default_rng(1), n=3), check=_bound_ok),
    Case(P + "theorems.evaluate_reciprocity", lambda **kw: T.evaluate_reciprocity(kw),
         lambda: T.sample_cooperative(np.random.default_rng(1)), check=_bound_ok),
    Case(P + "theorems.evaluate_p_matrix", lambda **kw: T.evaluate_p_matrix(kw),
         lambda: T.sample_p_matrix(np.random.default_rng(1), n=3), check=_bound_ok,
         finite_output=False),
    Case(P + "theorems.evaluate_local", lambda **kw: T.evaluate_local(kw),
         lambda: T.sample_glv(np.random.default_rng(1), n=2), check=_bound_ok,
         finite_output=False, timeout=30.0),
    Case(P + "theorems.preset_violations", T.preset_violations,
         lambda: {"rng": np.random.default_rng(0), "n_ic": 2}, timeout=60.0),
]


@functools.lru_cache(maxsize=None)
def _sym():
    import sympy as sp

    from equilibria.theory import SymbolicField

    x, y, a, b = sp.symbols("x y a b")
    return SymbolicField((x * (1 - x - b * y), y * (a - y - b * x)), (x, y), (a, b))


def _sym_field():
    return _sym()


def _end_states():
    X0 = np.array([[0.3, 0.6], [0.6, 0.3], [1.0, 0.2], [0.2, 1.0]])
    run = _comp().simulate_batch(X0, 50.0)
    return {"X": run.x.copy(), "status": run.status.copy(), "ftol": 1e-6, "cluster_tol": 1e-3}


EXEMPT = {
    P + "BasinResult": "result record built by basin_sweep, not an input API",
    P + "ContinuationResult": "result record built by basin_continuation, not an input API",
    P + "RegimeResult": "result record built by regime_diagram, not an input API",
    P + "ShockResult": "result record built by shock_test, not an input API",
    P + "SensitivityResult": "result record built by sensitivity, not an input API",
    P + "Trajectory": "result record built by the integrators, not an input API",
    P + "BatchRun": "result record built by simulate_batch, not an input API",
    P + "EquilibriumSet": "result record built by equilibria(), not an input API",
}

# -- the dynamic coexistence model (governance and conflict as states; Table 1)
from equilibria.odes import coexistence_dynamic as CD  # noqa: E402

Q = "equilibria.odes.coexistence_dynamic."


@functools.lru_cache(maxsize=None)
def _dyn():
    return CD.DynamicCoexistence.preset("baseline")


@functools.lru_cache(maxsize=None)
def _dyn_star_cached():
    return _dyn().equilibrium()


def _dyn_star():
    return _dyn_star_cached().copy()


def _z8():
    return np.array([0.9, 1.2, 0.9, 1.2, 0.9, 1.2, 0.9, 0.1])


CASES += [
    Case(Q + "DynamicCoexistence", CD.DynamicCoexistence,
         lambda: {"base": CoexistenceModel.preset("governed"), "pace": 0.5, "burden_h": 0.1,
                  "g0": 1.0, "response": 1.0, "gov_rate": 0.5, "conflict_rate": 0.5,
                  "conflict_decay": 1.0, "damping": 2.0, "damping_scale": 1.0,
                  "conflict_imbalance": 0.5}),
    Case(Q + "DynamicCoexistence.preset", CD.DynamicCoexistence.preset,
         lambda: {"name": "baseline", "g0": 1.0}),
    Case(Q + "DynamicCoexistence.from_static", CD.DynamicCoexistence.from_static,
         lambda: {"model": CoexistenceModel.preset("governed")}),
    _method_case(Q + "DynamicCoexistence.replace", _dyn, "replace",
                 lambda: {"g0": 0.5, "gain_h": 0.4}),
    _method_case(Q + "DynamicCoexistence.check_state", _dyn, "check_state",
                 lambda: {"z": _z8(), "name": "z"}, fuzz=("z",)),
    _method_case(Q + "DynamicCoexistence.field", _dyn, "field", lambda: {"z": _z8()}),
    _method_case(Q + "DynamicCoexistence.jacobian", _dyn, "jacobian", lambda: {"z": _z8()}),
    _method_case(Q + "DynamicCoexistence.indices", _dyn, "indices", lambda: {"z": _z8()}),
    _method_case(Q + "DynamicCoexistence.max_re", _dyn, "max_re", lambda: {"z": _z8()}),
    _method_case(Q + "DynamicCoexistence.frozen", _dyn, "frozen", lambda: {"g": 1.0, "c": 0.5}),
    _method_case(Q + "DynamicCoexistence.simulate", _dyn, "simulate",
                 lambda: {"z0": _z8(), "t_end": 5.0, "n_t": 11, "rtol": 1e-8, "atol": 1e-10}),
    _method_case(Q + "DynamicCoexistence.equilibrium", _dyn, "equilibrium",
                 lambda: {"z0": _dyn_star(), "t_end": 50.0}),
    Case(Q + "recovery_time", CD.recovery_time,
         lambda: {"model": _dyn(), "z_star": _dyn_star(), "knockdown": 0.5, "tol": 0.01,
                  "t_max": 200.0, "n_t": 401}, timeout=30.0),
    Case(Q + "scenario_metrics", CD.scenario_metrics, lambda: {"preset": "baseline"},
         timeout=30.0),
    Case(Q + "plot_scenarios", _plot(lambda t_end: CD.plot_scenarios(t_end=t_end)),
         lambda: {"t_end": 5.0}, timeout=30.0),
]
EXEMPT.update({
    Q + "calibrate_table1": "minutes-long least-squares calibration run by "
                            "benchmarks/coexistence_table1.py; arguments validated up front",
    Q + "Table1Fit": "result record built by calibrate_table1, not an input API",
})

EXEMPT["equilibria.odes.CoexistenceModel.scenario_metrics"] = (
    "takes only protocol keywords and delegates to coexistence_dynamic.scenario_metrics "
    "(fuzzed above); tests/odes/test_coexistence_dynamic.py calls it on the static presets")
