"""One result family for every solver.

Every solver returns an instance of a subclass of :class:`Result`: the fixed core
``success``, ``status``, ``message``, ``n_iter`` plus the solver's own fields (``plan``,
``potentials``, ``gap``, ``regret``, ``weights``, ``t``, ``y``, ...).  Derived quantities are
properties.  Non-convergence is never silent: the solver sets ``success=False``, a ``status``
other than :data:`Status.SUCCESS`, a message that says what to change, and emits a
:class:`ConvergenceWarning` through :func:`warn_status`.
"""

from __future__ import annotations

import dataclasses
import enum
import warnings

import numpy as np

__all__ = ["Result", "Status", "ConvergenceWarning", "warn_status", "finish"]


class Status(enum.IntEnum):
    """Status codes shared by all solvers (``Result.status``)."""

    SUCCESS = 0  #: stopping rule met
    MAX_ITER = 1  #: iteration or oracle budget exhausted before the stopping rule was met
    NUMERICAL = 2  #: a non-finite value or breakdown was detected; iterate is the last finite one
    INFEASIBLE = 3  #: the problem (or a sub-problem) was detected infeasible
    DEGENERATE = 4  #: singular / rank-deficient system, stalled line search, or similar
    DIVERGED = 5  #: iterates or states diverged


class ConvergenceWarning(RuntimeWarning):
    """Emitted whenever a solver returns ``success=False``."""


def _summary(value) -> str:
    if isinstance(value, np.ndarray):
        if value.size <= 6:
            return np.array2string(value, precision=4, separator=", ")
        return f"array(shape={value.shape}, dtype={value.dtype})"
    if isinstance(value, float):
        return f"{value:.6g}"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class Result:
    """Core of every solver result.

    Attributes
    ----------
    success : bool
        Whether the solver's stopping rule was met.
    status : int
        A :class:`Status` code.
    message : str
        What happened, and on failure what to change (e.g. "increase `max_iter`").
    n_iter : int
        Number of iterations (or rounds) performed.
    """

    success: bool
    status: int
    message: str
    n_iter: int

    def __repr__(self) -> str:  # compact: arrays by shape
        lines = [f"{type(self).__name__}("]
        for f in dataclasses.fields(self):
            lines.append(f"    {f.name}={_summary(getattr(self, f.name))},")
        lines.append(")")
        return "\n".join(lines)

    def keys(self):
        """Field names, for dict-like inspection."""
        return [f.name for f in dataclasses.fields(self)]

    def __getitem__(self, key):
        if key not in self.keys():
            raise KeyError(key)
        return getattr(self, key)

    def asdict(self) -> dict:
        """Shallow dict of the fields (arrays are not copied)."""
        return {k: getattr(self, k) for k in self.keys()}


def warn_status(success: bool, message: str, *, stacklevel: int = 3) -> None:
    """Emit a :class:`ConvergenceWarning` with ``message`` when ``success`` is false."""
    if not success:
        warnings.warn(message, ConvergenceWarning, stacklevel=stacklevel)


def finish(cls, *, success: bool, status: int, message: str, n_iter: int, warn: bool = True,
           **fields):
    """Build a result of type ``cls`` and warn on failure.

    The single exit point solvers use, so the warning cannot be forgotten.
    """
    res = cls(success=bool(success), status=int(status), message=str(message), n_iter=int(n_iter),
              **fields)
    if warn:
        warn_status(res.success, f"{cls.__name__}: {res.message}", stacklevel=3)
    return res
