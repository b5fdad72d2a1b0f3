"""Capture time of a photo from its EXIF data (DateTimeOriginal + SubSecTimeOriginal)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PIL import Image, UnidentifiedImageError

_EXIF_IFD = 0x8769
_DATETIME_ORIGINAL = 0x9003
_SUBSEC_ORIGINAL = 0x9291
_DATETIME = 0x0132  # IFD0 "DateTime": last modified in camera; a weaker fallback


@dataclass(frozen=True)
class CaptureRead:
    when: datetime | None
    # The EXIF block could not be read whole (Pillow warned) and DateTimeOriginal was not
    # found in it: the capture time falls back (to IFD0 DateTime, or to the file's mtime).
    # Damage that did not cost DateTimeOriginal has no consequence and is not reported.
    damaged: bool = False


def read_capture_time(path: Path) -> datetime | None:
    """The moment the photo was taken as the camera recorded it (naive local time), or None."""
    return read_capture(path).when


def read_capture(path: Path) -> CaptureRead:
    """The capture time, and whether damaged EXIF data made it fall back.

    Only the header is parsed: Pillow opens images lazily, so this reads kilobytes, not pixels.
    Pillow reports damaged EXIF data ("Possibly corrupt EXIF data", "Metadata Warning, ...",
    "Truncated File Read") with ``warnings.warn``, which would print raw library text on
    stderr: they are caught here and become ``damaged``, which the caller turns into
    lapsefile's own warning naming the file. (Not thread-safe, like ``catch_warnings`` itself:
    capture times are read one photo at a time.)
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        original, stamp, fraction = _read_tags(path)
    # A huge photo's DecompressionBombWarning says nothing about its EXIF data.
    damaged = any(not issubclass(w.category, Image.DecompressionBombWarning) for w in caught)
    return CaptureRead(_parse(stamp, fraction), damaged and not original)


def _read_tags(path: Path) -> tuple[bool, object, object]:
    try:
        with Image.open(path) as img:
            exif = img.getexif()
            sub = exif.get_ifd(_EXIF_IFD)  # parsed lazily: inside the caught warnings
    except (OSError, UnidentifiedImageError, ValueError):
        return False, None, None
    original = sub.get(_DATETIME_ORIGINAL)
    return bool(original), original or exif.get(_DATETIME), sub.get(_SUBSEC_ORIGINAL)


def _parse(stamp: object, fraction: object) -> datetime | None:
    if not isinstance(stamp, str):
        return None
    try:
        when = datetime.strptime(stamp.strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    digits = str(fraction or "").strip("\x00 ")
    if digits.isdigit():
        when = when.replace(microsecond=int(digits[:6].ljust(6, "0")))
    return when
