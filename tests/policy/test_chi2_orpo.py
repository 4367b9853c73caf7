"""The chi^2 occupancy regularizer against the authors' code (ORPO, Laidlaw et al. 2025).

Pins, on hand-computed values, what github.com/cassidylaidlaw/orpo (commit 95cd1fa) and
github.com/cassidylaidlaw/llm_optimization (commit ff5c7bb) compute:

- orpo.py l. 817-818: ``chi2_hat = mean_{(s,a) ~ mu_pi}(exp(d) - 1)`` with the logistic
  discriminator's optimum ``d = log(mu_pi / mu_ref)``: Pearson chi^2(mu_pi || mu_ref), the
  reference in the denominator (the package's ``OccupancyResult.chi2``);
- llm_optimization modeling.py l. 54: ``mean((w - 1) + (1/w - 1))``, the same quantity;
- the ORPO rewards: ``-c (exp(d) - 1)`` ("chi2", l. 817, 957-959) has the stationary points of
  ``form="square"`` with ``lam = c / 2``; ``-lam (exp(d) - 1) / sqrt(chi2_hat)`` ("sqrt_chi2",
  l. 836) those of ``form="sqrt"`` with the same ``lam``;

and that the ``policy.chi2_*`` theorems take a user's solver (``algorithm=``, issue 13): the
package's passes, a solver with the chi^2 term doubled or with KL on actions fails.
"""

import math
import warnings

import numpy as np
import pytest

from equilibria.solvers.policy import chi2_occupancy_policy, random_mdp
from equilibria.solvers.policy import occupancy as occ
from equilibria.solvers.policy import theorems as pth
from equilibria.theory.alignment import occupancy_measure, soft_value_iteration
from equilibria.theory.divergences import chi2_divergence
from equilibria.verification import check

NU = np.array([0.5, 0.3, 0.2])  # reference (one state, gamma = 0: occupancy = policy)
MU = np.array([0.2, 0.5, 0.3])
CHI2 = 109 / 300  # 0.09/0.5 + 0.04/0.3 + 0.01/0.2, by hand
CHI2_REVERSED = 169 / 300  # chi2(NU || MU) = 0.09/0.2 + 0.04/0.5 + 0.01/0.3: not the one used
R_HAND = np.array([[-0.6, 2 / 3, 0.5]])  # = MU/NU - 1, centred under NU (E_NU r = 0)


def _bandit():
    """One state, three actions, gamma = 0: every distribution is an occupancy measure."""
    return random_mdp(1, 3, gamma=0.0, seed=0)


def test_orpo_and_rlhf_estimators_equal_pearson_chi2_on_hand_values():
    """ORPO's discriminator estimate and the RLHF code's estimate both equal the hand value
    chi2(MU || NU) = 109/300 (not the reversed 169/300), on ten samples drawn in the exact
    proportions of MU (2, 5, 3) with the discriminator at its optimum d = log(MU / NU)."""
    assert chi2_divergence(MU, NU) == pytest.approx(CHI2, rel=1e-14, abs=0.0)
    assert chi2_divergence(NU, MU) == pytest.approx(CHI2_REVERSED, rel=1e-14, abs=0.0)
    samples = np.repeat(np.arange(3), [2, 5, 3])
    d = np.log(MU / NU)[samples]
    orpo = float(np.mean(np.exp(d) - 1))  # orpo.py l. 817-818
    w = np.exp(d)
    rlhf = float(np.mean((w - 1) + (1 / w - 1)))  # modeling.py l. 42-54 (below the clip)
    np.testing.assert_allclose([orpo, rlhf], [CHI2, CHI2], rtol=1e-13, atol=0)
    # per-sample terms by hand: exp(d) - 1 = (-0.6, 2/3, 0.5); (w-1)^2/w = (0.9, 4/15, 1/6)
    np.testing.assert_allclose(np.exp(np.log(MU / NU)) - 1, [-0.6, 2 / 3, 0.5], rtol=1e-13,
                               atol=1e-15)
    np.testing.assert_allclose((MU / NU - 1) ** 2 / (MU / NU), [0.9, 4 / 15, 1 / 6],
                               rtol=1e-13, atol=0)


def test_square_form_optimum_is_the_orpo_chi2_fixed_point_with_c_equal_two_lam():
    """Hand solution: with r = MU/NU - 1 (centred under NU) and lam = 1/2 the interior optimum
    of <mu, r> - lam chi2 is NU (1 + (r - E_NU r) / (2 lam)) = MU, chi2 = 109/300, value
    109/600.  ORPO's "chi2" reward with c = 2 lam = 1 makes the augmented reward
    r - c (mu/nu - 1) flat at MU (every policy optimal: MU is its fixed point); with c = lam
    it is not flat (so ORPO's c is the package's 2 lam)."""
    res = chi2_occupancy_policy(_bandit(), R_HAND, NU[None, :], 0.5, form="square")
    assert res.success
    np.testing.assert_allclose(res.occupancy[0], MU, rtol=0, atol=1e-6)
    np.testing.assert_allclose([res.chi2, res.objective], [CHI2, CHI2 / 2], rtol=0, atol=1e-6)
    w = res.occupancy[0] / NU
    flat = R_HAND[0] - 1.0 * (w - 1)  # c = 2 lam
    assert np.ptp(flat) < 1e-5
    half = R_HAND[0] - 0.5 * (w - 1)  # c = lam: the wrong correspondence
    np.testing.assert_allclose(half, [-0.3, 1 / 3, 0.25], rtol=0, atol=1e-5)


def test_sqrt_form_threshold_is_sigma_of_the_proxy_on_a_bandit():
    """On a bandit, <mu - nu, r> <= sigma_nu(r) sqrt(chi2) (Cauchy-Schwarz, equality along
    r - E_nu r), so the sqrt-form optimum stays at the reference exactly when lam >= sigma;
    here sigma^2 = Var_NU(r) = 109/300 by hand."""
    sigma = math.sqrt(float(NU @ R_HAND[0] ** 2))
    assert sigma**2 == pytest.approx(CHI2, rel=1e-13, abs=0)
    mdp = _bandit()
    stay = chi2_occupancy_policy(mdp, R_HAND, NU[None, :], 1.05 * sigma)
    move = chi2_occupancy_policy(mdp, R_HAND, NU[None, :], 0.95 * sigma)
    assert stay.success and move.success
    assert stay.chi2 < 1e-8 < 1e-2 < move.chi2


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_orpo_rewards_have_the_package_optima_as_fixed_points(seed):
    """On drawn MDPs, the cvxpy optimum of each form is a fixed point of ORPO's augmented
    reward (Frank-Wolfe gap of the linear objective <mu', g> at mu* below the conic solver's
    accuracy): g = r - lam (w - 1) / sqrt(chi2) for form="sqrt", g = r - 2 lam (w - 1) for
    form="square"; with the ORPO-"chi2" coefficient c = lam instead, the gap is large."""
    rng = np.random.default_rng(seed)
    mdp = random_mdp(3, 3, gamma=0.6, seed=seed)
    ref = rng.dirichlet(np.full(3, 2.0), size=3)
    r = rng.normal(size=(3, 3))
    mu_ref = occupancy_measure(mdp.P, ref, mdp.rho0, mdp.gamma)

    def fw_gap(res, g):
        best = occ._optimal_value(mdp.P, g, mdp.gamma, mdp.rho0, res.policy)
        return best - float((res.occupancy * g).sum())

    sq = chi2_occupancy_policy(mdp, r, ref, 0.3)
    assert sq.success and sq.chi2 > 1e-3
    w = sq.occupancy / mu_ref
    assert fw_gap(sq, r - 0.3 * (w - 1) / math.sqrt(sq.chi2)) < 1e-4
    pen = chi2_occupancy_policy(mdp, r, ref, 0.3, form="square")
    w = pen.occupancy / mu_ref
    assert fw_gap(pen, r - 2 * 0.3 * (w - 1)) < 1e-7
    assert fw_gap(pen, r - 0.3 * (w - 1)) > 1e-3


# -- issue 13: the policy.chi2_* theorems take a user's solver ---------------------------------
CHI2_THEOREMS = ["policy.chi2_regularization_no_drop", "policy.chi2_occupancy_ascent",
                 "policy.chi2_penalty_drop_bound"]


def package_solver(mdp, r, pi_ref, lam, *, form):
    """The package's solver through CHI2_PROTOCOL."""
    return chi2_occupancy_policy(mdp, r, pi_ref, lam, form=form).occupancy


def package_ascent(mdp, r, pi_ref, lam, *, form):
    """The package's exact mirror ascent (form="square" only) through CHI2_PROTOCOL."""
    return chi2_occupancy_policy(mdp, r, pi_ref, lam, form=form, method="ascent",
                                 update="mirror", max_iter=5000).occupancy


def doubled_chi2(mdp, r, pi_ref, lam, *, form):
    """Wrong: the chi^2 estimate scaled by 2 (inside the square root for form="sqrt")."""
    return chi2_occupancy_policy(mdp, r, pi_ref, (math.sqrt(2) if form == "sqrt" else 2) * lam,
                                 form=form).occupancy


def kl_on_actions(mdp, r, pi_ref, lam, *, form):
    """Wrong: KL on action distributions with weight lam in place of chi^2 on occupancies."""
    pol = soft_value_iteration(mdp.P, r, pi_ref, mdp.gamma, lam)
    return occupancy_measure(mdp.P, pol, mdp.rho0, mdp.gamma)


def infeasible(mdp, r, pi_ref, lam, *, form):
    """Wrong: not an occupancy measure (mass 2)."""
    return 2 * package_solver(mdp, r, pi_ref, lam, form=form)


def _check(name, algorithm):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return check(name, algorithm=algorithm, seed=0, quick=True)


@pytest.mark.parametrize("name", CHI2_THEOREMS)
def test_chi2_theorems_document_the_protocol(name):
    """Each takes ``algorithm`` and documents :data:`CHI2_PROTOCOL`."""
    from equilibria.verification import get

    thm = get(name)
    assert thm.accepts_algorithm and thm.protocol == pth.CHI2_PROTOCOL


@pytest.mark.parametrize("name", CHI2_THEOREMS)
def test_package_solver_passes_through_the_protocol(name):
    """The package's cvxpy solver (and, for the square form, its mirror ascent) passes each
    chi^2 theorem through ``algorithm=``, on informative instances."""
    solvers = [package_solver] + ([] if name.endswith("no_drop") else [package_ascent])
    for solver in solvers:
        out = _check(name, solver)
        assert out.passed, out
        assert out.n_informative == out.n_instances > 0


@pytest.mark.parametrize("name", CHI2_THEOREMS)
@pytest.mark.parametrize("wrong", [doubled_chi2, kl_on_actions, infeasible],
                         ids=lambda f: f.__name__)
def test_wrong_solver_fails_the_chi2_theorems(name, wrong):
    """A solver with the chi^2 term doubled (what a factor-2 slip between ORPO's coefficient c
    and the objective's lam = c/2 gives), one with KL on actions in place of chi^2 on
    occupancies, and an infeasible one each FAIL every chi^2 theorem."""
    out = _check(name, wrong)
    assert not out.passed, out


def test_ascent_theorem_measures_the_hand_computed_gap_of_a_doubled_chi2():
    """Per instance, on the hand bandit (lam = 1/2, r = MU/NU - 1): the package's solver has
    gap ~0; the doubled-chi^2 solver returns (NU + MU) / 2, whose objective is 109/800 against
    the optimum 109/600, a gap of 109/2400 by hand (> the 1e-6 allowance: a failure)."""
    from equilibria.verification import get

    thm = get("policy.chi2_occupancy_ascent")
    inst = {"mdp": _bandit(), "pi_ref": NU[None, :], "r": R_HAND, "lam": 0.5}
    good, bound, _ = thm.evaluate_instance(inst, algorithm=package_solver)
    assert bound == 1e-6 and abs(good) < 1e-7
    bad, _, _ = thm.evaluate_instance(inst, algorithm=doubled_chi2)
    assert bad == pytest.approx(109 / 2400, rel=0, abs=1e-6)
    with pytest.raises(AssertionError):
        thm.check(inst, algorithm=doubled_chi2)
    out, _, _ = thm.evaluate_instance(inst, algorithm=infeasible)
    assert out == math.inf
