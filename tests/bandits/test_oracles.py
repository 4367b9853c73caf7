"""Draw-for-draw oracles (``naive_draws.py``) of KL-UCB, Thompson sampling, OFUL and linear
Thompson sampling: the compiled engine must reproduce the oracle's pulls and regret exactly on
small instances (same seeds, same random numbers in the same order).

Each test names the kernel mutations it catches; they were checked by applying them to a
scratch copy of the package (see the closing note of issue 13)."""

import numpy as np
import pytest

from equilibria.bandits import (KLUCB, BernoulliArms, BoundedArms, GaussianArms, LinearBandit,
                                LinearThompsonSampling, LinUCB, ThompsonSampling, simulate)

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
