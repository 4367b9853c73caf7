"""Fuzz harness: every public callable against one-argument corruptions (reliability issue).

A :class:`Case` is a valid baseline call of one public name (a function, a class constructor
or a method).  :func:`run_case` calls it once as given, then once per (argument, corruption)
pair with only that argument corrupted, and classifies each outcome:

``valid``
    returned a valid result: no non-finite output unless the result says ``success=False``
    *and* a warning was emitted, the case's invariant holds, the inputs are unchanged, and for
    the *equivalent* corruptions (list, Fortran order, non-contiguous, read-only, float32, int)
    the result equals the baseline result and no numba kernel gained a compiled signature;
``clear_error``
    ``ValueError`` / ``TypeError`` whose message names the corrupted argument;
``wrong_exception``
    any other exception, or a ValueError/TypeError that does not name the argument;
``silent_nan``
    a NaN/inf in the output without ``success=False`` and a warning;
``wrong_answer``
    the invariant failed, or an equivalent corruption changed the result;
``accepted_invalid``
    an *invalid* corruption (NaN, inf, strings, complex, object, bool, wrong ndim, a
    non-integer for an integer, an unknown option name) returned normally;
``mutated_input``
    an input array or object was modified by the call;
``recompiled``
    an equivalent corruption compiled a new numba signature;
``hang``
    the call exceeded the case's time limit (a SIGALRM interrupts Python code; a hung
    compiled kernel is caught by the faulthandler watchdog, which ends the process).

The defect classes are every class except ``valid`` and ``clear_error``.  Corruptions that
may be valid input for some arguments (negative, zero, empty, wrong length, 1e300, 1e-300,
``None``, a huge integer) pass as ``valid`` when the result is valid, so a case never has to
say which of them its function accepts; a case lists in ``allow`` the *invalid* corruptions
that are in fact meaningful for one argument (e.g. ``t_end=inf``).

Run ``python -m tests.fuzz.report`` for the outcome counts per room.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import faulthandler
import importlib
import inspect
import math
import numbers
import pkgutil
import re
import resource
import signal
import sys
import warnings
from typing import Any, Callable

import numpy as np

__all__ = ["Case", "Outcome", "run_case", "public_names", "DEFECTS", "CLASSES", "room_of",
           "ROOMS", "close", "assert_distribution"]

CLASSES = ("valid", "clear_error", "wrong_exception", "silent_nan", "wrong_answer",
           "accepted_invalid", "mutated_input", "recompiled", "hang")
DEFECTS = CLASSES[2:]

ROOMS = ("theory", "solvers.online", "solvers.ot", "solvers.games", "solvers.constrained",
         "solvers.policy", "solvers.sketch", "bandits", "odes", "verification", "cli")

#: corruptions that must give the baseline answer (the input means the same numbers)
EQUIVALENT = ("list", "fortran", "noncontig", "readonly", "float32", "int")
#: corruptions that are never valid input unless a case allows them for one argument
INVALID = ("nan", "inf", "-inf", "str", "numeric_str", "complex", "object", "bool",
           "wrong_ndim", "non_integer", "unknown_option", "wrong_type")


@dataclasses.dataclass
class Case:
    """One baseline call of a public callable.

    Parameters
    ----------
    name : str
        The public name covered, e.g. ``"equilibria.solvers.ot.sinkhorn"`` or
        ``"equilibria.solvers.online.ONS.predict"`` (a method: ``call`` builds the object).
    call : callable
        ``call(**kwargs)`` performs the call.
    kwargs : callable
        Returns fresh baseline keyword arguments (called once per corruption).
    check : callable, optional
        ``check(result, kwargs)`` raises ``AssertionError`` when an invariant fails (plans
        meet their marginals, policies are distributions, pulls sum to the horizon, ...).
    fuzz : tuple of str, optional
        The arguments to corrupt (default: every array, real, integer and string argument).
    allow : dict, optional
        ``{argument: {corruption, ...}}``: invalid corruptions that are meaningful input for
        that argument (the result must then be valid).
    same : callable, optional
        ``same(a, b)`` compares two results for the equivalent corruptions (default:
        :func:`close` on every array / number reachable from the results).
    finite_output : bool
        Whether every number in a successful result must be finite (``False`` for functions
        that legitimately return ``inf``, e.g. an unbounded ratio).
    timeout : float
        Seconds per call before the outcome is ``hang``.
    """

    name: str
    call: Callable[..., Any]
    kwargs: Callable[[], dict]
    check: Callable[[Any, dict], None] | None = None
    fuzz: tuple[str, ...] | None = None
    allow: dict[str, set[str]] = dataclasses.field(default_factory=dict)
    same: Callable[[Any, Any], bool] | None = None
    finite_output: bool = True
    timeout: float = 20.0
    float32_rtol: float = 1e-3

    @property
    def id(self) -> str:
        return self.name.removeprefix("equilibria.")


@dataclasses.dataclass
class Outcome:
    case: str
    arg: str
    corruption: str
    kind: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.case}({self.arg}={self.corruption}): {self.kind} {self.detail}"


# ----------------------------------------------------------------------------------- public API


def public_names() -> dict[str, Any]:
    """Every public object: ``{canonical dotted name: object}``.

    The objects listed in the ``__all__`` of every public module of ``equilibria`` (modules
    whose dotted name has no component starting with ``_``), deduplicated by identity; the
    canonical name is the shortest path (then alphabetical).  Public methods defined on
    public classes (not inherited, not starting with ``_``, with at least one argument other
    than ``self``) are listed as ``Class.method``.
    """
    import equilibria

    paths: dict[int, list[str]] = {}
    objs: dict[int, Any] = {}
    for info in pkgutil.walk_packages(equilibria.__path__, "equilibria."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        mod = importlib.import_module(info.name)
        for n in getattr(mod, "__all__", ()):
            obj = getattr(mod, n)
            objs[id(obj)] = obj
            paths.setdefault(id(obj), []).append(f"{info.name}.{n}")
    out: dict[str, Any] = {}
    for key, obj in objs.items():
        name = min(paths[key], key=lambda p: (p.count("."), p))
        if isinstance(obj, (str, int, float, tuple, list, dict, frozenset)) or obj is None:
            continue  # constants
        if not callable(obj):
            continue
        out[name] = obj
        if inspect.isclass(obj):
            for attr, member in vars(obj).items():
                if attr.startswith("_"):
                    continue
                func = member.__func__ if isinstance(member, (classmethod, staticmethod)) \
                    else member
                if not inspect.isfunction(func):
                    continue  # properties, constants, nested classes
                params = [p for p in inspect.signature(func).parameters.values()
                          if p.name not in ("self", "cls")]
                if params:
                    out[f"{name}.{attr}"] = member
    return dict(sorted(out.items()))


def room_of(name: str) -> str:
    rest = name.removeprefix("equilibria.")
    for room in sorted(ROOMS, key=len, reverse=True):
        if rest == room or rest.startswith(room + "."):
            return room
    return "other"


# ----------------------------------------------------------------------------------- corruptions


def _arr_corruptions(a: np.ndarray) -> dict[str, Callable[[], Any]]:
    def with_entry(v):
        def make():
            b = np.array(a, dtype=float)
            b.flat[0] = v
            return b
        return make

    out: dict[str, Callable[[], Any]] = {
        "nan": with_entry(np.nan), "inf": with_entry(np.inf), "-inf": with_entry(-np.inf),
        "negative": lambda: -np.abs(np.array(a, dtype=float)) - 1.0,
        "zero": lambda: np.zeros_like(a, dtype=float),
        "empty": lambda: np.zeros((0,) + a.shape[1:]),
        "wrong_length": lambda: np.concatenate([a, a[:1]], axis=0) if a.shape[0] else
        np.zeros((1,) + a.shape[1:]),
        "wrong_ndim": lambda: a[..., None] if a.ndim >= 1 else a.reshape(1, 1),
        "numeric_str": lambda: a.astype(str),
        "complex": lambda: a.astype(complex) + 1j,
        "object": lambda: a.astype(object),
        "bool": lambda: a > np.median(a),
        "None": lambda: None,
        "1e300": with_entry(1e300), "1e-300": lambda: np.full_like(a, 1e-300, dtype=float),
        "list": lambda: a.tolist(),
        "fortran": lambda: np.asfortranarray(a),
        "noncontig": lambda: _noncontig(a),
        "readonly": lambda: _readonly(a),
        "float32": lambda: a.astype(np.float32),
    }
    if a.ndim < 2:
        del out["fortran"]
    if np.issubdtype(a.dtype, np.integer):
        # integer arrays (indices, counts): the float corruptions mean "not an integer"
        for k in ("nan", "inf", "-inf", "1e-300", "float32", "complex"):
            out.pop(k, None)
        out["non_integer"] = lambda: a.astype(float) + 0.5
        out["1e300"] = lambda: np.full_like(a, 10**18)
    return out


def _noncontig(a):
    b = np.empty((2 * a.shape[0],) + a.shape[1:], dtype=a.dtype) if a.ndim else None
    if b is None:
        return a.copy()
    b[::2] = a
    return b[::2]


def _readonly(a):
    b = np.array(a)
    b.flags.writeable = False
    return b


def _scalar_corruptions(v) -> dict[str, Callable[[], Any]]:
    if isinstance(v, numbers.Integral):
        return {
            "negative": lambda: -abs(int(v)) - 1, "zero": lambda: 0, "None": lambda: None,
            "non_integer": lambda: float(v) + 0.5, "numeric_str": lambda: str(v),
            "complex": lambda: complex(v, 1.0), "bool": lambda: True,
            "1e300": lambda: 10**18, "nan": lambda: float("nan"), "inf": lambda: float("inf"),
            "wrong_type": lambda: [int(v)], "float32": lambda: np.int32(v),
        }
    return {
        "nan": lambda: float("nan"), "inf": lambda: float("inf"),
        "-inf": lambda: float("-inf"), "negative": lambda: -abs(float(v)) - 1.0,
        "zero": lambda: 0.0, "None": lambda: None, "numeric_str": lambda: str(v),
        "complex": lambda: complex(v, 1.0), "bool": lambda: True, "1e300": lambda: 1e300,
        "1e-300": lambda: 1e-300, "float32": lambda: np.float32(v),
        "object": lambda: object(),
    }


def _corruptions(value) -> dict[str, Callable[[], Any]]:
    if isinstance(value, bool):
        return {}
    if isinstance(value, np.ndarray) and value.dtype.kind in "fiu" and value.size:
        return _arr_corruptions(value)
    if isinstance(value, (numbers.Real, np.floating, np.integer)):
        return _scalar_corruptions(value)
    if isinstance(value, str):
        return {"unknown_option": lambda: "no-such-option", "wrong_type": lambda: 3,
                "None": lambda: None}
    return {}


# ----------------------------------------------------------------------------------- outcomes


def _numbers(obj, depth=0):
    """Every float array / number reachable from a result (fields, tuples, dicts)."""
    if depth > 4:
        return
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind in "fc":
            yield obj
        return
    if isinstance(obj, (bool, np.bool_)):
        return
    if isinstance(obj, (float, np.floating)):
        yield np.asarray(obj)
        return
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            yield from _numbers(getattr(obj, f.name, None), depth + 1)
        return
    if isinstance(obj, (tuple, list)) and len(obj) < 10_000:
        for x in obj:
            yield from _numbers(x, depth + 1)
        return
    if isinstance(obj, dict):
        for x in obj.values():
            yield from _numbers(x, depth + 1)


def close(a, b, rtol=1e-9, atol=1e-12) -> bool:
    """Whether every number reachable from ``a`` and ``b`` agrees (NaNs in the same places)."""
    xa, xb = list(_numbers(a)), list(_numbers(b))
    if len(xa) != len(xb):
        return False
    for u, v in zip(xa, xb):
        if u.shape != v.shape:
            return False
        if not np.allclose(u, v, rtol=rtol, atol=atol, equal_nan=True):
            return False
    return True


def assert_distribution(p, atol=1e-8, axis=-1):
    """Invariant helper: non-negative entries summing to one along ``axis``."""
    p = np.asarray(p, dtype=float)
    assert np.all(np.isfinite(p)), "non-finite probability"
    assert np.all(p >= -atol), f"negative probability {p.min()}"
    assert np.allclose(p.sum(axis=axis), 1.0, atol=atol * max(1, p.shape[axis])), \
        f"probabilities sum to {p.sum(axis=axis)}"


def _nonfinite(obj) -> bool:
    return any(not np.all(np.isfinite(x)) for x in _numbers(obj))


def _snapshot(v):
    if isinstance(v, np.ndarray):
        return v.copy()
    try:
        return copy.deepcopy(v)
    except Exception:  # noqa: BLE001 - objects that cannot be copied are not compared
        return None


def _unchanged(before, after) -> bool:
    if isinstance(after, np.ndarray):
        return (isinstance(before, np.ndarray) and before.shape == after.shape
                and np.array_equal(before, after, equal_nan=after.dtype.kind in "fc"))
    if before is None or inspect.isroutine(after) or inspect.isclass(after):
        return True
    try:
        return close(before, after, rtol=0, atol=0) if list(_numbers(after)) else True
    except Exception:  # noqa: BLE001
        return True


def n_signatures() -> int:
    """Compiled signatures of every numba dispatcher reachable from ``equilibria`` modules."""
    from numba.core.dispatcher import Dispatcher

    total = 0
    for name, mod in list(sys.modules.items()):
        if not name.startswith("equilibria") or mod is None:
            continue
        for v in list(vars(mod).values()):
            if isinstance(v, Dispatcher):
                total += len(v.overloads)
    return total


class _Timeout(BaseException):
    pass


@contextlib.contextmanager
def _limits(seconds: float):
    """SIGALRM after ``seconds`` (Python code); a watchdog ends the process after 3x (hung
    compiled code); the address space is capped so a huge allocation fails fast."""
    def on_alarm(signum, frame):
        raise _Timeout()

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    faulthandler.dump_traceback_later(3 * seconds + 30, exit=True)
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = 16 * 2**30
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (cap if hard == resource.RLIM_INFINITY
                                                else min(cap, hard), hard))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        faulthandler.cancel_dump_traceback_later()
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _call(case: Case, kwargs: dict):
    """Returns (result, exception, warned)."""
    with warnings.catch_warnings(record=True) as w, _limits(case.timeout):
        warnings.simplefilter("always")
        try:
            res = case.call(**kwargs)
        except _Timeout:
            raise
        except Exception as exc:  # noqa: BLE001 - classified by the caller
            return None, exc, bool(w)
    return res, None, bool(w)


def _names_arg(msg: str, arg: str) -> bool:
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(arg)}(?![A-Za-z0-9_])", msg) is not None


def _failed(res) -> bool:
    return getattr(res, "success", True) is False


def run_case(case: Case) -> list[Outcome]:
    """Baseline call, then every (argument, corruption); returns the classified outcomes.

    Raises ``AssertionError`` when the baseline call itself fails (a broken case).
    """
    base_kwargs = case.kwargs()
    base, exc, _ = _call(case, base_kwargs)
    if exc is not None:
        raise AssertionError(f"baseline call of {case.name} raised {exc!r}") from exc
    if case.check is not None:
        case.check(base, base_kwargs)
    same = case.same or (lambda a, b: close(a, b))
    args = case.fuzz if case.fuzz is not None else tuple(base_kwargs)
    outcomes: list[Outcome] = []
    for arg in args:
        corr = _corruptions(base_kwargs[arg])
        for cname, make in corr.items():
            kwargs = case.kwargs()
            kwargs[arg] = make()
            outcomes.append(_one(case, arg, cname, kwargs, base, same))
    return outcomes


def _one(case, arg, cname, kwargs, base, same) -> Outcome:
    def out(kind, detail=""):
        return Outcome(case.id, arg, cname, kind, detail[:300])

    snaps = {k: _snapshot(v) for k, v in kwargs.items()}
    equivalent = cname in EQUIVALENT
    sig0 = n_signatures() if equivalent else 0
    try:
        res, exc, warned = _call(case, kwargs)
    except _Timeout:
        return out("hang", f"> {case.timeout:g} s")
    for k, v in kwargs.items():
        if snaps[k] is not None and not _unchanged(snaps[k], v):
            return out("mutated_input", f"`{k}` was modified")
    if exc is not None:
        msg = f"{type(exc).__name__}: {exc}"
        if isinstance(exc, (ValueError, TypeError)) and _names_arg(str(exc), arg):
            if equivalent:
                return out("wrong_exception", "rejected an equivalent input: " + msg)
            return out("clear_error", msg)
        return out("wrong_exception", msg)
    invalid = cname in INVALID and cname not in case.allow.get(arg, set())
    if invalid and not (_failed(res) and warned):
        return out("accepted_invalid", f"returned {type(res).__name__}")
    if case.finite_output and _nonfinite(res) and not (_failed(res) and warned):
        return out("silent_nan", "non-finite output without success=False and a warning")
    if case.check is not None and not _failed(res):
        try:
            case.check(res, kwargs)
        except AssertionError as e:
            return out("wrong_answer", f"invariant: {e}")
        except Exception as e:  # noqa: BLE001
            return out("wrong_answer", f"invariant raised {type(e).__name__}: {e}")
    if equivalent:
        if n_signatures() > sig0:
            return out("recompiled", "a numba kernel compiled a new signature")
        if cname == "float32":
            ok = _float32_same(case, res, base)
        else:
            try:
                ok = bool(same(res, base))
            except Exception:  # noqa: BLE001
                ok = False
        if not ok:
            return out("wrong_answer", "an equivalent input changed the result")
    return out("valid")


def _float32_same(case, res, base) -> bool:
    # float32 rounds the input itself, so only the magnitude of the answer is compared
    try:
        return close(res, base, rtol=case.float32_rtol, atol=case.float32_rtol)
    except Exception:  # noqa: BLE001
        return False


def summarize(outcomes) -> dict[str, int]:
    counts = dict.fromkeys(CLASSES, 0)
    for o in outcomes:
        counts[o.kind] += 1
    return counts


def isclose_scalar(a, b, rtol=1e-9):
    return math.isclose(float(a), float(b), rel_tol=rtol, abs_tol=1e-12)
