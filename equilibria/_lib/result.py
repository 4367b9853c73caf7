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

__all__ = ["Result", "Status", "ConvergenceWarning", "warn_status", "finish", "status_message"]


class Status(enum.IntEnum):
    """Status codes shared by all solvers (``Result.status``)."""

    SUCCESS = 0  #: stopping rule met
    MAX_ITER = 1  #: iteration or oracle budget exhausted before the stopping rule was met
    NUMERICAL = 2  #: a non-finite value or breakdown was detected; iterate is the last finite one
    INFEASIBLE = 3  #: the problem (or a sub-problem) was detected infeasible
    DEGENERATE = 4  #: singular / rank-deficient system, stalled line search, or similar
    DIVERGED = 5  #: iterates or states diverged

    @property
    def default_message(self) -> str:
        """What this status means, in one sentence (see :func:`status_message`)."""
        return _DEFAULT_MESSAGES[self]


#: the default message of every status: written once, refined per call by a detail and a hint
_DEFAULT_MESSAGES = {
    Status.SUCCESS: "the stopping rule was met",
    Status.MAX_ITER: "the iteration budget ran out before the stopping rule was met",
    Status.NUMERICAL: "a non-finite value or a numerical breakdown stopped the solver",
    Status.INFEASIBLE: "the problem (or a sub-problem) is infeasible",
    Status.DEGENERATE: "the system is singular or degenerate (or the line search stalled)",
    Status.DIVERGED: "the iterates diverged",
}
#: the default hint of every failing status: what a user changes first
_DEFAULT_HINTS = {
    Status.MAX_ITER: "increase `max_iter` or loosen `tol`",
    Status.NUMERICAL: "rescale the input or tighten the tolerances",
    Status.INFEASIBLE: "check the constraints",
    Status.DEGENERATE: "perturb the input or check its rank",
    Status.DIVERGED: "lower the step size or check the model's signs",
}


def status_message(status: int, detail: str | None = None, hint: str | None = None) -> str:
    """The message of a result: ``detail`` (or the status's default message), then the hint.

    The one place messages are built (the diffrax ``RESULTS`` pattern): every status has a
    default sentence and, on failure, a default hint saying what to change; a solver passes a
    ``detail`` with the numbers of this call and a ``hint`` when it knows a better fix.

    Parameters
    ----------
    status : int
        A :class:`Status` code.
    detail : str, optional
        What happened in this call (default: ``Status(status).default_message``).
    hint : str, optional
        What to change (default: the status's default hint; none on success). An empty string
        suppresses the hint.

    Returns
    -------
    str
        ``"<detail>; <hint>"`` (or ``"<detail>"`` without a hint).
    """
    st = Status(int(status))
    text = st.default_message if detail is None else str(detail)
    if hint is None:
        hint = _DEFAULT_HINTS.get(st, "")
    return f"{text}; {hint}" if hint else text


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

    def _repr_rows(self) -> list[tuple[str, str]]:
        return [(f.name, _summary(getattr(self, f.name))) for f in dataclasses.fields(self)]

    def _repr_markdown_(self) -> str:
        """Markdown table of the fields (Jupyter's rich display; arrays by shape)."""
        esc = (lambda s: s.replace("|", "\\|").replace("\n", " "))
        state = "success" if self.success else "**not converged**"
        lines = [f"**{type(self).__name__}** ({state})", "", "| field | value |", "|---|---|"]
        lines += [f"| {name} | `{esc(value)}` |" for name, value in self._repr_rows()]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """HTML table of the fields (Jupyter's rich display; arrays by shape)."""
        import html

        e = html.escape
        state = "success" if self.success else "<b>not converged</b>"
        rows = "".join(f"<tr><td>{e(name)}</td><td><code>{e(value)}</code></td></tr>"
                       for name, value in self._repr_rows())
        return (f"<div><b>{e(type(self).__name__)}</b> ({state})<table>"
                f"<tr><th>field</th><th>value</th></tr>{rows}</table></div>")

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


def finish(cls, *, success: bool, status: int, n_iter: int, message: str | None = None,
           hint: str | None = None, warn: bool = True, **fields):
    """Build a result of type ``cls`` and warn on failure.

    The single exit point solvers use, so the warning cannot be forgotten.  Without
    ``message`` the message is built by :func:`status_message` from the status (and
    ``hint``); with ``message`` and ``hint`` both, the hint is appended.

    Parameters
    ----------
    cls : type
        A :class:`Result` subclass.
    success : bool
        Whether the stopping rule (and the answer's certificate) passed.
    status : int
        A :class:`Status` code.
    n_iter : int
        Iterations performed.
    message : str, optional
        What happened in this call.
    hint : str, optional
        What to change on failure.
    warn : bool, default True
        Emit a :class:`ConvergenceWarning` when ``success`` is false.
    **fields
        The result's own fields.

    Returns
    -------
    Result
        An instance of ``cls``.
    """
    if message is None:
        message = status_message(status, None, hint if not success or hint else "")
    elif hint:
        message = f"{message}; {hint}"
    res = cls(success=bool(success), status=int(status), message=str(message), n_iter=int(n_iter),
              **fields)
    if warn:
        warn_status(res.success, f"{cls.__name__}: {res.message}", stacklevel=3)
    return res
