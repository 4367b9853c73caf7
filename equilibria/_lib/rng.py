"""Seeding.

Everywhere randomness is used, the public argument is ``seed`` and accepts ``None``, an int,
a :class:`numpy.random.SeedSequence` or a :class:`numpy.random.Generator`.  Compiled kernels
take plain integer seeds derived with :func:`spawn_seeds`, so independent runs are reproducible
and independent of how they are split across workers.
"""

from __future__ import annotations

import zlib

import numpy as np

__all__ = ["as_generator", "spawn_seeds", "spawn_generators", "named_seed"]


def _seed_sequence(seed) -> np.random.SeedSequence:
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, np.random.Generator):
        return np.random.SeedSequence(seed.integers(0, 2**63 - 1))
    if seed is None or isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        if seed is not None and seed < 0:
            raise ValueError(f"`seed` must be non-negative, got {seed}")
        return np.random.SeedSequence(None if seed is None else int(seed))
    raise TypeError("`seed` must be None, an int, a SeedSequence or a Generator, got "
                    f"{type(seed).__name__}")


def as_generator(seed=None) -> np.random.Generator:
    """Return a :class:`numpy.random.Generator` for ``seed`` (a Generator is returned as is)."""
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(_seed_sequence(seed))


def spawn_seeds(seed, n: int) -> np.ndarray:
    """``n`` independent 63-bit integer seeds (int64 array) derived from ``seed``.

    The i-th seed depends only on ``seed`` and ``i``, so run i is the same whether runs are done
    serially or split across workers.
    """
    children = _seed_sequence(seed).spawn(int(n))
    out = np.empty(int(n), dtype=np.int64)
    for i, c in enumerate(children):
        out[i] = int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))
    return out


def spawn_generators(seed, n: int) -> list[np.random.Generator]:
    """``n`` independent Generators derived from ``seed``."""
    return [np.random.default_rng(c) for c in _seed_sequence(seed).spawn(int(n))]


def named_seed(seed: int, name: str) -> np.random.SeedSequence:
    """A SeedSequence keyed by ``seed`` and a string (stable across Python processes)."""
    return np.random.SeedSequence([int(seed), zlib.crc32(name.encode())])
