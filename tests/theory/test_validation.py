"""Reliability (issue 12): the theory room's public functions answer bad or extreme input with a
clear error naming the argument, and equivalent input (float32, lists) with the same answer.

Each test failed on the code before the fix (found by ``python -m tests.fuzz.report --room
theory``).
"""

import math
import time
import warnings

import numpy as np
import pytest
import sympy as sp

from equilibria._lib.result import ConvergenceWarning
from equilibria.theory import (SymbolicField, best_of_n, bounded_ratio_policy,
                               correlated_proxy_bound, diagonal_stability, is_m_matrix,
                               is_p_matrix, kl_constrained_policy, kl_regularized_policy,
                               lcp_enumerate, memoryless_best_of_n, memoryless_kl_constrained,
                               memoryless_reward_distribution, occupancy_measure,
                               reward_distribution, reward_kl_frontier, soft_value_iteration,
                               solve_lcp)

PI = np.array([0.2, 0.3, 0.5])
R = np.array([1.0, 0.5, -0.3])
P_MDP = np.array([[[0.9, 0.1], [0.2, 0.8]], [[0.5, 0.5], [0.3, 0.7]]])
POL = np.array([[0.4, 0.6], [0.7, 0.3]])


def test_float32_probability_vectors_mean_the_same_numbers():
    # float32(0.2) + float32(0.3) + float32(0.5) is off 1 by 1.5e-8 > atol=1e-8: was rejected
    p32 = PI.astype(np.float32)
    base = kl_regularized_policy(PI, R, 0.5)
    got = kl_regularized_policy(p32, R, 0.5)
    np.testing.assert_allclose(got.policy, base.policy, rtol=1e-6, atol=0)
    np.testing.assert_allclose(best_of_n(p32, R, 4).policy, best_of_n(PI, R, 4).policy,
                               rtol=1e-6, atol=0)
    np.testing.assert_allclose(kl_constrained_policy(p32, R, 0.1).kl, 0.1, rtol=1e-6)
    mu = occupancy_measure(P_MDP.astype(np.float32), POL.astype(np.float32), [0.5, 0.5], 0.9)
    np.testing.assert_allclose(mu.sum(), 1.0, rtol=0, atol=1e-12)


def test_huge_lengths_fail_fast_naming_length():
    t0 = time.perf_counter()
    for fn, extra in ((memoryless_reward_distribution, ()), (memoryless_best_of_n, (4,))):
        with pytest.raises(ValueError, match="`length`"):
            fn(PI, R, 10**18, *extra)
    assert time.perf_counter() - t0 < 1.0
    # a long sequence over integer rewards stays allowed: the sum has only 3 L + 1 values
    vals, prob = memoryless_reward_distribution([0.4, 0.3, 0.2, 0.1], [0.0, 1.0, 2.0, 3.0], 512)
    assert vals.size == 3 * 512 + 1 and abs(prob.sum() - 1) < 1e-12


@pytest.mark.parametrize("bad, exc", [(None, TypeError), (2.5, TypeError), ("12", TypeError),
                                      (True, TypeError), (10**18, ValueError)])
def test_decimals_is_an_integer_in_range(bad, exc):
    for call in (lambda: best_of_n(PI, R, 4, decimals=bad),
                 lambda: reward_distribution(PI, R, decimals=bad),
                 lambda: memoryless_reward_distribution(PI, R, 3, decimals=bad)):
        with pytest.raises(exc, match="`decimals`"):
            call()


def test_rounding_of_huge_rewards_keeps_them_finite_and_distinct():
    vals, mass = reward_distribution(PI, np.array([1e300, 2e300, 0.0]))
    assert np.all(np.isfinite(vals)) and vals.size == 3
    # the two huge values used to round to inf and tie: the top one now gets its full room
    pol = bounded_ratio_policy(np.full(3, 1 / 3), np.array([1e300, 2e300, 0.0]), eps=0.5)
    np.testing.assert_allclose(pol, [1 / 3, 1 / 2, 1 / 6], rtol=1e-12, atol=1e-15)


def test_kl_constrained_limits_have_a_finite_value():
    zero = kl_constrained_policy(PI, R, 0.0)  # pi_ref itself, beta = inf
    assert zero.beta == math.inf and zero.value == zero.expected_reward == pytest.approx(PI @ R)
    slack = kl_constrained_policy(PI, R, 1e300)  # argmax limit, beta = 0
    assert slack.beta == 0 and slack.value == slack.expected_reward == 1.0
    tok = memoryless_kl_constrained(PI, np.zeros(3), 3, 0.3)  # constant reward
    assert math.isfinite(tok.value)
    for bad in (math.nan, math.inf, 0.0, -1.0):
        with pytest.raises(ValueError, match="`xtol`"):
            kl_constrained_policy(PI, R, 0.1, xtol=bad)
    with pytest.raises(TypeError, match="`xtol`"):
        kl_constrained_policy(PI, R, 0.1, xtol=None)


def test_memoryless_kl_constrained_names_its_own_arguments():
    with pytest.raises(ValueError, match="`p`"):
        memoryless_kl_constrained(np.array([0.5, 0.6, -0.1]), R, 3, 0.3)
    with pytest.raises(ValueError, match="`r_token`"):
        memoryless_kl_constrained(PI, np.array([np.nan, 0.0, 1.0]), 3, 0.3)


def test_frontier_needs_a_temperature():
    with pytest.raises(ValueError, match="`betas`"):
        reward_kl_frontier(PI, R, betas=np.array([]))


def test_tabular_mdp_inputs_are_checked():
    with pytest.raises(ValueError, match="`P`"):
        occupancy_measure(np.concatenate([P_MDP, P_MDP[:1]]), POL, [0.5, 0.5], 0.9)
    with pytest.raises(ValueError, match="`policy`"):
        occupancy_measure(P_MDP, np.vstack([POL, POL[:1]]), [0.5, 0.5], 0.9)
    with pytest.raises(ValueError, match="`rho0`"):
        occupancy_measure(P_MDP, POL, [0.2, 0.3, 0.5], 0.9)
    r = np.array([[1.0, 0.0], [0.2, 0.5]])
    with pytest.raises(ValueError, match="`P`"):
        soft_value_iteration(-P_MDP, r, POL, 0.8, 0.5)  # used to return NaN
    with pytest.raises(ValueError, match="`r`"):
        soft_value_iteration(P_MDP, np.ones((3, 2)), POL, 0.8, 0.5)
    with pytest.raises(ValueError, match="`pi_ref`"):
        soft_value_iteration(P_MDP, r, np.full((3, 2), 0.5), 0.8, 0.5)
    with pytest.raises(ValueError, match="`tol`"):
        soft_value_iteration(P_MDP, r, POL, 0.8, 0.5, tol=math.nan)
    with pytest.raises(TypeError, match="`max_iter`"):
        soft_value_iteration(P_MDP, r, POL, 0.8, 0.5, max_iter=2.5)
    with pytest.warns(ConvergenceWarning, match="max_iter"):
        pol = soft_value_iteration(P_MDP, r, POL, 0.8, 0.5, tol=0.0, max_iter=3)
    np.testing.assert_allclose(pol.sum(axis=1), 1.0, rtol=0, atol=1e-12)


def test_correlated_proxy_bound_checks_and_scales():
    mu, ref = np.array([0.1, 0.2, 0.3, 0.4]), np.full(4, 0.25)
    Rt, Rp = np.array([1.0, 0.0, 0.5, 0.2]), np.array([0.9, 0.1, 0.6, 0.0])
    with pytest.raises(ValueError, match="`mu`"):
        correlated_proxy_bound(-mu, ref, Rt, Rp)
    with pytest.raises(ValueError, match="`mu_ref`"):
        correlated_proxy_bound(mu, np.full(5, 0.2), Rt, Rp)
    with pytest.raises(ValueError, match="`r_true`"):
        correlated_proxy_bound(mu, ref, Rt[:, None], Rp)
    with pytest.raises(ValueError, match="`r_true`"):  # the level is checked against them
        correlated_proxy_bound(mu, ref, -Rt, Rp, r=0.5)
    # scale-free in the rewards: 1e300 * R gives 1e300 * the answer (was a bogus error)
    d, b, rho = correlated_proxy_bound(mu, ref, Rt, Rp)
    d2, b2, rho2 = correlated_proxy_bound(mu, ref, 1e300 * Rt, Rp)
    np.testing.assert_allclose([d2, b2, rho2], [1e300 * d, 1e300 * b, rho], rtol=1e-12)
    with pytest.raises(ValueError, match="absolutely continuous"):
        correlated_proxy_bound(mu, [0.4, 0.3, 0.3, 0.0], Rt, Rp)  # mu(3) > 0 = mu_ref(3)


def test_stability_certificates_check_their_options():
    A = np.array([[0.0, 1.0], [-1.0, -1.0]])  # zero diagonal entry: not diagonally stable
    res = diagonal_stability(A)
    assert not res.success and res.D is None and math.isfinite(res.margin)  # was nan
    with pytest.raises(ValueError, match="`solver`"):
        diagonal_stability(-np.eye(2), solver="no-such-solver")
    M = np.array([[2.0, 1.0], [0.5, 3.0]])
    assert is_p_matrix(1e300 * M) is True  # det used to overflow
    for fn in (lambda t: is_m_matrix(M, tol=t), lambda t: lcp_enumerate(M, [-1.0, 1.0], tol=t)):
        with pytest.raises(ValueError, match="`tol`"):
            fn(math.nan)
    with pytest.raises(ValueError, match="`tol`"):  # tol=1e300 used to certify z=0
        solve_lcp(M, np.array([-1.0, 1.0]), tol=1e300)


def test_symbolic_field_reports_overflow():
    x = sp.symbols("x0:2")
    f = SymbolicField((x[0] ** 2 - x[1], x[0] * x[1]), x)
    np.testing.assert_allclose(f.field([1.0, 2.0]), [-1.0, 2.0], rtol=0, atol=0)
    with pytest.raises(ValueError, match="`x`"):
        f.field([1e300, 1.0])
    with pytest.raises(ValueError, match="`p`"):
        f.field([1.0, 2.0], p=[1.0])  # a field without parameters takes none
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        f.jacobian_at([1.0, 2.0])
