"""numba kernels of the constrained solvers (float64 arrays, int64 scalars, one signature each)."""

from __future__ import annotations

import numpy as np

from equilibria._lib.jit import njit


@njit(inline="always")
def _draw_row(cum_prob, N):
    """A row index drawn from the cumulative law ``cum_prob`` (one uniform of numba's
    generator; shared by the dense and CSR Kaczmarz kernels, so both visit the same rows)."""
    u = np.random.random()  # noqa: NPY002
    i = np.searchsorted(cum_prob, u, side="right")
    return N - 1 if i >= N else i


@njit
def _kaczmarz_kernel(K, b, z, cum_prob, row_norm2, rscale, tol_abs, max_steps, check_every,
                     seed):
    """Randomized Kaczmarz for the square system ``K z = b`` (in place on ``z``).

    Row ``i`` is drawn with probability ``||K_i||^2 / ||K||_F^2`` (``cum_prob`` is the cumulative
    distribution) and ``z <- z - (K_i z - b_i) / ||K_i||^2 K_i^T`` (Gower & Richtarik 2015,
    sketch-and-project with ``S = e_i``).  The residual ``||K z - b||_2`` is evaluated every
    ``check_every`` steps, in the metric ``||rscale * (K z - b)||_2`` (``rscale`` undoes a
    row equilibration); the kernel stops when it is ``<= tol_abs`` or after ``max_steps``.

    Returns ``(steps, residual_norm)``.
    """
    np.random.seed(seed)  # noqa: NPY002 (numba per-run seeding)
    N = K.shape[0]
    steps = 0
    res = 0.0
    for i in range(N):
        s = -b[i]
        for j in range(N):
            s += K[i, j] * z[j]
        res += (rscale[i] * s) ** 2
    res = np.sqrt(res)
    while res > tol_abs and steps < max_steps:
        for _ in range(check_every):
            i = _draw_row(cum_prob, N)
            if row_norm2[i] <= 0.0:
                continue
            s = -b[i]
            for j in range(N):
                s += K[i, j] * z[j]
            t = s / row_norm2[i]
            for j in range(N):
                z[j] -= t * K[i, j]
            steps += 1
            if steps >= max_steps:
                break
        res = 0.0
        for i in range(N):
            s = -b[i]
            for j in range(N):
                s += K[i, j] * z[j]
            res += (rscale[i] * s) ** 2
        res = np.sqrt(res)
        if not np.isfinite(res):
            break
    return steps, res


@njit
def _csr_residual(indptr, indices, data, b, z, rscale):
    """``||rscale * (K z - b)||_2`` for ``K`` in CSR form."""
    N = b.size
    res = 0.0
    for i in range(N):
        s = -b[i]
        for p in range(indptr[i], indptr[i + 1]):
            s += data[p] * z[indices[p]]
        res += (rscale[i] * s) ** 2
    return np.sqrt(res)


@njit
def _kaczmarz_csr_kernel(indptr, indices, data, b, z, cum_prob, row_norm2, rscale, tol_abs,
                         max_steps, check_every, seed):
    """Randomized Kaczmarz for ``K z = b`` with ``K`` in CSR form (in place on ``z``).

    The same iteration, row law, residual checks and random stream as
    :func:`_kaczmarz_kernel` (so for one seed it visits the same rows); a row step costs
    ``O(nnz(K_i))`` instead of ``O(N)``.  ``indptr`` (N + 1,), ``indices`` (nnz,) int64 and
    ``data`` (nnz,) float64 are the CSR arrays with sorted column indices.

    Returns ``(steps, residual_norm)``.
    """
    np.random.seed(seed)  # noqa: NPY002 (numba per-run seeding)
    N = b.size
    steps = 0
    res = _csr_residual(indptr, indices, data, b, z, rscale)
    while res > tol_abs and steps < max_steps:
        for _ in range(check_every):
            i = _draw_row(cum_prob, N)
            if row_norm2[i] <= 0.0:
                continue
            s = -b[i]
            for p in range(indptr[i], indptr[i + 1]):
                s += data[p] * z[indices[p]]
            t = s / row_norm2[i]
            for p in range(indptr[i], indptr[i + 1]):
                z[indices[p]] -= t * data[p]
            steps += 1
            if steps >= max_steps:
                break
        res = _csr_residual(indptr, indices, data, b, z, rscale)
        if not np.isfinite(res):
            break
    return steps, res
