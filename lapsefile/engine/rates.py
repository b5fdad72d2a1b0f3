"""Frame rates as exact fractions, and the frame count of a job."""

from __future__ import annotations

from fractions import Fraction

from .job import RenderJob

_NTSC = {23.976: Fraction(24000, 1001), 29.97: Fraction(30000, 1001),
         59.94: Fraction(60000, 1001)}


def fps_fraction(fps: float) -> Fraction:
    """``fps`` as ffmpeg should see it: the NTSC rates exactly, others as written."""
    for approx, exact in _NTSC.items():
        if abs(fps - approx) < 0.002:
            return exact
    return Fraction(fps).limit_denominator(1001)


def frame_count(job: RenderJob) -> int:
    return max(1, round(job.duration * float(fps_fraction(job.fps))))


def start_frames(job: RenderJob) -> int:
    """Frames the first photo is held before the photos move (``timing.hold_start``)."""
    return round(job.hold_start * float(fps_fraction(job.fps)))
