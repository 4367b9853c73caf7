"""Private problem collection shared by tests and benchmarks.

Equality-constrained test problems ``min f(x) s.t. c(x) = 0`` with known solutions:

- Hock-Schittkowski problems 6, 7, 8, 26, 27, 28, 39, 40, 42, 46, 47, 48, 49, 50, 51, 52, 77,
  78, 79, transcribed from [1] (objective, constraints, standard starting point ``x0``, optimal
  value ``f_star`` and, where the collection lists it, the solution ``x_star``).  They are
  written as sympy expressions and compiled with :func:`compile_sympy` (``sympy.lambdify`` of
  the objective, constraints, gradient, Jacobian and Hessian of the Lagrangian).
- :func:`logistic_problem`: constrained logistic regression on a generated data set
  (``min (1/N) sum log(1 + exp(-y_i a_i^T x)) s.t. B x = d, ||x||^2 = r^2``: linear
  constraints and one sphere constraint), callables given directly.
- :func:`pde_problem`: a discretized 1-D elliptic optimal-control problem
  ``min 1/2 ||u - u_d||_h^2 + (alpha/2) ||z||_h^2 s.t. -u'' + u^3 = z`` (finite differences).
- :func:`random_problem`: random equality-constrained problems with linearly independent
  constraint gradients (used by the theorems and property tests).

References
----------
1. W. Hock, K. Schittkowski (1981). *Test Examples for Nonlinear Programming Codes*. Lecture
   Notes in Economics and Mathematical Systems 187, Springer.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Callable

import numpy as np
import sympy as sp

__all__ = ["Problem", "compile_sympy", "hock_schittkowski", "HS_NUMBERS", "logistic_problem",
           "pde_problem", "random_problem", "large_problem", "collection"]


@dataclasses.dataclass(frozen=True)
class Problem:
    """A compiled equality-constrained problem (data, not algorithm)."""

    name: str
    n: int
    m: int
    f: Callable
    c: Callable
    grad: Callable
    jac: Callable
    hess: Callable  # hess(x, lam) -> Hessian of the Lagrangian f + lam^T c
    x0: np.ndarray
    f_star: float | None = None
    x_star: np.ndarray | None = None
    f_expr: object = None
    c_expr: object = None
    variables: object = None
    hessp: Callable | None = None  # hessp(x, lam, v) -> H v (sparse problems)

    def solve_kwargs(self, matrix_free: bool = False) -> dict:
        """Keyword arguments for :func:`eal_sketch` with all derivatives (``matrix_free``:
        ``hessp`` in place of ``hess``)."""
        if matrix_free:
            if self.hessp is None:
                raise ValueError(f"problem {self.name} has no `hessp`")
            return {"grad": self.grad, "jac": self.jac, "hessp": self.hessp}
        return {"grad": self.grad, "jac": self.jac, "hess": self.hess}


def compile_sympy(f_expr, c_exprs, variables):
    """Compile sympy objective / constraints into numpy callables.

    Returns ``(f, c, grad, jac, hess)`` with ``hess(x, lam)`` the Hessian of the Lagrangian
    :math:`\\nabla^2 f + \\sum_i \\lambda_i \\nabla^2 c_i`.
    """
    xs = list(variables)
    n = len(xs)
    c_exprs = [sp.sympify(e) for e in c_exprs]
    m = len(c_exprs)
    lams = sp.symbols(f"_lam0:{m}") if m else ()
    f_expr = sp.sympify(f_expr)
    lag = f_expr + sum(lm * ci for lm, ci in zip(lams, c_exprs, strict=True))
    g_expr = [sp.diff(f_expr, v) for v in xs]
    J_expr = [[sp.diff(ci, v) for v in xs] for ci in c_exprs]
    H_expr = sp.hessian(lag, xs)
    mods = ["numpy"]
    f_l = sp.lambdify([xs], f_expr, mods)
    c_l = sp.lambdify([xs], c_exprs, mods)
    g_l = sp.lambdify([xs], g_expr, mods)
    J_l = sp.lambdify([xs], J_expr, mods)
    H_l = sp.lambdify([xs, list(lams)], H_expr, mods)

    def f(x):
        return float(f_l(x))

    def c(x):
        return np.asarray(c_l(x), dtype=float).reshape(m)

    def grad(x):
        return np.asarray(g_l(x), dtype=float).reshape(n)

    def jac(x):
        return np.asarray(J_l(x), dtype=float).reshape(m, n)

    def hess(x, lam):
        return np.asarray(H_l(x, lam), dtype=float).reshape(n, n)

    return f, c, grad, jac, hess


def _hs(number):
    x = sp.symbols("x1:6")
    x1, x2, x3, x4, x5 = x
    r2 = sp.sqrt(2)
    table = {
        6: (2, (1 - x1) ** 2, [10 * (x2 - x1**2)], [-1.2, 1.0], 0.0, [1.0, 1.0]),
        7: (2, sp.log(1 + x1**2) - x2, [(1 + x1**2) ** 2 + x2**2 - 4], [2.0, 2.0],
            -np.sqrt(3.0), [0.0, np.sqrt(3.0)]),
        8: (2, sp.Integer(-1) + 0 * x1, [x1**2 + x2**2 - 25, x1 * x2 - 9], [2.0, 1.0], -1.0,
            None),
        26: (3, (x1 - x2) ** 2 + (x2 - x3) ** 4, [(1 + x2**2) * x1 + x3**4 - 3],
             [-2.6, 2.0, 2.0], 0.0, [1.0, 1.0, 1.0]),
        27: (3, sp.Rational(1, 100) * (x1 - 1) ** 2 + (x2 - x1**2) ** 2, [x1 + x3**2 + 1],
             [2.0, 2.0, 2.0], 0.04, [-1.0, 1.0, 0.0]),
        28: (3, (x1 + x2) ** 2 + (x2 + x3) ** 2, [x1 + 2 * x2 + 3 * x3 - 1], [-4.0, 1.0, 1.0],
             0.0, [0.5, -0.5, 0.5]),
        39: (4, -x1, [x2 - x1**3 - x3**2, x1**2 - x2 - x4**2], [2.0, 2.0, 2.0, 2.0], -1.0,
             [1.0, 1.0, 0.0, 0.0]),
        40: (4, -x1 * x2 * x3 * x4, [x1**3 + x2**2 - 1, x1**2 * x4 - x3, x4**2 - x2],
             [0.8, 0.8, 0.8, 0.8], -0.25,
             [2 ** (-1 / 3), 2 ** (-1 / 2), 2 ** (-11 / 12), 2 ** (-1 / 4)]),
        42: (4, (x1 - 1) ** 2 + (x2 - 2) ** 2 + (x3 - 3) ** 2 + (x4 - 4) ** 2,
             [x1 - 2, x3**2 + x4**2 - 2], [1.0, 1.0, 1.0, 1.0], 28 - 10 * np.sqrt(2.0),
             [2.0, 2.0, 0.6 * np.sqrt(2.0), 0.8 * np.sqrt(2.0)]),
        46: (5, (x1 - x2) ** 2 + (x3 - 1) ** 2 + (x4 - 1) ** 4 + (x5 - 1) ** 6,
             [x1**2 * x4 + sp.sin(x4 - x5) - 1, x2 + x3**4 * x4**2 - 2],
             [0.5 * np.sqrt(2.0), 1.75, 0.5, 2.0, 2.0], 0.0, [1.0] * 5),
        47: (5, (x1 - x2) ** 2 + (x2 - x3) ** 3 + (x3 - x4) ** 4 + (x4 - x5) ** 4,
             [x1 + x2**2 + x3**3 - 3, x2 - x3**2 + x4 - 1, x1 * x5 - 1],
             [2.0, np.sqrt(2.0), -1.0, 2.0 - np.sqrt(2.0), 0.5], 0.0, [1.0] * 5),
        48: (5, (x1 - 1) ** 2 + (x2 - x3) ** 2 + (x4 - x5) ** 2,
             [x1 + x2 + x3 + x4 + x5 - 5, x3 - 2 * (x4 + x5) + 3],
             [3.0, 5.0, -3.0, 2.0, -2.0], 0.0, [1.0] * 5),
        49: (5, (x1 - x2) ** 2 + (x3 - 1) ** 2 + (x4 - 1) ** 4 + (x5 - 1) ** 6,
             [x1 + x2 + x3 + 4 * x4 - 7, x3 + 5 * x5 - 6],
             [10.0, 7.0, 2.0, -3.0, 0.8], 0.0, [1.0] * 5),
        50: (5, (x1 - x2) ** 2 + (x2 - x3) ** 2 + (x3 - x4) ** 4 + (x4 - x5) ** 2,
             [x1 + 2 * x2 + 3 * x3 - 6, x2 + 2 * x3 + 3 * x4 - 6, x3 + 2 * x4 + 3 * x5 - 6],
             [35.0, -31.0, 11.0, 5.0, -5.0], 0.0, [1.0] * 5),
        51: (5, (x1 - x2) ** 2 + (x2 + x3 - 2) ** 2 + (x4 - 1) ** 2 + (x5 - 1) ** 2,
             [x1 + 3 * x2 - 4, x3 + x4 - 2 * x5, x2 - x5],
             [2.5, 0.5, 2.0, -1.0, 0.5], 0.0, [1.0] * 5),
        52: (5, (4 * x1 - x2) ** 2 + (x2 + x3 - 2) ** 2 + (x4 - 1) ** 2 + (x5 - 1) ** 2,
             [x1 + 3 * x2, x3 + x4 - 2 * x5, x2 - x5],
             [2.0, 2.0, 2.0, 2.0, 2.0], 1859.0 / 349.0,
             [-33.0 / 349, 11.0 / 349, 180.0 / 349, -158.0 / 349, 11.0 / 349]),
        77: (5, (x1 - 1) ** 2 + (x1 - x2) ** 2 + (x3 - 1) ** 2 + (x4 - 1) ** 4 + (x5 - 1) ** 6,
             [x1**2 * x4 + sp.sin(x4 - x5) - 2 * r2, x2 + x3**4 * x4**2 - 8 - r2],
             [2.0] * 5, 0.24150513,
             [1.166172, 1.182111, 1.380257, 1.506036, 0.6109203]),
        78: (5, x1 * x2 * x3 * x4 * x5,
             [x1**2 + x2**2 + x3**2 + x4**2 + x5**2 - 10, x2 * x3 - 5 * x4 * x5,
              x1**3 + x2**3 + 1],
             [-2.0, 1.5, 2.0, -1.0, -1.0], -2.91970041,
             [-1.717143, 1.595709, 1.827247, -0.7636413, -0.7636450]),
        79: (5, (x1 - 1) ** 2 + (x1 - x2) ** 2 + (x2 - x3) ** 2 + (x3 - x4) ** 4
             + (x4 - x5) ** 4,
             [x1 + x2**2 + x3**3 - 2 - 3 * r2, x2 - x3**2 + x4 + 2 - 2 * r2, x1 * x5 - 2],
             [2.0] * 5, 0.0787768209,
             [1.191127, 1.362603, 1.472818, 1.635017, 1.679081]),
    }
    return x, table[number]


HS_NUMBERS = (6, 7, 8, 26, 27, 28, 39, 40, 42, 46, 47, 48, 49, 50, 51, 52, 77, 78, 79)


@functools.lru_cache(maxsize=None)
def hock_schittkowski(number: int) -> Problem:
    """Hock-Schittkowski problem ``number`` [1], compiled from sympy."""
    if number not in HS_NUMBERS:
        raise ValueError(f"`number` must be one of {HS_NUMBERS}, got {number!r}")
    x, (n, f_expr, c_expr, x0, f_star, x_star) = _hs(number)
    variables = x[:n]
    f, c, grad, jac, hess = compile_sympy(f_expr, c_expr, variables)
    return Problem(f"HS{number}", n, len(c_expr), f, c, grad, jac, hess,
                   np.asarray(x0, dtype=float), float(f_star),
                   None if x_star is None else np.asarray(x_star, dtype=float),
                   f_expr, c_expr, variables)


def _sigmoid(t):
    return 0.5 * (1.0 + np.tanh(0.5 * t))


def logistic_problem(n_samples: int = 200, n_features: int = 20, n_constraints: int = 5,
                     seed: int = 0, *, sparse: bool = False, nnz_per_row: int = 10,
                     ridge: float = 1e-2) -> Problem:
    r"""Constrained logistic regression on a generated data set.

    .. math::

        \min_x \frac1N \sum_{i=1}^N \log(1 + e^{-y_i a_i^T x}) \quad\text{s.t.}\quad
        B x = d,\ \ \tfrac12 \|x\|^2 = \tfrac12 r^2,

    with Gaussian features, labels from a planted logistic model, random ``B`` (full row rank)
    and ``d = B x_p``, ``r = ||x_p||`` for a planted feasible ``x_p``.  The optimum is not known
    in closed form (``f_star=None``); tests compare with SLSQP.

    ``sparse=True`` (the large family, n = ``n_features`` up to 10^6): sparse features
    (``nnz_per_row`` Gaussian entries per sample, scaled by ``1/sqrt(nnz_per_row)``), sparse
    ``B`` with ``n_constraints`` rows (``nnz_per_row`` entries each) and *no* sphere constraint
    (linear constraints only: a convex problem; with the sphere constraint the method stalled
    in short steps on this family), a ridge term ``(ridge/2) ||x||^2`` in ``f`` (the Hessian
    is then positive definite when ``n_samples < n_features``); ``jac`` and ``hess`` return
    CSR matrices and ``hessp(x, lam, v) = Z^T (w * (Z v)) / N + ridge v``.
    """
    if sparse:
        return _logistic_sparse(n_samples, n_features, n_constraints, seed, nnz_per_row,
                                ridge)
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n_samples, n_features)) / np.sqrt(n_features)
    w = rng.standard_normal(n_features)
    y = np.where(rng.random(n_samples) < _sigmoid(A @ w), 1.0, -1.0)
    Z = y[:, None] * A
    B = rng.standard_normal((n_constraints - 1, n_features))
    xp = rng.standard_normal(n_features)
    d = B @ xp
    r2 = float(xp @ xp)

    def f(x):
        return float(np.mean(np.logaddexp(0.0, -Z @ x)))

    def grad(x):
        return -Z.T @ _sigmoid(-Z @ x) / n_samples

    def c(x):
        return np.concatenate([B @ x - d, [0.5 * (x @ x - r2)]])

    def jac(x):
        return np.vstack([B, x[None, :]])

    def hess(x, lam):
        s = _sigmoid(Z @ x)
        H = (Z.T * (s * (1.0 - s))) @ Z / n_samples
        H[np.diag_indices_from(H)] += lam[-1]
        return H

    x0 = np.zeros(n_features)
    x0[0] = 1.0
    return Problem(f"logistic(N={n_samples},d={n_features})", n_features, n_constraints, f, c,
                   grad, jac, hess, x0)


def _random_sparse_rows(rng, rows, cols, k):
    """CSR ``(rows, cols)`` with ``k`` Gaussian entries per row (distinct columns)."""
    import scipy.sparse as sps
    k = min(k, cols)
    ind = np.empty((rows, k), dtype=np.int64)
    for s in range(0, rows, 100_000):          # chunks: distinct columns per row
        e = min(rows, s + 100_000)
        ind[s:e] = np.sort(rng.random((e - s, cols)).argpartition(k - 1, axis=1)[:, :k]
                           if cols <= 64 else rng.integers(0, cols, (e - s, k)), axis=1)
    val = rng.standard_normal((rows, k)) / np.sqrt(k)
    M = sps.csr_matrix((val.ravel(), ind.ravel(), np.arange(0, rows * k + 1, k)),
                       shape=(rows, cols))
    M.sum_duplicates()
    return M


def _logistic_sparse(n_samples, n_features, n_constraints, seed, k, ridge):
    import scipy.sparse as sps
    rng = np.random.default_rng(seed)
    N, n = n_samples, n_features
    A = _random_sparse_rows(rng, N, n, k)
    w = rng.standard_normal(n)
    y = np.where(rng.random(N) < _sigmoid(A @ w), 1.0, -1.0)
    Z = sps.csr_matrix(sps.diags(y) @ A)
    ZT = sps.csr_matrix(Z.T)
    B = _random_sparse_rows(rng, n_constraints, n, k)
    xp = rng.standard_normal(n) / np.sqrt(n) * 3.0
    d = B @ xp
    mu = float(ridge)

    def f(x):
        return float(np.mean(np.logaddexp(0.0, -(Z @ x))) + 0.5 * mu * (x @ x))

    def grad(x):
        return -(ZT @ _sigmoid(-(Z @ x))) / N + mu * x

    def c(x):
        return B @ x - d

    def jac(x):
        return B

    def hess(x, lam):
        s = _sigmoid(Z @ x)
        H = ZT @ sps.diags(s * (1.0 - s) / N) @ Z
        return sps.csr_matrix(H + mu * sps.identity(n, format="csr"))

    def hessp(x, lam, v):
        s = _sigmoid(Z @ x)
        return ZT @ (s * (1.0 - s) * (Z @ v)) / N + mu * v

    x0 = np.zeros(n)
    x0[0] = 1.0
    return Problem(f"logistic-sparse(N={N},n={n},m={n_constraints})", n, n_constraints, f, c,
                   grad, jac, hess, x0, hessp=hessp)


def _pde_objective(N, h, ud, alpha):
    """Tracking objective of the PDE problems, ``h/2 ||u - u_d||^2 + alpha h/2 ||z||^2``, and
    its gradient (shared by the dense and the sparse family)."""

    def f(x):
        u, z = x[:N], x[N:]
        return float(0.5 * h * np.sum((u - ud) ** 2) + 0.5 * alpha * h * np.sum(z**2))

    def grad(x):
        u, z = x[:N], x[N:]
        return np.concatenate([h * (u - ud), alpha * h * z])

    return f, grad


def pde_problem(n_grid: int = 30, alpha: float = 1e-3, *, sparse: bool = False) -> Problem:
    r"""Discretized 1-D elliptic optimal control (PDE-constrained optimization).

    State :math:`u` and control :math:`z` on ``n_grid`` interior nodes of (0, 1), mesh
    :math:`h = 1/(n_{grid}+1)`, homogeneous Dirichlet data:

    .. math::

        \min_{u,z} \frac h2 \|u - u_d\|^2 + \frac{\alpha h}{2}\|z\|^2 \quad\text{s.t.}\quad
        -\frac{u_{i-1} - 2u_i + u_{i+1}}{h^2} + u_i^3 - z_i = 0,

    with target :math:`u_d(t) = \sin(\pi t)`.  Variables ``x = (u, z)`` (n = 2 n_grid), m = n_grid
    constraints; the constraint Jacobian ``[L + 3 diag(u^2), -I]`` has full row rank.

    ``sparse=True`` (the large family, n_grid up to 5 10^5): CSR Jacobian and Hessian, a
    ``hessp``, and the constraints multiplied by ``h`` (``h (L u + u^3 - z) = 0``, the same
    solution) so that their rounding error stays below the KKT tolerance at fine meshes
    (unscaled, ``||L|| ~ 4/h^2`` makes ``c`` accurate only to ``~1e-16 / h^2``).
    """
    if sparse:
        return _pde_sparse(n_grid, alpha)
    N = n_grid
    h = 1.0 / (N + 1)
    t = h * np.arange(1, N + 1)
    ud = np.sin(np.pi * t)
    L = (np.diag(2.0 * np.ones(N)) - np.diag(np.ones(N - 1), 1) - np.diag(np.ones(N - 1), -1))
    L /= h * h

    f, grad = _pde_objective(N, h, ud, alpha)

    def c(x):
        u, z = x[:N], x[N:]
        return L @ u + u**3 - z

    def jac(x):
        u = x[:N]
        return np.hstack([L + np.diag(3.0 * u**2), -np.eye(N)])

    def hess(x, lam):
        u = x[:N]
        H = np.zeros((2 * N, 2 * N))
        H[:N, :N] = np.diag(h + 6.0 * lam * u)
        H[N:, N:] = alpha * h * np.eye(N)
        return H

    return Problem(f"pde(n_grid={N})", 2 * N, N, f, c, grad, jac, hess, np.zeros(2 * N))


def _pde_sparse(n_grid, alpha):
    import scipy.sparse as sps
    N = n_grid
    h = 1.0 / (N + 1)
    t = h * np.arange(1, N + 1)
    ud = np.sin(np.pi * t)
    L = sps.diags([-np.ones(N - 1), 2.0 * np.ones(N), -np.ones(N - 1)], [-1, 0, 1],
                  format="csr") / h            # h * (discrete -Laplacian)
    Id = sps.identity(N, format="csr")

    f, grad = _pde_objective(N, h, ud, alpha)

    def c(x):
        u, z = x[:N], x[N:]
        return L @ u + h * (u**3 - z)

    def jac(x):
        u = x[:N]
        return sps.hstack([L + sps.diags(3.0 * h * u**2), -h * Id], format="csr")

    def hess(x, lam):
        u = x[:N]
        return sps.diags(np.concatenate([h + 6.0 * h * lam * u, alpha * h * np.ones(N)]),
                         format="csr")

    def hessp(x, lam, v):
        u = x[:N]
        return np.concatenate([(h + 6.0 * h * lam * u) * v[:N], alpha * h * v[N:]])

    return Problem(f"pde-sparse(n_grid={N})", 2 * N, N, f, c, grad, jac, hess, np.zeros(2 * N),
                   hessp=hessp)


def random_problem(rng, n: int | None = None, m: int | None = None, *,
                   nonlinear: float = 0.3) -> Problem:
    r"""Random equality-constrained problem with linearly independent constraint gradients.

    .. math::

        \min_x \tfrac12 x^T Q x + q^T x + \tfrac{s}{4}\sum_i x_i^4 \quad\text{s.t.}\quad
        A x + \tfrac{\epsilon}{2}\, \mathrm{diag}(x^T E_j x)_j - b = 0,

    ``Q`` positive definite, ``A`` with singular values in [1, 2] (so :math:`\nabla c` has full
    row rank near the origin), small curvature :math:`\epsilon` = ``nonlinear``,
    ``b = A x_p + ...`` for a planted feasible point ``x_p`` (the problem is feasible).
    """
    rng = np.random.default_rng(rng)
    n = int(rng.integers(3, 9)) if n is None else int(n)
    m = int(rng.integers(1, n)) if m is None else int(m)
    M = rng.standard_normal((n, n))
    Q = M @ M.T / n + 0.5 * np.eye(n)
    q = rng.standard_normal(n)
    s = 0.1 * rng.random()
    U, _ = np.linalg.qr(rng.standard_normal((m, m)))
    V, _ = np.linalg.qr(rng.standard_normal((n, m)))
    A = U @ np.diag(rng.uniform(1.0, 2.0, m)) @ V.T
    E = rng.standard_normal((m, n, n))
    E = 0.5 * (E + E.transpose(0, 2, 1)) / np.sqrt(n)
    eps = float(nonlinear)
    xp = 0.5 * rng.standard_normal(n)
    b = A @ xp + 0.5 * eps * np.einsum("i,jik,k->j", xp, E, xp)

    def f(x):
        return float(0.5 * x @ Q @ x + q @ x + 0.25 * s * np.sum(x**4))

    def grad(x):
        return Q @ x + q + s * x**3

    def c(x):
        return A @ x + 0.5 * eps * np.einsum("i,jik,k->j", x, E, x) - b

    def jac(x):
        return A + eps * np.einsum("jik,k->ji", E, x)

    def hess(x, lam):
        return Q + np.diag(3.0 * s * x**2) + eps * np.einsum("j,jik->ik", lam, E)

    return Problem(f"random(n={n},m={m})", n, m, f, c, grad, jac, hess, np.zeros(n))


def large_problem(n: int = 2000, m: int = 500, seed: int = 0) -> Problem:
    r"""Large problem for the scaling benchmark (n variables, m constraints).

    .. math::

        \min_x \sum_i \big(\tfrac12 d_i (x_i - a_i)^2 + \log\cosh x_i\big) \quad\text{s.t.}\quad
        A x + \tfrac{1}{10}\sin(x_{1:m}) = b,

    with ``A`` having orthonormal rows (scaled), ``d_i`` in [1, 2], ``b`` from a planted point.
    """
    rng = np.random.default_rng(seed)
    V, _ = np.linalg.qr(rng.standard_normal((n, m)))
    A = 2.0 * V.T
    dd = rng.uniform(1.0, 2.0, n)
    a = rng.standard_normal(n)
    xp = rng.standard_normal(n)
    b = A @ xp + 0.1 * np.sin(xp[:m])

    def f(x):
        return float(np.sum(0.5 * dd * (x - a) ** 2 + np.logaddexp(x, -x) - np.log(2.0)))

    def grad(x):
        return dd * (x - a) + np.tanh(x)

    def c(x):
        return A @ x + 0.1 * np.sin(x[:m]) - b

    def jac(x):
        J = A.copy()
        J[np.arange(m), np.arange(m)] += 0.1 * np.cos(x[:m])
        return J

    def hess(x, lam):
        diag = dd + 1.0 - np.tanh(x) ** 2
        diag[:m] -= 0.1 * lam * np.sin(x[:m])
        return np.diag(diag)

    return Problem(f"large(n={n},m={m})", n, m, f, c, grad, jac, hess, np.zeros(n))


def collection() -> list[Problem]:
    """The benchmark collection: all HS problems, a logistic and a PDE problem."""
    return [hock_schittkowski(k) for k in HS_NUMBERS] + [logistic_problem(), pde_problem()]
