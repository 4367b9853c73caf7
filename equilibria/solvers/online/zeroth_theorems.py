r"""Theorems of ZO-RankSGD (issue 18 part 2), registered for ``equilibria verify``.

Instances: smooth non-convex test functions
:math:`f(x) = \tfrac12 x^\top A x + b^\top x + \sum_j c_j \sin(w_j^\top x)` whose Gaussian
smoothing is closed form, :math:`\nabla f_\mu(x) = A x + b + \sum_j c_j
e^{-\mu^2\|w_j\|^2/2}\cos(w_j^\top x)\, w_j` (:math:`\mathbb{E}\sin(w^\top(x + \mu\xi)) =
e^{-\mu^2\|w\|^2/2}\sin(w^\top x)`), and for the rate a separable double well
:math:`\sum_i x_i^2/2 + \tfrac12\cos(2 x_i)`.  See :mod:`equilibria.solvers.online.zeroth`.

Where each statement comes from: Tang, Rybin & Chang (2024), arXiv 2303.03751, sec. 2
(alignment of the rank estimator, its reduction to the comparison estimator) and sec. 3
(convergence); the body text could not be read here, so the statements are registered in the
form the brief and the abstract give, with the standard-theory source of each: the
comparison estimator and its alignment, Cai, McKenzie, Yin & Zhang (2022), "A one-bit,
comparison-based gradient estimator", ACHA 60, Lemma 1 / Thm 1; the non-convex rate,
Ghadimi & Lan (2013), SIAM J. Optim. 23, Thm 3.2 and Nesterov & Spokoiny (2017), Thm 8
(the O(1/sqrt T) stationarity of zeroth-order descent with step c/sqrt T).
"""

from __future__ import annotations

import warnings

import numpy as np

from equilibria._lib.result import ConvergenceWarning
from equilibria._lib.rng import as_generator
from equilibria._lib.validation import as_float_array, check_int, check_scalar
from equilibria.verification import RateData, theorem

from . import zeroth as Z

__all__ = ["TestFunction", "sample_alignment", "evaluate_alignment", "sample_pairwise",
           "evaluate_pairwise", "rate_experiment", "comparison_estimate", "cosines",
           "ALIGNMENT", "PAIRWISE", "RATE", "RATE_T", "RATE_T_QUICK", "PAIRWISE_TOL"]

_PAPER = ("Tang, Rybin & Chang (2024), Zeroth-Order Optimization Meets Human Feedback: "
          "Provable Learning via Ranking Oracles, ICLR (arXiv 2303.03751)")
#: horizons of the rate fit
RATE_T = np.array([64, 128, 256, 512, 1024, 2048])
RATE_T_QUICK = np.array([64, 128, 256, 512])
#: tolerance of the draw-for-draw m = 2 agreement (rounding only)
PAIRWISE_TOL = 1e-12


def _rng(rng) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"`rng` must be a numpy Generator, got {type(rng).__name__}")
    return rng


class TestFunction:
    r"""A smooth test function with a closed-form Gaussian smoothing.

    :math:`f(x) = \tfrac12 x^\top A x + b^\top x + \sum_j c_j\sin(w_j^\top x)`, with
    :math:`\nabla f_\mu(x) = Ax + b + \sum_j c_j e^{-\mu^2\|w_j\|^2/2}\cos(w_j^\top x) w_j`.

    Parameters
    ----------
    A : array_like (d, d)
        Symmetric matrix (indefinite allowed).
    b : array_like (d,)
        Linear term.
    c : array_like (J,)
        Amplitudes of the sines.
    W : array_like (J, d)
        Frequencies of the sines (rows).
    """

    __test__ = False  # not a pytest class

    def __init__(self, A, b, c, W):
        self.A = as_float_array(A, "A", ndim=2, min_size=1)
        d = self.A.shape[0]
        if self.A.shape != (d, d):
            raise ValueError(f"`A` must be square, got shape {self.A.shape}")
        self.A = 0.5 * (self.A + self.A.T)
        self.b = as_float_array(b, "b", shape=(d,))
        self.c = as_float_array(c, "c", ndim=1)
        self.W = as_float_array(W, "W", ndim=2)
        if self.W.shape != (self.c.shape[0], d):
            raise ValueError(f"`W` must have one row of length {d} per entry of `c` "
                             f"({self.c.shape[0]}), got `W` of shape {self.W.shape}")

    def __call__(self, x) -> float:
        """The value :math:`f(x)` at a 1-D array ``x``."""
        x = np.asarray(x, dtype=float)
        return float(0.5 * x @ self.A @ x + self.b @ x + self.c @ np.sin(self.W @ x))

    def grad_mu(self, x, mu: float = 0.0) -> np.ndarray:
        """The gradient of the Gaussian smoothing :math:`f_\\mu` (``mu = 0``: of :math:`f`)."""
        x = as_float_array(x, "x", shape=(self.A.shape[0],))
        mu = check_scalar(mu, "mu", lo=0.0)
        damp = np.exp(-0.5 * mu * mu * np.sum(self.W ** 2, axis=1))
        return self.A @ x + self.b + self.W.T @ (self.c * damp * np.cos(self.W @ x))

    def smoothness(self) -> float:
        """An upper bound :math:`L` on the Lipschitz constant of :math:`\\nabla f`."""
        return float(np.linalg.norm(self.A, 2)
                     + np.sum(np.abs(self.c) * np.sum(self.W ** 2, axis=1)))


def _function(inst) -> TestFunction:
    return TestFunction(inst["A"], inst["b"], inst["c"], inst["W"])


def _check_mu(mu: float, x: np.ndarray) -> None:
    """Perturbations must resolve in floating point: ``mu >= 1e-8 (1 + ||x||_inf)``."""
    if mu < 1e-8 * (1.0 + float(np.max(np.abs(x)))):
        raise ValueError(f"outside the theorem: `mu` = {mu:.3g} is below 1e-8 (1 + ||x||_inf); "
                         "the perturbed points would tie in floating point")


def sample_alignment(rng, d=None):
    """A random test function (``d`` in [1, 30], default 2..20; indefinite ``A`` with
    eigenvalues in [-2, 2]; 3 sines), a point, ``m`` in 2..10, ``k`` in 1..m, a radius
    ``mu`` with ``mu L sqrt(d) <= 0.05 ||grad f_mu(x)||`` and value noise ``sigma`` in
    ``{0, 10^U(-2, 0) mu ||grad f_mu||}``."""
    rng = _rng(rng)
    d = int(rng.integers(2, 21)) if d is None else check_int(d, "d", lo=1, hi=30)
    Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    A = (Q * rng.uniform(-2.0, 2.0, d)) @ Q.T
    J = 3
    fn = TestFunction(A, rng.normal(size=d), rng.normal(size=J) * 0.5,
                      rng.normal(size=(J, d)))
    x = rng.normal(size=d)
    L = fn.smoothness()
    gn = float(np.linalg.norm(fn.grad_mu(x)))
    mu = 0.05 * gn / (L * np.sqrt(d)) * 10.0 ** rng.uniform(-2.0, 0.0)
    gmu = float(np.linalg.norm(fn.grad_mu(x, mu)))
    while mu * L * np.sqrt(d) > 0.05 * gmu:  # smoothing damps the sines: shrink mu
        mu *= 0.5
        gmu = float(np.linalg.norm(fn.grad_mu(x, mu)))
    noise = 0.0 if rng.random() < 0.5 else float(10.0 ** rng.uniform(-2.0, 0.0) * mu * gmu)
    m = int(rng.integers(2, 11))
    return {"A": fn.A, "b": fn.b, "c": fn.c, "W": fn.W, "x": x, "mu": float(mu),
            "m": m, "k": int(rng.integers(1, m + 1)), "noise": noise,
            "seed": int(rng.integers(0, 2**31)), "n_draws": 100}


def cosines(fn, x, *, m: int, mu: float, k=None, noise: float = 0.0, n_draws: int = 200,
            seed=None, algorithm=None):
    r"""Draws of the rank estimator at a point and their cosines with the smoothed gradient.

    Parameters
    ----------
    fn : TestFunction
        The objective (its :meth:`TestFunction.grad_mu` is the reference direction).
    x : array_like (d,)
        The point.
    m, mu, k : int, float, int or None
        Estimator settings (see :func:`~equilibria.solvers.online.zeroth.rank_gradient_estimate`).
    noise : float
        Oracle value-noise standard deviation.
    n_draws : int
        Independent estimates.
    seed : None, int, SeedSequence or Generator
        Randomness (one stream for the directions, one for the oracle).
    algorithm : callable, optional
        ``algorithm(oracle, x, m=, mu=, k=, seed=) -> ndarray (d,)`` replacing
        :func:`~equilibria.solvers.online.zeroth.rank_gradient_estimate`.

    Returns
    -------
    G : ndarray (n_draws, d)
        The estimates.
    cos : ndarray (n_draws,)
        :math:`\cos(\tilde g_i, \nabla f_\mu(x))` per draw.
    cos_mean : float
        Cosine between the Monte-Carlo mean :math:`\bar g` and :math:`\nabla f_\mu(x)`.
    """
    x = as_float_array(x, "x", shape=(fn.A.shape[0],))
    n_draws = check_int(n_draws, "n_draws", lo=1, hi=100_000)
    rng = as_generator(seed)
    oracle = Z.ranking_oracle(fn, noise=noise, seed=rng.spawn(1)[0])
    est = algorithm or Z.rank_gradient_estimate
    G = np.array([np.asarray(est(oracle, x, m=m, mu=mu, k=k, seed=rng), dtype=float)
                  for _ in range(n_draws)])
    if G.shape != (n_draws, x.shape[0]) or not np.all(np.isfinite(G)):
        raise ValueError(f"`algorithm` must return finite vectors of shape ({x.shape[0]},)")
    gm = fn.grad_mu(x, mu)
    gm_n = float(np.linalg.norm(gm))
    norms = np.maximum(np.linalg.norm(G, axis=1), 1e-300)
    cos = (G @ gm) / (norms * gm_n)
    mean = G.mean(axis=0)
    cos_mean = float(mean @ gm / (max(float(np.linalg.norm(mean)), 1e-300) * gm_n))
    return G, cos, cos_mean


@theorem(
    name="online.zo_rank_alignment",
    source=_PAPER + ", sec. 2 (the rank estimator is a descent direction of the smoothed "
           "function; body text not readable here); standard theory for m = 2: Cai, "
           "McKenzie, Yin & Zhang (2022), ACHA 60, Thm 1 (one-bit comparison estimator)",
    assumptions=("f = x^T A x / 2 + b^T x + sum_j c_j sin(w_j^T x), A symmetric indefinite, "
                 "eigenvalues in [-2, 2], 3 sines (non-convex, L-smooth)",
                 "mu L sqrt(d) <= 0.05 ||grad f_mu(x)|| (the smoothing scale below the "
                 "gradient's)", "m in 2..10, top-k ranking k in 1..m, d in 2..20",
                 "Gaussian value noise sigma = 0 or 10^U(-2, 0) mu ||grad f_mu|| (checked: "
                 "sigma <= 100 mu ||grad f_mu||, mu >= 1e-8 (1 + ||x||_inf))",
                 "100 estimates per instance (Monte-Carlo mean)"),
    tightness="Nearly attained when the oracle noise swamps the ranking: with sigma = 100 mu "
              "||grad f_mu|| the mean cosine drops to ~0.01 and measured 1 - E[cos] reaches "
              "0.99 of the bound 1 (tests/online/test_zeroth.py::"
              "test_alignment_nearly_tight_under_heavy_noise, ratio >= 0.9)",
    protocol="algorithm(oracle, x, m=, mu=, k=, seed=) -> estimate (d,) (an ascent direction)",
    sample=sample_alignment, sizes={"d": (1, 20)}, n_instances=(8, 60), examples=10)
def evaluate_alignment(inst, *, algorithm=None):
    """The rank-based estimator is positively aligned with the gradient of the smoothed
    function in expectation: E[cos(g, grad f_mu(x))] > 0 over the draws of the m Gaussian
    directions (and of the oracle noise), for every m >= 2 and top-k ranking.

    Measured: 1 - (mean over 100 draws of the per-draw cosine); bound 1 (positive
    alignment); trivial 2 (an estimator pointing downhill).  The draws' cosine distribution
    is what ``examples/gallery/plot_zo_ranksgd.py`` plots against m."""
    fn = _function(inst)
    x = as_float_array(inst["x"], "x", shape=(fn.A.shape[0],))
    mu = check_scalar(inst["mu"], "mu", lo=0.0, lo_inclusive=False)
    m = check_int(inst["m"], "m", lo=2, hi=1000)
    k = check_int(inst["k"], "k", lo=1, hi=m)
    noise = check_scalar(inst["noise"], "noise", lo=0.0)
    n = check_int(inst.get("n_draws", 100), "n_draws", lo=10, hi=100_000)
    gm = float(np.linalg.norm(fn.grad_mu(x, mu)))
    _check_mu(mu, x)
    if gm == 0.0 or mu * fn.smoothness() * np.sqrt(x.shape[0]) > 0.05 * gm * (1 + 1e-9):
        raise ValueError(f"outside the theorem: need `mu` L sqrt(d) <= 0.05 ||grad f_mu(x)||, "
                         f"got `mu` = {mu:.3g}, ||grad f_mu|| = {gm:.3g}")
    if noise > 100.0 * mu * gm:
        raise ValueError(f"outside the theorem: need `noise` <= 100 mu ||grad f_mu|| = "
                         f"{100.0 * mu * gm:.3g}, got {noise:.3g}")
    _, cos, _ = cosines(fn, x, m=m, mu=mu, k=k, noise=noise, n_draws=n,
                        seed=int(inst["seed"]), algorithm=algorithm)
    return 1.0 - float(cos.mean()), 1.0, 2.0


ALIGNMENT = evaluate_alignment.theorem


# ------------------------------------------------------------------------------ m = 2
def comparison_estimate(f, x, *, mu: float, seed=None) -> np.ndarray:
    r"""The comparison-oracle estimator, written independently of the ranking code.

    Draws :math:`\xi_1, \xi_2 \sim N(0, I_d)` (one ``(2, d)`` draw, the same stream as
    :func:`~equilibria.solvers.online.zeroth.rank_gradient_estimate`) and returns
    :math:`\operatorname{sign}(f(x + \mu\xi_1) - f(x + \mu\xi_2))(\xi_1 - \xi_2)`
    (Cai et al. 2022, eq. (4); 0 on a tie).

    Parameters
    ----------
    f : callable
        ``f(y) -> float``.
    x : array_like (d,)
        The point.
    mu : float
        Smoothing radius.
    seed : None, int, SeedSequence or Generator
        Randomness of the directions.

    Returns
    -------
    ndarray (d,)
        The estimate.
    """
    x = as_float_array(x, "x", ndim=1, min_size=1)
    mu = check_scalar(mu, "mu", lo=0.0, lo_inclusive=False)
    xi = as_generator(seed).standard_normal((2, x.shape[0]))
    v1, v2 = float(f(x + mu * xi[0])), float(f(x + mu * xi[1]))
    if not (np.isfinite(v1) and np.isfinite(v2)):
        raise ValueError(f"`f` is not finite at x + mu xi; check `x` (max |x| = "
                         f"{np.max(np.abs(x)):.3g}) and `mu` = {mu:g}")
    return np.sign(v1 - v2) * (xi[0] - xi[1])


def sample_pairwise(rng, d=None):
    """A test function as in :func:`sample_alignment` (noiseless), a point, ``mu`` in
    ``10^U(-3, 0)`` and 50 draws (a seed)."""
    inst = sample_alignment(rng, d)
    inst["mu"] = float(10.0 ** _rng(rng).uniform(-3.0, 0.0))
    inst["n_draws"] = 50
    return {key: inst[key] for key in ("A", "b", "c", "W", "x", "mu", "seed", "n_draws")}


@theorem(
    name="online.zo_rank_pairwise",
    source=_PAPER + ", sec. 2 (with m = 2 the rank estimator is the comparison estimator); "
           "Cai, McKenzie, Yin & Zhang (2022), ACHA 60, eq. (4)",
    assumptions=("any f (the test functions of online.zo_rank_alignment), noiseless oracle",
                 "m = k = 2, mu in 10^U(-3, 0)", "50 draws compared draw for draw (the same "
                 "random stream)"),
    tightness="An exact agreement check: measured is the largest distance between the m = 2 "
              "rank estimate and sign(f(x + mu xi_1) - f(x + mu xi_2))(xi_1 - xi_2) on the same "
              "draws, bound 1e-12 (rounding); no slack to be tight about "
              "(tests/online/test_zeroth.py::test_pairwise_check_fails_with_wrong_normalisation "
              "shows the check can fail)",
    protocol="algorithm(oracle, x, m=, mu=, k=, seed=) -> estimate (d,)",
    sample=sample_pairwise, sizes={"d": (1, 20)}, n_instances=(10, 100), examples=10)
def evaluate_pairwise(inst, *, algorithm=None):
    """With m = 2 perturbations the rank-based estimator (1/|E|) sum over revealed pairs
    (xi_worse - xi_better), |E| = 1, equals the comparison-oracle estimator
    sign(f(x + mu xi_1) - f(x + mu xi_2)) (xi_1 - xi_2) draw for draw.

    Measured: max over draws of ||g_rank - g_comparison|| / (1 + ||g_comparison||);
    bound 1e-12; trivial 1 (a factor-2 normalisation error shows as ~0.5-1)."""
    fn = _function(inst)
    x = as_float_array(inst["x"], "x", shape=(fn.A.shape[0],))
    mu = check_scalar(inst["mu"], "mu", lo=0.0, lo_inclusive=False)
    n = check_int(inst.get("n_draws", 50), "n_draws", lo=1, hi=100_000)
    _check_mu(mu, x)
    est = algorithm or Z.rank_gradient_estimate
    oracle = Z.ranking_oracle(fn)
    seed = int(inst["seed"])
    r1, r2 = np.random.default_rng(seed), np.random.default_rng(seed)
    worst = 0.0
    for _ in range(n):
        g = np.asarray(est(oracle, x, m=2, mu=mu, k=2, seed=r1), dtype=float)
        ref = comparison_estimate(fn, x, mu=mu, seed=r2)
        if g.shape != ref.shape or not np.all(np.isfinite(g)):
            return np.inf, PAIRWISE_TOL, 1.0
        worst = max(worst, float(np.linalg.norm(g - ref)) / (1.0 + float(np.linalg.norm(ref))))
    return worst, PAIRWISE_TOL, 1.0


PAIRWISE = evaluate_pairwise.theorem


# ------------------------------------------------------------------------------ rate
def _double_well(x) -> float:
    x = np.asarray(x, dtype=float)
    return float(np.sum(0.5 * x * x + 0.5 * np.cos(2.0 * x)))


def _double_well_grad(x) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    return x - np.sin(2.0 * x)


@theorem(
    name="online.zo_rank_rate",
    source=_PAPER + ", sec. 3 (ZO-RankSGD converges to a stationary point; the theorem's "
           "constants were not readable here); registered in the standard form of "
           "zeroth-order / comparison-based non-convex descent: Ghadimi & Lan (2013), SIAM J. "
           "Optim. 23, Thm 3.2; Cai, McKenzie, Yin & Zhang (2022), ACHA 60, Thm 3",
    assumptions=("f = sum_i x_i^2/2 + cos(2 x_i)/2 on R^4 (non-convex, L = 3, bounded "
                 "below), starts U(-3, 3)^4", "ZO-RankSGD without line search, m = 5, "
                 "mu = 1e-4, step lr = 1/sqrt(T), noiseless oracle",
                 "T in 64..2048 (quick 64..512), 8 runs (quick 4)"),
    kind="rate", band=(-0.65, -0.35),
    protocol="algorithm(f, x0, m=, mu=, lr=, line_search=False, max_iter=T, grad=, seed=, "
             "tol=0) -> result with .history (gradient norms per iterate)")
def rate_experiment(rng, quick, *, algorithm=None):
    """ZO-RankSGD with step size 1/sqrt(T) on a smooth non-convex function reaches
    approximate stationarity at the rate (1/T) sum_{t<T} ||grad f(x_t)|| = O(T^{-1/2}): the
    fitted log-log slope of the average gradient norm against the horizon T lies in
    [-0.65, -0.35]."""
    Ts = RATE_T_QUICK if quick else RATE_T
    runs = 4 if quick else 8
    solver = algorithm or Z.zo_ranksgd
    vals = np.empty((runs, Ts.shape[0]))
    for r in range(runs):
        x0 = rng.uniform(-3.0, 3.0, 4)
        seed = int(rng.integers(0, 2**31))
        for j, T in enumerate(Ts):
            with warnings.catch_warnings():  # a fixed horizon: MAX_ITER is the design
                warnings.simplefilter("ignore", ConvergenceWarning)
                res = solver(_double_well, x0, m=5, mu=1e-4, lr=1.0 / np.sqrt(T),
                             line_search=False, max_iter=int(T), grad=_double_well_grad,
                             seed=seed, tol=0.0)
            h = np.asarray(res.history, dtype=float)
            vals[r, j] = max(float(np.mean(h[:int(T)])), 1e-300)
    return RateData(Ts, vals, kind="power",
                    detail="mean ||grad f|| " + ", ".join(f"{v:.3g}" for v in vals.mean(0)))


RATE = rate_experiment.theorem
