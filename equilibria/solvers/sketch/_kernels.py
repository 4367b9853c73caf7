"""numba kernels of the sketching room (float64 C-contiguous arrays, int64 indices).

- :func:`fwht_rows`: the unnormalised fast Walsh-Hadamard transform applied to every column
  of an ``(N, k)`` array in place, ``N`` a power of two (``N log2 N`` additions per column).
- :func:`countsketch_apply`: ``out[h[i], :] += s[i] X[i, :]``, the CountSketch product
  ``S X`` in one pass over the rows of ``X`` (``nnz(X)`` work).

One compiled signature per kernel (declared), ``cache=True``.
"""

from __future__ import annotations

from equilibria._lib.jit import njit

__all__ = ["fwht_rows", "countsketch_apply"]


@njit("void(float64[:, ::1])")
def fwht_rows(X):  # pragma: no cover - compiled
    """In place: ``X <- H_N X`` with the unnormalised Sylvester Hadamard matrix ``H_N``."""
    N, k = X.shape
    h = 1
    while h < N:
        for start in range(0, N, 2 * h):
            for i in range(start, start + h):
                for j in range(k):
                    u = X[i, j]
                    v = X[i + h, j]
                    X[i, j] = u + v
                    X[i + h, j] = u - v
        h *= 2


@njit("void(int64[::1], float64[::1], float64[:, ::1], float64[:, ::1])")
def countsketch_apply(h, s, X, out):  # pragma: no cover - compiled
    """Accumulate ``out[h[i], :] += s[i] X[i, :]`` (``out`` zeroed by the caller)."""
    n, k = X.shape
    for i in range(n):
        r = h[i]
        si = s[i]
        for j in range(k):
            out[r, j] += si * X[i, j]
