"""Fuzz baselines of the discretisation-drift module (:mod:`equilibria.odes.drift`) and its
theorems (:mod:`equilibria.odes.drift_theorems`); merged into the odes room's cases.

Invariants are closed forms on a diagonal quadratic ``E = (1/2) x^T diag(1, 2) x`` and the
bilinear game ``x y``: GD iterates satisfy their recursion, the gradient / modified flows are
``exp(-lambda t)`` / ``exp(-(lambda + h lambda^2/2) t)``, the principal flow meets the
eigen-decomposed closed form, the game flow is a rotation, the simultaneous modified flow grows
as ``exp(h t / 2)``, one-step errors equal their closed forms and the samplers return valid
instances (SPD matrices, steps in the theorem's range); theorem evaluations stay within bound.
"""

import math

import numpy as np

from equilibria import odes as O
from equilibria.odes import drift as D
from equilibria.odes import drift_theorems as DT
from tests.fuzz.harness import Case

P = "equilibria.odes."
LAM = np.array([1.0, 2.0])


def _grad(x):
    return LAM * np.asarray(x, dtype=float)


def _hess(x):
    return np.diag(LAM)


def _f(x):
    return np.asarray(x, dtype=float)


def _times_of(t):
    return np.atleast_1d(_f(t))


def _tol(kw):
    """Check tolerance of an integrated flow: tight, loosened by the requested tolerances."""
    return 1e-8 + 100.0 * max(float(kw.get("rtol", 1e-12)), float(kw.get("atol", 1e-14)))


# --------------------------------------------------------------------------- invariants
def _gd_ok(res, kw):
    if not res.success:
        return
    X, h = res.x, float(kw["h"])
    assert X.shape[0] == res.n_iter + 1 and res.n_iter == int(kw["steps"])
    np.testing.assert_allclose(X[0], _f(kw["x0"]), rtol=0, atol=0)
    np.testing.assert_allclose(X[1:], X[:-1] - h * LAM * X[:-1], rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(res.t, h * np.arange(X.shape[0]), rtol=1e-15)


def _flow_ok(rate):
    def check(res, kw):
        if not res.success:
            return
        t = _times_of(kw["t"])
        x0 = _f(kw["x0"])
        want = x0 * np.exp(-np.outer(t, rate(kw)))
        tol = _tol(kw)
        np.testing.assert_allclose(res.x, want, rtol=tol, atol=tol * max(1, abs(x0).max()))
    return check


def _modified_field_ok(res, kw):
    x = np.array([0.3, -0.7])
    h = float(kw["h"])
    g = LAM * x
    np.testing.assert_allclose(res(x), -g - 0.5 * h * LAM * g, rtol=1e-14)


def _principal_ok(res, kw):
    H = _f(kw["H"])
    lam, U = np.linalg.eigh(0.5 * (H + H.T))
    h = float(kw["h"])
    t = _times_of(kw["t"])
    x0 = _f(kw["x0"])
    xs = np.zeros(x0.size) if kw.get("x_star") is None else _f(kw["x_star"])
    np.testing.assert_allclose(res.eigenvalues, lam, rtol=1e-12, atol=1e-12 * abs(lam).max())
    mult = 1.0 - h * lam
    assert np.array_equal(res.oscillating, mult < 0)
    if res.regime != "real":
        return
    want = xs + (mult ** (t[:, None] / h)) * (U.T @ (x0 - xs)) @ U.T
    scale = max(1.0, float(np.abs(want).max()))
    np.testing.assert_allclose(res.x, want, rtol=1e-8, atol=1e-10 * scale)
    k = t / h
    if np.all(k == np.round(k)) and t.size and k[-1] < 50:
        X = np.array([xs + np.linalg.matrix_power(np.eye(lam.size) - h * H, int(j)) @ (x0 - xs)
                      for j in k])
        np.testing.assert_allclose(res.x, X, rtol=1e-8, atol=1e-10 * scale)


def _rates_ok(res, kw):
    u = float(kw["h"]) * np.atleast_1d(_f(kw["eigenvalues"]))
    assert res.shape == u.shape
    for r, ui in zip(res, u):
        if abs(ui) < 1e-8:
            assert abs(r + 1.0) < 1e-7, f"rate {r} at u = {ui} is not -1"
        elif ui != 1.0 and abs(ui) < 1e6:
            assert abs(np.exp(r * ui) - (1.0 - ui)) <= 1e-9 * max(1.0, abs(1.0 - ui)), \
                f"exp(rate u) = {np.exp(r * ui)} != 1 - u = {1 - ui}"


def _quadratic_ok(res, kw):
    E, g, hs = res
    H = 0.5 * (_f(kw["H"]) + _f(kw["H"]).T)
    xs = np.zeros(H.shape[0]) if kw.get("x_star") is None else _f(kw["x_star"])
    assert E(xs) == 0.0 and np.all(g(xs) == 0.0)
    x = xs + 1.0
    np.testing.assert_allclose(g(x), H @ (x - xs), rtol=1e-12)
    np.testing.assert_allclose(hs(x), H, rtol=0)
    assert math.isclose(E(x), 0.5 * (x - xs) @ H @ (x - xs), rel_tol=1e-12)


def _rosenbrock_ok(res, kw):
    E, g, hs = res
    a, b = float(kw["a"]), float(kw["b"])
    if not math.isfinite(a * a * b):
        return
    z = np.array([a, a * a])
    assert E(z) == 0.0 and np.all(g(z) == 0.0), "Rosenbrock minimum is not at (a, a^2)"
    z = np.array([0.3, -0.2])
    eps = 1e-6
    num = np.array([(E(z + eps * e) - E(z - eps * e)) / (2 * eps) for e in np.eye(2)])
    np.testing.assert_allclose(g(z), num, rtol=1e-5, atol=1e-6 * max(1.0, b))
    np.testing.assert_allclose(hs(z), hs(z).T)


def _spd_ok(res, kw):
    n, cond = int(kw["n"]), float(kw["cond"])
    assert res.shape == (n, n) and np.array_equal(res, res.T)
    lam = np.linalg.eigvalsh(res)
    want = np.geomspace(1.0 / cond, 1.0, n) if n > 1 else np.ones(1)
    np.testing.assert_allclose(lam, want, rtol=1e-8, atol=1e-12)


def _bilinear_ok(res, kw):
    A = np.ones((1, 1)) if kw.get("A") is None else _f(kw["A"])
    nx, ny = A.shape
    assert (res.nx, res.n) == (nx, nx + ny)
    z = np.arange(1.0, nx + ny + 1.0)
    np.testing.assert_allclose(res.field(z), np.r_[-A @ z[nx:], A.T @ z[:nx]], rtol=1e-14)


def _dirac_ok(res, kw):
    assert (res.nx, res.n) == (1, 2)
    np.testing.assert_array_equal(res.field(np.zeros(2)), np.zeros(2))
    z, eps = np.array([0.4, -0.3]), 1e-6
    num = np.stack([(res.field(z + eps * e) - res.field(z - eps * e)) / (2 * eps)
                    for e in np.eye(2)], axis=1)
    np.testing.assert_allclose(res.jacobian(z), num, rtol=1e-6, atol=1e-9)


def _lr(kw):
    lr = kw.get("lr", (1.0, 1.0))
    return float(lr[0]), float(lr[1])


def _game_iter_ok(res, kw):
    if not res.success:
        return
    a, lam = _lr(kw)
    h = float(kw["h"])
    Z = res.x
    assert Z.shape == (int(kw["steps"]) + 1, 2)
    x, y = Z[:-1, 0], Z[:-1, 1]
    xn = x - a * h * y  # f = -y
    yn = y + lam * h * (xn if kw.get("scheme", "simultaneous") == "alternating" else x)
    np.testing.assert_allclose(Z[1:], np.c_[xn, yn], rtol=1e-12, atol=1e-300)


def _game_field_ok(res, kw):
    a, lam = _lr(kw)
    z = np.array([0.5, -1.5])
    np.testing.assert_allclose(res(z), [a * 1.5, lam * 0.5], rtol=1e-14)


def _game_mod_ok(res, kw):
    a, lam = _lr(kw)
    h = float(kw["h"])
    x, y = 0.5, -1.5
    # f = -y, g = x: f_y = -1, g_x = 1, f_x = g_y = 0
    dx = -a * y - 0.5 * a * h * (lam * -1.0 * x)
    if kw.get("scheme", "simultaneous") == "simultaneous":
        dy = lam * x - 0.5 * lam * h * (a * 1.0 * -y)
    else:
        dy = lam * x - 0.5 * lam * h * (-a * 1.0 * -y)
    np.testing.assert_allclose(res(np.array([x, y])), [dx, dy], rtol=1e-13, atol=1e-300)


def _rotation_ok(res, kw):
    if not res.success:
        return
    t = _times_of(kw["t"])
    x0, y0 = _f(kw["z0"])
    want = np.c_[x0 * np.cos(t) - y0 * np.sin(t), x0 * np.sin(t) + y0 * np.cos(t)]
    tol = _tol(kw)
    np.testing.assert_allclose(res.x, want, rtol=tol, atol=tol * max(1.0, abs(x0), abs(y0)))


def _growth_ok(res, kw):
    if not res.success:
        return
    if kw.get("h") is None:
        return _rotation_ok(res, kw)
    t, h = _times_of(kw["t"]), float(kw["h"])
    r = np.linalg.norm(res.x, axis=1)
    r0 = np.linalg.norm(_f(kw["z0"]))
    np.testing.assert_allclose(r, r0 * np.exp(0.5 * h * t), rtol=_tol(kw), atol=1e-300)


def _drift_ok(res, kw):
    if not res.success:
        return
    h = float(kw["h"])
    X = res.iterates
    np.testing.assert_allclose(X[1:], X[:-1] - h * LAM * X[:-1], rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(res.error_flow, np.linalg.norm(X - res.flow, axis=1),
                               rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(res.error_modified, np.linalg.norm(X - res.modified, axis=1),
                               rtol=1e-12, atol=1e-300)
    assert res.error_flow[0] == 0.0 and res.error_modified[0] == 0.0
    t = res.t
    np.testing.assert_allclose(res.flow, _f(kw["x0"]) * np.exp(-np.outer(t, LAM)),
                               rtol=_tol(kw), atol=_tol(kw) * max(1, abs(_f(kw["x0"])).max()))


def _game_drift_ok(res, kw):
    if not res.success:
        return
    t = res.t
    x0, y0 = _f(kw["z0"])
    rot = np.c_[x0 * np.cos(t) - y0 * np.sin(t), x0 * np.sin(t) + y0 * np.cos(t)]
    tol = _tol(kw) * max(1.0, abs(x0), abs(y0))
    np.testing.assert_allclose(res.flow, rot, rtol=tol, atol=tol)
    np.testing.assert_allclose(res.error_flow, np.linalg.norm(res.iterates - rot, axis=1),
                               rtol=tol, atol=tol)
    if float(kw["h"]) < 0.2 and tol < 1e-6 and res.error_flow[-1] > 1e-6:
        assert res.error_modified[-1] < res.error_flow[-1], "modified flow no closer than flow"


def _local_ok(res, kw):
    ef, em = res
    hs = np.atleast_1d(_f(kw["hs"]))
    x0 = _f(kw["x0"])
    assert ef.shape == em.shape == hs.shape
    u = np.outer(hs, LAM)
    want_f = np.linalg.norm((1 - u - np.exp(-u)) * x0, axis=1)
    want_m = np.linalg.norm((1 - u - np.exp(-u - 0.5 * u * u)) * x0, axis=1)
    tol = 1e-4 + _tol(kw) * 1e4
    np.testing.assert_allclose(ef, want_f, rtol=tol, atol=1e-11 * max(1, abs(x0).max()))
    np.testing.assert_allclose(em, want_m, rtol=tol, atol=1e-11 * max(1, abs(x0).max()))


def _game_local_ok(res, kw):
    ef, em = res
    hs = np.atleast_1d(_f(kw["hs"]))
    z0 = _f(kw["z0"])
    assert ef.shape == em.shape == hs.shape
    J = np.array([[0.0, -1.0], [1.0, 0.0]])
    for h, e in zip(hs, ef):
        if h > 10:
            continue
        z1 = (np.eye(2) + h * J) @ z0
        R = np.array([[math.cos(h), -math.sin(h)], [math.sin(h), math.cos(h)]])
        assert math.isclose(e, np.linalg.norm(z1 - R @ z0), rel_tol=1e-6, abs_tol=1e-12), \
            f"one-step error {e} at h = {h}"
    small = hs < 0.1
    assert np.all(em[small] <= ef[small]), "modified flow no closer than the game flow"


def _invariant_ok(res, kw):
    z, h = _f(kw["z"]), float(kw["h"])
    np.testing.assert_allclose(res, z[..., 0] ** 2 + z[..., 1] ** 2 - h * z[..., 0] * z[..., 1],
                               rtol=1e-14)


def _sample_q_ok(res, kw):
    H = res["H"]
    n = H.shape[0]
    assert np.allclose(H, H.T) and np.linalg.eigvalsh(H)[0] > 0, "H is not SPD"
    assert res["x_star"].shape == (n,) and res["x0"].shape == (n,)
    if kw.get("n") is not None:
        assert n == int(kw["n"])


def _sample_principal_ok(res, kw):
    _sample_q_ok(res, kw)
    u = res["h"] * np.linalg.eigvalsh(res["H"])[-1]
    assert 0.02 <= u <= 0.98 + 1e-12 and 5 <= res["steps"] <= 60


def _sample_div_ok(res, kw):
    _sample_q_ok(res, kw)
    u = res["h"] * np.linalg.eigvalsh(res["H"])[-1]
    assert 0.1 <= u <= 1.95 + 1e-9 or 2.05 - 1e-9 <= u <= 4.0


def _sample_bil_ok(res, kw):
    assert 0.01 <= res["h"] <= 1.9 and res["z0"].shape == (2,)
    assert 10 <= res["steps"] <= 100 or res["steps"] * res["h"] ** 2 <= 40 + 1e-9


def _bound_ok(out, kw):
    value, bound = out
    assert isinstance(value, float) and isinstance(bound, float)
    assert value >= 0 and bound >= 0


def _within(out, kw):
    _bound_ok(out, kw)


def _rate_ok(lo, hi):
    def check(res, kw):
        x, y = np.log(res.sizes), np.log(np.asarray(res.values, dtype=float))
        y = y.reshape(-1, x.size) if y.ndim > 1 or y.size != x.size else y[None]
        for row in y:
            slope = np.polyfit(x, row, 1)[0]
            assert lo <= slope <= hi, f"fitted slope {slope} outside [{lo}, {hi}]"
    return check


def _inst_case(name, fn, sample, check, fuzz=None, **kw):
    return Case(name, lambda **k: fn(k), sample, check=check, fuzz=fuzz, **kw)


CASES = [
    Case(P + "gd_iterates", O.gd_iterates,
         lambda: {"grad": _grad, "x0": np.array([1.0, -0.5]), "h": 0.1, "steps": 6,
                  "max_norm": 1e6}, check=_gd_ok),
    Case(P + "gradient_flow", O.gradient_flow,
         lambda: {"grad": _grad, "x0": np.array([1.0, -0.5]), "t": np.array([0.0, 0.3, 0.9]),
                  "rtol": 1e-10, "atol": 1e-12},
         check=_flow_ok(lambda kw: LAM)),
    Case(P + "modified_flow", lambda **kw: O.modified_flow(_grad, hess=_hess, **kw),
         lambda: {"x0": np.array([1.0, -0.5]), "h": 0.1, "t": np.array([0.0, 0.3, 0.9]),
                  "rtol": 1e-10, "atol": 1e-12},
         check=_flow_ok(lambda kw: LAM + 0.5 * float(kw["h"]) * LAM ** 2)),
    Case(P + "modified_flow", lambda **kw: O.modified_flow(
        _grad, hess_vec=lambda x, v: LAM * v, **kw),
        lambda: {"x0": np.array([1.0, -0.5]), "h": 0.1, "t": 0.5},
        check=_flow_ok(lambda kw: LAM + 0.5 * float(kw["h"]) * LAM ** 2)),
    Case(P + "modified_flow_field", lambda **kw: O.modified_flow_field(_grad, hess=_hess, **kw),
         lambda: {"h": 0.1}, check=_modified_field_ok),
    Case(P + "principal_flow", O.principal_flow,
         lambda: {"H": np.diag([1.0, 3.0]), "x0": np.array([1.0, -0.5]), "h": 0.2,
                  "t": 0.2 * np.arange(5.0)}, check=_principal_ok),
    Case(P + "principal_flow", O.principal_flow,  # an oscillating direction: complex flow
         lambda: {"H": np.array([[2.0, 0.5], [0.5, 6.0]]), "x0": np.array([1.0, 1.0]),
                  "h": 0.25, "t": 0.25 * np.arange(4.0), "x_star": np.array([0.1, 0.2])},
         check=_principal_ok),
    Case(P + "drift.principal_rates", D.principal_rates,
         lambda: {"eigenvalues": np.array([0.0, 0.5, 2.0, 8.0]), "h": 0.25}, check=_rates_ok),
    Case(P + "drift.quadratic", D.quadratic,
         lambda: {"H": np.array([[2.0, 0.5], [0.5, 1.0]]), "x_star": np.array([0.3, -0.1])},
         check=_quadratic_ok),
    Case(P + "drift.rosenbrock", D.rosenbrock, lambda: {"a": 1.0, "b": 100.0},
         check=_rosenbrock_ok),
    Case(P + "drift.random_spd", D.random_spd,
         lambda: {"rng": np.random.default_rng(0), "n": 3, "cond": 10.0}, check=_spd_ok),
    Case(P + "bilinear_game", O.bilinear_game,
         lambda: {"A": np.array([[1.0, 2.0], [0.5, -1.0]])}, check=_bilinear_ok),
    Case(P + "dirac_gan", O.dirac_gan, lambda: {}, check=_dirac_ok),
    Case(P + "Game", O.Game,
         lambda: {"field": lambda z: np.zeros(3), "jacobian": lambda z: np.zeros((3, 3)),
                  "nx": 1, "n": 3, "name": "g"},
         check=lambda res, kw: None if (res.nx, res.n) == (int(kw["nx"]), int(kw["n"]))
         else (_ for _ in ()).throw(AssertionError("dimensions changed")),
         allow={"name": {"unknown_option"}}),
    Case(P + "game_iterates", lambda **kw: O.game_iterates(O.bilinear_game(), **kw),
         lambda: {"z0": np.array([1.0, 0.5]), "h": 0.1, "steps": 5, "scheme": "alternating",
                  "lr": np.array([1.0, 0.5]), "max_norm": 1e6}, check=_game_iter_ok),
    Case(P + "game_iterates", lambda **kw: O.game_iterates(O.bilinear_game(), **kw),
         lambda: {"z0": np.array([1.0, 0.5]), "h": 0.3, "steps": 5}, check=_game_iter_ok),
    Case(P + "drift.game_field", lambda **kw: D.game_field(O.bilinear_game(), **kw),
         lambda: {"lr": np.array([1.0, 0.5])}, check=_game_field_ok),
    Case(P + "game_modified_field",
         lambda **kw: O.game_modified_field(O.bilinear_game(), **kw),
         lambda: {"h": 0.1, "scheme": "alternating", "lr": np.array([1.0, 0.5])},
         check=_game_mod_ok),
    Case(P + "game_modified_field",
         lambda **kw: O.game_modified_field(O.bilinear_game(), **kw),
         lambda: {"h": 0.2, "scheme": "simultaneous", "lr": np.array([2.0, 0.5])},
         check=_game_mod_ok),
    Case(P + "drift.game_flow", lambda **kw: D.game_flow(O.bilinear_game(), **kw),
         lambda: {"z0": np.array([1.0, 0.5]), "t": np.array([0.0, 0.5, 1.5]),
                  "rtol": 1e-10, "atol": 1e-12}, check=_rotation_ok),
    Case(P + "drift.game_flow", lambda **kw: D.game_flow(O.bilinear_game(), **kw),
         lambda: {"z0": np.array([1.0, 0.5]), "t": np.array([0.0, 0.5, 1.5]), "h": 0.2,
                  "scheme": "simultaneous"}, check=_growth_ok),
    Case(P + "drift_error", lambda **kw: O.drift_error(_grad, hess=_hess, **kw),
         lambda: {"x0": np.array([1.0, -0.5]), "h": 0.05, "steps": 4, "rtol": 1e-10,
                  "atol": 1e-12}, check=_drift_ok),
    Case(P + "game_drift", lambda **kw: O.game_drift(O.bilinear_game(), **kw),
         lambda: {"z0": np.array([1.0, 0.5]), "h": 0.05, "steps": 4, "scheme": "alternating",
                  "rtol": 1e-10, "atol": 1e-12}, check=_game_drift_ok),
    Case(P + "drift.local_errors", lambda **kw: D.local_errors(_grad, _hess, **kw),
         lambda: {"x0": np.array([1.0, -0.5]), "hs": np.array([0.01, 0.03]), "rtol": 1e-12,
                  "atol": 1e-14}, check=_local_ok),
    Case(P + "drift.game_local_errors",
         lambda **kw: D.game_local_errors(O.bilinear_game(), **kw),
         lambda: {"z0": np.array([1.0, 0.5]), "hs": np.array([0.01, 0.03]),
                  "scheme": "simultaneous"}, check=_game_local_ok),
    Case(P + "drift.bilinear_invariant", D.bilinear_invariant,
         lambda: {"z": np.array([[1.0, 0.5], [0.2, -0.3]]), "h": 0.4}, check=_invariant_ok),
    # --- theorems
    Case(P + "drift_theorems.sample_quadratic", DT.sample_quadratic,
         lambda: {"rng": np.random.default_rng(0), "n": 3}, check=_sample_q_ok),
    Case(P + "drift_theorems.sample_principal", DT.sample_principal,
         lambda: {"rng": np.random.default_rng(0), "n": 3}, check=_sample_principal_ok),
    Case(P + "drift_theorems.sample_divergence", DT.sample_divergence,
         lambda: {"rng": np.random.default_rng(0), "n": 3}, check=_sample_div_ok),
    Case(P + "drift_theorems.sample_bilinear", DT.sample_bilinear,
         lambda: {"rng": np.random.default_rng(0)}, check=_sample_bil_ok),
    _inst_case(P + "drift_theorems.evaluate_principal", DT.evaluate_principal,
               lambda: DT.sample_principal(np.random.default_rng(1), n=2), _within,
               fuzz=("H", "x_star", "x0", "h", "steps")),
    _inst_case(P + "drift_theorems.evaluate_divergence", DT.evaluate_divergence,
               lambda: DT.sample_divergence(np.random.default_rng(1), n=2), _within,
               fuzz=("H", "x_star", "x0", "h")),
    _inst_case(P + "drift_theorems.evaluate_bilinear", DT.evaluate_bilinear,
               lambda: {"h": 0.5, "z0": np.array([1.0, -0.5]), "steps": 12}, _within),
    Case(P + "drift_theorems.gd_local_error_flow", DT.gd_local_error_flow,
         lambda: {"rng": np.random.default_rng(0), "quick": True}, check=_rate_ok(1.8, 2.2),
         timeout=60.0),
    Case(P + "drift_theorems.gd_local_error_modified", DT.gd_local_error_modified,
         lambda: {"rng": np.random.default_rng(0), "quick": True}, check=_rate_ok(2.75, 3.25),
         timeout=60.0),
    Case(P + "drift_theorems.game_local_error_modified", DT.game_local_error_modified,
         lambda: {"rng": np.random.default_rng(0), "quick": True}, check=_rate_ok(2.75, 3.25),
         timeout=60.0),
]

EXEMPT = {
    P + "DriftResult": "result record built by drift_error / game_drift, not an input API",
    P + "FlowResult": "result record built by gradient_flow / modified_flow / game_flow",
    P + "GDIterates": "result record built by gd_iterates / game_iterates, not an input API",
    P + "PrincipalFlow": "result record built by principal_flow, not an input API",
    P + "drift_figure": "figure (three panels of fixed demonstration instances; its inputs "
                        "are validated by the fuzzed game_iterates / local_errors)",
}
