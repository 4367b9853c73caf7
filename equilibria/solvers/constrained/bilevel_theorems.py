"""Theorems of MAID, bilevel learning with adaptive inexactness (issue 18 part 4).

Registered for ``equilibria verify`` (the constrained room's ``theorems`` module imports this
one).  Instances: random ridge-parameter problems and multi-hyperparameter quadratics (convex
quadratic lower levels) and, for the error bound, 1-D smoothed-TV denoising.  See
:mod:`equilibria.solvers.constrained.bilevel`.

Where each statement comes from: stationarity is the convergence claim of Salehi, Mukherjee,
Roberts & Ehrhardt (2024), arXiv 2308.10098 (only the abstract was readable here: "show
convergence to a stationary point"); the hypergradient error bound is the standard
implicit-function perturbation bound (Ehrhardt & Roberts 2023, arXiv 2301.04764, a-posteriori
bounds; derived term by term in :func:`bilevel.hypergradient`); the comparison with fixed
schedules is the paper's empirical claim against Pedregosa (2016), HOAG, registered on the
sampled instances with a stated slack.
"""

from __future__ import annotations

import warnings

import numpy as np

from equilibria._lib.result import ConvergenceWarning
from equilibria.verification import theorem
from equilibria.verification.user import check_algorithm, user_array

from . import bilevel as BL

__all__ = ["sample_quadratic_bilevel", "sample_bilevel", "evaluate_maid_stationarity",
           "evaluate_maid_error_bound", "evaluate_maid_fewer_inner_iterations",
           "STATIONARITY", "ERROR_BOUND", "FEWER_INNER", "STATIONARITY_TOL", "COMPARE_SLACK",
           "HYPERGRADIENT_PROTOCOL", "N_USER_POINTS"]

_MAID = ("Salehi, Mukherjee, Roberts, Ehrhardt (2024), An adaptively inexact first-order "
         "method for bilevel optimization with application to hyperparameter learning, arXiv "
         "2308.10098 (abstract; constants from the authors' MAID.py)")
#: required exact hypergradient norm at the returned point
STATIONARITY_TOL = 1e-6
#: allowed ratio of MAID's lower-level iterations to the best fixed schedule's
COMPARE_SLACK = 1.25
#: the user protocol of constrained.maid_error_bound
HYPERGRADIENT_PROTOCOL = (
    "algorithm(problem, theta, eps, delta) -> (h, x): an inexact hypergradient h (n_theta,) of "
    "F(theta) = f(x*(theta)) + (reg/2)||theta||^2 computed from a lower-level point x (dim,) "
    "with ||x - x*(theta)|| <= eps and the adjoint H(x) q = grad f(x) solved to residual "
    "<= delta; called at up to 12 of MAID's iterates (theta_k, eps_k, delta_k = eps_k); the "
    "bound omega is recomputed from the returned x and the problem's constants, and "
    "||x - x*|| <= eps is checked against an exact solve; e.g. "
    "`lambda P, th, e, d: ((r := hypergradient(P, th, eps=e, delta=d)).grad, r.x)`")
#: at most this many of MAID's iterates are handed to a user's hypergradient
N_USER_POINTS = 12


def _make(inst):
    kind, seed = inst["kind"], int(inst["seed"])
    if kind == "ridge":
        return BL.ridge_problem(seed, d=int(inst["d"]))
    if kind == "multi":
        return BL.multi_ridge_problem(seed, d=int(inst["d"]))
    if kind == "tv":
        return BL.tv_denoising_problem(seed, d=8 * int(inst["d"]))
    raise ValueError(f"unknown instance `kind`={kind!r}; valid: 'ridge', 'multi', 'tv'")


def _theta0(P):
    return np.full(P.n_theta, np.log(0.1) if isinstance(P, BL.TVDenoisingProblem) else 0.0)


def _run(P, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return BL.bilevel_maid(P, _theta0(P), **kw)


def sample_quadratic_bilevel(rng, d=None):
    """A ridge or multi-hyperparameter quadratic instance (``d`` in [2, 8] features)."""
    d = int(rng.integers(2, 9)) if d is None else int(d)
    return {"kind": str(rng.choice(["ridge", "multi"])), "seed": int(rng.integers(0, 2**31 - 1)),
            "d": d}


def sample_bilevel(rng, d=None):
    """A ridge, multi-hyperparameter quadratic or smoothed-TV instance (size ``d`` in [2, 8];
    TV signals have length 8 d)."""
    inst = sample_quadratic_bilevel(rng, d)
    inst["kind"] = str(rng.choice(["ridge", "multi", "tv"]))
    return inst


@theorem(
    name="constrained.maid_stationarity",
    source=_MAID + " (convergence to a stationary point)",
    assumptions=("lower level convex quadratic, strongly convex (ridge / per-coordinate ridge)",
                 "upper loss convex quadratic (validation least squares)",
                 "MAID with eps0 = 0.1, tol = 1e-6 on the certified norm ||h|| + omega"),
    tightness="MAID stops once ||h|| + omega <= tol = 1e-6 = the bound, so the ratio is "
              "||grad F|| / (||h|| + omega), typically 0.1..1: the check fails if the error "
              "bound omega or the hypergradient is wrong, or the method stops early.  (At "
              "tol = 1e-7 the certified line search stalls at eps_min on 7 of 60 drawn "
              "instances: certifying a decrease needs ||grad f|| eps < eta^2 a ||h||^2.)  "
              "tests/constrained/test_bilevel.py::"
              "test_stationarity_fails_with_a_wrong_algorithm shows the check can fail",
    sample=sample_quadratic_bilevel, sizes={"d": (2, 8)}, n_instances=(3, 30), examples=5,
    protocol="algorithm(problem, theta0) -> BilevelResult")
def evaluate_maid_stationarity(inst, *, algorithm=None):
    """On convex-quadratic lower levels MAID returns a point whose exact hypergradient norm is
    below 1e-6 (run with tol = 1e-6 on the certified bound ||h|| + omega).

    Measured: ||grad F(theta_final)|| (exact, direct solves), inf when the run failed; bound
    1e-6."""
    P = _make(inst)
    if algorithm is None:
        res = _run(P, tol=STATIONARITY_TOL, max_iter=500)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            res = algorithm(P, _theta0(P))
    if not res.success:
        return np.inf, STATIONARITY_TOL
    return float(np.linalg.norm(P.exact_hypergradient(res.theta))), STATIONARITY_TOL


@theorem(
    name="constrained.maid_error_bound",
    source="Standard theory: implicit-function perturbation bound (Ehrhardt & Roberts 2023, "
           "Analyzing inexact hypergradients for bilevel learning, arXiv 2301.04764, "
           "a-posteriori form), applied along MAID's iterates",
    assumptions=("g(., theta) mu-strongly convex with L_H-Lipschitz Hessian, B(., theta) "
                 "L_B-Lipschitz; f convex with L_f-Lipschitz gradient",
                 "ridge, multi-hyperparameter quadratic and smoothed-TV (gamma = 0.05) "
                 "instances; 60 outer iterations"),
    tightness="On quadratic instances the largest ratio error / omega is about 0.2-0.3 (the "
              "eps L_f ||B|| / mu term is nearly attained when x~ - x* aligns with the top "
              "eigenvector); on TV the L_H term is loose (ratio < 0.05). "
              "tests/constrained/test_bilevel.py::test_error_bound_ratio_on_quadratics, "
              "ratio >= 0.1; test_error_bound_fails_with_a_wrong_constant shows it can fail",
    sample=sample_bilevel, sizes={"d": (2, 8)}, n_instances=(4, 30), examples=5,
    protocol=HYPERGRADIENT_PROTOCOL)
def evaluate_maid_error_bound(inst, *, constants=None, algorithm=None):
    """At every iteration of MAID the inexact hypergradient h_k is within the a-posteriori
    bound omega_k = (||B||/mu) delta + (||B|| L_f/mu) eps + (L_B/mu + ||B|| L_H/mu^2)
    (||grad f(x~)|| + L_f eps) eps of the exact hypergradient.

    Measured: max_k ||h_k - grad F(theta_k)|| / omega_k; bound 1.

    With ``algorithm`` (:data:`HYPERGRADIENT_PROTOCOL`) the user's hypergradient is called at
    up to :data:`N_USER_POINTS` evenly spaced iterates ``(theta_k, eps_k)`` of the package's
    MAID run, with ``delta_k = eps_k``; ``omega`` is recomputed from the returned ``x`` (its
    ``||B(x, theta)||`` and ``||grad f(x)||``) and the problem's constants.  Measured: the
    largest of ``||h - grad F(theta_k)|| / omega`` and ``||x - x*(theta_k)|| / eps_k`` (the
    second checks the accuracy contract the bound assumes); a non-finite return is a
    violation."""
    P = _make(inst)
    res = _run(P, tol=1e-7, max_iter=60, constants=constants)
    if res.n_iter == 0:
        return np.inf, 1.0
    if algorithm is not None:
        return _user_error_ratio(check_algorithm(algorithm, HYPERGRADIENT_PROTOCOL), P, res,
                                 constants), 1.0
    r = [float(np.linalg.norm(h - P.exact_hypergradient(t))) / w
         for t, h, w in zip(res.theta_history, res.grad_history, res.bound_history)]
    return max(r), 1.0


def _user_error_ratio(algorithm, P, res, constants):
    """max over sampled iterates of error / omega and ||x - x*|| / eps for a user's
    hypergradient (:data:`HYPERGRADIENT_PROTOCOL`)."""
    K = len(res.theta_history)
    idx = np.unique(np.linspace(0, K - 1, min(K, N_USER_POINTS)).round().astype(int))
    worst = 0.0
    for k in idx:
        th = np.array(res.theta_history[k], dtype=float)
        eps = float(res.eps_history[k])
        out = algorithm(P, th.copy(), eps, eps)
        if not isinstance(out, tuple) or len(out) != 2:
            raise TypeError("`algorithm` must return a pair (h, x) (HYPERGRADIENT_PROTOCOL), got "
                            f"{type(out).__name__}")
        h = user_array(out[0], (P.n_theta,), "the hypergradient h")
        x = user_array(out[1], (P.dim,), "the lower-level point x")
        if not (np.all(np.isfinite(h)) and np.all(np.isfinite(x))):
            return np.inf
        c = P.constants(th) if constants is None else constants(P, th)
        omega = BL._omega(eps, eps, float(np.linalg.norm(P.cross(x, th), 2)),
                          float(np.linalg.norm(P.upper_grad(x))), c["mu"], c["L_f"], c["L_B"],
                          c["L_H"])
        err = float(np.linalg.norm(h - P.exact_hypergradient(th)))
        dx = float(np.linalg.norm(x - P.solve_exact(th)))
        worst = max(worst, err / omega, dx / eps)
    return worst


def _inner_to_reach(P, res, target):
    """Cumulative lower-level iterations at the first iterate whose exact norm <= target."""
    for t, n in zip(res.theta_history, res.lower_history):
        if np.linalg.norm(P.exact_hypergradient(t)) <= target:
            return float(n)
    return np.inf


@theorem(
    name="constrained.maid_fewer_inner_iterations",
    source=_MAID + " (numerical experiments: fewer lower-level iterations than a-priori "
           "schedules); baseline: Pedregosa (2016), HOAG, ICML",
    assumptions=("ridge and multi-hyperparameter quadratic instances",
                 "MAID to tol 1e-6; HOAG with eps_k = 0.1 (k+1)^-2, 0.1 (k+1)^-3, 0.1 0.9^k "
                 "and the same line search, 250 outer iterations",
                 "accuracy: the exact ||grad F|| MAID reached"),
    tightness="Not a theorem of the paper but its empirical claim: on most instances the "
              "ratio is 0.1-0.3 (quadratic/cubic schedules never reach the accuracy); the "
              "exponential schedule can match MAID (to tol 1e-6 on ridge_problem(0): 3003 "
              "lower-level iterations against MAID's 3214), hence the slack 1.25. "
              "tests/constrained/test_bilevel.py::"
              "test_fewer_inner_iterations_holds_and_fails_without_adaptivity shows the check "
              "can fail",
    sample=sample_quadratic_bilevel, sizes={"d": (2, 6)}, n_instances=(1, 12), examples=3,
    protocol="algorithm(problem, theta0) -> BilevelResult")
def evaluate_maid_fewer_inner_iterations(inst, *, algorithm=None):
    """MAID reaches a given hypergradient accuracy with at most 1.25 times the lower-level
    iterations of the best fixed a-priori schedule of HOAG (quadratic, cubic, exponential).

    Measured: inner(MAID) / min over schedules of inner(HOAG to the same exact accuracy);
    bound 1.25."""
    P = _make(inst)
    if algorithm is None:
        res = _run(P, tol=1e-6, max_iter=500)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            res = algorithm(P, _theta0(P))
    if res.n_iter == 0:
        return np.inf, COMPARE_SLACK
    target = float(np.linalg.norm(P.exact_hypergradient(res.theta_history[-1])))
    mine = _inner_to_reach(P, res, target)
    best = min(_inner_to_reach(P, _run(P, schedule=s, tol=1e-6, max_iter=250), target)
               for s in BL.SCHEDULES)
    return mine / best, COMPARE_SLACK


STATIONARITY = evaluate_maid_stationarity.theorem
ERROR_BOUND = evaluate_maid_error_bound.theorem
FEWER_INNER = evaluate_maid_fewer_inner_iterations.theorem
