"""Stability certificates for Lotka-Volterra-type systems (the coexistence room's theory).

Each function returns the certificate it rests on, or states why it fails:

- :func:`local_stability`: spectrum of the Jacobian at an equilibrium (Lyapunov's indirect
  method) [1].
- :func:`diagonal_stability`: a positive diagonal ``D`` with ``D A + A^T D`` negative definite,
  found by a linear matrix inequality (LMI) in cvxpy.  For the generalized Lotka-Volterra (GLV)
  system ``x' = x * (r + A x)`` such a ``D`` makes the saturated equilibrium unique and globally
  attracting on the interior of the orthant (Goh 1979 [2]; Takeuchi & Adachi 1980 [3]).
- :func:`is_p_matrix`, :func:`solve_lcp`, :func:`lcp_enumerate`: ``-A`` a P-matrix means the
  linear complementarity problem ``LCP(-A, -r)`` whose solutions are the saturated equilibria has
  exactly one solution for every ``r`` (Samelson, Thrall & Wesler 1958 [4]; Cottle, Pang & Stone
  1992 [5], Thm 3.3.7).
- :func:`symmetric_margin`, :func:`spectral_abscissa`: the margins ``-lambda_max((J + J^T)/2)``
  (the negative of the 2-norm logarithmic norm, a contraction rate) and ``-max Re lambda(J)``.
  For ``J(g) = J_0 - g G`` with ``G`` positive semidefinite, the symmetric-part margin is
  nondecreasing in ``g`` (Weyl's monotonicity theorem [6], Cor. 4.3.12); the eigenvalue margin of
  a non-symmetric ``J`` need not be.
- :func:`is_m_matrix`: nonsingular M-matrix test; for a cooperative GLV with ``-A`` such a
  matrix, ``x* = -A^{-1} r`` is nondecreasing in every off-diagonal entry of ``A`` (``(-A)^{-1}``
  is entrywise nonnegative and entrywise increasing in the off-diagonal entries; Berman &
  Plemmons 1994 [7], Ch. 6, condition N38).

References
----------
1. H. K. Khalil, *Nonlinear Systems*, 3rd ed., 2002, Thm 4.7.
2. B. S. Goh, "Global stability in many-species systems", Am. Nat. 111 (1977) 135-143;
   B. S. Goh, "Sector stability of a complex ecosystem model", Math. Biosci. 40 (1978);
   the Volterra-Lyapunov function ``V = sum d_i (x_i - x_i* - x_i* log(x_i/x_i*))`` (1979).
3. Y. Takeuchi, N. Adachi, "The existence of globally stable equilibria of ecosystems of the
   generalized Volterra type", J. Math. Biol. 10 (1980) 401-415, Thm 3.1.
4. H. Samelson, R. M. Thrall, O. Wesler, "A partition theorem for Euclidean n-space", Proc. AMS
   9 (1958) 805-807.
5. R. W. Cottle, J.-S. Pang, R. E. Stone, *The Linear Complementarity Problem*, 1992,
   Thm 3.3.7 (uniqueness for P-matrices), Sec. 4.2 (Murty's principal pivoting).
6. R. A. Horn, C. R. Johnson, *Matrix Analysis*, 2nd ed., 2013, Cor. 4.3.12 (Weyl).
7. A. Berman, R. J. Plemmons, *Nonnegative Matrices in the Mathematical Sciences*, SIAM 1994.
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np

from equilibria._lib.result import Result, Status, finish
from equilibria._lib.validation import (as_float_array, check_int, check_option, check_scalar,
                                        check_square)

__all__ = [
    "DiagonalStability",
    "LocalStability",
    "LCPResult",
    "diagonal_stability",
    "local_stability",
    "is_p_matrix",
    "is_m_matrix",
    "solve_lcp",
    "lcp_enumerate",
    "symmetric_margin",
    "spectral_abscissa",
    "contraction_rate",
    "saturated_equilibrium",
]


# --------------------------------------------------------------------------------------------
# margins
# --------------------------------------------------------------------------------------------
def symmetric_margin(J) -> float:
    r"""Symmetric-part margin :math:`-\lambda_{\max}\big((J + J^\top)/2\big)`.

    This is minus the logarithmic 2-norm :math:`\mu_2(J)`; when positive, every solution pair of
    ``y' = J y`` contracts at rate at least the margin, and
    :math:`\max \operatorname{Re}\lambda(J) \le \mu_2(J)`.  For ``J - g G`` with ``G`` PSD it is
    nondecreasing in ``g`` (Weyl, [6] Cor. 4.3.12).

    Parameters
    ----------
    J : array_like, shape (n, n)
        Square real matrix (e.g. a Jacobian at an equilibrium).

    Returns
    -------
    float
        :math:`-\lambda_{\max}\big((J + J^\top)/2\big)`; positive means contraction in the
        Euclidean norm.
    """
    J = check_square(J, "J")
    return float(-np.linalg.eigvalsh(0.5 * (J + J.T))[-1])


def contraction_rate(J, D=None) -> float:
    r"""Contraction rate of ``y' = J y`` in the weighted norm :math:`\|y\|_D = \|D^{1/2} y\|_2`.

    .. math:: c = -\lambda_{\max}\big(\operatorname{sym}(D^{1/2} J D^{-1/2})\big)
        = -\mu_{D}(J),

    the negative weighted logarithmic norm; ``c > 0`` means every two solutions approach each
    other at least as fast as :math:`e^{-ct}` in that norm (Lohmiller & Slotine 1998).  With
    ``D`` from :func:`diagonal_stability` of a GLV matrix ``A``, ``c(A; D) > 0``.  ``D=None``
    gives :func:`symmetric_margin`.

    Parameters
    ----------
    J : array_like, shape (n, n)
        Square real matrix (the matrix of the linear system, or a Jacobian).
    D : array_like, shape (n, n), optional
        Positive diagonal weight matrix (e.g. ``DiagonalStability.D``); ``None`` means the
        identity, i.e. the unweighted Euclidean norm.

    Returns
    -------
    float
        The contraction rate ``c``; positive means contraction in :math:`\|\cdot\|_D`.

    Raises
    ------
    ValueError
        If ``J`` is not square, or ``D`` is not a positive diagonal matrix of the same size.
    """
    J = check_square(J, "J")
    if D is None:
        return symmetric_margin(J)
    D = check_square(D, "D", n=J.shape[0])
    d = np.diag(D)
    if np.any(d <= 0) or np.any(D - np.diag(d) != 0):
        raise ValueError("`D` must be a positive diagonal matrix")
    s = np.sqrt(d)
    return symmetric_margin(s[:, None] * J / s[None, :])


def spectral_abscissa(J) -> float:
    r"""Spectral abscissa :math:`\max_i \operatorname{Re}\lambda_i(J)` (negative = stable).

    Parameters
    ----------
    J : array_like, shape (n, n)
        Square real matrix, ``n >= 1``.

    Returns
    -------
    float
        The largest real part of the eigenvalues of ``J``.
    """
    J = check_square(J, "J")
    return float(np.max(np.linalg.eigvals(J).real))


# --------------------------------------------------------------------------------------------
# local stability
# --------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class LocalStability(Result):
    """Spectral verdict at an equilibrium.

    Attributes
    ----------
    eigenvalues : ndarray (complex)
    max_re : float
        Spectral abscissa of the Jacobian.
    verdict : {"stable", "unstable", "marginal"}
        ``stable`` when ``max_re < -tol``, ``unstable`` when ``max_re > tol``; otherwise the
        linearization is inconclusive.
    symmetric_margin : float
        ``-lambda_max((J+J^T)/2)``; positive means contraction in the Euclidean norm.
    """

    eigenvalues: np.ndarray
    max_re: float
    verdict: str
    symmetric_margin: float

    @property
    def stable(self) -> bool:
        return self.verdict == "stable"


def local_stability(J, *, tol: float = 1e-9) -> LocalStability:
    r"""Lyapunov's indirect method at an equilibrium with Jacobian ``J``.

    If :math:`\max_i \operatorname{Re}\lambda_i(J) < 0` the equilibrium is locally exponentially
    stable; if some :math:`\operatorname{Re}\lambda_i > 0` it is unstable ([1], Thm 4.7).  With
    ``|max Re| <= tol`` the verdict is ``"marginal"`` and ``success=False`` (no warning: it is a
    property of the point, not a failure of the computation).

    Parameters
    ----------
    J : array_like, shape (n, n)
        Jacobian at the equilibrium (for ``n = 0`` the verdict is ``"stable"`` with
        ``max_re = -inf``).
    tol : float, default 1e-9
        Half-width (``>= 0``) of the inconclusive band around zero for ``max Re lambda``.

    Returns
    -------
    LocalStability
        ``eigenvalues`` (complex, shape (n,)), ``max_re``, ``verdict`` and
        ``symmetric_margin``; ``success`` is ``False`` (status ``DEGENERATE``) exactly when
        the verdict is ``"marginal"``.
    """
    J = check_square(J, "J")
    tol = check_scalar(tol, "tol", lo=0)
    ev = np.linalg.eigvals(J) if J.size else np.zeros(0, complex)
    m = float(np.max(ev.real)) if ev.size else -np.inf
    verdict = "stable" if m < -tol else ("unstable" if m > tol else "marginal")
    ok = verdict != "marginal"
    msg = (f"{verdict}: max Re(lambda) = {m:.6g}" if ok else
           f"linearization inconclusive: max Re(lambda) = {m:.3g} within tol={tol:g}; use a "
           "Lyapunov function or simulate")
    sym = float(-np.linalg.eigvalsh(0.5 * (J + J.T))[-1]) if J.size else np.inf
    return finish(LocalStability, success=ok, status=Status.SUCCESS if ok else Status.DEGENERATE,
                  message=msg, n_iter=0, warn=False, eigenvalues=ev, max_re=m, verdict=verdict,
                  symmetric_margin=sym)


# --------------------------------------------------------------------------------------------
# diagonal (Volterra) stability by an LMI
# --------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class DiagonalStability(Result):
    """Certificate of Volterra (diagonal) stability, or the reason there is none.

    Unpacks as ``D, reason = diagonal_stability(A)``.

    Attributes
    ----------
    D : ndarray or None
        Positive diagonal matrix with ``D A + A^T D`` negative definite (``None`` if not found).
    reason : str
        Why the certificate failed (empty on success).
    margin : float
        ``-lambda_max(D A + A^T D) / 2`` for the returned ``D`` normalised to ``trace(D) = n``;
        without a certificate, the same quantity for the best positive ``D`` tried (the LMI's
        when it is positive, else the identity), which is then not a certificate.
    """

    D: np.ndarray | None
    reason: str
    margin: float

    def __iter__(self):
        yield self.D
        yield self.reason

    @property
    def certified(self) -> bool:
        return self.D is not None


def diagonal_stability(A, *, tol: float = 1e-7, solver: str | None = None) -> DiagonalStability:
    r"""Find a positive diagonal ``D`` with :math:`DA + A^\top D \prec 0` (Volterra stability).

    Solves the LMI (a semidefinite program in cvxpy)

    .. math::

        \max_{d, t}\; t \quad \text{s.t.}\quad
        D A + A^\top D + 2 t I \preceq 0,\quad d_i \ge t,\quad \textstyle\sum_i d_i = n,
        \quad D = \operatorname{diag}(d),

    and accepts when ``t > tol`` **and** an exact re-check in numpy confirms ``d > 0`` and
    :math:`\lambda_{\max}(DA + A^\top D) < 0`.

    Theorem (Goh 1979 [2]; Takeuchi & Adachi 1980 [3], Thm 3.1): if such ``D`` exists, then for
    every ``r`` the GLV system ``x' = x * (r + A x)`` has a unique saturated equilibrium ``x*``
    (the solution of ``LCP(-A, -r)``) and every trajectory from the interior of the orthant
    converges to it; ``V(x) = sum_i d_i (x_i - x*_i - x*_i log(x_i / x*_i))`` is a Lyapunov
    function.

    Parameters
    ----------
    A : array_like, shape (n, n)
        Interaction matrix, finite and non-empty.
    tol : float, default 1e-7
        Smallest LMI optimum ``t`` (computed for ``A`` scaled by ``max(1, max|A_ij|)``)
        accepted as a certificate, ``>= 0``.
    solver : str, optional
        cvxpy solver name, one of ``cvxpy.installed_solvers()`` (case-insensitive); default
        ``"CLARABEL"`` when installed, otherwise ``"SCS"``.

    Returns
    -------
    DiagonalStability
        ``D`` (or ``None``) and ``reason``; ``success`` is whether a certificate was found
        (no warning when the matrix is simply not diagonally stable).  A matrix with a
        non-negative diagonal entry is rejected without solving the LMI.

    Raises
    ------
    ValueError
        If ``A`` is not square or is empty.
    """
    A = check_square(A, "A")
    tol = check_scalar(tol, "tol", lo=0)
    n = A.shape[0]
    if n == 0:
        raise ValueError("`A` must be non-empty")
    if solver is not None:
        import cvxpy as cp

        if not isinstance(solver, str):
            raise TypeError(f"`solver` must be a cvxpy solver name, got {type(solver).__name__}")
        check_option(solver.upper(), "solver", cp.installed_solvers())
        solver = solver.upper()

    def tried(dv=None) -> float:  # margin of the best positive D tried (no certificate)
        d = np.ones(n) if dv is None or not np.all(np.isfinite(dv)) or np.any(dv <= 0) \
            else dv * (n / dv.sum())
        with np.errstate(over="ignore", invalid="ignore"):
            S = d[:, None] * A + A.T * d[None, :]
            lam = float(np.linalg.eigvalsh(S)[-1]) if np.all(np.isfinite(S)) else np.inf
        return -0.5 * lam if np.isfinite(lam) else float(-np.abs(A).max())
    # necessary condition: a diagonally stable matrix has a negative diagonal
    if np.any(np.diag(A) >= 0):
        i = int(np.argmax(np.diag(A)))
        return finish(DiagonalStability, success=False, status=Status.INFEASIBLE,
                      message="not diagonally stable", n_iter=0, warn=False, D=None,
                      reason=f"diagonal entry A[{i},{i}] = {A[i, i]:.3g} >= 0 (a Volterra-stable "
                             "matrix has a negative diagonal)", margin=tried())
    import cvxpy as cp

    scale = max(1.0, float(np.abs(A).max()))
    As = A / scale
    d = cp.Variable(n)
    t = cp.Variable()
    S = cp.diag(d) @ As
    S = 0.5 * (S + S.T)  # = (D A + A^T D) / 2, symmetric by construction
    cons = [S + t * np.eye(n) << 0, d >= t, cp.sum(d) == n]
    prob = cp.Problem(cp.Maximize(t), cons)
    try:
        prob.solve(solver=solver or ("CLARABEL" if "CLARABEL" in cp.installed_solvers()
                                     else "SCS"))
    except cp.error.SolverError as exc:  # pragma: no cover - solver breakdown
        return finish(DiagonalStability, success=False, status=Status.NUMERICAL,
                      message=f"LMI solver failed: {exc}; try `solver='SCS'`", n_iter=0,
                      D=None, reason=f"solver error: {exc}", margin=tried())
    if d.value is None or t.value is None:
        return finish(DiagonalStability, success=False, status=Status.NUMERICAL,
                      message=f"LMI status {prob.status}", n_iter=0, warn=False, D=None,
                      reason=f"LMI solver status {prob.status}", margin=tried())
    tval = float(t.value)
    dv = np.asarray(d.value, dtype=float)
    if tval <= tol:
        return finish(DiagonalStability, success=False, status=Status.INFEASIBLE,
                      message="not diagonally stable", n_iter=0, warn=False, D=None,
                      reason=f"LMI optimum t = {tval:.3g} <= tol = {tol:g}: no positive diagonal D "
                             "makes D A + A^T D negative definite", margin=tried(dv))
    D = np.diag(dv)
    lam = float(np.linalg.eigvalsh(D @ A + A.T @ D)[-1])
    if np.any(dv <= 0) or lam >= 0:  # exact re-check of the certificate
        return finish(DiagonalStability, success=False, status=Status.NUMERICAL,
                      message="LMI solution failed the exact re-check", n_iter=0, warn=False,
                      D=None, reason=f"re-check failed: min d = {dv.min():.3g}, "
                                     f"lambda_max(DA + A^T D) = {lam:.3g}; tighten the solver",
                      margin=tried(dv))
    return finish(DiagonalStability, success=True, status=Status.SUCCESS,
                  message="diagonally stable", n_iter=0, D=D, reason="", margin=-0.5 * lam)


# --------------------------------------------------------------------------------------------
# P-matrices, M-matrices and the LCP
# --------------------------------------------------------------------------------------------
def is_p_matrix(M, *, max_n: int = 20) -> bool:
    r"""Exact P-matrix test: every principal minor of ``M`` is positive.

    Enumerates the :math:`2^n - 1` principal minors (exact up to floating-point determinant
    accuracy; ``n <= max_n``).  Shortcut: a matrix with positive definite symmetric part is a
    P-matrix.  Theorem ([4], [5] Thm 3.3.7): ``LCP(M, q)`` has a unique solution for every ``q``
    iff ``M`` is a P-matrix.

    Parameters
    ----------
    M : array_like, shape (n, n)
        Square real matrix.
    max_n : int, default 20
        Largest ``n`` for which the enumeration is attempted, ``>= 1``.

    Returns
    -------
    bool
        ``True`` if every principal minor of ``M`` is positive (``True`` for ``n = 0``).

    Raises
    ------
    ValueError
        If ``n > max_n``.
    """
    M = check_square(M, "M")
    max_n = check_int(max_n, "max_n", lo=1)
    n = M.shape[0]
    if n > max_n:
        raise ValueError(f"`M` has n={n} > `max_n`={max_n}: the exact test enumerates 2^n minors")
    if n == 0:
        return True
    scale = float(np.abs(M).max())
    if scale > 0:
        M = M / scale  # the signs of the principal minors are scale-free; no overflow of det
    if np.linalg.eigvalsh(0.5 * (M + M.T))[0] > 0:
        return True
    for k in range(1, n + 1):
        for S in itertools.combinations(range(n), k):
            idx = np.asarray(S)
            if np.linalg.det(M[np.ix_(idx, idx)]) <= 0:
                return False
    return True


def is_m_matrix(M, *, tol: float = 1e-12) -> bool:
    r"""Nonsingular M-matrix test: ``M`` is a Z-matrix (off-diagonal ``<= 0``) and every
    eigenvalue has positive real part ([7], Ch. 6, condition G20).

    Parameters
    ----------
    M : array_like, shape (n, n)
        Square real matrix.
    tol : float, default 1e-12
        Off-diagonal entries up to ``tol`` (``>= 0``) count as non-positive, and every
        eigenvalue's real part must exceed ``tol``.

    Returns
    -------
    bool
        ``True`` if ``M`` is a nonsingular M-matrix (within ``tol``).
    """
    M = check_square(M, "M")
    tol = check_scalar(tol, "tol", lo=0.0)
    off = M - np.diag(np.diag(M))
    if np.any(off > tol):
        return False
    return bool(np.all(np.linalg.eigvals(M).real > tol))


@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class LCPResult(Result):
    """Solution of ``z >= 0, w = M z + q >= 0, z^T w = 0``.

    Attributes
    ----------
    z, w : ndarray, shape (n,)
        The complementary pair: ``z`` the solution, ``w = M z + q``.
    residual : float
        ``max(max(-z), max(-w), |z^T w|)`` (0 for an exact solution).
    """

    z: np.ndarray
    w: np.ndarray
    residual: float


#: Largest relative tolerance of the LCP routines: a looser "certificate" would accept
#: ``w = M z + q`` visibly negative (e.g. ``z = 0`` for ``q`` with a negative entry).
_MAX_LCP_TOL = 1e-2

#: Smallest scale used to make LCP tolerances relative (only guards an all-zero problem).
_LCP_TINY_SCALE = np.finfo(float).tiny


def _lcp_residual(M, q, z):
    with np.errstate(over="ignore", invalid="ignore"):  # huge scales: residual may be inf
        w = M @ z + q
        return w, float(max(np.max(-z, initial=0.0), np.max(-w, initial=0.0), abs(z @ w)))


def _lcp_scales(M, q, z):
    """Scales of ``z`` and of ``w = M z + q`` (``max|q|`` and ``max (|M| |z|)``): the size of
    the rounding errors in a computed ``w`` is ``eps`` times the second."""
    zscale = max(float(np.max(np.abs(z), initial=0.0)), _LCP_TINY_SCALE)
    with np.errstate(over="ignore"):
        mz = float(np.max(np.abs(M) @ np.abs(z), initial=0.0))
    wscale = max(float(np.max(np.abs(q), initial=0.0)), mz, _LCP_TINY_SCALE)
    return zscale, wscale


def _lcp_certified(M, q, z, w, tol):
    """The LCP certificate: ``z >= 0``, ``w >= -tol * wscale`` and
    ``|z.w| <= tol * wscale * sum|z|``, all relative to the scale of ``M``, ``q`` and ``z``."""
    zscale, wscale = _lcp_scales(M, q, z)
    if not (np.all(np.isfinite(z)) and np.all(np.isfinite(w)) and np.isfinite(wscale)):
        return False
    zn, wn = z / zscale, w / wscale  # complementarity in scaled units: no overflow of z.w
    return bool(np.all(z >= 0) and wn.min(initial=0.0) >= -tol
                and abs(float(zn @ wn)) <= tol * float(np.abs(zn).sum()))


def solve_lcp(M, q, *, max_iter: int | None = None, tol: float = 1e-10) -> LCPResult:
    r"""Solve ``LCP(M, q)`` by Murty's least-index principal pivoting ([5], Sec. 4.2).

    Keeps a complementary basis ``S`` (``z_S`` free, ``w_{S^c}`` free), sets
    ``z_S = -M_{SS}^{-1} q_S``, and flips the least index ``i`` with ``z_i < -tol * max|z|``
    or ``w_i < -tol * s_w`` (``s_w = max(max|q|, max(|M| |z|))``, the scale of ``w``); stops
    when none is left.  For a P-matrix it terminates in finitely many pivots (at most ``2^n``)
    at the unique solution ([5], Thm 4.2.6); otherwise it may cycle or meet a singular block,
    reported as ``success=False``.  Success is reported only when the returned pair passes the
    certificate ``z >= 0``, ``w >= -tol * s_w``, ``|z^T w| <= tol * s_w * sum|z|``, so the
    answer is checked at every scale of ``M`` and ``q``.

    For GLV ``x' = x * (r + A x)`` the saturated equilibria are the solutions of
    ``LCP(-A, -r)`` (see :func:`saturated_equilibrium`).

    Parameters
    ----------
    M : array_like, shape (n, n)
        Square matrix of the LCP.
    q : array_like, shape (n,)
        Constant vector of the LCP.
    max_iter : int, optional
        Maximum number of pivots, ``>= 1``; default ``min(2**min(n, 30), 100000) + 10``.
    tol : float, default 1e-10
        Relative tolerance, in ``(0, 1e-2]``: a component of ``z_S`` below ``-tol * max|z|`` or of
        ``w_{S^c}`` below ``-tol * s_w`` counts as negative and is pivoted; the same ``tol``
        is used by the certificate.

    Returns
    -------
    LCPResult
        ``z``, ``w = M z + q`` and ``residual``.  On failure (with a ``ConvergenceWarning``)
        ``success=False`` and the status is ``DEGENERATE`` for a singular principal block
        (``z`` is then zero), ``MAX_ITER`` when pivoting does not terminate (``z`` the last
        iterate clipped at zero) or ``NUMERICAL`` when the final pair fails the certificate
        (ill-conditioned principal blocks).
    """
    M = check_square(M, "M")
    n = M.shape[0]
    q = as_float_array(q, "q", shape=(n,))
    tol = check_scalar(tol, "tol", lo=0.0, lo_inclusive=False, hi=_MAX_LCP_TOL)
    if max_iter is None:
        max_iter = int(min(2 ** min(n, 30), 100_000)) + 10
    max_iter = check_int(max_iter, "max_iter", lo=1)
    S = np.zeros(n, dtype=bool)
    z = np.zeros(n)
    for it in range(1, max_iter + 1):
        z = np.zeros(n)
        if S.any():
            idx = np.flatnonzero(S)
            try:
                with np.errstate(over="ignore", invalid="ignore"):
                    z[idx] = np.linalg.solve(M[np.ix_(idx, idx)], -q[idx])
            except np.linalg.LinAlgError:
                w, res = _lcp_residual(M, q, np.maximum(z, 0))
                return finish(LCPResult, success=False, status=Status.DEGENERATE,
                              message="singular principal block; M is not a P-matrix, use "
                                      "`lcp_enumerate` for small n", n_iter=it, z=z, w=w,
                              residual=res)
        if not np.all(np.isfinite(z)):
            z = np.zeros(n)
            w, res = _lcp_residual(M, q, z)
            return finish(LCPResult, success=False, status=Status.NUMERICAL,
                          message="a principal block solve overflowed; M is too badly "
                                  "conditioned for pivoting", n_iter=it, z=z, w=w,
                          residual=res)
        with np.errstate(over="ignore", invalid="ignore"):
            w = M @ z + q
        zscale, wscale = _lcp_scales(M, q, z)
        bad = np.flatnonzero((S & (z < -tol * zscale)) | (~S & (w < -tol * wscale)))
        if bad.size == 0:
            z = np.where(S, np.maximum(z, 0.0), 0.0)
            w, res = _lcp_residual(M, q, z)
            if _lcp_certified(M, q, z, w, tol):
                return finish(LCPResult, success=True, status=Status.SUCCESS,
                              message="complementary solution found", n_iter=it, z=z, w=w,
                              residual=res)
            return finish(LCPResult, success=False, status=Status.NUMERICAL,
                          message="the complementary basis found fails the certificate "
                                  f"(residual {res:.3g} at the scale {wscale:.3g} of w); "
                                  "M is ill-conditioned, rescale the problem or use "
                                  "`lcp_enumerate`", n_iter=it, z=z, w=w, residual=res)
        S[bad[0]] = ~S[bad[0]]
    w, res = _lcp_residual(M, q, np.maximum(z, 0))
    return finish(LCPResult, success=False, status=Status.MAX_ITER,
                  message="pivoting did not terminate; M may not be a P-matrix (Murty's rule "
                          "cycles otherwise); increase `max_iter` or use `lcp_enumerate`",
                  n_iter=max_iter, z=np.maximum(z, 0), w=w, residual=res)


def lcp_enumerate(M, q, *, tol: float = 1e-9, max_n: int = 14) -> np.ndarray:
    """All solutions of ``LCP(M, q)`` by brute-force support enumeration (``n <= max_n``).

    For each support ``S`` solves ``M_SS z_S = -q_S`` and keeps it when ``z_S >= -tol`` and
    ``w = M z + q >= -tol``.  Returns an array of shape ``(k, n)`` of the distinct solutions
    (non-isolated solution sets of singular blocks are skipped).

    Parameters
    ----------
    M : array_like, shape (n, n)
        Square matrix of the LCP.
    q : array_like, shape (n,)
        Constant vector of the LCP.
    tol : float, default 1e-9
        Feasibility tolerance for ``z_S`` and ``w``, relative to ``max(1, max|q_i|)``, in
        ``[0, 1e-2]``.
    max_n : int, default 14
        Largest ``n`` allowed (the ``2^n`` supports are enumerated), ``>= 1``.

    Returns
    -------
    ndarray, shape (k, n)
        The distinct solutions ``z`` (clipped at zero), one per row, in the order of their
        support bitmask; ``k = 0`` when there is none.

    Raises
    ------
    ValueError
        If ``n > max_n``.
    """
    M = check_square(M, "M")
    n = M.shape[0]
    q = as_float_array(q, "q", shape=(n,))
    tol = check_scalar(tol, "tol", lo=0.0, hi=_MAX_LCP_TOL)
    max_n = check_int(max_n, "max_n", lo=1)
    if n > max_n:
        raise ValueError(f"`M` has n={n} > `max_n`={max_n}")
    sols: list[np.ndarray] = []
    scale = max(1.0, float(np.abs(q).max(initial=0.0)))
    for mask in range(1 << n):
        idx = np.array([i for i in range(n) if mask >> i & 1], dtype=int)
        z = np.zeros(n)
        if idx.size:
            B = M[np.ix_(idx, idx)]
            if abs(np.linalg.det(B)) < 1e-13 * max(1.0, np.abs(B).max()) ** idx.size:
                continue
            z[idx] = np.linalg.solve(B, -q[idx])
        w = M @ z + q
        if np.all(z >= -tol * scale) and np.all(w >= -tol * scale):
            z = np.maximum(z, 0.0)
            if not any(np.max(np.abs(z - s)) <= 1e-7 * scale for s in sols):
                sols.append(z)
    return np.array(sols).reshape(len(sols), n)


def saturated_equilibrium(A, r, **kw) -> LCPResult:
    r"""Saturated equilibrium of GLV ``x' = x * (r + A x)``: the solution of ``LCP(-A, -r)``.

    ``x* >= 0``, ``r + A x* <= 0`` and ``x*_i (r + A x*)_i = 0``: no absent species can invade.
    Unique for every ``r`` when ``-A`` is a P-matrix; globally attracting from the interior when
    ``A`` is Volterra (diagonally) stable ([3], Thm 3.1).

    Parameters
    ----------
    A : array_like, shape (n, n)
        GLV interaction matrix.
    r : array_like, shape (n,)
        Intrinsic growth rates.
    **kw
        Passed to :func:`solve_lcp` (``max_iter``, ``tol``).

    Returns
    -------
    LCPResult
        ``z`` is the saturated equilibrium ``x*`` and ``w = -(r + A x*)`` (minus the
        per-capita growth rates at ``x*``, non-negative at a solution).
    """
    A = check_square(A, "A")
    r = as_float_array(r, "r", shape=(A.shape[0],))
    return solve_lcp(-A, -r, **kw)
