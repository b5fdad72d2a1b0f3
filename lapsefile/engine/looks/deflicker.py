"""Deflicker: each photo's brightness towards the mean of a window of photos around it."""

from __future__ import annotations

import statistics

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


def _brightness(value: Deflicker, levels: list[float]) -> list[float]:
    """Each photo brought to the mean of the window around it (the median for ``median``;
    the other means are close enough to the arithmetic one for a plot)."""
    half = min(_MAX_SIZE, value.size) // 2
    out = []
    for i in range(len(levels)):
        window = levels[max(0, i - half):i + half + 1]
        out.append(statistics.median(window) if value.mode == "median"
                   else statistics.fmean(window))
    return out


ENGINE = EngineLook("deflicker", _filters, _features, brightness=_brightness)
