r"""Bilevel learning with adaptive inexactness: MAID and fixed-schedule HOAG (issue 18 part 4).

The problem is

.. math::

    \min_{\theta \in \mathbb{R}^n} F(\theta) = f(x^*(\theta)) + \tfrac{\mathrm{reg}}{2}
    \|\theta\|^2, \qquad x^*(\theta) = \arg\min_x g(x, \theta),

with a lower level ``g(., theta)`` that is ``mu``-strongly convex and ``L``-smooth in ``x``.
The hypergradient by implicit differentiation is
``grad F = reg theta - B(x*, theta)^T H(x*, theta)^{-1} grad f(x*)`` with
``H = grad_xx g`` and ``B = d/dtheta grad_x g`` (a ``d x n`` matrix).  It is computed inexactly
(:func:`hypergradient`): the lower level to ``||x~ - x*|| <= eps`` (certified by
``||grad_x g(x~)|| <= mu eps``) by Nesterov's accelerated gradient method, the adjoint
``H q = grad f`` by conjugate gradients to ``||H q - grad f|| <= delta``, with an a-posteriori
bound ``omega`` on ``||h - grad F||``.  :func:`bilevel_maid` runs MAID (Salehi et al. 2024):
gradient steps on ``theta`` with a backtracking line search on certified bounds of ``F``, the
accuracy ``eps_k`` shrunk when the bound or the line search fails and relaxed otherwise; with
``schedule="quadratic" | "cubic" | "exponential"`` it runs the HOAG baseline of Pedregosa
(2016) instead (the accuracy fixed a priori, ``eps_k`` a decreasing sequence).

Problem instances: :class:`RidgeProblem` (one log-ridge parameter, exact hypergradient in
closed form), :class:`TVDenoisingProblem` (1-D denoising with smoothed total variation, the
paper's imaging use on small signals), :class:`MultiRidgeProblem` (one log-weight per
coordinate: a multi-hyperparameter quadratic).

References
----------
.. [1] M. S. Salehi, S. Mukherjee, L. Roberts, M. J. Ehrhardt (2024), "An adaptively inexact
   first-order method for bilevel optimization with application to hyperparameter learning",
   arXiv 2308.10098 (SIMODS).  Only the abstract of the stored html (v4) could be read here
   (the search returns the page's opening); the algorithm's constants are taken from the
   authors' implementation, MohammadSadeghSalehi/MAID, ``MAID.py`` (commit 208d073):
   ``epsilon = 1e-1, delta = 1e-1, eta = 1e-4, rho = 0.9, tau = 0.5, beta = 0.1,
   max_bt_loop = 3, nu = 1.05``; the bound test
   ``if (omega / ||p||) > 1 - eta: epsilon = tau * epsilon; delta = tau * delta``; the
   backtracking test ``g + ||grad_upper(x_new)|| epsilon + Lg epsilon**2 / 2 - g_old +
   ||grad_upper(x)|| epsilon <= -beta rho**i eta * eta ||p||**2`` over ``i < j + 10`` trials;
   on success ``epsilon *= nu; beta *= 10/9; delta *= nu``, on failure
   ``epsilon = tau * epsilon; delta = tau * delta``.
.. [2] M. J. Ehrhardt, L. Roberts (2023), "Analyzing inexact hypergradients for bilevel
   learning", IMA J. Appl. Math., arXiv 2301.04764: a-posteriori bounds of the implicit-
   differentiation hypergradient (the bound of :func:`hypergradient` is derived here in the
   same way, term by term, see its Notes).
.. [3] F. Pedregosa (2016), "Hyperparameter optimization with approximate gradient", ICML
   (HOAG): the inexact hypergradient with tolerance sequences decreasing quadratically,
   cubically or exponentially (``0.1 k^-2``, ``0.1 k^-3``, ``0.1 * 0.9^k``; recalled, the
   paper's text was not read here).
"""

from __future__ import annotations

import abc
import dataclasses
import time
from typing import Any

import numpy as np

from equilibria._lib.result import Result, Status, finish
from equilibria._lib.validation import as_float_array, check_int, check_option, check_scalar

__all__ = ["BilevelProblem", "RidgeProblem", "TVDenoisingProblem", "MultiRidgeProblem",
           "ridge_problem", "tv_denoising_problem", "multi_ridge_problem",
           "hypergradient", "HypergradientResult", "bilevel_maid", "BilevelResult",
           "hypergradient_bound", "SCHEDULES", "MAID_CONSTANTS", "bilevel_figure"]

#: the constants of MAID (authors' MAID.py, commit 208d073, see the module references)
MAID_CONSTANTS = {"eps0": 1e-1, "eta": 1e-4, "rho": 0.9, "tau": 0.5, "nu": 1.05,
                  "step_growth": 10.0 / 9.0, "max_bt_loop": 3, "bt_trials": 10}
#: the a-priori accuracy schedules of HOAG (Pedregosa 2016): k -> eps_k / eps0, k = 0, 1, ...
SCHEDULES = {
    "quadratic": lambda k: 1.0 / (k + 1.0) ** 2,
    "cubic": lambda k: 1.0 / (k + 1.0) ** 3,
    "exponential": lambda k: 0.9 ** k,
}
_MAX_BT_LOOP = 3  # retries of the line search per outer iteration (MAID.py max_bt_loop)
_BT_TRIALS = 10  # backtracking trials of the first try (MAID.py: j + 10)
_PHI3 = 1.5 / 1.25 ** 2.5  # max_t |phi'''(t)| gamma^2 for phi(t) = sqrt(t^2 + gamma^2)


# ------------------------------------------------------------------------------ problems
class BilevelProblem(abc.ABC):
    r"""Base class of a bilevel problem with a strongly convex, smooth lower level.

    Subclasses provide the lower level ``g(x, theta)`` through :meth:`lower_grad`,
    :meth:`lower_hess` and :meth:`cross` (``B = d/dtheta grad_x g``, shape ``(d, n)``), the
    upper loss ``f(x)`` (convex, gradient ``L_f``-Lipschitz) through :meth:`upper` and
    :meth:`upper_grad`, the constants of :meth:`constants` and the exact lower solution
    :meth:`solve_exact`.  The upper objective is ``F(theta) = f(x*(theta)) +
    (reg/2)||theta||^2``.

    Attributes
    ----------
    n_theta : int
        Number of hyperparameters.
    dim : int
        Dimension of the lower-level variable.
    reg : float
        Tikhonov weight on ``theta`` in the upper objective.
    """

    n_theta: int = 1
    dim: int = 1
    reg: float = 0.0

    @abc.abstractmethod
    def lower_grad(self, x: np.ndarray, theta: np.ndarray) -> np.ndarray:
        """Gradient of the lower objective in ``x``.

        Parameters
        ----------
        x : ndarray (d,)
            Lower-level point.
        theta : ndarray (n,)
            Hyperparameters.

        Returns
        -------
        ndarray (d,)
        """

    @abc.abstractmethod
    def lower_hess(self, x: np.ndarray, theta: np.ndarray) -> np.ndarray:
        """Hessian of the lower objective in ``x``.

        Parameters
        ----------
        x : ndarray (d,)
            Lower-level point.
        theta : ndarray (n,)
            Hyperparameters.

        Returns
        -------
        ndarray (d, d)
        """

    @abc.abstractmethod
    def cross(self, x: np.ndarray, theta: np.ndarray) -> np.ndarray:
        """Mixed derivative ``B = d/dtheta grad_x g`` at ``(x, theta)``.

        Parameters
        ----------
        x : ndarray (d,)
            Lower-level point.
        theta : ndarray (n,)
            Hyperparameters.

        Returns
        -------
        ndarray (d, n)
        """

    @abc.abstractmethod
    def upper(self, x: np.ndarray) -> float:
        """Upper loss ``f(x)`` (without the ``reg`` term).

        Parameters
        ----------
        x : ndarray (d,)
            Lower-level point.

        Returns
        -------
        float
        """

    @abc.abstractmethod
    def upper_grad(self, x: np.ndarray) -> np.ndarray:
        """Gradient of the upper loss ``f``.

        Parameters
        ----------
        x : ndarray (d,)
            Lower-level point.

        Returns
        -------
        ndarray (d,)
        """

    @abc.abstractmethod
    def constants(self, theta: np.ndarray) -> dict[str, float]:
        """Constants of the lower level and the upper loss at ``theta``.

        Parameters
        ----------
        theta : ndarray (n,)
            Hyperparameters.

        Returns
        -------
        dict
            ``mu`` (strong convexity of ``g``), ``L`` (smoothness of ``g``), ``L_f``
            (Lipschitz constant of ``grad f``), ``L_B`` (of ``x -> B(x, theta)`` in the
            spectral norm), ``L_H`` (of ``x -> H(x, theta)``; 0 for quadratic lower levels).
        """

    @abc.abstractmethod
    def solve_exact(self, theta: np.ndarray) -> np.ndarray:
        """The lower-level minimiser ``x*(theta)`` to rounding (direct solve or Newton).

        Parameters
        ----------
        theta : ndarray (n,)
            Hyperparameters.

        Returns
        -------
        ndarray (d,)
        """

    def x0(self) -> np.ndarray:
        """Default warm start of the lower level (zeros).

        Returns
        -------
        ndarray (d,)
        """
        return np.zeros(self.dim)

    def objective(self, theta) -> float:
        """The exact upper objective ``F(theta)`` (lower level solved by :meth:`solve_exact`).

        Parameters
        ----------
        theta : array_like (n,)
            Hyperparameters.

        Returns
        -------
        float
        """
        th = self._theta(theta)
        return self.upper(self.solve_exact(th)) + 0.5 * self.reg * float(th @ th)

    def exact_hypergradient(self, theta) -> np.ndarray:
        """The hypergradient ``grad F(theta)`` with the lower level and adjoint solved directly.

        Parameters
        ----------
        theta : array_like (n,)
            Hyperparameters.

        Returns
        -------
        ndarray (n,)
        """
        th = self._theta(theta)
        xs = self.solve_exact(th)
        q = np.linalg.solve(self.lower_hess(xs, th), self.upper_grad(xs))
        return self.reg * th - self.cross(xs, th).T @ q

    def _theta(self, theta, name: str = "theta") -> np.ndarray:
        th = as_float_array(theta, name, ndim=(0, 1)).reshape(-1)
        if th.size != self.n_theta:
            raise ValueError(f"`{name}` must have {self.n_theta} entries, got {th.size}")
        if np.any(np.abs(th) > 30.0):
            raise ValueError(f"`{name}` (log-weights) must lie in [-30, 30], got {th}")
        return th


@dataclasses.dataclass(frozen=True, eq=False)
class RidgeProblem(BilevelProblem):
    r"""Learning a ridge parameter: one log-weight, exact hypergradient available.

    Lower level ``g(x, theta) = (1/2)||A x - b||^2 + (e^theta / 2)||x||^2`` (``mu =
    sigma_min(A)^2 + e^theta``, ``L = sigma_max(A)^2 + e^theta``, ``B = e^theta x``, ``L_B =
    e^theta``, ``L_H = 0``); upper loss ``f(x) = (1/2)||A_val x - b_val||^2`` (``L_f =
    ||A_val||^2``).

    Parameters
    ----------
    A, b : ndarray (m, d), (m,)
        Training data.
    A_val, b_val : ndarray (p, d), (p,)
        Validation data.
    reg : float, default 0
        Tikhonov weight on ``theta`` in the upper objective.
    """

    A: np.ndarray
    b: np.ndarray
    A_val: np.ndarray
    b_val: np.ndarray
    reg: float = 0.0
    _AtA: np.ndarray = dataclasses.field(init=False, repr=False)
    _Atb: np.ndarray = dataclasses.field(init=False, repr=False)

    def __post_init__(self):
        A = as_float_array(self.A, "A", ndim=2, min_size=1)
        d = A.shape[1]
        b = as_float_array(self.b, "b", shape=(A.shape[0],))
        Av = as_float_array(self.A_val, "A_val", ndim=2, shape=(None, d))
        bv = as_float_array(self.b_val, "b_val", shape=(Av.shape[0],))
        for k, v in (("A", A), ("b", b), ("A_val", Av), ("b_val", bv)):
            object.__setattr__(self, k, v)
        object.__setattr__(self, "reg", check_scalar(self.reg, "reg", lo=0.0))
        s = np.linalg.svd(A, compute_uv=False)
        object.__setattr__(self, "_smin2", float(s[-1] ** 2) if A.shape[0] >= d else 0.0)
        object.__setattr__(self, "_smax2", float(s[0] ** 2))
        object.__setattr__(self, "_Lf", float(np.linalg.norm(Av, 2) ** 2))
        object.__setattr__(self, "_AtA", A.T @ A)
        object.__setattr__(self, "_Atb", A.T @ b)

    @property
    def dim(self) -> int:  # type: ignore[override]
        """Dimension of ``x``."""
        return self.A.shape[1]

    @property
    def n_theta(self) -> int:  # type: ignore[override]
        """One hyperparameter."""
        return 1

    def _lam(self, theta):
        return np.exp(theta)

    def lower_grad(self, x, theta):  # noqa: D102 (documented on the base class)
        return self._AtA @ x - self._Atb + self._lam(theta)[0] * x

    def lower_hess(self, x, theta):  # noqa: D102
        return self._AtA + self._lam(theta)[0] * np.eye(self.dim)

    def cross(self, x, theta):  # noqa: D102
        return (self._lam(theta)[0] * x)[:, None]

    def upper(self, x):  # noqa: D102
        r = self.A_val @ x - self.b_val
        return 0.5 * float(r @ r)

    def upper_grad(self, x):  # noqa: D102
        return self.A_val.T @ (self.A_val @ x - self.b_val)

    def constants(self, theta):  # noqa: D102
        lam = float(self._lam(theta)[0])
        return {"mu": self._smin2 + lam, "L": self._smax2 + lam, "L_f": self._Lf,
                "L_B": lam, "L_H": 0.0}

    def solve_exact(self, theta):  # noqa: D102
        return np.linalg.solve(self.lower_hess(None, theta), self._Atb)

    def closed_form_hypergradient(self, theta) -> np.ndarray:
        """The exact hypergradient in closed form (independent of the adjoint machinery).

        ``x* = (A^T A + lam I)^{-1} A^T b``, ``dx*/dtheta = -lam (A^T A + lam I)^{-1} x*``,
        ``dF/dtheta = grad f(x*) . dx*/dtheta + reg theta`` (``lam = e^theta``).

        Parameters
        ----------
        theta : array_like (1,)
            The log-ridge parameter.

        Returns
        -------
        ndarray (1,)
        """
        th = self._theta(theta)
        lam = float(np.exp(th[0]))
        M = self._AtA + lam * np.eye(self.dim)
        xs = np.linalg.solve(M, self._Atb)
        dx = -lam * np.linalg.solve(M, xs)
        return np.array([float(self.upper_grad(xs) @ dx) + self.reg * th[0]])


@dataclasses.dataclass(frozen=True, eq=False)
class MultiRidgeProblem(RidgeProblem):
    r"""A multi-hyperparameter quadratic: one log-weight per coordinate.

    Lower level ``g(x, theta) = (1/2)||A x - b||^2 + (1/2) sum_j e^{theta_j} x_j^2`` (``mu >=
    sigma_min(A)^2 + min_j e^{theta_j}``, ``B = diag(e^theta x)``, ``L_B = max_j
    e^{theta_j}``, ``L_H = 0``); upper loss as in :class:`RidgeProblem`.

    Parameters
    ----------
    A, b : ndarray (m, d), (m,)
        Training data.
    A_val, b_val : ndarray (p, d), (p,)
        Validation data.
    reg : float, default 0
        Tikhonov weight on ``theta`` in the upper objective.
    """

    @property
    def n_theta(self) -> int:  # type: ignore[override]
        """One hyperparameter per coordinate."""
        return self.A.shape[1]

    def lower_grad(self, x, theta):  # noqa: D102
        return self._AtA @ x - self._Atb + np.exp(theta) * x

    def lower_hess(self, x, theta):  # noqa: D102
        return self._AtA + np.diag(np.exp(theta))

    def cross(self, x, theta):  # noqa: D102
        return np.diag(np.exp(theta) * x)

    def constants(self, theta):  # noqa: D102
        lam = np.exp(theta)
        return {"mu": self._smin2 + float(lam.min()), "L": self._smax2 + float(lam.max()),
                "L_f": self._Lf, "L_B": float(lam.max()), "L_H": 0.0}

    def solve_exact(self, theta):  # noqa: D102
        return np.linalg.solve(self.lower_hess(None, theta), self._Atb)

    def closed_form_hypergradient(self, theta) -> np.ndarray:
        """The exact hypergradient: ``dx*/dtheta_j = -lam_j x*_j M^{-1} e_j``.

        Parameters
        ----------
        theta : array_like (d,)
            The log-weights.

        Returns
        -------
        ndarray (d,)
        """
        th = self._theta(theta)
        lam = np.exp(th)
        M = self._AtA + np.diag(lam)
        xs = np.linalg.solve(M, self._Atb)
        J = -np.linalg.solve(M, np.diag(lam * xs))  # column j = dx*/dtheta_j
        return J.T @ self.upper_grad(xs) + self.reg * th


def _forward_difference(d: int) -> np.ndarray:
    D = np.zeros((d - 1, d))
    i = np.arange(d - 1)
    D[i, i], D[i, i + 1] = -1.0, 1.0
    return D


@dataclasses.dataclass(frozen=True, eq=False)
class TVDenoisingProblem(BilevelProblem):
    r"""1-D denoising with smoothed total variation: learn the log-weight of the regulariser.

    Lower level ``g(x, theta) = (1/2)||x - y||^2 + e^theta sum_i phi((D x)_i)`` with ``phi(t) =
    sqrt(t^2 + gamma^2)`` and ``D`` the forward difference (``||D|| <= 2``): ``mu = 1``, ``L =
    1 + 4 e^theta / gamma``; ``B = e^theta D^T phi'(D x)``, ``L_B = 4 e^theta / gamma``
    (``phi'' <= 1/gamma``), ``L_H = 8 e^theta c_3 / gamma^2`` (``|phi'''| <= c_3/gamma^2``,
    ``c_3 = 1.5 / 1.25^2.5``, ``||D v||_inf <= 2||v||``).  Upper loss
    ``f(x) = (1/2)||x - x_true||^2`` (``L_f = 1``).

    Parameters
    ----------
    y : ndarray (d,)
        Noisy signal, ``d >= 2``.
    x_true : ndarray (d,)
        Clean signal.
    gamma : float, default 0.05
        Smoothing of the total variation, in ``[1e-6, 1e6]``.
    reg : float, default 0
        Tikhonov weight on ``theta`` in the upper objective.
    """

    y: np.ndarray
    x_true: np.ndarray
    gamma: float = 0.05
    reg: float = 0.0
    _D: np.ndarray = dataclasses.field(init=False, repr=False)

    def __post_init__(self):
        y = as_float_array(self.y, "y", ndim=1, min_size=2)
        xt = as_float_array(self.x_true, "x_true", shape=y.shape)
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "x_true", xt)
        # L = 1 + 4 e^theta / gamma: outside [1e-6, 1e6] the lower level is either
        # hopelessly ill-conditioned or phi is a quadratic in double precision
        object.__setattr__(self, "gamma", check_scalar(self.gamma, "gamma", lo=1e-6, hi=1e6))
        object.__setattr__(self, "reg", check_scalar(self.reg, "reg", lo=0.0))
        object.__setattr__(self, "_D", _forward_difference(y.size))

    @property
    def dim(self) -> int:  # type: ignore[override]
        """Signal length."""
        return self.y.size

    @property
    def n_theta(self) -> int:  # type: ignore[override]
        """One hyperparameter."""
        return 1

    def _dphi(self, t):
        return t / np.sqrt(t * t + self.gamma ** 2)

    def _ddphi(self, t):
        return self.gamma ** 2 / (t * t + self.gamma ** 2) ** 1.5

    def lower_value(self, x, theta) -> float:
        """The lower objective ``g(x, theta)``.

        Parameters
        ----------
        x : ndarray (d,)
            Signal.
        theta : ndarray (1,)
            Log-weight.

        Returns
        -------
        float
        """
        t = self._D @ x
        return (0.5 * float((x - self.y) @ (x - self.y))
                + float(np.exp(theta[0])) * float(np.sum(np.sqrt(t * t + self.gamma ** 2))))

    def lower_grad(self, x, theta):  # noqa: D102
        return x - self.y + np.exp(theta[0]) * (self._D.T @ self._dphi(self._D @ x))

    def lower_hess(self, x, theta):  # noqa: D102
        w = self._ddphi(self._D @ x)
        return np.eye(self.dim) + np.exp(theta[0]) * (self._D.T * w) @ self._D

    def cross(self, x, theta):  # noqa: D102
        return (np.exp(theta[0]) * (self._D.T @ self._dphi(self._D @ x)))[:, None]

    def upper(self, x):  # noqa: D102
        r = x - self.x_true
        return 0.5 * float(r @ r)

    def upper_grad(self, x):  # noqa: D102
        return x - self.x_true

    def constants(self, theta):  # noqa: D102
        lam = float(np.exp(theta[0]))
        return {"mu": 1.0, "L": 1.0 + 4.0 * lam / self.gamma, "L_f": 1.0,
                "L_B": 4.0 * lam / self.gamma, "L_H": 8.0 * lam * _PHI3 / self.gamma ** 2}

    def solve_exact(self, theta):  # noqa: D102
        x = self.y.copy()
        for _ in range(100):  # damped Newton; g strongly convex, so it converges
            gr = self.lower_grad(x, theta)
            if np.linalg.norm(gr) <= 1e-13 * (1.0 + np.linalg.norm(self.y)):
                break
            step = np.linalg.solve(self.lower_hess(x, theta), gr)
            # near the minimiser the value decrease falls below rounding: a full step that
            # shrinks the gradient is taken without the Armijo test on values
            if np.linalg.norm(self.lower_grad(x - step, theta)) < 0.5 * np.linalg.norm(gr):
                x = x - step
                continue
            t, g0 = 1.0, self.lower_value(x, theta)
            while self.lower_value(x - t * step, theta) > g0 - 0.25 * t * float(gr @ step):
                t *= 0.5
                if t < 1e-12:
                    break
            x = x - t * step
        return x

    def x0(self) -> np.ndarray:  # noqa: D102
        return self.y.copy()


_MAX_ENTRIES = 10**8


def _sizes(m, d, p):
    """Validated sample / feature counts; the dense designs must fit in memory."""
    m, d, p = check_int(m, "m", lo=1), check_int(d, "d", lo=1), check_int(p, "p", lo=1)
    if (m + p) * d > _MAX_ENTRIES:
        raise ValueError(f"`m` = {m}, `p` = {p} and `d` = {d} give dense designs with "
                         f"(m + p) d = {(m + p) * d} > {_MAX_ENTRIES} entries")
    return m, d, p


def _gaussian_data(rng, m, d, p, noise):
    A = rng.normal(size=(m, d)) / np.sqrt(m)
    x_true = rng.normal(size=d)
    b = A @ x_true + noise * rng.normal(size=m)
    A_val = rng.normal(size=(p, d)) / np.sqrt(p)
    b_val = A_val @ x_true + noise * rng.normal(size=p)
    return A, b, A_val, b_val


def ridge_problem(seed=None, *, m: int = 40, d: int = 10, p: int = 40, noise: float = 0.5,
                  reg: float = 0.0) -> RidgeProblem:
    """A random ridge-parameter learning problem (Gaussian design, noisy targets).

    Parameters
    ----------
    seed : None, int, SeedSequence or Generator
        Randomness.
    m, d, p : int
        Training samples, features, validation samples.
    noise : float
        Standard deviation of the target noise.
    reg : float
        Tikhonov weight on ``theta``.

    Returns
    -------
    RidgeProblem
    """
    from equilibria._lib.rng import as_generator

    rng = as_generator(seed)
    m, d, p = _sizes(m, d, p)
    noise = check_scalar(noise, "noise", lo=0.0)
    A, b, A_val, b_val = _gaussian_data(rng, m, d, p, noise)
    return RidgeProblem(A, b, A_val, b_val, reg=reg)


def multi_ridge_problem(seed=None, *, m: int = 30, d: int = 5, p: int = 30,
                        noise: float = 0.5, reg: float = 1e-2) -> MultiRidgeProblem:
    """A random multi-hyperparameter quadratic (one log-weight per coordinate).

    Parameters
    ----------
    seed : None, int, SeedSequence or Generator
        Randomness.
    m, d, p : int
        Training samples, features (= hyperparameters), validation samples.
    noise : float
        Standard deviation of the target noise.
    reg : float
        Tikhonov weight on ``theta`` (positive by default: keeps the minimiser finite).

    Returns
    -------
    MultiRidgeProblem
    """
    from equilibria._lib.rng import as_generator

    rng = as_generator(seed)
    m, d, p = _sizes(m, d, p)
    noise = check_scalar(noise, "noise", lo=0.0)
    A, b, A_val, b_val = _gaussian_data(rng, m, d, p, noise)
    return MultiRidgeProblem(A, b, A_val, b_val, reg=reg)


def tv_denoising_problem(seed=None, *, d: int = 48, noise: float = 0.1, gamma: float = 0.05,
                         reg: float = 0.0) -> TVDenoisingProblem:
    """A random piecewise-constant signal in ``[0, 1]`` with Gaussian noise, for TV denoising.

    Parameters
    ----------
    seed : None, int, SeedSequence or Generator
        Randomness.
    d : int
        Signal length (``>= 4``).
    noise : float
        Noise standard deviation.
    gamma : float
        Smoothing of the total variation.
    reg : float
        Tikhonov weight on ``theta``.

    Returns
    -------
    TVDenoisingProblem
    """
    from equilibria._lib.rng import as_generator

    rng = as_generator(seed)
    d = check_int(d, "d", lo=4, hi=10_000)  # the lower Hessian is a dense d x d matrix
    noise = check_scalar(noise, "noise", lo=0.0)
    n_jumps = int(rng.integers(2, 5))
    cuts = np.sort(rng.choice(np.arange(1, d), size=min(n_jumps, d - 1), replace=False))
    x_true = np.zeros(d)
    for lo, hi in zip(np.r_[0, cuts], np.r_[cuts, d]):
        x_true[lo:hi] = rng.uniform(0.0, 1.0)
    y = x_true + noise * rng.normal(size=d)
    return TVDenoisingProblem(y, x_true, gamma=gamma, reg=reg)


# ------------------------------------------------------------------------------ subsolvers
def lower_solve(problem: BilevelProblem, theta, eps: float, *, x0=None,
                max_iter: int = 100_000) -> tuple[np.ndarray, int, bool]:
    r"""Solve the lower level to ``||x - x*(theta)|| <= eps`` by Nesterov's accelerated gradient.

    Constant momentum ``(sqrt(L) - sqrt(mu)) / (sqrt(L) + sqrt(mu))``, step ``1/L``; the
    stopping rule ``||grad_x g(y)|| <= mu eps`` certifies ``||y - x*|| <= eps`` by strong
    convexity (Nesterov 2018, Lectures on Convex Optimization, Sec. 2.2, constant-step scheme).

    Parameters
    ----------
    problem : BilevelProblem
        The problem.
    theta : ndarray (n,)
        Hyperparameters.
    eps : float
        Required accuracy of ``x``.
    x0 : ndarray (d,), optional
        Warm start (default ``problem.x0()``).
    max_iter : int
        Budget of gradient evaluations.

    Returns
    -------
    x : ndarray (d,)
        The point returned (the last one whose gradient was evaluated).
    n_grad : int
        Gradient evaluations of the lower objective (the cost counted as lower-level
        iterations).
    ok : bool
        Whether the stopping rule was met.
    """
    c = problem.constants(theta)
    mu, L = c["mu"], c["L"]
    mom = (np.sqrt(L) - np.sqrt(mu)) / (np.sqrt(L) + np.sqrt(mu))
    x = problem.x0() if x0 is None else np.array(x0, dtype=float)
    x_prev = x
    target = mu * eps
    for it in range(1, max_iter + 1):
        y = x + mom * (x - x_prev)
        gy = problem.lower_grad(y, theta)
        if float(np.sqrt(gy @ gy)) <= target:
            return y, it, True
        x_prev, x = x, y - gy / L
    return y, max_iter, False


def _cg(H: np.ndarray, rhs: np.ndarray, tol: float, max_iter: int):
    """Conjugate gradients on ``H q = rhs`` from zero until ``||H q - rhs|| <= tol``."""
    q = np.zeros_like(rhs)
    r = rhs.copy()
    rs = float(r @ r)
    if np.sqrt(rs) <= tol:
        return q, 0, True
    p = r.copy()
    for k in range(1, max_iter + 1):
        Hp = H @ p
        a = rs / float(p @ Hp)
        q += a * p
        r -= a * Hp
        rs_new = float(r @ r)
        if np.sqrt(rs_new) <= tol:
            return q, k, True
        p = r + (rs_new / rs) * p
        rs = rs_new
    # report the true residual of the last iterate
    return q, max_iter, bool(np.linalg.norm(H @ q - rhs) <= tol)


def hypergradient_bound(*, eps: float, delta: float, norm_B: float, norm_grad_f: float,
                        mu: float, L_f: float, L_B: float, L_H: float) -> float:
    r"""The a-posteriori bound on the hypergradient error of :func:`hypergradient`.

    .. math::

        \omega = \frac{\|B\|}{\mu}\delta + \frac{\|B\| L_f}{\mu}\varepsilon
        + \Big(\frac{L_B}{\mu} + \frac{\|B\| L_H}{\mu^2}\Big)
          (\|\nabla f(\tilde x)\| + L_f\varepsilon)\,\varepsilon .

    Parameters
    ----------
    eps : float
        Lower-level accuracy ``||x~ - x*|| <= eps``.
    delta : float
        Adjoint residual ``||H(x~) q - grad f(x~)|| <= delta``.
    norm_B : float
        ``||B(x~, theta)||`` (spectral norm).
    norm_grad_f : float
        ``||grad f(x~)||``.
    mu, L_f, L_B, L_H : float
        Constants of :meth:`BilevelProblem.constants`.

    Returns
    -------
    float
    """
    eps, delta, norm_B, norm_grad_f, L_f, L_B, L_H = (
        check_scalar(v, n, lo=0.0) for v, n in ((eps, "eps"), (delta, "delta"),
                                                (norm_B, "norm_B"),
                                                (norm_grad_f, "norm_grad_f"), (L_f, "L_f"),
                                                (L_B, "L_B"), (L_H, "L_H")))
    mu = check_scalar(mu, "mu", lo=0.0, lo_inclusive=False)
    with np.errstate(all="ignore"):
        om = float(_omega(*map(np.float64, (eps, delta, norm_B, norm_grad_f, mu, L_f, L_B,
                                             L_H))))
    if not np.isfinite(om):
        raise ValueError(f"the bound overflows for eps = {eps:g}, delta = {delta:g}, norm_B = "
                         f"{norm_B:g}, norm_grad_f = {norm_grad_f:g}, mu = {mu:g}, L_f = "
                         f"{L_f:g}, L_B = {L_B:g}, L_H = {L_H:g}")
    return om


def _omega(eps, delta, norm_B, norm_grad_f, mu, L_f, L_B, L_H):
    gf = norm_grad_f + L_f * eps  # >= ||grad f(x*)||
    return (norm_B * delta / mu + norm_B * L_f * eps / mu
            + (L_B / mu + norm_B * L_H / mu ** 2) * gf * eps)


@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class HypergradientResult(Result):
    """Result of :func:`hypergradient`.

    Attributes
    ----------
    grad : ndarray (n,)
        The inexact hypergradient ``h``.
    bound : float
        The a-posteriori bound ``omega >= ||h - grad F(theta)||``.
    x : ndarray (d,)
        The lower-level point ``x~`` used.
    upper : float
        ``f(x~) + (reg/2)||theta||^2``.
    norm_grad_f : float
        ``||grad f(x~)||``.
    lower_iterations : int
        Lower-level gradient evaluations.
    cg_iterations : int
        Conjugate-gradient iterations of the adjoint.
    eps, delta : float
        The accuracies used.
    """

    grad: np.ndarray
    bound: float
    x: np.ndarray
    upper: float
    norm_grad_f: float
    lower_iterations: int
    cg_iterations: int
    eps: float
    delta: float


def _hypergradient(problem, th, eps, delta, x0, max_lower, constants=None):
    x, n_low, ok_low = lower_solve(problem, th, eps, x0=x0, max_iter=max_lower)
    H = problem.lower_hess(x, th)
    gf = problem.upper_grad(x)
    q, n_cg, ok_cg = _cg(H, gf, delta, max_iter=20 * problem.dim + 20)
    B = problem.cross(x, th)
    h = problem.reg * th - B.T @ q  # implicit function theorem: grad F = -B^T H^{-1} grad f
    c = problem.constants(th) if constants is None else constants(problem, th)
    ngf = float(np.linalg.norm(gf))
    omega = _omega(eps, delta, float(np.linalg.norm(B, 2)), ngf, c["mu"], c["L_f"], c["L_B"],
                   c["L_H"])
    up = problem.upper(x) + 0.5 * problem.reg * float(th @ th)
    return h, omega, x, up, ngf, n_low, n_cg, ok_low and ok_cg


def hypergradient(problem: BilevelProblem, theta, *, eps: float, delta: float | None = None,
                  x0=None, max_iter: int = 100_000, constants=None) -> HypergradientResult:
    r"""Inexact hypergradient by implicit differentiation with a CG adjoint, and its error bound.

    Solves the lower level to ``||x~ - x*|| <= eps`` (:func:`lower_solve`), the adjoint
    ``H(x~) q = grad f(x~)`` by conjugate gradients to ``||H q - grad f|| <= delta``, and
    returns ``h = reg theta - B(x~)^T q`` with the a-posteriori bound ``omega`` of
    :func:`hypergradient_bound`.

    Parameters
    ----------
    problem : BilevelProblem
        The bilevel problem.
    theta : array_like (n,)
        Hyperparameters.
    eps : float
        Lower-level accuracy (``> 0``).
    delta : float, optional
        Adjoint residual tolerance (default ``eps``).
    x0 : ndarray (d,), optional
        Warm start of the lower level.
    max_iter : int
        Budget of lower-level gradient evaluations.
    constants : callable, optional
        ``constants(problem, theta) -> dict`` replacing :meth:`BilevelProblem.constants` in
        the bound (for checks that a wrong constant breaks it).

    Returns
    -------
    HypergradientResult
        ``success`` when the lower level and the adjoint met their tolerances.

    Notes
    -----
    With ``q* = H*^{-1} grad f*`` at ``x*``, ``h - grad F = -[B~^T (q - H~^{-1} grad f~) +
    B~^T (H~^{-1} grad f~ - H*^{-1} grad f*) + (B~ - B*)^T q*]``.  The three norms are at most
    ``||B~|| delta / mu``, ``||B~|| (L_f eps / mu + L_H eps ||grad f*|| / mu^2)`` and
    ``L_B eps ||grad f*|| / mu``, and ``||grad f*|| <= ||grad f~|| + L_f eps``: the bound of
    :func:`hypergradient_bound` (the argument of Ehrhardt & Roberts 2023, a-posteriori
    version; a standard perturbation bound, not quoted from [1]).

    References
    ----------
    .. [1] M. J. Ehrhardt, L. Roberts (2023), "Analyzing inexact hypergradients for bilevel
       learning", IMA J. Appl. Math., arXiv 2301.04764.
    """
    if not isinstance(problem, BilevelProblem):
        raise TypeError(f"`problem` must be a BilevelProblem, got {type(problem).__name__}")
    th = problem._theta(theta)
    eps = check_scalar(eps, "eps", lo=0.0, lo_inclusive=False)
    delta = eps if delta is None else check_scalar(delta, "delta", lo=0.0, lo_inclusive=False)
    max_iter = check_int(max_iter, "max_iter", lo=1)
    x_start = None if x0 is None else as_float_array(x0, "x0", shape=(problem.dim,))
    h, om, x, up, ngf, nl, nc, ok = _hypergradient(problem, th, eps, delta, x_start, max_iter,
                                                   constants)
    finite = bool(np.isfinite(om) and np.all(np.isfinite(h)) and np.isfinite(up))
    if not finite:
        return finish(HypergradientResult, success=False, status=Status.NUMERICAL, n_iter=nl,
                      message=f"the hypergradient or its bound is not finite (bound {om:.3g}, "
                              f"eps = {eps:.3g}, delta = {delta:.3g})",
                      hint="lower `eps`/`delta`: the bound grows like eps^2",
                      grad=h, bound=float(om), x=x, upper=float(up), norm_grad_f=ngf,
                      lower_iterations=nl, cg_iterations=nc, eps=eps, delta=delta)
    return finish(HypergradientResult, success=ok,
                  status=Status.SUCCESS if ok else Status.MAX_ITER, n_iter=nl,
                  message=None if ok else "the lower level or the adjoint missed its tolerance",
                  hint=None if ok else "increase `max_iter` or loosen `eps`/`delta`",
                  grad=h, bound=float(om), x=x, upper=float(up), norm_grad_f=ngf,
                  lower_iterations=nl, cg_iterations=nc, eps=eps, delta=delta)


# ------------------------------------------------------------------------------ MAID / HOAG
@dataclasses.dataclass(frozen=True, kw_only=True, repr=False)
class BilevelResult(Result):
    """Result of :func:`bilevel_maid`.

    Attributes
    ----------
    theta : ndarray (n,)
        The final hyperparameters.
    x : ndarray (d,)
        The last lower-level point.
    schedule : str
        ``"adaptive"`` (MAID) or the HOAG schedule.
    eps_history : ndarray (K,)
        The accuracy ``eps_k`` of the hypergradient accepted at outer iteration ``k``.
    theta_history : ndarray (K, n)
        ``theta_k`` at which that hypergradient was computed.
    grad_history : ndarray (K, n)
        The inexact hypergradients ``h_k``.
    grad_norms : ndarray (K,)
        ``||h_k||``.
    bound_history : ndarray (K,)
        The bounds ``omega_k >= ||h_k - grad F(theta_k)||``.
    step_history : ndarray (K,)
        The accepted step (0 where the line search failed).
    lower_history : ndarray (K,)
        Cumulative lower-level gradient evaluations at the end of iteration ``k``.
    lower_iterations : int
        Total lower-level gradient evaluations (hypergradients and line searches).
    cg_iterations : int
        Total conjugate-gradient iterations.
    certified_grad_norm : float
        ``||h|| + omega`` at the last hypergradient, an upper bound on ``||grad F(theta)||``.
    """

    theta: np.ndarray
    x: np.ndarray
    schedule: str
    eps_history: np.ndarray
    theta_history: np.ndarray
    grad_history: np.ndarray
    grad_norms: np.ndarray
    bound_history: np.ndarray
    step_history: np.ndarray
    lower_history: np.ndarray
    lower_iterations: int
    cg_iterations: int
    certified_grad_norm: float


def bilevel_maid(problem: BilevelProblem, theta0, *, eps0: float = 1e-1,
                 delta0: float | None = None, step0: float = 1.0, tol: float = 1e-6,
                 max_iter: int = 500, schedule: str = "adaptive",
                 eta: float = MAID_CONSTANTS["eta"], rho: float = MAID_CONSTANTS["rho"],
                 tau: float = MAID_CONSTANTS["tau"], nu: float = MAID_CONSTANTS["nu"],
                 eps_min: float = 1e-14, max_lower: int = 10_000_000,
                 constants=None) -> BilevelResult:
    r"""Bilevel learning by MAID (adaptive accuracy) or HOAG (a fixed accuracy schedule).

    Iteration ``k`` (MAID, ``schedule="adaptive"``), following the authors' implementation:

    1. *Hypergradient with a controlled error.*  ``h_k, omega_k`` from
       :func:`hypergradient` at accuracy ``(eps, delta)`` (lower level warm-started); while
       ``omega_k / ||h_k|| >= 1 - eta`` set ``eps <- tau eps``, ``delta <- tau delta`` and
       recompute (so ``h_k`` is a descent direction of ``F``).
    2. *Backtracking on certified bounds.*  For ``i = 0, 1, ..., j + 9`` (``j`` the retry
       number): ``alpha = alpha_k rho^i``, ``theta' = theta_k - alpha h_k``, ``x'`` solved to
       ``eps`` from ``x~``; accept when

       .. math::

           f(x') + \|\nabla f(x')\|\varepsilon + \tfrac{L_f}{2}\varepsilon^2
           - f(\tilde x) + \|\nabla f(\tilde x)\|\varepsilon
           \le -\eta^2 \alpha \|h_k\|^2

       (``reg`` terms exact): the left side bounds ``F(theta') - F(theta_k)`` from above
       (``f`` convex with ``L_f``-Lipschitz gradient), so an accepted step decreases ``F``.
    3. *Accuracy update.*  On success ``eps <- nu eps``, ``delta <- nu delta``, ``alpha_{k+1}
       = (10/9) alpha``; on failure ``eps <- tau eps``, ``delta <- tau delta`` and back to 1
       (at most 3 retries per iteration).

    HOAG (``schedule`` one of :data:`SCHEDULES`) uses ``eps_k = delta_k = eps0 s(k)`` fixed a
    priori, the same hypergradient and line search, and no accuracy control.

    Stopping rule: ``||h_k|| + omega_k <= tol``, which certifies ``||grad F(theta_k)|| <= tol``
    (``omega_k`` bounds the error, :func:`hypergradient_bound`); ``success`` only then.

    Parameters
    ----------
    problem : BilevelProblem
        The bilevel problem.
    theta0 : array_like (n,)
        Initial hyperparameters (log-weights).
    eps0 : float, default 0.1
        Initial lower-level accuracy (MAID) or the schedule's scale (HOAG), ``>= 1e-14``.
    delta0 : float, optional
        Initial adjoint tolerance (default ``eps0``).
    step0 : float, default 1
        Initial upper-level step.
    tol : float, default 1e-6
        Tolerance of the certified hypergradient norm.
    max_iter : int, default 500
        Outer iterations (one accepted or rejected step each).
    schedule : {"adaptive", "quadratic", "cubic", "exponential"}
        MAID, or HOAG with ``eps_k = eps0 (k+1)^-2``, ``eps0 (k+1)^-3``, ``eps0 0.9^k``.
    eta, rho, tau, nu : float
        MAID's constants (:data:`MAID_CONSTANTS`): bound margin and sufficient decrease,
        backtracking factor, accuracy shrink factor, accuracy relax factor.
    eps_min : float
        Smallest accuracy MAID may ask for; below it the run stops with status DEGENERATE.
    max_lower : int
        Budget of lower-level gradient evaluations over the run.
    constants : callable, optional
        ``constants(problem, theta) -> dict`` replacing :meth:`BilevelProblem.constants` in
        the error bound.

    Returns
    -------
    BilevelResult

    Notes
    -----
    Deviations from the authors' code: the error bound is
    :func:`hypergradient_bound` with the problem's known constants (the code estimates
    ``L_B`` and ``||H^{-1}||`` by random perturbations); HOAG's own step heuristic (Pedregosa
    2016) is replaced by the same line search, so the comparison isolates the accuracy policy.

    References
    ----------
    .. [1] M. S. Salehi, S. Mukherjee, L. Roberts, M. J. Ehrhardt (2024), arXiv 2308.10098;
       constants from MohammadSadeghSalehi/MAID ``MAID.py`` (``tau = 0.5``, ``nu = 1.05``,
       ``rho = 0.9``, ``eta = 1e-4``, ``beta *= 10/9``, ``max_bt_loop = 3``, ``j + 10``
       trials; quoted in the module docstring).
    .. [2] F. Pedregosa (2016), "Hyperparameter optimization with approximate gradient", ICML.
    """
    t_start = time.perf_counter()
    if not isinstance(problem, BilevelProblem):
        raise TypeError(f"`problem` must be a BilevelProblem, got {type(problem).__name__}")
    theta = problem._theta(theta0, "theta0").copy()
    # accuracies below ~1e-14 are not attainable in double precision: the lower solve would
    # run its whole budget on rounding noise
    eps0 = check_scalar(eps0, "eps0", lo=1e-14)
    delta0 = eps0 if delta0 is None else check_scalar(delta0, "delta0", lo=0.0,
                                                      lo_inclusive=False)
    step = check_scalar(step0, "step0", lo=0.0, lo_inclusive=False)
    tol = check_scalar(tol, "tol", lo=0.0, lo_inclusive=False)
    max_iter = check_int(max_iter, "max_iter", lo=1)
    schedule = check_option(schedule, "schedule", ("adaptive", *SCHEDULES))
    eta = check_scalar(eta, "eta", lo=0.0, hi=1.0, lo_inclusive=False, hi_inclusive=False)
    rho = check_scalar(rho, "rho", lo=0.0, hi=1.0, lo_inclusive=False, hi_inclusive=False)
    tau = check_scalar(tau, "tau", lo=0.0, hi=1.0, lo_inclusive=False, hi_inclusive=False)
    nu = check_scalar(nu, "nu", lo=1.0)
    eps_min = check_scalar(eps_min, "eps_min", lo=0.0, lo_inclusive=False)
    max_lower = check_int(max_lower, "max_lower", lo=1)
    adaptive = schedule == "adaptive"
    sched = None if adaptive else SCHEDULES[schedule]

    eps, delta = eps0, delta0
    x = problem.x0()
    n_lower = n_cg = 0
    hist: dict[str, list[Any]] = {k: [] for k in ("eps", "theta", "grad", "norm", "bound",
                                                  "step", "lower")}
    status, detail = Status.MAX_ITER, None
    certified = np.inf
    L_f = problem.constants(theta)["L_f"]
    k = 0
    done = False
    for k in range(max_iter):
        if not adaptive:
            eps = delta = max(eps0 * sched(k), eps_min)  # type: ignore[misc]
        accepted = False
        for j in range(_MAX_BT_LOOP if adaptive else 1):
            # 1. hypergradient with its bound, accuracy shrunk until omega < (1 - eta) ||h||
            while True:
                h, om, xt, up, ngf, nl, nc, ok = _hypergradient(
                    problem, theta, eps, delta, x, max_lower - n_lower, constants)
                n_lower += nl
                n_cg += nc
                hn = float(np.linalg.norm(h))
                if not (np.isfinite(hn) and np.isfinite(om)):
                    status, detail, done = Status.NUMERICAL, "a non-finite hypergradient", True
                    break
                if not ok:
                    status, detail, done = (Status.MAX_ITER, "the lower-level budget "
                                            "`max_lower` ran out", True)
                    break
                certified = hn + om
                if certified <= tol:
                    status, done = Status.SUCCESS, True
                    break
                if not adaptive or om < (1.0 - eta) * hn:
                    break
                if eps * tau < eps_min:
                    status, detail, done = (Status.DEGENERATE, f"the accuracy eps = {eps:.3g} "
                                            "reached `eps_min` before the error bound fell "
                                            "below the hypergradient norm", True)
                    break
                eps, delta = tau * eps, tau * delta
            x = xt
            if not done or status == Status.SUCCESS:
                hist["eps"].append(eps)
                hist["theta"].append(theta.copy())
                hist["grad"].append(h.copy())
                hist["norm"].append(hn)
                hist["bound"].append(om)
            if done:
                if status == Status.SUCCESS:
                    hist["step"].append(0.0)
                    hist["lower"].append(n_lower)
                break
            # 2. backtracking on certified upper / lower bounds of F
            f_low = up - ngf * eps  # F(theta) >= f(x~) - ||grad f(x~)|| eps  (f convex)
            for i in range(j + _BT_TRIALS):
                a = step * rho ** i
                th_new = theta - a * h
                if np.any(np.abs(th_new) > 30.0):
                    continue
                xn, nl, ok = lower_solve(problem, th_new, eps, x0=xt,
                                         max_iter=max(1, max_lower - n_lower))
                n_lower += nl
                if not ok:
                    break
                up_new = problem.upper(xn) + 0.5 * problem.reg * float(th_new @ th_new)
                f_up = (up_new + float(np.linalg.norm(problem.upper_grad(xn))) * eps
                        + 0.5 * L_f * eps ** 2)
                if f_up - f_low <= -(eta ** 2) * a * hn ** 2:
                    theta, x, step, accepted = th_new, xn, a, True
                    break
            hist["step"].append(step if accepted else 0.0)
            hist["lower"].append(n_lower)
            # 3. accuracy update
            if accepted:
                if adaptive:
                    eps, delta = nu * eps, nu * delta
                step *= MAID_CONSTANTS["step_growth"]
                break
            if n_lower >= max_lower:
                status, detail, done = (Status.MAX_ITER, "the lower-level budget `max_lower` "
                                        "ran out", True)
                break
            if adaptive:
                if eps * tau < eps_min:
                    status, detail, done = (Status.DEGENERATE, "the line search failed with "
                                            "the accuracy at `eps_min`", True)
                    break
                eps, delta = tau * eps, tau * delta
        if done:
            break
    n_iter = len(hist["eps"])
    ok = status == Status.SUCCESS
    if not ok and detail is None:
        detail = (f"after {max_iter} outer iterations the certified hypergradient norm is "
                  f"{certified:.3g} > tol = {tol:.3g}")
    n = problem.n_theta
    return finish(BilevelResult, success=ok, status=status, n_iter=n_iter,
                  message=None if ok else detail,
                  hint=None if ok else "increase `max_iter` or `max_lower`, or loosen `tol`",
                  theta=theta, x=x, schedule=schedule,
                  eps_history=np.asarray(hist["eps"], dtype=float),
                  theta_history=np.asarray(hist["theta"], dtype=float).reshape(-1, n),
                  grad_history=np.asarray(hist["grad"], dtype=float).reshape(-1, n),
                  grad_norms=np.asarray(hist["norm"], dtype=float),
                  bound_history=np.asarray(hist["bound"], dtype=float),
                  step_history=np.asarray(hist["step"], dtype=float),
                  lower_history=np.asarray(hist["lower"], dtype=int),
                  lower_iterations=int(n_lower), cg_iterations=int(n_cg),
                  certified_grad_norm=float(certified))


# ------------------------------------------------------------------------------ figure
def bilevel_figure(problem: BilevelProblem | None = None, theta0=None, *,
                   schedules=("adaptive", "quadratic", "cubic", "exponential"),
                   tol: float = 1e-6, max_iter: int = 300, ax=None):
    """Hypergradient norm against total lower-level iterations, and the accuracy trajectory.

    Left: the exact ``||grad F(theta_k)||`` of MAID and of HOAG's fixed schedules against the
    cumulative lower-level gradient evaluations; right: the accuracy ``eps_k`` per outer
    iteration.

    Parameters
    ----------
    problem : BilevelProblem, optional
        Default ``ridge_problem(0)``.
    theta0 : array_like, optional
        Default zeros.
    schedules : sequence of str
        ``"adaptive"`` and HOAG schedule names.
    tol : float
        Stopping tolerance of every run.
    max_iter : int
        Outer iterations of every run.
    ax : sequence of two matplotlib Axes, optional
        Where to draw (default a new figure).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import warnings

    from equilibria._lib.figures import figure_axes
    from equilibria._lib.result import ConvergenceWarning

    problem = ridge_problem(0) if problem is None else problem
    theta0 = np.zeros(problem.n_theta) if theta0 is None else theta0
    fig, axes, _ = figure_axes(ax, figsize=(10.0, 4.0), ncols=2)
    a1, a2 = axes
    for name in schedules:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            res = bilevel_maid(problem, theta0, schedule=name, tol=tol, max_iter=max_iter)
        g = [float(np.linalg.norm(problem.exact_hypergradient(t))) for t in res.theta_history]
        label = "MAID (adaptive)" if name == "adaptive" else f"HOAG {name}"
        a1.loglog(np.maximum(res.lower_history, 1), g, ".-", label=label)
        a2.semilogy(res.eps_history, ".-", label=label)
    a1.axhline(tol, color="k", lw=0.8, ls=":")
    a1.set_xlabel("total lower-level iterations")
    a1.set_ylabel(r"$\|\nabla F(\theta_k)\|$ (exact)")
    a1.legend(frameon=False, fontsize=8)
    a2.set_xlabel("outer iteration $k$")
    a2.set_ylabel(r"accuracy $\varepsilon_k$")
    a2.set_title("accuracy trajectory")
    return fig
