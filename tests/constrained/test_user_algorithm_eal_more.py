"""A user's equality-constrained method on the EAL descent, unit-step and local-ratio theorems
(issue 13 §2).

Protocol :data:`equilibria.solvers.constrained.theorems.EAL_HISTORY_PROTOCOL`: the user's method
returns its iterates, multipliers, directions, penalties and accuracies; the step sizes are
recovered from the iterates, the descent condition and the residuals are recomputed with the
problem's derivatives and the accuracies are capped.  The package's :func:`eal_sketch` through
the protocol reproduces the default runs; a plain exact-Newton augmented-Lagrangian method
(:func:`newton_eal`, below) passes all three, and its realistic mistakes fail:

- the multiplier of the KKT solve used as the multiplier *step* (``dlam := lam + dlam``, the
  full-multiplier form mistaken for the step form): not a descent direction of the merit,
  ``eal_descent`` fails;
- the multiplier step halved (a "damped" multiplier update): the merit rejects the unit step
  near the solution and the convergence is linear with ratio 1/2, ``eal_unit_step`` and
  ``eal_local_linear`` fail;
- an Armijo constant beta = 0.75 > 1/2: unit steps rejected, ``eal_unit_step`` fails.
"""

import numpy as np
import pytest

from equilibria.solvers.constrained._problems import random_problem
from equilibria.solvers.constrained.theorems import eal_history_solver, user_history
from equilibria.verification import check, get

NAMES = ("constrained.eal_descent", "constrained.eal_unit_step", "constrained.eal_local_linear")


def _merit(p, x, lam, e1, e2):
    c = np.atleast_1d(p.c(x))
    Lx = p.grad(x) + p.jac(x).T @ lam
    return p.f(x) + lam @ c + 0.5 * e1 * c @ c + 0.5 * e2 * Lx @ Lx


def newton_eal(p, *, tol, max_iter, seed, sketch, flaw=None, beta=1e-4):
    """Exact Newton-KKT directions on the exact augmented Lagrangian merit: eta1 raised by 4
    until the descent condition holds (eta2 = 0.1 fixed), Armijo backtracking by halves;
    ``theta_t = 0`` (exact solves).  ``flaw`` switches one mistake on."""
    n, m = p.n, p.m
    x = np.array(p.x0, dtype=float)
    lam = -np.linalg.lstsq(p.jac(x).T, p.grad(x), rcond=None)[0]
    e1, e2 = 1.0, 0.1
    out = {"X": [x.copy()], "LAM": [lam.copy()], "Z": [], "eta1": [], "eta2": [], "theta": []}
    for _ in range(max_iter):
        g, J, cv, H = p.grad(x), p.jac(x), np.atleast_1d(p.c(x)), p.hess(x, lam)
        Lx = g + J.T @ lam
        if np.sqrt(Lx @ Lx + cv @ cv) <= tol:
            break
        z = np.linalg.solve(np.block([[H, J.T], [J, np.zeros((m, m))]]),
                            -np.concatenate([Lx, cv]))
        if flaw == "full_multiplier":
            z[n:] = lam + z[n:]
        elif flaw == "half_multiplier":
            z[n:] *= 0.5

        def slope(e1):
            gx = Lx + e1 * J.T @ cv + e2 * H @ Lx
            gl = cv + e2 * J @ Lx
            return gx @ z[:n] + gl @ z[n:], -0.25 * (e2 * Lx @ Lx + e1 * cv @ cv)

        D, T = slope(e1)
        while D > T and e1 < 1e10:
            e1 *= 4.0
            D, T = slope(e1)
        m0, a = _merit(p, x, lam, e1, e2), 1.0
        for _ in range(50):
            if _merit(p, x + a * z[:n], lam + a * z[n:], e1, e2) <= m0 + beta * a * D:
                break
            a *= 0.5
        x, lam = x + a * z[:n], lam + a * z[n:]
        for k, v in (("X", x.copy()), ("LAM", lam.copy()), ("Z", z), ("eta1", e1),
                     ("eta2", e2), ("theta", 0.0)):
            out[k].append(v)
    out["Z"] = np.array(out["Z"]).reshape(-1, n + m)
    return {k: np.array(v) for k, v in out.items()}


def _flawed(flaw=None, beta=1e-4):
    def method(p, **kw):
        return newton_eal(p, flaw=flaw, beta=beta, **kw)
    return method


@pytest.mark.parametrize("name", NAMES)
def test_own_solver_through_the_protocol_is_the_default_run(name):
    assert get(name).accepts_algorithm and "eal_history_solver" in get(name).protocol
    ref = check(name, seed=1, quick=True)
    via = check(name, seed=1, quick=True, algorithm=eal_history_solver)
    assert ref.passed and via.passed
    np.testing.assert_allclose(via.measured, ref.measured, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_exact_newton_reimplementation_passes(name):
    rep = check(name, seed=0, quick=True, algorithm=newton_eal)
    assert rep.passed, rep.detail


@pytest.mark.parametrize("name, flaw, beta", [
    ("constrained.eal_descent", "full_multiplier", 1e-4),
    ("constrained.eal_unit_step", "half_multiplier", 1e-4),
    ("constrained.eal_unit_step", None, 0.75),
    ("constrained.eal_local_linear", "half_multiplier", 1e-4),
])
def test_wrong_multiplier_update_or_armijo_constant_fails(name, flaw, beta):
    rep = check(name, seed=0, quick=True, algorithm=_flawed(flaw, beta))
    assert not rep.passed and rep.error is None and "violated" in rep.detail
    assert rep.measured > 1.0


def test_step_sizes_are_recovered_and_a_direction_not_taken_is_refused():
    p = random_problem(3, 5, 2)
    out = eal_history_solver(p, tol=1e-10, max_iter=100, seed=3, sketch="kaczmarz")
    h = user_history(p, out)
    assert h.n_iter == out["Z"].shape[0] and h.residual_history[-1] < 1e-9
    assert np.all((h.step_sizes > 0) & (h.step_sizes <= 1))
    # steps now half the reported direction (alpha = 1/2, up to rounding at the last steps)
    halved = user_history(p, dict(out, Z=2.0 * out["Z"])).step_sizes
    np.testing.assert_allclose(halved, 0.5 * h.step_sizes, rtol=1e-6)
    bad = dict(out, Z=out["Z"][:, ::-1].copy())
    with pytest.raises(ValueError, match="not the one taken"):
        user_history(p, bad)
    with pytest.raises(ValueError, match=r"expected \(T \+ 1, 5\)"):
        user_history(p, dict(out, X=out["X"][:, :3]))
    with pytest.raises(ValueError, match="must return a dict"):
        user_history(p, (out["X"], out["LAM"]))
