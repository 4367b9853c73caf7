"""Rate fitting: log-log (or semi-log) slopes with bootstrap confidence intervals.

A rate statement ("regret is O(sqrt T)", "residual is O(1/k)", "error decays linearly") is
checked by fitting the slope of a transformed measurement against a transformed size and
comparing the bootstrap confidence interval of the slope with a stated band.

Conventions
-----------
- polynomial rate y ~ c x^p: fit ``log y`` on ``log x``; slope p.
- logarithmic growth y ~ c log x: fit ``log y`` on ``log log x``; slope 1 (``sqrt T`` growth
  would give a slope near ``0.5 log T / log log T``, far above 1 over a decade or more of T).
- linear (geometric) rate y ~ c q^k: fit ``log y`` on ``k``; slope ``log q``.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from equilibria._lib.rng import as_generator
from equilibria._lib.validation import as_float_array, check_int, check_option, check_scalar

__all__ = ["RateFit", "fit_slope", "fit_loglog"]


@dataclasses.dataclass(frozen=True)
class RateFit:
    """Least-squares slope with a bootstrap confidence interval.

    Attributes
    ----------
    slope, intercept : float
        OLS fit of ``y`` on ``x`` (after any transform).
    ci : tuple of float
        Percentile bootstrap interval of the slope at level ``level``.
    level : float
    r2 : float
        Coefficient of determination of the fit.
    n_points : int
    """

    slope: float
    intercept: float
    ci: tuple[float, float]
    level: float
    r2: float
    n_points: int

    def within(self, band: tuple[float, float]) -> bool:
        """True when the whole confidence interval lies inside ``band`` = (lo, hi), ``lo < hi``
        (either end may be infinite for a one-sided band)."""
        lo, hi = _check_band(band)
        return bool(lo <= self.ci[0] and self.ci[1] <= hi)


def _check_band(band) -> tuple[float, float]:
    """``(lo, hi)`` with ``lo < hi`` (``lo = -inf`` or ``hi = inf`` for a one-sided band)."""
    if band is None or isinstance(band, (str, bytes)):
        raise TypeError(f"`band` must be a pair (lo, hi) of numbers, got {band!r}")
    arr = as_float_array(band, "band", shape=(2,), finite=False)
    lo, hi = float(arr[0]), float(arr[1])
    if np.isnan(lo) or np.isnan(hi) or not lo < hi:
        raise ValueError(f"`band` must satisfy lo < hi, got {tuple(arr.tolist())}")
    return lo, hi


#: largest number of bootstrap replicates (time and memory grow linearly with it)
MAX_BOOT = 10**6


def _ols(x, y):
    xm, ym = x.mean(), y.mean()
    sxx = np.sum((x - xm) ** 2)
    if sxx == 0:
        return np.nan, np.nan
    b = np.sum((x - xm) * (y - ym)) / sxx
    return b, ym - b * xm


def fit_slope(x, y, *, n_boot: int = 2000, level: float = 0.95, seed=0) -> RateFit:
    """Fit the slope of ``y`` against ``x`` with a bootstrap confidence interval.

    Parameters
    ----------
    x : array_like, shape (m,)
        Sizes (already transformed, e.g. ``log T``).
    y : array_like, shape (m,) or (r, m)
        Measurements (already transformed).  With a 2-D array, rows are independent replicate
        runs: the bootstrap resamples rows and fits the slope of the row mean (the honest
        interval when runs are the source of noise).  With a 1-D array, residuals are
        resampled (fixed-design residual bootstrap).
    n_boot : int
        Bootstrap replicates, ``10 <= n_boot <= 10**6``.
    level : float
        Confidence level of the percentile interval.
    seed : int, Generator or None

    Returns
    -------
    RateFit
    """
    x = as_float_array(x, "x", ndim=1, min_size=3)
    y = as_float_array(y, "y", ndim=(1, 2))
    n_boot = check_int(n_boot, "n_boot", lo=10, hi=MAX_BOOT)
    level = check_scalar(level, "level", lo=0, hi=1, lo_inclusive=False, hi_inclusive=False)
    if y.shape[-1] != x.shape[0]:
        raise ValueError(f"`y` must have {x.shape[0]} columns to match `x`, got shape {y.shape}")
    if np.all(x == x[0]):
        raise ValueError("`x` must contain at least two distinct values")
    rng = as_generator(seed)
    # fit in units of powers of two of x and y (exact rescaling): no overflow of the squares
    # for entries up to the float64 limit; slope and intercept are scaled back at the end
    cx, cy = _pow2_scale(x), _pow2_scale(y)
    x, y = x / cx, y / cy
    ybar = y if y.ndim == 1 else y.mean(axis=0)
    b, a = _ols(x, ybar)
    resid = ybar - (a + b * x)
    sst = np.sum((ybar - ybar.mean()) ** 2)
    r2 = 1.0 - np.sum(resid**2) / sst if sst > 0 else 1.0
    boots = np.empty(n_boot)
    if y.ndim == 2 and y.shape[0] > 1:
        r = y.shape[0]
        for k in range(n_boot):
            rows = rng.integers(0, r, size=r)
            boots[k] = _ols(x, y[rows].mean(axis=0))[0]
    else:
        m = x.shape[0]
        # rescale residuals for leverage-free small-sample inflation
        scale = np.sqrt(m / max(m - 2, 1))
        for k in range(n_boot):
            yb = a + b * x + scale * resid[rng.integers(0, m, size=m)]
            boots[k] = _ols(x, yb)[0]
    alpha = (1.0 - level) / 2.0
    lo, hi = np.quantile(boots, [alpha, 1.0 - alpha])
    unit = cy / cx  # slope units of the rescaled fit
    return RateFit(float(b * unit), float(a * cy), (float(lo * unit), float(hi * unit)), level,
                   float(r2), int(x.shape[0]))


def _pow2_scale(v: np.ndarray) -> float:
    """A power of two near ``max|v|`` (1 for an all-zero array)."""
    m = float(np.abs(v).max(initial=0.0))
    return math.ldexp(1.0, math.frexp(m)[1]) if m > 0 else 1.0


def fit_loglog(sizes, values, *, kind: str = "power", **kwargs) -> RateFit:
    """Transform and fit a rate.

    Parameters
    ----------
    sizes : array_like, shape (m,)
        Positive sizes (T, k, n, 1/eps, ...), ``m >= 3``, at least two distinct.
    values : array_like, shape (m,) or (r, m)
        Positive measurements (regret, residual, ...), replicates in rows.
    kind : {"power", "log", "geometric"}
        ``"power"``: slope of log(values) on log(sizes) (the exponent p of y ~ x^p).
        ``"log"``: slope of log(values) on log(log(sizes)) (1 for y ~ log x; sizes must be > e).
        ``"geometric"``: slope of log(values) on sizes (log q for y ~ q^k).
    **kwargs
        Passed to :func:`fit_slope`.

    Returns
    -------
    RateFit
        Slope of log(values) on the transformed sizes, with its bootstrap interval.
    """
    sizes = as_float_array(sizes, "sizes", ndim=1, positive=True, min_size=3)
    values = as_float_array(values, "values", ndim=(1, 2), positive=True)
    check_option(kind, "kind", ("power", "log", "geometric"))
    if values.shape[-1] != sizes.shape[0]:
        raise ValueError(f"`values` must have {sizes.shape[0]} columns to match `sizes`, got "
                         f"shape {values.shape}")
    if np.all(sizes == sizes[0]):
        raise ValueError("`sizes` must contain at least two distinct values")
    if kind == "power":
        x = np.log(sizes)
    elif kind == "log":
        if np.any(sizes <= np.e):
            raise ValueError("`sizes` must exceed e for kind='log'")
        x = np.log(np.log(sizes))
    else:  # "geometric"
        x = sizes
    return fit_slope(x, np.log(values), **kwargs)
