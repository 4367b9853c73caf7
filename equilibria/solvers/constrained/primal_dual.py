"""Primal-dual (projected gradient descent-ascent) Lagrangian method for convex programs."""

from __future__ import annotations

import dataclasses

import numpy as np

from equilibria._lib.result import Result, Status, finish
from equilibria._lib.validation import as_float_array, check_callable, check_int, check_scalar

__all__ = ["primal_dual", "PrimalDualResult"]


@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class PrimalDualResult(Result):
    """Result of :func:`primal_dual`.

    Attributes
    ----------
    x, mu : ndarray
        Last primal iterate and inequality multipliers (``mu >= 0``).
    x_avg, mu_avg : ndarray
        Running averages of the iterates (the certified output in the merely convex case).
    fun : float
        Objective at ``x``.
    kkt : float
        KKT residual at ``(x, mu)`` (definition in :func:`primal_dual`).
    kkt_history : ndarray, shape (n_iter + 1,)
        KKT residual along the iterates.
    """

    x: np.ndarray
    mu: np.ndarray
    x_avg: np.ndarray
    mu_avg: np.ndarray
    fun: float
    kkt: float
    kkt_history: np.ndarray

    @property
    def multipliers(self) -> np.ndarray:
        """Alias of ``mu``."""
        return self.mu


def _project_box(x, lo, hi):
    return np.minimum(np.maximum(x, lo), hi)


def _bound(b, name, n, default):
    """A box bound: ``None`` (unbounded), a scalar or a vector of length ``n`` (or 1); entries
    are real and not NaN, and may be infinite only on their own side (``-inf`` lower, ``+inf``
    upper)."""
    if b is None:
        return np.full(n, default)
    arr = as_float_array(b, name, ndim=(0, 1), finite=False)
    if arr.ndim == 1 and arr.shape not in ((n,), (1,)):
        raise ValueError(f"`{name}` must be a scalar or have shape ({n},) (the length of "
                         f"`x0`) or (1,), got {arr.shape}")
    if np.any(np.isnan(arr)):
        raise ValueError(f"`{name}` must not contain NaN")
    if np.any(arr == -default):
        raise ValueError(f"`{name}` may be infinite only as {default} (an unbounded side), "
                         f"found {-default}")
    return np.array(np.broadcast_to(arr, (n,)), dtype=float)


def primal_dual(f, g, x0, *, grad, jac, lower=None, upper=None, mu0=None, step=None,
                dual_step=None, mu_max=None, tol=1e-8, max_iter=100_000) -> PrimalDualResult:
    r"""Projected gradient descent-ascent on the Lagrangian of a convex program.

    .. math::

        \min_{x \in X} f(x) \quad\text{s.t.}\quad g(x) \le 0, \qquad
        X = \{\ell \le x \le u\},\qquad
        \mathcal{L}(x, \mu) = f(x) + \mu^T g(x),

    with the Arrow-Hurwicz-Uzawa iteration [1, 2]

    .. math::

        x_{k+1} = \Pi_X\big(x_k - \tau \nabla_x \mathcal{L}(x_k, \mu_k)\big), \qquad
        \mu_{k+1} = \Pi_{M}\big(\mu_k + \sigma\, g(x_{k+1})\big),

    :math:`M = [0, \infty)^q`, or :math:`M = [0, \mu_{max}]^q` with bounded multipliers [3].

    **Stopping rule**: KKT residual
    :math:`r = \max(\|x - \Pi_X(x - \nabla_x\mathcal{L})\|_\infty, \|g(x)_+\|_\infty,
    \|\mu \odot g(x)\|_\infty) \le` ``tol``
    (equal to :func:`equilibria.verification.kkt_residual` when :math:`X = \mathbb{R}^n`).

    **Theory**: for :math:`f` :math:`m`-strongly convex and :math:`L`-smooth and affine
    :math:`g = Ax - b`, the iteration converges linearly to the saddle point for
    :math:`\tau \le 1/L` and :math:`\sigma \le m/\|A\|^2` small enough [2] (no explicit
    contraction factor is claimed here).  For convex :math:`g` the primal step must also
    control the curvature of :math:`\mu^T g`: the tests take
    :math:`\tau = 1/(2(L + 2B\max_k L_{g_k}))` with the Slater bound
    :math:`\|\mu^*\|_1 \le B = (f(\bar x) - \min f)/\min_j(-g_j(\bar x))` [3, Lemma 1].  The
    :math:`O(1/\sqrt{k})` rate of [3] for the averaged iterates needs diminishing steps
    :math:`O(1/\sqrt{k})`, which this constant-step method does not use; ``x_avg`` and
    ``mu_avg`` are reported without a rate guarantee.  The tests use the cvxpy solution as
    reference (strongly convex QPs and drawn convex QCQPs).

    Parameters
    ----------
    f, g : callable
        ``f(x) -> float``; ``g(x) -> (q,)``, convex components.
    x0 : array_like, shape (n,)
    grad, jac : callable
        ``grad(x) -> (n,)``, ``jac(x) -> (q, n)``.
    lower, upper : float or array_like, shape (n,), optional
        Bounds of the box ``X`` (default unbounded); ``-inf`` entries of ``lower`` and
        ``+inf`` entries of ``upper`` leave that side open.
    mu0 : array_like, shape (q,), optional
        Initial multipliers (default zero).
    step, dual_step : float, optional
        :math:`\tau` and :math:`\sigma` (default: :math:`\tau = 1/(2\hat L)` with
        :math:`\hat L` a finite-difference estimate of the gradient's Lipschitz constant at
        ``x0``, and :math:`\sigma = \tau`).
    mu_max : float, optional
        Bound on the multipliers (default unbounded).
    tol : float
        KKT tolerance.
    max_iter : int

    Returns
    -------
    PrimalDualResult
        ``INFEASIBLE`` when the multipliers diverge (or sit at ``mu_max``) with violated
        constraints, ``MAX_ITER`` when the budget runs out, ``NUMERICAL`` on non-finite values.

    References
    ----------
    1. K. J. Arrow, L. Hurwicz, H. Uzawa (1958). *Studies in Linear and Non-Linear
       Programming*. Stanford University Press.
    2. B. T. Polyak (1987). *Introduction to Optimization*, Sec. 9.3 (primal-dual gradient method).
    3. A. Nedic, A. Ozdaglar (2009). Subgradient methods for saddle-point problems. J. Optim.
       Theory Appl. 142(1), 205-228.
    """
    check_callable(f, "f")
    check_callable(g, "g")
    check_callable(grad, "grad")
    check_callable(jac, "jac")
    x = as_float_array(x0, "x0", ndim=1, min_size=1, copy=True)
    n = x.size
    lo = _bound(lower, "lower", n, -np.inf)
    hi = _bound(upper, "upper", n, np.inf)
    if np.any(lo > hi):
        i = int(np.argmax(lo > hi))
        raise ValueError(f"`lower` and `upper` must satisfy lower <= upper, got lower[{i}]="
                         f"{lo[i]} > upper[{i}]={hi[i]}")
    tol = check_scalar(tol, "tol", lo=0, lo_inclusive=False)
    max_iter = check_int(max_iter, "max_iter", lo=0)
    if mu_max is not None:
        mu_max = check_scalar(mu_max, "mu_max", lo=0, lo_inclusive=False)
    with np.errstate(all="ignore"):
        f0 = float(f(x))
        g0 = np.atleast_1d(np.asarray(g(x), dtype=float))
    if g0.ndim != 1:
        raise ValueError(f"`g` must return a 1-D array, got shape {g0.shape}")
    if not np.isfinite(f0) or not np.all(np.isfinite(g0)):
        raise ValueError(f"`x0` must be a point where f and g are finite: f(x0)={f0!r}")
    q = g0.size
    gr0 = np.asarray(grad(x), dtype=float)
    if gr0.shape != (n,):
        raise ValueError(f"`grad` must return shape ({n},), got {gr0.shape}")
    J0 = np.atleast_2d(np.asarray(jac(x), dtype=float))
    if J0.shape != (q, n):
        raise ValueError(f"`jac` must return shape ({q}, {n}), got {J0.shape}")
    if not (np.all(np.isfinite(gr0)) and np.all(np.isfinite(J0))):
        raise ValueError("`x0` must be a point where `grad` and `jac` are finite, got "
                         f"{int(np.sum(~np.isfinite(gr0)))} non-finite gradient entries and "
                         f"{int(np.sum(~np.isfinite(J0)))} non-finite Jacobian entries")
    mu = np.zeros(q) if mu0 is None else as_float_array(mu0, "mu0", ndim=1, shape=(q,),
                                                        nonneg=True, copy=True)
    if step is None:
        rng = np.random.default_rng(0)
        est = 0.0
        for _ in range(3):
            h = 1e-4 * rng.standard_normal(n)
            d = np.asarray(grad(x + h), float) - gr0
            est = max(est, float(np.linalg.norm(d) / np.linalg.norm(h)))
        step = 0.5 / max(est, 1e-8)
    tau = check_scalar(step, "step", lo=0, lo_inclusive=False)
    sigma = tau if dual_step is None else check_scalar(dual_step, "dual_step", lo=0,
                                                       lo_inclusive=False)
    mu_hi = np.inf if mu_max is None else mu_max

    def residual(x_, mu_, gx, gr, J):
        Lx = gr + J.T @ mu_
        stat = np.abs(x_ - _project_box(x_ - Lx, lo, hi)).max(initial=0.0)
        return float(max(stat, np.maximum(gx, 0).max(initial=0.0),
                         np.abs(mu_ * gx).max(initial=0.0)))

    gx, gr, J = g0, gr0, J0
    hist = [residual(x, mu, gx, gr, J)]
    x_sum, mu_sum = np.zeros(n), np.zeros(q)
    status, success, message = Status.MAX_ITER, False, ""
    k = 0
    while True:
        if hist[-1] <= tol:
            status, success = Status.SUCCESS, True
            message = f"KKT residual {hist[-1]:.3g} <= tol={tol:g} after {k} iterations"
            break
        if k >= max_iter:
            message = (f"max_iter={max_iter} reached with KKT residual {hist[-1]:.3g}; increase "
                       "`max_iter` or tune `step`/`dual_step`")
            break
        x = _project_box(x - tau * (gr + J.T @ mu), lo, hi)        # primal descent step
        gx = np.atleast_1d(np.asarray(g(x), dtype=float))
        mu = np.clip(mu + sigma * gx, 0.0, mu_hi)                 # dual ascent step
        gr = np.asarray(grad(x), dtype=float)
        J = np.atleast_2d(np.asarray(jac(x), dtype=float))
        k += 1
        x_sum += x
        mu_sum += mu
        if not (np.all(np.isfinite(x)) and np.all(np.isfinite(gx)) and np.all(np.isfinite(gr))):
            status = Status.NUMERICAL
            message = "non-finite iterate; decrease `step`/`dual_step`"
            break
        if np.max(mu, initial=0.0) > 1e12:
            status = Status.INFEASIBLE
            message = ("multipliers diverge (> 1e12) with violated constraints: the problem "
                       "looks infeasible")
            break
        hist.append(residual(x, mu, gx, gr, J))
    if not success and status == Status.MAX_ITER and mu_max is not None \
            and np.max(gx, initial=0.0) > tol and np.any(mu >= mu_hi):
        status = Status.INFEASIBLE
        message = (f"constraints violated (max g = {np.max(gx):.3g}) with multipliers at "
                   "mu_max: the problem is infeasible or `mu_max` is too small")
    kk = max(k, 1)
    return finish(PrimalDualResult, success=success, status=status, message=message, n_iter=k,
                  x=x, mu=mu, x_avg=x_sum / kk if k else x.copy(),
                  mu_avg=mu_sum / kk if k else mu.copy(), fun=float(f(x)), kkt=hist[-1],
                  kkt_history=np.array(hist))
