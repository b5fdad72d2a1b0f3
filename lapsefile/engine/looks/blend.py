"""Blend: each frame the mix of it and the photos before it (ffmpeg tmix)."""

from __future__ import annotations

from ..job import RenderJob
from . import EngineLook, LookStage

_MAX_FRAMES = 1024  # tmix's limit


def _filters(frames: int, stage: LookStage) -> list[str]:
    return [f"tmix=frames={min(_MAX_FRAMES, frames)}"] if frames > 1 else []


def _features(frames: int, job: RenderJob) -> set[str]:
    return {"tmix"}


ENGINE = EngineLook("blend", _filters, _features)
