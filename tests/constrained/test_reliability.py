"""``sketch_solve`` validates its input (issue 12): clear errors naming the argument."""

import numpy as np
import pytest

from equilibria.solvers.constrained import sketch_solve

K = np.array([[4.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 2.0]])
B = np.array([1.0, 2.0, 3.0])


@pytest.mark.parametrize("method", ["kaczmarz", "block", "gaussian", "exact"])
def test_sketch_solve_valid_baseline(method):
    z, it, res = sketch_solve(K, B, tol_abs=1e-10, method=method, seed=0)
    assert it >= 1 and res <= 1e-10
    np.testing.assert_allclose(z, np.linalg.solve(K, B), atol=1e-9)


def test_sketch_solve_accepts_lists_ints_and_views():
    Kf = np.asfortranarray(K)
    Kf.setflags(write=False)
    z, _, res = sketch_solve(Kf.tolist(), [1, 2, 3], z0=np.zeros(6)[::2], tol_abs=1e-10, seed=0)
    assert res <= 1e-10


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(b=np.ones((3, 1))), ValueError, r"`b`.*ndim"),            # before: numba TypingError
    (dict(b=np.ones(4)), ValueError, r"`b`.*shape \(3,\)"),
    (dict(b=[1.0, np.nan, 0.0]), ValueError, r"`b`.*finite"),
    (dict(b="123"), TypeError, r"`b`"),
    (dict(K=np.where(np.eye(3) > 0, np.nan, K)), ValueError, r"`K`.*finite"),  # before: z = 0
    (dict(K=np.ones((3, 2))), ValueError, r"`K`.*square"),
    (dict(K=np.ones(3)), ValueError, r"`K`.*ndim"),
    (dict(K=K.astype(complex) * 1j), TypeError, r"`K`"),
    (dict(K=np.zeros((0, 0)), b=np.zeros(0)), ValueError, r"`K`.*non-empty"),
    (dict(z0=np.ones(2)), ValueError, r"`z0`.*shape"),
    (dict(z0=[np.inf, 0.0, 0.0]), ValueError, r"`z0`.*finite"),
    (dict(tol_abs=-1.0), ValueError, r"`tol_abs`.*-1"),
    (dict(tol_abs=np.nan), ValueError, r"`tol_abs`.*nan"),
    (dict(tol_abs="1e-8"), TypeError, r"`tol_abs`"),
    (dict(method="kazcmarz"), ValueError, r"`method`='kazcmarz'.*'kaczmarz'"),  # before: ok
    (dict(method=None), ValueError, r"`method`=None"),
    (dict(sketch_size=0), ValueError, r"`sketch_size`.*0"),
    (dict(sketch_size=1.5), TypeError, r"`sketch_size`"),
    (dict(max_iter=0), ValueError, r"`max_iter`.*0"),
    (dict(max_iter=-5), ValueError, r"`max_iter`.*-5"),
    (dict(equilibrate="yes"), TypeError, r"`equilibrate`"),
])
def test_sketch_solve_rejects_invalid_input(kwargs, exc, match):
    args = dict(K=K, b=B, tol_abs=1e-8, seed=0) | kwargs
    Km, bm = args.pop("K"), args.pop("b")
    with pytest.raises(exc, match=match):
        sketch_solve(Km, bm, **args)


def test_sketch_solve_does_not_mutate_inputs():
    Kc, bc, z0 = K.copy(), B.copy(), np.zeros(3)
    sketch_solve(Kc, bc, z0, tol_abs=1e-10, method="block", seed=0)
    np.testing.assert_array_equal(Kc, K)
    np.testing.assert_array_equal(bc, B)
    np.testing.assert_array_equal(z0, 0.0)


# --------------------------------------------------------------------------------------------
# eal_sketch keeps going where a robust solver does (issue 12, item 6)
# --------------------------------------------------------------------------------------------
import warnings  # noqa: E402

from equilibria.solvers.constrained import (RankDeficiencyWarning, eal_sketch,  # noqa: E402
                                            primal_dual)
from equilibria.solvers.constrained._problems import random_problem  # noqa: E402
from equilibria.verification import ConvergenceWarning, Status  # noqa: E402

SKETCHES = ["block", "exact", "kaczmarz", "gaussian"]


def _redundant_sum():
    """min ||x||^2 s.t. sum x = 1 and 2 sum x = 2 (consistent, dependent rows); x* = 1/3."""
    return dict(f=lambda x: x @ x, c=lambda x: np.array([x.sum() - 1, 2 * x.sum() - 2]),
                x0=np.zeros(3), grad=lambda x: 2 * x,
                jac=lambda x: np.array([[1.0] * 3, [2.0] * 3]), hess=lambda x, l: 2 * np.eye(3))


def _duplicated_rows():
    """x = 1 and x_0 = 1: four consistent constraints for three variables; x* = 1."""
    return dict(f=lambda x: x @ x, c=lambda x: np.concatenate([x, x[:1]]) - 1, x0=np.zeros(3),
                grad=lambda x: 2 * x, jac=lambda x: np.vstack([np.eye(3), np.eye(3)[:1]]),
                hess=lambda x, l: 2 * np.eye(3))


def _zero_hessian_parallel_gradients():
    """min sum x^4 s.t. sum x = 1, (x_0 + 1/2)^2 + x_1 + x_2 = 3/2 from x0 = 0: the Hessian of
    the Lagrangian vanishes and the two constraint gradients are parallel at x0 (the Newton-KKT
    matrix is singular and its linearization inconsistent); LICQ and second-order sufficiency
    hold at x* = (1/2, 1/4, 1/4)."""
    def c(x):
        return np.array([x.sum() - 1, (x[0] + 0.5) ** 2 + x[1] + x[2] - 1.5])

    def jac(x):
        return np.array([[1.0, 1, 1], [2 * (x[0] + 0.5), 1, 1]])

    def hess(x, lam):
        return np.diag(12 * x ** 2) + lam[1] * np.diag([2.0, 0, 0])
    return dict(f=lambda x: float(np.sum(x ** 4)), c=c, x0=np.zeros(3),
                grad=lambda x: 4 * x ** 3, jac=jac, hess=hess), np.array([0.5, 0.25, 0.25])


_A_ZH = np.array([1.0, -0.5, 0.25])


def _zero_hessian_singular_kkt():
    """min sum (x - 1)^4 + a^T x s.t. sum x = 3 from x0 = 1: zero Hessian, full-rank J and a
    gradient with a null-space component, so K z = -grad L has no solution at x0."""
    return dict(f=lambda x: float(np.sum((x - 1) ** 4) + _A_ZH @ x),
                c=lambda x: np.array([x.sum() - 3.0]), x0=np.ones(3),
                grad=lambda x: 4 * (x - 1) ** 3 + _A_ZH, jac=lambda x: np.ones((1, 3)),
                hess=lambda x, l: np.diag(12 * (x - 1) ** 2))


def _assert_kkt(res, kw, tol=1e-8):
    x, lam = res.x, res.lam
    stat = np.abs(kw["grad"](x) + kw["jac"](x).T @ lam).max()
    feas = np.abs(kw["c"](x)).max()
    assert max(stat, feas) <= tol, (stat, feas)


@pytest.mark.parametrize("sketch", SKETCHES)
@pytest.mark.parametrize("problem, x_star", [(_redundant_sum, np.full(3, 1 / 3)),
                                             (_duplicated_rows, np.ones(3))])
def test_eal_solves_consistent_redundant_constraints(problem, x_star, sketch):
    # before: status DEGENERATE at x0 ("rank 1 < m=2", "4 constraints for 3 variables")
    kw = problem()
    with pytest.warns(RankDeficiencyWarning, match="continuing"):
        res = eal_sketch(**kw, sketch=sketch, seed=0)
    assert res.success and res.status == Status.SUCCESS
    assert res.lam.shape == (kw["c"](kw["x0"]).size,)
    _assert_kkt(res, kw)                       # the certificate of *all* constraints
    np.testing.assert_allclose(res.x, x_star, atol=1e-7)
    assert np.all(np.isfinite(res.lam_history)) and np.abs(res.lam).max() < 10


@pytest.mark.parametrize("sketch", SKETCHES)
def test_eal_goes_on_from_a_singular_start(sketch):
    # before: DEGENERATE at x0 (rank check); the regularized solve reaches the minimizer
    kw, x_star = _zero_hessian_parallel_gradients()
    with pytest.warns(RankDeficiencyWarning):
        res = eal_sketch(**kw, sketch=sketch, seed=0)
    assert res.success
    _assert_kkt(res, kw)
    np.testing.assert_allclose(res.x, x_star, atol=1e-6)


@pytest.mark.parametrize("sketch", SKETCHES)
def test_eal_inertia_correction_at_a_zero_hessian(sketch):
    # before: DEGENERATE after 0 iterations ("the randomized solver did not meet the accuracy
    # condition (singular ...)") for every sketch; now the Hessian is shifted and it converges
    kw = _zero_hessian_singular_kkt()
    with warnings.catch_warnings():
        warnings.simplefilter("error")         # regular Jacobian: no warning at all
        res = eal_sketch(**kw, sketch=sketch, seed=0)
    assert res.success and res.n_iter > 0
    assert res.delta_history[0] > 0            # the first step was inertia-corrected
    _assert_kkt(res, kw)
    x = res.x                                  # stationarity: 4 (x - 1)^3 + a = const
    r = 4 * (x - 1) ** 3 + _A_ZH
    np.testing.assert_allclose(r, r.mean(), atol=1e-7)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("sketch", ["block", "exact"])
def test_eal_redundant_combinations_of_random_constraints(seed, sketch):
    # appended rows W c(x): globally redundant, nonlinear constraints; the answer is that of
    # the problem without them (before: DEGENERATE at x0)
    p = random_problem(seed)
    W = np.random.default_rng(seed + 100).standard_normal((1 + seed % 2, p.m))
    kw = dict(f=p.f, c=lambda x: np.concatenate([p.c(x), W @ p.c(x)]), x0=p.x0, grad=p.grad,
              jac=lambda x: np.vstack([p.jac(x), W @ p.jac(x)]),
              hess=lambda x, l: p.hess(x, l[:p.m] + W.T @ l[p.m:]))
    with pytest.warns(RankDeficiencyWarning):
        res = eal_sketch(**kw, sketch=sketch, seed=seed)
    ref = eal_sketch(p.f, p.c, p.x0, **p.solve_kwargs(), sketch=sketch, seed=seed)
    assert res.success and ref.success
    _assert_kkt(res, kw)
    np.testing.assert_allclose(res.x, ref.x, atol=1e-6)


def test_eal_inconsistent_dependent_constraints_still_fail():
    kw = _redundant_sum()
    kw["c"] = lambda x: np.array([x.sum() - 1, x.sum() - 2])
    kw["jac"] = lambda x: np.array([[1.0] * 3, [1.0] * 3])
    with pytest.warns(RankDeficiencyWarning), pytest.warns(ConvergenceWarning):
        res = eal_sketch(**kw, sketch="exact")
    assert not res.success and res.status == Status.INFEASIBLE


def test_eal_regular_instances_never_regularize():
    # the inertia correction runs only where the plain solve fails: a regular problem keeps
    # a zero Hessian shift at every iteration and emits no warning
    p = random_problem(3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = eal_sketch(p.f, p.c, p.x0, **p.solve_kwargs(), sketch="block", seed=0)
    assert res.success and np.all(res.delta_history == 0)


def test_eal_overflowing_start_reports_numerical_failure():
    # before: ValueError "`tol_abs` must be finite" from inside the sketch solver
    kw = _redundant_sum()
    kw["c"] = lambda x: np.array([x.sum() - 1])
    kw["jac"] = lambda x: np.ones((1, 3))
    with pytest.warns(ConvergenceWarning, match="overflows"):
        res = eal_sketch(**kw, lam0=[1e300])
    assert not res.success and res.status == Status.NUMERICAL


def test_eal_huge_sharpen_exponent():
    # before: OverflowError from ||grad L||**sharpen with ||grad L|| > 1
    kw = _redundant_sum()
    kw["c"] = lambda x: np.array([x.sum() - 1])
    kw["jac"] = lambda x: np.ones((1, 3))
    kw["x0"] = np.full(3, 5.0)
    res = eal_sketch(**kw, sharpen=1e300, sketch="exact")
    assert res.success


# --------------------------------------------------------------------------------------------
# sketch_solve at extreme scales, primal_dual bounds
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["kaczmarz", "block", "gaussian", "exact"])
def test_sketch_solve_huge_right_hand_side_stays_finite(method):
    # before: NaN residual (squared norms overflow) for b with an entry of 1e300
    b = B.copy()
    b[0] = 1e300
    z, _, res = sketch_solve(K, b, tol_abs=1e-10 * 1e300, method=method, seed=0)
    assert np.all(np.isfinite(z)) and np.isfinite(res)
    np.testing.assert_allclose(z, np.linalg.solve(K, b), rtol=1e-6)


def test_sketch_solve_exact_singular_system_gives_least_squares_solution():
    # a numerically singular KKT matrix (dependent constraint rows): LU returns huge values
    # with a residual far above ||b||; the least-squares solution is returned instead
    a = np.array([1.0, 0.3, -0.7])
    J = np.vstack([a, 3.0 * a])
    Ks = np.block([[2 * np.eye(3), J.T], [J, np.zeros((2, 2))]])
    rhs = np.concatenate([np.ones(3), [1.0, 3.0]])           # consistent
    z, _, res = sketch_solve(Ks, rhs, tol_abs=1e-10, method="exact")
    assert res <= 1e-10 and np.abs(z).max() < 10
    np.testing.assert_allclose(z, np.linalg.lstsq(Ks, rhs, rcond=None)[0], atol=1e-10)


def _pd(**kw):
    Q = np.eye(2)
    args = dict(f=lambda x: 0.5 * x @ Q @ x, g=lambda x: np.array([x.sum() - 1.0]),
                x0=np.zeros(2), grad=lambda x: Q @ x, jac=lambda x: np.ones((1, 2)), tol=1e-8)
    return primal_dual(**(args | kw))


@pytest.mark.parametrize("kwargs, match", [
    (dict(lower=np.zeros(3)), r"`lower`.*shape \(2,\).*`x0`"),     # before: broadcast error
    (dict(upper=np.ones((2, 1))), r"`upper`.*ndim"),              # before: axis remapping
    (dict(lower=[np.inf, 0.0]), r"`lower`.*-inf"),                # before: accepted
    (dict(upper=[-np.inf, 1.0]), r"`upper`.*inf"),
    (dict(lower=[np.nan, 0.0]), r"`lower`.*NaN"),
    (dict(lower=[1.0, 1.0], upper=[0.0, 2.0]), r"lower\[0\]=1.0 > upper\[0\]=0.0"),
])
def test_primal_dual_bounds_are_validated(kwargs, match):
    with pytest.raises(ValueError, match=match):
        _pd(**kwargs)


def test_primal_dual_bounds_accept_scalars_and_open_sides():
    r1 = _pd(lower=-np.inf, upper=[np.inf, 0.25])
    assert r1.success and r1.x[1] <= 0.25 + 1e-12
    r2 = _pd(lower=[-1.0], upper=2.0)
    assert r2.success
