"""Fuzz baselines of the Levine hat game's theorems
(:mod:`equilibria.solvers.games.levine_theorems`); merged into the games room's cases.

Invariants: samplers return instances inside the theorem's ranges, evaluations return
``(measured, bound, trivial)`` with the measured value within its bound on valid instances
(7/20 exact, 1/2 exact, strict decrease in ``n``, Monte Carlo within 5 sigma), the rate
experiments fit the stated geometric slopes and ``best_value`` equals an enumerated win
probability.
"""

import math
from fractions import Fraction

import numpy as np

from equilibria.solvers.games import levine_theorems as LT
from equilibria.theory import levine as L
from tests.fuzz.harness import Case

P = "equilibria.solvers.games.levine_theorems."


def _rng():
    return np.random.default_rng(0)


def _triple_ok(res, kw):
    measured, bound, trivial = res
    assert all(isinstance(v, float) for v in res)
    assert 0 <= measured <= trivial and bound <= trivial
    assert measured <= bound + 1e-12, f"measured {measured} above bound {bound}"


def _decreasing_ok(res, kw):
    hi, lo, trivial = res
    assert 0 <= hi <= trivial and hi <= lo + 1e-12, f"V_(n+1) = {hi} not below {lo}"


def _construction_ok(res, kw):
    bs = {"s3": L.S3, "s5": L.S5}[res["which"]]
    assert bs.k + 1 <= res["h"] <= LT.MAX_H
    if kw.get("h") is not None:
        assert res["h"] == int(kw["h"])


def _continuous_ok(res, kw):
    assert 2 <= res["n"] <= 6 and res["M"] % 2 == 0 and res["M"] ** res["n"] <= 2 ** 16


def _players_ok(res, kw):
    assert 2 <= res["n"] <= 3 and 1 <= res["h"] and (res["n"] + 1) * res["h"] <= 12


def _profile_ok(res, kw):
    S = res["profile"]
    n = S.shape[0]
    assert 2 <= n <= 4 and L.win_count(S)[1] <= 16


def _rate_ok(slope):
    def check(res, kw):
        fit = np.polyfit(np.asarray(res.sizes, dtype=float),
                         np.log(np.asarray(res.values, dtype=float)), 1)[0]
        assert abs(fit - slope) <= 0.02, f"fitted slope {fit}, expected {slope}"
    return check


def _best_ok(res, kw):
    assert isinstance(res, Fraction) and 0 < res <= Fraction(1, 2)
    n, h = int(kw["n"]), int(kw["h"])
    if n == 2 and h <= 3:
        assert res == {1: Fraction(1, 4), 2: Fraction(5, 16), 3: Fraction(11, 32)}[h]


CASES = [
    Case(P + "sample_construction", LT.sample_construction,
         lambda: {"rng": _rng(), "h": 6, "which": "s3"}, check=_construction_ok),
    Case(P + "eval_seven_twentieths", lambda **kw: LT.eval_seven_twentieths(kw),
         lambda: {"which": "s5", "h": 8}, check=_triple_ok),
    Case(P + "gap_rate_s3", LT.gap_rate_s3, lambda: {"rng": _rng(), "quick": True},
         check=_rate_ok(-2.0 / 3.0 * math.log(4.0))),
    Case(P + "gap_rate_s5", LT.gap_rate_s5, lambda: {"rng": _rng(), "quick": True},
         check=_rate_ok(-4.0 / 5.0 * math.log(4.0))),
    Case(P + "sample_continuous", LT.sample_continuous,
         lambda: {"rng": _rng(), "n": 3, "M": 8}, check=_continuous_ok),
    Case(P + "eval_continuous_half", lambda **kw: LT.eval_continuous_half(kw),
         lambda: {"n": 3, "M": 8, "seed": 1}, check=_triple_ok),
    Case(P + "sample_players", LT.sample_players, lambda: {"rng": _rng(), "n": 2, "h": 2},
         check=_players_ok),
    Case(P + "eval_decreasing_in_n", lambda **kw: LT.eval_decreasing_in_n(kw),
         lambda: {"n": 2, "h": 2, "seed": 1}, check=_decreasing_ok),
    Case(P + "sample_profile", LT.sample_profile, lambda: {"rng": _rng(), "n": 2, "h": 4},
         check=_profile_ok),
    Case(P + "eval_monte_carlo", lambda **kw: LT.eval_monte_carlo(kw),
         lambda: {"profile": np.stack([L.first_black_strategy(3)] * 2), "n_samples": 20_000,
                  "seed": 2}, check=_triple_ok),
    Case(P + "best_value", LT.best_value, lambda: {"n": 2, "h": 3, "n_starts": 2, "seed": 0},
         check=_best_ok),
    # the package's implementations through the theorems' user protocols (issue 13)
    Case(P + "levine_protocol_evaluator", LT.levine_protocol_evaluator,
         lambda: {"profile": np.stack([L.first_black_strategy(3)] * 2)},
         check=lambda res, kw: _fraction_ok(res, kw["profile"])),
    Case(P + "levine_protocol_monte_carlo", LT.levine_protocol_monte_carlo,
         lambda: {"profile": np.stack([L.first_black_strategy(3)] * 2), "n_samples": 20_000,
                  "seed": 2}, check=lambda res, kw: _mc_ok(res, kw["profile"], kw["n_samples"])),
]


def _fraction_ok(res, S):
    assert isinstance(res, Fraction) and res == L.win_probability(np.asarray(S), exact=True)


def _mc_ok(res, S, n_samples):
    p = float(L.win_probability(np.asarray(S), exact=True))
    sd = math.sqrt(p * (1 - p) / int(n_samples))
    assert 0.0 <= res <= 1.0 and abs(res - p) <= 5 * sd + 1.0 / int(n_samples)

EXEMPT = {}
