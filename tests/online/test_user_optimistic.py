"""A user's optimistic learner on ``online.optimistic_omd_rvu`` (issue 13 §2).

The protocol: ``algorithm(d, eta, domain=..., x1=...)`` returns a learner with ``predict()``,
``update(g, hint=M_next)``, a writable ``hint`` (round 1's hint) and its secondary iterate
``xh``.  The package's :class:`OptimisticOMD` through the protocol reproduces the compiled run;
learners that drop the hints or take a 4x step violate the RVU inequality.
"""

import numpy as np

from equilibria.solvers.online import OptimisticOMD
from equilibria.verification import check, get

NAME = "online.optimistic_omd_rvu"


def _own(d, eta, domain, x1):
    return OptimisticOMD(d, eta, domain=domain, regularizer="euclidean", x1=x1)


class _Wrapped:
    """An optimistic learner that passes a modified step or hint to the package's one."""

    scale = 1.0
    drop_hints = False

    def __init__(self, d, eta, domain, x1):
        self.inner = OptimisticOMD(d, self.scale * eta, domain=domain, regularizer="euclidean",
                                   x1=x1)
        self.hint = None

    @property
    def xh(self):
        return self.inner.xh

    def predict(self):
        return self.inner.predict()

    def update(self, g, hint=None):
        self.inner.update(g, hint=np.zeros_like(g) if self.drop_hints else hint)


class NoHints(_Wrapped):
    drop_hints = True


class FourTimesStep(_Wrapped):
    scale = 4.0


def test_own_learner_through_the_protocol_matches_the_compiled_run():
    th = get(NAME)
    assert th.accepts_algorithm
    rng = np.random.default_rng(0)
    for _ in range(20):
        inst = th.sample(rng)
        ref, via = th.evaluate(inst), th.evaluate(inst, algorithm=_own)
        np.testing.assert_allclose(via, ref, rtol=1e-9, atol=1e-9)
    assert check(NAME, seed=0, quick=True, algorithm=_own).passed


def test_learners_that_drop_the_hints_or_overstep_fail():
    for wrong in (NoHints, FourTimesStep):
        rep = check(NAME, seed=0, quick=True, algorithm=wrong)
        assert not rep.passed and rep.error is None
        assert "violated" in rep.detail
