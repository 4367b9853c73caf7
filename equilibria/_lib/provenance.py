"""Provenance of the files the command line writes, and its ``--out DIR`` convention.

Every data file a sub-command writes records where it came from, in one ``meta`` record built
by :func:`metadata`:

``package``, ``version``
    ``"equilibria"`` and the installed version.
``command``
    The full command line, ``sys.argv`` (a list), and ``command_line``, the same quoted as one
    shell string.
``subcommand``
    The sub-command (``"basin"``, ``"bandits"``, ...).
``parameters``
    Every option value of the run (after defaults), JSON-encoded.
``axes``
    What the axes of the stored arrays are: ``{role: {"name": ..., "values": [...]}}``, e.g.
    ``{"x": {"name": "g", "values": [0.0, 0.2, ...]}, "y": {...}}`` for a regime diagram.
``seed``
    The master seed, or ``None`` for a deterministic computation (no random draws).
``date``
    UTC time of writing, ISO 8601 (``2026-12-03T19:30:00+00:00``).

An ``.npz`` file carries it as the entry ``meta`` (a JSON string:
``json.loads(str(np.load(path)["meta"]))``), a ``.json`` file as its top-level ``"meta"``
object; :func:`read_meta` reads either.
"""

from __future__ import annotations

import json
import os
import pathlib
import shlex
import sys
from collections.abc import Mapping

__all__ = ["META_KEYS", "metadata", "write_npz", "write_json", "read_meta", "output_dir",
           "figure_data"]

#: the keys every ``meta`` record has
META_KEYS = ("package", "version", "command", "command_line", "subcommand", "parameters",
             "axes", "seed", "date")

#: suffixes that make an ``--out`` value look like a file name (its old meaning)
_FILE_SUFFIXES = (".png", ".pdf", ".svg", ".jpg", ".jpeg", ".npz", ".json", ".html", ".md")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("equilibria")
    except PackageNotFoundError:  # a checkout without an install: the imported package's
        # version (equilibria is imported whenever this sub-module is; no upward import)
        return str(getattr(sys.modules.get("equilibria"), "__version__", "unknown"))


def _jsonable(value):
    """``value`` as plain JSON types (arrays and numpy scalars to lists and numbers)."""
    import numpy as np

    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and value != value:
        return None
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def metadata(subcommand: str, parameters, *, axes=None, seed=None, argv=None) -> dict:
    """The ``meta`` record of one output (see the module docstring for its keys).

    Parameters
    ----------
    subcommand : str
        Name of the sub-command, e.g. ``"phase"``.
    parameters : mapping or argparse.Namespace
        The run's option values; a namespace's ``func`` (the handler) is left out.
    axes : mapping, optional
        ``{role: (name, values)}`` or ``{role: {"name": name, "values": values}}``: what each
        axis of the stored arrays is.
    seed : int, optional
        The master seed; ``None`` when nothing is random.
    argv : list of str, optional
        The command line; default the namespace's ``_argv`` (set by
        :func:`equilibria.cli.main`, so an in-process ``main([...])`` records its own
        arguments), else ``sys.argv``.

    Returns
    -------
    dict
        JSON-serialisable, with the keys :data:`META_KEYS`.

    Raises
    ------
    TypeError
        When ``subcommand`` is not a string, ``parameters`` is neither a mapping nor a
        namespace, or an axis is neither a pair nor a mapping with ``name`` and ``values``.
    """
    import datetime

    if not isinstance(subcommand, str):
        raise TypeError(f"`subcommand` must be a str, got {type(subcommand).__name__}")
    if not isinstance(parameters, Mapping):
        if not hasattr(parameters, "__dict__"):
            raise TypeError("`parameters` must be a mapping or an argparse.Namespace, got "
                            f"{type(parameters).__name__}")
        parameters = vars(parameters)
    if argv is None:
        argv = parameters.get("_argv")
    # the parser's own entries (handler, sub-command name, --traceback) are not parameters
    params = {k: v for k, v in parameters.items()
              if k not in ("func", "command", "traceback") and not k.startswith("_")
              and not callable(v)}
    out_axes = {}
    for role, axis in (axes or {}).items():
        if isinstance(axis, Mapping) and {"name", "values"} <= set(axis):
            name, values = axis["name"], axis["values"]
        elif isinstance(axis, tuple) and len(axis) == 2:
            name, values = axis
        else:
            raise TypeError(f"`axes`[{role!r}] must be (name, values) or a mapping with 'name' "
                            f"and 'values', got {type(axis).__name__}")
        out_axes[str(role)] = {"name": str(name), "values": _jsonable(values)}
    argv = list(sys.argv if argv is None else argv)
    return {"package": "equilibria", "version": _version(), "command": argv,
            "command_line": shlex.join(argv), "subcommand": subcommand,
            "parameters": _jsonable(params), "axes": out_axes,
            "seed": None if seed is None else int(seed),
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}


def _check_meta(meta) -> dict:
    if not isinstance(meta, Mapping):
        raise TypeError(f"`meta` must be a mapping (from metadata()), got {type(meta).__name__}")
    missing = [k for k in META_KEYS if k not in meta]
    if missing:
        raise ValueError(f"`meta` lacks {', '.join(missing)} (build it with metadata())")
    return dict(meta)


def write_npz(path, arrays: Mapping, meta: Mapping) -> pathlib.Path:
    """Write ``arrays`` and their ``meta`` record (a JSON string entry) to an ``.npz`` file.

    Parameters
    ----------
    path : str or path-like
        The file to write (its folder must exist).
    arrays : mapping
        ``{name: array_like}``; the name ``meta`` is reserved.
    meta : mapping
        From :func:`metadata`.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ValueError
        When ``arrays`` has an entry ``meta`` or ``meta`` lacks one of :data:`META_KEYS`.
    """
    import numpy as np

    meta = _check_meta(meta)
    if "meta" in arrays:
        raise ValueError("`arrays` must not have an entry 'meta' (reserved for the provenance)")
    path = pathlib.Path(path)
    np.savez(path, **arrays, meta=np.array(json.dumps(meta)))
    return path


def write_json(path, data: Mapping, meta: Mapping) -> pathlib.Path:
    """Write ``data`` with a top-level ``"meta"`` object to a ``.json`` file.

    Parameters
    ----------
    path : str or path-like
        The file to write (its folder must exist).
    data : mapping
        JSON-serialisable after arrays become lists; the key ``meta`` is reserved.
    meta : mapping
        From :func:`metadata`.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ValueError
        When ``data`` has a key ``meta`` or ``meta`` lacks one of :data:`META_KEYS`.
    """
    meta = _check_meta(meta)
    if "meta" in data:
        raise ValueError("`data` must not have a key 'meta' (reserved for the provenance)")
    path = pathlib.Path(path)
    path.write_text(json.dumps({"meta": meta, **_jsonable(dict(data))}, indent=1) + "\n",
                    encoding="utf-8")
    return path


def read_meta(path) -> dict:
    """The ``meta`` record of a file written by :func:`write_npz` or :func:`write_json`.

    Parameters
    ----------
    path : str or path-like
        An ``.npz`` or ``.json`` file.

    Returns
    -------
    dict

    Raises
    ------
    ValueError
        When the file has no ``meta`` record or is neither ``.npz`` nor ``.json``.
    """
    path = pathlib.Path(path)
    if path.suffix == ".npz":
        import numpy as np

        with np.load(path) as data:
            if "meta" not in data.files:
                raise ValueError(f"`path` {str(path)!r} has no 'meta' entry")
            return json.loads(str(data["meta"]))
    if path.suffix == ".json":
        record = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(record, dict) or "meta" not in record:
            raise ValueError(f"`path` {str(path)!r} has no 'meta' object")
        return record["meta"]
    raise ValueError(f"`path` must be an .npz or .json file, got {str(path)!r}")


def output_dir(value, *, option: str = "--out", command: str = "equilibria") -> pathlib.Path:
    """The directory an ``--out DIR`` option names, created (with its parents) if missing.

    A value with a file suffix (``r.png``, ``b.npz``) that is not an existing directory is
    the option's old meaning (a file or path prefix): a warning on stderr, and the files go to
    its parent directory.

    Parameters
    ----------
    value : str or path-like
        The option's value.
    option, command : str
        For messages.

    Returns
    -------
    pathlib.Path
        The existing directory.

    Raises
    ------
    ValueError
        When ``value`` is an existing file, or the directory cannot be created.
    """
    path = pathlib.Path(value)
    if path.suffix.lower() in _FILE_SUFFIXES and not path.is_dir():
        parent = path.parent
        print(f"{command}: warning: {option} names a directory now (the files in it are named "
              f"after the command); {str(value)!r} looks like a file name, writing into "
              f"{str(parent)!r}", file=sys.stderr)
        path = parent
    if path.exists() and not path.is_dir():
        raise ValueError(f"{option} {str(value)!r} exists and is not a directory")
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"{option} {str(value)!r}: cannot create the directory "
                         f"({exc.strerror or exc})") from None
    return path


def _numbers(values) -> list:
    import numpy as np

    try:
        return _jsonable(np.asarray(values, dtype=float))
    except (TypeError, ValueError):  # categorical or date data: as text
        return [str(v) for v in np.asarray(values, dtype=object).ravel()]


def figure_data(fig) -> dict:
    """What a matplotlib figure shows, as data: per panel its title, axis labels, scales and
    every labelled or unlabelled line (``x``, ``y``, ``label``).

    Parameters
    ----------
    fig : matplotlib.figure.Figure

    Returns
    -------
    dict
        ``{"suptitle": str, "panels": [{"title", "xlabel", "ylabel", "xscale", "yscale",
        "lines": [{"label", "x", "y"}, ...]}, ...]}``.

    Raises
    ------
    TypeError
        When ``fig`` has no ``axes``.
    """
    if not hasattr(fig, "axes"):
        raise TypeError(f"`fig` must be a matplotlib Figure, got {type(fig).__name__}")
    sup = getattr(fig, "_suptitle", None)
    panels = []
    for ax in fig.axes:
        lines = []
        for ln in ax.get_lines():
            label = ln.get_label()
            lines.append({"label": "" if label.startswith("_") else label,
                          "x": _numbers(ln.get_xdata()), "y": _numbers(ln.get_ydata())})
        panels.append({"title": ax.get_title(), "xlabel": ax.get_xlabel(),
                       "ylabel": ax.get_ylabel(), "xscale": ax.get_xscale(),
                       "yscale": ax.get_yscale(), "lines": lines})
    return {"suptitle": sup.get_text() if sup is not None else "", "panels": panels}
