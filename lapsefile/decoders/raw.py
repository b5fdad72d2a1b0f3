"""Camera RAW files developed with LibRaw (rawpy), the same way for every photo of a sequence.

A timelapse shows hundreds of RAWs one after another, so anything decided per photo from its
own pixels would flicker. The settings are fixed:

- the camera's white balance as shot (``use_camera_wb``), not an automatic one;
- no auto-brightening (``no_auto_bright``): dcraw would otherwise scale each photo so its
  brightest 1% is white, a different gain for every photo;
- no maximum adjustment (``adjust_maximum_thr=0``): LibRaw would otherwise lower the white
  point of a photo whose highlights stay below it, again a per-photo gain;
- sRGB primaries and the sRGB tone curve, as the JPEGs and PNGs lapsefile reads are.

Demosaicing a 24-megapixel photo takes seconds; ``half_size`` (one pixel per 2x2 block of the
sensor, no interpolation) takes a fraction of that, so it is used whenever half the sensor's
resolution still covers the size asked for.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import rawpy
from PIL import Image

from .problem import DecodeError

_SRGB_CURVE = (2.4, 12.92)  # rawpy's (power, toe slope) of the sRGB transfer function


def _open(path: Path) -> rawpy.RawPy:
    try:
        return rawpy.imread(str(path))
    except rawpy.LibRawError as exc:
        raise DecodeError(f"cannot be read as a camera RAW file ({_reason(exc)})") from None


def _reason(exc: Exception) -> str:
    """LibRaw's message (rawpy gives it as bytes), or the error's kind."""
    message = exc.args[0] if exc.args else ""
    if isinstance(message, bytes):
        message = message.decode("utf-8", "replace")
    return str(message) or type(exc).__name__


def upright_size(path: Path) -> tuple[int, int]:
    """The developed photo's size, turned as the camera says (LibRaw flips 5 and 6 are
    quarter turns)."""
    with _open(path) as raw:
        sizes = raw.sizes
    return (sizes.height, sizes.width) if sizes.flip in (5, 6) else (sizes.width, sizes.height)


def half_suffices(photo: tuple[int, int], size: tuple[int, int] | None) -> bool:
    """Whether the sensor at half resolution still covers ``size`` (None: full size)."""
    return size is not None and photo[0] // 2 >= size[0] and photo[1] // 2 >= size[1]


def develop(path: Path, size: tuple[int, int] | None = None) -> Image.Image:
    """The RAW as an upright 8-bit RGB image, resized to ``size`` when given."""
    half = half_suffices(upright_size(path), size)
    with _open(path) as raw:
        try:
            pixels = raw.postprocess(use_camera_wb=True, no_auto_bright=True,
                                     adjust_maximum_thr=0.0, output_bps=16,
                                     gamma=_SRGB_CURVE, half_size=half)
        except (rawpy.LibRawError, MemoryError) as exc:
            raise DecodeError(f"cannot be developed as a camera RAW file ({_reason(exc)})"
                              ) from None
    return _to_rgb8(pixels, size)


def _to_rgb8(pixels: np.ndarray, size: tuple[int, int] | None) -> Image.Image:
    """16-bit RGB to 8-bit, resized first in floating point so it is rounded only once."""
    height, width = pixels.shape[:2]
    if size is not None and size != (width, height):
        channels = [Image.fromarray(pixels[:, :, c].astype(np.float32))
                    .resize(size, Image.Resampling.LANCZOS) for c in range(3)]
        scaled = np.stack([np.asarray(c) for c in channels], axis=2)
    else:
        scaled = pixels.astype(np.float32)
    rgb8 = np.clip(np.rint(scaled / 257.0), 0, 255).astype(np.uint8)
    return Image.fromarray(rgb8)


def capture_time(path: Path) -> datetime | None:
    """The capture time LibRaw read from the RAW's metadata (whole seconds, camera's local
    time), or None when it has none. LibRaw turns the camera's text into a time with the
    local zone, and rawpy back with the same zone, so the camera's wall-clock time survives."""
    try:
        with _open(path) as raw:
            stamp = raw.other.timestamp
    except (DecodeError, rawpy.LibRawError, ValueError, OSError):
        return None
    return stamp if stamp.year > 1970 else None
