"""Data out (issue 14, part 6): sweep, basin, regime, continuation and bandit results as pandas
DataFrames and xarray Datasets with named coordinates; a clear ImportError without the extra.
"""

from __future__ import annotations

import builtins

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
xr = pytest.importorskip("xarray")

from equilibria.odes import (CoexistenceModel, Grid, ODE, basin_continuation,  # noqa: E402
                             basin_sweep, basins_of_attraction, regime_diagram)
from equilibria.odes.continuation import generic_regime_diagram, global_continuation  # noqa: E402
from equilibria.odes.model import OUTCOME_CLASSES  # noqa: E402


def toggle_f(x, p):
    a, m = p[0], p[1]
    return np.array([a / (1 + x[1] ** m) - x[0], a / (1 + x[0] ** m) - x[1]])


@pytest.fixture(scope="module")
def coex():
    gov = CoexistenceModel.preset("governed")
    return {"basins": basin_sweep(CoexistenceModel.preset("lock_in"), grid=10, progress=False),
            "continuation": basin_continuation(gov, "g", np.linspace(0, 5, 4), grid=6,
                                               progress=False),
            "regimes": regime_diagram(gov, "g", np.linspace(0, 4, 3), "reciprocity",
                                      np.linspace(0.5, 1.5, 2), n_ic=3, progress=False)}


@pytest.fixture(scope="module")
def generic():
    system = ODE(toggle_f, ["u", "v"], params={"a": 3.0, "n": 2.0})
    grid = Grid.box(0, 4, 11, dim=2)
    return {"basins": basins_of_attraction(system, grid, progress=False),
            "continuation": global_continuation(system, "a", np.array([1.0, 3.0]), grid, n=40,
                                                progress=False),
            "regimes": generic_regime_diagram(system, "a", np.array([1.0, 3.0]), "n",
                                              np.array([1.0, 2.0, 3.0]), grid, n=30,
                                              progress=False)}


def test_regime_diagram_axes_are_the_parameter_names(coex):
    res = coex["regimes"]
    ds = res.to_xarray()
    assert ds["class_code"].dims == ("reciprocity", "g")
    np.testing.assert_array_equal(ds["g"].values, res.x_values)
    np.testing.assert_array_equal(ds["reciprocity"].values, res.y_values)
    cell = ds.sel(g=res.x_values[2], reciprocity=res.y_values[1])
    assert int(cell["class_code"]) == res.classes[1, 2]
    assert str(cell["class"].values) == OUTCOME_CLASSES[res.classes[1, 2]]
    df = res.to_dataframe()
    assert list(df.columns[:2]) == ["reciprocity", "g"] and len(df) == res.classes.size
    row = df[(df.g == res.x_values[2]) & (df.reciprocity == res.y_values[1])]
    assert row["class_code"].item() == res.classes[1, 2]
    np.testing.assert_allclose(row["coexistence"].item(), res.coexistence[1, 2], rtol=0,
                               atol=0)


def test_basin_slice(coex):
    res = coex["basins"]
    ds = res.to_xarray()
    assert ds["label"].dims == ("v", "u")
    np.testing.assert_array_equal(ds["label"].values, res.labels)
    assert ds["u"].attrs["long_name"] == res.axis_labels[0]
    df = res.to_dataframe()
    assert len(df) == res.labels.size
    j, i = 3, 7
    row = df[(df.u == res.u[i]) & (df.v == res.v[j])]
    assert row["label"].item() == res.labels[j, i]


def test_class_continuation(coex):
    res = coex["continuation"]
    df = res.to_dataframe()
    assert list(df["g"]) == list(res.values)
    for j, nm in enumerate(res.class_names):
        np.testing.assert_array_equal(df[nm].to_numpy(), res.class_fractions[:, j])
    ds = res.to_xarray()
    assert ds["class_fraction"].dims == ("g", "class")
    np.testing.assert_allclose(ds["class_fraction"].sum("class").values, 1.0, rtol=0,
                               atol=1e-12)


def test_generic_results(generic):
    b = generic["basins"]
    ds = b.to_xarray()
    assert set(ds["basin"].dims) == {"u", "v"}
    np.testing.assert_array_equal(ds["basin"].transpose("v", "u").values, b.basins)
    assert len(b.to_dataframe()) == b.basins.size
    gc = generic["continuation"]
    dsc = gc.to_xarray()
    assert dsc["fraction"].dims == ("a", "attractor")
    assert list(dsc["attractor"].values) == list(gc.ids)
    np.testing.assert_array_equal(dsc["fraction"].values, gc.fractions)
    dfc = gc.to_dataframe()
    np.testing.assert_array_equal(dfc["A1"].to_numpy(), gc.fractions[:, 0])
    assert list(dfc["n_attractors"]) == list(gc.n_attractors)
    gr = generic["regimes"]
    dsr = gr.to_xarray()
    assert dsr["n_attractors"].dims == ("n", "a")
    np.testing.assert_array_equal(dsr["n_attractors"].values, gr.n_attractors)
    assert dsr["dominant_location"].dims == ("n", "a", "state")
    assert len(gr.to_dataframe()) == gr.n_attractors.size


def test_bandit_result():
    from equilibria.bandits import KLUCB, BernoulliArms, simulate

    res = simulate(BernoulliArms([0.2, 0.5, 0.8]), KLUCB(), horizon=400, n_runs=3, seed=1,
                   checkpoints=50)
    df = res.to_dataframe()
    assert len(df) == res.regret.size and list(df.columns[:3]) == ["run", "seed", "t"]
    last = df[(df.run == 2) & (df.t == res.t[-1])]
    assert last["regret"].item() == res.regret[2, -1]
    assert last["seed"].item() == res.seeds[2]
    ds = res.to_xarray()
    assert ds["pulls"].dims == ("run", "arm") and ds["regret"].dims == ("run", "t")
    np.testing.assert_array_equal(ds["regret"].sel(run=1).values, res.regret[1])
    np.testing.assert_array_equal(ds["t"].values, res.t)


def test_import_error_names_the_extra(coex, monkeypatch):
    real = builtins.__import__

    def no_data(name, *args, **kwargs):
        if name.split(".")[0] in ("pandas", "xarray"):
            raise ImportError(f"No module named {name!r}")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_data)
    with pytest.raises(ImportError, match=r"pandas.*equilibria\[data\]"):
        coex["regimes"].to_dataframe()
    with pytest.raises(ImportError, match=r"xarray.*equilibria\[data\]"):
        coex["regimes"].to_xarray()
