"""Geometries for entropic OT: a dense cost matrix or point clouds with a cost function.

The pattern of OTT-JAX (``ott.geometry.geometry.Geometry``,
``ott.geometry.pointcloud.PointCloud``): :func:`~equilibria.solvers.ot.sinkhorn` accepts a
geometry in place of the cost matrix ``C``.  A :class:`Geometry` holds a dense ``C`` (the
dense path, unchanged); a :class:`PointCloud` holds the points only and its Sinkhorn sweeps
recompute the cost on the fly (O((n + m) d) memory, see :func:`sinkhorn`).
"""

from __future__ import annotations

import numbers

import numpy as np

from equilibria._lib.validation import as_float_array, check_int, check_scalar

from . import _pc_kernels as PK

__all__ = ["Geometry", "PointCloud", "COSTS", "MAX_DENSE_ENTRIES"]

COSTS = ("sqeuclidean", "euclidean")
#: largest ``n * m`` for which :meth:`PointCloud.cost_matrix` / :meth:`PointCloud.plan`
#: materialize a dense array (8 bytes per entry: 400 MB)
MAX_DENSE_ENTRIES = 50_000_000


class Geometry:
    """A dense cost matrix ``C`` (n, m) as a geometry.

    ``sinkhorn(a, b, Geometry(C), reg)`` is ``sinkhorn(a, b, C, reg)`` (the same code path,
    bit for bit).

    Parameters
    ----------
    cost_matrix : array_like, shape (n, m)
        Finite costs.
    """

    def __init__(self, cost_matrix):
        self._C = as_float_array(cost_matrix, "cost_matrix", ndim=2, min_size=1)

    @property
    def shape(self) -> tuple[int, int]:
        """``(n, m)``."""
        return (int(self._C.shape[0]), int(self._C.shape[1]))

    def cost_matrix(self, max_entries: int = MAX_DENSE_ENTRIES) -> np.ndarray:
        """The dense (n, m) cost matrix (held already; ``max_entries`` is checked, not used)."""
        check_int(max_entries, "max_entries", lo=1)
        return self._C

    def __repr__(self) -> str:
        return f"{type(self).__name__}(shape={self.shape})"


class PointCloud(Geometry):
    r"""Two point clouds ``x`` (n, d), ``y`` (m, d) with a ground cost; the cost is never stored.

    Costs :math:`c(x, y)`: ``"sqeuclidean"`` :math:`\|x - y\|_2^2` (default), ``"euclidean"``
    :math:`\|x - y\|_2`, or a float ``p >= 1``: :math:`\|x - y\|_p^p = \sum_k |x_k - y_k|^p`
    (``p = 2`` is ``"sqeuclidean"``).  Given to :func:`~equilibria.solvers.ot.sinkhorn`, the
    Sinkhorn sweeps recompute :math:`c(x_i, y_j)` inside compiled log-sum-exp loops (rows,
    then columns, split across numba threads), so memory is O((n + m) d) (the "online" mode of
    OTT-JAX's ``PointCloud(x, y, batch_size=...)``; here every row is streamed against all of
    ``y``, no batch size is needed).

    Parameters
    ----------
    x : array_like, shape (n, d)
        Source points (finite).
    y : array_like, shape (m, d), optional
        Target points (finite, same ``d``); default ``x``.
    cost : {"sqeuclidean", "euclidean"} or float >= 1
        Ground cost.

    Raises
    ------
    ValueError
        ``x`` or ``y`` not 2-D, empty, not finite, different dimensions ``d``; an unknown
        cost or ``p < 1``.

    Examples
    --------
    >>> import numpy as np
    >>> from equilibria.solvers.ot import PointCloud, sinkhorn
    >>> rng = np.random.default_rng(0)
    >>> geom = PointCloud(rng.random((50, 2)), rng.random((40, 2)))
    >>> res = sinkhorn(np.full(50, 1 / 50), np.full(40, 1 / 40), geom, 0.05)
    >>> res.success, res.plan is None
    (True, True)
    """

    def __init__(self, x, y=None, cost="sqeuclidean"):
        x = as_float_array(x, "x", ndim=2)
        y = x if y is None else as_float_array(y, "y", ndim=2)
        if x.shape[0] == 0 or x.shape[1] == 0:
            raise ValueError(f"`x` must have at least one point and one dimension, got shape "
                             f"{x.shape}")
        if y.shape[0] == 0:
            raise ValueError(f"`y` must have at least one point, got shape {y.shape}")
        if y.shape[1] != x.shape[1]:
            raise ValueError(f"`y` must have the dimension d={x.shape[1]} of `x`, got shape "
                             f"{y.shape}")
        if isinstance(cost, str):
            if cost not in COSTS:
                raise ValueError(f"`cost` must be one of {COSTS} or a float p >= 1, got "
                                 f"{cost!r}")
            code, p = (0 if cost == "sqeuclidean" else 1), 2.0
        elif isinstance(cost, numbers.Real) and not isinstance(cost, bool):
            p = check_scalar(cost, "cost", lo=1.0)
            code = 0 if p == 2.0 else 2
            cost = "sqeuclidean" if p == 2.0 else p
        else:
            raise TypeError(f"`cost` must be a string or a float p >= 1, got "
                            f"{type(cost).__name__}")
        self.x, self.y, self.cost = x, y, cost
        self._code, self._p = np.int64(code), float(p)
        self._X = np.ascontiguousarray(x.T)
        self._Y = np.ascontiguousarray(y.T)

    @property
    def shape(self) -> tuple[int, int]:
        """``(n, m)``."""
        return (int(self.x.shape[0]), int(self.y.shape[0]))

    def _check_size(self, max_entries, what):
        max_entries = check_int(max_entries, "max_entries", lo=1)
        n, m = self.shape
        if n * m > max_entries:
            raise ValueError(f"the dense {what} of this PointCloud has n*m = {n}*{m} = {n * m} "
                             f"entries ({8 * n * m / 1e9:.3g} GB), above max_entries="
                             f"{max_entries}; raise `max_entries` or work with the potentials")

    def cost_matrix(self, max_entries: int = MAX_DENSE_ENTRIES) -> np.ndarray:
        """The dense (n, m) cost matrix, only when ``n * m <= max_entries`` (ValueError
        otherwise)."""
        self._check_size(max_entries, "cost matrix")
        n, m = self.shape
        C = np.empty((n, m))
        PK.cost_block(self._X, self._Y, self._code, self._p, C)
        return C

    def plan(self, res, a, b, max_entries: int = MAX_DENSE_ENTRIES) -> np.ndarray:
        r"""Dense plan :math:`P_{ij} = a_i b_j e^{(f_i + g_j - C_{ij})/\varepsilon}` from the
        potentials of a :func:`sinkhorn` result on this geometry (the unrounded last iterate,
        whose marginal error is ``res.marginal_error``); only when ``n * m <= max_entries``.
        """
        self._check_size(max_entries, "plan")
        f, g = res.potentials
        a = as_float_array(a, "a", shape=(self.shape[0],), nonneg=True)
        b = as_float_array(b, "b", shape=(self.shape[1],), nonneg=True)
        s, sb = float(a.sum()), float(b.sum())
        if not (s > 0 and sb > 0):
            raise ValueError(f"`a` and `b` must have positive mass, got sums {s:g} and {sb:g}")
        C = self.cost_matrix(max_entries)
        with np.errstate(divide="ignore"):
            la, lb = np.log(a / s), np.log(b / sb)
        return s * np.exp((f[:, None] + g[None, :] - C) / res.reg + la[:, None] + lb[None, :])

    def __repr__(self) -> str:
        n, m = self.shape
        return f"PointCloud(n={n}, m={m}, d={self.x.shape[1]}, cost={self.cost!r})"
