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
"""

from __future__ import annotations

import os

import numba

__all__ = ["JIT_OPTIONS", "SAFE_FASTMATH", "njit", "prange"]

#: fastmath flags that keep NaN/inf checks intact (no ``nnan``, no ``ninf``).
SAFE_FASTMATH = frozenset({"nsz", "arcp", "contract", "reassoc"})

JIT_OPTIONS = {
    "cache": os.environ.get("EQUILIBRIA_NO_JIT_CACHE", "0") != "1",
    "nogil": True,
    "fastmath": set(SAFE_FASTMATH),
    "error_model": "numpy",
}

prange = numba.prange


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
    if args:
        # explicit signature(s) given positionally
        return numba.njit(*args, **opts)
    return numba.njit(**opts)
