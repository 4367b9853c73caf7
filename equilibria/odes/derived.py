r"""Derived systems: the stroboscopic map of a periodically forced flow, the Poincaré map of a
flow on a hyperplane section, and the projection of any system onto some of its coordinates.

Each derived system is a :class:`~equilibria.odes.dynamical.DynamicalSystem` whose compiled
pieces are built from the parent's kernels, so every machine of the room
(:func:`~equilibria.odes.find_attractors`, :func:`~equilibria.odes.basins_of_attraction`,
:func:`~equilibria.odes.basins_fractions`, :func:`~equilibria.odes.lyapunov_spectrum`) runs
on it unchanged, as in DynamicalSystems.jl [1, 2]:

- :class:`StroboscopicMap` (``kind="map"``): :math:`x_{k+1} = \phi_{t_0}^{t_0+T}(x_k)` of a
  non-autonomous :math:`\dot x = f(x, p, t)` with period :math:`T` in ``t``.  It integrates the
  autonomous extension :math:`z = (x, \vartheta)`, :math:`\dot x = f(x, p, \vartheta)`,
  :math:`\dot\vartheta = 1` from :math:`\vartheta = t_0` over exactly :math:`T` (the last DP5
  step is shortened to land on :math:`T`).  Its Jacobian is the monodromy matrix
  :math:`\partial x(t_0+T)/\partial x(t_0)` from the variational equations
  :math:`\dot Q = D_z F(z) Q`, :math:`Q(0) = [I_n; 0]`.
- :class:`PoincareMap` (``kind="map"``): :math:`P(x) = \phi_{\tau(x)}(x)`, the next crossing
  of the hyperplane :math:`\Sigma = \{x : \langle a, x\rangle = b\}` in the given direction
  (:math:`\tau(x) > 0` the first return time).  Each application takes adaptive DP5(4) steps
  until the signed distance :math:`s(x) = (\langle a, x\rangle - b)/|a|` changes sign in the
  given direction over an accepted step, then finds the crossing on the step's free
  4th-order continuous extension (Dormand-Prince dense output, HNW II.6 [3], Shampine 1986
  [4]; the ``contd5`` formula of Hairer's ``dopri5``)

  .. math:: u(t_n + \theta h) = y_n + \theta\big(\Delta + (1-\theta)(h k_1 - \Delta
            + \theta(2\Delta - h(k_1 + k_7) + (1-\theta) r_5))\big),

  :math:`\Delta = y_{n+1} - y_n`, :math:`r_5 = h\sum_j d_j k_j`, by the Illinois variant of
  regula falsi on the scalar polynomial :math:`\theta \mapsto s(u(\theta))`.  Stopping rule:
  :math:`|s| \le` ``rootfind_tol`` at the bracket end past the plane (or a bracket narrower
  than ``ROOT_THETA_TOL``).  The returned state is the interpolated state there: it lies on
  the plane to ``rootfind_tol``, and a map application that starts within that band (or the
  rounding band ``ON_PLANE_RTOL``) of the plane treats its start as on the plane, so the same
  crossing is never found twice (zero return times).  The map's state is the full
  ``n``-dimensional state (``dimension(pmap) == dimension(ds)`` as in DynamicalSystems.jl
  [2]); project it with :class:`ProjectedSystem` to drop the coordinate fixed by the plane.
  Its Jacobian is :math:`DP = (I - f(P)\,a^\top/\langle a, f(P)\rangle)\,\Phi(\tau)` with
  :math:`\Phi` the variational flow to the crossing: it maps :math:`f(P)` to 0, and its
  other eigenvalues are the Floquet multipliers of a periodic orbit through a fixed point.
- :class:`ProjectedSystem` (kind of the parent): the parent runs in its full state space and
  only the chosen coordinates are exposed (``ProjectedDynamicalSystem`` of [2]); an initial
  projected state ``y`` is completed to a full state by ``complete`` (fixed values of the
  hidden coordinates, or a function).  The recurrence machine steps the full state (hidden
  coordinates persist along an orbit) with cells only along the projected coordinates;
  trajectories and end states are the parent's, projected.  ``rhs(y)`` is the projected field
  (or next state) at the completed state, :math:`g(y) = \Pi f(C(y))`, with Jacobian
  :math:`\Pi\,Df(C(y))\,DC(y)`; fixed points, their stability and Lyapunov exponents of a
  projected flow are those of :math:`g`, which are the dynamics' own when ``complete``
  parametrises an invariant manifold (e.g. the simplex of a replicator).

Integrator tolerances of the two maps are their own (``options`` of the constructor); the
``options`` passed to the machines give only ``dt`` (map applications per machine step).

Statuses of a map application: 0 ok, 1 non-finite or beyond ``SECTION_BOUND``, 2 step budget
exhausted or (Poincaré) no crossing within ``t_max``, 3 step-size underflow.

References
----------
1. G. Datseris, A. Wagemakers, "Effortless estimation of basins of attraction", Chaos 32
   (2022) 023104 (the recurrence machine on stroboscopic and Poincaré maps).
2. DynamicalSystemsBase.jl, ``src/derived_systems/stroboscopic_map.jl``,
   ``poincare/poincaremap.jl``, ``projected_system.jl`` (JuliaDynamics; ``StroboscopicMap``,
   ``PoincareMap(ds, plane; direction, Tmax, rootkw)``, ``ProjectedDynamicalSystem(ds,
   projection, complete_state)``).
3. E. Hairer, S. P. Norsett, G. Wanner, Solving Ordinary Differential Equations I, 2nd ed.,
   Springer (1993), II.4-II.6 (DP5(4), continuous Runge-Kutta methods, dense output of
   DOPRI5 and its ``contd5`` coefficients).
4. L. F. Shampine, "Some practical Runge-Kutta formulas", Math. Comp. 46 (1986) 135-150.
5. M. Dowell, P. Jarratt, "A modified regula falsi method for computing the root of an
   equation", BIT 11 (1971) 168-174 (the Illinois method).
6. S. Daza, A. Wagemakers, B. Georgeot, D. Guéry-Odelin, M. A. F. Sanjuán, "Basin entropy: a
   new tool to analyze uncertainty in dynamical systems", Sci. Rep. 6 (2016) 31416 (the forced
   damped pendulum :math:`\ddot\theta + 0.2\dot\theta + \sin\theta = 1.66\cos t` with wrapped
   angle, as in Wagemakers' Basins.jl examples).
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np

from equilibria._lib.jit import njit, prange
from equilibria._lib.result import Result, Status, finish, status_message
from equilibria._lib.validation import as_float_array, check_int, check_scalar

from . import _dyn_kernels as DK
from .dynamical import (DEFAULT_BOUND, MAX_MAP_WORK, MAX_OUTPUT, DynamicalSystem,
                        IntegratorOptions, Map, _end_states, _is_numba, _n_args, _trajectory,
                        as_system)

__all__ = ["StroboscopicMap", "PoincareMap", "ProjectedSystem", "SectionCrossings"]

#: dense-output coefficients of DOPRI5 (Hairer's ``contd5``; HNW II.6, Shampine 1986)
D1 = -12715105075.0 / 11282082432.0
D3 = 87487479700.0 / 32700410799.0
D4 = -10690763975.0 / 1880347072.0
D5 = 701980252875.0 / 199316789632.0
D6 = -1453857185.0 / 822651844.0
D7 = 69997945.0 / 29380423.0
#: first trial step of a map application that carries no step size yet
H_START = 1e-2
#: a section search whose state leaves this magnitude stops as diverged (status 1)
SECTION_BOUND = 1e8
#: Illinois iterations of the crossing search, and the bracket width (in step fractions) at
#: which it stops regardless of the residual
ROOT_MAX_ITER = 200
ROOT_THETA_TOL = 4e-16
#: a state within ``max(rootfind_tol, ON_PLANE_RTOL (1 + max|x|))`` of the plane is on it (the
#: rounding of an interpolated crossing state must not make it a new crossing)
ON_PLANE_RTOL = 1e-13
#: a completion must keep the projected coordinates to this relative accuracy
COMPLETE_RTOL = 1e-10
#: relative step of the central differences of a completion function
COMPLETE_FD_STEP = 6e-6
#: relative tolerance of the check of a user Jacobian of a forced field
JAC_CHECK_RTOL = 1e-4


# ============================================================================ kernels
@njit
def _dense_coeffs(i, y, yn, k1, k3, k4, k5, k6, k7, h):
    """The ``contd5`` coefficients ``r2..r5`` of component ``i`` (``r1 = y[i]``)."""
    r2 = yn[i] - y[i]
    r3 = h * k1[i] - r2
    r4 = r2 - h * k7[i] - r3
    r5 = h * (D1 * k1[i] + D3 * k3[i] + D4 * k4[i] + D5 * k5[i] + D6 * k6[i] + D7 * k7[i])
    return r2, r3, r4, r5


@njit
def _crossing_theta(a, n, y, yn, k1, k3, k4, k5, k6, k7, h, s0, s1, sgn, tol):
    """Step fraction of the crossing: Illinois regula falsi on the dense output of
    ``s(u(theta)) = <a, u(theta)> - b`` (``s(0) = s0``, ``s(1) = s1`` on opposite sides);
    the returned end of the bracket lies on the far side of the plane (``sgn * s >= 0``)."""
    q2 = 0.0
    q3 = 0.0
    q4 = 0.0
    q5 = 0.0
    for i in range(n):
        r2, r3, r4, r5 = _dense_coeffs(i, y, yn, k1, k3, k4, k5, k6, k7, h)
        q2 += a[i] * r2
        q3 += a[i] * r3
        q4 += a[i] * r4
        q5 += a[i] * r5
    ta, fa = 0.0, s0
    tb, fb = 1.0, s1
    fb_true = s1
    side = 0
    for _ in range(ROOT_MAX_ITER):
        if abs(fb_true) <= tol or tb - ta <= ROOT_THETA_TOL:
            break
        tc = (ta * fb - tb * fa) / (fb - fa)
        if not (ta < tc < tb):
            tc = 0.5 * (ta + tb)
        u = 1.0 - tc
        fc = s0 + tc * (q2 + u * (q3 + tc * (q4 + u * q5)))
        if sgn * fc >= 0.0:
            tb, fb, fb_true = tc, fc, fc
            if side == 1:
                fa *= 0.5
            side = 1
        else:
            ta, fa = tc, fc
            if side == -1:
                fb *= 0.5
            side = -1
    return tb


@njit
def _dense_state(y, yn, k1, k3, k4, k5, k6, k7, h, theta):
    """``y`` <- the dense output at ``theta`` of the step ``y -> yn`` (``yn`` itself at 1)."""
    if theta >= 1.0:
        for i in range(y.shape[0]):
            y[i] = yn[i]
        return
    u = 1.0 - theta
    for i in range(y.shape[0]):
        r2, r3, r4, r5 = _dense_coeffs(i, y, yn, k1, k3, k4, k5, k6, k7, h)
        y[i] = y[i] + theta * (r2 + u * (r3 + theta * (r4 + u * r5)))


def _make_section(rhs, N, n, a, b, direction, t_max, rtol, atol, max_steps, tol):
    """``cross(y, hb, p, tz) -> status``: integrate ``y`` (length ``N``; the section reads
    the first ``n`` components) with adaptive DP5(4) until the next crossing of
    ``<a, x> = b`` in ``direction``; ``y`` becomes the crossing state, ``tz[0]`` the elapsed
    time; ``hb[0]`` carries the step size, ``hb[2]`` counts steps.  ``a`` is a unit vector."""
    a = np.ascontiguousarray(a, dtype=float)
    b = float(b)
    sgn = 1.0 if direction > 0 else -1.0
    t_max = float(t_max)
    max_steps = float(max_steps)
    FMIN, FMAX, SAFE, HFLOOR = DK.FAC_MIN, DK.FAC_MAX, DK.SAFETY, DK.H_FLOOR
    attempt = DK.make_dp5_attempt(rhs, N)

    @njit(cache=False)
    def dist(y):
        s = -b
        for i in range(n):
            s += a[i] * y[i]
        return s

    @njit(cache=False)
    def cross(y, hb, p, tz):
        ws = np.empty((9, N))
        k1, k3, k4, k5, k6, k7, yn = ws[0], ws[2], ws[3], ws[4], ws[5], ws[6], ws[8]
        h = hb[0]
        if not (h > 0.0) or not np.isfinite(h):
            h = H_START
        rhs(y, p, k1)
        s0 = dist(y)
        # a state on the plane (a previous crossing, up to the tolerance and the rounding of
        # the interpolated state) counts as on it, never before it: its crossing is not found
        # again at once
        big = 0.0
        for i in range(n):
            big = max(big, abs(y[i]))
        if abs(s0) <= max(tol, ON_PLANE_RTOL * (1.0 + big)):
            s0 = 0.0
        t = 0.0
        steps = 0.0
        fac_lo = FMIN
        while True:
            if steps >= max_steps or t > t_max:
                hb[0] = h
                hb[2] += steps
                tz[0] = t
                return 2
            if h <= HFLOOR * max(1.0, t):
                hb[2] += steps
                tz[0] = t
                return 3
            err, finite = attempt(y, h, p, ws, rtol, atol)
            steps += 1.0
            if not finite or not np.isfinite(err):
                h = 0.25 * h
                fac_lo = FMIN
                if h <= HFLOOR * max(1.0, t):
                    hb[2] += steps
                    tz[0] = t
                    return 1
                continue
            if err > 1.0:
                h = h * max(FMIN, SAFE * err ** (-0.2))
                fac_lo = 1.0
                continue
            fac = SAFE * err ** (-0.2) if err > 1e-10 else FMAX
            h_next = h * min(FMAX, max(fac_lo, fac))
            fac_lo = FMIN
            s1 = dist(yn)
            if sgn * s0 < 0.0 and sgn * s1 >= 0.0:
                # the crossing lies in this step: root of s on the step's dense output
                tb = _crossing_theta(a, n, y, yn, k1, k3, k4, k5, k6, k7, h, s0, s1, sgn,
                                     tol)
                _dense_state(y, yn, k1, k3, k4, k5, k6, k7, h, tb)
                tz[0] = t + tb * h
                hb[0] = h_next
                hb[2] += steps
                return 0
            big = 0.0
            for i in range(N):
                y[i] = yn[i]
                k1[i] = k7[i]
            for i in range(n):
                big = max(big, abs(y[i]))
            t += h
            s0 = s1
            h = h_next
            if big > SECTION_BOUND:
                hb[0] = h
                hb[2] += steps
                tz[0] = t
                return 1

    return cross, dist


def _make_wrap(n, wrap):
    """``fold(y)``: coordinates ``i`` of ``wrap`` folded into ``[lo, hi)``."""
    idx = np.array([i for i in wrap] or [0], dtype=np.int64)
    lo = np.array([wrap[i][0] for i in wrap] or [0.0])
    span = np.array([wrap[i][1] - wrap[i][0] for i in wrap] or [1.0])
    m = len(wrap)

    @njit(cache=False)
    def fold(y):
        for j in range(m):
            i = idx[j]
            v = y[i]
            if np.isfinite(v):
                y[i] = lo[j] + (v - lo[j]) - span[j] * np.floor((v - lo[j]) / span[j])

    return fold


def _make_map_kernels(step, n):
    """Kernels of a map applied by ``step(y, hb, p) -> status`` (one application in place):
    ``(advance, end_states, trajectory)`` with the shapes of
    :func:`equilibria.odes._dyn_kernels.make_map`, and ``rhs(x, p, out)`` (one application,
    NaN on failure)."""

    @njit(cache=False)
    def advance(y, hb, p, opts, ws):
        for _ in range(int(opts[DK.O_DT])):
            st = step(y, hb, p)
            if st != 0:
                return st
            hb[1] += 1.0
        return 0

    @njit(cache=False, parallel=True)
    def end_states(X0, p, t_end, opts, bound, out, status, steps):
        m = X0.shape[0]
        for r in prange(m):
            hb = np.array([H_START, 0.0, 0.0])
            y = X0[r].copy()
            st = 0
            k = 0
            while k < int(t_end) and st == 0:
                st = step(y, hb, p)
                for i in range(n):
                    if st == 0 and abs(y[i]) > bound:
                        st = 4
                k += 1
            status[r] = st
            steps[r] = hb[2]
            for i in range(n):
                out[r, i] = y[i]

    @njit(cache=False)
    def trajectory(x0, p, t_eval, opts, bound, Y):
        hb = np.array([H_START, 0.0, 0.0])
        y = x0.copy()
        st = 0
        k = 0
        it = 0
        while k < t_eval.shape[0]:
            target = int(t_eval[k])
            while it < target and st == 0:
                st = step(y, hb, p)
                it += 1
            big = 0.0
            for i in range(n):
                big = max(big, abs(y[i]))
            if st == 0 and big > bound:
                st = 4
            if st != 0:
                break
            for i in range(n):
                Y[k, i] = y[i]
            k += 1
        for j in range(k, t_eval.shape[0]):
            for i in range(n):
                Y[j, i] = np.nan
        return st, hb[2]

    @njit(cache=False)
    def rhs(x, p, out):
        hb = np.array([H_START, 0.0, 0.0])
        for i in range(n):
            out[i] = x[i]
        st = step(out, hb, p)
        if st != 0:
            for i in range(n):
                out[i] = np.nan

    return (advance, end_states, trajectory), rhs


class _MapCompiled:
    """Compiled pieces of a derived map, in the shape the machines read (``_Compiled``)."""

    kind = "map"
    has_jac = True

    def __init__(self, flow, rhs, jacobian, n):
        self.flow, self.rhs, self.jacobian, self.n = flow, rhs, jacobian, n
        self.jac = jacobian

    @functools.cached_property
    def recurrence(self):
        return DK.make_recurrence(self.flow[0], self.n)

    def tangent(self, k):
        """The map's Jacobian kernel (maps step tangent vectors by ``J @ Q``)."""
        return self.jacobian


# ============================================================================ helpers
def _parse_dim(dim):
    """``(n, names, test_state)`` from a dimension, state names or an initial state."""
    if isinstance(dim, (int, np.integer)) and not isinstance(dim, bool):
        n = check_int(dim, "dim", lo=1)
        return n, tuple(f"x{i}" for i in range(n)), None
    if isinstance(dim, (list, tuple)) and dim and all(isinstance(s, str) for s in dim):
        if len(set(dim)) != len(dim):
            raise ValueError(f"`dim` (state names) has duplicates: {list(dim)}")
        return len(dim), tuple(dim), None
    if dim is None or isinstance(dim, str):
        raise TypeError("`dim` must be the state dimension, an initial state or the state "
                        f"names, got {dim!r}")
    test = as_float_array(dim, "dim", ndim=1, min_size=1)
    return test.size, tuple(f"x{i}" for i in range(test.size)), test


def _coordinate(c, names, what):
    """A coordinate given by index or name, validated."""
    if isinstance(c, str):
        if c not in names:
            raise ValueError(f"`{what}` names an unknown coordinate {c!r}; the states are "
                             f"{list(names)}")
        return names.index(c)
    i = check_int(c, what)
    if not 0 <= i < len(names):
        raise ValueError(f"`{what}` must be a coordinate index in [0, {len(names) - 1}], "
                         f"got {i}")
    return i


def _parse_wrap(wrap, names):
    if wrap is None:
        return {}
    if not isinstance(wrap, dict):
        raise TypeError(f"`wrap` must be a dict coordinate -> (lo, hi), got "
                        f"{type(wrap).__name__}")
    out = {}
    for c, rng in wrap.items():
        i = _coordinate(c, names, "wrap")
        lohi = as_float_array(rng, f"wrap[{c!r}]", shape=(2,))
        if not lohi[1] > lohi[0]:
            raise ValueError(f"`wrap[{c!r}]` must be (lo, hi) with hi > lo, got "
                             f"{lohi.tolist()}")
        out[i] = (float(lohi[0]), float(lohi[1]))
    return out


def _options(options):
    opt = IntegratorOptions() if options is None else options
    if not isinstance(opt, IntegratorOptions):
        raise TypeError(f"`options` must be IntegratorOptions, got {type(opt).__name__}")
    return opt


def _init_derived(obj, *, n, names, param_names, p, name, test, kind, compiled):
    """Set the attributes every :class:`DynamicalSystem` carries (no ``f`` to compile)."""
    obj.dim = int(n)
    obj.state_names = tuple(names)
    obj._param_names = tuple(param_names)
    obj._p = np.array(p, dtype=float)
    obj.name = name
    obj._test_state = np.asarray(test, dtype=float)
    obj.nonnegative = False
    obj._c = compiled
    if kind is not None:
        obj.kind = kind


# ============================================================================ stroboscopic
def _compile_forced(f, what="f"):
    k = _n_args(f)
    if k not in (3, 4):
        raise TypeError(f"`{what}` must take (x, p, t) and return dx/dt, or (out, x, p, t) and "
                        f"write it into out; got a function of {k} required arguments")
    fj = f if _is_numba(f) else njit(cache=False)(f)
    if k == 3:
        @njit(cache=False)
        def ft(x, p, t, out):
            r = fj(x, p, t)
            for i in range(out.shape[0]):
                out[i] = r[i]
    else:
        @njit(cache=False)
        def ft(x, p, t, out):
            fj(out, x, p, t)
    return ft, k


def _compile_forced_jac(jac):
    k = _n_args(jac)
    if k not in (3, 4):
        raise TypeError("`jac` must take (x, p, t) and return the (n, n) Jacobian, or "
                        f"(out, x, p, t); got a function of {k} required arguments")
    jj = jac if _is_numba(jac) else njit(cache=False)(jac)
    if k == 3:
        @njit(cache=False)
        def jt(x, p, t, out):
            r = jj(x, p, t)
            for i in range(out.shape[0]):
                for j in range(out.shape[1]):
                    out[i, j] = r[i, j]
    else:
        @njit(cache=False)
        def jt(x, p, t, out):
            jj(out, x, p, t)
    return jt


class StroboscopicMap(Map):
    r"""The stroboscopic map of a periodically forced flow :math:`\dot x = f(x, p, t)`.

    :math:`S(x) = \phi_{t_0}^{t_0+T}(x)`: the state after exactly one forcing period ``T``
    from the phase ``t0`` (``StroboscopicMap(ds, T)`` of DynamicalSystems.jl [2], with the
    clock restarted at ``t0`` at every application, which is the same map when ``f`` is
    ``T``-periodic in ``t``).  The autonomous extension :math:`(x, \vartheta)`,
    :math:`\dot\vartheta = 1`, is integrated by the room's DP5(4) from
    :math:`\vartheta = t_0` to :math:`t_0 + T` (the last step is shortened to land on it);
    the Jacobian is the monodromy matrix from the variational equations (module docstring).
    ``wrap`` folds angle coordinates into an interval after each period (the forced
    pendulum's :math:`\theta \in [-\pi, \pi)`, as in [6]).

    Parameters
    ----------
    f : callable
        ``f(x, p, t) -> dx/dt`` with numpy operations (compiled by numba), the in-place
        ``f(out, x, p, t)``, or a ``numba.njit`` function of either form.
    dim : int, array_like or sequence of str
        Dimension, an initial (test) state or the state names.
    period : float > 0 or str
        The forcing period ``T``; a number adds a parameter ``"period"`` at the end of ``p``
        (so ``with_params(period=...)`` changes it), a string names the parameter that holds
        it.
    params : dict of str to float, optional
        Named parameters of ``f`` (the order of ``p``).
    t0 : float, default 0.0
        Phase of the section (time at which the state is sampled, modulo ``T``).
    jac : callable, optional
        ``jac(x, p, t) -> (n, n)`` Jacobian of ``f`` in ``x`` (else forward differences);
        checked against central differences at the test state.
    wrap : dict, optional
        Coordinate (index or name) -> ``(lo, hi)``: folded into ``[lo, hi)`` after each
        period.
    options : IntegratorOptions, optional
        Tolerances and step budget of one period (``dt`` unused; default
        ``IntegratorOptions()``).
    x0 : array_like, optional
        Test state of ``f``.
    name : str, optional
        Display name.

    Attributes
    ----------
    dim : int
        State dimension ``n`` (the clock is internal).
    state_names : tuple of str
        Coordinate names.
    period : float
        The period at construction (the parameter may change it later).
    t0 : float
        Section phase.
    options : IntegratorOptions
        Integrator settings of one period.

    Raises
    ------
    TypeError
        For ``f`` / ``jac`` of the wrong signature or not compilable.
    ValueError
        For a non-positive period, an unknown period parameter, or ``f`` failing or returning
        the wrong shape at the test state.

    Examples
    --------
    >>> import numpy as np
    >>> from equilibria.odes.derived import StroboscopicMap
    >>> def duffing(x, p, t):
    ...     return np.array([x[1], -p[0] * x[1] + x[0] - x[0] ** 3 + p[1] * np.cos(t)])
    >>> smap = StroboscopicMap(duffing, ["x", "v"], 2 * np.pi,
    ...                        params={"delta": 0.25, "gamma": 0.3})
    >>> smap.param_names
    ('delta', 'gamma', 'period')
    """

    kind = "map"

    def __init__(self, f, dim, period, *, params: dict | None = None, t0: float = 0.0,
                 jac=None, wrap: dict | None = None, options: IntegratorOptions | None = None,
                 x0=None, name: str | None = None):
        if not callable(f):
            raise TypeError(f"`f` must be callable f(x, p, t), got {type(f).__name__}")
        n, names, test = _parse_dim(dim)
        params = {} if params is None else dict(params)
        for k, v in params.items():
            if not isinstance(k, str):
                raise TypeError(f"`params` keys must be str, got {k!r}")
            params[k] = check_scalar(v, f"params[{k!r}]")
        if isinstance(period, str):
            if period not in params:
                raise ValueError(f"`period` names an unknown parameter {period!r}; the "
                                 f"parameters are {list(params)}")
            check_scalar(params[period], f"params[{period!r}] (the period)", lo=0,
                         lo_inclusive=False)
            i_t = list(params).index(period)
        else:
            T = check_scalar(period, "period", lo=0, lo_inclusive=False)
            if "period" in params:
                raise ValueError("`params` already has a parameter 'period'; pass "
                                 "period='period' to use it as the forcing period")
            params["period"] = T
            i_t = len(params) - 1
        self.t0 = check_scalar(t0, "t0")
        self.options = _options(options)
        pnames = tuple(params)
        p = np.array([params[k] for k in pnames], dtype=float)
        self.period = float(p[i_t])
        if x0 is not None:
            test = as_float_array(x0, "x0", shape=(n,))
        if test is None:
            test = np.linspace(0.1, 0.9, n) if n > 1 else np.array([0.5])
        ft, _ = _compile_forced(f)
        self._check_forced(f, test, p, n)
        jt = None
        if jac is not None:
            if not callable(jac):
                raise TypeError(f"`jac` must be callable, got {type(jac).__name__}")
            jt = _compile_forced_jac(jac)
        wrap = _parse_wrap(wrap, names)
        compiled = _strobe_kernels(ft, jt, n, i_t, self.t0, self.options, wrap)
        _init_derived(self, n=n, names=names, param_names=pnames, p=p,
                      name=name or getattr(f, "__name__", "stroboscopic map"), test=test,
                      kind=None, compiled=compiled)
        self._ft = ft
        self.wrap = wrap
        self._check_compiled_forced(test)
        if jt is not None:
            self._check_forced_jac(jt, test)

    @staticmethod
    def _check_forced(f, test, p, n):
        py = f.py_func if _is_numba(f) else f
        k = _n_args(f)
        try:
            if k == 4:
                out = np.full(n, np.nan)
                py(out, test.copy(), p.copy(), 0.0)
            else:
                out = py(test.copy(), p.copy(), 0.0)
        except Exception as exc:
            raise ValueError(f"`f` failed at the test state x = {test.tolist()}, t = 0 with "
                             f"p = {p.tolist()}: {type(exc).__name__}: {exc}") from exc
        try:
            arr = np.asarray(out, dtype=float)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"`f` must return {n} floats, got {out!r}") from exc
        if arr.shape != (n,):
            raise ValueError(f"`f` must return shape ({n},) (one value per state), got shape "
                             f"{arr.shape} at x = {test.tolist()}")
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"`f` returned a non-finite value {arr.tolist()} at the test state "
                             f"x = {test.tolist()}; pass `x0=` inside the domain of the model")

    def _check_compiled_forced(self, test):
        out = np.empty(self.dim)
        try:
            self._ft(np.ascontiguousarray(test), self._p, self.t0, out)
        except Exception as exc:
            raise TypeError(f"`f` could not be compiled by numba ({type(exc).__name__}: "
                            f"{str(exc).splitlines()[0] if str(exc) else ''}); write it with "
                            "numpy operations numba supports or pass a numba.njit "
                            "function") from exc

    def _check_forced_jac(self, jt, test):
        n = self.dim
        J = np.empty((n, n))
        jt(np.ascontiguousarray(test), self._p, self.t0, J)
        if not np.all(np.isfinite(J)):
            raise ValueError(f"`jac` returned a non-finite value at x = {test.tolist()}")
        Jfd = np.empty_like(J)
        f0, f1 = np.empty(n), np.empty(n)
        for j in range(n):
            h = 1e-6 * max(1.0, abs(test[j]))
            e = np.zeros(n)
            e[j] = h
            self._ft(test + e, self._p, self.t0, f1)
            self._ft(test - e, self._p, self.t0, f0)
            Jfd[:, j] = (f1 - f0) / (2 * h)
        err = float(np.max(np.abs(J - Jfd)))
        if err > JAC_CHECK_RTOL * (1.0 + float(np.max(np.abs(Jfd)))):
            raise ValueError(f"`jac` disagrees with central differences of `f` at x = "
                             f"{test.tolist()} (max abs difference {err:.3g}); check it or "
                             "omit it")

    def field(self, x, t: float) -> np.ndarray:
        """The forced vector field ``f(x, p, t)`` (compiled).

        Parameters
        ----------
        x : array_like, shape (dim,)
            A state.
        t : float
            Time.

        Returns
        -------
        ndarray, shape (dim,)
            ``dx/dt``.
        """
        x = self.check_state(x)
        out = np.empty(self.dim)
        self._ft(x, self._p, check_scalar(t, "t"), out)
        return out


def _strobe_kernels(ft, jt, n, i_t, t0, opt, wrap):
    n1 = n + 1
    rtol, atol, max_iter = opt.rtol, opt.atol, float(opt.max_iter)
    has_jac = jt is not None

    @njit(cache=False)
    def ext(z, p, out):
        ft(z[:n], p, z[n], out[:n])
        out[n] = 1.0

    if has_jac:
        @njit(cache=False)
        def ext_jac(z, p, J):
            for i in range(n1):
                for j in range(n1):
                    J[i, j] = 0.0
            Jx = np.empty((n, n))
            jt(z[:n], p, z[n], Jx)
            for i in range(n):
                for j in range(n):
                    J[i, j] = Jx[i, j]
            f0 = np.empty(n)
            f1 = np.empty(n)
            ft(z[:n], p, z[n], f0)
            h = 1.4901161193847656e-08 * max(1.0, abs(z[n]))
            ft(z[:n], p, z[n] + h, f1)
            for i in range(n):
                J[i, n] = (f1[i] - f0[i]) / h
    else:
        @njit(cache=False)
        def ext_jac(z, p, J):  # placeholder with the right signature (never called)
            J[:, :] = np.nan
    base = DK.make_flow(ext, n1)[0]
    _, trhs = DK.make_tangent(ext, ext_jac, n1, n, has_jac)
    tan = DK.make_flow(trhs, n1 + n1 * n)[0]
    fold = _make_wrap(n, wrap)

    @njit(cache=False)
    def step(y, hb, p):
        z = np.empty(n1)
        for i in range(n):
            z[i] = y[i]
        z[n] = t0
        o = np.empty(4)
        o[0] = p[i_t]
        o[1] = rtol
        o[2] = atol
        o[3] = max_iter
        hl = np.empty(3)
        hl[0] = hb[0] if hb[0] > 0.0 else H_START
        hl[1] = 0.0
        hl[2] = 0.0
        st = base(z, hl, p, o, np.empty((9, n1)))
        hb[0] = hl[0]
        hb[2] += hl[2]
        for i in range(n):
            y[i] = z[i]
        if st == 0:
            for i in range(n):
                if not np.isfinite(y[i]):
                    st = 1
            fold(y)
        return st

    @njit(cache=False)
    def jacobian(x, p, J):
        m = n1 + n1 * n
        z = np.zeros(m)
        for i in range(n):
            z[i] = x[i]
            z[n1 + i * n + i] = 1.0
        z[n] = t0
        o = np.empty(4)
        o[0] = p[i_t]
        o[1] = rtol
        o[2] = atol
        o[3] = max_iter
        hl = np.array([H_START, 0.0, 0.0])
        st = tan(z, hl, p, o, np.empty((9, m)))
        for i in range(n):
            for c in range(n):
                J[i, c] = z[n1 + i * n + c] if st == 0 else np.nan

    flow, rhs = _make_map_kernels(step, n)
    return _MapCompiled(flow, rhs, jacobian, n)


# ============================================================================ Poincaré
@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class SectionCrossings(Result):
    """Successive crossings of a Poincaré section, with their times.

    Attributes
    ----------
    points : ndarray, shape (k, n)
        ``P(x0), P^2(x0), ...``: states on the section (``k`` = crossings found).
    times : ndarray, shape (k,)
        Time of each crossing since ``x0``.
    return_times : ndarray, shape (k,)
        Duration of each map application (the first is the time from ``x0`` to the section;
        the others are return times).
    distances : ndarray, shape (k,)
        Signed distances of ``points`` to the plane (``|.| <= rootfind_tol``).
    """

    points: np.ndarray
    times: np.ndarray
    return_times: np.ndarray
    distances: np.ndarray


def _parse_plane(plane, n, names):
    """``(a, b)`` with ``a`` a unit normal, from ``(index|name, value)``, ``(normal,
    offset)`` or a vector of ``n + 1`` numbers (``a`` then ``b``, the DynamicalSystems.jl
    form)."""
    if isinstance(plane, tuple) and len(plane) == 2 and (
            isinstance(plane[0], (str, int, np.integer)) and not isinstance(plane[0], bool)):
        i = _coordinate(plane[0], names, "plane[0]")
        a = np.zeros(n)
        a[i] = 1.0
        return a, check_scalar(plane[1], "plane[1] (the coordinate value)")
    if isinstance(plane, (tuple, list)) and len(plane) == 2 and np.ndim(plane[0]) == 1:
        a = as_float_array(plane[0], "plane[0] (the normal)", shape=(n,))
        b = check_scalar(plane[1], "plane[1] (the offset)")
    else:
        try:
            v = as_float_array(plane, "plane", shape=(n + 1,))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"`plane` must be (coordinate, value), (normal, offset) or "
                             f"{n + 1} numbers (normal then offset), got {plane!r}") from exc
        a, b = v[:n].copy(), float(v[n])
    na = float(np.linalg.norm(a))
    if na == 0.0:
        raise ValueError("`plane` has a zero normal vector")
    return a / na, b / na


class PoincareMap(Map):
    r"""The Poincaré map of a flow on a hyperplane section (a map, ``kind="map"``).

    :math:`P(x)` is the next crossing, in ``direction``, of
    :math:`\Sigma = \{x : \langle a, x\rangle = b\}` by the orbit of ``x`` (``PoincareMap(ds,
    plane; direction, Tmax, rootkw)`` of DynamicalSystems.jl [2]).  Each application steps
    the parent's field with adaptive DP5(4) until an accepted step changes the sign of the
    signed distance in ``direction``, then locates the crossing on the step's dense output
    (module docstring).  ``direction=+1`` counts crossings from :math:`\langle a,x\rangle<b`
    to :math:`\ge b`.  A state already on the plane is mapped to its *next* crossing; two
    crossings within one accepted step (a grazing orbit) go unseen, as with any sign-change
    event location (lower ``options.rtol`` to shorten the steps).  The
    state is the full ``n``-dimensional state (on the plane after one application);
    :class:`ProjectedSystem` drops the fixed coordinate.  No crossing within ``t_max`` stops
    the application with status 2 (the machines label such an orbit unresolved).  Lyapunov
    exponents are per return (the flow's times the mean return time); the Jacobian maps the
    flow direction to 0, so a full spectrum ends with a spurious very negative exponent: ask
    for ``n_exponents=dim - 1``, or project onto the plane's coordinates first.

    Parameters
    ----------
    system : ODE, ProjectedSystem of a flow, or a model with ``to_ode()``
        The flow (its field and Jacobian are used).
    plane : tuple or array_like
        ``(j, r)``: coordinate ``j`` (index or name) equals ``r``; ``(normal, offset)``; or
        ``n + 1`` numbers (normal, then offset).
    direction : {+1, -1}, default +1
        Crossing direction.
    t_max : float > 0, default 1e3
        Longest integration time of one application.
    rootfind_tol : float > 0, default 1e-12
        Tolerance on the distance of the returned state to the plane.
    options : IntegratorOptions, optional
        Tolerances and step budget of one application (``dt`` unused).
    wrap : dict, optional
        Coordinate -> ``(lo, hi)`` folded after each crossing (angles).
    name : str, optional
        Display name.

    Attributes
    ----------
    dim : int
        State dimension (the parent's).
    normal : ndarray
        Unit normal of the plane.
    offset : float
        ``<normal, x> = offset`` on the plane.
    direction : int
        Crossing direction.
    t_max, rootfind_tol : float
        As given.
    options : IntegratorOptions
        Integrator settings.
    parent : DynamicalSystem
        The flow.

    Raises
    ------
    TypeError
        When ``system`` is not a flow.
    ValueError
        For a malformed plane, direction or tolerance.

    Examples
    --------
    >>> import numpy as np
    >>> from equilibria.odes import ODE
    >>> from equilibria.odes.derived import PoincareMap
    >>> vdp = ODE(lambda x, p: np.array([x[1], p[0] * (1 - x[0] ** 2) * x[1] - x[0]]),
    ...           ["x", "y"], params={"mu": 1.0})
    >>> pmap = PoincareMap(vdp, ("y", 0.0))
    >>> round(float(pmap.crossings([2.0, 0.0], 5).return_times[-1]), 4)
    6.6633
    """

    kind = "map"

    def __init__(self, system, plane, *, direction: int = 1, t_max: float = 1e3,
                 rootfind_tol: float = 1e-12, options: IntegratorOptions | None = None,
                 wrap: dict | None = None, name: str | None = None):
        system = as_system(system)
        if system.kind != "flow":
            raise TypeError(f"`system` must be a flow (an ODE), got a {type(system).__name__} "
                            f"of kind {system.kind!r}")
        n = system.dim
        a, b = _parse_plane(plane, n, system.state_names)
        if direction not in (1, -1) or isinstance(direction, bool):
            raise ValueError(f"`direction` must be +1 or -1, got {direction!r}")
        self.normal, self.offset, self.direction = a, b, int(direction)
        self.t_max = check_scalar(t_max, "t_max", lo=0, lo_inclusive=False)
        self.rootfind_tol = check_scalar(rootfind_tol, "rootfind_tol", lo=0,
                                         lo_inclusive=False)
        self.options = _options(options)
        self.parent = system
        wrap = _parse_wrap(wrap, system.state_names)
        self.wrap = wrap
        compiled, self._crossings = _poincare_kernels(system._c, n, a, b, self.direction,
                                                      self.t_max, self.options,
                                                      self.rootfind_tol, wrap)
        _init_derived(self, n=n, names=system.state_names, param_names=system.param_names,
                      p=system._p, name=name or f"Poincaré map of {system.name}",
                      test=system._test_state, kind=None, compiled=compiled)

    def distance(self, x) -> float:
        """Signed distance of ``x`` to the plane (positive on the ``+1`` side).

        Parameters
        ----------
        x : array_like, shape (dim,)
            A state.

        Returns
        -------
        float
            ``<normal, x> - offset`` (``normal`` is a unit vector).
        """
        return float(self.normal @ self.check_state(x) - self.offset)

    def crossings(self, x0, n_iter: int) -> SectionCrossings:
        """The first ``n_iter`` crossings of the section from ``x0``, with their times.

        Parameters
        ----------
        x0 : array_like, shape (dim,)
            Initial state (anywhere).
        n_iter : int >= 1
            Crossings to find.

        Returns
        -------
        SectionCrossings
            ``points``, ``times``, ``return_times``, ``distances``; ``success=False`` (with a
            warning) when an application failed (no crossing within ``t_max``, divergence,
            step budget), with the crossings found before.
        """
        x0 = self.check_state(x0, "x0")
        n_iter = check_int(n_iter, "n_iter", lo=1, hi=max(1, MAX_OUTPUT // self.dim))
        P = np.full((n_iter, self.dim), np.nan)
        dur = np.full(n_iter, np.nan)
        st, k = self._crossings(x0, self._p, n_iter, P, dur)
        st, k = int(st), int(k)
        P, dur = P[:k], dur[:k]
        times = np.cumsum(dur)
        dist = P @ self.normal - self.offset
        if st == 0:
            return finish(SectionCrossings, success=True, status=Status.SUCCESS,
                          message=f"{k} crossings", n_iter=k, points=P, times=times,
                          return_times=dur, distances=dist)
        detail = {1: ("diverged or non-finite", Status.DIVERGED, "start closer to the "
                      "attractor"),
                  2: (f"no crossing within t_max={self.t_max:g} or step budget exhausted",
                      Status.MAX_ITER, "check that orbits cross the plane in `direction`, "
                      "or raise `t_max`"),
                  3: ("step size underflow", Status.NUMERICAL, "the problem is stiff or "
                      "singular")}[st]
        return finish(SectionCrossings, success=False, status=detail[1],
                      message=status_message(detail[1], f"crossing {k + 1}: {detail[0]}",
                                             detail[2]),
                      n_iter=k, points=P, times=times, return_times=dur, distances=dist)


def _poincare_kernels(pc, n, a, b, direction, t_max, opt, tol, wrap):
    rtol, atol, max_iter = opt.rtol, opt.atol, opt.max_iter
    prhs = pc.rhs
    cross, _ = _make_section(prhs, n, n, a, b, direction, t_max, rtol, atol, max_iter, tol)
    _, trhs = DK.make_tangent(prhs, pc.jac, n, n, pc.has_jac)
    cross_t, _ = _make_section(trhs, n + n * n, n, a, b, direction, t_max, rtol, atol,
                               max_iter, tol)
    fold = _make_wrap(n, wrap)

    @njit(cache=False)
    def step(y, hb, p):
        tz = np.zeros(1)
        st = cross(y, hb, p, tz)
        if st == 0:
            fold(y)
        return st

    @njit(cache=False)
    def jacobian(x, p, J):
        m = n + n * n
        z = np.zeros(m)
        for i in range(n):
            z[i] = x[i]
            z[n + i * n + i] = 1.0
        hb = np.array([H_START, 0.0, 0.0])
        tz = np.zeros(1)
        st = cross_t(z, hb, p, tz)
        f = np.empty(n)
        prhs(z[:n], p, f)
        af = 0.0
        for i in range(n):
            af += a[i] * f[i]
        ok = st == 0 and af != 0.0 and np.isfinite(af)
        for c in range(n):
            aphi = 0.0
            for i in range(n):
                aphi += a[i] * z[n + i * n + c]
            for i in range(n):
                J[i, c] = z[n + i * n + c] - f[i] * aphi / af if ok else np.nan

    @njit(cache=False)
    def crossings(x0, p, n_iter, P, dur):
        y = x0.copy()
        hb = np.array([H_START, 0.0, 0.0])
        tz = np.zeros(1)
        for k in range(n_iter):
            st = cross(y, hb, p, tz)
            if st != 0:
                return st, k
            fold(y)
            for i in range(n):
                P[k, i] = y[i]
            dur[k] = tz[0]
        return 0, n_iter

    flow, rhs = _make_map_kernels(step, n)
    return _MapCompiled(flow, rhs, jacobian, n), crossings


# ============================================================================ projection
class _ProjectedCompiled:
    """Compiled pieces of a projected system: the parent's kernels on completed states."""

    def __init__(self, pc, N, coords, complete, has_values, kind):
        m = coords.size
        self.n, self.kind, self.has_jac = m, kind, True
        self._pc, self._N, self._coords = pc, N, coords
        prhs, pjac = pc.rhs, pc.jacobian
        pflow = pc.flow
        padv = pflow[0]
        fd = COMPLETE_FD_STEP

        @njit(cache=False)
        def rhs(y, p, out):
            x = np.empty(N)
            complete(y, x)
            fx = np.empty(N)
            prhs(x, p, fx)
            for j in range(m):
                out[j] = fx[coords[j]]

        @njit(cache=False)
        def jacobian(y, p, J):
            x = np.empty(N)
            complete(y, x)
            Jf = np.empty((N, N))
            pjac(x, p, Jf)
            dC = np.zeros((N, m))
            if has_values:
                for j in range(m):
                    dC[coords[j], j] = 1.0
            else:
                yh = y.copy()
                xp = np.empty(N)
                xm = np.empty(N)
                for j in range(m):
                    h = fd * max(1.0, abs(y[j]))
                    yh[j] = y[j] + h
                    complete(yh, xp)
                    yh[j] = y[j] - h
                    complete(yh, xm)
                    yh[j] = y[j]
                    for i in range(N):
                        dC[i, j] = (xp[i] - xm[i]) / (2.0 * h)
            for r in range(m):
                for j in range(m):
                    s = 0.0
                    for i in range(N):
                        s += Jf[coords[r], i] * dC[i, j]
                    J[r, j] = s

        @njit(cache=False)
        def advance(y, hb, p, opts, ws):
            x = np.empty(N)
            complete(y, x)
            st = padv(x, hb, p, opts, np.empty((9, N)))
            for j in range(m):
                y[j] = x[coords[j]]
            return st

        @njit(cache=False)
        def complete_rows(Y, X):
            for r in range(Y.shape[0]):
                complete(Y[r], X[r])

        self.rhs, self.jacobian, self.jac = rhs, jacobian, jacobian
        self.complete, self.complete_rows = complete, complete_rows

        def end_states(X0, p, t_end, opts, bound, out, status, steps):
            Xf = np.empty((X0.shape[0], N))
            complete_rows(np.ascontiguousarray(X0), Xf)
            outf = np.empty_like(Xf)
            pflow[1](Xf, p, t_end, opts, bound, outf, status, steps)
            out[:, :] = outf[:, coords]

        def trajectory(x0, p, t_eval, opts, bound, Y):
            xf = np.empty(N)
            complete(np.ascontiguousarray(x0), xf)
            Yf = np.empty((Y.shape[0], N))
            st, steps = pflow[2](xf, p, t_eval, opts, bound, Yf)
            Y[:, :] = Yf[:, coords]
            return st, steps

        self.flow = (advance, end_states, trajectory)

    @functools.cached_property
    def recurrence(self):
        locate = DK.make_recurrence(self.flow[0], self.n)[0]
        full = self._pc.recurrence[1]
        N, coords, complete_rows = self._N, self._coords, self.complete_rows
        hidden = np.setdiff1d(np.arange(N), coords)

        def recurrence(X0, p, opts, lo, width, bins, strides, cells, thr, reuse, labels,
                       steps, att_pts, att_len, n_att):
            # the full state runs; hidden coordinates get one cell that holds every value
            Xf = np.empty((X0.shape[0], N))
            complete_rows(np.ascontiguousarray(X0), Xf)
            lo_f, w_f = np.full(N, -1e300), np.full(N, 1e301)
            b_f, s_f = np.ones(N, dtype=np.int64), np.zeros(N, dtype=np.int64)
            lo_f[coords], w_f[coords], b_f[coords], s_f[coords] = lo, width, bins, strides
            b_f[hidden] = 1
            pts = np.zeros(att_pts.shape[:2] + (N,))
            full(Xf, p, opts, lo_f, w_f, b_f, s_f, cells, thr, reuse, labels, steps, pts,
                 att_len, n_att)
            att_pts[:, :, :] = pts[:, :, coords]

        return locate, recurrence

    @functools.lru_cache(maxsize=8)  # noqa: B019 - one per tangent count, lives with the system
    def tangent(self, k):
        """Tangent kernels of the projected field ``g`` (flows) or its Jacobian (maps)."""
        if self.kind == "flow":
            _, trhs = DK.make_tangent(self.rhs, self.jacobian, self.n, k, True)
            return DK.make_flow(trhs, self.n + self.n * k)
        return self.jacobian


def _compile_complete(complete, coords, N, names_full, test_full):
    """``(complete(y, x), has_values)`` from fixed hidden values or a function ``y -> x``."""
    m = coords.size
    hidden = np.setdiff1d(np.arange(N), coords)
    if callable(complete):
        if _n_args(complete) != 1:
            raise TypeError("`complete` must be a function of the projected state y returning "
                            f"the full state (length {N}), or the {N - m} values of the hidden "
                            f"coordinates; got a function of {_n_args(complete)} arguments")
        py = complete.py_func if _is_numba(complete) else complete
        y = np.ascontiguousarray(test_full[coords])
        try:
            out = np.asarray(py(y.copy()), dtype=float)
        except Exception as exc:
            raise ValueError(f"`complete` failed at y = {y.tolist()}: {type(exc).__name__}: "
                             f"{exc}") from exc
        if out.shape != (N,) or not np.all(np.isfinite(out)):
            raise ValueError(f"`complete(y)` must return the full state, {N} finite floats, "
                             f"got {out!r} at y = {y.tolist()}")
        if np.max(np.abs(out[coords] - y)) > COMPLETE_RTOL * (1 + np.max(np.abs(y))):
            raise ValueError(f"`complete(y)` must keep the projected coordinates: at y = "
                             f"{y.tolist()} it returned {out[coords].tolist()} for "
                             f"{[names_full[c] for c in coords]}")
        cj = complete if _is_numba(complete) else njit(cache=False)(complete)

        @njit(cache=False)
        def comp(y, x):
            r = cj(y)
            for i in range(N):
                x[i] = r[i]

        try:
            xt = np.empty(N)
            comp(y, xt)
        except Exception as exc:
            raise TypeError(f"`complete` could not be compiled by numba ({type(exc).__name__}:"
                            f" {str(exc).splitlines()[0] if str(exc) else ''}); write it with "
                            "numpy operations returning np.array([...])") from exc
        return comp, False
    vals = as_float_array(complete, "complete", ndim=1)
    if vals.size != N - m:
        raise ValueError(f"`complete` must give the {N - m} hidden coordinates "
                         f"{[names_full[c] for c in hidden]} (or be a function), got "
                         f"{vals.size} values")
    vals = vals.copy()

    @njit(cache=False)
    def comp(y, x):
        for j in range(m):
            x[coords[j]] = y[j]
        for j in range(hidden.size):
            x[hidden[j]] = vals[j]

    return comp, True


class ProjectedSystem(DynamicalSystem):
    r"""A system observed on some of its coordinates (``ProjectedDynamicalSystem`` of [2]).

    The parent runs in its full state space; only ``coordinates`` are exposed.  A projected
    state ``y`` becomes a full state :math:`C(y)` through ``complete`` (fixed values of the
    hidden coordinates, in increasing index order, or a function ``y -> x``), which must keep
    ``y``.  The machines see a system of dimension ``len(coordinates)``:

    - the recurrence machine steps the full state (hidden coordinates persist along an
      orbit) with grid cells along the projected coordinates only (every hidden coordinate
      gets one cell holding all values);
    - ``trajectory`` and ``end_states`` complete the initial states, run the parent, project;
    - ``rhs(y)`` is :math:`g(y) = \Pi f(C(y))` (the projected field, or next state of a map)
      and ``jacobian(y)`` is :math:`\Pi\, Df(C(y))\, DC(y)` (``DC`` exact for fixed values,
      central differences of a function); fixed points, their stability and Lyapunov
      exponents of a projected flow are those of :math:`g`, the dynamics' own when the
      completion parametrises an invariant manifold (the simplex ``x3 = 1 - x1 - x2`` of a
      replicator, or the section plane of a Poincaré map).

    ``advance`` (``_c.flow[0]``) on its own is memoryless (it re-completes at every call);
    the machines do not use it.

    Parameters
    ----------
    system : DynamicalSystem or a model with ``to_ode()``
        The parent (an ODE, a Map, a StroboscopicMap or a PoincareMap; not a projection).
    coordinates : sequence of int or str
        The exposed coordinates (distinct), in the order of the projected state.
    complete : array_like or callable
        The ``dim - len(coordinates)`` values of the hidden coordinates, or
        ``complete(y) -> full state`` (numpy operations, compiled by numba).
    name : str, optional
        Display name.

    Attributes
    ----------
    dim : int
        Projected dimension.
    kind : str
        The parent's kind.
    coordinates : tuple of int
        Indices of the exposed coordinates in the parent's state.
    parent : DynamicalSystem
        The full system.
    state_names : tuple of str
        Names of the exposed coordinates.

    Raises
    ------
    TypeError
        For a parent that is not a system, or a completion function that does not compile.
    ValueError
        For repeated or out-of-range coordinates, or a completion of the wrong size or that
        changes the projected coordinates.

    Examples
    --------
    >>> import numpy as np
    >>> from equilibria.odes import ODE
    >>> from equilibria.odes.derived import ProjectedSystem
    >>> def rep(x, p):
    ...     f = np.array([x[0], 2 * x[1], 3 * x[2]])
    ...     return x * (f - x @ f)
    >>> full = ODE(rep, ["x1", "x2", "x3"], x0=[0.2, 0.3, 0.5])
    >>> proj = ProjectedSystem(full, [0, 1], complete=lambda y: np.array(
    ...     [y[0], y[1], 1.0 - y[0] - y[1]]))
    >>> proj.dim, proj.state_names
    (2, ('x1', 'x2'))
    """

    def __init__(self, system, coordinates, *, complete, name: str | None = None):
        system = as_system(system)
        if isinstance(system, ProjectedSystem):
            raise TypeError("`system` is already a ProjectedSystem; project its parent "
                            "(`system.parent`) onto the coordinates you need")
        N = system.dim
        if isinstance(coordinates, (str, int, np.integer)):
            coordinates = [coordinates]
        if isinstance(coordinates, np.ndarray) and coordinates.dtype.kind not in "iuU":
            raise TypeError(f"`coordinates` must be coordinate indices or names, got an array "
                            f"of dtype {coordinates.dtype}")
        if not isinstance(coordinates, (list, tuple, np.ndarray)):
            raise TypeError(f"`coordinates` must be a coordinate (index or name) or a sequence "
                            f"of them, got {type(coordinates).__name__}")
        picked = [_coordinate(c, system.state_names, "coordinates") for c in coordinates]
        if not picked or len(set(picked)) != len(picked):
            raise ValueError(f"`coordinates` must be distinct coordinates of the system, got "
                             f"{list(coordinates)!r}")
        coords = np.array(picked, dtype=np.int64)
        comp, has_values = _compile_complete(complete, coords, N, system.state_names,
                                             system._test_state)
        self.coordinates = tuple(int(c) for c in coords)
        self.parent = system
        compiled = _ProjectedCompiled(system._c, N, coords, comp, has_values, system.kind)
        names = tuple(system.state_names[c] for c in coords)
        _init_derived(self, n=coords.size, names=names, param_names=system.param_names,
                      p=system._p, name=name or f"{system.name} on {', '.join(names)}",
                      test=system._test_state[coords], kind=system.kind, compiled=compiled)
        self._complete = compiled.complete

    def complete(self, y) -> np.ndarray:
        """The full state :math:`C(y)` of a projected state.

        Parameters
        ----------
        y : array_like, shape (dim,)
            Projected state.

        Returns
        -------
        ndarray, shape (parent.dim,)
            The completed state.
        """
        y = self.check_state(y, "y")
        x = np.empty(self.parent.dim)
        self._complete(y, x)
        return x

    def project(self, x) -> np.ndarray:
        """The projected coordinates of a full state.

        Parameters
        ----------
        x : array_like, shape (parent.dim,)
            A state of the parent.

        Returns
        -------
        ndarray, shape (dim,)
            ``x[coordinates]``.
        """
        return self.parent.check_state(x)[list(self.coordinates)]

    def trajectory(self, x0, t_end, *, t_eval=None, options: IntegratorOptions | None = None,
                   bound: float = DEFAULT_BOUND):
        """The parent's trajectory from :math:`C(x_0)`, projected.

        Parameters
        ----------
        x0 : array_like, shape (dim,)
            Projected initial state.
        t_end : float or int
            Final time (flows) or number of iterations (maps).
        t_eval : array_like, optional
            Output times (flows; default 1001 points).
        options : IntegratorOptions, optional
            Tolerances (flows).
        bound : float > 0
            Divergence bound (on the full state).

        Returns
        -------
        Trajectory
            ``t`` and the projected ``y``.
        """
        if self.kind == "map":
            n_iter = check_int(t_end, "t_end (iterations)", lo=1,
                               hi=max(1, MAX_OUTPUT // self.dim - 1))
            return _trajectory(self, x0, float(n_iter), np.arange(n_iter + 1, dtype=float),
                               IntegratorOptions(dt=1.0), bound)
        return _trajectory(self, x0, t_end, t_eval, options, bound)

    def end_states(self, X0, t_end, *, options: IntegratorOptions | None = None,
                   bound: float = DEFAULT_BOUND):
        """Projected end states of the parent from completed initial states.

        Parameters
        ----------
        X0 : array_like, shape (m, dim)
            Projected initial states.
        t_end : float or int
            Final time (flows) or iterations (maps).
        options : IntegratorOptions, optional
            Tolerances (flows).
        bound : float > 0
            Divergence bound.

        Returns
        -------
        X : ndarray, shape (m, dim)
            Projected end states.
        status : ndarray of int64, shape (m,)
            The parent's statuses.
        """
        if self.kind == "map":
            n_iter = check_int(t_end, "t_end (iterations)", lo=1, hi=MAX_MAP_WORK)
            return _end_states(self, X0, float(n_iter), IntegratorOptions(dt=1.0), bound)
        return _end_states(self, X0, t_end, options, bound)

    def __repr__(self) -> str:
        return (f"ProjectedSystem({self.parent.name} on {list(self.state_names)}, "
                f"kind={self.kind!r})")

