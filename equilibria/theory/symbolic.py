"""Symbolic vector fields: sympy expressions, a symbolic Jacobian, a compiled field.

:class:`SymbolicField` holds ``dx/dt = f(x; p)`` as sympy expressions.  The Jacobian is derived
symbolically (``sympy.Matrix.jacobian``); both are compiled by ``sympy.lambdify`` (``math``
module, common-subexpression elimination) and then ``numba`` so the adaptive Dormand-Prince 5(4)
integrator of :func:`equilibria.odes.simulate_field` runs the field without Python overhead
(simulation lives in the dynamics room; this module stays below it in the dependency order).
Equilibria are solved symbolically (``sympy.solve``) where sympy can.

:func:`glv_field` builds the symbolic generalized Lotka-Volterra / Holling / replicator field of
an :class:`~equilibria.odes.LVSystem`-like ``(r, A[, M, q])``.

References
----------
1. A. Meurer et al., "SymPy: symbolic computing in Python", PeerJ Comput. Sci. 3 (2017) e103.
2. S. K. Lam, A. Pitrou, S. Seibert, "Numba: a LLVM-based Python JIT compiler", LLVM-HPC 2015.
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np
import sympy as sp

from equilibria._lib.validation import as_float_array, check_scalar

__all__ = ["SymbolicField", "glv_field"]


def _compile_scalar(args, exprs):
    """lambdify (math module, cse) then numba: returns an njit function of scalars -> tuple."""
    from equilibria._lib.jit import njit

    f = sp.lambdify(args, tuple(exprs), modules="math", cse=True)
    return njit(cache=False)(f)


def _wrapper(fs, n_args_x, n_args_p, n_out, *, matrix_cols=None):
    """numba wrapper ``w(x, P, work, out)`` unpacking arrays into the scalar function."""
    from equilibria._lib.jit import njit

    call = ", ".join([f"x[{i}]" for i in range(n_args_x)] + [f"P[{j}]" for j in range(n_args_p)])
    lines = ["def w(x, P, work, out):", f"    t = fs({call})"]
    if matrix_cols is None:
        lines += [f"    out[{i}] = t[{i}]" for i in range(n_out)]
    else:
        lines += [f"    out[{k // matrix_cols}, {k % matrix_cols}] = t[{k}]"
                  for k in range(n_out)]
    ns = {"fs": fs}
    exec("\n".join(lines), ns)  # noqa: S102 - generated from integer counts only
    return njit(cache=False)(ns["w"])


@dataclasses.dataclass(frozen=True)
class SymbolicField:
    r"""``dx/dt = f(x; p)`` with symbolic Jacobian and compiled simulation.

    Parameters
    ----------
    exprs : sequence of sympy expressions
        Components of ``f``.
    states : sequence of sympy symbols
        ``x``, in order.
    params : sequence of sympy symbols, optional
        ``p``, in order; values are passed at evaluation time.
    """

    exprs: tuple
    states: tuple
    params: tuple = ()

    def __post_init__(self):
        exprs = tuple(sp.sympify(e) for e in self.exprs)
        states = tuple(self.states)
        params = tuple(self.params)
        if len(exprs) != len(states) or not exprs:
            raise ValueError(f"`exprs` must have one component per state, got {len(exprs)} "
                             f"expressions for {len(states)} states")
        free = set().union(*(e.free_symbols for e in exprs))
        unknown = free - set(states) - set(params)
        if unknown:
            raise ValueError(f"`exprs` use symbols not in `states`/`params`: "
                             f"{sorted(map(str, unknown))}")
        object.__setattr__(self, "exprs", exprs)
        object.__setattr__(self, "states", states)
        object.__setattr__(self, "params", params)

    @property
    def n(self) -> int:
        return len(self.states)

    @functools.cached_property
    def jacobian(self) -> sp.Matrix:
        """Symbolic Jacobian ``d f_i / d x_j``."""
        return sp.Matrix(self.exprs).jacobian(sp.Matrix(self.states))

    def param_vector(self, p) -> np.ndarray:
        """``p`` validated as a float vector of length ``len(self.params)`` (empty if none)."""
        return self._p(p)

    def _p(self, p):
        if not self.params:
            if p is not None:
                as_float_array(p, "p", shape=(0,))  # a field without parameters takes none
            return np.zeros(0)
        return as_float_array(p, "p", shape=(len(self.params),))

    @staticmethod
    def _finite(out, what):
        if not np.all(np.isfinite(out)):
            raise ValueError(f"the {what} is not finite at this `x` and `p` (overflow or a "
                             "singular expression); evaluate it at smaller states or parameters")
        return out

    def _x(self, x):
        return as_float_array(x, "x", shape=(self.n,))

    # ---- compiled pieces (built lazily, once per instance)
    @property
    def compiled_field(self):
        """The numba-compiled field ``f(x, p, work, out)`` (writes ``f(x; p)`` into ``out``).

        This is what :func:`equilibria.odes.simulate_field` integrates.
        """
        return self._f_numba

    @functools.cached_property
    def _f_numba(self):
        fs = _compile_scalar(list(self.states) + list(self.params), self.exprs)
        return _wrapper(fs, self.n, len(self.params), self.n)

    @functools.cached_property
    def _jac_numba(self):
        fs = _compile_scalar(list(self.states) + list(self.params), list(self.jacobian))
        return _wrapper(fs, self.n, len(self.params), self.n * self.n, matrix_cols=self.n)

    def field(self, x, p=None) -> np.ndarray:
        """Compiled ``f(x; p)`` (a ``ValueError`` naming ``x`` and ``p`` if it is not finite)."""
        out = np.empty(self.n)
        self._f_numba(self._x(x), self._p(p), np.empty(self.n), out)
        return self._finite(out, "field")

    def jacobian_at(self, x, p=None) -> np.ndarray:
        """Compiled symbolic Jacobian at ``x`` (a ``ValueError`` if it is not finite)."""
        out = np.empty((self.n, self.n))
        self._jac_numba(self._x(x), self._p(p), np.empty(self.n), out)
        return self._finite(out, "Jacobian")

    def equilibria(self, p=None, *, nonneg: bool = True) -> list[np.ndarray]:
        """Equilibria solved by ``sympy.solve`` (real solutions; non-negative if ``nonneg``).

        Parameter values ``p`` are substituted first (``None`` keeps them symbolic and returns
        the raw sympy solutions instead).
        """
        if p is None and self.params:
            return sp.solve(list(self.exprs), list(self.states), dict=True)
        subs = dict(zip(self.params, self._p(p).tolist(), strict=True))
        eqs = [sp.nsimplify(e.subs(subs), rational=True) for e in self.exprs]
        sols = sp.solve(eqs, list(self.states), dict=True)
        out = []
        for s in sols:
            vals = [s.get(x, x) for x in self.states]
            if any(not v.is_number or not v.is_real for v in map(sp.sympify, vals)):
                continue
            v = np.array([float(val) for val in vals])
            if nonneg and np.any(v < -1e-12):
                continue
            out.append(v)
        return out


def glv_field(r, A, *, kind: str = "glv", M=None, q=None) -> SymbolicField:
    r"""Symbolic GLV / Holling II / replicator field with numeric coefficients
    (exact rationals when they are representable).

    .. math::

        \dot x_i = x_i\Big(r_i + (A x)_i + \sum_j M_{ij} \frac{x_j}{1 + q_j x_j}\Big)
        \quad\text{or}\quad \dot x_i = x_i\big((A x)_i - x^\top A x\big)

    Parameters
    ----------
    r : array (n,), finite (ignored by the replicator)
        Intrinsic growth rates :math:`r_i`.
    A : array (n, n), finite
        Interaction matrix :math:`A`.
    kind : {"glv", "holling", "replicator"}
        Which field to build; default ``"glv"`` (the first form with :math:`M=0`).
    M : array (n, n), required for ``kind="holling"``
        Coefficients :math:`M_{ij}` of the saturating (Holling type II) terms; ignored
        otherwise.
    q : array (n,) >= 0, required for ``kind="holling"``
        Handling coefficients :math:`q_j` of the saturation :math:`x_j/(1+q_j x_j)`; ignored
        otherwise.

    Returns
    -------
    SymbolicField
        The field in the states ``x0, ..., x{n-1}`` (non-negative sympy symbols), with no
        free parameters (``params=()``).

    Raises
    ------
    ValueError
        If ``kind`` is unknown, a shape is wrong, or ``M``/``q`` is missing for
        ``kind="holling"``.
    """
    from equilibria._lib.validation import check_option, check_square

    check_option(kind, "kind", ("glv", "holling", "replicator"))
    A = check_square(A, "A")
    n = A.shape[0]
    if kind != "replicator":
        r = as_float_array(r, "r", shape=(n,))
    if kind == "holling":
        if M is None or q is None:
            raise ValueError("`M` and `q` are required for kind='holling'")
        M = as_float_array(M, "M", shape=(n, n))
        q = as_float_array(q, "q", shape=(n,), nonneg=True)
    xs = sp.symbols(f"x0:{n}", nonnegative=True)
    X = sp.Matrix(xs)
    Am = sp.Matrix(A.tolist()).applyfunc(sp.nsimplify)
    Ax = Am * X
    if kind == "replicator":
        phi = (X.T * Ax)[0]
        exprs = [xs[i] * (Ax[i] - phi) for i in range(n)]
    else:
        rr = [sp.nsimplify(v) for v in np.asarray(r, float)]
        sat = [0] * n
        if kind == "holling":
            Mm = sp.Matrix(np.asarray(M, float).tolist()).applyfunc(sp.nsimplify)
            qq = [sp.nsimplify(v) for v in np.asarray(q, float)]
            Y = sp.Matrix([xs[j] / (1 + qq[j] * xs[j]) for j in range(n)])
            sat = list(Mm * Y)
        exprs = [xs[i] * (rr[i] + Ax[i] + sat[i]) for i in range(n)]
    return SymbolicField(tuple(exprs), xs)
