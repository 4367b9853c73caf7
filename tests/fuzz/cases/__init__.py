"""Baseline calls of every public name, one module per room.

Each module defines ``CASES`` (a list of :class:`tests.fuzz.harness.Case`) and ``EXEMPT``
(``{public name: reason}`` for names that take no fuzzable argument or are covered elsewhere).
"""

import importlib

from tests.fuzz.harness import ROOMS

MODULES = {room: f"tests.fuzz.cases.{room.replace('solvers.', '')}" for room in ROOMS}


def load(room):
    """``(CASES, EXEMPT)`` of a room (empty when its module does not exist yet)."""
    try:
        mod = importlib.import_module(MODULES[room])
    except ModuleNotFoundError as exc:
        if exc.name != MODULES[room]:
            raise
        return [], {}
    return list(mod.CASES), dict(mod.EXEMPT)
