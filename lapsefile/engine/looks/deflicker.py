"""Deflicker: each photo's brightness towards the mean of a window of photos around it."""

from __future__ import annotations

from ...looks.deflicker import Deflicker
from ..job import RenderJob
from . import EngineLook, LookStage

_MAX_SIZE = 129  # ffmpeg deflicker's largest window


def _filters(value: Deflicker, stage: LookStage) -> list[str]:
    # The window may not be longer than the stream: ffmpeg then averages in frames that do
    # not exist and darkens everything.
    size = min(_MAX_SIZE, value.size, stage.frames)
    return [f"deflicker=size={size}:mode={value.mode}"] if size >= 2 else []


def _features(value: Deflicker, job: RenderJob) -> set[str]:
    return {"deflicker"}


ENGINE = EngineLook("deflicker", _filters, _features)
