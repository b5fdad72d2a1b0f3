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

A track that ``loop`` repeats is written out looped here too (:func:`loop_samples`): each turn
restarts at ``start``, the skipped intro stays skipped, and the seam is an equal-power
crossfade of :data:`CROSSFADE` seconds, not a click where the waveform jumps. The render then
reads those samples as they are (no ``-stream_loop``, no second trim).
"""

from __future__ import annotations

import math
import re
import subprocess
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

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
_FRAME_BYTES = CHANNELS * 4  # one stereo sample
CROSSFADE = 0.5  # seconds at each loop seam; at most a quarter of the looped part
_COPY_CHUNK = 1 << 20  # bytes copied at a time: a long track is never read whole

Warn = Callable[[str], None]


@dataclass(frozen=True)
class Track:
    """A music file decoded into the work folder."""

    name: str  # the raw samples' file name in the work folder
    seconds: float  # their length: the whole file, or up to what the video can use
    looped: bool = False  # already looped from the music's ``start`` (loop_samples)


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
    # The jobs of a batch come from one spec: they share its music (file, start, fit).
    limits: dict[Path, tuple[float, str, float, bool]] = {}
    for job in jobs:
        if job.music is None:
            continue
        music = job.music
        source = job.resolve(music.file).resolve()
        limit = music.start + job.duration + _MARGIN
        known = limits.get(source, (0.0, "", 0.0, False))[0]
        limits[source] = (max(limit, known), music.file, music.start, music.fit == "loop")
    tracks = {}
    for number, (source, (limit, shown, start, loop)) in enumerate(limits.items()):
        track = _decode(ffmpeg, source, shown, limit, work, f"music-{number}.f32", warn)
        if loop and track.seconds < limit - 1e-6:  # it ends before the video: loop it
            track = loop_samples(work.path, track, start, limit - start,
                                 f"music-{number}-looped.f32")
        tracks[source] = track
    return tracks


def loop_samples(folder: Path, track: Track, start: float, seconds: float, name: str
                 ) -> Track:
    """``track`` from ``start`` on, repeated to ``seconds`` into the file ``name``: each turn
    restarts at ``start``, crossfading from the end of the turn before (equal power: the
    seam's loudness stays even for music that differs across it)."""
    total = _frames(track.seconds)
    first = _frames(start) % total if total else 0  # past the end: where the loop would be
    body = total - first
    fade = min(_frames(CROSSFADE), body // 4)
    wanted = _frames(seconds)
    with open(folder / track.name, "rb") as src, open(folder / name, "wb") as out:
        seam = _crossfade(_read(src, total - fade, fade), _read(src, first, fade))
        # The first turn plays from `start` itself; each later one opens with the seam.
        written = _copy(src, out, first, min(body - fade, wanted))
        while written < wanted:
            written += _write(out, seam[:(wanted - written) * CHANNELS])
            written += _copy(src, out, first + fade, min(body - 2 * fade, wanted - written))
    return replace(track, name=name, seconds=wanted / RATE, looped=True)


def _frames(seconds: float) -> int:
    return max(0, round(seconds * RATE))


def _read(src: BinaryIO, frame: int, count: int) -> array:
    src.seek(frame * _FRAME_BYTES)
    samples = array("f")
    samples.frombytes(src.read(count * _FRAME_BYTES))
    return samples


def _crossfade(ending: array, beginning: array) -> array:
    """``ending`` fading out over ``beginning`` fading in (interleaved stereo, equal length)."""
    frames = len(ending) // CHANNELS
    mixed = array("f", bytes(len(ending) * 4))
    for k in range(frames):
        angle = (k + 0.5) / frames * math.pi / 2
        out, into = math.cos(angle), math.sin(angle)
        for c in range(CHANNELS):
            i = k * CHANNELS + c
            mixed[i] = ending[i] * out + beginning[i] * into
    return mixed


def _write(out: BinaryIO, samples: array) -> int:
    out.write(samples.tobytes())
    return len(samples) // CHANNELS


def _copy(src: BinaryIO, out: BinaryIO, frame: int, count: int) -> int:
    """Copy ``count`` frames from ``frame`` on; the number copied."""
    src.seek(frame * _FRAME_BYTES)
    left = max(0, count) * _FRAME_BYTES
    while left > 0:
        chunk = src.read(min(left, _COPY_CHUNK))
        if not chunk:
            break
        out.write(chunk)
        left -= len(chunk)
    return max(0, count) - left // _FRAME_BYTES


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
