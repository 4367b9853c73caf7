"""Recurrence fallback: limit cycles, heteroclinic cycles, continuation of cycles."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equilibria._lib.result import ConvergenceWarning
from equilibria.odes import LVSystem, SweepOptions, basin_continuation, basin_sweep, replicator
from equilibria.odes import _kernels as K
from equilibria.odes.attractors import NOT_CONVERGED

from . import naive


def predator_prey(d=0.2):
    """Prey with a saturating self-facilitation (hump-shaped prey nullcline), linear predator:
    ``N' = N (0.2 - N + 3 N / (1 + 2 N) - P)``, ``P' = P (-d + N)``.  The interior equilibrium
    ``(d, .)`` is an unstable focus for ``d`` left of the hump (``d < (sqrt(3) - 1) / 2``) and
    orbits are bounded, so (Poincare-Bendixson) a stable limit cycle surrounds it."""
    return LVSystem(r=np.array([0.2, -d]), A=np.array([[-1.0, -1.0], [1.0, 0.0]]),
                    kind="holling", M=np.array([[3.0, 0.0], [0.0, 0.0]]),
                    q=np.array([2.0, 0.0]))


def rps(win, loss):
    return replicator(np.array([[0.0, -loss, win], [win, 0.0, -loss], [-loss, win, 0.0]]))


SIMPLEX_SLICE = dict(base=np.array([0.0, 0.0, 1.0]),
                     axes=(np.array([1.0, 0.0, -1.0]), np.array([0.0, 1.0, -1.0])),
                     u_range=(0.05, 0.45))


@pytest.fixture(scope="module")
def cycle_basins():
    return basin_sweep(predator_prey(), grid=8, u_range=(0.05, 1.2),
                       options=SweepOptions(t_end=250.0), progress=False)


def test_covered_fraction_kernel_matches_naive():
    rng = np.random.default_rng(4)
    for _ in range(5):
        Y, Z = rng.normal(size=(40, 3)), rng.normal(size=(60, 3))
        for eps in (0.1, 0.5, 1.0):
            assert K._covered_fraction(Y, Z, eps) == naive.covered_fraction(Y, Z, eps)


def test_limit_cycle_is_labelled_periodic(cycle_basins):
    S = predator_prey()
    # no stable equilibrium (closed forms: origin, prey-only K, interior (d, g(d))), so the
    # equilibrium clustering alone cannot label these orbits
    from scipy.optimize import brentq
    K_cap = brentq(lambda x: 0.2 - x + 3 * x / (1 + 2 * x), 0.5, 3.0)
    interior = np.array([0.2, 0.2 - 0.2 + 0.6 / 1.4])
    for p in (np.zeros(2), np.array([K_cap, 0.0]), interior):
        np.testing.assert_allclose(S.field(p), 0.0, rtol=0, atol=1e-12)
        assert S.stability(p).max_re > 0.05
    b = cycle_basins
    assert b.success and b.kinds == ("periodic",) and b.classes == ("periodic orbit",)
    np.testing.assert_allclose(b.fractions, [1.0], rtol=0, atol=1e-12)
    # the stored cycle lies on the reference limit cycle (DOP853, rtol=1e-10)
    t = np.linspace(150.0, 250.0, 2001)
    ref = naive.reference_solution(S, np.array([0.3, 0.3]), np.concatenate([[0.0], t]))[1:]
    cyc = b.cycles[0]
    eps = 0.01 * (1 + np.max(ref)) + np.max(np.abs(np.diff(ref, axis=0)))
    assert naive.covered_fraction(cyc, ref, eps) == 1.0
    assert naive.covered_fraction(ref, cyc, 5 * eps) == 1.0  # the whole cycle is sampled
    # the basin figure draws the cycle (it lies in the default 2-D slice)
    texts = [t.get_text() for t in b.plot().axes[0].get_legend().get_texts()]
    assert texts == ["A0: periodic orbit (100.0%)", "recurrent attractor (in the slice)"]
    # the representative state is the time average, inside the cycle's range
    assert np.all(b.attractors[0] > ref.min(axis=0)) and np.all(b.attractors[0] < ref.max(0))


def test_without_fallback_the_cycle_is_not_converged():
    with pytest.warns(ConvergenceWarning, match="not converged"):
        b = basin_sweep(predator_prey(), grid=4, u_range=(0.05, 1.2),
                        options=SweepOptions(t_end=250.0, recurrence=False), progress=False)
    assert np.all(b.labels == NOT_CONVERGED)


def test_heteroclinic_cycle_labelled_honestly():
    """RPS with loss > win: the boundary heteroclinic cycle attracts (Hofbauer & Sigmund 1998,
    Sec. 7.7).  Orbits linger ever longer at the vertices (saddles) where the field is tiny;
    they must be labelled heteroclinic, not snapped to whichever vertex they sat at."""
    b = basin_sweep(rps(1.0, 1.5), grid=6, progress=False, **SIMPLEX_SLICE)
    assert b.kinds == ("heteroclinic",) and b.classes == ("heteroclinic cycle",)
    np.testing.assert_allclose(b.fractions, [1.0], rtol=0, atol=1e-12)
    # win > loss: the interior equilibrium attracts, no fallback label
    g = basin_sweep(rps(1.0, 0.8), grid=6, progress=False, **SIMPLEX_SLICE)
    assert g.kinds == ("equilibrium",)
    np.testing.assert_allclose(g.attractors[0], np.full(3, 1 / 3), rtol=1e-8, atol=1e-10)


def test_saddle_on_its_stable_manifold_stays_an_equilibrium():
    """A point parked at a saddle is continued; on the exact stable manifold it stays and
    keeps the equilibrium label (competition: the diagonal)."""
    from equilibria.odes import lv_competition
    S = lv_competition([1.0, 1.0], [1.0, 1.0], [[1.0, 2.0], [2.0, 1.0]])
    b = basin_sweep(S, grid=9, u_range=(0.05, 2.0), progress=False)
    assert b.kinds == ("equilibrium",) * 3


def test_continuation_follows_the_cycle_and_its_loss():
    """d = 0.2, 0.22: the limit cycle (one branch across both); d = 0.5: the focus is stable
    (right of the hump), every orbit converges to it."""
    c = basin_continuation(predator_prey, "d", [0.2, 0.22, 0.5], grid=5,
                           u_range=(0.05, 1.2), options=SweepOptions(t_end=250.0),
                           progress=False)
    names = c.class_names
    np.testing.assert_allclose(c.class_fractions[:2, names.index("periodic orbit")], 1.0,
                               rtol=0, atol=1e-12)
    np.testing.assert_allclose(c.class_fractions[2, names.index("equilibrium")], 1.0,
                               rtol=0, atol=1e-12)
    assert c.fractions.shape[1] == 2  # the cycle branch (values 0, 1) and the equilibrium
    assert sorted(len(b) for b in c.attractor_states) == [1, 2]
    c.plot()


def test_recurrence_serial_and_dask_identical():
    distributed = pytest.importorskip("distributed")
    kw = dict(grid=6, u_range=(0.05, 1.2), options=SweepOptions(t_end=250.0), chunks=3,
              progress=False)
    serial = basin_sweep(predator_prey(), **kw)
    with distributed.LocalCluster(n_workers=1, processes=False, threads_per_worker=1,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        par = basin_sweep(predator_prey(), executor=client.get_executor(), **kw)
    np.testing.assert_array_equal(serial.labels, par.labels)
    np.testing.assert_array_equal(serial.attractors, par.attractors)
    np.testing.assert_array_equal(serial.cycles[0], par.cycles[0])


def test_recurrence_bad_input():
    S = predator_prey()
    with pytest.raises(ValueError, match="`window`"):
        basin_sweep(S, grid=3, options=SweepOptions(window=-1.0), progress=False)
    with pytest.raises(ValueError, match="`n_samples`"):
        basin_sweep(S, grid=3, options=SweepOptions(n_samples=2), progress=False)
    with pytest.raises(ValueError, match="`recurrence_tol`"):
        basin_sweep(S, grid=3, options=SweepOptions(recurrence_tol=np.nan), progress=False)
    with pytest.raises(TypeError, match="`recurrence`"):
        basin_sweep(S, grid=3, options=SweepOptions(recurrence="yes"), progress=False)
    with pytest.raises(ValueError, match="`match_tol`"):
        basin_continuation(predator_prey, "d", [0.2], match_tol=0.0, progress=False)
    with pytest.raises(TypeError, match="`model`"):
        basin_continuation(S, "d", [0.2], progress=False)


@pytest.mark.parametrize("make", [lambda: predator_prey(),
                                  lambda: rps(1.0, 1.5),
                                  lambda: LVSystem(r=np.array([1.0, 0.5, -0.2]),
                                                   A=-np.eye(3) + 0.3)])
def test_vectorized_field_matches_naive(make):
    from equilibria.odes.attractors import _field_rows
    S = make()
    X = np.random.default_rng(2).dirichlet(np.ones(S.n), size=7) * 2.0
    if S.kind == "replicator":
        X /= X.sum(axis=1, keepdims=True)
    want = np.array([naive.field(S, x) for x in X])
    np.testing.assert_allclose(_field_rows(S, X), want, rtol=1e-13, atol=1e-14)


@given(st.floats(0.1, 0.32))
@settings(max_examples=5, deadline=None)
def test_property_unstable_focus_gives_one_periodic_attractor(d):
    """For every d left of the hump (unstable interior focus, bounded orbits; Poincare-
    Bendixson), the fallback finds one periodic attractor reached from every sampled state."""
    b = basin_sweep(predator_prey(d), grid=3, u_range=(0.05, 1.2),
                    options=SweepOptions(t_end=250.0), progress=False)
    assert b.kinds == ("periodic",)
    np.testing.assert_allclose(b.fractions, [1.0], rtol=0, atol=1e-12)


@given(st.floats(0.3, 1.5), st.floats(1.3, 3.0), st.booleans())
@settings(max_examples=6, deadline=None)
def test_property_rps_heteroclinic_iff_loss_exceeds_win(w, ratio, attracting):
    """Generalized RPS (Hofbauer & Sigmund 1998, Sec. 7.7, Zeeman 1980): loss > win makes the
    boundary heteroclinic cycle attract (label: heteroclinic, never a vertex equilibrium);
    win > loss makes the barycentre globally stable.  (Rates up to 4.5: the approach to the
    boundary stays above the floating-point underflow within t_end; see the next test.)"""
    win, loss = (w, w * ratio) if attracting else (w * ratio, w)
    b = basin_sweep(rps(win, loss), grid=3, progress=False, **SIMPLEX_SLICE)
    assert b.kinds == (("heteroclinic",) if attracting else ("equilibrium",))
    np.testing.assert_allclose(b.fractions, [1.0], rtol=0, atol=1e-12)


def test_fast_heteroclinic_approach_never_labelled_equilibrium():
    """win 3, loss 9: passages come within floating-point underflow of the boundary; the
    continued integration of some orbits stops on a step-size underflow (labelled 'failed').
    None is labelled as converging to a vertex (a saddle); the rest is heteroclinic."""
    with pytest.warns(ConvergenceWarning, match="failed|not converged"):
        b = basin_sweep(rps(3.0, 9.0), grid=3, progress=False, **SIMPLEX_SLICE)
    assert b.kinds == ("heteroclinic",) and not b.success
    sp = b.special_fractions
    np.testing.assert_allclose(b.fractions[0] + sp["not converged"] + sp["failed"], 1.0,
                               rtol=0, atol=1e-12)
