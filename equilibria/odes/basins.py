r"""Basins of attraction on a 2-D slice of initial conditions, and their continuation along a
parameter (attractors matched across values).

Every sweep takes ``executor=`` (any :class:`concurrent.futures.Executor`, including a
``dask.distributed`` client's ``get_executor()``) and ``progress=`` (tqdm bar), through
:func:`equilibria._lib.sweep.parallel_map`; results are identical serially and on an executor
because the work items are deterministic.  Integration and labelling settings are one
:class:`~equilibria.odes.options.SweepOptions`.

References
----------
1. G. Datseris, A. Wagemakers, "Effortless estimation of basins of attraction", Chaos 32
   (2022) 023104 (Attractors.jl).
2. G. Datseris, K. L. Rossi, A. Wagemakers, "Framework for global stability analysis of
   dynamical systems", Chaos 33 (2023) 073151 (global continuation, attractor matching).
"""

from __future__ import annotations

import dataclasses
import functools
from typing import TYPE_CHECKING

import numpy as np

from equilibria._lib.result import Result, Status, finish
from equilibria._lib.sweep import parallel_map
from equilibria._lib.validation import as_float_array, check_int, check_scalar

from .attractors import (GENERIC_CLASSES, SPECIAL_NAMES as _SPECIAL, _class_of, _label_orbits,
                         _run_chunk, _system)
from .model import OUTCOME_CLASSES, CoexistenceModel
from .options import SweepOptions, as_options, check_budget
from .systems import LVSystem

if TYPE_CHECKING:
    from .continuation import GlobalContinuation
    from .mapper import BasinsResult

__all__ = ["BasinResult", "ContinuationResult", "basin_sweep", "basin_continuation"]


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

    def to_dataframe(self):
        """The basin image as a table: one row per grid point (``v``, ``u``, the ``label`` code and
        the ``attractor`` it names).

        Returns
        -------
        pandas.DataFrame

        Raises
        ------
        ImportError
            pandas is not installed (``pip install 'equilibria[data]'``).
        """
        from ._dataout import basin_slice_frame

        return basin_slice_frame(self)

    def to_xarray(self):
        """The basin image as an xarray Dataset over ``(v, u)`` (``long_name``: the axis labels).

        Returns
        -------
        xarray.Dataset

        Raises
        ------
        ImportError
            xarray is not installed (``pip install 'equilibria[data]'``).
        """
        from ._dataout import basin_slice_dataset

        return basin_slice_dataset(self)

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
        """Draw the result (:func:`equilibria.odes.plotting.plot_basins`).

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw on; a new figure is created when omitted.
        title : str, optional
            Axes title.

        Returns
        -------
        matplotlib.figure.Figure
            The figure holding ``ax``.
        """
        from .plotting import plot_basins

        return plot_basins(self, ax=ax, title=title)


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
        ax = as_float_array(axes, "axes", shape=(2, n))
        du, dv = ax[0], ax[1]
        labels = ("u", "v")
    if base is None:
        base = np.zeros(n) if isinstance(model, CoexistenceModel) or axes is not None else \
            np.full(n, 0.5) * (1 - np.eye(n)[0] - np.eye(n)[1 % n])
    base = as_float_array(base, "base", shape=(n,), nonneg=True)
    U, V = np.meshgrid(u, v)
    with np.errstate(over="ignore", invalid="ignore"):
        X0 = base[None, :] + U.reshape(-1, 1) * du[None, :] + V.reshape(-1, 1) * dv[None, :]
    if not np.all(np.isfinite(X0)):
        raise ValueError("the slice x0 = `base` + u e_u + v e_v (e_u, e_v the `axes`, u, v in "
                         "`u_range`, `v_range`) overflows; scale them down")
    if np.any(X0 < 0):
        raise ValueError("the slice x0 = `base` + u e_u + v e_v (e_u, e_v the `axes`, u, v in "
                         f"`u_range`, `v_range`) leaves the non-negative orthant (minimum "
                         f"{float(X0.min()):.3g}); use non-negative `axes` and `base`")
    return X0, labels, (base, du, dv)


def basin_sweep(model, *, grid: int = 200, u_range=(0.02, 2.5), v_range=None, axes=None,
                base=None, axis_labels=None, options: SweepOptions | None = None,
                chunks: int | None = None, executor=None, progress: bool | None = None) -> BasinResult | BasinsResult:
    r"""Basins of attraction on a 2-D slice of initial conditions.

    The slice is ``x0 = base + u * e_u + v * e_v`` on a ``grid x grid`` lattice; for a
    :class:`CoexistenceModel` the default ``e_u`` sets every human level and ``e_v`` every AI
    level (``base = 0``).

    Stopping rule and labels.  Each point is integrated by the batched adaptive DP5(4)
    (:meth:`LVSystem.simulate_batch`, tolerances ``rtol``, ``atol``) until the steady-state
    rule (the fields of ``options``, a :class:`~equilibria.odes.options.SweepOptions`)

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
    model : CoexistenceModel, LVSystem, ODE or Map
        An ODE or Map is handed to :func:`~equilibria.odes.basins_of_attraction` (then
        ``grid`` must be a :class:`~equilibria.odes.Grid` and the slice options are unused).
    grid : int >= 2, or Grid
        Points per axis of the slice (a Grid for an ODE or Map); ``grid^2`` states must fit the
        memory budget of :func:`~equilibria.odes.options.check_budget` (else ``ValueError``).
    u_range, v_range : (float, float), >= 0
    axes : (array (n,), array (n,)), optional
        Slice directions ``e_u``, ``e_v``.
    base : array (n,) >= 0, optional
    axis_labels : (str, str), optional
        Axis labels of the plot (default: from the model, or ``"u"``, ``"v"`` with ``axes``).
    options : SweepOptions, optional
        Integration, stopping rule, clustering and recurrence fallback (``t_end``, ``ftol``,
        ``rtol``, ``atol``, ``max_iter``, ``cluster_tol``, ``recurrence``, ``window``,
        ``n_samples``, ``recurrence_tol``, ``near_tol``); the defaults of
        :class:`~equilibria.odes.options.SweepOptions` when omitted.
    chunks : int, optional
        Work items of the integration (default ``min(64, grid^2 // 2048)``), at most
        ``grid^2``.
    executor : concurrent.futures.Executor, optional
    progress : bool or None
        tqdm progress bar (``False`` turns it off).

    Returns
    -------
    BasinResult
        ``success=False`` (with a warning) when some points diverged, failed or did not
        converge: raise ``options.t_end`` or ``options.window``, or inspect ``special_fractions``.

    References
    ----------
    1. G. Datseris, A. Wagemakers, Chaos 32 (2022) 023104 (Attractors.jl).
    """
    from .dynamical import DynamicalSystem

    if isinstance(model, DynamicalSystem):  # any system: the generic machinery
        from .mapper import Grid, basins_of_attraction

        if not isinstance(grid, Grid):
            raise TypeError("for an ODE or Map, `grid` must be an equilibria.odes.Grid (the "
                            "cells of state space), e.g. Grid.box(lo, hi, 101, dim=n); this "
                            "calls basins_of_attraction")
        return basins_of_attraction(model, grid, executor=executor, progress=progress)
    system = _system(model)
    grid = check_int(grid, "grid", lo=2)
    check_budget(grid * grid, system.n, "grid")
    u_range = as_float_array(u_range, "u_range", shape=(2,), nonneg=True)
    v_range = u_range if v_range is None else as_float_array(v_range, "v_range", shape=(2,),
                                                             nonneg=True)
    u = np.linspace(u_range[0], u_range[1], grid)
    v = np.linspace(v_range[0], v_range[1], grid)
    X0, labels_ax, basis = _slice(model, u, v, axes, base)
    if axis_labels is not None:
        if isinstance(axis_labels, str) or not isinstance(axis_labels, (tuple, list)) or \
                len(axis_labels) != 2 or not all(isinstance(a, str) for a in axis_labels):
            raise ValueError(f"`axis_labels` must be two strings, got {axis_labels!r}")
        labels_ax = tuple(axis_labels)
    opt = as_options(options)
    t_end, ftol, rtol, atol, max_iter = opt.t_end, opt.ftol, opt.rtol, opt.atol, opt.max_iter
    cluster_tol = opt.cluster_tol
    rec = opt.recurrence_options()
    chunks = check_int(chunks if chunks is not None else max(1, min(64, X0.shape[0] // 2048)),
                       "chunks", lo=1, hi=X0.shape[0])
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
            "): increase `options.t_end` or `options.max_iter`")
    return finish(BasinResult, success=ok, status=Status.SUCCESS if ok else Status.MAX_ITER,
                  message=msg, n_iter=int(N), u=u, v=v, labels=lab.reshape(grid, grid),
                  attractors=att, classes=classes, fractions=fr, special_fractions=special,
                  axis_labels=labels_ax, kinds=kinds, cycles=cycles, slice_basis=basis)




def _run_chunk_star(system, t_end, ftol, rtol, atol, max_iter, X0):
    return _run_chunk(system, X0, t_end, ftol, rtol, atol, max_iter)




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
    state_names : tuple of str
        Names of the state coordinates (the model's ``names``; empty when unknown).
    """

    param: str
    values: np.ndarray
    fractions: np.ndarray
    attractor_states: list
    attractor_classes: list
    class_fractions: np.ndarray
    class_names: tuple = OUTCOME_CLASSES
    state_names: tuple = ()

    def to_dataframe(self):
        """One row per parameter value: the share of every outcome class and of every matched
        attractor (``A0``, ``A1``, ...).

        Returns
        -------
        pandas.DataFrame

        Raises
        ------
        ImportError
            pandas is not installed (``pip install 'equilibria[data]'``).
        """
        from ._dataout import class_continuation_frame

        return class_continuation_frame(self)

    def to_xarray(self):
        """Shares as an xarray Dataset over ``(param, class)`` and ``(param, attractor)``; the
        parameter's dimension is named after it.

        Returns
        -------
        xarray.Dataset

        Raises
        ------
        ImportError
            xarray is not installed (``pip install 'equilibria[data]'``).
        """
        from ._dataout import class_continuation_dataset

        return class_continuation_dataset(self)

    def plot(self, ax=None, title: str | None = None, *, states: bool | None = None):
        """Draw the result (:func:`equilibria.odes.plotting.plot_continuation`).

        Parameters
        ----------
        ax : matplotlib.axes.Axes or pair of Axes, optional
            Axes to draw on (a pair: fractions, attractor states); a new figure is created
            when omitted.
        title : str, optional
            Axes title.
        states : bool, optional
            Draw the attractor states along the parameter below the fractions (default: with
            a new figure or a pair of axes).

        Returns
        -------
        matplotlib.figure.Figure
            The figure holding ``ax``.
        """
        from .plotting import plot_continuation

        return plot_continuation(self, ax=ax, title=title, states=states)


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
                       match_tol: float = 0.25, options: SweepOptions | None = None,
                       executor=None, progress: bool | None = None, **slice_kw) -> ContinuationResult | GlobalContinuation:
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
    model : CoexistenceModel, callable ``value -> CoexistenceModel | LVSystem``, ODE or Map
        A model whose parameter ``param`` is changed by :meth:`CoexistenceModel.replace`, or
        a factory building the system at each value (any model on the same machinery; then
        ``param`` only names the axis).  An ODE or Map goes to
        :func:`~equilibria.odes.global_continuation` with ``state_grid=`` (a
        :class:`~equilibria.odes.Grid`) and its other keywords in ``**slice_kw``.
    param : str
    values : array (p,), finite
    grid : int >= 2
    match_tol : float > 0
    options : SweepOptions, optional
        Integration and labelling settings of every :func:`basin_sweep`.
    executor, progress : see :func:`basin_sweep` (one work item per value).
    **slice_kw
        Slice options of :func:`basin_sweep` (``u_range``, ``v_range``, ``axes``, ``base``,
        ``axis_labels``, ``chunks``).

    Returns
    -------
    ContinuationResult
    """
    from .dynamical import DynamicalSystem

    if isinstance(model, DynamicalSystem):  # any system: global continuation
        from .continuation import global_continuation
        from .mapper import Grid

        g = slice_kw.pop("state_grid", None)
        if not isinstance(g, Grid):
            raise TypeError("for an ODE or Map pass `state_grid=Grid(...)` (the cells of state "
                            "space); this calls global_continuation")
        return global_continuation(model, param, values, g, executor=executor,
                                   progress=progress, **slice_kw)
    if not (isinstance(model, CoexistenceModel) or callable(model)) or \
            isinstance(model, LVSystem):
        raise TypeError("`model` must be a CoexistenceModel, a callable value -> model, or an "
                        "ODE/Map (with state_grid=)")
    if not isinstance(param, str):
        raise TypeError(f"`param` must be a str, got {type(param).__name__}")
    values = as_float_array(values, "values", ndim=1, min_size=1)
    match_tol = check_scalar(match_tol, "match_tol", lo=0, lo_inclusive=False)
    grid = check_int(grid, "grid", lo=2)
    n_state = model.n if isinstance(model, CoexistenceModel) else 1
    check_budget(grid * grid, n_state, "grid")
    bad = sorted(set(slice_kw) - {"u_range", "v_range", "axes", "base", "axis_labels", "chunks"})
    if bad:
        raise TypeError(f"unknown basin_sweep option(s) {bad}; integration settings go in "
                        "`options=SweepOptions(...)`")
    sweep_kw = dict(slice_kw, grid=grid, options=as_options(options))
    # validate the name and every value early (cheap for the model; the factory once)
    for v in (values if isinstance(model, CoexistenceModel) else values[:1]):
        try:
            _model_at(model, param, float(v))
        except (ValueError, TypeError) as exc:
            raise type(exc)(f"cannot build the model at `param`={param!r} = {float(v):g} (an "
                            f"entry of `values`): {exc}") from None
    first = _model_at(model, param, float(values[0]))
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
                  class_names=tuple(names),
                  state_names=tuple(getattr(first, "names", ()) or ()))


# ------------------------------------------------------------------------------------------
