r"""Analyses over many initial conditions and parameters: basins, continuation, regime
diagrams, shocks, sensitivity and the governance-regime table.

Every long sweep takes ``executor=`` (any :class:`concurrent.futures.Executor`, including a
``dask.distributed`` client's ``get_executor()``) and ``progress=`` (tqdm bar), through
:func:`equilibria._lib.sweep.parallel_map`; results are identical serially and on an executor
because the work items are deterministic.

Attractor identification does not need the attractors in advance: each initial condition is
integrated (batched DP5(4), :mod:`._kernels`) until the steady-state rule
``max_i |f_i(x)| <= ftol`` or ``t_end``; converged end states are clustered at distance
``cluster_tol * (1 + |x|_inf)`` and each cluster is polished by Newton into an equilibrium.
Orbits that do not converge by ``t_end``, and orbits parked at an unstable equilibrium, go to
the recurrence fallback (:mod:`equilibria.odes.recurrence`): continued for a window, they are
labelled as late-converged, ``periodic`` (limit cycles and other recurrent sets) or
``heteroclinic`` attractors, identified without knowing them in advance and matched across
parameter values by :func:`basin_continuation`.  What remains is ``NOT_CONVERGED`` (-1) unless
its end state lies within ``cluster_tol`` of a found equilibrium (slow convergence); divergent
orbits are ``DIVERGED`` (-2); non-finite or failed integrations ``FAILED`` (-3).

References
----------
1. G. Datseris, A. Wagemakers, "Effortless estimation of basins of attraction", Chaos 32
   (2022) 023104 (Attractors.jl).
2. G. Datseris, K. L. Rossi, A. Wagemakers, "Framework for global stability analysis of
   dynamical systems", Chaos 33 (2023) 073151 (global continuation, attractor matching).
3. I. M. Sobol', "Global sensitivity indices for nonlinear mathematical models", Math. Comput.
   Simul. 55 (2001) 271-280; scipy.stats.sobol_indices (Saltelli 2010 estimators).
"""

from __future__ import annotations

import dataclasses
import functools
from typing import TYPE_CHECKING, Any

import numpy as np

from equilibria._lib.result import Result, Status, finish
from equilibria._lib.sweep import parallel_map
from equilibria._lib.validation import (as_float_array, check_int, check_option, check_scalar)

from .model import OUTCOME_CLASSES, CoexistenceModel, classify
from .systems import LVSystem

if TYPE_CHECKING:
    from matplotlib.artist import Artist

__all__ = ["BasinResult", "ContinuationResult", "RegimeResult", "ShockResult",
           "SensitivityResult", "basin_sweep", "basin_continuation", "regime_diagram",
           "shock_test", "sensitivity", "regime_table", "format_table", "identify_attractors",
           "NOT_CONVERGED", "DIVERGED", "FAILED", "GENERIC_CLASSES"]

NOT_CONVERGED, DIVERGED, FAILED = -1, -2, -3
_SPECIAL = {NOT_CONVERGED: "not converged", DIVERGED: "diverged", FAILED: "failed"}

#: colours of the outcome classes (colour-blind-friendly Okabe-Ito palette)
CLASS_COLORS = {"coexistence": "#009E73", "weak coexistence": "#56B4E9",
                "AI domination": "#D55E00", "human domination": "#CC79A7",
                "suppressed development": "#E69F00", "collapse": "#000000",
                "oscillation": "#0072B2", "heteroclinic cycling": "#F0E442",
                "equilibrium": "#009E73", "periodic orbit": "#0072B2",
                "heteroclinic cycle": "#F0E442",
                "not converged": "#BBBBBB", "diverged": "#666666", "failed": "#FFFFFF"}


def _system(model) -> LVSystem:
    if isinstance(model, CoexistenceModel):
        return model.system
    if isinstance(model, LVSystem):
        return model
    raise TypeError(f"`model` must be a CoexistenceModel or LVSystem, got {type(model).__name__}")


#: outcome class of a recurrent attractor, per kind: (CoexistenceModel, other systems)
_REC_CLASSES = {"periodic": ("oscillation", "periodic orbit"),
                "heteroclinic": ("heteroclinic cycling", "heteroclinic cycle")}
#: outcome classes of systems other than the coexistence model
GENERIC_CLASSES = ("equilibrium", "periodic orbit", "heteroclinic cycle", "not converged",
                   "diverged")


def _class_of(model, x, kind: str = "equilibrium") -> str:
    if kind != "equilibrium":
        return _REC_CLASSES[kind][0 if isinstance(model, CoexistenceModel) else 1]
    if isinstance(model, CoexistenceModel):
        return classify(model.indices(x))
    return "equilibrium"


# ------------------------------------------------------------------------------------------
# attractor identification
# ------------------------------------------------------------------------------------------
def _run_chunk(system, X0, t_end, ftol, rtol, atol, max_iter):
    run = system.simulate_batch(X0, t_end, ftol=ftol, rtol=rtol, atol=atol,
                                max_iter=max_iter)
    return run.x, run.status


def _cluster(system, X, rows, labels, centers, cluster_tol):
    """Assign ``rows`` of ``X`` to the nearest center within ``cluster_tol (1 + |c|)``, else
    start a new center (median of the new cluster, polished by Newton)."""
    rows = np.asarray(rows, dtype=np.int64)
    todo = np.zeros(X.shape[0], dtype=bool)
    todo[rows] = True
    if centers:
        C = np.array(centers)
        for i in rows:
            d = np.max(np.abs(C - X[i]), axis=1)
            k = int(np.argmin(d))
            if d[k] <= cluster_tol * (1 + np.max(np.abs(C[k]))):
                labels[i] = k
                todo[i] = False
    while np.any(todo):
        i = int(np.flatnonzero(todo)[0])
        c = X[i]
        d = np.max(np.abs(X - c), axis=1)
        near = todo & (d <= cluster_tol * (1 + np.max(np.abs(c))))
        med = np.median(X[near], axis=0)
        P, ok = system._newton(med[None, :])
        centers.append(P[0] if ok[0] and np.all(P[0] > -1e-9) else med)
        labels[near] = len(centers) - 1
        todo &= ~near


def _converged_mask(system, X, status, ftol):
    fin = np.isin(status, (0, 1)) & np.all(np.isfinite(X), axis=1)
    conv = fin & (status == 1)
    idx = np.flatnonzero(fin & (status == 0))  # reached t_end: converged if the field is small
    if idx.size:
        f = _field_rows(system, np.maximum(X[idx], 0.0))
        conv[idx[np.max(np.abs(f), axis=1) <= 100 * ftol]] = True
    return fin, conv


def _field_rows(system, X):
    """The vector field at every row of ``X`` (vectorized form of ``_kernels._field``)."""
    AX = X @ system.A.T
    if system.kind == "replicator":
        return X * (AX - np.sum(X * AX, axis=1, keepdims=True))
    return X * (system.r + AX + (X / (1.0 + system.q * X)) @ system.M.T)


def identify_attractors(system: LVSystem, X, status, *, ftol: float = 1e-6,
                        cluster_tol: float = 1e-3):
    """Cluster end states into equilibrium attractors (no recurrence fallback).

    Returns ``(labels, attractors)``: ``labels[i]`` is the attractor index of row ``i`` or one
    of ``NOT_CONVERGED``, ``DIVERGED``, ``FAILED``; ``attractors`` has one row per attractor,
    ordered by decreasing basin size.  Non-converged finite end states within
    ``cluster_tol`` of a found attractor are given its label.  :func:`basin_sweep` adds the
    recurrence fallback of :mod:`equilibria.odes.recurrence` on top of this.

    Parameters
    ----------
    system : LVSystem
        The system the end states belong to.
    X : array_like, shape (m, n)
        End states of ``m`` integrations (e.g. ``BatchRun.x``).
    status : array_like of int, shape (m,)
        Integration statuses of the rows (``BatchRun.status``, see
        :data:`~equilibria.odes.systems.STATUS_NAMES`): 1 (steady state) counts as converged, 0
        (``t_end`` reached) when ``max_i |f_i| <= 100 ftol`` at the end state, 2 gives
        ``DIVERGED``, 3-5 give ``FAILED``.
    ftol : float, default 1e-6
        Steady-state tolerance on ``max_i |f_i(x)|`` used by the integration.
    cluster_tol : float, default 1e-3
        Relative clustering distance: end states within ``cluster_tol * (1 + |c|_inf)``
        (max-norm) of a center ``c`` share its label.

    Returns
    -------
    labels : ndarray of int64, shape (m,)
        Attractor index per row, or ``NOT_CONVERGED`` (-1), ``DIVERGED`` (-2), ``FAILED`` (-3).
    attractors : ndarray, shape (k, n)
        One equilibrium per attractor (cluster center polished by Newton), ordered by decreasing
        basin size; shape ``(0, n)`` when nothing converged.
    """
    lab = _label_orbits(system, np.asarray(X, dtype=float), np.asarray(status), ftol=ftol,
                        cluster_tol=cluster_tol, recurrence=None)
    return lab[0], lab[1]


def _rec_batch(system, kw, item):
    from .recurrence import continue_orbits
    X, pos0 = item
    return continue_orbits(system, X, pos0=pos0, **kw)


def _unstable(system, c) -> bool:
    return bool(np.max(np.linalg.eigvals(system.jacobian(np.maximum(c, 0.0))).real)
                > 1e-9 * (1.0 + np.max(np.abs(c))))


def _label_orbits(system, X, status, *, ftol, cluster_tol, recurrence, executor=None,
                  progress=False, X0=None):
    """Equilibrium clustering plus (``recurrence`` a dict of options) the recurrence fallback.

    Returns ``(labels, attractors, kinds, cycles)`` ordered by decreasing basin size;
    ``kinds[k]`` in ``("equilibrium", "periodic", "heteroclinic")``, ``cycles[k]`` the samples
    of a recurrent attractor ``k``.
    """
    from .recurrence import (DIVERGED_, FAILED_, HETEROCLINIC, NONRECURRENT, PERIODIC,
                             SETTLED, add_or_merge)

    m = X.shape[0]
    labels = np.full(m, NOT_CONVERGED, dtype=np.int64)
    labels[status == 2] = DIVERGED
    labels[np.isin(status, (3, 4, 5))] = FAILED
    fin, conv = _converged_mask(system, X, status, ftol)
    centers: list[np.ndarray] = []
    _cluster(system, X, np.flatnonzero(conv), labels, centers, cluster_tol)
    glob: list = []  # recurrent attractors (kind, samples, eps, key)
    rec_lab = np.full(m, -1, dtype=np.int64)
    if recurrence is not None:
        bad = [k for k, c in enumerate(centers) if _unstable(system, c)]
        suspects = np.flatnonzero((fin & ~conv) | np.isin(labels, bad) & conv)
        if suspects.size:
            saddles = []
            if system.kind != "holling" and system.n <= 10:  # exact ones first
                eq = system.equilibria(method="support")
                saddles += [p for p, s in zip(eq.points, eq.stable, strict=True) if not s]
            for k in bad:  # de-duplicated: one index per saddle
                c = np.maximum(centers[k], 0.0)
                if not any(np.max(np.abs(c - p)) <= cluster_tol * (1 + np.max(np.abs(p)))
                           for p in saddles):
                    saddles.append(c)
            kw = dict(recurrence, cluster_tol=cluster_tol, saddles=np.array(saddles).reshape(
                -1, system.n))
            parts = np.array_split(suspects, max(1, min(64, suspects.size // 256)))
            out = parallel_map(functools.partial(_rec_batch, system, kw),
                               [(X[p], None if X0 is None else X0[p] > 0) for p in parts],
                               executor=executor, progress=progress,
                               desc="recurrence fallback")
            labels[suspects] = NOT_CONVERGED
            Xn = X.copy()
            for rows, (code, end, group, cyc) in zip(parts, out, strict=True):
                gmap = []
                for c in cyc:  # merge recurrent sets across batches
                    gmap.append(add_or_merge(glob, c))
                for r, cd, e, gr in zip(rows, code, end, group, strict=True):
                    if cd == SETTLED:
                        Xn[r] = e
                        conv[r] = True
                    elif cd in (PERIODIC, HETEROCLINIC):
                        rec_lab[r] = gmap[gr]
                        conv[r] = False
                    elif cd == NONRECURRENT:
                        conv[r] = False
                        Xn[r] = e
                    elif cd == DIVERGED_:
                        labels[r], conv[r] = DIVERGED, False
                    elif cd == FAILED_:
                        labels[r], conv[r] = FAILED, False
            # a heteroclinic group seen at one saddle only (orbits absorbed there by underflow,
            # none seen travelling on): no heteroclinic cycle was observed, so not converged
            for j, g in enumerate(glob):
                if g[0] == "heteroclinic" and g[3][0] == "saddles" and len(g[3][1]) < 2:
                    rec_lab[rec_lab == j] = -2
            settled = suspects[conv[suspects]]
            _cluster(system, Xn, settled, labels, centers, cluster_tol)
            X = Xn
            fin = fin & (labels != DIVERGED) & (labels != FAILED)
    # fallback: non-converged, non-recurrent finite end states within tolerance of a found
    # equilibrium take its label (slow convergence)
    if centers:
        C = np.array(centers)
        for i in np.flatnonzero(fin & ~conv & (rec_lab < 0)):
            d = np.max(np.abs(C - X[i]), axis=1)
            k = int(np.argmin(d))
            if d[k] <= cluster_tol * (1 + np.max(np.abs(C[k]))):
                labels[i] = k
    ne = len(centers)
    labels[rec_lab >= 0] = ne + rec_lab[rec_lab >= 0]
    labels[rec_lab == -2] = NOT_CONVERGED
    states = [np.maximum(c, 0.0) for c in centers] + [g[1].mean(axis=0) for g in glob]
    kinds = ["equilibrium"] * ne + [g[0] for g in glob]
    samples = [None] * ne + [g[1] for g in glob]
    k = len(states)
    counts = np.array([(labels == j).sum() for j in range(k)], dtype=np.int64)
    order = np.argsort(-counts, kind="stable")
    order = order[counts[order] > 0]  # centers left by every orbit (saddles passed) drop out
    if order.size == 0:
        return labels, np.zeros((0, system.n)), (), {}
    remap = np.full(k, NOT_CONVERGED, dtype=np.int64)
    remap[order] = np.arange(order.size)
    lab = labels.copy()
    ok = lab >= 0
    lab[ok] = remap[lab[ok]]
    return (lab, np.array(states)[order], tuple(kinds[j] for j in order),
            {int(i): samples[j] for i, j in enumerate(order) if samples[j] is not None})


# ------------------------------------------------------------------------------------------
# basin sweep
# ------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class BasinResult(Result):
    """Basins on a 2-D slice of initial conditions.

    Attributes
    ----------
    u, v : ndarray
        Grid coordinates (x- and y-axis of the slice).
    labels : ndarray of int, shape (len(v), len(u))
        Attractor index per grid point, or ``NOT_CONVERGED`` / ``DIVERGED`` / ``FAILED``.
    attractors : ndarray (k, n)
    classes : tuple of str
        Outcome class per attractor.
    fractions : ndarray (k,)
        Basin fraction of each attractor.
    special_fractions : dict
        Fractions of non-converged, diverged and failed points.
    axis_labels : (str, str)
    kinds : tuple of str
        Per attractor: ``"equilibrium"`` (``attractors[k]`` is the equilibrium),
        ``"periodic"`` or ``"heteroclinic"`` (recurrence fallback; ``attractors[k]`` is the
        time average of the samples in ``cycles[k]``).
    cycles : dict
        Attractor index -> samples ``(k, n)`` of a recurrent attractor.
    slice_basis : (base, e_u, e_v)
        The slice ``x0 = base + u e_u + v e_v``; recurrent attractors lying in it are drawn
        on the basin image.
    """

    u: np.ndarray
    v: np.ndarray
    labels: np.ndarray
    attractors: np.ndarray
    classes: tuple
    fractions: np.ndarray
    special_fractions: dict
    axis_labels: tuple
    kinds: tuple = ()
    cycles: dict = dataclasses.field(default_factory=dict)
    slice_basis: tuple = ()

    def class_fractions(self) -> dict:
        """Basin fraction per outcome class."""
        out: dict = {}
        for c, f in zip(self.classes, self.fractions, strict=True):
            out[c] = out.get(c, 0.0) + float(f)
        for k, f in self.special_fractions.items():
            if f > 0:
                out[k] = f
        return out

    def plot(self, ax=None, title: str | None = None):
        """Basin image with a legend of attractors (outcome class, basin fraction)."""
        import matplotlib.pyplot as plt
        from matplotlib.colors import ListedColormap
        from matplotlib.patches import Patch

        if ax is None:
            fig, ax = plt.subplots(figsize=(6.4, 5.2), constrained_layout=True)
        else:
            fig = ax.figure
        k = self.attractors.shape[0]
        names = [f"A{i}: {c}" for i, c in enumerate(self.classes)]
        base_cols = [CLASS_COLORS.get(c, f"C{i}") for i, c in enumerate(self.classes)]
        # distinguish attractors of the same class by lightness
        seen: dict = {}
        cols: list[tuple[Any, ...] | str] = []
        import matplotlib.colors as mc
        for c, col in zip(self.classes, base_cols, strict=True):
            j = seen.get(c, 0)
            seen[c] = j + 1
            rgb = np.array(mc.to_rgb(col))
            cols.append(tuple(rgb + (1 - rgb) * min(0.6, 0.3 * j)))
        special = [NOT_CONVERGED, DIVERGED, FAILED]
        cols += [CLASS_COLORS[_SPECIAL[s]] for s in special]
        img = self.labels.copy()
        for j, s in enumerate(special):
            img[self.labels == s] = k + j
        cmap = ListedColormap(cols)
        ax.imshow(img, origin="lower", cmap=cmap, vmin=-0.5, vmax=len(cols) - 0.5,
                  extent=[self.u[0], self.u[-1], self.v[0], self.v[-1]], aspect="auto",
                  interpolation="nearest")
        handles: list[Artist] = [
            Patch(facecolor=cols[i], edgecolor="k",
                  label=f"{names[i]} ({100 * self.fractions[i]:.1f}%)") for i in range(k)]
        for j, s in enumerate(special):
            f = self.special_fractions[_SPECIAL[s]]
            if f > 0:
                handles.append(Patch(facecolor=cols[k + j], edgecolor="k",
                                     label=f"{_SPECIAL[s]} ({100 * f:.1f}%)"))
        if self.slice_basis:  # recurrent attractors that lie in the slice plane, drawn on it
            from matplotlib.lines import Line2D
            base, du, dv = self.slice_basis
            B = np.column_stack([du, dv])
            drawn = False
            for j, Y in self.cycles.items():
                uv = np.linalg.lstsq(B, (Y - base).T, rcond=None)[0].T
                if np.max(np.abs(uv @ B.T + base - Y)) <= 1e-9 * (1 + np.max(np.abs(Y))):
                    ax.plot(uv[:, 0], uv[:, 1], "-", color="white", lw=2.5)
                    ax.plot(uv[:, 0], uv[:, 1], "-", color="k", lw=1.0)
                    ax.annotate(f"A{j}", uv[int(np.argmax(uv[:, 1]))], xytext=(3, 3),
                                textcoords="offset points", fontsize=8)
                    drawn = True
            if drawn:
                handles.append(Line2D([], [], color="k", lw=1.0,
                                      label="recurrent attractor (in the slice)"))
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2,
                  fontsize=8, frameon=False)
        ax.set_xlabel(self.axis_labels[0])
        ax.set_ylabel(self.axis_labels[1])
        ax.set_title(title or "Basins of attraction")
        return fig


def _slice(model, u, v, axes, base):
    system = _system(model)
    n = system.n
    if axes is None:
        if isinstance(model, CoexistenceModel):
            du = np.zeros(n)
            du[model.human_index] = 1.0
            dv = np.zeros(n)
            dv[model.ai_index] = 1.0
            labels = ("initial human level (all groups, layers)",
                      "initial AI level (all systems, layers)")
        else:
            du, dv = np.eye(n)[0], np.eye(n)[1 % n]
            labels = (f"initial {system.names[0]}", f"initial {system.names[1 % n]}")
    else:
        du = as_float_array(axes[0], "axes[0]", shape=(n,))
        dv = as_float_array(axes[1], "axes[1]", shape=(n,))
        labels = ("u", "v")
    if base is None:
        base = np.zeros(n) if isinstance(model, CoexistenceModel) or axes is not None else \
            np.full(n, 0.5) * (1 - np.eye(n)[0] - np.eye(n)[1 % n])
    base = as_float_array(base, "base", shape=(n,), nonneg=True)
    U, V = np.meshgrid(u, v)
    X0 = base[None, :] + U.reshape(-1, 1) * du[None, :] + V.reshape(-1, 1) * dv[None, :]
    return X0, labels, (base, du, dv)


def basin_sweep(model, *, grid: int = 200, u_range=(0.02, 2.5), v_range=None, axes=None,
                base=None, t_end: float = 500.0, ftol: float = 1e-6, rtol: float = 1e-7,
                atol: float = 1e-9, max_iter: int = 100_000, cluster_tol: float = 1e-3,
                recurrence: bool = True, window: float | None = None, n_samples: int = 1000,
                recurrence_tol: float = 1e-2, near_tol: float = 0.05,
                axis_labels=None, chunks: int | None = None, executor=None,
                progress: bool = True) -> BasinResult:
    r"""Basins of attraction on a 2-D slice of initial conditions.

    The slice is ``x0 = base + u * e_u + v * e_v`` on a ``grid x grid`` lattice; for a
    :class:`CoexistenceModel` the default ``e_u`` sets every human level and ``e_v`` every AI
    level (``base = 0``).

    Stopping rule and labels.  Each point is integrated by the batched adaptive DP5(4)
    (:meth:`LVSystem.simulate_batch`, tolerances ``rtol``, ``atol``) until the steady-state
    rule

    .. math:: \max_i |f_i(x(t))| \le \mathtt{ftol}

    or ``t = t_end``.  Converged end states are clustered at sup-distance
    ``cluster_tol * (1 + |x|_inf)`` and each cluster is polished by Newton into an
    equilibrium (no attractor needs to be known in advance [1]).  With ``recurrence=True``
    the orbits that did not converge, and those parked at an *unstable* equilibrium, are
    continued for ``window`` (default ``t_end``) time units sampled at ``n_samples + 1``
    times and labelled by the recurrence fallback of :mod:`equilibria.odes.recurrence`:
    settled late (back to the clustering), ``"periodic"`` (returns to its own
    ``recurrence_tol`` neighbourhood: limit cycles and other recurrent sets), or
    ``"heteroclinic"`` (lingers near ``>= 2`` unstable equilibria within ``near_tol``, or
    approaches the boundary geometrically); the rest are ``NOT_CONVERGED``.  The recurrence
    work items also run on ``executor``.  Orbits labelled periodic are a finite-time,
    finite-resolution verdict, not a proof of periodicity.

    Parameters
    ----------
    model : CoexistenceModel or LVSystem
    grid : int >= 2
    u_range, v_range : (float, float), >= 0
    axes : (array (n,), array (n,)), optional
        Slice directions ``e_u``, ``e_v``.
    base : array (n,) >= 0, optional
    axis_labels : (str, str), optional
        Axis labels of the plot (default: from the model, or ``"u"``, ``"v"`` with ``axes``).
    t_end, ftol, rtol, atol, max_iter : integration and stopping rule (above).
    cluster_tol : float > 0
    recurrence, window, n_samples, recurrence_tol, near_tol : recurrence fallback (above).
    chunks : int, optional
        Work items of the integration (default ``min(64, grid^2 // 2048)``).
    executor : concurrent.futures.Executor, optional
    progress : bool
        tqdm progress bar (``False`` turns it off).

    Returns
    -------
    BasinResult
        ``success=False`` (with a warning) when some points diverged, failed or did not
        converge: raise ``t_end`` or ``window``, or inspect ``special_fractions``.

    References
    ----------
    1. G. Datseris, A. Wagemakers, Chaos 32 (2022) 023104 (Attractors.jl).
    """
    system = _system(model)
    grid = check_int(grid, "grid", lo=2)
    u_range = as_float_array(u_range, "u_range", shape=(2,), nonneg=True)
    v_range = u_range if v_range is None else as_float_array(v_range, "v_range", shape=(2,),
                                                             nonneg=True)
    u = np.linspace(u_range[0], u_range[1], grid)
    v = np.linspace(v_range[0], v_range[1], grid)
    X0, labels_ax, basis = _slice(model, u, v, axes, base)
    if axis_labels is not None:
        if len(axis_labels) != 2 or not all(isinstance(a, str) for a in axis_labels):
            raise ValueError(f"`axis_labels` must be two strings, got {axis_labels!r}")
        labels_ax = tuple(axis_labels)
    t_end = check_scalar(t_end, "t_end", lo=0, lo_inclusive=False)
    ftol = check_scalar(ftol, "ftol", lo=0)
    rtol = check_scalar(rtol, "rtol", lo=0, lo_inclusive=False)
    atol = check_scalar(atol, "atol", lo=0, lo_inclusive=False)
    max_iter = check_int(max_iter, "max_iter", lo=1)
    cluster_tol = check_scalar(cluster_tol, "cluster_tol", lo=0, lo_inclusive=False)
    rec = _recurrence_options(recurrence, window, t_end, n_samples, recurrence_tol, near_tol,
                              rtol, atol, max_iter)
    chunks = check_int(chunks if chunks is not None else max(1, min(64, X0.shape[0] // 2048)),
                       "chunks", lo=1)
    parts = np.array_split(X0, chunks)
    fn = functools.partial(_run_chunk_star, system, t_end, ftol, rtol, atol, max_iter)
    out = parallel_map(fn, parts, executor=executor, progress=progress, desc="basin sweep")
    X = np.vstack([o[0] for o in out])
    status = np.concatenate([o[1] for o in out])
    lab, att, kinds, cycles = _label_orbits(system, X, status, ftol=ftol,
                                            cluster_tol=cluster_tol, recurrence=rec,
                                            executor=executor, progress=progress, X0=X0)
    N = lab.size
    fr = np.array([(lab == k).sum() / N for k in range(att.shape[0])])
    special = {_SPECIAL[s]: float((lab == s).sum() / N) for s in _SPECIAL}
    classes = tuple(_class_of(model, a, kd) for a, kd in zip(att, kinds, strict=True))
    ok = all(f == 0 for f in special.values())
    msg = (f"{att.shape[0]} attractor(s); fractions " +
           ", ".join(f"{c} {100 * f:.1f}%" for c, f in zip(classes, fr, strict=True)))
    if not ok:
        msg += ("; some points did not converge/diverged (" + ", ".join(
            f"{k} {100 * f:.2f}%" for k, f in special.items() if f > 0) +
            "): increase `t_end` or `max_iter`")
    return finish(BasinResult, success=ok, status=Status.SUCCESS if ok else Status.MAX_ITER,
                  message=msg, n_iter=int(N), u=u, v=v, labels=lab.reshape(grid, grid),
                  attractors=att, classes=classes, fractions=fr, special_fractions=special,
                  axis_labels=labels_ax, kinds=kinds, cycles=cycles, slice_basis=basis)


def _recurrence_options(recurrence, window, t_end, n_samples, recurrence_tol, near_tol, rtol,
                        atol, max_iter):
    """Validated options of the recurrence fallback (``None`` when it is off)."""
    if not isinstance(recurrence, (bool, np.bool_)):
        raise TypeError(f"`recurrence` must be a bool, got {type(recurrence).__name__}")
    window = t_end if window is None else check_scalar(window, "window", lo=0,
                                                       lo_inclusive=False)
    opts = dict(window=window, n_samples=check_int(n_samples, "n_samples", lo=8),
                recurrence_tol=check_scalar(recurrence_tol, "recurrence_tol", lo=0,
                                            lo_inclusive=False),
                near_tol=check_scalar(near_tol, "near_tol", lo=0, lo_inclusive=False),
                rtol=rtol, atol=atol, max_iter=max_iter, bound=1e8)
    return opts if recurrence else None


def _run_chunk_star(system, t_end, ftol, rtol, atol, max_iter, X0):
    return _run_chunk(system, X0, t_end, ftol, rtol, atol, max_iter)


# ------------------------------------------------------------------------------------------
# continuation of basin fractions
# ------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class ContinuationResult(Result):
    """Basin fractions along a parameter, attractors matched across values.

    Attributes
    ----------
    param : str
    values : ndarray (p,)
    fractions : ndarray (p, k)
        Basin fraction of matched attractor ``j`` at each value (0 where absent).
    attractor_states : list of dict
        Per matched attractor: ``{value_index: state}``.
    attractor_classes : list of dict
        Per matched attractor: ``{value_index: outcome class}``.
    class_fractions : ndarray (p, len(class_names))
        Basin fraction per outcome class (columns ordered as ``class_names``).
    class_names : tuple of str
        :data:`OUTCOME_CLASSES` for the coexistence model, else ``GENERIC_CLASSES``.
    """

    param: str
    values: np.ndarray
    fractions: np.ndarray
    attractor_states: list
    attractor_classes: list
    class_fractions: np.ndarray
    class_names: tuple = OUTCOME_CLASSES

    def plot(self, ax=None, title: str | None = None):
        """Stacked basin fractions by outcome class along the parameter."""
        import matplotlib.pyplot as plt

        if ax is None:
            fig, ax = plt.subplots(figsize=(7.2, 4.2), constrained_layout=True)
        else:
            fig = ax.figure
        names = self.class_names
        keep = [j for j in range(len(names)) if self.class_fractions[:, j].max() > 0]
        ax.stackplot(self.values, *[self.class_fractions[:, j] for j in keep],
                     labels=[names[j] for j in keep],
                     colors=[CLASS_COLORS[names[j]] for j in keep],
                     edgecolor="white", linewidth=0.3, step="mid")  # sampled values: steps
        ax.plot(self.values, np.zeros_like(self.values), "|", color="k", ms=6, clip_on=False,
                label="_sampled values")
        ax.set_xlim(self.values[0], self.values[-1])
        ax.set_ylim(0, 1)
        ax.set_xlabel(_PARAM_LABELS.get(self.param, self.param))
        ax.set_ylabel("fraction of initial conditions")
        ax.set_title(title or f"Basin fractions along {self.param}")
        ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8, frameon=False)
        return fig


_PARAM_LABELS = {"g": "governance strength g", "reciprocity": "reciprocity scale",
                 "conflict_asymmetry": "conflict asymmetry (humans - AI)",
                 "freedom": "developmental freedom"}


def _model_at(model, param, value):
    if callable(model) and not isinstance(model, (CoexistenceModel, LVSystem)):
        m = model(value)
        _system(m)  # type check of the factory's output
        return m
    return model.replace(**{param: value})


def _basin_at(model, param, kw, value):
    res = basin_sweep(_model_at(model, param, value), progress=False, **kw)
    return res.attractors, res.fractions, res.classes, res.special_fractions, res.kinds


def basin_continuation(model, param: str, values, *, grid: int = 40,
                       match_tol: float = 0.25, executor=None, progress: bool = True,
                       **sweep_kw) -> ContinuationResult:
    r"""Basin-fraction continuation: the share of initial conditions reaching each attractor
    as ``param`` runs through ``values`` (Attractors.jl's global continuation [2]).

    At each value a :func:`basin_sweep` on a ``grid x grid`` slice finds the attractors
    (equilibria, and with the recurrence fallback periodic and heteroclinic attractors).  An
    attractor at value :math:`p_{k+1}` with representative state :math:`a` (the equilibrium,
    or the time average of a recurrent attractor) is matched to the nearest unmatched
    attractor :math:`b` *of the same kind* at the previous value when

    .. math:: \|a - b\|_\infty \le \mathtt{match\_tol}\,(1 + \|a\|_\infty),

    otherwise it starts a new branch.  Fractions are also summed per outcome class (the
    stacked figure).

    Parameters
    ----------
    model : CoexistenceModel, or callable ``value -> CoexistenceModel | LVSystem``
        A model whose parameter ``param`` is changed by :meth:`CoexistenceModel.replace`, or
        a factory building the system at each value (any model on the same machinery; then
        ``param`` only names the axis).
    param : str
    values : array (p,), finite
    grid : int >= 2
    match_tol : float > 0
    executor, progress : see :func:`basin_sweep` (one work item per value).
    **sweep_kw : options of :func:`basin_sweep`.

    Returns
    -------
    ContinuationResult
    """
    if not (isinstance(model, CoexistenceModel) or callable(model)) or \
            isinstance(model, LVSystem):
        raise TypeError("`model` must be a CoexistenceModel or a callable value -> model")
    if not isinstance(param, str):
        raise TypeError("`param` must be a str")
    values = as_float_array(values, "values", ndim=1, min_size=1)
    match_tol = check_scalar(match_tol, "match_tol", lo=0, lo_inclusive=False)
    sweep_kw = dict(sweep_kw, grid=check_int(grid, "grid", lo=2))
    first = _model_at(model, param, float(values[0]))  # validates the name / factory early
    names = OUTCOME_CLASSES if isinstance(first, CoexistenceModel) else GENERIC_CLASSES
    out = parallel_map(functools.partial(_basin_at, model, param, sweep_kw), list(values),
                       executor=executor, progress=progress, desc=f"continuation in {param}")
    branches_state: list[dict] = []
    branches_class: list[dict] = []
    frac_rows: list[dict] = []
    prev: list[tuple[int, np.ndarray, str]] = []
    cls_fr = np.zeros((values.size, len(names)))
    for k, (att, fr, classes, special, kinds) in enumerate(out):
        row: dict = {}
        cur = []
        free = list(prev)
        for a, f, c, kd in zip(att, fr, classes, kinds, strict=True):
            best, bd = None, np.inf
            for j, (_, s, ks) in enumerate(free):
                d = float(np.max(np.abs(a - s)))
                if ks == kd and d < bd:
                    best, bd = j, d
            if best is not None and bd <= match_tol * (1 + np.max(np.abs(a))):
                bid = free.pop(best)[0]
            else:
                bid = len(branches_state)
                branches_state.append({})
                branches_class.append({})
            branches_state[bid][k] = a
            branches_class[bid][k] = c
            row[bid] = row.get(bid, 0.0) + f
            cur.append((bid, a, kd))
            cls_fr[k, names.index(c)] += f
        cls_fr[k, names.index("not converged")] += special["not converged"] + \
            special["failed"]
        cls_fr[k, names.index("diverged")] += special["diverged"]
        prev = cur
        frac_rows.append(row)
    F = np.zeros((values.size, len(branches_state)))
    for k, row in enumerate(frac_rows):
        for bid, f in row.items():
            F[k, bid] = f
    return finish(ContinuationResult, success=True, status=Status.SUCCESS,
                  message=f"{len(branches_state)} attractor branch(es) over {values.size} "
                          f"values of {param}", n_iter=int(values.size), param=param,
                  values=values, fractions=F, attractor_states=branches_state,
                  attractor_classes=branches_class, class_fractions=cls_fr,
                  class_names=tuple(names))


# ------------------------------------------------------------------------------------------
# regime diagram
# ------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class RegimeResult(Result):
    """Outcome class per cell of a parameter plane.

    Attributes
    ----------
    x_param, y_param : str
    x_values, y_values : ndarray
    classes : ndarray of int, shape (len(y), len(x))
        Index into :data:`OUTCOME_CLASSES` of the attractor with the largest basin share.
    multistable : ndarray of bool
        More than one attractor reached from the sampled initial states.
    coexistence : ndarray
        Coexistence index of the dominant attractor (NaN in cells where no attractor was
        found; their class is then ``not converged`` or ``diverged``).
    """

    x_param: str
    y_param: str
    x_values: np.ndarray
    y_values: np.ndarray
    classes: np.ndarray
    multistable: np.ndarray
    coexistence: np.ndarray

    def plot(self, ax=None, title: str | None = None):
        """Categorical image of outcome classes; dots mark multistable cells."""
        import matplotlib.pyplot as plt
        from matplotlib.colors import ListedColormap
        from matplotlib.lines import Line2D
        from matplotlib.patches import Patch

        if ax is None:
            fig, ax = plt.subplots(figsize=(6.8, 5.2), constrained_layout=True)
        else:
            fig = ax.figure
        cols = [CLASS_COLORS[c] for c in OUTCOME_CLASSES]
        x, y = self.x_values, self.y_values
        dx = (x[1] - x[0]) / 2 if x.size > 1 else 0.5
        dy = (y[1] - y[0]) / 2 if y.size > 1 else 0.5
        ax.imshow(self.classes, origin="lower", cmap=ListedColormap(cols), vmin=-0.5,
                  vmax=len(cols) - 0.5, extent=[x[0] - dx, x[-1] + dx, y[0] - dy, y[-1] + dy],
                  aspect="auto", interpolation="nearest")
        yy, xx = np.nonzero(self.multistable)
        if yy.size:
            ax.plot(x[xx], y[yy], "k.", ms=3)
        present = sorted(set(self.classes.ravel().tolist()))
        handles: list[Artist] = [Patch(facecolor=cols[j], edgecolor="k",
                                       label=OUTCOME_CLASSES[j]) for j in present]
        if yy.size:
            handles.append(Line2D([], [], color="k", marker=".", ls="", label="multistable"))
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=3,
                  fontsize=8, frameon=False)
        ax.set_xlabel(_PARAM_LABELS.get(self.x_param, self.x_param))
        ax.set_ylabel(_PARAM_LABELS.get(self.y_param, self.y_param))
        ax.set_title(title or "Regime diagram (outcome of the largest basin)")
        return fig


def _regime_row(model, x_param, x_values, y_param, X0, kw, y):
    cls = np.empty(len(x_values), dtype=np.int64)
    multi = np.empty(len(x_values), dtype=bool)
    coex = np.empty(len(x_values))
    for i, xv in enumerate(x_values):
        m = model.replace(**{x_param: xv, y_param: y})
        run = m.simulate_batch(X0, kw["t_end"], ftol=kw["ftol"], rtol=1e-7)
        lab, att, kinds, _ = _label_orbits(m.system, run.x, run.status, ftol=kw["ftol"],
                                           cluster_tol=1e-3, recurrence=kw["rec"], X0=X0)
        if att.shape[0] == 0:
            cls[i] = OUTCOME_CLASSES.index("diverged" if np.any(lab == DIVERGED)
                                           else "not converged")
            multi[i] = False
            coex[i] = np.nan
            continue
        ix = m.indices(att[0])
        cls[i] = OUTCOME_CLASSES.index(_class_of(m, att[0], kinds[0]))
        multi[i] = att.shape[0] > 1
        coex[i] = ix.coexistence
    return cls, multi, coex


def regime_diagram(model: CoexistenceModel, x_param: str, x_values, y_param: str, y_values, *,
                   n_ic: int = 24, t_end: float = 500.0, ftol: float = 1e-6, seed=0,
                   recurrence: bool = True, executor=None, progress: bool = True
                   ) -> RegimeResult:
    r"""Outcome class over a parameter plane (e.g. ``g`` x ``conflict_asymmetry``).

    At each cell, ``n_ic`` initial states (log-uniform in ``[0.01, 3]`` per coordinate, the
    same for every cell, drawn from ``seed``) are integrated, their attractors identified
    (:func:`identify_attractors`), and the cell gets the outcome class (:func:`classify`) of
    the attractor with the largest share; cells reaching several attractors are flagged
    ``multistable``.  Rows of the plane are the parallel work items.

    Stopping rule per orbit: ``max_i |f_i| <= ftol`` or ``t_end`` (DP5(4), ``rtol=1e-7``);
    with ``recurrence=True`` orbits that do not settle are continued for ``t_end`` and
    labelled ``oscillation`` or ``heteroclinic cycling`` by the recurrence fallback
    (:mod:`equilibria.odes.recurrence`), else ``not converged``.  Orbits that diverge give
    ``diverged`` when no attractor is found.

    Parameters
    ----------
    model : CoexistenceModel
    x_param, y_param : str
        Names accepted by :meth:`CoexistenceModel.replace` (fields, ``reciprocity``,
        ``conflict_asymmetry``).
    x_values, y_values : array, finite
    n_ic : int >= 1
    t_end : float > 0
    ftol : float >= 0
    seed : int or Generator
    recurrence : bool
    executor : concurrent.futures.Executor, optional
    progress : bool
        tqdm progress bar (``False`` turns it off).

    Returns
    -------
    RegimeResult
        ``classes``, ``multistable`` and ``coexistence`` of shape ``(len(y_values),
        len(x_values))`` (rows follow ``y_values``).
    """
    if not isinstance(model, CoexistenceModel):
        raise TypeError("`model` must be a CoexistenceModel")
    xv = as_float_array(x_values, "x_values", ndim=1, min_size=1)
    yv = as_float_array(y_values, "y_values", ndim=1, min_size=1)
    n_ic = check_int(n_ic, "n_ic", lo=1)
    rng = np.random.default_rng(seed)
    X0 = np.exp(rng.uniform(np.log(0.01), np.log(3.0), size=(n_ic, model.n)))
    kw = {"t_end": check_scalar(t_end, "t_end", lo=0, lo_inclusive=False),
          "ftol": check_scalar(ftol, "ftol", lo=0)}
    kw["rec"] = _recurrence_options(recurrence, None, kw["t_end"], 400, 1e-2, 0.05, 1e-7,
                                    1e-9, 200_000)
    model.replace(**{x_param: float(xv[0]), y_param: float(yv[0])})  # validate names early
    rows = parallel_map(functools.partial(_regime_row, model, x_param, list(xv), y_param, X0,
                                          kw), list(yv), executor=executor, progress=progress,
                        desc="regime diagram")
    cls = np.array([r[0] for r in rows])
    multi = np.array([r[1] for r in rows])
    coex = np.array([r[2] for r in rows])
    return finish(RegimeResult, success=True, status=Status.SUCCESS,
                  message=f"{cls.size} cells", n_iter=int(cls.size), x_param=x_param,
                  y_param=y_param, x_values=xv, y_values=yv, classes=cls, multistable=multi,
                  coexistence=coex)


# ------------------------------------------------------------------------------------------
# shocks
# ------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class ShockResult(Result):
    """Response to a shock.

    Attributes
    ----------
    t, y : ndarray
        The post-shock trajectory (for a parameter shock, including the shock window).
    x_star : ndarray
        The attractor shocked.
    x_final : ndarray
    regained : bool
        Whether the trajectory ends within ``tol`` of ``x_star``.
    recovery_time : float
        First time after which the state stays within ``tol * (1 + |x*|_inf)`` of ``x*``
        (``inf`` when not regained); measured from the end of the shock.
    final_class : str
    critical_magnitude : float
        Smallest shock magnitude along the direction that leaves the basin (bisection;
        ``inf`` if none up to ``max_magnitude``; ``nan`` if not requested).
    """

    t: np.ndarray
    y: np.ndarray
    x_star: np.ndarray
    x_final: np.ndarray
    regained: bool
    recovery_time: float
    final_class: str
    critical_magnitude: float
    tolerance: float = np.nan

    def plot(self, ax=None, title: str | None = None):
        """Distance to the attractor over time (log scale)."""
        import matplotlib.pyplot as plt

        if ax is None:
            fig, ax = plt.subplots(figsize=(6.4, 4.0), constrained_layout=True)
        else:
            fig = ax.figure
        d = np.max(np.abs(self.y - self.x_star), axis=1)
        floor = 1e-6 * self.tolerance if np.isfinite(self.tolerance) else 1e-16
        ax.semilogy(self.t, np.maximum(d, floor), lw=1.5, label="distance to the attractor")
        if self.t[0] < 0:  # parameter shock: the window before t = 0
            ax.axvspan(self.t[0], 0.0, color="C1", alpha=0.15, label="parameter shock")
        if np.isfinite(self.tolerance):
            ax.axhline(self.tolerance, color="0.5", ls=":", label="recovery tolerance")
        if np.isfinite(self.recovery_time):
            ax.axvline(self.recovery_time, color="C2", ls="--",
                       label=f"recovered at t = {self.recovery_time:.3g}")
            # zoom on the recovery: the rest is the numerical floor at the attractor
            settle = np.flatnonzero(d > 1e-3 * self.tolerance)
            t_hi = self.t[settle[-1]] if settle.size else self.recovery_time
            ax.set_xlim(self.t[0], min(self.t[-1], max(1.5 * t_hi, 2.0 * self.recovery_time,
                                                        1.0)))
        ax.set_ylim(bottom=floor)
        ax.set_xlabel("time after the shock" if self.t[0] >= 0 else
                      "time since the end of the parameter shock")
        ax.set_ylabel(r"$\max_i |x_i(t) - x^*_i|$")
        ax.set_title(title or f"Shock response: {'regained' if self.regained else 'lost'} "
                              f"(ends in {self.final_class})")
        ax.legend(loc="best", fontsize=8)
        return fig


def _default_attractor(model, system):
    eq = system.equilibria(n_starts=60)
    if eq.n_stable == 0:
        raise ValueError("no stable equilibrium found; pass `x_star`")
    pts = eq.stable_points
    if isinstance(model, CoexistenceModel):
        return pts[int(np.argmax([model.indices(p).coexistence for p in pts]))]
    return pts[0]


def _impulse_state(x_star, direction, mag):
    if direction is None:  # proportional knock-down
        return (1.0 - mag) * x_star
    return np.maximum(x_star + mag * direction, 0.0)


def shock_test(model, *, x_star=None, kind: str = "impulse", direction=None,
               magnitude: float = 0.5, param: str | None = None, value=None,
               duration: float = 5.0, t_end: float = 300.0, tol: float = 1e-3,
               critical: bool = True, max_magnitude: float | None = None,
               bisect_tol: float = 1e-3) -> ShockResult:
    r"""Shock an attractor and measure recovery.

    ``kind="impulse"``: the state jumps to ``max(x* + magnitude * d, 0)`` with ``d`` a unit
    direction; by default (``direction=None``) to ``(1 - magnitude) x*``, a proportional
    knock-down (``magnitude`` in ``[0, 1]``; 1 removes everything).  ``kind="parameter"``: ``param`` is
    set to ``value`` for ``duration`` time units starting at ``x*``, then restored.

    Recovery time (on the 1501-point output grid of ``[0, t_end]``, DP5(4) at
    ``rtol=1e-8``):

    .. math:: T_{rec} = \min\{t \ge 0 : \|x(s) - x^*\|_\infty \le
        \mathtt{tol}\,(1 + \|x^*\|_\infty)\ \forall s \ge t\},

    regained: the end state satisfies the inequality.  With ``critical=True`` the minimal
    magnitude that loses the attractor (end state of a run to ``t = 2000`` not within the
    tolerance) is found by bisection on ``[0, max_magnitude]`` (``[0, 1]`` for the
    knock-down), stopping when the bracket is shorter than ``bisect_tol``; the upper end of
    the final bracket is returned (impulse only).  Bisection assumes the basin is
    star-shaped along the shock direction from ``x*``.

    Parameters
    ----------
    model : CoexistenceModel or LVSystem
        The system to shock (``kind="parameter"`` needs a :class:`CoexistenceModel`).
    x_star : array_like, shape (n,), optional
        The attractor to shock; by default the stable equilibrium (of up to 60 Newton starts)
        with the largest coexistence index (:class:`CoexistenceModel`) or the first stable one
        found (other systems).
    kind : {"impulse", "parameter"}, default "impulse"
        State jump or temporary parameter change.
    direction : array_like, shape (n,), optional
        Non-zero direction of the impulse, normalized to unit Euclidean norm; ``None`` gives the
        proportional knock-down.
    magnitude : float >= 0, default 0.5
        Size of the impulse (at most 1 for the knock-down).
    param : str, optional
        Parameter name accepted by :meth:`CoexistenceModel.replace` (``kind="parameter"``).
    value : float, optional
        Value ``param`` takes during the shock (``kind="parameter"``).
    duration : float > 0, default 5.0
        Length of the parameter shock.
    t_end : float > 0, default 300.0
        Length of the post-shock integration.
    tol : float > 0, default 1e-3
        Relative recovery tolerance (see ``T_rec`` above).
    critical : bool, default True
        Also compute the critical magnitude by bisection (impulse only).
    max_magnitude : float > 0, optional
        Upper end of the bisection bracket; default 1 for the knock-down, 10 along a
        ``direction``.
    bisect_tol : float > 0, default 1e-3
        Bracket length at which the bisection stops.

    Returns
    -------
    ShockResult
        ``success=False`` (with a warning) when the post-shock trajectory diverged or failed.
    """
    system = _system(model)
    check_option(kind, "kind", ("impulse", "parameter"))
    x_star = _default_attractor(model, system) if x_star is None else \
        system.check_state(x_star, "x_star")
    t_end = check_scalar(t_end, "t_end", lo=0, lo_inclusive=False)
    tol = check_scalar(tol, "tol", lo=0, lo_inclusive=False)
    scale = tol * (1 + float(np.max(np.abs(x_star))))
    t_eval = np.linspace(0.0, t_end, 1501)
    if direction is not None:
        direction = as_float_array(direction, "direction", shape=(system.n,))
        nrm = float(np.linalg.norm(direction))
        if nrm == 0:
            raise ValueError("`direction` must be non-zero")
        direction = direction / nrm
    magnitude = check_scalar(magnitude, "magnitude", lo=0,
                             hi=1 if direction is None and kind == "impulse" else None)
    bisect_tol = check_scalar(bisect_tol, "bisect_tol", lo=0, lo_inclusive=False)

    def run_from(x0):
        return system.simulate(x0, t_end, t_eval=t_eval, rtol=1e-8, atol=1e-11)

    if kind == "impulse":
        tr = run_from(_impulse_state(x_star, direction, magnitude))
        t, y = tr.t, tr.y
    else:
        if not isinstance(model, CoexistenceModel) or param is None or value is None:
            raise ValueError("`param` and `value` are required for kind='parameter' (and a "
                             "CoexistenceModel)")
        duration = check_scalar(duration, "duration", lo=0, lo_inclusive=False)
        shocked = model.replace(**{param: value}).system
        tw = np.linspace(0.0, duration, 101)
        s1 = shocked.simulate(x_star, duration, t_eval=tw, rtol=1e-8, atol=1e-11)
        tr = run_from(np.maximum(np.nan_to_num(s1.y[-1], nan=0.0), 0.0))
        t = np.concatenate([tw - duration, tr.t[1:]])
        y = np.vstack([s1.y, tr.y[1:]])
    d = np.max(np.abs(y - x_star), axis=1)
    inside = d <= scale
    regained = bool(inside[-1])
    if regained:
        post = t >= 0
        bad = np.flatnonzero(~inside & post)
        rec = float(t[bad[-1] + 1]) if bad.size else 0.0
    else:
        rec = np.inf
    crit = np.nan
    if critical and kind == "impulse":
        hi = (1.0 if direction is None and max_magnitude is None
              else check_scalar(max_magnitude if max_magnitude is not None else 10.0,
                                "max_magnitude", lo=0, lo_inclusive=False))

        def lost(mag):
            run = system.simulate_batch(_impulse_state(x_star, direction, mag)[None], 2000.0,
                                        ftol=1e-7, rtol=1e-9, atol=1e-12)
            return not (run.status[0] in (0, 1) and
                        np.max(np.abs(run.x[0] - x_star)) <= scale)

        if not lost(hi):
            crit = np.inf
        else:
            lo = 0.0
            while hi - lo > bisect_tol:
                mid = 0.5 * (lo + hi)
                if lost(mid):
                    hi = mid
                else:
                    lo = mid
            crit = hi
    xf = y[-1]
    fc = _class_of(model, np.nan_to_num(xf, nan=0.0)) if np.all(np.isfinite(xf)) else "diverged"
    ok = bool(np.all(np.isfinite(y)))  # a diverged/failed integration is not a verdict
    return finish(ShockResult, success=ok, status=Status.SUCCESS if ok else Status.NUMERICAL,
                  message=(("attractor regained" if regained else "attractor lost") +
                           (f"; recovery time {rec:.4g}" if regained else "")) if ok else
                  "the post-shock trajectory diverged or failed (non-finite states); "
                  "lower `magnitude` or check the shocked parameters",
                  n_iter=int(t.size), t=t, y=y, x_star=x_star, x_final=xf, regained=regained,
                  recovery_time=rec, final_class=fc, critical_magnitude=float(crit),
                  tolerance=scale)


# ------------------------------------------------------------------------------------------
# sensitivity
# ------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class SensitivityResult(Result):
    """Local or global sensitivity.

    Local (``method="local"``): ``dx_dp`` (n, p) by the implicit-function theorem,
    ``dx_dp_fd`` by finite differences of re-solved equilibria, ``max_rel_discrepancy``
    between them, ``dindex_dp`` (dict index -> (p,)) by the chain rule through finite
    differences of the indices.  Global (``method="sobol"``): ``first_order`` and
    ``total_order`` (dict index -> (p,)).
    """

    params: tuple
    x_star: np.ndarray | None = None
    dx_dp: np.ndarray | None = None
    dx_dp_fd: np.ndarray | None = None
    max_rel_discrepancy: float = np.nan
    dindex_dp: dict | None = None
    first_order: dict | None = None
    total_order: dict | None = None


_INDEX_NAMES = ("coexistence", "domination", "conflict", "development")


def _equilibrium_near(system, x0):
    P, ok = system._newton(np.asarray(x0, float)[None, :], max_iter=100, tol=1e-13)
    if not ok[0]:
        raise RuntimeError("Newton did not converge near the equilibrium")
    return P[0]


def _attractor_from(model, x0, t_end=3000.0):
    run = model.simulate_batch(np.asarray(x0, float)[None, :], t_end, ftol=1e-11, rtol=1e-9,
                               atol=1e-12)
    if run.status[0] not in (0, 1):  # diverged / failed: no attractor state
        return np.full(model.n, np.nan)
    return run.x[0]


def _sobol_eval(model, params, x0, cols):
    out = np.empty((len(_INDEX_NAMES), cols.shape[1]))
    for k in range(cols.shape[1]):
        m = model.replace(**dict(zip(params, cols[:, k].tolist(), strict=True)))
        x = _attractor_from(m, x0, 1500.0)
        if not np.all(np.isfinite(x)):
            out[:, k] = np.nan
            continue
        ix = m.indices(x)
        out[:, k] = [getattr(ix, nm) for nm in _INDEX_NAMES]
    return out


def sensitivity(model: CoexistenceModel, params=("g", "reciprocity", "freedom"), *,
                method: str = "local", x_star=None, h: float = 1e-5, bounds=None,
                n: int = 256, seed=0, executor=None, progress: bool = True
                ) -> SensitivityResult:
    r"""Sensitivity of the equilibrium and the indices to parameters.

    ``method="local"`` (implicit-function theorem): at an equilibrium ``f(x*, p) = 0`` with
    nonsingular Jacobian ``J = D_x f``,

    .. math:: \frac{d x^*}{d p} = -J^{-1} \frac{\partial f}{\partial p},

    with ``partial f / partial p`` by central differences of the field (step ``h``, relative);
    checked against central differences of equilibria re-solved by Newton at ``p +- h``
    (``max_rel_discrepancy``).  Index derivatives use the chain rule through central
    differences of :meth:`CoexistenceModel.indices` along ``dx*/dp``.

    ``method="sobol"``: first- and total-order Sobol indices [3] of the four indices at the
    attractor reached from the uniform state ``(1, 1)``, with the parameters uniform on
    ``bounds`` (dict name -> (lo, hi)), by :func:`scipy.stats.sobol_indices` with ``n``
    (a power of 2) base samples; model evaluations are split over ``executor``.

    Parameters
    ----------
    model : CoexistenceModel
    params : sequence of str, default ("g", "reciprocity", "freedom")
        Scalar parameters of the model, or ``"reciprocity"`` (base value 1) or
        ``"conflict_asymmetry"``; at least one.
    method : {"local", "sobol"}, default "local"
    x_star : array_like, shape (n,), optional
        Local method: starting point polished by Newton into the equilibrium; by default the
        stable equilibrium with the largest coexistence index.
    h : float > 0, default 1e-5
        Local method: relative step, ``step = h * max(1, |p|)`` (one-sided second-order
        stencil at the edge of a parameter's admissible range).
    bounds : dict, optional
        Sobol method (required): parameter name -> finite ``(lo, hi)`` with ``lo < hi``.
    n : int, default 256
        Sobol method: number of base samples, a power of 2 (``n (p + 2)`` model evaluations).
    seed : int or Generator, default 0
        Sobol method: random state of the sampling.
    executor : concurrent.futures.Executor, optional
        Sobol method: executor for the model evaluations.
    progress : bool, default True
        tqdm progress bar (``False`` turns it off).

    Returns
    -------
    SensitivityResult
        Local: ``x_star`` (n,), ``dx_dp`` and ``dx_dp_fd`` (n, p), ``max_rel_discrepancy`` and
        ``dindex_dp`` (dict index -> (p,)); ``success=False`` when the discrepancy exceeds 1e-3.
        Sobol: ``first_order`` and ``total_order`` (dict over ``coexistence``, ``domination``,
        ``conflict``, ``development`` -> (p,)); ``success=False`` when some are NaN.
    """
    if not isinstance(model, CoexistenceModel):
        raise TypeError("`model` must be a CoexistenceModel")
    check_option(method, "method", ("local", "sobol"))
    params = tuple(params)
    if not params:
        raise ValueError("`params` must name at least one parameter")
    base_vals = {}
    for p in params:
        if p in ("reciprocity",):
            base_vals[p] = 1.0
        elif p == "conflict_asymmetry":
            base_vals[p] = (model.conflict_h - model.conflict_a) / max(
                model.conflict_h + model.conflict_a, 1e-300)
        else:
            v = getattr(model, p, None)
            if v is None or np.ndim(v) != 0:
                raise ValueError(f"unknown or non-scalar parameter {p!r} in `params`")
            base_vals[p] = float(v)
    if method == "local":
        h = check_scalar(h, "h", lo=0, lo_inclusive=False)
        system = model.system
        x_star = _default_attractor(model, system) if x_star is None else \
            _equilibrium_near(system, system.check_state(x_star, "x_star"))
        J = system.jacobian(x_star)
        dxdp = np.empty((system.n, len(params)))
        fd = np.empty_like(dxdp)
        for k, p in enumerate(params):
            step = h * max(1.0, abs(base_vals[p]))
            mp = model.replace(**{p: base_vals[p] + step})
            try:
                mm = model.replace(**{p: base_vals[p] - step})
                stencil = [(mp, 1.0), (mm, -1.0)]
            except ValueError:  # edge of the admissible range: one-sided, 2nd order
                mp2 = model.replace(**{p: base_vals[p] + 2 * step})
                stencil = [(model, -1.5), (mp, 2.0), (mp2, -0.5)]
            dfdp = sum(c * mk.field(x_star) for mk, c in stencil) / (2 * step if len(stencil)
                                                                      == 2 else step)
            dxdp[:, k] = -np.linalg.solve(J, dfdp)
            fd[:, k] = sum(c * _equilibrium_near(mk.system, x_star) for mk, c in stencil) / \
                (2 * step if len(stencil) == 2 else step)
        disc = float(np.max(np.abs(dxdp - fd)) / max(1e-12, np.max(np.abs(fd))))
        dind = {}
        for nm in _INDEX_NAMES:
            row = []
            for k in range(len(params)):
                e = 1e-6 * dxdp[:, k] / max(1e-300, np.max(np.abs(dxdp[:, k])))
                s = 1e-6 / max(1e-300, np.max(np.abs(dxdp[:, k])))
                a = getattr(model.indices(np.maximum(x_star + e, 0)), nm)
                b = getattr(model.indices(np.maximum(x_star - e, 0)), nm)
                row.append((a - b) / (2 * s) if np.isfinite(s) and s > 0 else 0.0)
            dind[nm] = np.array(row)
        ok = disc <= 1e-3
        return finish(SensitivityResult, success=ok,
                      status=Status.SUCCESS if ok else Status.NUMERICAL,
                      message=f"implicit-function derivative vs finite differences: max "
                              f"relative discrepancy {disc:.2e}" +
                              ("" if ok else "; the equilibrium may be near a bifurcation "
                               "(singular Jacobian): change `h`"),
                      n_iter=len(params), params=params, x_star=x_star, dx_dp=dxdp,
                      dx_dp_fd=fd, max_rel_discrepancy=disc, dindex_dp=dind)
    from scipy.stats import sobol_indices, uniform

    if bounds is None:
        raise ValueError("`bounds` (dict name -> (lo, hi)) is required for method='sobol'")
    lohi = []
    for p in params:
        if p not in bounds:
            raise ValueError(f"`bounds` has no entry for {p!r}")
        lo, hi = (float(b) for b in bounds[p])
        if not (np.isfinite(lo) and np.isfinite(hi) and hi > lo):
            raise ValueError(f"`bounds`[{p!r}] must be finite with lo < hi, got {(lo, hi)}")
        lohi.append((lo, hi))
    n = check_int(n, "n", lo=2)
    if n & (n - 1):
        raise ValueError(f"`n` must be a power of 2 (Sobol' sequence), got {n}")
    x0 = model.uniform_state(1.0, 1.0)

    def func(X):
        parts = np.array_split(np.arange(X.shape[1]), max(1, min(16, X.shape[1] // 64)))
        res = parallel_map(functools.partial(_sobol_eval, model, params, x0),
                           [X[:, ix] for ix in parts], executor=executor, progress=progress,
                           desc="sobol")
        return np.hstack(res)

    rng = np.random.default_rng(seed)
    si = sobol_indices(func=func, n=n, dists=[uniform(loc=lo, scale=hi - lo)
                                              for lo, hi in lohi], random_state=rng)
    fo = {nm: np.asarray(si.first_order[i]) for i, nm in enumerate(_INDEX_NAMES)}
    to = {nm: np.asarray(si.total_order[i]) for i, nm in enumerate(_INDEX_NAMES)}
    ok = all(np.all(np.isfinite(v)) for d in (fo, to) for v in d.values())
    return finish(SensitivityResult, success=ok,
                  status=Status.SUCCESS if ok else Status.NUMERICAL,
                  message=f"Sobol indices from {n * (len(params) + 2)} model evaluations" +
                          ("" if ok else "; some evaluations diverged or failed (NaN "
                           "indices): narrow `bounds`"),
                  n_iter=n, params=params, first_order=fo, total_order=to)


# ------------------------------------------------------------------------------------------
# governance-regime comparison
# ------------------------------------------------------------------------------------------
def regime_table(names=("governed", "ungoverned", "overgoverned", "lock_in")) -> list[dict]:
    """Indices and ``max Re(lambda)`` per preset, at every stable equilibrium.

    One row per (preset, stable equilibrium): ``preset``, ``g``, ``state`` (index among the
    stable equilibria, ordered by coexistence), ``coexistence``, ``domination``, ``dominant``,
    ``conflict``, ``development``, ``max_re``, ``outcome``, ``n_stable``.

    Parameters
    ----------
    names : sequence of str, default all of :data:`PRESETS`
        Preset names accepted by :meth:`CoexistenceModel.preset`.

    Returns
    -------
    list of dict
        The rows described above; for ``"lock_in"`` only the best and the worst stable state.
    """
    rows = []
    for name in names:
        M = CoexistenceModel.preset(name)
        eq = M.equilibria(n_starts=60)
        pts, mr = eq.points[eq.stable], eq.max_re[eq.stable]
        order = np.argsort([-M.indices(p).coexistence for p in pts], kind="stable")
        if name == "lock_in":  # the two symmetric states (best and worst) tell the story
            order = order[[0, -1]] if order.size > 1 else order
        for j, k in enumerate(order):
            ix = M.indices(pts[k])
            rows.append(dict(preset=name, g=M.g, state=j, coexistence=ix.coexistence,
                             domination=ix.domination, dominant=ix.dominant,
                             conflict=ix.conflict, development=ix.development,
                             max_re=float(mr[k]), outcome=classify(ix), n_stable=eq.n_stable))
    return rows


def format_table(rows: list[dict]) -> str:
    """Plain-text table of :func:`regime_table` rows.

    Parameters
    ----------
    rows : list of dict
        Rows as returned by :func:`regime_table`.

    Returns
    -------
    str
        A header line and one line per row (preset, g, coexistence, domination, dominant side,
        conflict, development, max Re, outcome), without a trailing newline.
    """
    head = ("preset", "g", "coexist.", "domin.", "side", "conflict", "develop.", "max Re",
            "outcome")
    lines = ["  ".join(f"{h:>10}" if i else f"{h:<13}" for i, h in enumerate(head))]
    for r in rows:
        cells = [f"{r['preset']}" + (f"#{r['state']}" if r["state"] else ""), f"{r['g']:.2f}",
                 f"{r['coexistence']:.3f}", f"{r['domination']:.3f}", r["dominant"],
                 f"{r['conflict']:.3f}", f"{r['development']:.3f}", f"{r['max_re']:.3f}",
                 r["outcome"]]
        lines.append("  ".join(f"{c:>10}" if i else f"{c:<13}" for i, c in enumerate(cells)))
    return "\n".join(lines)
