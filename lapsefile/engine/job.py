"""What the render engine is asked to make: independent of the spec and of backends.

The local backend builds jobs from a :class:`~lapsefile.project.model.Project`; the emulator
builds them from its draft and uploaded files. Files are resolved against ``root``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..spec.model import Codec, Fit, Logo, Look, Motion, Music, Poster, Quality, Timestamp, Title


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
    # seconds the first photo is frozen before the photos move; within duration (the last
    # photo is held to the end of duration anyway, so the end's hold needs no field)
    hold_start: float = 0.0
    titles: tuple[Title, ...] = ()
    timestamp: Timestamp | None = None
    capture_times: tuple[datetime | None, ...] = ()  # per frame, for the timestamp overlay
    logo: Logo | None = None
    music: Music | None = None
    motion: Motion | None = None  # the camera move, on the canvas before the overlays
    quality: Quality = "standard"
    codec: Codec = "h264"  # must suit the output's extension (spec/formats.py)
    poster: Poster | None = None  # also write this moment as a JPEG beside the output

    def resolve(self, relpath: str) -> Path:
        return self.root / relpath
