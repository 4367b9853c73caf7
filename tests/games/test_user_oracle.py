"""A user's finite-sum method on the oracle-complexity theorems (issue 13 §2).

Protocol :data:`equilibria.solvers.games.theorems.ORACLE_PROTOCOL`: the user's method receives
a :class:`FiniteSum` whose ``batch`` counts component calls, and must return a point with
``||F(x)|| <= tol``.  The package's VR-Halpern through the protocol reproduces the default run;
full-batch Halpern (n calls per step) fails the sqrt(n) theorem and VR-Halpern fails the
full-batch n^1 theorem.  Both methods share the same eps-rate, so both pass
``games.vr_halpern_oracle_eps`` -- that theorem separates methods by a wrong eps-rate only.
"""

import numpy as np
import pytest

from equilibria.solvers.games import halpern, vr_halpern
from equilibria.verification import check, get


def _vr(problem, x0, tol, seed):
    return vr_halpern(problem, x0, tol=tol, seed=seed, check_monotone=False).x


def _full(problem, x0, tol, seed):
    with np.errstate(all="ignore"):
        return halpern(x0, F=problem, L=problem.L, tol=tol, max_iter=10**6,
                       check_monotone=False).x


def _wrong_output(problem, x0, tol, seed):
    return x0


@pytest.mark.parametrize("name", ["games.vr_halpern_oracle_n", "games.halpern_oracle_n",
                                  "games.vr_halpern_oracle_eps"])
def test_protocol_is_declared(name):
    assert get(name).accepts_algorithm


def test_own_vr_halpern_through_the_protocol_passes():
    ref = check("games.vr_halpern_oracle_n", seed=1, quick=True)
    via = check("games.vr_halpern_oracle_n", seed=1, quick=True, algorithm=_vr)
    assert ref.passed and via.passed
    # the wrapped problem has no ``_components``, so vr_halpern takes its Python path, which
    # draws its batches from the generator in another order than the compiled kernel: same
    # law, other draws, and the fitted slope moves by ~0.03
    np.testing.assert_allclose(via.measured, ref.measured, atol=0.06)


def test_full_batch_fails_the_sqrt_n_theorem_and_passes_its_own():
    rep = check("games.vr_halpern_oracle_n", seed=0, quick=True, algorithm=_full)
    assert not rep.passed and rep.error is None and rep.measured > 0.85
    own = check("games.halpern_oracle_n", seed=0, quick=True, algorithm=_full)
    assert own.passed


def test_vr_fails_the_full_batch_theorem():
    rep = check("games.halpern_oracle_n", seed=0, quick=True, algorithm=_vr)
    assert not rep.passed and rep.error is None and rep.measured < 0.7


def test_a_method_that_misses_tol_is_reported():
    rep = check("games.vr_halpern_oracle_n", seed=0, quick=True, algorithm=_wrong_output)
    assert not rep.passed
    assert "returned x with ||F(x)||" in (rep.error or "") + rep.detail
