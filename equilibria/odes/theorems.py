"""Theorems of the dynamics room (the coexistence model and the machinery for any system),
registered for ``equilibria verify``.

Each theorem draws instances from its assumptions; the same ``sample``/``evaluate`` pairs are
used by the hypothesis property tests in ``tests/odes`` (``sizes`` are the sampler's size
keywords hypothesis chooses).  A theorem is declared by ``@theorem`` on its ``evaluate`` (or
experiment) function, whose docstring's first paragraph is the statement.
"""

from __future__ import annotations

import numpy as np

from equilibria.theory.stability import (diagonal_stability, is_m_matrix, is_p_matrix,
                                         lcp_enumerate, saturated_equilibrium, solve_lcp,
                                         symmetric_margin)
from equilibria.verification import BoundData, theorem
from equilibria.verification.user import check_algorithm as _check_algorithm
from equilibria.verification.user import user_array as _user_array

from equilibria._lib.validation import (as_float_array, check_int, check_psd, check_scalar,
                                        check_square)

from .model import CoexistenceModel
from .systems import LVSystem

__all__ = ["VOLTERRA", "WEYL", "RECIPROCITY", "P_MATRIX", "LOCAL", "PRESETS_THM",
           "sample_volterra", "sample_weyl", "sample_cooperative", "sample_p_matrix",
           "sample_glv", "evaluate_volterra", "evaluate_weyl", "evaluate_reciprocity",
           "evaluate_p_matrix", "evaluate_local", "preset_violations", "LYAPUNOV_LINEAR",
           "LYAPUNOV_SUM", "sample_linear_flow", "sample_lorenz", "evaluate_lyapunov_linear",
           "evaluate_lyapunov_sum"]


def _rng(rng) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"`rng` must be a numpy Generator, got {type(rng).__name__}")
    return rng


def _size(n, default, lo, hi) -> int:
    """The size keyword of a sampler: ``default()`` when ``None``, else an int in [lo, hi]."""
    return default() if n is None else check_int(n, "n", lo=lo, hi=hi)


def _inst(inst, keys) -> dict:
    if not isinstance(inst, dict):
        raise TypeError(f"`inst` must be a dict (a sampled instance), got {type(inst).__name__}")
    missing = [k for k in keys if k not in inst]
    if missing:
        raise ValueError(f"`inst` lacks the key(s) {missing}")
    return inst


def _glv_instance(inst):
    """``A`` (square, finite) and ``r`` (matching) of a GLV instance."""
    A = check_square(inst["A"], "A")
    if A.shape[0] == 0:
        raise ValueError("`A` must be non-empty, got shape (0, 0)")
    r = as_float_array(inst["r"], "r", shape=(A.shape[0],))
    return A, r


#: the protocol of a user's integrator on ``odes.volterra_global_convergence``
INTEGRATOR_PROTOCOL = (
    "f(system, X0, t_end) -> X_end: an integrator of the GLV flow x' = x (r + A x); system is "
    "an equilibria.odes.LVSystem (attributes r, A; field(x) -> dx/dt, jacobian(x)), X0 a (k, n) "
    "array of positive initial states (rows), t_end the horizon (4000); returns the (k, n) "
    "array of states at t_end (NaN rows for failed orbits, judged as a violation); e.g. "
    "equilibria.odes.theorems.volterra_protocol_integrator (LVSystem.simulate_batch at rtol 1e-9, "
    "atol 1e-12, ftol 1e-11)")


def volterra_protocol_integrator(system, X0, t_end):
    """The package's integrator through :data:`INTEGRATOR_PROTOCOL`.

    Parameters
    ----------
    system : LVSystem
        The GLV system.
    X0 : ndarray, shape (k, n)
        Positive initial states.
    t_end : float
        Horizon ``> 0``.

    Returns
    -------
    ndarray, shape (k, n)
        The end states of :meth:`LVSystem.simulate_batch` (rtol 1e-9, atol 1e-12, ftol 1e-11:
        a row stops once ``max_i |f_i(x)| <= 1e-11``); all NaN when the batch did not succeed.
    """
    run = system.simulate_batch(X0, t_end, rtol=1e-9, atol=1e-12, ftol=1e-11, warn=False)
    return run.x if run.success else np.full(np.shape(X0), np.nan)


#: the protocol of a user's LCP solver on ``odes.p_matrix_unique_lcp``
LCP_PROTOCOL = (
    "f(M, q) -> z: a solver of the linear complementarity problem z >= 0, w = M z + q >= 0, "
    "z^T w = 0 for a square M (n x n, n <= 8) and q (n,); returns z, a real array of shape (n,) "
    "(NaN when it fails, judged as a violation); its distance to the unique solution found by "
    "support enumeration is measured; e.g. equilibria.odes.theorems.lcp_protocol_solver "
    "(equilibria.theory.stability.solve_lcp, Murty's least-index pivoting)")


def lcp_protocol_solver(M, q):
    """The package's LCP solver through :data:`LCP_PROTOCOL`.

    Parameters
    ----------
    M : ndarray, shape (n, n)
        The LCP matrix.
    q : ndarray, shape (n,)
        The LCP vector.

    Returns
    -------
    ndarray, shape (n,)
        ``z`` of :func:`~equilibria.theory.stability.solve_lcp` (Murty's least-index
        principal pivoting), all NaN when it reports ``success=False``.
    """
    res = solve_lcp(M, q)
    return res.z if res.success else np.full(np.shape(q), np.nan)


#: the protocol of a user's local stability classifier on ``odes.local_stability_agrees``
STABILITY_PROTOCOL = (
    "f(A, r, x) -> float: the stability exponent of the GLV flow x' = x (r + A x) at its "
    "equilibrium x (A (n, n), r (n,), x (n,) >= 0), max Re lambda of the Jacobian "
    "diag(r + A x) + diag(x) A; negative means locally asymptotically stable, positive "
    "unstable; only its sign is judged, against a simulated perturbation (the perturbation and "
    "horizon are the package's); e.g. equilibria.odes.theorems.stability_protocol_classifier")


def stability_protocol_classifier(A, r, x):
    """The package's spectral classifier through :data:`STABILITY_PROTOCOL`.

    Parameters
    ----------
    A : ndarray, shape (n, n)
        Interaction matrix.
    r : ndarray, shape (n,)
        Intrinsic rates.
    x : ndarray, shape (n,)
        An equilibrium (nonnegative).

    Returns
    -------
    float
        ``max Re lambda(J(x))``, ``J = diag(r + A x) + diag(x) A`` (:meth:`LVSystem.jacobian`),
        as :meth:`LVSystem.equilibria` computes it.
    """
    J = LVSystem(r=r, A=A).jacobian(x)
    return float(np.max(np.linalg.eigvals(J).real))


#: the protocol of a user's Lyapunov-spectrum estimator (``odes.lyapunov_*``)
LYAPUNOV_PROTOCOL = (
    "f(system, x0, *, n_steps, transient, dt, seed) -> exponents: an estimator of the full "
    "Lyapunov spectrum of the flow system (an equilibria.odes.ODE: dim, rhs(x) -> dx/dt, "
    "jacobian(x) -> (dim, dim)) from x0 (dim,), e.g. the QR (Benettin) method with n_steps "
    "renormalisations dt apart after transient discarded ones (seed: the random initial "
    "tangent frame); returns the dim exponents in decreasing order, a real array (NaN when the "
    "run fails, judged as a violation); e.g. equilibria.odes.theorems.lyapunov_protocol_estimator "
    "(equilibria.odes.lyapunov_spectrum)")


def lyapunov_protocol_estimator(system, x0, *, n_steps, transient, dt, seed):
    """The package's estimator through :data:`LYAPUNOV_PROTOCOL`.

    Parameters
    ----------
    system : ODE
        The flow.
    x0 : ndarray, shape (dim,)
        Initial state.
    n_steps, transient : int
        Renormalisations averaged and discarded first.
    dt : float
        Time between renormalisations.
    seed : int
        Seed of the initial orthonormal tangent frame.

    Returns
    -------
    ndarray, shape (dim,)
        :func:`equilibria.odes.lyapunov_spectrum`'s exponents
        ``lambda_i = (1/(N dt)) sum_j log |R_ii^(j)|`` (NaN when it failed).
    """
    from .dynamical import IntegratorOptions
    from .mapper import lyapunov_spectrum

    res = lyapunov_spectrum(system, x0, n_steps=n_steps, transient=transient,
                            options=IntegratorOptions(dt=dt), seed=seed, progress=False,
                            warn=False)
    return res.exponents if res.success else np.full(system.dim, np.nan)


def _user_exponents(algorithm, system, x0, n_steps, transient, seed):
    """A user's Lyapunov spectrum (:data:`LYAPUNOV_PROTOCOL`), validated: an ``(dim,)`` array."""
    out = _check_algorithm(algorithm, LYAPUNOV_PROTOCOL)(
        system, np.array(x0, dtype=float), n_steps=n_steps, transient=transient, dt=LYAP_DT,
        seed=seed)
    return _user_array(out, (system.dim,), "the Lyapunov exponents")


#: largest sizes the samplers draw (P-matrix rejection and support enumeration are 2^n)
MAX_N = {"volterra": 200, "weyl": 500, "p_matrix": 8, "glv": 12}


# ------------------------------------------------------------------------------ Volterra
def sample_volterra(rng, n=None):
    """A GLV system with ``A`` Volterra stable by construction:
    ``A = D^{-1} (S - P)``, ``D`` positive diagonal, ``S`` skew, ``P`` positive definite, so
    ``D A + A^T D = -2 P``; ``r`` of mixed sign; ``n`` in [1, 200]."""
    rng = _rng(rng)
    n = _size(n, lambda: int(rng.integers(2, 7)), 1, MAX_N["volterra"])
    d = rng.uniform(0.5, 2.0, n)
    B = rng.normal(size=(n, n)) / np.sqrt(n)
    P = B @ B.T + rng.uniform(0.2, 1.0) * np.eye(n)
    C = rng.normal(size=(n, n)) * rng.uniform(0.0, 1.5)
    S = C - C.T
    A = (S - P) / d[:, None]
    r = rng.uniform(-0.5, 2.0, n)
    X0 = np.exp(rng.uniform(np.log(0.05), np.log(3.0), size=(8, n)))
    return {"A": A, "r": r, "X0": X0}


@theorem(
    name="odes.volterra_global_convergence",
    tightness="None known: a limit statement (convergence as t -> infinity) checked at t = 4000 "
              "against the numerical tolerance 1e-4 (1 + |x*|), not a bound with a constant; drawn "
              "instances (dissipation P >= 0.2 I) sit far below it (quick-run ratio 7e-6), and a "
              "weakly dissipative family would only break the finite-time tolerance, not approach "
              "a stated constant (tests/odes/test_i13_checks.py::"
              "test_volterra_check_fails_against_a_wrong_equilibrium shows the check can fail)",
    source="Goh (1979); Takeuchi & Adachi (1980), Thm 3.1; Takeuchi (1996), Thm 3.2.1",
    assumptions=("A = D^{-1}(S - P), D > 0 diagonal, S skew, P > 0", "r in [-0.5, 2]^n",
                 "n in 2..6", "interior initial conditions"),
    sample=sample_volterra, sizes={"n": (2, 6)}, n_instances=(4, 40), examples=8,
    protocol=INTEGRATOR_PROTOCOL)
def evaluate_volterra(inst, *, algorithm=None):
    """If a positive diagonal D makes D A + A^T D negative definite (found by the LMI of
    diagonal_stability), every interior trajectory of x' = x(r + Ax) converges to the unique
    saturated equilibrium, the solution of LCP(-A, -r).

    Measured: max distance of 8 interior trajectories' end states to the LCP solution
    (``inf`` when the LMI finds no certificate); bound ``1e-4 (1 + |x*|)``.  ``algorithm``:
    a user's integrator through :data:`INTEGRATOR_PROTOCOL` computes the end states at
    ``t = 4000`` in place of :meth:`LVSystem.simulate_batch` (a non-finite row is a
    violation)."""
    A, r = _glv_instance(_inst(inst, ("A", "r", "X0")))
    system = LVSystem(r=r, A=A)
    X0 = system.check_state(inst["X0"], "X0", ndim=2)
    if X0.shape[0] == 0 or np.any(X0 <= 0):
        raise ValueError("`X0` must hold at least one interior (positive) initial state")
    cert = diagonal_stability(A)
    if not cert.certified:
        return np.inf, 0.0
    lcp = saturated_equilibrium(A, r)
    x_star = lcp.z
    if not lcp.success or not np.all(np.isfinite(x_star)):
        return np.inf, 0.0
    if algorithm is None:
        run = system.simulate_batch(X0, 4000.0, rtol=1e-9, atol=1e-12, ftol=1e-11, warn=False)
        ok, X_end = run.success, run.x
    else:
        X_end = _user_array(_check_algorithm(algorithm, INTEGRATOR_PROTOCOL)(
            system, X0.copy(), 4000.0), X0.shape, "the end states")
        ok = bool(np.all(np.isfinite(X_end)))
    if not ok:  # a diverged or failed orbit: a violation, not a pass
        return np.inf, 1e-4 * (1.0 + float(np.max(np.abs(x_star))))
    err = float(np.max(np.abs(X_end - x_star)))
    return err, 1e-4 * (1.0 + float(np.max(np.abs(x_star))))


VOLTERRA = evaluate_volterra.theorem


# ------------------------------------------------------------------------------ Weyl
def sample_weyl(rng, n=None):
    """A non-symmetric ``J0``, a PSD ``G = C C^T`` of random rank and a grid of ``g``
    (``n`` in [1, 500])."""
    rng = _rng(rng)
    n = _size(n, lambda: int(rng.integers(2, 9)), 1, MAX_N["weyl"])
    J0 = rng.normal(size=(n, n))
    C = rng.normal(size=(n, int(rng.integers(1, n + 1))))
    return {"J0": J0, "G": C @ C.T, "g": np.sort(rng.uniform(0, 5, 25))}


@theorem(
    name="odes.governance_margin_monotone",
    tightness="An exact monotonicity check: measured is the largest decrease of the symmetric-part "
              "margin between consecutive g, bound 0; no slack to be tight about (a flat margin, G "
              "v = 0 on the top eigenvector v of sym(J0), meets it with equality) "
              "(tests/odes/test_i13_checks.py::"
              "test_governance_check_fails_with_the_eigenvalue_margin shows the check can fail)",
    source="Weyl's monotonicity theorem, Horn & Johnson (2013), Cor. 4.3.12",
    assumptions=("J0 arbitrary real n x n", "G = C C^T", "g in [0, 5]"),
    sample=sample_weyl, sizes={"n": (2, 8)}, n_instances=(20, 300), atol=1e-10,
    no_algorithm="a property of the matrix family J0 - g G (Weyl's monotonicity of the "
                 "symmetric part's top eigenvalue), computed by a dense eigensolver: nothing a "
                 "user implements")
def evaluate_weyl(inst):
    """For G positive semidefinite, the symmetric-part margin -lambda_max(sym(J0 - g G)) is
    nondecreasing in g (eigenvalue margins of non-symmetric J need not be).

    Measured: largest decrease of the symmetric-part margin between consecutive ``g``."""
    inst = _inst(inst, ("J0", "G", "g"))
    J0 = check_square(inst["J0"], "J0")
    G = check_psd(as_float_array(inst["G"], "G", ndim=2), "G", tol=1e-6)
    if G.shape != J0.shape:
        raise ValueError(f"`G` must have the shape of `J0` {J0.shape}, got {G.shape}")
    gs = as_float_array(inst["g"], "g", ndim=1, nonneg=True, min_size=1)
    if np.any(np.diff(gs) < 0):
        raise ValueError("`g` must be a nondecreasing grid of governance strengths")
    with np.errstate(over="ignore", invalid="ignore"):
        Js = [J0 - g * G for g in gs]
    if not all(np.all(np.isfinite(J)) for J in Js):
        raise ValueError("`g` * `G` overflows: scale `g` or `G` down")
    m = np.array([symmetric_margin(J) for J in Js])
    return float(np.max(m[:-1] - m[1:], initial=0.0)), 0.0


WEYL = evaluate_weyl.theorem


# ------------------------------------------------------------------------------ reciprocity
def sample_cooperative(rng):
    """A coexistence model without conflict, ``-A`` a nonsingular M-matrix, and a
    nonnegative increase of the reciprocity weights keeping ``-A`` an M-matrix."""
    rng = _rng(rng)
    nh, na = int(rng.integers(1, 3)), int(rng.integers(1, 3))
    for _ in range(50):
        w = rng.uniform(0, 1, (3, nh, na))
        kw = dict(n_h=nh, n_a=na, r_h=rng.uniform(0.2, 1.5, (3, nh)),
                  r_a=rng.uniform(0.2, 1.5, (3, na)), s_h=rng.uniform(1.0, 2.0, (3, nh)),
                  s_a=rng.uniform(1.0, 2.0, (3, na)), w=w, gain_h=rng.uniform(0, 0.5),
                  gain_a=rng.uniform(0, 0.5), c=0.0, diffusion=rng.uniform(0, 0.1),
                  inter_layer=rng.uniform(0, 0.1), g=rng.uniform(0, 2), burden=0.0)
        base = CoexistenceModel(**kw)
        more = base.replace(w=w + rng.uniform(0, 0.5, w.shape) * (rng.random(w.shape) < 0.5))
        if is_m_matrix(-base.interaction) and is_m_matrix(-more.interaction):
            return {"base": base, "more": more}
    raise RuntimeError("could not draw a cooperative instance")  # pragma: no cover


@theorem(
    name="odes.reciprocity_monotone",
    tightness="An exact monotonicity check: measured is the largest decrease of a component of x* "
              "when the weights grow, bound 0; no slack to be tight about (an unchanged w gives "
              "equality) (tests/odes/test_i13_checks.py::"
              "test_reciprocity_check_fails_when_weights_decrease shows the check can fail)",
    source="Berman & Plemmons (1994), Ch. 6 (inverse of a nonsingular M-matrix is nonnegative "
           "and monotone in the off-diagonal entries)",
    assumptions=("c = 0", "default G (identity + Laplacian, a Z-matrix)", "-A M-matrix before "
                 "and after the increase", "r > 0"),
    sample=sample_cooperative, n_instances=(10, 200), atol=1e-10,
    no_algorithm="a property of the model: the closed form x* = -A^{-1} r (nonnegative, "
                 "monotone inverse of an M-matrix) solved by a dense linear solve; nothing a "
                 "user implements")
def evaluate_reciprocity(inst):
    """In the cooperative case (no conflict, G a Z-matrix) with -A a nonsingular M-matrix and
    r > 0, x* = -A^{-1} r is nondecreasing in every reciprocity weight.

    Measured: largest decrease of a component of ``x* = -A^{-1} r`` when ``w`` grows."""
    inst = _inst(inst, ("base", "more"))
    for k in ("base", "more"):
        if not isinstance(inst[k], CoexistenceModel):
            raise TypeError(f"`inst`[{k!r}] must be a CoexistenceModel, got "
                            f"{type(inst[k]).__name__}")
    x0 = np.linalg.solve(-inst["base"].interaction, inst["base"].rates)
    x1 = np.linalg.solve(-inst["more"].interaction, inst["more"].rates)
    return float(np.max(x0 - x1)), 0.0


RECIPROCITY = evaluate_reciprocity.theorem


# ------------------------------------------------------------------------------ P-matrix
def sample_p_matrix(rng, n=None):
    """A P-matrix (rejection sampling from diagonally shifted Gaussian matrices, not
    necessarily with a positive definite symmetric part) and a vector ``q``; ``n`` in
    [1, 8].  After 10,000 rejections the diagonal shift grows (so the loop always ends)."""
    rng = _rng(rng)
    n = _size(n, lambda: int(rng.integers(1, 9)), 1, MAX_N["p_matrix"])
    shift = 0.0
    for k in range(1_000_000):
        M = rng.normal(size=(n, n)) + np.diag(rng.uniform(0.5, 3.0, n) + shift)
        if is_p_matrix(M):
            return {"M": M, "q": rng.normal(size=n)}
        if k >= 10_000:
            shift += 0.01
    raise RuntimeError("could not draw a P-matrix")  # pragma: no cover


@theorem(
    name="odes.p_matrix_unique_lcp",
    tightness="An exact agreement check: measured is |#solutions - 1| (extra or missing solutions) "
              "plus the distance of Murty's solution to the enumerated one, bound 0 up to the "
              "rounding allowance 1e-8; no slack to be tight about "
              "(tests/odes/test_i13_checks.py::"
              "test_p_matrix_check_fails_on_two_solutions_or_a_wrong_pivot shows the check can "
              "fail)",
    source="Samelson, Thrall & Wesler (1958); Cottle, Pang & Stone (1992), Thm 3.3.7, 4.2.6",
    assumptions=("M a P-matrix (all principal minors > 0)", "n <= 8", "q ~ N(0, I)"),
    sample=sample_p_matrix, sizes={"n": (1, 8)}, n_instances=(15, 200), protocol=LCP_PROTOCOL)
def evaluate_p_matrix(inst, *, algorithm=None):
    """If M (= -A) is a P-matrix, LCP(M, q) has exactly one solution for every q, and Murty's
    least-index pivoting finds it; hence the GLV saturated equilibrium is unique.

    Measured: ``|#solutions - 1|`` by brute-force support enumeration plus the distance of
    Murty's solution to it; bound ``1e-8``.  ``algorithm``: a user's LCP solver through
    :data:`LCP_PROTOCOL` in place of Murty's (a non-finite answer is a violation)."""
    inst = _inst(inst, ("M", "q"))
    M = check_square(inst["M"], "M")
    if M.shape[0] == 0 or M.shape[0] > 16:
        raise ValueError(f"`M` must be n x n with 1 <= n <= 16 (brute-force enumeration), got "
                         f"{M.shape}")
    q = as_float_array(inst["q"], "q", shape=(M.shape[0],))
    sols = lcp_enumerate(M, q)
    if algorithm is None:
        res = solve_lcp(M, q)
        ok, z = res.success, res.z
    else:
        z = _user_array(_check_algorithm(algorithm, LCP_PROTOCOL)(M.copy(), q.copy()),
                        q.shape, "z")
        ok = bool(np.all(np.isfinite(z)))
    if sols.shape[0] == 0 or not ok:
        return np.inf, 1e-8
    return abs(sols.shape[0] - 1) + float(np.max(np.abs(z - sols[0]))), 1e-8


P_MATRIX = evaluate_p_matrix.theorem


# ------------------------------------------------------------------------------ local stability
def sample_glv(rng, n=None):
    """A random GLV system with negative diagonal and its perturbation seed (``n`` in
    [1, 12])."""
    rng = _rng(rng)
    n = _size(n, lambda: int(rng.integers(2, 5)), 1, MAX_N["glv"])
    A = rng.normal(size=(n, n)) * 0.6 - np.diag(rng.uniform(0.5, 1.5, n))
    return {"A": A, "r": rng.uniform(-0.5, 1.5, n), "seed": int(rng.integers(2**31))}


@theorem(
    name="odes.local_stability_agrees",
    tightness="An exact agreement check: measured is a count of disagreements, bound 0; no slack "
              "to be tight about (spectral verdict against a simulated perturbation, per "
              "equilibrium) (tests/odes/test_i13_checks.py::"
              "test_local_stability_check_counts_flipped_verdicts shows the check can fail)",
    source="Lyapunov's indirect method, Khalil (2002), Thm 4.7",
    assumptions=("GLV, n in 2..4, negative diagonal", "|max Re lambda| >= 0.05",
                 "perturbation 1e-5, non-negative on zero coordinates, half along the leading "
                 "eigenvector when unstable"),
    sample=sample_glv, sizes={"n": (2, 4)}, n_instances=(6, 100), examples=10,
    protocol=STABILITY_PROTOCOL)
def evaluate_local(inst, *, min_gap=0.05, eps=1e-5, algorithm=None):
    """At an equilibrium with max Re(lambda) < 0 small perturbations decay; with max
    Re(lambda) > 0 a generic perturbation grows (checked by simulation over 4/|max Re| time
    units).

    Measured: number of equilibria (with ``|max Re lambda| >= min_gap``) whose spectral
    verdict disagrees with a simulated perturbation of size ``eps`` over ``T = 4/|max Re|``
    (stable: distance shrinks below half; unstable: grows beyond twice).  At a stable
    equilibrium whose Jacobian is far from normal, perturbations first grow or decay slowly
    (e.g. ``||exp(J T)||_2 = 0.70`` at ``T = 4/|max Re|`` on a drawn 4-species instance), so
    ``T`` is doubled until the linear flow contracts every direction by 4,
    ``||exp(J T)||_2 <= 1/4`` (at most ``256/|max Re|``).  At an unstable
    equilibrium the perturbation is half random, half along the leading eigenvector ``v``,
    with the random half reflected to ``d . v >= 0`` so that it cannot cancel the growing
    component.

    ``algorithm``: a user's classifier through :data:`STABILITY_PROTOCOL`; its sign replaces
    the spectral verdict (which equilibria are tested, the horizon and the perturbation stay
    the package's, so a classifier cannot skip an equilibrium; a zero or non-finite exponent
    counts as a disagreement)."""
    from equilibria._lib.rng import as_generator

    A, r = _glv_instance(_inst(inst, ("A", "r", "seed")))
    if A.shape[0] > MAX_N["glv"]:
        raise ValueError(f"`A` must be at most {MAX_N['glv']} x {MAX_N['glv']} (support "
                         f"enumeration), got {A.shape}")
    min_gap = check_scalar(min_gap, "min_gap", lo=0, lo_inclusive=False)
    eps = check_scalar(eps, "eps", lo=0, lo_inclusive=False, hi=1.0)
    rng = as_generator(inst["seed"])
    sys_ = LVSystem(r=r, A=A)
    eq = sys_.equilibria()
    bad = 0
    for p, mr in zip(eq.points, eq.max_re, strict=False):
        if abs(mr) < min_gap:
            continue
        verdict = mr
        if algorithm is not None:
            verdict = float(_user_array(_check_algorithm(algorithm, STABILITY_PROTOCOL)(
                A.copy(), r.copy(), p.copy()), (), "the stability exponent"))
            if not (np.isfinite(verdict) and verdict != 0.0):
                bad += 1
                continue
        d = rng.normal(size=sys_.n)
        d = np.where(p > 0, d, np.abs(d))
        d /= np.linalg.norm(d)
        if mr > 0:  # generic perturbation: half along the leading eigenvector
            ev, V = np.linalg.eig(sys_.jacobian(p))
            v = np.real(V[:, int(np.argmax(ev.real))])
            v = -v if np.any(v[p <= 0] < -1e-12) else v
            if np.any(v[p <= 0] < -1e-12):
                continue  # the unstable direction leaves the orthant: not a feasible test
            vhat = v / np.linalg.norm(v)
            if d @ vhat < 0:  # reflect the random half so it cannot cancel the unstable part
                d = d - 2.0 * (d @ vhat) * vhat  # (boundary coordinates stay >= 0: vhat >= 0)
            d = 0.5 * d + 0.5 * vhat
        d *= eps / np.linalg.norm(d)
        T = 4.0 / abs(mr)
        if mr < 0:  # a non-normal Jacobian decays after a transient: wait until the linear
            # flow has contracted every direction by 4 (||exp(J T)||_2 <= 1/4, T at most
            # 256/|max Re|); the spectral verdict is asymptotic, not a rate from t = 0
            import scipy.linalg as sla

            J = sys_.jacobian(p)
            while np.linalg.norm(sla.expm(J * T), 2) > 0.25 and T < 256.0 / abs(mr):
                T *= 2.0
        tr = sys_.simulate(p + d, T, t_eval=np.array([T]), rtol=1e-11, atol=1e-14)
        dist = np.linalg.norm(tr.y[-1] - p) if tr.success else np.inf
        if verdict < 0 and not dist < 0.5 * eps:
            bad += 1
        if verdict > 0 and not dist > 2 * eps:
            bad += 1
    return float(bad), 0.0


LOCAL = evaluate_local.theorem


# ------------------------------------------------------------------------------ presets
def preset_violations(rng, n_ic: int = 64) -> dict:
    """Violation (0 = regime reached) of each preset's stated regime, from ``n_ic`` random
    initial conditions log-uniform in ``[0.01, 3]`` per coordinate (``n_ic`` in
    [1, 100000])."""
    rng = _rng(rng)
    n_ic = check_int(n_ic, "n_ic", lo=1, hi=100_000)
    out = {}
    for name in ("governed", "ungoverned", "overgoverned", "lock_in"):
        M = CoexistenceModel.preset(name)
        X0 = np.exp(rng.uniform(np.log(0.01), np.log(3.0), size=(n_ic, M.n)))
        eq = M.equilibria(n_starts=40)
        stable = eq.stable_points
        ix = [M.indices(p) for p in stable]
        run = M.simulate_batch(X0, 2000.0, ftol=1e-9)
        ends = [M.indices(x) for x in run.x]
        v = 0.0
        if name == "governed":
            cert = diagonal_stability(M.interaction)
            v += 0.0 if cert.certified else 1.0
            v += abs(len(stable) - 1) + (0.0 if np.all(stable > 0) else 1.0)
            v += sum(max(0.0, 0.95 - i.coexistence) + i.domination for i in ix)
            v += max(0.0, float(np.max(np.abs(run.x - stable[0]))) - 1e-5) if len(stable) == 1 else 1.0
        elif name == "ungoverned":
            frac = np.mean([e.domination >= 0.3 for e in ends])
            v += max(0.0, 0.5 - frac)  # "large basin": at least half the sampled box
        elif name == "overgoverned":
            v += sum(max(0.0, i.coexistence - 0.5) + max(0.0, i.development - 0.5) for i in ix)
            v += float(np.mean([e.coexistence > 0.5 for e in ends]))
        else:
            lo = [i for i in ix if i.coexistence <= 0.2]
            hi = [i for i in ix if i.coexistence >= 0.9]
            v += (0.0 if lo else 1.0) + (0.0 if hi else 1.0)
            low_start = M.simulate_batch(M.uniform_state(0.3, 0.05)[None], 2000.0).x[0]
            high_start = M.simulate_batch(M.uniform_state(1.0, 1.0)[None], 2000.0).x[0]
            v += max(0.0, M.indices(low_start).coexistence - 0.2)
            v += max(0.0, 0.9 - M.indices(high_start).coexistence)
        out[name] = v
    return out


@theorem(
    name="odes.presets_reach_regimes",
    tightness="An exact agreement check: measured is each preset's violation of its stated regime "
              "(0 when the regime is reached), bound 0; no slack to be tight about "
              "(tests/odes/test_i13_checks.py::test_presets_check_fails_on_swapped_presets shows "
              "the check can fail)",
    source="Chakraborty (2026), abstract (qualitative regimes); this package's reconstruction",
    assumptions=("the four presets", "initial states log-uniform in [0.01, 3]^n"), atol=1e-6,
    no_algorithm="a property of the four calibrated presets of the model (the regimes they "
                 "were built to show), not of an algorithm a user would implement")
def _presets_experiment(rng, quick):
    """governed: unique interior equilibrium, LMI-certified globally stable, coexistence >= 0.95,
    domination 0; ungoverned: domination >= 0.3 from >= 50% of sampled initial states;
    overgoverned: development <= 0.5, coexistence <= 0.5; lock_in: stable states with
    coexistence <= 0.2 and >= 0.9, each reached.

    Violations from :func:`preset_violations` (32 initial states quick, 256 full).
    """
    v = preset_violations(rng, 32 if quick else 256)
    return BoundData(list(v.values()), [0.0] * len(v),
                     detail=", ".join(f"{k}={x:.3g}" for k, x in v.items()))


PRESETS_THM = _presets_experiment.theorem


# ------------------------------------------------------------------------------ dynamics
# Systems of the generic machinery are compiled once per process and re-parameterised per
# instance (with_params never recompiles).
_DYN_CACHE: dict = {}


def _linear_system(n):
    """``x' = A x`` with the entries of ``A`` as parameters ``a0 .. a{n^2-1}`` (row-major)."""
    if ("linear", n) not in _DYN_CACHE:
        from equilibria._lib.jit import njit

        from .dynamical import ODE

        @njit(cache=False)
        def lin(out, x, p):
            for i in range(n):
                s = 0.0
                for j in range(n):
                    s += p[i * n + j] * x[j]
                out[i] = s

        _DYN_CACHE[("linear", n)] = ODE(lin, n, params={f"a{i}": 0.0 for i in range(n * n)},
                                        x0=np.ones(n), name=f"linear flow (n={n})")
    return _DYN_CACHE[("linear", n)]


def _lorenz_system():
    if "lorenz" not in _DYN_CACHE:
        from .dynamical import ODE

        def lorenz(x, p):
            return np.array([p[0] * (x[1] - x[0]), x[0] * (p[1] - x[2]) - x[1],
                             x[0] * x[1] - p[2] * x[2]])

        _DYN_CACHE["lorenz"] = ODE(lorenz, ["x", "y", "z"],
                                   params={"sigma": 10.0, "rho": 28.0, "beta": 8 / 3},
                                   name="Lorenz")
    return _DYN_CACHE["lorenz"]


def sample_linear_flow(rng, n=None):
    """A random real ``n x n`` matrix ``A`` (normal entries), an initial state and the
    QR-method settings; real parts of the eigenvalues are its Lyapunov exponents."""
    rng = _check_rng(rng)
    n = int(rng.integers(2, 5)) if n is None else check_int(n, "n", lo=1, hi=LYAP_MAX_DIM)
    return {"A": rng.normal(size=(n, n)), "x0": rng.normal(size=n),
            "seed": int(rng.integers(2**31))}


#: renormalisations and sampling time of the Lyapunov theorems (T = N dt)
LYAP_STEPS, LYAP_DT, LYAP_TRANSIENT = 2000, 0.1, 100
#: instances of the linear-flow theorem: dimension and entry size (standard normal entries
#: are far inside; larger ones make the tangent flow over dt overflow)
LYAP_MAX_DIM, LYAP_MAX_ENTRY = 8, 100.0
#: parameter ranges of the Lorenz instances (the theorem's stated assumptions) and the
#: largest initial coordinate ("near the attractor")
LORENZ_RANGES = {"sigma": (5.0, 15.0), "rho": (20.0, 40.0), "beta": (1.0, 3.0)}
LORENZ_MAX_X0 = 100.0


def _check_rng(rng):
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"`rng` must be a numpy Generator, got {type(rng).__name__}")
    return rng


@theorem(
    name="odes.lyapunov_linear_spectrum",
    tightness="A complex pair on an elongated ellipse (a non-normal rotation, equal real parts) "
              "converges slowest: the error is about a third of the finite-time criterion "
              "(tests/odes/test_theorems.py::test_lyapunov_linear_tightness_instance, ratio >= "
              "0.2)",
    source="Oseledets (1968); for x' = Ax: Barreira & Pesin (2002), Thm 1.3.1 (the Lyapunov "
           "exponents are the real parts of the eigenvalues); Benettin et al. (1980) (QR "
           "method)",
    assumptions=("A with standard normal entries, n in 2..4",
                 "finite-time criterion of this package: error <= (1 + ln cond(V)) / T, "
                 "V the eigenvector matrix, T = N dt after the transient"),
    sample=sample_linear_flow, sizes={"n": (2, 4)}, n_instances=(3, 12), examples=6,
    protocol=LYAPUNOV_PROTOCOL)
def evaluate_lyapunov_linear(inst, *, algorithm=None):
    """The Lyapunov spectrum of the linear flow x' = A x is the multiset of the real parts of
    the eigenvalues of A (with multiplicity); the QR estimate over a time T approaches it at
    rate O(1/T).

    Measured: max over i of |lambda_i(T) - Re mu_i| (both sorted decreasingly) from
    :func:`equilibria.odes.lyapunov_spectrum`; bound ``(1 + ln cond(V)) / T``.  ``algorithm``:
    a user's estimator through :data:`LYAPUNOV_PROTOCOL` (called with ``n_steps=2000``,
    ``transient=100``, ``dt=0.1``; non-finite exponents are a violation)."""
    from .dynamical import IntegratorOptions
    from .mapper import lyapunov_spectrum

    A = check_square(inst["A"], "A")
    if not 1 <= A.shape[0] <= LYAP_MAX_DIM:
        raise ValueError(f"`A` must be n x n with 1 <= n <= {LYAP_MAX_DIM}, got {A.shape}")
    if np.max(np.abs(A)) > LYAP_MAX_ENTRY:
        raise ValueError(f"`A` has an entry of size {np.max(np.abs(A)):.3g} > {LYAP_MAX_ENTRY:g} "
                         f"(outside the theorem's instances: moderate entries, so the QR "
                         f"run at dt={LYAP_DT} resolves the flow)")
    n = A.shape[0]
    x0 = as_float_array(inst["x0"], "x0", shape=(n,))
    S = _linear_system(n).with_params(**{f"a{i}": v for i, v in enumerate(A.ravel())})
    ev, V = np.linalg.eig(A)
    if algorithm is None:
        res = lyapunov_spectrum(S, x0, n_steps=LYAP_STEPS, transient=LYAP_TRANSIENT,
                                options=IntegratorOptions(dt=LYAP_DT), seed=inst["seed"],
                                progress=False, warn=False)
        ok, exponents = res.success, res.exponents
    else:
        exponents = _user_exponents(algorithm, S, x0, LYAP_STEPS, LYAP_TRANSIENT, inst["seed"])
        ok = bool(np.all(np.isfinite(exponents)))
    if not ok:  # the tangent integration failed: a violation, not a pass
        return np.inf, 0.0
    err = float(np.max(np.abs(exponents - np.sort(ev.real)[::-1])))
    return err, (1.0 + float(np.log(np.linalg.cond(V)))) / (LYAP_STEPS * LYAP_DT)


LYAPUNOV_LINEAR = evaluate_lyapunov_linear.theorem


def sample_lorenz(rng):
    """Lorenz parameters ``sigma in [5, 15]``, ``rho in [20, 40]``, ``beta in [1, 3]`` and an
    initial state near the attractor."""
    rng = _check_rng(rng)
    return {"sigma": float(rng.uniform(5, 15)), "rho": float(rng.uniform(20, 40)),
            "beta": float(rng.uniform(1, 3)),
            "x0": np.array([1.0, 1.0, 20.0]) + rng.normal(size=3), "seed": int(rng.integers(2**31))}


#: relative accuracy of the Lyapunov sum: the integrator's rtol (1e-8)
LYAP_SUM_RTOL = 1e-8


@theorem(
    name="odes.lyapunov_sum_divergence",
    tightness="None known: an identity (Liouville: the sum of the exponents is -(sigma + 1 + "
              "beta)) checked to the integrator's accuracy 1e-8 (sigma + 1 + beta); the measured "
              "error is integration error (quick-run ratio 0.24), not the slack of a bound with a "
              "constant (tests/odes/test_i13_checks.py::"
              "test_lyapunov_sum_check_fails_on_exponents_off_by_1e_6 shows the check can fail)",
    source="Liouville's formula; Eckmann & Ruelle (1985), Rev. Mod. Phys. 57, Sec. III.B "
           "(sum of the exponents = mean phase-space contraction)",
    assumptions=("Lorenz family: sigma in [5, 15], rho in [20, 40], beta in [1, 3]",
                 "DP5(4) at rtol 1e-8; bound rtol relative"),
    sample=sample_lorenz, n_instances=(2, 8), examples=4, protocol=LYAPUNOV_PROTOCOL)
def evaluate_lyapunov_sum(inst, *, algorithm=None):
    """The sum of all Lyapunov exponents of a flow equals the time average of the divergence
    of its field along the orbit; for the Lorenz system div f = -(sigma + 1 + beta) is
    constant, so the sum is exactly -(sigma + 1 + beta).

    Measured: |sum_i lambda_i + (sigma + 1 + beta)|; bound ``1e-8 (sigma + 1 + beta)``
    (integration accuracy).  ``algorithm``: a user's estimator through
    :data:`LYAPUNOV_PROTOCOL` (called with ``n_steps=500``, ``transient=20``, ``dt=0.1``;
    non-finite exponents are a violation)."""
    from .dynamical import IntegratorOptions
    from .mapper import lyapunov_spectrum

    s, r, b = (check_scalar(inst[k], k, lo=lo, hi=hi)
               for k, (lo, hi) in LORENZ_RANGES.items())
    x0 = as_float_array(inst["x0"], "x0", shape=(3,))
    if np.max(np.abs(x0)) > LORENZ_MAX_X0:
        raise ValueError(f"`x0` must lie near the attractor (max|x0| <= {LORENZ_MAX_X0:g}), "
                         f"got max|x0| = {np.max(np.abs(x0)):.3g}")
    L = _lorenz_system().with_params(sigma=s, rho=r, beta=b)
    if algorithm is None:
        res = lyapunov_spectrum(L, x0, n_steps=500, transient=20,
                                options=IntegratorOptions(dt=LYAP_DT), seed=inst["seed"],
                                progress=False, warn=False)
        ok, exponents = res.success, res.exponents
    else:
        exponents = _user_exponents(algorithm, L, x0, 500, 20, inst["seed"])
        ok = bool(np.all(np.isfinite(exponents)))
    if not ok:
        return np.inf, 0.0
    div = s + 1.0 + b
    return float(abs(exponents.sum() + div)), LYAP_SUM_RTOL * div


LYAPUNOV_SUM = evaluate_lyapunov_sum.theorem


# the discretisation-drift theorems (odes.drift_*) register on import
from . import drift_theorems  # noqa: E402,F401

# the common-pool-resource theorems (odes.cpr_*) register on import
from . import cpr_theorems  # noqa: E402,F401
