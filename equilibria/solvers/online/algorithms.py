r"""Full-information online linear optimization: OGD, OMD, lazy FTRL, Hedge, optimistic and
SEA-adaptive variants, log-barrier FTRL.

Every function takes a sequence of loss vectors / gradients ``grads`` of shape ``(T, d)`` chosen
by an oblivious adversary (the loss of round ``t`` at ``x`` is :math:`\langle g_t, x\rangle`; for
convex losses pass the gradients at the played points through the stateful learners of
:mod:`equilibria.solvers.online.learners`) and returns an :class:`OnlineResult` with the
decisions, the cumulative regret per round and the best fixed decision in hindsight:

.. math::

    R_T = \sum_{t=1}^T \langle g_t, x_t\rangle - \min_{u \in \mathcal X}\sum_{t=1}^T
    \langle g_t, u\rangle .

Decision sets ``domain`` are the set objects of :mod:`equilibria._lib.sets`, exported here:
:class:`Simplex` (probability simplex), :class:`Ball` ``(radius)`` (Euclidean ball centred at 0),
:class:`Box` ``(lo, hi)`` (``[lo, hi]^d``; the kernels take scalar bounds, so a box with
non-uniform per-coordinate bounds raises ``ValueError`` here).  The names ``"simplex"``,
``"ball"``, ``"box"`` stand for ``Simplex()``, ``Ball()`` (radius 1) and ``Box()``
(``[-1, 1]^d``).  Regularizers ``regularizer``:
``"euclidean"`` (:math:`\frac12\|x\|^2`, any set), ``"entropy"`` (:math:`\sum_i x_i\log x_i`),
``"log_barrier"`` (:math:`-\sum_i \log x_i`), ``"tsallis"`` (1/2-Tsallis,
:math:`-2\sum_i\sqrt{x_i}`); the last three on the simplex only.  A starting point or centre
in the simplex (``x1``, ``center``) must sum to one within ``1e-8``, or ``~2e-6`` when given in
float32 (whose rounding alone moves the sum by ~1e-7); it is then renormalized.

The round loops are numba kernels (:mod:`._kernels`); there is no stopping rule (every run
performs exactly ``T`` rounds, ``success=True``) unless a non-finite value appears, which
returns ``success=False`` with ``status=NUMERICAL``.

References
----------
.. [1] Zinkevich, M. (2003). Online convex programming and generalized infinitesimal gradient
   ascent. ICML.  (OGD, Thm 1.)
.. [2] Freund, Y., Schapire, R. (1997). A decision-theoretic generalization of on-line learning.
   JCSS 55.  Cesa-Bianchi, N., Lugosi, G. (2006). Prediction, Learning, and Games, Thm 2.2.
.. [3] Orabona, F. (2019). A Modern Introduction to Online Learning, arXiv:1912.13213,
   Ch. 6-7 (OMD, FTRL), Sec. 7.12 (optimistic FTRL).
.. [4] Rakhlin, A., Sridharan, K. (2013). Online learning with predictable sequences. COLT;
   Syrgkanis, V., Agarwal, A., Luo, H., Schapire, R. (2015). Fast convergence of regularized
   learning in games. NeurIPS, Prop. 5-7 (RVU).
.. [5] Chen, S., Zhang, Y.-J., Tu, W.-W., Zhao, P., Zhang, L. (2023). Optimistic online mirror
   descent for bridging stochastic and adversarial online convex optimization. ICML (JMLR 2024),
   Thm 1.
.. [6] Sachs, S., Hadiji, H., van Erven, T., Guzman, C. (2022). Between stochastic and
   adversarial online convex optimization: improved regret bounds via smoothness. NeurIPS.
.. [7] Dai, Y., Luo, H., Wei, C.-Y., Zimmert, J. (2023). Refined regret for adversarial MDPs
   with linear function approximation. ICML.  Wei, C.-Y., Luo, H. (2018). More adaptive
   algorithms for adversarial bandits. COLT.
"""

from __future__ import annotations

import numpy as np

from equilibria._lib.result import Status, finish
from equilibria._lib.sets import Ball, Simplex, as_set
from equilibria._lib.validation import as_float_array, check_scalar

from . import _kernels as K
from ._common import (KernelSet, OnlineResult, check_eta, check_losses, check_point, check_set,
                      comparator)

__all__ = ["hedge", "ogd", "omd", "ftrl", "optimistic_omd", "optimistic_ftrl", "sea_omd",
           "log_barrier_ftrl", "diameter"]

_DUMMY = np.zeros((1, 1))


def diameter(domain, d=None) -> float:
    """Euclidean diameter of the decision set: ``domain.diameter(d)``.

    Parameters
    ----------
    domain : Simplex, Ball, Box or {"simplex", "ball", "box"}
        Decision set (a name stands for the set with default parameters).
    d : int, optional
        Dimension (default the set's ``dim``; not needed for the ball).

    Returns
    -------
    float
        ``sqrt(2)`` for the simplex (``0.0`` when ``d == 1``), ``2 * radius`` for the ball,
        ``||hi - lo||_2`` (``(hi - lo) * sqrt(d)`` for scalar bounds) for the box.
    """
    return as_set(domain, d).diameter(d)


def _hints(hints, G):
    """``None`` -> M_t = g_{t-1} (mode 1); ``"zero"`` -> no hint (mode 0); array -> mode 2."""
    if hints is None:
        return 1, _DUMMY
    if isinstance(hints, str):
        if hints == "previous":
            return 1, _DUMMY
        if hints == "zero":
            return 0, _DUMMY
        raise ValueError(f"unknown `hints`={hints!r}; valid values are None, 'previous', 'zero' "
                         "or an array of shape (T, d)")
    M = as_float_array(hints, "hints", ndim=2)
    if M.shape != G.shape:
        raise ValueError(f"`hints` must have the shape {G.shape} of `grads` (one hint per "
                         f"round), got {M.shape}")
    return 2, M


def _finish(G, X, regret_t, cum, eta_used, ks: KernelSet, secondary=None):
    T = G.shape[0]
    ok = bool(np.isfinite(cum) and np.all(np.isfinite(regret_t)) and np.all(np.isfinite(X)))
    with np.errstate(over="ignore", invalid="ignore"):
        L = G.sum(axis=0)
    msg = (f"completed {T} rounds" if ok else
           "non-finite value in the iterates or the regret; rescale the losses or lower `eta`")
    return finish(OnlineResult, success=ok, status=Status.SUCCESS if ok else Status.NUMERICAL,
                  message=msg, n_iter=T, weights=X, regret_t=regret_t,
                  comparator=comparator(L, ks), cumulative_loss=float(cum),
                  eta=eta_used, secondary=secondary)


def _run_ftrl(G, etas, eta_mode, D, delta, hint_mode, M, ks: KernelSet, center, store_weights):
    T, d = G.shape
    if center is None:
        center = ks.set.center(d)
    else:
        center = check_point(center, "center", ks, "euclidean", d)
    X = np.empty((T if store_weights else 1, d))
    regret_t = np.empty(T)
    eta_used = np.empty(T)
    cum = K.ftrl_loop(G, M, hint_mode, etas, eta_mode, D, delta, ks.reg, ks.dom, ks.radius,
                      ks.lo, ks.hi, center, X, eta_used, regret_t)
    return _finish(G, X, regret_t, cum, eta_used, ks)


def _run_simplex_ftrl(G, etas, regularizer, store_weights):
    """Hedge / log-barrier FTRL through the small :func:`~._kernels.simplex_ftrl_loop`."""
    T, d = G.shape
    ks = check_set("simplex", regularizer, d)
    X = np.empty((T if store_weights else 1, d))
    regret_t = np.empty(T)
    cum = K.simplex_ftrl_loop(G, etas, ks.reg, X, regret_t)
    return _finish(G, X, regret_t, cum, etas.copy(), ks)


def _run_omd(G, etas, eta_mode, D, delta, hint_mode, M, ks: KernelSet, regularizer, x1,
             store_weights, keep_secondary):
    T, d = G.shape
    if x1 is None:
        x1 = ks.set.center(d)
    else:
        x1 = check_point(x1, "x1", ks, regularizer, d)
        x1 = np.ascontiguousarray(x1)
    X = np.empty((T if store_weights else 1, d))
    regret_t = np.empty(T)
    if (ks.reg == K.ENTROPY and ks.dom == K.SIMPLEX and eta_mode == 0 and not keep_secondary
            and np.all(etas == etas[0])):
        # constant step: closed form, one exponential pass per round (entropic_omd_loop)
        cum = K.entropic_omd_loop(G, M, hint_mode, float(etas[0]), np.log(x1), X, regret_t)
        return _finish(G, X, regret_t, cum, etas.copy(), ks)
    XH = np.empty((T + 1 if keep_secondary else 1, d))
    eta_used = np.empty(T)
    cum = K.omd_loop(G, M, hint_mode, etas, eta_mode, D, delta, ks.reg, ks.dom, ks.radius, ks.lo,
                     ks.hi, x1, X, XH, eta_used, regret_t)
    return _finish(G, X, regret_t, cum, eta_used, ks, secondary=XH if keep_secondary else None)


def hedge(losses, eta, *, store_weights=True) -> OnlineResult:
    r"""Hedge (exponential weights) over ``N`` experts.

    .. math::  w_{t,i} = \frac{\exp(-\eta L_{t-1,i})}{\sum_j \exp(-\eta L_{t-1,j})}, \qquad
               L_{t-1} = \sum_{s<t} \ell_s .

    Theorem ([2], Thm 2.2 with Hoeffding's lemma): for losses in :math:`[0,1]^N`,
    :math:`R_T \le \ln N/\eta + \eta T/8` (registered as ``online.hedge_regret``).

    Parameters
    ----------
    losses : array_like, shape (T, N)
        Loss vectors (any finite reals; the bound needs :math:`[0, 1]`).
    eta : float or array_like, shape (T,)
        Learning rate(s), ``> 0``.
    store_weights : bool
        Keep all ``T`` weight vectors (``weights`` is ``(T, N)``) or only the last.

    Returns
    -------
    OnlineResult
        ``weights`` (T x N), ``regret`` (final), ``regret_t`` (per round), ``comparator``.
    """
    G = check_losses(losses)
    etas = check_eta(eta, G.shape[0])
    return _run_simplex_ftrl(G, etas, "entropy", store_weights)


def ogd(grads, eta, *, domain=Ball(), x1=None, store_weights=True) -> OnlineResult:
    r"""Projected online gradient descent [1]:  :math:`x_{t+1} = \Pi_{\mathcal X}(x_t - \eta_t g_t)`.

    Theorem ([1] Thm 1; [3] Thm 2.13, constant step): for every :math:`u\in\mathcal X`,
    :math:`\sum_t\langle g_t, x_t - u\rangle \le \frac{\|x_1-u\|^2}{2\eta} +
    \frac\eta2\sum_t\|g_t\|^2` (``online.ogd_regret``).

    Parameters
    ----------
    grads : array_like, shape (T, d)
        Gradients / loss vectors :math:`g_1, \dots, g_T` (finite), one row per round.
    eta : float or array_like, shape (T,)
        Step size(s) ``> 0`` (a scalar is used in every round).
    domain : Ball, Box, Simplex or {"ball", "box", "simplex"}
        Decision set (Euclidean projection onto it); default ``Ball()``, the unit ball.  A
        :class:`Box` needs the same bounds in every coordinate.
    x1 : array_like, shape (d,), optional
        First point (default: centre of the set); must lie in the set.
    store_weights : bool
        Keep all ``T`` decisions (``weights`` is ``(T, d)``) or only the last (``(1, d)``).

    Returns
    -------
    OnlineResult
        ``weights`` (``(T, d)``, or ``(1, d)`` with only the last decision when
        ``store_weights=False``), ``regret`` (final) and ``regret_t`` (shape ``(T,)``, per
        round), ``comparator`` (best fixed decision in hindsight, shape ``(d,)``),
        ``cumulative_loss`` and ``eta`` (step sizes used, shape ``(T,)``).
        ``success=False`` with ``status=NUMERICAL`` if a non-finite value appears.
    """
    G = check_losses(grads, "grads")
    etas = check_eta(eta, G.shape[0])
    ks = check_set(domain, "euclidean", G.shape[1])
    return _run_omd(G, etas, 0, 1.0, 1.0, 0, _DUMMY, ks, "euclidean", x1, store_weights, False)


def omd(grads, eta, *, domain=Simplex(), regularizer="entropy", x1=None,
        store_weights=True) -> OnlineResult:
    r"""Online mirror descent [3, Ch. 6]:
    :math:`x_{t+1} = \arg\min_{x\in\mathcal X} \eta_t\langle g_t, x\rangle + B_\psi(x, x_t)`.

    With ``regularizer="euclidean"`` this is :func:`ogd`; with ``"entropy"`` on the simplex it is
    Hedge in its multiplicative form.  Log-barrier and 1/2-Tsallis steps are solved by a 1-D
    Newton iteration on the normalization multiplier (:func:`log_barrier_kernel`).

    Parameters
    ----------
    grads : array_like, shape (T, d)
        Gradients / loss vectors :math:`g_1, \dots, g_T` (finite), one row per round.
    eta : float or array_like, shape (T,)
        Step size(s) ``> 0`` (a scalar is used in every round).
    domain : Simplex, Ball, Box or {"simplex", "ball", "box"}
        Decision set (default ``Simplex()``; see the module docstring).
    regularizer : {"entropy", "euclidean", "log_barrier", "tsallis"}
        Regularizer; all but ``"euclidean"`` on the simplex only.
    x1 : array_like, shape (d,), optional
        First point (default: centre); strictly positive for barrier regularizers.
    store_weights : bool
        Keep all ``T`` decisions (``weights`` is ``(T, d)``) or only the last (``(1, d)``).

    Returns
    -------
    OnlineResult
        ``weights`` (``(T, d)``, or ``(1, d)`` with only the last decision when
        ``store_weights=False``), ``regret`` (final) and ``regret_t`` (shape ``(T,)``, per
        round), ``comparator`` (best fixed decision in hindsight, shape ``(d,)``),
        ``cumulative_loss`` and ``eta`` (step sizes used, shape ``(T,)``).
        ``success=False`` with ``status=NUMERICAL`` if a non-finite value appears.
    """
    G = check_losses(grads, "grads")
    etas = check_eta(eta, G.shape[0])
    ks = check_set(domain, regularizer, G.shape[1])
    return _run_omd(G, etas, 0, 1.0, 1.0, 0, _DUMMY, ks, regularizer, x1, store_weights, False)


def ftrl(grads, eta, *, domain=Simplex(), regularizer="entropy", center=None,
         store_weights=True) -> OnlineResult:
    r"""Lazy follow-the-regularized-leader [3, Ch. 7]:
    :math:`x_t = \arg\min_{x\in\mathcal X}\langle L_{t-1}, x\rangle + \psi(x)/\eta_t`.

    The Euclidean regularizer is :math:`\frac12\|x - c\|^2` with ``center`` ``c`` (default the
    centre of the set), i.e. lazy projection :math:`x_t = \Pi(c - \eta_t L_{t-1})`.  With
    ``regularizer="log_barrier"`` the loss vectors may be negative (importance-weighted
    estimates): see :func:`log_barrier_ftrl`.

    Parameters
    ----------
    grads : array_like, shape (T, d)
        Gradients / loss vectors :math:`g_1, \dots, g_T` (finite), one row per round.
    eta : float or array_like, shape (T,)
        Learning rate(s) ``> 0``; :math:`\eta_t` multiplies in :math:`\psi/\eta_t`.
    domain : Simplex, Ball, Box or {"simplex", "ball", "box"}
        Decision set (default ``Simplex()``; see the module docstring).
    regularizer : {"entropy", "euclidean", "log_barrier", "tsallis"}
        Regularizer; all but ``"euclidean"`` on the simplex only.
    center : array_like, shape (d,), optional
        Centre of the Euclidean regularizer (a point of the set).
    store_weights : bool
        Keep all ``T`` decisions (``weights`` is ``(T, d)``) or only the last (``(1, d)``).

    Returns
    -------
    OnlineResult
        ``weights`` (``(T, d)``, or ``(1, d)`` with only the last decision when
        ``store_weights=False``), ``regret`` (final) and ``regret_t`` (shape ``(T,)``, per
        round), ``comparator`` (best fixed decision in hindsight, shape ``(d,)``),
        ``cumulative_loss`` and ``eta`` (step sizes used, shape ``(T,)``).
        ``success=False`` with ``status=NUMERICAL`` if a non-finite value appears.
    """
    G = check_losses(grads, "grads")
    etas = check_eta(eta, G.shape[0])
    ks = check_set(domain, regularizer, G.shape[1])
    return _run_ftrl(G, etas, 0, 1.0, 1.0, 0, _DUMMY, ks, center, store_weights)


def log_barrier_ftrl(losses, eta, *, store_weights=True) -> OnlineResult:
    r"""FTRL with the log-barrier on the simplex, for possibly negative loss estimates [7].

    .. math::  p_t = \arg\min_{p\in\Delta_N}\langle p, L_{t-1}\rangle - \frac1\eta\sum_i\log p_i,
               \qquad p_{t,i} = \frac{1}{\eta(L_{t-1,i} - \lambda_t)},

    with the multiplier :math:`\lambda_t < \min_i L_{t-1,i}` found by Newton's method
    (:func:`log_barrier_kernel`).  Invariants: :math:`\sum_i p_{t,i} = 1`, :math:`p_{t,i} > 0`,
    :math:`L_{t-1,i} - 1/(\eta p_{t,i}) = \lambda_t` for all ``i``.

    Theorem (standard FTRL regret lemma [3, Lemma 7.1] with the log-barrier local-norm
    stability bound :math:`a - \ln(1+a) \le a^2` for :math:`a \ge -1/2` [7]): if
    :math:`\eta\, p_{t,i}\ell_{t,i} \ge -1/2` for all ``t, i``, then against
    :math:`u = (1 - \frac1T)e_{i^\star} + \frac1{NT}\mathbf 1`,

    .. math::  \sum_t\langle p_t - u, \ell_t\rangle \le \frac{N\ln T}{\eta} +
               \eta\sum_t\sum_i p_{t,i}^2\ell_{t,i}^2

    (``online.log_barrier_regret``).  Parameters as in :func:`hedge`.

    Parameters
    ----------
    losses : array_like, shape (T, N)
        Loss vectors or (possibly negative) loss estimates :math:`\ell_t`, finite.
    eta : float or array_like, shape (T,)
        Learning rate(s) ``> 0``.
    store_weights : bool
        Keep all ``T`` weight vectors (``weights`` is ``(T, N)``) or only the last.

    Returns
    -------
    OnlineResult
        ``weights`` (``(T, N)``, or ``(1, N)`` with only the last decision when
        ``store_weights=False``), ``regret`` (final) and ``regret_t`` (shape ``(T,)``, per
        round), ``comparator`` (best fixed decision in hindsight, shape ``(N,)``),
        ``cumulative_loss`` and ``eta`` (step sizes used, shape ``(T,)``).
        ``success=False`` with ``status=NUMERICAL`` if a non-finite value appears.
    """
    G = check_losses(losses)
    etas = check_eta(eta, G.shape[0])
    return _run_simplex_ftrl(G, etas, "log_barrier", store_weights)


def optimistic_omd(grads, eta, *, hints=None, domain=Simplex(), regularizer="entropy", x1=None,
                   store_weights=True, keep_secondary=False) -> OnlineResult:
    r"""Optimistic online mirror descent with hints :math:`M_t` [4]:

    .. math::

        x_t = \arg\min_{x} \eta_t\langle M_t, x\rangle + B_\psi(x, \hat x_t), \qquad
        \hat x_{t+1} = \arg\min_{x} \eta_t\langle g_t, x\rangle + B_\psi(x, \hat x_t),

    :math:`\hat x_1 = x_1`.  Default hint :math:`M_t = g_{t-1}` (:math:`M_1 = 0`).

    Theorem ([4]: Rakhlin & Sridharan 2013, Lemma 1; Syrgkanis et al. 2015, Prop. 5), Euclidean
    :math:`B(u, x) = \frac12\|u - x\|^2`, constant :math:`\eta`, every :math:`u`:

    .. math::

        \sum_t\langle g_t, x_t - u\rangle \le \frac{B(u, x_1)}{\eta} + \eta\sum_t\|g_t - M_t\|^2
        - \frac{1}{4\eta}\sum_t\big(\|x_t - \hat x_t\|^2 + \|x_t - \hat x_{t+1}\|^2\big)

    (``online.optimistic_omd_rvu``).

    Parameters
    ----------
    grads : array_like, shape (T, d)
        Gradients / loss vectors :math:`g_1, \dots, g_T` (finite), one row per round.
    eta : float or array_like, shape (T,)
        Step size(s) ``> 0``.
    hints : None, "previous", "zero" or array_like, shape (T, d)
        ``None``/``"previous"``: :math:`M_t = g_{t-1}`; ``"zero"``: plain OMD; an array gives
        :math:`M_t` row by row.
    domain, regularizer, x1, store_weights
        As in :func:`omd` (default ``Simplex()`` with the entropy).
    keep_secondary : bool
        Return :math:`\hat x_1,\dots,\hat x_{T+1}` in ``secondary``.

    Returns
    -------
    OnlineResult
        ``weights`` (``(T, d)``, or ``(1, d)`` with only the last decision when
        ``store_weights=False``), ``regret`` (final) and ``regret_t`` (shape ``(T,)``, per
        round), ``comparator`` (best fixed decision in hindsight, shape ``(d,)``),
        ``cumulative_loss``, ``eta`` (step sizes used, shape ``(T,)``), and ``secondary``
        (shape ``(T + 1, d)`` if ``keep_secondary``, else ``None``).
        ``success=False`` with ``status=NUMERICAL`` if a non-finite value appears.
    """
    G = check_losses(grads, "grads")
    etas = check_eta(eta, G.shape[0])
    mode, M = _hints(hints, G)
    ks = check_set(domain, regularizer, G.shape[1])
    return _run_omd(G, etas, 0, 1.0, 1.0, mode, M, ks, regularizer, x1, store_weights,
                    keep_secondary)


def optimistic_ftrl(grads, eta="adaptive", *, hints=None, domain=Ball(), regularizer="euclidean",
                    center=None, diam=None, delta=1.0, store_weights=True) -> OnlineResult:
    r"""Optimistic FTRL [3, Sec. 7.12; 6]:
    :math:`x_t = \arg\min_x \langle L_{t-1} + M_t, x\rangle + \psi(x)/\eta_t`.

    With ``eta="adaptive"`` (the SEA algorithm of Sachs et al. [6], their optimistic FTRL with
    an AdaGrad-type step on the prediction errors):

    .. math::  \eta_t = \frac{D}{\sqrt{\delta + \sum_{s<t}\|g_s - M_s\|^2}},

    with ``D`` the diameter of the set (``diam``) and :math:`M_t = g_{t-1}` by default; in the SEA
    model the expected regret is :math:`O(\sqrt{\sigma^2_{1:T}} + \sqrt{\Sigma^2_{1:T}})` ([6],
    Thm 3 (convex, smooth)).  Deviation: [6] states the rate for this step-size family up to
    constants; ``delta`` (default 1) only avoids the division by zero at ``t = 1``.

    Parameters
    ----------
    grads : array_like, shape (T, d)
        Gradients / loss vectors :math:`g_1, \dots, g_T` (finite), one row per round.
    eta : "adaptive", float or array_like, shape (T,)
        ``"adaptive"``: the step :math:`\eta_t` above; otherwise fixed learning rate(s) ``> 0``.
    hints : None, "previous", "zero" or array_like, shape (T, d)
        ``None``/``"previous"``: :math:`M_t = g_{t-1}` (:math:`M_1 = 0`); ``"zero"``: no hint
        (plain FTRL); an array gives :math:`M_t` row by row.
    domain, regularizer, center, store_weights
        As in :func:`ftrl` (default ``Ball()``, the unit ball, with the Euclidean regularizer).
    diam : float, optional
        ``D`` (default ``domain.diameter(d)``, 1 if that is 0); only with
        ``eta="adaptive"``.
    delta : float
        ``> 0``; only with ``eta="adaptive"``.

    Returns
    -------
    OnlineResult
        ``weights`` (``(T, d)``, or ``(1, d)`` with only the last decision when
        ``store_weights=False``), ``regret`` (final) and ``regret_t`` (shape ``(T,)``, per
        round), ``comparator`` (best fixed decision in hindsight, shape ``(d,)``),
        ``cumulative_loss`` and ``eta`` (step sizes used, shape ``(T,)``).
        ``success=False`` with ``status=NUMERICAL`` if a non-finite value appears.
    """
    G = check_losses(grads, "grads")
    T, d = G.shape
    mode, M = _hints(hints, G)
    if isinstance(eta, str):
        if eta != "adaptive":
            raise ValueError(f"unknown `eta`={eta!r}; pass 'adaptive' or a positive number")
        ks = check_set(domain, regularizer, d)
        D = _diam(diam, ks, d)
        delta = check_scalar(delta, "delta", lo=0, lo_inclusive=False)
        return _run_ftrl(G, np.empty(T), 1, D, delta, mode, M, ks, center, store_weights)
    etas = check_eta(eta, T)
    ks = check_set(domain, regularizer, d)
    return _run_ftrl(G, etas, 0, 1.0, 1.0, mode, M, ks, center, store_weights)


def _diam(diam, ks: KernelSet, d):
    """``D`` of the adaptive steps: ``diam``, else the set's diameter (1 if that is 0)."""
    if diam is None:
        D = ks.set.diameter(d)
        return D if D > 0 else 1.0
    return check_scalar(diam, "diam", lo=0, lo_inclusive=False)


def sea_omd(grads, *, G_max, hints=None, domain=Ball(), x1=None, diam=None, delta=1.0,
            store_weights=True, keep_secondary=False) -> OnlineResult:
    r"""SEA-adaptive optimistic OMD (Euclidean) of Chen, Zhang, Tu, Zhao, Zhang [5]:

    .. math::

        x_t = \Pi(\hat x_t - \eta_t M_t), \quad \hat x_{t+1} = \Pi(\hat x_t - \eta_t g_t), \quad
        \eta_t = \frac{D}{\sqrt{\delta + 4G^2 + \sum_{s<t}\|g_s - M_s\|^2}},

    with :math:`M_t = g_{t-1}` (:math:`M_1 = 0`) by default, ``D`` the diameter and ``G`` a bound
    on :math:`\|g_t\|`.  Theorem ([5], Thm 1, convex and smooth losses in the SEA model):
    :math:`\mathbb E[R_T] = O(\sqrt{\sigma^2_{1:T} + \Sigma^2_{1:T}})`; for a fixed loss
    (:math:`\sigma = \Sigma = 0`) the regret is :math:`O(1)` (``online.sea_*``).

    Parameters
    ----------
    grads : array_like, shape (T, d)
        Gradients / loss vectors :math:`g_1, \dots, g_T` (finite), one row per round.
    G_max : float
        Gradient-norm bound ``G > 0``.
    hints : None, "previous", "zero" or array_like, shape (T, d)
        As in :func:`optimistic_omd`.
    domain : Ball, Box, Simplex or {"ball", "box", "simplex"}
        Decision set (default ``Ball()``, the unit ball).
    x1, store_weights, keep_secondary
        As in :func:`optimistic_omd` (Euclidean regularizer).
    diam : float, optional
        ``D`` (default the diameter of the set, 1 if that is 0).
    delta : float
        ``> 0``.

    Returns
    -------
    OnlineResult
        ``weights`` (``(T, d)``, or ``(1, d)`` with only the last decision when
        ``store_weights=False``), ``regret`` (final) and ``regret_t`` (shape ``(T,)``, per
        round), ``comparator`` (best fixed decision in hindsight, shape ``(d,)``),
        ``cumulative_loss``, ``eta`` (step sizes used, shape ``(T,)``), and ``secondary``
        (shape ``(T + 1, d)`` if ``keep_secondary``, else ``None``).
        ``success=False`` with ``status=NUMERICAL`` if a non-finite value appears.
    """
    G = check_losses(grads, "grads")
    T, d = G.shape
    G_max = check_scalar(G_max, "G_max", lo=0, lo_inclusive=False)
    delta = check_scalar(delta, "delta", lo=0, lo_inclusive=False)
    mode, M = _hints(hints, G)
    ks = check_set(domain, "euclidean", d)
    D = _diam(diam, ks, d)
    return _run_omd(G, np.empty(T), 1, D, sea_delta(delta, G_max), mode, M, ks, "euclidean", x1,
                    store_weights, keep_secondary)


def sea_delta(delta, G_max) -> float:
    """``delta + 4 G_max^2`` of the SEA step; ``ValueError`` naming both when it overflows."""
    with np.errstate(over="ignore"):
        v = float(np.float64(delta) + 4.0 * np.float64(G_max) ** 2)
    if not np.isfinite(v):
        raise ValueError(f"`delta` + 4 `G_max`^2 overflows (G_max={G_max:g}, delta={delta:g}); "
                         "rescale the gradients")
    return v
