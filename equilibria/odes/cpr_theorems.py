"""Theorems of the common-pool resource model (issue 17 part 3), registered for ``equilibria verify``.

Instances: random :class:`~equilibria.odes.cpr.CPRModel` parameters (regrowth, catchability,
efforts, price, cost, fine) under both imitation rules.  See :mod:`equilibria.odes.cpr`.

Where each statement comes from: the bionomic equilibrium and rent dissipation, Gordon (1954)
and Clark (1990), Mathematical Bioeconomics, Sec. 2.1 (``R_inf = w / (v q)``); maximum
sustainable yield at ``K/2``, Schaefer (1954) and Clark (1990), Sec. 1.1 (``Y = rK/4``); the
invasion condition is derived for this model in :mod:`equilibria.odes.cpr` (after Sigmund et
al. 2010 on peer punishment); the mean-field rate is Kurtz's law of large numbers with its
central-limit scaling (Traulsen et al. 2006, Phys. Rev. E 74, 011909).  Gupta et al. (2026),
arXiv 2510.14401, was not read in full here: these are standard-theory statements.
"""

from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp
from scipy.optimize import minimize_scalar

from equilibria.verification import RateData, theorem

from . import cpr as C

__all__ = ["sample_open_access", "sample_msy", "sample_invasion", "evaluate_open_access",
           "evaluate_msy", "evaluate_invasion", "abm_mean_field_rate", "OPEN_ACCESS", "MSY",
           "INVASION", "ABM_RATE", "OPEN_ACCESS_TOL", "MSY_TOL", "N_GRID", "N_GRID_QUICK"]

_GORDON = ("Gordon (1954), The economic theory of a common-property resource: the fishery, "
           "J. Political Economy 62; Clark (1990), Mathematical Bioeconomics, Sec. 2.1 "
           "(bionomic equilibrium; R_inf = w / (v q) in this module's notation); standard theory")
_SCHAEFER = ("Schaefer (1954), Bull. Inter-Am. Trop. Tuna Comm. 1; Clark (1990), Mathematical "
             "Bioeconomics, Sec. 1.1 (logistic growth, MSY = rK/4 at K/2); standard theory")

#: tolerance of |R(T) - w/(vq)| / K after the open-access run
OPEN_ACCESS_TOL = 1e-3
#: tolerance of |R_MSY - K/2| / K (bounded scalar minimisation, xatol 1e-10)
MSY_TOL = 1e-6
#: agent counts of the mean-field rate fit
N_GRID = np.array([100, 400, 1600, 6400, 25600])
N_GRID_QUICK = np.array([100, 400, 1600, 6400])


def _rng(rng) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"`rng` must be a numpy Generator, got {type(rng).__name__}")
    return rng


def _integrate(field, model, x0, t_end):
    prm = model.params
    f = field if field is not None else C._cpr_field
    sol = solve_ivp(lambda _t, y: f(y, prm), (0.0, t_end), np.asarray(x0, float),
                    method="DOP853", rtol=1e-10, atol=1e-13)
    return sol.y[:, -1]


def sample_open_access(rng, n=None):
    """A model whose norm stock lies above and all-defector stock below ``w / (v q)``,
    started with no punishers (``p = 0``) and an interior cooperator/defector mix.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness.
    n : None
        Unused (the sampler protocol of :func:`~equilibria.verification.theorem`).

    Returns
    -------
    dict
        ``model`` (a :class:`~equilibria.odes.cpr.CPRModel` without fines), ``x0``
        (``(R, c, d, 0)``) and ``t_end`` (400).
    """
    rng = _rng(rng)
    r = float(rng.uniform(0.5, 2.0))
    q = float(rng.uniform(0.5, 2.0))
    e_norm = float(rng.uniform(0.05, 0.3)) * r / q
    e_defect = float(rng.uniform(1.1, 2.0)) * r / q
    price = float(rng.uniform(0.5, 2.0))
    R_inf = float(rng.uniform(0.1, 0.6)) * (1 - q * e_norm / r)
    model = C.CPRModel(r=r, q=q, e_norm=e_norm, e_defect=e_defect, price=price,
                       cost=R_inf * price * q, fine=0.0, monitoring_cost=0.0,
                       rule=str(rng.choice(["fermi", "replicator"])),
                       intensity=float(rng.uniform(5, 20)), speed=float(rng.uniform(1, 3)))
    c = float(rng.uniform(0.1, 0.9))
    return {"model": model, "x0": [float(rng.uniform(0.2, 1.0)), c, 1 - c, 0.0],
            "t_end": 400.0}


@theorem(
    name="odes.cpr_open_access_dissipation",
    source=_GORDON,
    tightness="An exact agreement check: measured is |R(T) - w/(vq)| / K after T = 400, bound "
              "1e-3 (the interior rest point is hyperbolic, so the distance decays "
              "exponentially); no slack to be tight about (tests/odes/test_cpr.py::"
              "test_open_access_check_fails_with_a_wrong_field shows the check can fail)",
    assumptions=("no punishers, no fines; cooperators and defectors both present initially",
                 "K (1 - q e_D / r) < w/(vq) < K (1 - q e_C / r)",
                 "Fermi or replicator imitation; DOP853, rtol 1e-10"),
    sample=sample_open_access, n_instances=(8, 40), examples=10,
    no_algorithm="a property of the model's mean-field flow (Gordon's bionomic equilibrium "
                 "R = w/(vq)), integrated by a fixed reference DOP853 solver; nothing a user "
                 "implements")
def evaluate_open_access(inst, *, field=None):
    """Without punishment, imitation drives the commons to Gordon's bionomic equilibrium: the
    stock settles at R = w/(vq), where the resource rent (vqR - w) E is zero for every
    strategy (open access dissipates the rent).

    Measured: |R(T) - w/(vq)| / K; bound 1e-3.  ``field`` replaces the compiled flow
    ``f(x, params)`` (for tests of the check).

    Parameters
    ----------
    inst : dict
        An instance of :func:`sample_open_access`.
    field : callable or None, default None
        Replaces the compiled flow ``f(x, params)`` (for tests of the check).

    Returns
    -------
    tuple of float
        ``(measured, bound)``.
    """
    m = inst["model"]
    xT = _integrate(field, m, inst["x0"], inst["t_end"])
    return abs(xT[0] - m.cost / (m.price * m.q)) / m.K, OPEN_ACCESS_TOL


def sample_msy(rng, n=None):
    """Random logistic parameters ``r, K, q`` (each log-uniform over a factor 10).

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness.
    n : None
        Unused (the sampler protocol of :func:`~equilibria.verification.theorem`).

    Returns
    -------
    dict
        ``r``, ``K`` and ``q``.
    """
    rng = _rng(rng)
    return {"r": float(np.exp(rng.uniform(-1, 1.3))), "K": float(np.exp(rng.uniform(-1, 2))),
            "q": float(np.exp(rng.uniform(-1, 1)))}


def _stock(growth, R_hi, E, r, K, q):
    # the stable rest point of R' = growth(R, E): the largest root in (0, R_hi]
    R = np.linspace(R_hi, 0.0, 4001)[:-1]
    g = np.array([growth(x, E, r, K, q) for x in R])
    sign = np.nonzero(g > 0)[0]
    if len(sign) == 0:
        return 0.0
    i = sign[0]
    if i == 0:
        return R_hi
    lo, hi = R[i], R[i - 1]
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if growth(mid, E, r, K, q) > 0 else (lo, mid)
    return 0.5 * (lo + hi)


def _schaefer(R, E, r, K, q):
    return r * R * (1 - R / K) - q * E * R


@theorem(
    name="odes.cpr_msy_half_capacity",
    source=_SCHAEFER,
    tightness="An exact agreement check: measured is |R_MSY - K/2| / K from maximising the "
              "sustainable yield q E R*(E) over effort numerically, bound 1e-6; no slack to be "
              "tight about (tests/odes/test_cpr.py::test_msy_check_fails_with_a_wrong_growth "
              "shows the check can fail)",
    assumptions=("logistic regrowth r R (1 - R/K), harvest q E R (Schaefer)",
                 "stable stock found by bracketing and bisection; yield maximised by bounded "
                 "Brent search over E in (0, r/q)"),
    sample=sample_msy, n_instances=(10, 60), examples=10,
    no_algorithm="a closed-form property of logistic regrowth with Schaefer harvest (MSY at "
                 "R = K/2, yield rK/4), found by a reference scalar search; nothing a user "
                 "implements")
def evaluate_msy(inst, *, growth=None):
    """Under logistic regrowth and Schaefer harvesting, the sustainable yield q E R*(E) is
    maximised at the stock R = K/2 (effort r/(2q)), with maximum sustainable yield rK/4.

    Measured: max(|R_MSY - K/2| / K, |Y_MSY - rK/4| / (rK)); bound 1e-6.  ``growth(R, E, r,
    K, q)`` replaces the resource equation (for tests of the check).

    Parameters
    ----------
    inst : dict
        An instance of :func:`sample_msy`.
    growth : callable or None, default None
        Replaces the resource equation ``growth(R, E, r, K, q)`` (for tests of the check).

    Returns
    -------
    tuple of float
        ``(measured, bound)``.
    """
    g = _schaefer if growth is None else growth
    r, K, q = inst["r"], inst["K"], inst["q"]

    def neg_yield(E):
        return -q * E * _stock(g, 2 * K, E, r, K, q)

    res = minimize_scalar(neg_yield, bounds=(0.0, r / q), method="bounded",
                          options={"xatol": 1e-12 * r / q})
    R = _stock(g, 2 * K, res.x, r, K, q)
    return max(abs(R - K / 2) / K, abs(-res.fun - r * K / 4) / (r * K)), MSY_TOL


def sample_invasion(rng, n=None):
    """A defector-free state at the norm stock with punisher share ``p`` and rare defectors
    (``d = 1e-5``), the fine set so that the invasion margin is ``+-`` 10..100 % of the
    over-harvesting gain.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness.
    n : None
        Unused (the sampler protocol of :func:`~equilibria.verification.theorem`).

    Returns
    -------
    dict
        ``model`` (a :class:`~equilibria.odes.cpr.CPRModel`) and ``x0`` (``(R*, c, 1e-5, p)``
        up to the factor ``1 - d``).
    """
    rng = _rng(rng)
    r = float(rng.uniform(0.5, 2.0))
    q = float(rng.uniform(0.5, 2.0))
    e_norm = float(rng.uniform(0.05, 0.5)) * r / q
    e_defect = e_norm * float(rng.uniform(1.5, 5.0))
    price = float(rng.uniform(0.5, 2.0))
    R_star = 1 - q * e_norm / r
    cost = float(rng.uniform(0.0, 0.5)) * price * q * R_star
    gain = (price * q * R_star - cost) * (e_defect - e_norm)
    p = float(rng.uniform(0.1, 1.0))
    side = 1.0 if rng.random() < 0.5 else -1.0
    fine = max(gain * (1 + side * float(rng.uniform(0.1, 1.0))), 0.0) / p
    model = C.CPRModel(r=r, q=q, e_norm=e_norm, e_defect=e_defect, price=price, cost=cost,
                       fine=fine, monitoring_cost=float(rng.uniform(0, 2)),
                       rule=str(rng.choice(["fermi", "replicator"])),
                       intensity=float(rng.uniform(2, 20)))
    d = 1e-5
    return {"model": model, "x0": [R_star, (1 - p) * (1 - d), d, p * (1 - d)]}


@theorem(
    name="odes.cpr_punishment_invasion",
    source=("Derived for this model (equilibria.odes.cpr module docstring): the defectors' "
            "per-capita growth on the face d = 0 has the sign of pi_D - pi_C; peer punishment "
            "after Sigmund, De Silva, Traulsen & Hauert (2010), Nature 466"),
    tightness="An exact agreement check: measured is 1 when the predicted verdict (defectors "
              "shrink iff beta p > (vqR* - w)(e_D - e_C)) disagrees with the sign of "
              "d(T) - d(0) at T = 1, bound 0; instances sit on both sides of the threshold "
              "(margin 10..100 % of the gain); tests/odes/test_cpr.py::"
              "test_invasion_check_fails_without_the_fine shows the check can fail",
    assumptions=("state at the norm stock R* = K(1 - q e_C/r) with d = 1e-5 defectors",
                 "punisher share p in [0.1, 1], both imitation rules",
                 "DOP853 over T = 1, rtol 1e-10"),
    sample=sample_invasion, n_instances=(20, 200), examples=25,
    no_algorithm="a property of the model: the closed-form invasion margin beta p - (vqR* - "
                 "w)(e_D - e_C) against the sign of the defectors' growth under a reference "
                 "DOP853 run; nothing a user implements")
def evaluate_invasion(inst, *, field=None):
    """Punishment stabilises cooperation exactly when the expected fine exceeds the rent of
    over-harvesting: on the defector-free face with punisher share p, rare defectors shrink
    iff beta p > (v q R* - w)(e_D - e_C), and grow iff the reverse strict inequality holds.

    Measured: 1 if the verdict disagrees with the simulated sign of d(T) - d(0), else 0;
    bound 0.  ``field`` replaces the compiled flow (for tests of the check).

    Parameters
    ----------
    inst : dict
        An instance of :func:`sample_invasion`.
    field : callable or None, default None
        Replaces the compiled flow ``f(x, params)`` (for tests of the check).

    Returns
    -------
    tuple of float
        ``(measured, bound)``.
    """
    m = inst["model"]
    x0 = np.asarray(inst["x0"], float)
    xT = _integrate(field, m, x0, 1.0)
    predicted_stable = m.invasion_margin(x0[3] / (x0[1] + x0[3])) > 0
    observed_stable = xT[2] < x0[2]
    return float(predicted_stable != observed_stable), 0.0


#: the protocol of a user's agent-based simulator (``odes.cpr_abm_mean_field_rate``)
ABM_PROTOCOL = (
    "f(model, preset, t_end, n_agents=, seed=, n_record=) -> result: an agent-based run of the "
    "common-pool model (an equilibria.odes.cpr.CPRModel; preset a name of "
    "equilibria.odes.cpr.PRESETS or a state (R, c, d, p)) with n_agents imitating agents from "
    "seed, recording n_record equally spaced times in [0, t_end]; returns an object whose .X "
    "is the (n_record, 4) array of recorded states (R, c, d, p) (or that array itself); its "
    "sup distance to the mean field is fitted against N (slope -1/2); e.g. "
    "equilibria.odes.cpr.cpr_simulate")


def _user_simulator(algorithm):
    """A user's simulator (:data:`ABM_PROTOCOL`) whose result is validated: an ``.X`` (or the
    array itself) of shape ``(n_record, 4)``, wrapped in an object with ``.X``."""
    if not callable(algorithm):
        raise TypeError(f"`algorithm` must be callable ({ABM_PROTOCOL.split(':')[0]}), got "
                        f"{type(algorithm).__name__}")

    class _Run:
        def __init__(self, X):
            self.X = X

    def run(model, preset, t_end, *, n_agents, seed, n_record):
        out = algorithm(model, preset, t_end, n_agents=n_agents, seed=seed, n_record=n_record)
        X = getattr(out, "X", out)
        try:
            X = np.asarray(X, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"`algorithm` must return a result with .X, a real array of shape "
                            f"({n_record}, 4), got {type(out).__name__}") from None
        if X.shape != (n_record, 4):
            raise ValueError(f"`algorithm` must return .X of shape ({n_record}, 4) (states "
                             f"(R, c, d, p) at {n_record} times), got shape {X.shape}")
        return _Run(X)

    return run


def _abm_errors(sizes, n_seeds, rng, simulate=None):
    run = C.cpr_simulate if simulate is None else simulate
    model = C.CPRModel(rule=str(rng.choice(["fermi", "replicator"])), intensity=4.0)
    preset = str(rng.choice(list(C.PRESETS)))
    t_end = 5.0
    _, X = model.simulate(preset, t_end, n_eval=51)
    base = int(rng.integers(0, 2**30))
    vals = np.empty((n_seeds, len(sizes)))
    for j, N in enumerate(sizes):
        for s in range(n_seeds):
            Y = run(model, preset, t_end, n_agents=int(N), seed=base + s,
                               n_record=51).X
            vals[s, j] = np.abs(Y - X).max()
    return vals


@theorem(
    name="odes.cpr_abm_mean_field_rate",
    source=("Kurtz (1970), J. Appl. Prob. 7 (law of large numbers for density-dependent "
            "jump processes, O(N^-1/2) fluctuations); Traulsen, Nowak & Pacheco (2006), "
            "Phys. Rev. E 74, 011909 (pairwise comparison mean field)"),
    assumptions=("default CPRModel parameters, intensity 4, Fermi or replicator rule, one of "
                 "the four presets", "horizon T = 5, sup error over 51 record times",
                 "N in 100..25600 (quick: ..6400), 6 seeds (quick: 4)"),
    kind="rate", band=(-0.7, -0.3), protocol=ABM_PROTOCOL)
def abm_mean_field_rate(rng, quick, *, simulate=None, algorithm=None):
    """The agent-based run with N agents follows the mean-field ODE with sup error over a
    fixed horizon of order N^(-1/2): the fitted log-log slope of the mean error against N
    lies in [-0.7, -0.3].

    ``simulate`` replaces :func:`~equilibria.odes.cpr.cpr_simulate` (same signature, a result
    with ``.X``; for tests of the check: an agent-based run with a biased revision rule keeps
    an O(1) error and a slope near 0).

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness (rule, preset and seeds).
    quick : bool
        Use :data:`N_GRID_QUICK` and 4 seeds instead of :data:`N_GRID` and 6.
    simulate : callable or None, default None
        Replaces :func:`~equilibria.odes.cpr.cpr_simulate` (for tests of the check).
    algorithm : callable or None, default None
        A user's agent-based simulator through :data:`ABM_PROTOCOL` in place of
        :func:`~equilibria.odes.cpr.cpr_simulate` (its result validated; give ``simulate`` or
        ``algorithm``, not both).

    Returns
    -------
    RateData
        The agent counts and the sup errors, one row per seed (``kind="power"``).
    """
    if simulate is not None and algorithm is not None:
        raise ValueError("give `simulate` or `algorithm`, not both (both replace the simulator)")
    if algorithm is not None:
        simulate = _user_simulator(algorithm)
    sizes = N_GRID_QUICK if quick else N_GRID
    vals = _abm_errors(sizes, 4 if quick else 6, _rng(rng), simulate)
    return RateData(sizes, vals, kind="power", detail="ABM vs mean field, sup error, T = 5")


OPEN_ACCESS = evaluate_open_access.theorem
MSY = evaluate_msy.theorem
INVASION = evaluate_invasion.theorem
ABM_RATE = abm_mean_field_rate.theorem
