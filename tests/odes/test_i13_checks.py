"""Checks that can fail (issue 13): the dynamics room's exact checks (counts of disagreements
and largest decreases against a bound of 0) and its tolerance checks report a violation when
fed a wrong verdict, a wrong evaluator or an instance outside the assumptions.

The theorems' ``tightness=`` records cite these tests: an exact check has no slack to be tight
about, so what must be shown is that its measured value is not 0 by construction.  Each test
names the wrong input it is fed."""

import dataclasses
import types

import numpy as np
import pytest

from equilibria.odes import theorems as T
from equilibria.odes.model import CoexistenceModel
from equilibria.theory import spectral_abscissa


def test_governance_check_fails_with_the_eigenvalue_margin(monkeypatch):
    """J0 = [[-1, 10], [0, -1]], G = 1 1^T: the symmetric-part margin is nondecreasing in g
    (measured 0), but an evaluator measuring the eigenvalue margin -max Re lambda instead (the
    wrong evaluator) sees it fall from 11 to 21 - sqrt(200) and the check reports it."""
    inst = {"J0": np.array([[-1.0, 10.0], [0.0, -1.0]]), "G": np.ones((2, 2)),
            "g": np.array([0.0, 10.0, 20.0])}
    assert T.WEYL.check(inst) == (0.0, 0.0)
    monkeypatch.setattr(T, "symmetric_margin", lambda J: -spectral_abscissa(J))
    m, b = T.WEYL.evaluate(inst)
    assert m == pytest.approx(11.0 - (21.0 - np.sqrt(200.0)), rel=1e-9) and b == 0.0
    with pytest.raises(AssertionError, match="governance_margin_monotone violated"):
        T.WEYL.check(inst)


def test_reciprocity_check_fails_when_weights_decrease():
    """Drawn cooperative pairs pass (x* grows with w); the same pairs swapped (the weights
    *decrease*: the wrong ordering) lower a component of x* by 0.015 - 0.18 and are reported
    (4 of 5 seeded pairs; the fifth has an increase that leaves x* unchanged)."""
    failed = 0
    rng = np.random.default_rng(0)
    for _ in range(5):
        inst = T.sample_cooperative(rng)
        T.RECIPROCITY.check(inst)
        swapped = {"base": inst["more"], "more": inst["base"]}
        m, b = T.RECIPROCITY.evaluate(swapped)
        if not T.RECIPROCITY.holds(m, b):
            failed += 1
            with pytest.raises(AssertionError, match="reciprocity_monotone violated"):
                T.RECIPROCITY.check(swapped)
    assert failed >= 4


def test_p_matrix_check_fails_on_two_solutions_or_a_wrong_pivot(monkeypatch):
    """Outside the assumptions (not P-matrices) the count |#solutions - 1| breaks the check even
    where the pivot returns the first solution: M = [[-1]], q = 1 has the solutions z = 0 and
    z = 1 (measured 1), M = [[1, 2], [2, 1]], q = (-1, -1) has three (measured 2).  On a
    P-matrix instance a pivoting solver returning a point 1e-6 off the unique solution (the
    wrong evaluator) is reported too."""
    for M, q, count in (([[-1.0]], [1.0], 2), ([[1.0, 2.0], [2.0, 1.0]], [-1.0, -1.0], 3)):
        inst = {"M": np.array(M), "q": np.array(q)}
        assert T.lcp_enumerate(inst["M"], inst["q"]).shape[0] == count
        assert T.P_MATRIX.evaluate(inst) == (count - 1.0, 1e-8)
        with pytest.raises(AssertionError, match="p_matrix_unique_lcp violated"):
            T.P_MATRIX.check(inst)
    inst = T.sample_p_matrix(np.random.default_rng(3), n=4)
    T.P_MATRIX.check(inst)
    real = T.solve_lcp

    def off(M, q, **kw):
        res = real(M, q, **kw)
        return types.SimpleNamespace(z=res.z + 1e-6, success=res.success)
    monkeypatch.setattr(T, "solve_lcp", off)
    m, b = T.P_MATRIX.evaluate(inst)
    assert m == pytest.approx(1e-6, rel=1e-6) and b == 1e-8
    with pytest.raises(AssertionError, match="p_matrix_unique_lcp violated"):
        T.P_MATRIX.check(inst)


class _FlippedVerdicts(T.LVSystem):
    """The wrong verdict: equilibria reported with the sign of max Re lambda flipped."""

    def equilibria(self, *args, **kwargs):
        eq = super().equilibria(*args, **kwargs)
        return types.SimpleNamespace(points=eq.points, max_re=-np.asarray(eq.max_re))


@pytest.mark.filterwarnings("ignore::equilibria._lib.result.ConvergenceWarning")
def test_local_stability_check_counts_flipped_verdicts(monkeypatch):
    """A drawn 3-species GLV with six hyperbolic equilibria (one stable, five unstable) agrees
    with the simulation (count 0); with every spectral verdict flipped all six disagree (count
    6) and the check fails."""
    inst = T.sample_glv(np.random.default_rng(3), n=3)
    eq = T.LVSystem(r=inst["r"], A=inst["A"]).equilibria()
    assert len(eq.points) == 6 and np.all(np.abs(eq.max_re) >= 0.05)
    assert T.LOCAL.check(inst) == (0.0, 0.0)
    monkeypatch.setattr(T, "LVSystem", _FlippedVerdicts)
    m, b = T.LOCAL.evaluate(inst)
    assert m == 6.0 and b == 0.0
    with pytest.raises(AssertionError, match="local_stability_agrees violated"):
        T.LOCAL.check(inst)


class _SwappedPresets(CoexistenceModel):
    """The wrong model: the governed and overgoverned presets exchanged."""

    @classmethod
    def preset(cls, name, *args, **kwargs):
        swap = {"governed": "overgoverned", "overgoverned": "governed"}
        return CoexistenceModel.preset(swap.get(name, name), *args, **kwargs)


def test_presets_check_fails_on_swapped_presets(monkeypatch):
    """With the governed and overgoverned presets exchanged, both regimes are reported violated
    (violations 1.0 and 2.0 from four initial states: the governed regime's coexistence >= 0.95
    is not reached, the overgoverned one's coexistence <= 0.5 is exceeded).  The correct
    presets give 0 everywhere (tests/odes/test_theorems.py::test_presets_reach_regimes_theorem,
    32 initial states)."""
    monkeypatch.setattr(T, "CoexistenceModel", _SwappedPresets)
    v = T.preset_violations(np.random.default_rng(0), 4)
    thm = T.PRESETS_THM
    assert not thm.holds(v["governed"], 0.0) and not thm.holds(v["overgoverned"], 0.0), v


def test_volterra_check_fails_against_a_wrong_equilibrium(monkeypatch):
    """A drawn Volterra-stable instance passes; compared with an LCP solution 1e-2 off (the
    wrong evaluator) the trajectories' end states are reported 1e-2 away, and a matrix with a
    positive diagonal (outside the assumptions: no diagonal certificate, diverging orbits)
    reports inf."""
    inst = T.sample_volterra(np.random.default_rng(0), n=3)
    m, b = T.VOLTERRA.check(inst)
    assert m < 1e-3 * b
    bad = dict(inst, A=inst["A"] + 3.0 * np.eye(3))
    with pytest.raises(AssertionError, match="non-finite"):
        T.VOLTERRA.check(bad)
    real = T.saturated_equilibrium

    def off(A, r, **kw):
        res = real(A, r, **kw)
        return types.SimpleNamespace(z=res.z + 1e-2, success=res.success)
    monkeypatch.setattr(T, "saturated_equilibrium", off)
    m, b = T.VOLTERRA.evaluate(inst)
    assert m == pytest.approx(1e-2, rel=1e-3) and m > 10 * b
    with pytest.raises(AssertionError, match="volterra_global_convergence violated"):
        T.VOLTERRA.check(inst)


def test_lyapunov_sum_check_fails_on_exponents_off_by_1e_6(monkeypatch):
    """The QR estimate of the Lorenz exponents sums to -(sigma + 1 + beta) within the integrator
    accuracy; a QR method whose exponents are each 1e-6 too large (the wrong evaluator: e.g. a
    biased renormalisation) is off by 3e-6, twenty times the allowance 1e-8 (sigma + 1 +
    beta), and is reported."""
    from equilibria.odes import mapper

    real, seen = mapper.lyapunov_spectrum, []

    def biased(*args, **kwargs):
        res = real(*args, **kwargs)
        seen.append(res)
        return dataclasses.replace(res, exponents=res.exponents + 1e-6)
    monkeypatch.setattr(mapper, "lyapunov_spectrum", biased)
    inst = T.sample_lorenz(np.random.default_rng(0))
    m, b = T.LYAPUNOV_SUM.evaluate(inst)
    div = inst["sigma"] + 1.0 + inst["beta"]
    assert b == pytest.approx(1e-8 * div)
    assert abs(seen[0].exponents.sum() + div) <= b  # the true estimate passes
    assert m == pytest.approx(3e-6, rel=0.1) and not T.LYAPUNOV_SUM.holds(m, b)
