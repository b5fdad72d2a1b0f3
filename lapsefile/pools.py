"""Work spread over a thread pool, results taken in order, a bounded number ahead.

``Executor.map`` submits every item at once: for 10,000 photos that is 10,000 futures, each
with its lock and condition, alive until the end (about 15 MB at the first plan of 10,000
photos), and with results that hold buffers, all of them decoded before the first is used.
``in_order`` keeps at most ``ahead`` items submitted and not yet taken.
"""

from __future__ import annotations

import collections
import itertools
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import Executor, Future
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def in_order(pool: Executor, fn: Callable[[T], R], items: Iterable[T], ahead: int
             ) -> Generator[R, None, None]:
    """``fn(item)`` for each of ``items``, in their order, run in ``pool`` with at most
    ``ahead`` (at least 1) submitted and not yet yielded; the next is submitted before one is
    yielded, so the pool keeps working while the caller uses it. What is still pending when
    the caller stops (or ``fn`` raised) is cancelled."""
    upcoming = iter(items)
    pending: collections.deque[Future[R]] = collections.deque(
        pool.submit(fn, item) for item in itertools.islice(upcoming, max(1, ahead)))
    try:
        while pending:
            done = pending.popleft()
            for item in itertools.islice(upcoming, 1):
                pending.append(pool.submit(fn, item))
            yield done.result()
    finally:
        for future in pending:
            future.cancel()
