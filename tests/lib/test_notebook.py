"""Notebooks and scripts (issue 14, part 4 and 5): the package options, the one progress rule,
rich reprs of results and verify reports, figures that display once and leave a caller's
figure alone, and a ``dask.distributed.Client`` passed directly as ``executor``.
"""

from __future__ import annotations

import concurrent.futures as cf
import io
import sys
import warnings

import matplotlib
import numpy as np
import pytest

import equilibria
from equilibria._lib import figures, options as opt
from equilibria._lib.result import ConvergenceWarning, Result, warn_status
from equilibria._lib.sweep import parallel_map, progress_bar, resolve_executor

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


# ------------------------------------------------------------------------------------ options
@pytest.fixture(autouse=True)
def _restore_options():
    saved = equilibria.get_options()
    yield
    equilibria.set_options(**saved)


class _Stream(io.StringIO):
    def __init__(self, tty: bool):
        super().__init__()
        self._tty = tty

    def isatty(self):
        return self._tty


def test_progress_auto_follows_the_terminal(monkeypatch):
    monkeypatch.delenv("EQUILIBRIA_PROGRESS", raising=False)
    monkeypatch.setattr(sys, "stderr", _Stream(tty=False))
    assert opt.show_progress(None) is False      # a pipe, a file, CI: no bar
    assert opt.show_progress(True) is True       # asked for: a bar
    monkeypatch.setattr(sys, "stderr", _Stream(tty=True))
    assert opt.show_progress(None) is True
    assert opt.show_progress(False) is False
    monkeypatch.setattr(opt, "in_notebook", lambda: True)
    monkeypatch.setattr(sys, "stderr", _Stream(tty=False))
    assert opt.show_progress(None) is True       # a notebook's stderr is no terminal


def test_set_options_and_context_manager(monkeypatch):
    monkeypatch.delenv("EQUILIBRIA_PROGRESS", raising=False)
    monkeypatch.setattr(sys, "stderr", _Stream(tty=True))
    equilibria.set_options(progress=False)
    assert opt.show_progress(None) is False
    assert opt.show_progress(True) is True       # an explicit argument wins over the option
    with equilibria.options(progress=True) as now:
        assert now["progress"] is True
        assert opt.show_progress(None) is True
        monkeypatch.setattr(sys, "stderr", _Stream(tty=False))
        assert opt.show_progress(None) is True   # forced on
    assert equilibria.get_options()["progress"] is False  # restored on exit
    with pytest.raises(RuntimeError), equilibria.options(progress="auto"):
        raise RuntimeError
    assert equilibria.get_options()["progress"] is False  # restored on an exception too


@pytest.mark.parametrize("kwargs, exc", [({"progress": "yes"}, ValueError),
                                         ({"progress": 1}, ValueError),
                                         ({"warnings": "loud"}, ValueError),
                                         ({"colour": True}, TypeError)])
def test_options_reject_bad_values(kwargs, exc):
    with pytest.raises(exc, match=next(iter(kwargs))):
        equilibria.set_options(**kwargs)
    with pytest.raises(exc), equilibria.options(**kwargs):
        pass
    assert equilibria.get_options() == {"progress": "auto", "warnings": "default"}


def test_warnings_option():
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with equilibria.options(warnings="ignore"):
            warn_status(False, "quiet please")
        warn_status(False, "heard")
    assert [str(w.message) for w in seen] == ["heard"]
    with equilibria.options(warnings="error"), pytest.raises(ConvergenceWarning):
        warn_status(False, "an error now")


def test_every_bar_goes_through_the_rule(monkeypatch):
    """``progress=None`` bars follow the option; the bar is a tqdm.auto bar."""
    import tqdm.auto

    monkeypatch.setattr(sys, "stderr", _Stream(tty=False))
    monkeypatch.delenv("EQUILIBRIA_PROGRESS", raising=False)
    bar = progress_bar(3)
    assert isinstance(bar, tqdm.auto.tqdm) and bar.disable
    bar.close()
    with equilibria.options(progress=True):
        bar = progress_bar(3)
        assert not bar.disable
        bar.close()


def test_no_bare_tqdm_in_the_package():
    """Every bar is made by progress_bar / decided by show_progress (grep for tqdm)."""
    import pathlib

    root = pathlib.Path(equilibria.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for line in text.splitlines():
            if "tqdm(" in line and "disable=not show_progress(" not in line \
                    and path.name != "sweep.py":
                offenders.append(f"{path.relative_to(root)}: {line.strip()}")
            if "from tqdm import" in line or "import tqdm\n" in line:
                offenders.append(f"{path.relative_to(root)}: {line.strip()} (not tqdm.auto)")
    assert not offenders, offenders


# -------------------------------------------------------------------------------------- reprs
def test_result_rich_reprs():
    r = Result(success=False, status=1, message="ran out | of budget", n_iter=7)
    md, html = r._repr_markdown_(), r._repr_html_()
    assert "| n_iter | `7` |" in md and "not converged" in md
    assert "\\|" in md                                  # a pipe cannot break the table
    assert "<td>n_iter</td><td><code>7</code></td>" in html
    assert "<table>" in html and "ran out | of budget" in html


def _report():
    from equilibria.verification import Report
    from equilibria.verification._theorem import Outcome

    rows = (Outcome(name="demo.bound_holds", kind="bound", source="Doe 2020, Thm 1",
                    passed=True, measured=0.5, bound=1.0, ratio=0.5, n_instances=4,
                    seconds=0.1, n_informative=4, best_ratio=0.25),
            Outcome(name="demo.bound_fails", kind="bound", source="Roe 2021, Eq. (3)",
                    passed=False, measured=2.0, bound=1.0, ratio=2.0, n_instances=4,
                    seconds=0.2, detail="violated on 1/4 instances <here>", n_informative=4,
                    best_ratio=1.5))
    return Report(rows, True, 0)


def test_verify_report_renders_as_its_table():
    rep = _report()
    md, html, text = rep._repr_markdown_(), rep._repr_html_(), repr(rep)
    for name in ("demo.bound_holds", "demo.bound_fails"):
        assert name in md and name in html and name in text
    assert "| theorem | kind | measured |" in md
    assert "| demo.bound_holds | bound | 0.5 | 1 | 0.500 | 0.250 | 4/4 | 0.1s | pass |" in md
    assert "<td>demo.bound_fails</td>" in html and 'class="fail"' in html
    assert "&lt;here&gt;" in html                       # escaped
    assert "1 passed, 1 failed" in text and "Outcome(" not in text
    assert text == rep.table()


# ------------------------------------------------------------------------------------ figures
@pytest.fixture(scope="module")
def coex():
    from equilibria.odes import CoexistenceModel, basin_continuation, basin_sweep, regime_diagram

    gov = CoexistenceModel.preset("governed")
    return {"basins": basin_sweep(CoexistenceModel.preset("lock_in"), grid=10, progress=False),
            "continuation": basin_continuation(gov, "g", np.linspace(0, 5, 4), grid=6,
                                               progress=False),
            "regimes": regime_diagram(gov, "g", np.linspace(0, 4, 3), "reciprocity",
                                      np.linspace(0.5, 1.5, 2), n_ic=3, progress=False)}


@pytest.fixture(scope="module")
def bandit():
    from equilibria.bandits import KLUCB, UCB1, BernoulliArms, simulate

    env = BernoulliArms([0.2, 0.5, 0.8])
    return [simulate(env, p, horizon=300, n_runs=3, seed=0) for p in (KLUCB(), UCB1())]


def _plotters(coex, bandit):
    from equilibria.bandits import plot_pulls, plot_regret

    return {"basins": lambda ax=None: coex["basins"].plot(ax=ax),
            "continuation": lambda ax=None: coex["continuation"].plot(ax=ax),
            "regimes": lambda ax=None: coex["regimes"].plot(ax=ax),
            "regret": lambda ax=None: plot_regret(bandit, ax=ax),
            "pulls": lambda ax=None: plot_pulls(bandit, ax=ax)}


@pytest.mark.parametrize("name", ["basins", "continuation", "regimes", "regret", "pulls"])
def test_plot_on_a_callers_axes_keeps_its_layout(name, coex, bandit):
    fig, ax = plt.subplots(figsize=(3.3, 2.1))
    fig.subplots_adjust(left=0.3, right=0.7, bottom=0.25, top=0.6)
    before = (tuple(fig.get_size_inches()), vars(fig.subplotpars).copy(),
              fig.get_layout_engine(), ax.get_position().bounds)
    out = _plotters(coex, bandit)[name](ax=ax)
    assert out is fig
    after = (tuple(fig.get_size_inches()), vars(fig.subplotpars).copy(),
             fig.get_layout_engine(), ax.get_position().bounds)
    assert after == before
    assert fig._suptitle is None
    plt.close(fig)


@pytest.mark.parametrize("name", ["basins", "continuation", "regimes", "regret", "pulls"])
def test_plot_displays_once_in_a_notebook(name, coex, bandit, monkeypatch):
    """Under the inline backend a figure made by the package is not left in pyplot's manager
    (the backend would show it at the end of the cell and again as the cell's value)."""
    plt.close("all")
    monkeypatch.setattr(figures, "inline_backend", lambda: True)
    fig = _plotters(coex, bandit)[name]()
    assert isinstance(fig, matplotlib.figure.Figure)
    assert plt.get_fignums() == []
    buf = io.BytesIO()
    fig.savefig(buf, format="png")                     # still a complete figure
    assert buf.getvalue()[:4] == b"\x89PNG"
    monkeypatch.setattr(figures, "inline_backend", lambda: False)
    fig = _plotters(coex, bandit)[name]()              # scripts: plt.show() sees it
    assert plt.get_fignums() == [fig.number]
    plt.close("all")


def test_policy_figures_display_once(monkeypatch):
    from equilibria.solvers.policy.plots import equivalence_figure

    plt.close("all")
    monkeypatch.setattr(figures, "inline_backend", lambda: True)
    fig = equivalence_figure()
    assert isinstance(fig, matplotlib.figure.Figure) and plt.get_fignums() == []


# ---------------------------------------------------------------------------------- executors
def _square(x):
    return x * x


def test_resolve_executor():
    assert resolve_executor(None) is None
    with cf.ThreadPoolExecutor(1) as ex:
        assert resolve_executor(ex) is ex
    with pytest.raises(TypeError, match="dask.distributed.Client.*got int"):
        resolve_executor(3)


def test_dask_client_passed_directly():
    distributed = pytest.importorskip("distributed")
    from equilibria.bandits import BernoulliArms, KLUCB, simulate

    env = BernoulliArms([0.2, 0.5, 0.8])
    serial = simulate(env, KLUCB(), horizon=200, n_runs=4, seed=3, n_chunks=2, progress=False)
    with distributed.LocalCluster(processes=False, n_workers=1, threads_per_worker=2,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        ex = resolve_executor(client)
        assert isinstance(ex, cf.Executor)
        assert parallel_map(_square, range(7), executor=client, progress=False) == \
            [i * i for i in range(7)]
        got = simulate(env, KLUCB(), horizon=200, n_runs=4, seed=3, n_chunks=2,
                       executor=client, progress=False)
    np.testing.assert_array_equal(got.regret, serial.regret)
    np.testing.assert_array_equal(got.pulls, serial.pulls)
