"""The sparse / matrix-free path of :func:`.eal.eal_sketch`.

Taken when the constraint Jacobian is a ``scipy.sparse`` matrix, the Hessian of the Lagrangian
is a sparse matrix or a ``LinearOperator``, or only ``hessp`` is given and ``n + m`` exceeds
:data:`.eal.AUTO_DENSE_MAX`.  On this path no dense ``n x n`` or ``(n+m) x (n+m)`` array is
formed: ``J`` is kept in CSR form, ``H`` as a sparse matrix or a ``LinearOperator`` (``hessp``
or forward differences of the Lagrangian gradient along ``v``), the Gram matrix ``J J^T`` is
applied through a sparse LU of the augmented system ``[[I, J^T], [J, 0]]`` (SuperLU;
:class:`SparseGram`), and the Newton-KKT system

.. math:: K = \\begin{pmatrix} H + \\delta I & J^T \\\\ J & 0 \\end{pmatrix}

is solved either by a sparse LU factorization of ``K`` (``"exact"``, SuperLU with the
minimum-degree ordering of ``K + K^T`` (:data:`LU_ORDERING`), one step of iterative
refinement) or by MINRES on the operator ``K`` (``"minres"``, Paige & Saunders 1975;
``K`` is symmetric indefinite), stopped by the same adaptive accuracy condition as the
sketches, ``||K z + grad L|| <= theta_t ||grad L||`` (true residual, checked
after every MINRES run; scipy's MINRES stops on its own residual estimate, so it is restarted
warm with a ten times smaller relative tolerance until the condition holds or the budget
``max_sketch_iter`` of MINRES iterations is spent).

MINRES is preconditioned by the symmetric positive definite block-diagonal matrix

.. math:: P = \\begin{pmatrix} D & 0 \\\\ 0 & J D^{-1} J^T \\end{pmatrix},

``D`` the diagonal of ``H + delta I`` (read off a sparse Hessian; for an operator estimated
from :data:`PRECOND_PROBES` Rademacher probes, ``diag(H) ~ mean_k v_k * (H v_k)``, Bekas,
Kokiopoulou & Saad 2007), with ``|D_ii|`` floored at :data:`PRECOND_FLOOR` ``max |D|``, and
the Schur block ``J D^{-1} J^T`` applied through a sparse LU of the augmented system
``[[I, B^T], [B, 0]]``, ``B = J D^{-1/2}`` (its diagonal only, when the predicted factorization
work is above the budget of :func:`factor_work`).  With ``H = D`` exactly the
preconditioned matrix has the three eigenvalues ``1, (1 +- sqrt 5)/2`` and MINRES stops after
three iterations (Murphy, Golub & Wathen 2000, "A note on preconditioning for indefinite
linear systems", SIAM J. Sci. Comput. 21(6)); near it, a few more.

``sketch="auto"`` with a sparse Hessian decides between the two by the predicted work of a
sparse factorization of ``K`` (:func:`factor_work`: the envelope of ``K`` in reverse
Cuthill-McKee order, ``W = sum_i w_i^2`` flops for row bandwidths ``w_i``): the sparse LU when
``W <= max(AUTO_WORK_MIN, AUTO_WORK_RATIO nnz(K))``, preconditioned MINRES otherwise.
Measured (2-core machine, first Newton-KKT matrix): the 1-D control problem at 50,000 nodes,
``W / nnz = 5.7``, LU 0.3 s; ridge logistic regression with 10 sparse features per sample
(``H = Z^T W Z / N``, a random graph: no small separators) at n = 3,000 / 10,000,
``W / nnz = 3.0e4 / 3.3e5``, SuperLU fill 32x / 105x, LU 2.2 s / 138 s.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sps
from scipy.sparse.linalg import LinearOperator

__all__: list[str] = []

#: SuperLU column ordering of every factorization on this path (``K``, the augmented systems of
#: :class:`SparseGram`): all are structurally symmetric, for which SuperLU's guide recommends
#: the minimum degree ordering of ``A^T + A`` over COLAMD.  Measured (2-core machine): the
#: augmented system of a random sparse ``J`` (5000 x 20000, 6 entries per row) 3.6 s at 54x
#: fill against 20 s at 227x with COLAMD; a KKT matrix with random sparse ``H`` (n = 8000,
#: m = 2000) 33 s / 357x against 65 s / 575x; the PDE augmented system at 250,000 nodes
#: 0.53 / 0.69 s (equal fill)
LU_ORDERING = "MMD_AT_PLUS_A"
#: MINRES iteration budget of one Newton-KKT solve (``max_sketch_iter`` overrides it)
MINRES_MAX_ITER = 5_000
#: power iterations of the norm estimate of an operator Hessian (scale of the Hessian shifts)
NORM_ESTIMATE_STEPS = 20
#: Rademacher probes of the diagonal estimate of an operator Hessian (MINRES preconditioner)
PRECOND_PROBES = 8
#: the preconditioner's diagonal ``|D_ii|`` is floored at this fraction of ``max_i |D_ii|``
PRECOND_FLOOR = 1e-8
#: ``sketch="auto"`` with a sparse Hessian: sparse LU while the predicted factorization work
#: (:func:`factor_work`) is at most ``AUTO_WORK_RATIO`` products with ``K`` ...
AUTO_WORK_RATIO = 1000.0
#: ... or at most this many flops (a factorization of about 0.05 s), preconditioned MINRES
#: beyond
AUTO_WORK_MIN = 1e8


def factor_work(M) -> tuple[float, int]:
    """Predicted work of a sparse factorization of the symmetric pattern of ``M`` and ``nnz``.

    The envelope of ``|M| + I`` in reverse Cuthill-McKee order (scipy.sparse.csgraph): with
    ``w_i = i - min{j <= i : M_ij != 0}`` the row bandwidths, a factorization confined to the
    envelope costs ``W = sum_i w_i^2`` flops and stores ``sum_i w_i`` entries (George & Liu
    1981, "Computer Solution of Large Sparse Positive Definite Systems", ch. 4).  It is an
    estimate of what SuperLU (:data:`LU_ORDERING`) does, not a bound on it; computing it costs
    ``O(nnz log nnz)``.  Returns ``(W, nnz(M))``.
    """
    from scipy.sparse.csgraph import reverse_cuthill_mckee
    A = sps.csr_matrix(abs(sps.csr_matrix(M)) + sps.identity(M.shape[0], format="csr"))
    A = sps.csr_matrix(A + A.T)
    perm = reverse_cuthill_mckee(A, symmetric_mode=True)
    T = sps.tril(A[perm][:, perm], format="csr")
    first = np.minimum.reduceat(T.indices, T.indptr[:-1])   # every row holds its diagonal
    w = (np.arange(A.shape[0]) - first).astype(float)
    return float(w @ w), int(A.nnz)


def auto_exact(H, J) -> bool:
    """``sketch="auto"`` with a sparse Hessian: whether the sparse LU of ``K`` is cheap
    (:func:`factor_work` of ``K`` at most ``max(AUTO_WORK_MIN, AUTO_WORK_RATIO nnz(K))``)."""
    K = sps.bmat([[sps.csr_matrix(H), J.T], [J, None]], format="csr")
    work, nnz = factor_work(K)
    return work <= max(AUTO_WORK_MIN, AUTO_WORK_RATIO * nnz)


def hessian_diagonal(H) -> np.ndarray:
    """The diagonal of ``H``: read off an array or sparse matrix, estimated for an operator
    by :data:`PRECOND_PROBES` Rademacher probes, ``mean_k v_k * (H v_k)`` (exact for a
    diagonal ``H``; Bekas, Kokiopoulou & Saad 2007, Appl. Numer. Math. 57)."""
    if isinstance(H, LinearOperator):
        rng = np.random.default_rng(1)
        n = H.shape[0]
        acc = np.zeros(n)
        for _ in range(PRECOND_PROBES):
            v = rng.integers(0, 2, n) * 2.0 - 1.0
            acc += v * np.asarray(H @ v, dtype=float).ravel()
        return acc / PRECOND_PROBES
    if sps.issparse(H):
        return np.asarray(H.diagonal(), dtype=float)
    return np.array(np.diag(np.asarray(H, dtype=float)), dtype=float)


class BlockPreconditioner:
    """``P^{-1}`` for MINRES, ``P = diag(D, J D^{-1} J^T)`` (module docstring).

    Applies ``(u / D, S^{-1} w)``, ``S = B B^T`` with ``B = J D^{-1/2}``.  ``S^{-1} w`` is
    computed through the augmented system ``[[I, B^T], [B, 0]] (r, -y) = (0, w)`` (sparse LU),
    whose condition number is about ``cond(B)``, not ``cond(B)^2`` as that of ``S`` (a PDE
    constraint at mesh width ``h`` has ``cond(S) ~ h^-4``: ~1e21 at 500,000 nodes, where an LU
    of ``S`` itself gives a useless ``S^{-1}``; Björck 1996, "Numerical Methods for Least
    Squares Problems", sec. 2.5).  When that factorization would be expensive
    (:func:`factor_work`) or fails, ``w / diag(S)``.
    """

    def __init__(self, d, J):
        from scipy.sparse.linalg import splu
        a = np.abs(np.asarray(d, dtype=float))
        top = float(a.max(initial=0.0)) if np.all(np.isfinite(a)) else 0.0
        a = np.maximum(a, PRECOND_FLOOR * top) if top > 0 else np.ones_like(a)
        self.dinv = 1.0 / a
        self.n = n = a.size
        Js = sps.csr_matrix(J)
        B = sps.csr_matrix(Js @ sps.diags(np.sqrt(self.dinv)))
        self.sdiag = np.asarray(B.multiply(B).sum(axis=1), dtype=float).ravel()
        self.gram = None
        aug = augmented(B)
        work, nnz = factor_work(aug)
        if work <= max(AUTO_WORK_MIN, AUTO_WORK_RATIO * nnz):
            try:
                g = SparseGram(B, lu=splu(aug, permc_spec=LU_ORDERING))
                if np.all(np.isfinite(g.solve(np.ones(B.shape[0])))):
                    self.gram = g
            except RuntimeError:                 # singular (dependent rows): diagonal only
                pass
        if self.gram is None:
            s = np.abs(self.sdiag)
            stop = float(s.max(initial=0.0))
            self.sinv = 1.0 / (np.maximum(s, PRECOND_FLOOR * stop) if stop > 0 else
                               np.ones_like(s))

    def schur_solve(self, w):
        """``S^{-1} w`` through :class:`SparseGram` (or ``w / diag(S)``)."""
        return self.gram.solve(w) if self.gram is not None else w * self.sinv

    def apply(self, v):
        v = np.asarray(v, dtype=float).ravel()
        return np.concatenate([v[:self.n] * self.dinv, self.schur_solve(v[self.n:])])

    def operator(self):
        N = self.n + self.sdiag.size
        return LinearOperator((N, N), matvec=self.apply, dtype=float)


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
    """``(B B^T)^{-1}`` for a sparse ``B`` (null-space projections, least-squares multipliers,
    the Schur block of :class:`BlockPreconditioner`).

    Solves the augmented system ``[[I, B^T], [B, 0]] (r, -y) = (0, w)`` by sparse LU, so
    ``y = (B B^T)^{-1} w``; its condition number is about ``cond(B)``, not ``cond(B)^2`` as
    that of ``B B^T`` (Björck 1996, "Numerical Methods for Least Squares Problems", sec. 2.5).
    Raises ``RuntimeError`` when ``B`` has dependent rows (singular system).
    """

    def __init__(self, B, lu=None):
        from scipy.sparse.linalg import splu
        self.n = B.shape[1]
        self.lu = lu if lu is not None else splu(augmented(B), permc_spec=LU_ORDERING)

    def solve(self, v):
        rhs = np.concatenate([np.zeros(self.n), np.asarray(v, dtype=float).ravel()])
        return -self.lu.solve(rhs)[self.n:]


def augmented(B):
    """``[[I, B^T], [B, 0]]`` in CSC form."""
    B = sps.csr_matrix(B)
    return sps.bmat([[sps.identity(B.shape[1], format="csr"), B.T], [B, None]], format="csc")


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
        self._cache = {}                     # per shift: the LU ("exact"), P ("minres")
        self._diag = None                    # diag(H) (estimated once for an operator)

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
        key = ("lu", self.delta)
        if key not in self._cache:   # re-solves at a sharper accuracy reuse the factorization
            try:
                self._cache[key] = splu(K, permc_spec=LU_ORDERING)
            except RuntimeError:                   # exactly singular
                self._cache[key] = None
        lu = self._cache[key]
        if lu is None:
            return np.full(n + m, np.nan), 1, np.inf
        z = lu.solve(b)
        r = K @ z - b
        z = z - lu.solve(r)                        # one step of iterative refinement
        res = float(np.linalg.norm(K @ z - b))
        if not np.isfinite(res):
            return np.full(n + m, np.nan), 1, np.inf
        # the residual is judged by the caller's accuracy condition (as for the sketches)
        return z, 1, res

    def preconditioner(self):
        """The MINRES preconditioner of the current shift (:class:`BlockPreconditioner`;
        ``None`` when ``diag(H)`` is not finite)."""
        key = ("P", self.delta)
        if key not in self._cache:
            if self._diag is None:
                self._diag = hessian_diagonal(self.H)
            d = self._diag + self.delta
            self._cache[key] = BlockPreconditioner(d, self.J) if np.all(np.isfinite(d)) \
                else None
        return self._cache[key]

    def _minres(self, b, z0, tol_abs, max_iter):
        from scipy.sparse.linalg import minres
        N = self.n + self.m
        op = LinearOperator((N, N), matvec=self.matvec, dtype=float)
        P = self.preconditioner()
        M = None if P is None else P.operator()
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
            try:
                z, _info = minres(op, b, x0=z, rtol=rtol, maxiter=max_iter - used, M=M,
                                  callback=cb)
            except ValueError:
                # P^{-1} v . v < 0 in rounding (a Schur block ``J D^{-1} J^T`` too ill-
                # conditioned for its LU): on without the preconditioner
                if M is None:
                    raise
                used += count[0]
                M = None
                self._cache[("P", self.delta)] = None
                continue
            used += max(count[0], 1)
            res = float(np.linalg.norm(self.matvec(z) - b))
            if not np.isfinite(res):
                break
            rtol /= 10.0
        return z, used, res
