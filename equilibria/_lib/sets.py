r"""Compact convex sets shared by the rooms: decision sets of the online room, state spaces of
the dynamics room (initial conditions, basin grids, the simplex of replicator dynamics).

Three sets, each a small frozen dataclass validated on construction (the geometry-object
pattern of OTT-JAX: one argument carries the set and its parameters):

- :class:`Simplex`: the probability simplex
  :math:`\Delta_d = \{x\in\mathbb R^d : x_i \ge 0,\ \sum_i x_i = 1\}`;
- :class:`Ball`: the Euclidean ball :math:`\{x : \|x\|_2 \le r\}` centred at 0;
- :class:`Box`: :math:`\prod_i [l_i, h_i]` (scalar bounds give :math:`[l, h]^d`).

Every set has ``diameter(d)``, ``project(x)``, ``contains(x, tol)``, ``center(d)``,
``sample(seed, n, d)``, ``grid(n_per_axis, d)`` and ``with_dim(d)``.  The dimension ``dim`` is
optional (``None``: any dimension); methods take ``d`` when ``dim`` is not set, and check it
against ``dim`` when both are given.  :func:`as_set` coerces a set or one of the names
``"simplex"``, ``"ball"``, ``"box"`` (the set with default parameters) and binds the dimension
of the data.

References
----------
.. [1] Duchi, J., Shalev-Shwartz, S., Singer, Y., Chandra, T. (2008). Efficient projections
   onto the l1-ball for learning in high dimensions. ICML, Fig. 1.
.. [2] Condat, L. (2016). Fast projection onto the simplex and the l1 ball. Math. Program.
   158, Alg. 1.
.. [3] Muller, M. E. (1959). A note on a method for generating points uniformly on
   n-dimensional spheres. Comm. ACM 2(4).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from typing import Any, ClassVar, NamedTuple

import numpy as np

from .rng import as_generator
from .validation import as_float_array, check_int, check_option, check_scalar

__all__ = ["ConvexSet", "Simplex", "Ball", "Box", "SetPoints", "as_set", "SET_NAMES"]

#: names accepted by :func:`as_set` as shorthand for the set with default parameters
SET_NAMES = ("simplex", "ball", "box")


class SetPoints(NamedTuple):
    """Grid points of a set (:meth:`ConvexSet.grid`).

    Attributes
    ----------
    points : ndarray, shape (m, d)
        The grid points lying in the set, one per row.
    axes : tuple of ndarray
        The ``d`` one-dimensional axes whose Cartesian product contains ``points``.
    """

    points: np.ndarray
    axes: tuple[np.ndarray, ...]


#: most numbers a set method allocates (points x coordinates; 800 MB of float64): larger
#: requests raise a ValueError naming the argument before anything is allocated
MAX_ELEMENTS = 10**8


def _check_dim(dim, name="dim"):
    return None if dim is None else check_int(dim, name, lo=1, hi=MAX_ELEMENTS)


def _check_count(n, d, name="n"):
    """``n`` points of dimension ``d``: a non-negative integer with ``n * d`` within the cap."""
    n = check_int(n, name, lo=0)
    if n * d > MAX_ELEMENTS:
        raise ValueError(f"`{name}`={n} points of dimension {d} would allocate {n * d:.3g} "
                         f"numbers (> {MAX_ELEMENTS:.0e}); draw fewer points")
    return n


def _check_grid_size(log_count, d, name, n):
    """Raise when a grid of ``exp(log_count)`` points of dimension ``d`` exceeds the cap."""
    if log_count + math.log(d) > math.log(MAX_ELEMENTS):
        raise ValueError(f"`{name}`={n} in dimension {d} gives a grid of about "
                         f"{math.exp(min(log_count, 700.0)):.3g} points (more than "
                         f"{MAX_ELEMENTS:.0e} numbers); use fewer points per axis")


class ConvexSet:
    """Base of :class:`Simplex`, :class:`Ball` and :class:`Box` (dimension handling).

    Attributes
    ----------
    kind : str
        ``"simplex"``, ``"ball"`` or ``"box"``.
    dim : int or None
        Dimension, or ``None`` for a set of any dimension.
    """

    kind: ClassVar[str] = ""
    dim: int | None

    def _d(self, d=None) -> int:
        """The dimension to work in: ``d``, else ``dim``; they must agree when both are set."""
        if d is None:
            if self.dim is None:
                raise ValueError(f"{self!r} has no dimension: pass `d` or construct the set "
                                 "with `dim=`")
            return self.dim
        d = check_int(d, "d", lo=1, hi=MAX_ELEMENTS)
        if self.dim is not None and d != self.dim:
            raise ValueError(f"`d`={d} does not match the dimension dim={self.dim} of {self!r}")
        return d

    def _points(self, x, name="x", finite=True):
        """``x`` as a float array of shape ``(d,)`` or ``(n, d)`` in the set's dimension."""
        x = as_float_array(x, name, ndim=(1, 2), finite=finite)
        if x.shape[-1] < 1:
            raise ValueError(f"`{name}` must have at least one coordinate, got shape {x.shape}")
        if self.dim is not None and x.shape[-1] != self.dim:
            raise ValueError(f"`{name}` must have {self.dim} coordinates (last axis) for "
                             f"{self!r}, got shape {x.shape}")
        return x

    def with_dim(self, d):
        """The same set with its dimension fixed to ``d``.

        Parameters
        ----------
        d : int or None
            Dimension ``>= 1`` (``None`` leaves it free; a box with per-coordinate bounds
            keeps the length of its bounds).

        Returns
        -------
        Simplex, Ball or Box
            A new set of the same kind and parameters with ``dim=d``.
        """
        return dataclasses.replace(self, dim=_check_dim(d, "d"))  # type: ignore[type-var]


@dataclasses.dataclass(frozen=True)
class Simplex(ConvexSet):
    r"""The probability simplex :math:`\Delta_d = \{x\in\mathbb R^d: x_i\ge 0, \sum_i x_i = 1\}`.

    Diameter :math:`\sqrt2` (distance between two vertices; 0 when ``d == 1``), centre
    :math:`\mathbf 1/d`, uniform distribution Dirichlet(1, ..., 1).

    Parameters
    ----------
    dim : int, optional
        Dimension ``d >= 1`` (number of coordinates); ``None`` for any dimension.

    Examples
    --------
    >>> Simplex().project([0.5, 1.0, -1.0])
    array([0.25, 0.75, 0.  ])
    """

    dim: int | None = None
    kind: ClassVar[str] = "simplex"

    def __post_init__(self):
        object.__setattr__(self, "dim", _check_dim(self.dim))

    def diameter(self, d=None) -> float:
        r"""Euclidean diameter :math:`\max_{x,y\in\Delta_d}\|x - y\|_2 = \|e_1 - e_2\|_2`.

        Parameters
        ----------
        d : int, optional
            Dimension (default ``dim``).

        Returns
        -------
        float
            :math:`\sqrt 2` for ``d >= 2``, ``0.0`` for ``d == 1``.
        """
        return float(np.sqrt(2.0)) if self._d(d) > 1 else 0.0

    def project(self, x) -> np.ndarray:
        r"""Euclidean projection :math:`\Pi(x) = \arg\min_{y\in\Delta_d}\|y - x\|_2`.

        Sort-based algorithm (Duchi et al. 2008; Condat 2016): with :math:`u` the entries of ``x`` in decreasing order
        and :math:`\rho = \max\{j : u_j - (\sum_{i\le j} u_i - 1)/j > 0\}`,

        .. math::  \Pi(x)_i = \max(x_i - \tau, 0), \qquad
                   \tau = \frac{\sum_{i\le\rho} u_i - 1}{\rho},

        :math:`O(d\log d)` per point.

        Parameters
        ----------
        x : array_like, shape (d,) or (n, d)
            Finite point(s), one per row.

        Returns
        -------
        ndarray, same shape as ``x``
            The projection(s).
        """
        x = self._points(x)
        d = x.shape[-1]
        # the projection commutes with shifts along the all-ones vector: shifting by the
        # maximum keeps the cumulative sums exact for entries of very different magnitude
        x = x - x.max(axis=-1, keepdims=True)
        u = -np.sort(-x, axis=-1)
        css = np.cumsum(u, axis=-1) - 1.0
        k = np.arange(1, d + 1)
        rho = np.count_nonzero(u - css / k > 0, axis=-1)  # the condition holds on a prefix
        tau = np.take_along_axis(css, (rho - 1)[..., None], axis=-1) / rho[..., None]
        return np.maximum(x - tau, 0.0)

    def contains(self, x, tol=1e-9):
        r"""Membership up to ``tol``: :math:`x_i \ge -\mathrm{tol}` and
        :math:`|\sum_i x_i - 1| \le \mathrm{tol}`.

        Parameters
        ----------
        x : array_like, shape (d,) or (n, d)
            Point(s); non-finite points are outside.
        tol : float
            Absolute tolerance ``>= 0``.

        Returns
        -------
        bool or ndarray of bool, shape (n,)
            Whether each point lies in the set.
        """
        x = self._points(x, finite=False)
        tol = check_scalar(tol, "tol", lo=0)
        ok = np.all(x >= -tol, axis=-1) & (np.abs(x.sum(axis=-1) - 1.0) <= tol)
        return bool(ok) if x.ndim == 1 else ok

    def center(self, d=None) -> np.ndarray:
        r"""The barycentre :math:`\mathbf 1/d` (the default starting point of the online room).

        Parameters
        ----------
        d : int, optional
            Dimension (default ``dim``).

        Returns
        -------
        ndarray, shape (d,)
            ``np.full(d, 1 / d)``.
        """
        d = self._d(d)
        return np.full(d, 1.0 / d)

    def sample(self, seed, n, d=None) -> np.ndarray:
        r"""``n`` points uniform on the simplex (Dirichlet(1, ..., 1)).

        :math:`x = E/\sum_i E_i` with :math:`E_i` i.i.d. standard exponential.

        Parameters
        ----------
        seed : None, int, SeedSequence or Generator
            Randomness (:func:`equilibria._lib.rng.as_generator`).
        n : int
            Number of points, ``>= 0``.
        d : int, optional
            Dimension (default ``dim``).

        Returns
        -------
        ndarray, shape (n, d)
            The points, one per row.
        """
        d = self._d(d)
        n = _check_count(n, d)
        E = as_generator(seed).standard_exponential((n, d))
        return E / E.sum(axis=1, keepdims=True)

    def grid(self, n_per_axis, d=None) -> SetPoints:
        r"""The barycentric lattice :math:`\{k/n : k\in\mathbb N^d, \sum_i k_i = n\}`.

        :math:`\binom{n + d - 1}{d - 1}` points (``n + 1`` values :math:`0, 1/n, \dots, 1` per
        coordinate; for ``d = 3`` the ternary grid with ``n`` subdivisions per edge), in
        lexicographic order of ``k`` from :math:`(0, \dots, 0, n)` to :math:`(n, 0, \dots, 0)`.

        Parameters
        ----------
        n_per_axis : int
            Number ``n >= 1`` of subdivisions of each edge.
        d : int, optional
            Dimension (default ``dim``).

        Returns
        -------
        SetPoints
            ``points`` of shape ``(C(n + d - 1, d - 1), d)`` and ``axes``, ``d`` copies of
            ``arange(n + 1) / n``.
        """
        d = self._d(d)
        n = check_int(n_per_axis, "n_per_axis", lo=1)
        k_small = min(n, d - 1)  # C(n + d - 1, d - 1) = C(n + d - 1, n)
        if k_small > 60:  # C(2k, k) > 1e35 already: far above the cap
            _check_grid_size(math.inf, d, "n_per_axis", n)
        _check_grid_size(math.log(math.comb(n + d - 1, k_small)), d, "n_per_axis", n)
        m = math.comb(n + d - 1, d - 1)  # stars and bars: d - 1 bars among n + d - 1 slots
        bars = np.fromiter(
            itertools.chain.from_iterable(itertools.combinations(range(n + d - 1), d - 1)),
            dtype=np.int64, count=m * (d - 1)).reshape(m, d - 1)
        edges = np.hstack([np.full((m, 1), -1), bars, np.full((m, 1), n + d - 1)])
        k = np.diff(edges, axis=1) - 1
        axis = np.arange(n + 1) / n
        return SetPoints(k / n, tuple(axis for _ in range(d)))


@dataclasses.dataclass(frozen=True)
class Ball(ConvexSet):
    r"""The Euclidean ball :math:`\{x\in\mathbb R^d : \|x\|_2 \le r\}` centred at 0.

    Diameter :math:`2r`, centre 0, uniform distribution: uniform in volume.

    Parameters
    ----------
    radius : float
        Radius :math:`r > 0`, finite.
    dim : int, optional
        Dimension ``d >= 1``; ``None`` for any dimension.

    Examples
    --------
    >>> Ball(2.0).project([3.0, 4.0])
    array([1.2, 1.6])
    """

    radius: float = 1.0
    dim: int | None = None
    kind: ClassVar[str] = "ball"

    def __post_init__(self):
        object.__setattr__(self, "radius",
                           check_scalar(self.radius, "radius", lo=0, lo_inclusive=False))
        object.__setattr__(self, "dim", _check_dim(self.dim))

    def diameter(self, d=None) -> float:
        r"""Euclidean diameter :math:`2r` (any dimension).

        Parameters
        ----------
        d : int, optional
            Dimension; only checked against ``dim``.

        Returns
        -------
        float
            ``2 * radius``.
        """
        if d is not None:
            self._d(d)
        return 2.0 * self.radius

    def project(self, x) -> np.ndarray:
        r"""Euclidean projection :math:`\Pi(x) = x\,\min(1, r/\|x\|_2)`.

        Parameters
        ----------
        x : array_like, shape (d,) or (n, d)
            Finite point(s), one per row.

        Returns
        -------
        ndarray, same shape as ``x``
            The projection(s).
        """
        x = self._points(x)
        nrm = np.linalg.norm(x, axis=-1, keepdims=True)
        big = nrm > self.radius
        scale = np.where(big, self.radius / np.where(big, nrm, 1.0), 1.0)
        return scale * x

    def contains(self, x, tol=1e-9):
        r"""Membership up to ``tol`` (relative): :math:`\|x\|_2 \le r(1 + \mathrm{tol})`.

        Parameters
        ----------
        x : array_like, shape (d,) or (n, d)
            Point(s); non-finite points are outside.
        tol : float
            Relative tolerance ``>= 0``.

        Returns
        -------
        bool or ndarray of bool, shape (n,)
            Whether each point lies in the set.
        """
        x = self._points(x, finite=False)
        tol = check_scalar(tol, "tol", lo=0)
        ok = np.linalg.norm(x, axis=-1) <= self.radius * (1.0 + tol)
        return bool(ok) if x.ndim == 1 else ok

    def center(self, d=None) -> np.ndarray:
        """The centre 0 (the default starting point of the online room).

        Parameters
        ----------
        d : int, optional
            Dimension (default ``dim``).

        Returns
        -------
        ndarray, shape (d,)
            Zeros.
        """
        return np.zeros(self._d(d))

    def sample(self, seed, n, d=None) -> np.ndarray:
        r"""``n`` points uniform in volume in the ball.

        :math:`x = r\,U^{1/d}\,Z/\|Z\|_2` with :math:`Z\sim N(0, I_d)` (a uniform direction,
        Muller 1959) and :math:`U\sim U(0, 1)` independent, so that :math:`\|x\|/r` has distribution
        function :math:`s^d` on :math:`[0, 1]` (i.e. :math:`(\|x\|/r)^d` is uniform).

        Parameters
        ----------
        seed : None, int, SeedSequence or Generator
            Randomness (:func:`equilibria._lib.rng.as_generator`).
        n : int
            Number of points, ``>= 0``.
        d : int, optional
            Dimension (default ``dim``).

        Returns
        -------
        ndarray, shape (n, d)
            The points, one per row.
        """
        d = self._d(d)
        n = _check_count(n, d)
        rng = as_generator(seed)
        Z = rng.standard_normal((n, d))
        nrm = np.linalg.norm(Z, axis=1, keepdims=True)
        Z /= np.where(nrm > 0, nrm, 1.0)
        return Z * (self.radius * rng.uniform(size=(n, 1)) ** (1.0 / d))

    def grid(self, n_per_axis, d=None) -> SetPoints:
        r"""The points of the grid of the bounding box :math:`[-r, r]^d` that lie in the ball.

        Axes ``linspace(-r, r, n)``; a point is kept when :math:`\|x\|_2 \le r(1 + 10^{-12})`
        (an odd ``n`` includes the centre, ``n = 2`` keeps only :math:`\pm r` in 1-D).

        Parameters
        ----------
        n_per_axis : int
            Number ``n >= 2`` of grid values per axis.
        d : int, optional
            Dimension (default ``dim``).

        Returns
        -------
        SetPoints
            ``points`` of shape ``(m, d)``, ``m <= n**d``, in C order of the box grid, and the
            ``d`` axes.
        """
        d = self._d(d)
        n = check_int(n_per_axis, "n_per_axis", lo=2)
        _check_grid_size(d * math.log(n), d, "n_per_axis", n)
        axes = tuple(np.linspace(-self.radius, self.radius, n) for _ in range(d))
        pts = _product(axes)
        keep = np.linalg.norm(pts, axis=1) <= self.radius * (1.0 + 1e-12)
        return SetPoints(pts[keep], axes)


def _product(axes) -> np.ndarray:
    """Cartesian product of 1-D axes as rows, C order (last coordinate fastest)."""
    mesh = np.meshgrid(*axes, indexing="ij")
    return np.stack(mesh, axis=-1).reshape(-1, len(axes))


def _bound(v, name):
    if np.ndim(v) == 0:
        return check_scalar(v, name)
    arr = as_float_array(v, name, ndim=1, min_size=1, copy=True)
    arr.flags.writeable = False
    return arr


@dataclasses.dataclass(frozen=True, eq=False)
class Box(ConvexSet):
    r"""The box :math:`\prod_{i=1}^d [l_i, h_i]`; scalar bounds give :math:`[l, h]^d`.

    Diameter :math:`\|h - l\|_2` (:math:`(h - l)\sqrt d` for scalar bounds), centre
    :math:`(l + h)/2`, uniform distribution: independent uniform coordinates.

    Parameters
    ----------
    lo, hi : float or array_like, shape (d,)
        Lower and upper bounds, finite, ``lo < hi`` in every coordinate.  Scalars give the
        same bounds in every coordinate; an array fixes the dimension (a scalar paired with an
        array is broadcast to its length).  Stored as floats, or as read-only float arrays.
    dim : int, optional
        Dimension ``d >= 1``; inferred from array bounds (and checked against them when
        given); ``None`` for any dimension with scalar bounds.

    Examples
    --------
    >>> Box(0.0, [1.0, 2.0]).project([1.5, -1.0])
    array([1., 0.])
    """

    lo: Any = -1.0
    hi: Any = 1.0
    dim: int | None = None
    kind: ClassVar[str] = "box"

    def __post_init__(self):
        lo, hi = _bound(self.lo, "lo"), _bound(self.hi, "hi")
        dim = _check_dim(self.dim)
        lens = {len(b) for b in (lo, hi) if isinstance(b, np.ndarray)}
        if len(lens) > 1:
            raise ValueError(f"`lo` and `hi` must have the same length, got {len(lo)} and "
                             f"{len(hi)}")
        if lens:
            m = lens.pop()
            if dim is not None and dim != m:
                raise ValueError(f"`dim`={dim} does not match the length {m} of the bounds "
                                 "`lo`/`hi`")
            dim = m
            lo, hi = (b if isinstance(b, np.ndarray) else _bound(np.full(m, b), "")
                      for b in (lo, hi))
        bad = np.flatnonzero(~(np.asarray(lo) < np.asarray(hi)))
        if bad.size:
            i = int(bad[0])
            at = "" if np.ndim(lo) == 0 else f" (first at index {i}: lo={lo[i]}, hi={hi[i]})"
            raise ValueError(f"`lo` must be < `hi` for the box, got lo={self.lo!r}, "
                             f"hi={self.hi!r}{at}")
        object.__setattr__(self, "lo", lo)
        object.__setattr__(self, "hi", hi)
        object.__setattr__(self, "dim", dim)

    def __eq__(self, other):
        if not isinstance(other, Box):
            return NotImplemented
        return (self.dim == other.dim and np.array_equal(self.lo, other.lo)
                and np.array_equal(self.hi, other.hi))

    def __hash__(self):
        return hash((Box, self.dim, np.asarray(self.lo).tobytes(),
                     np.asarray(self.hi).tobytes()))

    @property
    def uniform(self) -> bool:
        """Whether every coordinate has the same bounds (scalar or constant arrays)."""
        return bool(np.all(self.lo == np.ravel(self.lo)[0])
                    and np.all(self.hi == np.ravel(self.hi)[0]))

    def _bounds(self, d):
        """``(lo, hi)`` as arrays of length ``d``."""
        return np.broadcast_to(self.lo, (d,)), np.broadcast_to(self.hi, (d,))

    def diameter(self, d=None) -> float:
        r"""Euclidean diameter :math:`\|h - l\|_2` (the distance between opposite corners).

        Parameters
        ----------
        d : int, optional
            Dimension (default ``dim``).

        Returns
        -------
        float
            ``(hi - lo) * sqrt(d)`` for scalar bounds, ``norm(hi - lo)`` for array bounds.
        """
        d = self._d(d)
        if np.ndim(self.lo) == 0:
            return (self.hi - self.lo) * float(np.sqrt(d))
        return float(np.linalg.norm(self.hi - self.lo))

    def project(self, x) -> np.ndarray:
        r"""Euclidean projection :math:`\Pi(x)_i = \min(\max(x_i, l_i), h_i)` (clipping).

        Parameters
        ----------
        x : array_like, shape (d,) or (n, d)
            Finite point(s), one per row.

        Returns
        -------
        ndarray, same shape as ``x``
            The projection(s).
        """
        x = self._points(x)
        return np.clip(x, self.lo, self.hi)

    def contains(self, x, tol=1e-9):
        r"""Membership up to ``tol`` (absolute): :math:`l_i - \mathrm{tol} \le x_i \le
        h_i + \mathrm{tol}` for every ``i``.

        Parameters
        ----------
        x : array_like, shape (d,) or (n, d)
            Point(s); non-finite points are outside.
        tol : float
            Absolute tolerance ``>= 0``.

        Returns
        -------
        bool or ndarray of bool, shape (n,)
            Whether each point lies in the set.
        """
        x = self._points(x, finite=False)
        tol = check_scalar(tol, "tol", lo=0)
        ok = np.all((x >= self.lo - tol) & (x <= self.hi + tol), axis=-1)
        return bool(ok) if x.ndim == 1 else ok

    def center(self, d=None) -> np.ndarray:
        r"""The midpoint :math:`(l + h)/2` (the default starting point of the online room).

        Parameters
        ----------
        d : int, optional
            Dimension (default ``dim``).

        Returns
        -------
        ndarray, shape (d,)
            ``0.5 * (lo + hi)`` in every coordinate.
        """
        d = self._d(d)
        if np.ndim(self.lo) == 0:
            return np.full(d, 0.5 * (self.lo + self.hi))
        return 0.5 * (self.lo + self.hi)

    def sample(self, seed, n, d=None) -> np.ndarray:
        r"""``n`` points uniform in the box: :math:`x_i = l_i + (h_i - l_i) U_i`,
        :math:`U_i \sim U(0, 1)` i.i.d.

        Parameters
        ----------
        seed : None, int, SeedSequence or Generator
            Randomness (:func:`equilibria._lib.rng.as_generator`).
        n : int
            Number of points, ``>= 0``.
        d : int, optional
            Dimension (default ``dim``).

        Returns
        -------
        ndarray, shape (n, d)
            The points, one per row.
        """
        d = self._d(d)
        n = _check_count(n, d)
        U = as_generator(seed).uniform(size=(n, d))
        lo, hi = self._bounds(d)
        return lo + (hi - lo) * U

    def grid(self, n_per_axis, d=None) -> SetPoints:
        r"""The tensor grid :math:`\prod_i \{l_i + (h_i - l_i) j/(n - 1) : j = 0..n-1\}`.

        Parameters
        ----------
        n_per_axis : int
            Number ``n >= 2`` of grid values per axis (both bounds included).
        d : int, optional
            Dimension (default ``dim``).

        Returns
        -------
        SetPoints
            ``points`` of shape ``(n**d, d)`` in C order (last coordinate fastest, as
            ``meshgrid(*axes, indexing="ij")``) and the ``d`` axes ``linspace(lo_i, hi_i, n)``.
        """
        d = self._d(d)
        n = check_int(n_per_axis, "n_per_axis", lo=2)
        _check_grid_size(d * math.log(n), d, "n_per_axis", n)
        lo, hi = self._bounds(d)
        axes = tuple(np.linspace(lo[i], hi[i], n) for i in range(d))
        return SetPoints(_product(axes), axes)


_DEFAULTS: dict[str, type[ConvexSet]] = {"simplex": Simplex, "ball": Ball, "box": Box}


def as_set(domain, d=None, *, name="domain"):
    """Coerce ``domain`` to a set and bind the dimension ``d`` of the data.

    Parameters
    ----------
    domain : Simplex, Ball, Box or {"simplex", "ball", "box"}
        A set, or the name of the set with default parameters (``Simplex()``, ``Ball()``:
        radius 1, ``Box()``: ``[-1, 1]^d``).
    d : int, optional
        Dimension of the data; a set without ``dim`` gets ``dim=d``, a set with ``dim`` must
        agree.
    name : str
        Argument name used in error messages.

    Returns
    -------
    Simplex, Ball or Box
        The set, with ``dim == d`` when ``d`` is given.

    Raises
    ------
    TypeError
        If ``domain`` is neither a set nor a string.
    ValueError
        For an unknown name or a dimension mismatch.
    """
    if isinstance(domain, str):
        check_option(domain, name, SET_NAMES)
        domain = _DEFAULTS[domain]()
    elif not isinstance(domain, ConvexSet):
        raise TypeError(f"`{name}` must be a Simplex, Ball or Box (or one of the names "
                        f"{', '.join(map(repr, SET_NAMES))}), got {type(domain).__name__}")
    if d is None:
        return domain
    d = check_int(d, "d", lo=1)
    if domain.dim is None:
        return domain.with_dim(d)
    if domain.dim != d:
        raise ValueError(f"`{name}`={domain!r} has dimension {domain.dim}, but the data have "
                         f"dimension {d}")
    return domain
