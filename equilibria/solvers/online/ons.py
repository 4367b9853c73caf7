r"""Online Newton Step (ONS) for exp-concave losses; online portfolio selection.

ONS (Hazan, Agarwal, Kale 2007; Hazan 2016, Alg. 12): with :math:`A_0 = \varepsilon I`,

.. math::

    A_t = A_{t-1} + \nabla_t\nabla_t^\top, \qquad
    y_{t+1} = x_t - \tfrac1\gamma A_t^{-1}\nabla_t, \qquad
    x_{t+1} = \arg\min_{x\in\mathcal X}(y_{t+1} - x)^\top A_t (y_{t+1} - x).

Theorem (Hazan 2016, Thm 4.5): for :math:`\alpha`-exp-concave losses with
:math:`\|\nabla_t\|\le G` on a set of diameter ``D``, :math:`\gamma = \frac12\min(\frac1{4GD},
\alpha)` and :math:`\varepsilon = 1/(\gamma^2D^2)` give
:math:`R_T \le 5(\frac1\alpha + GD)\, d\log T`.

The generalized projection is solved by FISTA with restart (stopping rule: fixed-point residual
``<= proj_tol`` in the max norm, at most ``proj_iter`` iterations; a projection that hits the cap
makes the run return ``success=False``).

References
----------
.. [1] Hazan, E., Agarwal, A., Kale, S. (2007). Logarithmic regret algorithms for online convex
   optimization. Machine Learning 69.
.. [2] Hazan, E. (2016). Introduction to Online Convex Optimization. FnT Optim., Sec. 4.4.
.. [3] Cover, T. (1991). Universal portfolios. Math. Finance 1.
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np

from equilibria._lib.result import ConvergenceWarning, Result, Status, finish
from equilibria._lib.sets import Simplex
from equilibria._lib.validation import as_float_array, check_int, check_option, check_scalar

from . import _kernels as K
from .learners import _Learner

_NO_TARGETS = np.zeros(1)  # ``y`` of ons_loop, unused by the log loss
#: membership tolerance of the decision checked after every ONS update
_ONS_SET_TOL = 1e-9
#: smallest optimality tolerance of the barrier method of :func:`best_crp`
_CRP_TOL_MIN = 1e-14

__all__ = ["ONSResult", "ons", "ons_parameters", "best_crp", "ONS"]


@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class ONSResult(Result):
    """Outcome of :func:`ons` on a market.

    Attributes
    ----------
    weights : ndarray, shape (T, d) or (1, d)
        Portfolios :math:`x_t`.
    log_wealth_t : ndarray, shape (T,)
        :math:`\\sum_{s\\le t}\\log\\langle r_s, x_s\\rangle`.
    crp : ndarray or None
        Best constant-rebalanced portfolio in hindsight (``None`` if not computed).
    crp_log_wealth : float or None
        Its log-wealth (``None`` if not computed: ``comparator=None``).
    gamma, eps : float
        Parameters used.
    """

    weights: np.ndarray
    log_wealth_t: np.ndarray
    crp: np.ndarray | None
    crp_log_wealth: float | None
    gamma: float
    eps: float

    @property
    def regret(self) -> float:
        """:math:`\\log W^{\\mathrm{CRP}}_T - \\log W^{\\mathrm{ONS}}_T` (log-loss regret).

        Raises ``ValueError`` when the comparator was not computed (``comparator=None``).
        """
        if self.crp_log_wealth is None:
            raise ValueError("the regret needs the best CRP: run `ons` with "
                             "comparator='cvxpy' or 'newton'")
        return float(self.crp_log_wealth - self.log_wealth_t[-1])


def ons_parameters(alpha, G, D):
    """``(gamma, eps)`` of Hazan (2016), Thm 4.5: gamma = min(1/(4GD), alpha)/2, eps = 1/(gamma D)^2.

    Parameters
    ----------
    alpha : float
        Exp-concavity parameter of the losses, ``> 0``.
    G : float
        Bound on the gradient norms ``||grad f_t||``, ``> 0``.
    D : float
        Diameter of the decision set, ``> 0``.

    Returns
    -------
    gamma : float
        ``0.5 * min(1 / (4 G D), alpha)``.
    eps : float
        ``1 / (gamma D)**2``, so that the initial matrix is ``A_0 = eps * I``.

    Raises
    ------
    ValueError
        If an argument is not a finite positive number, or if ``gamma`` underflows to 0 or
        ``eps`` overflows (the message names the arguments and their values).
    TypeError
        If an argument is not a real number.
    """
    alpha = check_scalar(alpha, "alpha", lo=0, lo_inclusive=False)
    G = check_scalar(G, "G", lo=0, lo_inclusive=False)
    D = check_scalar(D, "D", lo=0, lo_inclusive=False)
    with np.errstate(over="ignore", under="ignore", divide="ignore"):
        inv = np.float64(0.25) / np.float64(G) / np.float64(D)  # 1/(4 G D) without G*D overflow
        gamma = float(0.5 * min(inv, np.float64(alpha)))
        eps = float(np.float64(1.0) / (np.float64(gamma) * D) ** 2) if gamma > 0 else np.inf
    if not (gamma > 0 and np.isfinite(gamma) and np.isfinite(eps) and eps > 0):
        raise ValueError(f"ONS parameters out of floating-point range for `alpha`={alpha:g}, "
                         f"`G`={G:g}, `D`={D:g}: gamma = {gamma:g}, eps = {eps:g}; rescale "
                         "the losses")
    return gamma, eps


def _check_market(returns):
    R = as_float_array(returns, "returns", ndim=2, positive=True)
    if R.shape[0] < 1 or R.shape[1] < 1:
        raise ValueError(f"`returns` must have shape (T, d) with T, d >= 1, got {R.shape}")
    return R


def _crp_barrier(R, tol):
    """Log-barrier interior-point method for max sum_t log <r_t, x> on the simplex.

    Maximizes sum_t log <r_t, x> + mu sum_i log x_i by equality-constrained Newton steps
    (KKT system with the constraint 1^T x = 1) with a fraction-to-boundary rule, for
    mu = 1, 0.1, ..., down to mu <= tol / d (then the objective is within d mu of optimal:
    Boyd & Vandenberghe 2004, Sec. 11.2).
    """
    T, d = R.shape
    x = np.full(d, 1.0 / d)
    mu = 1.0
    K = np.zeros((d + 1, d + 1))
    K[:d, d] = K[d, :d] = 1.0
    while True:
        for _ in range(100):
            s = R @ x
            Rs = R / s[:, None]
            g = Rs.sum(axis=0) + mu / x
            H = -(Rs.T @ Rs) - np.diag(mu / x**2)
            K[:d, :d] = H
            rhs = np.concatenate([-g, [0.0]])
            step = np.linalg.solve(K, rhs)[:d]
            dec = -step @ H @ step  # Newton decrement squared
            neg = step < 0
            a = 1.0 if not neg.any() else min(1.0, 0.99 * float(np.min(-x[neg] / step[neg])))
            x = x + a * step
            x = np.maximum(x, 1e-300)
            x /= x.sum()
            if dec <= 1e-12 * max(1.0, T):
                break
        if mu * d <= tol:
            break
        mu *= 0.1
    return x


def best_crp(returns, *, method="cvxpy", tol=1e-10):
    r"""Best constant-rebalanced portfolio :math:`\arg\max_{x\in\Delta}\sum_t\log\langle r_t,x\rangle`.

    ``method="cvxpy"`` solves the exponential-cone program with cvxpy (reference);
    ``method="newton"`` uses a log-barrier interior-point method with Newton steps (fast; used
    inside the theorem experiments; objective within ``tol`` of optimal).  Returns
    ``(x, log_wealth)``.

    Parameters
    ----------
    returns : array_like, shape (T, d)
        Price relatives :math:`r_{t,i} > 0`.
    method : {"cvxpy", "newton"}
        Solver (see above).
    tol : float
        Optimality tolerance of ``method="newton"`` (the barrier stops at
        :math:`\mu d \le` ``tol``), finite and ``>= 1e-14`` (below that the barrier
        objective is at the level of its own rounding); ignored by ``"cvxpy"``.

    Returns
    -------
    x : ndarray, shape (d,)
        The best CRP, a point of the simplex.
    log_wealth : float
        Its log-wealth :math:`\sum_t\log\langle r_t, x\rangle`.

    Raises
    ------
    RuntimeError
        If cvxpy does not return an optimal solution.
    """
    R = _check_market(returns)
    check_option(method, "method", ("cvxpy", "newton"))
    tol = check_scalar(tol, "tol", lo=_CRP_TOL_MIN)
    T, d = R.shape
    if method == "cvxpy":
        import cvxpy as cp

        x = cp.Variable(d, nonneg=True)
        prob = cp.Problem(cp.Maximize(cp.sum(cp.log(R @ x))), [cp.sum(x) == 1])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "may be inaccurate": checked below
            prob.solve(solver=cp.CLARABEL if "CLARABEL" in cp.installed_solvers() else None)
        if prob.status not in ("optimal", "optimal_inaccurate") or x.value is None:
            raise RuntimeError(f"cvxpy could not solve the CRP problem: status {prob.status}")
        xv = np.clip(np.asarray(x.value, dtype=float), 0, None)
        xv /= xv.sum()
    else:
        xv = _crp_barrier(R, tol)
    return xv, float(np.sum(np.log(R @ xv)))


def ons(returns, *, gamma=None, eps=None, comparator="cvxpy", proj_tol=1e-10, proj_iter=5000,
        store_weights=True) -> ONSResult:
    r"""Online Newton Step for online portfolio selection under log loss.

    Round ``t``: play :math:`x_t\in\Delta_d`, gain :math:`\log\langle r_t, x_t\rangle` (loss
    :math:`f_t(x) = -\log\langle r_t, x\rangle`, 1-exp-concave), update by ONS (module doc).

    Parameters
    ----------
    returns : array_like, shape (T, d)
        Price relatives :math:`r_{t,i} > 0`.
    gamma, eps : float, optional
        Default :func:`ons_parameters` with :math:`\alpha = 1`, :math:`D = \sqrt2`,
        :math:`G = \max_t \|r_t\|_2/\min_i r_{t,i}` (a bound on :math:`\|\nabla f_t\|`).
    comparator : {"cvxpy", "newton", None}
        How to compute the best CRP in hindsight (:func:`best_crp`); ``None`` skips it.
    proj_tol, proj_iter : float, int
        Stopping rule of the generalized projection.
    store_weights : bool

    Returns
    -------
    ONSResult
        ``regret`` = log-wealth of the best CRP minus that of ONS.
    """
    R = _check_market(returns)
    T, d = R.shape
    if gamma is not None:
        gamma = check_scalar(gamma, "gamma", lo=0, lo_inclusive=False)
    if eps is not None:
        eps = check_scalar(eps, "eps", lo=0, lo_inclusive=False)
    if gamma is None or eps is None:
        # G = max_t ||r_t||_2 / min_i r_ti, scaled by the row maxima (no overflow of ||r_t||^2)
        top = R.max(axis=1)
        G = float(np.max(np.linalg.norm(R / top[:, None], axis=1) * (top / R.min(axis=1))))
        try:
            g0, e0 = ons_parameters(1.0, G, np.sqrt(2.0))
        except ValueError as exc:
            raise ValueError(f"the default `gamma`, `eps` are out of range for these `returns` "
                             f"(max_t ||r_t|| / min_i r_ti = {G:.3g}): {exc}; pass `gamma` "
                             "and `eps`") from None
        gamma = g0 if gamma is None else gamma
        eps = e0 if eps is None else eps
    proj_tol = check_scalar(proj_tol, "proj_tol", lo=0, lo_inclusive=False)
    proj_iter = check_int(proj_iter, "proj_iter", lo=1)
    if comparator is not None:
        check_option(comparator, "comparator", ("cvxpy", "newton"))
    X = np.empty((T if store_weights else 1, d))
    logw = np.empty(T)
    fails = K.ons_loop(R, _NO_TARGETS, 0, gamma, eps, 0, 1.0, 0.0, 1.0, proj_tol, proj_iter,
                       np.full(d, 1.0 / d), X, logw)
    logw *= -1.0  # cumulative log loss -> log-wealth
    crp, crp_lw = (None, None) if comparator is None else best_crp(R, method=comparator)
    ok = fails == 0 and bool(np.all(np.isfinite(logw)))
    if not np.all(np.isfinite(logw)):
        status, msg = Status.NUMERICAL, "non-finite log-wealth; check `returns`"
    elif fails:
        status, msg = Status.MAX_ITER, (f"{fails} generalized projections hit `proj_iter`="
                                        f"{proj_iter}; increase `proj_iter` or `proj_tol`")
    else:
        status, msg = Status.SUCCESS, f"completed {T} rounds"
    return finish(ONSResult, success=ok, status=status, message=msg, n_iter=T, weights=X,
                  log_wealth_t=logw, crp=crp, crp_log_wealth=crp_lw, gamma=gamma, eps=eps)


class ONS(_Learner):
    r"""Stateful Online Newton Step over any convex decision set (``predict`` / ``update``).

    ``update(g)`` takes :math:`\nabla f_t(x_t)`.  Parameters ``gamma`` and ``eps`` as in
    :func:`ons_parameters`.  ``failures`` counts projections that hit ``proj_iter``.

    Parameters
    ----------
    d : int
        Dimension, ``>= 1``.
    gamma : float
        ONS step parameter :math:`\gamma > 0`.
    eps : float
        Initial :math:`A_0 = \varepsilon I`, :math:`\varepsilon > 0`.
    domain : Simplex, Ball, Box or {"simplex", "ball", "box"}
        Decision set (default ``Simplex()``).
    x1 : array_like, shape (d,), optional
        First point (default: centre of the set).
    proj_tol, proj_iter : float, int
        Stopping rule of the generalized projection (residual tolerance, iteration cap).

    Attributes
    ----------
    x : ndarray, shape (d,)
        Current decision :math:`x_t`.
    A, Ainv : ndarray, shape (d, d)
        :math:`A_t` and its inverse.
    t : int
        Number of rounds observed.
    L : ndarray, shape (d,)
        Cumulative gradient.
    failures : int
        Number of projections that hit ``proj_iter``.
    numerical_failures : int
        Number of updates whose Newton step broke down numerically (a non-finite ``A_t`` or
        ``A_t^{-1}`` after a huge gradient, or a projection that left the decision set, e.g.
        for a tiny ``gamma``).  Such an update keeps the decision in the set: the curvature
        update is dropped if it overflowed, and the point falls back to the Euclidean
        projection of the Newton point (or, if that is not finite, the last decision); a
        :class:`~equilibria._lib.result.ConvergenceWarning` is emitted.
    """

    _matrices = 3  # A, Ainv and the copies of an update

    def __init__(self, d, gamma, eps, *, domain=Simplex(), x1=None, proj_tol=1e-10,
                 proj_iter=5000):
        super().__init__(d, domain=domain, regularizer="euclidean")
        self.gamma = check_scalar(gamma, "gamma", lo=0, lo_inclusive=False)
        self.eps = check_scalar(eps, "eps", lo=0, lo_inclusive=False)
        self.proj_tol = check_scalar(proj_tol, "proj_tol", lo=0, lo_inclusive=False)
        self.proj_iter = check_int(proj_iter, "proj_iter", lo=1)
        self.x = self._start(x1, "x1", "euclidean")
        self.A = self.eps * np.eye(self.d)
        self.Ainv = np.eye(self.d) / self.eps
        self.failures = 0
        self.numerical_failures = 0

    def predict(self) -> np.ndarray:
        """The current decision :math:`x_t`, always a point of the decision set.

        Returns
        -------
        ndarray, shape (d,)
            A copy of :math:`x_t`.
        """
        return self.x.copy()

    def _feasible(self, x) -> bool:
        return bool(np.all(np.isfinite(x)) and self.domain.contains(x, tol=_ONS_SET_TOL))

    def _fallback(self, x_prev, g):
        """A feasible point after a broken-down step: the Euclidean projection of the Newton
        point ``x - A^{-1} g / gamma`` (renormalized on the simplex), else ``x_prev``."""
        with np.errstate(all="ignore"):
            y = x_prev - (self.Ainv @ g) / self.gamma
        if np.all(np.isfinite(y)):
            with np.errstate(all="ignore"):
                if isinstance(self.domain, Simplex):  # Pi(y + c 1) = Pi(y): shift the max to 0
                    y = np.maximum(y - y.max(), -np.finfo(float).max)
                cand = self.domain.project(y)
                if isinstance(self.domain, Simplex) and not self._feasible(cand):
                    cand = np.clip(np.nan_to_num(cand, nan=0.0), 0.0, None)
                    total = float(cand.sum())
                    cand = cand / total if np.isfinite(total) and total > 0 else cand
            if self._feasible(cand):
                return cand
        return x_prev

    def update(self, g):
        """Observe the gradient :math:`\nabla f_t(x_t)` and move to :math:`x_{t+1}`.

        Parameters
        ----------
        g : array_like, shape (d,)
            The gradient at the current decision, finite.

        Returns
        -------
        ONS
            ``self``.  A numerical breakdown (see ``numerical_failures``) keeps the decision
            feasible and emits a ``ConvergenceWarning``.
        """
        g = self._grad(g)
        self.L += g
        ks = self._ks
        x_prev, A_prev, Ainv_prev = self.x.copy(), self.A.copy(), self.Ainv.copy()
        it = K.ons_step(self.x, g, self.A, self.Ainv, self.gamma, ks.dom, ks.radius, ks.lo, ks.hi,
                        self.proj_tol, self.proj_iter, self._work)
        self.failures += it < 0
        self.t += 1
        curvature_ok = bool(np.all(np.isfinite(self.A)) and np.all(np.isfinite(self.Ainv)))
        if curvature_ok and self._feasible(self.x):
            return self
        what = []
        if not curvature_ok:  # A + g g^T overflowed: drop this curvature update
            self.A[:], self.Ainv[:] = A_prev, Ainv_prev
            what.append("A_t overflowed (gradient too large); the curvature update was dropped")
        if not self._feasible(self.x):
            self.x[:] = self._fallback(x_prev, g)
            what.append("the generalized projection left the decision set; fell back to the "
                        "Euclidean projection of the Newton point (or the last decision)")
        self.numerical_failures += 1
        warnings.warn(f"ONS update {self.t}: " + "; ".join(what) + " (gamma="
                      f"{self.gamma:g}, max|g|={float(np.max(np.abs(g))):.3g})",
                      ConvergenceWarning, stacklevel=2)
        return self
