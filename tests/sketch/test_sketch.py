"""Sketching room (issue 18 part 3): the sketch operators against dense oracles, sketch-and-solve
against ``numpy.linalg.lstsq``, the Clopper-Pearson interval, the registered theorems and
implementations that must fail them."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.linalg import hadamard
from scipy.stats import binom

from equilibria._lib.result import ConvergenceWarning, Status
from equilibria.solvers.sketch import _kernels as K
from equilibria.solvers.sketch import core as C
from equilibria.solvers.sketch import plots as P
from equilibria.solvers.sketch import theorems as T
from equilibria.verification import check


@pytest.fixture(scope="module", autouse=True)
def warm():
    """Compile (or load) both kernels once before any test of this module."""
    K.fwht_rows(np.zeros((2, 1)))
    K.countsketch_apply(np.zeros(1, np.int64), np.ones(1), np.zeros((1, 1)), np.zeros((1, 1)))


# -- kernels against dense oracles --------------------------------------------------------------

@given(st.integers(0, 7), st.integers(1, 3), st.integers(0, 2**31))
def test_fwht_matches_the_hadamard_matrix(logN, k, seed):
    X = np.random.default_rng(seed).standard_normal((2 ** logN, k))
    Y = X.copy()
    K.fwht_rows(Y)
    np.testing.assert_allclose(Y, hadamard(2 ** logN) @ X, rtol=1e-12, atol=1e-12 * 2 ** logN)


@given(st.integers(1, 40), st.integers(1, 9), st.integers(0, 2**31))
def test_countsketch_kernel_matches_the_dense_matrix(n, m, seed):
    rng = np.random.default_rng(seed)
    h = rng.integers(0, m, n).astype(np.int64)
    s = rng.choice([-1.0, 1.0], n)
    X = rng.standard_normal((n, 2))
    out = np.zeros((m, 2))
    K.countsketch_apply(h, s, X, out)
    S = np.zeros((m, n))
    S[h, np.arange(n)] = s
    np.testing.assert_allclose(out, S @ X, rtol=1e-13, atol=1e-13)


# -- sketch operators ---------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["gaussian", "srht", "countsketch"])
def test_apply_equals_the_dense_matrix(kind):
    S = C.sketch(kind, 8, 37, seed=1)
    X = np.random.default_rng(2).standard_normal((37, 3))
    np.testing.assert_allclose(S.apply(X), S.toarray() @ X, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(S.apply(X[:, 0]), S.toarray() @ X[:, 0], rtol=1e-12,
                               atol=1e-12)


def test_gaussian_blocks_span_several_block_widths():
    """n > 4096 uses two Gaussian blocks; the product equals the dense matrix's."""
    S = C.sketch("gaussian", 3, 5000, seed=4)
    X = np.random.default_rng(5).standard_normal((5000, 2))
    np.testing.assert_allclose(S.apply(X), S.toarray() @ X, rtol=1e-10, atol=1e-10)


def test_srht_rows_are_orthogonal_with_norm_N_over_m():
    """S = m^-1/2 P H D with H H^T = N I: S S^T = (N/m) I_m exactly (n = N = 64)."""
    S = C.sketch("srht", 16, 64, seed=0).toarray()
    np.testing.assert_allclose(S @ S.T, 4.0 * np.eye(16), rtol=0, atol=1e-12)


def test_countsketch_has_one_signed_entry_per_column():
    S = C.sketch("countsketch", 5, 50, seed=0).toarray()
    assert np.all(np.sum(S != 0, axis=0) == 1) and set(np.unique(np.abs(S))) == {0.0, 1.0}


@pytest.mark.parametrize("kind", ["gaussian", "srht", "countsketch", "leverage"])
def test_sketches_are_isotropic_in_expectation(kind):
    """E[S^T S] = I_n: the Monte-Carlo mean over 1500 sketches is within 6 standard errors."""
    n, m, reps = 8, 4, 1500
    p = np.linspace(1, 2, n) if kind == "leverage" else None
    acc = np.zeros((n, n))
    acc2 = np.zeros((n, n))
    for s in range(reps):
        S = C.sketch(kind, m, n, seed=s, probabilities=p).toarray()
        G = S.T @ S
        acc += G
        acc2 += G * G
    mean = acc / reps
    se = np.sqrt(np.maximum(acc2 / reps - mean ** 2, 1e-12) / reps)
    assert np.all(np.abs(mean - np.eye(n)) <= 6 * se + 1e-9)


@given(st.integers(2, 30), st.integers(1, 5), st.integers(0, 2**31))
def test_leverage_scores_sum_to_d_and_lie_in_unit_interval(extra, d, seed):
    A = np.random.default_rng(seed).standard_normal((d + extra, d))
    lev = C.leverage_scores(A)
    np.testing.assert_allclose(lev.sum(), d, rtol=1e-10, atol=0)
    assert np.all(lev >= -1e-12) and np.all(lev <= 1 + 1e-12)


# -- sketch_and_solve ---------------------------------------------------------------------------

@settings(max_examples=30)
@given(st.integers(1, 6), st.integers(0, 3), st.integers(0, 2**31))
def test_full_srht_is_orthogonal_and_recovers_lstsq(d, extra, seed):
    """m = n = N a power of two: the SRHT keeps every row, S^T S = I, so the sketched problem
    has the same minimiser x* (an invertible but non-orthogonal S would not)."""
    rng = np.random.default_rng(seed)
    n = 2 ** (int(d).bit_length() + extra)
    A, b = rng.standard_normal((n, d)), rng.standard_normal(n)
    res = C.sketch_and_solve(A, b, n, kind="srht", seed=seed)
    cond = np.linalg.cond(A)
    assert res.success and res.status == Status.SUCCESS and res.n_iter == 1
    np.testing.assert_allclose(res.x, np.linalg.lstsq(A, b, rcond=None)[0], rtol=0,
                               atol=1e-10 * cond * (1 + np.abs(res.x_star).max()))
    assert res.residual_ratio == pytest.approx(1.0, abs=1e-8 * cond)


@settings(max_examples=30)
@given(st.sampled_from(C.SKETCH_KINDS), st.integers(1, 4), st.integers(0, 2**31))
def test_consistent_systems_are_solved_exactly_by_every_full_rank_sketch(kind, d, seed):
    """b = A x0: x' = x0 = x* whenever SA has full column rank (no residual to sketch)."""
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((64, d))
    x0 = rng.standard_normal(d)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        res = C.sketch_and_solve(A, A @ x0, 32, kind=kind, seed=seed)
    if res.rank == d:
        np.testing.assert_allclose(res.x, x0, rtol=0, atol=1e-9 * np.linalg.cond(A))
        assert res.linf_error <= 1e-9 * np.linalg.cond(A)
    assert res.residual_norm <= 1e-10 * np.linalg.norm(A @ x0)


def test_result_fields_are_consistent():
    A, b = T.incoherent_instance(np.random.default_rng(0), n=128, d=3)
    res = C.sketch_and_solve(A, b, 40, kind="srht", seed=1, delta=0.2)
    err = res.x - res.x_star
    assert res.linf_error == pytest.approx(np.abs(err).max(), rel=1e-14)
    assert res.l2_error == pytest.approx(np.linalg.norm(err), rel=1e-14)
    assert res.eps == pytest.approx(np.sqrt(3 * np.log(128 / 0.2) ** 3 / 40), rel=1e-14)
    assert res.bound == pytest.approx(res.eps / np.sqrt(3) * res.residual_norm * res.pinv_norm,
                                      rel=1e-14)
    assert res.pinv_norm == pytest.approx(np.linalg.norm(np.linalg.pinv(A), 2), rel=1e-10)
    assert res.certificate <= 1e-10 and res.residual_ratio >= 1.0 - 1e-12
    assert "srht" in repr(C.sketch("srht", 4, 8, seed=0))


def test_user_sketch_matrix_is_used():
    A, b = T.incoherent_instance(np.random.default_rng(0), n=30, d=2)
    S = C.sketch("gaussian", 10, 30, seed=3)
    res = C.sketch_and_solve(A, b, 10, sketch_matrix=S.toarray())
    np.testing.assert_allclose(res.x, C.sketch_and_solve(A, b, 10, seed=None,
                                                         sketch_matrix=S.toarray()).x)
    ref = np.linalg.lstsq(S.apply(A), S.apply(b), rcond=None)[0]
    np.testing.assert_allclose(res.x, ref, rtol=1e-12, atol=1e-12)


def test_rank_deficient_sketch_is_degenerate_with_a_warning():
    """All leverage mass on one row: SA has rank 1 < d = 2."""
    A = np.random.default_rng(0).standard_normal((20, 2))
    S = np.zeros((4, 20))
    S[:, 0] = 1.0
    with pytest.warns(ConvergenceWarning):
        res = C.sketch_and_solve(A, np.ones(20), 4, sketch_matrix=S)
    assert not res.success and res.status == Status.DEGENERATE and res.rank == 1
    assert np.all(np.isfinite(res.x)) and "increase" in res.message


# -- Clopper-Pearson ----------------------------------------------------------------------------

def test_clopper_pearson_known_values():
    lo, hi = C.clopper_pearson(0, 10)
    assert lo == 0.0 and hi == pytest.approx(1 - 0.025 ** 0.1, rel=1e-10)
    lo, hi = C.clopper_pearson(10, 10)
    assert hi == 1.0 and lo == pytest.approx(0.025 ** 0.1, rel=1e-10)


@given(st.integers(1, 300), st.floats(0.0, 1.0), st.sampled_from([0.8, 0.95, 0.99]))
def test_clopper_pearson_tails_have_the_stated_mass(n, frac, level):
    """The interval's ends are exact binomial tail inversions: P(X >= k | lo) = a/2 and
    P(X <= k | hi) = a/2, and k/n lies inside."""
    k = int(round(frac * n))
    lo, hi = C.clopper_pearson(k, n, level=level)
    a = 1 - level
    assert lo <= k / n <= hi
    if k > 0:
        assert binom.sf(k - 1, n, lo) == pytest.approx(a / 2, rel=1e-6, abs=1e-12)
    if k < n:
        assert binom.cdf(k, n, hi) == pytest.approx(a / 2, rel=1e-6, abs=1e-12)


# -- bad input ----------------------------------------------------------------------------------

@pytest.mark.parametrize("call, match", [
    (lambda: C.sketch("sparse", 2, 4), "kind"),
    (lambda: C.sketch("gaussian", 0, 4), "m"),
    (lambda: C.sketch("gaussian", 2, 0), "n"),
    (lambda: C.sketch("srht", 9, 8), "m"),
    (lambda: C.sketch("leverage", 2, 4), "A"),
    (lambda: C.sketch("gaussian", 2, 4, A=np.ones((4, 1))), "leverage"),
    (lambda: C.sketch("leverage", 2, 4, probabilities=np.zeros(4)), "positive sum"),
    (lambda: C.sketch("leverage", 2, 4, probabilities=-np.ones(4)), "probabilities"),
    (lambda: C.sketch("leverage", 2, 4, A=np.ones((3, 1))), "n=4"),
    (lambda: C.sketch("gaussian", 2, 4).apply(np.ones(5)), "X"),
    (lambda: C.sketch_and_solve(np.ones((3, 4)), np.ones(3), 3), "tall"),
    (lambda: C.sketch_and_solve(np.eye(4)[:, :2], np.ones(3), 3), "b"),
    (lambda: C.sketch_and_solve(np.eye(4)[:, :2], np.ones(4), 1), "m"),
    (lambda: C.sketch_and_solve(np.eye(4)[:, :2], np.ones(4), 5), "m"),
    (lambda: C.sketch_and_solve(np.ones((4, 2)), np.ones(4), 3), "full column rank"),
    (lambda: C.sketch_and_solve(np.full((4, 2), np.nan), np.ones(4), 3), "A"),
    (lambda: C.sketch_and_solve(np.eye(4)[:, :2], np.ones(4), 3, kind="x"), "kind"),
    (lambda: C.sketch_and_solve(np.eye(4)[:, :2], np.ones(4), 3, delta=1.0), "delta"),
    (lambda: C.sketch_and_solve(np.eye(4)[:, :2], np.ones(4), 3,
                                sketch_matrix=np.ones((2, 4))), "sketch_matrix"),
    (lambda: C.clopper_pearson(5, 4), "k"),
    (lambda: C.clopper_pearson(1, 4, level=1.0), "level"),
    (lambda: C.linf_eps(4, 8, 2, 0.0), "delta"),
    (lambda: C.linf_bound(-1.0, 2, 1.0, 1.0), "eps"),
    (lambda: T.coherent_instance(np.random.default_rng(0), n=5, d=4, heavy=2), "n"),
])
def test_bad_input_raises_naming_the_argument(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_theorem_helpers_want_a_generator():
    with pytest.raises(TypeError, match="rng"):
        T.incoherent_instance(0)


# -- theorems -----------------------------------------------------------------------------------

@pytest.mark.parametrize("thm", [T.LINF_DENSE, T.LINF_SPARSE, T.L2_EMBEDDING])
def test_theorems_pass(thm):
    out = check(thm, seed=0)
    assert out.passed, out.detail
    assert out.n_informative == out.n_instances


def _unscaled_normal_equations(A, b, m, seed):
    """Wrong: the unscaled Gaussian sketch on the left, the unsketched A^T b on the right
    (x' off by a factor m; sketch-and-solve itself is invariant to the sketch's scale)."""
    G = C.sketch("gaussian", m, A.shape[0], seed=seed).toarray() * np.sqrt(m)
    SA = G @ A
    return np.linalg.solve(SA.T @ SA, A.T @ b)


def _one_sided(A, b, m, seed):
    """Wrong: sketch A but pair SA with the first m entries of b."""
    S = C.sketch("gaussian", m, A.shape[0], seed=seed)
    return np.linalg.lstsq(S.apply(A), b[:m], rcond=None)[0]


@pytest.mark.parametrize("wrong", [_unscaled_normal_equations, _one_sided])
def test_dense_check_fails_on_wrong_implementations(wrong):
    out = check(T.LINF_DENSE, seed=0, algorithm=wrong)
    assert not out.passed and out.measured > T.DELTA


def test_dense_bound_fails_without_the_log_factor():
    """eps = sqrt(d/m) (no log^3 factor, the lower bound's order): the Gaussian sketch breaks
    the bound in most draws, so the paper's bound is loose only by log factors."""
    A, b = T.incoherent_instance(np.random.default_rng(0), n=256, d=4)
    m = 32
    r = T.linf_error_ratios(A, b, m, range(300), kind="gaussian", eps=np.sqrt(4 / m))
    k, t = T.failure_count(r)
    assert k / t >= 0.5
    r_paper = T.linf_error_ratios(A, b, m, range(300), kind="gaussian")
    assert T.failure_count(r_paper)[0] == 0 and r_paper.max() >= 0.05


def _gaussian_solver(A, b, m, seed):
    return C.sketch_and_solve(A, b, m, kind="gaussian", seed=10**6 + seed).x


def test_sparse_claim_fails_for_a_dense_sketch():
    """Passing the dense Gaussian solver where the claim expects a sparse one: it exceeds the
    Gaussian level only at frequency ~ delta, so the separation check fails."""
    out = check(T.LINF_SPARSE, seed=0, algorithm=_gaussian_solver)
    assert not out.passed


def test_srht_does_not_separate_on_coherent_instances():
    """SRHT (dense) exceeds the Gaussian 95% level at a frequency near delta = 0.05, far below
    CountSketch's, on the claim's instances."""
    rng = np.random.default_rng(0)
    A, b = T.coherent_instance(rng, n=512, d=8, heavy=2)
    g = T.linf_error_ratios(A, b, 64, range(400), kind="gaussian", eps=1.0)
    tau = np.quantile(g, 0.95)
    f_srht = T.failure_count(T.linf_error_ratios(A, b, 64, range(400, 800), kind="srht",
                                                 eps=1.0), tau)[0] / 400
    f_cs = T.failure_count(T.linf_error_ratios(A, b, 64, range(400, 800), kind="countsketch",
                                               eps=1.0), tau)[0] / 400
    assert f_srht <= 2 * T.SPARSE_DELTA and f_cs >= 3 * T.SPARSE_DELTA and f_cs >= 3 * f_srht


def test_embedding_bound_is_nearly_attained():
    rng = np.random.default_rng(0)
    t = np.sqrt(2 * np.log(2 / T.DELTA))
    dist = T.embedding_distortions(256, 8, 32, range(200), rng=rng)
    ratio = dist.max() / (np.sqrt(8 / 32) + t / np.sqrt(32))
    assert 0.5 <= ratio <= 1.0


def test_embedding_check_fails_on_an_unscaled_sketch():
    def unscaled(m, n, seed):
        return C.sketch("gaussian", m, n, seed=seed).toarray() * np.sqrt(m)

    out = check(T.L2_EMBEDDING, seed=0, algorithm=unscaled)
    assert not out.passed and out.measured > 0.9


# -- figures ------------------------------------------------------------------------------------

def test_figures_draw_one_line_per_kind():
    A, b = T.coherent_instance(np.random.default_rng(0), n=128, d=4, heavy=1)
    fig = P.plot_error_vs_m(A, b, [8, 16, 32], kinds=("gaussian", "countsketch"), n_seeds=10)
    assert len(fig.axes[0].get_lines()) == 3  # two kinds + the bound
    fig = P.plot_failure_vs_m(A, b, [8, 16], kinds="srht", n_seeds=10, eps=0.5)
    assert len(fig.axes[0].get_lines()) == 2
    with pytest.raises(ValueError, match="ms"):
        P.plot_error_vs_m(A, b, [2, 500])
    with pytest.raises(ValueError, match="kinds"):
        P.plot_failure_vs_m(A, b, [8], kinds=("dense",))
