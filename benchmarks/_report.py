"""Shared JSON output of the benchmarks: one schema, read by ``tools/readme_perf.py``.

A benchmark that feeds the README's Performance section imports this module at start (the
machine load is recorded at import, i.e. when the benchmark starts), adds ``--json`` with
:func:`add_json_argument` and, at the end, calls :func:`emit` with the table *exactly as the
README shows it* (the cells are already formatted strings) plus free-form ``meta`` with the raw
numbers.  The file written is ``benchmarks/results/<name>.json``::

    {"schema": 1, "name": ..., "title": ..., "command": "python benchmarks/x.py --json",
     "setup": "instance and sizes", "columns": [...], "rows": [[...], ...],
     "notes": ["markdown paragraph", ...],
     "machine": {"cpu": ..., "cores": 2, "load_start": [1m, 5m, 15m], "load_end": [...],
                 "threads": {"numba": 2, ...}, "python": ..., "platform": ...},
     "versions": {"equilibria": ..., "git": ..., "numpy": ..., <peers>},
     "date": "2026-12-04T21:30:00Z", "wall_s": ..., "meta": {...}}

Nothing here measures anything: it only records where and how a run was made.
"""

from __future__ import annotations

import datetime as _dt
import importlib.metadata
import json
import os
import platform
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RESULTS = os.path.join(HERE, "results")
SCHEMA = 1

_START_LOAD = os.getloadavg()
_START_TIME = time.time()


def default_path(name):
    """Return ``benchmarks/results/<name>.json`` (absolute)."""
    return os.path.join(RESULTS, f"{name}.json")


def add_json_argument(ap, name):
    """Add ``--json [PATH]`` to an argparse parser (bare ``--json``: the default path)."""
    ap.add_argument("--json", nargs="?", const=default_path(name), default=None, metavar="PATH",
                    help=f"write the README table and the run's metadata as JSON (bare --json: "
                         f"benchmarks/results/{name}.json)")


def _cpu():
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _threads():
    out = {}
    try:
        import numba

        out["numba"] = int(numba.get_num_threads())
    except Exception:  # numba missing or not initialisable: record nothing
        pass
    for var in ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                "MKL_NUM_THREADS"):
        if os.environ.get(var):
            out[var] = os.environ[var]
    return out


def _git():
    try:
        res = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT,
                             capture_output=True, text=True, timeout=10)
        return res.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def _versions(peers):
    import numpy as np

    out = {"python": platform.python_version(), "numpy": np.__version__}
    try:
        import equilibria

        out["equilibria"] = getattr(equilibria, "__version__", "?")
    except ImportError:
        out["equilibria"] = None
    out["git"] = _git()
    for dist in peers:  # distribution names, e.g. "POT", "mabwiser"
        try:
            out[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            out[dist] = None
    return out


def fmt(x, sig=3):
    """Format a number for a table: thousands separators, else ``sig`` significant digits."""
    x = float(x)
    if x != x:
        return "nan"
    if abs(x) >= 10 ** (sig - 1):
        return f"{x:,.0f}"
    return f"{x:.{sig}g}"


def command_line(argv=None):
    """Return the command that ran the benchmark, as one would type it from the repository root."""
    argv = list(sys.argv if argv is None else argv)
    script = os.path.relpath(os.path.abspath(argv[0]), ROOT) if argv else "?"
    return " ".join(["python", script, *argv[1:]])


def emit(name, title, columns, rows, notes=(), meta=None, *, setup="", path=None, peers=(),
         command=None):
    """Write one benchmark's README table and its provenance as JSON; return the path.

    ``rows`` are lists of already formatted cells, one per column; ``setup`` is the sentence
    shown after the title (instance, sizes, peers); ``notes`` are markdown paragraphs shown
    under the table; ``meta`` holds the raw numbers and parameters;
    ``peers`` names the distributions whose versions are recorded.
    """
    columns = [str(c) for c in columns]
    rows = [[str(c) for c in r] for r in rows]
    for r in rows:
        if len(r) != len(columns):
            raise ValueError(f"row {r!r} has {len(r)} cells, expected {len(columns)}")
    rec = {
        "schema": SCHEMA,
        "name": name,
        "title": title,
        "setup": setup,
        "command": command or command_line(),
        "columns": columns,
        "rows": rows,
        "notes": [str(n) for n in notes],
        "machine": {"cpu": _cpu(), "cores": os.cpu_count(),
                    "load_start": [round(x, 2) for x in _START_LOAD],
                    "load_end": [round(x, 2) for x in os.getloadavg()],
                    "threads": _threads(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "versions": _versions(peers),
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "wall_s": round(time.time() - _START_TIME, 1),
        "meta": meta or {},
    }
    path = path or default_path(name)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as fh:
        json.dump(rec, fh, indent=1, default=_default)
        fh.write("\n")
    print(f"wrote {os.path.relpath(path)}")
    return path


def _default(o):
    try:
        import numpy as np

        if isinstance(o, np.generic):
            return o.item()
        if isinstance(o, np.ndarray):
            return o.tolist()
    except ImportError:
        pass
    return str(o)
