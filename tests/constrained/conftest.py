import numpy as np
import pytest


@pytest.fixture(scope="session", autouse=True)
def _warm_kernels():
    """Compile the Kaczmarz kernel once per session."""
    from equilibria.solvers.constrained import sketch_solve
    K = np.array([[2.0, 1.0], [1.0, 0.0]])
    sketch_solve(K, np.ones(2), tol_abs=1e-8, method="kaczmarz", seed=0)
