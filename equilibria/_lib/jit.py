"""numba decorator configuration, in one place.

Kernels live in a room's ``_kernels`` module (or package) and are decorated with :func:`njit` from here::

    from equilibria._lib.jit import njit

    @njit
    def _hedge_kernel(losses, eta, out): ...

Options: ``cache=True`` (compile once per signature, reuse across processes), ``nogil=True`` (so
threads can run kernels concurrently) and a *safe* fastmath subset.  Blanket ``fastmath=True``
implies ``nnan``/``ninf``, which lets LLVM delete ``isfinite`` guards; we keep only the flags
that preserve NaN/inf semantics: reassociation, contraction (FMA), reciprocal approximation and
no-signed-zeros.  Kernels take one dtype (float64 arrays, int64 scalars) so each compiles one
signature.

Set the environment variable ``EQUILIBRIA_NO_JIT_CACHE=1`` to disable on-disk caching (e.g. on
a read-only install).

Threading layer
---------------
``parallel=True`` kernels (``prange``) run on numba's *threading layer*, picked once per process
at the first parallel compilation or launch.  numba's default order tries ``tbb``, then
``omp``, then ``workqueue``; on Linux ``omp`` is GNU OpenMP (libgomp), which numba documents
as *not fork safe*: once a parallel kernel has run, every child of a ``fork`` (the default
``ProcessPoolExecutor`` start method on Linux) is terminated ("fork() called from a process
already using GNU OpenMP, this is unsafe"), so a sweep followed by a process pool died with
``BrokenProcessPool``.  Following numba's "The Threading Layers" guide
(https://numba.readthedocs.io/en/stable/user/threading-layer.html) we set
``numba.config.THREADING_LAYER`` here, before any kernel compiles, to

* ``"tbb"`` when Intel TBB (``pip install tbb``) is importable: the one layer numba documents
  as both fork safe and thread safe ("safe");
* otherwise ``"workqueue"``: always present and fork safe, but *not thread safe*: two Python
  threads launching parallel regions at once abort the process ("Concurrent access has been
  detected").  So with ``workqueue`` every ``parallel=True`` kernel built by :func:`njit` is
  called under one process-wide lock (:data:`PARALLEL_LOCK`): threads (a
  ``ThreadPoolExecutor``, a threaded dask cluster) take turns at parallel regions, each of
  which already uses every core.

A threading layer chosen by the user (``NUMBA_THREADING_LAYER`` in the environment) is kept;
only with ``workqueue`` (or a purpose name that may resolve to it) are calls serialized.
"""

from __future__ import annotations

import os
import threading

import numba
from numba.core.registry import CPUDispatcher

__all__ = ["JIT_OPTIONS", "SAFE_FASTMATH", "PARALLEL_LOCK", "THREADING_LAYER", "njit", "prange"]


def _tbb_available() -> bool:
    try:
        from numba.np.ufunc.parallel import _check_tbb_version_compatible

        _check_tbb_version_compatible()
        from numba.np.ufunc import tbbpool  # type: ignore[attr-defined]  # noqa: F401
    except Exception:  # ImportError, or an incompatible TBB  # noqa: BLE001
        return False
    return True


def _choose_threading_layer() -> str:
    """Set ``numba.config.THREADING_LAYER`` to a fork-safe layer (see the module docstring)."""
    user = os.environ.get("NUMBA_THREADING_LAYER")
    if user:  # the user's explicit choice wins
        return str(numba.config.THREADING_LAYER).lower()  # type: ignore[attr-defined]
    layer = "tbb" if _tbb_available() else "workqueue"
    numba.config.THREADING_LAYER = layer  # type: ignore[attr-defined]
    return layer


#: the numba threading layer requested for this process (``numba.threading_layer()`` reports
#: the one loaded, after the first parallel launch)
THREADING_LAYER = _choose_threading_layer()

#: whether parallel kernels must be serialized across threads (the layer may be workqueue)
_SERIALIZE_PARALLEL = THREADING_LAYER not in {"tbb", "omp", "safe", "threadsafe"}

#: held while a ``parallel=True`` kernel runs when the layer is not thread safe
PARALLEL_LOCK = threading.RLock()


class _SerializedDispatcher(CPUDispatcher):
    """A CPU dispatcher whose Python-level calls hold :data:`PARALLEL_LOCK`.

    Calls from other jitted code are compiled natively and do not take the lock (no kernel
    here calls a parallel kernel from jitted code).
    """

    def __call__(self, *args, **kwargs):
        with PARALLEL_LOCK:
            return super().__call__(*args, **kwargs)

#: fastmath flags that keep NaN/inf checks intact (no ``nnan``, no ``ninf``).
SAFE_FASTMATH = frozenset({"nsz", "arcp", "contract", "reassoc"})

JIT_OPTIONS = {
    "cache": os.environ.get("EQUILIBRIA_NO_JIT_CACHE", "0") != "1",
    "nogil": True,
    "fastmath": set(SAFE_FASTMATH),
    "error_model": "numpy",
}

prange = numba.prange


def _serialized(disp):
    """Make ``disp`` (a fresh :class:`CPUDispatcher`) take :data:`PARALLEL_LOCK` when called."""
    if type(disp) is CPUDispatcher:  # not under NUMBA_DISABLE_JIT (a plain function)
        disp.__class__ = _SerializedDispatcher
    return disp


def njit(*args, **overrides):
    """``numba.njit`` with the package's options; usable bare or with overrides.

    ``@njit`` or ``@njit(parallel=True)``; explicit keyword arguments override
    :data:`JIT_OPTIONS`.
    """
    opts = dict(JIT_OPTIONS)
    opts.update(overrides)
    if "fastmath" in opts and opts["fastmath"] is True:
        raise ValueError("blanket fastmath=True is not allowed: it removes NaN/inf checks; "
                         "pass a set of flags without 'nnan'/'ninf'")
    if len(args) == 1 and callable(args[0]) and not overrides:
        return numba.njit(**opts)(args[0])
    if opts.get("parallel") and _SERIALIZE_PARALLEL:
        out = numba.njit(*args, **opts)
        if isinstance(out, CPUDispatcher):  # njit(fn, parallel=True)
            return _serialized(out)
        return lambda fn: _serialized(out(fn))
    if args:
        # explicit signature(s) given positionally
        return numba.njit(*args, **opts)
    return numba.njit(**opts)
