"""Package-wide defaults: :func:`set_options`, the :func:`options` context manager, and the one
rule that decides whether a progress bar is shown (:func:`show_progress`).

Two options exist:

``progress`` : ``"auto"`` (default), ``True`` or ``False``
    What a function called with ``progress=None`` (the default of every function that draws a
    progress bar) does.  ``"auto"`` shows the bar only where someone can see it: in a Jupyter
    notebook, or when standard error is a terminal; a script whose output goes to a file or a
    CI log prints no bar.  ``True`` and ``False`` force it on or off.  An explicit
    ``progress=True`` or ``progress=False`` passed to a function always wins over the option.
``warnings`` : ``"default"``, ``"ignore"``, ``"error"`` or ``"always"``
    What happens to the package's own warnings
    (:class:`~equilibria._lib.result.ConvergenceWarning` and every other warning whose category
    the package defines or emits from its modules): the action of a :mod:`warnings` filter
    installed for the modules ``equilibria.*``.  ``"default"`` leaves Python's filters alone.

Examples
--------
>>> import equilibria
>>> equilibria.set_options(progress=False)          # no bars anywhere from now on
>>> with equilibria.options(progress=True):         # bars inside the block only
...     pass
>>> equilibria.get_options()["progress"]
False
>>> equilibria.set_options(progress="auto")         # back to the default
"""

from __future__ import annotations

import contextlib
import os
import sys
import warnings as _warnings
from typing import Any, Iterator

__all__ = ["set_options", "options", "get_options", "show_progress", "in_notebook"]

_PROGRESS = ("auto", True, False)
_WARNINGS = ("default", "ignore", "error", "always")
_DEFAULTS: dict[str, Any] = {"progress": "auto", "warnings": "default"}
_STATE: dict[str, Any] = dict(_DEFAULTS)
#: the filter installed for the ``warnings`` option (removed when the option changes)
_FILTER: list = []


def _check(name: str, value) -> Any:
    if name == "progress":
        if isinstance(value, str) and value == "auto":
            return "auto"
        if isinstance(value, bool):
            return value
        raise ValueError(f"`progress` must be 'auto', True or False, got {value!r}")
    if name == "warnings":
        if isinstance(value, str) and value in _WARNINGS:
            return value
        raise ValueError(f"`warnings` must be one of {list(_WARNINGS)}, got {value!r}")
    raise TypeError(f"unknown option {name!r}; the options are {sorted(_DEFAULTS)}")


def _apply_warnings(action: str) -> None:
    """Install (or remove) the package's warnings filter for ``action``."""
    while _FILTER:
        entry = _FILTER.pop()
        with contextlib.suppress(ValueError):
            _warnings.filters.remove(entry)  # type: ignore[attr-defined]
    mutated = getattr(_warnings, "_filters_mutated", None)
    if callable(mutated):  # invalidate the cached decisions of the removed filters
        mutated()
    if action != "default":
        _warnings.filterwarnings(action, module=r"equilibria(\.|$)")  # type: ignore[arg-type]
        from .result import ConvergenceWarning

        # the category too: a warning raised with a stacklevel lands in the caller's module
        _warnings.filterwarnings(action, category=ConvergenceWarning)  # type: ignore[arg-type]
        _FILTER.extend(_warnings.filters[:2])


def set_options(**kwargs) -> None:
    """Set package-wide defaults (see the module docstring for what each option means).

    Parameters
    ----------
    progress : {"auto", True, False}, optional
        Default of every ``progress=None`` argument: ``"auto"`` shows bars on a terminal or in
        a notebook only.
    warnings : {"default", "ignore", "error", "always"}, optional
        Action applied to the package's warnings (``ConvergenceWarning`` and the warnings the
        package's modules emit); ``"default"`` leaves Python's filters alone.

    Raises
    ------
    TypeError
        An unknown option name.
    ValueError
        A value outside the listed ones.

    Examples
    --------
    >>> import equilibria
    >>> equilibria.set_options(progress=False, warnings="ignore")
    >>> equilibria.set_options(progress="auto", warnings="default")
    """
    new = {name: _check(name, value) for name, value in kwargs.items()}
    _STATE.update(new)
    if "warnings" in new:
        _apply_warnings(new["warnings"])


def get_options() -> dict:
    """The current package-wide options.

    Returns
    -------
    dict
        ``{"progress": ..., "warnings": ...}`` (a copy).
    """
    return dict(_STATE)


@contextlib.contextmanager
def options(**kwargs) -> Iterator[dict]:
    """Context manager form of :func:`set_options`: the options hold inside the ``with`` block
    and the previous ones are restored on exit (also on an exception).

    Parameters
    ----------
    **kwargs
        As for :func:`set_options`.

    Yields
    ------
    dict
        The options in force inside the block.

    Examples
    --------
    >>> import equilibria
    >>> with equilibria.options(progress=False):
    ...     equilibria.get_options()["progress"]
    False
    """
    checked = {name: _check(name, value) for name, value in kwargs.items()}
    saved = dict(_STATE)
    set_options(**checked)
    try:
        yield dict(_STATE)
    finally:
        restore = {k: v for k, v in saved.items() if _STATE.get(k) != v}
        _STATE.update(saved)
        if "warnings" in restore:
            _apply_warnings(saved["warnings"])


def in_notebook() -> bool:
    """Whether the code runs in a Jupyter kernel (IPython's ``ZMQInteractiveShell``).

    Returns
    -------
    bool
    """
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    try:
        shell = ipython.get_ipython()
    except Exception:  # pragma: no cover - a broken IPython install
        return False
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def _stderr_is_terminal() -> bool:
    stream = sys.stderr
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError):  # closed or replaced stream
        return False


def show_progress(progress=None) -> bool:
    """Whether to draw a progress bar: the one rule every bar of the package follows.

    Parameters
    ----------
    progress : bool or None
        ``True`` or ``False`` (what the caller asked) wins; ``None`` takes the package option
        (:func:`set_options`), whose default ``"auto"`` means: on in a Jupyter notebook or
        when standard error is a terminal, off otherwise (a pipe, a file, CI).  The
        environment variable ``EQUILIBRIA_PROGRESS=0`` / ``1`` overrides ``"auto"``.

    Returns
    -------
    bool

    Raises
    ------
    TypeError
        ``progress`` is neither a bool nor None.
    """
    if progress is not None and not isinstance(progress, (bool,)):
        import numpy as np

        if isinstance(progress, np.bool_):
            return bool(progress)
        raise TypeError(f"`progress` must be True, False or None, got {progress!r}")
    if progress is not None:
        return bool(progress)
    option = _STATE["progress"]
    if option != "auto":
        return bool(option)
    env = os.environ.get("EQUILIBRIA_PROGRESS", "").strip().lower()
    if env in ("0", "false", "no", "off"):
        return False
    if env in ("1", "true", "yes", "on"):
        return True
    return in_notebook() or _stderr_is_terminal()
