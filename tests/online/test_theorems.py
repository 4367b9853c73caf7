"""Property tests: the registered theorems on instances drawn by hypothesis from the theorems'
assumptions (``tests/_strategies.py``: the samplers' sizes and seeds), with the papers' constants
(sources in each theorem's docstring); plus the rate statements, the self-play constant and
the power of the ONS band to reject sqrt growth."""

import numpy as np
import pytest

from equilibria.verification import get

from .._strategies import check_theorem, room_theorems, theorem_id


def _rng(seed):
    return np.random.default_rng(seed)


@pytest.mark.parametrize("thm", room_theorems("online"), ids=theorem_id)
def test_theorem_holds_on_drawn_instances(thm):
    """Hedge, OGD, log-barrier FTRL (invariants, regret), optimistic OMD (RVU), optimistic-Hedge
    self-play gap, ONS portfolio regret."""
    check_theorem(thm)


def test_rate_theorems_pass_in_quick_mode():
    """The SEA and ONS rate statements (bootstrap CI of the slope inside the band)."""
    for name in ("online.sea_ratio", "online.sea_constant", "online.ons_log_rate"):
        thm = get(name)
        out = thm.judge(thm.run(np.random.default_rng(7), quick=True))
        assert out.passed, out.detail


def test_selfplay_bound_carries_the_first_round_term():
    """``optimistic_hedge_gap_bound`` = (ln n + ln m)/(eta T) + 2 eta max|A|^2 / T: the second
    term (round-1 hint error, M_1 = 0) is what separates the provable RVU-based bound from the
    often-quoted (ln n + ln m)/(eta T); at eta = 1/(2 max|A|) it equals 1/(2 eta T)."""
    from equilibria.solvers.online.games import optimistic_hedge_gap_bound, selfplay

    A = _rng(3).uniform(-2, 2, size=(4, 6))
    for T in (1, 10, 100):
        r = selfplay(A, T)
        quoted = (np.log(4) + np.log(6)) / (r.eta * T)
        np.testing.assert_allclose(optimistic_hedge_gap_bound(A, T, r.eta) - quoted,
                                   1 / (2 * r.eta * T), rtol=1e-12, atol=0)
        assert r.gap <= optimistic_hedge_gap_bound(A, T, r.eta)


def test_ons_log_band_rejects_sqrt_growth():
    """The ``online.ons_log_rate`` check can fail the way that matters: on the experiment's
    horizons (tau = 1 + T/t_0 = 16 ... 256), a regret growing like sqrt(T) (plus 10% noise) has a
    log-log-log slope of about 2 and is rejected, while c log(tau) (same noise) is accepted."""
    from equilibria.verification import RateData

    thm = get("online.ons_log_rate")
    rng = _rng(11)
    taus = np.array([16.0, 32.0, 64.0, 128.0, 256.0])
    t0 = 100.0
    for c in (0.5, 5.0, 50.0):
        noise = np.exp(rng.normal(0, 0.1, size=(6, taus.size)))
        sqrt_growth = c * np.sqrt(t0 * (taus - 1)) * noise
        out = thm.judge(RateData(taus, sqrt_growth, kind="log"))
        assert not out.passed, out.detail
        log_growth = c * 40 * np.log(taus) * noise
        assert thm.judge(RateData(taus, log_growth, kind="log")).passed
