"""Warm-up calls of every room's numba kernels (compilation or cache load), in one place.

``tests/conftest.py`` runs, once per session, the warmers of the rooms whose tests are
collected, so timings inside tests never include compilation and a room's kernels are warmed
exactly once.
"""

import warnings

import numpy as np


def warm_bandits():
    from equilibria.bandits import (OFS, UCB1, BernoulliArms, DynamicalLinearBandit, DynLinUCB,
                                    LinearBandit, LinUCB, ThresholdEnvironment, simulate)

    simulate(BernoulliArms([0.2, 0.8]), UCB1(), 10, n_runs=1, seed=0, progress=False)
    simulate(LinearBandit.random(3, 2), LinUCB(), 10, n_runs=1, seed=0, progress=False)
    simulate(DynamicalLinearBandit.random(), DynLinUCB(), 10, n_runs=1, seed=0, progress=False)
    simulate(ThresholdEnvironment(), OFS(), 20, n_runs=1, seed=0, progress=False)


def warm_constrained():
    from equilibria.solvers.constrained import sketch_solve

    K = np.array([[2.0, 1.0], [1.0, 0.0]])
    sketch_solve(K, np.ones(2), tol_abs=1e-8, method="kaczmarz", seed=0)


def warm_games():
    from equilibria.solvers.games import vr_halpern
    from equilibria.solvers.games._problems import (random_bilinear_game,
                                                    random_cocoercive_finite_sum)

    fs, _ = random_cocoercive_finite_sum(16, 3, 0)
    g, _ = random_bilinear_game(16, 2, 2, 0)
    vr_halpern(fs, np.zeros(3), tol=1e-2, seed=0)
    vr_halpern(g, np.zeros(4), variant="monotone", tol=1e-1, seed=0)
    from equilibria.solvers.games import solve_zero_sum  # the restarted-PDHG kernels

    solve_zero_sum(np.random.default_rng(0).uniform(-1, 1, (3, 2)), method="pdhg", tol=1e-3)
    from equilibria.solvers.games import (risk_averse_equilibrium, risk_averse_fictitious_play,
                                          stag_hunt)

    risk_averse_equilibrium(*stag_hunt(), tremble=0.1)
    risk_averse_fictitious_play(*stag_hunt(), max_iter=60)


def warm_odes():
    from equilibria.odes import CoexistenceModel
    from equilibria.odes import _kernels as K

    M = CoexistenceModel.preset("governed")
    M.simulate(M.uniform_state(0.5, 0.5), 1.0)
    M.simulate_batch(np.full((2, M.n), 0.5), 1.0)
    K._covered_fraction(np.zeros((2, 2)), np.zeros((3, 2)), 0.1)


def warm_online():
    from equilibria.solvers.online import hedge, ogd, ons, selfplay

    G = np.random.default_rng(0).uniform(size=(3, 2))
    hedge(G, 0.1)
    ogd(G, 0.1)
    selfplay(G, 2)
    ons(G + 0.5, comparator=None)


def warm_ot():
    from equilibria.solvers.ot import exact_ot, sinkhorn, smooth_ot, sparse_ot

    rng = np.random.default_rng(0)
    a, b, C = np.full(4, 0.25), np.full(3, 1 / 3), rng.random((4, 3))
    for method in ("stabilized", "log", "scaling"):
        sinkhorn(a, b, C, 0.1, method=method)
    for form in ("dual", "semi_dual"):
        smooth_ot(a, b, C, 0.5, formulation=form, max_iter=5)
        smooth_ot(a, b, C, 0.5, regularizer="entropy", formulation=form, max_iter=5)
        sparse_ot(a, b, C, 0.5, 2, formulation=form, max_iter=5)
    exact_ot(a, b, C)  # the network simplex kernels


def warm_sketch():
    from equilibria.solvers.sketch import sketch_and_solve

    rng = np.random.default_rng(0)
    A, b = rng.standard_normal((32, 2)), rng.standard_normal(32)
    for kind in ("srht", "countsketch", "gaussian"):
        sketch_and_solve(A, b, 8, kind=kind, seed=0)


#: test folder -> warmer
WARMERS = {"bandits": warm_bandits, "constrained": warm_constrained, "games": warm_games,
           "odes": warm_odes, "online": warm_online, "ot": warm_ot, "sketch": warm_sketch}


def warm(rooms) -> None:
    """Run the warmers of ``rooms`` (names of test folders), silencing solver warnings."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for room in sorted(set(rooms) & set(WARMERS)):
            WARMERS[room]()
