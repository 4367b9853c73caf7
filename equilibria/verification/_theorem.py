"""The :class:`Theorem` record and the evidence its experiment returns.

A theorem the package states is data: its source, its statement in words, its assumptions, the
bound as a function of an instance (and as a sympy expression where it has a closed form), and
an experiment that draws instances satisfying the assumptions and measures them.

Two kinds of statements:

``kind="bound"``
    Per instance, a measured value and the bound it must not exceed.  Give either
    ``sample(rng) -> instance`` together with ``evaluate(instance) -> (measured, bound)``
    or ``(measured, bound, trivial)`` (the registry draws ``n_instances`` instances), or a
    custom ``experiment(rng, quick) -> BoundData`` when instances share work.  Passes when
    every instance satisfies ``measured <= bound + atol + rtol * |bound|`` and at most half of
    the instances are vacuous (bound at or above ``trivial``, the largest value the measured
    quantity can take: such an instance cannot fail).  Properties (invariants, certificates)
    are bounds with ``measured`` = violation and ``bound`` = 0 or a tolerance.

``kind="rate"``
    ``experiment(rng, quick) -> RateData``: sizes, measurements (replicates in rows) and the
    transform; the slope is fitted with a bootstrap interval (:func:`~.rates.fit_loglog`) and
    passes when the whole interval lies inside ``band``.

A theorem whose ``evaluate``/``experiment`` takes an ``algorithm`` keyword checks a user's
implementation in place of the package's (``verify(..., algorithm=obj)``, ``check``); its
``protocol`` field says what the object must provide.

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
    """One row of a verification report.

    Attributes
    ----------
    name, kind, source : str
        The theorem's registry key, kind (``"bound"`` or ``"rate"``) and source.
    passed : bool
        Whether the theorem held (and, for a bound, was informative on most instances).
    measured, bound : float
        The worst instance's measured value and bound (rate theorems: the fitted slope and the
        band).
    ratio : float
        Worst ratio: ``measured / bound`` of the informative instance closest to violating the
        bound (rate theorems: the CI's distance from the band's centre in half-widths).
    n_instances : int
        Instances (rate theorems: replicates) behind the row.
    seconds : float
        Wall time of the experiment and judgement.
    detail : str
        Free text: the slope fit, vacuous or violated counts, an error.
    fit : RateFit or None
        The slope fit of a rate theorem.
    error : str or None
        Traceback when the experiment raised.
    n_informative : int or None
        Bound theorems: instances whose bound is below the trivial maximum of the measured
        quantity (the rest are vacuous: they cannot fail).  ``None`` for rate theorems.
    best_ratio : float or None
        Bound theorems: the smallest ``measured / bound`` over informative instances (the
        instance farthest from the bound); ``None`` for rate theorems and when no instance is
        informative.
    statement : str
        The theorem's statement.
    evidence : BoundData or RateData or None
        The experiment's evidence (per-instance values, or sizes and measurements), for
        JSON and plotted reports.
    """

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
    n_informative: int | None = None
    best_ratio: float | None = None
    statement: str = ""
    # arrays: kept out of == and repr
    evidence: Any = dataclasses.field(default=None, compare=False, repr=False)

    def as_json(self) -> dict:
        """The row as JSON-ready data (non-finite numbers become ``None``), with the
        per-instance values: ``instances`` holds ``measured``, ``bound``, ``trivial`` (``None``
        where unknown or infinite) and ``informative`` lists for a bound theorem, ``sizes``
        and ``values`` for a rate theorem.

        Returns
        -------
        dict
        """
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
             if f.name not in ("fit", "evidence")}
        d["fit"] = dataclasses.asdict(self.fit) if self.fit is not None else None
        if isinstance(self.bound, tuple):
            d["bound"] = list(self.bound)
        elif self.bound is not None:
            d["bound"] = _finite_or_none(self.bound)
        for k in ("measured", "ratio", "best_ratio"):
            d[k] = _finite_or_none(d[k])
        ev = self.evidence
        if isinstance(ev, BoundData):
            trivial = ev.trivial if ev.trivial is not None else np.full(ev.measured.shape, np.inf)
            d["instances"] = {"measured": [_finite_or_none(v) for v in ev.measured],
                              "bound": [_finite_or_none(v) for v in ev.bound],
                              "trivial": [_finite_or_none(v) for v in trivial],
                              "informative": [bool(v) for v in ev.informative]}
        elif isinstance(ev, RateData):
            d["instances"] = {"sizes": [float(v) for v in ev.sizes],
                              "values": np.asarray(ev.values).tolist(), "transform": ev.kind}
        else:
            d["instances"] = None
        return d

    def summary(self) -> str:
        """A readable multi-line report of this row (what :func:`check` users print).

        Returns
        -------
        str
        """
        lines = [f"{self.name} ({self.kind}): {'pass' if self.passed else 'FAIL'}",
                 f"  statement: {self.statement}" if self.statement else "",
                 f"  source: {self.source}"]
        if self.kind == "rate" and self.fit is not None:
            lines.append(f"  slope {self.measured:.4g}, band {self.bound}, "
                         f"CI [{self.fit.ci[0]:.4g}, {self.fit.ci[1]:.4g}]")
        elif self.error is None:
            best = "-" if self.best_ratio is None else f"{self.best_ratio:.4g}"
            lines.append(f"  worst instance: measured {self.measured:.6g} vs bound "
                         f"{self.bound:.6g} (ratio {self.ratio:.4g}); best ratio {best}; "
                         f"informative {self.n_informative}/{self.n_instances}")
        if self.detail:
            lines.append(f"  detail: {self.detail}")
        if self.error:
            lines.append("  " + self.error.rstrip().replace("\n", "\n  "))
        return "\n".join(line for line in lines if line)

    def __str__(self) -> str:
        return self.summary()


def _finite_or_none(v):
    try:
        v = float(v)
    except (TypeError, ValueError):
        return None
    return v if np.isfinite(v) else None


def _check_text(value, name: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"`{name}` must be a string, got {type(value).__name__}")
    return value


def _check_optional_text(value, name: str) -> str | None:
    """``None`` or a non-empty string (stripped of surrounding whitespace)."""
    if value is None:
        return None
    _check_text(value, name)
    if not value.strip():
        raise ValueError(f"`{name}` must be None or a non-empty string, got {value!r}")
    return value.strip()


#: a bound theorem fails when more than this fraction of its instances is vacuous
MAX_VACUOUS_FRACTION = 0.5


def _takes_algorithm(fn) -> bool:
    """Whether ``fn`` has a parameter named ``algorithm`` that can be passed by keyword."""
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    p = params.get("algorithm")
    return p is not None and p.kind in (inspect.Parameter.KEYWORD_ONLY,
                                        inspect.Parameter.POSITIONAL_OR_KEYWORD)


def _trivial_or_none(trivial: np.ndarray):
    """``None`` when no instance gave a trivial maximum (all ``inf``), else the array."""
    return None if np.all(np.isposinf(trivial)) else trivial


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
    tightness : str, optional
        For a bound theorem: the instance family on which the bound is nearly attained and
        the test that checks it (``"... (tests/<room>/<file>.py::<test>, ratio >= r)"``), or a
        sentence saying why none is known (an exact agreement check, a convergence limit).
        Every registered bound theorem has one (``tests/verification/
        test_tightness_recorded.py`` checks that, and that each cited test exists).
    protocol : str, optional
        The callable protocol a user's implementation must follow to be checked in place of
        the package's (``verify(..., algorithm=obj)``, :func:`~.registry.check`): e.g. "a
        learner with ``predict() -> weights`` and ``update(loss)``".  Meaningful when the
        ``evaluate``/``experiment`` function takes an ``algorithm`` keyword.
    no_algorithm : str, optional
        For a theorem that takes no user implementation: the sentence saying why (a closed
        form, a property of the model rather than of an algorithm, a fixed Monte Carlo
        reference).  Every registered theorem has exactly one of an ``algorithm`` keyword (with
        its ``protocol``) or this reason (``tests/verification/test_protocol_recorded.py``).

    Notes
    -----
    A theorem *accepts a user implementation* (:attr:`accepts_algorithm`) when the function
    :meth:`run` calls (``experiment`` if given, else ``evaluate``) has a parameter named
    ``algorithm``; it receives the user's object, and is called without it (its default, the
    package's own implementation) otherwise.
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
    tightness: str | None = None
    protocol: str | None = None
    no_algorithm: str | None = None

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
        for key in ("tightness", "protocol", "no_algorithm"):
            object.__setattr__(self, key, _check_optional_text(getattr(self, key), key))
        if self.no_algorithm is not None and self.accepts_algorithm:
            raise ValueError(f"theorem {self.name!r}: `no_algorithm` says why no user "
                             "implementation is taken, but its function takes `algorithm`")

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
    @property
    def accepts_algorithm(self) -> bool:
        """Whether the function :meth:`run` calls takes an ``algorithm`` keyword (a user's
        implementation in place of the package's)."""
        fn = self.experiment if self.experiment is not None else self.evaluate
        return fn is not None and _takes_algorithm(fn)

    def _algorithm_kw(self, algorithm, fn) -> dict:
        if algorithm is None:
            return {}
        if fn is None or not _takes_algorithm(fn):
            raise ValueError(f"theorem {self.name!r} does not take a user implementation (its "
                             f"{'experiment' if fn is self.experiment else 'evaluate'} function "
                             "has no `algorithm` keyword); call it without `algorithm`")
        return {"algorithm": algorithm}

    def evaluate_instance(self, instance, *, algorithm=None) -> tuple[float, float, float]:
        """``(measured, bound, trivial)`` of one instance (``trivial`` is ``inf`` when
        ``evaluate`` returns only ``(measured, bound)``).

        Parameters
        ----------
        instance : object
            An instance of the type ``sample`` returns (see ``equilibria verify --describe``).
        algorithm : object, optional
            The user's implementation, passed to ``evaluate`` as ``algorithm=`` (the theorem
            must accept one; see :attr:`protocol`).

        Returns
        -------
        tuple of float
        """
        if self.evaluate is None:
            raise TypeError(f"theorem {self.name!r} has no per-instance `evaluate`")
        out = self.evaluate(instance, **self._algorithm_kw(algorithm, self.evaluate))
        try:
            n_out = len(out)
        except TypeError:
            n_out = 0
        if n_out not in (2, 3):
            raise TypeError(f"theorem {self.name!r}: evaluate must return (measured, bound) or "
                            f"(measured, bound, trivial), got {out!r}")
        return float(out[0]), float(out[1]), float(out[2]) if n_out == 3 else np.inf

    def holds(self, measured: float, bound: float) -> bool:
        """Whether ``measured <= bound`` within the theorem's floating-point slack (both
        finite real numbers)."""
        measured = check_scalar(measured, "measured")
        bound = check_scalar(bound, "bound")
        return bool(measured <= bound + self.atol + self.rtol * abs(bound))

    def check(self, instance, *, algorithm=None) -> tuple[float, float]:
        """Evaluate one instance and raise ``AssertionError`` if the bound fails.

        ``evaluate`` returns ``(measured, bound)`` or ``(measured, bound, trivial)`` (the
        largest value the measured quantity can take on the instance).  Returns
        ``(measured, bound)``.  Meant for hypothesis property tests; ``algorithm`` is passed
        to ``evaluate`` (a theorem that accepts a user implementation).
        """
        measured, bound, _ = self.evaluate_instance(instance, algorithm=algorithm)
        if not (np.isfinite(measured) and np.isfinite(bound)):
            raise AssertionError(f"{self.name}: non-finite measurement {measured} / bound {bound}")
        if not self.holds(measured, bound):
            raise AssertionError(f"{self.name} violated: measured {measured!r} > bound {bound!r} "
                                 f"on instance {instance!r} [{self.source}]")
        return measured, bound

    # -- the experiment ---------------------------------------------------------------------
    def check_instances(self, instances) -> list:
        """The user's ``instances`` as a non-empty list, for a sample/evaluate theorem.

        Raises ``ValueError`` when the theorem draws its own instances (an ``experiment``) or
        ``instances`` is empty, ``TypeError`` when it is not an iterable.
        """
        if self.evaluate is None:
            raise ValueError(f"theorem {self.name!r} draws its own instances (it has an "
                             "`experiment`, no per-instance `evaluate`); `instances` needs a "
                             "sample/evaluate theorem")
        if isinstance(instances, (str, bytes)) or not hasattr(instances, "__iter__"):
            raise TypeError(f"`instances` must be an iterable of instances, got "
                            f"{type(instances).__name__}")
        items = list(instances)
        if not items:
            raise ValueError("`instances` is empty")
        return items

    def run(self, rng: np.random.Generator, quick: bool = True, *, algorithm=None,
            instances=None):
        """Run the experiment and return its evidence (:class:`BoundData` or :class:`RateData`).

        ``algorithm`` (a user's implementation) is passed as ``algorithm=`` to the function
        that runs (``ValueError`` naming the theorem when it takes none).  ``instances`` (an
        iterable of instances of the type ``sample`` returns) replaces sampling: each is
        evaluated once (sample/evaluate theorems only; ``ValueError`` otherwise).
        """
        if instances is not None:
            items = self.check_instances(instances)
            self._algorithm_kw(algorithm, self.evaluate)  # fail before the first instance
            vals = [self.evaluate_instance(inst, algorithm=algorithm) for inst in items]
            meas, bnd, triv = (np.array(v) for v in zip(*vals, strict=True))
            return BoundData(meas, bnd, trivial=_trivial_or_none(triv))
        if self.experiment is not None:
            return self.experiment(rng, quick, **self._algorithm_kw(algorithm, self.experiment))
        # __post_init__: without `experiment` the theorem is of bound kind with both callables
        assert self.sample is not None and self.evaluate is not None
        self._algorithm_kw(algorithm, self.evaluate)
        n = self.n_instances[0 if quick else 1]
        meas, bnd, triv = np.empty(n), np.empty(n), np.full(n, np.inf)
        for k in range(n):
            meas[k], bnd[k], triv[k] = self.evaluate_instance(self.sample(rng),
                                                              algorithm=algorithm)
        return BoundData(meas, bnd, trivial=_trivial_or_none(triv))

    def judge(self, evidence, *, seconds: float = 0.0, seed=0) -> Outcome:
        """Turn evidence into a report row.

        ``seconds`` (``>= 0``) is recorded; ``seed`` (``None``, an int ``>= 0``, a
        ``SeedSequence`` or a ``Generator``) seeds the bootstrap of a rate fit.

        Bound theorems.  An instance is *informative* when its bound is below the trivial
        maximum of the measured quantity (:attr:`BoundData.informative`; every instance is
        informative when the evidence gives no ``trivial``), *vacuous* otherwise: a vacuous
        instance cannot fail.  The theorem passes when every instance satisfies
        ``measured <= bound + atol + rtol * |bound|`` **and** at most half of its instances
        are vacuous (more than ``MAX_VACUOUS_FRACTION = 0.5`` of them vacuous fails the
        theorem: its check could not have caught a wrong bound or implementation).  The row's
        ``ratio`` (the *worst* ratio) is ``measured / bound`` of the informative (or
        violating) instance closest to its bound, and ``best_ratio`` the smallest ratio over
        informative instances (0 for a passing instance with a bound ``<= 0``, ``inf`` for a
        failing one); ``n_informative`` counts the informative instances and ``detail`` flags
        the vacuous ones.

        Rate theorems.  ``ratio`` is the distance of the slope's confidence interval from the
        band's centre in half-widths (``<= 1`` iff the interval lies inside the band).
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
                           _band_ratio(fit.ci, self.band, passed), n, seconds, detail, fit,
                           statement=self.statement, evidence=evidence)
        if not isinstance(evidence, BoundData):
            raise TypeError(f"{self.name}: experiment must return BoundData or RateData, got "
                            f"{type(evidence).__name__}")
        m, b = evidence.measured, evidence.bound
        n = int(m.size)
        if n == 0:
            return Outcome(self.name, self.kind, self.source, False, np.nan, np.nan, np.nan, 0,
                           seconds, "no instances", n_informative=0, statement=self.statement,
                           evidence=evidence)
        informative = evidence.informative
        finite = np.isfinite(m) & np.isfinite(b)
        with np.errstate(invalid="ignore", over="ignore"):
            ok = finite & (m <= b + self.atol + self.rtol * np.abs(b))
        ratios = np.array([_ratio(mi, bi, oi) for mi, bi, oi in zip(m, b, ok, strict=True)])
        ratios[~finite] = np.inf
        # the worst row is taken over the instances that could fail, plus any failure
        counted = informative | ~ok
        pool = np.where(counted)[0] if counted.any() else np.arange(n)
        worst = int(pool[np.argmax(ratios[pool])])
        best = float(ratios[informative].min()) if informative.any() else None
        n_inf = int(informative.sum())
        n_vac = n - n_inf
        mostly_vacuous = n_vac > MAX_VACUOUS_FRACTION * n
        notes = [evidence.detail] if evidence.detail else []
        if not finite.all():
            notes.append(f"{int((~finite).sum())} non-finite")
        if not ok.all():
            notes.append(f"{int((~ok).sum())}/{n} violated")
        if n_vac:
            notes.append(f"{n_vac}/{n} vacuous (bound >= trivial maximum)"
                         + ("; more than half vacuous: the check cannot fail" if mostly_vacuous
                            else ""))
        return Outcome(self.name, self.kind, self.source, bool(ok.all()) and not mostly_vacuous,
                       float(m[worst]), float(b[worst]), float(ratios[worst]), n, seconds,
                       "; ".join(notes), n_informative=n_inf, best_ratio=best,
                       statement=self.statement, evidence=evidence)
