"""The ``local`` executor: tasks on this machine's cores.

A chunk task spends its time in ffmpeg, a process of its own, so a pool of threads that each
wait for one ffmpeg keeps every core busy without a second Python process per task (and
without pickling the tasks). ``run_ffmpeg`` ties each ffmpeg to the thread that started it,
so a killed lapsefile takes its encoders with it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any, TypeVar

from . import cores

R = TypeVar("R")


class LocalExecutor:
    name = "local"

    def __init__(self, workers: int | None = None) -> None:
        self._workers = max(1, workers or cores())

    def workers(self) -> int:
        return self._workers

    def on_every_worker(self, fn: Callable[..., R], *args: Any) -> list[R]:
        """The workers are this process's threads: they see what it sees."""
        return [fn(*args)]

    def share(self, blobs: Mapping[str, bytes], everywhere: bool) -> dict[str, Any]:
        """Threads share the memory: the bytes are their own handles."""
        return dict(blobs)

    def run(self, fn: Callable[[Any], R], tasks: Sequence[Any]) -> Iterator[tuple[int, R]]:
        """``(index, result)`` as each task finishes; a task failing twice stops the run."""
        pool = ThreadPoolExecutor(self._workers, thread_name_prefix="lapsefile-task")
        try:
            running: dict[Future[R], tuple[int, int]] = {
                pool.submit(fn, task): (index, 1) for index, task in enumerate(tasks)}
            failure: BaseException | None = None
            while running:
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    index, attempt = running.pop(future)
                    error = future.exception()
                    if error is None:
                        yield index, future.result()
                    elif attempt == 1 and failure is None:
                        running[pool.submit(fn, tasks[index])] = (index, 2)
                    elif failure is None:
                        failure = error
                        # Tasks not started yet never will; running ones finish (their
                        # ffmpeg cannot be stopped from here) and are handed back.
                        running = {f: v for f, v in running.items() if not f.cancel()}
            if failure is not None:
                raise failure
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def close(self) -> None:
        """Nothing outlives ``run``."""
