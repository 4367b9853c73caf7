"""ZO-RankSGD (issue 18 part 2): the ranking oracle and its counters, the rank-based estimator
(weights, normalisation, the m = 2 reduction), the solver with and without line search, its
failure paths, and the registered theorems (property tests; checks shown to fail on wrong
code)."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equilibria._lib.result import ConvergenceWarning, Result, Status
from equilibria.solvers.online import zeroth as Z
from equilibria.solvers.online import zeroth_theorems as T
from equilibria.verification import check

from .._strategies import check_theorem


def _sphere(x):
    return float(np.sum(np.asarray(x) ** 2))


# ------------------------------------------------------------------------------ oracle
def test_oracle_ranks_and_counts():
    o = Z.ranking_oracle(_sphere)
    pts = np.array([[3.0, 0.0], [0.5, 0.0], [1.0, 1.0], [0.0, 0.0]])
    np.testing.assert_array_equal(o(pts), [3, 1, 2, 0])
    np.testing.assert_array_equal(o(pts, k=2), [3, 1])
    assert (o.n_calls, o.n_points) == (2, 8)
    o.reset()
    assert (o.n_calls, o.n_points) == (0, 0)


def test_oracle_is_invariant_under_monotone_transforms():
    """Only the order is seen: f and exp(f) + 7 give the same estimate draw for draw."""
    x = np.array([0.3, -1.2, 0.8])
    g1 = Z.rank_gradient_estimate(_sphere, x, m=6, mu=0.1, seed=4)
    g2 = Z.rank_gradient_estimate(lambda y: np.exp(_sphere(y)) + 7.0, x, m=6, mu=0.1, seed=4)
    np.testing.assert_array_equal(g1, g2)


def test_noisy_oracle_flips_close_pairs():
    o = Z.ranking_oracle(_sphere, noise=10.0, seed=0)
    pts = np.array([[0.0], [0.1]])
    firsts = [int(o(pts, k=1)[0]) for _ in range(200)]
    assert 40 < sum(firsts) < 160  # near a coin flip under heavy noise
    assert Z.ranking_oracle(_sphere, seed=0)(pts, k=1)[0] == 0


def test_oracle_rejects_bad_input():
    with pytest.raises(TypeError, match="`f`"):
        Z.ranking_oracle(3.0)
    with pytest.raises(ValueError, match="`noise`"):
        Z.ranking_oracle(_sphere, noise=-1.0)
    o = Z.ranking_oracle(_sphere)
    with pytest.raises(ValueError, match="`k`"):
        o(np.zeros((3, 2)), k=4)
    with pytest.raises(ValueError, match="finite"):
        Z.ranking_oracle(lambda y: np.nan)(np.zeros((2, 1)))


# ------------------------------------------------------------------------------ estimator
@settings(max_examples=40, deadline=None)
@given(m=st.integers(2, 12), data=st.data())
def test_weights_match_the_pairwise_sum(m, data):
    """sum_a w_a xi_(a) = (1/|E|) sum over revealed pairs (xi_worse - xi_better), checked by
    enumerating the pairs; |E| = k(k-1)/2 + k(m-k); the weights sum to zero."""
    k = data.draw(st.integers(1, m))
    rng = np.random.default_rng(m * 31 + k)
    xi = rng.normal(size=(m, 3))
    order = rng.permutation(m)[:k]
    pairs = []
    rest = [i for i in range(m) if i not in set(order.tolist())]
    for a in range(k):
        for b in list(order[a + 1:]) + rest:
            pairs.append(xi[b] - xi[order[a]])
    assert len(pairs) == k * (k - 1) // 2 + k * (m - k)
    ref = np.mean(pairs, axis=0)
    np.testing.assert_allclose(Z._estimate(xi, order, m, k), ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(Z.rank_weights(m, k).sum(), 0.0, atol=1e-12)


def test_estimator_hand_value_m2():
    """m = 2: the worse direction minus the better one (|E| = 1)."""
    rng = np.random.default_rng(7)
    xi = rng.standard_normal((2, 2))
    x = np.array([1.0, 0.0])
    worse, better = (0, 1) if _sphere(x + xi[0]) > _sphere(x + xi[1]) else (1, 0)
    g = Z.rank_gradient_estimate(_sphere, x, m=2, mu=1.0, seed=7)
    np.testing.assert_allclose(g, xi[worse] - xi[better], rtol=1e-15)


def test_estimator_rejects_a_bad_oracle():
    with pytest.raises(ValueError, match="distinct indices"):
        Z._estimate(np.zeros((3, 2)), np.array([0, 0, 1]), 3, 3)
    with pytest.raises(ValueError, match="`mu`"):
        Z.rank_gradient_estimate(_sphere, [0.0], mu=0.0)
    with pytest.raises(ValueError, match="`m`"):
        Z.rank_gradient_estimate(_sphere, [0.0], m=1)


def test_mean_estimate_on_a_linear_function():
    """f = a^T x: the ranking is by a^T xi, E[g] is parallel to a (cosine of the mean near 1)."""
    a = np.array([1.0, -2.0, 0.5, 0.0])
    fn = T.TestFunction(np.zeros((4, 4)), a, np.zeros(0), np.zeros((0, 4)))
    _, cos, cm = T.cosines(fn, np.zeros(4), m=5, mu=0.1, n_draws=2000, seed=0)
    assert cm > 0.98 and cos.mean() > 0.3


# ------------------------------------------------------------------------------ solver
def _well(x):
    return T._double_well(x)


def test_zo_ranksgd_line_search_converges():
    res = Z.zo_ranksgd(_well, np.full(4, 2.0), m=5, mu=1e-4, lr=0.5, max_iter=2000,
                       grad=T._double_well_grad, seed=0, tol=1e-3)
    assert isinstance(res, Result) and res.success and res.status == Status.SUCCESS
    assert res.grad_norm <= 1e-3
    np.testing.assert_allclose(np.linalg.norm(T._double_well_grad(res.x)), res.grad_norm,
                               rtol=1e-12)
    assert res.history.shape == res.queries.shape == (res.n_iter + 1,)
    assert res.n_evals == res.queries[-1] == res.n_iter * (5 + 5)
    assert res.n_queries == 2 * res.n_iter
    assert np.all(np.diff(res.queries) > 0)


def test_line_search_never_increases_f_without_noise():
    with pytest.warns(ConvergenceWarning):
        res = Z.zo_ranksgd(_well, np.full(3, -2.5), m=4, mu=1e-3, lr=1.0, max_iter=60,
                           seed=1, tol=0.0)
    assert res.status == Status.MAX_ITER or res.success
    assert _well(res.x) < _well(np.full(3, -2.5))


def test_zo_ranksgd_without_line_search_and_fd_history():
    with pytest.warns(ConvergenceWarning, match="max_iter"):
        res = Z.zo_ranksgd(_well, np.full(2, 1.5), m=3, mu=1e-3, lr=0.02,
                           line_search=False, max_iter=50, seed=0, tol=1e-9)
    assert not res.success and res.status == Status.MAX_ITER
    assert res.n_evals == 150 and res.n_queries == 50
    np.testing.assert_allclose(res.history[-1], np.linalg.norm(T._double_well_grad(res.x)),
                               rtol=1e-5)
    np.testing.assert_allclose(res.step_sizes, 0.02)


def test_query_budget_and_seeded_reproducibility():
    kw = dict(m=4, mu=1e-3, lr=0.3, max_iter=10**6, max_queries=300, seed=5, tol=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = Z.zo_ranksgd(_well, np.ones(3), **kw)
        b = Z.zo_ranksgd(_well, np.ones(3), **kw)
    assert a.n_evals <= 300 and "max_queries" in a.message
    np.testing.assert_array_equal(a.x, b.x)


def test_oracle_object_and_noise_conflict():
    o = Z.ranking_oracle(_well, noise=0.01, seed=0)
    res = Z.zo_ranksgd(o, np.ones(2), m=4, mu=0.1, lr=0.5, max_iter=1000, tol=0.2, seed=0,
                       grad=T._double_well_grad)
    assert res.success and o.n_points == res.n_evals
    with pytest.raises(ValueError, match="`noise`"):
        Z.zo_ranksgd(o, np.ones(2), noise=0.1)


def test_nonfinite_objective_is_a_numerical_status():
    def f(x):
        return np.nan if x[0] < -0.5 else float(x[0])

    with pytest.warns(ConvergenceWarning):
        res = Z.zo_ranksgd(f, np.array([0.0]), m=3, mu=1.0, lr=1.0, max_iter=50, seed=0,
                           grad=lambda x: np.ones(1))
    assert res.status == Status.NUMERICAL and np.all(np.isfinite(res.x))


def test_solver_validates_inputs():
    with pytest.raises(ValueError, match="`gamma`"):
        Z.zo_ranksgd(_well, np.ones(2), gamma=1.0)
    with pytest.raises(TypeError, match="`line_search`"):
        Z.zo_ranksgd(_well, np.ones(2), line_search="yes")
    with pytest.raises(ValueError, match="`x0`"):
        Z.zo_ranksgd(_well, np.array([np.nan]))


# ------------------------------------------------------------------------------ theorems
@pytest.mark.parametrize("thm", [T.ALIGNMENT, T.PAIRWISE], ids=lambda t: t.name)
def test_theorem_property(thm):
    check_theorem(thm)


def test_theorems_pass_quick():
    for name in ("online.zo_rank_alignment", "online.zo_rank_pairwise", "online.zo_rank_rate"):
        assert check(name, quick=True).passed, name


def test_alignment_check_fails_with_a_flipped_estimator():
    def flipped(o, x, **kw):
        return -Z.rank_gradient_estimate(o, x, **kw)

    assert not check("online.zo_rank_alignment", algorithm=flipped).passed


def test_alignment_nearly_tight_under_heavy_noise():
    """sigma = 100 mu ||grad f_mu||: the ranking is almost a coin toss, 1 - E[cos] -> 1."""
    inst = T.sample_alignment(np.random.default_rng(3), d=5)
    gm = float(np.linalg.norm(T._function(inst).grad_mu(inst["x"], inst["mu"])))
    inst.update(noise=100.0 * inst["mu"] * gm, n_draws=2000, m=2, k=2)
    measured, bound, _ = T.evaluate_alignment(inst)
    assert 0.9 * bound <= measured <= bound + 0.05


def test_pairwise_check_fails_with_wrong_normalisation():
    """Normalising by m(m-1) = 2 instead of |E| = 1 halves the m = 2 estimate."""
    def by_m_m1(o, x, *, m, **kw):
        return Z.rank_gradient_estimate(o, x, m=m, **kw) / (m - 1) / m * 1.0

    assert not check("online.zo_rank_pairwise", algorithm=by_m_m1).passed


def test_rate_check_fails_uphill():
    def uphill(f, x0, **kw):
        return Z.zo_ranksgd(lambda y: -f(y), x0, **kw)

    assert not check("online.zo_rank_rate", algorithm=uphill).passed
