"""Smooth (L2 / entropic) and sparsity-constrained OT through (semi-)dual L-BFGS."""

from __future__ import annotations

import contextlib

import numpy as np
from scipy.optimize import minimize

from equilibria._lib.linalg import single_blas_thread
from equilibria._lib.result import Status, finish
from equilibria._lib.validation import as_float_array, check_int, check_option, check_scalar

from . import _kernels as K_
from ._common import OTResult, c_transform_soft, check_cost, check_marginals, check_reg, n_chunks

__all__ = ["smooth_ot", "sparse_ot", "semi_dual_value", "dual_value"]

_L2, _KL, _TOPK = 0, 1, 2


def _single_blas_thread():
    """One BLAS thread (:func:`equilibria._lib.linalg.single_blas_thread`)."""
    return single_blas_thread()


def semi_dual_value(alpha, a, b, C, gamma, code, k):
    """Semi-dual objective, its gradient and column thresholds (numba kernel wrapper)."""
    CT = np.ascontiguousarray(np.asarray(C, dtype=np.float64).T)
    alpha = np.ascontiguousarray(alpha, dtype=np.float64)
    grad = np.empty_like(alpha)
    tau = np.empty(CT.shape[0])
    val = K_.semi_dual_obj_grad(alpha, a, b, CT, float(gamma), int(code), int(k), grad, tau,
                                n_chunks())
    return val, grad, tau


def dual_value(alpha, beta, a, b, C, gamma, code, k):
    """Dual objective and its gradients (numba kernel wrapper)."""
    CT = np.ascontiguousarray(np.asarray(C, dtype=np.float64).T)
    ga, gb = np.empty(len(alpha)), np.empty(len(beta))
    val = K_.dual_obj_grad(np.ascontiguousarray(alpha, dtype=np.float64),
                           np.ascontiguousarray(beta, dtype=np.float64), a, b, CT,
                           float(gamma), int(code), int(k), ga, gb, n_chunks())
    return val, ga, gb


def _solve(a, b, C, gamma, code, k, formulation, tol, max_iter, init, method_name, ftol=0.0):
    n, m = C.shape
    s = 1.0
    full = True
    if code == _KL:  # compress zero weights, normalize (reference a b^T / s as in sinkhorn)
        s = float(a.sum())
        ia, jb = a > 0, b > 0
        full = bool(ia.all() and jb.all())
        a_s, b_s = a[ia] / s, b[jb] / b[jb].sum()
        Cs = C if full else np.ascontiguousarray(C[np.ix_(ia, jb)])
    else:
        a_s, b_s, Cs = a, b * (a.sum() / b.sum()), C
    ns, ms = Cs.shape
    CT = np.ascontiguousarray(Cs.T)
    nch = n_chunks()
    ga, gb, tau = np.empty(ns), np.empty(ms), np.empty(ms)

    if formulation == "dual":
        def fun(x):
            val = K_.dual_obj_grad(x[:ns].copy(), x[ns:].copy(), a_s, b_s, CT, gamma, code, k,
                                   ga, gb, nch)
            return -val, -np.concatenate([ga, gb])
        x0 = np.zeros(ns + ms)
        if init is not None:
            x0[:ns] = init[0][ia] if not full else init[0]
            x0[ns:] = init[1][jb] if not full else init[1]
    else:
        def fun(x):
            val = K_.semi_dual_obj_grad(np.ascontiguousarray(x), a_s, b_s, CT, gamma, code, k,
                                        ga, tau, nch)
            return -val, -ga.copy()
        x0 = np.zeros(ns)
        if init is not None:
            x0[:] = init[0][ia] if not full else init[0]
    # L-BFGS on the negated concave (semi-)dual; gradient = marginal residual, so the
    # sup-norm test gtol = tol / (n + m) implies the L1 stopping rule.
    with _single_blas_thread():
        res = minimize(fun, x0, jac=True, method="L-BFGS-B",
                       options=dict(maxiter=max_iter, gtol=tol / (ns + ms), ftol=ftol,
                                    maxcor=20, maxfun=4 * max_iter))
    x = res.x
    PT = np.empty((ms, ns))
    alpha = np.ascontiguousarray(x[:ns])
    if formulation == "dual":
        beta = np.ascontiguousarray(x[ns:])
        dual = K_.dual_obj_grad(alpha, beta, a_s, b_s, CT, gamma, code, k, ga, gb, nch)
        K_.plan_from_dual(alpha, beta, a_s, b_s, CT, gamma, code, k, PT)
    else:
        dual = K_.semi_dual_obj_grad(alpha, a_s, b_s, CT, gamma, code, k, ga, tau, nch)
        K_.plan_from_semi_dual(alpha, a_s, b_s, CT, gamma, code, k, PT)
        with np.errstate(invalid="ignore"):
            beta = -gamma * tau
        if not np.all(np.isfinite(beta)):  # zero-weight columns: largest value carrying no mass
            bad = ~np.isfinite(beta)
            beta[bad] = (Cs[:, bad] - alpha[:, None]).min(axis=0)
    P = np.ascontiguousarray(PT.T)
    cost = float(np.sum(Cs * P))
    if code == _KL:
        pos = P > 0
        kl = float(np.sum(P[pos] * (np.log(P[pos]) - np.log(a_s)[:, None].repeat(ms, 1)[pos]
                                    - np.log(b_s)[None, :].repeat(ns, 0)[pos]))
                   - P.sum() + 1.0)
        objective = cost + gamma * kl
    else:
        objective = cost + 0.5 * gamma * float(np.sum(P * P))
    err = float(np.abs(P.sum(1) - a_s).sum() + np.abs(P.sum(0) - b_s).sum())
    if code == _KL and not full:
        plan = np.zeros((n, m))
        plan[np.ix_(ia, jb)] = P
        f, g = np.empty(n), np.empty(m)
        f[ia], g[jb] = alpha, beta
        f[~ia] = c_transform_soft(C[~ia], np.where(jb, g, 0.0), b / s, gamma)
        g[~jb] = c_transform_soft(np.ascontiguousarray(C[:, ~jb].T), np.where(ia, f, 0.0),
                                  a / s, gamma)
    else:
        plan, f, g = P, alpha, beta
    plan = plan * s
    ok = np.isfinite(objective) and np.isfinite(dual) and np.all(np.isfinite(plan))
    # sparse: row marginals cannot be met in general (non-convex primal); the L-BFGS-B
    # relative-reduction test (ftol) is then the stopping rule
    success = bool(ok and (err <= tol or (code == _TOPK and res.status == 0)))
    it = int(res.nit)
    if not ok:
        status, msg = Status.NUMERICAL, (
            "non-finite objective (exp overflow in the entropic dual); increase `reg` or use "
            "`sinkhorn`")
        plan = np.nan_to_num(plan, nan=0.0, posinf=0.0, neginf=0.0)
    elif success:
        status, msg = Status.SUCCESS, (f"converged ({res.message}): marginal error {err:.3g}, "
                                       f"{it} L-BFGS iterations")
    elif res.status == 1 or it >= max_iter:  # iteration / evaluation budget
        status, msg = Status.MAX_ITER, (f"marginal error {err:.3g} > tol={tol:g} after {it} "
                                        "L-BFGS iterations; increase `max_iter` or `reg`")
    else:
        status, msg = Status.DEGENERATE, (
            f"L-BFGS stopped ({res.message}) at marginal error {err:.3g} > tol={tol:g}; "
            "loosen `tol`, increase `reg`" + (" or `max_nz`" if code == _TOPK else "")
            + (", or use formulation='semi_dual'" if formulation == "dual" else ""))
    return finish(OTResult, success=success, status=status, message=msg, n_iter=it, plan=plan,
                  cost=cost * s, objective=float(objective) * s, dual_objective=float(dual) * s,
                  potentials=(f, g), marginal_error=err * s, reg=gamma, method=method_name,
                  warn=True)


def _common_args(a, b, C, reg, formulation, tol, max_iter, init):
    a, b = check_marginals(a, b)
    n, m = a.shape[0], b.shape[0]
    C = check_cost(C, n, m)
    reg = check_reg(reg)
    formulation = check_option(formulation, "formulation", ("dual", "semi_dual"))
    tol = check_scalar(tol, "tol", lo=0.0, lo_inclusive=False)
    max_iter = check_int(max_iter, "max_iter", lo=1)
    if init is not None:
        if not isinstance(init, (tuple, list)) or len(init) != 2:
            raise ValueError("`init` must be a pair (f, g) of potentials")
        init = (as_float_array(init[0], "init[0]", shape=(n,)),
                as_float_array(init[1], "init[1]", shape=(m,)))
    return a, b, C, reg, formulation, tol, max_iter, init


def smooth_ot(a, b, C, reg, *, regularizer="l2", formulation="dual", tol=1e-6, max_iter=1000,
              init=None):
    r"""Smooth optimal transport (Blondel, Seguy & Rolet 2018) by L-BFGS on the (semi-)dual.

    .. math::

        \min_{T \in U(a, b)} \langle C, T\rangle + \Omega(T), \qquad
        \Omega(T) = \tfrac{\gamma}{2}\|T\|_F^2 \ (\texttt{"l2"}) \quad\text{or}\quad
        \gamma\,\mathrm{KL}(T \,\|\, a b^\top / s) \ (\texttt{"entropy"}),

    with :math:`\gamma` = ``reg``.  The entropy convention is the one of :func:`sinkhorn`
    (Blondel et al. use :math:`\gamma\sum t\log t`; on :math:`U(a,b)` the two differ by the
    constant :math:`\gamma(H(a)+H(b))`, the plans coincide), so ``smooth_ot(...,
    regularizer="entropy")`` and ``sinkhorn`` agree.  Dual (Blondel et al. 2018, eq. (9)) and
    semi-dual (eq. (10)):

    .. math::

        D(\alpha, \beta) = \langle\alpha, a\rangle + \langle\beta, b\rangle
            - \sum_j \delta_\Omega(\alpha + \beta_j 1 - c_j), \qquad
        S(\alpha) = \langle\alpha, a\rangle - \sum_j \max_{t \in b_j\Delta}
            \langle \alpha - c_j, t\rangle - \Omega(t),

    with :math:`\delta_\Omega(x) = \|[x]_+\|^2/(2\gamma)` (L2) or
    :math:`\gamma\sum_i a_i b_j(e^{x_i/\gamma} - 1)` (entropy); the L2 semi-dual maximizer
    is the projection of :math:`(\alpha - c_j)/\gamma` onto :math:`b_j\Delta`.  Weak duality:
    :math:`D(\alpha,\beta) \le S(\alpha) \le \mathrm{OT}_\Omega` for every
    :math:`\alpha, \beta` (Blondel et al. 2018, Prop. 1-2).

    Parameters
    ----------
    a, b : array_like, shapes (n,), (m,)
        Weights (non-negative, zeros allowed, equal masses within relative 1e-8, or ~2e-6
        for float32 weights; ``b`` is rescaled to the mass of ``a``).
    C : array_like, shape (n, m)
        Cost matrix.
    reg : float
        :math:`\gamma > 0`.
    regularizer : {"l2", "entropy"}
    formulation : {"dual", "semi_dual"}
    tol : float
        Stopping rule: L1 marginal error :math:`\|T1 - a\|_1 + \|T^\top 1 - b\|_1 \le` ``tol``
        of the plan recovered from the potentials (the gradient of the dual); L-BFGS-B is run
        with ``gtol = tol / (n + m)`` on the sup-norm of the gradient.  The semi-dual plan
        has exact column marginals.
    max_iter : int
        L-BFGS iterations.
    init : tuple (alpha, beta), optional
        Warm start (``beta`` ignored for the semi-dual).

    Returns
    -------
    OTResult
        ``plan`` (recovered from the potentials, Blondel et al. 2018, eq. (11)),
        ``objective`` (primal value of ``plan``), ``dual_objective`` (:math:`D` or
        :math:`S`), ``potentials = (alpha, beta)`` (for the semi-dual, ``beta`` is the one
        that makes ``plan`` the dual plan: :math:`\beta_j = -\gamma\tau_j` with the column
        threshold :math:`\tau_j`).

    References
    ----------
    1. Blondel, M., Seguy, V. & Rolet, A. (2018). Smooth and sparse optimal transport.
       AISTATS (eqs. (9)-(11), Prop. 1-2).
    2. Nocedal, J. & Wright, S. (2006). Numerical Optimization, Alg. 7.5 (L-BFGS).
    """
    a, b, C, reg, formulation, tol, max_iter, init = _common_args(a, b, C, reg, formulation,
                                                                  tol, max_iter, init)
    regularizer = check_option(regularizer, "regularizer", ("l2", "entropy"))
    code = _L2 if regularizer == "l2" else _KL
    return _solve(a, b, C, reg, code, C.shape[0], formulation, tol, max_iter, init,
                  f"{regularizer}-{formulation}")


def sparse_ot(a, b, C, reg, max_nz, *, formulation="semi_dual", tol=1e-6, ftol=1e-10,
              max_iter=1000, init=None):
    r"""Sparsity-constrained OT (Liu, Puigcerver & Blondel 2023): <= ``max_nz`` nonzeros per column.

    .. math::

        \min_{T \in U(a, b),\ \|t_j\|_0 \le k\ \forall j} \langle C, T\rangle
        + \frac{\gamma}{2}\|T\|_F^2,

    with :math:`\gamma` = ``reg``, :math:`k` = ``max_nz`` and the regularization convention
    :math:`\tfrac{\gamma}{2}\|t\|^2` per column (as POT's ``SparsityConstrained``).  The
    problem is non-convex; it is solved through concave relaxations (Liu et al. 2023,
    Sec. 3):

    - ``"semi_dual"`` (eq. (9)): :math:`S_k(\alpha) = \langle\alpha, a\rangle - \sum_j
      \max_{t \in b_j\Delta,\ \|t\|_0 \le k} \langle\alpha - c_j, t\rangle -
      \tfrac{\gamma}{2}\|t\|^2`; the maximizer is the projection of
      :math:`(\alpha - c_j)/\gamma` onto the k-sparse simplex: the top-k entries (found by
      quickselect, expected O(n) per column, no full sort) projected onto
      :math:`b_j\Delta` (Kyrillidis et al. 2013).  Column marginals are exact.
    - ``"dual"`` (eq. (11)): :math:`D_k(\alpha, \beta) = \langle\alpha, a\rangle +
      \langle\beta, b\rangle - \sum_j \frac{1}{2\gamma}\sum_{\text{top-}k}
      [\alpha + \beta_j - c_j]_+^2`.

    Properties (Liu et al. 2023, Props. 2-3): both are lower bounds on the primal optimum,
    :math:`\max D_k \le \max S_k` (the semi-dual is tighter); :math:`k \ge n` gives
    quadratically-regularized OT (:func:`smooth_ot` with ``"l2"``); for :math:`k = 1`,
    :math:`S_1(\alpha) = S_0(\alpha) + \tfrac{\gamma}{2}\sum_j b_j^2` with :math:`S_0` the
    unregularized semi-dual :math:`\langle\alpha,a\rangle - \sum_j b_j\max_i(\alpha_i -
    C_{ij})`.

    Parameters
    ----------
    a, b, C, reg : see :func:`smooth_ot`.
    max_nz : int
        Maximum nonzeros per column, ``>= 1``.
    formulation : {"semi_dual", "dual"}
    tol : float
        Stop when the L1 marginal error is ``<= tol`` (possible only when the sparse plan is
        feasible, e.g. large ``max_nz``) ...
    ftol : float
        ... or when L-BFGS-B's relative objective reduction
        :math:`(S^k - S^{k+1}) / \max(|S^k|, |S^{k+1}|, 1) \le` ``ftol`` or its
        projected-gradient test ``gtol = tol / (n + m)`` is met (``res.success``).  With
        ``max_nz < n`` the row marginals are in general not met exactly (non-convex primal;
        Liu et al. 2023, Sec. 3.3) and ``marginal_error`` reports the residual.
    max_iter, init : see :func:`smooth_ot`.

    Returns
    -------
    OTResult
        ``plan`` with at most ``max_nz`` nonzeros per column; ``dual_objective`` is
        :math:`S_k(\alpha)` or :math:`D_k(\alpha, \beta)`.

    References
    ----------
    1. Liu, T., Puigcerver, J. & Blondel, M. (2023). Sparsity-constrained optimal transport.
       ICLR (eqs. (9), (11); Props. 2-4).
    2. Kyrillidis, A. et al. (2013). Sparse projections onto the simplex. ICML.
    """
    a, b, C, reg, formulation, tol, max_iter, init = _common_args(a, b, C, reg, formulation,
                                                                  tol, max_iter, init)
    max_nz = check_int(max_nz, "max_nz", lo=1)
    ftol = check_scalar(ftol, "ftol", lo=0.0)
    return _solve(a, b, C, reg, _TOPK, min(max_nz, C.shape[0]), formulation, tol, max_iter,
                  init, f"sparse-{formulation}", ftol=ftol)
