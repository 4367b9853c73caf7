"""The sparse / matrix-free path of :func:`.eal.eal_sketch`.

Taken when the constraint Jacobian is a ``scipy.sparse`` matrix, the Hessian of the Lagrangian
is a sparse matrix or a ``LinearOperator``, or only ``hessp`` is given and ``n + m`` exceeds
:data:`.eal.AUTO_DENSE_MAX`.  On this path no dense ``n x n`` or ``(n+m) x (n+m)`` array is
formed: ``J`` is kept in CSR form, ``H`` as a sparse matrix or a ``LinearOperator`` (``hessp``
or forward differences of the Lagrangian gradient along ``v``), the Gram matrix ``J J^T`` is
factorized sparsely (SuperLU), and the Newton-KKT system

.. math:: K = \\begin{pmatrix} H + \\delta I & J^T \\\\ J & 0 \\end{pmatrix}

is solved either by a sparse LU factorization of ``K`` (``"exact"``, SuperLU with COLAMD
ordering, one step of iterative refinement) or by MINRES on the operator ``K`` (``"minres"``,
Paige & Saunders 1975; ``K`` is symmetric indefinite), stopped by the same adaptive accuracy
condition as the sketches, ``||K z + grad L|| <= theta_t ||grad L||`` (true residual, checked
after every MINRES run; scipy's MINRES stops on its own residual estimate, so it is restarted
warm with a ten times smaller relative tolerance until the condition holds or the budget
``max_sketch_iter`` of MINRES iterations is spent).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sps
from scipy.sparse.linalg import LinearOperator

__all__: list[str] = []

#: MINRES iteration budget of one Newton-KKT solve (``max_sketch_iter`` overrides it)
MINRES_MAX_ITER = 5_000
#: power iterations of the norm estimate of an operator Hessian (scale of the Hessian shifts)
NORM_ESTIMATE_STEPS = 20


def is_large(M) -> bool:
    """Whether ``M`` is a scipy.sparse matrix or a ``LinearOperator``."""
    return sps.issparse(M) or isinstance(M, LinearOperator)


def all_finite(M) -> bool:
    """Finite entries (an operator is checked through its products elsewhere)."""
    if isinstance(M, LinearOperator):
        return True
    if sps.issparse(M):
        return bool(np.all(np.isfinite(M.data)))
    return bool(np.all(np.isfinite(M)))


def abs_max(H) -> float:
    """``max |H_ij|`` (dense, sparse) or a power-iteration estimate of ``||H||_2`` (operator),
    the scale of the Hessian shifts."""
    if isinstance(H, LinearOperator):
        v = np.random.default_rng(0).standard_normal(H.shape[0])
        v /= np.linalg.norm(v)
        est = 0.0
        for _ in range(NORM_ESTIMATE_STEPS):
            w = H @ v
            est = float(np.linalg.norm(w))
            if not est > 0 or not np.isfinite(est):
                break
            v = w / est
        return est if np.isfinite(est) else 0.0
    if sps.issparse(H):
        return float(abs(H).max()) if H.nnz else 0.0
    return float(np.abs(H).max(initial=0.0))


class SparseGram:
    """Sparse LU factor of ``J J^T`` (null-space projections, least-squares multipliers)."""

    def __init__(self, J):
        from scipy.sparse.linalg import splu
        self.lu = splu(sps.csc_matrix(J @ J.T))

    def solve(self, v):
        return self.lu.solve(np.asarray(v, dtype=float))


def sparse_gram(J):
    """:class:`SparseGram` of ``J`` or ``None`` when ``J J^T`` is singular."""
    try:
        g = SparseGram(J)
    except (RuntimeError, ValueError):
        return None
    probe = g.solve(np.ones(J.shape[0]))
    return g if np.all(np.isfinite(probe)) else None


def kkt_inf(g, J, c, lam) -> float:
    """``max(||grad f + J^T lam||_inf, ||c||_inf)`` (same value as ``kkt_residual``)."""
    with np.errstate(all="ignore"):
        return float(max(np.abs(g + J.T @ lam).max(initial=0.0), np.abs(c).max(initial=0.0)))


def fro_norm(J) -> float:
    """Frobenius norm of a sparse ``J`` (upper bound of ``sigma_max``)."""
    return float(np.sqrt((J.multiply(J)).sum())) if sps.issparse(J) else \
        float(np.linalg.norm(J))


class KKTSystem:
    """``K = [[H + delta I, J^T], [J, 0]]`` without a dense array; :meth:`solve` is the
    sparse LU (``"exact"``), MINRES (``"minres"``) or a randomized sketch of the sparse
    operator in CSR form (``"kaczmarz"``, ``"block"``, ``"gaussian"``: ``H`` must then be a
    sparse matrix; :func:`.sketch.sketch_solve` on rows of ``K``) solve of ``K z = b``."""

    def __init__(self, H, J, method, sketch_size=None, rng=None):
        self.H, self.J, self.method = H, J, method
        self.m, self.n = J.shape
        self.delta = 0.0
        self.sketch_size, self.rng = sketch_size, rng

    def shift(self, delta):
        self.delta = float(delta)

    def matvec(self, z):
        n = self.n
        dx, dl = z[:n], z[n:]
        top = self.H @ dx + self.J.T @ dl
        if self.delta:
            top = top + self.delta * dx
        return np.concatenate([np.asarray(top, dtype=float).ravel(),
                               np.asarray(self.J @ dx, dtype=float).ravel()])

    def solve(self, b, z0, tol_abs, max_iter):
        """Returns ``(z, iterations, ||K z - b||)``; a failed factorization gives NaNs."""
        if self.method == "exact":
            return self._lu(b)
        if self.method in ("kaczmarz", "block", "gaussian"):
            return self._sketch(b, z0, tol_abs, max_iter)
        return self._minres(b, z0, tol_abs, MINRES_MAX_ITER if max_iter is None else max_iter)

    def sparse_kkt(self, fmt="csc"):
        """The KKT matrix as a sparse matrix (``H`` must be a sparse matrix or an array)."""
        Hs = sps.csr_matrix(self.H)
        if self.delta:
            Hs = Hs + self.delta * sps.identity(self.n, format="csr")
        return sps.bmat([[Hs, self.J.T], [self.J, None]], format=fmt)

    def _sketch(self, b, z0, tol_abs, max_iter):
        """Randomized sketch-and-project on the rows of the CSR KKT matrix."""
        from .sketch import sketch_solve
        return sketch_solve(self.sparse_kkt("csr"), b, z0, tol_abs=tol_abs, method=self.method,
                            sketch_size=self.sketch_size, max_iter=max_iter, seed=self.rng)

    def _lu(self, b):
        from scipy.sparse.linalg import splu
        n, m = self.n, self.m
        K = self.sparse_kkt("csc")
        try:
            lu = splu(K, permc_spec="COLAMD")
        except RuntimeError:                       # exactly singular
            return np.full(n + m, np.nan), 1, np.inf
        z = lu.solve(b)
        r = K @ z - b
        z = z - lu.solve(r)                        # one step of iterative refinement
        res = float(np.linalg.norm(K @ z - b))
        if not np.isfinite(res):
            return np.full(n + m, np.nan), 1, np.inf
        # the residual is judged by the caller's accuracy condition (as for the sketches)
        return z, 1, res

    def _minres(self, b, z0, tol_abs, max_iter):
        from scipy.sparse.linalg import minres
        N = self.n + self.m
        op = LinearOperator((N, N), matvec=self.matvec, dtype=float)
        z = np.array(z0, dtype=float)
        bn = float(np.linalg.norm(b))
        res = float(np.linalg.norm(self.matvec(z) - b))
        used = 0
        rtol = tol_abs / bn if bn > 0 else 0.0
        count = [0]

        def cb(_):
            count[0] += 1

        while res > tol_abs and used < max_iter and rtol > 0:
            count[0] = 0
            z, _info = minres(op, b, x0=z, rtol=rtol, maxiter=max_iter - used, callback=cb)
            used += max(count[0], 1)
            res = float(np.linalg.norm(self.matvec(z) - b))
            if not np.isfinite(res):
                break
            rtol /= 10.0
        return z, used, res
