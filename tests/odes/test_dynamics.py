"""Dynamics for any model: user systems, the recurrence machine, classification, Lyapunov.

Known answers on standard systems and agreement with independent references (per-point
``solve_ivp(DOP853, rtol=1e-10)``, Newton-refined equilibria, long DOP853 runs).
"""

import concurrent.futures as cf
import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.optimize import fsolve

from equilibria._lib.result import ConvergenceWarning
from equilibria.odes import (ODE, Grid, IntegratorOptions, Map, RecurrenceOptions,
                             basins_fractions, basins_of_attraction, find_attractors,
                             lyapunov_spectrum)
from equilibria.theory import SymbolicField


def toggle_f(x, p):
    a, m = p[0], p[1]
    return np.array([a / (1 + x[1] ** m) - x[0], a / (1 + x[0] ** m) - x[1]])


def lorenz_f(x, p):
    return np.array([p[0] * (x[1] - x[0]), x[0] * (p[1] - x[2]) - x[1],
                     x[0] * x[1] - p[2] * x[2]])


def competition_f(x, p):
    a = p[0]
    return np.array([x[0] * (1 - x[0] - a * x[1]), x[1] * (1 - x[1] - a * x[0])])


def vdp_f(x, p):
    return np.array([x[1], p[0] * (1 - x[0] ** 2) * x[1] - x[0]])


def rps_f(x, p):
    w, l = p[0], p[1]
    A = np.array([[0.0, -l, w], [w, 0.0, -l], [-l, w, 0.0]])
    f = A @ x
    return x * (f - x @ f)


def henon_f(x, p):
    return np.array([1 - p[0] * x[0] ** 2 + x[1], p[1] * x[0]])


@pytest.fixture(scope="module")
def toggle():
    return ODE(toggle_f, ["u", "v"], params={"a": 3.0, "n": 2.0})


@pytest.fixture(scope="module")
def toggle_basins(toggle):
    return basins_of_attraction(toggle, Grid.box(0, 4, 61, dim=2), progress=False)


def test_toggle_fractions_half_by_symmetry(toggle):
    fr = basins_fractions(toggle, Grid.box(0, 4, 81, dim=2), n=2000, seed=1,
                          progress=False)
    assert fr.success and len(fr.attractors) == 2
    for k in (1, 2):
        lo, hi = fr.ci[k]
        assert lo <= 0.5 <= hi, (k, fr.ci[k])
    assert all(a.kind == "fixed point" and a.stable for a in fr.attractors)


def test_toggle_labels_agree_with_dop853(toggle, toggle_basins):
    b = toggle_basins
    rng = np.random.default_rng(3)
    idx = rng.choice(b.labels.size, 200, replace=False)
    locs = np.array([a.location for a in b.attractors])
    agree = total = 0
    for i in idx:
        if b.labels[i] < 1:
            continue
        x0 = b.initial_conditions[i]
        sol = solve_ivp(lambda t, x: toggle_f(x, [3.0, 2.0]), (0, 200), x0, method="DOP853",
                        rtol=1e-10, atol=1e-12)
        ref = int(np.argmin(np.max(np.abs(locs - sol.y[:, -1]), axis=1))) + 1
        agree += ref == b.labels[i]
        total += 1
    assert total >= 190 and agree / total >= 0.995


def test_toggle_attractors_are_newton_equilibria(toggle, toggle_basins):
    for a in toggle_basins.attractors:
        ref = fsolve(lambda x: toggle_f(x, [3.0, 2.0]), a.points.mean(axis=0), xtol=1e-13)
        np.testing.assert_allclose(a.location, ref, atol=1e-9)
        assert a.stable and np.max(a.eigenvalues.real) < 0


def test_unstable_origin_is_never_an_attractor():
    C = ODE(competition_f, ["x", "y"], params={"a": 2.0})
    b = basins_of_attraction(C, Grid.box(0, 1.5, 31, dim=2), progress=False)
    assert len(b.attractors) == 2
    locs = sorted(tuple(np.round(a.location, 6)) for a in b.attractors)
    assert locs == [(0.0, 1.0), (1.0, 0.0)]
    assert any(np.allclose(u, 0.0) for u in b.unstable_sets)
    assert b.basins[0, 0] == -2  # the origin itself: an unstable set, not a basin


def test_lorenz_one_chaotic_attractor_with_exponent_near_09():
    L = ODE(lorenz_f, ["x", "y", "z"], params={"sigma": 10.0, "rho": 28.0, "beta": 8 / 3})
    fa = find_attractors(L, Grid.box([-30, -30, 0], [30, 30, 60], 50), n=30,
                         options=IntegratorOptions(dt=0.1), progress=False)
    assert len(fa.attractors) == 1 and fa.attractors[0].kind == "chaotic"
    ly = lyapunov_spectrum(L, fa.attractors[0].points[-1], n_steps=4000, transient=100,
                           options=IntegratorOptions(dt=0.1), progress=False)
    assert 0.85 <= ly.exponents[0] <= 0.97
    assert abs(ly.exponents[1]) < 0.02
    # sum of the exponents = mean divergence of the field = -(sigma + 1 + beta)
    assert ly.exponents.sum() == pytest.approx(-(10 + 1 + 8 / 3), rel=1e-4)


def test_linear_lyapunov_spectrum_is_real_parts_of_eigenvalues():
    A = np.array([[-0.5, 2.0, 0.0], [-2.0, -0.5, 0.0], [0.0, 0.0, 0.3]])
    lin = ODE(lambda x, p: np.array([-0.5 * x[0] + 2.0 * x[1], -2.0 * x[0] - 0.5 * x[1],
                                     0.3 * x[2]]), 3)
    ly = lyapunov_spectrum(lin, [1.0, 0.0, 1e-3], n_steps=2000, transient=100,
                           options=IntegratorOptions(dt=0.1), progress=False)
    np.testing.assert_allclose(ly.exponents, sorted(np.linalg.eigvals(A).real, reverse=True),
                               atol=1e-4)


def test_henon_bounded_chaos_and_divergence():
    H = Map(henon_f, ["x", "y"], params={"a": 1.4, "b": 0.3})
    b = basins_of_attraction(H, Grid.box(-2.5, 2.5, 81, dim=2), progress=False)
    assert len(b.attractors) == 1 and b.attractors[0].kind == "chaotic"
    assert 0.1 < b.fractions[1] < 0.6 and b.fractions["diverged"] > 0.3
    ly = lyapunov_spectrum(H, b.attractors[0].points[-1], n_steps=20000, progress=False)
    assert ly.exponents[0] == pytest.approx(0.419, abs=0.01)
    assert ly.exponents.sum() == pytest.approx(math.log(0.3), rel=1e-9)


def test_van_der_pol_period_matches_long_dop853_run():
    V = ODE(vdp_f, ["x", "v"], params={"mu": 1.0})
    fa = find_attractors(V, Grid.box(-4, 4, 81, dim=2), n=40,
                         options=IntegratorOptions(dt=0.2), progress=False)
    assert len(fa.attractors) == 1 and fa.attractors[0].kind == "periodic orbit"

    def section(t, x):
        return x[1]
    section.direction = 1.0
    sol = solve_ivp(lambda t, x: vdp_f(x, [1.0]), (0, 200), [2.0, 0.0], method="DOP853",
                    rtol=1e-11, atol=1e-12, events=section)
    ref = float(np.mean(np.diff(sol.t_events[0][-10:])))
    cyc = fa.attractors[0]
    assert cyc.period == pytest.approx(ref, rel=1e-4)
    # Floquet: one multiplier is 1; their product is exp of the integral of div f over a
    # period (Liouville), div f = mu (1 - x^2)
    mult = np.sort(np.abs(cyc.floquet))
    assert mult[1] == pytest.approx(1.0, abs=1e-5)
    t = np.linspace(0, cyc.period, 4001)
    y = V.trajectory(cyc.points[-1], cyc.period, t_eval=t,
                     options=IntegratorOptions(rtol=1e-11, atol=1e-12)).y
    liouville = np.exp(np.trapezoid(1.0 * (1 - y[:, 0] ** 2), t))
    assert np.prod(mult) == pytest.approx(liouville, rel=1e-3)


def test_two_torus_is_quasi_periodic():
    """Two attracting Hopf oscillators with frequencies 1 and sqrt(2): an attracting 2-torus;
    orbits come near themselves but never return (not a limit cycle), lambda_1 = 0."""
    def torus(x, p):
        r1 = x[0] ** 2 + x[1] ** 2
        r2 = x[2] ** 2 + x[3] ** 2
        w = p[0]
        return np.array([x[0] * (1 - r1) - x[1], x[1] * (1 - r1) + x[0],
                         x[2] * (1 - r2) - w * x[3], x[3] * (1 - r2) + w * x[2]])

    T2 = ODE(torus, 4, params={"w": np.sqrt(2)})
    fa = find_attractors(T2, Grid.box(-1.5, 1.5, 31, dim=4), n=20,
                         options=IntegratorOptions(dt=0.5), progress=False)
    assert [a.kind for a in fa.attractors] == ["quasi-periodic"]
    assert abs(fa.attractors[0].lyapunov) < 0.01


def test_rock_paper_scissors_interior_and_heteroclinic():
    R = ODE(rps_f, ["R", "P", "S"], params={"win": 2.0, "loss": 1.0})
    X0 = np.random.default_rng(0).dirichlet(np.ones(3), 60)
    grid = Grid.box(0, 1, 41, dim=3)
    fa = find_attractors(R, grid, X0, progress=False)
    assert [a.kind for a in fa.attractors] == ["fixed point"]
    np.testing.assert_allclose(fa.attractors[0].location, [1 / 3] * 3, atol=1e-9)
    fb = find_attractors(R.with_params(win=1.0, loss=2.0), grid, X0, progress=False)
    assert [a.kind for a in fb.attractors] == ["heteroclinic cycle"]


def test_symbolic_field_and_numba_function_accepted():
    import numba
    import sympy as sp

    u, v, a = sp.symbols("u v a")
    field = SymbolicField((a / (1 + v ** 2) - u, a / (1 + u ** 2) - v), (u, v), (a,))
    S = ODE(field, None, params={"a": 3.0})
    assert S.state_names == ("u", "v")
    np.testing.assert_allclose(S.rhs([1.0, 2.0]), toggle_f(np.array([1.0, 2.0]), [3.0, 2.0]))
    np.testing.assert_allclose(S.jacobian([1.0, 2.0]),
                               [[-1.0, -3 * 2 * 2 / 25], [-3 * 2 / 4, -1.0]])

    @numba.njit
    def inplace(out, x, p):
        out[0] = -x[0] + p[0]
        out[1] = -2.0 * x[1]

    N = ODE(inplace, 2, params={"c": 1.5})
    tr = N.trajectory([0.0, 1.0], 20.0)
    np.testing.assert_allclose(tr.y[-1], [1.5, 0.0], atol=1e-7)


def test_serial_and_executor_identical(toggle):
    grid = Grid.box(0, 4, 41, dim=2)
    X0 = np.random.default_rng(5).uniform(0, 4, (300, 2))
    s = find_attractors(toggle, grid, X0, chunks=3, progress=False)
    with cf.ThreadPoolExecutor(2) as ex:
        p = find_attractors(toggle, grid, X0, chunks=3, executor=ex, progress=False)
    np.testing.assert_array_equal(s.labels, p.labels)
    for a, b in zip(s.attractors, p.attractors, strict=True):
        np.testing.assert_array_equal(a.location, b.location)


def test_bad_input_names_the_problem(toggle):
    with pytest.raises(ValueError, match="shape"):
        ODE(lambda x, p: np.array([x[0]]), 2)
    with pytest.raises(ValueError, match="non-finite"):
        ODE(lambda x, p: np.array([np.sqrt(x[0] - 5.0), x[1]]), 2)
    with pytest.raises(ValueError, match="unknown parameter"):
        toggle.with_params(b=1.0)
    with pytest.raises(ValueError, match="outside"):
        find_attractors(toggle, Grid.box(0, 4, 11, dim=2), [[10.0, 10.0]],
                        progress=False)
    with pytest.raises(ValueError, match="axes"):
        find_attractors(toggle, Grid.box(0, 4, 11, dim=3), progress=False)
    with pytest.raises(ValueError, match="equally spaced"):
        Grid([0.0, 1.0, 3.0], [0.0, 1.0])
    with pytest.raises(ValueError, match="jac"):
        ODE(toggle_f, 2, params={"a": 3.0, "n": 2.0}, jac=lambda x, p: np.eye(2))
    with pytest.raises(TypeError, match="ODE or a Map"):
        find_attractors(toggle_f, Grid.box(0, 4, 11, dim=2), progress=False)


def test_unresolved_share_gives_failure(toggle):
    tight = RecurrenceOptions(max_steps=3)
    with pytest.warns(ConvergenceWarning, match="unresolved"):
        res = find_attractors(toggle, Grid.box(0, 4, 41, dim=2), n=50, recurrence=tight,
                              progress=False)
    assert not res.success


def test_basin_figure(toggle_basins):
    fig = toggle_basins.plot()
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert any(lab.startswith("fixed point (2.6, 0.38)") for lab in labels)
    assert fig.axes[0].get_xlabel() == "u"


def test_replicator_fractions_sampled_on_the_simplex():
    """Simplex and Box are shared with the online room: the simplex samples initial
    conditions of a replicator system, whose interior attractor takes all of them."""
    from equilibria.odes import Grid, Simplex

    R = ODE(rps_f, ["R", "P", "S"], params={"win": 2.0, "loss": 1.0})
    fr = basins_fractions(R, Grid.for_set(Simplex(3), 41), Simplex(3), n=100, progress=False)
    assert fr.fractions[1] == 1.0 and fr.ci[1][0] > 0.95
    assert np.allclose(fr.initial_conditions.sum(axis=1), 1.0)


def test_featurize_and_proximity_mappers_agree_with_recurrence(toggle):
    from equilibria.odes import MapperOptions

    grid = Grid.box(0, 4, 81, dim=2)
    X0 = np.random.default_rng(1).uniform(0.05, 3.95, (400, 2))
    X0 = X0[np.abs(X0[:, 0] - X0[:, 1]) > 0.05]  # off the separatrix (slow orbits)
    rec = find_attractors(toggle, grid, X0, progress=False)
    feat = find_attractors(toggle, grid, X0, method="featurize", progress=False,
                           mapper=MapperOptions(n_samples=20))
    prox = find_attractors(toggle, grid, X0, method="proximity", progress=False,
                           mapper=MapperOptions(known=rec.attractors, eps=1.0, t_max=200.0))
    assert rec.success and feat.success and prox.success
    for other in (feat, prox):
        assert len(other.attractors) == 2
        # same attractor indices up to order: compare through the locations
        loc = {k + 1: tuple(np.round(a.location, 6)) for k, a in enumerate(other.attractors)}
        ref = {k + 1: tuple(np.round(a.location, 6)) for k, a in enumerate(rec.attractors)}
        mapped = np.array([ref_k for lab in other.labels
                           for ref_k in [next(k for k, v in ref.items() if v == loc[lab])]])
        assert np.mean(mapped == rec.labels) >= 0.995


def test_package_models_are_instances_of_the_generic_machinery():
    from equilibria.odes import CoexistenceModel, basin_sweep, lv_competition, replicator

    rng = np.random.default_rng(2)
    for model in (CoexistenceModel.preset("lock_in"),
                  lv_competition([1.0, 1.0], [1.0, 1.0], [[1.0, 2.0], [2.0, 1.0]]),
                  replicator(np.array([[0.0, -1.0, 2.0], [2.0, 0.0, -1.0], [-1.0, 2.0, 0.0]]))):
        ode = model.to_ode()
        x = rng.dirichlet(np.ones(ode.dim)) if ode.dim == 3 and "replicator" in ode.name else \
            rng.uniform(0.1, 2.0, ode.dim)
        np.testing.assert_allclose(ode.rhs(x), model.field(x), rtol=1e-13, atol=1e-14)
    # the lock-in slice: the generic machine finds the attractors basin_sweep finds
    M = CoexistenceModel.preset("lock_in")
    b = basin_sweep(M, grid=12, progress=False)
    U, V = np.meshgrid(b.u, b.v)
    X0 = np.zeros((U.size, M.n))
    X0[:, M.human_index] = U.reshape(-1, 1)
    X0[:, M.ai_index] = V.reshape(-1, 1)
    grid = Grid.box(np.zeros(M.n), np.full(M.n, 3.0), 16)
    fa = find_attractors(M, grid, X0, progress=False)
    assert len(fa.attractors) == b.attractors.shape[0]
    for a in fa.attractors:
        d = np.min(np.max(np.abs(b.attractors - a.location), axis=1))
        assert d <= 1e-6
    ref = np.array([int(np.argmin(np.max(np.abs(np.array([a.location for a in fa.attractors])
                                                   - b.attractors[k]), axis=1))) + 1
                    for k in b.labels.ravel()])
    assert np.mean(ref == fa.labels) >= 0.99


def test_old_sweep_names_take_any_system(toggle):
    from equilibria.odes import BasinsResult, GlobalContinuation, basin_continuation, basin_sweep

    grid = Grid.box(0, 4, 31, dim=2)
    b = basin_sweep(toggle, grid=grid, progress=False)
    assert isinstance(b, BasinsResult) and len(b.attractors) == 2
    c = basin_continuation(toggle, "a", [1.5, 3.0], state_grid=grid, n=200, progress=False)
    assert isinstance(c, GlobalContinuation) and list(c.n_attractors) == [1, 2]  # a pitchfork
    with pytest.raises(TypeError, match="Grid"):
        basin_sweep(toggle, grid=31, progress=False)


def test_returning_field_is_rewritten_in_place_with_identical_results(toggle):
    """``return np.array([...])`` allocates at every call; it is rewritten to the in-place form
    (what a user would write by hand in numba), with the same trajectories (to round-off: the
    compiler may contract the two forms' arithmetic differently)."""
    from equilibria.odes.dynamical import _inplace_from_source

    assert _inplace_from_source(toggle_f, 2) is not None
    assert _inplace_from_source(lambda x, p: np.array([x[1], -x[0]]), 2) is None
    k = 2.0

    def closure(x, p):
        return np.array([k * x[1], -x[0]])
    assert _inplace_from_source(closure, 2) is None  # closures keep the wrapper
    assert _inplace_from_source(toggle_f, 3) is None  # wrong length: no rewrite
    import numba

    @numba.njit
    def by_hand(out, x, p):
        out[0] = p[0] / (1 + x[1] ** p[1]) - x[0]
        out[1] = p[0] / (1 + x[0] ** p[1]) - x[1]
    hand = ODE(by_hand, ["u", "v"], params={"a": 3.0, "n": 2.0})
    X0 = np.random.default_rng(0).uniform(0, 4, (50, 2))
    np.testing.assert_allclose(toggle.end_states(X0, 20.0)[0], hand.end_states(X0, 20.0)[0],
                               rtol=1e-12, atol=1e-13)
