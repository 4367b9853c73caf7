r"""Learning firms in the repeated Cournot market, and an auditable governance graph.

:func:`cournot_learning` runs ``n`` tabular Q-learners on a quantity grid, in the design of
Calvano et al. (2020) (there with prices): the state is the last period's joint action
(memory one), actions are ``m`` grid quantities spanning the collusive and the Cournot-Nash
quantities with a margin :math:`\xi`, exploration is :math:`\varepsilon`-greedy with
:math:`\varepsilon_t = e^{-\beta t}`, and each learner updates

.. math::

    Q(s, a) \leftarrow (1 - \alpha) Q(s, a) + \alpha\,[\pi + \delta \max_{a'} Q(s', a')],

from :math:`Q_0(s, a)` = the profit of ``a`` against uniformly random rivals over
:math:`1 - \delta` (Calvano et al.'s initialisation).  **Stopping rule:** every learner's
greedy action in every state is unchanged for ``stable_periods`` consecutive periods
(converged), or ``max_periods`` is reached (``success=False``, ``Status.MAX_ITER``).  The
outcome is measured on the last ``eval_periods`` periods of greedy play from the final
state: mean profit per firm and Calvano's collusion index
:math:`\Delta = (\bar\pi - \pi^N)/(\pi^M - \pi^N)`.

A :class:`GovernanceGraph` is the public manifest of an authority (the Institutional AI
design, arXiv 2601.11369): legal states, the transition taken on each observed event,
the sanction each state imposes, and so a restorative path back to compliance.  An oracle
applies it every period from the observed quantities only: the event is ``"collusive"`` when
the total quantity is below the detection threshold
:math:`Q^M + \theta\,(Q^N - Q^M)` and ``"competitive"`` otherwise; in a state with a sanction
every firm producing less than its Cournot-Nash quantity is fined.  Three regimes:

- ``"ungoverned"``: no oracle;
- ``"constitutional"``: the oracle runs and logs its decisions, but the fines are only
  declared: the learners never feel them;
- ``"institutional"``: the fines are subtracted from the learners' rewards.

Every decision goes into a :class:`DecisionLog`: per period the joint action and the state
the graph moved to, chained in blocks by HMAC-SHA256 under a key (append-only: a changed,
dropped or reordered block breaks the chain), so a run can be audited
(:meth:`DecisionLog.verify`) and replayed (:meth:`DecisionLog.replay`: the decisions are
recomputed from the logged quantities and the manifest).

References
----------
.. [1] E. Calvano, G. Calzolari, V. Denicolo, S. Pastorello (2020), "Artificial intelligence,
   algorithmic pricing, and collusion", *American Economic Review* 110(10), 3267-3297
   (alpha = 0.15, beta = 4e-6, delta = 0.95, m = 15, xi = 0.1, convergence after 1e5
   periods of unchanged greedy strategies).
.. [2] "Institutional AI: governing LLM collusion in multi-agent Cournot markets via public
   governance graphs", arXiv 2601.11369 (abstract; its LLM results, mean collusion tier 3.1
   -> 1.8 and severe collusion 50% -> 5.6%, are the paper's and are not reproduced here).
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac

import numpy as np

from equilibria._lib.jit import njit
from equilibria._lib.result import Result, Status, finish
from equilibria._lib.rng import as_generator
from equilibria._lib.validation import check_int, check_option, check_scalar

from .cournot import CournotGame, collusion_index, cournot_collusive, cournot_nash

__all__ = ["GovernanceGraph", "DecisionLog", "CournotLearningResult", "cournot_learning",
           "GovernanceDiagram", "governance_diagram", "REGIMES", "EVENTS"]

#: the governance regimes of :func:`cournot_learning`
REGIMES = ("ungoverned", "constitutional", "institutional")
#: the events the oracle observes, in code order
EVENTS = ("competitive", "collusive")
#: periods per HMAC block of a decision log
LOG_BLOCK = 65_536


@dataclasses.dataclass(frozen=True)
class GovernanceGraph:
    """A public governance manifest: a finite state machine over :data:`EVENTS`.

    Parameters
    ----------
    states : tuple of str
        The legal states; the first is the initial one.
    transitions : mapping of (state, event) to state
        The next state for every state and event (complete: every pair must be given).
    sanctions : mapping of state to float
        The fine each firm producing less than its Cournot-Nash quantity pays in a period
        that ends in this state (missing states: 0).
    threshold : float, default 0.5
        Detection threshold :math:`\\theta \\in [0, 1]`: a period is ``"collusive"`` when the
        total quantity is below :math:`Q^M + \\theta (Q^N - Q^M)`.

    Examples
    --------
    >>> g = GovernanceGraph.default(sanction=0.05)
    >>> g.states
    ('compliant', 'warned', 'sanctioned', 'probation')
    """

    states: tuple
    transitions: dict
    sanctions: dict
    threshold: float = 0.5

    def __post_init__(self):
        states = tuple(self.states)
        if not states or len(set(states)) != len(states) or \
                not all(isinstance(s, str) for s in states):
            raise ValueError(f"`states` must be distinct strings, got {self.states!r}")
        object.__setattr__(self, "states", states)
        for s in states:
            for e in EVENTS:
                nxt = self.transitions.get((s, e)) if isinstance(self.transitions, dict) \
                    else None
                if nxt not in states:
                    raise ValueError(f"`transitions` must map ({s!r}, {e!r}) to one of "
                                     f"{states}, got {nxt!r}")
        extra = set(self.transitions) - {(s, e) for s in states for e in EVENTS}
        if extra:
            raise ValueError(f"`transitions` has unknown (state, event) keys {sorted(extra)}")
        for s, v in dict(self.sanctions).items():
            if s not in states:
                raise ValueError(f"`sanctions` names an unknown state {s!r}")
            check_scalar(v, f"sanctions[{s!r}]", lo=0.0)
        object.__setattr__(self, "threshold", check_scalar(self.threshold, "threshold",
                                                           lo=0.0, hi=1.0))

    @classmethod
    def default(cls, sanction: float = 0.05, threshold: float = 0.5) -> GovernanceGraph:
        """Warn on the first collusive period, sanction on the second, restore through one
        competitive period of probation (``compliant -> warned -> sanctioned -> probation
        -> compliant``)."""
        t = {("compliant", "competitive"): "compliant", ("compliant", "collusive"): "warned",
             ("warned", "competitive"): "compliant", ("warned", "collusive"): "sanctioned",
             ("sanctioned", "competitive"): "probation",
             ("sanctioned", "collusive"): "sanctioned",
             ("probation", "competitive"): "compliant",
             ("probation", "collusive"): "sanctioned"}
        return cls(("compliant", "warned", "sanctioned", "probation"), t,
                   {"sanctioned": check_scalar(sanction, "sanction", lo=0.0)}, threshold)

    def tables(self):
        """``(transition table int64 (states, events), fine per state float64)``."""
        idx = {s: i for i, s in enumerate(self.states)}
        T = np.array([[idx[self.transitions[(s, e)]] for e in EVENTS] for s in self.states],
                     dtype=np.int64)
        fines = np.array([float(self.sanctions.get(s, 0.0)) for s in self.states])
        return T, fines

    def manifest(self) -> str:
        """The manifest as canonical text (what the HMAC log is keyed to)."""
        lines = [f"threshold={self.threshold!r}", "states=" + ",".join(self.states)]
        lines += [f"{s}|{e}->{self.transitions[(s, e)]}" for s in self.states for e in EVENTS]
        lines += [f"fine {s}={float(self.sanctions.get(s, 0.0))!r}" for s in self.states]
        return "\n".join(lines)


@dataclasses.dataclass(frozen=True)
class DecisionLog:
    """Append-only, keyed record of every decision of a governance oracle.

    Attributes
    ----------
    actions : ndarray (T, n) of int8
        The grid index each firm played in each logged period.
    states : ndarray (T,) of int8
        The graph state after each period's decision.
    digests : tuple of str
        HMAC-SHA256 chain over blocks of :data:`LOG_BLOCK` periods:
        ``d_k = HMAC(key, d_{k-1} || block_k)`` with ``d_0 = HMAC(key, manifest)``.
    manifest : str
        :meth:`GovernanceGraph.manifest` of the graph applied.
    """

    actions: np.ndarray
    states: np.ndarray
    digests: tuple
    manifest: str

    @staticmethod
    def build(actions, states, manifest: str, key: bytes) -> DecisionLog:
        """Chain the blocks under ``key``."""
        actions = np.ascontiguousarray(actions, dtype=np.int8)
        states = np.ascontiguousarray(states, dtype=np.int8)
        return DecisionLog(actions, states, _chain(actions, states, manifest, key), manifest)

    def verify(self, key: bytes) -> bool:
        """Whether the log is intact under ``key`` (no block changed, dropped or moved)."""
        if not isinstance(key, (bytes, bytearray)):
            raise TypeError(f"`key` must be bytes, got {type(key).__name__}")
        want = _chain(self.actions, self.states, self.manifest, bytes(key))
        return len(want) == len(self.digests) and all(
            hmac.compare_digest(a, b) for a, b in zip(want, self.digests, strict=True))

    def replay(self, graph: GovernanceGraph, game: CournotGame, grid, start: int = 0) -> bool:
        """Recompute every decision from the logged quantities and ``graph``; ``True`` when
        each logged state is the one the manifest prescribes.

        Parameters
        ----------
        graph : GovernanceGraph
        game : CournotGame
        grid : array_like
            The quantity grid of the run (``CournotLearningResult.grid``).
        start : int, default 0
            The graph state before the first logged period.
        """
        if not isinstance(graph, GovernanceGraph):
            raise TypeError(f"`graph` must be a GovernanceGraph, got {type(graph).__name__}")
        if not isinstance(game, CournotGame):
            raise TypeError(f"`game` must be a CournotGame, got {type(game).__name__}")
        start = check_int(start, "start", lo=0, hi=len(graph.states) - 1)
        if graph.manifest() != self.manifest:
            return False
        T, _ = graph.tables()
        qm, qn = cournot_collusive(game).total, cournot_nash(game).total
        thr = qm + graph.threshold * (qn - qm)
        totals = np.asarray(grid, dtype=float)[self.actions.astype(np.int64)].sum(axis=1)
        events = (totals < thr).astype(np.int64)
        s = int(start)
        for t in range(self.states.size):
            s = int(T[s, events[t]])
            if s != int(self.states[t]):
                return False
        return True


def _chain(actions, states, manifest, key) -> tuple:
    d = hmac.new(key, manifest.encode(), hashlib.sha256).digest()
    out = []
    for lo in range(0, states.size, LOG_BLOCK):
        block = actions[lo:lo + LOG_BLOCK].tobytes() + states[lo:lo + LOG_BLOCK].tobytes()
        d = hmac.new(key, d + lo.to_bytes(8, "little") + block, hashlib.sha256).digest()
        out.append(d.hex())
    return tuple(out)


@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class CournotLearningResult(Result):
    """Result of :func:`cournot_learning`.

    Attributes
    ----------
    regime : str
    grid : ndarray (m,)
        The quantity grid.
    periods : int
        Periods played until the stopping rule.
    mean_profit : ndarray (n,)
        Per-firm profit averaged over the evaluation periods of greedy play (before fines).
    collusion_index : float
        Calvano's :math:`\\Delta` of the firms' mean profit.
    mean_quantity : ndarray (n,)
    fines_paid : ndarray (n,)
        Total fines charged (institutional) or declared (constitutional) per firm.
    collusive_share : float
        Share of the evaluation periods the oracle would judge collusive.
    index_trace : ndarray
        Collusion index of the mean profit per window of ``trace_every`` learning periods.
    trace_every : int
    log : DecisionLog or None
        The oracle's decisions (``None`` when ungoverned).
    """

    regime: str
    grid: np.ndarray
    periods: int
    mean_profit: np.ndarray
    collusion_index: float
    mean_quantity: np.ndarray
    fines_paid: np.ndarray
    collusive_share: float
    index_trace: np.ndarray
    trace_every: int
    log: DecisionLog | None = None


@njit
def _q_learning_kernel(grid, a, b, c, qn, thr, trans, fines, governed, felt, alpha, delta,
                       beta, max_periods, stable_periods, n_firms, seed, log_acts, log_states,
                       trace, trace_every):
    """Tabular Q-learning of ``n_firms`` on ``grid`` (memory one).  Returns (Q, state,
    periods, converged, gstate, fines_paid); fills ``log_acts``/``log_states`` per period
    when ``governed`` and ``trace[k]`` with the mean per-firm profit of periods
    ``[k trace_every, (k+1) trace_every)``."""
    np.random.seed(seed)  # noqa: NPY002 (numba's own stream)
    m = grid.size
    n_states = m ** n_firms
    Q = np.empty((n_firms, n_states, m))
    # Q0: profit of each action against uniformly random rivals, over 1 - delta
    mean_other = grid.mean() * (n_firms - 1)
    for i in range(n_firms):
        for k in range(m):
            # expectation over rivals' actions of (P - c) q_k, P linear in the total
            price = a - b * (grid[k] + mean_other)
            val = (price - c) * grid[k] / (1.0 - delta)
            for s in range(n_states):
                Q[i, s, k] = val
    greedy = np.empty((n_firms, n_states), dtype=np.int64)
    for i in range(n_firms):
        for s in range(n_states):
            greedy[i, s] = np.argmax(Q[i, s])
    acts = np.empty(n_firms, dtype=np.int64)
    for i in range(n_firms):
        acts[i] = np.random.randint(0, m)
    state = 0
    for i in range(n_firms):
        state = state * m + acts[i]
    gstate = 0
    paid = np.zeros(n_firms)
    stable = 0
    t = 0
    converged = False
    while t < max_periods:
        eps = np.exp(-beta * t)
        for i in range(n_firms):
            if np.random.random() < eps:
                acts[i] = np.random.randint(0, m)
            else:
                acts[i] = greedy[i, state]
        total = 0.0
        for i in range(n_firms):
            total += grid[acts[i]]
        price = a - b * total
        if price < 0.0:
            price = 0.0
        if governed:
            ev = 1 if total < thr else 0
            gstate = trans[gstate, ev]
            log_acts[t, :] = acts
            log_states[t] = gstate
        new_state = 0
        for i in range(n_firms):
            new_state = new_state * m + acts[i]
        changed = False
        for i in range(n_firms):
            r = (price - c) * grid[acts[i]]
            trace[t // trace_every] += r / (n_firms * trace_every)
            if governed and fines[gstate] > 0.0 and grid[acts[i]] < qn:
                paid[i] += fines[gstate]
                if felt:
                    r -= fines[gstate]
            best = Q[i, new_state, 0]
            for k in range(1, m):
                if Q[i, new_state, k] > best:
                    best = Q[i, new_state, k]
            Q[i, state, acts[i]] = (1.0 - alpha) * Q[i, state, acts[i]] + \
                alpha * (r + delta * best)
            g = np.argmax(Q[i, state])
            if g != greedy[i, state]:
                greedy[i, state] = g
                changed = True
        state = new_state
        t += 1
        stable = 0 if changed else stable + 1
        if stable >= stable_periods:
            converged = True
            break
    return Q, state, t, converged, gstate, paid


def cournot_learning(game, *, regime: str = "ungoverned", graph: GovernanceGraph | None = None,
                     m: int = 15, xi: float = 0.1, alpha: float = 0.15, beta: float = 4e-6,
                     delta: float = 0.95, max_periods: int = 5_000_000,
                     stable_periods: int = 100_000, eval_periods: int = 1_000,
                     trace_every: int = 10_000, key: bytes = b"equilibria-governance", seed=None) -> CournotLearningResult:
    r"""Q-learning firms in the repeated Cournot market, ungoverned or under a governance
    graph (module docstring: the learning rule, the oracle, the regimes, the log).

    Parameters
    ----------
    game : CournotGame
        The market, ``2 <= n <= 3`` (the state space has ``m**n`` joint actions).
    regime : {"ungoverned", "constitutional", "institutional"}
    graph : GovernanceGraph, optional
        The manifest the oracle applies (default :meth:`GovernanceGraph.default`); ignored
        when ungoverned.
    m : int, default 15
        Grid size; the grid spans :math:`[q^M - \xi(q^N - q^M),\ q^N + \xi(q^N - q^M)]`.
    xi : float, default 0.1
    alpha, beta, delta : float
        Learning rate, exploration decay and discount factor (Calvano et al.'s baseline).
    max_periods : int, default 5e6
    stable_periods : int, default 1e5
        The stopping rule: greedy strategies unchanged for this many periods.
    eval_periods : int, default 1000
        Periods of greedy play (from the final state) the outcome is measured on.
    trace_every : int, default 10000
        Window of ``index_trace``, the collusion index of the mean profit per window of the
        learning run (exploration included).
    key : bytes
        HMAC key of the decision log.
    seed : None, int, SeedSequence or Generator

    Returns
    -------
    CournotLearningResult
        ``success`` when the learners converged by the stopping rule.

    Raises
    ------
    ValueError, TypeError
        An argument outside its range or of the wrong type (named in the message).
    """
    if not isinstance(game, CournotGame):
        raise TypeError(f"`game` must be a CournotGame, got {type(game).__name__}")
    if not 2 <= game.n <= 3:
        raise ValueError(f"`game` must have 2 or 3 firms (m**n states), got n = {game.n}")
    regime = check_option(regime, "regime", REGIMES)
    if graph is None:
        graph = GovernanceGraph.default()
    elif not isinstance(graph, GovernanceGraph):
        raise TypeError(f"`graph` must be a GovernanceGraph, got {type(graph).__name__}")
    m = check_int(m, "m", lo=2, hi=60)
    xi = check_scalar(xi, "xi", lo=0.0, hi=1.0)
    alpha = check_scalar(alpha, "alpha", lo=0.0, hi=1.0, lo_inclusive=False)
    beta = check_scalar(beta, "beta", lo=0.0)
    delta = check_scalar(delta, "delta", lo=0.0, hi=1.0, hi_inclusive=False)
    max_periods = check_int(max_periods, "max_periods", lo=1, hi=10**9)
    stable_periods = check_int(stable_periods, "stable_periods", lo=1)
    eval_periods = check_int(eval_periods, "eval_periods", lo=1, hi=10**7)
    trace_every = check_int(trace_every, "trace_every", lo=1)
    if not isinstance(key, (bytes, bytearray)):
        raise TypeError(f"`key` must be bytes, got {type(key).__name__}")
    governed = regime != "ungoverned"
    if governed and max_periods * game.n > 2 * 10**9:
        raise ValueError(f"`max_periods` = {max_periods} is too long to log every decision")
    rng = as_generator(seed)
    qn1 = cournot_nash(game).quantities[0]
    qm1 = cournot_collusive(game).quantities[0]
    span = qn1 - qm1
    grid = np.linspace(qm1 - xi * span, qn1 + xi * span, m)
    QM, QN = qm1 * game.n, qn1 * game.n
    thr = QM + graph.threshold * (QN - QM)
    trans, fines = graph.tables()
    n_log = max_periods if governed else 1
    log_acts = np.zeros((n_log, game.n), dtype=np.int8)
    log_states = np.zeros(n_log, dtype=np.int8)
    trace = np.zeros(max_periods // trace_every + 1)
    Q, state, periods, converged, gstate, paid = _q_learning_kernel(
        grid, game.a, game.b, game.c, qn1, thr, trans, fines, governed,
        regime == "institutional", alpha, delta, beta, max_periods, stable_periods, game.n,
        int(rng.integers(0, 2**31 - 1)), log_acts, log_states, trace, trace_every)
    n_full = periods // trace_every
    index_trace = np.asarray(collusion_index(trace[:max(n_full, 1)], game))
    # evaluation: greedy play from the final state (no learning, no exploration)
    prof = np.zeros(game.n)
    qsum = np.zeros(game.n)
    coll = 0
    s = int(state)
    for _ in range(eval_periods):
        acts = [int(np.argmax(Q[i, s])) for i in range(game.n)]
        q = grid[acts]
        prof += game.profits(q)
        qsum += q
        coll += int(q.sum() < thr)
        s = 0
        for ai in acts:
            s = s * m + ai
    mean_profit = prof / eval_periods
    index = float(collusion_index(float(mean_profit.mean()), game))
    log = DecisionLog.build(log_acts[:periods], log_states[:periods], graph.manifest(),
                            bytes(key)) if governed else None
    return finish(CournotLearningResult, success=bool(converged),
                  status=Status.SUCCESS if converged else Status.MAX_ITER, n_iter=int(periods),
                  message=(f"greedy strategies stable for {stable_periods} periods after "
                           f"{periods}; collusion index {index:.3f}" if converged else
                           f"not converged in {max_periods} periods"),
                  hint=None if converged else "raise max_periods or beta",
                  regime=regime, grid=grid, periods=int(periods), mean_profit=mean_profit,
                  collusion_index=index, mean_quantity=qsum / eval_periods,
                  fines_paid=np.asarray(paid), collusive_share=coll / eval_periods,
                  index_trace=index_trace, trace_every=trace_every, log=log)


@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class GovernanceDiagram(Result):
    """Result of :func:`governance_diagram`.

    Attributes
    ----------
    sanctions : ndarray (p,)
    thresholds : ndarray (q,)
    index : ndarray (q, p)
        Mean collusion index over the seeds, per (threshold, sanction) cell.
    index_runs : ndarray (q, p, r)
        Each seed's index.
    converged : ndarray (q, p, r) of bool
    ungoverned : float
        Mean index of the same seeds without an authority (the reference level).
    collusion_gain : float
        :math:`\\pi^M - \\pi^N`, the per-period gain a felt fine must exceed to deter
        grim-trigger collusion (:func:`~.cournot.grim_trigger_threshold`).
    """

    sanctions: np.ndarray
    thresholds: np.ndarray
    index: np.ndarray
    index_runs: np.ndarray
    converged: np.ndarray
    ungoverned: float
    collusion_gain: float

    def plot(self, ax=None, title=None):
        """Draw the diagram (:func:`~.cournot_plots.plot_governance_diagram`)."""
        from .cournot_plots import plot_governance_diagram

        return plot_governance_diagram(self, ax=ax, title=title)


def _learning_cell(game, kw, task):
    regime, sanction, threshold, seed = task
    graph = GovernanceGraph.default(sanction=sanction, threshold=threshold)
    r = cournot_learning(game, regime=regime, graph=graph, seed=seed, **kw)
    return r.collusion_index, r.success


def governance_diagram(game, sanctions, thresholds, *, seeds=(0, 1, 2, 3), executor=None,
                       progress=None, **learning_kw) -> GovernanceDiagram:
    r"""Collusion index of institutionally governed Q-learners over sanction size x
    detection threshold (the default graph, :meth:`GovernanceGraph.default`).

    Each cell runs :func:`cournot_learning` with ``regime="institutional"`` once per seed
    (the same seeds in every cell, so cells differ only by the authority); the ungoverned
    runs of the same seeds give the reference level.

    Parameters
    ----------
    game : CournotGame
    sanctions : array_like (p,)
        Fines, ``>= 0``.
    thresholds : array_like (q,)
        Detection thresholds :math:`\theta \in [0, 1]`.
    seeds : sequence of int, default (0, 1, 2, 3)
    executor : concurrent.futures.Executor or dask Client, optional
        Where the runs go (same result serially).
    progress : bool or None
        Progress bar over the runs.
    **learning_kw
        Passed to :func:`cournot_learning` (``m``, ``beta``, ``max_periods``, ...).

    Returns
    -------
    GovernanceDiagram
        ``success`` when every run converged.
    """
    from equilibria._lib.sweep import parallel_map
    from equilibria._lib.validation import as_float_array

    if not isinstance(game, CournotGame):
        raise TypeError(f"`game` must be a CournotGame, got {type(game).__name__}")
    S = as_float_array(sanctions, "sanctions", ndim=1, min_size=1, nonneg=True)
    TH = as_float_array(thresholds, "thresholds", ndim=1, min_size=1, nonneg=True)
    if np.any(TH > 1):
        raise ValueError(f"`thresholds` must lie in [0, 1], got {TH}")
    seeds = [check_int(s, "seeds[i]", lo=0) for s in seeds]
    if not seeds:
        raise ValueError("`seeds` must not be empty")
    bad = {"regime", "graph", "seed"} & set(learning_kw)
    if bad:
        raise TypeError(f"governance_diagram sets {sorted(bad)} itself")
    tasks = [("institutional", float(s), float(th), sd) for th in TH for s in S for sd in seeds]
    tasks += [("ungoverned", 0.0, 0.5, sd) for sd in seeds]
    import functools

    out = parallel_map(functools.partial(_learning_cell, game, learning_kw), tasks,
                       executor=executor, progress=progress, desc="governance diagram")
    k = len(seeds)
    body = out[:-k]
    idx = np.array([o[0] for o in body]).reshape(TH.size, S.size, k)
    conv = np.array([o[1] for o in body]).reshape(TH.size, S.size, k)
    ref = float(np.mean([o[0] for o in out[-k:]]))
    gain = game.collusion_gain
    ok = bool(conv.all() and all(o[1] for o in out[-k:]))
    return finish(GovernanceDiagram, success=ok, status=Status.SUCCESS if ok else Status.MAX_ITER,
                  n_iter=len(tasks),
                  message=f"{len(tasks)} learning runs" + ("" if ok else
                                                           ", some did not converge"),
                  sanctions=S, thresholds=TH, index=idx.mean(axis=2), index_runs=idx,
                  converged=conv, ungoverned=ref, collusion_gain=float(gain))
