"""A user's solver on ``ot.smooth_entropy_matches_sinkhorn`` and ``ot.sparse_cardinality``
(issue 13 §2); ``ot.smooth_weak_duality`` and ``ot.sparse_limits`` state ``no_algorithm``.

Protocols (``equilibria.solvers.ot.theorems``): :data:`SMOOTH_ENTROPY_PROTOCOL` (dual
potentials of the entropic smooth dual; the dual value is recomputed from them) and
:data:`SPARSE_PROTOCOL` (the sparsity-constrained plan; support and column marginals measured
on it).  For each: the package's solver through the protocol passes and reproduces the default
rows, realistic wrong solvers fail, malformed returns raise errors naming ``algorithm``.
"""

import warnings

import numpy as np
import pytest

from equilibria.solvers.ot import smooth_ot, sparse_ot
from equilibria.solvers.ot import theorems as T
from equilibria.verification import check

SMOOTH = "ot.smooth_entropy_matches_sinkhorn"
SPARSE = "ot.sparse_cardinality"


def _quiet(fn, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kw)


def _entropic(formulation="dual", reg_factor=1.0, tol=1e-8):
    """The package's entropic smooth dual; ``reg_factor`` != 1 reads ``reg`` with the wrong
    scaling, a large ``tol`` is a too-loose stopping rule."""
    def alg(a, b, C, reg):
        return _quiet(smooth_ot, a, b, C, reg * reg_factor, regularizer="entropy",
                      formulation=formulation, tol=tol).potentials
    return alg


def _fails(name, algorithm):
    out = check(name, algorithm=algorithm, quick=True, seed=0)
    assert out.error is None, out.error
    assert out.passed is False, str(out)


def test_recomputed_dual_is_the_smooth_dual_value():
    rng = np.random.default_rng(1)
    inst = T._sample_smooth(rng, n=6, m=5)
    a, b, C, reg = inst["a"], inst["b"], inst["C"], inst["reg"]
    res = _quiet(smooth_ot, a, b, C, reg, regularizer="entropy", formulation="dual", tol=1e-8)
    f, g = res.potentials
    assert np.isclose(T._entropic_dual(f, g, a, b, C, reg), res.dual_objective, rtol=1e-10,
                      atol=1e-12)


@pytest.mark.parametrize("formulation", ["dual", "semi_dual"])
def test_smooth_own_solver_passes_and_matches_default(formulation):
    ref = check(SMOOTH, quick=True, seed=0)
    via = check(SMOOTH, algorithm=_entropic(formulation), quick=True, seed=0)
    assert ref.passed and via.passed, via.detail
    np.testing.assert_allclose(via.bound, ref.bound, rtol=0, atol=0)
    # both are solver-accuracy differences far below the allowance
    assert np.all(np.asarray(via.measured) <= np.asarray(via.bound))


@pytest.mark.parametrize("alg", [_entropic(reg_factor=2.0), _entropic(tol=1e-1)],
                         ids=["reg_scaling", "loose_tol"])
def test_smooth_wrong_solver_fails(alg):
    _fails(SMOOTH, alg)


def test_smooth_nonfinite_potentials_fail_not_error():
    _fails(SMOOTH, lambda a, b, C, reg: (np.full(a.shape, np.nan), np.zeros(b.shape)))


def test_smooth_malformed_return():
    inst = T._sample_smooth(np.random.default_rng(0), n=4, m=3)
    ev = T._eval_smooth_vs_sinkhorn
    with pytest.raises(TypeError, match="algorithm"):
        ev(inst, algorithm=lambda a, b, C, reg: None)
    with pytest.raises(TypeError, match="algorithm"):
        ev(inst, algorithm=lambda a, b, C, reg: ("x", b))
    with pytest.raises(ValueError, match="algorithm.*shape"):
        ev(inst, algorithm=lambda a, b, C, reg: (np.zeros(7), np.zeros(3)))
    with pytest.raises(TypeError, match="algorithm"):
        ev(inst, algorithm="not callable")
    out = check(SMOOTH, algorithm=lambda a, b, C, reg: None, quick=True, seed=0)
    assert not out.passed and out.error and "algorithm" in str(out.error)


def _sparse(a, b, C, reg, k):
    return _quiet(sparse_ot, a, b, C, reg, k, formulation="semi_dual", max_iter=100).plan


def _sparse_dense_l2(a, b, C, reg, k):
    """Top-k constraint dropped: the plain L2-regularized plan."""
    return _quiet(smooth_ot, a, b, C, reg, regularizer="l2", formulation="semi_dual").plan


def _sparse_full_dual(a, b, C, reg, k):
    """Plan recovered from the (alpha, beta) dual: columns met only up to the tolerance."""
    return _quiet(sparse_ot, a, b, C, reg, k, formulation="dual", tol=1e-3).plan


def test_sparse_own_solver_is_the_default_run():
    ref = check(SPARSE, quick=True, seed=0)
    via = check(SPARSE, algorithm=_sparse, quick=True, seed=0)
    assert ref.passed and via.passed, via.detail
    np.testing.assert_array_equal(via.measured, ref.measured)
    np.testing.assert_array_equal(via.bound, ref.bound)


@pytest.mark.parametrize("alg", [_sparse_dense_l2, _sparse_full_dual],
                         ids=["no_top_k", "full_dual_plan"])
def test_sparse_wrong_solver_fails(alg):
    _fails(SPARSE, alg)


def test_sparse_nonfinite_plan_fails_not_error():
    _fails(SPARSE, lambda a, b, C, reg, k: np.full(C.shape, np.nan))


def test_sparse_malformed_return():
    inst = T._sample_sparse(np.random.default_rng(0), n=4, m=3)
    ev = T._eval_sparse_cardinality
    with pytest.raises(TypeError, match="algorithm"):
        ev(inst, algorithm=lambda a, b, C, reg, k: None)
    with pytest.raises(TypeError, match="algorithm"):
        ev(inst, algorithm=lambda a, b, C, reg, k: "plan")
    with pytest.raises(ValueError, match="algorithm.*shape"):
        ev(inst, algorithm=lambda a, b, C, reg, k: np.zeros((3, 4)))
    out = check(SPARSE, algorithm=lambda a, b, C, reg, k: None, quick=True, seed=0)
    assert not out.passed and out.error and "algorithm" in str(out.error)
