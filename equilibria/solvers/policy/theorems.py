"""Registered statements of the policy room (discovered by ``equilibria verify``).

Each theorem is declared by ``@theorem`` on its evaluate (or experiment) function, whose
docstring's first paragraph is the statement; ``sizes`` are the sampler's size keywords that
property tests (``tests/policy/test_theorems.py``) let hypothesis choose.
"""

from __future__ import annotations

import copy
import math

import numpy as np
from scipy import stats

from equilibria.theory import alignment as al
from equilibria.verification import BoundData, RateData, theorem
from equilibria.verification.user import check_algorithm, user_array

from ._common import summaries
from .constrained import (_constrained_optimum, constrained_rlhf, fixed_weight_grid,
                          threshold_search)
from .envs import composite_bandit, correlated_proxy_bandit, ensemble_proxy_bandit, random_mdp
from .gardo import _at_level, _gate, _rank_unc, gardo_vs_kl, kl_policy_at_proxy
from .goodhart import goodhart_curve
from .occupancy import chi2_occupancy_policy

YANG = "Yang et al. (2024), Asymptotics of Language Model Alignment"
LAIDLAW = "Laidlaw, Singhal, Dragan (2025), Correlated Proxies, ICLR"
GARDO = "GARDO (2025), Reinforcing Diffusion Models without Reward Hacking, Sec. 4"
GARDO_CODE = ("GARDO official code, github.com/tinnerhrhe/GARDO (commit 1cc77fb): "
              "scripts/train_sd3_grpo_gardo.py l. 219-238, 788-837, 954-989, 1042; "
              "flow_grpo/stat_tracking.py l. 101-135; config/gardo.py l. 100, 107")


#: the protocol of a user's KL-regularized (tilted) policy solver
TILT_PROTOCOL = ("algorithm(pi_ref, r, beta) -> pi: the user's maximizer of E_pi r - beta "
                 "KL(pi||pi_ref) over probability vectors, pi_ref and r of shape (K,), beta > 0, "
                 "pi of shape (K,), e.g. lambda p, r, b: "
                 "equilibria.theory.alignment.kl_regularized_policy(p, r, b).policy")
#: the protocol of a user's best-of-N distribution
BON_PROTOCOL = ("algorithm(pi_ref, r, n) -> pi_N: the user's exact best-of-N distribution over the "
                "outcomes (a probability vector; ties broken uniformly)")
#: the protocol of a user's softmax (entropy-regularized argmax) policy map
SOFTMAX_PROTOCOL = ("algorithm(r, tau) -> pi: the user's softmax policy softmax(r / tau), r of "
                    "shape (K,), tau > 0, pi a probability vector of shape (K,), e.g. "
                    "equilibria.theory.alignment.softmax_policy")


def _user_policy(algorithm, protocol, shape, *args):
    """A user's policy: ``algorithm(*args)`` validated as an array of ``shape``.

    Parameters
    ----------
    algorithm : callable
        The user's implementation (see ``protocol``).
    protocol : str
        The theorem's protocol string (quoted in a ``TypeError``).
    shape : tuple of int
        The prescribed shape of the policy.
    *args
        The arguments of the call.

    Returns
    -------
    ndarray or None
        The policy, or ``None`` when it is not a probability vector (non-finite or negative
        entries, or a sum off 1 by more than 1e-9): the evaluation judges that a violation.

    Raises
    ------
    TypeError
        When ``algorithm`` is not callable or returns a non-numeric value.
    ValueError
        When the returned array does not have ``shape``.
    """
    out = check_algorithm(algorithm, protocol)(*args)
    pi = user_array(out, tuple(shape), "the policy")
    if not np.all(np.isfinite(pi)) or pi.min() < 0 or abs(pi.sum() - 1.0) > 1e-9:
        return None
    return pi


def _user_path(algorithm, protocol, pi_ref, *args):
    """A user's policy path: ``algorithm(*args)`` validated as a (T, K) array, T >= 1.

    Parameters
    ----------
    algorithm : callable
        The user's implementation (see ``protocol``).
    protocol : str
        The theorem's protocol string (quoted in a ``TypeError``).
    pi_ref : ndarray, shape (K,)
        The reference policy, which the path's row 0 must be.
    *args
        The arguments of the call.

    Returns
    -------
    ndarray, shape (T, K), or None
        The path, or ``None`` when a row is not a probability vector (non-finite or negative
        entries, or a sum off 1 by more than 1e-9) or row 0 is off ``pi_ref`` by more than
        1e-9 in L1: the evaluation judges that a violation.

    Raises
    ------
    TypeError
        When ``algorithm`` is not callable or returns a non-numeric value.
    ValueError
        When the returned array is not of shape (T, K) with T >= 1.
    """
    out = check_algorithm(algorithm, protocol)(*args)
    try:
        shp = np.shape(out)
    except (TypeError, ValueError):  # ragged: user_array raises the TypeError
        shp = ()
    rows = shp[0] if len(shp) == 2 and shp[0] >= 1 else 1
    path = user_array(out, (rows, pi_ref.size), "the policy path (T, K), T >= 1,")
    if (not np.all(np.isfinite(path)) or path.min() < 0
            or np.max(np.abs(path.sum(axis=1) - 1.0)) > 1e-9
            or np.abs(path[0] - pi_ref).sum() > 1e-9):
        return None
    return path


def _user_softmax(algorithm, r, tau):
    """A user's softmax policy, certified: ``None`` unless it is a probability vector with
    log pi - r / tau constant to 1e-8 on its support (the stationarity of max E_pi r + tau
    H(pi)) and zeros only where exp((r - max r) / tau) underflows (< e^-700).

    Parameters
    ----------
    algorithm : callable
        The user's map through :data:`SOFTMAX_PROTOCOL`.
    r : ndarray, shape (K,)
        Rewards.
    tau : float
        Temperature.

    Returns
    -------
    ndarray or None
        The certified policy, or ``None`` (a violation).
    """
    pi = _user_policy(algorithm, SOFTMAX_PROTOCOL, r.shape, r.copy(), tau)
    if pi is None:
        return None
    z = (r - r.max()) / tau
    pos = pi > 0
    if np.any(~pos & (z > -700.0)):  # a zero only where exp underflows
        return None
    res = np.log(pi[pos]) - z[pos]
    return pi if float(np.ptp(res)) <= 1e-8 * max(1.0, float(np.abs(z[pos]).max())) else None


# -- shared samplers (also used by the property tests) ----------------------------------------
def sample_policy_reward(rng, k=None):
    """K in [2, 12] (or ``k``), a Dirichlet reference (sometimes with zeros), reward, beta, a
    policy."""
    k = int(rng.integers(2, 13)) if k is None else k
    ref = rng.dirichlet(np.full(k, rng.uniform(0.2, 3.0)))
    if k > 2 and rng.random() < 0.3:
        ref[rng.integers(k)] = 0.0
        ref /= ref.sum()
    r = rng.normal(scale=rng.uniform(0.1, 5.0), size=k)
    beta = float(10 ** rng.uniform(-2, 1))
    pi = rng.dirichlet(np.full(k, rng.uniform(0.1, 3.0))) * (ref > 0)
    pi /= pi.sum()
    return {"pi_ref": ref, "r": r, "beta": beta, "pi": pi}


@theorem(
    name="policy.kl_regularized_value",
    tightness="Attained with equality by the tilted policy pi_ref exp(r/beta)/Z (Gibbs variational "
              "principle) (tests/policy/test_i13_checks.py::"
              "test_regularized_value_and_frontier_attained_at_tilted_policy, ratio >= "
              "0.999999999)",
    source="Gibbs variational principle; Rafailov et al. (2023) eq. (4); " + YANG + ", Lemma 1",
    assumptions=("finite action set", "pi_ref a probability vector", "beta > 0",
                 "pi absolutely continuous w.r.t. pi_ref"),
    sample=sample_policy_reward, sizes={"k": (2, 12)}, n_instances=(50, 1000), rtol=1e-12,
    atol=1e-12, protocol=TILT_PROTOCOL,
)
def eval_regularized_value(inst, *, algorithm=None):
    """For every policy pi, E_pi r - beta KL(pi||pi_ref) <= beta log Z with Z = sum_a pi_ref(a)
    exp(r(a)/beta); equality iff pi = pi_ref exp(r/beta)/Z.

    ``algorithm``: a user's KL-regularized solver through :data:`TILT_PROTOCOL`; the check is
    then that its policy attains the maximum, beta log Z <= E_pi r - beta KL(pi||pi_ref) with the
    objective recomputed from the returned pi (an invalid pi is a violation).
    """
    s = al.kl_regularized_policy(inst["pi_ref"], inst["r"], inst["beta"])
    if algorithm is not None:
        pu = _user_policy(algorithm, TILT_PROTOCOL, inst["pi_ref"].shape, inst["pi_ref"].copy(),
                          inst["r"].copy(), inst["beta"])
        ok = pu is not None and not np.any((pu > 0) & (inst["pi_ref"] == 0))
        val_u = (float(pu @ inst["r"]) - inst["beta"] * al.kl_divergence(pu, inst["pi_ref"])
                 if ok and pu is not None else -np.inf)
        return s.value, val_u, float(inst["r"][inst["pi_ref"] > 0].max())
    val = inst["pi"] @ inst["r"] - inst["beta"] * al.kl_divergence(inst["pi"], inst["pi_ref"])
    # trivial maximum: E_pi r - beta KL <= max r over the support of pi_ref
    return val, s.value, float(inst["r"][inst["pi_ref"] > 0].max())


def sample_bon(rng, k=None, n=None):
    """Integer-valued rewards (ties are frequent) on K in [2, 15] outcomes (or ``k``), N in
    [1, 200] (or ``n``)."""
    k = int(rng.integers(2, 16)) if k is None else k
    ref = rng.dirichlet(np.full(k, rng.uniform(0.3, 3.0)))
    r = rng.integers(0, max(2, k // 2), size=k).astype(float)
    return {"pi_ref": ref, "r": r, "n": int(rng.integers(1, 201)) if n is None else n}


@theorem(
    name="policy.best_of_n_kl_bound",
    tightness="A uniform reference over K = 64 N distinct rewards (the continuous limit; "
              "policy.best_of_n_kl_tight_in_limit fits the K^-2 decay of the gap) "
              "(tests/policy/test_i13_checks.py::test_best_of_n_bound_formula_and_near_tightness, "
              "ratio >= 0.99)",
    source=YANG + ", Sec. 3; Beirami et al. (2024), Theoretical guarantees on the best-of-n "
                  "alignment policy, Thm 1",
    assumptions=("finite outcome set", "pi_ref a probability vector", "N >= 1",
                 "rewards with ties allowed"),
    sample=sample_bon, sizes={"k": (2, 15), "n": (1, 200)}, n_instances=(50, 1000),
    rtol=1e-10, atol=1e-12,
    protocol=BON_PROTOCOL,
)
def eval_bon_kl(inst, algorithm=None):
    """Exact KL(pi_N||pi_ref) of best-of-N over a finite set (ties broken uniformly) is at most
    log N - (N-1)/N.
    """
    b = al.best_of_n(inst["pi_ref"], inst["r"], inst["n"])
    if algorithm is not None:
        pn = np.asarray(algorithm(inst["pi_ref"].copy(), inst["r"].copy(), inst["n"]),
                        dtype=float)
        ok = pn.shape == inst["pi_ref"].shape and abs(pn.sum() - 1.0) <= 1e-9 and pn.min() >= 0
        kl = al.kl_divergence(pn, inst["pi_ref"]) if ok else np.inf
        return kl, b.kl_bound, math.log(inst["n"])
    # trivial maximum log N (pi_N <= N pi_ref pointwise); tightness: policy.best_of_n_kl_tight_
    # in_limit (uniform reference over K >> N distinct rewards, ratio -> 1)
    return b.kl, b.kl_bound, math.log(inst["n"])


@theorem(
    name="policy.best_of_n_kl_tight_in_limit",
    source=YANG + ", Sec. 3 (continuous limit); this package (finite-support correction)",
    assumptions=("uniform reference over K distinct reward values", "2 <= N <= 64",
                 "K = 8N, 16N, ..."),
    kind="rate", band=(-2.1, -1.9), protocol=BON_PROTOCOL,
)
def _bon_tightness(rng, quick, *, algorithm=None):
    """For pi_ref uniform over K distinct rewards, log N-(N-1)/N - KL(pi_N||pi_ref) > 0 and
    decays like K^-2 (K >= 8N): the bound is attained only in the continuous limit.

    ``algorithm``: a user's best-of-N distribution through :data:`BON_PROTOCOL`; the KL is
    recomputed from its returned pi_N (an invalid pi_N gives a NaN gap, failing the fit).
    """
    n = int(rng.integers(2, 65))
    sizes = 8 * n * 2 ** np.arange(5 if quick else 8)  # K >= 8 N: the asymptotic regime
    gaps = []
    for k in sizes:
        ref, rew = np.full(k, 1.0 / k), np.arange(k, dtype=float)
        b = al.best_of_n(ref, rew, n)
        if algorithm is None:
            gaps.append(b.kl_bound - b.kl)
            continue
        pn = _user_policy(algorithm, BON_PROTOCOL, ref.shape, ref.copy(), rew.copy(), n)
        gaps.append(b.kl_bound - al.kl_divergence(pn, ref) if pn is not None else np.nan)
    return RateData(sizes, np.asarray(gaps), kind="power",
                    detail=f"N={n}; gap of log N-(N-1)/N over the exact KL, uniform over K "
                           f"distinct rewards; gap at K={sizes[-1]}: {gaps[-1]:.2e}")


#: the protocol of a user's unregularized proxy ascent, returning its policy path
GOODHART_PROTOCOL = ("algorithm(pi_ref, r_proxy, lr, n_steps) -> policies: the (n_steps + 1, K) "
                     "path of the user's exact unregularized mirror ascent (natural policy "
                     "gradient) on r_proxy from pi_ref, row t the policy after t steps (row 0 = "
                     "pi_ref), pi_ref and r_proxy of shape (K,), lr = 0.005, n_steps = 2000; "
                     "e.g. z = log pi_ref, then n_steps times z <- z + lr (r_proxy - pi . "
                     "r_proxy), pi = softmax(z) (what equilibria.solvers.policy.goodhart_curve "
                     "runs through policy_gradient(update='mirror'))")


def _goodhart_user(env, algorithm, lr=0.005, n_steps=2000):
    """Rise, fall and largest proxy decrease of a user's path through
    :data:`GOODHART_PROTOCOL`, recomputed from its policies (every step); NaN for an invalid
    path (a violation).

    Parameters
    ----------
    env : ProxyBandit
        The environment (``pi_ref``, ``r_proxy``, ``r_true``).
    algorithm : callable
        The user's ascent through :data:`GOODHART_PROTOCOL`.
    lr : float
        Step size passed to ``algorithm``.
    n_steps : int
        Number of steps passed to ``algorithm``; the path must have ``n_steps + 1`` rows.

    Returns
    -------
    rise, fall, decrease : float
        max_t E_t r_true - E_0 r_true, max_t E_t r_true - E_T r_true and
        max(0, -min_t (E_{t+1} r_proxy - E_t r_proxy)).
    """
    path = _user_path(algorithm, GOODHART_PROTOCOL, env.pi_ref, env.pi_ref.copy(),
                      env.r_proxy.copy(), lr, n_steps)
    if path is not None and path.shape[0] != n_steps + 1:
        raise ValueError(f"`algorithm` must return the policy path of shape ({n_steps + 1}, "
                         f"{env.pi_ref.size}), got shape {path.shape}")
    if path is None:
        return math.nan, math.nan, math.nan
    true, proxy = path @ env.r_true, path @ env.r_proxy
    return (float(true.max() - true[0]), float(true.max() - true[-1]),
            float(max(0.0, -np.min(np.diff(proxy)))))


@theorem(
    name="policy.goodhart_curve",
    source=LAIDLAW + ", Def. 3.1 and Sec. 4 (reward hacking as correlation breakdown)",
    assumptions=("default correlated_proxy_bandit (seed 0; seeds 0-3 in full mode)",
                 "exact mirror ascent, step 0.005, 2000 steps, no regularization"),
    tightness="an empirical claim about fixed environments with stated margins, not a bound "
              "with constants: no extremal instance family exists to attain; the ratio reports "
              "required margin over achieved (ratio forms documented in the experiment)",
    protocol=GOODHART_PROTOCOL,
)
def _goodhart(rng, quick, *, algorithm=None):
    """In the default correlated-proxy environment (proxy-true correlation ~0.95 under pi_ref,
    hacks outside the reference's support) unregularized mirror ascent on the proxy raises the
    proxy monotonically while the true reward first rises by >= 0.5 and then falls by >= 0.5
    from its peak (the overoptimization point).

    ``algorithm``: a user's ascent through :data:`GOODHART_PROTOCOL`; the proxy and true
    reward curves are recomputed from the returned policies (at every step, where the default
    run records every 5th).
    """
    seeds = [0] if quick else [0, 1, 2, 3]
    meas, bnd, det = [], [], []
    for s in seeds:
        if algorithm is not None:
            env = correlated_proxy_bandit(seed=s)
            rise, fall, dec = _goodhart_user(env, algorithm)
            meas += [0.5, 0.5, dec]
            bnd += [rise, fall, 1e-10]
            det.append(f"seed {s} (user's path): true reward rise {rise:.4g}, fall {fall:.4g}, "
                       f"largest proxy decrease {dec:.3g}")
            continue
        c = goodhart_curve(correlated_proxy_bandit(seed=s))
        # rise >= 0.5, fall >= 0.5 below the peak, proxy monotone (<= 1e-10 decrease)
        # ratio form: required / achieved (<= 1 iff the rise and the fall are >= 0.5)
        meas += [0.5, 0.5, float(max(0.0, -np.min(np.diff(c.proxy))))]
        bnd += [c.peak_true - c.true[0], c.peak_true - c.final_true, 1e-10]
        det.append(c.summary())
    return BoundData(meas, bnd, detail=" | ".join(det))


def sample_mdp_policies(rng, s=None, a=None):
    """Tabular MDP (S in [1, 5], A in [2, 4] unless given), reference and evaluated policies,
    true reward and a proxy correlated with it, sometimes a correlation level ``r_frac``."""
    s = int(rng.integers(1, 6)) if s is None else s
    a = int(rng.integers(2, 5)) if a is None else a
    mdp = random_mdp(s, a, gamma=float(rng.uniform(0.0, 0.95)), seed=int(rng.integers(2**31)))
    ref = rng.dirichlet(np.ones(a), size=s)
    pi = rng.dirichlet(np.full(a, rng.uniform(0.1, 2.0)), size=s)
    R = rng.normal(size=(s, a))
    corr = rng.uniform(-0.5, 3.0)
    Rt = corr * R + rng.normal(scale=rng.uniform(0.1, 2.0), size=(s, a))
    return {"mdp": mdp, "pi_ref": ref, "pi": pi, "r_true": R, "r_proxy": Rt,
            "r_frac": float(rng.uniform()) if rng.random() < 0.5 else None}


@theorem(
    name="policy.correlated_proxy_bound",
    tightness="Cauchy-Schwarz equality: one state, gamma = 0, true reward sigma_R (r u - sqrt(1 - "
              "r^2) w) with u the standardized proxy and w a standardized direction orthogonal to "
              "u under mu_ref, and pi = pi_ref (1 + c w); the bound equals the change in true "
              "return for every r in (0, 1) (tests/verification/test_tightness_recorded.py::"
              "test_correlated_proxy_bound_attained_by_cauchy_schwarz_equality, ratio >= "
              "0.999999); a proxy affine in the true reward attains it with r = 1 "
              "(tests/policy/test_theory.py::test_correlated_proxy_bound_tight_for_linear_proxy, "
              "ratio >= 1)",
    source=LAIDLAW + ", Thm 5.1 (statement not retrievable here; form derived by "
                     "Cauchy-Schwarz and sharp, see theory.alignment.correlated_proxy_bound)",
    assumptions=("tabular MDP, S in [1,5], A in [2,4], gamma in [0, 0.95)",
                 "any policy pi", "r = the correlation rho under mu_ref (any sign), or any level "
                 "r in [0, rho] when rho > 0 (Def. 3.1: correlation at least r)"),
    sample=sample_mdp_policies, sizes={"s": (1, 5), "a": (2, 4)}, n_instances=(50, 1000),
    rtol=1e-9, atol=1e-10,
    no_algorithm="an inequality holding for every policy of a tabular MDP, evaluated on drawn "
                 "policies through exact occupancy measures: there is no solver to implement",
)
def eval_laidlaw(inst):
    """J(pi,R)-J(pi_ref,R) >= (sigma_R/sigma_R~)[r (J(pi,R~)-J(pi_ref,R~)) - sigma_R~ sqrt(1-r^2)
    sqrt(chi2(mu_pi||mu_ref))], with r, sigma under mu_ref and J the normalized discounted
    return (constants sharp: equality attainable).

    ``(bound, delta_true)``; with ``r_frac`` set and a positive correlation rho the bound is
    taken at the level r = r_frac * rho (an r-correlated proxy: correlation at least r)."""
    mdp = inst["mdp"]
    mu = al.occupancy_measure(mdp.P, inst["pi"], mdp.rho0, mdp.gamma)
    mu_ref = al.occupancy_measure(mdp.P, inst["pi_ref"], mdp.rho0, mdp.gamma)
    args = (mu, mu_ref, inst["r_true"], inst["r_proxy"])
    d_true, bound, rho = al.correlated_proxy_bound(*args)
    if inst.get("r_frac") is not None and rho > 0:
        d_true, bound, _ = al.correlated_proxy_bound(*args, r=inst["r_frac"] * rho)
    return bound, d_true  # bound <= change in true return (sharp: see the docstring)


#: the protocol of a user's chi^2-occupancy solver (``check("policy.chi2_...", algorithm=f)``)
CHI2_PROTOCOL = ("algorithm(mdp, r, pi_ref, lam, *, form) -> mu: the (S, A) normalized "
                 "occupancy measure of the maximizer of <mu, r> - lam Phi(chi2(mu || mu_ref)) over "
                 "the occupancy polytope of the TabularMDP mdp (mu_ref the occupancy of pi_ref, "
                 "chi2 = sum (mu - mu_ref)^2 / mu_ref; Phi = sqrt for form='sqrt', Laidlaw et al. "
                 "Sec. 5, the identity for form='square'); the package's: "
                 "chi2_occupancy_policy(mdp, r, pi_ref, lam, form=form).occupancy.  A user's mu "
                 "counts only if it is feasible (l1 flow residual and negative mass <= 1e-6) and "
                 "optimal (objective within 1e-6 (1 + |F*|) of the package's cvxpy optimum F*)")
_CHI2_TOL = 1e-6  # allowance on a user's solution (feasibility and objective gap)


def _chi2_objective(mu, mu_ref, r, lam, form):
    """<mu, r> - lam Phi(chi2(mu || mu_ref)), Phi = sqrt or the identity (``form``)."""
    c2 = float(np.sum((mu - mu_ref) ** 2 / mu_ref))
    return float((mu * r).sum()) - lam * (math.sqrt(c2) if form == "sqrt" else c2)


def _user_chi2_occupancy(algorithm, mdp, r, ref, lam, form, reference):
    """A user's occupancy through :data:`CHI2_PROTOCOL`, or ``None`` when it is not a finite
    (S, A) point of the occupancy polytope (l1 flow residual plus negative mass above
    ``_CHI2_TOL``) or not optimal: objective below the package's cvxpy optimum ``reference``
    (an OccupancyResult of the same problem) by more than ``_CHI2_TOL (1 + |F*|)``."""
    mu = np.asarray(algorithm(mdp, r, ref, lam, form=form), dtype=float)
    if mu.shape != r.shape or not np.all(np.isfinite(mu)):
        return None
    inflow = (1 - mdp.gamma) * mdp.rho0 + mdp.gamma * np.einsum("sa,sat->t", mu, mdp.P)
    if np.abs(mu.sum(axis=1) - inflow).sum() + np.clip(-mu, 0.0, None).sum() > _CHI2_TOL:
        return None
    mu = np.clip(mu, 0.0, None)
    mu_ref = al.occupancy_measure(mdp.P, ref, mdp.rho0, mdp.gamma)
    best = _chi2_objective(reference.occupancy, mu_ref, r, lam, form)
    if best - _chi2_objective(mu, mu_ref, r, lam, form) > _CHI2_TOL * (1 + abs(best)):
        return None
    return mu


def _chi2_solve(mdp, r, ref, lam, form, algorithm):
    """Occupancy of the chi^2-regularized optimum: the package's (cvxpy), or a user's through
    :data:`CHI2_PROTOCOL` (``None`` when it fails the feasibility / optimality allowance)."""
    res = chi2_occupancy_policy(mdp, r, ref, lam, form=form)
    if algorithm is None:
        return res.occupancy
    return _user_chi2_occupancy(algorithm, mdp, r, ref, lam, form, res)


@theorem(
    name="policy.chi2_regularization_no_drop",
    source=LAIDLAW + ", Thm 5.1 and Sec. 5 (the regularized objective)",
    assumptions=("tabular MDP", "proxy positively correlated (r > 0.05) under mu_ref",
                 "reference with full support"),
    tightness="a sign claim (no drop of true return): the optimum usually gains true return, "
              "and equality needs a proxy exactly r-correlated in the worst direction; the "
              "margin ratio 1 - gain / sigma_R is reported",
    rtol=0.0, atol=1e-6, protocol=CHI2_PROTOCOL,
)
def _chi2_no_drop(rng, quick, *, algorithm=None):
    """Maximizing J(pi,R~) - lambda sqrt(chi2(mu_pi||mu_ref)) with lambda = sigma_R~ sqrt(1-r^2)/r
    (r > 0) never lowers the true return: J(pi*,R) >= J(pi_ref,R).

    ``algorithm``: a user's solver through :data:`CHI2_PROTOCOL` (``form="sqrt"``) in place of
    cvxpy; an instance where its occupancy is infeasible or not the optimum counts as a failure
    (measured ``inf``).  Authors' code: ORPO's ``"sqrt_chi2"`` reward
    ``-lam (e^d - 1) / sqrt(chi2_hat)`` (orpo.py l. 817, 836, 957-959) is the policy gradient
    of this objective with the same ``lam``, and its README scales ``lam`` by "the standard
    deviation of the rewards from the base policy" (sigma_R~ under mu_ref here); r is the
    per-step correlation of true and proxy rewards along the reference's rollouts
    (reward_hacking_callbacks.py l. 53-55, ``np.corrcoef(timestep_true_reward,
    timestep_proxy_reward)[0, 1]``; the correlation under mu_ref here).  The code sweeps
    scale-free multipliers of sigma (1 to 0.01) and never forms sqrt(1-r^2)/r, so it neither
    confirms nor refutes the 1/r in lambda (derived here by Cauchy-Schwarz, sharp).
    """
    meas, bnd, moved = [], [], 0
    for _ in range(4 if quick else 25):
        inst = sample_mdp_policies(rng)
        mdp, ref = inst["mdp"], inst["pi_ref"]
        R = inst["r_true"]
        Rt = abs(rng.uniform(0.5, 2.0)) * R + rng.normal(scale=0.7, size=R.shape)
        mu_ref = al.occupancy_measure(mdp.P, ref, mdp.rho0, mdp.gamma)
        _, _, rho = al.correlated_proxy_bound(mu_ref, mu_ref, R, Rt)
        if rho <= 0.05:
            continue
        m = float((mu_ref * Rt).sum())
        s_t = math.sqrt(float((mu_ref * (Rt - m) ** 2).sum()))
        lam = s_t * math.sqrt(1 - rho * rho) / rho
        mu = _chi2_solve(mdp, Rt, ref, lam, "sqrt", algorithm)
        # margin form, scale sigma_R under mu_ref: 1 - d_true / sigma_R against 1
        m_r = float((mu_ref * R).sum())
        s_r = math.sqrt(float((mu_ref * (R - m_r) ** 2).sum())) or 1.0
        bnd.append(s_r)
        if mu is None:  # a user's occupancy that is infeasible or not the optimum
            meas.append(math.inf)
            continue
        moved += float(np.sum((mu - mu_ref) ** 2 / mu_ref)) > 1e-6
        meas.append(s_r - float(((mu - mu_ref) * R).sum()))
    return BoundData(meas, bnd, detail="drop of true return at the sqrt-chi2 OM-regularized "
                                       "optimum with lambda = sigma_R~ sqrt(1-r^2)/r (cvxpy); "
                                       f"optimum left the reference in {moved}/{len(meas)}, "
                                       "margin form sigma_R - gain against sigma_R")


def sample_occupancy_problem(rng, s=None, a=None):
    """Random MDP (S in [1,5], A in [2,4] unless given, gamma in [0,0.9)), Dirichlet reference,
    Gaussian proxy, lambda in [0.1, 10]."""
    s = int(rng.integers(1, 6)) if s is None else s
    a = int(rng.integers(2, 5)) if a is None else a
    mdp = random_mdp(s, a, gamma=float(rng.uniform(0.0, 0.9)), seed=int(rng.integers(2**31)),
                     concentration=float(rng.uniform(0.3, 2.0)))
    return {"mdp": mdp, "pi_ref": rng.dirichlet(np.full(a, rng.uniform(0.5, 3.0)), size=s),
            "r": rng.normal(scale=rng.uniform(0.3, 2.0), size=(s, a)),
            "lam": float(10 ** rng.uniform(-1.0, 1.0))}


@theorem(
    name="policy.chi2_occupancy_ascent",
    source="Zhang et al. (2020), Variational policy gradient for general utilities (gradient "
           "through the occupancy measure); Lan (2022), policy mirror descent; objective of "
           + LAIDLAW + ", Sec. 5 (penalized form)",
    assumptions=("tabular MDP, S in [1,5], A in [2,4], gamma in [0, 0.9)",
                 "reference with full-support occupancy", "lam in [0.1, 10]"),
    sample=sample_occupancy_problem, sizes={"s": (1, 5), "a": (2, 4)}, n_instances=(2, 100),
    examples=5, protocol=CHI2_PROTOCOL,
    tightness="agreement of two solvers (ascent and cvxpy) to an allowance: the measured gap is "
              "their accuracy, no instance family approaches 1e-6",
)
def eval_occupancy_ascent(inst, *, algorithm=None):
    """Policy mirror ascent with the shaped reward r - 2 lam (mu - mu_ref)/mu_ref stops with
    Frank-Wolfe gap <= 1e-7 (so within 1e-7 of the optimum, F concave in mu) and its value is at
    least the cvxpy optimum of <mu,r> - lam chi2(mu||mu_ref) minus 1e-6 (the conic solver's
    accuracy).

    ``algorithm``: a user's solver through :data:`CHI2_PROTOCOL` (``form="square"``) in place of
    the ascent: its occupancy must be feasible (else measured ``inf``) and its objective within
    1e-6 of the cvxpy optimum.  The shaped reward is ORPO's ``"chi2"`` reward
    ``-c (e^d - 1)`` with ``c = 2 lam`` (orpo.py l. 817, 957-959): ORPO's coefficient ``c``
    is this objective's ``lam = c / 2``.
    """
    args = (inst["mdp"], inst["r"], inst["pi_ref"], inst["lam"])
    ref = chi2_occupancy_policy(*args, form="square")
    if algorithm is not None:
        mdp, r, pi_ref, lam = args
        mu = np.asarray(algorithm(*args, form="square"), dtype=float)
        if mu.shape != r.shape or not np.all(np.isfinite(mu)):
            return math.inf, 1e-6
        inflow = (1 - mdp.gamma) * mdp.rho0 + mdp.gamma * np.einsum("sa,sat->t", mu, mdp.P)
        if np.abs(mu.sum(axis=1) - inflow).sum() + np.clip(-mu, 0.0, None).sum() > _CHI2_TOL:
            return math.inf, 1e-6
        mu_ref = al.occupancy_measure(mdp.P, pi_ref, mdp.rho0, mdp.gamma)
        return ref.objective - _chi2_objective(np.clip(mu, 0.0, None), mu_ref, r, lam,
                                               "square"), 1e-6
    res = chi2_occupancy_policy(*args, form="square", method="ascent", update="mirror",
                                max_iter=5000)
    # unconverged ascent counts as a failure (measured 1 > bound)
    return ref.objective - res.objective + (0.0 if res.success else 1.0), 1e-6


#: the protocol of a user's constrained-RLHF solver
CONSTRAINED_PROTOCOL = ("algorithm(env, thresholds, beta) -> pi: the user's constrained-RLHF "
                        "policy, a probability vector of shape (K,) maximizing sum_i E_pi r_i - "
                        "beta KL(pi||env.pi_ref) subject to E_pi r_i <= thresholds_i, env a "
                        "CompositeBandit (env.pi_ref (K,), components env.components (K, m)), "
                        "thresholds of shape (m,) (the package's Nelder-Mead proxy points), beta "
                        "= 0.1; e.g. lambda env, th, b: "
                        "equilibria.solvers.policy.constrained_rlhf(env, th, beta=b).policy")


def _constrained_user(env, theta, algorithm, beta=0.1, lambda_max=2.0):
    """Violation, true reward and optimality gap of a user's constrained-RLHF policy through
    :data:`CONSTRAINED_PROTOCOL`, all recomputed from the policy.

    Parameters
    ----------
    env : CompositeBandit
        The environment.
    theta : ndarray, shape (m,)
        The thresholds.
    algorithm : callable
        The user's solver.
    beta : float
        KL weight.
    lambda_max : float
        Multiplier cap of the package's exact dual solution used as the reference optimum.

    Returns
    -------
    violation, true_reward, gap : float
        max_i (E_pi r_i - theta_i)_+, E_pi r_true and L(pi*) - L(pi), with L(pi) = sum_i E_pi
        r_i - beta KL(pi||pi_ref) and pi* the package's exact dual solution
        (:func:`~.constrained.constrained_optimum`); NaN for an invalid policy.
    """
    p = env.pi_ref
    pi = _user_policy(algorithm, CONSTRAINED_PROTOCOL, p.shape, copy.deepcopy(env), theta.copy(),
                      beta)
    if pi is None or np.any((pi > 0) & (p <= 0)):  # off the reference's support: KL infinite
        return math.nan, math.nan, math.nan

    def lagr(q):
        m = q > 0
        return float((q @ env.components).sum() - beta * np.sum(q[m] * np.log(q[m] / p[m])))

    opt, _ = _constrained_optimum(env, theta, beta, lambda_max)
    viol = float(np.max(np.maximum(pi @ env.components - theta, 0.0)))
    return viol, float(pi @ env.r_true), lagr(opt) - lagr(pi)


@theorem(
    name="policy.constrained_rlhf",
    source="Moskovitz et al. (2024), Confronting Reward Model Overoptimization with "
           "Constrained RLHF, ICLR, Sec. 4-5",
    assumptions=("default composite_bandit (2 components, correlation 0.3)", "beta = 0.1",
                 "lambda_max = 2"),
    tightness="an empirical claim about fixed environments with stated margins, not a bound "
              "with constants: no extremal instance family exists to attain; the ratio reports "
              "required margin over achieved (ratio forms documented in the experiment)",
    protocol=CONSTRAINED_PROTOCOL,
)
def _constrained(rng, quick, *, algorithm=None):
    """In the default composite environment, primal-dual Constrained RLHF with Nelder-Mead
    thresholds converges (KKT to 1e-6) with every component at or below its threshold, and its
    true reward beats the best convex fixed-weight combination (grid of 101, same beta) by >=
    0.02.

    ``algorithm``: a user's solver through :data:`CONSTRAINED_PROTOCOL`, called with the
    package's thresholds; the violation and the true reward are recomputed from its policy,
    and convergence is certified by the objective gap to the exact dual solution
    (:func:`~.constrained.constrained_optimum`): at most 1e-6.
    """
    env = composite_bandit()
    theta, _, _ = threshold_search(env)
    if algorithm is not None:
        _, grid_true, _, _ = fixed_weight_grid(env)
        viol, true, gap = _constrained_user(env, theta, algorithm)
        # ratio forms as below; the failure count is "gap > 1e-6" (NaN: a violation)
        return BoundData([viol, grid_true + 0.02, float(not gap <= 1e-6)], [1e-6, true, 0.5],
                         detail=f"thresholds {np.round(theta, 4)} (Nelder-Mead), user's "
                                f"policy: violation {viol:.3g}, true reward {true:.4f} vs best "
                                f"convex fixed weights {grid_true:.4f}, objective gap to the "
                                f"exact dual solution {gap:.3g}")
    run = constrained_rlhf(env, theta)
    _, grid_true, _, _ = fixed_weight_grid(env)
    # ratio forms: violation / 1e-6; (best fixed-weight reward + 0.02) / constrained reward;
    # failure count against 0.5 (any failure fails)
    return BoundData([run.max_violation, grid_true + 0.02, float(not run.success)],
                     [1e-6, run.true_reward, 0.5],
                     detail=f"thresholds {np.round(theta, 4)} (Nelder-Mead), constrained true "
                            f"reward {run.true_reward:.4f} vs best convex fixed weights "
                            f"{grid_true:.4f}; multipliers {np.round(run.multipliers, 4)}")


def _paired_ci(d):
    """Mean and 95% t-interval of the finite paired differences ``d`` (NaN with fewer than
    two)."""
    d = d[np.isfinite(d)]
    if d.size < 2:  # (a user's runs that reach the level on < 2 seeds: judged a violation)
        return math.nan, math.nan, math.nan, d.size
    half = float(stats.t.ppf(0.975, d.size - 1) * d.std(ddof=1) / math.sqrt(d.size))
    return float(d.mean()), float(d.mean()) - half, float(d.mean()) + half, d.size


#: the protocol of a user's GARDO run returning its policy path
GARDO_PATH_PROTOCOL = ("algorithm(env, seed) -> policies: the (T, K) policy path of the user's "
                       "GARDO run on one environment (env an ensemble_proxy_bandit, seed = env "
                       "seed + 1 for its sampling), row t the policy after t steps (row 0 = "
                       "env.pi_ref; the path may end once its proxy reward reaches 1.5); proxy "
                       "reward, true reward and entropy are recomputed from the rows; e.g. row "
                       "t = equilibria.solvers.policy.gardo(env, max_iter=t, ...).policy at the "
                       "theorem's settings (a seeded run of t steps is a prefix of a longer one)")


def _gardo_vs_kl_user(seeds, algorithm, level=1.5):
    """:func:`~.gardo.gardo_vs_kl` with a user's GARDO path through
    :data:`GARDO_PATH_PROTOCOL`: proxy reward, true reward and entropy recomputed from its
    policies, read (interpolated) where the proxy first reaches ``level``.

    Parameters
    ----------
    seeds : ndarray of int
        Environment seeds.
    algorithm : callable
        The user's GARDO run.
    level : float
        Proxy reward of the comparison.

    Returns
    -------
    dict of ndarray
        ``true_gardo, true_kl, entropy_gardo, entropy_kl`` per seed (NaN where the path never
        reaches ``level`` or is invalid) and ``invalid``, the number of invalid paths.
    """
    from equilibria.theory.alignment import entropy

    rows, invalid = [], 0
    for s in seeds:
        env = ensemble_proxy_bandit(seed=int(s))
        path = _user_path(algorithm, GARDO_PATH_PROTOCOL, env.pi_ref,
                          ensemble_proxy_bandit(seed=int(s)), int(s) + 1)
        k = kl_policy_at_proxy(env, level).policy
        if path is None:
            invalid += 1
            tg = eg = math.nan
        else:
            hs = [summaries(q, env.pi_ref, {"proxy": env.r_proxy, "true": env.r_true})
                  for q in path]
            h = {key: np.asarray([x[key] for x in hs]) for key in ("proxy", "true", "entropy")}
            tg, eg = _at_level(h, level, "true"), _at_level(h, level, "entropy")
        rows.append((tg, float(k @ env.r_true), eg, entropy(k)))
    keys = ("true_gardo", "true_kl", "entropy_gardo", "entropy_kl")
    out = {key: np.asarray([row[j] for row in rows], dtype=float) for j, key in enumerate(keys)}
    out["invalid"] = np.asarray(float(invalid))
    return out


@theorem(
    name="policy.gardo_beats_uniform_kl",
    source=GARDO,
    assumptions=("ensemble_proxy_bandit with random seeds", "exact mirror ascent, step 0.02",
                 "gardo(variant='reconstruction'): std-of-ensemble gate, policy-weighted "
                 "quantiles, expected-distance diversity (guessed from the abstract)"),
    tightness="an empirical claim about fixed environments with stated margins, not a bound "
              "with constants: no extremal instance family exists to attain; the ratio reports "
              "required margin over achieved (ratio forms documented in the experiment)",
    protocol=GARDO_PATH_PROTOCOL,
)
def _gardo(rng, quick, *, algorithm=None):
    """At equal proxy reward (1.5) in the default ensemble environment, reconstructed GARDO
    (``variant="reconstruction"``, exact; gated KL beta=3 on
    the top-20% uncertain mass, reference reset every 40 steps, diversity amplification 5) has
    higher true reward and higher policy entropy than uniform KL at that proxy level (the
    least-KL tilted policy, which every uniform-KL path passes): the 95% t-interval of each
    paired difference over environment seeds lies above 0.

    ``algorithm``: a user's GARDO run through :data:`GARDO_PATH_PROTOCOL` (its true reward and
    entropy recomputed from its policies); a further row counts its invalid paths (a row not
    a probability vector, or row 0 not pi_ref) against 0.5, and a path that never reaches the
    proxy level drops out of the comparison as in the default run.
    """
    n = 12 if quick else 60
    seeds = rng.integers(0, 2**31, size=n)
    r = (gardo_vs_kl(seeds, progress=False) if algorithm is None
         else _gardo_vs_kl_user(seeds, algorithm))
    out_m, det = [], []
    out_b = []
    for key in ("true", "entropy"):
        mean, lo, _, size = _paired_ci(r[f"{key}_gardo"] - r[f"{key}_kl"])
        out_m.append(mean - 2.0 * lo)  # margin form, scale = the CI half-width mean - lo
        out_b.append(mean - lo)
        det.append(f"{key}: mean diff {mean:.3f}, 95% CI lower {lo:.3f} (n={size})")
    if algorithm is not None:
        out_m.append(float(r["invalid"]))
        out_b.append(0.5)
        det.append(f"invalid paths: {int(r['invalid'])}")
    return BoundData(out_m, out_b, detail="; ".join(det))


@theorem(
    name="policy.gardo_sampled_true_reward",
    source=GARDO + " (sampled, per-sample gated KL as in the paper)",
    assumptions=("ensemble_proxy_bandit with random seeds", "sampling seed = env seed + 1",
                 "gardo(variant='reconstruction', oracle='sampled')"),
    tightness="an empirical claim about fixed environments with stated margins, not a bound "
              "with constants: no extremal instance family exists to attain; the ratio reports "
              "required margin over achieved (ratio forms documented in the experiment)",
    protocol=GARDO_PATH_PROTOCOL,
)
def _gardo_sampled(rng, quick, *, algorithm=None):
    """Sampled reconstructed GARDO (``variant="reconstruction"``; batch 64 per step, softmax PG
    step lr 1, 100 steps, seeded) reaches proxy
    reward 1.5 on every environment seed, and there its true reward exceeds the uniform-KL
    policy's at the same proxy reward: the 95% t-interval of the paired difference lies above
    0.  (The entropy half of the exact-dynamics claim does not carry over: sampled GARDO's
    entropy is lower; see detail.)

    ``algorithm``: a user's sampled GARDO run through :data:`GARDO_PATH_PROTOCOL` (its true
    reward recomputed from its policies; an invalid path counts as a seed that misses 1.5).
    """
    seeds = rng.integers(0, 2**31, size=10 if quick else 60)
    r = (gardo_vs_kl(seeds, oracle="sampled", lr=1.0, max_iter=100, progress=False)
         if algorithm is None else _gardo_vs_kl_user(seeds, algorithm))
    m_t, lo_t, _, n_t = _paired_ci(r["true_gardo"] - r["true_kl"])
    m_e, lo_e, hi_e, _ = _paired_ci(r["entropy_gardo"] - r["entropy_kl"])
    reached = int(np.isfinite(r["true_gardo"]).sum())
    # margin form (scale = CI half-width): ratio = 1 - lo / half, <= 1 iff lo >= 0
    return BoundData([m_t - 2.0 * lo_t, float(len(seeds) - reached)], [m_t - lo_t, 0.5],
                     detail=f"true: mean diff {m_t:.3f}, 95% CI lower {lo_t:.3f} (n={n_t}); "
                            f"entropy (NOT claimed for the sampled version): mean diff "
                            f"{m_e:.3f}, 95% CI [{lo_e:.3f}, {hi_e:.3f}]")


@theorem(
    name="policy.gardo_official_true_reward",
    source=GARDO_CODE + "; " + GARDO,
    assumptions=("ensemble_proxy_bandit with random seeds", "sampling seed = env seed + 1",
                 "gardo(variant='official') at the code's defaults (rank uncertainty with the "
                 "code's descending ranks, KL fraction 0.1 in [0.02, 0.2], reset after 15 "
                 "epochs or KL > 3e-4, min-cosine diversity advantage, no std division), "
                 "batch 24, beta 3, softmax PG step lr 1, 100 steps",
                 "one-hot embeddings (the environment has no features)"),
    tightness="an empirical claim about fixed environments with stated margins, not a bound "
              "with constants: no extremal instance family exists to attain; the ratio reports "
              "required margin over achieved (ratio forms documented in the experiment)",
    protocol="algorithm(env, seed) -> history: the user's GARDO run on one environment (as "
             "gardo_vs_kl: its history of proxy reward, true reward and entropy per step)",
)
def _gardo_official(rng, quick, *, algorithm=None):
    """GARDO with the official code's mechanisms (``variant="official"``, code defaults, batch 24,
    softmax PG step lr 1, 100 steps, seeded) reaches proxy reward 1.5 on at least 90% of the
    environment seeds, and there its true reward exceeds the uniform-KL policy's at the same
    proxy reward: the 95% t-interval of the paired difference over the seeds that reach it lies
    above 0.  (Not "every seed": a run can stall for hundreds of steps on one action, where
    every draw of the batch is the same action and all advantages vanish.  Not claimed: the
    entropy half, which is reversed -- the official version's entropy at that level is lower than
    uniform KL's -- and any credit to the gate: with the code's descending ranks the gate rarely
    fires on the hack actions, see ``policy.gardo_official_gate_selectivity``.)
    """
    seeds = rng.integers(0, 2**31, size=40 if quick else 120)
    r = gardo_vs_kl(seeds, oracle="sampled", lr=1.0, max_iter=100, progress=False,
                    gardo_kwargs={"variant": "official"}, algorithm=algorithm)
    m_t, lo_t, _, n_t = _paired_ci(r["true_gardo"] - r["true_kl"])
    m_e, lo_e, hi_e, _ = _paired_ci(r["entropy_gardo"] - r["entropy_kl"])
    reached = int(np.isfinite(r["true_gardo"]).sum())
    # margin form (scale = CI half-width): ratio = 1 - lo / half, <= 1 iff lo >= 0; misses
    # against 10% of the seeds
    return BoundData([m_t - 2.0 * lo_t, float(len(seeds) - reached)],
                     [m_t - lo_t, 0.1 * len(seeds)],
                     detail=f"true: mean diff {m_t:.3f}, 95% CI lower {lo_t:.3f} (n={n_t} of "
                            f"{len(seeds)} seeds reach 1.5); entropy (NOT claimed, "
                            f"reversed): mean diff {m_e:.3f}, 95% CI "
                            f"[{lo_e:.3f}, {hi_e:.3f}]")


def _gate_rates(rng, n_env, n_batch, *, order, uncertainty=None, batch=24, kl_fraction=0.1,
               hack_share=0.1):
    """P(gated | hack) and P(gated | other) of the official gate on batches of ``batch`` draws
    from ``(1 - hack_share) pi_ref + hack_share * uniform(hacks)`` of ``n_env`` random
    :func:`~.envs.ensemble_proxy_bandit` environments, ``n_batch`` batches each
    (``uncertainty(main, aux, order)`` replaces :func:`~.gardo.rank_uncertainty`)."""
    from .envs import ensemble_proxy_bandit

    unc = _rank_unc if uncertainty is None else uncertainty
    cnt = np.zeros(4)
    for s in rng.integers(0, 2**31, size=n_env):
        env = ensemble_proxy_bandit(seed=int(s))
        hack = np.arange(env.n_actions) >= env.n_actions - 2
        pi = (1.0 - hack_share) * env.pi_ref + hack_share * hack / hack.sum()
        for _ in range(n_batch):
            a = rng.choice(env.n_actions, size=batch, p=pi)
            g = _gate(np.asarray(unc(env.r_proxy[a], env.ensemble[:, a], order), float),
                      kl_fraction)
            h = hack[a]
            cnt += [g[h].sum(), h.sum(), g[~h].sum(), (~h).sum()]
    return cnt[0] / max(cnt[1], 1.0), cnt[2] / max(cnt[3], 1.0)


@theorem(
    name="policy.gardo_official_gate_selectivity",
    source=GARDO_CODE + " (l. 827-837: ranks with torch.sort(descending=True), u = rank_main - "
                        "mean aux rank, gate u > percentile(u >= 0, 100 - 100 beta_kl))",
    assumptions=("ensemble_proxy_bandit with random seeds (proxy = ensemble mean, auxiliary "
                 "rewards = the 5 members; the 2 hacks have proxy 2.6 and member spread 1)",
                 "batches of 24 draws with 10% of the mass on the hacks", "beta_kl = 0.1"),
    tightness="an empirical claim about fixed environments with stated margins, not a bound "
              "with constants: no extremal instance family exists to attain; the ratio reports "
              "required margin over achieved (ratio forms documented in the experiment)",
    protocol="algorithm(main, aux, order) -> u: the user's rank uncertainty per sample "
             "(replaces gardo.rank_uncertainty inside the gate)",
)
def _gardo_gate(rng, quick, *, algorithm=None):
    """On the ensemble environment, the official rank-uncertainty gate with the code's
    descending ranks (rank 1 = highest reward) gates the hack samples (high proxy, auxiliary
    members in disagreement) less often than the other samples, P(gated | hack) <= P(gated |
    other): since a hack is ranked first by the proxy and lower by some members, its
    uncertainty rank_main - mean rank_aux is negative.  With ascending ranks (the sign that
    reads u > 0 as "the proxy over-rates the sample") the gate selects them: P(gated | hack)
    >= 5 P(gated | other).
    """
    n_env, n_b = (40, 10) if quick else (200, 20)
    hd, od = _gate_rates(rng, n_env, n_b, order="descending", uncertainty=algorithm)
    ha, oa = _gate_rates(rng, n_env, n_b, order="ascending", uncertainty=algorithm)
    # ratio forms: P(h)/P(o) <= 1 (descending); 5 P(o) / P(h) <= 1 (ascending)
    return BoundData([hd, 5.0 * oa], [od, ha],
                     detail=f"descending (code): P(gate|hack) {hd:.3f}, P(gate|other) {od:.3f};"
                            f" ascending: P(gate|hack) {ha:.3f}, P(gate|other) {oa:.3f}")


def sample_softmax_pair(rng, k=None):
    """Reward pairs on K in [2, 19] actions (or ``k``), half of them near two-way ties."""
    k = int(rng.integers(2, 20)) if k is None else k
    r = rng.normal(scale=rng.uniform(0.1, 5.0), size=k)
    if rng.random() < 0.5:  # near-ties: where the constant is nearly attained
        r2 = r.copy()
        i, j = rng.choice(k, 2, replace=False)
        r[i] = r[j] = r.max() + 1.0
        d = rng.uniform(1e-4, 1e-1)
        r2[:] = r
        r2[i] += d
        r2[j] -= d
    else:
        r2 = r + rng.normal(scale=rng.uniform(0.01, 2.0), size=k)
    return {"r": r, "r2": r2, "tau": float(10 ** rng.uniform(-1.5, 1))}


@theorem(
    name="policy.softmax_lipschitz",
    tightness="A two-way tie perturbed by +-d: the ratio tends to 1 as d -> 0 "
              "(tests/policy/test_i13_checks.py::test_softmax_lipschitz_near_tie_tight, ratio >= "
              "0.999 at d = 1e-4)",
    source="The Policy Cliff (2025), entropy regularization restores continuity; constant "
           "derived in equilibria.theory.alignment.softmax_lipschitz",
    assumptions=("K in [2, 19]", "tau in [0.03, 10]", "arbitrary reward pairs incl. near-ties"),
    sample=sample_softmax_pair, sizes={"k": (2, 19)}, n_instances=(50, 2000), rtol=1e-9,
    protocol=SOFTMAX_PROTOCOL,
)
def eval_softmax(inst, *, algorithm=None):
    """||softmax(r/tau) - softmax(r'/tau)||_2 <= ||r - r'||_2 / (2 tau) (sharp: attained at
    two-way ties).

    ``algorithm``: a user's softmax map through :data:`SOFTMAX_PROTOCOL` in place of
    ``softmax_policy``; each returned policy must be certified (probability vector with
    log pi - r/tau constant), else the instance is a violation.
    """
    if algorithm is not None:
        pu = _user_softmax(algorithm, inst["r"], inst["tau"])
        qu = _user_softmax(algorithm, inst["r2"], inst["tau"])
        d = (float(np.linalg.norm(pu - qu)) if pu is not None and qu is not None else np.inf)
        lip = al.softmax_lipschitz(inst["tau"])
        return d, lip * float(np.linalg.norm(inst["r"] - inst["r2"])), math.sqrt(2.0)
    p = al.softmax_policy(inst["r"], inst["tau"])
    q = al.softmax_policy(inst["r2"], inst["tau"])
    return (float(np.linalg.norm(p - q)),
            al.softmax_lipschitz(inst["tau"]) * float(np.linalg.norm(inst["r"] - inst["r2"])),
            math.sqrt(2.0))  # two probability vectors are at most sqrt(2) apart


def sample_bounded_ratio(rng, k=None):
    """One state, K in [2, 11] actions (or ``k``), Q with or without ties, eps in (0, 0.9)."""
    k = int(rng.integers(2, 12)) if k is None else k
    pi0 = rng.dirichlet(np.ones(k))
    q = rng.integers(0, 4, size=k).astype(float) if rng.random() < 0.4 else rng.normal(size=k)
    return {"pi0": pi0, "q": q, "eps": float(rng.uniform(0.01, 0.9))}


@theorem(
    name="policy.bounded_ratio_optimum",
    source="Ao et al. (2026), Bounded Ratio Reinforcement Learning, Thm 4.1",
    assumptions=("one state", "K in [2, 11]", "eps in (0, 0.9)", "Q with or without ties"),
    sample=sample_bounded_ratio, sizes={"k": (2, 11)}, n_instances=(5, 100), examples=10,
    tightness="an optimality identity checked against a conic solver: the measured gap is the "
              "solver's accuracy, so no instance approaches the allowance 1e-7",
    protocol="algorithm(pi0, q, eps) -> pi: the user's bounded-ratio policy (a probability "
             "vector with 1-eps <= pi/pi0 <= 1+eps), checked for feasibility and optimality",
)
def eval_bounded_ratio(inst, algorithm=None):
    """The threshold (median-advantage) policy pi = [1 + eps sign(Q - mu)] pi0, with the quantile
    action taking the remaining mass, is feasible and attains the optimum of max E_pi0[(pi/pi0)
    Q] s.t. 1-eps <= pi/pi0 <= 1+eps (cvxpy, gap <= 1e-7).
    """
    import cvxpy as cp

    pi0, q, eps = inst["pi0"], inst["q"], inst["eps"]
    pol = (al.bounded_ratio_policy(pi0, q, eps) if algorithm is None
           else np.asarray(algorithm(pi0.copy(), q.copy(), eps), dtype=float))
    x = cp.Variable(pi0.size)
    prob = cp.Problem(cp.Maximize(q @ x), [cp.sum(x) == 1, x >= (1 - eps) * pi0,
                                           x <= (1 + eps) * pi0])
    prob.solve()
    feas = max(0.0, float(np.max((1 - eps) * pi0 - pol)), float(np.max(pol - (1 + eps) * pi0)),
               abs(pol.sum() - 1.0))
    # |optimum - value|: an infeasible policy can exceed the optimum, and a signed difference
    # let its (negative) excess cancel the infeasibility (the check passed such a policy)
    return abs(float(prob.value - q @ pol)) + feas, 1e-7


def sample_frontier(rng, k=None):
    """The instances of :func:`sample_policy_reward`."""
    inst = sample_policy_reward(rng, k=k)
    return inst


@theorem(
    name="policy.kl_constrained_frontier",
    tightness="Attained with equality by the tilted policy pi_ref exp(r/beta)/Z at its own KL "
              "(tests/policy/test_i13_checks.py::"
              "test_regularized_value_and_frontier_attained_at_tilted_policy, ratio >= 0.999999)",
    source=YANG + ", Lemma 1 (closed form of the KL-constrained optimum)",
    assumptions=("finite action set", "drawn policies and rewards"),
    sample=sample_frontier, sizes={"k": (2, 12)}, n_instances=(50, 1000), rtol=1e-8, atol=1e-9,
    protocol=TILT_PROTOCOL,
)
def eval_frontier(inst, *, algorithm=None):
    """Every policy with KL(pi||pi_ref) <= Delta has E_pi r <= E r under the tilted policy whose
    beta solves KL = Delta (the reward-KL frontier is exact).

    ``algorithm``: a user's KL-regularized solver through :data:`TILT_PROTOCOL`, called at the
    instance's beta; its policy pi_u must lie on the frontier: the optimum at Delta = KL(pi_u||
    pi_ref) (recomputed from pi_u) is <= E_{pi_u} r (an invalid pi_u is a violation).
    """
    if algorithm is not None:
        pu = _user_policy(algorithm, TILT_PROTOCOL, inst["pi_ref"].shape, inst["pi_ref"].copy(),
                          inst["r"].copy(), inst["beta"])
        rmax = float(inst["r"][inst["pi_ref"] > 0].max())
        if pu is None or np.any((pu > 0) & (inst["pi_ref"] == 0)):
            return np.inf, rmax, rmax
        opt_u = al.kl_constrained_policy(inst["pi_ref"], inst["r"],
                                         al.kl_divergence(pu, inst["pi_ref"]))
        return opt_u.expected_reward, float(pu @ inst["r"]), rmax
    kl = al.kl_divergence(inst["pi"], inst["pi_ref"])
    opt = al.kl_constrained_policy(inst["pi_ref"], inst["r"], kl)
    # trivial maximum: max r on the support; tight (ratio 1) at pi = the tilted policy
    return (float(inst["pi"] @ inst["r"]), opt.expected_reward,
            float(inst["r"][inst["pi_ref"] > 0].max()))


@theorem(
    name="policy.best_of_n_kl_equivalence",
    source=YANG + ", Thm 3 (best-of-N and KL-constrained RL asymptotically equivalent: the "
                  "expected rewards are asymptotically equal, a limit statement with no rate, "
                  "so the check is monotone decrease plus halving, and the observed local "
                  "slopes, about -0.4 at L=32 drifting to -0.8 at L=2048, are only reported)",
    assumptions=("vocabulary of 2-4 tokens", "integer token rewards", "delta in [0.05, 0.2]"),
    tightness="an empirical claim about fixed environments with stated margins, not a bound "
              "with constants: no extremal instance family exists to attain; the ratio reports "
              "required margin over achieved (ratio forms documented in the experiment)",
    atol=1e-12,
    no_algorithm="compares two closed forms of the package over V^L sequences (memoryless "
                 "best-of-N with N = exp(delta L), and the tilted KL optimum); a per-outcome "
                 "best-of-N algorithm cannot run on V^L (2^32 to 4^2048) outcomes",
)
def _bon_equivalence(rng, quick):
    """Memoryless model, linear reward, N = exp(delta L): the per-token expected-reward gap
    between best-of-N and the KL-constrained optimum with the same KL decreases monotonically in
    L (from 32) and at least halves by L=512.
    """
    v = int(rng.integers(2, 5))
    p = rng.dirichlet(np.full(v, 2.0))
    r = np.arange(v, dtype=float)
    delta = float(rng.uniform(0.05, 0.2))
    lengths = [32, 64, 128, 256, 512] + ([] if quick else [1024, 2048])
    gaps = []
    for L in lengths:
        n = max(1, int(round(math.exp(delta * L))))
        kl, er = al.memoryless_best_of_n(p, r, L, n)
        kc = al.memoryless_kl_constrained(p, r, L, kl)
        gaps.append(abs(er / L - kc.expected_reward))
    gaps = np.asarray(gaps)
    # ratio forms: gap(L_{k+1}) against gap(L_k) (monotone), gap(512) against gap(32) / 2
    meas = list(gaps[1:]) + [gaps[-1]]
    bnd_g = list(gaps[:-1]) + [0.5 * gaps[0]]
    local = np.diff(np.log(gaps)) / np.diff(np.log(lengths))
    return BoundData(meas, bnd_g, detail=f"V={v}, log N / L = {delta:.3f}; "
                     "per-token reward gap |E_BoN S - E_KL S| / L at L=" + ", ".join(
                         f"{L}: {g:.2e}" for L, g in zip(lengths, gaps, strict=True))
                     + "; local log-log slopes " + ", ".join(f"{x:.2f}" for x in local)
                     + " (no rate claimed: the paper states a limit)")


@theorem(
    name="policy.chi2_penalty_drop_bound",
    source=LAIDLAW + ", Thm 5.1, combined with optimality of the penalized policy (derived here)",
    assumptions=("tabular MDP, S in [1,5], A in [2,4]", "proxy with r > 0.05 under mu_ref",
                 "beta in [0.01, 3.2]"),
    rtol=1e-6, atol=1e-6,
    tightness="the bound combines Thm 5.1 with a worst case over the proxy's alignment; on "
              "drawn MDPs the optimum gains true return (negative drop), and no family "
              "attaining sigma_R sigma_R~ (1-r^2)/(4 r beta) is known",
    protocol=CHI2_PROTOCOL,
)
def _chi2_square_drop(rng, quick, *, algorithm=None):
    """The maximizer of J(pi,R~) - beta chi2(mu_pi||mu_ref) has J(pi_ref,R) - J(pi,R) <= sigma_R
    sigma_R~ (1-r^2) / (4 r beta) (from Thm 5.1: Delta J~ >= beta x^2 at the optimum, x =
    sqrt(chi2), and min_x r beta x^2 - sigma_R~ sqrt(1-r^2) x).

    ``algorithm``: a user's solver through :data:`CHI2_PROTOCOL` (``form="square"``, lam =
    beta) in place of cvxpy; an infeasible or non-optimal occupancy counts as a failure
    (measured ``inf``).  ORPO's ``"chi2"`` coefficient ``c`` corresponds to ``beta = c / 2``
    (its reward ``-c (e^d - 1)``, orpo.py l. 817, is half the gradient of ``-c chi2``).
    """
    meas, bnd = [], []
    while len(meas) < (4 if quick else 30):
        inst = sample_mdp_policies(rng)
        mdp, ref, R = inst["mdp"], inst["pi_ref"], inst["r_true"]
        Rt = rng.uniform(0.2, 2.0) * R + rng.normal(scale=rng.uniform(0.3, 2.0), size=R.shape)
        mu_ref = al.occupancy_measure(mdp.P, ref, mdp.rho0, mdp.gamma)
        _, _, rho = al.correlated_proxy_bound(mu_ref, mu_ref, R, Rt)
        if rho <= 0.05:
            continue
        sd = {}
        for key, X in (("t", R), ("p", Rt)):
            m = float((mu_ref * X).sum())
            sd[key] = math.sqrt(float((mu_ref * (X - m) ** 2).sum()))
        beta = float(10 ** rng.uniform(-2, 0.5))
        mu = _chi2_solve(mdp, Rt, ref, beta, "square", algorithm)
        meas.append(math.inf if mu is None else -float(((mu - mu_ref) * R).sum()))
        bnd.append(sd["t"] * sd["p"] * (1 - rho * rho) / (4 * rho * beta))
    return BoundData(meas, bnd, detail="drop of true return at the beta*chi2 OM-penalized "
                                       "optimum vs sigma_R sigma_R~ (1-r^2) / (4 r beta)")


def sample_entropy_tradeoff(rng, k=None):
    """Rewards on K in [2, 29] actions (or ``k``), half of them with a tie at the maximum."""
    k = int(rng.integers(2, 30)) if k is None else k
    r = rng.normal(scale=rng.uniform(0.1, 5.0), size=k)
    if rng.random() < 0.5:
        r[rng.integers(k)] = r.max()  # ties: the argmax map is discontinuous here
    return {"r": r, "tau": float(10 ** rng.uniform(-2, 1))}


@theorem(
    name="policy.entropy_regularization_cost",
    tightness="Two actions with reward gap D at small tau: the ratio is about D / (D + tau) "
              "(tests/policy/test_i13_checks.py::test_entropy_cost_near_tight_at_small_tau, ratio "
              ">= 0.95 at tau = D / 20)",
    source="The Policy Cliff (2025), entropy regularization restores stability at the cost of "
           "stochasticity; Gibbs variational principle",
    assumptions=("K in [2, 29]", "tau in [0.01, 10]", "rewards with and without ties"),
    sample=sample_entropy_tradeoff, sizes={"k": (2, 29)}, n_instances=(50, 2000), rtol=1e-10,
    atol=1e-12, protocol=SOFTMAX_PROTOCOL,
)
def eval_entropy_tradeoff(inst, *, algorithm=None):
    """The entropy-regularized policy softmax(r/tau) (continuous, 1/(2 tau)-Lipschitz) loses
    max r - E_pi r <= tau H(pi) <= tau log K of reward against the (discontinuous) argmax.

    ``algorithm``: a user's softmax map through :data:`SOFTMAX_PROTOCOL`; the loss and the
    entropy are recomputed from its (certified) policy, an uncertified one is a violation.
    """
    r, tau = inst["r"], inst["tau"]
    if algorithm is not None:
        pu = _user_softmax(algorithm, r, tau)
        if pu is None:
            return np.inf, tau * math.log(r.size), float(np.ptp(r))
        return float(r.max() - pu @ r), tau * al.entropy(pu), float(np.ptp(r))
    p = al.softmax_policy(r, tau)
    # trivial maximum max r - min r; near-tight at large tau (near-uniform p), ratio 0.96
    return float(r.max() - p @ r), tau * al.entropy(p), float(np.ptp(r))
