"""Tests of the common-pool resource model (equilibria.odes.cpr) and its theorems."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equilibria._lib.result import Result
from equilibria.odes import cpr as C
from equilibria.odes import cpr_theorems as T
from equilibria.odes.dynamical import ODE
from equilibria.verification import fit_loglog

from .._strategies import check_theorem


@pytest.fixture(scope="module", autouse=True)
def _warm():
    m = C.CPRModel()
    C.cpr_simulate(m, "rich_altruistic", 0.1, n_agents=10)
    m.field(m.state("rich_altruistic"))


def test_field_hand_values():
    m = C.CPRModel(r=1, K=1, q=1, e_norm=0.25, e_defect=1.2, price=1, cost=0.1, fine=3,
                   monitoring_cost=0.5, rule="replicator", speed=1)
    x = np.array([0.5, 0.5, 0.25, 0.25])
    # E = 0.25 * 0.75 + 1.2 * 0.25 = 0.4875; R' = 0.25 - 0.4875 * 0.5
    pi = m.payoffs(x)
    np.testing.assert_allclose(pi, [0.4 * 0.25, 0.4 * 1.2 - 0.75, 0.1 - 0.125])
    f = m.field(x)
    assert f[0] == pytest.approx(0.25 - 0.24375)
    mean = 0.5 * pi[0] + 0.25 * pi[1] + 0.25 * pi[2]
    np.testing.assert_allclose(f[1:], [0.5 * (pi[0] - mean), 0.25 * (pi[1] - mean),
                                       0.25 * (pi[2] - mean)])
    assert abs(f[1:].sum()) < 1e-14


@settings(max_examples=30)
@given(st.floats(0, 2), st.floats(0, 1), st.floats(0, 1), st.sampled_from(["fermi", "replicator"]))
def test_fractions_stay_on_the_simplex(R, a, b, rule):
    c, d = a * (1 - b), b * (1 - a)
    x = [R, c, d, 1 - c - d]
    f = C.CPRModel(rule=rule).field(x)
    assert abs(f[1:].sum()) < 1e-12


def test_invasion_margin_and_norm_stock():
    m = C.CPRModel()
    assert m.norm_stock() == pytest.approx(0.75)
    assert m.invasion_margin(0.3) == pytest.approx(0.9 - 0.65 * 0.95)
    assert m.invasion_margin(0.0) < 0  # no punishers: the tragedy of the commons


def test_presets_altruistic_sustain_selfish_collapse():
    m = C.CPRModel()
    out = {k: m.outcome(m.simulate(k, 200.0)[1][-1]) for k in C.PRESETS}
    assert out == {"rich_altruistic": "sustained", "scarce_altruistic": "sustained",
                   "rich_selfish": "collapse", "scarce_selfish": "collapse"}


def test_to_ode_matches_field_and_integrates():
    m = C.CPRModel()
    ode = m.to_ode()
    assert isinstance(ode, ODE) and ode.state_names == ("R", "c", "d", "p")
    x = m.state("scarce_selfish")
    np.testing.assert_allclose(ode.rhs(x), m.field(x))
    tr = ode.trajectory(x, 20.0)
    _, X = m.simulate(x, 20.0)
    assert tr.success
    np.testing.assert_allclose(tr.x_final, X[-1], atol=1e-4)


def test_abm_reproducible_and_result_family():
    m = C.CPRModel()
    a = C.cpr_simulate(m, "rich_altruistic", 2.0, n_agents=200, seed=3)
    b = C.cpr_simulate(m, "rich_altruistic", 2.0, n_agents=200, seed=3)
    c = C.cpr_simulate(m, "rich_altruistic", 2.0, n_agents=200, seed=4)
    assert isinstance(a, Result) and a.success
    np.testing.assert_array_equal(a.X, b.X)
    assert not np.array_equal(a.X, c.X)
    np.testing.assert_allclose(a.X[:, 1:].sum(axis=1), 1.0)
    np.testing.assert_allclose(a.X[0], [0.9, 0.6, 0.1, 0.3])


def test_abm_approaches_mean_field():
    m = C.CPRModel()
    _, X = m.simulate("rich_selfish", 5.0, n_eval=51)
    err = [np.mean([np.abs(C.cpr_simulate(m, "rich_selfish", 5.0, n_agents=N, seed=s,
                                          n_record=51).X - X).max() for s in range(4)])
           for N in (200, 20000)]
    assert err[1] < err[0] / 5


def test_abm_finite_n_collapse_while_mean_field_sustained():
    # cpr_simulate Notes: from "rich_altruistic" the mean field keeps p = 0.256 above the
    # invasion threshold p* = 0.206 and is sustained; at N = 2000 the punisher share drifts
    # almost neutrally while a few defectors survive, and in some seeds it crosses p* first:
    # the defectors invade, the punishers die out and the commons collapses.
    m = C.CPRModel()
    _, X = m.simulate("rich_altruistic", 40.0, n_eval=5)
    assert m.outcome(X[-1]) == "sustained" and X[-1, 2] < 1e-6
    assert m.invasion_margin(X[-1, 3]) > 0 > m.invasion_margin(0.2)
    runs = {N: [C.cpr_simulate(m, "rich_altruistic", 40.0, n_agents=N, seed=s, n_record=2)
                for s in range(n)] for N, n in ((2000, 40), (8000, 10))}
    fin = {N: np.array([r.X[-1] for r in rs]) for N, rs in runs.items()}
    col = {N: np.array([m.outcome(x) == "collapse" for x in f]) for N, f in fin.items()}
    assert col[2000][0]  # seed 0 collapses
    assert 3 <= col[2000].sum() <= 20  # 9 of 40 measured
    # the dichotomy: punishers extinct in every collapse, defectors extinct otherwise
    assert np.all(fin[2000][col[2000], 3] == 0) and np.all(fin[2000][~col[2000], 2] == 0)
    assert col[8000].sum() <= 1  # 0 of 10 measured: the effect vanishes as N grows


@pytest.mark.parametrize("kw, match", [({"r": 0}, "r"), ({"e_defect": 0.1}, "e_defect"),
                                       ({"rule": "moran"}, "rule"), ({"fine": -1}, "fine")])
def test_model_validation(kw, match):
    with pytest.raises(ValueError, match=match):
        C.CPRModel(**kw)


def test_simulate_validation():
    m = C.CPRModel()
    with pytest.raises(ValueError, match="x0"):
        m.simulate([1.0, 0.5, 0.5, 0.5], 1.0)
    with pytest.raises(ValueError, match="preset"):
        m.state("rich")
    with pytest.raises(ValueError, match="n_agents"):
        C.cpr_simulate(m, "rich_selfish", 1.0, n_agents=1)
    with pytest.raises(TypeError, match="model"):
        C.cpr_simulate("m", "rich_selfish", 1.0)


@pytest.mark.parametrize("thm", [T.OPEN_ACCESS, T.MSY, T.INVASION], ids=lambda t: t.name)
def test_bound_theorems_hold(thm):
    check_theorem(thm)


def _scaled(index, factor):
    def field(x, prm):
        prm = prm.copy()
        prm[index] *= factor
        return C._cpr_field(x, prm)
    return field


def test_open_access_check_fails_with_a_wrong_field():
    """Imitation that ignores half the effort cost settles at w/(2vq), not Gordon's stock."""
    inst = T.sample_open_access(np.random.default_rng(0))
    measured, bound = T.evaluate_open_access(inst, field=_scaled(6, 0.5))
    assert measured > 10 * bound


def test_msy_check_fails_with_a_wrong_growth():
    """A theta-logistic growth r R (1 - (R/K)^2) has its MSY at K / sqrt(3), not K/2."""
    def theta(R, E, r, K, q):
        return r * R * (1 - (R / K) ** 2) - q * E * R
    inst = T.sample_msy(np.random.default_rng(0))
    measured, bound = T.evaluate_msy(inst, growth=theta)
    assert measured > 0.05 > bound


def test_invasion_check_fails_without_the_fine():
    """A field that drops the fine lets defectors invade where the condition says they
    cannot, so the verdict disagrees on the stable side."""
    rng = np.random.default_rng(0)
    bad = [T.evaluate_invasion(T.sample_invasion(rng), field=_scaled(7, 0.0))[0]
           for _ in range(30)]
    assert max(bad) == 1.0


def test_invasion_sampler_covers_both_sides():
    rng = np.random.default_rng(1)
    signs = set()
    for _ in range(40):
        inst = T.sample_invasion(rng)
        x = inst["x0"]
        signs.add(inst["model"].invasion_margin(x[3] / (x[1] + x[3])) > 0)
    assert signs == {True, False}


def test_abm_rate_slope_in_band():
    data = T.abm_mean_field_rate(np.random.default_rng(0), True)
    fit = fit_loglog(data.sizes, data.values, kind=data.kind)
    lo, hi = T.ABM_RATE.band
    assert lo <= fit.ci[0] and fit.ci[1] <= hi, fit.slope


def test_abm_rate_check_fails_with_a_biased_abm():
    """An agent-based run whose resource regrows 20 % too fast follows a different mean
    field: its error stays O(1) and the slope leaves the band."""
    def biased(model, x0, t_end, **kw):
        return C.cpr_simulate(model.replace(r=1.2 * model.r), x0, t_end, **kw)
    data = T.abm_mean_field_rate(np.random.default_rng(0), True, simulate=biased)
    fit = fit_loglog(data.sizes, data.values, kind=data.kind)
    lo, hi = T.ABM_RATE.band
    assert not (lo <= fit.ci[0] and fit.ci[1] <= hi), fit.slope
    assert not T.ABM_RATE.judge(data).passed


# --------------------------------------------------------------------------- figures
from equilibria.odes import cpr_plots as CP  # noqa: E402


@pytest.fixture
def _agg():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    yield
    plt.close("all")


def test_regimes_fine_and_monitoring_cost():
    """Zero fine collapses the commons; a large fine with free monitoring sustains it; a high
    monitoring cost at a moderate fine lets second-order free riders undo punishment."""
    m = C.CPRModel()
    res = CP.cpr_regimes(m, [0.0, 2.5, 8.0], [0.0, 1.5], progress=False)
    assert res.success and res.classes.shape == (2, 3) and res.final.shape == (2, 3, 4)
    assert res.classes[0].tolist() == [1, 0, 0]
    assert res.classes[1].tolist() == [1, 1, 0]
    # the sustained cells sit at the norm stock, the collapsed ones at Gordon's w / (v q)
    np.testing.assert_allclose(res.final[0, 2, 0], m.norm_stock(), rtol=1e-4)
    np.testing.assert_allclose(res.final[1, 1, 0], m.cost / (m.price * m.q), rtol=1e-3)


def test_regimes_executor_same_result():
    from concurrent.futures import ThreadPoolExecutor
    m = C.CPRModel(rule="replicator")
    a = CP.cpr_regimes(m, [0.5, 4.0], [0.0, 1.0], x0="scarce_altruistic", progress=False)
    with ThreadPoolExecutor(2) as ex:
        b = CP.cpr_regimes(m, [0.5, 4.0], [0.0, 1.0], x0="scarce_altruistic", executor=ex,
                           progress=False)
    np.testing.assert_array_equal(a.classes, b.classes)
    np.testing.assert_allclose(a.final, b.final)


@pytest.mark.parametrize("kw, err, match", [
    ({"fines": [-1.0]}, ValueError, "fines"), ({"fines": []}, ValueError, "fines"),
    ({"monitoring_costs": [np.nan]}, ValueError, "monitoring_costs"),
    ({"x0": "rich"}, ValueError, "x0"), ({"t_end": 0.0}, ValueError, "t_end"),
    ({"model": "m"}, TypeError, "model")])
def test_regimes_validation(kw, err, match):
    args = {"model": C.CPRModel(), "fines": [1.0], "monitoring_costs": [0.0], **kw}
    with pytest.raises(err, match=match):
        CP.cpr_regimes(args.pop("model"), args.pop("fines"), args.pop("monitoring_costs"),
                       progress=False, **args)


def test_plot_presets_panels(_agg):
    m = C.CPRModel()
    fig = CP.plot_cpr_presets(m, t_end=50.0, abm_agents=500)
    assert len(fig.axes) == 4
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[0].endswith("sustained") and titles[1].endswith("collapse")
    # 4 mean-field + 4 agent-based lines per panel, plus the two reference lines
    assert all(len(ax.lines) == 10 for ax in fig.axes)
    fig.savefig("/tmp/cpr_test_presets.png", dpi=60)


def test_plot_regimes_and_simplex(_agg):
    import matplotlib.pyplot as plt
    m = C.CPRModel()
    res = CP.cpr_regimes(m, [0.0, 4.0], [0.0, 1.0], progress=False)
    _, ax = plt.subplots()
    fig = CP.plot_cpr_regimes(res, ax=ax, model=m)
    assert fig is ax.figure and len(ax.collections) == 1
    # threshold (v q R* - w)(e_D - e_C) / (p0 / (c0 + p0)) = 0.6175 / (1/3)
    assert ax.lines[0].get_xdata()[0] == pytest.approx(0.6175 * 3)
    fig = CP.plot_cpr_simplex(m, n=3, t_end=30.0)
    assert len(fig.axes[0].lines) == 1 + 3 * 6
    with pytest.raises(TypeError, match="res"):
        CP.plot_cpr_regimes("res")
    with pytest.raises(ValueError, match="n"):
        CP.plot_cpr_simplex(m, n=1)
