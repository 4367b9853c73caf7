"""Theorems and properties of the OT solvers, registered for ``equilibria verify``.

Instances are drawn from the assumptions: random sizes, random weights with zero-weight points,
random costs (uniform or squared Euclidean between random point clouds) and random ``reg``.
The same ``sample_problem`` is used by the hypothesis property tests in ``tests/ot``, with the
sizes ``n``, ``m`` chosen by hypothesis (``sizes``).  Each theorem is declared by ``@theorem`` on
its evaluate function, whose docstring's first paragraph is the statement.
"""

from __future__ import annotations

import warnings

import numpy as np

from equilibria.verification import theorem
from equilibria.verification.user import check_algorithm, user_array

from equilibria._lib.rng import as_generator
from equilibria._lib.validation import check_int, check_scalar, check_simplex

from ._common import OTResult, check_cost, check_marginals, mass_rtol
from ._exact import exact_ot
from ._sinkhorn import gap_bound, sinkhorn
from ._smooth import dual_value, semi_dual_value, smooth_ot, sparse_ot

__all__ = ["sample_problem", "entropy", "sinkhorn_gap_bound", "entropic_bias_bound",
           "worst_case_bias", "THEOREMS"]

#: the protocol of a user's OT solver (``verify(..., algorithm=f)``)
OT_PROTOCOL = ("f(a, b, C, reg) -> plan: an (n, m) array, the solver's transport plan for the "
               "entropic problem min <C,P> + reg KL(P || a b^T) with marginals a, b")


#: the protocol of a user's Sinkhorn-type solver that also returns its dual potentials
#: (``ot.sinkhorn_gap``, ``ot.weak_duality``)
SINKHORN_PROTOCOL = (
    "f(a, b, C, reg, tol) -> (plan, f, g): a feasible (n, m) transport plan with marginals a, b "
    "(e.g. rounded, Altschuler et al. 2017 Alg. 2) and dual potentials f (n,), g (m,) of the "
    "entropic problem min <C,P> + reg KL(P || a b^T), stopped once the Gibbs iterate "
    "a_i b_j exp((f_i + g_j - C_ij)/reg) has L1 marginal error <= tol (rows exact, as after a "
    "row update); plan objective, dual value, marginal error and the gap bound are recomputed "
    "from (plan, f, g) and the problem, nothing reported is trusted; e.g. "
    "equilibria.solvers.ot.theorems.sinkhorn_protocol_solver")

#: L1 marginal error up to which a user's plan counts as feasible (rounding of a rounded plan)
_FEAS_TOL = 1e-12


def sinkhorn_protocol_solver(a, b, C, reg, tol):
    """The package's :func:`sinkhorn` through :data:`SINKHORN_PROTOCOL`.

    Parameters
    ----------
    a, b : ndarray, shapes (n,), (m,)
        Probability vectors.
    C : ndarray, shape (n, m)
        Cost matrix.
    reg : float
        Regularization ``> 0``.
    tol : float
        Stopping tolerance on the L1 marginal error of the iterate.

    Returns
    -------
    plan, f, g : ndarray
        The rounded plan ``(n, m)`` and the potentials ``(n,)``, ``(m,)``.
    """
    res = _quiet(sinkhorn, a, b, C, reg, tol=tol)
    return res.plan, res.potentials[0], res.potentials[1]


def _user_certificate(algorithm, a, b, C, reg, tol):
    """Run a user's solver through :data:`SINKHORN_PROTOCOL` and recompute, from its plan and
    potentials only: ``(primal, dual, err, plan_err, (f_s, g_s, support))`` with ``primal`` the
    plan's objective (``inf`` if negative or off the support), ``dual = <a, f> + <b, g> - reg
    (sum Q - 1)`` and ``err`` the L1 marginal error of the Gibbs iterate ``Q`` on the support,
    ``plan_err`` the plan's own L1 marginal error (``ValueError`` on wrong shapes)."""
    out = algorithm(a, b, C, reg, tol)
    try:
        P, f, g = (np.asarray(v, dtype=float) for v in out)
    except (TypeError, ValueError):
        raise ValueError(f"`algorithm` must return (plan, f, g), got {type(out).__name__}") \
            from None
    n, m = C.shape
    if P.shape != (n, m) or f.shape != (n,) or g.shape != (m,):
        raise ValueError(f"`algorithm` returned plan {P.shape}, f {f.shape}, g {g.shape}; "
                         f"expected ({n}, {m}), ({n},), ({m},)")
    ia, jb = a > 0, b > 0
    fs, gs, Cs = f[ia], g[jb], C[np.ix_(ia, jb)]
    with np.errstate(over="ignore", invalid="ignore"):
        Q = np.outer(a[ia], b[jb]) * np.exp((fs[:, None] + gs[None, :] - Cs) / reg)
        err = float(np.abs(Q.sum(1) - a[ia]).sum() + np.abs(Q.sum(0) - b[jb]).sum())
        dual = float(a[ia] @ fs + b[jb] @ gs - reg * (Q.sum() - 1.0))
    plan_err = float(np.abs(P.sum(1) - a).sum() + np.abs(P.sum(0) - b).sum()) \
        if np.all(np.isfinite(P)) else np.inf
    primal = _plan_objective(P, a, b, C, reg)
    return primal, dual, err, plan_err, (fs, gs, ia, jb)


def _margin(violation, scale):
    """A one-sided claim ``violation <= 0`` as ``(scale + violation, scale)``: the ratio is
    ``1 + violation / scale``, above 1 exactly when the claim fails (not 0 by construction)."""
    return float(scale + violation), float(scale)


def _plan_objective(P, a, b, C, reg):
    """``<C,P> + reg KL(P || a b^T)`` of a plan (``inf`` if negative or with mass off the
    support of ``a b^T``)."""
    P = np.asarray(P, dtype=float)
    if P.shape != C.shape or not np.all(np.isfinite(P)) or P.min() < 0:
        return np.inf
    ab = np.outer(a, b)
    if np.any(P[ab == 0] > 0):
        return np.inf
    pos = P > 0
    return float((C * P).sum() + reg * np.sum(P[pos] * np.log(P[pos] / ab[pos])))


#: largest problem :func:`sample_problem` builds (entries of ``C``)
_MAX_ENTRIES = 2**26
_MAX_SIDE = 2**13


def sample_problem(rng, *, n=None, m=None, zero_frac=None, max_size=24, reg=None):
    """Random OT instance: dict with ``a, b, C, reg`` (weights are probability vectors).

    Sizes in ``[2, max_size]``; a random fraction (up to 30%) of points get zero weight (at
    least one positive weight per side); cost either uniform in ``[0, 1]`` or squared
    Euclidean between 2-D point clouds scaled to max 1; ``reg`` log-uniform in
    ``[0.02, 1] x max C``.

    Parameters
    ----------
    rng : numpy.random.Generator, int, SeedSequence or None
        Randomness (:func:`equilibria._lib.rng.as_generator`).
    n, m : int, optional
        Sizes ``>= 1`` (default: uniform in ``[2, max_size]``); ``n * m <= 2**26``.
    zero_frac : float, optional
        Probability in ``[0, 1]`` that a point gets zero weight (default uniform in
        ``[0, 0.3]``).
    max_size : int
        Largest random size, ``>= 2`` (``max_size**2 <= 2**26``).
    reg : float, optional
        Regularization ``> 0`` (default: log-uniform as above).

    Returns
    -------
    dict
        ``a`` (n,), ``b`` (m,) probability vectors, ``C`` (n, m) in ``[0, 1]``, ``reg``.
    """
    rng = as_generator(rng)
    max_size = check_int(max_size, "max_size", lo=2, hi=_MAX_SIDE)
    n = int(rng.integers(2, max_size + 1)) if n is None else check_int(n, "n", lo=1,
                                                                        hi=_MAX_ENTRIES)
    m = int(rng.integers(2, max_size + 1)) if m is None else check_int(m, "m", lo=1,
                                                                        hi=_MAX_ENTRIES // n)
    if zero_frac is not None:
        zero_frac = check_scalar(zero_frac, "zero_frac", lo=0.0, hi=1.0)
    if reg is not None:
        reg = check_scalar(reg, "reg", lo=0.0, lo_inclusive=False)
    zf = rng.uniform(0, 0.3) if zero_frac is None else zero_frac

    def weights(k):
        w = rng.uniform(0.05, 1.0, size=k)
        w[rng.random(k) < zf] = 0.0
        if w.sum() == 0:
            w[rng.integers(k)] = 1.0
        return w / w.sum()

    a, b = weights(n), weights(m)
    if rng.random() < 0.5:
        C = rng.random((n, m))
    else:
        x, y = rng.random((n, 2)), rng.random((m, 2))
        C = ((x[:, None, :] - y[None, :, :]) ** 2).sum(-1)
        C = C / C.max()
    if reg is None:
        reg = float(np.exp(rng.uniform(np.log(0.02), 0.0)) * C.max())
    return {"a": a, "b": b, "C": C, "reg": reg}


def entropy(p) -> float:
    """Shannon entropy ``-sum p log p`` of a probability vector, over its support.

    Parameters
    ----------
    p : array_like, shape (n,)
        Probability vector: finite, non-negative, summing to one within ``1e-8`` (float64) or
        ``~2e-6`` (float32 input, see :func:`~equilibria.solvers.ot._common.mass_rtol`); it is
        renormalized before use.

    Returns
    -------
    float
        ``-sum_{p_i > 0} p_i log p_i`` in ``[0, log n]``.
    """
    tol = mass_rtol(p)
    p = check_simplex(p, "p", atol=tol)
    p = p / p.sum()
    p = p[p > 0]
    return float(max(-(p * np.log(p)).sum(), 0.0))


def _quiet(fn, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kw)


def sinkhorn_gap_bound(res: OTResult, a, b, C) -> float:
    r"""A-posteriori bound on ``objective - dual_objective`` of :func:`sinkhorn` (mass 1).

    With :math:`\delta = \tfrac12` ``marginal_error`` (the rows of the iterate are exact),
    on the support,

    .. math::

        0 \le \text{gap} \le \delta\,\big[\operatorname{osc}(C) + \operatorname{osc}(g)
        + \varepsilon + \max_{ij}(C_{ij} - f_i - g_j)
        + \varepsilon \max(0, \log(1/w))\big],\quad w = \max(\min_i a_i, \min_j b_j).

    Derivation: primal(P) - dual = <g, P^T1 - b> <= osc(g) delta for the iterate P; the
    column scaling of the rounding changes the KL term by at most
    delta (eps + max(C - f - g)) and the cost by at most delta osc(C) together with the
    rank-one correction (Altschuler et al. 2017, Lemma 7), whose KL increase is at most
    delta eps log(1/max(a_i, b_j)) by convexity.

    Parameters
    ----------
    res : OTResult
        A (non-batched) :func:`sinkhorn` result for the problem ``(a, b, C)``.
    a, b : array_like, shapes (n,), (m,)
        The weights of the problem (probability vectors, as for :func:`sinkhorn`).
    C : array_like, shape (n, m)
        Its cost matrix.

    Returns
    -------
    float
        The bound, ``>= 0``.
    """
    if not isinstance(res, OTResult) or np.ndim(res.plan) != 2:
        raise TypeError(f"`res` must be the OTResult of one (non-batched) sinkhorn problem, "
                        f"got {type(res).__name__}")
    a, b = check_marginals(a, b)
    C = check_cost(C, a.shape[0], b.shape[0])
    if res.plan.shape != C.shape:
        raise ValueError(f"`res` solves a problem of shape {res.plan.shape}, but `C` has "
                         f"shape {C.shape}")
    ia, jb = a > 0, b > 0
    f, g = res.potentials[0][ia], res.potentials[1][jb]
    return gap_bound(res.marginal_error, a[ia], b[jb], C[np.ix_(ia, jb)], f, g, res.reg)


# ----------------------------------------------------------------------------------------
# Sinkhorn
# ----------------------------------------------------------------------------------------

@theorem(
    name="ot.sinkhorn_marginals",
    source="Cuturi (2013), Alg. 1; Altschuler, Weed & Rigollet (2017), Alg. 2 (rounding)",
    assumptions=("a, b >= 0 probability vectors (zero weights allowed)", "C finite",
                 "reg in [0.02, 1] x max C", "tol = 1e-9"),
    sample=sample_problem, sizes={"n": (2, 20), "m": (2, 20)}, n_instances=(6, 100),
    atol=1e-13, protocol=OT_PROTOCOL,
    tightness="the stopping rule halts at the first check below tol, so the ratio is the "
              "last step's error over tol (0.94 in the quick run) by design; no family is "
              "needed to attain it")
def _eval_marginals(inst, algorithm=None):
    """sinkhorn returns a plan P >= 0 with ||P1 - a||_1 + ||P^T 1 - b||_1 <= tol (stopping rule
    on the iterate; the returned rounded plan meets both), and no mass on zero-weight points
    """
    a, b, C, reg = inst["a"], inst["b"], inst["C"], inst["reg"]
    tol = inst.get("tol", 1e-9)
    if algorithm is not None:  # a user's plan: the same marginal checks on the plan itself
        P = np.asarray(algorithm(a, b, C, reg), dtype=float)
        if P.shape != C.shape:
            return np.inf, tol, np.inf
        err = float(np.abs(P.sum(1) - a).sum() + np.abs(P.sum(0) - b).sum())
        zero = float(P[a == 0].sum() + P[:, b == 0].sum())
        return max(float(-P.min()), 0.0) + err + zero, tol, np.inf
    res = _quiet(sinkhorn, a, b, C, reg, tol=tol, method=inst.get("method", "stabilized"))
    P = res.plan
    viol = max(float(-P.min()), 0.0)
    plan_err = float(np.abs(P.sum(1) - a).sum() + np.abs(P.sum(0) - b).sum())
    zero_mass = float(P[a == 0].sum() + P[:, b == 0].sum())
    measured = viol + max(res.marginal_error, plan_err) + zero_mass
    return (measured if res.success else np.inf), tol, np.inf


MARGINALS = _eval_marginals.theorem


@theorem(
    name="ot.weak_duality",
    source="Peyre & Cuturi (2019), Prop. 4.4 (entropic OT duality)",
    assumptions=("a, b probability vectors (zero weights allowed)", "reg in [0.02, 1] x max C"),
    sample=sample_problem, sizes={"n": (2, 20), "m": (2, 20)}, n_instances=(6, 100),
    atol=1e-13, protocol=SINKHORN_PROTOCOL,
    tightness="a sign claim: a correct solver has dual <= primal on every instance, and the "
              "margin form's ratio 1 - gap / (1 + |primal|) is within 1e-9 of 1 on all of them "
              "(converged solves), so every instance is near the boundary")
def _eval_weak_duality(inst, *, algorithm=None):
    """dual_objective <= OT_reg <= objective for sinkhorn (the objective is evaluated on the
    rounded, feasible plan); measured (dual - primal) / (1 + |primal|) <= 0

    Reported in margin form (:func:`_margin`, scale 1): measured ``1 + (dual - primal) / (1 +
    |primal|)`` against 1, so the ratio exceeds 1 exactly when weak duality fails.

    ``algorithm``: a user's solver through :data:`SINKHORN_PROTOCOL`; the dual value is
    recomputed from its potentials and the primal from its plan, which must be feasible (L1
    marginal error <= 1e-12, else the instance fails: an infeasible plan's objective bounds
    nothing).  Any potentials give a lower bound, so this catches plans that are not feasible
    (an unrounded or one-sided Sinkhorn) and wrong values; wrong potentials are caught by
    ``ot.sinkhorn_gap``.
    """
    a, b, C, reg = inst["a"], inst["b"], inst["C"], inst["reg"]
    if algorithm is not None:
        primal, dual, _, plan_err, _ = _user_certificate(algorithm, a, b, C, reg,
                                                         inst.get("tol", 1e-9))
        if not (plan_err <= _FEAS_TOL and np.isfinite(primal) and np.isfinite(dual)):
            return np.inf, 1.0
        return _margin((dual - primal) / (1.0 + abs(primal)), 1.0)
    res = _quiet(sinkhorn, a, b, C, reg, tol=inst.get("tol", 1e-9))
    scale = 1.0 + abs(res.objective)
    return _margin((res.dual_objective - res.objective) / scale, 1.0)


WEAK_DUALITY = _eval_weak_duality.theorem


def _sample_gap(rng, n=None, m=None):
    """:func:`sample_problem` with a stopping tolerance log-uniform in [1e-3, 1e-1]: the bound
    is first order in the marginal error and the gap second order, so only coarse tolerances
    give informative ratios (about 1e-2 against 1e-7 at tol = 1e-6)."""
    inst = sample_problem(rng, n=n, m=m)
    inst["tol"] = float(np.exp(rng.uniform(np.log(1e-3), np.log(1e-1))))
    return inst


@theorem(
    name="ot.sinkhorn_gap",
    source="Altschuler, Weed & Rigollet (2017), Lemma 7; derivation in "
           "equilibria.solvers.ot.theorems.sinkhorn_gap_bound",
    assumptions=("a, b probability vectors", "reg in [0.02, 1] x max C",
                 "tol log-uniform in [1e-3, 1e-1]"),
    sample=_sample_gap, sizes={"n": (2, 20), "m": (2, 20)}, n_instances=(6, 100),
    atol=1e-13, protocol=SINKHORN_PROTOCOL,
    tightness="the bound is first order in the marginal error delta while the gap of a "
              "Sinkhorn iterate is second order (gap ~ delta^2: ratio 5e-2 at tol 1e-1, 3e-7 at "
              "tol 1e-6), so no family attains it near convergence; instances use coarse "
              "tolerances, and tests pin the ratio there and the iteration count separately")
def _eval_gap(inst, *, algorithm=None):
    """objective - dual_objective <= (marginal_error/2) [osc C + osc g + reg + max(C - f - g) +
    reg log(1/w)]: the gap shrinks linearly with the tolerance

    ``algorithm``: a user's solver through :data:`SINKHORN_PROTOCOL`; the gap (its plan's
    objective minus the dual value of its potentials) and the bound (at the marginal error of
    the Gibbs iterate of its potentials) are recomputed.  The instance fails when the plan is
    not feasible (L1 error > 1e-12) or the iterate misses ``tol``: a solver that skips a
    marginal update, or reads ``reg`` with the wrong scaling, returns potentials whose iterate
    is far from the marginals.
    """
    a, b, C, reg = inst["a"], inst["b"], inst["C"], inst["reg"]
    if algorithm is not None:
        tol = inst.get("tol", 1e-6)
        primal, dual, err, plan_err, (fs, gs, ia, jb) = _user_certificate(algorithm, a, b, C,
                                                                          reg, tol)
        bound = gap_bound(err, a[ia], b[jb], C[np.ix_(ia, jb)], fs, gs, reg) \
            if np.isfinite(err) and np.all(np.isfinite(fs)) and np.all(np.isfinite(gs)) \
            else np.inf
        ok = plan_err <= _FEAS_TOL and err <= tol * (1 + 1e-6) + 1e-15 and np.isfinite(bound)
        return (primal - dual if ok else np.inf), (bound if np.isfinite(bound) else 0.0)
    res = _quiet(sinkhorn, a, b, C, reg, tol=inst.get("tol", 1e-6))
    return res.duality_gap, sinkhorn_gap_bound(res, a, b, C)


GAP = _eval_gap.theorem


def _sample_bias(rng, n=None, m=None):
    inst = sample_problem(rng, n=n, m=m)
    inst["reg"] = float(np.exp(rng.uniform(np.log(1e-3), np.log(0.1))) * inst["C"].max())
    return inst


def entropic_bias_bound(a, b, reg) -> float:
    """``reg min(H(a), H(b))``: the bound on ``OT_reg - OT_0`` (Peyre & Cuturi 2019, eq. (4.7)
    with ``H(P) >= max(H(a), H(b))``).  ``a``, ``b`` are probability vectors, ``reg > 0``."""
    a = check_simplex(a, "a", atol=1e-6)
    b = check_simplex(b, "b", atol=1e-6)
    reg = check_scalar(reg, "reg", lo=0, lo_inclusive=False)
    return reg * min(entropy(a), entropy(b))


def worst_case_bias(n, reg=0.05):
    """Uniform marginals on ``n`` points with cost ``1 - I``: OT_0 = 0 (the identity plan) and
    OT_reg = reg log n - O(reg n e^{-1/reg}), so the bias bound is attained up to ``e^{-1/reg}``
    (ratio 1.000 for ``reg <= 0.05``).  ``2 <= n <= 10**4``, ``reg > 0``."""
    n = check_int(n, "n", lo=2, hi=10**4)
    reg = check_scalar(reg, "reg", lo=0, lo_inclusive=False)
    a = np.full(n, 1.0 / n)
    return {"a": a, "b": a.copy(), "C": 1.0 - np.eye(n), "reg": float(reg)}


@theorem(
    name="ot.entropic_bias",
    tightness="Uniform marginals with cost C = 1 - I: OT_reg - OT_0 = reg log n up to e^(-1/reg) "
              "(worst_case_bias) (tests/ot/test_i13_checks.py::"
              "test_entropic_bias_attained_on_uniform_one_minus_identity, ratio >= 0.999)",
    source="Peyre & Cuturi (2019), Prop. 4.1 and eq. (4.7); H(P) >= max(H(a), H(b)) "
           "(Cover & Thomas 2006, Thm 2.6.5 / 2.2.1)",
    assumptions=("a, b probability vectors", "reg log-uniform in [1e-3, 1] x max C"),
    sample=_sample_bias, sizes={"n": (2, 14), "m": (2, 14)}, n_instances=(5, 100), atol=1e-9,
    examples=12, protocol=OT_PROTOCOL)
def _eval_bias(inst, algorithm=None):
    """0 <= OT_reg - OT_0 <= reg min(H(a), H(b)) <= reg log min(n, m) <= reg (log n + log m) for
    OT_reg = min <C,P> + reg KL(P || a b^T); checked through the certified interval
    [dual_objective, objective] and HiGHS for OT_0
    """
    a, b, C, reg = inst["a"], inst["b"], inst["C"], inst["reg"]
    ot0 = exact_ot(a, b, C).cost
    bound = entropic_bias_bound(a, b, reg)
    trivial = float(a @ C @ b) - ot0  # OT_reg <= <C, a b^T> (KL = 0 there)
    if algorithm is not None:
        # a user's plan: its objective certifies OT_reg from above if it is feasible
        P = np.asarray(algorithm(a, b, C, reg), dtype=float)
        feas = P.shape == C.shape and float(np.abs(P.sum(1) - a).sum()
                                            + np.abs(P.sum(0) - b).sum()) <= 1e-8
        obj = _plan_objective(P, a, b, C, reg) if feas else np.inf
        return obj - ot0, bound, trivial
    res = _quiet(sinkhorn, a, b, C, reg, tol=1e-10)
    # certified interval dual <= OT_reg <= objective: the upper side is measured with the
    # feasible plan's objective (a certified upper value); the lower side OT_0 <= OT_reg,
    # checked with the dual, makes the instance fail (inf) when violated
    if ot0 - res.objective > 1e-9 * (1.0 + abs(ot0)):
        return np.inf, bound, trivial
    return res.objective - ot0, bound, trivial


BIAS = _eval_bias.theorem


def _sample_envelope(rng, n=None, m=None):
    inst = sample_problem(rng, n=n, m=m, max_size=12)
    inst["reg"] = float(np.exp(rng.uniform(np.log(0.05), 0.0)))
    inst["seed"] = int(rng.integers(2**31))
    return inst


@theorem(
    name="ot.envelope",
    source="Peyre & Cuturi (2019), Prop. 9.2 (Danskin / envelope theorem); Cuturi & Doucet "
           "(2014)",
    assumptions=("a, b probability vectors", "reg in [0.05, 1]", "tol = 1e-12"),
    sample=_sample_envelope, sizes={"n": (2, 10), "m": (2, 10)}, n_instances=(3, 50),
    examples=8, protocol=OT_PROTOCOL + " (solved to high accuracy: OT_reg(C +- h E) is read "
    "as the objective of the plans for C +- h E, which must be feasible to 1e-12 in L1)",
    tightness="an identity checked by finite differences: the measured error is the O(h^2) "
              "truncation plus solver error, and the tolerance 1e-6 (1 + |<P*, E>|) is a "
              "numerical allowance, not a bound with an extremal instance")
def _eval_envelope(inst, *, algorithm=None):
    """d OT_reg / dC = P* : the central difference of OT_reg along a random direction E with
    step h = 1e-4 matches <P*, E> within 1e-6 (1 + |<P*, E>|)

    ``algorithm``: a user's solver through :data:`OT_PROTOCOL`, called on ``C`` and ``C +- h
    E``; OT_reg(C +- h E) is recomputed as the objective of the returned plans (feasible to
    1e-12, else the instance fails).  The objective of a feasible plan is second order in its
    distance to P*, so an accurate solver reproduces the derivative; a plan optimal for
    another ``reg`` (a wrong scaling) does not, since the objective is then not stationary at it.
    """
    a, b, C, reg = inst["a"], inst["b"], inst["C"], inst["reg"]
    rng = np.random.default_rng(inst.get("seed", 0))
    E = rng.standard_normal(C.shape)
    h = 1e-4 * max(1.0, float(np.abs(C).max()))
    if algorithm is not None:
        plans = [np.asarray(algorithm(a, b, Ck, reg), dtype=float)
                 for Ck in (C, C + h * E, C - h * E)]
        if any(P.shape != C.shape or not np.all(np.isfinite(P))
               or np.abs(P.sum(1) - a).sum() + np.abs(P.sum(0) - b).sum() > _FEAS_TOL
               for P in plans):
            return np.inf, 1e-6
        exact = float(np.sum(plans[0] * E))
        fd = (_plan_objective(plans[1], a, b, C + h * E, reg)
              - _plan_objective(plans[2], a, b, C - h * E, reg)) / (2 * h)
        return (abs(fd - exact) if np.isfinite(fd) else np.inf), 1e-6 * (1.0 + abs(exact))
    kw = dict(tol=1e-12, max_iter=100_000)
    res = _quiet(sinkhorn, a, b, C, reg, **kw)
    up = _quiet(sinkhorn, a, b, C + h * E, reg, init=res.potentials, **kw).dual_objective
    dn = _quiet(sinkhorn, a, b, C - h * E, reg, init=res.potentials, **kw).dual_objective
    fd = (up - dn) / (2 * h)
    exact = float(np.sum(res.plan * E))
    return abs(fd - exact), 1e-6 * (1.0 + abs(exact))


ENVELOPE = _eval_envelope.theorem


# ----------------------------------------------------------------------------------------
# smooth OT
# ----------------------------------------------------------------------------------------

#: the protocol of a user's entropic smooth-dual solver (``ot.smooth_entropy_matches_sinkhorn``)
SMOOTH_ENTROPY_PROTOCOL = (
    "f(a, b, C, reg) -> (f, g): dual potentials f (n,), g (m,) of the entropic smooth dual "
    "max <a,f> + <b,g> - reg sum_ij a_i b_j (exp((f_i + g_j - C_ij)/reg) - 1) (Blondel et al. "
    "2018, eq. (7) with Omega = reg KL(. || a b^T)), solved to about 1e-8; the dual value is "
    "recomputed from (f, g) on the support of a b^T, nothing reported is trusted; e.g. "
    "lambda a, b, C, reg: equilibria.solvers.ot.smooth_ot(a, b, C, reg, regularizer='entropy', "
    "tol=1e-8).potentials")


def _entropic_dual(f, g, a, b, C, reg):
    """``<a, f> + <b, g> - reg (sum Q - 1)`` with ``Q = a b^T exp((f + g - C) / reg)`` on the
    support of ``a b^T`` (the entropic dual value of potentials; ``nan``/``inf`` kept)."""
    ia, jb = a > 0, b > 0
    fs, gs = f[ia], g[jb]
    with np.errstate(over="ignore", invalid="ignore"):
        Q = np.outer(a[ia], b[jb]) * np.exp((fs[:, None] + gs[None, :] - C[np.ix_(ia, jb)])
                                            / reg)
        return float(a[ia] @ fs + b[jb] @ gs - reg * (Q.sum() - 1.0))


def _sample_smooth(rng, n=None, m=None):
    inst = sample_problem(rng, n=n, m=m, max_size=16)
    inst["reg"] = float(np.exp(rng.uniform(np.log(0.1), 0.0)) * inst["C"].max())
    inst["formulation"] = "dual" if rng.random() < 0.5 else "semi_dual"
    return inst


@theorem(
    name="ot.smooth_entropy_matches_sinkhorn",
    source="Blondel, Seguy & Rolet (2018), Sec. 3 (the entropic smooth dual is the Sinkhorn "
           "dual); Peyre & Cuturi (2019), Prop. 4.4",
    assumptions=("a, b probability vectors", "reg in [0.1, 1] x max C",
                 "formulation dual or semi-dual"),
    sample=_sample_smooth, sizes={"n": (2, 14), "m": (2, 14)}, n_instances=(3, 50),
    examples=10, protocol=SMOOTH_ENTROPY_PROTOCOL,
    tightness="an identity (both solvers compute the same dual): the measured difference is "
              "rounding and solver accuracy, so no instance approaches the allowance")
def _eval_smooth_vs_sinkhorn(inst, *, algorithm=None):
    """smooth_ot(regularizer='entropy') and sinkhorn solve the same problem: their dual values
    agree within sinkhorn's duality gap + 1e-7 (1 + |OT_reg|), and the smooth dual value never
    exceeds sinkhorn's feasible primal value

    ``algorithm``: a user's entropic smooth-dual solver through
    :data:`SMOOTH_ENTROPY_PROTOCOL`; its dual value is recomputed from the potentials it
    returns (:func:`_entropic_dual`) and compared with sinkhorn's certified interval.  A solver
    that reads ``reg`` with the wrong scaling, or stops too early, returns potentials whose
    dual value is off by far more than the allowance.
    """
    a, b, C, reg = inst["a"], inst["b"], inst["C"], inst["reg"]
    sk = _quiet(sinkhorn, a, b, C, reg, tol=1e-11)
    bound = sk.duality_gap + 1e-7 * (1.0 + abs(sk.objective))
    if algorithm is not None:
        out = check_algorithm(algorithm, SMOOTH_ENTROPY_PROTOCOL)(a, b, C, reg)
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise TypeError("`algorithm` must return the potentials (f, g), got "
                            f"{type(out).__name__}")
        f = user_array(out[0], a.shape, "the potential f")
        g = user_array(out[1], b.shape, "the potential g")
        D = _entropic_dual(f, g, a, b, C, reg)
        if not np.isfinite(D):
            return np.inf, bound
        return max(abs(D - sk.dual_objective), D - sk.objective), bound
    sm = _quiet(smooth_ot, a, b, C, reg, regularizer="entropy",
                formulation=inst.get("formulation", "semi_dual"), tol=1e-8)
    # both dual values are lower bounds on OT_reg <= sk.objective; measured: the distance
    # between the two certified values
    measured = max(abs(sm.dual_objective - sk.dual_objective), sm.dual_objective - sk.objective)
    return measured, bound


SMOOTH_MATCH = _eval_smooth_vs_sinkhorn.theorem


def _sample_smooth_weak(rng, n=None, m=None):
    inst = sample_problem(rng, n=n, m=m)
    inst["code"] = int(rng.integers(2))
    inst["seed"] = int(rng.integers(2**31))
    inst["reg"] = float(np.exp(rng.uniform(np.log(0.1), 0.0)))
    return inst


@theorem(
    name="ot.smooth_weak_duality",
    source="Blondel, Seguy & Rolet (2018), Prop. 1-2",
    assumptions=("a, b probability vectors (zero weights allowed)", "alpha, beta ~ N(0, 1/4)",
                 "gamma in [0.1, 1]"),
    sample=_sample_smooth_weak, sizes={"n": (2, 20), "m": (2, 20)}, n_instances=(10, 200),
    atol=1e-12,
    no_algorithm="an inequality between the package's own closed-form dual and semi-dual "
                 "value formulas at random dual points and the fixed plan a b^T; no solver "
                 "runs, so there is nothing a user's implementation would replace (a user's "
                 "smooth solver is checked by ot.smooth_entropy_matches_sinkhorn)",
    tightness="weak duality holds with a slack that depends on the (random) dual point; the "
              "margin form reports 1 + violation / (1 + |primal|), and equality needs the dual "
              "optimum, which random points do not hit")
def _eval_smooth_weak(inst):
    """for every alpha, beta: D(alpha, beta) <= S(alpha) <= <C,T> + Omega(T) for every feasible
    T (here T = a b^T), for Omega = (gamma/2)||.||^2 and gamma KL(. || ab^T)
    """
    a, b, C, reg = inst["a"], inst["b"], inst["C"], inst["reg"]
    rng = np.random.default_rng(inst.get("seed", 0))
    code = inst.get("code", 0)
    alpha = rng.standard_normal(len(a)) * 0.5
    beta = rng.standard_normal(len(b)) * 0.5
    D = dual_value(alpha, beta, a, b, C, reg, code, len(a))[0]
    S = semi_dual_value(alpha, a, b, C, reg, code, len(a))[0]
    T = np.outer(a, b)  # a feasible plan
    if code == 0:
        primal = float((C * T).sum() + 0.5 * reg * (T * T).sum())
    else:
        primal = float((C * T).sum())  # KL(a b^T || a b^T) = 0
    scale = 1.0 + abs(primal)
    return _margin(max(D - S, S - primal) / scale, 1.0)


SMOOTH_WEAK = _eval_smooth_weak.theorem


# ----------------------------------------------------------------------------------------
# sparsity-constrained OT
# ----------------------------------------------------------------------------------------

#: the protocol of a user's sparsity-constrained OT solver (``ot.sparse_cardinality``)
SPARSE_PROTOCOL = (
    "f(a, b, C, reg, max_nz) -> plan: the (n, m) plan of the sparsity-constrained "
    "(top-max_nz per column) quadratically regularized OT in semi-dual form (Liu, Puigcerver "
    "& Blondel 2023, eq. (9)): P >= 0, at most max_nz nonzeros per column, column sums "
    "exactly b; support and marginals are measured on the plan itself; e.g. lambda a, b, C, "
    "reg, k: equilibria.solvers.ot.sparse_ot(a, b, C, reg, k, formulation='semi_dual', "
    "max_iter=100).plan")


def _sample_sparse(rng, n=None, m=None):
    inst = sample_problem(rng, n=n, m=m)
    inst["reg"] = float(np.exp(rng.uniform(np.log(0.05), 0.0)))
    inst["max_nz"] = int(rng.integers(1, len(inst["a"]) + 1))
    inst["seed"] = int(rng.integers(2**31))
    return inst


@theorem(
    name="ot.sparse_cardinality",
    tightness="A constant cost with uniform marginals and gamma = 1: the L2-regularized plan is "
              "dense, so the cap binds in every column for every max_nz < n "
              "(tests/verification/test_tightness_recorded.py::"
              "test_sparse_cardinality_cap_binds_on_constant_cost, ratio >= 1)",
    source="Liu, Puigcerver & Blondel (2023), eq. (9) and Prop. 4",
    assumptions=("a, b probability vectors (zero weights allowed)", "1 <= max_nz <= n",
                 "gamma in [0.05, 1]"),
    sample=_sample_sparse, sizes={"n": (2, 16), "m": (2, 16)}, n_instances=(5, 100),
    atol=1e-12, examples=12, protocol=SPARSE_PROTOCOL)
def _eval_sparse_cardinality(inst, *, algorithm=None):
    """sparse_ot(semi_dual) plans are >= 0, have at most max_nz nonzeros per column and meet the
    column marginals exactly (to 1e-12)

    Measured: the largest number of nonzeros in a column (``inf`` when a column marginal is off
    by more than 1e-12 or an entry is negative) against ``max_nz``; trivial maximum ``n``.
    Tight: the column maximum is ``max_nz`` on most drawn instances (ratio 1).

    ``algorithm``: a user's sparse OT solver through :data:`SPARSE_PROTOCOL`; the same
    measurement on the plan it returns (non-finite entries fail the instance).  A solver that
    drops the top-k constraint (the plain L2 plan) exceeds ``max_nz``; one that recovers the
    plan from the full dual (columns only approximately met) misses the column marginals.
    """
    a, b, C, reg, k = inst["a"], inst["b"], inst["C"], inst["reg"], inst["max_nz"]
    if algorithm is not None:
        P = user_array(check_algorithm(algorithm, SPARSE_PROTOCOL)(a, b, C, reg, k), C.shape,
                       "the plan")
        if not np.all(np.isfinite(P)):
            return np.inf, float(k), float(len(a))
    else:
        res = _quiet(sparse_ot, a, b, C, reg, k, formulation="semi_dual", max_iter=100)
        P = res.plan
    nnz = int((P > 0).sum(axis=0).max())
    col_err = float(np.abs(P.sum(0) - b).max())
    neg = max(float(-P.min()), 0.0)
    ok = col_err <= 1e-12 and neg <= 0.0
    return (float(nnz) if ok else np.inf), float(k), float(len(a))


SPARSE_CARD = _eval_sparse_cardinality.theorem


@theorem(
    name="ot.sparse_limits",
    source="Liu, Puigcerver & Blondel (2023), Props. 2-3",
    assumptions=("a, b probability vectors (zero weights allowed)", "alpha, beta ~ N(0, 1/4)",
                 "gamma in [0.05, 1]", "1 <= max_nz <= n"),
    sample=_sample_sparse, sizes={"n": (2, 20), "m": (2, 20)}, n_instances=(10, 300),
    atol=0.0,
    no_algorithm="exact identities of the package's own closed-form top-k semi-dual and dual "
                 "value formulas at random dual points (k >= n, k = 1); no solver runs, so "
                 "there is nothing a user's implementation would replace (a user's sparse "
                 "solver is checked by ot.sparse_cardinality)",
    tightness="exact identities and a weak-duality inequality: the measured error is rounding "
              "(about 1e-16 relative) against the explicit allowance 1e-12; no instance "
              "family approaches an allowance")
def _eval_sparse_identities(inst):
    """for every alpha, beta: S_k(alpha) = S_L2(alpha) when max_nz >= n; S_1(alpha) = S_0(alpha)
    + (gamma/2) sum_j b_j^2 (S_0 the unregularized semi-dual); D_k(alpha, beta) <= S_k(alpha)
    (the semi-dual bound is at least as tight)

    k >= n equals L2; k = 1 equals unregularized + gamma/2 sum b^2; D_k <= S_k.
    """
    a, b, C, reg, k = inst["a"], inst["b"], inst["C"], inst["reg"], inst["max_nz"]
    rng = np.random.default_rng(inst["seed"])
    n = len(a)
    alpha = rng.standard_normal(n) * 0.5
    beta = rng.standard_normal(len(b)) * 0.5
    s_full = semi_dual_value(alpha, a, b, C, reg, 2, n)[0]
    s_l2 = semi_dual_value(alpha, a, b, C, reg, 0, n)[0]
    s1 = semi_dual_value(alpha, a, b, C, reg, 2, 1)[0]
    s0 = float(alpha @ a - b @ (alpha[:, None] - C).max(axis=0))
    sk = semi_dual_value(alpha, a, b, C, reg, 2, k)[0]
    dk = dual_value(alpha, beta, a, b, C, reg, 2, k)[0]
    scale = 1.0 + abs(s_l2) + abs(s0)
    return max(abs(s_full - s_l2), abs(s1 - s0 - 0.5 * reg * float(b @ b)), dk - sk) / scale, \
        1e-12


SPARSE_ID = _eval_sparse_identities.theorem


THEOREMS = (MARGINALS, WEAK_DUALITY, GAP, BIAS, ENVELOPE, SMOOTH_MATCH, SMOOTH_WEAK,
            SPARSE_CARD, SPARSE_ID)
