"""The dynamics room's results as pandas DataFrames and xarray Datasets (the ``data`` extra).

Conventions: :mod:`equilibria._lib.dataout`.
"""

from __future__ import annotations

import numpy as np

from equilibria._lib.dataout import code_names as _names
from equilibria._lib.dataout import long_frame as _long_frame
from equilibria._lib.dataout import require_pandas, require_xarray
from equilibria._lib.dataout import result_attrs as _attrs
from equilibria._lib.dataout import unique_dims as _unique_dims


# ---------------------------------------------------------------------------- coexistence slices
def _basin_slice_parts(res):
    from equilibria.odes.attractors import SPECIAL_NAMES

    table = {i: f"A{i}: {c}" for i, c in enumerate(res.classes)}
    table.update(SPECIAL_NAMES)
    labels = np.asarray(res.labels)
    coords = {"v": np.asarray(res.v), "u": np.asarray(res.u)}
    data = {"label": labels, "attractor": _names(labels, table)}
    return coords, data


def basin_slice_frame(res):
    """:class:`~equilibria.odes.BasinResult` as a long DataFrame (``v, u, label, attractor``)."""
    coords, data = _basin_slice_parts(res)
    return _long_frame(coords, data)


def basin_slice_dataset(res):
    """:class:`~equilibria.odes.BasinResult` as a Dataset over ``(v, u)``."""
    xr = require_xarray()
    coords, data = _basin_slice_parts(res)
    ds = xr.Dataset({k: (("v", "u"), v) for k, v in data.items()}, coords=coords,
                    attrs=_attrs(res, classes=list(res.classes),
                                 fractions=[float(f) for f in res.fractions]))
    ds["u"].attrs["long_name"] = str(res.axis_labels[0])
    ds["v"].attrs["long_name"] = str(res.axis_labels[1])
    return ds


# ------------------------------------------------------------------------------- generic basins
def _basins_grid_parts(res):
    from equilibria.odes.mapper import DIVERGED, UNRESOLVED, UNSTABLE_SET

    basins = np.asarray(res.basins)
    axes = [np.asarray(a) for a in res.axes]
    names = _unique_dims(*res.state_names[:len(axes)])
    # image order: the last array axis runs along axes[0]
    dims = tuple(reversed(names))
    coords = {d: axes[names.index(d)] for d in dims}
    if tuple(len(coords[d]) for d in dims) != basins.shape:
        dims, coords = names, {d: a for d, a in zip(names, axes, strict=True)}
    table = {i + 1: a.label for i, a in enumerate(res.attractors)}
    table.update({DIVERGED: "diverged", UNRESOLVED: "unresolved", UNSTABLE_SET: "unstable set"})
    return dims, coords, {"basin": basins, "attractor": _names(basins, table)}


def basins_grid_frame(res):
    """:class:`~equilibria.odes.BasinsResult` as a long DataFrame (state names, ``basin``,
    ``attractor``)."""
    _, coords, data = _basins_grid_parts(res)
    return _long_frame(coords, data)


def basins_grid_dataset(res):
    """:class:`~equilibria.odes.BasinsResult` as a Dataset over the grid's state names."""
    xr = require_xarray()
    dims, coords, data = _basins_grid_parts(res)
    shares = {str(k): float(v) for k, v in res.fractions.items()}
    return xr.Dataset({k: (dims, v) for k, v in data.items()}, coords=coords,
                      attrs=_attrs(res, attractors=[a.label for a in res.attractors],
                                   fractions=str(shares)))


# --------------------------------------------------------------------------------- regime planes
def _regime_dims(res):
    ydim, xdim = _unique_dims(res.y_param, res.x_param)
    return (ydim, xdim), {ydim: np.asarray(res.y_values), xdim: np.asarray(res.x_values)}


def _regime_parts(res):
    from equilibria.odes.model import OUTCOME_CLASSES

    dims, coords = _regime_dims(res)
    codes = np.asarray(res.classes)
    data = {"class_code": codes,
            "class": _names(codes, dict(enumerate(OUTCOME_CLASSES))),
            "multistable": np.asarray(res.multistable, dtype=bool),
            "coexistence": np.asarray(res.coexistence, dtype=float)}
    return dims, coords, data


def regime_frame(res):
    """:class:`~equilibria.odes.RegimeResult` as a long DataFrame (one row per cell)."""
    _, coords, data = _regime_parts(res)
    return _long_frame(coords, data)


def regime_dataset(res):
    """:class:`~equilibria.odes.RegimeResult` as a Dataset over ``(y_param, x_param)``."""
    xr = require_xarray()
    dims, coords, data = _regime_parts(res)
    return xr.Dataset({k: (dims, v) for k, v in data.items()}, coords=coords,
                      attrs=_attrs(res, x_param=res.x_param, y_param=res.y_param))


def _generic_regime_parts(res):
    dims, coords = _regime_dims(res)
    codes = np.asarray(res.dominant_kind)
    data = {"n_attractors": np.asarray(res.n_attractors),
            "dominant_kind_code": codes,
            "dominant_kind": _names(codes, dict(enumerate(res.kinds))),
            "dominant_fraction": np.asarray(res.dominant_fraction, dtype=float),
            "multistable": np.asarray(res.multistable, dtype=bool),
            "cell_success": np.asarray(res.cell_success, dtype=bool)}
    for nm, f in res.special_fractions.items():
        data[nm.replace(" ", "_")] = np.asarray(f, dtype=float)
    return dims, coords, data


def generic_regime_frame(res):
    """:class:`~equilibria.odes.GenericRegimeResult` as a long DataFrame (one row per cell)."""
    _, coords, data = _generic_regime_parts(res)
    return _long_frame(coords, data)


def generic_regime_dataset(res):
    """:class:`~equilibria.odes.GenericRegimeResult` as a Dataset over ``(y_param, x_param)``
    (``dominant_location`` gets a trailing ``state`` dimension)."""
    xr = require_xarray()
    dims, coords, data = _generic_regime_parts(res)
    ds = xr.Dataset({k: (dims, v) for k, v in data.items()}, coords=coords,
                    attrs=_attrs(res, x_param=res.x_param, y_param=res.y_param,
                                 n_samples=int(res.n_samples)))
    loc = np.asarray(res.dominant_location, dtype=float)
    if loc.ndim == 3:
        ds["dominant_location"] = (dims + ("state",), loc)
    return ds


# ---------------------------------------------------------------------------------- continuation
def _check_param_dim(param: str, others) -> str:
    return f"{param}_value" if param in others else str(param)


def class_continuation_frame(res):
    """:class:`~equilibria.odes.ContinuationResult` as a wide DataFrame: one row per value of
    the parameter, one column per outcome class (its basin share) and per matched attractor
    (``A0``, ``A1``, ...)."""
    pd = require_pandas()
    names = list(res.class_names)
    cols = {res.param: np.asarray(res.values)}
    cf = np.asarray(res.class_fractions)
    for j, nm in enumerate(names):
        cols[nm] = cf[:, j]
    fr = np.asarray(res.fractions)
    for j in range(fr.shape[1] if fr.ndim == 2 else 0):
        cols[f"A{j}"] = fr[:, j]
    return pd.DataFrame(cols)


def class_continuation_dataset(res):
    """:class:`~equilibria.odes.ContinuationResult` as a Dataset over ``(param, class)`` and
    ``(param, attractor)``."""
    xr = require_xarray()
    p = _check_param_dim(res.param, ("class", "attractor"))
    fr = np.asarray(res.fractions)
    k = fr.shape[1] if fr.ndim == 2 else 0
    return xr.Dataset(
        {"class_fraction": ((p, "class"), np.asarray(res.class_fractions, dtype=float)),
         "fraction": ((p, "attractor"), fr.reshape(len(res.values), k))},
        coords={p: np.asarray(res.values), "class": list(res.class_names),
                "attractor": [f"A{j}" for j in range(k)]},
        attrs=_attrs(res, param=res.param))


def global_continuation_frame(res):
    """:class:`~equilibria.odes.GlobalContinuation` as a wide DataFrame: one row per value,
    per attractor id its share (``A1``, ...) and interval (``A1_lo``, ``A1_hi``), the special
    shares, ``n_attractors`` and ``value_success``."""
    pd = require_pandas()
    cols: dict = {res.param: np.asarray(res.values)}
    fr, ci = np.asarray(res.fractions), np.asarray(res.ci)
    for j, g in enumerate(res.ids):
        cols[f"A{g}"] = fr[:, j]
        cols[f"A{g}_lo"] = ci[:, j, 0]
        cols[f"A{g}_hi"] = ci[:, j, 1]
    for nm, f in res.special_fractions.items():
        cols[nm.replace(" ", "_")] = np.asarray(f, dtype=float)
    cols["n_attractors"] = np.asarray(res.present).sum(axis=1)
    cols["value_success"] = np.asarray(res.value_success, dtype=bool)
    return pd.DataFrame(cols)


def global_continuation_dataset(res):
    """:class:`~equilibria.odes.GlobalContinuation` as a Dataset over ``(param, attractor)``
    (``attractor`` = the global ids)."""
    xr = require_xarray()
    p = _check_param_dim(res.param, ("attractor", "bound"))
    fr, ci = np.asarray(res.fractions, dtype=float), np.asarray(res.ci, dtype=float)
    K = len(res.ids)
    data = {"fraction": ((p, "attractor"), fr.reshape(len(res.values), K)),
            "ci": ((p, "attractor", "bound"), ci.reshape(len(res.values), K, 2)),
            "present": ((p, "attractor"), np.asarray(res.present, dtype=bool)
                        .reshape(len(res.values), K)),
            "value_success": ((p,), np.asarray(res.value_success, dtype=bool))}
    for nm, f in res.special_fractions.items():
        data[nm.replace(" ", "_")] = ((p,), np.asarray(f, dtype=float))
    ds = xr.Dataset(data, coords={p: np.asarray(res.values), "attractor": list(res.ids),
                                  "bound": ["lo", "hi"]},
                    attrs=_attrs(res, param=res.param, confidence=float(res.confidence),
                                 match=res.match, distance=res.distance))
    ds["attractor"].attrs["labels"] = str({g: res.label_of(g) for g in res.ids}) if K else "{}"
    return ds
