"""Shared conventions every room reuses, written once (installed as ``equilibria._lib``).

- :mod:`.result`: the result family (core fields ``success``, ``status``, ``message``,
  ``n_iter``), status codes and the non-convergence warning.
- :mod:`.validation`: input checks raising ``ValueError``/``TypeError`` that name the argument
  and the value seen.
- :mod:`.jit`: the numba decorator configuration (``cache=True``, no blanket fastmath).
- :mod:`.rng`: seeding: ``seed`` may be ``None``, an int, a ``SeedSequence`` or a ``Generator``.
- :mod:`.sweep`: ordered map over an optional ``concurrent.futures.Executor`` with a tqdm bar.
- :mod:`.sets`: the convex sets ``Simplex``, ``Ball``, ``Box`` (projection, membership,
  diameter, centre, uniform sampling, grids) and ``as_set``: decision sets of the online room,
  state spaces of the dynamics room.

This is the scipy ``_lib`` pattern: private to the package, imported by every room, and not
a room itself.
"""
