"""Theorems of the games room, checked by ``equilibria verify`` and the property tests.

- ``games.halpern_nonexpansive``: Lieder (2021), Thm 2.1.
- ``games.halpern_cocoercive``: Diakonikolas (2020), Sec. 2 (via Lieder's bound).
- ``games.vr_halpern_oracle_n``, ``games.vr_halpern_oracle_eps``, ``games.halpern_oracle_n``:
  Cai, Alacaoglu & Diakonikolas (2024), cocoercive case (oracle complexity, fitted slopes).
- ``games.mirror_prox_entropy``: Nemirovski (2004), Thm 3.2 with the entropy setup.
- ``games.nash_mp_contraction``: Tiapkin et al. (2025, arXiv:2505.19731v1, the Mirror Prox
  version), Nash-MP linear rate.

Each theorem is declared by ``@theorem`` on its ``eval_*`` (or experiment) function, whose
docstring's first paragraph is the statement; ``sizes`` are the sampler's size keywords that
property tests let hypothesis choose.
"""

from __future__ import annotations

import warnings

import numpy as np

from equilibria._lib.result import ConvergenceWarning
from equilibria._lib.validation import check_int, check_option, check_scalar
from equilibria.verification import RateData, duality_gap, theorem

from ._problems import FiniteSum, random_cocoercive_finite_sum, random_preference_matrix
from .halpern import halpern, vr_halpern
from .mirror_prox import mirror_prox
from .nash import nash_mirror_prox, regularized_nash

__all__ = ["sample_nonexpansive", "eval_nonexpansive", "sample_cocoercive", "eval_cocoercive",
           "sample_matrix_game", "eval_mirror_prox", "sample_preference_game",
           "eval_nash_mp"]

_CAI = ("Cai, Alacaoglu & Diakonikolas (2024), ICLR, oracle complexity of the cocoercive "
        "variant")


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fn(*args, **kwargs)


#: largest dimension of the sampled d x d (or K x K) matrices
MAX_DIM = 2000
#: largest number of entries of a sampled matrix game
MAX_GAME_ENTRIES = 10**7
#: largest horizon / iteration count of an instance (the evaluations run that many steps)
MAX_STEPS = 10**6
_KINDS = ("rotation", "projection", "box", "reflection", "worst")


def _size(v, name, lo, hi=MAX_DIM):
    return check_int(v, name, lo=lo, hi=hi)


def _random_orthogonal(rng, d):
    Q, R = np.linalg.qr(rng.normal(size=(d, d)))
    return Q * np.sign(np.diag(R))


# -- Halpern, nonexpansive maps --------------------------------------------------------------

def sample_nonexpansive(rng, d=None, kind=None, n_iter=None):
    """A nonexpansive map with a known fixed point nearest to ``x0``.

    kinds: ``"rotation"`` (``T x = c + s Q (x - c)``, Q orthogonal, 0 < s <= 1), ``"projection"``
    (onto a random affine subspace; fixed set = the subspace), ``"box"`` (projection onto a
    box), ``"reflection"`` (``2 P_C - I`` for a random affine subspace ``C``), ``"worst"``
    (the worst case at the last iterate, :func:`worst_case_nonexpansive`: a rotation by
    ``pi / (n_iter + 1)`` in a random plane through ``c``, with ``x0 - c`` in that plane).
    """
    d = int(rng.integers(2, 12)) if d is None else _size(d, "d", 2)
    kind = _KINDS[int(rng.integers(0, 5))] if kind is None else check_option(kind, "kind", _KINDS)
    n_iter = int(rng.integers(20, 300)) if n_iter is None else _size(n_iter, "n_iter", 1,
                                                                      MAX_STEPS)
    x0 = rng.normal(size=d) * float(rng.uniform(0.5, 5.0))
    c = rng.normal(size=d)
    inst = {"kind": kind, "d": d, "x0": x0, "c": c, "n_iter": n_iter,
            "Q": _random_orthogonal(rng, d), "s": float(rng.uniform(0.5, 1.0)),
            "rank": int(rng.integers(1, d)), "width": float(rng.uniform(0.1, 2.0))}
    if kind == "worst":
        inst = worst_case_nonexpansive(n_iter, d=d, rng=rng, scale=float(np.linalg.norm(x0)),
                                       c=c)
    return inst


def worst_case_nonexpansive(n_iter, *, d=2, rng=None, scale=1.0, c=None):
    """The instance on which Lieder's bound holds with equality at ``k = n_iter``.

    Halpern with ``lambda_k = 1/(k+2)`` unrolls to ``x_k = (1/(k+1)) sum_{j<=k} T^j x_0`` for
    linear ``T`` (fixed point 0), so ``x_k - T x_k = (x_0 - T^{k+1} x_0) / (k+1)``; a rotation
    ``R`` by ``pi/(N+1)`` in a plane containing ``x_0 - c`` has ``R^{N+1} (x_0 - c) = -(x_0 -
    c)``, hence ``||x_N - T x_N|| = 2 ||x_0 - x*|| / (N+1)``: ratio exactly 1 at ``k = N``
    (Lieder 2021 shows the bound is tight; this rotation is one attaining family, derived
    here).  Returns an instance of kind ``"rotation"`` with ``s = 1``.
    """
    rng = np.random.default_rng(0) if rng is None else rng
    n_iter = _size(n_iter, "n_iter", 1, MAX_STEPS)
    d = _size(d, "d", 2)
    c = np.zeros(d) if c is None else np.asarray(c, dtype=float)
    U = _random_orthogonal(rng, d)
    th = np.pi / (n_iter + 1)
    G = np.eye(d)
    G[:2, :2] = [[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]]
    Q = U @ G @ U.T
    x0 = c + scale * U[:, 0]
    return {"kind": "rotation", "d": d, "x0": x0, "c": c, "n_iter": n_iter, "Q": Q, "s": 1.0,
            "rank": 1, "width": 1.0}


def _nonexpansive_map(inst):
    kind, c = inst["kind"], inst["c"]
    if kind == "rotation":
        Q, s = inst["Q"], inst["s"]
        return (lambda x: c + s * (Q @ (x - c))), (lambda x0: c)
    if kind == "box":
        lo, hi = c - inst["width"], c + inst["width"]
        return (lambda x: np.clip(x, lo, hi)), (lambda x0: np.clip(x0, lo, hi))
    U = inst["Q"][:, :inst["rank"]]

    def proj(x):
        return c + U @ (U.T @ (x - c))
    if kind == "projection":
        return proj, proj
    return (lambda x: 2.0 * proj(x) - x), proj  # reflection: fixed set = the subspace


@theorem(
    name="games.halpern_nonexpansive",
    tightness="Lieder's worst case: a rotation by pi/(N+1) in a plane through x* containing x_0 - "
              "x* (worst_case_nonexpansive) attains the bound at the last iterate k = N >= 1 "
              "(tests/games/test_i13_checks.py::"
              "test_halpern_worst_case_rotation_attains_lieder_bound, ratio >= 0.999)",
    source="Lieder (2021), Optim. Lett. 15, Thm 2.1; Halpern (1967)",
    assumptions=("T nonexpansive on R^d (scaled rotations, projections onto affine subspaces "
                 "and boxes, reflections)", "x* = the fixed point nearest to x_0"),
    sample=sample_nonexpansive, sizes={"d": (2, 10), "n_iter": (1, 200)},
    n_instances=(12, 200), rtol=1e-9, atol=1e-12,
    protocol="algorithm(T, x0, n_iter) -> array (n_iter + 1, d) of the iterates x_0..x_n_iter "
             "for the nonexpansive map T (a callable R^d -> R^d)",
)
def eval_nonexpansive(inst, algorithm=None):
    """For nonexpansive T with a fixed point x*, Halpern's iteration with lambda_k = 1/(k+2)
    satisfies ||x_k - T x_k|| <= 2 ||x_0 - x*|| / (k+1) for all k >= 0 (measured: max over
    k >= 1 of (k+1) ||x_k - T x_k||; bound: 2 ||x_0 - x*||).

    ``k = 0`` is left out: there the bound is the triangle inequality (``||x_0 - T x_0|| <= 2
    ||x_0 - x*||``, attained by every reflection), which says nothing about the iteration.
    Trivial maximum: ``||x_k - x*|| <= ||x_0 - x*||`` for Halpern, so ``(k+1) ||x_k - T x_k||
    <= 2 (K+1) ||x_0 - x*||`` at the last iterate ``K``.

    Protocol (``algorithm``): ``algorithm(T, x0, n_iter) -> iterates`` of shape ``(n_iter + 1,
    d)``, rows ``x_0, ..., x_{n_iter}`` (``None``: :func:`~.halpern.halpern`)."""
    T, nearest = _nonexpansive_map(inst)
    x0 = inst["x0"]
    dist = float(np.linalg.norm(x0 - nearest(x0)))
    if algorithm is None:
        res = _quiet(halpern, x0, T=T, tol=1e-300, max_iter=inst["n_iter"], check_monotone=False)
        hist = res.residual_history
    else:
        xs = np.asarray(algorithm(T, x0.copy(), inst["n_iter"]), dtype=float)
        hist = np.array([np.linalg.norm(x - T(x)) for x in xs])
    k = np.arange(hist.size)
    measured = float(np.max(hist[1:] * (k[1:] + 1))) if dist > 0 and hist.size > 1 else 0.0
    return measured, 2.0 * dist, 2.0 * dist * max(hist.size, 1)


HALPERN_NONEXPANSIVE = eval_nonexpansive.theorem


# -- Halpern, cocoercive operators -----------------------------------------------------------

def sample_cocoercive(rng, d=None, n_iter=None):
    """``F(x) = M x + q`` with ``M`` PSD (random rank), ``q`` in the range: 1/L-cocoercive with
    ``L = lambda_max(M)``."""
    d = int(rng.integers(2, 12)) if d is None else _size(d, "d", 1)
    n_iter = int(rng.integers(20, 300)) if n_iter is None else _size(n_iter, "n_iter", 1,
                                                                      MAX_STEPS)
    r = int(rng.integers(1, d + 1))
    B = rng.normal(size=(d, r)) * np.exp(rng.uniform(-1, 1, size=r))
    M = B @ B.T
    q = -M @ rng.normal(size=d)
    return {"M": M, "q": q, "x0": rng.normal(size=d) * 3.0, "n_iter": n_iter}


@theorem(
    name="games.halpern_cocoercive",
    tightness="x_0 - x* along the top eigenvector of M (T = I - (2/L) F has eigenvalue -1 there) "
              "attains the bound at every even k >= 2 (tests/games/test_i13_checks.py::"
              "test_halpern_cocoercive_tight_on_top_eigenvector, ratio >= 0.999)",
    source="Diakonikolas (2020), COLT, Sec. 2; Lieder (2021), Thm 2.1 applied to I - (2/L)F",
    assumptions=("F(x) = M x + q, M symmetric PSD of random rank, q in range(M)",
                 "L = lambda_max(M)", "x* = zero of F nearest to x_0"),
    sample=sample_cocoercive, sizes={"d": (2, 10), "n_iter": (1, 200)}, n_instances=(12, 200),
    rtol=1e-9, atol=1e-12,
    protocol="algorithm(F, L, x0, n_iter) -> array (n_iter + 1, d) of the iterates for the "
             "1/L-cocoercive operator F (a callable R^d -> R^d)",
)
def eval_cocoercive(inst, algorithm=None):
    """For 1/L-cocoercive F, x_{k+1} = x_0/(k+2) + (k+1)/(k+2) (x_k - (2/L) F(x_k)) satisfies
    ||F(x_k)|| <= L ||x_0 - x*|| / (k+1).

    ``max_{k >= 1} ||F(x_k)|| (k+1)`` against ``L ||x0 - x*||`` (Diakonikolas 2020, Sec. 2);
    ``k = 0`` is the Lipschitz bound, left out.  Trivial maximum ``(K+1) L ||x0 - x*||``
    (``||F(x_k)|| <= L ||x_k - x*|| <= L ||x_0 - x*||``).  Tight: ``x_0 - x*`` along the top
    eigenvector of ``M`` gives equality at every even ``k`` (``T = I - (2/L) F`` has eigenvalue
    -1 there; see :func:`worst_case_nonexpansive`).

    Protocol (``algorithm``): ``algorithm(F, L, x0, n_iter) -> iterates`` of shape
    ``(n_iter + 1, d)`` (``None``: :func:`~.halpern.halpern` with ``F``, ``L``)."""
    M, q, x0 = inst["M"], inst["q"], inst["x0"]
    L = float(np.linalg.eigvalsh(M)[-1])
    x_star = x0 - np.linalg.pinv(M) @ (M @ x0 + q)  # nearest zero to x0
    dist = float(np.linalg.norm(x0 - x_star))
    F = lambda x: M @ x + q  # noqa: E731
    if algorithm is None:
        res = _quiet(halpern, x0, F=F, L=L, tol=1e-300, max_iter=inst["n_iter"],
                     check_monotone=False)
        hist = res.residual_history
    else:
        xs = np.asarray(algorithm(F, L, x0.copy(), inst["n_iter"]), dtype=float)
        hist = np.array([np.linalg.norm(F(x)) for x in xs])
    k = np.arange(hist.size)
    measured = float(np.max(hist[1:] * (k[1:] + 1))) if hist.size > 1 else 0.0
    return measured, L * dist, L * dist * max(hist.size, 1)


HALPERN_COCOERCIVE = eval_cocoercive.theorem


# -- variance-reduced Halpern: oracle complexity ---------------------------------------------

ORACLE_PROTOCOL = ("algorithm(problem, x0, tol, seed) -> x: the user's method on the finite-sum "
                   "operator `problem` (a FiniteSum: batch(x, idx) is the mean of the components "
                   "idx, batch(x, None) the full operator, L its constant); component calls "
                   "are counted through `problem.batch` (len(idx), or n for a full pass) and the "
                   "returned x must meet ||F(x)|| <= tol; e.g. "
                   "lambda p, x0, tol, seed: vr_halpern(p, x0, tol=tol, seed=seed).x")


class _Counted:
    """A finite sum's ``batch`` that counts component calls (``len(idx)``, ``n`` for a full
    pass) for a user's method."""

    def __init__(self, fs):
        self.fs, self.calls = fs, 0

    def __call__(self, x, idx):
        self.calls += self.fs.n if idx is None else len(idx)
        return self.fs.batch(x, idx)


def _calls_to_eps(n, K, seed, method, algorithm=None):
    """Component calls of ``method`` (or of a user's ``algorithm``, :data:`ORACLE_PROTOCOL`) to
    reach ||F|| <= L ||x0 - x*|| / K on a random cocoercive finite sum with n components."""
    fs, xs = random_cocoercive_finite_sum(n, 6, seed, heterogeneity=1.0)
    x0 = np.zeros(fs.dim)
    eps = fs.L * float(np.linalg.norm(x0 - xs)) / K
    if algorithm is not None:
        counter = _Counted(fs)
        x = np.asarray(algorithm(FiniteSum(counter, fs.n, fs.dim, fs.L), x0.copy(), eps, seed),
                       dtype=float)
        res_norm = float(np.linalg.norm(fs.full(x))) if x.shape == (fs.dim,) else np.inf
        if not res_norm <= eps:
            raise ValueError(f"`algorithm` returned x with ||F(x)|| = {res_norm:.3g} > tol = "
                             f"{eps:.3g} (n = {n}, L D / eps = {K})")
        return float(counter.calls)
    if method == "vr":
        res = _quiet(vr_halpern, fs, x0, tol=eps, seed=seed, check_monotone=False)
    else:
        res = _quiet(halpern, x0, F=fs, L=fs.L, tol=eps, max_iter=50 * K,
                     check_monotone=False)
    return float(res.oracle_calls)


def _oracle_n_experiment(method):
    def experiment(rng, quick, *, algorithm=None):
        sizes = np.array([64, 256, 1024, 4096]) if quick else np.array([64, 128, 256, 512,
                                                                       1024, 2048, 4096])
        reps = 3 if quick else 8
        K = 400
        seeds = rng.integers(0, 2**31, size=reps)
        vals = np.array([[_calls_to_eps(int(n), K, int(s), method, algorithm) for n in sizes]
                         for s in seeds])
        return RateData(sizes, vals, kind="power",
                        detail=f"{method if algorithm is None else 'algorithm'}: calls to "
                               f"||F|| <= L||x0-x*||/{K}")
    return experiment


@theorem(
    name="games.vr_halpern_oracle_eps",
    source=_CAI,
    assumptions=("same instances as games.vr_halpern_oracle_n",),
    kind="rate", band=(0.8, 1.2), protocol=ORACLE_PROTOCOL,
)
def _oracle_eps_experiment(rng, quick, *, algorithm=None):
    """At fixed n = 256, VR-Halpern's component calls to reach eps grow like (L D / eps)^1 once
    sqrt(n) L D / eps dominates n (slope band [0.8, 1.2]).

    ``algorithm``: a user's method through :data:`ORACLE_PROTOCOL` (its calls are counted).
    """
    Ks = np.array([100, 400, 1600, 6400]) if quick else np.array([100, 200, 400, 800, 1600,
                                                                 3200, 6400])
    reps = 3 if quick else 8
    seeds = rng.integers(0, 2**31, size=reps)
    vals = np.array([[_calls_to_eps(256, int(K), int(s), "vr", algorithm) for K in Ks]
                     for s in seeds])
    return RateData(Ks, vals, kind="power", detail="vr, n=256: calls vs K = L||x0-x*||/eps")


@theorem(
    source=_CAI,
    assumptions=("F = (1/n) sum M_i x + q_i, M_i = a_i a_i^T (average-cocoercive, "
                 "L = max ||M_i||)", "batch sqrt(n), full-pass probability 1/sqrt(n)"),
    kind="rate", band=(0.3, 0.7), protocol=ORACLE_PROTOCOL,
)
def vr_halpern_oracle_n(rng, quick, *, algorithm=None):
    """Cocoercive VR-Halpern reaches ||F(x)|| <= eps with O(n + sqrt(n) L D / eps) component
    calls: at fixed L D/eps = 400 the calls grow like n^0.5 (slope band [0.3, 0.7]).

    ``algorithm``: a user's method through :data:`ORACLE_PROTOCOL` (its calls are counted).
    """
    return _oracle_n_experiment("vr")(rng, quick, algorithm=algorithm)


@theorem(
    source="Diakonikolas (2020), Sec. 2 (full-batch Halpern, n calls per iteration)",
    assumptions=("same instances as games.vr_halpern_oracle_n",),
    kind="rate", band=(0.85, 1.15), protocol=ORACLE_PROTOCOL,
)
def halpern_oracle_n(rng, quick, *, algorithm=None):
    """Full-batch Halpern needs O(n L D / eps) component calls: at fixed L D/eps the calls grow
    like n^1 (slope band [0.85, 1.15]).

    ``algorithm``: a user's method through :data:`ORACLE_PROTOCOL` (its calls are counted).
    """
    return _oracle_n_experiment("halpern")(rng, quick, algorithm=algorithm)


VR_ORACLE_N = vr_halpern_oracle_n.theorem
HALPERN_ORACLE_N = halpern_oracle_n.theorem
VR_ORACLE_EPS = _oracle_eps_experiment.theorem


# -- Mirror Prox on matrix games -------------------------------------------------------------

def sample_matrix_game(rng, n=None, m=None, T=None):
    """A random matrix game (Gaussian, uniform or +-1 entries, random scale) and a horizon."""
    n = int(rng.integers(2, 30)) if n is None else _size(n, "n", 1, MAX_GAME_ENTRIES)
    m = int(rng.integers(2, 30)) if m is None else _size(m, "m", 1, MAX_GAME_ENTRIES)
    if n * m > MAX_GAME_ENTRIES:
        raise ValueError(f"`n` * `m` = {n * m} entries exceed {MAX_GAME_ENTRIES} (n={n}, "
                         f"m={m})")
    T = int(rng.integers(5, 300)) if T is None else _size(T, "T", 1, MAX_STEPS)
    kind = int(rng.integers(0, 3))
    scale = float(np.exp(rng.uniform(-2, 2)))
    if kind == 0:
        A = rng.normal(size=(n, m))
    elif kind == 1:
        A = rng.uniform(-1, 1, size=(n, m))
    else:
        A = rng.choice([-1.0, 1.0], size=(n, m))
    return {"A": scale * A, "T": T}


@theorem(
    name="games.mirror_prox_entropy",
    tightness="The needle game (needle_game: an n x 2 game whose one good row is hidden among n = "
              "50) keeps the gap a constant fraction of the bound for every T "
              "(tests/games/test_i13_checks.py::test_mirror_prox_needle_game_ratio, ratio >= 0.6)",
    source="Nemirovski (2004), SIAM J. Optim. 15, Thm 3.2; Juditsky & Nemirovski (2011) "
           "(entropy setup)",
    assumptions=("A arbitrary real n x m (Gaussian, uniform, +-1; random scale)",),
    sample=sample_matrix_game, sizes={"n": (2, 25), "m": (2, 25), "T": (1, 300)},
    n_instances=(20, 300), rtol=1e-9, atol=1e-12,
    protocol="algorithm(A, T) -> (x, y), the averaged mixed strategies after T iterations on "
             "the n x m game A (x in Delta_n, y in Delta_m)",
)
def eval_mirror_prox(inst, algorithm=None):
    """Mirror Prox with the entropy mirror map on Delta_n x Delta_m, uniform start and step
    1/max|A_ij|: duality gap of the averaged extrapolation points after T iterations <=
    max|A_ij| (ln n + ln m) / T.

    Duality gap of the averaged iterates after T iterations against
    ``max|A| (ln n + ln m) / T``.  Near-tight family (:func:`needle_game`): an ``n x 2`` game
    whose only good row is hidden among ``n`` (ratio 0.64 at ``n = 50`` for every ``T``,
    growing with ``n``); trivial maximum ``max A - min A`` (the gap of any pair of
    mixed strategies).

    Protocol (``algorithm``): ``algorithm(A, T) -> (x, y)``, the averaged strategies after T
    iterations (``None``: :func:`~.mirror_prox.mirror_prox` with the entropy setup)."""
    A, T = inst["A"], inst["T"]
    if algorithm is None:
        res = mirror_prox(A, mirror="entropy", max_iter=T)
        x, y = res.x_avg, res.y_avg
    else:
        x, y = algorithm(A, T)
    gap = duality_gap(A, np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    n, m = A.shape
    return gap, mirror_prox_bound(A, T), float(np.ptp(A))


def needle_game(n, m=2):
    """``n x m`` game with ``A = 1`` except row 0, ``A[0] = -1``: the minimizing row player must
    find one row among ``n`` (Mirror Prox's gap stays a constant fraction of its bound)."""
    A = np.ones((_size(n, "n", 2, MAX_GAME_ENTRIES), _size(m, "m", 1, MAX_GAME_ENTRIES)))
    A[0] = -1.0
    return A


def mirror_prox_bound(A, T):
    """Nemirovski's bound ``max|A_ij| (ln n + ln m) / T`` for an ``n x m`` game after ``T``
    iterations (entropy setup, step ``1/max|A_ij|``)."""
    A = np.asarray(A, dtype=float)
    n, m = A.shape
    return float(np.abs(A).max()) * (np.log(n) + np.log(m)) / T


MIRROR_PROX = eval_mirror_prox.theorem


# -- Nash Mirror Prox ------------------------------------------------------------------------

def sample_preference_game(rng, K=None, beta=None):
    """A preference game: intransitive or Bradley-Terry ``P``, beta in [0.01, 2], random
    positive reference policy and start."""
    K = int(rng.integers(2, 20)) if K is None else _size(K, "K", 1)
    beta = float(np.exp(rng.uniform(np.log(0.01), np.log(2.0)))) if beta is None else \
        check_scalar(beta, "beta", lo=0, lo_inclusive=False)
    kind = "intransitive" if rng.random() < 0.7 else "bradley-terry"
    P = random_preference_matrix(K, rng, kind=kind)
    ref = rng.dirichlet(np.ones(K) * 2.0) + 1e-3
    ref /= ref.sum()
    pi0 = rng.dirichlet(np.ones(K)) + 1e-3
    pi0 /= pi0.sum()
    return {"P": P, "beta": beta, "ref": ref, "pi0": pi0, "n_iter": int(rng.integers(5, 40))}


@theorem(
    name="games.nash_mp_contraction",
    tightness="Nearly attained on drawn preference games with small beta (0.01 - 0.04: ratios 0.93 "
              "- 0.97 in 40 seeded draws; at beta >= 1.3 they are 0.2 - 0.3): the worst "
              "per-iteration KL contraction of 12 seeded games is within 10% of 1/(1 + 2 beta) "
              "(tests/games/test_i13_checks.py::test_nash_mp_contraction_nearly_attained, ratio >= "
              "0.9)",
    source="Tiapkin et al. (2025), arXiv:2505.19731v1 (Mirror Prox version), Nash-MP (rate "
           "(1+2beta)^{-N/2} from the v1 abstract; the theorem number and step size could not "
           "be retrieved; v2 (2026, 'Proximal Point Nash Learning from Human Feedback', Nash "
           "Prox) is not what this checks); per-iteration constant 1/(1+2beta) with eta = 2beta "
           "derived here (Nemirovski 2004)",
    assumptions=("P[i,j] in [0,1], P + P^T = 1 (intransitive or Bradley-Terry)",
                 "beta in [0.01, 2]", "pi_ref, pi_0 with positive entries"),
    sample=sample_preference_game, sizes={"K": (2, 15)}, n_instances=(12, 200),
    rtol=1e-6, atol=1e-9,
    protocol="algorithm(P, beta, pi_ref, pi0, n_iter) -> array (n_iter + 1, K) of the policies "
             "pi_0..pi_n_iter (rows on the simplex)",
)
def eval_nash_mp(inst, algorithm=None):
    """Exact Nash-MP with eta = 2 beta: KL(pi*_beta || pi_{k+1}) <= KL(pi*_beta || pi_k) / (1 +
    2 beta), i.e. (1+2beta)^{-N/2} after N = 2k preference queries; pi*_beta from an
    independent Newton-type root solve.

    ``max_k KL(pi*||pi_{k+1}) (1 + 2 beta) / KL(pi*||pi_k)`` against 1, over iterations with
    ``KL(pi*||pi_k) > 1e-10`` (below that, round-off dominates).  This is the Mirror Prox
    version of arXiv:2505.19731 (v1, 2025); the paper's v2 (COLT 2026, Nash Prox, a proximal
    point scheme around self-play policy gradient) is not checked here."""
    P, beta, ref = inst["P"], inst["beta"], inst["ref"]
    ps = regularized_nash(P, beta, pi_ref=ref)
    if algorithm is None:
        res = _quiet(nash_mirror_prox, P, beta, pi_ref=ref, pi0=inst["pi0"], pi_star=ps,
                     max_iter=inst["n_iter"], tol=1e-300)
        kls = res.kl_history
    else:
        pis = np.asarray(algorithm(P, beta, ref, inst["pi0"].copy(), inst["n_iter"]), dtype=float)
        kls = np.array([float(np.sum(ps * (np.log(ps) - np.log(np.maximum(p, 1e-300)))))
                        for p in pis])
    ok = kls[:-1] > 1e-10
    if not ok.any():
        return 0.0, 1.0
    return float(np.max(kls[1:][ok] * (1 + 2 * beta) / kls[:-1][ok])), 1.0


NASH_MP = eval_nash_mp.theorem




# the Cournot market's theorems (games.cournot_*) register on import
from . import cournot_theorems  # noqa: E402,F401

# the Levine hat game's theorems (games.levine_*) register on import
from . import levine_theorems  # noqa: E402,F401

# the risk-averse equilibrium's theorems (games.rae_*) register on import
from . import risk_averse_theorems  # noqa: E402,F401
