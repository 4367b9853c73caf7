"""Small numba linear-algebra kernels shared by several rooms.

:func:`sherman_morrison_update` is the rank-one Gram/inverse update behind LinUCB / OFUL and
DynLin-UCB (bandits) and the Online Newton Step (online learning).
"""

from __future__ import annotations

from equilibria._lib.jit import njit

__all__ = ["sherman_morrison_update", "single_blas_thread"]


@njit
def sherman_morrison_update(Vinv, V, x, work):
    r"""In place: :math:`V \leftarrow V + x x^\top` and :math:`V^{-1}` by Sherman-Morrison.

    .. math::

        (V + x x^\top)^{-1} = V^{-1} - \frac{V^{-1} x\, x^\top V^{-1}}{1 + x^\top V^{-1} x},
        \qquad \det(V + x x^\top) = \det V\,(1 + x^\top V^{-1} x).

    Parameters
    ----------
    Vinv, V : float64[:, ::1], shape (d, d)
        The inverse and the matrix, updated in place (``V`` symmetric positive definite).
    x : float64[::1], shape (d,)
    work : float64[::1], shape (d,)
        Scratch; on return holds the *old* :math:`V^{-1} x`.

    Returns
    -------
    float
        The determinant ratio :math:`1 + x^\top V^{-1} x` (the denominator).

    References
    ----------
    .. [1] Sherman, J. & Morrison, W. J. (1950). Adjustment of an inverse matrix corresponding
       to a change in one element of a given matrix. Ann. Math. Statist. 21(1), 124-127.
    """
    d = x.shape[0]
    for k in range(d):
        acc = 0.0
        for l in range(d):
            acc += Vinv[k, l] * x[l]
        work[k] = acc
    den = 1.0
    for k in range(d):
        den += x[k] * work[k]
    for k in range(d):
        for l in range(d):
            Vinv[k, l] -= work[k] * work[l] / den
            V[k, l] += x[k] * x[l]
    return den


_BLAS_CONTROLLER: list = []


def single_blas_thread():
    """A context manager limiting BLAS to one thread (optional ``threadpoolctl``).

    For short BLAS calls (vectors of length ``n + m`` in L-BFGS-B, small dense solves)
    thread hand-off dominates on a busy machine.  The ``threadpoolctl`` controller is built
    once, at the first call, and reused: building it enumerates the loaded libraries and costs
    about 3 ms, against about 10 us for one ``limit`` on the cached controller (measured on
    the 2-core machine; it made the quick probe of ``solve_zero_sum`` 10% of HiGHS's time at
    n = 200).  BLAS libraries loaded after the first call are not limited.  Without
    ``threadpoolctl`` this is a no-op.
    """
    import contextlib
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - optional
        return contextlib.nullcontext()
    if not _BLAS_CONTROLLER:
        _BLAS_CONTROLLER.append(ThreadpoolController())
    return _BLAS_CONTROLLER[0].limit(limits=1, user_api="blas")
