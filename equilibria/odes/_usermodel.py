"""Loading a user's model for the command line: ``--model pkg.module:name`` or
``--model path/to/file.py:name``.

``name`` is an :class:`~equilibria.odes.ODE` / :class:`~equilibria.odes.Map` (or a model with
``to_ode()``, or a function of no arguments returning one).
"""

from __future__ import annotations

import importlib
import importlib.util
import pathlib
import sys

from .dynamical import DynamicalSystem, as_system

__all__ = ["load_system"]


def load_system(spec: str) -> DynamicalSystem:
    """The system named by ``spec`` (``module:attribute`` or ``file.py:attribute``).

    Parameters
    ----------
    spec : str
        ``pkg.module:name`` (imported from ``sys.path``, the working directory first) or
        ``path/to/file.py:name``.

    Returns
    -------
    DynamicalSystem
        The system (a factory is called with no arguments first).

    Raises
    ------
    ValueError
        When ``spec`` has no ``:``, the module or file cannot be found, or the attribute is
        missing.
    TypeError
        When the attribute is not a system.
    """
    if not isinstance(spec, str) or ":" not in spec:
        raise ValueError(f"`--model` must look like 'pkg.module:name' or 'file.py:name', got "
                         f"{spec!r}")
    where, _, attr = spec.rpartition(":")
    if where.endswith(".py"):
        path = pathlib.Path(where)
        if not path.is_file():
            raise ValueError(f"`--model`: no file {where!r}")
        mod_name = f"_equilibria_user_model_{abs(hash(str(path.resolve())))}"
        spec_ = importlib.util.spec_from_file_location(mod_name, path)
        if spec_ is None or spec_.loader is None:
            raise ValueError(f"`--model`: cannot import {where!r}")
        module = importlib.util.module_from_spec(spec_)
        sys.modules[mod_name] = module
        spec_.loader.exec_module(module)
    else:
        if "" not in sys.path:
            sys.path.insert(0, "")
        try:
            module = importlib.import_module(where)
        except ModuleNotFoundError as exc:
            raise ValueError(f"`--model`: cannot import module {where!r} ({exc})") from exc
    if not hasattr(module, attr):
        raise ValueError(f"`--model`: module {where!r} has no attribute {attr!r}")
    obj = getattr(module, attr)
    if callable(obj) and not isinstance(obj, DynamicalSystem) and \
            not callable(getattr(obj, "to_ode", None)):
        obj = obj()
    return as_system(obj, "--model")
