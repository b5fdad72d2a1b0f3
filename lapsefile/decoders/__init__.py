"""Photos ffmpeg cannot read reliably (TIFF, HEIC/HEIF, camera RAW), decoded by lapsefile.

ffmpeg has no HEIF image reader and no RAW developer, and its TIFF reader refuses layouts
that editors write (16-bit planar, some compressions); Pillow (with pillow-heif) and LibRaw
(through rawpy) read them. This package turns one such photo into an upright 8-bit RGB
Pillow image of (at least) the size asked for; ``engine/decode.py`` caches the result as a
PNG the render reads, and the nemo backend's proxies are made from it.

What decides the decoder is the file's extension (``spec.model``'s lists, the same ones
``frames.include`` is checked against): a TIFF-based RAW (DNG, NEF, ...) starts like any
TIFF, and must be developed, not shown as its embedded thumbnail.

A leaf: it imports only ``errors`` and ``spec.model`` of lapsefile, so ``project`` (capture
times), ``engine`` and ``backends`` may all use it.
"""

from __future__ import annotations

import importlib
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from ..spec.model import DECODED_TYPES, HEIF_TYPES, RAW_TYPES
from .problem import DecodeError

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["DecodeError", "capture_time", "decode", "is_raw", "needs_decoding", "raw",
           "register_heif", "upright_size"]

_heif_registered = False


def __getattr__(name: str) -> Any:
    """``raw`` on first use: it imports NumPy and LibRaw, which a plan of JPEGs never needs
    (start-up: ``project`` imports this package for capture times)."""
    if name == "raw":
        return _raw()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def register_heif() -> None:
    """Let Pillow open HEIC/HEIF files (once per process)."""
    global _heif_registered
    if not _heif_registered:
        from pillow_heif import register_heif_opener

        register_heif_opener()
        _heif_registered = True


def _raw() -> ModuleType:
    """The ``raw`` module, imported now (``from . import raw`` would ask ``__getattr__``)."""
    return importlib.import_module(f"{__name__}.raw")


def needs_decoding(path: Path) -> bool:
    """Whether ``path`` is a photo lapsefile decodes itself before ffmpeg sees it."""
    return path.suffix.lower() in DECODED_TYPES


def is_raw(path: Path) -> bool:
    return path.suffix.lower() in RAW_TYPES


def upright_size(path: Path) -> tuple[int, int]:
    """The photo's displayed size (orientation applied), read from its header only."""
    if is_raw(path):
        return _raw().upright_size(path)
    with _open(path) as img:
        width, height = img.size
        orientation = _orientation(img)
    return (height, width) if orientation >= 5 else (width, height)


def decode(path: Path, size: tuple[int, int] | None = None) -> Image.Image:
    """The photo upright, 8-bit RGB, resized to ``size`` when given (and smaller than it)."""
    from PIL import Image, ImageOps

    if is_raw(path):
        return _raw().develop(path, size)
    with _open(path) as img:
        try:
            upright = ImageOps.exif_transpose(img) or img
            rgb = upright.convert("RGB")  # 16-bit TIFFs arrive as 8-bit RGB from Pillow
        except (OSError, ValueError, SyntaxError) as exc:
            raise DecodeError(f"cannot be decoded: {exc}") from None
    if size is not None and (rgb.width, rgb.height) != size:
        rgb = rgb.resize(size, Image.Resampling.LANCZOS)
    return rgb


def capture_time(path: Path) -> datetime | None:
    """A RAW's capture time from LibRaw (for formats whose header is not a TIFF)."""
    return _raw().capture_time(path)


def _open(path: Path) -> Image.Image:
    from PIL import Image, UnidentifiedImageError

    if path.suffix.lower() in HEIF_TYPES:
        register_heif()
    try:
        return Image.open(path)
    except FileNotFoundError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise DecodeError(f"cannot be decoded: {exc}") from None


def _orientation(img: Image.Image) -> int:
    try:
        value = img.getexif().get(0x0112, 1)
    except Exception:  # noqa: BLE001 - Pillow raises many types on broken EXIF
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1
