"""Shared test configuration.

hypothesis profiles: ``ci`` (derandomized, reproducible; selected by HYPOTHESIS_PROFILE=ci, set
by .ci/run), ``dev`` (default) and ``thorough`` (more examples, for local runs).  The rooms'
generic theorem tests (``tests/_strategies.py``) inherit the active profile; a theorem's
``examples`` field overrides ``max_examples`` for that theorem (slow ones), as a
``@settings(max_examples=...)`` on a hand-written test does.

The package lives in one folder, ``equilibria/``, so tests import the same code whether the
checkout root is on ``sys.path`` (``python -m pytest``) or the installed copy is used
(``pytest`` after ``pip install .``).
"""

import os
import pathlib

import matplotlib
import pytest
from hypothesis import HealthCheck, settings

matplotlib.use("Agg")

settings.register_profile(
    "ci", derandomize=True, max_examples=25, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "dev", max_examples=25, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "thorough", max_examples=300, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(scope="session", autouse=True)
def warm_kernels(request):
    """The one warm-kernel fixture: compile (or load) the kernels of every room whose tests
    were collected, once per session (see ``tests/_warm.py``)."""
    from tests._warm import warm

    here = pathlib.Path(__file__).parent
    rooms = set()
    for item in request.session.items:
        try:
            rel = pathlib.Path(item.fspath).resolve().relative_to(here.resolve())
        except ValueError:
            continue
        if len(rel.parts) > 1:
            rooms.add(rel.parts[0])
    warm(rooms)
