"""Fuzz baselines of the Cournot market (:mod:`equilibria.solvers.games.cournot`,
``cournot_learning``, ``cournot_plots``, ``cournot_theorems``); merged into the games room's
cases.  Invariants: outcomes carry their certificates, thresholds are the closed forms, logs
verify and replay."""

import numpy as np

from equilibria.solvers import games as G
from equilibria.solvers.games import cournot_theorems as CT
from tests.fuzz.harness import Case

P = "equilibria.solvers.games."
T = P + "cournot_theorems."


def _game(n=2):
    return G.cournot_game(n, a=3.0, b=0.5, c=1.0)


def _outcome_ok(res, kw):
    if res.success:
        assert abs(res.certificate) <= 1e-9 * max(1.0, 4.0 / 0.5), "certificate not met"
    assert np.all(res.quantities >= 0) and np.all(np.isfinite(res.profits))


def _threshold_ok(res, kw):
    assert res >= 0 and np.isfinite(res)


def _learning_ok(res, kw):
    assert res.mean_profit.shape == (2,) and np.isfinite(res.collusion_index)
    if res.log is not None:
        assert res.log.verify(bytes(kw.get("key", b"equilibria-governance")))


def _path_ok(res, kw):
    assert res.ndim == 2 and np.all(res >= 0)


def _pair_ok(res, kw):
    assert np.isfinite(res[0]) and np.isfinite(res[1])


_LEARN = dict(max_periods=3_000, stable_periods=200, beta=2e-3, m=5, eval_periods=50,
              trace_every=500, seed=0)


def _method(name):
    def call(**kw):
        return getattr(_game(), name)(**kw)
    return call


def _log():
    r = G.cournot_learning(_game(), regime="constitutional", **_LEARN)
    return r


def _log_verify(**kw):
    return _log().log.verify(**kw)


def _log_replay(**kw):
    r = _log()
    return r.log.replay(G.GovernanceGraph.default(), _game(), r.grid, **kw)


def _log_build(**kw):
    return G.DecisionLog.build(**kw)


def _diagram_plot(**kw):
    import matplotlib
    matplotlib.use("Agg")
    d = G.governance_diagram(_game(), [0.0, 0.1], [0.5], seeds=(0,), progress=False,
                             **{k: v for k, v in _LEARN.items() if k != "seed"})
    return d.plot(**kw)


def _plot_time(**kw):
    import matplotlib
    matplotlib.use("Agg")
    return G.plot_collusion_over_time([G.cournot_learning(_game(), **_LEARN)], **kw)


CASES = [
    Case(P + "cournot_game", G.cournot_game, lambda: {"n": 3, "a": 3.0, "b": 0.5, "c": 1.0}),
    Case(P + "cournot_nash", G.cournot_nash, lambda: {"game": _game(3)}, check=_outcome_ok),
    Case(P + "cournot_collusive", G.cournot_collusive, lambda: {"game": _game(3)},
         check=_outcome_ok),
    Case(P + "cournot_deviation", G.cournot_deviation, lambda: {"game": _game(3)},
         check=_outcome_ok),
    Case(P + "collusion_index", G.collusion_index, lambda: {"profit": 0.5, "game": _game()}),
    Case(P + "grim_trigger_threshold", G.grim_trigger_threshold,
         lambda: {"game": _game(), "sanction": 0.1, "detection": 0.5}, check=_threshold_ok),
    Case(P + "best_response_dynamics", G.best_response_dynamics,
         lambda: {"game": _game(), "q0": np.array([0.5, 1.0]), "steps": 10},
         check=_path_ok, fuzz=("q0", "steps")),
    Case(P + "CournotGame", G.CournotGame, lambda: {"n": 2, "a": 3.0, "b": 0.5, "c": 1.0},
         fuzz=()),
    Case(P + "CournotGame.price", _method("price"), lambda: {"q": np.array([0.5, 1.0])}),
    Case(P + "CournotGame.profits", _method("profits"), lambda: {"q": np.array([0.5, 1.0])}),
    Case(P + "CournotGame.best_response", _method("best_response"),
         lambda: {"q": np.array([0.5, 1.0])}),
    Case(P + "CournotGame.exploitability", _method("exploitability"),
         lambda: {"q": np.array([0.5, 1.0])}),
    Case(P + "cournot_learning", G.cournot_learning,
         lambda: {"game": _game(), "regime": "institutional", **_LEARN}, check=_learning_ok),
    Case(P + "GovernanceGraph.default", G.GovernanceGraph.default,
         lambda: {"sanction": 0.1, "threshold": 0.5}),
    Case(P + "GovernanceGraph", G.GovernanceGraph,
         lambda: {"states": ("a", "b"),
                  "transitions": {("a", "competitive"): "a", ("a", "collusive"): "b",
                                  ("b", "competitive"): "a", ("b", "collusive"): "b"},
                  "sanctions": {"b": 0.2}, "threshold": 0.5}, fuzz=("threshold",)),
    Case(P + "DecisionLog.verify", _log_verify, lambda: {"key": b"equilibria-governance"},
         fuzz=()),
    Case(P + "DecisionLog.replay", _log_replay, lambda: {"start": 0}),
    Case(P + "DecisionLog.build", _log_build,
         lambda: {"actions": np.zeros((3, 2), dtype=np.int8),
                  "states": np.zeros(3, dtype=np.int8), "manifest": "m", "key": b"k"},
         fuzz=()),
    Case(P + "governance_diagram", G.governance_diagram,
         lambda: {"game": _game(), "sanctions": np.array([0.0, 0.1]),
                  "thresholds": np.array([0.5]), "seeds": (0,), "progress": False,
                  **{k: v for k, v in _LEARN.items() if k != "seed"}},
         fuzz=("sanctions", "thresholds")),
    Case(P + "GovernanceDiagram.plot", _diagram_plot, lambda: {"title": "t"}, fuzz=("title",), allow={"title": {"unknown_option", "numeric_str"}}),
    Case(P + "plot_collusion_over_time", _plot_time, lambda: {"title": "t"}, fuzz=("title",), allow={"title": {"unknown_option", "numeric_str"}}),
    Case(P + "plot_governance_diagram", lambda **kw: _diagram_plot(**kw),
         lambda: {"title": "t"}, fuzz=("title",), allow={"title": {"unknown_option", "numeric_str"}}),
    Case(T + "sample_market", CT.sample_market,
         lambda: {"rng": np.random.default_rng(0), "n": 3}),
    Case(T + "simulated_threshold", CT.simulated_threshold,
         lambda: {"game": _game(), "sanction": 0.05, "detection": 0.5}, fuzz=()),
    Case(T + "eval_nash_closed_form", CT.eval_nash_closed_form,
         lambda: {"inst": CT.sample_market(np.random.default_rng(0), n=3)}, check=_pair_ok),
    Case(T + "eval_grim_trigger", CT.eval_grim_trigger,
         lambda: {"inst": CT.sample_market(np.random.default_rng(0), n=3)}, check=_pair_ok),
    Case(T + "eval_deterrence", CT.eval_deterrence,
         lambda: {"inst": CT.sample_market(np.random.default_rng(0), n=3)}, check=_pair_ok),
    Case(T + "eval_br_duopoly", CT.eval_br_duopoly,
         lambda: {"inst": CT.sample_duopoly(np.random.default_rng(0), T=5)}, check=_pair_ok),
    Case(T + "eval_br_oligopoly", CT.eval_br_oligopoly,
         lambda: {"inst": CT.sample_oligopoly(np.random.default_rng(0), n=4, T=3)},
         check=_pair_ok),
    # the package's implementations through the theorems' user protocols (issue 13)
    Case(T + "nash_protocol_solver", CT.nash_protocol_solver, lambda: {"game": _game(3)},
         check=lambda res, kw: np.testing.assert_allclose(res, (3.0 - 1.0) / (0.5 * 4.0))),
    Case(T + "grim_protocol_threshold", CT.grim_protocol_threshold,
         lambda: {"game": _game(), "sanction": 0.1, "detection": 0.5}, check=_threshold_ok),
    Case(T + "br_protocol_dynamics", CT.br_protocol_dynamics,
         lambda: {"game": _game(), "q0": np.array([0.5, 1.0]), "steps": 10},
         check=_path_ok, fuzz=("q0", "steps")),
]

EXEMPT = {
    P + "CournotOutcome": "result record built by cournot_nash / _collusive / _deviation",
    P + "CournotLearningResult": "result record built by cournot_learning",
    P + "GovernanceDiagram": "result record built by governance_diagram",
    P + "DecisionLog": "record built by DecisionLog.build (covered there)",
}
