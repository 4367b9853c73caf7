"""Fuzz baselines of ``equilibria.bandits``: environments, policies, the engine, plots, theorems.

Environment and policy constructors are fuzzed *through* a small simulation (the call builds
the object from the corrupted arguments and runs :func:`~equilibria.bandits.simulate` on it),
so a corruption the constructor lets through must still give a valid simulation: pulls sum to
the horizon, the pseudo-regret of a stochastic environment is non-negative and
non-decreasing, recommendations are arms, the constraint violation is non-negative.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from equilibria import bandits as B
from equilibria.bandits import theorems as T
from tests.fuzz.harness import Case

H, R = 60, 3  # horizon and runs of the small simulations


def _sim(env, policy, horizon=H, n_runs=R, **kw):
    return B.simulate(env, policy, horizon, n_runs=n_runs, seed=0, n_chunks=1, progress=False,
                      **kw)


def _result_ok(res, *, horizon, n_runs, n_arms, nonneg):
    """Invariants of a BanditResult."""
    assert isinstance(res, B.BanditResult), f"not a BanditResult: {type(res).__name__}"
    t = np.asarray(res.t)
    assert t.dtype.kind == "i" and t[0] >= 1 and t[-1] == horizon and np.all(np.diff(t) > 0), \
        f"bad checkpoints {t}"
    assert res.pulls.shape == (n_runs, n_arms), f"pulls shape {res.pulls.shape}"
    assert np.all(res.pulls >= 0), "negative pull count"
    assert np.all(res.pulls.sum(axis=1) == horizon), \
        f"pulls sum to {res.pulls.sum(axis=1)}, not the horizon {horizon}"
    for x in (res.regret, res.realized_regret):
        assert x.shape == (n_runs, t.size), f"regret shape {x.shape}"
        assert np.all(np.isfinite(x)), "non-finite regret"
    if nonneg:  # sum_s mu* - mu_{A_s}: a sum of non-negative gaps
        assert np.all(res.regret >= -1e-9 * max(1.0, np.abs(res.regret).max())), \
            f"negative pseudo-regret {res.regret.min()}"
        assert np.all(np.diff(res.regret, axis=1) >= -1e-9 * max(1.0, np.abs(res.regret).max())), \
            "pseudo-regret decreased"
    rec = np.asarray(res.recommendation)
    assert rec.shape == (n_runs,) and np.all((rec >= 0) & (rec < n_arms)), \
        f"recommendation {rec} is not an arm"
    assert np.all((res.best_arms >= 0) & (res.best_arms < n_arms)), "best arm out of range"
    if "violation" in res.extras:
        v = res.extras["violation"]
        assert np.all(v >= 0) and np.all(np.diff(v, axis=1) >= -1e-12), \
            "violation negative or decreasing"
    if "covered" in res.extras:
        assert res.extras["covered"].dtype == bool


def _env_sim_ok(nonneg, horizon=H, n_runs=R):
    def check(out, kw):
        env, res = out
        _result_ok(res, horizon=horizon, n_runs=n_runs, n_arms=env.n_arms, nonneg=nonneg)
    return check


def _pol_sim_ok(n_arms, nonneg, horizon=H, n_runs=R):
    def check(res, kw):
        _result_ok(res, horizon=horizon, n_runs=n_runs, n_arms=n_arms, nonneg=nonneg)
    return check


# ------------------------------------------------------------------------------- environments
_MEANS = np.array([0.2, 0.5, 0.7])


def _env_case(name, cls, kwargs, policy, check, **extra):
    def call(**kw):
        env = cls(**kw)
        return env, _sim(env, policy())
    return Case(f"equilibria.bandits.{name}", call, kwargs, check=check, **extra)


def _rewards():
    return np.random.default_rng(0).random((H, 3))


def _adv_ok(kw_horizon_key, kw_arms_key):
    def check(out, kw):
        env, res = out
        x = env.rewards
        assert x.shape == (kw[kw_horizon_key], kw[kw_arms_key]), f"table shape {x.shape}"
        assert np.all((x >= 0) & (x <= 1)), "rewards outside [0, 1]"
        _result_ok(res, horizon=min(H, x.shape[0]), n_runs=R, n_arms=x.shape[1], nonneg=False)
    return check


def _adv_ctor(method):
    def call(**kw):
        env = getattr(B.AdversarialSequence, method)(**kw)
        return env, _sim(env, B.EXP3(), horizon=min(H, env.rewards.shape[0]))
    return call


def _table_ok(out, kw):
    env, res = out
    _result_ok(res, horizon=min(H, env.rewards.shape[0]), n_runs=R, n_arms=env.n_arms,
               nonneg=False)


# baseline values are exactly representable in float32 (dyadic), so the float32 corruption means
# the same numbers: a discrete policy may legitimately take another path on rounded inputs


def _linear_env():
    return {"actions": np.array([[1.0, 0.0], [0.0, 1.0], [-0.5, 0.75], [0.625, -0.75]]),
            "theta": np.array([0.5, -0.75]), "sigma": 0.5}


def _dynlin_env():
    return {"A": np.array([[0.5, 0.125], [0.0, 0.375]]),
            "B": np.array([[1.0, -0.5], [0.25, 0.75]]),
            "omega": np.array([0.25, -0.125]), "theta": np.array([0.5, 0.5]),
            "actions": np.array([[1.0, 0.0], [0.0, 1.0], [-0.5, 0.75]]), "sigma": 0.5,
            "x0": np.array([0.125, -0.125])}


def _threshold_env():
    return {"mu": np.array([0.5, -0.5]), "slope": 1.5, "cost": 0.55, "eps": 0.15, "rmin": 0.4,
            "pi0": 0.5, "kappa": 0.05, "gamma": 0.5, "batch": 50,
            "grid": np.linspace(-3.0, 3.0, 13)}


def _bai_ok(env, kw):
    m = env.means
    assert m.shape == (kw["n_arms"],), f"means shape {m.shape}"
    assert np.all((m >= 0) & (m <= 1)), "means outside [0, 1]"
    assert m[0] == 0.5 and np.all(m[1:] < 0.5), "arm 0 is not the unique best arm"


ENV_CASES = [
    _env_case("BernoulliArms", B.BernoulliArms, lambda: {"means": _MEANS.copy()}, B.UCB1,
              _env_sim_ok(True)),
    _env_case("GaussianArms", B.GaussianArms, lambda: {"means": _MEANS.copy(), "sigma": 0.5},
              B.UCB1, _env_sim_ok(True)),
    _env_case("BoundedArms", B.BoundedArms,
              lambda: {"means": _MEANS.copy(), "concentration": 2.0}, B.ThompsonSampling,
              _env_sim_ok(True)),
    Case("equilibria.bandits.AdversarialSequence",
         lambda **kw: (lambda e: (e, _sim(e, B.EXP3(), horizon=min(H, e.rewards.shape[0]))))(
             B.AdversarialSequence(**kw)),
         lambda: {"rewards": _rewards()}, check=_table_ok),
    Case("equilibria.bandits.AdversarialSequence.minimax_lower_bound",
         _adv_ctor("minimax_lower_bound"),
         lambda: {"n_arms": 3, "horizon": H, "best": 1, "seed": 0},
         check=_adv_ok("horizon", "n_arms")),
    Case("equilibria.bandits.AdversarialSequence.random", _adv_ctor("random"),
         lambda: {"n_arms": 3, "horizon": H, "seed": 0}, check=_adv_ok("horizon", "n_arms")),
    Case("equilibria.bandits.AdversarialSequence.switching", _adv_ctor("switching"),
         lambda: {"n_arms": 3, "horizon": H, "switch": 0.4}, check=_adv_ok("horizon", "n_arms")),
    _env_case("LinearBandit", B.LinearBandit, _linear_env, B.LinUCB, _env_sim_ok(True)),
    Case("equilibria.bandits.LinearBandit.random",
         lambda **kw: (lambda e: (e, _sim(e, B.LinUCB())))(B.LinearBandit.random(**kw)),
         lambda: {"n_actions": 4, "dim": 2, "sigma": 0.5, "seed": 0}, check=_env_sim_ok(True)),
    _env_case("DynamicalLinearBandit", B.DynamicalLinearBandit, _dynlin_env, B.DynLinUCB,
              _env_sim_ok(False)),
    Case("equilibria.bandits.DynamicalLinearBandit.conflicting",
         lambda **kw: (lambda e: (e, _sim(e, B.DynLinUCB())))(
             B.DynamicalLinearBandit.conflicting(**kw)),
         lambda: {"rho": 0.7, "n_actions": 5, "sigma": 0.5}, check=_env_sim_ok(False)),
    Case("equilibria.bandits.DynamicalLinearBandit.random",
         lambda **kw: (lambda e: (e, _sim(e, B.DynLinUCB())))(
             B.DynamicalLinearBandit.random(**kw)),
         lambda: {"rho": 0.7, "n_state": 3, "dim": 2, "n_actions": 4, "sigma": 0.5, "seed": 0},
         check=_env_sim_ok(False)),
    _env_case("ThresholdEnvironment", B.ThresholdEnvironment, _threshold_env, B.OFS,
              _env_sim_ok(False)),
    Case("equilibria.bandits.bai_instance", B.bai_instance,
         lambda: {"kind": "random", "n_arms": 4, "gap": 0.2, "seed": 0}, check=_bai_ok),
]


# ------------------------------------------------------------------------------- policies
def _pol_case(name, cls, kwargs, env, horizon=H, nonneg=True):
    e = env()

    def call(**kw):
        return _sim(e, cls(**kw), horizon=horizon)
    return Case(f"equilibria.bandits.{name}", call, kwargs,
                check=_pol_sim_ok(e.n_arms, nonneg, horizon=horizon))


def _bern():
    return B.BernoulliArms([0.2, 0.5, 0.7])


def _gauss():
    return B.GaussianArms([0.2, 0.5, 0.7], sigma=0.5)


def _bai():
    return B.BernoulliArms([0.2, 0.4, 0.5, 0.7])


def _lin():
    return B.LinearBandit(**_linear_env())


def _dynlin():
    return B.DynamicalLinearBandit(**_dynlin_env())


def _thr():
    return B.ThresholdEnvironment(**_threshold_env())


POLICY_CASES = [
    _pol_case("UCB1", B.UCB1, lambda: {"c": 2.0}, _bern),
    _pol_case("UCBV", B.UCBV, lambda: {"zeta": 1.2, "c": 1.0, "b": 1.0}, _bern),
    _pol_case("KLUCB", B.KLUCB,
              lambda: {"kl": "gaussian", "exploration": "gc", "c": 3.0, "sigma": 0.5}, _gauss),
    _pol_case("MOSS", B.MOSS, dict, _bern),
    _pol_case("ThompsonSampling", B.ThompsonSampling,
              lambda: {"prior": "gaussian", "sigma": 0.5}, _gauss),
    _pol_case("EXP3", B.EXP3, lambda: {"eta": 0.1}, _bern),
    _pol_case("EXP3IX", B.EXP3IX, lambda: {"eta": 0.1, "gamma": 0.05}, _bern),
    _pol_case("TsallisINF", B.TsallisINF, lambda: {"c": 2.0, "estimator": "rv"}, _bern),
    _pol_case("LogBarrierFTRL", B.LogBarrierFTRL, lambda: {"eta": 0.3}, _bern),
    _pol_case("RoundRobin", B.RoundRobin, dict, _bern),
    _pol_case("UCBE", B.UCBE, lambda: {"a": 1.0}, _bai),
    _pol_case("SuccessiveRejects", B.SuccessiveRejects, dict, _bai),
    _pol_case("SequentialHalving", B.SequentialHalving, dict, _bai),
    _pol_case("DPSequentialHalving", B.DPSequentialHalving, lambda: {"epsilon": 1.0}, _bai),
    _pol_case("LinUCB", B.LinUCB, lambda: {"lam": 1.0, "delta": 0.05, "S": 1.0, "R": 0.5}, _lin),
    _pol_case("LinearThompsonSampling", B.LinearThompsonSampling,
              lambda: {"lam": 1.0, "delta": 0.05, "S": 1.0, "R": 0.5, "v": 0.5}, _lin),
    _pol_case("DynLinUCB", B.DynLinUCB,
              lambda: {"rho_bar": 0.6, "lam": 1.0, "delta": 0.05, "S": 1.0, "C": 1.0,
                       "burn": 2, "avg": 3}, _dynlin, nonneg=False),
    _pol_case("OFS", B.OFS, lambda: {"beta": 0.25}, _thr, nonneg=False),
    _pol_case("PrimalDualThreshold", B.PrimalDualThreshold,
              lambda: {"beta": 0.25, "eta": 0.125, "lam_max": 10.0}, _thr, nonneg=False),
    _pol_case("UnconstrainedThreshold", B.UnconstrainedThreshold, lambda: {"beta": 0.25}, _thr,
              nonneg=False),
]


def _rate_ok(eta, kw):
    assert isinstance(eta, float) and math.isfinite(eta) and eta > 0, f"learning rate {eta}"


def _sh_schedule_ok(sched, kw):
    K, n = kw["K"], kw["n"]
    assert sched.ndim == 2 and sched.shape[1] == 3
    assert np.all(sched[:, 0] >= 1) and np.all(sched[:, 0] == np.round(sched[:, 0]))
    m = np.concatenate([[K], sched[:-1, 1]])
    assert np.all(np.diff(np.concatenate([[K], sched[:, 1]])) <= 0) and sched[-1, 1] == 1, \
        "surviving arms do not halve down to one"
    assert np.sum(sched[:, 0] * m) <= n, "the schedule exceeds the budget"


def _sr_schedule_ok(sched, kw):
    K, n = kw["K"], kw["n"]
    assert sched.shape == (K - 1, 3), f"schedule shape {sched.shape}"
    assert np.all(sched[:, 0] >= 0), "negative phase increment"
    assert np.all(sched[:, 1] == np.arange(K - 1, 0, -1)), "survivors are not K-1, ..., 1"
    cum = np.cumsum(sched[:, 0])  # n_k: pulls per surviving arm by the end of phase k
    total = cum[0] * K + np.sum(np.diff(cum) * np.arange(K - 1, 1, -1)) if K > 2 else cum[0] * K
    assert total <= n + K, f"the schedule uses {total} pulls of a budget {n}"


@functools.lru_cache(maxsize=None)
def _result():
    return _sim(B.BernoulliArms([0.2, 0.5, 0.7]), B.UCB1(), n_runs=5)


def _band_ok(band, kw):
    lo, hi = band
    res = _result()
    assert lo.shape == hi.shape == res.t.shape
    assert np.all(np.isfinite(lo)) and np.all(np.isfinite(hi)) and np.all(lo <= hi + 1e-12)


def _summary_ok(s, kw):
    lo, hi = s["regret_ci"]
    assert math.isfinite(lo) and math.isfinite(hi) and lo <= s["mean_regret"] + 1e-12 <= hi + 2e-12
    assert 0 <= s["error_rate"] <= 1


METHOD_CASES = [
    Case("equilibria.bandits.EXP3.learning_rate", lambda **kw: B.EXP3().learning_rate(**kw),
         lambda: {"K": 3, "n": 100}, check=_rate_ok),
    Case("equilibria.bandits.SequentialHalving.schedule",
         lambda **kw: B.SequentialHalving().schedule(**kw), lambda: {"K": 5, "n": 100},
         check=_sh_schedule_ok),
    Case("equilibria.bandits.SuccessiveRejects.schedule",
         lambda **kw: B.SuccessiveRejects().schedule(**kw), lambda: {"K": 5, "n": 100},
         check=_sr_schedule_ok),
    Case("equilibria.bandits.BanditResult.band", lambda **kw: _result().band(**kw),
         lambda: {"level": 0.9}, check=_band_ok),
    Case("equilibria.bandits.BanditResult.summary", lambda **kw: _result().summary(**kw),
         lambda: {"level": 0.9}, check=_summary_ok),
]


# ------------------------------------------------------------------------------- engine, plots
def _simulate_ok(res, kw):
    _result_ok(res, horizon=kw["horizon"], n_runs=kw["n_runs"], n_arms=3, nonneg=True)


def _grid_ok(g, kw):
    assert g.dtype == np.int64 and g.ndim == 1
    assert g[0] == 1 and g[-1] == kw["horizon"] and np.all(np.diff(g) > 0), f"grid {g}"
    assert g.size <= kw["n_points"]


def _plot(fn):
    def call(**kw):
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig = fn([_result()], **kw)
        plt.close(fig)
        return fig
    return call


ENGINE_CASES = [
    Case("equilibria.bandits.simulate", B.simulate,
         lambda: {"env": _bern(), "policy": B.UCB1(), "horizon": 40, "n_runs": 3, "seed": 0,
                  "checkpoints": "auto", "n_chunks": 2, "progress": False},
         check=_simulate_ok, allow={"checkpoints": {"wrong_type"}}),  # an int: log-spaced points
    # the same name with an explicit checkpoint array (array corruptions of `checkpoints`)
    Case("equilibria.bandits.simulate", B.simulate,
         lambda: {"env": _bern(), "policy": B.UCB1(), "horizon": 40, "n_runs": 3, "seed": 0,
                  "checkpoints": np.array([1, 5, 20, 40]), "progress": False},
         check=_simulate_ok),
    Case("equilibria.bandits.checkpoint_grid", B.checkpoint_grid,
         lambda: {"horizon": 1000, "n_points": 20}, check=_grid_ok),
    Case("equilibria.bandits.plot_regret", _plot(B.plot_regret),
         lambda: {"level": 0.9, "title": "regret"},
         allow={"title": {"unknown_option"}}),  # any string is a title
    Case("equilibria.bandits.plot_pulls", _plot(B.plot_pulls), lambda: {"title": "pulls"},
         allow={"title": {"unknown_option"}}),
]


# ------------------------------------------------------------------------------- theorems
def _bound_ok(b, kw):
    assert isinstance(b, float) and math.isfinite(b) and b >= 0, f"bound {b}"


def _prob_bound_ok(b, kw):
    assert isinstance(b, float) and math.isfinite(b) and b >= 0, f"bound {b}"


def _size_ok(got, want, lo, hi):
    assert (got == want) if want is not None else lo <= got <= hi, f"size {got}"


def _stoch_ok(inst, kw):
    m = inst["means"]
    _size_ok(m.size, kw["K"], 2, kw["k_max"])
    assert m.ndim == 1 and np.all((m >= 0) & (m <= 1)), "means outside [0, 1]"
    _size_ok(inst["horizon"], kw["horizon"], 500, kw["n_max"])
    assert isinstance(inst["seed"], int)


def _informative_inst_ok(inst, kw):
    """MOSS / UCB1 samplers: means in [0, 1], K in range, a positive integer horizon at least
    the requested one (raised until the bound is informative)."""
    m = inst["means"]
    _size_ok(m.size, kw["K"], 2, kw["k_max"])
    assert m.ndim == 1 and np.all((m >= 0) & (m <= 1)), "means outside [0, 1]"
    h = inst["horizon"]
    assert isinstance(h, (int, np.integer)) and h >= 1
    if kw.get("horizon") is not None:
        assert h >= kw["horizon"], "horizon below the requested one"


def _adv_inst_ok(inst, kw):
    assert inst["kind"] in ("minimax", "switching", "random")
    _size_ok(inst["K"], kw["K"], 2, kw["k_max"])
    # the horizon may be raised above the request so the bound is informative
    assert inst["horizon"] >= (kw["horizon"] if kw.get("horizon") is not None else 300)
    assert 0 < inst["switch"] < 1


def _bai_inst_ok(inst, kw):
    m = inst["means"]
    _size_ok(m.size, kw["K"], 3, kw["k_max"])
    assert m.ndim == 1 and np.all((m >= 0) & (m <= 1)), "means outside [0, 1]"
    assert m[0] > m[1:].max(), "arm 0 is not the unique best arm"
    assert inst["excess"] > 0


def _rng():
    return np.random.default_rng(0)


THEOREM_CASES = [
    Case("equilibria.bandits.theorems.ucb1_bound", T.ucb1_bound,
         lambda: {"means": _MEANS.copy(), "n": 1000}, check=_bound_ok),
    Case("equilibria.bandits.theorems.exp3_bound", T.exp3_bound, lambda: {"n": 1000, "K": 4},
         check=_bound_ok),
    Case("equilibria.bandits.theorems.tsallis_bound", T.tsallis_bound,
         lambda: {"n": 1000, "K": 4}, check=_bound_ok),
    Case("equilibria.bandits.theorems.lai_robbins_constant", T.lai_robbins_constant,
         lambda: {"means": np.array([0.3, 0.5, 0.6, 0.7])}, check=_bound_ok),
    Case("equilibria.bandits.theorems.sequential_halving_bound", T.sequential_halving_bound,
         lambda: {"n": 1000, "K": 4, "H2": 50.0}, check=_prob_bound_ok,
         allow={"H2": {"inf"}}),  # H_2 = inf on ties (the environment's own value)
    Case("equilibria.bandits.theorems.successive_rejects_bound", T.successive_rejects_bound,
         lambda: {"n": 1000, "K": 4, "H2": 50.0}, check=_prob_bound_ok,
         allow={"H2": {"inf"}}),
    Case("equilibria.bandits.theorems.sample_stochastic", T.sample_stochastic,
         lambda: {"rng": _rng(), "k_max": 6, "n_max": 3000, "K": 3, "horizon": 800},
         check=_stoch_ok),
    Case("equilibria.bandits.theorems.sample_adversarial", T.sample_adversarial,
         lambda: {"rng": _rng(), "k_max": 8, "n_max": 3000, "K": 3, "horizon": 800},
         check=_adv_inst_ok),
    Case("equilibria.bandits.theorems.sample_bai", T.sample_bai,
         lambda: {"rng": _rng(), "k_max": 6, "K": 4}, check=_bai_inst_ok),
    Case("equilibria.bandits.theorems.sample_moss", T.sample_moss,
         lambda: {"rng": _rng(), "k_max": 4, "K": 3}, check=_informative_inst_ok),
    Case("equilibria.bandits.theorems.sample_ucb1", T.sample_ucb1,
         lambda: {"rng": _rng(), "k_max": 6, "K": 3, "horizon": 800},
         check=_informative_inst_ok),
]

CASES = [*ENV_CASES, *POLICY_CASES, *METHOD_CASES, *ENGINE_CASES, *THEOREM_CASES]

EXEMPT = {
    "equilibria.bandits.BanditResult": "result record built by simulate, not an input API "
                                       "(its methods band and summary have cases)",
}
