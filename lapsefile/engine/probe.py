"""What a media file holds, found with ffmpeg alone (the bundled build has no ffprobe).

``ffmpeg -i`` describes the streams (codec, size, colour tags) and the container on stderr;
frames are counted from an MP4's or MOV's boxes, or by copying the video stream to the null
muxer; audio length is the number of decoded samples; the H.264/H.265 level and the position
of the ``moov`` box (faststart) are read from the MP4 boxes directly.
"""

from __future__ import annotations

import math
import re
import struct
import subprocess
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

from ..errors import RenderError
from .ffmpeg import Ffmpeg, find_ffmpeg


@dataclass(frozen=True)
class MediaInfo:
    duration: float  # container duration, seconds
    fps: float
    width: int
    height: int
    video_codec: str | None
    pix_fmt: str | None
    profile: str | None  # "High", "Main", ...
    level: float | None  # 4.0, 4.1, 5.1 ... from the avcC / hvcC box of an MP4
    codec_tag: str | None  # "avc1", "hvc1", ...
    sar: str | None  # "1:1"
    color_range: str | None  # "tv" / "pc"
    rotation: float | None  # degrees a player turns the picture (display matrix), if any
    audio_codec: str | None
    audio_duration: float | None
    audio_sample_rate: int | None
    audio_channels: str | None  # "stereo", "mono", ...
    frame_count: int
    faststart: bool | None  # MP4 only: the moov box comes before the media data
    container: str | None = None  # the demuxer's names: "mov,mp4,m4a,3gp,3g2,mj2", "gif", ...
    color_space: str | None = None  # the matrix: "bt709", "bt470bg", ... (None: not tagged)
    color_primaries: str | None = None
    color_transfer: str | None = None


def probe(path: str | Path, ffmpeg: Ffmpeg | None = None) -> MediaInfo:
    ffmpeg = ffmpeg or find_ffmpeg()
    path = Path(path)
    text = _describe(ffmpeg, path)
    video = _stream_fields(text, "Video")
    audio = _stream_fields(text, "Audio")
    if video is None and audio is None:
        raise RenderError(f"{path} holds no audio or video ffmpeg can read",
                          stderr_tail="\n".join(text.splitlines()[-20:]))
    width, height, sar = _size(video or [])
    space, primaries, transfer = _colours(video)
    boxes = _mp4_boxes(path)
    audio_rate = _first_int(audio or [], r"(\d+) Hz")
    return MediaInfo(
        duration=_duration(text),
        fps=_fps(video or []),
        width=width,
        height=height,
        video_codec=_codec(video),
        pix_fmt=_pix_fmt(video),
        profile=_profile(video),
        level=boxes.get("level"),
        codec_tag=_codec_tag(video),
        sar=sar,
        color_range=_color_range(video),
        rotation=_rotation(text),
        audio_codec=_codec(audio),
        audio_duration=(_audio_seconds(ffmpeg, path, audio_rate)
                        if audio is not None and audio_rate else None),
        audio_sample_rate=audio_rate,
        audio_channels=audio[2] if audio is not None and len(audio) > 2 else None,
        frame_count=_count_frames(ffmpeg, path) if video is not None else 0,
        faststart=boxes.get("faststart"),
        container=_container(text),
        color_space=space,
        color_primaries=primaries,
        color_transfer=transfer,
    )


def video_frames(path: str | Path, ffmpeg: Ffmpeg | None = None, boxes: bool = True
                 ) -> int | None:
    """Number of video frames: with ``boxes`` (an MP4 or MOV) read from its boxes without
    decoding, else counted by copying the stream (WebM, GIF); None when there is no video."""
    path = Path(path)
    if boxes:
        return mp4_video_frames(path)
    try:
        return _count_frames(ffmpeg or find_ffmpeg(), path) or None
    except RenderError:
        return None


def decode_frames(path: str | Path, width: int | None = None, height: int | None = None,
                  ffmpeg: Ffmpeg | None = None) -> list[bytes]:
    """Every video frame as raw RGB24 bytes (``width * height * 3`` each), scaled if asked."""
    ffmpeg = ffmpeg or find_ffmpeg()
    if width is None or height is None:
        info = probe(path, ffmpeg)
        width, height = info.width, info.height
    out = _run(ffmpeg, ["-i", f"file:{path}", "-map", "0:v:0", "-vf",
                        f"scale={width}:{height}:flags=area", "-pix_fmt", "rgb24",
                        "-f", "rawvideo", "pipe:1"])
    size = width * height * 3
    return [out[i:i + size] for i in range(0, len(out) - size + 1, size)]


def mean_rgb(frame: bytes, width: int, box: tuple[int, int, int, int] | None = None
             ) -> tuple[float, float, float]:
    """Mean (r, g, b) of an RGB24 frame, or of ``box`` = (left, top, right, bottom) in it."""
    height = len(frame) // (3 * width)
    left, top, right, bottom = box or (0, 0, width, height)
    sums = [0, 0, 0]
    for y in range(top, bottom):
        row = frame[(y * width + left) * 3:(y * width + right) * 3]
        for c in range(3):
            sums[c] += sum(row[c::3])
    count = max(1, (right - left) * (bottom - top))
    return (sums[0] / count, sums[1] / count, sums[2] / count)


def audio_levels(path: str | Path, window: float = 0.1, ffmpeg: Ffmpeg | None = None
                 ) -> list[float]:
    """RMS level (0..1) of the first audio stream, mixed to mono, per ``window`` seconds."""
    ffmpeg = ffmpeg or find_ffmpeg()
    rate = 8000
    raw = _run(ffmpeg, ["-i", f"file:{path}", "-map", "0:a:0", "-ac", "1", "-ar", str(rate),
                        "-f", "s16le", "pipe:1"])
    samples = array("h")
    samples.frombytes(raw[:len(raw) // 2 * 2])
    step = max(1, int(rate * window))
    levels = []
    for start in range(0, len(samples), step):
        chunk = samples[start:start + step]
        levels.append(math.sqrt(sum(s * s for s in chunk) / len(chunk)) / 32768)
    return levels


def _describe(ffmpeg: Ffmpeg, path: Path) -> str:
    if not path.is_file():
        raise RenderError(f"{path} does not exist")
    done = subprocess.run([ffmpeg.path, "-nostdin", "-hide_banner", "-i", f"file:{path}"],
                          stdin=subprocess.DEVNULL, capture_output=True, check=False)
    return done.stderr.decode("utf-8", "replace")


def _run(ffmpeg: Ffmpeg, args: list[str]) -> bytes:
    command = [ffmpeg.path, "-nostdin", "-hide_banner", "-v", "error", *args]
    done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, check=False)
    if done.returncode != 0:
        tail = "\n".join(done.stderr.decode("utf-8", "replace").splitlines()[-20:])
        raise RenderError("ffmpeg could not read the file", command, tail, done.returncode)
    return done.stdout


def _stream_fields(text: str, kind: str) -> list[str] | None:
    """The comma-separated fields of the first ``kind`` stream line, split at top level."""
    match = re.search(rf"Stream #\d+:\d+\S*: {kind}: (.*)", text)
    if not match:
        return None
    fields, depth, current = [], 0, ""
    for char in match.group(1):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            fields.append(current.strip())
            current = ""
        else:
            current += char
    fields.append(current.strip())
    return fields


def _codec(fields: list[str] | None) -> str | None:
    return fields[0].split()[0] if fields else None


def _profile(fields: list[str] | None) -> str | None:
    match = re.match(r"\S+ \(([^)/]+)\)", fields[0]) if fields else None
    return match.group(1) if match else None


def _codec_tag(fields: list[str] | None) -> str | None:
    match = re.search(r"\((\w{4}) / 0x[0-9A-Fa-f]+\)", fields[0]) if fields else None
    return match.group(1) if match else None


def _pix_fmt(fields: list[str] | None) -> str | None:
    match = re.match(r"(\w+)", fields[1]) if fields and len(fields) > 1 else None
    return match.group(1) if match else None


def _colours(fields: list[str] | None) -> tuple[str | None, str | None, str | None]:
    """(matrix, primaries, transfer) from ``yuv420p(tv, bt709, progressive)`` (one name for
    all three) or ``(pc, bt470bg/unknown/unknown)``; ``unknown`` and untagged are None."""
    match = re.search(r"\((?:tv|pc), ([\w-]+)(?:/([\w-]+)/([\w-]+))?",
                      fields[1]) if fields and len(fields) > 1 else None
    if not match:
        return None, None, None
    space = match.group(1)
    names = (space, match.group(2) or space, match.group(3) or space)
    return tuple(None if n == "unknown" else n for n in names)  # type: ignore[return-value]


def _container(text: str) -> str | None:
    match = re.search(r"^Input #0, (.+?), from ", text, re.MULTILINE)
    return match.group(1) if match else None


def _color_range(fields: list[str] | None) -> str | None:
    match = re.search(r"\((tv|pc)\b", fields[1]) if fields and len(fields) > 1 else None
    return match.group(1) if match else None


def _size(fields: list[str]) -> tuple[int, int, str | None]:
    for field in fields:
        match = re.match(r"(\d+)x(\d+)(?: \[SAR (\d+:\d+))?", field)
        if match:
            return int(match.group(1)), int(match.group(2)), match.group(3)
    return 0, 0, None


def _fps(fields: list[str]) -> float:
    for field in fields:
        match = re.match(r"([\d.]+)(k?) fps", field)
        if match:
            return float(match.group(1)) * (1000 if match.group(2) else 1)
    return 0.0


def _first_int(fields: list[str], pattern: str) -> int | None:
    for field in fields:
        match = re.match(pattern, field)
        if match:
            return int(match.group(1))
    return None


def _rotation(text: str) -> float | None:
    match = re.search(r"Display Matrix: rotation of (-?[\d.]+) degrees", text)
    return float(match.group(1)) if match else None


def _duration(text: str) -> float:
    match = re.search(r"Duration: (\d+):(\d+):(\d+(?:\.\d+)?)", text)
    if not match:
        return 0.0
    hours, minutes, seconds = match.groups()
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def _count_frames(ffmpeg: Ffmpeg, path: Path) -> int:
    out = _run(ffmpeg, ["-i", f"file:{path}", "-map", "0:v:0", "-c", "copy", "-f", "null", "-",
                        "-progress", "pipe:1", "-nostats"])
    counts = re.findall(rb"^frame=(\d+)", out, re.MULTILINE)
    return int(counts[-1]) if counts else 0


def _audio_seconds(ffmpeg: Ffmpeg, path: Path, rate: int) -> float:
    raw = _run(ffmpeg, ["-i", f"file:{path}", "-map", "0:a:0", "-ac", "1", "-f", "s16le",
                        "pipe:1"])
    return len(raw) / 2 / rate


def mp4_video_frames(path: str | Path) -> int | None:
    """Number of samples in the first video track of an MP4, from its boxes (no decoding);
    None when the file has no readable moov or no video track."""
    _, moov = _top_level(Path(path))
    if moov is None:
        return None
    for trak in _children(moov, b"trak"):
        mdia = next(_children(trak, b"mdia"), None)
        if mdia is None:
            continue
        hdlr = next(_children(mdia, b"hdlr"), None)
        if hdlr is None or hdlr[8:12] != b"vide":
            continue
        minf = next(_children(mdia, b"minf"), b"")
        stbl = next(_children(minf, b"stbl"), b"")
        stsz = next(_children(stbl, b"stsz"), None)
        if stsz is not None and len(stsz) >= 12:
            return struct.unpack(">I", stsz[8:12])[0]
    return None


def _children(payload: bytes, kind: bytes) -> Iterator[bytes]:
    """Payloads of the boxes of type ``kind`` directly inside ``payload``."""
    offset = 0
    while offset + 8 <= len(payload):
        size, name = struct.unpack(">I4s", payload[offset:offset + 8])
        header = 8
        if size == 1:
            size, header = struct.unpack(">Q", payload[offset + 8:offset + 16])[0], 16
        elif size == 0:
            size = len(payload) - offset
        if size < header:
            return
        if name == kind:
            yield payload[offset + header:offset + size]
        offset += size


def _top_level(path: Path) -> tuple[list[str], bytes | None]:
    """Names of the top-level boxes in file order, and the moov box's payload."""
    names: list[str] = []
    moov = None
    with open(path, "rb") as fh:
        offset, end = 0, path.stat().st_size
        while offset + 8 <= end:
            fh.seek(offset)
            size, kind = struct.unpack(">I4s", fh.read(8))
            header = 8
            if size == 1:
                size, header = struct.unpack(">Q", fh.read(8))[0], 16
            elif size == 0:
                size = end - offset
            if size < header:
                break
            names.append(kind.decode("latin-1"))
            if kind == b"moov" and size < (256 << 20):
                moov = fh.read(size - header)
            offset += size
    return names, moov


class _Boxes(TypedDict, total=False):
    level: float
    faststart: bool


def _mp4_boxes(path: Path) -> _Boxes:
    """Level and faststart from the boxes of an MP4 (empty for other files)."""
    names, moov = _top_level(path)
    found: _Boxes = {}
    if "moov" in names and "mdat" in names:
        found["faststart"] = names.index("moov") < names.index("mdat")
    moov = moov or b""
    avcc, hvcc = moov.find(b"avcC"), moov.find(b"hvcC")
    if avcc >= 0 and len(moov) > avcc + 8:
        found["level"] = moov[avcc + 7] / 10
    elif hvcc >= 0 and len(moov) > hvcc + 17:
        found["level"] = moov[hvcc + 16] / 30
    return found
