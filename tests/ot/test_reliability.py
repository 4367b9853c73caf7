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
