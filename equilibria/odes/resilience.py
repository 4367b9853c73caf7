r"""Resilience of an attractor of any system: basin stability, finite-time basin stability,
the minimal fatal shock and the recovery time after a shock.

Every measure asks one question many times: *does the orbit of this state end on the
attractor* :math:`A`?  Two answers are available (``method=``):

- ``"recurrence"`` (default): the recurrence finite-state machine of Datseris & Wagemakers
  [5] (:mod:`equilibria.odes.mapper`) on a :class:`~equilibria.odes.Grid`, with the cells of
  :math:`A` marked before any orbit runs (attractor 1 of the machine).  An orbit is in the basin
  when it spends ``consecutive_attractor_steps`` steps in a row in those cells.  Every state
  is decided on its own (the basin cells an orbit leaves behind are cleared before the next
  one, only the cells of other attractors are kept), so the labels do not depend on the order
  of the states or on how they are split across workers, and basin-cell reuse cannot mislabel
  states near the basin boundary.  An attractor the machine declares at an unstable fixed point
  (an orbit that lingers at a saddle) is not an attractor: the orbit is continued from there
  (up to ``MAX_RESTARTS`` times), and an orbit whose located states end in the cells of
  :math:`A` is counted in its basin;
- ``"proximity"``: integrate to ``t_end`` and test
  :math:`d_\infty(x(t_{end}), A) \le \mathtt{tol}\,(1 + \|x^*\|_\infty)`.

Distances to :math:`A` are sup-norm distances to its located points (a fixed point: the point;
a periodic orbit of a flow: one period resampled until consecutive samples are closer than
``CYCLE_SPACING`` times the tolerance).  :math:`\|x^*\|_\infty` is the largest coordinate of
the fixed point, or of the attractor's located states.

Measures.

- **Basin stability** [1, 2]: :math:`S_B = \int \chi_{B(A)}(x)\,\rho(x)\,dx`, the probability
  that a state drawn from the perturbation distribution :math:`\rho` (uniform on ``region``)
  lies in the basin :math:`B(A)`; Monte Carlo estimate :math:`\hat S_B = k/N` with the
  binomial standard error :math:`\sqrt{\hat S_B(1 - \hat S_B)/N}` of [1] and the Wilson score
  interval.
- **Finite-time basin stability** [3, 4]: :math:`S_T = P(\tau \le T)` with the first return
  time :math:`\tau = \inf\{t \ge 0 : d_\infty(x(t), A) \le \mathtt{tol}(1 + \|x^*\|_\infty)\}`
  of a perturbed state; non-decreasing in :math:`T`, and :math:`S_T \to S_B` as
  :math:`T \to \infty` for a tolerance inside the basin.
- **Minimal fatal shock** [6, 7]: :math:`\min\{\|\delta\| : x^* + \delta \notin B(A)\}`
  (Euclidean norm by default), searched over directions: the :math:`\pm` coordinate axes and
  ``n_directions`` random directions uniform on the unit sphere [8]; along each direction a
  scan of ``n_scan`` radii brackets the first exit from the basin and bisection shrinks the
  bracket below ``bisect_tol``; a local search on the sphere around the best direction
  (random directions at angle :math:`\sigma` from it, :math:`\sigma` halved after a round
  without improvement, stopping when :math:`\sigma\,r < \mathtt{bisect\_tol}`) refines it.
  The returned shock is a verified exit (its state is outside the basin) within ``bisect_tol``
  of a verified inside state on its ray, so it bounds the minimal fatal shock from above;
  bisection assumes the basin is star-shaped along each ray (the first exit is found).
- **Recovery time**: :math:`T_{rec} = \inf\{t : d_\infty(x(s), A) \le \mathtt{tol}\,
  (1 + \|x^*\|_\infty)\ \forall s \in [t, t_{max}]\}` (the last exit from the tolerance),
  located on an output grid and refined by Brent's method on the exit interval.

References
----------
1. P. J. Menck, J. Heitzig, N. Marwan, J. Kurths, "How basin stability complements the
   linear-stability paradigm", Nature Physics 9 (2013) 89-92 (Methods: "basin stability ...
   estimated by ... Monte Carlo ... standard error :math:`e = \sqrt{S_B(1-S_B)/N}`").
2. P. Schultz, P. J. Menck, J. Heitzig, J. Kurths, "Potentials and limits to basin stability
   estimation", New J. Phys. 19 (2017) 023005.
3. P. Schultz, F. Hellmann, K. N. Webster, J. Kurths, "Bounding the first exit from the
   basin: independence times and finite-time basin stability", Chaos 28 (2018) 043102.
4. M. Lindner, F. Hellmann, "Stochastic basins of attraction and generalized committor
   functions", Phys. Rev. E 100 (2019) 022124.
5. G. Datseris, A. Wagemakers, "Effortless estimation of basins of attraction", Chaos 32
   (2022) 023104.
6. L. Halekotte, U. Feudel, "Minimal fatal shocks in multistable complex networks", Sci. Rep.
   10 (2020) 11783.
7. Attractors.jl, ``minimal_fatal_shock`` with ``MFSBruteForce`` (random perturbations, then
   random points on spheres of decreasing radius: "the smallest (smallest norm) perturbation
   of the initial point u0 that will lead it a different basin of attraction").
8. M. E. Muller, "A note on a method for generating points uniformly on n-dimensional
   spheres", Comm. ACM 2 (1959) 19-20.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
import warnings

import numpy as np

from equilibria._lib.result import ConvergenceWarning, Result, Status, finish
from equilibria._lib.rng import as_generator
from equilibria._lib.sweep import parallel_map
from equilibria._lib.validation import as_float_array, check_int, check_option, check_scalar

from .dynamical import DEFAULT_BOUND, MAX_OUTPUT, MAX_T_END, IntegratorOptions, as_system
from .mapper import (DIVERGED, FIXED_POINT_CELLS, MAX_SAMPLES, UNRESOLVED, UNSTABLE_SET,
                     Attractor, Grid, RecurrenceOptions, _newton_fixed_point, find_attractors,
                     wilson_interval)

#: smallest bisection tolerance of minimal_fatal_shock relative to ``max_radius`` (below it
#: a bracket cannot shrink in floating point)
BISECT_RTOL_FLOOR = 1e-12
#: most refinement rounds of minimal_fatal_shock
MAX_REFINE = 10_000

__all__ = ["BasinStability", "FiniteTimeBasinStability", "FatalShock", "Recovery",
           "basin_stability", "finite_time_basin_stability", "minimal_fatal_shock",
           "recovery_time", "IN_BASIN", "OTHER_ATTRACTOR", "OUTCOME_NAMES"]

#: outcome of a state: in the basin of the attractor, or at another attractor (the other
#: outcomes are the machine's DIVERGED, UNRESOLVED and UNSTABLE_SET)
IN_BASIN, OTHER_ATTRACTOR = 1, 2
OUTCOME_NAMES = {IN_BASIN: "attractor", OTHER_ATTRACTOR: "other attractor",
                 DIVERGED: "diverged", UNRESOLVED: "unresolved", UNSTABLE_SET: "unstable set"}
#: a state within this relative sup-distance of the fixed point Newton's method reaches from it
#: stands for that fixed point
FIXED_POINT_RTOL = 1e-2
#: a point closer than this share of a cell width to a cell edge marks the cells on both sides
EDGE_EPS = 1e-6
#: continuations of an orbit the machine stopped at an unstable fixed point
MAX_RESTARTS = 3
#: states per work item (fixed, so the split does not depend on the executor)
CHUNK = 64
#: samples of one period of a periodic orbit used for distances to it: at first, and at most;
#: the samples are refined until consecutive ones are closer than this share of the tolerance;
#: the share of a period added to close the loop
DENSE_CYCLE_POINTS, MAX_CYCLE_POINTS, CYCLE_SPACING, CYCLE_OVERLAP = 2000, 400_000, 0.1, 0.02
#: default horizon of the proximity test (time units of a flow, iterations of a map)
PROXIMITY_T_END = 1000.0
#: a larger share of unresolved states gives success=False (proximity method)
MAX_UNRESOLVED = 0.01
#: integrator tolerances of recovery times and finite-time basin stability
FINE_RTOL, FINE_ATOL = 1e-10, 1e-12
#: minimal fatal shock: initial angle (radians) of the local search, its growth after an
#: improvement and its cap
REFINE_SIGMA0, REFINE_GROW, REFINE_SIGMA_MAX = 0.3, 1.5, 1.0


# ---------------------------------------------------------------------------------- results
@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class BasinStability(Result):
    r"""Basin stability of an attractor: the share of perturbed states in its basin.

    Attributes
    ----------
    fraction : float
        :math:`\hat S_B = k/N`.
    std_error : float
        Binomial standard error :math:`\sqrt{\hat S_B (1 - \hat S_B)/N}` (Menck et al. 2013).
    ci : tuple of float
        Wilson score interval at ``confidence``.
    confidence : float
        Level of ``ci``.
    n : int
        Number of perturbed states :math:`N`.
    n_in : int
        States in the basin :math:`k`.
    outcomes : ndarray of int64, shape (n,)
        Per state: ``IN_BASIN`` (1), ``OTHER_ATTRACTOR`` (2), ``DIVERGED`` (-1),
        ``UNRESOLVED`` (0) or ``UNSTABLE_SET`` (-2).
    outcome_fractions : dict
        Share of the states per outcome name (``OUTCOME_NAMES``).
    samples : ndarray, shape (n, dim)
        The perturbed states.
    attractor : Attractor
        The attractor whose basin was measured.
    method : str
        ``"recurrence"`` or ``"proximity"``.
    """

    fraction: float
    std_error: float
    ci: tuple
    confidence: float
    n: int
    n_in: int
    outcomes: np.ndarray
    outcome_fractions: dict
    samples: np.ndarray
    attractor: Attractor
    method: str


@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class FiniteTimeBasinStability(Result):
    r"""Finite-time basin stability :math:`S_T = P(\tau \le T)` for ``T`` up to ``t_max``.

    Attributes
    ----------
    fraction : float
        :math:`\hat S_{t_{max}}`.
    std_error : float
        Binomial standard error of ``fraction``.
    ci : tuple of float
        Wilson score interval of ``fraction``.
    confidence : float
        Level of ``ci``.
    times : ndarray
        Output times :math:`T_j` (resolution of the first return times).
    curve : ndarray
        :math:`\hat S_{T_j}` (non-decreasing).
    hitting_times : ndarray, shape (n,)
        First return time :math:`\tau` of every state on the ``times`` grid (``inf`` when
        it did not return by ``t_max``).
    tolerance : float
        The return distance :math:`\mathtt{tol}(1 + \|x^*\|_\infty)`.
    samples : ndarray, shape (n, dim)
        The perturbed states.
    attractor : Attractor
        The attractor.
    """

    fraction: float
    std_error: float
    ci: tuple
    confidence: float
    times: np.ndarray
    curve: np.ndarray
    hitting_times: np.ndarray
    tolerance: float
    samples: np.ndarray
    attractor: Attractor

    def at(self, T) -> float:
        """:math:`\\hat S_T` for any ``T`` in ``[0, t_max]`` (the share of states with
        :math:`\\tau \\le T`).

        Parameters
        ----------
        T : float
            Horizon.

        Returns
        -------
        float
            The fraction.
        """
        T = check_scalar(T, "T", lo=0, hi=float(self.times[-1]))
        return float(np.mean(self.hitting_times <= T))


@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class FatalShock(Result):
    r"""The minimal fatal shock of an attractor's state.

    Attributes
    ----------
    norm : float
        :math:`\|\delta\|` of the smallest fatal shock found (``inf`` when no searched
        direction leaves the basin within ``max_radius``).
    shock : ndarray, shape (dim,)
        :math:`\delta` (NaN when none was found).
    direction : ndarray, shape (dim,)
        ``shock / norm``.
    bracket : tuple of float
        ``(inside, outside)`` radii along ``direction``: ``x_star + inside * direction`` is in
        the basin, ``x_star + outside * direction`` (``outside == norm``) is not.
    x_star : ndarray, shape (dim,)
        The state shocked.
    x_shocked : ndarray, shape (dim,)
        ``x_star + shock``.
    reached : Attractor or None
        The attractor the shocked state goes to (classified by :func:`find_attractors`;
        ``None`` when it diverges or reaches no attractor).
    reached_outcome : str
        ``reached.label``, or ``"diverged"``, ``"unresolved"``, ``"unstable set"``.
    radii : ndarray
        First exit radius (upper bracket end) along every searched direction of the global
        stage (``inf`` where the ray stays in the basin).
    directions : ndarray
        The searched directions of the global stage, one per row.
    ord : float
        The norm: 1, 2 or ``inf``.
    n_evaluations : int
        States labelled.
    """

    norm: float
    shock: np.ndarray
    direction: np.ndarray
    bracket: tuple
    x_star: np.ndarray
    x_shocked: np.ndarray
    reached: Attractor | None
    reached_outcome: str
    radii: np.ndarray
    directions: np.ndarray
    ord: float
    n_evaluations: int


@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class Recovery(Result):
    r"""Recovery of a shocked state.

    Attributes
    ----------
    recovery_time : float
        :math:`T_{rec}` (the last exit from the tolerance, refined by Brent's method; an
        iteration count for maps; ``inf`` when the state is not within the tolerance at
        ``t_max``).
    recovered : bool
        Whether the state is within the tolerance at ``t_max``.
    t : ndarray
        Output times.
    distance : ndarray
        :math:`d_\infty(x(t), A)` at ``t``.
    threshold : float
        :math:`\mathtt{tol}(1 + \|x^*\|_\infty)`.
    x_star : ndarray
        The attractor's state (its location).
    x_shocked : ndarray
        The initial (shocked) state.
    x_final : ndarray
        State at ``t_max``.
    """

    recovery_time: float
    recovered: bool
    t: np.ndarray
    distance: np.ndarray
    threshold: float
    x_star: np.ndarray
    x_shocked: np.ndarray
    x_final: np.ndarray


# ---------------------------------------------------------------------------------- targets
def _fixed_point_attractor(system, x, name):
    """The stable fixed point ``x`` stands for, as an Attractor; None when Newton's method does
    not reach a fixed point near ``x``; ValueError when it reaches an unstable one."""
    y, ok = _newton_fixed_point(system, x)
    scale = 1.0 + float(np.max(np.abs(x)))
    if not ok or float(np.max(np.abs(y - x))) > FIXED_POINT_RTOL * scale:
        return None
    ev = np.linalg.eigvals(system.jacobian(y))
    stable = bool(np.max(np.abs(ev)) < 1.0) if system.kind == "map" else \
        bool(np.max(ev.real) < 0.0)
    if not stable:
        raise ValueError(f"`{name}` = {x.tolist()} is an unstable fixed point (Jacobian "
                         f"eigenvalues {np.round(ev, 4).tolist()}): it has no basin of positive "
                         "volume")
    return Attractor(kind="fixed point", points=y[None, :].copy(), location=y, eigenvalues=ev,
                     stable=True, state_names=system.state_names)


def _resolve_target(system, attractor, grid, options, recurrence, name="attractor",
                    grid_hint=True):
    """``(Attractor, x_star)``: the attractor measured and the state shocked on it."""
    if isinstance(attractor, Attractor):
        a = attractor
        if a.location.shape != (system.dim,):
            raise ValueError(f"`{name}` has dimension {a.location.size} but the system has "
                             f"{system.dim}")
        if a.kind == "fixed point" and a.stable is False:
            raise ValueError(f"`{name}` is an unstable fixed point: it has no basin of "
                             "positive volume")
        x_star = a.location.copy() if a.kind == "fixed point" else a.points[-1].copy()
        return a, x_star
    x = system.check_state(attractor, name)
    if grid is not None and isinstance(grid, Grid) and grid.dim == system.dim and \
            not np.all((x >= grid.lo) & (x < grid.hi)):
        raise ValueError(f"`{name}` = {x.tolist()} lies outside `grid` (cells "
                         f"{grid.lo.tolist()} to {grid.hi.tolist()})")
    a = _fixed_point_attractor(system, x, name)
    if a is not None:
        return a, a.location.copy()
    if grid is None:
        how = "pass `grid=` to find the attractor it reaches, or " if grid_hint else "pass "
        raise ValueError(f"`{name}` = {x.tolist()} is not (near) a fixed point; {how}an "
                         "Attractor from find_attractors")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        res = find_attractors(system, grid, x[None, :], options=options,
                              recurrence=recurrence, progress=False)
    lab = int(res.labels[0])
    if lab < 1:
        raise ValueError(f"the orbit of `{name}` = {x.tolist()} reaches no attractor "
                         f"({OUTCOME_NAMES[lab]}); pass a state on an attractor")
    return res.attractors[lab - 1], x


class _Proximity:
    """Sup-norm distance to the located points of an attractor; a periodic flow orbit is
    resampled over one period (plus ``CYCLE_OVERLAP``) so that consecutive samples are closer
    than ``CYCLE_SPACING`` of the tolerance (at most ``MAX_CYCLE_POINTS`` samples)."""

    def __init__(self, system, target: Attractor, tol: float):
        from scipy.spatial import cKDTree

        if target.kind == "fixed point":
            pts = target.location[None, :]
            self.scale = 1.0 + float(np.max(np.abs(target.location)))
        else:
            self.scale = 1.0 + float(np.max(np.abs(target.points)))
            pts = target.points
            if system.kind == "flow" and target.kind == "periodic orbit" and \
                    target.period is not None and math.isfinite(target.period):
                pts = np.vstack([self._cycle(system, target, DENSE_CYCLE_POINTS, tol), pts])
                gap = float(np.max(np.abs(np.diff(pts[:DENSE_CYCLE_POINTS], axis=0))))
                want = CYCLE_SPACING * tol * self.scale
                if gap > want:
                    m = min(MAX_CYCLE_POINTS, int(math.ceil(DENSE_CYCLE_POINTS * gap / want)))
                    pts = np.vstack([self._cycle(system, target, m, tol), target.points])
        self.points = np.ascontiguousarray(pts)
        self.tree = cKDTree(self.points)

    @staticmethod
    def _cycle(system, target, m, tol):
        T = target.period * (1.0 + CYCLE_OVERLAP)
        tr = system.trajectory(target.points[-1], T, t_eval=np.linspace(0.0, T, m),
                               options=IntegratorOptions(rtol=FINE_RTOL, atol=FINE_ATOL))
        return tr.y[np.all(np.isfinite(tr.y), axis=1)]

    def __call__(self, X) -> np.ndarray:
        X = np.atleast_2d(X)
        out = np.full(X.shape[0], np.inf)
        ok = np.all(np.isfinite(X), axis=1)
        if np.any(ok):
            out[ok] = self.tree.query(X[ok], p=np.inf)[0]
        return out


# ---------------------------------------------------------------------------------- labellers
def _cells_of(points, grid):
    """Flat indices of the cells holding ``points`` (both cells where a point sits on an edge);
    points outside the grid are skipped."""
    lo, width, bins, strides = grid.kernel_args()
    v = (points - lo) / width
    out = set()
    for row in v:
        near = [i for i in range(row.size)
                if (row[i] - math.floor(row[i]) < EDGE_EPS
                    or math.ceil(row[i]) - row[i] < EDGE_EPS)]
        for shift in itertools.product((-EDGE_EPS, EDGE_EPS), repeat=len(near)):
            r = row.copy()
            for i, s in zip(near, shift, strict=True):
                r[i] += s
            idx = np.floor(r).astype(np.int64)
            if np.all(idx >= 0) and np.all(idx < bins):
                out.add(int(idx @ strides))
    return np.array(sorted(out), dtype=np.int64)


class _RecurrenceLabeller:
    """Decides, state by state, whether the machine takes an orbit to the marked attractor."""

    method = "recurrence"

    def __init__(self, system, grid, target, options, recurrence):
        if not isinstance(grid, Grid):
            raise TypeError(f"`grid` must be a Grid, got {type(grid).__name__}")
        if grid.dim != system.dim:
            raise ValueError(f"`grid` has {grid.dim} axes but the system has dimension "
                             f"{system.dim}")
        self.system, self.grid = system, grid
        self.ropt = RecurrenceOptions() if recurrence is None else recurrence
        if not isinstance(self.ropt, RecurrenceOptions):
            raise TypeError(f"`recurrence` must be RecurrenceOptions, got "
                            f"{type(self.ropt).__name__}")
        opt = options if options is not None else IntegratorOptions()
        if not isinstance(opt, IntegratorOptions):
            raise TypeError(f"`options` must be IntegratorOptions, got {type(opt).__name__}")
        if system.kind == "map" and options is None:
            opt = IntegratorOptions(dt=1.0)
        self.opts = opt.vector()
        self.thr = self.ropt.vector()
        pts = target.location[None, :] if target.kind == "fixed point" else target.points
        cells = _cells_of(pts, grid)
        if cells.size == 0:
            raise ValueError(f"the attractor ({target.label}) lies outside `grid` (cells "
                             f"{grid.lo.tolist()} to {grid.hi.tolist()}); enlarge the grid")
        self.seed = np.zeros(int(np.prod(grid.shape)), dtype=np.int32)
        self.seed[cells] = 2  # attractor 1 of the machine
        self.target_cells = np.zeros(self.seed.size, dtype=bool)
        self.target_cells[cells] = True
        self.proximity = None

    def in_target_cells(self, y) -> bool:
        lo, width, bins, strides = self.grid.kernel_args()
        v = np.floor((y - lo) / width)
        if not np.all(np.isfinite(v)) or np.any(v < 0) or np.any(v >= bins):
            return False
        return bool(self.target_cells[int(v.astype(np.int64) @ strides)])

    def lingers_at_saddle(self, P) -> bool:
        """Whether located states ``P`` sit at an unstable fixed point (not an attractor)."""
        w = self.grid.widths
        mean = P.mean(axis=0)
        if float(np.max(np.abs(P - mean) / w)) > FIXED_POINT_CELLS:
            return False
        x, ok = _newton_fixed_point(self.system, P[-1])
        if not ok or float(np.max(np.abs(x - mean) / w)) > FIXED_POINT_CELLS + 1:
            return False
        ev = np.linalg.eigvals(self.system.jacobian(x))
        return bool(np.max(np.abs(ev)) > 1.0) if self.system.kind == "map" else \
            bool(np.max(ev.real) > 0.0)


def _label_recurrence(lab: _RecurrenceLabeller, X):
    system = lab.system
    _, recurrence = system._c.recurrence
    lo, width, bins, strides = lab.grid.kernel_args()
    cells = lab.seed.copy()
    n_loc = lab.ropt.attractor_locate_steps
    max_att = lab.ropt.max_attractors + 1
    att_pts = np.zeros((max_att, n_loc, system.dim))
    att_len = np.zeros(max_att, dtype=np.int64)
    n_att = np.array([1, 0], dtype=np.int64)
    m = X.shape[0]
    out = np.zeros(m, dtype=np.int64)
    steps = np.zeros(m, dtype=np.int64)
    lab1 = np.zeros(1, dtype=np.int64)
    st1 = np.zeros(1, dtype=np.int64)
    for r in range(m):
        y = X[r].copy()
        outcome = UNRESOLVED
        total = 0
        for attempt in range(MAX_RESTARTS + 1):
            k_before = int(n_att[0])
            recurrence(y[None, :], system._p, lab.opts, lo, width, bins, strides, cells,
                       lab.thr, False, lab1, st1, att_pts, att_len, n_att)
            total += int(st1[0])
            cells[(cells & 1) == 1] = 0  # this orbit's basin cells: every state on its own
            k = int(lab1[0])
            if k == 1:
                outcome = IN_BASIN
                break
            if k > k_before:  # a new attractor: genuine, a saddle visit, or the target reached
                P = att_pts[k - 1, :att_len[k - 1]]
                spurious_in = lab.in_target_cells(P[-1])
                saddle = not spurious_in and lab.lingers_at_saddle(P)
                if spurious_in or saddle:
                    cells[cells == 2 * k] = 0
                    n_att[0] = k - 1
                    if spurious_in:
                        outcome = IN_BASIN
                        break
                    y = P[-1].copy()
                    outcome = UNSTABLE_SET
                    continue
                outcome = OTHER_ATTRACTOR
                break
            if k > 1:
                outcome = OTHER_ATTRACTOR
            elif n_att[1]:
                outcome = UNRESOLVED
            else:
                outcome = DIVERGED if k == -1 else UNRESOLVED
            break
        out[r] = outcome
        steps[r] = total
    return out, steps


class _ProximityLabeller:
    """In the basin when the state at ``t_end`` is within the tolerance of the attractor."""

    method = "proximity"

    def __init__(self, system, target, options, t_end, tol):
        self.system = system
        self.proximity = _Proximity(system, target, tol)
        self.threshold = tol * self.proximity.scale
        if system.kind == "map":
            self.t_end = float(check_int(int(round(t_end)), "t_end", lo=1))
            self.options = None
        else:
            self.t_end = t_end
            self.options = options


def _label_proximity(lab: _ProximityLabeller, X):
    sys_ = lab.system
    if sys_.kind == "map":
        Y, status = sys_.end_states(X, int(lab.t_end))
    else:
        Y, status = sys_.end_states(X, lab.t_end, options=lab.options)
    d = lab.proximity(Y)
    out = np.where(d <= lab.threshold, IN_BASIN, OTHER_ATTRACTOR).astype(np.int64)
    out[np.isin(status, (1, 4))] = DIVERGED
    out[np.isin(status, (2, 3))] = UNRESOLVED
    return out, np.zeros(X.shape[0], dtype=np.int64)


def _label(lab, X, executor=None, progress=False, desc="label"):
    """Outcomes of the rows of ``X`` (fixed chunks, identical serially and in parallel)."""
    X = np.ascontiguousarray(X, dtype=float)
    if X.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    fn = _label_recurrence if isinstance(lab, _RecurrenceLabeller) else _label_proximity
    parts = [X[i:i + CHUNK] for i in range(0, X.shape[0], CHUNK)]
    res = parallel_map(functools.partial(fn, lab), parts, executor=executor, progress=progress,
                       desc=desc)
    return np.concatenate([o for o, _ in res])


def _make_labeller(system, target, grid, method, options, recurrence, t_end, tol):
    check_option(method, "method", ("recurrence", "proximity"))
    if method == "recurrence":
        if grid is None:
            raise ValueError("`grid` is required with method='recurrence' (the cells of the "
                             "recurrence machine); pass a Grid covering the region, or use "
                             "method='proximity'")
        return _RecurrenceLabeller(system, grid, target, options, recurrence)
    t_end = PROXIMITY_T_END if t_end is None else \
        check_scalar(t_end, "t_end", lo=0, lo_inclusive=False)
    return _ProximityLabeller(system, target, options, t_end, tol)


# ---------------------------------------------------------------------------------- sampling
def _samples(system, region, n, rng, relative, x_star):
    d = system.dim
    if callable(region) and not hasattr(region, "sample"):
        X = region(rng, n)
    elif hasattr(region, "sample"):
        X = region.sample(rng, n, d)
    else:
        raise TypeError("`region` must be a Box (or another set with .sample) or a callable "
                        f"sampler(rng, n) -> (n, dim), got {type(region).__name__}")
    X = as_float_array(X, "region samples")
    if X.shape != (n, d):
        raise ValueError(f"`region` must give {n} states of dimension {d}, got shape {X.shape}")
    return X + x_star if relative else X


def _fraction_fields(k, n, confidence):
    s = k / n
    return dict(fraction=float(s), std_error=float(math.sqrt(s * (1 - s) / n)),
                ci=wilson_interval(k, n, confidence), confidence=confidence)


# ---------------------------------------------------------------------------------- measures
def basin_stability(system, attractor, region, *, n: int = 1000, seed=0, grid: Grid | None = None,
                    relative: bool = False, method: str = "recurrence", tol: float = 1e-3,
                    t_end: float | None = None, confidence: float = 0.95,
                    options: IntegratorOptions | None = None,
                    recurrence: RecurrenceOptions | None = None, executor=None,
                    progress: bool | None = None) -> BasinStability:
    r"""Basin stability :math:`S_B` of an attractor: the share of ``n`` perturbed states drawn
    uniformly from ``region`` whose orbits end on it (Menck et al. 2013).

    .. math:: \hat S_B = \frac{1}{N}\sum_{j=1}^N \chi_{B(A)}(x_j), \qquad
        e = \sqrt{\hat S_B(1 - \hat S_B)/N},

    with the Wilson score interval at ``confidence``.  Each state is decided independently
    (module docstring: the marked-attractor recurrence machine, or ``method="proximity"``).

    Parameters
    ----------
    system : ODE or Map
        The system.
    attractor : Attractor or array_like
        The attractor (from :func:`find_attractors`), or a state: a state at (within 1 % of) a
        stable fixed point stands for it, any other state for the attractor its orbit reaches
        (found on ``grid``).
    region : Box, set with ``sample(seed, n, d)``, or callable
        Where the perturbed states are drawn: a set sampled uniformly (``Box``, ``Ball``,
        ``Simplex``) or ``region(rng, n) -> (n, dim)``.
    n : int, default 1000
        Number of perturbed states :math:`N`.
    seed : int or Generator, default 0
        Random state of the sampling.
    grid : Grid, optional
        Cells of the recurrence machine over state space (required for
        ``method="recurrence"``); it should cover the region and the attractors.
    relative : bool, default False
        ``False``: ``region`` holds the perturbed states; ``True``: it holds the perturbations
        :math:`\delta`, the states are :math:`x^* + \delta`.
    method : {"recurrence", "proximity"}, default "recurrence"
        How a state is labelled.
    tol : float > 0, default 1e-3
        Relative tolerance of ``method="proximity"``.
    t_end : float > 0, optional
        Horizon of ``method="proximity"`` (default 1000).
    confidence : float in (0, 1), default 0.95
        Level of the Wilson interval.
    options : IntegratorOptions, optional
        ``dt`` of the machine and the integrator tolerances.
    recurrence : RecurrenceOptions, optional
        Machine thresholds.
    executor : concurrent.futures.Executor, optional
        Runs the chunks of states (the result does not depend on it).
    progress : bool or None, default None
        tqdm bar over chunks.

    Returns
    -------
    BasinStability
        ``success=False`` (with a warning) when more than ``max_unresolved`` (recurrence
        options; 1 % for the proximity method) of the states are unresolved.

    Examples
    --------
    >>> import numpy as np
    >>> from equilibria.odes import ODE, Box, Grid
    >>> sys = ODE(lambda x, p: np.array([x[0] - x[0] ** 3]), ["x"])
    >>> bs = basin_stability(sys, [1.0], Box(-2.0, 2.0, dim=1), n=200,
    ...                      grid=Grid.box(-3, 3, 61, dim=1), progress=False)
    >>> bool(bs.ci[0] <= 0.5 <= bs.ci[1])
    True
    """
    system = as_system(system)
    n = check_int(n, "n", lo=1, hi=MAX_SAMPLES)
    tol = check_scalar(tol, "tol", lo=0, lo_inclusive=False)
    confidence = check_scalar(confidence, "confidence", lo=0, hi=1, lo_inclusive=False,
                              hi_inclusive=False)
    target, x_star = _resolve_target(system, attractor, grid, options, recurrence)
    lab = _make_labeller(system, target, grid, method, options, recurrence, t_end, tol)
    X = _samples(system, region, n, as_generator(seed), bool(relative), x_star)
    out = _label(lab, X, executor=executor, progress=progress, desc="basin stability")
    k = int(np.sum(out == IN_BASIN))
    fr = {nm: float(np.mean(out == code)) for code, nm in OUTCOME_NAMES.items()}
    cap = lab.ropt.max_unresolved if method == "recurrence" else MAX_UNRESOLVED
    ok = fr["unresolved"] <= cap
    msg = (f"basin stability {k / n:.4g} ({k} of {n} states) of {target.label}" +
           "".join(f"; {nm} {100 * f:.2f}%" for nm, f in fr.items()
                   if nm != "attractor" and f > 0))
    if not ok:
        msg += ("; too many unresolved states: raise `recurrence.max_steps` or refine the grid"
                if method == "recurrence" else "; raise `t_end` or `options.max_iter`")
    return finish(BasinStability, success=ok, status=Status.SUCCESS if ok else Status.MAX_ITER,
                  message=msg, n_iter=n, **_fraction_fields(k, n, confidence), n=n, n_in=k,
                  outcomes=out, outcome_fractions=fr, samples=X, attractor=target,
                  method=method)


def _hitting_chunk(system, prox, threshold, t_eval, opts, X):
    traj = system._c.flow[2]
    Y = np.empty((t_eval.size, system.dim))
    out = np.full(X.shape[0], np.inf)
    status = np.zeros(X.shape[0], dtype=np.int64)
    for r in range(X.shape[0]):
        st, _ = traj(np.ascontiguousarray(X[r]), system._p, t_eval, opts, 1e8, Y)
        status[r] = int(st)
        hit = np.flatnonzero(prox(Y) <= threshold)
        if hit.size:
            out[r] = t_eval[hit[0]]
    return out, status


def finite_time_basin_stability(system, attractor, region, t_max: float, *, tol: float = 1e-3,
                                n: int = 1000, seed=0, n_times: int = 2001,
                                grid: Grid | None = None, relative: bool = False,
                                confidence: float = 0.95,
                                options: IntegratorOptions | None = None,
                                recurrence: RecurrenceOptions | None = None, executor=None,
                                progress: bool | None = None) -> FiniteTimeBasinStability:
    r"""Finite-time basin stability: the share of perturbed states that return to within
    ``tol`` of the attractor by time :math:`T`, for every :math:`T \le t_{max}`.

    .. math:: \hat S_T = \frac1N \#\{j : \tau_j \le T\}, \qquad \tau_j = \min\{t_i :
        d_\infty(x_j(t_i), A) \le \mathtt{tol}\,(1 + \|x^*\|_\infty)\}

    on the output grid :math:`t_i` (``n_times`` points on ``[0, t_max]``; every iteration of a
    map), DP5(4) at ``rtol=1e-10``.  :math:`\hat S_T` is non-decreasing in :math:`T` and tends
    to the basin stability as :math:`T \to \infty` (Schultz et al. 2018; Lindner & Hellmann
    2019); the same ``seed``, ``n`` and ``region`` draw the same states as
    :func:`basin_stability`.

    Parameters
    ----------
    system : ODE or Map
        The system.
    attractor : Attractor or array_like
        The attractor, or a state at a stable fixed point (any other state needs ``grid``).
    region : Box, set with ``sample(seed, n, d)``, or callable
        Where the perturbed states are drawn (as in :func:`basin_stability`).
    t_max : float > 0
        Largest horizon (iterations for a map).
    tol : float > 0, default 1e-3
        Relative return tolerance.
    n : int, default 1000
        Number of perturbed states.
    seed : int or Generator, default 0
        Random state of the sampling.
    n_times : int >= 2, default 2001
        Output times of a flow (the resolution of :math:`\tau`).
    grid : Grid, optional
        Only to find the attractor a non-fixed-point state reaches.
    relative : bool, default False
        Whether ``region`` holds perturbations of :math:`x^*` rather than states.
    confidence : float in (0, 1), default 0.95
        Level of the Wilson interval.
    options : IntegratorOptions, optional
        Integrator tolerances (default ``rtol=1e-10, atol=1e-12``).
    recurrence : RecurrenceOptions, optional
        Machine thresholds (only to find the attractor of a state).
    executor : concurrent.futures.Executor, optional
        Runs the chunks of states.
    progress : bool or None, default None
        tqdm bar over chunks.

    Returns
    -------
    FiniteTimeBasinStability
        ``success=False`` (with a warning) when an integration failed for more than 1 % of the
        states.
    """
    system = as_system(system)
    n = check_int(n, "n", lo=1, hi=MAX_SAMPLES)
    tol = check_scalar(tol, "tol", lo=0, lo_inclusive=False)
    t_max = check_scalar(t_max, "t_max", lo=0, lo_inclusive=False,
                         hi=MAX_T_END if as_system(system).kind == "flow" else MAX_OUTPUT)
    confidence = check_scalar(confidence, "confidence", lo=0, hi=1, lo_inclusive=False,
                              hi_inclusive=False)
    target, x_star = _resolve_target(system, attractor, grid, options, recurrence)
    prox = _Proximity(system, target, tol)
    threshold = tol * prox.scale
    if system.kind == "map":
        t_eval = np.arange(int(math.floor(t_max)) + 1, dtype=float)
        opts = IntegratorOptions(dt=1.0).vector()
    else:
        n_times = check_int(n_times, "n_times", lo=2, hi=MAX_OUTPUT)
        t_eval = np.linspace(0.0, t_max, n_times)
        opts = (options if options is not None else
                IntegratorOptions(rtol=FINE_RTOL, atol=FINE_ATOL)).vector()
    X = _samples(system, region, n, as_generator(seed), bool(relative), x_star)
    fn = functools.partial(_hitting_chunk, system, prox, threshold, t_eval, opts)
    parts = [X[i:i + CHUNK] for i in range(0, n, CHUNK)]
    res = parallel_map(fn, parts, executor=executor, progress=progress,
                       desc="finite-time basin stability")
    tau = np.concatenate([h for h, _ in res])
    status = np.concatenate([s for _, s in res])
    curve = np.searchsorted(np.sort(tau), t_eval, side="right") / n
    k = int(np.sum(np.isfinite(tau)))
    failed = float(np.mean((status != 0) & ~np.isfinite(tau)))
    ok = failed <= MAX_UNRESOLVED
    msg = f"{k} of {n} states returned within {threshold:.3g} of {target.label} by t={t_max:g}"
    if failed > 0:
        msg += f"; {100 * failed:.2f}% of the integrations diverged or failed"
    return finish(FiniteTimeBasinStability, success=ok,
                  status=Status.SUCCESS if ok else Status.NUMERICAL, message=msg,
                  hint=None if ok else "check the region or lower `options.rtol`",
                  n_iter=n, **_fraction_fields(k, n, confidence), times=t_eval, curve=curve,
                  hitting_times=tau, tolerance=threshold, samples=X, attractor=target)


# ---------------------------------------------------------------------------------- fatal shock
def _normalise(V, ord_):
    nrm = np.linalg.norm(V, ord=ord_, axis=1, keepdims=True)
    return V / np.where(nrm > 0, nrm, 1.0)


def _ray_limits(x0, D, region, max_radius):
    """Largest radius along every direction that stays in ``region`` (and ``max_radius``)."""
    r = np.full(D.shape[0], max_radius)
    if region is None:
        return r
    lo, hi = region._bounds(x0.size)
    with np.errstate(divide="ignore", invalid="ignore"):
        up = np.where(D > 0, (hi - x0) / D, np.inf)
        dn = np.where(D < 0, (lo - x0) / D, np.inf)
    return np.minimum(r, np.min(np.minimum(up, dn), axis=1))


def minimal_fatal_shock(system, attractor, *, grid: Grid, max_radius: float,
                        n_directions: int = 64, bisect_tol: float = 1e-4, seed=0,
                        region=None, ord=2, n_scan: int = 8, refine: bool = True,
                        max_refine: int = 60, method: str = "recurrence", tol: float = 1e-3,
                        t_end: float | None = None, options: IntegratorOptions | None = None,
                        recurrence: RecurrenceOptions | None = None, executor=None,
                        progress: bool | None = None) -> FatalShock:
    r"""The minimal fatal shock: the smallest perturbation :math:`\delta` of an attractor's
    state :math:`x^*` with :math:`x^* + \delta` outside the attractor's basin.

    .. math:: \delta^\star = \arg\min\{\|\delta\| : x^* + \delta \notin B(A),\
        x^* + \delta \in \mathtt{region}\}

    Search (Halekotte & Feudel 2020; the random search of Attractors.jl's
    ``minimal_fatal_shock`` with bisection along rays): directions are the :math:`\pm e_i` and
    ``n_directions`` uniform random unit vectors (normalised Gaussians, in the norm ``ord``);
    along each, ``n_scan`` equally spaced radii up to ``max_radius`` (or the edge of
    ``region``) bracket the first exit and bisection shrinks every bracket whose lower end
    still beats the best exit to below ``bisect_tol``.  A local search then tries directions
    at angle :math:`\sigma` around the best one (:math:`\sigma = 0.3` rad first, grown by 1.5
    after an improvement, halved after a round without one) until
    :math:`\sigma\,r < \mathtt{bisect\_tol}` or ``max_refine`` rounds.  Stopping rule: every
    bracket shorter than ``bisect_tol``; the result is a verified exit, so it bounds the
    minimal fatal shock from above (by at most ``bisect_tol`` plus the angular error of the
    search); rays are assumed to leave the basin once (star-shaped along the ray).

    Parameters
    ----------
    system : ODE or Map
        The system.
    attractor : Attractor or array_like
        The attractor and its state :math:`x^*`: an Attractor (the fixed point, or the last
        located state of another attractor), or a state (shocked as given, or its fixed point
        when it is within 1 % of a stable one).
    grid : Grid
        Cells of the recurrence machine (should cover :math:`x^*` plus ``max_radius``).
    max_radius : float > 0
        Largest shock norm searched.
    n_directions : int >= 0, default 64
        Random directions besides the :math:`2\,\mathrm{dim}` coordinate directions.
    bisect_tol : float > 0, default 1e-4
        Bracket length at which bisection stops (absolute, in the norm).
    seed : int or Generator, default 0
        Random state of the directions.
    region : Box, optional
        Admissible shocked states (e.g. ``Box(0, 10, dim=n)`` keeps populations
        non-negative); :math:`x^*` must lie in it.
    ord : {1, 2, inf}, default 2
        The norm of the shock.
    n_scan : int >= 1, default 8
        Radii scanned along each ray before bisection.
    refine : bool, default True
        Run the local search around the best direction.
    max_refine : int >= 0, default 60
        Rounds of the local search.
    method : {"recurrence", "proximity"}, default "recurrence"
        How a shocked state is labelled.
    tol : float > 0, default 1e-3
        Relative tolerance of ``method="proximity"``.
    t_end : float > 0, optional
        Horizon of ``method="proximity"``.
    options : IntegratorOptions, optional
        ``dt`` of the machine and integrator tolerances.
    recurrence : RecurrenceOptions, optional
        Machine thresholds.
    executor : concurrent.futures.Executor, optional
        Runs the chunks of states of every stage (the result does not depend on it).
    progress : bool or None, default None
        tqdm bar over the stages.

    Returns
    -------
    FatalShock
        ``success=False`` (with a warning, ``norm=inf``) when no searched direction leaves
        the basin within ``max_radius`` and ``region``.
    """
    from tqdm.auto import tqdm

    from equilibria._lib.options import show_progress

    system = as_system(system)
    max_radius = check_scalar(max_radius, "max_radius", lo=0, lo_inclusive=False)
    n_directions = check_int(n_directions, "n_directions", lo=0, hi=MAX_SAMPLES)
    # below ~1e-12 of the radius a bracket cannot shrink in floating point
    bisect_tol = check_scalar(bisect_tol, "bisect_tol", lo=0, lo_inclusive=False)
    if bisect_tol < BISECT_RTOL_FLOOR * max_radius:
        raise ValueError(f"`bisect_tol`={bisect_tol:g} must be >= {BISECT_RTOL_FLOOR:g} * "
                         f"`max_radius`={max_radius:g}: a smaller bracket cannot shrink in "
                         "floating point")
    n_scan = check_int(n_scan, "n_scan", lo=1, hi=max(1, MAX_SAMPLES // max(1, n_directions)))
    max_refine = check_int(max_refine, "max_refine", lo=0, hi=MAX_REFINE)
    tol = check_scalar(tol, "tol", lo=0, lo_inclusive=False)
    if ord not in (1, 2, np.inf, math.inf):
        raise ValueError(f"`ord` must be 1, 2 or inf, got {ord!r}")
    ord_ = float(ord)
    if region is not None:
        from equilibria._lib.sets import Box

        if not isinstance(region, Box):
            raise TypeError(f"`region` must be a Box of admissible shocked states, got "
                            f"{type(region).__name__}")
        if region.dim is not None and region.dim != system.dim:
            raise ValueError(f"`region` has dimension {region.dim} but the system has "
                             f"{system.dim}")
    target, x0 = _resolve_target(system, attractor, grid, options, recurrence)
    if region is not None and not region.contains(x0, 1e-12):
        raise ValueError(f"the attractor's state {x0.tolist()} lies outside `region`")
    lab = _make_labeller(system, target, grid, method, options, recurrence, t_end, tol)
    rng = as_generator(seed)
    d = system.dim
    evals = 0
    bar = tqdm(total=None, disable=not show_progress(progress), leave=False, desc="minimal fatal shock")

    def outside(P):
        nonlocal evals
        evals += P.shape[0]
        bar.update(1)
        return _label(lab, P, executor=executor) != IN_BASIN

    def bisect(D, lo, hi):
        """Shrink brackets [lo, hi] (lo inside, hi outside) along D below bisect_tol, dropping
        brackets that cannot beat the best exit."""
        lo, hi = lo.copy(), hi.copy()
        while True:
            best = float(np.min(hi)) if hi.size else math.inf
            act = np.flatnonzero((hi - lo > bisect_tol) & (lo < best))
            if act.size == 0:
                return lo, hi
            mid = 0.5 * (lo[act] + hi[act])
            out = outside(x0 + mid[:, None] * D[act])
            hi[act[out]] = mid[out]
            lo[act[~out]] = mid[~out]

    # ---- global stage: coordinate directions and random ones, scanned then bisected
    E = np.vstack([np.eye(d), -np.eye(d)])
    D = E if d == 1 else np.vstack([E, _normalise(rng.standard_normal((n_directions, d)),
                                                  ord_)])
    D = _normalise(D, ord_)
    rmax = _ray_limits(x0, D, region, max_radius)
    frac = np.arange(1, n_scan + 1) / n_scan
    R = rmax[:, None] * frac[None, :]
    pts = (x0[None, None, :] + R[:, :, None] * D[:, None, :]).reshape(-1, d)
    keep = np.repeat(rmax > 0, n_scan)
    out = np.zeros(pts.shape[0], dtype=bool)
    out[keep] = outside(pts[keep])
    out = out.reshape(D.shape[0], n_scan)
    first = np.where(out.any(axis=1), np.argmax(out, axis=1), -1)
    has = first >= 0
    lo = np.where(has, np.where(first > 0, R[np.arange(D.shape[0]), first - 1], 0.0), np.inf)
    hi = np.where(has, R[np.arange(D.shape[0]), np.maximum(first, 0)], np.inf)
    if np.any(has):
        lo_h, hi_h = bisect(D[has], lo[has], hi[has])
        lo[has], hi[has] = lo_h, hi_h
    radii = hi.copy()
    if not np.any(has):
        bar.close()
        nanv = np.full(d, np.nan)
        return finish(FatalShock, success=False, status=Status.MAX_ITER,
                      message=f"no searched direction ({D.shape[0]}) leaves the basin of "
                              f"{target.label} within max_radius={max_radius:g}"
                              + (" and `region`" if region is not None else ""),
                      hint="raise `max_radius` or `n_directions`", n_iter=evals,
                      norm=math.inf, shock=nanv, direction=nanv, bracket=(math.inf, math.inf),
                      x_star=x0, x_shocked=nanv, reached=None, reached_outcome="none",
                      radii=radii, directions=D, ord=ord_, n_evaluations=evals)
    j = int(np.argmin(hi))
    best_d, best_lo, best_hi = D[j].copy(), float(lo[j]), float(hi[j])
    # ---- local search on the sphere around the best direction
    rounds = 0
    sigma = REFINE_SIGMA0
    m = max(4, 2 * (d - 1))
    while refine and d > 1 and rounds < max_refine and sigma * best_hi > bisect_tol:
        rounds += 1
        G = rng.standard_normal((m, d))
        G -= (G @ best_d)[:, None] * best_d[None, :] / float(best_d @ best_d)
        G /= np.maximum(np.linalg.norm(G, axis=1, keepdims=True), 1e-300)
        C = _normalise(best_d[None, :] / np.linalg.norm(best_d) + math.tan(sigma) * G, ord_)
        cap = _ray_limits(x0, C, region, max_radius)
        r_hi = np.minimum(best_hi - bisect_tol, cap)
        r_lo = np.minimum(np.maximum(0.0, best_hi * (1.0 - 2.0 * sigma)), r_hi)
        ok = r_hi > 0
        if not np.any(ok):
            sigma *= 0.5
            continue
        C, r_hi, r_lo = C[ok], r_hi[ok], r_lo[ok]
        o = outside(x0 + np.vstack([r_hi[:, None] * C, r_lo[:, None] * C]))
        o_hi, o_lo = o[:C.shape[0]], o[C.shape[0]:]
        better = np.flatnonzero(o_hi)
        if better.size == 0:
            sigma *= 0.5
            continue
        lo_c = np.where(o_lo[better], 0.0, r_lo[better])
        hi_c = np.where(o_lo[better], r_lo[better], r_hi[better])
        lo_c, hi_c = bisect(C[better], lo_c, hi_c)
        i = int(np.argmin(hi_c))
        best_d, best_lo, best_hi = C[better][i].copy(), float(lo_c[i]), float(hi_c[i])
        sigma = min(REFINE_SIGMA_MAX, sigma * REFINE_GROW)
    bar.close()
    shock = best_hi * best_d
    xs = x0 + shock
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        res = find_attractors(system, grid, xs[None, :], options=options, recurrence=recurrence,
                              progress=False)
    k = int(res.labels[0])
    reached = res.attractors[k - 1] if k >= 1 else None
    reached_outcome = reached.label if reached is not None else OUTCOME_NAMES[k]
    msg = (f"minimal fatal shock |delta|_{ord_:g} = {best_hi:.6g} (bracket "
           f"[{best_lo:.6g}, {best_hi:.6g}]) from {target.label}: the shocked state reaches "
           f"{reached_outcome}; {evals} states labelled, {rounds} local rounds")
    return finish(FatalShock, success=True, status=Status.SUCCESS, message=msg, n_iter=evals,
                  norm=float(best_hi), shock=shock, direction=best_d, bracket=(best_lo, best_hi),
                  x_star=x0, x_shocked=xs, reached=reached, reached_outcome=reached_outcome,
                  radii=radii, directions=D, ord=ord_, n_evaluations=evals)


# ---------------------------------------------------------------------------------- recovery
def recovery_time(system, x_star, x_shocked, *, tol: float = 1e-3, t_max: float = 100.0,
                  n_t: int = 2001, options: IntegratorOptions | None = None) -> Recovery:
    r"""Recovery time of a shocked state: when its orbit enters the tolerance of the attractor
    for the last time before ``t_max`` (and stays there).

    .. math:: T_{rec} = \inf\{t \ge 0 : d_\infty(x(s), A) \le \mathtt{tol}\,
        (1 + \|x^*\|_\infty)\ \ \forall s \in [t, t_{max}]\}

    The distance is evaluated on ``n_t`` output times (DP5(4), ``rtol=1e-10``); the last exit
    interval :math:`(t_i, t_{i+1})` is refined by Brent's method on
    :math:`d_\infty(x(s), A) - \mathtt{tol}(1 + \|x^*\|_\infty)`, integrating from
    :math:`x(t_i)` (``xtol=1e-12``).  For a map the answer is the first iteration after which
    the orbit stays within the tolerance.  For :math:`\dot x = -x`, :math:`x^* = 0`,
    :math:`x(0) = 1`: :math:`T_{rec} = \ln(1/\mathtt{tol})`.

    Parameters
    ----------
    system : ODE or Map
        The system.
    x_star : Attractor or array_like
        The attractor: an Attractor, or a state at (within 1 % of) a stable fixed point.
    x_shocked : array_like, shape (dim,)
        The shocked state.
    tol : float > 0, default 1e-3
        Relative tolerance.
    t_max : float > 0, default 100.0
        Horizon (iterations for a map).
    n_t : int >= 2, default 2001
        Output times of a flow.
    options : IntegratorOptions, optional
        Integrator tolerances (default ``rtol=1e-10, atol=1e-12``).

    Returns
    -------
    Recovery
        ``success=False`` (with a warning, ``recovery_time=inf``) when the orbit is not within
        the tolerance at ``t_max`` or the integration failed.
    """
    from scipy.optimize import brentq

    system = as_system(system)
    tol = check_scalar(tol, "tol", lo=0, lo_inclusive=False)
    t_max = check_scalar(t_max, "t_max", lo=0, lo_inclusive=False)
    x0 = system.check_state(x_shocked, "x_shocked")
    if float(np.max(np.abs(x0))) > DEFAULT_BOUND:
        raise ValueError(f"`x_shocked` has max|x| = {float(np.max(np.abs(x0))):.6g} above the "
                         f"divergence bound {DEFAULT_BOUND:g}")
    if system.kind == "flow" and t_max > MAX_T_END:
        raise ValueError(f"`t_max` must be <= {MAX_T_END:g}, got {t_max}")
    if system.kind == "map" and t_max > MAX_OUTPUT // system.dim:
        raise ValueError(f"`t_max` must be <= {MAX_OUTPUT // system.dim} iterations, got "
                         f"{t_max}")
    target, _ = _resolve_target(system, x_star, None, options, None, name="x_star",
                                grid_hint=False)
    prox = _Proximity(system, target, tol)
    thr = tol * prox.scale
    if system.kind == "map":
        n_it = check_int(int(math.floor(t_max)), "t_max", lo=1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            tr = system.trajectory(x0, n_it)
    else:
        n_t = check_int(n_t, "n_t", lo=2, hi=max(2, MAX_OUTPUT // system.dim))
        opt = options if options is not None else IntegratorOptions(rtol=FINE_RTOL,
                                                                    atol=FINE_ATOL)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            tr = system.trajectory(x0, t_max, t_eval=np.linspace(0.0, t_max, n_t), options=opt)
    t, Y = tr.t, tr.y
    dist = prox(Y)
    fields = dict(t=t, distance=dist, threshold=thr, x_star=target.location.copy(),
                  x_shocked=x0, x_final=Y[-1].copy())
    if not tr.success:
        return finish(Recovery, success=False, status=tr.status,
                      message=f"the orbit of the shocked state failed: {tr.message}",
                      n_iter=tr.n_iter, recovery_time=math.inf, recovered=False, **fields)
    inside = dist <= thr
    if not inside[-1]:
        return finish(Recovery, success=False, status=Status.MAX_ITER,
                      message=f"not within {thr:.3g} of {target.label} at t={t[-1]:g} "
                              f"(distance {dist[-1]:.3g})",
                      hint="raise `t_max`, or the shock left the basin", n_iter=t.size,
                      recovery_time=math.inf, recovered=False, **fields)
    bad = np.flatnonzero(~inside)
    if bad.size == 0:
        rec = 0.0
    elif system.kind == "map":
        rec = float(t[bad[-1] + 1])
    else:
        i = int(bad[-1])
        y_i, t_i = Y[i].copy(), float(t[i])
        fine = IntegratorOptions(rtol=FINE_RTOL, atol=FINE_ATOL)

        def g(s):
            if s <= t_i:
                return float(dist[i]) - thr
            tr_s = system.trajectory(y_i, s - t_i, t_eval=np.array([s - t_i]), options=fine)
            return float(prox(tr_s.y)[0]) - thr

        rec = float(brentq(g, t_i, float(t[i + 1]), xtol=1e-12, rtol=4 * np.finfo(float).eps))
    return finish(Recovery, success=True, status=Status.SUCCESS,
                  message=f"recovered to within {thr:.3g} of {target.label} at t = {rec:.6g}",
                  n_iter=t.size, recovery_time=rec, recovered=True, **fields)
