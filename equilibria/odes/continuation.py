r"""Global continuation of attractors and basin fractions along a parameter, and two-parameter
regime diagrams, for any :class:`~equilibria.odes.ODE` or :class:`~equilibria.odes.Map`.

Global continuation (Datseris, Rossi & Wagemakers 2023 [1]; Attractors.jl's
``global_continuation`` with ``AttractorSeedContinueMatch`` [2]) follows *all* attractors of a
system along a parameter curve :math:`p_1, \dots, p_m` with the recurrence machine of
:mod:`equilibria.odes.mapper`, in the four steps of [2]:

1. **find** the attractors at every value from the *same* ``n`` sampled initial conditions
   (so the basin fractions of different values are comparable: they are shares of one sample);
2. **seed**: run the machine at every value on states of the attractors found at its
   neighbours :math:`p_{k-1}, p_{k+1}` (a fixed point's location, else
   :data:`SEEDS_PER_ATTRACTOR` located states).  An attractor that persists from
   :math:`p_{k\pm1}` is then found at :math:`p_k` even when its basin has shrunk below the
   sampling resolution ([2], step 2: "seeding initial conditions close to previous attractors
   increases the probability that if an attractor continues to exist in the new parameter, it
   is found").  Seed-found attractors that are none of the samples' (the test that merges the
   machine's chunks: half of the located states within ``merge_tol`` cells) are added with
   fraction 0: they exist, their sampled basin is empty.  Unlike [2], seeds run in a machine
   of their own, not in front of the samples: a seed on an invariant set (the diagonal of a
   symmetric system, the stable manifold of a saddle) locates the saddle, and in a shared
   machine the basin cells of that "attractor" relabel samples crossing them as "unstable
   set" (4 % of the toggle switch's samples just past its pitchfork).  So the fractions are
   exactly those of the unseeded samples' run.  Seeds are skipped when they lie within
   ``merge_tol`` cells of an attractor the samples found at :math:`p_k` (they would find it
   again, at the price of its classification) or when Newton's method from them reaches an
   unstable fixed point of :math:`p_k` within ``FIXED_POINT_CELLS + 1`` cells (a neighbour's
   equilibrium that has become a saddle: its orbit lingers there long enough for the machine
   to declare the saddle, or its slow departure, an attractor);
3. **fractions** per value from the labels of the samples, with Wilson intervals [4];
4. **match** attractor ids across values, sequentially from the first value
   (``match_sequentially!`` of [2]; below).

Determinism.  Step 1 is a pass of independent per-value runs; each seeded pass (``sweeps`` of
them; each spreads an attractor one value further) seeds from the result of the previous
pass, so the runs inside a pass are independent work items (``executor=``) and the result
does not depend on the executor or on the order in which the items finish.  A pass re-runs
only the values whose seeds changed, and the passes stop early when no seed changed.
(Attractors.jl seeds strictly forward, value after value, which is serial; seeding from both
neighbours also makes the attractors found independent of the scan direction.)

Matching (``match=``), as ``MatchBySSSetDistance`` / ``MatchByBasinOverlap`` of [2]: a distance
:math:`d(A^+_j, A^-_i)` is computed between every attractor :math:`A^+_j` at the new value and
every attractor :math:`A^-_i` at the previous value (or every id ever seen, with
``use_vanished``).  All pairs are sorted by distance; the closest pair is matched (the new
attractor takes the old id) and both are removed from the pool; this repeats until the pairs are
exhausted.  A pair at distance :math:`\ge` ``match_tol`` is never matched: the new attractor gets
the next unused id (so an attractor that vanishes and reappears gets a new id, as in [2]).

- ``"distance"``: distances between the attractors as sets of states, measured in grid cells
  (coordinate ``i`` divided by the cell width :math:`w_i`) with the sup-norm
  :math:`\|u\|_w = \max_i |u_i| / w_i`:
  ``distance="centroid"`` :math:`\|c^+ - c^-\|_w` (``location``: the Newton-refined fixed point
  or the mean of the located states; the default of [2]), ``"hausdorff"``
  :math:`\max(\max_a \min_b, \max_b \min_a)\|a - b\|_w`, ``"minimum"``
  :math:`\min_{a, b}\|a - b\|_w` (``StrictlyMinimumDistance``).  A fixed point is the one-point
  set of its location; other attractors use their located states (one per quarter cell, then
  evenly thinned to :data:`MAX_DISTANCE_POINTS`).
- ``"overlap"``: the samples are the same at every value, so basins (sets of sample indices)
  can be intersected: the overlap is the Jaccard index
  :math:`o_{ji} = |B^+_j \cap B^-_i| / |B^+_j \cup B^-_i|` and :math:`d = 1/o_{ji}` ([2]:
  "distance is inverse overlap"), so ``match_tol = 2`` demands an overlap above one half.
  [2] normalises by the old basin alone, :math:`|B^+_j \cap B^-_i| / |B^-_i|`; that ties
  when two attractors merge (both old basins lie wholly in the new one, overlap 1 each, and
  the tie goes by id order: past the cusp's fold the vanished branch took over the
  survivor's id), the Jaccard index does not (the larger old basin wins).  Attractors with an
  empty sampled basin (found only from seeds) cannot be matched by overlap and get new ids.
  When a new attractor appears with a larger basin than the continuing one, overlap hands it
  the old id (the basins decide, not the positions).

Choosing the distance: ``"centroid"`` confuses sets with a common centre (a limit cycle around
the fixed point it was born from); ``"hausdorff"`` separates them (its distance is the cycle's
radius).

Regime diagrams (:func:`generic_regime_diagram`) run the same machinery on a plane of two
parameters (neighbours are the 4-neighbours of the lattice): per cell, the attractors found
from one common sample, their number, the kind and fraction of the dominant one.

References
----------
1. G. Datseris, K. L. Rossi, A. Wagemakers, "Framework for global stability analysis of
   dynamical systems", Chaos 33 (2023) 073151.
2. Attractors.jl (JuliaDynamics), ``src/continuation/continuation_ascm_generic.jl``
   (``AttractorSeedContinueMatch``), ``src/matching/sssdistance.jl``
   (``MatchBySSSetDistance``: "all possible ID pairs (old, new) are sorted according to the
   distance of their corresponding sets.  The pair with smallest distance is matched ...
   If the distance between two sets is larger than this threshold, then it is guaranteed that
   the two sets will get assigned different ID"), ``src/matching/basin_overlap.jl``
   (``MatchByBasinOverlap``), ``src/matching/matching_interface.jl``
   (``match_sequentially!``, ``use_vanished``).
3. G. Datseris, A. Wagemakers, "Effortless estimation of basins of attraction", Chaos 32
   (2022) 023104 (the recurrence machine).
4. E. B. Wilson, J. Amer. Statist. Assoc. 22 (1927) 209-212 (the score interval).
"""

from __future__ import annotations

import dataclasses
import functools
import math

import numpy as np

from equilibria._lib.figures import cell_edges
from equilibria._lib.result import Result, Status, finish
from equilibria._lib.rng import as_generator
from equilibria._lib.sweep import check_executor, parallel_map
from equilibria._lib.validation import as_float_array, check_int, check_option, check_scalar

from .dynamical import IntegratorOptions, as_system
from .mapper import (FIXED_POINT_CELLS, MAX_SAMPLES, MERGE_SHARE, SPECIAL_LABELS, Grid,
                     RecurrenceOptions, _mapper, _newton_fixed_point, check_title,
                     wilson_interval)

__all__ = ["GlobalContinuation", "global_continuation", "GenericRegimeResult",
           "generic_regime_diagram", "ATTRACTOR_KINDS"]

#: matchers of attractor ids across parameter values
MATCHES = ("distance", "overlap")
#: set distances of ``match="distance"`` (in grid cells, sup-norm)
DISTANCES = ("centroid", "hausdorff", "minimum")
#: attractor kinds the recurrence machine reports, in the order of the regime images
ATTRACTOR_KINDS = ("fixed point", "periodic orbit", "heteroclinic cycle", "quasi-periodic",
                   "chaotic")
#: kind of a cell where no attractor was found
NO_ATTRACTOR = "no attractor"
#: located states of a non-fixed-point attractor used as seeds at the neighbouring values
SEEDS_PER_ATTRACTOR = 4
#: located states of an attractor kept (one per quarter cell, then evenly) for set distances
MAX_DISTANCE_POINTS = 400
#: default number of seeded passes after the first, unseeded one
DEFAULT_SWEEPS = 1
#: fractions below this are drawn with a marker as well (a band too thin to see)
MIN_VISIBLE_FRACTION = 0.01
#: default samples per cell of a regime diagram
DEFAULT_REGIME_SAMPLES = 200
#: regime images with at most this many cells get the attractor count written in each cell
MAX_ANNOTATED_CELLS = 400


# ---------------------------------------------------------------------------------- sites
@dataclasses.dataclass(frozen=True)
class _Site:
    """The machine's result at one parameter point: the attractors of the samples' run (labels
    ``1..k`` of ``labels``) followed by those found only from seeds (no sampled basin)."""

    attractors: tuple
    labels: np.ndarray  # labels of the samples (local 1-based ids, specials)
    unstable_sets: tuple
    overflow: bool
    n_sampled: int  # attractors[:n_sampled] come from the samples' run


def _machine(system, grid, X, opt, ropt):
    # the unresolved share is judged on the samples by the caller; the run must not fail on it
    inner = dataclasses.replace(ropt, max_unresolved=1.0)
    return _mapper(system, X, grid, options=opt, recurrence=inner, reuse=False, chunks=1,
                   executor=None, progress=False, desc="")


def _run_site(system, grid, X0, opt, ropt, item):
    """A work item: ``("samples", params)`` runs the machine on the common samples,
    ``("seeds", params, seeds)`` on seeds alone (their attractors, nothing else)."""
    sys_k = system.with_params(**item[1])
    if item[0] == "samples":
        res = _machine(sys_k, grid, X0, opt, ropt)
        return _Site(attractors=res.attractors, labels=res.labels.copy(),
                     unstable_sets=res.unstable_sets, overflow=not res.success,
                     n_sampled=len(res.attractors))
    seeds = _off_saddles(sys_k, item[2], grid)
    if seeds.shape[0] == 0:
        return (), False
    res = _machine(sys_k, grid, seeds, opt, ropt)
    return res.attractors, not res.success


def _off_saddles(system, seeds, grid):
    """The seeds that do not sit on an unstable fixed point of ``system``.

    A seed at a neighbour's fixed point that has turned into a saddle here (past a pitchfork,
    on an invariant diagonal) lingers at the saddle long enough for the machine to declare an
    "attractor" there and to locate the orbit's departure as one; such a seed (Newton from it
    converges within :data:`~equilibria.odes.mapper.FIXED_POINT_CELLS` + 1 cells to a fixed
    point with an unstable spectrum) finds nothing that the samples would not, and is
    dropped."""
    keep = []
    for s in seeds:
        x, ok = _newton_fixed_point(system, s)
        if ok and np.max(np.abs(x - s) / grid.widths) <= FIXED_POINT_CELLS + 1:
            ev = np.linalg.eigvals(system.jacobian(x))
            if system.kind == "map" and np.max(np.abs(ev)) > 1.0 or \
                    system.kind == "flow" and np.max(ev.real) > 0.0:
                continue
        keep.append(s)
    return np.array(keep).reshape(-1, grid.dim)


def _seed_points(att) -> np.ndarray:
    if att.kind == "fixed point":
        return att.location[None, :]
    P = att.points
    idx = np.unique(np.linspace(0, P.shape[0] - 1, SEEDS_PER_ATTRACTOR).astype(np.int64))
    return P[idx]


def _seeds_for(sites, members, grid) -> np.ndarray:
    """Seeds from the attractors of ``sites[j]`` for ``j`` in ``members`` (one per grid cell,
    in a deterministic order: by member, then attractor, then located state)."""
    pts = [_seed_points(a) for j in members for a in sites[j].attractors]
    if not pts:
        return np.zeros((0, grid.dim))
    P = np.vstack(pts)
    P = P[np.all((P >= grid.lo) & (P < grid.hi), axis=1)]
    if P.shape[0] == 0:
        return np.zeros((0, grid.dim))
    cells = np.floor((P - grid.lo) / grid.widths).astype(np.int64)
    first = np.sort(np.unique(cells, axis=0, return_index=True)[1])
    return np.ascontiguousarray(P[first])


def _unexplained(seeds, site, grid, tol):
    """The seeds farther than ``tol`` cells (sup-norm) from every attractor the samples found
    at this site: a seed on a known attractor would only find it again (and pay for its
    classification)."""
    if seeds.shape[0] == 0 or site.n_sampled == 0:
        return seeds
    keep = np.ones(seeds.shape[0], dtype=bool)
    S = seeds / grid.widths
    for a in site.attractors[:site.n_sampled]:
        P = _set_points(a, grid.widths)
        d = np.max(np.abs(S[:, None, :] - P[None, :, :]), axis=2).min(axis=1)
        keep &= d > tol
    return np.ascontiguousarray(seeds[keep])


def _with_extras(site, found, overflow, grid, merge_tol):
    """``site`` with the seed-found attractors that are none of its sampled ones appended."""
    base = list(site.attractors[:site.n_sampled])
    for a in found:
        if not any(_same_set(a, b, grid.widths, merge_tol) for b in base):
            base.append(a)
    return dataclasses.replace(site, attractors=tuple(base), overflow=site.overflow or overflow)


def _seeded_sweeps(system, grid, X0, opt, ropt, params, neighbours, sweeps, executor,
                   progress, desc):
    """The samples' pass, then up to ``sweeps`` seeded passes (module docstring).

    Returns the sites and the number of machine runs."""
    fn = functools.partial(_run_site, system, grid, X0, opt, ropt)
    sites = parallel_map(fn, [("samples", p) for p in params], executor=executor,
                         progress=progress, desc=desc)
    overflow0 = [s.overflow for s in sites]
    used = [np.zeros((0, grid.dim))] * len(params)
    runs = len(params)
    for s in range(sweeps):
        seeds = [_unexplained(_seeds_for(sites, neighbours[k], grid), sites[k], grid,
                              ropt.merge_tol) for k in range(len(params))]
        todo = [k for k in range(len(params)) if seeds[k].shape[0] and
                not (seeds[k].shape == used[k].shape and np.array_equal(seeds[k], used[k]))]
        if not todo:
            break
        new = parallel_map(fn, [("seeds", params[k], seeds[k]) for k in todo],
                           executor=executor, progress=progress,
                           desc=f"{desc} (seeded pass {s + 1})")
        for k, (found, ov) in zip(todo, new, strict=True):
            base = dataclasses.replace(sites[k], overflow=overflow0[k])
            sites[k] = _with_extras(base, found, ov, grid, ropt.merge_tol)
            used[k] = seeds[k]
        runs += len(todo)
    return sites, runs


# ---------------------------------------------------------------------------------- sampling
def _samples(system, grid, sampler, n, seed) -> np.ndarray:
    rng = as_generator(seed)
    if sampler is None:
        X0 = grid.lo + rng.random((n, grid.dim)) * (grid.hi - grid.lo)
    elif hasattr(sampler, "sample"):
        X0 = np.asarray(sampler.sample(rng, n, system.dim), dtype=float)
    elif callable(sampler):
        X0 = np.asarray(sampler(rng, n), dtype=float)
    else:
        raise TypeError(f"`sampler` must be callable or a set with .sample, got "
                        f"{type(sampler).__name__}")
    X0 = as_float_array(X0, "sampler output")
    if X0.shape != (n, system.dim):
        raise ValueError(f"`sampler` must return shape ({n}, {system.dim}), got {X0.shape}")
    return np.ascontiguousarray(X0)


def _check_common(system, grid, n, options, recurrence, sweeps, executor):
    system = as_system(system)
    if not isinstance(grid, Grid):
        raise TypeError(f"`grid` must be a Grid, got {type(grid).__name__}")
    if grid.dim != system.dim:
        raise ValueError(f"`grid` has {grid.dim} axes but the system {system.name} has "
                         f"dimension {system.dim}; give one axis per state coordinate")
    n = check_int(n, "n", lo=1, hi=MAX_SAMPLES)
    ropt = RecurrenceOptions() if recurrence is None else recurrence
    if not isinstance(ropt, RecurrenceOptions):
        raise TypeError(f"`recurrence` must be RecurrenceOptions, got {type(ropt).__name__}")
    if options is None:
        opt = IntegratorOptions(dt=1.0) if system.kind == "map" else IntegratorOptions()
    else:
        opt = options
    if not isinstance(opt, IntegratorOptions):
        raise TypeError(f"`options` must be IntegratorOptions, got {type(opt).__name__}")
    sweeps = check_int(sweeps, "sweeps", lo=0)
    check_executor(executor)
    return system, n, opt, ropt, sweeps


def _check_param(system, param, name):
    if not isinstance(param, str):
        raise TypeError(f"`{name}` must be a parameter name (str), got {param!r}")
    if param not in system.param_names:
        raise ValueError(f"`{name}`={param!r} is not a parameter of {system.name}; its "
                         f"parameters are {list(system.param_names)}")
    return param


def _check_values(values, name):
    v = as_float_array(values, name, ndim=1, min_size=1)
    if v.size > 1:
        d = np.diff(v)
        if not (np.all(d > 0) or np.all(d < 0)):
            raise ValueError(f"`{name}` must be strictly increasing or strictly decreasing, "
                             f"got {v.tolist()}")
    return v


# ---------------------------------------------------------------------------------- matching
def _thin(P, widths) -> np.ndarray:
    """``P / widths`` reduced to one state per quarter cell (first visit first), then evenly to
    at most :data:`MAX_DISTANCE_POINTS`.  (A plain stride would alias with a periodic orbit of
    a map: every second state of a period-2 orbit is one point.)"""
    Pw = P / widths
    first = np.sort(np.unique(np.floor(4.0 * Pw).astype(np.int64), axis=0,
                              return_index=True)[1])
    Pw = Pw[first]
    if Pw.shape[0] > MAX_DISTANCE_POINTS:
        Pw = Pw[np.linspace(0, Pw.shape[0] - 1, MAX_DISTANCE_POINTS).astype(np.int64)]
    return Pw


def _set_points(att, widths) -> np.ndarray:
    if att.kind == "fixed point":
        return att.location[None, :] / widths
    return _thin(att.points, widths)


def _same_set(A, B, widths, tol) -> bool:
    """The chunk-merge test of the machine (at least ``MERGE_SHARE`` of the located states of
    one attractor within ``tol`` cells of the other's), on alias-free thinned states."""
    Aw, Bw = _thin(A.points, widths), _thin(B.points, widths)
    D = np.max(np.abs(Aw[:, None, :] - Bw[None, :, :]), axis=2)
    return max(float(np.mean(D.min(axis=1) <= tol)),
               float(np.mean(D.min(axis=0) <= tol))) >= MERGE_SHARE


def _set_distance(A, B, widths, kind) -> float:
    if kind == "centroid":
        return float(np.max(np.abs(A.location - B.location) / widths))
    Pa, Pb = _set_points(A, widths), _set_points(B, widths)
    D = np.max(np.abs(Pa[:, None, :] - Pb[None, :, :]), axis=2)
    if kind == "minimum":
        return float(D.min())
    return float(max(D.min(axis=1).max(), D.min(axis=0).max()))


def _greedy_match(D, old_ids, tol, next_id):
    """Replacement map of ``MatchBySSSetDistance`` [2]: new index -> id.

    ``D[j, i]``: distance of new attractor ``j`` to old ``old_ids[i]``.  Pairs in increasing
    distance (ties by new index, then old id); a new attractor whose closest free old one is at
    ``>= tol`` gets ``next_id`` (then incremented); unprocessed new ones get fresh ids."""
    n_new = D.shape[0]
    out = [0] * n_new
    pairs = sorted(((float(D[j, i]), j, old_ids[i]) for j in range(n_new)
                    for i in range(len(old_ids))), key=lambda t: (t[0], t[1], t[2]))
    done, used = set(), set()
    for d, j, oid in pairs:
        if j in done or oid in used:
            continue
        if d < tol:
            out[j] = oid
            used.add(oid)
        else:
            out[j] = next_id
            next_id += 1
        done.add(j)
    for j in range(n_new):
        if j not in done:
            out[j] = next_id
            next_id += 1
    return out, next_id


def _match_sites(sites, grid, match, distance, tol, use_vanished):
    """Global ids per site (list of lists, in the site's attractor order) and the number of ids."""
    widths = grid.widths
    maps: list[list[int]] = []
    next_id = 1
    prev: dict[int, tuple] = {}  # id -> (attractor, basin mask of the samples)
    ghosts: dict[int, tuple] = {}
    for site in sites:
        new = [(a, site.labels == (j + 1)) for j, a in enumerate(site.attractors)]
        pool = ghosts if use_vanished else prev
        old_ids = sorted(pool)
        if not new:
            ids: list[int] = []
        elif not old_ids:
            ids = list(range(next_id, next_id + len(new)))
            next_id += len(new)
        else:
            D = np.empty((len(new), len(old_ids)))
            for j, (a, mask) in enumerate(new):
                for i, oid in enumerate(old_ids):
                    b, bmask = pool[oid]
                    if match == "distance":
                        D[j, i] = _set_distance(a, b, widths, distance)
                    else:
                        union = int((mask | bmask).sum())
                        ov = int((mask & bmask).sum()) / union if union else 0.0
                        D[j, i] = 1.0 / ov if ov > 0 else math.inf
            ids, next_id = _greedy_match(D, old_ids, tol, next_id)
        maps.append(ids)
        prev = {gid: entry for gid, entry in zip(ids, new, strict=True)}
        ghosts.update(prev)
    return maps, next_id - 1


def _global_labels(labels, ids):
    out = labels.copy()
    pos = labels > 0
    if np.any(pos):
        lut = np.asarray([0] + list(ids), dtype=np.int64)
        out[pos] = lut[labels[pos]]
    return out


# ---------------------------------------------------------------------------------- result
@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class GlobalContinuation(Result):
    """Attractors and basin fractions continued along a parameter, with global ids.

    Global ids are ``1..K`` (``ids``); column ``id - 1`` of ``fractions`` belongs to ``id``.

    Attributes
    ----------
    param : str
        The continued parameter.
    values : ndarray, shape (m,)
        Its values.
    ids : tuple of int
        The global attractor ids, ``(1, ..., K)``.
    fractions : ndarray, shape (m, K)
        Share of the samples that reach each id at each value (0 where absent).
    ci : ndarray, shape (m, K, 2)
        Wilson score intervals of ``fractions`` at ``confidence``.
    present : ndarray of bool, shape (m, K)
        Whether the id exists at the value (also when found only from seeds, fraction 0).
    attractors : tuple of dict
        Per value: global id -> :class:`~equilibria.odes.Attractor`.
    special_fractions : dict
        ``"diverged"``, ``"unresolved"``, ``"unstable set"`` -> ndarray (m,) of shares.
    special_ci : dict
        Same keys -> ndarray (m, 2) of Wilson intervals.
    labels : ndarray of int64, shape (m, n)
        Global id (or special label -1, 0, -2) of every sample at every value.
    initial_conditions : ndarray, shape (n, dim)
        The common samples.
    unstable_sets : tuple of tuple
        Per value: unstable fixed points the machine stopped at.
    value_success : ndarray of bool, shape (m,)
        Per value: unresolved share within ``recurrence.max_unresolved`` and no attractor cap
        hit.
    match, distance : str
        Matcher and set distance used.
    match_tol : float or None
        Threshold of the matcher (cells for ``"distance"``, inverse overlap for
        ``"overlap"``); ``None`` when no threshold was set (``match_tol=inf``).
    confidence : float
        Level of the intervals.
    state_names : tuple of str
        Coordinate names of the system.
    """

    param: str
    values: np.ndarray
    ids: tuple
    fractions: np.ndarray
    ci: np.ndarray
    present: np.ndarray
    attractors: tuple
    special_fractions: dict
    special_ci: dict
    labels: np.ndarray
    initial_conditions: np.ndarray
    unstable_sets: tuple
    value_success: np.ndarray
    match: str
    distance: str
    match_tol: float | None
    confidence: float
    state_names: tuple

    def to_dataframe(self):
        """One row per parameter value: each id's share (``A1``, ...) and interval (``A1_lo``,
        ``A1_hi``), the special shares, ``n_attractors`` and ``value_success``.

        Returns
        -------
        pandas.DataFrame

        Raises
        ------
        ImportError
            pandas is not installed (``pip install 'equilibria[data]'``).
        """
        from ._dataout import global_continuation_frame

        return global_continuation_frame(self)

    def to_xarray(self):
        """Shares, intervals and presence as an xarray Dataset over ``(param, attractor)``; the
        parameter's dimension is named after it, ``attractor`` holds the global ids.

        Returns
        -------
        xarray.Dataset

        Raises
        ------
        ImportError
            xarray is not installed (``pip install 'equilibria[data]'``).
        """
        from ._dataout import global_continuation_dataset

        return global_continuation_dataset(self)

    @property
    def n_attractors(self) -> np.ndarray:
        """Number of attractors present at each value, shape ``(m,)``."""
        return self.present.sum(axis=1)

    def first_index(self, gid: int) -> int:
        """Index of the first value at which attractor ``gid`` is present.

        Parameters
        ----------
        gid : int
            A global id.

        Returns
        -------
        int
            The index into ``values``.
        """
        gid = check_int(gid, "gid")
        if gid not in self.ids:
            raise ValueError(f"`gid`={gid!r} is not one of the ids {list(self.ids)}")
        return int(np.flatnonzero(self.present[:, gid - 1])[0])

    def label_of(self, gid: int) -> str:
        """Legend text of ``gid``: kind and location where it first appears.

        Parameters
        ----------
        gid : int
            A global id.

        Returns
        -------
        str
            E.g. ``"A2: fixed point (0.79, 0) from r = -0.35"``.
        """
        k = self.first_index(gid)
        return (f"A{gid}: {self.attractors[k][gid].label} from {self.param} = "
                f"{self.values[k]:.4g}")

    @property
    def transitions(self) -> list:
        """Where attractors appear or disappear: ``(k, gid, "appears" | "disappears")``, the
        change lying between ``values[k - 1]`` and ``values[k]``."""
        out = []
        P = self.present
        for k in range(1, P.shape[0]):
            for j in range(P.shape[1]):
                if P[k, j] and not P[k - 1, j]:
                    out.append((k, j + 1, "appears"))
                elif P[k - 1, j] and not P[k, j]:
                    out.append((k, j + 1, "disappears"))
        return out

    def plot(self, ax=None, title: str | None = None):
        """Stacked basin fractions along the parameter, one colour per global id.

        Steps (one per sampled value, edges half-way between values), never smoothed areas;
        the special shares (diverged, unresolved, unstable set) stack on top in neutral
        shades, so every column sums to 1.  A panel above shows each id's existence (a marker
        at every value where it is present, also when its sampled fraction is 0); thin
        vertical lines mark the transitions (an id appears or disappears between two values);
        bands thinner than :data:`MIN_VISIBLE_FRACTION` get a marker in their colour.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes of the fractions (a new figure when omitted; the existence panel is appended
            above it).
        title : str, optional
            Figure title.

        Returns
        -------
        matplotlib.figure.Figure
            The figure.
        """
        return _plot_continuation(self, ax=ax, title=check_title(title))


def global_continuation(system, param: str, values, grid: Grid, *, sampler=None,
                        n: int = 1000, seed=0, match: str = "distance",
                        distance: str = "centroid", match_tol: float = math.inf,
                        use_vanished: bool | None = None, sweeps: int = DEFAULT_SWEEPS,
                        confidence: float = 0.95, options: IntegratorOptions | None = None,
                        recurrence: RecurrenceOptions | None = None, executor=None,
                        progress: bool | None = None) -> GlobalContinuation:
    r"""Attractors and basin fractions of ``system`` continued along ``param`` (seed, find,
    match; the module docstring gives the algorithm and its sources [1, 2]).

    At every value :math:`p_k` (``system.with_params(**{param: p_k})``) the recurrence machine
    runs on the same ``n`` samples; seeded passes add states of the attractors found at
    :math:`p_{k-1}, p_k, p_{k+1}` in front of the samples; ids are matched sequentially from
    :math:`p_1`.  Fractions are shares of the samples:
    :math:`\hat f_{k,\mathrm{id}} = \#\{i : \ell_{k,i} = \mathrm{id}\}/n`, with Wilson score
    intervals [4].

    Stopping rule: per orbit, the machine's (``recurrence``); passes stop after ``sweeps``
    seeded passes or when no value's seeds changed.

    Parameters
    ----------
    system : ODE or Map
        The system.
    param : str
        The continued parameter (one of ``system.param_names``).
    values : array_like, shape (m,)
        Finite values, strictly increasing or strictly decreasing.
    grid : Grid
        Cells of the machine over the state space (one axis per coordinate); samples are
        uniform in its box unless ``sampler`` is given.
    sampler : callable or ConvexSet, optional
        ``sampler(rng, n) -> (n, dim)`` or a set with ``sample(seed, n, d)``.
    n : int, default 1000
        Common samples.
    seed : int or Generator, default 0
        Random state of the samples.
    match : {"distance", "overlap"}, default "distance"
        Matcher of ids (``MatchBySSSetDistance`` / ``MatchByBasinOverlap`` of [2]).
    distance : {"centroid", "hausdorff", "minimum"}, default "centroid"
        Set distance of ``match="distance"`` (grid cells, sup-norm).
    match_tol : float > 0, default inf
        Pairs at distance ``>= match_tol`` are never matched (cells for ``"distance"``;
        inverse overlap for ``"overlap"``).  ``inf`` (the default of [2]) matches whenever an
        old id is free.
    use_vanished : bool, optional
        Match against every id ever seen (latest instance), not only the previous value's, so
        an attractor that vanishes for some values keeps its id when it returns.  Default:
        ``match_tol`` finite (as in [2]).
    sweeps : int >= 0, default 1
        Seeded passes after the first pass (0: no seeding).
    confidence : float in (0, 1), default 0.95
        Level of the Wilson intervals.
    options : IntegratorOptions, optional
        ``dt`` and tolerances of the machine's steps.
    recurrence : RecurrenceOptions, optional
        Machine thresholds; ``max_unresolved`` is judged per value on the samples.
    executor : concurrent.futures.Executor, optional
        Runs the per-value runs of a pass; the result is identical to the serial one.
    progress : bool or None, default None
        tqdm bar per pass.

    Returns
    -------
    GlobalContinuation
        ``success=False`` (with a ConvergenceWarning) when some value has more than
        ``recurrence.max_unresolved`` unresolved samples or hit the attractor cap.

    Raises
    ------
    ValueError
        Unknown ``param``, ``values`` not finite / not 1-D / not monotone, ``grid`` of the
        wrong dimension, unknown ``match`` or ``distance``.

    Examples
    --------
    >>> import numpy as np
    >>> from equilibria.odes import ODE, Grid
    >>> from equilibria.odes.continuation import global_continuation
    >>> cusp = ODE(lambda x, p: np.array([p[0] + x[0] - x[0] ** 3, -x[1]]), ["x", "y"],
    ...            params={"r": 0.0})
    >>> gc = global_continuation(cusp, "r", np.linspace(-1, 1, 21),
    ...                          Grid.box([-2, -1], [2, 1], [41, 21]), n=300, progress=False)
    >>> gc.n_attractors.tolist()
    [1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1]
    """
    system, n, opt, ropt, sweeps = _check_common(system, grid, n, options, recurrence, sweeps,
                                                 executor)
    param = _check_param(system, param, "param")
    vals = _check_values(values, "values")
    match = check_option(match, "match", MATCHES)
    distance = check_option(distance, "distance", DISTANCES)
    if isinstance(match_tol, (float, np.floating)) and math.isnan(match_tol):
        raise ValueError("`match_tol` must be a positive number or inf, got nan")
    match_tol = check_scalar(match_tol, "match_tol", lo=0, lo_inclusive=False, finite=False)
    confidence = check_scalar(confidence, "confidence", lo=0, hi=1, lo_inclusive=False,
                              hi_inclusive=False)
    vanish = bool(math.isfinite(match_tol)) if use_vanished is None else bool(use_vanished)
    X0 = _samples(system, grid, sampler, n, seed)
    m = vals.size
    params = [{param: float(v)} for v in vals]
    neighbours = [[j for j in (k - 1, k + 1) if 0 <= j < m] for k in range(m)]
    sites, runs = _seeded_sweeps(system, grid, X0, opt, ropt, params, neighbours, sweeps,
                                 executor, progress, f"continuation over {param}")
    maps, K = _match_sites(sites, grid, match, distance, match_tol, vanish)
    labels = np.array([_global_labels(s.labels, ids) for s, ids in zip(sites, maps,
                                                                         strict=True)])
    frac = np.zeros((m, K))
    ci = np.zeros((m, K, 2))
    present = np.zeros((m, K), dtype=bool)
    atts = []
    for k, (site, ids) in enumerate(zip(sites, maps, strict=True)):
        atts.append({gid: a for gid, a in zip(ids, site.attractors, strict=True)})
        for gid in ids:
            present[k, gid - 1] = True
        for gid in range(1, K + 1):
            c = int((labels[k] == gid).sum())
            frac[k, gid - 1] = c / n
            ci[k, gid - 1] = wilson_interval(c, n, confidence)
    sfrac, sci = {}, {}
    for code, nm in SPECIAL_LABELS.items():
        cnt = (labels == code).sum(axis=1)
        sfrac[nm] = cnt / n
        sci[nm] = np.array([wilson_interval(int(c), n, confidence) for c in cnt])
    ok_v = np.array([not s.overflow and sfrac["unresolved"][k] <= ropt.max_unresolved
                     for k, s in enumerate(sites)])
    trans = []
    for k in range(1, m):
        if not np.array_equal(present[k], present[k - 1]):
            trans.append(f"{0.5 * (vals[k - 1] + vals[k]):.4g}")
    msg = (f"{K} attractor id(s) over {m} values of {param} ({runs} machine runs, match="
           f"{match!r}); " + (f"transitions near {param} = {', '.join(trans)}" if trans
                              else "no transition"))
    ok = bool(np.all(ok_v))
    if not ok:
        bad = [f"{vals[k]:.4g}" for k in np.flatnonzero(~ok_v)]
        msg += (f"; unresolved share above {ropt.max_unresolved:g} or attractor cap hit at "
                f"{param} = {', '.join(bad)}: raise `recurrence.max_steps` or "
                "`recurrence.max_attractors`, or refine the grid")
    return finish(GlobalContinuation, success=ok, status=Status.SUCCESS if ok else Status.MAX_ITER,
                  message=msg, n_iter=runs, param=param, values=vals,
                  ids=tuple(range(1, K + 1)), fractions=frac, ci=ci, present=present,
                  attractors=tuple(atts), special_fractions=sfrac, special_ci=sci,
                  labels=labels, initial_conditions=X0,
                  unstable_sets=tuple(s.unstable_sets for s in sites), value_success=ok_v,
                  match=match, distance=distance,
                  match_tol=None if math.isinf(match_tol) else float(match_tol),
                  confidence=confidence, state_names=tuple(system.state_names))


# ---------------------------------------------------------------------------------- regimes
@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class GenericRegimeResult(Result):
    """Attractors over a plane of two parameters, from one common sample per cell.

    Arrays of shape ``(len(y_values), len(x_values))`` (rows follow ``y_values``).

    Attributes
    ----------
    x_param, y_param : str
        The parameters.
    x_values, y_values : ndarray
        Their values.
    n_attractors : ndarray of int
        Attractors found per cell (also those found only from seeds).
    dominant_kind : ndarray of int
        Index into ``kinds`` of the attractor with the largest sampled basin
        (``kinds[-1] == "no attractor"`` where none was found).
    kinds : tuple of str
        :data:`ATTRACTOR_KINDS` then ``"no attractor"``.
    dominant_fraction : ndarray
        Its share of the samples (0 where no attractor).
    dominant_location : ndarray, shape (ny, nx, dim)
        Its location (NaN where no attractor).
    multistable : ndarray of bool
        More than one attractor in the cell.
    special_fractions : dict
        ``"diverged"``, ``"unresolved"``, ``"unstable set"`` -> share per cell.
    attractors : tuple of tuple of tuple
        ``attractors[j][i]``: the cell's attractors, by decreasing sampled share.
    cell_fractions : tuple of tuple of tuple
        ``cell_fractions[j][i]``: their shares.
    cell_success : ndarray of bool
        Unresolved share within ``recurrence.max_unresolved`` and no attractor cap hit.
    n_samples : int
        Samples per cell.
    """

    x_param: str
    y_param: str
    x_values: np.ndarray
    y_values: np.ndarray
    n_attractors: np.ndarray
    dominant_kind: np.ndarray
    kinds: tuple
    dominant_fraction: np.ndarray
    dominant_location: np.ndarray
    multistable: np.ndarray
    special_fractions: dict
    attractors: tuple
    cell_fractions: tuple
    cell_success: np.ndarray
    n_samples: int

    def to_dataframe(self):
        """One row per cell: the two parameters' values, ``n_attractors``, the dominant attractor's
        kind and share, ``multistable``, ``cell_success`` and the special shares.

        Returns
        -------
        pandas.DataFrame

        Raises
        ------
        ImportError
            pandas is not installed (``pip install 'equilibria[data]'``).
        """
        from ._dataout import generic_regime_frame

        return generic_regime_frame(self)

    def to_xarray(self):
        """The diagram as an xarray Dataset whose dimensions are the two parameter names.

        Returns
        -------
        xarray.Dataset

        Raises
        ------
        ImportError
            xarray is not installed (``pip install 'equilibria[data]'``).
        """
        from ._dataout import generic_regime_dataset

        return generic_regime_dataset(self)

    def plot(self, ax=None, title: str | None = None, show: str = "both"):
        """Categorical images: number of attractors, and kind of the dominant attractor with
        multistable cells marked.

        Parameters
        ----------
        ax : matplotlib.axes.Axes or pair of Axes, optional
            One Axes for ``show="count"`` or ``"kind"``, two for ``"both"`` (a new figure when
            omitted).
        title : str, optional
            Figure title.
        show : {"both", "count", "kind"}, default "both"
            Which image(s).

        Returns
        -------
        matplotlib.figure.Figure
            The figure.
        """
        return _plot_regimes(self, ax=ax, title=check_title(title), show=show)


def generic_regime_diagram(system, x_param: str, x_values, y_param: str, y_values,
                           grid: Grid, *, sampler=None, n: int = DEFAULT_REGIME_SAMPLES,
                           seed=0, sweeps: int = DEFAULT_SWEEPS,
                           options: IntegratorOptions | None = None,
                           recurrence: RecurrenceOptions | None = None, executor=None,
                           progress: bool | None = None) -> GenericRegimeResult:
    r"""Regime (phase) diagram of any system over two parameters, by the machinery of
    :func:`global_continuation`.

    Every cell :math:`(x_i, y_j)` runs the recurrence machine on the same ``n`` samples (first
    pass), then seeded passes add states of the attractors of the cell and of its four lattice
    neighbours (the seeding of [1, 2] on a plane); the cells of a pass are independent work
    items.  Per cell: the number of attractors, the kind and sampled share of the dominant one
    (largest share of the samples), and whether the cell is multistable (more than one
    attractor).

    Stopping rule: the machine's per orbit; at most ``sweeps`` seeded passes (fewer when no
    seed changes).

    Parameters
    ----------
    system : ODE or Map
        The system.
    x_param, y_param : str
        Two distinct parameters of the system.
    x_values, y_values : array_like
        Finite values, each strictly monotone.
    grid : Grid
        Cells of the machine (one axis per state coordinate).
    sampler : callable or ConvexSet, optional
        As in :func:`global_continuation` (default uniform in the grid's box).
    n : int, default 200
        Samples per cell (the same in every cell).
    seed : int or Generator, default 0
        Random state of the samples.
    sweeps : int >= 0, default 1
        Seeded passes.
    options : IntegratorOptions, optional
        Integrator settings.
    recurrence : RecurrenceOptions, optional
        Machine thresholds.
    executor : concurrent.futures.Executor, optional
        Runs the cells of a pass (identical result to the serial run).
    progress : bool or None, default None
        tqdm bar per pass.

    Returns
    -------
    GenericRegimeResult
        ``success=False`` (with a ConvergenceWarning) when some cell failed (unresolved share
        or attractor cap).

    Raises
    ------
    ValueError
        Unknown or equal parameter names, bad values, ``grid`` of the wrong dimension.
    """
    system, n, opt, ropt, sweeps = _check_common(system, grid, n, options, recurrence, sweeps,
                                                 executor)
    x_param = _check_param(system, x_param, "x_param")
    y_param = _check_param(system, y_param, "y_param")
    if x_param == y_param:
        raise ValueError(f"`x_param` and `y_param` must differ, both are {x_param!r}")
    xv = _check_values(x_values, "x_values")
    yv = _check_values(y_values, "y_values")
    X0 = _samples(system, grid, sampler, n, seed)
    nx, ny = xv.size, yv.size
    params = [{x_param: float(xv[i]), y_param: float(yv[j])} for j in range(ny)
              for i in range(nx)]
    neighbours = []
    for j in range(ny):
        for i in range(nx):
            nb = [(j + dj) * nx + (i + di) for dj, di in ((-1, 0), (0, -1), (0, 1), (1, 0))
                  if 0 <= j + dj < ny and 0 <= i + di < nx]
            neighbours.append(nb)
    sites, runs = _seeded_sweeps(system, grid, X0, opt, ropt, params, neighbours, sweeps,
                                 executor, progress, "regime diagram")
    kinds = ATTRACTOR_KINDS + (NO_ATTRACTOR,)
    count = np.zeros((ny, nx), dtype=np.int64)
    dom = np.full((ny, nx), len(kinds) - 1, dtype=np.int64)
    dfrac = np.zeros((ny, nx))
    dloc = np.full((ny, nx, system.dim), np.nan)
    spec = {nm: np.zeros((ny, nx)) for nm in SPECIAL_LABELS.values()}
    ok = np.ones((ny, nx), dtype=bool)
    att_rows, fr_rows = [], []
    for j in range(ny):
        arow, frow = [], []
        for i in range(nx):
            s = sites[j * nx + i]
            f = np.array([np.mean(s.labels == q + 1) for q in range(len(s.attractors))])
            order = np.argsort(-f, kind="stable")
            arow.append(tuple(s.attractors[q] for q in order))
            frow.append(tuple(float(f[q]) for q in order))
            count[j, i] = len(s.attractors)
            if order.size:
                a = s.attractors[order[0]]
                dom[j, i] = kinds.index(a.kind) if a.kind in kinds else len(kinds) - 1
                dfrac[j, i] = f[order[0]]
                dloc[j, i] = a.location
            for code, nm in SPECIAL_LABELS.items():
                spec[nm][j, i] = float(np.mean(s.labels == code))
            ok[j, i] = not s.overflow and spec["unresolved"][j, i] <= ropt.max_unresolved
        att_rows.append(tuple(arow))
        fr_rows.append(tuple(frow))
    multi = count > 1
    empty = count == 0  # no attractor: dominant_location is NaN there
    success = bool(np.all(ok)) and not bool(np.any(empty))
    msg = (f"{nx * ny} cells ({runs} machine runs): {int(multi.sum())} multistable, "
           f"at most {int(count.max())} attractor(s) per cell")
    if not np.all(ok):
        msg += (f"; {int((~ok).sum())} cell(s) with unresolved share above "
                f"{ropt.max_unresolved:g} or the attractor cap hit: raise "
                "`recurrence.max_steps`, or refine the grid")
    if np.any(empty):
        msg += (f"; {int(empty.sum())} cell(s) with no attractor (every initial condition "
                "diverged, was unresolved or reached an unstable set; `dominant_location` is "
                "NaN there): check the parameter range and the grid")
    return finish(GenericRegimeResult, success=success,
                  status=Status.SUCCESS if success else Status.MAX_ITER, message=msg,
                  n_iter=runs, x_param=x_param, y_param=y_param, x_values=xv, y_values=yv,
                  n_attractors=count, dominant_kind=dom, kinds=kinds, dominant_fraction=dfrac,
                  dominant_location=dloc, multistable=multi, special_fractions=spec,
                  attractors=tuple(att_rows), cell_fractions=tuple(fr_rows), cell_success=ok,
                  n_samples=n)


# ---------------------------------------------------------------------------------- figures
def _plot_continuation(res, ax=None, title=None):
    from equilibria._lib.figures import figure_axes
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from .plotting import ATTRACTOR_COLORS, SPECIAL_COLORS

    K = len(res.ids)
    h_top = min(0.4, 0.08 + 0.06 * max(K, 1))  # existence panel, relative to the fractions
    if ax is None:
        fig, (top_ax, ax), _ = figure_axes(None, figsize=(8.4, 5.0 + 4.0 * h_top), nrows=2,
                                           ncols=1, sharex=True, height_ratios=[h_top, 1.0])
    else:
        fig = ax.figure
        top_ax = ax.inset_axes([0.0, 1.03, 1.0, h_top], sharex=ax)
    v = res.values
    order = np.argsort(v)  # draw in increasing parameter
    v = v[order]
    frac = res.fractions[order]
    present = res.present[order]
    edges = cell_edges(v)
    cols = [ATTRACTOR_COLORS[(g - 1) % len(ATTRACTOR_COLORS)] for g in res.ids]
    base = np.zeros(v.size)
    handles: list = []
    for j, g in enumerate(res.ids):
        top = base + frac[:, j]
        ax.stairs(top, edges, baseline=base, fill=True, color=cols[j], lw=0)
        ax.stairs(top, edges, baseline=None, color="white", lw=0.4)
        thin = present[:, j] & (frac[:, j] < MIN_VISIBLE_FRACTION)
        if np.any(thin):
            ax.plot(v[thin], base[thin] + frac[thin, j], "v", ms=5, mfc=cols[j], mec="k",
                    mew=0.6, zorder=6, clip_on=False)
        handles.append(Patch(facecolor=cols[j], edgecolor="k", label=res.label_of(g)))
        base = top
    spec_style = {"diverged": {}, "unresolved": {}, "unstable set": {"hatch": "///"}}
    for nm, f in res.special_fractions.items():
        f = f[order]
        if not np.any(f > 0):
            continue
        top = base + f
        ax.stairs(top, edges, baseline=base, fill=True, color=SPECIAL_COLORS[nm],
                  ec="0.5", lw=0.3, **spec_style[nm])
        handles.append(Patch(facecolor=SPECIAL_COLORS[nm], edgecolor="0.5",
                             label=f"{nm} (max {100 * f.max():.1f}%)", **spec_style[nm]))
        base = top
    if K and np.any(present & (frac < MIN_VISIBLE_FRACTION)):
        handles.append(Line2D([], [], color="0.4", marker="v", mec="k", ls="",
                              label=f"present, share < {100 * MIN_VISIBLE_FRACTION:g}%"))
    # transitions: an id appears or disappears between two sampled values
    cuts = [0.5 * (v[k - 1] + v[k]) for k in range(1, v.size)
            if not np.array_equal(present[k], present[k - 1])]
    atts = [res.attractors[k] for k in order]
    kinds_seen: list[str] = []
    for j, g in enumerate(res.ids):
        row = K - 1 - j
        seg = np.where(present[:, j], row, np.nan)
        top_ax.plot(v, seg, "-", color=cols[j], lw=2.0)
        for k in np.flatnonzero(present[:, j]):  # the marker shows the kind at each value
            kind = atts[k][g].kind
            if kind not in kinds_seen:
                kinds_seen.append(kind)
            top_ax.plot(v[k], row, KIND_MARKERS.get(kind, "o"), ms=4.5 if kind != "chaotic"
                        else 7, mfc=cols[j], mec="k", mew=0.5, ls="")
    top_ax.set_yticks(range(K))
    top_ax.set_yticklabels([f"A{g}" for g in res.ids[::-1]], fontsize=8)
    top_ax.set_ylim(-0.6, K - 0.4)
    top_ax.tick_params(axis="x", labelbottom=False)
    top_ax.set_ylabel("exists", fontsize=8)
    for c in cuts:
        for a in (ax, top_ax):
            a.axvline(c, color="k", lw=0.6, ls="--", alpha=0.7, zorder=7)
    if cuts:
        handles.append(Line2D([], [], color="k", lw=0.6, ls="--",
                              label="attractor appears / disappears"))
    for kind in kinds_seen:
        handles.append(Line2D([], [], marker=KIND_MARKERS.get(kind, "o"), mfc="white",
                              mec="k", ls="", label=f"exists as {kind}"))
    ax.plot(v, np.zeros_like(v), "|", color="k", ms=6, clip_on=False, zorder=8)
    ax.set_xlim(edges[0], edges[-1])
    ax.set_ylim(0, 1)
    ax.set_xlabel(res.param)
    ax.set_ylabel("fraction of the samples")
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2,
              fontsize=8, frameon=False)
    top_ax.set_title(title or f"Global continuation along {res.param} "
                              f"(n = {res.labels.shape[1]} samples per value)", fontsize=10)
    return fig


#: markers of the attractor kinds in the existence panel of continuation figures
KIND_MARKERS = {"fixed point": "o", "periodic orbit": "s", "heteroclinic cycle": "D",
                "quasi-periodic": "^", "chaotic": "*"}
#: colours of the attractor kinds in regime images (colour-blind-safe), then "no attractor"
KIND_COLORS = {"fixed point": "#0072B2", "periodic orbit": "#E69F00",
               "heteroclinic cycle": "#F0E442", "quasi-periodic": "#009E73",
               "chaotic": "#D55E00", NO_ATTRACTOR: "#BBBBBB"}


def _plot_regimes(res, ax=None, title=None, show="both"):
    from matplotlib import colormaps
    from matplotlib.colors import ListedColormap, to_rgb
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from equilibria._lib.figures import figure_axes, mark_thin_regions

    show = check_option(show, "show", ("both", "count", "kind"))
    panels = ["count", "kind"] if show == "both" else [show]
    own = ax is None
    if own:
        fig, axes, _ = figure_axes(None, figsize=(5.6 * len(panels), 5.0), nrows=1,
                                   ncols=len(panels), squeeze=False)
        axes = list(axes[0])
    else:
        axes = list(ax) if isinstance(ax, (list, tuple, np.ndarray)) else [ax]
        if len(axes) != len(panels):
            raise ValueError(f"`ax` must give {len(panels)} Axes for show={show!r}, got "
                             f"{len(axes)}")
        fig = axes[0].figure
    x, y = res.x_values, res.y_values
    ordx, ordy = np.argsort(x), np.argsort(y)
    ex, ey = cell_edges(x[ordx]), cell_edges(y[ordy])
    yy, xx = np.nonzero(res.multistable[np.ix_(ordy, ordx)])
    xs, ys = x[ordx], y[ordy]
    for a, panel in zip(axes, panels, strict=True):
        if panel == "count":
            C = res.n_attractors[np.ix_(ordy, ordx)]
            top = int(C.max())
            seq = colormaps["cividis"].resampled(max(top, 1))
            cols = ["#DDDDDD"] + [seq(i) for i in range(max(top, 1))]
            a.pcolormesh(ex, ey, C, cmap=ListedColormap(cols), vmin=-0.5,
                         vmax=len(cols) - 0.5, shading="flat")
            mark_thin_regions(a, C, xs, ys, cols)
            if C.size <= MAX_ANNOTATED_CELLS:
                for j in range(C.shape[0]):
                    for i in range(C.shape[1]):
                        r, g, b = to_rgb(cols[C[j, i]])
                        dark = 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.5
                        a.text(xs[i], ys[j], str(C[j, i]), ha="center", va="center",
                               fontsize=8, color="w" if dark else "k")
            h = [Patch(facecolor=cols[c], edgecolor="k", label=f"{c} attractor(s)")
                 for c in sorted(set(C.ravel().tolist()))]
            a.set_title("number of attractors", fontsize=10)
        else:
            Kd = res.dominant_kind[np.ix_(ordy, ordx)]
            cols = [KIND_COLORS[k] for k in res.kinds]
            a.pcolormesh(ex, ey, Kd, cmap=ListedColormap(cols), vmin=-0.5,
                         vmax=len(cols) - 0.5, shading="flat")
            thin = mark_thin_regions(a, Kd, xs, ys, cols)
            kinds_seen, counts = np.unique(Kd, return_counts=True)
            h = [Patch(facecolor=cols[k], edgecolor="k",
                       label=f"{res.kinds[k]} ({100 * c / Kd.size:.0f}%"
                             f"{', marked' if k in thin else ''})")
                 for k, c in zip(kinds_seen.tolist(), counts.tolist(), strict=True)]
            a.set_title("kind of the dominant attractor", fontsize=10)
            if yy.size:  # the count panel shows multistability by itself
                a.plot(xs[xx], ys[yy], "o", ms=3.5, mfc="white", mec="k", mew=0.7, ls="")
                h.append(Line2D([], [], marker="o", mfc="white", mec="k", ls="",
                                label="multistable"))
        a.set_xlim(ex[0], ex[-1])
        a.set_ylim(ey[0], ey[-1])
        a.set_xlabel(res.x_param)
        a.set_ylabel(res.y_param)
        a.legend(handles=h, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3,
                 fontsize=8, frameon=False)
    text = title or (f"Regime diagram over ({res.x_param}, {res.y_param}), "
                     f"{res.n_samples} samples per cell")
    if own:
        fig.suptitle(text, fontsize=11)
    elif title is not None:  # the caller's figure: no suptitle (it would change its layout)
        axes[0].set_title(text, fontsize=10)
    return fig
