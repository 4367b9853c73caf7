"""ONS keeps its decision in the set after a numerical breakdown (issue 12)."""

import warnings

import numpy as np
import pytest

from equilibria._lib.result import ConvergenceWarning
from equilibria._lib.sets import Ball, Box, Simplex
from equilibria.solvers.online import ONS

BREAKDOWNS = [  # (gradient, gamma): huge gradients overflow A_t, tiny gamma the Newton step
    (np.array([1e200, 0.0, 0.0]), 1.0),
    (np.array([1e300, -1e300, 0.0]), 1e-10),
    (np.array([1.0, -1.0, 0.0]), 1e-300),
    (np.array([1e-3, 0.0, -1e-3]), 1e-300),
]


@pytest.mark.parametrize("domain", [Simplex(), Ball(radius=2.0), Box(lo=-1.0, hi=1.0)],
                         ids=["simplex", "ball", "box"])
@pytest.mark.parametrize("g, gamma", BREAKDOWNS)
def test_ons_prediction_stays_in_the_set(domain, g, gamma):
    learner = ONS(3, gamma, 1.0, domain=domain)
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always", ConvergenceWarning)
        for grad in (g, np.array([1.0, 2.0, 3.0]), -g):
            learner.update(grad)
            x = learner.predict()
            assert np.all(np.isfinite(x))
            assert learner.domain.contains(x, tol=1e-9), x
    assert np.all(np.isfinite(learner.A)) and np.all(np.isfinite(learner.Ainv))


def test_ons_huge_gradient_regression():
    # before: predict() returned the zero vector (not in the simplex) and A held inf/nan
    learner = ONS(3, 1.0, 1.0)
    with pytest.warns(ConvergenceWarning, match="overflowed"):
        learner.update([1e200, 0.0, 0.0])
    x = learner.predict()
    assert Simplex().contains(x) and learner.numerical_failures == 1
    np.testing.assert_allclose(x, [0.0, 0.5, 0.5], atol=1e-9)  # away from the huge loss


def test_ons_tiny_gamma_regression():
    learner = ONS(3, 1e-300, 1.0)
    with pytest.warns(ConvergenceWarning, match="decision set"):
        learner.update([1.0, -1.0, 0.0])
    x = learner.predict()
    assert Simplex().contains(x) and learner.numerical_failures == 1
    np.testing.assert_allclose(x, [0.0, 1.0, 0.0], atol=1e-9)  # the Newton point's vertex


def test_ons_normal_updates_do_not_warn():
    learner = ONS(3, 0.5, 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        for g in np.random.default_rng(0).normal(size=(20, 3)):
            learner.update(g)
    assert learner.numerical_failures == 0 and Simplex().contains(learner.predict())


# --------------------------------------------------------------------------------------------
# issue 12: the bound helpers validate their arguments (before: silent NaN/inf, complex or
# ZeroDivisionError / TypeError from deep inside the formula)
# --------------------------------------------------------------------------------------------
from equilibria.solvers.online import (  # noqa: E402
    OMD, Hedge, LogBarrierFTRL, adversarial_losses, best_crp, diameter, log_barrier_kernel,
    matrix_game, ons, ons_parameters, optimistic_hedge_gap_bound, sea_omd, selfplay,
    stochastic_losses, tsallis_kernel,
)


@pytest.mark.parametrize("kw, exc, name", [
    (dict(domain="nope"), ValueError, "domain"),
    (dict(domain=3), TypeError, "domain"),
    (dict(domain="box", d=0), ValueError, "d"),
    (dict(domain="box", d=2.5), TypeError, "d"),
    (dict(domain="simplex", d="3"), TypeError, "d"),
    (dict(domain=Ball(dim=2), d=3), ValueError, "domain"),
])
def test_diameter_validates(kw, exc, name):
    with pytest.raises(exc, match=rf"`{name}`"):
        diameter(**kw)


def test_diameter_values():
    assert diameter("simplex", 3) == pytest.approx(np.sqrt(2))
    assert diameter(Ball(2.0)) == 4.0
    assert diameter(Box(-1.0, 1.0), d=4) == pytest.approx(4.0)


@pytest.mark.parametrize("args, exc, name", [
    ((np.nan, 1.0, 1.0), ValueError, "alpha"),
    ((1.0, -2.0, 1.0), ValueError, "G"),
    ((1.0, 1.0, 0.0), ValueError, "D"),
    ((1.0, "2", 1.0), TypeError, "G"),
    ((1.0, 1.0, 1 + 1j), TypeError, "D"),
    ((True, 1.0, 1.0), TypeError, "alpha"),
    ((1e-300, 1.0, 1.0), ValueError, "alpha"),  # eps = 1/(gamma D)^2 overflows
    ((1.0, 1e300, 1e300), ValueError, "G"),     # gamma underflows to 0
])
def test_ons_parameters_validates(args, exc, name):
    with pytest.raises(exc, match=rf"`{name}`"):
        ons_parameters(*args)


def test_ons_parameters_float32_and_values():
    g, e = ons_parameters(np.float32(1.0), np.float32(2.0), 1.5)
    assert isinstance(g, float) and isinstance(e, float)
    assert g == pytest.approx(0.5 * min(1 / (4 * 2 * 1.5), 1.0), rel=1e-12)
    assert e == pytest.approx(1 / (g * 1.5) ** 2, rel=1e-12)


A3 = np.array([[0.5, -1.0, 0.2], [0.1, 0.3, -0.4]])


@pytest.mark.parametrize("kw, exc, name", [
    (dict(A=np.array([[np.nan, 1.0]])), ValueError, "A"),
    (dict(A=np.zeros((0, 2))), ValueError, "A"),
    (dict(A=np.ones(3)), ValueError, "A"),
    (dict(A=A3.astype(complex)), TypeError, "A"),
    (dict(T=0), ValueError, "T"),
    (dict(T=2.5), TypeError, "T"),
    (dict(eta=0.0), ValueError, "eta"),
    (dict(eta=np.inf), ValueError, "eta"),
    (dict(eta=0.9), ValueError, "eta"),           # > 1/(2 max|A|): outside the theorem
    (dict(eta=1e-310), ValueError, "A"),  # the bound overflows (message names all three)
])
def test_optimistic_hedge_gap_bound_validates(kw, exc, name):
    args = {"A": A3, "T": 10, "eta": 0.5, **kw}
    with pytest.raises(exc, match=rf"`{name}`"):
        optimistic_hedge_gap_bound(**args)


def test_optimistic_hedge_gap_bound_value_and_selfplay():
    r = selfplay(A3, 200)
    bound = optimistic_hedge_gap_bound(A3, 200, r.eta)
    assert isinstance(bound, float)
    assert bound == pytest.approx((np.log(2) + np.log(3)) / (r.eta * 200)
                                  + 2 * r.eta * 1.0 / 200, rel=1e-12)
    assert 0 <= r.gap <= bound


def test_selfplay_all_zero_game_is_a_trivial_equilibrium():
    # before: ValueError "`A` must not be identically zero"
    for method in ("optimistic_hedge", "hedge"):
        r = selfplay(np.zeros((2, 3)), 20, method=method)
        assert r.success and r.gap == 0.0
        np.testing.assert_allclose(r.x, np.full(2, 0.5))
        np.testing.assert_allclose(r.y, np.full(3, 1 / 3))
    assert optimistic_hedge_gap_bound(np.zeros((2, 3)), 20, 1.0) > 0


# --------------------------------------------------------------------------------------------
# sizes, float32 points, kernels, overflow
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("call, name", [
    (lambda: Hedge(10**18, 0.5), "N"),
    (lambda: LogBarrierFTRL(10**18, 0.5), "N"),
    (lambda: OMD(10**18, 0.5), "d"),
    (lambda: ONS(10**9, 0.5, 1.0), "d"),  # two (d, d) matrices
    (lambda: matrix_game(10**18, 3), "n"),
    (lambda: matrix_game(3, 10**18), "m"),
    (lambda: selfplay(A3, 10**18), "T"),
    (lambda: adversarial_losses(10**18, 3), "T"),
    (lambda: stochastic_losses(10, 10**18, means=[0.5, 0.5]), "N"),
])
def test_huge_sizes_raise_before_allocating(call, name):
    with pytest.raises(ValueError, match=rf"`{name}`=\d+ is too large"):
        call()


def test_hedge_names_its_own_argument():
    with pytest.raises(ValueError, match="`N`"):
        Hedge(0, 0.5)


def test_float32_simplex_start_is_accepted_and_renormalized():
    # before: "`x1` is outside the decision set (simplex): ... sum 1.0000000149"
    x1 = np.array([0.2, 0.3, 0.5])
    G = np.random.default_rng(0).uniform(-1, 1, (10, 3))
    from equilibria.solvers.online import omd
    r64 = omd(G, 0.3, x1=x1)
    r32 = omd(G, 0.3, x1=x1.astype(np.float32))
    np.testing.assert_allclose(r32.weights, r64.weights, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(r32.weights.sum(axis=1), 1.0, rtol=0, atol=1e-15)
    with pytest.raises(ValueError, match="`x1`"):
        omd(G, 0.3, x1=np.array([0.2, 0.3, 0.5 + 1e-7]))  # float64: 1e-8 tolerance kept
    learner = ONS(3, 0.5, 1.0, x1=x1.astype(np.float32))
    assert abs(learner.predict().sum() - 1.0) <= 1e-15


@pytest.mark.parametrize("kernel, power", [(log_barrier_kernel, 1), (tsallis_kernel, 2)])
def test_normalization_kernels_validate(kernel, power):
    L = np.array([0.5, -1.0, 2.0])
    p = np.empty(3)
    lam = kernel(L, 0.7, p)
    np.testing.assert_allclose(p, (0.7 * (L - lam)) ** -power, rtol=1e-10)
    assert abs(p.sum() - 1) < 1e-14
    for bad, exc, name in [(np.array([np.nan, 1.0, 0.0]), ValueError, "L"),
                           (L.astype(complex), TypeError, "L"), (L[:, None], ValueError, "L"),
                           (np.zeros(0), ValueError, "L"), (None, TypeError, "L")]:
        with pytest.raises(exc, match=f"`{name}`"):
            kernel(bad, 0.7, p)
    for eta, exc in [(0.0, ValueError), (np.nan, ValueError), ("1", TypeError)]:
        with pytest.raises(exc, match="`eta`"):
            kernel(L, eta, p)
    with pytest.raises(ValueError, match="`eta`"):
        kernel(L, 1e300, p)  # the normalization overflows: before, NaN weights
    for out, exc in [([0.0] * 3, TypeError), (np.empty(4), ValueError),
                     (np.empty(3, dtype=int), TypeError)]:
        with pytest.raises(exc, match="`p_out`"):
            kernel(L, 0.7, out)
    ro = np.empty(3)
    ro.flags.writeable = False
    with pytest.raises(TypeError, match="`p_out`"):
        kernel(L, 0.7, ro)


@pytest.mark.parametrize("kernel", [log_barrier_kernel, tsallis_kernel])
def test_normalization_kernels_convert_without_recompiling(kernel):
    from equilibria.solvers.online import _kernels as K
    L = np.array([0.5, -1.0, 2.0])
    p = np.empty(3)
    lam = kernel(L, 0.7, p)
    disp = K._log_barrier_newton if kernel is log_barrier_kernel else K._tsallis_newton
    n0 = len(disp.overloads)
    for L2 in (L.tolist(), L.astype(np.float32), np.repeat(L, 2)[::2], np.array(L)):
        q = np.empty(6)[::2]  # a non-contiguous output is filled too
        assert kernel(L2, np.float32(0.7), q) == pytest.approx(lam, rel=1e-6)
        np.testing.assert_allclose(q, p, rtol=1e-6)
    assert len(disp.overloads) == n0


def test_normalization_kernels_still_compile_inside_njit():
    import numba

    @numba.njit
    def both(L, eta, p):
        return log_barrier_kernel(L, eta, p) + tsallis_kernel(L, eta, p)

    L, p = np.array([0.5, -1.0, 2.0]), np.empty(3)
    expected = log_barrier_kernel(L, 0.7, p) + tsallis_kernel(L, 0.7, p)
    assert both(L, 0.7, p) == pytest.approx(expected, rel=1e-14)


def test_learner_overflow_is_a_clear_error_and_keeps_the_state():
    learner = LogBarrierFTRL(3, 1e300)  # before: predict() returned NaN weights
    learner.update([0.3, -0.2, 0.5])
    with pytest.raises(ValueError, match="`eta`"):
        learner.predict()
    omd_l = OMD(3, 1e300, regularizer="log_barrier")
    x0 = omd_l.predict()
    with pytest.raises(ValueError, match="`eta`"):
        omd_l.update([0.3, -0.2, 0.5])
    np.testing.assert_array_equal(omd_l.predict(), x0)
    assert omd_l.t == 0 and not omd_l.L.any()


def test_sea_huge_gradient_bound_is_a_clear_error():
    # before: OverflowError from G_max**2
    G = np.random.default_rng(0).uniform(-1, 1, (5, 3))
    with pytest.raises(ValueError, match="`G_max`"):
        sea_omd(G, G_max=1e300)


def test_ons_without_comparator_has_no_nan():
    # before: crp_log_wealth = nan in a successful result
    R = np.random.default_rng(2).uniform(0.5, 1.5, (10, 3))
    r = ons(R, comparator=None)
    assert r.success and r.crp is None and r.crp_log_wealth is None
    with pytest.raises(ValueError, match="comparator"):
        r.regret
    assert ons(R, comparator="newton").regret >= -1e-9


def test_ons_default_parameters_for_extreme_returns():
    R = np.random.default_rng(2).uniform(0.5, 1.5, (10, 3))
    r = ons(R * 1e300, comparator=None)  # before: inf G from the norm of the rows
    np.testing.assert_allclose(r.weights, ons(R, comparator=None).weights, rtol=1e-9)
    R2 = R.copy()
    R2[0, 0] = 1e-300
    with pytest.raises(ValueError, match="`returns`"):
        ons(R2, comparator=None)


@pytest.mark.parametrize("tol, exc", [(np.nan, ValueError), (-1.0, ValueError), (0.0, ValueError),
                                      (1e-300, ValueError), ("1e-10", TypeError),
                                      (True, TypeError)])
def test_best_crp_tol_validated(tol, exc):
    # before: nan / negative tolerances looped for ever, 0 returned NaN
    R = np.random.default_rng(2).uniform(0.5, 1.5, (10, 3))
    with pytest.raises(exc, match="`tol`"):
        best_crp(R, method="newton", tol=tol)
