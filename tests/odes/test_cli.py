import numpy as np

from equilibria.cli import main


def _run(argv):
    try:
        return main(argv)
    except SystemExit as e:  # argparse-style exit
        return e.code


def _npz(folder, command):
    """The one ``<command>_*.npz`` (or ``<command>.npz``) that ``--out folder`` received."""
    import pathlib

    found = sorted(pathlib.Path(folder).glob(f"{command}*.npz"))
    assert len(found) == 1, found
    assert found[0].with_suffix(".png").stat().st_size > 0
    return np.load(found[0])


def test_cli_basin_and_shock_write_png_and_npz(tmp_path, capsys):
    out = str(tmp_path / "b")
    assert _run(["basin", "--grid", "12", "--no-progress", "--out", out]) == 0
    d = _npz(out, "basin_lock_in")
    assert d["labels"].shape == (12, 12)
    assert set(d["kinds"].tolist()) == {"equilibrium"}
    out = str(tmp_path / "s")
    assert _run(["shock", "--magnitude", "0.3", "--out", out]) == 0
    assert bool(_npz(out, "shock_lock_in")["regained"])
    assert "regained" in capsys.readouterr().out


def test_cli_phase_and_regimes(tmp_path):
    out = str(tmp_path / "p")
    assert _run(["phase", "--nx", "3", "--ny", "2", "--n-ic", "3", "--no-progress",
                 "--out", out]) == 0
    assert _npz(out, "phase_governed_g_conflict_asymmetry")["classes"].shape == (2, 3)
    out = str(tmp_path / "r")
    assert _run(["regimes", "--n-values", "3", "--grid", "4", "--no-progress",
                 "--out", out]) == 0
    d = _npz(out, "regimes")
    np.testing.assert_allclose(d["g_class_fractions"].sum(axis=1), 1.0, rtol=0, atol=1e-12)


MODEL = '''
import numpy as np
from equilibria.odes import ODE

def toggle(x, p):
    a, n = p[0], p[1]
    return np.array([a / (1 + x[1] ** n) - x[0], a / (1 + x[0] ** n) - x[1]])

system = ODE(toggle, ["u", "v"], params={"a": 3.0, "n": 2.0})
'''


def test_cli_basin_of_a_user_model_records_provenance(tmp_path, monkeypatch):
    import json

    (tmp_path / "toggle_model.py").write_text(MODEL)
    monkeypatch.chdir(tmp_path)
    for spec in ("toggle_model.py:system", "toggle_model:system"):
        out = str(tmp_path / "u")
        assert _run(["basin", "--model", spec, "--grid-lo", "0", "--grid-hi", "4", "--cells",
                     "41", "--grid", "21", "--set", "a=4", "--no-progress", "--out", out]) == 0
        d = _npz(out, "basin_")
        assert d["basins"].shape == (21, 21)
        assert list(d["attractor_kinds"]) == ["fixed point", "fixed point"]
        meta = json.loads(str(d["meta"]))
        assert meta["parameters"]["set"] == ["a=4"] and meta["package"] == "equilibria"
        assert meta["parameters"]["model"] == spec
        assert [meta["axes"][r]["name"] for r in ("x", "y")] == ["u", "v"]
        np.testing.assert_allclose(d["params"], [4.0, 2.0])
    assert _run(["basin", "--model", "toggle_model.py:nothing", "--no-progress"]) != 0


def test_cli_user_model_errors_name_the_problem(tmp_path, monkeypatch):
    import pytest

    from equilibria.odes._usermodel import load_system

    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match="pkg.module:name"):
        load_system("no_colon")
    with pytest.raises(ValueError, match="no file"):
        load_system("missing.py:system")
    with pytest.raises(ValueError, match="cannot import module"):
        load_system("no_such_module_xyz:system")
    (tmp_path / "bad.py").write_text("system = 3\n")
    with pytest.raises(TypeError, match="ODE or a Map"):
        load_system("bad.py:system")


def test_cli_phase_regimes_shock_of_a_user_model(tmp_path, monkeypatch):
    """The toggle switch through ``phase``, ``regimes`` and ``shock`` with ``--model``: the
    bistable region is found (two attractors for large a and n), the symmetric fractions are
    near 1/2, the 50% knock-down recovers and the minimal fatal shock crosses the diagonal."""
    (tmp_path / "toggle_model.py").write_text(MODEL)
    monkeypatch.chdir(tmp_path)
    box = ["--model", "toggle_model.py:system", "--grid-lo", "0", "--grid-hi", "5", "--cells",
           "41", "--no-progress"]
    out = str(tmp_path / "p")
    assert _run(["phase", *box, "--x", "a", "--x-range", "0.5", "4", "--nx", "3", "--y", "n",
                 "--y-range", "1", "3", "--ny", "2", "--n-ic", "40", "--out", out]) == 0
    d = _npz(out, "phase_")
    assert d["n_attractors"].shape == (2, 3)
    assert d["n_attractors"][0, 0] == 1 and d["n_attractors"][1, 2] == 2  # (a, n) = (4, 3)
    assert str(d["x_param"]) == "a" and list(d["state_names"]) == ["u", "v"]
    out = str(tmp_path / "r")
    assert _run(["regimes", *box, "--param", "a", "--range", "1", "4", "--n-values", "3",
                 "--n-ic", "200", "--out", out]) == 0
    d = _npz(out, "regimes_")
    np.testing.assert_allclose(d["values"], [1.0, 2.5, 4.0])
    assert d["present"][0].sum() == 1 and d["present"][-1].sum() == 2
    last = d["fractions"][-1][d["present"][-1]]
    assert np.all(np.abs(last - 0.5) < 0.1)  # symmetric toggle: 1/2 each within sampling
    out = str(tmp_path / "s")
    assert _run(["shock", *box, "--set", "a=4", "--magnitude", "0.5", "--out", out]) == 0
    d = _npz(out, "shock_")
    assert bool(d["recovered"]) and bool(d["fatal_success"])
    xs = d["x_star"] + d["fatal_shock"]
    assert (xs[0] - xs[1]) * (d["x_star"][0] - d["x_star"][1]) <= 0.05  # at/over the diagonal


def test_cli_user_model_flag_errors_are_one_line(tmp_path, monkeypatch, capsys):
    (tmp_path / "toggle_model.py").write_text(MODEL)
    monkeypatch.chdir(tmp_path)
    m = ["--model", "toggle_model.py:system", "--no-progress"]
    assert _run(["phase", *m, "--y", "n"]) == 2
    assert "--x is required with --model" in capsys.readouterr().err
    assert _run(["phase", *m, "--x", "b", "--y", "n"]) == 2
    assert "no such parameter; its parameters are a, n" in capsys.readouterr().err
    assert _run(["regimes", *m, "--param", "a"]) == 2
    assert "--range LO HI is required" in capsys.readouterr().err
    assert _run(["shock", *m, "--set", "zz=1"]) == 2
    assert "--set 'zz'" in capsys.readouterr().err
    assert _run(["shock", *m, "--grid-hi", "5", "--cells", "41", "--attractor", "7"]) == 2
    assert "--attractor must be in [1, " in capsys.readouterr().err


def test_newton_stops_where_the_field_leaves_its_domain(capfd):
    """Seeding a regime diagram ran Newton on the toggle with a non-integer Hill exponent into
    x < 0, where x**n is NaN, and LAPACK printed 'DLASCL parameter 4 had an illegal value' for
    every such seed; Newton now stops there (no fixed point) without calling LAPACK."""
    from equilibria.odes import ODE
    from equilibria.odes.mapper import _newton_fixed_point

    def toggle(x, p):
        return np.array([p[0] / (1 + x[1] ** p[1]) - x[0], p[0] / (1 + x[0] ** p[1]) - x[1]])

    system = ODE(toggle, ["u", "v"], params={"a": 3.0, "n": 2.5}, x0=[1.0, 1.0])
    x, ok = _newton_fixed_point(system, np.array([-0.5, 2.0]))
    assert not ok
    out = capfd.readouterr()
    assert "DLASCL" not in out.out + out.err
    x, ok = _newton_fixed_point(system, np.array([2.9, 0.2]))  # a real fixed point still found
    assert ok and np.allclose(toggle(x, np.array([3.0, 2.5])), 0, atol=1e-9)
