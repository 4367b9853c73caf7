"""Result type and input checks shared by the OT solvers."""

from __future__ import annotations

import dataclasses

import numba
import numpy as np

from equilibria._lib.result import Result
from equilibria._lib.validation import as_float_array, check_scalar

__all__ = ["OTResult", "check_marginals", "check_cost", "check_reg", "n_chunks"]

#: relative tolerance on ``|sum a - sum b|`` for float64 (and integer) weights
MASS_RTOL = 1e-8


def mass_rtol(*weights) -> float:
    """Relative mass tolerance for weights of these dtypes: :data:`MASS_RTOL` for float64,
    ints and Python sequences, ``max(MASS_RTOL, 16 eps)`` of the least precise float dtype
    otherwise (``~1.9e-6`` for float32: rounding a probability vector to float32 alone moves
    its sum by up to ~6e-8 relative)."""
    tol = MASS_RTOL
    for w in weights:
        dt = getattr(w, "dtype", None)
        if dt is not None and np.issubdtype(dt, np.floating):
            tol = max(tol, 16.0 * float(np.finfo(dt).eps))
    return tol


@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class OTResult(Result):
    """Result of every OT solver in :mod:`equilibria.solvers.ot`.

    Attributes
    ----------
    plan : ndarray, shape (n, m) (or (B, n, m) for a batch)
        Transport plan.
    cost : float (or ndarray (B,))
        Transport cost ``<C, plan>``.
    objective : float
        Primal objective at ``plan`` (``cost`` plus the regularizer; equals ``cost`` for
        :func:`exact_ot`).
    dual_objective : float
        Dual (or semi-dual) objective at ``potentials``: a lower bound on the optimal value.
    potentials : tuple (f, g) of ndarray
        Dual potentials; see each solver for the convention.
    marginal_error : float
        ``||P 1 - a||_1 + ||P^T 1 - b||_1`` of the iterate the stopping rule was applied to.
    reg : float
        Regularization strength (0 for :func:`exact_ot`).
    method : str
        Algorithm used.
    """

    plan: np.ndarray
    cost: float
    objective: float
    dual_objective: float
    potentials: tuple
    marginal_error: float
    reg: float
    method: str

    @property
    def duality_gap(self):
        """``objective - dual_objective`` (>= 0 up to rounding for a feasible plan)."""
        return np.asarray(self.objective) - np.asarray(self.dual_objective) \
            if np.ndim(self.objective) else float(self.objective - self.dual_objective)


def check_marginals(a, b, *, batched: bool = False):
    """Validate weights: finite, non-negative, positive and equal masses.

    The masses must agree to :func:`mass_rtol` (relative ``1e-8`` for float64 input, ``~2e-6``
    when ``a`` or ``b`` is float32); ``b`` is then rescaled to the mass of ``a`` exactly, so the
    solvers see equal masses.
    """
    rtol = mass_rtol(a, b)
    nd = (1, 2) if batched else 1
    a = as_float_array(a, "a", ndim=nd, nonneg=True, min_size=1)
    b = as_float_array(b, "b", ndim=nd, nonneg=True, min_size=1)
    if a.ndim != b.ndim:
        raise ValueError(f"`a` and `b` must both be 1-D or both 2-D (batch), got ndim "
                         f"{a.ndim} and {b.ndim}")
    if a.ndim == 2 and a.shape[0] != b.shape[0]:
        raise ValueError(f"`b` must have the same batch size as `a` ({a.shape[0]}), got "
                         f"{b.shape[0]}")
    sa, sb = a.sum(axis=-1), b.sum(axis=-1)
    if np.any(sa <= 0):
        raise ValueError("`a` must have positive total mass, got 0")
    if np.any(sb <= 0):
        raise ValueError("`b` must have positive total mass, got 0")
    if not (np.all(np.isfinite(sa)) and np.all(np.isfinite(sb))):
        raise ValueError(f"the total masses of `a` and `b` overflow (sum(a)={np.ravel(sa)[0]:g}, "
                         f"sum(b)={np.ravel(sb)[0]:g}); rescale the weights")
    rel = np.abs(sa - sb) / np.maximum(sa, sb)
    if np.any(rel > rtol):
        k = int(np.argmax(np.ravel(rel)))
        raise ValueError(f"`a` and `b` must have equal total mass (relative tolerance "
                         f"{rtol:g}); got sum(a)={np.ravel(sa)[k]:.17g}, "
                         f"sum(b)={np.ravel(sb)[k]:.17g}")
    if np.any(sa != sb):
        b = b * (sa / sb)[..., None] if b.ndim == 2 else b * (float(sa) / float(sb))
    return a, b


def check_cost(C, n, m, *, batch=None):
    """Validate a finite cost of shape (n, m) (or (B, n, m) for a batch)."""
    C = as_float_array(C, "C", ndim=(2, 3) if batch is not None else 2)
    if C.ndim == 2 and C.shape != (n, m):
        raise ValueError(f"`C` must have shape ({n}, {m}) to match `a` and `b`, got {C.shape}")
    if C.ndim == 3 and C.shape != (batch, n, m):
        raise ValueError(f"`C` must have shape ({n}, {m}) or ({batch}, {n}, {m}) to match `a` "
                         f"and `b`, got {C.shape}")
    return C


def check_reg(reg, name: str = "reg") -> float:
    """``reg > 0`` and finite."""
    return check_scalar(reg, name, lo=0.0, lo_inclusive=False)


def n_chunks() -> int:
    """Row/column chunks for the parallel kernels (one per numba thread)."""
    return max(1, int(numba.get_num_threads()))


def c_transform_soft(C_rows, g, b, reg):
    """``-reg log sum_j b_j exp((g_j - C_ij)/reg)`` for the given rows (numpy, small use)."""
    if C_rows.shape[0] == 0:
        return np.zeros(0)
    pos = b > 0
    X = (g[pos][None, :] - C_rows[:, pos]) / reg + np.log(b[pos])[None, :]
    mx = X.max(axis=1)
    return -reg * (mx + np.log(np.exp(X - mx[:, None]).sum(axis=1)))
