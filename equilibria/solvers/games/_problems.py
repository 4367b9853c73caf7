"""Problem data for the game solvers: finite-sum operators and instance generators.

Problems are data (frozen dataclasses); solvers are functions of them.  The generators at the
bottom (``random_*``) are shared by the tests, the theorems and ``benchmarks/games.py``.
"""

from __future__ import annotations

import dataclasses
from typing import Callable

import numpy as np

from equilibria._lib.rng import as_generator
from equilibria._lib.validation import as_float_array, check_callable, check_int, check_scalar

__all__ = ["FiniteSum", "linear_finite_sum"]


@dataclasses.dataclass(frozen=True)
class FiniteSum:
    r"""A finite-sum operator :math:`F(x) = \frac1n \sum_{i=1}^n F_i(x)`.

    Parameters
    ----------
    batch : callable
        ``batch(x, idx) -> ndarray``: the mean :math:`\frac{1}{|S|}\sum_{i \in S} F_i(x)` over
        the int64 index array ``idx`` (with repetitions), or the full operator ``F(x)`` when
        ``idx is None``.  A call costs ``len(idx)`` (or ``n``) component-oracle calls.
    n : int
        Number of components.
    dim : int
        Dimension of ``x``.
    L : float
        Average Lipschitz constant,
        :math:`\frac1n\sum_i \|F_i x - F_i y\|^2 \le L^2 \|x - y\|^2`; for the cocoercive
        variant of :func:`vr_halpern` also the average cocoercivity constant,
        :math:`\langle F x - F y, x - y\rangle \ge \frac{1}{L n}\sum_i\|F_i x - F_i y\|^2`
        (Cai, Alacaoglu & Diakonikolas 2024, Assumptions 1-2).
    """

    batch: Callable
    n: int
    dim: int
    L: float

    def __post_init__(self):
        check_callable(self.batch, "batch")
        object.__setattr__(self, "n", check_int(self.n, "n", lo=1))
        object.__setattr__(self, "dim", check_int(self.dim, "dim", lo=1))
        object.__setattr__(self, "L", check_scalar(self.L, "L", lo=0, lo_inclusive=False))

    def full(self, x):
        """``F(x)`` (costs ``n`` component calls).

        ``x`` must be a finite real vector of length ``dim`` (``ValueError`` / ``TypeError``
        naming ``x`` otherwise); the solvers call :attr:`batch` directly on their iterates.
        """
        x = as_float_array(x, "x", ndim=1, shape=(self.dim,))
        return self.batch(x, None)

    __call__ = full

    def _full(self, x):
        """``F(x)`` without the input check (the solvers' own iterates)."""
        return self.batch(x, None)


def _default_L(M) -> float:
    """Average Lipschitz constant of the components (max norm for symmetric PSD ones)."""
    norms = np.linalg.norm(M, ord=2, axis=(1, 2))
    sym = np.allclose(M, np.transpose(M, (0, 2, 1)), rtol=0, atol=1e-12)
    psd = sym and bool(np.all(np.linalg.eigvalsh(M)[:, 0] >= -1e-12))
    return float(norms.max()) if psd else float(np.sqrt(np.mean(norms**2)))


def linear_finite_sum(M, q=None, *, L=None) -> FiniteSum:
    r"""Finite sum of affine components :math:`F_i(x) = M_i x + q_i`.

    Parameters
    ----------
    M : array_like, shape (n, d, d)
        Component matrices :math:`M_1, \dots, M_n`.
    q : array_like, shape (n, d), optional
        Component offsets :math:`q_1, \dots, q_n` (default zero).
    L : float, optional
        Average constant; default :math:`\sqrt{\frac1n\sum_i\|M_i\|_2^2}` (average Lipschitz),
        which for symmetric PSD ``M_i`` is replaced by :math:`\max_i\|M_i\|_2` (average
        cocoercivity, since :math:`\|M_i v\|^2 \le \|M_i\|_2\, v^T M_i v`).

    Returns
    -------
    FiniteSum
        ``n`` components of dimension ``dim = d`` with constant ``L``; ``batch(x, idx)``
        returns :math:`\frac{1}{|S|}\sum_{i\in S}(M_i x + q_i)` over ``idx`` (with
        repetitions), or :math:`\bar M x + \bar q` (the means) when ``idx is None``.
    """
    M = as_float_array(M, "M", ndim=3, min_size=1)
    n, d, d2 = M.shape
    if d != d2:
        raise ValueError(f"`M` must have shape (n, d, d), got {M.shape}")
    if q is None:
        q = np.zeros((n, d))
    else:
        q = as_float_array(q, "q", ndim=2)
        if q.shape != (n, d):
            raise ValueError(f"`q` must have shape ({n}, {d}) (n, d of `M` with shape "
                             f"{M.shape}), got {q.shape}")
    Mbar, qbar = M.mean(axis=0), q.mean(axis=0)
    if L is None:
        if not np.any(M):
            raise ValueError("`M` is identically zero: the operator is constant, pass `L` "
                             "(any positive constant) explicitly")
        scale = float(np.abs(M).max())
        with np.errstate(all="ignore"):
            L = _default_L(M)
            if not np.isfinite(L):  # huge entries: the norms of M / scale cannot overflow
                L = scale * _default_L(M / scale)
        if not (np.isfinite(L) and L > 0):
            raise ValueError(f"`M` has an average Lipschitz constant {L!r} that is not a "
                             "positive finite float (entries of magnitude "
                             f"{scale:.3g}); rescale `M` or pass `L`")
    L = check_scalar(L, "L", lo=0, lo_inclusive=False)

    def batch(x, idx):
        if idx is None:
            return Mbar @ x + qbar
        Mi = M[idx]
        return np.einsum("kij,j->i", Mi, x) / len(idx) + q[idx].mean(axis=0)

    fs = FiniteSum(batch, n, d, L)
    object.__setattr__(fs, "_matrix", (Mbar, qbar))  # exact resolvents / solutions in tests
    object.__setattr__(fs, "_components", (M, q))  # compiled kernels of vr_halpern
    return fs


# ---------------------------------------------------------------------------------------------
# instance generators (private; shared by tests, theorems and benchmarks)
# ---------------------------------------------------------------------------------------------

def _offsets(rng, M, x_star):
    """q_i = -M_i x* + zero-mean noise, so that the mean operator vanishes at x*."""
    noise = rng.normal(size=(M.shape[0], M.shape[1])) * 0.1
    noise -= noise.mean(axis=0)
    return -np.einsum("nij,j->ni", M, x_star) + noise


def random_cocoercive_finite_sum(n, d, seed=None, *, rank=1, heterogeneity=1.0,
                                 unit_distance=False):
    """Finite sum of PSD components ``M_i = a_i a_i^T`` (rank one by default) plus ``q_i``.

    ``F = Mbar x + qbar`` with ``qbar`` in the range of ``Mbar`` so a zero exists; the mean has a
    spread of eigenvalues, so Halpern's O(1/k) is the observed rate.  Returns
    ``(FiniteSum, x_star)`` with ``x_star`` the minimum-norm zero.  ``unit_distance``: the
    planted zero has norm 1 (distance 1 from the origin when it is unique).
    """
    rng = as_generator(seed)
    scales = np.exp(heterogeneity * rng.uniform(-1.0, 0.0, size=n))
    A = rng.normal(size=(n, d, rank)) / np.sqrt(d)
    A *= np.sqrt(scales)[:, None, None]
    M = np.einsum("nir,njr->nij", A, A)
    Mbar = M.mean(axis=0)
    x_star = rng.normal(size=d)
    if unit_distance:  # ||0 - x*|| = 1
        x_star /= np.linalg.norm(x_star)
    q = _offsets(rng, M, x_star)
    fs = linear_finite_sum(M, q)
    xs = np.linalg.lstsq(Mbar, -q.mean(axis=0), rcond=None)[0]
    return fs, xs


def random_bilinear_game(n, dx, dy, seed=None, *, reg=0.0, unit_distance=False):
    r"""Finite-sum bilinear game :math:`\min_x\max_y \frac1n\sum_i x^T B_i y + c_i^T x - d_i^T y`.

    The operator :math:`F_i(x, y) = (B_i y + c_i, -B_i^T x + d_i)` (plus ``reg * (x, y)``) is
    monotone and Lipschitz, not cocoercive.  Returns ``(FiniteSum, z_star)``.
    """
    rng = as_generator(seed)
    B = rng.normal(size=(n, dx, dy)) / np.sqrt(max(dx, dy))
    B += rng.normal(size=(1, dx, dy)) / np.sqrt(max(dx, dy))  # common part: mean well conditioned
    d = dx + dy
    M = np.zeros((n, d, d))
    M[:, :dx, dx:] = B
    M[:, dx:, :dx] = -np.transpose(B, (0, 2, 1))
    M += reg * np.eye(d)[None]
    z_star = rng.normal(size=d)
    if unit_distance:
        z_star /= np.linalg.norm(z_star)
    q = _offsets(rng, M, z_star)
    fs = linear_finite_sum(M, q)
    zs = np.linalg.solve(M.mean(axis=0), -q.mean(axis=0))
    return fs, zs


def random_preference_matrix(K, seed=None, *, kind="intransitive"):
    r"""A preference matrix :math:`P_{ij} = \Pr(i \succ j)` with :math:`P + P^T = 1`.

    ``kind="intransitive"``: :math:`P = \tfrac12 + S` with a random antisymmetric ``S`` (entries
    in ``[-1/2, 1/2]``; cycles such as rock-paper-scissors are generic); ``"bradley-terry"``:
    :math:`P_{ij} = \sigma(r_i - r_j)` (transitive).
    """
    rng = as_generator(seed)
    if kind == "bradley-terry":
        r = rng.normal(size=K) * 2.0
        return 1.0 / (1.0 + np.exp(-(r[:, None] - r[None, :])))
    S = rng.uniform(-0.5, 0.5, size=(K, K))
    S = np.triu(S, 1)
    S = S - S.T
    return 0.5 + S
