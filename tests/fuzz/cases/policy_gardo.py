"""Fuzz baselines of GARDO's official mechanisms (:mod:`equilibria.solvers.policy.gardo`);
merged into the policy room's cases.

Invariants: rank uncertainties sum to zero; the gate selects only non-negative uncertainties;
the adapted KL fraction stays in its bounds and the window holds at most ``size`` entries;
the reset rule returns a bool; diversity advantages are finite and clipped; official runs
return distributions with non-negative KL / chi^2 histories and the KL fraction in [0.02, 0.2].
"""

import importlib

import numpy as np

from equilibria.solvers.policy import envs as E
from tests.fuzz.harness import Case, assert_distribution

P = "equilibria.solvers.policy."
# the package re-exports the function ``gardo``, which shadows the module attribute
G = importlib.import_module("equilibria.solvers.policy.gardo")


def _rank_ok(res, kw):
    u = np.asarray(res)
    assert np.all(np.isfinite(u)) and abs(u.sum()) < 1e-8 * max(u.size, 1) ** 2, \
        f"rank uncertainties do not sum to 0: {u}"


def _gate_ok(res, kw):
    g = np.asarray(res)
    u = np.asarray(kw["u"], dtype=float)
    assert g.dtype == bool and not np.any(g & (u < 0)), "a negative uncertainty was gated"


def _adapt_ok(res, kw):
    frac, win = res
    lo, hi = kw.get("bounds", (0.02, 0.2))
    assert lo - 1e-15 <= frac <= hi + 1e-15, f"KL fraction {frac} outside [{lo}, {hi}]"
    assert len(win) <= kw.get("size", 20)


def _reset_ok(res, kw):
    assert isinstance(res, bool)


def _adv_ok(res, kw):
    a = np.asarray(res)
    c = kw.get("adv_clip", 5.0)
    assert np.all(np.isfinite(a)) and np.all(np.abs(a) <= c + 1e-12), f"advantages {a}"


def _official_ok(res, kw):
    assert_distribution(res.policy)
    for k in ("kl", "chi2"):
        assert np.all(np.asarray(res.history[k]) >= -1e-12), f"negative {k} in the history"
    f = np.asarray(res.history["kl_fraction"])
    assert np.all((f >= 0.02 - 1e-15) & (f <= 0.2 + 1e-15)), f"KL fraction {f}"


CASES = [
    Case(P + "rank_uncertainty", G.rank_uncertainty,
         lambda: {"main": np.array([3.0, 1.0, 2.0, 0.5]),
                  "aux": np.array([[1.0, 3.0, 2.0, 0.0], [2.0, 3.0, 1.0, 4.0]]),
                  "order": "descending"}, check=_rank_ok),
    Case(P + "uncertainty_gate", G.uncertainty_gate,
         lambda: {"u": np.array([-1.0, 0.0, 1.0, 2.0, 3.0, 4.0]), "kl_fraction": 0.2},
         check=_gate_ok),
    Case(P + "adapt_kl_fraction", G.adapt_kl_fraction,
         lambda: {"kl_fraction": 0.1, "window": [1.0, 2.0], "u_pos": np.array([3.0, 0.5]),
                  "start": 0.1, "bounds": (0.02, 0.2), "rate": 0.1, "size": 20},
         check=_adapt_ok),
    Case(P + "reference_reset_due", G.reference_reset_due,
         lambda: {"epoch": 16, "last_reset": 0, "kl_exceeded": False, "reset_every": 15},
         check=_reset_ok),
    Case(P + "diversity_advantage", G.diversity_advantage,
         lambda: {"r": np.array([1.0, 2.0, 6.0, 3.0]),
                  "embeddings": np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [1.0, 0.0]]),
                  "adv_clip": 5.0}, check=_adv_ok),
    Case("equilibria.solvers.policy.gardo", G.gardo,
         lambda: {"env": E.ensemble_proxy_bandit(12, n_members=3, n_good=4, seed=0,
                                                 with_features=True),
                  "variant": "official", "beta": 3.0, "reset_every": 15,
                  "kl_threshold": 3e-4, "kl_fraction": 0.1, "rank_order": "descending",
                  "adv_clip": 5.0, "lr": 1.0, "max_iter": 20, "update": "pg",
                  "batch_size": 12, "record_every": 5, "seed": 0}, check=_official_ok,
         allow={"kl_threshold": {"inf"}}),
]

EXEMPT: dict[str, str] = {}
