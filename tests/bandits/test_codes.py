"""One definition of the integer codes: the policy / environment classes carry enum members of
``equilibria.bandits._codes`` and the kernels compare with int copies of the same members."""

import inspect

import numpy as np

import equilibria.bandits as B
from equilibria.bandits import _codes
from equilibria.bandits._kernels import linear, mab, ofs

FAMILY_ENUM = {"mab": _codes.PolicyCode, "linear": _codes.LinearPolicyCode,
               "dynlin": _codes.DynLinPolicyCode, "ofs": _codes.ThresholdPolicyCode}


def _policies():
    yield from (B.ThompsonSampling(prior="gaussian"), B.DynLinUCB(ignore_dynamics=True))
    for name in B.__all__:
        obj = getattr(B, name)
        if inspect.isclass(obj) and hasattr(obj, "_compile"):
            yield obj()


def test_every_policy_code_is_a_member_of_its_family_enum():
    seen = {}
    for pol in _policies():
        enum = FAMILY_ENUM[pol.family]
        assert isinstance(pol.code, enum), (type(pol).__name__, pol.code)
        seen.setdefault(pol.family, set()).add(pol.code)
    # every code of every family is used by some policy
    for family, enum in FAMILY_ENUM.items():
        assert seen[family] == set(enum), family


def test_environment_codes_are_env_code_members():
    envs = [B.BernoulliArms([0.1, 0.2]), B.GaussianArms([0.1, 0.2]), B.BoundedArms([0.1, 0.2]),
            B.AdversarialSequence(np.zeros((3, 2)))]
    assert [e.env_code for e in envs] == list(_codes.EnvCode)
    assert all(isinstance(e.env_code, _codes.EnvCode) for e in envs)


def test_kernel_constants_are_the_enum_values():
    for mod, enum in ((mab, _codes.PolicyCode), (mab, _codes.EnvCode),
                      (linear, _codes.LinearPolicyCode), (ofs, _codes.ThresholdPolicyCode)):
        for member in enum:
            if hasattr(mod, member.name):
                const = getattr(mod, member.name)
                assert type(const) is int and const == member.value, (mod.__name__, member)
    assert all(hasattr(mab, m.name) for m in (*_codes.PolicyCode, *_codes.EnvCode))


def test_simulate_shows_a_progress_bar_by_default_over_chunks(capsys):
    import equilibria

    env = B.BernoulliArms([0.2, 0.8])
    # default None: the package option, "auto" (a terminal or a notebook) unless set
    assert inspect.signature(B.simulate).parameters["progress"].default is None
    B.simulate(env, B.UCB1(), 20, n_runs=4, seed=0, n_chunks=2, progress=True)
    assert "simulate UCB1" in capsys.readouterr().err
    B.simulate(env, B.UCB1(), 20, n_runs=4, seed=0, n_chunks=2, progress=False)
    assert capsys.readouterr().err == ""
    # the serial path (no executor, no n_chunks) has a bar over the runs too
    with equilibria.options(progress=True):
        B.simulate(env, B.UCB1(), 20, n_runs=4, seed=0)
    err = capsys.readouterr().err
    assert "simulate UCB1" in err and "/4 " in err   # a bar over the 4 runs
    with equilibria.options(progress=False):
        B.simulate(env, B.UCB1(), 20, n_runs=4, seed=0)
    assert capsys.readouterr().err == ""