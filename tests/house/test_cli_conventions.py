"""The command line's conventions (issue 14): every option of every sub-command has a help line
and shows its default; ``--out DIR`` is a directory (created if missing) that receives the
command's figures and its data; every data file carries the one ``meta`` record (version,
command line, parameters, axes, seed, UTC date); ``verify --jobs 0`` runs serially when the
selection is one room."""

from __future__ import annotations

import argparse
import datetime
import pathlib

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from equilibria import __version__  # noqa: E402
from equilibria._lib.provenance import (META_KEYS, metadata, read_meta,  # noqa: E402
                                        write_json, write_npz)
from equilibria.cli import build_parser, main  # noqa: E402

COMMANDS = ("verify", "basin", "phase", "regimes", "shock", "bandits", "goodhart")


def _subparsers():
    for action in build_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices
    raise AssertionError("no sub-commands")


def _run(argv):
    try:
        return main(argv)
    except SystemExit as exc:
        return exc.code


def test_every_option_has_a_help_line_and_shows_its_default():
    subs = _subparsers()
    assert set(COMMANDS) <= set(subs)
    for name, sub in subs.items():
        options = [a for a in sub._actions
                   if a.option_strings and not isinstance(a, argparse._HelpAction)]
        for action in options:  # before formatting, which fills an empty help with the default
            assert action.help and action.help is not argparse.SUPPRESS and \
                not action.help.startswith("(default"), (name, action.option_strings)
        text = sub.format_help()
        for action in options:
            flag = action.option_strings[-1]
            assert flag in text, (name, flag)
            formatter = sub._get_formatter()
            formatter.add_argument(action)
            block = " ".join(formatter.format_help().split())  # this option's help lines
            words = block.replace(flag, "", 1).split()
            assert len(words) >= 2, (name, flag, block)  # a help text, not just the flag
            if action.default not in (None, argparse.SUPPRESS) and \
                    not isinstance(action.default, bool):
                assert "default" in block, (name, flag, block)
        out = [a for a in sub._actions if "--out" in a.option_strings]
        assert out, f"{name} has no --out"
        assert out[0].metavar == "DIR" and "director" in out[0].help, (name, out[0].help)


# small runs of every sub-command: (argv without --out, expected axis roles of one data file)
RUNS = {
    "basin": (["basin", "--grid", "6", "--t-end", "60", "--no-progress"], {"x", "y"}),
    "phase": (["phase", "--nx", "3", "--ny", "2", "--n-ic", "2", "--no-progress"], {"x", "y"}),
    "regimes": (["regimes", "--n-values", "2", "--grid", "3", "--no-progress"],
                {"g", "reciprocity", "class"}),
    "shock": (["shock", "--magnitude", "0.3", "--t-end", "40", "--no-progress"],
              {"t", "state"}),
    "bandits": (["bandits", "--means", "0.2,0.8", "--policies", "UCB1,EXP3", "--horizon",
                 "200", "--runs", "3", "--seed", "7"], {"policy", "run", "t", "arm"}),
    "goodhart": (["goodhart", "--quick", "--dpi", "30"], {"figure"}),
    "verify": (["verify", "--only", "policy.best_of_n_kl_tight_in_limit", "--no-progress",
                "--seed", "3"], {"theorem"}),
}


def _check_meta(meta, argv, axes_roles):
    assert set(META_KEYS) <= set(meta), sorted(set(META_KEYS) - set(meta))
    assert meta["package"] == "equilibria" and meta["version"] == __version__
    assert meta["command"] == ["equilibria", *argv] and meta["subcommand"] == argv[0]
    params = meta["parameters"]
    assert "out" in params and "func" not in params
    date = datetime.datetime.fromisoformat(meta["date"])
    assert date.utcoffset() == datetime.timedelta(0)
    assert abs((datetime.datetime.now(datetime.timezone.utc) - date).total_seconds()) < 600
    assert axes_roles <= set(meta["axes"]), (sorted(meta["axes"]), axes_roles)
    for axis in meta["axes"].values():
        assert isinstance(axis["name"], str) and axis["name"] and len(axis["values"]) >= 1
    if "seed" in params and meta["seed"] is not None:
        assert meta["seed"] == params["seed"]


@pytest.mark.parametrize("command", list(RUNS))
def test_out_is_a_directory_with_figures_and_data_carrying_meta(command, tmp_path):
    base, roles = RUNS[command]
    out = tmp_path / "not" / "yet"  # created, with its parents
    argv = [*base, "--out", str(out)]
    assert _run(argv) == 0
    assert out.is_dir()
    pngs = list(out.rglob("*.png"))
    data = [p for p in out.rglob("*") if p.suffix in (".npz", ".json")]
    assert pngs and all(p.stat().st_size > 1000 for p in pngs), pngs
    assert data, sorted(p.name for p in out.rglob("*"))
    for path in data:
        _check_meta(read_meta(path), argv, roles)
    if command == "phase":  # which parameters are on its axes, and their values
        meta = read_meta(data[0])
        assert meta["axes"]["x"]["name"] == "g"
        assert meta["axes"]["y"]["name"] == "conflict_asymmetry"
        np.testing.assert_allclose(meta["axes"]["x"]["values"], [0.0, 2.5, 5.0], rtol=0,
                                   atol=1e-12)
        with np.load(data[0]) as d:
            assert d["classes"].shape == (2, 3) and str(d["x_param"]) == "g"
    if command == "bandits":
        assert read_meta(data[0])["seed"] == 7
        with np.load(data[0]) as d:
            assert d["regret"].shape[:2] == (2, 3) and d["pulls"].shape == (2, 3, 2)
    if command == "verify":
        assert read_meta(out / "verify.json")["seed"] == 3
        assert (out / "verify.md").exists() and (out / "verify.html").exists()


def test_out_that_is_a_file_is_a_usage_error(tmp_path, capsys):
    f = tmp_path / "afile"
    f.write_text("x")
    for argv in (["basin", "--grid", "4"], ["bandits", "--horizon", "10"], ["goodhart"],
                 ["verify", "--only", "online.hedge_regret"]):
        assert _run([*argv, "--out", str(f)]) == 2, argv
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "--out" in err[0] and "not a directory" in err[0], err


def test_out_with_a_file_suffix_warns_and_writes_to_its_folder(tmp_path, capsys):
    """The old meaning (``bandits --out r.png``): a warning, and the files go to its folder."""
    argv = ["bandits", "--means", "0.3,0.6", "--policies", "UCB1", "--horizon", "50",
            "--runs", "2", "--out", str(tmp_path / "r.png")]
    assert _run(argv) == 0
    assert "warning: --out names a directory" in capsys.readouterr().err
    assert (tmp_path / "bandits_regret.png").exists() and (tmp_path / "bandits.npz").exists()
    assert not (tmp_path / "r.png").exists()


def test_verify_default_jobs_is_serial_for_one_room(monkeypatch, capsys):
    """``--jobs 0`` with fewer rooms than workers: no process pool (issue 14: a pool for one
    theorem took 14 s instead of 5.7 s)."""
    import concurrent.futures as cf

    from equilibria.cli import _workers

    def no_pool(*args, **kwargs):
        raise AssertionError("a process pool was started")

    monkeypatch.setattr(cf, "ProcessPoolExecutor", no_pool)
    assert _run(["verify", "--only", "online.hedge_regret", "--no-progress"]) == 0
    assert "1 passed" in capsys.readouterr().out
    assert _workers(0, ["online.a", "online.b"]) == 1
    assert _workers(8, ["online.a", "ot.b", "games.c"]) == 3
    assert _workers(2, ["online.a", "ot.b", "games.c"]) == 2
    assert _workers(1, ["online.a", "ot.b"]) == 1


def test_provenance_helpers_refuse_bad_records(tmp_path):
    meta = metadata("x", {"a": np.arange(3), "func": print}, axes={"x": ("a", np.arange(3))},
                    seed=np.int64(4), argv=["equilibria", "x"])
    assert meta["parameters"] == {"a": [0, 1, 2]} and meta["seed"] == 4
    p = write_npz(tmp_path / "d.npz", {"v": np.ones(2)}, meta)
    assert read_meta(p) == meta
    p = write_json(tmp_path / "d.json", {"v": np.ones(2)}, meta)
    assert read_meta(p) == meta
    with pytest.raises(ValueError, match="reserved"):
        write_npz(tmp_path / "e.npz", {"meta": 1}, meta)
    with pytest.raises(ValueError, match="lacks date"):
        write_json(tmp_path / "e.json", {}, {k: v for k, v in meta.items() if k != "date"})
    with pytest.raises(TypeError, match="axes"):
        metadata("x", {}, axes={"x": [1, 2, 3]})
    np.savez(tmp_path / "plain.npz", v=np.ones(1))
    with pytest.raises(ValueError, match="no 'meta'"):
        read_meta(tmp_path / "plain.npz")
    with pytest.raises(ValueError, match=r"\.npz or \.json"):
        read_meta(pathlib.Path(tmp_path / "x.txt"))
