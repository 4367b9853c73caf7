"""Optimality certificates users and tests call alike.

Each function returns a non-negative number that is zero exactly at a solution:

- :func:`duality_gap`: for the bilinear saddle problem ``min_x max_y x^T A y`` over simplices.
- :func:`best_response_gap`: the same gap split per player (exploitability of each side).
- :func:`exploitability`: for symmetric preference games / two-player zero-sum games.
- :func:`kkt_residual`: for ``min f(x) s.t. c(x) = 0, g(x) <= 0``.
- :func:`operator_residual`: ``||F(x)||`` or the fixed-point residual ``||x - T x||``.
- :func:`regularized_exploitability`: for beta-regularized preference games (NLHF).
"""

from __future__ import annotations

import numpy as np

from equilibria._lib.validation import (as_float_array, check_callable, check_scalar,
                                        check_simplex)
from equilibria.theory.divergences import kl_divergence

__all__ = ["duality_gap", "best_response_gap", "exploitability", "kkt_residual",
           "operator_residual", "regularized_exploitability"]


def _simplex(p, name: str, atol, *, strict: bool = False) -> np.ndarray:
    """``check_simplex`` at ``atol`` (widened by it to a float32 input's rounding, which is
    then renormalised in float64)."""
    return check_simplex(p, name, atol=atol, strict=strict)


def _atol(atol) -> float:
    return check_scalar(atol, "atol", lo=0.0)


def best_response_gap(A, x, y, *, atol: float = 1e-8) -> tuple[float, float]:
    r"""Best-response gaps of the two players in ``min_x max_y x^T A y``.

    .. math::

        \delta_y = \max_j (A^T x)_j - x^T A y \ge 0, \qquad
        \delta_x = x^T A y - \min_i (A y)_i \ge 0.

    Parameters
    ----------
    A : array_like, shape (n, m)
        Loss matrix of the row (minimizing) player.
    x : array_like, shape (n,)
        Row player's mixed strategy.
    y : array_like, shape (m,)
        Column player's mixed strategy.
    atol : float
        Tolerance for the simplex check of ``x`` and ``y``.

    Returns
    -------
    (gap_x, gap_y) : tuple of float
        How much the row player (resp. column player) gains by deviating to a best response.
    """
    A = as_float_array(A, "A", ndim=2)
    atol = _atol(atol)
    x = _simplex(x, "x", atol)
    y = _simplex(y, "y", atol)
    if A.shape != (x.shape[0], y.shape[0]):
        raise ValueError(f"`A` must have shape ({x.shape[0]}, {y.shape[0]}) to match `x` and "
                         f"`y`, got {A.shape}")
    Ay = A @ y
    value = float(x @ Ay)
    gap_x = max(value - float(Ay.min()), 0.0)
    gap_y = max(float((A.T @ x).max()) - value, 0.0)
    return gap_x, gap_y


def duality_gap(A, x, y, *, atol: float = 1e-8) -> float:
    r"""Duality gap of ``(x, y)`` for the matrix game ``min_x max_y x^T A y`` on simplices.

    .. math::

        \operatorname{gap}(x, y) = \max_j (A^T x)_j - \min_i (A y)_i \;\ge\; 0,

    with equality iff ``(x, y)`` is a Nash equilibrium (von Neumann's minimax theorem).  An
    ``eps``-small gap certifies that both strategies are ``eps``-optimal.

    Parameters
    ----------
    A : array_like, shape (n, m)
        Payoff (loss of the row player, gain of the column player).
    x : array_like, shape (n,)
    y : array_like, shape (m,)
    atol : float
        Tolerance on the simplex constraints of ``x`` and ``y``.

    Returns
    -------
    float
        The gap (non-negative).
    """
    gx, gy = best_response_gap(A, x, y, atol=atol)
    return gx + gy


def exploitability(P, pi, *, atol: float = 1e-8) -> float:
    r"""Exploitability of ``pi`` in the symmetric two-player zero-sum game with payoff ``P``.

    For a preference matrix ``P[i, j] = Pr(i beats j)`` the game is symmetric with payoff
    ``P - 1/2``; the Nash equilibrium value is 0 and

    .. math::

        \operatorname{expl}(\pi) = \max_j \sum_i P_{j i}\, \pi_i - \tfrac12 \;\ge\; 0,

    how much a best response beats ``pi``.

    Parameters
    ----------
    P : array_like, shape (K, K)
        Preference matrix with ``P + P^T = 1`` (antisymmetric part ``P - 1/2``).
    pi : array_like, shape (K,)
        Policy.
    atol : float
        Tolerance of the check that ``pi`` lies in the simplex.

    Returns
    -------
    float
        Non-negative; zero iff ``pi`` is a (von Neumann) winner.
    """
    P = as_float_array(P, "P", ndim=2)
    atol = _atol(atol)
    pi = _simplex(pi, "pi", atol)
    if P.shape != (pi.shape[0], pi.shape[0]):
        raise ValueError(f"`P` must have shape ({pi.shape[0]}, {pi.shape[0]}), got {P.shape}")
    return max(float((P @ pi).max()) - 0.5, 0.0)


def kkt_residual(grad_f, x=None, *, jac_c=None, c=None, lam=None, jac_g=None, g=None,
                 mu=None) -> float:
    r"""KKT residual of ``min f(x)`` subject to ``c(x) = 0, g(x) <= 0``.

    .. math::

        r = \max\Big( \|\nabla f + J_c^T \lambda + J_g^T \mu\|_\infty,\;
        \|c\|_\infty,\; \|\max(g, 0)\|_\infty,\; \|\max(-\mu, 0)\|_\infty,\;
        \|\mu \odot g\|_\infty \Big).

    Parameters
    ----------
    grad_f : array_like, shape (n,)
        Gradient of the objective at the point.
    x : array_like, shape (n,), optional
        The point; not used in the residual, accepted for call-site readability (validated
        when given).
    jac_c, c, lam : arrays, optional
        Equality constraint Jacobian (p, n), values (p,), multipliers (p,).
    jac_g, g, mu : arrays, optional
        Inequality constraint Jacobian (q, n), values (q,), multipliers (q,) (``mu >= 0``).

    Returns
    -------
    float
        Zero exactly at a KKT point.
    """
    gf = as_float_array(grad_f, "grad_f", ndim=1)
    n = gf.shape[0]
    if x is not None:
        x = as_float_array(x, "x", ndim=1)
        if x.shape != (n,):
            raise ValueError(f"`x` must have the length {n} of `grad_f`, got shape {x.shape}")
    stat = gf.copy()
    parts = []

    def jac(J, jname, m, cname):
        J = as_float_array(J, jname, ndim=2)
        if J.shape != (m, n):
            raise ValueError(f"`{jname}` must have shape ({m}, {n}) = (len(`{cname}`), "
                             f"len(`grad_f`)), got {J.shape}")
        return J

    def mult(v, vname, m, cname):
        v = as_float_array(v, vname, ndim=1)
        if v.shape != (m,):
            raise ValueError(f"`{vname}` must have the length {m} of `{cname}`, got shape "
                             f"{v.shape}")
        return v

    if c is None and (jac_c is not None or lam is not None):
        raise ValueError("`jac_c` / `lam` given without the constraint values `c`")
    if g is None and (jac_g is not None or mu is not None):
        raise ValueError("`jac_g` / `mu` given without the constraint values `g`")
    with np.errstate(over="ignore", invalid="ignore"):
        if c is not None:
            c = as_float_array(c, "c", ndim=1)
            Jc = jac(jac_c, "jac_c", c.shape[0], "c")
            lam = mult(lam, "lam", c.shape[0], "c")
            stat += Jc.T @ lam
            parts.append(np.abs(c).max(initial=0.0))
        if g is not None:
            g = as_float_array(g, "g", ndim=1)
            Jg = jac(jac_g, "jac_g", g.shape[0], "g")
            mu = mult(mu, "mu", g.shape[0], "g")
            stat += Jg.T @ mu
            parts += [np.maximum(g, 0).max(initial=0.0), np.maximum(-mu, 0).max(initial=0.0),
                      np.abs(mu * g).max(initial=0.0)]
        parts.append(np.abs(stat).max(initial=0.0))
    res = float(max(parts))
    if not np.isfinite(res):
        raise ValueError("the KKT residual overflows float64 for these `grad_f`, `jac_c`, "
                         "`lam`, `jac_g`, `mu`, `g` (products too large); rescale the problem")
    return res


def operator_residual(F=None, x=None, *, T=None) -> float:
    r"""Residual of a monotone inclusion or a fixed-point problem.

    ``operator_residual(F, x)`` returns :math:`\|F(x)\|_2`; ``operator_residual(x=x, T=T)``
    returns the fixed-point residual :math:`\|x - T(x)\|_2`.

    Parameters
    ----------
    F : callable, optional
        Operator, ``F(x)`` a 1-D array (give exactly one of ``F`` and ``T``).
    x : array_like (n,)
        Point at which the residual is evaluated.
    T : callable, optional
        Fixed-point map, ``T(x)`` a 1-D array of the same length as ``x``.

    Returns
    -------
    float
        :math:`\|F(x)\|_2` or :math:`\|x-T(x)\|_2`.
    """
    x = as_float_array(x, "x", ndim=1)
    if (F is None) == (T is None):
        raise ValueError("pass exactly one of `F` (operator) and `T` (fixed-point map)")
    if F is not None:
        check_callable(F, "F")
        return _norm(as_float_array(F(x), "F(x)", ndim=1), "F(x)")
    check_callable(T, "T")
    with np.errstate(over="ignore", invalid="ignore"):
        d = x - as_float_array(T(x), "T(x)", ndim=1, shape=x.shape)
    return _norm(d, "x - T(x)")


def _norm(v: np.ndarray, what: str) -> float:
    """Euclidean norm without overflow of the squares (scaled by the largest entry)."""
    s = float(np.abs(v).max(initial=0.0))
    if not np.isfinite(s):
        raise ValueError(f"`{what}` is not finite at this `x`")
    return 0.0 if s == 0 else s * float(np.linalg.norm(v / s))


def regularized_exploitability(P, pi, beta, pi_ref=None, *, atol: float = 1e-8) -> float:
    r"""Exploitability of ``pi`` in the :math:`\beta`-regularized symmetric preference game.

    The game (Munos et al. 2024, Nash learning from human feedback; Tiapkin et al. 2025) has
    payoff :math:`J(\pi, \pi') = \pi^T P \pi' - \beta\,\mathrm{KL}(\pi\|\pi_{ref}) +
    \beta\,\mathrm{KL}(\pi'\|\pi_{ref})`; its unique Nash equilibrium is symmetric and

    .. math::

        \operatorname{expl}_\beta(\pi) = \max_{\pi'} J(\pi', \pi) - J(\pi, \pi)
        = \beta \log\sum_i \pi_{ref,i}\, e^{(P\pi)_i/\beta} - \pi^T P \pi
          + \beta\,\mathrm{KL}(\pi\|\pi_{ref}) \;\ge\; 0,

    zero iff ``pi`` is the regularized equilibrium.

    Parameters
    ----------
    P : array_like, shape (K, K)
        Preference matrix ``P[i, j] = Pr(i beats j)``.
    pi : array_like, shape (K,)
        Policy on the simplex whose exploitability is measured.
    beta : float > 0
        Regularization weight :math:`\beta`.
    pi_ref : array_like, shape (K,), optional
        Reference policy with positive entries (uniform by default).
    atol : float
        Tolerance on the sums of ``pi`` and ``pi_ref`` in the simplex checks.

    Returns
    -------
    float
        :math:`\operatorname{expl}_\beta(\pi)\ge0` (round-off below zero is clipped to 0).
    """
    P = as_float_array(P, "P", ndim=2)
    atol = _atol(atol)
    pi = _simplex(pi, "pi", atol)
    K = pi.shape[0]
    if P.shape != (K, K):
        raise ValueError(f"`P` must have shape ({K}, {K}), got {P.shape}")
    beta = check_scalar(beta, "beta", lo=0, lo_inclusive=False)
    ref = np.full(K, 1.0 / K) if pi_ref is None else _simplex(pi_ref, "pi_ref", atol,
                                                               strict=True)
    if ref.shape != (K,):
        raise ValueError(f"`pi_ref` must have shape ({K},), got {ref.shape}")
    v = P @ pi
    z = np.log(ref) + v / beta
    zmax = z.max()
    lse = zmax + np.log(np.exp(z - zmax).sum())
    kl = kl_divergence(pi, ref)
    return max(float(beta * lse - pi @ v + beta * kl), 0.0)
