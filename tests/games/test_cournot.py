"""The linear Cournot market (issue 17, part 2): closed forms on hand-computed values, the
repeated-game thresholds against simulated payoffs, best-response dynamics (Theocharis), and
checks that can fail."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equilibria.solvers.games import cournot as cn
from equilibria.solvers.games import cournot_theorems as ct
from equilibria.verification import check


def test_duopoly_closed_forms_on_hand_computed_values():
    """a = 10, b = 1, c = 1 (s = 9): Nash q = 3, price 4, profit 9; collusion Q = 4.5,
    q = 2.25, profit 10.125; deviation q = 27/8 = 3.375, price 10 - 5.625 = 4.375, profit
    3.375^2 = 11.390625."""
    g = cn.cournot_game(2, a=10, b=1, c=1)
    nash, col, dev = cn.cournot_nash(g), cn.cournot_collusive(g), cn.cournot_deviation(g)
    np.testing.assert_allclose(nash.quantities, [3, 3], rtol=0, atol=1e-15)
    assert nash.price == 4 and np.allclose(nash.profits, 9) and nash.success
    np.testing.assert_allclose(col.quantities, [2.25, 2.25])
    assert col.total == 4.5 and np.allclose(col.profits, 10.125) and col.success
    assert dev.quantities[0] == 3.375 and dev.price == 4.375
    assert dev.profits[0] == pytest.approx(11.390625, abs=1e-12) and dev.success
    assert cn.collusion_index(9.0, g) == 0.0 and cn.collusion_index(10.125, g) == 1.0


def test_duopoly_threshold_is_nine_seventeenths():
    for a, b, c in [(1, 1, 0), (10, 1, 1), (3.5, 0.2, 0.7)]:
        g = cn.cournot_game(2, a=a, b=b, c=c)
        assert cn.grim_trigger_threshold(g) == pytest.approx(9 / 17, rel=1e-14)
        assert ct.simulated_threshold(g) == pytest.approx(9 / 17, abs=1e-9)


@pytest.mark.parametrize("n", [2, 3, 4, 7, 20])
def test_threshold_general_n_exact_fraction(n):
    """delta* = (n+1)^2/(n^2+6n+1), computed in exact rationals from the profit formulas."""
    pn, pm = Fraction(1, (n + 1) ** 2), Fraction(1, 4 * n)
    pd = Fraction((n + 1) ** 2, 16 * n * n)
    exact = (pd - pm) / (pd - pn)
    assert exact == Fraction((n + 1) ** 2, n * n + 6 * n + 1)
    g = cn.cournot_game(n)
    assert cn.grim_trigger_threshold(g) == pytest.approx(float(exact), rel=1e-14)


def test_sanction_raises_the_threshold_to_one_exactly_at_the_gain():
    g = cn.cournot_game(3, a=5, b=2, c=1)
    s2b = g.margin ** 2 / g.b
    gain = s2b / 12 - s2b / 16
    assert cn.grim_trigger_threshold(g, sanction=gain / 0.5, detection=0.5) == \
        pytest.approx(1.0, rel=1e-14)
    assert cn.grim_trigger_threshold(g, sanction=0.99 * gain, detection=1.0) < 1.0
    assert ct.simulated_threshold(g, 1.01 * gain, 1.0) == 1.0


def test_duopoly_contraction_is_attained():
    out = check("games.cournot_br_duopoly", seed=3)
    assert out.passed and out.best_ratio >= 0.999 and out.ratio <= 1.0 + 1e-4  # rounding at 2^-40


def test_oligopoly_instability_is_attained():
    out = check("games.cournot_br_oligopoly", seed=3)
    assert out.passed and out.best_ratio >= 0.999
    # n = 3 oscillates with a constant amplitude; n = 4 doubles the distance each step
    g3, g4 = cn.cournot_game(3), cn.cournot_game(4)
    for g, growth in ((g3, 1.0), (g4, 1.5)):
        qn = cn.cournot_nash(g).quantities
        path = cn.best_response_dynamics(g, qn + 1e-3, 6)
        d = np.linalg.norm(path - qn, axis=1)
        np.testing.assert_allclose(d[1:] / d[:-1], growth, rtol=1e-9)


def test_deterrence_draws_both_verdicts():
    rng = np.random.default_rng(0)
    verdicts = set()
    for _ in range(60):
        inst = ct.sample_market(rng, n_lo=2, n_hi=6)
        g = inst["game"]
        s2b = g.margin ** 2 / g.b
        gain = s2b / (4 * g.n) - s2b / (g.n + 1) ** 2
        verdicts.add(inst["detection"] * inst["sanction"] >= gain)
        assert ct.eval_deterrence(inst)[0] == 0.0
    assert verdicts == {True, False}


def test_nash_check_fails_on_a_wrong_closed_form(monkeypatch):
    """Replace the closed form by (a - c)/(b n) (a wrong denominator): the registered check
    reports a violation."""
    real = cn.cournot_nash

    def wrong(game):
        out = real(game)
        q = np.full(game.n, game.margin / (game.b * game.n))
        return type(out)(**{**{f: getattr(out, f) for f in out.__dataclass_fields__},
                            "quantities": q})

    monkeypatch.setattr(ct, "cournot_nash", wrong)
    out = check("games.cournot_nash_closed_form", seed=0)
    assert not out.passed


def test_grim_check_fails_on_a_wrong_threshold(monkeypatch):
    monkeypatch.setattr(ct, "grim_trigger_threshold",
                        lambda g, sanction=0.0, detection=1.0: 0.5)
    assert not check("games.cournot_grim_trigger", seed=0).passed


def test_nash_certificate_and_success():
    g = cn.cournot_game(5, a=2, b=0.5, c=0.5)
    res = cn.cournot_nash(g)
    assert res.success and res.certificate <= 1e-12
    assert g.exploitability(res.quantities * 1.1) > 1e-4  # off-equilibrium: a firm gains


@settings(deadline=None, max_examples=40)
@given(n=st.integers(1, 30), a=st.floats(0.5, 50), b=st.floats(0.01, 10),
       cfrac=st.floats(0, 0.95))
def test_nash_is_a_fixed_point_of_best_responses(n, a, b, cfrac):
    g = cn.cournot_game(n, a=a, b=b, c=cfrac * a)
    q = cn.cournot_nash(g).quantities
    np.testing.assert_allclose(g.best_response(q), q, rtol=1e-12, atol=1e-15)
    # the joint optimum maximizes the total profit among symmetric outcomes
    qm = cn.cournot_collusive(g).quantities
    total = lambda x: g.profits(np.full(n, x)).sum()  # noqa: E731
    assert total(qm[0]) >= max(total(qm[0] * 1.01), total(qm[0] * 0.99))


@pytest.mark.parametrize("bad, match", [
    (dict(n=0), "`n`"), (dict(n=2, b=0), "`b`"), (dict(n=2, a=1, c=1), "`a`"),
    (dict(n=2, c=-1), "`c`"), (dict(n=2.5), "`n`"),
])
def test_bad_market_parameters_name_the_argument(bad, match):
    n = bad.pop("n")
    with pytest.raises((ValueError, TypeError), match=match):
        cn.cournot_game(n, **bad)


def test_bad_inputs_of_the_helpers():
    g = cn.cournot_game(2)
    with pytest.raises(TypeError, match="`game`"):
        cn.cournot_nash("market")
    with pytest.raises(ValueError, match="`q`"):
        g.profits([1.0, -1.0])
    with pytest.raises(ValueError, match="`detection`"):
        cn.grim_trigger_threshold(g, detection=1.5)
    with pytest.raises(ValueError, match="n >= 2"):
        cn.collusion_index(0.1, cn.cournot_game(1))
