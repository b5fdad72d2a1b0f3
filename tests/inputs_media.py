"""TIFF, HEIC and DNG photos made for tests: flat colours whose decoded value is known.

The DNGs are real Bayer mosaics (RGGB) written by pidng, with a colour matrix that makes the
camera's channels linear sRGB and a neutral white balance as shot, so a patch of sRGB colour
``c`` is stored as ``linear(c) * white`` and LibRaw, developing it with the camera's white
balance and the sRGB curve, gives ``c`` back.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import tifffile
from pidng.core import RAW2DNG, DNGTags, Tag
from pidng.defs import (
    CalibrationIlluminant,
    CFAPattern,
    DNGVersion,
    PhotometricInterpretation,
)
from PIL import Image

from lapsefile.decoders import register_heif

WHITE = 4095  # a 12-bit sensor
# XYZ (D65) -> linear sRGB: as the DNG's ColorMatrix1 it makes camera RGB = linear sRGB.
_XYZ_TO_SRGB = ((3.2406, -1.5372, -0.4986), (-0.9689, 1.8758, 0.0415),
                (0.0557, -0.2040, 1.0570))


def linear(value: int) -> float:
    """An sRGB 8-bit level as linear light (0..1)."""
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _rational(value: float) -> list[int]:
    return [round(value * 10000), 10000]


def make_dng(path: Path, colour: tuple[int, int, int], size: tuple[int, int] = (64, 48),
             when: datetime | None = None) -> Path:
    """A DNG of one flat sRGB ``colour`` (``size`` even), with DateTimeOriginal ``when``."""
    width, height = size
    r, g, b = (round(linear(c) * WHITE) for c in colour)
    mosaic = np.empty((height, width), np.uint16)
    mosaic[0::2, 0::2], mosaic[0::2, 1::2] = r, g
    mosaic[1::2, 0::2], mosaic[1::2, 1::2] = g, b
    tags = DNGTags()
    for tag, value in ((Tag.ImageWidth, width), (Tag.ImageLength, height),
                       (Tag.TileWidth, width), (Tag.TileLength, height),
                       (Tag.Orientation, 1), (Tag.SamplesPerPixel, 1),
                       (Tag.PhotometricInterpretation,
                        PhotometricInterpretation.Color_Filter_Array),
                       (Tag.BitsPerSample, 16), (Tag.CFARepeatPatternDim, [2, 2]),
                       (Tag.CFAPattern, CFAPattern.RGGB), (Tag.BlackLevel, 0),
                       (Tag.WhiteLevel, WHITE),
                       (Tag.ColorMatrix1, [_rational(v) for row in _XYZ_TO_SRGB for v in row]),
                       (Tag.CalibrationIlluminant1, CalibrationIlluminant.D65),
                       (Tag.AsShotNeutral, [[1, 1], [1, 1], [1, 1]]),
                       (Tag.BaselineExposure, [[0, 1]]), (Tag.Make, "lapsefile"),
                       (Tag.Model, "test sensor"), (Tag.DNGVersion, DNGVersion.V1_4),
                       (Tag.DNGBackwardVersion, DNGVersion.V1_2)):
        tags.set(tag, value)
    if when is not None:
        tags.set(Tag.DateTimeOriginal, when.strftime("%Y:%m:%d %H:%M:%S"))
    writer = RAW2DNG()
    writer.options(tags, path="", compress=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(writer.convert(mosaic)))
    return path


def make_heic(path: Path, colour: tuple[int, int, int], size: tuple[int, int] = (64, 48),
              when: datetime | None = None) -> Path:
    """A HEIC of one flat ``colour``, with EXIF DateTimeOriginal ``when``."""
    register_heif()
    exif = Image.Exif()
    if when is not None:
        exif.get_ifd(0x8769)[0x9003] = when.strftime("%Y:%m:%d %H:%M:%S")
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path, "HEIF", quality=95, exif=exif.tobytes())
    return path


def make_tiff16(path: Path, colour16: tuple[int, int, int], size: tuple[int, int] = (64, 48)
                ) -> Path:
    """A 16-bit RGB TIFF of one flat colour (levels 0..65535), as editors export them."""
    width, height = size
    pixels = np.empty((height, width, 3), np.uint16)
    pixels[:, :] = colour16
    path.parent.mkdir(parents=True, exist_ok=True)
    tifffile.imwrite(path, pixels, photometric="rgb", compression="zlib")
    return path
