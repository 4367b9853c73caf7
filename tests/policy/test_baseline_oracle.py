"""The leave-one-out baseline of the sampled chi^2-occupancy ascent (issue 13).

``chi2_occupancy_policy(..., method="ascent", oracle="sampled")`` corrects the sampled
``Q`` estimates of a batch of ``B`` pairs by the mean of the *other* ``B - 1`` estimates,

    adv_i = q_i - (sum_j q_j - q_i) / (B - 1) = B / (B - 1) * (q_i - mean(q)),

so the corrected advantages sum to zero exactly, a constant shift of ``q`` is removed
exactly, and (the baseline of sample ``i`` being independent of it) the gradient stays
unbiased.  The step is ``z <- z + lr * grad`` with
``grad(s, a) = sum_i [1{s_i = s}(1{a_i = a} - pi(a|s))] adv_i / B`` and the returned policy is
the row softmax of ``z`` (``max_iter=1``: one step from ``log pi_ref``).

Mutant policy-05 divides by ``B`` instead of ``B - 1`` (``adv_i = ((B+1) q_i - sum q) / B``,
which neither sums to zero nor removes a constant); each test below fails on it.
"""

import numpy as np
import pytest

from equilibria.solvers.policy import TabularMDP, chi2_occupancy_policy, random_mdp
from equilibria.solvers.policy import occupancy as occ


def _row_softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _one_step(mdp, r, ref, lam, *, lr, batch_size, seed, max_iter=1):
    return chi2_occupancy_policy(mdp, r, ref, lam, form="square", method="ascent",
                                 oracle="sampled", lr=lr, max_iter=max_iter,
                                 batch_size=batch_size, seed=seed)


def test_leave_one_out_baseline_hand_computed(monkeypatch):
    """One state, four actions, uniform reference, the batch fixed to the pairs (0, a),
    a = 0..3, with Q estimates q = (1, 2, 3, 6):  sum q = 12, B - 1 = 3, so
    adv = (1 - 11/3, 2 - 10/3, 3 - 9/3, 6 - 6/3) = (-8/3, -4/3, 0, 4) (sum 0),
    grad = adv / 4 = (-2/3, -1/3, 0, 1) and with lr = 0.75 the policy is
    softmax(-0.5, -0.25, 0, 0.75).  Mutant policy-05 (/B) gives adv = (-1.75, -0.5, 0.75, 4.5),
    grad = (adv - 0.75) / 4 = (-0.625, -0.3125, 0, 0.9375): another policy."""
    mdp = TabularMDP(P=np.ones((1, 4, 1)), rho0=np.ones(1), gamma=0.5)
    ref = np.full((1, 4), 0.25)
    s = np.zeros(4, dtype=np.int64)
    a = np.arange(4, dtype=np.int64)
    calls = []

    def pairs(rng, cP, cpol, crho, gamma, n):
        assert n == 4
        return s.copy(), a.copy()

    def sampled_q(rng, cP, cpol, g, gamma, s_, a_):
        calls.append((s_.copy(), a_.copy()))
        return np.array([1.0, 2.0, 3.0, 6.0])

    monkeypatch.setattr(occ, "_sample_occupancy_pairs", pairs)
    monkeypatch.setattr(occ, "_sampled_q", sampled_q)
    res = _one_step(mdp, np.zeros((1, 4)), ref, 0.0, lr=0.75, batch_size=4, seed=0)
    assert len(calls) == 1 and np.array_equal(calls[0][1], a)
    e = np.exp(np.array([-0.5, -0.25, 0.0, 0.75]))
    np.testing.assert_allclose(res.policy[0], e / e.sum(), rtol=1e-13, atol=0)
    assert res.n_iter == 1


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_constant_q_is_removed_exactly(seed):
    """gamma = 0 and lam = 0: every Q estimate is the constant reward 3, so each corrected
    advantage is 3 - 3 (B - 1) / (B - 1) = 0 and the policy stays the reference after 5
    steps (exact model sampling, no patching).  Mutant policy-05: adv = 3 / B != 0 and the
    policy moves (grad(s, a) = 3/B^2 (n(s, a) - n(s) pi(a|s)) with the sample counts n)."""
    mdp = random_mdp(3, 3, gamma=0.0, seed=seed, concentration=1.0)
    ref = np.random.default_rng(seed).dirichlet(np.ones(3), size=3)
    r = np.full((3, 3), 3.0)
    res = _one_step(mdp, r, ref, 0.0, lr=50.0, batch_size=5, seed=seed, max_iter=5)
    np.testing.assert_allclose(res.policy, ref, rtol=0, atol=1e-14)


@pytest.mark.parametrize("batch_size", [2, 7, 32])
@pytest.mark.parametrize("seed", [3, 5])
def test_step_equals_centered_identity(monkeypatch, batch_size, seed):
    """Real sampling (3 states, 3 actions, gamma = 0.6, lam = 0.5): with the batch's pairs and
    Q estimates recorded, the returned policy equals the row softmax of
    log pi_ref + lr * grad with adv = B/(B-1) (q - mean q) (the identity, written
    independently of the code's formula), to 1e-12; the corrected advantages sum to zero
    (checked on the recorded q).  Kills policy-05 (adv = ((B+1) q - sum q)/B: other step)."""
    mdp = random_mdp(3, 3, gamma=0.6, seed=seed, concentration=1.0)
    rng = np.random.default_rng(seed)
    ref = rng.dirichlet(np.full(3, 2.0), size=3)
    r = rng.normal(size=(3, 3))
    rec = []
    real_q = occ._sampled_q

    def spy(rng_, cP, cpol, g, gamma, s, a):
        q = real_q(rng_, cP, cpol, g, gamma, s, a)
        rec.append((s.copy(), a.copy(), q.copy()))
        return q

    monkeypatch.setattr(occ, "_sampled_q", spy)
    lr, B = 2.0, batch_size
    res = _one_step(mdp, r, ref, 0.5, lr=lr, batch_size=B, seed=seed)
    assert len(rec) == 1
    s, a, q = rec[0]
    assert np.ptp(q) > 0  # the estimates differ (a non-trivial baseline)
    adv = B / (B - 1) * (q - q.mean())
    assert abs(adv.sum()) <= 1e-12 * np.abs(q).sum()
    grad = np.zeros((3, 3))
    for si, ai, v in zip(s, a, adv):
        grad[si, ai] += v / B
        grad[si] -= v / B * ref[si]
    expected = _row_softmax(np.log(ref) + lr * grad)
    np.testing.assert_allclose(res.policy, expected, rtol=1e-12, atol=1e-14)
    assert np.abs(res.policy - ref).max() > 1e-3  # the step is visible (grad != 0)
