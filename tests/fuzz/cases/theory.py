"""Fuzz baselines of ``equilibria.theory``: closed forms, divergences, stability certificates,
the LCP and the symbolic fields.

Instances are tiny (K = 3 actions, 2x2 or 3x3 matrices, a 2-state MDP).  The symbolic fields
whose methods are fuzzed are built once (numba compiles a field per object); ``glv_field`` is
checked through sympy substitution, never by compiling the field it returns.
"""

import functools
import itertools
import math

import numpy as np
import sympy as sp

from equilibria import theory as T
from tests.fuzz.harness import Case, assert_distribution


def _f(x):
    return np.asarray(x, dtype=float)


# ------------------------------------------------------------------------------- instances
def _policy():
    return {"pi_ref": np.array([0.2, 0.3, 0.5]), "r": np.array([1.0, 0.5, -0.3])}


def _memoryless():
    return {"p": np.array([0.2, 0.3, 0.5]), "r_token": np.array([1.0, 0.5, -0.3])}


def _mdp():
    P = np.array([[[0.9, 0.1], [0.2, 0.8]], [[0.5, 0.5], [0.3, 0.7]]])
    return P


def _glv():
    A = np.array([[-1.0, 0.3], [-0.2, -1.0]])
    r = np.array([1.0, 0.8])
    return A, r


def _lcp():
    M = np.array([[2.0, 1.0, 0.0], [0.5, 3.0, 0.2], [0.0, 0.4, 1.5]])
    q = np.array([-1.0, 0.5, -2.0])
    return {"M": M, "q": q}


# ------------------------------------------------------------------------------- invariants
def _tilted_ok(res, kw):
    assert_distribution(res.policy)
    assert res.kl >= 0, f"negative KL {res.kl}"
    if 0 < res.beta < math.inf:
        scale = max(1.0, abs(res.value), abs(res.expected_reward))
        gap = abs(res.value - (res.expected_reward - res.beta * res.kl))
        assert gap <= 1e-8 * scale, f"value {res.value} != E r - beta KL (off by {gap:.3g})"


def _limits_ok(res):
    """The KL-constrained optimum's only non-finite fields are its documented limits:
    ``beta=0`` with ``log_partition=nan`` (slack budget, argmax limit) and ``beta=inf`` with
    ``kl=0`` (zero budget, ``pi_ref`` itself)."""
    assert_distribution(res.policy)
    for f in ("kl", "expected_reward", "value"):
        assert math.isfinite(getattr(res, f)), f"non-finite {f}"
    if res.beta == math.inf:
        assert res.kl == 0 and res.log_partition == 0, "beta=inf is only the zero-budget limit"
    else:
        assert math.isfinite(res.beta) and res.beta >= 0, f"beta {res.beta}"
    if math.isnan(res.log_partition):
        assert res.beta == 0, "log_partition is nan only in the argmax limit"
    elif res.beta != math.inf:
        assert math.isfinite(res.log_partition) or res.beta > 0, "non-finite log_partition"
    if res.beta == 0 or res.beta == math.inf:
        assert res.value == res.expected_reward, "the value of a limit is its expected reward"


def _constrained_ok(res, kw):
    _limits_ok(res)
    if 0 < res.beta < math.inf:
        _tilted_ok(res, kw)
    budget = float(kw["budget"]) / float(kw.get("length", 1))
    assert res.kl <= budget * (1 + 1e-6) + 1e-9, f"KL {res.kl} exceeds the budget {budget}"


def _frontier_ok(res, kw):
    kl, rew, betas = res
    assert np.all(np.diff(kl) >= 0), "KL not ascending"
    assert np.all(kl >= 0), "negative KL"
    assert np.all(betas > 0), "non-positive temperature"
    scale = max(1.0, float(np.abs(rew).max()))
    assert np.all(np.diff(rew) >= -1e-9 * scale), "reward decreases along the frontier"


def _bon_ok(res, kw):
    assert_distribution(res.policy)
    n = int(kw["n"])
    assert 0 <= res.kl <= math.log(n) - (n - 1) / n + 1e-9, f"KL {res.kl} above the bound"


def _dist_pair_ok(res, kw):
    vals, prob = res
    assert_distribution(prob)
    assert np.all(np.diff(vals) > 0), "values not strictly ascending"


def _mbon_ok(res, kw):
    kl, er = res
    n = int(kw["n"])
    assert 0 <= kl <= math.log(n) - (n - 1) / n + 1e-9, f"KL {kl} above the bound"


def _mkl_ok(res, kw):
    _limits_ok(res)
    budget = float(kw["budget"]) / int(kw["length"])
    assert res.kl <= budget * (1 + 1e-6) + 1e-9, f"KL {res.kl} exceeds the budget {budget}"


def _bounded_ratio_ok(res, kw):
    assert_distribution(res)
    p = _f(kw["pi0"])
    p = p / p.sum()
    eps = kw.get("eps")
    c_low, c_high = (1 - float(eps), 1 + float(eps)) if eps is not None else \
        (float(kw["c_low"]), float(kw["c_high"]))
    assert np.all(res >= c_low * p - 1e-12) and np.all(res <= c_high * p + 1e-12), \
        "ratio bounds violated"


def _occupancy_ok(res, kw):
    assert np.all(res >= 0), "negative occupancy"
    np.testing.assert_allclose(res.sum(), 1.0, rtol=0, atol=1e-9)


def _rows_ok(res, kw):
    assert_distribution(res, axis=1)


def _proxy_ok(res, kw):
    d_true, bound, r = res
    assert -1 - 1e-12 <= r <= 1 + 1e-12, f"correlation {r} out of [-1, 1]"
    scale = max(1.0, abs(d_true), abs(bound))
    assert d_true >= bound - 1e-9 * scale, f"bound {bound} exceeds the true change {d_true}"


def _nonneg(res, kw):
    assert res >= 0, f"negative value {res}"


def _positive(res, kw):
    assert res > 0, f"non-positive value {res}"


def _entropy_ok(res, kw):
    p = _f(kw["p"])
    assert res >= -1e-12 * max(1.0, float(p.sum())) or np.any(p > 1), f"negative entropy {res}"


def _kl_ok(res, kw):
    p, q = _f(kw["p"]), _f(kw["q"])
    m = p > 0
    if np.any(q[m] == 0):
        assert res == math.inf, "KL finite although p is not q-absolutely continuous"
    else:
        assert math.isfinite(res) and res >= 0, f"KL {res}"


def _chi2_ok(res, kw):
    p, q = _f(kw["p"]), _f(kw["q"])
    if np.any(p[q == 0] > 0):
        assert res == math.inf, "chi2 finite although p is not q-absolutely continuous"
    else:
        assert math.isfinite(res) and res >= 0, f"chi2 {res}"


def _sym_margin_ok(res, kw):
    J = _f(kw["J"])
    assert np.max(np.linalg.eigvals(J).real) <= -res + 1e-9 * max(1.0, abs(res)), \
        "max Re lambda(J) exceeds the logarithmic norm"


def _contraction_ok(res, kw):
    J = _f(kw["J"])
    assert np.max(np.linalg.eigvals(J).real) <= -res + 1e-9 * max(1.0, abs(res)), \
        "max Re lambda(J) exceeds the weighted logarithmic norm"


def _abscissa_ok(res, kw):
    J = _f(kw["J"])
    np.testing.assert_allclose(res, np.max(np.linalg.eigvals(J).real), rtol=1e-9, atol=1e-12)


def _local_ok(res, kw):
    tol = float(kw.get("tol", 1e-9))
    if res.verdict == "stable":
        assert res.max_re < -tol
    elif res.verdict == "unstable":
        assert res.max_re > tol
    np.testing.assert_allclose(res.max_re, np.max(res.eigenvalues.real), rtol=0, atol=0)


def _diag_ok(res, kw):
    if res.D is None:
        return
    A = _f(kw["A"])
    d = np.diag(res.D)
    assert np.all(d > 0), "D not positive"
    assert np.linalg.eigvalsh(res.D @ A + A.T @ res.D)[-1] < 0, "D A + A^T D not negative definite"


def _p_matrix_ok(res, kw):
    M = _f(kw["M"])
    n = M.shape[0]
    M = M / max(float(np.abs(M).max()), 1e-300)  # signs of minors are scale-free
    minors = [np.linalg.det(M[np.ix_(s, s)]) for k in range(1, n + 1)
              for s in map(list, itertools.combinations(range(n), k))]
    if res:
        assert all(m > -1e-12 for m in minors), "a non-positive principal minor"
    else:
        assert any(m <= 1e-12 for m in minors), "every principal minor is positive"


def _m_matrix_ok(res, kw):
    if res:
        M = _f(kw["M"])
        inv = np.linalg.inv(M)
        assert np.all(inv >= -1e-9 * np.abs(inv).max()), "M-matrix with a negative inverse entry"


def _lcp_pair_ok(M, q, z, tol=1e-8):
    w = M @ z + q
    scale = max(float(np.abs(q).max(initial=0.0)), float((np.abs(M) @ np.abs(z)).max(initial=0.0)),
                1e-300)
    assert np.all(z >= 0), "z < 0"
    assert w.min(initial=0.0) >= -tol * scale, f"w < 0 (min {w.min():.3g})"
    zs = max(float(np.abs(z).max(initial=0.0)), 1e-300)
    assert abs((z / zs) @ (w / scale)) <= tol * max(1.0, float(np.abs(z / zs).sum())), \
        "complementarity fails"


def _lcp_ok(res, kw):
    M, q = _f(kw["M"]), _f(kw["q"])
    _lcp_pair_ok(M, q, res.z)
    np.testing.assert_allclose(res.w, M @ res.z + q, rtol=1e-9, atol=1e-9 * max(
        1.0, float(np.abs(q).max(initial=0.0))))


def _lcp_enum_ok(res, kw):
    M, q = _f(kw["M"]), _f(kw["q"])
    tol = float(kw.get("tol", 1e-9))
    scale = max(1.0, float(np.abs(q).max(initial=0.0)))
    for z in res:
        w = M @ z + q
        assert np.all(z >= 0) and np.all(w >= -10 * tol * scale * max(1.0, np.abs(M).max()
                                                                   * np.abs(z).max())), \
            "an enumerated solution is infeasible"


def _saturated_ok(res, kw):
    A, r = _f(kw["A"]), _f(kw["r"])
    _lcp_pair_ok(-A, -r, res.z)


# ------------------------------------------------------------------------------- symbolic
_X = sp.symbols("x0:2")
_R = sp.symbols("r0:2")
_EXPRS = (_X[0] * (_R[0] - _X[0] - sp.Rational(1, 2) * _X[1]),
          _X[1] * (_R[1] - _X[1] - sp.Rational(1, 2) * _X[0]))


def _field_numeric(x, p):
    x, p = _f(x), _f(p)
    return np.array([x[0] * (p[0] - x[0] - 0.5 * x[1]), x[1] * (p[1] - x[1] - 0.5 * x[0])])


def _jac_numeric(x, p):
    x, p = _f(x), _f(p)
    return np.array([[p[0] - 2 * x[0] - 0.5 * x[1], -0.5 * x[0]],
                     [-0.5 * x[1], p[1] - 2 * x[1] - 0.5 * x[0]]])


@functools.cache
def _field():
    return T.SymbolicField(_EXPRS, _X, _R)


def _sf_kwargs():
    return {"x": np.array([0.3, 0.7]), "p": np.array([1.0, 0.8])}


def _field_ok(res, kw):
    np.testing.assert_allclose(res, _field_numeric(kw["x"], kw["p"]), rtol=1e-12, atol=1e-12)


def _jac_ok(res, kw):
    np.testing.assert_allclose(res, _jac_numeric(kw["x"], kw["p"]), rtol=1e-12, atol=1e-12)


def _equilibria_ok(res, kw):
    if kw.get("p") is None:
        return  # raw sympy solutions
    p = _f(kw["p"])
    for v in res:
        # the field is homogeneous of degree 2 in (x, p): f(v/s; p/s) = f(v; p) / s^2
        s = max(1.0, float(np.abs(p).max()), float(np.abs(v).max()))
        assert np.abs(_field_numeric(v / s, p / s)).max() <= 1e-12, "not an equilibrium"
        if kw.get("nonneg", True):
            assert np.all(v >= -1e-12), "negative equilibrium returned with nonneg=True"


def _equilibria_same(a, b):
    return len(a) == len(b) and all(np.allclose(u, v, rtol=1e-9, atol=1e-12)
                                    for u, v in zip(sorted(a, key=tuple), sorted(b, key=tuple)))


def _glv_kwargs():
    A, r = _glv()
    return {"r": r, "A": A}


def _glv_ok(res, kw):
    assert isinstance(res, T.SymbolicField) and res.n == 2
    A, r = _f(kw["A"]), _f(kw["r"])
    x = np.array([0.3, 0.7])
    got = np.array([float(e.subs(dict(zip(res.states, x)))) for e in res.exprs])
    want = x * (r + A @ x) if kw.get("kind", "glv") == "glv" else x * (A @ x - x @ A @ x)
    # coefficients are snapped to nearby simple rationals (nsimplify): compare to 1e-6
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-9 * max(1.0, np.abs(want).max()))


def _glv_same(a, b):
    return a.exprs == b.exprs


# ------------------------------------------------------------------------------- cases
def _A3():
    return np.array([[-2.0, 0.5, 0.3], [0.4, -1.5, -0.2], [0.1, 0.6, -1.0]])


CASES = [
    # divergences
    Case("equilibria.theory.entropy", T.entropy, lambda: {"p": np.array([0.2, 0.3, 0.5])},
         check=_entropy_ok),
    Case("equilibria.theory.kl_divergence", T.kl_divergence,
         lambda: {"p": np.array([0.2, 0.3, 0.5]), "q": np.array([0.4, 0.4, 0.2])},
         check=_kl_ok, finite_output=False),
    Case("equilibria.theory.chi2_divergence", T.chi2_divergence,
         lambda: {"p": np.array([0.2, 0.3, 0.5]), "q": np.array([0.4, 0.4, 0.2])},
         check=_chi2_ok, finite_output=False),
    # KL-regularized / constrained, frontier
    Case("equilibria.theory.kl_regularized_policy", T.kl_regularized_policy,
         lambda: {**_policy(), "beta": 0.5}, check=_tilted_ok),
    # finite_output=False: the documented limits beta=0 / log_partition=nan and beta=inf; the
    # check admits exactly those and nothing else non-finite
    Case("equilibria.theory.kl_constrained_policy", T.kl_constrained_policy,
         lambda: {**_policy(), "budget": 0.1, "xtol": 1e-12}, check=_constrained_ok,
         finite_output=False),
    Case("equilibria.theory.reward_kl_frontier", T.reward_kl_frontier,
         lambda: {**_policy(), "betas": np.array([2.0, 1.0, 0.5, 0.1])}, check=_frontier_ok),
    # best-of-N
    Case("equilibria.theory.best_of_n", T.best_of_n,
         lambda: {**_policy(), "n": 4, "decimals": 12}, check=_bon_ok),
    Case("equilibria.theory.best_of_n_kl_bound", T.best_of_n_kl_bound, lambda: {"n": 4},
         check=_nonneg),
    Case("equilibria.theory.best_of_n_continuous_kl", T.best_of_n_continuous_kl,
         lambda: {"n": 4}, check=_nonneg),
    Case("equilibria.theory.reward_distribution", T.reward_distribution,
         lambda: {**_policy(), "decimals": 12}, check=_dist_pair_ok),
    # memoryless model
    Case("equilibria.theory.memoryless_reward_distribution", T.memoryless_reward_distribution,
         lambda: {**_memoryless(), "length": 3, "decimals": 9}, check=_dist_pair_ok),
    Case("equilibria.theory.memoryless_best_of_n", T.memoryless_best_of_n,
         lambda: {**_memoryless(), "length": 3, "n": 4}, check=_mbon_ok),
    Case("equilibria.theory.memoryless_kl_constrained", T.memoryless_kl_constrained,
         lambda: {**_memoryless(), "length": 3, "budget": 0.3}, check=_mkl_ok,
         finite_output=False),
    # reward-to-policy maps
    Case("equilibria.theory.softmax_policy", T.softmax_policy,
         lambda: {"r": np.array([1.0, 0.5, -0.3]), "tau": 0.5},
         check=lambda res, kw: assert_distribution(res)),
    Case("equilibria.theory.softmax_lipschitz", T.softmax_lipschitz, lambda: {"tau": 0.5},
         check=_positive),
    Case("equilibria.theory.bounded_ratio_policy", T.bounded_ratio_policy,
         lambda: {"pi0": np.array([0.2, 0.3, 0.5]), "q": np.array([1.0, -0.5, 0.2]),
                  "eps": 0.2}, check=_bounded_ratio_ok),
    Case("equilibria.theory.bounded_ratio_policy", T.bounded_ratio_policy,
         lambda: {"pi0": np.array([0.2, 0.3, 0.5]), "q": np.array([1.0, -0.5, 0.2]),
                  "c_low": 0.7, "c_high": 1.4}, check=_bounded_ratio_ok),
    # tabular MDPs
    Case("equilibria.theory.occupancy_measure", T.occupancy_measure,
         lambda: {"P": _mdp(), "policy": np.array([[0.4, 0.6], [0.7, 0.3]]),
                  "rho0": np.array([0.5, 0.5]), "gamma": 0.9}, check=_occupancy_ok),
    Case("equilibria.theory.soft_value_iteration", T.soft_value_iteration,
         lambda: {"P": _mdp(), "r": np.array([[1.0, 0.0], [0.2, 0.5]]),
                  "pi_ref": np.array([[0.5, 0.5], [0.3, 0.7]]), "gamma": 0.8, "beta": 0.5,
                  "tol": 1e-10, "max_iter": 2000}, check=_rows_ok),
    Case("equilibria.theory.correlated_proxy_bound", T.correlated_proxy_bound,
         lambda: {"mu": np.array([[0.1, 0.2], [0.3, 0.4]]), "mu_ref": np.full((2, 2), 0.25),
                  "r_true": np.array([[1.0, 0.0], [0.5, 0.2]]),
                  "r_proxy": np.array([[0.9, 0.1], [0.6, 0.0]]), "r": 0.5}, check=_proxy_ok),
    # stability margins and certificates
    Case("equilibria.theory.symmetric_margin", T.symmetric_margin, lambda: {"J": _A3()},
         check=_sym_margin_ok),
    Case("equilibria.theory.spectral_abscissa", T.spectral_abscissa, lambda: {"J": _A3()},
         check=_abscissa_ok),
    Case("equilibria.theory.contraction_rate", T.contraction_rate,
         lambda: {"J": _A3(), "D": np.diag([1.0, 2.0, 0.5])}, check=_contraction_ok),
    Case("equilibria.theory.local_stability", T.local_stability,
         lambda: {"J": _A3(), "tol": 1e-9}, check=_local_ok),
    Case("equilibria.theory.diagonal_stability", T.diagonal_stability,
         lambda: {"A": _A3(), "tol": 1e-7, "solver": "CLARABEL"}, check=_diag_ok, timeout=30),
    Case("equilibria.theory.is_p_matrix", T.is_p_matrix,
         lambda: {"M": -_A3(), "max_n": 20}, check=_p_matrix_ok),
    Case("equilibria.theory.is_m_matrix", T.is_m_matrix,
         lambda: {"M": np.array([[2.0, -0.5, 0.0], [-0.3, 1.5, -0.2], [0.0, -0.6, 1.0]]),
                  "tol": 1e-12}, check=_m_matrix_ok),
    Case("equilibria.theory.solve_lcp", T.solve_lcp,
         lambda: {**_lcp(), "max_iter": 100, "tol": 1e-10}, check=_lcp_ok),
    Case("equilibria.theory.lcp_enumerate", T.lcp_enumerate,
         lambda: {**_lcp(), "tol": 1e-9, "max_n": 14}, check=_lcp_enum_ok),
    Case("equilibria.theory.saturated_equilibrium", T.saturated_equilibrium,
         lambda: {"A": _glv()[0], "r": _glv()[1]}, check=_saturated_ok),
    # symbolic fields
    Case("equilibria.theory.SymbolicField", T.SymbolicField,
         lambda: {"exprs": _EXPRS, "states": _X, "params": _R},
         check=lambda res, kw: None, same=lambda a, b: a == b),
    Case("equilibria.theory.SymbolicField.field", lambda **kw: _field().field(**kw), _sf_kwargs,
         check=_field_ok),
    Case("equilibria.theory.SymbolicField.jacobian_at", lambda **kw: _field().jacobian_at(**kw),
         _sf_kwargs, check=_jac_ok),
    Case("equilibria.theory.SymbolicField.param_vector",
         lambda **kw: _field().param_vector(**kw), lambda: {"p": np.array([1.0, 0.8])},
         check=lambda res, kw: np.testing.assert_array_equal(res, _f(kw["p"]))),
    Case("equilibria.theory.SymbolicField.equilibria", lambda **kw: _field().equilibria(**kw),
         lambda: {"p": np.array([1.0, 0.8])}, check=_equilibria_ok, same=_equilibria_same),
    Case("equilibria.theory.glv_field", T.glv_field, _glv_kwargs, check=_glv_ok,
         same=_glv_same),
    Case("equilibria.theory.glv_field", T.glv_field,
         lambda: {**_glv_kwargs(), "kind": "holling", "M": np.array([[0.0, 0.2], [0.1, 0.0]]),
                  "q": np.array([0.5, 1.0])},
         check=lambda res, kw: None, same=_glv_same),
]

EXEMPT = {
    "equilibria.theory.BestOfN": "result record built by best_of_n, not an input API",
    "equilibria.theory.KLRegularized": "result record built by kl_regularized_policy and "
                                       "kl_constrained_policy, not an input API",
    "equilibria.theory.DiagonalStability": "result record built by diagonal_stability",
    "equilibria.theory.LCPResult": "result record built by solve_lcp / saturated_equilibrium",
    "equilibria.theory.LocalStability": "result record built by local_stability",
}

# the Levine hat game's cases live in their own module
from tests.fuzz.cases.theory_levine import CASES as _LEVINE_CASES  # noqa: E402
from tests.fuzz.cases.theory_levine import EXEMPT as _LEVINE_EXEMPT  # noqa: E402

CASES += _LEVINE_CASES
EXEMPT.update(_LEVINE_EXEMPT)
