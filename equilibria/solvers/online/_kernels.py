"""numba kernels of the online-learning room (float64 arrays, int64 scalars).

The public, validated API lives in :mod:`equilibria.solvers.online`; kernels here take only
arrays and scalars and are callable from other ``@njit`` functions.  The two public kernels
:func:`log_barrier_kernel` and :func:`tsallis_kernel` (the bandits room reuses the first) are
Python front doors that validate and convert their arguments, with a numba ``overload`` so that
inside ``@njit`` code they compile straight to the unchecked kernel.

Codes used by the round loops
-----------------------------
domain: 0 = probability simplex, 1 = Euclidean ball (centre 0, radius ``radius``),
2 = box ``[lo, hi]^d``.
regularizer: 0 = squared Euclidean, 1 = negative entropy, 2 = log-barrier, 3 = 1/2-Tsallis
(the last three on the simplex only).
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic, overload

from equilibria._lib.jit import njit
from equilibria._lib.validation import as_float_array, check_scalar
from equilibria._lib.linalg import sherman_morrison_update

SIMPLEX, BALL, BOX = 0, 1, 2
EUCLID, ENTROPY, LOGBARRIER, TSALLIS = 0, 1, 2, 3

_NEWTON_TOL = 1e-13
_NEWTON_MAX = 200


# ---------------------------------------------------------------------------------------------
# a vectorizable exp (libm's exp is a scalar call; numba has no SVML here)
# ---------------------------------------------------------------------------------------------
@intrinsic
def _f2i(typingctx, x):
    sig = types.int64(types.float64)

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(64))

    return sig, codegen


@intrinsic
def _i2f(typingctx, x):
    sig = types.float64(types.int64)

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return sig, codegen


_SHIFT = 6755399441055744.0  # 1.5 * 2**52: adding it rounds to an integer held in the mantissa
_LOG2E = 1.4426950408889634
_LN2HI = 6.93147180369123816490e-01  # Cody-Waite split of ln 2
_LN2LO = 1.90821492927058770002e-10


@njit(fastmath=False)  # no reassociation: (x log2e + SHIFT) - SHIFT must round
def fexp(x):
    """``exp(x)`` to ~2 ulp for ``x <= 709``, written so LLVM vectorizes the loops calling it.

    ``x = k ln2 + r`` with ``|r| <= ln2/2`` (Cody-Waite), ``e^r`` by its degree-12 Taylor
    polynomial (truncation < 1e-16 relative), ``2^k`` assembled from the exponent bits.
    Arguments below -708 are clamped (the result, ~1e-308, is then an upper bound of ``exp``,
    harmless in normalized weights).
    """
    if x < -708.0:
        x = -708.0
    if x > 709.0:
        x = 709.0
    t = x * _LOG2E + _SHIFT
    k = t - _SHIFT
    r = x - k * _LN2HI - k * _LN2LO
    p = 1.0 + r * (1.0 + r * (0.5 + r * (1.0 / 6 + r * (1.0 / 24 + r * (
        1.0 / 120 + r * (1.0 / 720 + r * (1.0 / 5040 + r * (1.0 / 40320 + r * (
            1.0 / 362880 + r * (1.0 / 3628800 + r * (1.0 / 39916800
                                                     + r / 479001600)))))))))))
    return p * _i2f((_f2i(t) + 1023) << 52)


# ---------------------------------------------------------------------------------------------
# simplex normalizations by a 1-D Newton solve on the multiplier
# ---------------------------------------------------------------------------------------------
@njit
def _log_barrier_newton(L, eta, p_out):
    return simplex_newton(L, eta, p_out, np.inf, np.int64(1))  # int64, not Literal[1]


@njit
def _tsallis_newton(L, eta, p_out):
    return simplex_newton(L, eta, p_out, np.inf, np.int64(2))


def _normalization_front_door(kernel, L, eta, p_out):
    """Validate, convert (one float64 signature), run ``kernel`` and copy ``p`` into ``p_out``."""
    L = as_float_array(L, "L", ndim=1, min_size=1)
    eta = check_scalar(eta, "eta", lo=0.0, lo_inclusive=False)
    if not isinstance(p_out, np.ndarray):
        raise TypeError(f"`p_out` must be a writable float ndarray of shape {L.shape}, got "
                        f"{type(p_out).__name__}")
    if p_out.shape != L.shape:
        raise ValueError(f"`p_out` must have the shape {L.shape} of `L`, got {p_out.shape}")
    if p_out.dtype.kind != "f" or not p_out.flags.writeable:
        raise TypeError(f"`p_out` must be a writable float ndarray, got dtype {p_out.dtype}"
                        + ("" if p_out.flags.writeable else " (read-only)"))
    direct = p_out.dtype == np.float64 and p_out.flags.c_contiguous
    p = p_out if direct else np.empty(L.shape[0])
    lam = float(kernel(L, eta, p))
    if not (np.isfinite(lam) and np.all(np.isfinite(p))):
        raise ValueError(f"the normalization under/overflows for `eta`={eta:g} and `L` of range "
                         f"[{L.min():.3g}, {L.max():.3g}] (eta (max L - min L) = "
                         f"{eta * (L.max() - L.min()):.3g}); rescale `L` or lower `eta`")
    if not direct:
        p_out[...] = p
    return lam


def log_barrier_kernel(L, eta, p_out):
    r"""FTRL with the log-barrier on the simplex: :math:`p = \arg\min_p \langle p, L\rangle
    - \frac1\eta \sum_i \log p_i` over the probability simplex.

    Convention (stable; the bandits room relies on it): the returned multiplier ``lam``
    satisfies

    .. math::  p_i = \frac{1}{\eta\,(L_i - \lambda)}, \qquad \lambda < \min_i L_i,
               \qquad \sum_i p_i = 1,

    i.e. :math:`L_i - 1/(\eta p_i) = \lambda` for every ``i`` (first-order condition
    :math:`L_i - 1/(\eta p_i) - \lambda = 0` of the Lagrangian).  ``L`` may hold negative
    entries (importance-weighted loss estimates); only ``L - min(L)`` matters.

    Newton's method on :math:`f(\lambda) = \sum_i 1/(\eta (L_i - \lambda)) - 1`, which is
    increasing and convex on :math:`(-\infty, \min_i L_i)`, started at
    :math:`\lambda_0 = \min_i L_i - 1/\eta` where :math:`f(\lambda_0) \ge 0`; the iterates then
    decrease monotonically to the root.  Stops when :math:`|f(\lambda)| \le 10^{-13}` or the
    Newton step is below ``1e-15 (1 + |lam|)``; ``p_out`` is finally renormalized to sum to one
    exactly.

    Called from Python the arguments are validated (``L`` finite 1-D and non-empty, ``eta``
    finite and ``> 0``, ``p_out`` a writable float array of the length of ``L``; any dtype or
    memory layout, converted at the boundary so one kernel signature serves every call).  Called
    from ``@njit`` code it compiles to the kernel itself (a numba ``overload``), unchecked:
    the caller passes float64 arrays and ``eta > 0``.

    Parameters
    ----------
    L : array_like, shape (n,)
        Cumulative (possibly negative) loss estimates, finite.
    eta : float
        Learning rate, ``> 0``.
    p_out : ndarray, shape (n,)
        Output; written with ``p``.

    Returns
    -------
    float
        The multiplier ``lam``.

    Raises
    ------
    ValueError, TypeError
        For invalid arguments, or (``ValueError``) when ``eta (max L - min L)`` is so large
        that the normalization under/overflows (the message names ``eta`` and ``L``).
    """
    return _normalization_front_door(_log_barrier_newton, L, eta, p_out)


def tsallis_kernel(L, eta, p_out):
    r"""FTRL with the 1/2-Tsallis entropy :math:`\psi(p) = -2\sum_i\sqrt{p_i}` on the simplex.

    Returns ``lam`` with :math:`p_i = 1/(\eta (L_i - \lambda))^2`, :math:`\lambda < \min L`;
    Newton on :math:`f(\lambda) = \sum_i (\eta(L_i-\lambda))^{-2} - 1` (increasing, convex)
    from :math:`\lambda_0 = \min L - 1/\eta` (where :math:`f \ge 0`).

    Validation and the ``@njit`` behaviour as in :func:`log_barrier_kernel`.

    Parameters
    ----------
    L : array_like, shape (n,)
        Cumulative (possibly negative) loss estimates, finite.
    eta : float
        Learning rate, ``> 0``.
    p_out : ndarray, shape (n,)
        Output; written with ``p``.

    Returns
    -------
    float
        The multiplier ``lam``.

    Raises
    ------
    ValueError, TypeError
        As :func:`log_barrier_kernel`.
    """
    return _normalization_front_door(_tsallis_newton, L, eta, p_out)


@overload(log_barrier_kernel)
def _log_barrier_kernel_jit(L, eta, p_out):
    """``log_barrier_kernel`` inside ``@njit`` code: the kernel, unchecked (``simplex_newton``
    keeps its own compile options)."""
    def impl(L, eta, p_out):
        return simplex_newton(L, eta, p_out, np.inf, np.int64(1))
    return impl


@overload(tsallis_kernel)
def _tsallis_kernel_jit(L, eta, p_out):
    """``tsallis_kernel`` inside ``@njit`` code: the kernel, unchecked."""
    def impl(L, eta, p_out):
        return simplex_newton(L, eta, p_out, np.inf, np.int64(2))
    return impl


@njit
def simplex_newton(L, eta, p_out, lam, power):
    r"""Normalize :math:`p_i = (\eta(L_i - \lambda))^{-\mathrm{power}}` on the simplex.

    Safeguarded Newton on the increasing convex :math:`f(\lambda) = \sum_i p_i(\lambda) - 1`
    from the start ``lam`` (warm start; any value, replaced by :math:`\min L - 1/\eta` when not
    below :math:`\min L`).  From the left of the root a Newton step may pass the pole
    :math:`\min L`; it is then replaced by the midpoint towards the pole.  From the right the
    iterates decrease monotonically.  Returns the multiplier.
    """
    n = L.shape[0]
    m = L[0]
    for i in range(1, n):
        if L[i] < m:
            m = L[i]
    if not lam < m:
        lam = m - 1.0 / eta
    for _ in range(_NEWTON_MAX):
        s = 0.0
        s2 = 0.0
        if power == 1:
            for i in range(n):
                q = 1.0 / (eta * (L[i] - lam))
                s += q
                s2 += q * q
            fp = eta * s2  # f'(lam) = eta sum_i p_i^2
        else:
            for i in range(n):
                r = 1.0 / (eta * (L[i] - lam))
                s += r * r
                s2 += r * r * r
            fp = 2.0 * eta * s2  # f'(lam) = 2 eta sum_i r_i^3
        f = s - 1.0
        if abs(f) <= _NEWTON_TOL:
            break
        new = lam - f / fp
        if new >= m:
            new = 0.5 * (lam + m)
        if abs(new - lam) <= 1e-15 * (1.0 + abs(lam)):
            lam = new
            break
        lam = new
    s = 0.0
    for i in range(n):
        r = 1.0 / (eta * (L[i] - lam))
        q = r if power == 1 else r * r
        p_out[i] = q
        s += q
    for i in range(n):
        p_out[i] /= s
    return lam


# ---------------------------------------------------------------------------------------------
# projections and mirror steps
# ---------------------------------------------------------------------------------------------
@njit
def project_simplex(v, out):
    """Euclidean projection of ``v`` onto the probability simplex (:func:`project` with the
    simplex code; kept as a named entry point for tests and callers)."""
    project(v, out, np.int64(SIMPLEX), 1.0, 0.0, 1.0)


@njit
def project(v, out, dom, radius, lo, hi):
    """Euclidean projection of ``v`` onto the decision set ``dom`` (see module codes).

    Simplex: Michelot (1986), iterate ``tau = (sum_{i in S} v_i - 1) / |S|``,
    ``S = {i : v_i > tau}`` until ``S`` is stable; exact in at most ``len(v)`` passes,
    typically 2-4.  The simplex code is written here, not called, so that the round loops
    link one function less (numba re-optimizes every linked callee in each caller).
    ``out`` must not alias ``v``.
    """
    n = v.shape[0]
    if dom == SIMPLEX:
        s = 0.0
        for i in range(n):
            s += v[i]
        tau = (s - 1.0) / n
        for _ in range(n + 1):
            s = 0.0
            k = 0
            for i in range(n):
                if v[i] > tau:
                    s += v[i]
                    k += 1
            new = (s - 1.0) / k
            if new == tau:
                break
            tau = new
        for i in range(n):
            d = v[i] - tau
            out[i] = d if d > 0.0 else 0.0
    elif dom == BALL:
        s = 0.0
        for i in range(n):
            s += v[i] * v[i]
        nrm = np.sqrt(s)
        c = radius / nrm if nrm > radius else 1.0
        for i in range(n):
            out[i] = c * v[i]
    else:
        for i in range(n):
            x = v[i]
            out[i] = lo if x < lo else (hi if x > hi else x)


@njit
def _softmax_neg(theta, eta, out):
    # out = exp(-eta theta) / sum, shifted by the minimum for stability
    n = theta.shape[0]
    m = theta[0]
    for i in range(1, n):
        if theta[i] < m:
            m = theta[i]
    s = 0.0
    for i in range(n):
        e = fexp(-eta * (theta[i] - m))
        out[i] = e
        s += e
    for i in range(n):
        out[i] /= s


@njit
def ftrl_step(theta, eta, reg, dom, radius, lo, hi, center, out, work, state):
    r"""``out = argmin_x <theta, x> + psi(x) / eta`` over the decision set.

    Euclidean: :math:`\psi(x) = \frac12\|x - c\|^2` (``c = center``), so
    ``out = Proj(c - eta theta)``; entropy: ``softmax(-eta theta)``; log-barrier and
    1/2-Tsallis: :func:`simplex_newton` warm-started at ``state[0]`` (the previous multiplier,
    updated in place).  ``work`` is scratch.
    """
    n = theta.shape[0]
    if reg == EUCLID:
        for i in range(n):
            work[i] = center[i] - eta * theta[i]
        project(work, out, dom, radius, lo, hi)
    elif reg == ENTROPY:
        _softmax_neg(theta, eta, out)
    else:  # log-barrier (power 1) or 1/2-Tsallis (power 2): one runtime-typed call site
        state[0] = simplex_newton(theta, eta, out, state[0], reg - 1)


@njit
def omd_step(x, g, eta, reg, dom, radius, lo, hi, out, work):
    r"""``out = argmin_y <eta g, y> + B_psi(y, x)`` over the decision set (one mirror step).

    Euclidean: ``Proj(x - eta g)``; entropy: ``x * exp(-eta g)`` normalized; log-barrier:
    the mirror step solves :math:`1/y_i = 1/x_i + \eta(g_i - \lambda)`, i.e. FTRL with
    effective loss :math:`g_i + 1/(\eta x_i)` (:func:`log_barrier_kernel`); 1/2-Tsallis: the
    same with :math:`g_i + 1/(\eta\sqrt{x_i})`.  ``out`` may alias ``x``.
    """
    n = x.shape[0]
    if reg == EUCLID:
        for i in range(n):
            work[i] = x[i] - eta * g[i]
        project(work, out, dom, radius, lo, hi)
    elif reg == ENTROPY:
        m = g[0]
        for i in range(1, n):
            if g[i] < m:
                m = g[i]
        s = 0.0
        for i in range(n):  # into `work`: `out` may alias `x`, which blocks vectorization
            e = x[i] * fexp(-eta * (g[i] - m))
            work[i] = e
            s += e
        for i in range(n):
            out[i] = work[i] / s
    else:
        # warm start at min g: there sum_i p_i <= sum_i x_i = 1 (left of the root)
        gm = g[0]
        for i in range(1, n):
            if g[i] < gm:
                gm = g[i]
        if reg == LOGBARRIER:
            for i in range(n):
                work[i] = g[i] + 1.0 / (eta * x[i])
        else:
            for i in range(n):
                work[i] = g[i] + 1.0 / (eta * np.sqrt(x[i]))
        simplex_newton(work, eta, out, gm, reg - 1)


@njit
def best_value(Gc, dom, radius, lo, hi):
    """``min_u <Gc, u>`` over the decision set (value of the best fixed point)."""
    n = Gc.shape[0]
    if dom == SIMPLEX:
        m = Gc[0]
        for i in range(1, n):
            if Gc[i] < m:
                m = Gc[i]
        return m
    if dom == BALL:
        s = 0.0
        for i in range(n):
            s += Gc[i] * Gc[i]
        return -radius * np.sqrt(s)
    v = 0.0
    for i in range(n):
        v += Gc[i] * lo if Gc[i] > 0 else Gc[i] * hi
    return v


@njit
def _dot(a, b):
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i] * b[i]
    return s


@njit
def _sqdist(a, b):
    s = 0.0
    for i in range(a.shape[0]):
        d = a[i] - b[i]
        s += d * d
    return s


# ---------------------------------------------------------------------------------------------
# round loops
# ---------------------------------------------------------------------------------------------
# hint_mode: 0 = no hint (M_t = 0), 1 = M_t = g_{t-1} (M_1 = 0), 2 = M_t = M[t] given
# eta_mode: 0 = etas[t] given, 1 = adaptive eta_t = D / sqrt(delta + sum_{s<t} ||g_s - M_s||^2)


@njit
def ftrl_loop(G, M, hint_mode, etas, eta_mode, D, delta, reg, dom, radius, lo, hi, center,
              X, eta_used, regret_t):
    r"""(Optimistic) lazy FTRL over a gradient sequence ``G`` (T x d).

    Round t plays :math:`x_t = \arg\min_x \langle L_{t-1} + M_t, x\rangle + \psi(x)/\eta_t`
    with :math:`L_{t-1} = \sum_{s<t} g_s`.  ``X`` has T rows (store all) or 1 row (keep the
    last).  Fills ``eta_used`` and ``regret_t[t] = sum_{s<=t} <g_s, x_s> - min_u <L_t, u>``.
    Returns the learner's cumulative loss.
    """
    T, d = G.shape
    store = X.shape[0] == T
    L = np.zeros(d)
    theta = np.empty(d)
    work = np.empty(d)
    x = np.empty(d)
    state = np.full(1, np.inf)
    cum = 0.0
    var = 0.0
    for t in range(T):
        if hint_mode == 0:
            for i in range(d):
                theta[i] = L[i]
        elif hint_mode == 1:
            if t == 0:
                for i in range(d):
                    theta[i] = L[i]
            else:
                for i in range(d):
                    theta[i] = L[i] + G[t - 1, i]
        else:
            for i in range(d):
                theta[i] = L[i] + M[t, i]
        if eta_mode == 0:
            eta = etas[t]
        else:
            eta = D / np.sqrt(delta + var)
        eta_used[t] = eta
        ftrl_step(theta, eta, reg, dom, radius, lo, hi, center, x, work, state)
        row = t if store else 0
        loss = 0.0
        e2 = 0.0
        for i in range(d):
            g = G[t, i]
            X[row, i] = x[i]
            loss += g * x[i]
            L[i] += g
            m = theta[i] - L[i] + g  # the hint M_t
            e2 += (g - m) * (g - m)
        var += e2
        cum += loss
        regret_t[t] = cum - best_value(L, dom, radius, lo, hi)
    return cum


@njit
def simplex_ftrl_loop(G, etas, reg, X, regret_t):
    r"""Lazy FTRL on the simplex without hints, for Hedge (``reg`` = ENTROPY) and log-barrier
    FTRL (``reg`` = LOGBARRIER): a small kernel so that these two do not compile the general
    :func:`ftrl_loop` (all sets, regularizers, hints and adaptive rates).

    Entropy, one fused pass per round: :math:`x_{t,i} = e^{-\eta_t (L_{t-1,i} - m)} / Z`
    with :math:`m = \min_i L_{t-1,i}` tracked while :math:`L` is updated (so the weights never
    underflow all at once).  Log-barrier: :func:`simplex_newton` warm-started at the previous
    multiplier.  Same ``X``/``regret_t`` conventions and return value as :func:`ftrl_loop`.
    """
    T, d = G.shape
    store = X.shape[0] == T
    L = np.zeros(d)
    x = np.empty(d)
    lam = np.inf
    m = 0.0  # min_i L_i
    cum = 0.0
    power = reg - 1
    for t in range(T):
        eta = etas[t]
        if reg == ENTROPY:
            s = 0.0
            for i in range(d):
                e = fexp(-eta * (L[i] - m))
                x[i] = e
                s += e
            inv = 1.0 / s
            for i in range(d):
                x[i] *= inv
        else:
            lam = simplex_newton(L, eta, x, lam, power)
        row = t if store else 0
        loss = 0.0
        mn = np.inf
        for i in range(d):
            g = G[t, i]
            X[row, i] = x[i]
            loss += g * x[i]
            v = L[i] + g
            L[i] = v
            mn = min(mn, v)
        m = mn
        cum += loss
        regret_t[t] = cum - m
    return cum


@njit
def omd_loop(G, M, hint_mode, etas, eta_mode, D, delta, reg, dom, radius, lo, hi, x1,
             X, XH, eta_used, regret_t):
    r"""(Optimistic) online mirror descent over a gradient sequence ``G`` (T x d).

    With a hint (``hint_mode > 0``):
    :math:`x_t = \arg\min_x \eta_t\langle M_t, x\rangle + B(x, \hat x_t)` and
    :math:`\hat x_{t+1} = \arg\min_x \eta_t\langle g_t, x\rangle + B(x, \hat x_t)`;
    without (``hint_mode = 0``) :math:`x_t = \hat x_t`.  ``XH`` (T+1 rows, or 1 row) stores
    the secondary iterates :math:`\hat x_t`.  Returns the learner's cumulative loss.
    """
    T, d = G.shape
    store = X.shape[0] == T
    storeh = XH.shape[0] == T + 1
    L = np.zeros(d)
    work = np.empty(d)
    xh = x1.copy()
    x = x1.copy()
    m = np.zeros(d)
    cum = 0.0
    var = 0.0
    if storeh:
        for i in range(d):
            XH[0, i] = xh[i]
    for t in range(T):
        if eta_mode == 0:
            eta = etas[t]
        else:
            eta = D / np.sqrt(delta + var)
        eta_used[t] = eta
        if hint_mode == 0:
            for i in range(d):
                x[i] = xh[i]
        else:
            if hint_mode == 1:
                for i in range(d):
                    m[i] = G[t - 1, i] if t > 0 else 0.0
            else:
                for i in range(d):
                    m[i] = M[t, i]
            omd_step(xh, m, eta, reg, dom, radius, lo, hi, x, work)
        row = t if store else 0
        loss = 0.0
        e2 = 0.0
        for i in range(d):
            g = G[t, i]
            X[row, i] = x[i]
            loss += g * x[i]
            L[i] += g
            e2 += (g - m[i]) * (g - m[i])
        var += e2
        cum += loss
        regret_t[t] = cum - best_value(L, dom, radius, lo, hi)
        omd_step(xh, G[t], eta, reg, dom, radius, lo, hi, xh, work)
        if storeh:
            for i in range(d):
                XH[t + 1, i] = xh[i]
        elif XH.shape[0] == 1:
            for i in range(d):
                XH[0, i] = xh[i]
    return cum


@njit
def entropic_omd_loop(G, M, hint_mode, eta, logx1, X, regret_t):
    r"""(Optimistic) entropic OMD on the simplex with a constant step, in closed form.

    With a constant :math:`\eta` the entropic mirror steps telescope:
    :math:`\hat x_t \propto x_1 e^{-\eta L_{t-1}}` and
    :math:`x_t \propto \hat x_t e^{-\eta M_t} = x_1 e^{-\eta (L_{t-1} + M_t)}`, so each round
    needs one exponential pass instead of two (the same iterates as :func:`omd_loop` up to
    rounding).  ``hint_mode`` as in :func:`omd_loop`; ``logx1 = log x_1``.  Returns the
    learner's cumulative loss.
    """
    T, d = G.shape
    store = X.shape[0] == T
    L = np.zeros(d)
    e = np.empty(d)
    cum = 0.0
    for t in range(T):
        if hint_mode == 0 or (hint_mode == 1 and t == 0):
            for i in range(d):
                e[i] = logx1[i] - eta * L[i]
        elif hint_mode == 1:
            for i in range(d):
                e[i] = logx1[i] - eta * (L[i] + G[t - 1, i])
        else:
            for i in range(d):
                e[i] = logx1[i] - eta * (L[i] + M[t, i])
        zmax = e[0]
        for i in range(1, d):
            zmax = max(zmax, e[i])
        s = 0.0
        ge = 0.0
        for i in range(d):
            v = fexp(e[i] - zmax)
            e[i] = v
            s += v
            ge += G[t, i] * v
        cum += ge / s
        if store or t == T - 1:
            row = t if store else 0
            inv = 1.0 / s
            for i in range(d):
                X[row, i] = e[i] * inv
        lmin = np.inf
        for i in range(d):
            L[i] += G[t, i]
            if L[i] < lmin:
                lmin = L[i]
        regret_t[t] = cum - lmin
    return cum


@njit
def selfplay_loop(A, T, eta, optimistic, x_out, y_out, gap_t, regs):
    r"""Self-play of (optimistic) Hedge in ``min_x max_y x^T A y`` over simplices.

    Row player loss vector :math:`A y_t`, column player loss :math:`-A^\top x_t`; both play
    :math:`\propto\exp(-\eta(L_{t-1} + M_t))` with :math:`M_t` the previous loss vector when
    ``optimistic`` (0 otherwise).  ``x_out``/``y_out`` receive the averaged strategies,
    ``gap_t[t]`` the duality gap of the averages after round ``t+1``, ``regs`` the two regrets.
    """
    n, m = A.shape
    Lx = np.zeros(n)
    Ly = np.zeros(m)
    ux = np.zeros(n)
    uy = np.zeros(m)
    tx = np.empty(n)
    ty = np.empty(m)
    x = np.empty(n)
    y = np.empty(m)
    Sx = np.zeros(n)
    Sy = np.zeros(m)
    SAy = np.zeros(n)
    SATx = np.zeros(m)
    val = 0.0
    for t in range(T):
        for i in range(n):
            tx[i] = Lx[i] + (ux[i] if optimistic else 0.0)
        for j in range(m):
            ty[j] = Ly[j] + (uy[j] if optimistic else 0.0)
        _softmax_neg(tx, eta, x)
        _softmax_neg(ty, eta, y)
        for i in range(n):
            s = 0.0
            for j in range(m):
                s += A[i, j] * y[j]
            ux[i] = s
        for j in range(m):
            uy[j] = 0.0
        for i in range(n):
            xi = x[i]
            for j in range(m):
                uy[j] -= A[i, j] * xi
        v = 0.0
        for i in range(n):
            v += x[i] * ux[i]
            Lx[i] += ux[i]
            Sx[i] += x[i]
            SAy[i] += ux[i]
        for j in range(m):
            Ly[j] += uy[j]
            Sy[j] += y[j]
            SATx[j] -= uy[j]
        val += v
        mx = SATx[0]
        for j in range(1, m):
            if SATx[j] > mx:
                mx = SATx[j]
        mn = SAy[0]
        for i in range(1, n):
            if SAy[i] < mn:
                mn = SAy[i]
        gap_t[t] = (mx - mn) / (t + 1)
        regs[0] = val - mn
        regs[1] = mx - val
    for i in range(n):
        x_out[i] = Sx[i] / T
    for j in range(m):
        y_out[j] = Sy[j] / T


# ---------------------------------------------------------------------------------------------
# Online Newton Step
# ---------------------------------------------------------------------------------------------
@njit
def ons_step(x, g, A, Ainv, gamma, dom, radius, lo, hi, tol, max_iter, work):
    r"""One ONS update in place: :math:`A \leftarrow A + gg^\top`,
    :math:`y = x - \frac1\gamma A^{-1}g`, :math:`x \leftarrow \Pi^A(y)`.

    :math:`A^{-1}` is updated by Sherman-Morrison.  Returns the projection's iteration count
    (``-1`` if it hit ``max_iter``).
    """
    d = x.shape[0]
    Ag = np.empty(d)
    sherman_morrison_update(Ainv, A, g, Ag)
    y = np.empty(d)
    for i in range(d):
        s = 0.0
        for j in range(d):
            s += Ainv[i, j] * g[j]
        y[i] = x[i] - s / gamma
    lip = 0.0
    for i in range(d):
        lip += A[i, i]
    lip *= 2.0
    # x <- argmin_{z in X} (z - y)^T A (z - y) by FISTA with gradient restart, warm-started at
    # x, step 1/lip with lip = 2 tr(A) >= lambda_max(2A); stops when the fixed-point residual
    # ||z - Pi(z - grad q(z)/lip)||_inf <= tol (written here, not called: one linked level less)
    z = x.copy()
    zprev = x.copy()
    v = np.empty(d)
    grad = np.empty(d)
    tk = 1.0
    for it in range(max_iter):
        # gradient at the extrapolated point v: 2 A (v - y)
        for i in range(d):
            work[i] = v[i] - y[i] if it > 0 else z[i] - y[i]
        for i in range(d):
            s = 0.0
            for j in range(d):
                s += A[i, j] * work[j]
            grad[i] = 2.0 * s
        if it == 0:
            for i in range(d):
                v[i] = z[i]
        for i in range(d):
            work[i] = v[i] - grad[i] / lip
        for i in range(d):
            zprev[i] = z[i]
        project(work, z, dom, radius, lo, hi)
        res = 0.0
        inc = 0.0
        for i in range(d):
            r = abs(z[i] - v[i])
            if r > res:
                res = r
            inc += grad[i] * (z[i] - zprev[i])
        if res <= tol:
            for i in range(d):
                x[i] = z[i]
            return it + 1
        if inc > 0.0:  # gradient-based restart (O'Donoghue & Candes 2015)
            tk = 1.0
        tn = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * tk * tk))
        beta = (tk - 1.0) / tn
        for i in range(d):
            v[i] = z[i] + beta * (z[i] - zprev[i])
        tk = tn
    for i in range(d):
        x[i] = z[i]
    return -1


@njit
def ons_loop(R, y, loss, gamma, eps, dom, radius, lo, hi, tol, max_iter, x1, X, cum_t):
    r"""ONS over exp-concave losses of a linear form :math:`z = \langle r_t, x\rangle`.

    ``loss`` code: 0 = portfolio log loss :math:`f_t(x) = -\log\langle r_t, x\rangle`
    (Hazan, Agarwal, Kale 2007; ``y`` unused), 1 = squared loss
    :math:`f_t(x) = (\langle r_t, x\rangle - y_t)^2`.  One loop for both (a runtime code, not
    two compiled kernels).  Starts at ``x1`` (copied), :math:`A_0 = \epsilon I`;
    ``cum_t[t] = sum_{s<=t} f_s(x_s)``; ``X`` has T rows (store all) or 1 row (keep the last).
    Returns the number of projections that hit ``max_iter``.
    """
    T, d = R.shape
    store = X.shape[0] == T
    x = x1.copy()
    A = np.zeros((d, d))
    Ainv = np.zeros((d, d))
    for i in range(d):
        A[i, i] = eps
        Ainv[i, i] = 1.0 / eps
    g = np.empty(d)
    work = np.empty(d)
    cum = 0.0
    fails = 0
    for t in range(T):
        row = t if store else 0
        s = 0.0
        for i in range(d):
            X[row, i] = x[i]
            s += R[t, i] * x[i]
        if loss == 0:
            cum -= np.log(s)
            c = -1.0 / s  # grad = -r / <r, x>
        else:
            res = s - y[t]
            cum += res * res
            c = 2.0 * res  # grad = 2 (<r, x> - y) r
        cum_t[t] = cum
        for i in range(d):
            g[i] = c * R[t, i]
        if ons_step(x, g, A, Ainv, gamma, dom, radius, lo, hi, tol, max_iter, work) < 0:
            fails += 1
    return fails
