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
