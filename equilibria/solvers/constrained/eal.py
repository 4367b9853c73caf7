"""Adaptive inexact Newton method with an exact augmented Lagrangian and randomized sketching.

Reading order: :class:`EALResult`; :func:`eal_sketch`, whose body is the algorithm (start,
then per iteration: residuals and stopping rule, step 1-2 :func:`_direction`, step 3
:func:`_line_search`, :func:`_accept`); the records the steps pass around (:class:`_Options`,
:class:`_History`, :class:`_EALState`, :class:`_Residuals`, :class:`_Step`, :class:`_Trial`);
the steps themselves; and the breakdown diagnosis :func:`_diagnose`.  The randomized solvers
live in :mod:`.sketch`, the derivative oracle in :mod:`.oracle`.  "Step 1/2/3" in the
docstrings below are the numbered steps of the iteration in :func:`eal_sketch`'s docstring
(the paper's own step and equation numbers could not be checked; see its Notes).
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np

from equilibria._lib.result import Result, Status, finish
from equilibria._lib.rng import as_generator
from equilibria._lib.validation import as_float_array, check_int, check_option, check_scalar
from equilibria.verification import kkt_residual

from . import _large
from .oracle import _build_oracle, _Oracle
from .sketch import sketch_solve

__all__ = ["eal_sketch", "EALResult", "RankDeficiencyWarning", "sketch_solve"]

_SKETCHES = ("auto", "kaczmarz", "block", "gaussian", "exact", "minres")

# ---- sketch="auto" ---------------------------------------------------------------------------
#: ``sketch="auto"`` on a dense problem solves exactly (LU) while ``n + m`` is at most this;
#: measured on ``large_problem`` (2 cores, shared): exact / block Kaczmarz total time 41 / 67 s
#: at n + m = 2500, 79 / 507 s at 5000, 211 / 991 s at 7500 (the sketches never won), and on
#: HS 26/46/47/49 single-row Kaczmarz was ~480x slower than exact
AUTO_DENSE_MAX = 8000

# ---- accuracy condition (step 1) ------------------------------------------------------------
#: relative slack of the accuracy test ``||K z + grad L|| <= theta_t ||grad L||`` (rounding of
#: the solver's own residual)
ACCURACY_SLACK = 1e-12
#: the accuracy test also passes when the solver residual is below this fraction of
#: ``||grad L||`` (roundoff floor)
ACCURACY_FLOOR = 1e-14
#: ``theta_t`` is sharpened (``theta_t / rho``) only while it exceeds this value
THETA_MIN = 1e-14
#: ``theta_t <= UNIT_STEP_ACCURACY * sqrt(eta2 / eta1)``, i.e. ``eta1 ||e||^2 <= eta2
#: ||grad L||^2 / 4``: the solver error cannot spoil the unit step
UNIT_STEP_ACCURACY = 0.5

# ---- descent test DC and its repairs (step 2) ---------------------------------------------
#: DC: ``grad L_eta^T z <= -DC_FRACTION (eta2 ||grad_x L||^2 + eta1 ||c||^2)``
DC_FRACTION = 0.25
#: DC: ``c^T G dx <= -C_DECREASE ||c||^2`` (the direction reduces the infeasibility)
C_DECREASE = 0.5
#: ``dx`` has no null-space component when ``||dx_N||^2 <= NULL_SPACE_TINY max(1, ||dx||^2)``
NULL_SPACE_TINY = 1e-24
#: curvature test: ``d^T (H + delta I) d > CURVATURE_MIN ||d||^2`` along the null-space part
CURVATURE_MIN = 1e-8
#: growth factor of a repeated Hessian shift ``delta``
SHIFT_GROWTH = 10.0
#: a new shift is at least this multiple of the negative Rayleigh quotient along ``dx_N``
SHIFT_RAYLEIGH = 2.0
#: a new shift is at least this fraction of ``max(1, max |H|)``
SHIFT_MIN = 1e-4
#: largest Hessian shift before the Newton system is declared degenerate
SHIFT_MAX = 1e12

# ---- line search (step 3) ---------------------------------------------------------------
#: roundoff safeguard: a predicted decrease ``|D| <= ROUNDOFF_RTOL (1 + |L_eta|)`` is below the
#: rounding error of the merit value
ROUNDOFF_RTOL = 1e-10
#: ... and then the unit step is accepted if the Euclidean KKT residual drops to this fraction
ROUNDOFF_KKT_DECREASE = 0.9

# ---- rank and breakdown diagnosis ---------------------------------------------------------
#: rank test at ``x0``: singular values ``<= RANK_RTOL max(1, sigma_max)`` of ``J`` count as 0
RANK_RTOL = 1e-10
#: locally infeasible: ``||c|| > INFEASIBLE_C_MIN`` ...
INFEASIBLE_C_MIN = 1e-6
#: ... and ``||J^T c|| <= INFEASIBLE_JTC_RTOL ||c|| max(1, sigma_max)`` (stationary for ||c||^2)
INFEASIBLE_JTC_RTOL = 1e-3
#: rank deficient at a breakdown: ``sigma_min <= DEGENERATE_SV_RTOL max(1, sigma_max)``
DEGENERATE_SV_RTOL = 1e-8


class RankDeficiencyWarning(RuntimeWarning):
    """The constraint Jacobian at ``x0`` has dependent rows (redundant constraints or parallel
    constraint gradients); :func:`eal_sketch` goes on with a regularized Newton-KKT solve."""


@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class EALResult(Result):
    """Result of :func:`eal_sketch`.

    Attributes
    ----------
    x, lam : ndarray
        Final primal point and equality multipliers.
    fun : float
        Objective value at ``x``.
    kkt : float
        KKT residual ``max(||grad f + J^T lam||_inf, ||c||_inf)``
        (:func:`equilibria.verification.kkt_residual`).
    kkt_history : ndarray, shape (n_iter + 1,)
        KKT residual (same definition) at every iterate.
    residual_history : ndarray, shape (n_iter + 1,)
        Euclidean KKT residual ``||(grad_x L, c)||_2`` at every iterate.
    merit_history : ndarray, shape (n_iter + 1,)
        Merit value ``L_eta(x_t, lam_t)`` with the penalties used by the line search at
        iteration ``t`` (``eta1_history[t]``, ``eta2``); the last entry uses the final ones.
    step_sizes : ndarray, shape (n_iter,)
        Accepted Armijo step sizes ``alpha_t``.
    sketch_iters : ndarray of int, shape (n_iter,)
        Randomized-solver iterations (rows / sketches) used at each Newton iteration.
    directional_derivatives : ndarray, shape (n_iter,)
        ``grad L_eta^T z_t`` of the accepted direction.
    eta1_history, eta2_history, theta_history : ndarray, shape (n_iter,)
        Penalties and sketching accuracy used at each iteration.
    x_history, lam_history, directions : ndarray
        Iterates ``(n_iter + 1, n)``, ``(n_iter + 1, m)`` and directions ``(n_iter, n + m)``.
    n_fev : int
        Evaluations of ``(f, c)``.
    n_inexact : int
        Iterations whose direction missed the accuracy condition within ``max_sketch_iter``
        but passed the descent test (used anyway).
    sketch : str
        The Newton-KKT solver used (``sketch="auto"`` resolved: ``"exact"``, ``"block"`` or
        ``"minres"``).
    """

    x: np.ndarray
    lam: np.ndarray
    fun: float
    kkt: float
    kkt_history: np.ndarray
    residual_history: np.ndarray
    merit_history: np.ndarray
    step_sizes: np.ndarray
    sketch_iters: np.ndarray
    directional_derivatives: np.ndarray
    eta1_history: np.ndarray
    eta2_history: np.ndarray
    theta_history: np.ndarray
    delta_history: np.ndarray
    x_history: np.ndarray
    lam_history: np.ndarray
    directions: np.ndarray
    n_fev: int
    n_inexact: int = 0
    sketch: str = ""

    @property
    def multipliers(self) -> np.ndarray:
        """Alias of ``lam``."""
        return self.lam

    @property
    def eta1(self) -> float:
        """Final penalty on ``||c||^2``."""
        return float(self.eta1_history[-1]) if self.eta1_history.size else np.nan

    @property
    def eta2(self) -> float:
        """Final penalty on ``||grad_x L||^2``."""
        return float(self.eta2_history[-1]) if self.eta2_history.size else np.nan

    @property
    def unit_step_from(self) -> int:
        """First iteration from which every accepted step is the unit step (``n_iter`` if none)."""
        s = self.step_sizes
        k = s.size
        while k > 0 and s[k - 1] == 1.0:
            k -= 1
        return int(k)



def eal_sketch(f, c, x0, *, grad=None, jac=None, hess=None, hessp=None, variables=None,
               lam0=None, sketch="auto", sketch_size=None, theta=0.25, sharpen=0.0,
               eta1=1.0, eta2=0.1, rho=4.0, beta=1e-4, backtrack=0.5, tol=1e-8, max_iter=200,
               max_sketch_iter=None, max_backtracks=50, eta_max=1e12, check_rank=True,
               history=True, seed=0) -> EALResult:
    r"""Adaptive inexact Newton method on the exact augmented Lagrangian (AdaSketch-Newton [1]).

    Solves

    .. math::

        \min_{x\in\mathbb{R}^n} f(x) \quad \text{s.t.} \quad c(x) = 0 \in \mathbb{R}^m

    with the Lagrangian :math:`\mathcal{L}(x,\lambda) = f(x) + \lambda^T c(x)`, the KKT matrix
    :math:`K_t = \begin{pmatrix} H_t & G_t^T \\ G_t & 0\end{pmatrix}` (:math:`H_t = \nabla_x^2
    \mathcal{L}`, :math:`G_t = \nabla c^T`) and the exact augmented Lagrangian merit function

    .. math::

        \mathcal{L}_{\eta}(x, \lambda) = f + \lambda^T c + \frac{\eta_1}{2}\|c\|^2
        + \frac{\eta_2}{2}\|\nabla_x \mathcal{L}\|^2 .

    Iteration :math:`t`:

    1. Run a randomized sketching solver (:func:`sketch_solve`: randomized block Kaczmarz [5],
       randomized Kaczmarz or Gaussian sketch-and-project [2], warm-started) on :math:`K_t z = -\nabla\mathcal{L}_t` until the
       adaptive accuracy condition
       :math:`\|K_t z_t + \nabla\mathcal{L}_t\| \le \theta_t \|\nabla\mathcal{L}_t\|` holds, with
       :math:`\theta_t = \min(\theta, \tfrac12\sqrt{\eta_2/\eta_1},
       \|\nabla\mathcal{L}_t\|^{\varrho})` (``sharpen`` = :math:`\varrho`; :math:`\varrho = 0`
       drops the last term and gives a fixed condition, :math:`\varrho > 0` sharpens it as the
       iterates converge; the middle term keeps the solver error from spoiling the unit step
       once :math:`\eta_1` has grown).
    2. Descent test (DC): :math:`\nabla\mathcal{L}_{\eta}^T z_t \le -\frac{\eta_2}{4}
       \|\nabla_x\mathcal{L}_t\|^2 - \frac{\eta_1}{4}\|c_t\|^2`, together with
       :math:`c_t^T G_t \Delta x_t \le -\frac12\|c_t\|^2` and positive curvature
       :math:`d^T H_t d > 0` along the null-space component :math:`d` of :math:`\Delta x_t`.
       Write :math:`\nabla\mathcal{L}_\eta^T z = A_t + \eta_1 c_t^T G_t\Delta x_t`.  If
       :math:`c_t^T G_t\Delta x_t > -\frac12\|c_t\|^2` the solver accuracy is sharpened,
       :math:`\theta_t \leftarrow \theta_t/\rho`, and sketching continues (warm start); else if
       the curvature test fails the Hessian block is shifted, :math:`H_t + \delta_t I`
       (:math:`\delta_t` starts at twice the negative Rayleigh quotient along that component
       and grows tenfold), and the system is re-solved; else the penalty is raised,
       :math:`\eta_1 \leftarrow \max(\rho\eta_1, 4(A_t + \frac{\eta_2}{4}
       \|\nabla_x\mathcal{L}_t\|^2)/\|c_t\|^2)`, which makes DC hold.
    3. Armijo backtracking: the largest :math:`\alpha = \kappa^i` (``backtrack`` = :math:`\kappa`)
       with :math:`\mathcal{L}_\eta(v_t + \alpha z_t) \le \mathcal{L}_\eta(v_t) +
       \beta\alpha\nabla\mathcal{L}_\eta^T z_t`.

    Merit gradient (used in step 2):
    :math:`\nabla_x\mathcal{L}_\eta = \nabla_x\mathcal{L} + \eta_1 G^T c + \eta_2 H
    \nabla_x\mathcal{L}`, :math:`\nabla_\lambda\mathcal{L}_\eta = c + \eta_2 G
    \nabla_x\mathcal{L}`.  With :math:`e = K z + \nabla\mathcal{L}` one has
    :math:`\nabla\mathcal{L}_\eta^T z = \nabla\mathcal{L}^T z - \eta_2\|\nabla_x\mathcal{L}\|^2
    - \eta_1\|c\|^2 + \eta_2\nabla_x\mathcal{L}^T e_x + \eta_1 c^T e_\lambda`, which is why the
    penalty and accuracy updates above restore descent.  :math:`\eta_2` stays fixed: the merit
    function is exact for :math:`\eta_2` small and :math:`\eta_1` large [3], and a large
    :math:`\eta_2` would make local maximizers attractive.

    **Stopping rule**: ``kkt_residual`` :math:`= \max(\|\nabla f + G^T\lambda\|_\infty,
    \|c\|_\infty) \le` ``tol``.

    **Theory** [1] (global and local convergence results; for :math:`f, c` twice continuously differentiable, LICQ and
    bounded :math:`K_t^{-1}` along the iterates): the penalties stabilise after finitely many
    updates, every accepted direction is a descent direction of the merit function, the KKT
    residual converges to zero almost surely, the unit step is eventually accepted, and the
    local convergence is linear with ratio about :math:`\theta` (superlinear when
    :math:`\theta_t \to 0`, here of order :math:`1 + \varrho`).

    Parameters
    ----------
    f : callable or sympy expression
        Objective ``f(x) -> float``; or a sympy expression in ``variables``.
    c : callable or sequence of sympy expressions
        Constraints ``c(x) -> (m,)``.
    x0 : array_like, shape (n,)
        Starting point; ``f(x0)`` and ``c(x0)`` must be finite.
    grad, jac : callable, optional
        ``grad(x) -> (n,)``, ``jac(x) -> (m, n)`` (an array or a ``scipy.sparse`` matrix);
        central finite differences if omitted.
    hess : callable, optional
        ``hess(x, lam) -> (n, n)``, Hessian of the Lagrangian: an array, a ``scipy.sparse``
        matrix or a ``scipy.sparse.linalg.LinearOperator``.
    hessp : callable, optional
        ``hessp(x, lam, v) -> (n,)``, Hessian-vector product, used when ``hess`` is not
        given: on the dense path to assemble ``H`` (``n`` calls), on the sparse /
        matrix-free path (see Notes) as the operator ``H`` itself.  Without both, forward
        differences of the Lagrangian gradient (dense: ``n`` of them; matrix-free: one per
        product, along ``v``).
    variables : sequence of sympy symbols, optional
        Order of the variables when ``f``/``c`` are sympy expressions (default: free symbols
        sorted by name).  The package compiles gradients, Jacobian and Hessian with
        ``sympy.lambdify``.
    lam0 : array_like, shape (m,), optional
        Initial multipliers (default: least-squares multipliers at ``x0``).
    sketch : {"auto", "block", "kaczmarz", "gaussian", "exact", "minres"}
        Solver of the Newton-KKT systems.  ``"auto"`` (default): dense problems with
        ``n + m <= AUTO_DENSE_MAX`` (8000) use ``"exact"``, larger dense ones ``"block"``;
        on the sparse / matrix-free path, with a sparse-matrix Hessian, ``"exact"`` when the
        predicted work of a sparse factorization of ``K`` at ``x0`` is small and
        ``"minres"`` when it is not (fill-based: the envelope of ``K`` in reverse
        Cuthill-McKee order, see :mod:`._large`; e.g. ridge logistic regression with sparse
        features at n = 10,000, whose SuperLU takes 138 s at 105x fill, goes to MINRES), and
        ``"minres"`` when the Hessian is an operator (``hessp``, ``LinearOperator``).  The
        choice made is ``result.sketch``.  Measured
        crossover (``large_problem``, dense, shared 2-core machine with a multithreaded BLAS
        under load): exact / block 41 / 67 s at ``n + m = 2500``, 79 / 507 s at 5000, 211 /
        991 s at 7500, i.e. the sketches did not win at any size that fits densely; on the
        collection the exact solve is 4.8x faster in total than block Kaczmarz, and single-
        row Kaczmarz was ~480x slower than exact on HS 26/46/47/49.  ``"block"``,
        ``"kaczmarz"``, ``"gaussian"``: the randomized solvers of :func:`sketch_solve`, on the
        dense KKT matrix or, on the sparse path with a sparse ``hess``, on the rows of the
        CSR KKT matrix (refused with an operator Hessian).  ``"exact"``: dense LU, or sparse LU (SuperLU) on the sparse path.
        ``"minres"``: MINRES on the KKT operator, preconditioned by
        ``diag(D, J D^{-1} J^T)`` with ``D`` the (estimated) diagonal of the shifted Hessian
        (Murphy, Golub & Wathen 2000), stopped by the accuracy condition of step 1
        (true residual), at most ``max_sketch_iter`` (default 5000) MINRES iterations.
    sketch_size : int, optional
        Block size ``q`` of ``"block"`` (default :math:`\max(4, \lceil\sqrt{n+m}\rceil)`,
        the starting size) or columns ``q`` of the Gaussian sketch (default
        :math:`\lfloor (n+m)/2 \rfloor`).
    theta : float in (0, 1)
        Accuracy :math:`\theta` of the adaptive condition.
    sharpen : float >= 0
        :math:`\varrho` in :math:`\theta_t = \min(\theta, \|\nabla\mathcal{L}_t\|^\varrho)`.
    eta1, eta2 : float > 0
        Initial penalties.
    rho : float > 1
        Penalty / accuracy update factor.
    beta : float in (0, 1/2)
        Armijo constant.
    backtrack : float in (0, 1)
        Step reduction factor :math:`\kappa`.
    tol : float > 0
        KKT tolerance.
    max_iter : int
        Newton iterations.
    max_sketch_iter : int, optional
        Sketches per call of :func:`sketch_solve` (default 1,000,000 rows for ``"kaczmarz"``,
        2,000 block or Gaussian sketches otherwise).
    max_backtracks : int
        Armijo trials per iteration.
    eta_max : float
        Largest penalty before the system is declared degenerate.
    check_rank : bool
        Check at ``x0`` that the constraint Jacobian has full row rank; if not (consistent
        redundant constraints, parallel constraint gradients at the start), warn
        :class:`RankDeficiencyWarning` and go on: singular Newton-KKT systems are then solved
        with inertia correction and least-squares multiplier steps (see Notes), and success
        still requires the KKT residual of *all* constraints ``<= tol``.  Inconsistent
        dependent constraints end ``INFEASIBLE`` or ``DEGENERATE``.
    history : bool
        Keep every iterate and direction (default).  ``False`` (large problems): ``x_history``
        and ``lam_history`` hold the first and the last iterate only and ``directions`` is
        empty; the scalar histories are kept.
    seed : int or Generator
        Seed of the randomized solver.

    Returns
    -------
    EALResult
        ``status`` is ``SUCCESS``, ``MAX_ITER``, ``INFEASIBLE`` (stalled at a stationary point
        of :math:`\|c\|^2` with :math:`c \ne 0`), ``DEGENERATE`` (rank-deficient Jacobian,
        inconsistent or singular Newton system, stalled line search, penalty beyond
        ``eta_max``) or ``NUMERICAL``.

    Raises
    ------
    ValueError
        Bad shapes (naming ``x0``, ``c``, ``grad``, ``jac``, ``hess``, ``lam0``), ``f(x0)`` or
        ``c(x0)`` not finite (naming ``x0``), bad options.

    Notes
    -----
    Deviations from [1]: the paper's exact accuracy condition and penalty-update constants
    could not be consulted (only the abstract was found by a literature search; no equation
    numbers are cited for that reason); the rule above (relative accuracy :math:`\theta_t`, descent test
    DC with constants 1/4, :math:`\eta_1` increase, inertia-free curvature test with a
    Hessian shift [4]) is a reconstruction that keeps the paper's structure (accuracy and penalty adapted until the inexact direction is a descent
    direction of :math:`\mathcal{L}_\eta`; Armijo on :math:`\mathcal{L}_\eta`; sharpened
    accuracy for superlinear rates).

    Dense and sparse paths.  The dense path (the default for array inputs) assembles ``H``
    (``hessp`` is called ``n`` times) and the dense KKT matrix.  The sparse / matrix-free path
    is taken when ``jac`` returns a ``scipy.sparse`` matrix, ``hess`` returns a sparse matrix
    or a ``LinearOperator``, or only ``hessp`` (or nothing) is given and ``n + m >
    AUTO_DENSE_MAX``; there no dense ``n x n`` or ``(n+m) x (n+m)`` array is formed: ``J``
    is kept in CSR form, ``H`` is a sparse matrix or an operator, null-space projections and
    the initial least-squares multipliers use a sparse LU of the augmented system
    ``[[I, J^T], [J, 0]]`` (:class:`._large.SparseGram`; never ``J J^T``, whose condition
    number is the square of ``J``'s), and the Newton-KKT
    system is solved by a sparse LU of ``K`` or by MINRES on the operator ``K`` (Paige &
    Saunders 1975) with the accuracy condition of step 1 as its stopping rule, or, when
    ``hess`` returns a sparse matrix, by the randomized sketches on the rows of the CSR KKT
    matrix (same iterations as on the dense matrix, ``O(nnz)`` per row; with only an operator
    Hessian they are refused: a row of ``H`` costs one ``hessp``).  On the sparse path ``J`` is assumed to have full row rank (a
    singular ``J J^T`` at ``x0`` warns :class:`RankDeficiencyWarning`; the least-squares
    multiplier step of the dense path is not available) and the breakdown diagnosis bounds
    :math:`\sigma_{\max}(J)` by the Frobenius norm.  Before ``"auto"`` the default sketch
    was ``"block"`` (randomized block Kaczmarz with adaptive block size), which solves every
    collection problem, including the ill-conditioned KKT systems (HS 26, 46, 47, 49, PDE)
    where single-row Kaczmarz and Gaussian sketches exhaust their budget.  Two safeguards not in [1]: when the
    sketch budget ``max_sketch_iter`` runs out, the direction is still used if it passes DC
    (counted in ``n_inexact``); and when the predicted decrease :math:`|\nabla
    \mathcal{L}_\eta^T z|` is below the rounding error of the merit value, the unit step is
    accepted if it lowers the Euclidean KKT residual by 10%.  Singular or ill-conditioned
    Newton-KKT systems (a zero Hessian with parallel constraint gradients, dependent
    constraints whose linearization is inconsistent), detected by a solve that misses its
    accuracy before any Hessian shift, are regularized as in interior-point and SQP codes
    (IPOPT's inertia correction, Wachter & Biegler 2006, Sec. 3.1): the system
    :math:`\begin{pmatrix} H + \delta I & G^T \\ G & -\delta_c I\end{pmatrix}` with a
    growing shift :math:`\delta` (and :math:`\delta_c = \delta` when :math:`G` is rank
    deficient), and the multiplier step replaced by the least-squares one (no component in the
    null space of :math:`G^T`, where the multipliers are not determined).  On instances whose
    systems are solved as given this never runs, so they are unaffected.

    References
    ----------
    1. I. Hong, S. Na, M. W. Mahoney, M. Kolar (2023). Constrained optimization via exact
       augmented Lagrangian and randomized iterative sketching. ICML 2023 (PMLR 202).
    2. R. M. Gower, P. Richtarik (2015). Randomized iterative methods for linear systems. SIAM J.
       Matrix Anal. Appl. 36(4), 1660-1690.
    3. S. Lucidi (1990). Recursive quadratic programming algorithm that uses an exact augmented
       Lagrangian function. J. Optim. Theory Appl. 67(2), 227-245.
    4. N. Chiang, V. M. Zavala (2016). An inertia-free filter line-search algorithm for
       large-scale nonlinear programming. Comput. Optim. Appl. 64, 327-354.
    5. D. Needell, J. A. Tropp (2014). Paved with good intentions: analysis of a randomized
       block Kaczmarz method. Linear Algebra Appl. 441, 199-221 (``sketch="block"``).

    Examples
    --------
    >>> import numpy as np
    >>> from equilibria.solvers.constrained import eal_sketch
    >>> res = eal_sketch(lambda x: x @ x, lambda x: np.array([x.sum() - 1.0]), np.zeros(3),
    ...                  grad=lambda x: 2 * x, jac=lambda x: np.ones((1, 3)),
    ...                  hess=lambda x, lam: 2 * np.eye(3))
    >>> bool(res.success), np.round(res.x, 6).tolist()
    (True, [0.333333, 0.333333, 0.333333])
    """
    opts = _check_options(sketch, sketch_size, theta, sharpen, eta1, eta2, rho, beta,
                          backtrack, tol, max_iter, max_sketch_iter, max_backtracks, eta_max)
    rng = as_generator(seed)

    # ---- problem and start: oracle, derivatives at x0, least-squares multipliers ----------
    x = as_float_array(x0, "x0", ndim=1, min_size=1, copy=True)
    if not isinstance(history, (bool, np.bool_)):
        raise TypeError(f"`history` must be True or False, got {history!r}")
    orc = _build_oracle(f, c, grad, jac, hess, hessp, variables, x)
    st = _start(orc, x, lam0, opts)
    st.keep_history = bool(history)
    opts = dataclasses.replace(opts, sketch=_resolve_sketch(opts.sketch, st, orc))
    if check_rank:                                  # dependent constraint gradients at x0
        why = _rank_defect(st.J, _state_gram(st) if _large.sps.issparse(st.J) else None)
        if why is not None:
            warnings.warn(why + "; continuing: a singular Newton-KKT system is solved with "
                          "inertia correction and least-squares multiplier steps (the "
                          "multipliers of dependent constraints are not unique)",
                          RankDeficiencyWarning, stacklevel=2)

    status, message, success = Status.MAX_ITER, "", False
    while True:
        # ---- residuals at v_t = (x_t, lam_t) and the stopping rule ------------------------
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported below
            r = _residuals(st)
            _record_iterate(st, r)
        if not np.isfinite(r.res):
            status = Status.NUMERICAL
            message = (f"the KKT residual overflows at iteration {st.it} (multipliers or "
                       "derivatives too large); rescale the problem or pass a smaller `lam0`")
            break
        if r.kkt <= opts.tol:
            success, status = True, Status.SUCCESS
            message = f"KKT residual {r.kkt:.3g} <= tol={opts.tol:g} after {st.it} iterations"
            break
        if st.it >= opts.max_iter:
            message = (f"max_iter={opts.max_iter} reached with KKT residual {r.kkt:.3g} > "
                       f"tol={opts.tol:g}; increase `max_iter`")
            break
        # ---- steps 1-2: sketched Newton direction, adapted until it passes DC -------------
        step = _direction(st, r, opts, rng)
        st.eta1 = step.eta1
        st.n_inexact += step.inexact
        if step.failed is not None:
            status, message = _diagnose(step.failed, st.J, st.cv, r.res, opts.eta_max)
            break
        # ---- step 3: Armijo backtracking on the merit function ----------------------------
        m0 = _merit(st.fx, st.lam, st.cv, r.Lx, st.eta1, st.eta2)
        st.hist.merit[-1] = m0                      # with the updated penalties
        trial = _line_search(orc, st, r, step, m0, opts)
        if trial is None:
            status, message = _stalled_line_search(st, r, opts)
            break
        _accept(st, step, trial)
        st.H = orc.hess(st.x, st.lam)
        if not (_large.all_finite(st.H) and _large.all_finite(st.J)
                and np.all(np.isfinite(st.g))):
            status = Status.NUMERICAL
            message = "non-finite derivative at the current iterate; check `grad`/`jac`/`hess`"
            break
    return dataclasses.replace(_result(st, orc, success, status, message), sketch=opts.sketch)


# ---------------------------------------------------------------------------------------------
# the records passed between the steps
# ---------------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class _Options:
    """Validated options of :func:`eal_sketch` (``eta1`` is the initial penalty)."""

    sketch: str
    sketch_size: int | None
    theta: float
    sharpen: float
    eta1: float
    eta2: float
    rho: float
    beta: float
    backtrack: float
    tol: float
    max_iter: int
    max_sketch_iter: int | None
    max_backtracks: int
    eta_max: float


@dataclasses.dataclass(eq=False)
class _History:
    """Per-iterate and per-iteration records; they become the histories of :class:`EALResult`."""

    kkt: list = dataclasses.field(default_factory=list)          # kkt_history
    residual: list = dataclasses.field(default_factory=list)     # residual_history
    merit: list = dataclasses.field(default_factory=list)        # merit_history
    step: list = dataclasses.field(default_factory=list)         # step_sizes
    sketch_iters: list = dataclasses.field(default_factory=list)
    slope: list = dataclasses.field(default_factory=list)        # directional_derivatives
    eta1: list = dataclasses.field(default_factory=list)
    eta2: list = dataclasses.field(default_factory=list)
    theta: list = dataclasses.field(default_factory=list)
    delta: list = dataclasses.field(default_factory=list)
    x: list = dataclasses.field(default_factory=list)
    lam: list = dataclasses.field(default_factory=list)
    z: list = dataclasses.field(default_factory=list)            # directions


@dataclasses.dataclass(eq=False)
class _EALState:
    """The iterate ``v_t = (x_t, lam_t)``, the problem's values and derivatives there
    (``f``, ``c``, ``grad f``, ``J``, ``H = nabla_x^2 L``), the current penalties, the counters
    and the histories."""

    x: np.ndarray
    lam: np.ndarray
    fx: float
    cv: np.ndarray
    g: np.ndarray
    J: np.ndarray
    H: np.ndarray
    eta1: float
    eta2: float
    it: int = 0
    n_inexact: int = 0
    keep_history: bool = True
    hist: _History = dataclasses.field(default_factory=_History)
    #: the factor of ``J J^T`` at this iterate (:func:`_gram`), once ``gram_ready``
    gram: object = None
    gram_ready: bool = False


@dataclasses.dataclass(frozen=True)
class _Residuals:
    """KKT quantities at the current iterate: ``grad_x L``, ``grad L = (grad_x L, c)``, its
    Euclidean norm ``res`` and the (max-norm) KKT residual ``kkt`` of the stopping rule."""

    Lx: np.ndarray
    gradL: np.ndarray
    res: float
    kkt: float


@dataclasses.dataclass(frozen=True)
class _Step:
    """Outcome of steps 1-2: the direction ``z`` with the solver work, accuracy ``theta_t``,
    Hessian shift ``delta`` and penalty ``eta1`` it was accepted with, the merit slope
    ``grad L_eta^T z``, whether the sketch budget ran out (``inexact``); or the reason of a
    breakdown (``failed``: ``"sketch"`` or ``"penalty"``)."""

    z: np.ndarray
    n_sketch: int
    theta: float
    delta: float
    eta1: float
    slope: float
    inexact: bool = False
    failed: str | None = None


@dataclasses.dataclass(frozen=True)
class _Trial:
    """The accepted trial point ``v_t + alpha z_t`` of step 3 with its values and derivatives."""

    alpha: float
    x: np.ndarray
    lam: np.ndarray
    fx: float
    cv: np.ndarray
    g: np.ndarray
    J: np.ndarray


# ---------------------------------------------------------------------------------------------
# start and end
# ---------------------------------------------------------------------------------------------

def _check_options(sketch, sketch_size, theta, sharpen, eta1, eta2, rho, beta, backtrack, tol,
                   max_iter, max_sketch_iter, max_backtracks, eta_max) -> _Options:
    """Validate the options of :func:`eal_sketch` (errors name the argument)."""
    sketch = check_option(sketch, "sketch", _SKETCHES)
    theta = check_scalar(theta, "theta", lo=0, hi=1, lo_inclusive=False, hi_inclusive=False)
    sharpen = check_scalar(sharpen, "sharpen", lo=0)
    eta1 = check_scalar(eta1, "eta1", lo=0, lo_inclusive=False)
    eta2 = check_scalar(eta2, "eta2", lo=0, lo_inclusive=False)
    rho = check_scalar(rho, "rho", lo=1, lo_inclusive=False)
    beta = check_scalar(beta, "beta", lo=0, hi=0.5, lo_inclusive=False, hi_inclusive=False)
    backtrack = check_scalar(backtrack, "backtrack", lo=0, hi=1, lo_inclusive=False,
                             hi_inclusive=False)
    tol = check_scalar(tol, "tol", lo=0, lo_inclusive=False)
    max_iter = check_int(max_iter, "max_iter", lo=0)
    max_backtracks = check_int(max_backtracks, "max_backtracks", lo=1)
    eta_max = check_scalar(eta_max, "eta_max", lo=0, lo_inclusive=False)
    if sketch_size is not None:
        sketch_size = check_int(sketch_size, "sketch_size", lo=1)
    if max_sketch_iter is not None:
        max_sketch_iter = check_int(max_sketch_iter, "max_sketch_iter", lo=1)
    return _Options(sketch=sketch, sketch_size=sketch_size, theta=theta, sharpen=sharpen,
                    eta1=eta1, eta2=eta2, rho=rho, beta=beta, backtrack=backtrack, tol=tol,
                    max_iter=max_iter, max_sketch_iter=max_sketch_iter,
                    max_backtracks=max_backtracks, eta_max=eta_max)


def _start(orc: _Oracle, x, lam0, opts: _Options) -> _EALState:
    """The start ``v_0``: evaluate and shape-check ``f, c, grad, jac, hess`` at ``x0`` (errors
    name the argument) and take ``lam0``, by default the least-squares multipliers
    ``argmin ||grad f + J^T lam||``; sets the oracle's number of constraints ``m``."""
    n = x.size
    with np.errstate(all="ignore"):
        f0 = orc.f(x)
        c0 = orc.c(x)
    if c0.ndim != 1 or c0.size < 1:
        raise ValueError(f"`c` must return a 1-D array with at least one constraint, got shape "
                         f"{c0.shape}")
    if not np.isfinite(f0) or not np.all(np.isfinite(c0)):
        raise ValueError(f"`x0` must be a point where f and c are finite: f(x0)={f0!r}, "
                         f"c(x0) has {int(np.sum(~np.isfinite(c0)))} non-finite entries")
    m = c0.size
    orc.m = m
    g0 = orc.grad(x)
    if g0.shape != (n,):
        raise ValueError(f"`grad` must return shape ({n},), got {g0.shape}")
    if orc.jac_user is not None:
        J_raw = orc.jac_user(x)
        if not (_large.is_large(J_raw) or isinstance(J_raw, (np.ndarray, list, tuple))
                or np.isscalar(J_raw)):
            raise TypeError("`jac` must return an array or a scipy.sparse matrix, got "
                            f"{type(J_raw).__name__}")
        if isinstance(J_raw, _large.LinearOperator):
            raise TypeError("`jac` must return an array or a scipy.sparse matrix, got a "
                            "LinearOperator")
    J0 = orc.jac(x)
    if J0.shape != (m, n):
        raise ValueError(f"`jac` must return shape ({m}, {n}), got {J0.shape}")
    # the sparse / matrix-free path: sparse J, sparse or operator Hessian, or hessp alone on
    # a problem too large for the dense KKT matrix (see _large)
    H_probe = None
    if orc.hess_user is not None:
        H_probe = orc.hess_user(x, np.zeros(m))
    orc.matrix_free = bool(_large.sps.issparse(J0) or _large.is_large(H_probe)
                           or (orc.hess_user is None and n + m > AUTO_DENSE_MAX))
    if orc.matrix_free:
        J0 = orc.jac(x)
    if not (np.all(np.isfinite(g0)) and _large.all_finite(J0)):
        raise ValueError("`x0` must be a point where grad f and the Jacobian of c are finite")
    gram, gram_ready = None, False
    if lam0 is None and orc.matrix_free:
        gram, gram_ready = _large.sparse_gram(J0), True
        lam = -gram.solve(J0 @ g0) if gram is not None else np.zeros(m)
    elif lam0 is None:
        lam = -np.linalg.lstsq(J0.T, g0, rcond=None)[0]       # least-squares multipliers
    else:
        lam = as_float_array(lam0, "lam0", ndim=1, shape=(m,), copy=True)
    H0 = orc.hess(x, lam)
    name = "hess" if orc.hess_user is not None else "hessp"
    if not (_large.is_large(H0) or isinstance(H0, np.ndarray)):
        raise TypeError(f"`{name}` must give an array, a scipy.sparse matrix or a "
                        f"LinearOperator, got {type(H0).__name__}")
    if H0.shape != (n, n):
        raise ValueError(f"`{name}` must give a Hessian of shape ({n}, {n}), got {H0.shape}")
    if orc.matrix_free and orc.hessp_user is not None and orc.hess_user is None:
        hv = orc.hessp_user(x, lam, np.zeros(n))
        if np.shape(hv) != (n,):
            raise ValueError(f"`hessp` must return shape ({n},), got {np.shape(hv)}")
    st = _EALState(x=x, lam=lam, fx=f0, cv=c0, g=g0, J=J0, H=H0, eta1=opts.eta1,
                   eta2=opts.eta2, gram=gram, gram_ready=gram_ready)
    st.hist.x.append(x.copy())
    st.hist.lam.append(lam.copy())
    return st


def _rank_defect(J, gram=None) -> str | None:
    """Why the constraint Jacobian ``J`` at ``x0`` lacks full row rank (``None`` if it has it);
    a sparse ``J`` is judged by its Gram factor ``gram`` (:func:`_gram`, ``None``: singular)."""
    m, n = J.shape
    if m > n:
        return (f"{m} constraints for {n} variables at x0: the constraint gradients cannot be "
                "linearly independent (redundant constraints)")
    if _large.sps.issparse(J):                  # sparse path: the Gram factorization decides
        if gram is None:
            return "constraint Jacobian at x0 is rank deficient (J J^T is singular)"
        return None
    sv = np.linalg.svd(J, compute_uv=False)
    if sv[-1] <= RANK_RTOL * max(1.0, sv[0]):
        rank = int(np.sum(sv > RANK_RTOL * max(1.0, sv[0])))
        return (f"constraint Jacobian at x0 has rank {rank} < m={m} (linearly dependent "
                "constraint gradients)")
    return None


def _result(st: _EALState, orc: _Oracle, success, status, message) -> EALResult:
    """The :class:`EALResult` of the final state (:func:`finish` warns on failure)."""
    h = st.hist
    m = st.lam.size
    N = st.x.size + m
    kkt = (_kkt(st.g, st.J, st.cv, st.lam) if np.all(np.isfinite(st.g)) else np.inf)
    return finish(
        EALResult, success=success, status=status, message=message, n_iter=st.it,
        x=st.x.copy(), lam=st.lam.copy(), fun=float(st.fx), kkt=float(kkt),
        kkt_history=np.array(h.kkt), residual_history=np.array(h.residual),
        merit_history=np.array(h.merit), step_sizes=np.array(h.step),
        sketch_iters=np.array(h.sketch_iters, dtype=np.int64),
        directional_derivatives=np.array(h.slope), eta1_history=np.array(h.eta1),
        eta2_history=np.array(h.eta2), theta_history=np.array(h.theta),
        delta_history=np.array(h.delta),
        x_history=np.array(h.x if st.keep_history else [h.x[0], st.x]),
        lam_history=np.array(h.lam if st.keep_history else [h.lam[0], st.lam]).reshape(-1, m),
        directions=np.array(h.z).reshape(-1, N), n_fev=orc.n_fev, n_inexact=st.n_inexact)


# ---------------------------------------------------------------------------------------------
# the steps of one iteration
# ---------------------------------------------------------------------------------------------

def _merit(fx, lam, cv, Lx, eta1, eta2):
    """The exact augmented Lagrangian ``L_eta = f + lam^T c + eta1/2 ||c||^2 + eta2/2
    ||grad_x L||^2`` from the values at one point (the merit function of step 3)."""
    return fx + lam @ cv + 0.5 * eta1 * (cv @ cv) + 0.5 * eta2 * (Lx @ Lx)


def _residuals(st: _EALState) -> _Residuals:
    """Start of iteration ``t``: ``grad L_t``, its norm and the KKT residual of the stopping
    rule at ``v_t``."""
    Lx = st.g + st.J.T @ st.lam                                # grad_x L
    gradL = np.concatenate([Lx, st.cv])
    return _Residuals(Lx=Lx, gradL=gradL, res=float(np.linalg.norm(gradL)),
                      kkt=_kkt(st.g, st.J, st.cv, st.lam))


def _kkt(g, J, cv, lam):
    """The KKT residual of the stopping rule (:func:`kkt_residual`; sparse ``J`` directly)."""
    if _large.sps.issparse(J):
        return _large.kkt_inf(g, J, cv, lam)
    return kkt_residual(g, jac_c=J, c=cv, lam=lam)


def _resolve_sketch(sketch, st, orc):
    """The solver of the Newton-KKT systems for ``sketch`` (``"auto"`` resolved).

    ``"auto"``: on the dense path ``"exact"`` while ``n + m <= AUTO_DENSE_MAX`` (a dense LU;
    ``"block"`` beyond); on the sparse / matrix-free path, with a sparse-matrix Hessian,
    ``"exact"`` (sparse LU) when the predicted factorization work of ``K`` at ``x0`` is small
    (:func:`._large.auto_exact`, fill-based) and preconditioned ``"minres"`` otherwise, and
    ``"minres"`` when the Hessian is only an operator.  The randomized
    sketches read rows of ``K``: on the sparse path they run on the CSR KKT matrix when the
    Hessian is a sparse matrix, and are refused when it is only an operator (a row of ``H``
    would cost one ``hessp`` call).
    """
    N = st.x.size + st.lam.size
    if not orc.matrix_free:
        if sketch == "auto":
            return "exact" if N <= AUTO_DENSE_MAX else "block"
        return sketch
    operator = isinstance(st.H, _large.LinearOperator)
    if sketch == "auto":
        if operator:
            return "minres"
        # a sparse Hessian: the sparse LU while its predicted work is small (fill-based)
        return "exact" if _large.auto_exact(st.H, st.J) else "minres"
    if sketch in ("kaczmarz", "block", "gaussian") and operator:
        raise ValueError(f"`sketch`={sketch!r} needs rows of the KKT matrix; with a "
                         "matrix-free Hessian (`hessp` or a LinearOperator) use 'auto' or "
                         "'minres', or give `hess` returning a scipy.sparse matrix")
    if sketch == "exact" and operator:
        raise ValueError("`sketch`='exact' on the matrix-free path needs `hess` returning a "
                         "scipy.sparse matrix; with `hessp` use 'auto' or 'minres'")
    return sketch


def _record_iterate(st: _EALState, r: _Residuals) -> None:
    """Record the residuals at ``v_t`` and the merit value with the current penalties (the
    line search overwrites it with the penalties it uses)."""
    st.hist.kkt.append(r.kkt)
    st.hist.residual.append(r.res)
    st.hist.merit.append(_merit(st.fx, st.lam, st.cv, r.Lx, st.eta1, st.eta2))


def _kkt_matrix(H, J):
    """The Newton-KKT matrix ``K_t = [[H, J^T], [J, 0]]`` of step 1."""
    m, n = J.shape
    K = np.zeros((n + m, n + m))
    K[:n, :n] = H
    K[:n, n:] = J.T
    K[n:, :n] = J
    return K


def _initial_accuracy(opts: _Options, eta1, eta2, res):
    """Step 1's accuracy ``theta_t = min(theta, sqrt(eta2/eta1)/2, ||grad L_t||^rho)`` (the last
    term only with ``sharpen = rho > 0``): adaptive, sharpened as the iterates converge, and
    coupled to the penalties so the solver error cannot spoil the unit step
    (``eta1 ||e||^2 <= eta2 ||grad L||^2 / 4``)."""
    theta_t = min(opts.theta, UNIT_STEP_ACCURACY * np.sqrt(eta2 / eta1))
    if opts.sharpen > 0 and res < 1.0:   # (res >= 1: res**rho >= 1 > theta; no overflow)
        theta_t = min(theta_t, res**opts.sharpen)
    return theta_t


def _update_accuracy(theta_t, rho):
    """Step 2, first repair: the direction does not reduce ``||c||`` enough
    (``c^T G dx > -||c||^2 / 2``), so the solver accuracy is sharpened, ``theta_t / rho``, and
    sketching continues from the current ``z`` (warm start)."""
    return theta_t / rho


def _slope_parts(st: _EALState, r: _Residuals, HLx, z):
    """Step 2: ``grad L_eta^T z = A + eta1 B`` split by its dependence on ``eta1``; returns
    ``(A, B)`` with ``B = c^T G dx`` (``= -||c||^2 + c^T e_lam``)."""
    n = st.x.size
    dx, dl = z[:n], z[n:]
    A = (r.Lx + st.eta2 * HLx) @ dx + (st.cv + st.eta2 * (st.J @ r.Lx)) @ dl
    Bc = float(st.cv @ (st.J @ dx))
    return A, Bc


def _null_space_curvature(H, J, gram, dx, delta, rows=None):
    """Step 2, curvature test along the null-space component ``dx_N`` of ``dx`` (``J dx_N = 0``)
    of the shifted Hessian ``H + delta I`` (inertia-free test, [4] of :func:`eal_sketch`).

    ``rows`` (from :func:`_row_space`, rank-deficient ``J``): project with the orthonormal
    basis of the row space instead of ``(J J^T)^{-1}``.
    Returns ``(dx_N, ||dx_N||^2, passed)``; a negligible null-space component passes.
    """
    if rows is None:
        dxn = dx - J.T @ _solve_gram(gram, J @ dx)
    else:
        V = rows[1]
        dxn = dx - V.T @ (V @ dx)
    nn = float(dxn @ dxn)
    curv_ok = nn <= NULL_SPACE_TINY * max(1.0, float(dx @ dx)) or \
        float(dxn @ (H @ dxn)) + delta * nn > CURVATURE_MIN * nn
    return dxn, nn, curv_ok


def _descent_test(A, Bc, Lx2, c2, eta1, eta2):
    """Step 2, the descent condition DC: ``grad L_eta^T z <= -(eta2 ||grad_x L||^2 + eta1
    ||c||^2) / 4`` and ``c^T G dx <= -||c||^2 / 2`` (the curvature test is checked apart)."""
    return A + eta1 * Bc <= -DC_FRACTION * (eta2 * Lx2 + eta1 * c2) \
        and (c2 == 0 or Bc <= -C_DECREASE * c2)


def _raised_penalty(A, Lx2, c2, eta1, eta2, rho):
    """Step 2, second repair: ``eta1 <- max(rho eta1, 4 (A + eta2 ||grad_x L||^2 / 4) /
    ||c||^2)``, the smallest penalty (at least a factor ``rho`` up) with which DC holds."""
    need = (A + DC_FRACTION * eta2 * Lx2) / DC_FRACTION
    return max(rho * eta1, need / c2)


def _shifted_hessian(H, dxn, nn, delta):
    """Step 2, third repair: non-positive curvature along ``dx_N``: the new Hessian shift,
    at least twice the negative Rayleigh quotient, tenfold the previous shift, and
    ``1e-4 max(1, max |H|)``."""
    rayleigh = float(dxn @ (H @ dxn)) / nn if nn > 0 else 0.0
    return max(SHIFT_GROWTH * delta, SHIFT_RAYLEIGH * max(-rayleigh, 0.0),
               SHIFT_MIN * max(1.0, _large.abs_max(H)))


def _merit_slope(st: _EALState, r: _Residuals, HLx, z, eta1):
    """The directional derivative ``grad L_eta^T z`` with ``grad_x L_eta = grad_x L +
    eta1 G^T c + eta2 H grad_x L`` and ``grad_lam L_eta = c + eta2 G grad_x L``."""
    n = st.x.size
    gm_x = r.Lx + eta1 * (st.J.T @ st.cv) + st.eta2 * HLx       # grad_x L_eta
    gm_l = st.cv + st.eta2 * (st.J @ r.Lx)                      # grad_lam L_eta
    return gm_x @ z[:n] + gm_l @ z[n:]


def _direction(st: _EALState, r: _Residuals, opts: _Options, rng) -> _Step:
    """Steps 1-2 of iteration ``t``: sketch ``K_t z = -grad L_t`` to the accuracy ``theta_t``
    and repair until ``z`` passes the descent test DC and the curvature test.

    The repairs, in this order: sharpen the accuracy (:func:`_update_accuracy`); with positive
    curvature, raise ``eta1`` (:func:`_raised_penalty`, after which DC holds); else shift the
    Hessian block (:func:`_shifted_hessian`) and re-solve from zero.  When the sketch budget
    runs out the direction is still used if it passes DC (``inexact``).

    Singular or ill-conditioned ``K_t`` (the solve misses its accuracy before any shift, e.g.
    a zero Hessian with parallel constraint gradients, or an inconsistent linearization of
    dependent constraints): inertia correction as in interior-point and SQP codes (IPOPT's
    ``delta_w`` / ``delta_c``, Wachter & Biegler 2006, Sec. 3.1; [4] of :func:`eal_sketch`).
    The system becomes ``[[H + delta I, J^T], [J, 0]]`` with ``delta`` from
    :data:`SHIFT_MIN` ``max(1, max |H|)`` growing tenfold while the solve still fails; when
    ``J`` is rank deficient its right-hand side ``-c`` is replaced by the projection onto the
    range of ``J`` (the least-squares linearization ``J dx = -P c``, consistent by
    construction; Wachter & Biegler's ``delta_c`` does the same job).  Whenever ``J`` is rank
    deficient (regularized or not) the multiplier part of ``z`` is the least-squares
    multiplier step: no component in the null space of ``J^T``, where the multipliers are not
    determined and a singular solve leaves arbitrary (often huge) values whose rounding would
    stall ``grad_x L`` (:func:`_ls_multiplier_step`); and the decrease and descent tests use
    ``||P c||^2`` for ``||c||^2`` (``c^T J dx >= -||P c||^2`` for every ``dx``), so the
    direction is still a descent direction of the merit function.
    On regular instances none of this runs (bit-for-bit the unregularized method).  The step
    fails when ``eta1 > eta_max`` or the shift exceeds :data:`SHIFT_MAX`.
    """
    n, N = st.x.size, st.x.size + st.lam.size
    eta1, eta2, H = st.eta1, st.eta2, st.H
    theta_t = _initial_accuracy(opts, eta1, eta2, r.res)
    large = _large.is_large(H) or _large.sps.issparse(st.J)
    if large:
        system = _large.KKTSystem(H, st.J, opts.sketch, opts.sketch_size, rng)
    else:
        K = _kkt_matrix(H, st.J)
    z = np.zeros(N)
    n_sk = 0
    delta = 0.0                                               # Hessian shift (B_t = H + delta I)
    regularized = False                                       # inertia correction active
    Lx2, c2 = float(r.Lx @ r.Lx), float(st.cv @ st.cv)
    HLx = H @ r.Lx
    rows = _row_space(st.J)             # orthonormal bases when J is rank deficient, else None
    gram = _state_gram(st) if rows is None else None
    if rows is not None:
        # rank-deficient J: only the part P c of c in the range of J can be reduced to first
        # order (c^T J dx >= -||P c||^2), so the decrease and descent tests use ||P c||^2
        pc = _ls_multiplier_step(rows, st.cv)
        c2 = float(pc @ pc)
        if _locally_infeasible(st.J, st.cv):     # stationary point of ||c||^2 with c != 0
            return _Step(np.zeros(0), 0, theta_t, 0.0, eta1, np.nan, failed="infeasible")

    def fail(reason):
        return _Step(np.zeros(0), n_sk, theta_t, delta, eta1, np.nan, failed=reason)

    rhs = -r.gradL

    def shift(new_delta):
        """Set the Hessian shift; ``False`` beyond SHIFT_MAX."""
        nonlocal delta, z
        delta = new_delta
        if delta > SHIFT_MAX:
            return False
        if large:
            system.shift(delta)
        else:
            K[:n, :n] = H + delta * np.eye(n)
        z = np.zeros(N)
        return True

    def regularize():
        """Singular / ill-conditioned K_t: switch to the inertia-corrected system; with a
        rank-deficient ``J`` the constraint part of the right-hand side is projected onto the
        range of ``J`` (the least-squares linearization, so the system is consistent)."""
        nonlocal regularized, rhs
        regularized = True
        if rows is not None:
            rhs = np.concatenate([-r.Lx, -_ls_multiplier_step(rows, st.cv)])
        return shift(max(SHIFT_GROWTH * delta, SHIFT_MIN * max(1.0, _large.abs_max(H))))

    while True:
        if large:
            z, k_sk, r_norm = system.solve(rhs, z, theta_t * r.res, opts.max_sketch_iter)
        elif opts.sketch == "minres":
            system = _large.KKTSystem(K[:n, :n], st.J, "minres")
            z, k_sk, r_norm = system.solve(rhs, z, theta_t * r.res, opts.max_sketch_iter)
        else:
            z, k_sk, r_norm = sketch_solve(K, rhs, z, tol_abs=theta_t * r.res,
                                           method=opts.sketch, sketch_size=opts.sketch_size,
                                           max_iter=opts.max_sketch_iter, seed=rng)
        n_sk += k_sk
        # budget exhausted before the accuracy condition: the direction is still used
        # when it passes the descent test below (deviation, counted in n_inexact)
        exhausted = not r_norm <= max(theta_t * r.res * (1 + ACCURACY_SLACK),
                                      ACCURACY_FLOOR * r.res)
        if exhausted and not np.all(np.isfinite(z)):
            if regularize():
                continue
            return fail("sketch")
        if rows is not None:        # rank-deficient J: the least-squares multiplier step
            z[n:] = _ls_multiplier_step(rows, z[n:])
        A, Bc = _slope_parts(st, r, HLx, z)
        if c2 > 0 and Bc > -C_DECREASE * c2 and theta_t > THETA_MIN:
            if exhausted and delta == 0.0:
                if regularize():                # singular system: inertia correction
                    continue
                return fail("sketch")
            if not exhausted:
                theta_t = _update_accuracy(theta_t, opts.rho)
                continue
        # (a shifted system the sketches cannot solve within budget is shifted further)
        dxn, nn, curv_ok = _null_space_curvature(H, st.J, gram, z[:n], delta, rows)
        if curv_ok and _descent_test(A, Bc, Lx2, c2, eta1, eta2):
            return _Step(z, n_sk, theta_t, delta, eta1, _merit_slope(st, r, HLx, z, eta1),
                         inexact=exhausted)
        if exhausted and curv_ok and delta == 0.0:
            if regularize():                    # singular system: inertia correction
                continue
            return fail("sketch")
        if curv_ok and not exhausted and c2 > 0 and Bc <= -C_DECREASE * c2:
            eta1 = _raised_penalty(A, Lx2, c2, eta1, eta2, opts.rho)
            if eta1 > opts.eta_max:
                return fail("penalty")
            return _Step(z, n_sk, theta_t, delta, eta1, _merit_slope(st, r, HLx, z, eta1))
        if not shift(_shifted_hessian(H, dxn, nn, delta)):
            return fail("penalty")


def _evaluate_trial(orc: _Oracle, xt):
    """``(f, c, grad f, J)`` at a trial point of step 3, ``f = nan`` if the user's functions
    raise ``ValueError`` or ``ArithmeticError`` there (called under ``errstate(all="ignore")``)."""
    ct = gt = Jt = None
    try:
        ft = orc.f(xt)
        ct = orc.c(xt)
        gt = orc.grad(xt)
        Jt = orc.jac(xt)
    except (ValueError, ArithmeticError):
        ft = np.nan
    return ft, ct, gt, Jt


def _line_search(orc: _Oracle, st: _EALState, r: _Residuals, step: _Step, m0,
                 opts: _Options) -> _Trial | None:
    """Step 3, Armijo backtracking on the merit function: the first ``alpha = backtrack^i``
    (``i < max_backtracks``) with ``L_eta(v_t + alpha z) <= L_eta(v_t) + beta alpha D``,
    ``D = grad L_eta^T z`` (``m0 = L_eta(v_t)``); ``None`` if none is found.

    Roundoff safeguard (not in [1] of :func:`eal_sketch`): when ``|D|`` is below the merit's
    rounding error the unit step is accepted if it lowers the Euclidean KKT residual by 10%.
    """
    n = st.x.size
    z, D = step.z, step.slope
    alpha = 1.0
    for _ in range(opts.max_backtracks):
        xt = st.x + alpha * z[:n]
        lt = st.lam + alpha * z[n:]
        with np.errstate(all="ignore"):
            ft, ct, gt, Jt = _evaluate_trial(orc, xt)
            if np.isfinite(ft) and np.all(np.isfinite(ct)):
                Lxt = gt + Jt.T @ lt
                mt = _merit(ft, lt, ct, Lxt, st.eta1, st.eta2)
                if np.isfinite(mt) and mt <= m0 + opts.beta * alpha * D:   # Armijo condition
                    return _Trial(alpha, xt, lt, ft, ct, gt, Jt)
                # roundoff safeguard: the predicted decrease is below the merit's rounding
                # error; accept the unit step if it reduces the KKT residual (deviation)
                if alpha == 1.0 and abs(D) <= ROUNDOFF_RTOL * (1.0 + abs(m0)) \
                        and np.isfinite(mt):
                    if np.hypot(np.linalg.norm(Lxt), np.linalg.norm(ct)) \
                            <= ROUNDOFF_KKT_DECREASE * r.res:
                        return _Trial(alpha, xt, lt, ft, ct, gt, Jt)
        alpha *= opts.backtrack
    return None


def _stalled_line_search(st: _EALState, r: _Residuals, opts: _Options):
    """Status and message when step 3 found no step: ``DEGENERATE``, or ``INFEASIBLE`` when
    :func:`_diagnose` finds a stationary point of ``||c||^2``."""
    status, message = Status.DEGENERATE, (
        f"Armijo line search stalled after {opts.max_backtracks} trials at KKT "
        f"residual {r.kkt:.3g}; the Newton system is ill-conditioned here: try "
        "sketch='exact', a smaller `theta`, or another `x0`")
    st_, msg = _diagnose("linesearch", st.J, st.cv, r.res, opts.eta_max)
    if st_ == Status.INFEASIBLE:
        status, message = st_, msg
    return status, message


def _accept(st: _EALState, step: _Step, trial: _Trial) -> None:
    """End of iteration ``t``: record the step and move to ``v_{t+1} = v_t + alpha_t z_t``
    (the Hessian there is evaluated by the caller)."""
    h = st.hist
    h.step.append(trial.alpha)
    h.sketch_iters.append(step.n_sketch)
    h.slope.append(step.slope)
    h.eta1.append(st.eta1)
    h.eta2.append(st.eta2)
    h.theta.append(step.theta)
    h.delta.append(step.delta)
    st.x, st.lam = trial.x, trial.lam
    st.fx, st.cv, st.g, st.J = trial.fx, trial.cv, trial.g, trial.J
    st.gram, st.gram_ready = None, False
    if st.keep_history:
        h.z.append(step.z.copy())
        h.x.append(st.x.copy())
        h.lam.append(st.lam.copy())
    st.it += 1


# ---------------------------------------------------------------------------------------------
# null-space projections and breakdown diagnosis
# ---------------------------------------------------------------------------------------------

def _row_space(J):
    """``None`` when ``J`` has full row rank; else ``(U_r, V_r)``, orthonormal bases of the
    range of ``J`` (columns of ``U_r``) and of its row space (rows of ``V_r``), with the
    numerical rank ``r`` counting singular values above ``DEGENERATE_SV_RTOL max(1, s_max)``
    (more constraints than variables always count as rank deficient)."""
    m, n = J.shape
    if _large.sps.issparse(J):      # sparse path: full row rank assumed (checked at x0)
        return None
    U, sv, Vt = np.linalg.svd(J, full_matrices=False)
    r = int(np.sum(sv > DEGENERATE_SV_RTOL * max(1.0, float(sv[0]) if sv.size else 0.0)))
    if r == m:
        return None
    return U[:, :r], Vt[:r]


def _ls_multiplier_step(rows, dl):
    """The least-squares multiplier step: ``dl`` without its component in the null space of
    ``J^T`` (directions of the multipliers of dependent constraints that ``grad_x L`` does not
    see), i.e. the minimum-norm ``dl`` with the same ``J^T dl``."""
    U = rows[0]
    return U @ (U.T @ dl)


def _state_gram(st: _EALState):
    """:func:`_gram` of ``st.J``, factored once per iterate (reset when a step is accepted)."""
    if not st.gram_ready:
        st.gram, st.gram_ready = _gram(st.J), True
    return st.gram


def _gram(J):
    """Cholesky factor of ``J J^T`` (dense ``J``) or :class:`._large.SparseGram` (sparse ``J``;
    augmented-system LU), ``None`` when singular, for null-space projections."""
    import scipy.linalg as sla
    if _large.sps.issparse(J):
        return _large.sparse_gram(J)
    try:
        return sla.cho_factor(J @ J.T, check_finite=False)
    except (np.linalg.LinAlgError, ValueError):
        return None


def _solve_gram(gram, v):
    """``(J J^T)^{-1} v`` from the factor of :func:`_gram` (zero when it is ``None``)."""
    import scipy.linalg as sla
    if gram is None:
        return np.zeros_like(v)
    if isinstance(gram, _large.SparseGram):
        return gram.solve(v)
    return sla.cho_solve(gram, v, check_finite=False)


def _locally_infeasible(J, cv) -> bool:
    """``||c|| > INFEASIBLE_C_MIN`` and ``||J^T c|| <= INFEASIBLE_JTC_RTOL ||c|| max(1,
    sigma_max)``: a stationary point of ``||c||^2`` that is not feasible."""
    cn = float(np.linalg.norm(cv))
    jtc = float(np.linalg.norm(J.T @ cv))
    if _large.sps.issparse(J):
        smax = _large.fro_norm(J)
    else:
        smax = float(np.linalg.norm(J, 2)) if J.size else 0.0
    return cn > INFEASIBLE_C_MIN and jtc <= INFEASIBLE_JTC_RTOL * cn * max(1.0, smax)


def _diagnose(reason, J, cv, res, eta_max):
    """Classify a breakdown as locally infeasible or degenerate."""
    cn = float(np.linalg.norm(cv))
    jtc = float(np.linalg.norm(J.T @ cv))
    if _large.sps.issparse(J):      # sparse path: no SVD; sigma_max <= ||J||_F
        sv = np.array([_large.fro_norm(J), np.inf])
    else:
        sv = np.linalg.svd(J, compute_uv=False)
    if cn > INFEASIBLE_C_MIN and jtc <= INFEASIBLE_JTC_RTOL * cn * max(1.0, sv[0]):
        return Status.INFEASIBLE, (
            f"constraints look locally infeasible: ||c||={cn:.3g} but ||J^T c||={jtc:.3g} "
            "(stationary point of ||c||^2); check the constraints or start from another `x0`")
    if sv[-1] <= DEGENERATE_SV_RTOL * max(1.0, sv[0]):
        return Status.DEGENERATE, (
            f"constraint Jacobian is rank deficient (smallest singular value {sv[-1]:.3g}); "
            "remove dependent constraints or start from another `x0`")
    if reason == "sketch":
        return Status.DEGENERATE, (
            "the randomized solver did not meet the accuracy condition (singular or very "
            "ill-conditioned Newton-KKT system); increase `max_sketch_iter`, use "
            "sketch='exact', or start from another `x0`")
    if reason == "penalty":
        return Status.DEGENERATE, (
            f"penalty parameters exceeded eta_max={eta_max:g} without a descent direction; "
            "increase `eta_max` or lower `theta`")
    return Status.DEGENERATE, f"breakdown ({reason}) at Euclidean KKT residual {res:.3g}"
