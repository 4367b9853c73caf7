"""Draw-for-draw oracles (``naive_draws.py``) of KL-UCB, MOSS, Thompson sampling, OFUL, linear
Thompson sampling and DynLin-UCB: the compiled engine must reproduce the oracle's pulls and
regret exactly on small instances (same seeds, same random numbers in the same order).

Each test names the kernel mutations it catches; they were checked by applying them to a
scratch copy of the package (see the closing note of issue 13)."""

import math

import numpy as np
import pytest

from equilibria.bandits import (KLUCB, MOSS, BernoulliArms, BoundedArms, DynamicalLinearBandit,
                                DynLinUCB, GaussianArms, LinearBandit, LinearThompsonSampling,
                                LinUCB, ThompsonSampling, simulate)

from . import naive_draws as N

MEANS = [np.array([0.3, 0.5, 0.55, 0.7]), np.array([0.9, 0.85]), np.array([0.1, 0.12, 0.5])]


@pytest.mark.parametrize("means", MEANS, ids=["K4", "K2-close", "K3-low"])
def test_klucb_matches_bisection_oracle_draw_for_draw(means):
    """KL-UCB (L&S Alg. 8) pulls and pseudo-regret equal a bisection-index oracle's, per round.

    Catches: a wrong exploration level (``log(1 + t log t)``, ``log t``, 0-based ``t``), a
    wrong divisor (``level`` not divided by ``n_i``, or by ``n_i + 1``), a wrong kl (Gaussian
    ``2 (q - p)^2`` in place of Bernoulli), a pruning step that skips the best exact index, the
    initial round-robin skipped, a Newton step of the wrong sign or derivative."""
    res = simulate(BernoulliArms(means), KLUCB(), 600, n_runs=3, seed=17)
    for r in range(3):
        reg, pulls = N.klucb_run(means, 600, res.seeds[r])
        np.testing.assert_array_equal(res.pulls[r], pulls)
        np.testing.assert_allclose(res.regret[r], reg, rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("c", [0.0, 3.0])
def test_klucb_garivier_cappe_level_matches_oracle(c):
    """KL-UCB with the level log t + c log log t (Garivier & Cappe 2011, eq. (3)).

    Catches: c dropped or applied to log t, log log t unfloored (NaN at t = 1 .. e), the
    ``exploration`` switch inverted (the L&S level used instead)."""
    means = MEANS[0]
    res = simulate(BernoulliArms(means), KLUCB(exploration="gc", c=c), 500, n_runs=2, seed=3)
    for r in range(2):
        reg, pulls = N.klucb_run(means, 500, res.seeds[r], exploration="gc", c=c)
        np.testing.assert_array_equal(res.pulls[r], pulls)
        np.testing.assert_allclose(res.regret[r], reg, rtol=1e-12, atol=1e-9)


def test_klucb_gaussian_kl_matches_oracle():
    """KL-UCB with the Gaussian kl on N(mu, 0.7^2) arms: index mean + sqrt(2 sigma^2 level / n).

    Catches: sigma not squared, the factor 2 dropped, the Gaussian rewards drawn with the
    wrong scale, the Bernoulli branch taken for ``kl="gaussian"``."""
    means = np.array([0.0, 0.4, 0.5])
    res = simulate(GaussianArms(means, sigma=0.7), KLUCB(kl="gaussian", sigma=0.7), 500,
                   n_runs=2, seed=4)
    for r in range(2):
        reg, pulls = N.klucb_run(means, 500, res.seeds[r], kl="gaussian", sigma=0.7,
                                 env="gaussian", scale=0.7)
        np.testing.assert_array_equal(res.pulls[r], pulls)
        np.testing.assert_allclose(res.regret[r], reg, rtol=1e-12, atol=1e-9)


def test_klucb_index_bisection_agrees_with_the_kernel():
    """The oracle's bisection index equals the kernel's Newton index (so a pulls mismatch is a
    selection or level error, not a root-finding tolerance)."""
    from equilibria.bandits._kernels import common as K

    for mean in (0.0, 0.05, 0.3, 0.5, 0.97, 1.0):
        for level in (1e-5, 0.01, 0.2, 1.0, 5.0):
            np.testing.assert_allclose(K._klucb_bern(mean, level),
                                       N.klucb_index_bisection(mean, level), rtol=0, atol=1e-10)


@pytest.mark.parametrize("means", MEANS, ids=["K4", "K2-close", "K3-low"])
def test_thompson_matches_beta_posterior_oracle_draw_for_draw(means):
    """Thompson sampling with Beta(1 + S, 1 + F) posteriors: pulls and regret equal the
    oracle's, which re-implements the Box-Muller / Marsaglia-Tsang draws from the paper.

    Catches: a wrong posterior count (Beta(1 + S, 1 + n) or Beta(S, F), i.e. failures not
    subtracted or a missing prior), swapped shapes, the reward sums updated for the wrong arm,
    the Gamma squeeze constant or the d = a - 1/3 shift changed, the Box-Muller angle or the
    second normal (sin) replaced, argmin in place of argmax."""
    res = simulate(BernoulliArms(means), ThompsonSampling(), 400, n_runs=3, seed=29)
    for r in range(3):
        reg, pulls = N.thompson_run(means, 400, res.seeds[r])
        np.testing.assert_array_equal(res.pulls[r], pulls)
        np.testing.assert_allclose(res.regret[r], reg, rtol=1e-12, atol=1e-9)


def test_thompson_binarization_on_bounded_rewards_matches_oracle():
    """Beta-distributed rewards in (0, 1) (shapes below 1 included: concentration 1.5) are
    binarized, a success with probability x (Agrawal & Goyal 2012, Sec. 2).

    Catches: the binarization skipped (fractional posterior counts), a success with
    probability 1 - x, the trick applied to the reward sum of the wrong arm, the shape-below-1
    branch of the Beta sampler (U^(1/a) factor) changed."""
    means = np.array([0.3, 0.6, 0.65])
    res = simulate(BoundedArms(means, 1.5), ThompsonSampling(), 300, n_runs=3, seed=6)
    for r in range(3):
        reg, pulls = N.thompson_run(means, 300, res.seeds[r], env="bounded", scale=1.5)
        np.testing.assert_array_equal(res.pulls[r], pulls)
        np.testing.assert_allclose(res.regret[r], reg, rtol=1e-12, atol=1e-9)


def test_gaussian_thompson_matches_oracle():
    """Gaussian Thompson sampling N(S / (k + 1), sigma^2 / (k + 1)) (Agrawal & Goyal 2013).

    Catches: the posterior mean S / k (no prior pseudo-count), the variance sigma^2 / k or
    sigma / (k + 1), sigma not applied."""
    means = np.array([0.0, 0.3, 0.5])
    res = simulate(GaussianArms(means, sigma=0.5), ThompsonSampling(prior="gaussian", sigma=0.8),
                   300, n_runs=3, seed=8)
    for r in range(3):
        reg, pulls = N.gaussian_thompson_run(means, 300, res.seeds[r], sigma=0.8, scale=0.5)
        np.testing.assert_array_equal(res.pulls[r], pulls)
        np.testing.assert_allclose(res.regret[r], reg, rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("K,d,sigma,seed", [(6, 3, 0.5, 4), (10, 2, 1.0, 1), (5, 4, 0.2, 7)])
def test_oful_matches_explicit_inverse_oracle_draw_for_draw(K, d, sigma, seed):
    """OFUL / LinUCB: pulls, regret and the coverage flag equal an oracle with explicit
    inverses and ``slogdet``.

    Catches: a wrong radius constant (``log(1/delta)`` without the 2, ``S`` without
    ``sqrt(lam)``, the log-det term dropped or not normalized by ``lam^d``), a wrong
    Sherman-Morrison update, the ridge estimate from ``V`` instead of ``V^-1``, the width
    ``||x||_V`` in place of ``||x||_{V^-1}``, the reward noise scaled by sigma^2."""
    env = LinearBandit.random(K, d, sigma=sigma, seed=seed)
    res = simulate(env, LinUCB(), 300, n_runs=3, seed=5)
    for r in range(3):
        reg, pulls, covered = N.linear_run(env.actions, env.theta, sigma, 300, res.seeds[r])
        np.testing.assert_array_equal(res.pulls[r], pulls)
        np.testing.assert_allclose(res.regret[r], reg, rtol=1e-10, atol=1e-9)
        assert bool(res.extras["covered"][r]) == covered


@pytest.mark.parametrize("v", [None, 0.3])
def test_linear_thompson_matches_oracle_draw_for_draw(v):
    """Linear Thompson sampling: theta_tilde = theta_hat + v chol(V^-1) z (v = sqrt(beta_t) by
    default): pulls and regret equal the oracle's.

    Catches: the perturbation drawn from ``V`` instead of ``V^-1``, a scale ``v^2`` or ``1``
    instead of ``v``, the default inflation not the OFUL radius, the upper instead of the lower
    Cholesky factor, the normals drawn after the action choice, a wrong Cholesky pivot."""
    env = LinearBandit.random(8, 3, sigma=0.5, seed=2)
    res = simulate(env, LinearThompsonSampling(v=v), 250, n_runs=3, seed=9)
    for r in range(3):
        reg, pulls, _ = N.linear_run(env.actions, env.theta, 0.5, 250, res.seeds[r],
                                     thompson=True, v=v)
        np.testing.assert_array_equal(res.pulls[r], pulls)
        np.testing.assert_allclose(res.regret[r], reg, rtol=1e-10, atol=1e-9)


def _engine_arms(means, regret):
    """The arm of each round, read off the per-round pseudo-regret ``mu* - mu_{A_t}`` (the means
    are distinct, far apart compared with the rounding of the cumulative sums)."""
    gap = np.diff(regret, prepend=0.0)
    return np.argmin(np.abs((max(means) - np.asarray(means))[None, :] - gap[:, None]), axis=1)


# horizons n of a few times K: log(n / (K n_i)) is clipped at 0 for the most pulled arms
MOSS_CASES = [(np.array([0.3, 0.5, 0.55, 0.7]), 120), (np.array([0.1, 0.12, 0.5]), 60),
              (np.array([0.2, 0.4, 0.45, 0.5, 0.6]), 150)]


@pytest.mark.parametrize("means,horizon", MOSS_CASES, ids=["K4-n120", "K3-n60", "K5-n150"])
def test_moss_matches_oracle_draw_for_draw(means, horizon):
    """MOSS (Audibert & Bubeck 2009): the arm of every round and every reward equal the
    oracle's, on horizons n of a few times K where the clipping max(log(n / (K n_i)), 0)
    switches the bonus off for the most pulled arms (checked below).

    Catches: K dropped from log(n / (K n_i)) (mutant bandits-06), the clipping at 0 replaced
    by |log(n / (K n_i))|, the bonus not divided by n_i (or its square root dropped), the round
    t in place of the horizon n, ties broken to the last maximum (``>=`` in ``_argmax``)."""
    K = means.size
    res = simulate(BernoulliArms(means), MOSS(), horizon, n_runs=3, seed=23)
    np.testing.assert_array_equal(res.t, np.arange(1, horizon + 1))
    clipped = 0
    for r in range(3):
        arms, rewards = N.moss_run(means, horizon, res.seeds[r])
        np.testing.assert_array_equal(_engine_arms(means, res.regret[r]), arms)
        np.testing.assert_array_equal(res.pulls[r], np.bincount(arms, minlength=K))
        np.testing.assert_allclose(res.regret[r], np.cumsum(means.max() - means[arms]),
                                   rtol=1e-12, atol=1e-9)
        np.testing.assert_allclose(res.realized_regret[r], np.cumsum(means.max() - rewards),
                                   rtol=1e-12, atol=1e-9)
        counts = np.zeros(K)
        for t, a in enumerate(arms):  # rounds after the round-robin where some bonus is 0
            clipped += t >= K and bool(np.any(counts > horizon / K))
            counts[a] += 1
    assert clipped > 0


def _generic(env, seed):
    """``env`` with its actions rescaled by distinct random factors in [0.6, 1.4]: the unit-norm
    (and, for ``conflicting``, mirror-symmetric) actions tie exactly in exact arithmetic in the
    first epochs (h_hat = 0, V = lam I), ties the engine and the oracle would break by rounding."""
    f = np.random.default_rng(seed).uniform(0.6, 1.4, size=(env.n_arms, 1))
    return DynamicalLinearBandit(env.A, env.B, env.omega, env.theta, env.actions * f, env.sigma,
                                 env.x0)


def _dynlin_custom():
    """n_state = 2, d = 3, a non-zero initial state, actions of different norms."""
    rng = np.random.default_rng(11)
    A = np.array([[0.5, 0.2], [-0.1, 0.4]])
    B = rng.standard_normal((2, 3)) / 2
    U = rng.standard_normal((5, 3)) * rng.uniform(0.5, 1.5, size=(5, 1))
    return DynamicalLinearBandit(A, B, np.array([0.6, -0.4]), np.array([0.3, 0.1, -0.5]), U,
                                 sigma=0.4, x0=np.array([1.0, -0.5]))


DYNLIN_CASES = {
    "random-burn3-avg4": (lambda: _generic(DynamicalLinearBandit.random(
        rho=0.6, n_state=3, dim=2, n_actions=6, sigma=0.5, seed=1), 1), dict(burn=3, avg=4)),
    "custom-burn2-avg5": (_dynlin_custom, dict(burn=2, avg=5, lam=0.5, delta=0.1, C=2.0)),
    "conflicting-default": (lambda: _generic(DynamicalLinearBandit.conflicting(
        rho=0.5, n_actions=7), 2), dict()),
    "myopic": (_dynlin_custom, dict(ignore_dynamics=True)),
}


@pytest.mark.parametrize("case", list(DYNLIN_CASES))
def test_dynlin_ucb_matches_oracle_draw_for_draw(case):
    """DynLin-UCB: per round, the noiseless reward of the held action in the current hidden
    state and the noisy reward equal the oracle's (explicit inverse and ``slogdet`` in place of
    Sherman-Morrison; the parameters S = ||h||, bias = C rho^burn / (1 - rho) and the default
    burn = avg = ceil(log n / (2 log(1 / rho))) recomputed here), and so do the pulls.

    Catches (the three ``burn > 0, avg > 1`` cases each): the averaged noise level sigma / avg
    instead of sigma / sqrt(avg) (mutant bandits-11), the epoch sample divided by the epoch
    length burn + avg instead of the number of kept rewards (bandits-12), the burn-in rewards
    kept, the bias term b sqrt(m) dropped or grown per round (sqrt(t)), log(1/delta) without
    the 2 (also the myopic case); the log-det term not normalized by lam^d (``custom``, lam =
    0.5).  A partial final epoch is never observable (no choice follows it)."""
    make, kw = DYNLIN_CASES[case]
    env = make()
    horizon = 400
    pol = DynLinUCB(**kw)
    res = simulate(env, pol, horizon, n_runs=2, seed=31)
    np.testing.assert_array_equal(res.t, np.arange(1, horizon + 1))
    h = env.theta + env.B.T @ np.linalg.solve(np.eye(env.A.shape[0]) - env.A.T, env.omega)
    J = float(np.max(env.actions @ h))
    rho = float(np.max(np.abs(np.linalg.eigvals(env.A))))
    if pol.ignore_dynamics:
        burn, avg, bias = 0, 1, 0.0
    else:
        default = math.ceil(math.log(horizon) / (2 * math.log(1 / rho)))
        burn, avg = kw.get("burn", default), kw.get("avg", default)
        bias = kw.get("C", 1.0) * rho ** burn / (1 - rho)
        assert burn > 0 and avg > 1  # both mutants change this run
    par = dict(lam=kw.get("lam", 1.0), delta=kw.get("delta", 0.05), S=float(np.linalg.norm(h)),
               burn=burn, avg=avg, bias=bias)
    for r in range(2):
        arms, mean_y, y = N.dynlin_run(env.A, env.B, env.omega, env.theta, env.actions,
                                       env.sigma, env.x0, horizon, res.seeds[r], **par)
        np.testing.assert_array_equal(res.pulls[r], np.bincount(arms, minlength=env.n_arms))
        np.testing.assert_allclose(np.diff(res.regret[r], prepend=0.0), J - mean_y,
                                   rtol=0, atol=1e-9)
        np.testing.assert_allclose(np.diff(res.realized_regret[r], prepend=0.0), J - y,
                                   rtol=0, atol=1e-9)
        assert len(set(arms.tolist())) > 1  # the optimistic choice changes during the run
