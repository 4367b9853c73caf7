"""Reliability (issue 12): certificates, rate fits, the theorem record and the registry answer
bad input with a clear error naming the argument, and extreme but valid input with a finite
answer.

Each test failed on the code before the fix (found by ``python -m tests.fuzz.report --room
verification``).
"""

import math
import time

import numpy as np
import pytest

from equilibria.verification import (BoundData, RateData, RateFit, Theorem, duality_gap,
                                     exploitability, fit_loglog, fit_slope, get, kkt_residual,
                                     operator_residual, regularized_exploitability, verify)

A = np.array([[0.0, 1.0, -0.5], [0.5, -1.0, 0.2]])
X, Y = np.array([0.4, 0.6]), np.array([0.2, 0.3, 0.5])
P = np.array([[0.5, 0.7, 0.2], [0.3, 0.5, 0.6], [0.8, 0.4, 0.5]])
PI = np.array([0.3, 0.3, 0.4])


def test_certificates_accept_float32_strategies_and_check_atol():
    base = duality_gap(A, X, Y)
    np.testing.assert_allclose(duality_gap(A, X.astype(np.float32), Y.astype(np.float32)), base,
                               rtol=1e-6)
    np.testing.assert_allclose(exploitability(P, PI.astype(np.float32)), exploitability(P, PI),
                               rtol=1e-6)
    np.testing.assert_allclose(regularized_exploitability(P, PI, 0.3, PI.astype(np.float32)),
                               regularized_exploitability(P, PI, 0.3, PI), rtol=1e-6, atol=1e-9)
    for bad, exc in ((math.nan, ValueError), (None, TypeError), ("1e-8", TypeError),
                     (True, TypeError)):
        with pytest.raises(exc, match="`atol`"):
            duality_gap(A, X, Y, atol=bad)


def test_kkt_residual_names_what_does_not_fit():
    kw = {"jac_c": [[1.0, 1.0]], "c": [0.1], "lam": [-0.8]}
    with pytest.raises(ValueError, match="`grad_f`"):
        kkt_residual([1.0, -0.5, 2.0], **kw)
    with pytest.raises(ValueError, match="`x`"):
        kkt_residual([1.0, -0.5], x=[np.nan, 0.0], **kw)
    with pytest.raises(ValueError, match="`c`"):
        kkt_residual([1.0, -0.5], jac_c=[[1.0, 1.0]], lam=[1.0])
    assert kkt_residual([1.0, -0.5], x=[0.2, 0.4], **kw) >= 0


def test_operator_residual_is_finite_for_huge_points():
    np.testing.assert_allclose(operator_residual(lambda x: x, np.array([1e300, 1e300])),
                               math.sqrt(2) * 1e300, rtol=1e-12)
    with pytest.raises(TypeError, match="`T`"):
        operator_residual(x=np.ones(2), T="not callable")


def test_rate_fits_scale_and_limit_their_work():
    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    y = np.array([0.1, 0.55, 0.9, 1.6, 2.0])
    fit = fit_slope(x, y, n_boot=50)
    big = fit_slope(x, 1e300 * y, n_boot=50)  # used to overflow to a NaN slope
    np.testing.assert_allclose(big.slope, 1e300 * fit.slope, rtol=1e-12)
    np.testing.assert_allclose(big.r2, fit.r2, rtol=1e-12)
    t0 = time.perf_counter()
    with pytest.raises(ValueError, match="`n_boot`"):
        fit_slope(x, y, n_boot=10**18)  # used to try to allocate 7 EiB
    assert time.perf_counter() - t0 < 1.0
    sizes = np.array([10.0, 30.0, 100.0, 300.0, 1000.0])
    with pytest.raises(ValueError, match="`sizes`"):
        fit_loglog(sizes[:2], [1.0, 2.0])
    with pytest.raises(ValueError, match="`values`"):
        fit_loglog(sizes, np.ones(6))
    with pytest.raises(ValueError, match="`sizes`"):
        fit_loglog(np.full(5, 1e-300), np.arange(1.0, 6.0))
    with pytest.raises(ValueError, match="`kind`"):
        fit_loglog(sizes, np.arange(1.0, 6.0), kind=3)


def test_rate_fit_band_is_checked():
    fit = RateFit(0.5, 0.1, (0.45, 0.55), 0.95, 0.99, 5)
    assert fit.within((0.4, 0.6)) and fit.within((-math.inf, 0.6))
    for bad in ((math.nan, 0.6), (0.6, 0.4), (0.4, 0.5, 0.6), [[0.4], [0.6]]):
        with pytest.raises(ValueError, match="`band`"):
            fit.within(bad)
    with pytest.raises(TypeError, match="`band`"):
        fit.within(None)


def test_evidence_records_are_checked():
    assert not np.isfinite(BoundData([np.nan], [1.0]).measured[0])  # evidence, judged a failure
    with pytest.raises(TypeError, match="`measured`"):
        BoundData(np.array(["0.5"]), [1.0])
    with pytest.raises(TypeError, match="`bound`"):
        BoundData([0.5], np.array([1.0 + 1j]))
    with pytest.raises(TypeError, match="`detail`"):
        BoundData([0.5], [1.0], detail=3)
    T = np.array([10.0, 100.0, 1000.0])
    with pytest.raises(ValueError, match="`sizes`"):
        RateData(np.array([10.0, np.nan, 1000.0]), T)
    with pytest.raises(ValueError, match="`values`"):
        RateData(T, np.array([1.0, -2.0, 3.0]))
    with pytest.raises(ValueError, match="`kind`"):
        RateData(T, T, kind="no-such-kind")
    assert isinstance(RateData(T.tolist(), T.tolist()).sizes, np.ndarray)


def _sample(rng):
    return rng.uniform(size=3)


def _evaluate(v):
    return float(v.sum()), 3.0


def test_theorem_fields_and_per_instance_api_are_checked():
    kw = {"name": "toy.t", "source": "toy", "statement": "s", "sample": _sample,
          "evaluate": _evaluate}
    for field, bad, exc in (("rtol", math.nan, ValueError), ("atol", -1.0, ValueError),
                            ("rtol", "0", TypeError), ("source", 3, TypeError),
                            ("statement", None, TypeError), ("evaluate", "f", TypeError)):
        with pytest.raises(exc, match=f"`{field}`"):
            Theorem(**{**kw, field: bad})
    thm = Theorem(**kw)
    assert thm.holds(0.5, 1.0) and not thm.holds(1.5, 1.0)
    for bad in (math.nan, math.inf, None, "1"):
        with pytest.raises((ValueError, TypeError), match="`measured`"):
            thm.holds(bad, 1.0)
    with pytest.raises(ValueError, match="`seconds`"):
        thm.judge(BoundData([0.5], [1.0]), seconds=-1.0)
    with pytest.raises(ValueError, match="`seed`"):
        thm.judge(BoundData([0.5], [1.0]), seed=-1)


def test_judged_rows_have_finite_ratios():
    thm = Theorem("toy.zero", "toy", "x <= 0", sample=_sample, evaluate=_evaluate, atol=1e-12)
    out = thm.judge(BoundData([1e-14, 0.0], [0.0, 0.0]))  # passes within atol
    assert out.passed and out.ratio == 0.0  # was inf
    T = np.logspace(1, 3, 5)
    rate = Theorem("toy.rate", "toy", "O(T)", kind="rate", band=(0.9, 1.1),
                   experiment=lambda r, q: RateData(T, 2 * T))
    out = rate.judge(RateData(T, 2 * T))
    assert out.passed and 0 <= out.ratio <= 1  # was nan


def test_registry_lookup_and_verify_check_arguments():
    with pytest.raises(ValueError, match="`name`"):
        get("no-such-theorem")
    with pytest.raises(KeyError):  # still a failed lookup
        get("no-such-theorem")
    with pytest.raises(TypeError, match="`name`"):
        get(3)
    for bad, exc in ((0.5, TypeError), ("0", TypeError), (-1, ValueError), (None, TypeError)):
        with pytest.raises(exc, match="`seed`"):
            verify(["ot.sparse_limits"], seed=bad)
    with pytest.raises(TypeError, match="`names`"):
        verify(3)
    with pytest.raises(TypeError, match="`names`"):
        verify([3])
