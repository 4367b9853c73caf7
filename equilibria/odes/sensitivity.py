r"""Local (implicit-function) and global (Sobol) sensitivity of the coexistence model's
equilibrium and indices to its parameters.

References
----------
1. I. M. Sobol', "Global sensitivity indices for nonlinear mathematical models", Math. Comput.
   Simul. 55 (2001) 271-280; scipy.stats.sobol_indices (Saltelli 2010 estimators).
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np

from equilibria._lib.result import Result, Status, finish
from equilibria._lib.rng import as_generator
from equilibria._lib.sweep import parallel_map
from equilibria._lib.validation import as_float_array, check_int, check_option, check_scalar

from .attractors import default_attractor
from .model import CoexistenceModel

__all__ = ["SensitivityResult", "sensitivity"]

#: a local derivative passes its finite-difference check at this relative discrepancy
LOCAL_DISCREPANCY_TOL = 1e-3
#: admissible relative steps ``h`` of the local method: below the lower end the step drowns
#: in rounding, above the upper end the central difference is no derivative
H_RANGE = (1e-12, 0.1)
#: largest Sobol base sample ``n``
MAX_SOBOL_N = 2**20


# ------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class SensitivityResult(Result):
    """Local or global sensitivity.

    Local (``method="local"``): ``dx_dp`` (n, p) by the implicit-function theorem,
    ``dx_dp_fd`` by finite differences of re-solved equilibria, ``max_rel_discrepancy``
    between them, ``dindex_dp`` (dict index -> (p,)) by the chain rule through finite
    differences of the indices.  Global (``method="sobol"``): ``first_order`` and
    ``total_order`` (dict index -> (p,)).
    """

    params: tuple
    x_star: np.ndarray | None = None
    dx_dp: np.ndarray | None = None
    dx_dp_fd: np.ndarray | None = None
    max_rel_discrepancy: float | None = None
    dindex_dp: dict | None = None
    first_order: dict | None = None
    total_order: dict | None = None


_INDEX_NAMES = ("coexistence", "domination", "conflict", "development")


def _equilibrium_near(system, x0, name="x_star"):
    with np.errstate(all="ignore"):
        P, ok = system._newton(np.asarray(x0, float)[None, :], max_iter=100, tol=1e-13)
    if not ok[0] or not np.all(np.isfinite(P[0])):
        raise ValueError(f"Newton did not converge to an equilibrium from `{name}` (max |x| = "
                         f"{float(np.max(np.abs(x0))):.3g}); start it nearer an equilibrium")
    return P[0]


def _attractor_from(model, x0, t_end=3000.0):
    run = model.simulate_batch(np.asarray(x0, float)[None, :], t_end, ftol=1e-11, rtol=1e-9,
                               atol=1e-12, warn=False)
    if run.status[0] not in (0, 1):  # diverged / failed: no attractor state
        return np.full(model.n, np.nan)
    return run.x[0]


def _sobol_eval(model, params, x0, cols):
    out = np.empty((len(_INDEX_NAMES), cols.shape[1]))
    for k in range(cols.shape[1]):
        m = model.replace(**dict(zip(params, cols[:, k].tolist(), strict=True)))
        x = _attractor_from(m, x0, 1500.0)
        if not np.all(np.isfinite(x)):
            out[:, k] = np.nan
            continue
        ix = m.indices(x)
        out[:, k] = [getattr(ix, nm) for nm in _INDEX_NAMES]
    return out


def sensitivity(model: CoexistenceModel, params=("g", "reciprocity", "freedom"), *,
                method: str = "local", x_star=None, h: float = 1e-5, bounds=None,
                n: int = 256, seed=0, executor=None, progress: bool | None = None
                ) -> SensitivityResult:
    r"""Sensitivity of the equilibrium and the indices to parameters.

    ``method="local"`` (implicit-function theorem): at an equilibrium ``f(x*, p) = 0`` with
    nonsingular Jacobian ``J = D_x f``,

    .. math:: \frac{d x^*}{d p} = -J^{-1} \frac{\partial f}{\partial p},

    with ``partial f / partial p`` by central differences of the field (step ``h``, relative);
    checked against central differences of equilibria re-solved by Newton at ``p +- h``
    (``max_rel_discrepancy``).  Index derivatives use the chain rule through central
    differences of :meth:`CoexistenceModel.indices` along ``dx*/dp``.

    ``method="sobol"``: first- and total-order Sobol indices [3] of the four indices at the
    attractor reached from the uniform state ``(1, 1)``, with the parameters uniform on
    ``bounds`` (dict name -> (lo, hi)), by :func:`scipy.stats.sobol_indices` with ``n``
    (a power of 2) base samples; model evaluations are split over ``executor``.

    Parameters
    ----------
    model : CoexistenceModel
    params : str or sequence of str, default ("g", "reciprocity", "freedom")
        Scalar parameters of the model (fields other than ``n_h``, ``n_a``), or
        ``"reciprocity"`` (base value 1) or ``"conflict_asymmetry"``; at least one, no
        duplicates (a single name is one parameter).
    method : {"local", "sobol"}, default "local"
    x_star : array_like, shape (n,), optional
        Local method: starting point polished by Newton into the equilibrium; by default the
        stable equilibrium with the largest coexistence index.
    h : float in [1e-12, 0.1], default 1e-5
        Local method: relative step, ``step = h * max(1, |p|)`` (one-sided second-order
        stencil at the edge of a parameter's admissible range).
    bounds : dict, optional
        Sobol method (required): parameter name -> finite ``(lo, hi)`` with ``lo < hi``.
    n : int, default 256
        Sobol method: number of base samples, a power of 2 up to ``2**20`` (``n (p + 2)``
        model evaluations).
    seed : int or Generator, default 0
        Sobol method: random state of the sampling.
    executor : concurrent.futures.Executor, optional
        Sobol method: executor for the model evaluations.
    progress : bool or None, default None
        tqdm progress bar (``False`` turns it off).

    Returns
    -------
    SensitivityResult
        Local: ``x_star`` (n,), ``dx_dp`` and ``dx_dp_fd`` (n, p), ``max_rel_discrepancy`` and
        ``dindex_dp`` (dict index -> (p,)); ``success=False`` when the discrepancy exceeds 1e-3.
        Sobol: ``first_order`` and ``total_order`` (dict over ``coexistence``, ``domination``,
        ``conflict``, ``development`` -> (p,)); ``success=False`` when some are NaN.
    """
    if not isinstance(model, CoexistenceModel):
        raise TypeError(f"`model` must be a CoexistenceModel, got {type(model).__name__}")
    if not isinstance(method, str):
        raise TypeError(f"`method` must be a str, got {type(method).__name__}")
    check_option(method, "method", ("local", "sobol"))
    if isinstance(params, str):
        params = (params,)
    try:
        params = tuple(params)
    except TypeError:
        raise TypeError(f"`params` must be a parameter name or a sequence of them, got "
                        f"{type(params).__name__}") from None
    if not params:
        raise ValueError("`params` must name at least one parameter")
    if not all(isinstance(p, str) for p in params):
        raise TypeError(f"`params` must hold parameter names (str), got {params!r}")
    if len(set(params)) != len(params):
        raise ValueError(f"`params` has duplicates: {params!r}")
    rng = as_generator(seed)
    base_vals = {}
    for p in params:
        if p in ("reciprocity",):
            base_vals[p] = 1.0
        elif p == "conflict_asymmetry":
            base_vals[p] = (model.conflict_h - model.conflict_a) / max(
                model.conflict_h + model.conflict_a, 1e-300)
        else:
            fields = {f.name for f in dataclasses.fields(model)} - {"n_h", "n_a"}
            v = getattr(model, p, None) if p in fields else None
            if v is None or np.ndim(v) != 0:
                valid = sorted(f for f in fields if np.ndim(getattr(model, f)) == 0) + \
                    ["conflict_asymmetry", "reciprocity"]
                raise ValueError(f"unknown or non-scalar parameter {p!r} in `params`; valid: "
                                 f"{valid}")
            base_vals[p] = float(v)
    if method == "local":
        h = check_scalar(h, "h", lo=H_RANGE[0], hi=H_RANGE[1])
        system = model.system
        x_star = default_attractor(model, system) if x_star is None else \
            _equilibrium_near(system, system.check_state(x_star, "x_star"))
        try:
            J = system.jacobian(x_star)
        except ValueError as exc:
            raise ValueError(f"`x_star`: {exc}") from None
        dxdp = np.empty((system.n, len(params)))
        fd = np.empty_like(dxdp)
        for k, p in enumerate(params):
            step = h * max(1.0, abs(base_vals[p]))
            mp = model.replace(**{p: base_vals[p] + step})
            try:
                mm = model.replace(**{p: base_vals[p] - step})
                stencil = [(mp, 1.0), (mm, -1.0)]
            except ValueError:  # edge of the admissible range: one-sided, 2nd order
                mp2 = model.replace(**{p: base_vals[p] + 2 * step})
                stencil = [(model, -1.5), (mp, 2.0), (mp2, -0.5)]
            dfdp = sum(c * mk.field(x_star) for mk, c in stencil) / (2 * step if len(stencil)
                                                                      == 2 else step)
            try:
                dxdp[:, k] = -np.linalg.solve(J, dfdp)
            except np.linalg.LinAlgError:
                raise ValueError("the Jacobian at the equilibrium (from `x_star`) is singular: "
                                 "the implicit-function derivative does not exist there") \
                    from None
            fd[:, k] = sum(c * _equilibrium_near(mk.system, x_star, "h") for mk, c in
                           stencil) / (2 * step if len(stencil) == 2 else step)
        disc = float(np.max(np.abs(dxdp - fd)) / max(1e-12, np.max(np.abs(fd))))
        dind = {}
        for nm in _INDEX_NAMES:
            row = []
            for k in range(len(params)):
                e = 1e-6 * dxdp[:, k] / max(1e-300, np.max(np.abs(dxdp[:, k])))
                s = 1e-6 / max(1e-300, np.max(np.abs(dxdp[:, k])))
                a = getattr(model.indices(np.maximum(x_star + e, 0)), nm)
                b = getattr(model.indices(np.maximum(x_star - e, 0)), nm)
                row.append((a - b) / (2 * s) if np.isfinite(s) and s > 0 else 0.0)
            dind[nm] = np.array(row)
        ok = disc <= LOCAL_DISCREPANCY_TOL
        return finish(SensitivityResult, success=ok,
                      status=Status.SUCCESS if ok else Status.NUMERICAL,
                      message=f"implicit-function derivative vs finite differences: max "
                              f"relative discrepancy {disc:.2e}" +
                              ("" if ok else "; the equilibrium may be near a bifurcation "
                               "(singular Jacobian): change `h`"),
                      n_iter=len(params), params=params, x_star=x_star, dx_dp=dxdp,
                      dx_dp_fd=fd, max_rel_discrepancy=disc, dindex_dp=dind)
    from scipy.stats import sobol_indices, uniform

    if bounds is None:
        raise ValueError("`bounds` (dict name -> (lo, hi)) is required for method='sobol'")
    if not isinstance(bounds, dict):
        raise TypeError(f"`bounds` must be a dict name -> (lo, hi), got {type(bounds).__name__}")
    lohi = []
    for p in params:
        if p not in bounds:
            raise ValueError(f"`bounds` has no entry for {p!r}")
        lo, hi = as_float_array(bounds[p], f"bounds[{p!r}]", shape=(2,))
        for v in (lo, hi):  # every sampled model must be valid: check both ends
            try:
                model.replace(**{p: float(v)})
            except (ValueError, TypeError) as exc:
                raise ValueError(f"`bounds`[{p!r}] = ({lo:g}, {hi:g}) leaves the admissible "
                                 f"range of {p!r}: {exc}") from None
        if not (np.isfinite(lo) and np.isfinite(hi) and hi > lo):
            raise ValueError(f"`bounds`[{p!r}] must be finite with lo < hi, got {(lo, hi)}")
        lohi.append((lo, hi))
    n = check_int(n, "n", lo=2, hi=MAX_SOBOL_N)
    if n & (n - 1):
        raise ValueError(f"`n` must be a power of 2 (Sobol' sequence), got {n}")
    x0 = model.uniform_state(1.0, 1.0)

    def func(X):
        parts = np.array_split(np.arange(X.shape[1]), max(1, min(16, X.shape[1] // 64)))
        res = parallel_map(functools.partial(_sobol_eval, model, params, x0),
                           [X[:, ix] for ix in parts], executor=executor, progress=progress,
                           desc="sobol")
        return np.hstack(res)

    si = sobol_indices(func=func, n=n, dists=[uniform(loc=lo, scale=hi - lo)
                                              for lo, hi in lohi], random_state=rng)
    fo = {nm: np.asarray(si.first_order[i]) for i, nm in enumerate(_INDEX_NAMES)}
    to = {nm: np.asarray(si.total_order[i]) for i, nm in enumerate(_INDEX_NAMES)}
    ok = all(np.all(np.isfinite(v)) for d in (fo, to) for v in d.values())
    return finish(SensitivityResult, success=ok,
                  status=Status.SUCCESS if ok else Status.NUMERICAL,
                  message=f"Sobol indices from {n * (len(params) + 2)} model evaluations" +
                          ("" if ok else "; some evaluations diverged or failed (NaN "
                           "indices): narrow `bounds`"),
                  n_iter=n, params=params, first_order=fo, total_order=to)

