"""Compiled simulation kernels of the bandits room, one module per bandit family.

- :mod:`.common`: samplers (inverse-CDF index, Laplace, Gamma / Beta variates), ``_argmax``,
  the KL-UCB index and the Tsallis-INF weights, the ridge-state reset of the linear families;
- :mod:`.mab`: :func:`~.mab.mab_kernel`, the finite-armed engine (every
  :class:`~equilibria.bandits._codes.PolicyCode` on every
  :class:`~equilibria.bandits._codes.EnvCode`), and its per-policy helpers;
- :mod:`.linear`: :func:`~.linear.linear_kernel` (OFUL and linear Thompson sampling);
- :mod:`.dynlin`: :func:`~.dynlin.dynlin_kernel` (DynLin-UCB: epochs of held actions);
- :mod:`.ofs`: :func:`~.ofs.ofs_kernel` (closed-loop fair thresholds) and its binomial sampler.

Conventions shared by the four kernels: each runs *whole runs* in compiled code.  It takes a
chunk of per-run integer seeds, calls ``np.random.seed(seed)`` at the start of each run (numba
keeps one generator per thread, so a run's stream depends only on its seed) and writes the
cumulative pseudo-regret and realized regret at the checkpoint times ``ck`` (1-based round
counts), the pull counts and the final recommendation into the ``out_*`` arrays.  One dtype
per argument (float64 arrays, int64 scalars and index arrays), so each kernel compiles one
signature.  Policy and environment codes come from :mod:`equilibria.bandits._codes`.

numba's on-disk cache keys a kernel on its own source file only: after editing a helper that
a kernel of another module calls (for instance :mod:`.common`), delete the ``*.nbi`` /
``*.nbc`` files in this folder's ``__pycache__`` so the kernels recompile.
"""
