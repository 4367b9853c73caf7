"""Ordered parallel map used by every long sweep.

``parallel_map(fn, items, executor=None, progress=True)`` evaluates ``fn(item)`` for each item
and returns the results in input order.  With ``executor`` (any
:class:`concurrent.futures.Executor`: a ``ProcessPoolExecutor``, a ``ThreadPoolExecutor`` or a
``dask.distributed`` client's ``client.get_executor()``) the items are submitted in chunks; the
result is identical to the serial run because every item carries its own seed.  A tqdm bar
shows progress unless ``progress=False``.

Interrupts: on ``KeyboardInterrupt`` (or any error from an item) the futures submitted here that
have not started are cancelled (``Future.cancel``; the executor itself belongs to the caller and
is not shut down), the bar is closed and the exception propagates.  Work already running in a
worker process finishes there; its result is dropped.
"""

from __future__ import annotations

import concurrent.futures as cf
from typing import Callable, Iterable, Sequence

from tqdm.auto import tqdm

__all__ = ["parallel_map", "check_executor"]


def check_executor(executor):
    """Validate ``executor`` (None or an object with ``submit``)."""
    if executor is not None and not callable(getattr(executor, "submit", None)):
        raise TypeError("`executor` must be a concurrent.futures.Executor (an object with "
                        f"`submit`), got {type(executor).__name__}")
    return executor


def _apply_chunk(fn, chunk):
    return [fn(item) for item in chunk]


def _cancel(futures) -> None:
    """Cancel every future in ``futures`` that has not finished (pending ones never start)."""
    for fut in futures:
        if not fut.done():
            fut.cancel()


def parallel_map(fn: Callable, items: Iterable, *, executor=None, progress: bool = True,
                 desc: str | None = None, chunksize: int = 1) -> list:
    """Map ``fn`` over ``items`` in order, optionally on an executor, with a progress bar.

    Parameters
    ----------
    fn : callable
        Must be picklable (a module-level function or ``functools.partial`` of one) when the
        executor runs in other processes.
    items : iterable
    executor : concurrent.futures.Executor, optional
        ``None`` runs serially in this process.
    progress : bool
        Show a tqdm progress bar.
    desc : str, optional
        Bar label.
    chunksize : int
        Items per submitted task (amortizes scheduling for cheap items).
    """
    check_executor(executor)
    items = list(items) if not isinstance(items, Sequence) else items
    n = len(items)
    bar = tqdm(total=n, desc=desc, disable=not progress, leave=False)
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
