"""A user's implementation on the Cournot and Levine theorems (issue 13 §2).

Protocols (``equilibria.solvers.games.cournot_theorems``, ``levine_theorems``): a Cournot-Nash
solver, a grim-trigger threshold, simultaneous best-response dynamics, an exact Levine
win-probability evaluator, a Monte Carlo estimator.  For each: (a) the package's own
implementation through the protocol reproduces the default run exactly and passes; (b) a
realistic wrong implementation fails (``out.passed is False``, rejected by the measurement);
(c) a malformed return raises a readable error naming ``algorithm``.
"""

from fractions import Fraction

import numpy as np
import pytest

from equilibria.solvers.games import cournot_theorems as CT
from equilibria.solvers.games import levine_theorems as LT
from equilibria.solvers.games.cournot import best_response_dynamics, cournot_game
from equilibria.theory import levine as lv
from equilibria.verification import check, get


def _same(name, algorithm):
    ref = check(name)
    out = check(name, algorithm=algorithm)
    assert out.error is None, out.error
    assert out.passed and ref.passed
    assert out.ratio == pytest.approx(ref.ratio, rel=1e-6, abs=1e-12)
    return out


def _fails(name, algorithm):
    out = check(name, algorithm=algorithm)
    assert out.error is None, out.error
    assert out.passed is False, str(out)
    return out


def _malformed(name, algorithm, match="algorithm"):
    out = check(name, algorithm=algorithm)
    assert out.passed is False
    assert out.error is not None and match in str(out.error), out.error


# ------------------------------------------------------------------------------ Cournot
def test_nash_solver_protocol():
    out = check("games.cournot_nash_closed_form", algorithm=CT.nash_protocol_solver)
    assert out.error is None and out.passed, str(out)
    # the monopoly formula applied to each firm: (a - c)/(2 b n), the collusive split
    _fails("games.cournot_nash_closed_form",
           lambda g: np.full(g.n, g.margin / (2 * g.b * g.n)))
    # (a - c)/(b n): off by one in the denominator
    _fails("games.cournot_nash_closed_form", lambda g: np.full(g.n, g.margin / (g.b * g.n)))
    _fails("games.cournot_nash_closed_form", lambda g: np.full(g.n, np.nan))
    _malformed("games.cournot_nash_closed_form", lambda g: np.zeros(g.n + 1))
    _malformed("games.cournot_nash_closed_form", lambda g: "q")
    with pytest.raises(TypeError, match="callable"):
        CT.eval_nash_closed_form(CT.sample_market(np.random.default_rng(0)), algorithm=3)


def test_grim_threshold_protocol():
    _same("games.cournot_grim_trigger", CT.grim_protocol_threshold)

    def no_fine(game, sanction, detection):  # the fine forgotten: Friedman's threshold only
        return CT.grim_protocol_threshold(game, 0.0, detection)

    _fails("games.cournot_grim_trigger", no_fine)

    def fine_wrong_sign(game, sanction, detection):
        d0 = CT.grim_protocol_threshold(game, 0.0, detection)
        return d0 - (CT.grim_protocol_threshold(game, sanction, detection) - d0)

    _fails("games.cournot_grim_trigger", fine_wrong_sign)
    _malformed("games.cournot_grim_trigger", lambda g, s, p: True)
    _malformed("games.cournot_grim_trigger", lambda g, s, p: [0.5, 0.5])


def test_duopoly_threshold_user_value():
    g = cournot_game(2, a=10.0, b=1.0, c=1.0)
    inst = {"game": g, "sanction": 0.0, "detection": 1.0}
    meas, bound, _ = CT.eval_grim_trigger(inst, algorithm=lambda *a: 9 / 17)
    assert meas <= bound
    meas, bound, _ = CT.eval_grim_trigger(inst, algorithm=lambda *a: 0.5)
    assert meas > 100 * bound


@pytest.mark.parametrize("name", ["games.cournot_br_duopoly", "games.cournot_br_oligopoly"])
def test_best_response_protocol(name):
    _same(name, CT.br_protocol_dynamics)
    # round robin in place of simultaneous steps: not the map of the theorem
    _fails(name, lambda g, q0, T: best_response_dynamics(g, q0, T, simultaneous=False))

    def damped(g, q0, T):  # q+ = (q + BR(q))/2: converges for every n, not Theocharis's map
        path = [np.asarray(q0, float)]
        for _ in range(T):
            path.append(0.5 * (path[-1] + g.best_response(path[-1])))
        return np.array(path)

    _fails(name, damped)
    _malformed(name, lambda g, q0, T: np.zeros((T, g.n)))


def test_br_path_must_start_at_q0():
    rng = np.random.default_rng(1)
    inst = CT.sample_duopoly(rng, T=5)

    def jump(g, q0, T):
        path = best_response_dynamics(g, q0, T)
        path[0] = path[1]
        return path

    meas, _, _ = CT.eval_br_duopoly(inst, algorithm=jump)
    assert meas == np.inf


# ------------------------------------------------------------------------------ Levine
def test_evaluator_protocol_exact_and_float():
    _same("games.levine_seven_twentieths", LT.levine_protocol_evaluator)
    out = check("games.levine_seven_twentieths",
                algorithm=lambda S: float(lv.win_probability(S)))
    assert out.error is None and out.passed, str(out)


def _one_config_off(S):
    """An enumeration that misses one winning configuration."""
    p = lv.win_probability(S, exact=True)
    n, views = np.asarray(S).shape
    h = int(round(np.log2(views))) // (n - 1)
    return p - Fraction(1, 1 << (n * h))


def _any_player(S):
    """Wins when *any* player names a black hat (the rule misread): by enumeration."""
    S = np.asarray(S)
    n, views = S.shape
    h = int(round(np.log2(views))) // (n - 1)
    wins = 0
    for cfg in range(1 << (n * h)):
        stacks = [(cfg >> (i * h)) & ((1 << h) - 1) for i in range(n)]
        ok = False
        for i in range(n):
            view = 0
            for j, st in enumerate(x for k, x in enumerate(stacks) if k != i):
                view |= st << (j * h)
            ok |= bool((stacks[i] >> S[i, view]) & 1)
        wins += ok
    return Fraction(wins, 1 << (n * h))


def test_evaluator_wrong_ones_fail():
    _fails("games.levine_seven_twentieths", _one_config_off)
    inst = LT.sample_construction(np.random.default_rng(0), h=4, which="s3")
    meas, bound, _ = LT.eval_seven_twentieths(inst, algorithm=_any_player)
    assert meas > bound
    _malformed("games.levine_seven_twentieths", lambda S: "p")
    _malformed("games.levine_seven_twentieths", lambda S: np.array([0.3, 0.3]))


@pytest.mark.parametrize("name", ["games.levine_gap_rate_s3", "games.levine_gap_rate_s5"])
def test_gap_rates_through_the_evaluator(name):
    _same(name, LT.levine_protocol_evaluator)
    # a truncation scored as if it were the limit strategy (no gap left): the fit breaks
    _fails(name, lambda S: float(lv.win_probability(S)) * 0.9)


def test_monte_carlo_protocol():
    _same("games.levine_monte_carlo", LT.levine_protocol_monte_carlo)

    def first_player_only(S, n_samples, seed):  # wins when player 0 alone is right
        S = np.asarray(S)
        n, views = S.shape
        h = int(round(np.log2(views))) // (n - 1)
        rng = np.random.default_rng(seed)
        st = rng.integers(0, 1 << h, size=(n_samples, n))
        view = np.zeros(n_samples, dtype=np.int64)
        for j in range(1, n):
            view |= st[:, j] << ((j - 1) * h)
        return float(np.mean((st[:, 0] >> S[0, view]) & 1))

    _fails("games.levine_monte_carlo", first_player_only)
    _fails("games.levine_monte_carlo", lambda S, m, seed: np.nan)
    _malformed("games.levine_monte_carlo", lambda S, m, seed: None)


def test_reasons_and_protocols_recorded():
    for name in ["games.cournot_sanction_deterrence", "games.levine_continuous_half",
                 "games.levine_decreasing_in_n"]:
        assert get(name).no_algorithm and not get(name).accepts_algorithm
    for name in ["games.cournot_nash_closed_form", "games.cournot_grim_trigger",
                 "games.cournot_br_duopoly", "games.cournot_br_oligopoly",
                 "games.levine_seven_twentieths", "games.levine_gap_rate_s3",
                 "games.levine_gap_rate_s5", "games.levine_monte_carlo"]:
        assert get(name).accepts_algorithm and get(name).protocol
