"""Properties of the numerically delicate closed forms at extreme but finite scales (issue 12).

``kl_regularized_policy`` and ``softmax_policy`` must return a probability vector and a finite,
self-consistent KL and value for any finite reward and any positive temperature; ``solve_lcp``
must report success only when its answer passes the complementarity certificate.
"""

import math
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from equilibria._lib.result import ConvergenceWarning, Status
from equilibria.theory import kl_regularized_policy, softmax_policy, solve_lcp

#: Relative tolerance of the identities (a few thousand ulps: sums of K terms of mixed sign).
RTOL = 1e-9

finite = st.floats(min_value=-1e300, max_value=1e300, allow_nan=False, allow_infinity=False)
positive = st.floats(min_value=1e-300, max_value=1e300, allow_nan=False, allow_infinity=False)
weights = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


def _is_distribution(pol, n):
    assert pol.shape == (n,)
    assert np.all(np.isfinite(pol)) and np.all(pol >= 0)
    assert abs(pol.sum() - 1.0) <= 1e-12


@st.composite
def ref_and_reward(draw):
    k = draw(st.integers(1, 6))
    w = np.array(draw(st.lists(weights, min_size=k, max_size=k)))
    assume(w.sum() > 1e-3)
    p = w / w.sum()
    r = np.array(draw(st.lists(finite, min_size=k, max_size=k)))
    return p, r


def _check_kl_identity(p, r, beta):
    s = kl_regularized_policy(p, r, beta)
    _is_distribution(s.policy, p.size)
    assert np.all(s.policy[p == 0] == 0)
    assert math.isfinite(s.kl) and s.kl >= 0
    assert math.isfinite(s.value) and math.isfinite(s.expected_reward)
    supp = p > 0
    scale = float(np.abs(r[supp]).max()) + abs(s.value)
    # value = beta * logsumexp(log pi_ref + r / beta) = E_pi r - beta KL(pi || pi_ref)
    assert abs(s.value - (s.expected_reward - beta * s.kl)) <= RTOL * scale + 1e-300
    # E_p r <= value <= max r (Gibbs variational principle)
    assert s.value <= r[supp].max() + RTOL * scale
    assert s.value >= float(p @ r) - RTOL * scale
    return s


@given(ref_and_reward(), positive)
@settings(max_examples=200)
def test_kl_regularized_policy_is_distribution_with_consistent_value(pr, beta):
    p, r = pr
    _check_kl_identity(p, r, beta)


@pytest.mark.parametrize("r, beta", [
    ([1e300, -1e300, 0.0], 1e-300),   # r / beta overflows
    ([1e300, 1e300 * (1 - 1e-15), 0.0], 1e-300),
    ([1.0, 0.0, -1.0], 1e-300),       # tiny beta: the argmax limit
    ([1e-300, 0.0, -1e-300], 1e300),  # huge beta: pi = pi_ref, KL second order
    ([5.0, 1.0, 3.0], 1e300),
    ([1e300, -1e300, 1e299], 1e300),
])
def test_kl_regularized_policy_extreme_regression(r, beta):
    p = np.array([0.2, 0.5, 0.3])
    s = _check_kl_identity(p, np.array(r), beta)
    if beta == 1e-300:  # argmax limit: all mass on the best action, KL = -log p(argmax)
        np.testing.assert_allclose(s.policy, [1.0, 0.0, 0.0], atol=1e-12)
        if r[1] < 0:
            assert s.kl == pytest.approx(-math.log(0.2), rel=1e-12)


@given(st.lists(finite, min_size=1, max_size=6), positive)
@settings(max_examples=200)
def test_softmax_policy_is_distribution(r, tau):
    r = np.array(r)
    pol = softmax_policy(r, tau)
    _is_distribution(pol, r.size)
    assert pol[np.argmax(r)] == pol.max()  # monotone in r
    ref = kl_regularized_policy(np.full(r.size, 1.0 / r.size), r, tau).policy
    np.testing.assert_allclose(pol, ref, rtol=1e-9, atol=1e-15)


def test_softmax_policy_overflow_regression():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pol = softmax_policy([1e300, -1e300, 1e299], 1e-10)
    np.testing.assert_array_equal(pol, [1.0, 0.0, 0.0])


@pytest.mark.parametrize("bad", [0.0, -1.0, math.nan, math.inf])
def test_temperatures_validated(bad):
    with pytest.raises(ValueError, match="beta"):
        kl_regularized_policy([0.5, 0.5], [0.0, 1.0], bad)
    with pytest.raises(ValueError, match="tau"):
        softmax_policy([0.0, 1.0], bad)


# --------------------------------------------------------------------------------------------
# LCP: success only with the complementarity certificate, at any scale
# --------------------------------------------------------------------------------------------
#: Relative tolerance of the LCP certificate checked here (looser than the solver's 1e-10 by
#: the condition numbers drawn).
LCP_RTOL = 1e-8


def _lcp_certificate(M, q, z):
    w = M @ z + q
    wscale = max(float(np.abs(q).max()), float((np.abs(M) @ np.abs(z)).max()), 1e-300)
    zscale = max(float(np.abs(z).max()), 1e-300)
    assert np.all(np.isfinite(w)) and np.isfinite(wscale)
    assert np.all(z >= 0)
    assert w.min() >= -LCP_RTOL * wscale
    zn, wn = z / zscale, w / wscale  # z.w in scaled units (no overflow)
    assert abs(zn @ wn) <= LCP_RTOL * float(np.abs(zn).sum())


@st.composite
def scaled_p_lcp(draw):
    n = draw(st.integers(1, 5))
    entry = st.floats(-1.0, 1.0, allow_nan=False)
    A = np.array(draw(st.lists(entry, min_size=n * n, max_size=n * n))).reshape(n, n)
    M = A @ A.T + np.eye(n) + 0.5 * (A - A.T)  # positive definite (not symmetric): a P-matrix
    q = np.array(draw(st.lists(entry, min_size=n, max_size=n)))
    k = draw(st.integers(-150, 150))
    j = draw(st.integers(-150, 150))
    return M * 10.0 ** k, q * 10.0 ** j


@given(scaled_p_lcp())
@settings(max_examples=150)
def test_solve_lcp_scaled_p_matrix_certificate(lcp):
    M, q = lcp
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        res = solve_lcp(M, q)
    if res.success:
        assert res.status == Status.SUCCESS
        _lcp_certificate(M, q, res.z)
    else:  # allowed only with a warning and a non-SUCCESS status
        assert res.status != Status.SUCCESS
        assert any(issubclass(w.category, ConvergenceWarning) for w in rec)


@pytest.mark.parametrize("scale", [1e-12, 1e-200, 1e12, 1e200])
def test_solve_lcp_badly_scaled_regression(scale):
    # LCP(M, q) with M = scale * [[2, 1], [1, 2]], q = -scale * (1, 1): z = (1/3, 1/3)
    M = scale * np.array([[2.0, 1.0], [1.0, 2.0]])
    q = -scale * np.ones(2)
    res = solve_lcp(M, q)
    assert res.success
    _lcp_certificate(M, q, res.z)
    np.testing.assert_allclose(res.z, [1 / 3, 1 / 3], rtol=1e-12)


@given(ref_and_reward(), st.integers(1, 10**6))
@settings(max_examples=60)
def test_best_of_n_is_distribution_within_its_kl_bound(pr, n):
    """Exact best-of-N for any finite reward and any N: a distribution on the support of
    pi_ref, KL(pi_N || pi_ref) <= log N - (N-1)/N, and E r between E_ref r and max r.  Catches
    an F^N - F^-N computed without the tie correction (mass off 1) or in a way that overflows
    at large N (NaN)."""
    from equilibria.theory import best_of_n

    p, r = pr
    b = best_of_n(p, r, n)
    _is_distribution(b.policy, p.size)
    assert np.all(b.policy[p == 0] == 0)
    assert math.isfinite(b.kl) and -1e-12 <= b.kl <= b.kl_bound + 1e-9
    supp = p > 0
    scale = float(np.abs(r[supp]).max()) or 1.0
    assert b.expected_reward <= r[supp].max() + RTOL * scale
    assert b.expected_reward >= float(p @ r) - 1e-7 * scale
