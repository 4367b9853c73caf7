"""Reliability of the games room (issue 12): the degenerate all-zero game, extreme scales,
helpers that validate their input.  Each test names the behaviour before the fix."""

import importlib

import numpy as np
import pytest

from equilibria.solvers.games import (FiniteSum, extragradient, halpern, linear_finite_sum,
                                      mirror_prox, nash_mirror_prox, regularized_nash)
from equilibria.solvers.games import theorems as T
from equilibria.verification import ConvergenceWarning, duality_gap

MP = importlib.import_module("equilibria.solvers.games.mirror_prox")
NA = importlib.import_module("equilibria.solvers.games.nash")


# --------------------------------------------------------------------------------------------
# the all-zero game (issue 12, item 6)
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("mirror", ["entropy", "euclidean"])
@pytest.mark.parametrize("tol", [None, 1e-6])
def test_mirror_prox_all_zero_game_has_its_trivial_equilibrium(mirror, tol):
    # before: ValueError "`A` must not be identically zero"
    A = np.zeros((3, 4))
    res = mirror_prox(A, mirror=mirror, max_iter=20, tol=tol)
    assert res.success and res.gap == 0.0
    assert duality_gap(A, res.x_avg, res.y_avg) == 0.0
    np.testing.assert_allclose(res.x_avg, np.full(3, 1 / 3))
    np.testing.assert_allclose(res.y_avg, np.full(4, 1 / 4))
    if tol is not None:
        assert res.n_iter == 1


def test_mirror_prox_all_zero_finite_sum_and_given_start():
    x0, y0 = np.array([0.2, 0.8]), np.array([1.0, 0.0, 0.0])
    res = mirror_prox(np.zeros((5, 2, 3)), x0=x0, y0=y0, max_iter=5)
    assert res.success and res.gap == 0.0
    np.testing.assert_allclose(res.x, x0)


# --------------------------------------------------------------------------------------------
# extreme scales: a residual lost to rounding is not a success
# --------------------------------------------------------------------------------------------

M = np.array([[2.0, 0.5], [0.5, 1.0]])
Q = np.array([1.0, -1.0])


def test_halpern_forward_huge_L_does_not_report_false_success():
    # before: success with ||F(x)|| = 0.6 at tol=1e-4 (||x - T x|| / gamma rounded to 0)
    with pytest.warns(ConvergenceWarning):
        res = halpern(np.array([1.0, -2.0]), F=lambda x: M @ x + Q, L=1e300, tol=1e-4,
                      max_iter=50)
    assert not res.success
    np.testing.assert_allclose(res.residual, np.linalg.norm(M @ res.x + Q), rtol=1e-12)


def test_extragradient_huge_L_does_not_report_false_success():
    # before: success with ||F(x)|| = 1.9 (the natural residual rounded to 0)
    with pytest.warns(ConvergenceWarning):
        res = extragradient(lambda x: M @ x + Q, np.array([1.0, 0.0]), L=1e300, tol=1e-4,
                            max_iter=50)
    assert not res.success
    with pytest.warns(ConvergenceWarning, match="rounding"):
        proj = extragradient(lambda x: M @ x + Q, np.array([1.0, 0.0]), L=1e300, tol=1e-4,
                             max_iter=50, project=lambda v: np.clip(v, -5, 5))
    assert not proj.success


def test_operator_length_mismatch_names_x0():
    # before: numpy's matmul error from inside the user's operator
    with pytest.raises(ValueError, match="`x0`"):
        halpern(np.zeros(3), F=lambda x: M @ x + Q, L=3.0)
    with pytest.raises(ValueError, match="`x0`"):
        extragradient(lambda x: M @ x + Q, np.zeros(3), L=3.0)


def test_mirror_prox_max_iter_is_capped_before_allocating():
    # before: MemoryError (a 6.9 EiB gap history)
    with pytest.raises(ValueError, match="`max_iter`"):
        mirror_prox(np.eye(2), max_iter=10**18)


def test_mirror_prox_float32_start_and_shape_messages():
    A = np.array([[1.0, -1.0, 0.5], [0.0, 1.0, -1.0]])
    base = mirror_prox(A, x0=np.full(2, 0.5), y0=np.full(3, 1 / 3), max_iter=30)
    # before: ValueError "`y0` must sum to 1 (atol=1e-08), off by 2.98e-08"
    r32 = mirror_prox(A, x0=np.full(2, 0.5), y0=np.full(3, 1 / 3, dtype=np.float32),
                      max_iter=30)
    np.testing.assert_allclose(r32.x_avg, base.x_avg, rtol=1e-5)
    with pytest.raises(ValueError, match=r"`x0`.*rows of `A`"):
        mirror_prox(A.T, x0=np.full(2, 0.5))


def test_project_simplex_huge_and_invalid_entries():
    # before: IndexError for an entry of 1e300 (cumulative sums cancel); NaN accepted
    np.testing.assert_array_equal(MP.project_simplex(np.array([1e300, 0.0, -1.0])),
                                  [1.0, 0.0, 0.0])
    np.testing.assert_allclose(MP.project_simplex([1e17 + 0.0, 1e17 + 0.0]), [0.5, 0.5])
    for bad in (np.array([np.nan, 1.0]), np.zeros(0), np.ones((2, 2)), ["a", "b"]):
        with pytest.raises((ValueError, TypeError), match="`v`"):
            MP.project_simplex(bad)


def test_kl_validates_its_arguments():
    # before: NaN / negative values for invalid q, IndexError for a length mismatch
    p = np.array([0.2, 0.3, 0.5])
    assert NA.kl(p, p) == 0.0
    assert NA.kl(p, [1.0, 0.0, 0.0]) == np.inf
    for bad, name in ((np.array([0.5, 0.6, -0.1]), "`q`"), (np.ones(4) / 4, "`q`"),
                      (np.array([np.nan, 0.5, 0.5]), "`q`")):
        with pytest.raises(ValueError, match=name):
            NA.kl(p, bad)
    with pytest.raises(ValueError, match="`p`"):
        NA.kl(np.array([1e300, 0.0, 0.0]), p)


def test_finite_sum_full_validates_x_and_zero_M_is_named():
    fs = linear_finite_sum(np.stack([np.eye(2), 2 * np.eye(2)]))
    np.testing.assert_allclose(fs.full([1.0, 2.0]), [1.5, 3.0])
    for bad in ([np.nan, 1.0], [1.0, 2.0, 3.0], "12"):
        with pytest.raises((ValueError, TypeError), match="`x`"):
            fs.full(bad)
    # before: "`L` must be > 0, got 0.0" (the argument passed was `M`)
    with pytest.raises(ValueError, match="`M`"):
        linear_finite_sum(np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="`q`.*`M`"):
        linear_finite_sum(np.ones((3, 2, 2)), np.zeros((2, 2)))
    huge = linear_finite_sum(np.full((1, 2, 2), 1e300))
    assert isinstance(huge, FiniteSum) and np.isfinite(huge.L)


def test_preference_matrix_float32_and_regularized_nash_tol():
    P = np.array([[0.5, 0.9, 0.2], [0.1, 0.5, 0.7], [0.8, 0.3, 0.5]])
    ref = regularized_nash(P, 0.5)
    # before: ValueError "P + P^T = 1 ... off by 2.98e-08"
    np.testing.assert_allclose(regularized_nash(P.astype(np.float32), 0.5), ref, rtol=1e-5)
    assert nash_mirror_prox(P.astype(np.float32), 0.5, tol=1e-8).success
    # before: RuntimeError / TypeError for tol=nan / None
    for bad in (np.nan, None, "1e-10", -1.0):
        with pytest.raises((ValueError, TypeError), match="`tol`"):
            regularized_nash(P, 0.5, tol=bad)


@pytest.mark.parametrize("call, name", [
    (lambda: T.sample_cocoercive(np.random.default_rng(0), d=10**18), "`d`"),
    (lambda: T.sample_cocoercive(np.random.default_rng(0), d=0), "`d`"),
    (lambda: T.sample_cocoercive(np.random.default_rng(0), n_iter=2.5), "`n_iter`"),
    (lambda: T.sample_nonexpansive(np.random.default_rng(0), d=1), "`d`"),
    (lambda: T.sample_nonexpansive(np.random.default_rng(0), kind="spiral"), "`kind`"),
    (lambda: T.sample_matrix_game(np.random.default_rng(0), n=-1), "`n`"),
    (lambda: T.sample_matrix_game(np.random.default_rng(0), n=10**5, m=10**5), "`m`"),
    (lambda: T.sample_matrix_game(np.random.default_rng(0), T=0), "`T`"),
    (lambda: T.sample_preference_game(np.random.default_rng(0), K=10**18), "`K`"),
    (lambda: T.sample_preference_game(np.random.default_rng(0), beta=np.nan), "`beta`"),
])
def test_theorem_samplers_validate_sizes(call, name):
    # before: numpy errors (negative dimensions, low >= high, MemoryError) or silently
    # accepted nonsense (T=0, kind="spiral", beta=nan)
    with pytest.raises((ValueError, TypeError), match=name):
        call()
