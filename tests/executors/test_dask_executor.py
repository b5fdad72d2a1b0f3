"""The dask executor on a LocalCluster of worker processes: errors as they are meant."""

from __future__ import annotations

from pathlib import Path

import pytest

from lapsefile.errors import LapsefileError, RenderError
from lapsefile.executors import open_executor


@pytest.fixture(scope="module")
def cluster():
    executor = open_executor("dask", workers=1)
    yield executor
    executor.close()


def _fails_with_ffmpegs_words(counter: str) -> None:
    with open(counter, "a") as fh:
        fh.write("x")
    raise RenderError("ffmpeg failed to render chunk 1 of 1", ["ffmpeg"], "the last words")


def _breaks(_task: int) -> None:
    raise ValueError("not ours")


def test_a_chunk_failing_twice_comes_back_with_ffmpegs_words(cluster, tmp_path):
    # Fault: no retry on the cluster, or the error's stderr lost in the pickling.
    counter = tmp_path / "calls"
    with pytest.raises(RenderError) as caught:
        list(cluster.run(_fails_with_ffmpegs_words, [str(counter)]))
    assert caught.value.stderr_tail == "the last words"
    assert Path(counter).read_text() == "xx"


def test_the_clusters_own_failure_is_a_lapsefile_error(cluster):
    # Fault: a worker-side bug or a dead cluster ending in a traceback (exit 3).
    with pytest.raises(LapsefileError, match="Dask cluster could not run a task"):
        list(cluster.run(_breaks, [1]))


def _lengths(task: tuple[str, dict]) -> tuple[str, int]:
    name, blobs = task
    return name, len(blobs[name])


def test_shared_bytes_reach_the_tasks_that_hold_their_handles(cluster):
    # Fault: the scattered futures handed to the task as futures (not resolved inside the
    # task's tuple and dict), or a broadcast that loses a name; and every worker answers
    # on_every_worker.
    handles = {**cluster.share({"a.jpg": b"x" * 10}, True),
               **cluster.share({"b.jpg": b"y" * 20}, False)}
    done = dict(result for _, result in cluster.run(
        _lengths, [(name, {name: handles[name]}) for name in ("a.jpg", "b.jpg")]))
    assert done == {"a.jpg": 10, "b.jpg": 20}
    assert cluster.on_every_worker(len, "abc") == [3] * cluster.workers()
