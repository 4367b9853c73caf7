r"""Recurrence fallback of the attractor identification: orbits that do not settle.

An orbit that has not reached a steady state by ``t_end`` (or that sits at an *unstable*
equilibrium, where a slow passage near a saddle makes the field tiny) is integrated for a
further ``window`` time units and sampled at ``n_samples + 1`` equally spaced times
:math:`y_0, \dots, y_K`.  With :math:`Y_1 = \{y_k : k \le K/2\}`,
:math:`Y_2 = \{y_k : k > K/2\}`, :math:`s = 1 + \max_k \|y_k\|_\infty` and the sampling
resolution :math:`\delta = \max_k \|y_{k+1} - y_k\|_\infty`, the orbit is, in this order:

1. **settled** when :math:`\max_{y \in Y_2} \|y - y_K\|_\infty \le \tau s` (``tau =
   cluster_tol``): it converged late; its end state goes back to the equilibrium clustering --
   except when it sits near a face :math:`x_i \approx 0` (``x_i <= tau s``) of an unstable
   equilibrium where the coordinate ``i``, positive initially, has a positive per-capita growth
   rate: no interior orbit converges to such a saddle (its stable manifold lies in the face),
   the orbit is passing by ever more slowly, or is stuck only by underflow.  It then joins the
   heteroclinic attractor through that saddle if other orbits were seen to travel on from it,
   and is *not converged* otherwise;
2. **heteroclinic** when it spends at least half of the window within ``near_tol * s`` of
   unstable equilibria and visits at least two of them, or when on every coordinate that is
   active in :math:`Y_2` (maximum :math:`\ge 0.1 \max Y_2`) the minimum keeps falling,
   :math:`\min Y_2 < 10^{-2} \min Y_1` and :math:`\min Y_2 < 10^{-4} \max Y_2` (a geometric
   approach to the boundary: the passages slow down, no steady state and no cycle is reached);
3. **periodic** (recurrent) when it returns to its own neighbourhood: every point of
   :math:`Y_2` lies within :math:`\varepsilon = \max(\rho s, 2\delta)` of :math:`Y_1`
   (``rho = recurrence_tol``), i.e. the orbit keeps revisiting the cells it already visited at
   resolution :math:`\varepsilon` -- the finite-time, sampled version of the recurrence rule of
   Attractors.jl's ``AttractorsViaRecurrences`` [1] with neighbourhoods in place of a cell grid
   -- and its extent does not shrink, :math:`|\operatorname{span}_c Y_2 -
   \operatorname{span}_c Y_1| \le \varepsilon` on every coordinate ``c`` (a slowly decaying
   spiral towards a weakly stable focus is not a cycle);
4. **not converged** otherwise (a transient still drifting, or a recurrence longer than the
   window: raise ``window``).

Periodic orbits are grouped into attractors by the same test: an orbit belongs to a known
recurrent attractor :math:`C` when at least 95% of its :math:`Y_2` lies within
:math:`\varepsilon_C` of :math:`C`'s samples; two attractors found in different chunks are the
same when each covers the other.  Heteroclinic orbits are grouped by the unstable
equilibria they visit (or, without such equilibria, by their active support): two groups that
share a saddle are one heteroclinic attractor.

Deviations from [1]: no cell grid and no iterative "continue until the recurrence counter
fills" loop; one window per orbit, so a period longer than ``window / 2`` is not recognized.
A heteroclinic cycle is labelled as such honestly rather than snapped to one of its saddles
(whichever the orbit happened to be lingering at when ``t_end`` was reached).

References
----------
1. G. Datseris, A. Wagemakers, "Effortless estimation of basins of attraction", Chaos 32
   (2022) 023104.
2. J. Hofbauer, K. Sigmund, *Evolutionary Games and Population Dynamics*, 1998, Sec. 7.7
   (heteroclinic cycles of rock-paper-scissors replicator dynamics).
"""

from __future__ import annotations

import numpy as np

from . import _kernels as K

SETTLED, PERIODIC, HETEROCLINIC, NONRECURRENT, DIVERGED_, FAILED_ = range(6)


def _eps(Y, rec_tol):
    s = 1.0 + float(np.max(np.abs(Y)))
    step = float(np.max(np.abs(np.diff(Y, axis=0)))) if Y.shape[0] > 1 else 0.0
    return max(rec_tol * s, 2.0 * step)


def _per_capita(system, x):
    """Per-capita growth rates ``f_i(x) / x_i`` (defined also where ``x_i = 0``)."""
    Ax = system.A @ x
    if system.kind == "replicator":
        return Ax - x @ Ax
    return system.r + Ax + system.M @ (x / (1.0 + system.q * x))


def continue_orbits(system, X, *, window, n_samples, rtol, atol, max_iter, bound,
                    cluster_tol, recurrence_tol, near_tol, saddles, pos0=None, batch=128):
    """Classify the orbits from the rows of ``X`` (see the module docstring).

    Returns ``(code, end, group, cycles)``: ``code[i]`` one of ``SETTLED``, ``PERIODIC``,
    ``HETEROCLINIC``, ``NONRECURRENT``, ``DIVERGED_``, ``FAILED_``; ``end[i]`` the final
    state; ``group[i]`` the index into ``cycles`` for periodic and heteroclinic rows (else
    -1); ``cycles`` a list of ``(kind, samples, eps, key)``.
    """
    m, n = X.shape
    code = np.full(m, NONRECURRENT, dtype=np.int64)
    group = np.full(m, -1, dtype=np.int64)
    end = np.full((m, n), np.nan)
    cycles: list = []
    t_eval = np.linspace(0.0, window, n_samples + 1)
    half = n_samples // 2
    S = np.asarray(saddles, dtype=float).reshape(-1, n)
    for b0 in range(0, m, batch):
        Xb = X[b0:b0 + batch]
        Y, st, _, _ = system._batch(Xb, t_eval, rtol=rtol, atol=atol, max_iter=max_iter,
                                    ftol=0.0, t_min=0.0, bound=bound)
        for p in range(Xb.shape[0]):
            i = b0 + p
            if st[p] == 2:
                code[i] = DIVERGED_
                continue
            if st[p] != 0 or not np.all(np.isfinite(Y[p])):
                code[i] = FAILED_
                continue
            y = np.maximum(Y[p], 0.0)
            end[i] = y[-1]
            Y1, Y2 = y[:half + 1], y[half + 1:]
            s = 1.0 + float(np.max(y))
            if np.max(np.abs(Y2 - y[-1])) <= cluster_tol * s:  # 1. settled
                code[i] = SETTLED
                # ... unless it sits near a face where a coordinate that was positive can
                # invade: no interior orbit converges to such a saddle (its stable manifold
                # lies in the face); the orbit is passing by, slowly (heteroclinic approach),
                # or is stuck there only by underflow
                inv = _per_capita(system, y[-1]) > 1e-9
                p0 = np.ones(n, dtype=bool) if pos0 is None else pos0[i]
                if S.shape[0] and np.any(p0 & (y[-1] <= cluster_tol * s) & inv):
                    d = np.max(np.abs(S - y[-1]), axis=1)
                    k = int(np.argmin(d))
                    if d[k] <= near_tol * s:
                        new = ("heteroclinic", Y2.copy(), _eps(Y2, recurrence_tol),
                               ("saddles", (k,)))
                        code[i], group[i] = HETEROCLINIC, add_or_merge(cycles, new)
                    else:
                        code[i] = NONRECURRENT
                continue
            # 2. heteroclinic: time near unstable equilibria, or a geometric approach to the
            # boundary on every active coordinate
            key = None
            if S.shape[0]:
                d = np.max(np.abs(y[:, None, :] - S[None, :, :]), axis=2)
                near = np.min(d, axis=1) <= near_tol * s
                visited = np.unique(np.argmin(d, axis=1)[near])
                if near.mean() >= 0.5 and visited.size >= 2:
                    key = ("saddles", tuple(visited.tolist()))
            if key is None:
                hi2 = Y2.max(axis=0)
                active = hi2 >= 0.1 * hi2.max()
                lo1, lo2 = Y1.min(axis=0)[active], Y2.min(axis=0)[active]
                if active.sum() >= 2 and np.all(lo2 < 1e-2 * lo1) and \
                        np.all(lo2 < 1e-4 * hi2[active]):
                    key = ("support", tuple(np.flatnonzero(active).tolist()))
            if key is not None:
                new = ("heteroclinic", Y2.copy(), _eps(Y2, recurrence_tol), key)
                code[i], group[i] = HETEROCLINIC, add_or_merge(cycles, new)
                continue
            # 3. periodic: membership of a known recurrent set, else the recurrence test
            Y2c = np.ascontiguousarray(Y2)
            j = next((k for k, c in enumerate(cycles) if c[0] == "periodic" and
                      K._covered_fraction(Y2c, c[1], c[2]) >= 0.95), None)
            if j is None:
                eps = _eps(y, recurrence_tol)
                span1 = Y1.max(axis=0) - Y1.min(axis=0)
                span2 = Y2.max(axis=0) - Y2.min(axis=0)
                if np.max(np.abs(span2 - span1)) <= eps and \
                        K._covered_fraction(Y2c, np.ascontiguousarray(Y1), eps) >= 1.0:
                    cycles.append(("periodic", Y2c.copy(), eps, None))
                    j = len(cycles) - 1
            if j is not None:
                code[i], group[i] = PERIODIC, j
    return code, end, group, cycles


def same_cycle(a, b) -> bool:
    """Whether two recurrent sets ``(kind, samples, eps, key)`` are the same attractor."""
    if a[0] != b[0]:
        return False
    if a[0] == "heteroclinic":  # same type of key and a shared saddle (or support index)
        return a[3][0] == b[3][0] and bool(set(a[3][1]) & set(b[3][1]))
    eps = max(a[2], b[2])
    return K._covered_fraction(a[1], b[1], eps) >= 0.95 and \
        K._covered_fraction(b[1], a[1], eps) >= 0.95


def merge(a, b):
    """Two matching heteroclinic sets as one (union of the saddles / supports visited)."""
    if a[0] != "heteroclinic":
        return a
    return (a[0], a[1], a[2], (a[3][0], tuple(sorted(set(a[3][1]) | set(b[3][1])))))


def add_or_merge(cycles: list, new) -> int:
    """Index of the recurrent set in ``cycles`` matching ``new`` (merged into it), or of
    ``new`` appended when none matches (:func:`same_cycle`, :func:`merge`)."""
    for k, c in enumerate(cycles):
        if same_cycle(c, new):
            cycles[k] = merge(c, new)
            return k
    cycles.append(new)
    return len(cycles) - 1
