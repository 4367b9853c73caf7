"""CLI commands of the coexistence room: ``basin``, ``phase``, ``regimes``, ``shock``.

Each writes its figure (PNG) and its arrays (``.npz``) into the directory ``--out DIR``
(created if missing; default the current directory), named after the command and the run,
e.g. ``basin_lock_in.png`` and ``basin_lock_in.npz``.  Every ``.npz`` has an entry ``meta``,
a JSON string with the package version, the command line, every option value, the names and
values of the arrays' axes, the seed and the UTC date
(:mod:`equilibria._lib.provenance`)::

    equilibria basin --preset lock_in --grid 200 --out results   # basin image of the slice
    equilibria phase --preset governed --x g --y conflict_asymmetry --out results
    equilibria regimes --out results                              # table + continuation
    equilibria shock --preset lock_in --magnitude 0.5 --out results
"""

from __future__ import annotations

import argparse
import math
import os

PRESET_CHOICES = ("governed", "ungoverned", "overgoverned", "lock_in")


# ------------------------------------------------------------------ option checks
# argparse ``type=`` callables: a bad value is a one-line usage error naming the flag (exit 2)
# before any work starts.

def _number(kind=float, *, lo=None, strict=False, hi=None):
    """An argparse type: a finite ``kind`` number, ``>= lo`` (``> lo`` if strict), ``<= hi``."""
    def parse(text):
        value = kind(text)  # ValueError -> argparse's "invalid <kind> value"
        if kind is float and not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"must be a finite number, got {text!r}")
        if lo is not None and (value <= lo if strict else value < lo):
            raise argparse.ArgumentTypeError(
                f"must be {'>' if strict else '>='} {lo:g}, got {text!r}")
        if hi is not None and value > hi:
            raise argparse.ArgumentTypeError(f"must be <= {hi:g}, got {text!r}")
        return value

    parse.__name__ = kind.__name__
    return parse


_finite = _number(float)
_positive = _number(float, lo=0, strict=True)
_count = _number(int, lo=1)
_jobs = _number(int, lo=0)


def _out_dir(text):
    """An argparse type: an output directory (created when the command writes); an existing
    file of that name is refused."""
    if os.path.exists(text) and not os.path.isdir(text):
        raise argparse.ArgumentTypeError(f"{text!r} exists and is not a directory")
    return text


OUT_HELP = ("output directory, created if missing; the PNG and the NPZ (arrays + 'meta': "
            "version, command, options, axes, seed, date) are named after the command")
SEED_HELP = "master seed of the sampled initial states"


def _check_order(lo, hi, flags):
    """``lo < hi`` (element-wise), else a ValueError naming the two flags."""
    if any(a >= b for a, b in zip(lo, hi)):
        raise ValueError(f"{flags[0]} must be below {flags[1]}, got {flags[0]} "
                         f"{' '.join(f'{v:g}' for v in lo)} {flags[1]} "
                         f"{' '.join(f'{v:g}' for v in hi)}")


def _check_param(model, flag, name, *values):
    """``name`` is a parameter of ``model`` accepting ``values``, else a ValueError naming
    ``flag``."""
    for v in values:
        try:
            model.replace(**{name: v})
        except (ValueError, TypeError) as exc:
            raise ValueError(f"{flag} {name!r}: {exc}") from None


def _executor(args):
    jobs = getattr(args, "jobs", 1) or 1
    if jobs > 1:
        import concurrent.futures as cf

        return cf.ProcessPoolExecutor(max_workers=jobs)
    return None


def _folder(args):
    """The ``--out`` directory, created now (before any work starts)."""
    from equilibria._lib.provenance import output_dir

    return output_dir(args.out, command=f"equilibria {args.command}")


def _save(fig, arrays: dict, stem: str, args, *, axes, seed) -> None:
    """``<--out>/<stem>.png`` and ``<--out>/<stem>.npz`` (the arrays and their ``meta``)."""
    import matplotlib.pyplot as plt

    from equilibria._lib.provenance import metadata, write_npz

    folder = _folder(args)
    png, npz = folder / f"{stem}.png", folder / f"{stem}.npz"
    fig.savefig(png, dpi=130)
    plt.close(fig)
    write_npz(npz, arrays, metadata(args.command, args, axes=axes, seed=seed))
    print(f"wrote {png} and {npz}")


def _load_model(args):
    """``(system, grid, options)`` of ``--model`` with ``--set``, ``--grid-lo/--grid-hi``,
    ``--cells`` and ``--dt``; every problem is a ValueError naming the flag."""
    import numpy as np

    from equilibria.odes import Grid, IntegratorOptions

    from ._usermodel import load_system

    system = load_system(args.model)
    if args.set:
        assignments = dict(_parse_assignment(s) for s in args.set)
        unknown = sorted(set(assignments) - set(system.param_names))
        if unknown:
            raise ValueError(f"--set {unknown[0]!r}: {system.name} has no such parameter; its "
                             f"parameters are {', '.join(system.param_names) or '(none)'}")
        system = system.with_params(**assignments)
    try:
        lo = np.broadcast_to(np.asarray(args.grid_lo, dtype=float), (system.dim,))
        hi = np.broadcast_to(np.asarray(args.grid_hi, dtype=float), (system.dim,))
    except ValueError:
        raise ValueError(f"--grid-lo/--grid-hi take one value or {system.dim} (one per "
                         f"coordinate), got {len(args.grid_lo)} and {len(args.grid_hi)}"
                         ) from None
    _check_order(lo, hi, ("--grid-lo", "--grid-hi"))
    grid = Grid.box(lo, hi, args.cells, dim=system.dim)
    opts = IntegratorOptions(dt=args.dt) if args.dt else None
    return system, grid, opts


def _check_model_param(system, flag, name, *values):
    """``name`` is a parameter of the user's ``system`` accepting ``values``."""
    if name is None:
        raise ValueError(f"{flag} is required with --model (a parameter of {system.name}: "
                         f"{', '.join(system.param_names) or 'it has none'})")
    if name not in system.param_names:
        raise ValueError(f"{flag} {name!r}: {system.name} has no such parameter; its "
                         f"parameters are {', '.join(system.param_names) or '(none)'}")
    for v in values:
        try:
            system.with_params(**{name: v})
        except (ValueError, TypeError) as exc:
            raise ValueError(f"{flag} {name!r}: {exc}") from None


def _model_meta(system) -> dict:
    import numpy as np

    return dict(state_names=list(system.state_names),
                params=np.array(list(system.params.values()), dtype=float),
                param_names=list(system.param_names))


def _cmd_basin_model(args) -> int:
    import numpy as np

    from equilibria.odes import basins_of_attraction

    system, grid, opts = _load_model(args)
    _folder(args)
    lo, hi = grid.first, grid.last
    if any(not 0 <= c < system.dim for c in args.coordinates) or \
            args.coordinates[0] == args.coordinates[1]:
        raise ValueError(f"--coordinates must be two different indices in [0, {system.dim}), "
                         f"got {args.coordinates[0]} {args.coordinates[1]}")
    c0, c1 = args.coordinates
    ic_axes = (np.linspace(lo[c0], hi[c0], args.grid), np.linspace(lo[c1], hi[c1], args.grid))
    ex = _executor(args)
    try:
        res = basins_of_attraction(system, grid, coordinates=(c0, c1), ic_axes=ic_axes,
                                   options=opts, chunks=max(1, args.jobs), executor=ex,
                                   progress=not args.no_progress)
    finally:
        if ex is not None:
            ex.shutdown(cancel_futures=True)
    print(res.message)
    fig = res.plot(title=f"Basins of attraction: {system.name}")
    _save(fig, dict(u=res.axes[0], v=res.axes[1], basins=res.basins,
                    coordinates=np.array(res.coordinates),
                    attractor_locations=np.array([a.location for a in res.attractors]).reshape(
                        -1, system.dim),
                    attractor_kinds=[a.kind for a in res.attractors],
                    attractor_labels=[a.label for a in res.attractors],
                    **_model_meta(system)),
          f"basin_{system.name}", args, seed=None,
          axes={"x": (system.state_names[c0], res.axes[0]),
                "y": (system.state_names[c1], res.axes[1])})
    return 0 if res.success else 1


def _cmd_phase_model(args) -> int:
    import numpy as np

    from equilibria.odes import generic_regime_diagram

    system, grid, opts = _load_model(args)
    if args.x is not None and args.x == args.y:
        raise ValueError(f"--x and --y must differ, got {args.x!r} twice")
    _check_model_param(system, "--x", args.x, *args.x_range)
    _check_model_param(system, "--y", args.y, *args.y_range)
    _folder(args)
    xs = np.linspace(args.x_range[0], args.x_range[1], args.nx)
    ys = np.linspace(args.y_range[0], args.y_range[1], args.ny)
    ex = _executor(args)
    try:
        res = generic_regime_diagram(system, args.x, xs, args.y, ys, grid, n=args.n_ic,
                                     options=opts, seed=args.seed, executor=ex,
                                     progress=not args.no_progress)
    finally:
        if ex is not None:
            ex.shutdown(cancel_futures=True)
    print(res.message)
    fig = res.plot(title=f"Regime diagram: {system.name}")
    _save(fig, dict(x_param=args.x, y_param=args.y, x_values=xs, y_values=ys,
                    n_attractors=res.n_attractors, dominant_kind=res.dominant_kind,
                    kinds=list(res.kinds), dominant_fraction=res.dominant_fraction,
                    dominant_location=res.dominant_location, multistable=res.multistable,
                    cell_success=res.cell_success, **_model_meta(system)),
          f"phase_{system.name}_{args.x}_{args.y}", args, seed=args.seed,
          axes={"x": (args.x, xs), "y": (args.y, ys)})
    return 0 if res.success else 1


def _cmd_regimes_model(args) -> int:
    import numpy as np

    from equilibria.odes import global_continuation

    system, grid, opts = _load_model(args)
    if args.range is None:
        raise ValueError("--range LO HI is required with --model (the values of --param)")
    lo, hi = args.range
    if lo >= hi:
        raise ValueError(f"--range LO HI needs LO < HI, got --range {lo:g} {hi:g}")
    _check_model_param(system, "--param", args.param, lo, hi)
    _folder(args)
    values = np.linspace(lo, hi, args.n_values)
    ex = _executor(args)
    try:
        res = global_continuation(system, args.param, values, grid, n=args.n_ic, options=opts,
                                  seed=args.seed, executor=ex, progress=not args.no_progress)
    finally:
        if ex is not None:
            ex.shutdown(cancel_futures=True)
    print(res.message)
    fig = res.plot(title=f"Global continuation of {system.name} along {args.param}")
    special = {f"special_{k}": np.asarray(v) for k, v in res.special_fractions.items()}
    _save(fig, dict(param=args.param, values=res.values, ids=np.array(res.ids),
                    fractions=res.fractions, ci=res.ci, present=res.present,
                    value_success=res.value_success, **special, **_model_meta(system)),
          f"regimes_{system.name}_{args.param}", args, seed=args.seed,
          axes={"x": (args.param, res.values), "attractor": ("attractor id", res.ids)})
    return 0 if res.success else 1


def _cmd_shock_model(args) -> int:
    import numpy as np

    from equilibria.odes import find_attractors, minimal_fatal_shock, recovery_time

    system, grid, opts = _load_model(args)
    _folder(args)
    found = find_attractors(system, grid, n=args.n_ic, options=opts, seed=args.seed,
                            progress=not args.no_progress)
    if not found.attractors:
        raise ValueError(f"--model: no attractor of {system.name} found from {args.n_ic} "
                         "states in the --grid-lo/--grid-hi box (widen the box or raise --n-ic)")
    k = args.attractor
    if not 1 <= k <= len(found.attractors):
        raise ValueError(f"--attractor must be in [1, {len(found.attractors)}] (the attractors "
                         f"found, by decreasing basin share), got {k}")
    att = found.attractors[k - 1]
    x_star = np.asarray(att.location, dtype=float)
    span = grid.last - grid.first
    max_radius = args.max_radius if args.max_radius else 0.5 * float(span.min())
    ex = _executor(args)
    try:
        fatal = minimal_fatal_shock(system, att, grid=grid, max_radius=max_radius, options=opts,
                                    seed=args.seed, executor=ex, progress=not args.no_progress)
    finally:
        if ex is not None:
            ex.shutdown(cancel_futures=True)
    x_shocked = (1.0 - args.magnitude) * x_star
    rec = recovery_time(system, x_star, x_shocked, t_max=args.t_end, options=opts)
    print(f"attractor {k}: {att.label}; {rec.message}; "
          + (f"minimal fatal shock {fatal.norm:.4g}" if fatal.success else fatal.message))
    fig = _shock_figure(system, k, att, rec, fatal, args.magnitude)
    _save(fig, dict(x_star=x_star, x_shocked=x_shocked, t=rec.t, distance=rec.distance,
                    threshold=rec.threshold, recovery_time=rec.recovery_time,
                    recovered=rec.recovered, fatal_norm=fatal.norm, fatal_shock=fatal.shock,
                    fatal_direction=fatal.direction, fatal_success=fatal.success,
                    **_model_meta(system)),
          f"shock_{system.name}", args, seed=args.seed,
          axes={"t": ("time", rec.t), "state": ("state", list(system.state_names))})
    return 0 if (rec.success and fatal.success) else 1


def _shock_figure(system, k, att, rec, fatal, magnitude):
    """Two panels: the distance to the attractor after the knock-down (with the recovery
    threshold), and the shocked orbit with the minimal fatal shock in the first two
    coordinates."""
    import matplotlib.pyplot as plt
    import numpy as np

    fig, (a0, a1) = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
    a0.semilogy(rec.t, np.maximum(rec.distance, 1e-16), color="#0072B2", lw=1.5,
                label="distance to the attractor")
    a0.axhline(rec.threshold, color="0.4", ls="--", lw=1, label="recovery threshold")
    if np.isfinite(rec.recovery_time):
        a0.axvline(rec.recovery_time, color="#D55E00", lw=1,
                   label=f"recovery time {rec.recovery_time:.3g}")
    a0.set_xlabel("time")
    a0.set_ylabel(r"$d_\infty(x(t), A)$")
    a0.set_title(f"{100 * magnitude:.0f}% knock-down: "
                 + ("recovered" if rec.recovered else "not recovered"))
    a0.legend(fontsize=8, frameon=False)
    names = list(system.state_names)
    x0 = np.asarray(rec.x_star, dtype=float)
    if system.dim >= 2:
        from equilibria.odes import Map

        if isinstance(system, Map):
            traj = system.trajectory(rec.x_shocked, int(rec.t[-1]))
        else:
            traj = system.trajectory(rec.x_shocked, float(rec.t[-1]))
        Y = np.asarray(traj.y)
        Y = Y[np.all(np.isfinite(Y), axis=1)]
        a1.plot(Y[:, 0], Y[:, 1], color="#0072B2", lw=1,
                marker="." if isinstance(system, Map) else None, label="shocked orbit")
        a1.plot(*x0[:2], "o", color="black", label="attractor state")
        a1.plot(*np.asarray(rec.x_shocked)[:2], "s", color="#0072B2", mfc="white",
                label="knocked-down state")
        if fatal.success:
            xs = np.asarray(fatal.x_shocked, dtype=float)
            a1.annotate("", xy=xs[:2], xytext=x0[:2],
                        arrowprops=dict(arrowstyle="->", color="#D55E00", lw=1.5))
            a1.plot(*xs[:2], "x", color="#D55E00",
                    label=f"minimal fatal shock, norm {fatal.norm:.3g}")
        a1.set_xlabel(f"${names[0]}$" if names[0].isidentifier() else names[0])
        a1.set_ylabel(f"${names[1]}$" if names[1].isidentifier() else names[1])
        a1.legend(fontsize=8, frameon=False)
        a1.set_title(f"{system.name}: attractor {k}, {att.label}")
    else:
        a1.set_axis_off()
    return fig


def _parse_assignment(text: str):
    name, sep, value = text.partition("=")
    if not sep:
        raise ValueError(f"--set expects name=value, got {text!r}")
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"--set {name}: {value!r} is not a number") from None
    if not math.isfinite(number):
        raise ValueError(f"--set {name}: must be finite, got {value!r}")
    return name.strip(), number


def _cmd_basin(args) -> int:
    import matplotlib

    matplotlib.use("Agg")
    from equilibria.odes import CoexistenceModel, SweepOptions, basin_sweep

    if args.model:
        return _cmd_basin_model(args)
    _check_order([args.lo], [args.hi], ("--lo", "--hi"))
    _folder(args)
    M = CoexistenceModel.preset(args.preset)
    ex = _executor(args)
    try:
        opts = SweepOptions(t_end=args.t_end, recurrence=not args.no_recurrence,
                            window=args.window)
        res = basin_sweep(M, grid=args.grid, u_range=(args.lo, args.hi), options=opts,
                          executor=ex, progress=not args.no_progress)
    finally:
        if ex is not None:
            ex.shutdown(cancel_futures=True)
    from equilibria.odes import BasinResult

    assert isinstance(res, BasinResult)  # a preset gives the coexistence sweep's record
    print(res.message)
    fig = res.plot(title=f"Basins of attraction, preset '{args.preset}'")
    _save(fig, dict(u=res.u, v=res.v, labels=res.labels, attractors=res.attractors,
                    fractions=res.fractions, classes=list(res.classes),
                    kinds=list(res.kinds)),
          f"basin_{args.preset}", args, seed=None,
          axes={"x": (res.axis_labels[0], res.u), "y": (res.axis_labels[1], res.v)})
    return 0


def _cmd_phase(args) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import numpy as np

    from equilibria.odes import OUTCOME_CLASSES, CoexistenceModel, regime_diagram

    if args.model:
        return _cmd_phase_model(args)
    args.x = "g" if args.x is None else args.x
    args.y = "conflict_asymmetry" if args.y is None else args.y
    for flag, (lo, hi) in (("--x-range", args.x_range), ("--y-range", args.y_range)):
        if lo >= hi:
            raise ValueError(f"{flag} LO HI needs LO < HI, got {flag} {lo:g} {hi:g}")
    if args.x == args.y:
        raise ValueError(f"--x and --y must differ, got {args.x!r} twice")
    M = CoexistenceModel.preset(args.preset)
    _check_param(M, "--x", args.x, *args.x_range)
    _check_param(M, "--y", args.y, *args.y_range)
    _folder(args)
    xs = np.linspace(args.x_range[0], args.x_range[1], args.nx)
    ys = np.linspace(args.y_range[0], args.y_range[1], args.ny)
    ex = _executor(args)
    try:
        res = regime_diagram(M, args.x, xs, args.y, ys, n_ic=args.n_ic, seed=args.seed,
                             executor=ex, progress=not args.no_progress)
    finally:
        if ex is not None:
            ex.shutdown(cancel_futures=True)
    from equilibria.odes import RegimeResult

    assert isinstance(res, RegimeResult)  # a preset model gives the coexistence diagram
    fig = res.plot(title=f"Regime diagram from preset '{args.preset}'")
    _save(fig, dict(x_param=args.x, y_param=args.y, x_values=xs, y_values=ys,
                    classes=res.classes, multistable=res.multistable,
                    coexistence=res.coexistence, class_names=list(OUTCOME_CLASSES)),
          f"phase_{args.preset}_{args.x}_{args.y}", args, seed=args.seed,
          axes={"x": (args.x, xs), "y": (args.y, ys)})
    return 0


def _cmd_regimes(args) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from equilibria.odes import (OUTCOME_CLASSES, CoexistenceModel, basin_continuation,
                                 format_table, regime_table)

    if args.model:
        return _cmd_regimes_model(args)
    _folder(args)
    rows = regime_table()
    print(format_table(rows))
    gs = np.linspace(0.0, args.g_max, args.n_values)
    ex = _executor(args)
    try:
        cg = basin_continuation(CoexistenceModel.preset("governed"), "g", gs, grid=args.grid,
                                executor=ex, progress=not args.no_progress)
        rs = np.linspace(0.6, 1.6, args.n_values)
        cr = basin_continuation(CoexistenceModel.preset("lock_in"), "reciprocity", rs,
                                grid=args.grid, executor=ex, progress=not args.no_progress)
    finally:
        if ex is not None:
            ex.shutdown(cancel_futures=True)
    from equilibria.odes import ContinuationResult

    assert isinstance(cg, ContinuationResult) and isinstance(cr, ContinuationResult)
    fig, axes = plt.subplots(2, 2, figsize=(13, 7.2), layout="constrained", sharex="col",
                             height_ratios=[1.0, 1.3])
    cg.plot(ax=axes[:, 0], title="Governance $g$ (governed preset)")
    cr.plot(ax=axes[:, 1], title="Reciprocity (lock-in preset)")
    handles: dict = {}
    for ax in axes[0]:  # one legend for both panels: every outcome class that appears
        for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            handles.setdefault(lab, h)
        ax.get_legend().remove()
    order = [c for c in OUTCOME_CLASSES if c in handles]
    fig.legend([handles[c] for c in order], order, loc="outside right upper", fontsize=9,
               frameon=False, title="outcome class")
    keys = ("preset", "g", "state", "coexistence", "domination", "conflict", "development",
            "max_re")
    table = {k: np.array([r[k] for r in rows]) for k in keys}
    _save(fig, dict(g=gs, g_class_fractions=cg.class_fractions, reciprocity=rs,
                    r_class_fractions=cr.class_fractions, class_names=list(OUTCOME_CLASSES),
                    **{f"table_{k}": v for k, v in table.items()}), "regimes", args, seed=None,
          axes={"g": ("g (governed preset)", gs),
                "reciprocity": ("reciprocity (lock_in preset)", rs),
                "class": ("outcome class", list(OUTCOME_CLASSES)),
                "table_row": ("preset", table["preset"])})
    return 0


def _cmd_shock(args) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import numpy as np

    from equilibria.odes import CoexistenceModel, shock_test

    if args.model:
        return _cmd_shock_model(args)
    M = CoexistenceModel.preset(args.preset)
    if args.param:
        if args.value is None:
            raise ValueError("--param needs --value (the shocked parameter value)")
        _check_param(M, "--param", args.param, args.value)
    _folder(args)
    if args.param:
        res = shock_test(M, kind="parameter", param=args.param, value=args.value,
                         duration=args.duration, t_end=args.t_end)
    else:
        res = shock_test(M, magnitude=args.magnitude, t_end=args.t_end)
    print(res.message + (f"; critical knock-down {res.critical_magnitude:.4g}"
                         if res.critical_magnitude == res.critical_magnitude else ""))
    what = (f"{args.param} = {args.value:g} for {args.duration:g} time units" if args.param
            else f"{100 * args.magnitude:.0f}% knock-down")
    crit = res.critical_magnitude
    fig = res.plot(title=f"Shock on preset '{args.preset}' ({what}): "
                         f"{'regained' if res.regained else 'lost'}"
                         + (f"\nsmallest knock-down that loses the attractor: {100 * crit:.1f}%"
                            if np.isfinite(crit) else ""))
    _save(fig, dict(t=res.t, y=res.y, x_star=res.x_star, recovery_time=res.recovery_time,
                    regained=res.regained, critical_magnitude=res.critical_magnitude),
          f"shock_{args.preset}", args, seed=None,
          axes={"t": ("time", res.t),
                "state": ("state", list(M.names))})
    return 0


def add_commands(subparsers) -> None:
    """Add ``basin``, ``phase``, ``regimes`` and ``shock`` to the ``equilibria`` CLI."""
    def common(p, preset="lock_in"):
        p.add_argument("--preset", choices=PRESET_CHOICES, default=preset,
                       help="the coexistence model's parameter preset")
        out(p)

    def out(p):
        p.add_argument("--out", metavar="DIR", type=_out_dir, default=".", help=OUT_HELP)
        p.add_argument("--no-progress", action="store_true", help="no progress bar")

    def model(p, cells=101):
        p.add_argument("--model", metavar="MODULE:NAME",
                       help="your system: 'pkg.module:name' or 'file.py:name' naming an ODE or "
                            "Map (replaces --preset; uses --grid-lo/--grid-hi/--cells)")
        p.add_argument("--set", action="append", metavar="NAME=VALUE",
                       help="--model: parameter value (repeatable)")
        p.add_argument("--grid-lo", type=_finite, nargs="+", default=[0.0],
                       help="--model: lower corner of the state-space box (one value or one "
                            "per coordinate)")
        p.add_argument("--grid-hi", type=_finite, nargs="+", default=[1.0],
                       help="--model: upper corner of the state-space box")
        p.add_argument("--cells", type=_number(int, lo=2, hi=100_000), default=cells,
                       help="--model: recurrence-grid points per coordinate")
        p.add_argument("--dt", type=_positive, default=None,
                       help="--model: sampling time of the recurrence machine (default 1)")

    p = subparsers.add_parser("basin", help="basins of attraction on a 2-D slice (a preset, or "
                                            "your own model with --model)")
    common(p)
    model(p)
    p.add_argument("--coordinates", type=_number(int, lo=0), nargs=2, default=(0, 1),
                   help="--model: the two coordinates of the image")
    p.add_argument("--grid", type=_number(int, lo=2), default=200,
                   help="grid points per axis")
    p.add_argument("--lo", type=_number(float, lo=0), default=0.02, help="lowest initial level")
    p.add_argument("--hi", type=_positive, default=2.5, help="highest initial level")
    p.add_argument("--t-end", type=_positive, default=500.0, help="integration time")
    p.add_argument("--window", type=_positive, default=None,
                   help="recurrence window for orbits that do not settle (default t-end)")
    p.add_argument("--no-recurrence", action="store_true",
                   help="label orbits that do not settle 'not converged' (no recurrence test)")
    p.add_argument("--jobs", type=_jobs, default=1,
                   help="worker processes (0 or 1: serial in this process)")
    p.set_defaults(func=_cmd_basin)

    p = subparsers.add_parser("phase", help="regime (phase) diagram over a parameter plane (a "
                                            "preset, or your own model with --model)")
    common(p, "governed")
    model(p, cells=51)
    p.add_argument("--x", default=None,
                   help="x parameter (a preset: default g; --model: required)")
    p.add_argument("--x-range", type=_finite, nargs=2, default=(0.0, 5.0), metavar=("LO", "HI"),
                   help="x parameter range")
    p.add_argument("--nx", type=_count, default=26, help="x values")
    p.add_argument("--y", default=None,
                   help="y parameter (a preset: default conflict_asymmetry; --model: required)")
    p.add_argument("--y-range", type=_finite, nargs=2, default=(-1.0, 1.0),
                   metavar=("LO", "HI"), help="y parameter range")
    p.add_argument("--ny", type=_count, default=21, help="y values")
    p.add_argument("--n-ic", type=_number(int, lo=1, hi=10**7), default=16,
                   help="initial states per cell")
    p.add_argument("--seed", type=_number(int, lo=0), default=0, help=SEED_HELP)
    p.add_argument("--jobs", type=_jobs, default=1,
                   help="worker processes (0 or 1: serial in this process)")
    p.set_defaults(func=_cmd_phase)

    p = subparsers.add_parser("regimes", help="governance-regime table and basin-fraction "
                                              "continuation figure (or the global continuation "
                                              "of your own model with --model)")
    out(p)
    model(p, cells=51)
    p.add_argument("--param", default=None, help="--model: the continued parameter (required)")
    p.add_argument("--range", type=_finite, nargs=2, default=None, metavar=("LO", "HI"),
                   help="--model: range of --param (required)")
    p.add_argument("--n-ic", type=_number(int, lo=1, hi=10**7), default=500,
                   help="--model: sampled initial states per value")
    p.add_argument("--seed", type=_number(int, lo=0), default=0,
                   help="--model: " + SEED_HELP + " (the presets' grids are deterministic)")
    p.add_argument("--g-max", type=_positive, default=5.0, help="largest governance level g")
    p.add_argument("--n-values", type=_number(int, lo=2), default=41,
                   help="continuation points per curve")
    p.add_argument("--grid", type=_number(int, lo=2), default=30,
                   help="basin grid points per axis")
    p.add_argument("--jobs", type=_jobs, default=1,
                   help="worker processes (0 or 1: serial in this process)")
    p.set_defaults(func=_cmd_regimes)

    p = subparsers.add_parser("shock", help="shock test: recovery time and critical shock (a "
                                            "preset, or your own model with --model)")
    common(p)
    model(p)
    p.add_argument("--attractor", type=_count, default=1,
                   help="--model: which attractor (1 = largest basin share)")
    p.add_argument("--max-radius", type=_positive, default=None,
                   help="--model: largest shock norm searched (default half the smallest "
                        "side of the grid box)")
    p.add_argument("--n-ic", type=_number(int, lo=1, hi=10**7), default=500,
                   help="--model: sampled initial states for finding the attractors")
    p.add_argument("--seed", type=_number(int, lo=0), default=0,
                   help="--model: master seed of the sampled states and shock directions (a "
                        "preset's shock is deterministic)")
    p.add_argument("--magnitude", type=_number(float, lo=0, hi=1), default=0.5,
                   help="proportional knock-down in [0, 1] (impulse)")
    p.add_argument("--param", help="parameter for a temporary parameter shock")
    p.add_argument("--value", type=_finite, help="shocked parameter value")
    p.add_argument("--duration", type=_positive, default=5.0,
                   help="duration of the parameter shock")
    p.add_argument("--t-end", type=_positive, default=300.0, help="integration time")
    p.add_argument("--jobs", type=_jobs, default=1,
                   help="--model: worker processes for the fatal-shock search (0 or 1: serial)")
    p.set_defaults(func=_cmd_shock)
