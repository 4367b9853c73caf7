"""Adaptive inexact Newton method with an exact augmented Lagrangian and randomized sketching."""

from __future__ import annotations

import dataclasses

import numpy as np

from equilibria._lib.result import Result, Status, finish
from equilibria._lib.rng import as_generator
from equilibria._lib.validation import (as_float_array, check_callable, check_int, check_option,
                                        check_scalar)
from equilibria.verification import kkt_residual

from ._kernels import _kaczmarz_kernel

__all__ = ["eal_sketch", "EALResult", "sketch_solve"]

_SKETCHES = ("kaczmarz", "block", "gaussian", "exact")


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


# ---------------------------------------------------------------------------------------------
# derivatives
# ---------------------------------------------------------------------------------------------

def _fd_grad(fun, x, h=None):
    n = x.size
    g = np.empty(n)
    for i in range(n):
        hi = (np.finfo(float).eps ** (1 / 3)) * max(1.0, abs(x[i])) if h is None else h
        e = np.zeros(n)
        e[i] = hi
        g[i] = (fun(x + e) - fun(x - e)) / (2 * hi)
    return g


def _fd_jac(fun, x, m):
    n = x.size
    J = np.empty((m, n))
    for i in range(n):
        hi = (np.finfo(float).eps ** (1 / 3)) * max(1.0, abs(x[i]))
        e = np.zeros(n)
        e[i] = hi
        J[:, i] = (np.asarray(fun(x + e), float) - np.asarray(fun(x - e), float)) / (2 * hi)
    return J


def _is_sympy(obj) -> bool:
    try:
        import sympy as sp
    except ImportError:  # pragma: no cover
        return False
    if isinstance(obj, sp.Basic):
        return True
    if isinstance(obj, (list, tuple)) and obj and all(isinstance(e, (sp.Basic, int, float))
                                                      for e in obj):
        return any(isinstance(e, sp.Basic) for e in obj)
    return isinstance(obj, sp.MatrixBase)


class _Oracle:
    """Counts evaluations and supplies derivatives (user callables, sympy or finite differences)."""

    def __init__(self, f, c, grad, jac, hess, hessp, n):
        self.f_user, self.c_user = f, c
        self.grad_user, self.jac_user = grad, jac
        self.hess_user, self.hessp_user = hess, hessp
        self.n = n
        self.m = None
        self.n_fev = 0

    def f(self, x):
        self.n_fev += 1
        return float(self.f_user(x))

    def c(self, x):
        return np.atleast_1d(np.asarray(self.c_user(x), dtype=float))

    def grad(self, x):
        if self.grad_user is not None:
            return np.asarray(self.grad_user(x), dtype=float)
        return _fd_grad(lambda y: float(self.f_user(y)), x)

    def jac(self, x):
        if self.jac_user is not None:
            return np.atleast_2d(np.asarray(self.jac_user(x), dtype=float))
        return _fd_jac(self.c, x, self.m)

    def hess(self, x, lam):
        n = self.n
        if self.hess_user is not None:
            return np.asarray(self.hess_user(x, lam), dtype=float)
        if self.hessp_user is not None:
            H = np.empty((n, n))
            for i in range(n):
                e = np.zeros(n)
                e[i] = 1.0
                H[:, i] = np.asarray(self.hessp_user(x, lam, e), dtype=float)
            return 0.5 * (H + H.T)
        # forward differences of the Lagrangian gradient (documented deviation)
        def lag_grad(y):
            return self.grad(y) + self.jac(y).T @ lam
        g0 = lag_grad(x)
        H = np.empty((n, n))
        for i in range(n):
            hi = np.sqrt(np.finfo(float).eps) * max(1.0, abs(x[i]))
            e = np.zeros(n)
            e[i] = hi
            H[:, i] = (lag_grad(x + e) - g0) / hi
        return 0.5 * (H + H.T)


# ---------------------------------------------------------------------------------------------
# randomized iterative sketching solver
# ---------------------------------------------------------------------------------------------

def sketch_solve(K, b, z0=None, *, tol_abs, method="kaczmarz", sketch_size=None, max_iter=None,
                 seed=None, equilibrate=True):
    r"""Solve ``K z = b`` (``K`` symmetric) by randomized sketch-and-project.

    .. math::

        z_{j+1} = z_j - K S_j (S_j^T K^2 S_j)^{\dagger} S_j^T (K z_j - b)

    with :math:`S_j = e_i` drawn with probability :math:`\|K_i\|^2/\|K\|_F^2` (randomized
    Kaczmarz), :math:`S_j = I_{:,B}` a block of :math:`q` rows (``method="block"``, randomized
    block Kaczmarz [2]), or :math:`S_j \in \mathbb{R}^{N\times q}` Gaussian
    (``method="gaussian"``, ``q = sketch_size``, default :math:`\lfloor N/2\rfloor`) [1];
    ``method="exact"`` uses a dense solve.

    ``"block"``: the rows are split by a random partition into blocks of size :math:`q`
    (``sketch_size``, default :math:`\max(4, \lceil\sqrt N\rceil)`); each step projects onto
    one uniformly drawn block, :math:`z \leftarrow z - K_B^{\dagger}(K_B z - b_B)` (the
    Cholesky factors of the :math:`q\times q` Gram matrices :math:`K_B K_B^T` are computed
    once per block size: a fixed random paving as in [2]).  Adaptive block size (not in
    [1, 2]): after 8 epochs (:math:`8\lceil N/q\rceil` block steps) :math:`q` is doubled and
    the rows re-partitioned if the residual did not at least halve over those epochs; at
    :math:`q = N` one step is the exact solve.  The
    convergence factor of sketch-and-project is :math:`1 - \lambda_{\min}^+(E[Z])` [1,
    Thm. 4.6 there], which for single rows is :math:`1 - 1/(\|K\|_F^2\|K^{-1}\|_2^2)`, hopeless for
    the KKT systems of the PDE problem (cond ~ 5e6); growing blocks make it approach 0, so an
    ill-conditioned system costs a few partitions instead of millions of rows.
    Matrix-free use (not implemented, ``K`` is dense): row sketches need rows of ``K``, i.e.
    ``H e_i`` (one ``hessp`` per row), while Gaussian or count sketches need ``K^T S = K S``,
    i.e. ``q`` ``hessp`` calls per sketch plus ``J S_x``, ``J^T S_lam``; the latter is the
    natural matrix-free choice.  With ``equilibrate``
    the sketches act on the symmetrically equilibrated system :math:`DKD\,w = Db`
    (three Ruiz passes, :math:`z = Dw`; a diagonal preconditioner, not in [1]).  Stops when
    :math:`\|K z_j - b\|_2 \le` ``tol_abs`` or after ``max_iter`` sketches.

    Returns ``(z, n_sketches, residual_norm)``.

    Parameters
    ----------
    K : array_like, shape (N, N)
        Symmetric system matrix (dense; e.g. a KKT matrix).
    b : array_like, shape (N,)
        Right-hand side.
    z0 : array_like, shape (N,), optional
        Starting point (default zero); ignored by ``method="exact"``.
    tol_abs : float
        Absolute tolerance on the residual :math:`\|K z - b\|_2` (original metric).
    method : {"kaczmarz", "block", "gaussian", "exact"}
        Sketch type (see above); any other value falls through to ``"gaussian"``.
    sketch_size : int, optional
        Sketch / block size ``q`` of ``"block"`` (initial size) and ``"gaussian"``.
    max_iter : int, optional
        Maximum number of sketches (default ``1_000_000`` for ``"kaczmarz"``, ``2_000``
        otherwise).
    seed : None, int or Generator
        Random seed or generator of the sketches.
    equilibrate : bool
        Apply the symmetric Ruiz equilibration before sketching.

    Returns
    -------
    z : ndarray, shape (N,)
        Approximate solution.
    n_sketches : int
        Number of sketch-and-project steps taken (``1`` for ``"exact"``; ``0`` if all rows of
        ``K`` vanish or are non-finite under ``"kaczmarz"``).
    residual_norm : float
        :math:`\|K z - b\|_2` at the returned ``z`` (``<= tol_abs`` unless ``max_iter`` was
        reached or a non-finite value appeared).

    References
    ----------
    1. R. M. Gower, P. Richtarik (2015). Randomized iterative methods for linear systems. SIAM J.
       Matrix Anal. Appl. 36(4), 1660-1690.
    2. D. Needell, J. A. Tropp (2014). Paved with good intentions: analysis of a randomized
       block Kaczmarz method. Linear Algebra Appl. 441, 199-221.
    """
    K = np.ascontiguousarray(K, dtype=np.float64)
    b = np.ascontiguousarray(b, dtype=np.float64)
    N = b.size
    z = np.zeros(N) if z0 is None else np.array(z0, dtype=np.float64)
    rng = as_generator(seed)
    if max_iter is None:
        max_iter = 1_000_000 if method == "kaczmarz" else 2_000
    max_iter = int(max_iter)
    if method == "exact":
        try:
            z = np.linalg.solve(K, b)
        except np.linalg.LinAlgError:
            z = np.linalg.lstsq(K, b, rcond=None)[0]
        return z, 1, float(np.linalg.norm(K @ z - b))
    # symmetric Ruiz equilibration D K D (w = D^{-1} z); residuals are measured in the
    # original metric, ||K z - b|| = ||D^{-1} (D K D w - D b)||
    d = np.ones(N)
    if equilibrate:
        for _ in range(3):
            r_inf = np.abs(K * d[:, None] * d[None, :]).max(axis=1)
            r_inf[r_inf == 0] = 1.0
            d /= np.sqrt(r_inf)
    Ks = K * d[:, None] * d[None, :]
    bs = b * d
    w = z / d
    if method == "kaczmarz":
        row2 = np.einsum("ij,ij->i", Ks, Ks)
        total = row2.sum()
        if not total > 0 or not np.isfinite(total):
            return z, 0, float(np.linalg.norm(K @ z - b))
        cum = np.cumsum(row2) / total
        seed = int(rng.integers(0, 2**31 - 1))
        steps, res = _kaczmarz_kernel(Ks, bs, w, cum, row2, 1.0 / d, float(tol_abs),
                                      np.int64(max_iter), np.int64(max(N, 8)), np.int64(seed))
        return w * d, int(steps), float(res)
    if method == "block":
        return _block_kaczmarz(Ks, bs, w, d, K, b, float(tol_abs), max_iter, sketch_size, rng)
    # gaussian sketch-and-project
    q = min(N, max(1, N // 2) if sketch_size is None else int(sketch_size))
    r = Ks @ w - bs
    res = float(np.linalg.norm(r / d))
    it = 0
    while res > tol_abs and it < max_iter:
        S = rng.standard_normal((N, q))
        W = Ks @ S                                   # K^T S (K symmetric)
        y, *_ = np.linalg.lstsq(W.T @ W, S.T @ r, rcond=None)
        dw = W @ y
        w -= dw
        r -= Ks @ dw
        res = float(np.linalg.norm(r / d))
        it += 1
        if not np.isfinite(res):
            break
    return w * d, it, res


def _block_factor(KB):
    """Projection data of one block: ``(K_B, L, None)`` with ``L L^T = K_B K_B^T`` (Cholesky),
    or ``(K_B, None, pinv(K_B))`` when the block's rows are (numerically) dependent."""
    G = KB @ KB.T
    try:
        L = np.linalg.cholesky(G)
        if np.min(np.abs(np.diag(L))) > 1e-7 * np.sqrt(np.max(np.diag(G))):
            return KB, L, None
    except np.linalg.LinAlgError:
        pass
    return KB, None, np.linalg.pinv(KB)


def _block_kaczmarz(Ks, bs, w, d, K, b, tol_abs, max_iter, sketch_size, rng,
                    epochs_per_stage=8):
    """Randomized block Kaczmarz with adaptive block size on ``Ks w = bs`` (see sketch_solve).

    Returns ``(z, n_block_steps, residual_norm)`` with ``z = d * w`` and the residual measured
    in the original metric ``||K z - b||_2``.
    """
    import scipy.linalg as sla
    N = bs.size
    q = max(4, int(np.ceil(np.sqrt(N)))) if sketch_size is None else int(sketch_size)
    q = min(q, N)
    res = float(np.linalg.norm(K @ (w * d) - b))
    steps = 0
    q_built = 0
    while res > tol_abs and steps < max_iter:
        # one stage: a fixed random partition of the rows into ceil(N / q) blocks, the
        # projections S^T K (S^T K K^T S)^+ precomputed as pinv(K_B) (small dense solves)
        if q >= N:                                       # one block = all rows: exact solve
            try:
                w = np.linalg.solve(Ks, bs)
            except np.linalg.LinAlgError:
                w = np.linalg.lstsq(Ks, bs, rcond=None)[0]
            steps += 1
            res = float(np.linalg.norm(K @ (w * d) - b))
            break
        if q != q_built:                                 # fixed random paving per block size
            perm = rng.permutation(N)
            blocks = [perm[i:i + q] for i in range(0, N, q)]
            factors = [_block_factor(Ks[B]) for B in blocks]
            nb, q_built = len(blocks), q
        res_stage = res
        for _ in range(epochs_per_stage):
            for k in rng.integers(0, nb, size=nb):
                KB, L, P = factors[k]
                r_B = KB @ w - bs[blocks[k]]
                if L is None:
                    w -= P @ r_B
                else:                                    # z+ = z - K^T S (S^T K K^T S)^-1 S^T r
                    w -= KB.T @ sla.cho_solve((L, True), r_B, check_finite=False)
                steps += 1
                if steps >= max_iter:
                    break
            res = float(np.linalg.norm(K @ (w * d) - b))
            if not np.isfinite(res) or res <= tol_abs or steps >= max_iter:
                break
        if not np.isfinite(res):
            break
        if res > 0.5 * res_stage:
            q = min(N, 2 * q)                            # slow stage: double the block size
    return w * d, steps, res


# ---------------------------------------------------------------------------------------------
# the method
# ---------------------------------------------------------------------------------------------

def eal_sketch(f, c, x0, *, grad=None, jac=None, hess=None, hessp=None, variables=None,
               lam0=None, sketch="block", sketch_size=None, theta=0.25, sharpen=0.0,
               eta1=1.0, eta2=0.1, rho=4.0, beta=1e-4, backtrack=0.5, tol=1e-8, max_iter=200,
               max_sketch_iter=None, max_backtracks=50, eta_max=1e12, check_rank=True,
               seed=0) -> EALResult:
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
        ``grad(x) -> (n,)``, ``jac(x) -> (m, n)``; central finite differences if omitted.
    hess : callable, optional
        ``hess(x, lam) -> (n, n)``, Hessian of the Lagrangian.
    hessp : callable, optional
        ``hessp(x, lam, v) -> (n,)``, Hessian-vector product (used to assemble ``H``) when
        ``hess`` is not given.  Without both, forward differences of the Lagrangian gradient.
    variables : sequence of sympy symbols, optional
        Order of the variables when ``f``/``c`` are sympy expressions (default: free symbols
        sorted by name).  The package compiles gradients, Jacobian and Hessian with
        ``sympy.lambdify``.
    lam0 : array_like, shape (m,), optional
        Initial multipliers (default: least-squares multipliers at ``x0``).
    sketch : {"block", "kaczmarz", "gaussian", "exact"}
        Randomized solver of :func:`sketch_solve` (default ``"block"``, randomized block
        Kaczmarz with adaptive block size); ``"exact"`` is a dense solve (exact Newton, for
        reference).
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
        Check at ``x0`` that the constraint Jacobian has full row rank (else ``DEGENERATE``).
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
    accuracy for superlinear rates).  ``H`` is assembled densely (``hessp`` is called ``n``
    times); the solvers act on the dense KKT matrix (see :func:`sketch_solve` for which
    sketches would suit a matrix-free ``hessp``).  The default sketch is ``"block"``
    (randomized block Kaczmarz with adaptive block size): on the benchmark collection it
    solves every problem, including the ill-conditioned KKT systems (HS 26, 46, 47, 49, PDE)
    where single-row Kaczmarz and Gaussian sketches exhaust their budget.  Two safeguards not in [1]: when the
    sketch budget ``max_sketch_iter`` runs out, the direction is still used if it passes DC
    (counted in ``n_inexact``); and when the predicted decrease :math:`|\nabla
    \mathcal{L}_\eta^T z|` is below the rounding error of the merit value, the unit step is
    accepted if it lowers the Euclidean KKT residual by 10%.

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
    # ---- options -------------------------------------------------------------------------
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
    rng = as_generator(seed)

    # ---- problem -------------------------------------------------------------------------
    x = as_float_array(x0, "x0", ndim=1, min_size=1, copy=True)
    n = x.size
    if _is_sympy(f) or _is_sympy(c):
        import sympy as sp

        from ._problems import compile_sympy
        if grad is not None or jac is not None or hess is not None or hessp is not None:
            raise ValueError("with sympy `f`/`c`, derivatives are compiled by the package: do "
                             "not pass `grad`, `jac`, `hess` or `hessp`")
        f_expr = sp.sympify(f)
        c_list = list(c) if isinstance(c, (list, tuple, sp.MatrixBase)) else [c]
        if variables is None:
            free = set(f_expr.free_symbols)
            for e in c_list:
                free |= set(sp.sympify(e).free_symbols)
            variables = sorted(free, key=lambda s: s.name)
        variables = list(variables)
        if len(variables) != n:
            raise ValueError(f"`x0` must have one entry per variable ({len(variables)}: "
                             f"{variables}), got shape {x.shape}")
        f, c, grad, jac, hess = compile_sympy(f_expr, c_list, variables)
    else:
        check_callable(f, "f")
        check_callable(c, "c")
        for name, fun in (("grad", grad), ("jac", jac), ("hess", hess), ("hessp", hessp)):
            if fun is not None:
                check_callable(fun, name)
    orc = _Oracle(f, c, grad, jac, hess, hessp, n)

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
    N = n + m
    g0 = orc.grad(x)
    if g0.shape != (n,):
        raise ValueError(f"`grad` must return shape ({n},), got {g0.shape}")
    J0 = orc.jac(x)
    if J0.shape != (m, n):
        raise ValueError(f"`jac` must return shape ({m}, {n}), got {J0.shape}")
    if not (np.all(np.isfinite(g0)) and np.all(np.isfinite(J0))):
        raise ValueError("`x0` must be a point where grad f and the Jacobian of c are finite")
    if lam0 is None:
        lam = -np.linalg.lstsq(J0.T, g0, rcond=None)[0]       # least-squares multipliers
    else:
        lam = as_float_array(lam0, "lam0", ndim=1, shape=(m,), copy=True)
    H0 = orc.hess(x, lam)
    if H0.shape != (n, n):
        name = "hess" if hess is not None else "hessp"
        raise ValueError(f"`{name}` must give a Hessian of shape ({n}, {n}), got {H0.shape}")

    n_inexact = 0
    hist = dict(kkt=[], res=[], merit=[], step=[], sk=[], dd=[], e1=[], e2=[], th=[], delta=[],
                x=[x.copy()], lam=[lam.copy()], z=[])

    def result(success, status, message, it, fx, g, J, cv, lam_):
        kkt = kkt_residual(g, jac_c=J, c=cv, lam=lam_) if np.all(np.isfinite(g)) else np.inf
        return finish(
            EALResult, success=success, status=status, message=message, n_iter=it, x=x.copy(),
            lam=lam_.copy(), fun=float(fx), kkt=float(kkt),
            kkt_history=np.array(hist["kkt"]), residual_history=np.array(hist["res"]),
            merit_history=np.array(hist["merit"]), step_sizes=np.array(hist["step"]),
            sketch_iters=np.array(hist["sk"], dtype=np.int64),
            directional_derivatives=np.array(hist["dd"]), eta1_history=np.array(hist["e1"]),
            eta2_history=np.array(hist["e2"]), theta_history=np.array(hist["th"]),
            delta_history=np.array(hist["delta"]),
            x_history=np.array(hist["x"]), lam_history=np.array(hist["lam"]).reshape(-1, m),
            directions=np.array(hist["z"]).reshape(-1, N), n_fev=orc.n_fev, n_inexact=n_inexact)

    # ---- degenerate constraint systems at x0 -----------------------------------------------
    if check_rank:
        if m > n:
            hist["kkt"].append(kkt_residual(g0, jac_c=J0, c=c0, lam=lam))
            return result(False, Status.DEGENERATE,
                          f"{m} constraints for {n} variables: the constraint gradients cannot be "
                          "linearly independent; remove redundant constraints", 0, f0, g0, J0,
                          c0, lam)
        sv = np.linalg.svd(J0, compute_uv=False)
        if sv[-1] <= 1e-10 * max(1.0, sv[0]):
            hist["kkt"].append(kkt_residual(g0, jac_c=J0, c=c0, lam=lam))
            rank = int(np.sum(sv > 1e-10 * max(1.0, sv[0])))
            return result(False, Status.DEGENERATE,
                          f"constraint Jacobian at x0 has rank {rank} < m={m} (linearly dependent "
                          "constraint gradients); remove redundant constraints or move `x0` "
                          "(or pass check_rank=False)", 0, f0, g0, J0, c0, lam)

    def merit(fx, cv, Lx, e1, e2):
        return fx + lam_t @ cv + 0.5 * e1 * (cv @ cv) + 0.5 * e2 * (Lx @ Lx)

    fx, cv, g, J = f0, c0, g0, J0
    H = H0
    status, message, success = Status.MAX_ITER, "", False
    it = 0
    K = np.zeros((N, N))
    while True:
        Lx = g + J.T @ lam                                      # grad_x L
        gradL = np.concatenate([Lx, cv])
        res = float(np.linalg.norm(gradL))
        kkt = kkt_residual(g, jac_c=J, c=cv, lam=lam)
        lam_t = lam
        hist["kkt"].append(kkt)
        hist["res"].append(res)
        hist["merit"].append(merit(fx, cv, Lx, eta1, eta2))
        if kkt <= tol:
            success, status = True, Status.SUCCESS
            message = f"KKT residual {kkt:.3g} <= tol={tol:g} after {it} iterations"
            break
        if it >= max_iter:
            message = (f"max_iter={max_iter} reached with KKT residual {kkt:.3g} > tol={tol:g}; "
                       "increase `max_iter`")
            break
        # ---- Newton-KKT system K z = -grad L ------------------------------------------------
        K[:n, :n] = H
        K[:n, n:] = J.T
        K[n:, :n] = J
        K[n:, n:] = 0.0
        # adaptive accuracy: theta, sharpened by ||grad L||^rho, and coupled to the penalties so
        # the solver error cannot spoil the unit step (eta1 ||e||^2 <= eta2 ||grad L||^2 / 4)
        theta_t = min(theta, 0.5 * np.sqrt(eta2 / eta1))
        if sharpen > 0:
            theta_t = min(theta_t, res**sharpen)
        z = np.zeros(N)
        n_sk = 0
        delta = 0.0                                               # Hessian shift (B_t = H + delta I)
        Lx2, c2 = float(Lx @ Lx), float(cv @ cv)
        HLx = H @ Lx
        gram = _gram(J)
        failed = None
        while True:
            z, k_sk, r_norm = sketch_solve(K, -gradL, z, tol_abs=theta_t * res, method=sketch,
                                           sketch_size=sketch_size, max_iter=max_sketch_iter,
                                           seed=rng)
            n_sk += k_sk
            # budget exhausted before the accuracy condition: the direction is still used
            # when it passes the descent test below (deviation, counted in n_inexact)
            exhausted = not r_norm <= max(theta_t * res * (1 + 1e-12), 1e-14 * res)
            if exhausted and not np.all(np.isfinite(z)):
                failed = "sketch"
                break
            dx, dl = z[:n], z[n:]
            # D = A + eta1 * B (grad L_eta^T z split by its dependence on eta1)
            A = (Lx + eta2 * HLx) @ dx + (cv + eta2 * (J @ Lx)) @ dl
            Bc = float(cv @ (J @ dx))                             # = -||c||^2 + c^T e_lam
            if c2 > 0 and Bc > -0.5 * c2 and theta_t > 1e-14:
                if exhausted and delta == 0.0:
                    failed = "sketch"
                    break
                if not exhausted:
                    theta_t /= rho                                # sharpen solver accuracy
                    continue
            # (a shifted system the sketches cannot solve within budget is shifted further)
            # curvature test along the null-space component of dx (J dx_N = 0); a direction of
            # non-positive curvature triggers a Hessian shift (inertia-free test, [4])
            dxn = dx - J.T @ _solve_gram(gram, J @ dx)
            nn = float(dxn @ dxn)
            curv_ok = nn <= 1e-24 * max(1.0, float(dx @ dx)) or \
                float(dxn @ (H @ dxn)) + delta * nn > 1e-8 * nn
            if curv_ok and A + eta1 * Bc <= -0.25 * (eta2 * Lx2 + eta1 * c2) \
                    and (c2 == 0 or Bc <= -0.5 * c2):                # descent condition (DC)
                n_inexact += exhausted
                break                                             # descent condition holds
            if exhausted and curv_ok and delta == 0.0:
                failed = "sketch"
                break
            need = 4.0 * (A + 0.25 * eta2 * Lx2)
            if curv_ok and not exhausted and c2 > 0 and Bc <= -0.5 * c2:
                eta1 = max(rho * eta1, need / c2)                  # raise the penalty on ||c||^2
                if eta1 > eta_max:
                    failed = "penalty"
                    break
                break
            # negative curvature in the null space: shift the Hessian block and re-solve
            rayleigh = float(dxn @ (H @ dxn)) / nn if nn > 0 else 0.0
            delta = max(10.0 * delta, 2.0 * max(-rayleigh, 0.0),
                        1e-4 * max(1.0, float(np.abs(H).max(initial=0.0))))
            if delta > 1e12:
                failed = "penalty"
                break
            K[:n, :n] = H + delta * np.eye(n)
            z = np.zeros(N)
        if failed is None:
            gm_x = Lx + eta1 * (J.T @ cv) + eta2 * HLx            # grad_x L_eta
            gm_l = cv + eta2 * (J @ Lx)                           # grad_lam L_eta
            D = gm_x @ z[:n] + gm_l @ z[n:]
        if failed is not None:
            status, message = _diagnose(failed, J, cv, res, eta_max)
            break
        # ---- Armijo line search on the merit function ------------------------------------
        m0 = merit(fx, cv, Lx, eta1, eta2)
        hist["merit"][-1] = m0                                    # with the updated penalties
        alpha = 1.0
        accepted = False
        for _ in range(max_backtracks):
            xt = x + alpha * z[:n]
            lt = lam + alpha * z[n:]
            with np.errstate(all="ignore"):
                try:
                    ft = orc.f(xt)
                    ct = orc.c(xt)
                    gt = orc.grad(xt)
                    Jt = orc.jac(xt)
                except (ValueError, ArithmeticError):
                    ft = np.nan
                if np.isfinite(ft) and np.all(np.isfinite(ct)):
                    Lxt = gt + Jt.T @ lt
                    mt = ft + lt @ ct + 0.5 * eta1 * (ct @ ct) + 0.5 * eta2 * (Lxt @ Lxt)
                    if np.isfinite(mt) and mt <= m0 + beta * alpha * D:   # Armijo condition
                        accepted = True
                        break
                    # roundoff safeguard: the predicted decrease is below the merit's rounding
                    # error; accept the unit step if it reduces the KKT residual (deviation)
                    if alpha == 1.0 and abs(D) <= 1e-10 * (1.0 + abs(m0)) \
                            and np.isfinite(mt):
                        if np.hypot(np.linalg.norm(Lxt), np.linalg.norm(ct)) <= 0.9 * res:
                            accepted = True
                            break
            alpha *= backtrack
        if not accepted:
            status = Status.DEGENERATE
            message = (f"Armijo line search stalled after {max_backtracks} trials at KKT "
                       f"residual {kkt:.3g}; the Newton system is ill-conditioned here: try "
                       "sketch='exact', a smaller `theta`, or another `x0`")
            st, msg = _diagnose("linesearch", J, cv, res, eta_max)
            if st == Status.INFEASIBLE:
                status, message = st, msg
            break
        hist["step"].append(alpha)
        hist["sk"].append(n_sk)
        hist["dd"].append(D)
        hist["e1"].append(eta1)
        hist["e2"].append(eta2)
        hist["th"].append(theta_t)
        hist["delta"].append(delta)
        hist["z"].append(z.copy())
        x, lam = xt, lt
        fx, cv, g, J = ft, ct, gt, Jt
        hist["x"].append(x.copy())
        hist["lam"].append(lam.copy())
        it += 1
        H = orc.hess(x, lam)
        if not np.all(np.isfinite(H)) or not np.all(np.isfinite(J)) \
                or not np.all(np.isfinite(g)):
            status = Status.NUMERICAL
            message = "non-finite derivative at the current iterate; check `grad`/`jac`/`hess`"
            break
    return result(success, status, message, it, fx, g, J, cv, lam)


def _gram(J):
    """Cholesky factor of ``J J^T`` (or ``None`` when singular) for null-space projections."""
    import scipy.linalg as sla
    try:
        return sla.cho_factor(J @ J.T, check_finite=False)
    except (np.linalg.LinAlgError, ValueError):
        return None


def _solve_gram(gram, v):
    import scipy.linalg as sla
    if gram is None:
        return np.zeros_like(v)
    return sla.cho_solve(gram, v, check_finite=False)


def _diagnose(reason, J, cv, res, eta_max):
    """Classify a breakdown as locally infeasible or degenerate."""
    cn = float(np.linalg.norm(cv))
    jtc = float(np.linalg.norm(J.T @ cv))
    sv = np.linalg.svd(J, compute_uv=False)
    if cn > 1e-6 and jtc <= 1e-3 * cn * max(1.0, sv[0]):
        return Status.INFEASIBLE, (
            f"constraints look locally infeasible: ||c||={cn:.3g} but ||J^T c||={jtc:.3g} "
            "(stationary point of ||c||^2); check the constraints or start from another `x0`")
    if sv[-1] <= 1e-8 * max(1.0, sv[0]):
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
