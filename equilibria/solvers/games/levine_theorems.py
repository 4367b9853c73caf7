"""Theorems of the Levine hat game (:mod:`equilibria.theory.levine`), imported by the games
room's ``theorems`` module.

- ``games.levine_seven_twentieths``: the recursive block strategies S3 and S5 have value 7/20
  (Bouquet et al. 2025, arXiv 2508.01737, abstract; Buhler et al., arXiv 1407.4711, for S3's
  7/20), and their height-``h`` truncations, enumerated exactly, equal ``7/20 - q^m/10``.
- ``games.levine_gap_rate_s3`` / ``games.levine_gap_rate_s5``: the gap ``7/20 - V_h`` shrinks
  geometrically, ``4^(-2/3)`` per hat for S3 and ``4^(-4/5)`` for S5 (fitted slopes; the
  abstract's "strictly better geometric convergence rate" of S5).
- ``games.levine_continuous_half``: the continuous (uncountable-stack) game has optimum exactly
  1/2 for every ``n >= 2`` (arXiv 2508.01737, abstract; the construction is this package's).
- ``games.levine_decreasing_in_n``: Buhler et al. (2014/2021), Thm: ``V_n`` strictly decreases
  in ``n``; checked on the best strategies found at ``h <= 3``.
- ``games.levine_monte_carlo``: sampled win frequencies agree with the exact enumeration.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from equilibria._lib.validation import check_int, check_option
from equilibria.theory import levine as lv
from equilibria.verification import RateData, theorem
from equilibria.verification.user import check_algorithm, user_float

__all__ = ["sample_construction", "eval_seven_twentieths", "gap_rate_s3", "gap_rate_s5",
           "sample_continuous", "eval_continuous_half", "sample_players", "eval_decreasing_in_n",
           "sample_profile", "eval_monte_carlo", "best_value", "EVALUATOR_PROTOCOL",
           "MONTE_CARLO_PROTOCOL", "levine_protocol_evaluator", "levine_protocol_monte_carlo"]

_BOUQUET = ("Bouquet, Chikhi, Charles, Zhou & Wang (2025), arXiv 2508.01737, abstract "
            "(full text not readable here; constructions reconstructed and verified exactly)")
_BUHLER = ("Buhler, Freiling, Graham, Kariv, Roche, Tiefenbruck, Van Alten & Yeroshkin, "
           "'On Levine's notorious hat puzzle', arXiv 1407.4711 (abstract and Sec. 1)")
_CONSTRUCTIONS = {"s3": lv.S3, "s5": lv.S5}
#: largest height enumerated by the samplers (2^(2h) configurations)
MAX_H = 11

#: the protocol of a user's exact win-probability evaluator (``games.levine_seven_twentieths``,
#: ``games.levine_gap_rate_s3``, ``games.levine_gap_rate_s5``)
EVALUATOR_PROTOCOL = (
    "f(S) -> p: the exact win probability of a Levine hat-game profile; S an int64 array of "
    "shape (n, 2^((n-1) h)), row i the hat (0..h-1) player i names for each view of the "
    "others' stacks (the layout of equilibria.theory.levine: a stack is an h-bit integer, "
    "bit j = colour of hat j); the team wins when every player names a black hat; returns p "
    "as a fractions.Fraction (checked exactly) or a float (checked to 1e-12); e.g. "
    "equilibria.solvers.games.levine_theorems.levine_protocol_evaluator "
    "(equilibria.theory.levine.win_probability, exact enumeration of all 2^(n h) "
    "configurations)")

#: the protocol of a user's Monte Carlo estimator (``games.levine_monte_carlo``)
MONTE_CARLO_PROTOCOL = (
    "f(S, n_samples, seed) -> p_hat: the win frequency of profile S (layout of "
    "EVALUATOR_PROTOCOL) over n_samples independent uniform configurations drawn from the "
    "integer seed; measured against the exact enumeration within 5 standard errors; e.g. "
    "equilibria.solvers.games.levine_theorems.levine_protocol_monte_carlo "
    "(equilibria.theory.levine.monte_carlo_win)")


def levine_protocol_evaluator(profile):
    """The package's exact evaluator through :data:`EVALUATOR_PROTOCOL` (the protocol's ``S``).

    Parameters
    ----------
    profile : ndarray, shape (n, 2^((n-1) h))
        A profile of the ``n``-player Levine game with ``h`` hats per player.

    Returns
    -------
    fractions.Fraction
        :func:`equilibria.theory.levine.win_probability` with ``exact=True``.
    """
    return lv.win_probability(profile, exact=True)


def levine_protocol_monte_carlo(profile, n_samples, seed):
    """The package's Monte Carlo estimator through :data:`MONTE_CARLO_PROTOCOL` (the
    protocol's ``S`` is ``profile``).

    Parameters
    ----------
    profile : ndarray, shape (n, 2^((n-1) h))
        A profile.
    n_samples : int
        Number of sampled configurations.
    seed : int
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    float
        The estimate of :func:`equilibria.theory.levine.monte_carlo_win`.
    """
    return lv.monte_carlo_win(profile, n_samples=n_samples, seed=seed)[0]


def _user_value(algorithm, S):
    """A user's win probability of ``S`` (:data:`EVALUATOR_PROTOCOL`): a ``Fraction`` kept
    exact, anything else as a float (``TypeError`` when not a real number)."""
    out = check_algorithm(algorithm, EVALUATOR_PROTOCOL)(np.array(S, dtype=np.int64))
    if isinstance(out, Fraction):
        return out
    return user_float(out, "the win probability")


def sample_construction(rng, h=None, which=None):
    """S3 or S5 and a height ``h`` in ``[k+1, 11]`` (enumerated exactly)."""
    which = str(rng.choice(["s3", "s5"])) if which is None else check_option(
        which, "which", tuple(_CONSTRUCTIONS))
    bs = _CONSTRUCTIONS[which]
    h = int(rng.integers(bs.k + 1, MAX_H + 1)) if h is None else check_int(
        h, "h", lo=bs.k + 1, hi=MAX_H)
    return {"which": which, "h": h}


@theorem(
    name="games.levine_seven_twentieths",
    source=_BOUQUET + "; " + _BUHLER,
    assumptions=("two players", "recursive block strategies S3 (k = 3) and S5 (k = 5), each "
                 "passing on 2 of its 2^k blocks", "truncation at height h: m = (h-1)//k "
                 "blocks, then hat m k"),
    sample=sample_construction, sizes={"h": (6, MAX_H)}, n_instances=(10, 40), atol=0.0,
    protocol=EVALUATOR_PROTOCOL,
    tightness="an exact rational identity (measured: |difference|, bound 0): a wrong block "
              "table or a wrong enumeration breaks it "
              "(tests/theory/test_levine.py::test_seven_twentieths_fails_on_a_wrong_table)",
)
def eval_seven_twentieths(inst, *, algorithm=None):
    """The recursive block strategies S3 and S5 win the two-player Levine game with
    probability exactly 7/20, and their height-h truncations win with probability
    7/20 - q^m (7/20 - 1/4), q = P/4^k = 4^(1-k), m = (h-1)//k, so the gap vanishes as h grows.

    Measured: ``|V(bs) - 7/20| + |V_h - (7/20 - q^m/10)|`` in exact rationals, ``V(bs)`` from
    the block fixed point and ``V_h`` by enumerating all ``2^(2h)`` configurations of the
    truncated strategies; bound 0; trivial maximum 1.  ``algorithm``: a user's evaluator
    through :data:`EVALUATOR_PROTOCOL` computes ``V_h`` (a float answer is checked to
    ``1e-12``, a ``Fraction`` exactly; NaN is a violation)."""
    bs = _CONSTRUCTIONS[check_option(inst["which"], "which", tuple(_CONSTRUCTIONS))]
    h = check_int(inst["h"], "h", lo=bs.k + 1, hi=lv.MAX_CONFIG_BITS // 2)
    seven = lv.SEVEN_TWENTIETHS
    q = Fraction(4, 1 << (2 * bs.k))
    m = (h - 1) // bs.k
    f, g = lv.recursive_strategy(bs, h, 0), lv.recursive_strategy(bs, h, 1)
    if algorithm is not None:
        vu = _user_value(algorithm, np.stack([f, g]))
        target = seven - q ** m * Fraction(1, 10)
        if isinstance(vu, Fraction):
            return float(abs(bs.value - seven) + abs(vu - target)), 0.0, 1.0
        err = float(abs(bs.value - seven)) + abs(vu - float(target))
        return (err if np.isfinite(err) else np.inf), 1e-12, 1.0
    vh = lv.win_probability(f, g, exact=True)
    err = abs(bs.value - seven) + abs(vh - (seven - q ** m * Fraction(1, 10)))
    return float(err), 0.0, 1.0


def _gaps(bs, hs, enum_max, algorithm=None):
    """``7/20 - V_h`` per height: by enumeration for ``h <= enum_max`` (the package's, or a
    user's evaluator through :data:`EVALUATOR_PROTOCOL`), from the block recursion beyond."""
    out = []
    for h in hs:
        if h <= enum_max:
            f, g = lv.recursive_strategy(bs, h, 0), lv.recursive_strategy(bs, h, 1)
            if algorithm is None:
                v = lv.win_probability(f, g, exact=True)
            else:
                vu = _user_value(algorithm, np.stack([f, g]))
                out.append(float(lv.SEVEN_TWENTIETHS - vu) if isinstance(vu, Fraction)
                           else float(lv.SEVEN_TWENTIETHS) - vu)
                continue
        else:
            v = lv.recursive_value(bs, h)
        out.append(float(lv.SEVEN_TWENTIETHS - v))
    return np.array(out)


_S3_SLOPE = math.log(4.0) * -2.0 / 3.0  # log 4^(-2/3) = -0.924
_S5_SLOPE = math.log(4.0) * -4.0 / 5.0  # log 4^(-4/5) = -1.109


@theorem(
    name="games.levine_gap_rate_s3",
    source=_BOUQUET + " (S3's rate); " + _BUHLER + " (S3, value 7/20)",
    assumptions=("two players, S3 truncated at h = 3m + 1 (enumerated exactly)",),
    kind="rate", band=(_S3_SLOPE - 0.02, _S3_SLOPE + 0.02), protocol=EVALUATOR_PROTOCOL,
    tightness="the fitted slope equals log 4^(-2/3) = -0.924 to rounding (the data are exact); "
              "the band excludes S5's slope -1.109 "
              "(tests/theory/test_levine.py::test_rates_are_distinct_and_fail_on_wrong_slope)",
)
def gap_rate_s3(rng, quick, *, algorithm=None):
    """The gap 7/20 - V_h of the truncated S3 strategy shrinks geometrically in the height h,
    by 4^(-2/3) ~ 0.397 per hat (fitted slope of log gap on h in [-0.944, -0.904]).

    ``algorithm``: a user's evaluator through :data:`EVALUATOR_PROTOCOL` computes every
    ``V_h`` (``h`` = 4, 7, 10 quick, also 13 in full: ``4^13`` configurations).
    """
    hs = np.array([4, 7, 10]) if quick else np.array([4, 7, 10, 13])
    return RateData(hs, _gaps(lv.S3, hs, 13, algorithm), kind="geometric",
                    detail="S3, exact enumeration of all 4^h configurations")


@theorem(
    name="games.levine_gap_rate_s5",
    source=_BOUQUET + " (S5: strictly better rate than S3)",
    assumptions=("two players, S5 truncated at h = 5m + 1: enumerated exactly for h <= 11, "
                 "from the block recursion (checked against enumeration by "
                 "games.levine_seven_twentieths) beyond",),
    kind="rate", band=(_S5_SLOPE - 0.02, _S5_SLOPE + 0.02), protocol=EVALUATOR_PROTOCOL,
    tightness="the fitted slope equals log 4^(-4/5) = -1.109 to rounding; the band lies "
              "strictly below S3's band, the abstract's 'strictly better rate' "
              "(tests/theory/test_levine.py::test_rates_are_distinct_and_fail_on_wrong_slope)",
)
def gap_rate_s5(rng, quick, *, algorithm=None):
    """The gap 7/20 - V_h of the truncated S5 strategy shrinks geometrically in h by
    4^(-4/5) ~ 0.330 per hat, strictly faster than S3's 4^(-2/3) (fitted slope in
    [-1.129, -1.089]).

    ``algorithm``: a user's evaluator through :data:`EVALUATOR_PROTOCOL` computes ``V_h`` at
    the enumerated heights (6 and 11); the block recursion gives the larger ones.
    """
    hs = np.array([6, 11, 16]) if quick else np.array([6, 11, 16, 21])
    return RateData(hs, _gaps(lv.S5, hs, MAX_H, algorithm), kind="geometric",
                    detail="S5, enumeration for h <= 11, block recursion beyond")


def sample_continuous(rng, n=None, M=None):
    """``n`` in 2..6 players and an even grid size ``M`` with ``M^n <= 2^16``."""
    n = int(rng.integers(2, 7)) if n is None else check_int(n, "n", lo=2, hi=6)
    mmax = max(2, int(round((2 ** 16) ** (1.0 / n), 9)) // 2 * 2)
    if M is None:
        M = int(rng.integers(1, mmax // 2 + 1)) * 2
    else:
        M = check_int(M, "M", lo=2)
        if M > mmax:
            raise ValueError(f"`M` = {M} must be <= {mmax} for `n` = {n} (M^n <= 2^16)")
    if M % 2:
        raise ValueError(f"`M` must be even, got {M}")
    return {"n": n, "M": M, "seed": int(rng.integers(2**31))}


def _random_half_profile_win(n, M, seed):
    """Win probability, on the grid Z_M^n, of random legal strategies of the continuous game
    (each player names a random M/2-subset of its own values for each view of the others)."""
    rng = np.random.default_rng(seed)
    grids = np.indices((M,) * n).reshape(n, -1)
    ok = np.ones(grids.shape[1], dtype=bool)
    for i in range(n):
        others = np.delete(grids, i, axis=0)
        key = np.ravel_multi_index(tuple(others), (M,) * (n - 1)) if n > 1 else 0
        sets = np.argsort(rng.random((M ** (n - 1), M)), axis=1) < M // 2  # row: a half-set
        ok &= sets[key, grids[i]]
    return Fraction(int(ok.sum()), M ** n)


@theorem(
    name="games.levine_continuous_half",
    source=_BOUQUET + " (the uncountable generalization: optimum exactly 1/2 for all n >= 2)",
    assumptions=("continuous game read as: each player's stack is a uniform point of [0, 1) "
                 "and a player names a measure-1/2 event of its own point (this package's "
                 "reading)", "checked exactly on the grids Z_M^n, M even"),
    sample=sample_continuous, sizes={"n": (2, 6)}, n_instances=(10, 40), atol=0.0,
    no_algorithm="the value of the continuous game, attained by an explicit construction (the "
                 "sum strategy) and bounded by a counting argument; no algorithm computes it",
    tightness="attained: the sum strategy wins with probability exactly 1/2, the upper bound "
              "(tests/theory/test_levine.py::test_continuous_fails_on_an_odd_grid_or_a_bad_event)",
)
def eval_continuous_half(inst):
    """In the continuous Levine game the optimal win probability is exactly 1/2 for every
    n >= 2: no strategy exceeds 1/2 and the strategy "name the event x_1 + ... + x_n mod 1 <
    1/2" attains it (every player's named event has measure 1/2).

    Measured: ``|W - 1/2| + max |section - 1/2| + max(0, W_rand - 1/2)`` in exact rationals
    on ``Z_M^n``: ``W`` the sum strategy's win probability, the sections the measures of the
    events it names (one per player and view), ``W_rand`` the win probability of random legal
    strategies; bound 0; trivial maximum 1."""
    n = check_int(inst["n"], "n", lo=2, hi=12)
    M = check_int(inst["M"], "M", lo=2, hi=4096)
    seed = check_int(inst["seed"], "seed", lo=0)
    w = lv.continuous_win_probability(n, M)
    sec = lv.continuous_section_measures(n, M)
    rand = _random_half_profile_win(n, M, seed)
    err = abs(w - Fraction(1, 2)) + max(Fraction(0), rand - Fraction(1, 2))
    return float(err) + float(np.max(np.abs(sec - 0.5))), 0.0, 1.0


def best_value(n, h, *, n_starts=16, seed=0):
    """Best win probability found at ``(n, h)``: exact for ``n = 2, h <= 3`` and ``h = 1``
    (brute force), alternating best response from ``n_starts`` starts otherwise."""
    n = check_int(n, "n", lo=2, hi=lv.MAX_CONFIG_BITS)
    h = check_int(h, "h", lo=1, hi=lv.MAX_CONFIG_BITS)
    n_starts = check_int(n_starts, "n_starts", lo=1, hi=10**6)
    seed = check_int(seed, "seed", lo=0)
    if h == 1 or (n == 2 and h <= 3):
        return lv.levine_value(h, "brute", n=n).exact
    return lv.levine_value(h, "best_response", n=n, n_starts=n_starts, seed=seed).exact


def sample_players(rng, n=None, h=None):
    """``n`` in 2..3 and ``h`` in 1..3 with ``(n+1) h <= 12``."""
    n = int(rng.integers(2, 4)) if n is None else check_int(n, "n", lo=2, hi=3)
    hmax = 12 // (n + 1)
    h = int(rng.integers(1, hmax + 1)) if h is None else check_int(h, "h", lo=1, hi=hmax)
    return {"n": n, "h": h, "seed": int(rng.integers(2**31))}


@theorem(
    name="games.levine_decreasing_in_n",
    source=_BUHLER + ": V_n is strictly decreasing in n",
    assumptions=("finite stacks h <= 3, (n+1) h <= 12", "V_{2,h} exact (brute force), "
                 "V_{n,h} for n >= 3 the best of 16 alternating-best-response starts"),
    sample=sample_players, sizes={"n": (2, 3), "h": (1, 3)}, n_instances=(6, 30), atol=0.0,
    no_algorithm="a property of the game's value in n (Buhler et al.); a user's strategy search "
                 "that finds worse strategies would break it without being wrong, so the "
                 "package's brute force and best-response search are the measurement",
    tightness="strict by at least one configuration: the bound is V_{n,h} - 2^-((n+1)h), "
              "attained at h = 1 (2^-(n+1) = 2^-n - 2^-(n+1), ratio 1) "
              "(tests/theory/test_levine.py::test_decreasing_fails_on_swapped_players)",
)
def eval_decreasing_in_n(inst):
    """The value of the Levine game decreases strictly in the number of players: on the best
    strategies found at height h <= 3, V_{n+1,h} < V_{n,h}.

    Measured: the best win probability found with ``n + 1`` players; bound: the best found
    with ``n`` players minus ``2^-((n+1) h)`` (strictness by at least one of the finer
    configurations); trivial maximum 1."""
    n = check_int(inst["n"], "n", lo=2, hi=lv.MAX_CONFIG_BITS - 1)
    h = check_int(inst["h"], "h", lo=1, hi=lv.MAX_CONFIG_BITS)
    if (n + 1) * h > lv.MAX_CONFIG_BITS:
        raise ValueError(f"(`n` + 1) * `h` = {(n + 1) * h} exceeds {lv.MAX_CONFIG_BITS}")
    s = check_int(inst["seed"], "seed", lo=0) % 1000
    hi = best_value(n + 1, h, seed=s)
    lo = best_value(n, h, seed=s)
    return float(hi), float(lo - Fraction(1, 1 << ((n + 1) * h))), 1.0


def sample_profile(rng, n=None, h=None):
    """A random profile (or S3/first-black at n = 2) with ``n`` in 2..4, ``n h <= 16``, and
    a Monte Carlo sample size."""
    n = int(rng.integers(2, 5)) if n is None else check_int(n, "n", lo=2, hi=4)
    hmax = 16 // n
    h = int(rng.integers(1, hmax + 1)) if h is None else check_int(h, "h", lo=1, hi=hmax)
    kind = int(rng.integers(0, 3)) if n == 2 and h >= 4 else 0
    if kind == 1:
        S = np.stack([lv.recursive_strategy(lv.S3, h, 0), lv.recursive_strategy(lv.S3, h, 1)])
    elif kind == 2:
        S = np.stack([lv.first_black_strategy(h)] * 2)
    else:
        S = rng.integers(0, h, size=(n, 1 << ((n - 1) * h)), dtype=np.int64)
    return {"profile": S, "n_samples": 20_000, "seed": int(rng.integers(2**31))}


@theorem(
    name="games.levine_monte_carlo",
    source="the strong law of large numbers; a cross-check of the exact enumeration of "
           "equilibria.theory.levine",
    assumptions=("20000 sampled configurations per profile", "5-sigma bound (a failure "
                 "probability below 1e-6 per instance; the seeds are fixed)"),
    sample=sample_profile, sizes={"n": (2, 4)}, n_instances=(10, 40),
    protocol=MONTE_CARLO_PROTOCOL,
    tightness="the distance is typically one standard error, a fifth of the bound; an "
              "enumeration off by one configuration in 2^(n h) <= 64 fails "
              "(tests/theory/test_levine.py::test_monte_carlo_catches_a_wrong_count)",
)
def eval_monte_carlo(inst, *, algorithm=None):
    """The Monte Carlo win frequency of any strategy profile agrees with its exact win
    probability from enumerating all 2^(n h) configurations, within 5 standard errors.

    Measured: ``|p_MC - p_exact|``; bound ``5 sqrt(p(1-p)/m) + 1/m``; trivial maximum 1.
    ``algorithm``: a user's estimator through :data:`MONTE_CARLO_PROTOCOL` gives ``p_MC``
    (NaN is a violation)."""
    S, m = inst["profile"], inst["n_samples"]
    p = lv.win_probability(S)
    if algorithm is not None:
        est = user_float(check_algorithm(algorithm, MONTE_CARLO_PROTOCOL)(
            np.array(S, dtype=np.int64), m, int(inst["seed"])), "the win frequency")
        if not np.isfinite(est):
            return np.inf, 5.0 * math.sqrt(p * (1 - p) / m) + 1.0 / m, 1.0
    else:
        est, _ = lv.monte_carlo_win(S, n_samples=m, seed=inst["seed"])
    return abs(est - p), 5.0 * math.sqrt(p * (1 - p) / m) + 1.0 / m, 1.0


SEVEN = eval_seven_twentieths.theorem
RATE_S3 = gap_rate_s3.theorem
RATE_S5 = gap_rate_s5.theorem
CONTINUOUS = eval_continuous_half.theorem
DECREASING = eval_decreasing_in_n.theorem
MONTE_CARLO = eval_monte_carlo.theorem
