r"""The n-firm linear Cournot market: equilibrium, collusion, deviation, repeated-game thresholds.

Market: ``n`` firms choose quantities :math:`q_i \ge 0`; the price is linear in the total,
:math:`P(Q) = \max(a - bQ, 0)` with :math:`Q = \sum_i q_i`, and each unit costs ``c``
(:math:`0 \le c < a`, :math:`b > 0`), so firm ``i`` earns :math:`\pi_i = (P(Q) - c)\,q_i`.
Writing :math:`s = a - c`:

- **Nash (Cournot) equilibrium** (Cournot 1838): :math:`q^N = s/(b(n+1))`,
  :math:`P^N = c + s/(n+1)`, :math:`\pi^N = s^2/(b(n+1)^2)`; unique (the best response
  :math:`BR(Q_{-i}) = \max((s - bQ_{-i})/(2b), 0)` is a contraction in the aggregate).
- **Joint-profit optimum (collusion / monopoly)**: total :math:`Q^M = s/(2b)`, shared
  equally :math:`q^M = s/(2bn)`, :math:`\pi^M = s^2/(4bn)`.
- **Best deviation from collusion** (the others at :math:`q^M`):
  :math:`q^D = s(n+1)/(4bn)`, :math:`\pi^D = s^2 (n+1)^2/(16 b n^2)`.
- **Grim trigger** (Friedman 1971): collusion, with reversion to Cournot-Nash forever after a
  deviation, is a subgame-perfect equilibrium of the repeated game with discount factor
  :math:`\delta` iff :math:`\delta \ge \delta^* = (\pi^D - \pi^M)/(\pi^D - \pi^N)`;
  :math:`\delta^* = 9/17` for the duopoly and :math:`\delta^* = (n+1)^2/(n^2 + 6n + 1)` in
  general.
- **Sanctions**: an authority fines each firm producing the collusive quantity ``sanction``
  ``s_f`` with detection probability ``p`` per period (the deviator, producing more, is not
  fined).  Then collusion is sustainable iff :math:`\delta \ge (\pi^D - \pi^M + p s_f)/
  (\pi^D - \pi^N)`, and it is deterred at every :math:`\delta < 1` iff
  :math:`p s_f \ge \pi^M - \pi^N`, the per-period collusion gain.
- **Best-response dynamics** (Theocharis 1960): simultaneous best responses
  :math:`q_{t+1} = BR(q_t)` are, while interior, the affine map
  :math:`q \mapsto s/(2b)\,\mathbf 1 - \tfrac12 (J - I) q` (``J`` all ones) with eigenvalue
  :math:`1/2` on the directions summing to zero and :math:`-(n-1)/2` on the symmetric one:
  they converge to :math:`q^N` for ``n = 2``, oscillate without converging
  for ``n = 3`` and diverge (until the constraint :math:`q \ge 0` binds) for ``n >= 4``.
- **Collusion index** (Calvano et al. 2020): :math:`\Delta = (\pi - \pi^N)/(\pi^M - \pi^N)`,
  0 at Nash and 1 at the joint optimum.

References
----------
.. [1] A. A. Cournot (1838), *Recherches sur les principes mathematiques de la theorie des
   richesses*, ch. 7.
.. [2] J. W. Friedman (1971), "A non-cooperative equilibrium for supergames", *Review of
   Economic Studies* 38(1), 1-12.
.. [3] R. D. Theocharis (1960), "On the stability of the Cournot solution on the oligopoly
   problem", *Review of Economic Studies* 27(2), 133-134.
.. [4] E. Calvano, G. Calzolari, V. Denicolo, S. Pastorello (2020), "Artificial intelligence,
   algorithmic pricing, and collusion", *American Economic Review* 110(10), 3267-3297.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from equilibria._lib.result import Result, Status, finish
from equilibria._lib.validation import as_float_array, check_int, check_scalar

__all__ = ["CournotGame", "CournotOutcome", "cournot_game", "cournot_nash", "cournot_collusive",
           "cournot_deviation", "collusion_index", "grim_trigger_threshold",
           "best_response_dynamics", "MAX_FIRMS"]

#: largest number of firms of a market
MAX_FIRMS = 10_000


@dataclasses.dataclass(frozen=True)
class CournotGame:
    """An n-firm linear Cournot market :math:`P(Q) = \\max(a - bQ, 0)`, unit cost ``c``.

    Build it with :func:`cournot_game` (which validates the parameters).

    Attributes
    ----------
    n : int
        Number of firms.
    a, b, c : float
        Demand intercept, demand slope and unit cost (``0 <= c < a``, ``b > 0``).
    """

    n: int
    a: float
    b: float
    c: float

    @property
    def margin(self) -> float:
        """``a - c``, the largest markup."""
        return self.a - self.c

    def profit_levels(self) -> tuple[float, float, float]:
        """Per-firm profits in closed form: Cournot-Nash :math:`(a-c)^2/(b(n+1)^2)`, collusive
        :math:`(a-c)^2/(4bn)` and the best deviation from collusion
        :math:`(a-c)^2(n+1)^2/(16bn^2)`, as ``(pi_N, pi_M, pi_D)``."""
        s2b, n = self.margin ** 2 / self.b, self.n
        return s2b / (n + 1) ** 2, s2b / (4.0 * n), s2b * (n + 1) ** 2 / (16.0 * n * n)

    @property
    def collusion_gain(self) -> float:
        """:math:`\\pi^M - \\pi^N`, the per-period gain from colluding (0 for one firm)."""
        pi_n, pi_m, _ = self.profit_levels()
        return pi_m - pi_n if self.n >= 2 else 0.0

    def price(self, q) -> float:
        """Market price at the quantity vector ``q``."""
        q = self._quantities(q)
        return max(self.a - self.b * float(q.sum()), 0.0)

    def profits(self, q) -> np.ndarray:
        """Per-firm profits :math:`(P(Q) - c) q_i` at ``q``."""
        q = self._quantities(q)
        return (self.price(q) - self.c) * q

    def best_response(self, q) -> np.ndarray:
        """Each firm's best response to the others' quantities in ``q``:
        :math:`\\max((a - c - bQ_{-i})/(2b), 0)`."""
        q = self._quantities(q)
        others = q.sum() - q
        return np.maximum((self.margin - self.b * others) / (2.0 * self.b), 0.0)

    def exploitability(self, q) -> float:
        """Largest gain of one firm from its best response to the others: 0 exactly at the
        Nash equilibrium (the certificate of :func:`cournot_nash`)."""
        q = self._quantities(q)
        br = self.best_response(q)
        gains = np.empty(self.n)
        for i in range(self.n):
            dev = q.copy()
            dev[i] = br[i]
            gains[i] = self.profits(dev)[i] - self.profits(q)[i]
        return float(max(gains.max(), 0.0))

    def _quantities(self, q, name: str = "q") -> np.ndarray:
        q = as_float_array(q, name, shape=(self.n,))
        if np.any(q < 0):
            raise ValueError(f"`{name}` must be non-negative quantities, got {q}")
        return q


def cournot_game(n, *, a=1.0, b=1.0, c=0.0) -> CournotGame:
    """The n-firm linear Cournot market (module docstring).

    Parameters
    ----------
    n : int
        Number of firms, ``1 <= n <= MAX_FIRMS``.
    a : float, default 1
        Demand intercept.
    b : float, default 1
        Demand slope, ``> 0``.
    c : float, default 0
        Unit cost, ``0 <= c < a``.

    Returns
    -------
    CournotGame

    Raises
    ------
    ValueError
        A parameter outside its range (the message names it and the value).
    TypeError
        A non-numeric parameter.

    Examples
    --------
    >>> g = cournot_game(2, a=10, b=1, c=1)
    >>> cournot_nash(g).quantities
    array([3., 3.])
    """
    n = check_int(n, "n", lo=1, hi=MAX_FIRMS)
    b = check_scalar(b, "b", lo=0.0, lo_inclusive=False)
    a = check_scalar(a, "a", lo=0.0, lo_inclusive=False)
    c = check_scalar(c, "c", lo=0.0)
    if not c < a:
        raise ValueError(f"`c` must be below `a` = {a:g} (a positive margin a - c), got "
                         f"`c` = {c:g}")
    return CournotGame(n=n, a=a, b=b, c=c)


@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class CournotOutcome(Result):
    """A market outcome: quantities, price, profits and the certificate that it is what it
    claims to be.

    Attributes
    ----------
    kind : str
        ``"nash"``, ``"collusive"`` or ``"deviation"``.
    quantities : ndarray (n,)
    total : float
    price : float
    profits : ndarray (n,)
    certificate : float
        ``"nash"``: the exploitability (largest one-firm best-response gain, 0 at the
        equilibrium); ``"collusive"``: the joint profit's derivative in the total quantity
        (0 at the optimum); ``"deviation"``: the deviator's best-response gain left (0).
    """

    kind: str
    quantities: np.ndarray
    total: float
    price: float
    profits: np.ndarray
    certificate: float


def _check_game(game) -> CournotGame:
    if not isinstance(game, CournotGame):
        raise TypeError(f"`game` must be a CournotGame (see cournot_game), got "
                        f"{type(game).__name__}")
    return game


def _outcome(game, kind, q, certificate, tol=1e-9) -> CournotOutcome:
    scale = game.margin ** 2 / game.b
    ok = bool(abs(certificate) <= tol * max(scale, 1.0))
    return finish(CournotOutcome, success=ok,
                  status=Status.SUCCESS if ok else Status.NUMERICAL, n_iter=0,
                  message=(f"{kind} outcome, certificate {certificate:.3g}" if ok else
                           f"{kind} outcome failed its certificate ({certificate:.3g})"),
                  kind=kind, quantities=q, total=float(q.sum()), price=game.price(q),
                  profits=game.profits(q), certificate=float(certificate))


def cournot_nash(game) -> CournotOutcome:
    r"""The Cournot-Nash equilibrium, :math:`q_i^N = (a - c)/(b(n+1))` for every firm.

    Certified: ``success`` only when no firm gains more than ``1e-9 (a-c)^2/b`` by its best
    response (:meth:`CournotGame.exploitability`).

    Parameters
    ----------
    game : CournotGame

    Returns
    -------
    CournotOutcome
        ``kind="nash"``; ``profits`` are :math:`(a-c)^2/(b(n+1)^2)` each.

    References
    ----------
    Cournot (1838), ch. 7; the module docstring.
    """
    game = _check_game(game)
    q = np.full(game.n, game.margin / (game.b * (game.n + 1)))
    return _outcome(game, "nash", q, game.exploitability(q))


def cournot_collusive(game) -> CournotOutcome:
    r"""The joint-profit optimum shared equally: total :math:`(a-c)/(2b)`,
    :math:`q_i^M = (a-c)/(2bn)`, profits :math:`(a-c)^2/(4bn)` each.

    Certified by the first-order condition of the joint profit :math:`(a - c - bQ)Q`:
    :math:`a - c - 2bQ = 0` at the returned total.

    Parameters
    ----------
    game : CournotGame

    Returns
    -------
    CournotOutcome
        ``kind="collusive"``.
    """
    game = _check_game(game)
    q = np.full(game.n, game.margin / (2.0 * game.b * game.n))
    return _outcome(game, "collusive", q, game.margin - 2.0 * game.b * float(q.sum()))


def cournot_deviation(game) -> CournotOutcome:
    r"""Firm 0's best deviation when the others produce the collusive quantity:
    :math:`q^D = (a-c)(n+1)/(4bn)`, :math:`\pi^D = (a-c)^2(n+1)^2/(16bn^2)`.

    Parameters
    ----------
    game : CournotGame

    Returns
    -------
    CournotOutcome
        ``kind="deviation"``; ``quantities[0]`` is the deviator's, ``profits[0]`` its
        profit :math:`\pi^D`; ``certificate`` the gain left for firm 0 (0).
    """
    game = _check_game(game)
    q = np.full(game.n, game.margin / (2.0 * game.b * game.n))
    q[0] = game.margin * (game.n + 1) / (4.0 * game.b * game.n)
    left = game.best_response(q)[0]
    dev = q.copy()
    dev[0] = left
    return _outcome(game, "deviation", q, game.profits(dev)[0] - game.profits(q)[0])


def collusion_index(profit, game) -> float | np.ndarray:
    r"""Calvano et al. (2020)'s collusion index :math:`\Delta = (\pi - \pi^N)/(\pi^M - \pi^N)`.

    Parameters
    ----------
    profit : float or array_like
        Per-firm profit(s) (e.g. the average profit of a run).
    game : CournotGame
        The market; its ``n >= 2`` (with one firm Nash is the monopoly and the index is
        undefined).

    Returns
    -------
    float or ndarray
        0 at the Cournot-Nash profit, 1 at the collusive profit; above 1 or below 0 is
        possible (a firm may earn more than collusion by deviating, less than Nash).

    Raises
    ------
    ValueError
        ``game.n == 1``.
    """
    game = _check_game(game)
    if game.n < 2:
        raise ValueError("`game` must have n >= 2 firms for the collusion index, got n = 1")
    pi_n, pi_m, _ = game.profit_levels()
    scalar = np.ndim(profit) == 0
    arr = as_float_array(np.atleast_1d(profit), "profit")
    out = (arr - pi_n) / (pi_m - pi_n)
    return float(out[0]) if scalar else out


def grim_trigger_threshold(game, *, sanction=0.0, detection=1.0) -> float:
    r"""Smallest discount factor at which grim-trigger collusion is subgame perfect.

    .. math::

        \delta^*(s_f, p) = \frac{\pi^D - \pi^M + p\,s_f}{\pi^D - \pi^N},

    with ``sanction`` :math:`s_f` the fine on each firm producing the collusive quantity in a
    period where the authority detects it (probability ``detection`` :math:`p`); without
    sanctions :math:`\delta^* = (n+1)^2/(n^2+6n+1)` (9/17 for ``n = 2``, Friedman 1971).
    Derivation (one-shot deviation principle): colluding forever is worth
    :math:`(\pi^M - p s_f)/(1-\delta)`, deviating once then Cournot-Nash forever
    :math:`\pi^D + \delta\pi^N/(1-\delta)`.  A value ``>= 1`` means collusion is deterred at
    every :math:`\delta < 1`: exactly when :math:`p\,s_f \ge \pi^M - \pi^N`.

    Parameters
    ----------
    game : CournotGame
        The market, ``n >= 2``.
    sanction : float, default 0
        Fine per detected collusive period, ``>= 0``.
    detection : float, default 1
        Detection probability in ``[0, 1]``.

    Returns
    -------
    float
        :math:`\delta^*` (may exceed 1).

    References
    ----------
    Friedman (1971); the module docstring.
    """
    game = _check_game(game)
    if game.n < 2:
        raise ValueError("`game` must have n >= 2 firms (one firm has nothing to collude on), "
                         "got n = 1")
    sanction = check_scalar(sanction, "sanction", lo=0.0)
    detection = check_scalar(detection, "detection", lo=0.0, hi=1.0)
    pi_n, pi_m, pi_d = game.profit_levels()
    return float((pi_d - pi_m + detection * sanction) / (pi_d - pi_n))


def best_response_dynamics(game, q0, steps: int = 100, *, simultaneous: bool = True):
    r"""Iterate best responses from ``q0``: all firms at once (``simultaneous=True``,
    Theocharis 1960) or one firm per step in turn (round robin).

    Parameters
    ----------
    game : CournotGame
    q0 : array_like, shape (n,)
        Non-negative starting quantities.
    steps : int, default 100
        Number of updates (each a full simultaneous step, or one firm's update).
    simultaneous : bool, default True

    Returns
    -------
    ndarray, shape (steps + 1, n)
        The quantities after each step (row 0 is ``q0``).

    Notes
    -----
    While every best response is interior, the simultaneous map is affine with eigenvalue
    :math:`1/2` on the directions summing to zero and :math:`-(n-1)/2` on the symmetric
    direction: spectral radius :math:`\max(1/2, (n-1)/2)`, below 1 only for ``n = 2``.
    """
    game = _check_game(game)
    q = game._quantities(q0, "q0")
    steps = check_int(steps, "steps", lo=0, hi=10**7)
    if not isinstance(simultaneous, (bool, np.bool_)):
        raise TypeError(f"`simultaneous` must be True or False, got {simultaneous!r}")
    out = np.empty((steps + 1, game.n))
    out[0] = q
    for t in range(steps):
        if simultaneous:
            q = game.best_response(q)
        else:
            i = t % game.n
            q = q.copy()
            q[i] = game.best_response(q)[i]
        out[t + 1] = q
    return out
