import numpy as np
import pytest

from equilibria._lib.result import ConvergenceWarning
from equilibria.odes import (PRESETS, CoexistenceModel, LVSystem, lv_competition, mutualism,
                             replicator)
from equilibria.theory import diagonal_stability

from . import naive


@pytest.mark.parametrize("name", PRESETS)
def test_field_and_jacobian_match_naive(name):
    M = CoexistenceModel.preset(name)
    x = np.random.default_rng(1).uniform(0.1, 2.0, M.n)
    np.testing.assert_allclose(M.field(x), naive.field(M.system, x), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(M.jacobian(x), naive.jacobian_fd(M.system, x), rtol=1e-6,
                               atol=1e-7)


@pytest.mark.parametrize("name", ["ungoverned", "lock_in"])
def test_simulate_matches_dop853(name):
    M = CoexistenceModel.preset(name)
    x0 = M.uniform_state(0.4, 0.3)
    t = np.linspace(0, 20, 11)
    tr = M.simulate(x0, 20.0, t_eval=t, rtol=1e-10, atol=1e-12)
    assert tr.success
    np.testing.assert_allclose(tr.y, naive.reference_solution(M.system, x0, t), rtol=1e-7,
                               atol=1e-9)


def test_replicator_rps_conserves_simplex_and_matches():
    P = np.array([[0.0, -1, 2], [2, 0, -1], [-1, 2, 0]])
    S = replicator(P)
    x0 = np.array([0.5, 0.3, 0.2])
    t = np.linspace(0, 10, 6)
    tr = S.simulate(x0, 10.0, t_eval=t, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(tr.y.sum(axis=1), 1.0, rtol=0, atol=1e-8)
    np.testing.assert_allclose(tr.y, naive.reference_solution(S, x0, t), rtol=1e-6, atol=1e-8)
    eq = S.equilibria()
    np.testing.assert_allclose(eq.points[np.all(eq.points > 0, axis=1)][0],
                               np.linalg.solve(np.vstack([P[:2] - P[2], np.ones(3)]),
                                               [0, 0, 1]), rtol=1e-9, atol=1e-12)


def test_classic_competition_and_mutualism():
    S = lv_competition([1.0, 1.0], [1.0, 1.0], [[1.0, 0.5], [0.5, 1.0]])
    eq = S.equilibria()
    np.testing.assert_allclose(eq.stable_points, [[2 / 3, 2 / 3]], rtol=1e-12, atol=1e-12)
    # strong competition: bistable exclusion
    S2 = lv_competition([1.0, 1.0], [1.0, 1.0], [[1.0, 2.0], [2.0, 1.0]])
    assert S2.equilibria().n_stable == 2
    Mu = mutualism([1.0, 1.0], [1.0, 1.0], [[0, 0.5], [0.5, 0]])
    np.testing.assert_allclose(Mu.equilibria().stable_points, [[2.0, 2.0]], rtol=1e-12,
                               atol=1e-12)
    Ms = mutualism([1.0, 1.0], [1.0, 1.0], [[0, 0.5], [0.5, 0]], saturation=1.0)
    x = Ms.equilibria().stable_points[0]
    np.testing.assert_allclose(Ms.field(x), 0.0, atol=1e-10, rtol=0)


def test_glv_equilibria_match_bruteforce():
    rng = np.random.default_rng(3)
    for _ in range(5):
        n = 4
        A = rng.normal(size=(n, n)) - 2 * np.eye(n)
        r = rng.uniform(-0.5, 1.5, n)
        got = LVSystem(r=r, A=A).equilibria().points
        want = naive.glv_equilibria_bruteforce(r, A)
        key = lambda P: P[np.lexsort(P.T[::-1])]  # noqa: E731
        np.testing.assert_allclose(key(got), key(want), rtol=1e-9, atol=1e-12)


def test_newton_route_agrees_with_support_route():
    M = CoexistenceModel.preset("ungoverned")
    a = M.equilibria(method="support")
    b = M.equilibria(method="newton", n_starts=60)
    np.testing.assert_allclose(b.stable_points, a.stable_points, rtol=1e-8, atol=1e-10)


def test_lcp_route_matches_stable_equilibrium():
    for name in ("governed", "ungoverned", "overgoverned"):
        M = CoexistenceModel.preset(name)
        lcp = M.saturated_equilibrium()
        assert lcp.success
        np.testing.assert_allclose(lcp.z, M.equilibria().stable_points[0], rtol=1e-9,
                                   atol=1e-12)


def test_presets_regimes():
    g = CoexistenceModel.preset("governed")
    eq = g.equilibria()
    assert eq.n_stable == 1 and np.all(eq.stable_points[0] > 0)
    D, reason = diagonal_stability(g.interaction)
    assert D is not None and reason == ""
    ix = g.indices(eq.stable_points[0])
    assert ix.coexistence >= 0.95 and ix.domination == 0.0
    u = CoexistenceModel.preset("ungoverned")
    iu = u.indices(u.equilibria().stable_points[0])
    assert iu.domination >= 0.3 and iu.dominant == "AI"
    o = CoexistenceModel.preset("overgoverned")
    io = o.indices(o.equilibria().stable_points[0])
    assert io.coexistence <= 0.5 and io.development <= 0.5
    L = CoexistenceModel.preset("lock_in")
    cs = [L.indices(p).coexistence for p in L.equilibria(n_starts=40).stable_points]
    assert min(cs) <= 0.2 and max(cs) >= 0.9


def test_indices_in_unit_interval():
    rng = np.random.default_rng(0)
    for name in PRESETS:
        M = CoexistenceModel.preset(name)
        for x in rng.exponential(1.0, size=(50, M.n)) * (rng.random((50, M.n)) < 0.8):
            d = M.indices(x).asdict()
            for k, v in d.items():
                if k != "dominant":
                    assert 0.0 <= v <= 1.0, (k, v)


def test_governance_raises_symmetric_margin_of_presets():
    from equilibria.theory import symmetric_margin
    ms = [symmetric_margin(CoexistenceModel.preset("ungoverned", g=g).interaction)
          for g in np.linspace(0, 5, 11)]
    assert np.all(np.diff(ms) >= -1e-12)


def test_divergence_labelled_not_silent():
    S = LVSystem(r=np.array([1.0, 1.0]), A=np.array([[-1.0, 2.0], [2.0, -1.0]]))
    with pytest.warns(ConvergenceWarning, match="diverged"):
        tr = S.simulate([1.0, 1.0], 50.0)
    assert not tr.success and np.isnan(tr.y[-1]).all()
    with pytest.warns(ConvergenceWarning, match="diverged"):
        run = S.simulate_batch(np.array([[1.0, 1.0], [0.0, 0.5]]), 50.0)
    assert run.status[0] == 2 and run.status[1] in (0, 1) and not run.success


def test_step_budget_failure_warns():
    M = CoexistenceModel.preset("governed")
    with pytest.warns(ConvergenceWarning, match="max_iter"):
        tr = M.simulate(M.uniform_state(0.5, 0.5), 100.0, max_iter=5)
    assert not tr.success


@pytest.mark.parametrize("kw,arg", [
    (dict(G=-np.eye(6)), "G"), (dict(G=np.eye(5)), "G"), (dict(r_h=np.ones((3, 2))), "r_h"),
    (dict(w=np.ones((2, 1, 1))), "w"), (dict(g=np.nan), "g"), (dict(g=-1.0), "g"),
    (dict(c=-1.0), "c"), (dict(s_a=0.0), "s_a"), (dict(freedom=np.inf), "freedom"),
])
def test_bad_parameters(kw, arg):
    with pytest.raises(ValueError, match=f"`{arg}`"):
        CoexistenceModel.preset("governed", **kw)


def test_bad_states():
    M = CoexistenceModel.preset("governed")
    with pytest.raises(ValueError, match="`x0`"):
        M.simulate(-np.ones(M.n), 1.0)
    with pytest.raises(ValueError, match="`x0`"):
        M.simulate(np.full(M.n, np.nan), 1.0)
    with pytest.raises(ValueError, match="`x0`"):
        M.simulate(np.ones(M.n + 1), 1.0)
    with pytest.raises(ValueError, match="`x`"):
        M.indices(-np.ones(M.n))
    with pytest.raises(ValueError, match="`t_end`"):
        M.simulate(np.ones(M.n), -1.0)
    with pytest.raises(ValueError, match="unknown `name`"):
        CoexistenceModel.preset("anarchy")
    with pytest.raises(ValueError, match="unknown parameter"):
        M.replace(gamma=1.0)
