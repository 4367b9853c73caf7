"""Benchmark: component-oracle calls (and time) to reach ||F(x)|| <= tol on finite-sum games.

Methods on the same instance, same starting point, same stopping rule (the exact residual
||F(x)||, checked at full passes for the variance-reduced methods):

- ``vr_halpern`` (Cai, Alacaoglu & Diakonikolas 2024): cocoercive single-loop variant on the
  cocoercive sums, inexact-resolvent variant on the bilinear games; it needs the AVERAGE
  component constant ``fs.L``;
- ``halpern`` (full batch): forward map with step 2/L_mean on the cocoercive sums; on the
  bilinear games the resolvent computed by a deterministic extragradient inner loop (its calls
  counted);
- ``extragradient`` (full batch, step 1/(sqrt2 L_mean)).

The full-batch methods get the constant of the MEAN operator (L_mean = ||Mbar||_2, resp.
lambda_max(A^T A / n) for the Huber sum), which is smaller than the component constant, so
that they are not handicapped by a constant they do not need.

Instances (n components, ||x0 - x*|| = 1):
  1. cocoercive linear finite sum F_i(x) = a_i a_i^T x + q_i (well conditioned: every method
     converges linearly, extragradient is expected to win);
  2. bilinear finite-sum game F_i(x, y) = (B_i y + c_i, -B_i^T x + d_i), well-conditioned mean;
  3. ILL-CONDITIONED bilinear finite-sum game: mean B = U diag(sigma) V^T with sigma
     log-spaced in [1e-3, 1] (``--sigma-min``), components B_i = Bbar + E_i with zero-mean
     rank-one E_i
     (monotone, not strongly monotone in effect, no sharpness: the last iterate of
     extragradient decays like O(1/sqrt k) over the spread of small singular values, Halpern-type
     methods like O(1/k));
  4. Huber finite sum F_i(x) = a_i clip(a_i^T x - b_i, -delta, delta) (gradients of smooth
     convex, non-strongly-convex losses; non-linear cocoercive components; a_i = S g_i with
     S = diag(1/j), ill conditioned; flat where the residual exceeds delta).

Run ``python benchmarks/games.py`` (n = 200, tol = 1e-4 on every instance, budget 1e8 calls per
run; a few minutes), ``--quick`` (n = 100, tol = 1e-3) or ``--full`` (n = 1000, tol = 1e-6,
budget 3e9; hours, most full-batch runs end at the budget).  ``--tol`` and ``--n`` override.
Compile time of the numba kernels is measured on a tiny instance and reported apart.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _report  # noqa: E402  (records the load at start)

from equilibria._lib.result import ConvergenceWarning
from equilibria.solvers.games import extragradient, halpern, vr_halpern
from equilibria.solvers.games._problems import (FiniteSum, linear_finite_sum,
                                                random_bilinear_game,
                                                random_cocoercive_finite_sum)


def _mean_constant(fs):
    """||Mbar||_2 of a linear finite sum (Lipschitz, and cocoercivity for PSD Mbar)."""
    return float(np.linalg.norm(fs._matrix[0], 2))


def cocoercive_instance(n, d, seed):
    fs, _ = random_cocoercive_finite_sum(n, d, seed, unit_distance=True)
    return fs, np.zeros(d), _mean_constant(fs)


def bilinear_instance(n, dx, dy, seed):
    fs, _ = random_bilinear_game(n, dx, dy, seed, unit_distance=True)
    return fs, np.zeros(dx + dy), _mean_constant(fs)


def illcond_bilinear_instance(n, d, seed, *, sigma_min=1e-3, hetero=0.3):
    """Bilinear finite-sum game whose mean B = U diag(sigma) V^T has singular values
    log-spaced in [sigma_min, 1]; B_i = Bbar + E_i, E_i zero-mean rank one; z* of unit norm
    spread over all singular directions (plus zero-mean noise in the offsets)."""
    rng = np.random.default_rng(seed)
    U = np.linalg.qr(rng.normal(size=(d, d)))[0]
    V = np.linalg.qr(rng.normal(size=(d, d)))[0]
    Bbar = (U * np.geomspace(1.0, sigma_min, d)) @ V.T
    E = hetero * np.einsum("ni,nj->nij", rng.normal(size=(n, d)), rng.normal(size=(n, d))) / d
    B = Bbar[None] + (E - E.mean(axis=0))
    M = np.zeros((n, 2 * d, 2 * d))
    M[:, :d, d:] = B
    M[:, d:, :d] = -np.transpose(B, (0, 2, 1))
    z = rng.normal(size=2 * d)
    z /= np.linalg.norm(z)
    noise = 0.1 * rng.normal(size=(n, 2 * d))
    q = -np.einsum("nij,j->ni", M, z) + noise - noise.mean(axis=0)
    fs = linear_finite_sum(M, q)
    return fs, np.zeros(2 * d), _mean_constant(fs)


def huber_instance(n, d, seed, *, delta=0.1):
    """F_i(x) = a_i psi(a_i^T x - b_i), psi = clip(., -delta, delta) (Huber-loss gradient),
    a_i = S g_i with S = diag(1/j), b_i = a_i^T x*, ||x*|| = 1.  F_i is cocoercive with
    constant ||a_i||^2 (psi is monotone and 1-Lipschitz), so fs.L = max_i ||a_i||^2; the mean
    is cocoercive with lambda_max(A^T A / n)."""
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(n, d)) / np.arange(1, d + 1)
    x_star = rng.normal(size=d)
    b = A @ (x_star / np.linalg.norm(x_star))

    def batch(x, idx):
        if idx is None:
            return A.T @ np.clip(A @ x - b, -delta, delta) / n
        Ai = A[idx]
        return Ai.T @ np.clip(Ai @ x - b[idx], -delta, delta) / len(idx)

    fs = FiniteSum(batch, n, d, float(np.max(np.sum(A * A, axis=1))))
    return fs, np.zeros(d), float(np.linalg.eigvalsh(A.T @ A / n)[-1])


class BudgetExhausted(Exception):
    """Raised by the inexact resolvent when the oracle budget is spent."""


def inexact_resolvent(fs, Lf, counter, inner_tol, budget):
    """J_{eta F}(v) by full-batch extragradient on G(u) = u - v + eta F(u) (1-strongly monotone,
    (1 + eta Lf)-Lipschitz, Lf the Lipschitz constant of the mean F), stopped at ||G(u)|| <= inner_tol; calls added to ``counter[0]``,
    the last point kept in ``counter[1]``; raises :class:`BudgetExhausted` past ``budget``."""
    def resolvent(v, eta):
        if counter[0] >= budget:
            raise BudgetExhausted
        counter[1] = v
        Lg = 1.0 + eta * Lf
        s = 1.0 / (np.sqrt(2.0) * Lg)
        u = v.copy()
        while True:
            Gu = u - v + eta * fs.full(u)
            counter[0] += fs.n
            if np.linalg.norm(Gu) <= inner_tol:
                return u
            uh = u - s * Gu
            counter[0] += fs.n
            u = u - s * (uh - v + eta * fs.full(uh))
    return resolvent


def run(method, fs, x0, Lf, tol, budget, seed, kind):
    """One method on one instance; ``Lf`` is the mean operator's constant (full-batch steps)."""
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if method == "vr_halpern":
            res = vr_halpern(fs, x0, variant=kind, tol=tol, max_oracle_calls=budget, seed=seed,
                             check_monotone=False)
            calls, ok, x = res.oracle_calls, res.success, res.x
        elif method == "halpern" and kind == "cocoercive":
            res = halpern(x0, F=fs, L=Lf, tol=tol, max_iter=int(budget // fs.n),
                          check_monotone=False)
            calls, ok, x = res.oracle_calls, res.success, res.x
        elif method == "halpern":
            counter = [0, x0]
            resolvent = inexact_resolvent(fs, Lf, counter, 0.01 * tol / Lf, budget)
            try:
                res = halpern(x0, F=fs.full, resolvent=resolvent, eta=1.0 / Lf, tol=tol,
                              max_iter=int(budget // fs.n), check_monotone=False)
                ok, x = res.success, res.x
            except BudgetExhausted:
                ok, x = False, counter[1]
            calls = counter[0]
        else:
            res = extragradient(fs, x0, L=Lf, tol=tol, max_iter=int(budget // (2 * fs.n)),
                                check_monotone=False)
            calls, ok, x = res.oracle_calls, res.success, res.x
    dt = time.perf_counter() - t0
    resid = float(np.linalg.norm(fs.full(x)))
    return {"method": method, "calls": calls, "time": dt, "ok": ok, "resid": resid}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="n = 100, tol = 1e-3")
    ap.add_argument("--full", action="store_true", help="n = 1000, tol = 1e-6 (hours)")
    ap.add_argument("--n", type=int, default=None)
    ap.add_argument("--tol", type=float, default=None, help="tolerance on ||F(x)|| (all)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--budget", type=float, default=None, help="max component calls per run")
    ap.add_argument("--sigma-min", type=float, default=1e-3,
                    help="smallest singular value of instance 3 (default 1e-3)")
    ap.add_argument("--only", default=None,
                    help="comma-separated instance numbers to run (1-4), e.g. --only 3,4")
    _report.add_json_argument(ap, "games")
    args = ap.parse_args(argv)
    if args.quick and args.full:
        ap.error("`--quick` and `--full` exclude each other")
    n = args.n or (100 if args.quick else 1000 if args.full else 200)
    tol = args.tol or (1e-3 if args.quick else 1e-6 if args.full else 1e-4)
    budget = int(args.budget or (3e9 if args.full else 1e8))

    # compile time, apart from steady state
    t0 = time.perf_counter()
    tiny, z, _ = cocoercive_instance(8, 2, 0)
    tinyb, zb, _ = bilinear_instance(8, 1, 1, 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        vr_halpern(tiny, z, tol=1e-2, seed=0)
        vr_halpern(tinyb, zb, variant="monotone", tol=1e-1, seed=0)
    compile_s = time.perf_counter() - t0

    print(f"equilibria games benchmark: n = {n} components, stopping rule ||F(x)|| <= "
          f"{tol:g}, budget {budget:.1e} calls/run, seed {args.seed}")
    print(f"numba compile (or cache load) of the VR-Halpern kernels: {compile_s:.2f} s\n")
    problems = [
        ("1. cocoercive linear finite sum (d=20)", lambda: cocoercive_instance(n, 20, args.seed),
         "cocoercive"),
        ("2. bilinear finite-sum game (10x10)", lambda: bilinear_instance(n, 10, 10, args.seed),
         "monotone"),
        (f"3. ill-conditioned bilinear game (10x10, sigma in [{args.sigma_min:g}, 1])",
         lambda: illcond_bilinear_instance(n, 10, args.seed, sigma_min=args.sigma_min),
         "monotone"),
        ("4. Huber finite sum (d=20, a_i ~ diag(1/j) g_i, delta=0.1)",
         lambda: huber_instance(n, 20, args.seed), "cocoercive"),
    ]
    only = None if args.only is None else {int(t) for t in args.only.split(",")}
    table = []
    for num, (title, make, kind) in enumerate(problems, start=1):
        if only is not None and num not in only:
            continue
        fs, x0, Lf = make()
        print(f"{title}: L_avg = {fs.L:.3g} (VR), L_mean = {Lf:.3g} (full batch), "
              f"||F(x0)|| = {np.linalg.norm(fs.full(x0)):.3g}")
        rows = [run(m, fs, x0, Lf, tol, budget, args.seed, kind)
                for m in ("vr_halpern", "halpern", "extragradient")]
        ref = rows[0]["calls"]
        head = (f"  {'method':<15}{'oracle calls':>15}{'calls / VR':>12}{'time [s]':>11}"
                f"{'||F(x)||':>12}  converged")
        print(head)
        print("  " + "-" * (len(head) - 2))
        for r in rows:
            print(f"  {r['method']:<15}{r['calls']:>15,d}{r['calls'] / ref:>12.2f}"
                  f"{r['time']:>11.2f}{r['resid']:>12.3g}  {'yes' if r['ok'] else 'NO (budget)'}")
        print(flush=True)
        table.append((num, title, rows, fs.L / Lf))
    if args.json:
        _emit(args, table, n, tol, budget, compile_s)
    return 0


README_INSTANCES = {1: "cocoercive linear finite sum", 2: "bilinear game, well conditioned",
                    3: "bilinear game, ill conditioned (sigma in [{s:g}, 1])",
                    4: "Huber finite sum (non-linear cocoercive)"}


def _calls(c):
    return f"{c / 1e6:.3g} M" if c >= 1e6 else f"{c / 1e3:.3g} k"


def _emit(args, table, n, tol, budget, compile_s):
    """Write the README table (benchmarks/_report.py schema)."""
    cells, raw = [], []
    for num, title, rows, _ in table:
        ref = rows[0]["calls"]
        cell = [README_INSTANCES[num].format(s=args.sigma_min),
                _calls(ref) + ("" if rows[0]["ok"] else " (budget)")]
        for r in rows[1:]:
            x = r["calls"] / ref
            cell.append(f"{x:.2f}x" if r["ok"] else f">= {x:.2f}x (budget)")
        cells.append(cell)
        raw.append(dict(instance=title, rows=rows))
    raw = [dict(r, L_avg_over_L_mean=t[3]) for r, t in zip(raw, table)]
    _report.emit(
        "games", "Games", ["instance", "VR-Halpern calls", "Halpern", "extragradient"], cells,
        notes=["The constant VR-Halpern needs (the average component constant) over the mean "
               "operator's constant the full-batch methods get: "
               + ", ".join(f"{r:.1f}x ({README_INSTANCES[k].split(' (')[0]})"
                           for k, _, _, r in table)
               + f", against sqrt(n) = {np.sqrt(n):.1f}.",
               f"Budget {budget:.0e} component calls per run; VR-Halpern kernels compile (or "
               f"cache load) in {compile_s:.2f} s, reported apart."],
        meta=dict(n=n, tol=tol, budget=budget, seed=args.seed, sigma_min=args.sigma_min,
                  compile_s=compile_s, instances=raw),
        setup=f"n = {n} components, tol {tol:g} on ||F(x)||; oracle calls as a multiple of "
              f"variance-reduced Halpern's",
        path=args.json)


if __name__ == "__main__":
    raise SystemExit(main())
