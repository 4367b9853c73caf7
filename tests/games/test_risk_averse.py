"""The risk-averse (mean-variance) equilibrium (issue 17, part 1): hand-computed variances,
the certificate against brute-force best responses, the stag hunt and the crash game, support
enumeration against nashpy, property tests on random bimatrix games, the registered checks
(tightness and checks that fail on wrong implementations) and input validation."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equilibria._lib.result import ConvergenceWarning
from equilibria.solvers.games import risk_averse as ra
from equilibria.solvers.games import risk_averse_theorems as rt
from equilibria.verification import check


def _game(seed, n, m):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, m)), rng.normal(size=(n, m))


def _f(A, x, y, lam):
    """Mean-variance utility of the row player, computed from its definition (mean and
    variance of the reward ``(A^T x)_J``, ``J ~ y``)."""
    u = A.T @ x
    mean = float(y @ u)
    return mean - lam * float(y @ (u - mean) ** 2)


# -- the model on hand-computed values ------------------------------------------------------
def test_reward_variance_on_hand_computed_values():
    """A = [[4, 0], [3, 3]] against y = (1/2, 1/2): row 0 pays 4 or 0 (variance 4), row 1
    pays 3 surely (variance 0); x = (1/2, 1/2) pays 3.5 or 1.5 (mean 2.5, variance 1).
    Against y = (1/4, 3/4) row 0 has mean 1 and variance 16/4 - 1 = 3."""
    A = [[4.0, 0.0], [3.0, 3.0]]
    assert ra.reward_variance(A, [1, 0], [0.5, 0.5]) == 4.0
    assert ra.reward_variance(A, [0, 1], [0.5, 0.5]) == 0.0
    assert ra.reward_variance(A, [0.5, 0.5], [0.5, 0.5]) == pytest.approx(1.0, abs=1e-15)
    assert ra.reward_variance(A, [1, 0], [0.25, 0.75]) == pytest.approx(3.0, abs=1e-15)
    # a pure opponent carries no risk; the tremble eps = 1/2 turns y = (1, 0) into (3/4, 1/4)
    assert ra.reward_variance(A, [1, 0], [1, 0]) == 0.0
    assert ra.reward_variance(A, [1, 0], [1, 0], tremble=0.5) == pytest.approx(3.0, abs=1e-15)


def test_reward_covariance_on_hand_computed_values():
    """A = [[1, 2], [3, 5]], y = (1/2, 1/2): Var row 0 = 1/4, Var row 1 = 1,
    Cov = (1*3 + 2*5)/2 - 1.5 * 4 = 1/2."""
    S = ra.reward_covariance([[1.0, 2.0], [3.0, 5.0]], [0.5, 0.5])
    np.testing.assert_allclose(S, [[0.25, 0.5], [0.5, 1.0]], atol=1e-15)
    S = ra.reward_covariance([[4.0, 0.0], [3.0, 3.0]], [0.5, 0.5])
    np.testing.assert_allclose(S, [[4.0, 0.0], [0.0, 0.0]], atol=1e-15)


def test_column_player_variance_is_the_transposed_call():
    A, B = _game(0, 3, 4)
    x, y = np.array([0.2, 0.5, 0.3]), np.array([0.1, 0.4, 0.4, 0.1])
    v = B @ y  # the column player's reward is (B y)_I with I ~ x
    direct = float(x @ v ** 2 - (x @ v) ** 2)
    assert ra.reward_variance(B.T, y, x) == pytest.approx(direct, rel=1e-12)


def test_mean_variance_best_response_traces_the_frontier():
    """A = [[4, 0], [3, 3]] against (1/2, 1/2): x = (p, 1-p) has mean 3 - p and variance
    4 p^2, so f = 3 - p - 4 lam p^2 is maximised at p = 0 for every lam > 0 and the frontier
    point at level 3 - p is p itself (variance 4 p^2)."""
    A, y = [[4.0, 0.0], [3.0, 3.0]], [0.5, 0.5]
    np.testing.assert_allclose(ra.mean_variance_best_response(A, y, risk_aversion=0.1),
                               [0, 1], atol=1e-12)
    # level 2.75 allows p <= 1/4; the least variance is at p = 0 (safe and better)
    x = ra.mean_variance_best_response(A, y, utility_level=2.75)
    np.testing.assert_allclose(x, [0, 1], atol=1e-9)
    # a game where mean and variance trade off: rewards (2, 0) and (0, 1) against
    # (1/2, 1/2); x = (p, 1-p) pays 2p or 1-p: mean (1+p)/2, variance (3p-1)^2/4, least at
    # p = 1/3; level 0.9 needs p >= 0.8 (the frontier point p = 0.8, variance 0.49), level
    # 0.6 needs p >= 0.2 (p = 1/3, variance 0)
    A = [[2.0, 0.0], [0.0, 1.0]]
    x = ra.mean_variance_best_response(A, y, utility_level=0.9)
    np.testing.assert_allclose(x, [0.8, 0.2], atol=1e-7)
    assert ra.reward_variance(A, x, y) == pytest.approx(0.49, abs=1e-6)
    np.testing.assert_allclose(ra.mean_variance_best_response(A, y, utility_level=0.6),
                               [1 / 3, 2 / 3], atol=1e-6)
    for lam in (0.5, 1.0, 4.0):
        x = ra.mean_variance_best_response(A, y, risk_aversion=lam)
        p = np.linspace(0, 1, 200_001)
        f = (1 + p) / 2 - lam * (3 * p - 1) ** 2 / 4
        assert x[0] == pytest.approx(p[np.argmax(f)], abs=1e-5)
        # stationarity: 1/2 - lam * 3 (3p - 1) / 2 = 0  ->  p = 1/3 + 1/(9 lam)
        assert x[0] == pytest.approx(min(1 / 3 + 1 / (9 * lam), 1.0), abs=1e-9)


# -- the certificate, checked independently -------------------------------------------------
@pytest.mark.parametrize("seed", range(6))
def test_equilibrium_is_a_brute_force_best_response_in_2x2(seed):
    """In 2x2 games each player's utility is a concave quadratic in one number: the returned
    strategies maximise it on a fine grid, and the certificate bounds the grid gain."""
    A, B = _game(seed, 2, 2)
    lam = 0.7
    res = ra.risk_averse_equilibrium(A, B, risk_aversion=lam)
    assert res.success and res.certificate <= 1e-8 * max(np.ptp(A), np.ptp(B))
    p = np.linspace(0, 1, 100_001)
    f1 = [_f(A, np.array([q, 1 - q]), res.y, lam) for q in p[::100]]
    f2 = [_f(B.T, np.array([q, 1 - q]), res.x, lam) for q in p[::100]]
    assert _f(A, res.x, res.y, lam) >= max(f1) - 1e-9
    assert _f(B.T, res.y, res.x, lam) >= max(f2) - 1e-9
    # means and variances of the result match the definitions
    assert res.means[0] == pytest.approx(res.x @ A @ res.y, abs=1e-12)
    assert res.variances[0] == pytest.approx(ra.reward_variance(A, res.x, res.y), abs=1e-12)
    assert res.variances[1] == pytest.approx(ra.reward_variance(B.T, res.y, res.x), abs=1e-12)


def test_certificate_matches_its_formula_and_detects_non_equilibria():
    A, B = _game(3, 3, 3)
    lam, x, y = 0.4, np.array([0.5, 0.3, 0.2]), np.array([0.2, 0.2, 0.6])
    g1 = A @ y - 2 * lam * ra.reward_covariance(A, y) @ x
    g2 = B.T @ x - 2 * lam * ra.reward_covariance(B.T, x) @ y
    want = max(g1.max() - g1 @ x, g2.max() - g2 @ y)
    assert ra.risk_averse_gap(A, B, x, y, risk_aversion=lam) == pytest.approx(want, rel=1e-12)
    assert want > 1e-3
    # lam = 0: the Nash gap (each player's best pure deviation gain)
    nash = max((A @ y).max() - x @ A @ y, (B.T @ x).max() - x @ B @ y)
    assert ra.risk_averse_gap(A, B, x, y, risk_aversion=0) == pytest.approx(nash, rel=1e-12)


# -- instances: stag hunt, crash game -------------------------------------------------------
@pytest.mark.filterwarnings("ignore::equilibria._lib.result.ConvergenceWarning")
def test_stag_hunt_selects_the_risk_dominant_equilibrium():
    """Default stag hunt R=4, S=0, T=P=3: P - S = 3 > R - T = 1, hare risk dominant (and
    safe); a stag-dominant one: R=5, S=0, T=1, P=2 (P - S = 2 < R - T = 4)."""
    A, B = ra.stag_hunt()
    for lam in (0.0, 0.5, 2.0):
        res = ra.risk_averse_fictitious_play(A, B, risk_aversion=lam, max_iter=2000)
        np.testing.assert_allclose(res.x, [0, 1], atol=1e-3)
        np.testing.assert_allclose(res.y, [0, 1], atol=1e-3)
    res = ra.risk_averse_equilibrium(A, B, tremble=0.1)
    assert res.success and np.allclose(res.x, [0, 1]) and res.variances[0] == 0.0
    A, B = ra.stag_hunt(5.0, 0.0, 1.0, 2.0)
    res = ra.risk_averse_fictitious_play(A, B, risk_aversion=0.0, max_iter=2000)
    np.testing.assert_allclose(res.x, [1, 0], atol=1e-3)


def test_crash_game_risk_averse_player_avoids_the_fast_lane():
    """Tremble 0.003: player 2 swerves with probability 0.001, so the fast lane has mean
    1 - 101 * 0.001 = 0.899 > 0.5 (the Nash player takes it) and variance
    0.001 * 0.999 * 101^2 = 10.19; the risk-averse player (lam = 1) is almost always careful."""
    A, B = ra.crash_game()
    nash = ra.risk_averse_equilibrium(A, B, risk_aversion=0.0, tremble=0.003)
    rae = ra.risk_averse_equilibrium(A, B, risk_aversion=1.0, tremble=0.003)
    assert nash.success and rae.success
    np.testing.assert_allclose(nash.x, [1, 0, 0])
    assert nash.means[0] == pytest.approx(0.899, abs=1e-12)
    assert nash.variances[0] == pytest.approx(0.001 * 0.999 * 101 ** 2, rel=1e-10)
    assert rae.x[2] > 0.95 and rae.variances[0] < 0.01 * nash.variances[0]


# -- Nash equilibria: support enumeration against nashpy -----------------------------------
@pytest.mark.parametrize("n, m, seed", [(2, 2, 0), (3, 3, 1), (3, 4, 2), (4, 4, 3),
                                        (5, 5, 4), (4, 6, 5)])
def test_support_enumeration_matches_nashpy(n, m, seed):
    """Our list equals nashpy's vertex enumeration (the complete set for nondegenerate
    games) and contains nashpy's support enumeration, which misses some equilibria of the
    5x5 and 4x6 games here (nashpy 0.0.43; it then warns "even number of equilibria")."""
    nash = pytest.importorskip("nashpy")
    A, B = _game(seed, n, m)
    ours = ra.support_enumeration(A, B)

    def same(eq1, eq2):
        return len(eq1) == len(eq2) and all(
            any(np.allclose(x, a, atol=1e-8) and np.allclose(y, b, atol=1e-8)
                for a, b in eq2) for x, y in eq1)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        vertex = list(nash.Game(A, B).vertex_enumeration())
        support = list(nash.Game(A, B).support_enumeration())
    assert len(ours) % 2 == 1 and same(ours, vertex)
    assert all(any(np.allclose(x, a, atol=1e-8) and np.allclose(y, b, atol=1e-8)
                   for a, b in ours) for x, y in support)


def test_support_enumeration_on_known_games():
    # matching pennies: the unique equilibrium is uniform
    A = np.array([[1.0, -1.0], [-1.0, 1.0]])
    (x, y), = ra.support_enumeration(A, -A)
    np.testing.assert_allclose(x, [0.5, 0.5]) and np.testing.assert_allclose(y, [0.5, 0.5])
    # the default stag hunt: (stag, stag), (hare, hare) and the mixed one at stag prob 3/4
    eqs = ra.support_enumeration(*ra.stag_hunt())
    assert len(eqs) == 3
    assert any(np.allclose(x, [0.75, 0.25]) for x, _ in eqs)


# -- property tests -------------------------------------------------------------------------
games = st.tuples(st.integers(2, 6), st.integers(2, 6), st.integers(0, 2 ** 32 - 1))


@settings(deadline=None)
@given(g=games, lam=st.floats(0, 2), eps=st.sampled_from([0.0, 0.05, 0.2]))
def test_certificate_bounds_the_best_response_gain(g, lam, eps):
    """Random profiles of random n x m games (2..6): the certificate is at least each
    player's mean-variance best-response gain (concavity), both are >= 0, and the variance
    identity x' Sigma x = E[u^2] - E[u]^2 holds."""
    n, m, seed = g
    A, B = _game(seed, n, m)
    rng = np.random.default_rng(seed)
    x, y = rng.dirichlet(np.ones(n)), rng.dirichlet(np.ones(m))
    gap = ra.risk_averse_gap(A, B, x, y, risk_aversion=lam, tremble=eps)
    ye = (1 - eps) * y + eps / m
    br = ra.mean_variance_best_response(A, y, risk_aversion=lam, tremble=eps)
    gain = _f(A, br, ye, lam) - _f(A, x, ye, lam)
    assert -1e-9 <= gain <= gap + 1e-9
    S = ra.reward_covariance(A, y, tremble=eps)
    assert np.linalg.eigvalsh(S).min() >= -1e-10
    assert ra.reward_variance(A, x, y, tremble=eps) == pytest.approx(x @ S @ x, abs=1e-10)


@settings(deadline=None)
@given(g=games)
def test_support_enumeration_returns_nash_equilibria(g):
    n, m, seed = g
    A, B = _game(seed, n, m)
    eqs = ra.support_enumeration(A, B)
    assert eqs  # random games are nondegenerate almost surely: a Nash equilibrium exists
    for x, y in eqs:
        assert ra.risk_averse_gap(A, B, x, y, risk_aversion=0) <= 1e-9


@settings(deadline=None, max_examples=15)
@given(g=st.tuples(st.integers(2, 4), st.integers(2, 4), st.integers(0, 2 ** 32 - 1)),
       lam=st.floats(0, 1), eps=st.sampled_from([0.0, 0.1]))
def test_solver_certificate_is_recomputable(g, lam, eps):
    """The solver (sizes 2..4: the support search is exponential, see the existence theorem)
    succeeds, and its certificate equals the gap recomputed from the returned profile."""
    n, m, seed = g
    A, B = _game(seed, n, m)
    res = ra.risk_averse_equilibrium(A, B, risk_aversion=lam, tremble=eps)
    assert res.success
    assert res.certificate == pytest.approx(
        ra.risk_averse_gap(A, B, res.x, res.y, risk_aversion=lam, tremble=eps), abs=1e-15)
    assert res.certificate <= 1e-8 * max(np.ptp(A), np.ptp(B))
    assert np.all(res.variances >= 0) and res.strategies[0] is res.x


def test_fictitious_play_reports_failure_honestly():
    """Shapley's game (Shapley 1964): risk-neutral fictitious play cycles, so a small budget
    gives success=False with a ConvergenceWarning and a finite certificate."""
    A = np.array([[0.0, 1, 0], [0, 0, 1], [1, 0, 0]])
    B = np.array([[0.0, 0, 1], [1, 0, 0], [0, 1, 0]])
    with pytest.warns(ConvergenceWarning):
        res = ra.risk_averse_fictitious_play(A, B, risk_aversion=0.0, max_iter=500,
                                             x0=[0.5, 0.3, 0.2], y0=[0.2, 0.2, 0.6],
                                             every=10)
    assert not res.success and np.isfinite(res.certificate) and res.certificate > 1e-3
    assert res.history.size >= 1


# -- the registered checks ------------------------------------------------------------------
@pytest.mark.parametrize("name", ["games.rae_existence", "games.rae_fictitious_play",
                                  "games.rae_risk_dominant", "games.rae_min_variance"])
def test_registered_checks_pass(name):
    out = check(name, seed=0)
    assert out.passed, out


def test_risk_dominance_rate_is_nearly_attained():
    """The averages approach the pure equilibrium like 1/(t + 2) from the uniform start:
    distance 0.5/(T + 1) against the bound 2/(T + 1), ratio 1/4."""
    out = check("games.rae_risk_dominant", seed=0)
    assert out.passed and out.best_ratio >= 0.2 and out.ratio <= 0.26


def _class(**fields):
    return type("R", (), fields)()


def test_existence_check_fails_on_a_wrong_solver():
    def uniform(A, B, **kw):  # returns the uniform profile, whatever the game
        n, m = np.shape(A)
        return _class(x=np.full(n, 1 / n), y=np.full(m, 1 / m))

    assert not check("games.rae_existence", seed=0, algorithm=uniform).passed


def test_fp_check_fails_on_best_response_dynamics():
    """Fictitious play without the averaging (each player best responds to the opponent's
    last response) cycles in zero-sum games with mixed equilibria."""
    def brd(A, B, *, risk_aversion, max_iter, **kw):
        A, B = np.asarray(A), np.asarray(B)
        x, y = np.full(A.shape[0], 1 / A.shape[0]), np.full(A.shape[1], 1 / A.shape[1])
        for _ in range(50):
            x, y = (ra.mean_variance_best_response(A, y, risk_aversion=risk_aversion),
                    ra.mean_variance_best_response(B.T, x, risk_aversion=risk_aversion))
        return _class(x=x, y=y)

    assert not check("games.rae_fictitious_play", seed=0, algorithm=brd).passed


def test_risk_dominance_check_fails_on_optimistic_beliefs():
    """Fictitious play started from beliefs that the opponent hunts stag (0.9) converges to
    the payoff-dominant (stag, stag), not the risk-dominant equilibrium."""
    def optimistic(A, B, **kw):
        return ra.risk_averse_fictitious_play(A, B, x0=[0.9, 0.1], y0=[0.9, 0.1], **kw)

    assert not check("games.rae_risk_dominant", seed=0, algorithm=optimistic).passed


def test_min_variance_check_fails_on_nash():
    """A Nash equilibrium returned in place of the RAE has more variance than the frontier
    point at its own utility level."""
    def nash(A, B, **kw):
        x, y = ra.support_enumeration(A, B)[0]
        return _class(x=x, y=y)

    out = check("games.rae_min_variance", seed=0, algorithm=nash)
    assert not out.passed and out.ratio > 1e3


def test_user_instances_are_evaluated():
    A, B = ra.stag_hunt()
    inst = {"A": A, "B": B, "risk_aversion": 0.5, "tremble": 0.1}
    assert check("games.rae_existence", instances=[inst]).passed
    assert check("games.rae_min_variance", instances=[inst]).passed


# -- input validation -----------------------------------------------------------------------
@pytest.mark.parametrize("call, match", [
    (lambda: ra.reward_variance([[1.0, 2.0]], [1.0], [0.5]), "`y`"),
    (lambda: ra.reward_variance([[1.0, 2.0]], [0.5, 0.5], [0.5, 0.5]), "`x`"),
    (lambda: ra.reward_variance([1.0, 2.0], [1.0], [1.0]), "`A`"),
    (lambda: ra.reward_variance([[1.0, 2.0]], [1.0], [0.7, 0.7]), "`y`"),
    (lambda: ra.reward_variance([[1.0, 2.0]], [1.0], [0.5, 0.5], tremble=1.5), "`tremble`"),
    (lambda: ra.risk_averse_equilibrium([[1.0]], [[1.0, 2.0]]), "`B`"),
    (lambda: ra.risk_averse_equilibrium([[1.0]], [[1.0]], risk_aversion=-1), "`risk_aversion`"),
    (lambda: ra.risk_averse_equilibrium([[1.0]], [[1.0]], method="lemke"), "`method`"),
    (lambda: ra.risk_averse_equilibrium([[1.0]], [[1.0]], tol=0), "`tol`"),
    (lambda: ra.risk_averse_equilibrium([[np.nan]], [[1.0]]), "`A`"),
    (lambda: ra.risk_averse_fictitious_play([[1.0]], [[1.0]], max_iter=-1), "`max_iter`"),
    (lambda: ra.risk_averse_fictitious_play([[1.0]], [[1.0]], every=0), "`every`"),
    (lambda: ra.risk_averse_fictitious_play([[1.0, 0]], [[1.0, 0]], y0=[1.0]), "`y0`"),
    (lambda: ra.mean_variance_best_response([[1.0, 0.0]], [0.5, 0.5], utility_level=2.0),
     "`utility_level`"),
    (lambda: ra.stag_hunt(1.0, 0.0, 2.0, 1.0), "`reward`"),
    (lambda: ra.crash_game(0.0), "`penalty`"),
    (lambda: ra.crash_game(safe=2.0), "`safe`"),
    (lambda: ra.support_enumeration([[1.0]], [[1.0]], tol=-1), "`tol`"),
])
def test_bad_inputs_name_the_argument(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_bad_input_messages_show_the_value():
    with pytest.raises(ValueError, match="-1"):
        ra.risk_averse_equilibrium([[1.0]], [[1.0]], risk_aversion=-1)
    with pytest.raises(ValueError, match=r"\(1, 2\)"):
        ra.risk_averse_equilibrium([[1.0]], [[1.0, 2.0]])


def test_bad_payoffs_and_missing_opponent():
    with pytest.raises(ValueError, match="`A`.*1e\\+100"):
        ra.reward_variance([[1e300, 0.0]], [1.0], [0.5, 0.5])
    with pytest.raises(TypeError, match="`B`"):
        ra.risk_averse_equilibrium([[1.0]], None)
    with pytest.raises(ValueError, match="`x`.*rows of `A`"):
        ra.reward_variance(np.ones((4, 2)), [0.5, 0.5], [0.5, 0.5])
    with pytest.raises(ValueError, match="`tol`"):
        ra.support_enumeration([[1.0]], [[1.0]], tol=1.0)


# -- figures --------------------------------------------------------------------------------
def test_figures_are_returned_and_validate(tmp_path):
    import matplotlib.pyplot as plt

    from equilibria.solvers.games import risk_averse_plots as rp

    A, B = ra.crash_game()
    fig = rp.plot_mean_variance_frontier(A, B, tremble=0.003, n_points=10)
    assert fig.axes and len(fig.axes[0].lines) >= 5
    fig.savefig(tmp_path / "frontier.png")
    S, _ = ra.stag_hunt()
    fig = rp.plot_fictitious_play_basins(S, S.T, risk_aversion=0.0, grid=8, max_iter=100)
    # two outcomes: (hare, hare) from most beliefs, (stag, stag) above belief 3/4 (grid 8
    # has no point on the boundary 3/4, where play stays at the mixed equilibrium)
    assert len(fig.axes[0].get_legend().get_texts()) == 2
    _, ax = plt.subplots()
    assert rp.plot_fictitious_play_basins(S, S.T, grid=3, max_iter=10, ax=ax) is ax.figure
    plt.close("all")
    with pytest.raises(ValueError, match="`A`"):
        rp.plot_fictitious_play_basins(*ra.crash_game())
    with pytest.raises(TypeError, match="`player`"):
        rp.plot_mean_variance_frontier(A, B, player=True)
    with pytest.raises(TypeError, match="`title`"):
        rp.plot_fictitious_play_basins(S, S.T, grid=3, title=3)


def test_existence_experiment_sizes_quick_and_full():
    """Quick: 4 games of sizes 2..4 (the support search is exponential); full: 30 of 2..6."""
    rng = np.random.default_rng(0)
    quick = rt.experiment_existence(rng, True)
    assert quick.measured.size == rt.EXISTENCE_INSTANCES[0] == 4
    assert np.all(quick.measured <= quick.bound) and np.all(quick.bound < quick.trivial)
    games = [rt.sample_bimatrix(np.random.default_rng(s), n_hi=rt.EXISTENCE_SIZES[0])
             for s in range(20)]
    assert max(max(g["A"].shape) for g in games) == 4
