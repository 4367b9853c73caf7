"""Fuzz baselines of :func:`equilibria.solvers.games.solve_zero_sum`; merged into the games
room's cases.  Invariant: a successful result's reported gap is the duality gap of its
strategies and at most ``tol``."""

import numpy as np

from equilibria.solvers import games as G
from equilibria.verification import duality_gap
from tests.fuzz.harness import Case

P = "equilibria.solvers.games."


def _game():
    return np.random.default_rng(0).uniform(-1, 1, size=(4, 3))


def _zs_ok(res, kw):
    assert np.all(res.x >= -1e-12) and abs(res.x.sum() - 1) <= 1e-9
    assert np.all(res.y >= -1e-12) and abs(res.y.sum() - 1) <= 1e-9
    if res.success:
        A = np.asarray(kw["A"], dtype=float)
        g = duality_gap(A, res.x, res.y)
        assert g <= float(kw.get("tol", 1e-6)) * (1 + 1e-9) + 1e-12, f"gap {g} above tol"


CASES = [
    Case(P + "solve_zero_sum", G.solve_zero_sum,
         lambda: {"A": _game(), "tol": 1e-6, "method": "highs", "max_iter": 10_000},
         check=_zs_ok),
]

EXEMPT = {
    P + "ZeroSumResult": "result record built by solve_zero_sum",
}
