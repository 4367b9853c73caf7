"""The derivative oracle of :func:`.eal.eal_sketch`.

:func:`_build_oracle` turns the user's problem (callables with optional ``grad``, ``jac``,
``hess``, ``hessp``; or sympy expressions, compiled by :func:`._problems.compile_sympy`) into
an :class:`_Oracle`, which counts evaluations of ``f`` and supplies the derivatives the user
did not give by finite differences (:func:`_fd_grad`, :func:`_fd_jac` and forward differences
of the Lagrangian gradient for the Hessian).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sps
from scipy.sparse.linalg import LinearOperator

from equilibria._lib.validation import check_callable

__all__: list[str] = []

#: relative step of the central differences of ``grad`` and ``jac`` (``eps^(1/3)``, the
#: step balancing truncation and rounding error of a central difference)
FD_CENTRAL_STEP = np.finfo(float).eps ** (1 / 3)
#: relative step of the forward differences of the Lagrangian gradient (``sqrt(eps)``)
FD_FORWARD_STEP = np.sqrt(np.finfo(float).eps)


def _fd_grad(fun, x, h=None):
    """Central-difference gradient of the scalar ``fun`` at ``x`` (step ``h`` if given)."""
    n = x.size
    g = np.empty(n)
    for i in range(n):
        hi = FD_CENTRAL_STEP * max(1.0, abs(x[i])) if h is None else h
        e = np.zeros(n)
        e[i] = hi
        g[i] = (fun(x + e) - fun(x - e)) / (2 * hi)
    return g


def _fd_jac(fun, x, m):
    """Central-difference Jacobian ``(m, n)`` of the vector function ``fun`` at ``x``."""
    n = x.size
    J = np.empty((m, n))
    for i in range(n):
        hi = FD_CENTRAL_STEP * max(1.0, abs(x[i]))
        e = np.zeros(n)
        e[i] = hi
        J[:, i] = (np.asarray(fun(x + e), float) - np.asarray(fun(x - e), float)) / (2 * hi)
    return J


def _is_sympy(obj) -> bool:
    """Whether ``obj`` is a sympy expression, matrix or a sequence holding one."""
    try:
        import sympy as sp
    except ImportError:  # pragma: no cover
        return False
    if isinstance(obj, sp.Basic):
        return True
    if isinstance(obj, (list, tuple)) and obj and all(isinstance(e, (sp.Basic, int, float))
                                                      for e in obj):
        return any(isinstance(e, sp.Basic) for e in obj)
    return isinstance(obj, sp.MatrixBase)


class _Oracle:
    """Counts evaluations and supplies derivatives (user callables, sympy or finite differences)."""

    def __init__(self, f, c, grad, jac, hess, hessp, n):
        self.f_user, self.c_user = f, c
        self.grad_user, self.jac_user = grad, jac
        self.hess_user, self.hessp_user = hess, hessp
        self.n = n
        self.m = None
        self.n_fev = 0
        #: sparse / matrix-free path (set by the caller at x0): keep ``J`` in CSR form and
        #: give ``H`` as a sparse matrix or a ``LinearOperator``, never a dense ``n x n`` array
        self.matrix_free = False

    def f(self, x):
        self.n_fev += 1
        return float(self.f_user(x))

    def c(self, x):
        return np.atleast_1d(np.asarray(self.c_user(x), dtype=float))

    def grad(self, x):
        if self.grad_user is not None:
            return np.asarray(self.grad_user(x), dtype=float)
        return _fd_grad(lambda y: float(self.f_user(y)), x)

    def jac(self, x):
        if self.jac_user is not None:
            J = self.jac_user(x)
            if sps.issparse(J):
                return sps.csr_matrix(J, dtype=float)
            J = np.atleast_2d(np.asarray(J, dtype=float))
        else:
            J = _fd_jac(self.c, x, self.m)
        return sps.csr_matrix(J) if self.matrix_free else J

    def hess(self, x, lam):
        n = self.n
        if self.hess_user is not None:
            H = self.hess_user(x, lam)
            if isinstance(H, LinearOperator):
                return H
            if sps.issparse(H):
                return sps.csr_matrix(H, dtype=float)
            try:
                return np.asarray(H, dtype=float)
            except (TypeError, ValueError):
                raise TypeError("`hess` must give an array, a scipy.sparse matrix or a "
                                f"LinearOperator, got {type(H).__name__}") from None
        if self.matrix_free:
            return self._hess_operator(x, lam)
        if self.hessp_user is not None:
            H = np.empty((n, n))
            for i in range(n):
                e = np.zeros(n)
                e[i] = 1.0
                H[:, i] = np.asarray(self.hessp_user(x, lam, e), dtype=float)
            return 0.5 * (H + H.T)
        # forward differences of the Lagrangian gradient (documented deviation)
        def lag_grad(y):
            return self.grad(y) + self.jac(y).T @ lam
        g0 = lag_grad(x)
        H = np.empty((n, n))
        for i in range(n):
            hi = FD_FORWARD_STEP * max(1.0, abs(x[i]))
            e = np.zeros(n)
            e[i] = hi
            H[:, i] = (lag_grad(x + e) - g0) / hi
        return 0.5 * (H + H.T)


    def _hess_operator(self, x, lam):
        """``H`` as a ``LinearOperator``: ``hessp(x, lam, v)``, else forward differences of
        the Lagrangian gradient along ``v`` (step ``sqrt(eps) max(1, ||x||) / ||v||``)."""
        n = self.n
        x = x.copy()
        lam = lam.copy()
        if self.hessp_user is not None:
            user = self.hessp_user

            def mv(v):
                return np.asarray(user(x, lam, np.asarray(v, dtype=float).ravel()),
                                  dtype=float).ravel()
        else:
            def lag_grad(y):
                return self.grad(y) + self.jac(y).T @ lam
            g0 = lag_grad(x)

            def mv(v):
                v = np.asarray(v, dtype=float).ravel()
                vn = float(np.linalg.norm(v))
                if vn == 0:
                    return np.zeros(n)
                h = FD_FORWARD_STEP * max(1.0, float(np.linalg.norm(x))) / vn
                return (lag_grad(x + h * v) - g0) / h
        return LinearOperator((n, n), matvec=mv, rmatvec=mv, dtype=float)


def _build_oracle(f, c, grad, jac, hess, hessp, variables, x):
    """The oracle of the problem ``(f, c)`` with start ``x`` (shape ``(n,)``), checking inputs.

    Sympy ``f``/``c`` are compiled (gradient, Jacobian and Hessian included; then none of
    ``grad``, ``jac``, ``hess``, ``hessp`` may be given, and ``variables``, default the free
    symbols sorted by name, must have one entry per coordinate of ``x``); otherwise ``f``,
    ``c`` and the given derivatives must be callable.  Returns the :class:`_Oracle` (its
    number of constraints ``m`` is set by the caller after evaluating ``c(x0)``).
    """
    n = x.size
    if _is_sympy(f) or _is_sympy(c):
        import sympy as sp

        from ._problems import compile_sympy
        if grad is not None or jac is not None or hess is not None or hessp is not None:
            raise ValueError("with sympy `f`/`c`, derivatives are compiled by the package: do "
                             "not pass `grad`, `jac`, `hess` or `hessp`")
        f_expr = sp.sympify(f)
        c_list = list(c) if isinstance(c, (list, tuple, sp.MatrixBase)) else [c]
        if variables is None:
            free = set(f_expr.free_symbols)
            for e in c_list:
                free |= set(sp.sympify(e).free_symbols)
            variables = sorted(free, key=lambda s: s.name)
        variables = list(variables)
        if len(variables) != n:
            raise ValueError(f"`x0` must have one entry per variable ({len(variables)}: "
                             f"{variables}), got shape {x.shape}")
        f, c, grad, jac, hess = compile_sympy(f_expr, c_list, variables)
    else:
        check_callable(f, "f")
        check_callable(c, "c")
        for name, fun in (("grad", grad), ("jac", jac), ("hess", hess), ("hessp", hessp)):
            if fun is not None:
                check_callable(fun, name)
    return _Oracle(f, c, grad, jac, hess, hessp, n)
