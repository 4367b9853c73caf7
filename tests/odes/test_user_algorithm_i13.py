"""A user's implementation on the dynamics room's algorithmic theorems (issue 13 §2).

Protocols (``equilibria.odes.theorems``, ``drift_theorems``, ``cpr_theorems``): an integrator
(``odes.volterra_global_convergence``), an LCP solver (``odes.p_matrix_unique_lcp``), a local
stability classifier (``odes.local_stability_agrees``), a Lyapunov-spectrum estimator
(``odes.lyapunov_*``), a gradient-descent step, an IGR modified flow, a game modified flow and
a principal flow (``odes.drift_*``), an agent-based simulator (``odes.cpr_abm_mean_field_rate``).

For each: (a) the package's own implementation passed through the protocol reproduces the
default run exactly (same ratio) and passes; (b) a realistic wrong implementation fails
(``out.passed is False``); (c) a malformed return raises a readable ``ValueError`` or
``TypeError`` naming ``algorithm``.
"""

import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.linalg import expm

from equilibria.odes import cpr as C
from equilibria.odes import cpr_theorems as CT
from equilibria.odes import drift as D
from equilibria.odes import drift_theorems as DT
from equilibria.odes import theorems as T
from equilibria.verification import check, get


def _same(name, algorithm):
    """The package's implementation through the protocol: same row as the default run."""
    ref = check(name)
    out = check(name, algorithm=algorithm)
    assert out.error is None, out.error
    assert out.passed and ref.passed
    assert out.ratio == ref.ratio and out.measured == ref.measured
    return out


def _fails(name, algorithm):
    out = check(name, algorithm=algorithm)
    assert out.error is None, out.error  # rejected by the measurement, not by an exception
    assert out.passed is False, str(out)
    return out


# ------------------------------------------------------------------------------ Volterra
def _scipy_integrator(scale=1.0):
    """Each row by scipy's LSODA to ``scale * t_end`` (``scale`` != 1: the clock read in the
    wrong unit, so the run stops far too early)."""
    def integrate(system, X0, t_end):
        out = []
        for x0 in X0:
            sol = solve_ivp(lambda _t, x: x * (system.r + system.A @ x), (0.0, scale * t_end),
                            x0, method="LSODA", rtol=1e-10, atol=1e-13)
            out.append(sol.y[:, -1])
        return np.array(out)
    return integrate


def test_volterravolterra_protocol_integrator_reproduces_default():
    _same("odes.volterra_global_convergence", T.volterra_protocol_integrator)


def test_volterra_scipy_integrator_passes_and_short_clock_fails():
    assert check("odes.volterra_global_convergence", algorithm=_scipy_integrator()).passed
    _fails("odes.volterra_global_convergence", _scipy_integrator(scale=1e-3))


def test_volterra_malformed_return():
    inst = T.sample_volterra(np.random.default_rng(0), n=3)
    with pytest.raises(ValueError, match="algorithm.*shape"):
        T.evaluate_volterra(inst, algorithm=lambda s, X0, t: X0[0])
    with pytest.raises(TypeError, match="algorithm"):
        T.evaluate_volterra(inst, algorithm="rk45")


# ------------------------------------------------------------------------------ P-matrix LCP
def test_p_matrixlcp_protocol_solver_reproduces_default():
    _same("odes.p_matrix_unique_lcp", T.lcp_protocol_solver)


def test_p_matrix_clipped_linear_solve_fails():
    """The unconstrained solution clipped at 0 is not complementary when a component of
    -M^{-1} q is negative."""
    _fails("odes.p_matrix_unique_lcp",
           lambda M, q: np.maximum(np.linalg.solve(M, -q), 0.0))


def test_p_matrix_failed_solver_is_a_violation_and_malformed_raises():
    inst = T.sample_p_matrix(np.random.default_rng(0), n=3)
    m, b = T.evaluate_p_matrix(inst, algorithm=lambda M, q: np.full(3, np.nan))
    assert m == np.inf and b == 1e-8
    with pytest.raises(ValueError, match="algorithm.*shape"):
        T.evaluate_p_matrix(inst, algorithm=lambda M, q: np.zeros(4))
    with pytest.raises(TypeError, match="algorithm"):
        T.evaluate_p_matrix(inst, algorithm=lambda M, q: "z")


# ------------------------------------------------------------------------------ local stability
def test_local_stability_package_classifier_reproduces_default():
    _same("odes.local_stability_agrees", T.stability_protocol_classifier)


def test_local_stability_numpy_classifier_passes_and_community_matrix_fails():
    def numpy_classifier(A, r, x):
        J = np.diag(r + A @ x) + x[:, None] * A
        return float(np.max(np.linalg.eigvals(J).real))

    assert check("odes.local_stability_agrees", algorithm=numpy_classifier).passed
    # the interaction matrix A taken for the Jacobian: wrong at the boundary equilibria (the
    # invasion rates r + A x are ignored), e.g. the origin with r_i > 0 is called stable
    _fails("odes.local_stability_agrees",
           lambda A, r, x: float(np.max(np.linalg.eigvals(A).real)))


def test_local_stability_malformed_return():
    inst = T.sample_glv(np.random.default_rng(0), n=2)
    with pytest.raises(ValueError, match="algorithm.*shape"):
        T.evaluate_local(inst, algorithm=lambda A, r, x: np.zeros(2))
    with pytest.raises(TypeError, match="algorithm"):
        T.evaluate_local(inst, algorithm=lambda A, r, x: "stable")
    bad, _ = T.evaluate_local(inst, algorithm=lambda A, r, x: 0.0)  # no verdict: disagreement
    assert bad >= 1


# ------------------------------------------------------------------------------ Lyapunov
def numpy_qr_lyapunov(system, x0, *, n_steps, transient, dt, seed, flaw=None, substeps=10):
    """Benettin's QR method: RK4 on the state and the tangent frame (``system.rhs``,
    ``system.jacobian``), ``substeps`` per ``dt``, re-orthonormalised every ``dt``; ``flaw``
    switches one mistake on: ``"no_renormalise"`` (continues from the unnormalised frame),
    ``"wrong_time"`` (divides by the whole run's time, transient included)."""
    n = system.dim
    x = np.array(x0, dtype=float)
    Q = np.linalg.qr(np.random.default_rng(seed).standard_normal((n, n)))[0]
    h = dt / substeps

    def f(x, Q):
        return system.rhs(x), system.jacobian(x) @ Q

    sums = np.zeros(n)
    for j in range(transient + n_steps):
        M = Q
        for _ in range(substeps):
            k1 = f(x, M)
            k2 = f(x + h / 2 * k1[0], M + h / 2 * k1[1])
            k3 = f(x + h / 2 * k2[0], M + h / 2 * k2[1])
            k4 = f(x + h * k3[0], M + h * k3[1])
            x = x + h / 6 * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0])
            M = M + h / 6 * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1])
        Qn, R = np.linalg.qr(M)
        s = np.where(np.diag(R) < 0, -1.0, 1.0)
        Q = M if flaw == "no_renormalise" else Qn * s
        if j >= transient:
            sums += np.log(np.abs(np.diag(R)))
    T_avg = (n_steps + transient) * dt if flaw == "wrong_time" else n_steps * dt
    return sums / T_avg


def test_lyapunov_linear_package_estimator_reproduces_default():
    _same("odes.lyapunov_linear_spectrum", T.lyapunov_protocol_estimator)


def test_lyapunov_linear_numpy_qr_passes_and_its_flaws_fail():
    assert check("odes.lyapunov_linear_spectrum", algorithm=numpy_qr_lyapunov).passed
    for flaw in ("no_renormalise", "wrong_time"):
        _fails("odes.lyapunov_linear_spectrum",
               lambda *a, flaw=flaw, **k: numpy_qr_lyapunov(*a, flaw=flaw, **k))


def test_lyapunov_sum_package_estimator_reproduces_default_and_wrong_time_fails():
    _same("odes.lyapunov_sum_divergence", T.lyapunov_protocol_estimator)

    def wrong_time(system, x0, *, n_steps, transient, dt, seed):
        # the sums divided by the whole run's time (transient included)
        ex = T.lyapunov_protocol_estimator(system, x0, n_steps=n_steps, transient=transient, dt=dt,
                                 seed=seed)
        return ex * n_steps / (n_steps + transient)

    _fails("odes.lyapunov_sum_divergence", wrong_time)


def test_lyapunov_malformed_return():
    inst = T.sample_linear_flow(np.random.default_rng(0), n=3)
    with pytest.raises(ValueError, match="algorithm.*shape"):
        T.evaluate_lyapunov_linear(inst, algorithm=lambda s, x0, **k: np.zeros(2))
    with pytest.raises(TypeError, match="algorithm"):
        T.evaluate_lyapunov_linear(inst, algorithm=lambda s, x0, **k: object())
    m, _ = T.evaluate_lyapunov_linear(inst, algorithm=lambda s, x0, **k: np.full(3, np.nan))
    assert m == np.inf
    lor = T.sample_lorenz(np.random.default_rng(0))
    with pytest.raises(ValueError, match="algorithm.*shape"):
        T.evaluate_lyapunov_sum(lor, algorithm=lambda s, x0, **k: np.zeros(4))


# ------------------------------------------------------------------------------ drift: GD step
def test_gd_step_package_reproduces_default_and_ascent_fails():
    _same("odes.drift_gd_local_error_flow", DT.gd_protocol_step)
    assert check("odes.drift_gd_local_error_flow",
                 algorithm=lambda grad, x, h: x - h * grad(x)).passed
    # a sign error (gradient ascent): the one-step error is O(h), slope 1
    _fails("odes.drift_gd_local_error_flow", lambda grad, x, h: x + h * grad(x))


def test_gd_step_malformed_return():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="algorithm.*shape"):
        DT.gd_local_error_flow(rng, True, algorithm=lambda grad, x, h: x[:1])
    with pytest.raises(TypeError, match="algorithm"):
        DT.gd_local_error_flow(rng, True, algorithm=lambda grad, x, h: "step")
    with pytest.raises(ValueError, match="algorithm"):
        DT.gd_local_error_flow(rng, True, algorithm=lambda grad, x, h: x * np.nan)


# ------------------------------------------------------------------------------ drift: IGR flow
def test_igr_field_package_reproduces_default_and_wrong_factor_fails():
    _same("odes.drift_gd_local_error_modified", D.modified_flow_field)

    def quarter(grad, h, *, hess):
        # the (h/4) of E~ = E + (h/4)||grad E||^2 copied into the field (should be h/2)
        return lambda x: -grad(x) - (h / 4) * hess(x) @ grad(x)

    _fails("odes.drift_gd_local_error_modified", quarter)


def test_igr_field_malformed_return():
    rng = np.random.default_rng(0)
    with pytest.raises(TypeError, match="algorithm.*field"):
        DT.gd_local_error_modified(rng, True, algorithm=lambda grad, h, hess: np.zeros(2))
    with pytest.raises(ValueError, match="algorithm.*shape"):
        DT.gd_local_error_modified(rng, True, algorithm=lambda grad, h, hess: lambda x: x[:1])
    with pytest.raises(ValueError, match="not both"):
        DT.gd_local_error_modified(rng, True, field=D.modified_flow_field,
                                   algorithm=D.modified_flow_field)


# ------------------------------------------------------------------------------ drift: games
def _scheme_blind(game, h, *, scheme, lr):
    """The simultaneous modified flow used for both schemes (the alternating update's sign
    of the g_x f term missed)."""
    return D.game_modified_field(game, h, scheme="simultaneous", lr=lr)


def test_game_field_package_reproduces_default_and_scheme_blind_fails():
    _same("odes.drift_game_local_error_modified", D.game_modified_field)
    _fails("odes.drift_game_local_error_modified", _scheme_blind)


def test_bilinear_package_field_reproduces_default_and_scheme_blind_fails():
    _same("odes.drift_bilinear_growth", D.game_modified_field)
    _fails("odes.drift_bilinear_growth", _scheme_blind)


def test_game_field_malformed_return():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="algorithm.*shape"):
        DT.game_local_error_modified(rng, True, algorithm=lambda g, h, **k: lambda z: z[:1])
    inst = DT.sample_bilinear(np.random.default_rng(0))
    with pytest.raises(TypeError, match="algorithm"):
        DT.evaluate_bilinear(inst, algorithm=lambda g, h, **k: None)


# ------------------------------------------------------------------------------ principal flow
def test_principal_package_flow_reproduces_default_and_gradient_flow_fails():
    _same("odes.drift_principal_flow_exact", D.principal_flow)

    def numpy_principal(H, x0, h, t, *, x_star):
        lam, U = np.linalg.eigh(H)
        c = U.T @ (x0 - x_star)
        return x_star + (np.power(1 - h * lam[None], t[:, None] / h) * c) @ U.T

    assert check("odes.drift_principal_flow_exact", algorithm=numpy_principal).passed

    def gradient_flow(H, x0, h, t, *, x_star):  # exp(-H t): the h -> 0 limit, not GD's flow
        return np.array([x_star + expm(-H * tk) @ (x0 - x_star) for tk in t])

    _fails("odes.drift_principal_flow_exact", gradient_flow)


def test_principal_malformed_return():
    inst = DT.sample_principal(np.random.default_rng(0), n=2)
    with pytest.raises(ValueError, match="algorithm.*shape"):
        DT.evaluate_principal(inst, algorithm=lambda H, x0, h, t, x_star: x0)
    with pytest.raises(TypeError, match="algorithm"):
        DT.evaluate_principal(inst, algorithm=3.0)


# ------------------------------------------------------------------------------ ABM
def test_abm_package_simulator_reproduces_default_and_biased_fails():
    _same("odes.cpr_abm_mean_field_rate", C.cpr_simulate)

    def biased(model, preset, t_end, **kw):  # the resource regrows 20 % too fast
        return C.cpr_simulate(model.replace(r=1.2 * model.r), preset, t_end, **kw)

    _fails("odes.cpr_abm_mean_field_rate", biased)


def test_abm_malformed_return():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="algorithm.*shape"):
        CT.abm_mean_field_rate(rng, True, algorithm=lambda m, p, t, **k: np.zeros((3, 4)))
    with pytest.raises(TypeError, match="algorithm"):
        CT.abm_mean_field_rate(rng, True, algorithm=lambda m, p, t, **k: "run")
    with pytest.raises(ValueError, match="not both"):
        CT.abm_mean_field_rate(rng, True, simulate=C.cpr_simulate, algorithm=C.cpr_simulate)


# ------------------------------------------------------------------------------ reasons
@pytest.mark.parametrize("name", ["odes.cpr_msy_half_capacity", "odes.cpr_open_access_dissipation",
                                  "odes.cpr_punishment_invasion",
                                  "odes.drift_gd_divergence_threshold",
                                  "odes.governance_margin_monotone", "odes.presets_reach_regimes",
                                  "odes.reciprocity_monotone"])
def test_model_properties_state_why_no_algorithm(name):
    thm = get(name)
    assert not thm.accepts_algorithm and len(thm.no_algorithm.split()) >= 5
    with pytest.raises(ValueError, match="does not take a user implementation"):
        check(name, algorithm=lambda *a: None)
