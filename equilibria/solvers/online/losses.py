r"""Loss generators: oblivious adversarial, i.i.d. stochastic, and the Stochastically Extended
Adversarial (SEA) model.

SEA model (Sachs et al. 2022, Sec. 2; Chen et al. 2023, Sec. 2).  In round ``t`` the adversary
picks a distribution :math:`\mathcal D_t`; the learner suffers :math:`f_t\sim\mathcal D_t`, with
:math:`F_t = \mathbb E_{f_t\sim\mathcal D_t}[f_t]`.  For linear losses
:math:`f_t(x) = \langle g_t, x\rangle` with mean :math:`\mu_t = \mathbb E g_t`:

.. math::

    \sigma_t^2 = \max_x \mathbb E\|\nabla f_t(x) - \nabla F_t(x)\|^2 = \mathbb E\|g_t - \mu_t\|^2,
    \quad \sigma^2_{1:T} = \sum_{t=1}^T \sigma_t^2, \quad
    \Sigma^2_{1:T} = \sum_{t=2}^T \sup_x\|\nabla F_t(x) - \nabla F_{t-1}(x)\|^2
                   = \sum_{t=2}^T \|\mu_t - \mu_{t-1}\|^2 .

(We start the adversarial variation at ``t = 2``; with :math:`F_0 = 0` it would gain the single
bounded term :math:`\|\mu_1\|^2`.)

References
----------
.. [1] Sachs, S., Hadiji, H., van Erven, T., Guzman, C. (2022). Between stochastic and
   adversarial online convex optimization: improved regret bounds via smoothness. NeurIPS.
.. [2] Chen, S., Zhang, Y.-J., Tu, W.-W., Zhao, P., Zhang, L. (2023). Optimistic online mirror
   descent for bridging stochastic and adversarial online convex optimization. ICML.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from equilibria._lib.rng import as_generator
from equilibria._lib.validation import as_float_array, check_int, check_option, check_scalar

from ._common import check_size

__all__ = ["SEALosses", "sea_losses", "adversarial_losses", "stochastic_losses"]


@dataclasses.dataclass(frozen=True)
class SEALosses:
    """A realized SEA loss sequence (linear losses).

    Attributes
    ----------
    grads : ndarray, shape (T, d)
        Realized gradients :math:`g_t = \\mu_t + \\xi_t`.
    means : ndarray, shape (T, d)
        Means :math:`\\mu_t = \\nabla F_t`.
    sigma2 : float
        :math:`\\sigma^2_{1:T}` (exact: the noise has constant norm).
    Sigma2 : float
        :math:`\\Sigma^2_{1:T}` (exact).
    G_max : float
        A bound on :math:`\\|g_t\\|_2`.
    """

    grads: np.ndarray
    means: np.ndarray
    sigma2: float
    Sigma2: float
    G_max: float


def sea_losses(T, d, *, sigma2=0.0, Sigma2=0.0, base_norm=0.5, seed=None) -> SEALosses:
    r"""SEA linear losses with prescribed :math:`\sigma^2_{1:T}` and :math:`\Sigma^2_{1:T}`.

    Means alternate around a base vector, :math:`\mu_t = b + (-1)^t v` with :math:`\|b\| =`
    ``base_norm`` and :math:`4(T-1)\|v\|^2 = \Sigma^2_{1:T}`; noise
    :math:`\xi_t = \sqrt{\sigma^2_{1:T}/(Td)}\,\epsilon_t` with Rademacher
    :math:`\epsilon_t\in\{\pm1\}^d`, so :math:`\|\xi_t\|^2 = \sigma^2_{1:T}/T` exactly.  Both
    totals are therefore realized exactly (not only in expectation).

    Parameters
    ----------
    T, d : int
        Rounds (``>= 2`` when ``Sigma2 > 0``) and dimension.
    sigma2, Sigma2 : float
        Targets ``>= 0``.
    base_norm : float
        :math:`\|b\|` (direction uniform on the sphere).
    seed : None, int or Generator
        Random seed or generator.

    Returns
    -------
    SEALosses
        ``grads`` and ``means`` of shape ``(T, d)``, ``sigma2`` (the target), ``Sigma2`` (the
        realized :math:`\sum_t\|\mu_t - \mu_{t-1}\|^2`) and
        ``G_max = base_norm + ||v|| + sqrt(sigma2 / T)``.
    """
    T = check_size("T", T, factor=3, what="the loss sequence")
    d = check_size("d", d, factor=3 * T, what="the loss sequence")
    sigma2 = check_scalar(sigma2, "sigma2", lo=0)
    Sigma2 = check_scalar(Sigma2, "Sigma2", lo=0)
    base_norm = check_scalar(base_norm, "base_norm", lo=0)
    if Sigma2 > 0 and T < 2:
        raise ValueError("`Sigma2` > 0 needs `T` >= 2")
    rng = as_generator(seed)
    b = rng.normal(size=d)
    b *= base_norm / np.linalg.norm(b)
    v = rng.normal(size=d)
    vn = np.sqrt(Sigma2 / (4 * (T - 1))) if T > 1 else 0.0
    v *= vn / np.linalg.norm(v)
    sign = np.where(np.arange(T) % 2 == 0, 1.0, -1.0)
    means = b[None, :] + sign[:, None] * v[None, :]
    s = np.sqrt(sigma2 / (T * d))
    noise = s * rng.choice(np.array([-1.0, 1.0]), size=(T, d))
    grads = means + noise
    Sigma2_real = float(np.sum(np.diff(means, axis=0) ** 2))
    G_max = base_norm + vn + np.sqrt(sigma2 / T)
    return SEALosses(np.ascontiguousarray(grads), means, float(sigma2), Sigma2_real, float(G_max))


def adversarial_losses(T, N, *, kind="switching", period=None, seed=None) -> np.ndarray:
    """Oblivious adversarial loss vectors in ``[0, 1]^N`` (fixed before play).

    ``kind``:

    - ``"switching"``: the good expert changes every ``period`` rounds (default ``sqrt(T)``);
      it gets ``Uniform[0, 0.5]`` losses, the others ``Uniform[0.5, 1]``;
    - ``"ftl_trap"``: expert 0 gets 1/2, 0, 1, 0, 1, ... and expert 1 gets 0, 1, 0, 1, ... (the
      sequence on which follow-the-leader has linear regret; other experts get 1);
    - ``"uniform"``: i.i.d. ``Uniform[0, 1]`` entries, drawn once.

    Parameters
    ----------
    T : int
        Number of rounds, ``>= 1``.
    N : int
        Number of experts, ``>= 2``.
    kind : {"switching", "ftl_trap", "uniform"}
        Loss pattern (see above).
    period : int, optional
        Switching period ``>= 1`` of ``kind="switching"`` (default ``max(1, int(sqrt(T)))``).
    seed : None, int or Generator
        Random seed or generator (unused by ``"ftl_trap"``).

    Returns
    -------
    ndarray, shape (T, N)
        Loss vectors, one row per round, entries in ``[0, 1]``.
    """
    T = check_size("T", T, factor=3, what="the loss matrix")
    N = check_size("N", N, lo=2, factor=2 * T, what="the loss matrix")
    check_option(kind, "kind", ("switching", "ftl_trap", "uniform"))
    rng = as_generator(seed)
    if kind == "uniform":
        return rng.uniform(size=(T, N))
    if kind == "ftl_trap":
        out = np.ones((T, N))
        t = np.arange(T)
        out[:, 0] = np.where(t == 0, 0.5, np.where(t % 2 == 0, 1.0, 0.0))
        out[:, 1] = np.where(t % 2 == 1, 1.0, 0.0)
        return out
    period = max(1, int(np.sqrt(T))) if period is None else \
        min(check_int(period, "period", lo=1), T)  # a period beyond T never switches
    good = rng.integers(0, N, size=(T + period - 1) // period).repeat(period)[:T]
    out = rng.uniform(0.5, 1.0, size=(T, N))
    out[np.arange(T), good] = rng.uniform(0.0, 0.5, size=T)
    return out


def stochastic_losses(T, N, *, means=None, dist="bernoulli", gap=0.1, seed=None) -> np.ndarray:
    """i.i.d. stochastic loss vectors in ``[0, 1]^N``.

    Expert ``i`` has mean ``means[i]`` (default: expert 0 at ``0.5 - gap``, the others ``0.5``);
    ``dist`` is ``"bernoulli"`` or ``"beta"`` (Beta with concentration 4 and the given mean).

    Parameters
    ----------
    T : int
        Number of rounds, ``>= 1``.
    N : int
        Number of experts, ``>= 1``.
    means : array_like, shape (N,), optional
        Mean loss of each expert, in ``[0, 1]``.
    dist : {"bernoulli", "beta"}
        Distribution of each entry.
    gap : float
        In ``[0, 0.5]``: expert 0's advantage when ``means`` is not given (ignored otherwise).
    seed : None, int or Generator
        Random seed or generator.

    Returns
    -------
    ndarray, shape (T, N)
        i.i.d. loss vectors, one row per round (``{0, 1}`` entries for ``"bernoulli"``).
    """
    T = check_size("T", T, factor=2, what="the loss matrix")
    N = check_size("N", N, factor=2 * T, what="the loss matrix")
    check_option(dist, "dist", ("bernoulli", "beta"))
    rng = as_generator(seed)
    if means is None:
        gap = check_scalar(gap, "gap", lo=0, hi=0.5)
        mu = np.full(N, 0.5)
        mu[0] -= gap
    else:
        mu = as_float_array(means, "means", ndim=1, shape=(N,))
        if np.any((mu < 0) | (mu > 1)):
            raise ValueError("`means` must lie in [0, 1]")
    if dist == "bernoulli":
        return (rng.uniform(size=(T, N)) < mu).astype(float)
    c = 4.0
    a, b = np.maximum(mu * c, 1e-6), np.maximum((1 - mu) * c, 1e-6)
    return rng.beta(a, b, size=(T, N))
