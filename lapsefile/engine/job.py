"""What the render engine is asked to make: independent of the spec and of backends.

The local backend builds jobs from a :class:`~lapsefile.project.model.Project`; the emulator
builds them from its draft and uploaded files. Files are resolved against ``root``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..spec.model import Codec, Fit, Logo, Look, Music, Quality, Timestamp, Title


@dataclass(frozen=True)
class Canvas:
    width: int
    height: int
    fit: Fit = "cover"


@dataclass(frozen=True)
class RenderJob:
    root: Path  # relative file references in titles/logo/music resolve against this
    frames: tuple[Path, ...]  # absolute, in display order
    fps: float
    duration: float
    hold: float  # seconds per photo
    canvas: Canvas
    output: Path  # absolute final path; the engine writes a temp file beside it and renames
    look: Look = Look()
    titles: tuple[Title, ...] = ()
    timestamp: Timestamp | None = None
    capture_times: tuple[datetime | None, ...] = ()  # per frame, for the timestamp overlay
    logo: Logo | None = None
    music: Music | None = None
    quality: Quality = "standard"
    codec: Codec = "h264"

    def resolve(self, relpath: str) -> Path:
        return self.root / relpath
