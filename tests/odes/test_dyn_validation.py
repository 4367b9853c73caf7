"""Regression tests of the reliability issue (bad input) for the generic dynamics machinery.

Every case failed on the old code: a numba TypingError, a MemoryError or a hang for a huge
size, a message naming another argument, an invalid input accepted, or NaN returned without a
failure flag.
"""

import math
import warnings

import numpy as np
import pytest

from equilibria._lib.result import ConvergenceWarning
from equilibria._lib.sets import Box, Simplex
from equilibria.odes import (ODE, Grid, Map, basin_entropy, basin_stability, find_attractors,
                             generic_regime_diagram, locate_equilibria, lyapunov_spectrum,
                             minimal_fatal_shock, recovery_time, wada_test)
from equilibria.odes import theorems as T

BIG = 10**18


def toggle_f(x, p):
    return np.array([p[0] / (1 + x[1] ** p[1]) - x[0], p[0] / (1 + x[0] ** p[1]) - x[1]])


def bistable_f(x, p):
    return np.array([p[0] * (x[0] - x[0] ** 3)])


def henon_f(x, p):
    return np.array([1 - p[0] * x[0] ** 2 + x[1], p[1] * x[0]])


@pytest.fixture(scope="module")
def toggle():
    return ODE(toggle_f, ["u", "v"], params={"a": 3.0, "n": 2.0})


@pytest.fixture(scope="module")
def bistable():
    return ODE(bistable_f, ["x"], params={"a": 1.0})


@pytest.fixture(scope="module")
def henon():
    return Map(henon_f, ["x", "y"], params={"a": 1.4, "b": 0.3})


GRID2 = Grid.box(0.0, 4.0, 11, dim=2)
GRID1 = Grid.box(-2.0, 2.0, 21, dim=1)


# ---------------------------------------------------------------------------------- sets, grids
def test_sets_reject_huge_sizes_before_allocating():
    for call in (lambda: Box(0.0, 1.0).center(BIG), lambda: Box(0.0, 1.0).grid(BIG, 2),
                 lambda: Box(0.0, 1.0).grid(3, BIG), lambda: Simplex().sample(0, BIG, 3),
                 lambda: Simplex().grid(BIG, 3), lambda: Simplex().center(BIG)):
        with pytest.raises(ValueError, match="`(n_per_axis|d|n)`"):
            call()


def test_simplex_projection_of_a_huge_entry():
    p = Simplex(dim=3).project([1e300, 1.0, -1.0])
    np.testing.assert_allclose(p, [1.0, 0.0, 0.0], rtol=0, atol=1e-15)


def test_grid_box_validates_its_arguments():
    with pytest.raises(TypeError, match="`lo`"):
        Grid.box(np.array(["0", "0"]), 1.0, 5)
    with pytest.raises(TypeError, match="`hi`"):
        Grid.box(0.0, np.array([1 + 1j, 1.0]), 5)
    with pytest.raises(ValueError, match="`n`"):
        Grid.box(0.0, 1.0, BIG, dim=2)
    with pytest.raises(TypeError, match="`n`"):
        Grid.box(0.0, 1.0, 5.5, dim=2)
    with pytest.raises(ValueError, match="`lo`"):
        Grid.box([0.0, 0.0, 0.0], [1.0, 1.0], 5)
    # a float32 axis is still equally spaced
    Grid(np.linspace(-1.0, 1.0, 4).astype(np.float32), np.linspace(0.0, 1.0, 3))


# ---------------------------------------------------------------------------------- systems
def test_rhs_and_jacobian_validate_the_state(toggle):
    for bad in ([np.nan, 1.0], [[1.0], [2.0]], ["1", "2"], None):
        for fn in (toggle.rhs, toggle.jacobian):
            with pytest.raises((ValueError, TypeError), match="`x`"):
                fn(np.array(bad) if bad is not None else None)


def test_constructor_names_dim_and_name():
    with pytest.raises(TypeError, match="`dim`"):
        ODE(toggle_f, 2.5, params={"a": 3.0, "n": 2.0})
    with pytest.raises(ValueError, match="`dim`"):
        ODE(toggle_f, BIG, params={"a": 3.0, "n": 2.0})
    with pytest.raises(TypeError, match="`name`"):
        ODE(toggle_f, 2, params={"a": 3.0, "n": 2.0}, name=3)


def test_check_param_names_the_argument(toggle):
    with pytest.raises(ValueError, match="`name`"):
        toggle.check_param("nope")
    with pytest.raises(TypeError, match="`name`"):
        toggle.check_param(3)


def test_huge_iteration_counts_and_times_are_refused(toggle, henon):
    with pytest.raises(ValueError, match="`n_iter`"):
        henon.trajectory([0.1, 0.1], BIG)
    with pytest.raises(ValueError, match="`n_iter`"):
        henon.end_states([[0.1, 0.1]], BIG)
    with pytest.raises(ValueError, match="`t_end`"):
        toggle.end_states([[1.0, 2.0]], 1e300)
    with pytest.raises(ValueError, match="`X0`"):  # diverged at t = 0
        henon.end_states([[1e300, 0.1]], 5)


# ---------------------------------------------------------------------------------- sweeps
def test_find_attractors_names_initial_conditions_and_checks_n(toggle):
    with pytest.raises(ValueError, match="`initial_conditions`"):
        find_attractors(toggle, GRID2, [[np.nan, 1.0]], progress=False)
    with pytest.raises(TypeError, match="`n`"):
        find_attractors(toggle, GRID2, [[3.5, 0.5]], n=2.5, progress=False)
    with pytest.raises(ValueError, match="`n`"):
        find_attractors(toggle, GRID2, n=BIG, progress=False)


def test_fixed_point_attractors_hold_no_nan(toggle):
    res = find_attractors(toggle, GRID2, [[3.5, 0.5], [0.5, 3.5]], progress=False)
    for a in res.attractors:
        assert a.kind == "fixed point" and a.period is None and a.lyapunov is None


def test_lyapunov_spectrum_refuses_huge_step_counts(toggle):
    with pytest.raises(ValueError, match="`n_steps`"):
        lyapunov_spectrum(toggle, [1.0, 2.0], n_steps=BIG, progress=False)
    with pytest.raises(ValueError, match="`transient`"):
        lyapunov_spectrum(toggle, [1.0, 2.0], n_steps=10, transient=BIG, progress=False)


def test_resilience_names_its_arguments(bistable):
    with pytest.raises(ValueError, match="`attractor`"):
        basin_stability(bistable, [1e300], Box(-2.0, 2.0, dim=1), grid=GRID1, n=10,
                        progress=False)
    with pytest.raises(ValueError, match="`bisect_tol`"):
        minimal_fatal_shock(bistable, [1.0], grid=GRID1, max_radius=3.0, bisect_tol=1e-300,
                            progress=False)
    with pytest.raises(ValueError, match="`x_shocked`"):
        recovery_time(bistable, [1.0], [1e300])
    with pytest.raises(ValueError, match="`t_max`"):
        recovery_time(bistable, [1.0], [0.5], t_max=1e300)


def test_regime_cell_without_attractor_is_a_failure(toggle):
    with pytest.warns(ConvergenceWarning, match="no attractor"):
        rd = generic_regime_diagram(toggle, "a", [-4.0, -3.5], "n", [2.0], GRID2, n=10,
                                    progress=False)
    assert not rd.success


def test_boundary_and_portrait_inputs():
    img = np.indices((12, 12))[0] % 3 + 1
    with pytest.raises(TypeError, match="`basins`"):
        basin_entropy(img > 1)
    with pytest.raises(TypeError, match="`labels`"):
        wada_test(img, labels=np.array([1, 2, 3], dtype=object))


def test_portrait_coordinates_and_sizes(toggle):
    with pytest.raises(TypeError, match="`coordinates`"):
        locate_equilibria(toggle, (0.0, 4.0), (0.0, 4.0), coordinates=np.array(["0", "1"]))
    with pytest.raises(TypeError, match="`coordinates`"):
        locate_equilibria(toggle, (0.0, 4.0), (0.0, 4.0), coordinates=(0.5, 1))
    with pytest.raises(ValueError, match="`n_starts`"):
        locate_equilibria(toggle, (0.0, 4.0), (0.0, 4.0), n_starts=BIG)


def test_lyapunov_theorems_validate_instances():
    with pytest.raises(ValueError, match="`sigma`"):
        T.evaluate_lyapunov_sum({"sigma": -1.0, "rho": 28.0, "beta": 2.0,
                                 "x0": np.ones(3), "seed": 0})
    with pytest.raises(ValueError, match="`A`"):
        T.evaluate_lyapunov_linear({"A": np.ones((2, 3)), "x0": np.ones(2), "seed": 0})
    with pytest.raises(TypeError, match="`n`"):
        T.sample_linear_flow(np.random.default_rng(0), n=2.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert math.isfinite(T.evaluate_lyapunov_linear(
            T.sample_linear_flow(np.random.default_rng(1), n=2))[0])
