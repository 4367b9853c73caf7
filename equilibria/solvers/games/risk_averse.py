r"""Risk-averse equilibrium (RAE) of bimatrix games: mean-variance best responses.

Player 1 (payoffs ``A``, strategy :math:`x \in \Delta_n`) faces player 2 (payoffs ``B``,
strategy :math:`y \in \Delta_m`).  Against the opponent's mixed strategy the reward of ``x``
is the random variable :math:`R_1 = (A^\top x)_J` with :math:`J \sim y`: its mean is
:math:`\mu_1 = x^\top A y` and its variance, taken over the opponent's randomisation,

.. math::

    \sigma_1^2(x; y) = x^\top \Sigma_A(y)\, x, \qquad
    \Sigma_A(y) = A\,\mathrm{diag}(y) A^\top - (Ay)(Ay)^\top
    = \sum_j y_j (A_{:j} - Ay)(A_{:j} - Ay)^\top

(:func:`reward_variance`; :math:`\Sigma_A(y)` is the covariance of the action rewards).  The
risk-averse player wants "the strategy with minimum variance, given any level of expected
utility" (Slumbers et al. [1], abstract of the workshop version): the Markowitz problem
:math:`\min \{\sigma_1^2(x; y) : x \in \Delta_n,\ \mu_1(x) \ge \ell\}`
(:func:`mean_variance_best_response` with ``utility_level=ell``).  Its Lagrangian form, used
for the equilibrium, is the mean-variance utility with risk aversion :math:`\lambda \ge 0`:

.. math::

    f_1(x; y) = x^\top A y - \lambda\, x^\top \Sigma_A(y)\, x, \qquad
    f_2(y; x) = x^\top B y - \lambda\, y^\top \Sigma_{B^\top}(x)\, y .

Every maximiser of :math:`f_1(\cdot; y)` has the least variance among the strategies with at
least its expected utility (otherwise another strategy would score higher), so the
penalised best responses trace the efficient frontier as :math:`\lambda` runs over
:math:`[0, \infty)`.  A profile :math:`(x^*, y^*)` is a **risk-averse equilibrium** when each
strategy maximises its own mean-variance utility against the other.  With ``tremble=eps``
both players evaluate the opponent as :math:`(1-\epsilon) y + \epsilon/m` (an opponent who
plays every action with probability at least :math:`\epsilon/m`, the paper's "low
probability actions"); ``eps = 0`` is the plain model, in which every pure Nash equilibrium
is an RAE (a pure opponent carries no variance).

- **Existence**: :math:`f_i` is continuous in the profile and concave in the player's own
  strategy (:math:`\Sigma \succeq 0`), so the best-response correspondence has non-empty
  convex values and a closed graph (Berge's maximum theorem) and Kakutani's fixed-point
  theorem gives an RAE of every finite bimatrix game (the paper's existence theorem; the same
  argument as Nash's, Debreu-Glicksberg-Fan for concave games).
- **Certificate** (:func:`risk_averse_gap`): for a concave :math:`f` on the simplex the
  Frank-Wolfe gap :math:`\max_k (\nabla f)_k - \nabla f \cdot x` bounds the best-response
  gap :math:`\max_{x'} f(x') - f(x)` from above and vanishes exactly at a best response; the
  certificate of a profile is the larger of the two players' gaps.
- **Fictitious play** (:func:`risk_averse_fictitious_play`, Brown 1951 with the
  mean-variance best response in place of the expected-utility one, the paper's learning
  algorithm): each player best responds to the empirical average of the opponent's past
  play, :math:`\bar x_{t+1} = \bar x_t + (BR_1(\bar y_t) - \bar x_t)/(t + 2)`.

Source note: the full text of [1] (arXiv 2205.15434) is stored as a markdown mirror
(hugging.y1ng.com/papers/2205.15434.md) and its ICLR 2023 submission ("A Risk-Averse
Equilibrium for Multi-Agent Systems", OpenReview 5Z1rblK1Be5) as plain text, but the search
tools return only their openings (title, abstract, first lines of the introduction; searched
again for the definition, the existence theorem and the fictitious-play theorem, without
reaching them); the abstracts' sentences quoted here are the paper's, the formulas above
are this package's statement of the mean-variance model they describe (Markowitz [2]; the
penalised form is the standard Lagrangian of the frontier problem), a reconstruction from
the abstracts, not copied from the paper's equations.  One secondary confirmation of the
penalised form: the follow-up by the same first author (Slumbers, Evans, Ganesh & Ardon
2025, "Downside Risk-Aware Equilibria for Strategic Decision-Making", arXiv 2510.03446 [5];
its summary, searched 2026-12-05) describes its predecessor RAE as "additionally
consider[ing] reward variance (caused by the strategy of opposing players) as a risk metric"
and its own utility as "u = ER - gamma * Risk", a perturbed utility "with a quadratic risk
term" learned by stochastic fictitious play: the shape of :math:`f_1` above, with
:math:`\gamma = \lambda`.

References
----------
.. [1] O. Slumbers, D. H. Mguni, S. M. McAleer, S. B. Blumberg, Y. Yang, J. Wang (2023),
   "A Game-Theoretic Framework for Managing Risk in Multi-Agent Systems", ICML,
   arXiv:2205.15434.  Abstract: "We introduce a new GT-based Risk-Averse Equilibrium (RAE)
   that always produces a solution that minimises the potential variance in reward
   accounting for the strategy of other agents ... establishing convergence properties and
   generalising to risk-dominant NE in certain cases."  Workshop version: "finding the
   strategy with minimum variance, given any level of expected utility. We first prove the
   existence of such a risk-averse equilibrium, and propose one fictitious-play type
   learning algorithm ... with provable convergence guarantees in games classes including
   zero-sum and potential."
.. [2] H. Markowitz (1952), "Portfolio selection", *Journal of Finance* 7(1), 77-91.
.. [3] G. W. Brown (1951), "Iterative solution of games by fictitious play".
.. [4] J. C. Harsanyi, R. Selten (1988), *A General Theory of Equilibrium Selection in
   Games*, MIT Press (risk dominance, ch. 3).
.. [5] O. Slumbers, B. P. Evans, S. Ganesh, L. Ardon (2025), "Downside Risk-Aware Equilibria
   for Strategic Decision-Making", ECAI 2024 Workshop on AI in Finance, arXiv:2510.03446.
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import scipy.optimize

from equilibria._lib.jit import njit
from equilibria._lib.result import Result, Status, finish
from equilibria._lib.validation import (as_float_array, check_int, check_option, check_scalar,
                                        check_simplex)

__all__ = ["RiskAverseResult", "reward_variance", "reward_covariance",
           "mean_variance_best_response", "risk_averse_gap", "risk_averse_equilibrium",
           "risk_averse_fictitious_play", "support_enumeration", "stag_hunt", "crash_game",
           "MAX_ACTIONS", "MAX_PAYOFF"]

#: largest number of actions of a player
MAX_ACTIONS = 200
_METHODS = ("auto", "fictitious_play")
#: random restarts of fictitious play in ``method="auto"``
_RESTARTS = 3


# -- validation -----------------------------------------------------------------------------
#: largest payoff magnitude (variances square the payoffs; larger entries overflow float64)
MAX_PAYOFF = 1e100


def _matrix(M, name):
    M = as_float_array(M, name, ndim=2, min_size=1)
    if M.shape[0] > MAX_ACTIONS or M.shape[1] > MAX_ACTIONS:
        raise ValueError(f"`{name}` must have at most {MAX_ACTIONS} actions per player, got "
                         f"shape {M.shape}")
    big = float(np.max(np.abs(M)))
    if big > MAX_PAYOFF:
        raise ValueError(f"`{name}` entries must be at most {MAX_PAYOFF:g} in magnitude (the "
                         f"variances square them), got {big:.3g}")
    return M


def _payoffs(A):
    return _matrix(A, "A")


def _bimatrix(A, B):
    A = _matrix(A, "A")
    if B is None:
        raise TypeError("`B` must be an array of the column player's payoffs, got None")
    B = _matrix(B, "B")
    if B.shape != A.shape:
        raise ValueError(f"`B` must have the shape of `A` {A.shape}, got {B.shape}")
    return A, B


def _strategy(x, name, k, of="A", axis="rows"):
    x = check_simplex(x, name, atol=1e-8)
    if x.shape != (k,):
        raise ValueError(f"`{name}` must have length {k} (the {axis} of `{of}`), got shape "
                         f"{x.shape}")
    return x / x.sum()


def _lam(risk_aversion):
    return check_scalar(risk_aversion, "risk_aversion", lo=0.0)


def _eps(tremble):
    return check_scalar(tremble, "tremble", lo=0.0, hi=1.0)


def _trembled(y, eps):
    return (1.0 - eps) * y + eps / y.size


def _scale(A, B=None) -> float:
    s = float(np.ptp(A)) if B is None else max(float(np.ptp(A)), float(np.ptp(B)))
    return s if s > 0 else 1.0


# -- the mean-variance model ----------------------------------------------------------------
def _cov(A, y):
    mu = A @ y
    return (A * y) @ A.T - np.outer(mu, mu)


def reward_covariance(A, y, *, tremble=0.0) -> np.ndarray:
    r"""Covariance matrix of the row player's action rewards against a mixed opponent.

    :math:`\Sigma_A(y) = A\,\mathrm{diag}(y) A^\top - (Ay)(Ay)^\top`: entry ``(i, k)`` is the
    covariance of :math:`A_{iJ}` and :math:`A_{kJ}` with :math:`J \sim y` (module docstring).

    Parameters
    ----------
    A : array_like (n, m)
        The row player's payoffs.
    y : array_like (m,)
        The opponent's mixed strategy.
    tremble : float, default 0
        :math:`\epsilon \in [0, 1]`: ``y`` is replaced by :math:`(1-\epsilon) y + \epsilon/m`.

    Returns
    -------
    ndarray (n, n)
        Symmetric positive semidefinite.
    """
    A = _payoffs(A)
    y = _trembled(_strategy(y, "y", A.shape[1], axis="columns"), _eps(tremble))
    return _cov(A, y)


def reward_variance(A, x, y, *, tremble=0.0) -> float:
    r"""Variance of the row player's reward over the opponent's randomisation.

    :math:`\sigma^2(x; y) = x^\top \Sigma_A(y) x = \sum_j y_j (A^\top x)_j^2 - (x^\top A y)^2`,
    the variance of :math:`(A^\top x)_J` with :math:`J \sim y` (the risk the RAE minimises;
    Slumbers et al. 2023, "minimises the potential variance in reward accounting for the
    strategy of other agents").  For the column player call ``reward_variance(B.T, y, x)``.

    Parameters
    ----------
    A : array_like (n, m)
        The row player's payoffs.
    x : array_like (n,)
        The row player's mixed strategy.
    y : array_like (m,)
        The opponent's mixed strategy.
    tremble : float, default 0
        Opponent tremble :math:`\epsilon` (see :func:`reward_covariance`).

    Returns
    -------
    float
        Non-negative (rounding clipped at 0); 0 whenever ``y`` is pure and ``tremble = 0``.

    Examples
    --------
    >>> reward_variance([[4.0, 0.0], [3.0, 3.0]], [1, 0], [0.5, 0.5])
    4.0
    """
    A = _payoffs(A)
    x = _strategy(x, "x", A.shape[0])
    y = _trembled(_strategy(y, "y", A.shape[1], axis="columns"), _eps(tremble))
    u = A.T @ x
    return float(max(np.dot(y, u * u) - np.dot(y, u) ** 2, 0.0))


# -- numba kernels --------------------------------------------------------------------------
@njit
def _project_simplex(v):
    n = v.size
    u = np.sort(v)[::-1]
    css = 0.0
    theta = 0.0
    for i in range(n):
        css += u[i]
        t = (css - 1.0) / (i + 1)
        if u[i] - t > 0:
            theta = t
    out = np.empty(n)
    for i in range(n):
        out[i] = max(v[i] - theta, 0.0)
    return out


@njit
def _fw_gap(g, S, lam, x):
    grad = g - 2.0 * lam * (S @ x)
    return np.max(grad) - np.dot(grad, x)


@njit
def _br_kernel(g, S, lam, x0, max_it, tol):
    """argmax_x g.x - lam x'Sx on the simplex: FISTA with adaptive restart, warm-started at x0,
    stopped when the Frank-Wolfe gap is <= tol (or after max_it steps)."""
    n = g.size
    row = 0.0  # Gershgorin: lambda_max(S) <= max row sum of |S| (and <= trace S)
    for i in range(n):
        row = max(row, np.sum(np.abs(S[i])))
    L = 2.0 * lam * min(np.trace(S), row)
    gs = 0.0
    for i in range(n):
        gs = max(gs, abs(g[i]))
    if lam == 0.0 or L <= 1e-14 * (1.0 + gs):
        # no (numerically no) variance penalty: the expected-utility best response
        out = np.zeros(n)
        out[np.argmax(g)] = 1.0
        return out
    x = x0.copy()
    z = x0.copy()
    t = 1.0
    fprev = np.dot(g, x) - lam * np.dot(x, S @ x)
    for k in range(max_it):
        if k % 10 == 0 and _fw_gap(g, S, lam, x) <= tol:
            break
        grad = g - 2.0 * lam * (S @ z)
        xn = _project_simplex(z + grad / L)
        tn = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
        fn = np.dot(g, xn) - lam * np.dot(xn, S @ xn)
        if fn < fprev:  # restart the momentum
            tn = 1.0
            z = x.copy()
            t = 1.0
            continue
        z = xn + ((t - 1.0) / tn) * (xn - x)
        x = xn
        t = tn
        fprev = fn
    return x


@njit
def _cov_k(A, y):
    n, m = A.shape
    mu = A @ y
    S = np.empty((n, n))
    for i in range(n):
        for k in range(i, n):
            s = 0.0
            for j in range(m):
                s += y[j] * A[i, j] * A[k, j]
            s -= mu[i] * mu[k]
            S[i, k] = s
            S[k, i] = s
    return S, mu


@njit
def _fp_kernel(A, Bt, lam, eps, x0, y0, bx0, by0, t0, max_iter, tol, br_iter, br_tol, every):
    """Fictitious play on the mean-variance game from the averages (x0, y0) reached after t0
    iterations (last responses bx0, by0); returns the averages, the last responses, the
    iterations run and the certificate history (every ``every`` iterations)."""
    n, m = A.shape
    x = x0.copy()
    y = y0.copy()
    bx = bx0.copy()
    by = by0.copy()
    n_hist = max_iter // every + 2
    hist = np.full(n_hist, np.nan)
    h = 0
    it = 0
    for it in range(max_iter + 1):
        ye = (1.0 - eps) * y + eps / m
        xe = (1.0 - eps) * x + eps / n
        S1, g1 = _cov_k(A, ye)
        S2, g2 = _cov_k(Bt, xe)
        if it % every == 0 or it == max_iter:
            gap = max(_fw_gap(g1, S1, lam, x), _fw_gap(g2, S2, lam, y))
            if h < n_hist:
                hist[h] = gap
                h += 1
            if gap <= tol or it == max_iter:
                break
        bx = _br_kernel(g1, S1, lam, bx, br_iter, br_tol)
        by = _br_kernel(g2, S2, lam, by, br_iter, br_tol)
        w = 1.0 / (t0 + it + 2.0)
        x = x + w * (bx - x)
        y = y + w * (by - y)
    return x, y, bx, by, it, hist[:h]


# -- best responses and the certificate ----------------------------------------------------
def _best_response(g, S, lam, x0=None, tol=1e-13):
    """Penalised best response, polished on its support (exact KKT solve)."""
    n = g.size
    x0 = np.full(n, 1.0 / n) if x0 is None else x0
    x = _br_kernel(g, S, lam, x0, 20_000, tol)
    if lam == 0.0:
        return x
    supp = np.flatnonzero(x > 1e-10)
    k = supp.size
    K = np.zeros((k + 1, k + 1))
    K[:k, :k] = 2.0 * lam * S[np.ix_(supp, supp)]
    K[:k, k] = 1.0
    K[k, :k] = 1.0
    rhs = np.concatenate([g[supp], [1.0]])
    try:
        sol = np.linalg.lstsq(K, rhs, rcond=None)[0]
    except np.linalg.LinAlgError:  # pragma: no cover - lstsq does not raise on singular K
        return x
    xs = np.zeros(n)
    xs[supp] = sol[:k]
    if np.all(xs >= -1e-14) and xs.sum() > 0:
        xs = np.maximum(xs, 0.0)
        xs /= xs.sum()
        if _fw_gap(g, S, lam, xs) <= _fw_gap(g, S, lam, x):
            return xs
    return x


def mean_variance_best_response(A, y, *, risk_aversion=1.0, utility_level=None,
                                tremble=0.0) -> np.ndarray:
    r"""The row player's mean-variance best response to a mixed strategy of the opponent.

    Without ``utility_level``: a maximiser of
    :math:`x^\top A y - \lambda x^\top \Sigma_A(y) x` over the simplex (FISTA with restarts,
    stopped at Frank-Wolfe gap ``1e-13``, then an exact KKT solve on its support).  With
    ``utility_level = ell``: the Markowitz point
    :math:`\arg\min \{x^\top \Sigma_A(y) x : x \in \Delta,\ x^\top A y \ge \ell\}` ("the
    strategy with minimum variance, given any level of expected utility", Slumbers et al.
    2023), solved by SLSQP from the penalised responses; ``risk_aversion`` is then unused.

    Parameters
    ----------
    A : array_like (n, m)
        The row player's payoffs (the column player's best response: ``B.T`` and ``x``).
    y : array_like (m,)
        The opponent's mixed strategy.
    risk_aversion : float, default 1
        :math:`\lambda \ge 0`; 0 is the expected-utility best response (lowest index on ties).
    utility_level : float, optional
        Required expected utility :math:`\ell \le \max_i (Ay)_i`.
    tremble : float, default 0
        Opponent tremble :math:`\epsilon` (see :func:`reward_covariance`).

    Returns
    -------
    ndarray (n,)
        A mixed strategy.

    Raises
    ------
    ValueError
        ``utility_level`` above the best expected utility :math:`\max_i (Ay)_i`.
    """
    A = _payoffs(A)
    y = _trembled(_strategy(y, "y", A.shape[1], axis="columns"), _eps(tremble))
    lam = _lam(risk_aversion)
    S, g = _cov(A, y), A @ y
    if utility_level is None:
        return _best_response(g, S, lam)
    ell = check_scalar(utility_level, "utility_level")
    if ell > g.max() + 1e-12 * _scale(A):
        raise ValueError(f"`utility_level` must be at most the best expected utility "
                         f"{g.max():.6g} against `y`, got {ell:.6g}")
    return _frontier_point(g, S, ell)


def _frontier_point(g, S, ell):
    """min x'Sx on the simplex subject to g.x >= ell (SLSQP from several feasible starts)."""
    n = g.size
    best, best_v = None, np.inf
    starts = [np.eye(n)[int(np.argmax(g))]]
    for lam in (1e-3, 1e-1, 1.0, 10.0, 1e3):
        starts.append(_best_response(g, S, lam))
    cons = [{"type": "ineq", "fun": lambda x: g @ x - ell, "jac": lambda x: g},
            {"type": "eq", "fun": lambda x: x.sum() - 1.0, "jac": lambda x: np.ones(n)}]
    for x0 in starts:
        if g @ x0 < ell - 1e-12:
            continue
        r = scipy.optimize.minimize(lambda x: x @ S @ x, x0, jac=lambda x: 2.0 * S @ x,
                                    bounds=[(0.0, 1.0)] * n, constraints=cons, method="SLSQP",
                                    options={"ftol": 1e-15, "maxiter": 500})
        x = np.clip(r.x, 0.0, None)
        x /= x.sum()
        if g @ x >= ell - 1e-9 * max(1.0, abs(ell)) and x @ S @ x < best_v:
            best, best_v = x, float(x @ S @ x)
        if g @ x0 >= ell and x0 @ S @ x0 < best_v:
            best, best_v = x0, float(x0 @ S @ x0)
    assert best is not None  # the argmax vertex is always feasible
    return best


def _gaps(A, B, x, y, lam, eps):
    ye, xe = _trembled(y, eps), _trembled(x, eps)
    S1, S2 = _cov(A, ye), _cov(B.T, xe)
    g1, g2 = A @ ye, B.T @ xe
    return float(_fw_gap(g1, S1, lam, x)), float(_fw_gap(g2, S2, lam, y))


def risk_averse_gap(A, B, x, y, *, risk_aversion=1.0, tremble=0.0) -> float:
    r"""Certificate of a risk-averse equilibrium: the larger Frank-Wolfe gap of the two players.

    For player 1 :math:`\max_k (\nabla f_1)_k - \nabla f_1 \cdot x` with
    :math:`\nabla f_1 = Ay - 2\lambda \Sigma_A(y) x` (and symmetrically for player 2).  Since
    :math:`f_1` is concave in ``x`` the gap is at least the best-response gain
    :math:`\max_{x'} f_1(x'; y) - f_1(x; y) \ge 0`, and it is 0 exactly at an RAE.

    Parameters
    ----------
    A, B : array_like (n, m)
        Payoffs of the row and column players.
    x : array_like (n,)
        Row strategy.
    y : array_like (m,)
        Column strategy.
    risk_aversion : float, default 1
        :math:`\lambda \ge 0` (0: the Nash gap, the exploitability of each player).
    tremble : float, default 0
        Opponent tremble :math:`\epsilon`.

    Returns
    -------
    float
        Non-negative up to rounding.
    """
    A, B = _bimatrix(A, B)
    x = _strategy(x, "x", A.shape[0])
    y = _strategy(y, "y", A.shape[1], axis="columns")
    return max(_gaps(A, B, x, y, _lam(risk_aversion), _eps(tremble)))


# -- the result -----------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class RiskAverseResult(Result):
    """A (candidate) risk-averse equilibrium with its means, variances and certificate.

    Attributes
    ----------
    x, y : ndarray
        The players' mixed strategies.
    strategies : tuple of ndarray
        ``(x, y)``.
    means : ndarray (2,)
        Expected utilities :math:`x^\\top A y` and :math:`x^\\top B y` (against the trembled
        opponent when ``tremble > 0``).
    variances : ndarray (2,)
        Reward variances :math:`x^\\top \\Sigma_A(y) x` and :math:`y^\\top \\Sigma_{B^\\top}(x) y`.
    certificate : float
        :func:`risk_averse_gap` of the profile (0 at an RAE); ``success`` iff it is at most
        ``tol`` times the payoff range.
    risk_aversion, tremble : float
        The model's :math:`\\lambda` and :math:`\\epsilon`.
    method : str
        What produced the profile: ``"pure"``, ``"fictitious_play"``,
        ``"fictitious_play+newton"`` or ``"support+newton"``.
    history : ndarray
        Fictitious play's certificate every ``every`` iterations (empty for ``"pure"``).
    """

    x: np.ndarray
    y: np.ndarray
    means: np.ndarray
    variances: np.ndarray
    certificate: float
    risk_aversion: float
    tremble: float
    method: str
    history: np.ndarray

    @property
    def strategies(self) -> tuple[np.ndarray, np.ndarray]:
        """The profile ``(x, y)``."""
        return self.x, self.y


def _result(A, B, x, y, lam, eps, tol, method, n_iter, history, budget_hit=False):
    ye, xe = _trembled(y, eps), _trembled(x, eps)
    means = np.array([x @ A @ ye, xe @ B @ y])
    var = np.array([max(float(x @ _cov(A, ye) @ x), 0.0),
                    max(float(y @ _cov(B.T, xe) @ y), 0.0)])
    cert = max(_gaps(A, B, x, y, lam, eps))
    scale = _scale(A, B)
    ok = bool(np.isfinite(cert) and cert <= tol * scale)
    if ok:
        status, msg = Status.SUCCESS, f"risk-averse equilibrium ({method}), gap {cert:.3g}"
    elif not np.isfinite(cert):
        status, msg = Status.NUMERICAL, "non-finite certificate"
    else:
        status = Status.MAX_ITER
        msg = (f"{method}: certificate {cert:.3g} > tol * range = {tol * scale:.3g} after "
               f"{n_iter} iterations")
    return finish(RiskAverseResult, success=ok, status=status, n_iter=n_iter, message=msg,
                  hint=None if ok else "increase `max_iter` or loosen `tol`",
                  x=x, y=y, means=means, variances=var, certificate=float(cert),
                  risk_aversion=lam, tremble=eps, method=method,
                  history=np.asarray(history, dtype=float))


def _check_common(A, B, risk_aversion, tremble, tol, max_iter, x0, y0):
    A, B = _bimatrix(A, B)
    lam, eps = _lam(risk_aversion), _eps(tremble)
    tol = check_scalar(tol, "tol", lo=0.0, lo_inclusive=False)
    max_iter = check_int(max_iter, "max_iter", lo=0, hi=10**9)
    n, m = A.shape
    x0 = np.full(n, 1.0 / n) if x0 is None else _strategy(x0, "x0", n)
    y0 = np.full(m, 1.0 / m) if y0 is None else _strategy(y0, "y0", m, axis="columns")
    return A, B, lam, eps, tol, max_iter, x0, y0


def _fictitious_play(A, B, lam, eps, x0, y0, max_iter, gap_tol, every, state=None):
    """Run the kernel; ``state = (bx, by, t0)`` continues an earlier run whose averages are
    ``(x0, y0)``.  Returns ``x, y, iterations, history, state``."""
    scale = _scale(A, B)
    bx, by, t0 = (x0, y0, 0) if state is None else state
    x, y, bx, by, it, hist = _fp_kernel(A, np.ascontiguousarray(B.T), float(lam), float(eps),
                                        x0, y0, bx, by, int(t0), int(max_iter), float(gap_tol),
                                        200, 1e-10 * scale, int(every))
    return x, y, int(it), hist, (bx, by, int(t0) + int(it))


def risk_averse_fictitious_play(A, B, *, risk_aversion=1.0, tremble=0.0, max_iter=20_000,
                                tol=1e-6, x0=None, y0=None, every=50) -> RiskAverseResult:
    r"""Fictitious play with mean-variance best responses (the paper's learning algorithm).

    Iteration ``t`` (one iteration = one best response of each player): with the empirical
    averages :math:`\bar x_t, \bar y_t` (started at ``x0``, ``y0``),
    :math:`\bar x_{t+1} = \bar x_t + (BR_1(\bar y_t) - \bar x_t)/(t+2)` and likewise for
    :math:`\bar y`, where :math:`BR_1(y) = \arg\max_x x^\top A y - \lambda x^\top \Sigma_A(y) x`
    (FISTA warm-started at the previous response, at most 200 steps or Frank-Wolfe gap
    ``1e-10`` times the payoff range).  Stopping rule: the certificate
    :func:`risk_averse_gap` of the averages, checked every ``every`` iterations, is at most
    ``tol`` times the payoff range :math:`\max(\mathrm{ptp}\,A, \mathrm{ptp}\,B)`.

    Convergence: Slumbers et al. (2023) state convergence of this fictitious-play variant in
    zero-sum and potential games (registered as ``games.rae_fictitious_play``, checked on
    both classes); with ``risk_aversion = 0`` it is Brown's fictitious play, which converges
    in zero-sum (Robinson 1951) and potential games (Monderer-Shapley 1996).  In general
    games it may cycle (Shapley 1964): then ``success=False``.

    Parameters
    ----------
    A, B : array_like (n, m)
        Payoffs of the row and column players.
    risk_aversion : float, default 1
        :math:`\lambda \ge 0`.
    tremble : float, default 0
        Opponent tremble :math:`\epsilon \in [0, 1]`.
    max_iter : int, default 20000
        Iteration budget.
    tol : float, default 1e-6
        Relative certificate tolerance (stopping rule above).
    x0, y0 : array_like, optional
        Initial beliefs (default uniform).
    every : int, default 50
        Certificate checks (and history entries) every ``every`` iterations.

    Returns
    -------
    RiskAverseResult
        ``method="fictitious_play"``; ``history`` the certificate every ``every``
        iterations.

    References
    ----------
    Slumbers et al. (2023), arXiv:2205.15434 (module docstring); G. W. Brown (1951),
    "Iterative solution of games by fictitious play"; J. Robinson (1951), "An iterative
    method of solving a game", *Annals of Mathematics* 54.
    """
    A, B, lam, eps, tol, max_iter, x0, y0 = _check_common(A, B, risk_aversion, tremble, tol,
                                                          max_iter, x0, y0)
    every = check_int(every, "every", lo=1, hi=10**9)
    x, y, it, hist, _ = _fictitious_play(A, B, lam, eps, x0, y0, max_iter, tol * _scale(A, B),
                                         every)
    return _result(A, B, x, y, lam, eps, tol, "fictitious_play", it, hist)


def _pure_candidates(A, B, lam, eps, tol):
    n, m = A.shape
    scale = _scale(A, B)
    # with eps = 0 a pure profile is an RAE iff it is a pure Nash equilibrium
    for i, j in itertools.product(range(n), range(m)):
        if eps == 0.0 and (A[i, j] < A[:, j].max() or B[i, j] < B[i, :].max()):
            continue
        x, y = np.eye(n)[i], np.eye(m)[j]
        if max(_gaps(A, B, x, y, lam, eps)) <= tol * scale:
            return x, y
    return None


def _newton_polish(A, B, x, y, lam, eps, thr=1e-7):
    """Solve the KKT equations of both players on the supports of (x, y) (scipy root)."""
    n, m = A.shape
    S, T = np.flatnonzero(x > thr), np.flatnonzero(y > thr)
    ks, kt = S.size, T.size

    def embed(z):
        xx, yy = np.zeros(n), np.zeros(m)
        xx[S], yy[T] = z[:ks], z[ks:ks + kt]
        return xx, yy

    def F(z):
        xx, yy = embed(z)
        ye, xe = _trembled(yy, eps), _trembled(xx, eps)
        g1 = A @ ye - 2.0 * lam * (_cov(A, ye) @ xx)
        g2 = B.T @ xe - 2.0 * lam * (_cov(B.T, xe) @ yy)
        return np.concatenate([g1[S] - z[-2], g2[T] - z[-1], [xx.sum() - 1.0],
                               [yy.sum() - 1.0]])

    ye, xe = _trembled(y, eps), _trembled(x, eps)
    nu1 = float(x @ (A @ ye - 2 * lam * _cov(A, ye) @ x))
    nu2 = float(y @ (B.T @ xe - 2 * lam * _cov(B.T, xe) @ y))
    z0 = np.concatenate([x[S], y[T], [nu1, nu2]])
    # the system is square: ks + kt + 2 unknowns, ks + kt + 2 equations
    sol = scipy.optimize.root(F, z0, method="hybr", options={"xtol": 1e-14})
    xx, yy = embed(sol.x)
    if np.any(xx < -1e-12) or np.any(yy < -1e-12) or not np.all(np.isfinite(sol.x)):
        return None
    xx, yy = np.maximum(xx, 0.0), np.maximum(yy, 0.0)
    if xx.sum() <= 0 or yy.sum() <= 0:
        return None
    return xx / xx.sum(), yy / yy.sum()


#: largest number of support pairs (2^n - 1)(2^m - 1) the support search tries
_SUPPORT_PAIRS = 4096


def _support_search(A, B, lam, eps, level):
    """Newton on the KKT equations from the uniform strategy on every support pair (smallest
    supports first), for small games; the first profile with certificate <= level."""
    n, m = A.shape
    if (2 ** n - 1) * (2 ** m - 1) > _SUPPORT_PAIRS:
        return None
    pairs = [(I, J) for r in range(1, n + 1) for I in itertools.combinations(range(n), r)
             for q in range(1, m + 1) for J in itertools.combinations(range(m), q)]
    pairs.sort(key=lambda p: len(p[0]) + len(p[1]))
    for I, J in pairs:
        x, y = np.zeros(n), np.zeros(m)
        x[list(I)], y[list(J)] = 1.0 / len(I), 1.0 / len(J)
        pol = _newton_polish(A, B, x, y, lam, eps, 1e-9)
        if pol is not None:
            g = max(_gaps(A, B, pol[0], pol[1], lam, eps))
            if g <= level:
                return (g, pol[0], pol[1], "support+newton")
    return None


def risk_averse_equilibrium(A, B, *, risk_aversion=1.0, tremble=0.0, method="auto", tol=1e-8,
                            max_iter=20_000, x0=None, y0=None) -> RiskAverseResult:
    r"""A risk-averse (mean-variance) equilibrium of a bimatrix game.

    Model (module docstring): player 1 maximises
    :math:`x^\top A y - \lambda x^\top \Sigma_A(y) x`, player 2
    :math:`x^\top B y - \lambda y^\top \Sigma_{B^\top}(x) y`, each against the (trembled)
    opponent; an RAE always exists (Kakutani; the existence theorem of Slumbers et al. 2023).
    The risk aversion :math:`\lambda` is the Lagrange multiplier of the paper's
    utility-level constraint: at an RAE each strategy has the least variance among all
    strategies reaching its expected utility (checked as ``games.rae_min_variance``; the
    frontier itself is :func:`mean_variance_best_response` with ``utility_level=``).

    Methods:

    - ``"fictitious_play"``: :func:`risk_averse_fictitious_play` from ``(x0, y0)``.
    - ``"auto"``: first the pure profiles (with ``tremble = 0`` exactly the pure Nash
      equilibria), then fictitious play in chunks of doubling length with Newton's method
      (scipy ``root``) on both players' KKT equations on the supports found after each
      chunk, keeping the profile with the smallest certificate; when the first run has used
      a quarter of ``max_iter`` without success, Newton from the uniform strategy on every
      support pair (games with at most 4096 pairs, smallest supports first), then restarts
      of fictitious play from random beliefs (fixed seed, at most 3, the last one gets the
      rest of the budget).

    Stopping rule and success: the certificate :func:`risk_averse_gap` is at most ``tol``
    times the payoff range :math:`\max(\mathrm{ptp}\,A, \mathrm{ptp}\,B)`; otherwise
    ``success=False`` with a ``ConvergenceWarning`` (the profile with the smallest
    certificate is returned).

    Parameters
    ----------
    A, B : array_like (n, m)
        Payoffs of the row and column players.
    risk_aversion : float, default 1
        :math:`\lambda \ge 0`; 0 gives Nash equilibria.
    tremble : float, default 0
        Opponent tremble :math:`\epsilon \in [0, 1]`.
    method : {"auto", "fictitious_play"}
        The algorithm.
    tol : float, default 1e-8
        Relative certificate tolerance.
    max_iter : int, default 20000
        Fictitious-play iteration budget.
    x0, y0 : array_like, optional
        Fictitious play's initial beliefs (default uniform).

    Returns
    -------
    RiskAverseResult

    References
    ----------
    Slumbers et al. (2023), arXiv:2205.15434; Kakutani (1941), "A generalization of
    Brouwer's fixed point theorem", *Duke Math. J.* 8.

    Examples
    --------
    >>> A = [[4.0, 0.0], [3.0, 3.0]]
    >>> res = risk_averse_equilibrium(A, [[4.0, 3.0], [0.0, 3.0]], tremble=0.1)
    >>> res.success, res.x.round(3).tolist()
    (True, [0.0, 1.0])
    """
    A, B, lam, eps, tol, max_iter, x0, y0 = _check_common(A, B, risk_aversion, tremble, tol,
                                                          max_iter, x0, y0)
    method = check_option(method, "method", _METHODS)
    scale = _scale(A, B)
    if method == "fictitious_play":
        x, y, it, hist, _ = _fictitious_play(A, B, lam, eps, x0, y0, max_iter, tol * scale, 50)
        return _result(A, B, x, y, lam, eps, tol, "fictitious_play", it, hist)
    pure = _pure_candidates(A, B, lam, eps, tol)
    if pure is not None:
        return _result(A, B, pure[0], pure[1], lam, eps, tol, "pure", 0, [])
    # fictitious play in chunks of doubling length, Newton polish after each chunk; restarts
    # from random beliefs (a fixed seed) when a run cycles
    best = (np.inf, x0, y0, "fictitious_play")
    hists: list[np.ndarray] = []
    done = 0
    starts = np.random.default_rng(0)
    n, m = A.shape
    for restart in range(_RESTARTS + 1):
        if done >= max_iter or best[0] <= tol * scale:
            break
        if restart == 0:
            x, y = x0, y0
        else:
            x, y = starts.dirichlet(np.ones(n)), starts.dirichlet(np.ones(m))
        budget = max_iter - done if restart == _RESTARTS else max(max_iter // 4, 1)
        state, used, chunk = None, 0, 100
        while used < budget:
            step = min(chunk, budget - used)
            x, y, it, hist, state = _fictitious_play(A, B, lam, eps, x, y, step, 0.0, 50, state)
            used += step
            hists.append(hist)
            cand = [(max(_gaps(A, B, x, y, lam, eps)), x, y, "fictitious_play")]
            for thr in (1e-2, 1e-3, 1e-5):
                pol = _newton_polish(A, B, x, y, lam, eps, thr)
                if pol is not None:
                    cand.append((max(_gaps(A, B, pol[0], pol[1], lam, eps)), pol[0], pol[1],
                                 "fictitious_play+newton"))
            c = min(cand, key=lambda t: t[0])
            if c[0] < best[0]:
                best = c
            if best[0] <= tol * scale:
                break
            chunk *= 2
        done += used
        if restart == 0 and best[0] > tol * scale:
            found = _support_search(A, B, lam, eps, tol * scale)
            if found is not None:
                best = found
    return _result(A, B, best[1], best[2], lam, eps, tol, best[3], done,
                   np.concatenate(hists) if hists else np.empty(0))


# -- Nash equilibria by support enumeration -------------------------------------------------
def support_enumeration(A, B, *, tol=1e-10) -> list[tuple[np.ndarray, np.ndarray]]:
    r"""All Nash equilibria of a nondegenerate bimatrix game by support enumeration.

    For every pair of supports :math:`I, J` of equal size ``k`` solve the indifference
    equations :math:`(B^\top x)_j = v` on :math:`J` with :math:`\sum_I x = 1`, and
    :math:`(Ay)_i = u` on :math:`I` with :math:`\sum_J y = 1`; keep the solutions that are
    non-negative and best responses (no action outside the support earns more than ``tol``
    times the payoff range above the support's value).  Nondegenerate games have equilibria
    only with equal support sizes (von Stengel 2007, Thm 3.4), so the list is complete for
    them; degenerate games may have more (continua) than are returned.

    Parameters
    ----------
    A, B : array_like (n, m)
        Payoffs of the row and column players.
    tol : float, default 1e-10
        Relative tolerance of the non-negativity and best-response tests.

    Returns
    -------
    list of (ndarray, ndarray)
        Equilibrium profiles ``(x, y)``, duplicates removed.

    References
    ----------
    B. von Stengel (2007), "Equilibrium computation for two-player games in strategic and
    extensive form", in *Algorithmic Game Theory*, ch. 3, Algorithm 3.4 (support
    enumeration).
    """
    A, B = _bimatrix(A, B)
    tol = check_scalar(tol, "tol", lo=0.0, hi=1e-3)
    n, m = A.shape
    s = _scale(A, B) * tol
    out: list[tuple[np.ndarray, np.ndarray]] = []
    for k in range(1, min(n, m) + 1):
        for I in itertools.combinations(range(n), k):
            I_ = list(I)
            for J in itertools.combinations(range(m), k):
                J_ = list(J)
                x = _indifferent(B[np.ix_(I_, J_)].T, k)
                if x is None:
                    continue
                y = _indifferent(A[np.ix_(I_, J_)], k)
                if y is None:
                    continue
                xf, yf = np.zeros(n), np.zeros(m)
                xf[I_], yf[J_] = x, y
                if (A @ yf).max() <= (A @ yf)[I_].min() + s and \
                        (B.T @ xf).max() <= (B.T @ xf)[J_].min() + s:
                    if not any(np.allclose(xf, a, atol=1e-9) and np.allclose(yf, b, atol=1e-9)
                               for a, b in out):
                        out.append((xf, yf))
    return out


def _indifferent(M, k):
    """Solve M z = v 1, sum z = 1 for (z, v); None when singular or z has a negative entry."""
    K = np.zeros((k + 1, k + 1))
    K[:k, :k] = M
    K[:k, k] = -1.0
    K[k, :k] = 1.0
    rhs = np.zeros(k + 1)
    rhs[k] = 1.0
    try:
        sol = np.linalg.solve(K, rhs)
    except np.linalg.LinAlgError:
        return None
    z = sol[:k]
    if not np.all(np.isfinite(z)) or np.any(z < -1e-12):
        return None
    z = np.maximum(z, 0.0)
    return z / z.sum()


# -- instance families ----------------------------------------------------------------------
def stag_hunt(reward=4.0, sucker=0.0, temptation=3.0, punishment=3.0):
    r"""The symmetric stag hunt (trust dilemma), with action 0 stag and action 1 hare.

    Row payoffs :math:`A = \begin{pmatrix} R & S \\ T & P \end{pmatrix}`, ``B = A.T``, with
    :math:`R > T` and :math:`P > S` (both pure profiles are strict Nash equilibria).
    (stag, stag) is payoff dominant when :math:`R > P`; hare is risk dominant (Harsanyi and
    Selten 1988) iff :math:`P - S > R - T`.  With :math:`T = P` hare is the safe action (zero
    reward variance against every opponent).

    Parameters
    ----------
    reward : float, default 4
        R, both hunt stag.
    sucker : float, default 0
        S, stag alone.
    temptation : float, default 3
        T, hare against stag.
    punishment : float, default 3
        P, both hunt hare.

    Returns
    -------
    A, B : ndarray (2, 2)

    Raises
    ------
    ValueError
        Unless ``reward > temptation`` and ``punishment > sucker``.
    """
    R = check_scalar(reward, "reward")
    S = check_scalar(sucker, "sucker")
    T = check_scalar(temptation, "temptation")
    P = check_scalar(punishment, "punishment")
    if not (R > T and P > S):
        raise ValueError(f"a stag hunt needs `reward` > `temptation` and `punishment` > "
                         f"`sucker`, got R={R:g}, T={T:g}, P={P:g}, S={S:g}")
    A = np.array([[R, S], [T, P]])
    return A, A.T.copy()


def crash_game(penalty=100.0, *, gain=1.0, safe=0.5, rare=0.02):
    r"""A 3x3 driving game with a high-penalty crash outcome, in the spirit of the paper's.

    Player 1 chooses ``fast`` (earns ``gain`` unless player 2 swerves into its lane, which
    costs ``-penalty``), ``careful`` (earns ``safe`` whatever happens) or ``middle`` (half of
    each).  Player 2 drives ``normal`` or ``normal'`` (payoff ``gain``) or ``swerves``
    (payoff ``gain - rare``, nearly as good, so a risk-neutral player 2 may play it at an
    equilibrium).  Against any opponent who swerves with probability ``p > 0``, ``fast``
    has the largest mean only while ``p < (gain - safe)/(gain + penalty)`` and variance
    :math:`p(1-p)(gain + penalty)^2`; ``careful`` has variance 0.

    Parameters
    ----------
    penalty : float, default 100
        Size of the crash loss, ``> 0``.
    gain : float, default 1
        Reward of the fast lane.
    safe : float, default 0.5
        Reward of the careful action, ``< gain``.
    rare : float, default 0.02
        Player 2's cost of swerving.

    Returns
    -------
    A, B : ndarray (3, 3)
    """
    pen = check_scalar(penalty, "penalty", lo=0.0, lo_inclusive=False)
    g = check_scalar(gain, "gain")
    s = check_scalar(safe, "safe")
    r = check_scalar(rare, "rare", lo=0.0)
    if not s < g:
        raise ValueError(f"`safe` must be below `gain` = {g:g}, got {s:g}")
    fast = [g, g, -pen]
    careful = [s, s, s]
    middle = [(g + s) / 2, (g + s) / 2, (s - pen) / 2]
    A = np.array([fast, middle, careful])
    B = np.tile([g, g, g - r], (3, 1))
    return A, B
