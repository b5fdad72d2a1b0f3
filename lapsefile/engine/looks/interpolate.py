"""Interpolation: frames invented between photos (ffmpeg minterpolate).

Unlike the other options it is not a filter on the photo sequence: it replaces the way the
sequence reaches the output rate (photos at their true times, then minterpolate to the rate),
so the pipeline asks :func:`applies` and puts :func:`rate_filters` where the rate changes.
"""

from __future__ import annotations

from typing import Any

from .. import encode
from ..job import RenderJob
from ..rates import fps_fraction
from . import EngineLook, LookStage


def applies(job: RenderJob) -> bool:
    """Asked for, and photos held two frames or more (with less there is nothing between two
    photos to invent; with one photo, nothing to interpolate at all)."""
    return (bool(job.look.get("interpolate")) and len(job.frames) >= 2
            and job.hold * float(fps_fraction(job.fps)) >= 2)


def rate_filters(job: RenderJob) -> list[str]:
    """The photos at their true times to the output rate; drafts cross-fade instead."""
    fps = fps_fraction(job.fps)
    mode = "blend" if encode.PRESETS[job.quality].blend_interpolation else "mci"
    return [f"minterpolate=fps={fps.numerator}/{fps.denominator}:mi_mode={mode}"]


def _filters(value: Any, stage: LookStage) -> list[str]:
    return []  # see the module's docstring: the pipeline places rate_filters


def _features(value: Any, job: RenderJob) -> set[str]:
    return {"minterpolate"} if applies(job) else set()


ENGINE = EngineLook("interpolate", _filters, _features)
