"""IPOPT (cyipopt-wheels: IPOPT with MUMPS) on a ``Problem`` of the constrained collection.

:func:`run_ipopt` hands IPOPT the same exact derivatives ``eal_sketch`` gets: gradient,
constraint Jacobian and the Hessian of the Lagrangian ``nabla^2 f + sum_i lam_i nabla^2 c_i``
(lower triangle), dense or sparse as the problem returns them.  The sparsity pattern IPOPT
needs up front is the union of the patterns at ``x0`` and at one random point with random
multipliers (so entries that vanish at ``x0`` are kept).

Stopping rule (mapped onto eal_sketch's ``max(||grad f + J^T lam||_inf, ||c||_inf) <= tol``):
``nlp_scaling_method = none`` (no gradient scaling of f or c), ``tol = dual_inf_tol =
constr_viol_tol = tol``.  IPOPT stops when its scaled optimality error (dual infeasibility
divided by ``s_d >= 1``, constraint violation, complementarity; all max-norms) is ``<= tol``
*and* the unscaled dual infeasibility and constraint violation are ``<= tol``; with equality
constraints only, that is the same test as eal_sketch's.  The KKT residual of the returned
point is recomputed here with IPOPT's multipliers (IPOPT's Lagrangian is ``f + y^T c``, the
same sign as eal_sketch's).
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sps


def _pattern(mats, lower=False):
    """Row and column indices of the union of the sparsity patterns of ``mats``."""
    acc = None
    for M in mats:
        S = sps.csr_matrix(M, copy=True)
        S.data = np.ones_like(S.data)
        acc = S if acc is None else acc + S
    acc = sps.tril(acc) if lower else acc
    acc = sps.coo_matrix(acc)
    order = np.lexsort((acc.col, acc.row))
    return acc.row[order].astype(np.int64), acc.col[order].astype(np.int64)


def _values(M, rows, cols):
    """Entries of ``M`` (dense or sparse) at the pattern ``(rows, cols)``."""
    if sps.issparse(M):
        return np.asarray(sps.csr_matrix(M)[rows, cols]).ravel()
    return np.asarray(M)[rows, cols]


class _NLP:
    """cyipopt problem object: callbacks and iteration count."""

    def __init__(self, p):
        self.p = p
        rng = np.random.default_rng(12345)
        xr = p.x0 + rng.standard_normal(p.n)
        lr = rng.standard_normal(p.m)
        self.jrows, self.jcols = _pattern([p.jac(p.x0), p.jac(xr)])
        self.hrows, self.hcols = _pattern([p.hess(p.x0, np.zeros(p.m)), p.hess(xr, lr),
                                           p.hess(p.x0, lr)], lower=True)
        self.iters = 0

    def objective(self, x):
        return self.p.f(x)

    def gradient(self, x):
        return self.p.grad(x)

    def constraints(self, x):
        return self.p.c(x)

    def jacobianstructure(self):
        return self.jrows, self.jcols

    def jacobian(self, x):
        return _values(self.p.jac(x), self.jrows, self.jcols)

    def hessianstructure(self):
        return self.hrows, self.hcols

    def hessian(self, x, lagrange, obj_factor):
        # H_f = hess(x, 0); H = obj_factor H_f + sum lam_i H_ci = obj_factor hess(x, lam / s)
        if obj_factor == 0.0:
            Hf = self.p.hess(x, np.zeros(self.p.m))
            Hl = self.p.hess(x, lagrange)
            M = Hl - Hf
        elif obj_factor == 1.0:
            M = self.p.hess(x, lagrange)
        else:
            M = obj_factor * self.p.hess(x, lagrange / obj_factor)
        return _values(M, self.hrows, self.hcols)

    def intermediate(self, alg_mod, iter_count, *args):
        self.iters = int(iter_count)
        return True


def kkt(p, x, lam):
    """``max(||grad f + J^T lam||_inf, ||c||_inf)`` (eal_sketch's stopping rule)."""
    J = p.jac(x)
    return float(max(np.abs(p.grad(x) + J.T @ lam).max(), np.abs(p.c(x)).max()))


def run_ipopt(p, tol=1e-8, max_iter=3000, max_cpu_time=None, linear_solver="mumps"):
    """Solve ``p`` with IPOPT; returns ``dict(x, lam, iters, time, kkt, status, msg)``.

    ``time`` includes building the sparsity pattern (one extra ``jac`` and three ``hess``
    evaluations) -- the price of handing IPOPT its structure.
    """
    import cyipopt

    t = time.perf_counter()
    nlp = _NLP(p)
    prob = cyipopt.Problem(n=p.n, m=p.m, problem_obj=nlp, lb=None, ub=None,
                           cl=np.zeros(p.m), cu=np.zeros(p.m))
    for k, v in (("tol", tol), ("dual_inf_tol", tol), ("constr_viol_tol", tol),
                 ("nlp_scaling_method", "none"), ("print_level", 0), ("max_iter", max_iter),
                 ("linear_solver", linear_solver), ("sb", "yes")):
        prob.add_option(k, v)
    if max_cpu_time is not None:
        prob.add_option("max_wall_time", float(max_cpu_time))
    x, info = prob.solve(np.asarray(p.x0, dtype=float).copy())
    elapsed = time.perf_counter() - t
    lam = np.asarray(info["mult_g"], dtype=float)
    try:
        r = kkt(p, x, lam)
    except Exception:  # non-finite point
        r = float("nan")
    return dict(x=np.asarray(x), lam=lam, iters=nlp.iters, time=elapsed, kkt=r,
                status=int(info["status"]), msg=info["status_msg"])
