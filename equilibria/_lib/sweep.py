"""Ordered parallel map used by every long sweep, and the progress bar every loop draws.

``parallel_map(fn, items, executor=None, progress=None)`` evaluates ``fn(item)`` for each item
and returns the results in input order.  With ``executor`` the items are submitted in chunks;
the result is identical to the serial run because every item carries its own seed.  The
executor may be

- any :class:`concurrent.futures.Executor` (``ProcessPoolExecutor``, ``ThreadPoolExecutor``,
  ``loky``, ``mpi4py.futures.MPIPoolExecutor``, ``client.get_executor()`` of dask), or
- a ``dask.distributed.Client`` itself, which is wrapped into ``client.get_executor()`` here
  (:func:`resolve_executor`), so a cluster is used as it is::

      from dask.distributed import Client, LocalCluster
      from equilibria.odes import CoexistenceModel, basin_sweep

      with LocalCluster(n_workers=4, threads_per_worker=1) as cluster, Client(cluster) as client:
          res = basin_sweep(CoexistenceModel.preset("lock_in"), grid=200, executor=client)

  (``Client("tcp://scheduler:8786")`` for a remote cluster; the functions sent must be
  picklable, which every sweep of the package arranges.)

Progress: every bar of the package is a ``tqdm.auto`` bar made by :func:`progress_bar`, so it
renders as one widget in a notebook and as one line on a terminal; whether it is shown is
decided once, by :func:`equilibria._lib.options.show_progress` (``progress=None`` follows
:func:`equilibria.set_options`, whose default shows bars only on a terminal or in a notebook).

Interrupts: on ``KeyboardInterrupt`` (or any error from an item) the futures submitted here that
have not started are cancelled (``Future.cancel``; the executor itself belongs to the caller and
is not shut down), the bar is closed and the exception propagates.  Work already running in a
worker process finishes there; its result is dropped.
"""

from __future__ import annotations

import concurrent.futures as cf
from typing import Callable, Iterable, Sequence

from tqdm.auto import tqdm

from .options import show_progress

__all__ = ["parallel_map", "check_executor", "resolve_executor", "progress_bar"]


def _is_dask_client(executor) -> bool:
    """Whether ``executor`` is a ``dask.distributed.Client`` (checked without importing dask)."""
    mod = type(executor).__module__ or ""
    return ((mod == "distributed" or mod.startswith("distributed."))
            and callable(getattr(executor, "get_executor", None))
            and not isinstance(executor, cf.Executor))


def check_executor(executor):
    """Validate ``executor``: None, a :class:`concurrent.futures.Executor` (any object with
    ``submit`` returning ``concurrent.futures.Future``) or a ``dask.distributed.Client``.

    Parameters
    ----------
    executor : object
        The value passed as ``executor=``.

    Returns
    -------
    object
        ``executor`` unchanged (see :func:`resolve_executor` for the object that is used).

    Raises
    ------
    TypeError
        ``executor`` has no ``submit`` method.
    """
    if executor is not None and not callable(getattr(executor, "submit", None)):
        raise TypeError("`executor` must be a concurrent.futures.Executor or a "
                        "dask.distributed.Client (an object with `submit`), got "
                        f"{type(executor).__name__}")
    return executor


def resolve_executor(executor):
    """The executor :func:`parallel_map` submits to: a ``dask.distributed.Client`` becomes
    ``client.get_executor()`` (its futures are not ``concurrent.futures`` futures, so
    ``as_completed`` cannot wait on them); anything else is returned as it is.

    Parameters
    ----------
    executor : None, concurrent.futures.Executor or dask.distributed.Client

    Returns
    -------
    None or concurrent.futures.Executor

    Raises
    ------
    TypeError
        ``executor`` has no ``submit`` method.
    """
    check_executor(executor)
    if executor is not None and _is_dask_client(executor):
        return executor.get_executor()
    return executor


def progress_bar(total=None, *, desc: str | None = None, progress=None, leave: bool = False,
                 **kwargs):
    """A ``tqdm.auto`` bar, shown when :func:`~equilibria._lib.options.show_progress` says so.

    Parameters
    ----------
    total : int, optional
        Number of steps (``None``: unknown).
    desc : str, optional
        Bar label.
    progress : bool or None
        ``True``/``False`` force the bar on/off; ``None`` follows the package option.
    leave : bool, default False
        Keep the finished bar on screen.
    **kwargs
        Passed to ``tqdm``.

    Returns
    -------
    tqdm.auto.tqdm
        The bar (disabled when not shown; it can always be updated and closed).
    """
    return tqdm(total=total, desc=desc, disable=not show_progress(progress), leave=leave,
                **kwargs)


def _apply_chunk(fn, chunk):
    return [fn(item) for item in chunk]


def _cancel(futures) -> None:
    """Cancel every future in ``futures`` that has not finished (pending ones never start)."""
    for fut in futures:
        if not fut.done():
            fut.cancel()


def parallel_map(fn: Callable, items: Iterable, *, executor=None, progress: bool | None = None,
                 desc: str | None = None, chunksize: int = 1) -> list:
    """Map ``fn`` over ``items`` in order, optionally on an executor, with a progress bar.

    Parameters
    ----------
    fn : callable
        Must be picklable (a module-level function or ``functools.partial`` of one) when the
        executor runs in other processes.
    items : iterable
    executor : concurrent.futures.Executor or dask.distributed.Client, optional
        ``None`` runs serially in this process; a dask ``Client`` is used through
        ``client.get_executor()``.
    progress : bool or None
        Show a progress bar (``None``: the package option, see :func:`progress_bar`).
    desc : str, optional
        Bar label.
    chunksize : int
        Items per submitted task (amortizes scheduling for cheap items).

    Returns
    -------
    list
        ``[fn(item) for item in items]``, in input order.
    """
    executor = resolve_executor(executor)
    items = list(items) if not isinstance(items, Sequence) else items
    n = len(items)
    bar = progress_bar(n, desc=desc, progress=progress)
    try:
        if executor is None:
            out = []
            for it in items:
                out.append(fn(it))
                bar.update(1)
            return out
        chunksize = max(1, int(chunksize))
        chunks = [items[i:i + chunksize] for i in range(0, n, chunksize)]
        futures: dict = {}
        try:
            for k, c in enumerate(chunks):
                futures[executor.submit(_apply_chunk, fn, c)] = k
            results: list = [None] * len(chunks)
            for fut in cf.as_completed(futures):
                k = futures[fut]
                results[k] = fut.result()
                bar.update(len(chunks[k]))
        except BaseException:
            _cancel(futures)
            raise
        return [r for chunk in results for r in chunk]
    finally:
        bar.close()
