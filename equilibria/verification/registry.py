"""The theorem registry every room adds to, and :func:`verify`.

Rooms register their statements in a module named ``theorems`` (``solvers/online/theorems.py``,
``odes/theorems.py``, ...) by calling :func:`register`.  :func:`load_all` imports the modules
listed in the one table of rooms, :data:`equilibria._lib.rooms.ROOMS`, which the command line
reads too.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import importlib
import json
import time
import traceback

import numpy as np

from equilibria._lib.rng import named_seed
from equilibria._lib.rooms import theorem_modules
from equilibria._lib.sweep import parallel_map

from .theorem import Outcome, Theorem

__all__ = ["register", "get", "names", "load_all", "verify", "Report", "REGISTRY"]

#: name -> Theorem
REGISTRY: dict[str, Theorem] = {}

_loaded = False


def register(theorem: Theorem) -> Theorem:
    """Add ``theorem`` to the registry (a name may be registered once).

    Parameters
    ----------
    theorem : Theorem
        Registered under ``theorem.name``; registering it again from the same module (a
        re-import) replaces the entry.

    Returns
    -------
    Theorem
        ``theorem`` itself.

    Raises
    ------
    TypeError
        If ``theorem`` is not a :class:`Theorem`.
    ValueError
        If another module already registered the name.
    """
    if not isinstance(theorem, Theorem):
        raise TypeError(f"`theorem` must be a Theorem, got {type(theorem).__name__}")
    old = REGISTRY.get(theorem.name)
    if old is not None and old is not theorem:
        # re-import of the same module (e.g. importlib.reload) replaces; a clash between
        # different modules is an error
        if getattr(old.sample or old.experiment, "__module__", None) != \
                getattr(theorem.sample or theorem.experiment, "__module__", None):
            raise ValueError(f"theorem name {theorem.name!r} is already registered")
    REGISTRY[theorem.name] = theorem
    return theorem


def load_all() -> dict[str, Theorem]:
    """Import every room's ``theorems`` module (from the table of rooms) and return the registry.

    The modules are imported once per process; an import error propagates.

    Returns
    -------
    dict of str to Theorem
        :data:`REGISTRY` itself (name -> theorem), not a copy.
    """
    global _loaded
    if not _loaded:
        for modname in theorem_modules():
            importlib.import_module(modname)  # an import error propagates with its traceback
        _loaded = True
    return REGISTRY


def names() -> list[str]:
    """Sorted names of all registered theorems.

    Returns
    -------
    list of str
        Names of every theorem in the registry after :func:`load_all`, sorted.
    """
    return sorted(load_all())


def get(name: str) -> Theorem:
    """The theorem registered as ``name``.

    Parameters
    ----------
    name : str
        Exact registry key, e.g. ``"online.hedge_regret"``.

    Returns
    -------
    Theorem

    Raises
    ------
    KeyError
        If no theorem has that name (the message lists the registered names).
    """
    reg = load_all()
    if name not in reg:
        raise KeyError(f"no theorem named {name!r}; registered: {', '.join(sorted(reg))}")
    return reg[name]


def _select(patterns) -> list[str]:
    all_names = names()
    if patterns is None:
        return all_names
    if isinstance(patterns, str):
        patterns = [patterns]
    chosen = []
    for pat in patterns:
        glob = pat if any(ch in pat for ch in "*?[") else f"*{pat}*"
        chosen += [n for n in all_names if fnmatch.fnmatchcase(n, glob) and n not in chosen]
    return chosen


def _run_one(task) -> Outcome:
    name, quick, seed = task
    thm = get(name)
    rng = np.random.default_rng(named_seed(seed, name))
    t0 = time.perf_counter()
    try:
        evidence = thm.run(rng, quick)
        return thm.judge(evidence, seconds=time.perf_counter() - t0, seed=seed)
    except Exception as exc:  # report, do not crash the whole run
        tb = traceback.format_exc(limit=3)
        return Outcome(name, thm.kind, thm.source, False, np.nan, np.nan, np.nan, 0,
                       time.perf_counter() - t0, f"error: {type(exc).__name__}: {exc}",
                       None, tb)


@dataclasses.dataclass(frozen=True)
class Report:
    """Result of :func:`verify`: one :class:`Outcome` per theorem."""

    rows: tuple
    quick: bool
    seed: int

    @property
    def passed(self) -> bool:
        """True when every theorem passed."""
        return all(r.passed for r in self.rows)

    @property
    def failed(self) -> list[str]:
        return [r.name for r in self.rows if not r.passed]

    def __len__(self):
        return len(self.rows)

    def __iter__(self):
        return iter(self.rows)

    def to_json(self) -> str:
        return json.dumps({"quick": self.quick, "seed": self.seed, "passed": self.passed,
                           "theorems": [r.as_json() for r in self.rows]}, indent=2)

    def table(self) -> str:
        """Plain-text table."""
        head = ("theorem", "kind", "measured", "bound", "ratio", "n", "time", "result")
        lines = []
        for r in self.rows:
            if r.kind == "rate" and r.fit is not None:
                meas = f"{r.measured:.3f}"
                bound = f"[{r.bound[0]:g},{r.bound[1]:g}]"
                ratio = "CI[{:.2f},{:.2f}]".format(*r.fit.ci)
            else:
                meas = "-" if not np.isfinite(r.measured) else f"{r.measured:.4g}"
                bound = "-" if not np.isfinite(r.bound) else f"{r.bound:.4g}"
                ratio = "-" if not np.isfinite(r.ratio) else f"{r.ratio:.3f}"
            lines.append((r.name, r.kind, meas, bound, ratio, str(r.n_instances),
                          f"{r.seconds:.1f}s", "pass" if r.passed else "FAIL"))
        widths = [max(len(h), *(len(row[i]) for row in lines)) if lines else len(h)
                  for i, h in enumerate(head)]
        fmt = "  ".join("{:<%d}" % w for w in widths)
        out = [fmt.format(*head), fmt.format(*("-" * w for w in widths))]
        out += [fmt.format(*row) for row in lines]
        for r in self.rows:
            if not r.passed:
                out.append(f"FAIL {r.name} [{r.source}]: {r.detail}")
        n_pass = sum(r.passed for r in self.rows)
        out.append(f"{n_pass} passed, {len(self.rows) - n_pass} failed")
        return "\n".join(out)

    def __str__(self):
        return self.table()


def verify(names=None, *, quick: bool = True, seed: int = 0, executor=None,
           progress: bool = False) -> Report:
    """Run the experiments of the registered theorems and judge them.

    Parameters
    ----------
    names : str or list of str, optional
        Name patterns (fnmatch globs; a plain string matches as a substring).  ``None`` runs
        every registered theorem.
    quick : bool
        Quick mode (small instance counts; the whole registry in under a minute on 2 cores)
        or full mode.
    seed : int
        Master seed; each theorem gets its own stream keyed by ``(seed, name)``, so a theorem's
        result does not depend on which others run or on the executor.
    executor : concurrent.futures.Executor, optional
        Runs theorems concurrently (``ProcessPoolExecutor``, a dask client's executor).
    progress : bool
        Show a tqdm bar.

    Returns
    -------
    Report
        ``report.passed`` is true when every selected theorem passed.
    """
    selected = _select(names)
    if not selected:
        raise ValueError(f"no registered theorem matches `names`={names!r}")
    tasks = [(n, bool(quick), int(seed)) for n in selected]
    if executor is None:
        rows = parallel_map(_run_one, tasks, executor=None, progress=progress, desc="verify")
    else:
        # One task per room: a room's theorems share compiled kernels, so running them in one
        # worker compiles each kernel once; rooms run concurrently, largest first.
        groups: dict[str, list] = {}
        for t in tasks:
            groups.setdefault(t[0].split(".", 1)[0], []).append(t)
        chunks = sorted(groups.values(), key=len, reverse=True)
        done = parallel_map(_run_group, chunks, executor=executor, progress=progress,
                            desc="verify (rooms)")
        by_name = {row.name: row for group in done for row in group}
        rows = [by_name[n] for n in selected]
    return Report(tuple(rows), bool(quick), int(seed))


def _run_group(tasks) -> list:
    return [_run_one(t) for t in tasks]
