import numpy as np
import pytest

from equilibria._lib.result import ConvergenceWarning
from equilibria.odes import (CoexistenceModel, LVSystem, SweepOptions, basin_continuation,
                             basin_sweep, format_table, lv_competition, regime_diagram, regime_table,
                             sensitivity, shock_test)
from equilibria.odes.attractors import DIVERGED

from . import naive


@pytest.fixture(scope="module")
def lock_in():
    return CoexistenceModel.preset("lock_in")


@pytest.fixture(scope="module")
def lock_basins(lock_in):
    return basin_sweep(lock_in, grid=40, progress=False)


def test_basin_sweep_finds_both_lock_in_attractors(lock_in, lock_basins):
    b = lock_basins
    assert b.success and b.attractors.shape[0] == 2
    assert set(b.classes) == {"coexistence", "suppressed development"}
    np.testing.assert_allclose(b.fractions.sum(), 1.0, rtol=0, atol=1e-12)
    # the attractors are the stable equilibria found independently by Newton
    eq = lock_in.equilibria(n_starts=40)
    for a in b.attractors:
        d = np.min(np.max(np.abs(eq.stable_points - a), axis=1))
        assert d <= 1e-6


def test_basin_labels_agree_with_reference_integrator(lock_in, lock_basins):
    b = lock_basins
    rng = np.random.default_rng(0)
    idx = rng.choice(b.labels.size, 30, replace=False)
    U, V = np.meshgrid(b.u, b.v)
    agree = 0
    for i in idx:
        x0 = lock_in.uniform_state(U.ravel()[i], V.ravel()[i])
        xT = naive.reference_solution(lock_in.system, x0, np.array([0.0, 500.0]))[-1]
        lab = int(np.argmin(np.max(np.abs(b.attractors - xT), axis=1)))
        agree += lab == b.labels.ravel()[i]
    assert agree >= 29


def test_basin_sweep_classic_bistable_competition():
    S = lv_competition([1.0, 1.0], [1.0, 1.0], [[1.0, 2.0], [2.0, 1.0]])
    b = basin_sweep(S, grid=41, u_range=(0.05, 2.0), progress=False)
    # two exclusion states, and the interior saddle reached exactly on the diagonal u = v
    # (its stable manifold, by symmetry)
    assert b.attractors.shape[0] == 3
    np.testing.assert_allclose(b.attractors[2], [1 / 3, 1 / 3], rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(np.flatnonzero(b.labels.ravel() == 2),
                                  np.flatnonzero(np.eye(41, dtype=bool).ravel()))
    x_wins = int(np.flatnonzero(b.attractors[:, 0] > 0.5)[0])
    assert b.labels[5, 30] == x_wins  # v small, u large -> x wins
    np.testing.assert_allclose(b.fractions[:2], [40 / 82, 40 / 82], rtol=0, atol=1e-12)


def test_basin_sweep_labels_divergence():
    S = LVSystem(r=np.array([1.0, 1.0]), A=np.array([[-1.0, 2.0], [2.0, -1.0]]))
    with pytest.warns(ConvergenceWarning, match="diverged"):
        b = basin_sweep(S, grid=8, options=SweepOptions(t_end=50.0), progress=False)
    assert np.all(b.labels == DIVERGED) and not b.success


def test_basin_plot(lock_basins):
    fig = lock_basins.plot()
    ax = fig.axes[0]
    assert "human" in ax.get_xlabel() and "AI" in ax.get_ylabel()
    assert len(ax.get_legend().get_texts()) == 2


def test_continuation_governance_story():
    M = CoexistenceModel.preset("governed")
    c = basin_continuation(M, "g", [0.0, 1.0, 4.0], grid=8, progress=False)
    cls = c.class_fractions
    from equilibria.odes import OUTCOME_CLASSES as OC
    assert cls[0, OC.index("AI domination")] == 1.0
    assert cls[1, OC.index("coexistence")] == 1.0
    assert cls[2, OC.index("suppressed development")] == 1.0
    np.testing.assert_allclose(c.fractions.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    c.plot()


def test_continuation_matches_attractors_across_values(lock_in):
    c = basin_continuation(lock_in, "reciprocity", [1.0, 1.02, 1.04], grid=10, progress=False)
    # two branches (high and low state) followed continuously, no spurious new ones
    assert c.fractions.shape[1] == 2
    assert all(len(b) == 3 for b in c.attractor_states)


def test_regime_diagram_corners():
    M = CoexistenceModel.preset("governed")
    r = regime_diagram(M, "g", [0.0, 1.0, 4.0], "conflict_asymmetry", [0.0, 0.7], n_ic=4,
                       progress=False)
    from equilibria.odes import OUTCOME_CLASSES as OC
    assert r.classes.shape == (2, 3)
    assert OC[r.classes[1, 0]] == "AI domination"
    assert OC[r.classes[0, 1]] == "coexistence"
    assert OC[r.classes[0, 2]] == "suppressed development"
    r.plot()


def test_serial_and_dask_executor_identical():
    distributed = pytest.importorskip("distributed")
    M = CoexistenceModel.preset("lock_in")
    serial = basin_sweep(M, grid=12, chunks=4, progress=False)
    with distributed.LocalCluster(n_workers=1, processes=False, threads_per_worker=1,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        ex = client.get_executor()
        par = basin_sweep(M, grid=12, chunks=4, executor=ex, progress=False)
        reg_s = regime_diagram(M, "g", [0.0, 0.5], "reciprocity", [1.0], n_ic=4,
                               progress=False)
        reg_p = regime_diagram(M, "g", [0.0, 0.5], "reciprocity", [1.0], n_ic=4, executor=ex,
                               progress=False)
    np.testing.assert_array_equal(serial.labels, par.labels)
    np.testing.assert_array_equal(serial.attractors, par.attractors)
    np.testing.assert_array_equal(reg_s.classes, reg_p.classes)


def test_shock_impulse_and_critical(lock_in):
    s = shock_test(lock_in, magnitude=0.3)
    assert s.regained and 0 < s.recovery_time < 300
    assert 0.3 < s.critical_magnitude < 1.0
    lost = shock_test(lock_in, magnitude=min(1.0, s.critical_magnitude + 0.02),
                      critical=False)
    assert not lost.regained and lost.final_class == "suppressed development"
    kept = shock_test(lock_in, magnitude=max(0.0, s.critical_magnitude - 0.02),
                      critical=False)
    assert kept.regained
    s.plot()


def test_shock_parameter():
    M = CoexistenceModel.preset("governed")
    s = shock_test(M, kind="parameter", param="g", value=0.0, duration=3.0)
    assert s.regained and s.recovery_time > 0
    with pytest.raises(ValueError, match="`param`"):
        shock_test(M, kind="parameter")


def test_local_sensitivity_matches_finite_differences():
    M = CoexistenceModel.preset("ungoverned")
    s = sensitivity(M, ("g", "reciprocity", "freedom", "conflict_asymmetry"))
    assert s.success
    np.testing.assert_allclose(s.dx_dp, s.dx_dp_fd, rtol=1e-5, atol=1e-7)
    # AI levels fall with governance
    assert np.all(s.dx_dp[M.ai_index, 0] < 0)


def test_sobol_indices_identify_governance():
    M = CoexistenceModel.preset("governed")
    s = sensitivity(M, ("g", "gain_h"), method="sobol",
                    bounds={"g": (0.0, 4.0), "gain_h": (0.29, 0.31)}, n=32, progress=False)
    assert s.total_order["development"][0] > 0.8
    assert s.total_order["development"][1] < 0.1


def test_regime_table():
    rows = regime_table()
    text = format_table(rows)
    assert "governed" in text and "lock_in" in text
    by = {(r["preset"], r["state"]): r for r in rows}
    assert by[("governed", 0)]["coexistence"] >= 0.95 and by[("governed", 0)]["max_re"] < 0
    assert by[("ungoverned", 0)]["domination"] >= 0.3
    assert by[("overgoverned", 0)]["coexistence"] <= 0.5
    assert by[("lock_in", 1)]["coexistence"] <= 0.2


def test_sweep_bad_input():
    M = CoexistenceModel.preset("governed")
    with pytest.raises(ValueError, match="`grid`"):
        basin_sweep(M, grid=1, progress=False)
    with pytest.raises(ValueError, match="unknown parameter"):
        regime_diagram(M, "gamma", [0.0], "g", [1.0], progress=False)
    with pytest.raises(ValueError, match="`bounds`"):
        sensitivity(M, ("g",), method="sobol")
    with pytest.raises(ValueError, match="`n`"):
        sensitivity(M, ("g",), method="sobol", bounds={"g": (0.0, 1.0)}, n=24)
    with pytest.raises(TypeError, match="`executor`"):
        basin_sweep(M, grid=4, executor=object(), progress=False)


def test_shock_bad_input(lock_in):
    with pytest.raises(ValueError, match="`magnitude`"):
        shock_test(lock_in, magnitude=1.5, critical=False)
    with pytest.raises(ValueError, match="`bisect_tol`"):
        shock_test(lock_in, magnitude=0.3, bisect_tol=0.0)
    with pytest.raises(ValueError, match="`direction`"):
        shock_test(lock_in, direction=np.zeros(lock_in.n), critical=False)
