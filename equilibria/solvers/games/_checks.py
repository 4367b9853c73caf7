"""Spot checks of the operator assumptions (monotonicity, cocoercivity) and shared helpers."""

from __future__ import annotations

import warnings

import numpy as np

from equilibria._lib.rng import as_generator
from equilibria._lib.validation import as_float_array

__all__ = ["MonotonicityWarning", "spot_check_monotone", "eval_operator", "probe_operator"]


class MonotonicityWarning(UserWarning):
    """An operator failed a monotonicity (or cocoercivity) spot check; the message names the
    witness pair ``(u, v)``."""


def eval_operator(F, x, name: str, dim: int) -> np.ndarray:
    """Evaluate ``F(x)`` and check shape and finiteness (``ValueError`` naming ``name``)."""
    val = as_float_array(F(x), f"{name}(x)", ndim=1, finite=False)
    if val.shape[0] != dim:
        raise ValueError(f"`{name}` must return a vector of length {dim} (the length of `x0`), "
                         f"got shape {val.shape}")
    return val


def probe_operator(F, x0, name: str) -> np.ndarray:
    """Evaluate the user's ``F`` once at ``x0`` before iterating, so that an operator that
    cannot take a vector of the length of ``x0`` gives a ``ValueError`` naming both ``x0`` and
    ``name`` (instead of the operator's own traceback from inside the solver)."""
    try:
        val = F(x0)
    except (ValueError, TypeError, IndexError) as exc:
        raise ValueError(f"`{name}` could not be evaluated at `x0` (shape {x0.shape}): "
                         f"{type(exc).__name__}: {exc}") from exc
    return eval_operator(lambda _v: val, x0, name, x0.shape[0])


def spot_check_monotone(F, x0, *, name="F", L=None, n_pairs=4, scale=1.0, seed=0,
                        rtol=1e-9) -> bool:
    r"""Check :math:`\langle F(u) - F(v), u - v\rangle \ge 0` (and, when ``L`` is given, the
    cocoercivity :math:`\ge \frac1L\|F(u) - F(v)\|^2`) on random pairs around ``x0``.

    Warns :class:`MonotonicityWarning` with the first witness pair and returns ``False`` when a
    pair violates it; returns ``True`` otherwise.  Costs ``2 n_pairs`` evaluations of ``F``
    (not counted as oracle calls of the solver).
    """
    rng = as_generator(seed)
    x0 = np.asarray(x0, dtype=float)
    s = scale * max(1.0, float(np.linalg.norm(x0)) / np.sqrt(max(x0.size, 1)))
    for _ in range(n_pairs):
        u = x0 + s * rng.normal(size=x0.shape)
        v = x0 + s * rng.normal(size=x0.shape)
        Fu, Fv = np.asarray(F(u), dtype=float), np.asarray(F(v), dtype=float)
        dF, du = Fu - Fv, u - v
        inner = float(dF @ du)
        need = 0.0 if L is None else float(dF @ dF) / L
        tol = rtol * (float(np.linalg.norm(dF) * np.linalg.norm(du)) + 1e-300)
        if inner < need - tol:
            what = "monotonicity" if L is None or inner < -tol else f"1/L-cocoercivity (L={L:g})"
            warnings.warn(
                f"`{name}` failed a {what} spot check: <{name}(u) - {name}(v), u - v> = "
                f"{inner:.6g} < {need:.6g} for the witness pair u={np.array2string(u, precision=4)}, "
                f"v={np.array2string(v, precision=4)}; the convergence guarantee does not apply "
                + ("" if L is None else "(increase `L`?)"),
                MonotonicityWarning, stacklevel=3)
            return False
    return True
