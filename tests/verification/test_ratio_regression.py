"""Ratio regression (issue 13): the seeded quick run's worst ratio of every room theorem is stored
in ``quick_ratios.json`` next to this file; a change that moves one by more than a factor of 2,
or adds or removes a theorem, must update the file in the same commit::

    python -m equilibria.verification.ratios --update
"""

import json
import math
import pathlib

import pytest

from equilibria.verification import ratios

STORED = pathlib.Path(__file__).with_name("quick_ratios.json")


def test_stored_file_is_the_default_and_strict_json():
    assert ratios.DEFAULT_FILE.resolve() == STORED.resolve()
    data = json.loads(STORED.read_text(), parse_constant=lambda c: pytest.fail(c))
    assert data["seed"] == 0 and data["factor"] == ratios.FACTOR
    assert len(data["ratios"]) >= 76


def test_quick_ratios_match_the_stored_file():
    """Fails on a bound multiplied by 10 (its ratio drops tenfold), an implementation twice as
    bad (ratio doubles and more), or a new theorem without a stored ratio."""
    moved = ratios.compare(ratios.read(STORED), ratios.compute(seed=0))
    assert not moved, ("ratios moved without quick_ratios.json being updated (run `python -m "
                       "equilibria.verification.ratios --update` if intended):\n"
                       + "\n".join(moved))


def test_compare_rule_log_scale_with_floor_and_cap():
    """Fails on a linear-scale comparison (0.001 -> 0.0021 would pass) or one without a floor
    (0 vs 1e-9 would be an infinite log distance)."""
    base = {"a": 0.5, "b": 0.0, "c": math.inf, "d": 1e-3, "e": math.nan, "f": -0.2}
    same = {"a": 0.99, "b": 1e-9, "c": 1e7, "d": 0.5e-3, "e": math.nan, "f": 0.0}
    assert ratios.compare(base, same) == []
    moved = ratios.compare(base, {**same, "a": 1.01, "d": 2.1e-3, "e": 0.3, "g": 1.0})
    assert [line.split(":")[0] for line in moved] == ["a", "d", "e", "g"]
    assert "new theorem" in moved[-1]
    gone = ratios.compare(base, {k: v for k, v in base.items() if k != "b"})
    assert gone and "no longer registered" in gone[0]
    assert ratios.compare({"x": 1e-6}, {"x": 2.5e-6})  # just above the floor still counts
    with pytest.raises(ValueError, match="factor"):
        ratios.compare(base, base, factor=1.0)


def test_write_read_round_trip(tmp_path):
    path = tmp_path / "r.json"
    ratios.write({"a": 0.25, "b": math.inf, "c": math.nan}, path)
    back = ratios.read(path)
    assert back["a"] == 0.25 and back["b"] == math.inf and math.isnan(back["c"])
    assert "Infinity" not in path.read_text() and "NaN" not in path.read_text()


def test_command_compares_one_room_and_exits_1_when_a_ratio_moved(tmp_path, capsys):
    """``python -m equilibria.verification.ratios --only``: exit 0 on the true stored value,
    1 on a stored value 3x off (fails on a command that ignores the file or the factor)."""
    name = "ot.sparse_limits"
    true = ratios.compute(only=name)[name]
    path = tmp_path / "r.json"
    ratios.write({name: true}, path)
    assert ratios.main(["--only", name, "--file", str(path)]) == 0
    ratios.write({name: 3 * true if true > 1e-5 else 1.0}, path)
    assert ratios.main(["--only", name, "--file", str(path)]) == 1
    assert f"{name}: ratio" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        ratios.main(["--only", "zz.*", "--file", str(path)])
