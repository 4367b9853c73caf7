"""Property tests: every per-instance theorem of the room on instances drawn by hypothesis
(``tests/_strategies.py``), plus the caveat and the known-answer checks."""

import numpy as np
import pytest

from equilibria.odes import theorems as T
from equilibria.theory import spectral_abscissa, symmetric_margin

from .._strategies import check_theorem, room_theorems, theorem_id


@pytest.mark.parametrize("thm", room_theorems("odes"), ids=theorem_id)
def test_theorem_holds_on_drawn_instances(thm):
    """Volterra convergence, Weyl monotonicity, reciprocity, P-matrix LCP uniqueness, local
    stability: ``thm.check`` on instances with hypothesis-chosen sizes and seeds."""
    check_theorem(thm)


def test_eigenvalue_margin_need_not_be_monotone():
    """The caveat: for non-symmetric J the spectral abscissa of J - gG can rise with g."""
    J0 = np.array([[-1.0, 10.0], [0.0, -1.0]])
    G = np.ones((2, 2))  # PSD
    gs = np.array([0.0, 10.0, 20.0])
    eig_margin = np.array([-spectral_abscissa(J0 - g * G) for g in gs])
    sym_margin = np.array([symmetric_margin(J0 - g * G) for g in gs])
    assert eig_margin[2] < eig_margin[1] - 1.0  # 11 -> 6.86: not monotone
    assert np.all(np.diff(sym_margin) >= 0)
    np.testing.assert_allclose(eig_margin, [1.0, 11.0, 21 - np.sqrt(200)], rtol=1e-9, atol=1e-9)


def test_local_stability_check_counterexample_found_by_hypothesis():
    """Found by the generic test (shrunk to ``sample_glv(rng(1017), n=2)``): at the saddle
    (0.419, 0.568), max Re = 0.397, the random half of the perturbation had d . v = -0.89 with
    the leading eigenvector, so the distance grew by only 1.58 < 2 and the check counted a
    disagreement that Lyapunov's theorem does not make.  The check now reflects the random half
    to d . v >= 0; this instance must pass."""
    T.LOCAL.check(T.sample_glv(np.random.default_rng(1017), n=2))


def test_presets_reach_regimes_theorem():
    v = T.preset_violations(np.random.default_rng(0), 32)
    assert all(x == 0.0 for x in v.values()), v


def test_lyapunov_linear_tightness_instance():
    """A complex pair on an elongated ellipse (non-normal rotation, equal real parts) converges
    slowest: the measured error is a third of the stated finite-time bound."""
    inst = {"A": np.array([[0.2, 10.0, 0.0], [-0.1, 0.2, 0.0], [0.0, 0.0, -1.0]]),
            "x0": np.array([1.0, 0.5, 1.0]), "seed": 3}
    measured, bound = T.evaluate_lyapunov_linear(inst)
    assert 0.2 * bound <= measured <= bound, (measured, bound)


def test_lyapunov_mixed_scales_do_not_break_the_tangent_dynamics():
    """Found by the generic test: a growing state next to a decaying coordinate (|x| ~ 1e8
    with x_3 ~ 1e-39) made the forward-difference Jacobian cancel catastrophically and the
    integration stall; the step is now scaled by |x|_inf."""
    inst = {"A": np.array([[0.2, 3.0, 1.0], [-0.3, 0.2, 0.5], [0.0, 0.0, -1.0]]),
            "x0": np.array([1.0, 0.5, 1.0]), "seed": 3}
    measured, bound = T.evaluate_lyapunov_linear(inst)
    assert measured <= bound


def test_lyapunov_sum_detects_a_wrong_jacobian():
    """A mutant Jacobian (one sign flipped) breaks the divergence identity by O(1)."""
    from equilibria.odes import ODE, IntegratorOptions, lyapunov_spectrum

    def lorenz(x, p):
        return np.array([10.0 * (x[1] - x[0]), x[0] * (28.0 - x[2]) - x[1],
                         x[0] * x[1] - 8 / 3 * x[2]])

    def wrong_jac(x, p):
        return np.array([[-10.0, 10.0, 0.0], [28.0 - x[2], -1.0, -x[0]],
                         [x[1], x[0], +8 / 3]])
    with pytest.raises(ValueError, match="jac"):  # the constructor's check catches it first
        ODE(lorenz, 3, jac=wrong_jac)
    good = lyapunov_spectrum(ODE(lorenz, 3), [1.0, 1.0, 20.0], n_steps=300, transient=10,
                             options=IntegratorOptions(dt=0.1), progress=False)
    assert abs(good.exponents.sum() + 10 + 1 + 8 / 3) <= 1e-8 * (10 + 1 + 8 / 3)


def test_local_stability_waits_out_a_non_normal_transient():
    """A drawn 4-species GLV whose stable equilibrium (max Re = -0.439) has
    ||exp(J T)||_2 = 0.70 at T = 4/|max Re|: the perturbation has not yet halved, though the
    spectral verdict is right; the check lengthens T until the linear flow contracts by 4
    (hypothesis found it with a random profile)."""
    from equilibria.odes.theorems import evaluate_local

    A = np.array([[-0.04294534, -1.22028858, -1.01066759, 0.50681829],
                  [-0.02130328, -0.23134624, -0.31872011, 0.26179111],
                  [-0.40794922, -0.50234886, -1.63723454, 0.64123],
                  [-0.01978867, -0.01676523, 0.08924764, -1.18534713]])
    r = np.array([0.33721567, -0.38949114, -0.30395524, 0.6086097])
    assert evaluate_local({"A": A, "r": r, "seed": 1528459423}) == (0.0, 0.0)
