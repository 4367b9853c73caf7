"""The shared validation of a user's implementation (:mod:`equilibria.verification.user`)."""

from fractions import Fraction

import numpy as np
import pytest

from equilibria.verification.user import check_algorithm, user_array, user_float


def test_check_algorithm_returns_callable_and_names_protocol():
    assert check_algorithm(np.sum, "f(x) -> float: a sum") is np.sum
    for bad in (None, 3, "np.sum", [np.sum]):
        with pytest.raises(TypeError, match=r"`algorithm` must be callable \(f\(x\) -> float\)"):
            check_algorithm(bad, "f(x) -> float: a sum")


def test_user_array_converts_checks_shape_and_keeps_nonfinite():
    out = user_array([[1, 2], [3, 4]], (2, 2), "the plan")
    assert out.dtype == float and out.shape == (2, 2)
    kept = user_array([np.nan, np.inf], (2,), "the plan")
    assert np.isnan(kept[0]) and np.isinf(kept[1])
    with pytest.raises(ValueError, match=r"the plan of shape \(2, 2\), got shape \(4,\)"):
        user_array([1, 2, 3, 4], (2, 2), "the plan")
    for bad in (None, "abc", {"a": 1}, object()):
        with pytest.raises(TypeError, match="`algorithm` must return the plan"):
            user_array(bad, (2,), "the plan")


def test_user_float_accepts_real_scalars_only():
    assert user_float(np.float32(0.5), "the value") == 0.5
    assert user_float(Fraction(1, 4), "the value") == 0.25
    assert user_float(np.array(2.0), "the value") == 2.0
    assert np.isnan(user_float(float("nan"), "the value"))
    for bad in (None, True, np.bool_(False), "0.5", [0.5], np.array([0.5]), 1 + 2j):
        with pytest.raises(TypeError, match="`algorithm` must return the value, a real number"):
            user_float(bad, "the value")
