"""A spec resolved against the disk: ordered inputs with hashes, and solved timing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

from ..spec.model import Spec


@dataclass(frozen=True)
class InputFile:
    relpath: str  # POSIX, relative to the spec's folder: what the lock records
    path: Path  # absolute, for reading
    size: int
    mtime_ns: int
    sha256: str
    captured_at: datetime | None = None  # naive local time as the camera wrote it
    capture_source: Literal["exif", "mtime", "none"] = "none"


@dataclass(frozen=True)
class Timing:
    fps: float
    duration: float  # seconds of video
    hold: float  # seconds each photo is shown
    photo_count: int
    frame_count: int  # round(duration * fps)
    speedup: float | None = None  # real time / video time, when the shooting interval is known
    interval: float | None = None  # real seconds between two kept photos
    hold_start: float = 0.0  # seconds the first photo is frozen at the start (within duration)
    hold_end: float = 0.0  # seconds the last photo is frozen at the end (within duration)

    @property
    def frames_per_photo(self) -> float:
        return self.hold * self.fps


@dataclass(frozen=True)
class Project:
    spec: Spec
    frames: tuple[InputFile, ...]  # in display order, after exclude and every
    assets: Mapping[str, InputFile]  # music, logo, fonts: relpath -> file
    timing: Timing  # the spec's
    timings: Mapping[str, Timing] = field(default_factory=dict)  # outputs with their own

    def timing_for(self, output_name: str) -> Timing:
        """The timing ``output_name`` is rendered with: its own, else the spec's."""
        return self.timings.get(output_name, self.timing)

    @property
    def root(self) -> Path:
        return self.spec.root
