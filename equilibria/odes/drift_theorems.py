"""Theorems of discretisation drift (issue 18 part 1), registered for ``equilibria verify``.

Rate theorems fit the one-step error of gradient descent against a flow over a geometric grid
of learning rates; bound theorems are exact agreement checks (principal flow = GD on
quadratics, the divergence threshold ``h lambda_max = 2``, the bilinear game's growth and
invariant).  Instances: random SPD quadratics (condition number ``10^U(0, 4)``), Rosenbrock,
random bilinear games ``x^T A y`` and the Dirac-GAN.  See :mod:`equilibria.odes.drift`.

Where each statement comes from: the IGR flow and its ``O(h^3)`` agreement, Barrett & Dherin
(2021), Thm 3.1 (backward error analysis; Hairer, Lubich & Wanner 2006, Ch. IX); the principal
flow, Rosca et al. (2023), arXiv 2302.01952 (and elementary on quadratics); the game flows,
Rosca, Wu, Dherin & Barrett (2021), Thms 3.1-3.2 (coefficients checked against the authors'
code, the paper text was not readable here); the divergence threshold and the bilinear growth
are standard theory (Nesterov 2018, Sec. 1.2.3; Gidel et al. 2019, "Negative momentum",
Sec. 3, for ``||z_{k+1}||^2 = (1 + h^2)||z_k||^2`` and bounded alternating GD).
"""

from __future__ import annotations

import numpy as np

from equilibria._lib.validation import as_float_array, check_int, check_scalar
from equilibria.verification.user import check_algorithm as _check_algorithm
from equilibria.verification import RateData, theorem

from . import drift as D

__all__ = ["sample_quadratic", "sample_principal", "sample_divergence", "sample_bilinear",
           "evaluate_principal", "evaluate_divergence", "evaluate_bilinear",
           "gd_local_error_flow", "gd_local_error_modified", "game_local_error_modified",
           "GD_FLOW_RATE", "GD_MODIFIED_RATE", "GAME_MODIFIED_RATE", "PRINCIPAL",
           "DIVERGENCE", "BILINEAR", "S_GRID", "S_GRID_QUICK", "BILINEAR_TOL",
           "PRINCIPAL_TOL", "DIVERGENCE_STEPS"]

_IGR = ("Barrett & Dherin (2021), Implicit gradient regularization, ICLR, Thm 3.1; backward "
        "error analysis: Hairer, Lubich & Wanner (2006), Ch. IX")
_GAMES = ("Rosca, Wu, Dherin & Barrett (2021), Discretization drift in two-player games, ICML "
          "(ar5iv 2105.13922), Thms 3.1-3.2 (coefficients checked against the authors' code "
          "deepmind-research discretization_drift/dd_two_player_games/drift_utils.py; general "
          "speeds: this module's one-time-axis expansion)")

#: normalised step sizes s = h * L (L a curvature scale of the instance) of the rate fits
S_GRID = np.geomspace(2e-3, 4e-2, 7)
S_GRID_QUICK = np.geomspace(2e-3, 4e-2, 5)
#: relative tolerance of the principal-flow agreement
PRINCIPAL_TOL = 1e-10
#: tolerance of the bilinear identities (integration at rtol 1e-12 over <= 100 steps)
BILINEAR_TOL = 1e-8
#: GD steps of the divergence check (growth >= 1.05^1000 ~ 1e21 when h lambda_max >= 2.05)
DIVERGENCE_STEPS = 1000


#: the protocol of a user's gradient-descent step (``odes.drift_gd_local_error_flow``)
GD_STEP_PROTOCOL = (
    "f(grad, x, h) -> x_next: one gradient-descent step with learning rate h from x (n,), "
    "grad(x) -> (n,) the gradient of E; returns x_next, a real array of shape (n,); its "
    "distance to the negative gradient flow at time h is fitted against h (slope 2); e.g. "
    "equilibria.odes.drift_theorems.gd_protocol_step (x - h grad(x))")

#: the protocol of a user's IGR modified flow (``odes.drift_gd_local_error_modified``)
MODIFIED_FIELD_PROTOCOL = (
    "f(grad, h, hess=hess) -> field: the first-order modified flow of gradient descent with "
    "learning rate h (grad(x) -> (n,), hess(x) -> (n, n)); field(x) -> (n,) its vector field "
    "(for GD: -grad E - (h/2) H grad E); one GD step's distance to its flow at time h is "
    "fitted against h (slope 3); e.g. equilibria.odes.drift.modified_flow_field")

#: the protocol of a user's game modified flow (``odes.drift_game_local_error_modified``,
#: ``odes.drift_bilinear_growth``)
GAME_FIELD_PROTOCOL = (
    "f(game, h, scheme=, lr=) -> field: the first-order modified flow of simultaneous or "
    "alternating (x first) gradient play with step h and player speeds lr = (alpha, lambda) "
    "on game (an equilibria.odes.drift.Game: field(z) -> (f, g) stacked, jacobian(z), nx, n); "
    "field(z) -> (n,) its vector field; scheme is 'simultaneous' or 'alternating'; e.g. "
    "equilibria.odes.drift.game_modified_field")

#: the protocol of a user's principal flow (``odes.drift_principal_flow_exact``)
PRINCIPAL_PROTOCOL = (
    "f(H, x0, h, t, x_star=) -> x: the principal flow of gradient descent with learning rate h "
    "on E = (1/2)(x - x*)^T H (x - x*) from x0, at the times t (m,); returns the (m, n) "
    "states, or an object with that array as .x (and optionally .regime, 'real' when the "
    "flow is real); compared with the GD iterates at t = k h; e.g. "
    "equilibria.odes.drift.principal_flow")


def gd_protocol_step(grad, x, h):
    """The package's gradient-descent step through :data:`GD_STEP_PROTOCOL`.

    Parameters
    ----------
    grad : callable
        ``grad(x) -> (n,)``.
    x : ndarray, shape (n,)
        Current point.
    h : float
        Learning rate.

    Returns
    -------
    ndarray, shape (n,)
        ``x - h grad(x)`` (as :func:`equilibria.odes.drift.local_errors` takes it).
    """
    return x - h * np.asarray(grad(x), dtype=float)


def _one_hook(field, algorithm, hook):
    if field is not None and algorithm is not None:
        raise ValueError(f"give `{hook}` or `algorithm`, not both (both replace the same "
                         "field)")
    return field if algorithm is None else algorithm


def _user_field(algorithm, protocol):
    """A user's field factory (:data:`MODIFIED_FIELD_PROTOCOL`, :data:`GAME_FIELD_PROTOCOL`)
    whose fields are validated: callable, returning real arrays of the state's shape."""
    _check_algorithm(algorithm, protocol)

    def make(*args, **kw):
        f = algorithm(*args, **kw)
        if not callable(f):
            raise TypeError(f"`algorithm` must return a vector field field(x) -> (n,), got "
                            f"{type(f).__name__}")

        def field(x):
            try:
                out = np.asarray(f(x), dtype=float)
            except (TypeError, ValueError):
                raise TypeError("the field returned by `algorithm` must return a real array")\
                    from None
            if out.shape != np.shape(x):
                raise ValueError(f"the field returned by `algorithm` must return shape "
                                 f"{np.shape(x)} at x, got shape {out.shape}")
            return out

        return field

    return make


def _rng(rng) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"`rng` must be a numpy Generator, got {type(rng).__name__}")
    return rng


def _quad_inst(inst):
    """``(H, x_star, x0)`` of a quadratic instance, every shape error naming ``H`` too."""
    H = as_float_array(inst["H"], "H", ndim=2, min_size=1)
    n = H.shape[0]
    if H.shape != (n, n):
        raise ValueError(f"`H` must be square, got shape {H.shape}")
    out = [H]
    for key in ("x_star", "x0"):
        v = as_float_array(inst[key], key, ndim=1)
        if v.shape != (n,):
            raise ValueError(f"`{key}` must have shape ({n},) to match `H`, got {v.shape}")
        out.append(v)
    return tuple(out)


def _inst(inst, keys) -> dict:
    """The room's instance check (:func:`equilibria.odes.theorems._inst`; imported late:
    that module imports this one at its end)."""
    from .theorems import _inst as check

    return check(inst, keys)


# ------------------------------------------------------------------------------ instances
def sample_quadratic(rng, n=None):
    """A random SPD ``H`` (``n`` in [1, 50], default 2..6; condition ``10^U(0, 4)``, eigenvalues
    log-spaced, ``lambda_max = scale``), a minimiser ``x*`` and a start ``x0``."""
    rng = _rng(rng)
    n = int(rng.integers(2, 7)) if n is None else check_int(n, "n", lo=1, hi=50)
    cond = 10.0 ** rng.uniform(0.0, 4.0)
    scale = 10.0 ** rng.uniform(-1.0, 1.0)
    H = scale * D.random_spd(rng, n, cond)
    return {"H": H, "x_star": rng.normal(size=n), "x0": rng.normal(size=n) * 2.0,
            "cond": cond}


def _rosenbrock_start(rng):
    return np.array([rng.uniform(-1.5, 1.5), rng.uniform(-0.5, 2.0)])


def _single_replicates(rng, quick):
    """(grad, hess, x0, L) per replicate: quadratics and Rosenbrock starts, alternating."""
    reps = []
    for r in range(4 if quick else 10):
        if r % 2 == 0:
            q = sample_quadratic(rng)
            _, g, hs = D.quadratic(q["H"], q["x_star"])
            reps.append((g, hs, q["x0"], float(np.linalg.eigvalsh(q["H"])[-1])))
        else:
            _, g, hs = D.rosenbrock()
            x0 = _rosenbrock_start(rng)
            reps.append((g, hs, x0, float(np.linalg.norm(hs(x0), 2))))
    return reps


def _rows(errors):
    """Each replicate's errors divided by its first one (a dimensionless row, same slope)."""
    E = np.asarray(errors, dtype=float)
    return E / E[:, :1]


def _step_errors(step, grad, x0, hs):
    """``||step(grad, x0, h) - phi_h(x0)||`` per ``h`` (``phi`` the gradient flow, integrated
    as :func:`~equilibria.odes.drift.local_errors` does)."""
    out = np.empty(hs.size)
    for j, h in enumerate(hs):
        x1 = step(grad, x0.copy(), float(h))
        try:
            x1 = np.asarray(x1, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"`algorithm` must return x_next, a real array, got "
                            f"{type(x1).__name__}") from None
        if x1.shape != x0.shape:
            raise ValueError(f"`algorithm` must return x_next of shape {x0.shape}, got shape "
                             f"{x1.shape}")
        fl = D._integrate(lambda x: -np.asarray(grad(x), dtype=float), x0, np.array([h]),
                          D.RTOL, D.ATOL, "gradient")
        out[j] = np.linalg.norm(x1 - fl.x[-1])
    if not np.all(np.isfinite(out)):
        raise ValueError("`algorithm`'s steps are not finite (non-finite one-step errors "
                         f"{out})")
    return out


def _single_errors(rng, quick, which, field=None, step=None):
    grid = S_GRID_QUICK if quick else S_GRID
    rows = []
    for g, hs, x0, L in _single_replicates(rng, quick):
        if step is not None:
            rows.append(_step_errors(step, g, np.asarray(x0, dtype=float), grid / L))
            continue
        ef, em = D.local_errors(g, hs, x0, grid / L, modified=field)
        rows.append(ef if which == "flow" else em)
    return grid, _rows(rows)


@theorem(
    name="odes.drift_gd_local_error_flow",
    source=_IGR + " (the O(h^2) local error of explicit Euler)",
    assumptions=("E smooth: random SPD quadratics (condition 1..1e4) and Rosenbrock (a=1, "
                 "b=100) from random starts", "h = s / L, s in [2e-3, 4e-2], L = ||H(x0)||",
                 "flows by solve_ivp DOP853, rtol 1e-12"),
    kind="rate", band=(1.8, 2.2), protocol=GD_STEP_PROTOCOL)
def gd_local_error_flow(rng, quick, *, field=None, algorithm=None):
    """One step of gradient descent with learning rate h departs from the negative gradient
    flow at time h by O(h^2): the fitted log-log slope of ||x_1 - phi_h(x_0)|| against h lies
    in [1.8, 2.2].

    ``algorithm``: a user's GD step through :data:`GD_STEP_PROTOCOL` gives ``x_1`` (a step
    with a wrong scaling or sign leaves an O(h) error, slope 1; a non-finite step raises
    ``ValueError``).  ``field`` is unused by this fit (the
    modified flow's error is discarded).
    """
    step = None if algorithm is None else _check_algorithm(algorithm, GD_STEP_PROTOCOL)
    grid, vals = _single_errors(rng, quick, "flow", field, step=step)
    return RateData(grid, vals, kind="power", detail="GD vs gradient flow, one step")


@theorem(
    name="odes.drift_gd_local_error_modified",
    source=_IGR,
    assumptions=("same instances as odes.drift_gd_local_error_flow",
                 "modified flow x' = -grad E - (h/2) H grad E"),
    kind="rate", band=(2.75, 3.25), protocol=MODIFIED_FIELD_PROTOCOL)
def gd_local_error_modified(rng, quick, *, field=None, algorithm=None):
    """One step of gradient descent with learning rate h departs from the first-order modified
    flow x' = -grad(E + (h/4)||grad E||^2) at time h by O(h^3): the fitted log-log slope lies
    in [2.75, 3.25] (a wrong factor or sign in the correction leaves slope 2).

    ``algorithm``: a user's modified flow through :data:`MODIFIED_FIELD_PROTOCOL` in place of
    :func:`~equilibria.odes.drift.modified_flow_field` (``field`` is the same hook for tests;
    give one of them).
    """
    mk = _one_hook(field, algorithm, "field")
    if algorithm is not None:
        mk = _user_field(algorithm, MODIFIED_FIELD_PROTOCOL)
    grid, vals = _single_errors(rng, quick, "modified", mk)
    return RateData(grid, vals, kind="power", detail="GD vs IGR modified flow, one step")


def _game_replicates(rng, quick):
    reps = []
    for r in range(4 if quick else 8):
        scheme = "simultaneous" if r % 2 == 0 else "alternating"
        lr = (float(rng.uniform(0.5, 2.0)), float(rng.uniform(0.5, 2.0)))
        if r % 4 < 2:
            game = D.dirac_gan()
            z0 = rng.uniform(0.3, 1.5, 2) * rng.choice([-1.0, 1.0], 2)
            L = 1.0
        else:
            nx, ny = int(rng.integers(1, 4)), int(rng.integers(1, 4))
            A = rng.normal(size=(nx, ny))
            game = D.bilinear_game(A)
            z0 = rng.normal(size=nx + ny)
            L = float(np.linalg.norm(A, 2))
        reps.append((game, z0, scheme, lr, L * max(lr)))
    return reps


@theorem(
    name="odes.drift_game_local_error_modified",
    source=_GAMES,
    assumptions=("Dirac-GAN and random bilinear games x^T A y (A normal, 1..3 x 1..3)",
                 "simultaneous and alternating (x first) updates, speeds alpha, lambda in "
                 "[0.5, 2]", "h = s / L, s in [2e-3, 4e-2]", "flows by DOP853, rtol 1e-12"),
    kind="rate", band=(2.75, 3.25), protocol=GAME_FIELD_PROTOCOL)
def game_local_error_modified(rng, quick, *, field=None, algorithm=None):
    """One simultaneous or alternating gradient step on a two-player game departs from the
    game's first-order modified flow (Rosca et al. 2021: x' = f - (alpha h/2)(f_x f + f_y g);
    y' = g - (lambda h/2)(g_x f + g_y g) simultaneous, y' = g - (lambda h/2)(g_y g - g_x f)
    alternating at alpha = lambda) by O(h^3): fitted slope in [2.75, 3.25].

    ``algorithm``: a user's game modified flow through :data:`GAME_FIELD_PROTOCOL` in place of
    :func:`~equilibria.odes.drift.game_modified_field` (``field`` is the same hook for tests;
    give one of them).
    """
    field = _one_hook(field, algorithm, "field")
    if algorithm is not None:
        field = _user_field(algorithm, GAME_FIELD_PROTOCOL)
    grid = S_GRID_QUICK if quick else S_GRID
    rows = []
    for game, z0, scheme, lr, L in _game_replicates(rng, quick):
        _, em = D.game_local_errors(game, z0, grid / L, scheme=scheme, lr=lr, modified=field)
        rows.append(em)
    return RateData(grid, _rows(rows), kind="power",
                    detail="simultaneous and alternating GD vs their modified flows")


GD_FLOW_RATE = gd_local_error_flow.theorem
GD_MODIFIED_RATE = gd_local_error_modified.theorem
GAME_MODIFIED_RATE = game_local_error_modified.theorem


# ------------------------------------------------------------------------------ principal flow
def sample_principal(rng, n=None):
    """A quadratic from :func:`sample_quadratic` and a learning rate with
    ``h lambda_max in [0.02, 0.98]``, and a number of steps in 5..60."""
    rng = _rng(rng)
    q = sample_quadratic(rng, n)
    lmax = float(np.linalg.eigvalsh(q["H"])[-1])
    q["h"] = float(rng.uniform(0.02, 0.98)) / lmax
    q["steps"] = int(rng.integers(5, 61))
    return q


@theorem(
    name="odes.drift_principal_flow_exact",
    tightness="An exact agreement check: measured is the largest relative distance between the "
              "principal flow at t = k h and the GD iterates, bound 1e-10 (rounding); no slack "
              "to be tight about (tests/odes/test_drift.py::"
              "test_principal_check_fails_with_the_gradient_flow_rate shows the check can fail)",
    source="Rosca, Dherin et al. (2023), On a continuous time model of gradient descent dynamics "
           "and instability in deep learning, arXiv 2302.01952 (principal flow); on quadratics "
           "elementary: (1 - h lambda)^k = exp(k log(1 - h lambda))",
    assumptions=("E = (1/2)(x - x*)^T H (x - x*), H SPD, condition 10^U(0, 4)",
                 "0 < h lambda_i < 1 for every eigenvalue (h lambda_max in [0.02, 0.98])",
                 "5..60 steps"),
    sample=sample_principal, sizes={"n": (1, 6)}, n_instances=(20, 200), examples=25,
    protocol=PRINCIPAL_PROTOCOL)
def evaluate_principal(inst, *, flow=None, algorithm=None):
    """On a quadratic with 0 < h lambda_i < 1 for every Hessian eigenvalue, the principal flow
    x' = sum_i [log(1 - h lambda_i)/(h lambda_i)] (grad E . u_i) u_i is real and passes through
    every gradient descent iterate: x(k h) = x_k exactly.

    Measured: max_k ||x(k h) - x_k|| / ||x_0 - x*|| (``inf`` when the flow is not real);
    bound 1e-10.  ``flow(H, x0, h, t, x_star=)`` replaces :func:`principal_flow` (a hook for
    tests); ``algorithm``: a user's principal flow through :data:`PRINCIPAL_PROTOCOL` (give one
    of them; a non-finite state is a violation)."""
    inst = _inst(inst, ("H", "x_star", "x0", "h", "steps"))
    H, xs, x0 = _quad_inst(inst)
    h = check_scalar(inst["h"], "h", lo=0.0, lo_inclusive=False)
    steps = check_int(inst["steps"], "steps", lo=1, hi=100_000)
    lam = np.linalg.eigvalsh(0.5 * (H + H.T))
    if lam[0] <= 0 or h * lam[-1] >= 1.0:
        raise ValueError(f"outside the theorem: need 0 < h lambda_i < 1 for the eigenvalues of "
                         f"`H`, got h lambda in [{h * lam[0]:.3g}, {h * lam[-1]:.3g}]")
    if not np.isfinite(np.linalg.norm(x0 - xs) ** 2):
        raise ValueError("`x0` - `x_star` overflows")
    flow = _one_hook(flow, algorithm, "flow")
    if algorithm is not None:
        _check_algorithm(algorithm, PRINCIPAL_PROTOCOL)
    pf = (flow or D.principal_flow)(H, x0, h, h * np.arange(steps + 1), x_star=xs)
    if algorithm is not None:
        xs_user = getattr(pf, "x", pf)
        if getattr(pf, "regime", "real") != "real" or np.iscomplexobj(xs_user):
            return np.inf, PRINCIPAL_TOL
        xs_user = np.asarray(xs_user)
        shape = (steps + 1, H.shape[0])
        if not np.issubdtype(xs_user.dtype, np.number) or xs_user.shape != shape:
            raise ValueError(f"`algorithm` must return the states x of shape {shape} (or an "
                             f"object with .x), got "
                             f"{type(pf).__name__} with shape {xs_user.shape}")
        if not np.all(np.isfinite(xs_user)):
            return np.inf, PRINCIPAL_TOL
        X = xs_user.astype(float)
    elif getattr(pf, "regime", "real") != "real" or np.iscomplexobj(pf.x):
        return np.inf, PRINCIPAL_TOL
    else:
        X = pf.x
    _, g, _ = D.quadratic(H, xs)
    it = D.gd_iterates(g, x0, h, steps, warn=False)
    scale = max(float(np.linalg.norm(x0 - xs)), 1e-300)
    return float(np.max(np.linalg.norm(X - it.x, axis=1))) / scale, PRINCIPAL_TOL


PRINCIPAL = evaluate_principal.theorem


# ------------------------------------------------------------------------------ divergence
def sample_divergence(rng, n=None):
    """A quadratic from :func:`sample_quadratic` and a learning rate with ``h lambda_max`` in
    [0.1, 1.95] or [2.05, 4] (each with probability 1/2)."""
    rng = _rng(rng)
    q = sample_quadratic(rng, n)
    lmax = float(np.linalg.eigvalsh(q["H"])[-1])
    u = rng.uniform(0.1, 1.95) if rng.random() < 0.5 else rng.uniform(2.05, 4.0)
    q["h"] = float(u) / lmax
    return q


@theorem(
    name="odes.drift_gd_divergence_threshold",
    tightness="An exact agreement check: measured is 1 when the verdict 'h lambda_max > 2' "
              "disagrees with the observed run (||x_K - x*|| > 1e6 ||x_0 - x*|| after "
              "K = 1000 steps), bound 0; no slack to be tight about (tests/odes/test_drift.py::"
              "test_divergence_check_fails_with_a_wrong_threshold shows the check can fail)",
    source="Standard theory: GD on a quadratic is x_{k+1} - x* = (I - h H)(x_k - x*), spectral "
           "radius max_i |1 - h lambda_i|; Nesterov (2018), Lectures on Convex Optimization, "
           "Sec. 1.2.3",
    assumptions=("H SPD, condition 10^U(0, 4), lambda_max in [0.1, 10]",
                 "h lambda_max in [0.1, 1.95] or [2.05, 4] (margin 0.05 from the threshold)",
                 "x0 - x* generic (normal)"),
    sample=sample_divergence, sizes={"n": (1, 6)}, n_instances=(20, 200), examples=25,
    no_algorithm="a closed-form property of the GD map on a quadratic (spectral radius "
                 "max |1 - h lambda_i| against the threshold h lambda_max = 2), run with the "
                 "exact update; nothing a user implements")
def evaluate_divergence(inst, *, threshold: float = 2.0):
    """Gradient descent on a strongly convex quadratic diverges from a generic start if and
    only if h lambda_max > 2 (for h lambda_max < 2 the error never grows).

    Measured: 1 if the prediction ``h lambda_max > threshold`` disagrees with the observed run
    (``||x_K - x*|| > 1e6 ||x_0 - x*||`` or status DIVERGED, K = 1000), else 0; bound 0."""
    inst = _inst(inst, ("H", "x_star", "x0", "h"))
    H, xs, x0 = _quad_inst(inst)
    h = check_scalar(inst["h"], "h", lo=0.0, lo_inclusive=False)
    threshold = check_scalar(threshold, "threshold", lo=0.0, lo_inclusive=False)
    lmax = float(np.linalg.eigvalsh(0.5 * (H + H.T))[-1])
    predicted = h * lmax > threshold
    _, g, _ = D.quadratic(H, xs)
    it = D.gd_iterates(g, x0, h, DIVERGENCE_STEPS, warn=False)
    d0 = float(np.linalg.norm(x0 - xs))
    observed = it.diverged or float(np.linalg.norm(it.x[-1] - xs)) > 1e6 * d0
    return float(predicted != observed), 0.0


DIVERGENCE = evaluate_divergence.theorem


# ------------------------------------------------------------------------------ bilinear game
def sample_bilinear(rng):
    """A step ``h in [0.01, 1.9]``, a start ``z0 ~ N(0, I_2)`` and a number of steps in 10..100
    with ``K h^2 <= 40`` (so exp(h t) stays finite)."""
    rng = _rng(rng)
    h = float(rng.uniform(0.01, 1.9))
    K = int(min(rng.integers(10, 101), max(10, 40.0 / h ** 2)))
    return {"h": h, "z0": rng.normal(size=2), "steps": K}


@theorem(
    name="odes.drift_bilinear_growth",
    tightness="An exact agreement check: measured is the largest relative deviation from four "
              "identities (simultaneous growth 1 + h^2 per step; alternating GD's invariant "
              "Q_h = x^2 + y^2 - h x y; the simultaneous modified flow's growth exp(h t); Q_h "
              "along the alternating modified flow), bound 1e-8 (integration tolerance); no "
              "slack to be tight about (tests/odes/test_drift.py::"
              "test_bilinear_check_fails_with_wrong_modified_flows shows the check can fail)",
    source="Standard theory for the GD maps (Gidel et al. 2019, Negative momentum for improved "
           "game dynamics, AISTATS, Sec. 3; Bailey, Gidel & Piliouras 2020, 'Finite regret and "
           "cycles with fixed step-size via alternating gradient descent-ascent', COLT); the "
           "modified flows: " + _GAMES,
    assumptions=("E(x, y) = x y, x minimises, y maximises, alpha = lambda = 1",
                 "h in [0.01, 1.9]", "10..100 steps, K h^2 <= 40"),
    sample=sample_bilinear, n_instances=(8, 100), examples=10, protocol=GAME_FIELD_PROTOCOL)
def evaluate_bilinear(inst, *, field=None, algorithm=None):
    """On the bilinear game xy, simultaneous gradient descent-ascent grows exactly as
    ||z_{k+1}||^2 = (1 + h^2)||z_k||^2 and its modified flow as exp(h t) (exp(h^2) per step,
    equal to 1 + h^2 up to O(h^4)), while alternating GD conserves Q_h = x^2 + y^2 - h x y
    (positive definite for h < 2, so the iterates stay bounded) and its modified flow
    conserves the same Q_h.

    Measured: the largest relative deviation from these four identities; bound 1e-8.
    ``field(game, h, scheme=, lr=)`` replaces :func:`~equilibria.odes.drift.game_modified_field`
    (a hook for tests); ``algorithm``: a user's game modified flow through
    :data:`GAME_FIELD_PROTOCOL` (give one of them), judged on the last two identities (the GD
    maps are the exact updates)."""
    inst = _inst(inst, ("h", "z0", "steps"))
    h = check_scalar(inst["h"], "h", lo=0.0, lo_inclusive=False, hi=2.0, hi_inclusive=False)
    z0 = as_float_array(inst["z0"], "z0", shape=(2,))
    K = check_int(inst["steps"], "steps", lo=1, hi=100_000)
    if K * h * h > 200:
        raise ValueError(f"`steps` * h^2 = {K * h * h:.3g} > 200: exp(h t) overflows")
    if np.linalg.norm(z0) == 0:
        raise ValueError("`z0` must be nonzero")
    if not np.isfinite(float(np.sum(z0 ** 2)) * np.exp(h * h * K)):
        raise ValueError("`z0` is too large: ||z||^2 exp(h t) overflows")
    game = D.bilinear_game()
    field = _one_hook(field, algorithm, "field")
    if algorithm is not None:
        field = _user_field(algorithm, GAME_FIELD_PROTOCOL)
    mk = field or D.game_modified_field
    sim = D.game_iterates(game, z0, h, K, scheme="simultaneous", warn=False).x
    alt = D.game_iterates(game, z0, h, K, scheme="alternating", warn=False).x
    n2 = np.sum(sim ** 2, axis=1)
    dev = [float(np.max(np.abs(n2[1:] / n2[:-1] / (1.0 + h * h) - 1.0)))]
    Q = D.bilinear_invariant(alt, h)
    dev.append(float(np.max(np.abs(Q / Q[0] - 1.0))))
    t = h * np.arange(K + 1)
    ms = D._integrate(mk(game, h, scheme="simultaneous", lr=(1.0, 1.0)), z0, t, D.RTOL,
                      D.ATOL, "game_modified")
    ma = D._integrate(mk(game, h, scheme="alternating", lr=(1.0, 1.0)), z0, t, D.RTOL,
                      D.ATOL, "game_modified")
    if not (ms.success and ma.success):
        return np.inf, BILINEAR_TOL
    m2 = np.sum(ms.x ** 2, axis=1)
    dev.append(float(np.max(np.abs(np.log(m2 / m2[0]) - h * t) / np.maximum(1.0, h * t))))
    Qm = D.bilinear_invariant(ma.x, h)
    dev.append(float(np.max(np.abs(Qm / Qm[0] - 1.0))))
    return max(dev), BILINEAR_TOL


BILINEAR = evaluate_bilinear.theorem
