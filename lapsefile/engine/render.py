"""Render jobs to video files and posters: batching, running ffmpeg, publishing atomically.

Jobs that share photos, frame rate, duration, hold and look are one batch, rendered by one
ffmpeg process: the photos are decoded once and split to one encoder per output. Each output
is written to a hidden temp file beside it (``.name.mp4.<random>.part``), flushed to disk and
renamed into place only after ffmpeg succeeded, so an interrupted or failed render never leaves
a file that looks finished. The name is fresh for every render, so an ffmpeg of a killed run
that still writes its temp (possible where ffmpeg cannot be tied to lapsefile, see
``ffmpeg.tied_to_this_process``) never shares a file with the next run; the next run removes
such leftovers first (``remove_stale_render_files``).
"""

from __future__ import annotations

import glob
import hashlib
import os
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import atomic
from ..atomic import fixed_temp_path, new_file_mode, remove_stale_temps, replace_durably
from ..errors import RenderError
from ..spec.formats import poster_path
from . import encode, formats, look_passes, looks, motion, music, overlays, pipeline
from .ffmpeg import Ffmpeg, run_ffmpeg
from .job import RenderJob
from .photos import group_photos
from .probe import video_frames
from .workdir import Workdir


@dataclass(frozen=True)
class Written:
    """A file a render published: where, how big, its sha256."""

    path: Path
    size: int
    sha256: str


@dataclass(frozen=True)
class RenderResult:
    output: Path
    size: int
    sha256: str
    args: list[str]  # ffmpeg arguments as recorded: paths relative to the job root or <labels>
    poster: Written | None = None  # the JPEG still, when the job asks for one


def required_features(job: RenderJob) -> set[str]:
    """The encoders and filters ``job`` needs from ffmpeg."""
    needed = {"scale", "sidedata", "tpad", "trim"} | formats.features(job)
    if job.music is not None and formats.container(job).audio:
        needed |= {"afade", "apad", "atrim", "volume"}
    needed |= overlays.required_features(job)
    needed |= looks.features(job)
    needed |= motion.features(job)
    if job.canvas.fit == "blur":
        needed |= {"gblur", "overlay"}
    return needed


def batch_key(job: RenderJob) -> Hashable:
    """Jobs with equal keys are rendered by one ffmpeg process."""
    draft_look = pipeline.interpolates(job) and encode.PRESETS[job.quality].blend_interpolation
    return (job.frames, pipeline.fps_fraction(job.fps),  # absolute paths (job.py)
            round(job.duration, 6), round(job.hold, 9), round(job.hold_start, 9), job.look,
            draft_look)


def batch_jobs(jobs: Sequence[RenderJob]) -> list[list[int]]:
    """Indexes of ``jobs`` grouped into batches, in order of first appearance."""
    batches: dict[Hashable, list[int]] = {}
    for index, job in enumerate(jobs):
        batches.setdefault(batch_key(job), []).append(index)
    return list(batches.values())


def render(jobs: Sequence[RenderJob], ffmpeg: Ffmpeg,
           on_progress: Callable[[float, float], None] | None = None,
           on_warning: Callable[[str], None] | None = None,
           on_decoding: Callable[[int, int], None] | None = None) -> list[RenderResult]:
    """Render every job; results in the order of ``jobs``. Progress is reported in seconds of
    video rendered over the total of all batches, and before each batch's render in photos
    decoded by lapsefile (RAW, HEIC, TIFF) over those its batch decodes (``on_decoding``);
    ``on_warning`` hears of damage the render worked around (music the decoder had to skip
    parts of)."""
    features: set[str] = set()
    for job in jobs:
        _check(job)
        features |= required_features(job)
    ffmpeg.require(features)
    _check_outputs(jobs)
    batches = batch_jobs(jobs)
    lengths = [_length(jobs[batch[0]]) for batch in batches]
    total, done = sum(lengths), 0.0
    results: dict[int, RenderResult] = {}
    for batch, length in zip(batches, lengths):
        report = _offset(on_progress, done, total) if on_progress is not None else None
        for index, result in zip(batch, _render_batch([jobs[i] for i in batch], ffmpeg,
                                                      report, on_warning, on_decoding)):
            results[index] = result
        done += length
    return [results[i] for i in range(len(jobs))]


def _offset(on_progress: Callable[[float, float], None], before: float,
            total: float) -> Callable[[float, float], None]:
    """A batch's progress as progress of the whole render (``before`` seconds are done)."""
    def report(seconds: float, _batch_total: float) -> None:
        on_progress(min(total, before + seconds), total)
    return report


def _length(job: RenderJob) -> float:
    return pipeline.frame_count(job) / float(pipeline.fps_fraction(job.fps))


def _check(job: RenderJob) -> None:
    if not job.frames:
        raise RenderError(f"nothing to render into {job.output}: the job has no photos")
    if job.fps <= 0 or job.duration <= 0 or job.hold <= 0:
        raise RenderError(f"cannot render {job.output}: fps, duration and hold must be "
                          f"positive (got {job.fps}, {job.duration}, {job.hold})")


def _check_outputs(jobs: Sequence[RenderJob]) -> None:
    seen: set[Path] = set()
    for job in jobs:
        path = Path(job.output).resolve()
        if path in seen:
            raise RenderError(f"two outputs would be written to {job.output}")
        seen.add(path)


def _render_batch(jobs: Sequence[RenderJob], ffmpeg: Ffmpeg,
                  on_progress: Callable[[float, float], None] | None,
                  on_warning: Callable[[str], None] | None = None,
                  on_decoding: Callable[[int, int], None] | None = None) -> list[RenderResult]:
    groups = group_photos([Path(p) for p in jobs[0].frames], jobs, on_decoded=on_decoding)
    outputs = [Path(job.output).resolve() for job in jobs]  # ffmpeg runs in the work folder
    # ffmpeg writes the temps itself (-y overwrites the empty file made here), named in
    # lapsefile.atomic's scheme (.name.mp4.<random>.part, in the output's folder so the final
    # rename stays atomic); replace_durably moves them into place.
    temps: list[Path] = []
    posters: list[Path | None] = []  # each job's poster temp (None: no poster)
    try:
        for job, output in zip(jobs, outputs):
            output.parent.mkdir(parents=True, exist_ok=True)
            temps.append(new_temp(output))
            posters.append(None if job.poster is None else
                           new_temp(formats.poster_file(job).resolve()))
        with Workdir() as work:
            # Music first, leniently, so -xerror below guards the photos only.
            tracks = music.decode_tracks(jobs, ffmpeg, work, on_warning)
            look_passes.prepare(jobs, groups, work, ffmpeg)
            args = pipeline.build(jobs, groups, temps, work, tracks, posters)
            names = ", ".join(str(job.output) for job in jobs)
            command = ["-y", "-loglevel", "error", "-xerror", *args.real]
            for attempt in (1, 2):
                try:
                    run_ffmpeg(ffmpeg, command, cwd=work.path, total=_length(jobs[0]),
                               on_progress=on_progress, what=f"ffmpeg failed to render {names}",
                               feed=args.feed)
                    break
                except RenderError as exc:
                    if attempt == 2 or not crashed(exc):
                        raise
        return [publish(temp, output, args.shown, written_frames(job, temp, ffmpeg),
                         formats.encoded_frames(job),
                         None if poster is None else (poster, formats.poster_file(job).resolve()))
                for job, temp, output, poster in zip(jobs, temps, outputs, posters)]
    except BaseException:
        for temp in [*temps, *posters]:
            if temp is not None:
                temp.unlink(missing_ok=True)
        raise


def crashed(error: RenderError) -> bool:
    """ffmpeg died of a signal it did not get from us (an abort or a segfault inside the
    encoder, seen rarely with x265's thread pools): worth one more try, unlike a refusal of
    the input, which fails the same way every time."""
    return error.returncode is not None and error.returncode < 0 and \
        "made no progress" not in error.message


def new_temp(output: Path) -> Path:
    """A fresh, empty temp file beside ``output`` in lapsefile.atomic's naming scheme
    (``.name.mp4.<random>.part``): same folder, so the final rename is atomic; a fresh name,
    so a killed run's ffmpeg still writing its own temp never shares a file with this one.
    Used by every render that publishes a file (whole, chunk, join)."""
    fd, name = atomic.new_temp(output, PART)
    os.close(fd)
    os.chmod(name, new_file_mode(output))  # 0600 would stay: ffmpeg only truncates
    return Path(name)


PART = ".part"


def remove_stale_render_files(outputs: Iterable[Path]) -> None:
    """Remove what killed renders of ``outputs`` left beside them: their temp files.

    Only lapsefile's names for these outputs are touched: ``.name.mp4.<random>.part`` (also
    left by an interrupted download of a cloud export) and ``.name.mp4.part`` (older versions).
    Call only while holding the project's run lock, so no live run of this project writes
    them. On Linux the ffmpeg of a killed run is dead by now; elsewhere it may still hold its
    file, which then cannot always be removed (Windows): that is ignored, since the next render
    writes under a fresh name anyway.
    """
    for output in outputs:
        output = Path(output)
        if not output.parent.is_dir():
            continue
        remove_stale_temps(output.parent, glob.escape(output.name), PART)
        # and its poster's (.name.jpg.<random>.part), which only a render writes
        remove_stale_temps(output.parent, glob.escape(poster_path(output.name)), PART)
        try:
            fixed_temp_path(output, PART).unlink(missing_ok=True)
        except OSError:
            pass


def written_frames(job: RenderJob, temp: Path, ffmpeg: Ffmpeg) -> int | None:
    """The frames ffmpeg wrote into ``temp``: an MP4's or MOV's from its boxes, others'
    counted by ffmpeg."""
    if not temp.is_file():
        return None
    return video_frames(temp, ffmpeg, boxes=formats.container(job).muxer in ("mp4", "mov"))


def publish(temp: Path, output: Path, shown_args: list[str], written: int | None,
            frames: int, poster: tuple[Path, Path] | None = None) -> RenderResult:
    """Check the video's frame count (``written`` of ``frames``), then move it (and its
    poster: (temp, final)) into place; the poster goes first, so a video in place always has
    its poster beside it."""
    if written != frames:
        # ffmpeg can end "successfully" with fewer frames when a filter gives up early; a
        # short video must not be mistaken for the finished one.
        raise RenderError(f"ffmpeg finished but wrote {written or 0} video frames for {output}, "
                          f"not {frames}")
    still = None
    if poster is not None:
        if not poster[0].is_file() or poster[0].stat().st_size == 0:
            raise RenderError(f"ffmpeg finished but wrote no poster for {output}")
        still = move_into_place(*poster)
    video = move_into_place(temp, output)
    return RenderResult(output, video.size, video.sha256, list(shown_args), still)


def move_into_place(temp: Path, final: Path) -> Written:
    """Hash and flush ``temp``, then rename it to ``final`` durably."""
    digest = hashlib.sha256()
    size = 0
    with open(temp, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
        os.fsync(fh.fileno())  # ffmpeg does not fsync; the rename must not outrun the data
    replace_durably(temp, final)
    return Written(final, size, digest.hexdigest())
