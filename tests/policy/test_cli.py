"""``equilibria goodhart`` writes the default figures."""

import matplotlib

matplotlib.use("Agg")


def test_goodhart_cli_writes_pngs(tmp_path, capsys):
    from equilibria.cli import main

    assert main(["goodhart", "--out", str(tmp_path), "--quick"]) == 0
    names = {p.name for p in tmp_path.glob("*.png")}
    assert {"goodhart_curves.png", "reward_kl_frontier.png", "constrained_multipliers.png",
            "gardo_vs_kl.png", "best_of_n_equivalence.png", "chi2_vs_kl_occupancy.png"} <= names
    assert all((tmp_path / n).stat().st_size > 10_000 for n in names)
    assert "wrote" in capsys.readouterr().out
    import json

    record = json.loads((tmp_path / "goodhart.json").read_text())
    assert set(record["figures"]) == {n[:-4] for n in names}
    panels = record["figures"]["goodhart_curves"]["panels"]
    assert panels[0]["xlabel"].count("KL") >= 1 and panels[0]["lines"]
    assert record["meta"]["parameters"]["quick"] is True and record["meta"]["seed"] == 0
