"""The music, decoded leniently before the render: damage is a warning, not a failed video.

The render runs ffmpeg with ``-xerror`` so that one unreadable photo fails it instead of
leaving a frame out. Music is different: a stray byte after the last MP3 frame, or one corrupt
frame in the middle, costs a few milliseconds of sound, and refusing the whole video for it
helps nobody. So the track is first decoded on its own, without ``-xerror``, into raw samples
in the render's work folder (48 kHz stereo 32-bit float: exactly what the graph wants, and
its length is the file size); what the decoder skipped becomes a warning naming the file.
The render then reads those clean samples, still under ``-xerror``.

A file with no audio ffmpeg can decode (a JPEG renamed .mp3, a text file) is an error naming
it, before any photo is rendered; :func:`describe` finds the same earlier, at plan time.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import RenderError
from .ffmpeg import Ffmpeg, tied_to_this_process
from .job import RenderJob
from .workdir import Workdir

RATE = 48000
CHANNELS = 2
_BYTES_PER_SECOND = RATE * CHANNELS * 4  # f32le
# How the render reads a decoded track (the raw demuxer knows nothing by itself).
INPUT_ARGS = ("-f", "f32le", "-ar", str(RATE), "-ch_layout", "stereo")
_DECODE_TIMEOUT = 600.0  # seconds; decoding even hours of audio takes a few seconds
_MARGIN = 1.0  # seconds decoded past what the video can play, so no rounding cuts it short

Warn = Callable[[str], None]


@dataclass(frozen=True)
class Track:
    """A music file decoded into the work folder."""

    name: str  # the raw samples' file name in the work folder
    seconds: float  # their length: the whole file, or up to what the video can use


@dataclass(frozen=True)
class AudioFacts:
    """What ``ffmpeg -i`` says of a file meant as music."""

    has_audio: bool
    seconds: float | None  # the container's duration, when it states one
    reason: str  # ffmpeg's last words when it found no audio


def describe(ffmpeg: Ffmpeg, path: Path) -> AudioFacts:
    """Whether ``path`` has an audio stream, and its stated length (a 20 ms look at the
    header, not a decode: cheap enough for ``validate``)."""
    try:
        done = subprocess.run(tied_to_this_process([ffmpeg.path, "-nostdin", "-hide_banner",
                                                    "-i", f"file:{path}"]),
                              stdin=subprocess.DEVNULL, capture_output=True, timeout=60,
                              check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return AudioFacts(True, None, str(exc))  # cannot tell: the render will
    text = done.stderr.decode("utf-8", "replace")
    # "No audio" only on evidence: ffmpeg described the file without an audio stream, or
    # could not open it. Output it did not explain (an unusual build) leaves it to the render.
    told = "Input #0" in text or "Error opening input" in text
    audio = re.search(r"^\s*Stream #\S+.*?: Audio:", text, re.MULTILINE)
    has_audio = audio is not None or not told
    stated = re.search(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)", text)
    seconds = (int(stated[1]) * 3600 + int(stated[2]) * 60 + float(stated[3])
               if stated else None)
    container = re.search(r"^Input #0, ([^,]+), from", text, re.MULTILINE)
    if container and not has_audio:
        reason = f"ffmpeg reads it as {container[1]} data with no audio stream"
    else:
        reason = _reason(text)
    return AudioFacts(has_audio, seconds, reason)


def decode_tracks(jobs: Sequence[RenderJob], ffmpeg: Ffmpeg, work: Workdir,
                  warn: Warn | None = None) -> dict[Path, Track]:
    """Each music file of ``jobs`` decoded once into ``work``: source path -> Track."""
    limits: dict[Path, tuple[float, str]] = {}
    for job in jobs:
        if job.music is None:
            continue
        source = job.resolve(job.music.file).resolve()
        limit = job.music.start + job.duration + _MARGIN
        limits[source] = (max(limit, limits.get(source, (0.0, ""))[0]), job.music.file)
    return {source: _decode(ffmpeg, source, shown, limit, work, f"music-{number}.f32", warn)
            for number, (source, (limit, shown)) in enumerate(limits.items())}


def _decode(ffmpeg: Ffmpeg, source: Path, shown: str, limit: float, work: Workdir,
            name: str, warn: Warn | None) -> Track:
    if not source.is_file():
        raise RenderError(f"music file not found: {source}")
    command = [ffmpeg.path, "-nostdin", "-hide_banner", "-v", "error", "-y",
               "-i", f"file:{source}", "-map", "0:a:0", "-vn", "-sn", "-dn",
               "-ac", str(CHANNELS), "-ar", str(RATE), "-c:a", "pcm_f32le",
               "-t", f"{limit:.6f}", "-f", "f32le", f"file:{work.path / name}"]
    try:
        done = subprocess.run(tied_to_this_process(command), stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=_DECODE_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise RenderError(f"decoding the music file {shown} took more than "
                          f"{_DECODE_TIMEOUT:g} s; ffmpeg was stopped", command) from None
    except OSError as exc:
        raise RenderError(f"cannot run {ffmpeg.path} to decode {shown}: {exc}",
                          command) from None
    errors = [line for line in done.stderr.decode("utf-8", "replace").splitlines()
              if line.strip()]
    output = work.path / name
    size = output.stat().st_size if output.is_file() else 0
    if done.returncode != 0 or size == 0:
        said = "\n".join(errors)
        reason = ("it has no audio stream" if "matches no streams" in said
                  else _reason(said) or "it decoded to no samples")
        raise RenderError(
            f"the music file {shown} holds no audio ffmpeg can decode ({reason}): "
            f"use an audio file "
            f"such as .mp3, .m4a or .wav, or remove `music`", command, "\n".join(errors[-20:]),
            done.returncode)
    if errors and warn is not None:
        warn(damage_warning(shown, errors))
    return Track(name, size / _BYTES_PER_SECOND)


def damage_warning(shown: str, errors: Sequence[str]) -> str:
    """The warning for a track the decoder had to skip parts of."""
    count = sum(1 for line in errors if "Error" in line or "error" in line) or len(errors)
    return (f"the music file {shown} is damaged: ffmpeg skipped {count} part(s) it could not "
            f"decode ({_reason(chr(10).join(errors))}); the rest of the track plays. "
            f"Re-export or replace the file to get all of it")


def _reason(text: str) -> str:
    """ffmpeg's most telling line, without its ``[component @ 0x...]`` prefixes."""
    lines = [re.sub(r"^(\[[^\]]*\]\s*)+", "", line).strip() for line in text.splitlines()]
    lines = [line for line in lines if line and not line.startswith(
        ("Input #", "Stream #", "Duration:", "Metadata", "At least one output"))]
    telling = [line for line in lines if "Invalid" in line or "matches no" in line
               or "rror" in line]
    return (telling or lines or [""])[0][:200]


def played_seconds(fit: str, start: float, track: float, duration: float) -> float:
    """How long the music sounds in a video of ``duration``: all of it when looped, else
    until the track (from ``start``) runs out."""
    if fit == "loop" and track > 0:
        return duration
    return max(0.0, min(duration, track - start))
