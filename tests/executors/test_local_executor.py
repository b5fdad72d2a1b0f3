"""The local executor: results as they finish, one retry, a second failure stops the run."""

from __future__ import annotations

import threading

import pytest

from lapsefile.errors import LapsefileError, RenderError
from lapsefile.executors import open_executor
from lapsefile.executors.local import LocalExecutor


class _Flaky:
    """Fails the first ``fails[task]`` calls of each task."""

    def __init__(self, fails: dict[int, int]) -> None:
        self.fails, self.calls = dict(fails), {}
        self.lock = threading.Lock()

    def __call__(self, task: int) -> int:
        with self.lock:
            self.calls[task] = self.calls.get(task, 0) + 1
            if self.calls[task] <= self.fails.get(task, 0):
                raise RenderError(f"task {task} failed", stderr_tail="ffmpeg's last words")
        return task * 10


def test_a_task_failing_once_is_run_again_and_every_result_arrives():
    # Fault: one transient failure stopping a long render, or a result lost or doubled.
    fn = _Flaky({2: 1})
    results = dict(LocalExecutor(2).run(fn, list(range(5))))
    assert results == {i: i * 10 for i in range(5)}
    assert fn.calls[2] == 2


def test_a_task_failing_twice_raises_its_error_after_handing_back_the_others():
    # Fault: retrying for ever, or losing ffmpeg's words, or dropping finished results.
    fn = _Flaky({1: 2})
    got = []
    with pytest.raises(RenderError) as caught:
        for index, _result in LocalExecutor(1).run(fn, [0, 1, 2]):
            got.append(index)
    assert caught.value.stderr_tail == "ffmpeg's last words"
    assert fn.calls[1] == 2 and 0 in got and 1 not in got


def test_an_unknown_executor_is_refused_by_name():
    # Fault: a typo silently running somewhere else.
    with pytest.raises(LapsefileError, match="executors: local, dask"):
        open_executor("kubernetes")

