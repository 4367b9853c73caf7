"""Fuzz baselines of the sketching room (:mod:`equilibria.solvers.sketch`).  Invariants: the
sketched solution is finite and, when ``success``, passes its certificate; the l-infinity and
l2 errors match ``x - x_star``; sketches keep their shapes; confidence intervals are ordered
and contain the frequency."""

import numpy as np

from equilibria.solvers import sketch as S
from equilibria.solvers.sketch import theorems as ST
from tests.fuzz.harness import Case

P = "equilibria.solvers.sketch."
T = P + "theorems."


def _system(n=64, d=3):
    return ST.incoherent_instance(np.random.default_rng(0), n=n, d=d)


def _solve_ok(res, kw):
    assert np.all(np.isfinite(res.x)) and res.x.shape == (np.asarray(kw["A"]).shape[1],)
    err = res.x - res.x_star
    assert abs(res.linf_error - np.max(np.abs(err))) <= 1e-12 * (1 + res.linf_error)
    if res.success:
        assert res.certificate <= 1e-10 and res.rank == err.size


def _sketch_ok(res, kw):
    assert (res.m, res.n) == (int(kw["m"]), int(kw["n"]))


def _interval_ok(res, kw):
    lo, hi = res
    assert 0.0 <= lo <= kw["k"] / kw["n"] <= hi <= 1.0


def _apply(**kw):
    return S.sketch("srht", 8, 20, seed=0).apply(**kw)


def _plot(fn):
    def call(**kw):
        import matplotlib
        matplotlib.use("Agg")
        return fn(**kw)
    return call


CASES = [
    Case(P + "sketch", S.sketch, lambda: {"kind": "countsketch", "m": 5, "n": 30, "seed": 0},
         check=_sketch_ok),
    Case(P + "Sketch", S.Sketch, lambda: {"kind": "gaussian", "m": 2, "n": 4, "seed": 1},
         check=_sketch_ok),
    Case(P + "Sketch.apply", _apply, lambda: {"X": np.arange(40.0).reshape(20, 2)}),
    Case(P + "sketch_and_solve", S.sketch_and_solve,
         lambda: dict(zip(("A", "b"), _system())) | {"m": 24, "kind": "gaussian", "seed": 0,
                                                      "delta": 0.1},
         check=_solve_ok, fuzz=("A", "b", "m", "kind", "delta")),
    Case(P + "leverage_scores", S.leverage_scores, lambda: {"A": _system()[0]}),
    Case(P + "linf_eps", S.linf_eps, lambda: {"m": 32, "n": 256, "d": 4, "delta": 0.1}),
    Case(P + "linf_bound", S.linf_bound,
         lambda: {"eps": 0.5, "d": 4, "residual_norm": 2.0, "pinv_norm": 0.3}),
    Case(P + "clopper_pearson", S.clopper_pearson, lambda: {"k": 3, "n": 40, "level": 0.9},
         check=_interval_ok),
    Case(P + "linf_ratios", S.linf_ratios,
         lambda: dict(zip(("A", "b"), _system())) | {"m": 16, "seeds": 5, "kind": "srht"},
         fuzz=("A", "b", "m", "kind"), finite_output=False),
    Case(P + "plot_error_vs_m", _plot(S.plot_error_vs_m),
         lambda: dict(zip(("A", "b"), _system(32, 2))) | {"ms": [4, 8], "kinds": ("srht",),
                                                          "n_seeds": 3},
         fuzz=("ms", "n_seeds")),
    Case(P + "plot_failure_vs_m", _plot(S.plot_failure_vs_m),
         lambda: dict(zip(("A", "b"), _system(32, 2))) | {"ms": [4, 8], "kinds": ("srht",),
                                                          "n_seeds": 3, "level": 0.9},
         fuzz=("ms", "n_seeds", "level")),
    Case(T + "incoherent_instance", ST.incoherent_instance,
         lambda: {"rng": np.random.default_rng(0), "n": 16, "d": 2, "noise": 0.5},
         fuzz=("n", "d", "noise")),
    Case(T + "coherent_instance", ST.coherent_instance,
         lambda: {"rng": np.random.default_rng(0), "n": 32, "d": 3, "heavy": 2},
         fuzz=("n", "d", "heavy")),
]

EXEMPT = {
    P + "SketchSolveResult": "result record built by sketch_and_solve",
    T + "linf_error_ratios": "theorem helper on validated instances (covered by the theorems)",
    T + "failure_count": "theorem helper on ratio arrays (covered by the theorems)",
    T + "embedding_distortions": "theorem helper (covered by sketch.l2_embedding_gaussian)",
}
