"""Stabilization: vidstabdetect measures how the camera moved between photos (first pass),
vidstabtransform moves each photo back onto a smoothed path (the render).

Both run on the photo sequence, one frame per photo, so a shake is measured between photos
and not between repeated frames. The steadied path is the camera's path low-pass filtered by
a Gaussian over ``smoothing`` photos on each side (``optalgo=gauss``: vid.stab's default
global optimisation ignores ``smoothing``), so a slow pan stays and a shake goes. ``smoothing:
0`` is vid.stab's tripod mode: every photo is aligned with the first, which both passes must
know. ``optzoom=1`` zooms in just enough, once for the whole video, that no moved photo shows
an empty border; a zoom that changed from frame to frame would itself look like a camera move.
Photos are moved with bilinear interpolation: vid.stab's bicubic doubled the whole render's time
(40 photos of 1920x1280 into 1080p: 7.8 s against 3.7 s, bench/look_bench.py's scene) for a
difference the scaling to the output's size that follows hides.
"""

from __future__ import annotations

from ...looks.stabilize import Stabilize
from ..job import RenderJob
from . import EngineLook, LookStage

# Timelapse shakes between photos are large next to video's frame-to-frame jitter: measure
# the widest shakes (10) at the best accuracy (15); the work is one small frame per photo.
_DETECT = "vidstabdetect=shakiness=10:accuracy=15:stepsize=6:mincontrast=0.2"


def _analysis(value: Stabilize, stage: LookStage) -> list[str]:
    if stage.frames < 3:  # a single photo (and its held copy) has no shake to measure
        return []
    tripod = ":tripod=1" if value.smoothing == 0 else ""
    return [f"{_DETECT}{tripod}:result={stage.file('stabilize')}"]


def _filters(value: Stabilize, stage: LookStage) -> list[str]:
    if stage.frames < 3:
        return []
    path = "tripod=1" if value.smoothing == 0 else f"optalgo=gauss:smoothing={value.smoothing}"
    return [f"vidstabtransform=input={stage.file('stabilize')}:{path}"
            ":optzoom=1:interpol=bilinear:crop=black"]


def _features(value: Stabilize, job: RenderJob) -> set[str]:
    return {"vidstabdetect", "vidstabtransform"} if len(job.frames) >= 2 else set()


ENGINE = EngineLook("stabilize", _filters, _features, _analysis)
