"""One ffmpeg command for a batch of jobs that share photos, timing and look.

The video path, per batch::

    photos (one concat input per group) -> scale to a working size (early: big photos are
    not carried further than needed) -> EXIF orientation -> one frame per photo
    -> look on the photo sequence: each option's filters (engine/looks/<name>.py), in the
       schema's order (before the timing, so a look may drop, add or renumber frames)
    -> timing: frame N shows at output frame floor(N*frames_per_photo + 0.5)
       [interpolate to the output rate]
    -> split per output -> fit (cover / contain / blur) -> [repeat frames to the output rate]
    -> exact frame count -> titles, timestamp, logo -> encoder

Timing comes from the frame count, not from the demuxer's timestamps (image inputs have a
1/25 s time base, which would move photo boundaries by up to 20 ms). Fitting before the
frame-rate conversion fits each photo once instead of once per output frame. Photo sets that
mix shapes are fitted per group first and merged (``interleave``) in display order before the
look, as the look filters need one frame size.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from ..chunking import Window
from ..errors import RenderError
from ..spec.model import Fit
from . import encode, feed, formats, looks, overlays
from .feed import Feed
from .filters import Graph, even, fit_chain, scale, working_size
from .job import RenderJob
from .looks import LookStage
from .looks.interpolate import applies as interpolates
from .looks.interpolate import rate_filters
from .motion import chain as motion_chain
from .music import INPUT_ARGS, Track, played_seconds
from .photos import ORIENT_FILTERS, Group, concat_list, decoder_count, lowres_level
from .rates import fps_fraction, frame_count, start_frames
from .workdir import Workdir


def canvas_size(job: RenderJob) -> tuple[int, int]:
    """The encoded size: the canvas, made even (yuv420p needs it). A draft keeps it too, so
    a draft means the same size locally and in the cloud; its speed comes from decoding
    small (``photos.lowres_level``, ``engine/feed.py``) and a fast preset."""
    return even(job.canvas.width), even(job.canvas.height)


@dataclass
class Args:
    """ffmpeg arguments twice: as run, and as recorded (no absolute paths)."""

    real: list[str] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)
    feed: Feed | None = None  # photos lapsefile decodes onto ffmpeg's standard input

    def add(self, *tokens: str) -> None:
        self.real.extend(tokens)
        self.shown.extend(tokens)

    def path(self, real: Path, shown: str) -> None:
        self.real.append(f"file:{real}")
        self.shown.append(shown)


def shown_path(path: Path, root: Path, label: str) -> str:
    """``path`` relative to ``root`` (POSIX), or ``<label>/name`` when outside it."""
    path, root = Path(path).resolve(), Path(root).resolve()
    if path.is_relative_to(root):
        return path.relative_to(root).as_posix()
    return f"<{label}>/{path.name}"


@dataclass
class Batch:
    jobs: Sequence[RenderJob]
    groups: Sequence[Group]
    temps: Sequence[Path]
    work: Workdir
    tracks: Mapping[Path, Track] = field(default_factory=dict)
    analysing: str | None = None  # a two-pass look option whose first pass this command is
    window: Window | None = None  # a chunk's frames (engine/chunks.py); None: the whole video
    graph: Graph = field(default_factory=Graph)
    args: Args = field(default_factory=Args)
    _inputs: dict[tuple[str, ...], int] = field(default_factory=dict)

    @property
    def lead(self) -> RenderJob:
        return self.jobs[0]

    @property
    def best(self) -> encode.Preset:
        """The preset of the best quality asked for: shared steps are done to its standard."""
        order = list(encode.PRESETS)
        return encode.PRESETS[max((job.quality for job in self.jobs), key=order.index)]

    def input(self, key: tuple[str, ...], options: Sequence[str], real: Path | str,
              shown: str) -> int:
        """The input's number; ``real`` a file, or a protocol URL given as a string."""
        if key not in self._inputs:
            self._inputs[key] = len(self._inputs)
            self.args.add(*options, "-i")
            if isinstance(real, Path):
                self.args.path(real, shown)
            else:
                self.args.real.append(real)
                self.args.shown.append(shown)
        return self._inputs[key]


def build(jobs: Sequence[RenderJob], groups: Sequence[Group], temps: Sequence[Path],
          work: Workdir, tracks: Mapping[Path, Track] | None = None,
          posters: Sequence[Path | None] = (), window: Window | None = None) -> Args:
    """The arguments (after the binary) rendering ``jobs`` into ``temps``; ``tracks``: the
    music already decoded into ``work`` (``music.decode_tracks``), by source file;
    ``posters``: where each job with a poster writes it; ``window``: only these frames, as
    one chunk (``engine/chunks.py``: ``groups`` then hold the photos they need), silent."""
    batch = Batch(jobs, groups, temps, work, tracks or {}, window=window)
    first = window.start if window is not None else 0
    # the camera move: on each fitted canvas at its exact frame count, under the overlays
    videos = [motion_chain(batch.graph, _cut(batch, video), job, frame_count(job), first)
              for job, video in zip(jobs, _videos(batch))]
    finals = [_rebased(batch, formats.finish(batch.graph, job, _overlays(batch, index, video),
                                             first))
              for index, (job, video) in enumerate(zip(jobs, videos))]
    audios = [music_stream(batch, job) if formats.container(job).audio and window is None else None
              for job in jobs]
    batch.args.add("-filter_complex", batch.graph.text())
    for index, (job, temp, (video, poster), audio) in enumerate(zip(jobs, temps, finals,
                                                                   audios)):
        _output(batch, job, temp, video, audio)
        poster_temp = posters[index] if index < len(posters) else None
        if poster and poster_temp is not None:
            batch.args.add("-map", f"[{poster}]", *formats.poster_args())
            batch.args.path(poster_temp, shown_path(formats.poster_file(job), job.root,
                                                    "output"))
    return batch.args


def build_analysis(jobs: Sequence[RenderJob], groups: Sequence[Group], work: Workdir,
                   option: str) -> Args:
    """The first pass of the two-pass look ``option``: the photo sequences up to its analysis
    filter, which writes ``looks.analysis_file(option, chain)``, and nothing more (no fitting,
    overlays, music or encoding), so what is analysed is exactly what the render's look sees
    and a change to anything later leaves the analysis as it was."""
    batch = Batch(jobs, groups, [], work, analysing=option)
    videos = _videos(batch)
    batch.args.add("-filter_complex", batch.graph.text())
    for video in videos:
        batch.args.add("-map", f"[{video}]", "-f", "null", "-")
    return batch.args


def _cut(batch: Batch, video: str) -> str:
    """A chunk's frames of the exact-length stream, keeping their timestamps (the stream is
    at the output rate, one tick a frame): the move, fades and timestamps downstream see the
    output's true times, so chunks join without a seam."""
    if batch.window is None:
        return video
    return batch.graph.chain(video, [f"trim=start_pts={batch.window.start}:"
                                     f"end_pts={batch.window.end}"])


def _rebased(batch: Batch, finished: tuple[str, str | None]) -> tuple[str, str | None]:
    """A chunk's video starts at time 0 in its own file; the join puts it back in place."""
    video, poster = finished
    if batch.window is None:
        return finished
    return batch.graph.chain(video, ["setpts=PTS-STARTPTS"]), poster


def _first_photo(batch: Batch) -> int:
    """The index, in the job's photos, of the first photo this command reads."""
    return batch.window.first_photo if batch.window is not None else 0


def look_chains(jobs: Sequence[RenderJob], groups: Sequence[Group]) -> int:
    """How many photo sequences get a look: one shared by all jobs, or one per job when
    photos of several shapes are fitted per job first."""
    return 1 if len(groups) == 1 else len(jobs)


def _videos(batch: Batch) -> list[str]:
    """Each job's video stream up to the overlays (in analysis mode: each look chain's end)."""
    canvases = [(*canvas_size(job), job.canvas.fit) for job in batch.jobs]
    groups = batch.groups
    sources = [_group_input(batch, g, group, canvases) for g, group in enumerate(groups)]
    if len(groups) == 1:
        return _single_group(batch, sources[0], working=_working(groups[0], canvases))
    return _mixed_groups(batch, sources, [_working(g, canvases) for g in groups])


def _working(group: Group, canvases: Sequence[tuple[int, int, Fit]]) -> tuple[int, int]:
    return working_size(group.smallest, canvases)


def _group_input(batch: Batch, index: int, group: Group,
                 canvases: Sequence[tuple[int, int, Fit]]) -> str:
    """The group's photos at their working size, upright, one frame each, in display order.

    Big JPEGs that decode well smaller are decoded by lapsefile and fed to ffmpeg's standard
    input (``engine/feed.py``). Other big photos are read by several inputs
    (``photos.decoder_count``), every n-th photo each: ffmpeg runs each input's demuxer and
    decoder in threads of their own, so the photos decode on every core. Each part gets the
    same filters and its frames their display index as timestamp, and ``interleave`` merges
    them back by it.
    """
    width, height = _working(group, canvases)
    best = batch.best
    flags = best.scale_flags
    # scale must stay the first filter: with -reinit_filter 0 it is what absorbs a change of
    # size or pixel format between files of one group.
    # The EXIF orientation is applied here, so the decoder's display matrix must not reach
    # the output too: players would rotate the video a second time.
    steps = [scale(*group.stored((width, height)), flags) + ":out_color_matrix=bt709:out_range=tv",
             "format=yuv420p", "sidedata=mode=delete:type=DISPLAYMATRIX",
             *ORIENT_FILTERS[group.orientation], "setsar=1"]
    # A batch of drafts only (``best``) needs the photos decode_below halvings smaller: the
    # scale enlarges them back, softer, to the size the outputs keep.
    need = (width >> best.decode_below, height >> best.decode_below)
    fed = feed.plan(group, group.stored(need), len(batch.groups), best.lowres,
                    threads=1 if batch.window is not None else 0)  # see Feed.threads
    if fed is not None:
        batch.args.feed = fed
        number = batch.input(("frames", str(index)), fed.input_options(), feed.STDIN,
                             feed.STDIN)
        return batch.graph.chain(f"{number}:v", steps)
    options = ["-noautorotate", "-reinit_filter", "0"]
    lowres = lowres_level(group, need) if best.lowres else 0
    if lowres:
        options += ["-lowres", str(lowres)]
    options += ["-f", "concat", "-safe", "0"]
    parts = decoder_count(group)
    labels = []
    for part in range(parts):
        suffix = f"-{part}" if parts > 1 else ""
        name = batch.work.write(f"frames-{index}{suffix}.ffconcat",
                                concat_list(group, part, parts))
        number = batch.input(("frames", f"{index}{suffix}"), options, batch.work.path / name,
                             f"<work>/{name}")
        timed = steps
        if parts > 1 or len(batch.groups) > 1:  # merged by timestamp: the display index
            timed = [*steps, "settb=AVTB",
                     f"setpts=PTS-STARTPTS+{group.indexes[part]}/TB"]
        labels.append(batch.graph.chain(f"{number}:v", timed))
    if parts == 1:
        return labels[0]
    return batch.graph.chain(labels, [f"interleave=nb_inputs={parts}"])


def _timing(job: RenderJob, interpolate: bool, first_photo: int = 0) -> list[str]:
    """Each photo at its output frame; a chunk fed from photo ``first_photo`` on puts them
    where the whole sequence would (after the start's hold, which ``_to_length`` pads only
    when the first photo is read)."""
    fps = fps_fraction(job.fps)
    if interpolate:  # minterpolate wants true times, not frame slots
        return ["settb=AVTB", f"setpts=N*{job.hold!r}/TB"]
    frames_per_photo = repr(job.hold * float(fps))
    photo = f"(N+{first_photo})" if first_photo else "N"
    held = f"+{start_frames(job)}" if first_photo else ""
    return [f"settb={fps.denominator}/{fps.numerator}",
            f"setpts=floor({photo}*{frames_per_photo}+0.5+0.000001){held}"]


def _to_length(job: RenderJob, at_rate: bool, first_photo: int = 0) -> list[str]:
    """Exactly the job's frame count at a constant rate, the last frame held to the end.

    tpad clones the last frame without end, stepping by the stream's frame rate, so the
    stream must already be at the output rate (``at_rate``, else an ``fps`` comes first: at
    the photo rate the clones would not advance in time and the fps filter would wait for
    ever). The second fps fills the gap tpad may leave before its first clone (minterpolate
    stops one photo interval early); trim cuts the exact count. A hold at the start is the
    first frame cloned before the rest, by the same tpad.
    """
    fps = fps_fraction(job.fps)
    rate = f"fps={fps.numerator}/{fps.denominator}"
    start = start_frames(job) if first_photo == 0 else 0  # else: in _timing's timestamps
    pad = (f"tpad=start={start}:start_mode=clone:" if start else "tpad=") + \
        "stop=-1:stop_mode=clone"
    return ([] if at_rate else [rate]) + [pad, rate, f"trim=end_frame={frame_count(job)}"]


def _single_group(batch: Batch, source: str, working: tuple[int, int]) -> list[str]:
    lead = batch.lead
    interpolate = interpolates(lead)
    steps = looks.filters(LookStage(lead, 0, batch.analysing)) + \
        _timing(lead, interpolate, _first_photo(batch))
    if batch.analysing:
        return [batch.graph.chain(source, steps)]
    if interpolate:
        steps += rate_filters(lead) + _to_length(lead, at_rate=True)
    shared = batch.graph.chain(source, steps)
    videos = []
    for job, branch in zip(batch.jobs, batch.graph.fan_out(shared, len(batch.jobs))):
        flags = encode.PRESETS[job.quality].scale_flags
        fitted = fit_chain(batch.graph, branch, working, canvas_size(job), job.canvas.fit,
                           flags)
        videos.append(fitted if interpolate else
                      batch.graph.chain(fitted, _to_length(job, False, _first_photo(batch))))
    return videos


def _mixed_groups(batch: Batch, sources: Sequence[str],
                  workings: Sequence[tuple[int, int]]) -> list[str]:
    per_job: list[list[str]] = [[] for _ in batch.jobs]
    for source, working in zip(sources, workings):
        branches = batch.graph.fan_out(source, len(batch.jobs))
        for j, (job, branch) in enumerate(zip(batch.jobs, branches)):
            flags = encode.PRESETS[job.quality].scale_flags
            per_job[j].append(fit_chain(batch.graph, branch, working, canvas_size(job),
                                        job.canvas.fit, flags))
    videos = []
    for chain, (job, fitted) in enumerate(zip(batch.jobs, per_job)):
        interpolate = interpolates(job)
        steps = [f"interleave=nb_inputs={len(fitted)}",
                 *looks.filters(LookStage(job, chain, batch.analysing)),
                 *_timing(job, interpolate, _first_photo(batch))]
        if not batch.analysing:
            steps += ((rate_filters(job) + _to_length(job, at_rate=True)) if interpolate
                      else _to_length(job, False, _first_photo(batch)))
        videos.append(batch.graph.chain(fitted, steps))
    return videos


def _overlays(batch: Batch, index: int, video: str) -> str:
    """Each overlay kind's chain, in the shared order (``engine/overlays/<kind>.py``)."""
    job = batch.jobs[index]
    fps = float(fps_fraction(job.fps))
    stage = overlays.Stage(batch.graph, video, job, index, canvas_size(job),
                           frame_count(job) / fps, fps, batch.work,
                           partial(_file_input, batch, job))
    video = overlays.draw(stage)
    return batch.graph.chain(video, ["format=yuv420p", "setsar=1"])


def _file_input(batch: Batch, job: RenderJob, what: str, relpath: str,
                options: Sequence[str]) -> int:
    """The input number of a file an overlay reads (one input per file per batch)."""
    path = _asset(job, relpath, what)
    return batch.input((what, str(path)), options, path, shown_path(path, job.root, "external"))


def music_stream(batch: Batch, job: RenderJob) -> str | None:
    """Add the job's music to ``batch`` (an input and its chain: fit, volume, fades) and
    return the audio stream's label, or None without music. Public because the join of a
    chunked render (``chunked.py``) mixes the music exactly as a whole render does."""
    music = job.music
    if music is None:
        return None
    path = _asset(job, music.file, "music")
    duration = frame_count(job) / float(fps_fraction(job.fps))
    track = batch.tracks.get(path)
    if track is None:  # not decoded first: ffmpeg reads the file itself
        number = batch.input(("music", str(path), music.fit), encode.music_input_args(music),
                             path, shown_path(path, job.root, "external"))
        played = None
    else:  # the clean samples (music.py says why); recorded under the file they came from
        number = batch.input(("music", track.name, music.fit),
                             [*encode.music_input_args(music, track.looped), *INPUT_ARGS],
                             batch.work.path / track.name, shown_path(path, job.root, "external"))
        played = played_seconds(music.fit, music.start, track.seconds, duration)
    looped = track is not None and track.looped
    label = batch.graph.label("a")
    batch.graph.chain(f"{number}:a", encode.music_filters(music, duration, played, looped),
                      label, audio=True)
    return label


def _asset(job: RenderJob, relpath: str, what: str) -> Path:
    path = job.resolve(relpath).resolve()  # absolute: ffmpeg runs in the work folder
    if not path.is_file():
        raise RenderError(f"{what} file not found: {path}")
    return path


def _output(batch: Batch, job: RenderJob, temp: Path, video: str, audio: str | None) -> None:
    """The encoder and muxer of one output, chosen by its file's extension (a GIF at its own
    capped rate, see ``formats``)."""
    fps = fps_fraction(job.fps)
    fps_text = f"{fps.numerator}/{fps.denominator}" if fps.denominator != 1 \
        else str(fps.numerator)
    kind = formats.container(job)
    batch.args.add("-map", f"[{video}]")
    if audio:
        batch.args.add("-map", f"[{audio}]", *formats.audio_args(kind))
    window = batch.window
    batch.args.add(*formats.video_args(job.codec, job.quality, canvas_size(job), fps_text,
                                       float(fps)),
                   "-frames:v", str(formats.encoded_frames(job) if window is None
                                    else window.frames),
                   *(formats.container_args(kind, frame_count(job) / float(fps))
                     if window is None else formats.chunk_args(job)))
    batch.args.path(temp, shown_path(job.output, job.root, "output"))
