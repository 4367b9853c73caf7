"""The Levine hat problem: exact win probabilities on finite stacks, best responses and the
recursive block strategies.

Game (Buhler et al. 2014/2021, arXiv 1407.4711, Sec. 1; Bouquet et al. 2025, arXiv 2508.01737,
abstract): each of ``n`` players wears an infinite stack of i.i.d. uniform black/white hats,
sees every other player's stack but not their own, and names simultaneously a position in their
own stack; the team wins iff every named hat is black.  ``V_n`` is the supremum of the win
probability; ``V_{n,h}`` the optimum when only the first ``h`` hats may be looked at and named
(``V_{n,h}`` increases to ``V_n``).

Encoding.  A stack of height ``h`` is an integer in ``[0, 2^h)``, bit ``j`` (value 1 = black)
being hat ``j``.  A two-player strategy is an int64 array ``s`` of length ``2^h``: ``s[x]`` is
the index (``0..h-1``) the player names when the *other* player's stack is ``x``.  An
``n``-player strategy profile is an array of shape ``(n, 2^((n-1)h))``: the view of player
``i`` is the other stacks concatenated in increasing player order (player ``j``'s stack at bit
offset ``p h``, ``p`` its rank among the others).

What is here (kernels compiled by numba, :func:`equilibria._lib.jit.njit`):

- :func:`win_count` / :func:`win_probability`: exact, by enumerating all ``2^(n h)`` hat
  configurations; :func:`monte_carlo_win` is the sampled cross-check.
- :func:`levine_best_response`: the exact best response of one player to the others.
- :func:`alternating_best_response` from random starts (a monotone local search: every step
  weakly increases the win probability).
- :func:`brute_force_value`: ``V_{2,h}`` for ``h <= 3`` by enumerating every strategy of one
  player and best-responding with the other (exact global optimum).
- Recursive block strategies (:class:`BlockStrategy`): each player reads the other's stack in
  blocks of ``k`` hats and, in each block, either names a hat of that block of its own stack
  or *passes* to the next block.  Both passing restarts the game on fresh hats, so the infinite
  value is the fixed point ``V = (W + H/2) / (N^2 - P)`` (:func:`block_value`, exact rational;
  ``N = 2^k``, ``W`` the block configurations where both name and win, ``H`` those where exactly
  one passes and the other names a black hat, since the passer's later hat is black with
  probability 1/2 independently of everything the other player used, ``P`` those where both
  pass).  :data:`S3` and :data:`S5` are block strategies of sizes 3 and 5 whose value is 7/20
  with pass sets of two blocks per player (``P = 4``), so the gap of the height-``h``
  truncation (:func:`recursive_strategy`) shrinks like ``(4/N^2)^(h/k)`` per hat:
  ``4^(-2/3)`` for S3 and ``4^(-4/5)`` for S5 -- the convergence rates the abstract of
  arXiv 2508.01737 states (S3 and S5 both attain 7/20; S5 has the strictly better rate; block
  size ``k`` gives ``4^(-(1-1/k))``, "near-optimal ``1/4^(1-eps)``").  The paper's own tables
  were not readable here: S3 and S5 are this module's constructions in the recursive family the
  abstract describes, found by the block search (:func:`search_block_strategy`) and verified
  exactly.
- The continuous ("uncountable stacks") version: each player's stack is a uniform point
  ``x_i`` of ``[0, 1)`` and a player names any measurable half-measure event of its own point
  (a "hat" of an uncountable stack is a measure-1/2 set, not only a binary digit); the abstract
  of arXiv 2508.01737 states the optimum is exactly 1/2 for every ``n >= 2``.  The upper bound
  is one player's own event (probability 1/2); it is attained by every player naming the event
  ``{x_1 + ... + x_n mod 1 < 1/2}`` (:func:`continuous_win_probability`, exact on the grid
  ``Z_M^n``).  This reading of the generalization is this module's; the value is the paper's.
"""

from __future__ import annotations

import dataclasses
import math
from fractions import Fraction

import numpy as np

from equilibria._lib.jit import njit
from equilibria._lib.result import Result, Status, finish
from equilibria._lib.validation import check_int, check_option, check_scalar

__all__ = ["LevineResult", "BlockStrategy", "win_count", "win_probability", "monte_carlo_win",
           "levine_best_response", "alternating_best_response", "brute_force_value",
           "first_black_strategy", "block_value", "block_best_response",
           "search_block_strategy", "recursive_strategy", "recursive_value", "S3", "S5",
           "levine_value", "continuous_win_probability", "continuous_section_measures",
           "plot_levine_values", "SEVEN_TWENTIETHS", "MAX_CONFIG_BITS"]

#: the conjectured optimum of the two-player game, attained by S3 and S5
SEVEN_TWENTIETHS = Fraction(7, 20)
#: largest ``n h`` enumerated (2^30 configurations, a few seconds)
MAX_CONFIG_BITS = 30
_METHODS = ("best_response", "brute", "s3", "s5", "first_black")


# -- kernels -----------------------------------------------------------------------------------

@njit
def _win_count2(f, g, h):
    """Configurations (a, b) with hat f[b] of a and hat g[a] of b both black."""
    N = 1 << h
    total = 0
    for a in range(N):
        gb = g[a]
        for b in range(N):
            total += ((a >> f[b]) & 1) & ((b >> gb) & 1)
    return total


@njit
def _br_counts2(g, h, out):
    """out[b, j] = #{a : hat j of a black and hat g[a] of b black}: the wins of naming j
    when the other's stack is b (the other plays g)."""
    N = 1 << h
    for b in range(N):
        for j in range(h):
            out[b, j] = 0
        for a in range(N):
            if (b >> g[a]) & 1:
                for j in range(h):
                    out[b, j] += (a >> j) & 1


@njit
def _view(c, i, n, h):
    mask = (1 << h) - 1
    v = 0
    p = 0
    for j in range(n):
        if j != i:
            v |= ((c >> (j * h)) & mask) << (p * h)
            p += 1
    return v


@njit
def _win_count_n(S, n, h):
    total = 0
    mask = (1 << h) - 1
    for c in range(1 << (n * h)):
        ok = 1
        for i in range(n):
            own = (c >> (i * h)) & mask
            if not ((own >> S[i, _view(c, i, n, h)]) & 1):
                ok = 0
                break
        total += ok
    return total


@njit
def _br_counts_n(S, i, n, h, out):
    """out[v, j] = wins when player i names j on view v (the others play S)."""
    mask = (1 << h) - 1
    for v in range(out.shape[0]):
        for j in range(h):
            out[v, j] = 0
    for c in range(1 << (n * h)):
        ok = 1
        for k in range(n):
            if k != i:
                own = (c >> (k * h)) & mask
                if not ((own >> S[k, _view(c, k, n, h)]) & 1):
                    ok = 0
                    break
        if ok:
            own_i = (c >> (i * h)) & mask
            v = _view(c, i, n, h)
            for j in range(h):
                out[v, j] += (own_i >> j) & 1


@njit
def _mc_wins(S, n, h, stacks):
    """Wins over sampled configurations ``stacks`` (shape (m, n), one stack per player)."""
    wins = 0
    for r in range(stacks.shape[0]):
        ok = 1
        for i in range(n):
            v = 0
            p = 0
            for j in range(n):
                if j != i:
                    v |= stacks[r, j] << (p * h)
                    p += 1
            if not ((stacks[r, i] >> S[i, v]) & 1):
                ok = 0
                break
        wins += ok
    return wins


@njit
def _block_scores(phi_other, k, V, out):
    """out[x, act] (act = k: pass) = twice the payoff of playing act on the other's block x,
    summed over my block y, the other playing phi_other[y]; both passing pays 2 V."""
    N = 1 << k
    for x in range(N):
        for act in range(k + 1):
            s = 0.0
            for y in range(N):
                o = phi_other[y]
                if act < k and o < k:
                    s += 2.0 * (((y >> act) & 1) * ((x >> o) & 1))
                elif act == k and o < k:
                    s += (x >> o) & 1
                elif act < k and o == k:
                    s += (y >> act) & 1
                else:
                    s += 2.0 * V
            out[x, act] = s


@njit
def _block_counts(phi_a, phi_b, k):
    """(2 W + H, P) of a block strategy pair (phi_a acts on b's block, phi_b on a's)."""
    N = 1 << k
    num = 0
    P = 0
    for a in range(N):
        ib = phi_b[a]
        for b in range(N):
            ia = phi_a[b]
            if ia < k and ib < k:
                num += 2 * (((a >> ia) & 1) * ((b >> ib) & 1))
            elif ia == k and ib < k:
                num += (b >> ib) & 1
            elif ia < k and ib == k:
                num += (a >> ia) & 1
            else:
                P += 1
    return num, P


# -- validation --------------------------------------------------------------------------------

def _check_h(h, n=2):
    h = check_int(h, "h", lo=1, hi=MAX_CONFIG_BITS)
    n = check_int(n, "n", lo=2, hi=MAX_CONFIG_BITS)
    if n * h > MAX_CONFIG_BITS:
        raise ValueError(f"n * h = {n * h} exceeds {MAX_CONFIG_BITS} (2^(n h) configurations "
                         f"are enumerated); got n={n}, h={h}")
    return h, n


def _int_array(s, label):
    """A fresh writeable C-contiguous int64 copy of an index table (``label`` names it)."""
    if s is None or isinstance(s, (str, bytes)):
        raise TypeError(f"{label} must be an integer array, got {type(s).__name__}")
    try:
        arr = np.asarray(s)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{label} must be a rectangular integer array: {exc}") from None
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
            raise ValueError(f"{label} must hold integer indices, got non-integer values")
    elif arr.dtype.kind not in "iu":
        raise TypeError(f"{label} must be an integer array, got dtype {arr.dtype}")
    return np.array(arr, dtype=np.int64, order="C")


def _seed(seed) -> int:
    return check_int(seed, "seed", lo=0)


def _as_strategy(s, h=None, name="strategy"):
    arr = _int_array(s, f"`{name}`")
    if arr.ndim != 1 or arr.size < 2 or arr.size & (arr.size - 1):
        raise ValueError(f"`{name}` must be a 1-d array of length 2^h, got shape {arr.shape}")
    hh = arr.size.bit_length() - 1
    if h is not None and hh != h:
        raise ValueError(f"`{name}` has length {arr.size} = 2^{hh}, expected 2^{h}")
    if arr.min() < 0 or arr.max() >= hh:
        raise ValueError(f"`{name}` must name indices in 0..{hh - 1}")
    return arr, hh


def _as_profile(S, label="`profile`"):
    arr = _int_array(S, label)
    if arr.ndim != 2 or arr.shape[0] < 2:
        raise ValueError(f"{label}: an n-player profile must have shape (n, 2^((n-1)h)), got "
                         f"{arr.shape}")
    n, L = arr.shape
    bits = L.bit_length() - 1
    if L < 2 or L & (L - 1) or bits % (n - 1):
        raise ValueError(f"{label}: profile rows must have length 2^((n-1)h), h >= 1, got {L} "
                         f"for n={n}")
    h = bits // (n - 1)
    if n * h > MAX_CONFIG_BITS:
        raise ValueError(f"{label}: n * h = {n * h} exceeds {MAX_CONFIG_BITS}")
    _check_h(h, n)
    if arr.min() < 0 or arr.max() >= h:
        raise ValueError(f"{label}: profile entries must be indices in 0..{h - 1}")
    return arr, n, h


# -- public functions --------------------------------------------------------------------------

def win_count(*strategies):
    """Number of winning hat configurations (out of ``2^(n h)``), by exact enumeration.

    Parameters
    ----------
    *strategies : array_like
        Two strategies ``f, g`` (length ``2^h`` each: the index player 1 names given player 2's
        stack, and vice versa), or one ``(n, 2^((n-1)h))`` profile.

    Returns
    -------
    (int, int)
        The number of winning configurations and ``n h`` (the win probability is
        ``count / 2^(n h)``).
    """
    if len(strategies) == 2:
        f, h = _as_strategy(strategies[0], name="f")
        g, _ = _as_strategy(strategies[1], h, name="g")
        _check_h(h, 2)
        return int(_win_count2(f, g, h)), 2 * h
    if len(strategies) == 1:
        S, n, h = _as_profile(strategies[0])
        if n == 2:
            return int(_win_count2(S[0], S[1], h)), 2 * h
        return int(_win_count_n(S, n, h)), n * h
    raise TypeError("win_count takes two strategies or one profile")


def win_probability(*strategies, exact=False):
    """The win probability of the strategies (see :func:`win_count`); a
    :class:`fractions.Fraction` when ``exact``."""
    c, bits = win_count(*strategies)
    return Fraction(c, 1 << bits) if exact else c / float(1 << bits)


def _profile_of(strategies):
    if len(strategies) == 2:
        f, h = _as_strategy(strategies[0], name="f")
        g, _ = _as_strategy(strategies[1], h, name="g")
        return np.stack([f, g]), 2, h
    return _as_profile(strategies[0])


def monte_carlo_win(*strategies, n_samples=100_000, seed=0):
    """Monte Carlo estimate of the win probability and its standard error (the cross-check of
    the exact enumeration; uniform stacks drawn with ``numpy.random.default_rng(seed)``)."""
    S, n, h = _profile_of(strategies)
    m = check_int(n_samples, "n_samples", lo=1, hi=10**8)
    rng = np.random.default_rng(_seed(seed))
    stacks = rng.integers(0, 1 << h, size=(m, n), dtype=np.int64)
    p = _mc_wins(S, n, h, stacks) / m
    return p, math.sqrt(max(p * (1 - p), 1.0 / m) / m)


def levine_best_response(*strategies, player=0):
    """The exact best response of one player to the others' strategies.

    Parameters
    ----------
    *strategies : array_like
        Two-player: the other player's strategy ``g`` (length ``2^h``); the best response
        ``f`` (what player 1 names given player 2's stack) is returned; the game is symmetric
        in the roles, so this is also player 2's best response to ``g`` as player 1.
        ``n``-player: one ``(n, 2^((n-1)h))`` profile; row ``player`` is replaced.
    player : int
        The responding player (``n``-player profiles only).

    Returns
    -------
    (ndarray, int)
        The best response (smallest index on ties) and the number of winning configurations
        it reaches (out of ``2^(n h)``).
    """
    if len(strategies) == 1 and np.ndim(strategies[0]) == 1:
        g, h = _as_strategy(strategies[0], name="g")
        _check_h(h, 2)
        out = np.zeros((1 << h, h), dtype=np.int64)
        _br_counts2(g, h, out)
        return out.argmax(axis=1).astype(np.int64), int(out.max(axis=1).sum())
    if len(strategies) != 1:
        raise TypeError("levine_best_response takes the other's strategy or one profile")
    S, n, h = _as_profile(strategies[0], "`g` (a 1-d strategy) or `profile`")
    i = check_int(player, "player", lo=0, hi=n - 1)
    out = np.zeros((S.shape[1], h), dtype=np.int64)
    _br_counts_n(S, i, n, h, out)
    return out.argmax(axis=1).astype(np.int64), int(out.max(axis=1).sum())


def _random_profile(rng, n, h):
    return rng.integers(0, h, size=(n, 1 << ((n - 1) * h)), dtype=np.int64)


def alternating_best_response(h, *, n=2, n_starts=8, seed=0, max_iter=200, start=None):
    """Alternating (round-robin) best responses from random starts; the best profile found.

    Each round replaces every player's strategy by its exact best response, which never lowers
    the win count; a start stops when a full round gains nothing.

    Parameters
    ----------
    h, n : int
        Stack height and number of players (``n h <= 30``).
    n_starts : int
        Random starts (uniform index tables from ``numpy.random.default_rng(seed)``).
    max_iter : int
        Rounds per start.
    start : array_like, optional
        A profile of shape ``(n, 2^((n-1)h))`` used as the first start.

    Returns
    -------
    (ndarray, int, int, bool)
        The best profile (shape ``(n, 2^((n-1)h))``), its winning configurations, the rounds
        used by all starts, and whether every start reached a round without gain.
    """
    h, n = _check_h(h, n)
    n_starts = check_int(n_starts, "n_starts", lo=1, hi=10**6)
    max_iter = check_int(max_iter, "max_iter", lo=1, hi=10**6)
    rng = np.random.default_rng(_seed(seed))
    best, best_c, rounds, converged = None, -1, 0, True
    for s in range(n_starts):
        S = (_as_profile(start)[0].copy() if (s == 0 and start is not None)
             else _random_profile(rng, n, h))
        if S.shape != (n, 1 << ((n - 1) * h)):
            raise ValueError(f"`start` must have shape {(n, 1 << ((n - 1) * h))}")
        c = win_count(S)[0]
        done = False
        for _ in range(max_iter):
            rounds += 1
            prev = c
            for i in range(n):
                if n == 2:
                    S[i], c = levine_best_response(S[1 - i])
                else:
                    S[i], c = levine_best_response(S, player=i)
            if c <= prev:
                done = True
                break
        converged &= done
        if c > best_c:
            best, best_c = S.copy(), c
    return best, best_c, rounds, converged


def brute_force_value(h):
    """``V_{2,h}`` exactly for ``h <= 3``: every strategy ``f`` of player 1 (``h^(2^h)`` of
    them) against player 2's exact best response.

    Returns
    -------
    (Fraction, ndarray)
        The optimum and an optimal profile (shape ``(2, 2^h)``).
    """
    h = check_int(h, "h", lo=1, hi=3)
    N = 1 << h
    best, arg = -1, None
    for code in range(h ** N):
        f = np.array([(code // h ** j) % h for j in range(N)], dtype=np.int64)
        g, c = levine_best_response(f)
        if c > best:
            best, arg = c, np.stack([f, g])
    return Fraction(best, 1 << (2 * h)), arg


def first_black_strategy(h):
    """Name the position of the first black hat on the other's stack (the last hat when there
    is none): the classic baseline, whose win probability tends to 1/3 (checked numerically
    here: ``7/20 - V_h -> 1/60``)."""
    h, _ = _check_h(h)
    s = np.full(1 << h, h - 1, dtype=np.int64)
    for x in range(1, 1 << h):
        s[x] = (x & -x).bit_length() - 1
    return s


# -- recursive block strategies ----------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class BlockStrategy:
    """A recursive block strategy pair: ``phi_a[x]`` is what player 1 does on player 2's block
    ``x`` (an index ``0..k-1`` of its own block, or ``k`` = pass to the next block), ``phi_b``
    likewise for player 2 on player 1's block."""

    k: int
    phi_a: tuple
    phi_b: tuple
    name: str = ""

    def __post_init__(self):
        k = check_int(self.k, "k", lo=1, hi=10)
        object.__setattr__(self, "k", k)
        if not isinstance(self.name, str):
            raise TypeError(f"`name` must be a string, got {type(self.name).__name__}")
        for nm in ("phi_a", "phi_b"):
            arr = _int_array(getattr(self, nm), f"`{nm}`")
            if arr.shape != (1 << k,) or arr.min() < 0 or arr.max() > k:
                raise ValueError(f"`{nm}` must have 2^k = {1 << k} entries in 0..k (k = pass), "
                                 f"got shape {arr.shape}")
            object.__setattr__(self, nm, tuple(int(v) for v in arr))

    @property
    def arrays(self):
        return np.array(self.phi_a, dtype=np.int64), np.array(self.phi_b, dtype=np.int64)

    @property
    def pass_count(self):
        """``P``: block configurations where both pass."""
        return _block_counts(*self.arrays, self.k)[1]

    @property
    def value(self) -> Fraction:
        """The infinite-stack win probability (:func:`block_value`)."""
        return block_value(self)

    @property
    def rate(self) -> float:
        """Per-hat ratio of the truncation gap, ``(P / 4^k)^(1/k)``."""
        return (self.pass_count / 4.0 ** self.k) ** (1.0 / self.k)


def block_value(bs: BlockStrategy) -> Fraction:
    """Infinite-stack value ``(W + H/2) / (N^2 - P)`` of a recursive block strategy, exact."""
    num, P = _block_counts(*bs.arrays, bs.k)
    N2 = 1 << (2 * bs.k)
    if P == N2:
        return Fraction(0)
    return Fraction(int(num), 2 * (N2 - int(P)))


def block_best_response(phi_other, k, V):
    """Best block response (maximizing ``W + H/2 + P V``) to the other's block strategy."""
    k = check_int(k, "k", lo=1, hi=10)
    phi = _int_array(phi_other, "`phi_other`")
    if phi.shape != (1 << k,) or phi.min() < 0 or phi.max() > k:
        raise ValueError(f"`phi_other` must have 2^k = {1 << k} entries in 0..k (k = pass), got "
                         f"shape {phi.shape}")
    V = check_scalar(V, "V", lo=0.0, hi=1.0)
    out = np.zeros((1 << k, k + 1))
    _block_scores(phi, k, V, out)
    return out.argmax(axis=1).astype(np.int64)


def search_block_strategy(k, *, n_starts=200, seed=0, target=None, max_iter=100):
    """Dinkelbach-style alternating block best responses from random starts.

    At the current value ``V`` each player best-responds for ``W + H/2 + P V``; ``V`` is then
    the pair's fixed-point value.  With ``target`` the search runs at ``V = target`` throughout
    and returns the first pair whose value reaches it.

    Returns
    -------
    BlockStrategy
        The best pair found.
    """
    k = check_int(k, "k", lo=1, hi=8)
    rng = np.random.default_rng(_seed(seed))
    n_starts = check_int(n_starts, "n_starts", lo=1, hi=10**7)
    max_iter = check_int(max_iter, "max_iter", lo=1, hi=10**6)
    if target is not None:
        target = check_scalar(target, "target", lo=0.0, hi=1.0)
    N = 1 << k
    best, best_v = None, Fraction(-1)
    for _ in range(n_starts):
        a = rng.integers(0, k + 1, N).astype(np.int64)
        b = rng.integers(0, k + 1, N).astype(np.int64)
        v = block_value(BlockStrategy(k, a, b))
        for _ in range(max_iter):
            V = float(target) if target is not None else float(v)
            a = block_best_response(b, k, V)
            b = block_best_response(a, k, V)
            v2 = block_value(BlockStrategy(k, a, b))
            if v2 <= v:
                v = max(v, v2)
                break
            v = v2
        if v > best_v:
            best, best_v = BlockStrategy(k, a, b), v
            if target is not None and v >= target:
                break
    return best


def recursive_strategy(bs: BlockStrategy, h, player=0):
    """The height-``h`` truncation of a block strategy: read the other's stack in
    ``m = (h-1) // k`` blocks; in the first block where the block strategy names a hat, name
    it; if every block passes, name hat ``m k`` (looked at by no one's strategy).

    Its win probability is ``V - q^m (V - 1/4)`` with ``q = P / 4^k`` (:func:`recursive_value`).
    """
    if not isinstance(bs, BlockStrategy):
        raise TypeError(f"`bs` must be a BlockStrategy, got {type(bs).__name__}")
    h, _ = _check_h(h)
    if h < bs.k + 1:
        raise ValueError(f"`h` must be at least k + 1 = {bs.k + 1}, got {h}")
    player = check_int(player, "player", lo=0, hi=1)
    phi = bs.phi_a if player == 0 else bs.phi_b
    k = bs.k
    m = (h - 1) // k
    mask = (1 << k) - 1
    s = np.full(1 << h, m * k, dtype=np.int64)
    for x in range(1 << h):
        for t in range(m):
            act = phi[(x >> (t * k)) & mask]
            if act < k:
                s[x] = t * k + act
                break
    return s


def recursive_value(bs: BlockStrategy, h) -> Fraction:
    """Win probability of the height-``h`` truncation, from the block recursion (exact):
    ``V - q^m (V - 1/4)``, ``q = P/4^k``, ``m = (h-1)//k`` (checked against enumeration by
    the tests and ``theory.levine_recursive_truncation``)."""
    if not isinstance(bs, BlockStrategy):
        raise TypeError(f"`bs` must be a BlockStrategy, got {type(bs).__name__}")
    V = block_value(bs)
    q = Fraction(bs.pass_count, 1 << (2 * bs.k))
    m = (check_int(h, "h", lo=bs.k + 1, hi=10**6) - 1) // bs.k
    return V - q ** m * (V - Fraction(1, 4))


#: block size 3, value 7/20, pass sets of two blocks each (P = 4 of 64): found here by
#: ``search_block_strategy(3, n_starts=200, seed=0)``; it attains the 7/20 of Buhler et al.
#: (whether its table is the one of their S3 could not be checked: their text was not readable)
S3 = BlockStrategy(3, (3, 1, 2, 1, 0, 0, 2, 3), (3, 2, 0, 0, 1, 2, 1, 3), name="S3")
#: block size 5, value 7/20, P = 4 of 1024: found by ``search_block_strategy(5, n_starts=3000,
#: seed=0, target=Fraction(7, 20))``
S5 = BlockStrategy(5, (5, 4, 0, 0, 1, 1, 1, 1, 3, 3, 0, 0, 3, 3, 2, 2, 0, 4, 0, 0, 1, 1, 1, 1,
                       3, 3, 0, 0, 3, 3, 0, 5),
                   (5, 1, 2, 1, 1, 1, 2, 1, 3, 3, 2, 4, 3, 3, 2, 1, 0, 1, 2, 1, 0, 1, 2, 1,
                    3, 3, 2, 4, 3, 3, 2, 5), name="S5")


# -- the continuous version --------------------------------------------------------------------

def continuous_win_probability(n, M=64):
    """Win probability of the "sum" strategy of the continuous game, exact on the grid
    ``Z_M^n`` (``M`` even): each player names the event ``sum_i x_i mod 1 < 1/2`` of its own
    point; the team wins iff that event holds.  Equals 1/2 for every ``n`` and even ``M``."""
    n = check_int(n, "n", lo=2, hi=12)
    M = check_int(M, "M", lo=2, hi=4096)
    if M % 2 or M ** n > 2 ** 24:
        raise ValueError("M must be even with M^n <= 2^24")
    grids = np.indices((M,) * n).reshape(n, -1)  # every grid point, enumerated
    wins = int(np.count_nonzero((grids.sum(axis=0) % M) < M // 2))
    return Fraction(wins, M ** n)


def continuous_section_measures(n, M=16):
    """For every player ``i`` and every view of the others (on ``Z_M``), the measure of the
    event the player names (must be 1/2: a legal "hat" of the continuous stack).  Returns
    the array of measures, one per (player, view)."""
    n = check_int(n, "n", lo=2, hi=12)
    M = check_int(M, "M", lo=2, hi=4096)
    if M % 2 or M ** n > 2 ** 22:
        raise ValueError("M must be even with M^n <= 2^22")
    grids = np.indices((M,) * n).reshape(n, -1)
    win = (grids.sum(axis=0) % M) < M // 2
    out = []
    for i in range(n):
        others = np.delete(grids, i, axis=0)
        key = np.ravel_multi_index(tuple(others), (M,) * (n - 1))
        out.append(np.bincount(key, weights=win, minlength=M ** (n - 1)) / M)
    return np.concatenate(out)


# -- the result --------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class LevineResult(Result):
    """A value of the Levine game at height ``h`` and the strategies reaching it.

    Attributes
    ----------
    value : float
        The win probability of ``strategies`` at height ``h`` (exact enumeration).
    exact : Fraction
        The same, as a fraction ``wins / 2^(n h)``.
    strategies : ndarray
        The profile, shape ``(n, 2^((n-1)h))``.
    h, n : int
        Stack height and players.
    method : str
        How the strategies were found.
    limit : Fraction or None
        The infinite-stack value of the construction (7/20 for S3/S5, 1/3 for first-black);
        ``None`` for searches.
    optimal : bool
        Whether ``value`` is certified to be ``V_{n,h}`` (brute force only).
    """

    value: float
    exact: Fraction
    strategies: np.ndarray
    h: int
    n: int
    method: str
    limit: Fraction | None = None
    optimal: bool = False

    @property
    def gap(self):
        """``limit - value`` (None without a limit)."""
        return None if self.limit is None else float(self.limit - self.exact)


def levine_value(h, method="best_response", *, n=2, n_starts=16, seed=0, max_iter=200):
    """The win probability at stack height ``h`` by one method, with the strategies.

    Parameters
    ----------
    h : int
        Stack height.
    method : {"best_response", "brute", "s3", "s5", "first_black"}
        ``"best_response"``: alternating best response from ``n_starts`` random starts (any
        ``n``); ``"brute"``: the exact optimum ``V_{2,h}`` (``n = 2``, ``h <= 3``; ``h = 1``
        any ``n``: ``2^-n``); ``"s3"``/``"s5"``: the height-``h`` truncations of the recursive
        block strategies (``n = 2``); ``"first_black"``: each names the first black hat it
        sees (``n = 2``).
    n : int
        Players.
    n_starts : int
        Random starts of ``"best_response"``.
    seed : int
        Seed of those starts (``numpy.random.default_rng``).
    max_iter : int
        Rounds per start of ``"best_response"``.

    Returns
    -------
    LevineResult
    """
    method = check_option(method, "method", _METHODS)
    h, n = _check_h(h, n)
    seed = _seed(seed)
    limit, optimal, success, n_iter = None, False, True, 1
    if method == "best_response":
        S, c, n_iter, success = alternating_best_response(h, n=n, n_starts=n_starts, seed=seed,
                                                          max_iter=max_iter)
    elif method == "brute":
        if h == 1:
            S = np.zeros((n, 1 << (n - 1)), dtype=np.int64)
        elif n == 2:
            S = brute_force_value(h)[1]
        else:
            raise ValueError(f"method='brute' needs n = 2 and h <= 3, or h = 1 (got n={n}, "
                             f"h={h})")
        optimal = True
    else:
        if n != 2:
            raise ValueError(f"method={method!r} is a two-player strategy (got n={n})")
        if method == "first_black":
            s = first_black_strategy(h)
            S, limit = np.stack([s, s]), Fraction(1, 3)
        else:
            bs = S3 if method == "s3" else S5
            S = np.stack([recursive_strategy(bs, h, 0), recursive_strategy(bs, h, 1)])
            limit = block_value(bs)
    c, bits = win_count(S)
    exact = Fraction(c, 1 << bits)
    return finish(LevineResult, success=success, status=Status.SUCCESS if success
                  else Status.MAX_ITER, n_iter=n_iter, value=float(exact), exact=exact,
                  strategies=S, h=h, n=n, method=method, limit=limit, optimal=optimal)


# -- figure ------------------------------------------------------------------------------------

def plot_levine_values(hs=tuple(range(2, 11)), *, n_starts=16, seed=0, ax=None):
    """Gap ``7/20 - V`` against ``h`` (log scale) for S3, S5 (block recursion; hollow markers:
    exact enumeration, ``h <= 11``), first-black, the best-response search (``h <= 9``) and
    the exact optimum (``h <= 3``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from equilibria._lib.figures import figure_axes

    fig, ax, _ = figure_axes(ax)
    hs = [int(h) for h in hs]
    target = float(SEVEN_TWENTIETHS)
    br = [levine_value(h, "best_response", n_starts=n_starts, seed=seed).value
          for h in hs if h <= 9]
    ax.semilogy([h for h in hs if h <= 9], [target - v for v in br], "o-",
                label="alternating best response")
    exact = [h for h in hs if h <= 3]
    if exact:
        ax.semilogy(exact, [target - float(brute_force_value(h)[0]) for h in exact], "D",
                    mfc="none", ms=12, color="C0", label="exact optimum V_{2,h} (brute force)")
    for bs, marker in ((S3, "s"), (S5, "^")):
        if bs is None:
            continue
        xs = [h for h in hs if h >= bs.k + 1]
        vals = [float(recursive_value(bs, h)) for h in xs]
        ax.semilogy(xs, [target - v for v in vals], marker + "-",
                    label=f"{bs.name} (rate {bs.rate:.3f}/hat)")
        enum = [h for h in xs if h <= 11]
        ax.semilogy(enum, [target - levine_value(h, bs.name.lower()).value for h in enum],
                    "k" + marker, mfc="none", ms=10)
    fb = [target - float(win_probability(first_black_strategy(h), first_black_strategy(h),
                                         exact=True)) for h in hs if h <= 11]
    ax.semilogy([h for h in hs if h <= 11], fb, "x--", label="first black (limit 1/3)")
    ax.set_xlabel("stack height h")
    ax.set_ylabel("7/20 - win probability")
    ax.set_title("Levine hat game, two players (hollow: exact enumeration)")
    ax.legend()
    return fig
