"""MAID bilevel learning (issue 18 part 4): hypergradients against closed forms, the error
bound, MAID against HOAG's fixed schedules, and the registered theorems (property tests on
drawn instances, checks shown to fail on wrong code)."""

import warnings

import numpy as np
import pytest

from equilibria._lib.result import ConvergenceWarning, Result, Status
from equilibria.solvers.constrained import bilevel as BL
from equilibria.solvers.constrained import bilevel_theorems as T

from .._strategies import check_theorem


def _quiet(fn, *a, **k):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fn(*a, **k)


# ------------------------------------------------------------------------------ hypergradients
@pytest.mark.parametrize("make", [BL.ridge_problem, BL.multi_ridge_problem])
def test_exact_hypergradient_matches_closed_form_and_differences(make):
    P = make(3)
    th = np.full(P.n_theta, -0.3)
    g = P.exact_hypergradient(th)
    np.testing.assert_allclose(g, P.closed_form_hypergradient(th), rtol=1e-10, atol=1e-12)
    e = 1e-6
    num = np.array([(P.objective(th + e * u) - P.objective(th - e * u)) / (2 * e)
                    for u in np.eye(P.n_theta)])
    np.testing.assert_allclose(g, num, rtol=1e-5, atol=1e-8)


def test_tv_exact_hypergradient_against_differences():
    P = BL.tv_denoising_problem(1, d=24)
    th = np.array([np.log(0.05)])
    e = 1e-5
    num = (P.objective(th + e) - P.objective(th - e)) / (2 * e)
    np.testing.assert_allclose(P.exact_hypergradient(th), [num], rtol=1e-5, atol=1e-9)


@pytest.mark.parametrize("eps", [1e-1, 1e-3, 1e-6])
def test_hypergradient_within_its_bound(eps):
    for P in (BL.ridge_problem(0), BL.multi_ridge_problem(1), BL.tv_denoising_problem(2)):
        th = np.full(P.n_theta, -1.0)
        r = BL.hypergradient(P, th, eps=eps)
        assert isinstance(r, Result) and r.success
        err = np.linalg.norm(r.grad - P.exact_hypergradient(th))
        assert err <= r.bound
        assert np.linalg.norm(r.x - P.solve_exact(th)) <= eps


def test_lower_solve_certificate_and_budget():
    P = BL.ridge_problem(0)
    x, n, ok = BL.lower_solve(P, np.array([0.0]), 1e-8)
    assert ok and np.linalg.norm(x - P.solve_exact(np.array([0.0]))) <= 1e-8
    _, n1, ok1 = BL.lower_solve(P, np.array([0.0]), 1e-12, max_iter=2)
    assert not ok1 and n1 == 2
    with pytest.warns(ConvergenceWarning):
        r = BL.hypergradient(P, [0.0], eps=1e-12, max_iter=2)
    assert not r.success and r.status == Status.MAX_ITER


# ------------------------------------------------------------------------------ MAID / HOAG
def test_maid_converges_with_certificate_and_fields():
    P = BL.ridge_problem(0)
    r = BL.bilevel_maid(P, [0.0], tol=1e-7)
    assert r.success and r.status == Status.SUCCESS
    assert r.certified_grad_norm <= 1e-7
    assert np.linalg.norm(P.closed_form_hypergradient(r.theta)) <= 1e-7
    K = r.n_iter
    assert r.eps_history.shape == (K,) and r.theta_history.shape == (K, 1)
    assert r.bound_history.shape == r.grad_norms.shape == r.step_history.shape == (K,)
    assert np.all(np.diff(r.lower_history) >= 0) and r.lower_history[-1] == r.lower_iterations
    # the accuracy trajectory adapts: it is relaxed by nu and shrunk by tau
    ratios = r.eps_history[1:] / r.eps_history[:-1]
    assert np.any(np.isclose(ratios, 1.05)) and np.any(ratios < 1.0)


def test_maid_budget_failure_warns():
    P = BL.ridge_problem(0)
    with pytest.warns(ConvergenceWarning):
        r = BL.bilevel_maid(P, [0.0], tol=1e-9, max_iter=3)
    assert not r.success and r.status == Status.MAX_ITER


def test_maid_uses_fewer_inner_iterations_than_quadratic_and_cubic_schedules():
    P = BL.multi_ridge_problem(0)
    m = BL.bilevel_maid(P, np.zeros(P.n_theta), tol=1e-6)
    for s in ("quadratic", "cubic"):
        h = _quiet(BL.bilevel_maid, P, np.zeros(P.n_theta), tol=1e-6, schedule=s, max_iter=200)
        assert not h.success or h.lower_iterations > m.lower_iterations
        assert h.lower_history[-1] > m.lower_iterations


@pytest.mark.parametrize("call, exc, pat", [
    (lambda: BL.bilevel_maid(BL.ridge_problem(0), [0.0], schedule="linear"), ValueError,
     "schedule"),
    (lambda: BL.bilevel_maid(BL.ridge_problem(0), [0.0, 1.0]), ValueError, "theta"),
    (lambda: BL.bilevel_maid(BL.ridge_problem(0), [0.0], tol=-1.0), ValueError, "tol"),
    (lambda: BL.bilevel_maid(object(), [0.0]), TypeError, "problem"),
    (lambda: BL.hypergradient(BL.ridge_problem(0), [0.0], eps=0.0), ValueError, "eps"),
    (lambda: BL.RidgeProblem(np.ones((3, 2)), np.ones(4), np.ones((2, 2)), np.ones(2)),
     ValueError, "b"),
    (lambda: BL.tv_denoising_problem(0, d=2), ValueError, "d"),
])
def test_validation_names_argument_and_value(call, exc, pat):
    with pytest.raises(exc, match=pat):
        call()


# ------------------------------------------------------------------------------ theorems
@pytest.mark.parametrize("thm", [T.STATIONARITY, T.ERROR_BOUND], ids=lambda t: t.name)
def test_theorem_holds_on_drawn_instances(thm):
    """Hypothesis property test (derandomized under HYPOTHESIS_PROFILE=ci)."""
    check_theorem(thm)


def test_stationarity_fails_with_a_wrong_algorithm():
    """A fixed loose accuracy (HOAG with eps_k = 0.1 always) cannot certify 1e-6."""
    def loose(P, th0):
        return BL.bilevel_maid(P, th0, schedule="exponential", eps_min=1e-1, max_iter=60)

    inst = {"kind": "ridge", "seed": 4, "d": 5}
    good, bound = T.evaluate_maid_stationarity(inst)
    bad, _ = T.evaluate_maid_stationarity(inst, algorithm=loose)
    assert good <= bound and bad > bound


def test_error_bound_ratio_on_quadratics():
    """Tightness: on quadratic instances error / omega reaches at least 0.1."""
    best = max(T.evaluate_maid_error_bound({"kind": k, "seed": s, "d": 5})[0]
               for k in ("ridge", "multi") for s in (0, 1))
    assert 0.1 <= best <= 1.0


def test_error_bound_fails_with_a_wrong_constant():
    """Overstating the strong convexity mu tenfold shrinks omega about tenfold: the bound
    then fails on the iterates."""
    def wrong(P, th):
        c = dict(P.constants(th))
        c["mu"] = 10.0 * c["mu"]
        return c

    inst = {"kind": "multi", "seed": 0, "d": 5}
    good, bound = T.evaluate_maid_error_bound(inst)
    bad, _ = T.evaluate_maid_error_bound(inst, constants=wrong)
    assert good <= bound < bad


def test_fewer_inner_iterations_holds_and_fails_without_adaptivity():
    inst = {"kind": "multi", "seed": 0, "d": 5}
    good, bound = T.evaluate_maid_fewer_inner_iterations(inst)
    assert good <= bound

    def quadratic_schedule(P, th0):
        return BL.bilevel_maid(P, th0, schedule="quadratic", tol=1e-6, max_iter=250)

    bad, _ = T.evaluate_maid_fewer_inner_iterations(inst, algorithm=quadratic_schedule)
    assert bad > bound


def test_registered_theorems_run_quick():
    from equilibria.verification import check

    for thm in (T.STATIONARITY, T.ERROR_BOUND, T.FEWER_INNER):
        out = check(thm.name, quick=True)
        assert out.passed, out.summary()


# ------------------------------------------------------------------------------ figure
def test_bilevel_figure(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    fig = BL.bilevel_figure(BL.ridge_problem(1), max_iter=150)
    assert len(fig.axes) == 2
    fig.savefig(tmp_path / "bilevel.png", dpi=60)
    assert (tmp_path / "bilevel.png").stat().st_size > 10_000
