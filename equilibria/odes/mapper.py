r"""Finding attractors without knowing them: the recurrence finite-state machine on a grid of
state space, attractor classification, basins on grids and basin fractions of samples.

The machine (Datseris & Wagemakers 2022 [1], Sec. II).  State space is covered by a uniform
:class:`Grid`; each cell is *unvisited*, *visited* (by the orbit now being followed),
*attractor k* or *basin of k*.  An orbit is stepped (every ``dt`` time units for a flow, every
iteration for a map) and its cell looked up:

- an unvisited cell becomes visited (and the recurrence counter resets);
- ``consecutive_recurrences`` steps in a row in already visited cells declare a new attractor:
  the orbit is followed ``attractor_locate_steps`` more steps, marking its cells as the
  attractor's and storing the states;
- ``consecutive_attractor_steps`` steps in a row in the cells of a known attractor, or
  ``consecutive_basin_steps`` in a known basin, assign the orbit to it;
- more than ``consecutive_lost_steps`` steps in a row outside the grid, a state beyond
  ``horizon_limit`` or a non-finite state: diverged (label -1); more than ``max_steps``
  steps: unresolved (label 0).

The visited cells of an assigned orbit become its attractor's basin, so later orbits stop as
soon as they reach it; with grid initial conditions (:func:`basins_of_attraction`) an initial
condition in a labelled cell takes the label at once, and full-grid basins get faster as the
grid fills.

Classification (:class:`Attractor`).  The located states of each attractor are examined:
if they stay within two cells of their mean, Newton's method refines a fixed point
(:math:`f(x) = 0` for a flow, :math:`f(x) = x` for a map) whose Jacobian spectrum decides
stability (flow: :math:`\max\Re\lambda < 0`; map: :math:`\max|\lambda| < 1`).  **An unstable
fixed point is never an attractor**: initial conditions that stay on one (a measure-zero set
hit exactly, e.g. the origin of a competition model) are labelled ``UNSTABLE_SET`` (-2) and
the point is reported in ``unstable_sets``.  A flow orbit whose slowest located states
lie near two or more distinct saddles (Newton-refined, unstable) is a heteroclinic cycle.
Otherwise the largest Lyapunov exponent
:math:`\lambda_1` (tangent dynamics along the stored orbit) separates chaotic attractors
(:math:`\lambda_1 > \mathtt{chaos\_threshold}`) from regular ones; a regular attractor of a
flow whose orbit returns to a Poincaré section through one of its states is a periodic orbit
(period from the interpolated crossing times); a map orbit visiting finitely many points is a
periodic orbit of that period; the rest are quasi-periodic.

Attractors found by different chunks (or differing only by integration noise, or partial
samplings of one chaotic attractor) are merged when at least half of the located states of
one lie within ``merge_tol`` grid cells (sup-distance in cell units) of the other's.

References
----------
1. G. Datseris, A. Wagemakers, "Effortless estimation of basins of attraction", Chaos 32
   (2022) 023104.
2. G. Benettin, L. Galgani, A. Giorgilli, J.-M. Strelcyn, Meccanica 15 (1980) 9-20.
3. E. B. Wilson, "Probable inference, the law of succession, and statistical inference",
   J. Amer. Statist. Assoc. 22 (1927) 209-212 (the binomial score interval).
"""

from __future__ import annotations

import dataclasses
import functools
import math
import warnings
from typing import Any

import numpy as np

from equilibria._lib.result import ConvergenceWarning, Result, Status, finish
from equilibria._lib.rng import as_generator
from equilibria._lib.sweep import parallel_map
from equilibria._lib.validation import as_float_array, check_int, check_option, check_scalar

from .dynamical import DynamicalSystem, IntegratorOptions, as_system

__all__ = ["Grid", "RecurrenceOptions", "MapperOptions", "Attractor", "AttractorSet",
           "BasinsResult", "FractionsResult", "find_attractors", "basins_of_attraction", "basins_fractions",
           "lyapunov_spectrum", "LyapunovResult", "DIVERGED", "UNRESOLVED", "UNSTABLE_SET"]

#: labels of initial conditions that reached no attractor
DIVERGED, UNRESOLVED, UNSTABLE_SET = -1, 0, -2
SPECIAL_LABELS = {DIVERGED: "diverged", UNRESOLVED: "unresolved", UNSTABLE_SET: "unstable set"}
#: end-state runs of the alternative mappers stop as diverged above this magnitude
DIVERGENCE_BOUND = 1e8
#: cap on the number of cells of a dense recurrence grid
MAX_CELLS = 50_000_000
#: most initial conditions of one sweep (sampled or given)
MAX_SAMPLES = 10_000_000
#: most QR renormalisations (transient + n_steps) of one lyapunov_spectrum call
MAX_LYAPUNOV_STEPS = 10_000_000
#: a located attractor whose states stay within this many cells of their mean is tested as a
#: fixed point
FIXED_POINT_CELLS = 2.0
#: a map orbit with at most this many distinct cells is tested as a periodic orbit
MAX_MAP_PERIOD = 64
#: located states slower than this share of the orbit's top speed are tested as saddle visits
SLOW_SPEED = 1e-2
#: steps an orbit is continued before its period is measured
SETTLE_STEPS = 20
#: a section crossing within this share of the orbit's span is a period candidate ...
NEAR_RETURN = 0.05
#: ... accepted when the orbit returns to within this share of its span after one period
RETURN_TOL = 1e-3
#: two located sets with this share of points within ``merge_tol`` cells are one attractor
MERGE_SHARE = 0.5
#: Newton starts of the saddle test
MAX_SADDLE_STARTS = 32


# ---------------------------------------------------------------------------------- grid
@dataclasses.dataclass(frozen=True, init=False)
class Grid:
    r"""A uniform grid over a box of state space, the cells of the recurrence machine.

    ``Grid(ax0, ax1, ...)``: one increasing, equally spaced axis per state coordinate.
    Axis points are cell centres, so cell ``i`` of an axis with spacing ``w`` is
    ``[a_i - w/2, a_i + w/2)``.

    Parameters
    ----------
    *axes : array_like
        One axis per coordinate (at least 2 points each, equally spaced to 1e-6 relative).

    Attributes
    ----------
    axes : tuple of ndarray
        The axes.
    shape : tuple of int
        Points per axis.
    """

    axes: tuple
    shape: tuple

    def __init__(self, *axes):
        if len(axes) == 1 and isinstance(axes[0], (list, tuple)) and axes[0] and \
                np.ndim(axes[0][0]) == 1:
            axes = tuple(axes[0])
        if not axes:
            raise ValueError("`axes` must give at least one axis")
        out = []
        for i, a in enumerate(axes):
            a = as_float_array(a, f"axes[{i}]", ndim=1, min_size=2)
            d = np.diff(a)
            if np.any(d <= 0):
                raise ValueError(f"`axes[{i}]` must be strictly increasing")
            # 1e-6 relative: axes rounded to float32 (spacing error ~1e-7) stay accepted
            if np.max(np.abs(d - d[0])) > 1e-6 * abs(d[0]) * max(1.0, a.size):
                raise ValueError(f"`axes[{i}]` must be equally spaced (like np.linspace)")
            out.append(a)
        shape = tuple(a.size for a in out)
        if math.prod(shape) > MAX_CELLS:
            raise ValueError(f"the grid has {math.prod(shape)} cells (> {MAX_CELLS}); use fewer "
                             "points per axis")
        object.__setattr__(self, "axes", tuple(out))
        object.__setattr__(self, "shape", shape)

    @classmethod
    def box(cls, lo, hi, n, dim: int | None = None) -> Grid:
        """A grid of ``n`` points per axis over ``[lo, hi]`` (scalars or per coordinate).

        Parameters
        ----------
        lo, hi : array_like
            Bounds per coordinate (scalars need ``dim``).
        n : int or sequence of int
            Points per axis.
        dim : int, optional
            Number of coordinates when ``lo``, ``hi`` and ``n`` are scalars.

        Returns
        -------
        Grid
            The grid.
        """
        lo = as_float_array(lo, "lo", ndim=(0, 1), min_size=1)
        hi = as_float_array(hi, "hi", ndim=(0, 1), min_size=1)
        if isinstance(n, (list, tuple, np.ndarray)):
            ns_list = np.ravel(np.asarray(n, dtype=object)).tolist()
            if not ns_list:
                raise ValueError("`n` must give at least one number of points per axis")
        else:
            ns_list = [n]
        ns = np.array([check_int(k, "n", lo=2, hi=MAX_CELLS) for k in ns_list], dtype=np.int64)
        n_seq = isinstance(n, (list, tuple, np.ndarray)) and np.ndim(n) > 0
        if dim is not None:
            d = check_int(dim, "dim", lo=1, hi=MAX_CELLS)
        else:
            d = max(lo.size, hi.size, ns.size)
        sizes = {"lo": lo.size, "hi": hi.size, "n": ns.size}
        bad_names = [k for k, v in sizes.items() if v != d and (v != 1 or (k == "n" and n_seq))]
        if bad_names:
            raise ValueError(f"`lo`, `hi` and `n` must be scalars or have one entry per "
                             f"coordinate ({d}), got sizes {sizes} (`{bad_names[0]}`)")
        lo, hi = np.broadcast_to(np.ravel(lo), (d,)), np.broadcast_to(np.ravel(hi), (d,))
        ns = np.broadcast_to(ns, (d,))
        bad = np.flatnonzero(~(lo < hi))
        if bad.size:
            i = int(bad[0])
            raise ValueError(f"`lo` must be < `hi` in every coordinate, got lo={lo[i]}, "
                             f"hi={hi[i]} at coordinate {i}")
        if not np.all(np.isfinite(hi - lo)):
            raise ValueError("`hi` - `lo` overflows; use bounds of a representable range")
        if float(np.sum(np.log(ns.astype(float)))) > math.log(MAX_CELLS):
            raise ValueError(f"`n`={ns.tolist()} points per axis give more than {MAX_CELLS} "
                             "cells; use fewer points per axis")
        return cls(*[np.linspace(a, b, int(k)) for a, b, k in zip(lo, hi, ns, strict=True)])

    @classmethod
    def for_set(cls, space, n, dim: int | None = None) -> Grid:
        """A grid covering a state space: a :class:`~equilibria._lib.sets.Box` (its bounds) or
        the :class:`~equilibria._lib.sets.Simplex` (the unit cube around it).

        Parameters
        ----------
        space : Box or Simplex
            The state space (its ``dim``, or ``dim``, gives the dimension).
        n : int or sequence of int
            Points per axis.
        dim : int, optional
            Dimension when ``space.dim`` is not set.

        Returns
        -------
        Grid
            The grid.
        """
        from equilibria._lib.sets import Box, Simplex

        if not isinstance(space, (Box, Simplex)):
            raise TypeError(f"`space` must be a Box or a Simplex, got {type(space).__name__}")
        if dim is not None:
            dim = check_int(dim, "dim", lo=1, hi=MAX_CELLS)
            if space.dim is not None and space.dim != dim:
                raise ValueError(f"`dim`={dim} does not match the dimension {space.dim} of "
                                 f"`space`")
        d = getattr(space, "dim", None) or dim
        if d is None:
            raise ValueError("the dimension is unknown: give `dim` or a set with `dim`")
        if isinstance(space, Simplex):
            return cls.box(0.0, 1.0, n, dim=d)
        if isinstance(space, Box):
            return cls.box(space.lo, space.hi, n, dim=d)
        raise TypeError(f"`space` must be a Box or a Simplex, got {type(space).__name__}")

    @property
    def dim(self) -> int:
        """Number of coordinates."""
        return len(self.axes)

    @property
    def widths(self) -> np.ndarray:
        """Cell widths per coordinate."""
        return np.array([a[1] - a[0] for a in self.axes])

    @property
    def lo(self) -> np.ndarray:
        """Lower cell edges per coordinate."""
        return np.array([a[0] for a in self.axes]) - 0.5 * self.widths

    @property
    def hi(self) -> np.ndarray:
        """Upper cell edges per coordinate."""
        return np.array([a[-1] for a in self.axes]) + 0.5 * self.widths

    @property
    def first(self) -> np.ndarray:
        """First axis point per coordinate (the box that default samples are drawn from)."""
        return np.array([a[0] for a in self.axes])

    @property
    def last(self) -> np.ndarray:
        """Last axis point per coordinate."""
        return np.array([a[-1] for a in self.axes])

    def points(self) -> np.ndarray:
        """Every grid point, shape ``(prod(shape), dim)`` in C order of ``shape``.

        Returns
        -------
        ndarray
            The points.
        """
        mesh = np.meshgrid(*self.axes, indexing="ij")
        return np.column_stack([m.ravel() for m in mesh])

    def kernel_args(self):
        """``(lo, width, bins, strides)`` as the recurrence kernel reads them."""
        bins = np.array(self.shape, dtype=np.int64)
        strides = np.ones(self.dim, dtype=np.int64)
        for i in range(self.dim - 2, -1, -1):
            strides[i] = strides[i + 1] * bins[i + 1]
        return self.lo, self.widths, bins, strides


# ---------------------------------------------------------------------------------- options
@dataclasses.dataclass(frozen=True, kw_only=True)
class RecurrenceOptions:
    """Thresholds of the recurrence machine (defaults of Attractors.jl [1]).

    Parameters
    ----------
    consecutive_recurrences : int, default 100
        Steps in a row in visited cells that declare a new attractor.
    attractor_locate_steps : int, default 1000
        Steps that locate (mark and store) a new attractor.
    consecutive_attractor_steps : int, default 2
        Steps in a row on a known attractor's cells that assign the orbit to it.
    consecutive_basin_steps : int, default 10
        Steps in a row in a known basin that assign the orbit to it.
    consecutive_lost_steps : int, default 20
        Steps in a row outside the grid that declare divergence.
    horizon_limit : float, default 1e6
        A coordinate beyond it declares divergence.
    max_steps : int, default 1_000_000
        Steps after which the orbit is unresolved.
    transient : int, default 0
        Steps skipped before the machine starts.
    max_attractors : int, default 64
        Attractors the machine may create; more leave orbits unresolved (with a warning).
    merge_tol : float, default 2.0
        Attractors are merged when half of one's located states lie within this many cells of
        the other's.
    chaos_threshold : float, default 0.01
        A largest Lyapunov exponent above it (per unit time, or per iteration for maps) is
        chaotic.
    max_unresolved : float, default 0.01
        A larger unresolved share gives ``success=False``.
    """

    consecutive_recurrences: int = 100
    attractor_locate_steps: int = 1000
    consecutive_attractor_steps: int = 2
    consecutive_basin_steps: int = 10
    consecutive_lost_steps: int = 20
    horizon_limit: float = 1e6
    max_steps: int = 1_000_000
    transient: int = 0
    max_attractors: int = 64
    merge_tol: float = 2.0
    chaos_threshold: float = 0.01
    max_unresolved: float = 0.01

    def __post_init__(self):
        for k in ("consecutive_recurrences", "attractor_locate_steps",
                  "consecutive_attractor_steps", "consecutive_basin_steps",
                  "consecutive_lost_steps", "max_steps", "max_attractors"):
            object.__setattr__(self, k, check_int(getattr(self, k), k, lo=1))
        object.__setattr__(self, "transient", check_int(self.transient, "transient", lo=0))
        for k in ("horizon_limit", "merge_tol"):
            object.__setattr__(self, k, check_scalar(getattr(self, k), k, lo=0,
                                                     lo_inclusive=False))
        object.__setattr__(self, "chaos_threshold",
                           check_scalar(self.chaos_threshold, "chaos_threshold", lo=0))
        object.__setattr__(self, "max_unresolved",
                           check_scalar(self.max_unresolved, "max_unresolved", lo=0, hi=1))

    def vector(self) -> np.ndarray:
        """The threshold vector of the kernel.

        Returns
        -------
        ndarray, shape (8,)
            Thresholds in kernel order.
        """
        return np.array([self.consecutive_recurrences, self.attractor_locate_steps,
                         self.consecutive_attractor_steps, self.consecutive_basin_steps,
                         self.consecutive_lost_steps, self.horizon_limit, self.max_steps,
                         self.transient], dtype=float)


@dataclasses.dataclass(frozen=True, kw_only=True)
class MapperOptions:
    r"""Settings of the featurize-and-group and the proximity mappers.

    Featurize (``method="featurize"``, the pyBasin / Attractors.jl ``AttractorsViaFeaturizing``
    pattern): every initial condition is integrated for ``t_transient``, then sampled
    ``n_samples`` times ``dt`` apart; ``features(Y)`` maps the samples ``Y`` (``n_samples x
    dim``) to a feature vector (default: the mean and the standard deviation of every
    coordinate).  Features are standardised (divided by their spread over all initial
    conditions, floored at ``feature_floor``) and grouped: DBSCAN (scikit-learn, radius
    ``eps``, ``min_samples``) when installed, else a histogram grouping (cells of side
    ``eps`` in standardised feature space, connected cells joined).  Groups smaller than
    ``min_samples`` are unresolved.

    Proximity (``method="proximity"``): ``known`` attractors (``Attractor`` objects or point
    arrays) are given; each orbit is stepped ``dt`` at a time until its state lies within
    ``eps`` grid cells (sup-distance in cell units) of one of them (label), leaves the
    horizon (diverged) or runs ``t_max`` (unresolved).

    Parameters
    ----------
    t_transient : float >= 0, default 200.0
        Integration time (iterations for maps) discarded first (featurize).
    n_samples : int >= 2, default 100
        Samples of the window (featurize).
    features : callable, optional
        ``features(Y) -> 1-D array`` (featurize).
    eps : float > 0, default 0.05
        Grouping radius in standardised feature units (featurize), or the capture distance
        in grid cells (proximity, where 0.05 means 1/20 of a cell; use ~1-2 cells).
    min_samples : int >= 1, default 5
        Smallest group (featurize).
    feature_floor : float > 0, default 1e-6
        Floor of the feature spread used in the standardisation.
    known : sequence, optional
        Known attractors (proximity).
    t_max : float > 0, default 1e4
        Time budget of an orbit (proximity).
    """

    t_transient: float = 200.0
    n_samples: int = 100
    features: Any = None
    eps: float = 0.05
    min_samples: int = 5
    feature_floor: float = 1e-6
    known: Any = None
    t_max: float = 1e4

    def __post_init__(self):
        object.__setattr__(self, "t_transient",
                           check_scalar(self.t_transient, "t_transient", lo=0))
        object.__setattr__(self, "n_samples", check_int(self.n_samples, "n_samples", lo=2))
        object.__setattr__(self, "eps", check_scalar(self.eps, "eps", lo=0,
                                                     lo_inclusive=False))
        object.__setattr__(self, "min_samples", check_int(self.min_samples, "min_samples",
                                                          lo=1))
        object.__setattr__(self, "feature_floor", check_scalar(
            self.feature_floor, "feature_floor", lo=0, lo_inclusive=False))
        object.__setattr__(self, "t_max", check_scalar(self.t_max, "t_max", lo=0,
                                                       lo_inclusive=False))
        if self.features is not None and not callable(self.features):
            raise TypeError(f"`features` must be callable, got {type(self.features).__name__}")


def _step_all(system, X, dt, opt):
    """Advance every row of ``X`` by ``dt`` (flows) or ``dt`` iterations (maps)."""
    if system.kind == "map":
        return _end_states_raw(system, X, float(max(1, int(round(dt)))), opt)
    return _end_states_raw(system, X, dt, opt)


def _end_states_raw(system, X, t, opt):
    out = np.empty_like(X)
    status = np.zeros(X.shape[0], dtype=np.int64)
    steps = np.zeros(X.shape[0])
    system._c.flow[1](np.ascontiguousarray(X), system._p, t, opt.vector(), DIVERGENCE_BOUND,
                      out, status, steps)
    return out, status


def _default_features(Y):
    return np.concatenate([Y.mean(axis=0), Y.std(axis=0)])


def _group(F, eps, min_samples):
    """Group standardised feature rows: DBSCAN when scikit-learn is installed, else connected
    histogram cells of side ``eps``.  Returns group labels (>= 1) and 0 for noise."""
    try:
        from sklearn.cluster import DBSCAN
    except ImportError:  # histogram grouping
        keys = np.floor(F / eps).astype(np.int64)
        uniq, inv = np.unique(keys, axis=0, return_inverse=True)
        inv = inv.ravel()
        # join neighbouring cells (sup-distance 1) by union-find
        parent = list(range(uniq.shape[0]))

        def find(a):
            while parent[a] != a:
                parent[a] = parent[parent[a]]
                a = parent[a]
            return a
        for i in range(uniq.shape[0]):
            d = np.max(np.abs(uniq - uniq[i]), axis=1)
            for j in np.flatnonzero((d <= 1) & (np.arange(uniq.shape[0]) > i)):
                parent[find(j)] = find(i)
        roots = np.array([find(i) for i in range(uniq.shape[0])])
        lab = roots[inv]
    else:
        lab = DBSCAN(eps=eps, min_samples=min_samples).fit(F).labels_
    out = np.zeros(F.shape[0], dtype=np.int64)
    k = 0
    for g in np.unique(lab):
        if g < 0:
            continue
        rows = lab == g
        if rows.sum() < min_samples:
            continue
        k += 1
        out[rows] = k
    return out


def _featurize_chunk(system, opt, mopt, horizon, X0):
    X, st = _step_all(system, X0, mopt.t_transient, opt) if mopt.t_transient > 0 else \
        (X0.copy(), np.zeros(X0.shape[0], dtype=np.int64))
    m = X0.shape[0]
    Y = np.empty((mopt.n_samples, m, system.dim))
    bad = st != 0
    for k in range(mopt.n_samples):
        Y[k] = X
        X, st = _step_all(system, X, opt.dt, opt)
        bad |= (st != 0) | ~np.all(np.isfinite(X), axis=1) | (np.max(np.abs(X), axis=1) >
                                                               horizon)
    return Y, bad


def _featurize_labels(system, X0, opt, mopt, horizon):
    Y, bad = _featurize_chunk(system, opt, mopt, horizon, X0)
    feat = mopt.features or _default_features
    good = np.flatnonzero(~bad)
    labels = np.full(X0.shape[0], DIVERGED, dtype=np.int64)
    atts: list[np.ndarray] = []
    if good.size:
        F = np.array([np.asarray(feat(Y[:, i, :]), dtype=float).ravel() for i in good])
        if not np.all(np.isfinite(F)):
            raise ValueError("`features` returned non-finite values")
        spread = np.maximum(F.std(axis=0), mopt.feature_floor)
        g = _group((F - F.mean(axis=0)) / spread, mopt.eps, mopt.min_samples)
        labels[good] = g
        for k in range(1, int(g.max(initial=0)) + 1):
            rows = good[g == k]
            Fk = F[g == k]
            med = rows[int(np.argmin(np.sum((Fk - np.median(Fk, axis=0)) ** 2, axis=1)))]
            atts.append(Y[:, med, :].copy())
    steps = np.full(X0.shape[0], mopt.n_samples, dtype=np.int64)
    return labels, steps, atts


def _proximity_labels(system, X0, grid, opt, mopt, horizon):
    from scipy.spatial import cKDTree

    known = mopt.known
    if known is None or len(known) == 0:
        raise ValueError("`mapper.known` must list the known attractors for method='proximity'")
    widths = grid.widths
    sets = [np.atleast_2d(np.asarray(getattr(a, "points", a), dtype=float)) for a in known]
    for i, s in enumerate(sets):
        if s.ndim != 2 or s.shape[1] != system.dim or not np.all(np.isfinite(s)):
            raise ValueError(f"`mapper.known[{i}]` must be finite points of shape (k, "
                             f"{system.dim}), got {s.shape}")
    trees = [cKDTree(s / widths) for s in sets]
    m = X0.shape[0]
    labels = np.zeros(m, dtype=np.int64)
    steps = np.zeros(m, dtype=np.int64)
    X = X0.copy()
    active = np.arange(m)
    n_steps = int(math.ceil(mopt.t_max / opt.dt))
    for k in range(n_steps + 1):
        if active.size == 0:
            break
        Xa = X[active]
        for j, tree in enumerate(trees):
            d, _ = tree.query(Xa / widths, p=np.inf, distance_upper_bound=mopt.eps)
            hit = np.isfinite(d) & (labels[active] == 0)
            labels[active[hit]] = j + 1
            steps[active[hit]] = k
        gone = ~np.all(np.isfinite(Xa), axis=1) | (np.max(np.abs(Xa), axis=1) > horizon)
        labels[active[gone & (labels[active] == 0)]] = DIVERGED
        active = active[labels[active] == 0]
        if active.size and k < n_steps:
            Xn, st = _step_all(system, X[active], opt.dt, opt)
            X[active] = Xn
            failed = st == 1
            labels[active[failed]] = DIVERGED
            active = active[~failed]
    steps[labels == 0] = n_steps
    return labels, steps, [s * 1.0 for s in sets]


# ---------------------------------------------------------------------------------- attractors
@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class Attractor:
    """One attractor found by the machine, classified.

    Attributes
    ----------
    kind : str
        ``"fixed point"``, ``"periodic orbit"``, ``"heteroclinic cycle"`` (a flow orbit that
        slows down near two or more saddles in turn), ``"quasi-periodic"`` or ``"chaotic"``.
    points : ndarray, shape (k, n)
        States located on it.
    location : ndarray, shape (n,)
        The fixed point (Newton-refined), or the mean of ``points``.
    eigenvalues : ndarray or None
        Jacobian spectrum at a fixed point.
    stable : bool or None
        Fixed points: linear stability.
    period : float or None
        Periodic orbits: period (time for flows, iterations for maps); ``None`` otherwise
        (not applicable: no number stands for "undefined", so a result holds no NaN).
    lyapunov : float or None
        Largest Lyapunov exponent estimate (``None`` for fixed points, where the spectrum
        gives it).
    floquet : ndarray or None
        Periodic orbits of flows: Floquet multipliers (eigenvalues of the monodromy matrix;
        one of them is 1 up to integration error).
    state_names : tuple of str
        Coordinate names, for the label.
    """

    kind: str
    points: np.ndarray
    location: np.ndarray
    eigenvalues: np.ndarray | None = None
    stable: bool | None = None
    period: float | None = None
    lyapunov: float | None = None
    floquet: np.ndarray | None = None
    state_names: tuple = ()

    @property
    def label(self) -> str:
        """Legend text: kind and location, e.g. ``"fixed point (2.9, 0.1)"``."""
        scale = max(1.0, float(np.max(np.abs(self.location)))) if self.location.size else 1.0
        loc = ", ".join(f"{(0.0 if abs(v) < 5e-4 * scale else v):.2g}"
                        for v in self.location[:4])
        if self.location.size > 4:
            loc += ", ..."
        if self.kind == "fixed point":
            return f"fixed point ({loc})"
        if self.kind == "periodic orbit":
            return f"limit cycle, period {self.period:.3g}" if self.period is not None \
                and math.isfinite(self.period) else "periodic orbit"
        if self.kind == "chaotic":
            return "chaotic" if self.lyapunov is None else \
                f"chaotic (lambda1 = {self.lyapunov:.2g})"
        return f"{self.kind} (mean {loc})"

    def __repr__(self) -> str:
        return f"Attractor({self.label})"


@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class AttractorSet(Result):
    """Attractors found from a set of initial conditions, and each condition's label.

    Attributes
    ----------
    attractors : tuple of Attractor
        Ordered by decreasing basin share; label ``k`` (1-based) is ``attractors[k - 1]``.
    labels : ndarray of int64, shape (m,)
        Per initial condition: ``k >= 1``, ``DIVERGED`` (-1), ``UNRESOLVED`` (0) or
        ``UNSTABLE_SET`` (-2).
    fractions : dict
        Share of the initial conditions per attractor index and per special label name.
    steps : ndarray, shape (m,)
        Machine steps per initial condition (0 when labelled from a known cell): convergence
        time in units of ``dt``.
    unstable_sets : tuple of ndarray
        Unstable fixed points the machine stopped at (never attractors).
    initial_conditions : ndarray, shape (m, n)
        The initial conditions.
    """

    attractors: tuple
    labels: np.ndarray
    fractions: dict
    steps: np.ndarray
    unstable_sets: tuple
    initial_conditions: np.ndarray


# ---------------------------------------------------------------------------------- the machine
def _run_chunk(system, grid, opts_vec, thr, max_att, n_loc, reuse, cells0, X0):
    locate, recurrence = system._c.recurrence
    lo, width, bins, strides = grid.kernel_args()
    cells = np.zeros(int(np.prod(bins)), dtype=np.int32) if cells0 is None else cells0.copy()
    m = X0.shape[0]
    labels = np.zeros(m, dtype=np.int64)
    steps = np.zeros(m, dtype=np.int64)
    att_pts = np.zeros((max_att, n_loc, system.dim))
    att_len = np.zeros(max_att, dtype=np.int64)
    n_att = np.zeros(2, dtype=np.int64)
    recurrence(np.ascontiguousarray(X0), system._p, opts_vec, lo, width, bins, strides, cells,
               thr, reuse, labels, steps, att_pts, att_len, n_att)
    k = int(n_att[0])
    return labels, steps, [att_pts[j, :att_len[j]].copy() for j in range(k)], bool(n_att[1])


def _thin(P, cap=400):
    """One point per quarter cell (``P`` in cell units), then at most ``cap`` of them.  Thinning
    by occupied cells, not by a time stride, so a period-k orbit keeps all its points."""
    _, first = np.unique(np.floor(4.0 * P).astype(np.int64), axis=0, return_index=True)
    Q = P[np.sort(first)]
    return Q[::max(1, -(-Q.shape[0] // cap))]


def _same_attractor(A, B, widths, tol):
    """Whether two located point sets are one attractor: at least half of the points of one
    set lie within ``tol`` cells (sup-distance) of the other set (both subsampled to at most
    400 points).  Distinct attractors fail the test; two partial samplings of one chaotic or
    quasi-periodic attractor (located by different orbits or chunks) pass it."""
    Aw, Bw = _thin(A / widths), _thin(B / widths)
    D = np.max(np.abs(Aw[:, None, :] - Bw[None, :, :]), axis=2)
    return max(float(np.mean(D.min(axis=1) <= tol)), float(np.mean(D.min(axis=0) <= tol))) \
        >= MERGE_SHARE


def _newton_fixed_point(system, x, max_iter=50, tol=1e-11):
    is_map = system.kind == "map"
    x = x.copy()
    for _ in range(max_iter):
        F = system.rhs(x) - (x if is_map else 0.0)
        J = system.jacobian(x) - (np.eye(system.dim) if is_map else 0.0)
        if not (np.all(np.isfinite(F)) and np.all(np.isfinite(J))):
            return x, False  # left the field's domain (e.g. x**n at x < 0): no fixed point
        try:
            dx = np.linalg.lstsq(J, -F, rcond=None)[0]
        except np.linalg.LinAlgError:
            return x, False
        x = x + dx
        if not np.all(np.isfinite(x)):
            return x, False
        if np.max(np.abs(dx)) <= tol * (1.0 + np.max(np.abs(x))):
            F = system.rhs(x) - (x if is_map else 0.0)
            return x, bool(np.max(np.abs(F)) <= 1e-8 * (1.0 + np.max(np.abs(x))))
    return x, False


def _largest_lyapunov(system, x0, dt, n_steps):
    res = lyapunov_spectrum(system, x0, n_exponents=1, n_steps=n_steps,
                            options=IntegratorOptions(dt=dt) if system.kind == "flow" else None,
                            progress=False, warn=False)
    return float(res.exponents[0]) if res.success else math.nan


def _flow_period(system, x0, dt, t_span):
    """Period of the orbit through (a settled state near) ``x0``, or NaN.

    The orbit is continued ``SETTLE_STEPS`` steps, then followed over ``t_span``; crossings of
    the section through the settled state ``x_s`` normal to ``f(x_s)`` are located by linear
    interpolation on a fine output grid; the first crossing within ``NEAR_RETURN`` of the orbit's
    span is the period candidate ``T``, accepted only when the orbit returns: ``|x(T) - x_s| <=
    RETURN_TOL * span`` (a quasi-periodic orbit comes near but does not return).  Returns
    ``(T, x_s)``."""
    opts = IntegratorOptions(rtol=1e-10, atol=1e-12)
    settle = system.trajectory(x0, SETTLE_STEPS * dt, t_eval=np.array([SETTLE_STEPS * dt]),
                               options=opts)
    if not settle.success:
        return math.nan, x0
    xs = settle.y[-1]
    f0 = system.rhs(xs)
    nf = float(np.linalg.norm(f0))
    if nf == 0 or not np.isfinite(nf):
        return math.nan, xs
    nrm = f0 / nf
    n_out = max(200, int(40 * t_span / dt))
    t_eval = np.linspace(0.0, t_span, n_out)
    tr = system.trajectory(xs, t_span, t_eval=t_eval, options=opts)
    if not tr.success:
        return math.nan, xs
    s = (tr.y - xs) @ nrm
    span = float(np.max(np.abs(tr.y - xs)))
    for i in range(2, s.size):
        if s[i - 1] < 0 <= s[i]:
            w = -s[i - 1] / (s[i] - s[i - 1])
            yc = tr.y[i - 1] + w * (tr.y[i] - tr.y[i - 1])
            if np.max(np.abs(yc - xs)) <= NEAR_RETURN * span:
                per = float(tr.t[i - 1] + w * (tr.t[i] - tr.t[i - 1]))
                back = system.trajectory(xs, per, t_eval=np.array([per]), options=opts)
                if back.success and np.max(np.abs(back.y[-1] - xs)) <= RETURN_TOL * span:
                    return per, xs
                return math.nan, xs  # came near but did not return: not periodic
    return math.nan, xs


def _floquet(system, x, period):
    """Floquet multipliers: eigenvalues of the monodromy matrix (tangent flow over a period)."""
    n = system.dim
    advance = system._c.tangent(n)[0]
    z = np.concatenate([x, np.eye(n).ravel()])
    ws = np.empty((9, n + n * n))
    hb = np.array([1e-2, 0.0, 0.0])
    opts = IntegratorOptions(dt=period, rtol=1e-10, atol=1e-12).vector()
    if advance(z, hb, system._p, opts, ws) != 0 or not np.all(np.isfinite(z)):
        return None
    return np.linalg.eigvals(z[n:].reshape(n, n))


def _classify(system, pts, grid, ropt, dt):
    widths = grid.widths
    mean = pts.mean(axis=0)
    spread = float(np.max(np.abs(pts - mean) / widths)) if pts.size else 0.0
    names = system.state_names
    tail = pts[-max(1, pts.shape[0] // 4):]
    tail_spread = float(np.max(np.abs(tail - tail.mean(axis=0)) / widths)) if pts.size else 0.0
    if spread <= FIXED_POINT_CELLS or tail_spread <= FIXED_POINT_CELLS:
        # the whole located set, or its last quarter (the orbit was located while it still
        # travelled, e.g. leaving a saddle), sits at one point: try a fixed point
        if spread > FIXED_POINT_CELLS:
            mean = tail.mean(axis=0)
        x, ok = _newton_fixed_point(system, pts[-1])
        if ok and np.max(np.abs(x - mean) / widths) <= FIXED_POINT_CELLS + 1:
            ev = np.linalg.eigvals(system.jacobian(x))
            if system.kind == "map":
                stable = bool(np.max(np.abs(ev)) < 1.0)
            else:
                stable = bool(np.max(ev.real) < 0.0)
            if not stable and spread > FIXED_POINT_CELLS:
                # located while travelling and ending at a saddle: a lingering visit, not an
                # attractor; its orbits are unresolved (not "on" the unstable set)
                return Attractor(kind="saddle visit", points=pts, location=x, eigenvalues=ev,
                                 stable=False, state_names=names)
            return Attractor(kind="fixed point", points=pts, location=x, eigenvalues=ev,
                             stable=stable, state_names=names)
    if system.kind == "flow":
        saddles = _saddles_visited(system, pts, widths)
        if len(saddles) >= 2:
            return Attractor(kind="heteroclinic cycle", points=pts, location=mean,
                             state_names=names)
    n_ly = 2000 if system.kind == "flow" else 5000
    lam = _largest_lyapunov(system, pts[-1], dt, n_ly)
    if math.isfinite(lam) and lam > ropt.chaos_threshold:
        return Attractor(kind="chaotic", points=pts, location=mean, lyapunov=lam,
                         state_names=names)
    lam_or_none = lam if math.isfinite(lam) else None  # a failed estimate is "unknown"
    if system.kind == "map":
        cells = np.unique(np.floor((pts - grid.lo) / widths).astype(np.int64), axis=0)
        if cells.shape[0] <= MAX_MAP_PERIOD:
            per = _map_period(system, pts[-1], cells.shape[0])
            if per:
                return Attractor(kind="periodic orbit", points=pts, location=mean,
                                 period=float(per), lyapunov=lam_or_none, state_names=names)
        return Attractor(kind="quasi-periodic", points=pts, location=mean, lyapunov=lam_or_none,
                         state_names=names)
    per, xs = _flow_period(system, pts[-1], dt,
                           t_span=max(50.0 * dt, 0.5 * dt * pts.shape[0]))
    if math.isfinite(per):
        return Attractor(kind="periodic orbit", points=pts, location=mean, period=per,
                         lyapunov=lam_or_none, floquet=_floquet(system, xs, per),
                         state_names=names)
    return Attractor(kind="quasi-periodic", points=pts, location=mean, lyapunov=lam_or_none,
                     state_names=names)


def _saddles_visited(system, pts, widths):
    """Distinct unstable fixed points at the slowest located states of a flow orbit.

    An orbit that lingers near two or more saddles and moves between them is a heteroclinic
    cycle (it slows down at every visit instead of repeating with a period)."""
    speed = np.array([np.max(np.abs(system.rhs(x))) for x in pts])
    if speed.size == 0 or not np.all(np.isfinite(speed)):
        return []
    slow = pts[speed <= SLOW_SPEED * np.max(speed)]
    found: list[np.ndarray] = []
    cells = np.unique(np.floor(slow / widths).astype(np.int64), axis=0, return_index=True)[1]
    for i in cells[:MAX_SADDLE_STARTS]:
        x, ok = _newton_fixed_point(system, slow[i])
        if not ok or np.max(np.abs(x - slow[i]) / widths) > FIXED_POINT_CELLS + 1:
            continue
        if np.max(np.linalg.eigvals(system.jacobian(x)).real) <= 0:
            continue
        if all(np.max(np.abs(x - y) / widths) > 1.0 for y in found):
            found.append(x)
    return found


def _map_period(system, x, max_p):
    y = x.copy()
    for _ in range(2000):  # settle onto the cycle
        y = system.rhs(y)
    start = y.copy()
    for p in range(1, max_p + 1):
        y = system.rhs(y)
        if np.max(np.abs(y - start)) <= 1e-8 * (1 + np.max(np.abs(start))):
            return p
    return 0


def _alt_chunk(system, grid, opt, mopt, method, horizon, X0):
    if method == "featurize":
        lab, st, atts = _featurize_labels(system, X0, opt, mopt, horizon)
    else:
        lab, st, atts = _proximity_labels(system, X0, grid, opt, mopt, horizon)
    return lab, st, atts, False


def _mapper(system, X0, grid, *, options, recurrence, reuse, chunks, executor, progress,
            desc, method="recurrence", mapper=None):
    system = as_system(system)
    method = check_option(method, "method", ("recurrence", "featurize", "proximity"))
    mopt = MapperOptions() if mapper is None else mapper
    if not isinstance(mopt, MapperOptions):
        raise TypeError(f"`mapper` must be MapperOptions, got {type(mopt).__name__}")
    if not isinstance(grid, Grid):
        raise TypeError(f"`grid` must be a Grid, got {type(grid).__name__}")
    if grid.dim != system.dim:
        raise ValueError(f"`grid` has {grid.dim} axes but the system has dimension {system.dim}")
    ropt = RecurrenceOptions() if recurrence is None else recurrence
    if not isinstance(ropt, RecurrenceOptions):
        raise TypeError(f"`recurrence` must be RecurrenceOptions, got {type(ropt).__name__}")
    if system.kind == "map":
        opt = IntegratorOptions(dt=1.0) if options is None else options
    else:
        opt = IntegratorOptions() if options is None else options
    if not isinstance(opt, IntegratorOptions):
        raise TypeError(f"`options` must be IntegratorOptions, got {type(opt).__name__}")
    X0 = system.check_states(X0, "initial_conditions")
    if X0.shape[0] > MAX_SAMPLES:
        raise ValueError(f"`initial_conditions` has {X0.shape[0]} rows (> {MAX_SAMPLES})")
    outside = ~np.all((X0 >= grid.lo) & (X0 < grid.hi), axis=1)
    if np.all(outside):
        raise ValueError("every row of `initial_conditions` lies outside `grid` (cells "
                         f"{grid.lo.tolist()} to {grid.hi.tolist()})")
    chunks = check_int(chunks, "chunks", lo=1)
    parts = np.array_split(np.arange(X0.shape[0]), min(chunks, X0.shape[0]))
    if method == "recurrence":
        fn = functools.partial(_run_chunk, system, grid, opt.vector(), ropt.vector(),
                               ropt.max_attractors, ropt.attractor_locate_steps, bool(reuse),
                               None)
    else:
        fn = functools.partial(_alt_chunk, system, grid, opt, mopt, method, ropt.horizon_limit)
    out = parallel_map(fn, [X0[p] for p in parts], executor=executor, progress=progress,
                       desc=desc)
    # merge attractors across chunks (and integration-noise duplicates)
    widths = grid.widths
    merged: list[np.ndarray] = []
    labels = np.zeros(X0.shape[0], dtype=np.int64)
    steps = np.zeros(X0.shape[0], dtype=np.int64)
    overflow = False
    for rows, (lab, st, atts, ov) in zip(parts, out, strict=True):
        overflow |= ov
        remap = np.zeros(len(atts) + 1, dtype=np.int64)
        for j, P in enumerate(atts):
            hit = 0
            for q, Q in enumerate(merged):
                if _same_attractor(P, Q, widths, ropt.merge_tol):
                    hit = q + 1
                    break
            if not hit:
                merged.append(P)
                hit = len(merged)
            remap[j + 1] = hit
        lab = lab.copy()
        pos = lab > 0
        lab[pos] = remap[lab[pos]]
        labels[rows] = lab
        steps[rows] = st
    # classify; unstable fixed points are not attractors
    atts = [_classify(system, P, grid, ropt, opt.dt) for P in merged]
    # one fixed point located twice (once with a transient in its located set) is one attractor
    for j, a in enumerate(atts):
        if a.kind != "fixed point":
            continue
        for i in range(j):
            b = atts[i]
            if b.kind == "fixed point" and labels is not None and \
                    np.max(np.abs(a.location - b.location) / widths) <= 1.0:
                labels[labels == j + 1] = i + 1
                atts[j] = dataclasses.replace(a, kind="duplicate")
                break
    unstable = []
    keep = []
    for j, a in enumerate(atts):
        if a.kind == "duplicate":
            continue
        if a.kind == "saddle visit":
            labels[labels == j + 1] = UNRESOLVED
            unstable.append(a.location)
            continue
        if a.kind == "fixed point" and not a.stable:
            labels[labels == j + 1] = UNSTABLE_SET
            unstable.append(a.location)
        else:
            keep.append(j)
    # order by basin share
    counts = np.array([(labels == j + 1).sum() for j in keep], dtype=np.int64)
    order = [keep[i] for i in np.argsort(-counts, kind="stable")]
    remap = np.zeros(len(atts) + 1, dtype=np.int64)
    for new, old in enumerate(order):
        remap[old + 1] = new + 1
    pos = labels > 0
    labels[pos] = remap[labels[pos]]
    attractors = tuple(atts[j] for j in order)
    m = labels.size
    fr: dict = {k + 1: float(np.mean(labels == k + 1)) for k in range(len(attractors))}
    for code, nm in SPECIAL_LABELS.items():
        fr[nm] = float(np.mean(labels == code))
    problems = []
    if overflow:
        problems.append(f"more than {ropt.max_attractors} attractors: raise "
                        "`recurrence.max_attractors` or coarsen/refine the grid")
    if fr["unresolved"] > ropt.max_unresolved:
        problems.append(f"{100 * fr['unresolved']:.2f}% of the initial conditions are "
                        "unresolved: raise `recurrence.max_steps` or "
                        "`recurrence.consecutive_recurrences`, or refine the grid")
    ok = not problems
    msg = (f"{len(attractors)} attractor(s): " + "; ".join(
        f"{a.label} {100 * fr[k + 1]:.1f}%" for k, a in enumerate(attractors)) +
        "".join(f"; {nm} {100 * fr[nm]:.2f}%" for nm in SPECIAL_LABELS.values() if fr[nm] > 0))
    if problems:
        msg += "; " + "; ".join(problems)
    return finish(AttractorSet, success=ok, status=Status.SUCCESS if ok else Status.MAX_ITER,
                  message=msg, n_iter=int(m), attractors=attractors, labels=labels,
                  fractions=fr, steps=steps, unstable_sets=tuple(unstable),
                  initial_conditions=X0)


def find_attractors(system, grid: Grid, initial_conditions=None, *, n: int = 1000,
                    seed=0, method: str = "recurrence",
                    options: IntegratorOptions | None = None,
                    recurrence: RecurrenceOptions | None = None,
                    mapper: MapperOptions | None = None, chunks: int = 1,
                    executor=None, progress: bool | None = None) -> AttractorSet:
    """Attractors of ``system`` found by the recurrence machine from many initial conditions.

    Parameters
    ----------
    system : ODE or Map
        The system.
    grid : Grid
        Cells of the machine; should cover the attractors (orbits that stay outside it for
        ``consecutive_lost_steps`` are counted as diverged).
    initial_conditions : array_like, shape (m, dim), optional
        Default: ``n`` points uniform in the box spanned by the grid's axes (from
        ``first`` to ``last`` axis point; ``seed``).
    n : int, default 1000
        Number of sampled initial conditions when none are given.
    seed : int or Generator, default 0
        Random state of the sampling.
    method : {"recurrence", "featurize", "proximity"}, default "recurrence"
        The mapper: the recurrence machine on ``grid`` (no attractor needs to be known),
        featurize-and-group, or proximity to ``mapper.known`` attractors (see
        :class:`MapperOptions`).
    options : IntegratorOptions, optional
        ``dt`` (sampling time of the machine) and the integrator tolerances.
    recurrence : RecurrenceOptions, optional
        Machine thresholds (``horizon_limit``, ``merge_tol``, ``max_unresolved`` and
        ``chaos_threshold`` apply to every method).
    mapper : MapperOptions, optional
        Settings of the featurize and proximity mappers.
    chunks : int, default 1
        Work items (each runs the machine on its share with its own grid; attractors are
        merged after). The result does not depend on ``executor``.
    executor : concurrent.futures.Executor, optional
        Runs the chunks.
    progress : bool or None, default None
        tqdm bar over chunks.

    Returns
    -------
    AttractorSet
        ``success=False`` (with a warning) when more than ``max_unresolved`` of the initial
        conditions are unresolved or the attractor cap was hit.
    """
    n = check_int(n, "n", lo=1, hi=MAX_SAMPLES)
    rng = as_generator(seed)
    if not isinstance(grid, Grid):
        raise TypeError(f"`grid` must be a Grid, got {type(grid).__name__}")
    if initial_conditions is None:
        initial_conditions = grid.first + rng.random((n, grid.dim)) * (grid.last - grid.first)
    return _mapper(system, initial_conditions, grid, options=options, recurrence=recurrence,
                   reuse=False, chunks=chunks, executor=executor, progress=progress,
                   desc="find attractors", method=method, mapper=mapper)


# ---------------------------------------------------------------------------------- basins
@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class BasinsResult(AttractorSet):
    """Basins of attraction on a grid (2-D or 3-D) of initial conditions.

    Attributes
    ----------
    axes : tuple of ndarray
        The axes of the initial-condition grid.
    coordinates : tuple of int
        State coordinates the axes vary.
    basins : ndarray of int64
        ``labels`` reshaped to the grid (``basins[j, i]`` at ``axes[0][i], axes[1][j]`` for
        2-D grids, image order).
    state_names : tuple of str
        Names of the coordinates.
    """

    axes: tuple
    coordinates: tuple
    basins: np.ndarray
    state_names: tuple

    def to_dataframe(self):
        """One row per grid point: its coordinates (named by ``state_names``), the ``basin`` label
        and the ``attractor`` it names.

        Returns
        -------
        pandas.DataFrame

        Raises
        ------
        ImportError
            pandas is not installed (``pip install 'equilibria[data]'``).
        """
        from ._dataout import basins_grid_frame

        return basins_grid_frame(self)

    def to_xarray(self):
        """The basins as an xarray Dataset whose dimensions are the grid's state names.

        Returns
        -------
        xarray.Dataset

        Raises
        ------
        ImportError
            xarray is not installed (``pip install 'equilibria[data]'``).
        """
        from ._dataout import basins_grid_dataset

        return basins_grid_dataset(self)

    def plot(self, ax=None, title: str | None = None):
        """Basin image with every attractor drawn and listed by kind and location.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw on (a new figure when omitted).
        title : str, optional
            Axes title.

        Returns
        -------
        matplotlib.figure.Figure
            The figure.
        """
        from .plotting import plot_basins_generic

        return plot_basins_generic(self, ax=ax, title=check_title(title))


def check_title(title, name: str = "title"):
    """A figure title: ``None`` or a str."""
    if title is not None and not isinstance(title, str):
        raise TypeError(f"`{name}` must be a str or None, got {type(title).__name__}")
    return title


def _check_coordinates(coordinates, dim, name="coordinates"):
    """A tuple of distinct state indices (ints, or integral numbers) below ``dim``."""
    if isinstance(coordinates, np.ndarray):
        if coordinates.dtype.kind not in "iu" or coordinates.ndim != 1:
            raise TypeError(f"`{name}` must be a sequence of state indices, got an array of "
                            f"dtype {coordinates.dtype} and shape {coordinates.shape}")
        coordinates = coordinates.tolist()
    if not isinstance(coordinates, (list, tuple)):
        raise TypeError(f"`{name}` must be a sequence of state indices, got "
                        f"{type(coordinates).__name__}")
    coords = tuple(check_int(c, name, lo=0, hi=dim - 1) for c in coordinates)
    if len(set(coords)) != len(coords):
        raise ValueError(f"`{name}` must be distinct state indices, got {coordinates!r}")
    return coords


def basins_of_attraction(system, grid: Grid, *, coordinates=(0, 1), base=None,
                         ic_axes=None, reuse: bool | None = None,
                         options: IntegratorOptions | None = None,
                         recurrence: RecurrenceOptions | None = None, chunks: int = 1,
                         executor=None, progress: bool | None = None) -> BasinsResult:
    """Basins of attraction of every grid point of a 2-D (or 3-D) slice of state space.

    The initial conditions are the points of ``ic_axes`` (default: the axes of ``grid`` along
    ``coordinates``) with the other coordinates at ``base``; the machine runs on ``grid``
    (cells of the full state space).  An initial condition in an already labelled cell takes
    its label at once (the basin-cell reuse of [1]).

    Parameters
    ----------
    system : ODE or Map
        The system.
    grid : Grid
        Cells of the machine over the full state space.
    coordinates : tuple of int, default (0, 1)
        State coordinates varied by the image (2 or 3 of them).
    base : array_like, shape (dim,), optional
        Values of the other coordinates (default: the grid's centre).
    ic_axes : sequence of array_like, optional
        Axes of the initial conditions (default: ``grid.axes`` along ``coordinates``).
    reuse : bool, optional
        Label an initial condition at once when its cell is already labelled.  Default: only
        when the machine's cells are no wider than the image's pixels along ``coordinates``
        (otherwise one coarse cell would paint several pixels that may lie in different
        basins).
    options, recurrence, chunks, executor, progress
        As in :func:`find_attractors`.

    Returns
    -------
    BasinsResult
        ``basins`` of shape ``(len(ic_axes[1]), len(ic_axes[0]))`` for 2-D slices.
    """
    system = as_system(system)
    if not isinstance(grid, Grid):
        raise TypeError(f"`grid` must be a Grid, got {type(grid).__name__}")
    if grid.dim != system.dim:
        raise ValueError(f"`grid` has {grid.dim} axes but the system has dimension {system.dim}")
    coords = _check_coordinates(coordinates, system.dim)
    if len(coords) not in (2, 3) or len(set(coords)) != len(coords) or \
            any(c < 0 or c >= system.dim for c in coords):
        raise ValueError(f"`coordinates` must be 2 or 3 distinct state indices below "
                         f"{system.dim}, got {coordinates!r}")
    if ic_axes is None:
        ic_axes = [grid.axes[c] for c in coords]
    ic_axes = tuple(as_float_array(a, f"ic_axes[{i}]", ndim=1, min_size=1)
                    for i, a in enumerate(ic_axes))
    if len(ic_axes) != len(coords):
        raise ValueError("`ic_axes` must have one axis per coordinate")
    centre = np.array([a[a.size // 2] for a in grid.axes]) if grid.dim == system.dim else None
    base = centre if base is None else system.check_state(base, "base")
    mesh = np.meshgrid(*ic_axes[::-1], indexing="ij")[::-1]  # image order: last axis fastest
    X0 = np.repeat(base[None, :], mesh[0].size, axis=0)
    for c, m in zip(coords, mesh, strict=True):
        X0[:, c] = m.ravel()
    for i, c in enumerate(coords):
        a = ic_axes[i]
        if a[0] < grid.lo[c] or a[-1] >= grid.hi[c]:
            raise ValueError(f"`ic_axes[{i}]` ({a[0]:g} to {a[-1]:g}) leaves the grid along "
                             f"coordinate {system.state_names[c]!r} ({grid.lo[c]:g} to "
                             f"{grid.hi[c]:g})")
    if reuse is None:
        reuse = all(a.size < 2 or grid.widths[c] <= (a[1] - a[0]) * (1 + 1e-9)
                    for c, a in zip(coords, ic_axes, strict=True))
    elif not isinstance(reuse, (bool, np.bool_)):
        raise TypeError(f"`reuse` must be a bool or None, got {type(reuse).__name__}")
    res = _mapper(system, X0, grid, options=options, recurrence=recurrence, reuse=bool(reuse),
                  chunks=chunks, executor=executor, progress=progress, desc="basins")
    shape = tuple(a.size for a in ic_axes[::-1])
    return finish(BasinsResult, success=res.success, status=res.status, message=res.message,
                  n_iter=res.n_iter, warn=False, attractors=res.attractors, labels=res.labels,
                  fractions=res.fractions, steps=res.steps, unstable_sets=res.unstable_sets,
                  initial_conditions=X0, axes=ic_axes, coordinates=coords,
                  basins=res.labels.reshape(shape),
                  state_names=tuple(system.state_names[c] for c in coords))


@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class FractionsResult(AttractorSet):
    """Basin fractions of sampled initial conditions, with binomial confidence intervals.

    Attributes
    ----------
    ci : dict
        Attractor index (and special label name) -> Wilson score interval ``(lo, hi)`` at
        ``confidence``.
    confidence : float
        Level of the intervals.
    """

    ci: dict
    confidence: float


def wilson_interval(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    r"""Wilson score interval of a binomial proportion ``k / n`` [3].

    .. math:: \frac{\hat p + z^2/2n \pm z\sqrt{\hat p(1-\hat p)/n + z^2/4n^2}}{1 + z^2/n}

    Parameters
    ----------
    k, n : int
        Successes and trials (``n >= 1``).
    confidence : float, default 0.95
        Two-sided level.

    Returns
    -------
    (float, float)
        The interval.
    """
    from scipy.stats import norm

    z = float(norm.ppf(0.5 + confidence / 2))
    p = k / n
    den = 1 + z * z / n
    c = (p + z * z / (2 * n)) / den
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    lo = 0.0 if k == 0 else max(0.0, c - h)
    hi = 1.0 if k == n else min(1.0, c + h)
    return lo, hi


def basins_fractions(system, grid: Grid, sampler=None, n: int = 1000, *, seed=0,
                     confidence: float = 0.95, method: str = "recurrence",
                     options: IntegratorOptions | None = None,
                     recurrence: RecurrenceOptions | None = None,
                     mapper: MapperOptions | None = None, chunks: int = 1,
                     executor=None, progress: bool | None = None) -> FractionsResult:
    """Basin fractions of ``n`` sampled initial conditions, in any dimension.

    Parameters
    ----------
    system : ODE or Map
        The system.
    grid : Grid
        Cells of the machine.
    sampler : callable or ConvexSet, optional
        ``sampler(rng, n) -> (n, dim)``, or a set with ``sample(seed, n, d)`` (e.g.
        ``Box``, ``Simplex``); default uniform in the box spanned by the grid's axes.
    n : int, default 1000
        Samples.
    seed : int or Generator, default 0
        Random state.
    confidence : float, default 0.95
        Level of the Wilson intervals.
    method, options, recurrence, mapper, chunks, executor, progress
        As in :func:`find_attractors`.

    Returns
    -------
    FractionsResult
        ``fractions`` and their ``ci``.
    """
    system = as_system(system)
    n = check_int(n, "n", lo=1, hi=MAX_SAMPLES)
    confidence = check_scalar(confidence, "confidence", lo=0, hi=1, lo_inclusive=False,
                              hi_inclusive=False)
    rng = as_generator(seed)
    if sampler is None:
        X0 = grid.first + rng.random((n, grid.dim)) * (grid.last - grid.first)
    elif hasattr(sampler, "sample") and not callable(sampler):
        X0 = np.asarray(sampler.sample(rng, n, system.dim))
    elif hasattr(sampler, "sample"):
        X0 = np.asarray(sampler.sample(rng, n, system.dim))
    elif callable(sampler):
        X0 = np.asarray(sampler(rng, n), dtype=float)
    else:
        raise TypeError(f"`sampler` must be callable or a set with .sample, got "
                        f"{type(sampler).__name__}")
    res = _mapper(system, X0, grid, options=options, recurrence=recurrence, reuse=False,
                  chunks=chunks, executor=executor, progress=progress, desc="fractions",
                  method=method, mapper=mapper)
    m = res.labels.size
    ci: dict = {}
    for k in range(1, len(res.attractors) + 1):
        ci[k] = wilson_interval(int((res.labels == k).sum()), m, confidence)
    for code, nm in SPECIAL_LABELS.items():
        ci[nm] = wilson_interval(int((res.labels == code).sum()), m, confidence)
    return finish(FractionsResult, success=res.success, status=res.status, message=res.message,
                  n_iter=res.n_iter, warn=False, attractors=res.attractors, labels=res.labels,
                  fractions=res.fractions, steps=res.steps, unstable_sets=res.unstable_sets,
                  initial_conditions=res.initial_conditions, ci=ci, confidence=confidence)


# ---------------------------------------------------------------------------------- Lyapunov
@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class LyapunovResult(Result):
    """Lyapunov exponents by the QR method.

    Attributes
    ----------
    exponents : ndarray, shape (k,)
        Largest first (per unit time for flows, per iteration for maps).
    history : ndarray, shape (n_steps, k)
        Running estimates after each renormalisation.
    x_final : ndarray
        State at the end.
    """

    exponents: np.ndarray
    history: np.ndarray
    x_final: np.ndarray


def lyapunov_spectrum(system, x0, *, n_exponents: int | None = None, n_steps: int = 10_000,
                      transient: int = 100, options: IntegratorOptions | None = None,
                      seed=0, progress: bool | None = None, warn: bool = True) -> LyapunovResult:
    r"""The ``k`` largest Lyapunov exponents by the QR (Benettin) method [2].

    A flow is integrated together with its tangent dynamics :math:`\dot Q = J(x) Q` over
    ``dt`` (``options.dt``) between re-orthonormalisations :math:`Q R = Q`; for a map
    :math:`Q \leftarrow J(x_k) Q`.  After ``transient`` renormalisations the estimate is

    .. math:: \lambda_i = \frac{1}{N\,\Delta t}\sum_{j=1}^{N}\log |R^{(j)}_{ii}|.

    Stopping rule: a fixed number ``n_steps`` of renormalisations (the ``history`` shows the
    convergence). The Jacobian is the system's (user, symbolic or forward differences).

    Parameters
    ----------
    system : ODE or Map
        The system.
    x0 : array_like, shape (dim,)
        Initial state (ideally on the attractor).
    n_exponents : int, optional
        ``k`` (default: the dimension).
    n_steps : int, default 10_000
        Renormalisations averaged.
    transient : int, default 100
        Renormalisations discarded first.
    options : IntegratorOptions, optional
        ``dt`` and tolerances (flows).
    seed : int or Generator, default 0
        Random state of the initial orthonormal tangent vectors (generic vectors, so that
        invariant coordinate subspaces do not fix the order of the exponents).
    progress : bool or None, default None
        tqdm bar.
    warn : bool, default True
        Emit a ConvergenceWarning on failure.

    Returns
    -------
    LyapunovResult
        ``success=False`` when the orbit diverged or the integration failed.
    """
    from tqdm.auto import tqdm

    from equilibria._lib.options import show_progress

    system = as_system(system)
    x = system.check_state(x0, "x0").copy()
    n = system.dim
    k = n if n_exponents is None else check_int(n_exponents, "n_exponents", lo=1, hi=n)
    n_steps = check_int(n_steps, "n_steps", lo=1, hi=MAX_LYAPUNOV_STEPS)
    transient = check_int(transient, "transient", lo=0, hi=MAX_LYAPUNOV_STEPS - n_steps)
    opt = (IntegratorOptions(dt=1.0) if system.kind == "map" else IntegratorOptions()) \
        if options is None else options
    dt = opt.dt
    Q = np.linalg.qr(as_generator(seed).standard_normal((n, n)))[0][:, :k].copy()
    sums = np.zeros(k)
    hist = np.zeros((n_steps, k))
    total = transient + n_steps
    ok = True
    if system.kind == "flow":
        advance = system._c.tangent(k)[0]
        z = np.concatenate([x, Q.ravel()])
        ws = np.empty((9, n + n * k))
        hb = np.array([1e-2, 0.0, 0.0])
        ov = opt.vector()
    else:
        J = np.empty((n, n))
    for j in tqdm(range(total), disable=not show_progress(progress), leave=False, desc="lyapunov"):
        if system.kind == "flow":
            z[n:] = Q.ravel()
            st = advance(z, hb, system._p, ov, ws)
            if st != 0 or not np.all(np.isfinite(z)):
                ok = False
                break
            x = z[:n]
            M = z[n:].reshape(n, k)
        else:
            system._c.jacobian(x, system._p, J)
            M = J @ Q
            x = system.rhs(x)
            if not np.all(np.isfinite(x)):
                ok = False
                break
        Q, R = np.linalg.qr(M)
        d = np.diag(R)
        sgn = np.where(d < 0, -1.0, 1.0)
        Q = Q * sgn
        if j >= transient:
            sums += np.log(np.abs(d))
            i = j - transient
            hist[i] = sums / ((i + 1) * dt)
    if not ok:
        return finish(LyapunovResult, success=False, status=Status.DIVERGED,
                      message="the orbit diverged or the integration failed; start on the "
                              "attractor or lower `options.dt`", n_iter=j, warn=warn,
                      exponents=np.full(k, np.nan), history=hist[:max(0, j - transient)],
                      x_final=np.asarray(x).copy())
    ex = sums / (n_steps * dt)
    return finish(LyapunovResult, success=True, status=Status.SUCCESS,
                  message=f"{k} exponent(s) from {n_steps} renormalisations (dt={dt:g})",
                  n_iter=total, warn=warn, exponents=ex, history=hist,
                  x_final=np.asarray(x).copy())
