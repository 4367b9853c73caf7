"""Theorems of the risk-averse equilibrium (:mod:`~equilibria.solvers.games.risk_averse`),
imported by the games room's ``theorems`` module.

- ``games.rae_existence``: an RAE exists in every finite bimatrix game (Slumbers et al. 2023,
  by Kakutani); checked constructively: the solver returns a profile whose certificate is
  below ``1e-8`` of the payoff range.
- ``games.rae_fictitious_play``: the paper's fictitious-play variant converges in zero-sum and
  (identical-interest) potential games; checked with a finite budget (see its docstring).
- ``games.rae_risk_dominant``: in the stag hunt with a safe hare action, risk-averse
  fictitious play from uniform beliefs selects the risk-dominant equilibrium (Harsanyi-Selten).
- ``games.rae_min_variance``: at an RAE each strategy has the least reward variance among the
  strategies with at least its expected utility, in particular among the Nash strategies of
  the game (all of them, by support enumeration).
"""

from __future__ import annotations

import warnings

import numpy as np

from equilibria._lib.result import ConvergenceWarning
from equilibria._lib.validation import check_int
from equilibria.verification import BoundData, Theorem, register, theorem

from .risk_averse import (_cov, _frontier_point, _scale, _trembled, risk_averse_equilibrium,
                          risk_averse_fictitious_play, stag_hunt, support_enumeration)

__all__ = ["sample_bimatrix", "sample_existence", "eval_existence", "experiment_existence",
           "sample_fp_game", "eval_fictitious_play", "sample_stag_hunt", "eval_risk_dominant",
           "eval_min_variance"]

_SLUMBERS = ("Slumbers, Mguni, McAleer, Blumberg, Yang, Wang (2023), A Game-Theoretic "
             "Framework for Managing Risk in Multi-Agent Systems, ICML, arXiv:2205.15434")
_READ = ("; the statement as in the paper's abstract (the only part of the stored full text "
         "the tools returned), in this package's mean-variance formulation")


def sample_bimatrix(rng, n=None, n_lo=2, n_hi=10):
    """A random bimatrix game (standard normal payoffs, ``n x m`` with sizes in
    ``[n_lo, n_hi]``), a risk aversion in ``[0, 1]`` and a tremble (0 with probability 0.3,
    else in ``[0, 0.2]``).

    Parameters
    ----------
    rng : numpy.random.Generator
        Random source.
    n : int, optional
        Rows (default: drawn from ``[n_lo, n_hi]``).
    n_lo, n_hi : int
        Range of the drawn sizes.

    Returns
    -------
    dict
        ``A``, ``B``, ``risk_aversion``, ``tremble``.
    """
    n = int(rng.integers(n_lo, n_hi + 1)) if n is None else check_int(n, "n", lo=1, hi=200)
    m = int(rng.integers(n_lo, n_hi + 1))
    return {"A": rng.normal(size=(n, m)), "B": rng.normal(size=(n, m)),
            "risk_aversion": float(rng.uniform(0, 1)),
            "tremble": 0.0 if rng.random() < 0.3 else float(rng.uniform(0, 0.2))}


def sample_existence(rng, n=None):
    """A random bimatrix game of :func:`sample_bimatrix` with both sizes in 2..6.

    Parameters
    ----------
    rng : numpy.random.Generator
        Random source.
    n : int, optional
        Rows (default: drawn).

    Returns
    -------
    dict
        As :func:`sample_bimatrix`.
    """
    return sample_bimatrix(rng, n=n, n_lo=2, n_hi=6)


def _solve(inst, algorithm):
    solver = risk_averse_equilibrium if algorithm is None else algorithm
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return solver(inst["A"], inst["B"], risk_aversion=inst["risk_aversion"],
                      tremble=inst["tremble"])


def _gap(inst, x, y):
    from .risk_averse import _gaps
    return max(_gaps(inst["A"], inst["B"], np.asarray(x, float), np.asarray(y, float),
                     inst["risk_aversion"], inst["tremble"]))


#: instances of the existence check (quick, full) and the largest size of each
EXISTENCE_INSTANCES = (4, 30)
EXISTENCE_SIZES = (4, 6)


def experiment_existence(rng, quick, algorithm=None):
    """The existence check on ``EXISTENCE_INSTANCES`` games of :func:`sample_bimatrix` with
    sizes ``2..4`` (quick) or ``2..6`` (full): the support search of the solver grows like
    ``4^n`` on the rare games where fictitious play cycles, so the quick run keeps it small.

    Parameters
    ----------
    rng : numpy.random.Generator
        Random source.
    quick : bool
        Quick (4 games, sizes 2..4) or full (30 games, sizes 2..6).
    algorithm : callable, optional
        A solver checked in place of :func:`~.risk_averse.risk_averse_equilibrium`.

    Returns
    -------
    BoundData
        Relative certificates, bounds and trivial maxima.
    """
    k = 0 if quick else 1
    meas, bnd, triv = [], [], []
    for _ in range(EXISTENCE_INSTANCES[k]):
        inst = sample_bimatrix(rng, n_lo=2, n_hi=EXISTENCE_SIZES[k])
        m, b, t = eval_existence(inst, algorithm=algorithm)
        meas.append(m)
        bnd.append(b)
        triv.append(t)
    return BoundData(np.array(meas), np.array(bnd), trivial=np.array(triv))


def eval_existence(inst, algorithm=None):
    """Every finite bimatrix game has a risk-averse (mean-variance) equilibrium: the solver
    finds a profile with certificate at most 1e-8 times the payoff range.

    Measured: :func:`~.risk_averse.risk_averse_gap` of the returned profile (recomputed here)
    over the payoff range; bound ``1e-8``; trivial maximum ``1 + 4 lambda range`` (the
    largest Frank-Wolfe gap a profile can have).

    Parameters
    ----------
    inst : dict
        An instance of the theorem's sampler.
    algorithm : callable, optional
        The implementation checked in place of the package's (see the theorem's protocol).

    Returns
    -------
    measured, bound, trivial : float
        The measured value, the bound it must not exceed and its largest possible value.
    """
    res = _solve(inst, algorithm)
    s = _scale(inst["A"], inst["B"])
    return _gap(inst, res.x, res.y) / s, 1e-8, 1.0 + 4.0 * inst["risk_aversion"] * s


EXISTENCE = register(Theorem(
    name="games.rae_existence",
    source=_SLUMBERS + ", existence of the RAE" + _READ + " (proof: Kakutani, as for Nash)",
    statement="Every finite bimatrix game has a risk-averse (mean-variance) equilibrium: the "
              "solver finds a profile with certificate at most 1e-8 times the payoff range.",
    assumptions=("finite bimatrix game, payoffs N(0, 1), sizes 2..6 (quick: 2..4)",
                 "mean-variance utilities with risk aversion in [0, 1], tremble in [0, 0.2]"),
    sample=sample_existence, evaluate=eval_existence, experiment=experiment_existence,
    sizes={"n": (2, 6)}, n_instances=EXISTENCE_INSTANCES, examples=10,
    tightness="an existence statement checked constructively (bound 1e-8 on the relative "
              "certificate, attained at 0 by exact equilibria): nothing to be tight about; "
              "the check fails for a solver that does not return an equilibrium "
              "(tests/games/test_risk_averse.py::test_existence_check_fails_on_a_wrong_solver)",
    protocol="a solver ``f(A, B, *, risk_aversion, tremble)`` returning an object with "
             "strategies ``x`` and ``y``",
))
eval_existence.theorem = EXISTENCE  # type: ignore[attr-defined]


def sample_fp_game(rng, n=None, n_lo=2, n_hi=5):
    """A zero-sum (``B = -A``) or identical-interest (``B = A``, an exact potential game)
    random game with risk aversion in ``[0, 1]`` and no tremble.

    Parameters
    ----------
    rng : numpy.random.Generator
        Random source.
    n : int, optional
        Rows (default: drawn from ``[n_lo, n_hi]``).
    n_lo, n_hi : int
        Range of the drawn sizes.

    Returns
    -------
    dict
        As :func:`sample_bimatrix`, with ``B = -A`` or ``B = A`` and ``tremble = 0``.
    """
    inst = sample_bimatrix(rng, n=n, n_lo=n_lo, n_hi=n_hi)
    inst["B"] = -inst["A"] if rng.random() < 0.5 else inst["A"].copy()
    inst["tremble"] = 0.0
    return inst


#: fictitious-play budget of the convergence check, and the relative certificate it must reach
FP_ITERATIONS = 3000
FP_LEVEL = 0.1


@theorem(
    name="games.rae_fictitious_play",
    source=_SLUMBERS + ", convergence of the fictitious-play variant in zero-sum and "
                       "potential games" + _READ,
    assumptions=("zero-sum (B = -A) or identical-interest (B = A) games, N(0, 1) payoffs, "
                 "2..5 actions", "risk aversion in [0, 1], no tremble, uniform initial "
                 "beliefs", f"finite budget: {FP_ITERATIONS} iterations"),
    sample=sample_fp_game, sizes={"n": (2, 5)}, n_instances=(3, 20),
    tightness="none known: the paper states convergence without a rate; the budget "
              f"({FP_ITERATIONS} iterations, level {FP_LEVEL} of the payoff range) is this "
              "package's, chosen from measured runs (about 1,070 games: median certificate "
              "3e-4, largest 0.056, on a 2x3 identical-interest game where the averages "
              "drift slowly between equilibria); best-response dynamics (fictitious play without the "
              "averaging) fails it (tests/games/test_risk_averse.py::"
              "test_fp_check_fails_on_best_response_dynamics); risk-neutral fictitious play "
              "does not (most sampled games have pure equilibria, which are also RAE)",
    protocol="a fictitious-play method ``f(A, B, *, risk_aversion, max_iter, tol, every)`` "
             "returning an object with averaged strategies ``x`` and ``y`` (the certificate "
             "is recomputed from them)",
)
def eval_fictitious_play(inst, algorithm=None):
    """Risk-averse fictitious play converges to a risk-averse equilibrium in zero-sum and
    potential games: after 3000 iterations from uniform beliefs the certificate of the
    averages is below 10% of the payoff range.

    Measured: the certificate of the averaged strategies (recomputed) over the payoff range;
    bound ``FP_LEVEL``; trivial maximum ``1 + 4 lambda range``.

    Parameters
    ----------
    inst : dict
        An instance of the theorem's sampler.
    algorithm : callable, optional
        The implementation checked in place of the package's (see the theorem's protocol).

    Returns
    -------
    measured, bound, trivial : float
        The measured value, the bound it must not exceed and its largest possible value.
    """
    fp = risk_averse_fictitious_play if algorithm is None else algorithm
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        res = fp(inst["A"], inst["B"], risk_aversion=inst["risk_aversion"],
                 max_iter=FP_ITERATIONS, tol=1e-12, every=FP_ITERATIONS)
    s = _scale(inst["A"], inst["B"])
    return _gap(inst, res.x, res.y) / s, FP_LEVEL, 1.0 + 4.0 * inst["risk_aversion"] * s


def sample_stag_hunt(rng, T=None):
    """A stag hunt: with probability 0.6 the safe-hare family (``T = P``; risk aversion in
    ``[0, 3]`` when hare is risk dominant, else 0), else a general one (``P != T``) at risk
    aversion 0; payoffs drawn so that
    each equilibrium is risk dominant about half the time (ties excluded), and a budget
    ``T`` of fictitious-play iterations.

    Parameters
    ----------
    rng : numpy.random.Generator
        Random source.
    T : int, optional
        Fictitious-play iterations (default: drawn from ``[200, 2000]``).

    Returns
    -------
    dict
        ``payoffs`` ``(R, S, T, P)``, ``risk_aversion`` and ``T``.
    """
    while True:
        S = float(rng.uniform(-2, 1))
        R = float(rng.uniform(2, 5))
        Tm = float(rng.uniform(S + 0.1, R - 0.1))
        safe = rng.random() < 0.6
        P = Tm if safe else float(rng.uniform(S + 0.1, Tm))
        if abs((P - S) - (R - Tm)) > 0.05:
            break
    averse = safe and _risk_dominant(R, S, Tm, P) == 1
    return {"payoffs": (R, S, Tm, P), "risk_aversion": float(rng.uniform(0, 3)) if averse else 0.0,
            "T": int(rng.integers(200, 2001)) if T is None else check_int(T, "T", lo=1,
                                                                          hi=10**6)}


def _risk_dominant(R, S, T, P):
    return 1 if (P - S) > (R - T) else 0  # 1 = hare


@theorem(
    name="games.rae_risk_dominant",
    source=_SLUMBERS + " ('generalising to risk-dominant NE in certain cases', stag hunt)"
           + _READ + "; risk dominance: Harsanyi and Selten (1988), ch. 3",
    assumptions=("symmetric 2x2 stag hunt R > T, P > S", "safe hare (T = P), hare risk "
                 "dominant, any risk aversion in [0, 3]; or any stag hunt at risk aversion 0 "
                 "(with risk aversion a risk-dominant stag can lose to the safe hare, so that "
                 "case is not claimed)",
                 "fictitious play from uniform beliefs, no tremble"),
    sample=sample_stag_hunt, sizes={"T": (200, 2000)}, n_instances=(8, 60),
    tightness="nearly attained: the averages approach the pure equilibrium like 1/(t + 2) "
              "from the uniform start (distance 0.5/(T + 1) after T steps, ratio >= 0.24 "
              "against the bound 2/(T + 1); tests/games/test_risk_averse.py::"
              "test_risk_dominance_rate_is_nearly_attained, ratio >= 0.2)",
    protocol="a fictitious-play method ``f(A, B, *, risk_aversion, max_iter, tol, every)`` "
             "returning an object with averaged strategies ``x`` and ``y`` (the certificate "
             "is recomputed from them)",
)
def eval_risk_dominant(inst, algorithm=None):
    """In the stag hunt, risk-averse fictitious play from uniform beliefs converges to the
    risk-dominant Nash equilibrium (hare iff P - S > R - T): a safe, risk-dominant hare at
    every risk aversion, and either equilibrium at risk aversion 0 in every stag hunt.

    Measured: the largest distance of the two averaged strategies from the risk-dominant
    pure profile after ``T`` iterations; bound ``2/(T + 1)``; trivial maximum 1.

    Parameters
    ----------
    inst : dict
        An instance of the theorem's sampler.
    algorithm : callable, optional
        The implementation checked in place of the package's (see the theorem's protocol).

    Returns
    -------
    measured, bound, trivial : float
        The measured value, the bound it must not exceed and its largest possible value.
    """
    R, S, T, P = inst["payoffs"]
    A, B = stag_hunt(R, S, T, P)
    fp = risk_averse_fictitious_play if algorithm is None else algorithm
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        res = fp(A, B, risk_aversion=inst["risk_aversion"], max_iter=inst["T"], tol=1e-300,
                 every=inst["T"])
    target = np.eye(2)[_risk_dominant(R, S, T, P)]
    dist = max(float(np.max(np.abs(res.x - target))), float(np.max(np.abs(res.y - target))))
    return dist, 2.0 / (inst["T"] + 1), 1.0


def _sample_small(rng, n=None):
    inst = sample_bimatrix(rng, n=n, n_lo=2, n_hi=4)
    inst["risk_aversion"] = float(rng.uniform(0.05, 1))
    return inst


@theorem(
    name="games.rae_min_variance",
    source=_SLUMBERS + " ('the strategy with minimum variance, given any level of expected "
           "utility')" + _READ + "; Markowitz (1952) frontier property of the mean-variance "
                                 "optimum",
    assumptions=("random bimatrix games 2..4 actions, N(0, 1) payoffs",
                 "risk aversion in [0.05, 1], tremble 0 or in [0, 0.2]",
                 "Nash equilibria by support enumeration (complete for nondegenerate games)"),
    sample=_sample_small, sizes={"n": (2, 4)}, n_instances=(4, 30), atol=1e-9,
    tightness="attained with equality: the equilibrium strategy is itself the frontier point "
              "at its own utility level (measured 0, bound 1e-7); a Nash equilibrium returned "
              "in place of the RAE fails it (tests/games/test_risk_averse.py::"
              "test_min_variance_check_fails_on_nash)",
    protocol="a solver ``f(A, B, *, risk_aversion, tremble)`` returning an object with "
             "strategies ``x`` and ``y`` (means, variances and the Nash comparison are "
             "recomputed from them)",
)
def eval_min_variance(inst, algorithm=None):
    """At a risk-averse equilibrium each player's strategy has the least reward variance
    among all strategies (in particular all Nash-equilibrium strategies) with at least its
    expected utility against the opponent's equilibrium strategy.

    Measured: the largest excess, over both players, of the equilibrium variance over the
    least variance of (a) the Markowitz frontier point at the equilibrium's utility level
    (:func:`~.risk_averse.mean_variance_best_response` with ``utility_level=``) and (b) every
    Nash strategy of the game reaching that level, over the squared payoff range; bound
    ``1e-7``; trivial maximum 1/4 (a variance is at most range^2/4).

    Parameters
    ----------
    inst : dict
        An instance of the theorem's sampler.
    algorithm : callable, optional
        The implementation checked in place of the package's (see the theorem's protocol).

    Returns
    -------
    measured, bound, trivial : float
        The measured value, the bound it must not exceed and its largest possible value.
    """
    res = _solve(inst, algorithm)
    A, B, eps = inst["A"], inst["B"], inst["tremble"]
    x, y = np.asarray(res.x, float), np.asarray(res.y, float)
    s = _scale(A, B)
    nash = support_enumeration(A, B)
    excess = 0.0
    for M, own, opp, k in ((A, x, y, 0), (B.T, y, x, 1)):
        oe = _trembled(opp, eps)
        S, g = _cov(M, oe), M @ oe
        mu, var = float(own @ g), float(own @ S @ own)
        cands = [_frontier_point(g, S, mu)]
        cands += [ne[k] for ne in nash if float(ne[k] @ g) >= mu - 1e-12 * s]
        best = min(float(c @ S @ c) for c in cands)
        excess = max(excess, var - best)
    return max(excess, 0.0) / s ** 2, 1e-7, 0.25


FICTITIOUS_PLAY = eval_fictitious_play.theorem
RISK_DOMINANT = eval_risk_dominant.theorem
MIN_VARIANCE = eval_min_variance.theorem
