"""The shared convex sets (equilibria._lib.sets): validation, projection (idempotent, lands in
the set, nearest point against cvxpy and against sampled points), uniform samplers, grids."""

import dataclasses
import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import stats

from equilibria._lib.sets import SET_NAMES, Ball, Box, ConvexSet, SetPoints, Simplex, as_set


# -- validation --------------------------------------------------------------------------------
@pytest.mark.parametrize("make,exc,match", [
    (lambda: Ball(0.0), ValueError, r"`radius` must be > 0, got 0.0"),
    (lambda: Ball(-2.0), ValueError, r"`radius`.*-2.0"),
    (lambda: Ball(np.inf), ValueError, r"`radius` must be finite, got inf"),
    (lambda: Ball(np.nan), ValueError, r"`radius` must be finite"),
    (lambda: Ball("1"), TypeError, r"`radius` must be a real number, got str"),
    (lambda: Ball(1.0, dim=0), ValueError, r"`dim` must be >= 1, got 0"),
    (lambda: Box(1.0, 0.0), ValueError, r"`lo` must be < `hi`.*lo=1.0, hi=0.0"),
    (lambda: Box(0.0, 0.0), ValueError, r"`lo` must be < `hi`"),
    (lambda: Box([0, 0], [1, 0]), ValueError, r"`lo` must be < `hi`.*index 1"),
    (lambda: Box(-np.inf, 0.0), ValueError, r"`lo` must be finite"),
    (lambda: Box(0.0, [1.0, np.nan]), ValueError, r"`hi` must be finite"),
    (lambda: Box([0, 0], [1, 1, 1]), ValueError, r"`lo` and `hi` must have the same length"),
    (lambda: Box([0, 0], [1, 1], dim=3), ValueError, r"`dim`=3 does not match the length 2"),
    (lambda: Box(np.zeros((2, 2)), 1.0), ValueError, r"`lo` must have ndim"),
    (lambda: Box(None, 1.0), TypeError, r"`lo`"),
    (lambda: Simplex(0), ValueError, r"`dim` must be >= 1, got 0"),
    (lambda: Simplex(2.5), TypeError, r"`dim` must be an integer, got 2.5"),
    (lambda: Simplex(True), TypeError, r"`dim` must be an integer, got bool"),
    (lambda: as_set("cube"), ValueError, r"unknown `domain`='cube'; valid values are 'simplex'"),
    (lambda: as_set(1.0), TypeError, r"`domain` must be a Simplex, Ball or Box.*got float"),
    (lambda: as_set(Ball(dim=2), 3), ValueError, r"`domain`=Ball\(radius=1.0, dim=2\) has "
                                                 r"dimension 2, but the data have dimension 3"),
    (lambda: as_set(Box([0, 0], [1, 1]), 3), ValueError, r"`domain`.*dimension 2"),
    (lambda: Simplex(3).center(4), ValueError, r"`d`=4 does not match the dimension dim=3"),
    (lambda: Simplex().center(), ValueError, r"no dimension: pass `d`"),
    (lambda: Box().sample(0, 5), ValueError, r"no dimension: pass `d`"),
    (lambda: Ball(dim=2).project([1.0, 2.0, 3.0]), ValueError, r"`x` must have 2 coordinates"),
    (lambda: Ball().project([1.0, np.nan]), ValueError, r"`x` must be finite"),
    (lambda: Box().grid(1, 2), ValueError, r"`n_per_axis` must be >= 2"),
    (lambda: Simplex().grid(0, 2), ValueError, r"`n_per_axis` must be >= 1"),
    (lambda: Ball().sample(0, -1, 2), ValueError, r"`n` must be >= 0"),
    (lambda: Ball().contains([0.0], tol=-1.0), ValueError, r"`tol` must be >= 0"),
    (lambda: Box([0, 0], [1, 1]).with_dim(3), ValueError, r"`dim`=3 does not match"),
])
def test_validation_names_argument_and_value(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


def test_fields_are_coerced_frozen_and_hashable():
    b = Ball(2)
    assert b.radius == 2.0 and isinstance(b.radius, float) and b.dim is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        b.radius = 3.0
    box = Box(0, [1, 2])
    assert box.dim == 2 and box.lo.tolist() == [0.0, 0.0] and box.hi.tolist() == [1.0, 2.0]
    with pytest.raises(ValueError):
        box.lo[0] = 5.0  # read-only bounds
    assert Box(0, 1) == Box(0.0, 1.0) and Box(0, [1, 2]) == Box([0, 0], [1.0, 2.0])
    assert Box(0, 1) != Box(0, 2) and Box(0, 1) != Ball(1.0) and Box(0, 1) != Box(0, 1, dim=2)
    assert len({Box(0, [1, 2]), Box([0, 0], [1, 2]), Ball(), Ball(1.0), Simplex(), Simplex(3)}) == 4
    assert not Box(0, [1, 2]).uniform and Box(0, [1, 1]).uniform and Box(0, 1).uniform
    assert [S.kind for S in (Simplex(), Ball(), Box())] == list(SET_NAMES)
    assert all(isinstance(S, ConvexSet) for S in (Simplex(), Ball(), Box()))


def test_as_set_and_with_dim():
    assert as_set("simplex") == Simplex() and as_set("ball", 3) == Ball(1.0, 3)
    assert as_set("box", 2) == Box(-1.0, 1.0, dim=2)
    S = Ball(0.5)
    assert as_set(S) is S and as_set(S, 4) == Ball(0.5, dim=4)
    assert as_set(Ball(0.5, dim=4), 4) == Ball(0.5, dim=4)
    assert Simplex().with_dim(5) == Simplex(5) and Simplex(5).with_dim(None) == Simplex()
    assert Box(0, [1, 2]).with_dim(2) == Box(0, [1, 2])
    with pytest.raises(ValueError, match="`d`"):
        Simplex().with_dim(0)


def test_diameter_and_center():
    assert Simplex().diameter(3) == math.sqrt(2) and Simplex(1).diameter() == 0.0
    assert Ball(1.5).diameter() == 3.0 and Ball(1.5, dim=2).diameter(2) == 3.0
    assert Box(0, 2).diameter(4) == 4.0
    assert Box([0, 0], [3, 4]).diameter() == 5.0
    np.testing.assert_array_equal(Simplex().center(4), np.full(4, 0.25))
    np.testing.assert_array_equal(Ball().center(3), np.zeros(3))
    np.testing.assert_array_equal(Box(0, 1).center(2), [0.5, 0.5])
    np.testing.assert_array_equal(Box([0, -2], [1, 2]).center(), [0.5, 0.0])
    for S, d in [(Simplex(), 5), (Ball(0.3), 5), (Box([0, -2], [1, 2]), 2)]:
        assert S.contains(S.center(d))
        # the diameter is attained (vertices / antipodes / opposite corners) and not exceeded
        X = S.sample(0, 400, d)
        far = max(np.linalg.norm(X[i] - X[j]) for i in range(0, 400, 7) for j in range(400))
        assert far <= S.diameter(d) * (1 + 1e-12)


def test_contains():
    assert Simplex().contains([0.2, 0.8]) and not Simplex().contains([0.5, 0.6])
    assert not Simplex().contains([-0.1, 1.1]) and Simplex().contains([-1e-10, 1.0 + 1e-10])
    assert Ball(2.0).contains([0.0, 2.0]) and not Ball(2.0).contains([1.5, 1.5])
    assert Box(0, [1, 2]).contains([1.0, 2.0]) and not Box(0, [1, 2]).contains([1.5, 1.0])
    assert not Ball().contains([np.nan, 0.0]) and not Box().contains([np.inf, 0.0])
    np.testing.assert_array_equal(Box(0, 1).contains([[0.5, 0.5], [2.0, 0.5]]), [True, False])


# -- projection --------------------------------------------------------------------------------
@st.composite
def sets_and_points(draw, max_d=6):
    kind = draw(st.sampled_from(SET_NAMES))
    d = draw(st.integers(1, max_d))
    if kind == "simplex":
        S = Simplex(draw(st.sampled_from([None, d])))
    elif kind == "ball":
        S = Ball(draw(st.floats(1e-2, 1e2)), draw(st.sampled_from([None, d])))
    else:
        lo = draw(hnp.arrays(np.float64, d, elements=st.floats(-10, 10)))
        width = draw(hnp.arrays(np.float64, d, elements=st.floats(1e-2, 10)))
        S = Box(lo, lo + width) if draw(st.booleans()) else Box(float(lo[0]),
                                                                float(lo[0] + width[0]))
    scale = draw(st.sampled_from([1e-3, 1.0, 1e2]))
    x = scale * draw(hnp.arrays(np.float64, d, elements=st.floats(-10, 10)))
    return S, d, x


def _cvxpy_projection(S, x):
    import cvxpy as cp

    d = x.size
    y = cp.Variable(d)
    if isinstance(S, Simplex):
        cons = [y >= 0, cp.sum(y) == 1]
    elif isinstance(S, Ball):
        cons = [cp.norm(y, 2) <= S.radius]
    else:
        lo, hi = np.broadcast_to(S.lo, (d,)), np.broadcast_to(S.hi, (d,))
        cons = [y >= lo, y <= hi]
    prob = cp.Problem(cp.Minimize(cp.sum_squares(y - x)), cons)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prob.solve(solver=cp.CLARABEL)
    assert prob.status in ("optimal", "optimal_inaccurate"), prob.status
    return np.asarray(y.value, dtype=float)


@given(sets_and_points())
def test_projection_idempotent_in_the_set_and_nearest(case):
    S, d, x = case
    p = S.project(x)
    scale = 1.0 + np.abs(x).max() + (S.radius if isinstance(S, Ball) else 0.0)
    assert p.shape == x.shape
    assert S.with_dim(d).contains(p, tol=1e-12)
    np.testing.assert_allclose(S.project(p), p, rtol=0, atol=1e-12 * scale)
    if S.contains(x, tol=0.0):
        np.testing.assert_allclose(p, x, rtol=0, atol=1e-12 * scale)
    # nearest point: the cvxpy (Clarabel) solution is not closer, and it is as close to p as
    # its suboptimality allows: ||x - q||^2 >= ||x - p||^2 + ||p - q||^2 for q in the set
    q = _cvxpy_projection(S, x)
    dp, dq = np.linalg.norm(x - p), np.linalg.norm(x - q)
    assert dp <= dq + 1e-7 * scale
    assert np.sum((p - q) ** 2) <= dq**2 - dp**2 + 1e-6 * scale**2
    # variational inequality <x - p, y - p> <= 0 for sampled y in the set (characterizes p)
    Y = S.sample(np.random.default_rng(d), 500, d)
    assert np.max((Y - p) @ (x - p)) <= 1e-9 * scale**2
    assert np.all(np.linalg.norm(Y - x, axis=1) >= dp - 1e-9 * scale)


@pytest.mark.parametrize("S", [Simplex(), Ball(0.7), Box(-0.3, 0.5), Box([0, -1, 2], [1, 1, 3])])
def test_projection_batches_rows(S):
    X = 3 * np.random.default_rng(0).normal(size=(50, 3))
    P = S.project(X)
    np.testing.assert_array_equal(P, np.array([S.project(x) for x in X]))
    assert np.all(S.contains(P, tol=1e-12))


def test_simplex_projection_vs_known_values():
    np.testing.assert_allclose(Simplex().project([0.5, 1.0, -1.0]), [0.25, 0.75, 0.0])
    np.testing.assert_allclose(Simplex().project([2.0, 2.0]), [0.5, 0.5])
    np.testing.assert_allclose(Simplex().project([7.0]), [1.0])
    np.testing.assert_allclose(Simplex().project([1e3, 0.0, 0.0]), [1.0, 0.0, 0.0])


# -- sampling ----------------------------------------------------------------------------------
@pytest.mark.parametrize("d", [1, 2, 5, 12])
def test_simplex_sampler_is_dirichlet_one(d):
    n = 40_000
    X = Simplex().sample(1, n, d)
    assert X.shape == (n, d) and np.all(Simplex(d).contains(X, tol=1e-12))
    # Dirichlet(1): E x_i = 1/d, Var x_i = (d - 1) / (d^2 (d + 1))
    sd = math.sqrt((d - 1) / (d * d * (d + 1)) / n)
    np.testing.assert_allclose(X.mean(axis=0), 1.0 / d, rtol=0, atol=5 * sd + 1e-15)
    if d > 1:
        np.testing.assert_allclose(X.var(axis=0), (d - 1) / (d * d * (d + 1)), rtol=0.05)
        # marginal x_1 ~ Beta(1, d - 1)
        assert stats.kstest(X[:, 0], stats.beta(1, d - 1).cdf).pvalue > 1e-3


@pytest.mark.parametrize("d,radius", [(1, 1.0), (2, 0.5), (3, 2.0), (10, 1.0)])
def test_ball_sampler_is_uniform_in_volume(d, radius):
    n = 40_000
    X = Ball(radius).sample(2, n, d)
    assert X.shape == (n, d) and np.all(Ball(radius, d).contains(X, tol=1e-12))
    u = (np.linalg.norm(X, axis=1) / radius) ** d  # uniform on [0, 1]
    assert abs(u.mean() - 0.5) <= 5 * math.sqrt(1 / 12 / n)
    assert stats.kstest(u, "uniform").pvalue > 1e-3
    # direction uniform: mean 0, E x x^T = r^2 / (d + 2) I
    np.testing.assert_allclose(X.mean(axis=0), 0.0, atol=5 * radius / math.sqrt(n))
    np.testing.assert_allclose(np.cov(X.T).reshape(d, d), radius**2 / (d + 2) * np.eye(d),
                               atol=0.02 * radius**2)


@pytest.mark.parametrize("S,d", [(Box(-0.3, 0.5), 4), (Box([0, -2, 5], [1, 2, 5.5]), 3)])
def test_box_sampler_is_uniform(S, d):
    n = 40_000
    X = S.sample(3, n, d)
    assert X.shape == (n, d) and np.all(S.contains(X, tol=0.0))
    lo, hi = np.broadcast_to(S.lo, (d,)), np.broadcast_to(S.hi, (d,))
    np.testing.assert_allclose(X.mean(axis=0), (lo + hi) / 2,
                               atol=5 * float(np.max(hi - lo)) / math.sqrt(12 * n))
    for i in range(d):
        assert stats.kstest((X[:, i] - lo[i]) / (hi[i] - lo[i]), "uniform").pvalue > 1e-3


def test_samplers_are_reproducible_and_accept_generators():
    for S in (Simplex(3), Ball(dim=3), Box(dim=3)):
        np.testing.assert_array_equal(S.sample(7, 10), S.sample(7, 10))
        np.testing.assert_array_equal(S.sample(np.random.default_rng(7), 10), S.sample(7, 10))
        assert S.sample(0, 0).shape == (0, 3)


# -- grids -------------------------------------------------------------------------------------
@pytest.mark.parametrize("n,d", [(2, 1), (5, 2), (4, 3), (3, 5)])
def test_box_grid(n, d):
    S = Box(-1.0, [2.0] * d)
    g = S.grid(n)
    assert isinstance(g, SetPoints) and g.points.shape == (n**d, d) and len(g.axes) == d
    for ax in g.axes:
        np.testing.assert_allclose(ax, np.linspace(-1, 2, n))
    assert len(np.unique(g.points, axis=0)) == n**d and np.all(S.contains(g.points, tol=0.0))
    np.testing.assert_array_equal(g.points[1, :-1], g.points[0, :-1])  # last coordinate fastest
    pts, axes = Box(0, 1).grid(n, d)  # SetPoints unpacks as (points, axes)
    assert pts.shape == (n**d, d) and len(axes) == d


@pytest.mark.parametrize("n,d", [(1, 1), (1, 3), (4, 3), (10, 3), (3, 5), (6, 2)])
def test_simplex_grid_is_the_barycentric_lattice(n, d):
    pts, axes = Simplex().grid(n, d)
    assert pts.shape == (math.comb(n + d - 1, d - 1), d) and len(axes) == d
    assert len(np.unique(pts, axis=0)) == len(pts)
    assert np.all(Simplex(d).contains(pts, tol=1e-12))
    k = pts * n
    np.testing.assert_allclose(k, np.round(k), atol=1e-12)  # coordinates are k / n
    np.testing.assert_array_equal(np.round(k).sum(axis=1), n)
    np.testing.assert_array_equal(axes[0], np.arange(n + 1) / n)


@pytest.mark.parametrize("n,d,radius", [(2, 1, 1.0), (5, 2, 1.0), (7, 3, 0.5), (4, 4, 2.0)])
def test_ball_grid_is_the_box_grid_inside(n, d, radius):
    pts, axes = Ball(radius).grid(n, d)
    box = Box(-radius, radius).grid(n, d).points
    inside = np.linalg.norm(box, axis=1) <= radius * (1 + 1e-12)
    np.testing.assert_array_equal(pts, box[inside])
    assert np.all(Ball(radius, d).contains(pts, tol=1e-12)) and len(axes) == d
    if n % 2 == 1:
        assert np.any(np.all(pts == 0.0, axis=1))  # the centre
    assert Ball().grid(5, 2).points.shape == (13, 2)  # 5x5 grid on [-1, 1]^2: 13 in the disc
