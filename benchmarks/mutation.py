"""Mutation testing: does a room's checking catch realistic wrong implementations?

    python benchmarks/mutation.py --list                   # the mutant list, each checked to apply
    python benchmarks/mutation.py --room online --room ot  # run two rooms
    python benchmarks/mutation.py --mutant ot-omega-formula --keep
    python benchmarks/mutation.py --json out/mutation.json # every room, report written as JSON

Each mutant of :data:`MUTANTS` is one realistic mistake in a kernel or an algorithm (a wrong
constant in a confidence radius, a posterior updated with the wrong count, an estimator scaled
by the wrong batch size, a loosened accuracy coupling, a wrong over-relaxation formula, a bound
multiplied by 10, an off-by-one, a sign error, a dropped term), written as an exact-substring
replacement ``old -> new`` in one file; ``old`` must occur exactly once in that file (a mutant
whose ``old`` no longer matches, because the code moved on, is reported as *stale* and left out
of the counts).

The working tree of the checkout (``git ls-files`` plus untracked, not ignored, files, as they
are on disk) is copied once into a temporary snapshot, so edits made in the checkout during the
run do not leak into it; the checkout itself is never written.  For each mutant the snapshot is
copied again, the replacement is applied, and two checks run in the copy, with
``PYTHONPATH=<copy>`` (the copy shadows any installed ``equilibria``; checked on the baseline),
``HYPOTHESIS_PROFILE=ci`` and a fresh ``NUMBA_CACHE_DIR`` (a cached kernel compiled from the
unmutated source is never reused):

1. the room's tests: ``python -m pytest -x -q -p no:cacheprovider tests/<room>``;
2. ``python -m equilibria verify --quick --jobs 1 --no-progress --only '<room>.*'``.

A mutant is *killed by tests* (step 1 fails), *killed by verify* (step 2 exits 1), *killed by
verify alone* (step 2 fails, step 1 passes), *killed by timeout* (a step ran longer than
``--timeout`` seconds and no step failed; reported apart) or *survives*.  Both steps always run,
so the verify column is measured on every mutant.  A step that cannot run at all (pytest exit
codes 3-5; a ``--only`` pattern that matches nothing) is an *error* of the harness, reported
apart and left out of the kill rate; a collection error (pytest exit 2, e.g. the mutated module
no longer imports) and any crash of ``verify`` count as kills.

Before any mutant, the unmutated snapshot must pass both steps for every selected room (the
baseline); otherwise the script stops, naming the room and the failing step.  The kill rate of a
room is ``(killed by tests or verify or timeout) / (mutants run)``.

Rooms without theorems of their own (``theory``) run the tests and the verify patterns named on
the mutant (``Mutant.tests``, ``Mutant.verify``): e.g. a mutant in
``equilibria/theory/alignment.py`` runs ``tests/theory`` and ``tests/policy`` and ``policy.*``.

Options: ``--room R`` (repeatable; default all), ``--mutant ID`` (repeatable), ``--list``,
``--jobs N`` (mutants run concurrently, default 1: each step is already one test process),
``--timeout S`` (per step, default 900), ``--json FILE``, ``--keep`` (keep the copies and the
logs of every step; their folder is printed), ``--deselect NODEID`` (repeatable: a test that is
red in the checkout itself, passed to pytest in every step and printed in the report),
``--skip-baseline`` (debugging only).
Exit status: 0 when the run completed (whatever the kill rate), 1 when the baseline failed,
2 for a usage error.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import dataclasses
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parent.parent


@dataclasses.dataclass(frozen=True)
class Mutant:
    """One mistake: replace the only occurrence of ``old`` in ``file`` by ``new``.

    ``tests`` / ``verify`` override the room's test folders / verify patterns (tuples of
    strings; ``None`` keeps the room's).
    """

    room: str
    file: str
    old: str
    new: str
    why: str
    id: str = ""
    tests: tuple[str, ...] | None = None
    verify: tuple[str, ...] | None = None


#: room -> (test folders, verify patterns); the order is the default run order (fastest first)
ROOMS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "online": (("tests/online",), ("online.*",)),
    "ot": (("tests/ot",), ("ot.*",)),
    "constrained": (("tests/constrained",), ("constrained.*",)),
    "games": (("tests/games",), ("games.*",)),
    "policy": (("tests/policy",), ("policy.*",)),
    "theory": (("tests/theory",), ()),
    "bandits": (("tests/bandits",), ("bandits.*",)),
    "odes": (("tests/odes",), ("odes.*",)),
}

_ON = "equilibria/solvers/online/"
_OT = "equilibria/solvers/ot/"
_CO = "equilibria/solvers/constrained/"
_GA = "equilibria/solvers/games/"
_PO = "equilibria/solvers/policy/"
_BA = "equilibria/bandits/"
_OD = "equilibria/odes/"
_TH = "equilibria/theory/"

M = Mutant
# fmt: off
MUTANTS: list[Mutant] = [
    # ---- online: numba round loops, ONS, stated bounds ------------------------------------
    M("online", _ON + "_kernels.py",
      "q = r if power == 1 else r * r",
      "q = r * r if power == 1 else r",
      "simplex_newton: the final weights of the log-barrier and Tsallis powers swapped"),
    M("online", _ON + "_kernels.py",
      "new = (s - 1.0) / k\n",
      "new = (s - 1.0) / (k + 1)\n",
      "simplex projection (Michelot): off-by-one in the support size of the threshold"),
    M("online", _ON + "_kernels.py",
      "c = radius / nrm if nrm > radius else 1.0",
      "c = 1.0 / nrm if nrm > radius else 1.0",
      "ball projection drops the radius (projects onto the unit ball)"),
    M("online", _ON + "_kernels.py",
      "theta[i] = L[i] + G[t - 1, i]",
      "theta[i] = L[i] + G[t, i]",
      "optimistic FTRL hint M_t = g_t instead of g_{t-1} (off-by-one: peeks at the round's gradient)"),
    M("online", _ON + "_kernels.py",
      "v += Gc[i] * lo if Gc[i] > 0 else Gc[i] * hi",
      "v += Gc[i] * hi if Gc[i] > 0 else Gc[i] * lo",
      "best fixed point on the box: lo/hi swapped (comparator maximizes, regret understated)"),
    M("online", _ON + "_kernels.py",
      "e = x[i] * fexp(-eta * (g[i] - m))",
      "e = x[i] * fexp(-2.0 * eta * (g[i] - m))",
      "entropic OMD step scaled by 2 eta instead of eta"),
    M("online", _ON + "_kernels.py",
      "gap_t[t] = (mx - mn) / (t + 1)",
      "gap_t[t] = (mx - mn) / (t + 2)",
      "self-play duality gap of the averages divided by t + 2 (off-by-one)"),
    M("online", _ON + "_kernels.py",
      "y[i] = x[i] - s / gamma",
      "y[i] = x[i] - s * gamma",
      "ONS step x - gamma A^{-1} g instead of x - A^{-1} g / gamma"),
    M("online", _ON + "ons.py",
      "gamma = float(0.5 * min(inv, np.float64(alpha)))",
      "gamma = float(min(inv, np.float64(alpha)))",
      "ONS parameter gamma without the factor 1/2 of Hazan Thm 4.5"),
    M("online", _ON + "theorems.py",
      "return regret, np.log(N) / eta + eta * T / 8,",
      "return regret, 10 * (np.log(N) / eta + eta * T / 8),",
      "Hedge regret bound multiplied by 10"),
    M("online", _ON + "theorems.py",
      "5 * (1 + G * np.sqrt(2)) * d * np.log(T)",
      "50 * (1 + G * np.sqrt(2)) * d * np.log(T)",
      "ONS regret bound multiplied by 10"),
    # ---- ot: Sinkhorn kernels, over-relaxation, rounding, certificates ------------------------
    M("ot", _OT + "_kernels.py",
      "ui = u[i] ** (1.0 - omega) * ui ** omega",
      "ui = u[i] ** omega * ui ** (1.0 - omega)",
      "over-relaxation u^(1-w) (a/Kv)^w written with the exponents swapped (row update)"),
    M("ot", _OT + "_kernels.py",
      "ost[0] = min(_OMEGA_MAX, 2.0 / (1.0 + np.sqrt(1.0 - lam)))",
      "ost[0] = min(_OMEGA_MAX, 2.0 / (1.0 + np.sqrt(lam)))",
      "adaptive over-relaxation: optimal omega 2/(1+sqrt(1-lam)) written as 2/(1+sqrt(lam))"),
    M("ot", _OT + "_kernels.py",
      "        if err <= tol:\n            return 0, err\n    if mode == 1.0:",
      "        if err <= 10 * tol:\n            return 0, err\n    if mode == 1.0:",
      "Sinkhorn stopping rule loosened to 10 tol"),
    M("ot", _OT + "_kernels.py",
      "F[i] = reg * log_a[i] - reg * (mx + np.log(acc))",
      "F[i] = log_a[i] - reg * (mx + np.log(acc))",
      "log-domain row update drops the factor reg on log a"),
    M("ot", _OT + "_kernels.py",
      "err += b[j] * abs(np.exp((G[j] - Gnew[j]) / reg) - 1.0)",
      "err += abs(np.exp((G[j] - Gnew[j]) / reg) - 1.0)",
      "log-domain column error without the weights b_j"),
    M("ot", _OT + "_kernels.py",
      "x[i] = min(1.0, a[i] / r[i]) if r[i] > 0 else 1.0",
      "x[i] = max(1.0, a[i] / r[i]) if r[i] > 0 else 1.0",
      "Altschuler rounding: row factor max(1, a/r) instead of min(1, a/r)"),
    M("ot", _OT + "_kernels.py",
      "grad_b[j] = b[j] - colsum",
      "grad_b[j] = colsum - b[j]",
      "smooth OT dual gradient in beta with the sign flipped"),
    M("ot", _OT + "_sinkhorn.py",
      "dual = float(a_s @ f_s + b_s @ g_s - reg * (mass - 1.0))",
      "dual = float(a_s @ f_s + b_s @ g_s + reg * (mass - 1.0))",
      "Sinkhorn dual value: sign error in the mass term"),
    M("ot", _OT + "_sinkhorn.py",
      "_FACTOR, _STAGE_TOL = 0.25, 1e-3",
      "_FACTOR, _STAGE_TOL = 0.25, 1e-1",
      "epsilon-scaling: intermediate stages stopped at a 100x looser tolerance"),
    M("ot", _OT + "_sinkhorn.py",
      "return 0.5 * float(err) * max(inner, 0.0)",
      "return 5 * float(err) * max(inner, 0.0)",
      "a-posteriori Sinkhorn gap bound multiplied by 10"),
    M("ot", _OT + "theorems.py",
      "return reg * min(entropy(a), entropy(b))",
      "return 10 * reg * min(entropy(a), entropy(b))",
      "entropic bias bound multiplied by 10"),
    M("ot", _OT + "_pc_kernels.py",
      "            Hk = H[k]\n",
      "            Hk = H[idx[0]]\n",
      "PointCloud batch kernel reads the first active problem's potential for all problems"),
    # ---- constrained: EAL accuracy schedule, penalty, Kaczmarz, primal-dual ------------------
    M("constrained", _CO + "eal.py",
      "theta_t = min(opts.theta, UNIT_STEP_ACCURACY * np.sqrt(eta2 / eta1))",
      "theta_t = min(opts.theta, UNIT_STEP_ACCURACY * np.sqrt(eta1 / eta2))",
      "EAL accuracy coupling sqrt(eta2/eta1) inverted (loosened accuracy)"),
    M("constrained", _CO + "eal.py",
      "theta_t = min(theta_t, res**opts.sharpen)",
      "theta_t = min(theta_t, res**(0.5 * opts.sharpen))",
      "EAL sharpening ||grad L||^rho with half the exponent (accuracy schedule too slow)"),
    M("constrained", _CO + "eal.py",
      "z, k_sk, r_norm = sketch_solve(K, rhs, z, tol_abs=theta_t * r.res,",
      "z, k_sk, r_norm = sketch_solve(K, rhs, z, tol_abs=theta_t,",
      "EAL inner solve to an absolute theta_t instead of theta_t ||grad L|| (lost coupling)"),
    M("constrained", _CO + "eal.py",
      "return max(rho * eta1, need / c2)",
      "return max(eta1, need / c2)",
      "EAL penalty repair without the factor rho"),
    M("constrained", _CO + "_large.py",
      "        self.dinv = 1.0 / a\n",
      "        self.dinv = np.ones_like(a)\n",
      "MINRES preconditioner ignores the Hessian diagonal (D = I)"),
    M("constrained", _CO + "_large.py",
      "            d = self._diag + self.delta\n",
      "            d = self._diag\n",
      "MINRES preconditioner ignores the Hessian shift delta"),
    M("constrained", _CO + "_large.py",
      "    return work <= max(AUTO_WORK_MIN, AUTO_WORK_RATIO * nnz)\n\n\ndef hessian_diagonal",
      "    return True\n\n\ndef hessian_diagonal",
      "sketch='auto' with a sparse Hessian always factorizes (no fill test)"),
    M("constrained", _CO + "_kernels.py",
      "t = s / row_norm2[i]\n            for j in range(N):",
      "t = s / np.sqrt(row_norm2[i])\n            for j in range(N):",
      "Kaczmarz step divided by ||K_i|| instead of ||K_i||^2 (row rescaling)"),
    M("constrained", _CO + "sketch.py",
      "steps, res = _kaczmarz_kernel(Ks, bs, w, cum, row2, 1.0 / d, tol_abs,",
      "steps, res = _kaczmarz_kernel(Ks, bs, w, cum, row2, d, tol_abs,",
      "Kaczmarz residual measured with D instead of D^{-1} (equilibration not undone)"),
    M("constrained", _CO + "sketch.py",
      "d /= np.sqrt(r_inf)",
      "d /= r_inf",
      "Ruiz equilibration divides by the row norm instead of its square root"),
    M("constrained", _CO + "sketch.py",
      "return np.cumsum(row2) / total",
      "return np.arange(1, row2.size + 1) / row2.size",
      "Kaczmarz rows drawn uniformly instead of by squared norm"),
    M("constrained", _CO + "primal_dual.py",
      "mu = np.clip(mu + sigma * gx, 0.0, mu_hi)",
      "mu = np.clip(mu - sigma * gx, 0.0, mu_hi)",
      "primal-dual: dual descent instead of ascent (sign error)"),
    M("constrained", _CO + "_kernels.py",
      "t = s / row_norm2[i]\n            for p in range",
      "t = s / np.sqrt(row_norm2[i])\n            for p in range",
      "CSR Kaczmarz step divided by ||K_i|| instead of ||K_i||^2 (sparse row rescaling)"),
    M("constrained", _CO + "eal.py",
      "    st.gram, st.gram_ready = None, False\n",
      "    pass\n",
      "J J^T factor kept from the previous iterate after an accepted step (stale Gram)"),
    # ---- games: VR-Halpern kernels, Halpern, extragradient, mirror prox ----------------------
    M("games", _GA + "_kernels.py",
      "Fk[j] += acc[j] / b",
      "Fk[j] += acc[j] / n",
      "PAGE estimator correction scaled by 1/n instead of 1/b (wrong batch size)"),
    M("games", _GA + "_kernels.py",
      "calls += 2 * b",
      "calls += b",
      "VR-Halpern counts b oracle calls per estimator update instead of 2b"),
    M("games", _GA + "_kernels.py",
      "eps_k = inner_scale * eta * tol / (k + 2)",
      "eps_k = inner_scale * eta * tol",
      "monotone VR-Halpern inner accuracy without the 1/(k+2) schedule"),
    M("games", _GA + "_kernels.py",
      "x_new = lam * x0 + (1.0 - lam) * (x - eta * Fk)",
      "x_new = lam * x0 + (1.0 - lam) * (x - 2.0 * eta * Fk)",
      "cocoercive VR-Halpern step 2 eta (beyond 2/L)"),
    M("games", _GA + "halpern.py",
      "x = lam * x0 + (1.0 - lam) * Tx",
      "x = (1.0 - lam) * Tx",
      "Halpern iteration drops the anchor term lam x0"),
    M("games", _GA + "mirror_prox.py",
      "x = P(x - eta * Fh)  # correction step",
      "x = P(x - eta * Fx)  # correction step",
      "extragradient correction uses F(x_k) instead of F(x_{k+1/2})"),
    M("games", _GA + "mirror_prox.py",
      "logits = np.log(np.maximum(p, 1e-300)) - gamma * g",
      "logits = np.log(np.maximum(p, 1e-300)) + gamma * g",
      "entropic mirror step with the sign of the gradient flipped"),
    M("games", _GA + "mirror_prox.py",
      "s_inner += float(hx @ wx - hy @ wy)",
      "s_inner += float(hx @ wx + hy @ wy)",
      "mirror-prox certified gap: sign error in <F(w), w>"),
    M("games", _GA + "theorems.py",
      "return measured, 2.0 * dist",
      "return measured, 20.0 * dist",
      "Halpern nonexpansive bound multiplied by 10"),
    M("games", _GA + "theorems.py",
      "float(np.abs(A).max()) * (np.log(n) + np.log(m)) / T",
      "10 * float(np.abs(A).max()) * (np.log(n) + np.log(m)) / T",
      "mirror-prox gap bound multiplied by 10"),
    # ---- policy: policy gradient signals, occupancy ascent, GARDO, constrained RLHF ----------
    M("policy", _PO + "gradient.py",
      "-beta * (np.log(np.maximum(pi[supp], 1e-300)) - np.log(pi_ref[supp]))",
      "-beta * (np.log(np.maximum(pi[supp], 1e-300)) + np.log(pi_ref[supp]))",
      "KL penalty signal log(pi / pi_ref) with a sign error on log pi_ref"),
    M("policy", _PO + "gradient.py",
      "-2.0 * beta * pi[supp] / pi_ref[supp]",
      "-beta * pi[supp] / pi_ref[supp]",
      "chi^2 penalty signal without the factor 2"),
    M("policy", _PO + "occupancy.py",
      "(np.eye(P.shape[0]) - gamma * Ppi.T, (1.0 - gamma) * rho0)",
      "(np.eye(P.shape[0]) - gamma * Ppi.T, rho0)",
      "occupancy measure without the (1 - gamma) normalization"),
    M("policy", _PO + "occupancy.py",
      "return g + gamma * (P @ V), V",
      "return g + P @ V, V",
      "Q-function drops the discount gamma"),
    M("policy", _PO + "occupancy.py",
      "q = q - (q.sum() - q) / (batch_size - 1)",
      "q = q - (q.sum() - q) / batch_size",
      "leave-one-out baseline divided by the batch size instead of batch size - 1"),
    M("policy", _PO + "gardo.py",
      "ga = adv * amp - beta * np.where(",
      "ga = adv * amp + beta * np.where(",
      "GARDO gated KL penalty with the sign flipped"),
    M("policy", _PO + "constrained.py",
      "nu = nu + lr_multiplier * (v - th)",
      "nu = nu - lr_multiplier * (v - th)",
      "constrained RLHF: multiplier descent instead of ascent"),
    M("policy", _PO + "constrained.py",
      "s = logp + Rs @ (1.0 - lam) / beta",
      "s = logp + Rs @ (1.0 + lam) / beta",
      "constrained RLHF exact dual: weights 1 + lam instead of 1 - lam"),
    M("policy", _PO + "theorems.py",
      "return float(r.max() - p @ r), tau * al.entropy(p)",
      "return float(r.max() - p @ r), 10 * tau * al.entropy(p)",
      "entropy-regularization cost bound multiplied by 10"),
    # ---- theory: stated bounds and certificates (checked through their consumers) -----------
    M("theory", _TH + "alignment.py",
      "return math.log(n) - (n - 1) / n",
      "return math.log(n) + (n - 1) / n",
      "best-of-N KL bound log N - (N-1)/N with a sign error (looser)",
      tests=("tests/theory", "tests/policy"), verify=("policy.*",)),
    M("theory", _TH + "alignment.py",
      "return 1.0 / (2.0 * tau)",
      "return 1.0 / tau",
      "softmax Lipschitz constant 1/tau instead of 1/(2 tau) (twice looser)",
      tests=("tests/theory", "tests/policy"), verify=("policy.*",)),
    M("theory", _TH + "alignment.py",
      "coef = math.sqrt(max(1 - rho * rho, 0.0))",
      "coef = max(1 - rho * rho, 0.0)",
      "correlated-proxy bound: sqrt(1 - rho^2) written as 1 - rho^2",
      tests=("tests/theory", "tests/policy"), verify=("policy.*",)),
    M("theory", _TH + "divergences.py",
      "terms = p[m] * (np.log(p[m]) - np.log(q[m]))",
      "terms = q[m] * (np.log(p[m]) - np.log(q[m]))",
      "KL(p||q) weighted by q instead of p",
      tests=("tests/theory", "tests/policy"), verify=("policy.*",)),
    M("theory", _TH + "stability.py",
      "return symmetric_margin(s[:, None] * J / s[None, :])",
      "return symmetric_margin(s[None, :] * J / s[:, None])",
      "contraction rate: the similarity D^{1/2} J D^{-1/2} transposed",
      verify=("odes.*",)),
    M("theory", _TH + "stability.py",
      "    for k in range(1, n + 1):\n        for S in itertools.combinations(range(n), k):",
      "    for k in range(1, n):\n        for S in itertools.combinations(range(n), k):",
      "P-matrix test skips the full determinant (off-by-one)",
      verify=("odes.*",)),
    M("theory", _TH + "stability.py",
      "return bool(np.all(np.linalg.eigvals(M).real > tol))",
      "return bool(np.any(np.linalg.eigvals(M).real > tol))",
      "M-matrix test: any eigenvalue with positive real part instead of all",
      verify=("odes.*",)),
    M("theory", _TH + "stability.py",
      "return float(-np.linalg.eigvalsh(0.5 * (J + J.T))[-1])",
      "return float(-np.linalg.eigvalsh(0.5 * (J + J.T))[0])",
      "symmetric margin from the smallest eigenvalue instead of the largest",
      verify=("odes.*",)),
    # ---- bandits: index policies, posteriors, exponential weights, linear, dynamic, OFS ------
    M("bandits", _BA + "_kernels/mab.py",
      "return s_i / n_i + math.sqrt(c * lt / n_i)",
      "return s_i / n_i + math.sqrt(c * lt) / n_i",
      "UCB1 radius sqrt(c ln t) / n_i instead of sqrt(c ln t / n_i)"),
    M("bandits", _BA + "_kernels/mab.py",
      "lvl = math.log(1.0 + tt * math.log(tt) ** 2)",
      "lvl = 0.5 * math.log(1.0 + tt * math.log(tt) ** 2)",
      "KL-UCB exploration level log f(t) halved (wrong constant)"),
    M("bandits", _BA + "_kernels/common.py",
      "a = mean + math.sqrt(level / 2.0)",
      "a = mean + math.sqrt(level / 8.0)",
      "KL-UCB Pinsker upper bound too small (Newton starts left of the root)"),
    M("bandits", _BA + "_kernels/mab.py",
      "b_i = 1.0 + n[i] - s[i]",
      "b_i = 1.0 + n[i]",
      "Thompson Beta posterior (non-leading arms) with n pulls as failures instead of n - S"),
    M("bandits", _BA + "_kernels/mab.py",
      "sigma * np.random.standard_normal() / math.sqrt(n[i] + 1.0)",
      "sigma * np.random.standard_normal() / (n[i] + 1.0)",
      "Gaussian Thompson sampling: posterior sd sigma/(k+1) instead of sigma/sqrt(k+1)"),
    M("bandits", _BA + "_kernels/mab.py",
      "math.log(horizon / (K * n_i))",
      "math.log(horizon / n_i)",
      "MOSS index drops K in log(n / (K n_i))"),
    M("bandits", _BA + "_kernels/mab.py",
      "L[a] -= (1.0 - x) / p[a]",
      "L[a] -= (1.0 - x)",
      "EXP3 loss estimate without importance weighting"),
    M("bandits", _BA + "_kernels/linear.py",
      "rad = R * math.sqrt(2.0 * math.log(1.0 / delta) + logdet_ratio) + math.sqrt(lam) * S",
      "rad = R * math.sqrt(math.log(1.0 / delta) + logdet_ratio) + math.sqrt(lam) * S",
      "OFUL radius with log(1/delta) instead of 2 log(1/delta) (wrong constant)"),
    M("bandits", _BA + "_kernels/linear.py",
      "val = m + rad * math.sqrt(max(w, 0.0))",
      "val = m + rad * max(w, 0.0)",
      "LinUCB bonus rad ||x||^2_{V^-1} instead of rad ||x||_{V^-1}"),
    M("bandits", _BA + "_kernels/linear.py",
      "out[k] = th[k] + scale * acc",
      "out[k] = th[k] + scale * scale * acc",
      "LinTS sample scaled by the variance instead of the standard deviation"),
    M("bandits", _BA + "_kernels/dynlin.py",
      "R_avg = sigma / math.sqrt(avg)",
      "R_avg = sigma / avg",
      "DynLin-UCB: noise of an average of avg rewards scaled by 1/avg instead of 1/sqrt(avg)"),
    M("bandits", _BA + "_kernels/dynlin.py",
      "ybar = ysum / cnt",
      "ybar = ysum / hold",
      "DynLin-UCB: epoch mean divided by the epoch length (burn-in included) instead of the count"),
    M("bandits", _BA + "_kernels/ofs.py",
      "if sg1[i] / cnt[i] - rad <= 0.0 and sg2[i] / cnt[i] - rad <= 0.0:",
      "if sg1[i] / cnt[i] + rad <= 0.0 and sg2[i] / cnt[i] + rad <= 0.0:",
      "OFS feasibility test pessimistic instead of optimistic (sign of the radius)"),
    M("bandits", _BA + "policies.py",
      "math.sqrt(2.0 / env.batch)",
      "math.sqrt(2.0 * env.batch)",
      "OFS radius scale sqrt(2 * batch) instead of sqrt(2 / batch) (wrong batch scaling)"),
    M("bandits", _BA + "theorems.py",
      "return math.sqrt(2.0 * n * K * math.log(K))",
      "return 10 * math.sqrt(2.0 * n * K * math.log(K))",
      "EXP3 regret bound multiplied by 10"),
    # ---- odes: DP5(4) tableau and controller, lanes, dynamics kernels ------------------------
    M("odes", _OD + "_kernels.py",
      "A41, A42, A43 = 44 / 45, -56 / 15, 32 / 9",
      "A41, A42, A43 = 44 / 45, -56 / 15, 32 / 8",
      "Dormand-Prince tableau typo a43 = 32/8 (shared by every integrator)"),
    M("odes", _OD + "_kernels.py",
      "fac = 0.9 * err ** (-0.2) if err > 1e-10 else 10.0\n                h = h * min(",
      "fac = 0.9 * err ** (-0.5) if err > 1e-10 else 10.0\n                h = h * min(",
      "step-size controller exponent -1/2 instead of -1/5"),
    M("odes", _OD + "_kernels.py",
      "out[i] = x[i] * (out[i] - phi)",
      "out[i] = x[i] * (out[i] + phi)",
      "replicator field x_i ((Ax)_i - x^T A x) with a sign error"),
    M("odes", _OD + "_kernels.py",
      "work[j] = x[j] / (1.0 + q[j] * x[j])",
      "work[j] = x[j] / (1.0 + q[j])",
      "Holling type II response x/(1 + q x) written x/(1 + q)"),
    M("odes", _OD + "_kernels.py",
      "if ftol > 0.0 and t >= t_min:",
      "if ftol > 0.0:",
      "batched integrator ignores t_min in the steady-state stop"),
    M("odes", _OD + "_lanes.py",
      "out[i, ell] = x[i, ell] * (out[i, ell] - s[ell])",
      "out[i, ell] = x[i, ell] * (out[i, ell] + s[ell])",
      "lanes: replicator field with a sign error"),
    M("odes", _OD + "_lanes.py",
      "if ftol > 0.0 and t[ell] >= t_min:",
      "if ftol > 0.0:",
      "lanes: t_min ignored in the steady-state stop"),
    M("odes", _OD + "_lanes.py",
      "if code == 0 or code == 1:",
      "if code == 0:",
      "lanes: an orbit stopped at a steady state reports NaN"),
    M("odes", _OD + "_lanes.py",
      "hi = ((c + 1) * m) // n_shares",
      "hi = ((c + 1) * m) // n_shares - 1",
      "lanes: each share stops one row early (off-by-one)"),
    M("odes", _OD + "_dyn_kernels.py",
      "s += J[i, j] * z[n + j * k + c]",
      "s += J[j, i] * z[n + j * k + c]",
      "tangent dynamics Q' = J^T Q instead of J Q (Lyapunov exponents)"),
    M("odes", _OD + "_dyn_kernels.py",
      "J[i, j] = (f1[i] - f0[i]) / h",
      "J[i, j] = (f1[i] - f0[i]) / (2.0 * h)",
      "forward-difference Jacobian divided by 2h"),
    M("odes", _OD + "_dyn_kernels.py",
      "cells[cj] = 2 * label + 1 if label > 0 else UNVISITED",
      "cells[cj] = 2 * label if label > 0 else UNVISITED",
      "recurrence: visited cells marked as attractor k instead of its basin"),
    M("odes", _OD + "_dyn_kernels.py",
      "st = advance_n(y, hb, target - int(hb[1]), p, ws)",
      "st = advance_n(y, hb, target - int(hb[1]) + 1, p, ws)",
      "map trajectory: one iterate too many per output time (off-by-one)"),]
# fmt: on


def _assign_ids(mutants):
    """Ids ``<room>-<n>`` in list order, unless given."""
    out, count = [], {}
    for m in mutants:
        count[m.room] = count.get(m.room, 0) + 1
        out.append(m if m.id else dataclasses.replace(m, id=f"{m.room}-{count[m.room]:02d}"))
    ids = [m.id for m in out]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise SystemExit(f"duplicate mutant ids: {sorted(dup)}")
    return out


MUTANTS = _assign_ids(MUTANTS)


# ---------------------------------------------------------------------------------------------
# the copies
# ---------------------------------------------------------------------------------------------
def snapshot(dest: pathlib.Path) -> int:
    """Copy the checkout's working tree (tracked and untracked, not ignored) into ``dest``."""
    out = subprocess.run(["git", "-C", str(REPO), "ls-files", "-z", "--cached", "--others",
                          "--exclude-standard"], check=True, capture_output=True).stdout
    n = 0
    for rel in sorted(set(p for p in out.decode().split("\0") if p)):
        src = REPO / rel
        if not os.path.lexists(src):  # deleted in the working tree
            continue
        dst = dest / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_symlink():
            os.symlink(os.readlink(src), dst)
        elif src.is_file():
            shutil.copy2(src, dst)
        else:
            continue
        n += 1
    return n


def check_mutant(m: Mutant, root: pathlib.Path) -> str | None:
    """``None`` if ``m`` applies to the tree at ``root``, else why not."""
    if m.room not in ROOMS:
        return f"unknown room {m.room!r}"
    path = root / m.file
    if not path.is_file():
        return f"no file {m.file}"
    k = path.read_text(encoding="utf-8").count(m.old)
    if k != 1:
        return f"`old` occurs {k} times in {m.file}"
    if m.old == m.new:
        return "`old` == `new`"
    return None


def apply_mutant(m: Mutant, root: pathlib.Path) -> None:
    path = root / m.file
    text = path.read_text(encoding="utf-8")
    path.unlink()  # never write through a hard link or into the snapshot
    path.write_text(text.replace(m.old, m.new, 1), encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# the checks
# ---------------------------------------------------------------------------------------------
def _env(copy: pathlib.Path, cache: pathlib.Path) -> dict:
    env = dict(os.environ)
    env.update(PYTHONPATH=str(copy), NUMBA_CACHE_DIR=str(cache), HYPOTHESIS_PROFILE="ci",
               MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")
    env.pop("EQUILIBRIA_NO_JIT_CACHE", None)
    return env


def _run(cmd, cwd, env, timeout, log: pathlib.Path):
    """Run ``cmd`` in its own session; returns ``(returncode or None on timeout, seconds)``."""
    t0 = time.monotonic()
    with open(log, "wb") as fh:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=fh, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            rc = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the step's own process group only
            proc.wait()
            rc = None
    return rc, time.monotonic() - t0


def _tail(log: pathlib.Path, n=25) -> str:
    try:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join(lines[-n:])


def _verdict(step: str, rc, log: pathlib.Path):
    """``"pass"``, ``"fail"``, ``"timeout"`` or ``"error"`` from a step's exit status.

    pytest: 1 (tests failed) and 2 (interrupted: a collection error, e.g. the mutated module
    no longer imports) are verdicts; 3 (internal error), 4 (usage), 5 (no tests) are not.
    verify: any non-zero status is a verdict (1: a theorem failed or a crash; 2: a
    ``ValueError`` reached the command line) except a ``--only`` pattern matching nothing.
    """
    if rc is None:
        return "timeout"
    if rc == 0:
        return "pass"
    if step == "tests":
        return "fail" if rc in (1, 2) else "error"
    return "error" if "matches no registered theorem" in _tail(log) else "fail"


def run_checks(copy: pathlib.Path, tests, patterns, timeout: float, logdir: pathlib.Path,
               deselect=()):
    """Both steps in ``copy``; returns ``{step: {verdict, rc, seconds, tail}}``."""
    cache = pathlib.Path(tempfile.mkdtemp(prefix="numba-", dir=copy.parent))
    env = _env(copy, cache)
    out = {}
    steps = [("tests", [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                        *tests, *(f"--deselect={d}" for d in deselect)])]
    if patterns:
        cmd = [sys.executable, "-m", "equilibria", "verify", "--quick", "--jobs", "1",
               "--no-progress"]
        for p in patterns:
            cmd += ["--only", p]
        steps.append(("verify", cmd))
    for step, cmd in steps:
        log = logdir / f"{step}.log"
        rc, sec = _run(cmd, copy, env, timeout, log)
        v = _verdict(step, rc, log)
        out[step] = {"verdict": v, "rc": rc, "seconds": round(sec, 1),
                     "tail": "" if v == "pass" else _tail(log)}
    shutil.rmtree(cache, ignore_errors=True)
    return out


def classify(res) -> str:
    """``tests``, ``verify``, ``both``, ``timeout``, ``error`` or ``survived``."""
    t = res["tests"]["verdict"]
    v = res.get("verify", {"verdict": "pass"})["verdict"]
    if t == "fail" and v == "fail":
        return "both"
    if t == "fail":
        return "tests"
    if v == "fail":
        return "verify"
    if "timeout" in (t, v):
        return "timeout"
    if "error" in (t, v):
        return "error"
    return "survived"


def _room_checks(m: Mutant):
    tests, patterns = ROOMS[m.room]
    return (m.tests if m.tests is not None else tests,
            m.verify if m.verify is not None else patterns)


def check_import_path(copy: pathlib.Path) -> str:
    """The ``equilibria.__file__`` a step in ``copy`` imports (must lie in ``copy``)."""
    env = _env(copy, copy.parent / "numba-import")
    out = subprocess.run([sys.executable, "-c", "import equilibria; print(equilibria.__file__)"],
                         cwd=copy, env=env, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def run_one(m: Mutant | None, snap: pathlib.Path, work: pathlib.Path, timeout: float,
            tests=None, patterns=None, deselect=()):
    """Copy the snapshot, apply ``m`` (``None``: the baseline), run both checks."""
    name = m.id if m is not None else "baseline"
    base = pathlib.Path(tempfile.mkdtemp(prefix=f"{name}-", dir=work))
    copy = base / "tree"
    shutil.copytree(snap, copy, symlinks=True)
    if m is not None:
        apply_mutant(m, copy)
        tests, patterns = _room_checks(m)
    t0 = time.monotonic()
    res = run_checks(copy, tests, patterns, timeout, base, deselect)
    res["seconds"] = round(time.monotonic() - t0, 1)
    res["dir"] = str(base)
    return res


# ---------------------------------------------------------------------------------------------
# the report
# ---------------------------------------------------------------------------------------------
def table(records) -> str:
    """Per room: mutants, killed by tests / verify / verify alone / timeout, survivors, rate."""
    cols = ("room", "mutants", "tests", "verify", "verify alone", "timeout", "survived",
            "kill rate")
    rows = []
    tot = dict.fromkeys(cols[1:-1], 0)
    for room in list(ROOMS):
        rs = [r for r in records if r["room"] == room and r["outcome"] != "error"]
        if not rs:
            continue
        c = {"mutants": len(rs),
             "tests": sum(r["outcome"] in ("tests", "both") for r in rs),
             "verify": sum(r["outcome"] in ("verify", "both") for r in rs),
             "verify alone": sum(r["outcome"] == "verify" for r in rs),
             "timeout": sum(r["outcome"] == "timeout" for r in rs),
             "survived": sum(r["outcome"] == "survived" for r in rs)}
        for k in tot:
            tot[k] += c[k]
        rows.append([room, *(str(c[k]) for k in cols[1:-1]),
                     f"{100 * (1 - c['survived'] / c['mutants']):.0f}%"])
    if tot["mutants"]:
        rows.append(["total", *(str(tot[k]) for k in cols[1:-1]),
                     f"{100 * (1 - tot['survived'] / tot['mutants']):.0f}%"])
    w = [max([len(cols[i])] + [len(r[i]) for r in rows]) for i in range(len(cols))]

    def line(r):
        return "  ".join(s.ljust(w[0]) if i == 0 else s.rjust(w[i]) for i, s in enumerate(r))

    return "\n".join([line(cols), line(["-" * x for x in w]), *map(line, rows)])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    ap.add_argument("--room", action="append", choices=list(ROOMS), help="room(s) to run")
    ap.add_argument("--mutant", action="append", metavar="ID", help="mutant id(s) to run")
    ap.add_argument("--list", action="store_true", help="list the mutants and exit")
    ap.add_argument("--jobs", type=int, default=1, help="mutants run concurrently")
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds per step")
    ap.add_argument("--json", metavar="FILE", help="write the records as JSON")
    ap.add_argument("--keep", action="store_true", help="keep the copies and logs")
    ap.add_argument("--deselect", action="append", default=[], metavar="NODEID",
                    help="pytest node id left out of every test step (a test that is red in "
                         "the checkout itself; printed in the report)")
    ap.add_argument("--skip-baseline", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.jobs < 1:
        ap.error("--jobs must be >= 1")
    if args.mutant:
        unknown = set(args.mutant) - {m.id for m in MUTANTS}
        if unknown:
            ap.error(f"unknown mutant id(s): {sorted(unknown)} (see --list)")
    if args.json and not os.path.isdir(os.path.dirname(os.path.abspath(args.json))):
        ap.error(f"--json {args.json!r}: the directory does not exist")
    chosen = [m for m in MUTANTS
              if (not args.room or m.room in args.room)
              and (not args.mutant or m.id in args.mutant)]

    t_start = time.monotonic()
    work = pathlib.Path(tempfile.mkdtemp(prefix="equilibria-mutation-"))
    try:
        snap = work / "snapshot"
        snap.mkdir()
        nfiles = snapshot(snap)
        stale = {m.id: why for m in chosen if (why := check_mutant(m, snap))}
        if args.list:
            for m in chosen:
                flag = f"  STALE: {stale[m.id]}" if m.id in stale else ""
                print(f"{m.id:16s} {m.file}{flag}\n{'':16s} {m.why}")
            print(f"{len(chosen)} mutants, {len(stale)} stale; rooms: "
                  + ", ".join(f"{r} {sum(m.room == r for m in chosen)}" for r in ROOMS))
            return 0
        for mid, why in stale.items():
            print(f"stale mutant {mid}: {why} (left out)", flush=True)
        chosen = [m for m in chosen if m.id not in stale]
        print(f"snapshot of {REPO}: {nfiles} files in {snap}", flush=True)
        for d in args.deselect:
            print(f"deselected in every test step: {d}", flush=True)

        # baseline: every (tests, patterns) combination the chosen mutants use
        if not args.skip_baseline:
            where = check_import_path(snap)
            if not where.startswith(str(snap) + os.sep):
                print(f"the copy does not shadow the installed package: equilibria imported "
                      f"from {where}", file=sys.stderr)
                return 1
            print(f"baseline imports {where}", flush=True)
            combos = []
            for m in chosen:
                c = _room_checks(m)
                if c not in combos:
                    combos.append(c)
            for tests, patterns in combos:
                res = run_one(None, snap, work, args.timeout, tests, patterns, args.deselect)
                steps = [s for s in ("tests", "verify") if s in res]
                desc = " ".join(tests) + (" + verify " + " ".join(patterns) if patterns else "")
                print(f"baseline {desc}: " + ", ".join(
                    f"{s} {res[s]['verdict']} {res[s]['seconds']:.0f}s" for s in steps),
                    flush=True)
                bad = [s for s in steps if res[s]["verdict"] != "pass"]
                if bad:
                    for s in bad:
                        print(f"--- baseline {s} ({res[s]['verdict']}, rc={res[s]['rc']}):\n"
                              f"{res[s]['tail']}", file=sys.stderr)
                    print(f"baseline fails for {desc}: the unmutated tree must pass both steps "
                          "before its mutants mean anything; stopping", file=sys.stderr)
                    return 1
                if not args.keep:
                    shutil.rmtree(res["dir"], ignore_errors=True)

        records = []

        def job(m):
            res = run_one(m, snap, work, args.timeout, deselect=args.deselect)
            if not args.keep:
                shutil.rmtree(res["dir"], ignore_errors=True)
            return m, res

        with cf.ThreadPoolExecutor(max_workers=args.jobs) as ex:
            futures = [ex.submit(job, m) for m in chosen]
            for fut in cf.as_completed(futures):
                m, res = fut.result()
                outcome = classify(res)
                records.append({"id": m.id, "room": m.room, "file": m.file, "why": m.why,
                                "old": m.old, "new": m.new, "outcome": outcome, **res})
                steps = ", ".join(f"{s} {res[s]['verdict']} {res[s]['seconds']:.0f}s"
                                  for s in ("tests", "verify") if s in res)
                print(f"[{len(records)}/{len(chosen)}] {m.id:16s} {outcome:9s} ({steps})",
                      flush=True)
        order = {m.id: i for i, m in enumerate(MUTANTS)}
        records.sort(key=lambda r: order[r["id"]])
        wall = time.monotonic() - t_start
        command = "python benchmarks/mutation.py " + " ".join(
            sys.argv[1:] if argv is None else argv)

        print()
        print(table(records))
        surv = [r for r in records if r["outcome"] == "survived"]
        if surv:
            print("\nsurvivors:")
            for r in surv:
                print(f"  {r['id']:16s} {r['file']}\n  {'':16s} {r['why']}")
        for kind in ("timeout", "error"):
            rs = [r for r in records if r["outcome"] == kind]
            if rs:
                print(f"\n{kind}: " + ", ".join(r["id"] for r in rs))
        if args.deselect:
            print("\ndeselected in every test step: " + ", ".join(args.deselect))
        print(f"\nwall time {wall / 60:.1f} min; command: {command}")
        if args.keep:
            print(f"copies and logs kept in {work}")
        if args.json:
            with open(args.json, "w", encoding="utf-8") as fh:
                json.dump({"command": command, "wall_seconds": round(wall, 1), "stale": stale,
                           "deselected": args.deselect,
                           "table": table(records), "records": records}, fh, indent=1)
            print(f"wrote {args.json}")
        return 0
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
