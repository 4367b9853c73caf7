"""Q-learning firms in the repeated Cournot market under the three governance regimes, and the
auditable decision log (issue 17, part 2)."""

import dataclasses
import warnings

import numpy as np
import pytest

from equilibria._lib.result import ConvergenceWarning
from equilibria.solvers.games.cournot import cournot_game
from equilibria.solvers.games.cournot_learning import (DecisionLog, GovernanceGraph,
                                                       cournot_learning, governance_diagram)

GAME = cournot_game(2)
SEEDS = (0, 1, 2, 3)


@pytest.fixture(scope="module")
def runs():
    graph = GovernanceGraph.default(sanction=0.05, threshold=1.0)
    return {rg: [cournot_learning(GAME, regime=rg, graph=graph, seed=s) for s in SEEDS]
            for rg in ("ungoverned", "constitutional", "institutional")}


def test_ungoverned_learners_collude(runs):
    """Calvano et al. (2020)'s finding, on quantities: supra-competitive outcomes without any
    communication (mean index well above 0 = Cournot-Nash)."""
    un = runs["ungoverned"]
    assert all(r.success for r in un)
    assert np.mean([r.collusion_index for r in un]) > 0.5
    assert all(r.log is None for r in un)


def test_constitutional_fines_are_declared_but_never_felt(runs):
    un, co = runs["ungoverned"], runs["constitutional"]
    for u, c in zip(un, co, strict=True):
        assert c.collusion_index == u.collusion_index and c.periods == u.periods
        np.testing.assert_array_equal(c.index_trace, u.index_trace)
    assert sum(c.fines_paid.sum() for c in co) > 0  # declared, logged, not felt


def test_institutional_sanctions_deter(runs):
    un = np.mean([r.collusion_index for r in runs["ungoverned"]])
    inst = np.mean([r.collusion_index for r in runs["institutional"]])
    assert inst < un - 0.3 and inst < 0.4


def test_log_verifies_replays_and_detects_tampering(runs):
    graph = GovernanceGraph.default(sanction=0.05, threshold=1.0)
    r = runs["institutional"][0]
    log = r.log
    assert log.states.size == r.periods and log.actions.shape == (r.periods, 2)
    assert log.verify(b"equilibria-governance") and not log.verify(b"another key")
    assert log.replay(graph, GAME, r.grid)
    # a changed decision breaks the chain and the replay
    states = log.states.copy()
    states[len(states) // 2] = (states[len(states) // 2] + 1) % 4
    forged = dataclasses.replace(log, states=states)
    assert not forged.verify(b"equilibria-governance")
    assert not forged.replay(graph, GAME, r.grid)
    # a dropped block breaks the chain
    dropped = dataclasses.replace(log, digests=log.digests[:-1])
    assert not dropped.verify(b"equilibria-governance")
    # another manifest does not replay the log
    assert not log.replay(GovernanceGraph.default(sanction=0.05, threshold=0.5), GAME, r.grid)
    rebuilt = DecisionLog.build(log.actions, log.states, log.manifest, b"equilibria-governance")
    assert rebuilt.digests == log.digests


def test_not_converged_reports_it():
    with pytest.warns(ConvergenceWarning):
        r = cournot_learning(GAME, seed=0, max_periods=1000)
    assert not r.success and r.periods == 1000 and r.status == 1


def test_governance_diagram_serial_equals_parallel():
    from concurrent.futures import ThreadPoolExecutor

    kw = dict(seeds=(0,), max_periods=20_000, stable_periods=1_000, beta=5e-4, progress=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = governance_diagram(GAME, [0.0, 0.05], [0.5, 1.0], **kw)
        with ThreadPoolExecutor(2) as ex:
            b = governance_diagram(GAME, [0.0, 0.05], [0.5, 1.0], executor=ex, **kw)
    np.testing.assert_array_equal(a.index, b.index)
    assert a.index.shape == (2, 2) and a.collusion_gain == pytest.approx(1 / 8 - 1 / 9)


@pytest.mark.parametrize("kw, match", [
    (dict(regime="anarchy"), "`regime`"), (dict(m=1), "`m`"), (dict(alpha=0.0), "`alpha`"),
    (dict(delta=1.0), "`delta`"), (dict(key="secret"), "`key`"),
    (dict(graph="default"), "`graph`"),
])
def test_bad_arguments_name_themselves(kw, match):
    with pytest.raises((ValueError, TypeError), match=match):
        cournot_learning(GAME, **kw)


def test_graph_manifest_is_validated():
    with pytest.raises(ValueError, match="`transitions`"):
        GovernanceGraph(("a", "b"), {("a", "competitive"): "a"}, {})
    with pytest.raises(ValueError, match="unknown state"):
        GovernanceGraph(("a",), {("a", "competitive"): "a", ("a", "collusive"): "a"},
                        {"z": 1.0})
    with pytest.raises(ValueError, match="`threshold`"):
        GovernanceGraph.default(threshold=1.5)
    with pytest.raises(ValueError, match="2 or 3 firms"):
        cournot_learning(cournot_game(5))
