"""Discretisation drift (issue 18 part 1): GD as a map, the IGR modified flow, the principal
flow on quadratics, simultaneous / alternating GD on games and their modified flows, and the
registered theorems (property tests on drawn instances, checks shown to fail on wrong code)."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equilibria._lib.result import ConvergenceWarning, Result, Status
from equilibria.odes import drift as D
from equilibria.odes import drift_theorems as T
from equilibria.verification import fit_loglog

from .._strategies import check_theorem


# ------------------------------------------------------------------------------ hand values
def test_gd_iterates_hand_values():
    """E = x^2 (lambda = 2), h = 0.1: x_k = 0.8^k x_0."""
    _, g, _ = D.quadratic([[2.0]])
    res = D.gd_iterates(g, [1.0], 0.1, 3)
    assert isinstance(res, Result) and res.success and res.n_iter == 3
    np.testing.assert_allclose(res.x[:, 0], [1.0, 0.8, 0.64, 0.512], rtol=1e-15)
    np.testing.assert_allclose(res.t, [0.0, 0.1, 0.2, 0.3])


def test_modified_field_hand_values():
    """E = x^2: -grad E - (h/2) H grad E = -2x - (h/2) 2 (2x) = -2.2 at x = 1, h = 0.1; the
    same through hess_vec."""
    _, g, hs = D.quadratic([[2.0]])
    f = D.modified_flow_field(g, 0.1, hess=hs)
    np.testing.assert_allclose(f(np.array([1.0])), [-2.2], rtol=1e-15)
    f2 = D.modified_flow_field(g, 0.1, hess_vec=lambda x, v: 2.0 * v)
    np.testing.assert_allclose(f2(np.array([1.0])), [-2.2], rtol=1e-15)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), h=st.floats(1e-3, 0.5))
def test_modified_field_is_minus_grad_of_the_igr_objective(seed, h):
    """Barrett & Dherin: the field is -grad(E + (h/4)||grad E||^2), checked by central
    differences of that objective on Rosenbrock (a factor h/2 or a + sign fails)."""
    rng = np.random.default_rng(seed)
    E, g, hs = D.rosenbrock()
    x = np.array([rng.uniform(-1.5, 1.5), rng.uniform(-0.5, 2.0)])

    def Et(z):
        return E(z) + 0.25 * h * float(np.sum(g(z) ** 2))

    eps = 1e-6
    num = np.array([(Et(x + eps * e) - Et(x - eps * e)) / (2 * eps) for e in np.eye(2)])
    got = D.modified_flow_field(g, h, hess=hs)(x)
    np.testing.assert_allclose(got, -num, rtol=1e-6, atol=1e-6 * (1 + np.abs(num).max()))


def test_rosenbrock_derivatives_against_differences():
    E, g, hs = D.rosenbrock()
    x = np.array([-0.7, 1.3])
    eps = 1e-6
    ng = np.array([(E(x + eps * e) - E(x - eps * e)) / (2 * eps) for e in np.eye(2)])
    nh = np.array([(g(x + eps * e) - g(x - eps * e)) / (2 * eps) for e in np.eye(2)]).T
    np.testing.assert_allclose(g(x), ng, rtol=1e-7)
    np.testing.assert_allclose(hs(x), nh, rtol=1e-6)
    np.testing.assert_allclose(g(np.array([1.0, 1.0])), [0.0, 0.0])


def test_dirac_gan_field_and_jacobian():
    """At (theta, psi) = (1, 0): phi'(0) = 1/2, so f = -0.5 * 0 = 0 and g = 0.5 * 1; the
    Jacobian agrees with central differences at a generic point."""
    G = D.dirac_gan()
    np.testing.assert_allclose(G.field(np.array([1.0, 0.0])), [0.0, 0.5], atol=1e-15)
    z = np.array([0.7, -1.2])
    eps = 1e-6
    num = np.array([(G.field(z + eps * e) - G.field(z - eps * e)) / (2 * eps)
                    for e in np.eye(2)]).T
    np.testing.assert_allclose(G.jacobian(z), num, rtol=1e-7, atol=1e-9)


def test_game_modified_fields_hand_values_on_xy():
    """Bilinear xy at h = 0.2 (f = -y, g = x): simultaneous x' = -y + 0.1 x, y' = x + 0.1 y;
    alternating x' = -y + 0.1 x, y' = x - 0.1 y (the sign flip of the interaction term)."""
    G = D.bilinear_game()
    sim = D.game_modified_field(G, 0.2, scheme="simultaneous")
    alt = D.game_modified_field(G, 0.2, scheme="alternating")
    np.testing.assert_allclose(sim(np.array([1.0, 0.0])), [0.1, 1.0], rtol=1e-15)
    np.testing.assert_allclose(sim(np.array([0.0, 1.0])), [-1.0, 0.1], rtol=1e-15)
    np.testing.assert_allclose(alt(np.array([1.0, 0.0])), [0.1, 1.0], rtol=1e-15)
    np.testing.assert_allclose(alt(np.array([0.0, 1.0])), [-1.0, -0.1], rtol=1e-15)


def test_game_iterates_hand_values_on_xy():
    """h = 0.5 from (1, 1): simultaneous (1 - 0.5, 1 + 0.5) = (0.5, 1.5); alternating
    x = 0.5, then y = 1 + 0.5 * 0.5 = 1.25."""
    G = D.bilinear_game()
    s = D.game_iterates(G, [1.0, 1.0], 0.5, 1, scheme="simultaneous")
    a = D.game_iterates(G, [1.0, 1.0], 0.5, 1, scheme="alternating")
    np.testing.assert_allclose(s.x[1], [0.5, 1.5])
    np.testing.assert_allclose(a.x[1], [0.5, 1.25])
    np.testing.assert_allclose(D.bilinear_invariant(a.x, 0.5), [1.5, 1.5], rtol=1e-15)


def test_principal_rates_hand_values():
    """log(1 - h lambda)/(h lambda): -2 log 2 at h lambda = 1/2, (log(1/2) + i pi)/1.5 at 1.5,
    -1 at lambda = 0, -inf at h lambda = 1; ~ -1 - u/2 for small u (the IGR flow)."""
    r = D.principal_rates([1.0, 3.0, 0.0, 2.0, 1e-3], 0.5)
    np.testing.assert_allclose(r[0], -2 * np.log(2.0), rtol=1e-15)
    np.testing.assert_allclose(r[1], (np.log(0.5) + 1j * np.pi) / 1.5, rtol=1e-15)
    assert r[2] == -1.0 and r[3] == -np.inf
    np.testing.assert_allclose(r[4].real, -1 - 0.5e-3 / 2, rtol=1e-6)


# ------------------------------------------------------------------------------ principal flow
def test_principal_flow_regimes_and_oscillation_status():
    H = np.diag([0.5, 1.5])
    x0 = np.array([1.0, 1.0])
    _, g, _ = D.quadratic(H)
    real = D.principal_flow(H, x0, 0.5, 0.5 * np.arange(6))
    assert real.regime == "real" and not real.oscillating.any() and not np.iscomplexobj(real.x)
    osc = D.principal_flow(H, x0, 1.0, np.arange(8.0))  # h lambda = 0.5, 1.5
    assert osc.regime == "oscillating" and osc.oscillating.tolist() == [False, True]
    assert "oscillating" in osc.message and not osc.diverging
    it = D.gd_iterates(g, x0, 1.0, 7)
    np.testing.assert_allclose(osc.x.real, it.x, atol=1e-14)
    np.testing.assert_allclose(osc.x.imag, 0.0, atol=1e-14)
    half = D.principal_flow(H, x0, 1.0, [0.5])  # off the grid: complex, modulus 0.5^0.5
    assert abs(half.x[0, 1].imag) > 0.1
    np.testing.assert_allclose(abs(half.x[0, 1]), np.sqrt(0.5), rtol=1e-14)
    sing = D.principal_flow(H, x0, 2.0, [0.0, 2.0, 4.0])  # h lambda = 1, 3
    assert sing.regime == "singular" and sing.diverging
    np.testing.assert_allclose(sing.x[1:, 0].real, 0.0)
    np.testing.assert_allclose(sing.x[1:, 1].real, [-2.0, 4.0])


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 5), u=st.floats(0.05, 1.9))
def test_principal_flow_meets_gd_at_integer_steps_for_any_h(seed, n, u):
    """For every h lambda_max in (0, 2) (real or oscillating) the flow at t = k h is GD."""
    q = T.sample_quadratic(np.random.default_rng(seed), n)
    lmax = np.linalg.eigvalsh(q["H"])[-1]
    h = u / lmax
    pf = D.principal_flow(q["H"], q["x0"], h, h * np.arange(30), x_star=q["x_star"])
    _, g, _ = D.quadratic(q["H"], q["x_star"])
    it = D.gd_iterates(g, q["x0"], h, 29)
    scale = np.linalg.norm(q["x0"] - q["x_star"])
    assert np.max(np.abs(pf.x - it.x)) <= 1e-9 * scale
    assert pf.regime == ("oscillating" if u > 1 else "real")


# ------------------------------------------------------------------------------ divergence, drift
def test_gd_divergence_is_a_status_with_a_warning():
    _, g, _ = D.quadratic(np.diag([1.0, 3.0]))
    with pytest.warns(ConvergenceWarning, match="lower `h`"):
        res = D.gd_iterates(g, [1.0, 1.0], 1.0, 10_000)  # |1 - 3| = 2 per step
    assert not res.success and res.status == Status.DIVERGED and res.diverged
    assert res.n_iter < 400 and np.all(np.isfinite(res.x))


def test_drift_error_single_objective_modified_flow_tracks_gd():
    """Over 30 steps on Rosenbrock the modified flow stays far closer to GD than the gradient
    flow does (their ratio is O(h) small)."""
    _, g, hs = D.rosenbrock()
    res = D.drift_error(g, [-0.5, 0.5], 2e-4, 30, hess=hs)  # h L ~ 0.05
    assert res.success and res.scheme == "gd"
    assert res.error_flow[0] == 0.0 and res.error_modified[0] == 0.0
    assert res.error_modified[-1] < 0.1 * res.error_flow[-1]
    assert np.all(res.ratio[1:] < 0.1)


def test_drift_error_on_games_and_the_spiral():
    """Simultaneous GD on xy leaves the game flow's circle; the modified flow follows it."""
    G = D.bilinear_game()
    res = D.drift_error(G, [1.0, 0.0], 0.1, 30, scheme="simultaneous")
    assert res.success
    n2 = np.sum(res.iterates ** 2, axis=1)
    np.testing.assert_allclose(n2, 1.01 ** np.arange(31), rtol=1e-12)
    assert res.error_modified[-1] < 0.1 * res.error_flow[-1]  # O(h) ratio
    alt = D.game_drift(G, [1.0, 0.0], 0.1, 30, scheme="alternating")
    assert alt.scheme == "alternating" and alt.success
    # alternating GD stays near the circle (a phase error only); what its modified flow adds
    # is GD's invariant Q_h, which the game flow does not keep
    q_gd = D.bilinear_invariant(alt.iterates, 0.1)
    assert np.max(np.abs(D.bilinear_invariant(alt.modified, 0.1) - q_gd)) < 1e-9
    assert np.max(np.abs(D.bilinear_invariant(alt.flow, 0.1) - q_gd)) > 1e-2


# ------------------------------------------------------------------------------ validation
@pytest.mark.parametrize("call, exc, pat", [
    (lambda: D.gd_iterates(lambda x: x, [1.0], 0.0, 3), ValueError, "`h`"),
    (lambda: D.gd_iterates(lambda x: x, [1.0], 0.1, -1), ValueError, "`steps`"),
    (lambda: D.gd_iterates(3, [1.0], 0.1, 1), TypeError, "`grad`"),
    (lambda: D.gd_iterates(lambda x: np.ones(2), [1.0], 0.1, 1), ValueError, "`grad`"),
    (lambda: D.principal_flow([[1.0, 2.0], [0.0, 1.0]], [1, 1], 0.1, 1), ValueError, "symmetric"),
    (lambda: D.principal_flow(np.eye(2), [1, 1], 0.1, [1.0, 0.5]), ValueError, "`t`"),
    (lambda: D.principal_flow(np.eye(2), [1, 1, 1], 0.1, 1), ValueError, "`x0`"),
    (lambda: D.modified_flow_field(lambda x: x, 0.1), TypeError, "exactly one"),
    (lambda: D.game_iterates(D.bilinear_game(), [1, 0], 0.1, 1, scheme="leapfrog"),
     ValueError, "scheme"),
    (lambda: D.game_iterates(D.bilinear_game(), [1, 0], 0.1, 1, lr=(1.0, -1.0)), ValueError,
     r"lr\[1\]"),
    (lambda: D.game_iterates("xy", [1, 0], 0.1, 1), TypeError, "`game`"),
    (lambda: D.drift_error(3.0, [1.0], 0.1, 1), TypeError, "`problem`"),
    (lambda: D.random_spd(np.random.default_rng(0), 3, 0.5), ValueError, "`cond`"),
    (lambda: T.evaluate_principal({**T.sample_principal(np.random.default_rng(0)), "h": 50.0}),
     ValueError, "outside the theorem"),
])
def test_validation_names_argument_and_value(call, exc, pat):
    with pytest.raises(exc, match=pat):
        call()


# ------------------------------------------------------------------------------ theorems
@pytest.mark.parametrize("thm", [T.PRINCIPAL, T.DIVERGENCE, T.BILINEAR], ids=lambda t: t.name)
def test_theorem_holds_on_drawn_instances(thm):
    """Hypothesis property test (the active profile: derandomized under HYPOTHESIS_PROFILE=ci)
    of each per-instance drift theorem."""
    check_theorem(thm)


def _slope(data):
    return fit_loglog(data.sizes, data.values, kind=data.kind)


def test_rate_theorems_fit_slopes_two_and_three():
    rng = np.random.default_rng(5)
    f = _slope(T.gd_local_error_flow(rng, True))
    m = _slope(T.gd_local_error_modified(rng, True))
    gm = _slope(T.game_local_error_modified(rng, True))
    assert 1.9 < f.slope < 2.1 and 2.9 < m.slope < 3.1 and 2.9 < gm.slope < 3.1


def _igr_factor(c, sign=1.0):
    """A modified field with the wrong factor c (instead of 1/2) or sign."""
    def make(grad, h, *, hess):
        return lambda x: -grad(x) - sign * c * h * hess(x) @ grad(x)
    return make


@pytest.mark.parametrize("c, sign", [(0.25, 1.0), (0.5, -1.0), (1.0, 1.0)])
def test_slope_theorem_fails_with_a_wrong_factor_or_sign(c, sign):
    """The IGR factor h/4 (field -(h/2) H grad E) is what gives slope 3: the factor h/8, the
    wrong sign or h/2 leave an O(h^2) error, so the slope CI leaves the band [2.75, 3.25]."""
    data = T.gd_local_error_modified(np.random.default_rng(1), True, field=_igr_factor(c, sign))
    fit = _slope(data)
    lo, hi = T.GD_MODIFIED_RATE.band
    assert fit.ci[1] < lo, (c, sign, fit.slope)


def test_game_slope_theorem_fails_without_the_alternating_sign_flip():
    """Using the simultaneous drift for alternating updates (no sign flip of g_x f) leaves an
    O(h^2) error on the alternating replicates: the fitted slope drops out of the band."""
    def wrong(game, h, *, scheme, lr):
        return D.game_modified_field(game, h, scheme="simultaneous", lr=lr)

    fit = _slope(T.game_local_error_modified(np.random.default_rng(2), True, field=wrong))
    assert fit.ci[0] < T.GAME_MODIFIED_RATE.band[0], fit.slope


def _paper_form(game, h, *, scheme, lr):
    """Rosca et al.'s flows with per-player factors alpha h / 2, lambda h / 2 (and the
    alternating coefficient 1 - 2 alpha / lambda), put on one time axis at speeds alpha, lambda."""
    a, lam = lr
    nx = game.nx

    def field(z):
        F, J = game.field(z), game.jacobian(z)
        f, g = F[:nx], F[nx:]
        fx, fy, gx, gy = J[:nx, :nx], J[:nx, nx:], J[nx:, :nx], J[nx:, nx:]
        dx = f - 0.5 * a * h * (fx @ f + fy @ g)
        if scheme == "simultaneous":
            dy = g - 0.5 * lam * h * (gx @ f + gy @ g)
        else:
            dy = g - 0.5 * lam * h * (gy @ g + (1 - 2 * a / lam) * gx @ f)
        return np.r_[a * dx, lam * dy]

    return field


@pytest.mark.parametrize("scheme", ["simultaneous", "alternating"])
def test_paper_form_with_unequal_rates_is_first_order_on_one_axis(scheme):
    """At alpha = lambda the paper's form is this module's (slope 3); at alpha != lambda, read
    on one time axis, it leaves an O(h^2) error (slope 2) while this module's form keeps 3."""
    G, z0 = D.dirac_gan(), np.array([1.0, 0.5])
    hs = np.geomspace(2e-3, 4e-2, 5)
    for lr, want in (((1.0, 1.0), 3.0), ((0.5, 2.0), 2.0)):
        _, em = D.game_local_errors(G, z0, hs, scheme=scheme, lr=lr, modified=_paper_form)
        assert abs(np.polyfit(np.log(hs), np.log(em), 1)[0] - want) < 0.1, (lr, want)
    _, em = D.game_local_errors(G, z0, hs, scheme=scheme, lr=(0.5, 2.0))
    assert abs(np.polyfit(np.log(hs), np.log(em), 1)[0] - 3.0) < 0.1


def test_principal_check_fails_with_the_gradient_flow_rate():
    """Replacing the principal rates by the gradient flow's (-1: x(t) = x* + e^{-H t}(x0 - x*))
    breaks the exact agreement by far more than the 1e-10 bound."""
    def gradient_flow_closed_form(H, x0, h, t, x_star):
        lam, U = np.linalg.eigh(H)
        c = U.T @ (x0 - x_star)
        return D.FlowResult(success=True, status=0, message="", n_iter=0, t=t,
                            x=x_star + (np.exp(-np.outer(t, lam)) * c) @ U.T, kind="gradient",
                            nfev=0)

    inst = T.sample_principal(np.random.default_rng(3))
    good, bound = T.evaluate_principal(inst)
    bad, _ = T.evaluate_principal(inst, flow=gradient_flow_closed_form)
    assert good <= bound and bad > 1e3 * bound


def test_divergence_check_fails_with_a_wrong_threshold():
    """At h lambda_max = 1.5 GD converges (oscillating): threshold 2 agrees, threshold 1 (the
    oscillation onset mistaken for divergence) is a disagreement; at 2.1 GD diverges."""
    rng = np.random.default_rng(4)
    q = T.sample_quadratic(rng, 3)
    lmax = np.linalg.eigvalsh(q["H"])[-1]
    at15 = {**q, "h": 1.5 / lmax}
    assert T.evaluate_divergence(at15) == (0.0, 0.0)
    assert T.evaluate_divergence(at15, threshold=1.0) == (1.0, 0.0)
    assert T.evaluate_divergence({**q, "h": 2.1 / lmax}) == (0.0, 0.0)
    assert T.evaluate_divergence({**q, "h": 2.1 / lmax}, threshold=2.5) == (1.0, 0.0)


def test_bilinear_check_fails_with_wrong_modified_flows():
    """Swapping the schemes' modified flows (or dropping the drift) breaks the identities."""
    inst = {"h": 0.4, "z0": np.array([1.0, -0.3]), "steps": 50}
    good, bound = T.evaluate_bilinear(inst)
    assert good <= bound

    def swapped(game, h, *, scheme, lr):
        other = "alternating" if scheme == "simultaneous" else "simultaneous"
        return D.game_modified_field(game, h, scheme=other, lr=lr)

    def plain(game, h, *, scheme, lr):
        return D.game_field(game, lr=lr)

    for wrong in (swapped, plain):
        bad, _ = T.evaluate_bilinear(inst, field=wrong)
        assert bad > 1e3 * bound, wrong.__name__


def test_bilinear_hand_growth_and_boundedness():
    """(1 + h^2)^k growth of simultaneous GD and bounded alternating GD over 2000 steps."""
    G = D.bilinear_game()
    h = 0.3
    s = D.game_iterates(G, [1.0, 0.0], h, 200, scheme="simultaneous")
    np.testing.assert_allclose(np.sum(s.x ** 2, axis=1), (1 + h * h) ** np.arange(201),
                               rtol=1e-12)
    a = D.game_iterates(G, [1.0, 0.0], h, 2000, scheme="alternating")
    r2 = np.sum(a.x ** 2, axis=1)
    assert r2.max() <= 1.0 / (1 - h / 2) + 1e-12  # Q_h >= (1 - h/2)||z||^2, Q_h(z0) = 1


def test_registered_theorems_run_quick():
    from equilibria.verification import check

    for thm in (T.PRINCIPAL, T.DIVERGENCE, T.GD_MODIFIED_RATE):
        out = check(thm.name, quick=True)
        assert out.passed, out.summary()


# ------------------------------------------------------------------------------ figure
def test_drift_figure(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        fig = D.drift_figure(steps=20, hs=np.geomspace(1e-3, 1e-1, 4))
    assert len(fig.axes) == 3
    fig.savefig(tmp_path / "drift.png", dpi=60)
    assert (tmp_path / "drift.png").stat().st_size > 10_000
