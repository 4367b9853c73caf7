r"""Shocks to an attractor: impulses and temporary parameter changes, recovery time and the
critical (basin-leaving) magnitude by bisection.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from equilibria._lib.result import Result, Status, finish
from equilibria._lib.validation import as_float_array, check_option, check_scalar

from .attractors import _class_of, _system, default_attractor
from .model import CoexistenceModel

__all__ = ["ShockResult", "shock_test"]

#: output grid of the post-shock trajectory (points on ``[0, t_end]``) and of the shock window
SHOCK_GRID, WINDOW_GRID = 1501, 101
#: tolerances of the post-shock integration
SHOCK_RTOL, SHOCK_ATOL = 1e-8, 1e-11
#: most bisection steps of the critical magnitude (the bracket also stops at float resolution)
MAX_BISECT = 200
#: horizon and stopping rule of a run that decides whether a shocked state stays in the basin
BASIN_T_END, BASIN_FTOL, BASIN_RTOL, BASIN_ATOL = 2000.0, 1e-7, 1e-9, 1e-12


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
        """Draw the result (:func:`equilibria.odes.plotting.plot_shock`).

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
        from .plotting import plot_shock

        return plot_shock(self, ax=ax, title=title)


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
        Upper end of the bisection bracket; default 1 for the knock-down (at most 1 there),
        10 along a ``direction``.
    bisect_tol : float > 0, default 1e-3
        Bracket length at which the bisection stops (also after at most 200 halvings, or
        when the bracket reaches float resolution).  Every argument is validated whatever
        ``kind`` is (e.g. ``duration`` must be > 0 even for an impulse).

    Returns
    -------
    ShockResult
        ``success=False`` (with a warning) when the post-shock trajectory diverged or failed.
    """
    system = _system(model)
    if not isinstance(kind, str):
        raise TypeError(f"`kind` must be a str, got {type(kind).__name__}")
    check_option(kind, "kind", ("impulse", "parameter"))
    if not isinstance(critical, (bool, np.bool_)):
        raise TypeError(f"`critical` must be a bool, got {type(critical).__name__}")
    t_end = check_scalar(t_end, "t_end", lo=0, lo_inclusive=False)
    tol = check_scalar(tol, "tol", lo=0, lo_inclusive=False)
    duration = check_scalar(duration, "duration", lo=0, lo_inclusive=False)
    if max_magnitude is not None:
        max_magnitude = check_scalar(max_magnitude, "max_magnitude", lo=0, lo_inclusive=False)
        if direction is None and kind == "impulse" and max_magnitude > 1:
            raise ValueError(f"`max_magnitude` must be <= 1 for the proportional knock-down "
                             f"(`direction`=None), got {max_magnitude:g}")
    if param is not None and not isinstance(param, str):
        raise TypeError(f"`param` must be a str (a parameter name), got {type(param).__name__}")
    if value is not None:
        value = check_scalar(value, "value")
    shocked = None
    if kind == "parameter":
        if not isinstance(model, CoexistenceModel) or param is None or value is None:
            raise ValueError("`param` and `value` are required for kind='parameter' (and a "
                             "CoexistenceModel)")
        try:
            shocked = model.replace(**{param: value}).system
        except (ValueError, TypeError) as exc:
            raise type(exc)(f"cannot set `param`={param!r} to `value`={value:g}: {exc}") \
                from None
    x_star = default_attractor(model, system) if x_star is None else \
        system.check_state(x_star, "x_star")
    scale = tol * (1 + float(np.max(np.abs(x_star))))
    t_eval = np.linspace(0.0, t_end, SHOCK_GRID)
    if direction is not None:
        direction = as_float_array(direction, "direction", shape=(system.n,))
        big = float(np.max(np.abs(direction)))
        nrm = float(np.linalg.norm(direction / big)) * big if big > 0 else 0.0
        if nrm == 0:
            raise ValueError("`direction` must be non-zero")
        direction = direction / nrm
    magnitude = check_scalar(magnitude, "magnitude", lo=0,
                             hi=1 if direction is None and kind == "impulse" else None)
    bisect_tol = check_scalar(bisect_tol, "bisect_tol", lo=0, lo_inclusive=False)

    def run_from(x0):
        return system.simulate(x0, t_end, t_eval=t_eval, rtol=SHOCK_RTOL, atol=SHOCK_ATOL)

    if kind == "impulse":
        tr = run_from(_impulse_state(x_star, direction, magnitude))
        t, y = tr.t, tr.y
    else:
        assert shocked is not None
        tw = np.linspace(0.0, duration, WINDOW_GRID)
        s1 = shocked.simulate(x_star, duration, t_eval=tw, rtol=SHOCK_RTOL, atol=SHOCK_ATOL)
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
        hi = max_magnitude if max_magnitude is not None else \
            (1.0 if direction is None else 10.0)

        def lost(mag):
            run = system.simulate_batch(_impulse_state(x_star, direction, mag)[None], BASIN_T_END,
                                        ftol=BASIN_FTOL, rtol=BASIN_RTOL, atol=BASIN_ATOL,
                                        warn=False)
            return not (run.status[0] in (0, 1) and
                        np.max(np.abs(run.x[0] - x_star)) <= scale)

        if not lost(hi):
            crit = np.inf
        else:
            lo = 0.0
            for _ in range(MAX_BISECT):
                mid = 0.5 * (lo + hi)
                if hi - lo <= bisect_tol or not lo < mid < hi:  # float resolution reached
                    break
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
