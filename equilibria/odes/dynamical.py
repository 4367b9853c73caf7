r"""Dynamical systems written by the user: flows :class:`ODE` and maps :class:`Map`.

A system is a right-hand side ``f(x, p)`` (the vector field :math:`\dot x = f(x; p)` of a flow,
or the update :math:`x_{k+1} = f(x_k; p)` of a map) with named state coordinates and named
parameters.  ``f`` may be

- a plain Python function written with numpy operations, ``f(x, p) -> array`` (or the in-place
  form ``f(out, x, p)``), compiled with numba automatically;
- an already compiled ``numba.njit`` function of either form;
- a :class:`equilibria.theory.SymbolicField` (a list of sympy expressions with its symbols);
  its Jacobian is then symbolic.

``p`` is a float64 vector ordered as ``params`` (a dict name -> value); ``with_params`` changes
values without recompiling.  The Jacobian is the user's ``jac(x, p)`` when given (checked against
central differences of ``f`` at construction), the symbolic one for a SymbolicField, else
forward differences inside the kernels.

Every system checks ``f`` at construction on a test state (``x0`` when given): a function that
fails, returns the wrong shape or a non-finite value raises a ValueError naming ``f``.

References
----------
1. G. Datseris, "DynamicalSystems.jl: A Julia software library for chaos and nonlinear
   dynamics", J. Open Source Softw. 3 (2018) 598 (the system-object design: ``f(u, p, t)``,
   parameter containers, integrator options).
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from typing import Any

import numpy as np

from equilibria._lib.result import Status, finish, status_message
from equilibria._lib.validation import as_float_array, check_int, check_scalar

from . import _dyn_kernels as DK
from .systems import Trajectory

__all__ = ["ODE", "Map", "DynamicalSystem", "IntegratorOptions"]

#: a state with a coordinate above this is diverged in end-state runs and trajectories
DEFAULT_BOUND = 1e8
#: relative tolerance of the check of a user Jacobian against central differences of ``f``
JAC_CHECK_RTOL = 1e-4
#: largest state dimension of a user system
MAX_DIM = 10**6
#: most numbers an orbit output (``Map.trajectory``) may hold
MAX_OUTPUT = 10**8
#: most map iterations (rows x iterations) of one ``Map.end_states`` call
MAX_MAP_WORK = 10**9
#: longest integration time: beyond it a DP5 step of any size the step budget can afford
#: underflows relative to ``t`` (``H_FLOOR``) long before ``t_end``
MAX_T_END = 1e12


@dataclasses.dataclass(frozen=True, kw_only=True)
class IntegratorOptions:
    r"""Settings of the adaptive DP5(4) integrator of flows.

    A step is accepted when the RMS over components of
    ``err_i / (atol + rtol * max(|y_i|, |y_new_i|))`` is at most 1 (HNW II.4); the next step is
    ``h min(10, max(0.2, 0.9 err^{-1/5}))``.  ``dt`` is the time between the states the
    recurrence machine and the Lyapunov estimator look at (the map's iteration count per
    step for a :class:`Map`).

    Parameters
    ----------
    dt : float > 0, default 1.0
        Sampling time of stepping (``advance``); for maps a positive integer.
    rtol, atol : float > 0, default 1e-8, 1e-10
        Local error tolerances.
    max_iter : int >= 1, default 10_000_000
        Budget of DP5 steps of one orbit.

    Raises
    ------
    ValueError
        On a non-positive or non-finite value, naming the field.
    """

    dt: float = 1.0
    rtol: float = 1e-8
    atol: float = 1e-10
    max_iter: int = 10_000_000

    def __post_init__(self):
        pos = dict(lo=0, lo_inclusive=False)
        object.__setattr__(self, "dt", check_scalar(self.dt, "dt", **pos))
        object.__setattr__(self, "rtol", check_scalar(self.rtol, "rtol", **pos))
        object.__setattr__(self, "atol", check_scalar(self.atol, "atol", **pos))
        object.__setattr__(self, "max_iter", check_int(self.max_iter, "max_iter", lo=1))

    def vector(self) -> np.ndarray:
        """The option vector the kernels read (``dt, rtol, atol, max_iter``).

        Returns
        -------
        ndarray, shape (4,)
            Floats in the order of the kernels' ``O_*`` indices.
        """
        return np.array([self.dt, self.rtol, self.atol, float(self.max_iter)])


def _is_numba(f) -> bool:
    return hasattr(f, "py_func") and hasattr(f, "signatures")


def _n_args(f) -> int:
    py = f.py_func if _is_numba(f) else f
    try:
        sig = inspect.signature(py)
    except (TypeError, ValueError):
        return 2
    return sum(1 for q in sig.parameters.values()
               if q.kind in (q.POSITIONAL_ONLY, q.POSITIONAL_OR_KEYWORD) and
               q.default is q.empty)


def _inplace_from_source(f, n):
    """An in-place ``g(out, x, p)`` rewritten from a plain function whose only return is
    ``return np.array([e_0, ..., e_{n-1}])`` (``out[i] = e_i``), or ``None``.

    The returning form allocates an array at every right-hand-side call, which numba cannot
    remove; the rewrite is what a user would write by hand.  Functions with closures, several
    returns, or a return of another shape keep the allocating wrapper."""
    import ast
    import textwrap

    if getattr(f, "__closure__", None) or getattr(f, "__name__", "") == "<lambda>":
        return None
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(f)))
    except (OSError, TypeError, SyntaxError, IndentationError):
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.FunctionDef):
        return None
    fn = tree.body[0]
    returns = [node for node in ast.walk(fn) if isinstance(node, ast.Return)]
    last = fn.body[-1]
    if len(returns) != 1 or returns[0] is not last or fn.decorator_list:
        return None
    call = last.value
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and
            call.func.attr == "array" and isinstance(call.func.value, ast.Name) and
            len(call.args) == 1 and not call.keywords and
            isinstance(call.args[0], (ast.List, ast.Tuple)) and len(call.args[0].elts) == n):
        return None
    out_name = "_equilibria_out"
    args = [a.arg for a in fn.args.args]
    if len(args) != 2 or out_name in args:
        return None
    body = fn.body[:-1] + [
        ast.Assign(targets=[ast.Subscript(value=ast.Name(id=out_name, ctx=ast.Load()),
                                          slice=ast.Constant(value=i), ctx=ast.Store())],
                   value=e) for i, e in enumerate(call.args[0].elts)]
    new = ast.FunctionDef(name=fn.name + "_inplace", args=ast.arguments(
        posonlyargs=[], args=[ast.arg(arg=out_name)] + fn.args.args, kwonlyargs=[],
        kw_defaults=[], defaults=[]), body=body, decorator_list=[], returns=None,
        type_params=[])
    module = ast.fix_missing_locations(ast.Module(body=[new], type_ignores=[]))
    namespace = dict(f.__globals__)
    try:
        exec(compile(module, inspect.getsourcefile(f) or "<user field>", "exec"),  # noqa: S102
             namespace)
    except Exception:  # noqa: BLE001 - any failure keeps the allocating wrapper
        return None
    return namespace[new.name]


def _compile_user(f, n, name, p_test):
    """``rhs(x, p, out)`` compiled from a user function of two (returning) or three (in-place,
    ``f(out, x, p)``) arguments.  A plain returning function of the form ``return
    np.array([...])`` is rewritten to the in-place form first (:func:`_inplace_from_source`)."""
    from equilibria._lib.jit import njit

    k = _n_args(f)
    if k not in (2, 3):
        raise TypeError(f"`{name}` must take (x, p) and return the {name} value, or (out, x, p) "
                        f"and write it into out; got a function of {k} required arguments")
    if k == 2 and not _is_numba(f):
        g = _inplace_from_source(f, n)
        if g is not None:
            gj = njit(cache=False)(g)

            @njit(cache=False)
            def rhs_inplace(x, p, out):
                gj(out, x, p)

            try:  # compile now; on a typing failure keep the allocating wrapper
                rhs_inplace(np.full(n, 0.5), p_test.copy(), np.empty(n))
            except Exception:  # noqa: BLE001
                pass
            else:
                return rhs_inplace, k
    fj = f if _is_numba(f) else njit(cache=False)(f)
    if k == 2:
        @njit(cache=False)
        def rhs(x, p, out):
            r = fj(x, p)
            for i in range(out.shape[0]):
                out[i] = r[i]
    else:
        @njit(cache=False)
        def rhs(x, p, out):
            fj(out, x, p)
    return rhs, k


def _compile_user_jac(jac, n):
    from equilibria._lib.jit import njit

    k = _n_args(jac)
    if k not in (2, 3):
        raise TypeError("`jac` must take (x, p) and return the (n, n) Jacobian, or (out, x, p); "
                        f"got a function of {k} required arguments")
    jj = jac if _is_numba(jac) else njit(cache=False)(jac)
    if k == 2:
        @njit(cache=False)
        def jfun(x, p, out):
            r = jj(x, p)
            for i in range(out.shape[0]):
                for j in range(out.shape[1]):
                    out[i, j] = r[i, j]
    else:
        @njit(cache=False)
        def jfun(x, p, out):
            jj(out, x, p)
    return jfun, k


def _symbolic_rhs(field):
    from equilibria._lib.jit import njit

    cf, cj, n = field.compiled_field, field._jac_numba, field.n

    @njit(cache=False)
    def rhs(x, p, out):
        cf(x, p, np.empty(n), out)

    @njit(cache=False)
    def jfun(x, p, out):
        cj(x, p, np.empty(n), out)

    return rhs, jfun


class _Compiled:
    """The compiled pieces of one right-hand side, shared by every parameter variant."""

    def __init__(self, rhs, jac, n, kind, nonneg=False):
        self.rhs, self.jac, self.n, self.kind = rhs, jac, n, kind
        self.nonneg = bool(nonneg)
        self.has_jac = jac is not None
        if jac is None:  # a placeholder with the right signature (never called)
            from equilibria._lib.jit import njit

            @njit(cache=False)
            def _nojac(x, p, out):
                out[:, :] = np.nan

            self.jac = _nojac

    @functools.cached_property
    def flow(self):
        if self.kind == "flow":
            return DK.make_flow(self.rhs, self.n, self.nonneg)
        return DK.make_map(self.rhs, self.n)

    @functools.cached_property
    def recurrence(self):
        return DK.make_recurrence(self.flow[0], self.n)

    @functools.cached_property
    def jacobian(self):
        return DK.make_tangent(self.rhs, self.jac, self.n, 1, self.has_jac)[0]

    @functools.lru_cache(maxsize=8)  # noqa: B019 - one per tangent count, lives with the system
    def tangent(self, k):
        jac, trhs = DK.make_tangent(self.rhs, self.jac, self.n, k, self.has_jac)
        if self.kind == "flow":
            return DK.make_flow(trhs, self.n + self.n * k)
        return jac


class DynamicalSystem:
    """Common core of :class:`ODE` and :class:`Map` (not instantiated directly).

    Parameters
    ----------
    f : callable or SymbolicField
        The right-hand side (see the module docstring for the accepted forms).
    dim : int, array_like or sequence of str
        The state dimension, an initial state (its length gives the dimension and it is the
        test state of ``f``), or the state names.
    params : dict of str to float, optional
        Named parameters, in the order of the vector ``p`` that ``f`` receives.
    jac : callable, optional
        Jacobian ``jac(x, p) -> (n, n)`` (or in place ``jac(out, x, p)``).
    x0 : array_like, optional
        Test state of ``f`` (default: the initial state passed as ``dim``, else
        ``linspace(0.1, 0.9, n)``).
    name : str, optional
        Shown in figures and messages.
    nonnegative : bool, default False
        Flows only: clip accepted states at 0 (population-type fields ``x * (...)``, whose
        non-negative orthant is invariant; only round-off can cross 0, and some fields have
        poles at negative states).

    Attributes
    ----------
    dim : int
        State dimension.
    state_names : tuple of str
        Coordinate names (``x0, x1, ...`` by default).
    params : dict
        Parameter values (a copy).
    p : ndarray
        The parameter vector passed to ``f``.
    """

    kind = "flow"

    def __init__(self, f, dim, *, params: dict | None = None, jac=None, x0=None,
                 name: str | None = None, nonnegative: bool = False):
        from equilibria.theory import SymbolicField

        names: tuple[str, ...] | None = None
        test = None
        if isinstance(f, SymbolicField):
            n = f.n
            names = tuple(str(s) for s in f.states)
            sym_params = tuple(str(s) for s in f.params)
            params = {} if params is None else dict(params)
            missing = [s for s in sym_params if s not in params]
            extra = [s for s in params if s not in sym_params]
            if missing or extra:
                raise ValueError(f"`params` must give a value to every symbol of the field "
                                 f"{list(sym_params)}; missing {missing}, unknown {extra}")
            params = {s: params[s] for s in sym_params}
        if isinstance(dim, (int, np.integer)) and not isinstance(dim, bool):
            n = check_int(dim, "dim", lo=1, hi=MAX_DIM)
        elif isinstance(dim, (bool, np.bool_, float, np.floating, complex, str)):
            raise TypeError(f"`dim` must be the state dimension (an int), an initial state or "
                            f"the state names, got {dim!r}")
        elif isinstance(dim, (list, tuple)) and dim and all(isinstance(s, str) for s in dim):
            names = tuple(dim)
            n = len(names)
            if len(set(names)) != n:
                raise ValueError(f"`dim` (state names) has duplicates: {list(dim)}")
        elif dim is not None:
            test = as_float_array(dim, "dim", ndim=1, min_size=1)
            n = test.size
            if n > MAX_DIM:
                raise ValueError(f"`dim` gives {n} states (> {MAX_DIM})")
        elif not isinstance(f, SymbolicField):
            raise TypeError("`dim` must be the state dimension, an initial state or the state "
                            f"names, got {dim!r}")
        if isinstance(f, SymbolicField) and n != f.n:
            raise ValueError(f"`dim` gives dimension {n} but the SymbolicField has {f.n} states")
        self.dim = int(n)
        self.state_names = names if names is not None else tuple(f"x{i}" for i in range(n))
        params = {} if params is None else dict(params)
        for k, v in params.items():
            if not isinstance(k, str):
                raise TypeError(f"`params` keys must be str, got {k!r}")
            params[k] = check_scalar(v, f"params[{k!r}]")
        self._param_names = tuple(params)
        self._p = np.array([params[k] for k in self._param_names], dtype=float)
        if name is not None and not isinstance(name, str):
            raise TypeError(f"`name` must be a str, got {type(name).__name__}")
        self.name = name or getattr(f, "__name__", type(self).__name__)
        test_src = "dim" if test is not None else "the default"
        if x0 is not None:
            x0 = as_float_array(x0, "x0", ndim=1)
            if x0.shape != (n,):
                raise ValueError(f"`x0` must have shape ({n},) (the dimension given by `dim`), "
                                 f"got {x0.shape}")
            test, test_src = x0, "x0"
        self._test_src = test_src
        if test is None:
            test = np.linspace(0.1, 0.9, n) if n > 1 else np.array([0.5])
        self._test_state = test
        if isinstance(f, SymbolicField):
            if jac is not None:
                raise ValueError("`jac` is derived symbolically for a SymbolicField; omit it")
            rhs, jfun = _symbolic_rhs(f)
            self._py_f = None
        else:
            if not callable(f):
                raise TypeError(f"`f` must be callable or a SymbolicField, got "
                                f"{type(f).__name__}")
            self._check_python(f, test)
            rhs, _ = _compile_user(f, n, "f", self._p)
            jfun = None
            if jac is not None:
                if not callable(jac):
                    raise TypeError(f"`jac` must be callable, got {type(jac).__name__}")
                jfun, _ = _compile_user_jac(jac, n)
        if not isinstance(nonnegative, (bool, np.bool_)):
            raise TypeError(f"`nonnegative` must be a bool, got {type(nonnegative).__name__}")
        self.nonnegative = bool(nonnegative)
        self._c = _Compiled(rhs, jfun, n, self.kind, nonneg=self.nonnegative)
        self._check_compiled(test)
        if jfun is not None and not isinstance(f, SymbolicField):
            self._check_jacobian(test)

    # ------------------------------------------------------------------ validation
    def _check_python(self, f, test):
        py = f.py_func if _is_numba(f) else f
        n = self.dim
        k = _n_args(f)
        try:
            if k == 3:
                out = np.full(n, np.nan)
                py(out, test.copy(), self._p.copy())
            else:
                out = py(test.copy(), self._p.copy())
        except Exception as exc:  # the user's function failed: say where
            raise ValueError(f"`f` failed at the test state x = {test.tolist()} "
                             f"({self._src()}) with p = {self._p.tolist()}: "
                             f"{type(exc).__name__}: {exc}") from exc
        try:
            arr = np.asarray(out, dtype=float)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"`f` must return {n} floats, got {out!r}") from exc
        if arr.shape != (n,):
            raise ValueError(f"`f` must return shape ({n},) (one value per state of the "
                             f"dimension given by `dim`), got shape {arr.shape} at x = "
                             f"{test.tolist()}")
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"`f` returned a non-finite value {arr.tolist()} at the test state "
                             f"x = {test.tolist()} ({self._src()}); pass `x0=` inside the "
                             "domain of the model")

    def _check_compiled(self, test):
        try:
            val = self.rhs(test)
        except Exception as exc:
            raise TypeError(f"`f` could not be compiled by numba ({type(exc).__name__}: "
                            f"{str(exc).splitlines()[0] if str(exc) else ''}); write it with "
                            "numpy operations numba supports (array arithmetic, np.exp, ..., "
                            "returning np.array([...]) or an array) or pass a numba.njit "
                            "function") from exc
        if not np.all(np.isfinite(val)):
            raise ValueError(f"`f` returned a non-finite value {val.tolist()} at the test state "
                             f"x = {test.tolist()} ({self._src()}); pass `x0=` inside the "
                             "domain of the model")

    def _src(self) -> str:
        src = getattr(self, "_test_src", "the default")
        return "the default test state" if src == "the default" else f"given by `{src}`"

    def _check_jacobian(self, test):
        J = self.jacobian(test)
        if not np.all(np.isfinite(J)):
            raise ValueError(f"`jac` returned a non-finite value at x = {test.tolist()}")
        Jfd = np.empty_like(J)
        for j in range(self.dim):
            h = 1e-6 * max(1.0, abs(test[j]))
            e = np.zeros(self.dim)
            e[j] = h
            Jfd[:, j] = (self.rhs(test + e) - self.rhs(test - e)) / (2 * h)
        err = float(np.max(np.abs(J - Jfd)))
        if err > JAC_CHECK_RTOL * (1.0 + float(np.max(np.abs(Jfd)))):
            raise ValueError(f"`jac` disagrees with central differences of `f` at x = "
                             f"{test.tolist()} (max abs difference {err:.3g}); check it or omit "
                             "it (forward differences are used then)")

    # ------------------------------------------------------------------ parameters
    @property
    def param_names(self) -> tuple[str, ...]:
        """Parameter names, in the order of ``p``."""
        return self._param_names

    @property
    def params(self) -> dict[str, float]:
        """Parameter values (a copy)."""
        return dict(zip(self._param_names, self._p.tolist(), strict=True))

    @property
    def p(self) -> np.ndarray:
        """The parameter vector passed to ``f`` (a copy)."""
        return self._p.copy()

    def with_params(self, **values) -> DynamicalSystem:
        """The same system with some parameters changed (no recompilation).

        Parameters
        ----------
        **values
            Parameter name -> new value.

        Returns
        -------
        DynamicalSystem
            A new system of the same class sharing the compiled kernels.

        Raises
        ------
        ValueError
            For a name the system lacks (the known names are listed) or a non-finite value.
        """
        bad = [k for k in values if k not in self._param_names]
        if bad:
            raise ValueError(f"unknown parameter(s) {bad} of {self.name}; its parameters are "
                             f"{list(self._param_names)}")
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        p = self._p.copy()
        for k, v in values.items():
            p[self._param_names.index(k)] = check_scalar(v, k)
        new._p = p
        return new

    def check_param(self, name) -> str:
        """``name`` validated as one of the system's parameters.

        Parameters
        ----------
        name : str
            A parameter name.

        Returns
        -------
        str
            ``name``.

        Raises
        ------
        ValueError
            When the system has no such parameter.
        """
        if not isinstance(name, str):
            raise TypeError(f"`name` must be a parameter name (str), got {name!r}")
        if name not in self._param_names:
            raise ValueError(f"unknown parameter `name`={name!r} of {self.name}; its parameters "
                             f"are {list(self._param_names)}")
        return name

    # ------------------------------------------------------------------ evaluation
    def check_state(self, x, name: str = "x") -> np.ndarray:
        """``x`` validated as a finite state of shape ``(dim,)``.

        Parameters
        ----------
        x : array_like
            A state.
        name : str
            Argument name for the error message.

        Returns
        -------
        ndarray, shape (dim,)
            The state as float64.
        """
        return as_float_array(x, name, shape=(self.dim,))

    def check_states(self, X, name: str = "X0") -> np.ndarray:
        """``X`` validated as finite states, one per row, shape ``(m, dim)``.

        Parameters
        ----------
        X : array_like
            States (a single state is promoted to one row).
        name : str
            Argument name for the error message.

        Returns
        -------
        ndarray, shape (m, dim)
            C-contiguous float64.
        """
        X = as_float_array(X, name)
        if X.ndim == 1 and X.size == self.dim:
            X = X[None, :]
        if X.ndim != 2 or X.shape[1] != self.dim:
            raise ValueError(f"`{name}` must have shape (m, {self.dim}), got {X.shape}")
        return np.ascontiguousarray(X)

    def rhs(self, x) -> np.ndarray:
        """The compiled right-hand side ``f(x; p)``.

        Parameters
        ----------
        x : array_like, shape (dim,)
            A state.

        Returns
        -------
        ndarray, shape (dim,)
            The field (flow) or the next state (map).
        """
        x = self.check_state(x, "x")
        out = np.empty(self.dim)
        self._c.rhs(x, self._p, out)
        return out

    def jacobian(self, x) -> np.ndarray:
        """The Jacobian of ``f`` at ``x`` (user, symbolic or forward differences).

        Parameters
        ----------
        x : array_like, shape (dim,)
            A state.

        Returns
        -------
        ndarray, shape (dim, dim)
            ``d f_i / d x_j``.
        """
        x = self.check_state(x, "x")
        J = np.empty((self.dim, self.dim))
        self._c.jacobian(x, self._p, J)
        return J

    def __repr__(self) -> str:
        return (f"{type(self).__name__}({self.name}, dim={self.dim}, states="
                f"{list(self.state_names)}, params={self.params})")


class ODE(DynamicalSystem):
    r"""A flow :math:`\dot x = f(x; p)` written by the user (see :class:`DynamicalSystem`).

    Parameters
    ----------
    f : callable or SymbolicField
        ``f(x, p) -> dx/dt`` with numpy operations (compiled by numba), the in-place
        ``f(out, x, p)``, a ``numba.njit`` function of either form, or a SymbolicField.
    dim : int, array_like or sequence of str
        Dimension, an initial (test) state or the state names.
    params : dict of str to float, optional
        Named parameters (the order of ``p``).
    jac : callable, optional
        ``jac(x, p) -> (n, n)``; checked against central differences at the test state.
    x0 : array_like, optional
        Test state of ``f``.
    name : str, optional
        Display name.
    nonnegative : bool, default False
        Clip accepted states at 0 (population-type fields).

    Attributes
    ----------
    dim : int
        State dimension.
    state_names : tuple of str
        Coordinate names.

    Examples
    --------
    >>> import numpy as np
    >>> from equilibria.odes import ODE
    >>> def toggle(x, p):
    ...     a, m = p[0], p[1]
    ...     return np.array([a / (1 + x[1] ** m) - x[0], a / (1 + x[0] ** m) - x[1]])
    >>> sys = ODE(toggle, ["u", "v"], params={"a": 3.0, "n": 2.0})
    >>> sys.rhs([1.0, 1.0]).round(3).tolist()
    [0.5, 0.5]
    """

    kind = "flow"

    def trajectory(self, x0, t_end: float, *, t_eval=None,
                   options: IntegratorOptions | None = None,
                   bound: float = DEFAULT_BOUND) -> Trajectory:
        """Integrate from ``x0`` over ``[0, t_end]`` (adaptive DP5(4)).

        Parameters
        ----------
        x0 : array_like, shape (dim,)
            Initial state.
        t_end : float > 0
            Final time.
        t_eval : array_like, optional
            Increasing output times in ``[0, t_end]`` (default 1001 equispaced points).
        options : IntegratorOptions, optional
            Tolerances and step budget.
        bound : float > 0
            The run stops as diverged when ``max|x| > bound``.

        Returns
        -------
        Trajectory
            ``t``, ``y`` (NaN rows after a failure); ``success=False`` with a warning on
            divergence, a non-finite state, step underflow or an exhausted budget.
        """
        return _trajectory(self, x0, t_end, t_eval, options, bound)

    def end_states(self, X0, t_end: float, *, options: IntegratorOptions | None = None,
                   bound: float = DEFAULT_BOUND):
        """States at ``t_end`` of every row of ``X0`` (parallel over rows).

        Parameters
        ----------
        X0 : array_like, shape (m, dim)
            Initial states.
        t_end : float > 0
            Final time.
        options : IntegratorOptions, optional
            Tolerances and budget.
        bound : float > 0
            Divergence bound.

        Returns
        -------
        X : ndarray, shape (m, dim)
            End states.
        status : ndarray of int64, shape (m,)
            0 ok, 1 non-finite, 2 budget exhausted, 3 step underflow, 4 ``max|x| > bound``.
        """
        return _end_states(self, X0, t_end, options, bound)


class Map(DynamicalSystem):
    r"""A map :math:`x_{k+1} = f(x_k; p)` written by the user (see :class:`DynamicalSystem`).

    Parameters
    ----------
    f : callable or SymbolicField
        ``f(x, p) -> next state`` (or in place ``f(out, x, p)``; numba or plain numpy), or a
        SymbolicField whose expressions are the components of the update.
    dim : int, array_like or sequence of str
        Dimension, an initial (test) state or the state names.
    params : dict of str to float, optional
        Named parameters (the order of ``p``).
    jac : callable, optional
        Jacobian of the update.
    x0 : array_like, optional
        Test state of ``f``.
    name : str, optional
        Display name.

    Attributes
    ----------
    dim : int
        State dimension.
    state_names : tuple of str
        Coordinate names.

    Examples
    --------
    >>> import numpy as np
    >>> from equilibria.odes import Map
    >>> henon = Map(lambda x, p: np.array([1 - p[0] * x[0] ** 2 + x[1], p[1] * x[0]]),
    ...             ["x", "y"], params={"a": 1.4, "b": 0.3})
    >>> henon.rhs([0.0, 0.0]).tolist()
    [1.0, 0.0]
    """

    kind = "map"

    def trajectory(self, x0, n_iter: int, *, bound: float = DEFAULT_BOUND) -> Trajectory:
        """The iterates ``x_0, ..., x_{n_iter}``.

        Parameters
        ----------
        x0 : array_like, shape (dim,)
            Initial state.
        n_iter : int >= 1
            Number of iterations.
        bound : float > 0
            The orbit stops as diverged when ``max|x| > bound``.

        Returns
        -------
        Trajectory
            ``t = 0..n_iter``, ``y`` (NaN after divergence); ``success=False`` with a warning
            when the orbit diverged or became non-finite.
        """
        n_iter = check_int(n_iter, "n_iter", lo=1, hi=max(1, MAX_OUTPUT // self.dim - 1))
        return _trajectory(self, x0, float(n_iter), np.arange(n_iter + 1, dtype=float),
                           IntegratorOptions(dt=1.0), bound)

    def end_states(self, X0, n_iter: int, *, bound: float = DEFAULT_BOUND):
        """States after ``n_iter`` iterations of every row of ``X0``.

        Parameters
        ----------
        X0 : array_like, shape (m, dim)
            Initial states.
        n_iter : int >= 1
            Iterations.
        bound : float > 0
            Divergence bound.

        Returns
        -------
        X : ndarray, shape (m, dim)
            End states.
        status : ndarray of int64, shape (m,)
            0 ok, 1 non-finite, 4 ``max|x| > bound``.
        """
        n_iter = check_int(n_iter, "n_iter", lo=1, hi=MAX_MAP_WORK)
        X0 = self.check_states(X0)
        if n_iter * X0.shape[0] > MAX_MAP_WORK:
            raise ValueError(f"`n_iter`={n_iter} iterations of {X0.shape[0]} states exceed the "
                             f"budget of {MAX_MAP_WORK:.0e} map evaluations of one call")
        return _end_states(self, X0, float(n_iter), IntegratorOptions(dt=1.0), bound)


_ADVANCE_OUTCOMES = {1: (Status.NUMERICAL, "non-finite state", "check the model or lower `rtol`"),
                     2: (Status.MAX_ITER, "step budget exhausted",
                         "increase `options.max_iter`"),
                     3: (Status.NUMERICAL, "step size underflow",
                         "the problem is stiff or singular"),
                     4: (Status.DIVERGED, "diverged (max|x| > bound)",
                         "the orbit is unbounded, or raise `bound`")}


def _check_start(X, bound, name):
    """Initial states must lie within the divergence bound (else they are diverged at t=0)."""
    big = float(np.max(np.abs(X))) if X.size else 0.0
    if big > bound:
        raise ValueError(f"`{name}` has max|x| = {big:.6g} above `bound`={bound:.6g}: the "
                         "run would be diverged at its start; raise `bound` or start closer")


def _trajectory(system, x0, t_end, t_eval, options, bound) -> Trajectory:
    x0 = system.check_state(x0, "x0")
    t_end = check_scalar(t_end, "t_end", lo=0, lo_inclusive=False, hi=MAX_T_END)
    bound = check_scalar(bound, "bound", lo=0, lo_inclusive=False)
    _check_start(x0, bound, "x0")
    opt = options if options is not None else IntegratorOptions()
    if not isinstance(opt, IntegratorOptions):
        raise TypeError(f"`options` must be IntegratorOptions, got {type(opt).__name__}")
    if t_eval is None:
        t_eval = np.linspace(0.0, t_end, 1001)
    t_eval = as_float_array(t_eval, "t_eval", ndim=1, nonneg=True, min_size=1)
    if np.any(np.diff(t_eval) <= 0) or t_eval[-1] > t_end * (1 + 1e-12):
        raise ValueError("`t_eval` must be increasing and within [0, t_end]")
    Y = np.empty((t_eval.size, system.dim))
    st, steps = system._c.flow[2](x0, system._p, t_eval, opt.vector(), bound, Y)
    st = int(st)
    if st == 0:
        return finish(Trajectory, success=True, status=Status.SUCCESS, message="reached t_end",
                      n_iter=int(steps), t=t_eval, y=Y, n_steps=int(steps))
    status, detail, hint = _ADVANCE_OUTCOMES[st]
    bad = np.flatnonzero(~np.isfinite(Y[:, 0]))
    t_stop = t_eval[bad[0]] if bad.size else t_end
    return finish(Trajectory, success=False, status=status,
                  message=status_message(status, f"{detail} before t={t_stop:.4g}", hint),
                  n_iter=int(steps), t=t_eval, y=Y, n_steps=int(steps))


def _end_states(system, X0, t_end, options, bound):
    X0 = system.check_states(X0)
    t_end = check_scalar(t_end, "t_end", lo=0, lo_inclusive=False, hi=MAX_T_END)
    bound = check_scalar(bound, "bound", lo=0, lo_inclusive=False)
    _check_start(X0, bound, "X0")
    opt = options if options is not None else IntegratorOptions()
    if not isinstance(opt, IntegratorOptions):
        raise TypeError(f"`options` must be IntegratorOptions, got {type(opt).__name__}")
    out = np.empty_like(X0)
    status = np.zeros(X0.shape[0], dtype=np.int64)
    steps = np.zeros(X0.shape[0])
    system._c.flow[1](X0, system._p, t_end, opt.vector(), bound, out, status, steps)
    return out, status


def as_system(system: Any, name: str = "system") -> DynamicalSystem:
    """``system`` validated as an :class:`ODE` or :class:`Map`.

    Parameters
    ----------
    system : ODE, Map, or a model with ``to_ode()``
        The system (LVSystem and CoexistenceModel are converted by their ``to_ode``).
    name : str
        Argument name for the message.

    Returns
    -------
    DynamicalSystem
        ``system`` itself, or the converted model.
    """
    if not isinstance(system, DynamicalSystem) and callable(getattr(system, "to_ode", None)):
        return system.to_ode()  # the package's own models (LVSystem, CoexistenceModel)
    if not isinstance(system, DynamicalSystem):
        hint = ""
        from equilibria.theory import SymbolicField
        if isinstance(system, SymbolicField) or callable(system):
            hint = "; wrap it: ODE(f, dim, params=...) or Map(f, dim, params=...)"
        raise TypeError(f"`{name}` must be an ODE or a Map, got {type(system).__name__}{hint}")
    return system
