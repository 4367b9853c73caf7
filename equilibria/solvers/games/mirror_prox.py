r"""Extragradient and Mirror Prox.

References
----------
1. G. M. Korpelevich (1976), "The extragradient method for finding saddle points and other
   problems", Ekonomika i Matematicheskie Metody 12.
2. A. Nemirovski (2004), "Prox-method with rate of convergence O(1/t) for variational
   inequalities with Lipschitz continuous monotone operators and smooth convex-concave saddle
   point problems", SIAM J. Optim. 15(1), Thm 3.2 / eq. (3.5).
4. E. Gorbunov, N. Loizou, G. Gidel (2022), "Extragradient method: O(1/K) last-iterate
   convergence for monotone variational inequalities and connections with cocoercivity",
   AISTATS (:math:`\|F(x_K)\| = O(L\|x_0 - x^\star\|/\sqrt K)` with
   :math:`\eta \le 1/(\sqrt2 L)`).
3. A. Juditsky, A. Nemirovski (2011), "First-order methods for nonsmooth convex large-scale
   optimization II", in Optimization for Machine Learning, MIT Press (entropy setup on
   simplices, Omega = ln n + ln m).
"""

from __future__ import annotations

import numpy as np

from equilibria._lib.result import Status, finish
from equilibria._lib.validation import (as_float_array, check_callable, check_int, check_option,
                                        check_scalar, check_simplex)

from ._checks import eval_operator, probe_operator, spot_check_monotone
from ._problems import FiniteSum
from ._results import GameResult, OperatorResult

__all__ = ["extragradient", "mirror_prox", "project_simplex"]


def project_simplex(v):
    """Euclidean projection of ``v`` onto the probability simplex (sort-based, O(d log d)).

    ``v`` must be a finite real vector with at least one entry.  The projection is invariant
    under ``v -> v + c``; ``v`` is shifted by its maximum first, so that entries of any finite
    magnitude (e.g. 1e300) do not cancel in the cumulative sums.
    """
    v = as_float_array(v, "v", ndim=1, min_size=1)
    return _project_simplex(v)


def _project_simplex(v):
    """:func:`project_simplex` without the input check (the solver's own iterates)."""
    top = v.max()
    if abs(top) > 1.0:
        v = v - top  # the cumulative sums then cannot cancel the unit mass
    u = np.sort(v)[::-1]
    css = np.cumsum(u) - 1.0
    ind = np.arange(1, v.size + 1)
    rho = ind[u - css / ind > 0][-1]
    theta = css[rho - 1] / rho
    return np.maximum(v - theta, 0.0)


def extragradient(F, x0, *, L=None, step=None, project=None, tol=1e-6, max_iter=100_000,
                  check_monotone=True, seed=0) -> OperatorResult:
    r"""Korpelevich's extragradient method for a monotone Lipschitz operator.

    .. math::

        x_{k+1/2} = \Pi(x_k - \eta F(x_k)), \qquad x_{k+1} = \Pi(x_k - \eta F(x_{k+1/2}))
        \quad \text{(Korpelevich 1976; Nemirovski 2004, eq. (3.1) with the Euclidean setup)}

    with :math:`\Pi` the projection ``project`` (identity when omitted) and step
    :math:`\eta` = ``step`` (default :math:`1/(\sqrt2 L)`, the last-iterate step of Gorbunov,
    Loizou & Gidel (2022); at :math:`\eta = 1/L` exactly, projected extragradient can stall
    on bilinear games).

    Stopping rule: the natural residual :math:`r_k = \|x_k - \Pi(x_k - \eta F(x_k))\|/\eta`
    (:math:`= \|F(x_k)\|` without projection) :math:`\le` ``tol``; it costs nothing extra
    because :math:`F(x_k)` is needed for the step.

    Theorem (Nemirovski 2004, Thm 3.2): with :math:`\eta \le 1/L` the averaged extrapolation
    points :math:`\bar x_T` satisfy :math:`\sup_{u}\langle F(u), \bar x_T - u\rangle \le
    \|x_0 - u\|^2 / (2\eta T)` over the feasible set.

    Parameters
    ----------
    F : callable or FiniteSum
        The operator (a :class:`FiniteSum` is evaluated in full, ``n`` oracle calls each).
    x0 : array_like, shape (d,)
    L : float, optional
        Lipschitz constant (``FiniteSum.L`` by default; required for a callable without
        ``step``).
    step : float, optional
    project : callable, optional
        Euclidean projection onto the feasible set.
    tol, max_iter : stopping rule and budget.
    check_monotone : bool
        Spot-check monotonicity near ``x0``.
    seed : None, int or Generator
        Seed of the random points of the monotonicity spot check (used only with
        ``check_monotone``).

    Returns
    -------
    OperatorResult
    """
    x0 = as_float_array(x0, "x0", ndim=1, min_size=1, copy=True)
    d = x0.shape[0]
    tol = check_scalar(tol, "tol", lo=0, lo_inclusive=False)
    max_iter = check_int(max_iter, "max_iter", lo=0)
    if isinstance(F, FiniteSum):
        if F.dim != d:
            raise ValueError(f"`x0` must have length {F.dim} (problem.dim), got {d}")
        Fc, cost = F._full, F.n
        L = F.L if L is None else L
    else:
        check_callable(F, "F")
        probe_operator(F, x0, "F")
        Fc, cost = F, 1
    if step is None:
        if L is None:
            raise ValueError("pass `L` (Lipschitz constant) or `step`")
        L = check_scalar(L, "L", lo=0, lo_inclusive=False)
        step = 1.0 / (np.sqrt(2.0) * L)  # last-iterate step of Gorbunov et al. (2022)
    eta = check_scalar(step, "step", lo=0, lo_inclusive=False)
    if project is not None:
        check_callable(project, "project")
    P = (lambda v: v) if project is None else (lambda v: np.asarray(project(v), dtype=float))
    if check_monotone:
        spot_check_monotone(Fc, x0, name="F", seed=seed)
    x = P(x0)
    s = np.zeros(d)
    hist = []
    calls = 0
    status, msg = Status.MAX_ITER, (f"residual above tol={tol:g} after max_iter={max_iter} "
                                    "iterations; increase `max_iter` or `tol`")
    k = 0
    for k in range(max_iter + 1):
        Fx = eval_operator(Fc, x, "F", d)
        calls += cost
        xh = P(x - eta * Fx)  # extrapolation step
        # natural residual; without a projection it is ||F(x)||, taken from F directly since
        # ||x - xh|| / eta rounds to 0 once eta ||F(x)|| is below the rounding of x
        r = float(np.linalg.norm(Fx)) if project is None else \
            float(np.linalg.norm(x - xh)) / eta
        if project is not None and r <= tol and _lost_in_rounding(x, eta, Fx, tol):
            status, msg = Status.NUMERICAL, (
                f"the step eta={eta:.3g} is below the rounding of `x` (eta ||F(x)|| = "
                f"{eta * float(np.linalg.norm(Fx)):.3g}), so the residual cannot be certified; "
                "increase `step` or lower `L`")
            hist.append(r)
            break
        if not np.isfinite(r):
            status, msg = Status.NUMERICAL, "non-finite residual; lower `step`"
            break
        hist.append(r)
        if r <= tol:
            status, msg = Status.SUCCESS, f"residual {r:.3g} <= tol={tol:g}"
            break
        if k == max_iter:
            break
        Fh = eval_operator(Fc, xh, "F", d)
        calls += cost
        s += xh
        x = P(x - eta * Fh)  # correction step
    n_avg = max(k, 1)
    x_avg = s / n_avg if k > 0 else x.copy()
    return finish(OperatorResult, success=status == Status.SUCCESS, status=status, message=msg,
                  n_iter=k, x=x, x_avg=x_avg, residual=float(hist[-1]) if hist else np.inf,
                  residual_history=np.asarray(hist), oracle_calls=int(calls))


#: largest ``max_iter`` of :func:`mirror_prox` (its gap history holds ``max_iter`` floats)
MAX_ITER_LIMIT = 10**8
#: a starting strategy may miss the simplex by this much (float32 rounding of a valid one);
#: it is renormalized
START_ATOL = 1e-6


def _start(p, name):
    """A starting strategy: a probability vector up to :data:`START_ATOL`, renormalized."""
    p = check_simplex(p, name, atol=START_ATOL).copy()
    s = p.sum()
    return p if s == 1.0 else p / s


def _lost_in_rounding(x, eta, Fx, tol) -> bool:
    """Whether the projected step ``eta F(x)`` is too small to register in ``x`` while
    ``||F(x)||`` itself is not small: a zero natural residual is then an artefact."""
    step = eta * float(np.linalg.norm(Fx))
    return float(np.linalg.norm(Fx)) > tol and \
        step <= 16 * np.finfo(float).eps * max(1.0, float(np.linalg.norm(x)))


def _entropy_step(p, g, gamma):
    """argmin_u gamma <g, u> + KL(u || p) on the simplex: p * exp(-gamma g) / Z (log-domain)."""
    logits = np.log(np.maximum(p, 1e-300)) - gamma * g
    logits -= logits.max()
    w = np.exp(logits)
    return w / w.sum()


def mirror_prox(A=None, *, grad=None, shape=None, L=None, x0=None, y0=None, mirror="entropy",
                step=None, max_iter=1000, tol=None) -> GameResult:
    r"""Nemirovski's Mirror Prox for :math:`\min_{x\in\Delta_n}\max_{y\in\Delta_m} f(x, y)`.

    For a matrix game :math:`f(x, y) = x^T A y` (``A`` of shape (n, m), or a finite sum
    :math:`A = \frac1N\sum_i A_i` given as shape (N, n, m)) or a convex-concave ``f`` given by
    ``grad(x, y) -> (grad_x f, grad_y f)``.  With :math:`z = (x, y)`,
    :math:`F(z) = (\nabla_x f, -\nabla_y f)` and the mirror map :math:`\omega`
    (``"entropy"``: :math:`\sum x_i\ln x_i + \sum y_j \ln y_j`; ``"euclidean"``:
    :math:`\frac12\|z\|^2`):

    .. math::

        w_t = \arg\min_{u} \gamma\langle F(z_t), u\rangle + D_\omega(u, z_t), \qquad
        z_{t+1} = \arg\min_u \gamma\langle F(w_t), u\rangle + D_\omega(u, z_t)
        \quad \text{(Nemirovski 2004, eq. (3.1))}

    in closed form (multiplicative weights for entropy, simplex projection for Euclidean).

    Certificate: the gap of the averages :math:`\bar w_T = \frac1T\sum_t w_t`,
    :math:`\max_{u}\frac1T\sum_t\langle F(w_t), w_t - u\rangle \ge \max_{y} f(\bar x, y) -
    \min_x f(x, \bar y)`; for matrix games it *equals* the duality gap
    :func:`equilibria.verification.duality_gap` ``(A, x_avg, y_avg)``.

    Theorem (Nemirovski 2004, Thm 3.2; Juditsky & Nemirovski 2011): with the entropy setup,
    uniform start and :math:`\gamma = 1/\max_{ij}|A_{ij}|`,

    .. math::

        \operatorname{gap}(\bar x_T, \bar y_T) \le \frac{\max_{ij}|A_{ij}|\,(\ln n + \ln m)}{T},

    registered as ``games.mirror_prox_entropy``; with the Euclidean setup and
    :math:`\gamma = 1/\|A\|_2` the bound is :math:`\|A\|_2 \max_u \frac12\|u - z_0\|^2 / T
    \le \|A\|_2 / T` from the uniform start.

    Parameters
    ----------
    A : array_like, shape (n, m) or (N, n, m), optional
        Loss matrix of the row player (or its finite-sum components).  The all-zero matrix
        is a valid (degenerate) game: every strategy pair is an equilibrium, the uniform
        start is returned with gap 0 (default step 1).
    grad : callable, optional
        ``grad(x, y) -> (gx, gy)`` for a convex-concave ``f``; needs ``shape=(n, m)`` and ``L``
        (Lipschitz constant of :math:`F` w.r.t. the setup's norm) unless ``step`` is given.
    x0, y0 : array_like, optional
        Starting strategies (uniform by default); probability vectors up to ``1e-6`` (e.g.
        float32-rounded), renormalized.
    mirror : {"entropy", "euclidean"}
    step : float, optional
        :math:`\gamma`; defaults as above (``1/L`` for ``grad``).
    max_iter : int
        Number of iterations ``T`` (two operator evaluations each), at most ``10**8``.
    tol : float, optional
        Stop when the certified gap is ``<= tol``; if omitted, run exactly ``max_iter``
        iterations (``success=True``).

    Returns
    -------
    GameResult
    """
    check_option(mirror, "mirror", ("entropy", "euclidean"))
    # the gap history holds max_iter floats: cap it before allocating
    max_iter = check_int(max_iter, "max_iter", lo=1, hi=MAX_ITER_LIMIT)
    if tol is not None:
        tol = check_scalar(tol, "tol", lo=0, lo_inclusive=False)
    if (A is None) == (grad is None):
        raise ValueError("pass exactly one of `A` (matrix game) and `grad` (convex-concave f)")
    cost = 1
    if A is not None:
        A = as_float_array(A, "A", ndim=(2, 3), min_size=1)
        if A.ndim == 3:
            cost = A.shape[0]
            A = A.mean(axis=0)
        n, m = A.shape
        Amax = float(np.abs(A).max())

        def G(x, y):
            return A @ y, A.T @ x
        if step is None:
            if Amax == 0:
                # the all-zero game: every strategy pair is an equilibrium (gap 0); any step
                step = 1.0
            elif mirror == "entropy":
                step = 1.0 / Amax
            else:
                with np.errstate(over="ignore"):
                    norm2 = float(np.linalg.norm(A, 2))
                if not np.isfinite(norm2):  # entries near the float limit
                    norm2 = Amax * float(np.linalg.norm(A / Amax, 2))
                step = 1.0 / norm2
    else:
        check_callable(grad, "grad")
        if shape is None:
            raise ValueError("`shape`=(n, m) is required with `grad`")
        n, m = (check_int(s, "shape", lo=1) for s in shape)

        def G(x, y):
            gx, gy = grad(x, y)
            gx = as_float_array(gx, "grad(x, y)[0]", shape=(n,), finite=False)
            gy = as_float_array(gy, "grad(x, y)[1]", shape=(m,), finite=False)
            return gx, gy
        if step is None:
            if L is None:
                raise ValueError("pass `L` (Lipschitz constant of the operator) or `step`")
            step = 1.0 / check_scalar(L, "L", lo=0, lo_inclusive=False)
    gamma = check_scalar(step, "step", lo=0, lo_inclusive=False)
    what = "the rows of `A`" if A is not None else "`shape`"
    x = np.full(n, 1.0 / n) if x0 is None else _start(x0, "x0")
    y = np.full(m, 1.0 / m) if y0 is None else _start(y0, "y0")
    if x.shape != (n,):
        raise ValueError(f"`x0` must have shape ({n},) (the number of {what}), got {x.shape}")
    if y.shape != (m,):
        what = "the columns of `A`" if A is not None else "`shape`"
        raise ValueError(f"`y0` must have shape ({m},) (the number of {what}), got {y.shape}")
    if mirror == "entropy":
        def stepx(p, g):
            return _entropy_step(p, g, gamma)
    else:
        def stepx(p, g):
            return _project_simplex(p - gamma * g)
    sx, sy = np.zeros(n), np.zeros(m)
    sgx, sgy = np.zeros(n), np.zeros(m)  # running sums of F(w_t)
    s_inner = 0.0  # running sum of <F(w_t), w_t>
    gaps = np.empty(max_iter)
    calls = 0
    status, msg = Status.SUCCESS, f"ran max_iter={max_iter} iterations"
    t = 0
    for t in range(1, max_iter + 1):
        gx, gy = G(x, y)
        wx, wy = stepx(x, gx), stepx(y, -gy)  # extrapolation, eq. (3.1)
        hx, hy = G(wx, wy)
        calls += 2 * cost
        x, y = stepx(x, hx), stepx(y, -hy)  # prox step from z_t with F(w_t)
        if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
            status, msg = Status.NUMERICAL, "non-finite iterate; lower `step`"
            t -= 1
            break
        sx += wx
        sy += wy
        sgx += hx
        sgy -= hy
        s_inner += float(hx @ wx - hy @ wy)
        # certified gap: (1/t) [sum <F(w), w> - min_u <sum F(w), u>]
        gaps[t - 1] = max((s_inner - sgx.min() - sgy.min()) / t, 0.0)
        if tol is not None and gaps[t - 1] <= tol:
            msg = f"gap {gaps[t - 1]:.3g} <= tol={tol:g}"
            break
    else:
        if tol is not None:
            status = Status.MAX_ITER
            msg = (f"gap {gaps[-1]:.3g} above tol={tol:g} after max_iter={max_iter} "
                   "iterations; increase `max_iter`")
    T = max(t, 1)
    gaps = gaps[:t]
    return finish(GameResult, success=status == Status.SUCCESS, status=status, message=msg,
                  n_iter=t, x=x, y=y, x_avg=sx / T, y_avg=sy / T,
                  gap=float(gaps[-1]) if gaps.size else np.inf, gap_history=gaps,
                  oracle_calls=int(calls))
