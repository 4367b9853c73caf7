"""Figures of the policy room (matplotlib figures returned to the caller)."""

from __future__ import annotations

import math

import numpy as np

from equilibria._lib.rng import as_generator, spawn_seeds
from equilibria._lib.validation import as_float_array, check_int, check_scalar
from equilibria.theory import alignment as al

from ._common import MAX_STEPS, check_policy, check_size
from .constrained import ConstrainedRun
from .envs import ProxyBandit, correlated_proxy_bandit
from .goodhart import GoodhartCurve, goodhart_curve
from .gradient import best_of_n_sampling, policy_gradient

__all__ = ["goodhart_figure", "frontier_figure", "multiplier_figure", "gardo_figure",
           "equivalence_figure", "occupancy_figure"]


class _Pyplot:
    """The one pyplot call the figures here make (``subplots``), through
    :func:`equilibria._lib.figures.new_figure` so a notebook shows each figure once."""

    @staticmethod
    def subplots(nrows=1, ncols=1, *, figsize=None, **kw):
        from equilibria._lib.figures import new_figure

        fig = new_figure(figsize=figsize)
        return fig, fig.subplots(nrows, ncols, **kw)


def _plt():
    return _Pyplot


def _env(env, name="env"):
    env = correlated_proxy_bandit() if env is None else env
    if not isinstance(env, ProxyBandit):
        raise TypeError(f"`{name}` must be a ProxyBandit, got {type(env).__name__}")
    return env


def _int_list(values, name, *, lo=1, hi=None):
    """A non-empty 1-D sequence of integers ``>= lo`` (``<= hi``) as a list of ``int``."""
    if isinstance(values, (str, bytes)) or values is None:
        raise TypeError(f"`{name}` must be a sequence of integers, got {type(values).__name__}")
    arr = np.asarray(values)
    if arr.dtype.kind not in "iuf" or arr.ndim != 1 or arr.size < 1:
        raise TypeError(f"`{name}` must be a non-empty 1-D sequence of integers, got "
                        f"{'dtype ' + str(arr.dtype) if arr.dtype.kind not in 'iuf' else f'shape {arr.shape}'}")
    return [check_int(v.item() if isinstance(v, np.generic) else v, name, lo=lo, hi=hi)
            for v in arr]


def goodhart_figure(env=None, *, curves=None):
    """Goodhart curves: proxy and true reward against KL to the reference and against steps,
    without regularization and with KL / chi^2 regularization."""
    plt = _plt()
    env = _env(env)
    if curves is not None:
        curves = list(curves)
        if not curves or not all(isinstance(c, GoodhartCurve) for c in curves):
            raise TypeError("`curves` must be a non-empty sequence of GoodhartCurve results")
    if curves is None:
        curves = [goodhart_curve(env), goodhart_curve(env, divergence="kl", beta=0.5),
                  goodhart_curve(env, divergence="chi2", beta=0.05)]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    colors = ["C3", "C0", "C2"]
    for c, col in zip(curves, colors, strict=False):
        lab = "no regularization" if c.divergence == "none" else \
            (rf"KL, $\beta = {c.beta:g}$" if c.divergence == "kl" else
             rf"$\chi^2$, $\beta = {c.beta:g}$")
        for ax, x in ((axes[0], c.kl), (axes[1], c.steps)):
            ax.plot(x, c.proxy, color=col, ls="--", lw=1.5)
            ax.plot(x, c.true, color=col, lw=2, label=lab)
            ax.plot(x[c.peak], c.true[c.peak], "o", color=col, ms=7)
            if c.crossing is not None:
                ax.plot(x[c.crossing], c.true[c.crossing], "x", color=col, ms=8, mew=2)
    axes[0].set_xlabel(r"$\mathrm{KL}(\pi \,\|\, \pi_{\mathrm{ref}})$  [nats]")
    axes[1].set_xlabel("mirror-ascent step")
    for ax in axes:
        ax.set_ylabel("expected reward")
        ax.axhline(curves[0].true[0], color="0.6", lw=0.8, ls=":")
        ax.grid(alpha=0.3)
    axes[0].legend(loc="lower left", fontsize=8, title="solid: true, dashed: proxy",
                   title_fontsize=8)
    axes[1].plot([], [], "ko", label="peak (overoptimization point)")
    axes[1].plot([], [], "kx", label="true reward back below reference")
    axes[1].legend(loc="lower left", fontsize=8)
    c0 = curves[0]
    fig.suptitle(f"Goodhart curve, correlated proxy (r = {env.ref_correlation:.2f} under "
                 r"$\pi_{\mathrm{ref}}$" f"): true reward peaks at {c0.peak_true:.2f} (KL {c0.peak_kl:.2f}) and "
                 f"ends at {c0.final_true:.2f}", fontsize=10)
    fig.tight_layout()
    return fig


def frontier_figure(env=None, *, n_values=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512),
                    kl_betas=(2.0, 1.0, 0.7, 0.5, 0.35), n_draws: int = 20_000,
                    pg_max_iter: int = 3000, seed=0):
    """Reward-KL frontier of the proxy with best-of-N (exact, its bound's KL, sampled) and
    KL-regularized RL (sampled policy gradient to convergence) overlaid; true reward below.

    ``n_values``: the N of best-of-N (integers >= 1; the first six are also sampled with
    ``n_draws`` selections each); ``kl_betas``: positive KL weights of the sampled runs of
    ``pg_max_iter`` steps (``1 <= pg_max_iter <= 1e8``); ``seed``: their randomness.
    """
    plt = _plt()
    env = _env(env)
    n_values = _int_list(n_values, "n_values")
    kl_betas = as_float_array(kl_betas, "kl_betas", ndim=1, min_size=1, positive=True)
    for n in n_values[:6]:
        check_size(n, "n_values", factor=4.0, what="one best-of-N draw table row")
    n_draws = check_size(n_draws, "n_draws", factor=4.0 * max(n_values[:6]),
                         what=f"the best-of-N draw tables (N up to {max(n_values[:6])})")
    pg_max_iter = check_int(pg_max_iter, "pg_max_iter", lo=1, hi=MAX_STEPS)
    rng = as_generator(seed)  # validates `seed`
    pg_seeds = [seed + j for j in range(kl_betas.size)] if isinstance(seed, (int, np.integer)) \
        else [int(s) for s in spawn_seeds(rng, kl_betas.size)]
    p, r, rt = env.pi_ref, env.r_proxy, env.r_true
    kl, rew, betas = al.reward_kl_frontier(p, r, n=300)
    true_f = np.array([al.kl_regularized_policy(p, r, b).policy @ rt for b in betas])
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharex=True)
    axes[0].plot(kl, rew, "k-", lw=2, label="exact frontier (KL-constrained optimum)")
    axes[1].plot(kl, true_f, "k-", lw=2, label="true reward along the frontier")
    bon = [al.best_of_n(p, r, n) for n in n_values]
    bk = np.array([b.kl for b in bon])
    axes[0].plot(bk, [b.expected_reward for b in bon], "o", color="C1", ms=6,
                 label="best-of-N, exact KL")
    axes[0].plot([b.kl_bound for b in bon], [b.expected_reward for b in bon], "o", mfc="none",
                 color="C1", ms=6, label=r"best-of-$N$ at $\log N - (N-1)/N$")
    axes[1].plot(bk, [b.policy @ rt for b in bon], "o", color="C1", ms=6, label="best-of-N")
    emp = [best_of_n_sampling(p, r, n, n_draws=n_draws, seed=rng) for n in n_values[:6]]
    axes[0].plot([al.kl_divergence(e, p) for e in emp], [e @ r for e in emp], "^", color="C4",
                 ms=6, label=f"best-of-N sampled ({n_draws} draws, plug-in KL)")
    for j, b in enumerate(kl_betas):
        run = policy_gradient(p, r, divergence="kl", beta=b, update="pg", lr=5.0,
                              max_iter=pg_max_iter, oracle="sampled", batch_size=256, r_true=rt,
                              seed=pg_seeds[j], record_every=pg_max_iter)
        kw = dict(label="KL-regularized RL (sampled PG)") if j == 0 else {}
        axes[0].plot(run.kl[-1], run.proxy[-1], "s", color="C0", ms=6, **kw)
        axes[1].plot(run.kl[-1], run.true[-1], "s", color="C0", ms=6, **kw)
    axes[0].set_ylabel("proxy reward")
    axes[1].set_ylabel("true reward")
    for ax, loc in zip(axes, ("lower right", "upper right"), strict=True):
        ax.set_xlabel(r"$\mathrm{KL}(\pi \,\|\, \pi_{\mathrm{ref}})$  [nats]")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7.5, loc=loc)
    axes[0].set_xlim(0, max(kl.max(), max(b.kl_bound for b in bon)) * 1.02)
    fig.suptitle("Reward-KL frontier: best-of-N lies on/below it; its exact KL is left of "
                 r"$\log N - (N-1)/N$ (ties)", fontsize=10)
    fig.tight_layout()
    return fig


def multiplier_figure(run: ConstrainedRun, *, fixed_true=None):
    """Constrained RLHF: multipliers (dynamic weights), component values against thresholds,
    true reward, along the primal-dual iterations.  ``fixed_true``: optional finite level
    (the best fixed-weight true reward) drawn as a horizontal line."""
    plt = _plt()
    if not isinstance(run, ConstrainedRun):
        raise TypeError(f"`run` must be a ConstrainedRun, got {type(run).__name__}")
    if fixed_true is not None:
        fixed_true = check_scalar(fixed_true, "fixed_true")
    if not run.history:
        raise ValueError("`run` has no history (an infeasible run): nothing to draw")
    h = run.history
    steps = h["steps"]
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    m = run.thresholds.size
    for i in range(m):
        axes[0].plot(steps, h["multipliers"][:, i], color=f"C{i}", lw=2,
                     label=rf"$\lambda_{{{i + 1}}}$ (weight {1 - run.multipliers[i]:+.2f})")
        axes[1].plot(steps, h["values"][:, i], color=f"C{i}", lw=2,
                     label=rf"$\mathbb{{E}}\, r_{{{i + 1}}}$")
        axes[1].axhline(run.thresholds[i], color=f"C{i}", ls="--", lw=1,
                        label=f"threshold {run.thresholds[i]:.3f}")
    axes[2].plot(steps, h["true"], "k-", lw=2, label="constrained RLHF")
    if fixed_true is not None:
        axes[2].axhline(fixed_true, color="C3", ls="--", label="best fixed convex weights")
    axes[0].set_title(r"multipliers $\lambda = \lambda_{\max}\,\sigma(\nu)$", fontsize=10)
    axes[1].set_title("component rewards vs thresholds", fontsize=10)
    axes[2].set_title("held-out true reward", fontsize=10)
    for ax in axes:
        ax.set_xlabel("iteration")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def gardo_figure(env=None, *, max_iter: int = 300, official_seeds: int = 3):
    """GARDO vs uniform KL on one environment: true reward and entropy against proxy reward.

    Parameters
    ----------
    env : ProxyBandit, optional
        Default :func:`~.envs.ensemble_proxy_bandit` (seed 0).
    max_iter : int, 1 <= max_iter <= 1e8
        Steps of the exact reconstruction and of uniform-KL mirror ascent (the official runs
        take ``min(max_iter, 150)``).
    official_seeds : int, 0 <= official_seeds <= 20
        Sampling seeds of ``gardo(variant="official")`` (thin red lines; lr 1, PG step).

    Returns
    -------
    matplotlib.figure.Figure
        Two panels: true reward and policy entropy against the proxy reward.
    """
    plt = _plt()
    from .envs import ensemble_proxy_bandit
    from .gardo import gardo

    env = ensemble_proxy_bandit() if env is None else env
    if not isinstance(env, ProxyBandit):
        raise TypeError(f"`env` must be a ProxyBandit, got {type(env).__name__}")
    max_iter = check_int(max_iter, "max_iter", lo=1, hi=MAX_STEPS)
    official_seeds = check_int(official_seeds, "official_seeds", lo=0, hi=20)
    g = gardo(env, max_iter=max_iter, record_every=1).history
    offs = [gardo(env, variant="official", lr=1.0, update="pg", max_iter=min(max_iter, 150),
                  record_every=1, seed=s).history for s in range(official_seeds)]
    k = policy_gradient(env.pi_ref, env.r_proxy, r_true=env.r_true, divergence="kl", beta=0.1,
                        lr=0.02, max_iter=max_iter, update="mirror").history
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for j, h in enumerate(offs):
        lab = "GARDO official (code's mechanisms), sampled seeds" if j == 0 else None
        axes[0].plot(h["proxy"], h["true"], color="C3", lw=0.8, alpha=0.7, label=lab)
        axes[1].plot(h["proxy"], h["entropy"], color="C3", lw=0.8, alpha=0.7, label=lab)
    for h, lab, col in ((g, "GARDO reconstruction (exact)", "C2"),
                        (k, r"uniform KL, any $\beta$ (tilted family $\pi_{\mathrm{ref}}\, e^{c \tilde r}$)", "C0")):
        axes[0].plot(h["proxy"], h["true"], color=col, lw=2, label=lab)
        axes[1].plot(h["proxy"], h["entropy"], color=col, lw=2, label=lab)
    for ax in axes:
        ax.axvline(1.5, color="0.5", ls=":", lw=1)
        ax.set_xlabel("proxy reward (ensemble mean)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    axes[0].set_ylabel("true reward")
    axes[1].set_ylabel("policy entropy [nats]")
    fig.suptitle("GARDO vs uniform KL at equal proxy reward, environment seed 0 (dotted: "
                 "comparison level)\nover seeds see policy.gardo_beats_uniform_kl, "
                 "policy.gardo_official_true_reward",
                 fontsize=10)
    fig.tight_layout()
    return fig


def equivalence_figure(p=(0.5, 0.3, 0.2), r_token=(0.0, 1.0, 2.0), *, delta: float = 0.1,
                       lengths=(8, 16, 32, 64, 128, 256, 512, 1024)):
    """Memoryless model: per-token reward of best-of-N (N = e^{delta L}) and of the
    KL-constrained optimum at the same KL, against L.

    ``p``: token distribution (K,); ``r_token``: finite token rewards (K,); ``delta >= 0``
    with ``delta * max(lengths) <= 700`` (so N is finite); ``lengths``: integers >= 1 (the
    exact reward distribution of each length must be enumerable).
    """
    plt = _plt()
    p = check_policy(p, "p")
    r_token = as_float_array(r_token, "r_token", shape=p.shape)
    delta = check_scalar(delta, "delta", lo=0.0)
    lengths = _int_list(lengths, "lengths")
    if delta * max(lengths) > 700.0:
        raise ValueError(f"`delta` * max(`lengths`) = {delta * max(lengths):.3g} must be <= 700 "
                         "(N = exp(delta L) overflows); lower `delta` or `lengths`")
    top = float(np.max(np.abs(r_token)))
    if not np.isfinite(top * max(lengths)) or top * max(lengths) > 1e300:
        raise ValueError(f"`r_token` entries up to {top:.3g} summed over max(`lengths`) = "
                         f"{max(lengths)} tokens overflow; rescale `r_token`")

    bon, klc, kls = [], [], []
    for L in lengths:
        n = max(1, int(round(math.exp(delta * L))))
        try:
            kl, er = al.memoryless_best_of_n(p, r_token, L, n)
        except ValueError as exc:
            if "`length`" not in str(exc):
                raise
            raise ValueError(f"`lengths` entry {L}: {exc}") from None
        kc = al.memoryless_kl_constrained(p, r_token, L, kl)
        bon.append(er / L)
        klc.append(kc.expected_reward)
        kls.append(kl / L)
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    axes[0].semilogx(lengths, bon, "o-", color="C1", label="best-of-N")
    axes[0].semilogx(lengths, klc, "s-", color="C0", label="KL-constrained, same KL")
    axes[0].set_ylabel("expected reward per token")
    axes[1].loglog(lengths, np.abs(np.array(klc) - np.array(bon)), "k^-")
    axes[1].set_ylabel("|gap| per token")
    for ax in axes:
        ax.set_xlabel(r"sequence length $L$")
        ax.grid(alpha=0.3, which="both")
    axes[0].legend(fontsize=8)
    fig.suptitle(rf"Memoryless model, $N = e^{{{delta:g} L}}$: best-of-N approaches the "
                 "KL-constrained optimum", fontsize=10)
    fig.tight_layout()
    return fig


def occupancy_figure(paths=None, *, n_strengths: int = 30):
    """chi^2 occupancy-measure vs KL-on-actions regularization on :func:`~.envs.trap_mdp`:
    true return against proxy return along each regularization path."""
    plt = _plt()
    from .envs import trap_mdp
    from .occupancy import regularization_paths

    n_strengths = check_size(n_strengths, "n_strengths", factor=1e4,
                             what="one cvxpy solve per strength")
    if paths is not None and not (isinstance(paths, dict) and {"chi2", "kl", "reference"}
                                  <= set(paths)):
        raise TypeError("`paths` must be the dict returned by regularization_paths, got "
                        f"{type(paths).__name__}")
    if paths is None:
        mdp, ref, rt, rp = trap_mdp()
        paths = regularization_paths(mdp, ref, rt, rp,
                                     strengths=np.logspace(0.5, -2, n_strengths))
    fig, ax = plt.subplots(figsize=(6.2, 4.4))
    ax.plot(*paths["chi2"], "o", color="C2", ms=5,
            label=r"$\chi^2$ on occupancy measures (cvxpy), $\lambda$ sweep")
    ax.plot(*paths["kl"], "s", color="C0", ms=4,
            label=r"KL on action distributions (soft VI), $\beta$ sweep")
    ax.plot(*paths["reference"], "k*", ms=12, label="reference policy")
    if "laidlaw" in paths:
        lam, px, tr = paths["laidlaw"]
        ax.plot(px, tr, "D", color="C3", ms=8, mfc="none", mew=2,
                label=rf"$\chi^2$ with Laidlaw $\lambda = {lam:.2f}$ (no drop)")
    ax.set_xlabel(r"proxy return $\mathbb{E}_\mu\, \tilde r$")
    ax.set_ylabel(r"true return $\mathbb{E}_\mu\, r$")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower left")
    ax.set_title(r"Trap MDP: $\chi^2$-OM regularization gains true return where KL-on-actions "
                 "loses it",
                 fontsize=9)
    fig.tight_layout()
    return fig
