"""Draw-for-draw oracle of ``sketch_solve(method="kaczmarz")`` (issue 13).

The oracle re-implements, in plain numpy, every step of ``sketch._kaczmarz`` and the numba
kernel ``_kernels._kaczmarz_kernel``:

* the symmetric Ruiz scaling ``d`` (``RUIZ_PASSES`` passes, zero rows scaled by 1) and the
  equilibrated system ``Ks = D K D``, ``bs = D b``, ``w = z0 / d``;
* the kernel seed ``Generator(seed).integers(0, KERNEL_SEED_BOUND)`` (one draw);
* numba's ``np.random.seed(s)`` / ``np.random.random()``, which is the Mersenne Twister of
  ``numpy.random.RandomState(s).random_sample()``;
* rows drawn by ``searchsorted(cumsum(||Ks_i||^2) / ||Ks||_F^2, u, side="right")`` (clipped
  to ``N - 1``), i.e. with probability proportional to the squared row norm; a zero-norm row
  is skipped without counting a step;
* the projection ``w -= (Ks_i w - bs_i) / ||Ks_i||^2 Ks_i``;
* the residual ``||(Ks w - bs) / d||_2 = ||K z - b||_2`` evaluated before the loop and every
  ``max(N, KACZMARZ_MIN_CHECK_EVERY)`` draws, stop at ``<= tol_abs`` or ``max_iter`` steps;
* the return value ``(d * w, steps, residual)`` and, without any usable row, the unchanged
  ``z0`` with 0 steps.

Comparing iterates after every prefix of steps (``max_iter = 1, 2, ...``, ``tol_abs = 0``)
compares the drawn rows one by one.  The systems have rows of very different norms, so a
uniform row distribution (mutant constrained-08: ``cum = arange(1, N + 1) / N``) draws other
rows and changes the iterates, the step counts and the outputs.
"""

import numpy as np
import pytest

from equilibria.solvers.constrained import sketch_solve
from equilibria.solvers.constrained import sketch as SK


def kaczmarz_oracle(K, b, z0=None, *, tol_abs, max_iter, seed, equilibrate=True):
    """Plain-numpy ``sketch_solve(..., method="kaczmarz")``; returns (z, steps, res, rows)."""
    K = np.asarray(K, dtype=float)
    b = np.asarray(b, dtype=float)
    N = b.size
    z = np.zeros(N) if z0 is None else np.array(z0, dtype=float)
    rng = np.random.default_rng(seed)
    d = np.ones(N)
    if equilibrate:
        for _ in range(SK.RUIZ_PASSES):
            r_inf = np.abs(K * d[:, None] * d[None, :]).max(axis=1)
            r_inf[r_inf == 0] = 1.0
            d = d / np.sqrt(r_inf)
    Ks = K * d[:, None] * d[None, :]
    bs = b * d
    w = z / d
    row2 = np.array([Ks[i] @ Ks[i] for i in range(N)])
    total = row2.sum()
    if not (total > 0 and np.isfinite(total)):
        return z, 0, float(np.linalg.norm(K @ z - b)), []
    cum = np.cumsum(row2) / total
    mt = np.random.RandomState(int(rng.integers(0, SK.KERNEL_SEED_BOUND)))
    check_every = max(N, SK.KACZMARZ_MIN_CHECK_EVERY)

    def residual(w):
        return float(np.sqrt(np.sum(((Ks @ w - bs) / d) ** 2)))

    res, steps, rows = residual(w), 0, []
    while res > tol_abs and steps < max_iter:
        for _ in range(check_every):
            i = min(int(np.searchsorted(cum, mt.random_sample(), side="right")), N - 1)
            if row2[i] <= 0.0:
                continue
            w = w - (Ks[i] @ w - bs[i]) / row2[i] * Ks[i]
            steps += 1
            rows.append(i)
            if steps >= max_iter:
                break
        res = residual(w)
        if not np.isfinite(res):
            break
    return w * d, steps, res, rows


def _graded_system(N, spread, seed, zero_rows=()):
    """Symmetric K = D K0 D with row scales 10^[-spread, spread] and K0 = I + 2 u u^T +
    B B^T / 25 (u = 1 on the first N // 2 entries): dense rows and near-diagonal rows, whose
    squared norms differ by a factor ~2 even after the Ruiz (max-norm) equilibration.
    Optional zero rows / columns (their b entries are zero: the system stays consistent)."""
    rng = np.random.default_rng(seed)
    B = rng.normal(size=(N, N)) * 0.2
    u = np.zeros(N)
    u[:N // 2] = 1.0
    K0 = np.eye(N) + 2.0 * np.outer(u, u) + B @ B.T
    D = np.diag(10.0 ** np.linspace(-spread, spread, N))
    K = D @ K0 @ D
    for i in zero_rows:
        K[i, :] = 0.0
        K[:, i] = 0.0
    x = rng.normal(size=N)
    for i in zero_rows:
        x[i] = 0.0
    return K, K @ x


def _assert_same(out, ref, scale):
    z, steps, res = out
    zo, so, ro, _ = ref
    assert steps == so
    np.testing.assert_allclose(z, zo, rtol=1e-12, atol=1e-12 * np.abs(zo).max())
    assert abs(res - ro) <= 1e-12 * scale + 1e-12 * ro


def _distinct_probabilities(K, equilibrate):
    """The row distribution of the equilibrated system is far from uniform (so the test
    separates proportional from uniform sampling)."""
    ref = kaczmarz_oracle(K, np.ones(K.shape[0]), tol_abs=0.0, max_iter=1, seed=0,
                          equilibrate=equilibrate)
    assert ref[1] == 1
    d = np.ones(K.shape[0])
    if equilibrate:
        for _ in range(SK.RUIZ_PASSES):
            r = np.abs(K * d[:, None] * d[None, :]).max(axis=1)
            r[r == 0] = 1.0
            d = d / np.sqrt(r)
    row2 = ((K * d[:, None] * d[None, :]) ** 2).sum(axis=1)
    p = row2 / row2.sum()
    return p.max() / p[p > 0].min()


@pytest.mark.parametrize("equilibrate, spread", [(False, 0.4), (True, 1.5)])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_kaczmarz_prefix_iterates_equal_oracle(equilibrate, spread, seed):
    """After each of the first 40 steps (max_iter = j, tol_abs = 0) the iterate, the step
    count and the residual equal the oracle's to 1e-12: the same rows are drawn one by one.
    Kills constrained-08 (rows drawn uniformly: another row is drawn within a few steps)."""
    K, b = _graded_system(6, spread, seed)
    assert _distinct_probabilities(K, equilibrate) > 1.5
    scale = float(np.linalg.norm(b))
    rows_seen = set()
    for j in range(1, 41):
        out = sketch_solve(K, b, tol_abs=0.0, method="kaczmarz", max_iter=j, seed=seed,
                           equilibrate=equilibrate)
        ref = kaczmarz_oracle(K, b, tol_abs=0.0, max_iter=j, seed=seed,
                              equilibrate=equilibrate)
        assert out[1] == j
        _assert_same(out, ref, scale)
        rows_seen |= set(ref[3])
    assert len(rows_seen) >= 3  # several different rows are exercised


@pytest.mark.parametrize("equilibrate, spread, seed",
                         [(True, 2.0, 3), (True, 1.0, 4), (False, 0.3, 5)])
def test_kaczmarz_run_to_tolerance_equals_oracle(equilibrate, spread, seed):
    """Runs to a tolerance with a start point: the number of steps (a multiple of the check
    interval max(N, 8) unless max_iter is reached), the solution and the residual equal the
    oracle's.  Kills constrained-08 (other step count and iterates)."""
    N = 7
    K, b = _graded_system(N, spread, seed)
    z0 = np.random.default_rng(seed + 100).normal(size=N)
    tol = 1e-6 * np.linalg.norm(b)
    out = sketch_solve(K, b, z0, tol_abs=tol, method="kaczmarz", max_iter=20_000, seed=seed,
                       equilibrate=equilibrate)
    ref = kaczmarz_oracle(K, b, z0, tol_abs=tol, max_iter=20_000, seed=seed,
                          equilibrate=equilibrate)
    _assert_same(out, ref, float(np.linalg.norm(b)))
    assert ref[2] <= tol and ref[1] % max(N, SK.KACZMARZ_MIN_CHECK_EVERY) == 0
    assert abs(out[2] - np.linalg.norm(K @ out[0] - b)) <= 1e-9 * np.linalg.norm(b)


def test_kaczmarz_zero_rows_are_never_drawn_and_generator_seed():
    """K with two zero rows/columns: the rows of zero norm have probability 0, every draw
    is a step (steps == max_iter after exactly max_iter draws in the oracle) and the result
    equals the oracle's.  A Generator seed is advanced by exactly one integers(0, bound)
    draw.  Kills constrained-08 (uniform draws hit the zero rows, which are skipped, so the
    rows and iterates differ)."""
    K, b = _graded_system(8, 1.0, 7, zero_rows=(2, 5))
    for j in (5, 16, 33):
        g = np.random.default_rng(11)
        out = sketch_solve(K, b, tol_abs=0.0, method="kaczmarz", max_iter=j, seed=g)
        ref = kaczmarz_oracle(K, b, tol_abs=0.0, max_iter=j, seed=11)
        _assert_same(out, ref, float(np.linalg.norm(b)))
        assert 2 not in ref[3] and 5 not in ref[3]
        g2 = np.random.default_rng(11)
        g2.integers(0, SK.KERNEL_SEED_BOUND)
        assert g.integers(0, 2**40) == g2.integers(0, 2**40)


def test_kaczmarz_all_zero_matrix_returns_start():
    """No row with positive norm: the start z0 comes back unchanged with 0 steps and the
    true residual ||b - K z0|| = ||b||."""
    K = np.zeros((3, 3))
    b = np.array([1.0, -2.0, 2.0])
    z0 = np.array([0.5, 0.25, -1.0])
    z, steps, res = sketch_solve(K, b, z0, tol_abs=1e-8, method="kaczmarz", seed=0)
    zo, so, ro, _ = kaczmarz_oracle(K, b, z0, tol_abs=1e-8, max_iter=10, seed=0)
    assert steps == so == 0
    np.testing.assert_array_equal(z, z0)
    np.testing.assert_array_equal(zo, z0)
    assert res == ro == 3.0


def test_kaczmarz_huge_rhs_is_the_scaled_oracle():
    """b above HUGE_RHS: the solve runs on b / big and is scaled back (linear in (z, b)),
    so it equals big * oracle(b / big).  Kills constrained-08 through the scaled path."""
    K, b = _graded_system(6, 1.0, 8)
    big_b = b * 1e120
    big = float(np.abs(big_b).max())
    out = sketch_solve(K, big_b, tol_abs=0.0, method="kaczmarz", max_iter=30, seed=9)
    zo, so, ro, rows = kaczmarz_oracle(K, big_b / big, tol_abs=0.0, max_iter=30, seed=9)
    assert out[1] == so == 30
    np.testing.assert_allclose(out[0], zo * big, rtol=1e-12, atol=1e-12 * big * np.abs(zo).max())
    assert abs(out[2] - ro * big) <= 1e-12 * np.linalg.norm(big_b)
