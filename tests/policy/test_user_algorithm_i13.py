"""A user's implementation on the policy room's algorithmic theorems (issue 13 §2).

Protocols (``equilibria.solvers.policy.theorems``): a KL-regularized (tilted) policy solver
(``policy.kl_regularized_value``) and a softmax policy map (``policy.softmax_lipschitz``,
``policy.entropy_regularization_cost``). For each: (a) the package's implementation through the
protocol passes; (b) a realistic wrong implementation fails; (c) a malformed return raises.
"""

import numpy as np
import pytest

from equilibria.solvers.policy import theorems as T
from equilibria.theory import alignment as al
from equilibria.verification import check


def _fails(name, algorithm):
    out = check(name, algorithm=algorithm)
    assert out.error is None, out.error
    assert out.passed is False, str(out)


def _tilt(p, r, b):
    return al.kl_regularized_policy(p, r, b).policy


def _tilt_inverse_beta(p, r, b):
    """The temperature read as its inverse: pi_ref exp(r beta) / Z."""
    return al.kl_regularized_policy(p, r, 1.0 / b).policy


def test_kl_regularized_value_protocol():
    assert check("policy.kl_regularized_value", algorithm=_tilt).passed
    _fails("policy.kl_regularized_value", _tilt_inverse_beta)
    inst = T.sample_policy_reward(np.random.default_rng(0), k=4)
    with pytest.raises(ValueError, match="algorithm.*shape"):
        T.eval_regularized_value(inst, algorithm=lambda p, r, b: np.ones(3))
    with pytest.raises(TypeError, match="algorithm"):
        T.eval_regularized_value(inst, algorithm=lambda p, r, b: None)


def _softmax_inverse_tau(r, tau):
    """The temperature read as its inverse: softmax(r tau)."""
    return al.softmax_policy(r, 1.0 / tau)


def _unnormalised(r, tau):
    """exp(r / tau) without the normalisation."""
    return np.exp((r - r.max()) / tau)


@pytest.mark.parametrize("name", ["policy.softmax_lipschitz", "policy.entropy_regularization_cost"])
def test_softmax_protocol(name):
    assert check(name, algorithm=al.softmax_policy).passed
    _fails(name, _softmax_inverse_tau)
    _fails(name, _unnormalised)


def test_softmax_malformed_return():
    inst = T.sample_softmax_pair(np.random.default_rng(0), k=5)
    with pytest.raises(ValueError, match="algorithm.*shape"):
        T.eval_softmax(inst, algorithm=lambda r, tau: np.ones((5, 1)) / 5)
    with pytest.raises(TypeError, match="algorithm"):
        T.eval_entropy_tradeoff(T.sample_entropy_tradeoff(np.random.default_rng(0), k=5),
                                algorithm=lambda r, tau: "pi")


def _tilt_wrong_sign(p, r, b):
    """The reward's sign flipped: pi_ref exp(-r / beta) / Z (a minimizer)."""
    return al.kl_regularized_policy(p, -r, b).policy


def test_kl_constrained_frontier_protocol():
    assert check("policy.kl_constrained_frontier", algorithm=_tilt).passed
    _fails("policy.kl_constrained_frontier", _tilt_wrong_sign)
    inst = T.sample_frontier(np.random.default_rng(0), k=4)
    with pytest.raises(ValueError, match="algorithm.*shape"):
        T.eval_frontier(inst, algorithm=lambda p, r, b: np.ones(5) / 5)


def _bon(p, r, n):
    return al.best_of_n(p, r, n).policy


def _bon_off_by_one(p, r, n):
    """Best-of-(N-1) returned for best-of-N."""
    return al.best_of_n(p, r, max(1, n - 1)).policy


def test_best_of_n_tight_in_limit_protocol():
    assert check("policy.best_of_n_kl_tight_in_limit", algorithm=_bon).passed
    _fails("policy.best_of_n_kl_tight_in_limit", _bon_off_by_one)
    with pytest.raises(TypeError, match="algorithm"):
        T._bon_tightness(np.random.default_rng(0), True, algorithm=lambda p, r, n: None)
