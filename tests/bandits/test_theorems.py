"""Property tests of the registered theorems with the papers' constants.

Every per-instance theorem is checked on instances drawn by hypothesis (``tests/_strategies.py``:
number of arms, horizon and the sampler's seed): the mean over fixed-seed runs plus 3 standard
errors against the bound (``Theorem.check``).  Plus the bound formulas and the quick
experiments at the default seed."""

import math

import numpy as np
import pytest

from equilibria._lib.rng import named_seed
from equilibria.bandits import theorems as T
from equilibria.verification.registry import REGISTRY

from .._strategies import check_theorem, room_theorems, theorem_id


def get(name):
    """This room's theorem, without importing the other rooms' theorem modules."""
    return REGISTRY[name]


@pytest.mark.parametrize("thm", room_theorems("bandits"), ids=theorem_id)
def test_theorem_holds_on_drawn_instances(thm):
    """UCB1, MOSS, Exp3, Tsallis-INF regret bounds; sequential halving and successive rejects
    error bounds."""
    check_theorem(thm)


def test_bound_formulas():
    np.testing.assert_allclose(T.exp3_bound(1000, 4), math.sqrt(2 * 1000 * 4 * math.log(4)),
                               rtol=1e-15, atol=0)
    np.testing.assert_allclose(T.tsallis_bound(100, 4), 4 * 20 + 1, rtol=1e-15, atol=0)
    means = np.array([0.5, 0.4, 0.2])
    np.testing.assert_allclose(T.ucb1_bound(means, 100),
                               8 * math.log(100) * (1 / 0.1 + 1 / 0.3)
                               + (1 + math.pi ** 2 / 3) * 0.4, rtol=1e-14, atol=0)
    # fixed-budget BAI bounds with their exact constants; H_2 = max_i i / Delta_(i)^2
    np.testing.assert_allclose(T.sequential_halving_bound(4000, 8, 50.0),
                               3 * 3 * math.exp(-4000 / (16 * 50.0 * 3)), rtol=1e-14, atol=0)
    logbar5 = 0.5 + 1 / 2 + 1 / 3 + 1 / 4 + 1 / 5
    np.testing.assert_allclose(T.successive_rejects_bound(1000, 5, 40.0),
                               10 * math.exp(-(1000 - 5) / (logbar5 * 40.0)), rtol=1e-14, atol=0)


def test_bai_budgets_make_the_bounds_non_trivial():
    """The drawn budgets put both bounds at exp(-excess) <= 0.5, so the checks can fail."""
    rng = np.random.default_rng(3)
    for _ in range(20):
        inst = T.sample_bai(rng)
        for name in ("bandits.sequential_halving_error", "bandits.successive_rejects_error"):
            thm = get(name)
            env = T.BernoulliArms(inst["means"])
            budget = T._sh_budget if "halving" in name else T._sr_budget
            n = budget(env, inst["excess"])
            bound = (T.sequential_halving_bound if "halving" in name
                     else T.successive_rejects_bound)(n, env.n_arms, env.H2)
            assert bound <= math.exp(-inst["excess"]) + 1e-12, (name, inst, bound)
            assert thm.assumptions
    # Lai-Robbins constant for two arms: Delta / kl
    kl = 0.3 * math.log(0.3 / 0.5) + 0.7 * math.log(0.7 / 0.5)
    np.testing.assert_allclose(T.lai_robbins_constant([0.3, 0.5]), 0.2 / kl, rtol=1e-14, atol=0)


def test_registered_experiments_pass_at_the_default_seed():
    """Every bandits theorem's quick experiment passes (seeded, deterministic)."""
    names = sorted(n for n in REGISTRY if n.startswith("bandits."))
    rows = []
    for name in names:  # what `equilibria verify --quick --only bandits` does, seed 0
        thm = REGISTRY[name]
        rng = np.random.default_rng(named_seed(0, name))
        rows.append(thm.judge(thm.run(rng, True), seed=0))
    failed = [r for r in rows if not r.passed]
    assert not failed, "\n".join(f"{r.name}: {r.detail}" for r in failed)
    assert len(rows) >= 19
