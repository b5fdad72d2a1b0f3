"""What a run made, per output: the closing summary of ``run`` (and of ``run --draft``).

Each file is described as it is on disk: its size in bytes, and its duration and picture size
as ffmpeg reads them, so the summary shows what was made (a cloud export included), not what
was asked for. Where ffmpeg cannot read it (no ffmpeg on a cloud-only machine), the planned
duration and size are shown instead, marked as such.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .errors import LapsefileError
from .project.model import Project


@dataclass(frozen=True)
class OutputMade:
    """One output's file after a run."""

    output: str
    path: str  # as the spec names it (relative to the spec's folder), or the draft's
    duration: float  # seconds
    width: int
    height: int
    bytes: int | None  # None: the file is not there
    seconds: float | None  # how long this run took to make it (None: not timed)
    probed: bool  # duration and size read from the file (False: as planned)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def describe(project: Project, name: str, file: Path, seconds: float | None,
             ffmpeg: str | None = None) -> OutputMade:
    """``name``'s file ``file`` (absolute) as it is now; ``seconds``: how long it took."""
    output = project.spec.output(name)
    root = project.spec.root
    shown = file.relative_to(root).as_posix() if file.is_relative_to(root) else str(file)
    try:
        size: int | None = file.stat().st_size
    except OSError:
        size = None
    planned = (project.timing_for(name).duration, output.width, output.height)
    found = _probe(file, ffmpeg) if size else None
    duration, width, height = found or planned
    return OutputMade(name, shown, round(duration, 3), width, height, size,
                      None if seconds is None else round(seconds, 2), found is not None)


def _probe(file: Path, ffmpeg: str | None) -> tuple[float, int, int] | None:
    """Duration and size as ffmpeg reads them, or None when it cannot."""
    from .engine.ffmpeg import find_ffmpeg
    from .engine.probe import probe

    try:
        info = probe(file, find_ffmpeg(ffmpeg))
    except (LapsefileError, OSError):  # no ffmpeg here, or one that cannot read the file
        return None
    return info.duration, info.width, info.height
