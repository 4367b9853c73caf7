"""Fuzz baselines of ``equilibria.solvers.policy``.

Every policy the room returns is checked to be a distribution (rows of a tabular policy too),
occupancy measures to be normalized, models to carry valid transition rows, and bounded
scores to stay in their ranges.  The closed forms ``kl_regularized_policy`` / ``softmax_policy``
belong to the theory room; their invariants are checked here through the solvers that call
them (``constrained_optimum``, ``constrained_rlhf``, ``threshold_search``).
"""

import functools

import numpy as np

from equilibria.solvers import policy as P
from equilibria.solvers.policy import envs as E
from equilibria.solvers.policy import gradient as G
from equilibria.solvers.policy import occupancy as O
from equilibria.solvers.policy import plots as PL
from tests.fuzz.harness import Case, assert_distribution


def _ref(k=5, seed=0):
    return np.random.default_rng(seed).dirichlet(np.ones(k))


def _rew(k=5, seed=1):
    return np.random.default_rng(seed).standard_normal(k)


def _tab(s=3, a=2, seed=2):
    """A (S, A) reference policy with rows on the simplex."""
    return np.random.default_rng(seed).dirichlet(np.ones(a), size=s)


def _mdp():
    return P.random_mdp(3, 2, gamma=0.8, seed=0)


def _composite():
    return P.composite_bandit(8, seed=0)


def _policy_ok(res, kw):
    assert_distribution(res.policy)


def _run_ok(res, kw):
    assert_distribution(res.policy)
    for k in ("kl", "chi2"):
        assert np.all(np.asarray(res.history[k]) >= -1e-12), f"negative {k} in the history"


def _mdp_ok(res, kw):
    mdp = res if isinstance(res, P.TabularMDP) else res[0]
    assert_distribution(mdp.P, axis=-1)
    assert_distribution(mdp.rho0)
    assert 0.0 <= mdp.gamma < 1.0, f"gamma={mdp.gamma}"


def _trap_ok(res, kw):
    _mdp_ok(res, kw)
    assert_distribution(res[1], axis=-1)


def _occupancy_ok(res, kw):
    assert_distribution(res.policy, axis=-1, atol=1e-6)
    mu = np.asarray(res.occupancy)
    assert np.all(mu >= -1e-9), "negative occupancy"
    assert abs(mu.sum() - 1.0) <= 1e-5, f"occupancy sums to {mu.sum()}"
    assert res.chi2 >= -1e-12, "negative chi^2"


def _bandit_ok(res, kw):
    assert_distribution(res.pi_ref)


def _optimum_ok(res, kw):
    pol, lam = res
    assert_distribution(pol)
    lmax = float(kw.get("lambda_max", 2.0))
    assert np.all(lam >= 0) and np.all(lam <= lmax), f"multipliers {lam} outside [0, {lmax}]"


def _constrained_ok(res, kw):
    assert_distribution(res.policy)
    np.testing.assert_allclose(res.weights, 1.0 - res.multipliers, rtol=0, atol=1e-12)


def _diversity_ok(res, kw):
    d = np.asarray(res)
    assert np.all(np.isfinite(d)) and np.all(d >= -1e-12) and np.all(d <= 1 + 1e-12), \
        f"diversity scores outside [0, 1]: {d}"


def _policy_rows_ok(res, kw):
    assert_distribution(res, axis=-1)


def _corr_ok(res, kw):
    assert -1 - 1e-9 <= res <= 1 + 1e-9, f"correlation {res} outside [-1, 1]"


def _grid_ok(res, kw):
    w, best, mesh, trues = res
    assert np.isclose(best, trues.max()), "best is not the grid maximum"
    if kw.get("convex", True):
        np.testing.assert_allclose(mesh.sum(axis=1), 1.0, rtol=0, atol=1e-9)
    assert np.all(mesh >= -1e-12) and np.all(mesh <= 1 + 1e-12), "weights outside [0, 1]"


def _proxy_points_ok(res, kw):
    theta, _ = res
    R = kw["env"].components
    assert np.all(theta >= R.min(axis=0) - 1e-9) and np.all(theta <= R.max(axis=0) + 1e-9), \
        "proxy point outside the range of its component"


def _threshold_ok(res, kw):
    theta, true, opt = res
    env = kw["env"]
    pol, _ = P.constrained_optimum(env, theta, beta=kw.get("beta", 0.1),
                                   lambda_max=kw.get("lambda_max", 2.0))
    assert_distribution(pol)
    r_eval = env.r_true if kw.get("r_eval") is None else np.asarray(kw["r_eval"], float)
    assert np.isclose(true, pol @ r_eval, rtol=1e-9, atol=1e-12), "reported reward differs"


def _bon_ok(res, kw):
    assert_distribution(res)


def _goodhart_ok(res, kw):
    assert 0 <= res.peak < res.true.size, "peak index out of range"
    assert np.all(res.kl >= -1e-12), "negative KL"


def _signal_ok(res, kw):
    assert np.asarray(res).shape == np.asarray(kw["pi"]).shape


def _paths_ok(res, kw):
    for name in ("chi2", "kl"):
        assert all(np.all(np.isfinite(x)) for x in res[name]), f"non-finite {name} path"


# ------------------------------------------------------------------------------ figures


def _figure(fn):
    """Call a figure function, close the figure (no pyplot state builds up), return a summary
    of what was drawn (the data of every line), so equivalent inputs can be compared."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    @functools.wraps(fn)
    def call(**kw):
        fig = fn(**kw)
        try:
            lines = []
            for ax in fig.axes:
                for ln in ax.get_lines():
                    x, y = ln.get_data()
                    lines.append(np.asarray(y, dtype=float).ravel())
            return tuple(lines)
        finally:
            plt.close(fig)
    return call


@functools.lru_cache(maxsize=None)
def _small_paths():
    mdp, ref, rt, rp = E.trap_mdp(n_states=3)
    return O.regularization_paths(mdp, ref, rt, rp, strengths=np.array([1.0, 0.1]),
                                  progress=False)


@functools.lru_cache(maxsize=None)
def _small_run():
    env = _composite()
    return P.constrained_rlhf(env, np.array([0.6, 0.5]), max_iter=60, record_every=5)


@functools.lru_cache(maxsize=None)
def _small_curves():
    env = P.correlated_proxy_bandit(12, seed=0)
    return env, (P.goodhart_curve(env, max_iter=20), P.goodhart_curve(env, max_iter=20,
                                                                       divergence="kl", beta=0.5))


CASES = [
    # ----------------------------------------------------------------- models
    Case("equilibria.solvers.policy.ProxyBandit", P.ProxyBandit,
         lambda: {"pi_ref": _ref(), "r_true": _rew(), "r_proxy": _rew(seed=3),
                  "ensemble": np.random.default_rng(4).standard_normal((3, 5)),
                  "features": np.random.default_rng(5).standard_normal((5, 2))},
         check=_bandit_ok),
    Case("equilibria.solvers.policy.CompositeBandit", P.CompositeBandit,
         lambda: {"pi_ref": _ref(), "components": np.random.default_rng(6).standard_normal(
             (5, 2)), "r_true": _rew()}, check=_bandit_ok),
    Case("equilibria.solvers.policy.TabularMDP", P.TabularMDP,
         lambda: {"P": np.random.default_rng(7).dirichlet(np.ones(3), size=(3, 2)),
                  "rho0": _ref(3), "gamma": 0.8}, check=_mdp_ok),
    Case("equilibria.solvers.policy.random_mdp", P.random_mdp,
         lambda: {"n_states": 4, "n_actions": 3, "gamma": 0.8, "seed": 0,
                  "concentration": 0.5}, check=_mdp_ok),
    Case("equilibria.solvers.policy.correlated_proxy_bandit", P.correlated_proxy_bandit,
         lambda: {"n_actions": 10, "n_hacks": 2, "hack_mass": 2e-3, "noise": 0.3,
                  "hack_proxy": 4.0, "hack_true": -2.0, "seed": 0}, check=_bandit_ok),
    Case("equilibria.solvers.policy.ensemble_proxy_bandit", P.ensemble_proxy_bandit,
         lambda: {"n_actions": 12, "n_members": 3, "n_good": 4, "n_hacks": 2,
                  "hack_mass": 0.01, "with_features": True, "seed": 0}, check=_bandit_ok),
    Case("equilibria.solvers.policy.composite_bandit", P.composite_bandit,
         lambda: {"n_actions": 8, "correlation": 0.3, "overshoot": np.array([1.0, 0.8]),
                  "curvature": 1.5, "seed": 0}, check=_bandit_ok),
    Case("equilibria.solvers.policy.envs.trap_mdp", E.trap_mdp,
         lambda: {"n_states": 5, "gamma": 0.9, "hack_prob": 0.002, "work_prob": 0.3,
                  "hack_proxy": 1.5, "hack_true": -1.0}, check=_trap_ok),
    Case("equilibria.solvers.policy.envs.weighted_corr", E.weighted_corr,
         lambda: {"x": _rew(), "y": _rew(seed=3), "w": _ref()}, check=_corr_ok),
    # ----------------------------------------------------------------- bandit solvers
    Case("equilibria.solvers.policy.policy_gradient", P.policy_gradient,
         lambda: {"pi_ref": _ref(), "r": _rew(), "divergence": "kl", "beta": 0.5, "lr": 1.0,
                  "max_iter": 30, "oracle": "exact", "update": "pg", "batch_size": 8,
                  "r_true": _rew(seed=3), "record_every": 5, "seed": 0}, check=_run_ok),
    Case("equilibria.solvers.policy.policy_gradient", P.policy_gradient,
         lambda: {"pi_ref": _ref(), "r": _rew(), "divergence": "chi2", "beta": 0.5,
                  "max_iter": 2000, "update": "mirror", "tol": 1e-6}, check=_run_ok),
    Case("equilibria.solvers.policy.gradient.regularizer_signal", G.regularizer_signal,
         lambda: {"pi": _ref(seed=8), "pi_ref": _ref(), "divergence": "kl", "beta": 0.5},
         check=_signal_ok),
    Case("equilibria.solvers.policy.best_of_n_sampling", P.best_of_n_sampling,
         lambda: {"pi_ref": _ref(), "r": _rew(), "n": 4, "n_draws": 300, "seed": 0},
         check=_bon_ok),
    Case("equilibria.solvers.policy.goodhart_curve", P.goodhart_curve,
         lambda: {"env": P.correlated_proxy_bandit(12, seed=0), "divergence": "kl",
                  "beta": 0.5, "lr": 0.05, "max_iter": 30, "update": "mirror",
                  "oracle": "exact", "record_every": 5, "seed": 0}, check=_goodhart_ok),
    Case("equilibria.solvers.policy.gardo", P.gardo,
         lambda: {"env": P.ensemble_proxy_bandit(12, n_members=3, n_good=4, seed=0,
                                                 with_features=True),
                  "beta": 3.0, "gate_quantile": 0.8, "reset_every": 10, "diversity": 5.0,
                  "quality_quantile": 0.5, "lr": 0.02, "max_iter": 30, "oracle": "exact",
                  "update": "mirror", "batch_size": 16, "record_every": 5, "seed": 0},
         check=_run_ok),
    Case("equilibria.solvers.policy.gardo", P.gardo,
         lambda: {"env": P.ensemble_proxy_bandit(12, n_members=3, n_good=4, seed=0),
                  "max_iter": 20, "oracle": "sampled", "update": "pg", "batch_size": 16,
                  "seed": 0}, check=_run_ok),
    Case("equilibria.solvers.policy.diversity_scores", P.diversity_scores,
         lambda: {"pi": _ref(), "features": np.random.default_rng(5).standard_normal((5, 2))},
         check=_diversity_ok),
    # ----------------------------------------------------------------- constrained RLHF
    Case("equilibria.solvers.policy.thresholds_feasible", P.thresholds_feasible,
         lambda: {"pi_ref": _ref(), "components": np.random.default_rng(6).standard_normal(
             (5, 2)), "thresholds": np.array([0.5, 0.2])}),
    Case("equilibria.solvers.policy.constrained_optimum", P.constrained_optimum,
         lambda: {"env": _composite(), "thresholds": np.array([0.6, 0.5]), "beta": 0.1,
                  "lambda_max": 2.0}, check=_optimum_ok),
    Case("equilibria.solvers.policy.constrained_rlhf", P.constrained_rlhf,
         lambda: {"env": _composite(), "thresholds": np.array([0.6, 0.5]), "beta": 0.1,
                  "lambda_max": 2.0, "lr": 5.0, "lr_multiplier": 0.4, "max_iter": 300,
                  "oracle": "exact", "batch_size": 16, "tol": 1e-6, "init_multiplier": -3.0,
                  "record_every": 10, "seed": 0}, check=_constrained_ok),
    Case("equilibria.solvers.policy.constrained_rlhf", P.constrained_rlhf,
         lambda: {"env": _composite(), "thresholds": np.array([0.6, 0.5]), "max_iter": 40,
                  "lr": 1.0, "oracle": "sampled", "batch_size": 16, "seed": 0},
         check=_constrained_ok),
    Case("equilibria.solvers.policy.proxy_points", P.proxy_points,
         lambda: {"env": _composite(), "beta_grid": np.logspace(1, -1, 15)},
         check=_proxy_points_ok),
    Case("equilibria.solvers.policy.threshold_search", P.threshold_search,
         lambda: {"env": _composite(), "beta": 0.1, "lambda_max": 2.0,
                  "x0": np.array([0.6, 0.5]), "r_eval": _composite().r_true, "max_iter": 15,
                  "xatol": 1e-4, "fatol": 1e-8}, check=_threshold_ok),
    Case("equilibria.solvers.policy.fixed_weight_grid", P.fixed_weight_grid,
         lambda: {"env": _composite(), "beta": 0.1, "n_grid": 11, "convex": True},
         check=_grid_ok),
    # ----------------------------------------------------------------- occupancy measures
    Case("equilibria.solvers.policy.policy_from_occupancy", P.policy_from_occupancy,
         lambda: {"mu": _tab(seed=9) * _ref(3)[:, None], "fallback": _tab()},
         check=_policy_rows_ok),
    Case("equilibria.solvers.policy.chi2_occupancy_policy", P.chi2_occupancy_policy,
         lambda: {"mdp": _mdp(), "r": np.random.default_rng(3).standard_normal((3, 2)),
                  "pi_ref": _tab(), "lam": 0.5, "form": "sqrt", "method": "cvxpy",
                  "oracle": "exact"}, check=_occupancy_ok),
    Case("equilibria.solvers.policy.chi2_occupancy_policy", P.chi2_occupancy_policy,
         lambda: {"mdp": _mdp(), "r": np.random.default_rng(3).standard_normal((3, 2)),
                  "pi_ref": _tab(), "lam": 0.5, "form": "square", "method": "ascent",
                  "oracle": "exact", "update": "mirror", "lr": 1.0, "max_iter": 300,
                  "tol": 1e-6, "record_every": 10}, check=_occupancy_ok),
    Case("equilibria.solvers.policy.chi2_occupancy_policy", P.chi2_occupancy_policy,
         lambda: {"mdp": _mdp(), "r": np.random.default_rng(3).standard_normal((3, 2)),
                  "pi_ref": _tab(), "lam": 0.5, "form": "square", "method": "ascent",
                  "oracle": "sampled", "lr": 5.0, "max_iter": 10, "batch_size": 16,
                  "record_every": 5, "seed": 0}, check=_occupancy_ok),
    Case("equilibria.solvers.policy.occupancy.regularization_paths", O.regularization_paths,
         lambda: {"mdp": E.trap_mdp(n_states=3)[0], "pi_ref": E.trap_mdp(n_states=3)[1],
                  "r_true": E.trap_mdp(n_states=3)[2], "r_proxy": E.trap_mdp(n_states=3)[3],
                  "strengths": np.array([1.0, 0.1]), "progress": False},
         check=_paths_ok, timeout=40.0),
    # ----------------------------------------------------------------- figures
    Case("equilibria.solvers.policy.plots.goodhart_figure", _figure(PL.goodhart_figure),
         lambda: {"env": _small_curves()[0], "curves": list(_small_curves()[1])}),
    Case("equilibria.solvers.policy.plots.frontier_figure", _figure(PL.frontier_figure),
         lambda: {"env": P.correlated_proxy_bandit(12, seed=0), "n_values": np.array([1, 4]),
                  "kl_betas": np.array([1.0]), "n_draws": 200, "pg_max_iter": 10, "seed": 0}),
    Case("equilibria.solvers.policy.plots.multiplier_figure", _figure(PL.multiplier_figure),
         lambda: {"run": _small_run(), "fixed_true": 0.5}),
    Case("equilibria.solvers.policy.plots.gardo_figure", _figure(PL.gardo_figure),
         lambda: {"env": P.ensemble_proxy_bandit(12, n_members=3, n_good=4, seed=0),
                  "max_iter": 10}),
    Case("equilibria.solvers.policy.plots.equivalence_figure", _figure(PL.equivalence_figure),
         lambda: {"p": np.array([0.5, 0.3, 0.2]), "r_token": np.array([0.0, 1.0, 2.0]),
                  "delta": 0.1, "lengths": np.array([4, 8])}),
    Case("equilibria.solvers.policy.plots.occupancy_figure", _figure(PL.occupancy_figure),
         lambda: {"paths": _small_paths(), "n_strengths": 4}),
]

EXEMPT = {
    "equilibria.solvers.policy.PolicyRun": "result record built by the solvers, not an input API",
    "equilibria.solvers.policy.ConstrainedRun": "result record built by constrained_rlhf, not "
                                                "an input API",
    "equilibria.solvers.policy.OccupancyResult": "result record built by "
                                                 "chi2_occupancy_policy, not an input API",
    "equilibria.solvers.policy.GoodhartCurve": "result record built by goodhart_curve, not an "
                                               "input API",
    "equilibria.solvers.policy.cli.add_commands": "takes only an argparse subparsers object (no "
                                                  "fuzzable argument); the goodhart command and "
                                                  "its flag errors are covered by "
                                                  "tests/policy/test_cli.py and "
                                                  "tests/test_cli_errors.py",
}

# GARDO's official mechanisms (variant="official") have their own cases module
from tests.fuzz.cases.policy_gardo import CASES as _GARDO_CASES  # noqa: E402
from tests.fuzz.cases.policy_gardo import EXEMPT as _GARDO_EXEMPT  # noqa: E402

CASES += _GARDO_CASES
EXEMPT.update(_GARDO_EXEMPT)
