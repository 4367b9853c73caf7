"""The :class:`Theorem` record and the evidence its experiment returns.

A theorem the package states is data: its source, its statement in words, its assumptions, the
bound as a function of an instance (and as a sympy expression where it has a closed form), and
an experiment that draws instances satisfying the assumptions and measures them.

Two kinds of statements:

``kind="bound"``
    Per instance, a measured value and the bound it must not exceed.  Give either
    ``sample(rng) -> instance`` together with ``evaluate(instance) -> (measured, bound)``
    (the registry draws ``n_instances`` instances), or a custom
    ``experiment(rng, quick) -> BoundData`` when instances share work.  Passes when every
    instance satisfies ``measured <= bound + atol + rtol * |bound|``.  Properties
    (invariants, certificates) are bounds with ``measured`` = violation and ``bound`` = 0 or a
    tolerance.

``kind="rate"``
    ``experiment(rng, quick) -> RateData``: sizes, measurements (replicates in rows) and the
    transform; the slope is fitted with a bootstrap interval (:func:`~.rates.fit_loglog`) and
    passes when the whole interval lies inside ``band``.

Property tests call the same code: ``thm.check(instance)`` on instances drawn by hypothesis.
A theorem carries what they need, as plain data, so that the package does not import
hypothesis (a test dependency): ``sizes`` names the size keywords of ``sample`` with small
integer ranges (hypothesis chooses them and a seed for the rest, so a failing instance shrinks to
a small one), ``strategy`` optionally replaces that default by a function returning a hypothesis
strategy of instances (it imports hypothesis when called, never at import time), and
``examples`` caps the number of examples for slow theorems.  ``tests/_strategies.py`` builds the
strategies.

Rooms declare theorems with the :func:`~.registry.theorem` decorator on the ``evaluate`` (or
``experiment``) function; the statement is the function's docstring's first paragraph.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Mapping
from typing import Any, Callable

import numpy as np

from equilibria._lib.rng import as_generator
from equilibria._lib.validation import (as_float_array, check_callable, check_int, check_option,
                                        check_scalar)

from .rates import RateFit, _check_band, fit_loglog

__all__ = ["Theorem", "BoundData", "RateData", "Outcome"]


@dataclasses.dataclass(frozen=True)
class BoundData:
    """Per-instance measured values and bounds (1-D arrays of equal length).

    Attributes
    ----------
    measured : ndarray (n,)
        Measured value per instance (real numbers; scalars and lists are converted to 1-D
        float arrays; NaN and infinities are kept and judged as failures).
    bound : ndarray (n,)
        The bound each measured value must not exceed, same shape as ``measured``.
    detail : str
        Free text appended to the report row.
    trivial : ndarray (n,) or None
        Per instance, the largest value the measured quantity can take at all (e.g.
        ``n * max gap`` for a regret, 1 for a probability, the diameter for a distance); a
        bound at or above it is *vacuous* on that instance (it cannot fail).  ``None`` when
        the quantity has no finite maximum; then every instance counts as informative.
    """

    measured: Any
    bound: Any
    detail: str = ""
    trivial: Any = None

    def __post_init__(self):
        # non-finite measurements are evidence (judged as failures), not invalid input
        m = np.atleast_1d(as_float_array(self.measured, "measured", finite=False))
        b = np.atleast_1d(as_float_array(self.bound, "bound", finite=False))
        _check_text(self.detail, "detail")
        if m.shape != b.shape or m.ndim != 1:
            raise ValueError(f"BoundData: `measured` and `bound` must be 1-D of equal length, got "
                             f"{m.shape} and {b.shape}")
        object.__setattr__(self, "measured", m)
        object.__setattr__(self, "bound", b)
        if self.trivial is not None:
            t = np.broadcast_to(np.atleast_1d(as_float_array(self.trivial, "trivial",
                                                             finite=False)), m.shape).copy()
            if np.any(np.isnan(t)):
                raise ValueError("`trivial` must not be NaN (use inf for 'no finite maximum')")
            object.__setattr__(self, "trivial", t)

    @property
    def informative(self) -> np.ndarray:
        """Per instance: whether the bound is below the trivial maximum (it could fail)."""
        if self.trivial is None:
            return np.ones(self.measured.shape, dtype=bool)
        return self.bound < self.trivial


@dataclasses.dataclass(frozen=True)
class RateData:
    """Sizes and measurements for a slope fit (see :func:`~.rates.fit_loglog`).

    ``values`` has shape ``(len(sizes),)`` or ``(n_replicates, len(sizes))``; ``kind`` is
    ``"power"``, ``"log"`` or ``"geometric"``.

    Attributes
    ----------
    sizes : array_like (m,)
        Positive finite problem sizes (T, k, n, 1/eps, ...); stored as a float array.
    values : array_like (m,) or (n_replicates, m)
        Positive finite measurements, replicates in rows; stored as a float array.
    kind : {"power", "log", "geometric"}
        Transform passed to :func:`~.rates.fit_loglog`.
    detail : str
        Free text appended to the report row.
    """

    sizes: Any
    values: Any
    kind: str = "power"
    detail: str = ""

    def __post_init__(self):
        sizes = as_float_array(self.sizes, "sizes", ndim=1, positive=True, min_size=1)
        values = as_float_array(self.values, "values", ndim=(1, 2), positive=True, min_size=1)
        if values.shape[-1] != sizes.shape[0]:
            raise ValueError(f"`values` must have {sizes.shape[0]} columns to match `sizes`, "
                             f"got shape {values.shape}")
        check_option(self.kind, "kind", ("power", "log", "geometric"))
        _check_text(self.detail, "detail")
        object.__setattr__(self, "sizes", sizes)
        object.__setattr__(self, "values", values)


@dataclasses.dataclass(frozen=True)
class Outcome:
    """One row of a verification report."""

    name: str
    kind: str
    source: str
    passed: bool
    measured: float
    bound: Any
    ratio: float
    n_instances: int
    seconds: float
    detail: str = ""
    fit: RateFit | None = None
    error: str | None = None

    def as_json(self) -> dict:
        d = dataclasses.asdict(self)
        d["fit"] = dataclasses.asdict(self.fit) if self.fit is not None else None
        if isinstance(self.bound, tuple):
            d["bound"] = list(self.bound)
        for k in ("measured", "ratio"):
            v = d[k]
            d[k] = None if v is None or not np.isfinite(v) else float(v)
        return d


def _check_text(value, name: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"`{name}` must be a string, got {type(value).__name__}")
    return value


def _ratio(measured: float, bound: float, ok: bool) -> float:
    """``measured / bound`` for a positive bound; otherwise 0 when the instance passes (within
    the slack) and ``inf`` when it fails."""
    if bound > 0 and np.isfinite(bound) and np.isfinite(measured):
        return measured / bound
    return 0.0 if ok else np.inf


def _band_ratio(ci, band, passed: bool) -> float:
    """Rate theorems: the largest distance of a CI end from the band's centre, in units of
    the band's half-width (``<= 1`` exactly when the whole interval lies inside the band)."""
    lo, hi = band
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return 0.0 if passed else np.inf
    c, h = 0.5 * (lo + hi), 0.5 * (hi - lo)
    return float(max(abs(ci[0] - c), abs(ci[1] - c)) / h)


@dataclasses.dataclass(frozen=True)
class Theorem:
    """A stated theorem, bound or rate, with the experiment that checks it.

    Parameters
    ----------
    name : str
        Registry key, dotted by room: ``"online.hedge_regret"``.
    source : str
        Paper and theorem number, e.g. ``"Freund & Schapire (1997), Thm 2; Cesa-Bianchi &
        Lugosi (2006), Thm 2.2"``.
    statement : str
        The statement in words, with its constants.
    assumptions : tuple of str
        The assumptions instances are drawn from.
    kind : {"bound", "rate"}
    sample : callable, optional
        ``sample(rng) -> instance`` drawing an instance from the assumptions (bound kind).
    evaluate : callable, optional
        ``evaluate(instance) -> (measured, bound)`` (bound kind).
    experiment : callable, optional
        ``experiment(rng, quick) -> BoundData | RateData``.
    n_instances : (int, int)
        Instances drawn in quick and full mode when ``sample``/``evaluate`` are used.
    band : (float, float), optional
        Admissible slope interval (rate kind).
    expression : sympy.Expr, optional
        The bound in closed form.
    rtol, atol : float
        Floating-point slack for bound comparisons.
    sizes : mapping of str to (int, int), optional
        Size keywords of ``sample`` (``n``, ``K``, ``T``, ...) with the small inclusive integer
        ranges property tests draw them from: a test calls ``sample(rng, **sizes)`` with the
        sizes and the seed of ``rng`` chosen by hypothesis, so a failure shrinks to a small
        instance.  Stored as a tuple of ``(name, (lo, hi))`` pairs (``dict(thm.sizes)``);
        every name must be a parameter of ``sample``.
    strategy : callable, optional
        ``strategy() -> hypothesis.strategies.SearchStrategy`` of instances for property
        tests, replacing the default built from ``sample`` and ``sizes``.  It must import
        hypothesis inside its body (hypothesis is a test dependency only).
    examples : int, optional
        Maximum number of hypothesis examples in property tests (slow theorems); ``None``
        uses the active hypothesis profile's ``max_examples``.
    """

    name: str
    source: str
    statement: str
    assumptions: tuple = ()
    kind: str = "bound"
    sample: Callable | None = None
    evaluate: Callable | None = None
    experiment: Callable | None = None
    n_instances: tuple = (20, 200)
    band: tuple | None = None
    expression: Any = None
    rtol: float = 1e-9
    atol: float = 0.0
    sizes: Any = ()
    strategy: Callable | None = None
    examples: int | None = None

    def __post_init__(self):
        check_option(self.kind, "kind", ("bound", "rate"))
        if not self.name or not isinstance(self.name, str):
            raise ValueError(f"`name` must be a non-empty string, got {self.name!r}")
        _check_text(self.source, "source")
        _check_text(self.statement, "statement")
        for role in ("sample", "evaluate", "experiment"):
            if getattr(self, role) is not None:
                check_callable(getattr(self, role), role)
        object.__setattr__(self, "rtol", check_scalar(self.rtol, "rtol", lo=0.0))
        object.__setattr__(self, "atol", check_scalar(self.atol, "atol", lo=0.0))
        if self.band is not None:
            object.__setattr__(self, "band", _check_band(self.band))
        if self.kind == "rate":
            if self.experiment is None or self.band is None:
                raise ValueError(f"rate theorem {self.name!r} needs `experiment` and `band`")
        else:
            has_pair = self.sample is not None and self.evaluate is not None
            if not has_pair and self.experiment is None:
                raise ValueError(f"bound theorem {self.name!r} needs `sample` and `evaluate`, or "
                                 "`experiment`")
        object.__setattr__(self, "assumptions", tuple(self.assumptions))
        q, f = self.n_instances
        object.__setattr__(self, "n_instances", (check_int(q, "n_instances[0]", lo=1),
                                                 check_int(f, "n_instances[1]", lo=1)))
        object.__setattr__(self, "sizes", self._check_sizes(self.sizes))
        if self.strategy is not None and not callable(self.strategy):
            raise TypeError(f"theorem {self.name!r}: `strategy` must be callable")
        if self.examples is not None:
            object.__setattr__(self, "examples", check_int(self.examples, "examples", lo=1))

    def _check_sizes(self, sizes) -> tuple:
        items = tuple(sizes.items()) if isinstance(sizes, Mapping) else tuple(sizes)
        if not items:
            return ()
        if self.sample is None:
            raise ValueError(f"theorem {self.name!r}: `sizes` needs `sample`")
        params = inspect.signature(self.sample).parameters
        var_kw = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
        out = []
        for key, bounds in items:
            if not var_kw and key not in params:
                raise ValueError(f"theorem {self.name!r}: size {key!r} is not a parameter of "
                                 f"sample {getattr(self.sample, '__name__', self.sample)!r}")
            lo, hi = bounds
            lo = check_int(lo, f"sizes[{key!r}][0]")
            hi = check_int(hi, f"sizes[{key!r}][1]", lo=lo)
            out.append((str(key), (lo, hi)))
        return tuple(out)

    # -- per-instance API used by property tests ------------------------------------------
    def holds(self, measured: float, bound: float) -> bool:
        """Whether ``measured <= bound`` within the theorem's floating-point slack (both
        finite real numbers)."""
        measured = check_scalar(measured, "measured")
        bound = check_scalar(bound, "bound")
        return bool(measured <= bound + self.atol + self.rtol * abs(bound))

    def check(self, instance) -> tuple[float, float]:
        """Evaluate one instance and raise ``AssertionError`` if the bound fails.

        ``evaluate`` returns ``(measured, bound)`` or ``(measured, bound, trivial)`` (the
        largest value the measured quantity can take on the instance).  Returns
        ``(measured, bound)``.  Meant for hypothesis property tests.
        """
        if self.evaluate is None:
            raise TypeError(f"theorem {self.name!r} has no per-instance `evaluate`")
        out = self.evaluate(instance)
        measured, bound = float(out[0]), float(out[1])
        if not (np.isfinite(measured) and np.isfinite(bound)):
            raise AssertionError(f"{self.name}: non-finite measurement {measured} / bound {bound}")
        if not self.holds(measured, bound):
            raise AssertionError(f"{self.name} violated: measured {measured!r} > bound {bound!r} "
                                 f"on instance {instance!r} [{self.source}]")
        return measured, bound

    # -- the experiment ---------------------------------------------------------------------
    def run(self, rng: np.random.Generator, quick: bool = True):
        """Run the experiment and return its evidence (:class:`BoundData` or :class:`RateData`)."""
        if self.experiment is not None:
            return self.experiment(rng, quick)
        # __post_init__: without `experiment` the theorem is of bound kind with both callables
        assert self.sample is not None and self.evaluate is not None
        n = self.n_instances[0 if quick else 1]
        meas, bnd, triv = np.empty(n), np.empty(n), np.full(n, np.inf)
        for k in range(n):
            out = self.evaluate(self.sample(rng))
            meas[k], bnd[k] = out[0], out[1]
            if len(out) > 2:  # (measured, bound, trivial maximum of the measured quantity)
                triv[k] = out[2]
        return BoundData(meas, bnd, trivial=triv)

    def judge(self, evidence, *, seconds: float = 0.0, seed=0) -> Outcome:
        """Turn evidence into a report row.

        ``seconds`` (``>= 0``) is recorded; ``seed`` (``None``, an int ``>= 0``, a
        ``SeedSequence`` or a ``Generator``) seeds the bootstrap of a rate fit.  The row's
        ``ratio`` is ``measured / bound`` of the worst instance (0 for a passing instance
        with a bound ``<= 0``, ``inf`` for a failing one); for a rate theorem it is the
        distance of the slope's confidence interval from the band's centre in half-widths
        (``<= 1`` iff the interval lies inside the band).
        """
        seconds = check_scalar(seconds, "seconds", lo=0.0)
        if not isinstance(seed, (np.random.Generator, np.random.SeedSequence)):
            as_generator(seed)  # validates (names `seed`)
        if isinstance(evidence, RateData):
            if self.kind != "rate":
                raise TypeError(f"{self.name}: bound theorem returned RateData")
            assert self.band is not None  # __post_init__ requires `band` for rate theorems
            fit = fit_loglog(evidence.sizes, evidence.values, kind=evidence.kind, seed=seed)
            passed = fit.within(self.band)
            values = np.asarray(evidence.values)
            n = values.shape[0] if values.ndim == 2 else 1
            detail = (f"slope {fit.slope:.3f}, {int(fit.level * 100)}% CI "
                      f"[{fit.ci[0]:.3f}, {fit.ci[1]:.3f}], band [{self.band[0]:g}, "
                      f"{self.band[1]:g}], R^2={fit.r2:.3f}")
            if evidence.detail:
                detail += "; " + evidence.detail
            return Outcome(self.name, self.kind, self.source, passed, fit.slope, tuple(self.band),
                           _band_ratio(fit.ci, self.band, passed), n, seconds, detail, fit)
        if not isinstance(evidence, BoundData):
            raise TypeError(f"{self.name}: experiment must return BoundData or RateData, got "
                            f"{type(evidence).__name__}")
        m, b = evidence.measured, evidence.bound
        finite = np.isfinite(m) & np.isfinite(b)
        with np.errstate(invalid="ignore", over="ignore"):
            ok = finite & (m <= b + self.atol + self.rtol * np.abs(b))
        ratios = np.array([_ratio(mi, bi, oi) for mi, bi, oi in zip(m, b, ok, strict=True)])
        ratios[~finite] = np.inf
        worst = int(np.argmax(ratios)) if ratios.size else 0
        detail = evidence.detail
        if not finite.all():
            detail = (detail + "; " if detail else "") + f"{int((~finite).sum())} non-finite"
        if not ok.all():
            detail = (detail + "; " if detail else "") + f"{int((~ok).sum())}/{ok.size} violated"
        return Outcome(self.name, self.kind, self.source, bool(ok.all()), float(m[worst]),
                       float(b[worst]), float(ratios[worst]), int(m.size), seconds, detail)
