"""Uploaded files: kept on disk by content hash, described the way the upload endpoint answers."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any

from PIL import Image, UnidentifiedImageError

IMAGE_EXTENSIONS = ("jpg", "jpeg", "png", "gif", "webp")
VIDEO_EXTENSIONS = ("mp4", "mov", "avi", "webm", "mkv")
AUDIO_EXTENSIONS = ("mp3", "wav", "m4a", "aac")
ACCEPTED = VIDEO_EXTENSIONS + IMAGE_EXTENSIONS + AUDIO_EXTENSIONS
EXIF_IFD = 0x8769
DATETIME_ORIGINAL = 36867
DATETIME = 306
FILES_PREFIX = "/_files/"


@dataclass(frozen=True)
class Asset:
    filename: str
    file_type: str  # image | video | audio
    hash: str  # sha256 hex of the content
    path: Path
    size: int
    duration: float | None = None
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    captured_at: datetime | None = None  # EXIF DateTimeOriginal, naive local time

    @property
    def cdn_path(self) -> str:
        return f"{FILES_PREFIX}{self.hash}/{self.filename}"

    def describe(self, base_url: str) -> dict[str, Any]:
        return {"filename": self.filename, "file_type": self.file_type,
                "cdn_url": base_url + self.cdn_path, "url": base_url + self.cdn_path,
                "duration": self.duration, "width": self.width, "height": self.height,
                "fps": self.fps, "hash": self.hash, "size": self.size}


def extension(filename: str) -> str:
    return PurePosixPath(filename).suffix.lower().lstrip(".")


def file_type(filename: str) -> str | None:
    ext = extension(filename)
    if ext in IMAGE_EXTENSIONS:
        return "image"
    if ext in VIDEO_EXTENSIONS:
        return "video"
    if ext in AUDIO_EXTENSIONS:
        return "audio"
    return None


def safe_name(filename: str) -> str:
    """The last path component, without anything that could climb out of the store."""
    name = PurePosixPath(filename.replace("\\", "/")).name.strip()
    return name if name not in ("", ".", "..") else "upload"


class FileStore:
    """Content-addressed files under ``root``: ``<root>/<sha256>/<filename>``."""

    def __init__(self, root: Path):
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)

    def save(self, filename: str, source: IO[bytes]) -> Asset:
        name = safe_name(filename)
        digest = hashlib.sha256()
        # Write to a temp file in the store, then move it into place: readers never see half.
        handle, temp_name = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as temp:
                for chunk in iter(lambda: source.read(1 << 20), b""):
                    digest.update(chunk)
                    temp.write(chunk)
            folder = self.root / digest.hexdigest()
            folder.mkdir(exist_ok=True)
            os.replace(temp_name, folder / name)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        return describe_file(folder / name, name, digest.hexdigest())

    def find(self, sha256: str, filename: str) -> Path | None:
        path = self.root / sha256 / safe_name(filename)
        if len(sha256) == 64 and all(c in "0123456789abcdef" for c in sha256) and path.is_file():
            return path
        return None

    def clear(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
        self.root.mkdir(parents=True, exist_ok=True)


def describe_file(path: Path, filename: str, sha256: str) -> Asset:
    kind = file_type(filename) or "other"
    base: dict[str, Any] = {"filename": filename, "file_type": kind, "hash": sha256, "path": path,
            "size": path.stat().st_size}
    if kind == "image":
        return Asset(**base, **_image_facts(path))
    if kind in ("video", "audio"):
        return Asset(**base, **_media_facts(path, kind))
    return Asset(**base)


def _image_facts(path: Path) -> dict[str, Any]:
    try:
        with Image.open(path) as image:
            return {"width": image.width, "height": image.height,
                    "captured_at": _capture_time(image)}
    except (UnidentifiedImageError, OSError, ValueError):
        return {}


def _capture_time(image: Image.Image) -> datetime | None:
    exif = image.getexif()
    raw = exif.get_ifd(EXIF_IFD).get(DATETIME_ORIGINAL) or exif.get(DATETIME)
    if not isinstance(raw, str):
        return None
    try:
        return datetime.strptime(raw.strip().rstrip("\x00"), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None


def _media_facts(path: Path, kind: str) -> dict[str, Any]:
    """Duration (and picture size and rate for video) as ffmpeg reads them; none if it cannot."""
    from ..engine.probe import probe
    from ..errors import LapsefileError

    try:
        info = probe(path)
    except LapsefileError:
        return {}
    if kind == "audio":
        return {"duration": info.audio_duration or info.duration or None}
    return {"duration": info.duration or None, "width": info.width or None,
            "height": info.height or None, "fps": info.fps or None}
