"""Compiled primal network simplex for exact optimal transport (numba).

The transport problem ``min <C, P>, P 1 = a, P^T 1 = b, P >= 0`` is the min-cost flow on the
complete bipartite digraph with ``n`` supply nodes (supply ``a_i``) and ``m`` demand nodes
(supply ``-b_j``), arc ``(i, j)`` of cost ``C_ij`` and infinite capacity.  The kernel is a
port of the primal network simplex of LEMON (``NetworkSimplex``, Kiraly & Kovacs 2012) in the
lightweight form of POT's ``network_simplex_simple.h`` (Bonneel et al. 2011), with these
choices:

* **Data layout.**  Real arc ``e = i m + j`` (row-major, so ``C.ravel()`` *is* the cost
  array: no copy); its ends are computed, not stored.  Flows live on the spanning tree only:
  ``tflow[u]`` is the flow on ``pred[u]``, the tree arc joining ``u`` to its parent (a
  non-tree arc carries no flow: capacities are infinite, so no arc sits at an upper bound).
  Memory is ``C`` plus one ``int8`` state per arc plus ``O(n + m)``.
* **Start.**  An artificial root joined to every node by an artificial arc (cost 0 from a
  supply node, big-M cost ``(max|C| + 1)(n + m)`` to a demand node), then LEMON's heuristic
  initial pivots: for each demand node its cheapest incoming arc.
* **Pivot rule (documented): block search.**  Arcs are scanned cyclically from where the
  previous search stopped, in blocks of ``B = max(floor(sqrt(n m)), 10)`` arcs; after each
  block, if the most negative reduced cost seen so far ``c_e = C_ij + pi_i - pi_j`` is below
  ``-EPS * max(|pi_i|, |pi_j|, |C_ij|)`` (``EPS = 2.22e-15``, POT's rule) that arc enters;
  a full cycle without such an arc proves optimality (every reduced cost ``>= -EPS * scale``).
  Arcs are priced in row-major order (POT stores them in a "mixed" order with stride
  ``sqrt(n m)``; measured at n = m = 1000-2000, the same number of pivots and a faster,
  contiguous scan).
* **Leaving arc.**  The strongly-feasible-tree rule (first blocking arc on the cycle walked
  from the entering arc's tail side, ties on the head side taken last), which excludes
  cycling under degeneracy (Cunningham 1976).
* **Potentials.**  Updated on the moved subtree at each pivot, and recomputed exactly from
  the final tree (``pi_child = pi_parent -/+ c``) so no drift from the updates remains.

References
----------
1. Kiraly, Z. & Kovacs, P. (2012). Efficient implementations of minimum-cost flow
   algorithms. Acta Univ. Sapientiae, Informatica 4(1), 67-118 (LEMON's NetworkSimplex).
2. Bonneel, N., van de Panne, M., Paris, S. & Heidrich, W. (2011). Displacement
   interpolation using Lagrangian mass transport. ACM TOG 30(6) (the lightweight OT variant
   POT's ``ot.emd`` wraps).
3. Cunningham, W. H. (1976). A network simplex method. Math. Prog. 11, 105-116.
"""

from __future__ import annotations

import math

import numpy as np

from equilibria._lib.jit import njit

__all__ = ["network_simplex", "EPS", "block_size", "OPTIMAL", "MAX_ITER", "UNBOUNDED"]

#: relative tolerance of the pricing test (POT / LEMON ``EPSILON``)
EPS = 2.2204460492503131e-15
#: kernel return codes
OPTIMAL, MAX_ITER, UNBOUNDED = 0, 1, 2


def block_size(n_arcs: int) -> int:
    """Block length of the pivot search: ``max(floor(sqrt(n_arcs)), 10)`` (LEMON's default)."""
    return max(int(math.sqrt(float(n_arcs))), 10)


@njit
def network_simplex(Cf, a, b, max_iter, block, pi, pred_out, flow_out):
    """Solve the transport problem with cost ``Cf`` (row-major ``(n*m,)``) and weights ``a, b``.

    ``a`` (n,), ``b`` (m,) positive with equal sums; ``max_iter`` bounds the pivots
    (including the initial heuristic ones); ``block`` is the block length of the pricing.
    Outputs (preallocated, length ``n + m``): ``pi`` the node potentials (reduced cost of arc
    ``(i, j)`` is ``C_ij + pi[i] - pi[n + j]``), ``pred_out[u]`` the tree arc above node ``u``
    (``< n*m``: a real arc; ``n*m + u``: the artificial arc of ``u``) and ``flow_out[u]`` its
    flow.  Returns ``(code, n_pivots)`` with ``code`` one of OPTIMAL, MAX_ITER, UNBOUNDED.
    """
    n1 = a.shape[0]
    n2 = b.shape[0]
    N = n1 + n2
    E = n1 * n2
    root = N
    INF = np.inf

    parent = np.empty(N + 1, np.int64)
    pred = np.empty(N + 1, np.int64)
    thread = np.empty(N + 1, np.int64)
    rev_thread = np.empty(N + 1, np.int64)
    succ_num = np.empty(N + 1, np.int64)
    last_succ = np.empty(N + 1, np.int64)
    forward = np.empty(N + 1, np.bool_)
    pot = np.zeros(N + 1)
    tflow = np.zeros(N + 1)
    dirty = np.empty(N + 1, np.int64)
    art_src = np.empty(N, np.int64)
    art_tgt = np.empty(N, np.int64)
    art_cost = np.empty(N)
    state = np.ones(E, np.int8)  # 1 = at lower bound (flow 0), 0 = in the tree

    cmax = 0.0
    for e in range(E):
        v = abs(Cf[e])
        if v > cmax:
            cmax = v
    ART = (cmax + 1.0) * N

    # ---- initial tree: every node hangs from the artificial root
    parent[root] = -1
    pred[root] = -1
    thread[root] = 0
    rev_thread[0] = root
    succ_num[root] = N + 1
    last_succ[root] = root - 1
    pot[root] = 0.0
    for u in range(N):
        parent[u] = root
        pred[u] = E + u
        thread[u] = u + 1
        rev_thread[u + 1] = u
        succ_num[u] = 1
        last_succ[u] = u
        if u < n1:  # supply node: artificial arc u -> root, cost 0
            forward[u] = True
            pot[u] = 0.0
            art_src[u] = u
            art_tgt[u] = root
            art_cost[u] = 0.0
            tflow[u] = a[u]
        else:  # demand node: artificial arc root -> u, big-M cost
            forward[u] = False
            pot[u] = ART
            art_src[u] = root
            art_tgt[u] = u
            art_cost[u] = ART
            tflow[u] = b[u - n1]

    # ---- heuristic initial arcs (LEMON): cheapest incoming arc of every demand node
    init_arcs = np.zeros(n2, np.int64)
    best = np.full(n2, INF)
    for i in range(n1):  # row-major sweep (cache friendly)
        row = i * n2
        for j in range(n2):
            c = Cf[row + j]
            if c < best[j]:
                best[j] = c
                init_arcs[j] = row + j

    n_init = 0
    next_arc = 0
    it = 0
    code = OPTIMAL
    while True:
        # ---------------- choose the entering arc
        in_arc = -1
        if n_init < n2:
            while n_init < n2:
                e = init_arcs[n_init]
                n_init += 1
                i = e // n2
                if state[e] * (Cf[e] + pot[i] - pot[n1 + e - i * n2]) < 0.0:
                    in_arc = e
                    break
        if in_arc < 0:
            # block search pricing
            min_c = 0.0
            cnt = block
            e = next_arc
            i = e // n2
            j = e - i * n2
            found = False
            for _ in range(E):
                c = state[e] * (Cf[e] + pot[i] - pot[n1 + j])
                if c < min_c:
                    min_c = c
                    in_arc = e
                e += 1
                j += 1
                if j == n2:
                    j = 0
                    i += 1
                    if e == E:
                        e = 0
                        i = 0
                cnt -= 1
                if cnt == 0:
                    if in_arc >= 0:
                        ii = in_arc // n2
                        sc = max(abs(pot[ii]), abs(pot[n1 + in_arc - ii * n2]), abs(Cf[in_arc]))
                        if min_c < -EPS * sc:
                            found = True
                            break
                    cnt = block
            if not found and in_arc >= 0:
                ii = in_arc // n2
                sc = max(abs(pot[ii]), abs(pot[n1 + in_arc - ii * n2]), abs(Cf[in_arc]))
                found = min_c < -EPS * sc
            if not found:
                break  # optimal: no reduced cost below -EPS * scale
            next_arc = e
        if it >= max_iter:
            code = MAX_ITER
            break
        it += 1

        # ---------------- pivot on in_arc (state LOWER: flow pushed from source to target)
        ii = in_arc // n2
        src = ii
        tgt = n1 + in_arc - ii * n2
        # join node
        u = src
        v = tgt
        while u != v:
            if succ_num[u] < succ_num[v]:
                u = parent[u]
            else:
                v = parent[v]
        join = u
        # leaving arc (strongly feasible tree rule)
        first = src
        second = tgt
        delta = INF
        result = 0
        u_out = -1
        u = first
        while u != join:
            if forward[u]:
                d = tflow[u]
                if d < delta:
                    delta = d
                    u_out = u
                    result = 1
            u = parent[u]
        u = second
        while u != join:
            if not forward[u]:
                d = tflow[u]
                if d <= delta:
                    delta = d
                    u_out = u
                    result = 2
            u = parent[u]
        if result == 0:
            code = UNBOUNDED
            break
        if result == 1:
            u_in = first
            v_in = second
        else:
            u_in = second
            v_in = first
        # change the flow along the cycle
        if delta > 0.0:
            u = src
            while u != join:
                if forward[u]:
                    tflow[u] -= delta
                else:
                    tflow[u] += delta
                u = parent[u]
            u = tgt
            while u != join:
                if forward[u]:
                    tflow[u] += delta
                else:
                    tflow[u] -= delta
                u = parent[u]
        state[in_arc] = 0
        out_arc = pred[u_out]
        if out_arc < E:
            state[out_arc] = 1

        # ---------------- update the tree structure (LEMON's updateTreeStructure)
        old_rev_thread = rev_thread[u_out]
        old_succ_num = succ_num[u_out]
        old_last_succ = last_succ[u_out]
        v_out = parent[u_out]

        u = last_succ[u_in]
        right = thread[u]
        if old_rev_thread == v_in:
            last = thread[last_succ[u_out]]
        else:
            last = thread[v_in]

        stem = u_in
        thread[v_in] = stem
        nd = 0
        dirty[nd] = v_in
        nd += 1
        par_stem = v_in
        while stem != u_out:
            new_stem = parent[stem]
            thread[u] = new_stem
            dirty[nd] = u
            nd += 1
            w = rev_thread[stem]
            thread[w] = right
            rev_thread[right] = w
            parent[stem] = par_stem
            par_stem = stem
            stem = new_stem
            if last_succ[stem] == last_succ[par_stem]:
                u = rev_thread[par_stem]
            else:
                u = last_succ[stem]
            right = thread[u]
        parent[u_out] = par_stem
        thread[u] = last
        rev_thread[last] = u
        last_succ[u_out] = u

        if old_rev_thread != v_in:
            thread[old_rev_thread] = right
            rev_thread[right] = old_rev_thread

        for k in range(nd):
            u = dirty[k]
            rev_thread[thread[u]] = u

        tmp_sc = 0
        tmp_ls = last_succ[u_out]
        u = u_out
        while u != u_in:
            w = parent[u]
            pred[u] = pred[w]
            forward[u] = not forward[w]
            tflow[u] = tflow[w]
            tmp_sc += succ_num[u] - succ_num[w]
            succ_num[u] = tmp_sc
            last_succ[w] = tmp_ls
            u = w
        pred[u_in] = in_arc
        forward[u_in] = u_in == src
        tflow[u_in] = delta
        succ_num[u_in] = old_succ_num

        up_limit_in = -1
        up_limit_out = -1
        if last_succ[join] == v_in:
            up_limit_out = join
        else:
            up_limit_in = join

        u = v_in
        while u != up_limit_in and last_succ[u] == v_in:
            last_succ[u] = last_succ[u_out]
            u = parent[u]
        if join != old_rev_thread and v_in != old_rev_thread:
            u = v_out
            while u != up_limit_out and last_succ[u] == old_last_succ:
                last_succ[u] = old_rev_thread
                u = parent[u]
        else:
            u = v_out
            while u != up_limit_out and last_succ[u] == old_last_succ:
                last_succ[u] = last_succ[u_out]
                u = parent[u]

        u = v_in
        while u != join:
            succ_num[u] += old_succ_num
            u = parent[u]
        u = v_out
        while u != join:
            succ_num[u] -= old_succ_num
            u = parent[u]

        # ---------------- update the potentials of the moved subtree
        c_in = Cf[in_arc]
        if forward[u_in]:
            sigma = pot[v_in] - pot[u_in] - c_in
        else:
            sigma = pot[v_in] - pot[u_in] + c_in
        end = thread[last_succ[u_in]]
        u = u_in
        while u != end:
            pot[u] += sigma
            u = thread[u]

    # ---- exact potentials from the final tree (preorder: a parent precedes its children)
    pot[root] = 0.0
    u = thread[root]
    while u != root:
        e = pred[u]
        if e < E:
            c = Cf[e]
        else:
            c = art_cost[e - E]
        if forward[u]:
            pot[u] = pot[parent[u]] - c
        else:
            pot[u] = pot[parent[u]] + c
        u = thread[u]
    for u in range(N):
        pi[u] = pot[u]
        pred_out[u] = pred[u]
        flow_out[u] = tflow[u]
    return code, it


@njit
def certificate_pass(C, P, f, g, a, b):
    """One pass over ``(C, P)`` for the optimality certificate of a transport plan.

    Returns ``(min_red, slack, cost, marg_err, p_min, c_max)``: the smallest reduced cost
    ``C_ij - f_i - g_j``, the largest ``|C_ij - f_i - g_j|`` where ``P_ij > 0``, ``<C, P>``,
    ``||P 1 - a||_1 + ||P^T 1 - b||_1``, ``min P`` and ``max |C|`` (no ``n x m`` temporaries).
    """
    n, m = C.shape
    colsum = np.zeros(m)
    min_red = np.inf
    slack = 0.0
    cost = 0.0
    err = 0.0
    p_min = np.inf
    c_max = 0.0
    for i in range(n):
        fi = f[i]
        rs = 0.0
        for j in range(m):
            c = C[i, j]
            if abs(c) > c_max:
                c_max = abs(c)
            r = c - fi - g[j]
            if r < min_red:
                min_red = r
            p = P[i, j]
            if p != 0.0:
                if p > 0.0 and abs(r) > slack:
                    slack = abs(r)
                cost += c * p
                rs += p
                colsum[j] += p
            if p < p_min:
                p_min = p
        err += abs(rs - a[i])
    for j in range(m):
        err += abs(colsum[j] - b[j])
    return min_red, slack, cost, err, p_min, c_max
