"""The one home of entropy / KL / chi-squared: known values, inequalities, validation."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from equilibria.theory import chi2_divergence, entropy, kl_divergence


def _simplex(seed, n):
    rng = np.random.default_rng(seed)
    p = rng.dirichlet(np.full(n, 0.5))
    return p / p.sum()


def test_known_values():
    p, q = np.array([0.5, 0.5]), np.array([0.9, 0.1])
    assert kl_divergence(p, q) == pytest.approx(0.5 * math.log(0.5 / 0.9) + 0.5 * math.log(5))
    assert chi2_divergence(p, q) == pytest.approx(0.16 / 0.9 + 0.16 / 0.1)
    assert entropy(p) == pytest.approx(math.log(2))
    assert kl_divergence([1.0, 0.0], [0.0, 1.0]) == math.inf
    assert chi2_divergence([1.0, 0.0], [0.0, 1.0]) == math.inf
    assert kl_divergence([0.0, 1.0], [0.5, 0.5]) == pytest.approx(math.log(2))


@given(st.integers(0, 2**32 - 1), st.integers(2, 12))
def test_pinsker_and_chi2_dominate_kl(seed, n):
    """Pinsker: KL >= ||p - q||_1^2 / 2; and KL <= log(1 + chi2) (Jensen); 0 <= H <= log n."""
    p, q = _simplex(seed, n), _simplex(seed + 1, n)
    q = 0.9 * q + 0.1 / n  # q-a.c. everywhere
    kl, c2 = kl_divergence(p, q), chi2_divergence(p, q)
    assert kl >= 0.5 * np.abs(p - q).sum() ** 2 - 1e-12
    assert kl <= math.log1p(c2) + 1e-12
    assert -1e-12 <= entropy(p) <= math.log(n) + 1e-12
    assert kl_divergence(p, p) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("fn", [kl_divergence, chi2_divergence])
def test_validation_names_the_argument(fn):
    with pytest.raises(ValueError, match="`p`"):
        fn([-0.1, 1.1], [0.5, 0.5])
    with pytest.raises(ValueError, match="`q`"):
        fn([0.5, 0.5], [np.nan, 0.5])
    with pytest.raises(ValueError, match="same shape"):
        fn([0.5, 0.5], [0.2, 0.3, 0.5])
    with pytest.raises(ValueError, match="`p`"):
        entropy([0.5, -0.5])


# ---- reliability (issue 12): the divergence helpers validate like every public function
_P, _Q = np.array([0.2, 0.3, 0.5]), np.array([0.4, 0.4, 0.2])


@pytest.mark.parametrize("bad", [np.array(["0.2", "0.3", "0.5"]), _P.astype(complex) + 1j,
                                 _P.astype(object), _P > 0.25, None, "0.2,0.3,0.5"])
@pytest.mark.parametrize("fn, which", [(kl_divergence, "p"), (kl_divergence, "q"),
                                       (chi2_divergence, "p"), (chi2_divergence, "q"),
                                       (entropy, "p")])
def test_non_numeric_input_is_rejected_naming_the_argument(fn, which, bad):
    args = {"p": _P, "q": _Q} if fn is not entropy else {"p": _P}
    args[which] = bad
    with pytest.raises(TypeError, match=f"`{which}`"):
        fn(**args)


@pytest.mark.parametrize("fn", [kl_divergence, chi2_divergence])
def test_divergences_take_vectors_only(fn):
    with pytest.raises(ValueError, match="`p`"):
        fn(_P[:, None], _Q[:, None])
    with pytest.raises(ValueError, match="`p`"):
        entropy(_P[:, None])
    with pytest.raises(ValueError, match="`q`"):
        fn(_P, np.array([]))


def test_overflow_is_an_error_not_a_silent_inf():
    # chi^2 = sum (p - q)^2 / q = 1e600: not representable; inf is reserved for "p not << q"
    with pytest.raises(ValueError, match="`p` and `q`"):
        chi2_divergence([1e300, 0.5], [0.5, 0.5])
    with pytest.raises(ValueError, match="`p` and `q`"):
        kl_divergence([1e308, 1.0], [1e-308, 1.0])
    with pytest.raises(ValueError, match="`p`"):
        entropy([1e308, 1e308])
    # large but representable: finite and exact
    np.testing.assert_allclose(chi2_divergence([1e150, 0.5], [0.5, 0.5]), 2e300, rtol=1e-12)
    assert chi2_divergence([1.0, 0.0], [0.0, 1.0]) == math.inf


def test_equivalent_inputs_give_the_same_value():
    for fn, args in ((kl_divergence, (_P, _Q)), (chi2_divergence, (_P, _Q)), (entropy, (_P,))):
        base = fn(*args)
        ro = [a.copy() for a in args]
        for a in ro:
            a.flags.writeable = False
        assert fn(*[a.tolist() for a in args]) == base
        assert fn(*ro) == base
        assert fn(*[a[::-1][::-1] for a in args]) == base
        np.testing.assert_allclose(fn(*[a.astype(np.float32) for a in args]), base, rtol=1e-6)
