"""Integer codes (and shared constants) through which the bandits classes talk to the kernels.

Every policy object carries ``code`` and every finite-armed environment ``env_code``;
:func:`~equilibria.bandits.simulate` passes ``int(code)`` to the compiled kernel of the family
(:mod:`._kernels`).  The kernels compare it with plain-int copies made at module level
(``UCB1 = int(PolicyCode.UCB1)``), which numba compiles in as constants, so each code is
written once, here.

numba's on-disk cache keys a compiled kernel on its own source file and freezes global
constants at compile time: after changing a value in this file, delete the ``*.nbi`` / ``*.nbc``
files in ``equilibria/bandits/_kernels/__pycache__`` so the kernels recompile.
"""

from __future__ import annotations

import enum

__all__ = ["PolicyCode", "LinearPolicyCode", "DynLinPolicyCode", "ThresholdPolicyCode",
           "EnvCode", "SHARE_MIN", "SHARE_MAX"]


class PolicyCode(enum.IntEnum):
    """Policies of the finite-armed engine (:func:`._kernels.mab.mab_kernel`).

    The index policies (UCB1 .. MOSS and UCB-E) pull every arm once, then play the argmax of an
    index; the exponential-weights family (EXP3 .. LOG_BARRIER) samples from a distribution.
    """

    UCB1 = 0  # Auer, Cesa-Bianchi, Fischer (2002)
    UCBV = 1  # Audibert, Munos, Szepesvari (2009)
    KLUCB = 2  # Garivier & Cappe (2011); Lattimore & Szepesvari (2020), Alg. 8
    MOSS = 3  # Audibert & Bubeck (2009)
    TS_BETA = 4  # Thompson sampling, Beta posteriors (Agrawal & Goyal 2012)
    TS_GAUSSIAN = 5  # Thompson sampling, Gaussian posteriors (Agrawal & Goyal 2013)
    EXP3 = 6  # Lattimore & Szepesvari (2020), Alg. 9
    EXP3IX = 7  # Neu (2015)
    TSALLIS_INF = 8  # Zimmert & Seldin (2021)
    LOG_BARRIER = 9  # log-barrier FTRL (Foster et al. 2016; Wei & Luo 2018)
    UCBE = 10  # Audibert, Bubeck, Munos (2010)
    PHASE_ELIMINATION = 11  # successive rejects, sequential halving, DP elimination
    ROUND_ROBIN = 12  # uniform baseline


class LinearPolicyCode(enum.IntEnum):
    """Policies of the linear engine (:func:`._kernels.linear.linear_kernel`)."""

    OFUL = 0  # OFUL / LinUCB (Abbasi-Yadkori, Pal, Szepesvari 2011)
    LINEAR_TS = 1  # linear Thompson sampling (Agrawal & Goyal 2013)


class DynLinPolicyCode(enum.IntEnum):
    """Policies of the dynamical linear engine (:func:`._kernels.dynlin.dynlin_kernel`).

    Both run the same epoch loop; the myopic baseline differs only through its parameters
    (no burn-in, one round per epoch, no bias term), so the kernel does not branch on the code.
    """

    DYNLIN_UCB = 0  # Mussi, Metelli, Restelli (2023)
    MYOPIC_OFUL = 1  # ``DynLinUCB(ignore_dynamics=True)``


class ThresholdPolicyCode(enum.IntEnum):
    """Policies of the closed-loop threshold engine (:func:`._kernels.ofs.ofs_kernel`)."""

    OFS = 0  # Optimistic Feasible Search
    PRIMAL_DUAL = 1  # optimistic Lagrangian with projected dual ascent
    UNCONSTRAINED = 2  # UCB on the reward, constraints ignored


class EnvCode(enum.IntEnum):
    """Reward models of the finite-armed engine (``env_code`` of the environments)."""

    BERNOULLI = 0
    GAUSSIAN = 1  # ``env_par[0]`` = sigma
    BOUNDED = 2  # Beta rewards on [0, 1], ``env_par[0]`` = concentration
    ADVERSARIAL = 3  # oblivious table ``adv[t, i]``


#: bounds of the group-1 share in :class:`~equilibria.bandits.ThresholdEnvironment`'s population
#: response ``clip(pi0 + gamma (a1 - a0), SHARE_MIN, SHARE_MAX)`` (the environment's stationary
#: analysis and the simulation kernel use the same clip)
SHARE_MIN = 0.02
SHARE_MAX = 0.98
