"""Online-learning room: rounds per second of each algorithm (numba round loops) against a
straightforward numpy implementation of the same update on the same inputs.

    python benchmarks/online.py            # T = 10^6 rounds at d = 100 for the compiled loops
    python benchmarks/online.py --quick    # T = 10^5

The numpy baselines run a per-round Python loop over vectorized numpy updates (the obvious
implementation) on the first ``T_np`` rounds of the same gradient sequence; both sides are
checked to produce the same decisions on that prefix (max abs difference printed).  Compile
time (first call, or on-disk cache load) is reported apart from steady state; the steady state
is the best of ``--repeat`` runs with ``store_weights=False`` (only the last decision kept).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _report  # noqa: E402  (records the load at start)

import equilibria.solvers.online as ol
from equilibria.solvers.online.games import selfplay
from equilibria.solvers.online.ons import ons


# -- numpy baselines ---------------------------------------------------------------------------
def _proj_simplex(v):
    u = np.sort(v)[::-1]
    css = np.cumsum(u)
    k = np.arange(1, v.size + 1)
    rho = np.nonzero(u - (css - 1) / k > 0)[0][-1]
    return np.maximum(v - (css[rho] - 1) / (rho + 1), 0)


def _proj_ball(v, r=1.0):
    n = np.linalg.norm(v)
    return v if n <= r else v * (r / n)


def _lb_newton(L, eta):
    lam = L.min() - 1 / eta
    for _ in range(200):
        p = 1 / (eta * (L - lam))
        f = p.sum() - 1
        if abs(f) <= 1e-13:
            break
        lam -= f / (eta * np.sum(p * p))
    p = 1 / (eta * (L - lam))
    return p / p.sum()


def _ts_newton(L, eta):
    lam = L.min() - 1 / eta
    for _ in range(200):
        r = 1 / (eta * (L - lam))
        f = np.sum(r * r) - 1
        if abs(f) <= 1e-13:
            break
        lam -= f / (2 * eta * np.sum(r**3))
    p = (1 / (eta * (L - lam))) ** 2
    return p / p.sum()


def np_hedge(G, eta):
    L = np.zeros(G.shape[1])
    for g in G:
        w = np.exp(-eta * (L - L.min()))
        x = w / w.sum()
        L += g
    return x


def np_ogd(G, eta):
    x = np.zeros(G.shape[1])
    for g in G:
        last = x
        x = _proj_ball(x - eta * g)
    return last


def np_omd_entropy(G, eta):
    x = np.full(G.shape[1], 1 / G.shape[1])
    for g in G:
        last = x
        w = x * np.exp(-eta * (g - g.min()))
        x = w / w.sum()
    return last


def np_ftrl_euclid_simplex(G, eta):
    d = G.shape[1]
    L = np.zeros(d)
    c = np.full(d, 1 / d)
    for g in G:
        x = _proj_simplex(c - eta * L)
        L += g
    return x


def np_log_barrier(G, eta):
    L = np.zeros(G.shape[1])
    for g in G:
        x = _lb_newton(L, eta)
        L += g
    return x


def np_tsallis(G, eta):
    L = np.zeros(G.shape[1])
    for g in G:
        x = _ts_newton(L, eta)
        L += g
    return x


def np_oomd_entropy(G, eta):
    d = G.shape[1]
    xh = np.full(d, 1 / d)
    m = np.zeros(d)
    for g in G:
        w = xh * np.exp(-eta * (m - m.min()))
        x = w / w.sum()
        w = xh * np.exp(-eta * (g - g.min()))
        xh = w / w.sum()
        m = g
    return x


def np_oftrl_adaptive(G, D, delta=1.0):
    d = G.shape[1]
    L, m, var = np.zeros(d), np.zeros(d), 0.0
    for g in G:
        eta = D / np.sqrt(delta + var)
        x = _proj_ball(-eta * (L + m))
        L += g
        var += np.sum((g - m) ** 2)
        m = g
    return x


def np_sea_omd(G, G_max, D, delta=1.0):
    d = G.shape[1]
    xh, m, var = np.zeros(d), np.zeros(d), 0.0
    for g in G:
        eta = D / np.sqrt(delta + 4 * G_max**2 + var)
        x = _proj_ball(xh - eta * m)
        xh = _proj_ball(xh - eta * g)
        var += np.sum((g - m) ** 2)
        m = g
    return x


def np_selfplay(A, T, eta):
    n, m = A.shape
    Lx, Ly, ux, uy = np.zeros(n), np.zeros(m), np.zeros(n), np.zeros(m)
    Sx = np.zeros(n)
    for _ in range(T):
        tx, ty = Lx + ux, Ly + uy
        x = np.exp(-eta * (tx - tx.min()))
        x /= x.sum()
        y = np.exp(-eta * (ty - ty.min()))
        y /= y.sum()
        ux, uy = A @ y, -A.T @ x
        Lx += ux
        Ly += uy
        Sx += x
    return Sx / T


def np_ons(R, gamma, eps, tol=1e-10, max_iter=5000):
    """ONS with the same FISTA-with-restart generalized projection, in numpy."""
    T, d = R.shape
    x = np.full(d, 1 / d)
    A = eps * np.eye(d)
    Ainv = np.eye(d) / eps
    for t in range(T):
        last = x
        s = R[t] @ x
        g = -R[t] / s
        Ag = Ainv @ g
        Ainv -= np.outer(Ag, Ag) / (1 + g @ Ag)
        A += np.outer(g, g)
        y = x - Ainv @ g / gamma
        lip = 2 * np.trace(A)
        z, v, tk = x.copy(), x.copy(), 1.0
        for _ in range(max_iter):
            grad = 2 * A @ (v - y)
            zn = _proj_simplex(v - grad / lip)
            if np.max(np.abs(zn - v)) <= tol:
                z = zn
                break
            if grad @ (zn - z) > 0:
                tk = 1.0
            tn = 0.5 * (1 + np.sqrt(1 + 4 * tk * tk))
            v = zn + (tk - 1) / tn * (zn - z)
            z, tk = zn, tn
        x = z
    return last


# -- harness -----------------------------------------------------------------------------------
def _best(f, arg, repeat):
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = f(arg)
        best = min(best, time.perf_counter() - t0)
    return best, out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="T = 10^5 instead of 10^6")
    ap.add_argument("--d", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    _report.add_json_argument(ap, "online")
    args = ap.parse_args(argv)
    T = 10**5 if args.quick else 10**6
    d = args.d
    T_np = 2000 if args.quick else 10000
    rng = np.random.default_rng(args.seed)
    G = rng.uniform(size=(T, d))
    Gs = np.ascontiguousarray(G - 0.5)  # signed gradients for the ball algorithms
    D_ball = 2.0
    G_max = float(np.sqrt(d) * 0.5)
    eta = 0.01
    cases = [
        ("hedge", lambda X: ol.hedge(X, eta, store_weights=False), lambda X: np_hedge(X, eta), G),
        ("ogd (ball)", lambda X: ol.ogd(X, eta, store_weights=False),
         lambda X: np_ogd(X, eta), Gs),
        ("omd (entropy)", lambda X: ol.omd(X, eta, store_weights=False),
         lambda X: np_omd_entropy(X, eta), G),
        ("ftrl (euclid, simplex)",
         lambda X: ol.ftrl(X, eta, regularizer="euclidean", store_weights=False),
         lambda X: np_ftrl_euclid_simplex(X, eta), G),
        ("ftrl (log-barrier)", lambda X: ol.log_barrier_ftrl(X, eta, store_weights=False),
         lambda X: np_log_barrier(X, eta), G),
        ("ftrl (1/2-Tsallis)",
         lambda X: ol.ftrl(X, eta, regularizer="tsallis", store_weights=False),
         lambda X: np_tsallis(X, eta), G),
        ("optimistic omd (entropy)",
         lambda X: ol.optimistic_omd(X, eta, store_weights=False),
         lambda X: np_oomd_entropy(X, eta), G),
        ("optimistic ftrl (adaptive)",
         lambda X: ol.optimistic_ftrl(X, store_weights=False),
         lambda X: np_oftrl_adaptive(X, D_ball), Gs),
        ("sea omd", lambda X: ol.sea_omd(X, G_max=G_max, store_weights=False),
         lambda X: np_sea_omd(X, G_max, D_ball), Gs),
    ]
    rows = []
    print(f"online benchmark: d = {d}, equilibria T = {T:,}, numpy T = {T_np:,}, "
          f"best of {args.repeat}")
    for name, ours, base, X in cases:
        small = np.ascontiguousarray(X[:T_np])
        t0 = time.perf_counter()
        ours(small[:5])
        compile_s = time.perf_counter() - t0
        t_ours, _ = _best(ours, X, args.repeat)
        t_np, x_np = _best(base, small, 1)
        x_ours = ours(small).weights[-1]
        diff = float(np.max(np.abs(x_ours - x_np)))
        rows.append((name, compile_s, T / t_ours, T_np / t_np, t_ours * 1e6 / T, diff))
    # self-play (n = m = d) and ONS portfolio (d = 10) on their own sizes
    A = rng.uniform(-1, 1, size=(d, d))
    T_sp, T_sp_np = T // 10, T_np // 5
    e_sp = 1 / (2 * np.abs(A).max())
    t0 = time.perf_counter()
    selfplay(A, 3)
    c_sp = time.perf_counter() - t0
    t_sp, _ = _best(lambda n: selfplay(A, n), T_sp, args.repeat)
    t_spn, x_spn = _best(lambda n: np_selfplay(A, n, e_sp), T_sp_np, 1)
    diff = float(np.max(np.abs(selfplay(A, T_sp_np).x - x_spn)))
    rows.append((f"selfplay opt. hedge {d}x{d}", c_sp, T_sp / t_sp, T_sp_np / t_spn, None, diff))
    R = np.exp(rng.normal(0.0, 0.05, size=(T // 100, 10)))
    R[:, 0] = 1.0
    T_on = min(R.shape[0], 500)
    t0 = time.perf_counter()
    r0 = ons(R[:3], comparator=None)
    c_on = time.perf_counter() - t0
    r_full = ons(R, comparator=None, store_weights=False)
    t_on, _ = _best(lambda M: ons(M, comparator=None, store_weights=False), R, args.repeat)
    t_onn, x_onn = _best(lambda M: np_ons(M, r_full.gamma, r_full.eps), R[:T_on], 1)
    diff = float(np.max(np.abs(ons(R[:T_on], gamma=r_full.gamma, eps=r_full.eps,
                                   comparator=None).weights[-1] - x_onn)))
    rows.append(("ons portfolio d=10", c_on, R.shape[0] / t_on, T_on / t_onn, None, diff))
    del r0

    head = ("algorithm", "compile/load s", "equilibria rounds/s", "numpy rounds/s", "ratio",
            f"T={T:.0e} s", "max|diff|")
    lines = []
    for name, c, ro, rn, us, diff in rows:
        total = "-" if us is None else f"{us * T / 1e6:.3f}"
        lines.append((name, f"{c:.2f}", f"{ro:,.0f}", f"{rn:,.0f}", f"{ro / rn:,.0f}x", total,
                      f"{diff:.1e}"))
    widths = [max(len(h), *(len(r[i]) for r in lines)) for i, h in enumerate(head)]
    fmt = "  ".join("{:<%d}" % w for w in widths)
    print(fmt.format(*head))
    print(fmt.format(*("-" * w for w in widths)))
    for r in lines:
        print(fmt.format(*r))
    if args.json:
        _emit(args, rows, T, T_np, d)
    return 0


README_NAMES = {"ftrl (euclid, simplex)": "ftrl (Euclidean, simplex)",
                "ons portfolio d=10": "ONS portfolio, d = 10"}


def _emit(args, rows, T, T_np, d):
    """Write the README table (benchmarks/_report.py schema)."""
    exp = f"10^{int(round(np.log10(T)))}"
    cells = []
    for name, c, ro, rn, us, diff in rows:
        label = README_NAMES.get(name, name)
        if name.startswith("selfplay"):
            label = f"self-play, optimistic Hedge {d}x{d}"
        total = "-" if us is None else f"{us * T / 1e6:.2f} s"
        cells.append([label, f"{ro / 1e6:.2f} M", f"{ro / rn:,.0f}x", total])
    raw = [dict(algorithm=n, compile_s=c, rounds_per_s=ro, numpy_rounds_per_s=rn,
                us_per_round=us, max_abs_diff=diff) for n, c, ro, rn, us, diff in rows]
    _report.emit(
        "online", "Online learning",
        ["algorithm", "rounds/s", "vs numpy", f"T = {exp}"], cells,
        notes=[f"Compile / cache load {min(r[1] for r in rows):.2f}-{max(r[1] for r in rows):.2f}"
               f" s per algorithm, reported apart; decisions equal to the numpy reference to "
               f"{max(r[5] for r in rows):.1e} on the common prefix."],
        meta=dict(T=T, T_numpy=T_np, d=d, repeat=args.repeat, seed=args.seed, rows=raw),
        setup=f"d = {d}, numpy reference on {T_np:,} rounds, best of {args.repeat}; "
              f"self-play on T/10 rounds, ONS on T/100",
        path=args.json)


if __name__ == "__main__":
    raise SystemExit(main())
