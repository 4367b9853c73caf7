# ruff: noqa: NPY002  (numba kernels use the legacy np.random API: numba keeps one seeded MT19937 per thread)
"""The finite-armed engine :func:`mab_kernel` and its per-policy helpers.

One round of :func:`mab_kernel` is: *select* an arm (per-policy helpers below; see
``policies.py`` for the papers and default tunings), draw its *reward*
(:func:`_stochastic_reward`, or the adversarial table), *update* the policy's statistics and
add the round's *regret*.
Policy and environment codes: :class:`~equilibria.bandits._codes.PolicyCode`,
:class:`~equilibria.bandits._codes.EnvCode`.

State arrays of a run (length K): ``n`` pull counts, ``s`` reward sums, ``s2`` sums of squared
rewards, ``L`` cumulative (loss or reward) estimates of the exponential-weights family, ``p``
its sampling distribution, ``idx`` per-arm scratch (indices, posterior samples, scores).

Helpers called every round are ``inline="always"`` and, on the hot paths (index formulas,
reward draw), take scalars: each array bound to an inlined helper's parameter adds reference
counting to the round loop, which was measured to slow UCB1 by 5-18%; per-arm scalar helpers
cost nothing.
"""

from __future__ import annotations

import math

import numpy as np

from equilibria._lib.jit import njit

# the online-learning room's log-barrier FTRL solver (one Newton solver for the equation
# sum_i 1 / (eta (L_i - x)) = 1, shared through that room's public interface)
from equilibria.solvers.online import log_barrier_kernel

from .._codes import EnvCode, PolicyCode
from .common import _argmax, _beta_lower_body_variate, _beta_split_threshold, \
    _beta_upper_tail_variate, _beta_variate, _geometric_rounds, _klucb_bern, _klucb_upper, \
    _laplace, _sample_index, tsallis_half_weights

# plain-int copies of the codes: numba compiles module-level ints in as constants
UCB1 = int(PolicyCode.UCB1)
UCBV = int(PolicyCode.UCBV)
KLUCB = int(PolicyCode.KLUCB)
MOSS = int(PolicyCode.MOSS)
TS_BETA = int(PolicyCode.TS_BETA)
TS_GAUSSIAN = int(PolicyCode.TS_GAUSSIAN)
EXP3 = int(PolicyCode.EXP3)
EXP3IX = int(PolicyCode.EXP3IX)
TSALLIS_INF = int(PolicyCode.TSALLIS_INF)
LOG_BARRIER = int(PolicyCode.LOG_BARRIER)
UCBE = int(PolicyCode.UCBE)
PHASE_ELIMINATION = int(PolicyCode.PHASE_ELIMINATION)
ROUND_ROBIN = int(PolicyCode.ROUND_ROBIN)

BERNOULLI = int(EnvCode.BERNOULLI)
GAUSSIAN = int(EnvCode.GAUSSIAN)
BOUNDED = int(EnvCode.BOUNDED)
ADVERSARIAL = int(EnvCode.ADVERSARIAL)

#: floor of log(t) inside log log t of KL-UCB's "gc" exploration level (log log 1 = -inf)
_LOGLOG_FLOOR = 1e-300
#: KL-UCB pruning: marks an arm whose exact index is computed; below every index in [0, 1]
#: and below the starting best value ``_KLUCB_NO_BEST``
_KLUCB_DONE = -2.0
#: KL-UCB pruning: best exact index before any arm is processed (below every index in [0, 1])
_KLUCB_NO_BEST = -1.0
#: scale of the uniform random tie-break added to elimination scores
_TIE_BREAK = 1e-9


# ---------------------------------------------------------------------------------------------
# select: index policies (after one pull per arm)
# ---------------------------------------------------------------------------------------------
@njit(inline="always")
def _ucb1_index(s_i, n_i, c, lt):
    """UCB1: ``mean + sqrt(c ln t / n_i)`` (Auer et al. 2002, Fig. 1)."""
    return s_i / n_i + math.sqrt(c * lt / n_i)


@njit(inline="always")
def _ucbv_index(s_i, s2_i, n_i, E, c, b):
    """UCB-V: ``mean + sqrt(2 V_i E / n_i) + c 3 b E / n_i``, ``E = zeta ln t``
    (Audibert, Munos, Szepesvari 2009, eq. (1))."""
    m_i = s_i / n_i
    v_i = max(s2_i / n_i - m_i * m_i, 0.0)
    return m_i + math.sqrt(2.0 * v_i * E / n_i) + c * 3.0 * b * E / n_i


@njit(inline="always")
def _klucb_choice(par, tt, s, n, idx):
    """KL-UCB's arm at the 1-based round ``tt``; ``par = [c, kl, sigma, exploration]``.

    Level ``log f(t)``, ``f(t) = 1 + t log^2 t`` (``exploration == 0``, L&S 2020, Alg. 8) or
    ``log t + c log log t`` (Garivier & Cappe 2011, eq. (3)).  Bernoulli kl (``kl == 0``):
    the exact indices are computed in decreasing order of their cheap upper bounds, stopping
    once no bound beats the best exact index; returns the arm.  Gaussian kl: fills ``idx``
    with ``mean + sqrt(2 sigma^2 level / n)`` and returns -1 (the caller takes the argmax).
    """
    if par[3] == 0.0:
        lvl = math.log(1.0 + tt * math.log(tt) ** 2)
    else:
        lvl = math.log(tt) + par[0] * math.log(max(math.log(tt), _LOGLOG_FLOOR))
    a = -1
    if par[1] == 0.0:
        for i in range(idx.size):
            idx[i] = _klucb_upper(s[i] / n[i], lvl / n[i])
        best_val = _KLUCB_NO_BEST
        for _ in range(idx.size):
            i = _argmax(idx)
            if idx[i] <= best_val:
                break
            v = _klucb_bern(s[i] / n[i], lvl / n[i])
            idx[i] = _KLUCB_DONE
            if v > best_val:
                best_val = v
                a = i
    else:
        for i in range(idx.size):
            idx[i] = s[i] / n[i] + math.sqrt(2.0 * par[2] * par[2] * lvl / n[i])
    return a


@njit(inline="always")
def _moss_index(s_i, n_i, horizon, K):
    """MOSS: ``mean + sqrt(max(ln(n / (K n_i)), 0) / n_i)`` (Audibert & Bubeck 2009, eq. (5))."""
    return s_i / n_i + math.sqrt(max(math.log(horizon / (K * n_i)), 0.0) / n_i)


@njit(inline="always")
def _ucbe_index(s_i, n_i, a):
    """UCB-E: ``mean + sqrt(a / n_i)`` (Audibert, Bubeck, Munos 2010)."""
    return s_i / n_i + math.sqrt(a / n_i)


# ---------------------------------------------------------------------------------------------
# select: Thompson sampling
# ---------------------------------------------------------------------------------------------
@njit
def _thompson_beta(s, n, idx, thr, tail, cd, stale):
    """Thompson sampling with Beta(1 + S, 1 + F) posteriors (Agrawal & Goyal 2012, Alg. 2).

    Returns the argmax of independent draws ``theta_i ~ Beta(1 + S_i, 1 + F_i)`` with its exact
    law, without drawing the losers' values.  The leader ``l`` (largest posterior mean, first
    of equal ones) is drawn in full.  Every other arm's law is split at ``thr[i]``
    (:func:`~.common._beta_split_threshold`: just below the leader's usual draw) as the mixture
    ``(1 - tail[i]) Body_i + tail[i] Tail_i``: the Bernoulli(``tail[i]``) choice of the
    component is made every round by a countdown ``cd[i]`` of geometric waiting times (one
    i.i.d. Bernoulli sequence per arm, redrawn whenever the arm's posterior changes), then

    - tail chosen: ``theta_i`` is drawn from Tail_i (``theta > thr[i]``);
    - body chosen and ``thr[i] >= M`` (``M`` the running maximum): drawn from Body_i;
    - body chosen and ``thr[i] < M``: ``theta_i <= thr[i] < M``, so arm i is not the argmax
      whatever its value; the value is not drawn.

    Each ``theta_i`` is thus exactly Beta-distributed and independent of the others, and the
    returned arm is the argmax of the drawn values, i.e. of all of them (ties have probability
    0).  ``stale[i]`` marks arms pulled (or leading) since their split was computed; it is
    recomputed before use.  ``idx`` receives the drawn values (``-inf`` for skipped arms).
    """
    K = idx.size
    lead = 0
    best_mean = -1.0
    for i in range(K):
        m_i = (1.0 + s[i]) / (2.0 + n[i])
        if m_i > best_mean:
            best_mean = m_i
            lead = i
    a_l = 1.0 + s[lead]
    b_l = 1.0 + n[lead] - s[lead]
    M = _beta_variate(a_l, b_l)
    idx[lead] = M
    best = lead
    for i in range(K):
        if i == lead:
            continue
        a_i = 1.0 + s[i]
        b_i = 1.0 + n[i] - s[i]
        if stale[i]:
            thr[i], tail[i] = _beta_split_threshold(a_i, b_i, a_l, b_l)
            cd[i] = _geometric_rounds(tail[i])
            stale[i] = False
        cd[i] -= 1.0
        if cd[i] <= 0.0:  # this round's Bernoulli(tail[i]) is a success: the upper tail
            th = _beta_upper_tail_variate(thr[i], a_i, b_i)
            cd[i] = _geometric_rounds(tail[i])
        elif thr[i] >= M:
            th = _beta_lower_body_variate(thr[i], a_i, b_i)
        else:
            idx[i] = -np.inf  # theta_i <= thr[i] < M: cannot win
            continue
        idx[i] = th
        if th > M:
            M = th
            best = i
    stale[lead] = True
    return best


@njit(inline="always")
def _thompson_gaussian(sigma, s, n, idx):
    """Gaussian Thompson sampling: ``N(S / (k + 1), sigma^2 / (k + 1))`` (Agrawal & Goyal 2013)."""
    for i in range(idx.size):
        idx[i] = s[i] / (n[i] + 1.0) + sigma * np.random.standard_normal() / math.sqrt(n[i] + 1.0)
    return _argmax(idx)


# ---------------------------------------------------------------------------------------------
# select: exponential weights (the caller draws the arm from p)
# ---------------------------------------------------------------------------------------------
@njit(inline="always")
def _exp3_weights(eta, L, p):
    """EXP3: ``P_ti ∝ exp(eta S_{t-1,i})`` (L&S 2020, Alg. 9, eq. (11.5)); ``L`` holds S."""
    K = L.size
    mx = L[0]
    for i in range(1, K):
        mx = max(mx, L[i])
    z = 0.0
    for i in range(K):
        p[i] = math.exp(eta * (L[i] - mx))
        z += p[i]
    for i in range(K):
        p[i] /= z


@njit(inline="always")
def _exp3ix_weights(eta, L, p):
    """EXP3-IX: ``P_ti ∝ exp(-eta Lhat_{t-1,i})`` (Neu 2015; L&S Alg. 10)."""
    K = L.size
    mn = L[0]
    for i in range(1, K):
        mn = min(mn, L[i])
    z = 0.0
    for i in range(K):
        p[i] = math.exp(-eta * (L[i] - mn))
        z += p[i]
    for i in range(K):
        p[i] /= z


@njit(inline="always")
def _tsallis_estimates(c, tt, a, x, rv, p, L):
    """Tsallis-INF loss estimates after arm ``a`` paid ``x`` at the 1-based round ``tt``:
    reduced-variance (``rv == 1``, ``B_ti = 1/2 1{w_ti >= eta_t^2}``, ``eta_t = c / sqrt(t)``)
    or importance-weighted."""
    loss = 1.0 - x
    if rv == 1.0:
        eta_t = c / math.sqrt(tt)
        for i in range(L.size):
            b = 0.5 if p[i] >= eta_t * eta_t else 0.0
            if i == a:
                L[i] += (loss - b) / p[i] + b
            else:
                L[i] += b
    else:
        L[a] += loss / p[a]


# ---------------------------------------------------------------------------------------------
# select: phase elimination (successive rejects, sequential halving, DP elimination)
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
            idx[i] = sc + _TIE_BREAK * np.random.random()  # random tie-break
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
def _next_phase(fresh, sched, phase, active, n_active, cnt_ph, sum_ph, s, n, idx):
    """Close the full phase ``phase`` (:func:`_phase_end`) and start the next one.

    Once one arm survives or the schedule is exhausted, the final arm is the best last score
    (played from then on; -1 before).  Returns ``(n_active, phase, final_arm)``.
    """
    n_active = _phase_end(fresh, sched, phase, active, n_active, cnt_ph, sum_ph, s, n, idx)
    phase += 1
    final_arm = -1
    if n_active == 1 or phase >= sched.shape[0]:
        final_arm = _argmax(idx)
    return n_active, phase, final_arm


@njit
def _phase_recommendation(fresh, sched, phase, final_arm, active, n_active, cnt_ph, sum_ph,
                          s, n, idx):
    """Phase elimination's recommendation at the end of the budget."""
    K = active.size
    if final_arm < 0 and phase < sched.shape[0]:
        # the budget ended exactly with a phase: run its elimination now
        target = sched[phase, 0]
        done = True
        for i in range(K):
            if active[i] and cnt_ph[i] < target:
                done = False
        if done:
            _phase_end(fresh, sched, phase, active, n_active, cnt_ph, sum_ph, s, n, idx)
            final_arm = _argmax(idx)
    if final_arm < 0:
        # budget ran out mid-phase: best current score among the surviving arms
        for i in range(K):
            idx[i] = s[i] / n[i] if (active[i] and n[i] > 0) else -np.inf
        final_arm = _argmax(idx)
    return final_arm


@njit
def _best_mean_arm(s, n, idx):
    """Recommendation of the other policies: the best empirical mean among pulled arms."""
    for i in range(idx.size):
        idx[i] = s[i] / n[i] if n[i] > 0 else -np.inf
    return _argmax(idx)


# ---------------------------------------------------------------------------------------------
# reward and adversarial regret
# ---------------------------------------------------------------------------------------------
@njit(inline="always")
def _stochastic_reward(env_kind, mu, scale):
    """Reward of an arm of mean ``mu``: Bernoulli(mu), ``N(mu, scale^2)`` or Beta with mean
    ``mu`` and concentration ``scale`` (:class:`EnvCode`)."""
    if env_kind == BERNOULLI:
        x = 1.0 if np.random.random() < mu else 0.0
    elif env_kind == GAUSSIAN:
        x = mu + scale * np.random.standard_normal()
    elif mu <= 0.0:  # BOUNDED
        x = 0.0
    elif mu >= 1.0:
        x = 1.0
    else:
        x = _beta_variate(mu * scale, (1.0 - mu) * scale)
    return x


@njit(inline="always")
def _adversarial_step(adv, t, p, S_adv):
    """Add round ``t`` of the table to the arms' cumulative rewards ``S_adv``; returns the best
    cumulative reward and the expected reward ``<p, x_t>`` of the round."""
    mx = -np.inf
    er = 0.0
    for i in range(S_adv.size):
        S_adv[i] += adv[t, i]
        mx = max(mx, S_adv[i])
        er += p[i] * adv[t, i]
    return mx, er


# ---------------------------------------------------------------------------------------------
# the engine
# ---------------------------------------------------------------------------------------------
@njit
def mab_kernel(env_kind, means, env_par, adv, policy, par, sched, horizon, seeds, ck,
               out_pseudo, out_real, out_pulls, out_rec):
    """Run ``seeds.size`` independent runs of one policy on one finite-armed environment.

    One kernel for every (environment, policy) code: specialising the run loop per policy
    (closure constants + dead-branch pruning) was measured to cost more in total (about 1.5 s
    per specialisation, nine of them in ``verify --quick``) than this single 13-policy kernel.

    ``env_kind``: :class:`EnvCode` (``env_par[0]``: Gaussian sigma or Beta concentration;
    ``adv[t, i]``: the adversarial table).  ``policy``: :class:`PolicyCode` with its tuning
    ``par`` (``policies.py``) and, for phase elimination, the schedule ``sched`` (rows
    ``[target pulls, arms kept, Laplace scale]``).
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
    ts_thr = np.empty(K)  # Beta Thompson sampling: body / tail split threshold per arm,
    ts_tail = np.empty(K)  # its tail probability,
    ts_cd = np.empty(K)  # rounds until the next tail round,
    ts_stale = np.empty(K, dtype=np.bool_)  # split to recompute (arm pulled or leading)
    is_index = policy in (UCB1, UCBV, KLUCB, MOSS, UCBE)
    has_p = policy in (EXP3, EXP3IX, TSALLIS_INF, LOG_BARRIER)
    active = np.empty(K, dtype=np.bool_)  # phase elimination state
    cnt_ph = np.empty(K)
    sum_ph = np.empty(K)
    n_ck = ck.size
    env_scale = env_par[0]  # Gaussian sigma or Beta concentration
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
            ts_stale[i] = True
        n_active = K
        phase = 0
        final_arm = -1
        pseudo = 0.0
        real = 0.0
        exp_reward = 0.0  # adversarial: sum_t <p_t, x_t> (or x_t(A_t) for deterministic rules)
        got = 0.0  # adversarial: realized reward
        j = 0
        for t in range(horizon):
            tt = t + 1.0  # 1-based round index
            a = -1
            # ---------------- select ----------------
            if is_index:
                if t < K:
                    a = t  # pull every arm once
                else:
                    lt = math.log(t)  # ln of the number of plays so far
                    if policy == UCB1:
                        for i in range(K):
                            idx[i] = _ucb1_index(s[i], n[i], par[0], lt)
                    elif policy == UCBV:
                        E = par[0] * lt
                        for i in range(K):
                            idx[i] = _ucbv_index(s[i], s2[i], n[i], E, par[1], par[2])
                    elif policy == KLUCB:
                        a = _klucb_choice(par, tt, s, n, idx)
                    elif policy == MOSS:
                        for i in range(K):
                            idx[i] = _moss_index(s[i], n[i], par[0], K)
                    else:  # UCBE
                        for i in range(K):
                            idx[i] = _ucbe_index(s[i], n[i], par[0])
                    if a < 0:
                        a = _argmax(idx)
            elif policy == TS_BETA:
                a = _thompson_beta(s, n, idx, ts_thr, ts_tail, ts_cd, ts_stale)
            elif policy == TS_GAUSSIAN:
                a = _thompson_gaussian(par[0], s, n, idx)
            elif policy == EXP3:
                _exp3_weights(par[0], L, p)
            elif policy == EXP3IX:
                _exp3ix_weights(par[0], L, p)
            elif policy == TSALLIS_INF:  # eta_t = c / sqrt(t)  (Zimmert & Seldin 2021, Alg. 1)
                tsallis_half_weights(L, par[0] / math.sqrt(tt), p)
            elif policy == LOG_BARRIER:  # log-barrier FTRL on loss estimates
                log_barrier_kernel(L, par[0], p)
            elif policy == PHASE_ELIMINATION:
                # the first surviving arm short of the phase's target pulls; when none is, the
                # phase is full: eliminate and start the next one (or play the final arm)
                while a < 0:
                    if final_arm >= 0:
                        a = final_arm
                        break
                    target = sched[phase, 0]
                    for i in range(K):
                        if active[i] and cnt_ph[i] < target:
                            a = i
                            break
                    if a < 0:
                        n_active, phase, final_arm = _next_phase(
                            par[0], sched, phase, active, n_active, cnt_ph, sum_ph, s, n, idx)
            else:  # ROUND_ROBIN
                a = t % K
            if has_p:  # one draw site for the four exponential-weights policies
                a = _sample_index(p)
            # ---------------- reward ----------------
            if env_kind == ADVERSARIAL:
                x = adv[t, a]
            else:
                x = _stochastic_reward(env_kind, means[a], env_scale)
            # ---------------- update ----------------
            n[a] += 1.0
            s[a] += x
            s2[a] += x * x
            if policy == TS_BETA:
                ts_stale[a] = True
                if x != 0.0 and x != 1.0:
                    # binarization trick for rewards in [0, 1] (Agrawal & Goyal 2012, Sec. 2)
                    s[a] += (1.0 if np.random.random() < x else 0.0) - x
                    # success counts stay integers (the split's binomial series needs them)
                    s[a] = math.floor(s[a] + 0.5)
            elif policy == EXP3:  # S_ti = S_{t-1,i} + 1 - 1{A_t=i}(1 - X_t)/P_ti, common +1 dropped
                L[a] -= (1.0 - x) / p[a]
            elif policy == EXP3IX:
                L[a] += (1.0 - x) / (p[a] + par[1])  # implicit exploration, gamma = par[1]
            elif policy == TSALLIS_INF:
                _tsallis_estimates(par[0], tt, a, x, par[1], p, L)
            elif policy == LOG_BARRIER:  # importance-weighted loss estimate
                L[a] += (1.0 - x) / p[a]
            elif policy == PHASE_ELIMINATION:
                cnt_ph[a] += 1.0
                sum_ph[a] += x
            # ---------------- regret ----------------
            if env_kind == ADVERSARIAL:
                mx, er = _adversarial_step(adv, t, p, S_adv)
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
        if policy == PHASE_ELIMINATION:
            out_rec[r] = _phase_recommendation(par[0], sched, phase, final_arm, active, n_active,
                                               cnt_ph, sum_ph, s, n, idx)
        else:
            out_rec[r] = _best_mean_arm(s, n, idx)
