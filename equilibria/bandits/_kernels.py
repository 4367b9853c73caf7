# ruff: noqa: NPY002  (numba kernels use the legacy np.random API: numba keeps one seeded MT19937 per thread)
"""Compiled simulation kernels for the bandits room.

Every kernel runs *whole runs* in compiled code: it takes a chunk of per-run integer seeds,
calls ``np.random.seed(seed)`` at the start of each run (numba keeps one generator per thread,
so a run's stream depends only on its seed) and writes the cumulative pseudo-regret and
realized regret at the checkpoint times ``ck`` (1-based round counts), the pull counts and the
final recommendation.  One dtype per argument (float64 arrays, int64 scalars and index arrays),
so each kernel compiles one signature.

Policy codes of :func:`mab_kernel` (see ``policies.py`` for the papers and default tunings)::

    0 UCB1        1 UCB-V       2 KL-UCB      3 MOSS        4 TS (Beta)    5 TS (Gaussian)
    6 EXP3        7 EXP3-IX     8 Tsallis-INF 9 log-barrier FTRL            10 UCB-E
    11 phase elimination (successive rejects / sequential halving / DP elimination)
    12 uniform round robin (baseline)

Environment codes: 0 Bernoulli, 1 Gaussian (``env_par[0]`` = sigma), 2 Beta rewards on [0, 1]
(``env_par[0]`` = concentration), 3 oblivious adversarial table ``adv[t, i]``.
"""

from __future__ import annotations

import math

import numpy as np

from equilibria._lib.jit import njit
from equilibria._lib.linalg import sherman_morrison_update

# the online-learning room's log-barrier FTRL solver (one Newton solver for the equation
# sum_i 1 / (eta (L_i - x)) = 1, shared through that room's public interface)
from equilibria.solvers.online import log_barrier_kernel


# ---------------------------------------------------------------------------------------------
# small helpers
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
            if u < 1.0 - 0.0331 * z2 * z2 or math.log(u) < 0.5 * z2 + d * (1.0 - v + math.log(v)):
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


@njit
def _kl_bern(p, q):
    """Bernoulli KL divergence kl(p, q) with the 0 log 0 = 0 convention."""
    eps = 1e-15
    p = min(max(p, 0.0), 1.0)
    q = min(max(q, eps), 1.0 - eps)
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
    top = 1.0 - 1e-12
    q = min(_klucb_upper(mean, level), top)
    if q >= top and _kl_bern(mean, top) <= level:
        return top
    for _ in range(50):
        f = _kl_bern(mean, q) - level
        if f <= 1e-12:
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
    for _ in range(100):
        s = 0.0
        s32 = 0.0
        for i in range(K):
            d = eta * (L[i] - x)
            wi = 4.0 / (d * d)
            w[i] = wi
            s += wi
            s32 += wi * math.sqrt(wi)
        if abs(s - 1.0) < 1e-13:
            break
        x -= (s - 1.0) / (eta * s32)  # Newton step on sum_i w_i(x) = 1 (d w_i/dx = eta w_i^1.5)
    s = 0.0
    for i in range(K):
        s += w[i]
    for i in range(K):
        w[i] /= s
    return x


# ---------------------------------------------------------------------------------------------
# the finite-armed engine
# ---------------------------------------------------------------------------------------------
@njit
def _phase_end(fresh, sched, phase, active, n_active, cnt_ph, sum_ph, s, n, idx):
    """End of an elimination phase: score the active arms, keep the best ``sched[phase, 1]``.

    Scores are the phase's fresh-sample means (``fresh == 1``: sequential halving, DP
    elimination) or the all-sample means (successive rejects), plus Laplace noise of scale
    ``sched[phase, 2]`` when positive (the epsilon-DP release).  ``idx`` receives the scores
    (``-inf`` for eliminated arms); phase counters are reset.  Returns the new active count.
    """
    K = active.size
    for i in range(K):
        if active[i]:
            if fresh == 1.0:
                sc = sum_ph[i] / max(cnt_ph[i], 1.0)
            else:
                sc = s[i] / max(n[i], 1.0)
            if sched[phase, 2] > 0.0:
                sc += _laplace(sched[phase, 2])
            idx[i] = sc + 1e-9 * np.random.random()  # random tie-break
        else:
            idx[i] = -np.inf
    keep = int(sched[phase, 1])
    while n_active > keep:
        worst = -1
        wv = np.inf
        for i in range(K):
            if active[i] and idx[i] < wv:
                wv = idx[i]
                worst = i
        active[worst] = False
        idx[worst] = -np.inf
        n_active -= 1
    for i in range(K):
        cnt_ph[i] = 0.0
        sum_ph[i] = 0.0
    return n_active


@njit
def mab_kernel(env_kind, means, env_par, adv, policy, par, sched, horizon, seeds, ck,
               out_pseudo, out_real, out_pulls, out_rec):
    """Run ``seeds.size`` independent runs of one policy on one finite-armed environment.

    One kernel for every (environment, policy) code: specialising the run loop per policy
    (closure constants + dead-branch pruning) was measured to cost more in total (about 1.5 s
    per specialisation, nine of them in ``verify --quick``) than this single 13-policy kernel.
    """
    K = means.size
    mustar = means[_argmax(means)]
    n = np.empty(K)  # pull counts
    s = np.empty(K)  # reward sums
    s2 = np.empty(K)  # sums of squared rewards
    L = np.empty(K)  # cumulative (loss or reward) estimates, exponential-weights family
    p = np.empty(K)  # current sampling distribution (randomized policies)
    idx = np.zeros(K)
    S_adv = np.empty(K)  # adversarial: cumulative rewards of every arm
    has_p = policy in (6, 7, 8, 9)
    active = np.empty(K, dtype=np.bool_)  # phase elimination state
    cnt_ph = np.empty(K)
    sum_ph = np.empty(K)
    n_phases = sched.shape[0]
    for r in range(seeds.size):
        np.random.seed(seeds[r])
        for i in range(K):  # reset (explicit loops: slice assignment is slow to compile)
            n[i] = 0.0
            s[i] = 0.0
            s2[i] = 0.0
            L[i] = 0.0
            p[i] = 1.0 / K
            S_adv[i] = 0.0
            active[i] = True
            cnt_ph[i] = 0.0
            sum_ph[i] = 0.0
            idx[i] = 0.0
        n_active = K
        phase = 0
        final_arm = -1
        pseudo = 0.0
        real = 0.0
        exp_reward = 0.0  # adversarial: sum_t <p_t, x_t> (or x_t(A_t) for deterministic rules)
        got = 0.0  # adversarial: realized reward
        j = 0
        n_ck = ck.size
        for t in range(horizon):
            tt = t + 1.0  # 1-based round index
            a = -1
            # ---------------- select ----------------
            if policy <= 3 or policy == 10:
                if t < K:
                    a = t  # pull every arm once
                else:
                    lt = math.log(t)  # ln of the number of plays so far
                    if policy == 0:  # UCB1: mean + sqrt(c ln t / n_i)   (Auer et al. 2002, Fig. 1)
                        for i in range(K):
                            idx[i] = s[i] / n[i] + math.sqrt(par[0] * lt / n[i])
                    elif policy == 1:  # UCB-V (Audibert, Munos, Szepesvari 2009, eq. (1))
                        E = par[0] * lt
                        for i in range(K):
                            m_i = s[i] / n[i]
                            v_i = max(s2[i] / n[i] - m_i * m_i, 0.0)
                            idx[i] = m_i + math.sqrt(2.0 * v_i * E / n[i]) + par[1] * 3.0 * par[2] * E / n[i]
                    elif policy == 2:  # KL-UCB
                        if par[3] == 0.0:  # log f(t), f(t) = 1 + t log^2 t  (L&S 2020, Alg. 8)
                            lvl = math.log(1.0 + tt * math.log(tt) ** 2)
                        else:  # log t + c log log t  (Garivier & Cappe 2011, eq. (3))
                            lvl = math.log(tt) + par[0] * math.log(max(math.log(tt), 1e-300))
                        if par[1] == 0.0:  # Bernoulli kl; prune with cheap upper bounds
                            for i in range(K):
                                idx[i] = _klucb_upper(s[i] / n[i], lvl / n[i])
                            best_val = -1.0
                            for _ in range(K):
                                i = _argmax(idx)
                                if idx[i] <= best_val:
                                    break
                                v = _klucb_bern(s[i] / n[i], lvl / n[i])
                                idx[i] = -2.0  # processed
                                if v > best_val:
                                    best_val = v
                                    a = i
                        else:  # Gaussian kl: mean + sqrt(2 sigma^2 lvl / n)
                            for i in range(K):
                                idx[i] = s[i] / n[i] + math.sqrt(2.0 * par[2] * par[2] * lvl / n[i])
                    elif policy == 3:  # MOSS (Audibert & Bubeck 2009, eq. (5))
                        for i in range(K):
                            idx[i] = s[i] / n[i] + math.sqrt(max(math.log(par[0] / (K * n[i])), 0.0) / n[i])
                    else:  # UCB-E (Audibert, Bubeck, Munos 2010): mean + sqrt(a / n_i)
                        for i in range(K):
                            idx[i] = s[i] / n[i] + math.sqrt(par[0] / n[i])
                    if a < 0:
                        a = _argmax(idx)
            elif policy == 4:  # Thompson sampling, Beta(1 + S, 1 + F) (Agrawal & Goyal 2012, Alg. 2)
                for i in range(K):
                    idx[i] = _beta_variate(1.0 + s[i], 1.0 + n[i] - s[i])
                a = _argmax(idx)
            elif policy == 5:  # Gaussian TS: N(S / (k + 1), sigma^2 / (k + 1)) (Agrawal & Goyal 2013)
                for i in range(K):
                    idx[i] = s[i] / (n[i] + 1.0) + par[0] * np.random.standard_normal() / math.sqrt(n[i] + 1.0)
                a = _argmax(idx)
            elif policy == 6:  # EXP3: P_ti ∝ exp(eta S_{t-1,i})  (L&S 2020, Alg. 9, eq. (11.5))
                mx = L[0]
                for i in range(1, K):
                    mx = max(mx, L[i])
                z = 0.0
                for i in range(K):
                    p[i] = math.exp(par[0] * (L[i] - mx))
                    z += p[i]
                for i in range(K):
                    p[i] /= z
            elif policy == 7:  # EXP3-IX: P_ti ∝ exp(-eta Lhat_{t-1,i})  (Neu 2015; L&S Alg. 10)
                mn = L[0]
                for i in range(1, K):
                    mn = min(mn, L[i])
                z = 0.0
                for i in range(K):
                    p[i] = math.exp(-par[0] * (L[i] - mn))
                    z += p[i]
                for i in range(K):
                    p[i] /= z
            elif policy == 8:  # Tsallis-INF, eta_t = c / sqrt(t)  (Zimmert & Seldin 2021, Alg. 1)
                tsallis_half_weights(L, par[0] / math.sqrt(tt), p)
            elif policy == 9:  # log-barrier FTRL on loss estimates
                log_barrier_kernel(L, par[0], p)
            elif policy == 11:  # phase elimination
                while a < 0:
                    if final_arm >= 0:
                        a = final_arm
                        break
                    target = sched[phase, 0]
                    for i in range(K):
                        if active[i] and cnt_ph[i] < target:
                            a = i
                            break
                    if a >= 0:
                        break
                    n_active = _phase_end(par[0], sched, phase, active, n_active, cnt_ph, sum_ph,
                                          s, n, idx)
                    phase += 1
                    if n_active == 1 or phase >= n_phases:
                        final_arm = _argmax(idx)
            else:  # 12: round robin
                a = t % K
            if has_p:  # one draw site for the four exponential-weights policies
                a = _sample_index(p)
            # ---------------- reward ----------------
            if env_kind == 0:
                x = 1.0 if np.random.random() < means[a] else 0.0
            elif env_kind == 1:
                x = means[a] + env_par[0] * np.random.standard_normal()
            elif env_kind == 2:
                mu = means[a]
                if mu <= 0.0:
                    x = 0.0
                elif mu >= 1.0:
                    x = 1.0
                else:
                    x = _beta_variate(mu * env_par[0], (1.0 - mu) * env_par[0])
            else:
                x = adv[t, a]
            # ---------------- update ----------------
            n[a] += 1.0
            s[a] += x
            s2[a] += x * x
            if policy == 4 and x != 0.0 and x != 1.0:
                # binarization trick for rewards in [0, 1] (Agrawal & Goyal 2012, Sec. 2)
                s[a] += (1.0 if np.random.random() < x else 0.0) - x
            if policy == 6:
                L[a] -= (1.0 - x) / p[a]  # S_ti = S_{t-1,i} + 1 - 1{A_t=i}(1 - X_t)/P_ti (common +1 dropped)
            elif policy == 7:
                L[a] += (1.0 - x) / (p[a] + par[1])  # implicit exploration, gamma = par[1]
            elif policy == 8:
                loss = 1.0 - x
                if par[1] == 1.0:  # reduced-variance estimator, B_ti = 1/2 1{w_ti >= eta_t^2}
                    eta_t = par[0] / math.sqrt(tt)
                    for i in range(K):
                        b = 0.5 if p[i] >= eta_t * eta_t else 0.0
                        if i == a:
                            L[i] += (loss - b) / p[i] + b
                        else:
                            L[i] += b
                else:  # importance-weighted estimator
                    L[a] += loss / p[a]
            elif policy == 9:
                L[a] += (1.0 - x) / p[a]
            elif policy == 11:
                cnt_ph[a] += 1.0
                sum_ph[a] += x
            # ---------------- regret ----------------
            if env_kind == 3:
                mx = -np.inf
                er = 0.0
                for i in range(K):
                    S_adv[i] += adv[t, i]
                    mx = max(mx, S_adv[i])
                    er += p[i] * adv[t, i]
                exp_reward += er if has_p else x
                got += x
                pseudo = mx - exp_reward
                real = mx - got
            else:
                pseudo += mustar - means[a]
                real += mustar - x
            if j < n_ck and ck[j] == t + 1:
                out_pseudo[r, j] = pseudo
                out_real[r, j] = real
                j += 1
        for i in range(K):
            out_pulls[r, i] = n[i]
        if policy == 11:
            if final_arm < 0 and phase < n_phases:
                # the budget ended exactly with a phase: run its elimination now
                target = sched[phase, 0]
                done = True
                for i in range(K):
                    if active[i] and cnt_ph[i] < target:
                        done = False
                if done:
                    _phase_end(par[0], sched, phase, active, n_active, cnt_ph, sum_ph, s, n, idx)
                    final_arm = _argmax(idx)
            if final_arm < 0:
                # budget ran out mid-phase: best current score among the surviving arms
                for i in range(K):
                    idx[i] = s[i] / n[i] if (active[i] and n[i] > 0) else -np.inf
                final_arm = _argmax(idx)
            out_rec[r] = final_arm
        else:
            # recommendation: best empirical mean among pulled arms
            for i in range(K):
                idx[i] = s[i] / n[i] if n[i] > 0 else -np.inf
            out_rec[r] = _argmax(idx)


@njit
def _cholesky(M, Lc):
    """Lower Cholesky factor of the SPD matrix ``M`` into ``Lc`` (small d; no LAPACK)."""
    d = M.shape[0]
    for i in range(d):
        for j in range(i + 1):
            acc = M[i, j]
            for k in range(j):
                acc -= Lc[i, k] * Lc[j, k]
            if i == j:
                Lc[i, i] = math.sqrt(max(acc, 1e-300))
            else:
                Lc[i, j] = acc / Lc[j, j]
        for j in range(i + 1, d):
            Lc[i, j] = 0.0


# ---------------------------------------------------------------------------------------------
# linear bandits: OFUL / LinUCB and linear Thompson sampling
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


@njit
def linear_kernel(actions, theta, sigma, policy, par, horizon, seeds, ck, out_pseudo, out_real,
                  out_pulls, out_rec, out_cover):
    """Finite-action linear bandit ``X_t = <A_t, theta> + sigma * N(0, 1)``.

    ``policy`` 0: OFUL (Abbasi-Yadkori, Pal, Szepesvari 2011); 1: linear Thompson sampling.
    ``par = [lam, delta, S, R, v]``: ridge parameter, confidence level, ``||theta|| <= S``,
    sub-Gaussian constant of the noise, TS inflation factor (``v <= 0``: use sqrt(beta_t)).
    ``out_cover[r]`` is 1 when ``||theta_hat_t - theta||_{V_t} <= sqrt(beta_t)`` held at every
    round of run ``r`` (the event of Abbasi-Yadkori et al. 2011, Thm 2).
    """
    K, d = actions.shape
    lam, delta, S, R, v = par[0], par[1], par[2], par[3], par[4]
    vals = np.zeros(K)
    for i in range(K):
        for k in range(d):
            vals[i] += actions[i, k] * theta[k]
    Lc = np.zeros((d, d))
    z = np.empty(d)
    best = vals[_argmax(vals)]
    n_ck = ck.size
    V = np.empty((d, d))
    Vinv = np.empty((d, d))
    b = np.empty(d)
    th = np.empty(d)
    Vx = np.empty(d)
    diff = np.empty(d)
    pulls = np.zeros(K)
    for r in range(seeds.size):
        np.random.seed(seeds[r])
        _reset_ridge(V, Vinv, b, lam)
        for i in range(K):
            pulls[i] = 0.0
        logdet_ratio = 0.0  # log det(V_t) - d log(lam)
        covered = 1
        pseudo = 0.0
        real = 0.0
        j = 0
        for t in range(horizon):
            # theta_hat = V^{-1} b  (ridge estimate, eq. (5) of Abbasi-Yadkori et al.)
            for k in range(d):
                acc = 0.0
                for l in range(d):
                    acc += Vinv[k, l] * b[l]
                th[k] = acc
            # sqrt(beta_t) = R sqrt(2 log(1/delta) + log(det V_t / lam^d)) + sqrt(lam) S  (Thm 2)
            rad = R * math.sqrt(2.0 * math.log(1.0 / delta) + logdet_ratio) + math.sqrt(lam) * S
            # coverage of theta by the ellipsoid
            for k in range(d):
                diff[k] = th[k] - theta[k]
            q = 0.0
            for k in range(d):
                acc = 0.0
                for l in range(d):
                    acc += V[k, l] * diff[l]
                q += diff[k] * acc
            if q > rad * rad:
                covered = 0
            if policy == 1:  # sample theta_tilde ~ N(theta_hat, v^2 V^{-1})
                scale = v if v > 0.0 else rad
                _cholesky(Vinv, Lc)
                for k in range(d):
                    z[k] = np.random.standard_normal()
                for k in range(d):
                    acc = 0.0
                    for l in range(k + 1):
                        acc += Lc[k, l] * z[l]
                    diff[k] = th[k] + scale * acc
            a = 0
            bestv = -np.inf
            for i in range(K):
                x = actions[i]
                if policy == 0:  # optimistic index <x, theta_hat> + sqrt(beta) ||x||_{V^-1}
                    m = 0.0
                    w = 0.0
                    for k in range(d):
                        m += x[k] * th[k]
                        acc = 0.0
                        for l in range(d):
                            acc += Vinv[k, l] * x[l]
                        w += x[k] * acc
                    val = m + rad * math.sqrt(max(w, 0.0))
                else:
                    val = 0.0
                    for k in range(d):
                        val += x[k] * diff[k]
                if val > bestv:
                    bestv = val
                    a = i
            x = actions[a]
            y = vals[a] + sigma * np.random.standard_normal()
            # Sherman-Morrison update of V^{-1}; det(V + x x^T) = det(V) (1 + x^T V^{-1} x)
            den = sherman_morrison_update(Vinv, V, x, Vx)
            for k in range(d):
                b[k] += y * x[k]
            logdet_ratio += math.log(den)
            pulls[a] += 1.0
            pseudo += best - vals[a]
            real += best - y
            if j < n_ck and ck[j] == t + 1:
                out_pseudo[r, j] = pseudo
                out_real[r, j] = real
                j += 1
        for i in range(K):
            out_pulls[r, i] = pulls[i]
        out_rec[r] = _argmax(pulls)
        out_cover[r] = covered


# ---------------------------------------------------------------------------------------------
# dynamical linear bandits: DynLin-UCB (epochs of held actions)
# ---------------------------------------------------------------------------------------------
@njit
def dynlin_kernel(A, B, omega, theta, actions, sigma, x0, J, policy, par, horizon, seeds, ck,
                  out_pseudo, out_real, out_pulls, out_rec):
    """Dynamical linear bandit ``x_{t+1} = A x_t + B u_t``, ``y_t = <omega, x_t> + <theta, u_t> + noise``.

    ``policy`` 0: DynLin-UCB, 1: OFUL that ignores the dynamics (one round per "epoch", no burn-in).
    ``par = [lam, delta, S, burn, avg, bias]``.  Epoch ``m`` holds the optimistic action for
    ``burn + avg`` rounds; the sample of the epoch is the mean of the last ``avg`` rewards, whose
    noise is sigma / sqrt(avg) sub-Gaussian and whose transient bias is at most ``bias``.
    Regret is measured against ``J = J* = max_u <h, u>``, ``h = theta + B^T (I - A)^{-T} omega``
    (computed by the caller).
    """
    K, d = actions.shape
    nx = A.shape[0]
    lam, delta, S, burn, avg, bias = par[0], par[1], par[2], int(par[3]), int(par[4]), par[5]
    n_ck = ck.size
    V = np.empty((d, d))
    Vinv = np.empty((d, d))
    bvec = np.empty(d)
    th = np.empty(d)
    Vx = np.empty(d)
    x = np.empty(nx)
    xn = np.empty(nx)
    pulls = np.zeros(K)
    R_avg = sigma / math.sqrt(avg)
    for r in range(seeds.size):
        np.random.seed(seeds[r])
        _reset_ridge(V, Vinv, bvec, lam)
        for k in range(nx):
            x[k] = x0[k]
        for i in range(K):
            pulls[i] = 0.0
        logdet_ratio = 0.0
        pseudo = 0.0
        real = 0.0
        j = 0
        t = 0
        m = 0
        while t < horizon:
            for k in range(d):
                acc = 0.0
                for l in range(d):
                    acc += Vinv[k, l] * bvec[l]
                th[k] = acc
            # radius: OFUL radius at the averaged noise level plus the accumulated bias term
            rad = R_avg * math.sqrt(2.0 * math.log(1.0 / delta) + logdet_ratio) \
                + math.sqrt(lam) * S + bias * math.sqrt(m)
            a = 0
            bestv = -np.inf
            for i in range(K):
                mm = 0.0
                w = 0.0
                for k in range(d):
                    mm += actions[i, k] * th[k]
                    acc = 0.0
                    for l in range(d):
                        acc += Vinv[k, l] * actions[i, l]
                    w += actions[i, k] * acc
                val = mm + rad * math.sqrt(max(w, 0.0))
                if val > bestv:
                    bestv = val
                    a = i
            u = actions[a]
            ysum = 0.0
            cnt = 0
            hold = burn + avg
            for s_ in range(hold):
                if t >= horizon:
                    break
                mean_y = 0.0
                for k in range(nx):
                    mean_y += omega[k] * x[k]
                for k in range(d):
                    mean_y += theta[k] * u[k]
                y = mean_y + sigma * np.random.standard_normal()
                if s_ >= burn:
                    ysum += y
                    cnt += 1
                for k in range(nx):
                    acc = 0.0
                    for l in range(nx):
                        acc += A[k, l] * x[l]
                    for l in range(d):
                        acc += B[k, l] * u[l]
                    xn[k] = acc
                for k in range(nx):
                    x[k] = xn[k]
                pulls[a] += 1.0
                pseudo += J - mean_y
                real += J - y
                t += 1
                if j < n_ck and ck[j] == t:
                    out_pseudo[r, j] = pseudo
                    out_real[r, j] = real
                    j += 1
            if cnt == avg:  # complete epoch: add (u, mean of post-transient rewards)
                ybar = ysum / cnt
                den = sherman_morrison_update(Vinv, V, u, Vx)
                for k in range(d):
                    bvec[k] += ybar * u[k]
                logdet_ratio += math.log(den)
                m += 1
        for i in range(K):
            out_pulls[r, i] = pulls[i]
        out_rec[r] = _argmax(pulls)


# ---------------------------------------------------------------------------------------------
# closed-loop fair thresholds: Optimistic Feasible Search and baselines
# ---------------------------------------------------------------------------------------------
@njit
def _threshold_means(acc, good, cost, eps, rmin, pi, j, out):
    """Expected reward and constraint residuals of grid threshold ``j`` at group-1 share ``pi``."""
    a0 = acc[0, j]
    a1 = acc[1, j]
    out[0] = (1.0 - pi) * (good[0, j] - cost * a0) + pi * (good[1, j] - cost * a1)
    out[1] = abs(a0 - a1) - eps  # demographic parity residual (<= 0 feasible)
    out[2] = rmin - ((1.0 - pi) * a0 + pi * a1)  # service-rate residual (<= 0 feasible)


@njit
def _binomial(n, p):
    """Binomial(n, p) by sequential inversion (small n; avoids compiling numba's sampler).

    Works with ``min(p, 1 - p)`` so the starting mass ``q^n >= 2^-n`` does not underflow for
    ``n <= 1000`` (the environment caps the batch there).
    """
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    flip = p > 0.5
    pp = 1.0 - p if flip else p
    q = 1.0 - pp
    ratio = pp / q
    r = q ** n  # P(X = 0)
    u = np.random.random()
    x = 0
    while u > r and x < n:
        u -= r
        x += 1
        r *= ratio * (n - x + 1) / x  # P(X = x) / P(X = x - 1)
    return n - x if flip else x


@njit
def ofs_kernel(acc, good, env_par, policy, par, horizon, seeds, ck, out_pseudo, out_real,
               out_viol, out_pulls, out_rec):
    """Closed-loop threshold environment with demographic-parity and service-rate constraints.

    ``env_par = [cost, eps, rmin, pi0, kappa, gamma, batch, rstar, pi_init]``; each round a batch
    of ``batch`` applicants arrives (group 1 with probability ``pi_t``); the chosen threshold
    accepts group ``g`` with probability ``acc[g, j]`` and an accepted applicant repays with
    probability ``good[g, j] / acc[g, j]``; reward per applicant is ``repaid - cost * accepted``.
    The share evolves as ``pi_{t+1} = (1 - kappa) pi_t + kappa clip(pi0 + gamma (a1 - a0))``.

    ``policy`` 0: OFS, 1: primal-dual (Lagrangian UCB), 2: unconstrained UCB.
    ``par = [beta, eta, lam_max]``: radius scale ``beta sqrt(log t / n)``, dual step, dual cap.
    """
    G = acc.shape[1]
    cost, eps, rmin, pi0, kappa, gamma = env_par[0], env_par[1], env_par[2], env_par[3], env_par[4], env_par[5]
    batch = int(env_par[6])
    rstar = env_par[7]
    beta, eta, lam_max = par[0], par[1], par[2]
    n_ck = ck.size
    cnt = np.zeros(G)
    sr = np.zeros(G)
    sg1 = np.zeros(G)
    sg2 = np.zeros(G)
    ex = np.empty(3)
    for r in range(seeds.size):
        np.random.seed(seeds[r])
        for i in range(G):  # explicit loop: slice assignment is slow to compile
            cnt[i] = 0.0
            sr[i] = 0.0
            sg1[i] = 0.0
            sg2[i] = 0.0
        pi = env_par[8]
        lam1 = 0.0
        lam2 = 0.0
        pseudo = 0.0
        real = 0.0
        viol = 0.0
        jck = 0
        for t in range(horizon):
            a = -1
            if t < G:
                a = t
            else:
                lt = math.log(t + 1.0)
                bestv = -np.inf
                if policy == 0:  # OFS: optimistic feasible set, optimistic reward
                    for i in range(G):
                        rad = beta * math.sqrt(lt / cnt[i])
                        if sg1[i] / cnt[i] - rad <= 0.0 and sg2[i] / cnt[i] - rad <= 0.0:
                            v = sr[i] / cnt[i] + rad
                            if v > bestv:
                                bestv = v
                                a = i
                    if a < 0:  # nothing looks feasible: least optimistic violation
                        bestv = np.inf
                        for i in range(G):
                            rad = beta * math.sqrt(lt / cnt[i])
                            v = max(sg1[i] / cnt[i] - rad, 0.0) + max(sg2[i] / cnt[i] - rad, 0.0)
                            if v < bestv:
                                bestv = v
                                a = i
                elif policy == 1:  # primal-dual: optimistic Lagrangian
                    for i in range(G):
                        rad = beta * math.sqrt(lt / cnt[i])
                        v = sr[i] / cnt[i] + rad - lam1 * (sg1[i] / cnt[i] - rad) \
                            - lam2 * (sg2[i] / cnt[i] - rad)
                        if v > bestv:
                            bestv = v
                            a = i
                else:  # unconstrained UCB on reward
                    for i in range(G):
                        v = sr[i] / cnt[i] + beta * math.sqrt(lt / cnt[i])
                        if v > bestv:
                            bestv = v
                            a = i
            # environment step
            _threshold_means(acc, good, cost, eps, rmin, pi, a, ex)
            n1 = _binomial(batch, pi)
            n0 = batch - n1
            k0 = _binomial(n0, acc[0, a])
            k1 = _binomial(n1, acc[1, a])
            q0 = good[0, a] / acc[0, a] if acc[0, a] > 0.0 else 0.0
            q1 = good[1, a] / acc[1, a] if acc[1, a] > 0.0 else 0.0
            g0 = _binomial(k0, min(q0, 1.0))
            g1 = _binomial(k1, min(q1, 1.0))
            rew = (g0 + g1 - cost * (k0 + k1)) / batch
            r0 = k0 / n0 if n0 > 0 else acc[0, a]
            r1 = k1 / n1 if n1 > 0 else acc[1, a]
            res1 = abs(r0 - r1) - eps
            res2 = rmin - (k0 + k1) / batch
            cnt[a] += 1.0
            sr[a] += rew
            sg1[a] += res1
            sg2[a] += res2
            if policy == 1:  # projected dual ascent
                lam1 = min(max(lam1 + eta * res1, 0.0), lam_max)
                lam2 = min(max(lam2 + eta * res2, 0.0), lam_max)
            pseudo += rstar - ex[0]
            real += rstar - rew
            viol += max(ex[1], 0.0) + max(ex[2], 0.0)
            # closed loop: the population responds to the decision
            target = pi0 + gamma * (acc[1, a] - acc[0, a])
            target = min(max(target, 0.02), 0.98)
            pi = (1.0 - kappa) * pi + kappa * target
            if jck < n_ck and ck[jck] == t + 1:
                out_pseudo[r, jck] = pseudo
                out_real[r, jck] = real
                out_viol[r, jck] = viol
                jck += 1
        for i in range(G):
            out_pulls[r, i] = cnt[i]
        out_rec[r] = _argmax(cnt)
