r"""Sketching matrices and sketch-and-solve least squares with an l-infinity error bound.

A sketch is a random linear map :math:`S \in \mathbb{R}^{m \times n}`, :math:`m \ll n`, with
:math:`\mathbb{E}[S^\top S] = I_n`.  Sketch-and-solve replaces
:math:`x^* = \arg\min_x \|Ax - b\|_2` by :math:`x' = \arg\min_x \|SAx - Sb\|_2`.

References
----------
Song, Ye, Yin, Zhang (2023), "A Nearly-Optimal Bound for Fast Regression with
:math:`\ell_\infty` Guarantee", ICML 2023 (PMLR 202:32463-32482), arXiv 2302.00248, abstract:
"finding a vector :math:`x'` such that
:math:`\|x'-x^*\|_\infty \le \frac{\epsilon}{\sqrt d}\|Ax^*-b\|_2\|A^\dagger\|` ... there
exists a distribution of dense sketching matrices with
:math:`m=\epsilon^{-2}d\log^3(n/\delta)` such that solving the sketched regression problem
gives the :math:`\ell_\infty` guarantee, with probability at least :math:`1-\delta`".
Woodruff (2014), "Sketching as a Tool for Numerical Linear Algebra", Found. Trends Theor.
Comput. Sci. 10(1-2), Sec. 2.1 (subspace embeddings, sketch-and-solve regression).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from equilibria._lib.result import Result, Status, finish
from equilibria._lib.rng import as_generator
from equilibria._lib.validation import as_float_array, check_int, check_option, check_scalar

from ._kernels import countsketch_apply, fwht_rows

__all__ = ["SKETCH_KINDS", "Sketch", "SketchSolveResult", "sketch", "sketch_and_solve", "leverage_scores",
           "linf_bound", "linf_eps", "clopper_pearson", "linf_ratios"]

#: the sketch families of :func:`sketch`
SKETCH_KINDS = ("gaussian", "srht", "countsketch", "leverage")

#: columns of a Gaussian sketch generated at once (memory ``m * _BLOCK`` floats)
_BLOCK = 4096


@dataclasses.dataclass(frozen=True, repr=False)
class Sketch:
    r"""A sketching operator :math:`S \in \mathbb{R}^{m \times n}` built by :func:`sketch`.

    Attributes
    ----------
    kind : str
        One of :data:`SKETCH_KINDS`.
    m, n : int
        Rows and columns of ``S``.
    seed : int
        Seed of the Gaussian blocks (``gaussian``; the matrix is regenerated block by block
        by :meth:`apply`, never stored whole).
    signs : ndarray or None
        Random signs ``D`` (``srht``: length ``n``; ``countsketch``: one per input row).
    index : ndarray or None
        Sampled rows (``srht``: rows of ``H D`` kept; ``leverage``: rows of ``A`` sampled);
        hash buckets (``countsketch``).
    weights : ndarray or None
        Row scalings ``1 / sqrt(m p_i)`` of the sampled rows (``leverage``).
    """

    kind: str
    m: int
    n: int
    seed: int = 0
    signs: np.ndarray | None = None
    index: np.ndarray | None = None
    weights: np.ndarray | None = None

    def __post_init__(self):
        object.__setattr__(self, "kind", check_option(self.kind, "kind", SKETCH_KINDS))
        object.__setattr__(self, "n", check_int(self.n, "n", lo=1, hi=2**40))
        object.__setattr__(self, "m", check_int(self.m, "m", lo=1, hi=2**31))
        object.__setattr__(self, "seed", check_int(self.seed, "seed", lo=0, hi=2**63 - 1))
        needs = {"srht": ("signs", "index"), "countsketch": ("signs", "index"),
                 "leverage": ("index", "weights")}.get(self.kind, ())
        missing = [f for f in needs if getattr(self, f) is None]
        if missing:
            raise ValueError(f"kind={self.kind!r} needs {missing}; build sketches with "
                             f"`sketch(kind, m, n, seed=...)`")

    def __repr__(self) -> str:
        return f"Sketch(kind={self.kind!r}, m={self.m}, n={self.n})"

    def apply(self, X) -> np.ndarray:
        """Return ``S X`` for ``X`` of shape ``(n,)`` or ``(n, k)``.

        Parameters
        ----------
        X : array_like, shape (n,) or (n, k)
            Finite real input.

        Returns
        -------
        ndarray, shape (m,) or (m, k)
            The sketched input.
        """
        X = as_float_array(X, "X", ndim=(1, 2))
        if X.shape[0] != self.n:
            raise ValueError(f"`X` must have {self.n} rows (the sketch's n), got shape "
                             f"{X.shape}")
        vec = X.ndim == 1
        X2 = np.ascontiguousarray(X.reshape(self.n, -1))
        out = _apply(self, X2)
        return out[:, 0] if vec else out

    def toarray(self) -> np.ndarray:
        """Return the dense matrix ``S``.

        Returns
        -------
        ndarray, shape (m, n)
            ``S`` itself (``S = apply(I_n)``).
        """
        return self.apply(np.eye(self.n))


def _apply(S: Sketch, X: np.ndarray) -> np.ndarray:
    n, k = X.shape
    if S.kind == "gaussian":
        out = np.zeros((S.m, k))
        for j, start in enumerate(range(0, n, _BLOCK)):
            stop = min(start + _BLOCK, n)
            rng = np.random.default_rng([S.seed, j])
            G = rng.standard_normal((S.m, stop - start))
            out += G @ X[start:stop]
        return out / np.sqrt(S.m)
    if S.kind == "srht":
        assert S.signs is not None and S.index is not None
        N = 1 << max(int(n - 1).bit_length(), 0)
        Y = np.zeros((N, k))
        Y[:n] = S.signs[:, None] * X
        fwht_rows(Y)
        return Y[S.index] / np.sqrt(S.m)
    if S.kind == "countsketch":
        assert S.signs is not None and S.index is not None
        out = np.zeros((S.m, k))
        countsketch_apply(S.index, S.signs, X, out)
        return out
    assert S.index is not None and S.weights is not None
    return S.weights[:, None] * X[S.index]


def leverage_scores(A) -> np.ndarray:
    r"""Statistical leverage scores of the rows of a full-column-rank matrix.

    Parameters
    ----------
    A : array_like, shape (n, d)
        Finite, rank ``d``.

    Returns
    -------
    ndarray, shape (n,)
        :math:`\ell_i = \|U_{i,:}\|_2^2` for an orthonormal basis ``U`` of the range of
        ``A`` (thin QR); they sum to ``d``.
    """
    A = as_float_array(A, "A", ndim=2)
    Q, _ = np.linalg.qr(A)
    return np.einsum("ij,ij->i", Q, Q)


def sketch(kind, m, n, *, seed=None, A=None, probabilities=None) -> Sketch:
    r"""Draw a random sketching matrix :math:`S \in \mathbb{R}^{m \times n}`.

    All four families satisfy :math:`\mathbb{E}[S^\top S] = I_n`:

    - ``"gaussian"``: i.i.d. :math:`N(0, 1/m)` entries (dense; generated in column blocks
      of 4096 from ``seed``, so memory is ``O(m * 4096)``; apply costs ``O(m n k)``).
    - ``"srht"``: :math:`S = m^{-1/2} P H D`, ``D`` random signs, ``H`` the unnormalised
      Walsh-Hadamard matrix of size :math:`N = 2^{\lceil \log_2 n \rceil}` (input zero
      padded), ``P`` keeps ``m`` of its ``N`` rows uniformly without replacement (dense;
      apply costs ``O(N log N k)`` by the numba fast transform).
    - ``"countsketch"``: each input row is hashed to one of ``m`` buckets with a random
      sign (sparse: one non-zero per column; apply costs ``O(n k)``).
    - ``"leverage"``: ``m`` rows sampled i.i.d. with probabilities :math:`p_i` (the
      leverage scores of ``A`` over ``d``, or ``probabilities``) and rescaled by
      :math:`1/\sqrt{m p_i}` (sparse).

    Parameters
    ----------
    kind : str
        One of :data:`SKETCH_KINDS`.
    m : int
        Rows, ``1 <= m``; ``m <= N`` for ``srht`` (rows are drawn without replacement).
    n : int
        Columns (the number of rows of the data to sketch), ``n >= 1``.
    seed : None, int, SeedSequence or Generator
        Randomness (:func:`equilibria._lib.rng.as_generator`).
    A : array_like, shape (n, d), optional
        ``leverage`` only: the matrix whose leverage scores give the probabilities.
    probabilities : array_like, shape (n,), optional
        ``leverage`` only: sampling probabilities (non-negative, positive sum; normalised).

    Returns
    -------
    Sketch
        The operator; ``S.apply(X)`` computes ``S X``, ``S.toarray()`` the matrix.

    Raises
    ------
    ValueError
        Unknown ``kind``, sizes out of range, ``leverage`` without ``A`` or
        ``probabilities`` (or with both), or ``A`` / ``probabilities`` given to another kind.

    References
    ----------
    Woodruff (2014), Sketching as a Tool for Numerical Linear Algebra, Sec. 2.1 (Gaussian
    and SRHT subspace embeddings), Sec. 2.4 (leverage score sampling), and Clarkson &
    Woodruff (2013) for CountSketch as a subspace embedding.
    """
    kind = check_option(kind, "kind", SKETCH_KINDS)
    n = check_int(n, "n", lo=1, hi=2**40)
    m = check_int(m, "m", lo=1, hi=2**31)
    rng = as_generator(seed)
    if kind != "leverage" and (A is not None or probabilities is not None):
        raise ValueError(f"`A` / `probabilities` apply to kind='leverage' only, got "
                         f"kind={kind!r}")
    if kind == "gaussian":
        return Sketch(kind, m, n, seed=int(rng.integers(2**62)))
    if kind == "srht":
        N = 1 << max(int(n - 1).bit_length(), 0)
        if m > N:
            raise ValueError(f"`m` must be <= {N} (n={n} padded to a power of two) for "
                             f"kind='srht', got m={m}")
        signs = rng.choice(np.array([-1.0, 1.0]), size=n)
        index = np.sort(rng.choice(N, size=m, replace=False)).astype(np.int64)
        return Sketch(kind, m, n, signs=signs, index=index)
    if kind == "countsketch":
        index = rng.integers(0, m, size=n).astype(np.int64)
        signs = rng.choice(np.array([-1.0, 1.0]), size=n)
        return Sketch(kind, m, n, signs=signs, index=index)
    if (A is None) == (probabilities is None):
        raise ValueError("kind='leverage' needs exactly one of `A` or `probabilities`, got "
                         f"A={'given' if A is not None else None}, probabilities="
                         f"{'given' if probabilities is not None else None}")
    if A is not None:
        A = as_float_array(A, "A", ndim=2)
        if A.shape[0] != n:
            raise ValueError(f"`A` must have n={n} rows, got shape {A.shape}")
        p = leverage_scores(A)
    else:
        p = as_float_array(probabilities, "probabilities", ndim=1, shape=(n,), nonneg=True)
    total = float(p.sum())
    if not total > 0:
        raise ValueError(f"`probabilities` must have a positive sum, got {total!r}")
    p = p / total
    index = rng.choice(n, size=m, replace=True, p=p).astype(np.int64)
    weights = 1.0 / np.sqrt(m * p[index])
    return Sketch(kind, m, n, index=index, weights=weights)


def linf_eps(m, n, d, delta) -> float:
    r"""The accuracy :math:`\epsilon` the paper's row count buys.

    Solves :math:`m = \epsilon^{-2} d \log^3(n/\delta)` for :math:`\epsilon` (Song, Ye, Yin,
    Zhang 2023, abstract; the row count is stated without a constant).

    Parameters
    ----------
    m, n, d : int
        Sketch rows, data rows, columns (all ``>= 1``).
    delta : float
        Failure probability in ``(0, 1)``.

    Returns
    -------
    float
        :math:`\epsilon = \sqrt{d \log^3(n/\delta) / m}`.
    """
    m = check_int(m, "m", lo=1)
    n = check_int(n, "n", lo=1)
    d = check_int(d, "d", lo=1)
    delta = check_scalar(delta, "delta", lo=0.0, hi=1.0, lo_inclusive=False,
                         hi_inclusive=False)
    return float(np.sqrt(d * np.log(n / delta) ** 3 / m))


def linf_bound(eps, d, residual_norm, pinv_norm) -> float:
    r"""The l-infinity bound of Song, Ye, Yin, Zhang (2023).

    :math:`\frac{\epsilon}{\sqrt d}\,\|Ax^*-b\|_2\,\|A^\dagger\|_2`, with
    :math:`\|A^\dagger\|_2 = 1/\sigma_{\min}(A)` the spectral norm (the abstract writes
    :math:`\|A^\dagger\|` without a subscript; the spectral norm is the reading used here).

    Parameters
    ----------
    eps : float
        Accuracy, ``>= 0`` (see :func:`linf_eps`).
    d : int
        Columns of ``A``, ``>= 1``.
    residual_norm : float
        :math:`\|Ax^* - b\|_2 \ge 0`.
    pinv_norm : float
        :math:`\|A^\dagger\|_2 \ge 0`.

    Returns
    -------
    float
        The bound on :math:`\|x' - x^*\|_\infty`.
    """
    eps = check_scalar(eps, "eps", lo=0.0)
    d = check_int(d, "d", lo=1)
    residual_norm = check_scalar(residual_norm, "residual_norm", lo=0.0)
    pinv_norm = check_scalar(pinv_norm, "pinv_norm", lo=0.0)
    return float(eps / np.sqrt(d) * residual_norm * pinv_norm)


@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class SketchSolveResult(Result):
    r"""Result of :func:`sketch_and_solve`.

    Attributes
    ----------
    x : ndarray (d,)
        The sketched solution :math:`x' = \arg\min \|SAx - Sb\|_2` (minimum norm).
    x_star : ndarray (d,)
        The exact least-squares solution (``numpy.linalg.lstsq``).
    linf_error, l2_error : float
        :math:`\|x' - x^*\|_\infty` and :math:`\|x' - x^*\|_2`.
    bound : float
        :func:`linf_bound` at ``eps``: the paper's bound on ``linf_error``.
    eps : float
        :func:`linf_eps` of ``(m, n, d, delta)``.
    residual_norm : float
        :math:`\|Ax^* - b\|_2`.
    pinv_norm : float
        :math:`\|A^\dagger\|_2 = 1/\sigma_{\min}(A)`.
    residual_ratio : float
        :math:`\|Ax' - b\|_2 / \|Ax^* - b\|_2` (``inf`` when ``b`` is in the range of ``A``
        and ``x' != x^*``; 1 when both residuals vanish).
    certificate : float
        Relative residual of the sketched normal equations,
        :math:`\|(SA)^\top(SAx' - Sb)\| / (\|SA\|^2\|x'\| + \|SA\|\|Sb\|)`; the solve
        succeeds when it is ``<= 1e-10`` and ``SA`` has full column rank.
    rank : int
        Numerical rank of ``SA``.
    kind : str
        The sketch family.
    m : int
        Sketch rows.
    """

    x: np.ndarray
    x_star: np.ndarray
    linf_error: float
    l2_error: float
    bound: float
    eps: float
    residual_norm: float
    pinv_norm: float
    residual_ratio: float
    certificate: float
    rank: int
    kind: str
    m: int


def _check_system(A, b):
    A = as_float_array(A, "A", ndim=2, min_size=1)
    n, d = A.shape
    if n < d:
        raise ValueError(f"`A` must be tall (n >= d), got shape {A.shape}")
    b = as_float_array(b, "b", ndim=1)
    if b.shape != (n,):
        raise ValueError(f"`b` must have shape ({n},) to match `A` {A.shape}, got {b.shape}")
    return A, b


def _prepare(A, b):
    """Validated ``(A, b, singular values, x*, ||A x* - b||)``; full column rank required."""
    A, b = _check_system(A, b)
    n, d = A.shape
    sv = np.linalg.svd(A, compute_uv=False)
    if not (sv[-1] > max(n, d) * np.finfo(float).eps * sv[0] and sv[-1] > 0
            and np.isfinite(1.0 / sv[-1])):
        raise ValueError(f"`A` must have full column rank {d}; its singular values range "
                         f"{sv[0]:.3g} .. {sv[-1]:.3g}")
    x_star = np.linalg.lstsq(A, b, rcond=None)[0]
    r_star = float(np.linalg.norm(A @ x_star - b))
    if not (np.all(np.isfinite(x_star)) and np.isfinite(r_star)):
        raise ValueError(f"`b` is too large for `A` (the least-squares residual overflows: "
                         f"||A x* - b|| = {r_star!r})")
    return A, b, sv, x_star, r_star


def sketch_and_solve(A, b, m, *, kind="gaussian", seed=None, delta=0.1,
                     sketch_matrix=None) -> SketchSolveResult:
    r"""Solve least squares on a random sketch and measure the error against ``lstsq``.

    Draws :math:`S` = :func:`sketch` ``(kind, m, n, seed=seed)`` and returns
    :math:`x' = \arg\min_x \|SAx - Sb\|_2` (``numpy.linalg.lstsq`` on the ``m x d``
    sketched problem, minimum norm when ``SA`` is rank deficient), together with the exact
    :math:`x^*` (``numpy.linalg.lstsq`` on ``A``), both errors and the l-infinity bound of
    Song, Ye, Yin, Zhang (2023):

    .. math::

        \|x' - x^*\|_\infty \le \frac{\epsilon}{\sqrt d}\,\|Ax^* - b\|_2\,\|A^\dagger\|_2,
        \qquad m = \epsilon^{-2} d \log^3(n/\delta),

    which holds with probability at least :math:`1 - \delta` over a *dense* sketch (the
    paper's Gaussian / SRHT-type families); the row count is stated without a constant, and
    ``eps`` is read off from ``m`` by :func:`linf_eps`.

    Stopping rule / certificate: a direct solve (``n_iter = 1``); ``success`` when ``SA`` has
    full column rank (rank ``d`` at ``lstsq``'s default cutoff) and the sketched normal
    equations hold to ``certificate <= 1e-10``; otherwise ``Status.DEGENERATE`` with a
    :class:`~equilibria._lib.result.ConvergenceWarning` (``x`` is then the minimum-norm
    sketched solution, finite).

    Parameters
    ----------
    A : array_like, shape (n, d)
        Finite, full column rank, ``n >= d``.
    b : array_like, shape (n,)
        Finite right-hand side.
    m : int
        Sketch rows, ``d <= m <= n``.
    kind : str, default "gaussian"
        One of :data:`SKETCH_KINDS` (``leverage`` uses the leverage scores of ``A``).
    seed : None, int, SeedSequence or Generator
        Randomness of the sketch.
    delta : float, default 0.1
        Failure probability in ``(0, 1)`` entering ``eps`` and the bound.
    sketch_matrix : array_like, shape (m, n), optional
        Use this matrix as ``S`` instead of drawing one (``kind`` is then only recorded);
        for testing user sketches.

    Returns
    -------
    SketchSolveResult
        ``x``, ``x_star``, ``linf_error``, ``l2_error``, ``bound`` and the certificate.

    Raises
    ------
    ValueError
        Shapes, non-finite input, ``m`` out of range, ``A`` rank deficient.

    References
    ----------
    Song, Ye, Yin, Zhang (2023), arXiv 2302.00248, abstract (quoted in the module
    docstring); Woodruff (2014), Sec. 2.1 (sketch-and-solve regression).
    """
    A, b, sv, x_star, r_star = _prepare(A, b)
    n, d = A.shape
    m = check_int(m, "m", lo=d, hi=n)
    kind = check_option(kind, "kind", SKETCH_KINDS)
    delta = check_scalar(delta, "delta", lo=0.0, hi=1.0, lo_inclusive=False,
                         hi_inclusive=False)
    if sketch_matrix is not None:
        Smat = as_float_array(sketch_matrix, "sketch_matrix", ndim=2, shape=(m, n))
        SA, Sb = Smat @ A, Smat @ b
    else:
        S = sketch(kind, m, n, seed=seed, A=A if kind == "leverage" else None)
        SAb = S.apply(np.column_stack([A, b]))
        SA, Sb = np.ascontiguousarray(SAb[:, :d]), SAb[:, d]
    x, _, rank, ssv = np.linalg.lstsq(SA, Sb, rcond=None)
    rank = int(rank)
    nrm = float(ssv[0]) if ssv.size else 0.0
    denom = nrm * nrm * float(np.linalg.norm(x)) + nrm * float(np.linalg.norm(Sb))
    cert = float(np.linalg.norm(SA.T @ (SA @ x - Sb)) / denom) if denom > 0 else 0.0
    r_x = float(np.linalg.norm(A @ x - b))
    if r_star > 0:
        ratio = r_x / r_star
    else:
        ratio = 1.0 if r_x == 0 else np.inf
    eps = linf_eps(m, n, d, delta)
    pinv_norm = float(1.0 / sv[-1])
    err = x - x_star
    ok = rank == d and cert <= 1e-10 and bool(np.all(np.isfinite(x)))
    detail = None if ok else (f"sketched matrix SA has rank {rank} < d={d} or certificate "
                              f"{cert:.2e} > 1e-10 ({kind}, m={m})")
    return finish(SketchSolveResult, success=ok,
                  status=Status.SUCCESS if ok else Status.DEGENERATE, n_iter=1,
                  message=detail, hint=None if ok else "increase `m` or use a dense `kind`",
                  x=x, x_star=x_star, linf_error=float(np.max(np.abs(err))),
                  l2_error=float(np.linalg.norm(err)),
                  bound=linf_bound(eps, d, r_star, pinv_norm), eps=eps,
                  residual_norm=r_star, pinv_norm=pinv_norm, residual_ratio=float(ratio),
                  certificate=cert, rank=rank, kind=kind, m=m)


def clopper_pearson(k, n, *, level=0.95) -> tuple[float, float]:
    r"""Two-sided Clopper-Pearson confidence interval for a binomial probability.

    With ``k`` successes in ``n`` trials the interval is
    :math:`[B^{-1}(\alpha/2; k, n-k+1),\ B^{-1}(1-\alpha/2; k+1, n-k)]`,
    :math:`\alpha = 1 - \text{level}`, :math:`B^{-1}` the beta quantile (0 and 1 at the
    ends ``k = 0`` and ``k = n``).

    Parameters
    ----------
    k : int
        Successes (here: failures of the bound), ``0 <= k <= n``.
    n : int
        Trials, ``n >= 1``.
    level : float, default 0.95
        Confidence level in ``(0, 1)``.

    Returns
    -------
    (float, float)
        Lower and upper confidence bounds.

    References
    ----------
    Clopper & Pearson (1934), "The use of confidence or fiducial limits illustrated in the
    case of the binomial", Biometrika 26(4), 404-413.
    """
    from scipy.stats import beta

    n = check_int(n, "n", lo=1)
    k = check_int(k, "k", lo=0, hi=n)
    level = check_scalar(level, "level", lo=0.0, hi=1.0, lo_inclusive=False,
                         hi_inclusive=False)
    a = 1.0 - level
    lo = 0.0 if k == 0 else float(beta.ppf(a / 2, k, n - k + 1))
    hi = 1.0 if k == n else float(beta.ppf(1 - a / 2, k + 1, n - k))
    return lo, hi


def linf_ratios(A, b, m, seeds, *, kind="gaussian", delta=0.1, eps=None) -> np.ndarray:
    r"""Ratios of the l-infinity error to the paper's bound over many independent sketches.

    For each seed, :func:`sketch_and_solve` ``(A, b, m, kind=kind, seed=seed)`` gives
    :math:`x'`, and the ratio is
    :math:`\|x' - x^*\|_\infty / (\frac{\epsilon}{\sqrt d}\|Ax^*-b\|_2\|A^\dagger\|_2)`;
    a ratio above 1 is a failure of the bound.  ``x*``, the residual norm and
    :math:`\|A^\dagger\|_2` are computed once.

    Parameters
    ----------
    A : array_like, shape (n, d)
        Finite, full column rank.
    b : array_like, shape (n,)
        Right-hand side.
    m : int
        Sketch rows, ``d <= m <= n``.
    seeds : int or sequence of int
        Number of sketches (seeds ``0..seeds-1``) or the seeds themselves.
    kind : str, default "gaussian"
        One of :data:`SKETCH_KINDS`.
    delta : float, default 0.1
        Failure probability entering :func:`linf_eps`.
    eps : float, optional
        Override of the accuracy (default :func:`linf_eps` ``(m, n, d, delta)``).

    Returns
    -------
    ndarray
        One ratio per seed (``inf`` when the bound is 0, or underflows, and the error is
        not: counted as a failure).
    """
    import warnings

    from equilibria._lib.result import ConvergenceWarning

    A, b, sv, x_star, r_star = _prepare(A, b)
    n, d = A.shape
    m = check_int(m, "m", lo=d, hi=n)
    kind = check_option(kind, "kind", SKETCH_KINDS)
    if isinstance(seeds, (int, np.integer)) and not isinstance(seeds, bool):
        seeds = range(check_int(seeds, "seeds", lo=1, hi=10**7))
    e = linf_eps(m, n, d, delta) if eps is None else check_scalar(eps, "eps", lo=0.0)
    bnd = linf_bound(e, d, r_star, float(1.0 / sv[-1]))
    Ab = np.column_stack([A, b])
    lev = leverage_scores(A) if kind == "leverage" else None
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for s in seeds:
            S = sketch(kind, m, n, seed=s, probabilities=lev)
            SAb = S.apply(Ab)
            x = np.linalg.lstsq(SAb[:, :d], SAb[:, d], rcond=None)[0]
            err = float(np.max(np.abs(x - x_star)))
            ratio = err / bnd if bnd > 0 else (0.0 if err == 0 else np.inf)
            out.append(ratio if ratio == ratio else np.inf)  # NaN (0/0 underflow): a failure
    return np.asarray(out)
