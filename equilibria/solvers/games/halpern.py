"""Halpern iteration and variance-reduced Halpern iteration.

References
----------
1. B. Halpern (1967), "Fixed points of nonexpanding maps", Bull. AMS 73.
2. F. Lieder (2021), "On the convergence rate of the Halpern-iteration", Optim. Lett. 15,
   Thm 2.1: with :math:`\\lambda_k = 1/(k+2)`, :math:`\\|x_k - T x_k\\| \\le
   2\\|x_0 - x^\\star\\|/(k+1)` (tight).
3. J. Diakonikolas (2020), "Halpern iteration for near-optimal and parameter-free monotone
   inclusion and strong solutions to variational inequalities", COLT, Sec. 2 (the cocoercive
   case, a corollary of [2] applied to T = I - (2/L) F):
   for :math:`\\frac1L`-cocoercive :math:`F`, :math:`x_{k+1} = \\lambda_k x_0 + (1-\\lambda_k)
   (x_k - \\frac2L F(x_k))` gives :math:`\\|F(x_k)\\| \\le L\\|x_0 - x^\\star\\|/(k+1)`.
4. X. Cai, A. Alacaoglu, J. Diakonikolas (2024), "Variance reduced Halpern iteration for
   finite-sum monotone inclusions", ICLR, Algorithms 1 and 2.
5. A. Alacaoglu, Y. Malitsky (2022), "Stochastic variance reduction for variational inequality
   methods", COLT, Algorithm 1 (loopless SVRG extragradient), the inner solver of Algorithm 2
   of [4].
"""

from __future__ import annotations

import numpy as np

from equilibria._lib.result import Status, finish
from equilibria._lib.rng import as_generator
from equilibria._lib.validation import (as_float_array, check_callable, check_int, check_option,
                                        check_scalar)

from ._checks import eval_operator, probe_operator, spot_check_monotone
from ._kernels import _vr_coco_linear_kernel, _vr_mono_linear_kernel
from ._problems import FiniteSum
from ._results import HalpernResult

__all__ = ["halpern", "vr_halpern"]


def _as_operator(F, name, x0):
    """(callable, cost per call): a FiniteSum costs ``n`` component calls per full evaluation.

    Checks that ``F`` accepts ``x0`` (the length of a FiniteSum, one probe call otherwise)."""
    if isinstance(F, FiniteSum):
        if F.dim != x0.shape[0]:
            raise ValueError(f"`x0` must have length {F.dim} (`{name}`.dim), got {x0.shape[0]}")
        return F._full, F.n
    check_callable(F, name)
    probe_operator(F, x0, name)
    return F, 1


def halpern(x0, *, T=None, F=None, L=None, resolvent=None, eta=None, prox=None, step=None,
            tol=1e-6, max_iter=100_000, check_monotone=True, seed=0) -> HalpernResult:
    r"""Halpern (anchored) iteration with its computable residual as the stopping rule.

    .. math::

        x_{k+1} = \lambda_k x_0 + (1 - \lambda_k)\, T(x_k), \qquad \lambda_k = \frac{1}{k+2}
        \quad \text{(Lieder 2021, eq. (1))}

    for a nonexpansive map :math:`T`, obtained in one of four ways:

    - ``T`` given (``mode="nonexpansive"``): residual :math:`r_k = \|x_k - T x_k\|`.
    - ``F`` and ``L`` given, ``F`` :math:`\frac1L`-cocoercive (``mode="forward"``):
      :math:`T = I - \frac{2}{L} F`; residual :math:`r_k = \|F(x_k)\|`.
    - ``F``, ``L`` and ``prox`` given, :math:`0 \in F(x) + \partial g(x)` (``mode=
      "forward-backward"``): :math:`T = \operatorname{prox}_{\gamma g}(I - \gamma F)` with
      :math:`\gamma` = ``step`` (default :math:`2/L`); ``prox(v, gamma)`` returns
      :math:`\operatorname{prox}_{\gamma g}(v)`; residual :math:`r_k = \|x_k - T x_k\|/\gamma`.
    - ``F`` monotone (Lipschitz or not) with ``resolvent`` (``mode="resolvent"``):
      :math:`T = J_{\eta F} = (I + \eta F)^{-1}`, ``resolvent(v, eta)``; for a
      :class:`FiniteSum` from :func:`linear_finite_sum` the resolvent is the exact linear solve
      when ``resolvent`` is omitted.  Residual :math:`r_k = \|x_k - J x_k\|/\eta =
      \|F(J x_k)\|`; the returned ``x`` is :math:`J x_k`, so ``residual`` is exactly
      :math:`\|F(x)\|`.

    Stopping rule: stop at the first :math:`k` with :math:`r_k \le` ``tol``.

    Theorem (Lieder 2021, Thm 2.1, tight; Diakonikolas 2020, Sec. 2).  For nonexpansive :math:`T`
    with a fixed point :math:`x^\star`, :math:`\|x_k - T x_k\| \le 2\|x_0 - x^\star\|/(k+1)`;
    hence :math:`\|F(x_k)\| \le L\|x_0 - x^\star\|/(k+1)` in forward mode and
    :math:`r_k \le 2\|x_0 - x^\star\|/(\eta (k+1))` in resolvent mode.  Registered as
    ``games.halpern_nonexpansive`` and ``games.halpern_cocoercive``.

    Parameters
    ----------
    x0 : array_like, shape (d,)
        Starting point and anchor.
    T, F, L, resolvent, eta, prox, step
        See the modes above.  ``F`` may be a callable or a :class:`FiniteSum` (then one
        evaluation costs ``n`` oracle calls).  ``eta`` defaults to ``1/L`` (or 1).
    tol : float
        Residual tolerance.
    max_iter : int
        Iteration budget.
    check_monotone : bool
        Spot-check monotonicity / cocoercivity / nonexpansiveness on random pairs near ``x0``
        (a :class:`MonotonicityWarning` names the witness pair).
    seed : int
        Seed of the spot check.

    Returns
    -------
    HalpernResult
    """
    x0 = as_float_array(x0, "x0", ndim=1, min_size=1, copy=True)
    d = x0.shape[0]
    tol = check_scalar(tol, "tol", lo=0, lo_inclusive=False)
    max_iter = check_int(max_iter, "max_iter", lo=0)
    if (T is None) == (F is None):
        raise ValueError("pass exactly one of `T` (nonexpansive map) and `F` (operator)")
    cost = 1
    if T is not None:
        check_callable(T, "T")
        probe_operator(T, x0, "T")
        mode, scale = "nonexpansive", 1.0
        Tmap = T
        if check_monotone:
            spot_check_monotone(lambda v: v - np.asarray(T(v), dtype=float), x0, name="I - T",
                                L=2.0, seed=seed)
    else:
        Fc, cost = _as_operator(F, "F", x0)
        if L is not None:
            L = check_scalar(L, "L", lo=0, lo_inclusive=False)
        if resolvent is not None or (prox is None and L is None):
            mode = "resolvent"
            eta = check_scalar(eta if eta is not None else (1.0 / L if L else 1.0), "eta", lo=0,
                               lo_inclusive=False)
            if resolvent is None:
                mats = getattr(F, "_matrix", None)
                if mats is None:
                    raise ValueError("`resolvent` is required for a monotone `F` without `L` "
                                     "(or pass `L` for the cocoercive forward map)")
                Mbar, qbar = mats
                lu = np.eye(d) + eta * Mbar

                def resolvent(v, eta_, _A=lu, _q=qbar):  # (I + eta M) u = v - eta q
                    return np.linalg.solve(_A, v - eta_ * _q)
            else:
                check_callable(resolvent, "resolvent")
            Tmap = lambda v: np.asarray(resolvent(v, eta), dtype=float)  # noqa: E731
            scale = 1.0 / eta
            if check_monotone:
                spot_check_monotone(Fc, x0, name="F", seed=seed)
        else:
            if L is None:
                raise ValueError("`L` (cocoercivity constant) is required with `prox`")
            gamma = check_scalar(step if step is not None else 2.0 / L, "step", lo=0,
                                 hi=2.0 / L, lo_inclusive=False)
            if prox is None:
                mode = "forward"
                Tmap = lambda v: v - gamma * eval_operator(Fc, v, "F", d)  # noqa: E731
                Fmap = lambda v: eval_operator(Fc, v, "F", d)  # noqa: E731
            else:
                check_callable(prox, "prox")
                mode = "forward-backward"
                Tmap = lambda v: np.asarray(prox(v - gamma * eval_operator(Fc, v, "F", d),  # noqa: E731
                                                 gamma), dtype=float)
            scale = 1.0 / gamma
            if check_monotone:
                spot_check_monotone(Fc, x0, name="F", L=L, seed=seed)

    x = x0.copy()
    hist: list[float] = []
    calls = 0
    Tx = None
    status, msg = Status.MAX_ITER, (f"residual above tol={tol:g} after max_iter={max_iter} "
                                    "iterations; increase `max_iter` or `tol`")
    k = 0
    for k in range(max_iter + 1):
        if mode == "forward":
            # residual ||F(x)|| straight from F: ||x - T x|| / gamma would round to 0 once
            # gamma ||F(x)|| is below the rounding of x (huge `L`)
            Fx = Fmap(x)
            Tx = x - gamma * Fx
            r = float(np.linalg.norm(Fx))
        else:
            Tx = as_float_array(Tmap(x), "T(x)", ndim=1, finite=False)
            if Tx.shape != (d,):
                raise ValueError(f"the map must return a vector of length {d}, got {Tx.shape}")
            r = float(np.linalg.norm(x - Tx)) * scale  # computable residual
        calls += cost
        if not np.isfinite(r):
            status, msg = Status.NUMERICAL, ("non-finite residual; check the operator and "
                                             "`L` / `eta` (last finite iterate returned)")
            break
        hist.append(r)
        if r <= tol:
            status, msg = Status.SUCCESS, f"residual {r:.3g} <= tol={tol:g}"
            break
        if k == max_iter:
            break
        lam = 1.0 / (k + 2)
        x = lam * x0 + (1.0 - lam) * Tx  # Halpern step, Lieder (2021) eq. (1)
    hist_arr = np.asarray(hist)
    out = Tx if (mode == "resolvent" and Tx is not None and np.all(np.isfinite(Tx))) else x
    res = hist_arr[-1] if hist_arr.size else np.inf
    return finish(HalpernResult, success=status == Status.SUCCESS, status=status, message=msg,
                  n_iter=k, x=out, residual=float(res), residual_history=hist_arr,
                  oracle_calls=int(calls), mode=mode)


# ---------------------------------------------------------------------------------------------
# variance-reduced Halpern
# ---------------------------------------------------------------------------------------------

def _check_problem(problem, x0):
    if not isinstance(problem, FiniteSum):
        raise TypeError(f"`problem` must be a FiniteSum, got {type(problem).__name__}")
    x0 = as_float_array(x0, "x0", ndim=1, shape=(problem.dim,), copy=True)
    return x0


def vr_halpern(problem, x0, *, variant="cocoercive", tol=1e-6, max_oracle_calls=10**8,
               batch_size=None, p=None, eta=None, inner_gamma=0.5, inner_tol_scale=0.1,
               check_monotone=True, use_kernel=True, seed=None) -> HalpernResult:
    r"""Variance-reduced Halpern iteration for :math:`0 = F(x) = \frac1n\sum_i F_i(x)`.

    **Cocoercive variant** (Cai, Alacaoglu & Diakonikolas 2024, Alg. 1; single loop):

    .. math::

        x_{k+1} = \lambda_k x_0 + (1-\lambda_k)\big(x_k - \eta\, \tilde F_k\big),
        \qquad \lambda_k = \tfrac{1}{k+2},

    with the PAGE-type recursive estimator

    .. math::

        \tilde F_{k+1} = \begin{cases} F(x_{k+1}) & \text{with probability } p,\\
        \tilde F_k + \frac1b \sum_{i\in S_k}\big(F_i(x_{k+1}) - F_i(x_k)\big) & \text{otherwise,}
        \end{cases}

    :math:`|S_k| = b`, defaults :math:`b = \lceil\sqrt n\rceil`, :math:`p = 1/\sqrt n`,
    :math:`\eta = 2/L` (``problem.L`` is the average cocoercivity constant), the step of
    full-batch Halpern (Diakonikolas 2020).  Expected cost per
    iteration :math:`pn + 2b \approx 3\sqrt n` component calls.

    **Monotone Lipschitz variant** (Alg. 2 of [4]): Halpern on the resolvent,
    :math:`x_{k+1} = \lambda_k x_0 + (1-\lambda_k)\tilde J(x_k)`, where
    :math:`\tilde J(x_k) \approx J_{\eta F}(x_k)` solves the 1-strongly monotone problem
    :math:`u - x_k + \eta F(u) = 0` with the loopless SVRG extragradient method of Alacaoglu &
    Malitsky (2022, Alg. 1) (single-sample, snapshot probability :math:`1/n`, step
    :math:`\tau = \gamma\sqrt{1/n}/(\eta L)`), stopped by the computable certificate
    :math:`\|u - x_k + \eta F(u)\| \le \varepsilon_k` (which bounds :math:`\|u - J x_k\|` by
    strong monotonicity), :math:`\varepsilon_k =` ``inner_tol_scale`` :math:`\cdot\, \eta\,`
    ``tol`` :math:`/ (k+2)`.  Default :math:`\eta = \sqrt n / L`, the choice of [4] that balances
    outer iterations :math:`O(L D/(\sqrt n\,\varepsilon))` against inner cost
    :math:`O(n \log)`.

    Stopping rule (both variants): the exact residual :math:`\|F(x)\|` is computed whenever a
    full pass happens (a snapshot of the estimator, resp. the inner certificate at a full
    evaluation) and the method stops at the first full-pass point with
    :math:`\|F(x)\| \le` ``tol``; the returned ``x`` is that point.

    Theorem ([4], main results for the cocoercive and the monotone Lipschitz case): to reach :math:`\mathbb E\|F(x)\| \le \varepsilon` the
    expected number of component-oracle calls is
    :math:`O(n + \sqrt n L\|x_0 - x^\star\|/\varepsilon)` (times a log factor in the monotone
    variant), against :math:`O(nL\|x_0 - x^\star\|/\varepsilon)` for full-batch Halpern.
    Registered as ``games.vr_halpern_oracle_n`` and ``games.vr_halpern_oracle_eps`` (slopes).

    Deviations from [4]: the estimator probability is constant (:math:`1/\sqrt n`, full pass at
    ``k = 0``) rather than the paper's schedule, and the default step is the full-batch
    :math:`2/L` rather than the paper's more conservative constant (measured to converge on the
    test problems; pass ``eta`` to change it); the inner solver's stopping test uses a full
    evaluation of :math:`F` every :math:`n` inner steps in expectation (its snapshot pass),
    whereas [4] fixes the inner iteration count from the constants.

    Parameters
    ----------
    problem : FiniteSum
    x0 : array_like, shape (problem.dim,)
    variant : {"cocoercive", "monotone"}
    tol : float
        Tolerance on :math:`\|F(x)\|`.
    max_oracle_calls : int
        Budget of component calls.
    batch_size, p, eta : optional
        Estimator batch size, full-pass probability and step (see above).
    inner_gamma : float in (0, 1)
        Step factor :math:`\gamma` of the inner solver (monotone variant).
    inner_tol_scale : float
        Factor of the inner accuracy schedule (monotone variant).
    check_monotone : bool
        Spot-check monotonicity (and cocoercivity for the cocoercive variant) of the mean.
    use_kernel : bool
        For problems from :func:`linear_finite_sum`, run the compiled kernel (same iteration,
        numba's random stream); ``False`` forces the generic Python loop.
    seed : None, int or Generator

    Returns
    -------
    HalpernResult
        ``oracle_calls`` counts component evaluations; ``residual_history`` holds the exact
        residuals at the full passes.
    """
    x0 = _check_problem(problem, x0)
    check_option(variant, "variant", ("cocoercive", "monotone"))
    tol = check_scalar(tol, "tol", lo=0, lo_inclusive=False)
    budget = check_int(max_oracle_calls, "max_oracle_calls", lo=1)
    n, L = problem.n, problem.L
    rng = as_generator(seed)
    if check_monotone:
        spot_check_monotone(problem._full, x0, name="problem",
                            L=L if variant == "cocoercive" else None, seed=0)
    if variant == "cocoercive":
        b = check_int(batch_size if batch_size is not None else int(np.ceil(np.sqrt(n))),
                      "batch_size", lo=1)
        p = check_scalar(p if p is not None else 1.0 / np.sqrt(n), "p", lo=0, hi=1,
                         lo_inclusive=False)
        eta = check_scalar(eta if eta is not None else 2.0 / L, "eta", lo=0, hi=2.0 / L,
                           lo_inclusive=False)
        comps = getattr(problem, "_components", None)
        if comps is not None and use_kernel:
            Mbar, qbar = problem._matrix
            out = _vr_coco_linear_kernel(comps[0], Mbar, qbar, x0, tol, budget, b, p, eta,
                                         int(rng.integers(0, 2**62)), _MAX_HIST)
            return _kernel_result(out, "vr-cocoercive", tol, budget)
        return _vr_cocoercive(problem, x0, tol, budget, b, p, eta, rng)
    eta = check_scalar(eta if eta is not None else np.sqrt(n) / L, "eta", lo=0,
                       lo_inclusive=False)
    gamma = check_scalar(inner_gamma, "inner_gamma", lo=0, hi=1, lo_inclusive=False,
                         hi_inclusive=False)
    scale = check_scalar(inner_tol_scale, "inner_tol_scale", lo=0, lo_inclusive=False)
    comps = getattr(problem, "_components", None)
    if comps is not None and use_kernel:
        Mbar, qbar = problem._matrix
        tau = gamma * np.sqrt(1.0 / n) / (eta * L)
        out = _vr_mono_linear_kernel(comps[0], Mbar, qbar, x0, tol, budget, eta, tau, scale, L,
                                     int(rng.integers(0, 2**62)), _MAX_HIST)
        return _kernel_result(out, "vr-monotone", tol, budget)
    return _vr_monotone(problem, x0, tol, budget, eta, gamma, scale, rng)


_MAX_HIST = 100_000


def _kernel_result(out, mode, tol, budget):
    x, calls, k, hist, nh, code = out
    hist = hist[:nh].copy()
    if code == 0:
        return finish(HalpernResult, success=True, status=Status.SUCCESS,
                      message=f"residual {hist[-1]:.3g} <= tol={tol:g}", n_iter=int(k), x=x,
                      residual=float(hist[-1]), residual_history=hist, oracle_calls=int(calls),
                      mode=mode)
    if code == 1:
        return _fail_budget(hist, x, int(k), calls, budget, mode)
    return _fail_numerical(hist, x, int(k), calls, mode)


def _fail_budget(hist, x, k, calls, budget, mode):
    hist = np.asarray(hist)
    return finish(HalpernResult, success=False, status=Status.MAX_ITER,
                  message=f"oracle budget max_oracle_calls={budget} exhausted with residual "
                          f"{hist[-1] if hist.size else np.inf:.3g}; increase `max_oracle_calls` "
                          "or `tol`",
                  n_iter=k, x=x, residual=float(hist[-1]) if hist.size else np.inf,
                  residual_history=hist, oracle_calls=int(calls), mode=mode)


def _fail_numerical(hist, x, k, calls, mode):
    hist = np.asarray(hist)
    return finish(HalpernResult, success=False, status=Status.NUMERICAL,
                  message="non-finite operator value; check `problem.L` and `eta` (last finite "
                          "iterate returned)", n_iter=k, x=x,
                  residual=float(hist[-1]) if hist.size else np.inf, residual_history=hist,
                  oracle_calls=int(calls), mode=mode)


def _vr_cocoercive(problem, x0, tol, budget, b, p, eta, rng):
    n, batch = problem.n, problem.batch
    mode = "vr-cocoercive"
    x = x0.copy()
    Fk = np.asarray(batch(x, None), dtype=float)  # full pass at k = 0
    calls = n
    hist = []
    full = True
    k = 0
    while True:
        if full:
            r = float(np.linalg.norm(Fk))  # exact residual at a full pass
            if not np.isfinite(r):
                return _fail_numerical(hist, x, k, calls, mode)
            hist.append(r)
            if r <= tol:
                return finish(HalpernResult, success=True, status=Status.SUCCESS,
                              message=f"residual {r:.3g} <= tol={tol:g}", n_iter=k, x=x,
                              residual=r, residual_history=np.asarray(hist),
                              oracle_calls=int(calls), mode=mode)
        if calls >= budget:
            return _fail_budget(hist, x, k, calls, budget, mode)
        lam = 1.0 / (k + 2)
        x_new = lam * x0 + (1.0 - lam) * (x - eta * Fk)  # Halpern step, [4] Alg. 1
        if rng.random() < p:
            Fk = np.asarray(batch(x_new, None), dtype=float)  # full pass
            calls += n
            full = True
        else:
            S = rng.integers(0, n, size=b)
            Fk = Fk + np.asarray(batch(x_new, S), dtype=float) - \
                np.asarray(batch(x, S), dtype=float)  # PAGE-type recursive update
            calls += 2 * b
            full = False
        x = x_new
        k += 1


def _vr_monotone(problem, x0, tol, budget, eta, gamma, scale, rng):
    n, batch, L = problem.n, problem.batch, problem.L
    mode = "vr-monotone"
    pin = 1.0 / n
    tau = gamma * np.sqrt(pin) / (eta * L)  # Alacaoglu & Malitsky (2022), Alg. 1 step
    alpha = 1.0 - pin
    x = x0.copy()
    u = x0.copy()  # warm start of the inner solver
    calls = 0
    hist = []
    k = 0
    while True:
        # --- inner solver: u ~ J_{eta F}(x) for G(u) = u - x + eta F(u) (1-strongly monotone)
        eps_k = scale * eta * tol / (k + 2)
        w = u.copy()
        Fw = np.asarray(batch(w, None), dtype=float)
        calls += n
        while True:
            Gw = w - x + eta * Fw
            gnorm = float(np.linalg.norm(Gw))
            if not np.isfinite(gnorm):
                return _fail_numerical(hist, x, k, calls, mode)
            r = float(np.linalg.norm(Fw))  # exact residual of the snapshot point
            hist.append(r)
            if r <= tol:
                return finish(HalpernResult, success=True, status=Status.SUCCESS,
                              message=f"residual {r:.3g} <= tol={tol:g}", n_iter=k, x=w,
                              residual=r, residual_history=np.asarray(hist),
                              oracle_calls=int(calls), mode=mode)
            if gnorm <= eps_k:
                u = w
                break
            if calls >= budget:
                return _fail_budget(hist, w, k, calls, budget, mode)
            # loopless SVRG extragradient until the next snapshot (geometric length, mean 1/p)
            while True:
                zbar = alpha * u + (1.0 - alpha) * w
                # prox of tau * (1/2)||. - x||^2 is v -> (v + tau x) / (1 + tau)
                zh = (zbar - tau * eta * Fw + tau * x) / (1.0 + tau)
                i = rng.integers(0, n, size=1)
                Fi_w = np.asarray(batch(w, i), dtype=float)
                Fi_h = np.asarray(batch(zh, i), dtype=float)
                u = (zbar - tau * eta * (Fw + Fi_h - Fi_w) + tau * x) / (1.0 + tau)
                calls += 2
                if rng.random() < pin or calls >= budget:
                    break
            w = u.copy()
            Fw = np.asarray(batch(w, None), dtype=float)  # snapshot: full pass
            calls += n
        lam = 1.0 / (k + 2)
        x = lam * x0 + (1.0 - lam) * u  # Halpern step on the inexact resolvent, [4] Alg. 2
        k += 1
