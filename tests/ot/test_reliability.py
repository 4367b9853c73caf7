"""Sinkhorn never reports success with a wrong cost (issue 12): huge dynamic range of C."""

import math
import warnings

import numpy as np
import pytest

from equilibria._lib.result import ConvergenceWarning, Status
from equilibria.solvers.ot import exact_ot, sinkhorn

#: the entry that gives the cost matrix its huge dynamic range
HUGE = 1e12


def _huge_range_problem(n, seed):
    rng = np.random.default_rng(seed)
    C = rng.random((n, n))
    C[0, 0] = HUGE
    a = np.full(n, 1.0 / n)
    return a, a.copy(), C


@pytest.mark.parametrize("n, seed", [(3, 1), (8, 1), (3, 0), (5, 2)])
@pytest.mark.parametrize("reg", [1e-3, 1e-1, 1.0])
def test_sinkhorn_huge_dynamic_range_never_wrong_success(n, seed, reg):
    a, b, C = _huge_range_problem(n, seed)
    exact = exact_ot(a, b, C).cost
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        res = sinkhorn(a, b, C, reg)
    if res.success:
        # cost <= objective <= OT_reg + gap <= OT_0 + reg log n + gap (entropic bias bound)
        assert exact - 1e-9 <= res.cost <= exact + reg * math.log(n) + 1e-6
        f, g = res.potentials  # weak duality, up to the rounding of the cancelling sums
        rounding = 1e3 * np.finfo(float).eps * float(a @ np.abs(f) + b @ np.abs(g))
        assert res.dual_objective <= res.objective + 1e-12 + rounding
        np.testing.assert_allclose(res.plan.sum(axis=1), a, atol=1e-8)
        np.testing.assert_allclose(res.plan.sum(axis=0), b, atol=1e-8)
    else:
        assert res.status != Status.SUCCESS
        assert any(issubclass(w.category, ConvergenceWarning) for w in rec)


def test_sinkhorn_huge_dynamic_range_regression():
    # before the gap certificate: success with cost 46.0 against the optimum 0.43
    a, b, C = _huge_range_problem(3, 1)
    with pytest.warns(ConvergenceWarning, match="gap"):
        res = sinkhorn(a, b, C, 0.1)
    assert not res.success and res.status == Status.NUMERICAL


def test_sinkhorn_small_reg_huge_range_is_right():
    a, b, C = _huge_range_problem(3, 1)
    res = sinkhorn(a, b, C, 1e-3)
    assert res.success
    assert res.cost == pytest.approx(exact_ot(a, b, C).cost, rel=1e-6)


# --------------------------------------------------------------------------------------------
# issue 12: float32 weights, a huge reg, and the theorem helpers' validation
# --------------------------------------------------------------------------------------------
from equilibria.solvers.ot import smooth_ot, sparse_ot  # noqa: E402
from equilibria.solvers.ot.theorems import (  # noqa: E402
    entropy, sample_problem, sinkhorn_gap_bound,
)


def _problem(seed=0):
    rng = np.random.default_rng(seed)
    a, b = rng.random(5) + 0.1, rng.random(4) + 0.1
    return a / a.sum(), b / b.sum(), rng.random((5, 4))


@pytest.mark.parametrize("solve", [
    lambda a, b, C: sinkhorn(a, b, C, 0.1),
    lambda a, b, C: exact_ot(a, b, C),
    lambda a, b, C: smooth_ot(a, b, C, 0.1),
    lambda a, b, C: sparse_ot(a, b, C, 0.1, 4),
], ids=["sinkhorn", "exact_ot", "smooth_ot", "sparse_ot"])
def test_float32_weights_are_accepted(solve):
    # before: "`a` and `b` must have equal total mass (relative tolerance 1e-08)"
    a, b, C = _problem()
    ref = solve(a, b, C)
    for a2, b2 in [(a.astype(np.float32), b), (a, b.astype(np.float32)),
                   (a.astype(np.float32), b.astype(np.float32))]:
        res = solve(a2, b2, C)
        assert res.success
        np.testing.assert_allclose(res.plan, ref.plan, rtol=1e-4, atol=1e-5)
        assert abs(res.plan.sum() - float(np.sum(a2, dtype=float))) <= res.marginal_error + 1e-12


def test_float64_mass_tolerance_is_kept():
    a, b, C = _problem()
    with pytest.raises(ValueError, match="equal total mass"):
        sinkhorn(a, b * (1 + 1e-7), C, 0.1)  # float64: relative 1e-8
    with pytest.raises(ValueError, match="equal total mass"):
        sinkhorn(a.astype(np.float32), b * (1 + 1e-4), C, 0.1)  # float32: ~2e-6


@pytest.mark.parametrize("reg", [1e20, 1e300])
def test_sinkhorn_huge_reg_is_not_a_wrong_success(reg):
    # before: success=True with objective 3e4 (reg=1e20) or 1e284 (1e300), the true value
    # being <C, a b^T> ~ 0.6: reg * KL carried a rounding error of ~eps * reg
    a, b, C = _problem()
    with pytest.warns(ConvergenceWarning):
        res = sinkhorn(a, b, C, reg)
    assert not res.success and res.status == Status.NUMERICAL
    assert "reg" in res.message
    np.testing.assert_allclose(res.plan, np.outer(a, b), rtol=1e-9)  # the plan is still right


def test_sinkhorn_tau_nan_rejected_inf_allowed():
    a, b, C = _problem()
    with pytest.raises(ValueError, match="`tau`"):
        sinkhorn(a, b, C, 0.1, tau=np.nan)
    assert sinkhorn(a, b, C, 0.1, tau=np.inf).success


@pytest.mark.parametrize("p, exc", [
    ([0.2, np.nan, 0.8], ValueError), ([0.5, 0.6], ValueError), ([0.0, 0.0], ValueError),
    ([-0.5, 1.5], ValueError), ([], ValueError), ([[0.5, 0.5]], ValueError),
    (["0.5", "0.5"], TypeError), (np.array([0.5, 0.5], dtype=complex), TypeError),
    (None, TypeError), ([1e300, 0.0], ValueError),
])
def test_entropy_validates(p, exc):
    # before: NaN, negative "entropies" or silently dropped imaginary parts
    with pytest.raises(exc, match="`p`"):
        entropy(p)


def test_entropy_values():
    assert entropy([0.5, 0.5, 0.0]) == pytest.approx(math.log(2))
    assert entropy(np.array([0.2, 0.3, 0.5], dtype=np.float32)) == \
        pytest.approx(entropy([0.2, 0.3, 0.5]), rel=1e-6)
    assert entropy([1.0]) == 0.0


@pytest.mark.parametrize("kw, exc, name", [
    (dict(n=0), ValueError, "n"), (dict(n=2.5), TypeError, "n"), (dict(m="3"), TypeError, "m"),
    (dict(n=10**18), ValueError, "n"), (dict(m=10**18), ValueError, "m"),
    (dict(zero_frac=np.nan), ValueError, "zero_frac"), (dict(zero_frac=2.0), ValueError,
                                                         "zero_frac"),
    (dict(max_size=1), ValueError, "max_size"), (dict(max_size=10**18), ValueError, "max_size"),
    (dict(reg=0.0), ValueError, "reg"), (dict(reg=np.inf), ValueError, "reg"),
    (dict(reg=1j), TypeError, "reg"),
])
def test_sample_problem_validates(kw, exc, name):
    # before: numpy errors (negative dimensions, high <= 0), 75 GiB allocations, NaN weights
    with pytest.raises(exc, match=rf"`{name}`"):
        sample_problem(np.random.default_rng(0), **kw)


def test_sample_problem_accepts_seeds():
    p1 = sample_problem(0, n=4, m=3)
    p2 = sample_problem(np.random.default_rng(0), n=4, m=3)
    np.testing.assert_array_equal(p1["C"], p2["C"])


def test_sinkhorn_gap_bound_validates():
    a, b, C = _problem()
    res = sinkhorn(a, b, C, 0.1)
    assert sinkhorn_gap_bound(res, a, b, C) >= res.duality_gap
    with pytest.raises(ValueError, match="`a`"):
        sinkhorn_gap_bound(res, np.r_[a[:-1], np.nan], b, C)
    with pytest.raises(ValueError, match="`C`"):
        sinkhorn_gap_bound(res, a, b, C[:, :3])
    with pytest.raises(ValueError, match="`b`"):
        sinkhorn_gap_bound(res, a, np.r_[b, 0.0][:-1] * 2, C)
    with pytest.raises(TypeError, match="`res`"):
        sinkhorn_gap_bound(None, a, b, C)
    with pytest.raises(ValueError, match="`res`"):
        sinkhorn_gap_bound(res, np.full(3, 1 / 3), np.full(3, 1 / 3), np.ones((3, 3)))


def test_sinkhorn_any_finite_cost_scale_is_right_or_reports_failure():
    """For cost matrices with any dynamic range (entries from 1e-300 to 1e12, a single huge
    entry, all equal) and any reg from 1e-3 to 1e3 times max C: success only with marginals
    met and a small duality gap, else success=False with a ConvergenceWarning; never NaN."""
    import warnings

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from equilibria._lib.result import ConvergenceWarning
    from equilibria.solvers.ot import sinkhorn

    @given(st.integers(2, 6), st.integers(2, 6), st.integers(0, 2**31 - 1),
           st.sampled_from([1e-300, 1e-6, 1.0, 1e6, 1e12]), st.floats(-3, 3),
           st.booleans())
    @settings(max_examples=40, deadline=None)
    def prop(n, m, seed, scale, log_reg, spike):
        rng = np.random.default_rng(seed)
        a = rng.random(n) + 0.05
        b = rng.random(m) + 0.05
        a, b = a / a.sum(), b / b.sum()
        C = rng.random((n, m)) * scale
        if spike:
            C[0, 0] = 1e12 * max(scale, 1.0)
        reg = float(10.0 ** log_reg) * float(C.max() if C.max() > 0 else 1.0)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            res = sinkhorn(a, b, C, reg)
        P = res.plan
        assert np.all(np.isfinite(P))
        if res.success:
            err = np.abs(P.sum(1) - a).sum() + np.abs(P.sum(0) - b).sum()
            assert err <= 1e-6
            assert res.duality_gap <= 1e-6 * max(1.0, abs(res.objective)) + 1e-9 * C.max()
        else:
            assert any(issubclass(x.category, ConvergenceWarning) for x in w)

    prop()
