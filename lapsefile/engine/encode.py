"""Encoder settings: quality presets, H.264/H.265 levels, audio, reproducibility flags.

Presets were chosen with ``bench/render_bench.py`` (200 noisy 3000x2000 photos to a 30 s
1080p24 video on 2 cores). A timelapse holds each photo for several frames, so most frames
are repeats the encoder codes almost for free: the cost is in the few hundred distinct
frames. There x264 ``veryfast`` at CRF 20 measured the same SSIM against the unencoded frames
as ``faster`` and ``medium`` at CRF 20 (0.984, 0.984, 0.983) with files within 15% of each
other, in about a third of ``medium``'s time; hence ``standard``. ``high`` spends the time
(``slow``, CRF 17, lanczos, full-size decoding); ``draft`` is for looking, not keeping: the
output's own size on every backend, its speed from decoding small and ``ultrafast``.

Every output is the same bytes when rendered again with the same ffmpeg on the same machine:
encoder thread counts are pinned (x264's output depends on its thread count, which ffmpeg
would otherwise derive from the number of cores), and nothing variable is written (no
creation time, no encoder version, no metadata copied from the inputs).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..chunking import keyframe_interval
from ..spec.model import Codec, Music, Quality
from .filters import num

ENCODER_THREADS = 4  # fixed so the bitstream does not depend on the machine's core count


@dataclass(frozen=True)
class Preset:
    x264: str
    x265: str
    crf264: int
    crf265: int
    scale_flags: str
    # draft: JPEGs are decoded this many halvings below what the output needs (engine/feed.py,
    # or the decoder's -lowres: photos.lowres_level) and scaled up: the output keeps its
    # size, the picture is softer, and decoding big photos, a render's main cost, takes a
    # fraction.
    decode_below: int = 0
    blend_interpolation: bool = False  # draft: cross-fade instead of motion interpolation
    lowres: bool = True  # JPEGs larger than needed may be decoded at a fraction of their size


PRESETS: dict[str, Preset] = {
    "draft": Preset("ultrafast", "ultrafast", 28, 30, "bilinear", decode_below=1,
                    blend_interpolation=True),
    "standard": Preset("veryfast", "fast", 20, 23, "bicubic"),
    "high": Preset("slow", "slow", 17, 20, "lanczos", lowres=False),
}

# H.264 levels (Table A-1): (level, max macroblocks per second, max frame size in macroblocks,
# max bitrate for High profile in kbit/s, max CPB for High profile in kbit).
_H264_LEVELS = (
    ("3.0", 40500, 1620, 12500, 12500),
    ("3.1", 108000, 3600, 17500, 17500),
    ("3.2", 216000, 5120, 25000, 25000),
    ("4.0", 245760, 8192, 25000, 31250),
    ("4.1", 245760, 8192, 62500, 78125),
    ("4.2", 522240, 8704, 62500, 78125),
    ("5.0", 589824, 22080, 168750, 168750),
    ("5.1", 983040, 36864, 300000, 300000),
    ("5.2", 2073600, 36864, 300000, 300000),
    ("6.0", 4177920, 139264, 300000, 300000),
    ("6.1", 8355840, 139264, 600000, 600000),
    ("6.2", 16711680, 139264, 1000000, 1000000),
)


def h264_level(width: int, height: int, fps: float) -> tuple[str, int, int]:
    """The lowest level (>= 3.0, what every phone plays) that fits the frame size and rate:
    (level, max bitrate kbit/s, buffer kbit). 1080p up to 30 fps is 4.0, 2160p30 is 5.1."""
    frame_mbs = ((width + 15) // 16) * ((height + 15) // 16)
    for level, max_mbps, max_fs, max_br, max_cpb in _H264_LEVELS:
        if frame_mbs <= max_fs and frame_mbs * fps <= max_mbps:
            return level, max_br, max_cpb
    level, _, _, max_br, max_cpb = _H264_LEVELS[-1]
    return level, max_br, max_cpb


def video_args(codec: Codec, quality: Quality, size: tuple[int, int], fps_text: str,
               fps: float) -> list[str]:
    preset = PRESETS[quality]
    # a keyframe every chunking.KEYFRAME_SECONDS: quick seeking on phones, and where chunks cut
    gop = str(keyframe_interval(fps))
    common = ["-pix_fmt", "yuv420p", "-r", fps_text, "-g", gop,
              "-color_range", "tv", "-colorspace", "bt709", "-color_primaries", "bt709",
              "-color_trc", "bt709", "-flags:v", "+bitexact"]
    if codec == "h265":
        return ["-c:v", "libx265", "-preset", preset.x265, "-crf", str(preset.crf265),
                "-profile:v", "main", "-tag:v", "hvc1",
                "-x265-params", f"log-level=error:pools={ENCODER_THREADS}:frame-threads=2",
                *common]
    level, _, _ = h264_level(*size, fps)
    # No VBV (-maxrate/-bufsize at the level's limits): it cost 6-7% of the render's CPU in
    # bench/render_bench.py and changed the file by 0.2%, as CRF 20 stays far below the
    # level's bitrate (5 Mbit/s on grainy 1080p against level 4.0's 25).
    return ["-c:v", "libx264", "-preset", preset.x264, "-crf", str(preset.crf264),
            "-profile:v", "high", "-level:v", level, "-threads:v", str(ENCODER_THREADS),
            *common]


def audio_args() -> list[str]:
    return ["-c:a", "aac", "-b:a", "192k", "-ar", "48000", "-ac", "2", "-flags:a", "+bitexact"]


def container_args(duration: float) -> list[str]:
    return ["-t", num(duration), "-map_metadata", "-1", "-map_chapters", "-1",
            "-movflags", "+faststart", "-fflags", "+bitexact", "-f", "mp4"]


def music_filters(music: Music, duration: float, played: float | None = None,
                  looped: bool = False) -> list[str]:
    """Filters turning the music input into exactly ``duration`` seconds of 48 kHz stereo:
    started ``music.start`` into the track, at ``music.volume``, faded in from 0 and out to
    where it stops sounding, padded with silence if it ends first (``cut`` of a short track).

    ``played`` is how long the music sounds (``music.played_seconds``): the fade-out ends
    there, so a cut track shorter than the video fades where it ends, not in the silence
    after it. None: the whole video (a looped track, or one not measured). ``looped``: the
    input is already looped from ``music.start`` (``music.loop_samples``), so not trimmed."""
    sounding = duration if played is None else max(0.0, min(played, duration))
    # Timestamps are recounted from the samples: a looped input jumps by the file's nominal
    # duration at each turn (for MP3 that includes encoder padding), and trimming by those
    # timestamps would cut the music short.
    steps = ["asetpts=N/SR/TB"]
    if music.start > 0 and not looped:
        steps += [f"atrim=start={num(music.start)}", "asetpts=N/SR/TB"]
    steps += ["aresample=48000",
              "aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo",
              f"volume={num(music.volume)}"]
    if music.fade_in > 0 and sounding > 0:
        steps.append(f"afade=t=in:st=0:d={num(min(music.fade_in, sounding))}")
    steps += ["apad", f"atrim=end_sample={round(duration * 48000)}"]
    if music.fade_out > 0 and sounding > 0:
        fade = min(music.fade_out, sounding)
        steps.append(f"afade=t=out:st={num(sounding - fade)}:d={num(fade)}")
    return steps


def music_input_args(music: Music, looped: bool = False) -> Sequence[str]:
    """Input options for the music file: for ``loop``, looped forever (the graph cuts it),
    unless the samples are looped already (``looped``: ``music.loop_samples``, with
    crossfaded seams; ffmpeg's own looping restarts at 0 with a hard cut)."""
    return ["-stream_loop", "-1"] if music.fit == "loop" and not looped else []
