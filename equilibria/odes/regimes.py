r"""Regime (phase) diagrams of the coexistence model over a parameter plane, and the
governance-regime table of the presets.
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np

from equilibria._lib.result import Result, Status, finish
from equilibria._lib.rng import as_generator
from equilibria._lib.sweep import parallel_map
from equilibria._lib.validation import as_float_array, check_int, check_option

from .attractors import DIVERGED, _class_of, _label_orbits
from .continuation import GenericRegimeResult, generic_regime_diagram
from .dynamical import DynamicalSystem, IntegratorOptions
from .mapper import Grid
from .model import OUTCOME_CLASSES, PRESETS, CoexistenceModel, classify
from .options import REGIME_OPTIONS, SweepOptions, as_options, check_budget

#: largest number of initial states per cell of :func:`regime_diagram`
MAX_IC = 100_000

__all__ = ["RegimeResult", "regime_diagram", "regime_table", "format_table"]


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

    def to_dataframe(self):
        """One row per cell: the two parameters' values, the outcome class (``class``, ``class_code``),
        ``multistable`` and ``coexistence``.

        Returns
        -------
        pandas.DataFrame

        Raises
        ------
        ImportError
            pandas is not installed (``pip install 'equilibria[data]'``).
        """
        from ._dataout import regime_frame

        return regime_frame(self)

    def to_xarray(self):
        """The diagram as an xarray Dataset whose dimensions are the two parameter names
        (``ds.sel({y_param: ...})``).

        Returns
        -------
        xarray.Dataset

        Raises
        ------
        ImportError
            xarray is not installed (``pip install 'equilibria[data]'``).
        """
        from ._dataout import regime_dataset

        return regime_dataset(self)

    def plot(self, ax=None, title: str | None = None):
        """Draw the result (:func:`equilibria.odes.plotting.plot_regimes`).

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
        from .plotting import plot_regimes

        return plot_regimes(self, ax=ax, title=title)


def _regime_row(model, x_param, x_values, y_param, X0, kw, y):
    cls = np.empty(len(x_values), dtype=np.int64)
    multi = np.empty(len(x_values), dtype=bool)
    coex = np.empty(len(x_values))
    for i, xv in enumerate(x_values):
        m = model.replace(**{x_param: xv, y_param: y})
        opt = kw["opt"]
        run = m.simulate_batch(X0, opt.t_end, ftol=opt.ftol, rtol=opt.rtol, atol=opt.atol,
                               max_iter=opt.max_iter, warn=False)
        lab, att, kinds, _ = _label_orbits(m.system, run.x, run.status, ftol=opt.ftol,
                                           cluster_tol=opt.cluster_tol, recurrence=kw["rec"],
                                           X0=X0)
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


def regime_diagram(model: CoexistenceModel | DynamicalSystem, x_param: str, x_values,
                   y_param: str, y_values, *, n_ic: int | None = None,
                   options: SweepOptions | IntegratorOptions | None = None, seed=0,
                   executor=None, progress: bool | None = None, grid: Grid | None = None,
                   **generic) -> RegimeResult | GenericRegimeResult:
    r"""Outcome class over a parameter plane (e.g. ``g`` x ``conflict_asymmetry``) of the
    coexistence model, or the attractors of any :class:`~equilibria.odes.ODE` /
    :class:`~equilibria.odes.Map` over two of its parameters.

    Dispatch on ``model``: an ODE or a Map (a
    :class:`~equilibria.odes.dynamical.DynamicalSystem`) goes to
    :func:`equilibria.odes.continuation.generic_regime_diagram` (the recurrence machine on a
    common sample per cell, seeded from the neighbouring cells; it needs ``grid``, the cells
    of the machine) and returns a
    :class:`~equilibria.odes.continuation.GenericRegimeResult`; a
    :class:`CoexistenceModel` keeps the behaviour below and returns a :class:`RegimeResult`.

    Coexistence model:

    At each cell, ``n_ic`` initial states (log-uniform in ``[0.01, 3]`` per coordinate, the
    same for every cell, drawn from ``seed``) are integrated, their attractors identified
    (:func:`identify_attractors`), and the cell gets the outcome class (:func:`classify`) of
    the attractor with the largest share; cells reaching several attractors are flagged
    ``multistable``.  Rows of the plane are the parallel work items.

    Stopping rule per orbit: ``max_i |f_i| <= ftol`` or ``t_end`` (DP5(4); the fields of
    ``options``); with ``recurrence=True`` orbits that do not settle are continued for ``t_end`` and
    labelled ``oscillation`` or ``heteroclinic cycling`` by the recurrence fallback
    (:mod:`equilibria.odes.recurrence`), else ``not converged``.  Orbits that diverge give
    ``diverged`` when no attractor is found.

    Parameters
    ----------
    model : CoexistenceModel, ODE or Map
        The model.
    x_param, y_param : str
        Names accepted by :meth:`CoexistenceModel.replace` (fields, ``reciprocity``,
        ``conflict_asymmetry``); for an ODE/Map two of its ``param_names``.
    x_values, y_values : array, finite
        Values of the two parameters.
    n_ic : int >= 1, optional
        Initial states per cell (default 24 for the coexistence model; for an ODE/Map the
        samples per cell, default
        :data:`~equilibria.odes.continuation.DEFAULT_REGIME_SAMPLES`).
    options : SweepOptions or IntegratorOptions, optional
        Coexistence model: integration and labelling settings; default
        :data:`~equilibria.odes.options.REGIME_OPTIONS` (``SweepOptions(n_samples=400,
        max_iter=200_000)``).  ODE/Map: the integrator settings of the machine.
    seed : int or Generator
        Random state of the initial states.
    executor : concurrent.futures.Executor, optional
        Runs the rows (coexistence model) or the cells (ODE/Map); the result is identical to
        the serial one.
    progress : bool or None
        tqdm progress bar (``False`` turns it off).
    grid : Grid, optional
        ODE/Map only (required there): the cells of the recurrence machine.
    **generic
        ODE/Map only: further keywords of
        :func:`~equilibria.odes.continuation.generic_regime_diagram` (``sampler``,
        ``sweeps``, ``recurrence``).

    Returns
    -------
    RegimeResult or GenericRegimeResult
        Coexistence model: ``classes``, ``multistable`` and ``coexistence`` of shape
        ``(len(y_values), len(x_values))`` (rows follow ``y_values``); ``success=False`` with
        a warning when some cell reached no attractor (its coexistence is NaN).  ODE/Map: number of
        attractors, dominant kind and fraction, ``multistable`` per cell (same shape).

    Raises
    ------
    ValueError
        ODE/Map without ``grid``.
    TypeError
        Another kind of ``model``, or ``grid``/generic keywords with the coexistence model.
    """
    if isinstance(model, DynamicalSystem):
        if grid is None:
            raise ValueError(f"`grid` is required for an {type(model).__name__} (the cells of "
                             "the recurrence machine), e.g. grid=Grid.box(lo, hi, 41, "
                             f"dim={model.dim})")
        if options is not None and not isinstance(options, IntegratorOptions):
            raise TypeError(f"`options` of an {type(model).__name__} must be "
                            f"IntegratorOptions, got {type(options).__name__}")
        if n_ic is not None:
            generic.setdefault("n", n_ic)
        return generic_regime_diagram(model, x_param, x_values, y_param, y_values, grid,
                                      seed=seed, options=options, executor=executor,
                                      progress=progress, **generic)
    if not isinstance(model, CoexistenceModel):
        raise TypeError("`model` must be a CoexistenceModel, an ODE or a Map, got "
                        f"{type(model).__name__}")
    if grid is not None or generic:
        extra = (["grid"] if grid is not None else []) + sorted(generic)
        raise TypeError(f"{extra} apply to an ODE/Map only, not to the CoexistenceModel")
    n_ic = 24 if n_ic is None else n_ic
    for nm, p in (("x_param", x_param), ("y_param", y_param)):
        if not isinstance(p, str):
            raise TypeError(f"`{nm}` must be a str (a parameter name), got {type(p).__name__}")
    if x_param == y_param:
        raise ValueError(f"`x_param` and `y_param` must differ, got {x_param!r} twice")
    xv = as_float_array(x_values, "x_values", ndim=1, min_size=1)
    yv = as_float_array(y_values, "y_values", ndim=1, min_size=1)
    n_ic = check_int(n_ic, "n_ic", lo=1, hi=MAX_IC)
    check_budget(n_ic, model.n, "n_ic")
    rng = as_generator(seed)
    opt = REGIME_OPTIONS if options is None else as_options(options)
    kw = {"opt": opt, "rec": opt.recurrence_options()}
    # validate the names and every value early (one model per value of each axis)
    for nm, p, vals, other, o0 in (("x", x_param, xv, y_param, yv[0]),
                                   ("y", y_param, yv, x_param, xv[0])):
        for v in vals:
            try:
                model.replace(**{p: float(v), other: float(o0)})
            except (ValueError, TypeError) as exc:
                raise type(exc)(f"cannot build the model at `{nm}_param`={p!r} = {float(v):g} "
                                f"(an entry of `{nm}_values`) with {other!r} = {float(o0):g} "
                                f"(from `x_param`/`y_param`, `x_values`/`y_values`): {exc}") \
                    from None
    X0 = np.exp(rng.uniform(np.log(0.01), np.log(3.0), size=(n_ic, model.n)))
    rows = parallel_map(functools.partial(_regime_row, model, x_param, list(xv), y_param, X0,
                                          kw), list(yv), executor=executor, progress=progress,
                        desc="regime diagram")
    cls = np.array([r[0] for r in rows])
    multi = np.array([r[1] for r in rows])
    coex = np.array([r[2] for r in rows])
    empty = int(np.sum(~np.isfinite(coex)))
    ok = empty == 0
    msg = f"{cls.size} cells"
    if not ok:
        msg += (f"; {empty} cell(s) reached no attractor (class 'not converged' or "
                "'diverged', coexistence NaN): raise `options.t_end` or `options.max_iter`, "
                "or check the parameter values")
    return finish(RegimeResult, success=ok, status=Status.SUCCESS if ok else Status.MAX_ITER,
                  message=msg, n_iter=int(cls.size), x_param=x_param,
                  y_param=y_param, x_values=xv, y_values=yv, classes=cls, multistable=multi,
                  coexistence=coex)


# ------------------------------------------------------------------------------------------


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
    names : str or sequence of str, default all of :data:`PRESETS`
        Preset names accepted by :meth:`CoexistenceModel.preset` (a single name is one
        preset).

    Returns
    -------
    list of dict
        The rows described above; for ``"lock_in"`` only the best and the worst stable state.
    """
    if isinstance(names, str):
        names = (names,)
    try:
        names = tuple(names)
    except TypeError:
        raise TypeError(f"`names` must be a preset name or a sequence of them, got "
                        f"{type(names).__name__}") from None
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"`names` must hold preset names (str), got {type(name).__name__}")
        check_option(name, "names", PRESETS)
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
    _KEYS = ("preset", "g", "state", "coexistence", "domination", "dominant", "conflict",
             "development", "max_re", "outcome")
    if isinstance(rows, (str, bytes, dict)) or not hasattr(rows, "__iter__"):
        raise TypeError(f"`rows` must be a list of dict (regime_table rows), got "
                        f"{type(rows).__name__}")
    rows = list(rows)
    for i, r in enumerate(rows):
        if not isinstance(r, dict):
            raise TypeError(f"`rows`[{i}] must be a dict, got {type(r).__name__}")
        missing = [k for k in _KEYS if k not in r]
        if missing:
            raise ValueError(f"`rows`[{i}] lacks the key(s) {missing} of a regime_table row")
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
