"""Benchmark: zero-sum matrix games to a duality gap of 1e-6, side by side.

Solvers on the same game (``min_x max_y x^T A y`` over simplices), same stopping rule (the
duality gap ``max_j (A^T x)_j - min_i (A y)_i <= tol``, recomputed here for every answer):

- ``highs``: scipy ``linprog(method="highs")`` on one LP of the game (the standard form
  ``max 1^T u  s.t. (A - min A + 1)^T u <= 1, u >= 0``, both strategies from its primal and
  dual) -- the strongest installable peer;
- ``highs2``: the same, but two LPs (one per player; only with ``--two-lps``);
- ``solve_zero_sum`` (``method="auto"``) and, where auto picks HiGHS, also ``method="pdhg"``
  (restarted PDHG) to show the crossover;
- ``selfplay`` (optimistic Hedge) and ``mirror_prox`` (entropic): the room's first-order
  solvers whose rates are verified; they run for a time budget (``--fo-budget`` seconds) and
  report the gap reached (they need O(1/gap) iterations: far from 1e-6 at these sizes).

Every run is a fresh ``spawn`` process (runs under 2 s: best of three): the game is built there, numba kernels are warmed on a
tiny game first (the compile / cache-load time is reported apart), then one timed solve; peak
memory is the peak RSS of the solve (``VmHWM`` after resetting it through
``/proc/self/clear_refs``) minus the RSS after building the game.  Games: ``uniform``
(i.i.d. U[-1, 1]) and ``wrps`` (weighted generalized rock-paper-scissors
``a_i b_j RPS_ij``, weights in [0.5, 1.5], n + 1 when n is even: dense, structured, value 0,
interior equilibrium that is not uniform).

Run ``python benchmarks/zero_sum.py`` (n = 200, 500, 1000, 2000), ``--quick`` (n = 100, 200),
``--sizes 5000 10000`` for larger ones (HiGHS takes minutes at 2000; ``--highs-max`` skips it
above a size; ``--highs-limit T`` gives HiGHS a time limit and reports "did not finish in
T s").  Large sizes (a 5000^2 game is 200 MB; HiGHS needs hours at 5000 by the n^3 fit):
``python benchmarks/zero_sum.py --sizes 5000 --highs-limit 300 --no-fo``.  The forced
``pdhg`` rows stop at ``--pdhg-iters`` (default 20,000).  The ratio column is
time(HiGHS) / time(solver): > 1 means faster than HiGHS.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _report  # noqa: E402  (records the load at start)

TOL = 1e-6


def make_game(kind, n, seed=0):
    rng = np.random.default_rng(seed)
    if kind == "uniform":
        return rng.uniform(-1, 1, size=(n, n))
    # weighted rock-paper-scissors: a_i b_j RPS_ij with weights in [0.5, 1.5] (n odd); the
    # equilibrium is interior but not uniform, so the uniform start is not a solution
    if n % 2 == 0:
        n += 1
    d = (np.arange(n)[None, :] - np.arange(n)[:, None]) % n
    A = np.where(d == 0, 0.0, np.where(d <= (n - 1) // 2, 1.0, -1.0))
    return rng.uniform(0.5, 1.5, size=(n, 1)) * A * rng.uniform(0.5, 1.5, size=(1, n))


def _rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


#: HiGHS time limit in seconds (``--highs-limit``; None: no limit)
HIGHS_LIMIT = None
#: HiGHS address-space cap in GB (``--highs-mem-gb``; None: no cap)
HIGHS_MEM_GB = None


def _highs_one(A):
    from scipy.optimize import linprog

    n, m = A.shape
    B = A - (A.min() - 1.0)
    opts = {"time_limit": HIGHS_LIMIT} if HIGHS_LIMIT else {}
    res = linprog(-np.ones(n), A_ub=B.T, b_ub=np.ones(m), bounds=(0, None), method="highs",
                  options=opts)
    if res.status != 0 or res.x is None:  # time limit: report "did not finish"
        return np.full(n, 1.0 / n), np.full(m, 1.0 / m), {"unfinished": res.message}
    u = np.maximum(res.x, 0)
    w = np.maximum(-res.ineqlin.marginals, 0)
    return u / u.sum(), w / w.sum(), {}


def _highs_two(A):
    from scipy.optimize import linprog

    n, m = A.shape
    B = A - (A.min() - 1.0)
    r1 = linprog(-np.ones(n), A_ub=B.T, b_ub=np.ones(m), bounds=(0, None), method="highs")
    r2 = linprog(np.ones(m), A_ub=-B, b_ub=-np.ones(n), bounds=(0, None), method="highs")
    u, w = np.maximum(r1.x, 0), np.maximum(r2.x, 0)
    return u / u.sum(), w / w.sum(), {}


def _szs(method, max_iter=10**6):
    def run(A):
        from equilibria.solvers.games.zero_sum import solve_zero_sum

        r = solve_zero_sum(A, tol=TOL, method=method, max_iter=max_iter)
        return r.x, r.y, {"method": r.method, "iters": r.n_iter, "restarts": r.n_restarts,
                          "polished": bool(r.polished)}
    return run


def _selfplay(budget):
    def run(A):
        from equilibria.solvers.online import selfplay

        t = time.perf_counter()
        selfplay(A, 50)
        per = (time.perf_counter() - t) / 50
        T = max(50, int(budget / max(per, 1e-9)))
        r = selfplay(A, T)
        return r.x, r.y, {"iters": T}
    return run


def _mirror_prox(budget):
    def run(A):
        from equilibria.solvers.games import mirror_prox

        t = time.perf_counter()
        mirror_prox(A, max_iter=20)
        per = (time.perf_counter() - t) / 20
        T = max(20, int(budget / max(per, 1e-9)))
        r = mirror_prox(A, max_iter=T, tol=TOL)
        return r.x_avg, r.y_avg, {"iters": r.n_iter}
    return run


def _warm(name):
    """Compile or load the solver's numba kernels on a tiny game; returns seconds."""
    t = time.perf_counter()
    A = make_game("uniform", 6, 1)
    _highs_one(A)  # every process imports scipy.optimize / HiGHS before the clock starts
    if name.startswith("solve_zero_sum") or name == "pdhg":
        from equilibria.solvers.games.zero_sum import solve_zero_sum

        solve_zero_sum(A, method="pdhg", tol=1e-3)
        # the support polish (scipy.linalg) and the quick probe of method="auto"
        solve_zero_sum(make_game("wrps", 201, 1), tol=1e-6)
    elif name == "selfplay":
        from equilibria.solvers.online import selfplay

        selfplay(A, 5)
    return time.perf_counter() - t


def _total_ram_gb():
    with open("/proc/meminfo") as f:
        return int(f.readline().split()[1]) / 2**20


def _peak_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(name, kind, n, budget, q, pdhg_iters, highs_limit=None, highs_mem_gb=None):
    global HIGHS_LIMIT, HIGHS_MEM_GB
    HIGHS_LIMIT, HIGHS_MEM_GB = highs_limit, highs_mem_gb
    repeat = name not in ("selfplay", "mirror_prox")  # those run for a fixed time budget
    warnings.simplefilter("ignore")
    runner = {"highs": _highs_one, "highs2": _highs_two, "solve_zero_sum": _szs("auto"),
              "pdhg": _szs("pdhg", pdhg_iters), "selfplay": _selfplay(budget),
              "mirror_prox": _mirror_prox(budget)}[name]
    compile_s = _warm(name)
    A = make_game(kind, n)
    base = _rss_mb()
    try:  # reset the peak-RSS counter (Linux): the peak is then that of the solve
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass
    if name.startswith("highs") and highs_mem_gb:
        # cap the address space so that an LP too large for the machine fails (MemoryError or
        # a non-zero HiGHS status) instead of pushing the machine into the OOM killer
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (int(highs_mem_gb * 2**30), hard))
    t = time.perf_counter()
    try:
        x, y, info = runner(A)
    except MemoryError:
        x, y = np.full(A.shape[0], 1.0 / A.shape[0]), np.full(A.shape[1], 1.0 / A.shape[1])
        info = {"unfinished": f"out of memory (address space capped at {highs_mem_gb:g} GB)",
                "oom": True}
    dt = time.perf_counter() - t
    peak = _peak_mb()
    if name.startswith("highs") and highs_mem_gb:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    if repeat and dt < 2.0:  # short runs: best of three (the machine is shared)
        for _ in range(2):
            t = time.perf_counter()
            runner(A)
            dt = min(dt, time.perf_counter() - t)
    gap = float((A.T @ x).max() - (A @ y).min())
    q.put({"time": dt, "gap": gap, "compile": compile_s, "mem": peak - base,
           "value": float(0.5 * ((A.T @ x).max() + (A @ y).min())), **info})


def run(name, kind, n, budget=30.0, pdhg_iters=10**6, highs_limit=None, highs_mem_gb=None):
    import queue

    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_child, args=(name, kind, n, budget, q, pdhg_iters, highs_limit,
                                         highs_mem_gb))
    t0 = time.perf_counter()
    p.start()
    while True:  # a child killed by the OS (out of memory in native code) reports nothing
        try:
            out = q.get(timeout=5.0)
            break
        except queue.Empty:
            if not p.is_alive():
                out = {"time": time.perf_counter() - t0, "gap": float("nan"), "compile": 0.0,
                       "mem": float("nan"), "oom": True,
                       "unfinished": f"process died (exit code {p.exitcode})"}
                break
    p.join()
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--sizes", type=int, nargs="*")
    ap.add_argument("--games", nargs="*", default=["uniform", "wrps"])
    ap.add_argument("--highs-max", type=int, default=10**9,
                    help="skip HiGHS above this size (it needs minutes at 2000)")
    ap.add_argument("--highs-limit", type=float, default=None,
                    help="HiGHS time limit in seconds (reported as 'did not finish in T s')")
    ap.add_argument("--extra", nargs="*", default=[], metavar="GAME:N",
                    help="extra (game, size) runs after the grid, e.g. wrps:20000")
    ap.add_argument("--highs-mem-gb", type=float, default=None,
                    help="cap HiGHS's address space (GB): a game too large fails as "
                         "'out of memory' instead of exhausting the machine")
    ap.add_argument("--fo-budget", type=float, default=None,
                    help="seconds for selfplay / mirror_prox (default: the HiGHS time, <= 60)")
    ap.add_argument("--no-fo", action="store_true", help="skip selfplay and mirror_prox")
    ap.add_argument("--two-lps", action="store_true", help="also time HiGHS on two LPs")
    ap.add_argument("--pdhg-iters", type=int, default=20_000,
                    help="iteration cap of the forced method='pdhg' rows")
    ap.add_argument("--merge", metavar="JSON",
                    help="keep the (game, n) rows of this earlier --json output that this run "
                         "does not redo (the table then holds both runs; both commands are "
                         "recorded)")
    _report.add_json_argument(ap, "zero_sum")
    args = ap.parse_args(argv)
    sizes = args.sizes or ([100, 200] if args.quick else [200, 500, 1000, 2000])
    import numba
    import scipy

    from equilibria.solvers.games import zero_sum as Z

    print(f"# tol={TOL:g}; scipy {scipy.__version__} (HiGHS), numba {numba.__version__}, "
          f"numba threads {numba.config.NUMBA_NUM_THREADS}, auto: pdhg above n*m > "
          f"{Z.AUTO_PDHG_SIZE}")
    hdr = (f"{'game':8} {'n':>6} {'solver':15} {'time s':>9} {'ratio':>7} {'gap':>9} "
           f"{'iters':>7} {'mem MB':>8} {'compile s':>9}  note")
    print(hdr)
    table = []
    runs = [(kind, n) for kind in args.games for n in sizes]
    for spec in args.extra:
        kind, _, n = spec.partition(":")
        if kind not in ("uniform", "wrps") or not n.isdigit():
            ap.error(f"--extra expects GAME:N with GAME in uniform, wrps; got {spec!r}")
        runs.append((kind, int(n)))
    for kind, n in runs:
        if True:
            rows = []
            t_h = None
            if n <= args.highs_max:
                r = run("highs", kind, n, highs_limit=args.highs_limit,
                        highs_mem_gb=args.highs_mem_gb)
                r["limit"], r["mem_cap"] = args.highs_limit, args.highs_mem_gb
                t_h = None if "unfinished" in r else r["time"]
                rows.append(("highs", r))
                if args.two_lps:
                    rows.append(("highs2", run("highs2", kind, n)))
            r = run("solve_zero_sum", kind, n)
            rows.append(("solve_zero_sum", r))
            if r.get("method") != "pdhg":
                rows.append(("pdhg", run("pdhg", kind, n, pdhg_iters=args.pdhg_iters)))
            if not args.no_fo:
                budget = args.fo_budget or min(60.0, max(1.0, t_h or 10.0))
                rows.append(("selfplay", run("selfplay", kind, n, budget)))
                rows.append(("mirror_prox", run("mirror_prox", kind, n, budget)))
            for name, r in rows:
                if name == "highs" and "unfinished" in r:
                    # HiGHS stopped at its time limit: ours is at least this much faster
                    z = dict(rows)["solve_zero_sum"]
                    why = (f"{r['unfinished']}: no answer" if r.get("oom") else
                           f"did not finish in {args.highs_limit:g} s (ratio > "
                           f"{r['time'] / z['time']:.2f})")
                    print(f"{kind:8} {n:6d} {name:15} {r['time']:9.3f} {'-':>7} {'-':>9} "
                          f"{0:7d} {r['mem']:8.1f} {r['compile']:9.2f}  HiGHS {why}",
                          flush=True)
                    continue
                ratio = f"{t_h / r['time']:7.2f}" if t_h else f"{'-':>7}"
                note = r.get("method", "")
                if r.get("polished"):
                    note += " +polish"
                if "restarts" in r and r.get("method") == "pdhg":
                    note += f" restarts={r['restarts']}"
                if r["gap"] > TOL:
                    note += " (gap not reached)"
                print(f"{kind:8} {n:6d} {name:15} {r['time']:9.3f} {ratio} {r['gap']:9.2e} "
                      f"{r.get('iters', 0):7d} {r['mem']:8.1f} {r['compile']:9.2f}  {note}",
                      flush=True)
            table.append((kind, n, rows))
    if args.json:
        _emit(args, table)


def _emit(args, table):
    """Write the README table (benchmarks/_report.py schema)."""
    def sec(x):
        return f"{x:.3f}" if x < 1 else f"{x:.3g}"

    merged_from = None
    if args.merge:
        import json
        with open(args.merge) as fh:
            old = json.load(fh)
        redo = {(kind, n) for kind, n, _ in table}
        kept = [(r["game"], r["n"], list(r["solvers"].items())) for r in old["meta"]["runs"]
                if (r["game"], r["n"]) not in redo]
        for _, _, rows in kept:
            for name, r in rows:
                if name == "highs":
                    r.setdefault("limit", old["meta"].get("highs_limit"))
                    r.setdefault("mem_cap", old["meta"].get("highs_mem_gb"))
        order = {"uniform": 0, "wrps": 1}
        table = sorted(kept + list(table), key=lambda t: (order.get(t[0], 2), t[1]))
        merged_from = {"command": old["command"], "date": old["date"],
                       "machine": old["machine"], "rows_kept": [[k, n] for k, n, _ in kept]}
    cells, raw = [], []
    for kind, n, rows in table:
        d = dict(rows)
        h, z = d.get("highs"), d["solve_zero_sum"]
        fo = [f"{d[m]['gap']:.0e}" for m in ("selfplay", "mirror_prox") if m in d]
        if h and h.get("oom"):
            hcell = f"out of memory after {sec(h['time'])} s"
            rcell = "HiGHS: no answer"
        elif h and "unfinished" in h:
            hcell = f"did not finish in {h.get('limit') or args.highs_limit:g} s"
            rcell = f"> {h['time'] / z['time']:.2f}"
        else:
            hcell = f"{sec(h['time'])} s / {h['mem']:.0f} MB" if h else "-"
            rcell = f"{h['time'] / z['time']:.2f}" if h else "-"
        meth = z.get("method", "?") + (" + polish" if z.get("polished") else "")
        cells.append([kind, str(n), hcell, f"{sec(z['time'])} s / {z['mem']:.0f} MB ({meth})",
                      rcell,
                      " / ".join(fo) if fo else "-"])
        raw.append(dict(game=kind, n=n, solvers={k: v for k, v in rows}))
    comp = [r["compile"] for _, _, rows in table for name, r in rows
            if name == "solve_zero_sum"]
    notes_extra = []
    ooms = [(kind, n, d["highs"]) for kind, n, rows in table for d in [dict(rows)]
            if d.get("highs", {}).get("oom")]
    if ooms:
        notes_extra.append(
            "HiGHS out of memory: its address space was capped (`--highs-mem-gb`, "
            f"{ooms[0][2].get('mem_cap') or args.highs_mem_gb} GB on this "
            f"{_total_ram_gb():.0f} GB machine) so that "
            "the LP fails instead of the machine; peak RSS when it failed: " +
            ", ".join(f"{k} {n}: {h['mem'] / 1024:.1f} GB" for k, n, h in ooms) + ".")
    if merged_from:
        m = merged_from["machine"]
        notes_extra.append(
            f"Rows {', '.join(f'{k} {n}' for k, n in merged_from['rows_kept'])} are from the "
            f"earlier run of {merged_from['date']} ({m.get('cpu')}, load "
            f"{m.get('load_start')} at start, {m.get('load_end')} at end); the other rows "
            "from this run.")
    _report.emit(
        "zero_sum", "Zero-sum games",
        ["game", "n", "HiGHS time / memory", "`solve_zero_sum` time / memory (method)",
         "HiGHS time / ours", "gap of `selfplay` / `mirror_prox` in budget"], cells,
        notes=[f"Games: `uniform` (i.i.d. U[-1, 1]) and `wrps` (weighted rock-paper-scissors, "
               f"n + 1 when n is even); each run a fresh process, best of three under 2 s; "
               f"memory = peak RSS of the solve; compile / cache load "
               f"{min(comp):.2f}-{max(comp):.2f} s, apart; `selfplay` and `mirror_prox` run "
               f"for {'%g s' % args.fo_budget if args.fo_budget else 'the HiGHS time (<= 60 s)'}"
               f" and report the gap they reach." if not args.no_fo else
               f"Games: `uniform` (i.i.d. U[-1, 1]) and `wrps` (weighted rock-paper-scissors, "
               f"n + 1 when n is even); each run a fresh process, best of three under 2 s; "
               f"memory = peak RSS of the solve; compile / cache load "
               f"{min(comp):.2f}-{max(comp):.2f} s, apart; `selfplay` and `mirror_prox` not "
               f"run (`--no-fo`)."] + notes_extra,
        meta=dict(tol=TOL, sizes=sorted({n for _, n, _ in table}), games=args.games,
                  extra=args.extra,
                  fo_budget=args.fo_budget, highs_limit=args.highs_limit,
                  highs_mem_gb=args.highs_mem_gb,
                  pdhg_iters=args.pdhg_iters, runs=raw, merged_from=merged_from),
        command=(_report.command_line() + ("; merged with: " + merged_from["command"]
                                           if merged_from else "")),
        setup=f"duality gap {TOL:g}, against HiGHS (scipy `linprog`) on one LP of the game; "
              "same stopping rule recomputed for every answer",
        peers=("scipy",), path=args.json)


if __name__ == "__main__":
    main()
