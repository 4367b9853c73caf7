"""Results as pandas DataFrames and xarray Datasets (the optional ``data`` extra).

The ``to_dataframe()`` / ``to_xarray()`` methods of the sweep, basin, regime, continuation and
bandit results call the converters here.  pandas and xarray are imported only when a method is
called; without them the method raises ``ImportError`` naming the extra
(``pip install 'equilibria[data]'``).

Conventions:

- gridded results become Datasets whose dimensions carry the grid's names: the parameter names
  on a regime diagram's axes (``ds.sel(g=1.0)``), the continued parameter, the state names of a
  basin grid, ``run`` and ``t`` (and ``arm``) for bandit runs;
- a DataFrame is the Dataset's long form (one row per grid point, the coordinates as columns),
  except where the note of a method says otherwise;
- categorical codes come with their names (``class`` next to ``class_code``), so a table can
  be filtered without the package's constants.
"""

from __future__ import annotations

import sys

import numpy as np

__all__ = ["require_pandas", "require_xarray", "long_frame", "unique_dims", "result_attrs",
           "code_names"]

_EXTRA = "pip install 'equilibria[data]'"


def require_pandas():
    """Import pandas, or raise ``ImportError`` naming the ``data`` extra.

    Returns
    -------
    module
        :mod:`pandas`.
    """
    try:
        import pandas
    except ImportError as exc:
        raise ImportError("to_dataframe() needs pandas, which is not installed; install the "
                          f"optional extra: {_EXTRA}") from exc
    return pandas


def require_xarray():
    """Import xarray, or raise ``ImportError`` naming the ``data`` extra.

    Returns
    -------
    module
        :mod:`xarray`.
    """
    try:
        import xarray
    except ImportError as exc:
        raise ImportError("to_xarray() needs xarray, which is not installed; install the "
                          f"optional extra: {_EXTRA}") from exc
    return xarray


def _names(codes: np.ndarray, table: dict) -> np.ndarray:
    """Names of integer ``codes`` (an object array of the same shape)."""
    out = np.empty(codes.shape, dtype=object)
    flat = codes.ravel()
    out.ravel()[:] = [table.get(int(c), str(int(c))) for c in flat]
    return out


def _long_frame(coords: dict, data: dict):
    """One row per point of the grid ``coords`` (name -> 1-D values, in array-axis order)."""
    pd = require_pandas()
    names = list(coords)
    mesh = np.meshgrid(*[np.asarray(coords[n]) for n in names], indexing="ij")
    cols = {n: m.ravel() for n, m in zip(names, mesh, strict=True)}
    for k, v in data.items():
        cols[k] = np.asarray(v).reshape(-1)
    return pd.DataFrame(cols)


def _unique_dims(*names: str) -> tuple:
    """Dimension names, made distinct when two parameters share a name."""
    seen: dict = {}
    out = []
    for n in names:
        n = str(n)
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n}_{seen[n]}")
    return tuple(out)


def _attrs(res, **extra) -> dict:
    """The attributes every Dataset carries: the result's type, success, message and the
    package version."""
    # the package is imported whenever this module is (it is a sub-module of it); reading the
    # version from it keeps _lib free of imports from above
    __version__ = getattr(sys.modules.get("equilibria"), "__version__", "unknown")
    out = {"result": type(res).__name__, "success": int(bool(res.success)),
           "message": str(res.message), "equilibria_version": __version__}
    out.update({k: v for k, v in extra.items() if v is not None})
    return out


# public names for the rooms' converters
long_frame = _long_frame
unique_dims = _unique_dims
result_attrs = _attrs
code_names = _names
