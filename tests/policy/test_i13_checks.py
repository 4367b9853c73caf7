"""Issue 13: tightness instances and hand-computed bound formulas of the policy theorems, and
the trivial maxima that make vacuous instances visible.  Each test names the wrong
implementation it catches."""

import math

import numpy as np
import pytest

from equilibria.solvers.policy import theorems as PT
from equilibria.theory import alignment as al


def test_regularized_value_and_frontier_attained_at_tilted_policy():
    """pi = pi_ref exp(r/beta)/Z attains beta log Z, and the frontier at its own KL (ratio
    1.000).  Catches beta log Z with a wrong factor and a frontier solved at the wrong KL."""
    inst = PT.sample_policy_reward(np.random.default_rng(4), k=6)
    tilted = al.kl_regularized_policy(inst["pi_ref"], inst["r"], inst["beta"])
    inst["pi"] = np.asarray(tilted.policy)
    m, b, triv = PT.eval_regularized_value(inst)
    assert m == pytest.approx(b, rel=1e-9, abs=1e-12) and b < triv
    m, b, triv = PT.eval_frontier(inst)
    assert m == pytest.approx(b, rel=1e-6, abs=1e-9)


def test_regularized_value_formula_hand_computed():
    """beta log sum pi_ref exp(r/beta): pi_ref = (1/2, 1/2), r = (0, log 3), beta = 1 ->
    log 2."""
    s = al.kl_regularized_policy(np.array([0.5, 0.5]), np.array([0.0, math.log(3.0)]), 1.0)
    assert s.value == pytest.approx(math.log(2.0))


@pytest.mark.parametrize("n", [2, 8, 32])
def test_best_of_n_bound_formula_and_near_tightness(n):
    """log N - (N-1)/N, and ratio >= 0.99 for a uniform reference over K = 64 N distinct
    rewards (the continuous limit).  Catches log N alone (ratio drops) and (N-1)/N dropped."""
    k = 64 * n
    b = al.best_of_n(np.full(k, 1.0 / k), np.arange(k, dtype=float), n)
    assert b.kl_bound == pytest.approx(math.log(n) - (n - 1) / n)
    m, bound, triv = PT.eval_bon_kl({"pi_ref": np.full(k, 1.0 / k),
                                     "r": np.arange(k, dtype=float), "n": n})
    assert 0.99 <= m / bound <= 1.0 and bound < triv == pytest.approx(math.log(n))


def test_softmax_lipschitz_near_tie_tight():
    """A two-way tie perturbed by +-d: ratio -> 1 as d -> 0 (>= 0.999 at d = 1e-4, tau = 1).
    Catches the constant 1/tau (ratio 0.5) and 1/(4 tau) (fails)."""
    r = np.array([1.0, 1.0, -30.0])
    r2 = r + np.array([1e-4, -1e-4, 0.0])
    m, b, triv = PT.eval_softmax({"r": r, "r2": r2, "tau": 1.0})
    assert 0.999 <= m / b <= 1.0 + 1e-9 and b < triv
    assert al.softmax_lipschitz(2.0) == pytest.approx(0.25)


def test_entropy_cost_near_tight_at_small_tau():
    """max r - E_pi r <= tau H(pi): with two actions of reward gap D the ratio is about
    D / (D + tau) (>= 0.95 at tau = D / 20); trivial maximum = max r - min r.  Catches the
    bound tau log K in place of tau H(pi) (ratio collapses) and a loss scaled by 1/2."""
    m, b, triv = PT.eval_entropy_tradeoff({"r": np.array([0.0, 1.0]), "tau": 0.05})
    assert 0.95 <= m / b <= 1.0 and triv == pytest.approx(1.0)


def test_user_best_of_n_with_ties_to_first_outcome_fails():
    """pi_ref uniform on 4, r = (0, 0, 1, 1), N = 2: the exact pi_N = (1, 1, 3, 3)/8 (KL
    0.131 <= log 2 - 1/2) passes; an implementation giving each tie class to its first outcome
    (KL = 3/4 log 3) fails."""
    from equilibria.verification import get
    thm = get("policy.best_of_n_kl_bound")
    assert thm.protocol
    inst = {"pi_ref": np.full(4, 0.25), "r": np.array([0.0, 0.0, 1.0, 1.0]), "n": 2}
    m, b = thm.check(inst, algorithm=lambda ref, r, n: np.array([1, 1, 3, 3]) / 8.0)
    assert m == pytest.approx(0.25 * math.log(0.5) + 0.75 * math.log(1.5))
    assert b == pytest.approx(math.log(2.0) - 0.5)
    with pytest.raises(AssertionError, match="best_of_n_kl_bound violated"):
        thm.check(inst, algorithm=lambda ref, r, n: np.array([0.25, 0.0, 0.75, 0.0]))


def test_user_bounded_ratio_mean_threshold_fails():
    """The package's median-threshold policy passes; thresholding at the mean advantage and
    renormalizing (the wrong implementation) breaks the ratio constraint and fails."""
    from equilibria.verification import get
    thm = get("policy.bounded_ratio_optimum")
    assert thm.protocol
    inst = {"pi0": np.full(3, 1 / 3), "q": np.array([0.0, 0.1, 10.0]), "eps": 0.5}
    thm.check(inst, algorithm=al.bounded_ratio_policy)

    def mean_threshold(pi0, q, eps):
        p = (1 + eps * np.sign(q - q.mean())) * pi0
        return p / p.sum()
    with pytest.raises(AssertionError):
        thm.check(inst, algorithm=mean_threshold)
