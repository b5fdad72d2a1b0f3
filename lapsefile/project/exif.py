"""Capture time of a photo from its EXIF data (DateTimeOriginal + SubSecTimeOriginal).

HEIC/HEIF photos are read through pillow-heif's Pillow plugin. Camera RAWs are not images
Pillow opens, but most are TIFFs underneath (DNG, CR2, NEF, ARW; ORF and RW2 with their own
magic number): their directories are read from the first megabyte with Pillow's EXIF parser,
so sub-seconds are kept and no pixel is read. The others (CR3, RAF), and TIFF-based ones
whose tags are not where expected, ask LibRaw (whole seconds; it reads the sensor data too).
"""

from __future__ import annotations

import struct
import warnings
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from .. import decoders
from ..spec.model import HEIF_TYPES

_EXIF_IFD = 0x8769
_DATETIME_ORIGINAL = 0x9003
_SUBSEC_ORIGINAL = 0x9291
_DATETIME = 0x0132  # IFD0 "DateTime": last modified in camera; a weaker fallback
_RAW_HEAD = 1 << 20  # RAW headers keep their directories near the start
# TIFF-structured RAWs with their own magic number, read as the TIFF they are
_TIFF_LIKE = {b"II*\x00": b"II*\x00", b"MM\x00*": b"MM\x00*", b"IIRO": b"II*\x00",
              b"IIRS": b"II*\x00", b"MMOR": b"MM\x00*", b"IIU\x00": b"II*\x00"}


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
    if decoders.is_raw(path):
        return CaptureRead(_raw_capture(path))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        original, stamp, fraction = _read_tags(path)
    # A huge photo's DecompressionBombWarning says nothing about its EXIF data.
    damaged = any(not issubclass(w.category, Image.DecompressionBombWarning) for w in caught)
    return CaptureRead(_parse(stamp, fraction), damaged and not original)


def _raw_capture(path: Path) -> datetime | None:
    """A RAW's capture time: its TIFF directories when it has them, else LibRaw's. Its
    header is read cut short on purpose, so Pillow's warnings say nothing about damage."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(_RAW_HEAD)
    except OSError:
        return None
    magic = _TIFF_LIKE.get(head[:4])
    if magic is not None:
        exif = Image.Exif()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                exif.load(magic + head[4:])
                sub = exif.get_ifd(_EXIF_IFD)
            except (OSError, SyntaxError, ValueError, KeyError, struct.error):
                sub = {}
        # DateTimeOriginal belongs in the EXIF directory; some DNG writers put it in IFD0
        stamp = sub.get(_DATETIME_ORIGINAL) or exif.get(_DATETIME_ORIGINAL)
        when = _parse(stamp, sub.get(_SUBSEC_ORIGINAL))
        if when is not None:
            return when
    return decoders.capture_time(path)


def _read_tags(path: Path) -> tuple[bool, object, object]:
    if path.suffix.lower() in HEIF_TYPES:
        decoders.register_heif()
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
