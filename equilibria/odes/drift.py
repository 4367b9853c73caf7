"""Discretisation drift of gradient descent: GD as a map, and the flows that follow it.

Gradient descent with learning rate ``h``, ``x_{k+1} = x_k - h grad E(x_k)``, is the explicit
Euler discretisation of the negative gradient flow ``x' = -grad E(x)`` with step ``h`` (iterate
``k`` sits at time ``t = k h``).  Its one-step error against that flow is ``O(h^2)``: the
*discretisation drift*.  Backward error analysis gives flows that GD follows more closely:

- **First-order modified flow** (implicit gradient regularisation; Barrett & Dherin 2021,
  "Implicit gradient regularization", ICLR, Sec. 2 / Thm 3.1):
  ``x' = -grad E~(x)``, ``E~ = E + (h/4) ||grad E||^2``, i.e. ``x' = -grad E - (h/2) H grad E``
  (``H`` the Hessian); one GD step agrees with it to ``O(h^3)``.
- **Principal flow** on a quadratic ``E = (1/2)(x - x*)^T H (x - x*)`` (Rosca et al. 2023,
  "On a continuous time model of gradient descent dynamics and instability in deep
  learning", arXiv 2302.01952): along each eigenvector ``u_i`` of ``H`` (eigenvalue
  ``lambda_i``) the flow ``x' = sum_i [log(1 - h lambda_i) / (h lambda_i)] (grad E . u_i) u_i``
  multiplies the ``u_i`` component by ``(1 - h lambda_i)^{t/h}``, so it meets GD *exactly*
  at ``t = k h``.  When ``h lambda_i > 1`` the rate is complex (``log`` of a negative number):
  GD flips the sign of that component every step, which no real flow does; this is reported
  (``PrincipalFlow.oscillating``, ``regime="oscillating"``), not hidden.  Expanding the rate,
  ``log(1 - u)/u = -1 - u/2 - ...``, recovers the first-order modified flow.
- **Two-player games** (Rosca, Wu, Dherin & Barrett 2021, "Discretization drift in two-player
  games", ICML, ar5iv 2105.13922, Sec. 3).  For the game ODE ``x' = f(x, y)``,
  ``y' = g(x, y)`` (for losses ``L1, L2``: ``f = -grad_x L1``, ``g = -grad_y L2``) and
  learning rates ``alpha h``, ``lambda h``, the paper's modified flows are (as recovered from
  the coefficients of the authors' code, see below)

  simultaneous (its Thm 3.1)::

      x' = f - (alpha h / 2) (f_x f + f_y g)
      y' = g - (lambda h / 2) (g_x f + g_y g)

  alternating, ``x`` first and one update each (its Thm 3.2 with m = k = 1)::

      x' = f - (alpha h / 2) (f_x f + f_y g)
      y' = g - (lambda h / 2) (g_y g + (1 - 2 alpha / lambda) g_x f)

  (``f_x`` the Jacobian of ``f`` in ``x``, etc.).  The sign flip of the interaction term
  ``g_x f`` in the second player's drift is what makes alternating updates stable where
  simultaneous ones spiral out.  The coefficients were checked against the authors' code
  (deepmind-research, ``discretization_drift/dd_two_player_games/drift_utils.py``,
  ``get_dd_coeffs``: self term ``lr/2``; interaction term ``lr/2`` simultaneous and
  ``-(lr/2)(2 alpha/lambda - 1)`` for the second player when alternating); the paper's
  theorem text itself was not readable here (only its abstract and the authors' blog preamble).

  This module puts both players on one time axis (one iteration = time ``h``, players moving
  at speeds ``alpha`` and ``lambda``) and uses the expansion whose one-step error is
  ``O(h^3)`` on that axis (derived here; checked by ``drift.game_modified_flow_local_error``)::

      x' = alpha f - (alpha h / 2) (alpha f_x f + lambda f_y g)
      y' = lambda g - (lambda h / 2) (alpha g_x f + lambda g_y g)          (simultaneous)
      y' = lambda g - (lambda h / 2) (lambda g_y g - alpha g_x f)          (alternating)

  At ``alpha = lambda = 1`` these are exactly the paper's flows above.  For ``alpha !=
  lambda`` the two differ: the paper's form, read on one time axis (``x' = alpha (...)``,
  ``y' = lambda (...)``), leaves an ``O(h^2)`` one-step error (fitted slope 2, see
  ``tests/odes/test_drift.py::test_paper_form_with_unequal_rates_is_first_order_on_one_axis``),
  so the paper presumably measures each player's time in its own learning rate; that
  convention could not be confirmed from the text.

On the bilinear game ``E(x, y) = x y`` (``x`` minimises, ``y`` maximises; ``f = -y``,
``g = x``) simultaneous GD grows exactly as ``||z_{k+1}||^2 = (1 + h^2) ||z_k||^2`` and its
modified flow as ``exp(h t)``; alternating GD conserves ``Q_h = x^2 + y^2 - h x y`` exactly
(bounded for ``h < 2``), and so does its modified flow ``x' = -y + (h/2) x``,
``y' = x - (h/2) y``.

Flows are integrated with ``scipy.integrate.solve_ivp`` (DOP853, ``rtol=1e-12``,
``atol=1e-14`` by default); closed forms (quadratics, the principal flow) are used where they
exist.
"""

from __future__ import annotations

import dataclasses
from typing import Callable

import numpy as np

from equilibria._lib.result import Result, Status, finish
from equilibria._lib.validation import (as_float_array, check_callable, check_int,
                                        check_option, check_scalar, check_square)

__all__ = ["GDIterates", "FlowResult", "PrincipalFlow", "DriftResult", "Game",
           "gd_iterates", "gradient_flow", "modified_flow_field", "modified_flow",
           "principal_flow", "principal_rates", "quadratic", "rosenbrock", "random_spd",
           "bilinear_game", "dirac_gan", "game_iterates", "game_field", "game_modified_field",
           "game_flow", "game_drift", "drift_error", "local_errors", "game_local_errors",
           "bilinear_invariant", "drift_figure", "RTOL", "ATOL"]

#: default tolerances of the flows' DOP853 integration (tight: the drift is O(h^2)-O(h^3))
RTOL, ATOL = 1e-12, 1e-14
#: GD iterates beyond this norm (or non-finite) stop the run with status DIVERGED
MAX_NORM = 1e100
#: largest number of iterates a run stores
MAX_STEPS = 10_000_000
#: field evaluations after which a flow integration stops (status MAX_ITER)
MAX_NFEV = 200_000
#: largest dimension of a game's state z = (x, y)
MAX_DIM = 1_000_000


# ------------------------------------------------------------------------------ results
@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class GDIterates(Result):
    """Iterates of gradient descent (single objective or a two-player game).

    Attributes
    ----------
    x : ndarray (k + 1, n)
        ``x_0, ..., x_k`` (``k = n_iter``; fewer than asked when the run diverged).
    t : ndarray (k + 1,)
        The flow times of the iterates, ``t_j = j h``.
    h : float
        The learning rate.
    scheme : str
        ``"gd"``, ``"simultaneous"`` or ``"alternating"``.
    diverged : bool
        Whether an iterate left ``||x|| <= max_norm`` or became non-finite.
    """

    x: np.ndarray
    t: np.ndarray
    h: float
    scheme: str
    diverged: bool


@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class FlowResult(Result):
    """A flow integrated by ``solve_ivp`` (DOP853) and sampled at times ``t``.

    Attributes
    ----------
    t : ndarray (m,)
        Sample times.
    x : ndarray (m, n)
        The flow at ``t``.
    kind : str
        ``"gradient"``, ``"modified"``, ``"game"`` or ``"game_modified"``.
    nfev : int
        Field evaluations.
    """

    t: np.ndarray
    x: np.ndarray
    kind: str
    nfev: int


@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class PrincipalFlow(Result):
    """The principal flow of GD on a quadratic, in closed form.

    Attributes
    ----------
    t : ndarray (m,)
        Sample times (GD iterate ``k`` sits at ``t = k h``).
    x : ndarray (m, n)
        The flow at ``t``: real when no direction oscillates, complex otherwise (its value at
        ``t = k h`` is real up to rounding and equals the GD iterate).
    eigenvalues : ndarray (n,)
        Eigenvalues ``lambda_i`` of ``H`` (ascending).
    rates : ndarray (n,) complex
        ``log(1 - h lambda_i) / (h lambda_i)`` (``-1`` at ``lambda_i = 0``; ``-inf`` at
        ``h lambda_i = 1``); the flow is ``x' = sum_i rates_i (grad E . u_i) u_i``.
    oscillating : ndarray (n,) bool
        Directions with ``h lambda_i > 1`` (complex rate: GD flips their sign each step).
    regime : str
        ``"real"`` (every ``h lambda_i < 1``), ``"oscillating"`` (some ``h lambda_i > 1``) or
        ``"singular"`` (some ``h lambda_i = 1``: that component vanishes after one step, the
        rate is ``-inf``; takes precedence over "oscillating").
    diverging : bool
        Whether GD diverges from a generic start (some ``|1 - h lambda_i| > 1``).
    """

    t: np.ndarray
    x: np.ndarray
    eigenvalues: np.ndarray
    rates: np.ndarray
    oscillating: np.ndarray
    regime: str
    diverging: bool


@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class DriftResult(Result):
    """GD iterates against the gradient (or game) flow and the modified flow, at ``t = k h``.

    Attributes
    ----------
    t : ndarray (k + 1,)
        Times ``j h``.
    iterates : ndarray (k + 1, n)
        GD iterates.
    flow : ndarray (k + 1, n)
        The unmodified flow (negative gradient flow, or the game ODE at speeds alpha, lambda).
    modified : ndarray (k + 1, n)
        The first-order modified flow.
    error_flow, error_modified : ndarray (k + 1,)
        ``||x_j - flow(j h)||`` and ``||x_j - modified(j h)||``.
    h : float
    scheme : str
    """

    t: np.ndarray
    iterates: np.ndarray
    flow: np.ndarray
    modified: np.ndarray
    error_flow: np.ndarray
    error_modified: np.ndarray
    h: float
    scheme: str

    @property
    def ratio(self) -> np.ndarray:
        """``error_modified / error_flow`` per iterate (NaN where the flow error is 0)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.error_flow > 0, self.error_modified / self.error_flow, np.nan)


# ------------------------------------------------------------------------------ checks
def _h(h, name="h") -> float:
    return check_scalar(h, name, lo=0.0, lo_inclusive=False)


def _times(t, name="t") -> np.ndarray:
    arr = np.atleast_1d(as_float_array(t, name, ndim=(0, 1), nonneg=True, min_size=1))
    if np.any(np.diff(arr) < 0):
        raise ValueError(f"`{name}` must be nondecreasing, got {arr}")
    return arr


def _vec(value, name, n, x):
    out = np.asarray(value, dtype=float)
    if out.shape != (n,):
        raise ValueError(f"`{name}` must return an array of shape ({n},) at x, got shape "
                         f"{out.shape}")
    return out


def _symmetric(H, name="H") -> np.ndarray:
    H = check_square(H, name)
    if H.shape[0] == 0:
        raise ValueError(f"`{name}` must be non-empty, got shape {H.shape}")
    scale = max(1.0, float(np.max(np.abs(H))))
    if np.max(np.abs(H - H.T)) > 1e-10 * scale:
        raise ValueError(f"`{name}` must be symmetric, found |H - H^T| = "
                         f"{np.max(np.abs(H - H.T)):.3g}")
    return 0.5 * (H + H.T)


# ------------------------------------------------------------------------------ instances
def quadratic(H, x_star=None):
    """``E(x) = (1/2)(x - x*)^T H (x - x*)`` with its gradient and Hessian.

    Parameters
    ----------
    H : array_like (n, n)
        Symmetric matrix.
    x_star : array_like (n,), optional
        Stationary point (default 0).

    Returns
    -------
    (E, grad, hess) : tuple of callables
    """
    H = _symmetric(H)
    n = H.shape[0]
    xs = np.zeros(n) if x_star is None else as_float_array(x_star, "x_star", shape=(n,))

    def E(x):
        d = np.asarray(x, dtype=float) - xs
        return 0.5 * float(d @ H @ d)

    def grad(x):
        return H @ (np.asarray(x, dtype=float) - xs)

    def hess(x):
        return H

    return E, grad, hess


def rosenbrock(a: float = 1.0, b: float = 100.0):
    """Rosenbrock's ``E(x, y) = (a - x)^2 + b (y - x^2)^2`` with its gradient and Hessian.

    Returns
    -------
    (E, grad, hess) : tuple of callables
    """
    a = check_scalar(a, "a")
    b = check_scalar(b, "b", lo=0.0, lo_inclusive=False)

    def E(z):
        x, y = z
        return float((a - x) ** 2 + b * (y - x * x) ** 2)

    def grad(z):
        x, y = z
        return np.array([-2.0 * (a - x) - 4.0 * b * x * (y - x * x), 2.0 * b * (y - x * x)])

    def hess(z):
        x, y = z
        return np.array([[2.0 - 4.0 * b * (y - 3.0 * x * x), -4.0 * b * x],
                         [-4.0 * b * x, 2.0 * b]])

    return E, grad, hess


def random_spd(rng, n: int, cond: float) -> np.ndarray:
    """A random symmetric positive definite ``n x n`` matrix with eigenvalues log-spaced in
    ``[1/cond, 1]`` (so ``lambda_max = 1`` and condition number ``cond``), Haar eigenvectors.
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"`rng` must be a numpy Generator, got {type(rng).__name__}")
    n = check_int(n, "n", lo=1, hi=2000)
    cond = check_scalar(cond, "cond", lo=1.0)
    lam = np.geomspace(1.0 / cond, 1.0, n) if n > 1 else np.ones(1)
    Q, R = np.linalg.qr(rng.normal(size=(n, n)))
    Q = Q * np.sign(np.diag(R))
    H = (Q * lam) @ Q.T
    return 0.5 * (H + H.T)


@dataclasses.dataclass(frozen=True)
class Game:
    """A two-player game as its ODE ``x' = f(x, y)``, ``y' = g(x, y)`` on ``z = (x, y)``.

    Attributes
    ----------
    field : callable
        ``field(z) -> (f, g)`` stacked, shape ``(nx + ny,)``.
    jacobian : callable
        ``jacobian(z)`` of ``field``, shape ``(nx + ny, nx + ny)``.
    nx : int
        Dimension of the first player's ``x``.
    n : int
        ``nx + ny``.
    name : str
    """

    field: Callable
    jacobian: Callable
    nx: int
    n: int
    name: str = "game"

    def __post_init__(self):
        check_callable(self.field, "field")
        check_callable(self.jacobian, "jacobian")
        nx = check_int(self.nx, "nx", lo=1, hi=MAX_DIM)
        n = check_int(self.n, "n", lo=2, hi=MAX_DIM)
        if n <= nx:
            raise ValueError(f"`n` = {n} must exceed `nx` = {nx} (the second player needs a "
                             "coordinate)")
        if not isinstance(self.name, str):
            raise TypeError(f"`name` must be a string, got {type(self.name).__name__}")
        object.__setattr__(self, "nx", nx)
        object.__setattr__(self, "n", n)


def bilinear_game(A=None) -> Game:
    """The bilinear zero-sum game ``E(x, y) = x^T A y``, ``x`` minimising, ``y`` maximising:
    ``f = -A y``, ``g = A^T x``.

    Parameters
    ----------
    A : array_like (nx, ny), optional
        The payoff matrix (default ``[[1]]``: the game ``x y``).

    Returns
    -------
    Game
        The game ODE with its constant Jacobian ``[[0, -A], [A^T, 0]]``.
    """
    A = np.ones((1, 1)) if A is None else as_float_array(A, "A", ndim=2, min_size=1)
    nx, ny = A.shape
    J = np.block([[np.zeros((nx, nx)), -A], [A.T, np.zeros((ny, ny))]])

    def field(z):
        return J @ z

    def jacobian(z):
        return J

    return Game(field, jacobian, nx, nx + ny, name="bilinear")


def _sigmoid(u):
    return 0.5 * (1.0 + np.tanh(0.5 * u))


def dirac_gan() -> Game:
    """The Dirac-GAN (Mescheder, Geiger & Nowozin 2018, Sec. 2): data at 0, generator
    ``theta`` (first player), linear discriminator ``D(x) = psi x`` (second player),
    ``L(theta, psi) = phi(psi theta) + phi(0)``, ``phi(u) = -log(1 + exp(-u))``; the
    generator minimises ``L``, the discriminator maximises it:
    ``f = -phi'(psi theta) psi``, ``g = phi'(psi theta) theta``, ``phi'(u) = sigmoid(-u)``.

    Returns
    -------
    Game
        The game on ``z = (theta, psi)`` with its analytic Jacobian.
    """
    def field(z):
        th, ps = z
        d = _sigmoid(-ps * th)
        return np.array([-d * ps, d * th])

    def jacobian(z):
        th, ps = z
        u = ps * th
        d = _sigmoid(-u)
        dd = -d * (1.0 - d)  # phi''(u)
        return np.array([[-dd * ps * ps, -d - dd * u],
                         [d + dd * u, dd * th * th]])

    return Game(field, jacobian, 1, 2, name="Dirac-GAN")


# ------------------------------------------------------------------------------ GD as a map
def gd_iterates(grad, x0, h, steps, *, max_norm: float = MAX_NORM, warn: bool = True):
    """Gradient descent ``x_{k+1} = x_k - h grad(x_k)`` for ``steps`` steps.

    Parameters
    ----------
    grad : callable
        ``grad(x) -> (n,)``.
    x0 : array_like (n,)
    h : float
        Learning rate (> 0).
    steps : int
        Number of steps (>= 0).
    max_norm : float
        Iterates with ``||x|| > max_norm`` (or non-finite) stop the run: status DIVERGED.
    warn : bool
        Emit a ConvergenceWarning on divergence.

    Returns
    -------
    GDIterates
    """
    check_callable(grad, "grad")
    x = as_float_array(x0, "x0", ndim=1, min_size=1, copy=True)
    h = _h(h)
    steps = check_int(steps, "steps", lo=0, hi=MAX_STEPS)
    max_norm = check_scalar(max_norm, "max_norm", lo=0.0, lo_inclusive=False)
    n = x.shape[0]
    _probe(grad, "grad", x, "x0")
    out = [x.copy()]
    diverged = False
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            x = x - h * _vec(grad(x), "grad", n, x)
            if not np.all(np.isfinite(x)) or np.linalg.norm(x) > max_norm:
                diverged = True
                break
            out.append(x.copy())
    X = np.array(out)
    k = X.shape[0] - 1
    status = Status.DIVERGED if diverged else Status.SUCCESS
    msg = (f"GD left ||x|| <= {max_norm:.3g} at step {k + 1} (h = {h:.6g})" if diverged
           else f"{k} GD steps at h = {h:.6g}")
    return finish(GDIterates, success=not diverged, status=status, n_iter=k, message=msg,
                  hint="lower `h` below 2 / lambda_max" if diverged else None, warn=warn,
                  x=X, t=h * np.arange(k + 1), h=h, scheme="gd", diverged=diverged)


def modified_flow_field(grad, h, *, hess=None, hess_vec=None) -> Callable:
    """The vector field of the first-order modified (IGR) flow of GD:
    ``-grad E~``, ``E~ = E + (h/4)||grad E||^2``, i.e. ``-grad E(x) - (h/2) H(x) grad E(x)``.

    Parameters
    ----------
    grad : callable
        ``grad(x) -> (n,)``.
    h : float
        Learning rate (> 0).
    hess : callable, optional
        ``hess(x) -> (n, n)`` Hessian.
    hess_vec : callable, optional
        ``hess_vec(x, v) -> H(x) v``.  Exactly one of ``hess`` and ``hess_vec``.

    Returns
    -------
    callable
        ``field(x) -> (n,)``.
    """
    check_callable(grad, "grad")
    h = _h(h)
    if (hess is None) == (hess_vec is None):
        raise TypeError("modified_flow_field needs exactly one of `hess` and `hess_vec`, got "
                        f"hess={'set' if hess is not None else None}, "
                        f"hess_vec={'set' if hess_vec is not None else None}")
    if hess is not None:
        check_callable(hess, "hess")

        def hv(x, v):
            return np.asarray(hess(x), dtype=float) @ v
    else:
        hv = check_callable(hess_vec, "hess_vec")

    def field(x):
        g = np.asarray(grad(x), dtype=float)
        return -g - 0.5 * h * np.asarray(hv(x, g), dtype=float)

    return field


class _Budget(Exception):
    """Raised inside the right-hand side when the integration exceeds ``MAX_NFEV``."""


def _integrate(field, x0, t, rtol, atol, kind):
    from scipy.integrate import solve_ivp

    rtol = check_scalar(rtol, "rtol", lo=1e-15, hi=1e-2)
    atol = check_scalar(atol, "atol", lo=0.0, lo_inclusive=False)
    n = x0.shape[0]
    if t[-1] == 0.0:
        return finish(FlowResult, success=True, status=Status.SUCCESS, n_iter=0,
                      message="t = 0 only", warn=False, t=t, x=np.repeat(x0[None], t.size, 0),
                      kind=kind, nfev=0)
    # solve_ivp needs strictly increasing sample times: integrate on the distinct ones
    tu, inv = np.unique(t, return_inverse=True)
    count = [0]

    def rhs(_, x):
        count[0] += 1
        if count[0] > MAX_NFEV:
            raise _Budget()
        return _vec(field(x), "field", n, x)

    try:
        with np.errstate(over="ignore", invalid="ignore"):
            sol = solve_ivp(rhs, (0.0, float(tu[-1])), x0, method="DOP853", t_eval=tu,
                            rtol=rtol, atol=atol)
    except _Budget:
        return finish(FlowResult, success=False, status=Status.MAX_ITER, n_iter=count[0],
                      message=f"more than {MAX_NFEV} field evaluations before t = {t[-1]:.3g}",
                      hint="shorten `t` or loosen `rtol` / `atol`", warn=True, t=t,
                      x=np.full((t.size, n), np.nan), kind=kind, nfev=count[0] - 1)
    Y = np.asarray(sol.y, dtype=float)
    full = Y.ndim == 2 and Y.shape[1] == tu.size
    ok = bool(sol.success) and full and bool(np.all(np.isfinite(Y)))
    X = Y.T[inv] if full else np.full((t.size, n), np.nan)
    return finish(FlowResult, success=ok, status=Status.SUCCESS if ok else Status.NUMERICAL,
                  n_iter=int(np.size(sol.t)), message=str(sol.message), warn=True, t=t, x=X,
                  kind=kind, nfev=int(sol.nfev))


def _probe(fn, fname, x, xname):
    """Evaluate ``fn(x)`` once so a callable that cannot take ``x`` names the argument."""
    try:
        out = fn(x)
    except (ValueError, TypeError, IndexError) as exc:
        raise ValueError(f"`{fname}` cannot be evaluated at `{xname}` (shape {x.shape}): "
                         f"{exc}") from exc
    _vec(out, fname, x.shape[0], x)
    return out


def gradient_flow(grad, x0, t, *, rtol: float = RTOL, atol: float = ATOL) -> FlowResult:
    """The negative gradient flow ``x' = -grad E(x)`` from ``x0``, sampled at times ``t``
    (``solve_ivp``, DOP853).

    Parameters
    ----------
    grad : callable
        ``grad(x) -> (n,)``.
    x0 : array_like (n,)
    t : float or array_like (m,)
        Nondecreasing nonnegative sample times.
    rtol, atol : float
        Integration tolerances.

    Returns
    -------
    FlowResult
    """
    check_callable(grad, "grad")
    x0 = as_float_array(x0, "x0", ndim=1, min_size=1)
    t = _times(t)
    _probe(grad, "grad", x0, "x0")
    return _integrate(lambda x: -np.asarray(grad(x), dtype=float), x0, t, rtol, atol,
                      "gradient")


def modified_flow(grad, x0, h, t, *, hess=None, hess_vec=None, rtol: float = RTOL,
                  atol: float = ATOL) -> FlowResult:
    """The first-order modified flow ``x' = -grad(E + (h/4)||grad E||^2)`` from ``x0`` at
    times ``t`` (see :func:`modified_flow_field`; ``solve_ivp``, DOP853).

    Parameters
    ----------
    grad : callable
        ``grad(x) -> (n,)``.
    x0 : array_like (n,)
    h : float
        Learning rate (> 0).
    t : float or array_like (m,)
        Nondecreasing nonnegative sample times.
    hess : callable, optional
        ``hess(x) -> (n, n)``.
    hess_vec : callable, optional
        ``hess_vec(x, v) -> H(x) v``; exactly one of ``hess`` and ``hess_vec``.
    rtol, atol : float
        Integration tolerances.

    Returns
    -------
    FlowResult
    """
    field = modified_flow_field(grad, h, hess=hess, hess_vec=hess_vec)
    x0 = as_float_array(x0, "x0", ndim=1, min_size=1)
    _probe(field, "grad", x0, "x0")
    return _integrate(field, x0, _times(t), rtol, atol, "modified")


# ------------------------------------------------------------------------------ principal flow
def principal_rates(eigenvalues, h) -> np.ndarray:
    """``log(1 - h lambda) / (h lambda)`` per eigenvalue, complex (principal branch: ``log(-u)
    = log u + i pi``); ``-1`` at ``lambda = 0`` (the limit) and ``-inf`` at ``h lambda = 1``.
    """
    lam = np.atleast_1d(as_float_array(eigenvalues, "eigenvalues", ndim=(0, 1)))
    h = _h(h)
    u = h * lam
    out = np.empty(lam.shape, dtype=complex)
    for i, ui in enumerate(u):
        if abs(ui) < 1e-8:  # series: log(1-u)/u = -1 - u/2 - u^2/3
            out[i] = -1.0 - ui / 2.0 - ui * ui / 3.0
        elif ui == 1.0:
            out[i] = -np.inf
        else:
            out[i] = np.log(complex(1.0 - ui)) / ui
    return out


def principal_flow(H, x0, h, t, *, x_star=None) -> PrincipalFlow:
    """The principal flow of GD with learning rate ``h`` on
    ``E = (1/2)(x - x*)^T H (x - x*)``, in closed form at times ``t``:
    ``x(t) = x* + sum_i (1 - h lambda_i)^{t/h} <u_i, x0 - x*> u_i``, i.e. the flow
    ``x' = sum_i [log(1 - h lambda_i)/(h lambda_i)] <grad E, u_i> u_i``.

    At ``t = k h`` it equals the ``k``-th GD iterate.  Directions with ``h lambda_i > 1`` have
    complex rates (``oscillating``; ``x`` is then complex off the grid ``t = k h``); a
    direction with ``h lambda_i = 1`` is annihilated after one step (``regime="singular"``).

    Parameters
    ----------
    H : array_like (n, n)
        Symmetric Hessian.
    x0 : array_like (n,)
    h : float
        Learning rate (> 0).
    t : float or array_like (m,)
        Nondecreasing nonnegative times.
    x_star : array_like (n,), optional
        Stationary point (default 0).

    Returns
    -------
    PrincipalFlow
    """
    H = _symmetric(H)
    n = H.shape[0]
    x0 = as_float_array(x0, "x0", shape=(n,))
    xs = np.zeros(n) if x_star is None else as_float_array(x_star, "x_star", shape=(n,))
    h = _h(h)
    t = _times(t)
    lam, U = np.linalg.eigh(H)
    rates = principal_rates(lam, h)
    c0 = U.T @ (x0 - xs)
    mult = 1.0 - h * lam
    osc = mult < 0
    sing = mult == 0
    # (1 - h lambda)^{t/h} = exp(t/h log(1 - h lambda)), principal branch
    with np.errstate(divide="ignore"):
        logm = np.log(mult.astype(complex))
    powers = np.exp(np.outer(t / h, np.where(sing, 0.0, logm)))
    if np.any(sing):
        powers[:, sing] = np.where(t[:, None] > 0, 0.0, 1.0)
    with np.errstate(over="ignore", invalid="ignore"):
        X = xs + (powers * c0) @ U.T
    if not np.any(osc):
        X = X.real
    regime = "singular" if np.any(sing) else ("oscillating" if np.any(osc) else "real")
    diverging = bool(np.any(np.abs(mult) > 1.0))
    detail = {"real": "every h lambda_i < 1: a real flow meets GD at t = k h",
              "oscillating": f"{int(osc.sum())} direction(s) with h lambda_i > 1: complex rate, "
                             "GD flips sign along them each step (oscillating)",
              "singular": "a direction with h lambda_i = 1 is annihilated after one step "
                          "(rate -inf)"}[regime]
    if diverging:
        detail += "; some |1 - h lambda_i| > 1: GD diverges from a generic start"
    finite = bool(np.all(np.isfinite(X)))
    if not finite:
        detail = "the flow overflows at the sample times: " + detail
    return finish(PrincipalFlow, success=finite,
                  status=Status.SUCCESS if finite else Status.NUMERICAL, n_iter=0,
                  message=detail, hint=None if finite else "shorten `t` or lower `h`",
                  warn=not finite, t=t, x=X, eigenvalues=lam, rates=rates, oscillating=osc,
                  regime=regime, diverging=diverging)


# ------------------------------------------------------------------------------ games
def _game(game) -> Game:
    if not isinstance(game, Game):
        raise TypeError(f"`game` must be a Game (bilinear_game(), dirac_gan(), Game(...)), got "
                        f"{type(game).__name__}")
    return game


def _lr(lr) -> tuple[float, float]:
    if isinstance(lr, (str, bytes)) or np.ndim(lr) != 1 or len(lr) != 2:
        raise ValueError(f"`lr` must be a pair (alpha, lambda) of player speeds, got {lr!r}")
    if np.asarray(lr).dtype.kind not in "fiu":
        raise TypeError(f"`lr` must hold two real numbers, got dtype {np.asarray(lr).dtype}")
    return (check_scalar(lr[0], "lr[0]", lo=0.0, lo_inclusive=False),
            check_scalar(lr[1], "lr[1]", lo=0.0, lo_inclusive=False))


def _scheme(scheme) -> str:
    return check_option(scheme, "scheme", ("simultaneous", "alternating"))


def game_iterates(game, z0, h, steps, *, scheme: str = "simultaneous", lr=(1.0, 1.0),
                  max_norm: float = MAX_NORM, warn: bool = True) -> GDIterates:
    """Simultaneous or alternating gradient steps on a two-player game.

    Simultaneous: ``x += alpha h f(x, y)``, ``y += lambda h g(x, y)``; alternating: ``x`` first,
    then ``y += lambda h g(x_new, y)``.

    Parameters
    ----------
    game : Game
    z0 : array_like (n,)
        ``(x0, y0)`` stacked.
    h : float
        Step (> 0).
    steps : int
    scheme : {"simultaneous", "alternating"}
    lr : (float, float)
        Player speeds ``(alpha, lambda)``: learning rates ``alpha h`` and ``lambda h``.
    max_norm : float
        Iterates with ``||z|| > max_norm`` (or non-finite) stop the run: status DIVERGED.
    warn : bool
        Emit a ConvergenceWarning on divergence.

    Returns
    -------
    GDIterates
    """
    game = _game(game)
    z = as_float_array(z0, "z0", shape=(game.n,), copy=True)
    h = _h(h)
    steps = check_int(steps, "steps", lo=0, hi=MAX_STEPS)
    scheme = _scheme(scheme)
    a, lam = _lr(lr)
    max_norm = check_scalar(max_norm, "max_norm", lo=0.0, lo_inclusive=False)
    nx, n = game.nx, game.n
    out = [z.copy()]
    diverged = False
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            F = _vec(game.field(z), "field", n, z)
            new = z.copy()
            new[:nx] = z[:nx] + a * h * F[:nx]
            if scheme == "alternating":
                F = _vec(game.field(np.concatenate([new[:nx], z[nx:]])), "field", n, z)
            new[nx:] = z[nx:] + lam * h * F[nx:]
            z = new
            if not np.all(np.isfinite(z)) or np.linalg.norm(z) > max_norm:
                diverged = True
                break
            out.append(z.copy())
    Z = np.array(out)
    k = Z.shape[0] - 1
    msg = (f"{scheme} GD left ||z|| <= {max_norm:.3g} at step {k + 1}" if diverged
           else f"{k} {scheme} steps at h = {h:.6g}")
    return finish(GDIterates, success=not diverged,
                  status=Status.DIVERGED if diverged else Status.SUCCESS, n_iter=k,
                  message=msg, hint="lower `h`" if diverged else None, warn=warn, x=Z,
                  t=h * np.arange(k + 1), h=h, scheme=scheme, diverged=diverged)


def game_field(game, *, lr=(1.0, 1.0)) -> Callable:
    """The game ODE at player speeds ``(alpha, lambda)``: ``z' = (alpha f, lambda g)``."""
    game = _game(game)
    a, lam = _lr(lr)
    s = np.r_[np.full(game.nx, a), np.full(game.n - game.nx, lam)]
    return lambda z: s * np.asarray(game.field(z), dtype=float)


def game_modified_field(game, h, *, scheme: str = "simultaneous", lr=(1.0, 1.0)) -> Callable:
    """The first-order modified flow of simultaneous or alternating GD on a game (module
    docstring; one time axis, iteration = time ``h``, speeds ``lr = (alpha, lambda)``)::

        x' = alpha f - (alpha h/2)(alpha f_x f + lambda f_y g)
        y' = lambda g - (lambda h/2)(alpha g_x f + lambda g_y g)      simultaneous
        y' = lambda g - (lambda h/2)(lambda g_y g - alpha g_x f)      alternating (x first)

    At ``alpha = lambda = 1``: Rosca et al. (2021), Thm 3.1 and Thm 3.2.

    Parameters
    ----------
    game : Game
    h : float
        Step (> 0).
    scheme : {"simultaneous", "alternating"}
    lr : (float, float)
        Player speeds ``(alpha, lambda)``.

    Returns
    -------
    callable
        ``field(z) -> (n,)``.
    """
    game = _game(game)
    h = _h(h)
    scheme = _scheme(scheme)
    a, lam = _lr(lr)
    nx, n = game.nx, game.n

    def field(z):
        F = _vec(game.field(z), "field", n, z)
        J = np.asarray(game.jacobian(z), dtype=float)
        if J.shape != (n, n):
            raise ValueError(f"`jacobian` must return shape ({n}, {n}), got {J.shape}")
        f, g = F[:nx], F[nx:]
        fx, fy, gx, gy = J[:nx, :nx], J[:nx, nx:], J[nx:, :nx], J[nx:, nx:]
        dx = a * f - 0.5 * a * h * (a * fx @ f + lam * fy @ g)
        if scheme == "simultaneous":
            dy = lam * g - 0.5 * lam * h * (a * gx @ f + lam * gy @ g)
        else:
            dy = lam * g - 0.5 * lam * h * (lam * gy @ g - a * gx @ f)
        return np.concatenate([dx, dy])

    return field


def game_flow(game, z0, t, *, h=None, scheme: str = "simultaneous", lr=(1.0, 1.0),
              rtol: float = RTOL, atol: float = ATOL) -> FlowResult:
    """The game ODE (``h=None``) or the modified flow of ``scheme`` at step ``h``, from ``z0``
    at times ``t`` (``solve_ivp``, DOP853)."""
    game = _game(game)
    z0 = as_float_array(z0, "z0", shape=(game.n,))
    t = _times(t)
    if h is None:
        return _integrate(game_field(game, lr=lr), z0, t, rtol, atol, "game")
    return _integrate(game_modified_field(game, h, scheme=scheme, lr=lr), z0, t, rtol, atol,
                      "game_modified")


def _drift(iters, flow, mod, h, scheme):
    ok = (not iters.diverged) and flow.success and mod.success
    X = iters.x
    k = X.shape[0]
    ef = np.linalg.norm(X - flow.x[:k], axis=1)
    em = np.linalg.norm(X - mod.x[:k], axis=1)
    status = (Status.SUCCESS if ok else Status.DIVERGED if iters.diverged else Status.NUMERICAL)
    msg = (f"{k - 1} steps at h = {h:.6g}: final error vs flow {ef[-1]:.3g}, vs modified flow "
           f"{em[-1]:.3g}")
    return finish(DriftResult, success=ok, status=status, n_iter=k - 1, message=msg,
                  t=iters.t, iterates=X, flow=flow.x[:k], modified=mod.x[:k], error_flow=ef,
                  error_modified=em, h=h, scheme=scheme)


def drift_error(problem, x0, h, steps, *, hess=None, hess_vec=None,
                scheme: str = "simultaneous", lr=(1.0, 1.0), rtol: float = RTOL,
                atol: float = ATOL) -> DriftResult:
    """GD iterates against the unmodified flow and the first-order modified flow at
    ``t = k h``.

    Parameters
    ----------
    problem : callable or Game
        A gradient ``grad(x)`` (single objective; then ``hess`` or ``hess_vec`` is required)
        or a :class:`Game` (then ``scheme`` and ``lr`` apply).
    x0 : array_like (n,)
    h : float
        Learning rate / step (> 0).
    steps : int
        GD steps (>= 1).
    hess : callable, optional
        ``hess(x) -> (n, n)`` (single objective; see :func:`modified_flow_field`).
    hess_vec : callable, optional
        ``hess_vec(x, v) -> H(x) v`` (single objective; exactly one of ``hess``, ``hess_vec``).
    scheme : {"simultaneous", "alternating"}
        The game update (games only).
    lr : (float, float)
        Player speeds ``(alpha, lambda)`` (games only).
    rtol, atol : float
        Tolerances of the flows' DOP853 integration.

    Returns
    -------
    DriftResult
    """
    h = _h(h)
    steps = check_int(steps, "steps", lo=1, hi=MAX_STEPS)
    if isinstance(problem, Game):
        it = game_iterates(problem, x0, h, steps, scheme=scheme, lr=lr, warn=False)
        t = h * np.arange(steps + 1)
        fl = game_flow(problem, x0, t, lr=lr, rtol=rtol, atol=atol)
        md = game_flow(problem, x0, t, h=h, scheme=scheme, lr=lr, rtol=rtol, atol=atol)
        return _drift(it, fl, md, h, _scheme(scheme))
    if not callable(problem):
        raise TypeError(f"`problem` must be a gradient callable or a Game, got "
                        f"{type(problem).__name__}")
    it = gd_iterates(problem, x0, h, steps, warn=False)
    t = h * np.arange(steps + 1)
    fl = gradient_flow(problem, x0, t, rtol=rtol, atol=atol)
    md = modified_flow(problem, x0, h, t, hess=hess, hess_vec=hess_vec, rtol=rtol, atol=atol)
    return _drift(it, fl, md, h, "gd")


def game_drift(game, z0, h, steps, *, scheme: str = "simultaneous", lr=(1.0, 1.0),
               rtol: float = RTOL, atol: float = ATOL) -> DriftResult:
    """Simultaneous or alternating GD on ``game`` against the game ODE and the scheme's
    modified flow at ``t = k h`` (:func:`drift_error` on a :class:`Game`).

    Parameters
    ----------
    game : Game
    z0 : array_like (n,)
        ``(x0, y0)`` stacked.
    h : float
        Step (> 0).
    steps : int
        GD steps (>= 1).
    scheme : {"simultaneous", "alternating"}
    lr : (float, float)
        Player speeds ``(alpha, lambda)``.
    rtol, atol : float
        Tolerances of the flows' DOP853 integration.

    Returns
    -------
    DriftResult
    """
    return drift_error(_game(game), z0, h, steps, scheme=scheme, lr=lr, rtol=rtol, atol=atol)


def local_errors(grad, hess, x0, hs, *, rtol: float = RTOL, atol: float = ATOL,
                 modified: Callable | None = None) -> tuple[np.ndarray, np.ndarray]:
    """One-step errors of GD from ``x0`` for each step in ``hs``: ``||x_1 - flow(h)||``
    against the gradient flow and against the first-order modified flow.

    ``modified(grad, h, hess=...)`` replaces :func:`modified_flow_field` (to test a wrong
    field).  Returns ``(err_flow, err_modified)``, arrays of ``len(hs)``.
    """
    check_callable(grad, "grad")
    x0 = as_float_array(x0, "x0", ndim=1, min_size=1)
    hs = as_float_array(hs, "hs", ndim=1, positive=True, min_size=1)
    mk = modified_flow_field if modified is None else check_callable(modified, "modified")
    _probe(grad, "grad", x0, "x0")
    ef, em = np.empty(hs.size), np.empty(hs.size)
    for j, h in enumerate(hs):
        x1 = x0 - h * np.asarray(grad(x0), dtype=float)
        fl = _integrate(lambda x: -np.asarray(grad(x), dtype=float), x0, np.array([h]), rtol,
                        atol, "gradient")
        md = _integrate(mk(grad, h, hess=hess), x0, np.array([h]), rtol, atol, "modified")
        ef[j] = np.linalg.norm(x1 - fl.x[-1])
        em[j] = np.linalg.norm(x1 - md.x[-1])
    _finite_errors(ef, em, "x0")
    return ef, em


def game_local_errors(game, z0, hs, *, scheme: str = "simultaneous", lr=(1.0, 1.0),
                      rtol: float = RTOL, atol: float = ATOL,
                      modified: Callable | None = None) -> tuple[np.ndarray, np.ndarray]:
    """One-step errors of ``scheme`` GD on ``game`` for each step in ``hs``, against the game
    ODE and against its modified flow (``modified(game, h, scheme=, lr=)`` replaces
    :func:`game_modified_field`).  Returns ``(err_flow, err_modified)``."""
    game = _game(game)
    z0 = as_float_array(z0, "z0", shape=(game.n,))
    hs = as_float_array(hs, "hs", ndim=1, positive=True, min_size=1)
    mk = game_modified_field if modified is None else check_callable(modified, "modified")
    ef, em = np.empty(hs.size), np.empty(hs.size)
    for j, h in enumerate(hs):
        z1 = game_iterates(game, z0, h, 1, scheme=scheme, lr=lr, warn=False).x[-1]
        fl = _integrate(game_field(game, lr=lr), z0, np.array([h]), rtol, atol, "game")
        md = _integrate(mk(game, h, scheme=scheme, lr=lr), z0, np.array([h]), rtol, atol,
                        "game_modified")
        ef[j] = np.linalg.norm(z1 - fl.x[-1])
        em[j] = np.linalg.norm(z1 - md.x[-1])
    _finite_errors(ef, em, "z0")
    return ef, em


def _finite_errors(ef, em, start):
    if not (np.all(np.isfinite(ef)) and np.all(np.isfinite(em))):
        raise ValueError(f"the one-step errors overflow: `{start}` or the steps `hs` are too "
                         "large for a finite GD step or flow")


def bilinear_invariant(z, h) -> np.ndarray:
    """``Q_h(x, y) = x^2 + y^2 - h x y``, conserved exactly by alternating GD on ``x y`` (and
    by its modified flow); ``z`` of shape ``(2,)`` or ``(m, 2)``."""
    z = as_float_array(z, "z", ndim=(1, 2))
    if z.shape[-1] != 2:
        raise ValueError(f"`z` must have 2 coordinates (x, y), got shape {z.shape}")
    h = _h(h)
    x, y = z[..., 0], z[..., 1]
    with np.errstate(over="ignore", invalid="ignore"):
        Q = x * x + y * y - h * x * y
    if not np.all(np.isfinite(Q)):
        raise ValueError("Q_h overflows: `z` or `h` is too large")
    return Q


# ------------------------------------------------------------------------------ figure
def drift_figure(*, h: float = 0.3, steps: int = 40, z0=(1.0, 0.0), hs=None):
    """Three panels: (a) simultaneous and alternating GD on the bilinear game ``x y`` with the
    game flow and both modified flows; (b) one-step error of GD against the gradient flow and
    the modified flow, against ``h`` (log-log, Rosenbrock at (-0.5, 0.5) and a quadratic);
    (c) the ``(h, lambda)`` stability region of GD on a quadratic (``|1 - h lambda| < 1``,
    oscillating for ``h lambda > 1``).

    Parameters
    ----------
    h : float
        Step of panel (a), in ``(0, 2)``.
    steps : int
        GD steps of panel (a).
    z0 : array_like (2,)
        Start of panel (a).
    hs : array_like, optional
        Normalised steps of panel (b) (default ``geomspace(1e-3, 1e-1, 9)``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from equilibria._lib.figures import new_figure

    h = check_scalar(h, "h", lo=0.0, lo_inclusive=False, hi=2.0, hi_inclusive=False)
    steps = check_int(steps, "steps", lo=1, hi=100_000)
    z0 = as_float_array(z0, "z0", shape=(2,))
    hs = np.geomspace(1e-3, 1e-1, 9) if hs is None else as_float_array(hs, "hs", ndim=1,
                                                                          positive=True)
    fig = new_figure(figsize=(15, 4.6), layout="constrained")
    ax1, ax2, ax3 = fig.subplots(1, 3)
    game = bilinear_game()
    T = h * steps
    tt = np.linspace(0.0, T, 400)
    flow = game_flow(game, z0, tt)
    ax1.plot(*flow.x.T, "k-", lw=1, label="game flow (circle)")
    for scheme, col in (("simultaneous", "C3"), ("alternating", "C0")):
        it = game_iterates(game, z0, h, steps, scheme=scheme, warn=False)
        md = game_flow(game, z0, tt, h=h, scheme=scheme)
        ax1.plot(*md.x.T, "-", color=col, lw=1.2, label=f"{scheme} modified flow")
        ax1.plot(*it.x.T, "o", color=col, ms=3.5, label=f"{scheme} GD")
    ax1.set_aspect("equal")
    ax1.set_xlabel("x (min player)")
    ax1.set_ylabel("y (max player)")
    ax1.set_title(f"bilinear game xy, h = {h:g}, {steps} steps")
    ax1.legend(fontsize=7, loc="upper left")
    _, gR, HR = rosenbrock()
    H = np.diag([1.0, 10.0])
    _, gQ, HQ = quadratic(H)
    for (g, hf, x0, lab, scale) in ((gR, HR, np.array([-0.5, 0.5]), "Rosenbrock", 1e-2),
                                    (gQ, HQ, np.array([1.0, 1.0]), "quadratic diag(1,10)",
                                     1.0)):
        ef, em = local_errors(g, hf, x0, hs * scale)
        ax2.loglog(hs * scale, ef, "o-", label=f"{lab}: vs gradient flow")
        ax2.loglog(hs * scale, em, "s--", label=f"{lab}: vs modified flow")
    ref = hs * 1e-2
    ax2.loglog(ref, 3e2 * ref ** 2, "k:", lw=1, label="slope 2")
    ax2.loglog(ref, 3e4 * ref ** 3, "k-.", lw=1, label="slope 3")
    ax2.set_xlabel("learning rate h")
    ax2.set_ylabel("one-step error ||x_1 - flow(h)||")
    ax2.set_title("local error of GD")
    ax2.legend(fontsize=7)
    hl = np.linspace(0.0, 3.0, 601)
    lam = np.linspace(0.0, 3.0, 601)
    Hh, Ll = np.meshgrid(hl, lam)
    u = Hh * Ll
    region = np.where(u < 1, 0, np.where(u < 2, 1, 2))
    from matplotlib.colors import ListedColormap

    ax3.pcolormesh(hl, lam, region, cmap=ListedColormap(["#cfe8cf", "#fde4b0", "#f4b6b6"]),
                   shading="auto", vmin=0, vmax=2)
    for c, ls in ((1.0, "--"), (2.0, "-")):
        hh = np.linspace(c / 3.0, 3.0, 200)
        ax3.plot(hh, c / hh, "k" + ls, lw=1)
    ax3.text(0.35, 0.5, "h lambda < 1\nmonotone,\nreal principal flow", fontsize=8)
    ax3.text(1.2, 1.2, "1 < h lambda < 2\noscillating,\nconverges", fontsize=8)
    ax3.text(2.0, 2.2, "h lambda > 2\ndiverges", fontsize=8)
    ax3.set_xlim(0, 3)
    ax3.set_ylim(0, 3)
    ax3.set_xlabel("learning rate h")
    ax3.set_ylabel("Hessian eigenvalue lambda")
    ax3.set_title("GD on a quadratic: (h, lambda) regions")
    return fig

