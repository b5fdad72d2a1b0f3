"""One chunk of an output's video, encoded on its own: the task an executor runs.

A chunk is frames ``[start, end)`` of one or more outputs that share photos, timing and look
(a batch, as ``render.py`` groups them). Its ffmpeg runs the batch's own graph
(``pipeline.build`` with a ``Window``): the photos it needs decoded at their true output
frames, the look, the timing, the fit, the exact frame count, then a cut to the chunk's
frames that keeps their timestamps, so the camera move, the titles' fades and the timestamps
see the output's true times and nothing shifts at a seam; the encoder (the output's settings,
a fresh closed GOP at the chunk's first frame) gets the chunk alone. Joined by stream copy in
``chunked.py``.

Which photos a chunk reads: those shown in its frames (the last photo shown before its first
frame, up to the last shown before its end), found with the timing's own arithmetic. A look
on the photo sequence (deflicker, blend, exposure, stabilize, interpolate) reaches across
photos, up to the whole sequence: a chunk of such a video reads every photo, and only the
encoding is split.

This module runs wherever the executor puts the task (a Dask worker on another machine): it
reads the photos from their paths (shared storage), writes the chunk file atomically next to
its final name and hands back what it wrote; it never touches the lock. A worker that cannot
see the project gets the files as bytes instead and renders in a private folder
(``shipping.py``).
"""

from __future__ import annotations

import math
import os
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from ..chunking import Window
from ..errors import RenderError
from . import formats, look_passes, pipeline
from .ffmpeg import find_ffmpeg, run_ffmpeg
from .job import RenderJob
from .photos import group_photos
from .probe import video_frames
from .rates import fps_fraction, start_frames
from .render import Written, move_into_place, new_temp
from .workdir import Workdir


@dataclass(frozen=True)
class ChunkTask:
    """Everything a worker needs, as plain data: the batch's jobs, the chunk's frames, where
    each job's chunk goes (and the poster, for the chunk holding its frame)."""

    jobs: tuple[RenderJob, ...]
    window: Window
    files: tuple[Path, ...]  # per job: the chunk's final path (absolute, shared storage)
    posters: tuple[Path | None, ...]  # per job: where this chunk writes its poster, if here
    index: int  # from 0
    count: int
    ffmpeg: str | None = None  # the ffmpeg option as given; else the worker's own


@dataclass(frozen=True)
class ChunkMade:
    """A chunk written: per job its file and poster, which ffmpeg made it where, how long."""

    index: int
    files: tuple[Written, ...]
    posters: tuple[Written | None, ...]
    frames: int
    ffmpeg_version: str
    worker: str  # host:pid
    seconds: float
    # A worker that cannot see the project hands back the bytes (shipping.py), per job; the
    # client writes them at ``files``' and ``posters``' paths.
    data: tuple[bytes, ...] = ()
    poster_data: tuple[bytes | None, ...] = ()


def photo_span(job: RenderJob, start: int, end: int) -> tuple[int, int]:
    """The first and last photo (indexes into ``job.frames``) shown in frames ``[start,
    end)``; every photo when the job has a look on the photo sequence."""
    last_photo = len(job.frames) - 1
    if job.look:
        return 0, last_photo
    fps = fps_fraction(job.fps)
    per_photo, held = job.hold * float(fps), start_frames(job)

    def slot(i: int) -> int:  # pipeline._timing's arithmetic, in the same order
        return held + math.floor(i * per_photo + 0.5 + 0.000001)

    first = 0
    while first < last_photo and slot(first + 1) <= start:
        first += 1
    last = first
    while last < last_photo and slot(last + 1) < end:
        last += 1
    return first, last


def render_chunk(task: ChunkTask, look: Mapping[str, bytes] | None = None) -> ChunkMade:
    """Encode ``task``'s chunk of each job; raise RenderError (with ffmpeg's stderr).
    ``look``: a two-pass look's work files as the client made them (a worker that cannot
    see the project's cache); else they are read from the cache the client filled."""
    started = time.monotonic()
    ffmpeg = find_ffmpeg(task.ffmpeg)
    jobs = list(task.jobs)
    lead = jobs[0]
    first, last = photo_span(lead, task.window.start, task.window.end)
    photos = [Path(p) for p in lead.frames[first:last + 1]]
    missing = next((p for p in photos if not p.is_file()), None)
    if missing is not None:
        # The run checked every worker when it started (shipping.sees); this one joined
        # later, or lost the shared storage since.
        raise RenderError(f"{socket.gethostname()} cannot read {missing}: a worker that joins "
                          f"the cluster during a run must see the project's files at the same "
                          f"path (shared storage); run again to check every worker anew")
    window = replace(task.window, first_photo=first)
    temps: list[Path] = []
    poster_temps: list[Path | None] = []
    try:
        for file, poster in zip(task.files, task.posters):
            file.parent.mkdir(parents=True, exist_ok=True)
            temps.append(new_temp(file))
            poster_temps.append(None if poster is None else new_temp(poster))
        groups = group_photos(photos, jobs, threads=1)  # one of several chunks at once
        with Workdir() as work:
            if look is None:
                look_passes.prepare(jobs, groups, work, ffmpeg)  # cached by the client's
            else:
                for name, data in look.items():
                    (work.path / name).write_bytes(data)
            args = pipeline.build(jobs, groups, temps, work, {}, poster_temps, window)
            names = ", ".join(str(job.output) for job in jobs)
            run_ffmpeg(ffmpeg, ["-y", "-loglevel", "error", "-xerror", *args.real],
                       cwd=work.path, what=f"ffmpeg failed to render chunk {task.index + 1} "
                                           f"of {task.count} of {names}",
                       feed=args.feed)
        files = tuple(_settle(temp, file, window.frames) for temp, file in zip(temps, task.files))
        posters = tuple(None if temp is None or final is None else move_into_place(temp, final)
                        for temp, final in zip(poster_temps, task.posters))
    except BaseException:
        for temp in [*temps, *poster_temps]:
            if temp is not None:
                temp.unlink(missing_ok=True)
        raise
    return ChunkMade(task.index, files, posters, window.frames, ffmpeg.version,
                     f"{socket.gethostname()}:{os.getpid()}", time.monotonic() - started)


def _settle(temp: Path, final: Path, frames: int) -> Written:
    """Check the chunk's frame count, then move it into place (atomically)."""
    written = video_frames(temp, boxes=True)
    if written != frames:
        raise RenderError(f"ffmpeg finished but wrote {written or 0} video frames for a chunk "
                          f"of {frames} ({final.name})")
    return move_into_place(temp, final)


def chunk_jobs(jobs: tuple[RenderJob, ...], start: int, end: int) -> tuple[RenderJob, ...]:
    """The jobs as a chunk renders them: a poster is taken by the chunk holding its frame."""
    return tuple(job if job.poster is not None and start <= formats.poster_frame(job) < end
                 else replace(job, poster=None) for job in jobs)
