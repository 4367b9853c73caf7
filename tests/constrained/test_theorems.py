"""Property tests of the registered theorems: every per-instance theorem on instances drawn by
hypothesis from its assumptions (``tests/_strategies.py``); the fitted orders; the descent
certificate's power to fail."""

import numpy as np
import pytest

from equilibria.solvers.constrained import theorems as T
from equilibria.verification import get, load_all

from .._strategies import check_theorem, room_theorems, theorem_id

load_all()


@pytest.mark.parametrize("thm", room_theorems("constrained"), ids=theorem_id)
def test_theorem_holds_on_drawn_instances(thm):
    """Hong et al. (2023): descent of the merit, KKT residual to 1e-8, unit step eventually
    accepted, local ratio <= theta_t + 0.05; Arrow-Hurwicz-Uzawa agrees with cvxpy to 1e-5."""
    check_theorem(thm)


def test_rate_theorems_pass():
    """Fitted local orders: 1 (fixed accuracy) and 1.5 (sharpened, rho = 0.5), stated bands."""
    for name in ("constrained.eal_linear_order", "constrained.eal_superlinear_order"):
        thm = get(name)
        out = thm.judge(thm.run(np.random.default_rng(3), quick=True), seed=0)
        assert out.passed, out.detail


def test_descent_check_detects_violation():
    """The descent certificate is not vacuous: a flipped direction violates it."""
    inst = {"seed": 11, "n": 5, "m": 2, "sketch": "kaczmarz"}
    p, res = T._solve(inst)
    assert T.descent_violation(p, res) <= 0
    bad = type(res)(**{**res.asdict(), "directions": -res.directions})
    assert T.descent_violation(p, bad) > 0
