"""The package's theorems in your own test suite.

::

    # test_my_hedge.py (run by pytest)
    from equilibria.testing import assert_theorem

    def test_my_hedge_meets_the_hedge_bound():
        assert_theorem("online.hedge_regret", algorithm=MyHedge)

:func:`assert_theorem` draws instances from the theorem's assumptions and raises
``AssertionError`` with a readable report (statement, source, measured value, bound and the
instance) when the bound fails on one, or when most of its instances are vacuous.  With
hypothesis installed the instances are hypothesis-drawn (the theorem's ``strategy``, or its
sampler with a drawn seed and drawn sizes), so a failure shrinks to a small instance and
hypothesis prints it as a ``Falsifying example`` reproducing it; without hypothesis the
seeded sampler of ``equilibria verify`` draws them.  hypothesis is imported only when the
function is called (it is a test dependency, not one of the package's).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from equilibria._lib.rng import named_seed
from equilibria._lib.validation import check_int
from equilibria.verification import MAX_VACUOUS_FRACTION, Theorem, check, get

__all__ = ["assert_theorem"]

_MAX_REPR = 600


def _short(obj) -> str:
    with np.printoptions(threshold=10, edgeitems=2, precision=4):
        text = repr(obj)
    return text if len(text) <= _MAX_REPR else text[:_MAX_REPR] + " ...(truncated)"


def _who(algorithm) -> str:
    if algorithm is None:
        return "the package's implementation"
    return getattr(algorithm, "__name__", None) or type(algorithm).__name__


def _report(thm: Theorem, algorithm, what: str, instance=None) -> str:
    lines = [f"{thm.name} failed for {_who(algorithm)}: {what}",
             f"  statement: {thm.statement}", f"  source: {thm.source}"]
    if instance is not None:
        lines.append(f"  instance: {_short(instance)}")
    if thm.protocol and algorithm is not None:
        lines.append(f"  protocol: {thm.protocol}")
    return "\n".join(lines)


class _Tally:
    """Per-instance judgement of a bound, counting vacuous instances."""

    def __init__(self, thm: Theorem, algorithm):
        self.thm, self.algorithm = thm, algorithm
        self.n = self.vacuous = 0

    def __call__(self, instance) -> None:
        thm = self.thm
        measured, bound, trivial = thm.evaluate_instance(instance, algorithm=self.algorithm)
        self.n += 1
        if not (np.isfinite(measured) and np.isfinite(bound)):
            raise AssertionError(_report(thm, self.algorithm, f"non-finite measured {measured} "
                                         f"or bound {bound}", instance))
        if not thm.holds(measured, bound):
            ratio = measured / bound if bound > 0 else float("inf")
            raise AssertionError(_report(thm, self.algorithm, f"measured {measured:.6g} > bound "
                                         f"{bound:.6g} (ratio {ratio:.4g})", instance))
        if not bound < trivial:
            self.vacuous += 1

    def finish(self) -> None:
        if self.n and self.vacuous > MAX_VACUOUS_FRACTION * self.n:
            raise AssertionError(_report(
                self.thm, self.algorithm, f"{self.vacuous}/{self.n} instances vacuous (bound at "
                "or above the trivial maximum of the measured quantity): the check cannot fail"))


def _strategy(thm: Theorem):
    from hypothesis import strategies as st

    if thm.strategy is not None:
        return thm.strategy()
    sample = thm.sample

    def draw(seed, **sizes):
        return sample(np.random.default_rng(seed), **sizes)

    draw.__name__ = draw.__qualname__ = getattr(sample, "__name__", "sample")
    sizes = {key: st.integers(lo, hi) for key, (lo, hi) in thm.sizes}
    return st.builds(draw, seed=st.integers(0, 2**32 - 1), **sizes)


def assert_theorem(name, *, algorithm=None, instances=None, max_examples=None,
                   seed: int = 0) -> None:
    """Assert that a registered theorem holds (optionally for your implementation).

    Parameters
    ----------
    name : str or Theorem
        Registered name (``"online.hedge_regret"``; list them with ``equilibria verify
        --list``) or a :class:`~equilibria.verification.Theorem`.
    algorithm : object, optional
        Your implementation, checked in place of the package's; it must follow the theorem's
        ``protocol`` (``equilibria verify --describe NAME``).  ``ValueError`` when the theorem
        takes none.
    instances : iterable, optional
        Your own instances (of the type the theorem's ``sample`` returns), each checked; no
        drawing then.  Only for theorems with a per-instance ``evaluate``.
    max_examples : int, optional
        Number of drawn instances (hypothesis examples): default the theorem's ``examples``,
        else the active hypothesis profile's ``max_examples`` (without hypothesis: the
        theorem's quick instance count).
    seed : int
        Master seed of the seeded fallback and of theorems that run a whole experiment
        (``experiment(rng, quick)``, checked by :func:`~equilibria.verification.check`).

    Returns
    -------
    None
        Returns when the theorem holds on every instance and at most half of them are
        vacuous.

    Raises
    ------
    AssertionError
        With a report naming the theorem, its statement and source, the measured value and
        the bound, and the instance (hypothesis adds the shrunk ``Falsifying example``).
    ValueError
        When ``algorithm`` is given to a theorem without a user implementation, or
        ``instances`` to one without a per-instance ``evaluate``.
    """
    thm = name if isinstance(name, Theorem) else get(name)
    seed = check_int(seed, "seed", lo=0)
    if max_examples is not None:
        max_examples = check_int(max_examples, "max_examples", lo=1)
    if algorithm is not None and not thm.accepts_algorithm:
        raise ValueError(f"theorem {thm.name!r} does not take a user implementation (no "
                         "`algorithm` keyword; see `equilibria verify --describe`)")
    per_instance = thm.evaluate is not None and (thm.sample is not None
                                                 or thm.strategy is not None)
    if instances is not None:
        if thm.evaluate is None:
            raise ValueError(f"theorem {thm.name!r} draws its own instances (it has an "
                             "`experiment`); `instances` needs a sample/evaluate theorem")
        if isinstance(instances, (str, bytes)) or not hasattr(instances, "__iter__"):
            raise TypeError(f"`instances` must be an iterable of instances, got "
                            f"{type(instances).__name__}")
        tally = _Tally(thm, algorithm)
        for inst in instances:
            tally(inst)
        if tally.n == 0:
            raise ValueError("`instances` is empty")
        tally.finish()
        return
    try:
        import hypothesis  # noqa: F401  (a test dependency, imported only here)
        have_hypothesis = True
    except ImportError:
        have_hypothesis = False
    if not per_instance or (not have_hypothesis and thm.sample is None):
        out = check(thm, algorithm=algorithm, quick=True, seed=seed)
        if not out.passed:
            raise AssertionError(out.summary())
        return
    tally = _Tally(thm, algorithm)
    if not have_hypothesis:
        assert thm.sample is not None
        rng = np.random.default_rng(named_seed(seed, thm.name))
        n = max_examples or thm.examples or thm.n_instances[0]
        for _ in range(n):
            tally(thm.sample(rng))
        tally.finish()
        return
    from hypothesis import HealthCheck, Phase, given, settings

    def holds(instance):
        tally(instance)

    holds.__name__ = holds.__qualname__ = f"assert_{thm.name.replace('.', '_')}"
    # one example-database entry per theorem and implementation
    holds._hypothesis_internal_add_digest = (  # type: ignore[attr-defined]
        f"{thm.name}|{_who(algorithm)}".encode())
    # no deadline (first calls compile kernels); no "explain" phase (its lines name this
    # module's code, not the user's)
    options: dict[str, Any] = {
        "deadline": None, "suppress_health_check": [HealthCheck.too_slow],
        "phases": [ph for ph in settings().phases if ph is not Phase.explain]}
    n = max_examples or thm.examples
    if n is not None:
        options["max_examples"] = n
    settings(**options)(given(instance=_strategy(thm))(holds))()
    tally.finish()
