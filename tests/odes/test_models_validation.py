"""Regression tests of the reliability issue (#12) for the models and sweeps of the room:
``identify_attractors`` validates its inputs; read-only, Fortran-ordered and non-contiguous
arrays give the same answer without a new numba compilation; huge sizes raise a ValueError
naming the argument before anything is allocated."""

import time
import warnings

import numpy as np
import pytest

from equilibria._lib.result import ConvergenceWarning
from equilibria.odes import (CoexistenceModel, LVSystem, SweepOptions, basin_continuation,
                             basin_sweep, identify_attractors, lv_competition, regime_diagram,
                             sensitivity, shock_test)
from equilibria.odes import theorems as T
from tests.fuzz.harness import n_signatures


def _comp():
    return lv_competition([1.0, 1.0], [1.0, 1.0], [[1.0, 1.5], [1.5, 1.0]])


def _end_states():
    S = _comp()
    run = S.simulate_batch(np.array([[0.3, 0.6], [0.6, 0.3], [1.0, 0.2], [0.2, 1.0]]), 50.0)
    return S, run.x.copy(), run.status.copy()


OPTS = SweepOptions(t_end=20.0, recurrence=False, max_iter=20_000)


# ------------------------------------------------------------------ identify_attractors
def test_identify_attractors_baseline_labels_the_two_states():
    S, X, status = _end_states()
    labels, att = identify_attractors(S, X, status)
    assert labels.shape == (4,) and att.shape == (2, 2)
    assert set(labels.tolist()) == {0, 1}


@pytest.mark.parametrize("bad, match", [
    (lambda X, s: (np.vstack([X, X[:1]]), s), "status"),       # one row too many
    (lambda X, s: (X[:, :1], s), "X"),                           # wrong state dimension
    (lambda X, s: (X.astype(str), s), "X"),                      # numeric strings
    (lambda X, s: (X.astype(complex) + 1j, s), "X"),             # complex
    (lambda X, s: (np.where(np.arange(4)[:, None] == 0, np.nan, X), s), "X"),  # NaN, converged
    (lambda X, s: (-X - 1.0, s), "X"),                           # negative states
    (lambda X, s: (X, s + 0.5), "status"),                       # non-integer status
    (lambda X, s: (X, s + 10), "status"),                        # unknown status code
    (lambda X, s: (X, s > 0), "status"),                         # bool
    (lambda X, s: (X, s[:, None]), "status"),                    # wrong ndim
])
def test_identify_attractors_rejects_bad_end_states(bad, match):
    S, X, status = _end_states()
    Xb, sb = bad(X, status)
    with pytest.raises((ValueError, TypeError), match=f"`{match}`"):
        identify_attractors(S, Xb, sb)


@pytest.mark.parametrize("kw, match", [
    ({"cluster_tol": -1.0}, "cluster_tol"), ({"cluster_tol": np.nan}, "cluster_tol"),
    ({"cluster_tol": 0.0}, "cluster_tol"), ({"ftol": np.nan}, "ftol"),
    ({"ftol": "1e-6"}, "ftol"), ({"ftol": 1e-6 + 0j}, "ftol"),
])
def test_identify_attractors_rejects_bad_tolerances(kw, match):
    # a negative or NaN cluster_tol used to loop for ever in the clustering
    S, X, status = _end_states()
    t0 = time.perf_counter()
    with pytest.raises((ValueError, TypeError), match=f"`{match}`"):
        identify_attractors(S, X, status, **kw)
    assert time.perf_counter() - t0 < 5.0


def test_identify_attractors_rejects_a_non_system():
    _, X, status = _end_states()
    with pytest.raises(TypeError, match="`system`"):
        identify_attractors("not a system", X, status)


def test_identify_attractors_accepts_nan_rows_of_diverged_orbits():
    S, X, status = _end_states()
    X[1] = np.nan
    status[1] = 2
    labels, _ = identify_attractors(S, X, status)
    assert labels[1] == -2


# ------------------------------------------------------------------ layouts, no recompilation
def _layouts(a):
    ro = np.array(a)
    ro.flags.writeable = False
    nc = np.empty((2 * a.shape[0],) + a.shape[1:])
    nc[::2] = a
    out = {"readonly": ro, "noncontig": nc[::2], "list": a.tolist()}
    if a.ndim == 2:
        out["fortran"] = np.asfortranarray(a)
    return out


def test_simulate_layouts_same_answer_without_recompiling():
    S = _comp()
    x0 = np.array([0.3, 0.6])
    t = np.linspace(0.0, 5.0, 11)
    base = S.simulate(x0, 5.0, t_eval=t)
    for name, x in _layouts(x0).items():
        for tname, tt in _layouts(t).items():
            n0 = n_signatures()
            tr = S.simulate(x, 5.0, t_eval=tt)
            assert n_signatures() == n0, f"recompiled for x0 {name}, t_eval {tname}"
            np.testing.assert_allclose(tr.y, base.y, rtol=1e-12, atol=1e-14)


def test_simulate_batch_layouts_same_answer_without_recompiling():
    M = CoexistenceModel.preset("governed")
    X0 = np.random.default_rng(0).uniform(0.1, 2.0, (3, M.n))
    base = M.simulate_batch(X0, 5.0)
    for name, X in _layouts(X0).items():
        n0 = n_signatures()
        run = M.simulate_batch(X, 5.0)
        assert n_signatures() == n0, f"recompiled for X0 {name}"
        np.testing.assert_allclose(run.x, base.x, rtol=1e-12, atol=1e-14)


def test_basin_sweep_layouts_same_answer_without_recompiling():
    S = _comp()
    kw = dict(grid=3, options=OPTS, progress=False)
    base = basin_sweep(S, u_range=np.array([0.05, 2.0]), base=np.zeros(2), axes=np.eye(2), **kw)
    for name in ("readonly", "noncontig", "list"):
        n0 = n_signatures()
        res = basin_sweep(S, u_range=_layouts(np.array([0.05, 2.0]))[name],
                          base=_layouts(np.zeros(2))[name], axes=_layouts(np.eye(2))[name],
                          **kw)
        assert n_signatures() == n0, f"recompiled for {name} slice arrays"
        np.testing.assert_array_equal(res.labels, base.labels)
    res = basin_sweep(S, u_range=np.array([0.05, 2.0]), base=np.zeros(2),
                      axes=np.asfortranarray(np.eye(2)), **kw)
    np.testing.assert_array_equal(res.labels, base.labels)


def test_system_leaves_the_callers_arrays_writable():
    r, A = np.array([1.0, 1.0]), np.array([[-1.0, 0.5], [0.5, -1.0]])
    S = LVSystem(r=r, A=A)
    assert r.flags.writeable and A.flags.writeable  # was set read-only in place
    r[0] = 5.0
    assert S.r[0] == 1.0
    ro = np.array(A)
    ro.flags.writeable = False
    S2 = LVSystem(r=np.ones(2), A=ro)
    n0 = n_signatures()
    S2.simulate_batch(np.array([[0.5, 0.5]]), 1.0)
    S.simulate_batch(np.array([[0.5, 0.5]]), 1.0)
    assert n_signatures() == n0


# ------------------------------------------------------------------ huge sizes
HUGE = 10**18


@pytest.mark.parametrize("call, match", [
    (lambda: basin_sweep(_comp(), grid=HUGE, options=OPTS, progress=False), "grid"),
    (lambda: basin_sweep(_comp(), grid=3, chunks=HUGE, options=OPTS, progress=False),
     "chunks"),
    (lambda: basin_continuation(CoexistenceModel.preset("governed"), "g", [0.5, 1.0],
                                grid=HUGE, options=OPTS, progress=False), "grid"),
    (lambda: regime_diagram(CoexistenceModel.preset("governed"), "g", [0.5], "freedom",
                            [1.8], n_ic=HUGE, options=OPTS, progress=False), "n_ic"),
    (lambda: SweepOptions(n_samples=HUGE), "n_samples"),
    (lambda: _comp().equilibria(method="newton", n_starts=HUGE), "n_starts"),
    (lambda: CoexistenceModel(n_h=HUGE), "n_h"),
    (lambda: CoexistenceModel(n_a=HUGE), "n_a"),
    (lambda: sensitivity(CoexistenceModel.preset("governed"), "g", method="sobol",
                         bounds={"g": (0.5, 1.5)}, n=2**62, progress=False), "n"),
    (lambda: T.sample_volterra(np.random.default_rng(0), n=HUGE), "n"),
    (lambda: T.sample_weyl(np.random.default_rng(0), n=HUGE), "n"),
    (lambda: T.sample_p_matrix(np.random.default_rng(0), n=HUGE), "n"),
    (lambda: T.sample_glv(np.random.default_rng(0), n=HUGE), "n"),
    (lambda: T.preset_violations(np.random.default_rng(0), n_ic=HUGE), "n_ic"),
])
def test_huge_sizes_raise_before_allocating(call, match):
    t0 = time.perf_counter()
    with pytest.raises(ValueError, match=f"`{match}`"):
        call()
    assert time.perf_counter() - t0 < 5.0


def test_shock_bisection_terminates_at_float_resolution():
    # bisect_tol below the float resolution of the bracket used to loop for ever
    M = CoexistenceModel.preset("governed")
    x_star = M.equilibria().stable_points[0]
    t0 = time.perf_counter()
    res = shock_test(M, x_star=x_star, magnitude=0.3, t_end=20.0, bisect_tol=1e-300)
    assert time.perf_counter() - t0 < 60.0
    assert 0 < res.critical_magnitude <= 1.0 or res.critical_magnitude == np.inf


# ------------------------------------------------------------------ other boundary checks
def test_model_arrays_reject_strings_complex_and_bool():
    for bad in (np.array(["1.0"] * 3).reshape(3, 1), np.full((3, 1), 1.0 + 1j),
                np.ones((3, 1), dtype=bool)):
        with pytest.raises(TypeError, match="`r_h`"):
            CoexistenceModel(r_h=bad)


def test_simulate_batch_flags_failed_rows():
    S = LVSystem(r=np.array([1.0]), A=np.array([[1.0]]))  # x' = x (1 + x): blows up
    with pytest.warns(ConvergenceWarning, match="diverged"):
        run = S.simulate_batch(np.array([[1.0]]), 10.0)
    assert not run.success and run.status[0] == 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not S.simulate_batch(np.array([[1.0]]), 10.0, warn=False).success


def test_regime_diagram_names_the_parameter_argument():
    M = CoexistenceModel.preset("governed")
    with pytest.raises(ValueError, match="`y_param`"):
        regime_diagram(M, "g", [0.5], "no_such_param", [1.0], n_ic=2, options=OPTS,
                       progress=False)
    with pytest.raises(ValueError, match="`x_values`"):
        regime_diagram(M, "g", [-1.0], "freedom", [1.0], n_ic=2, options=OPTS,
                       progress=False)
