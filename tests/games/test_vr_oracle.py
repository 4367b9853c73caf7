"""Draw-for-draw oracle of the monotone VR-Halpern kernel (issue 13).

``vr_halpern(variant="monotone")`` on a :func:`linear_finite_sum` problem runs the numba
kernel ``_kernels._vr_mono_linear_kernel``.  :func:`vr_mono_oracle` re-implements it in plain
Python/numpy with the same random stream:

* kernel seed ``Generator(seed).integers(0, 2**62)``; numba's ``np.random.seed`` takes a
  uint32, so the stream is ``RandomState(seed mod 2**32)``; ``np.random.randint(0, n)`` and
  ``np.random.random()`` inside numba are the legacy ``RandomState.randint(0, n)`` /
  ``random_sample()`` (masked rejection on 32-bit words, 53-bit doubles);
* ``eta = sqrt(n) / L`` (default), ``tau = gamma sqrt(1/n) / (eta L)``, snapshot probability
  ``1/n``, ``alpha = 1 - 1/n``;
* outer step k: inner accuracy ``eps_k = inner_tol_scale * eta * tol / (k + 2)``, warm start
  ``w = u``, a full pass (n calls); at each snapshot the residual ``||F(w)||`` is recorded, the
  run stops when it is ``<= tol``, the inner solve stops when ``||w - x + eta F(w)|| <= eps_k``,
  the budget is checked; otherwise loopless SVRG extragradient steps (2 calls each, one
  ``randint`` and one ``random`` draw per step) until a snapshot;
* Halpern step ``x = x0 / (k + 2) + (1 - 1/(k + 2)) u``.

Oracle calls, the outer iteration count, the whole residual history and the final ``x`` must
agree.  Mutant games-03 (``eps_k`` without ``1/(k+2)``: looser inner solves for ``k >= 1``)
ends the inner solves earlier, so the calls, ``n_iter`` and the history all change.
"""

import numpy as np
import pytest

from equilibria._lib.result import ConvergenceWarning
from equilibria.solvers.games import linear_finite_sum, vr_halpern
from equilibria.solvers.games._problems import random_bilinear_game


def vr_mono_oracle(M, q, x0, *, tol, budget, eta, gamma, scale, L, seed):
    """Plain-Python ``_vr_mono_linear_kernel``; returns (x, calls, k, hist, status, margin)
    with ``margin`` the smallest gap ``|gnorm - eps_k|`` of the inner stopping tests relative
    to the size ``||w|| + ||x|| + eta ||F(w)||`` of the terms of ``G`` (``gnorm`` carries a
    rounding error of about 1e-16 of that size; the fastmath kernel rounds differently, so a
    smaller gap could flip the branch)."""
    n = M.shape[0]
    Mbar, qbar = M.mean(axis=0), q.mean(axis=0)
    tau = gamma * np.sqrt(1.0 / n) / (eta * L)
    mt = np.random.RandomState(int(seed) % 2**32)
    pin = 1.0 / n
    alpha = 1.0 - pin
    x, u = x0.copy(), x0.copy()
    calls, hist, k = 0, [], 0
    margin = np.inf
    while True:
        eps_k = scale * eta * tol / (k + 2)
        w = u.copy()
        Fw = Mbar @ w + qbar
        calls += n
        while True:
            gnorm = np.linalg.norm(w - x + eta * Fw)
            r = np.linalg.norm(Fw)
            if not (np.isfinite(gnorm) and np.isfinite(r)):
                return w, calls, k, hist, 2, margin
            hist.append(r)
            if r <= tol:
                return w, calls, k, hist, 0, margin
            size = np.linalg.norm(w) + np.linalg.norm(x) + eta * r
            margin = min(margin, abs(gnorm - eps_k) / size)
            if gnorm <= eps_k:
                u = w.copy()
                break
            if calls >= budget:
                return w, calls, k, hist, 1, margin
            while True:
                zbar = alpha * u + (1.0 - alpha) * w
                zh = (zbar - tau * eta * Fw + tau * x) / (1.0 + tau)
                i = mt.randint(0, n)
                t = M[i] @ (zh - w)  # F_i(z_half) - F_i(w)
                u = (zbar - tau * eta * (Fw + t) + tau * x) / (1.0 + tau)
                calls += 2
                if mt.random_sample() < pin or calls >= budget:
                    break
            w = u.copy()
            Fw = Mbar @ w + qbar
            calls += n
        lam = 1.0 / (k + 2)
        x = lam * x0 + (1.0 - lam) * u
        k += 1


def _run_both(fs, x0, *, tol, budget, seed, gamma=0.5, scale=0.1):
    M, q = fs._components
    res = vr_halpern(fs, x0, variant="monotone", tol=tol, max_oracle_calls=budget,
                     inner_gamma=gamma, inner_tol_scale=scale, check_monotone=False,
                     seed=seed)
    kseed = int(np.random.default_rng(seed).integers(0, 2**62))
    eta = np.sqrt(fs.n) / fs.L
    ref = vr_mono_oracle(M, q, np.asarray(x0, float), tol=tol, budget=budget, eta=eta,
                         gamma=gamma, scale=scale, L=fs.L, seed=kseed)
    return res, ref


def _assert_agree(res, ref):
    x, calls, k, hist, status, margin = ref
    assert margin > 1e-13  # no branch decided within rounding (unit roundoff 1.1e-16)
    assert res.oracle_calls == calls
    assert res.n_iter == k
    assert res.residual_history.size == len(hist)
    np.testing.assert_allclose(res.residual_history, hist, rtol=1e-9, atol=1e-13)
    np.testing.assert_allclose(res.x, x, rtol=1e-10, atol=1e-12)
    assert res.success == (status == 0)


@pytest.mark.parametrize("seed", [0, 3])
def test_vr_monotone_kernel_equals_oracle_to_tolerance(seed):
    """Bilinear game (n = 10, d = 4, 0.1-strongly monotone) solved to tol = 1e-2: calls,
    outer iterations, residual history and x equal the oracle's.  Kills games-03 (no
    1/(k+2) in eps_k: fewer inner steps per outer step, other k and calls)."""
    g, _ = random_bilinear_game(10, 2, 2, 5, reg=0.1)
    res, ref = _run_both(g, np.zeros(4), tol=1e-2, budget=10**7, seed=seed)
    assert res.success and ref[4] == 0
    assert ref[2] >= 5  # several outer steps, so eps_k for k >= 1 matters
    _assert_agree(res, ref)


@pytest.mark.parametrize("budget", [12_345, 40_000])
def test_vr_monotone_kernel_equals_oracle_at_budget(budget):
    """Plain bilinear game (monotone, not strongly), tol = 1e-6 not reached, stopped by the
    oracle budget: the state at the budget (calls, k, history, x) equals the oracle's.
    Kills games-03 (other k at the budget, other history)."""
    g, _ = random_bilinear_game(8, 3, 3, 11)
    x0 = np.random.default_rng(1).normal(size=6)
    with pytest.warns(ConvergenceWarning):
        res, ref = _run_both(g, x0, tol=1e-6, budget=budget, seed=4)
    assert not res.success and ref[4] == 1
    assert ref[2] >= 2
    _assert_agree(res, ref)


@pytest.mark.parametrize("tol", [1e-2, 1e-3])
def test_vr_monotone_kernel_equals_oracle_other_parameters(tol):
    """Non-default inner_gamma / inner_tol_scale and a generic monotone linear finite sum
    (M_i = S_i + P_i, S_i skew, P_i PSD) with non-zero x0: the oracle agrees.  Kills
    games-03 (with scale = 1 the loosened eps_k changes the inner stopping)."""
    rng = np.random.default_rng(2)
    n, d = 6, 3
    A = rng.normal(size=(n, d, d))
    C = rng.normal(size=(n, d, 1)) * 0.3
    M = (A - np.transpose(A, (0, 2, 1))) / 2 + C @ np.transpose(C, (0, 2, 1)) + 0.3 * np.eye(d)
    q = rng.normal(size=(n, d))
    fs = linear_finite_sum(M, q)
    res, ref = _run_both(fs, np.ones(d), tol=tol, budget=10**6, seed=8, gamma=0.3, scale=1.0)
    assert res.success
    assert ref[2] >= 5
    _assert_agree(res, ref)
