"""Running I/O-bound tasks on a few threads while keeping their order and a bounded window.

Fetching waits on the network, not the CPU, so threads are enough to fetch the pages of
different hosts at the same time (the fetcher itself keeps one request in flight per host).
:func:`ordered_map` yields results in the order the tasks came, whatever order they finish in,
so a run's records do not depend on which host answered first; at most ``window`` tasks are
started ahead of the one being yielded, so a feed of thousands of items holds a few pages in
memory, not all of them.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


def ordered_map(tasks: Iterable[Callable[[], T]], *, workers: int, window: int) -> Iterator[T]:
    """Each task's result, in the tasks' order, run on up to ``workers`` threads with at most
    ``window`` (at least one) started and not yet yielded. A task's exception is raised where its
    result would be yielded; tasks not yet started when the caller stops are cancelled."""
    pending: deque[Future[T]] = deque()
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="claimflow-fetch")
    try:
        for task in tasks:
            pending.append(pool.submit(task))
            if len(pending) >= max(window, 1):
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=True)
