import numpy as np
import pytest
import sympy as sp

from equilibria._lib.result import ConvergenceWarning
from equilibria.odes import CoexistenceModel, lv_competition, replicator, simulate_field
from equilibria.theory.symbolic import SymbolicField, glv_field


@pytest.fixture(scope="module")
def lock_in_sym():
    M = CoexistenceModel.preset("lock_in")
    S = M.system
    return S, glv_field(S.r, S.A, kind="holling", M=S.M, q=S.q)


def test_symbolic_jacobian_matches_analytic(lock_in_sym):
    S, F = lock_in_sym
    x = np.random.default_rng(0).uniform(0.1, 2, S.n)
    np.testing.assert_allclose(F.field(x), S.field(x), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(F.jacobian_at(x), S.jacobian(x), rtol=1e-12, atol=1e-12)


def test_compiled_simulation_matches_builtin_kernel():
    from equilibria.odes import mutualism
    S = mutualism([0.2, -0.5], [1.0, 1.0], [[0, 1.6], [3.0, 0]], saturation=1.0)
    F = glv_field(S.r, S.A, kind="holling", M=S.M, q=S.q)
    x0 = np.array([0.4, 0.6])
    t = np.linspace(0, 30, 7)
    tr = simulate_field(F, x0, 30.0, t_eval=t, rtol=1e-10, atol=1e-12)
    assert tr.success
    np.testing.assert_allclose(tr.y, S.simulate(x0, 30.0, t_eval=t, rtol=1e-10, atol=1e-12).y,
                               rtol=1e-9, atol=1e-11)


def test_symbolic_equilibria_competition():
    S = lv_competition([1.0, 1.0], [1.0, 1.0], [[1.0, 0.5], [0.5, 1.0]])
    F = glv_field(S.r, S.A)
    sym = sorted(map(tuple, F.equilibria()))
    num = sorted(map(tuple, S.equilibria().points))
    np.testing.assert_allclose(np.array(sym), np.array(num), rtol=1e-12, atol=1e-12)


def test_symbolic_parameters_and_replicator():
    x, y, a, b = sp.symbols("x y a b")
    F = SymbolicField((x * (a - x - y), y * (b - y - x / 2)), (x, y), (a, b))
    sols = F.equilibria()  # symbolic in a, b
    assert {sp.simplify(s[x]) for s in sols if s[x] != 0 and s[y] != 0} == \
        {sp.simplify(2 * a - 2 * b)}
    np.testing.assert_allclose(F.field([1.0, 1.0], [2.0, 3.0]), [0.0, 1.5], rtol=0, atol=1e-14)
    R = replicator(np.array([[0.0, 2.0], [1.0, 0.0]]))
    G = glv_field(R.r, R.A, kind="replicator")
    xs = np.array([0.3, 0.7])
    np.testing.assert_allclose(G.field(xs), R.field(xs), rtol=1e-12, atol=1e-14)


def test_bad_symbolic_input():
    x, y = sp.symbols("x y")
    with pytest.raises(ValueError, match="`exprs`"):
        SymbolicField((x,), (x, y))
    with pytest.raises(ValueError, match="`exprs`"):
        SymbolicField((x * y,), (x,))  # y is neither a state nor a parameter
    F = SymbolicField((x * (1 - x),), (x,))
    with pytest.raises(ValueError, match="`x0`"):
        simulate_field(F, [np.nan], 1.0)
    with pytest.raises(ValueError, match="`rtol`"):
        simulate_field(F, [0.5], 1.0, rtol=-1.0)
    with pytest.raises(ValueError, match="`A`"):
        glv_field([1.0], np.ones((1, 2)))
    with pytest.raises(ValueError, match="`M`"):
        glv_field([1.0], -np.eye(1), kind="holling")
    with pytest.raises(ValueError, match="`kind`"):
        glv_field([1.0], -np.eye(1), kind="logistic")


def test_symbolic_divergence_warns_not_silent_nan():
    x = sp.symbols("x")
    F = SymbolicField((x * x,), (x,))  # blows up at t = 1 from x0 = 1
    with pytest.warns(ConvergenceWarning, match="bound"):
        tr = simulate_field(F, [1.0], 2.0, bound=1e6)
    assert not tr.success and np.isnan(tr.y[-1]).all()
