"""Plots return figures; the CLI runs end to end."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

from equilibria.bandits import (EXP3, UCB1, BernoulliArms, plot_pulls, plot_regret,  # noqa: E402
                                simulate)


def test_plots_return_labelled_figures():
    env = BernoulliArms([0.2, 0.5, 0.8])
    rs = [simulate(env, p, 500, n_runs=10, seed=0) for p in (UCB1(), EXP3())]
    fig = plot_regret(rs)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "round t" and "regret" in ax.get_ylabel()
    assert len(ax.get_legend().get_texts()) == 2
    fig2 = plot_pulls(rs)
    assert fig2.axes[0].get_yscale() == "log"
    import matplotlib.pyplot as plt

    plt.close("all")


def test_cli_bandits(tmp_path, capsys):
    from equilibria.cli import main

    out = tmp_path / "run"
    pulls = tmp_path / "p.png"
    rc = main(["bandits", "--means", "0.2,0.8", "--policies", "UCB1,EXP3", "--horizon", "300",
               "--runs", "5", "--out", str(out), "--pulls", str(pulls)])
    assert rc == 0 and pulls.exists()
    assert (out / "bandits_regret.png").exists() and (out / "bandits_pulls.png").exists()
    text = capsys.readouterr().out
    assert "UCB1" in text and "EXP3" in text
    mean_ucb = float(text.splitlines()[1].split()[1])
    with np.load(out / "bandits.npz") as d:  # the data behind the table and the plots
        assert list(d["policies"]) == ["UCB1", "EXP3"]
        assert d["regret"].shape == (2, 5, d["t"].size) and d["t"][-1] == 300
        np.testing.assert_allclose(d["mean_regret"][0], mean_ucb, rtol=0, atol=0.006)
        np.testing.assert_allclose(d["regret"][:, :, -1].mean(axis=1), d["mean_regret"],
                                   rtol=1e-12, atol=0)
        np.testing.assert_allclose(d["pulls"].sum(axis=2), 300, rtol=0, atol=0)


def test_violation_plot_for_threshold_environment():
    from equilibria.bandits import OFS, ThresholdEnvironment

    res = simulate(ThresholdEnvironment(), OFS(), 300, n_runs=4, seed=0)
    fig = plot_regret(res, violation=True)
    assert "violation" in fig.axes[0].get_ylabel()
    line = fig.axes[0].get_lines()[0]
    np.testing.assert_allclose(line.get_ydata(), res.extras["violation"].mean(axis=0),
                               rtol=1e-12, atol=1e-12)
    import matplotlib.pyplot as plt

    plt.close("all")


def test_pull_bars_match_their_legend_and_sit_above_the_shading():
    """The optimal-arm shading is drawn beneath the bars, so each bar keeps the colour its
    legend entry shows (it used to be drawn over them, tinting the optimal arm's bars)."""
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.colors import to_rgba
    from matplotlib.patches import Rectangle

    from equilibria.bandits import UCB1, BernoulliArms, plot_pulls, simulate

    env = BernoulliArms([0.2, 0.8])
    res = [simulate(env, UCB1(), 200, n_runs=3, seed=0, progress=False)]
    fig = plot_pulls(res)
    ax = fig.axes[0]
    bars = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_width() < 0.85]
    spans = [p for p in ax.patches if p not in bars]
    handles, labels = ax.get_legend_handles_labels()
    legend = dict(zip(labels, handles))
    assert "optimal arm" in legend and "UCB1" in legend
    for bar in bars:
        handle = legend["UCB1"]
        handle = handle.patches[0] if hasattr(handle, "patches") else handle
        assert to_rgba(bar.get_facecolor()) == to_rgba(handle.get_facecolor())
        assert all(bar.get_zorder() > s.get_zorder() for s in spans)
