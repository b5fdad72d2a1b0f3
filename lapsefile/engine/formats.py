"""What each output format needs after the overlays: colour tags, the GIF palette, the poster,
and the encoder and muxer arguments of every codec (H.264/H.265's own live in ``encode.py``).

Colour: every video but the GIF is tagged BT.709 (primaries, transfer, matrix, limited range)
by ``setparams`` on the frames themselves. The bundled ffmpeg ignores ``-color_primaries`` /
``-color_trc`` given as output options once a filter graph feeds the encoder (ffmpeg showed
them as ``unknown``); tags carried by the frames reach every encoder and container.

GIF: a GIF frame's delay is a whole number of hundredths of a second, so only rates that
divide 100 play evenly, and every frame costs a full palette-mapped image: the rate is capped
at 20 frames a second (5/100 s each, smooth enough for a timelapse's slow change at a quarter
of the size of 50), taking the highest even divisor of 100 at or below the output's rate. One
palette for the whole clip (``palettegen``), applied with ordered (Bayer) dithering: unlike
error diffusion, its pattern stays put from frame to frame, so still areas neither crawl nor
defeat the GIF's compression.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from ..chunking import keyframe_interval
from ..spec.formats import Container, container_of, poster_path
from ..spec.model import Codec, Quality
from . import encode
from .filters import Graph, num
from .job import RenderJob
from .rates import fps_fraction, frame_count

BT709 = "setparams=range=tv:color_primaries=bt709:color_trc=bt709:colorspace=bt709"
GIF_RATES = (20, 10, 5, 4, 2, 1)  # frames a second whose delays are whole hundredths
PIX_FMTS: dict[str, str] = {"prores": "yuv422p10le"}  # 4:2:2 10-bit for editing; else yuv420p


@dataclass(frozen=True)
class Tuning:
    """One codec's settings per quality: the encoder's speed preset and quality (CRF)."""

    speed: dict[str, int]
    crf: dict[str, int]


# SVT-AV1 presets (0 slowest .. 13) and libvpx-vp9 cpu-used (0 slowest .. 5 with deadline
# good), chosen to cost about what x264's preset of the same quality costs; CRFs on each
# codec's own scale (0..63) for a similar look.
_AV1 = Tuning({"draft": 12, "standard": 8, "high": 5}, {"draft": 42, "standard": 34, "high": 27})
_VP9 = Tuning({"draft": 5, "standard": 4, "high": 2}, {"draft": 42, "standard": 33, "high": 26})

ENCODERS: dict[str, str] = {"h264": "libx264", "h265": "libx265", "av1": "libsvtav1",
                            "vp9": "libvpx-vp9", "prores": "prores_ks", "gif": "gif"}


def container(job: RenderJob) -> Container:
    return container_of(Path(job.output).name)


def features(job: RenderJob) -> set[str]:
    """The encoders and filters this job's format needs (the photos' own are render.py's)."""
    needed = {ENCODERS[job.codec]}
    needed |= {"fps", "palettegen", "paletteuse", "split"} if job.codec == "gif" \
        else {"format", "setparams"}
    if job.poster is not None:
        needed |= {"mjpeg", "split", "trim", "scale", "format"}
    if job.music is not None and container(job).audio:
        needed.add(_AUDIO[container(job).name][1])
    return needed


def gif_rate(fps: float) -> int:
    return next((rate for rate in GIF_RATES if rate <= fps + 1e-9), 1)


def encoded_frames(job: RenderJob) -> int:
    """How many frames the file holds: the job's, or for a GIF as many at its capped rate
    (as ffmpeg's ``fps`` filter rounds: to the nearest, halves up)."""
    count = frame_count(job)
    if job.codec != "gif":
        return count
    return max(1, math.floor(count * gif_rate(job.fps) / float(fps_fraction(job.fps)) + 0.5))


def poster_frame(job: RenderJob) -> int:
    """The frame shown at the poster's moment (the last one for a moment past the end)."""
    assert job.poster is not None
    count = frame_count(job)
    fps = float(fps_fraction(job.fps))
    moment = job.poster.seconds(count / fps)
    return max(0, min(count - 1, math.floor(moment * fps + 1e-6)))


def poster_file(job: RenderJob) -> Path:
    return Path(poster_path(Path(job.output).as_posix()))


def finish(graph: Graph, job: RenderJob, video: str, first: int = 0) -> tuple[str, str | None]:
    """The encoder's input from the overlaid ``video`` (the video's frames from ``first`` on)
    and, with a poster, the poster's one frame (taken before the encoder, so it is the frame
    itself, not its compression)."""
    poster = None
    if job.poster is not None:
        video, branch = graph.fan_out(video, 2)
        frame = poster_frame(job) - first
        # JPEG is full-range BT.601 by definition (JFIF): convert, or viewers shift colours.
        poster = graph.chain(branch, [f"trim=start_frame={frame}:end_frame={frame + 1}",
                                      "scale=out_range=pc:out_color_matrix=bt601",
                                      "format=yuvj444p"])
    if job.codec == "gif":
        return _gif(graph, job, video), poster
    return graph.chain(video, [f"format={PIX_FMTS.get(job.codec, 'yuv420p')}", BT709]), poster


def _gif(graph: Graph, job: RenderJob, video: str) -> str:
    timed = graph.chain(video, [f"fps={gif_rate(job.fps)}"])
    for_palette, frames = graph.fan_out(timed, 2)
    palette = graph.chain(for_palette, ["palettegen=stats_mode=full"])
    return graph.chain([frames, palette], ["paletteuse=dither=bayer:bayer_scale=3"])


def video_args(codec: Codec, quality: Quality, size: tuple[int, int], fps_text: str,
               fps: float) -> list[str]:
    """The encoder's arguments for ``codec``."""
    if codec in ("h264", "h265"):
        return encode.video_args(codec, quality, size, fps_text, fps)
    if codec == "gif":
        return ["-c:v", "gif", "-flags:v", "+bitexact"]
    gop = str(keyframe_interval(fps))  # as for H.264
    common = ["-r", fps_text, "-color_range", "tv", "-colorspace", "bt709",
              "-color_primaries", "bt709", "-color_trc", "bt709", "-flags:v", "+bitexact"]
    if codec == "prores":  # ProRes 422 HQ, every frame a keyframe by design
        return ["-c:v", "prores_ks", "-profile:v", "3", "-vendor", "apl0",
                "-pix_fmt", PIX_FMTS["prores"], "-threads:v", str(encode.ENCODER_THREADS),
                *common]
    if codec == "av1":
        return ["-c:v", "libsvtav1", "-preset", str(_AV1.speed[quality]),
                "-crf", str(_AV1.crf[quality]), "-g", gop,
                "-svtav1-params", f"lp={encode.ENCODER_THREADS}", "-pix_fmt", "yuv420p", *common]
    return ["-c:v", "libvpx-vp9", "-deadline", "good", "-cpu-used", str(_VP9.speed[quality]),
            "-crf", str(_VP9.crf[quality]), "-b:v", "0", "-g", gop, "-row-mt", "1",
            "-threads:v", str(encode.ENCODER_THREADS), "-pix_fmt", "yuv420p", *common]


# Per container: the audio arguments and the encoder they need. MOV gets PCM, what editing
# software takes without decoding; WebM admits only Opus or Vorbis.
_AUDIO: dict[str, tuple[list[str], str]] = {
    "mp4": (["-c:a", "aac", "-b:a", "192k"], "aac"),
    "mov": (["-c:a", "pcm_s16le"], "pcm_s16le"),
    "webm": (["-c:a", "libopus", "-b:a", "160k"], "libopus"),
}


def audio_args(kind: Container) -> list[str]:
    if kind.name == "mp4":
        return encode.audio_args()
    return [*_AUDIO[kind.name][0], "-ar", "48000", "-ac", "2", "-flags:a", "+bitexact"]


def container_args(kind: Container, duration: float) -> list[str]:
    """The muxer's arguments: nothing variable written, MP4 and MOV playable while loading."""
    if kind.name == "mp4":
        return encode.container_args(duration)
    args = ["-t", num(duration), "-map_metadata", "-1", "-map_chapters", "-1",
            "-fflags", "+bitexact"]
    if kind.name == "mov":
        args += ["-movflags", "+faststart"]
    return [*args, "-f", kind.muxer]


def chunk_args(job: RenderJob) -> list[str]:
    """The muxer of one chunk of the job's video (``engine/chunks.py``): MP4, or MOV for
    ProRes, nothing variable written; the join copies the stream into the output's file."""
    return ["-map_metadata", "-1", "-map_chapters", "-1", "-fflags", "+bitexact",
            "-f", chunk_muxer(job)]


def chunk_muxer(job: RenderJob) -> str:
    return "mov" if job.codec == "prores" else "mp4"


def poster_args() -> list[str]:
    """The poster's encoder and muxer: one baseline JPEG at high quality, nothing variable."""
    return ["-frames:v", "1", "-c:v", "mjpeg", "-q:v", "2", "-flags:v", "+bitexact",
            "-map_metadata", "-1", "-fflags", "+bitexact", "-f", "mjpeg"]
