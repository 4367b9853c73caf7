r"""Phase portraits of any planar flow (and of 2-D slices of higher-dimensional ones) and
ternary portraits of flows on the simplex of three strategies.

A portrait shows

- the field as streamlines (``matplotlib.axes.Axes.streamplot``) of
  :math:`(f_i, f_j)` on a regular grid of the plane of coordinates :math:`(x_i, x_j)`, the
  other coordinates held at ``base``;
- the nullclines, the zero contours :math:`f_i = 0` and :math:`f_j = 0` on a finer grid;
- the equilibria, found by Newton's method (least-squares steps
  :math:`J\,\Delta x = -f`) from a grid of starts, deduplicated, and classified by the
  eigenvalues :math:`\lambda` of the Jacobian: stable (every :math:`\Re\lambda < 0`, filled
  marker), unstable (every :math:`\Re\lambda > 0`, open), saddle (both signs, half-filled),
  non-hyperbolic (some :math:`|\Re\lambda| \le` ``EIG_TOL``: a centre when the rest are
  imaginary pairs; open diamond); node or focus by whether the spectrum is real;
- sample trajectories (the system's DP5(4) integrator).

Ternary portraits draw the simplex :math:`\{x \in \mathbb R^3_{\ge 0} : x_1 + x_2 + x_3 = 1\}`
in barycentric coordinates: vertex :math:`e_k` at :math:`V_k` (an equilateral triangle),
:math:`P(x) = \sum_k x_k V_k`; the field is pushed forward by the same linear map,
:math:`\dot P = \sum_k f_k V_k` (the field must be tangent to the simplex), and drawn as
streamlines on a Cartesian grid masked outside the triangle.  Equilibria are found by Newton
steps on :math:`(f(x), \sum_k x_k - 1) = 0` from the barycentric lattice (vertices, edges and
interior) and classified by the Jacobian restricted to the tangent plane,
:math:`J_T = B^+ J B` with :math:`B = [e_1 - e_3, e_2 - e_3]`.

For rock-paper-scissors replicator dynamics :math:`\dot x_i = x_i((Ax)_i - x^\top A x)`,
:math:`A = \begin{pmatrix}0&-l&w\\ w&0&-l\\ -l&w&0\end{pmatrix}`, the vertices are saddles
and the interior equilibrium :math:`(1/3, 1/3, 1/3)` is a stable focus for :math:`w > l`, an
unstable one (orbits approach the heteroclinic cycle of the boundary) for :math:`w < l` and a
centre for :math:`w = l` (Hofbauer & Sigmund 1998, Sec. 7.7; Zeeman 1980).

References
----------
1. J. Hofbauer, K. Sigmund, Evolutionary Games and Population Dynamics, Cambridge University
   Press (1998), Ch. 7 (replicator dynamics on the simplex, rock-paper-scissors).
2. E. C. Zeeman, "Population dynamics from game theory", in Global Theory of Dynamical
   Systems, Lecture Notes in Math. 819 (1980) 471-497.
3. S. H. Strogatz, Nonlinear Dynamics and Chaos, 2nd ed., Westview (2015), Ch. 5-6
   (classification of fixed points by the Jacobian spectrum, nullclines).
4. B. Wong, "Points of view: Color blindness", Nature Methods 8 (2011) 441 (the Okabe-Ito
   palette of :data:`equilibria.odes.plotting.ATTRACTOR_COLORS`).
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from typing import Any

import numpy as np

from equilibria._lib.result import ConvergenceWarning, Result, Status, finish
from equilibria._lib.validation import as_float_array, check_int, check_scalar

from .dynamical import IntegratorOptions, as_system
from .mapper import _check_coordinates, _newton_fixed_point, check_title
from .plotting import ATTRACTOR_COLORS

__all__ = ["Equilibria", "locate_equilibria", "phase_portrait", "ternary_portrait",
           "EQUILIBRIUM_KINDS"]

#: kinds of equilibria, by the Jacobian spectrum
EQUILIBRIUM_KINDS = ("stable node", "stable focus", "unstable node", "unstable focus",
                     "saddle", "centre", "non-hyperbolic")
#: eigenvalues with |Re| below this (relative to 1 + max|lambda|) are treated as zero; and
#: imaginary parts below it make a spectrum real
EIG_TOL = 1e-7
#: two equilibria closer than this (sup-norm, relative to 1 + |x|) are one
DEDUP_RTOL = 1e-6
#: Newton: iterations, and the residual that accepts a root (relative to 1 + |x|)
NEWTON_MAX_ITER, NEWTON_FTOL = 60, 1e-9
#: a simplex equilibrium may have coordinates down to this negative value (then clipped)
SIMPLEX_TOL = 1e-9
#: most Newton starts / grid points per axis / nullcline samples per axis of a portrait
MAX_PORTRAIT_POINTS = 2000
#: sum of the field on the simplex above this (relative to 1 + |f|) means it is not tangent
TANGENT_TOL = 1e-6
#: at most this many equilibria get their own legend entry (more are grouped by kind)
MAX_LEGEND_POINTS = 8
#: colours: streamlines, the two nullclines, the trajectories
STREAM_COLOR = "0.62"
NULLCLINE_COLORS = (ATTRACTOR_COLORS[0], ATTRACTOR_COLORS[5])
TRAJECTORY_COLORS = (ATTRACTOR_COLORS[3], ATTRACTOR_COLORS[2], ATTRACTOR_COLORS[7],
                     ATTRACTOR_COLORS[4], ATTRACTOR_COLORS[14], ATTRACTOR_COLORS[10])
#: barycentric vertices of the ternary triangle
TRIANGLE = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, math.sqrt(3.0) / 2.0]])

_MARKERS: dict[str, dict[str, Any]] = {
    "stable": dict(marker="o", mfc="k", mec="k", fillstyle="full"),
    "unstable": dict(marker="o", mfc="white", mec="k", fillstyle="full"),
    "saddle": dict(marker="o", mfc="k", mfcalt="white", mec="k", fillstyle="left"),
    "non-hyperbolic": dict(marker="D", mfc="white", mec="k", fillstyle="full"),
}


# ---------------------------------------------------------------------------------- equilibria
@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class Equilibria(Result):
    """Equilibria of a flow in a window, with their linear stability.

    Attributes
    ----------
    points : ndarray, shape (k, dim)
        The equilibria (Newton-refined, deduplicated), ordered by kind then coordinates.
    eigenvalues : tuple of ndarray
        Jacobian spectrum of each (restricted to the simplex's tangent plane for
        ``simplex=True``).
    kinds : tuple of str
        One of ``EQUILIBRIUM_KINDS`` each.
    stable : ndarray of bool, shape (k,)
        Every eigenvalue has a negative real part.
    """

    points: np.ndarray
    eigenvalues: tuple
    kinds: tuple
    stable: np.ndarray

    def of_kind(self, *kinds) -> np.ndarray:
        """The equilibria of the given kinds (``"stable"`` matches both stable kinds, etc.).

        Parameters
        ----------
        *kinds : str
            Kinds, or their first word (``"stable"``, ``"unstable"``).

        Returns
        -------
        ndarray, shape (m, dim)
            The matching points.
        """
        valid = set(EQUILIBRIUM_KINDS) | {k.split()[0] for k in EQUILIBRIUM_KINDS}
        for q in kinds:
            if not isinstance(q, str) or q not in valid:
                raise ValueError(f"unknown `kind` {q!r} in `kinds`; valid values are "
                                 + ", ".join(repr(v) for v in sorted(valid)))
        keep = [i for i, k in enumerate(self.kinds)
                if any(k == q or k.split()[0] == q for q in kinds)]
        return self.points[keep]


def _kind(ev) -> str:
    ev = np.asarray(ev, dtype=complex)
    tol = EIG_TOL * (1.0 + float(np.max(np.abs(ev)))) if ev.size else EIG_TOL
    re, im = ev.real, ev.imag
    osc = bool(np.any(np.abs(im) > tol))
    if np.all(re < -tol):
        return "stable focus" if osc else "stable node"
    if np.all(re > tol):
        return "unstable focus" if osc else "unstable node"
    if np.any(re > tol) and np.any(re < -tol):
        return "saddle"
    if np.all(np.abs(re) <= tol) and np.all(np.abs(im) > tol):
        return "centre"
    return "non-hyperbolic"


def _style(kind: str) -> str:
    if kind == "saddle":
        return "saddle"
    if kind in ("centre", "non-hyperbolic"):
        return "non-hyperbolic"
    return kind.split()[0]


def _newton_simplex(system, x):
    """Newton (least squares) on ``(f(x), sum(x) - 1) = 0``."""
    x = x.copy()
    n = system.dim
    for _ in range(NEWTON_MAX_ITER):
        F = np.concatenate([system.rhs(x), [x.sum() - 1.0]])
        J = np.vstack([system.jacobian(x), np.ones((1, n))])
        dx = np.linalg.lstsq(J, -F, rcond=None)[0]
        x = x + dx
        if not np.all(np.isfinite(x)):
            return x, False
        if np.max(np.abs(dx)) <= 1e-12 * (1.0 + np.max(np.abs(x))):
            break
    F = system.rhs(x)
    return x, bool(np.max(np.abs(F)) <= NEWTON_FTOL * (1.0 + np.max(np.abs(x)))
                   and abs(x.sum() - 1.0) <= NEWTON_FTOL)


def _tangent_basis(n):
    B = np.zeros((n, n - 1))
    B[: n - 1] = np.eye(n - 1)
    B[n - 1] = -1.0
    return B


def _dedup(points):
    out: list[np.ndarray] = []
    for x in points:
        if all(np.max(np.abs(x - y)) > DEDUP_RTOL * (1.0 + np.max(np.abs(y))) for y in out):
            out.append(x)
    return out


def _classify(system, pts, simplex):
    B = _tangent_basis(system.dim) if simplex else None
    evs, kinds = [], []
    for x in pts:
        J = system.jacobian(x)
        if simplex:
            J = np.linalg.pinv(B) @ J @ B
        ev = np.linalg.eigvals(J)
        evs.append(ev)
        kinds.append(_kind(ev))
    return evs, kinds


def _check_flow(system, name="system"):
    system = as_system(system, name)
    if system.kind != "flow":
        raise TypeError(f"`{name}` must be an ODE (a flow) for a phase portrait, got a "
                        f"{type(system).__name__}")
    return system


def _check_lim(lim, name):
    lim = as_float_array(lim, name, shape=(2,))
    if not lim[0] < lim[1]:
        raise ValueError(f"`{name}` must be (lo, hi) with lo < hi, got {lim.tolist()}")
    return lim


def _check_coords(system, coordinates):
    coords = _check_coordinates(coordinates, system.dim)
    if len(coords) != 2 or coords[0] == coords[1] or \
            any(c < 0 or c >= system.dim for c in coords):
        raise ValueError(f"`coordinates` must be two distinct state indices below "
                         f"{system.dim}, got {coordinates!r}")
    return coords


def _check_base(system, base):
    return np.zeros(system.dim) if base is None else system.check_state(base, "base")


def locate_equilibria(system, xlim=None, ylim=None, *, coordinates=(0, 1), base=None,
                      n_starts: int = 12, simplex: bool = False, points=None) -> Equilibria:
    r"""Equilibria :math:`f(x) = 0` of a flow in a window of a coordinate plane, or on the
    simplex, classified by the Jacobian spectrum.

    Newton's method (least-squares steps, at most 60, accepted when
    :math:`\|f(x)\|_\infty \le 10^{-9}(1 + \|x\|_\infty)`) runs from an ``n_starts`` by
    ``n_starts`` grid of the window (the other coordinates at ``base``) or from the
    barycentric lattice with ``n_starts`` subdivisions (``simplex=True``: steps on
    :math:`(f(x), \sum x - 1) = 0`, roots kept when every coordinate is
    :math:`\ge -10^{-9}`); roots are kept when their projection lies in the window,
    deduplicated to ``1e-6`` relative, and classified (module docstring).

    Parameters
    ----------
    system : ODE
        A flow.
    xlim, ylim : (float, float), optional
        The window in coordinates ``coordinates`` (required unless ``simplex`` or
        ``points``).
    coordinates : (int, int), default (0, 1)
        State indices of the plane.
    base : array_like, shape (dim,), optional
        The other coordinates of the starts (default zeros).
    n_starts : int >= 2, default 12
        Starts per axis (simplex: lattice subdivisions).
    simplex : bool, default False
        Equilibria on the simplex of a 3-state (or n-state) flow.
    points : array_like, shape (k, dim), optional
        Known equilibria (Newton-refined and classified instead of searched).

    Returns
    -------
    Equilibria
        ``success=False`` (with a warning) when given ``points`` are not equilibria.
    """
    system = _check_flow(system)
    n_starts = check_int(n_starts, "n_starts", lo=2, hi=MAX_PORTRAIT_POINTS)
    coords = _check_coords(system, coordinates)
    base = _check_base(system, base)
    failed = 0
    found = []
    if points is not None:
        P = system.check_states(points, "points")
        for x in P:
            y, ok = (_newton_simplex(system, x) if simplex else
                     _newton_fixed_point(system, x, max_iter=NEWTON_MAX_ITER))
            if ok:
                found.append(y)
            else:
                failed += 1
    elif simplex:
        from equilibria._lib.sets import Simplex

        starts = Simplex(system.dim).grid(n_starts).points
        for x in starts:
            y, ok = _newton_simplex(system, x)
            if ok and np.min(y) >= -SIMPLEX_TOL:
                y = np.where(y <= SIMPLEX_TOL, 0.0, y)  # on a face: exactly on it
                found.append(y / y.sum())
    else:
        if xlim is None or ylim is None:
            raise ValueError("`xlim` and `ylim` are required to search equilibria in a window")
        xlim, ylim = _check_lim(xlim, "xlim"), _check_lim(ylim, "ylim")
        gx = np.linspace(xlim[0], xlim[1], n_starts)
        gy = np.linspace(ylim[0], ylim[1], n_starts)
        pad = 1e-9 * max(1.0, float(np.max(np.abs(np.concatenate([xlim, ylim])))))
        for a in gx:
            for b in gy:
                x = base.copy()
                x[coords[0]], x[coords[1]] = a, b
                y, ok = _newton_fixed_point(system, x, max_iter=NEWTON_MAX_ITER)
                if ok and xlim[0] - pad <= y[coords[0]] <= xlim[1] + pad and \
                        ylim[0] - pad <= y[coords[1]] <= ylim[1] + pad:
                    found.append(y)
    pts = _dedup(found)
    evs, kinds = _classify(system, pts, simplex)
    order = sorted(range(len(pts)),
                   key=lambda i: (EQUILIBRIUM_KINDS.index(kinds[i]), tuple(pts[i].round(9))))
    P = np.array([pts[i] for i in order]).reshape(len(pts), system.dim)
    ev_t = tuple(evs[i] for i in order)
    kinds_t = tuple(kinds[i] for i in order)
    stable = np.array([k.startswith("stable") for k in kinds_t], dtype=bool)
    ok = failed == 0
    msg = (f"{len(P)} equilibria: " + ", ".join(f"{sum(k == q for k in kinds_t)} {q}"
                                                for q in EQUILIBRIUM_KINDS if q in kinds_t))
    if not ok:
        msg += f"; {failed} of the given points are not equilibria (Newton failed)"
    return finish(Equilibria, success=ok, status=Status.SUCCESS if ok else Status.NUMERICAL,
                  message=msg, hint=None if ok else "check `points`", n_iter=len(found),
                  points=P, eigenvalues=ev_t, kinds=kinds_t, stable=stable)


# ---------------------------------------------------------------------------------- drawing
def _fmt(x) -> str:
    scale = max(1.0, float(np.max(np.abs(x))))
    return "(" + ", ".join(f"{(0.0 if abs(v) < 5e-4 * scale else v):.3g}" for v in x) + ")"


def _draw_equilibria(ax, eq: Equilibria, project):
    """Markers by stability; returns legend handles."""
    from matplotlib.lines import Line2D

    handles = []
    per_point = len(eq.kinds) <= MAX_LEGEND_POINTS
    seen = set()
    for x, kind in zip(eq.points, eq.kinds, strict=True):
        st = _MARKERS[_style(kind)]
        u, v = project(x)
        ax.plot([u], [v], ls="", ms=9, mew=1.4, zorder=6, clip_on=False, **st)
        if per_point:
            handles.append(Line2D([], [], ls="", ms=8, mew=1.4, label=f"{kind} {_fmt(x)}",
                                  **st))
        elif kind not in seen:
            seen.add(kind)
            cnt = sum(k == kind for k in eq.kinds)
            handles.append(Line2D([], [], ls="", ms=8, mew=1.4, label=f"{kind} ({cnt})", **st))
    return handles


def _integrate(system, X0, t_end):
    out = []
    opt = IntegratorOptions(rtol=1e-9, atol=1e-12)
    t_eval = np.linspace(0.0, t_end, 2001)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for x0 in X0:
            tr = system.trajectory(x0, t_end, t_eval=t_eval, options=opt)
            Y = tr.y[np.all(np.isfinite(tr.y), axis=1)]
            out.append(Y)
    return out


def _draw_trajectories(ax, paths, project_many):
    from matplotlib.lines import Line2D

    for i, Y in enumerate(paths):
        if Y.shape[0] == 0:
            continue
        col = TRAJECTORY_COLORS[i % len(TRAJECTORY_COLORS)]
        UV = project_many(Y)
        ax.plot(UV[:, 0], UV[:, 1], "-", color=col, lw=1.8, zorder=4)
        ax.plot(UV[0, 0], UV[0, 1], "o", color=col, ms=4, zorder=5)
        if UV.shape[0] > 2:  # an arrow head part way along
            k = max(1, min(UV.shape[0] - 1, UV.shape[0] // 12))
            ax.annotate("", xy=UV[k], xytext=UV[k - 1],
                        arrowprops=dict(arrowstyle="-|>", color=col, lw=1.5,
                                        mutation_scale=14), zorder=5)
    if any(Y.shape[0] for Y in paths):
        return [Line2D([], [], color=TRAJECTORY_COLORS[0], lw=1.8, marker="o", ms=4,
                       label="sample trajectories")]
    return []


def _field(system, X):
    """``f`` at every row of ``X`` (compiled right-hand side, no per-call checks)."""
    rhs, p = system._c.rhs, system._p
    out = np.empty_like(X)
    buf = np.empty(system.dim)
    for i in range(X.shape[0]):
        rhs(np.ascontiguousarray(X[i]), p, buf)
        out[i] = buf
    return out


def phase_portrait(system, *, xlim, ylim, coordinates=(0, 1), base=None, density: float = 1.2,
                   nullclines: bool = True, equilibria=True, trajectories=None,
                   t_end: float = 20.0, n_grid: int = 40, n_nullcline: int = 241,
                   n_starts: int = 12, ax=None, title: str | None = None):
    r"""Phase portrait of a planar flow, or of the plane of two coordinates of a larger one:
    streamlines, nullclines, equilibria marked by stability, sample trajectories.

    Streamlines of :math:`(f_i, f_j)` on an ``n_grid`` square grid (the other coordinates at
    ``base``), nullclines :math:`f_i = 0` and :math:`f_j = 0` as zero contours on an
    ``n_nullcline`` square grid, equilibria from :func:`locate_equilibria` (filled = stable,
    open = unstable, half-filled = saddle, open diamond = centre or non-hyperbolic) and the
    trajectories of ``trajectories`` over ``[0, t_end]``.  In a slice of a higher-dimensional
    flow the equilibria are those of the full system whose projection lies in the window.

    Parameters
    ----------
    system : ODE
        A flow of dimension >= 2.
    xlim, ylim : (float, float)
        The window in the coordinates ``coordinates``.
    coordinates : (int, int), default (0, 1)
        State indices on the horizontal and vertical axes.
    base : array_like, shape (dim,), optional
        The other coordinates (default zeros).
    density : float > 0, default 1.2
        Streamline density (``streamplot``).
    nullclines : bool, default True
        Draw the nullclines.
    equilibria : bool or array_like, default True
        Find and draw the equilibria (``True``), none (``False``) or classify and draw the
        given states (rows).
    trajectories : array_like, optional
        Initial states, shape ``(k, dim)``, or ``(k, 2)`` points of the plane (the other
        coordinates at ``base``).
    t_end : float > 0, default 20.0
        Length of the sample trajectories.
    n_grid : int >= 5, default 40
        Streamline grid points per axis.
    n_nullcline : int >= 10, default 241
        Nullcline grid points per axis.
    n_starts : int >= 2, default 12
        Newton starts per axis.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (a new figure when omitted).
    title : str, optional
        Axes title (mathtext allowed).

    Returns
    -------
    matplotlib.figure.Figure
        The figure; the legend (outside the axes, on the right) lists the nullclines, every
        equilibrium with its kind and the trajectories.
    """
    from matplotlib.lines import Line2D

    system = _check_flow(system)
    if system.dim < 2:
        raise ValueError(f"`system` must have dimension >= 2 for a phase portrait, got "
                         f"{system.dim}")
    xlim, ylim = _check_lim(xlim, "xlim"), _check_lim(ylim, "ylim")
    coords = _check_coords(system, coordinates)
    base = _check_base(system, base)
    density = check_scalar(density, "density", lo=0, lo_inclusive=False)
    t_end = check_scalar(t_end, "t_end", lo=0, lo_inclusive=False)
    n_grid = check_int(n_grid, "n_grid", lo=5, hi=MAX_PORTRAIT_POINTS)
    n_nullcline = check_int(n_nullcline, "n_nullcline", lo=10, hi=MAX_PORTRAIT_POINTS)
    n_starts = check_int(n_starts, "n_starts", lo=2, hi=MAX_PORTRAIT_POINTS)
    check_title(title)
    X0 = _plane_states(system, trajectories, coords, base)
    i, j = coords
    names = system.state_names

    def embed(U, V):
        X = np.repeat(base[None, :], U.size, axis=0)
        X[:, i], X[:, j] = U.ravel(), V.ravel()
        return X

    from equilibria._lib.figures import figure_axes

    fig, ax, _ = figure_axes(ax, figsize=(7.6, 5.4))
    handles: list = []
    gx = np.linspace(xlim[0], xlim[1], n_grid)
    gy = np.linspace(ylim[0], ylim[1], n_grid)
    U, V = np.meshgrid(gx, gy)
    F = _field(system, embed(U, V))
    FU, FV = F[:, i].reshape(U.shape), F[:, j].reshape(U.shape)
    ok = np.isfinite(FU) & np.isfinite(FV)
    ax.streamplot(gx, gy, np.where(ok, FU, np.nan), np.where(ok, FV, np.nan), density=density,
                  color=STREAM_COLOR, linewidth=0.8, arrowsize=0.9, zorder=1)
    handles.append(Line2D([], [], color=STREAM_COLOR, lw=0.8, label="flow"))
    if nullclines:
        nx = np.linspace(xlim[0], xlim[1], n_nullcline)
        ny = np.linspace(ylim[0], ylim[1], n_nullcline)
        NU, NV = np.meshgrid(nx, ny)
        G = _field(system, embed(NU, NV))
        for k, c in enumerate((i, j)):
            Z = G[:, c].reshape(NU.shape)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                ax.contour(NU, NV, Z, levels=[0.0], colors=[NULLCLINE_COLORS[k]],
                           linewidths=2.0, zorder=3)
            handles.append(Line2D([], [], color=NULLCLINE_COLORS[k], lw=2.0,
                                  label=f"{names[c]}-nullcline"))
    if equilibria is not False and equilibria is not None:
        if equilibria is True:
            eq = locate_equilibria(system, xlim, ylim, coordinates=coords, base=base,
                                   n_starts=n_starts)
        else:
            eq = locate_equilibria(system, coordinates=coords, base=base,
                                   points=as_float_array(equilibria, "equilibria", ndim=(1, 2)))
        handles += _draw_equilibria(ax, eq, lambda x: (x[i], x[j]))
    if X0 is not None:
        paths = _integrate(system, X0, t_end)
        handles += _draw_trajectories(ax, paths, lambda Y: Y[:, [i, j]])
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_xlabel(names[i])
    ax.set_ylabel(names[j])
    default = f"Phase portrait of {system.name}"
    if system.dim > 2:
        others = [k for k in range(system.dim) if k not in coords]
        default += " (slice at " + ", ".join(f"{names[k]} = {base[k]:.3g}" for k in others) + ")"
    ax.set_title(title or default)
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8,
              frameon=False, borderaxespad=0.0)
    return fig


def _plane_states(system, trajectories, coords, base):
    if trajectories is None:
        return None
    T = as_float_array(trajectories, "trajectories", ndim=(1, 2))
    if T.ndim == 1:
        T = T[None, :]
    if T.shape[1] == system.dim:
        return T
    if T.shape[1] == 2:
        X = np.repeat(base[None, :], T.shape[0], axis=0)
        X[:, coords[0]], X[:, coords[1]] = T[:, 0], T[:, 1]
        return X
    raise ValueError(f"`trajectories` must have shape (k, {system.dim}) (states) or (k, 2) "
                     f"(points of the plane), got {T.shape}")


# ---------------------------------------------------------------------------------- ternary
def _to_xy(X):
    return np.atleast_2d(X) @ TRIANGLE


def _from_xy(P):
    x3 = P[..., 1] / TRIANGLE[2, 1]
    x2 = P[..., 0] - 0.5 * x3
    return np.stack([1.0 - x2 - x3, x2, x3], axis=-1)


def ternary_portrait(system, *, density: float = 1.2, equilibria=True, trajectories=None,
                     t_end: float = 50.0, n_grid: int = 60, n_starts: int = 8, ax=None,
                     title: str | None = None):
    r"""Ternary portrait of a flow on the simplex of three strategies
    (:math:`x_1 + x_2 + x_3 = 1`): the triangle in barycentric coordinates with its vertices
    labelled by the state names, streamlines of the projected field, equilibria on the
    vertices, edges and interior marked by stability on the simplex, and trajectories.

    The field is checked to be tangent to the simplex (:math:`|\sum_k f_k| \le 10^{-6}
    (1 + \|f\|_\infty)` at lattice points), pushed forward by
    :math:`P(x) = \sum_k x_k V_k` and drawn by ``streamplot`` on an ``n_grid`` Cartesian grid
    masked outside the triangle; equilibria come from
    :func:`locate_equilibria` with ``simplex=True`` (stability of the Jacobian restricted to
    the tangent plane).

    Parameters
    ----------
    system : ODE
        A flow of dimension 3 that keeps the simplex invariant (e.g. replicator dynamics).
    density : float > 0, default 1.2
        Streamline density.
    equilibria : bool or array_like, default True
        Find and draw the equilibria on the simplex (``True``), none (``False``), or classify
        and draw given states.
    trajectories : array_like, optional
        Initial states on the simplex, shape ``(k, 3)`` (each row summing to 1).
    t_end : float > 0, default 50.0
        Length of the trajectories.
    n_grid : int >= 10, default 60
        Streamline grid points per axis.
    n_starts : int >= 2, default 8
        Subdivisions per edge of the lattice of Newton starts.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on (a new figure when omitted).
    title : str, optional
        Axes title (mathtext allowed).

    Returns
    -------
    matplotlib.figure.Figure
        The figure; the legend (outside, right) lists every equilibrium with its kind.
    """
    from matplotlib.lines import Line2D

    system = _check_flow(system)
    if system.dim != 3:
        raise ValueError(f"`system` must have 3 states (strategies) for a ternary portrait, "
                         f"got {system.dim}")
    density = check_scalar(density, "density", lo=0, lo_inclusive=False)
    t_end = check_scalar(t_end, "t_end", lo=0, lo_inclusive=False)
    n_grid = check_int(n_grid, "n_grid", lo=10, hi=MAX_PORTRAIT_POINTS)
    n_starts = check_int(n_starts, "n_starts", lo=2, hi=MAX_PORTRAIT_POINTS)
    check_title(title)
    from equilibria._lib.sets import Simplex

    lattice = Simplex(3).grid(6).points
    Fl = _field(system, lattice)
    bad = np.abs(Fl.sum(axis=1)) > TANGENT_TOL * (1.0 + np.max(np.abs(Fl), axis=1))
    if np.any(bad):
        x = lattice[np.argmax(bad)]
        raise ValueError(f"`system` does not keep the simplex invariant: sum of the field "
                         f"{Fl[np.argmax(bad)].sum():.3g} at x = {x.tolist()}")
    X0 = None
    if trajectories is not None:
        X0 = as_float_array(trajectories, "trajectories", ndim=(1, 2))
        X0 = X0[None, :] if X0.ndim == 1 else X0
        if X0.shape[1] != 3:
            raise ValueError(f"`trajectories` must have shape (k, 3), got {X0.shape}")
        if np.any(X0 < 0) or np.any(np.abs(X0.sum(axis=1) - 1.0) > 1e-6):
            raise ValueError("`trajectories` must be states on the simplex (non-negative, "
                             "summing to 1)")
    from equilibria._lib.figures import figure_axes

    fig, ax, _ = figure_axes(ax, figsize=(7.8, 5.6))
    names = system.state_names
    h = TRIANGLE[2, 1]
    # faint barycentric grid lines and the triangle
    for s in np.arange(0.2, 1.0, 0.2):
        for k in range(3):
            a = np.zeros(3)
            b = np.zeros(3)
            a[k], b[k] = s, s
            a[(k + 1) % 3], b[(k + 2) % 3] = 1 - s, 1 - s
            P = _to_xy(np.vstack([a, b]))
            ax.plot(P[:, 0], P[:, 1], color="0.88", lw=0.6, zorder=0)
    tri = np.vstack([TRIANGLE, TRIANGLE[:1]])
    ax.plot(tri[:, 0], tri[:, 1], color="k", lw=1.2, zorder=2)
    offsets = [(-0.02, -0.03, "right", "top"), (1.02, -0.03, "left", "top"),
               (0.5, h + 0.03, "center", "bottom")]
    for k, (u, v, ha, va) in enumerate(offsets):
        ax.text(u, v, names[k], ha=ha, va=va, fontsize=12)
    # streamlines of the pushed-forward field
    gx = np.linspace(0.0, 1.0, n_grid)
    gy = np.linspace(0.0, h, n_grid)
    GX, GY = np.meshgrid(gx, gy)
    B = _from_xy(np.stack([GX, GY], axis=-1)).reshape(-1, 3)
    inside = np.all(B >= -1e-12, axis=1)
    F = np.full_like(B, np.nan)
    F[inside] = _field(system, np.clip(B[inside], 0.0, 1.0))
    D = F @ TRIANGLE
    DU = np.ma.masked_invalid(D[:, 0].reshape(GX.shape))
    DV = np.ma.masked_invalid(D[:, 1].reshape(GX.shape))
    ax.streamplot(gx, gy, DU, DV, density=density, color=STREAM_COLOR, linewidth=0.8,
                  arrowsize=0.9, zorder=1)
    handles: list = [Line2D([], [], color=STREAM_COLOR, lw=0.8, label="flow")]
    if equilibria is not False and equilibria is not None:
        if equilibria is True:
            eq = locate_equilibria(system, simplex=True, n_starts=n_starts)
        else:
            eq = locate_equilibria(system, simplex=True,
                                   points=as_float_array(equilibria, "equilibria", ndim=(1, 2)))
        handles += _draw_equilibria(ax, eq, lambda x: tuple(_to_xy(x)[0]))
    if X0 is not None:
        paths = _integrate(system, X0, t_end)
        handles += _draw_trajectories(ax, paths, _to_xy)
    ax.set_aspect("equal")
    ax.set_xlim(-0.12, 1.12)
    ax.set_ylim(-0.1, h + 0.1)
    ax.axis("off")
    ax.set_title(title or f"{system.name} on the simplex", pad=14)
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8,
              frameon=False, borderaxespad=0.0)
    return fig
