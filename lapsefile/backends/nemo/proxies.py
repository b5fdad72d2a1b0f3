"""Downscaled copies of photos for upload: no bigger than the output needs.

A proxy is a pure function of the photo's bytes and the target edge (fixed Pillow settings, no
timestamps, a minimal EXIF block that keeps the capture time), so its sha256 is stable and an
upload made in an earlier run is found again by hash. Proxies are cached in
``<spec folder>/.lapsefile/proxies/``.

The service takes JPEG, PNG, GIF and WebP photos only: a TIFF, HEIC or RAW photo is always
sent as a JPEG proxy, decoded by ``lapsefile.decoders`` (a RAW developed at half size when
that covers the proxy), with its capture time in the proxy's EXIF.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from ... import decoders
from ...atomic import atomic_file
from ...errors import Diagnostic, SpecError
from ...paths import ensure_state_dir, state_dir
from ...project.exif import read_capture_time
from ...project.model import InputFile
from ...project.statcache import sha256_file
from ...spec.model import Output

PROXIES = "proxies"  # the subfolder of the state folder
PROXY_VERSION = 1  # bump when the recipe changes: old cached proxies are then ignored
JPEG_QUALITY = 90
_EXIF_IFD = 0x8769
_KEPT_IFD0 = (0x010F, 0x0110, 0x0132)  # Make, Model, DateTime
_KEPT_EXIF = (0x9003, 0x9291, 0x9011)  # DateTimeOriginal, SubSecTimeOriginal, OffsetTimeOriginal


@dataclass(frozen=True)
class UploadFile:
    """A file as it will be sent: the original or its proxy."""

    path: Path
    sha256: str
    size: int
    filename: str  # what the service is told the file is called
    source: str  # relpath of the original, for messages


def needed_edge(width: int, height: int, output: Output, max_edge: int) -> int:
    """Longest edge a (width x height) photo needs to cover ``output``'s canvas, capped."""
    scale_w, scale_h = output.width / width, output.height / height
    scale = max(scale_w, scale_h) if output.fit == "cover" else min(scale_w, scale_h)
    return min(math.ceil(max(width, height) * scale), max_edge)


def proxy_dir(root: Path) -> Path:
    return state_dir(root) / PROXIES


def prepare_frame(frame: InputFile, output: Output, max_edge: int, root: Path) -> UploadFile:
    """The file to upload for ``frame``: the original when small enough, else a cached proxy."""
    if decoders.needs_decoding(frame.path):
        return _decoded_proxy(frame, output, max_edge, root)
    try:
        with Image.open(frame.path) as img:
            width, height = _oriented_size(img)
            target = needed_edge(width, height, output, max_edge)
            if max(width, height) <= target:
                return UploadFile(frame.path, frame.sha256, frame.size, frame.path.name,
                                  frame.relpath)
            cached = proxy_dir(root) / f"{frame.sha256[:32]}-{target}-v{PROXY_VERSION}.jpg"
            if not cached.exists():
                ensure_state_dir(root, PROXIES)
                _write_proxy(img, target, cached)
    except (OSError, UnidentifiedImageError, ValueError) as exc:
        raise _unpreparable(frame, exc) from None
    return _upload(frame, cached)


def _decoded_proxy(frame: InputFile, output: Output, max_edge: int, root: Path) -> UploadFile:
    """A JPEG proxy of a photo the service does not accept (TIFF, HEIC, RAW), at any size."""
    try:
        width, height = decoders.upright_size(frame.path)
        target = needed_edge(width, height, output, max_edge)
        cached = proxy_dir(root) / f"{frame.sha256[:32]}-{target}-v{PROXY_VERSION}.jpg"
        if not cached.exists():
            scale = min(1.0, target / max(width, height))
            size = (max(1, round(width * scale)), max(1, round(height * scale)))
            image = decoders.decode(frame.path, size)
            ensure_state_dir(root, PROXIES)
            with atomic_file(cached) as fh:
                image.save(fh, "JPEG", quality=JPEG_QUALITY, subsampling=2, optimize=False,
                           progressive=False, exif=_capture_exif(frame.path))
    except (OSError, decoders.DecodeError) as exc:
        raise _unpreparable(frame, exc) from None
    return _upload(frame, cached)


def _unpreparable(frame: InputFile, exc: Exception) -> SpecError:
    return SpecError([Diagnostic(f"{frame.relpath}: cannot prepare it for upload: {exc}",
                                 path="frames",
                                 hint="replace the file, or exclude it in frames.exclude")])


def _upload(frame: InputFile, proxy: Path) -> UploadFile:
    """The proxy as the file uploaded for ``frame`` (named after it, with .jpg)."""
    return UploadFile(proxy, sha256_file(proxy), proxy.stat().st_size,
                      f"{frame.path.stem}.jpg", frame.relpath)


def _capture_exif(path: Path) -> bytes:
    """An EXIF block holding only the photo's capture time (none: an empty block)."""
    when = read_capture_time(path)
    if when is None:
        return b""
    exif = Image.Exif()
    sub = exif.get_ifd(_EXIF_IFD)
    sub[0x9003] = when.strftime("%Y:%m:%d %H:%M:%S")
    if when.microsecond:
        sub[0x9291] = f"{when.microsecond:06d}".rstrip("0")
    return exif.tobytes()


def _oriented_size(img: Image.Image) -> tuple[int, int]:
    orientation = img.getexif().get(0x0112, 1)
    width, height = img.size
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def _write_proxy(img: Image.Image, target: int, dest: Path) -> None:
    exif = _minimal_exif(img)
    icc = img.info.get("icc_profile")
    img.draft("RGB", (target, target))  # JPEG: decode at a reduced scale still >= target
    upright = ImageOps.exif_transpose(img) or img
    width, height = upright.size
    scale = target / max(width, height)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    small = upright.convert("RGB").resize(size, Image.Resampling.LANCZOS)
    # Atomic: the cache is trusted by name, so a half-written proxy must never get that name.
    with atomic_file(dest) as fh:
        small.save(fh, "JPEG", quality=JPEG_QUALITY, subsampling=2, optimize=False,
                   progressive=False, exif=exif, **({"icc_profile": icc} if icc else {}))


def _minimal_exif(img: Image.Image) -> bytes:
    """Capture time and camera only: orientation is applied to the pixels, the rest dropped."""
    source = img.getexif()
    sub = source.get_ifd(_EXIF_IFD)
    exif = Image.Exif()
    for tag in _KEPT_IFD0:
        if tag in source:
            exif[tag] = source[tag]
    kept = {tag: sub[tag] for tag in _KEPT_EXIF if tag in sub}
    if kept:
        exif[_EXIF_IFD] = kept
    return exif.tobytes() if len(exif) else b""
