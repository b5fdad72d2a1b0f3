"""A chunked render, on the client: which chunks are missing, running them on an executor,
then joining each output's chunks by stream copy and publishing it as ``render.py`` does.

The caller (the local backend) says where each output's chunks live and which it already has
(from the lock); it hears of every chunk as it finishes (``on_chunk``), so it can record it at
once: a killed run resumes with the chunks still missing. A chunk is taken as done only when
its file is there with the recorded sha256 for every output of the batch; before the join
every chunk is checked again (frame count and sha256), so nothing half-written or changed is
joined. The music is mixed once, in the join, and muxed with the copied video; the file is a
temp beside the output, renamed into place after its frame count is checked. The chunks are
removed once the output is in place.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..chunking import Window, chunk_ranges
from ..errors import RenderError
from ..executors import Executor
from . import formats, look_passes, music, pipeline, shipping
from .chunks import ChunkMade, ChunkTask, chunk_jobs, render_chunk
from .ffmpeg import Ffmpeg, run_ffmpeg
from .job import RenderJob
from .photos import group_photos
from .probe import video_frames
from .rates import fps_fraction, frame_count
from .render import RenderResult, Written, new_temp, publish, written_frames
from .workdir import Workdir


@dataclass(frozen=True)
class Piece:
    """One output's chunk on disk: its frames, file, poster (the chunk holding it), ffmpeg."""

    start: int
    end: int
    file: Written
    poster: Written | None = None
    ffmpeg: str = ""


# (chunk index, the task's result or None when taken from the last run, each job's piece)
OnChunk = Callable[[int, ChunkMade | None, Sequence[Piece]], None]


def chunk_file(place: Path, index: int, count: int, job: RenderJob) -> Path:
    """Where chunk ``index`` of ``count`` of ``job`` goes, ``place`` being its folder and
    stem (the caller's: unique to the output and what it is made from)."""
    return place.with_name(f"{place.name}-{index + 1:04d}of{count:04d}."
                           f"{formats.chunk_muxer(job)}")


def render_chunked(jobs: Sequence[RenderJob], count: int, ffmpeg: Ffmpeg, executor: Executor,
                   places: Sequence[Path], reuse: Sequence[Mapping[int, Piece]],
                   on_chunk: OnChunk, on_progress: Callable[[float, float], None] | None = None,
                   on_warning: Callable[[str], None] | None = None,
                   ffmpeg_option: str | None = None,
                   ship: bool | None = None) -> list[RenderResult]:
    """Render ``jobs`` (one batch) in ``count`` chunks; results in the order of ``jobs``.
    ``places``: each job's chunk folder and stem; ``reuse``: each job's chunks recorded by
    the last run; ``ffmpeg_option``: the ffmpeg the workers use (None: their own);
    ``ship``: send the files the chunks read as bytes (None: when a worker cannot see
    them, ``shipping.sees``)."""
    lead = jobs[0]
    fps = float(fps_fraction(lead.fps))
    ranges = chunk_ranges(frame_count(lead), fps, lead.codec, count)
    progress = _Progress(ranges, fps, on_progress)
    have = _still_there(ranges, [{i: p for i, p in pieces.items()
                                  if p.file.path == chunk_file(place, i, len(ranges), job)}
                                 for pieces, place, job in zip(reuse, places, jobs)])
    for j, place in enumerate(places):
        _clear(place, [pieces[j].file.path for pieces in have.values()])
    for index, pieces in sorted(have.items()):
        on_chunk(index, None, pieces)
        progress.done(index)
    missing = [i for i in range(len(ranges)) if i not in have]
    look_files = _first_passes(jobs, ffmpeg) if missing else {}
    tasks: Sequence[Any] = [_task(jobs, ranges, i, places, ffmpeg_option) for i in missing]
    run: Callable[[Any], ChunkMade] = render_chunk
    if tasks and _ships(executor, lead, ship):
        if ship is None and on_warning is not None:
            on_warning(f"the {executor.name} workers cannot see {lead.root} at that path: the "
                       f"files each chunk reads are sent to them as bytes")
        run, tasks = shipping.render_shipment, shipping.pack(executor, jobs, tasks, look_files)
    for position, made in executor.run(run, tasks):
        index = missing[position]
        if made.data:
            made = shipping.land(made)
        if made.ffmpeg_version != ffmpeg.version and on_warning is not None:
            on_warning(f"chunk {index + 1} was encoded by ffmpeg {made.ffmpeg_version} on "
                       f"{made.worker}, not {ffmpeg.version}: the video is not the same bytes "
                       f"as one made with this machine's ffmpeg")
        have[index] = [Piece(*ranges[index], file, poster, made.ffmpeg_version)
                       for file, poster in zip(made.files, made.posters)]
        on_chunk(index, made, have[index])
        progress.done(index)
    results = []
    for j, job in enumerate(jobs):
        results.append(_join(job, [have[i][j] for i in range(len(ranges))], ffmpeg,
                             on_warning))
        _clear(places[j], [])
    return results


class _Progress:
    """Seconds of video whose chunks are done, over the whole: from any worker, any order."""

    def __init__(self, ranges: Sequence[tuple[int, int]], fps: float,
                 report: Callable[[float, float], None] | None) -> None:
        self._ranges, self._fps, self._report = ranges, fps, report
        self._total = ranges[-1][1] / fps
        self._done = 0.0
        if report is not None:
            report(0.0, self._total)

    def done(self, index: int) -> None:
        start, end = self._ranges[index]
        self._done += (end - start) / self._fps
        if self._report is not None:
            self._report(self._done, self._total)


def _task(jobs: Sequence[RenderJob], ranges: Sequence[tuple[int, int]], index: int,
          places: Sequence[Path], ffmpeg_option: str | None) -> ChunkTask:
    start, end = ranges[index]
    chunked = chunk_jobs(tuple(jobs), start, end)
    return ChunkTask(
        chunked, Window(start, end),
        tuple(chunk_file(place, index, len(ranges), job) for place, job in zip(places, jobs)),
        tuple(None if job.poster is None else
              chunk_file(place, index, len(ranges), job).with_suffix(".jpg")
              for place, job in zip(places, chunked)),
        index, len(ranges), ffmpeg_option)


def _still_there(ranges: Sequence[tuple[int, int]],
                 reuse: Sequence[Mapping[int, Piece]]) -> dict[int, list[Piece]]:
    """The chunks every job has from the last run, for these frames, unchanged on disk (only
    files at the names this run would give them count: a record cannot point elsewhere)."""
    have: dict[int, list[Piece]] = {}
    for index, (start, end) in enumerate(ranges):
        pieces = [pieces_of_job.get(index) for pieces_of_job in reuse]
        if all(p is not None and (p.start, p.end) == (start, end) and _intact(p.file)
               and (p.poster is None or _intact(p.poster)) for p in pieces):
            have[index] = [p for p in pieces if p is not None]
    return have


def _intact(written: Written) -> bool:
    """The file is there with the size and sha256 recorded."""
    try:
        if written.path.stat().st_size != written.size:
            return False
        return _sha256(written.path) == written.sha256
    except OSError:
        return False


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _clear(place: Path, keep: Sequence[Path]) -> None:
    """Remove what is in the job's chunk folder but ``keep`` (and posters beside it): chunks
    of other settings, temps of killed runs. The caller holds the run lock, and chunk names
    are fixed by what they hold, so a late write of a killed run's worker is the same file."""
    folder = place.parent
    if not folder.is_dir():
        return
    kept = {p.resolve() for p in keep} | {p.with_suffix(".jpg").resolve() for p in keep}
    for entry in folder.iterdir():
        if entry.is_file() and entry.resolve() not in kept:
            entry.unlink(missing_ok=True)
    if not keep:
        try:
            folder.rmdir()
        except OSError:
            pass  # not empty: a worker of a killed run still writes; the next run clears it


def _first_passes(jobs: Sequence[RenderJob], ffmpeg: Ffmpeg) -> dict[str, bytes]:
    """A two-pass look's analysis, run once here into its cache, so chunks only read it;
    returned too (the work folder's analysis and derived files), for workers that cannot
    see the cache."""
    from .looks import analysis_file, derived_file, two_pass

    options = two_pass(jobs[0])
    if not options:
        return {}
    groups = group_photos([Path(p) for p in jobs[0].frames], jobs)
    with Workdir() as work:
        look_passes.prepare(jobs, groups, work, ffmpeg)
        names = [f(option, chain) for option in options for f in (analysis_file, derived_file)
                 for chain in range(pipeline.look_chains(jobs, groups))]
        return {name: (work.path / name).read_bytes() for name in names
                if (work.path / name).is_file()}


def _ships(executor: Executor, lead: RenderJob, ship: bool | None) -> bool:
    """Whether chunks carry their files (``ship``; None: when a worker cannot see them)."""
    if ship is not None:
        return ship
    try:
        seen = shipping.probe(Path(lead.root), Path(lead.frames[0]))
    except OSError:
        return False  # the client cannot read it either: the chunk's own error says so
    return not all(executor.on_every_worker(shipping.sees, *seen))


def _join(job: RenderJob, pieces: Sequence[Piece], ffmpeg: Ffmpeg,
          on_warning: Callable[[str], None] | None) -> RenderResult:
    """The job's chunks checked, joined by stream copy with the music mixed once, published."""
    for piece in pieces:
        frames = video_frames(piece.file.path, boxes=True)
        if frames != piece.end - piece.start or not _intact(piece.file):
            raise RenderError(f"chunk {piece.file.path} is not as recorded ({frames} frames "
                              f"of {piece.end - piece.start}, or changed since): run again "
                              f"to encode it anew")
    output = Path(job.output).resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    temp = new_temp(output)
    poster_temp: Path | None = None
    try:
        with Workdir() as work:
            tracks = music.decode_tracks([job], ffmpeg, work, on_warning)
            names = [work.link(piece.file.path, "chunk") for piece in pieces]
            listing = work.write("chunks.ffconcat", "ffconcat version 1.0\n" +
                                 "".join(f"file {name}\n" for name in names))
            args = join_args(job, work, listing, tracks, temp)
            run_ffmpeg(ffmpeg, ["-y", "-loglevel", "error", *args.real], cwd=work.path,
                       total=frame_count(job) / float(fps_fraction(job.fps)),
                       what=f"ffmpeg failed to join the chunks of {job.output}")
        poster = next((p.poster for p in pieces if p.poster is not None), None)
        if job.poster is not None and poster is not None:
            final = formats.poster_file(job).resolve()
            poster_temp = new_temp(final)
            shutil.copyfile(poster.path, poster_temp)
        return publish(temp, output, args.shown, written_frames(job, temp, ffmpeg),
                        formats.encoded_frames(job),
                        None if poster_temp is None else
                        (poster_temp, formats.poster_file(job).resolve()))
    except BaseException:
        for path in (temp, poster_temp):
            if path is not None:
                path.unlink(missing_ok=True)
        raise


def join_args(job: RenderJob, work: Workdir, listing: str, tracks: Mapping[Path, music.Track],
              temp: Path) -> pipeline.Args:
    """ffmpeg's arguments joining the chunks listed in ``listing`` (in ``work``) by stream
    copy into ``temp``, with the job's music mixed as an unchunked render mixes it."""
    batch = pipeline.Batch([job], [], [temp], work, tracks)
    video = batch.input(("chunks",), ["-f", "concat", "-safe", "0"], work.path / listing,
                        f"<work>/{listing}")
    kind = formats.container(job)
    audio = pipeline.music_stream(batch, job) if kind.audio else None
    if audio is not None:
        batch.args.add("-filter_complex", batch.graph.text())
    batch.args.add("-map", f"{video}:v", "-c:v", "copy")
    if job.codec == "h265":
        batch.args.add("-tag:v", "hvc1")
    if audio is not None:
        batch.args.add("-map", f"[{audio}]", *formats.audio_args(kind))
    fps = float(fps_fraction(job.fps))
    batch.args.add("-frames:v", str(frame_count(job)),
                   *formats.container_args(kind, frame_count(job) / fps))
    batch.args.path(temp, pipeline.shown_path(job.output, job.root, "output"))
    return batch.args
