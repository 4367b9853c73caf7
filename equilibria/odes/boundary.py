r"""Basin boundaries: basin entropy, uncertainty exponent, the Wada test and edge tracking.

Four tools that look at the *boundaries* between basins of attraction rather than at the basins
themselves:

- :func:`basin_entropy` -- the basin entropy :math:`S_b` and boundary basin entropy
  :math:`S_{bb}` of a basin image (Daza et al. 2016 [1]) and the :math:`\log 2` criterion for a
  fractal boundary;
- :func:`uncertainty_exponent` -- the uncertainty exponent :math:`\alpha` of McDonald, Grebogi,
  Ott and Yorke [2] from the dynamics (:math:`\varepsilon`-uncertain initial conditions
  labelled by the recurrence machine of :mod:`equilibria.odes.mapper`), and
  :func:`uncertainty_exponent_image` -- the box-counting variant on a basin image that
  Attractors.jl uses [5];
- :func:`wada_test` -- the share of boundary cells whose neighbourhood meets every basin (the
  grid method of Daza et al. 2015 [3] on an image, by dilation) and the merged-boundary
  distances of the merging method (Daza et al. 2018 [4]);
- :func:`edge_tracking` -- the edge-tracking (straddle-orbit) algorithm of Battelino et al.
  [6] and Skufca, Yorke and Eckhardt [7]: bisection across the boundary and forward
  integration of the straddling pair converge to the edge state, the saddle on the boundary.

A basin image is an integer label array (2-D or 3-D; e.g. ``BasinsResult.basins``): every
distinct value is a label, including the special ones of the recurrence machine (0
unresolved, -1 diverged, -2 unstable set).

References
----------
1. A. Daza, A. Wagemakers, B. Georgeot, D. Guery-Odelin, M. A. F. Sanjuan, "Basin entropy: a
   new tool to analyze uncertainty in dynamical systems", Sci. Rep. 6 (2016) 31416
   (arXiv:1605.02342).
2. S. W. McDonald, C. Grebogi, E. Ott, J. A. Yorke, "Fractal basin boundaries", Physica D 17
   (1985) 125-153; C. Grebogi, S. W. McDonald, E. Ott, J. A. Yorke, "Final state
   sensitivity: an obstruction to predictability", Phys. Lett. A 99 (1983) 415-418.
3. A. Daza, A. Wagemakers, M. A. F. Sanjuan, J. A. Yorke, "Testing for basins of Wada",
   Sci. Rep. 5 (2015) 16579.
4. A. Daza, A. Wagemakers, M. A. F. Sanjuan, "Ascertaining when a basin is Wada: the merging
   method", Sci. Rep. 8 (2018) 9954.
5. G. Datseris, A. Wagemakers, "Effortless estimation of basins of attraction", Chaos 32
   (2022) 023104, and the Attractors.jl functions ``basin_entropy``,
   ``basins_fractal_dimension``, ``uncertainty_exponent``, ``test_wada_merge``,
   ``edgetracking`` (JuliaDynamics/Attractors.jl, ``src/basins/fractality_of_basins.jl``,
   ``src/basins/wada_test.jl``, ``src/boundaries/edgetracking.jl``).
6. C. Battelino, C. Grebogi, E. Ott, J. A. Yorke, E. D. Yorke, "Multiple coexisting
   attractors, basin boundaries and basic sets", Physica D 32 (1988) 296-305.
7. J. D. Skufca, J. A. Yorke, B. Eckhardt, "Edge of chaos in a parallel shear flow", Phys.
   Rev. Lett. 96 (2006) 174101.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from equilibria._lib.result import Result, Status, finish
from equilibria._lib.rng import as_generator
from equilibria._lib.validation import as_float_array, check_int, check_scalar

from .dynamical import DEFAULT_BOUND, MAX_OUTPUT, MAX_T_END, IntegratorOptions, as_system
from .mapper import (MAX_SAMPLES, UNRESOLVED, Attractor, AttractorSet, BasinsResult, Grid,
                     RecurrenceOptions, check_title,
                     find_attractors, wilson_interval)

__all__ = ["BasinEntropy", "UncertaintyResult", "WadaResult", "EdgeTrackingResult",
           "basin_entropy", "uncertainty_exponent", "uncertainty_exponent_image", "wada_test",
           "edge_tracking"]

#: the log-2 criterion of [1]: a boundary basin entropy above it proves a fractal boundary
LOG2 = math.log(2.0)
#: an epsilon (or box size) enters the fit of the uncertainty exponent only with at least this
#: many uncertain samples (boxes)
MIN_UNCERTAIN = 20
#: a fit of the uncertainty exponent needs at least this many epsilons (box sizes)
MIN_FIT_POINTS = 3
#: the uncertainty exponent proves a fractal boundary when ``alpha + FRACTAL_Z * stderr < 1``
FRACTAL_Z = 2.0
#: default epsilons of :func:`uncertainty_exponent`, as shares of the sampling region's
#: smallest side
DEFAULT_EPS_SHARES = (3e-3, 1e-2, 3e-2, 1e-1)
#: default cap on base points of :func:`uncertainty_exponent`, as a multiple of ``n``
DEFAULT_MAX_N_FACTOR = 8
#: consecutive basin steps of the machine in :func:`uncertainty_exponent` (never reached: an
#: orbit is labelled only on an attractor's cells, so cells shared by two basins at the
#: machine's coarse resolution cannot decide an epsilon-close pair)
NO_BASIN_STEPS = 10**9
#: default tolerance of the Wada verdict: Wada when the share of boundary cells meeting every
#: basin reaches ``1 - tol``
WADA_TOL = 0.05
#: default largest dilation radius of the Wada test, as a share of the image's smallest side
WADA_RADIUS_SHARE = 0.05
#: proximity radius of the edge-tracking labels, as a share of the distance between the two
#: attractors
PROXIMITY_SHARE = 0.1
#: divergence distance of the edge-tracking pair, as a multiple of ``bisect_tol``
DIVERGE_FACTOR = 1e3
#: convergence tolerance of the edge state, as a multiple of ``bisect_tol``
ABSTOL_FACTOR = 10.0
#: first trial step of a fresh integration (the kernels' own start)
INITIAL_STEP = 1e-2
#: most tracking steps (t_max / t_step) of one edge-tracking call
MAX_EDGE_STEPS = 10**8


# ---------------------------------------------------------------------------------- helpers
def _as_image(basins, name: str = "basins") -> np.ndarray:
    """A basin image (2-D or 3-D integer labels) from an array or a BasinsResult."""
    if isinstance(basins, BasinsResult):
        basins = basins.basins
    elif isinstance(basins, AttractorSet):
        raise TypeError(f"`{name}` must be a basin image or a BasinsResult; an "
                        f"{type(basins).__name__} has no image (use basins_of_attraction)")
    if basins is None or isinstance(basins, (str, bytes)):
        raise TypeError(f"`{name}` must be an integer array of labels, got "
                        f"{type(basins).__name__}")
    arr = np.asarray(basins)
    if arr.dtype == bool:
        raise TypeError(f"`{name}` must be an integer array of labels, got a boolean array; "
                        "convert it explicitly (e.g. `.astype(int)`) if that is meant")
    if not np.issubdtype(arr.dtype, np.integer):
        if not np.issubdtype(arr.dtype, np.floating):
            raise TypeError(f"`{name}` must be an integer array of labels, got dtype "
                            f"{arr.dtype}")
        if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
            raise ValueError(f"`{name}` must hold integer labels; found non-integer or "
                             "non-finite values")
    if arr.ndim not in (2, 3):
        raise ValueError(f"`{name}` must be a 2-D or 3-D image of labels, got ndim="
                         f"{arr.ndim} (shape {arr.shape})")
    if min(arr.shape) < 2:
        raise ValueError(f"`{name}` must have at least 2 cells per axis, got shape {arr.shape}")
    return np.ascontiguousarray(arr, dtype=np.int64)


def _box_sizes(box_size, shape, name: str) -> tuple:
    if np.ndim(box_size) == 0:
        b = check_int(box_size, name, lo=2)
        sizes = (b,) * len(shape)
    else:
        sizes = tuple(check_int(v, f"{name}[{i}]", lo=1) for i, v in enumerate(box_size))
        if len(sizes) != len(shape):
            raise ValueError(f"`{name}` must give one size per image axis ({len(shape)}), got "
                             f"{len(sizes)}")
        if math.prod(sizes) < 2:
            raise ValueError(f"`{name}` boxes must hold at least 2 cells, got {sizes}")
    for i, (b, s) in enumerate(zip(sizes, shape, strict=True)):
        if b > s:
            raise ValueError(f"`{name}` ({b}) exceeds the image size {s} along axis {i}")
    return sizes


def _tile(codes: np.ndarray, sizes: tuple):
    """Non-overlapping boxes of ``sizes`` cells tiling ``codes`` (the remainder cells along each
    axis dropped, as Attractors.jl does): an array ``(*n_boxes, cells_per_box)``."""
    nb = tuple(s // b for s, b in zip(codes.shape, sizes, strict=True))
    crop = codes[tuple(slice(0, n * b) for n, b in zip(nb, sizes, strict=True))]
    split = [v for nbi, b in zip(nb, sizes, strict=True) for v in (nbi, b)]
    d = codes.ndim
    r = crop.reshape(split).transpose([2 * i for i in range(d)] + [2 * i + 1 for i in range(d)])
    return r.reshape(nb + (-1,)), nb


def _fit_loglog(x, k, n):
    """Weighted least squares ``log f = slope log x + c`` with ``f = k / n``.

    Weights ``k / (1 - f)`` are the inverse delta-method variances of ``log f`` for binomial
    counts; the standard error of the slope is the model's ``1 / sqrt(S_xx)`` scaled up by the
    Birge ratio ``sqrt(chi2 / (m - 2))`` when the residuals scatter more than the counts
    explain.  Returns slope, standard error, intercept."""
    f = k / n
    lx, ly = np.log(x), np.log(f)
    w = k / (1.0 - f)
    xm = float(np.sum(w * lx) / np.sum(w))
    ym = float(np.sum(w * ly) / np.sum(w))
    sxx = float(np.sum(w * (lx - xm) ** 2))
    slope = float(np.sum(w * (lx - xm) * (ly - ym)) / sxx)
    c = ym - slope * xm
    chi2 = float(np.sum(w * (ly - slope * lx - c) ** 2))
    dof = lx.size - 2
    se = math.sqrt(max(1.0, chi2 / dof) / sxx) if dof > 0 else math.nan
    return slope, se, c


# ---------------------------------------------------------------------------------- entropy
@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class BasinEntropy(Result):
    r"""Basin entropy and boundary basin entropy of a basin image.

    Attributes
    ----------
    sb : float
        Basin entropy :math:`S_b`, the mean box entropy over all boxes.
    sbb : float
        Boundary basin entropy :math:`S_{bb}`, the mean over boxes with :math:`S_i > 0`
        (NaN, with ``success=False``, when no box meets two labels).
    n_labels : int
        :math:`N_A`, the number of distinct labels of the image (special labels included).
    labels : ndarray of int64
        The distinct labels.
    n_boxes, n_boundary_boxes : int
        Boxes :math:`N` and boundary boxes :math:`N_b`.
    box_size : tuple of int
        Cells per box side, per axis.
    box_entropy : ndarray
        :math:`S_i` per box, shaped as the grid of boxes.
    log2_criterion : bool
        :math:`S_{bb} > \log 2`: the sufficient condition of [1] for a fractal boundary (a
        smooth boundary can still give ``False`` -- the criterion is one-sided).
    max_entropy : float
        :math:`\log N_A`, the largest possible box entropy.
    """

    sb: float
    sbb: float
    n_labels: int
    labels: np.ndarray
    n_boxes: int
    n_boundary_boxes: int
    box_size: tuple
    box_entropy: np.ndarray
    log2_criterion: bool
    max_entropy: float


def basin_entropy(basins, *, box_size=5) -> BasinEntropy:
    r"""Basin entropy :math:`S_b` and boundary basin entropy :math:`S_{bb}` of a basin image.

    The image is covered by non-overlapping boxes of ``box_size`` cells per side (the
    remainder cells at the far edge of each axis are dropped, as in Attractors.jl).  In box
    :math:`i` the share of cells with label :math:`j` is :math:`p_{ij}` and the box's Gibbs
    entropy is

    .. math:: S_i = \sum_j p_{ij} \log \frac{1}{p_{ij}};

    then :math:`S_b = \frac{1}{N}\sum_i S_i` over all :math:`N` boxes and
    :math:`S_{bb} = \frac{1}{N_b}\sum_i S_i` over the :math:`N_b` boxes with :math:`S_i > 0`
    (boxes on the boundary).  A box entropy is at most :math:`\log N_A`.  Every distinct value
    is a label (the special labels -2, -1, 0 included): points that stay on an unstable set
    sampled exactly (e.g. on a symmetry line) add a third label to the boxes they cross.

    The :math:`\log 2` criterion [1]: "when the basin entropy of the boundaries is larger than
    :math:`\log 2`, the basin is fractal" (sufficient, not necessary).

    Parameters
    ----------
    basins : array_like of int or BasinsResult
        The basin image, 2-D or 3-D (``BasinsResult.basins`` when a result is given).
    box_size : int >= 2 or sequence of int, default 5
        Cells per box side (one value for every axis, or one per axis); Attractors.jl's
        ``basin_entropy(basins, ε)``.

    Returns
    -------
    BasinEntropy
        ``sb``, ``sbb``, ``n_labels``, ``log2_criterion``, the per-box entropies.
        ``success=False`` (with a ConvergenceWarning) when no box is on a boundary: then
        ``sb = 0`` exactly and ``sbb`` is undefined (NaN).

    Raises
    ------
    ValueError
        When ``basins`` is not a 2-D or 3-D integer image or ``box_size`` is below 2 or
        larger than the image.

    References
    ----------
    Daza, Wagemakers, Georgeot, Guery-Odelin, Sanjuan, Sci. Rep. 6 (2016) 31416, abstract: "we
    introduce the basin entropy, a measure to quantify this uncertainty ... we provide a
    sufficient condition for the existence of fractal basin boundaries: when the basin entropy
    of the boundaries is larger than log 2, the basin is fractal."  Attractors.jl
    ``basin_entropy``: "the input basins is divided regularly into n-dimensional boxes of side
    ε ... Sb is simply the average of the Gibbs entropy computed over these boxes ... Sbb ...
    is the average of the entropy only for boxes that contains at least two different basins".
    """
    img = _as_image(basins)
    sizes = _box_sizes(box_size, img.shape, "box_size")
    labels, codes = np.unique(img, return_inverse=True)
    codes = codes.reshape(img.shape)
    boxes, nb = _tile(codes, sizes)
    cells = boxes.shape[-1]
    S = np.zeros(nb)
    for k in range(labels.size):
        p = (boxes == k).sum(axis=-1) / cells
        nz = p > 0
        S[nz] -= p[nz] * np.log(p[nz])
    S[S < 0] = 0.0  # -0.0 and rounding of a one-label box
    n_boxes = int(S.size)
    bnd = S > 0
    n_b = int(bnd.sum())
    sb = float(S.mean())
    dropped = [s - n * b for s, n, b in zip(img.shape, nb, sizes, strict=True)]
    note = (f"; {dropped} remainder cells per axis not covered by boxes"
            if any(dropped) else "")
    if n_b == 0:
        return finish(BasinEntropy, success=False, status=Status.DEGENERATE,
                      message=f"no box of {sizes} cells meets two labels ({labels.size} label(s)"
                              f" in the image): S_b = 0 and S_bb is undefined{note}",
                      hint="use smaller boxes or an image with several basins", n_iter=n_boxes,
                      sb=sb, sbb=math.nan, n_labels=int(labels.size), labels=labels,
                      n_boxes=n_boxes, n_boundary_boxes=0, box_size=sizes, box_entropy=S,
                      log2_criterion=False, max_entropy=math.log(labels.size))
    sbb = float(S[bnd].mean())
    crit = sbb > LOG2
    msg = (f"S_b = {sb:.4g}, S_bb = {sbb:.4g} over {n_b} of {n_boxes} boxes of {sizes} cells, "
           f"{labels.size} labels; " + ("S_bb > log 2: the boundary is fractal" if crit else
                                        "S_bb <= log 2: the log 2 criterion is inconclusive")
           + note)
    return finish(BasinEntropy, success=True, status=Status.SUCCESS, message=msg,
                  n_iter=n_boxes, sb=sb, sbb=sbb, n_labels=int(labels.size), labels=labels,
                  n_boxes=n_boxes, n_boundary_boxes=n_b, box_size=sizes, box_entropy=S,
                  log2_criterion=bool(crit), max_entropy=math.log(labels.size))


# ---------------------------------------------------------------------------------- uncertainty
@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class UncertaintyResult(Result):
    r"""Uncertainty exponent :math:`\alpha` from :math:`f(\varepsilon) \sim \varepsilon^\alpha`.

    Attributes
    ----------
    alpha : float
        The fitted exponent (slope of :math:`\log f` against :math:`\log\varepsilon`).
    alpha_stderr : float
        Its standard error from the weighted least-squares fit (counting noise, or the
        residuals' scatter when larger).
    intercept : float
        :math:`c` of :math:`\log f = \alpha\log\varepsilon + c`.
    dimension : int
        :math:`D`, the dimension of the sampled space (the perturbed coordinates, or the
        image's axes).
    boundary_dimension : float
        :math:`d = D - \alpha`, the box-counting dimension of the boundary in that space.
    fractal : bool
        ``alpha + 2 * alpha_stderr < 1``: the boundary is fractal beyond the fit's error.
    epsilons : ndarray
        :math:`\varepsilon` (state units, or box spans ``b - 1`` in cells for the image
        variant).
    fractions : ndarray
        :math:`f(\varepsilon)`.
    n_uncertain, n_samples : ndarray of int64
        Uncertain samples (boxes) and samples (boxes) per epsilon.
    ci : ndarray, shape (k, 2)
        95% Wilson intervals of the fractions.
    used : ndarray of bool
        Epsilons that entered the fit (at least ``min_uncertain`` uncertain samples and not
        all samples uncertain).
    method : str
        ``"dynamics"`` (:func:`uncertainty_exponent`) or ``"image"``
        (:func:`uncertainty_exponent_image`).
    n_unresolved : int
        Sampled triples dropped because a member was unresolved by the machine (dynamics).
    """

    alpha: float
    alpha_stderr: float
    intercept: float
    dimension: int
    boundary_dimension: float
    fractal: bool
    epsilons: np.ndarray
    fractions: np.ndarray
    n_uncertain: np.ndarray
    n_samples: np.ndarray
    ci: np.ndarray
    used: np.ndarray
    method: str
    n_unresolved: int

    def plot(self, ax=None, title: str | None = None):
        r"""Log-log plot of :math:`f(\varepsilon)` with Wilson error bars and the fitted line.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes to draw on (a new figure when omitted).
        title : str, optional
            Axes title.

        Returns
        -------
        matplotlib.figure.Figure
            The figure.
        """
        from .plotting import ATTRACTOR_COLORS

        check_title(title)
        from equilibria._lib.figures import figure_axes

        fig, ax, _ = figure_axes(ax, figsize=(5.6, 4.4))
        eps, f = self.epsilons, self.fractions
        pos = f > 0
        lo = np.clip(f - self.ci[:, 0], 0, None)
        hi = np.clip(self.ci[:, 1] - f, 0, None)
        for mask, face, lab in ((self.used & pos, ATTRACTOR_COLORS[0], "in the fit"),
                                (~self.used & pos, "none", "not in the fit")):
            if np.any(mask):
                ax.errorbar(eps[mask], f[mask], yerr=[lo[mask], hi[mask]], fmt="o",
                            mfc=face, mec=ATTRACTOR_COLORS[0], ecolor=ATTRACTOR_COLORS[0],
                            capsize=3, label=lab)
        if math.isfinite(self.alpha) and np.any(self.used):
            e = eps[self.used]
            xs = np.geomspace(e.min(), e.max(), 50)
            ax.plot(xs, np.exp(self.intercept) * xs ** self.alpha, "-",
                    color=ATTRACTOR_COLORS[1],
                    label=rf"fit $\alpha$ = {self.alpha:.3f} $\pm$ {self.alpha_stderr:.3f}")
            ref = np.exp(self.intercept) * e.min() ** self.alpha * (xs / e.min())
            keep = ref <= 1.0  # a fraction never exceeds 1
            ax.plot(xs[keep], ref[keep], ":", color="0.4", label=r"slope 1 (smooth boundary)")
        from matplotlib.ticker import FormatStrFormatter, NullFormatter

        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.xaxis.set_minor_formatter(NullFormatter())
        lo_y, hi_y = ax.get_ylim()
        # less than a decade shown: label the minor ticks plainly, else only the decades
        ax.yaxis.set_minor_formatter(FormatStrFormatter("%.2g") if hi_y < 10 * lo_y else
                                     NullFormatter())
        if self.method == "image":
            ax.set_xlabel(r"box span $\varepsilon = b - 1$ (cells)")
            ax.set_ylabel(r"share of boxes on the boundary $f(\varepsilon)$")
        else:
            ax.set_xlabel(r"perturbation $\varepsilon$")
            ax.set_ylabel(r"uncertain fraction $f(\varepsilon)$")
        ax.legend(fontsize=8, frameon=False)
        ax.set_title(title or f"Uncertainty exponent ({self.method}): d = "
                              f"{self.boundary_dimension:.3f} in D = {self.dimension}")
        return fig


def _finish_uncertainty(eps, k_unc, n_tot, *, method, dim, min_unc, n_unres, extra_msg="",
                        n_iter=0):
    eps = np.asarray(eps, dtype=float)
    k_unc = np.asarray(k_unc, dtype=np.int64)
    n_tot = np.asarray(n_tot, dtype=np.int64)
    f = np.where(n_tot > 0, k_unc / np.maximum(n_tot, 1), 0.0)
    ci = np.array([wilson_interval(int(k), int(n)) if n > 0 else (0.0, 1.0)
                   for k, n in zip(k_unc, n_tot, strict=True)])
    used = (k_unc >= min_unc) & (k_unc < n_tot)
    fields = dict(epsilons=eps, fractions=f, n_uncertain=k_unc, n_samples=n_tot, ci=ci,
                  used=used, method=method, n_unresolved=int(n_unres), dimension=int(dim))
    table = ", ".join(f"{e:.3g}: {k}/{n}" for e, k, n in zip(eps, k_unc, n_tot, strict=True))
    if used.sum() < MIN_FIT_POINTS:
        return finish(UncertaintyResult, success=False, status=Status.DEGENERATE,
                      message=f"only {int(used.sum())} epsilon(s) with >= {min_unc} uncertain "
                              f"samples (and not all uncertain) of {eps.size} (uncertain/"
                              f"samples: {table}){extra_msg}",
                      hint="widen `epsilons`, sample more points or lower `min_uncertain`",
                      n_iter=n_iter, alpha=math.nan, alpha_stderr=math.nan,
                      intercept=math.nan, boundary_dimension=math.nan, fractal=False, **fields)
    alpha, se, c = _fit_loglog(eps[used], k_unc[used].astype(float), n_tot[used].astype(float))
    fractal = bool(alpha + FRACTAL_Z * se < 1.0)
    msg = (f"alpha = {alpha:.4g} +- {se:.2g} from {int(used.sum())} epsilons, boundary "
           f"dimension {dim - alpha:.4g} in D = {dim}; "
           + ("fractal boundary (alpha < 1 beyond 2 standard errors)" if fractal else
              "no evidence of a fractal boundary (alpha within 2 standard errors of 1 or "
              "above)") + f" (uncertain/samples: {table}){extra_msg}")
    return finish(UncertaintyResult, success=True, status=Status.SUCCESS, message=msg,
                  n_iter=n_iter, alpha=alpha, alpha_stderr=se, intercept=c,
                  boundary_dimension=dim - alpha, fractal=fractal, **fields)


def uncertainty_exponent(system, grid: Grid, *, coordinates=(0, 1), base=None, region=None,
                         n: int = 2000, epsilons=None, seed=0,
                         min_uncertain: int = MIN_UNCERTAIN, max_n: int | None = None,
                         options: IntegratorOptions | None = None,
                         recurrence: RecurrenceOptions | None = None, chunks: int = 1,
                         executor=None, progress: bool | None = None) -> UncertaintyResult:
    r"""Uncertainty exponent :math:`\alpha` of the basin boundaries, from the dynamics [2].

    An initial condition :math:`x` is :math:`\varepsilon`-uncertain when :math:`x` and one
    of :math:`x \pm \varepsilon u` go to different attractors (:math:`u` a random unit vector
    in the space of ``coordinates``, drawn per point).  The uncertain fraction scales as

    .. math:: f(\varepsilon) \sim \varepsilon^{\alpha}, \qquad \alpha = D - d,

    :math:`D` the dimension of the sampled space (``len(coordinates)``), :math:`d` the
    box-counting dimension of the boundary in it; :math:`\alpha = 1` for a smooth boundary,
    :math:`\alpha < 1` for a fractal one.  :math:`\alpha` is the least-squares slope of
    :math:`\log f` against :math:`\log\varepsilon`, weighted by :math:`k/(1-f)` (:math:`k`
    uncertain points: the inverse delta-method variance of :math:`\log f` for binomial
    counts), with its standard error (the model's, scaled up by the Birge ratio
    :math:`\sqrt{\chi^2/(m-2)}` when the residuals scatter more than the counts explain).

    Method (this is the main path; :func:`uncertainty_exponent_image` is the image variant):
    base points :math:`x` are uniform in ``region`` (the other coordinates at ``base``); each
    round labels all points :math:`x`, :math:`x \pm \varepsilon_k u` of every epsilon in ONE
    :func:`~equilibria.odes.find_attractors` call, so the labels of a triple are comparable
    (one attractor set) and the machine's grid is shared by all epsilons.  The machine's
    basin-cell shortcut is disabled by default (``consecutive_basin_steps`` never reached):
    an orbit is labelled only when it reaches an attractor's cells, because a coarse cell
    shared by two basins cannot decide an :math:`\varepsilon`-close pair.  Triples with an
    unresolved member are dropped.

    Stopping rule: rounds of ``n`` base points (common to all epsilons) until every epsilon
    has ``min_uncertain`` uncertain points or ``max_n`` base points were drawn.  Epsilons with
    fewer than ``min_uncertain`` uncertain points (or only uncertain points) are left out of
    the fit; at least 3 must remain.

    Parameters
    ----------
    system : ODE or Map
        The system.
    grid : Grid
        Cells of the recurrence machine over the full state space.
    coordinates : sequence of int, default (0, 1)
        State coordinates that are sampled and perturbed (1 to ``dim`` distinct indices).
    base : array_like, shape (dim,), optional
        Values of the other coordinates (default: the grid's centre, as
        :func:`~equilibria.odes.basins_of_attraction`).
    region : (array_like, array_like), optional
        ``(lo, hi)`` of the sampling box along ``coordinates`` (default: the grid's first to
        last cell centre along them).
    n : int, default 2000
        Base points per round.
    epsilons : array_like, optional
        Perturbation sizes in state units (default: ``3e-3, 1e-2, 3e-2, 1e-1`` times the
        region's smallest side).
    seed : int or Generator, default 0
        Random state of the points and directions.
    min_uncertain : int, default 20
        Uncertain points an epsilon needs (stopping rule and entry into the fit).
    max_n : int, optional
        Cap on base points (default ``8 * n``).
    options : IntegratorOptions, optional
        Sampling time and tolerances of the machine.
    recurrence : RecurrenceOptions, optional
        Machine thresholds (default: Attractors.jl's with the basin-cell shortcut disabled).
    chunks, executor, progress
        As in :func:`~equilibria.odes.find_attractors` (per round); the result does not
        depend on ``executor``.

    Returns
    -------
    UncertaintyResult
        ``alpha``, ``alpha_stderr``, ``boundary_dimension``, ``fractal``, the fractions;
        ``success=False`` (with a warning) when fewer than 3 epsilons can be fitted.

    Raises
    ------
    ValueError
        On invalid coordinates, region, epsilons or counts.

    References
    ----------
    McDonald, Grebogi, Ott, Yorke, Physica D 17 (1985) 125: the fraction of uncertain
    initial conditions scales as :math:`f(\varepsilon) \sim \varepsilon^\alpha` with
    :math:`\alpha = D - d`; an initial condition is :math:`\varepsilon`-uncertain when a
    perturbation of size :math:`\varepsilon` sends the orbit to a different attractor.
    """
    system = as_system(system)
    if not isinstance(grid, Grid):
        raise TypeError(f"`grid` must be a Grid, got {type(grid).__name__}")
    if grid.dim != system.dim:
        raise ValueError(f"`grid` has {grid.dim} axes but the system has dimension {system.dim}")
    try:
        coords = tuple(int(c) for c in coordinates)
    except (TypeError, ValueError):
        raise TypeError(f"`coordinates` must be a sequence of state indices, got "
                        f"{coordinates!r}") from None
    if not coords or len(set(coords)) != len(coords) or \
            any(c < 0 or c >= system.dim for c in coords):
        raise ValueError(f"`coordinates` must be distinct state indices below {system.dim}, "
                         f"got {coordinates!r}")
    D = len(coords)
    if base is None:
        base = np.array([a[a.size // 2] for a in grid.axes])
    else:
        base = system.check_state(base, "base")
    if region is None:
        lo = np.array([grid.axes[c][0] for c in coords])
        hi = np.array([grid.axes[c][-1] for c in coords])
    else:
        if not isinstance(region, (tuple, list)) or len(region) != 2:
            raise ValueError(f"`region` must be a pair (lo, hi), got {region!r}")
        lo = as_float_array(region[0], "region[0]", shape=(D,))
        hi = as_float_array(region[1], "region[1]", shape=(D,))
        if np.any(hi <= lo):
            raise ValueError(f"`region` must have hi > lo per coordinate, got lo={lo.tolist()},"
                             f" hi={hi.tolist()}")
    n = check_int(n, "n", lo=1, hi=MAX_SAMPLES)
    min_uncertain = check_int(min_uncertain, "min_uncertain", lo=1)
    max_n = DEFAULT_MAX_N_FACTOR * n if max_n is None else \
        check_int(max_n, "max_n", lo=n, hi=MAX_SAMPLES)
    if epsilons is None:
        eps = np.array(DEFAULT_EPS_SHARES) * float(np.min(hi - lo))
    else:
        eps = as_float_array(epsilons, "epsilons", ndim=1, min_size=MIN_FIT_POINTS,
                             positive=True)
        if np.any(np.diff(np.sort(eps)) == 0):
            raise ValueError("`epsilons` must be distinct")
    eps = np.sort(eps)
    if recurrence is None:
        recurrence = RecurrenceOptions(consecutive_basin_steps=NO_BASIN_STEPS)
    elif not isinstance(recurrence, RecurrenceOptions):
        raise TypeError(f"`recurrence` must be RecurrenceOptions, got "
                        f"{type(recurrence).__name__}")
    rng = as_generator(seed)
    K = eps.size
    k_unc = np.zeros(K, dtype=np.int64)
    n_tot = np.zeros(K, dtype=np.int64)
    n_unres = 0
    drawn = 0
    rounds = 0
    while True:
        m = min(n, max_n - drawn)
        P = lo + rng.random((m, D)) * (hi - lo)
        U = rng.standard_normal((m, D))
        U /= np.linalg.norm(U, axis=1, keepdims=True)
        X = np.repeat(base[None, :], m * (1 + 2 * K), axis=0)
        X[:m, list(coords)] = P
        for k, e in enumerate(eps):
            X[m * (1 + 2 * k):m * (2 + 2 * k), list(coords)] = P + e * U
            X[m * (2 + 2 * k):m * (3 + 2 * k), list(coords)] = P - e * U
        res = find_attractors(system, grid, X, options=options, recurrence=recurrence,
                              chunks=chunks, executor=executor, progress=progress)
        lab = res.labels
        l0 = lab[:m]
        for k in range(K):
            lp = lab[m * (1 + 2 * k):m * (2 + 2 * k)]
            lm = lab[m * (2 + 2 * k):m * (3 + 2 * k)]
            ok = (l0 != UNRESOLVED) & (lp != UNRESOLVED) & (lm != UNRESOLVED)
            n_unres += int((~ok).sum())
            k_unc[k] += int(((lp != l0) | (lm != l0))[ok].sum())
            n_tot[k] += int(ok.sum())
        drawn += m
        rounds += 1
        if np.all(k_unc >= min_uncertain) or drawn >= max_n:
            break
    extra = f"; {drawn} base points in {rounds} round(s)"
    if n_unres:
        extra += f"; {n_unres} (point, epsilon) triples dropped as unresolved"
    return _finish_uncertainty(eps, k_unc, n_tot, method="dynamics", dim=D,
                               min_unc=min_uncertain, n_unres=n_unres, extra_msg=extra,
                               n_iter=rounds)


def uncertainty_exponent_image(basins, *, box_sizes=None,
                               min_uncertain: int = MIN_UNCERTAIN) -> UncertaintyResult:
    r"""Uncertainty exponent from a basin image by box counting (the Attractors.jl variant).

    The image is tiled by non-overlapping boxes of :math:`b` cells per side (the remainder
    dropped); :math:`f` is the share of boxes holding at least two labels.  The number of
    boundary boxes scales as :math:`N_u \sim \varepsilon^{-d}` and the number of boxes as
    :math:`\varepsilon^{-D}` (:math:`D` the image's dimension), so

    .. math:: f(\varepsilon) = N_u / N \sim \varepsilon^{D - d} = \varepsilon^{\alpha},

    fitted by least squares on :math:`\log f` against :math:`\log\varepsilon` (weighted as in
    :func:`uncertainty_exponent`, the boxes counted like samples).  The scale is the span of
    a box's samples, :math:`\varepsilon = b - 1` cells: a box is found on the boundary only
    when the boundary passes between two of its cell centres, i.e. through the hull of side
    :math:`b - 1`.  (Attractors.jl's ``uncertainty_exponent(basins)``, ``D - d`` from
    ``basins_fractal_dimension``, regresses on :math:`b`; for a straight boundary that gives
    the slope :math:`\log 3 / \log 2 \approx 1.58` between :math:`b = 2` and 4 instead of
    1.)  The image's finite resolution limits the smallest scale: mislabelled cells and
    structure finer than a cell bias :math:`\alpha`; prefer :func:`uncertainty_exponent` (the
    dynamics) when the system is at hand.

    Parameters
    ----------
    basins : array_like of int or BasinsResult
        The basin image (2-D or 3-D).
    box_sizes : sequence of int, optional
        Box sides in cells (default: about 6 sizes from 2 to an eighth of the smallest side,
        log-spaced).
    min_uncertain : int, default 20
        Boundary boxes a size needs to enter the fit.

    Returns
    -------
    UncertaintyResult
        ``method="image"``; ``epsilons`` are the box spans ``b - 1`` in cells.
        ``success=False`` (with a warning) when fewer than 3 sizes can be fitted.

    Raises
    ------
    ValueError
        On an invalid image or box sizes.

    References
    ----------
    Attractors.jl ``uncertainty_exponent``: "The algorithm probes the basin of attraction with
    balls of size ε at random. If there are a least two initial conditions that lead to
    different attractors, a ball is tagged uncertain ... f_ε ~ ε^α ... We have Δ₀ = D - α where
    Δ₀ is the box counting dimension".
    """
    img = _as_image(basins)
    min_uncertain = check_int(min_uncertain, "min_uncertain", lo=1)
    smin = min(img.shape)
    if box_sizes is None:
        top = max(4, smin // 8)
        sizes = np.unique(np.round(np.geomspace(2, top, 6)).astype(np.int64))
    else:
        raw = np.asarray(box_sizes)
        if raw.dtype.kind not in "iuf":
            raise TypeError(f"`box_sizes` must be integer sizes, got dtype {raw.dtype}")
        if raw.ndim != 1 or raw.size < MIN_FIT_POINTS:
            raise ValueError(f"`box_sizes` must be a 1-D sequence of at least {MIN_FIT_POINTS} "
                             f"sizes, got {box_sizes!r}")
        sizes = np.array([check_int(v, f"box_sizes[{i}]", lo=2, hi=smin)
                          for i, v in enumerate(raw)], dtype=np.int64)
        if np.unique(sizes).size != sizes.size:
            raise ValueError(f"`box_sizes` must be distinct, got {sizes.tolist()}")
        sizes = np.sort(sizes)
    k_unc, n_tot = [], []
    for b in sizes:
        boxes, _ = _tile(img, (int(b),) * img.ndim)
        mixed = boxes.max(axis=-1) != boxes.min(axis=-1)
        k_unc.append(int(mixed.sum()))
        n_tot.append(int(mixed.size))
    return _finish_uncertainty(sizes.astype(float) - 1.0, k_unc, n_tot, method="image",
                               dim=img.ndim, min_unc=min_uncertain, n_unres=0,
                               n_iter=int(sizes.size))


# ---------------------------------------------------------------------------------- Wada
@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class WadaResult(Result):
    r"""The Wada test of a basin image.

    Attributes
    ----------
    labels : ndarray of int64
        The basins tested.
    radii : ndarray of int64
        Dilation radii :math:`r = 1, \dots,` ``max_dilations`` (cells, chessboard metric).
    wada_fraction : ndarray
        :math:`W(r)`: share of boundary cells whose :math:`(2r+1)`-cell neighbourhood meets
        every basin.
    shares : ndarray, shape (len(radii), n_basins - 1)
        :math:`W_m(r)` for :math:`m = 2, \dots, N_A`: share of boundary cells whose
        neighbourhood meets exactly :math:`m` basins (the grid method's :math:`W_m`).
    merge_uncovered : ndarray
        Merging method: the largest share, over ordered pairs of basins, of the cells of one
        merged boundary farther than :math:`r` from the other merged boundary (0 when all
        merged boundaries coincide within :math:`r`).
    n_boundary : int
        Boundary cells (cells of a tested basin with a cell of another tested basin among
        their 8 (26 in 3-D) neighbours).
    is_wada : bool
        Whether :math:`W(r) \ge 1 - tol` for some tested radius.
    radius : int or None
        The smallest such radius.
    tol : float
        The tolerance of the verdict.
    """

    labels: np.ndarray
    radii: np.ndarray
    wada_fraction: np.ndarray
    shares: np.ndarray
    merge_uncovered: np.ndarray
    n_boundary: int
    is_wada: bool
    radius: int | None
    tol: float


def wada_test(basins, *, max_dilations: int | None = None, labels=None,
              tol: float = WADA_TOL) -> WadaResult:
    r"""Test a basin image (three or more basins) for the Wada property, by dilation.

    A boundary is Wada when every boundary point is on the boundary of every basin [3].  On
    an image, with :math:`\delta_k(x)` the chessboard distance (in cells) from cell :math:`x`
    to the nearest cell of basin :math:`k` (a dilation of basin :math:`k` by :math:`r` cells
    is :math:`\{\delta_k \le r\}`):

    - boundary cells :math:`\mathcal B` are cells of a tested basin with a cell of another
      tested basin among their neighbours (:math:`\delta \le 1` for at least two basins);
    - the Wada fraction :math:`W(r) = |\{x \in \mathcal B : \delta_k(x) \le r\ \forall k\}| /
      |\mathcal B|` is the share of the boundary shared by all basins at resolution
      :math:`r` (the grid method's :math:`W_{N_A}` of [3], measured on the image by dilation
      instead of by refining the dynamics), and :math:`W_m(r)` the share meeting exactly
      :math:`m` basins;
    - merging method [4]: the merged image "basin :math:`k` against the union of the others"
      has the boundary :math:`\partial_k`; the boundary is Wada iff all :math:`\partial_k`
      coincide, measured as the largest share over pairs :math:`j \ne k` of cells of
      :math:`\partial_j` farther than :math:`r` from :math:`\partial_k` (Attractors.jl
      ``test_wada_merge``, there with the L1 metric).

    Verdict (this module's stated rule): Wada when :math:`W(r) \ge 1 - tol` for some
    :math:`r \le` ``max_dilations``; ``radius`` is the smallest such :math:`r`.  Smooth
    boundaries of three basins meeting at isolated points give :math:`W(r)` of the order of
    :math:`r` times the number of triple points over the boundary length, far below 1 at
    small :math:`r`.  The test is only as fine as the image: structure below the cell size
    is invisible and mislabelled cells act as extra boundary.

    Parameters
    ----------
    basins : array_like of int or BasinsResult
        The basin image (2-D or 3-D).
    max_dilations : int, optional
        Largest radius :math:`r` (default: 5% of the smallest side, at least 3).
    labels : sequence of int, optional
        Labels of the basins to test (default: every distinct value of an array; the attractor
        labels ``1..k`` of a BasinsResult).  Cells with other labels belong to no basin.
    tol : float in (0, 1), default 0.05
        Tolerance of the verdict.

    Returns
    -------
    WadaResult
        ``wada_fraction`` per radius, the ``shares`` :math:`W_m`, the merging distances and
        the verdict.

    Raises
    ------
    ValueError
        With fewer than 3 basins in the image, an invalid radius or tolerance, or a label
        missing from the image.

    References
    ----------
    Daza, Wagemakers, Sanjuan, Yorke, Sci. Rep. 5 (2015) 16579 (the grid method and the
    parameter :math:`W_m`, the share of boundary points meeting :math:`m` basins; Wada when
    :math:`W_{N_A} = 1`); Daza, Wagemakers, Sanjuan, Sci. Rep. 8 (2018) 9954, abstract: "A
    Wada boundary is the only one that remains unaltered under the action of merging the
    basins"; Attractors.jl ``test_wada_merge``: "If all the boundaries are within some
    distance r, there is a unique boundary separating the basins and we have the wada
    property ... The algorithm returns the maximum proportion of pixels of a boundary with
    distance strictly greater than r from another boundary."
    """
    from scipy import ndimage as ndi

    is_result = isinstance(basins, BasinsResult)
    img = _as_image(basins)
    present = np.unique(img)
    if labels is None:
        labs = np.arange(1, len(basins.attractors) + 1) if is_result else present
        labs = labs[np.isin(labs, present)]
    else:
        if isinstance(labels, np.ndarray) and labels.dtype.kind not in "iuf":
            raise TypeError(f"`labels` must be integer labels, got dtype {labels.dtype}")
        if isinstance(labels, (str, bytes)) or not hasattr(labels, "__len__"):
            raise TypeError(f"`labels` must be a sequence of integer labels, got "
                            f"{type(labels).__name__}")
        labs = np.unique(np.asarray([check_int(v, "labels", lo=None) for v in labels],
                                    dtype=np.int64))
        if labs.size < 3:
            raise ValueError(f"`basins` must hold at least 3 basins for a Wada test; "
                             f"`labels` names {labs.size}: {labs.tolist()}")
        missing = labs[~np.isin(labs, present)]
        if missing.size:
            raise ValueError(f"`labels` {missing.tolist()} do not occur in `basins`")
    if labs.size < 3:
        raise ValueError(f"`basins` must hold at least 3 basins for a Wada test, got "
                         f"{labs.size} ({labs.tolist()})")
    smin = min(img.shape)
    if max_dilations is None:
        max_dilations = max(3, int(round(WADA_RADIUS_SHARE * smin)))
    max_dilations = check_int(max_dilations, "max_dilations", lo=1, hi=smin)
    tol = check_scalar(tol, "tol", lo=0, hi=1, hi_inclusive=False)
    dist = np.stack([ndi.distance_transform_cdt(img != k, metric="chessboard") for k in labs])
    member = np.isin(img, labs)
    near = dist <= 1
    bnd = member & (near.sum(axis=0) >= 2)
    n_b = int(bnd.sum())
    radii = np.arange(1, max_dilations + 1)
    N = labs.size
    if n_b == 0:  # basins that never touch (separated by other labels)
        return finish(WadaResult, success=False, status=Status.DEGENERATE,
                      message=f"no boundary cells between the basins {labs.tolist()}",
                      hint="check `labels`", n_iter=0, labels=labs, radii=radii,
                      wada_fraction=np.zeros(radii.size), shares=np.zeros((radii.size, N - 1)),
                      merge_uncovered=np.ones(radii.size), n_boundary=0, is_wada=False,
                      radius=None, tol=tol)
    db = dist[:, bnd]
    seen = np.stack([(db <= r).sum(axis=0) for r in radii])  # basins met per boundary cell
    W = (seen == N).mean(axis=1)
    shares = np.stack([(seen == m).mean(axis=1) for m in range(2, N + 1)], axis=1)
    # merging method: boundary of basin k against the union of the other basins
    merged = []
    for i in range(N):
        other = np.min(np.delete(dist, i, axis=0), axis=0)
        merged.append(member & near[i] & (other <= 1))
    to_b = [ndi.distance_transform_cdt(~b, metric="chessboard") if b.any() else None
            for b in merged]
    P = np.zeros(radii.size)
    for j in range(N):
        for k in range(N):
            if j == k or not merged[j].any():
                continue
            dist_k = to_b[k]
            if dist_k is None:
                P[:] = 1.0
                continue
            dj = dist_k[merged[j]]
            P = np.maximum(P, np.array([(dj > r).mean() for r in radii]))
    hit = np.flatnonzero(W >= 1.0 - tol)
    is_wada = bool(hit.size)
    radius = int(radii[hit[0]]) if is_wada else None
    msg = (f"{N} basins, {n_b} boundary cells; W(r) = "
           + ", ".join(f"{w:.3f}" for w in W) + f" for r = 1..{max_dilations}; merged "
           "boundaries uncovered " + ", ".join(f"{p:.3f}" for p in P) + "; "
           + (f"Wada: W({radius}) >= 1 - {tol:g}" if is_wada else
              f"not Wada at this resolution: W(r) < 1 - {tol:g} up to r = {max_dilations}"))
    return finish(WadaResult, success=True, status=Status.SUCCESS, message=msg,
                  n_iter=int(radii.size), labels=labs, radii=radii, wada_fraction=W,
                  shares=shares, merge_uncovered=P, n_boundary=n_b, is_wada=is_wada,
                  radius=radius, tol=tol)


# ---------------------------------------------------------------------------------- edge tracking
@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class EdgeTrackingResult(Result):
    r"""The edge state found by edge tracking, and the track leading to it.

    Attributes
    ----------
    edge_state : ndarray, shape (dim,)
        The last edge point (midpoint of the last bisected pair).
    track : ndarray, shape (m, dim)
        Pseudo-trajectory along the boundary: midpoints of the straddling pair after every
        integration step and every bisection.
    track_a, track_b : ndarray, shape (m, dim)
        The two members of the pair (in the basins of ``x_a`` and ``x_b``).
    edge_points : ndarray, shape (k, dim)
        The edge point after each bisection.
    corrections : ndarray, shape (k - 1,)
        Distances between successive edge points.
    n_bisections : int
        Label evaluations of the bisections.
    eigenvalues : ndarray
        Jacobian spectrum at ``edge_state`` (of ``f`` for a flow, of the map for a map).
    n_unstable : int
        Unstable eigenvalues (``Re > 0`` for a flow, ``|.| > 1`` for a map): 1 for an edge
        state that is a saddle of a codimension-one boundary.
    residual : float
        ``max |f(edge_state)|`` (flow) or ``max |f(x) - x|`` (map): small at a fixed point.
    proximity : float
        Radius of the proximity labels.
    """

    edge_state: np.ndarray
    track: np.ndarray
    track_a: np.ndarray
    track_b: np.ndarray
    edge_points: np.ndarray
    corrections: np.ndarray
    n_bisections: int
    eigenvalues: np.ndarray
    n_unstable: int
    residual: float
    proximity: float


class _Labeller:
    """Proximity labels (Attractors.jl ``AttractorsViaProximity``): an orbit is labelled 1 or
    2 when, at the end of a stretch of ``t_label``, it lies within ``eps`` of a stored point of
    attractor 1 or 2; -1 when the integration fails or a coordinate passes ``DEFAULT_BOUND``;
    0 after ``t_max``.  Orbits are stepped with the system's compiled ``advance`` kernel (one
    call per stretch)."""

    def __init__(self, system, pts_a, pts_b, eps, t_label, t_max, options):
        from scipy.spatial import cKDTree

        self.system, self.eps = system, eps
        self.trees = (cKDTree(pts_a), cKDTree(pts_b))
        self.t_label, self.t_max = t_label, t_max
        self.advance_kernel = system._c.flow[0]
        self.base_opts = options.vector()
        self.ws = np.empty((9, system.dim))
        self.calls = 0

    def opts(self, dt):
        v = self.base_opts.copy()
        v[0] = dt
        return v

    def step(self, y, hb, opts) -> int:
        """Advance ``y`` in place by ``opts[0]``; 0 on success, else a failure code."""
        st = int(self.advance_kernel(y, hb, self.system._p, opts, self.ws))
        if st == 0 and not (np.all(np.isfinite(y)) and np.max(np.abs(y)) <= DEFAULT_BOUND):
            st = 4
        return st

    def one(self, x) -> int:
        y = np.array(x, dtype=float)
        hb = np.array([INITIAL_STEP, 0.0, 0.0])
        opts = self.opts(self.t_label)
        t = 0.0
        while True:
            da = self.trees[0].query(y)[0]
            db = self.trees[1].query(y)[0]
            if min(da, db) < self.eps:
                return 1 if da <= db else 2
            if t >= self.t_max:
                return 0
            if self.step(y, hb, opts) != 0:
                return -1
            t += self.t_label

    def __call__(self, X):
        X = np.atleast_2d(np.asarray(X, dtype=float))
        self.calls += X.shape[0]
        return np.array([self.one(x) for x in X], dtype=np.int64)


def _attractor_points(a, dim, name):
    if isinstance(a, Attractor):
        pts = a.location[None, :] if a.kind == "fixed point" else a.points
    else:
        pts = as_float_array(a, name, ndim=(1, 2))
        pts = pts[None, :] if pts.ndim == 1 else pts
    if pts.ndim != 2 or pts.shape[1] != dim or pts.shape[0] == 0:
        raise ValueError(f"`{name}` must be an Attractor or points of shape (k, {dim}), got "
                         f"shape {np.shape(pts)}")
    return np.ascontiguousarray(pts, dtype=float)


def edge_tracking(system, x_a, x_b, *, attractors=None, grid: Grid | None = None,
                  bisect_tol: float = 1e-9, diverge_tol: float | None = None,
                  abstol: float | None = None, max_iter: int = 100,
                  t_step: float | None = None, t_track_max: float | None = None,
                  proximity: float | None = None, t_label: float | None = None,
                  t_max: float = 1e4, options: IntegratorOptions | None = None,
                  recurrence: RecurrenceOptions | None = None,
                  progress: bool | None = None) -> EdgeTrackingResult:
    r"""Edge tracking: the edge state (saddle) on the boundary between two basins.

    The straddle-orbit / edge-tracking algorithm [6, 7] (as Attractors.jl ``edgetracking``):

    1. bisection: with :math:`u_a` in the basin of attractor :math:`A` and :math:`u_b` in that
       of :math:`B`, replace one of them by the midpoint according to the midpoint's label
       until :math:`\|u_a - u_b\| \le` ``bisect_tol``;
    2. tracking: integrate the pair (steps of ``t_step``) while
       :math:`\|u_a - u_b\| <` ``diverge_tol`` (or up to ``t_track_max``); a flow keeps
       every state in its basin, so the pair still straddles the boundary;
    3. re-bisect between the two integrated states; the edge point is the midpoint
       :math:`e_k = (u_a + u_b)/2` after each bisection.

    The boundary is (typically) the stable manifold of the edge state; the flow along it
    carries the pair towards the edge state while the bisections remove the unstable
    component.  Stopping rule: :math:`\|e_{k} - e_{k-1}\| \le` ``abstol`` (converged: the
    edge state is a saddle point), or ``max_iter`` bisections (``success=False``: a periodic
    or chaotic edge state is tracked, never converged; the track is returned).

    Labels are by proximity: an orbit gets the label of the attractor it comes within
    ``proximity`` of (checked every ``t_label``), like Attractors.jl's
    ``AttractorsViaProximity``.  The recurrence machine is used only to locate the two
    attractors when ``attractors`` is not given (``find_attractors(system, grid, [x_a, x_b])``);
    its labels of single orbits are not comparable across calls and its coarse basin cells
    cannot resolve states ``bisect_tol`` apart.

    Parameters
    ----------
    system : ODE or Map
        The system.
    x_a, x_b : array_like, shape (dim,)
        Initial states in two different basins.
    attractors : sequence of two, optional
        The attractors of ``x_a`` and ``x_b``: :class:`~equilibria.odes.Attractor` objects
        (a fixed point's ``location``, else its ``points``) or arrays of points ``(k, dim)``.
    grid : Grid, optional
        Cells of the recurrence machine, to find the attractors when ``attractors`` is None.
    bisect_tol : float > 0, default 1e-9
        Euclidean distance of the bisected pair.
    diverge_tol : float, optional
        Distance at which the integrated pair is re-bisected (default ``1000 * bisect_tol``).
    abstol : float, optional
        Convergence tolerance on successive edge points (default ``10 * bisect_tol``).
    max_iter : int, default 100
        Bisections at most.
    t_step : float, optional
        Integration step of the pair (default 0.1 for flows, 1 iteration for maps).
    t_track_max : float, optional
        Longest integration between bisections (default ``1000 * t_step``).
    proximity : float, optional
        Radius of the proximity labels (default: 0.1 times the distance between the two
        attractors' point sets).
    t_label : float, optional
        Time between proximity checks of a label (default ``10 * t_step``).
    t_max : float, default 1e4
        Longest labelling integration; a longer orbit is unresolved.
    options : IntegratorOptions, optional
        Integrator tolerances (flows; default ``rtol=1e-10, atol=1e-12``).
    recurrence : RecurrenceOptions, optional
        Machine thresholds when the attractors are found with ``grid``.
    progress : bool or None, default None
        tqdm bar over bisections.

    Returns
    -------
    EdgeTrackingResult
        ``edge_state``, the track, the Jacobian spectrum at the edge state.  ``success=False``
        (with a warning) when ``max_iter`` was reached, or a label was unresolved or changed
        during the tracking (integration error larger than the pair's distance).

    Raises
    ------
    ValueError
        When ``x_a`` and ``x_b`` go to the same attractor (or to none), neither ``attractors``
        nor ``grid`` is given, or a tolerance is invalid.

    References
    ----------
    Skufca, Yorke, Eckhardt, Phys. Rev. Lett. 96 (2006) 174101 (edge of chaos and its edge
    state, by bisection and tracking); Battelino, Grebogi, Ott, Yorke, Yorke, Physica D 32
    (1988) 296 (straddle orbits).  Attractors.jl ``edgetracking``: "it iteratively bisects along
    a straight line in state space between the initial states u1 and u2 to find the separating
    basin boundary. The bisection stops when the two updated states are less than
    bisect_thresh ... apart ... Next, a ParallelDynamicalSystem is initialized from these two
    updated states and integrated forward until the two trajectories diverge from each other by
    more than diverge_thresh ... Convergence below abstol happens after sufficient iterations
    if the edge state is a saddle point."
    """
    from tqdm.auto import tqdm

    from equilibria._lib.options import show_progress

    system = as_system(system)
    xa = system.check_state(x_a, "x_a")
    xb = system.check_state(x_b, "x_b")
    if np.array_equal(xa, xb):
        raise ValueError("`x_a` and `x_b` must differ")
    bisect_tol = check_scalar(bisect_tol, "bisect_tol", lo=0, lo_inclusive=False)
    diverge_tol = DIVERGE_FACTOR * bisect_tol if diverge_tol is None else \
        check_scalar(diverge_tol, "diverge_tol", lo=bisect_tol, lo_inclusive=False)
    abstol = ABSTOL_FACTOR * bisect_tol if abstol is None else \
        check_scalar(abstol, "abstol", lo=0)
    max_iter = check_int(max_iter, "max_iter", lo=1)
    is_map = system.kind == "map"
    if t_step is None:
        t_step = 1.0 if is_map else 0.1
    t_step = float(check_int(t_step, "t_step", lo=1, hi=MAX_OUTPUT)) if is_map else \
        check_scalar(t_step, "t_step", lo=0, lo_inclusive=False, hi=MAX_T_END)
    t_max = check_scalar(t_max, "t_max", lo=0, lo_inclusive=False, hi=MAX_T_END)
    if t_max / t_step > MAX_EDGE_STEPS:
        raise ValueError(f"`t_step`={t_step:g} is too small for `t_max`={t_max:g}: more than "
                         f"{MAX_EDGE_STEPS:.0e} steps; raise `t_step`")
    t_track_max = 1000.0 * t_step if t_track_max is None else \
        check_scalar(t_track_max, "t_track_max", lo=t_step)
    t_label = 10.0 * t_step if t_label is None else (
        float(check_int(t_label, "t_label", lo=1)) if is_map else
        check_scalar(t_label, "t_label", lo=0, lo_inclusive=False))
    if t_max < t_label:
        raise ValueError(f"`t_max`={t_max:g} must be >= `t_label`={t_label:g} (default 10 "
                         "`t_step`)")
    if options is None:
        options = IntegratorOptions(rtol=1e-10, atol=1e-12)
    elif not isinstance(options, IntegratorOptions):
        raise TypeError(f"`options` must be IntegratorOptions, got {type(options).__name__}")
    # the two attractors
    if attractors is None:
        if grid is None:
            raise ValueError("give `attractors` (the two attractors) or a `grid` to find them")
        found = find_attractors(system, grid, np.stack([xa, xb]), recurrence=recurrence,
                                progress=False)
        la, lb = (int(v) for v in found.labels)
        if la < 1 or lb < 1 or la == lb:
            raise ValueError(f"`x_a` and `x_b` must go to two different attractors; the "
                             f"machine labelled them {la} and {lb} ({found.message})")
        pts_a = _attractor_points(found.attractors[la - 1], system.dim, "attractors[0]")
        pts_b = _attractor_points(found.attractors[lb - 1], system.dim, "attractors[1]")
    else:
        if isinstance(attractors, AttractorSet) or len(attractors) != 2:
            raise ValueError("`attractors` must be a sequence of two attractors (those of x_a "
                             "and x_b)")
        pts_a = _attractor_points(attractors[0], system.dim, "attractors[0]")
        pts_b = _attractor_points(attractors[1], system.dim, "attractors[1]")
    from scipy.spatial import cKDTree

    sep = float(cKDTree(pts_b).query(pts_a)[0].min())
    if sep == 0:
        raise ValueError("`attractors` overlap: the two point sets share a point")
    eps = PROXIMITY_SHARE * sep if proximity is None else \
        check_scalar(proximity, "proximity", lo=0, lo_inclusive=False)
    label = _Labeller(system, pts_a, pts_b, eps, t_label, t_max, options)
    la, lb = label(np.stack([xa, xb]))
    if la != 1 or lb != 2:
        raise ValueError(f"`x_a` must go to the first attractor and `x_b` to the second; the "
                         f"proximity labels are {int(la)} and {int(lb)} (1, 2: the attractors;"
                         f" 0: unresolved after t_max; -1: diverged)")

    def bisect(ua, ub):
        while np.linalg.norm(ua - ub) > bisect_tol:
            mid = 0.5 * (ua + ub)
            lab = label(mid)[0]
            if lab not in (1, 2):  # exactly on the boundary or a third outcome: nudge once
                mid = mid + 0.5 * bisect_tol * (ua - ub) / np.linalg.norm(ua - ub)
                lab = label(mid)[0]
            if lab == 1:
                ua = mid
            elif lab == 2:
                ub = mid
            else:
                return ua, ub, int(lab)
        return ua, ub, 0

    def result(success, status, message, ta, tb, edges):
        ta, tb = np.array(ta), np.array(tb)
        edges = np.array(edges)
        e = edges[-1]
        J = system.jacobian(e)
        ev = np.linalg.eigvals(J)
        if is_map:
            n_unst = int(np.sum(np.abs(ev) > 1.0))
            resid = float(np.max(np.abs(system.rhs(e) - e)))
        else:
            n_unst = int(np.sum(ev.real > 0.0))
            resid = float(np.max(np.abs(system.rhs(e))))
        corr = np.linalg.norm(np.diff(edges, axis=0), axis=1) if len(edges) > 1 else np.zeros(0)
        return finish(EdgeTrackingResult, success=success, status=status, message=message,
                      n_iter=len(edges), edge_state=e.copy(), track=0.5 * (ta + tb),
                      track_a=ta, track_b=tb, edge_points=edges, corrections=corr,
                      n_bisections=label.calls, eigenvalues=ev, n_unstable=n_unst,
                      residual=resid, proximity=eps)

    step_opts = label.opts(t_step)
    ua, ub, bad = bisect(xa, xb)
    ua, ub = ua.copy(), ub.copy()
    ta, tb = [ua.copy()], [ub.copy()]
    edges = [0.5 * (ua + ub)]
    if bad:
        return result(False, Status.NUMERICAL, f"a bisection midpoint got label {bad} (not one"
                      " of the two attractors): a third basin lies between x_a and x_b, or "
                      "`t_max` is too short", ta, tb, edges)
    bar = tqdm(total=max_iter, disable=not show_progress(progress), leave=False, desc="edge tracking")
    bar.update(1)
    try:
        for _ in range(max_iter - 1):
            t = 0.0
            ha = np.array([INITIAL_STEP, 0.0, 0.0])
            hb = ha.copy()
            while np.linalg.norm(ua - ub) < diverge_tol and t < t_track_max:
                if label.step(ua, ha, step_opts) or label.step(ub, hb, step_opts):
                    return result(False, Status.NUMERICAL, "the integration of the pair "
                                  "failed or diverged", ta, tb, edges)
                ta.append(ua.copy())
                tb.append(ub.copy())
                t += t_step
            la, lb = label(np.stack([ua, ub]))
            if la != 1 or lb != 2:
                return result(False, Status.NUMERICAL, f"the tracked pair changed labels to "
                              f"({int(la)}, {int(lb)}): the integration error exceeds the "
                              "pair's distance", ta, tb, edges)
            ua, ub, bad = bisect(ua, ub)
            ua, ub = ua.copy(), ub.copy()
            ta.append(ua.copy())
            tb.append(ub.copy())
            edges.append(0.5 * (ua + ub))
            bar.update(1)
            if bad:
                return result(False, Status.NUMERICAL, f"a bisection midpoint got label {bad}"
                              " (not one of the two attractors)", ta, tb, edges)
            corr = float(np.linalg.norm(edges[-1] - edges[-2]))
            if corr <= abstol:
                return result(True, Status.SUCCESS, f"edge state after {len(edges)} "
                              f"bisections: successive edge points {corr:.2g} apart (<= "
                              f"abstol {abstol:.2g})", ta, tb, edges)
    finally:
        bar.close()
    corr = float(np.linalg.norm(edges[-1] - edges[-2])) if len(edges) > 1 else math.inf
    return result(False, Status.MAX_ITER, f"{max_iter} bisections without convergence (last "
                  f"correction {corr:.2g} > abstol {abstol:.2g}): the edge state may be a "
                  "periodic or chaotic saddle (the track follows it)",
                  ta, tb, edges)
