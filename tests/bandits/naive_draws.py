"""Draw-for-draw oracles of KL-UCB, MOSS, Thompson sampling, OFUL / LinUCB, linear Thompson
sampling and DynLin-UCB: plain Python / numpy, written from the papers, consuming the compiled
engine's random numbers in the engine's order.

numba's ``np.random.seed(s)`` seeds the same MT19937 as numpy's legacy ``RandomState`` with the
low 32 bits of ``s``, and numba's ``random()`` and ``standard_normal()`` (the polar method with
the cached second value) return numpy's legacy values draw for draw, so a run of the engine is
reproduced exactly when the oracle draws, per round and in the same order:

- KL-UCB, MOSS: one uniform for the Bernoulli reward (the index is deterministic);
- Thompson sampling (Beta): the leader's full Beta draw (two uniforms for a Box-Muller pair, then
  the Marsaglia-Tsang Gamma draws of the two shapes: a uniform per proposal, a fresh normal after
  a rejection), then per other arm in index order the draws of the body / tail split (a uniform
  for a geometric countdown when its split is recomputed; tail draws; rejected body draws); then
  the reward's uniform.  The split's tail probability comes from ``scipy.stats.beta.sf`` here
  (the kernel sums the binomial series), its threshold and samplers are rewritten from their
  definitions (``_kernels/common.py``);
- OFUL: one normal for the reward noise;
- linear Thompson sampling: ``d`` normals for the perturbation, then the reward's normal;
- DynLin-UCB: one normal per round for the reward noise (burn-in rounds included).

Everything else (indices, posteriors, ridge estimates, radii, the Cholesky factor) is recomputed
here independently of the kernels (bisection instead of Newton, ``np.linalg`` instead of
Sherman-Morrison).
"""

from __future__ import annotations

import math

import numpy as np


def _rs(seed):
    return np.random.RandomState(int(seed) & 0xFFFFFFFF)


def _kl(p, q):
    """Bernoulli kl(p, q), 0 log 0 = 0 (q clipped away from 0 and 1 as the engine does)."""
    q = min(max(q, 1e-15), 1.0 - 1e-15)
    out = 0.0
    if p > 0:
        out += p * math.log(p / q)
    if p < 1:
        out += (1 - p) * math.log((1 - p) / (1 - q))
    return out


def klucb_index_bisection(mean, level, top=1.0 - 1e-12):
    """max{q in [mean, top] : kl(mean, q) <= level} by 200 bisection steps (Garivier & Cappe
    2011, eq. (3); L&S 2020, Alg. 8)."""
    if level <= 0:
        return mean
    if _kl(mean, top) <= level:
        return top
    lo, hi = mean, top
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if _kl(mean, mid) <= level:
            lo = mid
        else:
            hi = mid
    return lo


def _klucb_upper(p, level):
    """The bound of the KL-UCB index from Pinsker and kl(p, q) >= (q - p)^2 / (2 q)."""
    return min(p + math.sqrt(level / 2), p + level + math.sqrt(2 * p * level + level * level))


def _reward(rs, env, mu, scale):
    """The engine's reward draw: Bernoulli(mu) (one uniform), N(mu, scale^2) (one normal) or,
    for ``"bounded"``, Beta(mu scale, (1 - mu) scale) (constant at mu = 0 or 1)."""
    if env == "bernoulli":
        return 1.0 if rs.random_sample() < mu else 0.0
    if env == "gaussian":
        return mu + scale * rs.standard_normal()
    if mu <= 0.0:
        return 0.0
    if mu >= 1.0:
        return 1.0
    return beta_draw(rs, mu * scale, (1.0 - mu) * scale)


def klucb_run(means, horizon, seed, *, exploration="ls", c=3.0, kl="bernoulli", sigma=1.0,
              env="bernoulli", scale=1.0):
    """KL-UCB on Bernoulli (or Gaussian, ``env="gaussian"``) arms; returns the per-round
    pseudo-regret and the pulls.

    Level log f(t), f(t) = 1 + t log^2 t (``exploration="ls"``, L&S Alg. 8) or log t + c log
    log t (``"gc"``, Garivier & Cappe 2011), t the 1-based round; index max{q : n_i kl(mean_i,
    q) <= level} with the Bernoulli kl (bisection) or the Gaussian kl (q - p)^2 / (2 sigma^2),
    i.e. mean + sqrt(2 sigma^2 level / n_i)."""
    rs = _rs(seed)
    K = len(means)
    n = np.zeros(K)
    s = np.zeros(K)
    mustar = max(means)
    regret = np.zeros(horizon)
    acc = 0.0
    for t in range(horizon):
        if t < K:
            a = t
        else:
            tt = t + 1.0
            if exploration == "ls":
                lvl = math.log(1.0 + tt * math.log(tt) ** 2)
            else:
                lvl = math.log(tt) + c * math.log(max(math.log(tt), 1e-300))
            if kl == "gaussian":
                idx = [s[i] / n[i] + math.sqrt(2 * sigma * sigma * lvl / n[i]) for i in range(K)]
                a = int(np.argmax(idx))
            else:
                idx = [klucb_index_bisection(s[i] / n[i], lvl / n[i]) for i in range(K)]
                # ties (several indices clipped at the top 1 - 1e-12 while n_i is small): the
                # engine keeps the tied arm with the largest closed-form upper bound
                # min(p + sqrt(l / 2), p + l + sqrt(2 p l + l^2)), the first of equal ones
                tied = [i for i in range(K) if idx[i] == max(idx)]
                ub = [_klucb_upper(s[i] / n[i], lvl / n[i]) for i in tied]
                a = tied[int(np.argmax(ub))]
        x = _reward(rs, env, means[a], scale)
        n[a] += 1
        s[a] += x
        acc += mustar - means[a]
        regret[t] = acc
    return regret, n


def _gamma(rs, a, z):
    """Gamma(a, 1), a >= 1, by Marsaglia & Tsang (2000), Sec. 3, starting from the normal ``z``:
    d = a - 1/3, c = 1/sqrt(9 d), V = (1 + c Z)^3; accept d V if V > 0 and (U < 1 - 0.0331 Z^4
    or log U < Z^2/2 + d (1 - V + log V)); else a fresh Z."""
    d = a - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        v = 1.0 + c * z
        if v > 0:
            v = v ** 3
            u = rs.random_sample()
            if u < 1.0 - 0.0331 * z ** 4 or math.log(u) < 0.5 * z * z + d * (1.0 - v + math.log(v)):
                return d * v
        z = rs.standard_normal()


def beta_draw(rs, a, b):
    """Beta(a, b) = X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b), whose first normals are the
    Box-Muller pair of two uniforms; a shape below 1 uses Gamma(a) = Gamma(a + 1) U^(1/a)
    (Marsaglia & Tsang 2000, Sec. 6; one uniform per such shape, drawn before the Gamma
    variates), combined in log space."""
    rad = math.sqrt(-2.0 * math.log(1.0 - rs.random_sample()))
    ang = 2.0 * math.pi * rs.random_sample()
    z1, z2 = rad * math.cos(ang), rad * math.sin(ang)
    if a >= 1.0 and b >= 1.0:
        x = _gamma(rs, a, z1)
        return x / (x + _gamma(rs, b, z2))
    la = math.log(1.0 - rs.random_sample()) / a if a < 1.0 else 0.0
    lb = math.log(1.0 - rs.random_sample()) / b if b < 1.0 else 0.0
    lx = math.log(_gamma(rs, a + 1.0 if a < 1.0 else a, z1)) + la
    ly = math.log(_gamma(rs, b + 1.0 if b < 1.0 else b, z2)) + lb
    return 1.0 / (1.0 + math.exp(ly - lx))


def _ts_split(a, b, a_l, b_l):
    """Split threshold x = max(mode + 1 sd, leader mean - 3 leader sd) (1 if >= 1) and the
    tail P(theta > x) of Beta(a, b), by scipy."""
    from scipy import stats

    ab = a + b
    sd = math.sqrt(a * b / (ab * ab * (ab + 1.0)))
    mode = (a - 1.0) / (ab - 2.0) if ab > 2.0 else 0.0
    abl = a_l + b_l
    sd_l = math.sqrt(a_l * b_l / (abl * abl * (abl + 1.0)))
    x = max(mode + 1.0 * sd, a_l / abl - 3.0 * sd_l)
    if x >= 1.0:
        return 1.0, 0.0
    return x, float(stats.beta.sf(x, a, b))


def _geometric(rs, p):
    """Waiting time >= 1 of Bernoulli(p) trials by inversion (one uniform when 0 < p < 1)."""
    if p <= 0.0:
        return math.inf
    if p >= 1.0:
        return 1.0
    return 1.0 + math.floor(math.log(1.0 - rs.random_sample()) / math.log1p(-p))


def _tail_draw(rs, x, a, b):
    """Beta(a, b) given theta > x: exponential proposal from the log-density's tangent at x,
    accepted with probability f(theta) / (f(x) exp(s (theta - x)))."""
    lam = (b - 1.0) / (1.0 - x) - (a - 1.0) / x
    w = 1.0 - x
    while True:
        v = rs.random_sample()
        y = -math.log1p(v * math.expm1(-lam * w)) / lam if lam * w > 1e-12 else v * w
        th = x + y
        if th <= x or th >= 1.0:
            continue
        logr = (a - 1.0) * math.log(th / x) + (b - 1.0) * math.log((1.0 - th) / (1.0 - x))
        if math.log(1.0 - rs.random_sample()) < logr + lam * y:
            return th


def thompson_run(means, horizon, seed, *, env="bernoulli", scale=1.0):
    """Thompson sampling with Beta(1 + S_i, 1 + F_i) posteriors (Agrawal & Goyal 2012, Alg. 2)
    on Bernoulli arms, or on Beta-distributed rewards (``env="bounded"``, concentration
    ``scale``) with their binarization: a reward x in (0, 1) counts as a success with
    probability x (one more uniform).  S_i successes, F_i = n_i - S_i failures.

    The arm is the argmax of the posterior draws, drawn as the engine does (the leader, largest
    posterior mean, in full; the others through the body / tail split at thresholds recomputed
    when the arm was pulled or led, with skipped values standing for body values below the
    running maximum; ``_kernels.mab._thompson_beta``)."""
    rs = _rs(seed)
    K = len(means)
    succ = np.zeros(K)
    n = np.zeros(K)
    thr = np.ones(K)
    tail = np.zeros(K)
    cd = np.zeros(K)
    stale = [True] * K
    mustar = max(means)
    regret = np.zeros(horizon)
    acc = 0.0
    for t in range(horizon):
        post_mean = [(1.0 + succ[i]) / (2.0 + n[i]) for i in range(K)]
        lead = int(np.argmax(post_mean))
        a_l, b_l = 1.0 + succ[lead], 1.0 + n[lead] - succ[lead]
        best_val = beta_draw(rs, a_l, b_l)
        a = lead
        for i in range(K):
            if i == lead:
                continue
            ai, bi = 1.0 + succ[i], 1.0 + n[i] - succ[i]
            if stale[i]:
                thr[i], tail[i] = _ts_split(ai, bi, a_l, b_l)
                cd[i] = _geometric(rs, tail[i])
                stale[i] = False
            cd[i] -= 1.0
            if cd[i] <= 0.0:
                th = _tail_draw(rs, thr[i], ai, bi)
                cd[i] = _geometric(rs, tail[i])
            elif thr[i] >= best_val:
                th = beta_draw(rs, ai, bi)
                while th > thr[i]:
                    th = beta_draw(rs, ai, bi)
            else:
                continue
            if th > best_val:
                best_val, a = th, i
        stale[lead] = True
        x = _reward(rs, env, means[a], scale)
        if x not in (0.0, 1.0):
            x = 1.0 if rs.random_sample() < x else 0.0
        stale[a] = True
        n[a] += 1
        succ[a] += x
        acc += mustar - means[a]
        regret[t] = acc
    return regret, n


def gaussian_thompson_run(means, horizon, seed, *, sigma=1.0, scale=1.0):
    """Gaussian Thompson sampling (Agrawal & Goyal 2013, Alg. 2): theta_i ~ N(S_i / (k_i + 1),
    sigma^2 / (k_i + 1)), one normal per arm, on N(mu, scale^2) arms."""
    rs = _rs(seed)
    K = len(means)
    s = np.zeros(K)
    n = np.zeros(K)
    mustar = max(means)
    regret = np.zeros(horizon)
    acc = 0.0
    for t in range(horizon):
        theta = [s[i] / (n[i] + 1) + sigma * rs.standard_normal() / math.sqrt(n[i] + 1)
                 for i in range(K)]
        a = int(np.argmax(theta))
        x = _reward(rs, "gaussian", means[a], scale)
        n[a] += 1
        s[a] += x
        acc += mustar - means[a]
        regret[t] = acc
    return regret, n


def linear_run(actions, theta, sigma, horizon, seed, *, lam=1.0, delta=0.05, S=None, R=None,
               thompson=False, v=None):
    """OFUL (Abbasi-Yadkori, Pal & Szepesvari 2011: argmax <x, theta_hat> + sqrt(beta_t)
    ||x||_{V^-1}, sqrt(beta_t) = R sqrt(2 log(1/delta) + log(det V_t / lam^d)) + sqrt(lam) S,
    their Thm 2) or, with ``thompson=True``, linear Thompson sampling (theta_tilde = theta_hat +
    v chol(V^-1) z, v = sqrt(beta_t) unless given; Agrawal & Goyal 2013), with explicit
    inverses; returns the per-round pseudo-regret, the pulls and whether the ellipsoid held at
    every round."""
    rs = _rs(seed)
    X = np.asarray(actions, dtype=float)
    K, d = X.shape
    S = float(np.linalg.norm(theta)) if S is None else S
    R = sigma if R is None else R
    vals = X @ theta
    V = lam * np.eye(d)
    b = np.zeros(d)
    pulls = np.zeros(K)
    regret = np.zeros(horizon)
    covered = True
    acc = 0.0
    for t in range(horizon):
        Vinv = np.linalg.inv(V)
        th = np.linalg.solve(V, b)
        rad = R * math.sqrt(2 * math.log(1 / delta) + np.linalg.slogdet(V)[1]
                            - d * math.log(lam)) + math.sqrt(lam) * S
        diff = th - theta
        covered &= bool(diff @ V @ diff <= rad * rad)
        if thompson:
            z = np.array([rs.standard_normal() for _ in range(d)])
            tilde = th + (rad if v is None else v) * (np.linalg.cholesky(Vinv) @ z)
            a = int(np.argmax(X @ tilde))
        else:
            width = np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", X, Vinv, X), 0.0))
            a = int(np.argmax(X @ th + rad * width))
        y = vals[a] + sigma * rs.standard_normal()
        V += np.outer(X[a], X[a])
        b += y * X[a]
        pulls[a] += 1
        acc += vals.max() - vals[a]
        regret[t] = acc
    return regret, pulls, covered


def moss_run(means, horizon, seed, *, env="bernoulli", scale=1.0):
    """MOSS (Audibert & Bubeck 2009, eq. (5)) with the horizon n known: one pull per arm, then
    argmax (first maximum) of mean_i + sqrt(max(log(n / (K n_i)), 0) / n_i); one uniform per
    round for the Bernoulli reward.  Returns the arms played and the rewards, per round."""
    rs = _rs(seed)
    K = len(means)
    n = np.zeros(K)
    s = np.zeros(K)
    arms = np.zeros(horizon, dtype=np.int64)
    rewards = np.zeros(horizon)
    for t in range(horizon):
        if t < K:
            a = t
        else:
            idx = [s[i] / n[i] + math.sqrt(max(math.log(horizon / (K * n[i])), 0.0) / n[i])
                   for i in range(K)]
            a = int(np.argmax(idx))
        x = _reward(rs, env, means[a], scale)
        n[a] += 1
        s[a] += x
        arms[t] = a
        rewards[t] = x
    return arms, rewards


def dynlin_run(A, B, omega, theta, actions, sigma, x0, horizon, seed, *, lam, delta, S, burn,
               avg, bias):
    """DynLin-UCB on x_{t+1} = A x_t + B u_t, y_t = <omega, x_t> + <theta, u_t> + sigma xi_t
    (Mussi, Metelli, Restelli 2023, as reconstructed in ``DynLinUCB``): epoch m holds the OFUL
    action argmax <u, h_hat> + rad_m ||u||_{V^-1} (first maximum; ridge estimate and inverse
    by ``np.linalg``) for ``burn + avg`` rounds, with
    rad_m = sigma / sqrt(avg) sqrt(2 log(1/delta) + log(det V / lam^d)) + sqrt(lam) S
    + bias sqrt(m), m the number of completed epochs; the epoch's sample is the mean of its
    last ``avg`` rewards, added to (V, b) only when the epoch is complete (a final epoch cut by
    the horizon is dropped).  One normal per round for the reward noise.  Returns the actions
    played, the noiseless rewards and the rewards, per round."""
    rs = _rs(seed)
    A, B = np.asarray(A, float), np.asarray(B, float)
    omega, theta = np.asarray(omega, float), np.asarray(theta, float)
    X = np.asarray(actions, dtype=float)
    K, d = X.shape
    x = np.array(x0, dtype=float)
    V = lam * np.eye(d)
    b = np.zeros(d)
    R = sigma / math.sqrt(avg)
    arms = np.zeros(horizon, dtype=np.int64)
    mean_rewards = np.zeros(horizon)
    rewards = np.zeros(horizon)
    t = 0
    m = 0
    while t < horizon:
        Vinv = np.linalg.inv(V)
        h_hat = np.linalg.solve(V, b)
        rad = (R * math.sqrt(2 * math.log(1 / delta) + np.linalg.slogdet(V)[1] - d * math.log(lam))
               + math.sqrt(lam) * S + bias * math.sqrt(m))
        width = np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", X, Vinv, X), 0.0))
        a = int(np.argmax(X @ h_hat + rad * width))
        u = X[a]
        kept = []
        for s_ in range(burn + avg):
            if t >= horizon:
                break
            mean_y = float(omega @ x + theta @ u)
            y = mean_y + sigma * rs.standard_normal()
            if s_ >= burn:
                kept.append(y)
            x = A @ x + B @ u
            arms[t], mean_rewards[t], rewards[t] = a, mean_y, y
            t += 1
        if len(kept) == avg:
            V += np.outer(u, u)
            b += np.mean(kept) * u
            m += 1
    return arms, mean_rewards, rewards
