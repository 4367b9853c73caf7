r"""Zeroth-order optimisation from ranking oracles: ZO-RankSGD (issue 18, part 2).

A black-box objective :math:`f : \mathbb{R}^d \to \mathbb{R}` is seen only through a
*ranking oracle*: given points :math:`y_1, \dots, y_m` it returns the indices of the
:math:`k` best (smallest :math:`f`) in order, possibly corrupted by noise, as a human judge
ranking images or episode returns would.  From one ranking of the Gaussian perturbations
:math:`x + \mu \xi_i` the *rank-based estimator* sums the comparison directions of every
ordered pair the ranking reveals; ZO-RankSGD steps against it, with an optional line search
that itself uses only the ranking oracle.

Public names: :func:`ranking_oracle` (:class:`RankingOracle`, counting queries),
:func:`rank_gradient_estimate`, :func:`zo_ranksgd` (:class:`ZORankResult`).

References
----------
.. [1] Z. Tang, D. Rybin, T.-H. Chang (2024), "Zeroth-Order Optimization Meets Human Feedback:
   Provable Learning via Ranking Oracles", ICLR 2024, arXiv 2303.03751.  Read here: the
   abstract and the section list (sec. 2 "Finding descent direction from the ranking
   information", sec. 3 "ZO-RankSGD"); the body text (the estimator's display, eqs. (5),
   (14)-(16), and the convergence theorem) was **not** readable in this environment.  The
   estimator's normalisation and the line search follow the authors' code,
   github.com/TZW1998/Taming-Stable-Diffusion-with-Human-Ranking-Feedback, ``optimizer.py``
   (``update_direction /= k*(k-1)/2 + k*(m-k)``; candidates ``x + stepsize * 0.5**l * d``).
.. [2] H. Cai, D. McKenzie, W. Yin, Z. Zhang (2022), "A one-bit, comparison-based gradient
   estimator", Appl. Comput. Harmon. Anal. 60 -- the comparison-oracle estimator
   :math:`\operatorname{sign}(f(x + \mu\xi_1) - f(x + \mu\xi_2))(\xi_1 - \xi_2)` that the rank
   estimator reduces to at :math:`m = 2`.
.. [3] Y. Nesterov, V. Spokoiny (2017), "Random gradient-free minimization of convex
   functions", Found. Comput. Math. 17 -- Gaussian smoothing
   :math:`f_\mu(x) = \mathbb{E}\, f(x + \mu\xi)`.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

import numpy as np

from equilibria._lib.sweep import progress_bar
from equilibria._lib.result import Result, Status, finish
from equilibria._lib.rng import as_generator
from equilibria._lib.validation import (as_float_array, check_callable, check_int,
                                        check_scalar)

__all__ = ["RankingOracle", "ranking_oracle", "rank_gradient_estimate", "rank_weights",
           "zo_ranksgd", "ZORankResult", "fd_gradient"]


class _NonFinite(ValueError):
    """The objective returned a non-finite value at a point to be ranked."""


def _value(f, y: np.ndarray) -> float:
    v = f(y)
    try:
        v = float(v)
    except (TypeError, ValueError):
        raise TypeError(f"`f` must return a real number, got {type(v).__name__}") from None
    return v


class RankingOracle:
    r"""A ranking oracle over points, counting its queries.

    A call ``oracle(points, k=None)`` returns the indices of the ``k`` smallest values of
    :math:`\tilde f(y_i) = f(y_i) + \sigma \varepsilon_i` (:math:`\varepsilon_i \sim N(0, 1)`
    independent per point and per call; :math:`\sigma` = ``noise``), best first: the
    :math:`(m, k)`-ranking oracle of Tang et al. (2024), sec. 2.2, with Gaussian
    value noise as its noisy variant.  ``n_calls`` counts oracle calls and ``n_points`` the
    points ranked (function evaluations).

    Parameters
    ----------
    f : callable
        ``f(y) -> float`` for a 1-D array ``y`` (values are never returned to the caller).
    noise : float, default 0.0
        Standard deviation :math:`\sigma \ge 0` of the value noise.
    seed : None, int, SeedSequence or Generator
        Randomness of the noise.

    Attributes
    ----------
    n_calls : int
        Oracle calls so far.
    n_points : int
        Points ranked so far.
    noise : float
        The value-noise standard deviation.
    """

    def __init__(self, f: Callable[[np.ndarray], Any], *, noise: float = 0.0, seed=None):
        self._f = check_callable(f, "f")
        self.noise = check_scalar(noise, "noise", lo=0.0)
        self._rng = as_generator(seed)
        self.n_calls = 0
        self.n_points = 0

    def __call__(self, points, *, k: int | None = None) -> np.ndarray:
        """Rank ``points`` (rows) and return the indices of the ``k`` best, best first.

        Parameters
        ----------
        points : array_like (m, d)
            The points to rank, ``m >= 1``.
        k : int, optional
            How many of the best to return (default all ``m``), ``1 <= k <= m``.

        Returns
        -------
        ndarray of int (k,)
            Indices into ``points``, best (smallest value) first; ties broken by index.
        """
        P = as_float_array(points, "points", ndim=2, min_size=1)
        m = P.shape[0]
        k = m if k is None else check_int(k, "k", lo=1, hi=m)
        vals = np.array([_value(self._f, P[i]) for i in range(m)])
        if not np.all(np.isfinite(vals)):
            bad = int(np.flatnonzero(~np.isfinite(vals))[0])
            raise _NonFinite(f"`f` returned {vals[bad]} at row {bad} of `points`; a ranking "
                             "needs finite values")
        if self.noise > 0:
            vals = vals + self.noise * self._rng.standard_normal(m)
        self.n_calls += 1
        self.n_points += m
        return np.argsort(vals, kind="stable")[:k]

    def reset(self) -> None:
        """Set the query counters back to zero."""
        self.n_calls = 0
        self.n_points = 0

    def __repr__(self) -> str:
        return (f"RankingOracle(noise={self.noise:g}, n_calls={self.n_calls}, "
                f"n_points={self.n_points})")


def ranking_oracle(f, *, noise: float = 0.0, seed=None) -> RankingOracle:
    r"""Wrap an objective as a ranking oracle that counts its queries.

    The oracle sees :math:`f` and answers only orderings: ``oracle(points, k=)`` returns the
    indices of the ``k`` smallest values of :math:`f(y_i) + \sigma\varepsilon_i`, best first
    (see :class:`RankingOracle`).

    Parameters
    ----------
    f : callable
        ``f(y) -> float`` for a 1-D array ``y``.
    noise : float, default 0.0
        Standard deviation of Gaussian value noise added before ranking (0: noiseless).
    seed : None, int, SeedSequence or Generator
        Randomness of the noise.

    Returns
    -------
    RankingOracle
        The oracle, with counters ``n_calls`` and ``n_points`` at zero.

    References
    ----------
    Tang, Rybin & Chang (2024), arXiv 2303.03751, sec. 2.2 (the (m, k)-ranking oracle).
    """
    return RankingOracle(f, noise=noise, seed=seed)


def rank_weights(m: int, k: int | None = None) -> np.ndarray:
    r"""Weight of each rank position in the rank-based estimator.

    For an :math:`(m, k)` ranking, the ordered pairs it reveals are
    :math:`E = \{(\sigma_a, \sigma_b) : a < b,\ a < k\}` (the ``a``-th best beats every later
    point), :math:`|E| = k(k-1)/2 + k(m-k)`.  The estimator
    :math:`\frac{1}{|E|}\sum_{(i,j)\in E}(\xi_j - \xi_i)` equals
    :math:`\sum_a w_a \xi_{\sigma_a}` with :math:`w_a = (2a - (m - 1))/|E|` for a ranked
    position :math:`a < k` (0-based) and :math:`w_a = k/|E|` for the unranked ones.

    Parameters
    ----------
    m : int
        Number of points ranked, ``m >= 2``.
    k : int, optional
        Number of ranked positions revealed, ``1 <= k <= m`` (default ``m``).

    Returns
    -------
    ndarray (m,)
        The weights, best position first; they sum to zero.
    """
    m = check_int(m, "m", lo=2, hi=10**6)
    k = m if k is None else check_int(k, "k", lo=1, hi=m)
    n_edges = k * (k - 1) / 2.0 + k * (m - k)
    w = np.full(m, float(k))
    a = np.arange(k, dtype=float)
    w[:k] = 2.0 * a - (m - 1)
    return w / n_edges


def rank_gradient_estimate(oracle, x, *, m: int = 5, mu: float = 1e-2, k: int | None = None,
                           seed=None) -> np.ndarray:
    r"""Estimate the gradient direction at a point from one ranking of ``m`` perturbations.

    Draws :math:`\xi_1, \dots, \xi_m \sim N(0, I_d)`, asks the oracle to rank
    :math:`x + \mu\xi_i` (top ``k``) and returns

    .. math::

        \tilde g = \frac{1}{|E|}\sum_{(i, j) \in E} (\xi_j - \xi_i), \qquad
        |E| = \tfrac{k(k-1)}{2} + k(m - k),

    over the ordered pairs :math:`(i, j)` the ranking reveals (:math:`x + \mu\xi_i` ranked
    better than :math:`x + \mu\xi_j`).  :math:`\tilde g` points uphill: its expectation is
    positively aligned with :math:`\nabla f_\mu(x)` (registered as
    ``online.zo_rank_alignment``); it is scale free (invariant under monotone transformations
    of :math:`f`), so it estimates a direction, not the gradient's length.  With ``m = 2``
    it is the comparison estimator
    :math:`\operatorname{sign}(f(x + \mu\xi_1) - f(x + \mu\xi_2))(\xi_1 - \xi_2)`
    (``online.zo_rank_pairwise``, draw for draw).

    Parameters
    ----------
    oracle : RankingOracle or callable
        A ranking oracle (``oracle(points, k=) -> indices``, best first); a plain objective
        ``f(y) -> float`` is wrapped by :func:`ranking_oracle` (noiseless).
    x : array_like (d,)
        The point.
    m : int, default 5
        Number of perturbations ranked (one oracle call of ``m`` points), ``m >= 2``.
    mu : float, default 1e-2
        Smoothing radius :math:`\mu > 0`.
    k : int, optional
        Ranked positions the oracle reveals (default ``m``: a full ranking).
    seed : None, int, SeedSequence or Generator
        Randomness of the directions.

    Returns
    -------
    ndarray (d,)
        The estimate :math:`\tilde g` (an ascent direction; step against it).

    References
    ----------
    Tang, Rybin & Chang (2024), arXiv 2303.03751, eqs. (14)-(16) (the pairwise sum over the
    ranking's DAG; normalisation :math:`1/|E|` as in the authors' ``optimizer.py``, which
    weights a ranked position by :math:`m - 2a` instead of :math:`m - 1 - 2a`: a constant
    offset we do not copy, so the weights here sum to zero); Cai et al. (2022) for ``m = 2``.
    """
    if not isinstance(oracle, RankingOracle):
        oracle = ranking_oracle(check_callable(oracle, "oracle"))
    x = as_float_array(x, "x", ndim=1, min_size=1)
    m = check_int(m, "m", lo=2, hi=10**6)
    mu = check_scalar(mu, "mu", lo=0.0, lo_inclusive=False)
    k = m if k is None else check_int(k, "k", lo=1, hi=m)
    rng = as_generator(seed)
    xi = rng.standard_normal((m, x.shape[0]))
    try:
        order = np.asarray(oracle(x[None, :] + mu * xi, k=k), dtype=np.intp)  # eq. (14)
    except _NonFinite as exc:
        raise _NonFinite(f"{exc} (the points x + mu xi; check `x` (max |x| = "
                         f"{np.max(np.abs(x)):.3g}) and `mu` = {mu:g})") from None
    return _estimate(xi, order, m, k)


def _estimate(xi: np.ndarray, order: np.ndarray, m: int, k: int) -> np.ndarray:
    """The pairwise sum from the directions and the revealed top-k order (eqs. (15)-(16))."""
    if order.shape != (k,) or len(set(order.tolist())) != k or order.min() < 0 \
            or order.max() >= m:
        raise ValueError(f"the oracle must return {k} distinct indices in [0, {m}), got "
                         f"{order!r}")
    w_pos = rank_weights(m, k)
    w = np.full(m, w_pos[-1] if k < m else 0.0)
    w[order] = w_pos[:k]
    return w @ xi


def fd_gradient(f, x, *, h: float = 1e-6) -> np.ndarray:
    r"""Central finite-difference gradient, for reporting only (never counted as queries).

    :math:`\partial_i f(x) \approx (f(x + h_i e_i) - f(x - h_i e_i)) / (2 h_i)` with
    :math:`h_i = h \max(1, |x_i|)`.

    Parameters
    ----------
    f : callable
        ``f(y) -> float``.
    x : array_like (d,)
        The point.
    h : float, default 1e-6
        Relative step, in [1e-12, 1].

    Returns
    -------
    ndarray (d,)
        The gradient estimate.
    """
    check_callable(f, "f")
    x = as_float_array(x, "x", ndim=1, min_size=1)
    h = check_scalar(h, "h", lo=1e-12, hi=1.0)
    g = np.empty_like(x)
    for i in range(x.shape[0]):
        hi = h * max(1.0, abs(x[i]))
        e = np.zeros_like(x)
        e[i] = hi
        g[i] = (_value(f, x + e) - _value(f, x - e)) / (2.0 * hi)
    if not np.all(np.isfinite(g)):
        raise _NonFinite(f"the differences of `f` around `x` are not finite (max |x| = "
                         f"{np.max(np.abs(x)):.3g})")
    return g


@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class ZORankResult(Result):
    """Result of :func:`zo_ranksgd`.

    Attributes
    ----------
    x : ndarray (d,)
        The final iterate (the best point accepted so far).
    grad_norm : float
        :math:`\\|\\nabla f(x)\\|` at the final iterate (from ``grad`` or finite differences;
        reporting only).
    history : ndarray (n_iter + 1,)
        Gradient norm at every iterate, the start first.
    queries : ndarray of int (n_iter + 1,)
        Function evaluations (points ranked) spent when each iterate was reached.
    n_queries : int
        Ranking-oracle calls.
    n_evals : int
        Points ranked in total (the query count compared with value-based methods).
    step_sizes : ndarray (n_iter,)
        Step taken at each iteration (0 when the line search kept the iterate).
    """

    x: np.ndarray
    grad_norm: float
    history: np.ndarray
    queries: np.ndarray
    n_queries: int
    n_evals: int
    step_sizes: np.ndarray


def zo_ranksgd(f, x0, *, m: int = 5, mu: float = 1e-2, lr: float = 0.1, k: int | None = None,
               line_search: bool = True, n_search: int = 4, gamma: float = 0.5,
               max_iter: int = 1000, max_queries: int | None = None, tol: float = 1e-3,
               grad: Callable | None = None, noise: float = 0.0, seed=None,
               progress: bool | None = False) -> ZORankResult:
    r"""Minimise a black-box function seen only through a ranking oracle (ZO-RankSGD).

    One iteration (Tang et al. 2024, Algorithm 1): draw :math:`m` Gaussian directions, rank
    :math:`x_t + \mu\xi_i` (one oracle call of :math:`m` points), form the rank-based
    estimate :math:`\tilde g_t` (:func:`rank_gradient_estimate`) and step

    .. math:: x_{t+1} = x_t - \eta_t \tilde g_t .

    Without line search :math:`\eta_t = ` ``lr``.  With the line search (the paper's
    Algorithm 2 as implemented in the authors' code) one more oracle call ranks the
    ``n_search + 1`` candidates :math:`x_t` and :math:`x_t - \eta^{(l)}_t \bar g_t`, and the
    best is kept; when :math:`x_t` itself wins, the next estimate is averaged with the
    current one (:math:`\bar g_t` is the running mean of the estimates since the last
    accepted step), so the direction sharpens until a step succeeds.  The trial steps are
    :math:`\eta^{(l)}_t = \min(\text{lr}, \beta_t\gamma^{l-1})`,
    :math:`l = 0, \dots, n_{\text{search}} - 1`, around the last accepted step
    :math:`\beta_t` (:math:`\beta_0 = \text{lr}`; after a failed search :math:`\beta` moves
    below the smallest trial).  Deviation from the authors' code, whose grid is always
    :math:`\text{lr}\,\gamma^l`: a fixed grid cannot resolve :math:`\|\nabla f\|` below
    about :math:`L\,\text{lr}\,\gamma^{n_{\text{search}}}`, because the estimate has no
    length information (it is invariant to monotone transformations of :math:`f`).

    Stopping rule: success when :math:`\|\nabla f(x_t)\|_2 \le` ``tol``, the gradient coming
    from ``grad`` or, without it, from central finite differences of ``f``; these
    evaluations are for reporting and stopping only and are **not** counted as queries.
    ``max_iter`` iterations or ``max_queries`` points ranked end the run with
    ``Status.MAX_ITER`` and a :class:`ConvergenceWarning`.

    Theorem (registered as ``online.zo_rank_rate``; the paper's own statement could not be
    read here, see References): for :math:`L`-smooth :math:`f` bounded below, ``lr`` =
    :math:`c/\sqrt{T}` and no line search,
    :math:`\min_{t < T}\mathbb{E}\|\nabla f(x_t)\| = O(T^{-1/2})` at fixed :math:`d, m, \mu`
    (the non-convex rate of comparison/sign-based descent, from
    :math:`f(x_{t+1}) \le f(x_t) - \eta\langle\nabla f, \tilde g\rangle +
    \tfrac{L}{2}\eta^2\|\tilde g\|^2` with :math:`\mathbb{E}\langle\nabla f, \tilde g\rangle
    \ge c_m\|\nabla f\| - O(\mu L d)`).

    Parameters
    ----------
    f : callable or RankingOracle
        The objective ``f(y) -> float`` (wrapped by :func:`ranking_oracle` with ``noise`` and
        ``seed``) or a ranking oracle (its own noise; ``noise`` must then be 0).
    x0 : array_like (d,)
        Start.
    m : int, default 5
        Perturbations ranked per estimate, ``m >= 2``.
    mu : float, default 1e-2
        Smoothing radius.
    lr : float, default 0.1
        Step size (the line search's largest trial step).
    k : int, optional
        Ranked positions revealed per estimate (default ``m``).
    line_search : bool, default True
        Use the ranking line search.
    n_search : int, default 4
        Trial steps of the line search, ``>= 1``.
    gamma : float, default 0.5
        Shrink factor of the trial steps, in (0, 1).
    max_iter : int, default 1000
        Iteration budget (one iteration: one estimate and, with line search, one ranking of
        the candidates).
    max_queries : int, optional
        Budget of points ranked (function evaluations); default unlimited.
    tol : float, default 1e-3
        Gradient-norm tolerance of the stopping rule (absolute, Euclidean).
    grad : callable, optional
        ``grad(y) -> ndarray (d,)``, the exact gradient (reporting and stopping only).
    noise : float, default 0.0
        Value-noise standard deviation of the oracle built from ``f``.
    seed : None, int, SeedSequence or Generator
        Randomness of the directions (and of the oracle built from ``f``).
    progress : bool, optional
        tqdm bar over iterations (default off; ``None`` follows the package option).

    Returns
    -------
    ZORankResult
        ``x``, ``grad_norm``, ``history`` (gradient norm per iterate), ``queries`` (points
        ranked per iterate), ``n_queries`` (oracle calls), ``n_evals``, ``step_sizes``.

    References
    ----------
    Tang, Rybin & Chang (2024), arXiv 2303.03751, Algorithms 1-2 (read through the authors'
    code ``optimizer.py``: the line search ``x + stepsize * 0.5**l * d`` over candidates that
    include the current point, and the averaging of the direction while no candidate wins;
    the adaptive centre of the trial grid is ours, see above).
    The convergence theorem's exact constants were not readable; the registered rate is the
    standard one (Cai et al. 2022, Thm 3 for comparison-based descent; Ghadimi & Lan 2013 for
    zeroth-order SGD).
    """
    x = as_float_array(x0, "x0", ndim=1, min_size=1, copy=True)
    d = x.shape[0]
    m = check_int(m, "m", lo=2, hi=10**6)
    mu = check_scalar(mu, "mu", lo=0.0, lo_inclusive=False)
    lr = check_scalar(lr, "lr", lo=0.0, lo_inclusive=False)
    k = m if k is None else check_int(k, "k", lo=1, hi=m)
    if not isinstance(line_search, (bool, np.bool_)):
        raise TypeError(f"`line_search` must be a bool, got {type(line_search).__name__}")
    n_search = check_int(n_search, "n_search", lo=1, hi=64)
    gamma = check_scalar(gamma, "gamma", lo=0.0, hi=1.0, lo_inclusive=False,
                         hi_inclusive=False)
    max_iter = check_int(max_iter, "max_iter", lo=1, hi=10**8)
    if max_queries is not None:
        max_queries = check_int(max_queries, "max_queries", lo=m, hi=10**12)
    tol = check_scalar(tol, "tol", lo=0.0)
    noise = check_scalar(noise, "noise", lo=0.0)
    if grad is not None:
        check_callable(grad, "grad")
    rng = as_generator(seed)
    if isinstance(f, RankingOracle):
        if noise != 0.0:
            raise ValueError(f"`noise` must be 0 when `f` is a RankingOracle (it has its own "
                             f"noise {f.noise:g}), got {noise:g}")
        oracle = f
    else:
        oracle = ranking_oracle(check_callable(f, "f"), noise=noise, seed=rng.spawn(1)[0])
    start_calls, start_points = oracle.n_calls, oracle.n_points

    def gnorm(y):
        if grad is not None:
            g = np.asarray(grad(y), dtype=float)
        else:
            try:
                g = fd_gradient(oracle._f, y)
            except _NonFinite:
                return np.inf
        if g.shape != (d,):
            raise ValueError(f"`grad` must return shape ({d},), got {g.shape}")
        return float(np.linalg.norm(g))

    hist = [gnorm(x)]
    if not np.isfinite(hist[0]):
        raise ValueError(f"the gradient norm at `x0` is not finite (max |x0| = "
                         f"{np.max(np.abs(x)):.3g}); start where `f` is finite")
    queries = [0]
    steps: list[float] = []
    g_bar = np.zeros(d)
    n_acc = 0
    eta_base = lr
    status, detail = Status.MAX_ITER, None
    it = 0
    bar = progress_bar(max_iter, desc="zo_ranksgd", progress=progress)
    try:
        if hist[0] <= tol:
            status = Status.SUCCESS
        while status != Status.SUCCESS and it < max_iter:
            need = m + (n_search + 1 if line_search else 0)
            if max_queries is not None and oracle.n_points - start_points + need > max_queries:
                detail = f"the query budget max_queries={max_queries} ran out"
                break
            x_old = x
            try:
                g = rank_gradient_estimate(oracle, x, m=m, mu=mu, k=k, seed=rng)
                if line_search:
                    g_bar = (g_bar * n_acc + g) / (n_acc + 1)
                    n_acc += 1
                    # trial steps around the last accepted one, the largest capped at lr
                    etas = np.minimum(eta_base * gamma ** (np.arange(n_search) - 1.0), lr)
                    cand = np.vstack([x[None, :], x[None, :] - etas[:, None] * g_bar[None, :]])
                    best = int(oracle(cand, k=1)[0])
                    eta = 0.0 if best == 0 else float(etas[best - 1])
                    if best != 0:
                        x = cand[best].copy()
                        g_bar[:] = 0.0
                        n_acc = 0
                        eta_base = eta
                    else:  # no trial step beat x_t: continue below the smallest one
                        eta_base = float(etas[-1]) * gamma
                else:
                    eta = lr
                    x = x - lr * g
                h = gnorm(x)
            except _NonFinite as exc:
                status, detail = Status.NUMERICAL, f"at iteration {it + 1}: {exc}"
                break
            it += 1
            steps.append(eta)
            hist.append(h)
            queries.append(oracle.n_points - start_points)
            bar.update(1)
            if not (np.all(np.isfinite(x)) and np.isfinite(h)):
                status, detail = Status.NUMERICAL, f"non-finite iterate at iteration {it}"
                x = x_old
                break
            if h <= tol:
                status = Status.SUCCESS
    finally:
        bar.close()
    if status == Status.MAX_ITER and detail is None:
        detail = (f"||grad f|| = {hist[-1]:.3g} > tol = {tol:g} after {it} iterations "
                  f"({oracle.n_points - start_points} points ranked)")
    hint = None
    if status == Status.MAX_ITER:
        hint = "increase `max_iter` / `max_queries`, loosen `tol`, or lower `mu` and `lr`"
    return finish(ZORankResult, success=status == Status.SUCCESS, status=status, n_iter=it,
                  message=detail if status != Status.SUCCESS else None, hint=hint,
                  x=x, grad_norm=float(hist[-1]), history=np.asarray(hist, dtype=float),
                  queries=np.asarray(queries, dtype=np.int64),
                  n_queries=int(oracle.n_calls - start_calls),
                  n_evals=int(oracle.n_points - start_points),
                  step_sizes=np.asarray(steps, dtype=float))
