"""A user's implementation on the policy room's experiment theorems (issue 13, last four).

Protocols (``equilibria.solvers.policy.theorems``): a constrained-RLHF solver returning its
policy (``policy.constrained_rlhf``), a GARDO run returning its policy path
(``policy.gardo_beats_uniform_kl``, ``policy.gardo_sampled_true_reward``) and an unregularized
proxy ascent returning its policy path (``policy.goodhart_curve``).  For each: (1) the
package's implementation through the protocol passes and agrees with the default run; (2) a
realistic wrong implementation fails; (3) a malformed return raises naming ``algorithm``.
Every quantity is recomputed from the returned policies.
"""

import numpy as np
import pytest

from equilibria.solvers.policy import theorems as T
from equilibria.solvers.policy._common import init_logits, pg_step, softmax
from equilibria.solvers.policy.constrained import constrained_rlhf
from equilibria.solvers.policy.gardo import gardo
from equilibria.theory import alignment as al
from equilibria.verification import check


def _run(name, algorithm=None):
    out = check(name, algorithm=algorithm, quick=True, seed=0)
    assert out.error is None, out.error
    return out


def _fails(name, algorithm):
    assert _run(name, algorithm).passed is False


def _rows(fn, algorithm=None):
    """Measured and bound rows of an experiment function (seed 0, quick)."""
    data = fn(np.random.default_rng(0), True, algorithm=algorithm)
    return np.asarray(data.measured, float), np.asarray(data.bound, float)


# --- policy.constrained_rlhf --------------------------------------------------------------

def _constrained(env, th, beta):
    return constrained_rlhf(env, th, beta=beta).policy


def _constrained_loose(env, th, beta):
    """A too-loose stopping rule: tol = 1e-2 instead of 1e-6."""
    return constrained_rlhf(env, th, beta=beta, tol=1e-2).policy


def _constraints_skipped(env, th, beta):
    """The constraints dropped: the KL-regularized optimum of the summed components."""
    return al.kl_regularized_policy(env.pi_ref, env.components.sum(axis=1), beta).policy


def test_constrained_protocol():
    name = "policy.constrained_rlhf"
    assert _run(name).passed and _run(name, _constrained).passed
    md, bd = _rows(T._constrained)
    mu, bu = _rows(T._constrained, _constrained)
    np.testing.assert_allclose(mu[:2], md[:2], atol=1e-6)
    np.testing.assert_allclose(bu[:2], bd[:2], atol=1e-6)
    _fails(name, _constrained_loose)
    _fails(name, _constraints_skipped)
    with pytest.raises(TypeError, match="algorithm"):
        T._constrained(np.random.default_rng(0), True, algorithm=lambda e, th, b: None)
    with pytest.raises(ValueError, match="algorithm.*shape"):
        T._constrained(np.random.default_rng(0), True, algorithm=lambda e, th, b: np.ones(3))
    assert check(name, algorithm=lambda e, th, b: "pi", quick=True).error


# --- policy.goodhart_curve ----------------------------------------------------------------

def _ascent(pi_ref, r, lr, n_steps, update="mirror"):
    """The package's exact unregularized ascent (policy_gradient's step) with its path."""
    z = init_logits(pi_ref)
    pi = softmax(z)
    path = [pi]
    for _ in range(n_steps):
        z, _ = pg_step(z, pi, r, lr, update=update)
        pi = softmax(z)
        path.append(pi)
    return np.asarray(path)


def _ascent_slow(pi_ref, r, lr, n_steps):
    """A wrong step size: lr / 10."""
    return _ascent(pi_ref, r, lr / 10.0, n_steps)


def _descent(pi_ref, r, lr, n_steps):
    """A sign error: descent on the proxy."""
    return _ascent(pi_ref, -r, lr, n_steps)


def test_goodhart_protocol():
    name = "policy.goodhart_curve"
    assert _run(name).passed and _run(name, _ascent).passed
    md, bd = _rows(T._goodhart)
    mu, bu = _rows(T._goodhart, _ascent)
    # the default run records every 5th step, the user's path every step
    np.testing.assert_allclose(bu[:2], bd[:2], atol=1e-3)
    np.testing.assert_allclose(mu, md, atol=1e-10)
    _fails(name, _ascent_slow)
    _fails(name, _descent)
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="algorithm.*shape"):
        T._goodhart(rng, True, algorithm=lambda p, r, lr, n: _ascent(p, r, lr, n)[:-1])
    with pytest.raises(ValueError, match="algorithm.*shape"):
        T._goodhart(rng, True, algorithm=lambda p, r, lr, n: p)
    with pytest.raises(TypeError, match="algorithm"):
        T._goodhart(rng, True, algorithm=lambda p, r, lr, n: None)


# --- policy.gardo_beats_uniform_kl, policy.gardo_sampled_true_reward ------------------------

def _gardo_path(env, *, level=1.5, max_iter, **kw):
    """The package's GARDO iterates as a path: the run of t steps for t = 1, 2, ... (a run is
    a prefix of a longer one with the same seed), ending once the proxy reaches ``level``."""
    rows = [env.pi_ref.copy()]
    for t in range(1, max_iter + 1):
        rows.append(gardo(env, max_iter=t, record_every=t, **kw).policy)
        if rows[-1] @ env.r_proxy >= level:
            break
    return np.asarray(rows)


def _gardo_exact(env, seed):
    return _gardo_path(env, lr=0.02, max_iter=150)


def _gardo_exact_no_gate(env, seed):
    """The gated KL step skipped (beta = 0): plain amplified proxy ascent."""
    return _gardo_path(env, lr=0.02, max_iter=150, beta=0.0)


def _gardo_exact_no_diversity(env, seed):
    """The diversity amplification skipped (diversity = 0)."""
    return _gardo_path(env, lr=0.02, max_iter=150, diversity=0.0)


def _gardo_sampled(env, seed, **kw):
    return _gardo_path(env, lr=1.0, max_iter=100, update="pg", seed=seed, oracle="sampled", **kw)


def _gardo_sampled_small_step(env, seed):
    """A wrong step size: lr = 0.1 instead of 1 (the 100-step budget misses the level)."""
    return _gardo_path(env, lr=0.1, max_iter=100, update="pg", seed=seed, oracle="sampled")


@pytest.mark.parametrize("name, fn, good, wrongs", [
    ("policy.gardo_beats_uniform_kl", T._gardo, _gardo_exact,
     [_gardo_exact_no_gate, _gardo_exact_no_diversity]),
    ("policy.gardo_sampled_true_reward", T._gardo_sampled, _gardo_sampled,
     [_gardo_sampled_small_step]),
])
def test_gardo_path_protocol(name, fn, good, wrongs):
    assert _run(name).passed and _run(name, good).passed
    md, bd = _rows(fn)
    mu, bu = _rows(fn, good)
    k = md.size
    np.testing.assert_allclose(mu[:k], md, atol=1e-9)
    np.testing.assert_allclose(bu[:k], bd, atol=1e-9)
    for wrong in wrongs:
        _fails(name, wrong)
    # a path that does not start at pi_ref is judged a violation, not an error
    _fails(name, lambda env, seed: good(env, seed)[1:])
    rng = np.random.default_rng(0)
    with pytest.raises(TypeError, match="algorithm"):
        fn(rng, True, algorithm=lambda env, seed: None)
    with pytest.raises(TypeError, match="algorithm"):
        fn(rng, True, algorithm=lambda env, seed: "path")
    with pytest.raises(ValueError, match="algorithm.*shape"):
        fn(rng, True, algorithm=lambda env, seed: env.pi_ref)
    with pytest.raises(ValueError, match="algorithm.*shape"):
        fn(rng, True, algorithm=lambda env, seed: np.ones((3, env.pi_ref.size + 1)))
