"""Bandit results as pandas DataFrames and xarray Datasets (the ``data`` extra).

Conventions: :mod:`equilibria._lib.dataout`.
"""

from __future__ import annotations

import numpy as np

from equilibria._lib.dataout import long_frame as _long_frame
from equilibria._lib.dataout import require_xarray
from equilibria._lib.dataout import result_attrs as _attrs


# --------------------------------------------------------------------------------------- bandits
def bandit_frame(res):
    """:class:`~equilibria.bandits.BanditResult` as a long DataFrame over ``(run, t)``:
    ``regret``, ``realized_regret`` (and ``violation`` for the threshold environment), with
    each run's ``seed``; per-arm pulls are in :func:`bandit_dataset`."""
    coords = {"run": np.arange(res.n_runs), "t": np.asarray(res.t)}
    data = {"regret": res.regret, "realized_regret": res.realized_regret}
    if "violation" in res.extras:
        data["violation"] = res.extras["violation"]
    df = _long_frame(coords, data)
    df.insert(1, "seed", np.repeat(np.asarray(res.seeds), len(res.t)))
    return df


def bandit_dataset(res):
    """:class:`~equilibria.bandits.BanditResult` as a Dataset over ``(run, t)`` and
    ``(run, arm)``."""
    xr = require_xarray()
    data = {"regret": (("run", "t"), np.asarray(res.regret)),
            "realized_regret": (("run", "t"), np.asarray(res.realized_regret)),
            "pulls": (("run", "arm"), np.asarray(res.pulls)),
            "recommendation": (("run",), np.asarray(res.recommendation)),
            "seed": (("run",), np.asarray(res.seeds))}
    if "violation" in res.extras:
        data["violation"] = (("run", "t"), np.asarray(res.extras["violation"]))
    K = np.asarray(res.pulls).shape[1]
    return xr.Dataset(data, coords={"run": np.arange(res.n_runs), "t": np.asarray(res.t),
                                    "arm": np.arange(K)},
                      attrs=_attrs(res, env=res.env, policy=res.policy,
                                   horizon=int(res.horizon),
                                   best_arms=[int(b) for b in res.best_arms]))
