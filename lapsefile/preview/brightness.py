"""Brightness per photo, and what the look's smoothing does to it, in numbers."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from typing import Any


def smoothed(look: Mapping[str, Any], levels: Sequence[float]) -> list[float]:
    """``levels`` as the look leaves them: each option that changes brightness says how
    (``EngineLook.brightness``), in the order they apply; others leave them as they are."""
    from ..engine.looks import engine  # the engine's own model of each filter

    out = list(levels)
    for name, value in look.items():
        model = engine(name).brightness
        if model is not None:
            out = model(value, out)
    return out


def flicker_score(levels: Sequence[float]) -> float:
    """How much brightness jumps about, photo to photo, in percent: the mean distance of each
    photo from the median of it and its two neighbours, over the mean brightness. A smooth
    ramp, however steep, scores near 0; a flickering sequence scores its flicker."""
    if len(levels) < 3:
        return 0.0
    mean = statistics.fmean(levels) or 1.0
    jumps = [abs(levels[i] - statistics.median(levels[i - 1:i + 2]))
             for i in range(1, len(levels) - 1)]
    return 100.0 * statistics.fmean(jumps) / mean
