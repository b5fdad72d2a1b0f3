"""The ``dask`` executor: tasks on a Dask cluster (``dask.distributed``, the ``dask`` extra).

The scheduler's address comes from ``run --scheduler`` or ``$LAPSEFILE_DASK_SCHEDULER``; with
neither, a LocalCluster of worker processes is started on this machine for the run (the same
code path as a real cluster, used by the tests; its workers are new processes that import
the caller's main module, so a script that calls ``run_project`` this way guards its entry
point with ``if __name__ == "__main__":``, as with multiprocessing). Start a real cluster with
Dask's own commands (``dask scheduler``, ``dask worker tcp://host:8786``): see the README,
"Chunked renders and running on a cluster".

Each task is submitted with one retry (``retries=1``): a task raising twice stops the run with
its error, ffmpeg's stderr included. A worker that dies mid-task is the scheduler's business:
it runs the task again on another worker, so a lost worker costs the tasks it held.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from ..errors import LapsefileError
from . import SCHEDULER_ENV, cores

R = TypeVar("R")
CONNECT_SECONDS = 20


class DaskExecutor:
    name = "dask"

    def __init__(self, address: str | None, workers: int | None = None) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise LapsefileError("--executor dask needs dask.distributed: "
                                 "pip install 'lapsefile[dask]'") from None
        self._cluster: Any = None
        try:
            if address:
                self._client = Client(address, timeout=CONNECT_SECONDS)
            else:
                self._cluster = LocalCluster(n_workers=max(1, workers or cores()),
                                             threads_per_worker=1, processes=True,
                                             dashboard_address=None,
                                             silence_logs=logging.ERROR)
                self._client = Client(self._cluster)
        except (OSError, TimeoutError) as exc:
            self.close()
            where = address or "a LocalCluster on this machine"
            raise LapsefileError(f"cannot reach the Dask scheduler at {where}: {exc}. Start "
                                 f"one (`dask scheduler`, then `dask worker <address>` on each "
                                 f"machine) and pass its address with --scheduler or "
                                 f"{SCHEDULER_ENV}") from None

    def workers(self) -> int:
        return max(1, sum(w.get("nthreads", 1) for w in
                          self._client.scheduler_info()["workers"].values()))

    def on_every_worker(self, fn: Callable[..., R], *args: Any) -> list[R]:
        """``fn(*args)`` on every worker connected now (``Client.run``)."""
        return list(self._client.run(fn, *args).values())

    def share(self, blobs: Mapping[str, bytes], everywhere: bool) -> dict[str, Any]:
        """Scattered once, keyed by their (content) names: futures a task's arguments may
        hold, which the worker receives as the bytes."""
        if not blobs:
            return {}
        futures = self._client.scatter(dict(blobs), broadcast=everywhere, hash=False)
        return dict(futures)

    def run(self, fn: Callable[[Any], R], tasks: Sequence[Any]) -> Iterator[tuple[int, R]]:
        """``(index, result)`` as each task finishes, from whichever worker ran it."""
        from distributed import as_completed

        futures = {self._client.submit(fn, task, retries=1, pure=False): index
                   for index, task in enumerate(tasks)}
        try:
            for future in as_completed(list(futures)):
                if future.status == "finished":
                    yield futures[future], future.result()
                elif future.status == "error":
                    raise _ours(future.exception())
        finally:
            self._client.cancel([f for f in futures if not f.done()])

    def close(self) -> None:
        client = getattr(self, "_client", None)
        if client is not None:
            client.close()
        if self._cluster is not None:
            self._cluster.close()


def _ours(error: BaseException | None) -> BaseException:
    """A task's own error as it is (ffmpeg's RenderError, a file the worker could not write);
    the cluster's (a task that killed every worker it ran on, a lost scheduler) as a
    LapsefileError saying so, not a traceback."""
    if isinstance(error, (LapsefileError, OSError)):
        return error
    name = type(error).__name__
    return LapsefileError(f"the Dask cluster could not run a task ({name}: {error}); see the "
                          f"workers' logs, and check that every worker has lapsefile and the "
                          f"same ffmpeg")
