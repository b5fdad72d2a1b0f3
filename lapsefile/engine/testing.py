"""Generated media for tests and benchmarks: photos that carry their own index, tones, logos.

A frame made by :func:`make_frames` is one flat colour that encodes its index in base 5, one
digit per RGB channel, with levels 48 apart: far enough that JPEG, yuv420p and x264 at any
sane CRF never move a channel to the neighbouring level, so :func:`frame_index_from_rgb` reads
the index back from a decoded video frame.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from PIL import Image

LEVELS = (24, 72, 120, 168, 216)
CODES = len(LEVELS) ** 3  # distinct indexes; larger ones wrap around


def index_color(index: int) -> tuple[int, int, int]:
    code = index % CODES
    return (LEVELS[code // 25], LEVELS[(code // 5) % 5], LEVELS[code % 5])


def make_frames(folder: str | Path, count: int, size: tuple[int, int] = (64, 36),
                name: str = "IMG_{i}.jpg", start: int = 1,
                capture_times: Sequence[datetime] | None = None,
                orientation: int | None = None) -> list[Path]:
    """``count`` photos ``name.format(i=start..)``, each filled with :func:`index_color` of
    its number ``i``; with ``capture_times`` they carry EXIF DateTimeOriginal."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        i = start + n
        path = folder / name.format(i=i)
        image = Image.new("RGB", size, index_color(i))
        exif = Image.Exif()
        if capture_times is not None:
            exif.get_ifd(0x8769)[0x9003] = capture_times[n].strftime("%Y:%m:%d %H:%M:%S")
        if orientation is not None:
            exif[0x0112] = orientation
        _save(image, path, exif)
        paths.append(path)
    return paths


def _save(image: Image.Image, path: Path, exif: Image.Exif) -> None:
    if path.suffix.lower() in (".jpg", ".jpeg"):
        image.save(path, "JPEG", quality=95, exif=exif.tobytes())
    else:
        image.save(path, exif=exif.tobytes())


def frame_index_from_rgb(frame: bytes | tuple[float, float, float], width: int | None = None
                         ) -> int:
    """The index a :func:`make_frames` photo encodes, from a decoded RGB24 frame (the middle
    of it is averaged, so fitting, borders and overlays at the edges do not matter) or from
    an (r, g, b) mean."""
    if isinstance(frame, (bytes, bytearray)):
        if width is None:
            raise ValueError("width is needed to read a raw frame")
        from .probe import mean_rgb

        height = len(frame) // (3 * width)
        box = (width // 3, height // 3, max(width // 3 + 1, 2 * width // 3),
               max(height // 3 + 1, 2 * height // 3))
        frame = mean_rgb(frame, width, box)
    digits = [min(range(len(LEVELS)), key=lambda k: abs(LEVELS[k] - value)) for value in frame]
    return digits[0] * 25 + digits[1] * 5 + digits[2]


def make_tone(path: str | Path, seconds: float, freq: float = 440, ffmpeg: str | None = None,
              rate: int = 44100) -> Path:
    """A sine tone at half of full scale (RMS 0.35); the container follows the extension
    (.wav .mp3 .m4a)."""
    from .ffmpeg import find_ffmpeg

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    exe = ffmpeg or find_ffmpeg().path
    codec = {".m4a": ["-c:a", "aac"], ".aac": ["-c:a", "aac"], ".mp3": ["-c:a", "libmp3lame"]}
    subprocess.run([exe, "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"aevalsrc=0.5*sin({freq}*2*PI*t):d={seconds}:s={rate}",
                    *codec.get(path.suffix.lower(), []), f"file:{path}"],
                   check=True, capture_output=True)
    return path


def make_logo(path: str | Path, size: tuple[int, int] = (40, 20),
              color: tuple[int, int, int] = (255, 0, 255)) -> Path:
    """A PNG with alpha: an opaque ``color`` rectangle inside a fully transparent border."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    border = max(1, min(size) // 10)
    image.paste((*color, 255), (border, border, size[0] - border, size[1] - border))
    image.save(path, "PNG")
    return path


def make_photos(folder: str | Path, count: int, size: tuple[int, int] = (3000, 2000),
                ffmpeg: str | None = None, quality: int = 2) -> list[Path]:
    """``count`` photo-like JPEGs (moving test pattern with per-photo sensor noise), made by
    ffmpeg in one go: for benchmarks, where flat colours would decode unrealistically fast."""
    from .ffmpeg import find_ffmpeg

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    exe = ffmpeg or find_ffmpeg().path
    width, height = size
    subprocess.run([exe, "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"testsrc2=size={width}x{height}:rate=5", "-vf",
                    "noise=alls=10:allf=t+u,format=yuvj420p", "-frames:v", str(count),
                    "-q:v", str(quality), "-start_number", "1",
                    f"file:{folder / 'IMG_%d.jpg'}"], check=True, capture_output=True)
    return [folder / f"IMG_{i}.jpg" for i in range(1, count + 1)]
