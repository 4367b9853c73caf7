"""The simulation engine: :func:`simulate` and its result :class:`BanditResult`."""

from __future__ import annotations

import dataclasses
import functools
import time
from typing import Any

import numpy as np

from equilibria._lib.result import Result, Status, finish
from equilibria._lib.rng import spawn_seeds
from equilibria._lib.sweep import check_executor, parallel_map
from equilibria._lib.validation import as_float_array, check_int, check_scalar

from ._kernels.dynlin import dynlin_kernel
from ._kernels.linear import linear_kernel
from ._kernels.mab import mab_kernel
from ._kernels.ofs import ofs_kernel
from .environments import (AdversarialSequence, DynamicalLinearBandit, LinearBandit,
                           ThresholdEnvironment)

__all__ = ["simulate", "BanditResult", "checkpoint_grid"]

#: above this many stored values per array (n_runs x horizon) the default grid is log-spaced
FULL_GRID_LIMIT = 4_000_000
#: largest ``horizon`` :func:`simulate` accepts (rounds per run; the compiled engine plays about
#: 1e7 - 1e8 rounds per second and core, so one run of this length takes up to minutes)
MAX_HORIZON = 10**9
#: largest ``n_runs`` :func:`simulate` accepts (one int64 seed and one result row per run)
MAX_RUNS = 10**7
#: largest total work ``n_runs * horizon`` of one :func:`simulate` call (hours of compiled work
#: on one core; split larger experiments into several calls)
MAX_ROUNDS = 10**12
#: largest memory of the recorded curves of one :func:`simulate` call (regret, realized regret
#: and, for the threshold environment, the violation: ``n_runs x len(checkpoints)`` float64 each)
MAX_OUTPUT_BYTES = 4 * 2**30
#: largest ``n_points`` of :func:`checkpoint_grid`
MAX_GRID_POINTS = 10**7


def _check_level(level, name: str = "level") -> float:
    """A confidence level in (0, 1) (the normal quantile is infinite at 0 and 1)."""
    return check_scalar(level, name, lo=0, hi=1, lo_inclusive=False, hi_inclusive=False)


def checkpoint_grid(horizon: int, n_points: int = 200) -> np.ndarray:
    """Log-spaced round counts in ``[1, horizon]`` (int64, strictly increasing, ends at horizon).

    Parameters
    ----------
    horizon : int >= 1
        Number of rounds.
    n_points : int in [2, 1e7], default 200
        Number of geometrically spaced points before rounding; duplicates after rounding are
        dropped, so the grid may be shorter.

    Returns
    -------
    ndarray of int64, shape (m,)
        The grid, ``m <= n_points``, starting at 1 and ending at ``horizon``.
    """
    horizon = check_int(horizon, "horizon", lo=1)
    n_points = check_int(n_points, "n_points", lo=2, hi=MAX_GRID_POINTS)
    g = np.unique(np.round(np.geomspace(1, horizon, n_points)).astype(np.int64))
    g[-1] = horizon
    return g


@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class BanditResult(Result):
    """Result of :func:`simulate`.

    Attributes
    ----------
    t : ndarray of int, shape (m,)
        Checkpoint round counts (``1..horizon`` for the full grid).
    regret : ndarray, shape (n_runs, m)
        Cumulative pseudo-regret at the checkpoints (``sum_s mu* - mu_{A_s}``; for adversarial
        tables ``max_i sum x_{s,i} - sum <P_s, x_s>``).
    realized_regret : ndarray, shape (n_runs, m)
        Cumulative realized regret (``t mu* - sum X_s``; adversarial: against the best arm in
        hindsight).
    pulls : ndarray of int, shape (n_runs, K)
    recommendation : ndarray of int, shape (n_runs,)
        The arm each run recommends at the end (best-arm identification output; for regret
        policies the best empirical mean).
    best_arms : ndarray of int
    seeds : ndarray of int64, shape (n_runs,)
        Per-run seeds (run i is reproducible from ``seeds[i]``).
    horizon : int
    env, policy : str
        Descriptions.
    extras : dict
        Environment-specific outputs: ``"covered"`` (linear: ellipsoid held at every round),
        ``"violation"`` (threshold: cumulative constraint violation, shape (n_runs, m)).
    """

    t: np.ndarray
    regret: np.ndarray
    realized_regret: np.ndarray
    pulls: np.ndarray
    recommendation: np.ndarray
    best_arms: np.ndarray
    seeds: np.ndarray
    horizon: int
    env: str
    policy: str
    extras: dict

    def to_dataframe(self):
        """Regret curves as a long table over ``(run, t)``: ``regret``, ``realized_regret`` (and
        ``violation`` for the threshold environment) with each run's ``seed``.

        Returns
        -------
        pandas.DataFrame

        Raises
        ------
        ImportError
            pandas is not installed (``pip install 'equilibria[data]'``).
        """
        from ._dataout import bandit_frame

        return bandit_frame(self)

    def to_xarray(self):
        """Every array as an xarray Dataset over ``(run, t)`` (the regret curves, on the checkpoint
        grid ``t``) and ``(run, arm)`` (the pulls).

        Returns
        -------
        xarray.Dataset

        Raises
        ------
        ImportError
            xarray is not installed (``pip install 'equilibria[data]'``).
        """
        from ._dataout import bandit_dataset

        return bandit_dataset(self)

    @property
    def n_runs(self) -> int:
        return int(self.regret.shape[0])

    @property
    def final_regret(self) -> np.ndarray:
        """Pseudo-regret at the horizon, per run."""
        return self.regret[:, -1]

    @property
    def mean_regret(self) -> np.ndarray:
        """Mean pseudo-regret curve over runs."""
        return self.regret.mean(axis=0)

    def band(self, level: float = 0.95, *, realized: bool = False):
        """Normal-approximation confidence band ``(lo, hi)`` of the mean regret curve.

        ``level`` in (0, 1) is the confidence level; ``realized=True`` bands the realized regret.
        """
        from scipy.stats import norm

        level = _check_level(level)
        x = self.realized_regret if realized else self.regret
        z = norm.ppf(0.5 + level / 2)
        se = x.std(axis=0, ddof=1) / np.sqrt(x.shape[0]) if x.shape[0] > 1 else 0 * x[0]
        m = x.mean(axis=0)
        return m - z * se, m + z * se

    @property
    def error_rate(self) -> float:
        """Fraction of runs whose recommendation is not an optimal arm."""
        return float(np.mean(~np.isin(self.recommendation, self.best_arms)))

    @property
    def mean_pulls(self) -> np.ndarray:
        return self.pulls.mean(axis=0)

    def summary(self, level: float = 0.95) -> dict:
        """Final mean regret with its confidence interval (``level`` in (0, 1)), error rate and
        mean pulls."""
        lo, hi = self.band(_check_level(level))
        out = {"policy": self.policy, "env": self.env, "horizon": self.horizon,
               "n_runs": self.n_runs, "mean_regret": float(self.mean_regret[-1]),
               "regret_ci": (float(lo[-1]), float(hi[-1])),
               "mean_realized_regret": float(self.realized_regret[:, -1].mean()),
               "error_rate": self.error_rate, "mean_pulls": self.mean_pulls}
        if "violation" in self.extras:
            out["mean_violation"] = float(self.extras["violation"][:, -1].mean())
        if "covered" in self.extras:
            out["coverage"] = float(np.mean(self.extras["covered"]))
        return out


def _kind(env):
    if isinstance(env, LinearBandit):
        return "linear"
    if isinstance(env, DynamicalLinearBandit):
        return "dynlin"
    if isinstance(env, ThresholdEnvironment):
        return "ofs"
    if hasattr(env, "env_code"):
        return "mab"
    raise TypeError(f"`env` must be a bandit environment of equilibria.bandits, got "
                    f"{type(env).__name__}")


def _run_chunk(spec, seeds):
    """Run one chunk of seeds (module level so process executors can pickle it)."""
    kind, env_arrays, code, par, sched, horizon, ck, n_arms = spec
    n = seeds.size
    pseudo = np.zeros((n, ck.size))
    real = np.zeros((n, ck.size))
    pulls = np.zeros((n, n_arms))
    rec = np.zeros(n, dtype=np.int64)
    extra = None
    if kind == "mab":
        env_code, means, env_par, adv = env_arrays
        mab_kernel(env_code, means, env_par, adv, code, par, sched, horizon, seeds, ck,
                   pseudo, real, pulls, rec)
    elif kind == "linear":
        actions, theta, sigma = env_arrays
        extra = np.zeros(n, dtype=np.int64)
        linear_kernel(actions, theta, sigma, code, par, horizon, seeds, ck, pseudo, real,
                      pulls, rec, extra)
    elif kind == "dynlin":
        A, B, om, th, U, sigma, x0, J = env_arrays
        dynlin_kernel(A, B, om, th, U, sigma, x0, J, code, par, horizon, seeds, ck, pseudo, real,
                      pulls, rec)
    else:
        acc, good, env_par = env_arrays
        extra = np.zeros((n, ck.size))
        ofs_kernel(acc, good, env_par, code, par, horizon, seeds, ck, pseudo, real, extra,
                   pulls, rec)
    return pseudo, real, pulls, rec, extra


#: target wall time of one serial chunk: a KeyboardInterrupt is only seen between kernel calls
#: (the kernels run without the GIL), so serial runs are split into chunks this long
SERIAL_CHUNK_SECONDS = 0.25


def _run_serial(spec, seeds, target=SERIAL_CHUNK_SECONDS, *, progress=None, desc=None):
    """Run ``seeds`` serially in chunks of about ``target`` seconds each.

    The first chunk is one run; each next chunk is sized from the time per run measured on the
    previous one (growing at most 4x), so Ctrl-C is honoured within about ``target`` seconds
    plus one run.  Every run carries its own seed, so the result equals a single chunk's.  A
    progress bar over the runs advances after each chunk (``progress`` as in
    :func:`~equilibria._lib.sweep.progress_bar`).
    """
    from equilibria._lib.sweep import progress_bar

    parts = []
    i, size, n = 0, 1, seeds.size
    with progress_bar(n, desc=desc, progress=progress, unit="run") as bar:
        while i < n:
            chunk = np.ascontiguousarray(seeds[i:i + size])
            t0 = time.perf_counter()
            parts.append(_run_chunk(spec, chunk))
            per_run = (time.perf_counter() - t0) / chunk.size
            i += chunk.size
            bar.update(chunk.size)
            want = target / per_run if per_run > 0 else 4 * size
            size = int(max(1, min(want, 4 * size)))
    return parts


def simulate(env, policy, horizon, *, n_runs=100, seed=None, checkpoints="auto", executor=None,
             n_chunks=None, progress=None) -> BanditResult:
    r"""Run ``n_runs`` independent, reproducible runs of ``policy`` on ``env`` in compiled code.

    Each run plays exactly ``horizon`` rounds (the stopping rule; for best-arm identification
    the horizon is the budget) and records, at the checkpoint rounds ``t``,

    .. math::
        \bar R_t = \sum_{s \le t} (\mu^* - \mu_{A_s}), \qquad
        \hat R_t = t \mu^* - \sum_{s \le t} X_s

    (pseudo- and realized regret; against an oblivious table ``x`` the comparator is the best
    arm in hindsight, :math:`\max_i \sum_{s \le t} x_{s,i}`, and the pseudo-regret uses
    :math:`\langle P_s, x_s\rangle` for the randomized policies).  Linear bandits use
    :math:`\mu_a = \langle a, \theta\rangle`; dynamical linear bandits the steady-state
    optimum :math:`J^*` against the noiseless reward of the current state; the threshold
    environment the best feasible fixed threshold and additionally the cumulative constraint
    violation :math:`\sum_s (g_{DP})_+ + (g_{SR})_+`.

    Run ``i`` calls ``np.random.seed(seeds[i])`` inside the kernel, with
    ``seeds = spawn_seeds(seed, n_runs)``; numba's MT19937 keeps the low 32 bits of the seed
    (as numpy's legacy ``RandomState`` does), so run ``i`` is reproduced exactly by its seed,
    whatever the split across chunks or workers.

    Parameters
    ----------
    env : environment
        :class:`BernoulliArms`, :class:`GaussianArms`, :class:`BoundedArms`,
        :class:`AdversarialSequence`, :class:`LinearBandit`, :class:`DynamicalLinearBandit` or
        :class:`ThresholdEnvironment`.
    policy : policy
        A policy of the matching family (finite-armed policies for the first four).
    horizon : int in [1, 1e9]
        Rounds per run (the budget for best-arm identification).
    n_runs : int in [1, 1e7]
        Independent runs; ``n_runs * horizon`` is at most ``1e12`` rounds, and the recorded
        curves (``n_runs x len(checkpoints)`` float64 values, two or three arrays) at most
        4 GiB: larger requests raise ``ValueError`` before any work starts.
    seed : None, int, SeedSequence or Generator
        Master seed; run ``i`` uses ``spawn_seeds(seed, n_runs)[i]`` whatever the split.
    checkpoints : "auto", "all", int or array_like of int
        Round counts at which cumulative regret is recorded.  ``"all"``: every round;
        ``"auto"``: every round unless ``n_runs * horizon > 4e6``, else 200 log-spaced points;
        an int: that many log-spaced points; an array: those rounds (in ``[1, horizon]``).
    executor : concurrent.futures.Executor, optional
        Runs are split into chunks submitted to it (kernels release the GIL, so a
        ``ThreadPoolExecutor`` uses several cores).  Results equal the serial ones.
    n_chunks : int, optional
        Number of chunks (default: ``4 * max_workers`` with an executor; serially, chunks of
        about a quarter of a second each, so that Ctrl-C interrupts within about a second;
        ``n_chunks=1`` runs everything in one kernel call).
    progress : bool or None, default None
        tqdm bar over the runs (serially: advanced after each chunk of about a quarter of a
        second) or over the chunks (with ``executor`` or ``n_chunks > 1``); ``n_chunks=1``
        shows none.  ``None`` follows :func:`equilibria.set_options`: on in a notebook or when
        standard error is a terminal.

    Returns
    -------
    BanditResult
        ``.regret`` (n_runs x checkpoints cumulative pseudo-regret), ``.realized_regret``,
        ``.pulls``, ``.recommendation``, ``.error_rate``, ``.band()``, ``.summary()``.
    """
    kind = _kind(env)
    horizon = check_int(horizon, "horizon", lo=1, hi=MAX_HORIZON)
    n_runs = check_int(n_runs, "n_runs", lo=1, hi=MAX_RUNS)
    if n_runs * horizon > MAX_ROUNDS:
        raise ValueError(f"`n_runs` * `horizon` = {n_runs} * {horizon} = {n_runs * horizon:.3g} "
                         f"rounds exceeds the limit of {MAX_ROUNDS:.0e} rounds per call; split "
                         "the runs over several calls")
    if n_chunks is not None:
        n_chunks = check_int(n_chunks, "n_chunks", lo=1)
    check_executor(executor)
    pfam = getattr(policy, "family", None)
    if pfam is None:
        raise TypeError(f"`policy` must be a policy of equilibria.bandits, got "
                        f"{type(policy).__name__}")
    if pfam != kind:
        raise ValueError(f"`policy` {type(policy).__name__} (family {pfam!r}) does not apply to "
                         f"`env` {type(env).__name__} (family {kind!r})")
    if isinstance(env, AdversarialSequence) and horizon > env.rewards.shape[0]:
        raise ValueError(f"`horizon` must be <= the length of the adversarial table "
                         f"({env.rewards.shape[0]}), got {horizon}")
    # checkpoints (the size of the recorded curves is checked before anything is allocated)
    n_curves = 3 if kind == "ofs" else 2

    def check_memory(m):
        need = 8 * n_runs * (n_curves * m + int(env.n_arms))
        if need > MAX_OUTPUT_BYTES:
            raise ValueError(f"`checkpoints` x `n_runs`: recording {m} checkpoints of {n_runs} "
                             f"runs needs {need / 2**30:.3g} GiB (limit "
                             f"{MAX_OUTPUT_BYTES / 2**30:.0f} GiB); pass fewer checkpoints (an "
                             "int or 'auto') or fewer runs")

    if isinstance(checkpoints, str):
        if checkpoints == "all" or (checkpoints == "auto" and n_runs * horizon <= FULL_GRID_LIMIT):
            check_memory(horizon)
            ck = np.arange(1, horizon + 1, dtype=np.int64)
        elif checkpoints == "auto":
            ck = checkpoint_grid(horizon)
        else:
            raise ValueError(f"unknown `checkpoints`={checkpoints!r}; valid values are 'auto', "
                             "'all', an int or an array of rounds")
    elif np.ndim(checkpoints) == 0:
        n_points = check_int(checkpoints, "checkpoints", lo=2, hi=MAX_GRID_POINTS)
        check_memory(min(n_points, horizon))
        ck = checkpoint_grid(horizon, n_points)
    else:
        ck = as_float_array(checkpoints, "checkpoints", ndim=1, min_size=1)
        if np.any(ck != np.round(ck)) or ck.min() < 1 or ck.max() > horizon \
                or np.any(np.diff(ck) <= 0):
            raise ValueError("`checkpoints` must be strictly increasing integers in "
                             f"[1, horizon={horizon}]")
        ck = ck.astype(np.int64)
    check_memory(ck.size)
    par, sched = policy._compile(env, horizon)
    par = np.ascontiguousarray(par, dtype=np.float64)
    sched = np.ascontiguousarray(sched, dtype=np.float64)
    if not (np.all(np.isfinite(par)) and np.all(np.isfinite(sched))):
        raise ValueError(f"`policy` parameters must be finite, got {par}")
    env_arrays: tuple[Any, ...]
    if kind == "mab":
        adv = env.rewards if isinstance(env, AdversarialSequence) else np.zeros((1, env.n_arms))
        env_arrays = (int(env.env_code), np.ascontiguousarray(env.means, dtype=np.float64),
                      env._env_par(), adv)
    elif kind == "linear":
        env_arrays = (env.actions, env.theta, float(env.sigma))
    elif kind == "dynlin":
        env_arrays = (env.A, env.B, env.omega, env.theta, env.actions, float(env.sigma), env.x0,
                      float(env.means.max()))
    else:
        acc, good = env.tables()
        env_arrays = (acc, good, env._env_par())
    spec = (kind, env_arrays, int(policy.code), par, sched, horizon, ck, int(env.n_arms))
    seeds = spawn_seeds(seed, n_runs)
    if executor is None and n_chunks is None:
        parts = _run_serial(spec, seeds, progress=progress,
                            desc=f"simulate {type(policy).__name__}")
    elif executor is None and n_chunks == 1:
        parts = [_run_chunk(spec, seeds)]
    else:
        if n_chunks is None:
            workers = getattr(executor, "_max_workers", 2) or 2
            n_chunks = 4 * workers
        n_chunks = min(n_chunks, n_runs)
        chunks = np.array_split(seeds, n_chunks)
        parts = parallel_map(functools.partial(_run_chunk, spec), chunks, executor=executor,
                             progress=progress, desc=f"simulate {type(policy).__name__}")
    pseudo = np.concatenate([p[0] for p in parts])
    real = np.concatenate([p[1] for p in parts])
    pulls = np.rint(np.concatenate([p[2] for p in parts])).astype(np.int64)
    rec = np.concatenate([p[3] for p in parts])
    extras = {}
    if kind == "linear":
        extras["covered"] = np.concatenate([p[4] for p in parts]).astype(bool)
    elif kind == "ofs":
        extras["violation"] = np.concatenate([p[4] for p in parts])
    ok = bool(np.all(np.isfinite(pseudo)) and np.all(np.isfinite(real)))
    return finish(BanditResult, success=ok,
                  status=Status.SUCCESS if ok else Status.NUMERICAL,
                  message="simulated" if ok else "non-finite regret encountered: check that the "
                  "environment's parameters are finite and the policy's tuning is positive",
                  n_iter=horizon, t=ck, regret=pseudo, realized_regret=real, pulls=pulls,
                  recommendation=rec, best_arms=np.asarray(env.best_arms), seeds=seeds,
                  horizon=horizon, env=type(env).__name__, policy=repr(policy), extras=extras)
