"""Fuzz baselines of the common-pool resource model (:mod:`equilibria.odes.cpr`), its figures
(:mod:`equilibria.odes.cpr_plots`) and theorems (:mod:`equilibria.odes.cpr_theorems`); merged
into the odes room's cases.

Invariants: the field's share components sum to 0 and match the hand formula of the
replicator rule, payoffs are the closed forms, the norm stock is ``K (1 - q e_C / r)``, the
invasion margin is linear in ``p``, agent-based shares stay on the simplex and the first
record is the start, regime cells are labelled by the final stock, the samplers' instances
satisfy the theorems' assumptions and the evaluations stay within bound.
"""

import numpy as np

from equilibria import odes as O
from equilibria.odes import cpr as C
from equilibria.odes import cpr_plots as CP
from equilibria.odes import cpr_theorems as CT
from tests.fuzz.harness import Case

P = "equilibria.odes."


def _n(obj, mod):
    """Canonical name: ``equilibria.odes.X`` once exported there, else the module path."""
    name = obj.__name__
    return P + name if getattr(O, name, None) is obj else P + mod + "." + name


M = _n(C.CPRModel, "cpr")
X0 = np.array([0.6, 0.5, 0.3, 0.2])


def _model_ok(res, kw):
    assert isinstance(res, C.CPRModel)
    for k, v in kw.items():
        if k != "rule":
            assert getattr(res, k) == float(v)


def _field_ok(res, kw):
    # sum of the share rates = mean payoff * (1 - c - d - p): 0 up to the input's rounding
    x = np.asarray(kw["x"], dtype=float)
    assert res.shape == (4,) and abs(res[1:].sum()) <= 1e-12 + 10 * abs(1 - x[1:].sum())
    m = C.CPRModel(rule="replicator")
    E = m.e_norm * (x[1] + x[3]) + m.e_defect * x[2]
    assert abs(res[0] - (x[0] * (1 - x[0]) - E * x[0])) <= 1e-12 * max(1.0, abs(x[0]) ** 2)


def _payoffs_ok(res, kw):
    x = np.asarray(kw["x"], dtype=float)
    m = C.CPRModel()
    unit = m.price * m.q * x[0] - m.cost
    want = [unit * m.e_norm, unit * m.e_defect - m.fine * x[3],
            unit * m.e_norm - m.monitoring_cost * x[2]]
    np.testing.assert_allclose(res, want, rtol=1e-12, atol=1e-12 * max(1.0, abs(unit)))


def _margin_ok(res, kw):
    m = C.CPRModel()
    want = m.fine * float(kw["p"]) - (m.price * m.q * 0.75 - m.cost) * (m.e_defect - m.e_norm)
    assert abs(res - want) < 1e-12


def _state_ok(res, kw):
    assert res.shape == (4,) and abs(res[1:].sum() - 1) <= 1e-6 and np.all(res[1:] >= -1e-12)


def _sim_ok(res, kw):
    t, X = res
    assert X.shape == (len(t), 4) and np.all(X[:, 0] >= -1e-12)
    np.testing.assert_allclose(X[:, 1:].sum(axis=1), 1.0, atol=1e-7)


def _abm_ok(res, kw):
    if not res.success:
        return
    X = res.X
    assert X.shape == (int(kw.get("n_record", 101)), 4)
    np.testing.assert_allclose(X[:, 1:].sum(axis=1), 1.0, atol=1e-12)
    assert np.all(X >= 0)
    N = res.n_agents
    np.testing.assert_allclose(X[:, 1:] * N, np.round(X[:, 1:] * N), atol=1e-6)


def _regimes_ok(res, kw):
    if not res.success:
        return
    m = C.CPRModel()
    want = np.where(res.final[..., 0] >= 0.5 * m.norm_stock(), 0, 1)
    np.testing.assert_array_equal(res.classes, want)


def _outcome_ok(res, kw):
    assert res in ("sustained", "collapse")


def _sample_oa_ok(res, kw):
    m = res["model"]
    R_inf = m.cost / (m.price * m.q)
    assert m.K * (1 - m.q * m.e_defect / m.r) < R_inf < m.norm_stock()
    assert m.fine == 0 and res["x0"][3] == 0


def _sample_inv_ok(res, kw):
    m, x0 = res["model"], res["x0"]
    assert abs(sum(x0[1:]) - 1) < 1e-12 and x0[2] == 1e-5
    assert abs(m.invasion_margin(x0[3] / (x0[1] + x0[3]))) > 0


def _sample_msy_ok(res, kw):
    assert all(res[k] > 0 for k in ("r", "K", "q"))


def _within(out, kw):
    value, bound = out
    assert value <= bound + 1e-12, f"{value} > {bound}"


def _rate_ok(res, kw):
    slope = np.polyfit(np.log(res.sizes), np.log(np.mean(res.values, axis=0)), 1)[0]
    assert -0.8 <= slope <= -0.2, f"slope {slope}"


def _fig_ok(res, kw):
    assert len(res.axes) >= 1


CASES = [
    Case(M, C.CPRModel,
         lambda: {"r": 1.0, "K": 1.0, "q": 1.0, "e_norm": 0.25, "e_defect": 1.2,
                  "price": 1.0, "cost": 0.1, "fine": 3.0, "monitoring_cost": 0.5,
                  "speed": 1.0, "intensity": 10.0, "rule": "fermi"}, check=_model_ok),
    Case(M + ".replace", lambda **kw: C.CPRModel().replace(**kw),
         lambda: {"fine": 2.0, "monitoring_cost": 0.1}, check=_model_ok),
    Case(M + ".check_state", lambda **kw: C.CPRModel().check_state(**kw),
         lambda: {"x": X0.copy(), "name": "x"}, check=_state_ok, fuzz=("x",)),
    Case(M + ".initial", lambda **kw: C.CPRModel().initial(**kw),
         lambda: {"x0": X0.copy()}, check=_state_ok),
    Case(M + ".initial", lambda **kw: C.CPRModel().initial(**kw),
         lambda: {"x0": "rich_selfish"}, check=_state_ok),
    Case(M + ".state", lambda **kw: C.CPRModel().state(**kw),
         lambda: {"preset": "scarce_selfish"}, check=_state_ok),
    Case(M + ".field", lambda **kw: C.CPRModel(rule="replicator").field(**kw),
         lambda: {"x": X0.copy()}, check=_field_ok),
    Case(M + ".payoffs", lambda **kw: C.CPRModel().payoffs(**kw),
         lambda: {"x": X0.copy()}, check=_payoffs_ok),
    Case(M + ".invasion_margin", lambda **kw: C.CPRModel().invasion_margin(**kw),
         lambda: {"p": 0.3}, check=_margin_ok),
    Case(M + ".simulate", lambda **kw: C.CPRModel().simulate(**kw),
         lambda: {"x0": X0.copy(), "t_end": 5.0, "n_eval": 11}, check=_sim_ok),
    Case(M + ".outcome", lambda **kw: C.CPRModel().outcome(**kw),
         lambda: {"x": X0.copy(), "threshold": 0.5}, check=_outcome_ok),
    Case(_n(C.cpr_simulate, "cpr"), lambda **kw: C.cpr_simulate(C.CPRModel(), **kw),
         lambda: {"x0": X0.copy(), "t_end": 2.0, "n_agents": 300, "seed": 1,
                  "n_record": 11}, check=_abm_ok),
    Case(_n(CP.cpr_regimes, "cpr_plots"),
         lambda **kw: CP.cpr_regimes(C.CPRModel(), progress=False, **kw),
         lambda: {"fines": np.array([0.0, 4.0]), "monitoring_costs": np.array([0.0, 1.0]),
                  "x0": "rich_altruistic", "t_end": 50.0}, check=_regimes_ok, timeout=60.0),
    # --- theorems
    Case(P + "cpr_theorems.sample_open_access", CT.sample_open_access,
         lambda: {"rng": np.random.default_rng(0)}, check=_sample_oa_ok),
    Case(P + "cpr_theorems.sample_msy", CT.sample_msy,
         lambda: {"rng": np.random.default_rng(0)}, check=_sample_msy_ok),
    Case(P + "cpr_theorems.sample_invasion", CT.sample_invasion,
         lambda: {"rng": np.random.default_rng(0)}, check=_sample_inv_ok),
    Case(P + "cpr_theorems.evaluate_open_access", lambda **kw: CT.evaluate_open_access(kw),
         lambda: CT.sample_open_access(np.random.default_rng(1)), check=_within,
         fuzz=(), timeout=60.0),
    Case(P + "cpr_theorems.evaluate_msy", lambda **kw: CT.evaluate_msy(kw),
         lambda: CT.sample_msy(np.random.default_rng(1)), check=_within, fuzz=()),
    Case(P + "cpr_theorems.evaluate_invasion", lambda **kw: CT.evaluate_invasion(kw),
         lambda: CT.sample_invasion(np.random.default_rng(1)), check=_within, fuzz=()),
    Case(P + "cpr_theorems.abm_mean_field_rate", CT.abm_mean_field_rate,
         lambda: {"rng": np.random.default_rng(0), "quick": True}, check=_rate_ok,
         timeout=60.0),
]

EXEMPT = {
    _n(C.CPRSimulation, "cpr"): "result record built by cpr_simulate, not an input API",
    _n(CP.CPRRegimeResult, "cpr_plots"): "result record built by cpr_regimes",
    _n(CP.plot_cpr_presets, "cpr_plots"): "figure of fixed presets; its inputs are validated "
                                          "by check_scalar / check_int as in cpr_simulate",
    _n(CP.plot_cpr_regimes, "cpr_plots"): "figure drawing a CPRRegimeResult (type-checked)",
    _n(CP.plot_cpr_simplex, "cpr_plots"): "figure; inputs validated as in CPRModel.simulate",
}
