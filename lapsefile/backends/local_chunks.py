"""The local backend's chunked renders (``render.chunks``): executors, the lock's chunk records.

A step whose plan cuts its output (``step.params["chunks"]``) is rendered by
``engine/chunked.py`` on the run's executor (``run --executor local|dask``, opened on first use
and closed with the run). Every chunk is recorded as it finishes: the step's record, written
with ``ctx.checkpoint`` (the runner writes the lock), holds

    chunks: {of: 40, done: {"1": {frames: [0, 48], file, size, sha256, ffmpeg, poster?}, ...}}

so a killed run resumes with the chunks still missing (``ctx.record`` gives the record back only
while the step's fingerprint is the same), and ``lapsefile plan`` says "12 of 40 chunks done".
The finished step's record is the ordinary one (the output's file, hash, ffmpeg, the join's
arguments) with ``chunks: 40``. Chunk files live in ``.lapsefile/chunks/<output>/``, named by
the step's fingerprint: local to this checkout, never committed; removed once joined, and
by the runner's cleanup when no run will join them (``remove_unused_chunk_folders``).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ..engine.chunked import Piece, render_chunked
from ..engine.ffmpeg import Ffmpeg
from ..engine.job import RenderJob
from ..engine.render import RenderResult, Written
from ..events import Event
from ..executors import DEFAULT, Executor, open_executor
from ..paths import CHUNKS_DIR, chunk_dir, state_dir
from ..plan.model import Step
from .base import BackendRecord, RunContext


def chunks_of(step: Step) -> int:
    """How many chunks the plan cuts the step's output into (1: rendered whole)."""
    return int(step.params.get("chunks", 1))


def remove_unused_chunk_folders(root: Path, in_use: set[str]) -> None:
    """Remove ``.lapsefile/chunks/<output>/`` for every output not ``in_use``: chunks no run
    will join (the output left the spec, is rendered whole now, or is made). The caller holds
    the run lock, so no live run of this project writes there; a killed run's worker still
    writing may keep a folder from going, which the next run tries again."""
    folder = state_dir(root) / CHUNKS_DIR
    if not folder.is_dir():
        return
    for entry in folder.iterdir():
        if entry.is_dir() and not entry.is_symlink() and entry.name not in in_use:
            shutil.rmtree(entry, ignore_errors=True)


class Executors:
    """The run's executor, opened when the first chunked render needs it."""

    def __init__(self, ctx: RunContext) -> None:
        self._ctx = ctx
        self._open: Executor | None = None

    def get(self) -> Executor:
        if self._open is None:
            options = self._ctx.options
            self._open = open_executor(str(options.get("executor") or DEFAULT),
                                       scheduler=options.get("scheduler"),
                                       workers=options.get("workers"))
        return self._open

    def close(self) -> None:
        if self._open is not None:
            self._open.close()
            self._open = None


def render_cut(ctx: RunContext, steps: Sequence[Step], jobs: Sequence[RenderJob],
               ffmpeg: Ffmpeg, executors: Executors,
               warn: Any) -> Iterator[tuple[Step, RenderResult]]:
    """Render ``jobs`` (a batch, cut alike) chunk by chunk, recording each chunk as it is done;
    then each step with its result."""
    root = ctx.project.spec.root
    count = chunks_of(steps[0])
    places = [chunk_dir(root, step.output) / step.fingerprint[:16] for step in steps]
    records: list[dict[str, Any]] = [{} for _ in steps]

    def on_chunk(index: int, made: Any, pieces: Sequence[Piece]) -> None:
        for step, record, piece in zip(steps, records, pieces):
            record[str(index + 1)] = _piece_record(piece, root)
            if made is not None:  # a chunk from the last run is in the lock already
                ctx.checkpoint(step.id, {"chunks": {"of": count, "done": dict(record)}})
            ctx.emit(Event("chunk", step.id, {
                "chunk": index + 1, "of": count, "frames": [piece.start, piece.end],
                "reused": made is None, "worker": None if made is None else made.worker,
                "seconds": None if made is None else round(made.seconds, 3)}))

    def on_progress(done: float, total: float) -> None:
        for step in steps:
            ctx.emit(Event("progress", step.id, {
                "done": round(done, 3), "total": round(total, 3), "unit": "s",
                "label": f"render {step.output} ({count} chunks)"}))

    reuse = [_reusable(ctx.record(step.id), count, root) for step in steps]
    executor = executors.get()
    for step in steps:
        ctx.say(f"{step.output}: {count} chunks, encoded on the {executor.name} executor "
                f"({executor.workers()} at once)", step.id)
    results = render_chunked(jobs, count, ffmpeg, executor, places, reuse, on_chunk,
                             on_progress, warn, ctx.options.get("ffmpeg"))
    yield from zip(steps, results)


def _piece_record(piece: Piece, root: Path) -> dict[str, Any]:
    record: dict[str, Any] = {"frames": [piece.start, piece.end], **_file(piece.file, root),
                              "ffmpeg": piece.ffmpeg}
    if piece.poster is not None:
        record["poster"] = _file(piece.poster, root)
    return record


def _file(written: Written, root: Path) -> dict[str, Any]:
    path = written.path.resolve()
    shown = path.relative_to(root.resolve()).as_posix() if path.is_relative_to(root.resolve()) \
        else str(path)
    return {"file": shown, "size": written.size, "sha256": written.sha256}


def _reusable(record: BackendRecord | None, count: int, root: Path) -> dict[int, Piece]:
    """The chunks a previous run of this very step recorded (the engine checks the files)."""
    chunks = (record or {}).get("chunks")
    if not isinstance(chunks, dict) or chunks.get("of") != count:
        return {}
    found: dict[int, Piece] = {}
    for key, value in (chunks.get("done") or {}).items():
        try:
            start, end = value["frames"]
            poster = value.get("poster")
            found[int(key) - 1] = Piece(
                int(start), int(end), _written(value, root),
                None if poster is None else _written(poster, root), str(value.get("ffmpeg", "")))
        except (KeyError, TypeError, ValueError):
            continue  # a damaged entry: that chunk is encoded again
    return found


def _written(value: dict[str, Any], root: Path) -> Written:
    return Written(root / value["file"], int(value["size"]), str(value["sha256"]))
