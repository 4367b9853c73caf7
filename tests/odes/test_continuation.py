"""Global continuation and generic regime diagrams: known answers on normal forms.

- cusp ``x' = r + x - x^3, y' = -y``: bistable exactly for ``|r| < 2/(3 sqrt 3)``; the
  attractors are the outer real roots of ``x^3 - x - r`` and the upper basin is
  ``x > x_mid`` (the middle root), so the fractions have an exact value on the sample;
- toggle switch ``u' = a/(1+v^n) - u, v' = a/(1+u^n) - v``: one symmetric equilibrium until
  the pitchfork at ``a = 2`` (``n = 2``), then two, with basins ``u > v`` and ``u < v`` by
  symmetry (the diagonal is invariant); for ``n = 3`` the pitchfork is at
  ``a = x(1 + x^3)``, ``x^3 = 1/2`` (``a = 1.19``); ``n = 1`` is monostable.
"""

import concurrent.futures as cf
import math

import matplotlib
import numpy as np
import pytest
from scipy.optimize import fsolve

from equilibria._lib.result import ConvergenceWarning
from equilibria.odes import CoexistenceModel, Grid, ODE, RecurrenceOptions, regime_diagram
from equilibria.odes.continuation import (GenericRegimeResult, _greedy_match,
                                          generic_regime_diagram, global_continuation)

matplotlib.use("Agg")

R_FOLD = 2 / (3 * math.sqrt(3))  # 0.3849


def cusp_f(x, p):
    return np.array([p[0] + x[0] - x[0] ** 3, -x[1]])


def toggle_f(x, p):
    a, m = p[0], p[1]
    return np.array([a / (1 + x[1] ** m) - x[0], a / (1 + x[0] ** m) - x[1]])


def cusp_roots(r):
    z = np.roots([1.0, 0.0, -1.0, -r])
    return np.sort(z[np.abs(z.imag) < 1e-9].real)


CUSP_R = np.linspace(-1, 1, 41)  # step 0.05; +-0.35 and +-0.40 lie 0.015 from the folds
CUSP_GRID = Grid.box([-2, -1], [2, 1], [41, 21])
TOGGLE_A = np.linspace(1, 4, 26)  # step 0.12, a = 2 falls between 1.96 and 2.08
TOGGLE_GRID = Grid.box(0, 4.5, 46, dim=2)


@pytest.fixture(scope="module")
def cusp():
    return ODE(cusp_f, ["x", "y"], params={"r": 0.0})


@pytest.fixture(scope="module")
def toggle():
    return ODE(toggle_f, ["u", "v"], params={"a": 3.0, "n": 2.0})


@pytest.fixture(scope="module")
def cusp_cont(cusp):
    return global_continuation(cusp, "r", CUSP_R, CUSP_GRID, n=500, seed=0, progress=False)


@pytest.fixture(scope="module")
def toggle_cont(toggle):
    return global_continuation(toggle, "a", TOGGLE_A, TOGGLE_GRID, n=1000, seed=1,
                               progress=False)


def test_cusp_one_two_one_with_ends_at_the_folds(cusp_cont):
    gc = cusp_cont
    assert gc.success, gc.message
    bistable = np.abs(CUSP_R) < R_FOLD
    np.testing.assert_array_equal(gc.n_attractors, np.where(bistable, 2, 1))
    step = CUSP_R[1] - CUSP_R[0]
    r2 = CUSP_R[gc.n_attractors == 2]
    assert abs(r2[0] + R_FOLD) <= step and abs(r2[-1] - R_FOLD) <= step
    # every sample is accounted for: attractor shares + special shares = 1
    total = gc.fractions.sum(axis=1) + sum(gc.special_fractions.values())
    np.testing.assert_allclose(total, 1.0, atol=1e-12)
    assert np.all(gc.special_fractions["unresolved"] == 0)
    # the transitions are where the folds are
    cuts = [0.5 * (CUSP_R[k - 1] + CUSP_R[k]) for k, _, _ in gc.transitions]
    np.testing.assert_allclose(sorted(set(cuts)), [-R_FOLD, R_FOLD], atol=step / 2)


def test_cusp_ids_persist_locations_and_exact_fractions(cusp_cont):
    gc = cusp_cont
    assert gc.ids == (1, 2)
    lower, upper = 1, 2  # the lower branch exists at r = -1, the upper appears later
    first_upper = gc.first_index(upper)
    np.testing.assert_allclose(CUSP_R[first_upper], -0.35)
    np.testing.assert_array_equal(gc.present[:, lower - 1], CUSP_R < R_FOLD)
    np.testing.assert_array_equal(gc.present[:, upper - 1], CUSP_R > -R_FOLD)
    x = gc.initial_conditions[:, 0]
    for k, r in enumerate(CUSP_R):
        roots = cusp_roots(r)
        for gid, att in gc.attractors[k].items():
            want = roots[0] if gid == lower else roots[-1]
            np.testing.assert_allclose(att.location, [want, 0.0], atol=1e-8)
            assert att.kind == "fixed point" and att.stable
        if roots.size == 3:  # bistable: the upper basin is x > middle root, exactly
            exact = float(np.mean(x > roots[1]))
            assert abs(gc.fractions[k, upper - 1] - exact) <= 0.01, (r, exact)
            lo, hi = gc.ci[k, upper - 1]
            assert lo <= exact <= hi
            assert abs(gc.fractions[k, lower - 1] - (1 - exact)) <= 0.01


def test_toggle_pitchfork_splits_into_two_halves(toggle, toggle_cont):
    gc = toggle_cont
    assert gc.success, gc.message
    np.testing.assert_array_equal(gc.n_attractors, np.where(TOGGLE_A > 2.0, 2, 1))
    assert gc.ids == (1, 2) and np.all(gc.present[:, 0])  # id 1 continues through the split
    X = gc.initial_conditions
    above = float(np.mean(X[:, 0] > X[:, 1]))
    for k, a in enumerate(TOGGLE_A):
        for gid, att in gc.attractors[k].items():
            ref = fsolve(lambda z: toggle_f(z, [a, 2.0]), att.location, xtol=1e-13)
            np.testing.assert_allclose(att.location, ref, atol=1e-9)
            assert att.stable
        if a > 2.0:
            # just past the pitchfork orbits creep along the diagonal (the saddle's unstable
            # eigenvalue is small) and the machine's basin cells mislabel ~1% of them
            tol = 0.02 if a < 2.2 else 0.01
            for gid, att in gc.attractors[k].items():
                exact = above if att.location[0] > att.location[1] else 1 - above
                assert abs(gc.fractions[k, gid - 1] - exact) <= tol, (a, gid)
                lo, hi = gc.ci[k, gid - 1]
                assert lo <= 0.5 <= hi, (a, gid, gc.ci[k, gid - 1])
    assert abs(gc.values[gc.first_index(2)] - 2.0) <= TOGGLE_A[1] - TOGGLE_A[0]


def test_serial_and_thread_pool_identical(toggle):
    kw = dict(n=300, seed=4, sweeps=2, progress=False)
    vals = np.linspace(1.5, 3.0, 7)
    s = global_continuation(toggle, "a", vals, TOGGLE_GRID, **kw)
    with cf.ThreadPoolExecutor(2) as ex:
        p = global_continuation(toggle, "a", vals, TOGGLE_GRID, executor=ex, **kw)
    np.testing.assert_array_equal(s.labels, p.labels)
    np.testing.assert_array_equal(s.fractions, p.fractions)
    np.testing.assert_array_equal(s.ci, p.ci)
    np.testing.assert_array_equal(s.present, p.present)
    assert s.ids == p.ids and s.message == p.message
    for a, b in zip(s.attractors, p.attractors, strict=True):
        assert a.keys() == b.keys()
        for g in a:
            np.testing.assert_array_equal(a[g].location, b[g].location)


def test_seeding_finds_attractors_the_samples_miss(cusp):
    # samples only with x < 0.2: for -0.385 < r < -0.192 the upper equilibrium exists but no
    # sample reaches it; seeding carries it one value further per pass
    def left(rng, n):
        return np.column_stack([rng.uniform(-2.0, 0.2, n), rng.uniform(-1.0, 1.0, n)])

    kw = dict(sampler=left, n=300, seed=0, progress=False)
    r = CUSP_R[:24]  # -1 .. 0.15
    bare = global_continuation(cusp, "r", r, CUSP_GRID, sweeps=0, **kw)
    seeded = global_continuation(cusp, "r", r, CUSP_GRID, sweeps=6, **kw)
    x_mid = np.array([cusp_roots(v)[1] if cusp_roots(v).size == 3 else np.nan for v in r])
    reached = (r > -R_FOLD) & ~(x_mid >= 0.2)  # the upper basin meets the samples
    up_b = bare.present[:, bare.ids[-1] - 1]
    np.testing.assert_array_equal(up_b, reached)  # without seeding: only where sampled
    assert r[np.flatnonzero(up_b)[0]] > -0.2
    up = seeded.present[:, seeded.ids[-1] - 1]
    np.testing.assert_array_equal(up, r > -R_FOLD)  # with seeding: from the fold on
    assert len(seeded.ids) == 2 and seeded.n_iter > bare.n_iter
    hidden = up & ~reached
    assert hidden.sum() >= 3 and np.all(seeded.fractions[hidden, 1] == 0)
    fig = seeded.plot(title="cusp, samples x < 0.2, seeded")
    fig.savefig("/tmp/test_continuation_seeded.png", dpi=90)


def test_overlap_and_hausdorff_matching(cusp, cusp_cont):
    # the samples' labels at a value do not depend on the seeds, so a sub-scan must reproduce
    # the fixture's labels there whenever the matcher gives the same ids
    kw = dict(n=500, seed=0, progress=False)
    sub = slice(10, 35)  # r = -0.5 .. 0.7, both folds
    ov = global_continuation(cusp, "r", CUSP_R[sub], CUSP_GRID, match="overlap", **kw)
    coarse = slice(None, None, 4)  # step 0.2
    hd = global_continuation(cusp, "r", CUSP_R[coarse], CUSP_GRID, distance="hausdorff",
                             match_tol=8.0, **kw)
    for res, s in ((ov, sub), (hd, coarse)):
        assert res.ids == cusp_cont.ids
        np.testing.assert_array_equal(res.present, cusp_cont.present[s])
        np.testing.assert_array_equal(res.labels, cusp_cont.labels[s])
    # overlap hands an id to the new basin that overlaps the old one most (Jaccard): on the
    # coarse scan the upper branch appears at r = -0.2 with the larger basin and takes id 1
    ovc = global_continuation(cusp, "r", CUSP_R[coarse], CUSP_GRID, match="overlap", **kw)
    k = int(np.flatnonzero(ovc.n_attractors == 2)[0])
    big = max(ovc.attractors[k], key=lambda g: ovc.fractions[k, g - 1])
    assert big == 1 and ovc.attractors[k][1].location[0] > 0


def test_greedy_matching_semantics():
    # MatchBySSSetDistance: closest pair first, unique use of old ids, threshold -> new id
    D = np.array([[0.1, 5.0], [0.2, 0.3], [9.0, 8.0]])
    ids, nxt = _greedy_match(D, [4, 7], math.inf, 10)
    assert ids == [4, 7, 10] and nxt == 11
    ids, nxt = _greedy_match(D, [4, 7], 0.25, 10)
    assert ids == [4, 10, 11] and nxt == 12  # new 1's free old id 7 is at 0.3 >= 0.25


def test_tight_match_tol_gives_new_ids(cusp):
    # the upper branch moves ~1 cell in the first step after the fold: a 0.5-cell tolerance
    # cannot follow it (and without use_vanished, each step there starts a new id)
    gc = global_continuation(cusp, "r", np.linspace(-0.4, -0.2, 5), CUSP_GRID, n=200,
                             match_tol=0.5, use_vanished=False, progress=False)
    assert len(gc.ids) > 2


def test_generic_regime_diagram_of_the_toggle(toggle):
    a = np.linspace(1, 4, 13)  # step 0.25
    n_hill = [1.0, 2.0, 3.0]
    rd = generic_regime_diagram(toggle, "a", a, "n", n_hill, TOGGLE_GRID, n=200,
                                progress=False)
    assert isinstance(rd, GenericRegimeResult) and rd.success, rd.message
    a_pf3 = 0.5 ** (1 / 3) * 1.5  # pitchfork of n = 3
    want = np.array([np.ones_like(a), np.where(a > 2.0, 2, 1), np.where(a > a_pf3, 2, 1)])
    np.testing.assert_array_equal(rd.n_attractors, want)
    np.testing.assert_array_equal(rd.multistable, want > 1)
    assert np.all(np.array(rd.kinds)[rd.dominant_kind] == "fixed point")
    first = a[np.flatnonzero(rd.multistable[1])[0]]
    assert abs(first - 2.0) <= a[1] - a[0]  # boundary near a = 2 for n = 2
    bist = rd.multistable
    assert np.all((rd.dominant_fraction[bist] > 0.4) & (rd.dominant_fraction[bist] < 0.6))
    assert np.all(rd.dominant_fraction[~bist] == 1.0)
    fig = rd.plot()
    fig.savefig("/tmp/test_continuation_regime.png", dpi=90)
    # regime_diagram dispatches an ODE to the generic function (and needs a grid)
    via = regime_diagram(toggle, "a", a[[0, -1]], "n", [2.0], grid=TOGGLE_GRID, n_ic=200,
                         progress=False)
    np.testing.assert_array_equal(via.n_attractors, rd.n_attractors[1:2, [0, -1]])
    with pytest.raises(ValueError, match="grid"):
        regime_diagram(toggle, "a", [1.0], "n", [2.0], progress=False)
    with pytest.raises(TypeError, match="grid"):
        regime_diagram(CoexistenceModel(), "g", [0.0], "reciprocity", [1.0],
                       grid=TOGGLE_GRID, progress=False)


def test_bad_input_names_the_problem(toggle):
    g = TOGGLE_GRID
    with pytest.raises(ValueError, match="nope"):
        global_continuation(toggle, "nope", [1.0, 2.0], g, progress=False)
    with pytest.raises(ValueError, match="values"):
        global_continuation(toggle, "a", [1.0, np.nan], g, progress=False)
    with pytest.raises(ValueError, match="values"):
        global_continuation(toggle, "a", [[1.0, 2.0]], g, progress=False)
    with pytest.raises(ValueError, match="values"):
        global_continuation(toggle, "a", [1.0, 3.0, 2.0], g, progress=False)
    with pytest.raises(ValueError, match="grid"):
        global_continuation(toggle, "a", [1.0, 2.0], Grid.box(0, 4, 11, dim=3),
                            progress=False)
    with pytest.raises(ValueError, match="match"):
        global_continuation(toggle, "a", [1.0, 2.0], g, match="nearest", progress=False)
    with pytest.raises(ValueError, match="distance"):
        global_continuation(toggle, "a", [1.0, 2.0], g, distance="l2", progress=False)
    with pytest.raises(ValueError, match="y_param"):
        generic_regime_diagram(toggle, "a", [1.0], "a", [2.0], g, progress=False)
    with pytest.raises(ValueError, match="y_param"):
        generic_regime_diagram(toggle, "a", [1.0], "m", [2.0], g, progress=False)
    with pytest.raises(ValueError, match="grid"):
        generic_regime_diagram(toggle, "a", [1.0], "n", [2.0], Grid.box(0, 1, 5, dim=1),
                               progress=False)


def test_unresolved_share_gives_failure(toggle):
    with pytest.warns(ConvergenceWarning, match="unresolved"):
        gc = global_continuation(toggle, "a", [1.5, 3.0], TOGGLE_GRID, n=50,
                                 recurrence=RecurrenceOptions(max_steps=3), progress=False)
    assert not gc.success and not np.any(gc.value_success)
    assert np.all(gc.special_fractions["unresolved"] > 0.5)


def test_continuation_figure(cusp_cont, toggle_cont):
    for name, res in (("cusp", cusp_cont), ("toggle", toggle_cont)):
        fig = res.plot()
        assert len(fig.axes) == 2  # fractions and the existence panel
        fig.savefig(f"/tmp/test_continuation_{name}.png", dpi=90)
