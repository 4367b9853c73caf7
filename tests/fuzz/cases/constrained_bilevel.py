"""Fuzz baselines of the bilevel module (:mod:`equilibria.solvers.constrained.bilevel`);
merged into the constrained room's cases.

Invariants: a successful ``bilevel_maid`` run certifies ``||grad F|| <= tol`` (the exact
hypergradient is recomputed by direct solves); a ``hypergradient`` is within its own bound of
the exact hypergradient; ``lower_solve`` returns a point within ``eps`` of the minimiser.
"""

import numpy as np

from equilibria.solvers.constrained import bilevel as BL
from equilibria.solvers.constrained import bilevel_theorems as BT
from tests.fuzz.harness import Case

P = "equilibria.solvers.constrained."
RIDGE = BL.ridge_problem(0, m=20, d=4, p=20)


def _maid_ok(res, kw):
    if not res.success:
        return
    g = np.linalg.norm(RIDGE.closed_form_hypergradient(res.theta))
    assert g <= float(kw.get("tol", 1e-6)) * (1 + 1e-9)
    assert res.lower_history.shape == res.eps_history.shape


def _hyper_ok(res, kw):
    if not res.success:
        return
    th = np.atleast_1d(np.asarray(kw["theta"], dtype=float))
    assert np.linalg.norm(res.grad - RIDGE.exact_hypergradient(th)) <= res.bound * (1 + 1e-9)


CASES = [
    Case(P + "bilevel_maid", lambda **kw: BL.bilevel_maid(RIDGE, **kw),
         lambda: {"theta0": np.array([0.0]), "tol": 1e-6, "eps0": 0.1, "max_iter": 200},
         check=_maid_ok),
    Case(P + "bilevel_maid", lambda **kw: BL.bilevel_maid(RIDGE, **kw),
         lambda: {"theta0": np.array([0.0]), "tol": 1e-5, "schedule": "cubic",
                  "max_iter": 100}, check=_maid_ok),
    Case(P + "hypergradient", lambda **kw: BL.hypergradient(RIDGE, **kw),
         lambda: {"theta": np.array([-0.5]), "eps": 1e-3, "delta": 1e-3}, check=_hyper_ok),
]


def _problem_ok(res, kw):
    th = np.full(res.n_theta, 0.1)
    x = res.solve_exact(th)
    assert x.shape == (res.dim,) and np.all(np.isfinite(x))
    assert np.linalg.norm(res.lower_grad(x, th)) <= 1e-6 * (1 + np.linalg.norm(x))


CASES += [
    Case(P + "ridge_problem", BL.ridge_problem,
         lambda: {"seed": 0, "m": 10, "d": 3, "p": 10, "noise": 0.5}, check=_problem_ok),
    Case(P + "multi_ridge_problem", BL.multi_ridge_problem,
         lambda: {"seed": 0, "m": 10, "d": 3, "p": 10}, check=_problem_ok),
    Case(P + "tv_denoising_problem", BL.tv_denoising_problem,
         lambda: {"seed": 0, "d": 16, "noise": 0.1, "gamma": 0.05}, check=_problem_ok),
]

def _figure_ok(res, kw):
    import matplotlib.pyplot as plt

    assert res.axes, "no axes"
    plt.close(res)


def _bound_ok(res, kw):
    assert np.isfinite(res) and res >= 0.0


def _value_ok(res, kw):
    assert np.all(np.isfinite(res))


def _sample_ok(res, kw):
    assert isinstance(res, dict) and res["kind"] in ("ridge", "multi", "tv")


def _evaluated(res, kw):
    meas, bound = res[:2]
    assert np.isfinite(meas) and np.isfinite(bound)


def _inst_case(name, fn, sample, **kw):
    return Case(name, lambda **k: fn(k), sample, check=_evaluated, fuzz=(), **kw)


_HB = {"eps": 1e-3, "delta": 1e-3, "norm_B": 2.0, "norm_grad_f": 1.5, "mu": 0.5, "L_f": 1.0,
       "L_B": 1.0, "L_H": 0.0}

CASES += [
    Case(P + "bilevel.hypergradient_bound", BL.hypergradient_bound, lambda: dict(_HB),
         check=_bound_ok),
    Case(P + "bilevel.bilevel_figure", BL.bilevel_figure,
         lambda: {"problem": RIDGE, "theta0": np.array([0.0]), "tol": 1e-4, "max_iter": 30,
                  "schedules": ("adaptive", "cubic")}, check=_figure_ok, fuzz=("theta0", "tol",
                                                                            "max_iter"),
         timeout=60.0),
    Case(P + "BilevelProblem.objective", RIDGE.objective, lambda: {"theta": np.array([0.3])},
         check=_value_ok),
    Case(P + "BilevelProblem.exact_hypergradient", RIDGE.exact_hypergradient,
         lambda: {"theta": np.array([0.3])}, check=_value_ok),
    Case(P + "RidgeProblem.closed_form_hypergradient", RIDGE.closed_form_hypergradient,
         lambda: {"theta": np.array([0.3])}, check=_value_ok),
    Case(P + "bilevel_theorems.sample_quadratic_bilevel", BT.sample_quadratic_bilevel,
         lambda: {"rng": np.random.default_rng(0), "d": 3}, check=_sample_ok, fuzz=()),
    Case(P + "bilevel_theorems.sample_bilevel", BT.sample_bilevel,
         lambda: {"rng": np.random.default_rng(0), "d": 3}, check=_sample_ok, fuzz=()),
    _inst_case(P + "bilevel_theorems.evaluate_maid_stationarity", BT.evaluate_maid_stationarity,
               lambda: BT.sample_quadratic_bilevel(np.random.default_rng(1), 3), timeout=60.0),
    _inst_case(P + "bilevel_theorems.evaluate_maid_error_bound", BT.evaluate_maid_error_bound,
               lambda: BT.sample_bilevel(np.random.default_rng(1), 3), timeout=60.0),
    _inst_case(P + "bilevel_theorems.evaluate_maid_fewer_inner_iterations",
               BT.evaluate_maid_fewer_inner_iterations,
               lambda: BT.sample_quadratic_bilevel(np.random.default_rng(1), 3), timeout=60.0),
]

_ORACLE = ("problem oracle on the solvers' hot path, called with validated arrays (not "
           "re-validated per call); exercised by every bilevel_maid / hypergradient case and "
           "tests/constrained/test_bilevel.py")
EXEMPT = {
    **{P + f"{cls}.{m}": _ORACLE
       for cls, methods in {
           "BilevelProblem": ("constants", "cross", "lower_grad", "lower_hess", "solve_exact",
                              "upper", "upper_grad"),
           "RidgeProblem": ("constants", "cross", "lower_grad", "lower_hess", "solve_exact",
                            "upper", "upper_grad"),
           "MultiRidgeProblem": ("closed_form_hypergradient", "constants", "cross",
                                 "lower_grad", "lower_hess", "solve_exact"),
           "TVDenoisingProblem": ("constants", "cross", "lower_grad", "lower_hess",
                                  "lower_value", "solve_exact", "upper", "upper_grad"),
       }.items() for m in methods},
    P + "BilevelResult": "result record built by bilevel_maid, not an input API",
    P + "HypergradientResult": "result record built by hypergradient, not an input API",
    P + "BilevelProblem": "abstract base class for a user's problem (subclassed, not called)",
    P + "RidgeProblem": "problem class built by ridge_problem (fuzzed there)",
    P + "MultiRidgeProblem": "problem class built by multi_ridge_problem (fuzzed there)",
    P + "TVDenoisingProblem": "problem class built by tv_denoising_problem (fuzzed there)",
}
