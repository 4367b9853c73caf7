"""The house layout: one package folder, symlinked room names, one table of rooms.

Each command a user runs from the checkout root is run here from the checkout root in a
subprocess, so the checkout's ``equilibria/`` is what gets imported (no install needed).
"""

import importlib
import os
import pathlib
import subprocess
import sys

import pytest

import equilibria
from equilibria._lib.rooms import ROOMS, cli_modules, theorem_modules

ROOT = pathlib.Path(__file__).resolve().parents[2]
PKG = ROOT / "equilibria"
LINKED = ["theory", "solvers", "odes", "bandits", "verification"]


def _run(*args, cwd=ROOT):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def test_version():
    assert isinstance(equilibria.__version__, str) and equilibria.__version__.count(".") == 2


@pytest.mark.parametrize("room", ["_lib", "theory", "solvers", "odes", "bandits",
                                  "verification"])
def test_rooms_live_in_the_package_folder(room):
    mod = importlib.import_module(f"equilibria.{room}")
    path = pathlib.Path(mod.__file__).resolve()
    assert path.parent.name == room and path.parent.parent.name == "equilibria"


@pytest.mark.parametrize("name", LINKED)
def test_top_level_room_names_are_relative_symlinks(name):
    link = ROOT / name
    assert link.is_symlink(), f"{name} must be a symlink into equilibria/"
    assert os.readlink(link) == f"equilibria/{name}"
    assert link.resolve() == (PKG / name).resolve()


def test_nothing_imports_through_the_symlinks():
    bad = []
    for path in list(PKG.rglob("*.py")) + list((ROOT / "tests").rglob("*.py")) + \
            list((ROOT / "benchmarks").rglob("*.py")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            s = line.strip()
            for name in LINKED + ["_lib"]:
                if s.startswith((f"import {name}", f"from {name} ", f"from {name}.")):
                    bad.append(f"{path}:{n}: {s}")
    assert not bad, "\n".join(bad)


def test_import_from_checkout_root_uses_the_checkout():
    r = _run("-c", "import equilibria.solvers, equilibria.odes, equilibria.bandits, "
                   "equilibria.verification as v, equilibria; print(equilibria.__file__); "
                   "print(len(v.names()))")
    assert r.returncode == 0, r.stderr
    file, n = r.stdout.split()
    assert pathlib.Path(file).resolve() == (PKG / "__init__.py").resolve()
    assert int(n) > 0


def test_python_m_equilibria_help_lists_every_room_command():
    r = _run("-m", "equilibria", "--help")
    assert r.returncode == 0, r.stderr
    for cmd in ["verify", "basin", "phase", "regimes", "shock", "goodhart", "bandits"]:
        assert f"    {cmd}" in r.stdout, (cmd, r.stdout)


def test_python_m_pytest_collects_from_checkout_root():
    r = _run("-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
             "tests/house/test_dependencies.py")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "test_no_import_breaks_the_dependency_rule" in r.stdout


def test_room_table_names_real_modules():
    for modname in theorem_modules() + cli_modules():
        importlib.import_module(modname)
    for room in ROOMS:
        importlib.import_module(room.package)
    # every theorems / cli module in the package is listed in the table (none is orphaned)
    found_t = {".".join(p.relative_to(ROOT).with_suffix("").parts)
               for p in PKG.rglob("theorems.py")}
    found_c = {".".join(p.relative_to(ROOT).with_suffix("").parts)
               for p in PKG.rglob("cli.py")} - {"equilibria.cli"}
    assert found_t == set(theorem_modules())
    assert found_c == set(cli_modules())


def test_broken_room_cli_is_an_error_not_a_missing_command(monkeypatch):
    import equilibria.cli as cli

    monkeypatch.setattr(cli, "cli_modules", lambda: ["equilibria.odes.cli",
                                                    "equilibria.no_such_room.cli"])
    with pytest.raises(ModuleNotFoundError, match="no_such_room"):
        cli.build_parser()


def test_cli_help(capsys):
    from equilibria.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    assert "verify" in capsys.readouterr().out


def test_py_typed_ships():
    assert (PKG / "py.typed").exists()
