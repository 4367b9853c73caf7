"""Basin boundaries: basin entropy, uncertainty exponent, Wada test, edge tracking.

Known answers: synthetic images with closed-form box entropies; the symmetric toggle switch
(smooth boundary, the diagonal; saddle at u = v with u^3 + u = 3); the magnetic pendulum of
Attractors.jl / PredefinedDynamicalSystems (gamma = 1, d = 0.3, alpha = 0.2, omega = 0.5, three
magnets on the unit circle; fractal, Wada basins); competition Lotka-Volterra (saddles in
closed form); a product map with the saddle at the origin.
"""

import collections
import concurrent.futures as cf
import math
import warnings

import numpy as np
import pytest

from equilibria._lib.result import ConvergenceWarning
from equilibria.odes import ODE, Grid, IntegratorOptions, Map, basins_of_attraction
from equilibria.odes.boundary import (basin_entropy, edge_tracking, uncertainty_exponent,
                                      uncertainty_exponent_image, wada_test)

LOG2 = math.log(2.0)


# ---------------------------------------------------------------------------------- systems
def toggle_f(x, p):
    a, m = p[0], p[1]
    return np.array([a / (1 + x[1] ** m) - x[0], a / (1 + x[0] ** m) - x[1]])


def pendulum_f(x, p):
    om2, gam, d2 = p[0] ** 2, p[1], p[2] ** 2
    ax = -om2 * x[0] - gam * x[2]
    ay = -om2 * x[1] - gam * x[3]
    for i in range(3):
        th = 2 * np.pi * (i + 1) / 3
        dx, dy = np.cos(th) - x[0], np.sin(th) - x[1]
        D3 = (dx * dx + dy * dy + d2) ** 1.5
        ax += dx / D3
        ay += dy / D3
    return np.array([x[2], x[3], ax, ay])


def lv_f(x, p):
    return np.array([x[0] * (1 - x[0] - p[0] * x[1]), x[1] * (1 - x[1] - p[1] * x[0])])


def toggle_saddle(a=3.0):
    """u = v with a / (1 + u^2) = u, i.e. u^3 + u - a = 0 (one real root)."""
    r = np.roots([1.0, 0.0, 1.0, -a])
    return float(r[np.abs(r.imag) < 1e-12].real[0])


@pytest.fixture(scope="module")
def toggle():
    return ODE(toggle_f, ["u", "v"], params={"a": 3.0, "n": 2.0})


@pytest.fixture(scope="module")
def toggle_grid():
    return Grid.box(-0.5, 4.5, 51, dim=2)


@pytest.fixture(scope="module")
def toggle_basins(toggle, toggle_grid):
    # 100 x 80 initial conditions on [0, 4]^2; no point lies exactly on the diagonal (the
    # saddle's stable manifold), 8 i - 10 j = 1 has no integer solution
    u = 0.02 + 0.04 * np.arange(100)
    v = 0.025 + 0.05 * np.arange(80)
    return basins_of_attraction(toggle, toggle_grid, ic_axes=[u, v], progress=False)


@pytest.fixture(scope="module")
def pendulum():
    return ODE(pendulum_f, ["x", "y", "vx", "vy"],
               params={"omega": 0.5, "alpha": 0.2, "d": 0.3})


@pytest.fixture(scope="module")
def pendulum_grid():
    return Grid.box([-3, -3, -4, -4], [3, 3, 4, 4], 41)


@pytest.fixture(scope="module")
def pendulum_basins(pendulum, pendulum_grid):
    axis = np.linspace(-3, 3, 101)
    return basins_of_attraction(pendulum, pendulum_grid, base=np.zeros(4), ic_axes=[axis, axis],
                                options=IntegratorOptions(dt=0.5), progress=False)


def naive_entropy(img, b):
    """Loops over boxes and a Counter per box (independent of the vectorised tiling)."""
    nb = [s // k for s, k in zip(img.shape, b)]
    S = []
    for idx in np.ndindex(*nb):
        sl = tuple(slice(i * k, (i + 1) * k) for i, k in zip(idx, b))
        c = collections.Counter(img[sl].ravel().tolist())
        tot = sum(c.values())
        S.append(sum(-(v / tot) * math.log(v / tot) for v in c.values()))
    S = np.array(S)
    return S.mean(), S[S > 0].mean()


# ---------------------------------------------------------------------------------- entropy
def test_basin_entropy_closed_forms():
    H = lambda *p: -sum(q * math.log(q) for q in p)  # noqa: E731
    img = np.ones((10, 10), dtype=int)
    img[:, :3] = 2  # the left column of boxes is split 3:2, the right one is pure
    r = basin_entropy(img, box_size=5)
    assert r.success and r.n_boxes == 4 and r.n_boundary_boxes == 2 and r.n_labels == 2
    assert r.sbb == pytest.approx(H(0.6, 0.4), abs=1e-14)
    assert r.sb == pytest.approx(H(0.6, 0.4) / 2, abs=1e-14)
    # a checkerboard: every 2 x 2 box is half and half, S_i = log 2 (not > log 2)
    cb = np.indices((20, 20)).sum(axis=0) % 2
    r = basin_entropy(cb, box_size=2)
    assert r.sb == pytest.approx(LOG2, abs=1e-14) and r.sbb == pytest.approx(LOG2, abs=1e-14)
    assert not r.log2_criterion
    # three labels evenly in every 3 x 3 box (special labels -1 and 0 count as labels)
    tri = np.indices((9, 12)).sum(axis=0) % 3 - 1
    r = basin_entropy(tri, box_size=3)
    assert r.n_labels == 3 and r.labels.tolist() == [-1, 0, 1]
    assert r.sbb == pytest.approx(math.log(3), abs=1e-14) and r.log2_criterion
    assert r.max_entropy == pytest.approx(math.log(3))


def test_basin_entropy_matches_naive_loops_in_3d():
    rng = np.random.default_rng(3)
    img = rng.integers(-1, 3, size=(7, 10, 11))
    img[:, :5] = 1  # some pure boxes
    r = basin_entropy(img, box_size=(3, 4, 5))
    sb, sbb = naive_entropy(img, (3, 4, 5))
    assert r.box_entropy.shape == (2, 2, 2)
    assert r.sb == pytest.approx(sb, abs=1e-13) and r.sbb == pytest.approx(sbb, abs=1e-13)
    assert "remainder" in r.message


def test_one_label_has_no_boundary_entropy():
    with pytest.warns(ConvergenceWarning, match="S_bb is undefined"):
        r = basin_entropy(np.full((10, 10), 3), box_size=5)
    assert not r.success and r.sb == 0.0 and math.isnan(r.sbb) and r.n_boundary_boxes == 0


def test_toggle_smooth_boundary_has_small_entropy(toggle_basins):
    b = toggle_basins
    assert len(b.attractors) == 2 and set(np.unique(b.basins)) == {1, 2}
    # the boundary is the diagonal: the exact image is label(u > v)
    U, V = np.meshgrid(*b.axes)
    big_u = 1 if b.attractors[0].location[0] > b.attractors[0].location[1] else 2
    exact = np.where(U > V, big_u, 3 - big_u)
    # (a few cells next to the diagonal take the label of a coarse machine cell)
    assert np.mean(b.basins == exact) > 0.99
    r = basin_entropy(b, box_size=5)
    ref = basin_entropy(exact, box_size=5)
    assert r.sb == pytest.approx(ref.sb, abs=0.01) and r.sbb == pytest.approx(ref.sbb, abs=0.05)
    assert r.sb < 0.05 and r.sbb < LOG2 - 0.15 and not r.log2_criterion


def test_magnetic_pendulum_is_fractal_and_wada(pendulum, pendulum_grid, pendulum_basins):
    """One test, so the pendulum's kernels compile once (basins, entropy, Wada, exponents)."""
    b = pendulum_basins
    assert b.success and len(b.attractors) == 3
    assert all(a.kind == "fixed point" and a.stable for a in b.attractors)
    mags = np.array([[np.cos(2 * np.pi * i / 3), np.sin(2 * np.pi * i / 3)] for i in (1, 2, 3)])
    for a in b.attractors:  # each rests near a magnet (pulled towards the origin by omega)
        assert np.min(np.linalg.norm(mags - a.location[:2], axis=1)) < 0.1
        np.testing.assert_allclose(a.location[2:], 0.0, atol=1e-9)
    # basin entropy: S_bb > log 2 proves the fractal boundary
    e = basin_entropy(b, box_size=5)
    assert e.n_labels == 3 and e.sb > 0.4 and e.sbb > LOG2 and e.log2_criterion
    # Wada: the boundary cells meet all three basins within a few cells
    w = wada_test(b)
    assert w.success and w.is_wada and w.labels.tolist() == [1, 2, 3]
    assert w.radius is not None and w.radius <= 5
    assert np.all(np.diff(w.wada_fraction) >= 0) and w.wada_fraction[-1] >= 0.95
    np.testing.assert_allclose(w.shares.sum(axis=1), 1.0, atol=1e-12)
    assert w.merge_uncovered[-1] < 0.01  # the merged boundaries coincide within r cells
    # uncertainty exponent from the dynamics (threads), and from the image: both below 1
    opt = IntegratorOptions(dt=0.5, rtol=1e-7, atol=1e-9)
    with cf.ThreadPoolExecutor(2) as ex:
        r = uncertainty_exponent(pendulum, pendulum_grid, base=np.zeros(4), n=200,
                                 epsilons=6 * np.array([1e-3, 1e-2, 1e-1]), options=opt,
                                 chunks=2, executor=ex, seed=2, min_uncertain=10,
                                 progress=False)
    assert r.success and r.fractal and r.alpha + 2 * r.alpha_stderr < 1.0
    assert 0.0 < r.alpha < 0.8
    img = uncertainty_exponent_image(b)
    assert img.success and img.method == "image" and img.fractal and img.alpha < 0.8
    assert abs(img.alpha - r.alpha) < 3 * math.hypot(img.alpha_stderr, r.alpha_stderr)
    fig = r.plot()
    fig.savefig("/tmp/test_boundary_uncertainty.png")
    texts = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert any("fit" in t and f"{r.alpha:.3f}" in t for t in texts)
    assert fig.axes[0].get_xscale() == "log" and fig.axes[0].get_yscale() == "log"


# ---------------------------------------------------------------------------------- Wada
def sectors(n=101):
    yy, xx = np.mgrid[0:n, 0:n] - n // 2
    ang = np.arctan2(yy, xx)
    return (np.floor((ang + np.pi) / (2 * np.pi / 3)).astype(int) % 3) + 1


def test_smooth_three_basin_boundaries_are_not_wada():
    r = wada_test(sectors())  # three sectors meeting at one point
    assert r.success and not r.is_wada and r.radius is None
    assert r.wada_fraction.max() < 0.2 and r.merge_uncovered.min() > 0.3
    # triple-point share grows about linearly with r (only cells near the centre see all 3)
    assert r.wada_fraction[-1] > r.wada_fraction[0]
    stripes = np.repeat(np.array([1] * 34 + [2] * 33 + [3] * 34)[None, :], 60, axis=0)
    s = wada_test(stripes, max_dilations=5)
    assert not s.is_wada and np.all(s.wada_fraction == 0) and np.all(s.merge_uncovered == 1)


def test_wada_ignores_labels_outside_the_tested_basins():
    img = sectors()
    img[:5] = 0  # a band of unresolved cells is no basin
    with pytest.raises(ValueError, match="`basins` must hold at least 3 basins"):
        wada_test(img, labels=[1, 2])
    r = wada_test(img, labels=[1, 2, 3])
    assert r.labels.tolist() == [1, 2, 3] and not r.is_wada


# ---------------------------------------------------------------------------------- uncertainty
def test_toggle_uncertainty_exponent_is_one(toggle, toggle_grid):
    r = uncertainty_exponent(toggle, toggle_grid, region=([0, 0], [4, 4]), n=2000, seed=1,
                             progress=False)
    assert r.success and r.method == "dynamics" and r.dimension == 2 and r.used.sum() >= 3
    assert r.alpha_stderr < 0.1 and abs(r.alpha - 1.0) < 3 * r.alpha_stderr
    assert not r.fractal and r.n_unresolved == 0
    # a straight boundary of length L in area A: f = (4 / pi) eps L / A for a random direction
    L, A = 4 * math.sqrt(2), 16.0
    np.testing.assert_allclose(r.fractions, 4 / math.pi * r.epsilons * L / A, rtol=0.35)


def test_image_uncertainty_of_a_straight_line_is_one():
    yy, xx = np.mgrid[0:400, 0:400]
    img = np.where(yy > 0.37 * xx + 50.3, 1, 2)
    r = uncertainty_exponent_image(img, box_sizes=[2, 4, 8, 16, 32])
    assert r.success and abs(r.alpha - 1.0) < 0.05 and not r.fractal
    np.testing.assert_array_equal(r.epsilons, [1, 3, 7, 15, 31])  # box spans b - 1
    assert r.boundary_dimension == pytest.approx(2 - r.alpha)


def test_uncertainty_serial_equals_threads(toggle, toggle_grid):
    kw = dict(region=([0, 0], [4, 4]), n=300, epsilons=[0.05, 0.2, 0.8], seed=5, max_n=300,
              min_uncertain=5, chunks=2, progress=False)
    a = uncertainty_exponent(toggle, toggle_grid, **kw)
    with cf.ThreadPoolExecutor(2) as ex:
        b = uncertainty_exponent(toggle, toggle_grid, executor=ex, **kw)
    assert np.array_equal(a.n_uncertain, b.n_uncertain) and a.alpha == b.alpha


def test_uncertainty_failure_is_reported(toggle, toggle_grid):
    with pytest.warns(ConvergenceWarning, match="epsilon"):
        r = uncertainty_exponent(toggle, toggle_grid, n=100, max_n=100,
                                 epsilons=[1e-7, 2e-7, 4e-7], progress=False)
    assert not r.success and math.isnan(r.alpha) and not r.fractal
    assert np.all(r.n_uncertain == 0)


# ---------------------------------------------------------------------------------- edge tracking
def test_toggle_edge_state_is_the_diagonal_saddle(toggle, toggle_grid):
    r = edge_tracking(toggle, [3.5, 0.5], [0.5, 3.0], grid=toggle_grid, progress=False)
    us = toggle_saddle()
    assert r.success
    assert np.max(np.abs(r.edge_state - us)) < 1e-6
    # the first bisection lands on the diagonal far from the saddle: the tracking did the work
    assert np.linalg.norm(r.edge_points[0] - us) > 0.5
    assert np.max(np.abs(r.track_a[0] - r.track_b[0])) <= 1e-9
    # Jacobian at the saddle: -1 +- 2 a u / (1 + u^2)^2
    k = 2 * 3.0 * us / (1 + us * us) ** 2
    np.testing.assert_allclose(np.sort(r.eigenvalues.real), [-1 - k, -1 + k], atol=1e-6)
    assert r.n_unstable == 1 and r.residual < 1e-6


@pytest.fixture(scope="module")
def competition():
    return ODE(lv_f, ["x", "y"], params={"a12": 2.0, "a21": 2.0})


@pytest.mark.parametrize("a12,a21,saddle", [(2.0, 2.0, (1 / 3, 1 / 3)), (2.0, 3.0, (0.2, 0.4))])
def test_competition_edge_state_is_the_interior_saddle(competition, a12, a21, saddle):
    lv = competition.with_params(a12=a12, a21=a21)
    r = edge_tracking(lv, [0.9, 0.05], [0.05, 0.9], attractors=[[1.0, 0.0], [0.0, 1.0]],
                      progress=False)
    assert r.success and r.n_unstable == 1
    np.testing.assert_allclose(r.edge_state, saddle, rtol=0, atol=1e-6)
    assert len(r.track) == len(r.track_a) == len(r.track_b)
    assert r.corrections[-1] <= 1e-8 and np.linalg.norm(r.edge_points[0] - saddle) > 0.05


def test_map_edge_state():
    f = Map(lambda x, p: np.array([p[0] * np.tanh(x[0]), p[1] * x[1]]), ["x", "y"],
            params={"c": 1.5, "s": 0.5})
    from scipy.optimize import brentq

    xs = brentq(lambda x: 1.5 * math.tanh(x) - x, 0.5, 3.0)
    r = edge_tracking(f, [1.0, 1.0], [-0.5, 2.0], attractors=[[xs, 0.0], [-xs, 0.0]],
                      progress=False)
    assert r.success and np.max(np.abs(r.edge_state)) < 1e-6 and r.n_unstable == 1


def test_edge_tracking_budget_failure(toggle):
    A = [[2.6180339887, 0.3819660113], [0.3819660113, 2.6180339887]]
    with pytest.warns(ConvergenceWarning, match="bisections without convergence"):
        r = edge_tracking(toggle, [3.5, 0.5], [0.5, 3.0], attractors=A, max_iter=1,
                          progress=False)
    assert not r.success and len(r.edge_points) == 1


# ---------------------------------------------------------------------------------- validation
def test_bad_inputs_name_the_argument(toggle, toggle_grid):
    img = np.ones((10, 10), dtype=int)
    for kw, match in [(dict(box_size=1), "box_size"), (dict(box_size=11), "box_size"),
                      (dict(box_size=(2, 2, 2)), "box_size")]:
        with pytest.raises(ValueError, match=match):
            basin_entropy(img, **kw)
    with pytest.raises(ValueError, match="basins"):
        basin_entropy(np.ones(10, dtype=int))
    with pytest.raises(ValueError, match="basins"):
        basin_entropy(np.full((4, 4), 0.5))
    with pytest.raises(TypeError, match="basins"):
        basin_entropy("image")
    with pytest.raises(ValueError, match="at least 3 basins"):
        wada_test(np.indices((10, 10))[0] % 2)
    with pytest.raises(ValueError, match="max_dilations"):
        wada_test(sectors(), max_dilations=0)
    with pytest.raises(ValueError, match="tol"):
        wada_test(sectors(), tol=1.0)
    with pytest.raises(ValueError, match="labels"):
        wada_test(sectors(), labels=[1, 2, 7])
    with pytest.raises(ValueError, match="box_sizes"):
        uncertainty_exponent_image(sectors(), box_sizes=[2, 4])
    for kw, match in [(dict(coordinates=(0, 2)), "coordinates"), (dict(n=0), "n"),
                      (dict(epsilons=[0.1, -0.1, 0.2]), "epsilons"),
                      (dict(region=([0, 0], [0, 4])), "region"),
                      (dict(epsilons=[0.1, 0.1, 0.2]), "epsilons")]:
        with pytest.raises(ValueError, match=match):
            uncertainty_exponent(toggle, toggle_grid, progress=False, **kw)
    with pytest.raises(ValueError, match="`grid` has 3 axes"):
        uncertainty_exponent(toggle, Grid.box(0, 1, 5, dim=3), progress=False)
    A = [[2.618, 0.382], [0.382, 2.618]]
    with pytest.raises(ValueError, match="x_a"):  # both in the basin of the first attractor
        edge_tracking(toggle, [3.5, 0.5], [3.0, 1.0], attractors=A, progress=False)
    with pytest.raises(ValueError, match="bisect_tol"):
        edge_tracking(toggle, [3.5, 0.5], [0.5, 3.0], attractors=A, bisect_tol=0.0)
    with pytest.raises(ValueError, match="`attractors`"):
        edge_tracking(toggle, [3.5, 0.5], [0.5, 3.0])
    with pytest.raises(ValueError, match="attractors\\[1\\]"):
        edge_tracking(toggle, [3.5, 0.5], [0.5, 3.0], attractors=[A[0], [1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match="x_b"):
        edge_tracking(toggle, [3.5, 0.5], [0.5, 3.0, 1.0], attractors=A)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        basin_entropy(np.indices((8, 8))[0].astype(float), box_size=4)  # integral floats
