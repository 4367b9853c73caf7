"""A user's adaptive optimistic learner on ``online.sea_ratio`` and ``online.sea_constant``
(issue 13 §2).

Protocol :data:`equilibria.solvers.online.theorems.SEA_PROTOCOL`: ``algorithm(d, *, G_max,
domain)`` returns a learner with ``predict()`` and ``update(g)``; the regret is recomputed from
its played points and the losses.  The package's :class:`SEAOMD` and a plain-numpy
re-implementation of the SEA step reproduce the compiled runs; re-implementations with a
realistic flaw in the step size or the hint fail:

- step never shrinks (``eta_t = D / sqrt(delta + 4 G^2)``): regret linear in the variance,
  ``sea_ratio`` slope about 0.49 (band [-0.3, 0.2]);
- square root dropped (``eta_t = D / (delta + 4 G^2 + sum ||g_s - M_s||^2)``): the learner
  stalls, slope about -0.37;
- hint with the wrong sign (``x_t = Pi(xh_t + eta_t M_t)``): on a fixed loss the played point
  is pushed off the optimum every round, ``sea_constant`` slope about 0.96 (band +-0.15).
"""

import numpy as np
import pytest

from equilibria.solvers.online import SEAOMD
from equilibria.solvers.online.algorithms import diameter
from equilibria.solvers.online.theorems import _sea_regret
from equilibria.verification import check, get

NAMES = ("online.sea_ratio", "online.sea_constant")


class NumpySEA:
    """SEA-adaptive optimistic OMD (Euclidean) written from the formulas of ``sea_omd``:
    ``x_t = Pi(xh_t - eta_t M_t)``, ``xh_t+1 = Pi(xh_t - eta_t g_t)``, ``M_t+1 = g_t``,
    ``eta_t = D / sqrt(1 + 4 G^2 + sum_{s<t} ||g_s - M_s||^2)``; ``flaw`` switches one mistake
    on."""

    flaw = None

    def __init__(self, d, *, G_max, domain):
        self.S = domain
        self.xh = domain.project(np.zeros(d))
        self.D = diameter(domain, d) or 1.0
        self.delta = 1.0 + 4.0 * G_max ** 2
        self.var, self.hint = 0.0, np.zeros(d)

    def eta(self):
        if self.flaw == "constant_step":
            return self.D / np.sqrt(self.delta)
        if self.flaw == "no_sqrt":
            return self.D / (self.delta + self.var)
        return self.D / np.sqrt(self.delta + self.var)

    def predict(self):
        sign = -1.0 if self.flaw == "hint_sign" else 1.0
        return self.S.project(self.xh - sign * self.eta() * self.hint)

    def update(self, g):
        self.xh = self.S.project(self.xh - self.eta() * g)
        self.var += float(np.sum((g - self.hint) ** 2))
        self.hint = np.array(g, dtype=float)


def _flawed(flaw):
    return type(f"NumpySEA_{flaw}", (NumpySEA,), {"flaw": flaw})


def _own(d, *, G_max, domain):
    return SEAOMD(d, G_max=G_max, domain=domain)


@pytest.mark.parametrize("name", NAMES)
def test_own_learner_through_the_protocol_is_the_default_run(name):
    assert get(name).accepts_algorithm and "SEAOMD" in get(name).protocol
    ref = check(name, seed=0, quick=True)
    via = check(name, seed=0, quick=True, algorithm=_own)
    assert ref.passed and via.passed
    np.testing.assert_allclose(via.measured, ref.measured, rtol=1e-6)


def test_numpy_reimplementation_passes():
    rep = check(NAMES[0], seed=0, quick=True, algorithm=NumpySEA)
    assert rep.passed, rep.detail
    np.testing.assert_allclose(rep.measured, check(NAMES[0], seed=0, quick=True).measured,
                               rtol=1e-6)


@pytest.mark.parametrize("flaw, lo, hi", [("constant_step", 0.3, np.inf),
                                          ("no_sqrt", -np.inf, -0.3)])
def test_wrong_step_size_fails_sea_ratio(flaw, lo, hi):
    rep = check(NAMES[0], seed=0, quick=True, algorithm=_flawed(flaw))
    assert not rep.passed and rep.error is None
    assert lo < rep.measured < hi


def test_wrong_hint_sign_fails_sea_constant():
    rep = check(NAMES[1], seed=0, quick=True, algorithm=_flawed("hint_sign"))
    assert not rep.passed and rep.error is None and rep.measured > 0.5


def test_regret_is_recomputed_and_points_outside_the_set_raise():
    rng = np.random.default_rng(4)
    G = rng.uniform(-0.5, 0.5, size=(50, 3))
    ref = _sea_regret(G, 1.0, "ball")
    assert np.isclose(_sea_regret(G, 1.0, "ball", _own), ref, rtol=1e-10, atol=1e-12)

    class Outside(NumpySEA):
        def predict(self):
            return 2.0 * np.ones(self.xh.shape)

    with pytest.raises(ValueError, match="outside the decision set"):
        _sea_regret(G, 1.0, "ball", Outside)
