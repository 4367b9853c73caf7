r"""Attractor identification from end states: clustering, Newton polishing and the recurrence
fallback, shared by every sweep of the room.

Each initial condition is integrated (batched DP5(4), :mod:`._kernels`) until the steady-state
rule ``max_i |f_i(x)| <= ftol`` or ``t_end``; converged end states are clustered at distance
``cluster_tol * (1 + |x|_inf)`` and each cluster is polished by Newton into an equilibrium.
Orbits that do not converge by ``t_end``, and orbits parked at an unstable equilibrium, go to
the recurrence fallback (:mod:`equilibria.odes.recurrence`): continued for a window, they are
labelled as late-converged, ``periodic`` (limit cycles and other recurrent sets) or
``heteroclinic`` attractors.  What remains is ``NOT_CONVERGED`` (-1) unless its end state lies
within ``cluster_tol`` of a found equilibrium (slow convergence); divergent orbits are
``DIVERGED`` (-2); non-finite or failed integrations ``FAILED`` (-3).

References
----------
1. G. Datseris, A. Wagemakers, "Effortless estimation of basins of attraction", Chaos 32
   (2022) 023104 (Attractors.jl).
"""

from __future__ import annotations

import functools

import numpy as np

from equilibria._lib.sweep import parallel_map
from equilibria._lib.validation import as_float_array, check_scalar

from .model import CoexistenceModel, classify
from .systems import LVSystem

__all__ = ["identify_attractors", "NOT_CONVERGED", "DIVERGED", "FAILED", "GENERIC_CLASSES"]

#: labels of points that reached no attractor
NOT_CONVERGED, DIVERGED, FAILED = -1, -2, -3
SPECIAL_NAMES = {NOT_CONVERGED: "not converged", DIVERGED: "diverged", FAILED: "failed"}
#: a converged end state at ``t_end`` counts as steady when ``max |f| <= FIELD_SLACK * ftol``
FIELD_SLACK = 100.0
#: an equilibrium is unstable when ``max Re(lambda) > UNSTABLE_REL * (1 + |c|_inf)``
UNSTABLE_REL = 1e-9
#: Newton-polished centers with a coordinate below ``-NONNEG_SLACK`` are rejected (median kept)
NONNEG_SLACK = 1e-9

def _system(model, name: str = "model") -> LVSystem:
    if isinstance(model, CoexistenceModel):
        return model.system
    if isinstance(model, LVSystem):
        return model
    raise TypeError(f"`{name}` must be a CoexistenceModel or LVSystem, got "
                    f"{type(model).__name__}")


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
                                max_iter=max_iter, warn=False)
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
        centers.append(P[0] if ok[0] and np.all(P[0] > -NONNEG_SLACK) else med)
        labels[near] = len(centers) - 1
        todo &= ~near


def _converged_mask(system, X, status, ftol):
    fin = np.isin(status, (0, 1)) & np.all(np.isfinite(X), axis=1)
    conv = fin & (status == 1)
    idx = np.flatnonzero(fin & (status == 0))  # reached t_end: converged if the field is small
    if idx.size:
        f = _field_rows(system, np.maximum(X[idx], 0.0))
        conv[idx[np.max(np.abs(f), axis=1) <= FIELD_SLACK * ftol]] = True
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
    system : LVSystem or CoexistenceModel
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
    system = _system(system, "system")
    X, status = _check_end_states(system, X, status)
    ftol = check_scalar(ftol, "ftol", lo=0)
    cluster_tol = check_scalar(cluster_tol, "cluster_tol", lo=0, lo_inclusive=False)
    lab = _label_orbits(system, X, status, ftol=ftol, cluster_tol=cluster_tol,
                        recurrence=None)
    return lab[0], lab[1]


def _check_end_states(system, X, status):
    """``X`` (m, n) and ``status`` (m,) validated: integer statuses in ``STATUS_NAMES``; NaN or
    inf only in rows that diverged or failed (status 2-5); finite rows non-negative."""
    from .systems import STATUS_NAMES

    X = as_float_array(X, "X", ndim=2, finite=False)
    if X.shape[1] != system.n:
        raise ValueError(f"`X` must have {system.n} columns (the state dimension), got shape "
                         f"{X.shape}")
    st = as_float_array(status, "status", ndim=1)
    if st.shape[0] != X.shape[0]:
        raise ValueError(f"`status` must have one entry per row of `X` ({X.shape[0]}), got "
                         f"{st.shape[0]}")
    if np.any(st != np.round(st)) or np.any(~np.isin(st, list(STATUS_NAMES))):
        bad = st[(st != np.round(st)) | ~np.isin(st, list(STATUS_NAMES))][0]
        raise ValueError(f"`status` entries must be integer codes in {sorted(STATUS_NAMES)} "
                         f"(see STATUS_NAMES), found {bad:g}")
    st = st.astype(np.int64)
    good = np.isin(st, (0, 1))
    if not np.all(np.isfinite(X[good])):
        i = int(np.flatnonzero(good & ~np.all(np.isfinite(X), axis=1))[0])
        raise ValueError(f"`X` row {i} is not finite but its `status` is {st[i]} (converged "
                         "rows must be finite)")
    fin = np.all(np.isfinite(X), axis=1)
    if np.any(X[fin] < 0):
        raise ValueError(f"`X` must be non-negative (states), found minimum "
                         f"{float(X[fin].min()):.6g}")
    return X, st


def _rec_batch(system, kw, item):
    from .recurrence import continue_orbits
    X, pos0 = item
    return continue_orbits(system, X, pos0=pos0, **kw)


def _unstable(system, c) -> bool:
    return bool(np.max(np.linalg.eigvals(system.jacobian(np.maximum(c, 0.0))).real)
                > UNSTABLE_REL * (1.0 + np.max(np.abs(c))))


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




def default_attractor(model, system):
    eq = system.equilibria(n_starts=60)
    if eq.n_stable == 0:
        raise ValueError("no stable equilibrium found; pass `x_star`")
    pts = eq.stable_points
    if isinstance(model, CoexistenceModel):
        return pts[int(np.argmax([model.indices(p).coexistence for p in pts]))]
    return pts[0]

