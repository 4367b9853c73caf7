"""A user's implementation on the online room's last two theorems (issue 13).

Protocols (``equilibria.solvers.online.theorems``): a log-barrier FTRL normalization
``algorithm(L, eta, p_out) -> lam`` (``online.log_barrier_invariants``; the package's
``log_barrier_kernel`` fits it) and an Online Newton Step learner
``algorithm(d, gamma, eps, *, domain) -> learner`` (``online.ons_log_rate``; the package's
``ONS`` fits it).  For each: (a) the package's implementation through the protocol passes and
its rows agree with the default run; (b) realistic wrong implementations fail; (c) malformed
returns raise errors naming ``algorithm``.
"""

import numpy as np
import pytest

from equilibria.solvers.online import ONS, log_barrier_kernel
from equilibria.solvers.online import theorems as T
from equilibria.verification import check


def _fails(name, algorithm):
    out = check(name, algorithm=algorithm, quick=True, seed=0)
    assert out.error is None, out.error
    assert out.passed is False, str(out)
    return out


# -- online.log_barrier_invariants -------------------------------------------------------------
def _newton(L, eta, p_out, *, tol=1e-13, renormalize=True, sign=1.0):
    """Newton on f(lam) = sum 1/(eta (L_i - lam)) - 1 from lam_0 = min L - 1/eta, stopping
    at |f| <= tol (the package's rule with tol=1e-13 and the final renormalization)."""
    lam = L.min() - 1.0 / eta
    for _ in range(200):
        q = 1.0 / (eta * (L - lam))
        f = q.sum() - 1.0
        if abs(f) <= tol:
            break
        lam -= f / (eta * np.sum(q * q))
    q = 1.0 / (eta * (L - lam))
    p_out[...] = q / q.sum() if renormalize else q
    return sign * lam


def _loose(L, eta, p_out):
    """A too-loose stopping rule (|f| <= 1e-6) and no final renormalization."""
    return _newton(L, eta, p_out, tol=1e-6, renormalize=False)


def _loose_renormalized(L, eta, p_out):
    """The loose rule, p renormalized, but the stale multiplier of the loose iterate."""
    return _newton(L, eta, p_out, tol=1e-6)


def _hedge(L, eta, p_out):
    """The entropic (Hedge) normalization in place of the log-barrier: p = softmax(-eta L)."""
    w = np.exp(-eta * (L - L.min()))
    p_out[...] = w / w.sum()
    with np.errstate(divide="ignore"):
        return float(np.mean(L - 1.0 / (eta * p_out)))


def _no_write(L, eta, p_out):
    """The multiplier only: p_out is never written (a skipped step)."""
    return _newton(L, eta, np.empty_like(L))


def test_log_barrier_invariants_protocol():
    name = "online.log_barrier_invariants"
    ref = check(name, quick=True, seed=0)
    for alg in (log_barrier_kernel, _newton):
        out = check(name, algorithm=alg, quick=True, seed=0)
        assert out.error is None and out.passed, str(out)
        if alg is log_barrier_kernel:  # the same instances, the same kernel: the same rows
            assert np.array_equal(out.evidence.measured, ref.evidence.measured)
            assert np.array_equal(out.evidence.bound, ref.evidence.bound)
    for wrong in (_loose, _loose_renormalized, _hedge, _no_write):
        _fails(name, wrong)


def test_log_barrier_invariants_wrong_sign_and_nan_are_violations():
    inst = {"L": np.array([0.5, 1.0, 3.0]), "eta": 2.0}  # lam = -0.28...
    assert T.lb_inv_evaluate(inst, algorithm=_newton)[0] < 1e-12
    v, bound, _ = T.lb_inv_evaluate(inst, algorithm=lambda L, e, p: _newton(L, e, p, sign=-1.0))
    assert v > bound
    v, _, _ = T.lb_inv_evaluate(inst, algorithm=lambda L, e, p: np.nan)
    assert v == np.inf


def test_log_barrier_invariants_malformed_return():
    inst = T.lb_inv_sample(np.random.default_rng(0), N=5)
    for bad in (lambda L, e, p: None, lambda L, e, p: "lam", lambda L, e, p: np.zeros(5)):
        with pytest.raises(TypeError, match="algorithm"):
            T.lb_inv_evaluate(inst, algorithm=bad)
    with pytest.raises(TypeError, match="algorithm"):
        T.lb_inv_evaluate(inst, algorithm="log_barrier_kernel")
    out = check("online.log_barrier_invariants", algorithm=lambda L, e, p: None, quick=True,
                seed=0)
    assert out.error is not None and "algorithm" in out.error


# -- online.ons_log_rate -----------------------------------------------------------------------
class _ScalarONS:
    """1-D Online Newton Step on [-r, r]: A_t = eps + sum g_s^2, x_{t+1} = clip(x_t - g_t /
    (gamma A_t)) (the generalized projection in 1-D is the clip); ``curvature=False`` skips the
    A_t update (a constant step 1 / (gamma eps)), ``power`` replaces A_t by A_t^power."""

    def __init__(self, d, gamma, eps, *, domain, curvature=True, power=1.0):
        self.r, self.gamma, self.A, self.x = float(domain.radius), gamma, eps, 0.0
        self.curvature, self.power = curvature, power

    def predict(self):
        return np.array([self.x])

    def update(self, g):
        g = float(g[0])
        if self.curvature:
            self.A += g * g
        self.x = min(max(self.x - g / (self.gamma * self.A**self.power), -self.r), self.r)


def _no_curvature(d, gamma, eps, *, domain):
    return _ScalarONS(d, gamma, eps, domain=domain, curvature=False)


def _sqrt_scaling(d, gamma, eps, *, domain):
    """AdaGrad's A_t^{1/2} scaling in place of ONS's A_t (a missing square)."""
    return _ScalarONS(d, gamma * np.sqrt(eps), eps, domain=domain, power=0.5)


def test_ons_log_rate_protocol():
    name = "online.ons_log_rate"
    ref = check(name, quick=True, seed=0)
    out = check(name, algorithm=ONS, quick=True, seed=0)
    assert out.error is None and out.passed, str(out)
    np.testing.assert_allclose(out.evidence.values, ref.evidence.values, rtol=1e-9)
    out = check(name, algorithm=_ScalarONS, quick=True, seed=0)
    assert out.error is None and out.passed, str(out)
    np.testing.assert_allclose(out.evidence.values, ref.evidence.values, rtol=1e-6)
    for wrong in (_no_curvature, _sqrt_scaling):
        _fails(name, wrong)


def test_ons_log_rate_out_of_set_points_are_charged():
    rng = np.random.default_rng(0)
    r, gamma, eps, Ts, a, y = T._ons_squared_instance(np.random.default_rng(1), rng,
                                                      np.array([16.0, 32.0]))
    good = T._ons_squared_user(_ScalarONS, r, gamma, eps, a[:50], y[:50])

    class Outside(_ScalarONS):
        """Alternates a NaN point and a point outside [-r, r]."""

        def predict(self):
            self.k = getattr(self, "k", 0) + 1
            return np.array([np.nan if self.k % 2 else 2.0 * self.r])

    bad = T._ons_squared_user(Outside, r, gamma, eps, a[:50], y[:50])
    worst = np.cumsum((r + np.abs(y[:50])) ** 2)
    np.testing.assert_allclose(bad, worst)
    assert np.all(bad >= good)


def test_ons_log_rate_malformed_learner():
    rng = np.random.default_rng(0)
    r, gamma, eps, Ts, a, y = T._ons_squared_instance(np.random.default_rng(1), rng,
                                                      np.array([16.0, 32.0]))

    class Wrong(_ScalarONS):
        def __init__(self, *args, out=None, **kw):
            super().__init__(*args, **kw)
            self.out = out

        def predict(self):
            return self.out

    for learner, err, what in ((lambda d, g, e, *, domain: None, TypeError, "learner"),
                               (lambda d, g, e, *, domain: Wrong(d, g, e, domain=domain, out="x"),
                                TypeError, "x_t"),
                               (lambda d, g, e, *, domain: Wrong(d, g, e, domain=domain,
                                                                 out=np.zeros(2)),
                                ValueError, "shape")):
        with pytest.raises(err, match=f"algorithm.*{what}"):
            T._ons_squared_user(learner, r, gamma, eps, a, y)
    out = check("online.ons_log_rate", algorithm=lambda d, g, e, *, domain: None, quick=True,
                seed=0)
    assert out.error is not None and "algorithm" in out.error
