# ruff: noqa: NPY002  (numba kernels use the legacy np.random API: numba keeps one seeded MT19937 per thread)
"""Helpers shared by the bandit kernels: samplers, argmax, KL-UCB index, Tsallis-INF weights,
and the ridge-state reset of the linear families."""

from __future__ import annotations

import math

import numpy as np

from equilibria._lib.jit import njit

#: squeeze constant of Marsaglia & Tsang's Gamma sampler: accept if ``U < 1 - 0.0331 Z^4``
_MT_SQUEEZE = 0.0331
#: clip of the second argument of kl(p, q) into ``[eps, 1 - eps]`` (keeps the logs finite)
_KL_EPS = 1e-15
#: largest KL-UCB index (the root of kl(p, q) = level is searched in [p, 1 - 1e-12])
_KLUCB_TOP = 1.0 - 1e-12
#: KL-UCB Newton stops once kl(p, q) - level <= this
_KLUCB_TOL = 1e-12
#: KL-UCB Newton iteration cap (monotone quadratic convergence needs far fewer)
_KLUCB_MAX_NEWTON = 50
#: Tsallis-INF Newton stops once |sum_i w_i - 1| < this
_TSALLIS_TOL = 1e-13
#: Tsallis-INF Newton iteration cap
_TSALLIS_MAX_NEWTON = 100


# ---------------------------------------------------------------------------------------------
# samplers and argmax
# ---------------------------------------------------------------------------------------------
@njit
def _sample_index(p):
    """Draw an index from the probability vector ``p`` (inverse CDF)."""
    u = np.random.random()
    c = 0.0
    last = 0
    for i in range(p.size):
        if p[i] > 0.0:
            last = i
            c += p[i]
            if u < c:
                return i
    return last


@njit
def _laplace(b):
    """Laplace(0, b) draw: ``+-b E`` with ``E = -log(1 - U) ~ Exp(1)`` and a fair sign (exact;
    cheaper to compile than ``np.random.laplace``)."""
    e = -b * math.log(1.0 - np.random.random())
    return e if np.random.random() < 0.5 else -e


@njit
def _argmax(v):
    """Index of the first maximum of ``v``."""
    best = 0
    bv = v[0]
    for i in range(1, v.size):
        if v[i] > bv:
            bv = v[i]
            best = i
    return best


@njit
def _gamma_variate(a, z):
    """Gamma(a, 1) draw for ``a >= 1`` (Marsaglia & Tsang 2000, Sec. 3).

    ``d = a - 1/3``, ``c = 1 / sqrt(9 d)``; with ``Z ~ N(0, 1)``, ``U ~ U(0, 1)`` and
    ``V = (1 + c Z)^3``, accept ``d V`` if ``V > 0`` and ``U < 1 - 0.0331 Z^4`` (squeeze) or
    ``log U < Z^2 / 2 + d (1 - V + log V)``, else retry with a fresh ``Z``; the acceptance rate is
    above 0.95 for ``a >= 1``.  ``z`` is the first standard normal to use (the caller passes
    one of a Box-Muller pair); exact (rejection sampling, no approximation).
    """
    d = a - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        v = 1.0 + c * z
        if v > 0.0:
            v = v * v * v
            u = np.random.random()
            z2 = z * z
            if u < 1.0 - _MT_SQUEEZE * z2 * z2 \
                    or math.log(u) < 0.5 * z2 + d * (1.0 - v + math.log(v)):
                return d * v
        z = np.random.standard_normal()


@njit
def _beta_variate(a, b):
    """Beta(a, b) draw as ``X / (X + Y)``, ``X ~ Gamma(a)``, ``Y ~ Gamma(b)`` independent.

    Shapes below 1 use ``Gamma(a) = Gamma(a + 1) U^{1/a}`` (Marsaglia & Tsang 2000, Sec. 6),
    combined in log space so that tiny shapes do not give 0/0.  Replaces numba's
    ``np.random.beta`` (Cheng's algorithm: several logarithms and exponentials per draw) in
    Thompson sampling (numba's normal sampler costs ~6 uniforms, hence the shared Box-Muller
    pair); tested against ``scipy.stats.beta`` with a Kolmogorov-Smirnov test.
    """
    # one Box-Muller pair gives the first normal of both gamma draws (independent, exact)
    rad = math.sqrt(-2.0 * math.log(1.0 - np.random.random()))
    ang = 2.0 * math.pi * np.random.random()
    z1 = rad * math.cos(ang)
    z2 = rad * math.sin(ang)
    if a >= 1.0 and b >= 1.0:  # the Thompson-sampling case (a, b = 1 + successes, 1 + failures)
        x = _gamma_variate(a, z1)
        return x / (x + _gamma_variate(b, z2))
    la = 0.0
    lb = 0.0
    if a < 1.0:
        la = math.log(1.0 - np.random.random()) / a
    if b < 1.0:
        lb = math.log(1.0 - np.random.random()) / b
    lx = math.log(_gamma_variate(a + 1.0 if a < 1.0 else a, z1)) + la
    ly = math.log(_gamma_variate(b + 1.0 if b < 1.0 else b, z2)) + lb
    return 1.0 / (1.0 + math.exp(ly - lx))


# ---------------------------------------------------------------------------------------------
# Beta posteriors with integer counts: split into a body and a rare upper tail (Thompson sampling)
# ---------------------------------------------------------------------------------------------
@njit
def _beta_int_sf(x, a, b):
    """Upper tail ``P(theta > x)`` of Beta(a, b) for integers ``a, b >= 1`` and ``x >= mode``.

    Order statistics of uniforms: Beta(a, b) is the a-th smallest of ``n = a + b - 1``
    uniforms, so ``P(theta > x) = P(Bin(n, x) <= a - 1) = sum_{k < a} C(n, k) x^k (1-x)^(n-k)``.
    For ``x`` at or above the mode ``(a - 1) / (a + b - 2)`` the terms increase up to
    ``k = a - 1``; they are summed downwards from there (first term by ``lgamma``, then the
    ratio ``t_{k-1} / t_k = k (1 - x) / ((n - k + 1) x)``) until a term is below 1e-17 of the
    sum.  Exact up to floating-point rounding (relative error about 1e-12 at n = 10^5).
    """
    if x <= 0.0:
        return 1.0
    if x >= 1.0:
        return 0.0
    n = a + b - 1.0
    k = a - 1.0
    lt = (math.lgamma(n + 1.0) - math.lgamma(a) - math.lgamma(b + 1.0)
          + k * math.log(x) + b * math.log1p(-x))
    t = math.exp(lt)
    tot = t
    r = (1.0 - x) / x
    while k > 0.0 and t > 1e-17 * tot:
        t *= k * r / (n - k + 1.0)
        tot += t
        k -= 1.0
    return min(tot, 1.0)


@njit
def _beta_log_density_ratio(th, x, a, b):
    """``log f(th) - log f(x)`` for the Beta(a, b) density ``f`` (unnormalised)."""
    return (a - 1.0) * math.log(th / x) + (b - 1.0) * math.log((1.0 - th) / (1.0 - x))


@njit
def _beta_upper_tail_variate(x, a, b):
    """Beta(a, b) draw conditioned on ``theta > x``, for ``a, b >= 1`` and ``x`` >= the mode.

    Rejection from the tangent of the log-density at ``x`` (exact: Beta(a, b) with a, b >= 1 is
    log-concave, so ``log f(x) + s (theta - x)`` with ``s = (a-1)/x - (b-1)/(1-x) <= 0`` lies
    above ``log f`` on ``(x, 1]``): propose ``theta`` from the exponential density of rate
    ``-s`` truncated to ``(x, 1]`` (inverse CDF), accept if
    ``log U < log f(theta) - log f(x) - s (theta - x)`` (Devroye 1986, Ch. VII.2, log-concave
    densities).  A flat tangent (``s = 0``) proposes uniformly on ``(x, 1]``.
    """
    lam = (b - 1.0) / (1.0 - x) - (a - 1.0) / x  # -s >= 0
    w = 1.0 - x
    while True:
        v = np.random.random()
        if lam * w > 1e-12:
            # truncated exponential on (0, w]: -log(1 - v (1 - e^{-lam w})) / lam
            y = -math.log1p(v * math.expm1(-lam * w)) / lam
        else:
            y = v * w
        th = x + y
        if th <= x or th >= 1.0:
            continue
        if math.log(1.0 - np.random.random()) < _beta_log_density_ratio(th, x, a, b) + lam * y:
            return th


@njit
def _beta_lower_body_variate(x, a, b):
    """Beta(a, b) draw conditioned on ``theta <= x`` (rejection from the full law: exact,
    acceptance ``1 - P(theta > x)``, near 1 for the thresholds used)."""
    while True:
        th = _beta_variate(a, b)
        if th <= x:
            return th


@njit
def _geometric_rounds(p):
    """Rounds until the next success of independent Bernoulli(p) trials, ``G >= 1``:
    ``1 + floor(log U / log(1 - p))`` (inverse CDF, exact); ``inf`` when ``p = 0``."""
    if p <= 0.0:
        return np.inf
    if p >= 1.0:
        return 1.0
    return 1.0 + math.floor(math.log(1.0 - np.random.random()) / math.log1p(-p))


#: Thompson sampling split threshold: at least this many posterior sd above the arm's mode ...
TS_MODE_SD = 1.0
#: ... and otherwise this many of the leader's posterior sd below the leader's posterior mean
TS_LEADER_SD = 3.0


@njit
def _beta_split_threshold(a, b, a_lead, b_lead):
    """Threshold ``x`` of the body / tail split of Beta(a, b) and its tail ``P(theta > x)``.

    ``x = max(mode + TS_MODE_SD sd, m_l - TS_LEADER_SD sd_l)``, ``(m_l, sd_l)`` the posterior
    mean and sd of the leader's Beta(a_lead, b_lead): just below where the leader's draw
    usually lies, so that the arm's value is rarely needed, and far enough above the mode for
    the tail sampler's tangent (:func:`_beta_upper_tail_variate`).  When ``x >= 1`` (few
    counts, or no failure yet) there is no split: ``x = 1``, tail 0.  Any threshold that is a
    function of the history keeps the split exact.  Returns ``(x, p)``.
    """
    ab = a + b
    sd = math.sqrt(a * b / (ab * ab * (ab + 1.0)))
    mode = (a - 1.0) / (ab - 2.0) if ab > 2.0 else 0.0
    abl = a_lead + b_lead
    sd_l = math.sqrt(a_lead * b_lead / (abl * abl * (abl + 1.0)))
    x = max(mode + TS_MODE_SD * sd, a_lead / abl - TS_LEADER_SD * sd_l)
    if x >= 1.0:
        return 1.0, 0.0
    return x, _beta_int_sf(x, a, b)


@njit
def _beta_split_variate(a, b, a_lead, b_lead):
    """One Beta(a, b) draw through the body / tail split (integers ``a, b >= 1``).

    With ``(x, p) = _beta_split_threshold(a, b, a_lead, b_lead)``: with probability ``p`` a draw from the
    upper tail ``theta > x``, else from the body ``theta <= x``.  The mixture is exactly
    Beta(a, b); this is the law Thompson sampling's skipping relies on (tested against
    ``scipy.stats.beta``).
    """
    x, p = _beta_split_threshold(a, b, a_lead, b_lead)
    if np.random.random() < p:
        return _beta_upper_tail_variate(x, a, b)
    return _beta_lower_body_variate(x, a, b)


# ---------------------------------------------------------------------------------------------
# KL-UCB index and Tsallis-INF weights (Newton solvers)
# ---------------------------------------------------------------------------------------------
@njit
def _kl_bern(p, q):
    """Bernoulli KL divergence kl(p, q) with the 0 log 0 = 0 convention."""
    p = min(max(p, 0.0), 1.0)
    q = min(max(q, _KL_EPS), 1.0 - _KL_EPS)
    out = 0.0
    if p > 0.0:
        out += p * math.log(p / q)
    if p < 1.0:
        out += (1.0 - p) * math.log((1.0 - p) / (1.0 - q))
    return out


@njit
def _klucb_upper(mean, level):
    """Upper bound of the KL-UCB index from kl(p, q) >= max(2 (q - p)^2, (q - p)^2 / (2 q))
    (Pinsker, and the bound for q >= p): the smaller of ``p + sqrt(level / 2)`` and
    ``p + level + sqrt(2 p level + level^2)``."""
    a = mean + math.sqrt(level / 2.0)
    b = mean + level + math.sqrt(2.0 * mean * level + level * level)
    return min(a, b)


@njit
def _klucb_bern(mean, level):
    """max{q in [mean, 1) : kl(mean, q) <= level} by Newton's method from the right.

    Started at :func:`_klucb_upper` (where kl(mean, q0) >= level); q -> kl(mean, q) is convex
    and increasing on [mean, 1), so Newton decreases q monotonically to the root.
    """
    if level <= 0.0:
        return mean
    top = _KLUCB_TOP
    q = min(_klucb_upper(mean, level), top)
    if q >= top and _kl_bern(mean, top) <= level:
        return top
    for _ in range(_KLUCB_MAX_NEWTON):
        f = _kl_bern(mean, q) - level
        if f <= _KLUCB_TOL:
            break
        q -= f * q * (1.0 - q) / (q - mean)  # d kl(p, q)/dq = (q - p) / (q (1 - q))
    return max(q, mean)


@njit
def tsallis_half_weights(L, eta, w):
    """Tsallis-INF (alpha = 1/2) FTRL weights by Newton's method (Zimmert & Seldin 2021, Alg. 2).

    ``w_i = 4 / (eta (L_i - x))^2`` with the multiplier ``x < min L`` such that sum w = 1.
    Started at ``x0 = min L - 2 / eta`` (where the smallest-loss weight alone is 1, so
    sum w >= 1), Newton decreases ``x`` monotonically to the root because sum w(x) is convex
    and increasing on ``x < min L`` (it never overshoots from that side).  Returns ``x``.
    """
    K = L.size
    m = L[0]
    for i in range(1, K):
        m = min(m, L[i])
    x = m - 2.0 / eta
    for _ in range(_TSALLIS_MAX_NEWTON):
        s = 0.0
        s32 = 0.0
        for i in range(K):
            d = eta * (L[i] - x)
            wi = 4.0 / (d * d)
            w[i] = wi
            s += wi
            s32 += wi * math.sqrt(wi)
        if abs(s - 1.0) < _TSALLIS_TOL:
            break
        x -= (s - 1.0) / (eta * s32)  # Newton step on sum_i w_i(x) = 1 (d w_i/dx = eta w_i^1.5)
    s = 0.0
    for i in range(K):
        s += w[i]
    for i in range(K):
        w[i] /= s
    return x


# ---------------------------------------------------------------------------------------------
# ridge state of the linear and dynamical linear kernels
# ---------------------------------------------------------------------------------------------
@njit
def _reset_ridge(V, Vinv, b, lam):
    """``V = lam I``, ``Vinv = I / lam``, ``b = 0`` in place (the ridge state of a fresh run).

    Explicit loops: slice assignment is slow to compile."""
    d = b.shape[0]
    for k in range(d):
        for l in range(d):
            V[k, l] = 0.0
            Vinv[k, l] = 0.0
        V[k, k] = lam
        Vinv[k, k] = 1.0 / lam
        b[k] = 0.0
