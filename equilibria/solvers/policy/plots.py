"""Figures of the policy room (matplotlib figures returned to the caller)."""

from __future__ import annotations

import numpy as np

from equilibria.theory import alignment as al

from .constrained import ConstrainedRun
from .envs import correlated_proxy_bandit
from .goodhart import goodhart_curve
from .gradient import best_of_n_sampling, policy_gradient

__all__ = ["goodhart_figure", "frontier_figure", "multiplier_figure", "gardo_figure",
           "equivalence_figure", "occupancy_figure"]


def _plt():
    import matplotlib.pyplot as plt

    return plt


def goodhart_figure(env=None, *, curves=None):
    """Goodhart curves: proxy and true reward against KL to the reference and against steps,
    without regularization and with KL / chi^2 regularization."""
    plt = _plt()
    env = correlated_proxy_bandit() if env is None else env
    if curves is None:
        curves = [goodhart_curve(env), goodhart_curve(env, divergence="kl", beta=0.5),
                  goodhart_curve(env, divergence="chi2", beta=0.05)]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    colors = ["C3", "C0", "C2"]
    for c, col in zip(curves, colors, strict=False):
        lab = "no regularization" if c.divergence == "none" else \
            f"{'KL' if c.divergence == 'kl' else 'chi^2'}, beta={c.beta:g}"
        for ax, x in ((axes[0], c.kl), (axes[1], c.steps)):
            ax.plot(x, c.proxy, color=col, ls="--", lw=1.5)
            ax.plot(x, c.true, color=col, lw=2, label=lab)
            ax.plot(x[c.peak], c.true[c.peak], "o", color=col, ms=7)
            if c.crossing is not None:
                ax.plot(x[c.crossing], c.true[c.crossing], "x", color=col, ms=8, mew=2)
    axes[0].set_xlabel("KL(pi || pi_ref)  [nats]")
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
                 f"pi_ref): true reward peaks at {c0.peak_true:.2f} (KL {c0.peak_kl:.2f}) and "
                 f"ends at {c0.final_true:.2f}", fontsize=10)
    fig.tight_layout()
    return fig


def frontier_figure(env=None, *, n_values=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512),
                    kl_betas=(2.0, 1.0, 0.7, 0.5, 0.35), n_draws: int = 20_000,
                    pg_max_iter: int = 3000, seed=0):
    """Reward-KL frontier of the proxy with best-of-N (exact, its bound's KL, sampled) and
    KL-regularized RL (sampled policy gradient to convergence) overlaid; true reward below."""
    plt = _plt()
    env = correlated_proxy_bandit() if env is None else env
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
                 color="C1", ms=6, label="best-of-N at log N-(N-1)/N")
    axes[1].plot(bk, [b.policy @ rt for b in bon], "o", color="C1", ms=6, label="best-of-N")
    rng = np.random.default_rng(seed)
    emp = [best_of_n_sampling(p, r, n, n_draws=n_draws, seed=rng) for n in n_values[:6]]
    axes[0].plot([al.kl_divergence(e, p) for e in emp], [e @ r for e in emp], "^", color="C4",
                 ms=6, label=f"best-of-N sampled ({n_draws} draws, plug-in KL)")
    for j, b in enumerate(kl_betas):
        run = policy_gradient(p, r, divergence="kl", beta=b, update="pg", lr=5.0,
                              max_iter=pg_max_iter, oracle="sampled", batch_size=256, r_true=rt,
                              seed=seed + j, record_every=pg_max_iter)
        kw = dict(label="KL-regularized RL (sampled PG)") if j == 0 else {}
        axes[0].plot(run.kl[-1], run.proxy[-1], "s", color="C0", ms=6, **kw)
        axes[1].plot(run.kl[-1], run.true[-1], "s", color="C0", ms=6, **kw)
    axes[0].set_ylabel("proxy reward")
    axes[1].set_ylabel("true reward")
    for ax, loc in zip(axes, ("lower right", "upper right"), strict=True):
        ax.set_xlabel("KL(pi || pi_ref)  [nats]")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7.5, loc=loc)
    axes[0].set_xlim(0, max(kl.max(), max(b.kl_bound for b in bon)) * 1.02)
    fig.suptitle("Reward-KL frontier: best-of-N lies on/below it; its exact KL is left of "
                 "log N-(N-1)/N (ties)", fontsize=10)
    fig.tight_layout()
    return fig


def multiplier_figure(run: ConstrainedRun, *, fixed_true=None):
    """Constrained RLHF: multipliers (dynamic weights), component values against thresholds,
    true reward, along the primal-dual iterations."""
    plt = _plt()
    h = run.history
    steps = h["steps"]
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    m = run.thresholds.size
    for i in range(m):
        axes[0].plot(steps, h["multipliers"][:, i], color=f"C{i}", lw=2,
                     label=f"lambda_{i + 1} (weight {1 - run.multipliers[i]:+.2f})")
        axes[1].plot(steps, h["values"][:, i], color=f"C{i}", lw=2,
                     label=f"E r_{i + 1}")
        axes[1].axhline(run.thresholds[i], color=f"C{i}", ls="--", lw=1,
                        label=f"threshold {run.thresholds[i]:.3f}")
    axes[2].plot(steps, h["true"], "k-", lw=2, label="constrained RLHF")
    if fixed_true is not None:
        axes[2].axhline(fixed_true, color="C3", ls="--", label="best fixed convex weights")
    axes[0].set_title("multipliers lambda = lambda_max sigmoid(nu)", fontsize=10)
    axes[1].set_title("component rewards vs thresholds", fontsize=10)
    axes[2].set_title("held-out true reward", fontsize=10)
    for ax in axes:
        ax.set_xlabel("iteration")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def gardo_figure(env=None, *, max_iter: int = 300):
    """GARDO vs uniform KL on one environment: true reward and entropy against proxy reward."""
    plt = _plt()
    from .envs import ensemble_proxy_bandit
    from .gardo import gardo

    env = ensemble_proxy_bandit() if env is None else env
    g = gardo(env, max_iter=max_iter, record_every=1).history
    k = policy_gradient(env.pi_ref, env.r_proxy, r_true=env.r_true, divergence="kl", beta=0.1,
                        lr=0.02, max_iter=max_iter, update="mirror").history
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for h, lab, col in ((g, "GARDO", "C2"),
                        (k, "uniform KL, any beta (tilted family pi_ref e^{c r~})", "C0")):
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
                 "comparison level; over seeds see policy.gardo_beats_uniform_kl)",
                 fontsize=10)
    fig.tight_layout()
    return fig


def equivalence_figure(p=(0.5, 0.3, 0.2), r_token=(0.0, 1.0, 2.0), *, delta: float = 0.1,
                       lengths=(8, 16, 32, 64, 128, 256, 512, 1024)):
    """Memoryless model: per-token reward of best-of-N (N = e^{delta L}) and of the
    KL-constrained optimum at the same KL, against L."""
    plt = _plt()
    import math

    bon, klc, kls = [], [], []
    for L in lengths:
        n = max(1, int(round(math.exp(delta * L))))
        kl, er = al.memoryless_best_of_n(np.asarray(p), np.asarray(r_token), L, n)
        kc = al.memoryless_kl_constrained(np.asarray(p), np.asarray(r_token), L, kl)
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
        ax.set_xlabel("sequence length L")
        ax.grid(alpha=0.3, which="both")
    axes[0].legend(fontsize=8)
    fig.suptitle(f"Memoryless model, N = exp({delta:g} L): best-of-N approaches the "
                 "KL-constrained optimum", fontsize=10)
    fig.tight_layout()
    return fig


def occupancy_figure(paths=None, *, n_strengths: int = 30):
    """chi^2 occupancy-measure vs KL-on-actions regularization on :func:`~.envs.trap_mdp`:
    true return against proxy return along each regularization path."""
    plt = _plt()
    from .envs import trap_mdp
    from .occupancy import regularization_paths

    if paths is None:
        mdp, ref, rt, rp = trap_mdp()
        paths = regularization_paths(mdp, ref, rt, rp,
                                     strengths=np.logspace(0.5, -2, n_strengths))
    fig, ax = plt.subplots(figsize=(6.2, 4.4))
    ax.plot(*paths["chi2"], "o", color="C2", ms=5,
            label="chi^2 on occupancy measures (cvxpy), lambda sweep")
    ax.plot(*paths["kl"], "s", color="C0", ms=4,
            label="KL on action distributions (soft VI), beta sweep")
    ax.plot(*paths["reference"], "k*", ms=12, label="reference policy")
    if "laidlaw" in paths:
        lam, px, tr = paths["laidlaw"]
        ax.plot(px, tr, "D", color="C3", ms=8, mfc="none", mew=2,
                label=f"chi^2 with Laidlaw lambda = {lam:.2f} (no drop)")
    ax.set_xlabel("proxy return  E_mu r~")
    ax.set_ylabel("true return  E_mu r")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower left")
    ax.set_title("Trap MDP: chi^2-OM regularization gains true return where KL-on-actions "
                 "loses it",
                 fontsize=9)
    fig.tight_layout()
    return fig
