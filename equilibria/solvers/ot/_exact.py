"""Unregularized optimal transport as a linear program (scipy HiGHS)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from equilibria._lib.result import Status, finish

from ._common import OTResult, check_cost, check_marginals

__all__ = ["exact_ot"]


def exact_ot(a, b, C):
    r"""Exact optimal transport by the HiGHS linear-programming solver.

    .. math::

        \mathrm{OT}_0(a, b) = \min_{P \ge 0,\ P1 = a,\ P^\top 1 = b} \langle C, P\rangle
        = \max_{f_i + g_j \le C_{ij}} \langle a, f\rangle + \langle b, g\rangle.

    Strong duality holds (LP duality; Peyre & Cuturi 2019, Prop. 2.4), so at the solution
    ``duality_gap`` is at the level of the LP tolerances.  The ``n + m`` equality constraints
    have rank ``n + m - 1``; HiGHS handles the redundancy.

    Parameters
    ----------
    a : array_like, shape (n,)
        Source weights (non-negative, zeros allowed).
    b : array_like, shape (m,)
        Target weights with the same total mass (relative tolerance 1e-8 for float64
        weights, ~2e-6 when ``a`` or ``b`` is float32); ``b`` is rescaled to the mass of ``a``.
    C : array_like, shape (n, m)
        Cost matrix.

    Returns
    -------
    OTResult
        ``plan`` (a vertex of the transport polytope), ``cost = objective = <C, P>``,
        ``dual_objective = <a, f> + <b, g>``, ``potentials = (f, g)`` (the equality-constraint
        marginals reported by HiGHS), ``marginal_error`` (L1), ``reg = 0``.

    References
    ----------
    1. Huangfu, Q. & Hall, J. (2018). Parallelizing the dual revised simplex method. Math.
       Prog. Comp. 10, 119-142 (HiGHS).
    2. Peyre, G. & Cuturi, M. (2019). Computational Optimal Transport (Prop. 2.4).
    """
    a, b = check_marginals(a, b)
    n, m = a.shape[0], b.shape[0]
    C = check_cost(C, n, m)
    b = b * (a.sum() / b.sum())  # equal masses exactly (check_marginals checked them)
    rows = sp.kron(sp.eye(n), np.ones((1, m)))
    cols = sp.kron(np.ones((1, n)), sp.eye(m))
    A = sp.vstack([rows, cols]).tocsr()
    res = linprog(C.ravel(), A_eq=A, b_eq=np.concatenate([a, b]), bounds=(0, None),
                  method="highs")
    if res.status != 0 or res.x is None:
        plan = np.zeros((n, m))
        return finish(OTResult, success=False, status=Status.INFEASIBLE if res.status == 2
                      else Status.MAX_ITER, message=f"HiGHS failed: {res.message}; check the "
                      "inputs or use `sinkhorn`", n_iter=int(getattr(res, "nit", 0)), plan=plan,
                      cost=np.inf, objective=np.inf, dual_objective=-np.inf,
                      potentials=(np.zeros(n), np.zeros(m)), marginal_error=np.inf, reg=0.0,
                      method="highs")
    plan = np.maximum(res.x.reshape(n, m), 0.0)
    y = res.eqlin.marginals
    f, g = np.array(y[:n]), np.array(y[n:])
    cost = float(np.sum(C * plan))
    dual = float(a @ f + b @ g)
    err = float(np.abs(plan.sum(1) - a).sum() + np.abs(plan.sum(0) - b).sum())
    return finish(OTResult, success=True, status=Status.SUCCESS,
                  message=f"optimal (HiGHS): {res.message}", n_iter=int(res.nit), plan=plan,
                  cost=cost, objective=cost, dual_objective=dual, potentials=(f, g),
                  marginal_error=err, reg=0.0, method="highs")
