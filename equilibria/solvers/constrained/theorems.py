"""Theorems of the constrained solvers (discovered by ``equilibria verify``).

Instances are random equality-constrained problems with linearly independent constraint
gradients (:func:`._problems.random_problem`: strongly convex objective plus a quartic term,
constraints ``A x + (eps/2) x^T E_j x = b`` with singular values of ``A`` in [1, 2], feasible by
construction) and random strongly convex QPs with linear inequalities for the primal-dual method.

Source for the sketched augmented Lagrangian: I. Hong, S. Na, M. W. Mahoney, M. Kolar (2023),
"Constrained optimization via exact augmented Lagrangian and randomized iterative sketching",
ICML 2023: global almost-sure convergence, unit step admissible locally and local linear
convergence, superlinear convergence under a sharpened accuracy condition (the paper's
global and local convergence theorems; theorem numbers not checked against the full text).  The descent test and constants are those implemented in :func:`eal_sketch` (see its
Notes for the deviations from the paper).

Each theorem is declared by ``@theorem`` on its evaluate (or experiment) function, whose
docstring's first paragraph is the statement; ``sizes`` are the sampler's size keywords that
property tests let hypothesis choose.
"""

from __future__ import annotations

import dataclasses
import warnings
from typing import Any

import numpy as np

from equilibria.verification import RateData, theorem

from ._problems import random_problem

_SRC = ("Hong, Na, Mahoney, Kolar (ICML 2023), Constrained optimization via exact augmented "
        "Lagrangian and randomized iterative sketching")
_ASSUME = ("f, c twice continuously differentiable",
           "constraint gradients linearly independent (LICQ) near the iterates",
           "Newton-KKT matrices K_t nonsingular with bounded inverse",
           "random instances: n in [3, 8], m in [1, n-1], feasible, strongly convex objective")

THETA = 0.3


def _solve(inst, **kw):
    from .eal import eal_sketch
    p = random_problem(inst["seed"], inst["n"], inst["m"])
    opts = dict(sketch=inst["sketch"], theta=THETA, seed=inst["seed"], max_iter=100)
    opts.update(kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = eal_sketch(p.f, p.c, p.x0, **p.solve_kwargs(), **opts)
    return p, res


def sample_eq_problem(rng, sketches=("kaczmarz", "block", "gaussian"), n=None):
    """Draw an instance: seed, sizes (``n`` in [3, 8] unless given, ``m`` in [1, n-1]) and
    sketch type (one of ``sketches``)."""
    n = int(rng.integers(3, 9)) if n is None else n
    return {"seed": int(rng.integers(0, 2**31 - 1)), "n": n, "m": int(rng.integers(1, n)),
            "sketch": str(rng.choice(list(sketches)))}


def accuracy_schedule(res, *, theta=THETA, sharpen=0.0, eta1_0=1.0, eta2_0=0.1, rho=4.0):
    """Per iteration, the exponent ``j_t`` with ``theta_history[t] * rho^j_t`` equal to the
    formula ``min(theta, sqrt(eta2/eta1)/2, r_t^sharpen)`` (penalties at the start or the end
    of iteration ``t``; ``r_t`` the residual), or NaN where no such integer ``j_t >= 0`` exists.
    ``j_t`` counts the accuracy sharpenings ``theta_t / rho`` of iteration ``t``."""
    r = res.residual_history[:-1]
    e1 = np.asarray(res.eta1_history)
    e2 = np.asarray(res.eta2_history)
    starts = (np.concatenate([[eta1_0], e1[:-1]]), np.concatenate([[eta2_0], e2[:-1]]))
    out = np.full(r.size, np.nan)
    for a1, a2 in ((e1, e2), starts):
        f = np.minimum(theta, 0.5 * np.sqrt(a2 / a1))
        if sharpen > 0:
            f = np.where(r < 1.0, np.minimum(f, r ** sharpen), f)
        j = np.log(f / res.theta_history) / np.log(rho)
        ok = (np.abs(j - np.round(j)) < 1e-9) & (np.round(j) >= 0) & np.isnan(out)
        out[ok] = np.round(j[ok])
    return out


def descent_violation(p, res):
    r"""Largest normalised violation of the descent condition over accepted iterations.

    Recomputes :math:`\nabla\mathcal{L}_\eta(x_t,\lambda_t)^T z_t` from the recorded iterate and
    direction with the problem's own derivatives and compares it with
    :math:`T_t = -\frac{\eta_2}{4}\|\nabla_x\mathcal{L}_t\|^2 - \frac{\eta_1}{4}\|c_t\|^2`:
    returns :math:`\max_t (D_t - T_t)/|T_t|` (``<= 0`` when the condition holds).
    """
    worst = -np.inf
    n = p.n
    for t in range(res.n_iter):
        x, lam, z = res.x_history[t], res.lam_history[t], res.directions[t]
        e1, e2 = res.eta1_history[t], res.eta2_history[t]
        g, J, cv, H = p.grad(x), p.jac(x), p.c(x), p.hess(x, lam)
        Lx = g + J.T @ lam
        gx = Lx + e1 * J.T @ cv + e2 * H @ Lx
        gl = cv + e2 * J @ Lx
        D = gx @ z[:n] + gl @ z[n:]
        T = -0.25 * (e2 * Lx @ Lx + e1 * cv @ cv)
        if T < 0:
            worst = max(worst, (D - T) / abs(T))
    return float(worst) if np.isfinite(worst) else 0.0


_EQ: dict[str, Any] = dict(assumptions=_ASSUME, sample=sample_eq_problem, sizes={"n": (3, 8)},
                           n_instances=(6, 100), examples=15)


#: the convergence and order theorems take a user's method through this protocol (residuals
#: recomputed from the user's iterates with the problem's own derivatives); the descent,
#: unit-step and local-ratio theorems, which read the method's internal histories, take one
#: through :data:`EAL_HISTORY_PROTOCOL`.
EAL_PROTOCOL = ("algorithm(problem, *, tol, max_iter, seed, sharpen, sketch) -> (X, LAM): the "
                "iterates x_t, shape (T + 1, n), and multipliers lam_t, shape (T + 1, m), of the "
                "user's method on `problem` (an equilibria.solvers.constrained Problem: f, c, "
                "grad, jac, hess(x, lam), x0); `sharpen` is 0 (fixed accuracy) or the exponent "
                "of the sharpened accuracy condition, `sketch` the instance's sketch type (may "
                "be ignored); e.g. equilibria.solvers.constrained.theorems.eal_protocol_solver")


def _residuals(p, X, LAM):
    """Euclidean and inf-norm KKT residuals of iterates ``(X, LAM)`` on problem ``p``,
    recomputed with its derivatives (the user's own residuals are not trusted)."""
    X = np.atleast_2d(np.asarray(X, dtype=float))
    LAM = np.asarray(LAM, dtype=float).reshape(X.shape[0], -1)
    if X.shape[1] != p.n or LAM.shape[1] != p.m:
        raise ValueError(f"`algorithm` returned iterates of shapes {X.shape} and {LAM.shape}; "
                         f"expected (T + 1, {p.n}) and (T + 1, {p.m})")
    r2, rinf = np.empty(X.shape[0]), np.empty(X.shape[0])
    for t, (x, lam) in enumerate(zip(X, LAM)):
        Lx = p.grad(x) + p.jac(x).T @ lam
        cv = np.atleast_1d(p.c(x))
        r2[t] = float(np.sqrt(Lx @ Lx + cv @ cv))
        rinf[t] = float(max(np.abs(Lx).max(), np.abs(cv).max()))
    return r2, rinf


def eal_protocol_solver(problem, *, tol, max_iter, seed, sharpen, sketch):
    """The package's :func:`eal_sketch` through :data:`EAL_PROTOCOL` (theta = ``THETA``).

    Parameters
    ----------
    problem : Problem
        An equality-constrained problem with derivatives.
    tol, max_iter, seed, sharpen, sketch
        As for :func:`eal_sketch` (``sharpen`` its accuracy-sharpening exponent).

    Returns
    -------
    X, LAM : ndarray
        The iterates ``(n_iter + 1, n)`` and multipliers ``(n_iter + 1, m)``.
    """
    from .eal import eal_sketch
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = eal_sketch(problem.f, problem.c, problem.x0, **problem.solve_kwargs(),
                         sketch=sketch, theta=THETA, seed=seed, max_iter=max_iter, tol=tol,
                         sharpen=sharpen)
    return res.x_history, res.lam_history


def _user_run(inst, algorithm, *, tol, sharpen=0.0, max_iter=100):
    p = random_problem(inst["seed"], inst["n"], inst["m"])
    X, LAM = algorithm(p, tol=tol, max_iter=max_iter, seed=inst["seed"], sharpen=sharpen,
                       sketch=inst["sketch"])
    return _residuals(p, X, LAM)


#: the protocol of a user's method on the descent, unit-step and local-ratio theorems
EAL_HISTORY_PROTOCOL = (
    "algorithm(problem, *, tol, max_iter, seed, sketch) -> dict with 'X' (T + 1, n) iterates, "
    "'LAM' (T + 1, m) multipliers, 'Z' (T, n + m) directions z_t = (dx_t, dlam_t), 'eta1', "
    "'eta2' (T,) the merit penalties the step of iteration t was taken with and 'theta' (T,) "
    "the relative accuracy ||K_t z_t + grad L_t|| <= theta_t ||grad L_t|| the direction was "
    "computed to; `problem` as in EAL_PROTOCOL.  Nothing else is taken from the user: each "
    "step v_t+1 - v_t must be alpha_t z_t with 0 < alpha_t <= 1 (alpha_t is recovered from it, "
    "ValueError otherwise), the descent condition and the KKT residuals are recomputed with "
    "the problem's derivatives, and theta_t is capped at min(theta, sqrt(eta2/eta1)/2), "
    "theta = 0.3; e.g. equilibria.solvers.constrained.theorems.eal_history_solver")


def eal_history_solver(problem, *, tol, max_iter, seed, sketch):
    """The package's :func:`eal_sketch` through :data:`EAL_HISTORY_PROTOCOL` (theta = ``THETA``).

    Parameters
    ----------
    problem : Problem
        An equality-constrained problem with derivatives.
    tol, max_iter, seed, sketch
        As for :func:`eal_sketch`.

    Returns
    -------
    dict
        ``X`` ``(n_iter + 1, n)``, ``LAM`` ``(n_iter + 1, m)``, ``Z`` ``(n_iter, n + m)``,
        ``eta1``, ``eta2``, ``theta`` ``(n_iter,)``: the recorded histories.
    """
    from .eal import eal_sketch
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = eal_sketch(problem.f, problem.c, problem.x0, **problem.solve_kwargs(),
                         sketch=sketch, theta=THETA, seed=seed, max_iter=max_iter, tol=tol)
    return {"X": res.x_history, "LAM": res.lam_history, "Z": res.directions,
            "eta1": res.eta1_history, "eta2": res.eta2_history, "theta": res.theta_history}


@dataclasses.dataclass(frozen=True)
class UserHistory:
    """A user's run rebuilt from :data:`EAL_HISTORY_PROTOCOL` (see :func:`user_history`).

    It has the fields of :class:`~.eal.EALResult` that the descent, unit-step and local-ratio
    checks read: ``n_iter``, the iterates ``x_history`` / ``lam_history`` and ``directions``,
    the penalties ``eta1_history`` / ``eta2_history``, ``theta_history`` (capped),
    ``step_sizes`` (recovered from the iterates) and ``residual_history`` (recomputed).
    """

    n_iter: int
    x_history: np.ndarray
    lam_history: np.ndarray
    directions: np.ndarray
    eta1_history: np.ndarray
    eta2_history: np.ndarray
    theta_history: np.ndarray
    step_sizes: np.ndarray
    residual_history: np.ndarray


def user_history(p, out) -> UserHistory:
    """Check and rebuild a user's histories (:data:`EAL_HISTORY_PROTOCOL`) on a problem.

    Checks shapes, finiteness and that each step ``v_t+1 - v_t`` is a multiple ``alpha_t z_t``
    (``0 < alpha_t <= 1``, relative error <= 1e-8 plus rounding) of the reported direction;
    ``alpha_t`` within 1e-6 (plus rounding) of 1 counts as a unit step.  The Euclidean KKT
    residuals are recomputed with the problem's derivatives and ``theta_t`` is capped at
    ``min(THETA, sqrt(eta2/eta1)/2)``, so a user cannot loosen the local-ratio check.

    Parameters
    ----------
    p : Problem
        The problem the user's method ran on.
    out : dict
        The method's output: ``X``, ``LAM``, ``Z``, ``eta1``, ``eta2``, ``theta``.

    Returns
    -------
    UserHistory
        The rebuilt run (``ValueError`` naming what is wrong if ``out`` does not follow the
        protocol).
    """
    try:
        X, LAM, Z = (np.asarray(out[k], dtype=float) for k in ("X", "LAM", "Z"))
        e1, e2, th = (np.asarray(out[k], dtype=float).ravel() for k in ("eta1", "eta2", "theta"))
    except (KeyError, TypeError, IndexError) as exc:
        raise ValueError(f"`algorithm` must return a dict with 'X', 'LAM', 'Z', 'eta1', 'eta2' "
                         f"and 'theta' ({exc!r})") from None
    X = np.atleast_2d(X)
    T = X.shape[0] - 1
    LAM = LAM.reshape(T + 1, -1)
    N = p.n + p.m
    if (X.shape[1] != p.n or LAM.shape[1] != p.m or Z.shape != (T, N)
            or not e1.shape == e2.shape == th.shape == (T,)):
        raise ValueError(f"`algorithm` returned X {X.shape}, LAM {LAM.shape}, Z {Z.shape}, "
                         f"eta1/eta2/theta {e1.shape}/{e2.shape}/{th.shape}; expected "
                         f"(T + 1, {p.n}), (T + 1, {p.m}), (T, {N}) and (T,)")
    if not all(np.all(np.isfinite(v)) for v in (X, LAM, Z, e1, e2, th)) or \
            np.any(e1 <= 0) or np.any(e2 <= 0) or np.any(th < 0):
        raise ValueError("`algorithm` returned non-finite histories or penalties/accuracies "
                         "that are not positive")
    V = np.hstack([X, LAM])
    S = V[1:] - V[:-1]
    zz = np.einsum("ij,ij->i", Z, Z)
    alpha = np.where(zz > 0, np.einsum("ij,ij->i", S, Z) / np.where(zz > 0, zz, 1.0), 1.0)
    off = np.linalg.norm(S - alpha[:, None] * Z, axis=1)
    # rounding allowance: relative to the step, and to the iterate (steps below its ulp)
    slack = 1e-8 * np.linalg.norm(S, axis=1) + 1e-12 * (1.0 + np.linalg.norm(V[:-1], axis=1))
    zn = np.sqrt(zz)
    bad = np.flatnonzero((off > slack) | (alpha * zn < -slack) | ((alpha - 1) * zn > slack))
    if bad.size:
        t = int(bad[0])
        raise ValueError(f"step {t} of `algorithm` is not alpha z_t with 0 < alpha <= 1 "
                         f"(alpha = {alpha[t]:.6g}, off the direction by {off[t]:.3g}): the "
                         "reported direction is not the one taken")
    theta = np.minimum(th, np.minimum(THETA, 0.5 * np.sqrt(e2 / e1)))
    r2, _ = _residuals(p, X, LAM)
    return UserHistory(n_iter=T, x_history=X, lam_history=LAM, directions=Z, eta1_history=e1,
                       eta2_history=e2, theta_history=theta,
                       step_sizes=np.where((1 - alpha) * zn <= slack + 1e-6 * zn, 1.0, alpha),
                       residual_history=r2)


def _solve_or_user(inst, algorithm, *, tol):
    """``(problem, result)`` of the package's run (``algorithm=None``) or of the user's method
    through :data:`EAL_HISTORY_PROTOCOL` (a :class:`UserHistory`)."""
    if algorithm is None:
        return _solve(inst, tol=tol)
    p = random_problem(inst["seed"], inst["n"], inst["m"])
    out = algorithm(p, tol=tol, max_iter=100, seed=inst["seed"], sketch=inst["sketch"])
    return p, user_history(p, out)
_NO_FAMILY = ("a convergence statement with O(.) constants: no instance family attains a "
              "stated constant")


@theorem(name="constrained.eal_descent",
         source=_SRC + ", adaptive penalty and accuracy control (descent of the merit)",
         atol=1e-9,
         tightness="the descent test is enforced by the method (directions failing it are "
                   "repaired), so a correct run sits below the threshold by construction; the "
                   "margin ratio 1 + max (D - T)/|T| shows how close the worst step comes",
         protocol=EAL_HISTORY_PROTOCOL, **_EQ)
def _eval_descent(inst, *, algorithm=None):
    """At every accepted iteration the inexact Newton direction z_t is a descent direction of
    the exact augmented Lagrangian: grad L_eta(x_t, lam_t)^T z_t <= -(eta2/4)||grad_x L_t||^2 -
    (eta1/4)||c_t||^2 (recomputed from the iterates).

    ``algorithm``: a user's method through :data:`EAL_HISTORY_PROTOCOL`; the condition is
    recomputed from its iterates, directions and penalties with the problem's derivatives.
    """
    p, res = _solve_or_user(inst, algorithm, tol=1e-8)
    # margin form: 1 + max_t (D_t - T_t)/|T_t| against 1 (ratio > 1 iff the condition fails)
    return 1.0 + descent_violation(p, res), 1.0


@theorem(name="constrained.eal_kkt_to_zero",
         source=_SRC + ", global almost-sure convergence theorem",
         tightness="a stopping rule: the first KKT residual below 1e-8 is recorded, so the "
                   "ratio is the last step's residual over the tolerance by design",
         protocol=EAL_PROTOCOL, **_EQ)
def _eval_kkt(inst, *, algorithm=None):
    """The KKT residual max(||grad f + J^T lam||_inf, ||c||_inf) converges to zero: the method
    reaches 1e-8 within 100 iterations on every instance.

    ``algorithm``: a user's method through :data:`EAL_PROTOCOL`; its last iterate's residual
    is recomputed from the problem's derivatives.
    """
    if algorithm is not None:
        _, rinf = _user_run(inst, algorithm, tol=1e-8)
        return (float(rinf[-1]) if np.isfinite(rinf[-1]) else np.inf), 1e-8
    _, res = _solve(inst, tol=1e-8)
    return (res.kkt if res.success else np.inf), 1e-8


@theorem(name="constrained.eal_unit_step",
         source=_SRC + ", local theorem: unit stepsize admissible",
         tightness="a count that must be 0: measured is the number of backtracked local steps "
                   "against 0.5 (any backtrack fails), so there is no near-attaining family",
         protocol=EAL_HISTORY_PROTOCOL, **_EQ)
def _eval_unit(inst, *, algorithm=None):
    """The unit step is eventually accepted: no Armijo backtracking at iterations with
    Euclidean KKT residual <= 1e-3 (number of backtracked local steps = 0).

    ``algorithm``: a user's method through :data:`EAL_HISTORY_PROTOCOL`; its step sizes are
    recovered from its iterates and directions, its residuals recomputed.
    """
    _, res = _solve_or_user(inst, algorithm, tol=1e-10)
    r = res.residual_history[:-1]
    local = r <= 1e-3
    # trivial maximum: every local iteration backtracked
    return float(np.sum(res.step_sizes[local] < 1.0)), 0.5, float(np.sum(local))


@theorem(name="constrained.eal_local_linear",
         source=_SRC + ", local theorem: linear convergence",
         # generated statement (it quotes THETA)
         statement=("With a fixed accuracy condition (theta_t = min(theta, sqrt(eta2/eta1)/2), "
                    f"theta={THETA}), the local ratio ||grad L_t+1|| / ||grad L_t|| is at most "
                    "theta_t + O(||grad L_t||): measured max over iterations with residual <= "
                    "1e-4 of ratio / (theta_t + 0.05) is <= 1."),
         tightness=_NO_FAMILY + " (the O(||grad L_t||) term is bounded by the allowance 0.05)",
         protocol=EAL_HISTORY_PROTOCOL, **_EQ)
def _eval_ratio(inst, *, algorithm=None):
    """Measured: max over iterations with residual <= 1e-4 of ratio / (theta_t + 0.05); bound 1
    (the statement quotes THETA, so it is passed as ``statement=``).  Previously ``ratio -
    theta_t`` against 0.05, whose report ratio was negative on every instance.

    ``algorithm``: a user's method through :data:`EAL_HISTORY_PROTOCOL`; residuals recomputed
    from its iterates, ``theta_t`` capped at ``min(THETA, sqrt(eta2/eta1)/2)``.
    """
    _, res = _solve_or_user(inst, algorithm, tol=1e-10)
    r = res.residual_history
    local = (r[:-1] <= 1e-4) & (r[1:] > 0)
    if not np.any(local):
        return 0.0, 1.0
    q = r[1:][local] / r[:-1][local] / (res.theta_history[local] + 0.05)
    return float(np.max(q)), 1.0


def _order_experiment(sharpen):
    def experiment(rng, quick, *, algorithm=None):
        reps = 6 if quick else 30
        xs, ys = [], []
        for _ in range(reps):
            # single-row and Gaussian sketches only: on these small systems (n + m <= 15) a
            # block sketch often spans all rows, i.e. solves exactly, and the order would be 2
            inst = sample_eq_problem(rng, sketches=("kaczmarz", "gaussian"))
            if algorithm is not None:  # residuals recomputed; no unit-step phase known
                r, _ = _user_run(inst, algorithm, tol=1e-11, sharpen=sharpen)
                sel = (r[:-1] <= 1e-1) & (r[1:] >= 1e-11)
                xs += list(r[:-1][sel])
                ys += list(r[1:][sel])
                continue
            _, res = _solve(inst, sharpen=sharpen, tol=1e-11)
            r = res.residual_history
            sel = (r[:-1] <= 1e-1) & (r[1:] >= 1e-11)
            sel &= np.arange(r.size - 1) >= res.unit_step_from
            xs += list(r[:-1][sel])
            ys += list(r[1:][sel])
        if len(xs) < 3:
            raise ValueError(f"only {len(xs)} residual pairs (r_t, r_t+1) with r_t <= 0.1 over "
                             f"{reps} problems: the method did not reach its local phase, so "
                             "no order can be fitted")
        return RateData(np.array(xs), np.array(ys), kind="power",
                        detail=f"{len(xs)} pairs (r_t, r_t+1) pooled over {reps} problems, "
                               f"theta={THETA}, sharpen={sharpen}")
    return experiment


@theorem(source=_SRC + ", local theorem: linear convergence", assumptions=_ASSUME, kind="rate",
         band=(0.9, 1.1), protocol=EAL_PROTOCOL)
def eal_linear_order(rng, quick, *, algorithm=None):
    """With a fixed accuracy condition the local convergence is linear: the slope of log r_{t+1}
    against log r_t (r = Euclidean KKT residual, unit-step phase) is 1.

    ``algorithm``: a user's method through :data:`EAL_PROTOCOL` (``sharpen=0``); its residuals
    are recomputed from its iterates, every pair with ``r_t <= 0.1`` counts.
    """
    return _order_experiment(0.0)(rng, quick, algorithm=algorithm)


@theorem(source=_SRC + ", local theorem: superlinear convergence with sharpened accuracy",
         assumptions=_ASSUME, kind="rate", band=(1.35, 1.65), protocol=EAL_PROTOCOL)
def eal_superlinear_order(rng, quick, *, algorithm=None):
    """With the sharpened accuracy theta_t = min(theta, r_t^rho), rho = 0.5, the local order is
    superlinear, 1 + rho: the slope of log r_{t+1} against log r_t lies in [1.35, 1.65].

    ``algorithm``: a user's method through :data:`EAL_PROTOCOL` (``sharpen=0.5``).
    """
    return _order_experiment(0.5)(rng, quick, algorithm=algorithm)


# ---------------------------------------------------------------------------------------------
# primal-dual
# ---------------------------------------------------------------------------------------------

def sample_convex_qp(rng, n=None, q=None):
    """Random strongly convex QP with linear inequalities (feasible: b >= A 0 - 0.2); ``n`` in
    [2, 8] variables and ``q`` in [1, 7] constraints unless given."""
    n = int(rng.integers(2, 9)) if n is None else n
    q = int(rng.integers(1, 8)) if q is None else q
    M = rng.standard_normal((n, n))
    Q = M @ M.T / n + 0.5 * np.eye(n)
    return {"Q": Q, "q": rng.standard_normal(n), "A": rng.standard_normal((q, n)),
            "b": rng.random(q) + 0.05}


def solve_qp_primal_dual(inst, tol=1e-10):
    from .primal_dual import primal_dual
    Q, qv, A, b = inst["Q"], inst["q"], inst["A"], inst["b"]
    ev = np.linalg.eigvalsh(Q)
    return primal_dual(lambda x: 0.5 * x @ Q @ x + qv @ x, lambda x: A @ x - b,
                       np.zeros(Q.shape[0]), grad=lambda x: Q @ x + qv, jac=lambda x: A,
                       step=1.0 / ev[-1], dual_step=ev[0] / np.linalg.norm(A, 2) ** 2, tol=tol,
                       max_iter=200_000)


def solve_qp_cvxpy(inst):
    import cvxpy as cp
    Q, qv, A, b = inst["Q"], inst["q"], inst["A"], inst["b"]
    x = cp.Variable(Q.shape[0])
    cons = [A @ x <= b]
    prob = cp.Problem(cp.Minimize(0.5 * cp.quad_form(x, cp.psd_wrap(Q)) + qv @ x), cons)
    try:
        prob.solve(solver="CLARABEL", tol_gap_abs=1e-10, tol_gap_rel=1e-10, tol_feas=1e-10)
    except cp.error.SolverError:
        prob.solve(solver="CLARABEL")
    return np.asarray(x.value), np.asarray(cons[0].dual_value)


@theorem(
    name="constrained.primal_dual_cvxpy",
    source=("Arrow, Hurwicz, Uzawa (1958); Polyak (1987), Sec. 9.3 (linear convergence of the "
            "primal-dual gradient method for strongly convex f and affine g)"),
    assumptions=("f = x^T Q x / 2 + q^T x, Q positive definite (m I <= Q <= L I)",
                 "g = A x - b affine, Slater point x = 0 (b > 0)"),
    sample=sample_convex_qp, sizes={"n": (2, 8), "q": (1, 7)}, n_instances=(3, 50), examples=10,
    tightness="agreement of two solvers to a tolerance: the measured distance is both solvers' "
              "accuracy (about 1e-8), far below the allowance 1e-5 on every instance",
    protocol="algorithm(Q, q, A, b) -> x: the user's solution of min x^T Q x / 2 + q^T x "
             "s.t. A x <= b (checked against cvxpy to 1e-5 in the max norm)")
def _eval_pd(inst, algorithm=None):
    """Projected gradient descent-ascent with tau = 1/L, sigma = m/||A||^2 reaches KKT residual
    1e-10 and its iterate agrees with the cvxpy (Clarabel) solution to 1e-5 in the max norm.
    """
    x_ref, _ = solve_qp_cvxpy(inst)
    if algorithm is not None:
        x = np.asarray(algorithm(inst["Q"], inst["q"], inst["A"], inst["b"]), dtype=float)
        return (float(np.abs(x - x_ref).max()) if x.shape == x_ref.shape else np.inf), 1e-5
    res = solve_qp_primal_dual(inst)
    err = np.abs(res.x - x_ref).max() if res.success else np.inf
    return float(err), 1e-5


from . import bilevel_theorems as _bilevel_theorems  # noqa: E402,F401
