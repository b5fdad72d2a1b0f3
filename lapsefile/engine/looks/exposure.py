"""Exposure ramp smoothing: a first pass measures each photo's brightness (signalstats), the
gains that put every photo on a smooth curve through the measurements are derived from it
(:func:`gains`), and the render applies them photo by photo (sendcmd driving eq).

The curve is a local straight-line fit of log brightness over ``window`` photos around each
photo (in the middle of the video that is the centred moving average; near the ends the window
stays inside the video, and a straight line follows a ramp there without lagging). An exposure
step, a photographer changing shutter or ISO by a stop during a sunset, is a jump in log
brightness that the fit spreads over the window, so it goes; the sunset's slow darkening is
what the fit follows, so it stays. Deflicker's short window would keep most of a step.

Brightness is the frame's mean luma above black (limited range, 16). Scaling luma above black
and chroma about neutral by one gain is what scaling R'G'B' does: it changes the exposure
without changing the colours' saturation relative to their brightness. eq does both (contrast
with a brightness that keeps black in place, and saturation) from a 256-entry table; lutyuv,
the obvious choice, rebuilds a 65536-entry table per command, 30 ms a frame.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from ...looks.exposure import Exposure
from ..job import RenderJob
from . import EngineLook, LookStage

_KEY = "lavfi.signalstats.YAVG"
_MEASURE = re.compile(rb"^" + re.escape(_KEY.encode()) + rb"=([-+0-9.eE]+)\s*$", re.MULTILINE)
_BLACK = 16  # limited-range luma black (8 bit)
_MAX_GAIN = 3.0  # eq's largest saturation; beyond it a frame is black or burnt, not stepped
_MIN_PHOTOS = 3  # through two photos the straight line is the photos themselves


def _eq(stage: LookStage) -> str:
    # named per sequence: sendcmd sends to the first filter of a name in the whole graph
    return f"eq@exposure{stage.chain}"


def _analysis(value: Exposure, stage: LookStage) -> list[str]:
    if len(stage.job.frames) < _MIN_PHOTOS:
        return []
    return ["signalstats", f"metadata=mode=print:key={_KEY}:file={stage.file('exposure')}"]


def _filters(value: Exposure, stage: LookStage) -> list[str]:
    if len(stage.job.frames) < _MIN_PHOTOS:
        return []
    # sendcmd reads times: number the photos 0, 1, 2... (the timing that follows the look
    # sets the real timestamps from the frame count)
    return ["settb=1", "setpts=N", f"sendcmd=f={stage.derived('exposure')}", _eq(stage)]


def measurements(analysis: bytes) -> list[float]:
    """Each frame's mean luma, in order, from the first pass's ``metadata=print`` output."""
    return [float(match) for match in _MEASURE.findall(analysis)]


def smooth(values: Sequence[float], window: int) -> list[float]:
    """Each value replaced by a straight line fitted (least squares) to the ``window`` values
    around it, the window kept inside the sequence; prefix sums make it linear in length."""
    n = len(values)
    width = max(1, min(window, n))
    sums = [(0.0, 0.0, 0.0, 0.0)]  # running sums of x, y, x*y, x*x
    for x, y in enumerate(values):
        sx, sy, sxy, sxx = sums[-1]
        sums.append((sx + x, sy + y, sxy + x * y, sxx + x * x))
    fitted = []
    for i in range(n):
        start = min(max(0, i - width // 2), n - width)
        sx, sy, sxy, sxx = (b - a for a, b in zip(sums[start], sums[start + width]))
        spread = width * sxx - sx * sx
        slope = (width * sxy - sx * sy) / spread if spread else 0.0
        fitted.append((sy - slope * sx) / width + slope * i)
    return fitted


def gains(levels: Sequence[float], window: int) -> list[float]:
    """The gain on luma above black that moves each frame's mean luma onto the smooth curve."""
    logs = [math.log(max(level - _BLACK, 0.5)) for level in levels]
    return [min(_MAX_GAIN, max(1 / _MAX_GAIN, math.exp(target - log)))
            for target, log in zip(smooth(logs, window), logs)]


def _derive(value: Exposure, stage: LookStage, analysis: bytes) -> str:
    """The sendcmd script setting each photo's gain as it reaches eq."""
    eq = _eq(stage)
    lines = []
    for index, gain in enumerate(gains(measurements(analysis), value.window)):
        # eq maps luma v (0..1) to contrast * (v - 0.5) + 0.5 + brightness: with contrast g,
        # this brightness leaves black where it is, so luma above black is scaled by g
        brightness = (_BLACK - 127.5) * (1 - gain) / 255
        lines.append(f"{index}-{index + 1} {eq} contrast {gain:.6f}, {eq} brightness "
                     f"{brightness:.6f}, {eq} saturation {gain:.6f};")
    if not lines:  # nothing measured: sendcmd refuses an empty script, so change nothing
        lines.append(f"0-1 {eq} contrast 1;")
    return "\n".join(lines) + "\n"


def _features(value: Exposure, job: RenderJob) -> set[str]:
    if len(job.frames) < _MIN_PHOTOS:
        return set()
    return {"signalstats", "metadata", "sendcmd", "eq"}


def _brightness(value: Exposure, levels: list[float]) -> list[float]:
    """Each photo's brightness above black scaled by its gain, as the render does."""
    return [_BLACK + (level - _BLACK) * gain
            for level, gain in zip(levels, gains(levels, value.window))]


ENGINE = EngineLook("exposure", _filters, _features, _analysis, _derive, _brightness)
