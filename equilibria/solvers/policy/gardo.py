r"""GARDO: gated and adaptive regularization with diversity-aware optimization, finite version.

Two variants of :func:`gardo` on a finite action set with an ensemble of proxies:

``variant="official"`` follows the authors' code (github.com/tinnerhrhe/GARDO, commit 1cc77fb;
line numbers below refer to it):

1. *Rank uncertainty* (:func:`rank_uncertainty`): a sample's rank under the main (proxy)
   reward minus the mean of its ranks under the auxiliary rewards (here: the ensemble members).
2. *Gated KL* (:func:`uncertainty_gate`): the KL term is applied only to the samples whose
   uncertainty exceeds the :math:`(100-100\beta_{kl})`-th percentile of the non-negative ones;
   :math:`\beta_{kl}` adapts in [0.02, 0.2] from 0.1 by +-10% when the batch mean uncertainty
   leaves the range of the last 20 batches (:func:`adapt_kl_fraction`).
3. *Adaptive reference* (:func:`reference_reset_due`): reset to the current policy when the KL
   exceeded a threshold or after 15 epochs since the last reset.
4. *Diversity-aware advantage* (:func:`diversity_advantage`): :math:`r-\bar r`, multiplied for
   positive advantages by the group-normalised minimum cosine distance to the rest of the
   group; no division by the group std.

``variant="reconstruction"`` (the default, kept for the registered reconstruction claims) is
the version guessed from the abstract before the code was public: an ensemble-std gate on the
top ``1 - gate_quantile`` of the policy mass, a reset every ``reset_every`` steps, and a
:math:`1+c\,d(a)` amplification with the expected-distance score of :func:`diversity_scores`.
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

__all__ = ["gardo", "diversity_scores", "rank_uncertainty", "uncertainty_gate",
           "adapt_kl_fraction", "reference_reset_due", "diversity_advantage", "OFFICIAL_DEFAULTS"]


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


# -- the official code's mechanisms (tinnerhrhe/GARDO, commit 1cc77fb) -----------------------
#: defaults of the official code: KL fraction start / bounds / rate / window
#: (scripts/train_sd3_grpo_gardo.py l. 220-238), reference reset period and KL threshold
#: (config/gardo.py l. 100 and l. 107), advantage clip (config/base.py l. 97), group size
#: (config/gardo.py l. 131: ``num_image_per_prompt = 24``)
OFFICIAL_DEFAULTS = {"kl_fraction": 0.1, "kl_fraction_bounds": (0.02, 0.2),
                     "kl_fraction_rate": 0.1, "window": 20, "reset_every": 15,
                     "kl_threshold": 3e-4, "adv_clip": 5.0, "batch_size": 24}


def _ranks(x, order):
    """Ranks 1..n of ``x``; ``order="descending"``: rank 1 = largest (stable ties)."""
    x = np.asarray(x, dtype=float)
    idx = np.argsort(-x if order == "descending" else x, kind="stable")
    out = np.empty(x.size)
    out[idx] = np.arange(1, x.size + 1)
    return out


def rank_uncertainty(main, aux, *, order: str = "descending") -> np.ndarray:
    r"""Rank uncertainty of each sample of a batch, as the official GARDO code computes it.

    With :math:`\rho_0(i)` the rank of sample :math:`i` under the main (proxy) reward and
    :math:`\rho_j(i)` its rank under auxiliary reward :math:`j=1..M` (ranks within the batch,
    ``order="descending"``: rank 1 = highest reward, ties broken by batch position),

    .. math:: u(i)=\rho_0(i)-\frac1M\sum_{j=1}^M\rho_j(i).

    Since every rank vector sums to :math:`n(n+1)/2`, :math:`\sum_i u(i)=0`.  With the code's
    descending ranks, :math:`u(i)>0` means the proxy ranks the sample *below* the auxiliary
    rewards' average; ``order="ascending"`` (rank 1 = lowest, i.e. the rank counts the samples
    beaten) flips the sign, :math:`u>0` meaning the proxy *over*-rates the sample.

    Parameters
    ----------
    main : array_like (n,)
        Main (proxy) reward of the ``n >= 1`` samples.
    aux : array_like (M, n)
        Auxiliary rewards (``M >= 1`` rows).
    order : {"descending", "ascending"}
        Rank direction; ``"descending"`` is the code's.

    Returns
    -------
    ndarray (n,)
        :math:`u(i)`.

    References
    ----------
    .. [1] tinnerhrhe/GARDO, scripts/train_sd3_grpo_gardo.py l. 827-834: ``torch.sort(...,
       descending=True)``; ``ranks[indices] = torch.arange(1, len(...)+1)``;
       ``reward_std = reward_std[-1] - (reward_std[0] + reward_std[1]) / 2`` (main reward last,
       two auxiliary rewards, aesthetic and ImageReward, config/gardo.py l. 159-167).
    """
    main = as_float_array(main, "main", ndim=1)
    if main.size < 1:
        raise ValueError("`main` must hold at least one sample, got an empty array")
    aux = as_float_array(aux, "aux", ndim=2)
    if aux.shape[0] < 1 or aux.shape[1] != main.size:
        raise ValueError(f"`aux` must have shape (M >= 1, n) with n = len(`main`) = "
                         f"{main.size}, got {aux.shape}")
    order = check_option(order, "order", ("descending", "ascending"))
    return _rank_unc(main, aux, order)


def _rank_unc(main, aux, order):
    """:func:`rank_uncertainty` on validated arrays (all rows ranked in one argsort)."""
    x = np.vstack([main[None, :], aux])
    idx = np.argsort(-x if order == "descending" else x, axis=1, kind="stable")
    rk = np.empty(x.shape)
    np.put_along_axis(rk, idx, np.broadcast_to(np.arange(1.0, x.shape[1] + 1), x.shape), axis=1)
    return rk[0] - rk[1:].mean(axis=0)


def uncertainty_gate(u, kl_fraction: float) -> np.ndarray:
    r"""KL gate of a batch: the samples whose uncertainty exceeds the top-fraction percentile.

    With :math:`U_+=\{u(i):u(i)\ge 0\}` and :math:`\tau` the
    :math:`(100-100\,\beta_{kl})`-th percentile of :math:`U_+` (numpy's linear interpolation),
    the gate is :math:`\mathbb 1[u(i)>\tau]` (strict).  Samples with :math:`u<0` are never
    gated (:math:`\tau\ge 0`).

    Parameters
    ----------
    u : array_like (n,)
        Uncertainties (:func:`rank_uncertainty`).
    kl_fraction : float in [0, 1]
        :math:`\beta_{kl}`, the target gated fraction of the non-negative uncertainties.

    Returns
    -------
    ndarray of bool (n,)
        The gate (all False when no :math:`u\ge 0`).

    References
    ----------
    .. [1] tinnerhrhe/GARDO, scripts/train_sd3_grpo_gardo.py l. 836-837: ``threshold =
       np.percentile(np.array([p for p in reward_std ... if p>=0]), 100 -
       dynamic_controller.beta*100)``; ``reward_std = reward_std > threshold``; l. 954 and
       l. 983-985: the KL loss is taken over ``idx = sample["reward_std"] > 0`` only.
    """
    u = as_float_array(u, "u", ndim=1)
    kl_fraction = check_scalar(kl_fraction, "kl_fraction", lo=0.0, hi=1.0)
    return _gate(u, kl_fraction)


def _gate(u, frac):
    """:func:`uncertainty_gate` on validated input."""
    pos = u[u >= 0]
    if pos.size == 0:
        return np.zeros(u.size, dtype=bool)
    return u > np.percentile(pos, 100.0 - 100.0 * frac)


def adapt_kl_fraction(kl_fraction: float, window, u_pos, *, start: float = 0.1,
                      bounds=(0.02, 0.2), rate: float = 0.1, size: int = 20):
    r"""One update of the gated KL fraction by the official code's risk compensator.

    With :math:`m` the mean of this batch's non-negative uncertainties ``u_pos`` and
    :math:`W` the means of the last (at most ``size``) batches:

    .. math::

        \beta_{kl}\leftarrow\begin{cases}\beta_0 & W=\emptyset\\
        (1+\alpha)\beta_{kl} & m>\max W\\ (1-\alpha)\beta_{kl} & m<\min W\\
        \beta_{kl}&\text{otherwise}\end{cases},\qquad
        \beta_{kl}\leftarrow\operatorname{clip}(\beta_{kl},\beta_{min},\beta_{max}),

    then :math:`m` is appended to :math:`W`, which keeps its last ``size`` entries.

    Parameters
    ----------
    kl_fraction : float
        Current :math:`\beta_{kl}`.
    window : sequence of float
        :math:`W`, oldest first (not modified).
    u_pos : array_like (n,), n >= 1
        This batch's non-negative uncertainties.
    start : float in [0, 1]
        :math:`\beta_0` (code: 0.1).
    bounds : (float, float)
        :math:`(\beta_{min},\beta_{max})`, ``0 <= lo <= hi <= 1`` (code: (0.02, 0.2)).
    rate : float in [0, 1]
        :math:`\alpha` (code: 0.1).
    size : int >= 1
        Window length (code: 20).

    Returns
    -------
    kl_fraction : float
        The updated :math:`\beta_{kl}`.
    window : list of float
        The updated window.

    References
    ----------
    .. [1] tinnerhrhe/GARDO, scripts/train_sd3_grpo_gardo.py l. 219-238 (class
       ``RiskCompensator``: ``base=0.1, beta=0.1``, ``alpha = 0.1``, ``beta_min = 0.02``,
       ``beta_max = 0.2``, ``> max(self.risk_buffer)`` / ``< min(self.risk_buffer)``, buffer
       truncated to ``[-20:]``) and l. 835 (called with the non-negative uncertainties).
    """
    kl_fraction = check_scalar(kl_fraction, "kl_fraction", lo=0.0, hi=1.0)
    w = [float(v) for v in as_float_array(window, "window", ndim=1)] if len(window) else []
    u_pos = as_float_array(u_pos, "u_pos", ndim=1)
    if u_pos.size == 0:
        raise ValueError("`u_pos` must hold at least one uncertainty, got an empty array")
    start = check_scalar(start, "start", lo=0.0, hi=1.0)
    rate = check_scalar(rate, "rate", lo=0.0, hi=1.0)
    lo, hi = _check_bounds(bounds)
    size = check_int(size, "size", lo=1)
    return _adapt(kl_fraction, w, float(u_pos.mean()), start, lo, hi, rate, size)


def _check_bounds(bounds):
    b = as_float_array(bounds, "bounds", shape=(2,))
    if not (0.0 <= b[0] <= b[1] <= 1.0):
        raise ValueError(f"`bounds` must satisfy 0 <= lo <= hi <= 1, got {tuple(b)}")
    return float(b[0]), float(b[1])


def _adapt(frac, w, m, start, lo, hi, rate, size):
    """:func:`adapt_kl_fraction` on validated input (``w`` is copied)."""
    if not w:
        frac = start
    elif m > max(w):
        frac = frac * (1.0 + rate)
    elif m < min(w):
        frac = frac * (1.0 - rate)
    frac = float(np.clip(frac, lo, hi))
    return frac, (w + [m])[-size:]


def reference_reset_due(epoch: int, last_reset: int, kl_exceeded: bool, *,
                        reset_every: int = 15) -> bool:
    r"""Whether the official code resets the reference policy to the current one at ``epoch``.

    .. math:: \text{reset}\iff(\text{epoch}\ne0\wedge\text{flag})\ \vee\
        \text{epoch}-\text{last}>\text{reset\_every},

    where the flag is set when a logged KL loss exceeded the threshold (``kl_thres``) since
    the last reset.  The periodic reset is strict: with ``reset_every = 15`` and no KL
    trigger, resets happen at epochs 16, 32, ...

    Parameters
    ----------
    epoch : int >= 0
        Current epoch.
    last_reset : int >= 0, <= epoch
        Epoch of the last reset (0 at the start).
    kl_exceeded : bool
        The KL-threshold flag.
    reset_every : int >= 1
        ``reset_freq`` (code: 15).

    Returns
    -------
    bool
        True if the reference is reset now.

    References
    ----------
    .. [1] tinnerhrhe/GARDO, scripts/train_sd3_grpo_gardo.py l. 788-799 (``if (epoch !=0 and
       reset==True) or (epoch - prev_epoch)>config.reset_freq``), l. 1042-1043 (``if
       info["kl_loss"] > thres: reset=True``); config/gardo.py l. 100 (``reset_freq = 15``)
       and l. 107 (``kl_thres = 3e-4``, "set this hyper-parameter according to specific
       tasks").
    """
    epoch = check_int(epoch, "epoch", lo=0)
    last_reset = check_int(last_reset, "last_reset", lo=0, hi=epoch)
    if not isinstance(kl_exceeded, (bool, np.bool_)):
        raise TypeError(f"`kl_exceeded` must be True or False, got {kl_exceeded!r}")
    reset_every = check_int(reset_every, "reset_every", lo=1)
    return bool((epoch != 0 and kl_exceeded) or epoch - last_reset > reset_every)


def diversity_advantage(r, embeddings, *, adv_clip: float = 5.0) -> np.ndarray:
    r"""Diversity-aware group advantage of the official code (no division by the group std).

    With unit embeddings :math:`e_i=f_i/\|f_i\|`, the minimum cosine distance of sample
    :math:`i` to the rest of its group :math:`d_i=\min_{j\ne i}(1-\operatorname{clip}
    (e_i\cdot e_j,-1,1))` and :math:`\bar r`, :math:`\bar d` the group means:

    .. math:: A_i=\operatorname{clip}\Big((r_i-\bar r)\,w_i,\ \pm c\Big),\qquad
        w_i=\begin{cases}1 & r_i<\bar r\\ d_i/\bar d & r_i\ge\bar r\end{cases}.

    Deviation: when :math:`\bar d=0` (all embeddings parallel) the code divides 0 by 0; here
    :math:`w_i=1`.  A zero embedding is treated as the code's ``nan_to_num`` leaves it (a zero
    unit vector, cosine 0 to every other sample).

    Parameters
    ----------
    r : array_like (n,), n >= 2
        Rewards of one group (samples of one prompt).
    embeddings : array_like (n, d)
        Sample embeddings (the code: DINOv3 features).
    adv_clip : float > 0
        Clip :math:`c` (code: ``adv_clip_max = 5``).

    Returns
    -------
    ndarray (n,)
        :math:`A_i`.

    References
    ----------
    .. [1] tinnerhrhe/GARDO, flow_grpo/stat_tracking.py l. 101-103 (row normalisation), l.
       113-127 (``1 - similarity``, ``np.min(other_distances)``, ``np.where((prompt_rewards -
       mean)<0, 1, prompt_dists/np.mean(prompt_dists))``), l. 134-135 (``(prompt_rewards -
       mean) * prompt_dists``, the ``/ std`` of GRPO, l. 133, is not applied);
       scripts/train_sd3_grpo_gardo.py l. 967-971 (clip to ``adv_clip_max``), config/base.py
       l. 97 (``adv_clip_max = 5``).
    """
    r = as_float_array(r, "r", ndim=1)
    if r.size < 2:
        raise ValueError(f"`r` must hold at least 2 samples, got {r.size}")
    emb = as_float_array(embeddings, "embeddings", ndim=2)
    if emb.shape[0] != r.size or emb.shape[1] < 1:
        raise ValueError(f"`embeddings` must have shape (n, d >= 1) with n = len(`r`) = "
                         f"{r.size}, got {emb.shape}")
    check_size(r.size, "r", per=2, what="the distance matrix")
    adv_clip = check_scalar(adv_clip, "adv_clip", lo=0.0, lo_inclusive=False)
    return _div_adv(r, emb, adv_clip)


def _min_cos_dist(emb):
    """Minimum cosine distance of each row to the others."""
    scale = np.max(np.abs(emb))
    e = emb / scale if scale > 0 else emb
    nrm = np.linalg.norm(e, axis=1, keepdims=True)
    e = np.divide(e, nrm, out=np.zeros_like(e), where=nrm > 0)
    dist = 1.0 - np.clip(e @ e.T, -1.0, 1.0)
    np.fill_diagonal(dist, np.inf)
    return dist.min(axis=1)


def _div_adv(r, emb, clip, d=None):
    """:func:`diversity_advantage` on validated input (``d``: precomputed distances)."""
    d = _min_cos_dist(emb) if d is None else d
    a = r - r.mean()
    dbar = d.mean()
    w = np.where(a < 0, 1.0, d / dbar if dbar > 0 else 1.0)
    return np.clip(a * w, -clip, clip)


def _gardo_official(env, *, beta, reset_every, kl_threshold, kl_fraction, bounds, rate, window,
                    adv_clip, order, lr, max_iter, update, batch_size, record_every, rng):
    """The loop of :func:`gardo` with ``variant="official"`` (validated arguments)."""
    p0 = env.pi_ref
    r = env.r_proxy
    aux = env.ensemble if env.ensemble is not None else r[None, :]
    feats = env.features
    rewards = {"proxy": r, "true": env.r_true}
    z = init_logits(p0)
    pi = softmax(z)
    ref = p0.copy()
    keys = ("proxy", "true", "kl", "chi2", "entropy", "gated_mass", "kl_fraction", "resets")
    hist: dict[str, list[float]] = {k: [] for k in keys}
    steps: list[int] = []
    supp = p0 > 0
    frac, win = kl_fraction, []
    flag, last, n_resets, gated = False, 0, 0, 0.0

    def record(t):
        steps.append(t)
        for k, v in summaries(pi, p0, rewards).items():
            hist[k].append(v)
        hist["gated_mass"].append(gated)
        hist["kl_fraction"].append(frac)
        hist["resets"].append(float(n_resets))

    record(0)
    numerical = False
    t = 0
    for t in range(max_iter):
        z_prev = z
        if beta > 0 and ((t != 0 and flag) or t - last > reset_every):  # l. 788-799
            ref, flag, last, n_resets = pi.copy(), False, t, n_resets + 1
        a = rng.choice(pi.size, size=batch_size, p=pi)
        u = _rank_unc(r[a], aux[:, a], order)                           # l. 827-834
        pos = u[u >= 0]
        frac, win = _adapt(frac, win, float(pos.mean()), kl_fraction, bounds[0], bounds[1],
                           rate, window)                                # l. 835
        gate = _gate(u, frac)                                           # l. 836-837
        if feats is None:  # one-hot embeddings: distance 1 to other actions, 0 to copies
            d = (np.bincount(a, minlength=pi.size)[a] == 1).astype(float)
            adv = _div_adv(r[a], None, adv_clip, d)
        else:
            adv = _div_adv(r[a], feats[a], adv_clip)
        keep = adv != 0.0  # l. 877-898: samples with zero advantage are dropped
        n_keep = int(keep.sum())
        gk = gate & keep
        n_gate = int(gk.sum())
        gated = n_gate / batch_size
        s = np.where(keep, adv, 0.0) / max(n_keep, 1)
        if beta > 0 and n_gate > 0:  # l. 983-987: mean policy loss + beta * mean gated KL
            lr_a = np.log(pi[a]) - np.log(np.maximum(ref[a], 1e-300))
            s = s - beta * np.where(gk, lr_a, 0.0) / n_gate
            m = pi > 0
            kl_now = float(np.sum(pi[m] * (np.log(pi[m]) - np.log(np.maximum(ref[m], 1e-300)))))
            if kl_now > kl_threshold:  # l. 1042-1043
                flag = True
        est = np.bincount(a, weights=s, minlength=pi.size) - s.sum() * pi
        if update == "mirror":
            est = np.divide(est, pi, out=np.zeros_like(est), where=pi > 0)
        z = z.copy()
        with np.errstate(over="ignore", invalid="ignore"):
            z[supp] += lr * est[supp]
            z[supp] -= z[supp].max()
        if not np.all(np.isfinite(z[supp])):
            z, numerical = z_prev, True
            break
        pi = softmax(z)
        if (t + 1) % record_every == 0 or t + 1 == max_iter:
            record(t + 1)
    hist_a = {k: np.asarray(v) for k, v in hist.items()}
    if numerical:
        return finish(PolicyRun, success=False, status=Status.NUMERICAL,
                      message=f"logits overflowed at step {t + 1}; lower `lr` (last finite "
                              "policy returned)", n_iter=t, policy=pi, steps=np.asarray(steps),
                      history=hist_a)
    return finish(PolicyRun, success=True, status=Status.SUCCESS,
                  message=f"ran the fixed budget of {max_iter} steps ({n_resets} reference "
                          "resets)", n_iter=max_iter, policy=pi, steps=np.asarray(steps),
                  history=hist_a)


def gardo(env: ProxyBandit | None = None, *, variant: str = "reconstruction", beta: float = 3.0,
          gate_quantile: float = 0.8, reset_every: int | None = None, diversity: float = 5.0,
          quality_quantile: float = 0.5, kl_threshold: float = 3e-4, kl_fraction: float = 0.1,
          rank_order: str = "descending", adv_clip: float = 5.0, lr: float = 0.02,
          max_iter: int = 1500, oracle: str | None = None, update: str = "mirror",
          batch_size: int | None = None, record_every: int = 5, seed=None) -> PolicyRun:
    r"""GARDO on a finite action set with an ensemble of proxies, in two variants.

    **variant="official"** (the authors' code on the finite model; sampled only).  Epoch
    :math:`t=0,1,\dots`: (i) if :math:`\beta>0` and (:math:`t\ne0` and the KL flag is set, or
    :math:`t-t_{last}>` ``reset_every``), :math:`\pi_{ref}\leftarrow\pi`
    (:func:`reference_reset_due`); (ii) draw a group of ``batch_size`` actions
    :math:`a_i\sim\pi`; (iii) :math:`u_i` = :func:`rank_uncertainty` of the proxy
    ``env.r_proxy`` against the ensemble members; :math:`\beta_{kl}` updated by
    :func:`adapt_kl_fraction` on :math:`\{u_i\ge0\}`; gate :math:`G` = :func:`uncertainty_gate`;
    (iv) :math:`A_i` = :func:`diversity_advantage` with embeddings ``env.features[a_i]`` (one-hot
    embeddings without features: distance 1 to other actions, 0 to copies); samples with
    :math:`A_i=0` are dropped (code l. 877-898), leaving :math:`S`; (v) the loss
    :math:`\frac1{|S|}\sum_{S}A_i\log\pi(a_i)-\frac{\beta}{|S\cap G|}\sum_{S\cap G}\log\frac
    {\pi(a_i)}{\pi_{ref}(a_i)}` gives the score-function step
    :math:`\sum_i s_i(e_{a_i}-\pi)` (divided by :math:`\pi` for ``update="mirror"``); (vi) the KL
    flag is set when :math:`G\cap S\neq\emptyset` and :math:`KL(\pi\|\pi_{ref})>`
    ``kl_threshold`` (code l. 1042).  Deviations: one prompt (the group is the batch); the
    per-sample KL of the diffusion steps becomes the log-ratio at the drawn action (a bandit has
    one state), and the monitored KL the exact :math:`KL(\pi\|\pi_{ref})`; no PPO ratio clipping
    (one on-policy step per epoch); ``beta`` keeps the package's scale (the code's
    ``train.beta = 0.04`` weights a per-timestep Gaussian KL of SD3.5, config/gardo.py l. 140).

    **variant="reconstruction"** (the earlier version guessed from the abstract).  Per-action
    signal (``oracle="exact"``; ``oracle="sampled"`` uses the same quantities on a batch of
    ``batch_size`` draws, with batch quantiles and batch-mean baseline):

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
    records ``"gated_mass"`` (reconstruction: policy mass on gated actions; official: gated
    fraction of the batch) and, for the official variant, ``"kl_fraction"`` and ``"resets"``.

    Theorems: ``policy.gardo_beats_uniform_kl`` and ``policy.gardo_sampled_true_reward``
    (reconstruction), ``policy.gardo_official_true_reward`` and
    ``policy.gardo_official_gate_selectivity`` (official).

    Parameters
    ----------
    env : ProxyBandit, optional
        Default :func:`~.envs.ensemble_proxy_bandit`; ``env.r_proxy`` is :math:`\tilde r` and
        the ensemble std is :math:`u` (zero without an ensemble).
    variant : {"reconstruction", "official"}
        Which mechanisms (see above).
    beta : float >= 0
        Weight :math:`\beta` of the gated KL penalty.
    gate_quantile : float in [0, 1]
        Uncertainty quantile above which samples are penalized (reconstruction).
    reset_every : int >= 1 or None
        Reconstruction: steps between resets (default 40); official: ``reset_freq``, epochs
        after which the reference is reset (default 15, config/gardo.py l. 100).
    diversity : float >= 0
        Amplification coefficient :math:`c` (reconstruction).
    quality_quantile : float in [0, 1]
        Proxy-reward quantile :math:`q_{qual}` a sample must reach to be amplified
        (reconstruction).
    kl_threshold : float >= 0
        KL above which the reference is reset at the next epoch (official; code 3e-4,
        config/gardo.py l. 107); ``inf`` turns the KL trigger off.
    kl_fraction : float in [0.02, 0.2]
        Initial gated fraction :math:`\beta_{kl}` (official; code 0.1).
    rank_order : {"descending", "ascending"}
        Rank direction of :func:`rank_uncertainty` (official; ``"descending"`` is the code's).
    adv_clip : float > 0
        Advantage clip (official; code 5).
    lr : float > 0
        Step size :math:`\eta` on the logits.
    max_iter : int, 1 <= max_iter <= 1e8
        Number of steps (the fixed budget).
    oracle : {"exact", "sampled"} or None
        Gradient oracle: the exact per-action signal, or a REINFORCE estimate from
        ``batch_size`` draws.  None: ``"exact"`` (reconstruction) or ``"sampled"`` (official,
        the only one it accepts).
    update : {"pg", "mirror"}
        Policy-gradient step or mirror ascent (natural PG) on the logits.
    batch_size : int >= 2 or None
        Draws per step (sampled oracle); None: 64 (reconstruction) or 24 (official, the code's
        ``num_image_per_prompt``, config/gardo.py l. 131).
    record_every : int >= 1
        Record ``history`` every this many steps (and at steps 0 and ``max_iter``).
    seed : int, Generator or None
        Seed of the sampling (sampled oracle).

    Returns
    -------
    PolicyRun
        Final policy (K,), recorded ``steps`` and ``history`` (``"proxy"``, ``"true"``,
        ``"kl"``, ``"chi2"``, ``"entropy"`` to the original reference, ``"gated_mass"``, and for
        the official variant ``"kl_fraction"``, ``"resets"``).  If the logits overflow,
        ``success=False`` with status ``NUMERICAL`` and the last finite policy.

    References
    ----------
    .. [1] GARDO: Reinforcing Diffusion Models without Reward Hacking (2025), arXiv 2512.24138,
       Sec. 4 (gated KL, adaptive reference, diversity-aware reward amplification); only the
       abstract and third-party summaries could be read here (one says "a small fraction (about
       10%) of samples with the highest uncertainty receive KL regularization").
    .. [2] tinnerhrhe/GARDO (commit 1cc77fb), scripts/train_sd3_grpo_gardo.py l. 219-238
       (``RiskCompensator``), l. 788-799 (reset), l. 825-837 (advantages, rank uncertainty,
       gate), l. 877-898 (zero-advantage samples dropped), l. 954-989 (KL on gated samples
       only, ``loss = mean(policy_loss) + beta * mean(kl_loss)``), l. 1042-1043 (KL flag);
       flow_grpo/stat_tracking.py l. 96-135; config/gardo.py l. 100, 107, 131, 140;
       config/base.py l. 97.
    """
    env = ensemble_proxy_bandit() if env is None else env
    if not isinstance(env, ProxyBandit):
        raise TypeError(f"`env` must be a ProxyBandit, got {type(env).__name__}")
    variant = check_option(variant, "variant", ("reconstruction", "official"))
    official = variant == "official"
    beta = check_scalar(beta, "beta", lo=0.0)
    gate_quantile = check_scalar(gate_quantile, "gate_quantile", lo=0.0, hi=1.0)
    quality_quantile = check_scalar(quality_quantile, "quality_quantile", lo=0.0, hi=1.0)
    reset_every = check_int((15 if official else 40) if reset_every is None else reset_every,
                            "reset_every", lo=1)
    diversity = check_scalar(diversity, "diversity", lo=0.0)
    kl_threshold = check_scalar(kl_threshold, "kl_threshold", lo=0.0, finite=False)
    if math.isnan(kl_threshold):
        raise ValueError("`kl_threshold` must be >= 0 (inf: no KL-triggered resets), got nan")
    kl_fraction = check_scalar(kl_fraction, "kl_fraction", lo=0.02, hi=0.2)
    rank_order = check_option(rank_order, "rank_order", ("descending", "ascending"))
    adv_clip = check_scalar(adv_clip, "adv_clip", lo=0.0, lo_inclusive=False)
    lr = check_scalar(lr, "lr", lo=0.0, lo_inclusive=False)
    max_iter, record_every = check_steps(max_iter, record_every, n_keys=8 if official else 7)
    oracle = check_option(("sampled" if official else "exact") if oracle is None else oracle,
                          "oracle", ("exact", "sampled"))
    if official and oracle != "sampled":
        raise ValueError("`oracle` must be 'sampled' with variant='official' (its ranks, "
                         f"percentile gate and group distances are batch statistics), got "
                         f"{oracle!r}")
    update = check_option(update, "update", ("pg", "mirror"))
    batch_size = check_size((24 if official else 64) if batch_size is None else batch_size,
                            "batch_size", lo=2, factor=12, what="the sampled batch")
    if official:  # the (B, B) distance table of the diversity advantage (with features)
        check_size(batch_size, "batch_size", lo=2, per=2, what="the group distance table")
    if env.features is not None:
        check_size(env.features.shape[1], "env", lo=1, factor=2.0 * env.n_actions ** 2,
                   what=f"the diversity table of {env.n_actions} actions")
    rng = as_generator(seed)
    if official:
        return _gardo_official(env, beta=beta, reset_every=reset_every,
                               kl_threshold=kl_threshold, kl_fraction=kl_fraction,
                               bounds=(0.02, 0.2), rate=0.1, window=20, adv_clip=adv_clip,
                               order=rank_order, lr=lr, max_iter=max_iter, update=update,
                               batch_size=batch_size, record_every=record_every, rng=rng)
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


def _gardo_vs_kl_one(s, *, level, lr, max_iter, oracle, gardo_kwargs, env_kwargs,
                     algorithm=None):
    """One environment seed of :func:`gardo_vs_kl` (module level, so it pickles)."""
    from equilibria.theory.alignment import entropy

    env = ensemble_proxy_bandit(seed=int(s), **env_kwargs)
    kw = dict(gardo_kwargs)
    if oracle == "sampled":
        kw = {"update": "pg", "seed": int(s) + 1, **kw, "oracle": "sampled"}
    if algorithm is not None:
        g = algorithm(env, int(s) + 1)
    else:
        g = gardo(env, lr=lr, max_iter=max_iter, record_every=1, **kw).history
    k = kl_policy_at_proxy(env, level).policy
    return (_at_level(g, level, "true"), float(k @ env.r_true), _at_level(g, level, "entropy"),
            entropy(k))


def gardo_vs_kl(seeds, *, level: float = 1.5, lr: float = 0.02, max_iter: int = 150,
                oracle: str = "exact", gardo_kwargs=None, env_kwargs=None, executor=None,
                progress: bool | None = None, algorithm=None):
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
    algorithm : callable, optional
        ``algorithm(env, seed) -> history`` replaces the GARDO run (a picklable callable when
        ``executor`` is a process pool): ``history`` is a dict of per-step arrays with keys
        ``"proxy"``, ``"true"`` and ``"entropy"`` (the theorems' injectable implementation).

    Returns
    -------
    dict of ndarray
        ``true_gardo, true_kl, entropy_gardo, entropy_kl``, one entry per seed (NaN when GARDO
        never reaches ``level``).
    """
    if algorithm is not None and not callable(algorithm):
        raise TypeError(f"`algorithm` must be callable, got {type(algorithm).__name__}")
    oracle = check_option(oracle, "oracle", ("exact", "sampled"))
    fn = functools.partial(_gardo_vs_kl_one, level=level, lr=lr, max_iter=max_iter,
                           oracle=oracle, gardo_kwargs=dict(gardo_kwargs or {}),
                           env_kwargs=dict(env_kwargs or {}), algorithm=algorithm)
    rows = parallel_map(fn, [int(s) for s in seeds], executor=executor, progress=progress,
                        desc="gardo_vs_kl")
    keys = ("true_gardo", "true_kl", "entropy_gardo", "entropy_kl")
    return {k: np.asarray([row[j] for row in rows], dtype=float) for j, k in enumerate(keys)}
