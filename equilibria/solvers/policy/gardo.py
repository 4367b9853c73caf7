r"""GARDO: gated and adaptive regularization with diversity-aware optimization, finite version.

Three mechanisms on top of a policy-gradient step on the proxy reward:

1. *Gated KL*: the per-sample KL penalty :math:`\beta\log\pi(a)/\pi_{ref}(a)` is applied only
   to samples whose proxy uncertainty (ensemble standard deviation) is in the top
   ``1 - gate_quantile`` fraction.
2. *Adaptive reference*: :math:`\pi_{ref}` is reset to the current policy every ``reset_every``
   updates.
3. *Diversity-aware amplification*: the positive advantages of high-quality samples are
   multiplied by :math:`1+c\,d(a)` with a diversity score :math:`d\in[0,1]`.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from equilibria._lib.result import Status, finish
from equilibria._lib.rng import as_generator
from equilibria._lib.sweep import parallel_map
from equilibria._lib.validation import as_float_array, check_int, check_option, check_scalar

from ._common import (PolicyRun, check_policy, check_size, check_steps, init_logits, pg_step,
                      softmax, summaries)
from .envs import ProxyBandit, ensemble_proxy_bandit

__all__ = ["gardo", "diversity_scores"]


def diversity_scores(pi, features):
    r"""Diversity of each action against the current policy, in [0, 1].

    With features :math:`f_a`: :math:`d(a)=\sum_b\pi(b)\|f_a-f_b\|` divided by its maximum
    over the support (expected distance to a draw of the policy).  Without features:
    :math:`d(a)=1-\pi(a)/\max\pi` (rarity).

    Parameters
    ----------
    pi : ndarray (K,)
        Current policy.
    features : ndarray (K, d) or None
        Action embeddings :math:`f_a`; None for the rarity score.

    Returns
    -------
    ndarray (K,)
        Scores :math:`d(a)\in[0,1]` (all zeros when every expected distance is zero).  The
        score is invariant to scaling the features; they are scaled by their largest absolute
        entry first, so huge features cannot overflow.

    Raises
    ------
    ValueError
        If ``pi`` is not a probability vector or ``features`` is not a finite (K, d) array
        with ``d >= 1`` (the ``(K, K, d)`` difference table must fit in memory).
    """
    pi = check_policy(pi, "pi")
    if features is None:
        return _diversity(pi, None)
    features = as_float_array(features, "features", shape=(pi.size, None))
    check_size(features.shape[1], "features", lo=1, factor=2.0 * pi.size ** 2,
               what=f"the ({pi.size}, {pi.size}, d) difference table")
    return _diversity(pi, features)


def _diversity(pi, features):
    """:func:`diversity_scores` on validated arrays (the solver's inner loop)."""
    if features is None:
        return 1.0 - pi / pi.max()
    scale = np.max(np.abs(features))
    f = features / scale if scale > 0 else features
    D = np.linalg.norm(f[:, None, :] - f[None, :, :], axis=-1)
    d = D @ pi
    top = d.max()
    return d / top if top > 0 else np.zeros_like(d)


def _weighted_quantile(x, w, q):
    order = np.argsort(x)
    c = np.cumsum(w[order])
    k = min(int(np.searchsorted(c, q * c[-1])), x.size - 1)
    return x[order][k]


def gardo(env: ProxyBandit | None = None, *, beta: float = 3.0, gate_quantile: float = 0.8,
          reset_every: int = 40, diversity: float = 5.0, quality_quantile: float = 0.5,
          lr: float = 0.02, max_iter: int = 1500, oracle: str = "exact",
          update: str = "mirror", batch_size: int = 64, record_every: int = 5,
          seed=None) -> PolicyRun:
    r"""GARDO on a finite action set with an ensemble of proxies.

    Per-action signal (``oracle="exact"``; ``oracle="sampled"`` uses the same quantities on a
    batch of ``batch_size`` draws, with batch quantiles and batch-mean baseline):

    .. math::

        A(a)=\tilde r(a)-E_\pi\tilde r,\qquad
        A^+(a)=A(a)\,\big(1+c\,d(a)\,\mathbb 1[A(a)>0,\ \tilde r(a)\ge q_{qual}]\big),\\
        g(a)=A^+(a)-\beta\,\mathbb 1[u(a)\ge q_{gate}]\log\frac{\pi(a)}{\pi_{ref}^{(k)}(a)},

    with :math:`u` the ensemble standard deviation, :math:`q_{gate}` its
    :math:`\pi`-weighted ``gate_quantile`` (so the top :math:`1-` ``gate_quantile`` of the
    policy's mass by uncertainty is penalized), :math:`q_{qual}` the :math:`\pi`-weighted
    ``quality_quantile`` of the proxy reward, :math:`d` from :func:`diversity_scores`, and
    :math:`\pi_{ref}^{(k)}` the reference after the :math:`k`-th reset (every ``reset_every``
    steps, :math:`\pi_{ref}\leftarrow\pi`).  The logits then take the step of
    :func:`~equilibria.solvers.policy.policy_gradient` (mirror ascent by default).

    Stopping rule: a fixed budget of ``max_iter`` steps (reported as success).  ``history`` also
    records ``"gated_mass"`` (policy mass on gated actions).

    Deviations: the paper works with diffusion models and GRPO-style group advantages; here the
    policy is tabular, the uncertainty is the std of an explicit ensemble, and the diversity
    score is the expected feature distance to the policy (or rarity without features).

    Parameters
    ----------
    env : ProxyBandit, optional
        Default :func:`~.envs.ensemble_proxy_bandit`; ``env.r_proxy`` is :math:`\tilde r` and
        the ensemble std is :math:`u` (zero without an ensemble).
    beta : float >= 0
        Weight :math:`\beta` of the gated KL penalty.
    gate_quantile : float in [0, 1]
        Uncertainty quantile above which samples are penalized.
    reset_every : int >= 1
        Steps between resets of the reference to the current policy.
    diversity : float >= 0
        Amplification coefficient :math:`c`.
    quality_quantile : float in [0, 1]
        Proxy-reward quantile :math:`q_{qual}` a sample must reach to be amplified.
    lr : float > 0
        Step size :math:`\eta` on the logits.
    max_iter : int, 1 <= max_iter <= 1e8
        Number of steps (the fixed budget).
    oracle : {"exact", "sampled"}
        Gradient oracle: the exact per-action signal, or a REINFORCE estimate from
        ``batch_size`` draws.
    update : {"pg", "mirror"}
        Policy-gradient step or mirror ascent (natural PG) on the logits.
    batch_size : int >= 2
        Draws per step (``oracle="sampled"``).
    record_every : int >= 1
        Record ``history`` every this many steps (and at steps 0 and ``max_iter``).
    seed : int, Generator or None
        Seed of the sampling (``oracle="sampled"``).

    Returns
    -------
    PolicyRun
        Final policy (K,), recorded ``steps`` and ``history`` (``"proxy"``, ``"true"``,
        ``"kl"``, ``"chi2"``, ``"entropy"`` to the original reference, and ``"gated_mass"``).
        If the logits overflow, ``success=False`` with status ``NUMERICAL`` and the last
        finite policy.

    References
    ----------
    .. [1] GARDO: Reinforcing Diffusion Models without Reward Hacking (2025), Sec. 4 (gated
       KL, adaptive reference, diversity-aware reward amplification).
    """
    env = ensemble_proxy_bandit() if env is None else env
    if not isinstance(env, ProxyBandit):
        raise TypeError(f"`env` must be a ProxyBandit, got {type(env).__name__}")
    beta = check_scalar(beta, "beta", lo=0.0)
    gate_quantile = check_scalar(gate_quantile, "gate_quantile", lo=0.0, hi=1.0)
    quality_quantile = check_scalar(quality_quantile, "quality_quantile", lo=0.0, hi=1.0)
    reset_every = check_int(reset_every, "reset_every", lo=1)
    diversity = check_scalar(diversity, "diversity", lo=0.0)
    lr = check_scalar(lr, "lr", lo=0.0, lo_inclusive=False)
    max_iter, record_every = check_steps(max_iter, record_every, n_keys=7)
    oracle = check_option(oracle, "oracle", ("exact", "sampled"))
    update = check_option(update, "update", ("pg", "mirror"))
    batch_size = check_size(batch_size, "batch_size", lo=2, factor=12, what="the sampled batch")
    if env.features is not None:
        check_size(env.features.shape[1], "env", lo=1, factor=2.0 * env.n_actions ** 2,
                   what=f"the diversity table of {env.n_actions} actions")
    rng = as_generator(seed)
    p0 = env.pi_ref
    r = env.r_proxy
    u = env.uncertainty
    rewards = {"proxy": r, "true": env.r_true}
    z = init_logits(p0)
    pi = softmax(z)
    ref = p0.copy()
    hist: dict[str, list[float]] = {k: [] for k in ("proxy", "true", "kl", "chi2", "entropy",
                                                    "gated_mass")}
    steps: list[int] = []
    gate = u >= _weighted_quantile(u, pi, gate_quantile)

    def record(t):
        steps.append(t)
        for k, v in summaries(pi, p0, rewards).items():
            hist[k].append(v)
        hist["gated_mass"].append(float(pi[gate].sum()))

    record(0)
    supp = p0 > 0
    numerical = False
    for t in range(1, max_iter + 1):
        z_prev = z
        d = _diversity(pi, env.features)
        if oracle == "exact":
            gate = u >= _weighted_quantile(u, pi, gate_quantile)
            good = r >= _weighted_quantile(r, pi, quality_quantile)
            adv = r - pi @ r
            amp = np.where((adv > 0) & good, 1.0 + diversity * d, 1.0)
            g = adv * amp
            with np.errstate(divide="ignore"):
                pen = np.where(gate & supp, np.log(np.maximum(pi, 1e-300)) -
                               np.log(np.where(supp, ref, 1.0)), 0.0)
            g = g - beta * pen
            with np.errstate(over="ignore", invalid="ignore"):
                z, _ = pg_step(z, pi, g, lr, update=update)
        else:
            a = rng.choice(pi.size, size=batch_size, p=pi)
            ra, ua = r[a], u[a]
            gate_b = ua >= np.quantile(ua, gate_quantile)
            good_b = ra >= np.quantile(ra, quality_quantile)
            adv = ra - ra.mean()
            amp = np.where((adv > 0) & good_b, 1.0 + diversity * d[a], 1.0)
            ga = adv * amp - beta * np.where(gate_b, np.log(pi[a]) - np.log(ref[a]), 0.0)
            # REINFORCE estimate of pi_a (g_a - pi . g) from this batch (batch-mean baseline)
            est = np.bincount(a, weights=ga - ga.mean(), minlength=pi.size) / batch_size
            est -= (ga - ga.mean()).sum() / batch_size * pi
            if update == "mirror":
                est = np.divide(est, pi, out=np.zeros_like(est), where=pi > 0)
            z = z.copy()
            with np.errstate(over="ignore", invalid="ignore"):
                z[supp] += lr * est[supp]
                z[supp] -= z[supp].max()
        if not np.all(np.isfinite(z[supp])):  # overflow: keep the last finite iterate
            z, numerical = z_prev, True
            break
        pi = softmax(z)
        if t % reset_every == 0:
            ref = pi.copy()  # adaptive reference: reset to the current policy
        if t % record_every == 0 or t == max_iter:
            record(t)
    if numerical:
        return finish(PolicyRun, success=False, status=Status.NUMERICAL,
                      message=f"logits overflowed at step {t}; lower `lr` (last finite policy "
                              "returned)", n_iter=t - 1, policy=pi, steps=np.asarray(steps),
                      history={k: np.asarray(v) for k, v in hist.items()})
    return finish(PolicyRun, success=True, status=Status.SUCCESS,
                  message=f"ran the fixed budget of {max_iter} steps", n_iter=max_iter,
                  policy=pi, steps=np.asarray(steps),
                  history={k: np.asarray(v) for k, v in hist.items()})




def _at_level(hist, level, key):
    """Value of ``hist[key]`` at the first record whose proxy reward reaches ``level``
    (linear interpolation between the two records around the crossing)."""
    prox = hist["proxy"]
    idx = np.nonzero(prox >= level)[0]
    if idx.size == 0:
        return np.nan
    i = int(idx[0])
    if i == 0:
        return float(hist[key][0])
    w = (level - prox[i - 1]) / (prox[i] - prox[i - 1])
    return float(hist[key][i - 1] + w * (hist[key][i] - hist[key][i - 1]))


def kl_policy_at_proxy(env: ProxyBandit, level: float):
    r"""The uniform-KL policy with proxy reward ``level``: :math:`\pi_\beta\propto\pi_{ref}
    e^{\tilde r/\beta}` with :math:`\beta` the root of :math:`E_{\pi_\beta}\tilde r=`
    ``level`` (Brent on :math:`\log\beta`).  It is the least-KL policy with that proxy reward,
    the converged KL-regularized optimum for that :math:`\beta`, and the point every
    uniform-KL mirror-ascent path passes at that level (those paths stay in the tilted family).
    """
    from scipy import optimize

    from equilibria.theory.alignment import kl_regularized_policy

    def f(lb):
        return kl_regularized_policy(env.pi_ref, env.r_proxy, math.exp(lb)).expected_reward - level

    lb = optimize.brentq(f, -12.0, 8.0, xtol=1e-12)
    return kl_regularized_policy(env.pi_ref, env.r_proxy, math.exp(lb))


def _gardo_vs_kl_one(s, *, level, lr, max_iter, oracle, gardo_kwargs, env_kwargs):
    """One environment seed of :func:`gardo_vs_kl` (module level, so it pickles)."""
    from equilibria.theory.alignment import entropy

    env = ensemble_proxy_bandit(seed=int(s), **env_kwargs)
    kw = dict(gardo_kwargs)
    if oracle == "sampled":
        kw = {"update": "pg", "seed": int(s) + 1, **kw, "oracle": "sampled"}
    g = gardo(env, lr=lr, max_iter=max_iter, record_every=1, **kw).history
    k = kl_policy_at_proxy(env, level).policy
    return (_at_level(g, level, "true"), float(k @ env.r_true), _at_level(g, level, "entropy"),
            entropy(k))


def gardo_vs_kl(seeds, *, level: float = 1.5, lr: float = 0.02, max_iter: int = 150,
                oracle: str = "exact", gardo_kwargs=None, env_kwargs=None, executor=None,
                progress: bool | None = None):
    r"""Paired comparison of GARDO and uniform KL regularization at equal proxy reward.

    For each environment seed, :func:`~.envs.ensemble_proxy_bandit` is drawn and GARDO is run;
    its true reward and policy entropy are read (interpolated) where its proxy reward first
    reaches ``level``, and compared with the uniform-KL policy at the same proxy reward
    (:func:`kl_policy_at_proxy`: whatever the KL weight, KL-regularized mirror ascent from
    :math:`\pi_{ref}` stays in the family :math:`\pi_{ref}e^{c\tilde r}`, so this is the
    uniform-KL policy at that level for every :math:`\beta`).  A sweep: one GARDO run per
    seed, through :func:`equilibria._lib.sweep.parallel_map` (the result does not depend on
    ``executor``: every seed carries its own randomness).

    Parameters
    ----------
    seeds : iterable of int
        Environment seeds, one GARDO run each.
    level : float
        Proxy reward at which GARDO and uniform KL are compared.
    lr : float > 0
        GARDO step size.
    max_iter : int >= 1
        GARDO step budget.
    oracle : {"exact", "sampled"}
        GARDO's gradient oracle.  ``"sampled"`` runs the sampled GARDO (``update="pg"`` unless
        ``gardo_kwargs`` says otherwise) with the sampling seed ``seed + 1`` for environment
        seed ``seed``.
    gardo_kwargs : dict, optional
        Further keyword arguments of :func:`gardo`.
    env_kwargs : dict, optional
        Further keyword arguments of :func:`~.envs.ensemble_proxy_bandit`.
    executor : concurrent.futures.Executor, optional
        Where the seeds run (``None``: serially in this process, same result).
    progress : bool or None
        tqdm progress bar (``False`` turns it off).

    Returns
    -------
    dict of ndarray
        ``true_gardo, true_kl, entropy_gardo, entropy_kl``, one entry per seed (NaN when GARDO
        never reaches ``level``).
    """
    oracle = check_option(oracle, "oracle", ("exact", "sampled"))
    fn = functools.partial(_gardo_vs_kl_one, level=level, lr=lr, max_iter=max_iter,
                           oracle=oracle, gardo_kwargs=dict(gardo_kwargs or {}),
                           env_kwargs=dict(env_kwargs or {}))
    rows = parallel_map(fn, [int(s) for s in seeds], executor=executor, progress=progress,
                        desc="gardo_vs_kl")
    keys = ("true_gardo", "true_kl", "entropy_gardo", "entropy_kl")
    return {k: np.asarray([row[j] for row in rows], dtype=float) for j, k in enumerate(keys)}
