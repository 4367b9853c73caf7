"""Simulation of symbolic vector fields (:class:`equilibria.theory.SymbolicField`).

The theory room builds and compiles the field; integrating it belongs here, in the dynamics
room, so that :mod:`equilibria.theory` stays below :mod:`equilibria.odes` in the dependency
order.
"""

from __future__ import annotations

import functools

import numpy as np

from equilibria._lib.result import finish
from equilibria._lib.validation import as_float_array, check_int, check_scalar
from equilibria.theory import SymbolicField

from ._kernels import make_dp5
from .systems import Trajectory

__all__ = ["simulate_field"]


@functools.lru_cache(maxsize=64)
def _integrator(compiled_field):
    return make_dp5(compiled_field, cache=False)


def simulate_field(field, x0, t_end, p=None, *, t_eval=None, rtol: float = 1e-8,
             atol: float = 1e-10, max_iter: int = 1_000_000, bound: float = 1e8):
    """Integrate a :class:`equilibria.theory.SymbolicField` with its compiled field.

    Adaptive Dormand-Prince 5(4), the same kernel and step rule as
    :meth:`equilibria.odes.LVSystem.simulate`: a step is accepted when the embedded error
    estimate, scaled by ``atol + rtol * |x|`` in the max norm, is at most 1.

    Parameters
    ----------
    field : SymbolicField
        The vector field ``dx/dt = f(x; p)``.
    x0 : array_like, shape (n,), >= 0
        Initial state (non-negative: the integrator clips negative components, see the note
        below).
    t_end : float
        Final time (> 0).
    p : array_like, shape (len(field.params),), optional
        Parameter values, in the order of ``field.params``.
    t_eval : array_like, optional
        Increasing output times in ``[0, t_end]`` (default 201 equispaced points).
    rtol, atol : float
        Relative and absolute local error tolerances.
    max_iter : int
        Budget of accepted plus rejected steps.
    bound : float
        The run stops as diverged when ``max|x| > bound``.

    Returns
    -------
    equilibria.odes.Trajectory
        ``t``, ``y`` (rows NaN after a divergence or failure), ``success``; on
        ``max|x| > bound``, a non-finite state, step-size underflow or ``max_iter``
        exhausted: ``success=False`` with a :class:`ConvergenceWarning` naming the fix.

    Note: the integrator clips negative components to 0 after each accepted step (it is
    built for population-type fields ``x * (...)``); for other fields keep states positive
    or shift coordinates.
    """
    from .systems import integration_outcome

    if not isinstance(field, SymbolicField):
        raise TypeError(f"`field` must be a SymbolicField, got {type(field).__name__}")
    x0 = as_float_array(x0, "x0", shape=(field.n,), nonneg=True)
    t_end = check_scalar(t_end, "t_end", lo=0, lo_inclusive=False)
    rtol = check_scalar(rtol, "rtol", lo=0, lo_inclusive=False)
    atol = check_scalar(atol, "atol", lo=0, lo_inclusive=False)
    max_iter = check_int(max_iter, "max_iter", lo=1)
    bound = check_scalar(bound, "bound", lo=0, lo_inclusive=False)
    t_eval = np.linspace(0.0, t_end, 201) if t_eval is None else \
        as_float_array(t_eval, "t_eval", ndim=1, nonneg=True, min_size=1)
    if np.any(np.diff(t_eval) <= 0) or t_eval[-1] > t_end * (1 + 1e-12):
        raise ValueError("`t_eval` must be increasing and within [0, t_end]")
    Y = np.empty((t_eval.size, field.n))
    status, t_stop, steps = _integrator(field.compiled_field)(x0, t_eval, field.param_vector(p), rtol, atol, 1e-2,
                                             max_iter, 0.0, 0.0, bound, Y)
    ok, st, msg = integration_outcome(int(status), float(t_stop), bound)
    return finish(Trajectory, success=ok, status=st, message=msg,
                  n_iter=int(steps), t=t_eval, y=Y, n_steps=int(steps))
