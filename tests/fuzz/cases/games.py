"""Fuzz baselines of ``equilibria.solvers.games``.

Solver cases check their certificates: a successful Halpern / extragradient run has its residual
below ``tol`` (recomputed from the operator), Mirror Prox returns strategies in the simplices
whose certified gap equals the duality gap of the averages, Nash-MP returns a policy whose
regularized exploitability is the reported gap; helpers return distributions.
"""

import importlib

import numpy as np

from equilibria.solvers import games as G
from equilibria.solvers.games import theorems as T
from equilibria.verification import duality_gap, regularized_exploitability
from tests.fuzz.harness import Case, assert_distribution

P = "equilibria.solvers.games."
MP = importlib.import_module(P + "mirror_prox")  # the module (the package exports the function)
NA = importlib.import_module(P + "nash")


def _psd(d=3, seed=0):
    rng = np.random.default_rng(seed)
    B = rng.normal(size=(d, d))
    M = B @ B.T / d + 0.1 * np.eye(d)
    return M, -M @ rng.normal(size=d)


def _components(n=4, d=3, seed=0):
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(n, d, 1)) / np.sqrt(d)
    M = np.einsum("nir,njr->nij", A, A) + 0.05 * np.eye(d)[None]
    q = -np.einsum("nij,j->ni", M, rng.normal(size=d))
    return M, q


def _fs():
    return G.linear_finite_sum(*_components())


def _matrix(n=3, m=4, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, size=(n, m))


def _preference(K=3, seed=0):
    rng = np.random.default_rng(seed)
    S = np.triu(rng.uniform(-0.5, 0.5, size=(K, K)), 1)
    return 0.5 + S - S.T


# --------------------------------------------------------------------------- invariants

def _halpern_ok(res, kw):
    if not res.success:
        return
    M, q = _psd()
    tol = float(kw["tol"])
    r = float(np.linalg.norm(M @ res.x + q))
    assert r <= tol * (1 + 1e-9) + 1e-12, f"residual {r} above tol {tol}"
    assert abs(res.residual - r) <= 1e-8 * (1 + r), "reported residual is not ||F(x)||"


def _vr_ok(res, kw):
    if not res.success:
        return
    M, q = _components()
    r = float(np.linalg.norm(M.mean(0) @ res.x + q.mean(0)))
    assert r <= float(kw["tol"]) * (1 + 1e-9), f"residual {r} above tol"


def _eg_ok(res, kw):
    if not res.success:
        return
    M, q = _psd()
    r = float(np.linalg.norm(M @ res.x + q))
    assert r <= float(kw["tol"]) * (1 + 1e-9), f"residual {r} above tol"


def _game_ok(res, kw):
    assert_distribution(res.x)
    assert_distribution(res.y)
    assert_distribution(res.x_avg)
    assert_distribution(res.y_avg)
    A = np.asarray(kw["A"], dtype=float)
    if A.ndim == 3:
        A = A.mean(axis=0)
    gap = duality_gap(A, res.x_avg, res.y_avg)
    assert res.gap >= -1e-12, "negative gap"
    scale = 1.0 + float(np.abs(A).max())
    assert abs(res.gap - gap) <= 1e-8 * scale, f"certified gap {res.gap} != duality gap {gap}"
    if kw.get("tol") is not None:
        assert res.gap <= float(kw["tol"]) + 1e-12, "success with a gap above tol"


def _nash_ok(res, kw):
    assert_distribution(res.pi)
    Pm = np.asarray(kw["P"], dtype=float)
    g = regularized_exploitability(Pm, res.pi, float(kw["beta"]), np.full(Pm.shape[0],
                                                                         1 / Pm.shape[0]))
    assert abs(g - res.gap) <= 1e-9 * (1 + abs(g)), "reported gap is not the exploitability"
    assert res.gap <= float(kw["tol"]), "success with exploitability above tol"


def _reg_nash_ok(res, kw):
    assert_distribution(res)
    Pm = np.asarray(kw["P"], dtype=float)
    ref = np.full(Pm.shape[0], 1 / Pm.shape[0])
    g = regularized_exploitability(Pm, res, float(kw["beta"]), ref)
    assert g <= 1e-8, f"regularized exploitability {g}"


def _simplex_ok(res, kw):
    assert_distribution(res)
    v = np.asarray(kw["v"], dtype=float)
    # optimality of the projection: res = max(v - theta, 0) for one theta
    pos = res > 0
    theta = v[pos] - res[pos]
    assert np.ptp(theta) <= 1e-9 * (1 + np.abs(v).max()), "not a Euclidean projection"
    assert np.all(v[~pos] <= theta.mean() + 1e-9 * (1 + np.abs(v).max())), \
        "not a Euclidean projection"


def _kl_ok(res, kw):
    assert res >= -1e-12, "negative KL divergence"


def _fs_ok(res, kw):
    assert isinstance(res, G.FiniteSum)
    assert res.L > 0 and np.isfinite(res.L)
    x = np.ones(res.dim)
    v = np.asarray(res.full(x), dtype=float)
    M = np.asarray(kw["M"], dtype=float)
    q = np.zeros(M.shape[:2]) if kw.get("q") is None else np.asarray(kw["q"], dtype=float)
    np.testing.assert_allclose(v, M.mean(0) @ x + q.mean(0), rtol=1e-12, atol=1e-12)


def _full_ok(res, kw):
    M, q = _components()
    x = np.asarray(kw["x"], dtype=float)
    np.testing.assert_allclose(res, M.mean(0) @ x + q.mean(0), rtol=1e-9, atol=1e-12)


def _pair_ok(res, kw):
    """(measured, bound) or (measured, bound, trivial maximum): finite, trivial >= 0."""
    measured, bound = res[0], res[1]
    assert np.isfinite(measured) and np.isfinite(bound), "non-finite theorem value"
    if len(res) > 2:
        assert not np.isnan(res[2]) and res[2] >= 0, f"trivial maximum {res[2]}"


def _sample_game_ok(res, kw):
    A = res["A"]
    assert A.ndim == 2 and np.all(np.isfinite(A)) and res["T"] >= 1


def _sample_pref_ok(res, kw):
    Pm = res["P"]
    np.testing.assert_allclose(Pm + Pm.T, 1.0, atol=1e-12)
    assert_distribution(res["ref"])
    assert_distribution(res["pi0"])
    assert res["beta"] > 0


def _sample_coco_ok(res, kw):
    M = res["M"]
    assert np.all(np.linalg.eigvalsh(M) >= -1e-9 * (1 + np.abs(M).max())), "M not PSD"


def _sample_ne_ok(res, kw):
    assert res["x0"].shape == (res["d"],) and 1 <= res["rank"] < res["d"]


# --------------------------------------------------------------------------- cases

def _fs_full(x):
    return _fs().full(x)


CASES = [
    Case(P + "FiniteSum", G.FiniteSum,
         lambda: {"batch": _fs().batch, "n": 4, "dim": 3, "L": 1.5}),
    Case(P + "FiniteSum.full", _fs_full, lambda: {"x": np.array([0.5, -1.0, 2.0])},
         check=_full_ok),
    Case(P + "linear_finite_sum", G.linear_finite_sum,
         lambda: dict(zip(("M", "q"), _components())), check=_fs_ok),
    Case(P + "halpern", G.halpern,
         lambda: {"x0": np.array([1.0, -2.0, 0.5]), "F": (lambda x, _m=_psd(): _m[0] @ x
                                                          + _m[1]),
                  "L": float(np.linalg.eigvalsh(_psd()[0])[-1]), "tol": 1e-4,
                  "max_iter": 20_000}, check=_halpern_ok,
         fuzz=("x0", "L", "tol", "max_iter")),
    Case(P + "vr_halpern", G.vr_halpern,
         lambda: {"problem": _fs(), "x0": np.zeros(3), "variant": "cocoercive", "tol": 1e-3,
                  "max_oracle_calls": 200_000, "seed": 0}, check=_vr_ok),
    Case(P + "extragradient", G.extragradient,
         lambda: {"F": (lambda x, _m=_psd(): _m[0] @ x + _m[1]), "x0": np.array([1.0, 0.0, -1.0]),
                  "L": float(np.linalg.norm(_psd()[0], 2)), "tol": 1e-4, "max_iter": 20_000,
                  "seed": 0}, check=_eg_ok, fuzz=("x0", "L", "tol", "max_iter", "seed")),
    Case(P + "mirror_prox", G.mirror_prox,
         lambda: {"A": _matrix(), "mirror": "entropy", "max_iter": 200, "tol": 1e-2,
                  "x0": np.full(3, 1 / 3), "y0": np.full(4, 0.25)}, check=_game_ok),
    Case(P + "mirror_prox.project_simplex", MP.project_simplex,
         lambda: {"v": np.array([0.3, -0.2, 1.4, 0.1])}, check=_simplex_ok),
    Case(P + "nash.kl", NA.kl,
         lambda: {"p": np.array([0.2, 0.3, 0.5]), "q": np.array([0.4, 0.4, 0.2])},
         check=_kl_ok),
    Case(P + "nash_mirror_prox", G.nash_mirror_prox,
         lambda: {"P": _preference(), "beta": 0.5, "method": "closed_form", "oracle": "exact",
                  "max_iter": 500, "tol": 1e-8, "seed": 0}, check=_nash_ok),
    Case(P + "regularized_nash", G.regularized_nash,
         lambda: {"P": _preference(), "beta": 0.5, "tol": 1e-13}, check=_reg_nash_ok),
    Case(P + "theorems.sample_cocoercive", T.sample_cocoercive,
         lambda: {"rng": np.random.default_rng(0), "d": 4, "n_iter": 30},
         check=_sample_coco_ok),
    Case(P + "theorems.eval_cocoercive", T.eval_cocoercive,
         lambda: {"inst": T.sample_cocoercive(np.random.default_rng(0), d=4, n_iter=30)},
         check=_pair_ok),
    Case(P + "theorems.sample_matrix_game", T.sample_matrix_game,
         lambda: {"rng": np.random.default_rng(0), "n": 3, "m": 4, "T": 20},
         check=_sample_game_ok),
    Case(P + "theorems.eval_mirror_prox", T.eval_mirror_prox,
         lambda: {"inst": T.sample_matrix_game(np.random.default_rng(0), n=3, m=4, T=20)},
         check=_pair_ok),
    Case(P + "theorems.sample_nonexpansive", T.sample_nonexpansive,
         lambda: {"rng": np.random.default_rng(0), "d": 4, "kind": "rotation", "n_iter": 30},
         check=_sample_ne_ok),
    Case(P + "theorems.eval_nonexpansive", T.eval_nonexpansive,
         lambda: {"inst": T.sample_nonexpansive(np.random.default_rng(0), d=4, kind="rotation",
                                                n_iter=30)}, check=_pair_ok),
    Case(P + "theorems.sample_preference_game", T.sample_preference_game,
         lambda: {"rng": np.random.default_rng(0), "K": 3, "beta": 0.5},
         check=_sample_pref_ok),
    Case(P + "theorems.eval_nash_mp", T.eval_nash_mp,
         lambda: {"inst": T.sample_preference_game(np.random.default_rng(0), K=3, beta=0.5)},
         check=_pair_ok),
]

EXEMPT = {
    P + "GameResult": "result record built by mirror_prox, not an input API",
    P + "HalpernResult": "result record built by halpern / vr_halpern, not an input API",
    P + "NashResult": "result record built by nash_mirror_prox, not an input API",
    P + "OperatorResult": "result record built by extragradient, not an input API",
    P + "MonotonicityWarning": "warning class emitted by the monotonicity spot checks",
}

# the Cournot market's cases live in their own module
from tests.fuzz.cases.games_cournot import CASES as _COURNOT_CASES  # noqa: E402
from tests.fuzz.cases.games_cournot import EXEMPT as _COURNOT_EXEMPT  # noqa: E402

CASES += _COURNOT_CASES
EXEMPT.update(_COURNOT_EXEMPT)

# the Levine hat game's theorem cases live in their own module
from tests.fuzz.cases.games_levine import CASES as _LEVINE_CASES  # noqa: E402
from tests.fuzz.cases.games_levine import EXEMPT as _LEVINE_EXEMPT  # noqa: E402

CASES += _LEVINE_CASES
EXEMPT.update(_LEVINE_EXEMPT)

# solve_zero_sum's cases live in their own module
from tests.fuzz.cases.games_zero_sum import CASES as _ZS_CASES  # noqa: E402
from tests.fuzz.cases.games_zero_sum import EXEMPT as _ZS_EXEMPT  # noqa: E402

CASES += _ZS_CASES
EXEMPT.update(_ZS_EXEMPT)

# the risk-averse equilibrium's cases live in their own module
from tests.fuzz.cases.games_risk_averse import CASES as _RAE_CASES  # noqa: E402
from tests.fuzz.cases.games_risk_averse import EXEMPT as _RAE_EXEMPT  # noqa: E402

CASES += _RAE_CASES
EXEMPT.update(_RAE_EXEMPT)
