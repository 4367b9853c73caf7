r"""Zero-sum matrix games at every size: :func:`solve_zero_sum`.

Convention of the room (:func:`~equilibria.solvers.games.mirror_prox`,
:func:`equilibria.solvers.online.selfplay`, :func:`equilibria.verification.duality_gap`): the
row player *minimises* :math:`x^\top A y`, the column player maximises it, both over
probability simplices, and the certificate of a pair :math:`(x, y)` is its duality gap

.. math::

    \operatorname{gap}(x, y) = \max_j (A^\top x)_j - \min_i (A y)_i \;\ge\; 0,

which bounds the sub-optimality of both strategies: :math:`\max_j (A^\top x)_j \ge v \ge
\min_i (A y)_i` for the value :math:`v` of the game (von Neumann), so
:math:`|\,\text{value} - v| \le \text{gap}` for the reported midpoint ``value``.

Methods
-------
``"highs"``
    One linear program solved by HiGHS (:func:`scipy.optimize.linprog`): with
    :math:`B = A - \min A + 1 > 0` (value :math:`v_B = v - \min A + 1 > 0`) and :math:`u =
    x / v_B`, :math:`\max \mathbf 1^\top u` s.t. :math:`B^\top u \le \mathbf 1, u \ge 0`; the
    column player's strategy is the normalised dual :math:`w` of the inequalities (the dual LP
    :math:`\min \mathbf 1^\top w` s.t. :math:`B w \ge \mathbf 1`), so one solve gives both
    players (solving the two LPs separately costs twice as much; measured in
    ``benchmarks/zero_sum.py``).
``"pdhg"``
    Restarted primal-dual hybrid gradient (Chambolle & Pock 2011) on the bilinear saddle
    problem over the two simplices, with the adaptive restarts of PDLP (Applegate et al. 2021;
    Applegate, Hinder, Lu & Lubin 2022): steps :math:`\tau = \sigma = 1/\|A\|_2`, Euclidean
    simplex projections, restart to the current iterate or to the average since the last
    restart, whichever has the smaller *normalized duality gap*
    :math:`\rho_r(z) = \max_{\hat z \in Z,\ \|\hat z - z\| \le r}
    [L(x, \hat y) - L(\hat x, y)] / r` with :math:`r = \|z - z_{\text{restart}}\|`
    (computed exactly: the maximiser of a linear function over a ball intersected with a
    product of simplices is :math:`P_Z(z + t g)` for the scalar :math:`t` found by bisection),
    when :math:`\rho` fell by the sufficient factor 0.2, or by the necessary factor 0.8 and
    stopped decreasing, or after 36% of all iterations so far (the artificial restart).  One
    numba kernel, one signature.
Support polish (``polish=True``, the default)
    Each time the PDHG iteration count doubles (and at most as often as the attempts have
    cost so far), :func:`_polish` guesses the supports from the PDHG pre-projection scores
    ``x_i - eta ((A y)_i - v)`` (positive exactly on the support at a fixed point), takes the
    ``k`` top-scored rows and columns and solves the equalizing systems ``A_IJ y_J = v 1``,
    ``x_I^T A_IJ = v 1^T`` (both sums 1) with one LU of size ``k + 1``; the answer is kept
    only when its duality gap, recomputed on the whole game, is ``<= tol``.  Games with an
    interior equilibrium (weighted rock-paper-scissors, where PDHG alone needs
    ``~1e5`` iterations because ``sigma_min / sigma_max ~ 1e-4``) are solved after 32-64
    iterations; on dense uniform games the guess is usually a few actions off until PDHG
    itself has converged, so there the polish rarely shortens the run (it costs a few % of
    it).
``"auto"``
    ``"highs"`` up to :data:`AUTO_PDHG_SIZE` entries of ``A`` (``n * m``; the crossover on
    dense uniform games measured on this machine by ``benchmarks/zero_sum.py``), preceded,
    when both players have at least :data:`QUICK_MIN_SIZE` actions, by a quick probe of
    :data:`QUICK_PROBE_ITERS` PDHG iterations and one polish (:func:`_quick_polish`; 2.4 ms
    at 200 x 200, 11 ms at 500 x 500 against 35 ms and 0.56 s of HiGHS, so at most about
    1.07x HiGHS when it fails).  Above it, PDHG (with the polish) runs a *probe* of
    :data:`PROBE_FRACTION` of the predicted HiGHS time (:func:`highs_seconds`); then, each
    time the iteration count doubles, the linear rate over the last doubling predicts the
    remaining iterations, and PDHG continues only while it is predicted to finish before 90%
    of the HiGHS time; otherwise HiGHS solves the game (ill-conditioned games without an
    interior equilibrium, where first-order methods are slow).  The cost of a wrong choice is
    ``1 + PROBE_FRACTION`` times HiGHS when PDHG is given up at the first decision; up to
    about 1.9x when the rate prediction is optimistic and PDHG stalls later.

Measured (``benchmarks/zero_sum.py``, 2026-12-05, shared 2-core machine under a load of 4-6,
gap 1e-6; ``benchmarks/results/zero_sum.json``; ratio = HiGHS time / ours): weighted
rock-paper-scissors is solved by the polish after 32-64 PDHG iterations at every size, 8x at
200, 41x at 500, 31x at 1000, 43x at 2000 (0.82 s against 35 s) and at 5000 in 6.7 s where
HiGHS did not finish in 300 s; on dense uniform games ``"auto"`` is HiGHS up to 500 x 500
(ratio 1.04 at 200, 0.88 and 1.04 in two runs at 500: the quick probe costs ~1.5%; forced
PDHG is 0.5x there) and PDHG above (2.9x at 1000, 6.7x at 2000: 23 s against 152 s).
HiGHS' interior point method (``highs-ipm``) was 2x faster than the default dual simplex on
uniform 1000 x 1000 but slower on weighted rock-paper-scissors, so the default is kept.

References
----------
1. A. Chambolle, T. Pock (2011), "A first-order primal-dual algorithm for convex problems with
   applications to imaging", J. Math. Imaging Vis. 40.
2. D. Applegate, M. Diaz, O. Hinder, H. Lu, M. Lubin, B. O'Donoghue, W. Schudy (2021),
   "Practical large-scale linear programming using primal-dual hybrid gradient", NeurIPS.
3. D. Applegate, O. Hinder, H. Lu, M. Lubin (2022), "Faster first-order primal-dual methods
   for linear programming using restarts and sharpness", Math. Program. 201.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
import warnings

import numpy as np

from equilibria._lib.linalg import single_blas_thread
from equilibria._lib.jit import njit
from equilibria._lib.result import Result, Status, finish
from equilibria._lib.validation import as_float_array, check_int, check_option, check_scalar

__all__ = ["solve_zero_sum", "ZeroSumResult", "AUTO_PDHG_SIZE"]

#: ``method="auto"`` uses PDHG when ``n * m`` exceeds this (measured crossover, see module doc)
AUTO_PDHG_SIZE = 500_000
#: default iteration budget of PDHG
DEFAULT_MAX_ITER = 100_000
#: restart parameters of Applegate et al. (2022), Sec. 5 / PDLP defaults
BETA_SUFFICIENT, BETA_NECESSARY, BETA_ARTIFICIAL = 0.2, 0.8, 0.36
#: seconds of HiGHS per (n m)^1.5 on the reference machine (see :func:`highs_seconds`)
HIGHS_COST = 8e-9
#: ``method="auto"`` above :data:`AUTO_PDHG_SIZE`: share of the predicted HiGHS time spent on
#: the PDHG probe before deciding (the worst case is then about 1.05x HiGHS)
PROBE_FRACTION = 0.05
#: iterations between two evaluations of the restart criterion
RESTART_CHECK = 64
#: ``method="auto"`` below :data:`AUTO_PDHG_SIZE`: PDHG iterations before the one support
#: polish tried ahead of HiGHS (see :func:`_quick_polish`)
QUICK_PROBE_ITERS = 64
#: ... and only when both players have at least this many actions
QUICK_MIN_SIZE = 200


@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class ZeroSumResult(Result):
    """Result of :func:`solve_zero_sum`.

    Attributes
    ----------
    x, y : ndarray
        Strategies of the minimising (row) and maximising (column) player (probability vectors).
    value : float
        Midpoint :math:`(\\max_j (A^T x)_j + \\min_i (A y)_i) / 2`; within ``gap / 2`` of the
        value of the game.
    upper, lower : float
        :math:`\\max_j (A^T x)_j \\ge v \\ge \\min_i (A y)_i`: certified bounds on the value.
    gap : float
        Duality gap ``upper - lower`` (the certificate; ``success`` requires ``gap <= tol``).
    method : str
        ``"highs"`` or ``"pdhg"`` (the method that ran, after ``"auto"``).
    n_restarts : int
        PDHG restarts (0 for HiGHS).
    matvecs : int
        Products with ``A`` or ``A^T`` of the PDHG iterations (not counting the Lanczos
        estimate of ``||A||_2``; 0 for HiGHS).
    step : float or None
        PDHG step ``1/||A||_2`` (``None`` when HiGHS solved the game or the quick probe of
        ``method="auto"`` did).
    polished : bool
        Whether the answer comes from the support polish (``method`` is then ``"pdhg"``).
    """

    x: np.ndarray
    y: np.ndarray
    value: float
    upper: float
    lower: float
    gap: float
    method: str
    n_restarts: int = 0
    matvecs: int = 0
    step: float | None = None
    polished: bool = False


def _game_gap(A, x, y):
    """``(upper, lower)`` = ``(max_j (A^T x)_j, min_i (A y)_i)`` (no input checks)."""
    return float((x @ A).max()), float((A @ y).min())


# ----------------------------------------------------------------------------- numba kernel


@njit
def _matvec_t(A, x, out):
    """out = A^T x, row by row (contiguous axpys: one read of ``A``, vectorized)."""
    n, m = A.shape
    for j in range(m):
        out[j] = 0.0
    for i in range(n):
        xi = x[i]
        if xi != 0.0:  # simplex iterates are sparse near a sparse equilibrium
            for j in range(m):
                out[j] += xi * A[i, j]


@njit
def _matvec(A, y, out):
    """out = A y, one dot product per row (the reassociating fastmath subset vectorizes it)."""
    n, m = A.shape
    for i in range(n):
        acc = 0.0
        for j in range(m):
            acc += A[i, j] * y[j]
        out[i] = acc


#: the projection and the normalized gap keep their order of operations (no ``reassoc``): the
#: shift by the maximum must not be folded into ``v - (top + theta)``
_ORDERED = {"nsz", "arcp", "contract"}


@njit(fastmath=_ORDERED)
def _proj_simplex(v, out, work):
    """Euclidean projection of ``v`` onto the simplex into ``out`` (sort-based).

    Shift invariant; ``v`` is shifted by its maximum so that large entries (the far points of
    the bisection in :func:`_ndg`) do not cancel the unit mass.
    """
    d = v.shape[0]
    top = v[0]
    for i in range(d):
        top = max(top, v[i])
    for i in range(d):
        work[i] = v[i] - top
    work.sort()
    css = 0.0
    theta = 0.0
    for k in range(d):
        u = work[d - 1 - k]
        css += u
        t = (css - 1.0) / (k + 1)
        if u - t > 0.0:
            theta = t
    s = 0.0
    for i in range(d):
        o = (v[i] - top) - theta
        o = o if o > 0.0 else 0.0
        out[i] = o
        s += o
    if s > 0.0 and s != 1.0:
        for i in range(d):
            out[i] /= s


@njit(fastmath=_ORDERED)
def _ndg(x, y, ATx, Ay, r, px, py, wx, wy, vx, vy):
    """Normalized duality gap rho_r(z) of z = (x, y) (Applegate et al. 2022, Def. 2).

    max over (x', y') in Z, ||(x', y') - (x, y)|| <= r of x^T A y' - x'^T A y, divided by r; the
    maximiser is P_Z(z + t g) with g = (-A y, A^T x), t >= 0 found by bisection on the distance.
    """
    n, m = x.shape[0], y.shape[0]
    if r <= 0.0:
        return 0.0
    gnorm = 0.0
    for i in range(n):
        gnorm += Ay[i] * Ay[i]
    for j in range(m):
        gnorm += ATx[j] * ATx[j]
    gnorm = np.sqrt(gnorm)
    if gnorm == 0.0:
        return 0.0

    def dist(t):
        for i in range(n):
            vx[i] = x[i] - t * Ay[i]
        for j in range(m):
            vy[j] = y[j] + t * ATx[j]
        _proj_simplex(vx, px, wx)
        _proj_simplex(vy, py, wy)
        d2 = 0.0
        for i in range(n):
            d2 += (px[i] - x[i]) ** 2
        for j in range(m):
            d2 += (py[j] - y[j]) ** 2
        return np.sqrt(d2)

    lo, hi = 0.0, r / gnorm
    k = 0
    while dist(hi) < r and k < 60:  # the whole domain may lie in the ball
        lo = hi
        hi *= 4.0
        k += 1
    if k < 60:
        for _ in range(40):  # rho is a restart heuristic: t to 1e-6 relative is plenty
            mid = 0.5 * (lo + hi)
            if dist(mid) < r:
                lo = mid
            else:
                hi = mid
            if hi - lo <= 1e-6 * hi:
                break
        dist(lo)  # feasible (inside the ball) maximiser candidate
    val = 0.0
    for i in range(n):
        val -= (px[i] - x[i]) * Ay[i]
    for j in range(m):
        val += (py[j] - y[j]) * ATx[j]
    return max(val, 0.0) / r


#: layout of the PDHG state vector ``W`` (blocks of length n or m, in this order)
_W_BLOCKS = ("x", "y", "Ay", "ATx", "sx", "sy", "sAy", "sATx", "rx", "ry", "bx", "by")
#: scalars of the PDHG state ``S``: rho at the last restart, previous candidate rho, best gap,
#: iterations since the last restart, iterations, restarts, initialised flag
_S_LEN = 7


def _new_state(x0, y0):
    n, m = x0.shape[0], y0.shape[0]
    W = np.zeros(6 * (n + m))
    W[:n] = x0
    W[n:n + m] = y0
    S = np.zeros(_S_LEN)
    return W, S


@njit
def _pdhg_core(A, eta, tol, max_iter, check_every, bsuf, bnec, bart, W, S):
    """Restarted PDHG on min_x max_y x^T A y over simplices, resumable.

    ``W`` holds the iterate, the products, the running sums since the last restart, the
    restart point and the best point (layout :data:`_W_BLOCKS`); ``S`` the scalars.  Runs at
    most ``max_iter`` further iterations; returns the status: 0 success (the best point has
    gap <= tol), 1 budget, 2 non-finite.
    """
    n, m = A.shape
    o = 0
    x = W[o:o + n]; o += n  # noqa: E702
    y = W[o:o + m]; o += m  # noqa: E702
    Ay = W[o:o + n]; o += n  # noqa: E702
    ATx = W[o:o + m]; o += m  # noqa: E702
    sx = W[o:o + n]; o += n  # noqa: E702
    sy = W[o:o + m]; o += m  # noqa: E702
    sAy = W[o:o + n]; o += n  # noqa: E702
    sATx = W[o:o + m]; o += m  # noqa: E702
    rx = W[o:o + n]; o += n  # noqa: E702
    ry = W[o:o + m]; o += m  # noqa: E702
    bx = W[o:o + n]; o += n  # noqa: E702
    by = W[o:o + m]  # noqa: E702
    xn = np.empty(n)
    yn = np.empty(m)
    vx = np.empty(n)
    vy = np.empty(m)
    wx = np.empty(n)
    wy = np.empty(m)
    px = np.empty(n)
    py = np.empty(m)
    ax = np.empty(n)
    ay = np.empty(m)
    aATx = np.empty(m)
    aAy = np.empty(n)
    if S[6] == 0.0:  # first call: products, restart point and best point at the start
        _matvec_t(A, x, ATx)
        _matvec(A, y, Ay)
        rx[:] = x
        ry[:] = y
        bx[:] = x
        by[:] = y
        S[0] = np.inf
        S[1] = np.inf
        S[2] = ATx.max() - Ay.min()
        S[3] = 0.0
        S[6] = 1.0
    rho_restart, rho_prev, best_gap = S[0], S[1], S[2]
    n_avg, k, n_restarts = int(S[3]), int(S[4]), int(S[5])
    status = 1
    if best_gap <= tol:
        status = 0
    k_end = k + max_iter
    while status == 1 and k < k_end:
        k += 1
        # primal step, then dual step at the extrapolated point 2 x_{k+1} - x_k
        for i in range(n):
            vx[i] = x[i] - eta * Ay[i]
        _proj_simplex(vx, xn, wx)
        _matvec_t(A, xn, aATx)  # A^T x_{k+1} (aATx as scratch)
        for j in range(m):
            vy[j] = y[j] + eta * (2.0 * aATx[j] - ATx[j])
        _proj_simplex(vy, yn, wy)
        x[:] = xn
        y[:] = yn
        ATx[:] = aATx
        _matvec(A, y, Ay)
        n_avg += 1
        sx += x
        sy += y
        sATx += ATx
        sAy += Ay
        gcur = ATx.max() - Ay.min()
        inv = 1.0 / n_avg
        gavg = sATx.max() * inv - sAy.min() * inv
        if not (np.isfinite(gcur) and np.isfinite(gavg)):
            status = 2
            break
        if gcur < best_gap:
            best_gap = gcur
            bx[:] = x
            by[:] = y
        if gavg < best_gap:
            best_gap = gavg
            bx[:] = sx * inv
            by[:] = sy * inv
        if best_gap <= tol:
            status = 0
            break
        if n_avg % check_every != 0:
            continue
        # restart check (Applegate et al. 2022, Sec. 5): candidate = current or average
        for i in range(n):
            ax[i] = sx[i] * inv
            aAy[i] = sAy[i] * inv
        for j in range(m):
            ay[j] = sy[j] * inv
            aATx[j] = sATx[j] * inv
        dc = np.sqrt(np.sum((x - rx) ** 2) + np.sum((y - ry) ** 2))
        da = np.sqrt(np.sum((ax - rx) ** 2) + np.sum((ay - ry) ** 2))
        rho_c = _ndg(x, y, ATx, Ay, dc, px, py, wx, wy, vx, vy)
        rho_a = _ndg(ax, ay, aATx, aAy, da, px, py, wx, wy, vx, vy)
        use_avg = rho_a < rho_c
        rho = rho_a if use_avg else rho_c
        restart = False
        if rho <= bsuf * rho_restart:
            restart = True
        elif rho <= bnec * rho_restart and rho > rho_prev:
            restart = True
        elif n_avg >= bart * k:
            restart = True
        rho_prev = rho
        if restart:
            if use_avg:
                x[:] = ax
                y[:] = ay
                ATx[:] = aATx
                Ay[:] = aAy
            d = da if use_avg else dc
            # the gap at the new restart point, over the ball of its distance to the last one
            rho_restart = rho if d > 0 else rho_restart
            rx[:] = x
            ry[:] = y
            sx[:] = 0.0
            sy[:] = 0.0
            sATx[:] = 0.0
            sAy[:] = 0.0
            n_avg = 0
            rho_prev = np.inf
            n_restarts += 1
    S[0], S[1], S[2] = rho_restart, rho_prev, best_gap
    S[3], S[4], S[5] = float(n_avg), float(k), float(n_restarts)
    return status


@njit
def _pdhg_kernel(A, x0, y0, eta, tol, max_iter, check_every, bsuf, bnec, bart, out):
    """One-shot restarted PDHG from ``(x0, y0)``: returns (x, y, n_iter, n_restarts, status)
    for the best point; ``out[0]`` receives its gap."""
    n, m = A.shape
    W = np.zeros(6 * (n + m))
    W[:n] = x0
    W[n:n + m] = y0
    S = np.zeros(7)
    st = _pdhg_core(A, eta, tol, max_iter, check_every, bsuf, bnec, bart, W, S)
    o = 4 * (n + m) + n + m
    out[0] = S[2]
    return W[o:o + n].copy(), W[o + n:o + n + m].copy(), int(S[4]), int(S[5]), st


# ----------------------------------------------------------------------------- solvers


def _spectral_norm(A):
    """``||A||_2`` (an upper bound within 1e-6 relative: Lanczos on A A^T, or dense SVD)."""
    n, m = A.shape
    if min(n, m) <= 300:
        return float(np.linalg.norm(A, 2))
    from scipy.sparse.linalg import LinearOperator, svds

    def mv(v):
        out = np.empty(n)
        _matvec(A, np.ascontiguousarray(v, dtype=float).ravel(), out)
        return out

    def rmv(v):
        out = np.empty(m)
        _matvec_t(A, np.ascontiguousarray(v, dtype=float).ravel(), out)
        return out

    # Lanczos through the kernel's own products (single-threaded, one read of A each: faster
    # than a threaded BLAS gemv on a shared machine)
    op = LinearOperator((n, m), matvec=mv, rmatvec=rmv, dtype=float)
    s = svds(op, k=1, tol=1e-8, return_singular_vectors=False, solver="arpack",
             random_state=0)
    return float(s[0]) * (1.0 + 1e-6)


def _solve_highs(A, tol):
    from scipy.optimize import linprog

    n, m = A.shape
    shift = float(A.min()) - 1.0
    B = A - shift  # entries >= 1: the value v_B = v - shift is >= 1
    res = linprog(-np.ones(n), A_ub=B.T, b_ub=np.ones(m), bounds=(0, None), method="highs")
    if res.status != 0 or res.x is None:
        return None, None, Status.NUMERICAL, f"HiGHS stopped: {res.message}"
    u = np.maximum(res.x, 0.0)
    w = np.maximum(-np.asarray(res.ineqlin.marginals), 0.0)
    if u.sum() <= 0 or w.sum() <= 0:
        return None, None, Status.NUMERICAL, "HiGHS returned a zero primal or dual solution"
    return u / u.sum(), w / w.sum(), Status.SUCCESS, "HiGHS"


def _pdhg_run(As, eta, tol, max_iter, W, S):
    """Resume PDHG for ``max_iter`` iterations: (best x, best y, iterations so far, restarts,
    status, best gap)."""
    n, m = As.shape
    st = _pdhg_core(As, eta, tol, max_iter, RESTART_CHECK, BETA_SUFFICIENT, BETA_NECESSARY,
                    BETA_ARTIFICIAL, W, S)
    o = 4 * (n + m) + n + m
    return W[o:o + n].copy(), W[o + n:o + n + m].copy(), int(S[4]), int(S[5]), int(st), \
        float(S[2])


def highs_seconds(n, m):
    """Predicted HiGHS time on a dense n x m game on the reference machine (the fit
    ``8e-9 (n m)^1.5`` s to ``benchmarks/zero_sum.py``: 0.1 s at 200^2, 1 s at 500^2, 8-14 s
    at 1000^2, 60 s at 2000^2)."""
    return HIGHS_COST * float(n * m) ** 1.5


#: support polish: below this support size the LU runs on one BLAS thread (a threaded LU of
#: a few hundred unknowns is many times slower on a busy 2-core machine: thread hand-off)
POLISH_SERIAL_SIZE = 1500


def _single_blas_thread():
    """One BLAS thread (:func:`equilibria._lib.linalg.single_blas_thread`)."""
    return single_blas_thread()


def _polish(As, x, y, Ay, ATx, eta):
    """Support polish ("crossover"): guess the supports of an equilibrium from a PDHG iterate
    and solve the equalizing linear systems on them.

    The score of row ``i`` is the PDHG pre-projection value ``x_i - eta ((A y)_i - v)`` (and
    ``y_j + eta ((A^T x)_j - v)`` for column ``j``), ``v`` the midpoint of the bounds: at a
    fixed point of PDHG it is positive exactly on the support (where ``(A y)_i = v``) and
    negative off it.  With ``k`` the mean number of positive scores, ``I`` / ``J`` are the
    ``k`` top-scored rows / columns, and one LU of ``[[A_IJ, -1], [1^T, 0]]`` gives both
    ``A_IJ y_J = v 1, 1^T y_J = 1`` and ``x_I^T A_IJ = v 1^T, 1^T x_I = 1`` (a nondegenerate
    game has equal support sizes).  Returns ``(x, y, gap)`` of the clipped, normalised
    solution (its certificate on ``As``), or ``None`` when the system is singular.
    """
    import scipy.linalg as sl

    n, m = As.shape
    v = 0.5 * (float(Ay.min()) + float(ATx.max()))
    sx = x - eta * (Ay - v)
    sy = y + eta * (ATx - v)
    k = int(round(0.5 * (np.count_nonzero(sx > 0) + np.count_nonzero(sy > 0))))
    k = max(1, min(k, n, m))
    I = np.sort(np.argsort(-sx, kind="stable")[:k])
    J = np.sort(np.argsort(-sy, kind="stable")[:k])
    K = np.zeros((k + 1, k + 1))
    K[:k, :k] = As[np.ix_(I, J)]
    K[:k, k] = -1.0
    K[k, :k] = 1.0
    rhs = np.zeros(k + 1)
    rhs[k] = 1.0
    serial = _single_blas_thread() if k <= POLISH_SERIAL_SIZE else contextlib.nullcontext()
    with warnings.catch_warnings(), serial:
        warnings.simplefilter("ignore")  # LinAlgWarning on a singular K: caught below
        try:
            lu = sl.lu_factor(K, check_finite=False)
            yv = sl.lu_solve(lu, rhs, check_finite=False)[:k]
            # K^T = [[A_IJ^T, 1], [-1^T, 0]]: K^T (x, -v) = (0, -1)
            rhs[k] = -1.0
            xv = sl.lu_solve(lu, rhs, trans=1, check_finite=False)[:k]
        except (np.linalg.LinAlgError, ValueError):
            return None
    if not (np.all(np.isfinite(xv)) and np.all(np.isfinite(yv))):
        return None
    xs = np.zeros(n)
    ys = np.zeros(m)
    xs[I] = np.maximum(xv, 0.0)
    ys[J] = np.maximum(yv, 0.0)
    if xs.sum() <= 0.0 or ys.sum() <= 0.0:
        return None
    xs /= xs.sum()
    ys /= ys.sum()
    up, lo = _game_gap(As, xs, ys)
    return xs, ys, max(up - lo, 0.0)


def _current(W, n, m):
    """The current PDHG iterate and its products ``(x, y, A y, A^T x)`` (views of ``W``)."""
    return W[:n], W[n:n + m], W[n + m:2 * n + m], W[2 * n + m:2 * n + 2 * m]


def _solve_pdhg(As, tol, max_iter, probe, polish=True):
    """PDHG on the centred, scaled game.  With ``probe`` (``method="auto"``) PDHG first runs
    for :data:`PROBE_FRACTION` of the predicted HiGHS time; from then on, each time the
    iteration count doubles, the linear rate over the last doubling predicts the remaining
    iterations, and PDHG continues only while it is predicted to finish (with a 1.5x margin)
    before 90% of the predicted HiGHS time.  With ``polish``, each time the iteration count
    doubles (and the time since the last attempt exceeds the cost of that attempt, so the
    attempts cost at most about as much as the iterations), :func:`_polish` tries the
    support solve from the current iterate.  Returns (x, y, k, restarts, status, eta,
    gave_up, polished) with ``gave_up`` when the caller should run HiGHS instead."""
    n, m = As.shape
    # stop a little below tol: the certificate is recomputed on the unscaled game
    tol = (1.0 - 1e-3) * tol
    t0 = time.perf_counter()
    eta = 1.0 / _spectral_norm(As)
    W, S = _new_state(np.full(n, 1.0 / n), np.full(m, 1.0 / m))
    t1 = time.perf_counter()  # the iterations are timed from here; the budget from t0
    budget = highs_seconds(n, m)
    last_polish, polish_cost = t1, 0.0

    def try_polish():
        nonlocal last_polish, polish_cost
        now = time.perf_counter()
        if not polish or now - last_polish < polish_cost:
            return None
        out = _polish(As, *_current(W, n, m), eta)
        last_polish = time.perf_counter()
        polish_cost = last_polish - now
        if out is not None and out[2] <= tol:
            return out
        return None

    # one resumable run, checked each time the iteration count doubles: the linear rate over
    # the last doubling (restarted PDHG converges linearly, with a fast start that the
    # last half of the run no longer sees) predicts the iterations still needed
    x, y, k, nr, st, g = _pdhg_run(As, eta, tol, min(32, max_iter), W, S)
    while st == 1 and k < max_iter:
        out = try_polish()
        if out is not None:
            return out[0], out[1], k, nr, 0, eta, False, True
        k_prev, g_prev = k, g
        x, y, k, nr, st, g = _pdhg_run(As, eta, tol, min(max(k, RESTART_CHECK), max_iter - k),
                                       W, S)
        if st != 1 or k >= max_iter or not probe:
            continue
        spent = time.perf_counter() - t0
        if spent < PROBE_FRACTION * budget:
            continue  # the probe: always this much PDHG before deciding
        per_iter = (time.perf_counter() - t1) / k
        rate = np.log(g_prev / g) / (k - k_prev) if 0 < g < g_prev else 0.0
        need = np.log(g / tol) / rate if rate > 0 else np.inf
        if spent + 1.5 * need * per_iter > 0.9 * budget:
            out = try_polish()
            if out is not None:
                return out[0], out[1], k, nr, 0, eta, False, True
            return x, y, k, nr, 1, eta, True, False
    if st == 1 and k >= max_iter:
        out = try_polish()
        if out is not None:
            return out[0], out[1], k, nr, 0, eta, False, True
    return x, y, k, nr, st, eta, False, False


def _quick_polish(As, tol, iters=QUICK_PROBE_ITERS):
    """``method="auto"`` below :data:`AUTO_PDHG_SIZE`: a few PDHG iterations (step from a
    power-iteration estimate of ``||A||_2``; the run only has to suggest supports) and one
    :func:`_polish`.  Returns ``(x, y, k)`` when certified to ``tol``, else ``None``."""
    n, m = As.shape
    rng = np.random.default_rng(0)
    v = rng.uniform(0.5, 1.5, m)
    s = 1.0
    with _single_blas_thread():
        for _ in range(8):
            w = As.T @ (As @ v)
            s = float(np.linalg.norm(w))
            if s == 0.0:
                return None
            v = w / s
    eta = 0.9 / np.sqrt(s)
    W, S = _new_state(np.full(n, 1.0 / n), np.full(m, 1.0 / m))
    _, _, k, _, st, _ = _pdhg_run(As, eta, (1.0 - 1e-3) * tol, iters, W, S)
    out = _polish(As, *_current(W, n, m), eta)
    if out is not None and out[2] <= (1.0 - 1e-3) * tol:
        return out[0], out[1], k
    return None


def solve_zero_sum(A, *, tol=1e-6, method="auto", max_iter=DEFAULT_MAX_ITER,
                   polish=True) -> ZeroSumResult:
    r"""Equilibrium of the zero-sum matrix game :math:`\min_{x\in\Delta_n}\max_{y\in\Delta_m}
    x^\top A y` with its duality-gap certificate.

    Parameters
    ----------
    A : array_like, shape (n, m)
        Loss of the row player (gain of the column player); finite.
    tol : float
        Required duality gap (``success`` only when the certified gap is ``<= tol``).
    method : {"auto", "highs", "pdhg"}
        See the module documentation; ``"auto"``: HiGHS for ``n * m <=`` :data:`AUTO_PDHG_SIZE`,
        restarted PDHG above.
    max_iter : int
        PDHG iteration budget (two products with ``A`` each); ignored by HiGHS.
    polish : bool
        Try the support polish (module documentation) from the PDHG iterates, and, with
        ``method="auto"`` below :data:`AUTO_PDHG_SIZE`, the quick probe ahead of HiGHS.
        A polished answer is accepted only with a certified gap ``<= tol``.

    Returns
    -------
    ZeroSumResult
        ``x``, ``y``, ``value``, the bounds ``upper >= v >= lower`` and ``gap = upper - lower``.
        ``success=False`` (status ``MAX_ITER`` or ``NUMERICAL``, with a
        :class:`~equilibria._lib.result.ConvergenceWarning`) when the gap stays above ``tol``.
    """
    A = as_float_array(A, "A", ndim=2, min_size=1)
    tol = check_scalar(tol, "tol", lo=0, lo_inclusive=False)
    check_option(method, "method", ("auto", "highs", "pdhg"))
    max_iter = check_int(max_iter, "max_iter", lo=0)
    if not isinstance(polish, (bool, np.bool_)):
        raise TypeError(f"`polish` must be a bool, got {type(polish).__name__} {polish!r}")
    n, m = A.shape
    probe = method == "auto"
    if method == "auto":
        method = "pdhg" if n * m > AUTO_PDHG_SIZE else "highs"
    scale = float(np.abs(A).max())
    n_restarts = matvecs = 0
    eta = float("nan")
    k = 0
    polished = False

    def centred():
        # x^T (A - c) y = x^T A y - c on the simplices: PDHG runs on the centred game
        # (a constant offset would dominate ||A||_2 and shrink the step) scaled to
        # max|A - c| = 1; the gap scales with it
        c = float(A.mean())
        As = A - c
        sc = float(np.abs(As).max())
        if sc == 0.0:
            sc = 1.0
        As /= sc
        return As, sc

    if scale == 0.0 or n == 1 or m == 1:
        # degenerate: the all-zero game (every pair is an equilibrium) or one player has a
        # single action (the other one plays a best response, a pure strategy)
        x, y = np.full(n, 1.0 / n), np.full(m, 1.0 / m)
        if n == 1:
            y = np.zeros(m)
            y[int(np.argmax(A[0]))] = 1.0
        elif m == 1:
            x = np.zeros(n)
            x[int(np.argmin(A[:, 0]))] = 1.0
        status, detail = Status.SUCCESS, "closed form (degenerate game)"
    elif method == "highs":
        quick = None
        if probe and polish and min(n, m) >= QUICK_MIN_SIZE:
            # a few PDHG iterations and one support solve (a few % of the HiGHS time):
            # interior equilibria, as in weighted rock-paper-scissors, are solved here
            As, sc = centred()
            quick = _quick_polish(As, tol / sc)
            del As
        if quick is not None:
            x, y, k = quick
            method, polished, matvecs = "pdhg", True, 2 * k + 2
            status, detail = Status.SUCCESS, f"PDHG, {k} iterations, and a support polish"
        else:
            x, y, status, detail = _solve_highs(A, tol)
            if x is None:
                x, y = np.full(n, 1.0 / n), np.full(m, 1.0 / m)
    else:
        As, scale = centred()
        x, y, k, n_restarts, st, eta, gave_up, polished = _solve_pdhg(As, tol / scale, max_iter,
                                                                      probe, polish)
        del As
        eta /= scale
        matvecs = 2 * k + 2
        status = (Status.SUCCESS, Status.MAX_ITER, Status.NUMERICAL)[st]
        detail = f"restarted PDHG, {k} iterations, {n_restarts} restarts"
        if polished:
            detail += ", and a support polish"
        if gave_up:  # the probe predicted PDHG slower than HiGHS on this game
            xh, yh, status, dh = _solve_highs(A, tol)
            method = "highs"
            detail = f"{dh} after a PDHG probe ({detail})"
            if xh is not None:
                x, y = xh, yh
    x = np.maximum(x, 0.0)
    x /= x.sum()
    y = np.maximum(y, 0.0)
    y /= y.sum()
    upper, lower = _game_gap(A, x, y)
    if upper < lower:  # an exact equilibrium, up to the rounding of the two products
        upper = lower = 0.5 * (upper + lower)
    gap = upper - lower
    ok = status == Status.SUCCESS and gap <= tol
    if status == Status.SUCCESS and not ok:
        status = Status.NUMERICAL
        detail += f"; the certified gap {gap:.3g} exceeds tol={tol:g}"
    if ok:
        msg, hint = f"{detail}: gap {gap:.3g} <= tol={tol:g}", None
    elif status == Status.MAX_ITER:
        msg, hint = (f"{detail}: gap {gap:.3g} above tol={tol:g} after max_iter={max_iter}",
                     "increase `max_iter` or `tol`, or use method='highs'")
    else:
        msg, hint = f"{detail}: gap {gap:.3g} above tol={tol:g}", "try the other `method`"
    value = min(max(0.5 * (upper + lower), lower), upper)
    return finish(ZeroSumResult, success=ok, status=status, message=msg, hint=hint, n_iter=k,
                  x=x, y=y, value=value, upper=upper, lower=lower, gap=gap, method=method,
                  n_restarts=n_restarts, matvecs=matvecs, polished=polished,
                  step=float(eta) if np.isfinite(eta) else None)
