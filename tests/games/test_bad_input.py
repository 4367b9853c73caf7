"""Bad input: ValueError naming the argument; monotonicity warnings; non-convergence."""

import numpy as np
import pytest

from equilibria._lib.result import ConvergenceWarning, Status
from equilibria.solvers.games import (FiniteSum, MonotonicityWarning, extragradient, halpern,
                                      mirror_prox, nash_mirror_prox, regularized_nash, vr_halpern)
from equilibria.solvers.games._problems import linear_finite_sum, random_cocoercive_finite_sum
from equilibria.verification import regularized_exploitability

P3 = np.array([[0.5, 1.0, 0.0], [0.0, 0.5, 1.0], [1.0, 0.0, 0.5]])


def test_halpern_bad_inputs():
    with pytest.raises(ValueError, match="`x0`"):
        halpern([np.nan, 1.0], T=lambda x: x)
    with pytest.raises(ValueError, match="`tol`"):
        halpern([0.0, 1.0], T=lambda x: x, tol=-1)
    with pytest.raises(ValueError, match="exactly one of `T`"):
        halpern([0.0], T=lambda x: x, F=lambda x: x)
    with pytest.raises(ValueError, match="length 2"):
        halpern([0.0, 1.0], F=lambda x: np.zeros(3), L=1.0, check_monotone=False)
    with pytest.raises(ValueError, match="`step`"):
        halpern([0.0, 1.0], F=lambda x: x, L=1.0, prox=lambda v, g: v, step=5.0)
    with pytest.raises(ValueError, match="`resolvent`"):
        halpern([0.0, 1.0], F=lambda x: x)


def test_vr_halpern_bad_inputs():
    fs, _ = random_cocoercive_finite_sum(10, 3, 0)
    with pytest.raises(ValueError, match="`x0`"):
        vr_halpern(fs, np.zeros(4))
    with pytest.raises(ValueError, match="`variant`"):
        vr_halpern(fs, np.zeros(3), variant="svrg")
    with pytest.raises(ValueError, match="`p`"):
        vr_halpern(fs, np.zeros(3), p=2.0)
    with pytest.raises(TypeError, match="`problem`"):
        vr_halpern(lambda x: x, np.zeros(3))
    with pytest.raises(ValueError, match="`M`"):
        linear_finite_sum(np.zeros((3, 2, 4)))
    with pytest.raises(ValueError, match="`q`"):
        linear_finite_sum(np.zeros((3, 2, 2)), np.zeros((3, 3)))


def test_extragradient_and_mirror_prox_bad_inputs():
    with pytest.raises(ValueError, match="`L`"):
        extragradient(lambda x: x, np.zeros(2))
    with pytest.raises(ValueError, match="`x0`"):
        extragradient(lambda x: x, [np.inf, 0.0], L=1.0)
    with pytest.raises(ValueError, match="`A`"):
        mirror_prox(np.array([[1.0, np.nan]]))
    with pytest.raises(ValueError, match="`mirror`"):
        mirror_prox(np.eye(2), mirror="l2")
    with pytest.raises(ValueError, match="`x0`"):
        mirror_prox(np.eye(2), x0=[0.5, 0.6])
    with pytest.raises(ValueError, match="`x0`"):
        mirror_prox(np.eye(2), x0=[0.2, 0.3, 0.5])
    with pytest.raises(ValueError, match="`shape`"):
        mirror_prox(grad=lambda x, y: (x, y), L=1.0)


def test_nash_bad_inputs():
    with pytest.raises(ValueError, match="`P`"):
        nash_mirror_prox(np.array([[0.5, 0.7], [0.7, 0.5]]), 0.1)
    with pytest.raises(ValueError, match="`P`"):
        nash_mirror_prox(np.array([[0.5, 1.5], [-0.5, 0.5]]), 0.1)
    with pytest.raises(ValueError, match="`beta`"):
        nash_mirror_prox(P3, 0.0)
    with pytest.raises(ValueError, match="`pi_ref`"):
        nash_mirror_prox(P3, 0.1, pi_ref=[0.5, 0.5, 0.0])
    with pytest.raises(ValueError, match="`pi0`"):
        nash_mirror_prox(P3, 0.1, pi0=[0.5, 0.5])
    with pytest.raises(ValueError, match="`method`='policy_gradient'"):
        nash_mirror_prox(P3, 0.1, method="policy_gradient")
    with pytest.raises(ValueError, match="`method`='exact'"):  # the oracle is not a method
        nash_mirror_prox(P3, 0.1, method="exact")
    with pytest.raises(ValueError, match="`oracle`='pg'"):
        nash_mirror_prox(P3, 0.1, oracle="pg")
    with pytest.raises(ValueError, match="`method`='pg'.*oracle='sampled'"):  # invalid pair
        nash_mirror_prox(P3, 0.1, method="pg", oracle="exact")
    with pytest.raises(ValueError, match="`pg_max_iter`"):
        nash_mirror_prox(P3, 0.1, method="pg", oracle="sampled", pg_max_iter=0)
    with pytest.raises(ValueError, match="`pg_lr`"):
        nash_mirror_prox(P3, 0.1, method="pg", oracle="sampled", pg_lr=-1.0)
    with pytest.raises(ValueError, match="`n_samples`"):
        nash_mirror_prox(P3, 0.1, method="pg", oracle="sampled", n_samples=0)
    with pytest.raises(ValueError, match="`beta`"):
        regularized_exploitability(P3, np.ones(3) / 3, -1.0)


def test_monotonicity_spot_check_warns_with_witness():
    def F(x):  # gradient of a concave function: anti-monotone
        return -x
    with pytest.warns(MonotonicityWarning, match="witness pair u="):
        extragradient(F, np.ones(2), L=1.0, max_iter=1, tol=1e3)
    with pytest.warns(MonotonicityWarning, match="cocoercivity"):  # L too small
        halpern(np.ones(2), F=lambda x: 3.0 * x, L=1.0, max_iter=1, tol=1e3)
    with pytest.warns(MonotonicityWarning, match="I - T"):  # T expansive
        halpern(np.ones(2), T=lambda x: 2.0 * x, max_iter=1, tol=1e3)


def test_non_convergence_is_reported():
    fs, _ = random_cocoercive_finite_sum(20, 3, 1)
    with pytest.warns(ConvergenceWarning, match="increase `max_iter`"):
        r = halpern(np.zeros(3), F=fs, L=fs.L, tol=1e-12, max_iter=10)
    assert not r.success and r.status == Status.MAX_ITER
    with pytest.warns(ConvergenceWarning, match="increase `max_oracle_calls`"):
        r = vr_halpern(fs, np.zeros(3), tol=1e-12, max_oracle_calls=500, seed=0)
    assert not r.success and r.status == Status.MAX_ITER
    with pytest.warns(ConvergenceWarning, match="increase `max_iter`"):
        r = mirror_prox(np.random.default_rng(0).normal(size=(3, 4)), max_iter=3, tol=1e-12)
    assert not r.success
    with pytest.warns(ConvergenceWarning):
        r = nash_mirror_prox(P3, 0.01, pi0=[0.8, 0.1, 0.1], max_iter=2, tol=1e-14)
    assert not r.success and r.status == Status.MAX_ITER
    with pytest.warns(ConvergenceWarning, match="non-finite"), np.errstate(over="ignore",
                                                                            invalid="ignore"):
        r = extragradient(lambda x: x**3, 3.0 * np.ones(1), step=10.0, max_iter=50,
                          check_monotone=False)
    assert r.status == Status.NUMERICAL


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_scalars_and_arrays_name_the_argument(bad):
    fs, _ = random_cocoercive_finite_sum(10, 3, 0)
    Pbad = P3.copy()
    Pbad[0, 1] = bad
    calls = [
        ("P", lambda: nash_mirror_prox(Pbad, 0.1)),
        ("beta", lambda: nash_mirror_prox(P3, bad)),
        ("eta", lambda: nash_mirror_prox(P3, 0.1, eta=bad)),
        ("tol", lambda: nash_mirror_prox(P3, 0.1, tol=bad)),
        ("pg_lr", lambda: nash_mirror_prox(P3, 0.1, method="pg", oracle="sampled", pg_lr=bad)),
        ("pi_star", lambda: nash_mirror_prox(P3, 0.1, pi_star=[bad, 0.5, 0.5])),
        ("P", lambda: regularized_nash(Pbad, 0.1)),
        ("L", lambda: halpern(np.zeros(3), F=fs, L=bad)),
        ("x0", lambda: vr_halpern(fs, np.array([bad, 0.0, 0.0]))),
        ("tol", lambda: vr_halpern(fs, np.zeros(3), tol=bad)),
        ("step", lambda: extragradient(fs, np.zeros(3), step=bad)),
        ("M", lambda: linear_finite_sum(np.full((2, 2, 2), bad))),
    ]
    for name, call in calls:
        with pytest.raises(ValueError, match=f"`{name}`"):
            call()


def test_non_finite_operator_values_are_reported_not_returned():
    # an operator that returns NaN: success=False, status NUMERICAL, a warning; never a silent NaN
    def nan_op(x):
        return x * np.nan
    nan_fs = FiniteSum(lambda x, idx: x * np.nan, 5, 3, 1.0)
    runs = [
        lambda: halpern(np.ones(3), F=nan_op, L=1.0, check_monotone=False),
        lambda: extragradient(nan_op, np.ones(3), L=1.0, check_monotone=False),
        lambda: vr_halpern(nan_fs, np.ones(3), check_monotone=False, seed=0),
        lambda: vr_halpern(nan_fs, np.ones(3), variant="monotone", check_monotone=False, seed=0),
        lambda: mirror_prox(grad=lambda x, y: (x * np.nan, y * np.nan), shape=(2, 2), L=1.0),
    ]
    for run in runs:
        with pytest.warns(ConvergenceWarning, match="non-finite"), np.errstate(invalid="ignore"):
            r = run()
        assert not r.success and r.status == Status.NUMERICAL
