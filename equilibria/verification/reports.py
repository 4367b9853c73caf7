"""Reports people read: the theorem listing, a theorem's description, and Markdown / HTML reports
of a :class:`~.registry.Report` with, for each rate theorem, the fitted log-log plot and its band.

Behind ``equilibria verify --list``, ``--describe NAME``, ``--markdown FILE`` and ``--html FILE``.
Plots are written next to the report, in the folder ``<stem>_plots/`` (``report.md`` ->
``report_plots/<theorem name>.png``), and linked from it by a relative path.
"""

from __future__ import annotations

import html
import inspect
import os
import pathlib
import textwrap

import numpy as np

from equilibria._lib.validation import check_int

from ._theorem import Outcome, RateData, Theorem
from .registry import Report, _version

__all__ = ["listing", "describe", "plot_rate", "write_markdown", "write_html"]


def _wrap(text: str, width: int, indent: str) -> str:
    return textwrap.fill(" ".join(str(text).split()), width=width, initial_indent=indent,
                         subsequent_indent=indent, break_on_hyphens=False) if text else ""


def listing(theorems, *, width: int = 100) -> str:
    """Each theorem's name and kind, then its statement and source wrapped to ``width``.

    Parameters
    ----------
    theorems : iterable of Theorem
    width : int
        Line width, ``>= 40``.

    Returns
    -------
    str
    """
    width = check_int(width, "width", lo=40)
    out = []
    for thm in theorems:
        tag = thm.kind + (", takes algorithm=" if thm.accepts_algorithm else "")
        out.append(f"{thm.name}  [{tag}]")
        out.append(_wrap(thm.statement, width, "    "))
        out.append(_wrap(f"source: {thm.source}", width, "    "))
    return "\n".join(line for line in out if line)


def _instance_type(thm: Theorem) -> str:
    if thm.sample is None:
        return ("none: the experiment draws its own instances (experiment(rng, quick)); "
                "`instances=` does not apply")
    name = getattr(thm.sample, "__qualname__", getattr(thm.sample, "__name__", "sample"))
    try:
        sig = str(inspect.signature(thm.sample))
    except (TypeError, ValueError):
        sig = "(rng)"
    doc = inspect.getdoc(thm.sample) or "(no docstring)"
    return f"{getattr(thm.sample, '__module__', '?')}.{name}{sig}\n{doc}"


def describe(thm: Theorem, *, width: int = 100) -> str:
    """Everything a user needs to check a theorem: statement, source, assumptions, the
    instance type (the sampler's signature and docstring), the user-implementation protocol,
    tightness and the checking parameters.

    Parameters
    ----------
    thm : Theorem
    width : int
        Line width of wrapped paragraphs, ``>= 40``.

    Returns
    -------
    str
    """
    width = check_int(width, "width", lo=40)
    lines = [f"{thm.name} ({thm.kind})", "", "statement:", _wrap(thm.statement, width, "  "),
             "source:", _wrap(thm.source, width, "  "), "assumptions:"]
    lines += [_wrap(a, width, "  - ").replace("\n  - ", "\n    ") for a in thm.assumptions] or \
        ["  (none stated)"]
    lines += ["instance type (sample):",
              textwrap.indent(_instance_type(thm), "  ")]
    if thm.evaluate is not None and thm.experiment is None:
        lines.append("  evaluate(instance) -> (measured, bound[, trivial])")
    if thm.accepts_algorithm:
        lines += ["protocol (algorithm=):",
                  _wrap(thm.protocol or "(not documented: see the evaluate/experiment "
                        "docstring)", width, "  ")]
    else:
        lines += ["protocol (algorithm=):",
                  _wrap("does not take a user implementation" +
                        (f": {thm.no_algorithm}" if thm.no_algorithm else ""), width, "  ")]
    if thm.tightness or thm.kind == "bound":
        lines += ["tightness:", _wrap(thm.tightness or "(no reason stated: a tightness instance "
                                      "family is expected)", width, "  ")]
    if thm.kind == "rate" and thm.band is not None:
        lines.append(f"band: [{thm.band[0]:g}, {thm.band[1]:g}] (slope CI must lie inside)")
    else:
        lines.append(f"instances: {thm.n_instances[0]} quick, {thm.n_instances[1]} full; "
                     f"slack rtol={thm.rtol:g}, atol={thm.atol:g}")
    if thm.sizes:
        lines.append("sizes (property tests): " + ", ".join(f"{k} in [{lo}, {hi}]"
                                                             for k, (lo, hi) in thm.sizes))
    return "\n".join(lines)


def _transform(kind: str, sizes: np.ndarray):
    """x coordinates of the plot and axis label for a rate fit's transform."""
    if kind == "power":
        return sizes, "size", True
    if kind == "log":
        return np.log(sizes), "log(size)", True
    return sizes, "size (linear axis)", False


def plot_rate(outcome: Outcome, path) -> pathlib.Path:
    """Save the fitted log-log plot of a rate theorem's row: the measurements (each replicate),
    their geometric mean, the fitted line, and the band of admissible slopes (shaded, through
    the data's centroid).

    Parameters
    ----------
    outcome : Outcome
        A rate row with its ``fit`` and ``evidence`` (:class:`RateData`).
    path : str or path-like
        The PNG file to write.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    from matplotlib.figure import Figure

    ev, fit = outcome.evidence, outcome.fit
    if not isinstance(ev, RateData) or fit is None:
        raise ValueError(f"{outcome.name}: not a rate row with its evidence and fit")
    sizes = np.asarray(ev.sizes, dtype=float)
    values = np.atleast_2d(np.asarray(ev.values, dtype=float))
    x, xlabel, logx = _transform(ev.kind, sizes)
    # the fit is of log(values) on u: log x (power, log) or x itself (geometric)
    u = np.log(x) if logx else x
    logy = np.log(values)
    uc, yc = float(u.mean()), float(logy.mean())
    grid = np.linspace(u.min(), u.max(), 100)
    xs = np.exp(grid) if logx else grid
    fig = Figure(figsize=(5.5, 4.0), dpi=100)
    ax = fig.subplots()
    for row in values:
        ax.plot(x, row, ".", color="0.6", ms=4)
    ax.plot(x, np.exp(logy.mean(axis=0)), "o", color="C0", label="geometric mean")
    ax.plot(xs, np.exp(fit.intercept + fit.slope * grid), "-", color="C0",
            label=f"fit: slope {fit.slope:.3f} (CI {fit.ci[0]:.3f}, {fit.ci[1]:.3f})")
    lo, hi = outcome.bound
    lo_f = lo if np.isfinite(lo) else min(fit.ci[0], hi) - 1.0
    hi_f = hi if np.isfinite(hi) else max(fit.ci[1], lo) + 1.0
    ya, yb = (np.exp(yc + s * (grid - uc)) for s in (lo_f, hi_f))
    ax.fill_between(xs, np.minimum(ya, yb), np.maximum(ya, yb), color="C2", alpha=0.2,
                    label=f"band of slopes [{lo:g}, {hi:g}]")
    if logx:
        ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("measured")
    ax.set_title(f"{outcome.name}: {'pass' if outcome.passed else 'FAIL'}", fontsize=10)
    ax.legend(fontsize=7, loc="best")
    fig.tight_layout()
    path = pathlib.Path(path)
    fig.savefig(path)
    return path


def _plots(report: Report, path: pathlib.Path) -> dict:
    """Write the rate plots next to ``path``; name -> path relative to ``path``'s folder."""
    out: dict[str, str] = {}
    rates = [r for r in report.rows if r.kind == "rate" and r.fit is not None
             and isinstance(r.evidence, RateData)]
    if not rates:
        return out
    folder = path.with_name(path.stem + "_plots")
    folder.mkdir(exist_ok=True)
    for r in rates:
        png = plot_rate(r, folder / f"{r.name}.png")
        out[r.name] = os.path.relpath(png, path.parent).replace(os.sep, "/")
    return out


def _check_target(path) -> pathlib.Path:
    path = pathlib.Path(path)
    if not path.parent.resolve().is_dir():
        raise ValueError(f"{str(path)!r}: directory {str(path.parent)!r} does not exist")
    return path


def _header(report: Report) -> str:
    n_pass = sum(r.passed for r in report)
    return (f"equilibria {_version()}, {'quick' if report.quick else 'full'} run, seed "
            f"{report.seed}: {n_pass} passed, {len(report) - n_pass} failed")


def _esc_md(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _markdown_table(report: Report) -> list[str]:
    """The report's table as Markdown lines (header, rule, one row per theorem)."""
    head, cells = report._cells()
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(_esc_md(c) for c in row) + " |" for row in cells]
    return lines


_CSS = ("table{border-collapse:collapse}td,th{padding:2px 8px;border-bottom:1px solid #ddd;"
        "font-family:monospace;text-align:left}tr.fail{background:#fdd}")


def _html_table(report: Report) -> str:
    """The report's table as one HTML ``<table>`` (failing rows of class ``fail``)."""
    head, cells = report._cells()
    e = html.escape
    rows = "\n".join(
        "<tr{}>{}</tr>".format(' class="fail"' if row[-1] == "FAIL" else "",
                               "".join(f"<td>{e(c)}</td>" for c in row)) for row in cells)
    return ("<table><tr>" + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr>\n" + rows
            + "\n</table>")


def _failure_lines(report: Report) -> list[str]:
    return [f"FAIL {r.name} [{r.source}]: {r.detail}" for r in report if not r.passed]


def repr_markdown(report: Report) -> str:
    """The Markdown a notebook shows for a :class:`~.registry.Report` (``_repr_markdown_``):
    the header line, the table and one line per failure.

    Parameters
    ----------
    report : Report

    Returns
    -------
    str
    """
    lines = [f"**{_esc_md(_header(report))}**", ""] + _markdown_table(report)
    failed = _failure_lines(report)
    if failed:
        lines += [""] + [f"- {_esc_md(f)}" for f in failed]
    return "\n".join(lines)


def repr_html(report: Report) -> str:
    """The HTML a notebook shows for a :class:`~.registry.Report` (``_repr_html_``): the
    header line, the table (failing rows shaded) and one line per failure.

    Parameters
    ----------
    report : Report

    Returns
    -------
    str
    """
    e = html.escape
    failed = _failure_lines(report)
    fails = ("<ul>" + "".join(f"<li>{e(f)}</li>" for f in failed) + "</ul>") if failed else ""
    return (f"<div><style scoped>{_CSS}</style><p><b>{e(_header(report))}</b></p>"
            f"{_html_table(report)}{fails}</div>")


def write_markdown(report: Report, path) -> pathlib.Path:
    """Write ``report`` as Markdown: the table (worst and best ratio, informative instances),
    the failures, each theorem's statement and source, and the rate plots (PNG files in
    ``<stem>_plots/`` next to ``path``).

    Parameters
    ----------
    report : Report
    path : str or path-like
        The ``.md`` file to write (its folder must exist).

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    path = _check_target(path)
    plots = _plots(report, path)
    esc = _esc_md
    lines = ["# equilibria verify", "", _header(report), ""] + _markdown_table(report)
    failed = [r for r in report if not r.passed]
    if failed:
        lines += ["", "## Failures", ""]
        lines += [f"- **{r.name}** [{esc(r.source)}]: {esc(r.detail)}" for r in failed]
    lines += ["", "## Theorems", ""]
    for r in report:
        lines += [f"### {r.name}", "", f"{r.statement}", "", f"*Source:* {r.source}", "",
                  f"*Result:* {'pass' if r.passed else 'FAIL'}; {r.detail}", ""]
        if r.name in plots:
            lines += [f"![{r.name}: fitted slope and band]({plots[r.name]})", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def write_html(report: Report, path) -> pathlib.Path:
    """Write ``report`` as a standalone HTML page (same content as :func:`write_markdown`).

    Parameters
    ----------
    report : Report
    path : str or path-like
        The ``.html`` file to write (its folder must exist).

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    path = _check_target(path)
    plots = _plots(report, path)
    e = html.escape
    parts = ["<!DOCTYPE html>", "<html><head><meta charset='utf-8'>",
             "<title>equilibria verify</title>",
             "<style>body{font-family:sans-serif;max-width:70em;margin:auto}" + _CSS
             + "</style></head><body>",
             "<h1>equilibria verify</h1>", f"<p>{e(_header(report))}</p>", _html_table(report),
             "<h2>Theorems</h2>"]
    for r in report:
        parts += [f"<h3 id='{e(r.name)}'>{e(r.name)}</h3>", f"<p>{e(r.statement)}</p>",
                  f"<p><i>Source:</i> {e(r.source)}</p>",
                  f"<p><i>Result:</i> {'pass' if r.passed else 'FAIL'}; {e(r.detail)}</p>"]
        if r.name in plots:
            parts.append(f"<img src='{e(plots[r.name])}' alt='{e(r.name)}: fitted slope and "
                         "band'>")
    parts.append("</body></html>")
    path.write_text("\n".join(parts), encoding="utf-8")
    return path
