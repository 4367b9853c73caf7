"""The Levine hat game (equilibria.theory.levine) and its theorems
(equilibria.solvers.games.levine_theorems): brute force against the best-response search,
naive re-implementations of the enumeration, the recursive constructions, and checks that each
theorem fails on a wrong ingredient."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equilibria._lib.result import Result
from equilibria.solvers.games import levine_theorems as lt
from equilibria.theory import levine as lv

FAST = settings(deadline=None, max_examples=25)


# -- naive references (pure Python, independent of the kernels) -------------------------------

def naive_win_count(f, g, h):
    """Win count of a two-player pair by the game's definition, hat lists explicit."""
    wins = 0
    for a in itertools.product((0, 1), repeat=h):      # player 1's hats, a[j] = hat j
        for b in itertools.product((0, 1), repeat=h):  # player 2's hats
            xa = sum(bit << j for j, bit in enumerate(a))
            xb = sum(bit << j for j, bit in enumerate(b))
            wins += a[f[xb]] == 1 and b[g[xa]] == 1
    return wins


def naive_win_count_n(S, n, h):
    wins = 0
    for hats in itertools.product(itertools.product((0, 1), repeat=h), repeat=n):
        x = [sum(bit << j for j, bit in enumerate(st_)) for st_ in hats]
        ok = True
        for i in range(n):
            others = [x[j] for j in range(n) if j != i]
            view = sum(o << (p * h) for p, o in enumerate(others))
            ok &= hats[i][S[i][view]] == 1
        wins += ok
    return wins


def all_pairs_optimum(h):
    """V_{2,h} by enumerating every pair of strategies (h <= 2)."""
    N = 1 << h
    strategies = list(itertools.product(range(h), repeat=N))
    return max(naive_win_count(f, g, h) for f in strategies for g in strategies)


# -- brute force and the best-response search --------------------------------------------------

@pytest.mark.parametrize("h, expected", [(1, Fraction(1, 4)), (2, Fraction(5, 16))])
def test_all_pairs_brute_force_equals_best_response_search(h, expected):
    opt = Fraction(all_pairs_optimum(h), 1 << (2 * h))
    assert opt == expected
    assert lv.brute_force_value(h)[0] == opt
    S, c, _, conv = lv.alternating_best_response(h, n_starts=16, seed=0)
    assert conv and Fraction(c, 1 << (2 * h)) == opt
    assert lv.levine_value(h, "brute").exact == opt
    assert lv.levine_value(h, "best_response").exact == opt


def test_height_three_optimum_is_reached_by_the_search():
    v, S = lv.brute_force_value(3)
    assert v == Fraction(11, 32)
    assert lv.win_probability(*S, exact=True) == v
    assert lv.levine_value(3, "best_response", n_starts=64).exact == v


@FAST
@given(h=st.integers(1, 4), seed=st.integers(0, 2**31))
def test_win_count_equals_naive_enumeration(h, seed):
    rng = np.random.default_rng(seed)
    f, g = rng.integers(0, h, 1 << h), rng.integers(0, h, 1 << h)
    assert lv.win_count(f, g) == (naive_win_count(f, g, h), 2 * h)


@FAST
@given(n=st.integers(2, 4), h=st.integers(1, 2), seed=st.integers(0, 2**31))
def test_n_player_win_count_equals_naive_enumeration(n, h, seed):
    rng = np.random.default_rng(seed)
    S = rng.integers(0, h, size=(n, 1 << ((n - 1) * h)))
    assert lv.win_count(S)[0] == naive_win_count_n(S, n, h)


@FAST
@given(h=st.integers(1, 5), seed=st.integers(0, 2**31))
def test_best_response_beats_every_single_change_and_random_strategies(h, seed):
    rng = np.random.default_rng(seed)
    g = rng.integers(0, h, 1 << h)
    f, c = lv.levine_best_response(g)
    assert lv.win_count(f, g)[0] == c
    for _ in range(10):
        assert lv.win_count(rng.integers(0, h, 1 << h), g)[0] <= c
    for x in range(1 << h):           # no single entry of f can be improved
        for j in range(h):
            f2 = f.copy()
            f2[x] = j
            assert lv.win_count(f2, g)[0] <= c
    # the n-player path agrees with the two-player kernel
    S = np.stack([rng.integers(0, h, 1 << h), g])
    f_n, c_n = lv.levine_best_response(S, player=0)
    assert c_n == c and np.array_equal(f_n, f)


@FAST
@given(n=st.integers(3, 4), h=st.integers(1, 2), seed=st.integers(0, 2**31))
def test_n_player_best_response_is_exact(n, h, seed):
    rng = np.random.default_rng(seed)
    S = rng.integers(0, h, size=(n, 1 << ((n - 1) * h)))
    i = int(rng.integers(0, n))
    br, c = lv.levine_best_response(S, player=i)
    S2 = S.copy()
    S2[i] = br
    assert naive_win_count_n(S2, n, h) == c >= naive_win_count_n(S, n, h)
    for v in rng.integers(0, S.shape[1], 5):   # no change of one entry improves it
        for j in range(h):
            S3 = S2.copy()
            S3[i, v] = j
            assert lv.win_count(S3)[0] <= c


# -- the recursive constructions ---------------------------------------------------------------

@pytest.mark.parametrize("bs", [lv.S3, lv.S5], ids=["S3", "S5"])
def test_constructions_have_value_seven_twentieths_and_two_passes(bs):
    assert bs.value == Fraction(7, 20)
    assert bs.pass_count == 4
    assert sum(v == bs.k for v in bs.phi_a) == 2 == sum(v == bs.k for v in bs.phi_b)
    for h in range(bs.k + 1, 12):
        r = lv.levine_value(h, bs.name.lower())
        assert r.exact == lv.recursive_value(bs, h)   # enumeration = block recursion
        m = (h - 1) // bs.k
        assert r.gap == pytest.approx(float(Fraction(4, 4 ** bs.k) ** m / 10), rel=1e-12)


@pytest.mark.parametrize("bs, h", [(lv.S3, 8), (lv.S5, 11)], ids=["S3", "S5"])
def test_recursive_strategy_follows_its_definition(bs, h):
    k, m = bs.k, (h - 1) // bs.k
    for player, phi in ((0, bs.phi_a), (1, bs.phi_b)):
        s = lv.recursive_strategy(bs, h, player)
        for x in range(1 << h):
            blocks = [(x >> (t * k)) & ((1 << k) - 1) for t in range(m)]
            named = [t * k + phi[b] for t, b in enumerate(blocks) if phi[b] < k]
            assert s[x] == (named[0] if named else m * k)  # all pass: hat m k, unread


def test_block_value_formula_on_a_hand_computed_pair():
    # k = 1: each player names its hat 0 iff the other's hat 0 is black, else passes
    bs = lv.BlockStrategy(1, (1, 0), (1, 0))
    # phi_a[b]: name hat 0 iff b's hat is black; so A names on b = 1 and passes on b = 0
    # (a, b) = (1, 1): both name, a0 = b0 = 1: win (W = 1)
    # (a, b) = (0, 1): A names (a0 = 0), B passes: half of a0 = 0 -> 0
    # (a, b) = (1, 0): A passes, B names b0 = 0 -> 0;  (0, 0): both pass (P = 1)
    assert bs.value == Fraction(1, 3)
    assert bs.pass_count == 1
    # the first-black strategy has the same limit 1/3
    assert abs(lv.levine_value(11, "first_black").value - 1 / 3) < 1e-6


def test_block_search_finds_seven_twentieths_for_k3_and_not_more():
    bs = lv.search_block_strategy(3, n_starts=200, seed=0)
    assert bs.value == Fraction(7, 20)
    assert lv.search_block_strategy(2, n_starts=50, seed=0).value == Fraction(1, 3)


def test_seven_twentieths_fails_on_a_wrong_table(monkeypatch):
    inst = {"which": "s3", "h": 7}
    assert lt.SEVEN.check(inst) == (0.0, 0.0)
    phi = list(lv.S3.phi_a)
    phi[1] = 0  # one block entry changed
    monkeypatch.setitem(lt._CONSTRUCTIONS, "s3", lv.BlockStrategy(3, phi, lv.S3.phi_b))
    measured, bound, _ = lt.SEVEN.evaluate_instance(inst)
    assert measured > 1e-3 and not lt.SEVEN.holds(measured, bound)


def test_rates_are_distinct_and_fail_on_wrong_slope():
    b3, b5 = lt.RATE_S3.band, lt.RATE_S5.band
    assert b5[1] < b3[0]  # S5 strictly faster
    rng = np.random.default_rng(0)
    ev3, ev5 = lt.RATE_S3.run(rng, True), lt.RATE_S5.run(rng, True)
    assert lt.RATE_S3.judge(ev3).passed and lt.RATE_S5.judge(ev5).passed
    assert not lt.RATE_S5.judge(ev3).passed and not lt.RATE_S3.judge(ev5).passed
    assert lt.RATE_S3.judge(ev3).measured == pytest.approx(math.log(4) * -2 / 3, abs=1e-9)


# -- the continuous version ----------------------------------------------------------------

@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_continuous_sum_strategy_wins_half(n):
    M = 8 if n <= 4 else 4
    assert lv.continuous_win_probability(n, M) == Fraction(1, 2)
    assert np.all(lv.continuous_section_measures(n, M) == 0.5)


def test_continuous_fails_on_an_odd_grid_or_a_bad_event(monkeypatch):
    with pytest.raises(ValueError):
        lv.continuous_win_probability(2, 7)
    inst = lt.sample_continuous(np.random.default_rng(1), n=3)
    assert lt.CONTINUOUS.check(inst)[0] == 0.0
    # independent events x_i < 1/2 (each legal) win only 2^-n: the check must fail
    monkeypatch.setattr(lv, "continuous_win_probability",
                        lambda n, M: Fraction(1, 2 ** n))
    measured, bound, _ = lt.CONTINUOUS.evaluate_instance(inst)
    assert measured == pytest.approx(0.5 - 1 / 8) and not lt.CONTINUOUS.holds(measured, bound)
    # random legal strategies never beat 1/2; the discrete game stays below it
    for s in range(5):
        assert lt._random_half_profile_win(3, 4, s) <= Fraction(1, 2)
    assert lv.brute_force_value(3)[0] < Fraction(1, 2)


# -- decreasing in n, Monte Carlo ------------------------------------------------------------

def test_decreasing_fails_on_swapped_players():
    for h in (1, 2, 3):
        v2, v3 = lt.best_value(2, h), lt.best_value(3, h)
        assert v3 < v2
        assert not lt.DECREASING.holds(float(v2), float(v3 - Fraction(1, 1 << (3 * h))))
    assert Fraction(3, 16) <= lt.best_value(3, 2) < Fraction(5, 16)
    assert lt.best_value(4, 1) == Fraction(1, 16)


def test_monte_carlo_catches_a_wrong_count(monkeypatch):
    rng = np.random.default_rng(3)
    S = rng.integers(0, 2, size=(2, 4))
    inst = {"profile": S, "n_samples": 20_000, "seed": 5}
    lt.MONTE_CARLO.check(inst)
    c, bits = lv.win_count(S)
    monkeypatch.setattr(lv, "win_probability", lambda S_: (c + 1) / 2 ** bits)
    measured, bound, _ = lt.MONTE_CARLO.evaluate_instance(inst)
    assert not lt.MONTE_CARLO.holds(measured, bound)


# -- property tests of the registered theorems ----------------------------------------------

@settings(deadline=None, max_examples=10)
@given(h=st.integers(6, 11), which=st.sampled_from(["s3", "s5"]))
def test_property_seven_twentieths(h, which):
    lt.SEVEN.check(lt.sample_construction(np.random.default_rng(0), h=h, which=which))


@settings(deadline=None, max_examples=10)
@given(n=st.integers(2, 6), seed=st.integers(0, 2**31))
def test_property_continuous_half(n, seed):
    lt.CONTINUOUS.check(lt.sample_continuous(np.random.default_rng(seed), n=n))


@settings(deadline=None, max_examples=6)
@given(n=st.integers(2, 3), h=st.integers(1, 3), seed=st.integers(0, 2**31))
def test_property_decreasing_in_n(n, h, seed):
    h = min(h, 12 // (n + 1))
    lt.DECREASING.check(lt.sample_players(np.random.default_rng(seed), n=n, h=h))


@settings(deadline=None, max_examples=10)
@given(n=st.integers(2, 4), seed=st.integers(0, 2**31))
def test_property_monte_carlo(n, seed):
    lt.MONTE_CARLO.check(lt.sample_profile(np.random.default_rng(seed), n=n))


# -- result, validation, figure --------------------------------------------------------------

def test_result_is_a_frozen_result_with_the_strategies():
    r = lv.levine_value(7, "s3")
    assert isinstance(r, Result) and r.success and r.method == "s3"
    assert r.strategies.shape == (2, 128) and r.limit == Fraction(7, 20)
    assert r.value == float(r.exact) == lv.win_probability(*r.strategies)
    with pytest.raises(Exception):
        r.value = 0.0  # frozen
    rn = lv.levine_value(2, n=3, n_starts=4)
    assert rn.strategies.shape == (3, 16) and rn.gap is None


def test_bad_input_is_rejected():
    with pytest.raises(ValueError):
        lv.levine_value(4, "brute")
    with pytest.raises(ValueError):
        lv.levine_value(16, n=2)  # n h = 32 > 30
    with pytest.raises(ValueError):
        lv.levine_value(3, "nope")
    with pytest.raises(ValueError):
        lv.win_count(np.array([0, 1, 2]), np.array([0, 0, 0]))
    with pytest.raises(ValueError):
        lv.win_count(np.array([0, 2]), np.array([0, 0]))
    with pytest.raises(ValueError):
        lv.recursive_strategy(lv.S5, 5)
    with pytest.raises(ValueError):
        lv.BlockStrategy(2, (0, 1, 3, 0), (0, 0, 0, 0))


def test_figure_has_the_curves():
    import matplotlib

    matplotlib.use("Agg")
    fig = lv.plot_levine_values(range(2, 8), n_starts=2)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert any("S3" in s for s in labels) and any("S5" in s for s in labels)
    assert any("best response" in s for s in labels)
    assert fig.axes[0].get_yscale() == "log"
