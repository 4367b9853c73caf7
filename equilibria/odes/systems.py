"""Lotka-Volterra-type vector fields on one machinery: GLV, Holling type II, replicator.

:class:`LVSystem` is data (``kind``, ``r``, ``A``, ``M``, ``q``); simulation, equilibria and
stability are functions of it, shared by the coexistence model and the classic models.

.. math::

    \text{glv:}\\quad & \\dot x_i = x_i\\,(r_i + (A x)_i) \\
    \text{holling:}\\quad & \\dot x_i = x_i\\,\\Big(r_i + (A x)_i
        + \\sum_j M_{ij} \frac{x_j}{1 + q_j x_j}\\Big) \\
    \text{replicator:}\\quad & \\dot x_i = x_i\\,\big((A x)_i - x^\top A x\big)

References
----------
1. J. R. Dormand, P. J. Prince, "A family of embedded Runge-Kutta formulae", J. Comput. Appl.
   Math. 6 (1980) 19-26.
2. E. Hairer, S. P. Norsett, G. Wanner, *Solving Ordinary Differential Equations I*, 2nd ed.,
   1993, Sec. II.4 (step size control, eq. 4.11-4.13) and II.5 (DOPRI5).
3. J. Hofbauer, K. Sigmund, *Evolutionary Games and Population Dynamics*, 1998, Ch. 7, 15.
"""

from __future__ import annotations

import dataclasses
import itertools

import numba
import numpy as np

from equilibria._lib.result import Result, Status, finish, status_message, warn_status
from equilibria._lib.rng import as_generator
from equilibria._lib.validation import (as_float_array, check_int, check_option, check_scalar,
                                        check_square)
from equilibria.theory.stability import LocalStability, local_stability

from . import _kernels as K

__all__ = ["LVSystem", "Trajectory", "BatchRun", "EquilibriumSet", "KINDS", "STATUS_NAMES"]

KINDS = {"glv": 0, "replicator": 1, "holling": 2}

#: largest number of random starts of ``equilibria(method="newton")``
MAX_STARTS = 100_000
#: largest state dimension of ``equilibria(method="support")`` (2^n supports)
MAX_SUPPORT_N = 16

#: integration statuses per initial condition
STATUS_NAMES = {0: "t_end reached", 1: "steady state", 2: "diverged", 3: "non-finite",
                4: "step budget exhausted", 5: "step size underflow"}
#: integrator code -> (result Status, what to change): the one table both trajectory front
#: doors (:meth:`LVSystem.simulate`, :func:`equilibria.odes.simulate_field`) read
_INTEGRATION_OUTCOMES = {
    0: (Status.SUCCESS, ""), 1: (Status.SUCCESS, ""),
    2: (Status.DIVERGED, "the model has unbounded orbits (check the signs of its "
                         "interactions) or raise `bound`"),
    3: (Status.NUMERICAL, "lower `rtol` or check the parameters"),
    4: (Status.MAX_ITER, "increase `max_iter`"),
    5: (Status.NUMERICAL, "the problem is stiff or singular"),
}


def integration_outcome(code: int, t_stop: float, bound: float) -> tuple[bool, Status, str]:
    """Success flag, :class:`Status` and message of one trajectory from its integrator code.

    Parameters
    ----------
    code : int
        A key of :data:`STATUS_NAMES`.
    t_stop : float
        Time the integration stopped.
    bound : float
        Divergence bound used (named in the message).

    Returns
    -------
    (bool, Status, str)
        ``success`` (``code == 0``), the status and the message built by
        :func:`equilibria._lib.result.status_message`.
    """
    code = int(code)
    status, hint = _INTEGRATION_OUTCOMES[code]
    if code == 0:
        return True, status, "reached t_end"
    detail = STATUS_NAMES[code] + (f" (max|x| > bound={bound:g})" if code == 2 else "") + \
        f" at t={float(t_stop):.4g}"
    return False, status, status_message(status, detail, hint)


@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class Trajectory(Result):
    """One simulated trajectory.

    Attributes
    ----------
    t : ndarray (k,)
        Output times.
    y : ndarray (k, n)
        States at ``t`` (NaN after a divergence or failure).
    n_steps : int
        Accepted + rejected DP5(4) steps.
    """

    t: np.ndarray
    y: np.ndarray
    n_steps: int

    @property
    def x_final(self) -> np.ndarray:
        return self.y[-1]


@dataclasses.dataclass(frozen=True)
class BatchRun:
    """Final states of a batch integration (rows = initial conditions).

    Attributes
    ----------
    x : ndarray, shape (m, n)
        Final state of each of the ``m`` initial conditions (the state at ``t_end`` or at the
        steady state; NaN for diverged or non-finite rows).
    status : ndarray of int64, shape (m,)
        Integration status per row, a key of :data:`STATUS_NAMES` (0 ``t_end`` reached,
        1 steady state, 2 diverged, 3 non-finite, 4 step budget ``max_iter`` exhausted,
        5 step size underflow).
    t_stop : ndarray, shape (m,)
        Time at which the integration of each row stopped.
    n_steps : ndarray of int64, shape (m,)
        Accepted + rejected DP5(4) steps per row.
    """

    x: np.ndarray
    status: np.ndarray
    t_stop: np.ndarray
    n_steps: np.ndarray

    @property
    def success(self) -> bool:
        """Whether every row reached ``t_end`` or a steady state (no NaN rows in ``x``)."""
        return bool(np.all(np.isin(self.status, (0, 1))))


@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class EquilibriumSet(Result):
    """Equilibria with their stability.

    Attributes
    ----------
    points : ndarray (k, n)
    max_re : ndarray (k,)
        Spectral abscissa of the Jacobian at each point.
    stable : ndarray of bool (k,)
    saturated : ndarray of bool (k,)
        No absent species can invade (``r + A x <= 0`` on the zero coordinates); GLV/Holling.
    method : str
    """

    points: np.ndarray
    max_re: np.ndarray
    stable: np.ndarray
    saturated: np.ndarray
    method: str

    @property
    def n_stable(self) -> int:
        return int(np.sum(self.stable))

    @property
    def stable_points(self) -> np.ndarray:
        return self.points[self.stable]


def _dedup(points: np.ndarray, tol: float) -> np.ndarray:
    out: list[np.ndarray] = []
    for p in points:
        if not any(np.max(np.abs(p - o)) <= tol * max(1.0, np.max(np.abs(o))) for o in out):
            out.append(p)
    return np.array(out).reshape(len(out), points.shape[1] if points.ndim == 2 else 0)


@dataclasses.dataclass(frozen=True)
class LVSystem:
    """A Lotka-Volterra-type system (see module docstring).

    Parameters
    ----------
    r : array (n,)
        Intrinsic rates (ignored by the replicator).
    A : array (n, n)
        Interaction (payoff, for the replicator) matrix.
    kind : {"glv", "holling", "replicator"}
    M : array (n, n), optional
        Saturating (Holling type II) interaction matrix; ``kind="holling"`` only.
    q : array (n,), optional
        Handling times ``>= 0`` of the saturating terms.
    names : tuple of str, optional
        Coordinate names.
    """

    r: np.ndarray
    A: np.ndarray
    kind: str = "glv"
    M: np.ndarray | None = None
    q: np.ndarray | None = None
    names: tuple = ()

    def __post_init__(self):
        if not isinstance(self.kind, str):
            raise TypeError(f"`kind` must be a str, got {type(self.kind).__name__}")
        check_option(self.kind, "kind", tuple(KINDS))
        # copies: the stored arrays are made read-only, the caller's must stay writable
        A = np.array(check_square(self.A, "A"), copy=True)
        n = A.shape[0]
        if n == 0:
            raise ValueError("`A` must be non-empty, got shape (0, 0)")
        r = as_float_array(self.r, "r", shape=(n,), copy=True)
        M = np.zeros((n, n)) if self.M is None else as_float_array(self.M, "M", shape=(n, n),
                                                                   copy=True)
        q = np.zeros(n) if self.q is None else as_float_array(self.q, "q", shape=(n,),
                                                              nonneg=True, copy=True)
        if self.kind != "holling" and np.any(M != 0):
            raise ValueError("`M` (saturating terms) requires kind='holling'")
        for name, v in (("r", r), ("A", A), ("M", M), ("q", q)):
            v.setflags(write=False)
            object.__setattr__(self, name, v)
        if isinstance(self.names, str) or not isinstance(self.names, (tuple, list)):
            raise TypeError(f"`names` must be a tuple of str, got {type(self.names).__name__}")
        names = tuple(self.names) or tuple(f"x{i}" for i in range(n))
        if not all(isinstance(nm, str) for nm in names):
            raise TypeError("`names` must be a tuple of str")
        if len(names) != n:
            raise ValueError(f"`names` must have {n} entries, got {len(names)}")
        object.__setattr__(self, "names", names)

    # ------------------------------------------------------------------------------------
    @property
    def n(self) -> int:
        return self.A.shape[0]

    @property
    def _kind_id(self) -> int:
        return KINDS[self.kind]

    def check_state(self, x, name: str = "x0", *, ndim=1) -> np.ndarray:
        """Validate a state (or batch of states): finite, non-negative, right length.

        ``name`` is the argument named in the error messages; ``ndim`` 1 (one state) or 2
        (rows of states).
        """
        if not isinstance(name, str):
            raise TypeError(f"`name` must be a str, got {type(name).__name__}")
        ndim = check_int(ndim, "ndim", lo=1, hi=2)
        x = as_float_array(x, name, ndim=ndim, nonneg=True)
        if x.shape[-1] != self.n:
            raise ValueError(f"`{name}` must have {self.n} components (last axis), got "
                             f"shape {x.shape}")
        if self.kind == "replicator" and np.any(np.abs(x.sum(axis=-1) - 1) > 1e-8):
            raise ValueError(f"`{name}` must lie on the simplex (sum to 1) for the replicator")
        return x

    def field(self, x) -> np.ndarray:
        """Vector field at ``x``."""
        x = self.check_state(x, "x")
        out = np.empty(self.n)
        with np.errstate(over="ignore", invalid="ignore"):
            K._field(x, self._kind_id, self.r, self.A, self.M, self.q, np.empty(self.n), out)
        if not np.all(np.isfinite(out)):
            raise ValueError(f"the vector field overflows at `x` (max |x| = "
                             f"{float(np.max(x)):.3g}); scale the state down")
        return out

    def jacobian(self, x) -> np.ndarray:
        r"""Jacobian :math:`\partial f / \partial x` (analytic).

        GLV/Holling: :math:`J = \operatorname{diag}(g(x)) + \operatorname{diag}(x)
        (A + M \operatorname{diag}(1/(1+q x)^2))` with ``g`` the per-capita rate.
        Replicator: :math:`J_{ik} = \delta_{ik}((Ax)_i - x^\top A x) + x_i (A_{ik} - (Ax)_k
        - (A^\top x)_k)`.
        """
        x = as_float_array(x, "x", shape=(self.n,))
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            J = self._jacobian(x)
        if not np.all(np.isfinite(J)):
            raise ValueError(f"the Jacobian is not finite at `x` (max |x| = "
                             f"{float(np.max(np.abs(x))):.3g}, min 1 + q x = "
                             f"{float(np.min(1.0 + self.q * x)):.3g})")
        return J

    def _jacobian(self, x):
        A = self.A
        Ax = A @ x
        if self.kind == "replicator":
            phi = x @ Ax
            return np.diag(Ax - phi) + x[:, None] * (A - (Ax + A.T @ x)[None, :])
        y = x / (1.0 + self.q * x)
        g = self.r + Ax + self.M @ y
        dy = 1.0 / (1.0 + self.q * x) ** 2
        return np.diag(g) + x[:, None] * (A + self.M * dy[None, :])

    def to_ode(self):
        """This system as an :class:`equilibria.odes.ODE`, for the machinery that takes any
        system (find_attractors, basins_of_attraction, continuation, ...).

        The entries of ``r``, ``A``, ``M`` and ``q`` become named parameters ``r[i]``,
        ``A[i,j]``, ``M[i,j]``, ``q[i]`` (so ``ode.with_params(**{"A[0,1]": 2.0})`` changes one
        interaction without recompiling); the field is the same numba kernel as
        :meth:`field`.  The batched integrator of :meth:`simulate_batch` stays the fast path
        of this class's own sweeps.

        Returns
        -------
        ODE
            The flow, with the coordinate names of ``names``.
        """
        from equilibria._lib.jit import njit

        from .dynamical import ODE

        n, kind = self.n, self._kind_id

        @njit(cache=False)
        def lv_field(out, x, p):
            r = p[:n]
            A = p[n:n + n * n].reshape((n, n))
            M = p[n + n * n:n + 2 * n * n].reshape((n, n))
            q = p[n + 2 * n * n:]
            K._field(x, kind, r, A, M, q, np.empty(n), out)

        params = {f"r[{i}]": float(v) for i, v in enumerate(self.r)}
        params.update({f"A[{i},{j}]": float(self.A[i, j]) for i in range(n) for j in range(n)})
        params.update({f"M[{i},{j}]": float(self.M[i, j]) for i in range(n) for j in range(n)})
        params.update({f"q[{i}]": float(v) for i, v in enumerate(self.q)})
        x0 = np.full(n, 1.0 / n) if self.kind == "replicator" else np.full(n, 0.5)
        return ODE(lv_field, list(self.names), params=params, x0=x0,
                   name=f"{self.kind} system", nonnegative=True)

    # ------------------------------------------------------------------------------------
    def simulate(self, x0, t_end, *, t_eval=None, rtol: float = 1e-8, atol: float = 1e-10,
                 max_iter: int = 1_000_000, bound: float = 1e8) -> Trajectory:
        r"""Integrate from ``x0`` over ``[0, t_end]`` with adaptive Dormand-Prince 5(4).

        Step control ([2], II.4): accept when the RMS of
        ``err_i / (atol + rtol * max(|y_i|, |y_new_i|))`` is ``<= 1``; new step
        ``h * min(10, max(0.2, 0.9 err^{-1/5}))``; outputs hit ``t_eval`` exactly.
        Stops with ``success=False`` when ``max|x| > bound`` (diverged), a state is non-finite,
        or ``max_iter`` is exhausted.
        """
        x0 = self.check_state(x0)
        t_end = check_scalar(t_end, "t_end", lo=0, lo_inclusive=False)
        rtol = check_scalar(rtol, "rtol", lo=0, lo_inclusive=False)
        atol = check_scalar(atol, "atol", lo=0, lo_inclusive=False)
        max_iter = check_int(max_iter, "max_iter", lo=1)
        bound = check_scalar(bound, "bound", lo=0, lo_inclusive=False)
        if t_eval is None:
            t_eval = np.linspace(0.0, t_end, 201)
        t_eval = as_float_array(t_eval, "t_eval", ndim=1, nonneg=True, min_size=1)
        if np.any(np.diff(t_eval) <= 0) or t_eval[-1] > t_end * (1 + 1e-12):
            raise ValueError("`t_eval` must be increasing and within [0, t_end]")
        run = self._batch(x0[None, :], t_eval, rtol=rtol, atol=atol, max_iter=max_iter,
                          ftol=0.0, t_min=0.0, bound=bound)
        ok, status, msg = integration_outcome(int(run[1][0]), float(run[2][0]), bound)
        return finish(Trajectory, success=ok, status=status,
                      message=msg, n_iter=int(run[3][0]), t=t_eval, y=run[0][0],
                      n_steps=int(run[3][0]))

    def _batch(self, X0, t_eval, *, rtol, atol, max_iter, ftol, t_min, bound, h0=1e-2):
        m, n = X0.shape
        Y = np.empty((m, t_eval.shape[0], n))
        status = np.empty(m, dtype=np.int64)
        t_stop = np.empty(m)
        n_steps = np.empty(m, dtype=np.int64)
        if t_eval.shape[0] == 1 and t_eval[0] > 0 and m > 1:
            # end states only: the lane-batched kernel (orbits side by side, vectorised;
            # same statuses and steps as the scalar kernel, states to rounding)
            from . import _lanes

            lanes = _lanes.lanes_for(n)
            shares = max(1, min(4 * numba.get_num_threads(), m // (8 * lanes)))
            _lanes._integrate_lanes(np.ascontiguousarray(X0, dtype=np.float64), self._kind_id,
                                    self.r, self.A, self.M, self.q, float(rtol), float(atol),
                                    float(h0), int(max_iter), float(ftol), float(t_min),
                                    float(t_eval[0]), float(bound), lanes, shares, Y[:, 0, :],
                                    status, t_stop, n_steps)
            return Y, status, t_stop, n_steps
        K._integrate_batch(np.ascontiguousarray(X0, dtype=np.float64), t_eval,
                           self._kind_id, self.r, self.A, self.M, self.q, float(rtol),
                           float(atol), float(h0), int(max_iter), float(ftol), float(t_min),
                           float(bound), Y, status, t_stop, n_steps)
        return Y, status, t_stop, n_steps

    def simulate_batch(self, X0, t_end, *, rtol: float = 1e-7, atol: float = 1e-9,
                       ftol: float = 1e-6, t_min: float = 0.0, max_iter: int = 200_000,
                       bound: float = 1e8, warn: bool = True) -> BatchRun:
        r"""Final states of many initial conditions (rows of ``X0``), in parallel (numba).

        Each row integrates until ``t_end`` or until the steady-state rule
        ``max_i |f_i(x)| <= ftol`` (checked after ``t_min``; ``ftol=0`` disables it).  Statuses
        (``BatchRun.status``): see :data:`STATUS_NAMES`.  Near a stable equilibrium the
        step size grows to the stability limit and ``|f|`` plateaus at roughly
        ``rate * rtol * |x|``, so keep ``ftol`` above that (e.g. ``ftol >= 10 rtol``); diverged and non-finite rows are
        labelled, never silently returned as states (their ``x`` is NaN): then
        ``BatchRun.success`` is false and (``warn=True``) a :class:`ConvergenceWarning` counts
        the rows per status.  Sweeps that label such rows themselves pass ``warn=False``.
        """
        X0 = self.check_state(X0, "X0", ndim=2)
        t_end = check_scalar(t_end, "t_end", lo=0, lo_inclusive=False)
        ftol = check_scalar(ftol, "ftol", lo=0)
        Y, status, t_stop, n_steps = self._batch(
            X0, np.array([t_end]), rtol=check_scalar(rtol, "rtol", lo=0, lo_inclusive=False),
            atol=check_scalar(atol, "atol", lo=0, lo_inclusive=False),
            max_iter=check_int(max_iter, "max_iter", lo=1), ftol=ftol,
            t_min=check_scalar(t_min, "t_min", lo=0),
            bound=check_scalar(bound, "bound", lo=0, lo_inclusive=False))
        run = BatchRun(Y[:, -1, :], status, t_stop, n_steps)
        if warn and not run.success:
            codes, counts = np.unique(status[~np.isin(status, (0, 1))], return_counts=True)
            warn_status(False, "simulate_batch: " + ", ".join(
                f"{int(k)} row(s) {STATUS_NAMES[int(c)]}" for c, k in zip(codes, counts,
                                                                       strict=True)) +
                "; their `x` is NaN or not an end state (see `BatchRun.status`): raise "
                "`max_iter` or `bound`, or check the model")
        return run

    # ------------------------------------------------------------------------------------
    def stability(self, x, *, tol: float = 1e-9) -> LocalStability:
        """Spectral verdict at ``x`` (see :func:`equilibria.theory.local_stability`); the
        eigenvalues are sorted by decreasing real part, then imaginary part (LAPACK's order
        is not meaningful and changes with rounding of ``x``)."""
        x = self.check_state(x, "x")
        tol = check_scalar(tol, "tol", lo=0)
        res = local_stability(self.jacobian(x), tol=tol)
        ev = np.asarray(res.eigenvalues)
        order = np.lexsort((-np.round(ev.imag, 12), -np.round(ev.real, 12)))
        return dataclasses.replace(res, eigenvalues=ev[order])

    def _newton(self, X, *, max_iter=60, tol=1e-11):
        out, ok = [], []
        for x in X:
            x = x.copy()
            conv = False
            for _ in range(max_iter):
                f = np.empty(self.n)
                K._field(np.maximum(x, 0.0) if self.kind != "replicator" else x,
                         self._kind_id, self.r, self.A, self.M, self.q, np.empty(self.n), f)
                if not np.all(np.isfinite(f)):
                    break
                if np.max(np.abs(f)) <= tol * max(1.0, np.max(np.abs(x))):
                    conv = True
                    break
                J = self.jacobian(x)
                if self.kind == "replicator":  # constrain to the simplex: replace one row
                    J = np.vstack([J, np.ones(self.n)])
                    f = np.append(f, x.sum() - 1.0)
                    dx = np.linalg.lstsq(J, -f, rcond=None)[0]
                else:
                    try:
                        dx = np.linalg.solve(J, -f)
                    except np.linalg.LinAlgError:
                        dx = np.linalg.lstsq(J, -f, rcond=None)[0]
                x = x + dx
                if not np.all(np.isfinite(x)) or np.max(np.abs(x)) > 1e8:
                    break
            out.append(x)
            ok.append(conv)
        return np.array(out), np.array(ok, dtype=bool)

    def _support_enumeration(self):
        n = self.n
        pts = []
        for k in range(0, n + 1):
            for S in itertools.combinations(range(n), k):
                idx = np.asarray(S, dtype=int)
                x = np.zeros(n)
                if self.kind == "replicator":
                    if idx.size == 0:
                        continue
                    B = np.zeros((idx.size + 1, idx.size + 1))
                    B[:-1, :-1] = self.A[np.ix_(idx, idx)]
                    B[:-1, -1] = -1.0
                    B[-1, :-1] = 1.0
                    rhs = np.zeros(idx.size + 1)
                    rhs[-1] = 1.0
                else:
                    if idx.size == 0:
                        pts.append(x)
                        continue
                    B = self.A[np.ix_(idx, idx)]
                    rhs = -self.r[idx]
                if abs(np.linalg.det(B)) < 1e-12:
                    continue
                sol = np.linalg.solve(B, rhs)
                xs = sol[:idx.size]
                if np.all(xs > 1e-12):
                    x[idx] = xs
                    pts.append(x)
        return np.array(pts).reshape(len(pts), n)

    def equilibria(self, *, method: str = "auto", n_starts: int = 200, seed=0,
                   scale: float | None = None, tol: float = 1e-7) -> EquilibriumSet:
        r"""All equilibria found, each with its stability.

        ``method="support"`` (GLV, replicator; ``n <= 16``): solve
        :math:`A_{SS} x_S = -r_S` (replicator: :math:`A_{SS} x_S = \varphi \mathbf 1`,
        :math:`\mathbf 1^\top x_S = 1`) on every support ``S`` and keep positive solutions:
        every isolated equilibrium exactly once.  ``method="newton"``: Newton from ``n_starts``
        starts (log-uniform in ``[1e-3, scale]`` per coordinate, plus each coordinate face),
        de-duplicated at relative distance ``tol``; non-negative limits only.  ``"auto"`` uses
        ``support`` for GLV/replicator with ``n <= 16`` and ``newton`` otherwise.
        """
        if not isinstance(method, str):
            raise TypeError(f"`method` must be a str, got {type(method).__name__}")
        check_option(method, "method", ("auto", "support", "newton"))
        n_starts = check_int(n_starts, "n_starts", lo=1, hi=MAX_STARTS)
        tol = check_scalar(tol, "tol", lo=0, lo_inclusive=False)
        rng = as_generator(seed)
        if scale is not None:
            scale = check_scalar(scale, "scale", lo=1e-3, hi=1e100)
        if method == "support" and self.n > MAX_SUPPORT_N:
            raise ValueError(f"`method`='support' enumerates 2^n supports: n={self.n} > "
                             f"{MAX_SUPPORT_N}; use method='newton'")
        if method == "auto":
            method = "support" if self.kind != "holling" and self.n <= 16 else "newton"
        if method == "support":
            if self.kind == "holling":
                raise ValueError("`method`='support' needs a polynomial (glv/replicator) field")
            pts = self._support_enumeration()
        else:
            if scale is None:  # twice the largest carrying capacity |r_i| / |A_ii|, capped
                d = np.abs(np.diag(self.A))
                d = d[d > 1e-12]
                scale = min(1e3, 2.0 * max(1.0, float(np.max(np.abs(self.r))) / float(
                    np.min(d)))) if d.size else 10.0
            X = np.exp(rng.uniform(np.log(1e-3), np.log(scale), size=(n_starts, self.n)))
            faces = X[: min(n_starts, 4 * self.n)].copy()
            for i in range(faces.shape[0]):  # boundary equilibria: zero random coordinates
                faces[i, rng.random(self.n) < 0.5] = 0.0
            X = np.vstack([X, faces, np.zeros((1, self.n))])
            if self.kind == "replicator":
                X = X / X.sum(axis=1, keepdims=True)
            # attractors: Newton-polish the end points of short simulations from the starts
            run = self.simulate_batch(X, 100.0, ftol=1e-8, warn=False)
            ends = run.x[np.isin(run.status, (0, 1))]
            X = np.vstack([X, ends])
            P, ok = self._newton(X)
            P = P[ok]
            P = P[np.all(P > -1e-9, axis=1)]
            P = np.maximum(P, 0.0)
            pts = _dedup(P, 1e-6) if P.size else np.zeros((0, self.n))
        pts = _dedup(pts, tol) if pts.shape[0] else pts
        max_re = np.empty(pts.shape[0])
        sat = np.empty(pts.shape[0], dtype=bool)
        for k, p in enumerate(pts):
            J = self.jacobian(p)
            max_re[k] = float(np.max(np.linalg.eigvals(J).real))
            if self.kind == "replicator":
                sat[k] = True
            else:
                g = self.r + self.A @ p + self.M @ (p / (1 + self.q * p))
                sat[k] = bool(np.all(g[p <= 0] <= 1e-9))
        order = np.lexsort((-pts.sum(axis=1), max_re)) if pts.shape[0] else np.zeros(0, int)
        pts, max_re, sat = pts[order], max_re[order], sat[order]
        found = pts.shape[0] > 0
        return finish(EquilibriumSet, success=found,
                      status=Status.SUCCESS if found else Status.MAX_ITER,
                      message=f"{pts.shape[0]} equilibria ({int(np.sum(max_re < -1e-9))} stable)"
                      if found else "no equilibrium found; increase `n_starts` or `scale`",
                      n_iter=0, points=pts, max_re=max_re, stable=max_re < -1e-9,
                      saturated=sat, method=method)
