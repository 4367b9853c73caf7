r"""Stateful learners for interactive use: ``x = learner.predict()``, then ``learner.update(g)``.

Each class runs the same update as the function of the same name in
:mod:`equilibria.solvers.online.algorithms` (same kernels: :func:`~._kernels.omd_step`,
:func:`~._kernels.ftrl_step`), so a learner fed the gradients of a sequence reproduces the
function's decisions.  Gradients may depend on the played point (convex losses: pass
:math:`\nabla f_t(x_t)`).

>>> from equilibria.solvers.online.learners import Hedge
>>> learner = Hedge(3, eta=0.5)
>>> x = learner.predict(); learner.update([1.0, 0.0, 0.5])  # doctest: +ELLIPSIS
<...Hedge object at ...>
"""

from __future__ import annotations

import numpy as np

from equilibria._lib.sets import Ball, Simplex
from equilibria._lib.validation import as_float_array, check_scalar

from . import _kernels as K
from ._common import check_point, check_set, check_size
from .algorithms import _diam, sea_delta

__all__ = ["OGD", "OMD", "FTRL", "Hedge", "LogBarrierFTRL", "OptimisticOMD", "OptimisticFTRL",
           "SEAOMD"]


class _Learner:
    """Common state: dimension, set, regularizer, round counter, cumulative gradient.

    ``domain`` is the coerced set (a :class:`Simplex`, :class:`Ball` or :class:`Box` with
    ``dim=d``); ``_ks`` holds it unpacked for the kernels (:func:`~._common.check_set`).
    """

    #: ``(d, d)`` matrices a learner keeps (ONS: ``A``, its inverse and their copies)
    _matrices = 0
    #: name of the dimension argument in messages (``N`` for the experts of Hedge)
    _d_name = "d"

    def __init__(self, d, *, domain, regularizer):
        if self._matrices:  # the (d, d) matrices dominate the memory
            self.d = check_size(self._d_name, d, per=2, factor=self._matrices,
                                what="the learner's state")
        else:
            self.d = check_size(self._d_name, d, factor=4, what="the learner's state")
        self._ks = check_set(domain, regularizer, self.d)
        self.domain, self.regularizer = self._ks.set, regularizer
        self.t = 0
        self.L = np.zeros(self.d)
        self._work = np.empty(self.d)
        self._state = np.full(1, np.inf)  # warm-start multiplier of the simplex normalizations

    def _grad(self, g, name="g"):
        return as_float_array(g, name, ndim=1, shape=(self.d,))

    def _set_args(self):
        return self._ks.kernel_args()

    def _finite(self, x, eta, g):
        """``x`` if finite; else ``ValueError`` naming ``eta`` and ``g`` (the state is kept)."""
        if np.all(np.isfinite(x)):
            return x
        raise ValueError(f"the {self.regularizer} step under/overflows at `eta`={eta:g} with "
                         f"max|g|={float(np.max(np.abs(g))):.3g} (gradient `g`); lower `eta` "
                         "or rescale the gradients")

    def _start(self, x, name, regularizer):
        """The starting point: the centre of the set, or ``x`` checked to lie in it."""
        if x is None:
            return self.domain.center(self.d)
        return check_point(x, name, self._ks, regularizer, self.d).copy()


class OMD(_Learner):
    r"""Online mirror descent :math:`x_{t+1} = \arg\min_x \eta\langle g_t, x\rangle + B_\psi(x, x_t)`.

    Parameters
    ----------
    d : int
        Dimension, ``>= 1``.
    eta : float
        Step size ``> 0``.
    domain : Simplex, Ball, Box or {"simplex", "ball", "box"}
        Decision set (default ``Simplex()``), as in :func:`~equilibria.solvers.online.omd`.
    regularizer : {"entropy", "euclidean", "log_barrier", "tsallis"}
        Regularizer; all but ``"euclidean"`` on the simplex only.
    x1 : array_like, shape (d,), optional
        First point (default: centre of the set).
    """

    def __init__(self, d, eta, *, domain=Simplex(), regularizer="entropy", x1=None):
        super().__init__(d, domain=domain, regularizer=regularizer)
        self.eta = check_scalar(eta, "eta", lo=0, lo_inclusive=False)
        self.x = self._start(x1, "x1", regularizer)

    def predict(self) -> np.ndarray:
        """The decision :math:`x_t` of the current round (a copy)."""
        return self.x.copy()

    def update(self, g):
        """Observe the loss vector / gradient ``g`` of the current round."""
        g = self._grad(g)
        x = np.empty(self.d)
        K.omd_step(self.x, g, self.eta, *self._set_args(), x, self._work)
        self.x = self._finite(x, self.eta, g)
        self.L += g
        self.t += 1
        return self


class OGD(OMD):
    r"""Projected online gradient descent (:class:`OMD` with the Euclidean regularizer).

    Parameters
    ----------
    d : int
        Dimension, ``>= 1``.
    eta : float
        Step size ``> 0``.
    domain : Ball, Box, Simplex or {"ball", "box", "simplex"}
        Decision set (Euclidean projection onto it); default ``Ball()``, the unit ball.
    x1 : array_like, shape (d,), optional
        First point (default: centre of the set); must lie in the set.

    Attributes
    ----------
    t : int
        Number of rounds observed so far (calls of ``update``).
    L : ndarray, shape (d,)
        Cumulative gradient :math:`L_t = \sum_{s \le t} g_s`.
    x : ndarray, shape (d,)
        Current decision :math:`x_t`.
    """

    def __init__(self, d, eta, *, domain=Ball(), x1=None):
        super().__init__(d, eta, domain=domain, regularizer="euclidean", x1=x1)


class FTRL(_Learner):
    r"""Lazy FTRL :math:`x_t = \arg\min_x\langle L_{t-1}, x\rangle + \psi(x)/\eta`.

    Parameters
    ----------
    d : int
        Dimension, ``>= 1``.
    eta : float
        Learning rate ``> 0``.
    domain : Simplex, Ball, Box or {"simplex", "ball", "box"}
        Decision set (default ``Simplex()``).
    regularizer : {"euclidean", "entropy", "log_barrier", "tsallis"}
        Regularizer; the last three on the simplex only.
    center : array_like, shape (d,), optional
        Centre ``c`` of the Euclidean regularizer :math:`\frac12\|x - c\|^2` (a point of the
        set; default its centre).

    Attributes
    ----------
    t : int
        Number of rounds observed so far (calls of ``update``).
    L : ndarray, shape (d,)
        Cumulative gradient :math:`L_t = \sum_{s \le t} g_s`.
    center : ndarray, shape (d,)
        Centre of the Euclidean regularizer.
    """

    def __init__(self, d, eta, *, domain=Simplex(), regularizer="entropy", center=None):
        super().__init__(d, domain=domain, regularizer=regularizer)
        self.eta = check_scalar(eta, "eta", lo=0, lo_inclusive=False)
        self.center = self._start(center, "center", "euclidean")

    def _step(self, theta, eta):
        x = np.empty(self.d)
        K.ftrl_step(theta, eta, *self._set_args(), self.center, x, self._work, self._state)
        if not np.all(np.isfinite(x)):
            self._state[0] = np.inf  # drop the warm start of the failed normalization
        return self._finite(x, eta, theta)

    def predict(self) -> np.ndarray:
        return self._step(self.L, self.eta)

    def update(self, g):
        self.L += self._grad(g)
        self.t += 1
        return self


class Hedge(FTRL):
    r"""Hedge / exponential weights over ``N`` experts (:class:`FTRL` with negative entropy).

    Parameters
    ----------
    N : int
        Number of experts, ``>= 1``.
    eta : float
        Learning rate ``> 0``.

    Attributes
    ----------
    t : int
        Number of rounds observed so far (calls of ``update``).
    L : ndarray, shape (N,)
        Cumulative gradient :math:`L_t = \sum_{s \le t} g_s`.
    """

    _d_name = "N"

    def __init__(self, N, eta):
        super().__init__(N, eta, domain=Simplex(), regularizer="entropy")


class LogBarrierFTRL(FTRL):
    r"""FTRL with the log-barrier on the simplex; losses may be negative estimates.

    Parameters
    ----------
    N : int
        Number of arms / experts, ``>= 1``.
    eta : float
        Learning rate ``> 0``.

    Attributes
    ----------
    t : int
        Number of rounds observed so far (calls of ``update``).
    L : ndarray, shape (N,)
        Cumulative gradient :math:`L_t = \sum_{s \le t} g_s`.
    """

    _d_name = "N"

    def __init__(self, N, eta):
        super().__init__(N, eta, domain=Simplex(), regularizer="log_barrier")


class OptimisticOMD(_Learner):
    r"""Optimistic OMD with hints (default :math:`M_{t+1} = g_t`).

    ``predict()`` plays :math:`x_t = \arg\min_x \eta\langle M_t, x\rangle + B(x, \hat x_t)`;
    ``update(g, hint=None)`` sets :math:`\hat x_{t+1}` and the next hint.  With
    ``eta="sea"`` the step is that of :func:`~equilibria.solvers.online.sea_omd` (needs
    ``G_max``).

    Parameters
    ----------
    d : int
        Dimension, ``>= 1``.
    eta : float or "sea"
        Constant step size ``> 0``, or ``"sea"`` for the adaptive step
        :math:`\eta_t = D/\sqrt{\delta + 4G^2 + \sum_{s<t}\|g_s - M_s\|^2}` (Euclidean
        regularizer only).
    domain : Simplex, Ball, Box or {"simplex", "ball", "box"}
        Decision set (default ``Simplex()``).
    regularizer : {"euclidean", "entropy", "log_barrier", "tsallis"}
        Regularizer; the last three on the simplex only.
    x1 : array_like, shape (d,), optional
        Initial secondary iterate :math:`\hat x_1` (default: centre of the set).
    G_max : float, optional
        Gradient-norm bound ``G > 0``; required with ``eta="sea"``.
    diam : float, optional
        ``D`` for ``eta="sea"`` (default the diameter of the set, 1 if that is 0).
    delta : float
        ``> 0``, used with ``eta="sea"``.

    Attributes
    ----------
    t : int
        Number of rounds observed so far (calls of ``update``).
    L : ndarray, shape (d,)
        Cumulative gradient :math:`L_t = \sum_{s \le t} g_s`.
    xh : ndarray, shape (d,)
        Secondary iterate :math:`\hat x_t`.
    hint : ndarray, shape (d,)
        Hint :math:`M_t` of the current round (zero in round 1).
    eta : float or None
        The constant step size, ``None`` with ``eta="sea"`` (see ``current_eta()``).
    """

    def __init__(self, d, eta, *, domain=Simplex(), regularizer="entropy", x1=None, G_max=None,
                 diam=None, delta=1.0):
        super().__init__(d, domain=domain, regularizer=regularizer)
        if isinstance(eta, str):
            if eta != "sea":
                raise ValueError(f"unknown `eta`={eta!r}; pass 'sea' or a positive number")
            if regularizer != "euclidean":
                raise ValueError("`eta`='sea' needs regularizer='euclidean'")
            G_max = check_scalar(G_max, "G_max", lo=0, lo_inclusive=False)
            self._D = _diam(diam, self._ks, self.d)
            self._delta = sea_delta(check_scalar(delta, "delta", lo=0, lo_inclusive=False),
                                    G_max)
            self.eta = None
        else:
            self.eta = check_scalar(eta, "eta", lo=0, lo_inclusive=False)
        self.xh = self._start(x1, "x1", regularizer)
        self.hint = np.zeros(self.d)
        self._var = 0.0

    def current_eta(self) -> float:
        """Step size of the current round."""
        if self.eta is not None:
            return self.eta
        return self._D / np.sqrt(self._delta + self._var)

    def predict(self) -> np.ndarray:
        x = np.empty(self.d)
        eta = self.current_eta()
        K.omd_step(self.xh, self.hint, eta, *self._set_args(), x, self._work)
        return self._finite(x, eta, self.hint)

    def update(self, g, hint=None):
        """Observe ``g``; the next hint is ``hint`` (default ``g``)."""
        g = self._grad(g)
        new_hint = g.copy() if hint is None else self._grad(hint, "hint").copy()
        eta = self.current_eta()
        xh = np.empty(self.d)
        K.omd_step(self.xh, g, eta, *self._set_args(), xh, self._work)
        self.xh = self._finite(xh, eta, g)
        with np.errstate(over="ignore"):
            self._var += float(np.sum((g - self.hint) ** 2))
        self.L += g
        self.hint = new_hint
        self.t += 1
        return self


class SEAOMD(OptimisticOMD):
    r"""The SEA-adaptive optimistic OMD of Chen et al. (Euclidean; see :func:`sea_omd`).

    Parameters
    ----------
    d : int
        Dimension, ``>= 1``.
    G_max : float
        Gradient-norm bound ``G > 0``.
    domain : Ball, Box, Simplex or {"ball", "box", "simplex"}
        Decision set (Euclidean projection onto it); default ``Ball()``, the unit ball.
    x1 : array_like, shape (d,), optional
        Initial secondary iterate :math:`\hat x_1` (default: centre of the set).
    diam : float, optional
        ``D`` (default the diameter of the set, 1 if that is 0).
    delta : float
        ``> 0``.

    Attributes
    ----------
    t : int
        Number of rounds observed so far (calls of ``update``).
    L : ndarray, shape (d,)
        Cumulative gradient :math:`L_t = \sum_{s \le t} g_s`.
    xh : ndarray, shape (d,)
        Secondary iterate :math:`\hat x_t`.
    hint : ndarray, shape (d,)
        Hint :math:`M_t` of the current round.
    """

    def __init__(self, d, *, G_max, domain=Ball(), x1=None, diam=None, delta=1.0):
        super().__init__(d, "sea", domain=domain, regularizer="euclidean", x1=x1, G_max=G_max,
                         diam=diam, delta=delta)


class OptimisticFTRL(FTRL):
    r"""Optimistic FTRL :math:`x_t = \arg\min_x\langle L_{t-1} + M_t, x\rangle + \psi(x)/\eta_t`.

    ``eta="adaptive"``: :math:`\eta_t = D/\sqrt{\delta + \sum_{s<t}\|g_s - M_s\|^2}` (Sachs et
    al. 2022; see :func:`~equilibria.solvers.online.optimistic_ftrl`).

    Parameters
    ----------
    d : int
        Dimension, ``>= 1``.
    eta : "adaptive" or float
        The adaptive step above, or a constant learning rate ``> 0``.
    domain : Ball, Box, Simplex or {"ball", "box", "simplex"}
        Decision set (default ``Ball()``, the unit ball).
    regularizer : {"euclidean", "entropy", "log_barrier", "tsallis"}
        Regularizer; the last three on the simplex only.
    center : array_like, shape (d,), optional
        Centre of the Euclidean regularizer (a point of the set; default its centre).
    diam : float, optional
        ``D`` for ``eta="adaptive"`` (default the diameter of the set, 1 if that is 0).
    delta : float
        ``> 0``, used with ``eta="adaptive"``.

    Attributes
    ----------
    t : int
        Number of rounds observed so far (calls of ``update``).
    L : ndarray, shape (d,)
        Cumulative gradient :math:`L_t = \sum_{s \le t} g_s`.
    hint : ndarray, shape (d,)
        Hint :math:`M_t` of the current round (zero in round 1).
    eta : float or None
        The constant learning rate, ``None`` with ``eta="adaptive"``.
    """

    def __init__(self, d, eta="adaptive", *, domain=Ball(), regularizer="euclidean", center=None,
                 diam=None, delta=1.0):
        adaptive = isinstance(eta, str)
        if adaptive and eta != "adaptive":
            raise ValueError(f"unknown `eta`={eta!r}; pass 'adaptive' or a positive number")
        super().__init__(d, 1.0 if adaptive else eta, domain=domain, regularizer=regularizer,
                         center=center)
        if adaptive:
            self.eta = None
            self._D = _diam(diam, self._ks, self.d)
            self._delta = check_scalar(delta, "delta", lo=0, lo_inclusive=False)
        self.hint = np.zeros(self.d)
        self._var = 0.0

    def current_eta(self) -> float:
        if self.eta is not None:
            return self.eta
        return self._D / np.sqrt(self._delta + self._var)

    def predict(self) -> np.ndarray:
        return self._step(self.L + self.hint, self.current_eta())

    def update(self, g, hint=None):
        g = self._grad(g)
        self._var += float(np.sum((g - self.hint) ** 2))
        self.L += g
        self.hint = g.copy() if hint is None else self._grad(hint, "hint").copy()
        self.t += 1
        return self
