"""Randomized iterative sketching solvers for the (symmetric) Newton-KKT systems.

:func:`sketch_solve` is the one entry point; it dispatches to

- a dense solve (``method="exact"``, :func:`_exact_solve`);
- randomized Kaczmarz, single rows (``"kaczmarz"``, the numba kernel
  :func:`._kernels._kaczmarz_kernel`);
- randomized block Kaczmarz with adaptive block size (``"block"``, :func:`_block_kaczmarz`,
  one block's projection data from :func:`_block_factor`);
- Gaussian sketch-and-project (``"gaussian"``, :func:`_gaussian_sketch`).

The three randomized solvers act on the symmetrically equilibrated system
(:func:`_ruiz_scaling`) and measure residuals in the original metric.  A ``scipy.sparse``
``K`` stays sparse (CSR) throughout: row sketches read its rows (``"kaczmarz"`` through the
CSR kernel :func:`._kernels._kaczmarz_csr_kernel`, ``"block"`` through CSR row slices and
``q x q`` Gram matrices), Gaussian sketches use sparse products, and ``"exact"`` is a sparse
LU; no dense ``N x N`` array is formed.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sps

from equilibria._lib.rng import as_generator
from equilibria._lib.validation import (as_float_array, check_int, check_option, check_scalar,
                                        check_square)

from ._kernels import _kaczmarz_csr_kernel, _kaczmarz_kernel

__all__ = ["sketch_solve"]

#: the valid values of ``method``
SKETCH_METHODS = ("kaczmarz", "block", "gaussian", "exact")

#: ``b`` or ``z0`` entries above this are solved on a scaled copy (squares overflow near 1e154)
HUGE_RHS = 1e100
#: default sketch budget of ``method="kaczmarz"`` (single rows are cheap)
KACZMARZ_MAX_ITER = 1_000_000
#: default sketch budget of the block and Gaussian solvers
SKETCH_MAX_ITER = 2_000
#: the dense LU solve is replaced by least squares when its residual exceeds this fraction of
#: ``||b||`` (a numerically singular matrix)
EXACT_RTOL = 1e-6
#: passes of the symmetric Ruiz equilibration
RUIZ_PASSES = 3
#: the Kaczmarz kernel checks the residual every ``max(N, KACZMARZ_MIN_CHECK_EVERY)`` rows
KACZMARZ_MIN_CHECK_EVERY = 8
#: exclusive upper bound of the seed drawn for the numba kernel's own generator
KERNEL_SEED_BOUND = 2**31 - 1
#: smallest default block size of ``method="block"`` (default ``max(4, ceil(sqrt(N)))``)
BLOCK_MIN_SIZE = 4
#: epochs (``ceil(N / q)`` block steps each) per stage before the block size may double
BLOCK_EPOCHS_PER_STAGE = 8
#: a stage is slow (the block size doubles) unless it cuts the residual below this fraction
BLOCK_SLOW_STAGE_RATIO = 0.5
#: a block's Cholesky factor is used only if its smallest pivot exceeds this fraction of
#: ``sqrt(max diag(K_B K_B^T))``; else the rows are treated as dependent (pseudo-inverse)
BLOCK_PIVOT_RTOL = 1e-7


def sketch_solve(K, b, z0=None, *, tol_abs, method="kaczmarz", sketch_size=None, max_iter=None,
                 seed=None, equilibrate=True):
    r"""Solve ``K z = b`` (``K`` symmetric) by randomized sketch-and-project.

    .. math::

        z_{j+1} = z_j - K S_j (S_j^T K^2 S_j)^{\dagger} S_j^T (K z_j - b)

    with :math:`S_j = e_i` drawn with probability :math:`\|K_i\|^2/\|K\|_F^2` (randomized
    Kaczmarz), :math:`S_j = I_{:,B}` a block of :math:`q` rows (``method="block"``, randomized
    block Kaczmarz [2]), or :math:`S_j \in \mathbb{R}^{N\times q}` Gaussian
    (``method="gaussian"``, ``q = sketch_size``, default :math:`\lfloor N/2\rfloor`) [1];
    ``method="exact"`` uses a dense solve.

    ``"block"``: the rows are split by a random partition into blocks of size :math:`q`
    (``sketch_size``, default :math:`\max(4, \lceil\sqrt N\rceil)`); each step projects onto
    one uniformly drawn block, :math:`z \leftarrow z - K_B^{\dagger}(K_B z - b_B)` (the
    Cholesky factors of the :math:`q\times q` Gram matrices :math:`K_B K_B^T` are computed
    once per block size: a fixed random paving as in [2]).  Adaptive block size (not in
    [1, 2]): after 8 epochs (:math:`8\lceil N/q\rceil` block steps) :math:`q` is doubled and
    the rows re-partitioned if the residual did not at least halve over those epochs; at
    :math:`q = N` one step is the exact solve.  The
    convergence factor of sketch-and-project is :math:`1 - \lambda_{\min}^+(E[Z])` [1,
    Thm. 4.6 there], which for single rows is :math:`1 - 1/(\|K\|_F^2\|K^{-1}\|_2^2)`, hopeless for
    the KKT systems of the PDE problem (cond ~ 5e6); growing blocks make it approach 0, so an
    ill-conditioned system costs a few partitions instead of millions of rows.
    Sparse ``K`` (CSR): the same iterations on the rows of the sparse matrix (for one seed
    ``"kaczmarz"`` visits the same rows as on the dense copy, so the iterates agree to
    rounding).  Operator-only use (not implemented): row sketches need rows of ``K``, i.e.
    ``H e_i`` (one ``hessp`` per row), while Gaussian or count sketches need ``K^T S = K S``,
    i.e. ``q`` ``hessp`` calls per sketch plus ``J S_x``, ``J^T S_lam``.  With ``equilibrate``
    the sketches act on the symmetrically equilibrated system :math:`DKD\,w = Db`
    (three Ruiz passes, :math:`z = Dw`; a diagonal preconditioner, not in [1]).  Stops when
    :math:`\|K z_j - b\|_2 \le` ``tol_abs`` or after ``max_iter`` sketches.

    Returns ``(z, n_sketches, residual_norm)``.

    Parameters
    ----------
    K : array_like or scipy.sparse matrix, shape (N, N)
        Symmetric system matrix (e.g. a KKT matrix), finite real numbers, ``N >= 1``.  A
        sparse ``K`` is converted to CSR (float64) and never densified: ``"kaczmarz"`` costs
        ``O(nnz(K_i))`` per row, ``"block"`` forms only the ``q x q`` Gram matrices of its
        row blocks, ``"exact"`` is a sparse LU (SuperLU, least squares via LSQR when singular).
    b : array_like, shape (N,)
        Right-hand side, finite.
    z0 : array_like, shape (N,), optional
        Starting point (default zero), finite; ignored by ``method="exact"``.
    tol_abs : float
        Absolute tolerance ``>= 0`` on the residual :math:`\|K z - b\|_2` (original metric);
        ``0`` runs the full ``max_iter`` sketches (unless the residual vanishes).
    method : {"kaczmarz", "block", "gaussian", "exact"}
        Sketch type (see above); any other value raises ``ValueError``.
    sketch_size : int, optional
        Sketch / block size ``q >= 1`` of ``"block"`` (initial size) and ``"gaussian"``
        (values above ``N`` are clipped to ``N``).
    max_iter : int, optional
        Maximum number of sketches, ``>= 1`` (default ``1_000_000`` for ``"kaczmarz"``,
        ``2_000`` otherwise).
    seed : None, int or Generator
        Random seed or generator of the sketches.
    equilibrate : bool
        Apply the symmetric Ruiz equilibration before sketching.

    Returns
    -------
    z : ndarray, shape (N,)
        Approximate solution.
    n_sketches : int
        Number of sketch-and-project steps taken (``1`` for ``"exact"``; ``0`` if all rows of
        ``K`` vanish or are non-finite under ``"kaczmarz"``).
    residual_norm : float
        :math:`\|K z - b\|_2` at the returned ``z`` (``<= tol_abs`` unless ``max_iter`` was
        reached or a non-finite value appeared).

    Raises
    ------
    ValueError
        If ``K`` is not a finite non-empty square matrix, ``b`` or ``z0`` is not a finite
        vector of length ``N``, ``tol_abs < 0``, ``method`` is unknown, or ``sketch_size`` /
        ``max_iter`` is below 1.
    TypeError
        If an array is not numeric, a size is not an integer, or ``equilibrate`` is not a
        bool.

    References
    ----------
    1. R. M. Gower, P. Richtarik (2015). Randomized iterative methods for linear systems. SIAM J.
       Matrix Anal. Appl. 36(4), 1660-1690.
    2. D. Needell, J. A. Tropp (2014). Paved with good intentions: analysis of a randomized
       block Kaczmarz method. Linear Algebra Appl. 441, 199-221.
    """
    for name, arr in (("K", K), ("b", b), ("z0", z0)):
        _reject_non_real(arr, name)
    K = _check_sparse(K) if sps.issparse(K) else check_square(K, "K")
    N = K.shape[0]
    if N < 1:
        raise ValueError(f"`K` must be a non-empty square matrix, got shape {K.shape}")
    b = as_float_array(b, "b", ndim=1)
    if b.shape != (N,):
        raise ValueError(f"`b` must have shape ({N},) to match `K` of shape {K.shape}, "
                         f"got {b.shape}")
    z = np.zeros(N) if z0 is None else as_float_array(z0, "z0", shape=(N,), copy=True)
    tol_abs = check_scalar(tol_abs, "tol_abs", lo=0.0)
    method = check_option(method, "method", SKETCH_METHODS)
    if sketch_size is not None:
        sketch_size = check_int(sketch_size, "sketch_size", lo=1)
    if not isinstance(equilibrate, (bool, np.bool_)):
        raise TypeError(f"`equilibrate` must be True or False, got {equilibrate!r}")
    rng = as_generator(seed)
    if max_iter is None:
        max_iter = KACZMARZ_MAX_ITER if method == "kaczmarz" else SKETCH_MAX_ITER
    max_iter = check_int(max_iter, "max_iter", lo=1)
    # the iteration is linear in (z, b): solve a scaled copy when b or z0 is so large that
    # squared residual norms would overflow (bit-for-bit unchanged otherwise)
    big = max(float(np.abs(b).max()), float(np.abs(z).max()))
    if big > HUGE_RHS:
        z, steps, res = _solve(K, b / big, z / big, tol_abs / big, method, sketch_size,
                               max_iter, rng, equilibrate)
        return z * big, steps, res * big
    return _solve(K, b, z, tol_abs, method, sketch_size, max_iter, rng, equilibrate)


def _check_sparse(K):
    """A validated sparse ``K``: square, non-empty, finite real entries, as CSR float64 with
    sorted indices and no explicit zeros (``ValueError`` / ``TypeError`` naming ``K``)."""
    if K.ndim != 2 or K.shape[0] != K.shape[1]:
        raise ValueError(f"`K` must be a square matrix, got shape {K.shape}")
    if K.dtype.kind not in "iuf":
        raise TypeError(f"`K` must hold real numbers, got dtype {K.dtype}")
    K = sps.csr_matrix(K, dtype=np.float64, copy=True)
    K.eliminate_zeros()
    K.sort_indices()
    if not np.all(np.isfinite(K.data)):
        raise ValueError("`K` must be finite, found NaN or inf entries")
    return K


def _solve(K, b, z, tol_abs, method, sketch_size, max_iter, rng, equilibrate):
    """:func:`sketch_solve` on validated input."""
    if sps.issparse(K):
        return _solve_sparse(K, b, z, tol_abs, method, sketch_size, max_iter, rng, equilibrate)
    if method == "exact":
        z = _exact_solve(K, b)
        return z, 1, float(np.linalg.norm(K @ z - b))
    # symmetric Ruiz equilibration D K D (w = D^{-1} z); residuals are measured in the
    # original metric, ||K z - b|| = ||D^{-1} (D K D w - D b)||
    d = _ruiz_scaling(K, equilibrate)
    Ks = K * d[:, None] * d[None, :]
    bs = b * d
    w = z / d
    if method == "kaczmarz":
        return _kaczmarz(Ks, bs, w, d, K, b, z, tol_abs, max_iter, rng)
    if method == "block":
        return _block_kaczmarz(Ks, bs, w, d, K, b, tol_abs, max_iter, sketch_size, rng)
    return _gaussian_sketch(Ks, bs, w, d, tol_abs, max_iter, sketch_size, rng)


def _solve_sparse(K, b, z, tol_abs, method, sketch_size, max_iter, rng, equilibrate):
    """:func:`_solve` for a CSR ``K``: the same methods without densifying ``K``."""
    if method == "exact":
        z = _sparse_exact_solve(K, b)
        return z, 1, float(np.linalg.norm(K @ z - b))
    d = _ruiz_scaling(K, equilibrate)
    D = sps.diags(d, format="csr")
    Ks = (D @ K @ D).tocsr()
    Ks.sort_indices()
    bs = b * d
    w = z / d
    if method == "kaczmarz":
        N = bs.size
        row2 = np.asarray(Ks.multiply(Ks).sum(axis=1)).ravel()
        cum = _row_law(row2)
        if cum is None:
            return z, 0, float(np.linalg.norm(K @ z - b))
        seed = int(rng.integers(0, KERNEL_SEED_BOUND))
        steps, res = _kaczmarz_csr_kernel(
            Ks.indptr.astype(np.int64), Ks.indices.astype(np.int64), Ks.data, bs, w, cum, row2,
            1.0 / d, tol_abs, np.int64(max_iter), np.int64(max(N, KACZMARZ_MIN_CHECK_EVERY)),
            np.int64(seed))
        return w * d, int(steps), float(res)
    if method == "block":
        return _block_kaczmarz(Ks, bs, w, d, K, b, tol_abs, max_iter, sketch_size, rng)
    return _gaussian_sketch(Ks, bs, w, d, tol_abs, max_iter, sketch_size, rng)


def _sparse_exact_solve(K, b):
    """Sparse LU solve of ``K z = b`` (SuperLU, COLAMD), with one step of iterative
    refinement; least squares by LSQR when ``K`` is singular or the residual exceeds
    ``EXACT_RTOL ||b||`` (the sparse analogue of :func:`_exact_solve`)."""
    from scipy.sparse.linalg import lsqr, splu
    try:
        lu = splu(K.tocsc(), permc_spec="COLAMD")
        z = lu.solve(b)
        z = z - lu.solve(K @ z - b)
        with np.errstate(all="ignore"):
            ok = bool(np.all(np.isfinite(z))) and \
                float(np.linalg.norm(K @ z - b)) <= EXACT_RTOL * float(np.linalg.norm(b))
        if ok:
            return z
    except RuntimeError:                                  # exactly singular
        pass
    return lsqr(K, b, atol=1e-14, btol=1e-14, iter_lim=20 * K.shape[0])[0]


def _reject_non_real(x, name):
    """TypeError for complex or boolean arrays, which a float conversion would silently
    truncate (the imaginary part) or reinterpret."""
    if x is None or isinstance(x, (str, bytes)):
        return  # ``None`` (optional ``z0``) / strings: left to ``as_float_array``
    dtype = getattr(x, "dtype", None)
    if dtype is None:
        try:
            dtype = np.asarray(x).dtype
        except (TypeError, ValueError):
            return
    if dtype.kind in "cb":
        raise TypeError(f"`{name}` must hold real numbers, got dtype {dtype}")


def _exact_solve(K, b):
    """Dense solve of ``K z = b``, least squares when ``K`` is singular (``method="exact"``).

    The LU solve is kept when it is finite with a residual below ``EXACT_RTOL ||b||``; a
    numerically singular ``K`` (LU does not always raise: it returns huge, useless values)
    gets the minimum-norm least-squares solution instead.
    """
    try:
        z = np.linalg.solve(K, b)
    except np.linalg.LinAlgError:
        return np.linalg.lstsq(K, b, rcond=None)[0]
    with np.errstate(all="ignore"):
        ok = bool(np.all(np.isfinite(z))) and \
            float(np.linalg.norm(K @ z - b)) <= EXACT_RTOL * float(np.linalg.norm(b))
    return z if ok else np.linalg.lstsq(K, b, rcond=None)[0]


def _ruiz_scaling(K, equilibrate):
    """Diagonal ``d`` of the symmetric Ruiz equilibration ``D K D`` (ones without it); ``K``
    dense or CSR (row infinity norms of ``|D K D|`` by sparse products, never densified)."""
    N = K.shape[0]
    d = np.ones(N)
    if equilibrate:
        A = abs(K).tocsr() if sps.issparse(K) else None
        for _ in range(RUIZ_PASSES):
            if A is None:
                r_inf = np.abs(K * d[:, None] * d[None, :]).max(axis=1)
            else:
                r_inf = np.asarray((sps.diags(d) @ A @ sps.diags(d)).max(axis=1).todense()
                                   ).ravel()
            r_inf[r_inf == 0] = 1.0
            d /= np.sqrt(r_inf)
    return d


def _row_law(row2):
    """Cumulative Kaczmarz row distribution ``||K_i||^2 / ||K||_F^2`` (Strohmer & Vershynin
    2009), ``None`` when no row has a positive finite norm."""
    total = row2.sum()
    if not total > 0 or not np.isfinite(total):
        return None
    return np.cumsum(row2) / total


def _kaczmarz(Ks, bs, w, d, K, b, z, tol_abs, max_iter, rng):
    """Randomized Kaczmarz (rows drawn by squared norm) on ``Ks w = bs`` through the kernel.

    Returns ``(z, n_rows, residual_norm)``; ``(z, 0, ||K z - b||)`` with the unchanged start
    ``z`` when no row of ``Ks`` has a positive finite norm.
    """
    N = bs.size
    row2 = np.einsum("ij,ij->i", Ks, Ks)
    cum = _row_law(row2)
    if cum is None:
        return z, 0, float(np.linalg.norm(K @ z - b))
    seed = int(rng.integers(0, KERNEL_SEED_BOUND))
    steps, res = _kaczmarz_kernel(Ks, bs, w, cum, row2, 1.0 / d, tol_abs, np.int64(max_iter),
                                  np.int64(max(N, KACZMARZ_MIN_CHECK_EVERY)), np.int64(seed))
    return w * d, int(steps), float(res)


def _gaussian_sketch(Ks, bs, w, d, tol_abs, max_iter, sketch_size, rng):
    """Gaussian sketch-and-project on ``Ks w = bs`` with ``q`` columns per sketch.

    Returns ``(z, n_sketches, residual_norm)`` with ``z = d * w`` and the residual measured in
    the original metric.
    """
    N = bs.size
    q = min(N, max(1, N // 2) if sketch_size is None else int(sketch_size))
    r = Ks @ w - bs
    res = float(np.linalg.norm(r / d))
    it = 0
    while res > tol_abs and it < max_iter:
        S = rng.standard_normal((N, q))
        W = Ks @ S                                   # K^T S (K symmetric)
        y, *_ = np.linalg.lstsq(W.T @ W, S.T @ r, rcond=None)
        dw = W @ y
        w -= dw
        r -= Ks @ dw
        res = float(np.linalg.norm(r / d))
        it += 1
        if not np.isfinite(res):
            break
    return w * d, it, res


def _block_factor(KB):
    """Projection data of one block: ``(K_B, L, None)`` with ``L L^T = K_B K_B^T`` (Cholesky),
    or ``(K_B, None, P)`` when the block's rows are (numerically) dependent, with
    ``P = pinv(K_B)`` (dense ``K_B``) or ``P = pinv(K_B K_B^T)`` (sparse ``K_B``: then
    ``K_B^+ r = K_B^T (K_B K_B^T)^+ r`` and no dense ``q x N`` array is formed)."""
    sparse = sps.issparse(KB)
    G = (KB @ KB.T).toarray() if sparse else KB @ KB.T
    try:
        L = np.linalg.cholesky(G)
        if np.min(np.abs(np.diag(L))) > BLOCK_PIVOT_RTOL * np.sqrt(np.max(np.diag(G))):
            return KB, L, None
    except np.linalg.LinAlgError:
        pass
    return KB, None, np.linalg.pinv(G) if sparse else np.linalg.pinv(KB)


def _block_kaczmarz(Ks, bs, w, d, K, b, tol_abs, max_iter, sketch_size, rng,
                    epochs_per_stage=BLOCK_EPOCHS_PER_STAGE):
    """Randomized block Kaczmarz with adaptive block size on ``Ks w = bs`` (see sketch_solve).

    Returns ``(z, n_block_steps, residual_norm)`` with ``z = d * w`` and the residual measured
    in the original metric ``||K z - b||_2``.
    """
    import scipy.linalg as sla
    N = bs.size
    q = max(BLOCK_MIN_SIZE, int(np.ceil(np.sqrt(N)))) if sketch_size is None else int(sketch_size)
    q = min(q, N)
    res = float(np.linalg.norm(K @ (w * d) - b))
    steps = 0
    q_built = 0
    while res > tol_abs and steps < max_iter:
        # one stage: a fixed random partition of the rows into ceil(N / q) blocks, the
        # projections S^T K (S^T K K^T S)^+ precomputed as pinv(K_B) (small dense solves)
        if q >= N:                                       # one block = all rows: exact solve
            w = _sparse_exact_solve(Ks, bs) if sps.issparse(Ks) else _exact_solve(Ks, bs)
            steps += 1
            res = float(np.linalg.norm(K @ (w * d) - b))
            break
        if q != q_built:                                 # fixed random paving per block size
            perm = rng.permutation(N)
            blocks = [perm[i:i + q] for i in range(0, N, q)]
            factors = [_block_factor(Ks[B]) for B in blocks]
            nb, q_built = len(blocks), q
        res_stage = res
        for _ in range(epochs_per_stage):
            for k in rng.integers(0, nb, size=nb):
                KB, L, P = factors[k]
                r_B = KB @ w - bs[blocks[k]]
                if L is None:
                    w -= KB.T @ (P @ r_B) if sps.issparse(KB) else P @ r_B
                else:                                    # z+ = z - K^T S (S^T K K^T S)^-1 S^T r
                    w -= KB.T @ sla.cho_solve((L, True), r_B, check_finite=False)
                steps += 1
                if steps >= max_iter:
                    break
            res = float(np.linalg.norm(K @ (w * d) - b))
            if not np.isfinite(res) or res <= tol_abs or steps >= max_iter:
                break
        if not np.isfinite(res):
            break
        if res > BLOCK_SLOW_STAGE_RATIO * res_stage:
            q = min(N, 2 * q)                            # slow stage: double the block size
    return w * d, steps, res
