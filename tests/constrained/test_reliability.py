"""``sketch_solve`` validates its input (issue 12): clear errors naming the argument."""

import numpy as np
import pytest

from equilibria.solvers.constrained import sketch_solve

K = np.array([[4.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 2.0]])
B = np.array([1.0, 2.0, 3.0])


@pytest.mark.parametrize("method", ["kaczmarz", "block", "gaussian", "exact"])
def test_sketch_solve_valid_baseline(method):
    z, it, res = sketch_solve(K, B, tol_abs=1e-10, method=method, seed=0)
    assert it >= 1 and res <= 1e-10
    np.testing.assert_allclose(z, np.linalg.solve(K, B), atol=1e-9)


def test_sketch_solve_accepts_lists_ints_and_views():
    Kf = np.asfortranarray(K)
    Kf.setflags(write=False)
    z, _, res = sketch_solve(Kf.tolist(), [1, 2, 3], z0=np.zeros(6)[::2], tol_abs=1e-10, seed=0)
    assert res <= 1e-10


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(b=np.ones((3, 1))), ValueError, r"`b`.*ndim"),            # before: numba TypingError
    (dict(b=np.ones(4)), ValueError, r"`b`.*shape \(3,\)"),
    (dict(b=[1.0, np.nan, 0.0]), ValueError, r"`b`.*finite"),
    (dict(b="123"), TypeError, r"`b`"),
    (dict(K=np.where(np.eye(3) > 0, np.nan, K)), ValueError, r"`K`.*finite"),  # before: z = 0
    (dict(K=np.ones((3, 2))), ValueError, r"`K`.*square"),
    (dict(K=np.ones(3)), ValueError, r"`K`.*ndim"),
    (dict(K=K.astype(complex) * 1j), TypeError, r"`K`"),
    (dict(K=np.zeros((0, 0)), b=np.zeros(0)), ValueError, r"`K`.*non-empty"),
    (dict(z0=np.ones(2)), ValueError, r"`z0`.*shape"),
    (dict(z0=[np.inf, 0.0, 0.0]), ValueError, r"`z0`.*finite"),
    (dict(tol_abs=-1.0), ValueError, r"`tol_abs`.*-1"),
    (dict(tol_abs=np.nan), ValueError, r"`tol_abs`.*nan"),
    (dict(tol_abs="1e-8"), TypeError, r"`tol_abs`"),
    (dict(method="kazcmarz"), ValueError, r"`method`='kazcmarz'.*'kaczmarz'"),  # before: ok
    (dict(method=None), ValueError, r"`method`=None"),
    (dict(sketch_size=0), ValueError, r"`sketch_size`.*0"),
    (dict(sketch_size=1.5), TypeError, r"`sketch_size`"),
    (dict(max_iter=0), ValueError, r"`max_iter`.*0"),
    (dict(max_iter=-5), ValueError, r"`max_iter`.*-5"),
    (dict(equilibrate="yes"), TypeError, r"`equilibrate`"),
])
def test_sketch_solve_rejects_invalid_input(kwargs, exc, match):
    args = dict(K=K, b=B, tol_abs=1e-8, seed=0) | kwargs
    Km, bm = args.pop("K"), args.pop("b")
    with pytest.raises(exc, match=match):
        sketch_solve(Km, bm, **args)


def test_sketch_solve_does_not_mutate_inputs():
    Kc, bc, z0 = K.copy(), B.copy(), np.zeros(3)
    sketch_solve(Kc, bc, z0, tol_abs=1e-10, method="block", seed=0)
    np.testing.assert_array_equal(Kc, K)
    np.testing.assert_array_equal(bc, B)
    np.testing.assert_array_equal(z0, 0.0)
