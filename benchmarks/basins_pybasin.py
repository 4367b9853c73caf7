"""Basin stability of pyBasin's pendulum case: equilibria against pyBasin, same initial conditions.

pyBasin (PyPI ``pybasin``, https://github.com/adrianwix/pyBasin, a port of MATLAB bSTAB) needs
Python >= 3.12 and torch; this package runs on Python 3.11.  **The two runs cannot share a
process** (different interpreters): the driver (this script, main environment) starts pyBasin
in its own venv (``bash benchmarks/setup_pybasin.sh`` creates it, default
``<checkout>/.venv-pybasin``; ``--venv`` or ``$PYBASIN_VENV`` to point elsewhere) by running
this same file with ``--peer``, reads back its initial conditions, labels, basin stability and
timings (NPZ + JSON), then runs equilibria on the *same* initial conditions, back to back.

The case (pyBasin's ``case_studies/pendulum/setup_pendulum_system.py`` and
``main_pendulum_case1.py``, 0.2.0; rebuilt here from pyBasin's public API, since the case
studies are not in the wheel): the damped pendulum with constant torque,

.. math:: \\dot\\theta = \\omega, \\qquad \\dot\\omega = -\\alpha\\omega + T - K\\sin\\theta,
          \\qquad \\alpha = 0.1,\\ T = 0.5,\\ K = 1,

(autonomous: pyBasin's "driven" pendulum is driven by the constant torque T, not by a periodic
force, so no phase variable or stroboscopic map is needed), n = 10,000 initial conditions
uniform on [psi - pi, psi + pi] x [-10, 10], psi = arcsin(T / K) (pyBasin's
``UniformRandomSampler``, float32, seeded by ``torch.manual_seed(seed)``).  Integration:
pyBasin's ``JaxSolver`` (diffrax ``Dopri5``, ``PIDController(rtol=1e-8, atol=1e-6)``,
``t_span = (0, 1000)``, 1,000 saved times ``linspace(0, 1000, 1000)``, cache off).  Feature:
``log_delta`` of omega, ``log(|max omega - mean omega| + 1e-10)`` over the saved times
``t >= 950`` (50 samples, ``TorchFeatureExtractor(time_steady=950, features_per_state={1:
{"log_delta": None}}, normalize=False)``); classifier: 1-nearest neighbour trained on the
templates (0.4, 0) -> "FP" and (2.7, 0) -> "LC" (pyBasin's ``TemplateIntegrator``).  pyBasin
reports FP 0.152, LC 0.848 for this case (its ``artifacts/results/pendulum_case1_comparison.json``,
equal to MATLAB bSTAB).  Note: pyBasin runs this case in float32 (its sampler makes float32
tensors and JAX's x64 mode is off), below the requested rtol; the steps it takes are counted
separately with the same diffrax settings on a subset (``peer steps/pt``).

equilibria, same stopping rule: ``ODE`` (in-place numba field) and ``find_attractors(...,
method="featurize")`` with ``MapperOptions(t_transient=t_950, n_samples=50, features=log_delta)``
and ``IntegratorOptions(dt=1000/999, rtol=1e-8, atol=1e-6)``: every orbit is integrated to the
first saved time >= 950 (t_950 = 950 * 1000/999) and sampled at pyBasin's 50 saved times up to
t = 1000, in float64; the features are grouped without templates (unsupervised) and a group is
"FP" when the package classifies its attractor as a fixed point, else "LC".  Extra row (own
stopping rule, not the same as pyBasin's): the recurrence machine (``find_attractors``,
default method) on the embedding (c, s, omega) = (cos theta, sin theta, omega) of the cylinder,
with a radial term ``gamma (1 - c^2 - s^2)`` that makes the unit circle attracting without
changing the flow on it (otherwise the fixed point has a zero eigenvalue along the conserved
radius), grid ``Grid.box([-1.2, -1.2, -12], [1.2, 1.2, 12], (48, 48, 240))``, dt = 0.5.

Reported: wall and CPU time, compile apart (pyBasin re-traces and recompiles its diffrax solve
in every ``run()``, since it builds a new closure of the field each time, so its compile time is
the union of JAX's trace / lowering / compile intervals during the run, from
``jax.monitoring`` duration events, and is subtracted (cpu: the same seconds); equilibria compiles once per
process, before the timed runs; best of ``--repeats`` for both; pyBasin's own step breakdown), threads (``NUMBA_NUM_THREADS`` 1 and 2 for equilibria; pyBasin with its
defaults: one JAX CPU device, torch's threads), peak memory (``ru_maxrss`` of each process),
basin stability with 95% Wilson intervals (``equilibria.odes.mapper.wilson_interval``),
whether each fraction lies in the other's interval, per-point label agreement, and the ratio
(target: equilibria >= 10x faster than pyBasin on CPU).

Run ``python benchmarks/basins_pybasin.py`` (``--quick``: n = 1,000, one repeat, about a
minute).  Without the venv pyBasin is reported unavailable and equilibria runs alone on
initial conditions drawn with numpy from the same distribution.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _report  # noqa: E402  (records the load at start)

ALPHA, TORQUE, K = 0.1, 0.5, 1.0
PSI = math.asin(TORQUE / K)
LO, HI = [-math.pi + PSI, -10.0], [math.pi + PSI, 10.0]
T_SPAN, T_STEPS, T_STEADY = (0.0, 1000.0), 1000, 950.0
RTOL, ATOL = 1e-8, 1e-6
LOG_EPS = 1e-10  # pyBasin's torch log_delta: log(delta + 1e-10)
TEMPLATES, TEMPLATE_LABELS = [[0.4, 0.0], [2.7, 0.0]], ["FP", "LC"]
PUBLISHED = {"FP": 0.152, "LC": 0.848}  # pyBasin artifacts/results/pendulum_case1_comparison.json
#: embedding of the extra row: radial contraction rate, grid and machine sampling time
GAMMA, EMB_BINS, EMB_DT = 1.0, (48, 48, 240), 0.5
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_VENV = os.path.join(os.path.dirname(HERE), ".venv-pybasin")


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def saved_times():
    """pyBasin's saved times and the ones its feature extractor keeps (t >= 950)."""
    t = np.linspace(T_SPAN[0], T_SPAN[1], T_STEPS)
    return t, t[t >= T_STEADY]


# ------------------------------------------------------------------------------ the peer
def peer(args):
    """Runs inside the pyBasin venv (Python >= 3.12): imports nothing of equilibria."""
    import warnings

    warnings.filterwarnings("ignore")
    import importlib.metadata as md

    import jax
    import jax.numpy as jnp
    import torch
    from pybasin.basin_stability_estimator import BasinStabilityEstimator
    from pybasin.sampler import Sampler, UniformRandomSampler
    from pybasin.solvers import JaxSolver
    from pybasin.solvers.jax_ode_system import JaxODESystem
    from pybasin.template_integrator import TemplateIntegrator
    from pybasin.ts_torch.torch_feature_extractor import TorchFeatureExtractor
    from sklearn.neighbors import KNeighborsClassifier

    class Pendulum(JaxODESystem):
        """pyBasin's PendulumJaxODE: p = [alpha, T, K]."""

        def ode(self, t, y, p):
            return jnp.array([y[1], -p[0] * y[1] + p[1] - p[2] * jnp.sin(y[0])])

    class Fixed(Sampler):
        """The initial conditions of the first run, again."""

        def __init__(self, y0):
            super().__init__(LO, HI, device="cpu")
            self.y0 = y0

        def sample(self, n):
            return self.y0[:n].clone()

    params = {"alpha": ALPHA, "T": TORQUE, "K": K}

    def estimator(sampler, n):
        return BasinStabilityEstimator(
            n=n, ode_system=Pendulum(params), sampler=sampler,
            solver=JaxSolver(t_span=T_SPAN, t_steps=T_STEPS, device="cpu", rtol=RTOL,
                             atol=ATOL, cache_dir=None),
            feature_extractor=TorchFeatureExtractor(
                time_steady=T_STEADY, features=None,
                features_per_state={1: {"log_delta": None}}, normalize=False),
            predictor=KNeighborsClassifier(n_neighbors=1),
            template_integrator=TemplateIntegrator(template_y0=TEMPLATES,
                                                   labels=TEMPLATE_LABELS, ode_params=params),
            feature_selector=None, output_dir=None)

    # pyBasin's run step times (its StepTimer): kept by a subclass
    import pybasin.basin_stability_estimator as bse_mod

    steps_log: list = []

    class Timer(bse_mod.StepTimer):
        def summary(self):
            steps_log.append({r.label: r.elapsed for r in self._records})
            super().summary()

    bse_mod.StepTimer = Timer
    # pyBasin builds a new closure of the field in every run(), so diffrax's solve is traced
    # and compiled in every run: the compile time is the union of JAX's trace / lowering /
    # backend-compile intervals during the run (jax.monitoring duration events)
    intervals: list = []

    def on_event(event, duration, **kwargs):
        if event.startswith("/jax/core/compile/"):
            end = time.perf_counter()
            intervals.append((end - duration, end))

    jax.monitoring.register_event_duration_secs_listener(on_event)

    def union(iv):
        tot, cur = 0.0, None
        for a, b in sorted(iv):
            if cur is None or a > cur[1]:
                if cur is not None:
                    tot += cur[1] - cur[0]
                cur = [a, b]
            else:
                cur[1] = max(cur[1], b)
        return tot + (cur[1] - cur[0] if cur is not None else 0.0)

    # JAX's persistent compilation cache, so the re-compile of every run is a cache load after
    # the untimed warm-up run (the trace and lowering of each run remain, and are subtracted)
    import tempfile as _tf

    jax.config.update("jax_compilation_cache_dir", _tf.mkdtemp(prefix="pybasin-jax-cache-"))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", -1)
    torch.manual_seed(args.seed)
    y0 = UniformRandomSampler(LO, HI, device="cpu").sample(args.n)
    t0 = time.perf_counter()
    estimator(Fixed(y0), args.n).run()  # warm-up: first trace + compile, untimed
    warmup = time.perf_counter() - t0
    steps_log.clear()
    intervals.clear()
    runs = []
    for _ in range(args.repeats):
        bse = estimator(Fixed(y0), args.n)
        c0, t0 = time.process_time(), time.perf_counter()
        result = bse.run()
        runs.append(dict(wall=time.perf_counter() - t0, cpu=time.process_time() - c0,
                         bs={k: float(v) for k, v in result["basin_stability"].items()},
                         steps=steps_log[-1], compile=union(intervals)))
        intervals.clear()
        labels = np.asarray(result["labels"]).astype(str)
    # integration steps of pyBasin's solver settings (float32, as it runs), on a subset
    import diffrax

    term = diffrax.ODETerm(lambda t, y, p: Pendulum(params).ode(t, y, p))
    pj = jnp.asarray([ALPHA, TORQUE, K], dtype=jnp.float32)
    ts = jnp.linspace(T_SPAN[0], T_SPAN[1], T_STEPS)

    def one(x):
        s = diffrax.diffeqsolve(term, diffrax.Dopri5(), t0=T_SPAN[0], t1=T_SPAN[1], dt0=None,
                                y0=x, args=pj, saveat=diffrax.SaveAt(ts=ts),
                                stepsize_controller=diffrax.PIDController(rtol=RTOL, atol=ATOL),
                                max_steps=16**5)
        return s.stats["num_steps"], s.stats["num_accepted_steps"]

    m = min(256, args.n)
    steps, acc = jax.jit(jax.vmap(one))(jnp.asarray(y0[:m].numpy()))
    meta = dict(runs=runs, warmup=warmup, n=args.n, seed=args.seed,
                threads=torch.get_num_threads(),
                jax_devices=[str(d) for d in jax.devices()], peak_mb=peak_mb(),
                dtype=str(y0.dtype), steps_mean=float(np.mean(steps)),
                accepted_mean=float(np.mean(acc)), steps_subset=m,
                versions={p: md.version(p) for p in ("pybasin", "torch", "jax", "diffrax",
                                                       "scikit-learn")},
                python=sys.version.split()[0])
    np.savez(args.out, y0=y0.numpy(), labels=labels)
    with open(args.out + ".json", "w") as fh:
        json.dump(meta, fh)
    return 0


# ------------------------------------------------------------------------------ equilibria
def log_delta(Y):
    """pyBasin's ``log_delta`` of omega over the kept samples ``Y`` (rows: times)."""
    w = Y[:, 1]
    return np.array([math.log(abs(w.max() - w.mean()) + LOG_EPS)])


def ours(args):
    """Worker in the main environment (threads fixed by the driver's environment)."""
    from equilibria.odes import ODE, Grid, IntegratorOptions, find_attractors
    from equilibria.odes.mapper import MapperOptions

    X0 = np.load(args.ics).astype(np.float64)
    t, kept = saved_times()
    dt = float(t[1] - t[0])

    def field(out, x, p):
        out[0] = x[1]
        out[1] = -p[0] * x[1] + p[1] - p[2] * np.sin(x[0])

    def field_emb(out, x, p):  # (cos theta, sin theta, omega), unit circle made attracting
        rad = p[3] * (1.0 - x[0] * x[0] - x[1] * x[1])
        out[0] = -x[1] * x[2] + rad * x[0]
        out[1] = x[0] * x[2] + rad * x[1]
        out[2] = -p[0] * x[2] + p[1] - p[2] * x[1]

    P = {"alpha": ALPHA, "T": TORQUE, "K": K}
    c0 = time.perf_counter()
    ode = ODE(field, ["theta", "omega"], params=P, x0=TEMPLATES[0])
    grid = Grid.box(LO, HI, 100)
    opt = IntegratorOptions(dt=dt, rtol=RTOL, atol=ATOL)
    mopt = MapperOptions(t_transient=float(kept[0]), n_samples=kept.size, features=log_delta)

    def featurize(X):
        return find_attractors(ode, grid, X, method="featurize", options=opt, mapper=mopt,
                               progress=False)

    featurize(X0[:64])
    compile_f = time.perf_counter() - c0
    out = {}
    best = None
    for _ in range(args.repeats):
        cp, t0 = time.process_time(), time.perf_counter()
        res = featurize(X0)
        w, c = time.perf_counter() - t0, time.process_time() - cp
        if best is None or w < best[0]:
            best = (w, c, res)
    w, c, res = best
    kinds = [a.kind for a in res.attractors]
    lab = np.array(["FP" if kinds[k - 1] == "fixed point" else "LC" if k > 0 else "NaN"
                    for k in res.labels])
    out["featurize"] = dict(wall=w, cpu=c, compile=compile_f, message=res.message,
                            kinds=kinds, labels=lab)
    # steps per point of our integrator on the same settings (subset, to t = 1000)
    sub = X0[:min(256, X0.shape[0])]
    Y = np.empty_like(sub)
    st = np.zeros(sub.shape[0], dtype=np.int64)
    steps = np.zeros(sub.shape[0])
    ode._c.flow[1](np.ascontiguousarray(sub), ode._p, T_SPAN[1], opt.vector(), 1e8, Y, st,
                   steps)
    out["featurize"]["steps_mean"] = float(steps.mean())

    # extra row: the recurrence machine on the cylinder embedding (own stopping rule)
    c0 = time.perf_counter()
    emb = ODE(field_emb, ["c", "s", "omega"], params=dict(P, gamma=GAMMA), x0=[1.0, 0.0, 0.0])
    E0 = np.column_stack([np.cos(X0[:, 0]), np.sin(X0[:, 0]), X0[:, 1]])
    egrid = Grid.box([-1.2, -1.2, -12.0], [1.2, 1.2, 12.0], EMB_BINS)
    eopt = IntegratorOptions(dt=EMB_DT, rtol=RTOL, atol=ATOL)
    threads = int(os.environ.get("NUMBA_NUM_THREADS", "1"))
    from concurrent.futures import ThreadPoolExecutor

    ex = ThreadPoolExecutor(threads) if threads > 1 else None

    def machine(X):
        return find_attractors(emb, egrid, X, options=eopt, chunks=threads, executor=ex,
                               progress=False)

    machine(E0[:64])
    compile_r = time.perf_counter() - c0
    best = None
    for _ in range(args.repeats):
        cp, t0 = time.process_time(), time.perf_counter()
        res = machine(E0)
        w, c = time.perf_counter() - t0, time.process_time() - cp
        if best is None or w < best[0]:
            best = (w, c, res)
    w, c, res = best
    if ex:
        ex.shutdown()
    kinds = [a.kind for a in res.attractors]
    lab = np.array(["FP" if kinds[k - 1] == "fixed point" else "LC" if k > 0 else "NaN"
                    for k in res.labels])
    out["recurrence"] = dict(wall=w, cpu=c, compile=compile_r, message=res.message,
                             kinds=kinds, labels=lab, steps_mean=float(res.steps.mean()))
    np.savez(args.out, **{f"{k}_labels": v.pop("labels") for k, v in out.items()})
    out["peak_mb"] = peak_mb()
    with open(args.out + ".json", "w") as fh:
        json.dump(out, fh)
    return 0


# ------------------------------------------------------------------------------ driver
def fractions(labels):
    n = labels.size
    return {k: int(np.sum(labels == k)) for k in ("FP", "LC")}, n


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="n = 1,000, one repeat")
    ap.add_argument("--n", type=int, default=None, help="initial conditions (default 10,000)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeats", type=int, default=None)
    ap.add_argument("--threads", default="1,2", help="equilibria thread counts")
    ap.add_argument("--venv", default=os.environ.get("PYBASIN_VENV", DEFAULT_VENV))
    ap.add_argument("--keep", default=None, help="folder to keep the NPZ/JSON exchange files")
    ap.add_argument("--peer", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--ours", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--ics", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    _report.add_json_argument(ap, "basins_pybasin")
    args = ap.parse_args(argv)
    args.n = args.n or (1000 if args.quick else 10_000)
    args.repeats = args.repeats or (1 if args.quick else 2)
    if args.peer:
        return peer(args)
    if args.ours:
        return ours(args)

    from equilibria.odes.mapper import wilson_interval

    tmp_ctx = tempfile.TemporaryDirectory()
    tmp = args.keep or tmp_ctx.name
    os.makedirs(tmp, exist_ok=True)
    vpy = os.path.join(args.venv, "bin", "python")
    peer_meta, peer_err = None, None
    t0 = time.perf_counter()
    if not os.path.exists(vpy):
        peer_err = f"no venv at {args.venv} (run: bash benchmarks/setup_pybasin.sh)"
    else:
        env = dict(os.environ)
        env.pop("PYTHONPATH", None)
        env["JAX_PLATFORMS"] = "cpu"
        p = subprocess.run([vpy, os.path.abspath(__file__), "--peer", "--n", str(args.n),
                            "--seed", str(args.seed), "--repeats", str(args.repeats), "--out",
                            os.path.join(tmp, "peer")], env=env, capture_output=True,
                           text=True, cwd=tmp)
        if p.returncode != 0:
            peer_err = "\n".join((p.stderr or p.stdout).strip().splitlines()[-8:])
        else:
            with open(os.path.join(tmp, "peer.json")) as fh:
                peer_meta = json.load(fh)
            d = np.load(os.path.join(tmp, "peer.npz"))
            peer_meta["y0"], peer_meta["labels"] = d["y0"], d["labels"]
    t_peer_total = time.perf_counter() - t0
    if peer_meta is not None:
        X0 = peer_meta["y0"].astype(np.float64)
    else:
        print(f"pyBasin UNAVAILABLE: {peer_err}")
        rng = np.random.default_rng(args.seed)
        X0 = np.asarray(LO) + rng.random((args.n, 2)) * (np.asarray(HI) - np.asarray(LO))
        X0 = X0.astype(np.float32).astype(np.float64)
    ics = os.path.join(tmp, "ics.npy")
    np.save(ics, X0)

    mine = {}
    for k in [int(x) for x in args.threads.split(",")]:
        env = dict(os.environ, NUMBA_NUM_THREADS=str(k), OMP_NUM_THREADS="1",
                   OPENBLAS_NUM_THREADS="1")
        out = os.path.join(tmp, f"ours_{k}")
        p = subprocess.run([sys.executable, os.path.abspath(__file__), "--ours", "--ics", ics,
                            "--repeats", str(args.repeats), "--out", out], env=env,
                           capture_output=True, text=True)
        if p.returncode != 0:
            print(f"equilibria (threads={k}) FAILED:\n" + "\n".join(
                (p.stderr or p.stdout).strip().splitlines()[-8:]))
            return 1
        with open(out + ".json") as fh:
            mine[k] = json.load(fh)
        d = np.load(out + ".npz")
        for name in ("featurize", "recurrence"):
            mine[k][name]["labels"] = d[f"{name}_labels"]
    kmax = max(mine)

    N = X0.shape[0]
    print()
    print(f"pyBasin pendulum case 1 (alpha={ALPHA}, T={TORQUE}, K={K}), n = {N}, "
          f"Dopri5 rtol={RTOL:g} atol={ATOL:g}, t = 0..1000, features on t >= {T_STEADY:g}; "
          f"load average {os.getloadavg()[0]:.1f}")
    if peer_meta:
        v = peer_meta["versions"]
        print(f"pyBasin {v['pybasin']} (Python {peer_meta['python']}, torch {v['torch']}, "
              f"jax {v['jax']}, diffrax {v['diffrax']}, {peer_meta['dtype']}, torch threads "
              f"{peer_meta['threads']}, JAX devices {peer_meta['jax_devices']})")
    hdr = (f"{'method':<58} {'thr':>3} {'wall s':>8} {'cpu s':>8} {'compile s':>9} "
           f"{'steps/pt':>9} {'peak MB':>8} {'FP':>7} {'LC':>7}")
    print(hdr)
    print("-" * len(hdr))
    rows = {}
    if peer_meta:
        r1 = min(peer_meta["runs"], key=lambda r: r["wall"])
        comp = r1["compile"]
        cnt, _ = fractions(peer_meta["labels"])
        # cpu net of the compile: the run's cpu scaled by its share of wall time outside the
        # compile intervals (a wall interval cannot be subtracted from cpu seconds directly)
        net_cpu = r1["cpu"] * max(0.0, r1["wall"] - comp) / r1["wall"]
        rows["peer"] = dict(wall=r1["wall"] - comp, cpu=net_cpu, total=r1["wall"], counts=cnt)
        print(f"{'pyBasin BasinStabilityEstimator (JaxSolver, KNN templates)':<58} {'-':>3} "
              f"{r1['wall'] - comp:>8.2f} {net_cpu:>8.2f} "
              f"{comp:>9.2f} {peer_meta['steps_mean']:>9.0f} {peer_meta['peak_mb']:>8.0f} "
              f"{cnt['FP'] / N:>7.4f} {cnt['LC'] / N:>7.4f}")
    for k, m in mine.items():
        for name, title in (("featurize", "equilibria find_attractors featurize (same rule)"),
                            ("recurrence", "equilibria recurrence, cylinder (own rule)*")):
            o = m[name]
            cnt, _ = fractions(o["labels"])
            rows[(name, k)] = dict(wall=o["wall"], cpu=o["cpu"], counts=cnt)
            print(f"{title:<58} {k:>3} {o['wall']:>8.2f} {o['cpu']:>8.2f} {o['compile']:>9.2f} "
                  f"{o['steps_mean']:>9.0f}{'*' if name == 'recurrence' else ' '}"
                  f"{m['peak_mb']:>8.0f} {cnt['FP'] / N:>7.4f} {cnt['LC'] / N:>7.4f}")
    print("* machine samples (dt = 0.5) per point, not DP5 steps.  pyBasin: wall and cpu net "
          "of its compile (it re-traces the solve in every run; after an untimed warm-up run "
          "the XLA compile is a persistent-cache load; compile = JAX's trace + lowering + "
          "compile intervals in the run, jax.monitoring; cpu scaled by the non-compile share "
          "of the wall time); steps/pt: diffrax num_steps of its settings on "
          f"{peer_meta['steps_subset'] if peer_meta else 0} points")
    if peer_meta and "warmup" in peer_meta:
        print(f"pyBasin warm-up run (first trace and compile): {peer_meta['warmup']:.2f} s")
    if peer_meta:
        r1 = min(peer_meta["runs"], key=lambda r: r["wall"])
        print(f"pyBasin whole run (with its compile) {r1['wall']:.2f} s wall, "
              f"{r1['cpu']:.2f} s cpu; its steps: " + ", ".join(
                  f"{k} {v:.2f} s" for k, v in r1["steps"].items()))
        print(f"pyBasin basin stability {r1['bs']}; published {PUBLISHED}; runs "
              f"{[round(r['wall'], 2) for r in peer_meta['runs']]} s; peer process "
              f"{t_peer_total:.1f} s in all")
    for k, m in mine.items():
        print(f"equilibria threads={k}: featurize: {m['featurize']['message']}; recurrence: "
              f"{m['recurrence']['message']}")

    # fractions within the binomial (Wilson) intervals, and per-point agreement
    print("\nbasin stability, 95% Wilson intervals:")
    ref = rows.get("peer")
    for key, o in rows.items():
        name = "pyBasin" if key == "peer" else f"{key[0]} (threads={key[1]})"
        parts = []
        for c in ("FP", "LC"):
            lo, hi = wilson_interval(o["counts"][c], N)
            inside = ""
            if ref is not None and key != "peer":
                rlo, rhi = wilson_interval(ref["counts"][c], N)
                p, q = o["counts"][c] / N, ref["counts"][c] / N
                inside = (f" [{'in' if rlo <= p <= rhi else 'OUTSIDE'} pyBasin's, pyBasin's "
                          f"{'in' if lo <= q <= hi else 'OUTSIDE'} ours]")
            parts.append(f"{c} {o['counts'][c] / N:.4f} ({lo:.4f}, {hi:.4f}){inside}")
        print(f"  {name:<26} " + "; ".join(parts))
    if peer_meta:
        for k, m in mine.items():
            for name in ("featurize", "recurrence"):
                ag = 100 * np.mean(m[name]["labels"] == peer_meta["labels"])
                print(f"  per-point agreement with pyBasin, {name} (threads={k}): {ag:.2f}%")

    # ratios and the README row
    if ref is not None:
        print()
        for k in mine:
            f_ = rows[("featurize", k)]
            r_ = rows[("recurrence", k)]
            print(f"pyBasin / equilibria featurize at {k} thread(s): wall "
                  f"{ref['wall'] / f_['wall']:.1f}x (with pyBasin's compile "
                  f"{ref['total'] / f_['wall']:.1f}x), cpu {ref['cpu'] / f_['cpu']:.1f}x; "
                  f"/ recurrence (own rule): wall {ref['wall'] / r_['wall']:.1f}x "
                  "(target >= 10x)")
        f_ = rows[("featurize", kmax)]
        r_ = rows[("recurrence", kmax)]
        v = peer_meta["versions"]["pybasin"]
        print("\nmarkdown rows (| case | pyBasin | equilibria | ratio |), compile apart:")
        print(f"| pendulum case 1, n = {N}, same ICs and stop (featurize, {kmax} threads) | "
              f"{ref['wall']:.1f} s (pyBasin {v}) | {f_['wall']:.2f} s | "
              f"{ref['wall'] / f_['wall']:.1f}x (target >= 10x) |")
        print(f"| pendulum case 1, n = {N}, recurrence machine on the cylinder (own stop) | "
              f"{ref['wall']:.1f} s | {r_['wall']:.2f} s | {ref['wall'] / r_['wall']:.1f}x |")
    else:
        print(f"\npyBasin unavailable ({peer_err}); no ratio")
    if args.json and ref is None:
        print("no JSON written: the README table needs the pyBasin rows")
    elif args.json:
        _emit(args, peer_meta, mine, rows, N)
    tmp_ctx.cleanup()
    return 0


def _emit(args, peer_meta, mine, rows, N):
    """Write the README table (benchmarks/_report.py schema); needs the peer's run."""
    ref = rows["peer"]
    r1 = min(peer_meta["runs"], key=lambda r: r["wall"])
    cnt = ref["counts"]
    cells = [["pyBasin `BasinStabilityEstimator` (" + str(peer_meta["dtype"]) + ")", "-",
              f"{ref['wall']:.1f} s", f"{ref['cpu']:.1f} s", f"{r1['compile']:.1f} s",
              f"{cnt['FP'] / N:.4f}", f"{cnt['LC'] / N:.4f}", "1"]]
    for k, m in mine.items():
        for name, title in (("featurize", "equilibria `find_attractors(method=\"featurize\")`, "
                                          "same stopping rule, float64"),
                            ("recurrence", "equilibria recurrence machine on the cylinder (its "
                                           "own stopping rule)")):
            o, c = m[name], rows[(name, k)]["counts"]
            ag = 100 * np.mean(o["labels"] == peer_meta["labels"])
            cells.append([title, str(k), f"{o['wall']:.2f} s", f"{o['cpu']:.2f} s",
                          f"{o['compile']:.1f} s", f"{c['FP'] / N:.4f}", f"{c['LC'] / N:.4f}",
                          f"{ref['wall'] / o['wall']:.1f}x, {ag:.2f}% of points agree"])
    v = peer_meta["versions"]
    _report.emit(
        "basins_pybasin", "Basin stability against pyBasin",
        ["method", "threads", "wall", "cpu", "compile", "FP", "LC", "vs pyBasin"], cells,
        notes=[f"Published: FP {PUBLISHED['FP']}, LC {PUBLISHED['LC']}; pyBasin's wall and cpu "
               f"are net of its compile (re-done in every run; warm-up run "
               f"{peer_meta.get('warmup', float('nan')):.1f} s); target >= 10x."],
        meta=dict(n=N, repeats=args.repeats, seed=args.seed, pybasin=v,
                  peer_python=peer_meta.get("python"),
                  runs=[{k: r[k] for k in ("wall", "cpu", "compile")} for r in peer_meta["runs"]]),
        setup=f"pyBasin {v['pybasin']} in its own Python {peer_meta.get('python', '?')} venv "
              f"made by `benchmarks/setup_pybasin.sh`; its pendulum case 1, {N:,} initial "
              f"conditions, pyBasin's sampler and seed, JaxSolver Dopri5 rtol {RTOL:g} / atol "
              f"{ATOL:g} to t = 1000, `log_delta` feature and KNN templates; best of "
              f"{args.repeats}",
        path=args.json)


if __name__ == "__main__":
    raise SystemExit(main())
