"""Theorems of the Cournot market (:mod:`~equilibria.solvers.games.cournot`), imported by the
games room's ``theorems`` module.

- ``games.cournot_nash_closed_form``: Cournot (1838): the closed form is the limit of
  round-robin best responses (computed numerically, not from the formula).
- ``games.cournot_grim_trigger``: Friedman (1971), with an expected fine: the threshold
  discount factor of the formula equals the one found by bisection on simulated discounted
  payoffs.
- ``games.cournot_sanction_deterrence``: collusion is deterred at every discount factor iff
  ``p s >= pi^M - pi^N`` (simulated long-run payoffs against the formula).
- ``games.cournot_br_duopoly``: Theocharis (1960), n = 2: simultaneous best responses halve
  the distance to Nash every step (exact, so the bound is attained).
- ``games.cournot_br_oligopoly``: Theocharis (1960), n >= 3: a symmetric perturbation grows
  by ``(n-1)/2`` per step while interior (n = 3: it never shrinks).
"""

from __future__ import annotations

import numpy as np

from equilibria._lib.validation import check_int
from equilibria.verification import theorem
from equilibria.verification.user import check_algorithm, user_array, user_float

from .cournot import (CournotGame, best_response_dynamics, cournot_collusive, cournot_game,
                      cournot_nash, grim_trigger_threshold)

__all__ = ["sample_market", "eval_nash_closed_form", "simulated_threshold", "eval_grim_trigger",
           "eval_deterrence", "eval_br_duopoly", "eval_br_oligopoly", "NASH_PROTOCOL",
           "GRIM_PROTOCOL", "BR_PROTOCOL", "nash_protocol_solver", "grim_protocol_threshold",
           "br_protocol_dynamics"]

_FRIEDMAN = "Friedman (1971), Rev. Econ. Stud. 38, grim-trigger supergame equilibrium"
_THEOCHARIS = "Theocharis (1960), Rev. Econ. Stud. 27, stability of the Cournot solution"


def sample_market(rng, n=None, n_lo=2, n_hi=12):
    """A random linear Cournot market: ``n`` firms (drawn in ``[n_lo, n_hi]`` when not given),
    intercept, slope and cost on wide log scales; plus a fine and a detection probability
    whose product lies within a factor 2 of the per-period collusion gain (so both sides of
    the deterrence condition are drawn)."""
    n = int(rng.integers(n_lo, n_hi + 1)) if n is None else check_int(n, "n", lo=1,
                                                                          hi=10_000)
    c = float(np.exp(rng.uniform(-3, 2))) if rng.random() < 0.8 else 0.0
    a = c + float(np.exp(rng.uniform(-2, 3)))
    b = float(np.exp(rng.uniform(-3, 3)))
    game = cournot_game(n, a=a, b=b, c=c)
    gain = game.collusion_gain
    p = float(rng.uniform(0.05, 1.0))
    sanction = float(gain * np.exp(rng.uniform(-np.log(2), np.log(2))) / p) \
        if rng.random() < 0.8 else 0.0
    return {"game": game, "sanction": sanction, "detection": p, "seed": int(rng.integers(2**31))}


#: the protocol of a user's Cournot-Nash solver (``check("games.cournot_nash_closed_form",
#: algorithm=f)``)
NASH_PROTOCOL = (
    "f(game) -> q: a Cournot-Nash solver for the linear market; game an "
    "equilibria.solvers.games.CournotGame (attributes n, a, b, c, margin = a - c; methods "
    "profits(q), best_response(q)); returns the (n,) equilibrium quantities (NaN when it fails, "
    "judged as a violation); measured against round-robin best responses and by the "
    "exploitability of the answer; e.g. "
    "equilibria.solvers.games.cournot_theorems.nash_protocol_solver (cournot_nash)")

#: the protocol of a user's grim-trigger threshold (``games.cournot_grim_trigger``)
GRIM_PROTOCOL = (
    "f(game, sanction, detection) -> delta: the smallest discount factor at which grim-trigger "
    "collusion is subgame perfect when each colluding firm pays the fine `sanction` with "
    "probability `detection` (values >= 1 mean never; clipped at 1); measured against "
    "bisection on simulated discounted payoffs; e.g. "
    "equilibria.solvers.games.cournot_theorems.grim_protocol_threshold "
    "(grim_trigger_threshold)")

#: the protocol of a user's best-response dynamics (``games.cournot_br_duopoly``,
#: ``games.cournot_br_oligopoly``)
BR_PROTOCOL = (
    "f(game, q0, T) -> path: T simultaneous best-response steps from q0 (all firms at once, "
    "Theocharis 1960); returns the (T + 1, n) array of quantities, row 0 = q0; every step is "
    "checked to be the simultaneous best response to the previous row (a path that is not is "
    "a violation: the theorem is about that map); e.g. "
    "equilibria.solvers.games.cournot_theorems.br_protocol_dynamics (best_response_dynamics)")


def nash_protocol_solver(game):
    """The package's Cournot-Nash solver through :data:`NASH_PROTOCOL`.

    Parameters
    ----------
    game : CournotGame
        A linear Cournot market.

    Returns
    -------
    ndarray, shape (n,)
        The closed-form equilibrium quantities ``(a - c) / (b (n + 1))`` of
        :func:`~.cournot.cournot_nash`.
    """
    return cournot_nash(game).quantities


def grim_protocol_threshold(game, sanction, detection):
    """The package's grim-trigger threshold through :data:`GRIM_PROTOCOL`.

    Parameters
    ----------
    game : CournotGame
        A linear Cournot market with ``n >= 2`` firms.
    sanction : float
        The fine on a colluding firm (>= 0).
    detection : float
        Its detection probability, in ``[0, 1]``.

    Returns
    -------
    float
        :func:`~.cournot.grim_trigger_threshold`, ``(pi^D - pi^M + p s) / (pi^D - pi^N)``.
    """
    return grim_trigger_threshold(game, sanction=sanction, detection=detection)


def br_protocol_dynamics(game, q0, steps):
    """The package's simultaneous best-response dynamics through :data:`BR_PROTOCOL` (the
    protocol's ``T`` is ``steps``).

    Parameters
    ----------
    game : CournotGame
        A linear Cournot market.
    q0 : array_like, shape (n,)
        Non-negative starting quantities.
    steps : int
        Number of simultaneous steps ``T``.

    Returns
    -------
    ndarray, shape (steps + 1, n)
        :func:`~.cournot.best_response_dynamics` with ``simultaneous=True``.
    """
    return best_response_dynamics(game, q0, steps)


def _user_br_path(algorithm, game, q0, T):
    """A user's best-response path (:data:`BR_PROTOCOL`), ``None`` when it is not the
    simultaneous best-response map from ``q0`` (or not finite): every row must equal the best
    response to the row before to ``1e-9`` of the market scale ``(a - c)/b``."""
    path = user_array(check_algorithm(algorithm, BR_PROTOCOL)(game, np.array(q0, dtype=float),
                                                              T),
                      (T + 1, game.n), "the best-response path")
    scale = game.margin / game.b
    if not np.all(np.isfinite(path)) or np.max(np.abs(path[0] - q0)) > 1e-12 * scale:
        return None
    for t in range(T):
        if np.max(np.abs(path[t + 1] - game.best_response(path[t]))) > 1e-9 * scale:
            return None
    return path


def _round_robin_nash(game: CournotGame, tol=1e-13, max_sweeps=100_000):
    """Nash quantities by round-robin best responses from zero (the Cournot game is an exact
    potential game with a strictly concave potential, so they converge for every n)."""
    q = np.zeros(game.n)
    for _ in range(max_sweeps):
        prev = q.copy()
        for i in range(game.n):
            q[i] = game.best_response(q)[i]
        if np.max(np.abs(q - prev)) <= tol * (game.margin / game.b):
            return q
    return q


@theorem(
    name="games.cournot_nash_closed_form",
    source="Cournot (1838), Recherches, ch. 7 (n-firm linear Cournot equilibrium)",
    assumptions=("P(Q) = max(a - bQ, 0), unit cost 0 <= c < a, b > 0", "n = 2..12 firms"),
    sample=sample_market, sizes={"n": (1, 12)}, n_instances=(20, 200), atol=1e-9,
    protocol=NASH_PROTOCOL,
    tightness="an exact identity (the measured quantity is a relative distance, bound 1e-9): "
              "nothing to be tight about; the check fails as soon as the closed form is off "
              "(tests/games/test_cournot.py::test_nash_check_fails_on_a_wrong_closed_form)",
)
def eval_nash_closed_form(inst, *, algorithm=None):
    """The Cournot-Nash quantities of the n-firm linear market are (a - c)/(b(n+1)) each: the
    round-robin best-response limit equals them to 1e-9 relative and the closed form's
    exploitability is 0.

    Measured: ``max_i |q_i - q_i^N| / q^N`` with ``q`` computed by round-robin best
    responses from zero (numerically, without the formula), plus the exploitability of the
    closed form over ``(a-c)^2/b``; bound ``1e-9``; trivial maximum: ``n + 1`` (a quantity
    between 0 and ``(a-c)/b``).  ``algorithm``: a user's solver through :data:`NASH_PROTOCOL`
    in place of the closed form (its answer measured the same way; non-finite is a
    violation)."""
    game = inst["game"]
    if algorithm is not None:
        qu = user_array(check_algorithm(algorithm, NASH_PROTOCOL)(game), (game.n,),
                        "the Nash quantities")
        if not np.all(np.isfinite(qu)):
            return np.inf, 1e-9, float(game.n + 1)
        q = _round_robin_nash(game)
        rel = float(np.max(np.abs(qu - q)) / np.mean(q))
        expl = game.exploitability(qu) / (game.margin ** 2 / game.b)
        return rel + expl, 1e-9, float(game.n + 1)
    qn = cournot_nash(game).quantities
    q = _round_robin_nash(game)
    rel = float(np.max(np.abs(q - qn)) / qn[0])
    expl = game.exploitability(qn) / (game.margin ** 2 / game.b)
    return rel + expl, 1e-9, float(game.n + 1)


def _discounted(stream_head, stream_tail, delta):
    """Discounted value of a payoff stream: ``stream_head`` (finite) then ``stream_tail``
    forever (a geometric tail summed exactly)."""
    head = np.asarray(stream_head, dtype=float)
    k = head.size
    return float(np.sum(head * delta ** np.arange(k)) + stream_tail * delta ** k / (1 - delta))


def _payoff_difference(game, delta, sanction, detection, q_nash):
    """Value of colluding forever minus the value of the best one-shot deviation, from
    simulated per-period profits (the deviator, producing more than the collusive quantity,
    is not fined; after a deviation the market plays Cournot-Nash forever)."""
    qm = cournot_collusive(game).quantities
    collude = game.profits(qm)[0] - detection * sanction
    dev_q = qm.copy()
    dev_q[0] = game.best_response(qm)[0]
    deviate_first = game.profits(dev_q)[0]
    nash = game.profits(q_nash)[0]
    return _discounted([collude], collude, delta) - _discounted([deviate_first], nash, delta)


def simulated_threshold(game, sanction=0.0, detection=1.0, *, tol=1e-12):
    """Smallest discount factor in ``[0, 1)`` at which colluding is worth at least the best
    one-shot deviation, by bisection on simulated payoffs (1.0 when it never is).

    The payoff difference is increasing in ``delta`` (the punishment's weight grows), so the
    bisection brackets its root; the Nash profits come from round-robin best responses."""
    qn = _round_robin_nash(game)
    f = lambda d: _payoff_difference(game, d, sanction, detection, qn)  # noqa: E731
    lo, hi = 0.0, 1.0 - 1e-12
    if f(lo) >= 0:
        return 0.0
    if f(hi) < 0:
        return 1.0
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        if f(mid) >= 0:
            hi = mid
        else:
            lo = mid
    return 0.5 * (lo + hi)


@theorem(
    name="games.cournot_grim_trigger",
    source=_FRIEDMAN + "; expected fine p s on each colluding firm (this package's derivation)",
    assumptions=("linear Cournot, n = 2..12", "grim trigger: Cournot-Nash forever after a "
                 "deviation", "fine s with detection probability p on firms producing the "
                 "collusive quantity; the deviator is not fined"),
    sample=sample_market, sizes={"n": (2, 12)}, n_instances=(20, 200), atol=1e-8,
    protocol=GRIM_PROTOCOL,
    tightness="an identity between the closed form and the simulated threshold (bound 1e-8 "
              "on their distance); the duopoly value 9/17 is checked exactly in "
              "tests/games/test_cournot.py::test_duopoly_threshold_is_nine_seventeenths",
)
def eval_grim_trigger(inst, *, algorithm=None):
    """Grim-trigger collusion in the n-firm linear Cournot market is subgame perfect iff
    delta >= (pi^D - pi^M + p s)/(pi^D - pi^N) (9/17 for the duopoly without fines).

    Measured: ``|min(delta*, 1) - delta_sim|`` with ``delta_sim`` found by bisection on the
    simulated discounted payoffs of colluding forever against the best one-shot deviation
    (:func:`simulated_threshold`); bound ``1e-8``; trivial maximum 1 (both lie in [0, 1]).
    ``algorithm``: a user's threshold through :data:`GRIM_PROTOCOL` in place of the formula
    (NaN is a violation)."""
    game, s, p = inst["game"], inst["sanction"], inst["detection"]
    if algorithm is not None:
        d = user_float(check_algorithm(algorithm, GRIM_PROTOCOL)(game, s, p),
                       "the threshold discount factor")
        if not np.isfinite(d):
            return np.inf, 1e-8, 1.0
        formula = min(d, 1.0)
    else:
        formula = min(grim_trigger_threshold(game, sanction=s, detection=p), 1.0)
    sim = simulated_threshold(game, s, p)
    return abs(formula - sim), 1e-8, 1.0


@theorem(
    name="games.cournot_sanction_deterrence",
    source="this package's derivation from " + _FRIEDMAN + " (the condition the Institutional "
           "AI paper's sanctions must meet, arXiv 2601.11369)",
    assumptions=("as games.cournot_grim_trigger", "p s drawn within a factor 2 of the "
                 "per-period collusion gain pi^M - pi^N"),
    sample=sample_market, sizes={"n": (2, 12)}, n_instances=(20, 200),
    no_algorithm="an equivalence between the package's closed-form condition p s >= pi^M - "
                 "pi^N and simulated payoffs; a user's threshold formula is checked by "
                 "games.cournot_grim_trigger (GRIM_PROTOCOL)",
    tightness="an exact equivalence (measured: 1 on a disagreement, bound 0); the drawn fines "
              "straddle the threshold so both verdicts occur "
              "(tests/games/test_cournot.py::test_deterrence_draws_both_verdicts)",
)
def eval_deterrence(inst):
    """A fine s detected with probability p deters grim-trigger collusion at every discount
    factor delta < 1 iff p s >= pi^M - pi^N, the per-period gain from colluding.

    Measured: 1 when the formula's verdict (``p s >= pi^M - pi^N`` with the closed-form
    profits) differs from the simulated one (colluding forever is worth less than deviating
    at ``delta = 1 - 1e-9``, from simulated payoffs), else 0; bound 0; trivial maximum 1.
    Instances within ``1e-9`` relative of the threshold are not judged (0)."""
    game, s, p = inst["game"], inst["sanction"], inst["detection"]
    gain = game.collusion_gain
    if abs(p * s - gain) <= 1e-9 * gain:
        return 0.0, 0.0, 1.0
    formula = p * s >= gain
    qn = _round_robin_nash(game)
    delta = 1.0 - 1e-9
    simulated = _payoff_difference(game, delta, s, p, qn) < 0
    return float(formula != simulated), 0.0, 1.0


def _sample_br(rng, n=None, T=None, n_lo=2, n_hi=2, T_hi=40):
    inst = sample_market(rng, n=n if n is not None else int(rng.integers(n_lo, n_hi + 1)))
    inst["T"] = int(rng.integers(1, T_hi + 1)) if T is None else check_int(T, "T", lo=1,
                                                                           hi=10_000)
    return inst


def sample_duopoly(rng, T=None):
    """A random linear duopoly, a start in ``[0, (a-c)/b]^2`` and a horizon ``T``."""
    inst = _sample_br(rng, n=2, T=T)
    g = inst["game"]
    inst["q0"] = rng.uniform(0, g.margin / g.b, size=2)
    return inst


@theorem(
    name="games.cournot_br_duopoly",
    source=_THEOCHARIS + " (n = 2)",
    assumptions=("linear duopoly", "start in [0, (a-c)/b]^2 (best responses stay interior)"),
    sample=sample_duopoly, sizes={"T": (1, 40)}, n_instances=(20, 200), rtol=1e-7,
    atol=1e-12, protocol=BR_PROTOCOL,
    tightness="attained: both eigenvalues of the duopoly's best-response map have modulus "
              "1/2, so the distance halves exactly every step (ratio 1.000 on every instance; "
              "tests/games/test_cournot.py::test_duopoly_contraction_is_attained)",
)
def eval_br_duopoly(inst, *, algorithm=None):
    """Simultaneous best responses in the linear Cournot duopoly converge to the Nash
    equilibrium: ||q_T - q^N|| <= 2^-T ||q_0 - q^N|| from every start in [0, (a-c)/b]^2.

    Measured: the distance after ``T`` simultaneous best-response steps
    (:func:`~.cournot.best_response_dynamics`); bound ``2^-T`` times the initial distance;
    trivial maximum the diameter of the start box, ``sqrt(2) (a-c)/b``.  ``algorithm``: a
    user's dynamics through :data:`BR_PROTOCOL` (a path that is not the simultaneous
    best-response map is a violation)."""
    g, T = inst["game"], inst["T"]
    qn = cournot_nash(g).quantities
    if algorithm is not None:
        path = _user_br_path(algorithm, g, inst["q0"], T)
        if path is None:
            return np.inf, 2.0 ** -T * float(np.linalg.norm(inst["q0"] - qn)), \
                float(np.sqrt(2) * g.margin / g.b)
    else:
        path = best_response_dynamics(g, inst["q0"], T)
    d0 = float(np.linalg.norm(path[0] - qn))
    return float(np.linalg.norm(path[-1] - qn)), 2.0 ** -T * d0, float(np.sqrt(2) * g.margin
                                                                       / g.b)


def sample_oligopoly(rng, n=None, T=None):
    """A random linear Cournot market with 3..8 firms, a symmetric perturbation of the Nash
    quantities small enough for ``T`` interior steps (and at least ``1e-7 q^N``, far above
    rounding), and ``T`` in 1..12."""
    inst = _sample_br(rng, n=n, T=T, n_lo=3, n_hi=8, T_hi=12)  # growth^T <= 3.5^12
    g, T = inst["game"], inst["T"]
    qn = cournot_nash(g).quantities[0]
    growth = max((g.n - 1) / 2.0, 1.0)
    eps = qn * float(rng.uniform(0.01, 0.9)) / growth ** T  # stays in (0, 2 q^N) for T steps
    inst["q0"] = np.full(g.n, qn + eps * (1 if rng.random() < 0.5 else -1))
    return inst


@theorem(
    name="games.cournot_br_oligopoly",
    source=_THEOCHARIS + " (n >= 3)",
    assumptions=("linear Cournot with n = 3..8 firms", "symmetric perturbation of the Nash "
                 "quantities, small enough that every best response stays interior"),
    sample=sample_oligopoly, sizes={"n": (3, 8), "T": (1, 12)}, n_instances=(20, 200),
    rtol=1e-6, atol=1e-12, protocol=BR_PROTOCOL,
    tightness="attained: the symmetric direction is an eigenvector with eigenvalue -(n-1)/2, "
              "so the distance grows by exactly (n-1)/2 per step (ratio 1.000; "
              "tests/games/test_cournot.py::test_oligopoly_instability_is_attained)",
)
def eval_br_oligopoly(inst, *, algorithm=None):
    """Simultaneous best responses in the linear Cournot market with n >= 3 firms do not
    converge: a symmetric perturbation of the Nash quantities grows by (n-1)/2 per step while
    the best responses are interior (n = 3: it keeps its size forever).

    Measured: ``((n-1)/2)^T ||q_0 - q^N||``, the growth the statement claims; bound: the
    distance actually reached after ``T`` steps (the statement is a lower bound on it); no
    trivial maximum (the distance is unbounded as ``T`` grows).  ``algorithm``: a user's
    dynamics through :data:`BR_PROTOCOL` (a path that is not the simultaneous best-response
    map is a violation)."""
    g, T = inst["game"], inst["T"]
    qn = cournot_nash(g).quantities
    if algorithm is not None:
        path = _user_br_path(algorithm, g, inst["q0"], T)
        if path is None:
            return np.inf, 0.0
    else:
        path = best_response_dynamics(g, inst["q0"], T)
    d0 = float(np.linalg.norm(path[0] - qn))
    return ((g.n - 1) / 2.0) ** T * d0, float(np.linalg.norm(path[-1] - qn))


NASH = eval_nash_closed_form.theorem
GRIM = eval_grim_trigger.theorem
DETERRENCE = eval_deterrence.theorem
BR_DUOPOLY = eval_br_duopoly.theorem
BR_OLIGOPOLY = eval_br_oligopoly.theorem
