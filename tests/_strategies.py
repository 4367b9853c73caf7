"""Hypothesis strategies of theorem instances, for the rooms' generic property tests.

Every per-instance theorem (``sample`` + ``evaluate``) is checked by one parametrized test per
room (``tests/<room>/test_theorems.py``)::

    @pytest.mark.parametrize("thm", room_theorems("odes"), ids=theorem_id)
    def test_theorem_holds_on_drawn_instances(thm):
        check_theorem(thm)

:func:`instances` is the strategy: ``thm.strategy()`` when the theorem has one, otherwise
``thm.sample(np.random.default_rng(seed), **sizes)`` with the seed and the size keywords of
``thm.sizes`` drawn by hypothesis (small integer ranges), so a failure shrinks towards small
sizes and seed 0 and is reported as ``sample_x(rng(seed=0), n=2)``, which reproduces it.
:func:`check_theorem` runs ``thm.check`` on ``thm.examples`` drawn instances (the active
profile's ``max_examples`` when ``None``; see ``tests/conftest.py`` for the profiles).

hypothesis is a test dependency: this module is imported by tests only, never by
``equilibria``.
"""

from __future__ import annotations

import importlib

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from equilibria._lib.rooms import theorem_modules
from equilibria.verification import REGISTRY, Theorem

__all__ = ["instances", "room_theorems", "check_theorem", "theorem_id", "seeds"]

#: seeds of ``np.random.default_rng`` (shrink towards 0)
seeds = st.integers(0, 2**32 - 1)


class _Draw:
    """``sample(rng(seed), **sizes)``, named after the sampler in falsifying examples."""

    def __init__(self, sample):
        self.sample = sample
        self.__name__ = getattr(sample, "__name__", "sample")

    def __call__(self, seed, **sizes):
        return self.sample(np.random.default_rng(seed), **sizes)

    def __repr__(self):
        return self.__name__


def instances(thm: Theorem) -> st.SearchStrategy:
    """Hypothesis strategy of instances of ``thm``.

    ``thm.strategy()`` if set; otherwise ``st.builds`` over ``thm.sample`` with a seed and the
    sizes of ``thm.sizes`` drawn as integers from their ranges.
    """
    if thm.strategy is not None:
        return thm.strategy()
    if thm.sample is None:
        raise TypeError(f"theorem {thm.name!r} has no per-instance `sample`")
    sizes = {key: st.integers(lo, hi) for key, (lo, hi) in thm.sizes}
    return st.builds(_Draw(thm.sample), seed=seeds, **sizes)


def room_theorems(room: str) -> list[Theorem]:
    """The registered per-instance theorems of ``room`` (``"odes"``, ``"online"``, ...), sorted.

    Imports only that room's ``theorems`` module, not the other rooms'.
    """
    mods = [m for m in theorem_modules() if m.split(".")[-2] == room]
    if not mods:
        raise KeyError(f"no room {room!r} registers theorems")
    for m in mods:
        importlib.import_module(m)
    out = [t for n, t in sorted(REGISTRY.items()) if n.split(".", 1)[0] == room
           and t.evaluate is not None and (t.sample is not None or t.strategy is not None)]
    if not out:
        raise KeyError(f"room {room!r} has no per-instance theorems")
    return out


def theorem_id(thm: Theorem) -> str:
    """pytest id: the theorem's name without the room prefix."""
    return thm.name.split(".", 1)[1]


def check_theorem(thm: Theorem) -> None:
    """``thm.check`` on instances drawn by :func:`instances` (``thm.examples`` of them)."""

    def holds(inst):
        thm.check(inst)

    holds.__name__ = holds.__qualname__ = f"holds_{thm.name.replace('.', '_')}"
    # one example database entry per theorem (the inner function's source is shared)
    holds._hypothesis_internal_add_digest = thm.name.encode()  # type: ignore[attr-defined]
    test = given(inst=instances(thm))(holds)
    if thm.examples is not None:
        test = settings(max_examples=thm.examples)(test)
    test()
