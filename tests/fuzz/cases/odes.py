"""Fuzz baselines of ``equilibria.odes``: the generic dynamics machinery and the models."""

from tests.fuzz.cases.odes_dynamics import CASES as _DYN_CASES
from tests.fuzz.cases.odes_dynamics import EXEMPT as _DYN_EXEMPT
from tests.fuzz.cases.odes_models import CASES as _MODEL_CASES
from tests.fuzz.cases.odes_models import EXEMPT as _MODEL_EXEMPT

CASES = [*_DYN_CASES, *_MODEL_CASES]
EXEMPT = {**_DYN_EXEMPT, **_MODEL_EXEMPT}

# the discretisation-drift module's cases live in their own module
from tests.fuzz.cases.odes_drift import CASES as _DRIFT_CASES  # noqa: E402
from tests.fuzz.cases.odes_drift import EXEMPT as _DRIFT_EXEMPT  # noqa: E402

CASES += _DRIFT_CASES
EXEMPT.update(_DRIFT_EXEMPT)

# the common-pool-resource module's cases live in their own module
from tests.fuzz.cases.odes_cpr import CASES as _CPR_CASES  # noqa: E402
from tests.fuzz.cases.odes_cpr import EXEMPT as _CPR_EXEMPT  # noqa: E402

CASES += _CPR_CASES
EXEMPT.update(_CPR_EXEMPT)
