"""
2. Verify a stated bound
========================

The package states its theorems as data (:class:`equilibria.verification.Theorem`): a
source, a statement, the assumptions, a way to draw instances from them, and the measured value
and bound per instance.  :func:`equilibria.verification.check` draws instances, measures them
and judges the bound, and it can point the same check at *your* implementation.  This
tutorial

1. checks a registered theorem, on the package's Hedge and on a Hedge written here;
2. states a bound of its own (gradient descent on convex quadratics), registers it, and checks
   it on its implementation, on a broken one, and on instances chosen by hand.
"""

import matplotlib.pyplot as plt
import numpy as np

from equilibria.verification import Theorem, check, get, register

# %%
# A registered theorem
# --------------------
# ``online.hedge_regret``: Hedge with rate :math:`\eta` on losses in :math:`[0, 1]^N` has regret
# :math:`R_T \le \ln N/\eta + \eta T/8`.  ``get`` returns its record; ``check`` runs it on
# instances drawn from its assumptions (quick mode) and returns a report row.
thm = get("online.hedge_regret")
print(thm.statement)
print("source:", thm.source)
print("protocol:", thm.protocol)
out = check("online.hedge_regret", seed=0)
print(out)

# %%
# Point it at your own implementation.  The theorem's ``protocol`` says what to pass:
# ``algorithm(N, eta)`` returning a learner with ``predict()`` and ``update(loss)``.  Here is
# Hedge in a few lines of numpy, and the same with a sign error (it moves weight *towards*
# the experts with large losses).


class MyHedge:
    def __init__(self, N, eta, sign=1.0):
        self.eta, self.sign = eta, sign
        self.cum = np.zeros(N)

    def predict(self):
        z = -self.sign * self.eta * self.cum
        w = np.exp(z - z.max())
        return w / w.sum()

    def update(self, loss):
        self.cum += loss


mine = check("online.hedge_regret", algorithm=lambda N, eta: MyHedge(N, eta), seed=0)
broken = check("online.hedge_regret", algorithm=lambda N, eta: MyHedge(N, eta, sign=-1.0),
               seed=0)
print("my Hedge:    ", "pass" if mine.passed else "FAIL", f"(worst ratio {mine.ratio:.3f})")
print("sign error:  ", "pass" if broken.passed else "FAIL", f"(worst ratio {broken.ratio:.3f})")
assert mine.passed and not broken.passed

# %%
# A bound of your own
# -------------------
# Gradient descent with step :math:`1/L` on a convex quadratic
# :math:`f(x) = \tfrac12 x^\top Q x - b^\top x` (:math:`Q \succeq 0`, :math:`L = \lambda_{\max}(Q)`,
# a minimizer exists) satisfies
#
# .. math::
#
#    f(x_k) - f^\star \le \frac{L\,\|x_0 - x^\star\|^2}{2k}
#
# for every minimizer :math:`x^\star` (Beck 2017, *First-Order Methods in Optimization*,
# Thm 10.21, for the proximal gradient method with constant step :math:`1/L`).  The
# implementation to check:


def my_gd(Q, b, x0, k):
    """k steps of gradient descent with step 1/lambda_max(Q)."""
    step = 1.0 / np.linalg.eigvalsh(Q)[-1]
    x = np.array(x0, dtype=float)
    for _ in range(k):
        x = x - step * (Q @ x - b)
    return x


# %%
# The theorem needs ``sample(rng) -> instance`` (drawn from the assumptions: here a random
# positive semidefinite ``Q`` of random rank, ``b`` in its range so a minimizer exists) and
# ``evaluate(instance) -> (measured, bound, trivial)``.  ``trivial`` is the largest value the
# measured quantity can take (gradient descent with step :math:`1/L` never increases :math:`f`,
# so :math:`f(x_0) - f^\star`): an instance whose bound is above it cannot fail, and a check
# where most instances are such *vacuous* ones fails.  Because ``evaluate`` takes an
# ``algorithm`` keyword, the theorem can check any implementation following its ``protocol``.


def sample_quadratic(rng, n=None):
    n = int(rng.integers(2, 12)) if n is None else n
    rank = int(rng.integers(1, n + 1))
    U = np.linalg.qr(rng.normal(size=(n, n)))[0][:, :rank]
    lam = np.exp(rng.uniform(-4, 0, size=rank))
    Q = (U * lam) @ U.T
    b = Q @ rng.normal(size=n)
    return {"Q": Q, "b": b, "x0": rng.normal(size=n) * 3, "k": int(rng.integers(5, 300))}


def evaluate_gd(inst, *, algorithm=my_gd):
    Q, b, x0, k = inst["Q"], inst["b"], inst["x0"], inst["k"]
    f = lambda x: 0.5 * x @ Q @ x - b @ x  # noqa: E731
    x_star = x0 - np.linalg.pinv(Q) @ (Q @ x0 - b)  # the minimizer closest to x0
    L = np.linalg.eigvalsh(Q)[-1]
    gap = f(algorithm(Q, b, x0, k)) - f(x_star)
    return gap, L * np.sum((x0 - x_star) ** 2) / (2 * k), f(x0) - f(x_star)


GD = register(Theorem(
    name="tutorial.gd_quadratic",
    source="Beck (2017), First-Order Methods in Optimization, Thm 10.21",
    statement="Gradient descent with step 1/L on a convex quadratic: "
              "f(x_k) - f* <= L ||x_0 - x*||^2 / (2k).",
    assumptions=("Q symmetric positive semidefinite", "b in the range of Q", "step 1/L"),
    sample=sample_quadratic, evaluate=evaluate_gd, sizes={"n": (2, 8)}, n_instances=(40, 400),
    rtol=1e-9, atol=1e-12,
    protocol="algorithm(Q, b, x0, k) -> x_k, the k-th iterate of gradient descent",
))
print(check("tutorial.gd_quadratic", seed=0))

# %%
# Point it at a broken implementation: step :math:`2/L`, the edge of stability (the component
# along the top eigenvector flips sign forever instead of decaying).


def gd_step_too_long(Q, b, x0, k):
    step = 2.0 / np.linalg.eigvalsh(Q)[-1]
    x = np.array(x0, dtype=float)
    for _ in range(k):
        x = x - step * (Q @ x - b)
    return x


bad = check(GD, algorithm=gd_step_too_long, seed=0)
print(bad)
assert not bad.passed

# %%
# Instances of your own.  ``instances=`` replaces sampling (``GD.check_instances`` validates
# the list); ``GD.check(instance)`` checks one instance and raises ``AssertionError`` on a
# violation, the form property tests use.  How tight is the bound on quadratics?  Along an
# eigenvector of eigenvalue :math:`\lambda` the gap after :math:`k` steps is
# :math:`(1-\lambda/L)^{2k}\lambda e^2/2`, so the ratio to the bound is
# :math:`(\lambda k/L)(1-\lambda/L)^{2k}`, largest at :math:`\lambda/L = 1/(2k+1)`, where it
# tends to :math:`1/(2e) \approx 0.18`.  The hand-made instances below attain it:
hand = [{"Q": np.diag([1.0, 1.0 / (2 * k + 1)]), "b": np.zeros(2), "x0": np.array([0.0, 1.0]),
         "k": k} for k in (10, 30, 100, 300, 1000)]
print("ratios:", [round(float(m / b), 4) for m, b in (evaluate_gd(h)[:2] for h in hand)],
      " 1/(2e) =", round(1 / (2 * np.e), 4))
out = check(GD, instances=hand)
print(out)
assert not out.passed

# %%
# The check *fails*, and says why: on these instances the bound is above
# :math:`f(x_0) - f^\star`, a value gradient descent never exceeds, so they could not have
# caught a wrong bound or a wrong implementation (``informative 0/5``).  A check that cannot
# fail is no evidence.  Giving :math:`x_0` a component along the top eigenvector raises
# :math:`f(x_0) - f^\star` above the bound (gradient descent removes that component in one
# step), and the same worst case becomes informative, at half the ratio:
hand = [dict(h, x0=np.array([1.0, 1.0])) for h in hand]
out = check(GD, instances=hand)
print(out)
assert out.passed and out.n_informative == len(hand)
print("one instance (measured, bound):", GD.check(hand[2]))

# %%
# The evidence of each row is kept: per instance the measured value, the bound and whether the
# instance was informative.  Ratios close to 1 mean the bound is nearly tight there (gaps that
# reached rounding level, at or below 0, are drawn at 1e-16).
ev = check(GD, seed=1).evidence
fig, ax = plt.subplots(figsize=(6.0, 4.2))
ax.loglog(ev.bound, np.maximum(ev.measured, 1e-16), "o", ms=4, label="sampled instances")
hb = np.array([evaluate_gd(h)[:2] for h in hand])
ax.loglog(hb[:, 1], hb[:, 0], "s", ms=6, label="hand-made, informative")
lim = np.array([min(ev.bound.min(), hb[:, 1].min()), max(ev.bound.max(), hb[:, 1].max())])
ax.loglog(lim, lim, "k--", lw=1, label="measured = bound")
ax.set_xlabel(r"bound $L\|x_0 - x^\star\|^2 / (2k)$")
ax.set_ylabel(r"measured $f(x_k) - f^\star$")
ax.set_title("tutorial.gd_quadratic: every point must lie below the diagonal", fontsize=10)
ax.legend(frameon=False, fontsize=8)
fig.tight_layout()
plt.show()
