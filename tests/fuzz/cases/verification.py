"""Fuzz baselines of ``equilibria.verification``: certificates, rate fits, the theorem record
and the registry.

Nothing here changes the registry: ``register`` re-registers a theorem that is already there
(a no-op), the ``theorem`` decorator case removes what it registered, and ``verify`` runs one
fast registered theorem.
"""

import dataclasses

import numpy as np

from equilibria import verification as V
from equilibria._lib.validation import as_float_array
from equilibria.verification import ratios as _ratios
from equilibria.verification import registry as _registry
from equilibria.verification import reports as _reports
from tests.fuzz.harness import Case

#: a fast registered theorem (a few milliseconds in quick mode)
FAST = "ot.sparse_limits"

#: free-text string arguments: any string is valid, so "no-such-option" is not an unknown option
_TEXT = {"unknown_option"}


def _f(x):
    return np.asarray(x, dtype=float)


# ------------------------------------------------------------------------------- instances
def _game():
    return {"A": np.array([[0.0, 1.0, -0.5], [0.5, -1.0, 0.2]]), "x": np.array([0.4, 0.6]),
            "y": np.array([0.2, 0.3, 0.5])}


def _preference():
    P = np.array([[0.5, 0.7, 0.2], [0.3, 0.5, 0.6], [0.8, 0.4, 0.5]])
    return {"P": P, "pi": np.array([0.3, 0.3, 0.4])}


def _sample_unit(rng, n=3):
    return rng.uniform(0, 1, size=n)


def _evaluate_unit(instance):
    """sum of n numbers in [0, 1] is at most n (validates its instance like a room's evaluate)."""
    x = as_float_array(instance, "instance", ndim=1, nonneg=True)
    if np.any(x > 1):
        raise ValueError(f"`instance` must lie in [0, 1], found {x.max():.3g}")
    return float(x.sum()), float(x.size)


def _toy(**kw):
    args = {"name": "fuzz.toy", "source": "fuzz harness", "statement": "sum <= n",
            "sample": _sample_unit, "evaluate": _evaluate_unit, "n_instances": (3, 5)}
    args.update(kw)
    return V.Theorem(**args)


_TOY = _toy()
_RATE = V.Theorem("fuzz.rate", "fuzz harness", "y ~ T", kind="rate", band=(0.9, 1.1),
                  experiment=lambda rng, quick: V.RateData(np.logspace(1, 3, 5),
                                                           2 * np.logspace(1, 3, 5)))


def _rate_evidence():
    T = np.logspace(1, 3, 5)
    noise = np.exp(0.01 * np.sin(np.arange(5.0)))
    return V.RateData(T, 2 * T * noise)


def _theorem_kwargs():
    return {"name": "fuzz.toy", "source": "fuzz harness", "statement": "sum <= n",
            "sample": _sample_unit, "evaluate": _evaluate_unit, "rtol": 1e-9, "atol": 0.0,
            "examples": 5}


def _decorate(**kw):
    """theorem(...) applied to a fresh evaluate function, then unregistered."""
    def evaluate(instance):
        return _evaluate_unit(instance)

    fn = V.theorem(**kw)(evaluate)
    thm = fn.theorem
    _registry.REGISTRY.pop(thm.name, None)
    return thm


def _decorator_kwargs():
    return {"name": "fuzz.decorated", "source": "fuzz harness", "statement": "sum <= n",
            "sample": _sample_unit, "rtol": 1e-9, "atol": 0.0}


# ------------------------------------------------------------------------------- invariants
def _gaps_ok(res, kw):
    A, x, y = _f(kw["A"]), _f(kw["x"]), _f(kw["y"])
    x, y = x / x.sum(), y / y.sum()
    gx, gy = res
    assert gx >= 0 and gy >= 0, "negative gap"
    value = x @ A @ y
    scale = max(1.0, float(np.abs(A).max()))
    np.testing.assert_allclose(gx, value - (A @ y).min(), rtol=1e-9, atol=1e-12 * scale)
    np.testing.assert_allclose(gy, (A.T @ x).max() - value, rtol=1e-9, atol=1e-12 * scale)


def _gap_ok(res, kw):
    gx, gy = V.best_response_gap(kw["A"], kw["x"], kw["y"])
    assert res >= 0
    np.testing.assert_allclose(res, gx + gy, rtol=1e-12, atol=0)


def _nonneg(res, kw):
    assert res >= 0, f"negative value {res}"


def _fit_ok(res, kw):
    assert res.ci[0] <= res.ci[1], "confidence interval reversed"
    assert res.r2 <= 1 + 1e-12, f"R^2 = {res.r2} > 1"
    assert res.n_points >= 3


def _theorem_ok(res, kw):
    assert isinstance(res, V.Theorem) and res.name == kw["name"]


def _untimed_verify(**kw):
    """verify(...) with the wall-clock ``seconds`` of each row set to 0: timing differs between
    any two runs, and the harness compares the float32 (``np.int32`` seed) run with
    :func:`close` on every number (a custom ``same`` is not used for float32)."""
    rep = V.verify(**kw)
    return dataclasses.replace(rep, rows=tuple(dataclasses.replace(r, seconds=0.0)
                                               for r in rep.rows))


def _report_ok(res, kw):
    assert len(res) == 1 and res.passed, "the fast theorem failed"


CASES = [
    # certificates
    Case("equilibria.verification.best_response_gap", V.best_response_gap,
         lambda: {**_game(), "atol": 1e-8}, check=_gaps_ok),
    Case("equilibria.verification.duality_gap", V.duality_gap,
         lambda: {**_game(), "atol": 1e-8}, check=_gap_ok),
    Case("equilibria.verification.exploitability", V.exploitability,
         lambda: {**_preference(), "atol": 1e-8}, check=_nonneg),
    Case("equilibria.verification.regularized_exploitability", V.regularized_exploitability,
         lambda: {**_preference(), "beta": 0.3, "pi_ref": np.array([0.2, 0.5, 0.3]),
                  "atol": 1e-8}, check=_nonneg),
    Case("equilibria.verification.kkt_residual", V.kkt_residual,
         lambda: {"grad_f": np.array([1.0, -0.5]), "x": np.array([0.2, 0.4]),
                  "jac_c": np.array([[1.0, 1.0]]), "c": np.array([0.1]),
                  "lam": np.array([-0.8]), "jac_g": np.array([[1.0, 0.0], [0.0, -1.0]]),
                  "g": np.array([-0.2, 0.05]), "mu": np.array([0.0, 0.3])}, check=_nonneg),
    Case("equilibria.verification.operator_residual", V.operator_residual,
         lambda: {"F": lambda x: x - 1.0, "x": np.array([0.5, 2.0])}, check=_nonneg),
    Case("equilibria.verification.operator_residual", V.operator_residual,
         lambda: {"x": np.array([0.5, 2.0]), "T": lambda x: 0.5 * x + 1.0}, check=_nonneg),
    # rates
    Case("equilibria.verification.fit_slope", V.fit_slope,
         lambda: {"x": np.array([1.0, 2.0, 3.0, 4.0, 5.0]),
                  "y": np.array([0.1, 0.55, 0.9, 1.6, 2.0]), "n_boot": 50, "level": 0.9,
                  "seed": 0}, check=_fit_ok),
    Case("equilibria.verification.fit_loglog", V.fit_loglog,
         lambda: {"sizes": np.array([10.0, 30.0, 100.0, 300.0, 1000.0]),
                  "values": np.array([3.0, 5.6, 10.2, 17.0, 31.0]), "kind": "power",
                  "n_boot": 50, "seed": 0}, check=_fit_ok),
    Case("equilibria.verification.RateFit.within",
         lambda **kw: V.RateFit(0.5, 0.1, (0.45, 0.55), 0.95, 0.99, 5).within(**kw),
         lambda: {"band": np.array([0.4, 0.6])}, allow={"band": {"-inf"}},
         check=lambda res, kw: None),
    # the theorem record
    Case("equilibria.verification.BoundData", V.BoundData,
         lambda: {"measured": np.array([0.5, 1.0]), "bound": np.array([1.0, 2.0]),
                  "detail": "two instances"},
         allow={"measured": {"nan", "inf", "-inf"}, "bound": {"nan", "inf", "-inf"},
                "detail": _TEXT}, finite_output=False),
    Case("equilibria.verification.RateData", V.RateData,
         lambda: {"sizes": np.array([10.0, 100.0, 1000.0]), "values": np.array([1.0, 3.0, 10.0]),
                  "kind": "power", "detail": "three sizes"}, allow={"detail": _TEXT}),
    Case("equilibria.verification.Theorem", V.Theorem, _theorem_kwargs, check=_theorem_ok,
         allow={"name": _TEXT, "source": _TEXT, "statement": _TEXT}),
    Case("equilibria.verification.Theorem.check", lambda **kw: _TOY.check(**kw),
         lambda: {"instance": np.array([0.2, 0.9, 0.4])}),
    Case("equilibria.verification.Theorem.holds", lambda **kw: _TOY.holds(**kw),
         lambda: {"measured": 0.8, "bound": 1.0}),
    Case("equilibria.verification.Theorem.run", lambda **kw: _TOY.run(**kw),
         lambda: {"rng": np.random.default_rng(0), "quick": True}),
    Case("equilibria.verification.Theorem.judge", lambda **kw: _RATE.judge(**kw),
         lambda: {"evidence": _rate_evidence(), "seconds": 0.1, "seed": 0},
         check=lambda res, kw: None),
    # the registry
    Case("equilibria.verification.theorem", _decorate, _decorator_kwargs, check=_theorem_ok,
         allow={"name": _TEXT, "source": _TEXT, "statement": _TEXT}),
    Case("equilibria.verification.register", V.register, lambda: {"theorem": V.get(FAST)},
         check=lambda res, kw: None),
    Case("equilibria.verification.get", V.get, lambda: {"name": FAST},
         check=lambda res, kw: None),
    Case("equilibria.verification.names", V.names, dict,
         check=lambda res, kw: None),
    Case("equilibria.verification.load_all", V.load_all, dict,
         check=lambda res, kw: None),
    Case("equilibria.verification.verify", _untimed_verify,
         lambda: {"names": [FAST], "quick": True, "seed": 0}, check=_report_ok),
]

EXEMPT = {
    "equilibria.verification.Outcome": "result record (one report row) built by Theorem.judge",
    "equilibria.verification.Report": "result record built by verify",
    "equilibria.verification.RateFit": "result record built by fit_slope / fit_loglog "
                                       "(its method `within` has its own case)",
    "equilibria.verification.Result": "base result record of every solver, built by finish()",
    "equilibria.verification.Status": "enum of status codes",
    "equilibria.verification.ConvergenceWarning": "warning class",
    "equilibria.verification.TheoremFunction": "typing Protocol (cannot be instantiated); the "
                                               "functions it describes come from `theorem`",
}


# -- the verification framework of issue 13 (check, algorithm=, ratios, reports) --
FAST = "ot.sparse_limits"


def _evaluate_unit_alg(instance, *, algorithm=None):
    """sum of n numbers in [0, 1] is at most n; `algorithm` replaces the sum."""
    x = as_float_array(instance, "instance", ndim=1, nonneg=True)
    if np.any(x > 1):
        raise ValueError(f"`instance` must lie in [0, 1], found {x.max():.3g}")
    f = np.sum if algorithm is None else algorithm
    return float(f(x)), float(x.size), float(x.size) + 1.0


_ALG = V.Theorem("fuzz.alg", "fuzz harness", "sum <= n", sample=_sample_unit,
                 evaluate=_evaluate_unit_alg, n_instances=(3, 5),
                 protocol="a callable f(x) -> float")


def _check_outcome_ok(res, kw):
    assert res.passed and res.n_informative == res.n_instances


CASES_ADD = [
    Case("equilibria.verification.check", V.check,
         lambda: {"theorem_or_name": _ALG, "algorithm": np.sum,
                  "instances": [np.array([0.2, 0.9, 0.4])], "quick": True, "seed": 0},
         check=_check_outcome_ok),
    Case("equilibria.verification.Theorem.check_instances",
         lambda **kw: _ALG.check_instances(**kw),
         lambda: {"instances": [np.array([0.2, 0.9, 0.4])]},
         check=lambda res, kw: None),
    Case("equilibria.verification.Theorem.evaluate_instance",
         lambda **kw: _ALG.evaluate_instance(**kw),
         lambda: {"instance": np.array([0.2, 0.9, 0.4]), "algorithm": np.sum}),
    Case("equilibria.verification.load_module", V.load_module,
         lambda: {"module": "equilibria.solvers.ot.theorems"}, check=lambda res, kw: None),
    Case("equilibria.verification.ratios.compare", _ratios.compare,
         lambda: {"stored": {"a": 0.5, "b": 0.0}, "current": {"a": 0.6, "b": 1e-9},
                  "factor": 2.0}, check=lambda res, kw: None),
    Case("equilibria.verification.reports.listing", _reports.listing,
         lambda: {"theorems": [V.get(FAST)], "width": 80}, check=lambda res, kw: None),
    Case("equilibria.verification.reports.describe", _reports.describe,
         lambda: {"thm": V.get(FAST), "width": 80}, check=lambda res, kw: None),
]

EXEMPT_ADD = {
    "equilibria.verification.ratios.compute": "runs the whole quick registry (tens of "
                                              "seconds); its only argument is verify's seed, "
                                              "fuzzed in the verify case",
    "equilibria.verification.ratios.main": "command line (python -m "
                                           "equilibria.verification.ratios), argparse-checked",
    "equilibria.verification.ratios.read": "reads the stored ratio file written by `write`; "
                                           "tested in tests/verification/test_ratio_regression",
    "equilibria.verification.ratios.write": "writes a file (side effect); round trip tested in "
                                            "tests/verification/test_ratio_regression",
    "equilibria.verification.reports.plot_rate": "writes a PNG file (side effect) from a rate "
                                                 "row; tested in tests/verification/"
                                                 "test_cli_reports",
    "equilibria.verification.reports.write_markdown": "writes files (side effect) from a "
                                                      "Report; tested in tests/verification/"
                                                      "test_cli_reports",
    "equilibria.verification.reports.write_html": "writes files (side effect) from a Report; "
                                                  "tested in tests/verification/"
                                                  "test_cli_reports",
}

CASES += CASES_ADD
EXEMPT.update(EXEMPT_ADD)

# -- the shared validation of a user's implementation (equilibria.verification.user) --
from equilibria.verification import user as _user  # noqa: E402

CASES.append(Case("equilibria.verification.user.check_algorithm", _user.check_algorithm,
                  lambda: {"algorithm": np.sum, "protocol": "f(x) -> float: the sum"},
                  check=lambda res, kw: None, fuzz=("algorithm",)))
EXEMPT.update({
    "equilibria.verification.user.user_array":
        "validates what a user's `algorithm` returned; its errors name `algorithm` (the "
        "argument the user passed to check), not `out`; tested in "
        "tests/verification/test_user_helpers.py",
    "equilibria.verification.user.user_float":
        "validates what a user's `algorithm` returned; its errors name `algorithm` (the "
        "argument the user passed to check), not `out`; tested in "
        "tests/verification/test_user_helpers.py",
})
