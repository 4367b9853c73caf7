"""Dynamic coexistence model (governance and conflict as states) calibrated to Table 1 of
Chakraborty (2026): the table from the frozen presets, the recovery protocol on hand cases,
the registered stability theorems at frozen (g, c), validation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equilibria.odes import CoexistenceModel
from equilibria.odes import coexistence_dynamic as cd
from equilibria.odes.coexistence_dynamic import (DYNAMIC_PRESETS, TABLE1, DynamicCoexistence,
                                                 recovery_time, scenario_metrics)
from equilibria.theory.stability import (diagonal_stability, is_m_matrix, is_p_matrix,
                                         saturated_equilibrium, symmetric_margin)

#: achieved residuals |package - paper| of the frozen presets (indices <= 4e-11, recovery
#: <= 5e-10 relative, governed max Re(lambda) 2e-13), asserted with a margin for the
#: integrator's platform variation (indices absolute, recovery relative, max Re absolute);
#: the brief's targets were 0.01, 5 % and "near -0.131"
TOL_INDEX = 1e-6
TOL_RECOVERY = 1e-6
TOL_MAX_RE = 1e-6


@pytest.fixture(scope="module")
def metrics():
    out = {}
    for sc in DYNAMIC_PRESETS:
        m = DynamicCoexistence.preset(sc)
        z = m.equilibrium()
        out[sc] = (m, z, scenario_metrics(m))
    return out


# ------------------------------------------------------------------------------ Table 1
@pytest.mark.parametrize("sc", DYNAMIC_PRESETS)
def test_table1_recomputed_from_presets(metrics, sc):
    _, _, got = metrics[sc]
    assert set(got) == {"coexistence", "domination", "conflict", "recovery_time"}
    want = TABLE1[sc]
    for k in ("coexistence", "domination", "conflict"):
        assert abs(got[k] - want[k]) <= TOL_INDEX, (sc, k, got[k], want[k])
    assert abs(got["recovery_time"] / want["recovery_time"] - 1) <= TOL_RECOVERY, \
        (sc, got["recovery_time"], want["recovery_time"])


def test_governed_spectral_abscissa(metrics):
    m, z, _ = metrics["baseline"]
    assert abs(m.max_re(z) - cd.TABLE1_MAX_RE) <= TOL_MAX_RE
    for sc in DYNAMIC_PRESETS:  # every scenario's equilibrium is hyperbolic and stable
        m, z, _ = metrics[sc]
        assert m.max_re(z) < 0


def test_presets_share_all_but_governance():
    ms = {sc: DynamicCoexistence.preset(sc) for sc in DYNAMIC_PRESETS}
    ng = ms["no_governance"]
    assert ng.g0 == 0 and ng.response == 0
    for f in cd._DYN_FIELDS:
        if f not in ("g0", "response"):
            assert getattr(ms["baseline"], f) == getattr(ng, f) == \
                getattr(ms["over_governance"], f)
    for f in ("r_h", "r_a", "s_h", "s_a", "w", "c", "G", "gain_h", "gain_a", "conflict_h",
              "conflict_a", "burden", "mediation"):
        assert np.array_equal(getattr(ms["baseline"].base, f), getattr(ng.base, f))
        assert np.array_equal(getattr(ms["over_governance"].base, f), getattr(ng.base, f))
    assert ms["over_governance"].g0 > ms["baseline"].g0


def test_no_governance_keeps_g_at_zero(metrics):
    m, z, _ = metrics["no_governance"]
    t, Z = m.simulate(None, 100.0, n_t=51)
    assert np.max(np.abs(Z[:, m.n])) <= 1e-12 and abs(z[m.n]) <= 1e-12
    assert m.indices(z).dominant == "AI"


def test_indices_are_the_base_models_on_the_frozen_model(metrics):
    m, z, got = metrics["over_governance"]
    x, g, c = m._split(z)
    ref = m.base.replace(g=g, c=np.asarray(m.base.c) * c,
                         r_h=np.asarray(m.base.r_h) - m.burden_h * g).indices(x)
    assert ref.coexistence == got["coexistence"] and ref.conflict == got["conflict"]
    # the conflict burden of the GLV family depends on (c, g) only: flows are all ~ h a
    k0 = (m.base.conflict_h + m.base.conflict_a) * c
    ben = m.base.gain_h + m.base.gain_a + 2 * g * m.base.mediation
    assert got["conflict"] == pytest.approx(k0 / (k0 + ben), rel=1e-12)


def test_static_presets_through_scenario_metrics_match_the_readme_table():
    # "package before": the README presets by the same protocol (indices as in its table)
    want = {"governed": (1.000, 0.000, 0.250), "ungoverned": (0.592, 0.408, 0.389),
            "overgoverned": (0.248, 0.300, 0.121)}
    for name, (co, do, cf) in want.items():
        got = scenario_metrics(name)
        assert (round(got["coexistence"], 3), round(got["domination"], 3),
                round(got["conflict"], 3)) == (co, do, cf), name
        assert 0 < got["recovery_time"] < 10  # fast: the static presets' spectra are ~ -1
    st_ = CoexistenceModel.preset("ungoverned")
    dyn = DynamicCoexistence.from_static(st_)
    z = dyn.pinned_start()
    assert z[dyn.n] == st_.g and z[dyn.n + 1] == pytest.approx(1.0, rel=1e-14)
    np.testing.assert_allclose(dyn.field(z)[:dyn.n], st_.field(z[:dyn.n]), atol=1e-14)
    assert np.all(np.abs(dyn.field(z)[dyn.n:]) < 1e-14)  # g and c stay pinned


# ------------------------------------------------------------------------------ recovery
def _logistic(pace=1.0):
    base = CoexistenceModel(gain_h=0.0, gain_a=0.0, c=0.0, diffusion=0.0, inter_layer=0.0)
    return DynamicCoexistence(base=base, pace=pace, g0=0.0, response=0.0)


@pytest.mark.parametrize("pace", [1.0, 0.25])
def test_recovery_logistic_hand_case(pace):
    # uncoupled logistic x' = tau x (1 - x), g = c = 0: from x = 1/2 the deviation is
    # e^{-tau t} / (1 + e^{-tau t}), threshold 0.01 (1 + 1) -> T = ln(49) / tau
    m = _logistic(pace)
    z = m.equilibrium()
    np.testing.assert_allclose(z, np.r_[np.ones(6), 0.0, 0.0], atol=1e-10)
    assert recovery_time(m, z) == pytest.approx(math.log(49.0) / pace, rel=1e-6)
    # tol 0.05: e^{-t}/(1+e^{-t}) = 0.1 -> ln 9; knock-down 0.9: x0 = 0.1
    assert recovery_time(m, z, tol=0.05) == pytest.approx(math.log(9.0) / pace, rel=1e-6)
    assert recovery_time(m, z, knockdown=0.9) == pytest.approx(
        math.log(9.0 * 49.0) / pace, rel=1e-6)


def test_recovery_edge_cases():
    m = _logistic()
    z = m.equilibrium()
    assert recovery_time(m, z, knockdown=0.0) == 0.0
    assert recovery_time(m, z, knockdown=0.015) == 0.0  # within 0.02 from the start
    with pytest.warns(RuntimeWarning, match="not within"):
        assert recovery_time(m, z, knockdown=1.0) == math.inf  # x = 0 is invariant
    with pytest.warns(RuntimeWarning, match="not within"):
        assert recovery_time(m, z, t_max=2.0) == math.inf  # not yet back at the horizon


# ------------------------------------------------------------------------------ structure
def test_jacobian_matches_finite_differences():
    m = DynamicCoexistence.preset("baseline", response=2.0, conflict_imbalance=1.5)
    z = np.random.default_rng(1).uniform(0.2, 1.5, m.dim)
    e = 1e-6
    Jn = np.array([(m.field(z + e * v) - m.field(z - e * v)) / (2 * e)
                   for v in np.eye(m.dim)]).T
    np.testing.assert_allclose(m.jacobian(z), Jn, atol=1e-7)
    ode = m.to_ode()
    np.testing.assert_allclose(ode.rhs(z), m.field(z), rtol=1e-12, atol=1e-13)


def test_frozen_subsystem_is_the_base_glv(metrics):
    m, z, _ = metrics["baseline"]
    x, g, c = m._split(z)
    fr = m.frozen(g, c)
    np.testing.assert_allclose(m.field(z)[:m.n], m.pace * fr.field(x), atol=1e-13)
    np.testing.assert_allclose(m.jacobian(z)[:m.n, :m.n], m.pace * fr.jacobian(x),
                               atol=1e-13)


@pytest.mark.parametrize("sc", DYNAMIC_PRESETS)
def test_equilibrium_is_the_frozen_saturated_equilibrium(metrics, sc):
    # (i): x* is the saturated equilibrium of the frozen GLV at (g*, c*); the frozen A is
    # Volterra stable (LMI certificate) and -A a P-matrix, so it is the unique one
    m, z, _ = metrics[sc]
    x, g, c = m._split(z)
    fr = m.frozen(g, c)
    assert diagonal_stability(fr.interaction).certified
    assert is_p_matrix(-fr.interaction)
    lcp = saturated_equilibrium(fr.interaction, fr.rates)
    assert lcp.success
    np.testing.assert_allclose(lcp.z, x, atol=1e-8)


def test_frozen_populations_converge_globally(metrics):
    # odes.volterra_global_convergence at fixed (g, c): interior starts converge to x*
    m, z, _ = metrics["over_governance"]
    x, g, c = m._split(z)
    fr = m.frozen(g, c)
    X0 = np.random.default_rng(2).uniform(0.05, 3.0, (6, m.n))
    run = fr.simulate_batch(X0, 800.0, rtol=1e-9, atol=1e-12, warn=False)
    assert run.success
    assert float(np.max(np.abs(run.x - x))) < 1e-5


@settings(max_examples=15, deadline=None, derandomize=True)
@given(c=st.floats(0.0, 2.0), g_max=st.floats(0.5, 8.0))
def test_governance_margin_monotone_at_frozen_conflict(c, g_max):
    # odes.governance_margin_monotone: G PSD, so the symmetric-part margin of A(g, c) is
    # nondecreasing in g, whatever the frozen conflict
    m = DynamicCoexistence.preset("baseline")
    gs = np.linspace(0.0, g_max, 12)
    margins = [symmetric_margin(m.frozen(g, c).interaction) for g in gs]
    assert np.all(np.diff(margins) >= -1e-12)


def test_reciprocity_monotone_without_conflict():
    # odes.reciprocity_monotone at c = 0: -A(g, 0) an M-matrix, r(g) > 0 -> x* grows with w
    m = DynamicCoexistence.preset("baseline")
    g = 0.5
    lo_, hi_ = m.frozen(g, 0.0), m.replace(w=1.3).frozen(g, 0.0)
    assert is_m_matrix(-lo_.interaction) and is_m_matrix(-hi_.interaction)
    assert np.all(lo_.rates > 0)
    x0 = np.linalg.solve(-lo_.interaction, lo_.rates)
    x1 = np.linalg.solve(-hi_.interaction, hi_.rates)
    assert np.all(x1 >= x0 - 1e-12) and np.any(x1 > x0 + 1e-3)


def test_block_triangular_spectrum_without_feedback():
    # (iii): k_D = k_cD = 0 -> spectrum = frozen population spectrum (times tau) together
    # with -rho_g and -rho_c (mu_c + gamma phi(g*))
    m = DynamicCoexistence.preset("over_governance", response=0.0, conflict_imbalance=0.0)
    z = m.equilibrium()
    x, g, c = m._split(z)
    pop = np.linalg.eigvals(m.pace * m.frozen(g, c).jacobian(x))
    want = np.sort_complex(np.r_[pop, -m.gov_rate,
                                 -m.conflict_rate * (m.conflict_decay + m.damping * m._phi(g))])
    got = np.sort_complex(np.linalg.eigvals(m.jacobian(z)))
    np.testing.assert_allclose(got, want, atol=1e-9)


def test_local_stability_agrees_extended(metrics):
    # (ii) odes.local_stability_agrees on the extended system: a small perturbation of the
    # stable z* decays at least like the spectral abscissa predicts over 4/|max Re|
    m, z, _ = metrics["baseline"]
    lam = m.max_re(z)
    dz = 1e-5 * np.random.default_rng(3).uniform(-1, 1, m.dim)
    T = 4.0 / abs(lam)
    _, Z = m.simulate(np.maximum(z + dz, 0.0), T, n_t=2)
    assert np.max(np.abs(Z[-1] - z)) < 0.5 * np.max(np.abs(dz))


# ------------------------------------------------------------------------------ validation
def test_validation_errors():
    base = CoexistenceModel()
    with pytest.raises(TypeError, match="CoexistenceModel"):
        DynamicCoexistence(base="governed")
    with pytest.raises(ValueError, match="GLV"):
        DynamicCoexistence(base=CoexistenceModel.preset("lock_in"))
    for bad in ({"pace": 0.0}, {"gov_rate": -1.0}, {"damping_scale": 0.0}, {"g0": -0.1},
                {"response": float("nan")}, {"conflict_decay": 0.0}):
        with pytest.raises(ValueError):
            DynamicCoexistence(base=base, **bad)
    m = DynamicCoexistence(base=base)
    with pytest.raises(ValueError, match="shape"):
        m.check_state(np.ones(3))
    with pytest.raises(ValueError, match="non-negative"):
        m.check_state(-np.ones(m.dim))
    with pytest.raises(ValueError):
        DynamicCoexistence.preset("governed")
    with pytest.raises(ValueError):
        m.frozen(-1.0, 0.0)
    with pytest.raises(ValueError):
        recovery_time(m, knockdown=1.5)
    with pytest.raises(ValueError):
        recovery_time(m, tol=0.0)
    with pytest.raises(TypeError, match="DynamicCoexistence"):
        recovery_time(base)
    with pytest.raises(TypeError, match="DynamicCoexistence"):
        scenario_metrics(3)
    with pytest.raises(ValueError, match="preset"):
        scenario_metrics("lock_in")
    with pytest.raises(ValueError, match="bound"):
        m.field(np.full(m.dim, 1e300))
    with pytest.raises(ValueError):
        m.replace(not_a_parameter=1.0)
    with pytest.raises(ValueError, match="asymmetric"):
        DynamicCoexistence.from_static(CoexistenceModel(conflict_h=0.2, conflict_a=0.2))
    with pytest.raises(TypeError, match="CoexistenceModel"):
        DynamicCoexistence.from_static(m)


def test_coexistence_model_method_is_the_function():
    """``CoexistenceModel.scenario_metrics()`` (the issue's name) is the module function on the
    static model: the README's ungoverned row (coexistence 0.592, domination 0.408)."""
    from equilibria.odes import CoexistenceModel

    got = CoexistenceModel.preset("ungoverned").scenario_metrics()
    assert set(got) == {"coexistence", "domination", "conflict", "recovery_time"}
    assert got == scenario_metrics("ungoverned")
    assert abs(got["coexistence"] - 0.592) < 1e-3 and abs(got["domination"] - 0.408) < 1e-3
