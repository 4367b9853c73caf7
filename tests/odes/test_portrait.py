"""Phase and ternary portraits: the artists drawn and the equilibria classified on standard
systems (toggle switch: two stable nodes and a saddle; damped pendulum: foci at 2k pi, saddles
at (2k+1) pi; rock-paper-scissors replicator: saddle vertices and an interior focus that is
stable for w > l, unstable for w < l, a centre for w = l, with the closed-form spectrum
(l - w)/6 +- i sqrt(3)(l + w)/6)."""

import math

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.collections import LineCollection
from matplotlib.contour import ContourSet
from scipy.optimize import fsolve

from equilibria.odes import ODE, Map
from equilibria.odes.portrait import locate_equilibria, phase_portrait, ternary_portrait


def toggle_f(x, p):
    a, m = p[0], p[1]
    return np.array([a / (1 + x[1] ** m) - x[0], a / (1 + x[0] ** m) - x[1]])


def pendulum_f(x, p):
    return np.array([x[1], -np.sin(x[0]) - p[0] * x[1]])


def rps_f(x, p):
    w, l = p[0], p[1]
    A = np.array([[0.0, -l, w], [w, 0.0, -l], [-l, w, 0.0]])
    f = A @ x
    return x * (f - x @ f)


@pytest.fixture(scope="module")
def toggle():
    return ODE(toggle_f, ["u", "v"], params={"a": 3.0, "n": 2.0})


@pytest.fixture(scope="module")
def rps():
    return ODE(rps_f, ["rock", "paper", "scissors"], params={"w": 2.0, "l": 1.0},
               x0=[0.2, 0.3, 0.5])


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def legend_labels(fig):
    return [t.get_text() for t in fig.axes[0].get_legend().get_texts()]


def test_toggle_equilibria_against_fsolve(toggle):
    eq = locate_equilibria(toggle, (0, 4), (0, 4))
    assert eq.success and eq.kinds == ("stable node", "stable node", "saddle")
    for x in eq.points:
        ref = fsolve(lambda z: toggle.rhs(z), x + 0.05, xtol=1e-13)
        np.testing.assert_allclose(x, ref, atol=1e-9)
    phi = (1 + math.sqrt(5)) / 2  # u = phi^2 = 2.618, v = 1/phi^2 = 0.382
    np.testing.assert_allclose(eq.of_kind("stable"), [[1 / phi ** 2, phi ** 2],
                                                      [phi ** 2, 1 / phi ** 2]], atol=1e-9)
    s = eq.of_kind("saddle")[0]
    assert s[0] == pytest.approx(s[1]) and s[0] * (1 + s[0] ** 2) == pytest.approx(3.0)


def test_toggle_portrait_artists(toggle, tmp_path):
    fig = phase_portrait(toggle, xlim=(0, 4), ylim=(0, 4),
                         trajectories=[[0.2, 0.6], [4.0, 1.0]], t_end=10.0,
                         title=r"Toggle switch $\dot u = a/(1+v^n) - u$")
    ax = fig.axes[0]
    assert sum(isinstance(c, ContourSet) for c in ax.collections) == 2  # two nullclines
    assert any(isinstance(c, LineCollection) and not isinstance(c, ContourSet)
               for c in ax.collections)  # streamlines
    labels = legend_labels(fig)
    assert "u-nullcline" in labels and "v-nullcline" in labels
    assert sum(lab.startswith("stable node") for lab in labels) == 2
    assert sum(lab.startswith("saddle") for lab in labels) == 1
    assert "saddle (1.21, 1.21)" in labels
    assert "sample trajectories" in labels
    assert ax.get_xlabel() == "u" and ax.get_ylabel() == "v"
    # the legend sits outside the data (right of the axes)
    fig.canvas.draw()
    leg = ax.get_legend().get_window_extent()
    assert leg.x0 >= ax.get_window_extent().x1
    fig.savefig(tmp_path / "toggle.png")


def test_pendulum_equilibria_and_given_points():
    pend = ODE(pendulum_f, ["theta", "omega"], params={"gamma": 0.25})
    eq = locate_equilibria(pend, (-2 * math.pi, 2 * math.pi), (-3, 3), n_starts=14)
    foci = np.sort(eq.of_kind("stable focus")[:, 0])
    saddles = np.sort(eq.of_kind("saddle")[:, 0])
    np.testing.assert_allclose(foci, [-2 * math.pi, 0.0, 2 * math.pi], atol=1e-9)
    np.testing.assert_allclose(saddles, [-math.pi, math.pi], atol=1e-9)
    fig = phase_portrait(pend, xlim=(-4, 4), ylim=(-3, 3), equilibria=[[0.1, 0.0], [3.0, 0.1]],
                         nullclines=False)
    labels = legend_labels(fig)
    assert labels[1:] == ["stable focus (0, 0)", "saddle (3.14, 0)"]
    assert not any(isinstance(c, ContourSet) for c in fig.axes[0].collections)


@pytest.mark.parametrize("w,l,interior", [(2.0, 1.0, "stable focus"),
                                          (1.0, 2.0, "unstable focus"), (1.0, 1.0, "centre")])
def test_rps_equilibria_on_the_simplex(rps, w, l, interior):
    eq = locate_equilibria(rps.with_params(w=w, l=l), simplex=True)
    assert eq.success
    assert len(eq.kinds) == 4
    i = int(np.argmin(np.abs(eq.points - 1 / 3).max(axis=1)))
    np.testing.assert_allclose(eq.points[i], [1 / 3] * 3, atol=1e-12)
    assert eq.kinds[i] == interior
    rest = [k for k in range(4) if k != i]
    assert sorted(map(tuple, eq.points[rest].tolist())) == [(0, 0, 1), (0, 1, 0), (1, 0, 0)]
    assert {eq.kinds[k] for k in rest} == {"saddle"}
    ev = np.sort_complex(eq.eigenvalues[i])
    c = (l - w) / 6 + 1j * math.sqrt(3) * (l + w) / 6
    np.testing.assert_allclose(ev, np.sort_complex([c, c.conjugate()]), atol=1e-8)
    v = [k for k, x in enumerate(eq.points) if x[0] == 1.0][0]  # vertex rock: w and -l
    np.testing.assert_allclose(np.sort(eq.eigenvalues[v].real), [-l, w], atol=1e-9)


def test_ternary_portrait_artists(rps, tmp_path):
    fig = ternary_portrait(rps, trajectories=[[0.6, 0.3, 0.1]], t_end=30.0,
                           title=r"RPS, $w > l$")
    ax = fig.axes[0]
    labels = legend_labels(fig)
    assert sum(lab.startswith("stable focus") for lab in labels) == 1
    assert sum(lab.startswith("saddle") for lab in labels) == 3
    assert "stable focus (0.333, 0.333, 0.333)" in labels
    texts = {t.get_text() for t in ax.texts}
    assert {"rock", "paper", "scissors"} <= texts
    assert any(isinstance(c, LineCollection) for c in ax.collections)
    fig.savefig(tmp_path / "rps.png")


def test_bad_input_names_the_argument(toggle, rps):
    with pytest.raises(ValueError, match="`xlim`"):
        phase_portrait(toggle, xlim=(4, 0), ylim=(0, 4))
    with pytest.raises(ValueError, match="`ylim`"):
        phase_portrait(toggle, xlim=(0, 4), ylim=(0, 4, 5))
    with pytest.raises(ValueError, match="`coordinates`"):
        phase_portrait(toggle, xlim=(0, 4), ylim=(0, 4), coordinates=(0, 0))
    with pytest.raises(ValueError, match="`density`"):
        phase_portrait(toggle, xlim=(0, 4), ylim=(0, 4), density=0.0)
    with pytest.raises(ValueError, match="`trajectories`"):
        phase_portrait(toggle, xlim=(0, 4), ylim=(0, 4), trajectories=[[1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match="`base`"):
        phase_portrait(rps, xlim=(0, 1), ylim=(0, 1), base=[0.0, 0.0])
    with pytest.raises(ValueError, match="`system`"):
        ternary_portrait(toggle)
    with pytest.raises(ValueError, match="`trajectories`"):
        ternary_portrait(rps, trajectories=[[0.5, 0.5, 0.5]])
    with pytest.raises(TypeError, match="`system`"):
        phase_portrait(Map(lambda x, p: 0.5 * x, 2), xlim=(0, 1), ylim=(0, 1))
    leak = ODE(lambda x, p: -x, 3)  # does not keep the simplex invariant
    with pytest.raises(ValueError, match="`system` does not keep the simplex"):
        ternary_portrait(leak)
    with pytest.raises(ValueError, match="`xlim`"):
        locate_equilibria(toggle)
