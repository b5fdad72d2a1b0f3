"""Capture time of a photo from its EXIF data (DateTimeOriginal + SubSecTimeOriginal)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PIL import Image, UnidentifiedImageError

_EXIF_IFD = 0x8769
_DATETIME_ORIGINAL = 0x9003
_SUBSEC_ORIGINAL = 0x9291
_DATETIME = 0x0132  # IFD0 "DateTime": last modified in camera; a weaker fallback


def read_capture_time(path: Path) -> datetime | None:
    """The moment the photo was taken as the camera recorded it (naive local time), or None.

    Only the header is parsed: Pillow opens images lazily, so this reads kilobytes, not pixels.
    """
    try:
        with Image.open(path) as img:
            exif = img.getexif()
    except (OSError, UnidentifiedImageError, ValueError):
        return None
    sub = exif.get_ifd(_EXIF_IFD)
    stamp = sub.get(_DATETIME_ORIGINAL) or exif.get(_DATETIME)
    if not isinstance(stamp, str):
        return None
    try:
        when = datetime.strptime(stamp.strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    fraction = str(sub.get(_SUBSEC_ORIGINAL) or "").strip("\x00 ")
    if fraction.isdigit():
        when = when.replace(microsecond=int(fraction[:6].ljust(6, "0")))
    return when
