"""One frozen options object for the sweeps of the room (integrator tolerances, stopping rule,
clustering, recurrence fallback), so every default is written once.

``basin_sweep``, ``basin_continuation`` and ``regime_diagram`` take ``options=SweepOptions(...)``;
``options.replace(t_end=1000.0)`` derives a variant.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from equilibria._lib.validation import check_int, check_scalar

__all__ = ["SweepOptions", "REGIME_OPTIONS"]

#: integration bound of the recurrence fallback: a state with a coordinate above it diverged
RECURRENCE_BOUND = 1e8
#: largest recurrence sample per orbit (``n_samples``): the fallback holds
#: ``(n_samples + 1) x n`` floats per continued orbit
MAX_SAMPLES = 1_000_000
#: memory budget (bytes) of the arrays a sweep allocates up front (initial states, end states
#: and their copies): checked before allocating
MEMORY_BUDGET = 2 * 2**30


def check_budget(n_points: int, n: int, name: str, *, copies: int = 4) -> None:
    """Raise ``ValueError`` naming ``name`` when ``n_points`` states of dimension ``n`` (about
    ``copies`` float64 arrays of them) exceed :data:`MEMORY_BUDGET`."""
    need = float(n_points) * float(n) * 8.0 * copies
    if need > MEMORY_BUDGET:
        raise ValueError(f"`{name}` asks for {n_points:.3g} initial states of dimension {n} "
                         f"(~{need / 2**30:.3g} GiB), above the {MEMORY_BUDGET / 2**30:g} GiB "
                         f"budget of one sweep; lower `{name}`")


@dataclasses.dataclass(frozen=True, kw_only=True)
class SweepOptions:
    r"""Integration, stopping-rule, clustering and recurrence settings of a sweep.

    Each initial condition is integrated by the batched adaptive DP5(4) with tolerances
    ``rtol``, ``atol`` until the steady-state rule

    .. math:: \max_i |f_i(x(t))| \le \mathtt{ftol}

    or ``t = t_end`` (at most ``max_iter`` steps).  Converged end states are clustered at
    sup-distance ``cluster_tol * (1 + |x|_inf)``.  With ``recurrence=True`` orbits that did not
    converge, or that parked at an unstable equilibrium, are continued for ``window`` (default
    ``t_end``) time units sampled at ``n_samples + 1`` times and labelled periodic when they
    return to their own ``recurrence_tol`` neighbourhood, heteroclinic when they linger within
    ``near_tol`` of at least two unstable equilibria (:mod:`equilibria.odes.recurrence`).

    Parameters
    ----------
    t_end : float > 0, default 500.0
        Integration horizon of the first pass.
    ftol : float >= 0, default 1e-6
        Steady-state tolerance on ``max_i |f_i(x)|``.
    rtol, atol : float > 0, default 1e-7, 1e-9
        Relative and absolute local error tolerances of DP5(4).
    max_iter : int >= 1, default 100_000
        Step budget per orbit.
    cluster_tol : float > 0, default 1e-3
        Relative clustering distance of end states.
    recurrence : bool, default True
        Run the recurrence fallback on orbits that did not settle.
    window : float > 0, optional
        Length of the recurrence window (default ``t_end``).
    n_samples : int in [8, 1_000_000], default 1000
        Samples of the recurrence window.
    recurrence_tol : float > 0, default 1e-2
        Return distance (relative) of the periodic test.
    near_tol : float > 0, default 0.05
        Distance to a saddle of the heteroclinic test.

    Raises
    ------
    ValueError, TypeError
        On an invalid value, naming the field and the value seen.
    """

    t_end: float = 500.0
    ftol: float = 1e-6
    rtol: float = 1e-7
    atol: float = 1e-9
    max_iter: int = 100_000
    cluster_tol: float = 1e-3
    recurrence: bool = True
    window: float | None = None
    n_samples: int = 1000
    recurrence_tol: float = 1e-2
    near_tol: float = 0.05

    def __post_init__(self):
        pos = dict(lo=0, lo_inclusive=False)
        checked = dict(t_end=check_scalar(self.t_end, "t_end", **pos),
                       ftol=check_scalar(self.ftol, "ftol", lo=0),
                       rtol=check_scalar(self.rtol, "rtol", **pos),
                       atol=check_scalar(self.atol, "atol", **pos),
                       max_iter=check_int(self.max_iter, "max_iter", lo=1),
                       cluster_tol=check_scalar(self.cluster_tol, "cluster_tol", **pos),
                       n_samples=check_int(self.n_samples, "n_samples", lo=8, hi=MAX_SAMPLES),
                       recurrence_tol=check_scalar(self.recurrence_tol, "recurrence_tol", **pos),
                       near_tol=check_scalar(self.near_tol, "near_tol", **pos))
        if self.window is not None:
            checked["window"] = check_scalar(self.window, "window", **pos)
        if not isinstance(self.recurrence, (bool, np.bool_)):
            raise TypeError(f"`recurrence` must be a bool, got {type(self.recurrence).__name__}")
        for k, v in checked.items():
            object.__setattr__(self, k, v)
        object.__setattr__(self, "recurrence", bool(self.recurrence))

    def replace(self, **changes) -> SweepOptions:
        """A copy with ``changes`` applied (validated again).

        Parameters
        ----------
        **changes
            Field names and new values.

        Returns
        -------
        SweepOptions
            The new options.

        Raises
        ------
        TypeError
            For a name that is not a field.
        """
        names = {f.name for f in dataclasses.fields(self)}
        bad = sorted(set(changes) - names)
        if bad:
            raise TypeError(f"unknown SweepOptions field(s) {bad}; fields are {sorted(names)}")
        return dataclasses.replace(self, **changes)

    def recurrence_options(self) -> dict | None:
        """Keyword options of :func:`equilibria.odes.recurrence.continue_orbits`, or ``None``.

        Returns
        -------
        dict or None
            ``None`` when ``recurrence`` is off.
        """
        if not self.recurrence:
            return None
        return dict(window=self.t_end if self.window is None else self.window,
                    n_samples=self.n_samples, recurrence_tol=self.recurrence_tol,
                    near_tol=self.near_tol, rtol=self.rtol, atol=self.atol,
                    max_iter=self.max_iter, bound=RECURRENCE_BOUND)


def as_options(options, name: str = "options") -> SweepOptions:
    """``options`` validated as a :class:`SweepOptions` (``None`` gives the defaults)."""
    if options is None:
        return SweepOptions()
    if not isinstance(options, SweepOptions):
        raise TypeError(f"`{name}` must be a SweepOptions, got {type(options).__name__}")
    return options


#: defaults of :func:`~equilibria.odes.regime_diagram`: many cells, so a shorter recurrence
#: window sample and a larger step budget per orbit
REGIME_OPTIONS = SweepOptions(n_samples=400, max_iter=200_000)
