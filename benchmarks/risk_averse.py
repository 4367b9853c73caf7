"""Benchmark: all Nash equilibria of random bimatrix games, ours against nashpy, side by side.

Same games (``A, B`` i.i.d. N(0, 1), ``n x n`` for n = 3..8, ``--games`` seeds per size),
every answer checked:

- ``ours``: :func:`equilibria.solvers.games.risk_averse.support_enumeration` (numpy; the
  Nash side of the risk-averse equilibrium's ``games.rae_min_variance`` check);
- ``nashpy_support``: ``nashpy.Game(A, B).support_enumeration()`` (the peer of the brief);
- ``nashpy_vertex``: ``vertex_enumeration()``, the complete set for nondegenerate games, the
  reference our set must equal;
- ``nashpy_lh``: ``lemke_howson(initial_dropped_label=0)``: one equilibrium (it must be in our
  set);
- ``rae``: :func:`~equilibria.solvers.games.risk_averse.risk_averse_equilibrium` at risk
  aversion 0.5 (one risk-averse equilibrium; informative, no peer).

Each (solver, size) runs in a fresh ``spawn`` process on all games of that size: imports and
the numba kernels are warmed on a 2x2 game first (compile / cache load reported apart), then
the solves are timed (per game: the median over games is reported); peak memory is the peak
RSS of the solves (``VmHWM`` after resetting it through ``/proc/self/clear_refs``) minus the
RSS before them.  The ratio column is time(nashpy support enumeration) / time(ours): > 1
means ours is faster.  ``--json`` writes ``benchmarks/results/risk_averse.json``.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _report  # noqa: E402  (records the load at start)

SOLVERS = ("ours", "nashpy_support", "nashpy_vertex", "nashpy_lh", "rae")


def make_game(n, seed):
    rng = np.random.default_rng(1000 * n + seed)
    return rng.normal(size=(n, n)), rng.normal(size=(n, n))


def _rss(key="VmRSS:"):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1]) / 1024
    return float("nan")


def _runner(name):
    if name == "ours":
        from equilibria.solvers.games.risk_averse import support_enumeration
        return lambda A, B: support_enumeration(A, B)
    if name == "rae":
        from equilibria.solvers.games.risk_averse import risk_averse_equilibrium

        def rae(A, B):
            r = risk_averse_equilibrium(A, B, risk_aversion=0.5)
            return [(r.x, r.y)] if r.success else []
        return rae
    import nashpy

    if name == "nashpy_support":
        return lambda A, B: list(nashpy.Game(A, B).support_enumeration())
    if name == "nashpy_vertex":
        return lambda A, B: list(nashpy.Game(A, B).vertex_enumeration())
    return lambda A, B: [nashpy.Game(A, B).lemke_howson(initial_dropped_label=0)]


def _child(name, n, seeds, q):
    warnings.simplefilter("ignore")
    t = time.perf_counter()
    run = _runner(name)
    run(*make_game(2, 99))  # imports, numba compile or cache load
    compile_s = time.perf_counter() - t
    games = [make_game(n, s) for s in seeds]
    base = _rss()
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass
    times, found = [], []
    for A, B in games:
        t = time.perf_counter()
        eqs = run(A, B)
        times.append(time.perf_counter() - t)
        found.append([(np.asarray(x, float), np.asarray(y, float)) for x, y in eqs])
    q.put({"times": times, "eqs": found, "compile": compile_s, "mem": _rss("VmHWM:") - base})


def run(name, n, seeds):
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_child, args=(name, n, seeds, q))
    p.start()
    out = q.get()
    p.join()
    return out


def _member(eq, eqs):
    x, y = eq
    if any(x.shape != a.shape or y.shape != b.shape for a, b in eqs):
        return False  # a malformed answer (nashpy's Lemke-Howson can return one)
    return any(np.allclose(x, a, atol=1e-7) and np.allclose(y, b, atol=1e-7) for a, b in eqs)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="*", default=[3, 4, 5, 6, 7, 8])
    ap.add_argument("--games", type=int, default=5, help="random games per size")
    ap.add_argument("--quick", action="store_true", help="sizes 3..6, 3 games each")
    _report.add_json_argument(ap, "risk_averse")
    args = ap.parse_args(argv)
    sizes = [3, 4, 5, 6] if args.quick else args.sizes
    seeds = list(range(3 if args.quick else args.games))
    import numba

    import nashpy

    print(f"# random N(0,1) bimatrix games, {len(seeds)} per size; nashpy {nashpy.__version__}, "
          f"numba {numba.__version__}, numba threads {numba.config.NUMBA_NUM_THREADS}")
    print(f"{'n':>3} {'solver':15} {'median s':>9} {'ratio':>7} {'#eq':>5} {'mem MB':>7} "
          f"{'compile s':>9}  check")
    table = []
    for n in sizes:
        res = {name: run(name, n, seeds) for name in SOLVERS}
        ours, ref = res["ours"]["eqs"], res["nashpy_vertex"]["eqs"]
        checks = {
            "ours": sum(len(o) == len(r) and all(_member(e, r) for e in o)
                        for o, r in zip(ours, ref)),
            "nashpy_support": sum(all(_member(e, o) for e in s) and len(s) == len(o)
                                  for s, o in zip(res["nashpy_support"]["eqs"], ours)),
            "nashpy_vertex": len(seeds),
            "nashpy_lh": sum(all(_member(e, o) for e in s)
                             for s, o in zip(res["nashpy_lh"]["eqs"], ours)),
            "rae": sum(len(s) == 1 for s in res["rae"]["eqs"]),
        }
        t_peer = float(np.median(res["nashpy_support"]["times"]))
        rows = []
        for name in SOLVERS:
            r = res[name]
            med = float(np.median(r["times"]))
            neq = float(np.mean([len(e) for e in r["eqs"]]))
            what = {"ours": "set = vertex enumeration", "nashpy_support": "set = ours",
                    "nashpy_vertex": "reference", "nashpy_lh": "in our set",
                    "rae": "certificate met"}[name]
            note = f"{checks[name]}/{len(seeds)} {what}"
            ratio = t_peer / med if med > 0 else float("inf")
            print(f"{n:3d} {name:15} {med:9.4f} {ratio:7.2f} {neq:5.1f} {r['mem']:7.1f} "
                  f"{r['compile']:9.2f}  {note}", flush=True)
            rows.append((name, dict(median=med, ratio=ratio, n_eq=neq, mem=r["mem"],
                                    compile=r["compile"], check=checks[name],
                                    times=r["times"])))
        table.append((n, rows))
    if args.json:
        _emit(args, table, len(seeds))


def _emit(args, table, n_games):
    def sec(x):
        return f"{x * 1e3:.2f} ms" if x < 1 else f"{x:.3g} s"

    cells, raw = [], []
    for n, rows in table:
        d = dict(rows)
        o, s, v, lh = d["ours"], d["nashpy_support"], d["nashpy_vertex"], d["nashpy_lh"]
        cells.append([f"{n}x{n}", sec(o["median"]), sec(s["median"]),
                      f"{s['median'] / o['median']:.2f}", sec(v["median"]),
                      sec(lh["median"]), f"{o['check']}/{n_games} equal, nashpy support "
                      f"{s['check']}/{n_games}"])
        raw.append(dict(n=n, solvers={k: val for k, val in rows}))
    comp = [val["compile"] for _, rows in table for k, val in rows if k == "rae"]
    _report.emit(
        "risk_averse", "Nash equilibria of bimatrix games (support enumeration)",
        ["size", "ours (median per game)", "nashpy support enumeration", "nashpy / ours",
         "nashpy vertex enumeration", "nashpy Lemke-Howson (one NE)",
         "equilibria sets (ours = vertex enum.; nashpy support = ours)"], cells,
        notes=[f"{n_games} random N(0, 1) games per size, every (solver, size) a fresh process; "
               "our set is checked equal to nashpy's vertex enumeration (complete for "
               "nondegenerate games) and nashpy's support enumeration against ours; "
               f"compile / cache load of the RAE kernels {min(comp):.2f}-{max(comp):.2f} s, "
               "apart."],
        meta=dict(sizes=[n for n, _ in table], games=n_games, runs=raw),
        setup="all Nash equilibria of random bimatrix games, same games for every solver",
        peers=("nashpy",), path=args.json)


if __name__ == "__main__":
    main()
