"""``equilibria verify`` reports (issue 13): ``--list``, ``--describe``, ``--json`` contents,
``--markdown`` / ``--html`` with rate plots, a user's ``--module`` and the ``equilibria.theorems``
entry-point group."""

import importlib.metadata
import json
import sys
import textwrap

import numpy as np
import pytest

from equilibria.cli import main
from equilibria.verification import BoundData, RateData, Theorem
from equilibria.verification import registry as reg


@pytest.fixture
def toy_registry(monkeypatch):
    monkeypatch.setattr(reg, "REGISTRY", {})
    monkeypatch.setattr(reg, "_loaded", True)

    def sample_pair(rng, n=None):
        """A pair (x, n): x uniform in [0, 1]^n, n in [2, 9] unless given."""
        n = int(rng.integers(2, 10)) if n is None else n
        return rng.uniform(size=n), n

    def evaluate_pair(inst, *, algorithm=None):
        x, n = inst
        return float(x.sum()), float(n), float(n) + 1.0

    reg.register(Theorem("toy.sum", "Toy (2026), Thm 1", "The sum of n numbers in [0, 1] is at "
                         "most n, " + "a long statement that has to be wrapped " * 4,
                         assumptions=("x in [0, 1]^n",), sample=sample_pair,
                         evaluate=evaluate_pair, n_instances=(4, 8),
                         protocol="unused: the toy takes any object",
                         tightness="x = (1, ..., 1) attains it"))
    T = np.array([10.0, 100.0, 1000.0, 10000.0])
    reg.register(Theorem("toy.rate", "Toy (2026), Thm 2", "Grows as sqrt(T).", kind="rate",
                         band=(0.4, 0.6), experiment=lambda rng, quick: RateData(
                             T, np.sqrt(T) * np.exp(0.01 * rng.standard_normal((5, 4))))))
    reg.register(Theorem("toy.vacuous", "Toy (2026), Thm 3", "Vacuous on every instance.",
                         experiment=lambda rng, quick: BoundData([0.1, 0.2], [2.0, 2.0],
                                                                 trivial=1.0)))
    return reg.REGISTRY


def test_list_shows_kind_statement_and_source_wrapped(toy_registry, capsys):
    assert main(["verify", "--list"]) == 0
    out = capsys.readouterr().out
    assert "toy.sum  [bound, takes algorithm=]" in out and "toy.rate  [rate]" in out
    assert "source: Toy (2026), Thm 1" in out
    assert all(len(line) <= 100 for line in out.splitlines())
    assert out.count("wrapped") == 4  # the statement is there in full, over several lines
    assert main(["verify", "--list", "--only", "rate"]) == 0
    assert "toy.sum" not in capsys.readouterr().out


def test_describe_shows_everything_a_user_needs(toy_registry, capsys):
    assert main(["verify", "--describe", "toy.sum"]) == 0
    out = capsys.readouterr().out
    for text in ("statement:", "source:", "Toy (2026), Thm 1", "x in [0, 1]^n",
                 "sample_pair(rng, n=None)", "A pair (x, n)", "unused: the toy takes any",
                 "tightness:", "x = (1, ..., 1) attains it", "4 quick, 8 full"):
        assert text in out, text
    assert main(["verify", "--describe", "toy.rate"]) == 0
    out = capsys.readouterr().out
    assert "experiment draws its own instances" in out and "does not take a user" in out
    assert main(["verify", "--describe", "toy.sun"]) == 2
    assert "did you mean toy.sum" in capsys.readouterr().err


def test_json_carries_statement_source_version_seed_and_instances(toy_registry, tmp_path):
    path = tmp_path / "r.json"
    assert main(["verify", "--jobs", "1", "--no-progress", "--seed", "3", "--only", "toy.sum",
                 "--json", str(path)]) == 0
    data = json.loads(path.read_text())
    assert data["version"] == importlib.metadata.version("equilibria") and data["seed"] == 3
    row = data["theorems"][0]
    assert row["statement"].startswith("The sum of n numbers") and row["source"].endswith("Thm 1")
    inst = row["instances"]
    assert len(inst["measured"]) == len(inst["bound"]) == len(inst["trivial"]) == 4
    assert all(t == b + 1 for b, t in zip(inst["bound"], inst["trivial"]))
    assert row["n_informative"] == 4 and row["best_ratio"] <= row["ratio"]


def test_markdown_and_html_reports_with_rate_plot(toy_registry, tmp_path, capsys):
    md, page = tmp_path / "rep.md", tmp_path / "rep.html"
    assert main(["verify", "--jobs", "1", "--no-progress", "--markdown", str(md), "--html",
                 str(page)]) == 1  # toy.vacuous fails: every instance is vacuous
    png = tmp_path / "rep_plots" / "toy.rate.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000
    text = md.read_text()
    assert "| toy.sum | bound |" in text and "](rep_plots/toy.rate.png)" in text
    assert "2/2 vacuous" in text and "Grows as sqrt(T)." in text and "| 0/2 |" in text
    assert "<img src='rep_plots/toy.rate.png'" in page.read_text()
    assert "<tr class=\"fail\"><td>toy.vacuous" in page.read_text()
    assert main(["verify", "--markdown", str(tmp_path / "no" / "r.md")]) == 2
    assert "--markdown" in capsys.readouterr().err


USER_MODULE = '''
from equilibria.verification import theorem


def sample_unit(rng):
    """A float in [0, 1]."""
    return float(rng.uniform())


@theorem(source="A research group (2026)", sample=sample_unit, n_instances=(3, 3))
def evaluate_below_two(x):
    """Doubling a number in [0, 1] gives at most 2."""
    return 2 * x, 2.0, 2.0 + 1.0
'''


def _user_package(tmp_path, name):
    pkg = tmp_path / name
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "theorems.py").write_text(textwrap.dedent(USER_MODULE))


@pytest.fixture
def clean_modules(monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))
    before = set(sys.modules)
    yield
    for m in set(sys.modules) - before:
        if m.startswith("userthms"):
            del sys.modules[m]


def test_module_option_imports_a_users_theorems(toy_registry, tmp_path, monkeypatch, capsys,
                                                clean_modules):
    """Fails when --module is ignored (the theorem would be unknown to --only)."""
    _user_package(tmp_path, "userthms_cli")
    monkeypatch.chdir(tmp_path)  # the CLI adds the current directory, like `python -m`
    assert main(["verify", "--module", "userthms_cli.theorems", "--jobs", "1",
                 "--no-progress", "--only", "userthms_cli.*"]) == 0
    out = capsys.readouterr().out
    assert "userthms_cli.below_two" in out and "1 passed, 0 failed" in out
    assert main(["verify", "--module", "userthms_cli.theorems", "--describe",
                 "userthms_cli.below_two"]) == 0
    assert "A float in [0, 1]." in capsys.readouterr().out
    assert main(["verify", "--module", "userthms_nothere.theorems", "--list"]) == 2
    assert "no module named 'userthms_nothere.theorems'" in capsys.readouterr().err


def test_entry_point_group_is_loaded(tmp_path, monkeypatch, clean_modules):
    """A package registering through ``equilibria.theorems`` is found by ``load_all`` (fails
    when the group is not read); a broken entry point is an error naming it."""
    reg.load_all()  # the rooms register into the real registry first, not into the empty one
    _user_package(tmp_path, "userthms_ep")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(reg, "REGISTRY", {})
    monkeypatch.setattr(reg, "_loaded", False)
    groups = []

    def fake_entry_points(**kw):
        groups.append(kw.get("group"))
        return [importlib.metadata.EntryPoint("research", "userthms_ep.theorems",
                                              "equilibria.theorems")]

    monkeypatch.setattr(importlib.metadata, "entry_points", fake_entry_points)
    assert "userthms_ep.below_two" in reg.load_all()
    assert groups == ["equilibria.theorems"]
    assert reg.verify("userthms_ep.*").passed

    def broken(**kw):
        return [importlib.metadata.EntryPoint("broken", "userthms_missing.theorems",
                                              "equilibria.theorems")]

    monkeypatch.setattr(importlib.metadata, "entry_points", broken)
    monkeypatch.setattr(reg, "_loaded", False)
    with pytest.raises(ImportError, match="entry point 'broken'"):
        reg.load_all()
