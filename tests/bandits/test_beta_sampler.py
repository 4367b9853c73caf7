"""The exact Beta machinery of Thompson sampling (``_kernels.common``, ``_kernels.mab``).

Beta(1 + S, 1 + F) posteriors have integer shapes; Thompson sampling draws the leader in full
and the other arms through a body / tail split at a threshold (only tail draws and body draws
above the running maximum are made).  Checked against ``scipy.stats.beta`` over a grid of
integer shapes with a, b = 1 and large counts: the tail probability (binomial series), the
tail sampler, the split mixture (KS), and the law of the chosen arm (chi-square against
P(argmax = i) = int f_i prod_{j != i} F_j, by quadrature).  Each check is shown able to fail.
"""

from __future__ import annotations

import numba
import numpy as np
import pytest
from scipy import integrate, stats

from equilibria.bandits._kernels import common as C
from equilibria.bandits._kernels import mab as M

# integer (a, b) shapes: a or b = 1, small, skewed, and large counts (n up to 10^5)
GRID = [(1.0, 1.0), (1.0, 7.0), (7.0, 1.0), (2.0, 30.0), (30.0, 2.0), (5.0, 5.0),
        (300.0, 40.0), (40.0, 300.0), (9000.0, 1000.0), (90001.0, 9999.0)]


@numba.njit(cache=False)
def _split_draws(a, b, a_l, b_l, m, seed):
    np.random.seed(seed)  # noqa: NPY002 (numba keeps the legacy seeded generator)
    out = np.empty(m)
    for i in range(m):
        out[i] = C._beta_split_variate(a, b, a_l, b_l)
    return out


@numba.njit(cache=False)
def _tail_draws(x, a, b, m, seed):
    np.random.seed(seed)  # noqa: NPY002
    out = np.empty(m)
    for i in range(m):
        out[i] = C._beta_upper_tail_variate(x, a, b)
    return out


@numba.njit(cache=False)
def _choices(s, n, rounds, seed):
    """Arms chosen by the engine's Beta Thompson step on fixed posteriors (no updates)."""
    np.random.seed(seed)  # noqa: NPY002
    K = s.size
    idx = np.zeros(K)
    thr = np.empty(K)
    tail = np.empty(K)
    cd = np.empty(K)
    stale = np.ones(K, dtype=np.bool_)
    counts = np.zeros(K)
    for _ in range(rounds):
        counts[M._thompson_beta(s, n, idx, thr, tail, cd, stale)] += 1.0
    return counts


@numba.njit(cache=False)
def _sf(x, a, b):
    return C._beta_int_sf(x, a, b)


@pytest.fixture(scope="module", autouse=True)
def warm():
    _split_draws(2.0, 3.0, 2.0, 3.0, 2, 0)
    _tail_draws(0.5, 2.0, 3.0, 2, 0)
    _choices(np.array([1.0, 2.0]), np.array([3.0, 3.0]), 2, 0)
    _sf(0.5, 2.0, 3.0)


def _mode(a, b):
    return (a - 1.0) / (a + b - 2.0) if a + b > 2.0 else 0.0


@pytest.mark.parametrize(("a", "b"), GRID)
def test_integer_tail_probability_matches_scipy(a, b):
    """``P(theta > x)`` by the binomial series equals ``scipy.stats.beta.sf`` to 1e-9 relative
    at thresholds from the mode to far in the tail."""
    sd = stats.beta(a, b).std()
    for z in (0.0, 0.5, 1.0, 3.0, 6.0):
        x = _mode(a, b) + z * sd
        if not 0.0 < x < 1.0:
            continue
        ref = stats.beta.sf(x, a, b)
        assert _sf(x, a, b) == pytest.approx(ref, rel=1e-9, abs=1e-300), (a, b, z)


def test_tail_probability_check_can_fail():
    """A series missing its first term (k = a - 1) is caught by the comparison above."""
    a, b, x = 30.0, 20.0, 0.7
    wrong = _sf(x, a, b) - stats.binom.pmf(a - 1, a + b - 1, x)
    assert wrong != pytest.approx(stats.beta.sf(x, a, b), rel=1e-9)


@pytest.mark.parametrize(("a", "b"), GRID)
@pytest.mark.parametrize("leader", ["self", "far"])
def test_split_beta_draws_have_the_beta_law_ks(a, b, leader):
    """The body / tail mixture is exactly Beta(a, b): KS test against ``scipy.stats.beta`` with
    the threshold at its lowest (leader = the arm itself: x = mode + 1 sd, tail draws about
    1 in 5) and high (a leader far above: x = max(mode + sd, 0.97))."""
    a_l, b_l = (a, b) if leader == "self" else (1e6 * 0.97 + 3.0 * 170.0, 3e4)
    x = _split_draws(a, b, a_l, b_l, 20000, 11)
    assert np.all((x >= 0.0) & (x <= 1.0))
    p = stats.kstest(x, stats.beta(a, b).cdf).pvalue
    assert p > 1e-3, (a, b, leader, p)


def test_split_ks_can_fail():
    """Beta(300, 40) split draws are not Beta(300, 42): the KS check detects a wrong law."""
    x = _split_draws(300.0, 40.0, 300.0, 40.0, 20000, 11)
    assert stats.kstest(x, stats.beta(300.0, 42.0).cdf).pvalue < 1e-6


@pytest.mark.parametrize(("a", "b", "z"), [(1.0, 7.0, 1.0), (2.0, 30.0, 0.5), (30.0, 2.0, 0.5),
                                           (300.0, 40.0, 3.0), (9000.0, 1000.0, 1.0),
                                           (90001.0, 9999.0, 4.0)])
def test_upper_tail_sampler_matches_truncated_beta_ks(a, b, z):
    """Tail draws given theta > x (x = mode + z sd) follow the truncated law
    ``(F(t) - F(x)) / (1 - F(x))`` (KS)."""
    law = stats.beta(a, b)
    x0 = _mode(a, b) + z * law.std()
    assert x0 < 1.0  # the kernel never calls the tail sampler at x >= 1 (no split there)
    th = _tail_draws(x0, a, b, 20000, 5)
    assert np.all(th > x0)
    sf0 = law.sf(x0)
    p = stats.kstest(th, lambda t: (sf0 - law.sf(t)) / sf0).pvalue
    assert p > 1e-3, (a, b, z, p)


def _argmax_law(s, n):
    """P(argmax = i) for independent Beta(1 + s_i, 1 + n_i - s_i), by quadrature."""
    laws = [stats.beta(1.0 + si, 1.0 + ni - si) for si, ni in zip(s, n)]
    probs = []
    for i, li in enumerate(laws):
        def f(t, i=i, li=li):
            out = li.pdf(t)
            for j, lj in enumerate(laws):
                if j != i:
                    out *= lj.cdf(t)
            return out
        lo, hi = li.ppf(1e-13), li.ppf(1.0 - 1e-13)
        probs.append(integrate.quad(f, lo, hi, limit=200, epsabs=1e-13, epsrel=1e-10)[0])
    return np.array(probs)


#: posteriors where some arms are skipped, some compete and one has no failure (no split)
S_FIX = np.array([90.0, 84.0, 40.0, 3.0, 205.0, 6.0])
N_FIX = np.array([100.0, 95.0, 60.0, 10.0, 230.0, 6.0])


def test_thompson_choice_has_the_exact_argmax_law_chi2():
    """The engine's Thompson step (leader in full, the others split and skipped when they
    cannot win) picks arm i with probability P(argmax_j theta_j = i): chi-square test over
    200,000 rounds on fixed posteriors, against the quadrature law."""
    probs = _argmax_law(S_FIX, N_FIX)
    assert probs.sum() == pytest.approx(1.0, abs=1e-8)
    counts = _choices(S_FIX, N_FIX, 200_000, 3)
    keep = probs * counts.sum() > 5.0  # chi-square cells with enough expected counts
    exp = probs[keep] * counts.sum()
    obs = counts[keep]
    obs = np.append(obs, counts.sum() - obs.sum())
    exp = np.append(exp, counts.sum() - exp.sum())
    p = stats.chisquare(obs, exp).pvalue
    assert p > 1e-3, (counts, probs, p)


def test_argmax_chi2_can_fail():
    """The same counts against the law of slightly different posteriors (one more failure of
    the second arm) are rejected: the chi-square check is informative."""
    wrong_n = N_FIX.copy()
    wrong_n[1] += 2.0
    probs = _argmax_law(S_FIX, wrong_n)
    counts = _choices(S_FIX, N_FIX, 200_000, 3)
    keep = probs * counts.sum() > 5.0
    exp = probs[keep] * counts.sum()
    obs = counts[keep]
    obs = np.append(obs, counts.sum() - obs.sum())
    exp = np.append(exp, counts.sum() - exp.sum())
    assert stats.chisquare(obs, exp).pvalue < 1e-6
