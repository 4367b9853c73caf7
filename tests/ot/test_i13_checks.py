"""Checks that can fail (issue 13): the entropic-bias tightness family, bound formulas on
hand-computed values, a Sinkhorn iteration budget, margin-form sign checks and wrong user
solvers through ``algorithm=``.  Each test names the wrong implementation it catches."""

import warnings

import numpy as np
import pytest

from equilibria.solvers.ot import sinkhorn
from equilibria.solvers.ot import theorems as O
from equilibria.verification import get


def _problem(seed=7, n=40):
    rng = np.random.default_rng(seed)
    x, y = rng.random((n, 2)), rng.random((n, 2))
    C = ((x[:, None] - y[None]) ** 2).sum(-1)
    C /= C.max()
    a = rng.uniform(0.5, 1, n)
    b = rng.uniform(0.5, 1, n)
    return a / a.sum(), b / b.sum(), C


@pytest.mark.parametrize("n", [2, 3, 5, 10])
def test_entropic_bias_attained_on_uniform_one_minus_identity(n):
    """Uniform marginals, C = 1 - I, reg = 0.05: OT_reg - OT_0 = reg log n to e^-20, ratio
    >= 0.999.  Catches the bound multiplied by 10 (ratio 0.1), reg log(n m) in place of
    reg min(H(a), H(b)) (ratio 0.5), and a KL term with the wrong sign or factor."""
    inst = O.worst_case_bias(n)
    m, b, triv = O.BIAS.evaluate(inst)
    assert b == pytest.approx(0.05 * np.log(n))
    assert 0.999 <= m / b <= 1 + 1e-6 and b < triv


def test_bias_bound_formula_hand_computed():
    """reg min(H(a), H(b)) on hand values: a uniform on 4 (H = log 4), b = (1/2, 1/2)
    (H = log 2) -> reg log 2."""
    a = np.full(4, 0.25)
    b = np.array([0.5, 0.5])
    assert O.entropic_bias_bound(a, b, 0.3) == pytest.approx(0.3 * np.log(2.0))
    assert O.entropy([0.5, 0.25, 0.25, 0.0]) == pytest.approx(1.5 * np.log(2.0))


def test_gap_bound_formula_hand_computed():
    """sinkhorn_gap_bound = (err/2) [osc C + osc g + reg + max(C - f - g) + reg log(1/w)] on
    the returned potentials, recomputed by hand (catches a factor changed in the bound)."""
    a, b, C = _problem(n=6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sinkhorn(a, b, C, 0.1, tol=1e-3)
    f, g = res.potentials
    w = max(a.min(), b.min())
    inner = (np.ptp(C) + np.ptp(g) + 0.1 + (C - f[:, None] - g[None]).max()
             + 0.1 * np.log(1 / w))
    assert O.sinkhorn_gap_bound(res, a, b, C) == pytest.approx(0.5 * res.marginal_error * inner)


def test_sinkhorn_iteration_budget_small_reg():
    """reg = 0.003, 40 x 40 squared-Euclidean cost, tol 1e-9: the adaptive over-relaxation
    converges in at most 260 iterations (200 recorded; plain Sinkhorn needs 1017).  Catches a
    wrong optimal-omega formula (e.g. 2/(1+sqrt(1+lam)), omega stuck at 1)."""
    a, b, C = _problem()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sinkhorn(a, b, C, 0.003, tol=1e-9)
        plain = sinkhorn(a, b, C, 0.003, tol=1e-9, omega=1.0)
    assert res.success and res.n_iter <= 260
    assert plain.success and res.n_iter <= 0.3 * plain.n_iter


def test_weak_duality_margin_fails_when_dual_exceeds_primal():
    """The margin form reports ratio 1 + violation: a positive violation fails (the old check
    reported ratio 0 by construction)."""
    thm = get("ot.weak_duality")
    m, b = O._margin(0.01, 1.0)
    assert m / b == pytest.approx(1.01) and not thm.holds(m, b)
    m, b = O._margin(-0.01, 1.0)
    assert thm.holds(m, b)


def _sinkhorn_user(a, b, C, reg, iters=5000, kernel_scale=None):
    K = np.exp(-C / reg) if kernel_scale is None else np.exp(-C * kernel_scale)
    u, v = np.ones_like(a), np.ones_like(b)
    for _ in range(iters):
        u = a / (K @ v)
        v = b / (K.T @ u)
    return u[:, None] * K * v[None]


def _rows_only(a, b, C, reg):
    """Wrong: one row scaling of the Gibbs kernel (rows exact, columns off)."""
    K = np.exp(-C / reg)
    return (a / K.sum(1))[:, None] * K


def test_user_solver_passes_and_wrong_reg_convention_fails():
    """A plain user Sinkhorn passes the bias check on the tight family; one that uses the kernel
    exp(-reg C) (reg read as an inverse temperature) fails, and so does one that stops after a
    single row scaling (marginals)."""
    bias, marg = get("ot.entropic_bias"), get("ot.sinkhorn_marginals")
    assert bias.protocol and marg.protocol
    inst = O.worst_case_bias(5)
    bias.check(inst, algorithm=_sinkhorn_user)
    with pytest.raises(AssertionError, match="ot.entropic_bias violated"):
        bias.check(inst, algorithm=lambda a, b, C, reg: _sinkhorn_user(a, b, C, reg,
                                                                        kernel_scale=reg))
    inst = O.sample_problem(np.random.default_rng(0), n=6, m=5, zero_frac=0.0)
    marg.check(inst, algorithm=_sinkhorn_user)
    with pytest.raises(AssertionError):
        marg.check(inst, algorithm=_rows_only)


def test_sparse_cardinality_reports_nonzeros():
    """Measured = the largest column count of nonzeros against max_nz (ratio 1 when the cap
    binds); a plan over the cap or off the column marginals would fail."""
    thm = get("ot.sparse_cardinality")
    inst = O._sample_sparse(np.random.default_rng(2), n=8, m=6)
    m, b, triv = thm.evaluate(inst)
    assert m <= b <= triv and m >= 1


def test_sinkhorn_gap_ratio_at_coarse_tolerance():
    """The a-posteriori gap bound is first order in the marginal error and the gap second order,
    so the ratio is only informative at coarse tolerances: at tol = 0.1 the largest ratio over
    six seeded instances is >= 0.01 (0.05 recorded).  Catches the bound multiplied by 10."""
    rng = np.random.default_rng(0)
    ratios = []
    for _ in range(6):
        inst = O.sample_problem(rng)
        inst["tol"] = 0.1
        m, b = O.GAP.evaluate(inst)
        assert m <= b
        ratios.append(m / b)
    assert max(ratios) >= 0.01
