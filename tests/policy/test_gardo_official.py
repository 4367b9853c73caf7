"""GARDO's official mechanisms (``variant="official"``) against hand-computed examples and
against literal numpy transcriptions of the authors' code (github.com/tinnerhrhe/GARDO, commit
1cc77fb): rank uncertainty, percentile gate, KL-fraction adaptation, reference reset rule and
diversity-aware advantage; the official solver run; the two official theorems and the wrong
implementations they reject."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from equilibria.solvers.policy import theorems as T
from equilibria.solvers.policy.envs import ProxyBandit, ensemble_proxy_bandit
from equilibria.solvers.policy.gardo import (OFFICIAL_DEFAULTS, adapt_kl_fraction,
                                             diversity_advantage, gardo, gardo_vs_kl,
                                             rank_uncertainty, reference_reset_due,
                                             uncertainty_gate)
from equilibria.solvers.policy._common import summaries
from equilibria.verification import get


# -- literal transcriptions of the code (torch replaced by numpy, same operations) ------------
class _RiskCompensator:  # scripts/train_sd3_grpo_gardo.py l. 219-238
    def __init__(self, base=0.1, beta=0.1):
        self.risk_buffer = []
        self.base = base
        self.alpha = 0.1
        self.beta = beta
        self.beta_min = 0.02
        self.beta_max = 0.2

    def update(self, pad_scores):
        if len(self.risk_buffer) == 0:
            self.beta = self.base
        elif np.mean(pad_scores) > max(self.risk_buffer):
            self.beta = self.beta * (1 + self.alpha)
        elif np.mean(pad_scores) < min(self.risk_buffer):
            self.beta = self.beta * (1 - self.alpha)
        self.beta = np.clip(self.beta, self.beta_min, self.beta_max)
        self.risk_buffer.append(np.mean(pad_scores))
        if len(self.risk_buffer) > 20:
            self.risk_buffer = self.risk_buffer[-20:]


def _code_advantage(rewards, dists):  # flow_grpo/stat_tracking.py l. 96-135, one prompt
    rewards = np.array(rewards, dtype=np.float64)
    dists = np.array(dists)
    dists = dists / np.linalg.norm(dists, ord=2, axis=1, keepdims=True)
    mean = np.mean(rewards, axis=0, keepdims=True)
    similarity_matrix = np.dot(dists, dists.T).clip(-1, 1)
    distance_matrix = 1 - similarity_matrix
    avg = np.zeros(len(distance_matrix))
    for i in range(len(distance_matrix)):
        mask = np.ones(len(distance_matrix), dtype=bool)
        mask[i] = False
        avg[i] = np.min(distance_matrix[i, mask])
    w = np.where((rewards - mean) < 0, np.ones_like(avg), avg / np.mean(avg))
    return np.clip((rewards - mean) * w, -5, 5)  # clip: train script l. 967-971


def _code_ranks(x):  # train script l. 828-830 (stable ties)
    idx = np.argsort(-np.asarray(x, float), kind="stable")
    ranks = np.empty(len(x))
    ranks[idx] = np.arange(1, len(x) + 1)
    return ranks


# -- rank uncertainty -------------------------------------------------------------------------
def test_rank_uncertainty_hand_example():
    main = [3.0, 1.0, 2.0]
    aux = [[1.0, 3.0, 2.0], [2.0, 3.0, 1.0]]
    # descending ranks: main [1, 3, 2]; aux [3, 1, 2] and [2, 1, 3], mean [2.5, 1, 2.5]
    np.testing.assert_array_equal(rank_uncertainty(main, aux), [-1.5, 2.0, -0.5])
    np.testing.assert_array_equal(rank_uncertainty(main, aux, order="ascending"),
                                  [1.5, -2.0, 0.5])


@given(st.integers(0, 2**31 - 1), st.integers(2, 30), st.integers(1, 4))
def test_rank_uncertainty_matches_code_and_sums_to_zero(seed, n, m):
    rng = np.random.default_rng(seed)
    main, aux = rng.normal(size=n), rng.normal(size=(m, n))
    if m >= 2:  # the code's line 834 with two auxiliary rewards
        want = _code_ranks(main) - (_code_ranks(aux[0]) + _code_ranks(aux[1])) / 2
        if m == 2:
            np.testing.assert_allclose(rank_uncertainty(main, aux), want)
    u = rank_uncertainty(main, aux)
    assert abs(u.sum()) < 1e-9


# -- the gate ---------------------------------------------------------------------------------
def test_uncertainty_gate_hand_example():
    u = np.array([-1.0, 0.0, 1.0, 2.0, 3.0, 4.0])
    # non-negative part [0, 1, 2, 3, 4]: 80th percentile = 3.2, 90th = 3.6, 50th = 2 (strict >)
    np.testing.assert_array_equal(uncertainty_gate(u, 0.2), [0, 0, 0, 0, 0, 1])
    np.testing.assert_array_equal(uncertainty_gate(u, 0.1), [0, 0, 0, 0, 0, 1])
    np.testing.assert_array_equal(uncertainty_gate(u, 0.5), [0, 0, 0, 0, 1, 1])
    assert not uncertainty_gate(np.array([-1.0, -2.0]), 0.2).any()


@given(st.integers(0, 2**31 - 1), st.floats(0.02, 0.2))
def test_uncertainty_gate_matches_code(seed, frac):
    u = rank_uncertainty(*(lambda r: (r.normal(size=24), r.normal(size=(2, 24))))(
        np.random.default_rng(seed)))
    thr = np.percentile(np.array([p for p in u if p >= 0]), 100 - frac * 100)
    np.testing.assert_array_equal(uncertainty_gate(u, frac), u > thr)


# -- KL-fraction adaptation -------------------------------------------------------------------
def test_adapt_kl_fraction_hand_sequence():
    frac, win = 0.5, []
    seq = []
    for m in (1.0, 2.0, 1.5, 0.5):
        frac, win = adapt_kl_fraction(frac, win, [m])
        seq.append(frac)
    # start -> 0.1 (empty window); 2 > max -> 0.11; 1.5 inside -> 0.11; 0.5 < min -> 0.099
    np.testing.assert_allclose(seq, [0.1, 0.11, 0.11, 0.099])
    assert win == [1.0, 2.0, 1.5, 0.5]
    frac, win = 0.19, [1.0]
    frac, win = adapt_kl_fraction(frac, win, [3.0])
    assert frac == 0.2  # 0.209 clipped to beta_max
    frac, win = adapt_kl_fraction(0.021, [1.0], [0.0])
    assert frac == 0.02  # 0.0189 clipped to beta_min


def test_adapt_kl_fraction_window_forgets_after_20():
    frac, win = 0.1, []
    for m in [100.0] + [1.0] * 20:
        frac, win = adapt_kl_fraction(frac, win, [m])
    assert len(win) == 20 and max(win) == 1.0  # the 100 has left the window
    before = frac
    frac, _ = adapt_kl_fraction(frac, win, [50.0])
    assert frac == pytest.approx(min(before * 1.1, 0.2))


@given(st.integers(0, 2**31 - 1), st.integers(1, 60))
def test_adapt_kl_fraction_matches_code(seed, n):
    rng = np.random.default_rng(seed)
    code = _RiskCompensator()
    frac, win = 0.1, []
    for _ in range(n):
        u = rng.exponential(size=int(rng.integers(1, 12))) * rng.uniform(0.5, 2.0)
        code.update(u)
        frac, win = adapt_kl_fraction(frac, win, u)
        assert frac == pytest.approx(float(code.beta), rel=1e-12)
        np.testing.assert_allclose(win, code.risk_buffer)


# -- reset rule -------------------------------------------------------------------------------
@pytest.mark.parametrize("epoch, last, flag, want", [
    (16, 0, False, True), (15, 0, False, False), (3, 0, True, True), (0, 0, True, False),
    (31, 16, False, False), (32, 16, False, True)])
def test_reference_reset_due_hand_cases(epoch, last, flag, want):
    assert reference_reset_due(epoch, last, flag) is want


def test_official_run_resets_at_16_32_48_without_kl_trigger():
    env = ensemble_proxy_bandit()
    run = gardo(env, variant="official", kl_threshold=np.inf, max_iter=50, record_every=1,
                seed=0)
    r = run.history["resets"]
    assert r[-1] == 3
    # ``resets`` at record t counts resets at epochs < t: jumps after epochs 16, 32, 48
    np.testing.assert_array_equal(np.nonzero(np.diff(r))[0], [16, 32, 48])
    fast = gardo(env, variant="official", kl_threshold=0.0, max_iter=50, seed=0)
    assert fast.history["resets"][-1] > 3  # every gated epoch with KL > 0 triggers one
    none = gardo(env, variant="official", beta=0.0, max_iter=50, seed=0)
    assert none.history["resets"][-1] == 0  # the code resets only when beta > 0 (l. 788)


# -- diversity-aware advantage ----------------------------------------------------------------
def test_diversity_advantage_hand_example():
    r = np.array([1.0, 2.0, 6.0, 3.0])  # mean 3: raw advantages [-2, -1, 3, 0]
    emb = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [1.0, 0.0]])
    # min cosine distances [0, 1-1/sqrt2, 1-1/sqrt2, 0], mean (1-1/sqrt2)/2: sample 2 gets x2
    np.testing.assert_allclose(diversity_advantage(r, emb, adv_clip=10.0), [-2, -1, 6, 0])
    np.testing.assert_allclose(diversity_advantage(r, emb), [-2, -1, 5, 0])  # clip 5
    # no division by the group std: scaling the rewards scales the advantages
    np.testing.assert_allclose(diversity_advantage(10 * r, emb, adv_clip=1e3),
                               [-20, -10, 60, 0])


@given(st.integers(0, 2**31 - 1), st.integers(2, 24), st.integers(1, 5))
def test_diversity_advantage_matches_code(seed, n, d):
    rng = np.random.default_rng(seed)
    r, emb = rng.normal(size=n), rng.normal(size=(n, d))
    with np.errstate(invalid="ignore", divide="ignore"):
        want = _code_advantage(r, emb)
    if np.all(np.isfinite(want)):
        np.testing.assert_allclose(diversity_advantage(r, emb), want, rtol=1e-10, atol=1e-12)
    else:  # all embeddings parallel: the code's 0/0; documented deviation, weights 1
        np.testing.assert_allclose(diversity_advantage(r, emb), np.clip(r - r.mean(), -5, 5))


# -- the official solver ----------------------------------------------------------------------
def test_official_run_seeded_and_recorded():
    env = ensemble_proxy_bandit(with_features=True)
    a = gardo(env, variant="official", lr=1.0, update="pg", max_iter=80, seed=4)
    b = gardo(env, variant="official", lr=1.0, update="pg", max_iter=80, seed=4)
    np.testing.assert_array_equal(a.policy, b.policy)
    assert a.success and a.history["proxy"][-1] > a.history["proxy"][0] + 0.5
    f = a.history["kl_fraction"]
    assert np.all((f >= 0.02) & (f <= 0.2))
    assert np.all((a.history["gated_mass"] >= 0) & (a.history["gated_mass"] <= 0.2 + 1e-12))
    assert OFFICIAL_DEFAULTS["reset_every"] == 15 and OFFICIAL_DEFAULTS["window"] == 20


def test_official_run_on_nonfinite_lr_reports_numerical():
    run = gardo(ensemble_proxy_bandit(), variant="official", lr=1.7e308, max_iter=5, seed=0)
    assert not run.success and np.all(np.isfinite(run.policy))


@pytest.mark.parametrize("call, match", [
    (lambda: gardo(variant="official", oracle="exact"), "`oracle`"),
    (lambda: gardo(variant="paper"), "`variant`"),
    (lambda: gardo(variant="official", kl_fraction=0.5), "`kl_fraction`"),
    (lambda: gardo(variant="official", rank_order="up"), "`rank_order`"),
    (lambda: gardo(variant="official", adv_clip=0.0), "`adv_clip`"),
    (lambda: rank_uncertainty([1.0, 2.0], [[1.0]]), "`aux`"),
    (lambda: uncertainty_gate([0.0, 1.0], 1.5), "`kl_fraction`"),
    (lambda: adapt_kl_fraction(0.1, [], []), "`u_pos`"),
    (lambda: adapt_kl_fraction(0.1, [], [1.0], bounds=(0.3, 0.2)), "`bounds`"),
    (lambda: reference_reset_due(3, 5, False), "`last_reset`"),
    (lambda: reference_reset_due(3, 0, 1), "`kl_exceeded`"),
    (lambda: diversity_advantage([1.0], [[1.0]]), "`r`"),
    (lambda: diversity_advantage([1.0, 2.0], [[1.0], [np.nan]]), "`embeddings`"),
    (lambda: gardo_vs_kl([0], algorithm=3, progress=False), "`algorithm`"),
])
def test_official_validation(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


# -- the official theorems reject wrong implementations ---------------------------------------
def test_official_theorems_pass_quick():
    for name in ("policy.gardo_official_true_reward", "policy.gardo_official_gate_selectivity"):
        thm = get(name)
        ev = thm.run(np.random.default_rng(3), quick=True)
        assert np.all(ev.measured <= ev.bound), (name, ev.detail)


def _hack_seeker(env, seed):
    """Deliberately wrong: moves straight to the hacks along pi_ref exp(c 1[hack])."""
    hack = (np.arange(env.n_actions) >= env.n_actions - 2).astype(float)
    hist = {"proxy": [], "true": [], "entropy": []}
    for c in np.linspace(0.0, 12.0, 200):
        p = env.pi_ref * np.exp(c * hack)
        s = summaries(p / p.sum(), env.pi_ref, {"proxy": env.r_proxy, "true": env.r_true})
        for k in hist:
            hist[k].append(s[k])
    return {k: np.asarray(v) for k, v in hist.items()}


def test_official_true_reward_theorem_rejects_hack_seeker():
    ev = get("policy.gardo_official_true_reward").run(np.random.default_rng(0), quick=True,
                                                      algorithm=_hack_seeker)
    assert not np.all(ev.measured <= ev.bound)


def test_gate_selectivity_theorem_rejects_order_blind_uncertainty():
    def blind(main, aux, order):  # ignores ``order``: always the code's descending ranks
        return rank_uncertainty(main, aux)

    ev = get("policy.gardo_official_gate_selectivity").run(np.random.default_rng(0),
                                                           quick=True, algorithm=blind)
    assert not np.all(ev.measured <= ev.bound)
    rates = T._gate_rates(np.random.default_rng(1), 20, 10, order="descending")
    assert rates[0] < rates[1]


def test_proxybandit_without_ensemble_runs_official():
    env = ensemble_proxy_bandit()
    bare = ProxyBandit(env.pi_ref, env.r_true, env.r_proxy)
    run = gardo(bare, variant="official", max_iter=20, seed=0)
    assert run.success  # u = 0 everywhere: nothing gated
    assert np.all(run.history["gated_mass"] == 0)
