"""Property tests of the registered theorems: every per-instance theorem on instances drawn by
hypothesis (``tests/_strategies.py``), checked with the papers' constants through
``Theorem.check``; plus the query-rate corollary and the fitted oracle-complexity slopes."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equilibria.verification import get

from .._strategies import check_theorem, room_theorems, theorem_id

seeds = st.integers(0, 2**32 - 1)


@pytest.mark.parametrize("thm", room_theorems("games"), ids=theorem_id)
def test_theorem_holds_on_drawn_instances(thm):
    """Halpern (nonexpansive, cocoercive), Mirror Prox (entropy), Nash-MP contraction."""
    check_theorem(thm)


@settings(deadline=None)
@given(seed=seeds, K=st.integers(2, 12), beta=st.floats(0.02, 2.0),
       kind=st.sampled_from(["intransitive", "bradley-terry"]))
def test_nash_mp_rate_in_queries(seed, K, beta, kind):
    """The per-step contraction gives KL_N <= KL_0 (1 + 2 beta)^{-N/2} after N = 2k queries
    (the rate of Tiapkin et al. 2025, abstract), on drawn preference games and start points."""
    import warnings

    from equilibria.solvers.games import nash_mirror_prox, regularized_nash
    from equilibria.solvers.games._problems import random_preference_matrix

    rng = np.random.default_rng(seed)
    P = random_preference_matrix(K, rng, kind=kind)
    ref = rng.dirichlet(np.ones(K)) * 0.9 + 0.1 / K
    pi0 = rng.dirichlet(np.ones(K)) * 0.9 + 0.1 / K
    ps = regularized_nash(P, beta, pi_ref=ref)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = nash_mirror_prox(P, beta, pi_ref=ref, pi0=pi0, pi_star=ps, max_iter=10,
                               tol=1e-300)
    N = 2 * np.arange(res.kl_history.size)
    assert res.n_queries == N[-1]
    bound = res.kl_history[0] * (1 + 2 * beta) ** (-N / 2)
    assert np.all(res.kl_history <= bound * (1 + 1e-6) + 1e-12)


def test_oracle_rate_theorems_pass_quick():
    """The fitted slopes of VR-Halpern (n^0.5) and full-batch Halpern (n^1)."""
    rng = np.random.default_rng(0)
    for name in ("games.vr_halpern_oracle_n", "games.halpern_oracle_n",
                 "games.vr_halpern_oracle_eps"):
        thm = get(name)
        out = thm.judge(thm.run(rng, quick=True))
        assert out.passed, out.detail
