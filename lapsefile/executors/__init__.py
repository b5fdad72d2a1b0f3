"""Where independent tasks run: this machine's cores, or a Dask cluster (``run --executor``).

An executor runs one function over many tasks (chunk encodes, ``engine/chunks.py``) and hands
back each result as it finishes, in whatever order they finish. The function and its tasks
must be plain, picklable data in and out: a Dask worker may be another machine. Executors
never touch the lock: the caller records each result as it arrives (the runner owns the lock).

A task that raises is run once more (a worker's crash or a transient fault costs one retry);
failing again, the executor stops starting tasks, hands back those that finished meanwhile,
and raises that task's error. A Dask worker lost mid-task costs that task only: the scheduler
runs it again elsewhere.

This package imports nothing heavy: ``local.py`` and ``dask.py`` (``dask.distributed``, the
``dask`` extra) are imported when an executor is opened.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Protocol, TypeVar

from ..errors import LapsefileError

T = TypeVar("T")
R = TypeVar("R")

NAMES = ("local", "dask")  # run --executor's choices
DEFAULT = "local"
SCHEDULER_ENV = "LAPSEFILE_DASK_SCHEDULER"  # the Dask scheduler's address, when not given


class Executor(Protocol):
    name: str

    def run(self, fn: Callable[[Any], R], tasks: Sequence[Any]) -> Iterator[tuple[int, R]]:
        """``fn(task)`` for every task: ``(index, result)`` as each finishes."""

    def workers(self) -> int:
        """How many tasks run at once."""

    def on_every_worker(self, fn: Callable[..., R], *args: Any) -> list[R]:
        """``fn(*args)`` once on every worker (this process for ``local``): what each sees."""

    def share(self, blobs: Mapping[str, bytes], everywhere: bool) -> dict[str, Any]:
        """``blobs`` made available to tasks: a task holding the returned handles (in a
        tuple, list or dict) gets the bytes. Each is sent once (to every worker when
        ``everywhere``, else to one, from which others fetch it), not once per task."""

    def close(self) -> None:
        """Release the workers (a cluster this executor started is shut down)."""


def open_executor(name: str, *, scheduler: str | None = None,
                  workers: int | None = None) -> Executor:
    """The executor called ``name``: ``local`` runs ``workers`` tasks at once (default: one
    per core); ``dask`` connects to ``scheduler`` (else ``$LAPSEFILE_DASK_SCHEDULER``), or
    starts a LocalCluster of ``workers`` worker processes."""
    if name == "local":
        from .local import LocalExecutor

        return LocalExecutor(workers)
    if name == "dask":
        from .dask import DaskExecutor

        return DaskExecutor(scheduler or os.environ.get(SCHEDULER_ENV) or None, workers)
    raise LapsefileError(f"no executor named {name!r} (executors: {', '.join(NAMES)})")


def cores() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1
