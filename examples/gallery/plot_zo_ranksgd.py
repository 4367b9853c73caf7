"""
ZO-RankSGD: optimisation from rankings only
===========================================

:func:`~equilibria.solvers.online.zeroth.zo_ranksgd` sees the objective only through a
ranking oracle (Tang, Rybin & Chang 2024, arXiv 2303.03751): each estimate ranks ``m``
Gaussian perturbations :math:`x + \\mu\\xi_i` and sums the comparison directions
:math:`\\xi_j - \\xi_i` of the :math:`|E| = m(m-1)/2` ordered pairs.  Three panels:

1. the gradient norm against the number of points ranked on a non-convex double well
   (:math:`d = 10`) for several ``m``;
2. the alignment of single estimates with the smoothed gradient, against ``m`` (median and
   quartiles of the per-draw cosine; its mean is ``online.zo_rank_alignment``);
3. reinforcement learning with ranking feedback: a 5-state chain MDP whose softmax policy
   (10 logits) is improved from rankings of *single sampled episode returns*, the expected
   return computed exactly by dynamic programming for the plot only.

``--full`` uses more seeds and a longer RL run.
"""

import argparse
import warnings

import matplotlib.pyplot as plt
import numpy as np

from equilibria._lib.result import ConvergenceWarning
from equilibria.solvers.online import zeroth as Z
from equilibria.solvers.online import zeroth_theorems as ZT

parser = argparse.ArgumentParser(description="ZO-RankSGD from rankings only.")
parser.add_argument("--full", action="store_true", help="more seeds, longer RL run")
args, _ = parser.parse_known_args()
seeds = range(5 if args.full else 2)
warnings.simplefilter("ignore", ConvergenceWarning)  # fixed budgets below, by design

fig, axes = plt.subplots(1, 3, figsize=(14, 4.2), layout="constrained")

# %%
# Gradient norm against points ranked, double well sum x^2/2 + cos(2x)/2 in d = 10.
d = 10
ms = (2, 4, 8, 16)
finals = {}
for m in ms:
    curves = []
    for s in seeds:
        x0 = np.random.default_rng(s).uniform(-3, 3, d)
        r = Z.zo_ranksgd(ZT._double_well, x0, m=m, mu=1e-4, lr=1.0, max_queries=6000,
                         max_iter=10**6, tol=1e-6, grad=ZT._double_well_grad, seed=s)
        grid = np.linspace(0, 6000, 61)
        curves.append(np.interp(grid, r.queries, np.minimum.accumulate(r.history)))
    med = np.median(curves, axis=0)
    finals[m] = med[-1]
    axes[0].plot(grid, med, label=f"m = {m}")
axes[0].set_yscale("log")
axes[0].set(xlabel="points ranked (function evaluations)", ylabel=r"best $\|\nabla f\|$",
            title="ZO-RankSGD with line search")
axes[0].legend()
assert all(v < 1e-2 for v in finals.values()), finals

# %%
# Per-draw cosine with grad f_mu at a point of a random non-convex test function.
inst = ZT.sample_alignment(np.random.default_rng(0), d=20)
fn = ZT._function(inst)
m_grid = np.array([2, 3, 4, 6, 8, 12, 16, 24])
qs = []
for m in m_grid:
    _, cos, _ = ZT.cosines(fn, inst["x"], m=int(m), mu=inst["mu"], n_draws=300, seed=1)
    qs.append(np.percentile(cos, [25, 50, 75]))
qs = np.array(qs)
axes[1].fill_between(m_grid, qs[:, 0], qs[:, 2], alpha=0.3, label="quartiles")
axes[1].plot(m_grid, qs[:, 1], "o-", label="median")
axes[1].axhline(0.0, color="k", lw=0.8)
axes[1].set_xscale("log", base=2)
axes[1].set(xlabel="m (points per ranking)", ylabel=r"$\cos(\tilde g, \nabla f_\mu)$",
            title="alignment of one estimate, d = 20")
axes[1].legend()
assert qs[0, 1] > 0 and qs[-1, 1] > 2 * qs[0, 1], qs[:, 1]


# %%
# RL from ranked episode returns: chain of 5 states, actions left/right (right succeeds with
# probability 0.8), reward 1 per step spent in the last state, horizon 12, start state 0.
S, A, H = 5, 2, 12
P = np.zeros((S, A, S))
for st_ in range(S):
    lo, hi = max(st_ - 1, 0), min(st_ + 1, S - 1)
    P[st_, 0, lo] += 1.0
    P[st_, 1, hi] += 0.8
    P[st_, 1, lo] += 0.2
R = np.zeros(S)
R[-1] = 1.0


def policy(theta):
    z = theta.reshape(S, A)
    z = np.exp(z - z.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def expected_return(theta):
    """Exact finite-horizon value of state 0 (dynamic programming; for the plot only)."""
    pi, V = policy(theta), np.zeros(S)
    for _ in range(H):
        V = R + np.einsum("sa,sat,t->s", pi, P, V)
    return float(V[0])


episode_rng = np.random.default_rng(123)


def sampled_loss(theta):
    """Minus the return of ONE sampled episode: the only thing the oracle ranks."""
    pi, s, ret = policy(theta), 0, 0.0
    for _ in range(H):
        a = episode_rng.choice(A, p=pi[s])
        s = episode_rng.choice(S, p=P[s, a])
        ret += R[s]
    return -ret


oracle = Z.ranking_oracle(sampled_loss)
theta = np.zeros(S * A)
rounds = 40 if args.full else 20
returns, queries = [expected_return(theta)], [0]
for _ in range(rounds):
    r = Z.zo_ranksgd(oracle, theta, m=10, mu=0.5, lr=2.0, n_search=4, max_iter=5, tol=0.0,
                     grad=lambda th: np.ones_like(th),  # no stopping: the gradient is unseen
                     seed=len(returns))
    theta = r.x
    returns.append(expected_return(theta))
    queries.append(oracle.n_points)
axes[2].plot(queries, returns, "o-")
axes[2].axhline(expected_return(np.tile([-20.0, 20.0], S)), color="k", ls="--",
                label="always right")
axes[2].set(xlabel="episodes ranked", ylabel="expected return (exact)",
            title="policy from ranked episode returns")
axes[2].legend()
assert returns[-1] > returns[0] + 1.0, (returns[0], returns[-1])
plt.show()
