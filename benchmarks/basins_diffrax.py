"""Basins of the lock_in preset: equilibria against diffrax (JAX), same inputs and stopping rule.

The default 2-D slice of the ``lock_in`` preset of :class:`CoexistenceModel` (every human level
u, every AI level v, both in [0.02, 2.5], the other coordinates 0; 6-D state), ``grid x grid``
initial conditions (400 x 400 by default), built as in ``benchmarks/basins.py``.  Every method
integrates the same field ``x * (r + A x + M (x / (1 + q x)))`` with adaptive Dormand-Prince
5(4), ``rtol = 1e-7``, ``atol = 1e-9`` (RMS error norm in both), in float64, until the
steady-state rule ``max_i |f_i(x)| <= ftol = 1e-6`` or ``t_end = 500``:

(a) diffrax ``diffeqsolve(ODETerm(f), Dopri5(), PIDController(rtol, atol), dt0=None,
    SaveAt(t1=True), event=Event(cond_fn), max_steps=100_000)``, ``jax.vmap`` over initial
    conditions, ``jax.jit``-compiled (``jax.pmap`` over the CPU devices when there are
    several), ``jax_enable_x64``.  ``cond_fn`` is the boolean ``max|f(y)| <= ftol``: diffrax
    (>= 0.6) checks a boolean event after every accepted step, so this is exactly our rule
    (diffrax's own ``steady_state_event`` tests ``norm(f) < atol + rtol norm(y)``, a different
    rule, so it is not used).  A vmapped adaptive solve advances all lanes in lock-step until
    the slowest lane is done, so the batch is split into chunks; the chunk size is the
    fastest of a short scan on the first points (the peer gets its best setting).  Compile
    time (first call of the chosen chunk shape) is reported apart.
(b) equilibria ``basin_sweep`` (the batched numba DP5(4) fast path of LV-type systems,
    clustering and Newton polishing of the end states included in the time).
(c) the generic machinery on ``CoexistenceModel.to_ode()``: the recurrence machine of
    ``equilibria.odes.mapper`` over a 6-D ``Grid.box(0, GRID_HI, GRID_BINS)``, sampled every
    ``dt = 1``.  Its stopping rule is its own (an orbit stops once it has spent
    ``consecutive_attractor_steps`` samples in the cells of a located attractor).
    ``basins_of_attraction`` only varies two *coordinates* (the others at ``base``), and
    this slice moves three coordinates at once, so the slice is run through the machine
    that ``basins_of_attraction`` runs:
    (c1) ``basin cell reuse``: ``equilibria.odes.mapper._mapper(..., reuse=True)`` with the
         default ``RecurrenceOptions`` (an initial condition in a labelled cell takes its
         label; 10 samples in a basin cell assign an orbit), exactly what
         ``basins_of_attraction`` does;
    (c2) ``attractor cells only``: the public ``find_attractors(ode, grid,
         initial_conditions=X0, recurrence=RecurrenceOptions(consecutive_basin_steps=10**9))``
         (no basin-cell shortcut: an orbit is labelled only in an attractor's cells).

Accuracy: end states of (a) and (b) and the attractors of (c) are assigned to the nearest
attractor of (b) at sup-distance <= 1e-3 (1 + |a|) (as in ``benchmarks/basins.py``); labels are
compared between every pair on all points and against ``solve_ivp(method="DOP853",
rtol=1e-10, atol=1e-12)`` to ``t_end`` on a random subset (2,000 points; must be >= 99.5%).

Threads: each method runs in its own subprocess per thread count, so that the thread settings
are fixed before numba / XLA start: ``NUMBA_NUM_THREADS=k`` (and ``executor=ThreadPoolExecutor(k)``
with ``k`` chunks for (c)); for diffrax ``XLA_FLAGS=--xla_cpu_multi_thread_eigen=false
intra_op_parallelism_threads=1`` at one thread and ``--xla_force_host_platform_device_count=k``
(``pmap`` over k CPU devices) at k > 1.  Per-core time is the wall time at one thread; CPU time
(user + system of the whole process, ``time.process_time``) is printed next to every wall time
(on a loaded machine it is the steadier number).  Peak memory is the process high-water mark
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``), printed together with its increase over the
resident size after the imports.  Each timed run is repeated (``--repeats``) and the fastest
is kept.

Run ``python benchmarks/basins_diffrax.py`` (``--quick``: 100 x 100, 200 DOP853 points, one
repeat, diffrax chunk fixed at 2048, about two minutes, most of it the numba / XLA compiles of
eight worker processes).  The peer needs ``pip install ".[bench]"`` (diffrax, jax); without it
diffrax is reported unavailable and the rest still runs.  Worker mode (internal):
``--worker {diffrax,sweep,reuse,cells} --threads k --out FILE``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _report  # noqa: E402  (records the load at start)

RTOL, ATOL, FTOL, T_END = 1e-7, 1e-9, 1e-6, 500.0
MAX_STEPS = 100_000
U_RANGE = (0.02, 2.5)
#: recurrence grid of (c): GRID_BINS cells per coordinate on [0, GRID_HI] (12^6 = 3.0 M cells)
GRID_BINS, GRID_HI, MACHINE_DT = 12, 2.6, 1.0
#: label matching: end state within MATCH_TOL (1 + |a|_inf) of attractor a (benchmarks/basins.py)
MATCH_TOL = 1e-3
#: chunk sizes (initial conditions per device) scanned for diffrax
DIFFRAX_CHUNKS = (1024, 2048, 4096, 8192)
METHODS = ("sweep", "diffrax", "reuse", "cells")
NAMES = {"diffrax": "diffrax Dopri5 + PIDController, vmap + jit",
         "sweep": "equilibria basin_sweep (batched numba DP5)",
         "reuse": "equilibria mapper, basin-cell reuse (c1)",
         "cells": "equilibria find_attractors, attractor cells (c2)"}


# ------------------------------------------------------------------------------ common
def model():
    from equilibria.odes import CoexistenceModel

    return CoexistenceModel.preset("lock_in")


def slice_states(M, grid):
    """Initial conditions of the default slice, in the order of ``basin_sweep``'s labels."""
    u = np.linspace(U_RANGE[0], U_RANGE[1], grid)
    U, V = np.meshgrid(u, u)
    X0 = np.zeros((grid * grid, M.n))
    X0[:, M.human_index] = U.reshape(-1, 1)
    X0[:, M.ai_index] = V.reshape(-1, 1)
    return X0


def match(X, attractors):
    """Index of the attractor within MATCH_TOL (1 + |a|) of every row of ``X`` (sup-distance),
    else -1 (also for non-finite rows)."""
    X = np.atleast_2d(X)
    out = np.full(X.shape[0], -1, dtype=np.int64)
    for i, x in enumerate(X):
        if not np.all(np.isfinite(x)):
            continue
        d = np.max(np.abs(attractors - x), axis=1)
        k = int(np.argmin(d))
        if d[k] <= MATCH_TOL * (1 + np.max(np.abs(attractors[k]))):
            out[i] = k
    return out


def rss_mb():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn, repeats):
    """Fastest of ``repeats`` runs: (result, wall, cpu, all walls)."""
    best = None
    walls = []
    for _ in range(repeats):
        c0, t0 = time.process_time(), time.perf_counter()
        out = fn()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        walls.append(wall)
        if best is None or wall < best[1]:
            best = (out, wall, cpu)
    return best[0], best[1], best[2], walls


# ------------------------------------------------------------------------------ workers
def work_sweep(grid, threads, repeats):
    from equilibria.odes import SweepOptions, basin_sweep

    M = model()
    base = rss_mb()
    opts = SweepOptions(rtol=RTOL, atol=ATOL, ftol=FTOL, t_end=T_END, max_iter=MAX_STEPS)
    t0 = time.perf_counter()
    basin_sweep(M, grid=4, progress=False, options=opts)  # compile / cache load
    compile_s = time.perf_counter() - t0
    res, wall, cpu, walls = timed(lambda: basin_sweep(M, grid=grid, progress=False,
                                                      options=opts), repeats)
    X0 = slice_states(M, grid)
    run, wall_int, cpu_int, _ = timed(lambda: M.simulate_batch(
        X0, T_END, rtol=RTOL, atol=ATOL, ftol=FTOL, max_iter=MAX_STEPS), 1)
    att = np.asarray(res.attractors)
    lab = res.labels.ravel().astype(np.int64)
    lab[lab >= att.shape[0]] = -1
    lab[lab < 0] = -1
    return dict(wall=wall, cpu=cpu, walls=walls, compile=compile_s, labels=lab,
                attractors=att, steps=run.n_steps.astype(float), integration_wall=wall_int,
                integration_cpu=cpu_int, message=res.message, base_mb=base)


def work_diffrax(grid, threads, repeats, attractors, chunk=None):
    import jax

    jax.config.update("jax_enable_x64", True)
    import diffrax
    import jax.numpy as jnp

    M = model()
    S = M.system
    base = rss_mb()
    r, A, B, q = (jnp.asarray(v) for v in (S.r, S.A, S.M, S.q))

    def f(t, x, args):
        return x * (r + A @ x + B @ (x / (1 + q * x)))

    def steady(t, y, args, **kwargs):
        return jnp.max(jnp.abs(f(t, y, args))) <= FTOL

    term, solver = diffrax.ODETerm(f), diffrax.Dopri5()
    ctrl = diffrax.PIDController(rtol=RTOL, atol=ATOL)
    event = diffrax.Event(cond_fn=steady)

    def one(x0):
        sol = diffrax.diffeqsolve(term, solver, t0=0.0, t1=T_END, dt0=None, y0=x0,
                                  stepsize_controller=ctrl, saveat=diffrax.SaveAt(t1=True),
                                  event=event, max_steps=MAX_STEPS, throw=False)
        return sol.ys[-1], sol.stats["num_steps"], sol.stats["num_accepted_steps"], \
            sol.result._value

    nd = jax.local_device_count()
    run = jax.pmap(jax.vmap(one)) if nd > 1 else jax.jit(jax.vmap(one))
    X0 = slice_states(M, grid)
    N = X0.shape[0]

    def solve(X, c):
        """All rows of X in chunks of c per device (the last chunk padded: one shape)."""
        outs = []
        width = c * nd
        for i in range(0, X.shape[0], width):
            part = X[i:i + width]
            m = part.shape[0]
            if m < width:
                part = np.vstack([part, np.repeat(part[-1:], width - m, axis=0)])
            arr = jnp.asarray(part.reshape(nd, c, -1) if nd > 1 else part)
            outs.append((run(arr), m))
        jax.block_until_ready([o[0] for o in outs])
        cols = [np.concatenate([np.asarray(o[j]).reshape(-1, *np.asarray(o[j]).shape[
            (2 if nd > 1 else 1):])[:m] for o, m in outs]) for j in range(4)]
        return cols

    # chunk scan (compile of each shape apart, then one timed pass over the scan points)
    cands = [chunk] if chunk else [c for c in DIFFRAX_CHUNKS if c * nd <= max(N, 1024 * nd)]
    scan = {}
    compile_s = {}
    n_scan = min(N, 16384)
    for c in cands:
        t0 = time.perf_counter()
        jax.block_until_ready(run(jnp.asarray(np.repeat(X0[:1], c * nd, axis=0).reshape(
            nd, c, -1) if nd > 1 else np.repeat(X0[:1], c, axis=0))))
        compile_s[c] = time.perf_counter() - t0
        if len(cands) > 1:
            t0 = time.perf_counter()
            solve(X0[:n_scan], c)
            scan[c] = time.perf_counter() - t0
    best_c = min(scan, key=scan.get) if scan else cands[0]
    cols, wall, cpu, walls = timed(lambda: solve(X0, best_c), repeats)
    Y, steps, accepted, result = cols
    lab = match(Y, attractors)
    codes, counts = np.unique(result, return_counts=True)
    return dict(wall=wall, cpu=cpu, walls=walls, compile=compile_s[best_c], labels=lab,
                steps=steps.astype(float), accepted=accepted.astype(float), chunk=best_c,
                devices=nd, scan={str(k): v for k, v in scan.items()},
                compile_all={str(k): v for k, v in compile_s.items()},
                results={int(k): int(v) for k, v in zip(codes, counts, strict=True)},
                version=diffrax.__version__ + " / jax " + jax.__version__, base_mb=base)


def work_machine(grid, threads, repeats, attractors, reuse):
    from concurrent.futures import ThreadPoolExecutor

    from equilibria.odes import Grid, IntegratorOptions, RecurrenceOptions, find_attractors
    from equilibria.odes.mapper import _mapper

    M = model()
    base = rss_mb()
    t0 = time.perf_counter()
    ode = M.to_ode()
    t_ode = time.perf_counter() - t0
    cells = Grid.box(np.zeros(M.n), np.full(M.n, GRID_HI), GRID_BINS, dim=M.n)
    opt = IntegratorOptions(dt=MACHINE_DT, rtol=RTOL, atol=ATOL, max_iter=MAX_STEPS)
    X0 = slice_states(M, grid)
    ex = ThreadPoolExecutor(threads) if threads > 1 else None
    chunks = threads
    if reuse:
        rec = RecurrenceOptions()

        def go(X):
            return _mapper(ode, X, cells, options=opt, recurrence=rec, reuse=True,
                           chunks=chunks, executor=ex, progress=False, desc="basins")
    else:
        rec = RecurrenceOptions(consecutive_basin_steps=10**9)

        def go(X):
            return find_attractors(ode, cells, X, options=opt, recurrence=rec, chunks=chunks,
                                   executor=ex, progress=False)
    t0 = time.perf_counter()
    go(X0[:64])  # compile the recurrence kernel (and Newton / Jacobian) apart
    compile_s = time.perf_counter() - t0 + t_ode
    res, wall, cpu, walls = timed(lambda: go(X0), repeats)
    # where the time goes: the compiled machine alone, on the same chunks
    from equilibria.odes.mapper import _run_chunk
    parts = np.array_split(X0, chunks)
    fn = (lambda P: _run_chunk(ode, cells, opt.vector(), rec.vector(), rec.max_attractors,
                               rec.attractor_locate_steps, bool(reuse), None, P))
    t0 = time.perf_counter()
    list(ex.map(fn, parts)) if ex else [fn(P) for P in parts]
    kernel_wall = time.perf_counter() - t0
    if ex:
        ex.shutdown()
    locs = np.array([a.location for a in res.attractors])
    amap = match(locs, attractors) if locs.size else np.zeros(0, dtype=np.int64)
    lab = np.full(X0.shape[0], -1, dtype=np.int64)
    for k in range(len(res.attractors)):
        lab[res.labels == k + 1] = amap[k]
    return dict(wall=wall, cpu=cpu, walls=walls, compile=compile_s, to_ode=t_ode,
                labels=lab, steps=res.steps.astype(float), kernel_wall=kernel_wall,
                message=res.message, base_mb=base)


def worker(args):
    # affinity-free: the environment set by the driver fixes the threads
    if args.worker == "sweep":
        out = work_sweep(args.grid, args.threads, args.repeats)
    else:
        att = np.load(args.attractors)
        if args.worker == "diffrax":
            out = work_diffrax(args.grid, args.threads, args.repeats, att, args.chunk)
        else:
            out = work_machine(args.grid, args.threads, args.repeats, att,
                               reuse=args.worker == "reuse")
    out["peak_mb"] = peak_mb()
    arrays = {k: v for k, v in out.items() if isinstance(v, np.ndarray)}
    np.savez(args.out, **arrays)
    meta = {k: v for k, v in out.items() if not isinstance(v, np.ndarray)}
    with open(args.out + ".json", "w") as fh:
        json.dump(meta, fh)
    return 0


# ------------------------------------------------------------------------------ driver
def thread_env(method, threads):
    env = dict(os.environ)
    env["NUMBA_NUM_THREADS"] = str(threads)
    env["OMP_NUM_THREADS"] = env["OPENBLAS_NUM_THREADS"] = env["MKL_NUM_THREADS"] = "1"
    if method == "diffrax":
        env["XLA_FLAGS"] = ("--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
                            if threads == 1 else
                            f"--xla_force_host_platform_device_count={threads}")
        env.setdefault("JAX_PLATFORMS", "cpu")
    return env


def run_worker(method, threads, grid, repeats, tmp, attractors=None, chunk=None):
    out = os.path.join(tmp, f"{method}_{threads}")
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", method, "--threads",
           str(threads), "--grid", str(grid), "--repeats", str(repeats), "--out", out]
    if attractors is not None:
        cmd += ["--attractors", attractors]
    if chunk:
        cmd += ["--chunk", str(chunk)]
    p = subprocess.run(cmd, env=thread_env(method, threads), capture_output=True, text=True)
    if p.returncode != 0:
        tail = (p.stderr or p.stdout).strip().splitlines()[-6:]
        return None, "\n".join(tail)
    with open(out + ".json") as fh:
        meta = json.load(fh)
    data = np.load(out + ".npz")
    meta.update({k: data[k] for k in data.files})
    return meta, None


def dop853_labels(M, X0, attractors):
    """Reference labels: ``solve_ivp(DOP853, rtol=1e-10, atol=1e-12)`` to ``T_END`` (as in
    ``benchmarks/basins.py``)."""
    from scipy.integrate import solve_ivp

    S = M.system
    r, A, B, q = S.r, S.A, S.M, S.q

    def f(t, x):
        return x * (r + A @ x + B @ (x / (1 + q * x)))

    ends = np.array([solve_ivp(f, (0.0, T_END), x0, method="DOP853", rtol=1e-10,
                               atol=1e-12).y[:, -1] for x0 in X0])
    return match(ends, attractors)


def diffrax_available():
    try:
        import importlib.metadata as md

        return md.version("diffrax") + " / jax " + md.version("jax"), None
    except Exception as e:  # noqa: BLE001 - reported, never fatal
        return None, f"{type(e).__name__}: {e}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="100 x 100, 200 DOP853 points")
    ap.add_argument("--grid", type=int, default=None)
    ap.add_argument("--n-check", type=int, default=None, help="DOP853 subset size")
    ap.add_argument("--threads", default="1,2", help="thread counts, e.g. 1,2")
    ap.add_argument("--repeats", type=int, default=None)
    ap.add_argument("--methods", default=",".join(METHODS))
    ap.add_argument("--chunk", type=int, default=None, help="diffrax chunk (skip the scan)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--worker", choices=METHODS, help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    ap.add_argument("--attractors", help=argparse.SUPPRESS)
    _report.add_json_argument(ap, "basins_diffrax")
    args = ap.parse_args(argv)
    args.grid = args.grid or (100 if args.quick else 400)
    args.repeats = args.repeats or (1 if args.quick else 3)
    if args.worker:
        args.threads = int(args.threads)
        return worker(args)

    n_check = args.n_check or (200 if args.quick else 2000)
    threads = [int(t) for t in args.threads.split(",")]
    methods = [m for m in METHODS if m in args.methods.split(",")]
    version, why = diffrax_available()
    if version is None and "diffrax" in methods:
        methods.remove("diffrax")
        print(f"diffrax UNAVAILABLE ({why}); pip install '.[bench]'")
    M = model()
    N = args.grid ** 2
    load0 = os.getloadavg()[0]
    chunk = args.chunk or (2048 if args.quick else None)
    res: dict = {}
    errors: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        att_file = os.path.join(tmp, "attractors.npy")
        for k in threads:
            for m in methods:
                t0 = time.perf_counter()
                out, err = run_worker(m, k, args.grid, args.repeats, tmp,
                                      None if m == "sweep" else att_file, chunk)
                print(f"  ran {m:<8} threads={k}: {time.perf_counter() - t0:6.1f} s"
                      + ("" if err is None else "  FAILED"), flush=True)
                if err is not None:
                    errors[(m, k)] = err
                    if m == "sweep":
                        print(err)
                        return 1
                    continue
                res[(m, k)] = out
                if m == "sweep" and not os.path.exists(att_file):
                    np.save(att_file, out["attractors"])
    attractors = res[("sweep", threads[0])]["attractors"]

    # DOP853 reference on a random subset
    rng = np.random.default_rng(args.seed)
    sub = rng.choice(N, size=min(n_check, N), replace=False)
    t0 = time.perf_counter()
    ref = dop853_labels(M, slice_states(M, args.grid)[sub], attractors)
    t_ref = time.perf_counter() - t0

    kmax = max(threads)
    print()
    print(f"basins of lock_in (n = {M.n}), {args.grid} x {args.grid} = {N} initial conditions, "
          f"DP5(4) rtol={RTOL:g} atol={ATOL:g}, stop max|f| <= {FTOL:g} or t = {T_END:g}; "
          f"best of {args.repeats}")
    if version:
        print(f"diffrax {version}")
    hdr = (f"{'method':<50} {'thr':>3} {'wall s':>8} {'cpu s':>8} {'compile s':>9} "
           f"{'steps/pt':>9} {'peak MB':>8} {'+MB':>6} {'vs DOP853':>9}")
    print(hdr)
    print("-" * len(hdr))
    for k in threads:
        for m in methods:
            o = res.get((m, k))
            if o is None:
                print(f"{NAMES[m]:<50} {k:>3} {'failed':>8}")
                continue
            agree = 100 * np.mean(o["labels"][sub] == ref)
            unit = "*" if m in ("reuse", "cells") else ""
            print(f"{NAMES[m]:<50} {k:>3} {o['wall']:>8.2f} {o['cpu']:>8.2f} "
                  f"{o['compile']:>9.2f} {np.mean(o['steps']):>8.1f}{unit or ' '} "
                  f"{o['peak_mb']:>8.0f} {o['peak_mb'] - o['base_mb']:>6.0f} {agree:>8.2f}%")
    print("* machine samples (dt = 1) per point, not DP5 steps")
    for k in threads:
        o = res.get(("diffrax", k))
        if o is not None:
            print(f"diffrax threads={k}: {o['devices']} CPU device(s), chunk {o['chunk']} per "
                  f"device (scan {o['scan']} s), accepted steps/pt "
                  f"{np.mean(o['accepted']):.1f}, max steps/pt {np.max(o['steps']):.0f}, "
                  f"result codes {o['results']}")
        o = res.get(("sweep", k))
        if o is not None:
            print(f"basin_sweep threads={k}: integration alone (simulate_batch) "
                  f"{o['integration_wall']:.2f} s wall, max steps/pt {np.max(o['steps']):.0f}; "
                  f"{o['message']}")
        for m in ("reuse", "cells"):
            o = res.get((m, k))
            if o is not None:
                print(f"{m} threads={k}: compiled machine alone {o['kernel_wall']:.2f} s of "
                      f"{o['wall']:.2f} s; to_ode {o['to_ode']:.2f} s; {o['message']}")
    for (m, k), e in errors.items():
        print(f"{m} threads={k} FAILED:\n{e}")
    print(f"DOP853 reference: {sub.size} points in {t_ref:.1f} s")

    # pairwise agreement on all points (at the largest thread count)
    have = [m for m in methods if (m, kmax) in res]
    print("\nlabel agreement on all points (threads=%d):" % kmax)
    for i, a in enumerate(have):
        for b in have[i + 1:]:
            ag = 100 * np.mean(res[(a, kmax)]["labels"] == res[(b, kmax)]["labels"])
            print(f"  {a:<8} vs {b:<8} {ag:7.3f}%")

    # ratios
    print()
    sw = {k: res[("sweep", k)] for k in threads if ("sweep", k) in res}
    rows = []
    for m in ("diffrax", "reuse", "cells"):
        for k in threads:
            if (m, k) in res and k in sw:
                o = res[(m, k)]
                print(f"{m} / basin_sweep at {k} thread(s): wall {o['wall'] / sw[k]['wall']:.2f}x, "
                      f"cpu {o['cpu'] / sw[k]['cpu']:.2f}x")
    if ("diffrax", kmax) in res and kmax in sw:
        dw = res[("diffrax", kmax)]["wall"] / sw[kmax]["wall"]
        line = f"speed-up over diffrax: wall-clock {dw:.2f}x at {kmax} threads (target >= 5x)"
        if ("diffrax", 1) in res and 1 in sw:
            dp = res[("diffrax", 1)]["wall"] / sw[1]["wall"]
            line += f", per core {dp:.2f}x (1 thread, target >= 2.5x)"
        print(line)

    # markdown rows for the README's basin table (| method | time | per point | ratio |)
    print("\nmarkdown rows (README 'Basin sweeps' table format: | method | time | per point | "
          "ratio |):")
    base = sw.get(kmax)
    for m in ["sweep"] + [x for x in ("diffrax", "reuse", "cells") if x in methods]:
        o = res.get((m, kmax))
        if o is None or base is None:
            continue
        label = {"sweep": f"equilibria `basin_sweep`, {kmax} threads",
                 "diffrax": f"diffrax {version.split(' /')[0]} `Dopri5` + `PIDController`, "
                            f"vmap + jit, same stop, {kmax} CPU devices" if version else "",
                 "reuse": "equilibria generic mapper (`to_ode`), basin-cell reuse",
                 "cells": "equilibria `find_attractors` (`to_ode`), attractor cells"}[m]
        agree = 100 * np.mean(o["labels"][sub] == ref)
        rt = o["wall"] / base["wall"]
        per_core = ""
        if (m, 1) in res and 1 in sw and m != "sweep":
            per_core = f", {res[(m, 1)]['wall'] / sw[1]['wall']:.1f}x per core"
        rows.append(f"| {label} | {o['wall']:.2f} s | {1e3 * o['wall'] / N:.4f} ms | "
                    f"{rt:.1f}x{per_core} (DOP853 agreement {agree:.2f}%) |")
    print("\n".join(rows))
    if args.json:
        _emit(args, res, methods, threads, sub, ref, version, N, chunk)
    return 0


README_LABELS = {"sweep": "equilibria `basin_sweep` (lane-batched numba DP5(4))",
                 "diffrax": "diffrax",
                 "reuse": "generic mapper on `to_ode()`, basin-cell reuse",
                 "cells": "`find_attractors` on `to_ode()`, attractor cells"}


def _emit(args, res, methods, threads, sub, ref, version, N, chunk):
    """Write the README table (benchmarks/_report.py schema)."""
    cells, raw = [], []
    for k in threads:
        for m in methods:
            o = res.get((m, k))
            if o is None:
                continue
            agree = 100 * np.mean(o["labels"][sub] == ref)
            steps = f"{np.mean(o['steps']):.1f}" + (" samples" if m in ("reuse", "cells") else "")
            cells.append([README_LABELS[m], str(k), f"{o['wall']:.2f} s", f"{o['cpu']:.2f} s",
                          f"{o['compile']:.2f} s", steps, f"{o['peak_mb']:.0f}",
                          f"{agree:.2f}%"])
            raw.append(dict(method=m, threads=k, wall=o["wall"], cpu=o["cpu"],
                            compile=o["compile"], steps=float(np.mean(o["steps"])),
                            peak_mb=o["peak_mb"], base_mb=o["base_mb"], dop853_agree=agree))
    notes = []
    kmax = max(threads)
    sw = {k: res[("sweep", k)] for k in threads if ("sweep", k) in res}
    if ("diffrax", kmax) in res and kmax in sw:
        d = res[("diffrax", kmax)]
        s = (f"{d['wall'] / sw[kmax]['wall']:.1f}x faster than diffrax in wall-clock time at "
             f"{kmax} threads (target >= 5x)")
        if ("diffrax", 1) in res and 1 in sw:
            d1 = res[("diffrax", 1)]["wall"] / sw[1]["wall"]
            s += f" and {d1:.1f}x per core (target >= 2.5x)"
        same = int(np.sum(d["labels"] == sw[kmax]["labels"]))
        s += f"; labels identical to diffrax's on {same:,} of {N:,} points."
        notes.append(s)
    _report.emit(
        "basins_diffrax", "Basins against diffrax",
        ["method", "threads", "wall", "cpu", "compile", "steps/pt", "peak MB", "vs DOP853"],
        cells, notes=notes,
        meta=dict(grid=args.grid, repeats=args.repeats, n_check=int(sub.size), chunk=chunk,
                  diffrax=version, rows=raw),
        setup=f"same slice as above, {N:,} initial conditions, DP5(4) rtol {RTOL:g} / atol "
              f"{ATOL:g} in both, stop at max|f| <= {FTOL:g} or t = {T_END:g}; diffrax "
              f"{version or 'unavailable'}, `Dopri5` + `PIDController`, `vmap` + `jit`, x64, "
              f"best chunk of a scan, `pmap` over 2 CPU devices at 2 threads; each method in "
              f"its own process; best of {args.repeats}; vs DOP853 = label agreement on "
              f"{sub.size:,} random points",
        peers=("diffrax", "jax"), path=args.json)


if __name__ == "__main__":
    raise SystemExit(main())
