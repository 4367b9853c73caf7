"""Fuzz baselines of the risk-averse equilibrium (:mod:`equilibria.solvers.games.risk_averse`,
``risk_averse_plots``, ``risk_averse_theorems``); merged into the games room's cases.
Invariants: strategies are distributions, variances are non-negative, a successful result
meets its certificate (recomputed), support enumeration returns Nash equilibria."""

import numpy as np

from equilibria.solvers.games import risk_averse as RA
from equilibria.solvers.games import risk_averse_plots as RP
from equilibria.solvers.games import risk_averse_theorems as RT
from tests.fuzz.harness import Case, assert_distribution

P = "equilibria.solvers.games."
T = P + "risk_averse_theorems."


def _game(n=3, m=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, m)), rng.normal(size=(n, m))


def _result_ok(res, kw):
    assert_distribution(res.x)
    assert_distribution(res.y)
    assert np.all(res.variances >= 0)
    gap = RA.risk_averse_gap(kw["A"], kw["B"], res.x, res.y,
                             risk_aversion=kw.get("risk_aversion", 1.0),
                             tremble=kw.get("tremble", 0.0))
    assert abs(gap - res.certificate) <= 1e-12 * (1 + gap), "certificate not recomputable"
    if res.success:
        scale = max(np.ptp(kw["A"]), np.ptp(kw["B"]))
        assert res.certificate <= kw.get("tol", 1e-8) * scale * (1 + 1e-9), "certificate"


def _fp_ok(res, kw):
    _result_ok(res, {**kw, "tol": kw.get("tol", 1e-6)})


def _nonneg(res, kw):
    assert res >= 0 and np.isfinite(res)


def _dist(res, kw):
    assert_distribution(res)


def _psd(res, kw):
    assert np.allclose(res, res.T) and np.linalg.eigvalsh(res).min() >= -1e-10


def _nash_ok(res, kw):
    assert res, "no equilibrium of a nondegenerate game"
    for x, y in res:
        assert RA.risk_averse_gap(kw["A"], kw["B"], x, y, risk_aversion=0.0) <= 1e-8


def _pair_ok(res, kw):
    assert np.isfinite(res[0]) and np.isfinite(res[1])


def _games_ok(res, kw):
    A, B = res
    assert A.shape == B.shape and np.all(np.isfinite(A)) and np.all(np.isfinite(B))


def _frontier(**kw):
    import matplotlib
    matplotlib.use("Agg")
    A, B = _game(2, 3)
    return RP.plot_mean_variance_frontier(A, B, **kw)


def _basins(**kw):
    import matplotlib
    matplotlib.use("Agg")
    A, B = RA.stag_hunt()
    return RP.plot_fictitious_play_basins(A, B, **kw)


def _rng():
    return np.random.default_rng(0)


CASES = [
    Case(P + "reward_variance", RA.reward_variance,
         lambda: {"A": _game()[0], "x": np.array([0.2, 0.3, 0.5]),
                  "y": np.array([0.6, 0.3, 0.1]), "tremble": 0.1}, check=_nonneg),
    Case(P + "reward_covariance", RA.reward_covariance,
         lambda: {"A": _game()[0], "y": np.array([0.6, 0.3, 0.1]), "tremble": 0.1},
         check=_psd),
    Case(P + "mean_variance_best_response", RA.mean_variance_best_response,
         lambda: {"A": _game()[0], "y": np.array([0.6, 0.3, 0.1]), "risk_aversion": 0.5,
                  "tremble": 0.1}, check=_dist),
    Case(P + "mean_variance_best_response", RA.mean_variance_best_response,
         lambda: {"A": _game()[0], "y": np.array([0.6, 0.3, 0.1]), "utility_level": -0.5},
         check=_dist, fuzz=("utility_level",)),
    Case(P + "risk_averse_gap", RA.risk_averse_gap,
         lambda: {"A": _game()[0], "B": _game()[1], "x": np.array([0.2, 0.3, 0.5]),
                  "y": np.array([0.6, 0.3, 0.1]), "risk_aversion": 0.5, "tremble": 0.1},
         check=_nonneg),
    Case(P + "risk_averse_equilibrium", RA.risk_averse_equilibrium,
         lambda: {"A": _game()[0], "B": _game()[1], "risk_aversion": 0.5, "tremble": 0.1,
                  "method": "auto", "tol": 1e-8, "max_iter": 2000}, check=_result_ok,
         fuzz=("A", "B", "risk_aversion", "tremble", "method", "tol", "max_iter")),
    Case(P + "risk_averse_equilibrium", RA.risk_averse_equilibrium,
         lambda: {"A": _game(2, 3)[0], "B": _game(2, 3)[1], "x0": np.array([0.3, 0.7]),
                  "y0": np.array([0.2, 0.5, 0.3]), "method": "fictitious_play",
                  "max_iter": 500}, check=_result_ok, fuzz=("x0", "y0")),
    Case(P + "risk_averse_fictitious_play", RA.risk_averse_fictitious_play,
         lambda: {"A": _game()[0], "B": -_game()[0], "risk_aversion": 0.5, "max_iter": 500,
                  "tol": 1e-6, "x0": np.array([0.2, 0.3, 0.5]),
                  "y0": np.array([0.6, 0.3, 0.1]), "every": 50}, check=_fp_ok),
    Case(P + "support_enumeration", RA.support_enumeration,
         lambda: {"A": _game()[0], "B": _game()[1], "tol": 1e-10}, check=_nash_ok),
    Case(P + "stag_hunt", RA.stag_hunt,
         lambda: {"reward": 4.0, "sucker": 0.0, "temptation": 3.0, "punishment": 3.0},
         check=_games_ok),
    Case(P + "crash_game", RA.crash_game,
         lambda: {"penalty": 100.0, "gain": 1.0, "safe": 0.5, "rare": 0.02},
         check=_games_ok),
    Case(P + "plot_mean_variance_frontier", _frontier,
         lambda: {"risk_aversion": 1.0, "tremble": 0.1, "player": 1, "n_points": 8,
                  "title": "t"}, allow={"title": {"unknown_option", "numeric_str"}}),
    Case(P + "plot_fictitious_play_basins", _basins,
         lambda: {"risk_aversion": 0.5, "grid": 5, "max_iter": 50, "title": "t"},
         allow={"title": {"unknown_option", "numeric_str"}}),
    Case(T + "sample_bimatrix", RT.sample_bimatrix,
         lambda: {"rng": _rng(), "n": 3, "n_lo": 2, "n_hi": 4}, fuzz=("n",)),
    Case(T + "sample_existence", RT.sample_existence, lambda: {"rng": _rng(), "n": 3},
         fuzz=("n",)),
    Case(T + "sample_fp_game", RT.sample_fp_game, lambda: {"rng": _rng(), "n": 3},
         fuzz=("n",)),
    Case(T + "sample_stag_hunt", RT.sample_stag_hunt, lambda: {"rng": _rng(), "T": 300},
         fuzz=("T",)),
    Case(T + "eval_existence", RT.eval_existence,
         lambda: {"inst": RT.sample_bimatrix(_rng(), n_hi=3)}, check=_pair_ok, fuzz=()),
    Case(T + "experiment_existence", RT.experiment_existence,
         lambda: {"rng": _rng(), "quick": True}, fuzz=()),
    Case(T + "eval_fictitious_play", RT.eval_fictitious_play,
         lambda: {"inst": RT.sample_fp_game(_rng(), n=2, n_hi=3)}, check=_pair_ok, fuzz=()),
    Case(T + "eval_risk_dominant", RT.eval_risk_dominant,
         lambda: {"inst": RT.sample_stag_hunt(_rng(), T=200)}, check=_pair_ok, fuzz=()),
    Case(T + "eval_min_variance", RT.eval_min_variance,
         lambda: {"inst": RT.sample_bimatrix(_rng(), n_hi=3)}, check=_pair_ok, fuzz=()),
]

EXEMPT = {
    P + "RiskAverseResult": "result record built by risk_averse_equilibrium / "
                            "risk_averse_fictitious_play",
}
