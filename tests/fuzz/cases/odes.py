"""Fuzz baselines of ``equilibria.odes``: the generic dynamics machinery and the models."""

from tests.fuzz.cases.odes_dynamics import CASES as _DYN_CASES
from tests.fuzz.cases.odes_dynamics import EXEMPT as _DYN_EXEMPT
from tests.fuzz.cases.odes_models import CASES as _MODEL_CASES
from tests.fuzz.cases.odes_models import EXEMPT as _MODEL_EXEMPT

CASES = [*_DYN_CASES, *_MODEL_CASES]
EXEMPT = {**_DYN_EXEMPT, **_MODEL_EXEMPT}
