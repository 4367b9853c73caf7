"""A user's plain-Python vector field, compiled automatically, against the same field by hand.

The dynamics issue's target: a field written as ``f(x, p) -> np.array([...])`` in plain Python
and given to :class:`equilibria.odes.ODE` runs within 1.5x of the same field written by hand
as an in-place ``numba.njit`` function ``f(out, x, p)``.

Workloads (same integrator, tolerances and initial states for every variant):

- toggle switch ``u' = a/(1+v^n) - u, v' = a/(1+u^n) - v`` (a = 3, n = 2), ``--n`` orbits from
  uniform states in [0, 4]^2 to ``t = 50`` (``ODE.end_states``);
- Lorenz (sigma = 10, rho = 28, beta = 8/3), ``--n // 10`` orbits to ``t = 20``.

Variants: (a) plain Python ``f(x, p)`` returning ``np.array([...])`` (rewritten to the in-place
form before numba compiles it: no allocation per call); (b) a plain Python closure returning
an array (not rewritten: the allocating wrapper); (c) the in-place field written by hand in
numba.  Compile time (first call on two states) is reported apart; each timed run is repeated
``--repeats`` times and the fastest kept; the threads are numba's (``NUMBA_NUM_THREADS``);
peak memory is the process high-water mark.  End states of (a) and (b) must equal (c)'s to
1e-12 (same arithmetic).

Run ``python benchmarks/user_field.py`` (``--quick``: 2,000 toggle orbits, one repeat).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time

import numba
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _report  # noqa: E402  (records the load at start)

from equilibria.odes import ODE, IntegratorOptions


def toggle_plain(x, p):
    a, n = p[0], p[1]
    return np.array([a / (1.0 + x[1] ** n) - x[0], a / (1.0 + x[0] ** n) - x[1]])


def _make_toggle_closure():
    def f(x, p):  # a closure: not rewritten (the allocating wrapper is used)
        a, n = p[0], p[1]
        return np.array([a / (1.0 + x[1] ** n) - x[0], a / (1.0 + x[0] ** n) - x[1]])
    return f


@numba.njit(cache=True)
def toggle_hand(out, x, p):
    a, n = p[0], p[1]
    out[0] = a / (1.0 + x[1] ** n) - x[0]
    out[1] = a / (1.0 + x[0] ** n) - x[1]


def lorenz_plain(x, p):
    s, r, b = p[0], p[1], p[2]
    return np.array([s * (x[1] - x[0]), x[0] * (r - x[2]) - x[1], x[0] * x[1] - b * x[2]])


def _make_lorenz_closure():
    def f(x, p):
        s, r, b = p[0], p[1], p[2]
        return np.array([s * (x[1] - x[0]), x[0] * (r - x[2]) - x[1], x[0] * x[1] - b * x[2]])
    return f


@numba.njit(cache=True)
def lorenz_hand(out, x, p):
    s, r, b = p[0], p[1], p[2]
    out[0] = s * (x[1] - x[0])
    out[1] = x[0] * (r - x[2]) - x[1]
    out[2] = x[0] * x[1] - b * x[2]


def _time(system, X0, t_end, opts, repeats):
    t0 = time.perf_counter()
    system.end_states(X0[:2], t_end, options=opts)
    compile_s = time.perf_counter() - t0
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        X, st = system.end_states(X0, t_end, options=opts)
        best = min(best, time.perf_counter() - t0)
    return compile_s, best, X, st


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--n", type=int, default=None, help="toggle orbits (Lorenz: n // 10)")
    ap.add_argument("--repeats", type=int, default=None)
    _report.add_json_argument(ap, "user_field")
    args = ap.parse_args(argv)
    n = args.n or (2_000 if args.quick else 20_000)
    repeats = args.repeats or (1 if args.quick else 3)
    rng = np.random.default_rng(0)
    opts = IntegratorOptions(rtol=1e-8, atol=1e-10)
    workloads = [
        ("toggle", ["u", "v"], {"a": 3.0, "n": 2.0}, rng.uniform(0, 4, (n, 2)), 50.0,
         (toggle_plain, _make_toggle_closure(), toggle_hand)),
        ("lorenz", ["x", "y", "z"], {"sigma": 10.0, "rho": 28.0, "beta": 8.0 / 3.0},
         rng.uniform(-15, 15, (max(n // 10, 2), 3)) + np.array([0, 0, 25.0]), 20.0,
         (lorenz_plain, _make_lorenz_closure(), lorenz_hand)),
    ]
    print(f"numba {numba.__version__}, threads {numba.get_num_threads()} "
          f"(layer {numba.config.THREADING_LAYER}), repeats {repeats}")
    print(f"{'field':8s} {'variant':34s} {'orbits':>7s} {'compile s':>9s} {'run s':>8s} "
          f"{'vs hand':>8s}")
    rows = []
    for name, states, params, X0, t_end, (plain, closure, hand) in workloads:
        results = {}
        for label, f in (("plain Python f(x, p), rewritten", plain),
                         ("plain Python closure (allocating)", closure),
                         ("hand-written numba f(out, x, p)", hand)):
            system = ODE(f, states, params=params, name=name)
            results[label] = _time(system, X0, t_end, opts, repeats)
        ref = results["hand-written numba f(out, x, p)"]
        for label, (c, t, X, st) in results.items():
            ok = np.array_equal(st, ref[3]) and np.allclose(X, ref[2], rtol=1e-12, atol=1e-12)
            ratio = t / ref[1]
            print(f"{name:8s} {label:34s} {len(X0):7d} {c:9.2f} {t:8.3f} {ratio:7.2f}x"
                  + ("" if ok else "  END STATES DIFFER"))
            rows.append((name, label, len(X0), t, ratio, ok, c))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory {peak:.0f} MiB")
    worst = max(r[4] for r in rows if "rewritten" in r[1])
    print(f"\nworst ratio of the rewritten plain field to hand numba: {worst:.2f}x "
          f"(target <= 1.5x): {'met' if worst <= 1.5 else 'NOT met'}")
    print("\nmarkdown rows (| field | variant | orbits | run s | vs hand numba |):")
    for name, label, m, t, ratio, *_ in rows:
        print(f"| {name} | {label} | {m:,} | {t:.3f} | {ratio:.2f}x |")
    if args.json:
        _report.emit(
            "user_field", "A user's plain-Python field",
            ["field", "variant", "orbits", "run s", "vs hand numba"],
            [[nm, lb, f"{m:,}", f"{t:.3f}", f"{r:.2f}x" + ("" if ok else " (end states differ)")]
             for nm, lb, m, t, r, ok, _ in rows],
            notes=[f"Worst ratio of the rewritten plain field to hand-written numba: "
                   f"{worst:.2f}x (target within 1.5x); compile (first call) "
                   f"{min(r[6] for r in rows):.2f}-{max(r[6] for r in rows):.2f} s, reported "
                   f"apart; end states equal to the hand-written field's to 1e-12: "
                   f"{'all' if all(r[5] for r in rows) else 'NOT all'}."],
            meta=dict(n=n, repeats=repeats, peak_mib=peak,
                      rows=[dict(field=nm, variant=lb, orbits=m, run_s=t, ratio=r, equal=ok,
                                 compile_s=c) for nm, lb, m, t, r, ok, c in rows]),
            setup="`f(x, p)` returning `np.array([...])`, compiled automatically, against the "
                  "same field written by hand in numba (in place); same integrator, rtol 1e-8 "
                  f"/ atol 1e-10; toggle switch to t = 50, Lorenz to t = 20; best of {repeats}",
            path=args.json)
    return 0 if all(r[5] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
