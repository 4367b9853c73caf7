"""The theorem registry every room adds to, and :func:`verify`.

Rooms declare their statements in a module named ``theorems`` (``solvers/online/theorems.py``,
``odes/theorems.py``, ...) with the :func:`theorem` decorator (or by calling :func:`register`
on a :class:`Theorem`).  :func:`load_all` imports the modules listed in the one
table of rooms, :data:`equilibria._lib.rooms.ROOMS`, which the command line reads too, and
then the entry points of the group ``equilibria.theorems`` (:data:`ENTRY_POINT_GROUP`), so an
installed package keeps its own theorems next to its code::

    # the user's pyproject.toml
    [project.entry-points."equilibria.theorems"]
    mygroup = "mypkg.theorems"

A user's module can also be imported explicitly (:func:`load_module`, ``equilibria verify
--module mypkg.theorems``); its ``@theorem`` registrations are then found like the rooms'.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import importlib
import inspect
import json
import sys
import time
import traceback
from typing import Any, Callable, Protocol, cast

import numpy as np

from equilibria._lib.rng import named_seed
from equilibria._lib.rooms import theorem_modules
from equilibria._lib.sweep import parallel_map
from equilibria._lib.validation import check_int

from ._theorem import Outcome, Theorem

__all__ = ["theorem", "TheoremFunction", "register", "get", "names", "load_all", "verify",
           "check", "Report", "REGISTRY", "ENTRY_POINT_GROUP", "load_module"]

#: entry-point group through which installed packages register theorems
ENTRY_POINT_GROUP = "equilibria.theorems"

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


#: Theorem fields the decorator fills itself (the rest pass through ``**fields``)
_OWN_FIELDS = ("name", "source", "statement", "sample", "evaluate", "experiment")


def _room_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) < 2 or parts[-1] != "theorems":
        raise ValueError(f"cannot derive a room from module {module!r} (not a rooms' "
                         "`theorems` module); pass `name=` explicitly")
    return parts[-2]


def _first_paragraph(doc: str) -> str:
    lines: list[str] = []
    for line in inspect.cleandoc(doc).splitlines():
        if not line.strip():
            if lines:
                break
            continue
        lines.append(line.strip())
    return " ".join(lines)


class TheoremFunction(Protocol):
    """A function declared with :func:`theorem`: callable as before, its theorem attached.

    Attributes
    ----------
    theorem : Theorem
        The registered theorem whose ``evaluate`` (or ``experiment``) the function is.
    """

    theorem: Theorem

    def __call__(self, *args: Any, **kwargs: Any) -> Any: ...


def theorem(name: str | None = None, *, source: str, statement: str | None = None,
            sample: Callable | None = None,
            **fields: Any) -> Callable[[Callable[..., Any]], TheoremFunction]:
    """Declare and register a theorem on its ``evaluate`` or ``experiment`` function.

    ::

        @theorem(name="odes.volterra_global_convergence", source=GOH, sample=sample_volterra,
                 sizes={"n": (2, 6)}, n_instances=(4, 40))
        def evaluate_volterra(inst):
            '''If a positive diagonal D makes D A + A^T D negative definite, ... (the
            statement, first paragraph).

            Measured: ...; bound ...
            '''

        VOLTERRA = evaluate_volterra.theorem

    With ``sample`` the decorated function is the theorem's ``evaluate(instance) ->
    (measured, bound)``; without it, the function is the ``experiment(rng, quick)``
    returning :class:`BoundData` or :class:`RateData` (required for
    ``kind="rate"``).  The decorator builds the :class:`Theorem`, registers it
    (:func:`register`) and returns the function itself, unchanged and still callable, with
    the theorem attached as ``fn.theorem``; rooms keep module-level names such as
    ``VOLTERRA = evaluate_volterra.theorem``.  It may also be called on a generated function:
    ``theorem(name=..., statement=..., ...)(make_experiment(...))``.

    Parameters
    ----------
    name : str, optional
        Registry key.  Default ``"<room>.<function name>"`` with leading underscores and an
        ``evaluate_`` prefix removed, the room being the package that holds the ``theorems``
        module (``equilibria.odes.theorems`` -> ``odes``, ``equilibria.solvers.online.theorems``
        -> ``online``); modules not named ``theorems`` must pass ``name``.
    source : str
        Paper and theorem number (a source several theorems share is a module constant).
    statement : str, optional
        The statement in words.  Default: the first paragraph of the function's docstring,
        each line stripped and the lines joined by single spaces (so a statement is written
        once, in the docstring).  Pass it for generated functions whose statement is
        formatted per theorem.  Under ``python -OO`` (docstrings stripped) the default is a
        placeholder.
    sample : callable, optional
        ``sample(rng) -> instance``; its presence makes the decorated function ``evaluate``.
    **fields
        Any other :class:`Theorem` field: ``assumptions``, ``kind``,
        ``n_instances``, ``band``, ``expression``, ``rtol``, ``atol``, ``sizes``, ``strategy``,
        ``examples``, ``tightness``, ``protocol``.

    Returns
    -------
    callable
        The decorator: ``fn -> fn`` (the same function object, with ``fn.theorem`` set to the
        registered :class:`Theorem`; typed as :class:`TheoremFunction`).

    Raises
    ------
    TypeError
        On a keyword that is not a Theorem field, or a function that already carries a theorem.
    ValueError
        When no name can be derived, there is no statement (no docstring), or the Theorem is
        invalid (see :class:`Theorem`) or its name is taken (:func:`register`).
    """
    valid = {f.name for f in dataclasses.fields(Theorem)} - set(_OWN_FIELDS)
    unknown = sorted(set(fields) - valid)
    if unknown:
        raise TypeError(f"theorem(): unknown Theorem field(s) {', '.join(unknown)}; valid: "
                        f"{', '.join(sorted(valid))}")

    def decorate(fn: Callable[..., Any]) -> TheoremFunction:
        if not callable(fn):
            raise TypeError(f"@theorem decorates a function, got {type(fn).__name__}")
        attached = getattr(fn, "theorem", None)
        if attached is not None:
            raise TypeError(f"{fn.__qualname__} already carries theorem {attached.name!r}")
        key = name
        if key is None:
            base = fn.__name__.lstrip("_")
            base = base[len("evaluate_"):] if base.startswith("evaluate_") else base
            key = f"{_room_of(fn.__module__)}.{base}"
        text = statement
        if text is None:
            if fn.__doc__:
                text = _first_paragraph(fn.__doc__)
            elif sys.flags.optimize >= 2:
                text = "(statement unavailable: docstrings stripped by python -OO)"
            if not text:
                raise ValueError(f"theorem {key!r}: no statement (give {fn.__qualname__} a "
                                 "docstring whose first paragraph states it, or pass "
                                 "`statement=`)")
        roles: dict[str, Any] = ({"sample": sample, "evaluate": fn} if sample is not None
                                 else {"experiment": fn})
        thm = register(Theorem(name=key, source=source, statement=text, **roles, **fields))
        fn.theorem = thm  # type: ignore[attr-defined]
        return cast(TheoremFunction, fn)

    return decorate


def load_all() -> dict[str, Theorem]:
    """Import every room's ``theorems`` module and the ``equilibria.theorems`` entry points,
    and return the registry.

    The rooms' modules come from the table of rooms; then each entry point of the group
    :data:`ENTRY_POINT_GROUP` is loaded: its value names a module (imported, so its
    ``@theorem`` declarations register) or a callable taking no arguments (called).  This
    happens once per process; an import error propagates (an entry point's names the entry
    point).

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
        try:
            _load_entry_points()
        except BaseException:
            _loaded = False
            raise
    return REGISTRY


def _entry_points():
    from importlib.metadata import entry_points

    return entry_points(group=ENTRY_POINT_GROUP)


def _load_entry_points() -> None:
    for ep in _entry_points():
        try:
            obj = ep.load()
        except Exception as exc:
            raise ImportError(f"entry point {ep.name!r} = {ep.value!r} of group "
                              f"{ENTRY_POINT_GROUP!r} failed to load: {type(exc).__name__}: "
                              f"{exc}") from exc
        if callable(obj) and not inspect.ismodule(obj):
            obj()


def load_module(module: str):
    """Import a user's module of theorems (``"mypkg.theorems"``) so its ``@theorem``
    declarations register, after the rooms' (:func:`load_all`).

    Parameters
    ----------
    module : str
        Dotted module name, importable from ``sys.path`` (the current directory included
        when run from the command line).

    Returns
    -------
    module
        The imported module.

    Raises
    ------
    ValueError
        When no module of that name exists (other import errors propagate).
    """
    if not isinstance(module, str) or not module:
        raise TypeError(f"`module` must be a dotted module name (str), got {module!r}")
    load_all()
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name is not None and (module == exc.name or module.startswith(exc.name + ".")):
            raise ValueError(f"no module named {module!r} (is it on sys.path? the command line "
                             "adds the current directory)") from exc
        raise


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
    TypeError
        If ``name`` is not a string.
    UnknownTheoremError
        If no theorem has that name (the message lists the registered names); a subclass of
        both ``KeyError`` and ``ValueError``.
    """
    if not isinstance(name, str):
        raise TypeError(f"`name` must be a theorem name (str), got {type(name).__name__}")
    reg = load_all()
    if name not in reg:
        raise UnknownTheoremError(f"no theorem named `name`={name!r}; registered: "
                                  f"{', '.join(sorted(reg))}")
    return reg[name]


class UnknownTheoremError(KeyError, ValueError):
    """No theorem of that name: a ``KeyError`` (a failed lookup) and a ``ValueError`` (a bad
    argument value), whose text is the plain message."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def _select(patterns) -> list[str]:
    all_names = names()
    if patterns is None:
        return all_names
    if isinstance(patterns, str):
        patterns = [patterns]
    try:
        patterns = list(patterns)
    except TypeError:
        raise TypeError("`names` must be a pattern (str), a sequence of patterns or None, got "
                        f"{type(patterns).__name__}") from None
    bad = [p for p in patterns if not isinstance(p, str)]
    if bad:
        raise TypeError(f"`names` must contain only patterns (str), got {bad[0]!r}")
    chosen = []
    for pat in patterns:
        glob = pat if any(ch in pat for ch in "*?[") else f"*{pat}*"
        chosen += [n for n in all_names if fnmatch.fnmatchcase(n, glob) and n not in chosen]
    return chosen


def _origin(thm: Theorem) -> str | None:
    """The module that declared ``thm`` (imported by a worker process that lacks it)."""
    fn = thm.experiment if thm.experiment is not None else thm.evaluate
    return getattr(fn, "__module__", None)


def _run_theorem(thm: Theorem, quick: bool, seed: int, algorithm=None,
                 instances=None) -> Outcome:
    rng = np.random.default_rng(named_seed(seed, thm.name))
    t0 = time.perf_counter()
    try:
        evidence = thm.run(rng, quick, algorithm=algorithm, instances=instances)
        return thm.judge(evidence, seconds=time.perf_counter() - t0, seed=seed)
    except Exception as exc:  # report, do not crash the whole run
        tb = traceback.format_exc(limit=3)
        return Outcome(thm.name, thm.kind, thm.source, False, np.nan, np.nan, np.nan, 0,
                       time.perf_counter() - t0, f"error: {type(exc).__name__}: {exc}",
                       None, tb, statement=thm.statement)


def _run_one(task) -> Outcome:
    name, quick, seed, algorithm, origin = task
    reg = load_all()
    if name not in reg and origin and origin not in sys.modules:
        # a worker process started without the user's module (spawn): import it
        importlib.import_module(origin)
    return _run_theorem(get(name), quick, seed, algorithm)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("equilibria")
    except PackageNotFoundError:  # a checkout that was never installed
        return "unknown"


def _fmt(v, spec: str = ".3f") -> str:
    return "-" if v is None or not np.isfinite(v) else format(v, spec)


@dataclasses.dataclass(frozen=True)
class Report:
    """Result of :func:`verify`: one :class:`Outcome` per theorem.

    Attributes
    ----------
    rows : tuple of Outcome
        One row per selected theorem, in name order.
    quick : bool
        Whether the quick instance counts were used.
    seed : int
        The master seed.
    """

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
        """The report as JSON: package version, mode, seed, and per theorem its statement,
        source, the judged row and the per-instance values (see :meth:`Outcome.as_json`).

        Returns
        -------
        str
        """
        return json.dumps({"package": "equilibria", "version": _version(), "quick": self.quick,
                           "seed": self.seed, "passed": self.passed,
                           "theorems": [r.as_json() for r in self.rows]}, indent=2)

    def _cells(self) -> tuple[tuple, list[tuple]]:
        head = ("theorem", "kind", "measured", "bound", "ratio", "best", "inf/n", "time",
                "result")
        lines = []
        for r in self.rows:
            if r.kind == "rate" and r.fit is not None:
                meas = f"{r.measured:.3f}"
                bound = f"[{r.bound[0]:g},{r.bound[1]:g}]"
                ratio = "CI[{:.2f},{:.2f}]".format(*r.fit.ci)
                best, inf_n = "-", str(r.n_instances)
            else:
                meas = _fmt(r.measured, ".4g")
                bound = _fmt(r.bound, ".4g")
                ratio, best = _fmt(r.ratio), _fmt(r.best_ratio)
                inf_n = (str(r.n_instances) if r.n_informative is None
                         else f"{r.n_informative}/{r.n_instances}")
            lines.append((r.name, r.kind, meas, bound, ratio, best, inf_n, f"{r.seconds:.1f}s",
                          "pass" if r.passed else "FAIL"))
        return head, lines

    def table(self) -> str:
        """Plain-text table: per theorem the worst instance's measured value and bound, the
        worst and best ratio (rate theorems: the slope, its band and CI), informative
        instances out of all (``inf/n``; a vacuous instance's bound is at or above the trivial
        maximum of the measured quantity), time and result; then one line per failure and one
        note per passing theorem with vacuous instances.

        Returns
        -------
        str
        """
        head, lines = self._cells()
        widths = [max(len(h), *(len(row[i]) for row in lines)) if lines else len(h)
                  for i, h in enumerate(head)]
        fmt = "  ".join("{:<%d}" % w for w in widths)
        out = [fmt.format(*head), fmt.format(*("-" * w for w in widths))]
        out += [fmt.format(*row) for row in lines]
        for r in self.rows:
            if not r.passed:
                out.append(f"FAIL {r.name} [{r.source}]: {r.detail}")
        for r in self.rows:
            if r.passed and r.n_informative is not None and r.n_informative < r.n_instances:
                out.append(f"note {r.name}: {r.n_instances - r.n_informative}/{r.n_instances} "
                           "instances vacuous (bound >= trivial maximum)")
        n_pass = sum(r.passed for r in self.rows)
        out.append(f"{n_pass} passed, {len(self.rows) - n_pass} failed")
        return "\n".join(out)

    def __str__(self):
        return self.table()

    def __repr__(self):  # a notebook's or a REPL's last line shows the table, not the rows
        return self.table()

    def _repr_markdown_(self) -> str:
        from .reports import repr_markdown

        return repr_markdown(self)

    def _repr_html_(self) -> str:
        from .reports import repr_html

        return repr_html(self)


def _check_algorithm_accepted(theorems, algorithm) -> None:
    if algorithm is None:
        return
    refused = [t.name for t in theorems if not t.accepts_algorithm]
    if refused:
        raise ValueError(f"theorem {refused[0]!r} does not take a user implementation (no "
                         "`algorithm` keyword)" + (f"; nor do {', '.join(refused[1:])}"
                                                   if len(refused) > 1 else "")
                         + "; select only theorems that do (`equilibria verify --describe`)")


def verify(names=None, *, quick: bool = True, seed: int = 0, executor=None,
           progress: bool | None = None, algorithm=None) -> Report:
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
        Master seed, ``>= 0``; each theorem gets its own stream keyed by ``(seed, name)``, so a
        theorem's result does not depend on which others run or on the executor.
    executor : concurrent.futures.Executor, optional
        Runs theorems concurrently (``ProcessPoolExecutor``, a dask client's executor).
    progress : bool or None
        Show a tqdm bar.
    algorithm : object, optional
        A user's implementation checked in place of the package's: passed as ``algorithm=``
        to each selected theorem's ``evaluate``/``experiment``, which must take that keyword
        (``ValueError`` naming the first theorem that does not; its ``protocol`` says what
        the object must provide).  With an ``executor`` it must be picklable.

    Returns
    -------
    Report
        ``report.passed`` is true when every selected theorem passed.
    """
    seed = check_int(seed, "seed", lo=0)
    selected = _select(names)
    if not selected:
        raise ValueError(f"no registered theorem matches `names`={names!r}")
    _check_algorithm_accepted([get(n) for n in selected], algorithm)
    if algorithm is not None and executor is not None:
        import pickle

        try:
            pickle.dumps(algorithm)
        except Exception as exc:
            raise TypeError(f"`algorithm` must be picklable to run with an `executor` "
                            f"({type(exc).__name__}: {exc}); pass executor=None") from None
    tasks = [(n, bool(quick), seed, algorithm, _origin(get(n))) for n in selected]
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


def check(theorem_or_name, *, algorithm=None, instances=None, quick: bool = True,
          seed: int = 0) -> Outcome:
    """Check one theorem, optionally on a user's implementation and the user's instances.

    ::

        out = check("online.hedge_regret", algorithm=MyHedge)   # a theorem that takes one
        print(out)          # readable report: statement, source, worst/best ratio
        assert out.passed

    Parameters
    ----------
    theorem_or_name : str or Theorem
        A registered name (exact) or a :class:`Theorem` object (need not be registered).
    algorithm : object, optional
        The user's implementation, passed as ``algorithm=`` to the theorem's
        ``evaluate``/``experiment``; the theorem's ``protocol`` says what it must provide.
    instances : iterable, optional
        Instances the user brings (of the type the theorem's ``sample`` returns; see
        ``equilibria verify --describe NAME``), evaluated in place of sampled ones.  Only for
        sample/evaluate theorems.
    quick : bool
        Quick or full instance counts (when sampling).
    seed : int
        Master seed, ``>= 0``; the same stream as :func:`verify` (``check(name)`` reproduces
        the row of ``verify(name)``).

    Returns
    -------
    Outcome
        The judged row (``.passed``, ``.ratio``, ``.best_ratio``, ``.n_informative``, ...;
        ``str(outcome)`` is a readable report).  An error raised while evaluating (e.g. an
        instance that violates the theorem's assumptions) makes a failing row whose
        ``detail`` and ``error`` carry it.

    Raises
    ------
    ValueError
        When ``algorithm`` is given and the theorem takes no user implementation, when
        ``instances`` is given for a theorem without per-instance ``evaluate``, or is empty.
    TypeError
        When ``theorem_or_name`` is neither a name nor a Theorem, or ``instances`` is not
        iterable.
    """
    if isinstance(theorem_or_name, Theorem):
        thm = theorem_or_name
    elif isinstance(theorem_or_name, str):
        thm = get(theorem_or_name)
    else:
        raise TypeError("`theorem_or_name` must be a theorem name (str) or a Theorem, got "
                        f"{type(theorem_or_name).__name__}")
    seed = check_int(seed, "seed", lo=0)
    _check_algorithm_accepted([thm], algorithm)
    if instances is not None:
        instances = thm.check_instances(instances)
    return _run_theorem(thm, bool(quick), seed, algorithm, instances)
