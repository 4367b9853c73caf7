r"""The multiplex human-AI coexistence model: this package's reconstruction.

Chakraborty (2026) [1] formalizes coexistence as a multiplex dynamical system over physical,
psychological and social layers with reciprocal supply-demand coupling, conflict penalties,
developmental freedom and governance regularization by a PSD matrix ``G``; its equations are not
public.  This module is **our reconstruction**, chosen so that the paper's stated results become
checkable theorems of a generalized Lotka-Volterra (GLV) system.

State
-----
For each layer ``l in (physical, psychological, social)`` the human-group levels
``h^l in R^{n_h}`` and AI-system levels ``a^l in R^{n_a}``, stacked layer by layer:
``x = (h^P, a^P, h^Psi, a^Psi, h^S, a^S)``, ``n = 3 (n_h + n_a)``, all ``>= 0``.

Dynamics (GLV core, eq. (1))
----------------------------
.. math::

    \dot x = x \odot \big(r(g) + A(g)\, x\big), \qquad
    A(g) = -S + B - C - d\,L + K - g\,G, \qquad
    r(g) = \big(r_h,\; \varphi\, r_a - \beta g\big)

- ``S = diag(s_h, s_a) > 0``: self-limitation (developmental capacity)                 (1a)
- ``B``: reciprocal supply-demand benefits, ``B[h_i, a_j] = gain_h w^l_ij``,
  ``B[a_j, h_i] = gain_a w^l_ij`` with ``w >= 0`` (the reciprocity weights)             (1b)
- ``C``: conflict penalties, ``C[h_i, a_j] = conflict_h c^l_ij``,
  ``C[a_j, h_i] = conflict_a c^l_ij`` (asymmetric between the sides)                  (1c)
- ``d L``: intra-layer diffusion through the layer Laplacians ``L^l`` (PSD, zero row sums) (1d)
- ``K``: inter-layer coupling of the same node across layers, ``K[(l,i),(m,i)] = k_lm >= 0`` (1e)
- ``g G``: governance regularization, ``G`` PSD; governance also burdens AI development rates
  by ``beta g`` (so excessive governance suppresses development); ``phi`` is developmental
  freedom scaling the AI rates.                                                        (1f)

Saturating variant (eq. (2)): with ``saturation = q > 0`` the benefits ``B`` act through a
Holling type II response, ``x \odot (r + (A - B) x + B (x / (1 + q x)))``; this variant can hold
several stable states (weak-benefit lock-in).

Indices (all in [0, 1]; eq. (3)), with per-node relative levels ``u_i = x_i / x_ref_i``:

- presence ``P_H = mean_h min(1, u)``, ``P_A = mean_a min(1, u)`` (AI: the development level);
- imbalance ``delta = |U_A - U_H| / (U_A + U_H)`` with ``U`` the mean relative levels;
  **domination** ``D = clip((delta - theta) / (1 - theta), 0, 1)`` with balance tolerance
  ``theta`` (default 0.2), dominant side the larger ``U``;
- **coexistence** ``2 P_H P_A / (P_H + P_A) * (1 - D)`` (harmonic presence, discounted by
  domination);
- **conflict burden** ``sum conflict flows / sum (conflict + benefit flows)`` with flows
  ``(conflict_h + conflict_a) c_ij h_i a_j`` and ``(gain_h + gain_a) w_ij h_i a_j`` (saturated
  in the Holling variant) plus the governance-mediated exchange
  ``2 g max(0, -G[h_i, a_j]) h_i a_j``;
- **development** ``P_A``.

Theorems that make the paper's statements checkable (see :mod:`equilibria.theory.stability`
and :mod:`.theorems`): Volterra stability of ``A(g)`` (an LMI certificate) gives a unique,
globally attracting saturated equilibrium (Goh; Takeuchi & Adachi); ``-A`` a P-matrix gives a
unique saturated equilibrium (LCP); the symmetric-part margin of ``A(g)`` is nondecreasing in
``g`` for PSD ``G`` (Weyl); with no conflict and ``G`` a Z-matrix, ``-A`` is an M-matrix and
``x* = -A^{-1} r`` is nondecreasing in every reciprocity weight.

Deviations: the paper's exact functional forms, index definitions and parameter values are
unknown; the reported numbers (e.g. coexistence 0.991) are reproduced qualitatively, not exactly.

References
----------
1. Chakraborty (2026), "A Co-Evolutionary Theory of Human-AI Coexistence: Mutualism,
   Governance, and Dynamics in Complex Societies" (abstract).
2. Y. Takeuchi, *Global Dynamical Properties of Lotka-Volterra Systems*, World Scientific 1996,
   Ch. 3.
3. C. S. Holling, "Some characteristics of simple types of predation and parasitism",
   Can. Entomol. 91 (1959) 385-398.
"""

from __future__ import annotations

import dataclasses
import functools
import numbers
from typing import Any

import numpy as np

from equilibria._lib.validation import (as_float_array, check_int, check_option, check_psd,
                                        check_scalar)

from .systems import LVSystem

__all__ = ["CoexistenceModel", "Indices", "LAYERS", "PRESETS", "OUTCOME_CLASSES",
           "classify"]

LAYERS = ("physical", "psychological", "social")
#: values of :attr:`Indices.dominant`
DOMINANT_SIDES = ("AI", "humans", "none")
#: largest ``n_h + n_a`` accepted: the state has ``n = 3 (n_h + n_a)`` coordinates and the
#: model holds several dense ``n x n`` matrices (``G``, ``A``, ``B``), so this keeps each
#: below ~72 MB
MAX_NODES = 1000
PRESETS = ("governed", "ungoverned", "overgoverned", "lock_in")
#: outcome classes of an attractor, in plotting order
OUTCOME_CLASSES = ("coexistence", "weak coexistence", "AI domination", "human domination",
                   "suppressed development", "collapse", "oscillation", "heteroclinic cycling",
                   "not converged", "diverged")


@dataclasses.dataclass(frozen=True)
class Indices:
    """Indices of a state (all in [0, 1]; see :mod:`equilibria.odes.model`, eq. (3)).

    Attributes
    ----------
    coexistence : float
        Coexistence index ``2 P_H P_A / (P_H + P_A) * (1 - D)`` (harmonic presence discounted
        by domination), in [0, 1].
    domination : float
        Domination ``D = clip((delta - theta) / (1 - theta), 0, 1)``, in [0, 1].
    dominant : str
        Dominant side: ``"AI"`` or ``"humans"`` (the larger mean relative level), ``"none"``
        when ``D = 0``.
    conflict : float
        Conflict burden: conflict flows over conflict plus benefit flows, in [0, 1].
    development : float
        AI development ``P_A = mean_a min(1, u)``, in [0, 1].
    human_level : float
        Human presence ``P_H = mean_h min(1, u)``, in [0, 1].
    """

    coexistence: float
    domination: float
    dominant: str
    conflict: float
    development: float
    human_level: float

    def __post_init__(self):
        for f in ("coexistence", "domination", "conflict", "development", "human_level"):
            object.__setattr__(self, f, check_scalar(getattr(self, f), f, lo=0, hi=1))
        if not isinstance(self.dominant, str):
            raise TypeError(f"`dominant` must be a str, got {type(self.dominant).__name__}")
        check_option(self.dominant, "dominant", DOMINANT_SIDES)

    def asdict(self) -> dict:
        return dataclasses.asdict(self)


def classify(ix: Indices) -> str:
    """Outcome class of a state from its indices.

    ``collapse`` (both presences < 0.1), ``suppressed development`` (AI development < 0.5),
    ``AI domination`` / ``human domination`` (domination >= 0.3), ``coexistence``
    (coexistence >= 0.8), else ``weak coexistence``.

    Parameters
    ----------
    ix : Indices
        Indices of the state (e.g. from :meth:`CoexistenceModel.indices`).

    Returns
    -------
    str
        One of ``"collapse"``, ``"suppressed development"``, ``"AI domination"``,
        ``"human domination"``, ``"coexistence"``, ``"weak coexistence"`` (the rules above are
        applied in this order; see :data:`OUTCOME_CLASSES`).
    """
    if not isinstance(ix, Indices):
        raise TypeError(f"`ix` must be an Indices, got {type(ix).__name__}")
    if ix.development < 0.1 and ix.human_level < 0.1:
        return "collapse"
    if ix.development < 0.5:
        return "suppressed development"
    if ix.domination >= 0.3:
        return "AI domination" if ix.dominant == "AI" else "human domination"
    if ix.coexistence >= 0.8:
        return "coexistence"
    return "weak coexistence"


def _layer_arr(v, name, shape):
    """``v`` (a scalar or an array of ``shape``) validated and broadcast to ``shape``."""
    arr = as_float_array(v, name)
    if isinstance(v, (numbers.Real, np.ndarray)) and np.ndim(v) == 0:  # a scalar: broadcast
        return np.full(shape, float(arr.reshape(-1)[0]))
    return as_float_array(arr, name, shape=shape, copy=True)


@dataclasses.dataclass(frozen=True)
class CoexistenceModel:
    """Multiplex human-AI coexistence model (reconstruction; see the module docstring).

    Parameters
    ----------
    n_h, n_a : int
        Human groups and AI systems per layer, ``n_h + n_a <= 1000`` (:data:`MAX_NODES`).
    r_h : array (3, n_h) or scalar
        Human intrinsic rates.
    r_a : array (3, n_a) or scalar
        AI developmental base rates (scaled by ``freedom``).
    s_h, s_a : array or scalar, > 0
        Self-limitation.
    w : array (3, n_h, n_a) or scalar, >= 0
        Reciprocity weights ``w^l_ij``.
    gain_h, gain_a : float >= 0
        How much humans / AI gain per unit reciprocity.
    c : array (3, n_h, n_a) or scalar, >= 0
        Conflict intensities; ``conflict_h``, ``conflict_a`` >= 0 the penalties on each side.
    L : array (3, m, m), optional, m = n_h + n_a
        Layer Laplacians (PSD, zero row sums); default the complete graph's Laplacian.
    diffusion : float >= 0
    inter_layer : array (3, 3) or scalar, >= 0
        Inter-layer coupling ``k_lm`` (diagonal ignored).
    G : array (n, n), optional
        Governance matrix, PSD; default: identity on AI coordinates, plus the inter-layer
        Laplacian of each AI system, plus ``mediation`` times the Laplacian of the complete
        bipartite human-AI graph of each layer (governance penalizes the imbalance
        ``(h_i - a_j)^2`` and so adds cooperative coupling ``g * mediation`` between the
        sides).
    g : float >= 0
        Governance strength.
    burden : float >= 0
        Governance burden ``beta`` on AI rates.
    freedom : float >= 0
        Developmental freedom ``phi``.
    saturation : float >= 0
        Holling type II handling time of the benefits (0: pure GLV).
    mediation : float >= 0
        Weight of the human-AI mediation block of the default ``G`` (ignored when ``G`` is
        given).
    x_ref : array (n,) or scalar, > 0
        Reference ("developed") levels for the indices.
    balance_tol : float in [0, 1)
        Imbalance tolerated before domination counts.
    """

    n_h: int = 1
    n_a: int = 1
    r_h: Any = 1.0
    r_a: Any = 1.0
    s_h: Any = 1.0
    s_a: Any = 1.0
    w: Any = 1.0
    gain_h: float = 0.3
    gain_a: float = 0.3
    c: Any = 1.0
    conflict_h: float = 0.3
    conflict_a: float = 0.05
    L: Any = None
    diffusion: float = 0.0
    inter_layer: Any = 0.0
    G: Any = None
    g: float = 0.0
    burden: float = 0.0
    freedom: float = 1.0
    saturation: float = 0.0
    mediation: float = 0.0
    x_ref: Any = 1.0
    balance_tol: float = 0.2

    def __post_init__(self):
        nh = check_int(self.n_h, "n_h", lo=1, hi=MAX_NODES)
        na = check_int(self.n_a, "n_a", lo=1, hi=MAX_NODES)
        if nh + na > MAX_NODES:
            raise ValueError(f"`n_h` + `n_a` must be <= {MAX_NODES} (dense n x n matrices with "
                             f"n = 3 (n_h + n_a)), got n_h={nh}, n_a={na}")
        set_ = functools.partial(object.__setattr__, self)
        set_("n_h", nh)
        set_("n_a", na)
        m = nh + na
        n = 3 * m
        set_("r_h", _layer_arr(self.r_h, "r_h", (3, nh)))
        set_("r_a", _layer_arr(self.r_a, "r_a", (3, na)))
        set_("s_h", _layer_arr(self.s_h, "s_h", (3, nh)))
        set_("s_a", _layer_arr(self.s_a, "s_a", (3, na)))
        for nm in ("s_h", "s_a"):
            if np.any(getattr(self, nm) <= 0):
                raise ValueError(f"`{nm}` (self-limitation) must be positive")
        set_("w", _layer_arr(self.w, "w", (3, nh, na)))
        set_("c", _layer_arr(self.c, "c", (3, nh, na)))
        for nm in ("w", "c"):
            if np.any(getattr(self, nm) < 0):
                raise ValueError(f"`{nm}` must be non-negative, found minimum "
                                 f"{getattr(self, nm).min():.3g}")
        for nm in ("gain_h", "gain_a", "conflict_h", "conflict_a", "diffusion", "g", "burden",
                   "freedom", "saturation", "mediation"):
            set_(nm, check_scalar(getattr(self, nm), nm, lo=0))
        set_("balance_tol", check_scalar(self.balance_tol, "balance_tol", lo=0, hi=1,
                                         hi_inclusive=False))
        if self.L is None:
            Lc = m * np.eye(m) - np.ones((m, m))
            L = np.stack([Lc] * 3)
        else:
            L = as_float_array(self.L, "L", shape=(3, m, m), copy=True)
            for l in range(3):
                check_psd(L[l], "L")
                if np.any(np.abs(L[l].sum(axis=1)) > 1e-9 * max(1.0, np.abs(L[l]).max())):
                    raise ValueError("`L` must be Laplacians: rows must sum to zero")
        set_("L", L)
        K = _layer_arr(self.inter_layer, "inter_layer", (3, 3))
        if np.any(K < 0):
            raise ValueError("`inter_layer` must be non-negative")
        set_("inter_layer", K)
        if self.G is None:
            G = np.zeros((n, n))
            ai = self.ai_index
            G[ai, ai] = 1.0
            for j in range(na):  # Laplacian coupling each AI system across layers (PSD)
                idx = [l * m + nh + j for l in range(3)]
                G[np.ix_(idx, idx)] += 0.5 * (3 * np.eye(3) - np.ones((3, 3)))
            for l in range(3):  # mediation: Laplacian of the human-AI accountability graph
                for i in range(nh):
                    for j in range(na):
                        hi, aj = l * m + i, l * m + nh + j
                        G[hi, hi] += self.mediation
                        G[aj, aj] += self.mediation
                        G[hi, aj] -= self.mediation
                        G[aj, hi] -= self.mediation
        else:
            G = check_psd(as_float_array(self.G, "G", shape=(n, n), copy=True), "G")
        set_("G", G)
        xr = _layer_arr(self.x_ref, "x_ref", (n,))
        set_("x_ref", as_float_array(xr, "x_ref", shape=(n,), positive=True))

    # ------------------------------------------------------------------ structure
    @property
    def m(self) -> int:
        return self.n_h + self.n_a

    @property
    def n(self) -> int:
        return 3 * self.m

    @property
    def human_index(self) -> np.ndarray:
        """State indices of all human groups (all layers)."""
        return np.array([l * self.m + i for l in range(3) for i in range(self.n_h)])

    @property
    def ai_index(self) -> np.ndarray:
        """State indices of all AI systems (all layers)."""
        return np.array([l * self.m + self.n_h + j for l in range(3) for j in range(self.n_a)])

    @property
    def names(self) -> tuple:
        out = []
        for _l, lay in enumerate(LAYERS):
            out += [f"h{i}[{lay}]" for i in range(self.n_h)]
            out += [f"a{j}[{lay}]" for j in range(self.n_a)]
        return tuple(out)

    # ------------------------------------------------------------------ assembly
    def _benefit(self) -> np.ndarray:
        n, m, nh = self.n, self.m, self.n_h
        B = np.zeros((n, n))
        for l in range(3):
            h = l * m + np.arange(nh)
            a = l * m + nh + np.arange(self.n_a)
            B[np.ix_(h, a)] += self.gain_h * self.w[l]  # (1b)
            B[np.ix_(a, h)] += self.gain_a * self.w[l].T
        return B

    @functools.cached_property
    def interaction(self) -> np.ndarray:
        """``A(g)`` of eq. (1) including the benefits ``B`` (their linearization at 0)."""
        n, m, nh = self.n, self.m, self.n_h
        A = np.zeros((n, n))
        for l in range(3):
            h = l * m + np.arange(nh)
            a = l * m + nh + np.arange(self.n_a)
            A[h, h] -= self.s_h[l]  # (1a)
            A[a, a] -= self.s_a[l]
            A[np.ix_(h, a)] -= self.conflict_h * self.c[l]  # (1c)
            A[np.ix_(a, h)] -= self.conflict_a * self.c[l].T
            blk = l * m + np.arange(m)
            A[np.ix_(blk, blk)] -= self.diffusion * self.L[l]  # (1d)
        for l in range(3):  # (1e)
            for k in range(3):
                if k != l and self.inter_layer[l, k] != 0:
                    for i in range(m):
                        A[l * m + i, k * m + i] += self.inter_layer[l, k]
        A -= self.g * self.G  # (1f)
        return A + self._benefit()

    @functools.cached_property
    def rates(self) -> np.ndarray:
        """``r(g)``: human rates and ``phi r_a - beta g`` (eq. (1f))."""
        r = np.empty(self.n)
        for l in range(3):
            r[l * self.m:l * self.m + self.n_h] = self.r_h[l]
            r[l * self.m + self.n_h:(l + 1) * self.m] = self.freedom * self.r_a[l] - \
                self.burden * self.g
        return r

    @functools.cached_property
    def system(self) -> LVSystem:
        """The model as an :class:`LVSystem` (GLV, or Holling II when ``saturation > 0``)."""
        if self.saturation > 0:
            B = self._benefit()
            return LVSystem(r=self.rates, A=self.interaction - B, kind="holling", M=B,
                            q=np.full(self.n, self.saturation), names=self.names)
        return LVSystem(r=self.rates, A=self.interaction, names=self.names)

    @property
    def is_glv(self) -> bool:
        return self.saturation == 0

    # ------------------------------------------------------------------ constructors
    @classmethod
    def preset(cls, name: str, **overrides) -> CoexistenceModel:
        """One of the documented regimes: ``governed``, ``ungoverned``, ``overgoverned``,
        ``lock_in``.

        The three GLV presets share every parameter except the governance strength ``g``
        (0, 1, 4); their outcomes (checked by ``odes.presets_reach_regimes``):

        - ``governed`` (g=1): ``A(g)`` is Volterra stable (LMI certificate), so the interior
          equilibrium is unique and globally stable; coexistence >= 0.95, domination 0.
        - ``ungoverned`` (g=0): a unique globally attracting AI-dominated state (domination
          >= 0.3 on the whole interior).
        - ``overgoverned`` (g=4): AI development suppressed (``phi r_a - beta g`` small,
          strong self-regularization), coexistence <= 0.5.
        - ``lock_in``: Holling II benefits and AI that needs human demand to develop
          (``phi r_a < 0``): a stable human-only state (coexistence 0) and a stable
          high-coexistence state, separated by a saddle.
        """
        check_option(name, "name", PRESETS)
        base: dict[str, Any] = dict(n_h=1, n_a=1, r_h=1.0, r_a=1.0, s_h=1.0, s_a=0.6, w=1.0, gain_h=0.3,
                    gain_a=0.25, c=1.0, conflict_h=0.3, conflict_a=0.05, diffusion=0.02,
                    inter_layer=0.02, burden=0.3, freedom=1.8, mediation=0.25)
        if name == "governed":
            base.update(g=1.0)
        elif name == "ungoverned":
            base.update(g=0.0)
        elif name == "overgoverned":
            base.update(g=4.0)
        else:
            base = dict(n_h=1, n_a=1, r_h=0.2, r_a=-1.0, s_h=1.0, s_a=1.0, w=1.0, gain_h=1.6,
                        gain_a=4.0, c=0.0, conflict_h=0.0, conflict_a=0.0, diffusion=0.0,
                        inter_layer=0.05, burden=0.0, freedom=1.0, g=0.0, saturation=1.0)
        base.update(overrides)
        return cls(**base)

    def replace(self, **changes) -> CoexistenceModel:
        """A copy with some parameters changed (re-validated).

        Besides the fields, accepts the derived parameters ``reciprocity`` (scales ``w``) and
        ``conflict_asymmetry`` ``alpha in [-1, 1]`` (``conflict_h = cbar (1 + alpha)``,
        ``conflict_a = cbar (1 - alpha)`` with ``cbar`` the current mean penalty).
        """
        changes = dict(changes)
        if "reciprocity" in changes:
            changes["w"] = np.asarray(self.w) * check_scalar(changes.pop("reciprocity"),
                                                             "reciprocity", lo=0)
        if "conflict_asymmetry" in changes:
            al = check_scalar(changes.pop("conflict_asymmetry"), "conflict_asymmetry", lo=-1,
                              hi=1)
            cbar = 0.5 * (self.conflict_h + self.conflict_a)
            changes["conflict_h"] = cbar * (1 + al)
            changes["conflict_a"] = cbar * (1 - al)
        fields = {f.name for f in dataclasses.fields(self)}
        bad = set(changes) - fields
        if bad:
            raise ValueError(f"unknown parameter(s) {sorted(bad)}; valid: {sorted(fields)} "
                             "and 'reciprocity', 'conflict_asymmetry'")
        kw = {f: getattr(self, f) for f in fields}
        kw.update(changes)
        return CoexistenceModel(**kw)

    # ------------------------------------------------------------------ analysis
    def check_state(self, x, name: str = "x0", *, ndim=1) -> np.ndarray:
        return self.system.check_state(x, name, ndim=ndim)

    def field(self, x) -> np.ndarray:
        return self.system.field(x)

    def jacobian(self, x) -> np.ndarray:
        return self.system.jacobian(x)

    def to_ode(self):
        """The model as an :class:`equilibria.odes.ODE` (see :meth:`LVSystem.to_ode`).

        Returns
        -------
        ODE
            The flow of :attr:`system`.
        """
        return self.system.to_ode()

    def simulate(self, x0, t_end, **kw):
        """Trajectory from ``x0`` (see :meth:`LVSystem.simulate`)."""
        return self.system.simulate(x0, t_end, **kw)

    def simulate_batch(self, X0, t_end, **kw):
        return self.system.simulate_batch(X0, t_end, **kw)

    def equilibria(self, **kw):
        """All equilibria with stability (support enumeration for GLV, Newton for Holling)."""
        return self.system.equilibria(**kw)

    def stability(self, x, **kw):
        """Spectral verdict at ``x`` (:func:`equilibria.theory.local_stability`)."""
        return self.system.stability(x, **kw)

    def saturated_equilibrium(self):
        """The LCP route (GLV only): solution of ``LCP(-A, -r)``."""
        from equilibria.theory.stability import saturated_equilibrium
        if not self.is_glv:
            raise ValueError("the LCP route needs the GLV model (`saturation`=0)")
        return saturated_equilibrium(self.interaction, self.rates)

    def uniform_state(self, human: float, ai: float) -> np.ndarray:
        """State with every human level ``human`` and every AI level ``ai`` (the default 2-D
        slice)."""
        human = check_scalar(human, "human", lo=0)
        ai = check_scalar(ai, "ai", lo=0)
        x = np.zeros(self.n)
        x[self.human_index] = human
        x[self.ai_index] = ai
        return x

    def scenario_metrics(self, **protocol) -> dict:
        """The four Table 1 quantities of this model held at its governance ``g``:
        ``{coexistence, domination, conflict, recovery_time}``
        (:func:`equilibria.odes.coexistence_dynamic.scenario_metrics`, whose recovery protocol
        ``protocol`` keywords set; the presets calibrated to Table 1 are
        ``DynamicCoexistence.preset(...)`` of that module).

        Returns
        -------
        dict
        """
        from .coexistence_dynamic import scenario_metrics

        return scenario_metrics(self, **protocol)

    def indices(self, x) -> Indices:
        """Coexistence, domination, conflict burden and development of the state ``x``
        (eq. (3))."""
        x = self.check_state(x, "x")
        u = x / self.x_ref
        hi, ai = self.human_index, self.ai_index
        P_h = float(np.mean(np.minimum(1.0, u[hi])))
        P_a = float(np.mean(np.minimum(1.0, u[ai])))
        U_h, U_a = float(np.mean(u[hi])), float(np.mean(u[ai]))
        tot = U_h + U_a
        delta = abs(U_a - U_h) / tot if tot > 0 else 0.0
        dom = float(np.clip((delta - self.balance_tol) / (1 - self.balance_tol), 0.0, 1.0))
        side = "none" if dom == 0 else ("AI" if U_a > U_h else "humans")
        pres = 2 * P_h * P_a / (P_h + P_a) if P_h + P_a > 0 else 0.0
        conf = ben = 0.0
        m, nh = self.m, self.n_h
        sat = self.saturation
        for l in range(3):
            h = x[l * m:l * m + nh]
            a = x[l * m + nh:(l + 1) * m]
            conf += (self.conflict_h + self.conflict_a) * float(h @ self.c[l] @ a)
            ben += float(self.gain_h * (h @ self.w[l] @ (a / (1 + sat * a)))
                         + self.gain_a * ((h / (1 + sat * h)) @ self.w[l] @ a))
            # governance-mediated exchange: -g G_ij > 0 between humans and AI
            Ghl = self.G[l * m:l * m + nh, l * m + nh:(l + 1) * m]
            ben += 2.0 * self.g * float(h @ np.maximum(-Ghl, 0.0) @ a)
        if not (np.isfinite(conf) and np.isfinite(ben) and np.isfinite(tot)):
            raise ValueError(f"the conflict / benefit flows overflow at `x` (max |x| = "
                             f"{float(np.max(x)):.3g}); scale the state down")
        burden = conf / (conf + ben) if conf + ben > 0 else 0.0
        def unit(v):  # rounding guard: the indices are in [0, 1] by construction
            return float(min(1.0, max(0.0, v)))

        return Indices(coexistence=unit(pres * (1 - dom)), domination=dom, dominant=side,
                       conflict=unit(burden), development=unit(P_a), human_level=unit(P_h))

    def outcome(self, x) -> str:
        """Outcome class of the state ``x`` (see :func:`classify`)."""
        return classify(self.indices(x))
