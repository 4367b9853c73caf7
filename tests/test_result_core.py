"""One test that walks every public solver and checks the result core.

Every public function of the solver packages (and the simulation/sweep entry points of the
ODE and bandit rooms) is either called here on a small instance or listed in ``NOT_SOLVERS``
with the reason it returns no solver result. A new public function that is in neither fails
``test_every_public_function_is_classified``, so the core contract cannot be skipped silently.
"""

import dataclasses
import functools
import importlib
import inspect
import warnings

import numpy as np
import pytest

from equilibria._lib.result import ConvergenceWarning, Result, Status

PACKAGES = ("equilibria.solvers.online", "equilibria.solvers.ot", "equilibria.solvers.games",
            "equilibria.solvers.policy", "equilibria.solvers.constrained", "equilibria.bandits",
            "equilibria.solvers.sketch",
            "equilibria.odes")


def _rng():
    return np.random.default_rng(0)


def _ot_inputs(n=6, m=5):
    rng = _rng()
    a = rng.random(n) + 0.1
    b = rng.random(m) + 0.1
    a /= a.sum()
    b /= b.sum()
    C = rng.random((n, m))
    return a, b, C


def _online():
    from equilibria.solvers import online as o

    rng = _rng()
    L = rng.random((50, 4))
    G = rng.standard_normal((50, 3)) * 0.3
    R = 1.0 + 0.1 * rng.random((40, 3))
    return {
        "hedge": lambda: o.hedge(L, 0.3),
        "ogd": lambda: o.ogd(G, 0.1),
        "omd": lambda: o.omd(L, 0.3),
        "ftrl": lambda: o.ftrl(L, 0.3),
        "log_barrier_ftrl": lambda: o.log_barrier_ftrl(L, 0.3),
        "optimistic_omd": lambda: o.optimistic_omd(L, 0.3),
        "optimistic_ftrl": lambda: o.optimistic_ftrl(G),
        "sea_omd": lambda: o.sea_omd(G, G_max=2.0),
        "selfplay": lambda: o.selfplay(rng.random((3, 4)), 50),
        "zo_ranksgd": lambda: o.zo_ranksgd(lambda x: float(x @ x), np.ones(2), m=4, mu=1e-3,
                                           lr=0.5, max_iter=200, tol=1e-2,
                                           grad=lambda x: 2 * x, seed=0),
        "ons": lambda: o.ons(R, comparator="none") if "none" in inspect.signature(o.ons).parameters
        else o.ons(R),
    }


def _ot():
    from equilibria.solvers import ot

    a, b, C = _ot_inputs()
    return {
        "sinkhorn": lambda: ot.sinkhorn(a, b, C, 0.1),
        "smooth_ot": lambda: ot.smooth_ot(a, b, C, 0.1),
        "sparse_ot": lambda: ot.sparse_ot(a, b, C, 0.1, 2),
        "exact_ot": lambda: ot.exact_ot(a, b, C),
    }


def _games():
    from equilibria.solvers import games as g

    rng = _rng()
    A = rng.random((3, 4))
    Q, _ = np.linalg.qr(rng.standard_normal((4, 4)))
    S = rng.standard_normal((4, 4))
    S = S - S.T
    P = np.array([[0.5, 0.8, 0.3], [0.2, 0.5, 0.7], [0.7, 0.3, 0.5]])
    M = np.stack([S + np.eye(4) * 0.5 for _ in range(5)])
    return {
        "halpern": lambda: g.halpern(np.ones(4), T=lambda x: Q @ x, max_iter=200, tol=1e-3),
        "vr_halpern": lambda: g.vr_halpern(g.linear_finite_sum(M), np.ones(4), tol=1e-2),
        "extragradient": lambda: g.extragradient(lambda x: S @ x + 0.1 * x, np.ones(4),
                                                 L=float(np.linalg.norm(S, 2)) + 0.1),
        "mirror_prox": lambda: g.mirror_prox(A, max_iter=200),
        "nash_mirror_prox": lambda: g.nash_mirror_prox(P, 0.5),
        "solve_zero_sum": lambda: g.solve_zero_sum(A, tol=1e-6),
        "risk_averse_equilibrium": lambda: g.risk_averse_equilibrium(
            *g.crash_game(), risk_aversion=1.0, tremble=0.003),
        "risk_averse_fictitious_play": lambda: g.risk_averse_fictitious_play(
            A, -A, risk_aversion=0.5, max_iter=2000, tol=1e-3),
        "cournot_nash": lambda: g.cournot_nash(g.cournot_game(3)),
        "cournot_collusive": lambda: g.cournot_collusive(g.cournot_game(3)),
        "cournot_deviation": lambda: g.cournot_deviation(g.cournot_game(3)),
        "cournot_learning": lambda: g.cournot_learning(
            g.cournot_game(2), max_periods=5_000, stable_periods=500, beta=1e-3, m=5, seed=0),
        "governance_diagram": lambda: g.governance_diagram(
            g.cournot_game(2), [0.0, 0.1], [0.5], seeds=(0,), max_periods=5_000,
            stable_periods=500, beta=1e-3, m=5, progress=False),
    }


def _policy():
    from equilibria.solvers import policy as p

    pi = np.full(5, 0.2)
    r = np.linspace(0, 1, 5)
    return {
        "policy_gradient": lambda: p.policy_gradient(pi, r, divergence="kl", beta=0.5, max_iter=200),
        "constrained_rlhf": lambda: p.constrained_rlhf(),
        "gardo": lambda: p.gardo(),
        "chi2_occupancy_policy": lambda: p.chi2_occupancy_policy(
            p.random_mdp(3, 2), np.ones((3, 2)) * np.arange(2), np.full((3, 2), 0.5), 1.0),
        "goodhart_curve": lambda: p.goodhart_curve(max_iter=200),
    }


def _constrained():
    from equilibria.solvers import constrained as c

    return {
        "eal_sketch": lambda: c.eal_sketch(lambda x: x @ x, lambda x: np.array([x.sum() - 1.0]),
                                           np.array([2.0, -1.0, 0.5]),
                                           grad=lambda x: 2 * x,
                                           jac=lambda x: np.ones((1, 3)),
                                           hess=lambda x, lam: 2 * np.eye(3)),
        "primal_dual": lambda: c.primal_dual(lambda x: x @ x, lambda x: np.array([1.0 - x.sum()]),
                                             np.zeros(3), grad=lambda x: 2 * x,
                                             jac=lambda x: -np.ones((1, 3))),
        "bilevel_maid": lambda: c.bilevel_maid(c.ridge_problem(0), [0.0], max_iter=200),
        "hypergradient": lambda: c.hypergradient(c.ridge_problem(0), [0.0], eps=1e-3),
    }


def _bandits():
    from equilibria import bandits as bd

    return {
        "simulate": lambda: bd.simulate(bd.BernoulliArms([0.2, 0.5, 0.7]), bd.UCB1(), 200,
                                        n_runs=3, seed=0),
    }


@functools.lru_cache(maxsize=1)
def _sink():
    from equilibria import odes

    return odes.ODE(lambda x, p: -x, 2)


def _odes():
    from equilibria import odes

    from equilibria.theory import glv_field

    m = odes.CoexistenceModel.preset("governed")
    sink = _sink()
    grid = odes.Grid.box(-1, 1, 11, dim=2)
    return {
        "shock_test": lambda: odes.shock_test(m),
        "find_attractors": lambda: odes.find_attractors(sink, grid, n=20, progress=False),
        "basins_of_attraction": lambda: odes.basins_of_attraction(sink, grid, progress=False),
        "basins_fractions": lambda: odes.basins_fractions(sink, grid, n=20, progress=False),
        "lyapunov_spectrum": lambda: odes.lyapunov_spectrum(sink, [0.5, 0.5], n_steps=50,
                                                            progress=False),
        "locate_equilibria": lambda: odes.locate_equilibria(sink, (-1, 1), (-1, 1)),
        "basin_stability": lambda: odes.basin_stability(
            sink, np.zeros(2), odes.Box(-0.5, 0.5, dim=2), n=20, grid=grid, progress=False),
        "finite_time_basin_stability": lambda: odes.finite_time_basin_stability(
            sink, np.zeros(2), odes.Box(-0.5, 0.5, dim=2), 5.0, n=20, grid=grid,
            progress=False),
        "minimal_fatal_shock": lambda: odes.minimal_fatal_shock(
            sink, np.zeros(2), grid=grid, max_radius=0.5, n_directions=4, progress=False),
        "recovery_time": lambda: odes.recovery_time(sink, np.zeros(2), np.full(2, 0.5)),
        "basin_entropy": lambda: odes.basin_entropy(np.kron([[1, 2], [2, 1]], np.ones((6, 6), int))),
        "uncertainty_exponent_image": lambda: odes.uncertainty_exponent_image(
            (np.add.outer(np.arange(64), np.arange(64)) > 63).astype(int) + 1),
        "wada_test": lambda: odes.wada_test(np.arange(48 * 48).reshape(48, 48) % 3 + 1),
        "simulate_field": lambda: odes.simulate_field(
            glv_field([1.0, 1.0], [[-1.0, -0.5], [-0.5, -1.0]]), [0.2, 0.3], 5.0),
        # discretisation drift (equilibria.odes.drift)
        "gd_iterates": lambda: odes.gd_iterates(lambda x: 2.0 * x, [1.0, -0.5], 0.1, 5),
        "gradient_flow": lambda: odes.gradient_flow(lambda x: 2.0 * x, [1.0, -0.5], [0.0, 0.5]),
        "modified_flow": lambda: odes.modified_flow(lambda x: 2.0 * x, [1.0, -0.5], 0.1,
                                                    [0.0, 0.5], hess=lambda x: 2.0 * np.eye(2)),
        "principal_flow": lambda: odes.principal_flow(np.diag([1.0, 3.0]), [1.0, -0.5], 0.2,
                                                      0.2 * np.arange(4.0)),
        "game_iterates": lambda: odes.game_iterates(odes.bilinear_game(), [1.0, 0.5], 0.1, 5,
                                                    scheme="alternating"),
        "drift_error": lambda: odes.drift_error(lambda x: 2.0 * x, [1.0, -0.5], 0.05, 3,
                                                hess=lambda x: 2.0 * np.eye(2)),
        "game_drift": lambda: odes.game_drift(odes.dirac_gan(), [1.0, 0.5], 0.05, 3),
        # common-pool resource (equilibria.odes.cpr)
        "cpr_simulate": lambda: odes.cpr_simulate(odes.CPRModel(), "rich_altruistic", 1.0,
                                                  n_agents=50),
        "cpr_regimes": lambda: odes.cpr_regimes(odes.CPRModel(), [0.0, 4.0], [0.0],
                                                progress=False),
    }


def _theory():
    from equilibria import theory

    return {
        "levine_value": lambda: theory.levine_value(2, "best_response", n_starts=2),
    }


def _sketch():
    from equilibria.solvers import sketch as s

    rng = _rng()
    return {
        "sketch_and_solve": lambda: s.sketch_and_solve(rng.standard_normal((64, 3)), np.ones(64), 16,
                                                       seed=0),
    }


SMOKE_BUILDERS = {
    "equilibria.solvers.online": _online,
    "equilibria.solvers.ot": _ot,
    "equilibria.solvers.games": _games,
    "equilibria.solvers.policy": _policy,
    "equilibria.solvers.constrained": _constrained,
    "equilibria.bandits": _bandits,
    "equilibria.odes": _odes,
    "equilibria.solvers.sketch": _sketch,
    # equilibria.theory is not in PACKAGES (its closed forms are not classified here); its
    # Result-returning Levine entry point is still smoke-called
    "equilibria.theory": _theory,
}

#: public functions that do not return a solver result, with the reason
NOT_SOLVERS = {
    "equilibria.solvers.sketch": {
        "sketch": "random sketch operator (a Sketch, not a solve)",
        "leverage_scores": "row leverage scores (an array)",
        "linf_eps": "the paper's accuracy parameter (a float)",
        "linf_bound": "bound as code (a float)",
        "linf_ratios": "error ratios of given solutions (an array)",
        "clopper_pearson": "confidence interval (two floats)",
        "plot_error_vs_m": "figure",
        "plot_failure_vs_m": "figure",
    },
    "equilibria.solvers.online": {
        "diameter": "geometry helper (a float)",
        "matrix_game": "instance generator",
        "optimistic_hedge_gap_bound": "bound as code (a float)",
        "sea_losses": "instance generator",
        "adversarial_losses": "instance generator",
        "stochastic_losses": "instance generator",
        "best_crp": "reference comparator (cvxpy)",
        "ons_parameters": "theory-prescribed tuning (numbers)",
        "log_barrier_kernel": "simplex normalization kernel (returns the multiplier)",
        "tsallis_kernel": "simplex normalization kernel (returns the multiplier)",
        "ranking_oracle": "oracle constructor",
        "rank_gradient_estimate": "estimator (an array)",
    },
    "equilibria.solvers.games": {
        "reward_variance": "closed form (a float)",
        "reward_covariance": "closed form (an array)",
        "mean_variance_best_response": "best response (an array)",
        "risk_averse_gap": "certificate (a float)",
        "support_enumeration": "list of Nash equilibria (reference enumeration)",
        "stag_hunt": "game constructor",
        "crash_game": "game constructor",
        "plot_mean_variance_frontier": "figure",
        "plot_fictitious_play_basins": "figure",
        "regularized_nash": "independent reference solution (an array)",
        "linear_finite_sum": "problem constructor",
        "cournot_game": "market constructor",
        "collusion_index": "closed form (a float)",
        "grim_trigger_threshold": "closed form (a float)",
        "best_response_dynamics": "trajectory (an array)",
        "plot_collusion_over_time": "figure",
        "plot_governance_diagram": "figure",
    },
    "equilibria.solvers.policy": {
        "best_of_n_sampling": "sampler (an array of draws)",
        "constrained_optimum": "exact dual reference",
        "threshold_search": "outer Nelder-Mead search (returns thresholds)",
        "fixed_weight_grid": "baseline grid (arrays)",
        "proxy_points": "baseline (arrays)",
        "thresholds_feasible": "predicate",
        "policy_from_occupancy": "conversion helper",
        "diversity_scores": "helper",
        "rank_uncertainty": "GARDO mechanism (an array)",
        "uncertainty_gate": "GARDO mechanism (a mask)",
        "adapt_kl_fraction": "GARDO mechanism (a float)",
        "reference_reset_due": "GARDO mechanism (a predicate)",
        "diversity_advantage": "GARDO mechanism (an array)",
        "correlated_proxy_bandit": "environment constructor",
        "ensemble_proxy_bandit": "environment constructor",
        "composite_bandit": "environment constructor",
        "random_mdp": "environment constructor",
    },
    "equilibria.solvers.constrained": {
        "sketch_solve": "inner linear-system solver used by eal_sketch (returns an array)",
        "ridge_problem": "problem constructor",
        "multi_ridge_problem": "problem constructor",
        "tv_denoising_problem": "problem constructor",
    },
    "equilibria.bandits": {
        "checkpoint_grid": "grid helper",
        "bai_instance": "instance constructor",
        "plot_regret": "figure",
        "plot_pulls": "figure",
    },
    "equilibria.odes": {
        "classify": "label of an Indices record",
        "lv_competition": "model constructor",
        "mutualism": "model constructor",
        "replicator": "model constructor",
        "basin_sweep": "sweep record (BasinResult, not a solver)",
        "basin_continuation": "sweep record",
        "regime_diagram": "sweep record",
        "sensitivity": "analysis record",
        "regime_table": "table rows",
        "format_table": "text",
        "identify_attractors": "helper",
        "phase_portrait": "figure",
        "uncertainty_exponent": "needs a multistable system (tests/odes/test_boundary.py)",
        "edge_tracking": "needs a bistable system (tests/odes/test_boundary.py)",
        "global_continuation": "sweep record (tests/odes/test_continuation.py)",
        "generic_regime_diagram": "sweep record (tests/odes/test_continuation.py)",
        "ternary_portrait": "figure",
        "bilinear_game": "game constructor",
        "dirac_gan": "game constructor",
        "modified_flow_field": "vector field (a callable)",
        "game_modified_field": "vector field (a callable)",
        "drift_figure": "figure",
        "plot_cpr_presets": "figure",
        "plot_cpr_regimes": "figure",
        "plot_cpr_simplex": "figure",
    },
    "equilibria.theory": {
        "levine_best_response": "exact best response (an index table and a count)",
    },
}

CASES = [(pkg, name) for pkg, builder in SMOKE_BUILDERS.items() for name in builder()]


def _public_functions(pkg):
    mod = importlib.import_module(pkg)
    return {n for n in getattr(mod, "__all__", []) if inspect.isfunction(getattr(mod, n))}


@pytest.mark.parametrize("pkg", PACKAGES)
def test_every_public_function_is_classified(pkg):
    called = set(SMOKE_BUILDERS[pkg]())
    excused = set(NOT_SOLVERS.get(pkg, {}))
    unclassified = _public_functions(pkg) - called - excused
    assert not unclassified, (f"{pkg}: public functions neither smoke-called here nor listed in "
                              f"NOT_SOLVERS: {sorted(unclassified)}")
    stale = (called | excused) - _public_functions(pkg)
    assert not stale, f"{pkg}: listed names that are not public functions: {sorted(stale)}"


@pytest.mark.parametrize("pkg,name", CASES, ids=[f"{p.rsplit('.', 1)[-1]}.{n}" for p, n in CASES])
def test_solver_returns_result_core(pkg, name):
    call = SMOKE_BUILDERS[pkg]()[name]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = call()
    assert isinstance(res, Result), f"{pkg}.{name} returned {type(res).__name__}, not a Result"
    if not res.success:
        # a failure is never silent: success=False comes with a ConvergenceWarning
        assert any(issubclass(w.category, ConvergenceWarning) for w in caught), \
            f"{pkg}.{name}: success=False without a ConvergenceWarning ({res.message})"
    assert dataclasses.is_dataclass(res)
    assert isinstance(res.success, bool)
    assert int(res.status) in {int(s) for s in Status}
    assert res.success == (int(res.status) == Status.SUCCESS)
    assert isinstance(res.message, str) and res.message
    assert isinstance(res.n_iter, int) and res.n_iter >= 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.success = not res.success
    if res.success:
        # never NaN silently: a successful result carries no NaN in its float arrays
        for f in dataclasses.fields(res):
            v = getattr(res, f.name)
            if isinstance(v, np.ndarray) and v.dtype.kind == "f":
                assert not np.isnan(v).any(), f"{pkg}.{name}: NaN in `{f.name}` on success"


def _failing_calls():
    from equilibria import odes
    from equilibria.solvers import policy
    from equilibria.theory import glv_field

    m = odes.CoexistenceModel.preset("governed")
    return {
        "odes.simulate_field": lambda: odes.simulate_field(
            glv_field([1.0, 1.0], [[-1.0, -0.5], [-0.5, -1.0]]), [0.2, 0.3], 50.0, max_iter=3),
        "odes.LVSystem.simulate": lambda: m.simulate(m.uniform_state(0.5, 0.5), 100.0,
                                                     max_iter=5),
        "policy.policy_gradient": lambda: policy.policy_gradient(
            np.full(4, 0.25), np.arange(4.0), divergence="kl", beta=1.0, max_iter=3, tol=1e-12),
        "policy.goodhart_curve": lambda: policy.goodhart_curve(lr=1.7e308, max_iter=3),
    }


@pytest.mark.parametrize("name", list(_failing_calls()))
def test_failure_comes_with_a_convergence_warning(name):
    with pytest.warns(ConvergenceWarning):
        res = _failing_calls()[name]()
    assert isinstance(res, Result) and not res.success
    assert int(res.status) != Status.SUCCESS and res.message
