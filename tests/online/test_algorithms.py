"""Round-loop kernels against the naive numpy oracles; learners against the functions; the
result core; bad input; non-finite outcomes."""

import numpy as np
import pytest

import equilibria.solvers.online as ol
from equilibria._lib.result import ConvergenceWarning, Result, Status
from equilibria.solvers.online import Ball, Box, Simplex
from equilibria.solvers.online import learners as lr
from equilibria.solvers.online._kernels import project_simplex

from .naive import (ftrl_naive, hedge_naive, oftrl_adaptive_naive, omd_naive,
                    project_simplex_naive, sea_omd_naive)

RTOL, ATOL = 1e-9, 1e-11  # kernels and oracles differ only by floating-point reassociation
SETS = [Ball(0.7), Box(-0.3, 0.5), Simplex()]
SIMPLEX_REGS = ["euclidean", "entropy", "log_barrier", "tsallis"]


def _grads(seed, T=60, d=5):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(T, d)) + rng.normal(size=d)


def _x1(domain, d):
    return {"ball": np.zeros(d), "box": np.full(d, 0.1),
            "simplex": np.full(d, 1.0 / d)}[domain.kind]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_project_simplex_vs_sort(seed):
    rng = np.random.default_rng(seed)
    for scale in (1e-3, 1.0, 1e3):
        v = rng.normal(size=int(rng.integers(1, 60))) * scale
        out = np.empty_like(v)
        project_simplex(v, out)
        np.testing.assert_allclose(out, project_simplex_naive(v), rtol=1e-12, atol=1e-12)


def test_hedge_vs_naive():
    L = np.random.default_rng(3).uniform(size=(200, 7))
    r = ol.hedge(L, 0.3)
    W, reg = hedge_naive(L, 0.3)
    np.testing.assert_allclose(r.weights, W, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(r.regret_t, reg, rtol=RTOL, atol=1e-9)
    assert r.weights.shape == (200, 7)
    np.testing.assert_allclose(r.comparator, np.eye(7)[np.argmin(L.sum(0))], rtol=0, atol=0)
    assert r.regret == r.regret_t[-1]


@pytest.mark.parametrize("domain", SETS)
def test_ogd_vs_naive(domain):
    G = _grads(4)
    x1 = _x1(domain, 5)
    r = ol.ogd(G, 0.05, domain=domain, x1=x1)
    X, _, reg = omd_naive(G, 0.05, "euclidean", domain, x1=x1)
    np.testing.assert_allclose(r.weights, X, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(r.regret_t, reg, rtol=RTOL, atol=1e-9)


@pytest.mark.parametrize("reg", SIMPLEX_REGS)
def test_omd_simplex_vs_naive(reg):
    G = np.abs(_grads(5))
    r = ol.omd(G, 0.1, regularizer=reg)
    X, _, regret = omd_naive(G, 0.1, reg, Simplex(), x1=np.full(5, 0.2))
    np.testing.assert_allclose(r.weights, X, rtol=1e-8, atol=1e-11)
    np.testing.assert_allclose(r.regret_t, regret, rtol=1e-8, atol=1e-9)


@pytest.mark.parametrize("reg", SIMPLEX_REGS)
def test_ftrl_simplex_vs_naive(reg):
    G = _grads(6)
    r = ol.ftrl(G, 0.2, regularizer=reg)
    X, regret = ftrl_naive(G, 0.2, reg, Simplex(), center=np.full(5, 0.2))
    np.testing.assert_allclose(r.weights, X, rtol=1e-8, atol=1e-11)
    np.testing.assert_allclose(r.regret_t, regret, rtol=1e-8, atol=1e-9)


@pytest.mark.parametrize("domain", SETS)
def test_ftrl_euclidean_sets_vs_naive(domain):
    G = _grads(7)
    c = _x1(domain, 5)
    r = ol.ftrl(G, 0.03, domain=domain, regularizer="euclidean", center=c)
    X, regret = ftrl_naive(G, 0.03, "euclidean", domain, center=c)
    np.testing.assert_allclose(r.weights, X, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(r.regret_t, regret, rtol=RTOL, atol=1e-9)


@pytest.mark.parametrize("reg", SIMPLEX_REGS)
def test_optimistic_omd_vs_naive(reg):
    G = np.abs(_grads(8))
    hints = np.vstack([np.zeros((1, 5)), G[:-1]])
    r = ol.optimistic_omd(G, 0.1, regularizer=reg, keep_secondary=True)
    X, XH, regret = omd_naive(G, 0.1, reg, Simplex(), x1=np.full(5, 0.2), hints=hints)
    np.testing.assert_allclose(r.weights, X, rtol=1e-8, atol=1e-11)
    np.testing.assert_allclose(r.secondary, XH, rtol=1e-8, atol=1e-11)
    np.testing.assert_allclose(r.regret_t, regret, rtol=1e-8, atol=1e-9)


def test_optimistic_ftrl_given_hints_vs_naive():
    G = _grads(9)
    H = G + 0.1 * np.random.default_rng(9).normal(size=G.shape)
    r = ol.optimistic_ftrl(G, 0.1, hints=H, domain=Simplex(), regularizer="entropy")
    X, regret = ftrl_naive(G, 0.1, "entropy", Simplex(), hints=H)
    np.testing.assert_allclose(r.weights, X, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("domain", SETS)
def test_sea_omd_vs_naive(domain):
    G = _grads(10)
    D = ol.diameter(domain, 5)
    assert D == domain.diameter(5)
    x1 = _x1(domain, 5)
    r = ol.sea_omd(G, G_max=4.0, domain=domain, x1=x1)
    X, regret = sea_omd_naive(G, 4.0, D, 1.0, domain, x1=x1)
    np.testing.assert_allclose(r.weights, X, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(r.regret_t, regret, rtol=RTOL, atol=1e-9)
    np.testing.assert_allclose(r.eta[0], D / np.sqrt(1 + 4 * 16.0), rtol=1e-14, atol=0)


@pytest.mark.parametrize("domain", SETS)
def test_optimistic_ftrl_adaptive_vs_naive(domain):
    G = _grads(11)
    D = domain.diameter(5)
    c = _x1(domain, 5)
    r = ol.optimistic_ftrl(G, domain=domain, center=c)
    X, regret = oftrl_adaptive_naive(G, D, 1.0, domain, center=c)
    np.testing.assert_allclose(r.weights, X, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(r.regret_t, regret, rtol=RTOL, atol=1e-9)


def test_hedge_equals_entropic_omd_and_lb_omd_equals_lb_ftrl():
    """Entropic (resp. log-barrier) OMD from the uniform point equals lazy FTRL on the simplex."""
    G = np.abs(_grads(12))
    np.testing.assert_allclose(ol.omd(G, 0.2).weights, ol.hedge(G, 0.2).weights, rtol=1e-10,
                               atol=1e-13)
    np.testing.assert_allclose(ol.omd(G, 0.2, regularizer="log_barrier").weights,
                               ol.log_barrier_ftrl(G, 0.2).weights, rtol=1e-8, atol=1e-11)


def test_store_weights_false_keeps_last_and_same_regret():
    G = _grads(13)
    a = ol.optimistic_omd(G, 0.1, domain=Ball(), regularizer="euclidean")
    b = ol.optimistic_omd(G, 0.1, domain=Ball(), regularizer="euclidean", store_weights=False)
    assert b.weights.shape == (1, 5)
    np.testing.assert_allclose(b.weights[0], a.weights[-1], rtol=0, atol=0)
    np.testing.assert_allclose(b.regret_t, a.regret_t, rtol=0, atol=0)


def _play(learner, G):
    X = []
    for g in G:
        X.append(learner.predict())
        learner.update(g)
    return np.array(X)


@pytest.mark.parametrize("make,run", [
    (lambda: lr.Hedge(5, 0.3), lambda G: ol.hedge(G, 0.3)),
    (lambda: lr.OGD(5, 0.1, domain=Box(-0.3, 0.5)),
     lambda G: ol.ogd(G, 0.1, domain=Box(-0.3, 0.5))),
    (lambda: lr.OMD(5, 0.1, regularizer="tsallis"),
     lambda G: ol.omd(G, 0.1, regularizer="tsallis")),
    (lambda: lr.FTRL(5, 0.1, domain=Ball(), regularizer="euclidean"),
     lambda G: ol.ftrl(G, 0.1, domain=Ball(), regularizer="euclidean")),
    (lambda: lr.OptimisticFTRL(5, domain=Box(0, 1)),
     lambda G: ol.optimistic_ftrl(G, domain=Box(0, 1))),
    (lambda: lr.SEAOMD(5, G_max=4.0, domain=Simplex()),
     lambda G: ol.sea_omd(G, G_max=4.0, domain=Simplex())),
    (lambda: lr.LogBarrierFTRL(5, 0.3), lambda G: ol.log_barrier_ftrl(G, 0.3)),
    (lambda: lr.OptimisticOMD(5, 0.2), lambda G: ol.optimistic_omd(G, 0.2)),
    (lambda: lr.SEAOMD(5, G_max=4.0), lambda G: ol.sea_omd(G, G_max=4.0)),
    (lambda: lr.OptimisticFTRL(5), lambda G: ol.optimistic_ftrl(G)),
])
def test_learners_reproduce_functions(make, run):
    G = _grads(14, T=40)
    np.testing.assert_allclose(_play(make(), G), run(G).weights, rtol=1e-12, atol=1e-14)


def test_result_core_for_every_solver():
    from equilibria.solvers.online.games import selfplay
    from equilibria.solvers.online.ons import ons

    G = np.abs(_grads(15, T=10))
    results = [ol.hedge(G, 0.1), ol.ogd(G, 0.1), ol.omd(G, 0.1), ol.ftrl(G, 0.1),
               ol.log_barrier_ftrl(G, 0.1), ol.optimistic_omd(G, 0.1), ol.optimistic_ftrl(G),
               ol.sea_omd(G, G_max=5.0), selfplay(G, 10), ons(G + 0.1, comparator=None)]
    for r in results:
        assert isinstance(r, Result)
        assert r.success is True and r.status == Status.SUCCESS and r.n_iter == 10
        assert isinstance(r.message, str) and r.message
        assert repr(r).startswith(type(r).__name__)


def test_non_finite_outcome_warns():
    """Finite but huge losses overflow the cumulative loss: success=False, NUMERICAL, warning."""
    L = np.full((3, 2), 1e308)
    with pytest.warns(ConvergenceWarning, match="non-finite"):
        r = ol.hedge(L, 0.1)
    assert r.success is False and r.status == Status.NUMERICAL


@pytest.mark.parametrize("call,match", [
    (lambda: ol.hedge(np.array([[0.0, np.nan]]), 0.1), "`losses`"),
    (lambda: ol.hedge(np.array([[0.0, np.inf]]), 0.1), "`losses`"),
    (lambda: ol.hedge(np.zeros(3), 0.1), "`losses`"),
    (lambda: ol.hedge(np.zeros((0, 3)), 0.1), "`losses`"),
    (lambda: ol.hedge(np.zeros((2, 3)), 0.0), "`eta`"),
    (lambda: ol.hedge(np.zeros((2, 3)), -1.0), "`eta`"),
    (lambda: ol.hedge(np.zeros((2, 3)), np.array([0.1, -0.1])), "`eta`"),
    (lambda: ol.hedge(np.zeros((2, 3)), np.array([0.1, 0.1, 0.1])), "`eta`"),
    (lambda: ol.ogd(np.zeros((2, 3)), 0.1, x1=[2.0, 0, 0]), "`x1`"),
    (lambda: ol.ogd(np.zeros((2, 3)), 0.1, x1=[0.0, 0]), "`x1`"),
    (lambda: ol.ogd(np.zeros((2, 3)), 0.1, domain=Box(), x1=[0, 0, 1.5]), "`x1`"),
    (lambda: ol.omd(np.zeros((2, 3)), 0.1, x1=[0.5, 0.6, 0]), "`x1`"),
    (lambda: ol.omd(np.zeros((2, 3)), 0.1, regularizer="log_barrier", x1=[0.5, 0.5, 0]),
     "`x1`"),
    (lambda: ol.omd(np.zeros((2, 3)), 0.1, domain=Ball(), regularizer="entropy"),
     "`regularizer`"),
    (lambda: ol.omd(np.zeros((2, 3)), 0.1, domain="cube"), "`domain`"),
    (lambda: ol.ogd(np.zeros((2, 3)), 0.1, domain=Ball(0.0)), "`radius`"),
    (lambda: ol.ogd(np.zeros((2, 3)), 0.1, domain=Box(1.0, 0.0)), "`lo`"),
    (lambda: ol.ogd(np.zeros((2, 3)), 0.1, domain=Ball(dim=4)), "`domain`.*dimension 4"),
    (lambda: ol.ogd(np.zeros((2, 3)), 0.1, domain=Box(0, [1, 2, 3])), "`domain`.*one bound"),
    (lambda: ol.ftrl(np.zeros((2, 2)), 0.1, domain=Box([0, 0], [1, 2]), regularizer="euclidean"),
     "`domain`.*one bound"),
    (lambda: lr.OGD(3, 0.1, domain=Box([0, 0, 0], [1, 1, 2])), "`domain`.*one bound"),
    (lambda: ol.diameter(Simplex()), "`d`"),
    (lambda: ol.optimistic_omd(np.zeros((2, 3)), 0.1, hints=np.zeros((3, 3))), "`hints`"),
    (lambda: ol.optimistic_omd(np.zeros((2, 3)), 0.1, hints="future"), "`hints`"),
    (lambda: ol.optimistic_ftrl(np.zeros((2, 3)), "fast"), "`eta`"),
    (lambda: ol.sea_omd(np.zeros((2, 3)), G_max=0.0), "`G_max`"),
    (lambda: ol.ftrl(np.zeros((2, 3)), 0.1, regularizer="euclidean", center=[1.0, 1.0, 1.0]),
     "`center`"),
    (lambda: lr.Hedge(3, 0.1).update([1.0, 2.0]), "`g`"),
    (lambda: lr.OGD(3, 0.1).update([1.0, np.nan, 0.0]), "`g`"),
    (lambda: lr.OMD(3, -0.1), "`eta`"),
    (lambda: lr.OGD(2, 0.1, x1=[3.0, 0.0]), "`x1`"),
])
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("hints", [None, "zero", "array"])
def test_entropic_closed_form_matches_general_omd_kernel(hints):
    """The constant-step fast path (entropic_omd_loop) gives the iterates of the general
    two-step kernel (omd_loop, forced by keep_secondary=True) up to rounding."""
    rng = np.random.default_rng(11)
    G = rng.uniform(-1, 2, size=(300, 6))
    M = G + 0.1 * rng.standard_normal(G.shape) if hints == "array" else hints
    x1 = rng.dirichlet(np.ones(6))
    fast = ol.optimistic_omd(G, 0.4, hints=M, x1=x1)
    slow = ol.optimistic_omd(G, 0.4, hints=M, x1=x1, keep_secondary=True)
    np.testing.assert_allclose(fast.weights, slow.weights, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(fast.regret_t, slow.regret_t, rtol=1e-10, atol=1e-10)
    last = ol.optimistic_omd(G, 0.4, hints=M, x1=x1, store_weights=False)
    np.testing.assert_allclose(last.weights[-1], slow.weights[-1], rtol=1e-10, atol=1e-13)


def test_domain_names_are_the_default_sets():
    """'simplex' / 'ball' / 'box' stand for Simplex(), Ball(), Box() (bit for bit)."""
    G = _grads(16)
    for name, S in [("ball", Ball()), ("box", Box()), ("simplex", Simplex())]:
        a = ol.ogd(G, 0.05, domain=name)
        b = ol.ogd(G, 0.05, domain=S)
        np.testing.assert_array_equal(a.weights, b.weights)
        np.testing.assert_array_equal(a.regret_t, b.regret_t)
        assert ol.diameter(name, 5) == S.diameter(5)
    np.testing.assert_array_equal(ol.ogd(G, 0.05).weights, ol.ogd(G, 0.05, domain=Ball()).weights)
    np.testing.assert_array_equal(ol.ftrl(G, 0.05).weights,
                                  ol.ftrl(G, 0.05, domain=Simplex()).weights)


def test_uniform_array_box_equals_scalar_box_and_dim_is_bound():
    G = _grads(17)
    a = ol.sea_omd(G, G_max=4.0, domain=Box(-0.3, 0.5))
    b = ol.sea_omd(G, G_max=4.0, domain=Box(np.full(5, -0.3), np.full(5, 0.5)))
    c = ol.sea_omd(G, G_max=4.0, domain=Box(-0.3, 0.5, dim=5))
    for r in (b, c):
        np.testing.assert_array_equal(a.weights, r.weights)
        np.testing.assert_array_equal(a.eta, r.eta)
    learner = lr.OGD(5, 0.1, domain=Ball(2.0))
    assert learner.domain == Ball(2.0, dim=5)


def test_domain_of_wrong_type():
    with pytest.raises(TypeError, match="`domain`"):
        ol.ogd(np.zeros((2, 3)), 0.1, domain=2.0)
    with pytest.raises(TypeError, match="`domain`"):
        lr.FTRL(3, 0.1, domain=None)


@pytest.mark.parametrize("domain", SETS)
def test_iterates_lie_in_the_set(domain):
    G = 10 * _grads(18)
    for r in (ol.ogd(G, 0.5, domain=domain), ol.sea_omd(G, G_max=50.0, domain=domain),
              ol.optimistic_ftrl(G, domain=domain)):
        assert np.all(domain.with_dim(5).contains(r.weights, tol=1e-12))
