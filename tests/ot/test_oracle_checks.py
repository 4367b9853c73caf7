"""Sinkhorn paths that the theorems cannot see (issue 13): the log-domain stopping rule against a
numpy oracle iteration for iteration, the dual value against its formula (1) where the mass
term matters, and the documented epsilon-scaling stage tolerance.  Each test names the wrong
implementation it catches (mutants of ``benchmarks/mutation.py``)."""

import warnings

import numpy as np
import pytest
from scipy.special import logsumexp

import equilibria.solvers.ot._sinkhorn as S
from equilibria.solvers.ot import sinkhorn


def _problem(seed, n=30, m=25, spread=3.0):
    """Squared-Euclidean cost, strongly non-uniform marginals (weights over ``e^spread``)."""
    rng = np.random.default_rng(seed)
    x, y = rng.random((n, 2)), rng.random((m, 2))
    C = ((x[:, None] - y[None]) ** 2).sum(-1)
    a = np.exp(rng.uniform(0, spread, n))
    b = np.exp(rng.uniform(0, spread, m))
    return a / a.sum(), b / b.sum(), C


def _log_sinkhorn_stop(a, b, C, reg, tol, max_iter=100_000):
    """Log-domain Sinkhorn written from Peyre & Cuturi (2019), Remark 4.23: F update (rows exact),
    then the L1 column error of ``P = exp((F + G - C)/reg)`` is tested against ``tol``, then the
    G update.  Returns the iteration count at the stop and the error there."""
    F, G = np.zeros(len(a)), np.zeros(len(b))
    for it in range(1, max_iter + 1):
        F = reg * np.log(a) - reg * logsumexp((G[None, :] - C) / reg, axis=1)
        P = np.exp((F[:, None] + G[None, :] - C) / reg)
        err = np.abs(P.sum(0) - b).sum()
        if err <= tol:
            return it, err
        G = reg * np.log(b) - reg * logsumexp((F[:, None] - C) / reg, axis=0)
    raise AssertionError("oracle did not converge")


@pytest.mark.parametrize("seed,reg,tol", [(0, 0.05, 1e-8), (1, 0.02, 1e-6), (2, 0.1, 1e-10)])
def test_log_domain_stops_at_the_oracle_iteration(seed, reg, tol):
    """``method="log"`` stops at the first iteration whose L1 column error is ``<= tol``, the same
    iteration as the oracle, on marginals whose weights differ by a factor ~20.

    Catches: the column error summed without the weights ``b_j`` (``sum_j |e^{(G_j -
    G^new_j)/reg} - 1|`` instead of ``sum_j b_j |...|``: ~m times too large, so it stops late),
    an error tested after the G update, an off-by-one in the count."""
    a, b, C = _problem(seed)
    res = sinkhorn(a, b, C, reg, method="log", tol=tol)
    it, err = _log_sinkhorn_stop(a, b, C, reg, tol)
    assert res.success
    assert res.n_iter == it
    assert res.marginal_error <= tol


@pytest.mark.parametrize("method,omega", [("stabilized", 1.5), ("scaling", 1.8),
                                          ("stabilized", 1.0), ("log", 1.0)])
def test_dual_value_is_formula_one_at_a_loose_tolerance(method, omega):
    """The reported dual objective is (1) of the ``sinkhorn`` docstring at the returned potentials,
    ``<a, f> + <b, g> - reg sum_ij a_i b_j (e^{(f_i + g_j - C_ij)/reg} - 1)``, computed here in
    numpy.  With over-relaxation (``omega > 1``) the rows of the iterate are not exact, and at
    ``tol = 1e-2`` its mass differs from 1 by ~1e-4, so the mass term is far above rounding.

    Catches: a sign error in the mass term ``reg (mass - 1)``, the term dropped, the mass of the
    rounded plan (which is exactly 1) used in place of the unrounded one's."""
    a, b, C = _problem(3, spread=2.0)
    reg = 0.05
    res = sinkhorn(a, b, C, reg, method=method, tol=1e-2, omega=omega)
    assert res.success, res.message
    f, g = res.potentials
    E = np.exp((f[:, None] + g[None, :] - C) / reg)
    mass = float((a[:, None] * b[None, :] * E).sum())
    if omega > 1:
        assert abs(mass - 1.0) > 1e-5, "the instance must exercise the mass term"
    dual = float(a @ f + b @ g - reg * ((a[:, None] * b[None, :] * (E - 1.0)).sum()))
    assert res.dual_objective == pytest.approx(dual, rel=1e-12, abs=1e-14)
    # weak duality holds for any potentials
    assert res.dual_objective <= res.objective + 1e-12


def test_eps_scaling_intermediate_stages_stop_at_1e_3(monkeypatch):
    """The docstring's epsilon-scaling schedule: reg decreases by 4 per stage from ``(max C -
    min C)/50``, the intermediate stages stop at L1 error ``max(tol, 1e-3)`` and only the final
    stage (at ``reg`` itself) at ``tol``.  The stage tolerances and regs that reach the sweep
    kernel are recorded.

    Catches: intermediate stages stopped at a looser (1e-1) or tighter tolerance, a wrong stage
    factor, a schedule that does not end at ``reg``."""
    calls = []
    orig = S.K_.sinkhorn_sweeps

    def spy(Kmat, a, b, u, v, Sbuf, stage_tol, budget, *rest):
        calls.append(stage_tol)
        return orig(Kmat, a, b, u, v, Sbuf, stage_tol, budget, *rest)

    builds = []
    orig_build = S.K_.build_kernel

    def spy_build(C, F, G, r, Kmat):
        builds.append(r)
        return orig_build(C, F, G, r, Kmat)

    monkeypatch.setattr(S.K_, "sinkhorn_sweeps", spy)
    monkeypatch.setattr(S.K_, "build_kernel", spy_build)
    a, b, C = _problem(4, n=20, m=20)
    reg, tol = 2e-4, 1e-9
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sinkhorn(a, b, C, reg, tol=tol)
    crange = C.max() - C.min()
    expected = []
    r = crange / 50
    while r > reg / 0.25 * 0.999:
        expected.append(r)
        r *= 0.25
    expected.append(reg)
    stages = sorted(set(builds), reverse=True)
    np.testing.assert_allclose(stages, expected, rtol=1e-12)
    # the tolerance passed per sweep call: 1e-3 while reg > the target, tol at the target
    assert len(calls) == len(builds)
    for r_, t_ in zip(builds, calls):
        assert t_ == (tol if r_ == reg else 1e-3), (r_, t_)
    assert res.success


@pytest.mark.parametrize("tol", [1e-1, 1e-2, 1e-4, 1e-6])
def test_loose_tolerance_is_certified_by_the_gap_bound(tol):
    """A loose ``tol`` succeeds: the certificate allows the gap that the marginal error at the
    stop permits (the bound of ``ot.sinkhorn_gap``), and the gap is within it.  Before, any
    ``tol`` above ~1e-6 failed with a misleading 'dynamic range' message."""
    from equilibria.solvers.ot.theorems import sinkhorn_gap_bound
    a, b, C = _problem(5)
    res = sinkhorn(a, b, C, 0.05, tol=tol)
    assert res.success, res.message
    assert 0 <= res.objective - res.dual_objective <= sinkhorn_gap_bound(res, a, b, C) + 1e-12
